"""What is in a label dataset, and whether it is well-formed.

:class:`DatasetStats` counts, per class, the pixels, their share of the labelled (non-void)
pixels and the images that contain it, plus the void share, the image sizes and the classes never
seen; :func:`stats_plot` draws the shares as a bar chart. :class:`DatasetCheck` verifies a VOC
folder (splits, files, sizes, label modes, values, palettes, unreadable files) and lists each
problem once, with the file it is in and a severity (``error`` or ``warning``).

Counting reads each label file through Pillow's C histogram (:func:`~labeltools.labelpng.
label_histogram`) in worker processes; only the 256 counts and the image size travel back.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from labeltools._types import PathLike
from labeltools.classes import ClassTable, class_name
from labeltools.colormap import VOID, voc_colormap
from labeltools.draw import bar_chart
from labeltools.engine.storage import is_remote, is_temporary, location
from labeltools.errors import ClassTableError, DatasetError, LabeltoolsError, format_values
from labeltools.labelme import EXIF_ORIENTATION, SIDE_SWAPPING_ORIENTATIONS
from labeltools.labelpng import (
    INDEX_MODES,
    PIL_ERRORS,
    atomic_write,
    image_histogram,
    image_palette,
    label_histogram,
    open_image,
    open_pillow,
    png_pixel_shortfall,
    read_label_palette,
    write_json,
)
from labeltools.ops.splits import ClassBalance, imbalance, sparse_counts, split_balance
from labeltools.engine.executor import FileResult, map_files, map_quick, raise_if_failed
from labeltools.voc import (
    CLASS_NAMES_FILE,
    LABELS_DIR,
    SPLITS,
    SPLITS_DIR,
    available_splits,
    dataset_class_table,
    image_path,
    is_voc_root,
    label_ids,
    label_path,
    read_split,
    select_label_paths,
    split_path,
)


ERROR = "error"
WARNING = "warning"

# --- statistics -----------------------------------------------------------------------------


def stat_label_file(path: PathLike) -> FileResult:
    """Count one label file's pixels per value.

    Returns:
        A :class:`FileResult` whose ``data`` is ``(counts, (H, W))``: the ``(256,)`` int64
        pixel count of each value (as :func:`~labeltools.weights.histogram_label_file` gives)
        and the image size.

    Raises:
        LabelFileError: the file is missing or not a label map.
    """
    return FileResult(source=str(path), data=label_histogram(path))


def stat_label_files(paths: Sequence[PathLike], jobs: int | None = None) -> Iterator[FileResult]:
    """Batch :func:`stat_label_file` over worker processes, one result per file in input order.

    Feed the results to :meth:`DatasetStats.add_results`; a bad file gives a failed result.
    """
    return map_quick(stat_label_file, [str(p) for p in paths], jobs)


@dataclass
class DatasetStats:
    """Pixel and image counts per label value over a set of label files.

    Attributes:
        classes: the class table (names, colours, which values are classes), or None: then the
            classes are ``0..max value seen``.
        pixels: ``(256,)`` int64 pixels per value (255 = void).
        images_with: ``(256,)`` int64 number of images containing each value.
        images: images counted.
        sizes: images per size ``(width, height)``.
        keep_files: keep each file's pixel counts in ``files`` (id, the file's stem -> value ->
            pixels), for :meth:`split_balance`.
        balance: how the classes spread over train and val, once :meth:`split_balance` ran.
    """

    classes: ClassTable | None = None
    pixels: NDArray[np.int64] = field(default_factory=lambda: np.zeros(256, dtype=np.int64))
    images_with: NDArray[np.int64] = field(default_factory=lambda: np.zeros(256, dtype=np.int64))
    images: int = 0
    sizes: Counter[tuple[int, int]] = field(default_factory=Counter)
    keep_files: bool = False
    files: dict[str, dict[int, int]] = field(default_factory=dict)
    balance: list[ClassBalance] | None = None
    _palette: tuple[ClassTable | None, NDArray[np.uint8]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def add(self, counts: NDArray[np.integer], shape_hw: tuple[int, int]) -> None:
        """Add one image: ``(256,)`` pixel counts per value and its ``(H, W)``."""
        counts = np.asarray(counts, dtype=np.int64)
        self.pixels += counts
        self.images_with += counts > 0
        self.images += 1
        self.sizes[(int(shape_hw[1]), int(shape_hw[0]))] += 1

    def add_results(self, results: Iterable[FileResult]) -> Iterator[FileResult]:
        """Add the counts carried by :func:`stat_label_file` results, passing each result on."""
        for result in results:
            if result.ok and result.data is not None:
                self.add(*result.data)
                if self.keep_files:
                    self.files[Path(result.source).stem] = sparse_counts(result.data[0].tolist())
            yield result

    def split_balance(self, root: PathLike) -> list[ClassBalance] | None:
        """How the classes spread over ``root``'s ``train.txt`` and ``val.txt``, from the files
        counted with ``keep_files`` (also kept in :attr:`balance`); None without both split
        files."""
        self.balance = existing_split_balance(root, self.files, len(self.class_indices))
        return self.balance

    def imbalance(self) -> list[str]:
        """One line per class held by two images or more that one side of the split lacks."""
        return [message for _, message in imbalance(self.balance or (), self.name_of)]

    # --- derived ------------------------------------------------------------------------

    @property
    def class_indices(self) -> list[int]:
        """The class values reported: the table's classes, else ``0..max value seen``."""
        if self.classes is not None:
            return [e.index for e in self.classes.classes]
        seen = np.flatnonzero(self.pixels[:VOID])
        return list(range(int(seen.max()) + 1)) if seen.size else []

    @property
    def total_pixels(self) -> int:
        return int(self.pixels.sum())

    @property
    def void_pixels(self) -> int:
        return int(self.pixels[VOID])

    @property
    def labelled_pixels(self) -> int:
        """Pixels that are not void."""
        return self.total_pixels - self.void_pixels

    @property
    def void_share(self) -> float:
        """Void pixels over all pixels (0 when nothing was counted)."""
        return self.void_pixels / self.total_pixels if self.total_pixels else 0.0

    def shares(self) -> NDArray[np.float64]:
        """``(256,)`` each value's pixels over the labelled pixels (zeros when there are none)."""
        labelled = self.labelled_pixels
        shares = self.pixels / labelled if labelled else np.zeros(256)
        shares[VOID] = 0.0
        return shares

    def never_seen(self) -> list[int]:
        """Classes with no pixel anywhere."""
        return [i for i in self.class_indices if self.pixels[i] == 0]

    def unknown_values(self) -> list[int]:
        """Values present that are neither a class nor void."""
        return self._unknown_values(self.class_indices)

    def _unknown_values(self, class_indices: Iterable[int]) -> list[int]:
        known = set(class_indices) | {VOID}
        return [v for v in np.flatnonzero(self.pixels).tolist() if v not in known]

    def name_of(self, value: int) -> str:
        return class_name(value, self.classes)

    def palette(self) -> NDArray[np.uint8]:
        """``(256, 3)`` uint8 colour of each value: the class table's, else the VOC colormap.
        Built once per table (read-only)."""
        if self._palette is None or self._palette[0] is not self.classes:
            colors = self.classes.palette() if self.classes is not None else voc_colormap(256)
            colors.setflags(write=False)
            self._palette = (self.classes, colors)
        return self._palette[1]

    def color_of(self, value: int) -> tuple[int, int, int]:
        r, g, b = self.palette()[value].tolist()
        return (r, g, b)

    def rows(self) -> list[dict[str, Any]]:
        """One dict per class, then per unknown value: index, name, pixels, share, images."""
        classes = self.class_indices
        shares, pixels, images = self.shares().tolist(), self.pixels.tolist(), self.images_with.tolist()
        return [
            {
                "index": value,
                "name": self.name_of(value) if known else f"value {value} (not a class)",
                "pixels": pixels[value],
                "share": shares[value],
                "images": images[value],
                "is_class": known,
            }
            for values, known in ((classes, True), (self._unknown_values(classes), False))
            for value in values
        ]

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain JSON-ready values."""
        rows = self.rows()
        return {
            "images": self.images,
            "pixels": self.total_pixels,
            "labelled_pixels": self.labelled_pixels,
            "void_pixels": self.void_pixels,
            "void_share": self.void_share,
            "void_images": int(self.images_with[VOID]),
            "classes": [{k: v for k, v in r.items() if k != "is_class"} for r in rows if r["is_class"]],
            "never_seen": [{"index": i, "name": self.name_of(i)} for i in self.never_seen()],
            "split_balance": None if self.balance is None else [
                {"index": b.index, "name": self.name_of(b.index), "images": dict(b.images),
                 "shares": dict(b.shares), "missing_from": b.missing_from()}
                for b in self.balance
            ],
            "unknown_values": [
                {"value": r["index"], "pixels": r["pixels"], "images": r["images"]} for r in rows if not r["is_class"]
            ],
            "image_sizes": [
                {"width": w, "height": h, "images": n} for (w, h), n in self.sizes.most_common()
            ],
        }

    def save_json(self, path: PathLike) -> None:
        """Write :meth:`to_dict` as JSON, atomically."""
        write_json(path, self.to_dict())


def dataset_stats(
    dataset: PathLike,
    split: str | None = None,
    labels_dir: PathLike | None = None,
    classes: ClassTable | PathLike | None = None,
    num_classes: int | None = None,
    jobs: int | None = None,
) -> DatasetStats:
    """Count a dataset's labels: those of ``split`` (default: every label), read from
    ``SegmentationClass`` or from ``labels_dir`` (see :func:`~labeltools.voc.select_label_paths`).

    The class table comes from ``classes``, ``num_classes`` or the dataset's ``class_names.txt``
    (see :func:`~labeltools.voc.dataset_class_table`).

    Raises:
        DatasetError: nothing to read, or some files failed (every other file was still read;
            the message lists the failures).
        ClassTableError: a class table file is malformed.
    """
    paths, _ = select_label_paths(dataset, split, labels_dir, default_split=None)
    stats = DatasetStats(dataset_class_table(dataset, classes, num_classes))
    raise_if_failed(stats.add_results(stat_label_files(paths, jobs)), len(paths), "label file(s)", DatasetError)
    return stats


def existing_split_balance(
    root: PathLike, pixels: Mapping[str, Mapping[int, int]], num_classes: int
) -> list[ClassBalance] | None:
    """The per-class spread of the dataset's existing ``train.txt`` and ``val.txt`` over the
    labels counted in ``pixels`` (id -> value -> pixels); None without both files.

    Raises:
        DatasetError: a split file cannot be read.
    """
    if not {"train", "val"} <= set(available_splits(root)):
        return None
    sides = {side: read_split(root, side) for side in SPLITS[:2]}
    return split_balance(sides, pixels, num_classes)


def stats_plot(stats: DatasetStats, log: bool = False) -> Image.Image:
    """A horizontal bar chart of each class's share of the labelled pixels, in class colours.

    Classes never seen are listed with no bar; values that are not classes get a bar of their
    own. ``log`` uses a logarithmic axis, for datasets where a few classes dominate.
    """
    rows = stats.rows()
    labels = [f"{r['share']:.2%}" if r["pixels"] else "never seen" for r in rows]
    title = (
        f"Class pixel shares: {stats.images} image(s), void is {stats.void_share:.1%} of all pixels"
    )
    return bar_chart(
        [(f"{r['index']} {r['name']}", r["share"], stats.color_of(r["index"])) for r in rows],
        title=title,
        value_labels=labels,
        log=log,
        axis_label="share of labelled pixels" + (" (log scale)" if log else ""),
        tick_format=lambda v: f"{v * 100:.4g}%",
    )


def save_stats_plot(path: PathLike, stats: DatasetStats, log: bool = False) -> None:
    """Write :func:`stats_plot` as a PNG, atomically."""
    with atomic_write(path) as tmp:
        stats_plot(stats, log).save(tmp, format="PNG")


# --- checking -------------------------------------------------------------------------------


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
    item: tuple[str, str],
    valid_values: bytes | None = None,
    palette: bytes | None = None,
    palette_name: str = "the VOC colormap",
    classes_name: str = "of the class table",
) -> FileResult:
    """Check one sample's label and image files.

    Args:
        item: ``(label_path, image_path)``; either may be ``""`` when the file does not exist.
        valid_values: 256 bytes, non-zero for the allowed label values; None skips the check.
        palette: 768 bytes, the expected colours of palette labels; None skips the check.
        palette_name: how to name the expected colours in messages.
        classes_name: how to name the allowed classes in messages.

    Returns:
        A :class:`FileResult` whose ``data`` is ``{"problems": [...], "pixels": {...}}``: the
        label's pixel counts (value -> pixels, None when unreadable) and a list of
        ``(severity, kind, file, message)`` problems: unreadable or truncated files, labels that are not PNG or not palette/grayscale,
        values outside the allowed ones, palettes that differ from the expected colours
        (warning), label and image sizes that differ.
    """
    label_file, image_file = item
    problems: list[tuple[str, str, str, str]] = []
    label_hw = None
    pixels = None
    if label_file:
        label = _check_label(label_file, problems)
        if label is not None:
            counts, label_hw, label_palette = label
            pixels = sparse_counts(counts.tolist())
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
    if image_file:
        size = _check_image(image_file, problems)
        if size is not None and label_hw is not None:
            (width, height), swapped_by_exif = size
            label_height, label_width = label_hw
            if (width, height) != (label_width, label_height):
                hint = ""
                if swapped_by_exif and (height, width) == (label_width, label_height):
                    hint = (
                        f"; its EXIF orientation shows it as {height}x{width}, which some loaders "
                        "apply and others (torchvision's) do not"
                    )
                problems.append(
                    _problem(
                        ERROR, "size-mismatch", label_file,
                        f"label is {label_width}x{label_height} but its image {image_file} is "
                        f"{width}x{height} (width x height){hint}",
                    )  # fmt: skip
                )
    return FileResult(source=label_file or image_file, data={"problems": problems, "pixels": pixels})


def _check_label(
    path: str, problems: list[tuple[str, str, str, str]]
) -> tuple[NDArray[np.int64], tuple[int, int], NDArray[np.uint8] | None] | None:
    """``((256,) pixel counts per value, (H, W), palette or None)`` of a label file, or None
    after adding the problem that keeps it from being read.

    The file is opened once; palette and grayscale PNGs are counted by Pillow without building
    the array, other modes go through :func:`~labeltools.labelpng.read_label_palette`."""
    try:
        data = location(path).read_bytes()
    except OSError as exc:
        problems.append(_problem(ERROR, "unreadable", path, f"cannot read the file ({exc.strerror or exc})"))
        return None
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
        label, palette = read_label_palette(path)
    except LabeltoolsError as exc:
        kind = "unreadable" if mode in INDEX_MODES else "label-mode"
        problems.append(_problem(ERROR, kind, path, str(exc)))
        return None
    return np.bincount(label.ravel(), minlength=256).astype(np.int64), (label.shape[0], label.shape[1]), palette


def _check_image(
    path: str, problems: list[tuple[str, str, str, str]]
) -> tuple[tuple[int, int], bool] | None:
    try:
        with open_image(path) as image:
            size = image.size
            swapped = image.getexif().get(EXIF_ORIENTATION) in SIDE_SWAPPING_ORIENTATIONS
            image.load()  # decodes everything: truncated files fail here
    except LabeltoolsError as exc:
        problems.append(_problem(ERROR, "unreadable", path, str(exc)))
        return None
    return size, swapped


class DatasetCheck:
    """A check of a VOC folder: the folder-level problems at once, the files by :meth:`run`.

    Folder-level checks (on construction): the class table, split files (readable, duplicate
    ids, ids in both train and val), every id listed in a split has a label and an image, every
    label has an image, labels that no split lists (warning). Per-sample checks (:meth:`run`,
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
        self.problems: list[Problem] = []
        self.table = self._class_table(classes, num_classes)
        self.items = self._check_layout()
        self._check_temporaries()

    def _add(self, severity: str, kind: str, file: PathLike, message: str) -> None:
        self.problems.append(Problem(*_problem(severity, kind, file, message)))

    def _class_table(self, classes: ClassTable | PathLike | None, num_classes: int | None) -> ClassTable | None:
        try:
            table = dataset_class_table(self.root if classes is None else None, classes, num_classes)
        except ClassTableError as exc:
            if classes is not None:
                raise
            self._add(ERROR, "class-table", self.root / CLASS_NAMES_FILE, str(exc))
            return None if num_classes is None else dataset_class_table(None, None, num_classes)
        if table is None:
            self._add(
                WARNING, "class-table", self.root / CLASS_NAMES_FILE,
                "missing: label values are not checked against the classes (give --num-classes)",
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
        if "train" in splits and "val" in splits:
            for image_id in sorted(set(splits["train"]) & set(splits["val"])):
                self._add(
                    ERROR, "train-val-overlap", split_path(self.root, "val"),
                    f"id {image_id} is also in train.txt: validation would score training images",
                )  # fmt: skip
        listed: dict[str, list[str]] = {}
        for name, ids in splits.items():
            for image_id in dict.fromkeys(ids):
                listed.setdefault(image_id, []).append(f"{name}.txt")
        labelled = set(label_ids(self.root))
        items = []
        for image_id in sorted(labelled | set(listed)):
            where = f" (listed in {', '.join(listed[image_id])})" if image_id in listed else ""
            label = label_path(self.root, image_id)
            image = image_path(self.root, image_id)
            if image_id not in labelled:
                self._add(ERROR, "missing-label", label, f"missing label{where}")
            elif splits and image_id not in listed:
                self._add(WARNING, "unlisted", label, "no split file lists this label")
            if not image.exists():
                self._add(ERROR, "missing-image", image, f"missing image for {LABELS_DIR}/{image_id}.png{where}")
            items.append((str(label) if image_id in labelled else "", str(image) if image.exists() else ""))
        return [item for item in items if any(item)]

    def _check_temporaries(self) -> None:
        """Report the temporary files an interrupted run left (the next run writing there
        removes them)."""
        if is_remote(self.root):
            return  # objects are uploaded whole: an object store holds no temporaries
        for folder, _, files in sorted(os.walk(self.root)):
            for name in sorted(files):
                if is_temporary(name):
                    self._add(
                        WARNING, "temporary-file", Path(folder) / name,
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

    def run(self, jobs: int | None = None) -> Iterator[FileResult]:
        """Check every sample in worker processes, one result per sample in order; the problems
        found are added to :attr:`problems` as the results come in."""
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
        work = partial(
            check_sample, valid_values=valid, palette=palette, palette_name=palette_name, classes_name=classes_name
        )
        pixels: dict[str, dict[int, int]] = {}
        for (label_file, image_file), result in zip(self.items, map_files(work, self.items, jobs)):
            if result.ok:
                self.problems.extend(Problem(*p) for p in result.data["problems"])
                if result.data["pixels"] is not None:
                    pixels[Path(label_file).stem] = result.data["pixels"]
            else:
                self._add(ERROR, "unreadable", label_file or image_file, result.error or "failed")
            yield result
        self._check_balance(pixels)

    def _check_balance(self, pixels: dict[str, dict[int, int]]) -> None:
        """Warn about each class held by two images or more that one side of ``train.txt`` /
        ``val.txt`` lacks."""
        if self.table is None:
            return
        try:
            balance = existing_split_balance(self.root, pixels, self.table.num_classes)
        except DatasetError:
            return  # an unreadable split file is reported already
        for side, message in imbalance(balance or (), self.table.name_of):
            reason = "nothing to learn it from" if side == "train" else "nothing to score it on"
            self._add(WARNING, "split-imbalance", split_path(self.root, side), f"{message}: {reason}")

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": str(self.root),
            "samples": len(self.items),
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "problems": [p.to_dict() for p in self.problems],
        }

    def save_json(self, path: PathLike) -> None:
        """Write :meth:`to_dict` as JSON, atomically."""
        write_json(path, self.to_dict())


def check_dataset(
    root: PathLike,
    classes: ClassTable | PathLike | None = None,
    num_classes: int | None = None,
    jobs: int | None = None,
) -> DatasetCheck:
    """Run a whole :class:`DatasetCheck` and return it (see :attr:`DatasetCheck.problems`)."""
    check = DatasetCheck(root, classes, num_classes)
    for _ in check.run(jobs):
        pass
    return check

