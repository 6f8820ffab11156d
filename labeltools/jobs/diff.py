"""What changed between two versions of a dataset's labels: the job behind ``labeltools diff``.

OLD and NEW are label folders, VOC datasets (their ``SegmentationClass``), Cityscapes folders or
Hugging Face datasets (their rows, read where they are); label maps are matched by id (the file
stem, a Cityscapes frame, a row's id as ``convert`` gives it). Each worker reads one pair and
sends back the counts of its (old value, new value) pairs, void included, a few cells per image;
the parent adds them into a 256 x 256 change matrix and keeps one line per file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, Union

import numpy as np
from numpy.typing import NDArray

from labeltools.core._types import PathLike
from labeltools.core.classes import ClassTable, class_name
from labeltools.core.errors import DatasetError
from labeltools.core.options import VOID
from labeltools.engine.executor import FileResult, OneRun, map_quick
from labeltools.engine.storage import location, pngs_in
from labeltools.formats.cityscapes import chosen_maps, export_class_table, label_maps, map_frame
from labeltools.formats.folders import not_a_folder, other_masks_hint
from labeltools.formats.hub import HubLabelRow
from labeltools.formats.voc import LABELS_DIR, check_labels_agree, dataset_class_table, is_voc_root, refuse_mask_export
from labeltools.jobs.hub_labels import hub_labels, item_label, no_config, refuse_other_images, work_item
from labeltools.ops.metrics import change_counts

#: A label map of a version: a label file's path, or a Hugging Face dataset's row.
LabelItem = Union[str, HubLabelRow]


class DiffPair(NamedTuple):
    """One id's label maps in both versions; named by its new one, as its result is."""

    image_id: str
    old: LabelItem
    new: LabelItem

    def __str__(self) -> str:
        return str(self.new)


def diff_pair(pair: DiffPair) -> FileResult:
    """Count what changed in one image's labels.

    Returns:
        A :class:`FileResult` (``source`` = the new file) whose ``data`` is ``(cells, counts)``
        as :func:`~labeltools.ops.metrics.change_counts` gives them, as lists of ints.

    Raises:
        LabelFileError: a file is missing or not a label map. EvaluationError: the sizes differ.
        DatasetError: two rows paired by their numbers hold different images (see
            :func:`~labeltools.jobs.hub_labels.refuse_other_images`).
    """
    refuse_other_images(pair.old, pair.new)
    old, new = (item_label(item, "compares") for item in (pair.old, pair.new))
    cells, counts = change_counts(old, new, str(pair.old), str(pair.new))
    return FileResult(source=str(pair.new), data=(cells.tolist(), counts.tolist()))


class LabelFiles(NamedTuple):
    """A version's label folder, its label files (or a Hugging Face dataset's rows) by id, of a
    Cityscapes folder the preset of the ids its maps hold, and of a Hugging Face dataset the
    class table it came with (else None each), and whether it is such a dataset."""

    folder: Path
    files: dict[str, Path | HubLabelRow]
    ids: ClassTable | None = None
    table: ClassTable | None = None
    hub: bool = False


def label_files(root: PathLike, what: str = "", config: str | None = None) -> LabelFiles:
    """The label folder of ``root`` (its ``SegmentationClass`` for a VOC folder) and its label
    files by id; of a Cityscapes folder, its labelIds maps (else its trainIds maps) by frame; of
    a Hugging Face dataset (its folder or one of its files), every split's labelled rows by their
    ids as ``convert`` gives them (see :func:`~labeltools.jobs.hub_labels.hub_rows`), of its
    configuration ``config`` (see :func:`~labeltools.jobs.hub_labels.dataset_files`).

    Raises:
        DatasetError: no such folder (``what`` says what it was to hold), a Hugging Face dataset
            without a labelled row.
    """
    folder = location(root)
    if is_voc_root(folder):
        refuse_mask_export(folder)
        folder = folder / LABELS_DIR
    elif (hub := hub_labels(root, None, None, None, need_table=False, ids=True, config=config)) is not None:
        return LabelFiles(hub.folder, {row.image_id: row.item for row in hub.rows}, table=hub.table, hub=True)
    elif not folder.is_dir():
        raise DatasetError(not_a_folder(root, what))
    elif (found := label_maps(folder)) is not None:
        kind, paths, _ = chosen_maps(folder, found, "labelIds")
        ids = export_class_table(found) or ClassTable.preset("cityscapes" if kind == "labelIds" else "cityscapes-train")
        return LabelFiles(folder, {map_frame(p.name): p for p in paths}, ids)
    return LabelFiles(folder, {p.stem: p for p in pngs_in(folder)})


def label_pairs(old: LabelFiles, new: LabelFiles) -> tuple[list[DiffPair], list[str], list[str]]:
    """Match the label files of two versions (see :func:`label_files`) by id.

    Returns:
        ``(pairs, only_old, only_new)``: the pairs of the ids both hold, and the ids only one
        holds, each sorted by id.

    Raises:
        DatasetError: a folder holds no label file (.png).
    """
    (old_folder, olds, *_), (new_folder, news, *_) = old, new
    for folder, files in ((old_folder, olds), (new_folder, news)):
        if not files:
            raise DatasetError(f"{folder}: no label files (.png){other_masks_hint(folder)}")
    shared = sorted(olds.keys() & news.keys())
    pairs = [DiffPair(i, work_item(olds[i]), work_item(news[i])) for i in shared]
    return pairs, sorted(olds.keys() - news.keys()), sorted(news.keys() - olds.keys())


@dataclass
class LabelChanges:
    """The changes between two versions of some label files, added up.

    Attributes:
        matrix: ``(256, 256)`` int64 pixels per (old value, new value), void (255) included; the
            diagonal holds the unchanged pixels.
        files: per file compared, ``(id, changed pixels, pixels)``.
        classes: names the values (else ``class <i>``).
    """

    classes: ClassTable | None = None
    matrix: NDArray[np.int64] = field(default_factory=lambda: np.zeros((256, 256), dtype=np.int64))
    files: list[tuple[str, int, int]] = field(default_factory=list)

    def add(self, image_id: str, cells: list[int], counts: list[int]) -> int:
        """Add one file's ``(cells, counts)`` (see :func:`diff_pair`); returns its changed pixels."""
        cell_array, count_array = np.asarray(cells, dtype=np.intp), np.asarray(counts, dtype=np.int64)
        self.matrix.ravel()[cell_array] += count_array
        changed = int(count_array[cell_array % 257 != 0].sum())  # cell v * 257 is v -> v
        self.files.append((image_id, changed, int(count_array.sum())))
        return changed

    @property
    def pixels(self) -> int:
        return int(self.matrix.sum())

    @property
    def changed_pixels(self) -> int:
        return self.pixels - int(np.trace(self.matrix))

    @property
    def changed_share(self) -> float:
        """Changed pixels over all pixels compared (0 with none)."""
        return self.changed_pixels / self.pixels if self.pixels else 0.0

    def name_of(self, value: int) -> str:
        return "void" if value == VOID else class_name(value, self.classes)

    def class_rows(self) -> list[dict[str, Any]]:
        """One row per value either version holds: its pixels before and after, the change and
        the change over its old pixels (None when it is new)."""
        old, new = self.matrix.sum(axis=1).tolist(), self.matrix.sum(axis=0).tolist()
        return [
            {
                "index": v, "name": self.name_of(v), "old_pixels": old[v], "new_pixels": new[v],
                "change": new[v] - old[v], "change_share": (new[v] - old[v]) / old[v] if old[v] else None,
            }  # fmt: skip
            for v in range(256)
            if old[v] or new[v]
        ]

    def changes(self) -> list[dict[str, Any]]:
        """Pixels that changed value, one row per (old, new) pair, most pixels first."""
        off = self.matrix.copy()
        np.fill_diagonal(off, 0)
        cells = np.flatnonzero(off)
        order = cells[np.argsort(-off.ravel()[cells], kind="stable")]
        return [
            {"from": int(c) // 256, "from_name": self.name_of(int(c) // 256), "to": int(c) % 256,
             "to_name": self.name_of(int(c) % 256), "pixels": int(off.ravel()[c])}  # fmt: skip
            for c in order
        ]

    def file_rows(self) -> list[dict[str, Any]]:
        """One row per file compared, the largest share of changed pixels first."""
        rows = [
            {"id": i, "changed_pixels": changed, "pixels": total, "changed_share": changed / total if total else 0.0}
            for i, changed, total in self.files
        ]
        return sorted(rows, key=lambda r: (-r["changed_share"], r["id"]))

    def to_dict(self) -> dict[str, Any]:
        rows = self.class_rows()
        return {
            "files": len(self.files), "pixels": self.pixels, "changed_pixels": self.changed_pixels,
            "changed_share": self.changed_share,
            "classes": rows,
            "grew": [r["name"] for r in rows if r["change"] > 0],
            "shrank": [r["name"] for r in rows if r["change"] < 0],
            "changes": self.changes(), "per_file": self.file_rows(),
        }  # fmt: skip


@dataclass
class LabelDiff(OneRun):
    """A ready-to-run comparison of two versions of a dataset's labels; iterate it to read the
    pairs (once). ``changes`` fills as the results come."""

    old: str
    new: str
    items: list[DiffPair]
    only_old: list[str]
    only_new: list[str]
    changes: LabelChanges
    jobs: int | None = None

    def _run(self) -> Iterator[FileResult]:
        for pair, result in zip(self.items, map_quick(diff_pair, self.items, self.jobs)):
            if result.ok:
                self.changes.add(pair.image_id, *result.data)
            yield result

    def to_dict(self) -> dict[str, Any]:
        """``diff --json``: the changes, and the ids only one version holds."""
        return {"old": self.old, "new": self.new, **self.changes.to_dict(),
                "only_in_old": self.only_old, "only_in_new": self.only_new}  # fmt: skip


def diff_datasets(
    old: PathLike,
    new: PathLike,
    classes: ClassTable | PathLike | None = None,
    jobs: int | None = None,
    config: str | None = None,
) -> LabelDiff:
    """Check a comparison of two versions of a dataset's labels (see :func:`label_files`) and
    return it ready to run. Values are named by ``classes``, else NEW's class table, else OLD's;
    OLD and NEW must name the classes alike (a ``classes`` given is used with a warning). Of a
    version that is a Hugging Face dataset of several configurations, ``config`` is read.

    Raises:
        DatasetError: a folder is missing or holds no label file; OLD's and NEW's own tables name the classes
            otherwise. ClassTableError: a class table file is malformed.
    """
    old_files, new_files = label_files(old, config=config), label_files(new, config=config)
    if not (old_files.hub or new_files.hub):
        no_config(config, f"neither {old} nor {new}", "{} is one")
    pairs, only_old, only_new = label_pairs(old_files, new_files)
    old_ids, new_ids = old_files.ids, new_files.ids
    if old_ids is not None and new_ids is not None and old_ids.source != new_ids.source:
        raise DatasetError(f"{old} holds maps of the {old_ids.described}, {new} of the {new_ids.described}: compare maps of one kind")
    versions = ((new, new_files), (old, old_files))
    table = dataset_class_table(None, classes) if classes is not None else None
    for root, files in versions:
        table = table or files.table or dataset_class_table(root) or files.ids
    if table is not None:  # both versions number the classes alike
        for root, files in versions:
            check_labels_agree(table, root, asked=classes is not None, own=files.table)
    return LabelDiff(str(old), str(new), pairs, only_old, only_new, LabelChanges(table), jobs)
