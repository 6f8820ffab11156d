from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from labeltools import __version__, read_label, voc_colormap, write_gray_label
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
    for name in ("colormap", "colorize", "convert", "demo"):
        assert name in result.stdout


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


# --- convert -----------------------------------------------------------------------------------


def labelme_folder(folder, labels=("cat", "dog")):
    """Two small labelme files with their JPEGs."""
    import base64  # noqa: F401  (kept local: only these tests build labelme files)
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
    refused = run("convert", src, out, "-j", "1", "--resume")
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
    assert len(files) == 5 * 4 + 4
    for rel in files:
        assert (tmp_path / "one" / rel).read_bytes() == (tmp_path / "two" / rel).read_bytes(), rel
