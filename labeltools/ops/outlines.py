"""Outlines of binary masks as polygons, exact to the pixel: what COCO and YOLO exports write for
an object that is not one labelme polygon.

The outline runs along pixel edges, with corner ``(x, y)`` the top-left corner of pixel
``(x, y)``. Under COCO's rule (a pixel is inside when its centre is) that polygon gives back the
mask exactly. Moved half a pixel inwards it runs through the centres of the boundary pixels,
which is what Pillow's and OpenCV's polygon fills (outline included) give back exactly.

Pixels that touch only at a corner belong to different outlines (4-connectivity): an object of
two such parts has two outer outlines.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

#: Unit steps right, down, left, up (x, y), in the order of a right turn.
_STEPS = ((1, 0), (0, 1), (-1, 0), (0, -1))


@dataclass(frozen=True)
class Outlines:
    """A mask's outer outlines (one per 4-connected part) and its number of holes.

    ``outer`` holds ``(N, 2)`` float64 corner coordinates, each loop clockwise on the image
    (y down), collinear corners removed, the first corner not repeated at the end.
    """

    outer: list[NDArray[np.float64]]
    holes: int

    def centres(self) -> list[NDArray[np.float64]]:
        """The outer outlines moved half a pixel inwards: through the centres of the boundary
        pixels, in pixel-centre coordinates (pixel ``(x, y)`` is the point ``(x, y)``)."""
        return [inset(loop, 0.5) - 0.5 for loop in self.outer]


def _edges(mask: NDArray[np.bool_]) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """The directed boundary edges, interior on the right (clockwise outer loops, y down): their
    start corners ``x``, ``y`` and direction codes (indices into :data:`_STEPS`).

    An edge lies wherever a pixel differs from its neighbour below or to its right; in the mask
    padded with empty pixels and read flat, those are two comparisons of the array with itself
    shifted by a row and by one (a row's last padding pixel meets the next row's first: both
    empty, no edge). Which of the two pixels is set gives the edge's side and direction.
    """
    height, width = mask.shape
    stride = width + 2
    padded = np.zeros((height + 2, stride), dtype=bool)
    padded[1:-1, 1:-1] = mask
    flat = padded.ravel()
    below = np.flatnonzero(flat[:-stride] != flat[stride:])
    beside = np.flatnonzero(flat[:-1] != flat[1:])
    # Flat index i is padded pixel (row, col): image corner coordinates x = col, y = row there.
    b_row, b_col = np.divmod(below, stride)
    s_row, s_col = np.divmod(beside, stride)
    b_set, s_set = flat[below], flat[beside]
    # Set above, empty below: the bottom edge of the upper pixel, going left from (col, row);
    # else the top edge of the lower pixel, going right from (col - 1, row).
    # Set left, empty right: the right edge of the left pixel, going down from (col, row - 1);
    # else the left edge of the right pixel, going up from (col, row).
    x = np.concatenate([b_col - ~b_set, s_col])
    y = np.concatenate([b_row, s_row - s_set])
    code = np.concatenate([np.where(b_set, 2, 0), np.where(s_set, 1, 3)])
    return x, y, code


def _trace(mask: NDArray[np.bool_]) -> list[NDArray[np.float64]]:
    """The boundary loops of ``mask`` as corner arrays, collinear corners dropped.

    Each edge is followed by the edge leaving its end corner; where two leave it (pixels meeting
    at a corner only), by the one turning right, which keeps such pixels in separate loops.
    """
    x, y, code = _edges(mask)
    if not len(x):
        return []
    steps = np.array(_STEPS, dtype=np.int64)
    width = mask.shape[1] + 1
    end = (y + steps[code, 1]) * width + (x + steps[code, 0])
    keys = (y * width + x) * 4 + code
    order = np.argsort(keys)
    sorted_keys = keys[order]
    # One edge leaves a corner, or two where pixels meet diagonally (a saddle): then the turns
    # right and left, never straight on. Take the right turn if it is there, else the one edge.
    right = end * 4 + (code + 1) % 4
    spot = np.searchsorted(sorted_keys, right).clip(max=len(sorted_keys) - 1)
    only = np.searchsorted(sorted_keys, end * 4)
    following = order[np.where(sorted_keys[spot] == right, spot, only)]
    return _loops(x, y, code, following)


def _loops(
    x: NDArray[np.int64], y: NDArray[np.int64], code: NDArray[np.int64], following: NDArray[np.int64]
) -> list[NDArray[np.float64]]:
    """The cycles of the ``following`` permutation as corner arrays, found with whole-array steps
    (pointer jumping) rather than an edge-by-edge walk: each cycle is named by its smallest edge
    index, cut open before that edge, and its edges ordered by their distance to the cut."""
    n = len(x)
    name = np.arange(n)
    jump = following.copy()
    for _ in range(max(1, int(n).bit_length())):
        name = np.minimum(name, name[jump])
        jump = jump[jump]
    # Cut each cycle before its first edge; rank every edge by its distance to the cut.
    tail = following == name
    ahead = np.where(tail, np.arange(n), following)  # a tail leads to itself
    distance = np.where(tail, 0, 1)
    for _ in range(max(1, int(n).bit_length())):
        distance = distance + distance[ahead]
        ahead = ahead[ahead]
    order = np.lexsort((-distance, name))
    names = name[order]
    starts = np.flatnonzero(np.concatenate([[True], names[1:] != names[:-1]]))
    loops = []
    for begin, stop in zip(starts.tolist(), [*starts[1:].tolist(), n]):
        members = order[begin:stop]
        turning = code[members] != code[np.roll(members, 1)]
        loops.append(np.stack([x[members][turning], y[members][turning]], axis=1).astype(np.float64))
    return loops


def signed_area(points: NDArray[np.float64]) -> float:
    """A closed polygon's area, positive when it runs clockwise on the image (y down)."""
    x, y = points[:, 0], points[:, 1]
    return float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]) + x[-1] * y[0] - x[0] * y[-1]) / 2


def euler_number(mask: NDArray[np.bool_]) -> int:
    """Parts minus holes of a mask (parts 4-connected, as :func:`mask_outlines` separates them),
    counted on the mask as a grid of cells: pixels, minus pairs of side neighbours, plus full
    2x2 blocks. A mask of one part without holes gives 1, and any other number means more
    parts or holes, without tracing anything."""
    m = np.asarray(mask, dtype=bool)
    across, down = m[:, 1:] & m[:, :-1], m[1:] & m[:-1]
    blocks = across[1:] & across[:-1]
    return int(np.count_nonzero(m) - np.count_nonzero(across) - np.count_nonzero(down) + np.count_nonzero(blocks))


def mask_outlines(mask: NDArray[np.bool_]) -> Outlines:
    """The outlines of a ``(H, W)`` bool mask: its outer loops and how many holes it has.

    Loops with the interior on the right are outer (positive area on the image, y down); the
    others bound holes.
    """
    mask = np.asarray(mask, dtype=bool)
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if not len(rows):
        return Outlines([], 0)
    top, left = rows[0], cols[0]
    box = mask[top : rows[-1] + 1, left : cols[-1] + 1]  # only the box the object fills
    if box.all():  # a filled rectangle (a rectangle shape, say): its four corners
        height, width = box.shape
        corners = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float64)
        return Outlines([corners + (left, top)], 0)
    loops = _trace(box)
    offset = np.array([left, top], dtype=np.float64)
    outer = [loop + offset for loop in loops if signed_area(loop) > 0]
    return Outlines(outer, len(loops) - len(outer))


def inset(loop: NDArray[np.float64], amount: float) -> NDArray[np.float64]:
    """A clockwise (y down) orthogonal loop of pixel corners moved ``amount`` pixels inwards:
    each corner moves by ``amount`` times the sum of its two edges' inward normals. Half a pixel
    runs through the boundary pixels' centres; a quarter keeps them a quarter pixel inside,
    where a centre-inside rule (pycocotools) finds exactly the outlined pixels."""
    before = loop - np.roll(loop, 1, axis=0)
    after = np.roll(loop, -1, axis=0) - loop
    # The inward normal of an edge d (interior on the right, y down) is (-d_y, d_x).
    def normal(d: NDArray[np.float64]) -> NDArray[np.float64]:
        unit = np.sign(d)
        return np.stack([-unit[:, 1], unit[:, 0]], axis=1)

    return loop + amount * (normal(before) + normal(after))


def single_outline(mask: NDArray[np.bool_]) -> NDArray[np.float64] | None:
    """The outline of a mask of one part without holes (see :func:`mask_outlines`), else None;
    cheap for the masks it refuses (their Euler number says so) and for filled rectangles."""
    mask = np.asarray(mask, dtype=bool)
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if not len(rows):
        return None
    box = mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    if not box.all() and euler_number(box) != 1:
        return None
    outlines = mask_outlines(box)
    if len(outlines.outer) != 1 or outlines.holes:
        return None
    return outlines.outer[0] + (cols[0], rows[0])


def simplify(loop: NDArray[np.float64], tolerance: float) -> NDArray[np.float64]:
    """A closed polygon with the corners dropped that lie within ``tolerance`` of the line
    between the corners kept around them (Douglas and Peucker's rule), first corner kept.

    A pixel outline is a staircase along every slanted edge: a corner per pixel step. Its
    simplification follows the same edge with a handful of corners, which fills back to the
    same pixels but along the steps, where a pixel whose centre the straight edge passes
    is in or out by less than ``tolerance``. Every segment is split in the same round, with
    whole-array steps: as many rounds as the recursion would go deep, not one per corner.
    """
    points = np.asarray(loop, dtype=np.float64)
    n = len(points)
    if n <= 4:
        return points
    closed = np.concatenate([points, points[:1]])  # the loop cut open at its first corner
    far = int(np.argmax(((points - points[0]) ** 2).sum(axis=1)))
    keep = np.zeros(n + 1, dtype=bool)
    keep[[0, far, n]] = True
    positions = np.arange(n + 1)
    while True:
        kept = np.flatnonzero(keep)
        segment = np.searchsorted(kept, positions, side="right") - 1
        segment = np.minimum(segment, len(kept) - 2)  # the last corner ends the last segment
        start, end = closed[kept[segment]], closed[kept[segment + 1]]
        direction, offset = end - start, closed - start
        length = np.hypot(direction[:, 0], direction[:, 1])
        across = np.abs(direction[:, 0] * offset[:, 1] - direction[:, 1] * offset[:, 0])
        distance = np.where(length > 0, across / np.where(length > 0, length, 1.0), np.hypot(offset[:, 0], offset[:, 1]))
        distance[keep] = 0.0
        worst = np.maximum.reduceat(distance, kept[:-1])  # per segment
        splitting = (worst > tolerance)[segment] & (distance == worst[segment]) & (distance > 0)
        if not splitting.any():
            break
        chosen = np.flatnonzero(splitting)
        _, first = np.unique(segment[chosen], return_index=True)  # one corner per segment
        keep[chosen[first]] = True
    return closed[np.flatnonzero(keep[:n])]
