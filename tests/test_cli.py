from __future__ import annotations

import json

import numpy as np
from openpyxl import load_workbook
from PIL import Image
from typer.testing import CliRunner

from labeltools import write_label
from labeltools.cli import app
from labeltools.voc import write_split

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def one_line_error(result, start: str) -> None:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {start}"), result.stderr


# --- stats, check ---------------------------------------------------------------------------


def small_voc(root, names=("background", "cat", "dog", "bird")):
    (root / "SegmentationClass").mkdir(parents=True)
    (root / "JPEGImages").mkdir()
    for i in range(3):
        label = np.zeros((6, 8), np.uint8)
        label[1:3, 1:5] = 1 + (i == 2)
        label[5, :] = 255
        write_label(root / "SegmentationClass" / f"im{i}.png", label)
        Image.new("RGB", (8, 6)).save(root / "JPEGImages" / f"im{i}.jpg")
    (root / "class_names.txt").write_text("".join(f"{n}\n" for n in names))
    write_split(root, "train", ["im0", "im1"])
    write_split(root, "val", ["im2"])
    return root


def test_stats_table_json_and_plot(tmp_path):
    root = small_voc(tmp_path / "voc")
    result = run("stats", root, "--json", tmp_path / "s.json", "--plot", tmp_path / "p.png", "-j", "1")
    assert result.exit_code == 0, result.output
    assert "background" in result.stdout and "cat" in result.stdout
    assert "void (255): 24 pixels, 16.67% of all pixels, in 3 image(s)" in result.stdout
    assert "image sizes (width x height: images): 8x6: 3" in result.stdout
    assert "classes never seen: 3 bird" in result.stdout
    assert "read 3, failed 0" in result.stderr
    data = json.loads((tmp_path / "s.json").read_text())
    assert data["images"] == 3 and data["classes"][1]["pixels"] == 16 and data["classes"][2]["pixels"] == 8
    with Image.open(tmp_path / "p.png") as plot:
        assert plot.format == "PNG" and plot.width > 400


def test_stats_split_log_plot_and_labels_dir(tmp_path):
    root = small_voc(tmp_path / "voc")
    result = run("stats", root, "--split", "val", "--plot", tmp_path / "p.png", "--log", "--json", tmp_path / "s.json")
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "s.json").read_text())["images"] == 1
    result = run("stats", "--labels-dir", root / "SegmentationClass", "--num-classes", "2", "--json", tmp_path / "t.json")
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "t.json").read_text())
    assert [c["name"] for c in data["classes"]] == ["class_0", "class_1"]
    assert data["unknown_values"] == [{"value": 2, "pixels": 8, "images": 1}]
    assert "values that are not classes: 2 (run labeltools check to find the files)" in result.stdout


def test_stats_errors(tmp_path):
    one_line_error(run("stats"), "give a VOC dataset folder or a folder of label files (--labels-dir)")
    one_line_error(run("stats", tmp_path / "nope"), f"{tmp_path / 'nope'}: not a VOC dataset folder")
    one_line_error(run("stats", tmp_path, "--log"), "--log applies to the chart: give --plot FILE.png too")
    root = small_voc(tmp_path / "voc")
    one_line_error(run("stats", root, "--classes", "voc", "-n", "3"), "give a class table or a number of classes, not both")
    (root / "SegmentationClass" / "im1.png").write_bytes(b"junk")
    result = run("stats", root, "--json", tmp_path / "s.json")
    assert result.exit_code == 1
    assert "failed: " in result.stderr and "im1.png: cannot read image" in result.stderr
    assert json.loads((tmp_path / "s.json").read_text())["images"] == 2  # the rest is still reported


def test_check_exit_codes_and_json(tmp_path):
    root = small_voc(tmp_path / "voc")
    result = run("check", root)
    assert result.exit_code == 0, result.output
    assert "0 error(s), 0 warning(s) in 3 sample(s)" in result.stdout
    write_label(root / "SegmentationClass" / "extra.png", np.zeros((6, 8), np.uint8))
    Image.new("RGB", (8, 6)).save(root / "JPEGImages" / "extra.jpg")
    result = run("check", root, "--json", tmp_path / "c.json")
    assert result.exit_code == 0, result.output  # warnings only
    assert "0 error(s), 1 warning(s) in 4 sample(s)" in result.stdout and "warning" in result.stdout
    data = json.loads((tmp_path / "c.json").read_text())
    assert [(p["severity"], p["kind"]) for p in data["problems"]] == [("warning", "unlisted")]
    write_split(root, "val", ["im2", "im0"])
    (root / "JPEGImages" / "im1.jpg").unlink()
    result = run("check", root, "--json", tmp_path / "c.json")
    assert result.exit_code == 1
    assert "2 error(s), 1 warning(s) in 4 sample(s)" in result.stdout
    kinds = sorted(p["kind"] for p in json.loads((tmp_path / "c.json").read_text())["problems"])
    assert kinds == ["missing-image", "train-val-overlap", "unlisted"]


def test_check_errors(tmp_path):
    one_line_error(run("check", tmp_path), f"{tmp_path}: not a VOC dataset folder (no SegmentationClass/ inside)")
    result = run("check")
    assert result.exit_code == 2  # usage


# --- evaluate -------------------------------------------------------------------------------


def predictions(tmp_path, root, shift=True):
    pred = tmp_path / "pred"
    pred.mkdir()
    for i in range(3):
        label = np.asarray(Image.open(root / "SegmentationClass" / f"im{i}.png")).copy()
        label[label == 255] = 0
        if shift:
            label[1:3, 1] = 0
        write_label(pred / f"im{i}.png", label)
    return pred


def test_evaluate_outputs(tmp_path):
    root = small_voc(tmp_path / "voc")
    pred = predictions(tmp_path, root)
    result = run(
        "evaluate", root, pred, "-n", "4", "--json", tmp_path / "e.json", "--csv", tmp_path / "m.csv",
        "--excel", tmp_path / "e.xlsx", "-j", "2",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "e.json").read_text())
    # per image: cat/dog 8 GT pixels, 6 predicted right, 2 predicted background; 32 background right.
    assert data["confusion_matrix"] == [[96, 0, 0, 0], [4, 12, 0, 0], [2, 0, 6, 0], [0, 0, 0, 0]]
    assert data["classes"][1]["name"] == "cat" and data["classes"][1]["iou"] == 0.75
    assert data["absent_classes"] == [{"index": 3, "name": "bird"}]
    for text in ("mIoU:", "pixel accuracy:", "mean class accuracy:", "frequency-weighted IoU:", "mean Dice/F1:"):
        assert text in result.stdout
    assert f"{data['mean_iou'] * 100:.2f}" in result.stdout
    assert "absent from ground truth and predictions (left out of the means): 3 bird" in result.stdout
    assert (tmp_path / "m.csv").read_text().splitlines()[1] == "background,96,0,0,0"
    assert load_workbook(tmp_path / "e.xlsx").sheetnames == ["Scores", "Confusion matrix"]
    assert "scored 3, failed 0" in result.stderr


def test_evaluate_split_and_missing(tmp_path):
    root = small_voc(tmp_path / "voc")
    pred = predictions(tmp_path, root, shift=False)
    (pred / "im1.png").unlink()
    result = run("evaluate", root, pred, "-n", "4", "--split", "val", "--json", tmp_path / "e.json")
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "e.json").read_text())["mean_iou"] == 1.0
    result = run("evaluate", root, pred, "-n", "4")
    assert result.exit_code == 1
    assert "failed: " in result.stderr and "im1.png: no prediction for" in result.stderr
    result = run("evaluate", root, pred, "-n", "4", "--missing", "skip")
    assert result.exit_code == 0, result.output
    assert "no prediction for" in result.stderr and "skipped 1" in result.stderr


def test_evaluate_bad_prediction_is_reported_and_the_rest_scored(tmp_path):
    root = small_voc(tmp_path / "voc")
    pred = predictions(tmp_path, root)
    bad = np.zeros((6, 8), np.uint8)
    bad[0, 0] = 9
    write_label(pred / "im0.png", bad)
    write_label(pred / "im1.png", np.zeros((3, 3), np.uint8))
    result = run("evaluate", root, pred, "-n", "4", "--json", tmp_path / "e.json", "-j", "1")
    assert result.exit_code == 1
    assert "im0.png: prediction holds value 9, outside the classes 0..3 (num_classes 4)" in result.stderr
    assert "im1.png: size mismatch, prediction is 3x3 (width x height)" in result.stderr
    assert json.loads((tmp_path / "e.json").read_text())["images"] == 1


def test_evaluate_errors(tmp_path):
    root = small_voc(tmp_path / "voc")
    pred = predictions(tmp_path, root)
    one_line_error(run("evaluate", root, pred, "-n", "4", "--missing", "maybe"), "--missing must be one of error, skip, got 'maybe'")
    one_line_error(run("evaluate", root, tmp_path / "nope", "-n", "4"), f"{tmp_path / 'nope'}: no such prediction folder")
    one_line_error(run("evaluate", root, pred, "-n", "4", "--ignore-index", "2"), "ignore_index 2 is one of the classes 0..3")
    for i in range(3):
        write_label(root / "SegmentationClass" / f"im{i}.png", np.full((6, 8), 255, np.uint8))
    result = run("evaluate", root, pred, "-n", "4")
    assert result.exit_code == 1 and "error: nothing to score: no pixel was counted" in result.stderr
    assert run("evaluate", root, pred).exit_code == 2  # --num-classes is required
