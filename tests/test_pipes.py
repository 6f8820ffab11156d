"""Output piped to another program keeps every path and message on one line (no folding), so
``labeltools check ds | grep FILE`` finds the file, and holds every name in whatever encoding
the pipe has."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import make_voc
from PIL import Image

from labeltools import ClassTable, index_to_rgb, write_label


def piped(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "labeltools", *map(str, args)], capture_output=True, text=True)


def deep(tmp_path: Path) -> Path:
    folder = tmp_path.joinpath(*(f"a-rather-long-folder-name-{i}" for i in range(6)))
    folder.mkdir(parents=True)
    return folder


def test_check_rows_stay_whole(tmp_path: Path) -> None:
    label = np.zeros((6, 8), np.uint8)
    label[2, 2] = 7  # not a class
    root = make_voc(deep(tmp_path) / "voc", {"an_image_with_a_long_name": label}, names=["bg", "cat"])
    done = piped("check", root)
    assert done.returncode == 1
    wanted = str(root / "SegmentationClass" / "an_image_with_a_long_name.png")
    assert [line for line in done.stdout.splitlines() if wanted in line and "label value 7" in line]
    assert "1 error(s)" in done.stdout and "checked" not in done.stderr


def test_usage_errors_stay_whole(tmp_path: Path) -> None:
    """A usage error in a log or a pipe came in typer's panel, its message folded at 80 columns
    with any path in it: the usage, the hint, then one ``error:`` line, as every other error
    reads, the path whole; the exit code stays 2."""
    image = deep(tmp_path) / "label.png"
    folder_named_as_file = image.parent / "out.png"
    for args, message in (
        (("colorize", image, "-o", folder_named_as_file), f"error: -o {folder_named_as_file}: a .png file's name, but colorize writes into a folder"),
        (("convert", image.parent, image.parent / "dataset", "--overlap", "bogus"), "error: Invalid value for '--overlap': 'bogus' is not one of 'last', 'first', 'void'."),
        (("labelme2voc", image.parent), "error: No such command 'labelme2voc': labeltools convert ANNOTATIONS NEW_FOLDER does its job"),
    ):
        done = piped(*args)
        lines = done.stderr.splitlines()
        assert done.returncode == 2 and len(lines) == 3, done.stderr
        assert lines[0].startswith("Usage: labeltools ") and lines[1].startswith("Try 'labeltools") and lines[1].endswith(" -h' for help.")
        assert lines[2].startswith(message), lines


def test_remap_example_files_stay_whole(tmp_path: Path) -> None:
    table = ClassTable.load("voc")
    label = np.zeros((10, 10), np.uint8)
    rgb = index_to_rgb(label, table)
    rgb[0, 0] = (1, 2, 3)  # a colour the table lacks
    mask = deep(tmp_path) / "a_colour_mask_with_a_long_name.png"
    Image.fromarray(rgb).save(mask)
    done = piped("remap", mask, "--classes", "voc", "-o", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert [line for line in done.stdout.splitlines() if str(mask) in line and "(1, 2, 3)" in line]


def test_weights_warnings_stay_whole(tmp_path: Path) -> None:
    root = deep(tmp_path) / "voc"
    label = np.zeros((6, 8), np.uint8)
    label[0, 0] = 9  # neither a class nor void
    make_voc(root, {"an_image_with_a_long_name": label}, names=["bg", "cat"])
    write_label(root / "SegmentationClass" / "another.png", np.ones((6, 8), np.uint8))
    done = piped("weights", root, "-o", tmp_path / "w.npy")
    assert done.returncode == 0, done.stderr
    wanted = str(root / "SegmentationClass" / "an_image_with_a_long_name.png")
    assert [line for line in done.stderr.splitlines() if line.startswith("warning:") and wanted in line]


def test_json_to_stdout_holds_the_results_alone(tmp_path: Path) -> None:
    import json

    label = np.zeros((6, 8), np.uint8)
    label[1:4, 2:6] = 1
    root = make_voc(tmp_path / "voc", {"a": label, "b": label}, names=["bg", "cat"], train=["a"])
    write_label(tmp_path / "pred.png", label)
    (tmp_path / "pred").mkdir()
    for name in ("a", "b"):
        write_label(tmp_path / "pred" / f"{name}.png", label)
    commands = {
        "stats": (("stats", root), lambda d: d["images"] == 2 and d["classes"][1]["pixels"] == 24),
        "check": (("check", root), lambda d: d["samples"] == 2 and d["errors"] == 0),
        "weights": (("weights", root, "-o", tmp_path / "w.npy"), lambda d: d["scheme"] == "enet" and len(d["weights"]) == 2),
        "evaluate": (("evaluate", root, tmp_path / "pred", "-n", 2), lambda d: d["mean_iou"] == 1.0),
        "remap": (("remap", tmp_path / "pred.png", "--index-map", "0:0", "-d", tmp_path / "r"), lambda d: d["written"] == 1 and d["void"]["unknown"] == 12 and d["unknown"][0]["value"] == 1),
    }  # fmt: skip
    for name, (args, holds) in commands.items():
        done = piped(*args, "--json", "-")
        assert done.returncode == 0, (name, done.stderr)
        data = json.loads(done.stdout)  # stdout is the JSON and nothing else
        assert holds(data), (name, data)
        assert "┏" in done.stderr or name == "check", name  # the table went to stderr


def test_names_that_look_like_emoji_codes_are_printed_as_they_are(tmp_path: Path) -> None:
    names = tmp_path / "class_names.txt"
    names.write_text("background\n:cat:\n:thumbs_up:\n")
    done = piped("colormap", "-c", names)
    assert done.returncode == 0, done.stderr
    assert ":cat:" in done.stdout and ":thumbs_up:" in done.stdout


def test_names_the_outputs_encoding_cannot_hold_are_escaped_never_a_traceback(tmp_path: Path) -> None:
    """Python writes redirected output in the system's code page on Windows (1252 on an English
    one), and standard output refused what that cannot hold: a dataset whose ids and classes are
    Chinese ended ``convert`` and ``stats`` in a UnicodeEncodeError, half-printed. They are
    written as escapes, as stderr writes them; a ``--json -`` document stays the same JSON."""
    import json
    import os

    label = np.zeros((6, 8), np.uint8)
    label[2:4, 2:6] = 1
    root = make_voc(tmp_path / "voc", {"街道_01": label}, names=["背景", "道路"])
    env = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    done = subprocess.run([sys.executable, "-m", "labeltools", "stats", str(root)], capture_output=True, env=env)
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr.decode("cp1252")[-2000:]
    assert b"\\u9053\\u8def" in done.stdout  # 道路, its row in the table
    done = subprocess.run([sys.executable, "-m", "labeltools", "stats", str(root), "--json", "-"], capture_output=True, env=env)
    assert done.returncode == 0, done.stderr.decode("cp1252")[-2000:]
    summary = json.loads(done.stdout.decode("cp1252"))
    assert "道路" in json.dumps(summary, ensure_ascii=False)


def test_a_batch_logged_to_a_file_says_how_far_it_got_as_it_goes(tmp_path: Path) -> None:
    """Where stderr is a log file or a pipe (a Kubernetes job, nohup, CI) no bar is drawn, and a
    long conversion showed nothing between its first lines and its end, as a hung one does: a
    line says how far it got every LABELTOOLS_PROGRESS_SECONDS (60; 0 here: after every file),
    one short line each; a run shorter than the interval prints none; a bad value is refused
    before anything is written."""
    import os

    from labeltools.jobs.convert import SAMPLE_DIR

    def convert(out: str, seconds: str | None) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k != "LABELTOOLS_PROGRESS_SECONDS"}
        if seconds is not None:
            env["LABELTOOLS_PROGRESS_SECONDS"] = seconds
        command = [sys.executable, "-m", "labeltools", "convert", str(SAMPLE_DIR), str(tmp_path / out), "-j", "1"]
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)

    done = convert("every", "0")
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("progress: ")]
    assert [line.split(",")[0] for line in lines] == [f"progress: converted {n}" for n in range(1, 8)]
    assert all(" of 8 (" in line and " so far, about " in line and len(line) < 120 for line in lines), lines
    assert "converted 8, failed 0" in done.stderr
    quiet = convert("quiet", None)
    assert quiet.returncode == 0 and "progress: " not in quiet.stderr
    bad = convert("bad", "soon")
    assert bad.returncode == 1 and "LABELTOOLS_PROGRESS_SECONDS='soon': must be a number of seconds, 0 or more" in bad.stderr
    assert "Traceback" not in bad.stderr and not (tmp_path / "bad" / "SegmentationClass").exists()


@pytest.mark.parametrize("command", ["convert", "export"])
def test_the_pass_that_finds_the_classes_says_how_far_it_got(tmp_path: Path, command: str) -> None:
    """With no class table (no -c, no labels.txt beside the annotations) every annotation is
    read once to find the classes before the batch begins: a minute or more on a hundred
    thousand files, which printed nothing. It shows as the batch does: here, in a log, a line
    per file (LABELTOOLS_PROGRESS_SECONDS=0), before the classes found are named."""
    import os
    import shutil

    from labeltools.jobs.convert import SAMPLE_DIR

    source = tmp_path / "annotations"
    shutil.copytree(SAMPLE_DIR, source)
    (source / "labels.txt").unlink()
    env = {**os.environ, "LABELTOOLS_PROGRESS_SECONDS": "0"}
    extra = ["--to", "coco", "-d"] if command == "export" else []
    done = subprocess.run(
        [sys.executable, "-m", "labeltools", command, str(source), *extra, str(tmp_path / "out"), "-j", "1"],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    finding = [line.split(" (")[0] for line in lines if line.startswith("progress: finding the classes")]
    assert finding == [f"progress: finding the classes: read {n} of 8" for n in range(1, 8)]
    last = max(n for n, line in enumerate(lines) if line.startswith("progress: finding the classes"))
    assert lines[last + 1].startswith("classes: 9, found in the annotations"), lines
