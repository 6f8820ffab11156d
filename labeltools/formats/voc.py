"""The PASCAL VOC segmentation folder: layout, split files, and iterating (image, label) pairs.

::

    ROOT/JPEGImages/<id>.jpg
    ROOT/SegmentationClass/<id>.png          palette PNG, VOC colormap, 255 = void
    ROOT/SegmentationObject/<id>.png         optional instance maps
    ROOT/SegmentationClassAug/<id>.png       optional: the labels of the SBD-augmented train set
    ROOT/ImageSets/Segmentation/{train,val,trainval}.txt
    ROOT/class_names.txt                     class i on line i
    ROOT/labelmap.txt                        name:r,g,b:: lines (Datumaro, CVAT)
    ROOT/dataset_meta.json                   labels and colours (Datumaro; mmsegmentation metainfo)

The layout loads unchanged in torchvision's ``VOCSegmentation``, pytorch-deeplab-xception's
pascal loader and mmsegmentation's ``PascalVOCDataset``; the class table travels in the three
class files, which always agree with each other and with the label palette.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import ImageOps

from labeltools.core._types import PathLike
from labeltools.core.classes import (
    BACKGROUND_NAME,
    LABELMAP_HEADER,
    ClassTable,
    class_names_for,
    is_class_meta,
    line_problem,
)
from labeltools.core.errors import ClassTableError, DatasetError, shell_word
from labeltools.core.files import read_small_text
from labeltools.core.options import LABELME_RULES, MAX_CLASSES
from labeltools.engine.storage import atomic_writes, list_files, location, pngs_in, read_bytes
from labeltools.formats.folders import MASK_SUFFIXES, images_beside, is_version_name, not_a_folder, other_masks_hint
from labeltools.formats.labels import open_image, read_label

IMAGES_DIR = "JPEGImages"

LABELS_DIR = "SegmentationClass"

OBJECTS_DIR = "SegmentationObject"

#: The labels of the augmented training set beside VOC2012's own: its train images with those of
#: the Semantic Boundaries Dataset, less its val (10,582 images). mmsegmentation's voc_aug
#: converter lists them as ``trainaug.txt``, and those not in ``train.txt`` as ``aug.txt`` (its
#: voc12aug configuration trains on them beside ``train.txt``); DeepLab's releases list them as
#: ``train_aug.txt``. The labels of every other list are ``SegmentationClass``'s.
AUG_LABELS_DIR = "SegmentationClassAug"

#: The split lists whose labels are in :data:`AUG_LABELS_DIR` (when the dataset has that folder),
#: the whole set's first.
AUG_SPLITS = ("trainaug", "train_aug", "aug")

#: Where labelme 4's ``labelme2voc.py`` wrote a dataset's label PNGs (its ``SegmentationClass``
#: held ``.npy`` arrays), which no loader reads.
LABELME4_LABELS_DIR = "SegmentationClassPNG"

SPLITS_DIR = os.path.join("ImageSets", "Segmentation")

CLASS_NAMES_FILE = "class_names.txt"

LABELMAP_FILE = "labelmap.txt"

META_FILE = "dataset_meta.json"

SPLITS = ("train", "val", "trainval")

#: What a dataset without a class table of its own (VOC2012 as shipped) is given.
GIVE_CLASSES = "give --classes TABLE (-c voc: PASCAL VOC's own 21 classes) or --num-classes N"

#: The split a dataset holds out for the final score: its ids are never placed in train or val.
TEST_SPLIT = "test"

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")


log = logging.getLogger(__name__)


def labelmap_text(table: ClassTable) -> str | None:
    """The ``labelmap.txt`` of a class table, as Datumaro and CVAT read it: a header, then
    ``name:r,g,b::`` for classes 0..N-1 in order and last the void entry (named as the table
    names it, ``void`` by default), its colour the palette's 255. None when a name holds a
    ``:``, which the format cannot hold."""
    palette = table.palette()
    names = [*table.names, _void_name(table)]
    colors = [*(palette[i] for i in range(len(table.names))), palette[255]]
    if any(":" in name for name in names):
        return None
    lines = [f"{name}:{int(c[0])},{int(c[1])},{int(c[2])}::" for name, c in zip(names, colors)]
    return "\n".join([LABELMAP_HEADER, *lines]) + "\n"


def dataset_meta(table: ClassTable, labelme_rules: str | None = None, split_group: str | None = None) -> dict[str, Any]:
    """Datumaro's ``dataset_meta.json`` of a class table: ``labels`` (classes 0..N-1, then the
    void entry), ``label_map`` (position -> name), ``segmentation_colors`` (the palette's colours
    in that order), ``background_label``; for training code ``num_classes`` (the labels before
    the void entry) and ``ignore_index`` (255); for a dataset drawn from labelme shapes,
    ``labelme_rules``, the labelme release whose rasteriser drew them (``"7"`` or ``"6"``); and
    for a dataset split by groups, ``split_group``, the ``--group`` pattern that named them."""
    palette = table.palette()
    names = [*table.names, _void_name(table)]
    colors = [[int(v) for v in palette[i]] for i in range(len(table.names))] + [[int(v) for v in palette[255]]]
    return {
        "labels": names,
        "label_map": {str(i): name for i, name in enumerate(names)},
        "segmentation_colors": colors,
        "background_label": "0",
        "num_classes": len(table.names),
        "ignore_index": 255,
        **({"labelme_rules": labelme_rules} if labelme_rules is not None else {}),
        **({SPLIT_GROUP_KEY: split_group} if split_group else {}),
    }


#: The key of ``dataset_meta.json`` that records the ``--group`` pattern a dataset was split by.
SPLIT_GROUP_KEY = "split_group"


def _meta_record(root: PathLike) -> tuple[Path, dict[str, Any] | None]:
    """A dataset's ``dataset_meta.json`` and what it holds, or None (no file, or a file that
    does not read as a JSON object: the class table's loader reports that)."""
    path = location(root) / META_FILE
    if not path.is_file():
        return path, None
    try:
        data = json.loads(read_bytes(path, DatasetError))
    except ValueError:
        return path, None
    return path, data if isinstance(data, dict) else None


def recorded_labelme_rules(root: PathLike) -> str | None:
    """The ``labelme_rules`` a dataset's ``dataset_meta.json`` records, or None.

    Raises:
        DatasetError: a record that names no known rule set.
    """
    path, data = _meta_record(root)
    rules = data.get("labelme_rules") if data is not None else None
    if rules is not None and rules not in LABELME_RULES:
        raise DatasetError(f"{path}: 'labelme_rules' is {rules!r}, expected one of {', '.join(LABELME_RULES)}")
    return rules


def recorded_split_group(root: PathLike) -> str | None:
    """The ``--group`` pattern a dataset's ``dataset_meta.json`` records it was split by, or None.

    Raises:
        DatasetError: a record that is not a non-empty string.
    """
    path, data = _meta_record(root)
    group = data.get(SPLIT_GROUP_KEY) if data is not None else None
    if group is not None and not (isinstance(group, str) and group):
        raise DatasetError(f"{path}: {SPLIT_GROUP_KEY!r} is {group!r}, expected a regular expression")
    return group


def settled_split_group(root: PathLike | None, asked: str | None) -> tuple[str | None, str]:
    """The ``--group`` pattern a split of the dataset at ``root`` (None: a new one) uses, and why
    in words where it is not simply as asked: the one asked for (``""``: none), else the one
    the dataset records (see :func:`recorded_split_group`).

    Raises:
        DatasetError: see :func:`recorded_split_group`.
    """
    recorded = recorded_split_group(root) if root is not None else None
    where = location(root) / META_FILE if root is not None else None
    if asked is None:
        return recorded, f"recorded in {where} (--group '' splits without it)" if recorded else ""
    if asked == "":
        return None, f"without groups, as asked, where {where} recorded '{recorded}'" if recorded else ""
    return asked, f"replacing '{recorded}' recorded in {where}" if recorded and recorded != asked else ""


def record_split_group(root: PathLike, group: str | None) -> bool:
    """Record in a dataset's ``dataset_meta.json`` the ``--group`` pattern it is now split by
    (None: none), atomically; False when it has no such file to record it in."""
    path, data = _meta_record(root)
    if data is None:
        return False
    if data.get(SPLIT_GROUP_KEY) != group:
        data = {k: v for k, v in data.items() if k != SPLIT_GROUP_KEY} | ({SPLIT_GROUP_KEY: group} if group else {})
        with atomic_writes() as stage:
            stage(path).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return True


def _void_name(table: ClassTable) -> str:
    voids = table.void_entries
    return voids[0].name if voids else "void"


def save_class_names(path: PathLike, table: ClassTable) -> None:
    """Write ``class_names.txt`` (class ``i`` on line ``i``), atomically.

    Raises:
        ClassTableError: the table's indices are not contiguous.
    """
    text = table.class_names_text()
    with atomic_writes() as stage:
        stage(path).write_text(text, encoding="utf-8")


def save_class_table(path: PathLike, table: ClassTable) -> None:
    """Write a class table as ``.json`` or ``.csv`` (by the extension), atomically; both load
    back with :meth:`ClassTable.load`.

    Raises:
        ClassTableError: another extension.
    """
    suffix = location(path).suffix.lower()
    if suffix not in (".json", ".csv"):
        raise ClassTableError(f"{path}: a class table is saved as .json or .csv, not {suffix or '(no extension)'}")
    text = table.json_text() if suffix == ".json" else table.csv_text()
    with atomic_writes() as stage:
        stage(path).write_text(text, encoding="utf-8")


def write_class_files(
    root: PathLike, table: ClassTable, labelme_rules: str | None = None, split_group: str | None = None
) -> list[Path]:
    """Write ``class_names.txt``, ``labelmap.txt`` and ``dataset_meta.json`` (recording
    ``labelme_rules`` and ``split_group`` when given) into a dataset folder together (all replace the old ones, or
    none does); returns their paths. A table
    whose names ``labelmap.txt`` cannot hold gets no ``labelmap.txt`` (a stale one is removed,
    with a warning): ``dataset_meta.json`` still carries it.

    Raises:
        ClassTableError: the table cannot be written as ``class_names.txt``.
        OutputError: a file cannot be written.
    """
    root = location(root)
    names_text = table.class_names_text()
    labelmap = labelmap_text(table)
    meta = json.dumps(dataset_meta(table, labelme_rules, split_group), indent=2, ensure_ascii=False) + "\n"
    paths = [root / CLASS_NAMES_FILE, root / META_FILE]
    with atomic_writes() as stage:
        stage(paths[0]).write_text(names_text, encoding="utf-8")
        stage(paths[1]).write_text(meta, encoding="utf-8")
        if labelmap is not None:
            paths.append(root / LABELMAP_FILE)
            stage(paths[2]).write_text(labelmap, encoding="utf-8")
    if labelmap is None:
        log.warning("%s: a class name holds ':', which labelmap.txt cannot hold; not written "
                    "(dataset_meta.json carries the names)", root / LABELMAP_FILE)
        (root / LABELMAP_FILE).unlink(missing_ok=True)
    return paths


def is_voc_root(path: PathLike) -> bool:
    """True when ``path`` holds a ``SegmentationClass`` folder."""
    return (location(path) / LABELS_DIR).is_dir()


def split_path(root: PathLike, split: str) -> Path:
    return location(root) / SPLITS_DIR / f"{split}.txt"


def available_splits(root: PathLike) -> list[str]:
    """Names of the split files present, sorted."""
    folder = location(root) / SPLITS_DIR
    return sorted(p.stem for p in folder.glob("*.txt")) if folder.is_dir() else []


def read_split(root: PathLike, split: str) -> list[str]:
    """The ids listed in ``ImageSets/Segmentation/<split>.txt``, in file order.

    Raises:
        DatasetError: the split file is missing (naming the splits that exist) or unreadable.
    """
    path = split_path(root, split)
    try:
        text = read_small_text(path)
    except FileNotFoundError:
        have = available_splits(root)
        known = f"; splits present: {', '.join(have)}" if have else "; no split files present"
        raise DatasetError(f"{path}: no such split file{known}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path}: cannot read split file ({exc})") from None
    return [line.strip() for line in text.splitlines() if line.strip()]


def split_listing(root: PathLike, ids: Iterable[str]) -> str | None:
    """The split whose file lists exactly ``ids`` (``val`` first, then the others by name, the
    augmented training set's aside): the split a folder of predictions was made for. None when no
    split file lists them alone, when they are every label of the dataset (then every label is
    scored), or ``root`` is no VOC folder."""
    wanted = set(ids)
    if not wanted or not is_voc_root(root) or wanted == set(label_ids(root)):
        return None
    for name in sorted((n for n in available_splits(root) if n not in AUG_SPLITS), key=lambda n: (n != "val", n)):
        try:
            if set(read_split(root, name)) == wanted:
                return name
        except DatasetError:
            continue  # an unreadable split file lists nothing here; check reports it
    return None


def held_out_ids(root: PathLike) -> list[str]:
    """The ids of ``test.txt`` (the dataset's held-out test list), in file order; none when the
    dataset has no such file. Writing train and val never places one of them there.

    Raises:
        DatasetError: ``test.txt`` cannot be read.
    """
    return read_split(root, TEST_SPLIT) if split_path(root, TEST_SPLIT).is_file() else []


#: What a test list none of whose ids has a label is, in messages.
WITHHELD = "a test set whose labels are withheld, as VOC2012's"


def is_withheld_test(test: Collection[str], labelled: Collection[str]) -> bool:
    """True when ``test`` (the ids of ``test.txt``) is a test set whose labels are withheld: none
    of its ids is among ``labelled`` (``SegmentationClass``'s). VOC2012's test tar adds its list
    and images, never its labels, which its evaluation server holds; a test list with some labels
    is held to all of them."""
    return bool(test) and not set(test) & set(labelled)


def write_split(root: PathLike, split: str, ids: Iterable[str]) -> Path:
    """Write a split file (one id a line), atomically; returns its path."""
    return write_splits(root, {split: ids})[0]


def split_id_problem(image_id: str) -> str | None:
    """Why ``image_id`` cannot be one line of a split file (which every loader splits at line
    breaks and strips), or None when it can: it must be UTF-8 text on one line, without white
    space at either end."""
    if not image_id:
        return "it is empty"
    problem = line_problem(image_id)
    if problem is None and image_id != image_id.strip():
        return "it starts or ends with white space"
    return problem


def check_split_id(image_id: str, source: str) -> None:
    """Raise DatasetError naming ``source`` when ``image_id`` cannot be a line of a split file."""
    problem = split_id_problem(image_id)
    if problem is not None:
        raise DatasetError(f"{source}: its id {image_id!r} cannot be a line of a split file ({problem}); rename the file")


def write_splits(root: PathLike, splits: Mapping[str, Iterable[str]]) -> list[Path]:
    """Write several split files (one id a line) so that they replace the old ones together,
    or (on failure) not at all; returns their paths.

    Raises:
        DatasetError: an id that cannot be a line of a split file (see :func:`split_id_problem`).
    """
    texts = {}
    for split, ids in splits.items():
        ids = list(ids)
        for image_id in ids:
            check_split_id(image_id, str(split_path(root, split)))
        texts[split] = "".join(f"{i}\n" for i in ids)
    paths = []
    with atomic_writes() as stage:
        for split, text in texts.items():
            paths.append(split_path(root, split))
            stage(paths[-1]).write_text(text, encoding="utf-8")
    return paths


def labels_dir_of(root: PathLike, split: str | None) -> str:
    """The folder holding ``split``'s labels: :data:`AUG_LABELS_DIR` for a list of the augmented
    training set (:data:`AUG_SPLITS`) when the dataset has that folder, else ``SegmentationClass``
    (also for every label, ``split`` None)."""
    if split in AUG_SPLITS and (location(root) / AUG_LABELS_DIR).is_dir():
        return AUG_LABELS_DIR
    return LABELS_DIR


def labels_note(root: PathLike, split: str | None) -> str:
    """What to tell the user of the labels ``split`` reads when they are not ``SegmentationClass``'s;
    ``""`` when they are."""
    folder = labels_dir_of(root, split)
    return "" if folder == LABELS_DIR else f"{location(root) / folder} ({split}.txt's: the SBD-augmented training set)"


def labels_said(root: PathLike, split: str | None, chosen: bool, verb: str) -> str:
    """What to tell the user of the labels a pass over a VOC folder reads: those of the augmented
    set's folder (see :func:`labels_note`), or, when the pass chose ``SegmentationClass``'s itself
    (``chosen``: no split was asked for) and the dataset has an augmented set, that set's list and
    the ``--split`` that would ``verb`` it; ``""`` otherwise."""
    note = labels_note(root, split)
    if note or not chosen or (aug := aug_split(root)) is None:
        return note
    what = f"{split}.txt's" if split is not None else "every label"
    return (
        f"{location(root) / LABELS_DIR} ({what}; the dataset's {aug}.txt lists the SBD-augmented training set: "
        f"--split {aug} {verb} it)"
    )


def aug_split(root: PathLike) -> str | None:
    """The list of the augmented training set the dataset holds with its ``SegmentationClassAug``
    (the first of :data:`AUG_SPLITS`), or None."""
    if not (location(root) / AUG_LABELS_DIR).is_dir():
        return None
    return next((name for name in AUG_SPLITS if split_path(root, name).is_file()), None)


def label_path(root: PathLike, image_id: str) -> Path:
    return location(root) / LABELS_DIR / f"{image_id}.png"


def image_path(root: PathLike, image_id: str) -> Path:
    """The image of ``image_id``: ``JPEGImages/<id>.jpg``, else the first other image extension
    found; the ``.jpg`` path when none exists."""
    folder = location(root) / IMAGES_DIR
    jpg = folder / f"{image_id}.jpg"
    if jpg.exists():
        return jpg
    for ext in IMAGE_EXTENSIONS[1:]:
        candidate = folder / f"{image_id}{ext}"
        if candidate.exists():
            return candidate
    return jpg


#: The image modes of a colour mask (a VOC folder's own label maps are palette or grey).
COLOUR_MASK_MODES = ("RGB", "RGBA")


def is_mask_export(folder: PathLike) -> bool:
    """Whether ``folder`` is CVAT's "Segmentation mask" export (Datumaro's ``voc_segmentation``,
    see :mod:`labeltools.formats.segmask`): a VOC folder whose first and last class masks are
    colour images (a dataset with a stray colour mask among its label maps is none)."""
    root = location(folder)
    if not is_voc_root(root):
        return False
    masks = list_files(root / LABELS_DIR, (".png",))
    if not masks:
        return False
    try:
        for mask in {str(masks[0]): masks[0], str(masks[-1]): masks[-1]}.values():
            with open_image(mask, DatasetError) as image:
                if image.mode not in COLOUR_MASK_MODES:
                    return False
    except DatasetError:
        return False
    return True


def refuse_mask_export(root: PathLike) -> None:
    """Raise DatasetError for a segmentation mask export given where a VOC dataset's label maps
    are read: its masks are colours, each would fail alone."""
    if is_mask_export(root):
        colours = f"the colours of its {LABELMAP_FILE}" if (location(root) / LABELMAP_FILE).is_file() else "PASCAL VOC's colours"
        raise DatasetError(
            f"{root}: {LABELS_DIR}/ holds colour masks in {colours}, not label maps (CVAT's \"Segmentation mask\" "
            f"export writes them so): labeltools convert {shell_word(root)} NEW_FOLDER makes a dataset of them"
        )


def label_ids(root: PathLike, labels_dir: str = LABELS_DIR) -> list[str]:
    """Ids of every label in ``SegmentationClass`` (or the dataset's ``labels_dir``), sorted."""
    folder = location(root) / labels_dir
    if not folder.is_dir():
        raise DatasetError(not_a_voc_folder(root, labels_dir))
    return [p.stem for p in pngs_in(folder)]


def not_a_voc_folder(root: PathLike, labels_dir: str = LABELS_DIR) -> str:
    """Why ``root`` is no VOC dataset folder, in words: none of that name, a file (an annotation
    file, with the way to convert it), a dataset's own label folder, or a folder without
    ``labels_dir`` (with what it holds instead)."""
    where = location(root)
    if not where.is_dir():
        return not_a_folder(root)
    if where.name in (LABELS_DIR, OBJECTS_DIR) and is_voc_root(where.parent):
        return f"{root}: the label maps of the VOC dataset {where.parent}, not a dataset: give the dataset's folder ({where.parent})"
    datasets = datasets_inside_said(where) if labels_dir == LABELS_DIR else ""
    return f"{root}: not a VOC dataset folder (no {labels_dir}/ inside){other_masks_hint(root)}{datasets}"


def datasets_inside_said(folder: Any, depth: int = 2) -> str:
    """The VOC datasets in the folders under ``folder``, ``depth`` levels down at most, as a
    download unpacks them (``VOCdevkit/VOC2012``, under the folder torchvision's ``root``
    names), to follow an error that found none in ``folder`` itself; ``""`` when there is none."""
    found: list[Any] = []
    level = [folder]
    for _ in range(depth):
        children = sorted((child for parent in level for child in parent.iterdir() if child.is_dir()), key=str)
        level = []  # the folders to look into next: those that are no dataset
        for child in children:
            (found if is_voc_root(child) else level).append(child)
    if not found:
        return ""
    found.sort(key=str)
    held = ", ".join(map(str, found[:3])) + (f" and {len(found) - 3} more" if len(found) > 3 else "")
    return f"; it holds the VOC dataset(s) {held}: give the dataset's folder"


def no_labels(root: PathLike) -> str:
    """Why a VOC folder's ``SegmentationClass`` holds no label PNG, with the folder, in words: the
    ``.npy`` arrays it holds instead and the ``SegmentationClassPNG`` beside it where labelme 4
    wrote the PNGs."""
    folder = location(root) / LABELS_DIR
    arrays = list_files(folder, (".npy",)) if folder.is_dir() else []
    held = f" (it holds {len(arrays)} .npy array(s))" if arrays else ""
    old = location(root) / LABELME4_LABELS_DIR
    pngs = list_files(old, (".png",)) if old.is_dir() else []
    if not pngs:
        return f"{folder}: no .png label files{held}"
    return (
        f"{folder}: no .png label files{held}, but {old} holds {len(pngs)}: labelme 4's labelme2voc wrote them there, "
        f"where no loader reads them (torchvision, mmsegmentation and pytorch-deeplab-xception read {LABELS_DIR}/<id>.png); "
        f"move them into {LABELS_DIR}/"
    )


def dataset_ids(root: PathLike, split: str | None = None) -> list[str]:
    """The ids of ``split``, or of every label when ``split`` is None.

    Raises:
        DatasetError: not a VOC folder, or the split file is missing.
    """
    if not is_voc_root(root):
        raise DatasetError(not_a_voc_folder(root))
    refuse_mask_export(root)
    return label_ids(root) if split is None else read_split(root, split)


def dataset_label_paths(root: PathLike, split: str | None = None) -> list[Path]:
    """Label file paths for ``split`` (or all labels in ``SegmentationClass``), in split order;
    those of the augmented training set's lists in ``SegmentationClassAug`` (see :func:`labels_dir_of`)."""
    folder = location(root) / labels_dir_of(root, split)
    return [folder / f"{i}.png" for i in dataset_ids(root, split)]


def load_class_table(root: PathLike) -> ClassTable | None:
    """The dataset's class table: its ``class_names.txt`` (with the colours and void entry of its
    ``dataset_meta.json`` when that lists the same classes), else its ``dataset_meta.json``, else
    its ``labelmap.txt`` (a dataset exported by Datumaro or CVAT); None when it has none."""
    found = [location(root) / name for name in (CLASS_NAMES_FILE, META_FILE, LABELMAP_FILE)]
    found = [path for path in found if path.is_file()]
    if not found:
        return None
    table = ClassTable.load(found[0])
    if found[0].name == CLASS_NAMES_FILE and len(found) > 1 and found[1].name == META_FILE:
        try:
            meta = ClassTable.load(found[1])
        except ClassTableError:  # class_names.txt is the record; a broken copy adds nothing
            return table
        if meta.names == table.names:
            return ClassTable(meta.entries, table.source)
    return table


#: The class lists datasets ship beside their labels, read where a folder holds no table of
#: ours: Roboflow's ``_classes.csv`` (among its masks), CamVid's ``class_dict.csv`` (Kaggle's,
#: above ``train_labels/``) and ``label_colors.txt``, a Hugging Face dataset's ``id2label.json``,
#: ISAT's VOC converter's ``classification.txt`` (class i on line i, ``__background__`` first).
SHIPPED_TABLES: tuple[str, ...] = ("_classes.csv", "class_dict.csv", "label_colors.txt", "id2label.json", "classification.txt")
#: Those a dataset keeps above its folders of labels, where Roboflow's list never is (the
#: Semantic Drone Dataset's ``class_dict_seg.csv``, Kaggle's Massachusetts Roads' and
#: Buildings' ``label_class_dict.csv``).
SHIPPED_ABOVE: tuple[str, ...] = ("class_dict.csv", "class_dict_seg.csv", "label_class_dict.csv", "label_colors.txt")

#: The class lists of a Supervisely project (``meta.json``) and of the datasets exported from
#: one (``classes.json``: Kaggle's aerial imagery of Dubai, a folder of tiles each holding
#: ``images/`` and ``masks/``), with their masks' colours; read where they hold such a list.
CLASS_META_FILES: tuple[str, ...] = ("classes.json", "meta.json")

_said_tables: set[str] = set()  # the shipped lists already said, once a process


def class_meta_table(folder: Any) -> ClassTable | None:
    """The class list of a Supervisely project in ``folder`` (see :data:`CLASS_META_FILES`),
    None where it holds none (a file of that name holding anything else among them)."""
    for name in CLASS_META_FILES:
        path = folder / name
        if path.is_file():
            try:
                data = json.loads(read_small_text(path))
            except (OSError, ValueError):
                continue
            if is_class_meta(data):
                return ClassTable.load(path)
    return None


def nearby_class_table(folder: PathLike, labels: PathLike | None = None, said: bool = False) -> ClassTable | None:
    """The class table of a dataset folder, or of the dataset around a folder of its labels
    (``voc/SegmentationClass`` finds ``voc/class_names.txt``), else a list the dataset shipped
    (:data:`SHIPPED_TABLES`) in the folder of ``labels`` read apart from it or in a folder of
    labels, else the table of the dataset's folder, the one that holds the labels' images too
    (``data/class_names.txt`` or Datumaro's ``dataset_meta.json`` above ``data/masks`` beside
    ``data/images``), or a list a dataset ships above its labels (:data:`SHIPPED_ABOVE`) there or
    in the labels' parent folder, or above a KITTI subset's folder, or the names of the
    Ultralytics semantic dataset's data.yaml they belong to (unless its ``label_mapping``
    rewrites their values) (``said`` once, when it is the table a command reads by); None when
    there is none."""
    root = location(folder)
    found = load_class_table(root)
    if found is None and is_voc_root(root.parent):
        return load_class_table(root.parent)
    if found is not None:
        return found
    places = [(location(labels), SHIPPED_TABLES)] if labels is not None else []
    metas = [root]  # where a Supervisely project's class list may be (see CLASS_META_FILES)
    if not is_voc_root(root) and _holds_masks(root):  # a folder of labels, then its dataset's folder
        places.append((root, SHIPPED_TABLES))
        dataset = _dataset_folder(root)
        top = dataset or root.parent  # a download's list may be a level or two above (a tile's folder, the tiles')
        metas += list(dict.fromkeys([top, top.parent, top.parent.parent]))
        if dataset is not None:  # its class_names.txt, dataset_meta.json (Datumaro's common_semantic_segmentation)
            found = load_class_table(dataset)
            if found is not None:
                return _said(found, said)
        places.append((dataset or root.parent, SHIPPED_ABOVE))
        if dataset is not None and (dataset / "image_2").is_dir():  # KITTI's export (Datumaro's, CVAT's): the list above its subsets
            places.append((dataset.parent, SHIPPED_ABOVE))
        mapillary = _mapillary_config(root, dataset)
        if mapillary is not None:
            return _said(mapillary, said)
    else:
        places.append((root, SHIPPED_ABOVE))
    for place, names in places:
        for name in names:
            if (place / name).is_file():
                return _said(ClassTable.load(place / name), said)
    for n, place in enumerate(metas):
        if n > 1:  # above the dataset's folder, where the shipped lists of the places above were not looked for
            shipped = next((place / name for name in SHIPPED_ABOVE if (place / name).is_file()), None)
            if shipped is not None:
                return _said(ClassTable.load(shipped), said)
        if (meta := class_meta_table(place)) is not None:
            return _said(meta, said)
    from labeltools.formats.yolo import semantic_yaml_above

    semantic = semantic_yaml_above(labels if labels is not None else root)  # an Ultralytics semantic dataset's data.yaml
    if semantic is not None and not semantic.label_mapping:  # mapped, the values are no class of its names
        return _said(semantic.table, said)
    return None


def _holds_masks(folder: Any) -> bool:
    """Whether a folder holds label PNGs or masks of another format (Massachusetts Roads'
    TIFFs, Carvana's GIFs): their list is looked for as a PNG's."""
    return folder.is_dir() and any(path.name.lower().endswith(MASK_SUFFIXES) for path in folder.iterdir())


def _mapillary_config(labels: Any, dataset: Any | None) -> ClassTable | None:
    """The labels of Mapillary Vistas' ``labels`` folder (``training/v2.0/labels``): its
    release's ``config_v2.0.json`` in the split's folder or the one above it, as Datumaro finds
    it; for the first release's ``training/labels``, ``config.json`` above the split's folder
    when it is Mapillary's (``labels`` with colours and readable names). None otherwise."""
    if labels.name != "labels" or dataset is None:
        return None
    version = labels.parent.name
    names = [f"config_{version}.json"] if is_version_name(version) else ["config.json"]
    for place in (dataset, dataset.parent):
        for name in names:
            path = place / name
            if path.is_file() and (name != "config.json" or _is_mapillary(path)):
                return ClassTable.load(path)
    return None


def _is_mapillary(path: Any) -> bool:
    try:
        labels = json.loads(path.read_text(encoding="utf-8")).get("labels")
    except (ValueError, OSError, AttributeError):
        return False
    return isinstance(labels, list) and bool(labels) and all(isinstance(e, dict) and "readable" in e and "color" in e for e in labels)


def _dataset_folder(labels: Any) -> Any | None:
    """The folder of the dataset a folder of labels belongs to: the nearest folder above it that
    holds its images' folder too (``data/`` of ``data/masks`` and ``data/images``, the root of
    ``ann_dir/train`` and ``img_dir/train``); None when no images' folder is beside it (a
    folder of predictions in a working folder)."""
    images, _ = images_beside(labels)
    if images is None or images == labels:
        return None
    return next((folder for folder in labels.parents if str(images).startswith(str(folder).rstrip("/") + "/")), None)


def _said(table: ClassTable, said: bool) -> ClassTable:
    """``table``, said once a process when ``said`` (see :func:`nearby_class_table`)."""
    if said and table.source not in _said_tables:
        _said_tables.add(table.source)
        log.info("classes: %s, the list the labels came with (--classes gives another)", table.source)
    return table


#: Spellings of class 0 that name the same thing (labelme's, the VOC preset's, Detectron's).
_BACKGROUNDS = {BACKGROUND_NAME, "background", "__background__"}


def _readable_table(root: PathLike) -> ClassTable | None:
    """The labels' own class table at ``root`` (see :func:`nearby_class_table`), or None when
    they have none or it cannot be read (a record that cannot be read contradicts nothing)."""
    try:
        return nearby_class_table(root)
    except ClassTableError:
        return None


def has_own_table(root: PathLike) -> bool:
    """Whether the labels at ``root`` (a folder of labels or a VOC folder) carry a readable class
    table of their own."""
    return _readable_table(root) is not None


def tables_disagree(table: ClassTable, own: ClassTable, wider: bool = False) -> str | None:
    """Where two class tables part: the first class they name differently (class 0's background
    spellings agree), or their numbers of classes; None when they agree. A ``wider`` table
    may name classes beyond ``own``'s (one table for several datasets' labels)."""
    mine, theirs = ({e.index: e.name for e in t.classes} for t in (table, own))  # by value: a table may skip some
    shared = sorted(mine.keys() & theirs.keys())
    differing = next((i for i in shared if mine[i] != theirs[i] and not (i == 0 and {mine[i], theirs[i]} <= _BACKGROUNDS)), None)
    if differing is not None:
        return f"{table.source} calls class {differing} {mine[differing]!r}, {own.source} calls it {theirs[differing]!r}"
    if wider and theirs.keys() <= mine.keys():
        return None
    if table.num_classes != own.num_classes:
        return f"{table.source} has {table.num_classes} classes, {own.source} has {own.num_classes}"
    if mine.keys() != theirs.keys():
        value = min(mine.keys() ^ theirs.keys())
        return f"{table.source} {'has' if value in mine else 'has no'} class {value}, {own.source} {'has none' if value in mine else 'has one'}"
    return None


def class_file_disagreements(root: PathLike) -> list[tuple[Path, str]]:
    """Where a dataset's copies of its class table part from its ``class_names.txt``: each
    ``dataset_meta.json`` or ``labelmap.txt`` that names a class otherwise (Datumaro, CVAT and
    mmsegmentation read those, torchvision-style loaders the first), or that cannot be read, as
    ``(file, what is wrong)``. Nothing when there is no readable ``class_names.txt``."""
    root = location(root)
    try:
        names = ClassTable.load(root / CLASS_NAMES_FILE) if (root / CLASS_NAMES_FILE).is_file() else None
    except ClassTableError:
        return []  # the record itself is unreadable: reported as such
    if names is None:
        return []
    found = []
    for copy in (root / META_FILE, root / LABELMAP_FILE):
        if not copy.is_file():
            continue
        try:
            what = tables_disagree(names, ClassTable.load(copy))
        except ClassTableError as exc:
            found.append((copy, f"{exc}: the tools that read this file find no classes"))
            continue
        if what is not None:
            found.append((copy, f"{what}: the tools that read this file see other classes than those that read {CLASS_NAMES_FILE}"))
    return found


def check_labels_agree(table: ClassTable, root: PathLike, asked: bool, own: ClassTable | None = None) -> None:
    """Compare the class table a command reads labels by with the own table of the labels at
    ``root`` (a folder of labels or a VOC folder; ``own`` when given, the table a dataset of
    another kind came with). Where they name the classes otherwise, the same values mean other
    classes: a table the user ``asked`` for is used with a warning; otherwise the contradiction
    is refused. Labels without a readable table of their own agree with any.

    Raises:
        DatasetError: not ``asked``, and the tables disagree (the first class they name
            differently is named).
    """
    own = own if own is not None else _readable_table(root)
    if own is None or (what := tables_disagree(table, own)) is None:
        return
    if asked:
        log.warning("%s; using %s, as asked", what, table.source)
        return
    raise DatasetError(f"{what}: the same label values would mean other classes; mend one, or give --classes to read both by one table")


def dataset_class_table(
    root: PathLike | None = None,
    classes: ClassTable | PathLike | None = None,
    num_classes: int | None = None,
    labels: PathLike | None = None,
) -> ClassTable | None:
    """The class table a dataset command works with: ``classes`` (a table, preset name or file)
    when given (with a warning when it names the classes otherwise than the dataset's own table
    at ``root``); else the dataset's own (see :func:`nearby_class_table`, which looks for a list
    the dataset shipped beside its ``labels`` too); else
    ``num_classes`` classes named ``class_<i>``; else None. A ``num_classes`` beside a table
    must agree with it.

    Raises:
        DatasetError: ``num_classes`` outside 1..255, or not the table's number of classes.
        ClassTableError: a table file is missing or malformed.
    """
    if num_classes is not None and not 1 <= num_classes <= MAX_CLASSES:
        raise DatasetError(f"the number of classes must be 1..{MAX_CLASSES} (255 is void), got {num_classes}")
    table: ClassTable | None = None
    if classes is not None:
        table = classes if isinstance(classes, ClassTable) else ClassTable.load(classes)
        if root is not None:
            check_labels_agree(table, root, asked=True)
    elif root is not None:
        table = nearby_class_table(root, labels, said=True)
    if table is None:
        return None if num_classes is None else ClassTable.from_names(class_names_for(num_classes), f"{num_classes} classes")
    if num_classes is not None and num_classes != table.num_classes:
        raise DatasetError(
            f"{table.source} has {table.num_classes} classes, but {num_classes} were asked for "
            "(--num-classes); leave the number out to use the table, or give the table that fits"
        )
    return table


def read_image(path: PathLike) -> NDArray[np.uint8]:
    """An image file as displayed (EXIF orientation applied), ``(H, W, 3)`` uint8 RGB.

    Raises:
        DatasetError: missing or unreadable file.
    """
    with open_image(path, DatasetError, what="image file") as image:
        return np.asarray(ImageOps.exif_transpose(image).convert("RGB"))


def _writable(array: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """The array itself if writable, else a copy: arrays viewing Pillow's buffer are read-only,
    which in-place augmentations cannot use and torch's ``default_collate`` warns about."""
    return array if array.flags.writeable else array.copy()


class VOCSegmentation:
    """Map-style dataset over a VOC folder, usable with a torch ``DataLoader`` or on its own.

    ``dataset[i]`` is ``{"image": (H, W, 3) uint8, "label": (H, W) uint8, "id": str}`` (writable
    numpy arrays of the sample's own), passed through ``transform`` when one is given.

    Args:
        root: the VOC folder.
        split: a split name (``train``, ``val``, ...), or None for every label. The labels of
            ``train_aug`` (``aug``, ``trainaug``) are read from ``SegmentationClassAug`` when
            the dataset has one (see :func:`labels_dir_of`).
        transform: optional callable applied to each sample dict.
        load_images: set False to skip decoding images: the sample is then ``{"label", "id"}``
            (no ``"image"``, which a ``DataLoader`` could not batch as None).

    Raises:
        DatasetError: not a VOC folder or missing split; on access, a missing or bad file.
    """

    def __init__(
        self,
        root: PathLike,
        split: str | None = "train",
        transform: Callable[[dict[str, Any]], Any] | None = None,
        load_images: bool = True,
    ) -> None:
        self.root = location(root)
        self.split = split
        self.ids: Sequence[str] = dataset_ids(root, split)
        self.labels = self.root / labels_dir_of(root, split)
        self.transform = transform
        self.load_images = load_images

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index: int) -> Any:
        if not -len(self.ids) <= index < len(self.ids):
            raise IndexError(f"index {index} out of range for {len(self.ids)} samples")
        image_id = self.ids[index]
        label = _writable(read_label(self.labels / f"{image_id}.png"))
        sample = {"label": label, "id": image_id}
        if self.load_images:
            sample = {"image": _writable(read_image(image_path(self.root, image_id))), **sample}
        return self.transform(sample) if self.transform is not None else sample

    def __repr__(self) -> str:
        return f"VOCSegmentation({str(self.root)!r}, split={self.split!r}, {len(self)} samples)"


def select_label_paths(
    root: PathLike,
    split: str | None = None,
    labels_dir: PathLike | None = None,
    default_split: str | None = "train",
) -> tuple[list[Path], str | None]:
    """The label files a dataset-wide pass reads, and the split they come from.

    Without ``labels_dir``, ``root`` is a VOC folder: the labels of ``split``, else of
    ``default_split`` when its split file exists, else every label in ``SegmentationClass``
    (always, with ``default_split=None``); a list of the augmented training set reads
    ``SegmentationClassAug`` (see :func:`labels_dir_of`).
    With ``labels_dir`` (any folder of label PNGs): the ``<id>.png`` of ``root``'s ``split`` when
    one is given, else every ``*.png`` in the folder, sorted.

    Returns:
        ``(paths, split)``: label file paths (not checked for existence, in split order), and the
        split used (None for every label).

    Raises:
        DatasetError: not a VOC folder, missing split file, no such ``labels_dir``, or no labels.
    """
    chosen = ""
    if labels_dir is None:
        if split is None and default_split is not None and split_path(root, default_split).is_file():
            split = default_split
            others = [name for name in available_splits(root) if name != split]
            chosen = " (read by default" + (f"; --split names another: {', '.join(others)})" if others else ")")
        paths = dataset_label_paths(root, split)
        folder = location(root) / labels_dir_of(root, split)
    else:
        folder = location(labels_dir)
        if not folder.is_dir():
            raise DatasetError(f"{folder}: no such folder of label PNGs")
        if split is None:
            paths = pngs_in(folder)
        else:
            paths = [folder / f"{i}.png" for i in read_split(root, split)]
    if not paths:
        if split is not None:
            raise DatasetError(f"{split_path(root, split)}: the split lists no ids{chosen}")
        raise DatasetError(no_labels(root) if labels_dir is None else f"{folder}: no .png label files{other_masks_hint(folder)}")
    return paths, split
