"""CVAT's "Segmentation mask 1.1" export (Datumaro's ``voc_segmentation``): a VOC folder whose
``SegmentationClass/<id>.png`` are RGB colour masks in the colours of its ``labelmap.txt``
(``name:r,g,b:parts:actions``, line ``i`` class ``i``, as Datumaro's importer numbers them),
``SegmentationObject/<id>.png`` each instance in the VOC colormap's colour of its number, the
images in ``JPEGImages/`` and the subsets' lists in ``ImageSets/Segmentation/<subset>.txt``.

Each mask becomes one record of the neutral layer (:mod:`labeltools.core.annotations`): an
object per class colour (per class and instance where the instance masks are there), painted as
the mask is, exactly; a colour the label map lacks is a region of void, named in a warning. A
folder without ``labelmap.txt`` is in PASCAL VOC's colours and classes, as Datumaro reads it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from labeltools.core.annotations import AnnotatedImage, AnnotatedObject, AnnotationExport, Geometry, SourceClass
from labeltools.core.classes import ClassTable
from labeltools.core.colormap import colour_keys, voc_colormap
from labeltools.core.errors import AnnotationError, ClassTableError, LabeltoolsError
from labeltools.engine.storage import list_files, location
from labeltools.formats.labels import open_image
from labeltools.formats.voc import (
    COLOUR_MASK_MODES,
    IMAGE_EXTENSIONS,
    IMAGES_DIR,
    LABELMAP_FILE,
    LABELS_DIR,
    OBJECTS_DIR,
    available_splits,
    read_split,
)


def mask_files(folder: Any) -> list[Path]:
    """The class masks of an export folder, sorted."""
    return list_files(location(folder) / LABELS_DIR, (".png",))


def export_root(mask: Any) -> Path:
    """The export folder of one of its class masks (``<root>/SegmentationClass/<id>.png``)."""
    return location(mask).parent.parent


def subset_lists(folder: Any) -> dict[str, str]:
    """Each listed id's subset (``ImageSets/Segmentation/<subset>.txt``; the first list naming an
    id wins, in name order).

    Raises:
        DatasetError: a list that cannot be read.
    """
    subsets: dict[str, str] = {}
    for name in available_splits(folder):
        for image_id in read_split(folder, name):
            subsets.setdefault(image_id, name)
    return subsets


def mask_table(folder: Any) -> ClassTable:
    """The classes of an export folder: its ``labelmap.txt``, else PASCAL VOC's.

    Raises:
        ClassTableError: a label map that cannot be read.
    """
    labelmap = location(folder) / LABELMAP_FILE
    return ClassTable.load(labelmap) if labelmap.is_file() else ClassTable.preset("voc")


def mask_classes(table: ClassTable) -> tuple[SourceClass, ...]:
    """The classes an export folder's table (see :func:`mask_table`) declares, with their ids and colours."""
    return tuple(SourceClass(entry.name, entry.index, entry.color) for entry in table)


def read_mask_export(path: Any, images_dir: Path | None = None) -> AnnotationExport:
    """One class mask of an export as a record (see the module docs); ``images_dir`` is looked
    in first for its image.

    Raises:
        AnnotationError: the mask, its label map or its instance mask cannot be read, or they
            are not a colour mask of one size.
    """
    path = location(path)
    root = export_root(path)
    image_id = path.stem
    try:
        table = mask_table(root)
    except ClassTableError as exc:
        raise AnnotationError(str(exc)) from None
    colours = colour_keys(_read_colours(path, "class mask"))
    height, width = colours.shape
    objects_path = root / OBJECTS_DIR / path.name
    instances = None
    if objects_path.is_file():
        instance_colours = _read_colours(objects_path, "instance mask")
        if instance_colours.shape[:2] != (height, width):
            raise AnnotationError(f"{objects_path}: is {instance_colours.shape[1]}x{instance_colours.shape[0]}, its class mask {path} {width}x{height}")
        instances = _instance_numbers(colour_keys(instance_colours))
    coloured = [entry for entry in table if entry.color is not None]
    named = dict(zip(colour_keys(np.array([e.color for e in coloured], np.uint8).reshape(1, -1, 3))[0].tolist(), coloured))
    keys = colours.astype(np.int64) * 256 + (instances if instances is not None else 0)
    objects: list[AnnotatedObject] = []
    unknown: dict[int, int] = {}  # colour -> pixels
    for key in np.unique(keys).tolist():
        colour, number = divmod(int(key), 256)
        entry = named.get(colour)
        if entry is not None and entry.index == 0:
            continue  # class 0 is where no object is
        region = keys == key
        if entry is None:
            unknown[colour] = unknown.get(colour, 0) + int(np.count_nonzero(region))
        part = Geometry.of_region(region)
        label = entry.name if entry is not None else _hex(colour)
        instance = number if instances is not None and 0 < number < 255 else None
        objects.append(AnnotatedObject(label, (part,), f"colour {_hex(colour)}", instance=instance, crowd=entry is None))
    warnings: tuple[str, ...] = ()
    if unknown:
        listed = ", ".join(f"{_hex(c)} x {n}" for c, n in sorted(unknown.items(), key=lambda item: -item[1])[:5])
        warnings = (f"{sum(unknown.values())} pixel(s) of colours {table.source} lacks became 255 ({listed})",)
    record = AnnotatedImage(
        source=str(path), annotation_file=str(path), image=image_id, candidates=_image_candidates(root, image_id, images_dir),
        height=height, width=width, objects=tuple(objects), fill="pycocotools", warnings=warnings,
    )  # fmt: skip
    return AnnotationExport(str(path), (record,), mask_classes(table))


def _read_colours(path: Path, what: str) -> NDArray[np.uint8]:
    """An RGB mask's ``(H, W, 3)`` pixels.

    Raises:
        AnnotationError: unreadable, or not a colour image.
    """
    try:
        with open_image(path, AnnotationError, what) as image:
            if image.mode not in COLOUR_MASK_MODES:
                raise AnnotationError(f"{path}: is an image of mode {image.mode}, not a colour mask (RGB)")
            return np.asarray(image.convert("RGB"))
    except LabeltoolsError as exc:
        raise AnnotationError(str(exc)) from None


def _hex(key: int) -> str:
    return f"#{key:06x}"


def _instance_numbers(keys: NDArray[np.int64]) -> NDArray[np.int64]:
    """Each pixel's instance number from its VOC colormap colour (0 where it is none, 255 for
    the colour of void)."""
    lookup = {int(key): n for n, key in enumerate(colour_keys(voc_colormap(256)[None])[0])}
    found, inverse = np.unique(keys, return_inverse=True)
    numbers = np.array([lookup.get(int(key), 0) for key in found], dtype=np.int64)
    return numbers[inverse].reshape(keys.shape)


def _image_candidates(root: Path, image_id: str, images_dir: Path | None) -> tuple[str, ...]:
    """``images_dir/<id>.<ext>``, then ``JPEGImages/<id>.<ext>`` of the export (Datumaro saves
    the images there with their own extension)."""
    folders = ([images_dir] if images_dir is not None else []) + [root / IMAGES_DIR]
    return tuple(str(folder / f"{image_id}{ext}") for folder in folders for ext in IMAGE_EXTENSIONS)
