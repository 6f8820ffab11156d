"""Counting label files and saving class weights: the file side of ``labeltools weights``.

Each worker sends back one 256-bin histogram per file; :mod:`labeltools.ops.counts` merges
them and computes the weights.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from labeltools.core._types import PathLike
from labeltools.core.classes import ClassTable, class_names_for
from labeltools.core.errors import DatasetError, LabelFileError, OutputError, WeightsError, none_of
from labeltools.core.files import require_suffix
from labeltools.core.options import EFFECTIVE_BETA, ENET_C, VOID
from labeltools.engine.executor import (
    FileResult,
    OneRun,
    map_files,
    map_quick,
    raise_if_failed,
)
from labeltools.engine.storage import absolute, atomic_write, is_remote, location
from labeltools.formats.cityscapes import GT_FOLDERS, chosen_maps, export_maps, label_maps
from labeltools.formats.hub import HubLabelRow
from labeltools.formats.labels import write_json
from labeltools.formats.voc import (
    CLASS_NAMES_FILE,
    GIVE_CLASSES,
    TEST_SPLIT,
    dataset_class_table,
    held_out_ids,
    labels_said,
    select_label_paths,
)
from labeltools.jobs.hub_labels import ADE20K_WAYS, hub_labels, item_histogram, items_folder, no_config, refuse_shipped_ade20k, work_items
from labeltools.ops.counts import (
    ClassCounter,
    ClassCounts,
    ValueLookup,
    _counts_with_warning,
    check_scheme,
    class_weights,
    value_histogram,
    warn_binary_mask,
    weights_provenance,
)


def histogram_label_file(path: PathLike | HubLabelRow, lookup: ValueLookup | None = None) -> FileResult:
    """Count the pixels of each value in one label file or a Hugging Face dataset's row (of the
    value ``lookup`` reads each as, if given: see :func:`~labeltools.ops.counts.value_histogram`).

    Returns:
        A :class:`FileResult` whose ``data`` is the ``(256,)`` int64 histogram.

    Raises:
        LabelFileError: the file is missing or not a label map, or holds a value that is no
            class of the ``lookup``'s table.
    """
    histogram, _ = item_histogram(path)
    if lookup is None:
        return FileResult(source=str(path), data=histogram)
    unknown = np.flatnonzero(lookup.unknown & (histogram > 0))
    if unknown.size:
        raise LabelFileError(f"{path}: holds {none_of(unknown, f'class of the {lookup.of}')}")
    return FileResult(source=str(path), data=value_histogram(histogram, lookup.values))


def histogram_label_files(
    paths: Sequence[PathLike | HubLabelRow], jobs: int | None = None, chunksize: int | None = None, lookup: ValueLookup | None = None
) -> Iterator[FileResult]:
    """Batch :func:`histogram_label_file` over worker processes, results in input order.

    Only the 256-bin histograms travel between processes; feed the results to
    :meth:`ClassCounter.add_results`. A bad file gives a failed result and the rest go on.
    """
    work, count = work_items(paths), partial(histogram_label_file, lookup=lookup)
    # Worker processes, not threads: counting a label by its runs is many short numpy calls,
    # each taking the GIL, so threads would wait on each other (stats at -j 2 took longer than
    # at -j 1 in threads, 0.072 s against 0.061 s for 500 labels; 0.047 s in processes).
    if chunksize is None:
        return map_quick(count, work, jobs)
    return map_files(count, work, jobs, chunksize)


def count_label_files(
    paths: Sequence[PathLike],
    num_classes: int,
    ignore_index: int = VOID,
    strict: bool = False,
    jobs: int | None = None,
) -> ClassCounts:
    """Count class pixels over label files (palette or grayscale PNGs), in parallel.

    Out-of-range values are reported per file (see :func:`count_classes`). Memory does not grow
    with the number of files.

    Raises:
        DatasetError: a file could not be read or (``strict``) holds out-of-range values; the
            message lists the failures (every other file was still read).
        WeightsError: bad ``num_classes`` or ``ignore_index``.
    """
    counter = ClassCounter(num_classes, ignore_index, strict)
    raise_if_failed(counter.add_results(histogram_label_files(paths, jobs)), len(paths), "label file(s)", DatasetError)
    return _counts_with_warning(counter, str(location(paths[0]).parent) if paths else None)


def default_weights_path(dataset: PathLike, name: str | None = None, scheme: str = "enet", split: str | None = None) -> Path:
    """Where pytorch-deeplab-xception looks for a dataset's weights, which its ``train.py``
    counts over the train split: ``<dataset>/<name>_classes_weights.npy``, ``name`` defaulting
    to the dataset folder's name. A scheme other than enet (deeplab's own) adds ``_<scheme>``,
    and a split other than train ``_<split>``, so that no scheme's or split's weights replace
    another's (nor val's statistics reach training under the name it loads)."""
    root = location(dataset)
    suffix = ("" if scheme == "enet" else f"_{scheme}") + ("" if split in (None, "train") else f"_{split}")
    return root / f"{name or absolute(root).name}_classes_weights{suffix}.npy"


def save_weights(path: PathLike, weights: NDArray[np.float64]) -> Path:
    """Save weights as a ``.npy`` float64 array ``(C,)``, atomically; creates the folder.

    ``np.load(path)`` gives the array back (as pytorch-deeplab-xception's ``train.py`` and
    mmsegmentation's ``class_weight='....npy'`` read it).

    Raises:
        WeightsError: not a 1-D array of finite numbers.
    """
    array = np.asarray(weights, dtype=np.float64)
    if array.ndim != 1 or not np.isfinite(array).all():
        raise WeightsError(f"{path}: weights must be a 1-D array of finite numbers, got shape {array.shape}")
    target = location(path)
    with atomic_write(target) as tmp, open(tmp, "wb") as fh:  # a file object: np.save adds no suffix
        np.save(fh, array)
    return target


def save_provenance(path: PathLike, provenance: Mapping[str, Any]) -> Path:
    """Write :func:`weights_provenance` output as JSON, atomically; creates the folder."""
    write_json(path, provenance)
    return location(path)


@dataclass
class DatasetWeighing(OneRun):
    """A checked, ready-to-run weighting of a dataset's labels; iterate it to count them (once).

    After the last result, when no file failed: ``counts`` holds the class counts, ``weights``
    the ``(C,)`` float64 weights, and the weights are saved at ``target``. When a file failed,
    nothing is written and ``weights`` stays None.
    """

    root: Path
    items: list[Path] | list[HubLabelRow]  # label files, or a Hugging Face dataset's rows
    table: ClassTable
    target: Path
    scheme: str = "enet"
    c: float = ENET_C
    beta: float = EFFECTIVE_BETA
    strict: bool = False
    split: str | None = None
    labels_dir: str | None = None
    jobs: int | None = None
    held_out: list[str] = field(default_factory=list)  # test.txt's ids, left out of every label
    lookup: ValueLookup | None = None  # label value -> the value counted (a class's train id)
    classes_from: str = ""  # where the classes came from, for the user
    labels_from: str = ""  # which maps of a Cityscapes folder, or which labels folder, are read, for the user
    counts: ClassCounts | None = field(default=None, init=False)
    weights: NDArray[np.float64] | None = field(default=None, init=False)

    @property
    def names(self) -> list[str]:
        return class_names_for(self.table.num_classes, self.table)

    def _run(self) -> Iterator[FileResult]:
        counter = ClassCounter(self.table.num_classes, strict=self.strict)
        failed = False
        for result in counter.add_results(histogram_label_files(self.items, jobs=self.jobs, lookup=self.lookup)):
            failed = failed or not result.ok
            yield result
        if failed:
            return
        self.counts = counter.counts
        if self.items:
            warn_binary_mask(items_folder(self.items), self.counts.pixels, self.counts.ignored)
        weights = class_weights(self.counts, self.scheme, c=self.c, beta=self.beta, class_names=self.names)
        save_weights(self.target, weights)
        self.weights = weights

    def provenance(self) -> dict[str, Any]:
        """``weights --json``: see :func:`~labeltools.ops.counts.weights_provenance`."""
        if self.counts is None or self.weights is None:
            raise WeightsError("the weighting has not run to the end")
        return weights_provenance(
            self.counts, self.weights, self.scheme, c=self.c, beta=self.beta, class_names=self.names,
            dataset=str(self.root), split=self.split, labels_dir=self.labels_dir, num_files=len(self.items),
            held_out=self.held_out, output=str(self.target),
        )  # fmt: skip


#: The weights file's ending: ``np.save``'s, which every reader of class weights loads by.
WEIGHTS_SUFFIX = ".npy"


def weigh_dataset(
    root: PathLike,
    *,
    split: str | None = None,
    labels_dir: PathLike | None = None,
    num_classes: int | None = None,
    scheme: str = "enet",
    c: float = ENET_C,
    beta: float = EFFECTIVE_BETA,
    strict: bool = False,
    output: PathLike | None = None,
    name: str | None = None,
    jobs: int | None = None,
    classes: ClassTable | PathLike | None = None,
    config: str | None = None,
) -> DatasetWeighing:
    """Check a weighting of the dataset at ``root`` and return it ready to run.

    The labels are those :func:`~labeltools.formats.voc.select_label_paths` picks (``split``,
    default train when listed, else every label but those ``test.txt`` holds out, which
    ``held_out`` names; or ``labels_dir``); the classes those of
    ``num_classes`` or the dataset's class table; the weights go to ``output``, default
    :func:`default_weights_path`. A Hugging Face dataset at ``root`` is read where it is (see
    :func:`~labeltools.jobs.hub_labels.hub_labels`: its train split by default), its weights
    beside it, or in the working folder for a snapshot in Hugging Face's cache.

    Raises:
        WeightsError: unknown scheme or a bad ``c`` / ``beta``.
        OutputError: an ``output`` not ending in ``.npy``.
        DatasetError: no labels to read, or no class table and no ``num_classes``.
    """
    check_scheme(scheme, c, beta)
    if output is not None:
        require_suffix(output, WEIGHTS_SUFFIX, "class weights", "np.load, pytorch-deeplab-xception and mmsegmentation")
    found = None if labels_dir is not None else label_maps(root, split)
    settings: dict[str, Any] = {"scheme": scheme, "c": c, "beta": beta, "strict": strict, "jobs": jobs}
    if found is not None:
        no_config(config, root)
        return _weigh_cityscapes(root, found, classes, num_classes, output, name, **settings)
    hub = None if labels_dir is not None else hub_labels(root, split, classes, num_classes, default_split="train", config=config)
    if hub is not None:  # a Hugging Face dataset's rows, read where they are
        assert hub.table is not None  # a table is needed
        refuse_shipped_ade20k(hub.items, hub.table, ADE20K_WAYS)
        counted, lookup, described = by_train_ids(hub.table.with_preset_train_ids())
        folder, said = hub.folder, hub.said
        if hub.cached is not None and output is None:  # never into the cache's folder of one revision
            folder, name = Path("."), name or hub.cached.rsplit("/", 1)[-1]
            said += f"; it is {hub.cached} in Hugging Face's cache, so the weights go to the working folder (-o elsewhere)"
        if hub.config is not None and output is None:  # one configuration's weights never replace another's
            name = f"{name or absolute(location(folder)).name}_{hub.config}"
            said += f"; the weights named by it, {default_weights_path(folder, name, scheme, hub.split).name}"
        return DatasetWeighing(
            location(root), hub.items, counted, _weights_target(output, default_weights_path(folder, name, scheme, hub.split)),
            split=hub.split, lookup=lookup, classes_from=hub.classes_said(described), labels_from=said, **settings,
        )  # fmt: skip
    no_config(config, labels_dir or root)
    paths, used_split = select_label_paths(root, split, labels_dir)
    labels_from = labels_said(root, used_split, split is None, "weights") if labels_dir is None else ""
    held_out: list[str] = []
    if labels_dir is None and used_split is None:  # every label, but none held out for the test
        held = set(held_out_ids(root))
        held_out = [path.stem for path in paths if path.stem in held]
        paths = [path for path in paths if path.stem not in held]
        if not paths:
            raise DatasetError(f"{location(root)}: every label is in {TEST_SPLIT}.txt, held out for the test; nothing to weight")
    table = dataset_class_table(root, classes, num_classes, labels_dir)
    if table is None:
        raise DatasetError(f"{location(root) / CLASS_NAMES_FILE}: no such file; {GIVE_CLASSES}")
    refuse_shipped_ade20k(paths, table, ADE20K_WAYS)
    table, lookup, described = by_train_ids(table.with_preset_train_ids())
    return DatasetWeighing(
        location(root), paths, table, _weights_target(output, default_weights_path(root, name, scheme, used_split)),
        scheme=scheme, c=c, beta=beta, strict=strict, split=used_split,
        labels_dir=None if labels_dir is None else str(labels_dir), jobs=jobs, held_out=held_out,
        lookup=lookup, classes_from=described, labels_from=labels_from,
    )  # fmt: skip


def _weights_target(output: PathLike | None, default: Path) -> Path:
    """Where the weights go: ``output``, else ``default`` (beside the dataset) once its folder is
    known to take a file. A dataset on a read-only mount, as data is mounted into containers, was
    counted to the end before the weights were refused.

    Raises:
        OutputError: ``default``'s folder cannot be written, naming ``-o``.
    """
    if output is not None:
        return location(output)
    folder = default.parent
    if not is_remote(default) and folder.is_dir() and not os.access(folder, os.W_OK):
        raise OutputError(
            f"{folder}: the weights cannot be written there (a read-only folder or file system); -o FILE writes them elsewhere"
        )
    return default


def by_train_ids(table: ClassTable) -> tuple[ClassTable, ValueLookup | None, str]:
    """The classes a table's labels train as: for a table with train ids (the ``cityscapes``
    preset of label ids), its train ids, each label value read as its class's; otherwise the
    table itself.

    Returns:
        ``(table counted, lookup from label value to value counted or None, what to tell the
        user)``.
    """
    if not table.has_train_ids:
        return table, None, table.described
    train = table.train_table()
    unknown = np.ones(256, dtype=bool)
    unknown[[e.index for e in table.classes] + [VOID]] = False
    lookup = ValueLookup(table.id_to_train_id(), unknown, table.described)
    return train, lookup, f"{table.described}, counted as its {train.num_classes} train ids"


def _weigh_cityscapes(
    root: PathLike,
    found: dict[str, list[Any]],
    classes: ClassTable | PathLike | None,
    num_classes: int | None,
    output: PathLike | None,
    name: str | None,
    **settings: Any,
) -> DatasetWeighing:
    """The weighting of a Cityscapes folder's train ids: from its trainIds maps when it has them
    (and no table of label ids is given), else from its labelIds maps read as their train ids.
    By default the weights go where pytorch-deeplab-xception looks for them,
    ``<cityscapes>/cityscapes_classes_weights.npy`` beside ``gtFine``."""
    own = export_maps(root, found, classes, num_classes)
    if own is not None:  # labels of the export's own, its rows
        (counted, paths, chosen), lookup, described = own, None, own[0].described
    else:
        given = dataset_class_table(None, classes if classes is not None else ClassTable.preset("cityscapes-train"), num_classes)
        assert given is not None  # a table was given
        table = given.with_preset_train_ids()
        kind, paths, chosen = chosen_maps(root, found, "labelIds" if table.has_train_ids else "trainIds")
        if kind == "labelIds":
            counted, lookup, described = by_train_ids(table if table.has_train_ids else ClassTable.preset("cityscapes"))
        elif table.has_train_ids:
            counted, lookup, described = table.train_table(), None, f"{table.described}, counted as its train ids, which the maps hold"
        else:
            counted, lookup, described = table, None, table.described
    folder = absolute(root)
    split = folder.name if folder.parent.name in GT_FOLDERS else None
    scheme = settings["scheme"]
    target = default_weights_path(folder.parent.parent, name or "cityscapes", scheme, split) if split else default_weights_path(root, name, scheme)
    return DatasetWeighing(
        location(root), paths, counted, _weights_target(output, target), lookup=lookup,
        classes_from=described, labels_from=chosen, **settings,
    )  # fmt: skip
