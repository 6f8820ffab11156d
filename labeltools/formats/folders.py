"""Folders of label PNGs kept apart from their images, as mmsegmentation, ADE20K and the datasets
people download lay them out: ``ann_dir/<split>`` beside ``img_dir/<split>``,
``annotations/<split>`` beside ``images/<split>``, ``masks/`` beside ``images/``, a label and its
image matched by stem.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from labeltools.core._types import PathLike
from labeltools.core.errors import DatasetError, shell_word
from labeltools.core.files import read_small_text
from labeltools.engine.storage import composed, list_files, location
from labeltools.formats.hub import hub_card, hub_files
from labeltools.formats.labels import ARRAY_SUFFIX, NOT_PNG, open_image
from labeltools.formats.sbd import sbd_hint
from labeltools.formats.sources import open_images_said

#: The words a folder of labels is named by where its images' folder beside it is named by
#: another (``annotations/`` beside ``images/``), each with the words that folder may take, the
#: likeliest first: ADE20K's and COCO's ``annotations`` beside ``images``, mmsegmentation's
#: ``ann_dir`` beside ``img_dir``, Kaggle's ``masks`` beside ``images`` (``imgs`` in
#: Pytorch-UNet's ``data/``), LoveDA's ``masks_png`` beside ``images_png``, FiftyOne's
#: segmentation directory's ``labels`` beside ``data``, KITTI's ``semantic`` beside ``image_2``,
#: CVC-ClinicDB's ``Ground Truth`` beside ``Original``.
#: A word is a whole name or one of its ``_``/``-`` parts, matched in any case and replaced in
#: the case it is written in.
IMAGE_WORDS = {
    "annotations": ("images",),
    "ann": ("img",),
    "masks": ("images", "imgs"),
    "mask": ("image", "images", "img"),
    "labels": ("images", "data"),
    "label": ("image", "images"),
    "semantic": ("image_2", "images"),
    "ground truth": ("original", "images"),
}
#: The words of :data:`IMAGE_WORDS` that say a folder holds labels as its own name only, not as
#: a folder's above it (A2D2's ``camera_lidar_semantic/`` holds its photos too).
OWN_NAME_WORDS = frozenset({"semantic"})
#: The endings of a folder holding the colour rendering of the folder of masks beside it named
#: without them (KITTI's ``semantic_rgb`` of ``semantic``), not read where that folder is.
RENDERING_ENDINGS = ("_rgb", "_color", "_colour")
#: The image files a folder of labels' images may be (mmsegmentation's usual ``img_suffix``es;
#: aerial and satellite datasets' TIFFs, Massachusetts Roads' ``.tiff``).
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp")


#: The endings of a folder of labels named after its images' folder, as CamVid's releases name
#: them: Kaggle's ``train_labels`` beside ``train``, SegNet's (and Datumaro's) ``trainannot``,
#: Carvana's ``train_masks``.
LABEL_FOLDER_ENDINGS = ("_labels", "annot", "_masks")


#: The lossless image files masks come in besides PNG (Carvana's and DRIVE's GIFs, ISPRS' and
#: Inria's TIFFs): colorize and remap read them; the other commands read label PNGs alone.
OTHER_MASK_SUFFIXES = (".gif", ".tif", ".tiff", ".bmp")


def not_a_folder(given: PathLike, what: str = "") -> str:
    """Why ``given`` is no folder where one was asked for (``what`` it was to hold, as
    `` (the predictions to score)``), in words: none of that name, or a file (a zip archive
    named as one, with the way to read it)."""
    if not location(given).exists():
        return f"{given}: no such folder{what}"
    return f"{given}: a file, not a folder{what}{other_masks_hint(given)}"


#: The endings of tar archives, as PASCAL VOC (``VOCtrainval_11-May-2012.tar``) and SBD
#: (``benchmark.tgz``) are downloaded.
TAR_ENDINGS = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")


def tar_said(path: Any) -> str:
    """The way to read a tar archive given as a folder (``"it is a tar archive: ..."``), which
    is not read in place (a compressed one only from its start); ``""`` for any other path."""
    if not path.name.lower().endswith(TAR_ENDINGS) or not path.is_file():
        return ""
    return f"it is a tar archive: unpack it (tar -xf {shell_word(path.name)}), and give the folder it holds"


def hub_said(where: Any, given: PathLike) -> str:
    """What a Hugging Face dataset's Parquet or Arrow file, or a folder of them (a repository as
    downloaded, a ``save_to_disk`` folder), is where label maps are read, and the command that
    converts it; ``""`` for any other path."""
    found = hub_files(where)
    if not found:
        return ""
    what = f"a Hugging Face dataset's {'Arrow' if found[0].suffix.lower() == '.arrow' else 'Parquet'} file"
    held = f"it is {what}" if where.is_file() else f"it holds a Hugging Face dataset ({len(found)} Parquet or Arrow file(s))"
    try:
        card = hub_card(found[0])
    except DatasetError:  # a card that cannot be read is said where the dataset is read
        card = None
    chosen = ""
    if card is not None and len(card.configs) > 1 and card.default is None:  # one of them must be named
        chosen = f" --config NAME (one of {', '.join(shell_word(name) for name in card.configs)})"
    return (
        f"{held}, whose rows hold images and label maps: labeltools convert {shell_word(given)} NEW_FOLDER{chosen} makes a VOC "
        "dataset of it"
    )


def other_masks_hint(folder: PathLike) -> str:
    """What to do with a folder of masks in another format than PNG (see
    :data:`OTHER_MASK_SUFFIXES`; ``np.save`` arrays), of grey JPEG masks (Kvasir-SEG's), of a
    downloaded dataset whose masks are in a folder of it (see :func:`mask_folders`), of
    annotations (see :func:`_annotations_hint`) or of photos alone, to follow an error that
    found no label PNG in it; ``""`` when it holds none."""
    where = location(folder)
    if isinstance(where, Path) and where.suffix.lower() == ".zip" and where.is_file():
        return "; it is a zip archive: unpack it, and give the folder it holds"
    if said := tar_said(where):
        return f"; {said}"
    if said := hub_said(where, folder):
        return f"; {said}"
    if not where.is_dir():
        return _annotations_hint(where, folder) if where.is_file() else ""
    if said := sbd_hint(where) or open_images_said(where):
        return said
    if said := json_to_dataset_said(list_files(where, (JSON_TO_DATASET_LABEL,), recursive=True, depth=2)):
        return f"; {said}"
    masks = list_files(where, OTHER_MASK_SUFFIXES)
    if masks:
        kinds = "/".join(sorted({path.suffix.lower() for path in masks}))
        return (
            f"; it holds {len(masks)} {kinds} mask(s), and label files are PNGs: labeltools colorize {shell_word(folder)} -d LABELS "
            "writes masks of class indices as label PNGs (remap --index-map 0:0,255:1 masks of 0 and 255)"
        )
    arrays = list_files(where, (ARRAY_SUFFIX,))
    if arrays:
        return (
            f"; it holds {len(arrays)} {ARRAY_SUFFIX} array(s), and label files are PNGs: labeltools colorize {shell_word(folder)} "
            "-d LABELS writes arrays of class indices as label PNGs"
        )
    jpegs = list_files(where, (".jpg", ".jpeg"))
    grey = _grey_counts(jpegs[0]) if jpegs else None
    if grey is not None and grey[SMALL_VALUES:].sum() <= grey.sum() // 1000:  # class indices, not a mask of 0 and 255
        return (
            f"; it holds {len(jpegs)} JPEG image(s) of small grey values, class indices as label maps hold "
            f"({jpegs[0].name}), and label files are PNGs: {NOT_PNG}; save them again as PNGs where they were made"
        )
    if grey is not None:
        return (
            f"; it holds {len(jpegs)} JPEG image(s), grey as masks are ({jpegs[0].name}), and label files are PNGs: "
            f"labeltools remap {shell_word(folder)} --index-map 0-127:0,128-255:1 -d LABELS reads masks of 0 and 255 "
            "(JPEG shifts values near the edges)"
        )
    yamls = [where / f"data{suffix}" for suffix in (".yaml", ".yml") if (where / f"data{suffix}").is_file()]
    if yamls:  # Ultralytics' layout, Roboflow's YOLO exports
        from labeltools.formats.yolo import semantic_yaml

        semantic = semantic_yaml(yamls[0])
        if semantic is not None and (where / semantic.masks_dir).is_dir():
            splits = sorted(p.name for p in (where / semantic.masks_dir).iterdir() if p.is_dir())
            first = shell_word(str(where / semantic.masks_dir / (splits[0] if splits else "")).rstrip("/"))
            held = f"{semantic.masks_dir}/<{'|'.join(splits)}>: give one of those folders" if splits else f"{semantic.masks_dir}/: give that folder"
            return (
                f"; it holds an Ultralytics semantic dataset, its masks in {held} ({first}), or "
                f"labeltools convert {shell_word(folder)} NEW_FOLDER makes a VOC dataset of it"
            )
        return f"; it holds a YOLO dataset's data.yaml: labeltools convert {shell_word(folder)} NEW_FOLDER makes a VOC dataset of it"
    inner = [found for found in mask_folders(where) if found != where]
    if inner:  # a downloaded dataset's folder: its masks are in a folder of it
        which = f"{inner[0]} and {len(inner) - 1} more folder(s): give one of them" if len(inner) > 1 else f"{inner[0]}: give that folder"
        return f"; its masks are in {which}, or labeltools convert {shell_word(folder)} NEW_FOLDER makes a VOC dataset of them"
    if said := _annotations_hint(where, folder):
        return said
    if (photo := photos_alone(where)) is not None:
        return (
            f"; it holds {len(jpegs)} photo(s) ({photo.name}: {PHOTO_SAID}), not label maps: "
            "labeltools convert makes label maps of the annotations made of them"
        )
    return ""


#: What labelme's ``labelme_json_to_dataset`` (``labelme_export_json`` from 5.5) writes in a
#: folder per JSON file: the label map, and its classes by value, numbered for that file alone
#: (``_background_``, then the file's labels sorted).
JSON_TO_DATASET_LABEL = "label.png"
JSON_TO_DATASET_NAMES = "label_names.txt"


def json_to_dataset_said(listed: Sequence[Any]) -> str:
    """What the folders labelme's json_to_dataset wrote among ``listed`` files are, and what to
    do instead of reading their label maps (see :data:`JSON_TO_DATASET_LABEL`); ``""`` for none."""
    made = [f.parent for f in listed if f.name == JSON_TO_DATASET_LABEL and (f.parent / JSON_TO_DATASET_NAMES).is_file()]
    if not made:
        return ""
    more = f" (and {len(made) - 1} more folder(s) like it)" if len(made) > 1 else ""
    return (
        f"{made[0]}{more}: written by labelme's json_to_dataset, its {JSON_TO_DATASET_LABEL} numbered by the "
        f"{JSON_TO_DATASET_NAMES} beside it for that file's classes alone (one value means other classes from folder "
        "to folder); convert the labelme JSON files they were made of (labeltools convert JSON_FOLDER NEW_FOLDER), "
        "whose classes one table numbers"
    )


#: Files of a dataset folder that are no annotation (this project's record of a dataset).
_DATASET_RECORDS = frozenset({"dataset_meta.json"})


def _annotations_hint(where: Any, given: PathLike) -> str:
    """What to do with annotation files (``.json``, ``.xml``: labelme's, another tool's export),
    a folder of them or one, given where label maps are read: convert them first. labelme's
    files, the commonest, are named as such (a ``"shapes"`` key near the start of the first few)."""
    one = not where.is_dir()
    kept = [where] if one else list_files(where, (".json", ".xml"))
    files = [path for path in kept if path.suffix.lower() in (".json", ".xml") and path.name not in _DATASET_RECORDS]
    if not files:
        return ""
    convert = f"labeltools convert {shell_word(given)} NEW_FOLDER makes a VOC dataset of {'it' if one else 'them'}"
    if sum(_starts_with_shapes(path) for path in files[:5]) == min(len(files), 5):
        return f"; it is a labelme annotation, not a label map: {convert}" if one else f"; it holds {len(files)} labelme annotation(s), not label maps: {convert}"
    kinds = "/".join(sorted({path.suffix.lower() for path in files}))
    held = "; if it holds" if one else f"; it holds {len(files)} {kinds} file(s), not label maps: if they are"
    return f"{held} annotations (labelme's, or an export of COCO, CVAT, Datumaro, Label Studio, Cityscapes, ISAT), {convert}"


def _starts_with_shapes(path: Any) -> bool:
    """Whether a JSON file's first 4 KB hold labelme's ``"shapes"`` key."""
    try:
        with path.open("rb") as handle:
            return b'"shapes"' in handle.read(4096)
    except OSError:
        return False


def is_photo(path: Any) -> bool:
    """Whether an image is a photo rather than a mask: in colour, of more than 256 colours (a
    colour mask has a few); False when it cannot be read (its reading says why)."""
    try:
        with open_image(path, DatasetError) as image:
            return image.mode in ("RGB", "RGBA") and image.getcolors(256) is None
    except DatasetError:
        return False


#: How a photo is told from a mask, in words (see :func:`is_photo_not_mask`).
PHOTO_SAID = "of hundreds of colours or more, no few of them covering most of it"


def photos_alone(folder: Any, recursive: bool = False) -> Any | None:
    """The first photo of a folder (with ``recursive``, of its sub-folders too) that holds JPEG
    photos and no mask of another format (masks beside them, of a folder named otherwise, are
    masks to read), or None."""
    files = list_files(folder, (*MASK_SUFFIXES, *JPEG_MASK_SUFFIXES), recursive=recursive)
    if not files or any(not f.name.lower().endswith(JPEG_MASK_SUFFIXES) for f in files):
        return None
    return files[0] if is_photo_not_mask(files[0]) else None


def is_photo_not_mask(path: Any) -> bool:
    """Whether an image is a photo and no JPEG colour mask, whose compression gives it hundreds
    of colours too: of more than 256 colours (see :func:`is_photo`), its 16 commonest covering
    under a quarter of its pixels, where a mask's flat regions cover most of it."""
    if not is_photo(path):
        return False
    try:
        with open_image(path, DatasetError) as image:
            counts = sorted((count for count, _ in image.convert("RGB").getcolors(1 << 24) or []), reverse=True)
    except (DatasetError, OSError):  # cut short: its reading says why, elsewhere
        return False
    return sum(counts[:16]) < 0.25 * sum(counts)


#: Grey values at and above which a JPEG of grey values is no label map of class indices
#: (see :func:`other_masks_hint`): a mask of 0 and 255, or of values spread as masks' are.
SMALL_VALUES = 64


def _grey_counts(path: Any) -> NDArray[np.int64] | None:
    """The ``(256,)`` pixel count of each value of a grey image, one channel or three equal ones
    (a grey mask saved as RGB); None for another image, or when it cannot be read (the caller
    only hints)."""
    try:
        with open_image(path, DatasetError) as image:
            if image.mode in ("L", "1"):
                return np.asarray(image.convert("L").histogram(), dtype=np.int64)
            if image.mode != "RGB":
                return None
            red, green, blue = image.split()
            return np.asarray(red.histogram(), dtype=np.int64) if red.tobytes() == green.tobytes() == blue.tobytes() else None
    except DatasetError:
        return None


def images_beside(labels: PathLike) -> tuple[Any | None, str]:
    """The images folder of a folder of labels laid out as the datasets people download lay
    them out, or ``(None, "")``, with how it was found, for the user: beside the folder or one
    above it by :data:`IMAGE_WORDS` (``masks/train`` beside ``images/train``, ``train/masks``
    beside ``train/images``), beside it by :data:`LABEL_FOLDER_ENDINGS` (CamVid's), or the
    folder itself when JPEG images lie among the labels (Roboflow's mask export), or images of
    the masks' own format (see :func:`masks_beside_images`)."""
    folder = location(labels)
    for level, parent in enumerate((folder, *folder.parents)):
        inner = folder.relative_to(parent) if level else None
        for name in _image_folder_names(parent.name):
            images = parent.parent / name
            images = images / inner if inner is not None else images
            if images.is_dir():
                return images, f"{images} (beside {parent.name}/)"
    ending = _label_ending(folder.name)
    if ending and (folder.parent / folder.name.removesuffix(ending)).is_dir():
        images = folder.parent / folder.name.removesuffix(ending)
        return images, f"{images} (beside {folder.name}/, as CamVid lays them out)"
    if is_version_name(folder.parent.name) and (folder.parent.parent / "images").is_dir():
        images = folder.parent.parent / "images"
        return images, f"{images} (beside {folder.parent.name}/, as Mapillary Vistas lays them out)"
    if any(folder.glob("*.jp*g")):  # Roboflow's mask export: each image beside its <stem>_mask.png
        return folder, f"{folder} (the JPEG images among the labels)"
    if folder.is_dir() and masks_beside_images(list_files(folder, MASK_SUFFIXES)):  # the Breast Ultrasound Images' PNGs
        return folder, f"{folder} (the images among their masks, <image>_mask.png)"
    return None, ""


def is_version_name(name: str) -> bool:
    """Whether a folder's name is a release's version (Mapillary Vistas' ``v1.2``, ``v2.0``),
    whose labels' images lie beside it."""
    return re.fullmatch(r"v\d+(\.\d+)*", name) is not None


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
    endings = Counter(end for stem in labels for end in _endings(stem) if stem.removesuffix(end) in images)
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


def _endings(stem: str) -> list[str]:
    """The last ``_``-part of a stem and the last two, each with its ``_`` (``"_id"`` and
    ``"_train_id"`` of BDD100K's ``<image>_train_id``)."""
    parts = stem.split("_")
    return ["_" + "_".join(parts[-n:]) for n in (1, 2) if len(parts) > n]


def _shared_ending(stems: set[str]) -> str:
    """The ending every stem has (see :func:`_ending`), or ``""``."""
    endings = {_ending(stem) for stem in stems if "_" in stem}
    return endings.pop() if len(endings) == 1 and all("_" in stem for stem in stems) else ""


@dataclass
class Pairing:
    """Labels and images matched by stem (see :func:`pair_by_stem`).

    Attributes:
        pairs: ``(id, label, image)`` in id order, ``None`` where an id has no label or no image.
        notes: how labels and images were paired, for the user (the endings that pair them).
        duplicates: ``(image, first)`` for each second image of one stem (``a.jpg`` beside
            ``a.png``): ``first`` is the one taken.
    """

    pairs: list[tuple[str, Path | None, Path | None]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    duplicates: list[tuple[Path, Path]] = field(default_factory=list)


def pair_by_stem(labels: Sequence[Path], images: Any | None, others: Sequence[Path] = ()) -> Pairing:
    """Match label files with the images of the folder ``images`` (None: the labels alone) by
    stem, or by the endings that tell them apart (:func:`stem_endings`: CamVid's ``_L``,
    Roboflow's ``_mask``, DeepGlobe's ``_mask`` and ``_sat``); a folder may hold both (Roboflow's
    mask export), its labels then no images. Stems are compared, and ids given, in Unicode's
    composed form: macOS writes names decomposed, one folder's maybe and not the other's.
    ``others``: more labels among the images, no images (a second object's masks)."""
    pairing = Pairing()
    found: dict[str, Path] = {}  # stem -> image
    if images is not None:
        label_names = {str(path) for path in (*labels, *others)}
        for path in list_files(images, IMAGE_SUFFIXES):
            if str(path) in label_names:
                continue
            stem = composed(path.stem)
            if stem in found:  # a loader reads one img_suffix: which one is the image is unsure
                pairing.duplicates.append((path, found[stem]))
                continue
            found[stem] = path
    by_stem = {composed(path.stem): path for path in labels}
    label_end, image_end = stem_endings(by_stem, found)
    if label_end:
        by_stem = {stem.removesuffix(label_end): path for stem, path in by_stem.items()}
        found = {stem.removesuffix(image_end): path for stem, path in found.items()}
        if image_end:  # mmsegmentation's img_suffix holds the file's own suffix: the first image's
            image_suffix = next(iter(found.values())).suffix
            pairing.notes.append(
                f"labels: <id>{label_end}.png beside images <id>{image_end}{image_suffix} "
                f"(mmsegmentation: img_suffix='{image_end}{image_suffix}', seg_map_suffix='{label_end}.png')"
            )
        else:
            pairing.notes.append(f"labels: <image>{label_end}.png, each beside its image's stem (mmsegmentation: seg_map_suffix='{label_end}.png')")
    pairing.pairs = [(stem, by_stem.get(stem), found.get(stem)) for stem in sorted(by_stem.keys() | found.keys())]
    return pairing


#: The files a folder of masks may hold: label PNGs, and the lossless formats masks come in.
MASK_SUFFIXES = (".png", *OTHER_MASK_SUFFIXES)
#: The masks some datasets ship as JPEG (Kvasir-SEG's), whose values shift along every edge.
JPEG_MASK_SUFFIXES = (".jpg", ".jpeg")


def masks_in(folder: Any) -> list[Any]:
    """The masks of a folder of masks, sorted: its files of :data:`MASK_SUFFIXES` (of a folder
    of images and their masks alike in format, the masks: see :func:`masks_beside_images`),
    else its JPEGs (a folder of JPEG masks, Kvasir-SEG's ``masks/``)."""
    found = list_files(folder, MASK_SUFFIXES)
    return masks_beside_images(found) or found or list_files(folder, JPEG_MASK_SUFFIXES)


#: The name of a mask beside its image of the same format: the image's stem, ``_mask``, and for
#: a second object's mask of that image a number (the Breast Ultrasound Images dataset's
#: ``benign (4).png``, ``benign (4)_mask.png``, ``benign (4)_mask_1.png``).
_MASK_OF = re.compile(r"(.+)_mask(_\d+)?", re.IGNORECASE)


def masks_beside_images(files: Sequence[Any]) -> list[Any]:
    """Of files in one folder, the masks of others (see :data:`_MASK_OF`): ``[]`` where none
    is, as in a folder of masks alone, or of masks beside JPEG images (Roboflow's)."""
    stems = {path.stem for path in files}
    return [path for path in files if (named := _MASK_OF.fullmatch(path.stem)) is not None and named[1] in stems]


def extra_masks(masks: Sequence[Any]) -> dict[str, list[Any]]:
    """The masks of a second object of an image (``<image>_mask_1.png``), by the image's first
    mask (``<image>_mask.png``) among ``masks``: both masks of the image, merged."""
    firsts = {path.stem.lower(): str(path) for path in masks}
    more: dict[str, list[Any]] = {}
    for path in masks:
        named = _MASK_OF.fullmatch(path.stem)
        if named is not None and named[2] and (first := firsts.get(f"{named[1]}_mask".lower())) is not None:
            more.setdefault(first, []).append(path)
    return more


def is_labels_name(name: str, above: bool = False) -> bool:
    """Whether a folder's name says it holds labels: a word of :data:`IMAGE_WORDS` (``masks``,
    ``annotations``, ``ann_dir``, ``masks_png``) or an ending of :data:`LABEL_FOLDER_ENDINGS`
    (CamVid's ``train_labels``); ``above`` a folder of them, the words of
    :data:`OWN_NAME_WORDS` left out."""
    words = [part.lower() for part in re.split(r"[_-]", name)]
    return any(word in IMAGE_WORDS and not (above and word in OWN_NAME_WORDS) for word in words) or bool(_label_ending(name))


def _label_ending(name: str) -> str:
    """The ending of :data:`LABEL_FOLDER_ENDINGS` a folder's name has after more (``_labels`` of
    ``train_labels``), or ``""``."""
    return next((ending for ending in LABEL_FOLDER_ENDINGS if name.endswith(ending) and len(name) > len(ending)), "")


def mask_folders(folder: Any, listed: Sequence[Any] | None = None) -> list[Any]:
    """The folders of masks in a downloaded dataset's folder, sorted: every folder under it (and
    it) holding masks (:func:`masks_in`) whose name or a name above it, up to
    ``folder``'s, says it holds labels (:func:`is_labels_name`: ``masks/``, ``masks/train``,
    ``annotations/training``, ``train_labels``; a folder named as images' never does), whose
    masks lie beside their JPEG images, each named by its image's stem and one ending
    (Roboflow's ``<image>_mask.png``), or whose PNGs are named by the JPEG images of another
    folder under it (see :func:`_twins`) of which no folder so named holds masks (Mapillary's
    ``instances/`` beside its ``labels/``), a VOC dataset's folders left out. ``listed``: the
    files of its tree where the caller listed them already."""
    root = location(folder)
    held = _tree(root, listed)
    twins = _twins(held)
    found, named = [], []
    for key, (place, files) in sorted(held.items()):
        masks = [p for p in files if p.name.lower().endswith(MASK_SUFFIXES)]
        jpegs = [p.stem for p in files if p.name.lower().endswith(JPEG_MASK_SUFFIXES)]
        if (masks or jpegs) and _says_labels(place, root):
            found.append(place)
            named.append(key)
        elif masks and jpegs and stem_endings([p.stem for p in masks], jpegs)[0]:
            found.append(place)
        elif masks_beside_images(masks):  # images and their masks in one format
            found.append(place)
    named_images = {str(twins[key]) for key in named if key in twins}
    for key, images in twins.items():  # beside no folder of masks named as such of the same images (Mapillary's instances/)
        place = held[key][0]
        if str(images) not in named_images and str(place.parent / "JPEGImages") not in held:  # nor a VOC dataset's
            found.append(place)
    return _without_renderings(found)


def _without_renderings(found: list[Any]) -> list[Any]:
    """Folders of masks, sorted, once each, less those that are the colour rendering of another
    by their names (``semantic_rgb`` of ``semantic``, see :data:`RENDERING_ENDINGS`)."""
    kept = {str(place): place for place in found}
    rendering = {key for key in kept for end in RENDERING_ENDINGS if key.lower().endswith(end) and key[: -len(end)] in kept}
    return sorted((place for key, place in kept.items() if key not in rendering), key=str)


def colour_renderings(folder: Any) -> list[Any]:
    """The folders beside a folder of masks holding its colour rendering (see
    :data:`RENDERING_ENDINGS`), which are not read."""
    return [other for end in RENDERING_ENDINGS if (other := folder.parent / f"{folder.name}{end}").is_dir()]


def folders_holding_masks(folder: Any, listed: Sequence[Any] | None = None) -> list[Any]:
    """Every folder under ``folder`` (and it) holding masks, sorted, whatever its name (the
    masks of ``--from masks``), but a folder named as images' or whose first mask is a photo
    (KITTI's ``image_2/`` of PNGs beside its ``semantic/``); ``listed`` as :func:`mask_folders`'."""
    found = []
    for _, (place, files) in sorted(_tree(location(folder), listed).items()):
        masks = [p for p in files if p.name.lower().endswith(MASK_SUFFIXES)]
        if masks and place.name.lower() not in _IMAGE_FOLDER_NAMES and not is_photo(masks[0]):
            found.append(place)
    return _without_renderings(found)


def images_of(labels: Any, root: Any, listings: dict[str, dict[str, Any]] | None = None) -> tuple[Any | None, str]:
    """The images' folder of a folder of labels found under ``root`` (the folder given; the
    labels' own when given alone) and how it was found, for the user: beside it by name
    (:func:`images_beside`), else the folder of JPEG images its PNGs are named by under ``root``,
    else beside ``root`` (see :func:`twin_images`); ``(None, "")`` when none is. ``listings``
    keeps what was found by name for the next folder of the same ``root``."""
    images, how = images_beside(labels)
    if images is not None:
        return images, how
    cache = listings if listings is not None else {}
    for beside in (False, True):
        key = f"{beside}:{location(root)}"
        if key not in cache:
            cache[key] = twin_images(root, beside)
        if (images := cache[key].get(str(location(labels)))) is not None:
            return images, f"{images} (the JPEG images the masks are named by)"
    return None, ""


def twin_images(root: Any, beside: bool = False) -> dict[str, Any]:
    """For each folder of PNG masks under ``root``, the folder of JPEG images under it whose
    masks it holds by their names (see :func:`_twins`); with ``beside``, a folder of JPEG images
    beside ``root`` too (``coco/train2017`` of ``coco/stuffthingmaps_trainval2017``, a folder
    given): the folders of its parent alone are listed, not their trees."""
    root = location(root)
    held = _tree(root)
    if beside:
        listed = set(held)
        for file in list_files(root.parent, JPEG_MASK_SUFFIXES, recursive=True, depth=2):
            if file.parent != root.parent and str(file.parent) not in listed:
                held.setdefault(str(file.parent), (file.parent, []))[1].append(file)
    return _twins(held)


def _tree(root: Any, listed: Sequence[Any] | None = None) -> dict[str, tuple[Any, list[Any]]]:
    """The masks and JPEG images under ``root`` by folder: the tree listed once (one listing on
    a store), or of the files ``listed`` there already."""
    held: dict[str, tuple[Any, list[Any]]] = {}
    kinds = (*MASK_SUFFIXES, *JPEG_MASK_SUFFIXES)
    files = list_files(root, kinds, recursive=True) if listed is None else [f for f in listed if f.name.lower().endswith(kinds)]
    for file in files:
        held.setdefault(str(file.parent), (file.parent, []))[1].append(file)
    return held


def _twins(held: dict[str, tuple[Any, list[Any]]]) -> dict[str, Any]:
    """For each folder of PNG masks in a tree (see :func:`_tree`) named by nothing that says
    what it holds (COCO-Stuff's ``stuffthingmaps_trainval2017/train2017`` beside COCO's
    ``train2017``, ISIC's ``..._GroundTruth`` of ``<image>_segmentation.png`` beside its
    ``..._Input``), the folder of JPEG images elsewhere in the tree whose stems at least half
    its masks' stems are, alike or less one ending; a folder of photos has none."""
    folders_of: dict[str, list[str]] = {}  # each JPEG stem: the folders holding it
    for key, (_, files) in held.items():
        for file in files:
            if file.name.lower().endswith(JPEG_MASK_SUFFIXES):
                folders_of.setdefault(file.stem, []).append(key)
    twins = {}
    for key, (place, files) in held.items():
        stems = [p.stem for p in files if p.name.lower().endswith(".png")]
        if len(stems) < len(files) or place.name.lower() in _IMAGE_FOLDER_NAMES:
            continue
        votes = Counter(f for stem in stems for f in folders_of.get(stem) or folders_of.get(stem.rpartition("_")[0], []))
        if votes:  # the most stems, then the folder named as the masks' (train2017 of train2017), then the first
            best = max(votes, key=lambda f: (votes[f], held[f][0].name == place.name))
            if votes[best] * 2 >= len(stems) and not is_photo(files[0]):  # PNG copies of the photos are no masks
                twins[key] = held[best][0]
    return twins


#: The names of folders of images (:data:`IMAGE_WORDS`' and VOC's), never of masks.
_IMAGE_FOLDER_NAMES = frozenset({word for words in IMAGE_WORDS.values() for word in words} | {"jpegimages"})


def _says_labels(place: Any, root: Any) -> bool:
    """Whether the names of a folder under ``root`` say it holds labels (see :func:`mask_folders`):
    its own (no images' folder's), one between it and ``root``, or ``root``'s when it is a word
    of :data:`IMAGE_WORDS` alone (a dataset named ``kvasir_masks`` holds images as well)."""
    if place.name.lower() in _IMAGE_FOLDER_NAMES:
        return False
    if is_labels_name(place.name) or any(is_labels_name(name, above=True) for name in place.relative_to(root).parts[:-1]):
        return True
    return place != root and root.name.lower() in IMAGE_WORDS


#: The split lists a dataset of masks may ship, and the split each names (Oxford-IIIT Pet's
#: ``annotations/trainval.txt`` and ``test.txt`` beside its ``trimaps/``, one image a line, its
#: name first): its trainval is train, from which val is drawn.
SPLIT_LISTS = {"train.txt": "train", "trainval.txt": "train", "val.txt": "val", "valid.txt": "val", "validation.txt": "val", "test.txt": "test"}


def split_lists(folder: Any, stems: set[str]) -> tuple[dict[str, str], list[Any]]:
    """The split of each of ``stems`` (a folder's masks) that the split lists (see
    :data:`SPLIT_LISTS`) of the nearest folder holding some that name them say: the masks'
    own, the one above it, or the one above that; and those lists. ``({}, [])`` where none
    names any of them (a list of other ids is no list of these masks)."""
    place = location(folder)
    for _ in range(3):
        found: dict[str, str] = {}
        lists = []
        for name, split in SPLIT_LISTS.items():
            path = place / name
            if not path.is_file():
                continue
            try:
                lines = read_small_text(path).splitlines()
            except (OSError, UnicodeDecodeError, ValueError):
                continue
            named = [_listed_stem(words[0]) for line in lines if (words := line.split()) and not words[0].startswith("#")]
            named = [stem for stem in named if stem in stems]
            if named:
                lists.append(path)
                for stem in named:
                    found.setdefault(stem, split)
        if found:
            return found, lists
        place = place.parent
    return {}, []


def _listed_stem(entry: str) -> str:
    """The stem a split list's entry names: the entry itself (``Abyssinian_1``), or the name of
    the image or mask file it gives (``images/0001.jpg``, ``0001.png``)."""
    name = entry.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, suffix = name.rpartition(".")
    return stem if dot and f".{suffix.lower()}" in (*IMAGE_SUFFIXES, *MASK_SUFFIXES, *JPEG_MASK_SUFFIXES) else name


def folder_split(folder: Any, root: Any, split_of: Callable[[str], str | None], words: bool = False) -> str | None:
    """The split a folder under ``root`` holds, by its name or the first name above it, up to
    ``root``'s, that ``split_of`` (:func:`~labeltools.ops.splits.own_split`) knows, less an
    ending of :data:`LABEL_FOLDER_ENDINGS`: ``masks/train``, Roboflow's ``valid/``, ADE20K's
    ``annotations/validation``, CamVid's ``val_labels``; else, with ``words``, a split word among
    the words of a name below ``root``'s (LIP's ``train_segmentations``, ``val_segmentations``);
    None when none is."""
    place, top = location(folder), location(root)
    below = list(reversed(place.relative_to(top).parts)) if place != top else []
    for name in [*below, top.name]:
        split = split_of(name) or split_of(name.removesuffix(_label_ending(name)))
        if split is not None:
            return split
    for name in below if words else ():  # a split word among a folder's words (LIP's train_segmentations/), below the folder given
        if (split := word_split(name, split_of)) is not None:
            return split
    return None


#: What parts a name's words (see :func:`word_split`), as the ``datasets`` library parts them.
_NAME_WORDS = re.compile(r"[-._ 0-9]+")


def word_split(name: str, split_of: Callable[[str], str | None]) -> str | None:
    """The split the first split word among a name's words says (``cracks_dev``, LIP's
    ``val_segmentations``), by ``split_of``; None where none does."""
    return next((split for word in _NAME_WORDS.split(name.lower()) if word and (split := split_of(word)) is not None), None)
