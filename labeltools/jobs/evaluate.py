"""Scoring prediction files against ground truth in batch: the job behind ``labeltools evaluate``.

Pairs are matched by stem (under a Cityscapes ``gtFine`` folder, by frame, as cityscapesScripts
matches them), read in parallel, and each worker sends back the confusion counts of one pair.
A class table with train ids (the ``cityscapes`` preset of labelIds, ``ade20k`` of ADE20K's labels)
is scored by them, as cityscapesScripts and mmsegmentation score (see
:class:`~labeltools.ops.metrics.TrainIdScoring`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, NamedTuple

import numpy as np

from labeltools.core._types import PathLike
from labeltools.core.classes import PRESETS, TRAIN_ID_PRESETS, ClassTable, class_names_for
from labeltools.core.errors import DatasetError, EvaluationError, shell_word
from labeltools.core.options import MISSING_POLICIES, VOID
from labeltools.engine.executor import (
    FileResult,
    OneRun,
    log,
    map_quick,
    raise_if_failed,
)
from labeltools.engine.storage import absolute, list_files, location, pngs_in
from labeltools.formats.cityscapes import chosen_maps, export_maps, frame_prefixes, label_maps, map_frame
from labeltools.formats.folders import not_a_folder, other_masks_hint, stem_endings
from labeltools.formats.hub import HubLabelRow
from labeltools.formats.labels import ARRAY_SUFFIX, COLOUR_IMAGE_SAID, NOT_PNG, not_png_hint, prediction_files, read_label
from labeltools.formats.voc import (
    GIVE_CLASSES,
    WITHHELD,
    check_labels_agree,
    dataset_class_table,
    dataset_label_paths,
    datasets_inside_said,
    has_own_table,
    is_voc_root,
    label_ids,
    labels_dir_of,
    labels_note,
    no_labels,
    split_listing,
    split_path,
    tables_disagree,
)
from labeltools.jobs.hub_labels import HubLabels, hub_labels, item_label, items_folder, no_config, rows_said
from labeltools.ops.counts import BINARY_MASK_HINT
from labeltools.ops.metrics import (
    ConfusionMatrix,
    TrainIdScoring,
    _check_num_classes,
    confusion_counts,
    off_by_one,
    one_size_predictions,
)

#: The presets of Cityscapes' label ids and train ids.
CITYSCAPES, CITYSCAPES_TRAIN = "cityscapes", "cityscapes-train"
#: The share of predicted pixels of classes without a train id (of a table with train ids) above
#: which the predictions are said to look like train ids read as label ids.
UNSCORED_SHARE = 0.01


def check_missing_policy(missing: str, name: str = "missing") -> None:
    """Check a policy for missing predictions (cheap: call it before reading any file).

    Raises:
        EvaluationError: ``missing`` is not one of :data:`MISSING_POLICIES`; the message calls
            the setting ``name`` (``--missing`` on the command line).
    """
    if missing not in MISSING_POLICIES:
        raise EvaluationError(f"{name} must be one of {', '.join(MISSING_POLICIES)}, got {missing!r}")


class ScoringPair(NamedTuple):
    """A ground-truth file (or a Hugging Face dataset's row) and its prediction; named by the
    ground truth, as its result is."""

    gt: str | HubLabelRow
    pred: str

    def __str__(self) -> str:
        return str(self.gt)


def evaluate_pair(
    pair: tuple[str | HubLabelRow, str],
    num_classes: int,
    ignore_index: int | None = VOID,
    missing: str = "error",
    reading: TrainIdScoring | None = None,
    pred_hint: str = "",
) -> FileResult:
    """Score one prediction file against its ground-truth file.

    Args:
        pair: ``(gt_path, pred_path)``, label PNGs (palette or grayscale); the ground truth
            may be a Hugging Face dataset's row (:class:`~labeltools.formats.hub.HubLabelRow`).
        num_classes, ignore_index: as for :class:`ConfusionMatrix`.
        missing: ``"error"`` or ``"skip"``: what a missing prediction file gives.
        reading: how both files' values become the classes counted (train ids), if they do.
        pred_hint: said after prediction values that are no class.

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
    gt, pred_path = pair
    gt_path = str(gt)
    if not location(pred_path).exists():
        if missing == "skip":
            return FileResult(
                source=gt_path, skipped=True, warnings=(f"{pred_path}: no prediction for {gt_path}; skipped",)
            )
        why = not_png_hint(pred_path) or " (skip such images with --missing skip)"
        raise EvaluationError(f"{pred_path}: no prediction for {gt_path}{why}")
    counts = confusion_counts(
        item_label(gt, "scores"), read_label(pred_path), num_classes, ignore_index, gt_path, pred_path, pred_hint, reading
    ).ravel()
    cells = np.flatnonzero(counts)
    return FileResult(source=gt_path, data=(cells.tolist(), counts[cells].tolist()))


#: What the folders of an evaluation hold, as messages about them say it.
GROUND_TRUTH, PREDICTIONS = " (the ground truth)", " (the predictions to score)"


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
    for given, folder, what in ((gt, gt_dir, GROUND_TRUTH), (pred, pred_dir, PREDICTIONS)):
        if not folder.is_dir():
            raise DatasetError(not_a_folder(given, what))
    labelled: set[str] | None = None  # of a split's folder, every label there: a prediction of one has ground truth
    if is_voc_root(gt_dir):
        gt_paths = dataset_label_paths(gt_dir, split)
        if split is not None:
            labels = location(gt_dir) / labels_dir_of(gt_dir, split)
            labelled = set(label_ids(gt_dir, labels.name))
            if gt_paths and not labelled & {p.stem for p in gt_paths}:
                raise DatasetError(
                    f"{split_path(gt_dir, split)}: none of its {len(gt_paths)} id(s) has a label in {labels} "
                    f"({WITHHELD}, is scored by its evaluation server): nothing to score"
                )
    elif split is not None:
        raise DatasetError(
            f"{gt_dir}: a split ({split}) needs a VOC dataset folder with SegmentationClass/ "
            "and ImageSets/Segmentation/, not a folder of label files"
        )
    else:
        gt_paths = pngs_in(gt_dir)
    if not gt_paths:
        raise DatasetError(
            no_labels(gt_dir) if is_voc_root(gt_dir) and split is None
            else f"{gt_dir}: no ground-truth label files (.png){other_masks_hint(gt_dir)}{datasets_inside_said(location(gt_dir))}"
        )
    # A prediction of an image outside the split has ground truth: it is only not asked for.
    stems = labelled if labelled is not None else {p.stem for p in gt_paths}
    files, suffix = prediction_files(pred_dir)  # label PNGs, else arrays (np.save of each argmax)
    predicted = {p.stem for p in files}
    asked = {p.stem for p in gt_paths}
    named = prediction_stem(asked, predicted)  # CamVid's <image>_L.png scored against <image>.png, and the reverse
    pairs = [(str(p), str(pred_dir / f"{named(p.stem)}{suffix}")) for p in gt_paths]
    stems, asked = {named(stem) for stem in stems}, {named(stem) for stem in asked}
    if not predicted & asked:
        others = sorted(p.name for p in pred_dir.iterdir() if p.stem in asked and p.suffix.lower() != suffix)
        why = f"; it holds {', '.join(others[:3])}{' ...' if len(others) > 3 else ''}: {NOT_PNG}" if others else ""
        if is_voc_root(pred_dir):
            why = "; it is a VOC dataset: the ground truth comes first (labeltools evaluate GT PRED)"
        elif not others and (inner := _inner_predictions(pred_dir, asked)):
            more = f" and {len(inner) - 1} more folder(s): give one of them" if len(inner) > 1 else ": give that folder"
            why = f"; its predictions are in {inner[0]}{more}"
        raise DatasetError(f"{pred_dir}: holds no prediction named like the ground truth ({gt_paths[0].stem}{suffix}, ...){why}")
    _not_scored(pred_dir, sorted(f"{p}{suffix}" for p in predicted - stems), "have no ground truth")
    warn_ground_truth_as_predictions(pairs, pred)
    return pairs


def warn_ground_truth_as_predictions(pairs: Sequence[tuple[Any, Any]], pred: PathLike) -> None:
    """Warn of predictions that are the ground truth's own files (its folder given twice),
    which score 100% without a word otherwise (a check of the scoring itself gives them so)."""
    if pairs and all(str(absolute(g)) == str(absolute(p)) for g, p in pairs):
        log.warning(
            "%s: holds the ground truth's own label files, which score 100%% against themselves: are the model's "
            "predictions in another folder?", pred,
        )  # fmt: skip


def _inner_predictions(pred_dir: Any, stems: set[str]) -> list[str]:
    """The folders below ``pred_dir`` (two levels down at most) that hold predictions of the
    ground truth's ``stems``, as a model's scripts write them per split (``pred/val/``)."""
    found = list_files(pred_dir, (".png", ARRAY_SUFFIX), recursive=True, depth=3)
    return sorted({str(path.parent) for path in found if path.stem in stems and path.parent != pred_dir})


def prediction_stem(labels: set[str], predicted: set[str]) -> Callable[[str], str]:
    """The stem of a label's prediction: its own, or, when no stem is shared, the label's with
    the endings that pair them exchanged (CamVid's ``<image>_L`` against a model's ``<image>``,
    or the reverse: see :func:`~labeltools.formats.folders.stem_endings`)."""
    label_end, pred_end = stem_endings(labels, predicted)
    if not label_end:
        pred_end, label_end = stem_endings(predicted, labels)
    if not pred_end and not label_end:
        return str
    return lambda stem: stem.removesuffix(label_end) + pred_end


def _not_scored(pred_dir: Any, names: Sequence[str], why: str) -> None:
    """Warn of the predictions that are not scored, the first few named."""
    if names:
        shown = ", ".join(names[:5]) + (" ..." if len(names) > 5 else "")
        log.warning("%s: %d prediction(s) %s and are not scored: %s", pred_dir, len(names), why, shown)


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
    pairs: Sequence[tuple[Any, str]],
    num_classes: int,
    ignore_index: int | None = VOID,
    missing: str = "error",
    jobs: int | None = None,
    reading: TrainIdScoring | None = None,
    pred_hint: str = "",
) -> Iterator[FileResult]:
    """Batch :func:`evaluate_pair` over worker processes, one result per pair in input order.

    Feed the results to :meth:`ConfusionMatrix.add_results`. A bad pair gives a failed result
    naming the file and the rest go on.

    Raises:
        EvaluationError: bad ``num_classes``, an ``ignore_index`` that is a class or no value a
            label file can hold (outside 0..255), or an unknown ``missing`` policy.
    """
    check_scoring(num_classes, ignore_index, missing)
    work = partial(
        evaluate_pair, num_classes=num_classes, ignore_index=ignore_index, missing=missing, reading=reading, pred_hint=pred_hint
    )
    return map_quick(work, [ScoringPair(g if isinstance(g, HubLabelRow) else str(g), str(p)) for g, p in pairs], jobs)


@dataclass
class Evaluation(OneRun):
    """A checked, ready-to-run scoring of prediction files; iterate it to score the pairs
    (once). ``matrix`` accumulates as the results come; ``names`` are the class names."""

    items: list[tuple[Any, str]]  # (ground truth, prediction) paths; the ground truth may be a Hugging Face dataset's row
    matrix: ConfusionMatrix
    names: list[str]
    missing: str = "error"
    jobs: int | None = None
    classes_from: str = ""  # where the classes came from, for the user
    reading: TrainIdScoring | None = None
    ground_truth: str = ""  # which files of a folder holding several kinds are the ground truth
    pred_hint: str = ""  # said after prediction values that are no class
    train_hint: str = ""  # what to give for predictions of train ids read as label ids
    gt_hint: str = ""  # said after ground truth of values above the classes: label ids read as train ids?
    colour_hint: str = ""  # what to do with predictions that are colour images

    def _run(self) -> Iterator[FileResult]:
        cm = self.matrix
        failed: list[tuple[str, str]] = []  # (prediction, error) of each failed pair
        results = cm.add_results(
            evaluate_pairs(self.items, cm.num_classes, cm.ignore_index, self.missing, self.jobs, self.reading, self.pred_hint)
        )
        for result, (_, pred) in zip(results, self.items):  # the results first, so that they run to their end
            if not result.ok:
                failed.append((pred, result.error or ""))
            yield result
        above = sum(": ground truth holds " in error for _, error in failed)  # ground truth of values above the classes
        colour = sum(error.startswith(f"{pred}: {COLOUR_IMAGE_SAID} (") for pred, error in failed)  # pictures, not labels
        if colour and self.colour_hint:
            log.warning("%d prediction(s) are colour images: %s", colour, self.colour_hint)
        resize = one_size_predictions([error for _, error in failed])
        if resize is not None:
            log.warning("%s", resize)
        if above and self.gt_hint:
            log.warning("%d ground-truth file(s) hold values above the classes: %s", above, self.gt_hint)
        shifted = None if self.reading is not None else off_by_one(cm.matrix, self.names)  # train ids: said below
        if shifted is not None:
            log.warning("%s", shifted)
        truth = cm.matrix.sum(axis=1)
        if cm.num_classes > 1 and cm.ignore_index == VOID and truth[0] and not truth[1:].any():
            folder = items_folder([self.items[0][0]])
            log.warning("%s: the ground truth holds no class but 0 (and void, 255, which is not scored): %s", folder, BINARY_MASK_HINT)
        reading = self.reading
        high = [] if reading is None else reading.high
        if reading is not None and high and not cm.pred_pixels()[high].any() and cm.gt_pixels()[high].any():
            log.warning(
                "no prediction holds a value above %d (%s), which the ground truth holds: are the predictions "
                "train ids? Then give %s", cm.scored - 1,
                ", ".join(self.names[i] for i in high[:3]) + (", ..." if len(high) > 3 else ""), self.train_hint,
            )  # fmt: skip
        unscored = int(cm.pred_pixels()[cm.scored :].sum())
        if high and cm.total and unscored >= UNSCORED_SHARE * cm.total:  # a model of the train ids never predicts those
            log.warning(
                "%.1f%% of the predicted pixels are of classes without a train id (%s), which a model trained on the "
                "train ids never predicts: are the predictions train ids? Then give %s",
                100 * unscored / cm.total, self.unscored_names, self.train_hint,
            )  # fmt: skip

    @property
    def unscored_names(self) -> str:
        """The first classes without a train id of the predictions' table, for messages."""
        names = self.reading.unscored if self.reading is not None else []
        return ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")

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
    gt_classes: ClassTable | PathLike | None = None,
    config: str | None = None,
) -> Evaluation:
    """Check a scoring of a folder of predictions against ground truth (see
    :func:`evaluation_pairs`; a Hugging Face dataset's rows, see :func:`hub_ground_truth` and
    :func:`hub_pairs`) and return it ready to run. The classes come from ``classes``,
    else the ground truth's own class table (a VOC folder's, or that of the dataset around a
    folder of its labels), else ``num_classes``; a ``num_classes`` must agree with the table, and
    predictions that carry a class table of their own must name the classes as it does (see
    :func:`~labeltools.formats.voc.check_labels_agree`: a ``classes`` given is used with a warning).
    ``gt_classes``, with ``classes``, is the table of the ground truth's values where they are
    not the predictions': one of them the label ids of a table with train ids, the other its
    train ids (ADE20K's annotations as shipped, ``ade20k``, against predictions of its train
    ids, ``ade20k-train``). Of a Hugging Face dataset of several configurations, ``config`` is
    read.

    Raises:
        DatasetError: see :func:`evaluation_pairs`; no classes known, a ``num_classes`` that is
            not the table's, or predictions whose own table names the classes otherwise;
            ``gt_classes`` without ``classes``, of a Cityscapes folder (its maps say what they
            hold), or that are neither ``classes`` nor its label ids or train ids.
        EvaluationError: bad ``num_classes``, ``ignore_index`` or ``missing`` (see :func:`evaluate_pairs`).
    """
    hub = hub_ground_truth(gt, pred, split, classes, num_classes, config)
    if hub is None:
        no_config(config, gt)
    if hub is None and not location(gt).is_dir():
        raise DatasetError(not_a_folder(gt, GROUND_TRUTH))
    found = None if hub is not None else label_maps(gt, split)
    gt_hint = ""
    if gt_classes is not None and (classes is None or found is not None):
        raise DatasetError(
            f"{gt}: a Cityscapes folder's maps say which ids they hold; give --classes alone" if found is not None
            else "--gt-classes names the ground truth's values where they are not the predictions': give --classes too"
        )  # fmt: skip
    if found is not None:
        table, gt_table, _, gt_paths, chosen = cityscapes_choice(gt, found, classes, num_classes)
    else:
        own = hub.table if hub is not None else dataset_class_table(gt, classes, num_classes)
        if own is None:
            raise DatasetError(
                f"{gt}: holds no class table (class_names.txt); {GIVE_CLASSES}{datasets_inside_said(location(gt))}"
            )
        table = gt_table = own.with_preset_train_ids()
        named = ""
        if hub is None and split is None and (split := predictions_split(gt, pred)) is not None:
            named = f"the labels of {split_path(gt, split)}, whose ids the predictions are (--split names another)"
        gt_paths, chosen = None, hub.said if hub is not None else labels_note(gt, split) or named
        if gt_classes is not None:
            gt_table = (gt_classes if isinstance(gt_classes, ClassTable) else ClassTable.load(gt_classes)).with_preset_train_ids()
            paired_tables(table, gt_table)
            chosen = f"read by {gt_table.the_described}"
        elif (family := table.train_id_preset()) is not None and not table.has_train_ids:  # train ids on both sides
            gt_hint = f"is the ground truth {TRAIN_ID_PRESETS[family][1]}? Then add --gt-classes {family}"
    if classes is not None or (hub.came_with if hub is not None else has_own_table(gt)):  # a table of names, not -n alone
        check_labels_agree(table, pred, asked=classes is not None)
    check_scoring(table.num_classes, ignore_index, missing)
    if hub is not None:
        pairs = hub_pairs(hub, pred)
    else:
        pairs = evaluation_pairs(gt, pred, split) if gt_paths is None else frame_pairs(gt_paths, pred)
    label_stem, pred_stem = hub.rows[0].image_id if hub is not None else location(pairs[0][0]).stem, location(pairs[0][1]).stem
    if gt_paths is None and label_stem != pred_stem:
        label_name = label_stem if hub is not None else location(pairs[0][0]).name
        matched = f"each label scored against the prediction its stem pairs with ({label_name} against {location(pairs[0][1]).name})"
        chosen = f"{chosen}; {matched}" if chosen else matched
    score = scoring(table, gt_table, ignore_index)
    return Evaluation(
        pairs, score.matrix, score.names, missing, jobs, score.described, score.reading, chosen, score.hint, score.train_hint, gt_hint,
        colour_hint=_remap_colours(pred, table),
    )


def hub_ground_truth(
    gt: PathLike,
    pred: PathLike,
    split: str | None,
    classes: ClassTable | PathLike | None,
    num_classes: int | None,
    config: str | None = None,
) -> HubLabels | None:
    """The rows of a Hugging Face dataset ``gt`` (of its configuration ``config``) that are
    scored (see :func:`~labeltools.jobs.hub_labels.hub_labels`): those of ``split``, else those
    of the one split whose ids the predictions are, else every split's; None where ``gt`` is no
    such dataset.

    Raises:
        DatasetError: see :func:`~labeltools.jobs.hub_labels.hub_labels`.
    """
    hub = hub_labels(gt, split, classes, num_classes, ids=True, config=config)
    return hub if hub is None or split is not None else predicted_rows(hub, pred)


def predicted_rows(hub: HubLabels, pred: PathLike) -> HubLabels:
    """The rows of ``hub`` scored by the predictions at ``pred``: those of the one split whose
    ids the predictions are (said), else all of them."""
    folder = location(pred)
    if not folder.is_dir():
        return hub
    predicted = {path.stem for path in prediction_files(folder)[0]}
    sides = {row.split for row in hub.rows if row.image_id in predicted}
    if len(sides) != 1 or None in sides or len({row.split for row in hub.rows}) == 1:
        return hub
    side = sides.pop()
    kept = [row for row in hub.rows if row.split == side]
    said = f"{rows_said(side, len(kept), list(dict.fromkeys(row.item.path for row in kept)), hub.config)}, whose ids the predictions are (--split names another)"
    return replace(hub, rows=kept, split=side, said=said, sides=None)


def hub_pairs(hub: HubLabels, pred: PathLike) -> list[tuple[Any, str]]:
    """The rows of a Hugging Face dataset paired with the predictions named by their ids (the
    names ``convert`` gives their images: see :func:`~labeltools.jobs.hub_labels.hub_rows`), in
    the rows' order; a prediction may be missing (see ``missing`` in :func:`evaluate_pair`).

    Raises:
        DatasetError: the predictions' folder is missing, or holds no prediction of a row.
    """
    pred_dir = location(pred)
    if not pred_dir.is_dir():
        raise DatasetError(not_a_folder(pred, PREDICTIONS))
    files, suffix = prediction_files(pred_dir)
    predicted = {path.stem for path in files}
    named = prediction_stem({row.image_id for row in hub.rows}, predicted)
    asked = [named(row.image_id) for row in hub.rows]
    if not predicted.intersection(asked):
        raise DatasetError(
            f"{pred_dir}: holds no prediction named like the rows scored ({asked[0]}{suffix}, ...): a row's prediction is "
            "named by the file name its image records (else by its split's word and number), as convert names its image"
        )
    _not_scored(pred_dir, sorted(f"{stem}{suffix}" for stem in predicted - set(asked)), "name no row scored")
    return [(row.item, str(pred_dir / f"{stem}{suffix}")) for row, stem in zip(hub.rows, asked)]


def _remap_colours(pred: PathLike, table: ClassTable) -> str:
    """The ``remap`` line that reads predictions drawn in the colours of ``table`` (a model's
    visualisations) as its class indices, when the table is a file or a preset; else ``""``."""
    given = table.source.removesuffix(" preset")
    if given.lower() not in PRESETS and not location(given).is_file():
        return ""
    folder = str(pred).rstrip("/")
    return (
        f"a model's pictures of its predictions? labeltools remap {shell_word(folder)} -c {shell_word(given)} -d {shell_word(folder + '-labels')} reads "
        f"each colour as its class of the table, then score {folder}-labels"
    )


def predictions_split(gt: PathLike, pred: PathLike) -> str | None:
    """The split of a VOC folder ``gt`` whose ids are those of the predictions in ``pred``
    (see :func:`~labeltools.formats.voc.split_listing`): predictions of ``val.txt`` alone score
    val, not every label, the others missing."""
    folder = location(pred)
    return split_listing(gt, (p.stem for p in prediction_files(folder)[0])) if folder.is_dir() else None


class Scoring(NamedTuple):
    """How predictions are scored: an empty matrix, its class names, the reading of train ids
    (if the classes have them), what to tell the user, and what to say after prediction values
    that are no class."""

    matrix: ConfusionMatrix
    names: list[str]
    reading: TrainIdScoring | None
    described: str
    hint: str
    train_hint: str = ""  # what to give for predictions of train ids read as label ids


def scoring(table: ClassTable, gt_table: ClassTable | None = None, ignore_index: int | None = VOID) -> Scoring:
    """The scoring of predictions holding the classes of ``table`` against ground truth holding
    those of ``gt_table`` (``table`` by default): by the train ids of either, when one has them
    (see :class:`~labeltools.ops.metrics.TrainIdScoring`), else by the classes themselves."""
    gt_table = gt_table or table
    family = (table if table.has_train_ids else gt_table).train_id_preset()
    hint = ""
    if family is not None and not table.has_train_ids:  # predictions of the train ids
        hint = f"; are the predictions {TRAIN_ID_PRESETS[family][1]}? Then give --classes {family}"
    if not (table.has_train_ids or gt_table.has_train_ids):
        matrix = ConfusionMatrix(table.num_classes, ignore_index)
        return Scoring(matrix, class_names_for(table.num_classes, table), None, table.described, hint)
    by = table if table.has_train_ids else gt_table
    train = by.train_table()
    train_hint = f"--classes {TRAIN_ID_PRESETS[family][0]}" if family is not None else "the table of the train ids (--classes)"
    reading = TrainIdScoring(train, gt_table, table, ignore_index, hint)
    names = [*class_names_for(train.num_classes, train), "a class without train id"]
    unscored = sum(e.target == VOID for e in by.classes)
    whose = TRAIN_ID_PRESETS[family][2] if family is not None else "cityscapesScripts scores label ids"
    described = (
        table.described + (", scored as its" if by is table else f"; the ground truth, {by.described}, read as its")
        + f" {train.num_classes} train ids, as {whose}: ground truth of its {unscored} "
        + f"class{'es' if unscored != 1 else ''} without one is void" + ("; predicting one of them is wrong" if by is table else "")
    )
    return Scoring(reading.matrix(), names, reading, described, hint, train_hint)


class CityscapesChoice(NamedTuple):
    """The label maps of a Cityscapes folder taken as the ground truth, and the tables of the ids
    the predictions and they hold."""

    table: ClassTable  # of the predictions
    gt_table: ClassTable  # of the ground truth: the preset of ``kind``
    kind: str  # labelIds or trainIds
    paths: list[Any]
    chosen: str  # what was taken, for the user (see chosen_maps)


def paired_tables(table: ClassTable, gt_table: ClassTable) -> None:
    """Check that predictions of ``table`` can be scored against ground truth of ``gt_table``:
    the same classes, or the label ids of a table with train ids and its train ids.

    Raises:
        DatasetError: the tables score different classes.
    """
    if tables_disagree(gt_table.train_table(), table.train_table()) is not None:
        raise DatasetError(
            f"the ground truth's classes, {gt_table.described}, and the predictions', {table.described}, are neither the "
            "same nor one's label ids and the other's train ids: the same values would mean other classes"
        )


def cityscapes_choice(
    gt: PathLike, found: dict[str, list[Any]], classes: ClassTable | PathLike | None, num_classes: int | None
) -> CityscapesChoice:
    """Which label maps of a Cityscapes folder (``found`` by
    :func:`~labeltools.formats.cityscapes.label_maps`) are the ground truth, read by which table.

    The predictions hold the ids of ``classes`` (labelIds for a table with train ids, else
    trainIds), else those of the folder's labelIds maps, else of its trainIds maps; the ground
    truth is the maps holding the same ids when the folder has them, else the others.
    """
    if (export := export_maps(gt, found, classes, num_classes)) is not None:
        return CityscapesChoice(export[0], export[0], "labelIds", export[1], export[2])  # labels of the export's own
    presets = {kind: ClassTable.preset(name) for kind, name in (("labelIds", CITYSCAPES), ("trainIds", CITYSCAPES_TRAIN))}
    # without a table, the ids of the folder's labelIds maps, unless a number says train ids
    default = presets["labelIds" if found["labelIds"] and num_classes != presets["trainIds"].num_classes else "trainIds"]
    given = dataset_class_table(None, default if classes is None else classes, num_classes)
    assert given is not None  # a table was given
    table = given.with_preset_train_ids()
    wanted = "labelIds" if table.has_train_ids else "trainIds"
    kind, paths, chosen = chosen_maps(gt, found, wanted)
    gt_table = presets[kind]
    if classes is not None:
        own = gt_table if kind == wanted else presets["trainIds"]
        mine = table if kind == wanted or not table.has_train_ids else table.train_table()
        if (what := tables_disagree(mine, own)) is not None:
            log.warning("%s; using %s, as asked", what, table.source)
    return CityscapesChoice(table, gt_table, kind, paths, chosen)


def frame_pairs(gt_paths: Sequence[Any], pred: PathLike) -> list[tuple[str, str]]:
    """Cityscapes ground-truth files with their predictions, found under ``pred`` (sub-folders
    searched) by the frame their names start with, as cityscapesScripts finds them
    (``frankfurt_000000_000294_leftImg8bit.png`` for ``frankfurt_000000_000294_gtFine_labelIds.png``);
    where ``pred`` holds no PNG, its ``np.save`` arrays (see :func:`~labeltools.formats.labels.prediction_files`).

    Returns:
        ``(gt_path, pred_path)`` pairs; a missing prediction's path is the pattern it was
        looked for by, which no file matches.

    Raises:
        DatasetError: no such folder, two predictions of one frame, or none of any.
    """
    pred_dir = location(pred)
    if not pred_dir.is_dir():
        raise DatasetError(not_a_folder(pred_dir, PREDICTIONS))
    frames = [map_frame(path.name) for path in gt_paths]
    wanted = set(frames)
    by_frame: dict[str, list[Any]] = {}
    unmatched = []
    truths = {str(path) for path in gt_paths}
    files, suffix = prediction_files(pred_dir, recursive=True)
    for path in files:
        if str(path) in truths:  # the ground truth under the prediction folder
            continue
        of = [frame for frame in frame_prefixes(path.name) if frame in wanted]
        for frame in of:
            by_frame.setdefault(frame, []).append(path)
        if not of:
            unmatched.append(path.name)
    if not by_frame:
        raise DatasetError(f"{pred_dir}: holds no prediction of a ground-truth frame ({frames[0]}_*{suffix}, ...)")
    pairs = []
    for path, frame in zip(gt_paths, frames):
        found = by_frame.get(frame, [])
        if len(found) > 1:
            raise DatasetError(f"{pred_dir}: holds {len(found)} predictions of {frame}: {found[0]} and {found[1]}")
        pairs.append((str(path), str(found[0] if found else pred_dir / f"{frame}_*{suffix}")))
    _not_scored(pred_dir, unmatched, "are of no ground-truth frame")
    return pairs


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
