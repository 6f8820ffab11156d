from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from labeltools import (
    __version__,
    class_weights,
    count_classes,
    read_label,
    voc_colormap,
    write_gray_label,
    write_label,
    write_split,
)
from labeltools.cli import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"labeltools {__version__}"


def test_python_dash_m_entry_point():
    done = subprocess.run([sys.executable, "-m", "labeltools", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and __version__ in done.stdout


def test_colormap_prints_the_voc_table():
    result = run("colormap", "-n", "21")
    assert result.exit_code == 0
    assert "tvmonitor" in result.stdout and "#c08000" in result.stdout  # diningtable (192,128,0)
    assert "aeroplane" in result.stdout and "128" in result.stdout


def test_colormap_cityscapes_names_and_colours():
    result = run("colormap", "--classes", "cityscapes")
    assert result.exit_code == 0 and "traffic light" in result.stdout and "#fa aa1e".replace(" ", "") in result.stdout


@pytest.mark.parametrize("ext", ["txt", "csv", "json", "npy", "png"])
def test_colormap_output_formats(tmp_path, ext):
    target = tmp_path / f"cmap.{ext}"
    result = run("colormap", "-n", "21", "-o", target)
    assert result.exit_code == 0, result.stderr
    assert target.stat().st_size > 0
    if ext == "npy":
        np.testing.assert_array_equal(np.load(target), voc_colormap(21))
    if ext == "png":
        with Image.open(target) as legend:
            assert legend.mode == "RGB" and legend.height >= 21 * 24 and legend.width >= 100


def test_colormap_errors_are_one_line_exit_1(tmp_path):
    result = run("colormap", "-n", "0")
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("error: colormap size must be between 1 and 16777216")
    assert len(result.stderr.strip().splitlines()) == 1
    result = run("colormap", "-o", tmp_path / "x.gif")
    assert result.exit_code == 1 and "unknown colormap format .gif" in result.stderr
    result = run("colormap", "--classes", tmp_path / "missing.txt")
    assert result.exit_code == 1 and "no such class table file" in result.stderr


def test_bad_usage_is_exit_2():
    assert run("colormap", "-n", "many").exit_code == 2
    assert run("no-such-command").exit_code == 2


def test_colorize_and_back(tmp_path, blobs_label):
    write_gray_label(tmp_path / "a.png", blobs_label)
    result = run("colorize", tmp_path / "a.png", "--output-dir", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert "wrote 1" in result.stderr
    with Image.open(tmp_path / "out" / "a.png") as image:
        assert image.mode == "P"
    result = run("colorize", tmp_path / "out" / "a.png", "--gray", "-o", tmp_path / "gray")
    assert result.exit_code == 0
    with Image.open(tmp_path / "gray" / "a.png") as image:
        assert image.mode == "L"
    np.testing.assert_array_equal(read_label(tmp_path / "gray" / "a.png"), blobs_label)


def test_colorize_continues_past_a_bad_file_and_exits_1(tmp_path, blobs_label):
    Image.new("RGB", (4, 4)).save(tmp_path / "bad.png")
    write_gray_label(tmp_path / "good.png", blobs_label)
    result = run("colorize", tmp_path / "bad.png", tmp_path / "good.png", "-o", tmp_path / "out", "-j", "1")
    assert result.exit_code == 1
    assert "bad.png: is a RGB image" in result.stderr and "failed 1" in result.stderr
    assert (tmp_path / "out" / "good.png").exists() and not (tmp_path / "out" / "bad.png").exists()


def test_help_explains_commands():
    result = run("--help")
    assert result.exit_code == 0
    for name in ("colormap", "colorize", "demo"):
        assert name in result.stdout


def test_demo_writes_into_outdir(tmp_path):
    result = run("demo", tmp_path / "demo")
    assert result.exit_code == 0, result.stderr
    written = [p for p in (tmp_path / "demo").rglob("*") if p.is_file()]
    assert written and all(str(p) in result.stdout.replace("\n", "") for p in written[:1])


# --- weights --------------------------------------------------------------------------------

NAMES = ["background", "cat", "dog", "bird"]


def make_dataset(root, count=8, seed=1, splits=True, class_names=NAMES):
    """A VOC folder with ``count`` random 3-class labels (class 3 never occurs), some void."""
    rng = np.random.default_rng(seed)
    folder = root / "SegmentationClass"
    folder.mkdir(parents=True)
    arrays = {}
    for i in range(count):
        label = rng.choice([0, 0, 0, 1, 2], size=(12, 17)).astype(np.uint8)
        label[0, : i % 4] = 255
        arrays[f"img{i}"] = label
        write_label(folder / f"img{i}.png", label)
    ids = sorted(arrays)
    if splits:
        write_split(root, "train", ids[: count // 2])
        write_split(root, "val", ids[count // 2 :])
    if class_names is not None:
        (root / "class_names.txt").write_text("".join(f"{n}\n" for n in class_names))
    return arrays


def test_weights_default_output_is_deeplab_path_over_train(tmp_path):
    root = tmp_path / "mydata"
    arrays = make_dataset(root)
    result = run("weights", root, "-j", 1)
    assert result.exit_code == 0, result.output
    target = root / "mydata_classes_weights.npy"
    assert f"wrote {target}" in result.stderr.replace("\n", "")
    weights = np.load(target)
    train = [arrays[f"img{i}"] for i in range(4)]
    expected = class_weights(count_classes(train, 4), "enet")
    assert weights.dtype == np.float64 and weights.shape == (4,)
    np.testing.assert_array_equal(weights, expected)
    # the table: index, name, pixels, share, weight
    pixels = count_classes(train, 4).pixels
    for row in ("index", "name", "pixels", "share", "weight"):
        assert row in result.stdout
    assert f"│     1 │ cat        │ {pixels[1]:>6} │" in result.stdout
    assert f"{expected[3]:.6g}" in result.stdout
    assert "class 3 (bird) has no pixels: its enet weight is 1/ln(1.02)" in " ".join(result.stderr.split())


def test_weights_without_train_split_reads_every_label(tmp_path):
    arrays = make_dataset(tmp_path / "d", splits=False)
    result = run("weights", tmp_path / "d", "-j", 1, "--scheme", "inverse")
    assert result.exit_code == 0, result.output
    expected = class_weights(count_classes(arrays.values(), 4), "inverse")
    np.testing.assert_allclose(np.load(tmp_path / "d" / "d_classes_weights.npy"), expected)


def test_weights_jobs_give_identical_files(tmp_path):
    make_dataset(tmp_path / "d", count=30)
    outputs = []
    for jobs in (1, 2):
        target = tmp_path / f"w{jobs}.npy"
        record = tmp_path / f"w{jobs}.json"
        result = run("weights", tmp_path / "d", "--split", "val", "-j", jobs, "-o", target, "--json", record)
        assert result.exit_code == 0, result.output
        outputs.append((target.read_bytes(), json.loads(record.read_text())))
    assert outputs[0][0] == outputs[1][0]
    for record in (outputs[0][1], outputs[1][1]):
        record.pop("output")
    assert outputs[0][1] == outputs[1][1]


def test_weights_json_provenance_and_name(tmp_path):
    root = tmp_path / "d"
    arrays = make_dataset(root)
    arrays["img1"][5, 5] = 9
    write_label(root / "SegmentationClass" / "img1.png", arrays["img1"])
    record = tmp_path / "out" / "weights.json"
    result = run(
        "weights", root, "--split", "train", "--scheme", "effective", "--beta", "0.99", "--name", "pascal",
        "--json", record, "-j", 1,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    target = root / "pascal_classes_weights.npy"
    data = json.loads(record.read_text())
    assert data["scheme"] == "effective" and data["parameters"] == {"beta": 0.99}
    assert data["split"] == "train" and data["num_files"] == 4 and data["dataset"] == str(root)
    assert data["output"] == str(target)
    assert data["weights"] == np.load(target).tolist()
    assert [c["name"] for c in data["classes"]] == NAMES
    assert data["counts"]["out_of_range_pixels"] == 1
    assert data["counts"]["out_of_range_where"] == {str(root / "SegmentationClass" / "img1.png"): 1}
    assert data["counts"]["ignored_pixels"] == sum(int((arrays[f"img{i}"] == 255).sum()) for i in range(4))
    stderr = " ".join(result.stderr.split())
    assert (
        "warning: 1 pixel(s) hold values 9, neither a class (0..3) nor the ignore index 255; they were "
        f"not counted (in {root / 'SegmentationClass' / 'img1.png'}) (--strict makes this an error)"
    ) in stderr


def test_weights_strict_fails_and_writes_nothing(tmp_path):
    root = tmp_path / "d"
    arrays = make_dataset(root)
    arrays["img2"][0, 0] = 40
    write_label(root / "SegmentationClass" / "img2.png", arrays["img2"])
    result = run("weights", root, "--strict", "-j", 1)
    assert result.exit_code == 1
    stderr = " ".join(result.stderr.split())
    bad = root / "SegmentationClass" / "img2.png"
    assert f"failed: {bad}: 1 pixel(s) hold values 40, expected classes 0..3 or the ignore index 255" in stderr
    assert "counted 3, failed 1" in stderr
    assert "error: no weights written: 1 of 4 label file(s) failed" in stderr
    assert not (root / "d_classes_weights.npy").exists()


def test_weights_bad_file_fails_the_batch(tmp_path):
    root = tmp_path / "d"
    make_dataset(root)
    (root / "SegmentationClass" / "img0.png").write_bytes(b"garbage")
    Image.new("RGB", (4, 4)).save(root / "SegmentationClass" / "img3.png")
    result = run("weights", root, "-j", 2)
    assert result.exit_code == 1
    stderr = " ".join(result.stderr.split())
    assert f"failed: {root / 'SegmentationClass' / 'img0.png'}: cannot read image" in stderr
    assert "img3.png: is a RGB image, not a label map" in stderr
    assert "error: no weights written: 2 of 4 label file(s) failed" in stderr
    assert list(root.glob("*.npy")) == []


def test_weights_labels_dir_and_num_classes(tmp_path):
    masks = tmp_path / "project" / "masks"
    masks.mkdir(parents=True)
    labels = [np.array([[0, 1], [1, 1]], np.uint8), np.array([[0, 0], [255, 1]], np.uint8)]
    for i, label in enumerate(labels):
        write_label(masks / f"m{i}.png", label)
    result = run("weights", "--labels-dir", masks, "--num-classes", 2, "--scheme", "inverse", "-j", 1)
    assert result.exit_code == 0, result.output
    # DATASET defaults to the folder above the labels; no class_names.txt there, so generic names
    np.testing.assert_allclose(np.load(tmp_path / "project" / "project_classes_weights.npy"), [7 / (2 * 3), 7 / (2 * 4)])
    assert "class_1" in result.stdout
    # with a dataset: its class names and split pick the files from the labels folder
    root = tmp_path / "d"
    make_dataset(root)
    write_split(root, "train", ["m1"])
    result = run("weights", root, "--labels-dir", masks, "--split", "train", "-n", 2, "-o", tmp_path / "w.npy", "--scheme", "median")
    assert result.exit_code == 0, result.output
    assert "background" in result.stdout
    # m1 alone: 2 background, 1 cat of 3 labelled pixels -> freq 2/3, 1/3, median 1/2
    np.testing.assert_allclose(np.load(tmp_path / "w.npy"), [0.75, 1.5])


def test_weights_usage_errors(tmp_path):
    root = tmp_path / "d"
    make_dataset(root, class_names=None)
    cases = [
        (("weights",), "error: give a DATASET folder or --labels-dir"),
        (("weights", root), f"error: {root / 'class_names.txt'}: no such file; pass --num-classes"),
        (("weights", root, "-n", 3, "--scheme", "balanced"), "error: unknown weighting scheme 'balanced' (known: enet, median, inverse, inverse-sqrt, effective)"),
        (("weights", root, "-n", 3, "--c", 0.5), "error: enet's c must be a finite number above 1 so that every weight is finite, got 0.5"),
        (("weights", root, "-n", 3, "--scheme", "effective", "--beta", 1), "error: effective's beta must lie strictly between 0 and 1, got 1.0"),
        (("weights", root, "--split", "test", "-n", 3), "test.txt: no such split file; splits present: train, val"),
        (("weights", tmp_path / "nothing", "-n", 3), f"error: {tmp_path / 'nothing'}: not a VOC dataset folder (no SegmentationClass/ inside)"),
        (("weights", root, "--labels-dir", tmp_path / "nope", "-n", 3), f"error: {tmp_path / 'nope'}: no such folder of label PNGs"),
    ]  # fmt: skip
    for args, message in cases:
        result = run(*args)
        assert result.exit_code == 1, (args, result.output)
        assert message in " ".join(result.stderr.split()), args
        assert "counted" not in result.stderr  # checked before any file is read
    assert list(root.glob("*.npy")) == []


def test_weights_all_void_is_an_error(tmp_path):
    root = tmp_path / "d"
    (root / "SegmentationClass").mkdir(parents=True)
    write_label(root / "SegmentationClass" / "a.png", np.full((3, 3), 255, np.uint8))
    result = run("weights", root, "-n", 2, "-j", 1)
    assert result.exit_code == 1
    assert "error: no pixel of classes 0..1 was counted in 1 image(s)" in " ".join(result.stderr.split())
    assert list(root.glob("*.npy")) == []


@pytest.mark.parametrize("value", ["0", "256"])
def test_weights_num_classes_range_is_usage(tmp_path, value):
    result = run("weights", tmp_path, "-n", value)
    assert result.exit_code == 2
