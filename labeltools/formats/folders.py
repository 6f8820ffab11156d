"""Folders of label PNGs kept apart from their images, as mmsegmentation and ADE20K lay them out:
``ann_dir/<split>`` beside ``img_dir/<split>``, ``annotations/<split>`` beside ``images/<split>``,
a label and its image matched by stem.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from labeltools.core._types import PathLike
from labeltools.engine.storage import location

#: Where the images of a folder of labels lie by the layouts that keep them apart: ADE20K's
#: ``annotations/<split>`` beside ``images/<split>``, mmsegmentation's ``ann_dir`` beside ``img_dir``.
IMAGE_FOLDERS = {"annotations": "images", "ann_dir": "img_dir"}
#: The image files a folder of labels' images may be (mmsegmentation's usual ``img_suffix``es).
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


#: The endings of a folder of labels named after its images' folder, as CamVid's releases name
#: them: Kaggle's ``train_labels`` beside ``train``, SegNet's (and Datumaro's) ``trainannot``.
LABEL_FOLDER_ENDINGS = ("_labels", "annot")


def images_beside(labels: PathLike) -> tuple[Any | None, str]:
    """The images folder of a folder of labels laid out as ADE20K, mmsegmentation or CamVid lay
    them out (see :data:`IMAGE_FOLDERS` and :data:`LABEL_FOLDER_ENDINGS`), or the folder itself
    when JPEG images lie among the labels (Roboflow's mask export), and how it was found, for
    the user; ``(None, "")`` for none."""
    folder = location(labels)
    for level, parent in enumerate((folder, *folder.parents)):
        if parent.name in IMAGE_FOLDERS:
            images = parent.parent / IMAGE_FOLDERS[parent.name]
            inner = folder.relative_to(parent) if level else None
            images = images / inner if inner is not None else images
            if images.is_dir():
                return images, f"{images} (beside {parent.name}/, as ADE20K and mmsegmentation lay them out)"
            return None, ""
    for ending in LABEL_FOLDER_ENDINGS:
        if folder.name.endswith(ending) and len(folder.name) > len(ending):
            images = folder.parent / folder.name.removesuffix(ending)
            if images.is_dir():
                return images, f"{images} (beside {folder.name}/, as CamVid lays them out)"
    if any(folder.glob("*.jp*g")):  # Roboflow's mask export: each image beside its <stem>_mask.png
        return folder, f"{folder} (the JPEG images among the labels)"
    return None, ""


def stem_endings(labels: Iterable[str], images: Iterable[str]) -> tuple[str, str]:
    """The endings by which label and image stems pair when they are not equal, as
    ``(label ending, image ending)`` (mmsegmentation's ``seg_map_suffix`` and ``img_suffix``):
    every label adds one ending to its image's stem (CamVid's ``_L``, Roboflow's ``_mask``:
    ``("_L", "")``), or every label and every image adds one of its own to a shared stem
    (DeepGlobe's ``<n>_mask.png`` beside ``<n>_sat.jpg``: ``("_mask", "_sat")``); ``("", "")``
    when a label shares its image's stem, or no such endings pair any."""
    labels, images = set(labels), set(images)
    if not labels or labels & images:
        return "", ""
    endings = Counter(_ending(stem) for stem in labels if stem.rpartition("_")[0] in images)
    if endings:
        ending = endings.most_common(1)[0][0]
        return (ending, "") if all(stem.endswith(ending) for stem in labels) else ("", "")
    label_end, image_end = _shared_ending(labels), _shared_ending(images)
    if label_end and image_end and {s.removesuffix(label_end) for s in labels} & {s.removesuffix(image_end) for s in images}:
        return label_end, image_end
    return "", ""


def _ending(stem: str) -> str:
    """The last ``_``-part of a stem, with its ``_`` (``"_L"`` of ``0001TP_006690_L``)."""
    return "_" + stem.rpartition("_")[2]


def _shared_ending(stems: set[str]) -> str:
    """The ending every stem has (see :func:`_ending`), or ``""``."""
    endings = {_ending(stem) for stem in stems if "_" in stem}
    return endings.pop() if len(endings) == 1 and all("_" in stem for stem in stems) else ""
