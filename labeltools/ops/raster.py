"""Neutral objects (:mod:`labeltools.core.annotations`) -> class and instance maps.

Each object is turned into its own mask once, in the box it can reach, by the fill rule of the
tool its record came from; the maps are then painted from those masks with NumPy, in ascending
z order (file order within one z order; ``overlap="first"``: the reverse), so that the last
object painted on a pixel holds it, as each tool's own mask export has it:

* ``"pycocotools"``: polygons and boxes as pycocotools' ``frPyObjects`` fills them (COCO's
  ``annToMask``; Datumaro, whose CVAT import and VOC export fill by it; label-studio-converter's
  COCO output), RLEs decoded by pycocotools;
* ``"cityscapes"``: polygons as Pillow's ``ImageDraw.polygon`` fills them without an outline
  (cityscapesScripts' ``json2labelImg``);
* ``"ultralytics"``: polygons as Ultralytics fills a YOLO dataset's (``polygons2masks_overlap``):
  vertices truncated to whole pixels, filled by OpenCV's ``fillPoly`` with the outline, and
  painted in descending order of their areas, so that an object lies over those larger than it;
* ``"isat"``: polygons as scikit-image's ``draw.polygon`` fills them (ISAT's VOC converter):
  vertices truncated to whole pixels, the pixel centres inside or on the outline.

Masks are painted as they are. Parts that cover no area (lines, points) paint nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import PIL.Image
import PIL.ImageDraw
from numpy.typing import NDArray

from labeltools.core.annotations import AnnotatedImage, AnnotatedObject, FillRule, Geometry
from labeltools.core.errors import AnnotationError, require_extra
from labeltools.core.options import OVERLAP_RULES, VOID, OverlapRule


@dataclass(frozen=True, eq=False)
class ObjectMask:
    """The pixels of one object: ``mask`` (bool, ``(h, w)``) whose top-left pixel is ``offset``
    ``(x, y)`` of the image; an object that paints nothing has a ``(0, 0)`` mask."""

    mask: NDArray[np.bool_]
    offset: tuple[int, int]

    @property
    def box(self) -> tuple[slice, slice]:
        x, y = self.offset
        return slice(y, y + self.mask.shape[0]), slice(x, x + self.mask.shape[1])

    @property
    def area(self) -> int:
        return int(np.count_nonzero(self.mask))


#: The pixels of an object that paints nothing (shared: read-only).
EMPTY = ObjectMask(np.zeros((0, 0), dtype=bool), (0, 0))
EMPTY.mask.setflags(write=False)


def _pycocotools() -> object:
    return require_extra("pycocotools.mask", "reading COCO, CVAT and Label Studio shapes needs pycocotools", "coco", AnnotationError)


def _reach(points: NDArray[np.float64], height: int, width: int) -> tuple[int, int, int, int] | None:
    """A box of whole pixels that holds every pixel a fill of ``points`` can reach, clipped to
    the image; None when it holds none. A pixel of margin on each side keeps the clipped box's
    inner edges outside the shape, so that filling in the box equals filling in the image."""
    if not np.all(np.isfinite(points)):
        return None
    x0 = max(math.floor(float(points[:, 0].min())) - 1, 0)
    y0 = max(math.floor(float(points[:, 1].min())) - 1, 0)
    x1 = min(math.ceil(float(points[:, 0].max())) + 2, width)
    y1 = min(math.ceil(float(points[:, 1].max())) + 2, height)
    if x1 <= x0 or y1 <= y0:
        return None
    return x0, y0, x1, y1


def _box_corners(points: NDArray[np.float64]) -> NDArray[np.float64]:
    (x0, y0), (x1, y1) = points.tolist()
    return np.array([[x0, y0], [x0, y1], [x1, y1], [x1, y0]], dtype=np.float64)


def _polygon_stamp(polygons: Sequence[NDArray[np.float64]], height: int, width: int, fill: FillRule) -> ObjectMask:
    """The union of ``polygons`` filled by ``fill`` (integer shifts commute with both fills:
    pycocotools scales, rounds and clips per vertex, Pillow rounds per vertex)."""
    boxes = [b for b in (_reach(p, height, width) for p in polygons) if b is not None]
    if not boxes:
        return EMPTY
    if fill == "ultralytics":
        return _opencv_stamp(polygons, height, width)
    if fill == "isat":
        return _lattice_stamp(polygons, height, width)
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    h, w = y1 - y0, x1 - x0
    shift = np.array([x0, y0], dtype=np.float64)
    if fill == "pycocotools":
        masks = _pycocotools()
        flat = [(p - shift).ravel().tolist() for p in polygons if len(p) >= 3]
        rle = masks.merge(masks.frPyObjects(flat, h, w))  # type: ignore[attr-defined]
        return ObjectMask(masks.decode(rle).astype(bool), (x0, y0))  # type: ignore[attr-defined]
    canvas = PIL.Image.new("L", (w, h), 0)
    draw = PIL.ImageDraw.Draw(canvas)
    for polygon in polygons:
        draw.polygon([tuple(v) for v in (polygon - shift).tolist()], fill=1)
    return ObjectMask(np.frombuffer(canvas.tobytes(), dtype=bool).reshape(h, w), (x0, y0))


def _opencv_stamp(polygons: Sequence[NDArray[np.float64]], height: int, width: int) -> ObjectMask:
    """The union of ``polygons`` as Ultralytics fills one (``polygon2mask``): vertices truncated
    to whole pixels, filled by OpenCV with the outline, in a canvas whose far edges are the
    image's (OpenCV clips an outline that passes them at the canvas's edge: a YOLO vertex at
    1.0 lies one pixel past the image)."""
    cv2 = require_extra("cv2", "reading a YOLO dataset needs OpenCV, which fills its polygons as Ultralytics does", "yolo", AnnotationError)
    truncated = _truncated(polygons, height, width, np.int32)
    if truncated is None:
        return EMPTY
    corners, (x0, y0, x1, y1) = truncated
    canvas = np.zeros((y1 - y0, x1 - x0), dtype=np.uint8)
    cv2.fillPoly(canvas, [c.reshape(-1, 1, 2) for c in corners], 1, offset=(-x0, -y0))
    return ObjectMask(canvas.view(bool), (x0, y0))


def _truncated(
    polygons: Sequence[NDArray[np.float64]], height: int, width: int, dtype: Any
) -> tuple[list[NDArray[Any]], tuple[int, int, int, int]] | None:
    """Each polygon's vertices truncated to whole pixels (towards 0, as ``int()``), and the box
    ``x0, y0, x1, y1`` of the image they span (the far ends included); None when it holds no
    pixel."""
    corners = [p.astype(dtype) for p in polygons if len(p)]
    if not corners:
        return None
    x0, y0 = (max(int(min(c[:, axis].min() for c in corners)), 0) for axis in (0, 1))
    x1 = min(int(max(c[:, 0].max() for c in corners)) + 1, width)
    y1 = min(int(max(c[:, 1].max() for c in corners)) + 1, height)
    if x1 <= x0 or y1 <= y0:
        return None
    return corners, (x0, y0, x1, y1)


def _lattice_stamp(polygons: Sequence[NDArray[np.float64]], height: int, width: int) -> ObjectMask:
    """The union of ``polygons`` as scikit-image's ``draw.polygon`` fills one (ISAT's VOC
    converter): vertices truncated to whole pixels, then every pixel whose centre (whole ``x``,
    ``y``) lies inside the polygon, by the even-odd rule, or on its outline."""
    truncated = _truncated(polygons, height, width, np.int64)
    if truncated is None:
        return EMPTY
    corners, (x0, y0, x1, y1) = truncated
    shape = (y1 - y0, x1 - x0)
    canvas = _fill_lattice(corners[0] - np.array([x0, y0]), shape)
    for c in corners[1:]:  # each part filled alone: a point where its edges cross may be outside it
        canvas |= _fill_lattice(c - np.array([x0, y0]), shape)
    return ObjectMask(canvas, (x0, y0))


def _fill_lattice(vertices: NDArray[np.int64], shape: tuple[int, int]) -> NDArray[np.bool_]:
    """The pixels of a canvas of ``shape`` ``(h, w)`` whose centres lie in the closed polygon of
    whole ``vertices`` (``(N, 2)`` ``x, y``) as scikit-image tells them (O'Rourke's crossing test):
    inside by the even-odd rule, or on the outline, where a point two edges cross (not at a
    vertex) is inside or out as the crossings to its right have it.

    Inside: each row's spans between its edge crossings, in pairs left to right (an edge holds
    the rows from its lower end up to, not with, its upper one), their ends rounded inwards
    exactly in integers. Then each pixel centre on the outline: on one edge or at a vertex, set;
    where edges cross, tested on its own."""
    h, w = shape
    canvas = np.zeros(shape, dtype=bool)
    x, y = vertices[:, 0], vertices[:, 1]
    xn, yn = np.roll(x, -1), np.roll(y, -1)
    slanted = y != yn
    up = (y < yn)[slanted]
    xa, xb = np.where(up, x[slanted], xn[slanted]), np.where(up, xn[slanted], x[slanted])
    ya, yb = np.where(up, y[slanted], yn[slanted]), np.where(up, yn[slanted], y[slanted])
    first, last = np.maximum(ya, 0), np.minimum(yb, h)  # rows first..last-1 of each edge
    counts = np.maximum(last - first, 0)
    total = int(counts.sum())
    if total:
        edge = np.repeat(np.arange(len(xa)), counts)
        rows = first[edge] + np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        rise = (yb - ya)[edge]
        across = xa[edge] * rise + (rows - ya[edge]) * (xb - xa)[edge]  # crossing x = across / rise
        order = np.lexsort((across / rise, rows))
        rows, across, rise = rows[order], across[order], rise[order]
        start = np.maximum(-((-across[0::2]) // rise[0::2]), 0)
        stop = np.minimum(across[1::2] // rise[1::2], w - 1)
        kept = start <= stop
        marks = np.zeros((h, w + 1), dtype=np.int32)
        np.add.at(marks, (rows[0::2][kept], start[kept]), 1)
        np.add.at(marks, (rows[0::2][kept], stop[kept] + 1), -1)
        canvas |= np.cumsum(marks[:, :w], axis=1) > 0
    # The outline: the pixel centres along each edge, its ends left out (the vertices).
    dx, dy = xn - x, yn - y
    steps = np.gcd(np.abs(dx), np.abs(dy))
    inner = np.maximum(steps - 1, 0)
    edge = np.repeat(np.arange(len(x)), inner)
    k = 1 + np.arange(int(inner.sum())) - np.repeat(np.cumsum(inner) - inner, inner)
    px, py = x[edge] + k * (dx[edge] // steps[edge]), y[edge] + k * (dy[edge] // steps[edge])
    seen = (px >= 0) & (px < w) & (py >= 0) & (py < h)
    keys, times = np.unique(py[seen] * w + px[seen], return_counts=True)
    corners = (x >= 0) & (x < w) & (y >= 0) & (y < h)
    corner_keys = y[corners] * w + x[corners]
    crossed = keys[(times > 1) & ~np.isin(keys, corner_keys)]
    canvas.flat[keys] = True
    canvas.flat[corner_keys] = True
    if len(crossed):  # where edges cross: O'Rourke's test, exactly
        cy, cx = np.divmod(crossed, w)
        ax, ay = x[None, :] - cx[:, None], y[None, :] - cy[:, None]
        bx, by = xn[None, :] - cx[:, None], yn[None, :] - cy[:, None]
        side = np.sign(ax * by - bx * ay) * np.sign(by - ay)  # the sign of the crossing's x
        right = (((ay > 0) != (by > 0)) & (side > 0)).sum(axis=1)
        left = (((ay < 0) != (by < 0)) & (side < 0)).sum(axis=1)
        canvas.flat[crossed] = (right % 2 != left % 2) | (right % 2 == 1)
    return canvas


def union_stamps(stamps: Sequence[ObjectMask]) -> ObjectMask:
    """The pixels of several objects together, in the box that holds them all."""
    stamps = [s for s in stamps if s.mask.size]
    if len(stamps) <= 1:
        return stamps[0] if stamps else EMPTY
    x0 = min(s.offset[0] for s in stamps)
    y0 = min(s.offset[1] for s in stamps)
    x1 = max(s.offset[0] + s.mask.shape[1] for s in stamps)
    y1 = max(s.offset[1] + s.mask.shape[0] for s in stamps)
    out = np.zeros((y1 - y0, x1 - x0), dtype=bool)
    for s in stamps:
        x, y = s.offset[0] - x0, s.offset[1] - y0
        out[y : y + s.mask.shape[0], x : x + s.mask.shape[1]] |= s.mask
    return ObjectMask(out, (x0, y0))


def _placed_mask(part: Geometry, height: int, width: int) -> ObjectMask:
    """A mask part clipped to the image."""
    assert part.mask is not None
    x, y = part.offset
    h, w = part.mask.shape
    cx0, cy0, cx1, cy1 = max(x, 0), max(y, 0), min(x + w, width), min(y + h, height)
    if cx1 <= cx0 or cy1 <= cy0:
        return EMPTY
    return ObjectMask(part.mask[cy0 - y : cy1 - y, cx0 - x : cx1 - x], (cx0, cy0))


def _rle_mask(part: Geometry, height: int, width: int, where: str) -> ObjectMask:
    masks = _pycocotools()
    rle = part.rle
    assert rle is not None
    size = [int(v) for v in rle["size"]]
    if size != [height, width]:
        raise AnnotationError(f"{where}: its RLE is {size[0]}x{size[1]} but the image is {height}x{width}")
    if isinstance(rle["counts"], list):
        rle = masks.frPyObjects(rle, height, width)  # type: ignore[attr-defined]
    decoded = masks.decode(rle).astype(bool)  # type: ignore[attr-defined]
    return ObjectMask(decoded, (0, 0))


def object_mask(obj: AnnotatedObject, height: int, width: int, fill: FillRule, where: str = "") -> ObjectMask:
    """The pixels ``obj`` paints in an image of ``height`` x ``width``, filled by ``fill``.

    Raises:
        AnnotationError: an RLE whose size is not the image's (``where`` names the object).
    """
    polygons = []
    stamps = []
    for part in obj.parts:
        if part.kind == "polygon":
            assert part.points is not None
            polygons.append(part.points)
        elif part.kind == "box":
            assert part.points is not None
            polygons.append(_box_corners(part.points))
        elif part.kind == "mask":
            stamps.append(_placed_mask(part, height, width))
        elif part.kind == "rle":
            stamps.append(_rle_mask(part, height, width, where or obj.where))
    if polygons:
        stamps.append(_polygon_stamp(polygons, height, width, fill))
    return union_stamps(stamps)


@dataclass(frozen=True, eq=False)
class Painted:
    """Label maps of one image.

    Attributes:
        class_map: ``(H, W)`` uint8 class indices (``background`` where no object is, 255 void).
        instance_map: ``(H, W)`` uint8 instance numbers (0 background, 255 void), or None.
        contested: pixels covered by objects of two different classes (void objects neither
            count nor are counted).
    """

    class_map: NDArray[np.uint8]
    instance_map: NDArray[np.uint8] | None
    contested: int


def merge_groups(
    objects: Sequence[AnnotatedObject], stamps: Sequence[ObjectMask], values: Sequence[int | None]
) -> tuple[list[ObjectMask], list[int | None], list[int]]:
    """Objects as CVAT's "Segmentation mask" export paints them (``groups="cvat"``): the objects
    of no group (instance key None) in file order, then each group in ascending id as one
    object, the union of its members that paint, with the value and z order of its largest
    member (the first of the largest: Datumaro's ``find_group_leader``).

    Returns:
        The stamps, values and z orders to paint, in that order.
    """
    singles = [n for n, obj in enumerate(objects) if obj.instance is None]
    groups: dict[Any, list[int]] = {}
    for n, obj in enumerate(objects):
        if obj.instance is not None and values[n] is not None and stamps[n].mask.size:
            groups.setdefault(obj.instance, []).append(n)
    merged = [(stamps[n], values[n], objects[n].z_order) for n in singles]
    for key in sorted(groups):
        members = groups[key]
        leader = max(members, key=lambda n: stamps[n].area)
        merged.append((union_stamps([stamps[n] for n in members]), values[leader], objects[leader].z_order))
    return [m[0] for m in merged], [m[1] for m in merged], [m[2] for m in merged]


def record_stamps(
    record: AnnotatedImage, values: Sequence[int | None], height: int, width: int, *, skip: tuple[int | None, ...] = (None,)
) -> tuple[list[ObjectMask], list[int | None], list[int]]:
    """A record's objects ready to paint: each one's pixels filled by its tool's rule
    (:data:`EMPTY` for a value in ``skip``, left unpainted), with the values and z orders to
    paint them with; a CVAT record's groups merged as CVAT's mask export merges them (see
    :func:`merge_groups`).

    Raises:
        AnnotationError: an object that cannot be filled (named with its file and place).
    """
    stamps = [
        object_mask(obj, height, width, record.fill, f"{record.source}: {obj.where}") if value not in skip else EMPTY
        for obj, value in zip(record.objects, values)
    ]
    if record.groups == "cvat":
        return merge_groups(record.objects, stamps, values)
    if record.fill == "ultralytics":  # the larger first, as polygons2masks_overlap sorts them (NumPy's argsort of the same array)
        order = np.argsort(-np.asarray([stamp.area for stamp in stamps], dtype=np.uint64))
        return stamps, list(values), np.argsort(order).tolist()
    return stamps, list(values), [obj.z_order for obj in record.objects]


def painting_order(z_orders: Sequence[int], overlap: OverlapRule) -> list[int]:
    """The order objects are painted in: ascending z order, file order within one z order (the
    last painted holds a pixel); ``overlap="first"``: the reverse.

    Raises:
        AnnotationError: an unknown overlap rule.
    """
    if overlap not in OVERLAP_RULES:
        raise AnnotationError(f"overlap rule must be one of {', '.join(OVERLAP_RULES)}, got {overlap!r}")
    order = sorted(range(len(z_orders)), key=lambda n: z_orders[n])  # stable: file order within a z
    if overlap == "first":
        order.reverse()
    return order


def paint_objects(
    stamps: Sequence[ObjectMask],
    values: Sequence[int | None],
    z_orders: Sequence[int],
    height: int,
    width: int,
    *,
    inks: Sequence[int | None] | None = None,
    overlap: OverlapRule = "last",
    background: int = 0,
) -> Painted:
    """Paint object masks into a class map (and an instance map when ``inks`` are given).

    Args:
        stamps: each object's pixels (see :func:`object_mask`), in file order.
        values: each object's class value; None leaves it out.
        z_orders: each object's z order: ascending z is painted later, file order within one.
        inks: each object's instance map value (None leaves it out of the instance map).
        overlap: ``"last"``: the object painted last holds a pixel; ``"first"``: the first;
            ``"void"``: pixels of two classes become 255.
        background: the value where no object is (cityscapesScripts' trainIds: 255).
    """
    order = painting_order(z_orders, overlap)
    class_map = np.full((height, width), background, dtype=np.uint8)
    instance_map = np.zeros((height, width), dtype=np.uint8) if inks is not None else None
    low = np.full((height, width), VOID, dtype=np.uint8)
    high = np.zeros((height, width), dtype=np.uint8)
    classes_seen: set[int] = set()
    for n in order:
        value, stamp = values[n], stamps[n]
        if value is None or not stamp.mask.size:
            continue
        rows, cols = stamp.box
        class_map[rows, cols][stamp.mask] = value
        ink = inks[n] if inks is not None else None
        if instance_map is not None and ink is not None:
            instance_map[rows, cols][stamp.mask] = ink
        if value != VOID:
            classes_seen.add(value)
            np.minimum(low[rows, cols], np.where(stamp.mask, value, VOID).astype(np.uint8), out=low[rows, cols])
            np.maximum(high[rows, cols], np.where(stamp.mask, value, 0).astype(np.uint8), out=high[rows, cols])
    contested = 0
    if len(classes_seen) > 1:
        clash = (low != high) & (low != VOID)
        contested = int(np.count_nonzero(clash))
        if overlap == "void" and contested:
            class_map[clash] = VOID
            if instance_map is not None:
                instance_map[clash] = VOID
    return Painted(class_map, instance_map, contested)


def paint_polygons(
    objects: Sequence[AnnotatedObject],
    values: Sequence[int | None],
    height: int,
    width: int,
    *,
    inks: Sequence[int | None] | None = None,
    overlap: OverlapRule = "last",
    background: int = 0,
) -> Painted:
    """:func:`paint_objects` for records filled by ``"cityscapes"`` (Pillow, no outline), whose
    parts are polygons: drawn straight onto the canvases, as cityscapesScripts draws them, with
    no mask per object. Contested pixels come from painting the classes once in ascending and
    once in descending order: where the two canvases differ, objects of two classes meet.
    Same arguments as :func:`paint_objects` (``z_orders`` all 0), same result."""
    order = painting_order([0] * len(objects), overlap)
    loops = [[[tuple(v) for v in part.points.tolist()] for part in obj.parts if part.kind == "polygon" and part.points is not None] for obj in objects]

    def paint(strokes: Sequence[tuple[int, int]], base: int) -> NDArray[np.uint8]:
        canvas = PIL.Image.new("L", (width, height), base)
        draw = PIL.ImageDraw.Draw(canvas)
        for n, ink in strokes:
            for loop in loops[n]:
                draw.polygon(loop, fill=ink)
        return np.asarray(canvas)

    class_map = paint([(n, v) for n in order if (v := values[n]) is not None], background)
    instance_map = None
    if inks is not None:
        instance_map = paint([(n, ink) for n in order if values[n] is not None and (ink := inks[n]) is not None], 0)
    classed = [(n, v) for n, v in enumerate(values) if v is not None and v != VOID]
    if len({v for _, v in classed}) < 2:
        return Painted(class_map, instance_map, 0)
    rising = sorted(classed, key=lambda nv: nv[1])
    clash = paint(rising, 0) != paint(rising[::-1], 0)
    contested = int(np.count_nonzero(clash))
    if overlap == "void" and contested:
        class_map = np.where(clash, np.uint8(VOID), class_map)
        if instance_map is not None:
            instance_map = np.where(clash, np.uint8(VOID), instance_map)
    return Painted(class_map, instance_map, contested)
