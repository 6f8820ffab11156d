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
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from labeltools.core._types import is_int
from labeltools.core.arrays import (
    GIVE_IGNORE_INDEX,
    negative_ignore_hint,
    not_whole,
    refuse_values_per_pixel,
    scaled_to_unit_hint,
    to_array,
    without_channel_axis,
)
from labeltools.core.classes import ClassTable, class_names_for
from labeltools.core.colormap import grey_read_hint
from labeltools.core.errors import EvaluationError, format_values
from labeltools.core.options import MAX_CLASSES, VOID
from labeltools.ops.counts import BINARY_MASK_HINT

if TYPE_CHECKING:
    from labeltools.engine.executor import FileResult

log = logging.getLogger(__name__)


_VOID_CODE = 255  # the value ignored ground-truth pixels take in the uint8 fast path


def _as_numpy(values: Any, source: str) -> NDArray[Any]:
    """An integer array of class indices (booleans as uint8); see :func:`~labeltools.core.arrays.to_array`."""
    array = to_array(values, source, EvaluationError)
    if not np.issubdtype(array.dtype, np.integer):
        hint = f" ({_float_hint(array)})" if np.issubdtype(array.dtype, np.floating) else ""
        raise EvaluationError(f"{source}: expected integer class indices, got dtype {array.dtype}{hint}")
    return array


def _float_hint(array: NDArray[Any]) -> str:
    """What to do with float labels: cast whole numbers, undo a 1/255 scaling, or take the argmax."""
    if not not_whole(array).any():
        return (
            "take the argmax over the class axis first if they are scores; whole numbers as "
            "they are, cast them with .long() or .astype(int)"
        )
    return scaled_to_unit_hint(array) or "take the argmax over the class axis first"


def _values_text(values: NDArray[Any]) -> str:
    return f"value{'s' if len(values) > 1 else ''} {format_values(values)}"


def _pred_error(source: str, values: NDArray[Any], num_classes: int, hint: str = "", present: NDArray[Any] | None = None) -> EvaluationError:
    """The refusal of prediction ``values`` outside the classes; of 255 alone, why it may be there:
    a binary mask saved as 0/255, when the prediction holds no class but 0 (``present``, the
    values it holds), else ground truth given as the predictions."""
    swapped = ""
    if values.tolist() == [VOID]:
        binary = present is not None and set(present.tolist()) <= {0, VOID}
        swapped = f"; it holds no class but 0 beside 255: {BINARY_MASK_HINT}" if binary else (
            "; 255 is void, which ground truth holds and a prediction does not: are the ground truth "
            "and the predictions given the other way round?"
        )
    return EvaluationError(
        f"{source}: prediction holds {_values_text(values)}, outside the classes "
        f"0..{num_classes - 1} (num_classes {num_classes}){swapped or hint}"
    )


def _gt_error(source: str, values: NDArray[Any], num_classes: int, ignore_index: int | None, held: NDArray[Any]) -> EvaluationError:
    """The error of ground truth holding ``values`` outside the classes, of all the values it
    ``held``."""
    ignored = "" if ignore_index is None else f" nor the ignore index {ignore_index}"
    grey = grey_read_hint(held, np.arange(num_classes))
    return EvaluationError(
        f"{source}: ground truth holds {_values_text(values)}, neither a class "
        f"0..{num_classes - 1}{ignored} (num_classes {num_classes}){negative_ignore_hint(values, GIVE_IGNORE_INDEX)}{grey}"
    )


def _gt_codes(gt: NDArray[Any], num_classes: int, ignore_index: int | None, source: str) -> NDArray[np.uint8]:
    """Ground truth as uint8 with ignored pixels set to 255, after checking every value."""
    ignored = gt == ignore_index if ignore_index is not None else np.zeros(gt.shape, dtype=bool)
    bad = ((gt < 0) | (gt >= num_classes)) & ~ignored
    if bad.any():
        raise _gt_error(source, np.unique(gt[bad]), num_classes, ignore_index, np.unique(gt))
    codes = gt.astype(np.uint8)
    codes[ignored] = _VOID_CODE
    return codes


def _bytes(values: NDArray[Any], source: str, what: str) -> NDArray[np.uint8]:
    """Values as uint8 after checking each is one a label file holds (0..255)."""
    if values.dtype == np.uint8:
        return values
    bad = (values < 0) | (values > VOID)
    if bad.any():
        raise EvaluationError(f"{source}: {what} holds {_values_text(np.unique(values[bad]))}, which no label file holds (0..255)")
    return values.astype(np.uint8)


def _pred_codes(pred: NDArray[Any], num_classes: int, source: str, hint: str = "") -> NDArray[np.uint8]:
    """Predictions as uint8 after checking every value is a class."""
    if pred.size and (pred.min() < 0 or pred.max() >= num_classes):
        raise _pred_error(source, np.unique(pred[(pred < 0) | (pred >= num_classes)]), num_classes, hint, np.unique(pred))
    return pred.astype(np.uint8)


#: How a prediction of another size than its ground truth is refused, before its size (``256x256
#: (width x height)``): :func:`one_size_predictions` reads it back off a batch's failures.
SIZE_MISMATCH = "size mismatch, prediction is "


def one_size_predictions(failures: Iterable[str]) -> str | None:
    """What to do when every failure of a batch (two at least) is a prediction of one size
    unlike its ground truth's, as a model's input size is: resize each back before saving;
    None otherwise."""
    sizes = [re.search(re.escape(SIZE_MISMATCH) + r"(\d+x\d+)", failure) for failure in failures]
    found = {m.group(1) for m in sizes if m is not None}
    if len(sizes) < 2 or None in sizes or len(found) != 1:
        return None
    return (
        f"every prediction that failed is {found.pop()}, unlike its ground truth: a model's input size? "
        "resize each prediction to its image's size (nearest-neighbour for class indices, or the "
        "scores before the argmax) before saving it, as mmsegmentation does before it scores"
    )


#: The share of scored pixels predicted as the class next to their ground truth's (and at least
#: :data:`SHIFT_OVER_OWN` times those predicted as their own) above which predictions are said to
#: be one off the labels' values.
SHIFTED_SHARE = 0.5
SHIFT_OVER_OWN = 3


def off_by_one(matrix: NDArray[np.integer], names: Sequence[str], tables: str = "-c, and the labels' as --gt-classes") -> str | None:
    """What to do when most pixels are predicted as the class one below (or above) their ground
    truth's, as predictions saved by a model of classes numbered from another value are (the
    argmax of a model trained with ``reduce_zero_label`` scored against ADE20K's labels as
    shipped, or mmsegmentation's saved argmax + 1 against the train ids): every class is then
    scored 0 without a word. None otherwise.

    Args:
        matrix: ``(N, N)`` counts, rows ground truth, columns prediction.
        names: the classes' names, for the message.
        tables: how to give the predictions' own class table, for the message (evaluate's options
            by default).
    """
    total = int(matrix.sum())
    if not total or len(matrix) < 2:
        return None
    own = int(np.trace(matrix))
    for offset, side, mend in ((-1, "below", "add 1 to each"), (1, "above", "subtract 1 from each")):
        shifted = int(np.trace(matrix, offset=offset))
        if shifted >= SHIFTED_SHARE * total and shifted > SHIFT_OVER_OWN * own:
            rows = np.arange(max(0, -offset), len(matrix) - max(0, offset))
            top = rows[np.argsort(-matrix[rows, rows + offset], kind="stable")][:2]
            pairs = ", ".join(f"{names[k]} as {names[k + offset]}" for k in top if matrix[k, k + offset])
            return (
                f"{100 * shifted / total:.1f}% of the scored pixels are predicted as the class one {side} their "
                f"ground truth's ({pairs}), {100 * own / total:.1f}% as their own: are the predictions' values one "
                f"{side} the labels', saved by a model whose classes are numbered otherwise (reduce_zero_label)? "
                f"Then {mend}, or score them by their own class table ({tables})"
            )
    return None


def confusion_counts(
    gt: Any,
    pred: Any,
    num_classes: int,
    ignore_index: int | None = VOID,
    gt_source: str = "ground truth",
    pred_source: str = "prediction",
    pred_hint: str = "",
    reading: TrainIdScoring | None = None,
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
        pred_hint: said after prediction values outside the classes.
        reading: how the values of both become the classes counted (train ids), if they do;
            ``ignore_index`` is then void (255), the reading's own ignored value set apart.

    Returns:
        ``(N, N)`` int64 counts, rows ground truth, columns prediction.

    Raises:
        EvaluationError: shapes differ, a dtype is not integer, either holds several values per
            pixel (one-hot, colour: :func:`~labeltools.core.arrays.refuse_values_per_pixel`), a
            prediction value is outside ``0..N-1``, or a ground-truth value is neither a class
            nor ``ignore_index``.
    """
    _check_num_classes(num_classes, ignore_index)
    gt_array = _as_numpy(gt, gt_source)
    pred_array = _as_numpy(pred, pred_source)
    refuse_values_per_pixel(gt_array, gt_source, num_classes, EvaluationError)
    refuse_values_per_pixel(pred_array, pred_source, num_classes, EvaluationError)
    if gt_array.shape != pred_array.shape:
        raise EvaluationError(
            f"{pred_source}: {SIZE_MISMATCH}{_shape_text(pred_array.shape)} but "
            f"{gt_source} is {_shape_text(gt_array.shape)}"
        )
    if reading is not None:  # values of 0..255 (those a label file holds), read run by run below
        gt_array, pred_array = _bytes(gt_array, gt_source, "ground truth"), _bytes(pred_array, pred_source, "prediction")
    else:
        if gt_array.dtype != np.uint8 or ignore_index != _VOID_CODE:
            gt_array = _gt_codes(gt_array, num_classes, ignore_index, gt_source)
        if pred_array.dtype != np.uint8:
            pred_array = _pred_codes(pred_array, num_classes, pred_source, pred_hint)
    gt_values, pred_values, lengths = _pair_runs(gt_array.ravel(), pred_array.ravel())
    if reading is not None:
        gt_values, pred_values = reading.read(gt_values, pred_values, gt_source, pred_source)
    bad_pred = pred_values >= num_classes
    if bad_pred.any():
        raise _pred_error(pred_source, np.unique(pred_values[bad_pred]), num_classes, pred_hint, np.unique(pred_values))
    counted = gt_values != _VOID_CODE
    bad_gt = counted & (gt_values >= num_classes)
    if bad_gt.any():
        raise _gt_error(gt_source, np.unique(gt_values[bad_gt]), num_classes, ignore_index, np.unique(gt_values))
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
            "choose a value outside them (255 by default); a class left out of the scores (ADE20K's 0, "
            "other) is one whose train id is 255 in a class table with train ids"
        )


#: A lookup table's value for label values that are no class of its table.
_NOT_A_CLASS = 256


def _lookup(table: ClassTable, unscored: int) -> NDArray[np.uint16]:
    """``(256,)``: each class index of ``table`` -> its train id (``unscored`` for a class without
    one); void -> void; every other value -> :data:`_NOT_A_CLASS`."""
    lut = np.full(256, _NOT_A_CLASS, dtype=np.uint16)
    for entry in table.classes:
        lut[entry.index] = unscored if entry.target == VOID else entry.target
    lut[VOID] = VOID
    return lut


class TrainIdScoring:
    """Label values read as the train ids of a class table before they are scored, as
    cityscapesScripts scores Cityscapes labelIds: the scored classes are the train ids; ground
    truth of a class without one (255, Cityscapes' ``ignoreInEval``) is void; a prediction of
    such a class is wrong for the pixel's true class and no class's false positive. The
    predictions of no scored class are the last class of the :class:`ConfusionMatrix` this
    gives (:meth:`matrix`), which is not scored.

    Args:
        train: the table of the train ids scored (``table.train_table()``).
        gt, pred: the table each side's values are class indices of: one with train ids (its
            classes read as their train ids) or ``train`` itself (values read as they are).
        ignore_index: a further ground-truth value read as void.
        pred_hint: said after a prediction value that is no class of ``pred``.
    """

    def __init__(
        self, train: ClassTable, gt: ClassTable, pred: ClassTable, ignore_index: int | None = VOID, pred_hint: str = ""
    ) -> None:
        self.num_classes = train.num_classes
        self.gt_lut = _lookup(gt, VOID)
        if ignore_index is not None:
            self.gt_lut[ignore_index] = VOID
        self.pred_lut = _lookup(pred, self.num_classes)
        self.pred_lut[VOID] = _NOT_A_CLASS
        self.gt_table, self.pred_table, self.pred_hint = gt.described, pred.described, pred_hint
        # The train ids that predictions hold only as values above every train id: none of them
        # predicted at all is how train ids read as label ids show (Cityscapes' 6..18: label ids 19..33).
        kept = {e.target for e in pred.classes if e.index < self.num_classes}
        self.high = [] if not pred.has_train_ids else [int(t) for t in range(self.num_classes) if t not in kept]
        self.unscored = [e.name for e in pred.classes if e.target == VOID]  # the predictions' classes without one

    def matrix(self) -> ConfusionMatrix:
        """An empty confusion matrix of the train ids and, last, predictions of none."""
        return ConfusionMatrix(self.num_classes + 1, VOID, scored=self.num_classes)

    def read(
        self, gt: NDArray[np.integer], pred: NDArray[np.integer], gt_source: str, pred_source: str
    ) -> tuple[NDArray[np.uint8], NDArray[np.uint8]]:
        """Values of both sides (0..255; :func:`confusion_counts` reads those of its runs of
        equal pairs, a few per row rather than every pixel) as the values the matrix counts.

        Raises:
            EvaluationError: a value that is no class of its side's table.
        """
        out = []
        for values, lut, source, what, table, hint in (
            (gt, self.gt_lut, gt_source, "ground truth", self.gt_table, ""),
            (pred, self.pred_lut, pred_source, "prediction", self.pred_table, self.pred_hint),
        ):
            mapped = lut[values]
            bad = mapped == _NOT_A_CLASS
            if bad.any():
                raise EvaluationError(f"{source}: {what} holds {_values_text(np.unique(values[bad]))}, no class of the {table}{hint}")
            out.append(mapped.astype(np.uint8))
        return out[0], out[1]


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
        scores = cm.mean_iou(), cm.absent_classes()

    Per-class metrics are ``np.ma.MaskedArray`` of shape ``(N,)`` float64, masked where the
    metric is undefined (see the module docs); means leave those classes out.

    Args:
        num_classes: ``N``, 1..255.
        ignore_index: ground-truth value not scored (default 255, void); None scores every pixel.
        scored: how many of the classes, from 0, are scored (default all). A class from there
            on stands for predictions of no scored class (a Cityscapes label id without a train
            id): a ground-truth pixel predicted so counts against its class, and the class has no
            score of its own, is in no mean and is never absent.

    Raises:
        EvaluationError: ``num_classes`` outside 1..255, ``ignore_index`` is a class, or
            ``scored`` is not 1..N.
    """

    def __init__(self, num_classes: int, ignore_index: int | None = VOID, scored: int | None = None) -> None:
        _check_num_classes(num_classes, ignore_index)
        self.num_classes = int(num_classes)
        self.ignore_index = ignore_index
        self.scored = self.num_classes if scored is None else scored
        if not (is_int(self.scored) and 1 <= self.scored <= self.num_classes):
            raise EvaluationError(f"scored must be an integer in 1..{self.num_classes} (num_classes), got {scored!r}")
        self._matrix = np.zeros((self.num_classes, self.num_classes), dtype=np.int64)
        self.images = 0

    # --- accumulating -------------------------------------------------------------------

    def update(self, gt: Any, pred: Any) -> None:
        """Add one label map ``(H, W)`` or a batch ``(B, H, W)`` of ground truth and predictions;
        a channel axis of 1 (``(B, 1, H, W)`` as torch and mmsegmentation keep masks, ``(B, H, W,
        1)``, ``(H, W, 1)``) is left out, so such ground truth meets ``logits.argmax(1)``.

        Accepts numpy arrays and torch tensors (through ``.detach().cpu().numpy()``) of integer
        dtype; neither is modified. Raises EvaluationError as :func:`confusion_counts` does,
        leaving the matrix unchanged.
        """
        gt_array = without_channel_axis(_as_numpy(gt, "ground truth"))
        pred_array = without_channel_axis(_as_numpy(pred, "prediction"))
        counts = confusion_counts(gt_array, pred_array, self.num_classes, self.ignore_index)
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
        """``(N,)`` True for scored classes in the ground truth or the predictions."""
        return ((self.gt_pixels() + self.pred_pixels()) > 0) & self._scored_mask()

    def absent_classes(self) -> list[int]:
        """Scored classes in neither the ground truth nor the predictions: left out of every mean."""
        return [int(i) for i in np.flatnonzero(~self.present()[: self.scored])]

    def _scored_mask(self) -> NDArray[np.bool_]:
        return np.arange(self.num_classes) < self.scored

    # --- per-class metrics --------------------------------------------------------------

    def _per_class(self, numerator: NDArray[Any], denominator: NDArray[Any]) -> np.ma.MaskedArray:
        """A per-class ratio, masked where undefined and for the classes not scored."""
        ratio = _masked_ratio(numerator, denominator)
        ratio[~self._scored_mask()] = np.ma.masked
        return ratio

    def iou(self) -> np.ma.MaskedArray:
        """Per-class intersection over union ``TP / (TP + FP + FN)``; masked for absent classes."""
        tp = np.diag(self._matrix)
        return self._per_class(tp, self.gt_pixels() + self.pred_pixels() - tp)

    def dice(self) -> np.ma.MaskedArray:
        """Per-class Dice / F1 ``2 TP / (2 TP + FP + FN)``; masked for absent classes."""
        return self._per_class(2 * np.diag(self._matrix), self.gt_pixels() + self.pred_pixels())

    def class_accuracy(self) -> np.ma.MaskedArray:
        """Per-class accuracy (recall) ``TP / ground-truth pixels``; masked without ground truth."""
        return self._per_class(np.diag(self._matrix), self.gt_pixels())

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
            for i in range(self.scored)
        ]
        unscored = {} if self.scored == self.num_classes else {
            "not_scored": [{"index": i, "name": names[i], "pred_pixels": pred[i]} for i in range(self.scored, self.num_classes)]
        }  # fmt: skip
        return {
            "num_classes": self.scored,
            **unscored,
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


def change_counts(
    old: NDArray[np.uint8], new: NDArray[np.uint8], old_source: str = "old", new_source: str = "new"
) -> tuple[NDArray[np.intp], NDArray[np.int64]]:
    """Count (old value, new value) pairs of two label maps of one image, void included.

    Counted on the runs of equal pairs, as :func:`confusion_counts` does.

    Args:
        old, new: ``(H, W)`` uint8 label maps of the same size (never modified).
        old_source, new_source: how to name them in error messages.

    Returns:
        ``(cells, counts)``: the flat indices ``old * 256 + new`` of the pairs present, ascending,
        and their pixel counts (int64); unchanged pixels are the cells ``v * 257``.

    Raises:
        EvaluationError: the sizes differ.
    """
    if old.shape != new.shape:
        raise EvaluationError(
            f"{new_source}: size mismatch, it is {_shape_text(new.shape)} but {old_source} is {_shape_text(old.shape)}"
        )
    old_values, new_values, lengths = _pair_runs(np.asarray(old, np.uint8).ravel(), np.asarray(new, np.uint8).ravel())
    codes = old_values.astype(np.intp) * 256 + new_values
    cells, where = np.unique(codes, return_inverse=True)
    return cells, np.bincount(where, weights=lengths, minlength=len(cells)).astype(np.int64)
