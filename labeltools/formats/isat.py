"""ISAT's annotations (ISAT_with_segment_anything, the annotation tool built on segment anything)
-> the neutral annotation layer.

One JSON file per image: ``info`` (``description: "ISAT"``, the image's ``name``, ``width`` and
``height``, the ``folder`` it was annotated in) and ``objects``, each a ``category``, a
``segmentation`` polygon of ``[x, y]`` points, a ``group`` (the objects of one category and one
group are one instance, as ISAT's COCO converter joins them: an object hidden in several parts)
and a ``layer`` (objects are drawn in ascending layer, file order within one), as ISAT's own VOC
converter draws them: vertices truncated to whole pixels, filled by scikit-image's polygon (the
``"isat"`` fill rule). An ``iscrowd`` object is painted as its class, as that converter paints
it.

The classes are those of ``isat.yaml`` beside the files, in its order (its ``__background__``
is class 0, as the converter numbers them); a category it lacks is numbered after them.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from labeltools.core.annotations import (
    AnnotatedImage,
    AnnotatedObject,
    AnnotationExport,
    Geometry,
    SourceClass,
)
from labeltools.core.classes import BACKGROUND_NAME
from labeltools.core.errors import AnnotationError, require_extra, shown
from labeltools.engine.storage import is_url, location, read_bytes
from labeltools.formats.sources import BadObject, flat_pairs, hex_colour, image_candidates, image_size, is_number, polygons_array, read_json

#: The file beside ISAT's annotations that names its classes, in order, with their colours.
CLASSES_FILE = "isat.yaml"
#: ISAT's background category: class 0.
ISAT_BACKGROUND = "__background__"

_MARK = re.compile(rb'"description"\s*:\s*"ISAT"')


def is_isat_json(head: bytes) -> bool:
    """Whether the start of a JSON file is an ISAT annotation's (its ``info`` says ``ISAT``)."""
    return _MARK.search(head) is not None


def read_isat(path: Any, images_dir: Path | None = None) -> AnnotationExport:
    """Read one ISAT annotation file and the classes of the ``isat.yaml`` beside it (see
    :func:`parse_isat`).

    Raises:
        AnnotationError: the file is not an ISAT annotation, or its ``isat.yaml`` cannot be read.
    """
    path = location(path)
    return parse_isat(read_json(path), path, images_dir, isat_classes(path.parent))


def isat_classes(folder: Any) -> tuple[SourceClass, ...]:
    """The classes of the ``isat.yaml`` in ``folder``, in its order, each with its colour and
    its line's number as its id (ISAT's ``__background__`` left out: it is class 0); empty
    when there is none.

    Raises:
        AnnotationError: a file that is no list of classes (``label:`` entries of ``name`` and ``color``).
    """
    path = location(folder) / CLASSES_FILE
    if not path.is_file():
        return ()
    if is_url(str(path)):
        return _parse_classes(str(path), read_bytes(path, AnnotationError))
    stat = path.stat()
    return _cached_classes(str(path), (stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=8)
def _cached_classes(path: str, stamp: tuple[Any, Any]) -> tuple[SourceClass, ...]:
    """One ``isat.yaml`` read once while it is unchanged (``stamp``: its time and size): every
    annotation file beside it asks for it."""
    return _parse_classes(path, read_bytes(location(path), AnnotationError))


def _parse_classes(path: str, data: bytes) -> tuple[SourceClass, ...]:
    yaml = require_extra("yaml", f"{path}: reading ISAT's class list needs PyYAML", "isat", AnnotationError)
    try:
        doc = yaml.load(data, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise AnnotationError(f"{path}: not valid YAML ({' '.join(str(exc).split())})") from None
    labels = doc.get("label") if isinstance(doc, dict) else None
    if not isinstance(labels, list):
        raise AnnotationError(f"{path}: not ISAT's class list (it needs a 'label' list of name and color entries)")
    classes = []
    for n, entry in enumerate(labels):
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name:
            raise AnnotationError(f"{path}: label[{n}] needs a name, got {shown(entry)}")
        if name == ISAT_BACKGROUND:
            continue
        classes.append(SourceClass(name, n, hex_colour(entry.get("color"))))
    return tuple(classes)


def parse_isat(doc: Any, path: Path, images_dir: Path | None = None, classes: tuple[SourceClass, ...] = ()) -> AnnotationExport:
    """One ISAT document as a record (a bad object fails the image alone).

    Raises:
        AnnotationError: the document is not an ISAT annotation.
    """
    info = doc.get("info") if isinstance(doc, dict) else None
    if not isinstance(info, dict) or info.get("description") != "ISAT" or not isinstance(doc.get("objects"), list):
        raise AnnotationError(f"{path}: not an ISAT annotation (it needs an 'info' of description ISAT and an 'objects' list)")
    name = info.get("name")
    if not isinstance(name, str) or not name.strip():
        raise AnnotationError(f"{path}: info.name must name the image, got {shown(name)}")
    objects = []
    height = width = None
    problem = None
    try:
        height, width = image_size(info.get("height"), info.get("width"), "info's height x width")
        kept: list[tuple[str, str, Any, float, list[Any]]] = []  # category, place, group, layer, flat points
        for n, raw in enumerate(doc["objects"]):
            what = f"objects[{n}]"
            if not isinstance(raw, dict):
                raise BadObject(f"{what} must be an object, got {shown(raw)}")
            category = raw.get("category")
            if not isinstance(category, str) or not category:
                raise BadObject(f"{what}: 'category' must be a non-empty string, got {shown(category)}")
            what = f"{what} (category {shown(category)})"
            points = flat_pairs(raw.get("segmentation"), f"{what}: 'segmentation'")
            layer = raw.get("layer", 2)  # as ISAT reads an object without one
            if not is_number(layer):
                raise BadObject(f"{what}: 'layer' must be a number, got {shown(layer)}")
            group = raw.get("group")
            if group is not None and group != "" and (isinstance(group, bool) or not isinstance(group, int)):
                raise BadObject(f"{what}: 'group' must be a whole number, got {shown(group)}")
            kept.append((category, what, 0 if group is None else group, float(layer), points))
        layers = {layer: rank for rank, layer in enumerate(sorted({k[3] for k in kept}))}

        def named(i: int) -> str:
            return f"{kept[i][1]}.segmentation"

        for (category, what, group, layer, _), polygon in zip(kept, polygons_array([k[4] for k in kept], named, 3)):
            label = BACKGROUND_NAME if category == ISAT_BACKGROUND else category
            objects.append(AnnotatedObject(label, (Geometry("polygon", polygon),), what, instance=group, z_order=layers[layer]))
    except BadObject as exc:
        problem = f"{path}: {exc}"
    folders = [path.parent]
    folder = info.get("folder")
    if isinstance(folder, str) and folder.strip() and not is_url(folder):
        folders.append(Path(folder))  # where it was annotated: the images may still be there
    record = AnnotatedImage(
        source=str(path), annotation_file=str(path), image=name, candidates=image_candidates(name, folders, images_dir),
        height=height, width=width, objects=tuple(objects), fill="isat", problem=problem,
    )  # fmt: skip
    return AnnotationExport(str(path), (record,), classes)
