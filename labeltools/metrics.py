"""Scoring predictions: the confusion matrix and the IoU family, with void (255) ignored.

Semantics follow VOCevalseg.m: only pixels whose ground truth is not the ignore index (255, void)
are counted; a prediction value outside ``0..N-1`` is an error, anywhere in the image. Rows of the
matrix are ground-truth classes, columns predicted classes.

A class *absent* from both the ground truth and the predictions has no IoU, Dice or accuracy: it
is left out of every mean and listed by :meth:`ConfusionMatrix.absent_classes` (no NaN, no
RuntimeWarning). A class predicted but absent from the ground truth scores an IoU and a Dice of 0;
its accuracy (recall) is undefined and left out of the mean class accuracy. On the same inputs
every number equals pytorch-deeplab-xception's ``Evaluator``.

Three layers: :class:`ConfusionMatrix` on arrays (usable in a training loop, torch tensors
accepted), :func:`evaluate_pair` on one pair of files, and :func:`evaluate_pairs` /
:func:`evaluate_folders` over folders, in parallel.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from functools import partial
from typing import Any

import numpy as np
from numpy.typing import NDArray

from labeltools._types import PathLike, is_int
from labeltools.cells import csv_document, keep_sheet_text
from labeltools.classes import class_names_for
from labeltools.colormap import MAX_CLASSES, VOID
from labeltools.errors import DatasetError, EvaluationError, format_values
from labeltools.labelpng import atomic_write, read_label, to_array, write_json
from labeltools.engine.executor import FileResult, map_quick, raise_if_failed
from labeltools.engine.storage import location
from labeltools.voc import dataset_label_paths, is_voc_root


log = logging.getLogger(__name__)

MISSING_POLICIES = ("error", "skip")
_VOID_CODE = 255  # the value ignored ground-truth pixels take in the uint8 fast path


def _as_numpy(values: Any, source: str) -> NDArray[Any]:
    """An integer array of class indices (booleans as uint8); see :func:`~labeltools.labelpng.to_array`."""
    array = to_array(values, source, EvaluationError)
    if not np.issubdtype(array.dtype, np.integer):
        hint = " (take the argmax over the class axis first)" if np.issubdtype(array.dtype, np.floating) else ""
        raise EvaluationError(f"{source}: expected integer class indices, got dtype {array.dtype}{hint}")
    return array


def _values_text(values: NDArray[Any]) -> str:
    return f"value{'s' if len(values) > 1 else ''} {format_values(values)}"


def _pred_error(source: str, values: NDArray[Any], num_classes: int) -> EvaluationError:
    return EvaluationError(
        f"{source}: prediction holds {_values_text(values)}, outside the classes "
        f"0..{num_classes - 1} (num_classes {num_classes})"
    )


def _gt_error(source: str, values: NDArray[Any], num_classes: int, ignore_index: int | None) -> EvaluationError:
    ignored = "" if ignore_index is None else f" nor the ignore index {ignore_index}"
    return EvaluationError(
        f"{source}: ground truth holds {_values_text(values)}, neither a class "
        f"0..{num_classes - 1}{ignored} (num_classes {num_classes})"
    )


def _gt_codes(gt: NDArray[Any], num_classes: int, ignore_index: int | None, source: str) -> NDArray[np.uint8]:
    """Ground truth as uint8 with ignored pixels set to 255, after checking every value."""
    ignored = gt == ignore_index if ignore_index is not None else np.zeros(gt.shape, dtype=bool)
    bad = ((gt < 0) | (gt >= num_classes)) & ~ignored
    if bad.any():
        raise _gt_error(source, np.unique(gt[bad]), num_classes, ignore_index)
    codes = gt.astype(np.uint8)
    codes[ignored] = _VOID_CODE
    return codes


def _pred_codes(pred: NDArray[Any], num_classes: int, source: str) -> NDArray[np.uint8]:
    """Predictions as uint8 after checking every value is a class."""
    if pred.size and (pred.min() < 0 or pred.max() >= num_classes):
        raise _pred_error(source, np.unique(pred[(pred < 0) | (pred >= num_classes)]), num_classes)
    return pred.astype(np.uint8)


def confusion_counts(
    gt: Any,
    pred: Any,
    num_classes: int,
    ignore_index: int | None = VOID,
    gt_source: str = "ground truth",
    pred_source: str = "prediction",
) -> NDArray[np.int64]:
    """Count (ground truth, prediction) pairs of class indices.

    Label maps are piecewise constant, so the pair codes are run-length encoded first and only
    the runs are counted: on label images this is several times faster than ``np.bincount`` over
    every pixel, and exact whatever the content.

    Args:
        gt: ground truth of any shape (``(H, W)`` or a batch ``(B, H, W)``), integer dtype; numpy
            array, torch tensor or nested sequence. Never modified.
        pred: predictions of the same shape.
        num_classes: ``N``, 1..255.
        ignore_index: ground-truth value whose pixels are not counted (None: every pixel counts).
        gt_source, pred_source: how to name the inputs in error messages (file names, say).

    Returns:
        ``(N, N)`` int64 counts, rows ground truth, columns prediction.

    Raises:
        EvaluationError: shapes differ, a dtype is not integer, a prediction value is outside
            ``0..N-1``, or a ground-truth value is neither a class nor ``ignore_index``.
    """
    _check_num_classes(num_classes, ignore_index)
    gt_array = _as_numpy(gt, gt_source)
    pred_array = _as_numpy(pred, pred_source)
    if gt_array.shape != pred_array.shape:
        raise EvaluationError(
            f"{pred_source}: size mismatch, prediction is {_shape_text(pred_array.shape)} but "
            f"{gt_source} is {_shape_text(gt_array.shape)}"
        )
    if gt_array.dtype != np.uint8 or ignore_index != _VOID_CODE:
        gt_array = _gt_codes(gt_array, num_classes, ignore_index, gt_source)
    if pred_array.dtype != np.uint8:
        pred_array = _pred_codes(pred_array, num_classes, pred_source)
    gt_values, pred_values, lengths = _pair_runs(gt_array.ravel(), pred_array.ravel())
    bad_pred = pred_values >= num_classes
    if bad_pred.any():
        raise _pred_error(pred_source, np.unique(pred_values[bad_pred]), num_classes)
    counted = gt_values != _VOID_CODE
    bad_gt = counted & (gt_values >= num_classes)
    if bad_gt.any():
        raise _gt_error(gt_source, np.unique(gt_values[bad_gt]), num_classes, ignore_index)
    cells = gt_values[counted].astype(np.intp) * num_classes + pred_values[counted]
    counts = np.bincount(cells, weights=lengths[counted], minlength=num_classes * num_classes)
    return counts.astype(np.int64).reshape(num_classes, num_classes)


def _pair_runs(
    gt: NDArray[np.uint8], pred: NDArray[np.uint8]
) -> tuple[NDArray[np.integer], NDArray[np.integer], NDArray[np.intp]]:
    """Runs of equal (gt, pred) pairs along the flattened arrays: values and lengths."""
    if gt.size == 0:
        empty = np.zeros(0, dtype=np.uint16)
        return empty, empty, np.zeros(0, dtype=np.intp)
    codes = np.empty(gt.size, dtype=np.uint16)
    np.left_shift(gt, 8, out=codes, dtype=np.uint16)
    np.bitwise_or(codes, pred, out=codes)
    changes = np.flatnonzero(codes[1:] != codes[:-1])
    bounds = np.empty(changes.size + 2, dtype=np.intp)
    bounds[0] = 0
    np.add(changes, 1, out=bounds[1:-1])
    bounds[-1] = codes.size
    values = codes[bounds[:-1]]
    return values >> 8, values & 0xFF, np.diff(bounds)


def _shape_text(shape: tuple[int, ...]) -> str:
    if len(shape) == 2:
        return f"{shape[1]}x{shape[0]} (width x height)"
    return f"of shape {shape}"


def _check_num_classes(num_classes: int, ignore_index: int | None) -> None:
    if not (is_int(num_classes) and 1 <= num_classes <= MAX_CLASSES):
        raise EvaluationError(
            f"num_classes must be an integer in 1..{MAX_CLASSES} (classes 0..N-1; 255 is void), "
            f"got {num_classes!r}"
        )
    if ignore_index is None:
        return
    if not is_int(ignore_index):
        raise EvaluationError(f"ignore_index must be an integer or None, got {ignore_index!r}")
    if 0 <= ignore_index < num_classes:
        raise EvaluationError(
            f"ignore_index {ignore_index} is one of the classes 0..{num_classes - 1}; "
            "choose a value outside them (255 by default)"
        )


def _masked_ratio(numerator: NDArray[Any], denominator: NDArray[Any]) -> np.ma.MaskedArray:
    defined = denominator > 0
    values = np.zeros(numerator.shape, dtype=np.float64)
    np.divide(numerator, denominator, out=values, where=defined)
    return np.ma.MaskedArray(values, mask=~defined)


class ConfusionMatrix:
    """Accumulates a confusion matrix over images or batches and computes the IoU family.

    Example (inside a validation loop)::

        cm = ConfusionMatrix(21)
        for images, labels in loader:
            cm.update(labels, model(images).argmax(1))
        print(cm.mean_iou(), cm.absent_classes())

    Per-class metrics are ``np.ma.MaskedArray`` of shape ``(N,)`` float64, masked where the
    metric is undefined (see the module docs); means leave those classes out.

    Args:
        num_classes: ``N``, 1..255.
        ignore_index: ground-truth value not scored (default 255, void); None scores every pixel.

    Raises:
        EvaluationError: ``num_classes`` outside 1..255, or ``ignore_index`` is a class.
    """

    def __init__(self, num_classes: int, ignore_index: int | None = VOID) -> None:
        _check_num_classes(num_classes, ignore_index)
        self.num_classes = int(num_classes)
        self.ignore_index = ignore_index
        self._matrix = np.zeros((self.num_classes, self.num_classes), dtype=np.int64)
        self.images = 0

    # --- accumulating -------------------------------------------------------------------

    def update(self, gt: Any, pred: Any) -> None:
        """Add one label map ``(H, W)`` or a batch ``(B, H, W)`` of ground truth and predictions.

        Accepts numpy arrays and torch tensors (through ``.detach().cpu().numpy()``) of integer
        dtype; neither is modified. Raises EvaluationError as :func:`confusion_counts` does,
        leaving the matrix unchanged.
        """
        gt_array = _as_numpy(gt, "ground truth")
        counts = confusion_counts(gt_array, _as_numpy(pred, "prediction"), self.num_classes, self.ignore_index)
        self._matrix += counts
        self.images += gt_array.shape[0] if gt_array.ndim == 3 else 1

    def add_counts(self, counts: NDArray[np.integer], images: int = 1) -> None:
        """Add an ``(N, N)`` matrix of counts (from another ConfusionMatrix or a saved run)."""
        counts = np.asarray(counts)
        if counts.shape != self._matrix.shape:
            raise EvaluationError(
                f"counts of shape {counts.shape} cannot be added to a {self.num_classes}-class "
                f"confusion matrix {self._matrix.shape}"
            )
        self._matrix += counts.astype(np.int64)
        self.images += images

    def add_results(self, results: Iterable[FileResult]) -> Iterator[FileResult]:
        """Add the counts carried by :func:`evaluate_pair` results, passing each result on.

        Failed and skipped results are passed on without counting anything.
        """
        flat = self._matrix.reshape(-1)  # a view: adding to it adds to the matrix
        for result in results:
            if result.ok and not result.skipped and result.data is not None:
                cells, counts = result.data
                np.add.at(flat, np.asarray(cells, dtype=np.intp), np.asarray(counts, dtype=np.int64))
                self.images += 1
            yield result

    def merge(self, other: ConfusionMatrix) -> None:
        """Add another matrix of the same size (e.g. from another worker)."""
        self.add_counts(other.matrix, other.images)

    def reset(self) -> None:
        self._matrix[:] = 0
        self.images = 0

    # --- counts -------------------------------------------------------------------------

    @property
    def matrix(self) -> NDArray[np.int64]:
        """``(N, N)`` int64 counts (a copy): row = ground-truth class, column = predicted class."""
        return self._matrix.copy()

    @property
    def total(self) -> int:
        """Pixels counted (ground truth not void)."""
        return int(self._matrix.sum())

    def gt_pixels(self) -> NDArray[np.int64]:
        """``(N,)`` ground-truth pixels per class."""
        return self._matrix.sum(axis=1)

    def pred_pixels(self) -> NDArray[np.int64]:
        """``(N,)`` predicted pixels per class (on counted pixels)."""
        return self._matrix.sum(axis=0)

    def present(self) -> NDArray[np.bool_]:
        """``(N,)`` True for classes in the ground truth or the predictions."""
        return (self.gt_pixels() + self.pred_pixels()) > 0

    def absent_classes(self) -> list[int]:
        """Classes in neither the ground truth nor the predictions: left out of every mean."""
        return [int(i) for i in np.flatnonzero(~self.present())]

    # --- per-class metrics --------------------------------------------------------------

    def iou(self) -> np.ma.MaskedArray:
        """Per-class intersection over union ``TP / (TP + FP + FN)``; masked for absent classes."""
        tp = np.diag(self._matrix)
        return _masked_ratio(tp, self.gt_pixels() + self.pred_pixels() - tp)

    def dice(self) -> np.ma.MaskedArray:
        """Per-class Dice / F1 ``2 TP / (2 TP + FP + FN)``; masked for absent classes."""
        return _masked_ratio(2 * np.diag(self._matrix), self.gt_pixels() + self.pred_pixels())

    def class_accuracy(self) -> np.ma.MaskedArray:
        """Per-class accuracy (recall) ``TP / ground-truth pixels``; masked without ground truth."""
        return _masked_ratio(np.diag(self._matrix), self.gt_pixels())

    # --- summaries ----------------------------------------------------------------------

    def _require_pixels(self) -> None:
        if not self._matrix.any():
            raise EvaluationError(
                "nothing to score: no pixel was counted (no update yet, or every ground-truth "
                "pixel is void)"
            )

    def pixel_accuracy(self) -> float:
        """Correct pixels over counted pixels."""
        self._require_pixels()
        return float(np.trace(self._matrix) / self._matrix.sum())

    def mean_class_accuracy(self) -> float:
        """Mean of :meth:`class_accuracy` over the classes present in the ground truth."""
        self._require_pixels()
        return float(self.class_accuracy().compressed().mean())

    def mean_iou(self) -> float:
        """Mean of :meth:`iou` over the classes not absent."""
        self._require_pixels()
        return float(self.iou().compressed().mean())

    def mean_dice(self) -> float:
        """Mean of :meth:`dice` over the classes not absent."""
        self._require_pixels()
        return float(self.dice().compressed().mean())

    def frequency_weighted_iou(self) -> float:
        """IoU weighted by each class's share of ground-truth pixels."""
        self._require_pixels()
        gt = self.gt_pixels()
        seen = gt > 0
        return float((gt[seen] / gt.sum() * self.iou().data[seen]).sum())

    def to_dict(self, class_names: Sequence[str] | None = None) -> dict[str, Any]:
        """Every metric as plain JSON-ready values; undefined per-class values are None.

        Raises:
            EvaluationError: nothing was counted.
        """
        names = class_names_for(self.num_classes, class_names)
        iou, dice, accuracy = self.iou().tolist(), self.dice().tolist(), self.class_accuracy().tolist()
        gt, pred = self.gt_pixels().tolist(), self.pred_pixels().tolist()
        absent = set(self.absent_classes())
        classes = [
            {
                "index": i,
                "name": names[i],
                "iou": iou[i],
                "dice": dice[i],
                "accuracy": accuracy[i],
                "gt_pixels": gt[i],
                "pred_pixels": pred[i],
                "absent": i in absent,
            }
            for i in range(self.num_classes)
        ]
        return {
            "num_classes": self.num_classes,
            "ignore_index": self.ignore_index,
            "images": self.images,
            "pixels": self.total,
            "mean_iou": self.mean_iou(),
            "pixel_accuracy": self.pixel_accuracy(),
            "mean_class_accuracy": self.mean_class_accuracy(),
            "frequency_weighted_iou": self.frequency_weighted_iou(),
            "mean_dice": self.mean_dice(),
            "absent_classes": [{"index": i, "name": names[i]} for i in sorted(absent)],
            "classes": classes,
            "confusion_matrix": self._matrix.tolist(),
        }

    def __repr__(self) -> str:
        return f"ConfusionMatrix({self.num_classes} classes, {self.images} images, {self.total} pixels)"

    # --- saving -------------------------------------------------------------------------

    def save_json(self, path: PathLike, class_names: Sequence[str] | None = None) -> None:
        """Write :meth:`to_dict` as JSON, atomically."""
        write_json(path, self.to_dict(class_names))

    def save_csv(self, path: PathLike, class_names: Sequence[str] | None = None) -> None:
        """Write the confusion matrix as CSV (a header row of predicted classes, one row per
        ground-truth class), atomically."""
        names = class_names_for(self.num_classes, class_names)
        rows: list[list[Any]] = [["ground truth \\ prediction", *names]]
        rows += [[name, *row] for name, row in zip(names, self._matrix.tolist())]
        with atomic_write(path) as tmp:
            tmp.write_text(csv_document(rows), encoding="utf-8")

    def save_excel(self, path: PathLike, class_names: Sequence[str] | None = None) -> None:
        """Write a workbook: the per-class scores and means, and the confusion matrix shaded by
        each row's share (how ground-truth pixels of a class were predicted). Atomic.

        Raises:
            EvaluationError: nothing was counted.
        """
        _save_workbook(path, self, class_names_for(self.num_classes, class_names))


def _save_workbook(path: PathLike, cm: ConfusionMatrix, names: list[str]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    summary = cm.to_dict(names)
    book = Workbook()
    scores = book.active
    scores.title = "Scores"
    bold = Font(bold=True)
    for key in ("mean_iou", "pixel_accuracy", "mean_class_accuracy", "frequency_weighted_iou", "mean_dice"):
        scores.append([key.replace("_", " "), summary[key]])
    scores.append(["images", summary["images"]])
    scores.append(["pixels", summary["pixels"]])
    scores.append([])
    header = ["index", "name", "IoU", "Dice/F1", "accuracy", "GT pixels", "predicted pixels", "note"]
    scores.append(header)
    for cell in scores[scores.max_row]:
        cell.font = bold
    for row in summary["classes"]:
        note = "absent: left out of the means" if row["absent"] else ""
        scores.append(
            [row["index"], row["name"], row["iou"], row["dice"], row["accuracy"], row["gt_pixels"],
             row["pred_pixels"], note]
        )  # fmt: skip
    scores.column_dimensions["A"].width = 24
    scores.column_dimensions["B"].width = 20

    sheet = book.create_sheet("Confusion matrix")
    sheet.append(["ground truth \\ prediction", *names])
    for cell in sheet[1]:
        cell.font = bold
    matrix = cm.matrix
    rows = matrix.sum(axis=1, keepdims=True)
    shares = np.divide(matrix, rows, out=np.zeros(matrix.shape), where=rows > 0)
    for i, (name, counts) in enumerate(zip(names, matrix.tolist())):
        sheet.append([name, *counts])
        sheet.cell(row=i + 2, column=1).font = bold
        for j, share in enumerate(shares[i]):
            level = int(round(255 - 200 * share))  # white -> deep blue with the row's share
            color = f"{level:02X}{level:02X}FF"
            cell = sheet.cell(row=i + 2, column=j + 2)
            cell.fill = PatternFill(fill_type="solid", start_color=color, end_color=color)
            if share > 0.6:
                cell.font = Font(color="FFFFFF", bold=i == j)
            elif i == j:
                cell.font = bold
    sheet.column_dimensions["A"].width = 26
    for page in (scores, sheet):
        keep_sheet_text(page)
    with atomic_write(path) as tmp:
        book.save(tmp)


# --- files ----------------------------------------------------------------------------------


def check_missing_policy(missing: str, name: str = "missing") -> None:
    """Check a policy for missing predictions (cheap: call it before reading any file).

    Raises:
        EvaluationError: ``missing`` is not one of :data:`MISSING_POLICIES`; the message calls
            the setting ``name`` (``--missing`` on the command line).
    """
    if missing not in MISSING_POLICIES:
        raise EvaluationError(f"{name} must be one of {', '.join(MISSING_POLICIES)}, got {missing!r}")


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
        raise EvaluationError(
            f"{pred_path}: no prediction for {gt_path} (skip such images with --missing skip)"
        )
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
    stems = {p.stem for p in gt_paths}
    extra = sorted(p.name for p in pred_dir.glob("*.png") if p.stem not in stems)
    if extra:
        log.warning(
            "%s: %d prediction(s) have no ground truth and are not scored: %s",
            pred_dir, len(extra), ", ".join(extra[:5]) + (" ..." if len(extra) > 5 else ""),
        )  # fmt: skip
    return pairs


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
    _check_num_classes(num_classes, ignore_index)
    if ignore_index is not None and not 0 <= ignore_index <= VOID:
        raise EvaluationError(
            f"ignore index {ignore_index} is no value a label file holds (0..{VOID}; {VOID}, "
            "void, by default): no pixel would be left out"
        )
    check_missing_policy(missing)
    work = partial(evaluate_pair, num_classes=num_classes, ignore_index=ignore_index, missing=missing)
    return map_quick(work, [(str(g), str(p)) for g, p in pairs], jobs)


def evaluate_folders(
    gt: PathLike,
    pred: PathLike,
    num_classes: int,
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
    pairs = evaluation_pairs(gt, pred, split)
    cm = ConfusionMatrix(num_classes, ignore_index)
    results = cm.add_results(evaluate_pairs(pairs, num_classes, ignore_index, missing, jobs))
    raise_if_failed(results, len(pairs), "image(s)", EvaluationError)
    return cm
