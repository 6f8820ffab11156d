"""COCO instance annotations: one JSON per split, each object a polygon or an RLE mask.

pycocotools does the RLE encoding and the decoding of what was written (the round-trip check);
it is the ``coco`` extra, imported when an export to COCO runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from labeltools.core.classes import ClassTable
from labeltools.core.errors import ExportError
from labeltools.core.options import VOID


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


def encode_rle(mask: NDArray[np.bool_]) -> dict[str, Any]:
    """A ``(H, W)`` bool mask as COCO's compressed RLE, ``{"size": [H, W], "counts": str}``."""
    rle = require_pycocotools().encode(np.asfortranarray(mask, dtype=np.uint8))
    return {"size": [int(v) for v in rle["size"]], "counts": rle["counts"].decode("ascii")}


def _rles(segmentation: Any, height: int, width: int) -> Any:
    masks = require_pycocotools()
    if isinstance(segmentation, list):
        return masks.merge(masks.frPyObjects(segmentation, height, width))
    return {"size": segmentation["size"], "counts": segmentation["counts"].encode("ascii")}


def decode_segmentation(segmentation: Any, height: int, width: int) -> NDArray[np.bool_]:
    """The mask a COCO reader gets from a segmentation (polygons or compressed RLE), as
    pycocotools' ``annToMask`` decodes it."""
    return np.asarray(require_pycocotools().decode(_rles(segmentation, height, width)), dtype=bool)


def area_and_box(segmentation: Any, height: int, width: int) -> tuple[int, list[float]]:
    """The pixel area and ``[x, y, w, h]`` box of a segmentation, as pycocotools gives them."""
    masks = require_pycocotools()
    rle = _rles(segmentation, height, width)
    return int(masks.area(rle)), [float(v) for v in masks.toBbox(rle)]


def polygons(outlines: Sequence[NDArray[np.float64]]) -> list[list[float]]:
    """Outlines (corner coordinates) as COCO polygons ``[[x1, y1, x2, y2, ...], ...]``."""
    return [[float(v) for v in loop.ravel()] for loop in outlines]


def coco_document(
    images: list[dict[str, Any]], annotations: list[dict[str, Any]], table: ClassTable
) -> dict[str, Any]:
    """A COCO instances document."""
    from labeltools.core.version import __version__

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
    import json

    from labeltools.engine.storage import atomic_write

    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    with atomic_write(path) as tmp:
        tmp.write_text(text + "\n", encoding="utf-8")
