"""Folders of label PNGs kept apart from their images, as mmsegmentation, ADE20K and the datasets
people download lay them out: ``ann_dir/<split>`` beside ``img_dir/<split>``,
``annotations/<split>`` beside ``images/<split>``, ``masks/`` beside ``images/``, a label and its
image matched by stem.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from labeltools.core._types import PathLike
from labeltools.core.errors import DatasetError
from labeltools.engine.storage import list_files, location
from labeltools.formats.labels import open_image

#: The words a folder of labels is named by where its images' folder beside it is named by
#: another (``annotations/`` beside ``images/``), each with the words that folder may take, the
#: likeliest first: ADE20K's and COCO's ``annotations`` beside ``images``, mmsegmentation's
#: ``ann_dir`` beside ``img_dir``, Kaggle's ``masks`` beside ``images`` (``imgs`` in
#: Pytorch-UNet's ``data/``), LoveDA's ``masks_png`` beside ``images_png``, FiftyOne's
#: segmentation directory's ``labels`` beside ``data``. A word is a whole name or one of its
#: ``_``/``-`` parts, matched in any case and replaced in the case it is written in.
IMAGE_WORDS = {
    "annotations": ("images",),
    "ann": ("img",),
    "masks": ("images", "imgs"),
    "mask": ("image", "images", "img"),
    "labels": ("images", "data"),
    "label": ("image", "images"),
}
#: The image files a folder of labels' images may be (mmsegmentation's usual ``img_suffix``es).
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


#: The endings of a folder of labels named after its images' folder, as CamVid's releases name
#: them: Kaggle's ``train_labels`` beside ``train``, SegNet's (and Datumaro's) ``trainannot``.
LABEL_FOLDER_ENDINGS = ("_labels", "annot")


#: The lossless image files masks come in besides PNG (Carvana's and DRIVE's GIFs, ISPRS' and
#: Inria's TIFFs): colorize and remap read them; the other commands read label PNGs alone.
OTHER_MASK_SUFFIXES = (".gif", ".tif", ".tiff", ".bmp")


def other_masks_hint(folder: PathLike) -> str:
    """What to do with a folder of masks in another format than PNG (see
    :data:`OTHER_MASK_SUFFIXES`), or of grey JPEG masks (Kvasir-SEG's), to follow an error that
    found no label PNG in it; ``""`` when it holds none."""
    where = location(folder)
    if not where.is_dir():
        return ""
    masks = list_files(where, OTHER_MASK_SUFFIXES)
    if masks:
        kinds = "/".join(sorted({path.suffix.lower() for path in masks}))
        return (
            f"; it holds {len(masks)} {kinds} mask(s), and label files are PNGs: labeltools colorize {folder} -d LABELS "
            "writes masks of class indices as label PNGs (remap --index-map 0:0,255:1 masks of 0 and 255)"
        )
    jpegs = list_files(where, (".jpg", ".jpeg"))
    if jpegs and _is_grey(jpegs[0]):
        return (
            f"; it holds {len(jpegs)} JPEG image(s), grey as masks are ({jpegs[0].name}), and label files are PNGs: "
            f"labeltools remap {folder} --index-map 0-127:0,128-255:1 -d LABELS reads masks of 0 and 255 "
            "(JPEG shifts values near the edges)"
        )
    return ""


def _is_grey(path: Any) -> bool:
    """Whether an image is grey: one channel, or three equal ones (a grey mask saved as RGB);
    False when it cannot be read (the caller only hints)."""
    try:
        with open_image(path, DatasetError) as image:
            if image.mode in ("L", "1"):
                return True
            if image.mode != "RGB":
                return False
            red, green, blue = image.split()
            return red.tobytes() == green.tobytes() == blue.tobytes()
    except DatasetError:
        return False


def images_beside(labels: PathLike) -> tuple[Any | None, str]:
    """The images folder of a folder of labels laid out as the datasets people download lay
    them out, or ``(None, "")``, with how it was found, for the user: beside the folder or one
    above it by :data:`IMAGE_WORDS` (``masks/train`` beside ``images/train``, ``train/masks``
    beside ``train/images``), beside it by :data:`LABEL_FOLDER_ENDINGS` (CamVid's), or the
    folder itself when JPEG images lie among the labels (Roboflow's mask export)."""
    folder = location(labels)
    for level, parent in enumerate((folder, *folder.parents)):
        inner = folder.relative_to(parent) if level else None
        for name in _image_folder_names(parent.name):
            images = parent.parent / name
            images = images / inner if inner is not None else images
            if images.is_dir():
                return images, f"{images} (beside {parent.name}/)"
    for ending in LABEL_FOLDER_ENDINGS:
        if folder.name.endswith(ending) and len(folder.name) > len(ending):
            images = folder.parent / folder.name.removesuffix(ending)
            if images.is_dir():
                return images, f"{images} (beside {folder.name}/, as CamVid lays them out)"
    if any(folder.glob("*.jp*g")):  # Roboflow's mask export: each image beside its <stem>_mask.png
        return folder, f"{folder} (the JPEG images among the labels)"
    return None, ""


def _image_folder_names(name: str) -> Iterator[str]:
    """The names of the images' folder beside a folder of labels named ``name`` (see
    :data:`IMAGE_WORDS`): ``Masks`` gives ``Images`` and ``Imgs``, ``masks_png`` ``images_png``."""
    parts = re.split(r"([_-])", name)
    for i, part in enumerate(parts):
        for word in IMAGE_WORDS.get(part.lower(), ()):
            cased = word.upper() if part.isupper() and len(part) > 1 else word.capitalize() if part[:1].isupper() else word
            yield "".join([*parts[:i], cased, *parts[i + 1 :]])


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
