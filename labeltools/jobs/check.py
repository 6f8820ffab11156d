"""The dataset checker behind ``labeltools check``: every problem of a VOC folder (or of a folder
of label PNGs and their images, or of a Cityscapes folder) once, with its file and a severity.

Folder-level checks run when a :class:`DatasetCheck` is made; the samples (label and image files)
are read in parallel by :meth:`DatasetCheck.run`, one result per sample.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from labeltools.core._types import PathLike
from labeltools.core.arrays import value_counts
from labeltools.core.classes import ClassTable
from labeltools.core.colormap import grey_read_hint, voc_colormap
from labeltools.core.errors import (
    ClassTableError,
    ColourImageError,
    DatasetError,
    LabelFileError,
    LabeltoolsError,
    format_values,
    none_of,
    shell_word,
)
from labeltools.core.options import VOID
from labeltools.engine.executor import FileResult, map_files
from labeltools.engine.storage import is_remote, is_temporary, list_files, location
from labeltools.formats.cityscapes import FRAME_MAPS, GT_FOLDERS, IMAGE_SUFFIX, IMAGES_FOLDER, MAP_NAMES, export_class_table, frame_map, gt_folder
from labeltools.formats.folders import images_of, not_a_folder, other_masks_hint, pair_by_stem
from labeltools.formats.hub import TABLE_FILE, HubLabelRow, hub_row
from labeltools.formats.images import EXIF_ORIENTATION, SIDE_SWAPPING_ORIENTATIONS
from labeltools.formats.labels import (
    INDEX_MODES,
    PIL_ERRORS,
    image_histogram,
    image_palette,
    not_png_hint,
    open_image,
    open_pillow,
    plain_png,
    png_pixel_shortfall,
    read_image_bytes,
    read_label,
    read_label_palette,
    write_json,
)
from labeltools.formats.voc import (
    AUG_LABELS_DIR,
    AUG_SPLITS,
    CLASS_NAMES_FILE,
    GIVE_CLASSES,
    IMAGES_DIR,
    LABELS_DIR,
    META_FILE,
    SPLITS,
    SPLITS_DIR,
    TEST_SPLIT,
    WITHHELD,
    available_splits,
    class_file_disagreements,
    dataset_class_table,
    datasets_inside_said,
    image_path,
    is_voc_root,
    label_ids,
    is_withheld_test,
    labels_dir_of,
    no_labels,
    read_split,
    recorded_split_group,
    refuse_mask_export,
    split_path,
)
from labeltools.jobs.hub_labels import ADE20K_WAYS, NO_TABLE_SAID, HubLabels, colour_row_said, refuse_shipped_ade20k
from labeltools.jobs.stats import existing_split_balance
from labeltools.ops.counts import BINARY_MASK_HINT, binary_mask_share
from labeltools.ops.remap import index_to_rgb
from labeltools.ops.splits import ClassBalance, id_groups, imbalance, sparse_counts, split_balance, straddling

ERROR = "error"

WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a dataset.

    Attributes:
        severity: ``"error"`` (the dataset will mislead training or evaluation) or ``"warning"``.
        kind: a short fixed code, e.g. ``missing-label``, ``size-mismatch``.
        file: the file the problem is in (or the file that should exist).
        message: what is wrong and what was expected.
    """

    severity: str
    kind: str
    file: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def _problem(severity: str, kind: str, file: PathLike, message: str) -> tuple[str, str, str, str]:
    text = message
    prefix = f"{file}: "
    if text.startswith(prefix):  # library errors name the file first; the report has a column for it
        text = text[len(prefix) :]
    return (severity, kind, str(file), text)


def check_sample(
    item: tuple[str, str] | HubLabelRow,
    valid_values: bytes | None = None,
    palette: bytes | None = None,
    palette_name: str = "the VOC colormap",
    classes_name: str = "of the class table",
) -> FileResult:
    """Check one sample's label and image files, or a Hugging Face dataset's row (see
    :func:`check_row`).

    Args:
        item: ``(label_path, image_path)``, either ``""`` when the file does not exist; or a row.
        valid_values: 256 bytes, non-zero for the allowed label values; None skips the check.
        palette: 768 bytes, the expected colours of palette labels; None skips the check.
        palette_name: how to name the expected colours in messages.
        classes_name: how to name the allowed classes in messages.

    Returns:
        A :class:`FileResult` whose ``data`` is ``{"problems": [...], "pixels": {...}, "size":
        (H, W), "image_digest": ...}``: the label's pixel counts (value -> pixels) and size (both
        None when it is unreadable), the digest of the image's bytes (None without a readable
        one: see :meth:`DatasetCheck.add_overlaps`) and a list of
        ``(severity, kind, file, message)`` problems: unreadable or truncated files, labels that are not PNG or not palette/grayscale,
        values outside the allowed ones, palettes that differ from the expected colours
        (warning), label and image sizes that differ.
    """
    if isinstance(item, HubLabelRow):
        return check_row(item, valid_values, classes_name)
    label_file, image_file = item
    problems: list[tuple[str, str, str, str]] = []
    pixels, label_hw = _label_checked(label_file, None, problems, valid_values, palette, palette_name, classes_name)
    digest = _image_checked(image_file, None, label_file, label_hw, problems)
    return FileResult(source=label_file or image_file, data={"problems": problems, "pixels": pixels, "size": label_hw, "image_digest": digest})


def check_row(item: HubLabelRow, valid_values: bytes | None = None, classes_name: str = "of the class table") -> FileResult:
    """Check a Hugging Face dataset's row as :func:`check_sample` checks a sample: its label map
    (its palette left alone: the ``datasets`` library reads its indices) and its image, whose size
    is the one the ``datasets`` library decodes (turned upright by its EXIF orientation). A
    problem names the row (``data/train-00000-of-00001.parquet: row 3, label map``).

    Returns:
        A :class:`FileResult` as :func:`check_sample`'s.
    """
    source = str(item)
    problems: list[tuple[str, str, str, str]] = []
    try:
        row = hub_row(item.path, item.row, item.stamp)
    except LabeltoolsError as exc:
        problems.append(_problem(ERROR, "unreadable", source, str(exc)))
        return FileResult(source=source, data={"problems": problems, "pixels": None, "size": None, "image_digest": None})
    label_name, image_name = row_files(item)
    colour = partial(colour_row_said, item, "checks")
    pixels, label_hw = _label_checked(label_name, row.label, problems, valid_values, None, "", classes_name, colour)
    digest = _image_checked(image_name, row.image, label_name, label_hw, problems, upright=True)
    return FileResult(source=source, data={"problems": problems, "pixels": pixels, "size": label_hw, "image_digest": digest})


def row_files(item: HubLabelRow | str) -> tuple[str, str]:
    """How a row's label map and image are named (``data/train-00000-of-00001.parquet: row 3,
    label map``), as the files of a sample are."""
    return f"{item}, label map", f"{item}, image"


def _label_checked(
    label_file: str,
    data: bytes | None,
    problems: list[tuple[str, str, str, str]],
    valid_values: bytes | None,
    palette: bytes | None,
    palette_name: str,
    classes_name: str,
    colour: Callable[[str], str] | None = None,
) -> tuple[dict[int, int] | None, tuple[int, int] | None]:
    """The pixels of each value and the ``(H, W)`` of a sample's label (read from ``data``
    when given), (None, None) without one or when it cannot be read; its problems added (see
    :func:`check_sample`; ``colour``: see :func:`_check_label`)."""
    if not label_file:
        return None, None
    label = _check_label(label_file, problems, data, colour)
    if label is None:
        return None, None
    counts, label_hw, label_palette = label
    present = counts > 0
    if valid_values is not None:
        allowed = np.frombuffer(valid_values, dtype=np.uint8).astype(bool)
        bad = np.flatnonzero(present & ~allowed)
        if bad.size:
            values = f"values {format_values(bad)} are" if bad.size > 1 else f"value {bad[0]} is"
            problems.append(
                _problem(
                    ERROR, "label-values", label_file,
                    f"label {values} neither a class {classes_name} nor 255 (void)",
                )  # fmt: skip
            )
    if palette is not None and label_palette is not None:
        expected = np.frombuffer(palette, dtype=np.uint8).reshape(256, 3)
        differ = np.flatnonzero(present & (label_palette != expected).any(axis=1))
        if differ.size:
            first = int(differ[0])
            more = f" (and {differ.size - 1} more used indices)" if differ.size > 1 else ""
            problems.append(
                _problem(
                    WARNING, "palette", label_file,
                    f"palette is not {palette_name}: index {first} shows "
                    f"{tuple(int(c) for c in label_palette[first])} instead of "
                    f"{tuple(int(c) for c in expected[first])}{more}",
                )  # fmt: skip
            )
    return sparse_counts(counts.tolist()), label_hw


def _image_checked(
    image_file: str,
    data: bytes | None,
    label_file: str,
    label_hw: tuple[int, int] | None,
    problems: list[tuple[str, str, str, str]],
    upright: bool = False,
) -> str | None:
    """Add the problems of a sample's image (read from ``data`` when given): unreadable, or of a
    size other than its label's (``label_hw``, when known); ``upright``: its size is the one its
    EXIF orientation gives, as the reader applies it. Returns the digest of its bytes (see
    :meth:`DatasetCheck.add_overlaps`), None without one or when it cannot be read."""
    if not image_file:
        return None
    checked = _check_image(image_file, problems, data)
    if checked is None:
        return None
    (width, height), swapped_by_exif, digest = checked
    if label_hw is None:
        return digest
    if upright and swapped_by_exif:
        width, height = height, width
    label_height, label_width = label_hw
    if (width, height) == (label_width, label_height):
        return digest
    hint = ""
    if upright and swapped_by_exif:
        hint = f"; the datasets library turns it upright by its EXIF orientation, as it is stored {height}x{width}"
    elif swapped_by_exif and (height, width) == (label_width, label_height):
        hint = (
            f"; its EXIF orientation shows it as {height}x{width}, which some loaders "
            "apply and others (torchvision's) do not"
        )
    image_said = "its image" if upright else f"its image {image_file}"
    problems.append(
        _problem(
            ERROR, "size-mismatch", label_file,
            f"label is {label_width}x{label_height} but {image_said} is "
            f"{width}x{height} (width x height){hint}",
        )  # fmt: skip
    )
    return digest


def _check_label(
    path: str, problems: list[tuple[str, str, str, str]], data: bytes | None = None, colour: Callable[[str], str] | None = None
) -> tuple[NDArray[np.int64], tuple[int, int], NDArray[np.uint8] | None] | None:
    """``((256,) pixel counts per value, (H, W), palette or None)`` of a label file (of
    ``data``, its bytes, when given), or None after adding the problem that keeps it from being
    read (``colour``, given the mode, says it of a colour image, else the reader's words).

    The file is opened once; palette and grayscale PNGs are counted by Pillow without building
    the array, other modes go through :func:`~labeltools.formats.labels.read_label_palette`."""
    if data is None:
        try:
            data = read_image_bytes(path, LabelFileError, "file")
        except LabeltoolsError as exc:
            problems.append(_problem(ERROR, "unreadable", path, str(exc).removeprefix(f"{path}: ")))
            return None
    try:
        plain = plain_png(data, path)
    except LabeltoolsError as exc:
        problems.append(_problem(ERROR, "unreadable", path, str(exc)))
        return None
    if plain is not None:  # a complete, plain label PNG: counted without Pillow
        return plain.histogram(), (plain.rows.shape[0], plain.rows.shape[1] - 1), plain.palette
    try:
        with open_pillow(data, path) as image:
            file_format, mode = image.format, image.mode
            counts = image_histogram(image) if file_format == "PNG" else None
            shortfall = png_pixel_shortfall(data) if file_format == "PNG" else None
            if shortfall is not None:
                got, expected = shortfall
                problems.append(
                    _problem(
                        ERROR, "truncated", path,
                        f"pixel data ends early: {got} of the {expected} bytes its "
                        f"{image.width}x{image.height} header declares (the rest would read as 0)",
                    )  # fmt: skip
                )
                return None
            if counts is not None:
                return counts, (image.height, image.width), image_palette(image) if mode == "P" else None
    except LabeltoolsError as exc:
        problems.append(_problem(ERROR, "unreadable", path, str(exc)))
        return None
    except PIL_ERRORS as exc:
        problems.append(_problem(ERROR, "unreadable", path, f"cannot read image ({exc})"))
        return None
    if file_format != "PNG":
        problems.append(
            _problem(
                ERROR, "label-format", path,
                f"label is a {file_format} file, not a PNG (lossy formats change class values)",
            )  # fmt: skip
        )
        return None
    try:
        label, palette = read_label_palette(path, data=data)
    except ColourImageError as exc:
        problems.append(_problem(ERROR, "label-mode", path, str(exc) if colour is None else colour(mode)))
        return None
    except LabeltoolsError as exc:
        kind = "unreadable" if mode in INDEX_MODES else "label-mode"
        problems.append(_problem(ERROR, kind, path, str(exc)))
        return None
    return value_counts(label), (label.shape[0], label.shape[1]), palette


def _check_image(
    path: str, problems: list[tuple[str, str, str, str]], data: bytes | None = None
) -> tuple[tuple[int, int], bool, str] | None:
    """``((width, height), whether its EXIF orientation swaps its sides, the digest of its
    bytes)`` of an image file (of ``data``, its bytes, when given), or None after adding the
    problem that keeps it from being read."""
    try:
        data = read_image_bytes(path, LabelFileError, "file") if data is None else data
        with open_image(path, data=data) as image:
            size = image.size
            swapped = image.getexif().get(EXIF_ORIENTATION) in SIDE_SWAPPING_ORIENTATIONS
            if image.format == "JPEG":  # every byte is still decoded, at an eighth of the size
                image.draft(None, (max(1, size[0] // 8), max(1, size[1] // 8)))
            image.load()  # decodes everything: truncated files fail here
    except LabeltoolsError as exc:
        problems.append(_problem(ERROR, "unreadable", path, str(exc)))
        return None
    return size, swapped, hashlib.blake2b(data, digest_size=16).hexdigest()


def first_split_of(splits: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Each listed id's first split: ``train.txt``'s, ``val.txt``'s, then the other files' by
    name, ``trainval.txt`` (which lists both) last."""
    order = sorted(splits, key=lambda name: (name not in SPLITS[:2], SPLITS.index(name) if name in SPLITS else 0, name))
    found: dict[str, str] = {}
    for name in order:
        for image_id in splits[name]:
            found.setdefault(image_id, name)
    return found


#: Split files that must not share an id: (problem kind, the split scored, the split it must
#: not have seen, what sharing would do).
_LEAKS = (
    ("train-val-overlap", "val", "train", "validation would score training images"),
    ("test-overlap", TEST_SPLIT, "train", "the test would score training images"),
    ("test-overlap", TEST_SPLIT, "val", "the test would score images the model was chosen on"),
    *(("train-val-overlap", "val", aug, "validation would score training images") for aug in AUG_SPLITS),
    *(("test-overlap", TEST_SPLIT, aug, "the test would score training images") for aug in AUG_SPLITS),
)


def _aug_hint(lists: list[str], has_aug: bool) -> str:
    """Where the labels of an augmented training set's list belong, when the dataset lacks that
    folder (``has_aug`` False)."""
    augs = [name for name in lists if Path(name).stem in AUG_SPLITS]
    if not augs or has_aug:
        return ""
    return (
        f"; {augs[0]} lists the SBD-augmented training set, whose labels belong in {AUG_LABELS_DIR}/ "
        "(labeltools sbd writes them there from SBD's release)"
    )


class _Problems:
    """The problems a check found, by severity, as ``check --json`` writes them."""

    root: Any
    items: list[Any]
    aug_items: Sequence[tuple[str, str]] = ()  # a VOC folder's labels of the augmented training set
    notes: Sequence[str] = ()  # what the check chose or left alone, for the user
    problems: list[Problem]
    table: ClassTable | None  # the classes label values are checked against, if known

    @property
    def samples(self) -> int:
        """How many samples :meth:`run` checks."""
        return len(self.items) + len(self.aug_items)

    def _add(self, severity: str, kind: str, file: PathLike, message: str) -> None:
        self.problems.append(Problem(*_problem(severity, kind, file, message)))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": str(self.root),
            "samples": self.samples,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "problems": [p.to_dict() for p in self.problems],
        }

    def save_json(self, path: PathLike) -> None:
        """Write :meth:`to_dict` as JSON, atomically."""
        write_json(path, self.to_dict())


class DatasetCheck(_Problems):
    """A check of a VOC folder: the folder-level problems at once, the files by :meth:`run`.

    Folder-level checks (on construction): the class table, split files (readable, duplicate
    ids, ids in both train and val, or in test and train or val), every id listed in a split
    has a label and an image, every label has an image, labels that no split lists and images
    the usual loaders do not open (warnings). The labels of the augmented training set's lists
    (``train_aug.txt``, ...) are ``SegmentationClassAug``'s, checked alike (:attr:`aug_items`),
    and none of their ids may be in val or test. Per-sample checks (:meth:`run`,
    in parallel): see :func:`check_sample`. Each problem is reported once, with its file.

    Args:
        root: the VOC folder.
        classes: class table (or preset name / file) whose classes and 255 are the allowed values.
        num_classes: allowed values are ``0..num_classes-1`` and 255.
            Without either, the dataset's ``class_names.txt`` is used when present.

    Raises:
        DatasetError: ``root`` is not a VOC folder; both ``classes`` and ``num_classes`` given.
        ClassTableError: the ``classes`` file given is malformed.
    """

    def __init__(
        self,
        root: PathLike,
        classes: ClassTable | PathLike | None = None,
        num_classes: int | None = None,
    ) -> None:
        self.root = location(root)
        if not is_voc_root(self.root):
            raise DatasetError(f"{root}: not a VOC dataset folder (no {LABELS_DIR}/ inside)")
        refuse_mask_export(self.root)
        self.problems: list[Problem] = []
        self.table = self._class_table(classes, num_classes)
        for copy, what in class_file_disagreements(self.root):
            self._add(ERROR, "class-table", copy, what)
        self.items = self._check_layout()
        self._check_temporaries()

    def _class_table(self, classes: ClassTable | PathLike | None, num_classes: int | None) -> ClassTable | None:
        try:
            table = dataset_class_table(self.root, classes, num_classes)
        except ClassTableError as exc:
            if classes is not None:
                raise
            self._add(ERROR, "class-table", self.root / CLASS_NAMES_FILE, str(exc))
            return None if num_classes is None else dataset_class_table(None, None, num_classes)
        if table is None:
            self._add(
                WARNING, "class-table", self.root / CLASS_NAMES_FILE,
                f"missing: label values are not checked against the classes ({GIVE_CLASSES})",
            )  # fmt: skip
        return table

    def _check_layout(self) -> list[tuple[str, str]]:
        splits: dict[str, list[str]] = {}
        for name in available_splits(self.root):
            try:
                ids = read_split(self.root, name)
            except DatasetError as exc:
                self._add(ERROR, "unreadable", split_path(self.root, name), str(exc))
                continue
            splits[name] = ids
            counts = Counter(ids)
            for image_id in sorted(i for i, n in counts.items() if n > 1):
                self._add(
                    WARNING, "duplicate-id", split_path(self.root, name),
                    f"id {image_id} is listed {counts[image_id]} times",
                )  # fmt: skip
        if not splits:
            self._add(WARNING, "no-splits", self.root / SPLITS_DIR, "no split files (train.txt, val.txt, ...)")
        self.splits, self.split_of = splits, first_split_of(splits)
        for kind, scored, seen, why in _LEAKS:
            if scored in splits and seen in splits:
                for image_id in sorted(set(splits[scored]) & set(splits[seen])):
                    self._add(ERROR, kind, split_path(self.root, scored), f"id {image_id} is also in {seen}.txt: {why}")
        self._check_groups(splits)
        has_aug = (self.root / AUG_LABELS_DIR).is_dir()
        listed: dict[str, dict[str, list[str]]] = {LABELS_DIR: {}, AUG_LABELS_DIR: {}}  # folder -> id -> lists
        for name, ids in splits.items():
            folder = labels_dir_of(self.root, name)
            for image_id in dict.fromkeys(ids):
                listed[folder].setdefault(image_id, []).append(f"{name}.txt")
        every_listed = listed[LABELS_DIR].keys() | listed[AUG_LABELS_DIR].keys()
        labelled_in = {folder: set(label_ids(self.root, folder)) for folder in listed if folder == LABELS_DIR or has_aug}
        if not labelled_in[LABELS_DIR]:
            self._add(ERROR, "no-labels", self.root / LABELS_DIR, no_labels(self.root))
        test = splits.get(TEST_SPLIT, [])
        withheld = set(test) if is_withheld_test(test, labelled_in[LABELS_DIR]) else set()
        if withheld:
            self.notes = [f"{split_path(self.root, TEST_SPLIT)}: none of its {len(withheld)} id(s) has a label ({WITHHELD}): their images are checked"]
        images: dict[str, Any] = {}  # id -> its image, or None: an id in both folders is looked up once
        checked: dict[str, list[tuple[str, str]]] = {LABELS_DIR: [], AUG_LABELS_DIR: []}
        for folder, labelled in labelled_in.items():
            lists = listed[folder]
            for image_id in sorted(labelled | lists.keys()):
                where = f" (listed in {', '.join(lists[image_id])})" if image_id in lists else ""
                label = self.root / folder / f"{image_id}.png"
                if image_id not in labelled and image_id not in withheld:
                    hint = not_png_hint(label) + _aug_hint(lists.get(image_id, []), has_aug)
                    self._add(ERROR, "missing-label", label, f"missing label{where}{hint}")
                elif splits and image_id not in every_listed:
                    self._add(WARNING, "unlisted", label, "no split file lists this label")
                if image_id not in images:
                    image = image_path(self.root, image_id)
                    images[image_id] = image if image.exists() else None
                    if images[image_id] is None:
                        of = f" for {folder}/{image_id}.png" if image_id in labelled else ""
                        self._add(ERROR, "missing-image", image, f"missing image{of}{where}")
                found = images[image_id]
                checked[folder].append((str(label) if image_id in labelled else "", str(found) if found is not None else ""))
        self._check_image_suffixes(sorted(image.name for image in images.values() if image is not None))
        self.aug_items = [item for item in checked[AUG_LABELS_DIR] if any(item)]
        return [item for item in checked[LABELS_DIR] if any(item)]

    def _check_groups(self, splits: dict[str, list[str]]) -> None:
        """An error for the groups the dataset records it is split by (``split_group`` in
        ``dataset_meta.json``, see ``split --group``) that have images in train and in val."""
        try:
            group = recorded_split_group(self.root)
            if not group or "train" not in splits or "val" not in splits:
                return
            groups = id_groups([*splits["train"], *splits["val"]], group)
        except DatasetError as exc:  # a bad record, or ids the pattern no longer names
            self._add(ERROR, "split-group", self.root / META_FILE, str(exc))
            return
        both = straddling(groups, splits["train"], splits["val"])
        if both:
            named = ", ".join(both[:5]) + (f" and {len(both) - 5} more" if len(both) > 5 else "")
            self._add(
                ERROR, "split-group", split_path(self.root, "val"),
                f"{len(both)} group(s) of --group '{group}' ({META_FILE} records it) have images in train.txt too: {named}; "
                f"validation would score images training has all but seen (labeltools split {shell_word(self.root)} keeps them apart)",
            )  # fmt: skip

    def _check_image_suffixes(self, names: list[str]) -> None:
        """Warn of images that are not ``<id>.jpg``: the loaders most training code uses open
        that name alone (torchvision's VOCSegmentation, pytorch-deeplab-xception) or one suffix
        for every image (mmsegmentation's ``img_suffix``)."""
        others = sorted(name for name in names if not name.endswith(".jpg"))
        if not others:
            return
        suffixes = sorted({Path(name).suffix or "(none)" for name in names})
        self._add(
            WARNING, "image-suffix", self.root / IMAGES_DIR,
            f"{len(others)} of {len(names)} images are not <id>.jpg ({', '.join(others[:3])}{' ...' if len(others) > 3 else ''}): "
            "torchvision's VOCSegmentation and pytorch-deeplab-xception open <id>.jpg only"
            + (f"; mmsegmentation reads one img_suffix, and these are {', '.join(suffixes)}" if len(suffixes) > 1 else "")
            + " (convert writes JPEG unless --image-format keep)",
        )  # fmt: skip

    def _check_temporaries(self) -> None:
        """Report the temporary files an interrupted run left (the next run writing there
        removes them)."""
        if is_remote(self.root):
            return  # objects are uploaded whole: an object store holds no temporaries
        for folder, _, files in sorted(os.walk(self.root)):
            for name in sorted(files):
                if is_temporary(name):
                    self._add(
                        WARNING, "temporary-file", location(folder) / name,
                        "temporary file left by an interrupted run (the next run writing into "
                        "this folder removes it)",
                    )  # fmt: skip

    def _palette(self) -> tuple[bytes, str]:
        voc = voc_colormap(256)
        if self.table is None:
            return voc.tobytes(), "the VOC colormap"
        palette = self.table.palette()
        same = bool((palette == voc).all())
        return palette.tobytes(), "the VOC colormap" if same else f"the colours of {self.table.source}"

    def sample_checks(self) -> dict[str, Any]:
        """The keyword arguments of :func:`check_sample` for this dataset's samples."""
        valid, classes_name = None, ""
        if self.table is not None:
            indices = [e.index for e in self.table.classes]
            allowed = np.zeros(256, dtype=np.uint8)
            allowed[indices] = 1
            allowed[VOID] = 1
            valid = allowed.tobytes()
            span = f"0..{len(indices) - 1}" if indices == list(range(len(indices))) else f"of {len(indices)}"
            classes_name = f"{span} ({self.table.source})"
        palette, palette_name = self._palette()
        return {"valid_values": valid, "palette": palette, "palette_name": palette_name, "classes_name": classes_name}

    def run(self, jobs: int | None = None) -> Iterator[FileResult]:
        """Check every sample in worker processes, one result per sample in order (those of the
        augmented training set last); the problems found are added to :attr:`problems` as the
        results come in."""
        pixels: dict[str, dict[int, int]] = {}
        images: list[tuple[str, str, str]] = []
        for item, result in zip(self.items, self._checked(self.items, jobs)):
            if result.ok and result.data["pixels"] is not None:
                pixels[self._sample_id(item)] = result.data["pixels"]
            if result.ok and result.data.get("image_digest"):
                images.append((self._image_name(item), self._split_of(item), result.data["image_digest"]))
            yield result
        yield from self.run_aug(jobs)
        self._check_balance(pixels)  # of train and val, SegmentationClass's
        self.check_values(pixels)
        self.add_overlaps(images)

    def add_overlaps(self, images: Iterable[tuple[str, str, str]]) -> None:
        """The samples whose images are one image, byte for byte (``images``: each sample's
        image, its split, ``""`` where none lists it, and the digest of its bytes, in order): an
        error for an image of val that an image of train is, or of test that one of train or val
        is (the same photo under two ids: validation would score training images, and no id
        says so); a warning for one that another of its own split is (it counts twice)."""
        first: dict[tuple[str, str], str] = {}  # (digest, split) -> the first image of those bytes in that split
        for name, split, digest in images:
            if (digest, split) in first:
                self._add(WARNING, "duplicate-image", name, f"the same image, byte for byte, as {first[(digest, split)]}: it counts twice")
            else:
                first[(digest, split)] = name
        for kind, scored, seen, why in _LEAKS[:3]:
            for (digest, split), name in first.items():
                if split == scored and (other := first.get((digest, seen))) is not None:
                    self._add(ERROR, kind, name, f"the same image, byte for byte, as {other} ({self._split_said(seen)}): {why}")

    def _image_name(self, item: Any) -> str:
        """How a sample's image is named in its problems: its file."""
        return str(item[1])

    def _split_of(self, item: Any) -> str:
        """A sample's split (see :func:`first_split_of`), ``""`` where none lists it."""
        return self.split_of.get(self._sample_id(item), "")

    def _split_said(self, split: str) -> str:
        return f"listed in {split}.txt"

    def check_values(self, pixels: dict[str, dict[int, int]]) -> None:
        """Add the problems of the label values of all samples together (``pixels``: the pixels
        of each value, by sample): binary masks saved as 0/255, grey levels of the classes'
        colours."""
        self._check_binary_masks(pixels)
        self._check_grey_levels(pixels)

    def _check_binary_masks(self, pixels: dict[str, dict[int, int]]) -> None:
        """Warn when the labels hold class 0 and void (255) alone: binary masks saved as 0/255,
        whose objects every loader ignores as void."""
        if self.table is not None and self.table.num_classes < 2:
            return
        held = [0] * 256
        for counts in pixels.values():
            for value, n in counts.items():
                held[value] += n
        share = binary_mask_share(held[:VOID], held[VOID])
        if share is not None:
            self._add(
                WARNING, "binary-mask", self.root,
                f"every label holds 0 and 255 alone ({share:.1%} void, which loaders ignore): {BINARY_MASK_HINT}",
            )  # fmt: skip

    def _check_grey_levels(self, pixels: dict[str, dict[int, int]]) -> None:
        """Say when the values that are no class are grey levels of the classes' colours: palette
        label files read as grey and saved again, and how to give the classes back."""
        if self.table is None:
            return
        held = sorted({value for counts in pixels.values() for value in counts})
        classes = [e.index for e in self.table.classes]
        hint = grey_read_hint(held, classes, self.table.palette())
        if hint:
            files = sum(1 for counts in pixels.values() if set(counts) - {*classes, VOID})
            outside = [v for v in held if v not in classes and v != VOID]
            self._add(ERROR, "grey-levels", self.root, f"label values {format_values(outside)} in {files} file(s) are no class{hint}")

    def run_aug(self, jobs: int | None = None) -> Iterator[FileResult]:
        """Check the labels of the augmented training set (:attr:`aug_items`) alone, as :meth:`run` does."""
        return self._checked(list(self.aug_items), jobs) if self.aug_items else iter(())

    def _sample_id(self, item: Any) -> str:
        """The id of a sample (a ``(label, image)`` pair): its label's stem, else its image's."""
        return Path(item[0] or item[1]).stem

    def _checked(self, items: list[Any], jobs: int | None) -> Iterator[FileResult]:
        work = partial(check_sample, **self.sample_checks())
        for item, result in zip(items, map_files(work, items, jobs)):
            if result.ok:
                self.problems.extend(Problem(*p) for p in result.data["problems"])
            else:
                self._add(ERROR, "unreadable", str(item) if isinstance(item, HubLabelRow) else item[0] or item[1], result.error or "failed")
            yield result

    def _check_balance(self, pixels: dict[str, dict[int, int]]) -> None:
        """Warn about each class held by two images or more that one side of ``train.txt`` /
        ``val.txt`` lacks."""
        if self.table is None:
            return
        try:
            balance = existing_split_balance(self.root, pixels, self.table.num_classes)
        except DatasetError:
            return  # an unreadable split file is reported already
        self.add_imbalance(balance or ())

    def add_imbalance(self, balance: Iterable[ClassBalance]) -> None:
        """Warn about each class held by two images or more that one side of the split lacks."""
        if self.table is None:
            return
        for side, message in imbalance(balance, self.table.name_of):
            reason = "nothing to learn it from" if side == "train" else "nothing to score it on"
            self._add(WARNING, "split-imbalance", self._side_file(side), f"{message}: {reason}")

    def _side_file(self, side: str) -> Any:
        """The file of a side of the split (``train``, ``val``), for its problems."""
        return split_path(self.root, side)



class FolderCheck(DatasetCheck):
    """A check of a folder of label PNGs (``ann_dir/val``, ADE20K's ``annotations/validation``)
    and, when there is one, the folder of their images, matched by stem: every label has an
    image and every image a label (mmsegmentation's loader reads a label for each image), then
    each sample as :func:`check_sample` checks it.

    Args:
        root: the folder of labels.
        images: the folder of their images; by default the one beside it, or the one its PNGs
            are named by (see :func:`~labeltools.formats.folders.images_of`), else none (the
            labels are checked alone).
        classes, num_classes: as :class:`DatasetCheck`'s.

    Raises:
        DatasetError: no such folder, one holding no label PNG, or no such images folder.
        ClassTableError: the ``classes`` file given is malformed.
    """

    def __init__(
        self,
        root: PathLike,
        images: PathLike | None = None,
        classes: ClassTable | PathLike | None = None,
        num_classes: int | None = None,
    ) -> None:
        self.root = location(root)
        if not self.root.is_dir():
            raise DatasetError(not_a_folder(root))
        labels = list_files(self.root, (".png",))
        if not labels:
            raise DatasetError(
                f"{root}: not a VOC dataset folder (no {LABELS_DIR}/ inside), nor a folder of label PNGs{other_masks_hint(root)}"
                f"{datasets_inside_said(self.root)}"
            )
        self.problems = []
        self.splits: dict[str, list[str]] = {}  # no split files
        self.split_of: dict[str, str] = {}
        self.images: Any = None
        self.images_from = ""
        if images is not None:
            self.images = location(images)
            if not self.images.is_dir():
                raise DatasetError(f"{images}: no such folder (the images of {root})")
            self.images_from = f"{images}, as asked"
        else:
            self.images, self.images_from = images_of(self.root, self.root)
        self.notes = [f"images: {self.images_from}"] if self.images_from else []
        self.table = self._class_table(classes, num_classes)
        pairing = pair_by_stem(labels, self.images)
        for second, first in pairing.duplicates:
            self._add(WARNING, "duplicate-image", str(second), f"a second image of {second.stem} beside {first.name}: {first.name} is checked")
        self.notes += pairing.notes
        self.items = []
        for stem, label, image in pairing.pairs:
            if label is None:
                self._add(ERROR, "missing-label", str(image), f"no label {stem}.png in {self.root} (a loader reads one for each image)")
            elif image is None and self.images is not None:
                self._add(ERROR, "missing-image", label, f"no image {stem}.jpg (or .png) in {self.images}")
            self.items.append((str(label) if label is not None else "", str(image) if image is not None else ""))
        if self.images is None:
            self._add(WARNING, "no-images", self.root, "no images folder given (--images) or beside it: the images are not checked")

    def _check_balance(self, pixels: dict[str, dict[int, int]]) -> None:
        """A folder of labels has no split lists to balance."""


class HubCheck(DatasetCheck):
    """A check of a Hugging Face dataset where it is (a Hub repository's folder as downloaded, one
    of its files, a ``save_to_disk`` folder: see :func:`~labeltools.jobs.hub_labels.hub_labels`):
    each labelled row's label map and image as :func:`check_row` checks them, their values
    against the table the dataset came with (or ``classes``, ``num_classes``; without any, not
    checked: a warning), then, of a dataset with train and validation rows, each class one side
    lacks, and the values of all rows together (binary masks, grey levels). Rows without a label
    map (a test split's) are said and left out; ADE20K's labels as shipped, read by its classes as
    trained, are an error.

    Args:
        root: the dataset's folder or one of its files.
        hub: its rows (every split's) and table, as :func:`~labeltools.jobs.hub_labels.hub_labels` reads them.
    """

    def __init__(self, root: PathLike, hub: HubLabels) -> None:
        self.root = location(root)
        self.problems = []
        self.table = hub.table
        self.rows = hub.rows
        self.items = hub.items
        self.sides = hub.sides
        self.side_files = {row.split: row.item.path for row in reversed(hub.rows) if row.split is not None}  # each side's first
        self.split_of = {str(row.item): row.split or row.word for row in hub.rows}
        self.notes = [f"rows: {hub.said}"]
        if hub.table is None:
            self._add(WARNING, "class-table", hub.folder / TABLE_FILE, f"missing: label values are not checked against the classes; {NO_TABLE_SAID}")
            return
        self.notes.append(f"classes: {hub.classes_said(hub.table.described)}")
        try:
            refuse_shipped_ade20k(self.items, hub.table, ADE20K_WAYS)
        except DatasetError as exc:
            self._add(ERROR, "class-table", self.root, str(exc))

    def sample_checks(self) -> dict[str, Any]:
        """The keyword arguments of :func:`check_sample` for the rows: no palette (the ``datasets``
        library reads a label map's indices, whatever its colours)."""
        return {**super().sample_checks(), "palette": None}

    def _sample_id(self, item: Any) -> str:
        return str(item)

    def _check_balance(self, pixels: dict[str, dict[int, int]]) -> None:
        """Warn about each class held by two rows or more that the train or the validation rows lack."""
        if self.table is not None and self.sides is not None:
            self.add_imbalance(split_balance(self.sides, pixels, self.table.num_classes))

    def _side_file(self, side: str) -> Any:
        """The first file of a side's rows."""
        return self.side_files[side]

    def _image_name(self, item: Any) -> str:
        return row_files(item)[1]

    def _split_of(self, item: Any) -> str:
        return self.split_of[str(item)]

    def _split_said(self, split: str) -> str:
        return f"a {split} row"


def label_check(
    root: PathLike,
    classes: ClassTable | PathLike | None = None,
    num_classes: int | None = None,
    images: PathLike | None = None,
) -> DatasetCheck:
    """The check of a VOC folder (:class:`DatasetCheck`) or of a folder of label PNGs and their
    images (:class:`FolderCheck`).

    Raises:
        DatasetError: ``images`` given for a VOC folder (it keeps its own), or see the checks'.
    """
    if is_voc_root(location(root)):
        if images is not None:
            raise DatasetError(f"{root}: a VOC folder keeps its images in {IMAGES_DIR}/; leave --images out")
        return DatasetCheck(root, classes, num_classes)
    return FolderCheck(root, images, classes, num_classes)


class CityscapesFrame(NamedTuple):
    """The files of one frame of a Cityscapes folder (``""`` where it has none)."""

    frame: str
    label_ids: str
    train_ids: str
    instance_ids: str
    colours: str
    image: str  # where its leftImg8bit image belongs ("" when the folder has none at all)

    def __str__(self) -> str:
        return self.label_ids or self.train_ids or self.instance_ids or self.colours

    def label_map(self, kind: str) -> str:
        """The frame's map of ``labelIds`` or ``trainIds`` (``""`` when it has none)."""
        return self.label_ids if kind == "labelIds" else self.train_ids


def check_frame(frame: CityscapesFrame, counted: str = "", own: ClassTable | None = None) -> FileResult:
    """Check one Cityscapes frame: its label ids are Cityscapes' (the rows of ``own``, the table
    of labels its export keeps, when given), and its trainIds (of Cityscapes' alone),
    instanceIds and colour maps were made from them (a map left from before a re-annotation is
    an error: training on a stale ``*_labelTrainIds.png`` learns the old labels); its image is
    there, of the same size. With ``counted`` (``labelIds`` or ``trainIds``), the pixels of
    that map are counted too (a frame without one is a warning).

    Returns:
        A :class:`FileResult` whose ``data`` is ``{"problems": [...], "pixels": ..., "size": ...}``,
        as :func:`check_sample`'s: the counted map's pixels per value and ``(H, W)``, None
        without ``counted`` or when it cannot be counted.
    """
    problems: list[tuple[str, str, str, str]] = []
    table = own or ClassTable.preset("cityscapes")
    label = counts = None
    if not frame.label_ids:
        problems.append(_problem(WARNING, "missing-label", str(frame), "no *_labelIds.png of its frame beside it: nothing to check it against"))
    else:
        label = _frame_label(frame.label_ids, "labelIds", problems, own)
    if label is not None:
        due = {  # what the label ids give, made only for the maps the frame has
            "trainIds": lambda: table.id_to_train_id()[label],
            "instanceIds": lambda: label,
            "colours": lambda: index_to_rgb(label, table),
        }
        for path, kind in ((frame.train_ids, "trainIds"), (frame.instance_ids, "instanceIds"), (frame.colours, "colours")):
            if not path or (own is not None and kind == "trainIds"):  # an export's own labels have no train ids
                continue
            try:
                found = _frame_map(path, kind)
            except LabeltoolsError as exc:
                problems.append(_problem(ERROR, "unreadable", path, str(exc)))
                continue
            if kind == counted:
                counts = found
            problem = _stale(found, due[kind](), kind, table)
            if problem:
                problems.append(_problem(ERROR, f"stale-{kind.lower()}", path, problem))
        if frame.image:
            try:
                with open_image(frame.image, DatasetError, what="image of its frame") as image:
                    size = (image.height, image.width)
            except LabeltoolsError as exc:
                problems.append(_problem(ERROR, "missing-image", frame.image, str(exc)))
            else:
                if size != label.shape:
                    problems.append(_problem(
                        ERROR, "size-mismatch", frame.image,
                        f"is {size[1]}x{size[0]}, its label maps {label.shape[1]}x{label.shape[0]} (width x height)",
                    ))  # fmt: skip
    if counted == "labelIds":
        counts = label
    elif counted == "trainIds" and not frame.train_ids:
        problems.append(_problem(WARNING, "missing-label", str(frame), f"no {MAP_NAMES[counted]} of its frame: it is not counted"))
    elif counted == "trainIds" and label is None:  # read alone: nothing to check it against
        counts = _frame_label(frame.train_ids, "trainIds", problems, None)
    pixels = None if counts is None else sparse_counts(np.bincount(counts.ravel(), minlength=256).tolist())
    shape = None if counts is None else counts.shape
    return FileResult(source=str(frame), data={"problems": problems, "pixels": pixels, "size": shape})


#: The values a frame's label map of each kind may hold, and how to name them.
_FRAME_VALUES = {
    "labelIds": ("cityscapes", "Cityscapes label id (0..33)"),
    "trainIds": ("cityscapes-train", "Cityscapes train id (0..18) nor 255"),
}


def _frame_label(path: str, kind: str, problems: list[tuple[str, str, str, str]], own: ClassTable | None) -> NDArray[np.uint8] | None:
    """A frame's map of label ids (of ``own`` when given) or train ids; None, after adding the
    problem, when it cannot be read or holds a value that is no id of its kind."""
    try:
        label = read_label(path)
    except LabeltoolsError as exc:
        problems.append(_problem(ERROR, "unreadable", path, str(exc)))
        return None
    preset, what = _FRAME_VALUES[kind]
    table = own or ClassTable.preset(preset)
    if own is not None:
        what = f"label id (0..{own.num_classes - 1}) of {own.source}"
    known = np.zeros(256, dtype=bool)
    known[[e.index for e in table.classes if 0 <= e.index < VOID]] = True
    known[VOID] = kind == "trainIds"
    if known[label].all():
        return label
    problems.append(_problem(ERROR, "values", path, f"holds {none_of(np.unique(label[~known[label]]), what)}"))
    return None


def _frame_map(path: str, kind: str) -> NDArray[Any]:
    """A frame's trainIds map (a label map), instanceIds map (16 or 32 bits: label id, or label id
    * 1000 + instance, per pixel, as its class) or colour map (RGB)."""
    if kind == "trainIds":
        return read_label(path)
    with open_image(path) as image:
        if kind == "colours":
            return np.asarray(image.convert("RGB"))
        values = np.asarray(image).astype(np.int64)
    return np.where(values >= 1000, values // 1000, values)


def _stale(found: NDArray[Any], due: NDArray[Any], kind: str, table: ClassTable) -> str:
    """What is wrong with a map made from a frame's label ids (of ``table``) that holds
    ``found`` where they give ``due``; empty when nothing is."""
    if found.shape[:2] != due.shape[:2]:
        return f"is {found.shape[1]}x{found.shape[0]}, its *_labelIds.png {due.shape[1]}x{due.shape[0]} (width x height)"
    wrong = (found != due).reshape(found.shape[0], found.shape[1], -1).any(axis=2)
    if not wrong.any():
        return ""
    y, x = (int(v[0]) for v in np.nonzero(wrong))
    again = {
        "trainIds": "labeltools remap --index-map cityscapes, or cityscapesScripts' createTrainIdLabelImgs",
        "instanceIds": "cityscapesScripts' json2instanceImg",
        "colours": f"labeltools remap --to-rgb -c {shell_word(table.source.removesuffix(' preset'))}",
    }[kind]
    return (
        f"{int(wrong.sum())} pixel(s) differ from what its *_labelIds.png gives (first at x={x}, y={y}: "
        f"{found[y, x].tolist()} where {due[y, x].tolist()} is due): it was made from other labels; make it again ({again})"
    )


class CityscapesCheck(_Problems):
    """A check of a Cityscapes folder (``gtFine/val``, a folder per city; ``gtFine`` itself):
    each frame's maps against its label ids, and its image (see :func:`check_frame`), in
    parallel by :meth:`run`.

    Args:
        root: the folder.
        counted: ``labelIds`` or ``trainIds``: the pixels of each frame's map of those ids are
            counted too, and :attr:`table` is their preset.
    """

    def __init__(self, root: PathLike, counted: str = "") -> None:
        self.root = location(root)
        self.problems = []
        self.counted = counted
        files: dict[tuple[str, str], dict[str, str]] = {}
        ends = tuple(end.lower() for kind_ends in FRAME_MAPS.values() for end in kind_ends)
        listed = list_files(self.root, ends, recursive=True)
        for path in listed:
            if (found := frame_map(path.name)) is not None:
                frame, kind = found
                files.setdefault((str(path.parent), frame), {})[kind] = str(path)
        self.own = export_class_table({"maps": listed})
        self.table = (self.own or ClassTable.preset(_FRAME_VALUES[counted][0])) if counted else None
        gt = gt_folder(self.root) or next((self.root / name for name in GT_FOLDERS if (self.root / name).is_dir()), None)  # the dataset's root given
        images = None if gt is None or not (gt.parent / IMAGES_FOLDER).is_dir() else gt.parent / IMAGES_FOLDER
        if images is None:
            self._add(WARNING, "no-images", self.root, "no leftImg8bit folder beside its gtFine folder: the images are not checked")
        self.items = [
            CityscapesFrame(
                frame, maps.get("labelIds", ""), maps.get("trainIds", ""), maps.get("instanceIds", ""), maps.get("colours", ""),
                "" if images is None or gt is None else str(images / location(folder).relative_to(gt) / f"{frame}{IMAGE_SUFFIX}"),
            )
            for (folder, frame), maps in sorted(files.items())
        ]  # fmt: skip

    def sample_checks(self) -> dict[str, Any]:
        """The keyword arguments of :func:`check_frame` for this folder's frames."""
        return {"counted": self.counted, "own": self.own}

    def run(self, jobs: int | None = None) -> Iterator[FileResult]:
        """Check every frame in worker processes, one result per frame in order; the problems
        found are added to :attr:`problems` as the results come in."""
        work = partial(check_frame, **self.sample_checks())
        for frame, result in zip(self.items, map_files(work, self.items, jobs)):
            if result.ok:
                self.problems.extend(Problem(*p) for p in result.data["problems"])
            else:
                self._add(ERROR, "unreadable", str(frame), result.error or "failed")
            yield result


def check_dataset(
    root: PathLike,
    classes: ClassTable | PathLike | None = None,
    num_classes: int | None = None,
    jobs: int | None = None,
    images: PathLike | None = None,
) -> DatasetCheck:
    """Run a whole check of a VOC folder, or of a folder of label PNGs and its ``images`` (see
    :func:`label_check`), and return it (see :attr:`DatasetCheck.problems`)."""
    check = label_check(root, classes, num_classes, images)
    for _ in check.run(jobs):
        pass
    return check
