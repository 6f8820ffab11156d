"""Scoring prediction files against ground truth in batch: the job behind ``labeltools evaluate``.

Pairs are matched by stem, read in parallel, and each worker sends back the confusion counts of
one pair.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from labeltools.core._types import PathLike
from labeltools.core.classes import ClassTable, class_names_for
from labeltools.core.errors import DatasetError, EvaluationError
from labeltools.core.options import MISSING_POLICIES, VOID
from labeltools.engine.executor import (
    FileResult,
    OneRun,
    log,
    map_quick,
    raise_if_failed,
)
from labeltools.engine.storage import location
from labeltools.formats.labels import NOT_PNG, not_png_hint, read_label
from labeltools.formats.voc import check_labels_agree, dataset_class_table, dataset_label_paths, has_own_table, is_voc_root
from labeltools.ops.counts import BINARY_MASK_HINT
from labeltools.ops.metrics import ConfusionMatrix, _check_num_classes, confusion_counts


def check_missing_policy(missing: str, name: str = "missing") -> None:
    """Check a policy for missing predictions (cheap: call it before reading any file).

    Raises:
        EvaluationError: ``missing`` is not one of :data:`MISSING_POLICIES`; the message calls
            the setting ``name`` (``--missing`` on the command line).
    """
    if missing not in MISSING_POLICIES:
        raise EvaluationError(f"{name} must be one of {', '.join(MISSING_POLICIES)}, got {missing!r}")


class ScoringPair(NamedTuple):
    """A ground-truth file and its prediction; named by the ground truth, as its result is."""

    gt: str
    pred: str

    def __str__(self) -> str:
        return self.gt


def evaluate_pair(
    pair: tuple[str, str],
    num_classes: int,
    ignore_index: int | None = VOID,
    missing: str = "error",
) -> FileResult:
    """Score one prediction file against its ground-truth file.

    Args:
        pair: ``(gt_path, pred_path)``, label PNGs (palette or grayscale).
        num_classes, ignore_index: as for :class:`ConfusionMatrix`.
        missing: ``"error"`` or ``"skip"``: what a missing prediction file gives.

    Returns:
        A :class:`FileResult` (``source`` = the ground-truth path) whose ``data`` is
        ``(cells, counts)``: the flat indices of the non-zero confusion-matrix cells and their
        counts, as lists of ints (a few dozen bytes to send between processes). A skipped missing
        prediction gives a skipped result with a warning.

    Raises:
        EvaluationError: missing prediction (with ``missing="error"``), size mismatch, values
            out of range (naming the file and the values).
        LabelFileError: a file is unreadable or not a label map.
    """
    gt_path, pred_path = pair
    if not location(pred_path).exists():
        if missing == "skip":
            return FileResult(
                source=gt_path, skipped=True, warnings=(f"{pred_path}: no prediction for {gt_path}; skipped",)
            )
        why = not_png_hint(pred_path) or " (skip such images with --missing skip)"
        raise EvaluationError(f"{pred_path}: no prediction for {gt_path}{why}")
    counts = confusion_counts(
        read_label(gt_path), read_label(pred_path), num_classes, ignore_index, gt_path, pred_path
    ).ravel()
    cells = np.flatnonzero(counts)
    return FileResult(source=gt_path, data=(cells.tolist(), counts[cells].tolist()))


def evaluation_pairs(gt: PathLike, pred: PathLike, split: str | None = None) -> list[tuple[str, str]]:
    """Match ground-truth label files with prediction files by stem.

    Args:
        gt: a folder of label PNGs, or a VOC folder (its ``SegmentationClass``).
        pred: a folder of prediction PNGs named like the ground truth (``<stem>.png``).
        split: with a VOC ``gt``, only the ids of ``ImageSets/Segmentation/<split>.txt``.

    Returns:
        ``(gt_path, pred_path)`` pairs in ground-truth order; prediction paths may not exist
        (see ``missing`` in :func:`evaluate_pair`). Predictions without ground truth are left
        out, with a logged warning.

    Raises:
        DatasetError: a folder is missing, ``split`` is given for a non-VOC folder or its file is
            missing, or there is no ground truth.
    """
    gt_dir, pred_dir = location(gt), location(pred)
    for folder, what in ((gt_dir, "ground-truth"), (pred_dir, "prediction")):
        if not folder.is_dir():
            raise DatasetError(f"{folder}: no such {what} folder")
    if is_voc_root(gt_dir):
        gt_paths = dataset_label_paths(gt_dir, split)
    elif split is not None:
        raise DatasetError(
            f"{gt_dir}: a split ({split}) needs a VOC dataset folder with SegmentationClass/ "
            "and ImageSets/Segmentation/, not a folder of label files"
        )
    else:
        gt_paths = sorted(gt_dir.glob("*.png"))
    if not gt_paths:
        raise DatasetError(f"{gt_dir}: no ground-truth label files (.png)")
    pairs = [(str(p), str(pred_dir / f"{p.stem}.png")) for p in gt_paths]
    # A prediction of an image outside the split has ground truth: it is only not asked for.
    every_gt = gt_paths if split is None else dataset_label_paths(gt_dir, None)
    stems = {p.stem for p in every_gt}
    predicted = {p.stem for p in pred_dir.glob("*.png")}
    asked = {p.stem for p in gt_paths}
    if not predicted & asked:
        others = sorted(p.name for p in pred_dir.iterdir() if p.stem in asked and p.suffix.lower() != ".png")
        why = f"; it holds {', '.join(others[:3])}{' ...' if len(others) > 3 else ''}: {NOT_PNG}" if others else ""
        if is_voc_root(pred_dir):
            why = "; it is a VOC dataset: the ground truth comes first (labeltools evaluate GT PRED)"
        raise DatasetError(f"{pred_dir}: holds no prediction named like the ground truth ({gt_paths[0].name}, ...){why}")
    extra = sorted(f"{p}.png" for p in predicted - stems)
    if extra:
        log.warning(
            "%s: %d prediction(s) have no ground truth and are not scored: %s",
            pred_dir, len(extra), ", ".join(extra[:5]) + (" ..." if len(extra) > 5 else ""),
        )  # fmt: skip
    return pairs


def check_scoring(num_classes: int, ignore_index: int | None, missing: str) -> None:
    """Check the settings of a file scoring before any file is read.

    Raises:
        EvaluationError: bad ``num_classes``, an ``ignore_index`` that is a class or no value a
            label file can hold (outside 0..255), or an unknown ``missing`` policy.
    """
    _check_num_classes(num_classes, ignore_index)
    if ignore_index is not None and not 0 <= ignore_index <= VOID:
        raise EvaluationError(
            f"ignore index {ignore_index} is no value a label file holds (0..{VOID}; {VOID}, "
            "void, by default): no pixel would be left out"
        )
    check_missing_policy(missing)


def evaluate_pairs(
    pairs: Sequence[tuple[str, str]],
    num_classes: int,
    ignore_index: int | None = VOID,
    missing: str = "error",
    jobs: int | None = None,
) -> Iterator[FileResult]:
    """Batch :func:`evaluate_pair` over worker processes, one result per pair in input order.

    Feed the results to :meth:`ConfusionMatrix.add_results`. A bad pair gives a failed result
    naming the file and the rest go on.

    Raises:
        EvaluationError: bad ``num_classes``, an ``ignore_index`` that is a class or no value a
            label file can hold (outside 0..255), or an unknown ``missing`` policy.
    """
    check_scoring(num_classes, ignore_index, missing)
    work = partial(evaluate_pair, num_classes=num_classes, ignore_index=ignore_index, missing=missing)
    return map_quick(work, [ScoringPair(str(g), str(p)) for g, p in pairs], jobs)


@dataclass
class Evaluation(OneRun):
    """A checked, ready-to-run scoring of prediction files; iterate it to score the pairs
    (once). ``matrix`` accumulates as the results come; ``names`` are the class names."""

    items: list[tuple[str, str]]  # (ground truth, prediction) paths
    matrix: ConfusionMatrix
    names: list[str]
    missing: str = "error"
    jobs: int | None = None
    classes_from: str = ""  # where the classes came from, for the user

    def _run(self) -> Iterator[FileResult]:
        cm = self.matrix
        yield from cm.add_results(evaluate_pairs(self.items, cm.num_classes, cm.ignore_index, self.missing, self.jobs))
        truth = cm.matrix.sum(axis=1)
        if cm.num_classes > 1 and cm.ignore_index == VOID and truth[0] and not truth[1:].any():
            folder = Path(self.items[0][0]).parent
            log.warning("%s: the ground truth holds no class but 0 (and void, 255, which is not scored): %s", folder, BINARY_MASK_HINT)

    def scores(self) -> dict[str, Any]:
        """The scores so far, as :meth:`ConfusionMatrix.to_dict` gives them (``evaluate --json``)."""
        return self.matrix.to_dict(self.names)


def evaluate_dataset(
    gt: PathLike,
    pred: PathLike,
    num_classes: int | None = None,
    split: str | None = None,
    missing: str = "error",
    ignore_index: int | None = VOID,
    classes: ClassTable | PathLike | None = None,
    jobs: int | None = None,
) -> Evaluation:
    """Check a scoring of a folder of predictions against ground truth (see
    :func:`evaluation_pairs`) and return it ready to run. The classes come from ``classes``,
    else the ground truth's own class table (a VOC folder's, or that of the dataset around a
    folder of its labels), else ``num_classes``; a ``num_classes`` must agree with the table, and
    predictions that carry a class table of their own must name the classes as it does (see
    :func:`~labeltools.formats.voc.check_labels_agree`: a ``classes`` given is used with a warning).

    Raises:
        DatasetError: see :func:`evaluation_pairs`; no classes known, a ``num_classes`` that is
            not the table's, or predictions whose own table names the classes otherwise.
        EvaluationError: bad ``num_classes``, ``ignore_index`` or ``missing`` (see :func:`evaluate_pairs`).
    """
    table = dataset_class_table(gt, classes, num_classes)
    if table is None:
        raise DatasetError(
            f"{gt}: holds no class table (class_names.txt); give --classes TABLE or --num-classes N"
        )
    if classes is not None or has_own_table(gt):  # a table of names, not -n alone
        check_labels_agree(table, pred, asked=classes is not None)
    check_scoring(table.num_classes, ignore_index, missing)
    pairs = evaluation_pairs(gt, pred, split)
    names = class_names_for(table.num_classes, table)
    return Evaluation(pairs, ConfusionMatrix(table.num_classes, ignore_index), names, missing, jobs, table.described)


def evaluate_folders(
    gt: PathLike,
    pred: PathLike,
    num_classes: int | None = None,
    split: str | None = None,
    missing: str = "error",
    ignore_index: int | None = VOID,
    jobs: int | None = None,
) -> ConfusionMatrix:
    """Score a folder of predictions against ground truth (see :func:`evaluation_pairs`).

    Returns:
        The accumulated :class:`ConfusionMatrix`.

    Raises:
        DatasetError: see :func:`evaluation_pairs`.
        EvaluationError: any pair failed (every other pair was still read); the message lists
            the failures.
    """
    evaluation = evaluate_dataset(gt, pred, num_classes, split, missing, ignore_index, jobs=jobs)
    raise_if_failed(evaluation, len(evaluation), "image(s)", EvaluationError)
    return evaluation.matrix
