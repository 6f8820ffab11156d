"""YOLO segmentation labels (the Ultralytics layout): ``labels/<split>/<id>.txt`` with one
``class x1 y1 x2 y2 ...`` line per polygon, coordinates normalised to 0..1, and ``data.yaml``.

Coordinates are pixel centres (pixel ``(x, y)`` is the point ``(x, y)``) divided by the image
width and height, rounded (never truncated) to :data:`DECIMALS` places.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw

from labeltools.core.classes import ClassTable
from labeltools.core.errors import YoloLabelError

#: Decimal places of a coordinate: a 100000-pixel image is still placed to a hundredth of a pixel.
DECIMALS = 7


def yolo_line(category: int, points: NDArray[np.float64], width: int, height: int) -> str:
    """One label line for a polygon of pixel-centre ``points`` ``(N, 2)``, clipped to the image
    (annotators drag corners past its edge; the format holds 0..1 only). A polygon of fewer than
    3 points (a single pixel, a one-pixel-wide line) repeats its last point to 3."""
    if len(points) < 3:
        points = np.concatenate([points, np.repeat(points[-1:], 3 - len(points), axis=0)])
    scaled = np.clip(np.round(points / np.array([width, height], dtype=np.float64), DECIMALS), 0.0, 1.0)
    return " ".join([str(category), *(f"{v:.{DECIMALS}f}".rstrip("0").rstrip(".") if v else "0" for v in scaled.ravel())])


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


def rasterise_polygons(polygons: Iterable[NDArray[np.float64]], width: int, height: int) -> NDArray[np.bool_]:
    """Normalised polygons drawn back on a ``(H, W)`` mask as labelme draws a polygon (filled,
    outline included), after scaling by the image size, to a ten-thousandth of a pixel (a
    coordinate rounded to :data:`DECIMALS` places may scale to 122.99999 for pixel 123)."""
    canvas = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(canvas)
    for points in polygons:
        xy = [(float(x), float(y)) for x, y in np.round(points * np.array([width, height]), 4).tolist()]
        draw.polygon(xy, fill=1, outline=1)
    return np.asarray(canvas, dtype=bool)


def data_yaml(table: ClassTable, splits: Sequence[str]) -> str:
    """``data.yaml``: the dataset root, an image folder per split and the class names by index
    (the indices of ``class_names.txt``; background is listed and never used). Ultralytics
    needs ``train`` and ``val``: a dataset without a val split validates on its train images."""
    folders = {split: f"images/{split}" for split in splits}
    folders.setdefault("val", folders.get("train", "images/train"))
    folders.setdefault("train", folders["val"])
    ordered = ["train", "val", *(split for split in splits if split not in ("train", "val"))]
    lines = ["path: .", *(f"{split}: {folders[split]}" for split in ordered), "names:"]
    lines += [f"  {entry.index}: {json.dumps(entry.name, ensure_ascii=False)}" for entry in table.classes]
    return "\n".join(lines) + "\n"
