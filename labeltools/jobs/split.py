"""(Re)write the train/val split, or cross-validation folds, of an existing VOC dataset: the
batch job behind ``labeltools split``.

The labels are counted in parallel (one 256-bin histogram per file), the split is chosen by
:mod:`labeltools.ops.splits` (hashed, or stratified by the classes each label holds) and the split
files are written together once every label was read. A label that cannot be read fails alone,
and then nothing is written.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from labeltools.core._types import PathLike
from labeltools.core.classes import ClassTable
from labeltools.core.errors import DatasetError
from labeltools.engine.executor import FileResult, OneRun
from labeltools.engine.storage import location, output_lock
from labeltools.formats.voc import (
    AUG_SPLITS,
    TEST_SPLIT,
    available_splits,
    dataset_class_table,
    held_out_ids,
    label_ids,
    label_path,
    read_split,
    record_split_group,
    refuse_mask_export,
    settled_split_group,
    split_path,
    write_splits,
)
from labeltools.jobs.stats import stat_label_files
from labeltools.ops.splits import (
    ClassBalance,
    check_fraction,
    fold_ids,
    group_note,
    id_groups,
    sparse_counts,
    split_balance,
    split_ids,
)

log = logging.getLogger(__name__)


@dataclass
class DatasetSplitting(OneRun):
    """A checked, ready-to-run split of a VOC dataset; iterate it to read the labels (once).

    After the last result, ``splits`` holds the split files written (name -> ids),
    ``balance`` the per-class spread over train and val (for folds: over each fold's train and
    val, ``balance[k]``), ``pixels`` each id's pixel counts (value -> pixels). ``held_out``
    holds the labelled ids of ``test.txt``, which take no part; ``trained`` those an augmented
    training set's list names (``train_aug.txt``, ...), which stay in train; ``groups`` each
    id's group, whose ids share a side (see :func:`~labeltools.ops.splits.id_groups`), and
    ``group_chosen`` that in words.
    """

    root: Path
    items: list[str]  # the ids
    table: ClassTable | None
    held_out: list[str]
    val_fraction: float = 0.1
    seed: int = 0
    stratify: bool = False
    folds: int | None = None
    jobs: int | None = None
    trained: dict[str, list[str]] = field(default_factory=dict)  # augmented training list -> its ids here
    groups: dict[str, str] | None = None
    group_chosen: str = ""
    group: str | None = None  # the --group pattern, recorded in dataset_meta.json with the split
    splits: dict[str, list[str]] = field(default_factory=dict, init=False)
    balance: list[list[ClassBalance]] = field(default_factory=list, init=False)
    pixels: dict[str, dict[int, int]] = field(default_factory=dict, init=False)

    @property
    def num_classes(self) -> int:
        """Classes 0..N-1 reported: the table's, else up to the largest value seen."""
        if self.table is not None:
            return self.table.num_classes
        seen = [v for counts in self.pixels.values() for v in counts if v != 255]
        return max(seen, default=0) + 1

    def _run(self) -> Iterator[FileResult]:
        with output_lock(self.root):  # a conversion into the dataset would write its own split over this one
            yield from self._split()

    def _split(self) -> Iterator[FileResult]:
        failed = False
        paths = [label_path(self.root, image_id) for image_id in self.items]
        for image_id, result in zip(self.items, stat_label_files(paths, self.jobs)):
            if result.ok:
                self.pixels[image_id] = sparse_counts(result.data[0].tolist())
            else:
                failed = True
            yield result
        if failed:
            log.debug("a label could not be read: the split files are left as they were")
            return
        classes = {i: counts.keys() for i, counts in self.pixels.items()}
        steer = classes if self.stratify else None
        if self.folds is None:
            pinned = sorted({i for ids in self.trained.values() for i in ids})
            train, val = split_ids(self.items, self.val_fraction, self.seed, previous=(pinned, []), classes=steer, groups=self.groups)
            self.splits = {"train": train, "val": val, "trainval": sorted(train + val)}
            self.balance = [split_balance({"train": train, "val": val}, self.pixels, self.num_classes)]
        else:
            for k, fold in enumerate(fold_ids(self.items, self.folds, self.seed, steer, self.groups)):
                rest = sorted(set(self.items) - set(fold))
                self.splits[f"train_{k}"] = rest
                self.splits[f"val_{k}"] = fold
                self.balance.append(split_balance({"train": rest, "val": fold}, self.pixels, self.num_classes))
        write_splits(self.root, self.splits)
        record_split_group(self.root, self.group)


def split_dataset(
    root: PathLike,
    *,
    val_fraction: float = 0.1,
    seed: int = 0,
    stratify: bool = False,
    folds: int | None = None,
    classes: ClassTable | PathLike | None = None,
    num_classes: int | None = None,
    group: str | None = None,
    jobs: int | None = None,
) -> DatasetSplitting:
    """Check a (re)split of the VOC dataset at ``root`` and return it ready to run.

    Every label in ``SegmentationClass`` takes part, except those ``test.txt`` lists (the
    dataset's held-out test ids, left where they are). Without ``folds``, ``train.txt``,
    ``val.txt`` and ``trainval.txt`` are rewritten (``val_fraction`` of the ids in val, never an
    empty side; the ids a list of the augmented training set names, such as ``train_aug.txt``,
    stay in train, which that list trains on); with ``folds=K``, ``train_<k>.txt`` and
    ``val_<k>.txt`` for k = 0..K-1, every id in exactly one ``val_<k>``. ``stratify`` keeps
    every class held by two images or more on both sides. ``group``, a regular expression
    naming each id's group (see :func:`~labeltools.ops.splits.id_groups`), keeps the images of
    one group (frames of one video, tiles of one scene) on one side; by default the dataset's
    ``dataset_meta.json`` gives the one it records (``""``: none), and the split records the one
    it used.

    Raises:
        DatasetError: not a VOC folder, no labels (or every one in ``test.txt``, or in an
            augmented training set's list), a bad fraction or number of folds (or of groups),
            folds of a dataset with an augmented training set's list, an unreadable split file,
            a ``group`` that is no regular expression or matches no part of an id.
        ClassTableError: a bad class table.
    """
    root = location(root)
    check_fraction(val_fraction)
    ids = label_ids(root)
    refuse_mask_export(root)
    if not ids:
        raise DatasetError(f"{root}: no labels in SegmentationClass/ to split")
    test = set(held_out_ids(root))
    held_out = [image_id for image_id in ids if image_id in test]
    ids = [image_id for image_id in ids if image_id not in test]
    if not ids:
        raise DatasetError(f"{split_path(root, TEST_SPLIT)}: lists every label: none is left to split into train and val")
    labelled = set(ids)
    trained = {}  # the ids each list of the augmented training set trains on
    for name in (n for n in available_splits(root) if n in AUG_SPLITS):
        if listed := [i for i in dict.fromkeys(read_split(root, name)) if i in labelled]:
            trained[name] = listed
    if trained and folds is not None:
        name, listed = next(iter(trained.items()))
        raise DatasetError(
            f"{split_path(root, name)}: lists {len(listed)} of the labels, which it trains on: every val fold would hold some; "
            "cross-validate a dataset without an augmented training set's list"
        )
    group, how = settled_split_group(root, group)
    groups = id_groups(ids, group) if group is not None else None
    if folds is not None:
        fold_ids(ids, folds, groups=groups)  # raises now for an impossible number of folds
    if trained and labelled <= {i for listed in trained.values() for i in listed}:
        raise DatasetError(f"{split_path(root, next(iter(trained)))}: lists every label, which it trains on: none is left for val")
    table = dataset_class_table(root, classes, num_classes)
    chosen = group_note(groups, str(group)) + (f", {how}" if how else "") if groups is not None else how
    return DatasetSplitting(root, ids, table, held_out, val_fraction, seed, stratify, folds, jobs, trained, groups, chosen, group)
