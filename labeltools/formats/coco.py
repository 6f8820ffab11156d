"""COCO instance annotations: one JSON per split, each object a polygon or an RLE mask.

pycocotools compresses the RLE and reads back what was written (the round-trip check merges and
measures runs, no pixel is decoded); it is the ``coco`` extra, imported when an export runs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from labeltools.core.classes import ClassTable
from labeltools.core.errors import ExportError
from labeltools.core.options import VOID
from labeltools.core.version import __version__
from labeltools.engine.storage import atomic_write


def require_pycocotools() -> Any:
    """pycocotools' mask module.

    Raises:
        ExportError: pycocotools is not installed (saying how to install it).
    """
    try:
        from pycocotools import mask
    except ImportError:
        raise ExportError("exporting to COCO needs pycocotools: pip install 'labeltools[coco]'") from None
    return mask


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
    the one above it (the box has an empty row above and below). Those changes are found along
    the box's rows, where the pixels lie in memory order, and sorted into the column order of
    the image: a small object costs little whatever the image size, and nothing is transposed.
    When the box spans the image's height, the change at the foot of a column and the one at
    the head of the next fall on the same pixel (two changes there are none).
    """
    x, y = offset
    box_height, box_width = mask.shape
    mask = np.asarray(mask, dtype=bool)
    inside = np.flatnonzero(mask[1:] != mask[:-1])  # the pixel below each change is row // w + 1
    rows = np.concatenate([np.zeros(np.count_nonzero(mask[0]), np.int64), inside // box_width + 1,
                           np.full(np.count_nonzero(mask[-1]), box_height, np.int64)])  # fmt: skip
    columns = np.concatenate([np.flatnonzero(mask[0]), inside % box_width, np.flatnonzero(mask[-1])])
    changes = np.sort((x + columns) * height + (y + rows))
    if box_height == height:
        same = np.flatnonzero(changes[1:] == changes[:-1])
        changes = np.delete(changes, np.concatenate([same, same + 1]))
    if len(changes) and changes[-1] == height * width:  # the foot of the image's last column
        changes = changes[:-1]
    runs = np.diff(changes, prepend=0, append=height * width).tolist()
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


def area(rle: Any) -> int:
    """The pixel area of an RLE."""
    return int(require_pycocotools().area(rle))


def box(rle: Any) -> list[float]:
    """The ``[x, y, w, h]`` box of an RLE, as pycocotools gives it."""
    return [float(v) for v in require_pycocotools().toBbox(rle)]


def polygons(outlines: Sequence[NDArray[np.float64]]) -> list[list[float]]:
    """Outlines (corner coordinates) as COCO polygons ``[[x1, y1, x2, y2, ...], ...]``."""
    return [[float(v) for v in loop.ravel()] for loop in outlines]


def coco_document(
    images: list[dict[str, Any]], annotations: list[dict[str, Any]], table: ClassTable
) -> dict[str, Any]:
    """A COCO instances document."""

    return {
        "info": {"description": "exported by labeltools", "version": __version__},
        "licenses": [],
        "images": images,
        "annotations": annotations,
        "categories": categories(table),
    }


def write_coco(path: Any, document: dict[str, Any]) -> None:
    """Write a COCO document as compact UTF-8 JSON (a dataset's file is read by programs, and
    indenting its coordinates would make it several times larger), atomically."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    with atomic_write(path) as tmp:
        tmp.write_text(text + "\n", encoding="utf-8")
