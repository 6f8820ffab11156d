"""YOLO segmentation labels (the Ultralytics layout): ``labels/<split>/<id>.txt`` with one
``class x1 y1 x2 y2 ...`` line per object, coordinates normalised to 0..1, and ``data.yaml``.

What a reader does with a line is Ultralytics' rule: the coordinates are scaled by the image
size, truncated to whole pixels and the polygon filled, outline included, by OpenCV's
``fillPoly``. So every vertex is written as the centre of the pixel it lies in,
``(floor(x) + 0.5) / width``: half a pixel of margin on either side of the truncation, which
no rounding of the decimals can cross, and the pixel a reader finds is the one we checked
with the same OpenCV call (the ``yolo`` extra, imported when an export runs). An object in
several parts is one line, its parts joined by zero-width bridges, as Ultralytics' own COCO
conversion joins them (``merge_multi_segment``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from labeltools.core.classes import ClassTable, is_unused
from labeltools.core.errors import ExportError, YoloLabelError, require_extra
from labeltools.core.options import VOID

#: Decimal places of a coordinate: a 100000-pixel image is still placed to a hundredth of a pixel.
DECIMALS = 7

_SCALE = 10**DECIMALS


def yolo_class_ids(table: ClassTable, keep_ids: bool = False) -> dict[int, int]:
    """The YOLO class id of each class index: by default the classes but background (0), void
    and the placeholders of ids no class takes (COCO's ids 12, 26, ...: :func:`is_unused`),
    numbered from 0 in table order (Ultralytics' own numbering, its COCO conversion's 80
    classes: no class the detection head never sees); with ``keep_ids``, the table's own
    indices (0, background, then unused)."""
    if keep_ids:
        return {entry.index: entry.index for entry in table.classes if entry.index < VOID}
    real = [entry.index for entry in table.classes if 0 < entry.index < VOID and not is_unused(entry.index, entry.name)]
    return {index: number for number, index in enumerate(real)}


def require_opencv() -> Any:
    """OpenCV, which fills a YOLO polygon as Ultralytics does.

    Raises:
        ExportError: it is not installed (saying how to install it).
    """
    return require_extra("cv2", "exporting to YOLO needs OpenCV, which reads the polygons back as Ultralytics does", "yolo", ExportError)


def pixel_polygon(points: NDArray[np.float64], width: int, height: int) -> NDArray[np.float64]:
    """The pixels a polygon's vertices (pixel-centre coordinates) lie in, clipped to the image
    (annotators drag corners past its edge; the format holds 0..1 only): the polygon a YOLO
    line holds for Ultralytics, which truncates what it reads to whole pixels."""
    last = np.array([width - 1, height - 1], dtype=np.float64)
    return np.minimum(np.maximum(np.floor(np.asarray(points, dtype=np.float64)), 0), last)  # np.clip, quicker


def yolo_line(category: int, points: NDArray[np.float64], width: int, height: int) -> str:
    """One label line for a polygon of pixel-centre ``points`` ``(N, 2)``, each written as the
    centre of the pixel it lies in (see :func:`pixel_polygon` and the module's description). A
    polygon of fewer than 3 points (a single pixel) repeats its last point to 3."""
    if len(points) < 3:
        points = np.concatenate([points, np.repeat(points[-1:], 3 - len(points), axis=0)])
    size = np.array([width, height], dtype=np.float64)
    # (pixel + 0.5) / size lies in 0..1 (never 1): its decimals as an integer, quicker to print
    digits = np.round((pixel_polygon(points, width, height) + 0.5) / size * _SCALE).astype(np.int64)
    # Printed all at once: 10**DECIMALS + digits has DECIMALS + 1 digits, the first a 1, so the
    # list's text "[1ddddddd, 1ddddddd]" becomes "0.ddddddd 0.ddddddd" by two string operations.
    shifted = np.minimum(digits.ravel(), _SCALE - 1) + _SCALE
    return f"{category} 0." + repr(shifted.tolist())[2:-1].replace(", 1", " 0.")


def fill_polygon(pixels: NDArray[np.float64], width: int, height: int) -> tuple[NDArray[np.bool_], tuple[int, int]]:
    """A polygon of whole-pixel vertices filled as Ultralytics fills what it reads (OpenCV's
    ``fillPoly``, outline included): the pixels of the box it covers, and that box's top-left
    pixel ``(x, y)``. Shifting whole-pixel vertices to the box shifts the fill with them."""
    cv2 = require_opencv()
    corners = pixels.astype(np.int32).reshape(-1, 1, 2)
    x, y, w, h = cv2.boundingRect(corners)
    canvas = np.zeros((h, w), dtype=np.uint8)
    cv2.fillPoly(canvas, [corners], 1, offset=(-x, -y))
    return canvas.view(bool), (x, y)


def parse_yolo_labels(text: str, source: str = "labels") -> list[tuple[int, NDArray[np.float64]]]:
    """The polygons of a label file, written from Ultralytics' description of the format: per
    line a class index (an integer from 0) and at least three ``x y`` pairs, each in 0..1.

    Raises:
        YoloLabelError: naming the line and what is wrong.
    """
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        fields = line.split()
        if not fields:
            continue
        if not fields[0].isdigit():
            raise YoloLabelError(f"{source}: line {number}: class {fields[0]!r} is not an integer from 0")
        try:
            values = np.array([float(v) for v in fields[1:]], dtype=np.float64)
        except ValueError:
            raise YoloLabelError(f"{source}: line {number}: coordinates must be numbers") from None
        if len(values) % 2 or len(values) < 6:
            raise YoloLabelError(f"{source}: line {number}: needs x y pairs of at least 3 points, got {len(values)} numbers")
        if not ((values >= 0) & (values <= 1)).all():
            raise YoloLabelError(f"{source}: line {number}: coordinates must lie in 0..1")
        found.append((int(fields[0]), values.reshape(-1, 2)))
    return found


def outer_contours(mask: NDArray[np.bool_]) -> tuple[list[NDArray[np.float64]], int]:
    """The outlines of a mask's parts (8-connected) through their boundary pixels' centres,
    straight runs as one edge, as OpenCV traces them (``findContours``), and how many holes
    the parts have. Filled by OpenCV, an outline gives back its part's pixels, holes filled."""
    cv2 = require_opencv()
    found, hierarchy = cv2.findContours(mask.astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return [], 0
    parents = hierarchy[0][:, 3]
    outer = [contour.reshape(-1, 2).astype(np.float64) for contour, parent in zip(found, parents) if parent < 0]
    return outer, int(np.count_nonzero(parents >= 0))


def simplify_outline(pixels: NDArray[np.float64], tolerance: float) -> NDArray[np.float64]:
    """A closed whole-pixel outline with the corners dropped that lie within ``tolerance``
    pixels of the line between the corners kept around them (Douglas and Peucker's rule, by
    OpenCV's ``approxPolyDP``, as :func:`labeltools.ops.outlines.simplify` does without it)."""
    simplified = require_opencv().approxPolyDP(pixels.astype(np.int32).reshape(-1, 1, 2), tolerance, True)
    return simplified.reshape(-1, 2).astype(np.float64)


def rasterise_polygons(polygons: Iterable[NDArray[np.float64]], width: int, height: int) -> NDArray[np.bool_]:
    """Normalised polygons drawn back on a ``(H, W)`` mask by Ultralytics' rule: scaled by the
    image size, truncated to whole pixels, filled by OpenCV with the outline included."""
    canvas = np.zeros((height, width), dtype=np.uint8)
    size = np.array([width, height], dtype=np.float64)
    loops = [np.trunc(points * size).astype(np.int32).reshape(-1, 1, 2) for points in polygons]
    for loop in loops:
        require_opencv().fillPoly(canvas, [loop], 1)
    return canvas.view(bool)


def join_parts(parts: Sequence[NDArray[np.float64]]) -> NDArray[np.float64]:
    """Closed polygons ``(N_i, 2)`` joined into one: from each part the walk goes to the next at
    the pair of their vertices nearest each other, around that part and on, and back the same
    way, so every part is traced once and each bridge twice in opposite directions (a bridge
    encloses nothing). Ultralytics joins the parts of a COCO object so."""
    loops = [np.asarray(part, dtype=np.float64) for part in parts]
    if len(loops) == 1:
        return loops[0]
    # Where each part meets the next: its exit vertex and the next part's entry vertex.
    exits: list[int] = []
    entries: list[int] = [0]
    for current, following in zip(loops, loops[1:]):
        distance = ((current[:, None, :] - following[None, :, :]) ** 2).sum(axis=-1)
        nearest = np.unravel_index(int(np.argmin(distance)), distance.shape)
        exits.append(int(nearest[0]))
        entries.append(int(nearest[1]))
    exits.append(entries[-1])  # the last part is walked round from its entry back to it
    # Part i, started at its entry: out along it to the exit, then (after the parts beyond)
    # on from the exit back round to the entry.
    outward, homeward = [], []
    for loop, entry, leave in zip(loops, entries, exits):  # noqa: B905 (equal lengths)
        walk = np.roll(loop, -entry, axis=0)
        walk = np.concatenate([walk, walk[:1]])  # closed: ends where it starts
        split = (leave - entry) % len(loop)
        outward.append(walk[: split + 1])
        homeward.append(walk[split:])
    return np.concatenate([*outward, *reversed(homeward)])


def data_yaml(names: dict[int, str], splits: Sequence[str]) -> str:
    """``data.yaml``: an image folder per split, relative to the file's own folder (no
    ``path:``, which Ultralytics would resolve against the working folder: without it the
    dataset root is where data.yaml lies, wherever the dataset is moved), and the class names
    by YOLO id. Ultralytics needs ``train`` and ``val``: a dataset without a val split
    validates on its train images."""
    folders = {split: f"images/{split}" for split in splits}
    folders.setdefault("val", folders.get("train", "images/train"))
    folders.setdefault("train", folders["val"])
    ordered = ["train", "val", *(split for split in splits if split not in ("train", "val"))]
    lines = [*(f"{split}: {folders[split]}" for split in ordered), "names:"]
    lines += [f"  {number}: {json.dumps(name, ensure_ascii=False)}" for number, name in sorted(names.items())]
    return "\n".join(lines) + "\n"
