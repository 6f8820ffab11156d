"""The command line gives no silent wrong answer: where it must choose (a class table, a preset's
ids, where an output goes) it takes the dataset's own record, says what it chose and refuses a
contradiction; piped output is whole lines. Each test here failed before its fix."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from conftest import make_voc

from labeltools import read_label, write_label
from labeltools.cli import app
from labeltools.core.classes import ClassTable
from labeltools.formats.labels import read_label_palette
from labeltools.jobs.convert import SAMPLE_DIR, sample_labels_path
from labeltools.ops.remap import index_to_rgb

runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def piped(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The command as a separate process with stdout and stderr going to pipes (not a terminal)."""
    return subprocess.run(
        [sys.executable, "-m", "labeltools", *map(str, args)], capture_output=True, text=True, cwd=cwd,
        env={**os.environ, "COLUMNS": "80"}, timeout=300,
    )  # fmt: skip


def flat(text: str) -> str:
    """The words of ``text``, a usage error's box aside."""
    return " ".join(text.replace("│", " ").split())


def demo(tmp_path: Path) -> Path:
    out = tmp_path / "demo-out"
    assert run("demo", out, "-j", "1").exit_code == 0
    return out


def whole_lines(text: str) -> None:
    """Every line of ``text`` as a pipe must carry it: no padding, no line of table width."""
    for line in text.splitlines():
        assert line == line.rstrip(), repr(line[-40:])
        assert len(line) < 400, len(line)


# --- 1 and 9: whole log lines, Dask quiet unless -v ------------------------------------------


def test_verbose_log_lines_are_whole_lines_in_a_pipe(tmp_path: Path) -> None:
    root = demo(tmp_path)
    done = piped("-v", "stats", root, "-j", "1")
    assert done.returncode == 0
    whole_lines(done.stderr)
    assert any(line.startswith("debug: ") for line in done.stderr.splitlines()), done.stderr


def test_verbose_is_taken_after_the_command_too(tmp_path: Path) -> None:
    """``labeltools stats DS -v`` was refused ("No such option: -v"): the flag is the top
    command's, and users put it where they put every other flag. A ``-v`` after ``--`` is an
    argument, as ever."""
    root = demo(tmp_path)
    for flag in ("-v", "--verbose"):
        done = piped("stats", root, flag, "-j", "1")
        assert done.returncode == 0, done.stderr
        assert any(line.startswith("debug: ") for line in done.stderr.splitlines()), done.stderr
    quiet = piped("stats", root, "-j", "1")
    assert not any(line.startswith("debug: ") for line in quiet.stderr.splitlines()), quiet.stderr
    after_dashes = piped("stats", "-j", "1", "--", "-v")
    assert after_dashes.returncode != 0 and "-v" in after_dashes.stderr and "debug: " not in after_dashes.stderr


def test_an_abbreviated_option_is_answered_with_the_option_it_begins(tmp_path: Path) -> None:
    """``split DS --val 0.2`` (argparse takes abbreviations; labelme2voc is argparse) was refused
    as no option and nothing more, and a near spelling was answered with hidden aliases
    (``--sch``: ``--c``): the options a given one begins are named, else click's near ones that
    the help shows; nothing is run."""
    root = demo(tmp_path)
    before = (root / "ImageSets" / "Segmentation" / "val.txt").read_text()
    for args, named in (
        (("split", root, "--val", "0.5"), "No such option: --val (Possible options: --val-fraction)"),
        (("weights", root, "--sch", "median"), "No such option: --sch (Possible options: --scheme)"),
        (("convert", root, "out", "--from-x"), "No such option: --from-x (Possible options: --from)"),
        (("stats", root, "--zzzzzz"), "No such option: --zzzzzz"),
    ):
        done = piped(*args)
        assert done.returncode == 2 and named in flat(done.stderr), done.stderr
        assert named.endswith(")") or "Possible options" not in done.stderr
    assert (root / "ImageSets" / "Segmentation" / "val.txt").read_text() == before
    assert not list(root.glob("*.npy"))


def test_another_tools_name_as_the_command_is_answered_with_ours() -> None:
    """People come from labelme2voc, labelme2coco, labelme2yolo and cityscapesScripts'
    createTrainIdLabelImgs and type their names: the refusal gives the command doing the job,
    and that command's help exists. A name of none is refused as before."""
    for typed, ours in (
        ("labelme2voc", "labeltools convert ANNOTATIONS NEW_FOLDER does its job (labeltools convert -h)"),
        ("labelme2voc.py", "labeltools convert ANNOTATIONS NEW_FOLDER does its job (labeltools convert -h)"),
        ("labelme2coco", "labeltools export ANNOTATIONS --to coco -d OUT does its job (labeltools export -h)"),
        ("labelme2yolo", "labeltools export ANNOTATIONS --to yolo-seg -d OUT does its job (labeltools export -h)"),
        ("createTrainIdLabelImgs", "labeltools remap gtFine/ --index-map cityscapes -d gtFine/ does its job (labeltools remap -h)"),
    ):
        done = piped(typed, "in", "out")
        assert done.returncode == 2 and f"No such command {typed!r}: {ours}" in flat(done.stderr), done.stderr
        assert piped(ours.split()[1], "-h").returncode == 0
    done = piped("voc2nothing")
    assert done.returncode == 2 and "No such command 'voc2nothing'." in flat(done.stderr)


def test_failures_alike_are_counted_after_the_first_few(tmp_path: Path) -> None:
    """Eight label files that are JPEGs renamed .png failed in eight full lines (a thousand in a
    thousand): five are listed in full, the rest of that reason counted on one line with their
    names; another reason is listed as ever, and --json keeps every failure."""
    folder = tmp_path / "labels"
    folder.mkdir()
    for n in range(8):
        Image.fromarray(np.full((4, 6), n % 3, np.uint8)).save(folder / f"m{n}.png", format="JPEG")
    (folder / "m8.png").write_bytes(b"not an image")
    done = piped("remap", folder, "--to-rgb", "-c", "voc", "-d", tmp_path / "rgb", "--json", tmp_path / "r.json", "-j", "1")
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.startswith("failed: ")]
    assert [line.split(":")[1].strip() for line in lines[:5]] == [str(folder / f"m{n}.png") for n in range(5)]
    assert all("is a JPEG named .png, not a label map" in line for line in lines[:5])
    assert f"{folder / 'm8.png'}: cannot read image" in lines[5]
    assert lines[6] == f"failed: 3 more file(s) for the same reason: {folder / 'm5.png'}, {folder / 'm6.png'}, {folder / 'm7.png'}"
    assert len(lines) == 7 and "wrote 0, failed 9" in done.stderr
    failures = json.loads((tmp_path / "r.json").read_text())["failures"]
    assert [Path(f["file"]).name for f in failures] == [f"m{n}.png" for n in range(9)]


def test_library_warnings_use_the_one_warning_style(tmp_path: Path) -> None:
    root = tmp_path / "voc"
    (root / "SegmentationClass").mkdir(parents=True)
    write_label(root / "SegmentationClass" / "a.png", np.zeros((4, 4), np.uint8))
    write_label(tmp_path / "pred.png", np.zeros((4, 4), np.uint8))
    (tmp_path / "pred").mkdir()
    write_label(tmp_path / "pred" / "a.png", np.zeros((4, 4), np.uint8))
    write_label(tmp_path / "pred" / "stray.png", np.zeros((4, 4), np.uint8))
    done = piped("evaluate", root, tmp_path / "pred", "-n", "2", "-j", "1")
    assert done.returncode == 0, done.stderr
    assert "warning: " in done.stderr and "1 prediction(s) have no ground truth" in done.stderr
    assert "WARNING" not in done.stderr
    whole_lines(done.stderr)


def test_dask_local_is_quiet_unless_verbose(tmp_path: Path) -> None:
    root = demo(tmp_path)
    quiet = piped("stats", root, "--dask", "local", "-j", "1")
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr.splitlines() == ["read 8, failed 0"]
    loud = piped("-v", "stats", root, "--dask", "local", "-j", "1")
    assert loud.returncode == 0
    assert any(line.startswith("info: ") and "Scheduler" in line for line in loud.stderr.splitlines()), loud.stderr
    whole_lines(loud.stderr)


@pytest.mark.parametrize("verbose", [False, True])
def test_another_librarys_traceback_is_one_line_of_words(verbose: bool, capsys: pytest.CaptureFixture[str]) -> None:
    import logging

    from labeltools.cli.shared import configure_logging

    configure_logging(verbose)
    try:
        raise ConnectionRefusedError(111, "Connection refused")
    except OSError:
        logging.getLogger("distributed.comm").exception("cannot connect\nsecond line")
        logging.getLogger("distributed.utils").exception("")  # a traceback alone
    logging.getLogger("labeltools.engine").warning("ours stays as it is")
    lines = capsys.readouterr().err.splitlines()
    alone = ["error: distributed.utils: ConnectionRefusedError: [Errno 111] Connection refused"] if verbose else []
    assert lines == ["error: cannot connect (ConnectionRefusedError: [Errno 111] Connection refused)", *alone, "warning: ours stays as it is"]


def test_an_unreachable_scheduler_is_named_and_said_before_the_wait(tmp_path: Path) -> None:
    root = demo(tmp_path)
    import socket

    with socket.socket() as sock:  # a port on this machine that nothing listens on
        sock.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{sock.getsockname()[1]}"
    done = piped("stats", root, "--dask", address, "-j", "1")
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert lines[0] == f"info: connecting to the Dask scheduler at {address} (up to 10 s)"
    assert lines[-1].startswith(f"error: cannot reach the Dask scheduler at {address}")


# --- 2: one meaning per preset ---------------------------------------------------------------


def test_the_cityscapes_presets_mean_label_ids_and_train_ids_everywhere(tmp_path: Path) -> None:
    ids = json.loads(piped("colormap", "-c", "cityscapes", "--json", "-").stdout)
    train = json.loads(piped("colormap", "-c", "cityscapes-train", "--json", "-").stdout)
    assert ids["colors"][13]["name"] == "fence" and ids["colors"][26]["name"] == "car"
    assert ids["classes"] == "cityscapes preset (Cityscapes labelIds 0..33)"
    assert train["entries"] == 19 and train["colors"][13]["name"] == "car" and train["colors"][0]["name"] == "road"
    title = piped("colormap", "-c", "cityscapes").stdout.splitlines()[0]
    assert title == "colormap of the cityscapes preset (Cityscapes labelIds 0..33): 34 entries"

    # trainId maps scored and drawn with the train preset: 0 is road, 13 is car
    gt, pred = tmp_path / "gt", tmp_path / "pred"
    label = np.array([[0, 0, 13, 13], [0, 13, 13, 255]], np.uint8)
    for folder, values in ((gt, label), (pred, np.where(label == 255, 0, label))):
        folder.mkdir()
        write_label(folder / "f.png", values)
    result = run("evaluate", gt, pred, "-c", "cityscapes-train", "--json", tmp_path / "e.json", "-j", "1")
    assert result.exit_code == 0, result.output
    rows = {c["index"]: c["name"] for c in json.loads((tmp_path / "e.json").read_text())["classes"]}
    assert rows[0] == "road" and rows[13] == "car" and len(rows) == 19
    assert run("colorize", gt / "f.png", "-c", "cityscapes-train", "-d", tmp_path / "c").exit_code == 0
    _, palette = read_label_palette(tmp_path / "c" / "f.png")
    assert tuple(palette[13]) == (0, 0, 142) and tuple(palette[0]) == (128, 64, 128)

    # colour masks: labelIds with cityscapes, trainIds with cityscapes-train
    colours = index_to_rgb(np.array([[7, 26, 17, 0]], np.uint8), ClassTable.load("cityscapes"))
    Image.fromarray(colours).save(tmp_path / "x_color.png")
    for preset, want in (("cityscapes", [[7, 26, 17, 0]]), ("cityscapes-train", [[0, 13, 5, 255]])):
        result = run("remap", tmp_path / "x_color.png", "-c", preset, "-d", tmp_path / preset, "--strict")
        assert result.exit_code == 0, result.output
        np.testing.assert_array_equal(read_label(tmp_path / preset / "x_color.png"), want)


def test_remap_index_map_says_which_ids_its_output_holds(tmp_path: Path) -> None:
    """The train ids were written under the labelIds' own name (``x_labelIds.png``), which
    cityscapesScripts' evaluation reads as label ids and mmsegmentation does not read: they are
    ``x_labelTrainIds.png``, as createTrainIdLabelImgs names them, and so may go beside the
    label ids, as that script writes them."""
    write_label(tmp_path / "x_labelIds.png", np.array([[7, 26, 0]], np.uint8))
    result = run("remap", tmp_path / "x_labelIds.png", "--index-map", "cityscapes", "-d", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert (
        "cityscapes labelIds -> trainIds: the output holds the ids of the cityscapes-train preset "
        "(Cityscapes trainIds 0..18, 255 void)"
    ) in result.stderr
    assert "1 output(s) named for what they hold, as the tools that read them name them: x_labelIds.png is written as x_labelTrainIds.png" in result.stderr
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["x_labelTrainIds.png"]
    label, palette = read_label_palette(tmp_path / "out" / "x_labelTrainIds.png")
    assert label.tolist() == [[0, 13, 255]] and tuple(palette[13]) == (0, 0, 142)
    beside = run("remap", tmp_path / "x_labelIds.png", "--index-map", "cityscapes", "-d", tmp_path)
    assert beside.exit_code == 0, beside.output
    assert read_label(tmp_path / "x_labelIds.png").tolist() == [[7, 26, 0]]
    assert read_label(tmp_path / "x_labelTrainIds.png").tolist() == [[0, 13, 255]]
    write_label(tmp_path / "out" / "x.png", np.array([[7]], np.uint8))  # its output is x_labelTrainIds.png too
    clash = run("remap", tmp_path / "x_labelIds.png", tmp_path / "out" / "x.png", "--index-map", "cityscapes", "-d", tmp_path / "o3")
    assert clash.exit_code == 1 and "inputs with the same name would write the same output file" in clash.stderr


# --- 3: the dataset's class table on --resume and --overwrite ---------------------------------


def test_resume_and_overwrite_keep_the_class_table_the_dataset_was_made_with(tmp_path: Path) -> None:
    out = tmp_path / "dataset"
    first = run("convert", SAMPLE_DIR, out, "-c", sample_labels_path(), "-j", "1")
    assert first.exit_code == 0, first.output
    names = (out / "class_names.txt").read_bytes()
    assert names.splitlines()[1] == b"road"  # labels.txt's order, not the sorted one discovery gives
    resume = run("convert", SAMPLE_DIR, out, "--resume", "-j", "1")  # the README's example
    assert resume.exit_code == 0, resume.output
    assert f"classes: 9, the class table recorded in {out / 'class_names.txt'}" in flat(resume.stderr)
    assert "converted 0, skipped 8, failed 0" in resume.stderr
    overwrite = run("convert", SAMPLE_DIR, out, "--overwrite", "-j", "1")
    assert overwrite.exit_code == 0, overwrite.output
    assert (out / "class_names.txt").read_bytes() == names
    assert read_label(out / "SegmentationClass" / "street_01.png").max() <= 8
    json_summary = run("convert", SAMPLE_DIR, out, "--overwrite", "-j", "1", "--json", "-")
    assert "recorded in" in json.loads(json_summary.stdout)["classes_from"]


def test_overwrite_with_another_table_says_so_and_leaves_no_stale_label(tmp_path: Path) -> None:
    out = tmp_path / "dataset"
    assert run("convert", SAMPLE_DIR, out, "-c", sample_labels_path(), "--instances", "-j", "1").exit_code == 0
    (tmp_path / "few.txt").write_text("_background_\nroad\n")
    result = run("convert", SAMPLE_DIR, out, "--overwrite", "-c", tmp_path / "few.txt", "-j", "1")
    assert result.exit_code == 1  # every sample holds labels the new table lacks
    assert f"replacing the one recorded in {out / 'class_names.txt'} (gone: car, person" in flat(result.stderr)
    assert (out / "class_names.txt").read_text() == "_background_\nroad\n"
    # no label in the old numbering stays behind under the new table
    assert list((out / "SegmentationClass").glob("*.png")) == []
    assert list((out / "SegmentationObject").glob("*.png")) == []
    assert (out / "ImageSets" / "Segmentation" / "train.txt").read_text() == ""


# --- 4: evaluate and weights know the classes -------------------------------------------------


def predictions_of(root: Path, folder: Path) -> Path:
    """The dataset's labels as predictions (void, which no prediction holds, as background)."""
    folder.mkdir()
    for label in (root / "SegmentationClass").glob("*.png"):
        values = read_label(label)
        write_label(folder / label.name, np.where(values == 255, 0, values).astype(np.uint8))
    return folder


def test_evaluate_takes_the_classes_from_the_dataset_and_refuses_a_wrong_number(tmp_path: Path) -> None:
    root = demo(tmp_path)
    preds = predictions_of(root, tmp_path / "preds")
    for args in ((), ("-c", root / "class_names.txt")):
        result = run("evaluate", root, preds, *args, "--json", tmp_path / "e.json", "-j", "1")
        assert result.exit_code == 0, result.output
        data = json.loads((tmp_path / "e.json").read_text())
        assert data["num_classes"] == 9 and data["classes"][1]["name"] == "road"
        assert "classes: 9, from" in result.stderr
    wrong = run("evaluate", root, preds, "-n", "21", "-j", "1")
    assert wrong.exit_code == 1 and "has 9 classes, but 21 were asked for (--num-classes)" in flat(wrong.stderr)
    assert "class_20" not in wrong.stdout
    bare = tmp_path / "bare"
    bare.mkdir()
    write_label(bare / "a.png", np.zeros((2, 2), np.uint8))
    none = run("evaluate", bare, bare)
    assert none.exit_code == 1 and "holds no class table (class_names.txt); give --classes TABLE (-c voc: PASCAL VOC's own 21 classes) or --num-classes N" in flat(none.stderr)


def test_weights_take_a_class_table(tmp_path: Path) -> None:
    root = demo(tmp_path)
    (tmp_path / "names.txt").write_text("".join(f"n{i}\n" for i in range(9)))
    result = run("weights", root, "-c", tmp_path / "names.txt", "-o", tmp_path / "w.npy", "--json", tmp_path / "w.json")
    assert result.exit_code == 0, result.output
    assert [c["name"] for c in json.loads((tmp_path / "w.json").read_text())["classes"]][:2] == ["n0", "n1"]
    # asked for, the table is used; that it reads the labels otherwise than the dataset's own is said
    assert (
        f"warning: {tmp_path / 'names.txt'} calls class 0 'n0', {root / 'class_names.txt'} calls it "
        f"'_background_'; using {tmp_path / 'names.txt'}, as asked"
    ) in flat(result.stderr)


def test_a_class_table_that_names_the_classes_otherwise_than_the_dataset_is_said(tmp_path: Path) -> None:
    root = demo(tmp_path)
    own = (root / "class_names.txt").read_text().split()
    (tmp_path / "same.txt").write_text("".join(f"{n}\n" for n in ["background", *own[1:]]))  # class 0 spelled as VOC does
    (tmp_path / "more.txt").write_text("".join(f"{n}\n" for n in [*own, "extra"]))
    quiet = [
        ("stats", root, "-c", tmp_path / "same.txt"),
        ("check", root, "-c", root / "class_names.txt"),
        ("excel", root / "SegmentationClass" / "street_01.png", "-o", tmp_path / "y.xlsx", "-c", tmp_path / "same.txt"),
    ]
    loud = [
        (("stats", root, "-c", "voc"), f"voc preset calls class 1 'aeroplane', {root / 'class_names.txt'} calls it 'road'"),
        (("split", root, "-c", tmp_path / "more.txt"), f"{tmp_path / 'more.txt'} has 10 classes, {root / 'class_names.txt'} has 9"),
        (("check", root, "-c", "cityscapes-train"), "cityscapes-train preset calls class 0 'road'"),
        (("diff", root, root, "-c", "voc"), "voc preset calls class 1 'aeroplane'"),
        (("evaluate", root, root / "SegmentationClass", "-c", "voc", "--missing", "skip"), "voc preset calls class 1"),
        (("excel", root / "SegmentationClass" / "street_01.png", "-o", tmp_path / "x.xlsx", "-c", "voc"), "voc preset calls class 1"),
    ]
    for args in quiet:
        result = run(*args, "-j", "1")
        assert "warning" not in result.stderr and "calls class" not in result.stderr, (args, result.stderr)
    for args, words in loud:
        result = run(*args, "-j", "1")
        assert words in flat(result.stderr), (args, result.stderr)


def test_labels_whose_own_tables_disagree_are_not_compared(tmp_path: Path) -> None:
    root = demo(tmp_path)
    other = predictions_of(root, tmp_path / "other")
    names = (root / "class_names.txt").read_text().split()
    names[1], names[2] = names[2], names[1]  # the same maps, another numbering of the classes
    (other / "class_names.txt").write_text("".join(f"{n}\n" for n in names))
    refused = f"{names[2]!r}, {other / 'class_names.txt'} calls it {names[1]!r}: the same label values would mean other classes"
    for args in (("evaluate", root, other), ("diff", other, root), ("report", root, tmp_path / "r.html", "--pred", other), ("report", root, tmp_path / "r.html", "--compare", other)):
        result = run(*args, "-j", "1")
        assert result.exit_code == 1 and refused in flat(result.stderr), (args, result.output)
        assert not (tmp_path / "r.html").exists()
    asked = run("evaluate", root, other, "-c", root / "class_names.txt", "--json", tmp_path / "e.json", "-j", "1")
    assert asked.exit_code == 0, asked.output
    assert f"{other / 'class_names.txt'} calls it {names[1]!r}; using {root / 'class_names.txt'}, as asked" in flat(asked.stderr)
    assert json.loads((tmp_path / "e.json").read_text())["mean_iou"] == 1.0  # read by one table, as asked
    (other / "class_names.txt").write_text((root / "class_names.txt").read_text())  # mended: compared in silence
    agreed = run("evaluate", root, other, "-j", "1")
    assert agreed.exit_code == 0 and "warning" not in agreed.stderr


# --- 5: convert refuses to convert nothing ---------------------------------------------------


def test_convert_with_its_arguments_swapped_writes_nothing(tmp_path: Path) -> None:
    root = demo(tmp_path)
    result = run("convert", root, tmp_path / "newann")
    assert result.exit_code == 1
    assert f"{root}: is a VOC dataset (SegmentationClass/ holds its labels), not annotations" in flat(result.stderr)
    assert not (tmp_path / "newann").exists()


def test_convert_of_folders_without_annotations_says_what_they_hold(tmp_path: Path) -> None:
    images = tmp_path / "images"
    images.mkdir()
    Image.new("RGB", (4, 4)).save(images / "a.jpg")
    result = run("convert", images, tmp_path / "out")
    assert result.exit_code == 1 and "no annotation file (.json or .xml) nor folder of masks nor YOLO data.yaml found: " in result.stderr
    assert f"{images}: 1 image(s), 0 other file(s), no .json or .xml" in flat(result.stderr)
    (images / "settings.json").write_text('{"theme": "dark"}')
    result = run("convert", images, tmp_path / "out", "-j", "1")
    assert result.exit_code == 1
    assert "none of the 1 .json file(s) is a labelme annotation; nothing written" in result.stderr
    assert not (tmp_path / "out").exists()


# --- 6: predictions outside the split have ground truth ---------------------------------------


def test_evaluate_split_does_not_call_other_predictions_orphans(tmp_path: Path) -> None:
    root = demo(tmp_path)
    result = run("evaluate", root, predictions_of(root, tmp_path / "preds"), "--split", "val", "-j", "1")
    assert result.exit_code == 0, result.output
    assert "no ground truth" not in result.stderr


# --- 8: remap reads back its own void colour --------------------------------------------------


def test_remap_reads_back_what_to_rgb_wrote(tmp_path: Path) -> None:
    root = demo(tmp_path)
    names = root / "class_names.txt"
    labels = sorted((root / "SegmentationClass").glob("*.png"))
    assert run("remap", *labels, "--to-rgb", "-c", names, "-d", tmp_path / "rgb").exit_code == 0
    back = run("remap", *sorted((tmp_path / "rgb").glob("*.png")), "-c", names, "--strict", "-d", tmp_path / "back")
    assert back.exit_code == 0, back.output
    assert any((read_label(label) == 255).any() for label in labels)  # void is drawn and read back
    for label in labels:
        np.testing.assert_array_equal(read_label(tmp_path / "back" / label.name), read_label(label))


# --- 10: outputs go where a user looks, and are of the kind asked for -------------------------


def test_report_takes_its_page_as_second_argument_and_only_writes_html(tmp_path: Path) -> None:
    root = demo(tmp_path)
    result = run("report", root, tmp_path / "out.html", "-j", "1", "--json", tmp_path / "r.json")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out.html").read_text().lstrip().lower().startswith("<!doctype html")
    assert json.loads((tmp_path / "r.json").read_text())["output"] == str(tmp_path / "out.html")
    refused = run("report", root, "-o", tmp_path / "r.png", "-j", "1")
    assert refused.exit_code == 1 and "r.png: a report is an HTML page; give a file name ending in .html" in refused.stderr
    assert not (tmp_path / "r.png").exists()


def test_excel_puts_the_workbook_in_the_working_folder(tmp_path: Path) -> None:
    root = demo(tmp_path)
    done = piped("excel", root / "SegmentationClass" / "street_01.png", "--step", "8", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "street_01.xlsx").is_file()
    assert list((root / "SegmentationClass").glob("*.xlsx")) == []


# --- the smaller ones -------------------------------------------------------------------------


def test_diff_finds_the_class_names_one_folder_up(tmp_path: Path) -> None:
    root = demo(tmp_path)
    result = run("diff", root / "SegmentationClass", root / "SegmentationClass", "--json", tmp_path / "d.json", "-j", "1")
    assert result.exit_code == 0, result.output
    names = [c["name"] for c in json.loads((tmp_path / "d.json").read_text())["classes"]]
    assert "road" in names and "class_1" not in names


def test_piped_tables_keep_their_title_on_one_line_and_have_no_empty_column(tmp_path: Path) -> None:
    root = demo(tmp_path)
    weights = piped("weights", root, "-o", tmp_path / "w.npy")
    assert weights.returncode == 0
    assert weights.stdout.splitlines()[0] == "enet class weights (7 images, 790288 labelled pixels)"
    colormap = piped("colormap", "-n", "3")
    header = next(line for line in colormap.stdout.splitlines() if "index" in line)
    assert [cell.strip() for cell in header.split("┃")[1:-1]] == ["index", "name", "r", "g", "b", "hex"]


def test_counts_agree_with_their_nouns(tmp_path: Path) -> None:
    root = demo(tmp_path)
    result = run("split", root, "--val-fraction", "0.125", "-j", "1")
    assert result.exit_code == 0, result.output
    assert "val.txt (1 id)" in result.stderr and "(1 ids)" not in result.stderr
    assert "val (1 image)" in flat(result.stdout)


def test_export_help_says_its_folder_is_required() -> None:
    assert "The folder to write (required)." in flat(piped("export", "--help").stdout)


# --- the labelme rules a dataset is drawn by (7 by default, 6 on request, the recorded ones kept)


def rules_folder(tmp_path: Path) -> Path:
    """One annotation whose pixels the two rule sets draw differently: a wide zigzag line strip
    (round joints in labelme 7) and a mask whose fractional corners labelme 7 rounds."""
    from helpers import write_annotation

    stored = np.indices((10, 12)).sum(axis=0) % 2 == 0
    buffer = io.BytesIO()
    Image.fromarray(stored.astype(np.uint8)).save(buffer, format="PNG")
    write_annotation(tmp_path / "src", "zigzag", [
        {"label": "car", "shape_type": "linestrip", "points": [[5, 40], [16, 6], [28, 42], [40, 5], [50, 43]]},
        {"label": "person", "shape_type": "mask", "points": [[50.6, 5.2], [61.6, 14.2]], "mask": base64.b64encode(buffer.getvalue()).decode()},
    ])  # fmt: skip
    (tmp_path / "labels.txt").write_text("__ignore__\n_background_\ncar\nperson\n")
    return tmp_path / "src"


def test_convert_draws_by_labelme_7_says_so_records_it_and_keeps_it(tmp_path: Path) -> None:
    import labelme.utils
    from consumers import labelme7_rasteriser
    from helpers import H, W

    src, out = rules_folder(tmp_path), tmp_path / "dataset"
    doc = json.loads((src / "zigzag.json").read_text())
    shapes = [{**s, "mask": labelme.utils.img_b64_to_arr(s["mask"]).astype(bool) if "mask" in s else None} for s in doc["shapes"]]
    mapping = {"_background_": 0, "car": 1, "person": 2}
    seven = labelme7_rasteriser().shapes_to_label(img_shape=(H, W), shapes=shapes, label_name_to_value=mapping)[0]
    six = labelme.utils.shapes_to_label((H, W), shapes, mapping)[0]
    assert (seven != six).sum() > 20

    first = run("convert", src, out, "-c", tmp_path / "labels.txt", "-j", "1", "--json", tmp_path / "first.json")
    assert first.exit_code == 0, first.output
    assert "labelme rules: labelme 7.9.1's, the default (--labelme-rules 6 draws as labelme 6.3.1)" in flat(first.stderr)
    np.testing.assert_array_equal(read_label(out / "SegmentationClass" / "zigzag.png"), seven)
    assert json.loads((out / "dataset_meta.json").read_text())["labelme_rules"] == "7"
    summary = json.loads((tmp_path / "first.json").read_text())
    assert summary["labelme_rules"] == "7" and "the default" in summary["labelme_rules_from"]

    old = run("convert", src, tmp_path / "six", "-c", tmp_path / "labels.txt", "-j", "1", "--labelme-rules", "6")
    assert old.exit_code == 0, old.output
    assert "labelme rules: labelme 6.3.1's, as asked" in flat(old.stderr)
    np.testing.assert_array_equal(read_label(tmp_path / "six" / "SegmentationClass" / "zigzag.png"), six)

    # writing into the dataset again keeps the rules it records, and refuses to resume with others
    (src / "zigzag.json").touch()
    again = run("convert", src, tmp_path / "six", "--resume", "-j", "1")
    assert again.exit_code == 0, again.output
    assert f"labelme rules: labelme 6.3.1's, recorded in {tmp_path / 'six' / 'dataset_meta.json'}" in flat(again.stderr)
    np.testing.assert_array_equal(read_label(tmp_path / "six" / "SegmentationClass" / "zigzag.png"), six)
    mixed = run("convert", src, tmp_path / "six", "--resume", "--labelme-rules", "7", "-j", "1")
    assert mixed.exit_code == 1
    assert "was drawn by labelme 6.3.1's rules, this run asks for labelme 7.9.1's; resuming would mix the two" in flat(mixed.stderr)
    np.testing.assert_array_equal(read_label(tmp_path / "six" / "SegmentationClass" / "zigzag.png"), six)
    redrawn = run("convert", src, tmp_path / "six", "--overwrite", "--labelme-rules", "7", "-j", "1")
    assert redrawn.exit_code == 0, redrawn.output
    assert "labelme 7.9.1's, as asked, replacing labelme 6.3.1's recorded in" in flat(redrawn.stderr)
    np.testing.assert_array_equal(read_label(tmp_path / "six" / "SegmentationClass" / "zigzag.png"), seven)
    assert json.loads((tmp_path / "six" / "dataset_meta.json").read_text())["labelme_rules"] == "7"


def test_export_draws_by_the_labelme_rules_asked_for_and_says_which(tmp_path: Path) -> None:
    src = rules_folder(tmp_path)
    areas = {}
    for rules in ("7", "6"):
        result = run("export", src, "--to", "coco", "-d", tmp_path / f"coco{rules}", "-c", tmp_path / "labels.txt",
                     "--labelme-rules", rules, "--json", tmp_path / f"{rules}.json")  # fmt: skip
        assert result.exit_code == 0, result.output
        release = {"7": "7.9.1", "6": "6.3.1"}[rules]
        assert f"labelme rules: labelme {release}'s" in result.stderr
        assert json.loads((tmp_path / f"{rules}.json").read_text())["labelme_rules"] == rules
        coco = json.loads(next((tmp_path / f"coco{rules}").rglob("instances_*.json")).read_text())
        areas[rules] = sorted(a["area"] for a in coco["annotations"])
    assert areas["7"] != areas["6"], "the line strip's round joints add pixels"


def test_a_recorded_labelme_rule_that_names_no_release_is_refused(tmp_path: Path) -> None:
    src, out = rules_folder(tmp_path), tmp_path / "dataset"
    assert run("convert", src, out, "-c", tmp_path / "labels.txt", "-j", "1").exit_code == 0
    meta = json.loads((out / "dataset_meta.json").read_text())
    (out / "dataset_meta.json").write_text(json.dumps({**meta, "labelme_rules": "8"}))
    result = run("convert", src, out, "--resume", "-j", "1")
    assert result.exit_code == 1
    assert f"{out / 'dataset_meta.json'}: 'labelme_rules' is '8', expected one of 7, 6" in flat(result.stderr)


def test_a_folder_of_labels_given_as_a_dataset_is_read_as_labels_dir(tmp_path: Path) -> None:
    root = demo(tmp_path)
    labels = root / "SegmentationClass"
    for command in ("stats", "weights"):
        given = run(command, labels, "-j", "1", "--json", tmp_path / f"{command}-given.json")
        assert given.exit_code == 0, given.output
        assert f"labels: {labels} (a folder of 8 label PNG(s), read as --labels-dir)" in given.stderr
        taken = run(command, "--labels-dir", labels, "-j", "1", "--json", tmp_path / f"{command}-taken.json")
        assert taken.exit_code == 0, taken.output
        assert json.loads((tmp_path / f"{command}-given.json").read_text()) == json.loads((tmp_path / f"{command}-taken.json").read_text())
    assert "wrote " + str(root / f"{root.name}_classes_weights.npy") in given.stderr  # where --labels-dir puts them: beside the labels


def test_binary_masks_saved_as_0_and_255_are_said_and_read_as_classes_when_asked(tmp_path: Path) -> None:
    # 255 is void, so the objects of a binary mask saved as 0/255 went unscored: mIoU 100 on background
    for folder in ("gt", "pred"):
        (tmp_path / folder).mkdir()
    for i in range(3):
        mask = np.zeros((20, 30), np.uint8)
        mask[5:15, 5:25] = 255
        Image.fromarray(mask, "L").save(tmp_path / "gt" / f"m{i}.png")
        guess = (mask > 0).astype(np.uint8)
        guess[5:15, 5:10] = 0
        Image.fromarray(guess, "L").save(tmp_path / "pred" / f"m{i}.png")
    gt = tmp_path / "gt"
    hint = "if 255 marks objects there (a binary mask saved as 0/255), read them as class 1 first: labeltools remap FILES --index-map 0:0,255:1 -d FOLDER (a dataset: labeltools convert DATASET NEW -m 0:0,255:1)"
    scored = run("evaluate", gt, tmp_path / "pred", "-n", "2")
    assert scored.exit_code == 0
    assert f"warning: {gt}: the ground truth holds no class but 0 (and void, 255, which is not scored): {hint}" in flat(scored.stderr)
    said = f"warning: {gt}: the labels hold no class but 0, and 33.3% void (255): {hint}"
    counted = run("stats", "--labels-dir", gt, "-n", "2")
    assert counted.exit_code == 0
    assert said in flat(counted.stderr)
    counted = run("stats", gt)  # without a table (class_0 100%) too
    assert counted.exit_code == 0 and said in flat(counted.stderr)
    weighted = run("weights", "--labels-dir", gt, "-n", "2", "-o", tmp_path / "w.npy")  # class 1 weighed as never seen
    assert weighted.exit_code == 0 and said in flat(weighted.stderr)
    checked = run("check", gt, "-n", "2", "--json", tmp_path / "c.json")
    assert checked.exit_code == 0
    assert [(p["kind"], p["file"], p["message"]) for p in json.loads((tmp_path / "c.json").read_text())["problems"]][1:] == [
        ("binary-mask", str(gt), f"every label holds 0 and 255 alone (33.3% void, which loaders ignore): {hint}"),
    ]  # after the missing images folder
    reported = run("report", gt, "-n", "2", "-o", tmp_path / "r.html", "--json", tmp_path / "r.json")  # every problem check finds
    assert reported.exit_code == 0, reported.output
    assert ("binary-mask", str(gt)) in [(p["kind"], p["file"]) for p in json.loads((tmp_path / "r.json").read_text())["problems"]]
    remapped = run("remap", *sorted(gt.glob("*.png")), "--index-map", "0:0,255:1", "-d", f"{gt}-01")  # the hint, followed
    assert remapped.exit_code == 0, remapped.output
    again = run("evaluate", f"{gt}-01", tmp_path / "pred", "-n", "2", "--json", tmp_path / "s.json")
    assert again.exit_code == 0 and "warning" not in again.stderr
    for command in (("stats", f"{gt}-01"), ("weights", "--labels-dir", f"{gt}-01", "-n", "2", "-o", tmp_path / "w.npy"), ("check", f"{gt}-01", "-n", "2")):
        assert "0 and 255" not in flat(run(*command).stderr) + flat(run(*command).stdout)
    assert json.loads((tmp_path / "s.json").read_text())["classes"][1]["iou"] == pytest.approx(150 / 200)


def _read_as_grey(path: Path, reader: str) -> None:
    """Save a palette label file again as ``reader`` reads it with one channel."""
    import cv2

    if reader == "opencv":
        grey = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    elif reader == "pillow":
        grey = np.asarray(Image.open(path).convert("L"))
    else:
        grey = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2GRAY)
    cv2.imwrite(str(path), grey)


@pytest.mark.parametrize("reader", ["opencv", "pillow", "cvtcolor"])
def test_label_files_read_as_grey_and_saved_are_found_and_the_line_given_mends_them(tmp_path: Path, reader: str) -> None:
    # cv2.imread(f, 0), tf.io.decode_png(channels=1) and Keras' load_img(color_mode="grayscale")
    # give a palette PNG's grey levels (class 1, (128, 0, 0), is 38): saved so, they are no classes
    root = demo(tmp_path)
    truth = {path.name: read_label(path) for path in sorted((root / "SegmentationClass").glob("*.png"))}
    assert set(np.unique(np.concatenate([t.ravel() for t in truth.values()]))) == {*range(9), 255}
    for path in sorted((root / "SegmentationClass").glob("*.png")):
        _read_as_grey(path, reader)
    checked = run("check", root, "-j", "1", "--json", tmp_path / "c.json")
    assert checked.exit_code == 1
    problems = json.loads((tmp_path / "c.json").read_text())["problems"]
    grey = [p for p in problems if p["kind"] == "grey-levels"]
    assert len(grey) == 1 and grey[0]["severity"] == "error" and grey[0]["file"] == str(root), problems
    said = grey[0]["message"]
    assert "in 8 file(s) are no class; they are grey levels of the classes' colours (class 1's (128, 0, 0) is 38)" in said
    reported = run("report", root, "-o", tmp_path / "r.html", "-j", "1", "--json", tmp_path / "r.json")  # every problem check finds
    assert reported.exit_code == 1 and [p for p in json.loads((tmp_path / "r.json").read_text())["problems"] if p["kind"] == "grey-levels"] == grey
    index_map = re.search(r"labeltools remap FILES --index-map (\S+) -d FOLDER gives the classes back", said).group(1)
    mended = run("remap", root / "SegmentationClass", "--index-map", index_map, "-d", tmp_path / "mended")
    assert mended.exit_code == 0, mended.output
    for name, label in truth.items():
        assert np.array_equal(read_label(tmp_path / "mended" / name), label), name  # void (220 as grey) too
    assert read_label_palette(tmp_path / "mended" / name)[1] is not None  # palette label files again
    # the same line from the commands that count and score the labels
    weighed = run("weights", root, "-j", "1", "-o", tmp_path / "w.npy")
    assert weighed.exit_code == 0 and f"--index-map {index_map} -d FOLDER" in flat(weighed.stderr)
    counted = run("stats", root, "-j", "1")
    assert counted.exit_code == 0 and f"--index-map {index_map} -d FOLDER" in flat(counted.stdout)
    preds = tmp_path / "preds"
    preds.mkdir()
    for name, label in truth.items():
        write_label(preds / name, np.where(label == 255, 0, label).astype(np.uint8))
    scored = run("evaluate", root, preds, "-j", "1")
    assert scored.exit_code == 1 and f"--index-map {index_map} -d FOLDER" in flat(scored.stderr)
    # the grey files as masks beside their images: convert says so, and reads them by the map
    shutil.copytree(root / "SegmentationClass", tmp_path / "shipped" / "masks")
    shutil.copytree(root / "JPEGImages", tmp_path / "shipped" / "images")
    refused = run("convert", tmp_path / "shipped", tmp_path / "as-is", "-c", root / "class_names.txt", "-j", "1")
    assert refused.exit_code == 1 and f"converting with --index-map {index_map} gives the classes back" in flat(refused.stderr)
    assert "--unknown" not in flat(refused.stderr)  # which would make the grey levels void or background
    converted = run("convert", tmp_path / "shipped", tmp_path / "voc", "-c", root / "class_names.txt", "-m", index_map, "-j", "1")
    assert converted.exit_code == 0, converted.output
    for name, label in truth.items():
        assert np.array_equal(read_label(tmp_path / "voc" / "SegmentationClass" / name), label), name


def test_grey_levels_of_classes_that_read_alike_are_said_to_be_beyond_mending(tmp_path: Path) -> None:
    # VOC's classes 2 and 17 are both 75 as OpenCV reads them, 1 and 16 both 38 as Pillow does:
    # grey levels that either reader may have given tell neither class of a pair from the other
    labels = {f"s{i}": np.full((6, 8), i, np.uint8) for i in range(4)}
    labels["s0"][2:4, 2:6] = 17
    root = make_voc(tmp_path / "voc", labels, names=[entry.name for entry in ClassTable.preset("voc").classes])
    for path in sorted((root / "SegmentationClass").glob("*.png")):
        _read_as_grey(path, "opencv")
    checked = run("check", root, "-j", "1", "--json", tmp_path / "c.json")
    assert checked.exit_code == 1
    said = [p["message"] for p in json.loads((tmp_path / "c.json").read_text())["problems"] if p["kind"] == "grey-levels"]
    assert said == [
        "label values 38, 75, 113 in 4 file(s) are no class; they are grey levels of the classes' colours (class 1's "
        "(128, 0, 0) is 38): palette label files read as grey (OpenCV's imread(f, 0), TensorFlow's decode_png(channels=1), "
        "Keras' load_img(color_mode='grayscale')) and saved again. Classes 1 and 16 both read as 38, so no map gives the "
        "classes back: make them again from the palette files (Pillow reads their indices; labeltools colorize FILES "
        "--gray -d FOLDER writes copies that such readers read as class indices)"
    ]


def test_values_that_are_no_class_but_no_grey_levels_either_are_not_said_to_be(tmp_path: Path) -> None:
    # ids beyond the table (a table too short) are no grey levels of its colours: no such guess
    labels = {f"s{i}": np.full((6, 8), i, np.uint8) for i in (0, 9, 10, 11)}
    root = make_voc(tmp_path / "voc", labels, names=[f"c{i}" for i in range(9)])
    checked = run("check", root, "-j", "1", "--json", tmp_path / "c.json")
    kinds = [p["kind"] for p in json.loads((tmp_path / "c.json").read_text())["problems"]]
    assert checked.exit_code == 1 and kinds.count("label-values") == 3 and "grey-levels" not in kinds
