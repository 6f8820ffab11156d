from __future__ import annotations

import json
import logging
import warnings

import numpy as np
import pytest
from conftest import FakeTensor
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from openpyxl import load_workbook
from PIL import Image

from labeltools import (
    ConfusionMatrix,
    DatasetError,
    EvaluationError,
    LabelFileError,
    check_missing_policy,
    confusion_counts,
    evaluate_folders,
    evaluate_pair,
    evaluate_pairs,
    evaluation_pairs,
    write_label,
)
from labeltools.formats.scores import (
    save_confusion_csv,
    save_scores_excel,
    save_scores_json,
)
from labeltools.formats.voc import write_split
from labeltools.jobs.evaluate import evaluate_dataset


class DeeplabEvaluator:
    """pytorch-deeplab-xception's utils/metrics.py ``Evaluator``, its formulas transcribed."""

    def __init__(self, num_class):
        self.num_class = num_class
        self.confusion_matrix = np.zeros((self.num_class,) * 2)

    def Pixel_Accuracy(self):
        return np.diag(self.confusion_matrix).sum() / self.confusion_matrix.sum()

    def Pixel_Accuracy_Class(self):
        Acc = np.diag(self.confusion_matrix) / self.confusion_matrix.sum(axis=1)
        return np.nanmean(Acc)

    def Mean_Intersection_over_Union(self):
        MIoU = np.diag(self.confusion_matrix) / (
            np.sum(self.confusion_matrix, axis=1) + np.sum(self.confusion_matrix, axis=0) - np.diag(self.confusion_matrix)
        )
        return np.nanmean(MIoU)

    def Frequency_Weighted_Intersection_over_Union(self):
        freq = np.sum(self.confusion_matrix, axis=1) / np.sum(self.confusion_matrix)
        iu = np.diag(self.confusion_matrix) / (
            np.sum(self.confusion_matrix, axis=1) + np.sum(self.confusion_matrix, axis=0) - np.diag(self.confusion_matrix)
        )
        return (freq[freq > 0] * iu[freq > 0]).sum()

    def _generate_matrix(self, gt_image, pre_image):
        mask = (gt_image >= 0) & (gt_image < self.num_class)
        label = self.num_class * gt_image[mask].astype("int") + pre_image[mask]
        count = np.bincount(label, minlength=self.num_class**2)
        return count.reshape(self.num_class, self.num_class)

    def add_batch(self, gt_image, pre_image):
        assert gt_image.shape == pre_image.shape
        self.confusion_matrix += self._generate_matrix(gt_image, pre_image)


# GT 3x4 with one void pixel; 3 classes.
GT = np.array([[0, 0, 1, 1], [0, 2, 2, 255], [1, 1, 2, 0]], dtype=np.uint8)
PRED = np.array([[0, 1, 1, 1], [0, 2, 0, 2], [1, 2, 2, 0]], dtype=np.uint8)
# Counted pixels (gt, pred): (0,0)x3, (0,1)x1, (1,1)x3, (1,2)x1, (2,2)x2, (2,0)x1
HAND = np.array([[3, 1, 0], [0, 3, 1], [1, 0, 2]])


def test_hand_computed_matrix_and_metrics():
    cm = ConfusionMatrix(3)
    cm.update(GT, PRED)
    np.testing.assert_array_equal(cm.matrix, HAND)
    assert cm.total == 11 and cm.images == 1
    # IoU: tp / (gt + pred - tp): class 0: 3/(4+4-3), class 1: 3/(4+4-3), class 2: 2/(3+3-2)
    np.testing.assert_allclose(cm.iou(), [3 / 5, 3 / 5, 2 / 4])
    np.testing.assert_allclose(cm.dice(), [6 / 8, 6 / 8, 4 / 6])
    np.testing.assert_allclose(cm.class_accuracy(), [3 / 4, 3 / 4, 2 / 3])
    assert cm.pixel_accuracy() == pytest.approx(8 / 11)
    assert cm.mean_iou() == pytest.approx((0.6 + 0.6 + 0.5) / 3)
    assert cm.mean_class_accuracy() == pytest.approx((0.75 + 0.75 + 2 / 3) / 3)
    assert cm.mean_dice() == pytest.approx((0.75 + 0.75 + 4 / 6) / 3)
    assert cm.frequency_weighted_iou() == pytest.approx(4 / 11 * 0.6 + 4 / 11 * 0.6 + 3 / 11 * 0.5)
    assert cm.absent_classes() == []


def test_void_pixels_are_ignored_whatever_is_predicted():
    base = ConfusionMatrix(3)
    base.update(GT, PRED)
    for value in (0, 1, 2):
        other = PRED.copy()
        other[1, 3] = value  # the pixel whose ground truth is 255
        cm = ConfusionMatrix(3)
        cm.update(GT, other)
        np.testing.assert_array_equal(cm.matrix, base.matrix)


def test_absent_classes_are_left_out_of_means_without_nan_or_warning():
    cm = ConfusionMatrix(5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning (0/0) would fail the test
        cm.update(GT, PRED)
        assert cm.absent_classes() == [3, 4]
        assert cm.mean_iou() == pytest.approx((0.6 + 0.6 + 0.5) / 3)
        assert cm.mean_dice() == pytest.approx((0.75 + 0.75 + 4 / 6) / 3)
        assert cm.mean_class_accuracy() == pytest.approx((0.75 + 0.75 + 2 / 3) / 3)
        iou = cm.iou()
        summary = cm.to_dict(["bg", "a", "b", "c", "d"])
    assert list(iou.mask) == [False, False, False, True, True]
    assert not np.isnan(iou.data).any()
    assert summary["absent_classes"] == [{"index": 3, "name": "c"}, {"index": 4, "name": "d"}]
    assert summary["classes"][3] == {
        "index": 3, "name": "c", "iou": None, "dice": None, "accuracy": None,
        "gt_pixels": 0, "pred_pixels": 0, "absent": True,
    }  # fmt: skip


def test_predicted_but_absent_from_ground_truth_scores_zero():
    gt = np.zeros((2, 2), np.uint8)
    pred = np.array([[0, 0], [0, 1]], np.uint8)
    cm = ConfusionMatrix(3)
    cm.update(gt, pred)
    assert cm.iou()[1] == 0.0 and cm.dice()[1] == 0.0
    assert cm.class_accuracy().mask[1]  # no ground truth: recall undefined, left out
    assert cm.absent_classes() == [2]
    assert cm.mean_iou() == pytest.approx((3 / 4 + 0) / 2)
    assert cm.mean_class_accuracy() == pytest.approx(3 / 4)


@settings(max_examples=60, deadline=None)
@given(
    num_classes=st.integers(1, 12),
    data=st.data(),
)
def test_equals_deeplab_evaluator(num_classes, data):
    shape = data.draw(st.tuples(st.integers(1, 3), st.integers(1, 9), st.integers(1, 11)))
    values = st.one_of(st.integers(0, num_classes - 1), st.just(255))
    gt = data.draw(arrays(np.uint8, shape, elements=values))
    pred = data.draw(arrays(np.uint8, shape, elements=st.integers(0, num_classes - 1)))
    if (gt == 255).all():
        gt.flat[0] = 0
    reference = DeeplabEvaluator(num_classes)
    reference.add_batch(gt, pred)
    cm = ConfusionMatrix(num_classes)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cm.update(gt, pred)
        ours = (cm.pixel_accuracy(), cm.mean_class_accuracy(), cm.mean_iou(), cm.frequency_weighted_iou())
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the reference's 0/0 on absent classes
        theirs = (
            reference.Pixel_Accuracy(),
            reference.Pixel_Accuracy_Class(),
            reference.Mean_Intersection_over_Union(),
            reference.Frequency_Weighted_Intersection_over_Union(),
        )
    np.testing.assert_array_equal(cm.matrix, reference.confusion_matrix)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


@settings(max_examples=80, deadline=None)
@given(
    arrays(np.uint8, st.tuples(st.integers(1, 6), st.integers(1, 40)), elements=st.sampled_from([0, 1, 2, 3, 255])),
    st.data(),
)
def test_run_length_counting_equals_bincount_over_every_pixel(gt, data):
    pred = data.draw(arrays(np.uint8, gt.shape, elements=st.integers(0, 3)))
    mask = gt != 255
    expected = np.bincount(gt[mask].astype(int) * 4 + pred[mask], minlength=16).reshape(4, 4)
    np.testing.assert_array_equal(confusion_counts(gt, pred, 4), expected)


def test_torch_like_tensors_batches_and_signed_ignore_index():
    gt = np.stack([GT.astype(np.int64), GT.astype(np.int64)])
    gt[gt == 255] = -1
    pred = np.stack([PRED, PRED]).astype(np.int64)
    before = gt.copy()
    cm = ConfusionMatrix(3, ignore_index=-1)
    cm.update(FakeTensor(gt), FakeTensor(pred))
    np.testing.assert_array_equal(cm.matrix, 2 * HAND)
    assert cm.images == 2
    np.testing.assert_array_equal(gt, before)  # the caller's array is untouched
    with pytest.raises(EvaluationError) as info:
        ConfusionMatrix(3).update(gt, pred)  # the loader's -1 scored against the default 255
    assert str(info.value) == (
        "ground truth: ground truth holds value -1, neither a class 0..2 nor the ignore index 255 (num_classes 3); "
        "if -1 marks pixels to ignore, give ignore_index=-1"
    )


def test_real_torch_tensors_in_a_validation_loop():
    torch = pytest.importorskip("torch")
    gt = torch.from_numpy(np.stack([GT, GT]).astype(np.int64))
    logits = torch.zeros((2, 3, 3, 4), requires_grad=True)
    with torch.no_grad():
        logits[:, 1] += torch.from_numpy((np.stack([PRED, PRED]) == 1).astype(np.float32))
        logits[:, 2] += 2 * torch.from_numpy((np.stack([PRED, PRED]) == 2).astype(np.float32))
    cm = ConfusionMatrix(3)
    cm.update(gt, logits.argmax(1))
    np.testing.assert_array_equal(cm.matrix, 2 * HAND)
    assert cm.images == 2
    with pytest.raises(EvaluationError, match=r"expected integer class indices, got dtype float32 \(take the argmax"):
        cm.update(gt, logits)  # logits, not class indices: (B, C, H, W) float
    kept = ConfusionMatrix(3)  # ground truth with its channel axis, as mmsegmentation batches it
    kept.update(gt[:, None], logits.argmax(1))
    np.testing.assert_array_equal(kept.matrix, 2 * HAND)
    assert kept.images == 2


def test_ignore_index_none_scores_every_pixel_and_rejects_255():
    cm = ConfusionMatrix(3, ignore_index=None)
    with pytest.raises(EvaluationError, match=r"ground truth holds value 255, neither a class 0\.\.2 \(num_classes 3\)"):
        cm.update(GT, PRED)
    gt = GT.copy()
    gt[1, 3] = 0
    cm.update(gt, PRED)
    assert cm.total == 12


def test_inputs_are_not_modified():
    gt, pred = GT.copy(), PRED.copy()
    ConfusionMatrix(3).update(gt, pred)
    np.testing.assert_array_equal(gt, GT)
    np.testing.assert_array_equal(pred, PRED)


def test_out_of_range_prediction_names_the_value():
    pred = PRED.copy()
    pred[0, 0] = 7
    with pytest.raises(EvaluationError, match=r"^p\.png: prediction holds value 7, outside the classes 0\.\.2 \(num_classes 3\)$"):
        confusion_counts(GT, pred, 3, pred_source="p.png")
    pred[1, 3] = 255  # even where the ground truth is void, as VOCevalseg.m
    with pytest.raises(EvaluationError, match=r"holds values 7, 255, outside"):
        confusion_counts(GT, pred, 3, pred_source="p.png")
    with pytest.raises(EvaluationError, match=r"prediction holds value -1, outside"):
        confusion_counts(GT, PRED.astype(np.int32) - (PRED == 0), 3)


def test_out_of_range_ground_truth_names_the_value():
    gt = GT.copy()
    gt[0, 0] = 9
    with pytest.raises(
        EvaluationError,
        match=r"^g\.png: ground truth holds value 9, neither a class 0\.\.2 nor the ignore index 255 \(num_classes 3\)$",
    ):
        confusion_counts(gt, PRED, 3, gt_source="g.png")
    with pytest.raises(EvaluationError, match=r"ground truth holds value 9, neither"):
        confusion_counts(gt.astype(np.int64), PRED, 3)


def test_long_lists_of_bad_values_are_shortened():
    pred = np.arange(12, dtype=np.uint8).reshape(3, 4)
    with pytest.raises(EvaluationError, match=r"^prediction: prediction holds values 3, 4, 5, 6, 7, 8, 9, 10 and 1 more, outside"):
        confusion_counts(GT, pred, 3)


def test_size_mismatch():
    with pytest.raises(
        EvaluationError,
        match=r"^p\.png: size mismatch, prediction is 3x4 \(width x height\) but g\.png is 4x3 \(width x height\)$",
    ):
        confusion_counts(GT, PRED.T.copy(), 3, gt_source="g.png", pred_source="p.png")
    with pytest.raises(EvaluationError, match=r"prediction is of shape \(1, 3, 4\) but ground truth is 4x3"):
        confusion_counts(GT, PRED[None], 3)


def test_float_predictions_are_refused_with_a_hint():
    with pytest.raises(EvaluationError, match=r"prediction: expected integer class indices, got dtype float32 \(take the argmax"):
        confusion_counts(GT, PRED.astype(np.float32), 3)
    with pytest.raises(EvaluationError, match=r"ground truth: .* got dtype float64 \(take the argmax .* if they are scores; whole numbers as they are, cast them with \.long\(\)"):
        confusion_counts(GT.astype(np.float64), PRED, 3)
    with pytest.raises(EvaluationError, match=r"ground truth: .* float64 \(every value is a multiple of 1/255: .*ToTensor"):
        confusion_counts(GT / 255, PRED, 3)
    with pytest.raises(EvaluationError, match=r"ground truth: expected integer class indices, got dtype <U1$"):
        confusion_counts(np.array([["a"]]), np.array([[0]]), 3)


def test_one_hot_and_colour_labels_are_refused_not_scored_per_value():
    """One-hot ground truth and predictions ((B, H, W, C), as torch's one_hot gives) or colour
    masks (H, W, 3) of the same shape on both sides were scored value by value: a matrix of 0s
    and 1s, or of colour channels, and a ConfusionMatrix counting a colour mask's rows as images."""
    torch = pytest.importorskip("torch")
    labels = torch.from_numpy(np.stack([PRED, PRED]).astype(np.int64))  # no void: one_hot takes classes alone
    cm = ConfusionMatrix(3)
    with pytest.raises(EvaluationError, match=r"ground truth: shape \(2, 3, 4, 3\) is a one-hot encoding over the 3 classes along axis 3.*argmax\(3\)"):
        cm.update(torch.nn.functional.one_hot(labels, 3), torch.nn.functional.one_hot(labels, 3))
    colour = np.repeat(np.kron(PRED, np.ones((4, 4), np.uint8))[..., None], 3, axis=2)  # (12, 16, 3)
    with pytest.raises(EvaluationError, match=r"prediction: shape \(12, 16, 3\) holds 3 values per pixel, as a colour image does"):
        confusion_counts(colour[..., 0], colour, 3)
    with pytest.raises(EvaluationError, match=r"ground truth: shape \(12, 16, 3\) holds 3 values per pixel"):
        cm.update(colour, colour)
    assert cm.images == 0 and not cm.matrix.any()
    cm.update(labels, labels)
    np.testing.assert_array_equal(cm.matrix, 2 * np.diag(np.bincount(PRED.ravel(), minlength=3)))


def test_ragged_input_is_an_evaluation_error_not_a_numpy_traceback():
    with pytest.raises(EvaluationError) as info:
        confusion_counts([[0, 1], [2]], [[0, 1], [2]], 3)
    assert str(info.value).startswith("ground truth: cannot read labels as an array (")
    cm = ConfusionMatrix(3)
    with pytest.raises(EvaluationError) as info:
        cm.update(GT, [[0, 1], [2]])
    assert str(info.value).startswith("prediction: cannot read labels as an array (")
    assert cm.images == 0 and cm.total == 0


def test_nested_lists_and_bools_are_accepted():
    cm = ConfusionMatrix(3)
    cm.update(GT.tolist(), PRED.tolist())
    cm.update(np.ones((2, 2), bool), np.zeros((2, 2), bool))
    np.testing.assert_array_equal(cm.matrix, HAND + [[0, 0, 0], [4, 0, 0], [0, 0, 0]])
    assert cm.images == 2


def test_bad_num_classes_and_ignore_index():
    with pytest.raises(EvaluationError, match=r"num_classes must be an integer in 1\.\.255 \(classes 0\.\.N-1; 255 is void\), got 0"):
        ConfusionMatrix(0)
    with pytest.raises(EvaluationError, match=r"got 256"):
        ConfusionMatrix(256)
    with pytest.raises(EvaluationError, match=r"ignore_index 2 is one of the classes 0\.\.4; choose a value outside them"):
        ConfusionMatrix(5, ignore_index=2)
    for bad in ("void", 2.5, True):
        with pytest.raises(EvaluationError) as info:
            ConfusionMatrix(3, bad)  # type: ignore[arg-type]
        assert str(info.value) == f"ignore_index must be an integer or None, got {bad!r}"
    with pytest.raises(EvaluationError, match=r"^ignore_index must be an integer or None, got 'void'$"):
        confusion_counts(GT, PRED, 3, ignore_index="void")  # type: ignore[arg-type]
    assert ConfusionMatrix(3, np.int64(-1)).ignore_index == -1


def test_nothing_counted_is_an_error_not_nan():
    cm = ConfusionMatrix(3)
    cm.update(np.full((2, 2), 255, np.uint8), np.zeros((2, 2), np.uint8))
    for method in (cm.mean_iou, cm.pixel_accuracy, cm.mean_class_accuracy, cm.frequency_weighted_iou, cm.mean_dice):
        with pytest.raises(EvaluationError, match=r"^nothing to score: no pixel was counted \(no update yet, or every"):
            method()


def test_add_counts_merge_reset():
    a, b = ConfusionMatrix(3), ConfusionMatrix(3)
    a.update(GT, PRED)
    b.merge(a)
    b.merge(a)
    np.testing.assert_array_equal(b.matrix, 2 * HAND)
    assert b.images == 2
    with pytest.raises(EvaluationError, match=r"counts of shape \(2, 2\) cannot be added to a 3-class confusion matrix \(3, 3\)"):
        b.add_counts(np.zeros((2, 2)))
    b.reset()
    assert b.total == 0 and b.images == 0
    m = a.matrix
    m[0, 0] = 99  # a copy: the matrix is not exposed for writing
    assert a.matrix[0, 0] == 3


# --- files ----------------------------------------------------------------------------------


def make_pairs(tmp_path, n=4):
    gt_dir, pred_dir = tmp_path / "gt", tmp_path / "pred"
    gt_dir.mkdir()
    pred_dir.mkdir()
    for i in range(n):
        write_label(gt_dir / f"im{i}.png", GT)
        write_label(pred_dir / f"im{i}.png", PRED)
    return gt_dir, pred_dir


@pytest.mark.parametrize("jobs", [1, 2])
def test_evaluate_folders_matches_by_stem(tmp_path, jobs):
    gt_dir, pred_dir = make_pairs(tmp_path)
    cm = evaluate_folders(gt_dir, pred_dir, 3, jobs=jobs)
    np.testing.assert_array_equal(cm.matrix, 4 * HAND)
    assert cm.images == 4


def test_evaluate_pair_sends_only_the_non_zero_cells(tmp_path):
    gt_dir, pred_dir = make_pairs(tmp_path, 1)
    result = evaluate_pair((str(gt_dir / "im0.png"), str(pred_dir / "im0.png")), 3)
    cells, counts = result.data
    assert cells == [0, 1, 4, 5, 6, 8] and counts == [3, 1, 3, 1, 1, 2]


def test_evaluate_voc_split(tmp_path):
    root = tmp_path / "voc"
    (root / "SegmentationClass").mkdir(parents=True)
    pred_dir = tmp_path / "pred"
    pred_dir.mkdir()
    for i in range(3):
        write_label(root / "SegmentationClass" / f"im{i}.png", GT)
        write_label(pred_dir / f"im{i}.png", PRED if i < 2 else GT.clip(0, 2))
    write_split(root, "val", ["im0", "im1"])
    cm = evaluate_folders(root, pred_dir, 3, split="val", jobs=1)
    np.testing.assert_array_equal(cm.matrix, 2 * HAND)
    (pred_dir / "im2.png").unlink()  # predictions of val's ids alone: val is scored, not every label
    cm = evaluate_folders(root, pred_dir, 3, jobs=1)
    np.testing.assert_array_equal(cm.matrix, 2 * HAND)


def test_size_mismatch_and_out_of_range_name_the_file(tmp_path):
    gt_dir, pred_dir = make_pairs(tmp_path, 3)
    write_label(pred_dir / "im1.png", np.zeros((5, 5), np.uint8))
    bad = PRED.copy()
    bad[0, 0] = 12
    write_label(pred_dir / "im2.png", bad)
    cm = ConfusionMatrix(3)
    results = list(cm.add_results(evaluate_pairs(evaluation_pairs(gt_dir, pred_dir), 3, jobs=2)))
    assert [r.ok for r in results] == [True, False, False]
    assert results[1].error == (
        f"{pred_dir / 'im1.png'}: size mismatch, prediction is 5x5 (width x height) but "
        f"{gt_dir / 'im1.png'} is 4x3 (width x height)"
    )
    assert results[2].error == f"{pred_dir / 'im2.png'}: prediction holds value 12, outside the classes 0..2 (num_classes 3)"
    np.testing.assert_array_equal(cm.matrix, HAND)  # the good pair still counted
    with pytest.raises(EvaluationError, match=r"^2 of 3 image\(s\) failed: .*im1\.png: size mismatch.*im2\.png: prediction holds value 12"):
        evaluate_folders(gt_dir, pred_dir, 3, jobs=1)


def test_missing_prediction_error_or_skip(tmp_path):
    gt_dir, pred_dir = make_pairs(tmp_path, 2)
    (pred_dir / "im1.png").unlink()
    with pytest.raises(EvaluationError, match=r"im1\.png: no prediction for .*gt/im1\.png \(skip such images with --missing skip\)"):
        evaluate_folders(gt_dir, pred_dir, 3, jobs=1)
    cm = ConfusionMatrix(3)
    results = list(cm.add_results(evaluate_pairs(evaluation_pairs(gt_dir, pred_dir), 3, missing="skip", jobs=1)))
    assert results[1].skipped and results[1].ok
    assert results[1].warnings == (f"{pred_dir / 'im1.png'}: no prediction for {gt_dir / 'im1.png'}; skipped",)
    np.testing.assert_array_equal(cm.matrix, HAND)
    with pytest.raises(EvaluationError, match=r"^missing must be one of error, skip, got 'maybe'$"):
        evaluate_pairs([], 3, missing="maybe")
    check_missing_policy("skip")
    with pytest.raises(EvaluationError, match=r"^--missing must be one of error, skip, got 'Skip'$"):
        check_missing_policy("Skip", "--missing")


def test_rgb_prediction_points_to_remap(tmp_path):
    gt_dir, pred_dir = make_pairs(tmp_path, 1)
    Image.new("RGB", (4, 3)).save(pred_dir / "im0.png")
    with pytest.raises(LabelFileError, match=r"is a colour image \(mode RGB\), not a label map .* `labeltools remap`"):
        evaluate_pair((str(gt_dir / "im0.png"), str(pred_dir / "im0.png")), 3)


def test_pairing_errors_and_extra_predictions(tmp_path, caplog):
    gt_dir, pred_dir = make_pairs(tmp_path, 1)
    write_label(pred_dir / "stray.png", PRED)
    with caplog.at_level(logging.WARNING, logger="labeltools.jobs.evaluate"):
        pairs = evaluation_pairs(gt_dir, pred_dir)
    assert pairs == [(str(gt_dir / "im0.png"), str(pred_dir / "im0.png"))]
    assert "1 prediction(s) have no ground truth and are not scored: stray.png" in caplog.text
    with pytest.raises(DatasetError, match=r"nope: no such folder \(the predictions to score\)$"):
        evaluation_pairs(gt_dir, tmp_path / "nope")
    with pytest.raises(DatasetError, match=r"nope: no such folder \(the ground truth\)$"):
        evaluation_pairs(tmp_path / "nope", pred_dir)
    with pytest.raises(DatasetError, match=r"gt: a split \(val\) needs a VOC dataset folder"):
        evaluation_pairs(gt_dir, pred_dir, split="val")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DatasetError, match=r"empty: no ground-truth label files \(\.png\)"):
        evaluation_pairs(empty, pred_dir)


# --- reports --------------------------------------------------------------------------------


def test_json_csv_excel_reports(tmp_path):
    cm = ConfusionMatrix(4)
    cm.update(GT, PRED)
    names = ["background", "cat", "dog", "bird"]
    save_scores_json(tmp_path / "s.json", cm, names)
    data = json.loads((tmp_path / "s.json").read_text(), parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    assert data["mean_iou"] == pytest.approx((0.6 + 0.6 + 0.5) / 3)
    assert data["absent_classes"] == [{"index": 3, "name": "bird"}]
    assert data["confusion_matrix"][0] == [3, 1, 0, 0]
    assert data["classes"][1]["iou"] == pytest.approx(0.6) and data["classes"][3]["iou"] is None

    save_confusion_csv(tmp_path / "m.csv", cm, names)
    lines = (tmp_path / "m.csv").read_text().splitlines()
    assert lines[0] == "ground truth \\ prediction,background,cat,dog,bird"
    assert lines[1:] == ["background,3,1,0,0", "cat,0,3,1,0", "dog,1,0,2,0", "bird,0,0,0,0"]

    save_scores_excel(tmp_path / "e.xlsx", cm, names)
    book = load_workbook(tmp_path / "e.xlsx")
    assert book.sheetnames == ["Scores", "Confusion matrix"]
    scores = book["Scores"]
    assert scores["A1"].value == "mean iou" and scores["B1"].value == pytest.approx(data["mean_iou"])
    rows = [[c.value for c in r] for r in scores.iter_rows()]
    assert ["index", "name", "IoU", "Dice/F1", "accuracy", "GT pixels", "predicted pixels", "note"] in rows
    assert [3, "bird", None, None, None, 0, 0, "absent: left out of the means"] in rows
    sheet = book["Confusion matrix"]
    assert [c.value for c in sheet[2]] == ["background", 3, 1, 0, 0]
    # Shaded by the row's share: background row 3/4 on the diagonal is darker than 1/4 beside it.
    diagonal = sheet.cell(row=2, column=2).fill.start_color.rgb
    beside = sheet.cell(row=2, column=3).fill.start_color.rgb
    empty = sheet.cell(row=2, column=4).fill.start_color.rgb
    assert diagonal[-6:] == "6969FF" and beside[-6:] == "CDCDFF" and empty[-6:] == "FFFFFF"
    assert not list(tmp_path.glob(".*.tmp"))  # atomic writes left nothing behind


def test_a_table_of_ones_own_with_train_ids_scores_as_reduce_zero_label(tmp_path):
    """ADE20K's 0 is "other", left out of its scores: a table whose class 0 has no train id and
    whose classes 1..N train as 0..N-1 scores raw labels as mmsegmentation's reduce_zero_label
    scores them (ground truth 0 void, both sides one lower)."""
    rng = np.random.default_rng(3)
    table = tmp_path / "ade.csv"
    table.write_text("index,name,r,g,b,train_id\n0,other,0,0,0,255\n1,wall,120,120,120,0\n2,building,180,120,120,1\n3,sky,6,230,230,2\n")
    gt_dir, pred_dir = tmp_path / "gt", tmp_path / "pred"
    gt_dir.mkdir()
    pred_dir.mkdir()
    reduced = ConfusionMatrix(3)
    for k in range(4):
        gt = rng.integers(0, 4, (30, 40)).astype(np.uint8)
        pred = rng.integers(1, 4, (30, 40)).astype(np.uint8)  # a model of 3 classes, its output + 1
        Image.fromarray(gt).save(gt_dir / f"ADE_val_{k:08d}.png")
        Image.fromarray(pred).save(pred_dir / f"ADE_val_{k:08d}.png")
        reduced.update(np.where(gt == 0, 255, gt - 1).astype(np.uint8), pred - 1)
    evaluation = evaluate_dataset(gt_dir, pred_dir, classes=table, jobs=1)
    assert all(r.ok for r in evaluation.run())
    scores = evaluation.scores()
    assert [c["name"] for c in scores["classes"]] == ["wall", "building", "sky"]
    assert scores["mean_iou"] == pytest.approx(reduced.mean_iou(), abs=1e-15)
    np.testing.assert_array_equal(evaluation.matrix.matrix[:3, :3], reduced.matrix)


def mmseg_intersect_and_union(pred: np.ndarray, label: np.ndarray, num_classes: int, reduce_zero_label: bool):
    """mmsegmentation's ``intersect_and_union`` (its IoU metric), transcribed with numpy: with
    ``reduce_zero_label`` (ADE20K's setting) label 0 becomes 255 and every other label one lower;
    255 is ignored."""
    label = label.astype(np.int64)
    if reduce_zero_label:
        label[label == 0] = 255
        label = label - 1
        label[label == 254] = 255
    mask = label != 255
    pred, label = pred[mask].astype(np.int64), label[mask]
    intersect = pred[pred == label]
    area_intersect = np.bincount(intersect, minlength=num_classes)[:num_classes]
    area_pred = np.bincount(pred, minlength=num_classes)[:num_classes]
    area_label = np.bincount(label, minlength=num_classes)[:num_classes]
    return area_intersect, area_pred + area_label - area_intersect


def _ade20k_val(tmp_path, images: int = 5):
    """ADE20K-like annotations as shipped (0 other, 1..150) under ``annotations/``, a model's
    argmax (train ids 0..149) under ``argmax/`` and what mmsegmentation saves of it (argmax + 1,
    its ``format_only`` output) under ``saved/``; returns mmsegmentation's class IoUs."""
    rng = np.random.default_rng(11)
    folders = {name: tmp_path / name for name in ("annotations", "argmax", "saved")}
    for folder in folders.values():
        folder.mkdir()
    inter, union = np.zeros(150, np.int64), np.zeros(150, np.int64)
    for k in range(images):
        label = rng.integers(0, 151, (24, 32)).astype(np.uint8)
        label[rng.random(label.shape) < 0.2] = 1  # wall, ADE20K's commonest class
        label[rng.random(label.shape) < 0.3] = 0  # other
        argmax = np.where(rng.random(label.shape) < 0.6, np.maximum(label.astype(int) - 1, 0), rng.integers(0, 150, label.shape)).astype(np.uint8)
        name = f"ADE_val_{k:08d}.png"
        Image.fromarray(label).save(folders["annotations"] / name)
        Image.fromarray(argmax).save(folders["argmax"] / name)
        Image.fromarray(argmax + 1).save(folders["saved"] / name)
        i, u = mmseg_intersect_and_union(argmax, label, 150, reduce_zero_label=True)
        inter, union = inter + i, union + u
    with np.errstate(invalid="ignore", divide="ignore"):
        iou = inter / union
    return folders, iou


def test_the_ade20k_presets_score_as_mmsegmentation_scores_ade20k(tmp_path, caplog):
    """``-c ade20k``: ADE20K's annotations and mmsegmentation's saved predictions as they are
    (0 other, classes 1..150), scored by their train ids; ``-c ade20k-train --gt-classes ade20k``:
    a model's argmax (0..149) against the same annotations. Both are mmsegmentation's
    ``reduce_zero_label`` scores; the argmax read as label ids is named."""
    folders, reference = _ade20k_val(tmp_path)
    present = ~np.isnan(reference)
    for pred, classes, gt_classes in ((folders["saved"], "ade20k", None), (folders["argmax"], "ade20k-train", "ade20k")):
        evaluation = evaluate_dataset(folders["annotations"], pred, classes=classes, gt_classes=gt_classes, jobs=1)
        assert all(r.ok for r in evaluation.run())
        scores = evaluation.scores()
        assert scores["num_classes"] == 150 and scores["classes"][0]["name"] == "wall" and scores["classes"][-1]["name"] == "flag"
        ious = np.array([np.nan if c["iou"] is None else c["iou"] for c in scores["classes"]])
        np.testing.assert_array_equal(np.isnan(ious), ~present)
        np.testing.assert_allclose(ious[present], reference[present], rtol=0, atol=1e-15)
        assert scores["mean_iou"] == pytest.approx(float(np.nanmean(reference)), abs=1e-15)
        assert "as mmsegmentation scores ADE20K (reduce_zero_label)" in evaluation.classes_from
    assert evaluation.ground_truth == "read by the ade20k preset (ADE20K labels 0..150, 0 other)"
    with caplog.at_level(logging.WARNING):
        evaluate_dataset(folders["annotations"], folders["argmax"], classes="ade20k", jobs=1).run()
    assert "of the predicted pixels are of classes without a train id (other), which a model trained on the train ids never predicts: " \
        "are the predictions train ids? Then give --classes ade20k-train" in caplog.text
    # the ground truth as shipped, read as train ids, fails where it holds 150 (flag), and the run says why
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        failed = [r for r in evaluate_dataset(folders["annotations"], folders["argmax"], classes="ade20k-train", jobs=1).run() if not r.ok]
    assert failed and all("ground truth holds value 150" in r.error for r in failed)
    assert f"{len(failed)} ground-truth file(s) hold values above the classes: is the ground truth ADE20K's labels? " \
        "Then add --gt-classes ade20k" in caplog.text
    # ... and tables that score other classes are refused, as is half an answer
    with pytest.raises(DatasetError, match=r"are neither the same nor one's label ids and the other's train ids"):
        evaluate_dataset(folders["annotations"], folders["argmax"], classes="ade20k-train", gt_classes="cityscapes")
    with pytest.raises(DatasetError, match=r"--gt-classes names the ground truth's values where they are not the predictions': give --classes too"):
        evaluate_dataset(folders["annotations"], folders["argmax"], gt_classes="ade20k")
    # ground truth that is all other: nothing scored, nothing said of the predictions
    for path in folders["annotations"].iterdir():
        Image.fromarray(np.zeros((24, 32), np.uint8)).save(path)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        nothing = evaluate_dataset(folders["annotations"], folders["saved"], classes="ade20k", jobs=1)
        assert all(r.ok for r in nothing.run()) and nothing.matrix.total == 0
    assert "predicted pixels" not in caplog.text


def test_a_dataset_converted_with_ade20k_names_is_scored_and_weighted_by_train_ids(tmp_path):
    """A VOC dataset whose class_names.txt holds ADE20K's 151 names (``convert -c ade20k``) keeps
    no train ids: it is read as the ``ade20k`` preset all the same, scored over the 150 classes
    and weighted by them (0, other, void)."""
    from labeltools import ClassTable, class_weights, count_classes
    from labeltools.jobs.weights import weigh_dataset

    folders, reference = _ade20k_val(tmp_path)
    voc = tmp_path / "voc"
    (voc / "ImageSets" / "Segmentation").mkdir(parents=True)
    (voc / "class_names.txt").write_text("\n".join(ClassTable.preset("ade20k").names) + "\n")
    folders["annotations"].rename(voc / "SegmentationClass")
    ids = sorted(p.stem for p in (voc / "SegmentationClass").glob("*.png"))
    write_split(voc, "train", ids)
    write_split(voc, "val", ids)
    evaluation = evaluate_dataset(voc, folders["saved"], split="val", jobs=1)
    assert evaluation.classes_from.startswith(f"{voc / 'class_names.txt'}, ADE20K's labels as the ade20k preset")
    evaluation.run()
    assert evaluation.scores()["mean_iou"] == pytest.approx(float(np.nanmean(reference)), abs=1e-15)
    weighing = weigh_dataset(voc, jobs=1)
    for _ in weighing:
        pass
    reduced = [np.where(a == 0, 255, a.astype(int) - 1) for a in (np.asarray(Image.open(p)) for p in sorted((voc / "SegmentationClass").glob("*.png")))]
    np.testing.assert_allclose(np.load(weighing.target), class_weights(count_classes(reduced, 150), "enet"))


def test_coco_stuff_label_ids_score_as_mmsegmentation_scores_their_train_ids(tmp_path):
    """COCO-Stuff's stuffthingmaps as shipped (``-c coco-stuff``, or as ground truth with
    ``--gt-classes coco-stuff``) score as mmsegmentation scores the *_labelTrainIds.png its
    converter makes of them: 171 classes, 255 unlabeled left out."""
    from test_classes import COCO_STUFF_UNUSED

    used = [i for i in range(182) if i not in COCO_STUFF_UNUSED]
    to_train = np.full(256, 255, np.uint8)
    to_train[used] = np.arange(171)
    rng = np.random.default_rng(12)
    folders = {name: tmp_path / name for name in ("stuffthingmaps", "label_ids", "train_ids")}
    for folder in folders.values():
        folder.mkdir()
    inter, union = np.zeros(171, np.int64), np.zeros(171, np.int64)
    for k in range(4):
        label = rng.choice(np.array([*used, 255], np.uint8), (24, 32)).astype(np.uint8)
        pred = np.where(rng.random(label.shape) < 0.7, to_train[label], rng.integers(0, 171, label.shape)).astype(np.uint8)
        pred[pred == 255] = 0  # a model predicts a class everywhere
        Image.fromarray(label).save(folders["stuffthingmaps"] / f"{k:012d}.png")
        Image.fromarray(pred).save(folders["train_ids"] / f"{k:012d}.png")
        Image.fromarray(np.array(used, np.uint8)[pred]).save(folders["label_ids"] / f"{k:012d}.png")
        i, u = mmseg_intersect_and_union(pred, to_train[label], 171, reduce_zero_label=False)
        inter, union = inter + i, union + u
    with np.errstate(invalid="ignore", divide="ignore"):
        reference = float(np.nanmean(inter / union))
    for pred, classes, gt_classes in ((folders["label_ids"], "coco-stuff", None), (folders["train_ids"], "coco-stuff-train", "coco-stuff")):
        evaluation = evaluate_dataset(folders["stuffthingmaps"], pred, classes=classes, gt_classes=gt_classes, jobs=1)
        assert all(r.ok for r in evaluation.run())
        scores = evaluation.scores()
        assert scores["num_classes"] == 171 and scores["mean_iou"] == pytest.approx(reference, abs=1e-15)
        assert "as mmsegmentation scores COCO-Stuff" in evaluation.classes_from
