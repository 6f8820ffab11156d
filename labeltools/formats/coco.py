"""COCO instance annotations: one JSON per split, each object a polygon or an RLE mask.

pycocotools compresses the RLE and reads back what was written (the round-trip check merges and
measures runs, no pixel is decoded); it is the ``coco`` extra, imported when an export runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw

from labeltools.core.classes import ClassTable
from labeltools.core.errors import ExportError, require_extra
from labeltools.core.files import json_text
from labeltools.core.options import VOID
from labeltools.core.version import __version__
from labeltools.engine.storage import atomic_write


def require_pycocotools() -> Any:
    """pycocotools' mask module.

    Raises:
        ExportError: pycocotools is not installed (saying how to install it).
    """
    return require_extra("pycocotools.mask", "exporting to COCO needs pycocotools", "coco", ExportError)


def categories(table: ClassTable) -> list[dict[str, Any]]:
    """COCO categories: every class but background (0), with its class index as ``id`` (so
    ids are those of ``class_names.txt``, stable across runs)."""
    return [
        {"id": entry.index, "name": entry.name, "supercategory": "object"}
        for entry in table.classes
        if 0 < entry.index < VOID
    ]


def encode_rle_dict(rle: Any) -> dict[str, Any]:
    """pycocotools' RLE as JSON holds it, ``{"size": [H, W], "counts": str}``."""
    return {"size": [int(v) for v in rle["size"]], "counts": rle["counts"].decode("ascii")}


def box_rle(mask: NDArray[np.bool_], offset: tuple[int, int], height: int, width: int) -> dict[str, Any]:
    """The compressed RLE, over the whole ``height`` x ``width`` image, of a mask given as the
    pixels of a box whose top-left pixel is ``offset`` ``(x, y)``.

    COCO counts runs down each column, so a run starts or ends wherever a pixel differs from
    the one above it (the box padded with an empty row above and below). Those changes are
    found along the box's rows, where the pixels lie in memory order, and sorted into the
    column order of the image: a small object costs little whatever the image size, and
    nothing is transposed. When the box spans the image's height, the change at the foot of a
    column and the one at the head of the next fall on the same pixel (two changes there are
    none).
    """
    x, y = offset
    box_height, box_width = mask.shape
    mask = np.asarray(mask, dtype=bool)
    if mask[0].any() or mask[-1].any():
        padded, first = np.zeros((box_height + 2, box_width), dtype=bool), y
        padded[1:-1] = mask
    else:  # its first and last rows are empty already (a box with room to spare)
        padded, first = mask, y + 1
    # Change r lies between rows r and r + 1 of padded: a run starts or ends at its row r + 1,
    # image row first + r (first: the image row of padded's row 1).
    rows, columns = np.divmod(np.flatnonzero(padded[1:] != padded[:-1]), box_width)
    changes = (columns + x) * height + (rows + first)
    changes.sort()
    if box_height == height:
        same = np.flatnonzero(changes[1:] == changes[:-1])
        changes = np.delete(changes, np.concatenate([same, same + 1]))
    bounds = np.empty(len(changes) + 2, np.int64)
    bounds[0], bounds[1:-1], bounds[-1] = 0, changes, height * width
    runs = (bounds[1:] - bounds[:-1]).tolist()
    if runs[-1] == 0:  # a change at the foot of the image's last column is no change
        runs.pop()
    return require_pycocotools().frPyObjects({"counts": runs, "size": [height, width]}, height, width)  # type: ignore[no-any-return]


def compare(written: Any, source: Any, source_area: int) -> tuple[dict[str, Any], int]:
    """IoU, and pixels lost and added, of a written segmentation's RLE against the source's
    (of ``source_area`` pixels), computed by pycocotools on the runs (nothing is decoded to
    pixels); and the written area. Equal runs are equal masks, with nothing to merge."""
    masks = require_pycocotools()
    written_area = int(masks.area(written))
    if written["counts"] == source["counts"]:
        both = source_area
    else:
        both = int(masks.area(masks.merge([written, source], intersect=True)))
    either = written_area + source_area - both
    check = {"iou": 1.0 if not either else both / either, "lost": source_area - both, "added": written_area - both}
    return check, written_area


def segmentation_rle(segmentation: Any, height: int, width: int) -> Any:
    """The RLE a COCO reader builds from a segmentation as written (polygons or compressed RLE)."""
    masks = require_pycocotools()
    if isinstance(segmentation, list):
        return masks.merge(masks.frPyObjects(segmentation, height, width))
    return {"size": segmentation["size"], "counts": segmentation["counts"].encode("ascii")}


def rounded_fill(segmentation: Sequence[Sequence[float]], height: int, width: int) -> Any:
    """The RLE of polygons as readers that fill them with OpenCV read them (supervision's COCO
    loader): vertices rounded to whole pixels, each polygon filled with its outline included,
    by Pillow here (COCO export needs no OpenCV; the two fills differ only where a slanted edge
    passes, which the agreement threshold leaves room for). Drawn on the box the polygons
    reach only."""
    loops = [np.round(np.asarray(loop, dtype=np.float64).reshape(-1, 2)) for loop in segmentation]
    corners = np.concatenate(loops)
    x0, y0 = (max(int(v), 0) for v in corners.min(axis=0))
    x1, y1 = min(int(corners[:, 0].max()) + 1, width), min(int(corners[:, 1].max()) + 1, height)
    if x0 >= x1 or y0 >= y1:
        return box_rle(np.zeros((1, 1), dtype=bool), (0, 0), height, width)
    canvas = Image.new("L", (x1 - x0, y1 - y0), 0)
    draw = ImageDraw.Draw(canvas)
    for loop in loops:
        draw.polygon([(x - x0, y - y0) for x, y in loop.tolist()], fill=1, outline=1)
    return box_rle(np.asarray(canvas, dtype=bool), (x0, y0), height, width)


def area(rle: Any) -> int:
    """The pixel area of an RLE."""
    return int(require_pycocotools().area(rle))


def box(rle: Any) -> list[float]:
    """The ``[x, y, w, h]`` box of an RLE, as pycocotools gives it."""
    return [float(v) for v in require_pycocotools().toBbox(rle)]


def polygons(outlines: Sequence[NDArray[Any]]) -> list[list[float]]:
    """Outlines (corner coordinates) as COCO polygons ``[[x1, y1, x2, y2, ...], ...]``; integer
    corners (pixel outlines) stay integers, which JSON writes shorter and quicker."""
    return [np.asarray(loop).ravel().tolist() for loop in outlines]


def annotation_text(annotation: dict[str, Any]) -> str:
    """An annotation (without ``id`` and ``image_id``) as compact JSON, for :func:`write_coco`:
    the workers that make annotations encode them, in parallel, and the one process that
    numbers them only joins text."""
    return _compact(annotation)


def _compact(value: Any) -> str:
    return json_text(value, separators=(",", ":"))


def write_coco(
    path: Any, images: list[dict[str, Any]], annotations: list[tuple[int, str]], table: ClassTable
) -> None:
    """Write a COCO instances document, atomically: ``images`` (with their ``id``), and each
    annotation as ``(image_id, annotation_text(...))``, numbered from 1 in that order. The
    JSON is compact (a dataset's file is read by programs, and indenting its coordinates would
    make it several times larger) UTF-8."""
    head = _compact({"description": "exported by labeltools", "version": __version__})
    parts = [f'{{"info":{head},"licenses":[],"images":{_compact(images)},"annotations":[']
    # An annotation's text is a non-empty object: "{" opens it, the numbers go first.
    parts.append(",".join(f'{{"id":{n},"image_id":{image},{text[1:]}' for n, (image, text) in enumerate(annotations, 1)))
    parts.append(f'],"categories":{_compact(categories(table))}}}\n')
    with atomic_write(path) as tmp:
        tmp.write_text("".join(parts), encoding="utf-8")
