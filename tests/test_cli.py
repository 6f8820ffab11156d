from __future__ import annotations

import json
import shlex
import subprocess
import sys
import weakref
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from PIL import Image
from typer.testing import CliRunner

from labeltools.cli import app
from labeltools.core.classes import ClassTable
from labeltools.core.colormap import voc_colormap
from labeltools.core.version import __version__
from labeltools.engine.executor import FileResult
from labeltools.formats.labels import (
    read_label,
    read_label_palette,
    write_gray_label,
    write_label,
)
from labeltools.formats.voc import write_split
from labeltools.ops.counts import class_weights, count_classes
from labeltools.ops.remap import RemapReport, index_to_rgb

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
    result = run("colormap", "-n", "0")  # a usage mistake: exit 2, naming the option
    assert result.exit_code == 2 and "--num-classes" in result.output
    assert run("colormap", "--num", "3").exit_code == 0  # the old spelling still works
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


def test_file_commands_take_folders_and_patterns(tmp_path, blobs_label, monkeypatch):
    """A folder stands for its label files, a quoted pattern is expanded as the shell would; a
    folder or pattern with nothing in it is one line."""
    masks = tmp_path / "masks"
    for name in ("a", "b", "c"):
        write_gray_label(masks / f"{name}.png", blobs_label)
    (masks / "notes.txt").write_text("not a label")
    (masks / "sub").mkdir()
    write_gray_label(masks / "sub" / "d.png", blobs_label)
    result = run("colorize", masks, "-d", tmp_path / "folder")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "folder").iterdir()) == ["a.png", "b.png", "c.png"]
    result = run("remap", f"{masks}/[ab].png", "--index-map", "0:0,1:1,2:2,3:3,4:4", "-d", tmp_path / "pattern")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "pattern").iterdir()) == ["a.png", "b.png"]
    result = run("excel", masks, "-d", tmp_path / "books", "--step", "4")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "books").iterdir()) == ["a.xlsx", "b.xlsx", "c.xlsx"]
    monkeypatch.chdir(tmp_path)  # one workbook for a folder, named after it, in the working folder
    result = run("excel", masks, "--step", "4")
    assert result.exit_code == 0 and "wrote masks.xlsx (3 grid sheet(s))" in result.stderr, result.stderr
    one_line_error(run("colorize", tmp_path / "books", "-d", tmp_path / "x"), f"{tmp_path / 'books'}: this folder holds no .png, .gif, .tif, .tiff, .bmp or .npy file")
    one_line_error(run("colorize", f"{masks}/*.jpg", "-d", tmp_path / "x"), f"{masks}/*.jpg: no file matches this pattern")
    assert not (tmp_path / "x").exists()


def test_colorize_continues_past_a_bad_file_and_exits_1(tmp_path, blobs_label):
    Image.new("RGB", (4, 4)).save(tmp_path / "bad.png")
    write_gray_label(tmp_path / "good.png", blobs_label)
    result = run("colorize", tmp_path / "bad.png", tmp_path / "good.png", "-o", tmp_path / "out", "-j", "1")
    assert result.exit_code == 1
    assert "bad.png: is a colour image (mode RGB)" in result.stderr and "failed 1" in result.stderr
    assert (tmp_path / "out" / "good.png").exists() and not (tmp_path / "out" / "bad.png").exists()


def test_help_explains_commands():
    result = run("--help")
    assert result.exit_code == 0
    for name in ("colormap", "colorize", "remap", "convert", "demo"):
        assert name in result.stdout


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
    # val's weights never take the name deeplab loads for training
    result = run("weights", root, "--split", "val", "-j", 1)
    assert result.exit_code == 0 and f"wrote {root / 'mydata_classes_weights_val.npy'}" in result.stderr.replace("\n", "")
    np.testing.assert_array_equal(np.load(target), expected)


def test_weights_without_train_split_reads_every_label(tmp_path):
    arrays = make_dataset(tmp_path / "d", splits=False)
    result = run("weights", tmp_path / "d", "-j", 1, "--scheme", "inverse")
    assert result.exit_code == 0, result.output
    expected = class_weights(count_classes(arrays.values(), 4), "inverse")
    np.testing.assert_allclose(np.load(tmp_path / "d" / "d_classes_weights_inverse.npy"), expected)


def test_weights_of_each_scheme_keep_their_own_default_file(tmp_path):
    arrays = make_dataset(tmp_path / "d", splits=False)
    assert run("weights", tmp_path / "d", "-j", 1).exit_code == 0
    assert run("weights", tmp_path / "d", "-j", 1, "--scheme", "median").exit_code == 0
    counts = count_classes(arrays.values(), 4)
    # enet keeps the name pytorch-deeplab-xception loads; median does not replace it
    np.testing.assert_allclose(np.load(tmp_path / "d" / "d_classes_weights.npy"), class_weights(counts, "enet"))
    np.testing.assert_allclose(np.load(tmp_path / "d" / "d_classes_weights_median.npy"), class_weights(counts, "median"))


def test_outputs_named_for_another_format_are_refused_before_the_work(tmp_path):
    """``weights -o weights.txt`` wrote the NumPy file under that name, ``evaluate --excel
    s.csv`` a workbook, ``--csv c.xlsx`` text that Excel refuses to open, ``stats --plot
    p.txt`` a PNG, ``excel -o x.csv`` a workbook, ``excel --read -o x.jpg`` a PNG: each is
    refused before any file is read, naming the ending to give; nothing is written."""
    make_dataset(tmp_path / "d", count=3)
    label = tmp_path / "d" / "SegmentationClass" / "img0.png"
    pred = tmp_path / "d" / "SegmentationClass"
    refused = (
        (["evaluate", tmp_path / "d", pred, "--excel", tmp_path / "s.csv"], "s.csv", "a workbook", ".xlsx", ""),
        (["evaluate", tmp_path / "d", pred, "--csv", tmp_path / "c.xlsx"], "c.xlsx", "the confusion matrix", ".csv", ""),
        (["stats", tmp_path / "d", "--plot", tmp_path / "p.txt"], "p.txt", "the chart", ".png", ""),
        (["excel", label, "-o", tmp_path / "x.csv"], "x.csv", "a workbook", ".xlsx", ""),
        (["excel", "--read", tmp_path / "x.xlsx", "-o", tmp_path / "x.jpg"], "x.jpg", "a label file", ".png", ""),
    )
    for command, name, what, ending, readers in refused:
        one_line_error(run(*command), f"{tmp_path / name}: labeltools writes {what} as a {ending} file{readers}; give a name ending in {ending}")
        assert not (tmp_path / name).exists()
    assert run("stats", tmp_path / "d", "--plot", tmp_path / "p.PNG").exit_code == 0  # any case
    for name in ("weights.txt", "weights.csv", "weights"):
        one_line_error(
            run("weights", tmp_path / "d", "-o", tmp_path / name),
            f"{tmp_path / name}: labeltools writes class weights as a .npy file, which np.load, pytorch-deeplab-xception "
            "and mmsegmentation read; give a name ending in .npy",
        )
        assert not (tmp_path / name).exists()
    assert run("weights", tmp_path / "d", "-o", tmp_path / "weights.npy").exit_code == 0


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
    target = root / "pascal_classes_weights_effective.npy"
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
    assert "img3.png: is a colour image (mode RGB), not a label map" in stderr
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
    np.testing.assert_allclose(np.load(tmp_path / "project" / "project_classes_weights_inverse.npy"), [7 / (2 * 3), 7 / (2 * 4)])
    assert "class_1" in result.stdout
    # with a dataset: its class names and split pick the files from the labels folder
    root = tmp_path / "d"
    make_dataset(root)
    write_split(root, "train", ["m1"])
    result = run("weights", root, "--labels-dir", masks, "--split", "train", "-n", 2, "-o", tmp_path / "w.npy", "--scheme", "median")
    assert result.exit_code == 1  # the dataset's table has 4 classes: -n 2 contradicts it
    assert f"{root / 'class_names.txt'} has 4 classes, but 2 were asked for (--num-classes)" in " ".join(result.stderr.split())
    (tmp_path / "two.txt").write_text("background\ncat\n")
    result = run("weights", root, "--labels-dir", masks, "--split", "train", "-c", tmp_path / "two.txt", "-o", tmp_path / "w.npy", "--scheme", "median")
    assert result.exit_code == 0, result.output
    assert "background" in result.stdout
    # m1 alone: 2 background, 1 cat of 3 labelled pixels -> freq 2/3, 1/3, median 1/2
    np.testing.assert_allclose(np.load(tmp_path / "w.npy"), [0.75, 1.5])


def test_weights_usage_errors(tmp_path):
    root = tmp_path / "d"
    make_dataset(root, class_names=None)
    cases = [
        (("weights", root), f"error: {root / 'class_names.txt'}: no such file; give --classes TABLE (-c voc: PASCAL VOC's own 21 classes) or --num-classes N"),
        (("weights", root, "--split", "test", "-n", 3), "test.txt: no such split file; splits present: train, val"),
        (("weights", tmp_path / "nothing", "-n", 3), f"error: {tmp_path / 'nothing'}: no such folder"),  # as check says, not "not a VOC dataset folder"
        (("weights", tmp_path, "-n", 3), f"error: {tmp_path}: not a VOC dataset folder (no SegmentationClass/ inside)"),
        (("weights", root, "--labels-dir", tmp_path / "nope", "-n", 3), f"error: {tmp_path / 'nope'}: no such folder of label PNGs"),
    ]  # fmt: skip
    for args, message in cases:
        result = run(*args)
        assert result.exit_code == 1, (args, result.output)
        assert message in " ".join(result.stderr.split()), args
        assert "counted" not in result.stderr  # checked before any file is read
    assert list(root.glob("*.npy")) == []
    usage = [  # usage mistakes exit 2, naming the option (and its choices)
        ((), ["missing argument DATASET", "--labels-dir"]),
        (("--scheme", "balanced"), ["--scheme", "enet", "median", "inverse", "inverse-sqrt", "effective"]),
        (("--c", 0.5), ["--enet-c", "must be above 1"]),
        (("--enet-c", 1), ["--enet-c", "must be above 1"]),
        (("--scheme", "effective", "--beta", 1), ["--beta", "strictly between 0 and 1"]),
        (("--enet-c", 1.1, "--c", 1.2), ["give --enet-c once"]),
    ]
    for extra, words in usage:
        result = run("weights", *((root, "-n", 3) if extra else ()), *extra)
        assert result.exit_code == 2, (extra, result.output)
        text = " ".join(result.output.replace("│", " ").split())
        assert all(word in text for word in words), (extra, text)
    assert run("weights", root, "-n", 3, "--c", 1.05, "-o", tmp_path / "w.npy").exit_code == 0  # old spelling


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


# --- remap ----------------------------------------------------------------------------------


def _voc_colour_mask(path, unknown=0):
    label = np.zeros((20, 30), dtype=np.uint8)
    label[3:12, 4:20] = 15
    label[2, 3:21] = 255
    rgb = voc_colormap(256)[label].copy()
    rgb[-1, :unknown] = (1, 2, 3)
    Image.fromarray(rgb).save(path)
    label[-1, :unknown] = 255
    return label


def test_remap_colour_masks_and_report(tmp_path):
    labels = [_voc_colour_mask(tmp_path / f"m{i}.png", unknown=i * 3) for i in range(3)]
    result = run("remap", *(tmp_path / f"m{i}.png" for i in range(3)), "--classes", "voc", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert "wrote 3, failed 0" in result.stderr
    for i, label in enumerate(labels):
        with Image.open(tmp_path / "out" / f"m{i}.png") as image:
            assert image.mode == "P"
        np.testing.assert_array_equal(read_label(tmp_path / "out" / f"m{i}.png"), label)
    text = result.stdout
    assert "void pixels by cause (1800 pixels in all)" in text
    assert "void colour (in the table)" in text and "54" in text  # 3 x 18 boundary pixels
    assert "unknown colour" in text and "│      9 │" in text
    assert "(1, 2, 3)" in text and "#010203" in text
    folded = "".join(text.replace("│", "").split())  # long paths fold over lines
    assert str(tmp_path / "m1.png").replace(" ", "") in folded


def test_remap_keeps_no_result_once_it_is_reported(tmp_path, monkeypatch):
    # The batch's report is merged as the results pass: result i - 2 is gone by the time the
    # batch makes result i (i - 1 may still be in the loop's hands).
    alive = []

    def fake_remap_files(inputs, output_dir, classes, **options):
        for i, source in enumerate(inputs):
            if i >= 2:
                assert alive[i - 2]() is None, f"result {i - 2} is still kept"
            counts = {(i, 0, 0): i} if i else {}
            examples = dict.fromkeys(counts, str(source))
            report = RemapReport(4, unknown=i, unknown_counts=counts, unknown_examples=examples, files=1)
            result = FileResult(source=str(source), outputs=(str(source),), data=report)
            alive.append(weakref.ref(result))
            yield result

    import labeltools.jobs.remap

    monkeypatch.setattr(labeltools.jobs.remap, "remap_files", fake_remap_files)  # the command imports it as it runs
    result = run("remap", *(tmp_path / f"m{i}.png" for i in range(5)), "-c", "voc", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "wrote 5, failed 0" in result.stderr
    assert "void pixels by cause (20 pixels in all)" in result.stdout
    assert "(4, 0, 0)" in result.stdout and "m4.png" in "".join(result.stdout.replace("│", "").split())


def test_remap_to_rgb_and_back(tmp_path):
    label = _voc_colour_mask(tmp_path / "a.png")
    assert run("remap", tmp_path / "a.png", "-c", "voc", "-o", tmp_path / "idx").exit_code == 0
    result = run("remap", tmp_path / "idx" / "a.png", "-c", "voc", "--to-rgb", "-o", tmp_path / "rgb")
    assert result.exit_code == 0, result.stderr
    assert "void pixels" not in result.stdout
    with Image.open(tmp_path / "rgb" / "a.png") as image, Image.open(tmp_path / "a.png") as original:
        np.testing.assert_array_equal(np.asarray(image), np.asarray(original))
    np.testing.assert_array_equal(read_label(tmp_path / "idx" / "a.png"), label)


def test_remap_index_map_on_a_colour_mask_says_to_use_classes(tmp_path):
    Image.new("RGB", (4, 3), (128, 0, 0)).save(tmp_path / "mask.png")
    result = run("remap", tmp_path / "mask.png", "--index-map", "1:0", "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert "mask.png: is a colour mask (12 pixel(s) not grey), but an index map rewrites the values of label files" in result.stderr
    assert "remap its colours with --classes instead of --index-map" in result.stderr


def test_remap_index_map_cityscapes(tmp_path):
    write_gray_label(tmp_path / "x_labelIds.png", np.array([[7, 26, 1], [17, 18, 0]], dtype=np.uint8))
    result = run("remap", tmp_path / "x_labelIds.png", "--index-map", "cityscapes", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    np.testing.assert_array_equal(read_label(tmp_path / "out" / "x_labelTrainIds.png"), [[0, 13, 255], [5, 255, 255]])
    assert "void value (255, or mapped to 255)" in result.stdout
    result = run("remap", tmp_path / "x_labelIds.png", "--index-map", "7:1", "--strict", "-o", tmp_path / "o2")
    assert result.exit_code == 1
    assert "5 pixel(s) have values that the index map '7:1' does not list" in result.stderr
    assert "failed 1" in result.stderr and not (tmp_path / "o2" / "x_labelIds.png").exists()


def test_remap_same_bytes_for_any_jobs(tmp_path):
    paths = []
    for i in range(4):
        _voc_colour_mask(tmp_path / f"m{i}.png", unknown=i)
        paths.append(tmp_path / f"m{i}.png")
    for jobs in ("1", "2"):
        assert run("remap", *paths, "-c", "voc", "-o", tmp_path / f"j{jobs}", "-j", jobs).exit_code == 0
    for path in paths:
        assert (tmp_path / "j1" / path.name).read_bytes() == (tmp_path / "j2" / path.name).read_bytes()


def test_remap_bad_file_strict_and_conflicts(tmp_path):
    _voc_colour_mask(tmp_path / "good.png")
    _voc_colour_mask(tmp_path / "noisy.png", unknown=2)
    write_gray_label(tmp_path / "gray.png", np.zeros((2, 2), np.uint8))
    result = run("remap", tmp_path / "good.png", tmp_path / "gray.png", "-c", "voc", "-o", tmp_path / "out", "-j", "1")
    assert result.exit_code == 1
    assert "gray.png: is a single-channel (L) image of values, not a colour mask" in result.stderr
    assert "wrote 1, failed 1" in result.stderr and (tmp_path / "out" / "good.png").exists()
    result = run("remap", tmp_path / "noisy.png", "-c", "voc", "--strict", "-o", tmp_path / "s")
    assert result.exit_code == 1 and "2 pixel(s) have colours that are not in the voc preset" in result.stderr
    (tmp_path / "t.csv").write_text("index,name,r,g,b\n0,a,0,0,0\n1,b,5,5,5\n2,c,5,5,5\n")
    result = run("remap", tmp_path / "good.png", "-c", tmp_path / "t.csv", "-o", tmp_path / "c")
    assert result.exit_code == 1 and len(result.stderr.strip().splitlines()) == 1
    assert "t.csv: 1 colour(s) are shared by classes that map to different values" in result.stderr
    result = run("remap", tmp_path / "good.png", "-c", tmp_path / "t.csv", "--on-conflict", "void", "-o", tmp_path / "c")
    assert result.exit_code == 0, result.stderr


def test_warnings_alike_of_many_files_are_counted_on_one_line(tmp_path):
    """A thousand JPEG masks are not a thousand warning lines: the first few of one warning
    (but for the file and its numbers) are printed, the rest counted and named on one line."""
    _voc_colour_mask(tmp_path / "m.png")
    with Image.open(tmp_path / "m.png") as image:
        for n in range(8):
            image.save(tmp_path / f"j{n}.jpg", quality=60 + n)
    result = run("remap", *sorted(tmp_path.glob("*.jpg")), "-c", "voc", "-d", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert sum("JPEG compression shifts colours" in line for line in lines) == 5, result.stderr
    assert f"warning: 3 more warning(s) alike, of {tmp_path / 'j5.jpg'}, {tmp_path / 'j6.jpg'}, {tmp_path / 'j7.jpg'}" in lines
    assert len(list((tmp_path / "out").glob("*.png"))) == 8


def test_remap_tolerance_and_jpeg_warning(tmp_path):
    label = _voc_colour_mask(tmp_path / "m.png")
    with Image.open(tmp_path / "m.png") as image:
        image.save(tmp_path / "j.jpg", quality=70)
    result = run("remap", tmp_path / "j.jpg", "-c", "voc", "-o", tmp_path / "a")
    assert result.exit_code == 0
    assert "warning: " in result.stderr and "JPEG compression shifts colours" in result.stderr
    result = run("remap", tmp_path / "j.jpg", "-c", "voc", "-o", tmp_path / "b", "--tolerance", "31")
    assert result.exit_code == 0 and "warning" not in result.stderr
    assert "were mapped to a class through the tolerance" in result.stdout
    assert (read_label(tmp_path / "b" / "j.png") == label).mean() > 0.9


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--index-map", "7:0", "--to-rgb"], "--index-map and --to-rgb cannot be combined"),
        ([], "colour masks need a class table (a preset such as voc or cityscapes, or a file); label files are drawn in its colours with --to-rgb -c TABLE"),
        (["--index-map", "7:0", "--tolerance", "3"], "applies to colour masks only"),
        (["-c", "voc", "--to-rgb", "--strict"], "does not apply to --to-rgb"),
        (["-c", "voc", "--on-conflict", "last"], "'last' is not one of"),
        (["-c", "voc", "--tolerance", "-1"], "-1.0 is not in the range x>=0"),
    ],
)
def test_remap_bad_usage_is_exit_2(tmp_path, args, message):
    _voc_colour_mask(tmp_path / "m.png")
    result = run("remap", tmp_path / "m.png", "-o", tmp_path / "out", *args)
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.replace("│", " ").split())


def test_remap_bad_index_map_is_one_line(tmp_path):
    write_gray_label(tmp_path / "g.png", np.zeros((2, 2), np.uint8))
    result = run("remap", tmp_path / "g.png", "--index-map", "7:x", "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: index map '7:x': entry 1 is '7:x'; expected SRC:DST, two integers 0..255 (SRC may be a range, A-B)"


# --- excel ------------------------------------------------------------------------------------


@pytest.fixture
def labels(tmp_path: Path) -> dict[str, np.ndarray]:
    first = np.zeros((6, 8), dtype=np.uint8)
    first[1:4, 2:7] = 12
    first[0, :] = 255
    second = np.full((5, 3), 2, dtype=np.uint8)
    write_label(tmp_path / "first.png", first)
    write_label(tmp_path / "second.png", second)
    return {"first": first, "second": second}


def grid(path: Path, sheet: str) -> np.ndarray:
    ws = openpyxl.load_workbook(path)[sheet]
    return np.array([row[1:] for row in ws.iter_rows(min_row=2, values_only=True)])


def test_excel_writes_into_the_working_folder_by_default(tmp_path: Path, labels, monkeypatch) -> None:
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")  # not beside the labels, where loaders of the dataset read
    result = run("excel", tmp_path / "first.png", tmp_path / "second.png")
    assert result.exit_code == 0, result.output
    book = tmp_path / "work" / "first.xlsx"
    assert "wrote first.xlsx (2 grid sheet(s))" in result.output
    assert not (tmp_path / "first.xlsx").exists()
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["first", "second", "Classes", "Info"]
    np.testing.assert_array_equal(grid(book, "second"), labels["second"])
    names = {r[2] for r in wb["Classes"].iter_rows(min_row=2, values_only=True)}
    assert names == {"background", "bicycle", "dog", "void"}  # the VOC preset's


def test_excel_options_reach_the_workbook(tmp_path: Path, labels) -> None:
    (tmp_path / "names.txt").write_text("bg\none\ntwo\n")
    book = tmp_path / "out" / "x.xlsx"
    book.parent.mkdir()
    result = run(
        "excel", tmp_path / "first.png", "-o", book, "--crop", "2,1,5,4", "--step", "2",
        "--no-fill", "--names", tmp_path / "names.txt",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    np.testing.assert_array_equal(grid(book, "first"), labels["first"][1:5:2, 2:7:2])
    wb = openpyxl.load_workbook(book)
    assert not list(wb["first"].conditional_formatting)
    assert [r[2] for r in wb["Classes"].iter_rows(min_row=2, values_only=True)] == ["bg", "class_12", "void"]


def test_excel_output_dir_writes_one_workbook_per_input(tmp_path: Path, labels) -> None:
    result = run("excel", tmp_path / "first.png", tmp_path / "second.png", "--output-dir", tmp_path / "books", "-j", "1")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "books").iterdir()) == ["first.xlsx", "second.xlsx"]
    np.testing.assert_array_equal(grid(tmp_path / "books" / "first.xlsx", "first"), labels["first"])


def test_excel_goes_on_past_a_bad_file_and_exits_1(tmp_path: Path, labels) -> None:
    (tmp_path / "broken.png").write_bytes(b"nope")
    result = run("excel", tmp_path / "broken.png", tmp_path / "second.png", "-o", tmp_path / "b.xlsx")
    assert result.exit_code == 1
    assert "broken.png: cannot read image" in result.output
    assert "wrote 1, failed 1" in result.output
    assert openpyxl.load_workbook(tmp_path / "b.xlsx").sheetnames == ["second", "Classes", "Info"]


def test_excel_refuses_a_grid_over_excels_limits(tmp_path: Path) -> None:
    Image.fromarray(np.zeros((3, 17000), dtype=np.uint8)).save(tmp_path / "wide.png")
    result = run("excel", tmp_path / "wide.png")
    assert result.exit_code == 1
    output = result.output.replace("\n", "")
    assert "the 17000x3 label (width x height)" in output
    assert "--step 2" in output and "--crop 0,0,16383,3" in output
    assert not (tmp_path / "wide.xlsx").exists()


def test_excel_read_round_trip(tmp_path: Path, labels, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("excel", tmp_path / "first.png", tmp_path / "second.png").exit_code == 0
    wb = openpyxl.load_workbook(tmp_path / "first.xlsx")
    wb["first"]["B3"] = 4
    wb.save(tmp_path / "first.xlsx")
    result = run("excel", "--read", tmp_path / "first.xlsx", "-o", tmp_path / "fixed.png")
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and "(8x6)" in result.output
    expected = labels["first"].copy()
    expected[1, 0] = 4
    np.testing.assert_array_equal(read_label(tmp_path / "fixed.png"), expected)
    result = run("excel", "--read", tmp_path / "first.xlsx", "--sheet", "second", "-o", tmp_path / "s.png")
    assert result.exit_code == 0, result.output
    np.testing.assert_array_equal(read_label(tmp_path / "s.png"), labels["second"])


def test_excel_read_colours_the_png_with_names(tmp_path: Path, labels, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    run("excel", tmp_path / "second.png")
    (tmp_path / "t.csv").write_text("index,name,r,g,b\n0,bg,0,0,0\n2,two,1,2,3\n")
    result = run("excel", "--read", tmp_path / "second.xlsx", "-o", tmp_path / "c.png", "--names", tmp_path / "t.csv")
    assert result.exit_code == 0, result.output
    _, palette = read_label_palette(tmp_path / "c.png")
    assert tuple(palette[2]) == (1, 2, 3)


def test_excel_read_errors_give_the_cell_and_exit_1(tmp_path: Path, labels, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    run("excel", tmp_path / "first.png")
    wb = openpyxl.load_workbook(tmp_path / "first.xlsx")
    wb["first"]["D5"] = "car"
    wb.save(tmp_path / "first.xlsx")
    result = run("excel", "--read", tmp_path / "first.xlsx", "-o", tmp_path / "fixed.png")
    assert result.exit_code == 1
    assert "cell D5: expected a class index" in result.output.replace("\n", "")
    assert not (tmp_path / "fixed.png").exists()
    result = run("excel", "--read", tmp_path / "first.xlsx", "-o", tmp_path / "x.png", "--sheet", "nope")
    assert result.exit_code == 1 and "no sheet named 'nope'" in result.output


def test_excel_bad_names_is_one_line_before_any_file_is_read(tmp_path: Path, labels) -> None:
    for extra in ([], ["--output-dir", tmp_path / "d"]):
        result = run("excel", tmp_path / "first.png", "--names", tmp_path / "nope.txt", *extra)
        one_line_error(result, f"{tmp_path / 'nope.txt'}: no such class table file")
    assert not (tmp_path / "first.xlsx").exists() and not (tmp_path / "d").exists()


def test_excel_read_refuses_the_dump_options(tmp_path: Path, labels) -> None:
    assert run("excel", tmp_path / "first.png").exit_code == 0
    for args in (["--crop", "0,0,2,2"], ["--step", "2"], ["--no-fill"], ["--output-dir", tmp_path / "d"]):
        result = run("excel", "--read", tmp_path / "first.xlsx", "-o", tmp_path / "x.png", *args)
        assert result.exit_code == 2, args
        message = f"{args[0]} only applies when dumping label files, not with --read"
        assert message in " ".join(result.output.replace("│", " ").split())
        assert not (tmp_path / "x.png").exists() and not (tmp_path / "d").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--read", "b.xlsx"], "--read needs --output"),
        (["first.png", "--read", "b.xlsx", "-o", "x.png"], "not both"),
        ([], "give label files to dump, or --read WORKBOOK"),
        (["first.png", "--sheet", "x"], "--sheet only applies with --read"),
        (["first.png", "-o", "a.xlsx", "--output-dir", "d"], "not both"),
        (["first.png", "--crop", "1,2,3"], "crop must be X,Y,W,H"),
        (["first.png", "--step", "0"], "--step"),
        (["--read", "b.xlsx", "-o", "x.png", "--crop", "1,2,3"], "--crop only applies when dumping label files, not with --read"),
        (
            ["--read", "b.xlsx", "-o", "x.png", "--no-fill", "--output-dir", "d"],
            "--no-fill, --output-dir only apply when dumping label files, not with --read",
        ),
    ],
)
def test_excel_usage_errors_exit_2(tmp_path: Path, labels, monkeypatch, args, message) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("excel", *args)
    assert result.exit_code == 2
    assert message in " ".join(result.output.replace("│", " ").split())
    assert not (tmp_path / "x.png").exists() and not (tmp_path / "d").exists()
# --- stats, check, evaluate ----------------------------------------------------------------


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
        Image.new("RGB", (8, 6), (60 * i, 0, 0)).save(root / "JPEGImages" / f"im{i}.jpg")  # a photo each
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


def test_reports_go_into_folders_that_do_not_exist_yet(tmp_path):
    root = small_voc(tmp_path / "voc")
    result = run("stats", root, "--json", tmp_path / "new" / "s.json", "--plot", tmp_path / "new" / "p.png", "-j", "1")
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "new" / "s.json").read_text())["images"] == 3
    assert (tmp_path / "new" / "p.png").stat().st_size > 0


def test_stats_split_log_plot_and_labels_dir(tmp_path):
    root = small_voc(tmp_path / "voc")
    result = run("stats", root, "--split", "val", "--plot", tmp_path / "p.png", "--log", "--json", tmp_path / "s.json")
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "s.json").read_text())["images"] == 1
    result = run("stats", "--labels-dir", root / "SegmentationClass", "--num-classes", "2", "--json", tmp_path / "t.json")
    assert result.exit_code == 1  # the dataset above has its own table, of another size
    assert "class_names.txt has 4 classes, but 2 were asked for (--num-classes)" in " ".join(result.stderr.split())
    (tmp_path / "two.txt").write_text("background\ncat\n")
    result = run("stats", "--labels-dir", root / "SegmentationClass", "-c", tmp_path / "two.txt", "--json", tmp_path / "t.json")
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "t.json").read_text())
    assert [c["name"] for c in data["classes"]] == ["background", "cat"]
    assert data["unknown_values"] == [{"value": 2, "pixels": 8, "images": 1}]
    assert "values that are not classes: 2 (run labeltools check to find the files)" in result.stdout


def test_a_folder_holding_a_voc_dataset_names_it(tmp_path):
    """``VOCdevkit`` (VOC2012's tar unpacked, and the folder under torchvision's root) given
    for the dataset: every command said it was no VOC dataset folder, or held no label PNG or
    class table, without a word of VOCdevkit/VOC2012 inside; each names the dataset to give."""
    root = small_voc(tmp_path / "VOCdevkit" / "VOC2012")
    devkit = tmp_path / "VOCdevkit"
    said = f"it holds the VOC dataset(s) {root}: give the dataset's folder"
    for args in (("stats", devkit), ("weights", devkit), ("split", devkit), ("check", devkit), ("report", devkit),
                 ("evaluate", devkit, root / "SegmentationClass"), ("evaluate", devkit, root / "SegmentationClass", "-n", "4"),
                 ("stats", tmp_path)):  # fmt: skip
        result = run(*args)
        assert result.exit_code == 1 and said in " ".join(result.stderr.split()), (args, result.stderr)
    assert run("stats", root, "-j", "1").exit_code == 0


def test_stats_errors(tmp_path):
    assert run("stats").exit_code == 2 and "missing argument DATASET" in run("stats").output
    one_line_error(run("stats", tmp_path / "nope"), f"{tmp_path / 'nope'}: no such folder")
    result = run("stats", tmp_path, "--log")
    assert result.exit_code == 2 and "applies to the chart: give --plot FILE.png too" in result.output
    root = small_voc(tmp_path / "voc")
    result = run("stats", root, "--classes", "voc", "-n", "3")
    assert result.exit_code == 1 and "voc preset has 21 classes, but 3 were asked for (--num-classes)" in result.stderr
    assert run("stats", root, "--classes", "voc", "-n", "21", "-j", "1").exit_code == 0  # agreeing: fine
    (root / "SegmentationClass" / "im1.png").write_bytes(b"junk")
    result = run("stats", root, "--json", tmp_path / "s.json")
    assert result.exit_code == 1
    assert "failed: " in result.stderr and "im1.png: cannot read image" in result.stderr
    assert json.loads((tmp_path / "s.json").read_text())["images"] == 2  # the rest is still reported


def test_check_exit_codes_and_json(tmp_path):
    root = small_voc(tmp_path / "voc")
    result = run("check", root, "--json", tmp_path / "c.json")
    assert result.exit_code == 0, result.output  # cat is in two train images and no val image
    assert "0 error(s), 1 warning(s) in 3 sample(s)" in result.stdout
    [problem] = json.loads((tmp_path / "c.json").read_text())["problems"]
    assert problem["message"] == "class 1 (cat) is in 2 train image(s) but in no val image: nothing to score it on"
    assert problem["file"] == str(root / "ImageSets" / "Segmentation" / "val.txt")
    write_label(root / "SegmentationClass" / "extra.png", np.zeros((6, 8), np.uint8))
    Image.new("RGB", (8, 6)).save(root / "JPEGImages" / "extra.jpg")
    result = run("check", root, "--json", tmp_path / "c.json")
    assert result.exit_code == 0, result.output  # warnings only
    assert "0 error(s), 2 warning(s) in 4 sample(s)" in result.stdout and "warning" in result.stdout
    data = json.loads((tmp_path / "c.json").read_text())
    assert [(p["severity"], p["kind"]) for p in data["problems"]] == [("warning", "unlisted"), ("warning", "split-imbalance")]
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
    assert openpyxl.load_workbook(tmp_path / "e.xlsx").sheetnames == ["Scores", "Confusion matrix"]
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


def test_a_table_in_the_working_folder_is_not_the_predictions_own(tmp_path):
    """A folder of predictions in a working folder that keeps another dataset's class tables
    (id2label.json, class_names.txt): they are no record of the predictions' classes, which no
    images' folder beside them makes a dataset, so they contradict nothing."""
    root = small_voc(tmp_path / "voc")
    pred = predictions(tmp_path, root)
    (tmp_path / "id2label.json").write_text('{"0": "wall", "1": "building", "2": "sky", "3": "floor"}')
    (tmp_path / "class_names.txt").write_text("road\nsidewalk\nbuilding\nwall\n")
    result = run("evaluate", root, pred, "-j", "1")
    assert result.exit_code == 0, result.output
    assert "calls class" not in result.stderr and "mIoU" in result.stdout


def test_predictions_saved_as_jpeg_are_named_with_why_they_are_not_read(tmp_path):
    root = small_voc(tmp_path / "voc")
    pred = predictions(tmp_path, root, shift=False)
    for i in range(3):
        Image.open(pred / f"im{i}.png").convert("L").save(pred / f"im{i}.jpg", quality=95)
        (pred / f"im{i}.png").unlink()
    why = "a label map must be a PNG, which keeps every class value (a JPEG's compression changes them along every edge)"
    one_line_error(run("evaluate", root, pred, "-n", "4"), f"{pred}: holds no prediction named like the ground truth (im0.png, ...); it holds im0.jpg, im1.jpg, im2.jpg: {why}")
    write_label(pred / "im0.png", np.zeros((6, 8), np.uint8))
    write_label(pred / "im2.png", np.zeros((6, 8), np.uint8))
    result = run("evaluate", root, pred, "-n", "4", "-j", "1")
    assert result.exit_code == 1
    assert f"failed: {pred / 'im1.png'}: no prediction for {root / 'SegmentationClass' / 'im1.png'}; im1.jpg is beside it: {why}\n" in result.stderr
    assert "scored 2, failed 1" in result.stderr
    (pred / "im1.jpg").unlink()
    assert "im1.png (skip such images with --missing skip)" in run("evaluate", root, pred, "-n", "4").stderr


def test_predictions_saved_as_arrays_score_as_their_pngs_and_bad_arrays_are_named(tmp_path):
    """A scoring script's ``np.save`` of each argmax (``.npy``, integers, booleans or whole
    floats; ``(H, W)`` or with an axis of one) scores as the same predictions saved as label PNGs.
    An array of scores per class, of fractions, of values outside 0..255, or a file that is no
    array fails its image naming what it holds; the other images are scored."""
    root = small_voc(tmp_path / "voc")
    pred = predictions(tmp_path, root)
    arrays = tmp_path / "arrays"
    arrays.mkdir()
    saved = (lambda v: v.astype(np.int64), lambda v: v.astype(np.float32)[None], lambda v: v.astype(np.uint8)[..., None])
    for save, png in zip(saved, sorted(pred.glob("*.png"))):
        np.save(arrays / f"{png.stem}.npy", save(read_label(png)))
    scores = {}
    for name, folder in (("png", pred), ("npy", arrays)):
        result = run("evaluate", root, folder, "--json", tmp_path / f"{name}.json", "-j", "1")
        assert result.exit_code == 0, result.output
        scores[name] = json.loads((tmp_path / f"{name}.json").read_text())
    assert scores["npy"]["confusion_matrix"] == scores["png"]["confusion_matrix"] == [[96, 0, 0, 0], [4, 12, 0, 0], [2, 0, 6, 0], [0, 0, 0, 0]]
    assert scores["npy"]["mean_iou"] == scores["png"]["mean_iou"]
    np.save(arrays / "im1.npy", np.zeros((6, 8), bool))  # a binary model's mask
    result = run("evaluate", root, arrays, "--json", tmp_path / "bool.json", "-j", "1")
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "bool.json").read_text())["confusion_matrix"][0] == [96, 0, 0, 0]
    np.save(arrays / "im0.npy", np.zeros((4, 6, 8), np.float32))  # the scores, before their argmax
    np.save(arrays / "im1.npy", np.full((6, 8), 0.4))  # a probability
    np.save(arrays / "im2.npy", np.full((6, 8), -1, np.int16))
    result = run("evaluate", root, arrays, "-j", "1")
    assert result.exit_code == 1
    assert (
        f"{arrays / 'im0.npy'}: holds an array of shape (4, 6, 8), not one class index per pixel (H, W); scores per "
        "class become a prediction by their argmax over the classes' axis (np.save(path, scores.argmax(0)))"
    ) in result.stderr
    assert f"{arrays / 'im1.npy'}: holds 48 value(s) that are no whole number (such as 0.4): scores or probabilities" in result.stderr
    assert (
        f"{arrays / 'im2.npy'}: array with 48 pixel(s) outside 0..255 (min -1, max -1); if -1 marks pixels to ignore, "
        "make it void (255) first: np.where(label == -1, 255, label)"
    ) in " ".join(result.stderr.split())
    assert "scored 0, failed 3" in result.stderr and "Traceback" not in result.output
    np.save(arrays / "im0.npy", read_label(pred / "im0.png"))
    (arrays / "im1.npy").write_bytes(b"not an array")
    np.save(arrays / "im2.npy", np.array([{"class": 1}], dtype=object), allow_pickle=True)
    result = run("evaluate", root, arrays, "-j", "1")
    assert result.exit_code == 1
    assert f"{arrays / 'im1.npy'}: cannot be read as an array of class indices (.npy): " in result.stderr
    assert f"{arrays / 'im2.npy'}: cannot be read as an array of class indices (.npy): " in result.stderr
    assert "scored 1, failed 2" in result.stderr
    with open(arrays / "im1.npy", "wb") as archive:  # np.savez under the name np.save gives
        np.savez(archive, pred=np.zeros((6, 8), np.int64))
    np.save(arrays / "im2.npy", np.zeros((6, 8), np.complex64))
    result = run("evaluate", root, arrays, "-j", "1")
    assert result.exit_code == 1
    assert f"{arrays / 'im1.npy'}: holds several arrays (an .npz archive), not one array of class indices" in result.stderr
    assert f"{arrays / 'im2.npy'}: holds values of type complex64, not class indices (integers)" in result.stderr


def test_predictions_in_a_folder_of_the_folder_given_are_named(tmp_path):
    """A model's scripts write predictions per split (``pred/val/``); given ``pred/``, evaluate
    said only that it held no prediction: it names the folder that does."""
    root = small_voc(tmp_path / "voc")
    pred = predictions(tmp_path, root)
    (pred / "val").mkdir()
    for path in pred.glob("*.png"):
        path.rename(pred / "val" / path.name)
    one_line_error(
        run("evaluate", root, pred, "-n", "4"),
        f"{pred}: holds no prediction named like the ground truth (im0.png, ...); its predictions are in {pred / 'val'}: give that folder",
    )
    assert run("evaluate", root, pred / "val", "-n", "4").exit_code == 0
    (pred / "test").mkdir()
    write_label(pred / "test" / "im2.png", np.zeros((6, 8), np.uint8))
    one_line_error(
        run("evaluate", root, pred, "-n", "4"),
        f"{pred}: holds no prediction named like the ground truth (im0.png, ...); its predictions are in {pred / 'test'} and 1 more "
        "folder(s): give one of them",
    )


def test_the_ground_truth_given_as_its_own_predictions_is_said(tmp_path):
    """``evaluate voc voc/SegmentationClass`` (the folder given twice) scored 100% without a
    word; so did the report: both say so (a check of the scoring itself scores them still)."""
    root = small_voc(tmp_path / "voc")
    for label in (root / "SegmentationClass").glob("*.png"):  # labels without void, which no prediction holds
        write_label(label, np.where(read_label(label) == 255, 0, read_label(label)).astype(np.uint8))
    said = (
        f"warning: {root / 'SegmentationClass'}: holds the ground truth's own label files, which score 100% against "
        "themselves: are the model's predictions in another folder?"
    )
    for command in (("evaluate", root, root / "SegmentationClass", "--json", tmp_path / "e.json"), ("evaluate", root / "SegmentationClass", root / "SegmentationClass"),
                    ("report", root, "--pred", root / "SegmentationClass", "-o", tmp_path / "r.html")):  # fmt: skip
        result = run(*command)
        assert result.exit_code == 0 and said in " ".join(result.stderr.split()), (command, result.stderr)
    assert json.loads((tmp_path / "e.json").read_text())["mean_iou"] == 1.0 and (tmp_path / "r.html").exists()
    result = run("evaluate", root, predictions(tmp_path, root))  # the model's own
    assert result.exit_code == 0 and "ground truth's own" not in result.stderr


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


def test_predictions_of_a_models_input_size_are_named_so(tmp_path):
    """Predictions saved at the model's input size (every one 16x16) failed one by one as size
    mismatches and the run ended "nothing to score": it says what they have in common and to
    resize each back; a single odd size among others says nothing more."""
    root = small_voc(tmp_path / "voc")
    pred = tmp_path / "pred"
    pred.mkdir()
    for i in range(3):
        write_label(pred / f"im{i}.png", np.zeros((16, 16), np.uint8))
    result = run("evaluate", root, pred, "-j", "1")
    assert result.exit_code == 1
    assert (
        "warning: every prediction that failed is 16x16, unlike its ground truth: a model's input size? resize each "
        "prediction to its image's size"
    ) in " ".join(result.stderr.split())
    write_label(pred / "im2.png", np.zeros((6, 8), np.uint8))
    write_label(pred / "im1.png", np.zeros((3, 3), np.uint8))
    result = run("evaluate", root, pred, "-j", "1")
    assert result.exit_code == 1 and "scored 1, failed 2" in result.stderr and "a model's input size" not in result.stderr


def test_predictions_one_off_the_labels_values_are_named_so(tmp_path):
    """Predictions one below the labels (the argmax of a model trained with reduce_zero_label,
    scored against the labels as shipped) scored mIoU 0 without a word; so did predictions one
    above. Each says which way and what to do; a model that merely errs says nothing."""
    rng = np.random.default_rng(0)
    gt, low, high = (tmp_path / name for name in ("gt", "low", "high"))
    for folder in (gt, low, high):
        folder.mkdir()
    for i in range(4):
        label = np.kron(rng.integers(1, 9, (6, 8)), np.ones((5, 5), np.int64)).astype(np.uint8)
        write_label(gt / f"{i}.png", label)
        write_label(low / f"{i}.png", label - 1)
        write_label(high / f"{i}.png", np.where(label < 9, label + 1, label))
    for folder, side, mend in ((low, "below", "add 1 to each"), (high, "above", "subtract 1 from each")):
        result = run("evaluate", gt, folder, "-n", "10", "-j", "1")
        said = " ".join(result.stderr.split())
        assert result.exit_code == 0 and f"% of the scored pixels are predicted as the class one {side} their ground truth's (" in said, said
        assert f"are the predictions' values one {side} the labels', saved by a model whose classes are numbered otherwise (reduce_zero_label)? Then {mend}, or score them by their own class table (-c, and the labels' as --gt-classes)" in said
    noisy = tmp_path / "noisy"
    noisy.mkdir()
    for i in range(4):
        label = read_label(gt / f"{i}.png")
        write_label(noisy / f"{i}.png", np.where(rng.random(label.shape) < 0.3, label - 1, label).astype(np.uint8))
    result = run("evaluate", gt, noisy, "-n", "10", "-j", "1")
    assert result.exit_code == 0 and "one below" not in result.stderr


def test_binary_predictions_saved_as_0_255_are_named_so(tmp_path):
    """A binary model's masks saved as 0/255 were refused as predictions holding 255 with "are the
    ground truth and the predictions given the other way round?": they hold no class but 0 beside
    255, and the message gives the remap line that reads them as classes 0 and 1."""
    label = np.zeros((6, 8), np.uint8)
    label[2:4, 2:6] = 1
    (tmp_path / "gt").mkdir()
    (tmp_path / "pred").mkdir()
    write_label(tmp_path / "gt" / "a.png", label)
    Image.fromarray(label * 255).save(tmp_path / "pred" / "a.png")
    result = run("evaluate", tmp_path / "gt", tmp_path / "pred", "-n", "2", "-j", "1")
    said = " ".join(result.stderr.split())
    assert result.exit_code == 1 and "it holds no class but 0 beside 255: if 255 marks objects there (a binary mask saved as 0/255)" in said
    assert "--index-map 0:0,255:1" in said and "other way round" not in said
    result = run("remap", tmp_path / "pred" / "a.png", "--index-map", "0:0,255:1", "-d", tmp_path / "read")
    assert result.exit_code == 0, result.stderr
    result = run("evaluate", tmp_path / "gt", tmp_path / "read", "-n", "2", "-j", "1", "--json", "-")
    assert result.exit_code == 0 and json.loads(result.stdout)["mean_iou"] == 1.0


def test_predictions_drawn_in_colour_get_the_remap_line_that_reads_them(tmp_path):
    """A model's pictures of its predictions (the classes' colours, RGB) failed one by one as
    colour images with "convert colour masks with labeltools remap", which needs a table the
    user must find: the run names the dataset's own and the whole line, which then scores. The
    line runs as it is copied, a folder's name holding a space quoted."""
    root = small_voc(tmp_path / "voc")
    pictures = tmp_path / "model pictures"
    pictures.mkdir()
    table = ClassTable.load(root / "class_names.txt")
    for label_path in sorted((root / "SegmentationClass").glob("*.png")):
        label = read_label(label_path)
        label[label == 255] = 0
        Image.fromarray(index_to_rgb(label, table)).save(pictures / label_path.name)
    result = run("evaluate", root, pictures, "-j", "1")
    said = " ".join(result.stderr.split())
    line = f"labeltools remap {shlex.quote(str(pictures))} -c {shlex.quote(str(root / 'class_names.txt'))} -d {shlex.quote(f'{pictures}-labels')}"
    assert result.exit_code == 1 and f"warning: 3 prediction(s) are colour images: a model's pictures of its predictions? {line} reads" in said
    assert run(*shlex.split(line)[1:]).exit_code == 0
    result = run("evaluate", root, f"{pictures}-labels", "-j", "1", "--json", "-")
    assert result.exit_code == 0 and json.loads(result.stdout)["images"] == 3


def test_evaluate_given_the_other_way_round_says_so(tmp_path):
    """Predictions first and ground truth second: the void pixels of the ground truth read as a
    prediction's 255, and a VOC dataset as the prediction folder holds no prediction; both say
    that the two were probably swapped."""
    root = small_voc(tmp_path / "voc")
    pred = predictions(tmp_path, root)
    result = run("evaluate", pred, root / "SegmentationClass", "-n", "4")
    assert result.exit_code == 1
    assert (
        f"failed: {root / 'SegmentationClass' / 'im0.png'}: prediction holds value 255, outside the classes 0..3 "
        "(num_classes 4); 255 is void, which ground truth holds and a prediction does not: are the ground truth "
        "and the predictions given the other way round?"
    ) in result.stderr
    one_line_error(
        run("evaluate", pred, root, "-n", "4"),
        f"{root}: holds no prediction named like the ground truth (im0.png, ...); it is a VOC dataset: "
        "the ground truth comes first (labeltools evaluate GT PRED)",
    )


def test_a_dataset_in_a_zip_is_named_with_the_way_to_read_it(tmp_path):
    """A dataset handed over as a .zip, given where a folder goes, was "no such folder", or
    "holds no class table" for evaluate's ground truth (so was a folder that does not exist):
    each command names it as a file, a zip archive to unpack."""
    import shutil

    root = small_voc(tmp_path / "voc")
    pred = predictions(tmp_path, root)
    zipped = shutil.make_archive(str(tmp_path / "voc"), "zip", root)
    said = f"{zipped}: a file, not a folder"
    hint = "it is a zip archive: unpack it, and give the folder it holds"
    one_line_error(run("evaluate", zipped, pred, "-n", "4"), f"{said} (the ground truth); {hint}")
    one_line_error(run("evaluate", root, zipped, "-n", "4"), f"{said} (the predictions to score); {hint}")
    one_line_error(run("evaluate", tmp_path / "nope", pred, "-n", "4"), f"{tmp_path / 'nope'}: no such folder (the ground truth)")
    for command in (("check", zipped), ("diff", root, zipped), ("report", zipped, "-o", tmp_path / "r.html"), ("stats", zipped)):
        one_line_error(run(*command), f"{said}; {hint}")
    one_line_error(run("export", zipped, "--to", "coco", "-d", tmp_path / "coco"), f"{zipped}: a zip archive of a VOC dataset: unpack it, and export the folder it holds")
    assert not (tmp_path / "coco").exists()


def test_a_dataset_in_a_tar_archive_is_named_with_the_way_to_read_it(tmp_path):
    """PASCAL VOC comes as a .tar and SBD as a .tgz: given where a folder goes, each was "a file,
    not a folder" (convert: "not a .json or .xml file"), nothing said of what it is. Each
    command now names it a tar archive and the command that unpacks it."""
    import shutil

    root = small_voc(tmp_path / "voc")
    for kind, ending in (("tar", ".tar"), ("gztar", ".tgz")):
        made = Path(shutil.make_archive(str(tmp_path / "VOCtrainval"), kind, root))
        archive = made.rename(tmp_path / f"VOCtrainval{ending}")
        hint = f"it is a tar archive: unpack it (tar -xf VOCtrainval{ending}), and give the folder it holds"
        for command in (("check", archive), ("stats", archive), ("weights", archive)):
            one_line_error(run(*command), f"{archive}: a file, not a folder; {hint}")
        for command in (("convert", archive, tmp_path / "out"), ("export", archive, "--to", "coco", "-d", tmp_path / "out")):
            one_line_error(run(*command), f"{archive}: not a .json or .xml file; {hint} (a .zip is read as it is)")
        one_line_error(run("sbd", archive, root), f"{archive}: not SBD's dataset folder ({hint})")
        one_line_error(run("sbd", tmp_path / "sbd", archive), f"{tmp_path / 'sbd'}: not SBD's dataset folder (no cls/ of class maps inside; it is benchmark_RELEASE/dataset in SBD's release)")
        assert not (tmp_path / "out").exists()
    (tmp_path / "sbd" / "cls").mkdir(parents=True)
    (tmp_path / "sbd" / "train.txt").write_text("")
    (tmp_path / "sbd" / "val.txt").write_text("")
    one_line_error(run("sbd", tmp_path / "sbd", archive), f"{archive}: not a VOC dataset folder (no SegmentationClass/ inside); {hint}")


def test_a_macs_residue_beside_the_data_is_no_data(tmp_path):
    """macOS leaves AppleDouble files (._<name>) beside every file copied to another disk, and in
    the __MACOSX/ folder of a zip made on a Mac, named as the data: each failed as a label, a
    mask or an annotation ("cannot read image"), and the run exited 1; and Jupyter's checkpoint
    of an annotation it edited became a second image of it. They are no data."""
    import shutil

    from labeltools.jobs.convert import SAMPLE_DIR

    residue = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + bytes(40)
    root = small_voc(tmp_path / "voc")
    pred = predictions(tmp_path, root)
    for folder in (root / "SegmentationClass", pred):
        (folder / "._im0.png").write_bytes(residue)
    clean = run("stats", root)
    assert clean.exit_code == 0 and "read 3, failed 0" in clean.stderr, clean.output
    scored = run("evaluate", root, pred, "-n", "4")
    assert scored.exit_code == 0 and "scored 3, failed 0" in scored.stderr, scored.output
    annotations = tmp_path / "annotations"
    shutil.copytree(SAMPLE_DIR, annotations)
    (annotations / "._street_01.json").write_bytes(residue)  # copied to a USB disk
    (annotations / "__MACOSX").mkdir()  # unzipped from a Mac's zip
    (annotations / "__MACOSX" / "._street_02.json").write_bytes(residue)
    (annotations / ".ipynb_checkpoints").mkdir()  # Jupyter's copy of a file it edited: an image twice
    shutil.copy(annotations / "street_03.json", annotations / ".ipynb_checkpoints" / "street_03-checkpoint.json")
    converted = run("convert", annotations, tmp_path / "out", "-j", "1")
    assert converted.exit_code == 0 and "converted 8, failed 0" in converted.stderr, converted.output
    assert not (tmp_path / "out" / "SegmentationClass" / "street_03-checkpoint.png").exists()


def test_a_home_folder_tilde_the_shell_left_is_the_home_folder(tmp_path, monkeypatch):
    """The shell leaves ~ as it is after = (--images=~/photos) and in quotes: such a path was
    "no such file or folder". A leading ~ is the home folder, for inputs, options and outputs."""
    import shutil

    from labeltools.jobs.convert import SAMPLE_DIR

    monkeypatch.setenv("HOME", str(tmp_path))
    shutil.copytree(SAMPLE_DIR, tmp_path / "annotations")
    done = run("convert", "~/annotations", "--output-dir=~/out", "--images=~/annotations", "-j", "1")
    assert done.exit_code == 0 and "converted 8, failed 0" in done.stderr, done.output
    assert len(list((tmp_path / "out" / "SegmentationClass").glob("*.png"))) == 8
    assert run("stats", "~/out").exit_code == 0


def test_evaluate_errors(tmp_path):
    root = small_voc(tmp_path / "voc")
    pred = predictions(tmp_path, root)
    result = run("evaluate", root, pred, "-n", "4", "--missing", "maybe")  # a choice: exit 2 with the list
    assert result.exit_code == 2 and all(w in result.output for w in ("--missing", "'maybe'", "error", "skip"))
    one_line_error(run("evaluate", root, tmp_path / "nope", "-n", "4"), f"{tmp_path / 'nope'}: no such folder (the predictions to score)")
    one_line_error(run("evaluate", root, pred, "-n", "4", "--ignore-index", "2"), "ignore_index 2 is one of the classes 0..3")
    for i in range(3):
        write_label(root / "SegmentationClass" / f"im{i}.png", np.full((6, 8), 255, np.uint8))
    result = run("evaluate", root, pred, "-n", "4")
    assert result.exit_code == 1 and "error: nothing to score: no pixel was counted" in result.stderr
    # without --num-classes the dataset's own table gives the classes (and here nothing is scored)
    assert "nothing to score" in run("evaluate", root, pred).stderr
    for i in range(3):  # predictions saved in colour: each fails, and the last line says every one did
        Image.fromarray(np.zeros((6, 8, 3), np.uint8)).save(pred / f"im{i}.png")
    result = run("evaluate", root, pred, "-n", "4")
    assert result.exit_code == 1 and "is a colour image (mode RGB), not a label map" in result.stderr
    assert result.stderr.strip().splitlines()[-1] == "error: nothing to score: every one of the 3 image(s) failed"


@pytest.mark.parametrize(
    "command, last",
    [
        (("stats", "--labels-dir", "{colour}", "-n", "4", "--json", "{json}"), "nothing to show: every one of the 3 label file(s) failed"),
        (("diff", "{labels}", "{colour}", "--json", "{json}"), "nothing to compare: every one of the 3 file(s) failed"),
    ],
)
def test_when_every_file_fails_no_table_or_file_of_zeros_is_given(tmp_path, command, last):
    """Colour masks where label maps belong: each file fails, and no table or JSON of zero
    pixels follows as if it were a result."""
    root = small_voc(tmp_path / "voc")
    colour = tmp_path / "colour"
    colour.mkdir()
    for i in range(3):
        Image.fromarray(np.zeros((6, 8, 3), np.uint8)).save(colour / f"im{i}.png")
    places = {"colour": colour, "labels": root / "SegmentationClass", "json": tmp_path / "out.json"}
    result = run(*(part.format(**places) for part in command))
    assert result.exit_code == 1
    assert result.stderr.count("is a colour image (mode RGB), not a label map") == 3
    assert result.stderr.strip().splitlines()[-1] == f"error: {last}"
    assert "┃" not in result.stdout and not (tmp_path / "out.json").exists()


def test_demo_converts_the_bundled_sample_and_prints_the_tree(tmp_path):
    result = run("demo", tmp_path / "demo", "-j", "1")
    assert result.exit_code == 0, result.stderr
    root = tmp_path / "demo"
    for folder in ("JPEGImages", "SegmentationClass", "SegmentationObject", "SegmentationClassVisualization"):
        files = sorted(p.name for p in (root / folder).iterdir())
        assert len(files) == 8
        assert f"{folder}/ (8 files)" in result.stdout and files[0] in result.stdout
    assert (root / "class_names.txt").read_text().startswith("_background_\nroad\n")
    assert "8 images, 9 classes (train 7, val 1)" in result.stdout
    assert "converted 8, failed 0" in result.stderr
    again = run("demo", root, "-j", "1")  # the README command can be run twice
    assert again.exit_code == 0, again.stderr


def test_demo_refuses_a_folder_holding_other_things(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = run("demo", tmp_path, "-j", "1")
    assert result.exit_code == 1
    assert "is not empty and holds no earlier demo output" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_demo_refuses_a_dataset_of_other_classes(tmp_path):
    root = tmp_path / "voc"
    labelme_folder(tmp_path / "src")
    assert run("convert", tmp_path / "src", root, "-j", "1").exit_code == 0
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    result = run("demo", root, "-j", "1")
    assert result.exit_code == 1
    assert "holds a VOC dataset that is not an earlier demo output (other classes in class_names.txt)" in result.stderr
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


# --- convert -----------------------------------------------------------------------------------


def labelme_folder(folder, labels=("cat", "dog")):
    """Two small labelme files with their JPEGs."""
    import json

    folder.mkdir(parents=True, exist_ok=True)
    for i, label in enumerate(labels):
        Image.fromarray(np.full((30, 40, 3), 40 * i + 50, np.uint8)).save(folder / f"im{i}.jpg")
        doc = {
            "version": "5.5.0", "flags": {}, "imagePath": f"im{i}.jpg", "imageData": None,
            "imageHeight": 30, "imageWidth": 40,
            "shapes": [{"label": label, "points": [[2, 2], [20, 20]], "shape_type": "rectangle", "group_id": None}],
        }
        (folder / f"im{i}.json").write_text(json.dumps(doc))
    return folder


def test_convert_writes_a_voc_dataset(tmp_path):
    src = labelme_folder(tmp_path / "src")
    out = tmp_path / "out"
    result = run("convert", src, out, "--instances", "--viz", "-j", "1", "--val-fraction", "0.5", "--seed", "3")
    assert result.exit_code == 0, result.stderr
    assert f"{out}: 2 images, 3 classes (train 1, val 1)" in result.stdout
    assert "converted 2, failed 0" in result.stderr
    assert read_label(out / "SegmentationClass" / "im1.png")[10, 10] == 2
    assert read_label(out / "SegmentationObject" / "im1.png")[10, 10] == 1
    assert (out / "SegmentationClassVisualization" / "im0.jpg").exists()
    assert (out / "JPEGImages" / "im0.jpg").read_bytes() == (src / "im0.jpg").read_bytes()


def test_convert_accepts_several_inputs_and_a_labels_file(tmp_path):
    a = labelme_folder(tmp_path / "a")
    b = labelme_folder(tmp_path / "b", labels=("bird",))
    (b / "im0.json").rename(b / "other.json")
    labels = tmp_path / "labels.txt"
    labels.write_text("__ignore__\n_background_\nbird\ncat\ndog\n")
    out = tmp_path / "out"
    result = run("convert", a / "im0.json", a / "im1.json", b, out, "--labels", labels, "-j", "1")
    assert result.exit_code == 0, result.stderr
    assert read_label(out / "SegmentationClass" / "other.png")[10, 10] == 1
    assert read_label(out / "SegmentationClass" / "im0.png")[10, 10] == 2


def test_convert_failures_are_listed_and_exit_1(tmp_path):
    src = labelme_folder(tmp_path / "src", labels=("cat", "dog", "emu"))
    (src / "im2.jpg").unlink()
    labels = tmp_path / "labels.txt"
    labels.write_text("_background_\ncat\n")
    result = run("convert", src, tmp_path / "out", "-l", labels, "-j", "1")
    assert result.exit_code == 1
    assert "converted 1, failed 2" in result.stderr
    assert "im1.json: shapes[0] has label 'dog', which is not in the class table" in result.stderr
    assert "im2.json: image 'im2.jpg' not found" in result.stderr
    ignored = run("convert", src, tmp_path / "out2", "-l", labels, "-j", "1", "--unknown", "ignore")
    assert ignored.exit_code == 1 and "converted 2, failed 1" in ignored.stderr
    assert read_label(tmp_path / "out2" / "SegmentationClass" / "im1.png")[10, 10] == 255


def test_convert_warnings_and_skips_are_shown(tmp_path):
    import json

    src = labelme_folder(tmp_path / "src")
    doc = json.loads((src / "im0.json").read_text())
    doc["shapes"].append({"label": "cat", "points": [[1, 1]], "shape_type": "circle"})
    (src / "im0.json").write_text(json.dumps(doc))
    (src / "settings.json").write_text("{}")
    result = run("convert", src, tmp_path / "out", "--skip-bad-shapes", "-j", "1")
    assert result.exit_code == 0, result.stderr
    assert "im0.json: shapes[1] (label 'cat', circle): a circle needs exactly 2 points, got 1 (shape skipped)" in result.stderr
    assert result.stderr.count("(shape skipped)") == 1, result.stderr  # once: with its file's result, not logged again
    assert "settings.json: not a labelme annotation (no 'shapes' list); skipped" in result.stderr
    assert "converted 2, skipped 1, failed 0" in result.stderr
    plain = run("convert", src, tmp_path / "out2", "-j", "1")
    assert plain.exit_code == 1 and "a circle needs exactly 2 points, got 1" in plain.stderr


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ((), "already exists and is not empty; pass --overwrite"),
        (("--overwrite", "--resume"), "choose either overwrite"),
    ],
)
def test_convert_refuses_an_existing_output(tmp_path, extra, message):
    src = labelme_folder(tmp_path / "src")
    out = tmp_path / "out"
    assert run("convert", src, out, "-j", "1").exit_code == 0
    result = run("convert", src, out, "-j", "1", *extra)
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("error:") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2


def test_convert_overwrite_and_resume(tmp_path):
    src = labelme_folder(tmp_path / "src")
    out = tmp_path / "out"
    assert run("convert", src, out, "-j", "1").exit_code == 0
    overwrite = run("convert", src, out, "-j", "1", "--overwrite")
    assert overwrite.exit_code == 0 and "converted 2, failed 0" in overwrite.stderr
    resume = run("convert", src, out, "-j", "1", "--resume")
    assert resume.exit_code == 0 and "converted 0, skipped 2, failed 0" in resume.stderr
    labelme_folder(tmp_path / "src", labels=("cat", "dog", "emu"))
    kept = run("convert", src, out, "-j", "1", "--resume")  # the dataset's own table: emu is unknown
    assert kept.exit_code == 1 and f"classes: 3, the class table recorded in {out / 'class_names.txt'}" in kept.stderr
    assert "'emu', which is not in the class table" in kept.stderr
    (tmp_path / "labels.txt").write_text("_background_\ncat\ndog\nemu\n")
    refused = run("convert", src, out, "-j", "1", "--resume", "-c", tmp_path / "labels.txt")
    assert refused.exit_code == 1 and "the class table differs from the one this run uses (new: emu)" in refused.stderr


def test_convert_duplicate_ids_and_flatten_names(tmp_path):
    labelme_folder(tmp_path / "src" / "x")
    labelme_folder(tmp_path / "src" / "y")
    result = run("convert", tmp_path / "src", tmp_path / "out", "-j", "1")
    assert result.exit_code == 1 and "2 output id(s) would be written by more than one file (use --flatten-names" in result.stderr
    assert not (tmp_path / "out").exists()
    result = run("convert", tmp_path / "src", tmp_path / "out", "-j", "1", "--flatten-names")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.stem for p in (tmp_path / "out" / "SegmentationClass").iterdir()) == ["x_im0", "x_im1", "y_im0", "y_im1"]


def test_convert_input_errors_and_bad_usage(tmp_path):
    result = run("convert", tmp_path / "missing", tmp_path / "out")
    assert result.exit_code == 1 and "missing: no such file or folder" in result.stderr
    assert run("convert", tmp_path / "out").exit_code == 2  # no INPUT
    src = labelme_folder(tmp_path / "src")
    assert run("convert", src, tmp_path / "o", "--unknown", "maybe").exit_code == 2
    assert run("convert", src, tmp_path / "o", "--val-fraction", "2").exit_code == 2
    assert run("convert", src, tmp_path / "o", "--line-width", "0").exit_code == 2
    assert run("convert", src, tmp_path / "o", "--image-format", "gif").exit_code == 2
    bad_labels = tmp_path / "labels.txt"
    bad_labels.write_text("_background_\n\ncat\n")
    result = run("convert", src, tmp_path / "o", "--labels", bad_labels)
    assert result.exit_code == 1 and "line 2 is blank" in result.stderr


def test_convert_jobs_1_and_2_give_identical_files(tmp_path):
    src = labelme_folder(tmp_path / "src", labels=("cat", "dog", "cat", "emu", "dog"))
    assert run("convert", src, tmp_path / "one", "-j", "1", "--instances", "--viz").exit_code == 0
    assert run("convert", src, tmp_path / "two", "-j", "2", "--instances", "--viz").exit_code == 0
    files = sorted(p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*") if p.is_file())
    assert len(files) == 5 * 4 + 6  # 3 split files, 3 class files
    for rel in files:
        assert (tmp_path / "one" / rel).read_bytes() == (tmp_path / "two" / rel).read_bytes(), rel


def test_old_option_spellings_still_work_and_clash_when_doubled(tmp_path):
    src = labelme_folder(tmp_path / "src", labels=("cat",))
    (tmp_path / "labels.txt").write_text("__ignore__\n_background_\ncat\n")
    assert run("convert", src, tmp_path / "a", "--labels", tmp_path / "labels.txt").exit_code == 0
    assert run("convert", src, tmp_path / "b", "-c", tmp_path / "labels.txt").exit_code == 0
    result = run("convert", src, tmp_path / "c", "-c", "voc", "-l", tmp_path / "labels.txt")
    assert result.exit_code == 2 and "give --classes once (--labels is its old spelling)" in " ".join(result.output.replace("│", " ").split())
    label = tmp_path / "a" / "SegmentationClass" / "im0.png"
    assert run("colorize", label, "-o", tmp_path / "old").exit_code == 0
    assert run("colorize", label, "-d", tmp_path / "new").exit_code == 0
    assert (tmp_path / "old" / "im0.png").read_bytes() == (tmp_path / "new" / "im0.png").read_bytes()
    result = run("colorize", label)
    assert result.exit_code == 2 and "--output-dir" in result.output
    assert run("excel", label, "--names", "voc", "-o", tmp_path / "x.xlsx").exit_code == 0
    assert run("remap", label, "--index-map", "1:1", "-d", tmp_path / "r").exit_code == 0


def test_every_command_writing_a_folder_takes_o_for_it_and_a_file_command_points_d_to_o(tmp_path):
    """``-o`` (mmsegmentation's converters' spelling) names the folder ``convert`` and ``demo``
    write, as it does for ``export``, ``remap`` and ``colorize``; ``-d`` given to a command that
    writes one file says which option names it."""
    src = labelme_folder(tmp_path / "src", labels=("cat", "dog"))
    assert run("convert", src, "-o", tmp_path / "o").exit_code == 0
    assert run("convert", src, tmp_path / "last").exit_code == 0
    label = Path("SegmentationClass") / "im0.png"
    assert (tmp_path / "o" / label).read_bytes() == (tmp_path / "last" / label).read_bytes()
    result = run("convert", src, "-o", tmp_path / "p", "-d", tmp_path / "q")
    assert result.exit_code == 2 and "give --output-dir once (-o is its old spelling)" in " ".join(result.output.replace("│", " ").split())
    assert not (tmp_path / "p").exists() and not (tmp_path / "q").exists()
    assert run("demo", "-o", tmp_path / "demo").exit_code == 0
    assert (tmp_path / "demo" / "class_names.txt").is_file()
    for command in (["weights", tmp_path / "o"], ["report", tmp_path / "o"], ["colormap"]):
        result = run(*command, "-d", tmp_path / "w")
        said = " ".join(result.output.replace("│", " ").split())
        assert result.exit_code == 2 and "No such option: -d (-d names the folder other commands write; this command writes a file: -o/--output FILE)" in said
        assert not (tmp_path / "w").exists()
    assert "(-d names" not in run("stats", tmp_path / "o", "-d", tmp_path / "w").output  # it writes nothing
