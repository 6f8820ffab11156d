"""Datumaro's own format (``datumaro``, CVAT's "Datumaro 1.0" export) -> the neutral layer.

One JSON file per subset, ``annotations/<subset>.json``: ``categories.label.labels`` names the
classes (an annotation's ``label_id`` is an index into it) and ``items`` the images, each with
``image.path`` (under ``images/<subset>/``), ``image.size`` (``[height, width]``; left out by
Datumaro where it did not load the image, as in a conversion of a VOC dataset: the image's own
size then) and its
``annotations``: ``polygon`` and ``polyline`` (flat ``points``), ``points``, ``bbox``
(``[x, y, w, h]``, turned by a ``rotation`` attribute as CVAT writes it), ``ellipse`` (the
corners of its box), ``mask`` (a COCO RLE of the image), each with ``group`` and ``z_order``.

Its shapes are CVAT's (CVAT writes the format from a task): filled as CVAT's "Segmentation
mask" export fills them, run by Datumaro (pycocotools' rule, boxes and masks painted, a group
one object, ascending z order), so the label maps equal that pipeline's of the same file, in
the tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from labeltools.core.annotations import AnnotatedImage, AnnotatedObject, AnnotationExport, Geometry, SourceClass
from labeltools.core.errors import AnnotationError, shown
from labeltools.engine.storage import location
from labeltools.formats.coco import coco_segmentation
from labeltools.formats.cvat import box_geometry, ellipse_geometry, shapes_record
from labeltools.formats.sources import BadObject, image_candidates, image_size, number, points_array, read_json

#: The annotation types that paint pixels or are kept for exports; the others (``label``,
#: ``caption``, ``cuboid_3d``, skeletons...) are counted and left out.
SHAPES = ("polygon", "polyline", "points", "bbox", "ellipse", "mask")


def is_datumaro_json(head: bytes) -> bool:
    """True when the start of a JSON file looks like Datumaro's format (its version first, or
    an ``items`` list beside ``categories`` keyed by annotation type)."""
    return b'"dm_format_version"' in head or (b'"items"' in head and b'"categories"' in head and b'"label"' in head and b'"images"' not in head)


def read_datumaro(path: Any, images_dir: Path | None = None) -> AnnotationExport:
    """Read one subset's file of a Datumaro export (see the module docs), one record per item.

    Raises:
        AnnotationError: not valid JSON, or not a Datumaro file (``items`` and ``categories``).
    """
    path = location(path)
    return parse_datumaro(read_json(path), path, images_dir)


def parse_datumaro(doc: Any, path: Path, images_dir: Path | None = None) -> AnnotationExport:
    """One subset's Datumaro document as records (see :func:`read_datumaro`): a bad annotation
    fails its image alone."""
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list) or not isinstance(doc.get("categories"), dict):
        raise AnnotationError(f"{path}: not a Datumaro export file (it needs an 'items' list and a 'categories' object)")
    labels = _labels(doc["categories"], path)
    colours = _colours(doc["categories"], len(labels))
    subset = path.stem
    folders = [path.parent.parent / "images" / subset, path.parent.parent / "images", path.parent]
    records = []
    for n, item in enumerate(doc["items"]):
        where = f"{path}: item {shown(item.get('id'))} (items[{n}])" if isinstance(item, dict) else f"{path}: items[{n}]"
        image = item.get("image") if isinstance(item, dict) else None
        reference = image.get("path") if isinstance(image, dict) else None
        name = reference if isinstance(reference, str) else ""
        records.append(_record(path, where, name, image_candidates(name, folders, images_dir) if name else (), item, labels, subset))
    return AnnotationExport(str(path), tuple(records), tuple(SourceClass(label, color=colours.get(n)) for n, label in enumerate(labels)))


def _labels(categories: dict[str, Any], path: Path) -> list[str]:
    """The label names of ``categories.label.labels``, in id order."""
    listed = categories.get("label", {}).get("labels", []) if isinstance(categories.get("label"), dict) else None
    if not isinstance(listed, list) or not all(isinstance(e, dict) and isinstance(e.get("name"), str) for e in listed):
        raise AnnotationError(f"{path}: categories.label.labels must list labels, each with a 'name'")
    return [entry["name"] for entry in listed]


def _colours(categories: dict[str, Any], count: int) -> dict[int, tuple[int, int, int]]:
    """The labels' colours by id, from ``categories.mask.colormap`` where the export keeps one
    (entries that are not a label id and three values 0..255 are passed over)."""
    listed = categories.get("mask", {}).get("colormap", []) if isinstance(categories.get("mask"), dict) else []
    found: dict[int, tuple[int, int, int]] = {}
    for entry in listed if isinstance(listed, list) else []:
        if not isinstance(entry, dict):
            continue
        label = entry.get("label_id")
        if isinstance(label, int) and 0 <= label < count and all(isinstance(entry.get(key), int) and 0 <= entry[key] <= 255 for key in "rgb"):
            found[label] = (entry["r"], entry["g"], entry["b"])
    return found


def _record(
    path: Path, where: str, name: str, candidates: tuple[str, ...], item: Any, labels: list[str], subset: str
) -> AnnotatedImage:
    objects: list[AnnotatedObject] = []
    warnings: list[str] = []
    problem = None
    height = width = None
    others: dict[str, int] = {}
    lines = unlabelled = 0
    try:
        if not name:
            raise BadObject("has no image.path")
        size = item["image"].get("size")
        if size is not None and not (isinstance(size, list) and len(size) == 2):
            raise BadObject(f"image.size must be [height, width], got {shown(size)}")
        if size is not None:  # else the image's own, when it is read
            height, width = image_size(size[0], size[1])
        annotations = item.get("annotations", [])
        if not isinstance(annotations, list):
            raise BadObject(f"annotations must be a list, got {shown(annotations)}")
        for m, ann in enumerate(annotations):
            what = f"annotations[{m}]"
            if not isinstance(ann, dict):
                raise BadObject(f"{what} must be an object, got {shown(ann)}")
            kind = ann.get("type")
            if kind not in SHAPES:
                others[str(kind)] = others.get(str(kind), 0) + 1
                continue
            label_id = ann.get("label_id")
            if label_id is None:
                unlabelled += 1
                continue
            if not isinstance(label_id, int) or isinstance(label_id, bool) or not 0 <= label_id < len(labels):
                raise BadObject(f"{what}: label_id {shown(label_id)} is none of the {len(labels)} labels' ids")
            what = f"{what} ({kind}, label {shown(labels[label_id])})"
            parts = _parts(ann, kind, what, height, width, warnings)
            lines += kind in ("polyline", "points")
            z_order, group = (_whole(ann.get(key), f"{what}: {key}") for key in ("z_order", "group"))
            objects.append(AnnotatedObject(labels[label_id], tuple(parts), what, group or None, z_order))
    except BadObject as exc:
        problem = f"{where}: {exc}"
    left_out = [f"{count} {shown(kind)} annotation(s) left out (no area in a label map)" for kind, count in others.items()]
    return shapes_record(path, where, name, candidates, (height, width), objects, warnings, problem, subset, (lines, unlabelled, left_out))


def _parts(ann: dict[str, Any], kind: str, what: str, height: int | None, width: int | None, warnings: list[str]) -> list[Geometry]:
    """The geometry of one annotation (see :data:`SHAPES`)."""
    if kind == "mask":
        return coco_segmentation(ann.get("rle"), f"{what}.rle", height, width, warnings)
    attributes = ann.get("attributes")
    turn = attributes.get("rotation") if isinstance(attributes, dict) else None
    angle = number(turn, f"{what}.attributes.rotation") if turn else None
    if kind == "bbox":
        box = ann.get("bbox")
        if not (isinstance(box, list) and len(box) == 4):
            raise BadObject(f"{what}: bbox must be [x, y, w, h], got {shown(box)}")
        x, y, w, h = (number(v, f"{what}.bbox") for v in box)
        return [box_geometry(x, y, w, h, angle)]
    raw = ann.get("points")
    if not isinstance(raw, list):
        raise BadObject(f"{what}: points must be a list of numbers, got {shown(raw)}")
    points = points_array(raw, f"{what}.points", 3 if kind == "polygon" else 2 if kind == "ellipse" else 1)
    if kind == "ellipse":  # the corners of its box
        (x0, y0), (x1, y1) = points[:2]
        return [ellipse_geometry((x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2, angle)]
    return [Geometry("polygon" if kind == "polygon" else "line" if kind == "polyline" else "points", np.asarray(points))]


def _whole(raw: Any, what: str) -> int:
    """A whole-number field (absent: 0), or BadObject naming ``what``."""
    if raw is None:
        return 0
    if not isinstance(raw, int) or isinstance(raw, bool):
        raise BadObject(f"{what} must be a whole number, got {shown(raw)}")
    return raw
