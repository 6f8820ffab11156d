"""What is in a label dataset: the job behind ``labeltools stats``.

:class:`DatasetStats` counts, per class, the pixels, their share of the labelled (non-void)
pixels and the images that contain it, plus the void share, the image sizes, the classes never
seen and how the classes spread over the train/val split; :func:`stats_plot` draws the shares
as a bar chart. (The checker is :mod:`labeltools.jobs.check`.)

Counting reads each label file through Pillow's C histogram (:func:`~labeltools.formats.labels.
label_histogram`) in worker processes; only the 256 counts and the image size travel back.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from labeltools.core._types import PathLike
from labeltools.core.classes import ClassTable, class_name, is_unused
from labeltools.core.colormap import voc_colormap
from labeltools.core.errors import DatasetError
from labeltools.core.files import require_suffix
from labeltools.core.options import VOID
from labeltools.engine.executor import FileResult, OneRun, map_quick, raise_if_failed
from labeltools.engine.storage import atomic_write, location
from labeltools.formats.cityscapes import MAP_NAMES, chosen_maps, export_maps, label_maps
from labeltools.formats.hub import HubLabelRow
from labeltools.formats.labels import save_picture, write_json
from labeltools.formats.voc import (
    SPLITS,
    available_splits,
    dataset_class_table,
    read_split,
    labels_said,
    select_label_paths,
)
from labeltools.jobs.hub_labels import (
    ADE20K_WAYS,
    hub_labels,
    item_histogram,
    items_folder,
    items_noun,
    no_config,
    refuse_shipped_ade20k,
    work_items,
)
from labeltools.ops.counts import value_histogram, warn_binary_mask
from labeltools.ops.draw import bar_chart
from labeltools.ops.splits import ClassBalance, imbalance, sparse_counts, split_balance

log = logging.getLogger(__name__)


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
        sides: the ids on each side of the split (``train``, ``val``) where the dataset's own
            files say them (a Hugging Face dataset's rows, by their source), not split files;
            its files are then kept by their source.
        balance: how the classes spread over train and val, once :meth:`split_balance` ran.
    """

    classes: ClassTable | None = None
    pixels: NDArray[np.int64] = field(default_factory=lambda: np.zeros(256, dtype=np.int64))
    images_with: NDArray[np.int64] = field(default_factory=lambda: np.zeros(256, dtype=np.int64))
    images: int = 0
    sizes: Counter[tuple[int, int]] = field(default_factory=Counter)
    keep_files: bool = False
    sides: dict[str, list[str]] | None = None
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
                    key = result.source if self.sides is not None else Path(result.source).stem
                    self.files[key] = sparse_counts(result.data[0].tolist())
            yield result

    def split_balance(self, root: PathLike) -> list[ClassBalance] | None:
        """How the classes spread over ``root``'s ``train.txt`` and ``val.txt``, from the files
        counted with ``keep_files`` (also kept in :attr:`balance`); None without both split
        files (or :attr:`sides`)."""
        if self.sides is not None:
            self.balance = split_balance(self.sides, self.files, len(self.class_indices))
        else:
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
        """Classes with no pixel anywhere (placeholders of unused ids aside: :func:`is_unused`)."""
        return [i for i in self.class_indices if self.pixels[i] == 0 and not is_unused(i, self.name_of(i))]

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


def stat_label_file(path: PathLike | HubLabelRow, lookup: NDArray[np.uint8] | None = None) -> FileResult:
    """Count one label file's (or a Hugging Face dataset's row's) pixels per value (of the value
    ``lookup`` reads each as, if given: see :func:`~labeltools.ops.counts.value_histogram`).

    Returns:
        A :class:`FileResult` whose ``data`` is ``(counts, (H, W))``: the ``(256,)`` int64
        pixel count of each value (as :func:`~labeltools.jobs.weights.histogram_label_file` gives)
        and the image size.

    Raises:
        LabelFileError: the file is missing or not a label map.
    """
    counts, size = item_histogram(path)
    return FileResult(source=str(path), data=(counts if lookup is None else value_histogram(counts, lookup), size))


def stat_label_files(
    paths: Sequence[PathLike | HubLabelRow], jobs: int | None = None, lookup: NDArray[np.uint8] | None = None
) -> Iterator[FileResult]:
    """Batch :func:`stat_label_file` over worker processes, one result per file in input order.

    Feed the results to :meth:`DatasetStats.add_results`; a bad file gives a failed result.
    """
    work = partial(stat_label_file, lookup=lookup)
    return map_quick(work, work_items(paths), jobs)  # processes: see histogram_label_files


@dataclass
class DatasetCounting(OneRun):
    """A ready-to-run count of a dataset's labels; iterate it to read them (once). ``stats``
    fills as the results come; after the last one, when every label of the dataset was read
    (no split, no labels folder), ``stats.balance`` holds the spread over train and val."""

    root: Path
    items: list[Path] | list[HubLabelRow]  # label files, or a Hugging Face dataset's rows
    stats: DatasetStats
    jobs: int | None = None
    lookup: NDArray[np.uint8] | None = None  # label value -> the value counted (a label id's train id)
    labels_from: str = ""  # which maps of a Cityscapes folder, or which labels folder, are read, for the user

    def _run(self) -> Iterator[FileResult]:
        stats = self.stats
        yield from stats.add_results(stat_label_files(self.items, self.jobs, self.lookup))
        if stats.keep_files:
            stats.split_balance(self.root)
        if stats.classes is None or stats.classes.num_classes > 1:
            warn_binary_mask(items_folder(self.items), stats.pixels[:VOID], stats.void_pixels)


def count_dataset(
    dataset: PathLike,
    split: str | None = None,
    labels_dir: PathLike | None = None,
    classes: ClassTable | PathLike | None = None,
    num_classes: int | None = None,
    jobs: int | None = None,
    config: str | None = None,
) -> DatasetCounting:
    """Check a count of a dataset's labels: those of ``split`` (default: every label), read from
    ``SegmentationClass`` or from ``labels_dir`` (see :func:`~labeltools.formats.voc.select_label_paths`),
    and return it ready to run.

    The class table comes from ``classes``, ``num_classes`` or the dataset's ``class_names.txt``
    (see :func:`~labeltools.formats.voc.dataset_class_table`). A Hugging Face dataset is read
    where it is (see :func:`~labeltools.jobs.hub_labels.hub_labels`), every split's rows by default
    (of its configuration ``config``).

    Raises:
        DatasetError: nothing to read.
        ClassTableError: a class table file is malformed.
    """
    found = None if labels_dir is not None else label_maps(dataset, split)
    if found is not None:
        no_config(config, dataset)
        return _count_cityscapes(dataset, found, classes, num_classes, jobs)
    hub = None if labels_dir is not None else hub_labels(dataset, split, classes, num_classes, need_table=False, config=config)
    if hub is not None:  # a Hugging Face dataset's rows, read where they are
        said = hub.said
        if hub.table is not None:
            refuse_shipped_ade20k(hub.items, hub.table, ADE20K_WAYS)
            said += f"; classes: {hub.classes_said(hub.table.described)}"
        stats = DatasetStats(hub.table, keep_files=hub.sides is not None, sides=hub.sides)
        return DatasetCounting(location(dataset), hub.items, stats, jobs, labels_from=said)
    no_config(config, labels_dir or dataset)
    paths, _ = select_label_paths(dataset, split, labels_dir, default_split=None)
    every_label = split is None and labels_dir is None  # then train and val are both counted
    stats = DatasetStats(dataset_class_table(dataset, classes, num_classes, labels_dir), keep_files=every_label)
    if stats.classes is not None:
        refuse_shipped_ade20k(paths, stats.classes, ADE20K_WAYS)
    note = labels_said(dataset, split, split is None, "counts") if labels_dir is None else ""
    return DatasetCounting(location(dataset), paths, stats, jobs, labels_from=note)


def _count_cityscapes(
    dataset: PathLike, found: dict[str, list[Any]], classes: ClassTable | PathLike | None, num_classes: int | None, jobs: int | None
) -> DatasetCounting:
    """A count of a Cityscapes folder's label maps: its labelIds maps by the table of labels its
    export keeps (see :func:`~labeltools.formats.cityscapes.export_maps`), else by the
    ``cityscapes`` preset (or a table with train ids), its trainIds maps by the ``cityscapes-train`` preset (or a
    table without), those of a folder without trainIds maps being its labelIds maps read as
    their train ids.

    Raises:
        DatasetError: label ids asked of a folder holding trainIds maps alone.
    """
    if (own := export_maps(dataset, found, classes, num_classes)) is not None:
        return DatasetCounting(location(dataset), own[1], DatasetStats(own[0]), jobs, None, own[2])
    label_ids = ClassTable.preset("cityscapes")
    if classes is None and num_classes is None:
        classes = label_ids if found["labelIds"] else ClassTable.preset("cityscapes-train")
    table = dataset_class_table(None, classes, num_classes)
    assert table is not None  # a table or a number was given
    table = table.with_preset_train_ids()
    wanted = "labelIds" if table.has_train_ids else "trainIds"
    kind, paths, chosen = chosen_maps(dataset, found, wanted)
    if kind != wanted and wanted == "labelIds":
        raise DatasetError(
            f"{dataset}: holds {MAP_NAMES[kind]} maps alone, whose train ids do not tell the label ids apart "
            "(those without one are all 255); give --classes cityscapes-train"
        )
    lookup = label_ids.id_to_train_id(keep_others=True) if kind != wanted else None
    return DatasetCounting(location(dataset), paths, DatasetStats(table), jobs, lookup, chosen)


def dataset_stats(
    dataset: PathLike,
    split: str | None = None,
    labels_dir: PathLike | None = None,
    classes: ClassTable | PathLike | None = None,
    num_classes: int | None = None,
    jobs: int | None = None,
    config: str | None = None,
) -> DatasetStats:
    """Count a dataset's labels (see :func:`count_dataset`) and return the counts.

    Raises:
        DatasetError: nothing to read, or some files failed (every other file was still read;
            the message lists the failures).
        ClassTableError: a class table file is malformed.
    """
    counting = count_dataset(dataset, split, labels_dir, classes, num_classes, jobs, config)
    raise_if_failed(counting, len(counting), items_noun(counting.items), DatasetError)
    return counting.stats


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


#: The ending of the chart of class shares, and what it holds.
STATS_PLOT = (".png", "the chart")


def save_stats_plot(path: PathLike, stats: DatasetStats, log: bool = False) -> None:
    """Write :func:`stats_plot` as a PNG, atomically.

    Raises:
        OutputError: ``path`` does not end in ``.png``.
    """
    require_suffix(path, *STATS_PLOT)
    with atomic_write(path) as tmp:
        save_picture(stats_plot(stats, log), tmp, format="PNG")
