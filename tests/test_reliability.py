"""No input sinks a batch, no run loses earlier output: one test (at least) per way it once did."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import random
import re
import shlex
import shutil
import signal
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import make_voc
from helpers import CSV_OPENED_WITH_FORMULAS, flat_cells, png_bytes, shapes_abc, soffice_convert, tree_bytes, write_annotation
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from PIL import Image
from typer.testing import CliRunner

from labeltools import ClassTable, ConfusionMatrix, write_label
from labeltools.cli import app
from labeltools.core.errors import (
    AnnotationError,
    ClassTableError,
    EvaluationError,
    LabeltoolsError,
    OutputError,
)
from labeltools.engine.storage import (
    TEMPORARY_PATTERN,
    atomic_write,
    remove_stale_temporaries,
    temporary_name,
)
from labeltools.formats.labelme import (
    SHAPE_TYPES,
    labelme_to_label,
    parse_labelme,
    read_labelme,
)
from labeltools.formats.scores import save_confusion_csv
from labeltools.formats.voc import save_class_table
from labeltools.jobs.check import check_dataset
from labeltools.jobs.convert import convert_labelme
from labeltools.jobs.evaluate import evaluate_pairs

runner = CliRunner()


def cli(*args: Any) -> Any:
    return runner.invoke(app, [str(a) for a in args])


def one_error_line(result: Any) -> str:
    """The single ``error: ...`` line of a failed command (and no traceback)."""
    assert result.exit_code == 1, (result.exit_code, result.output)
    assert "Traceback" not in result.stderr and result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, result.stderr
    return lines[0]


@contextlib.contextmanager
def unwritable(folder: Path):
    """Make ``folder`` refuse new files for the block: chmod for a normal user, the immutable
    attribute for root (whom permissions do not stop). Skips when neither works here."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        folder.chmod(0o555)
        undo = ["chmod", "755", str(folder)]
    elif subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0:
        undo = ["chattr", "-i", str(folder)]
    else:
        pytest.skip("cannot make a folder unwritable on this machine")
    try:
        probe = folder / ".probe"
        with contextlib.suppress(OSError):
            probe.write_text("x")
            probe.unlink()
            pytest.skip("the folder stayed writable")
        yield folder
    finally:
        subprocess.run(undo, check=True)


# --------------------------------------------------------------------------------------------
# 1. one input never sinks a batch


def deep_json(depth: int = 100_000) -> str:
    return '{"shapes": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_hostile_file_fails_alone_and_the_good_ones_convert(tmp_path: Path, jobs: int) -> None:
    src = tmp_path / "src"
    write_annotation(src, "good")
    (src / "deep.json").write_text(deep_json())
    huge, _ = write_annotation(src, "huge", [{"label": "cat", "points": [[1, 2], [3, 4], [5, 6]], "shape_type": "polygon"}])
    huge.write_text(huge.read_text().replace("[1, 2]", "[" + "9" * 400 + ", 2]"))
    long_path, _ = write_annotation(src, "long")
    doc = json.loads(long_path.read_text())
    doc["imagePath"] = "x" * 300 + ".jpg"
    long_path.write_text(json.dumps(doc))

    result = cli("convert", src, tmp_path / "out", "-j", jobs)
    assert result.exit_code == 1
    stderr = " ".join(result.stderr.split())
    assert f"failed: {src / 'deep.json'}: JSON nested too deeply to be a labelme annotation" in stderr
    assert f"failed: {src / 'huge.json'}: shapes[0] (label 'cat', polygon): points[0] = " in stderr
    assert "is too large to be a coordinate" in stderr
    assert f"failed: {src / 'long.json'}: image 'xxxx" in stderr and "File name too long" in stderr
    assert "converted 1, failed 3" in stderr and "Traceback" not in result.output
    assert (tmp_path / "out" / "SegmentationClass" / "good.png").is_file()


scalars = (
    st.none() | st.booleans() | st.integers() | st.integers(min_value=10**300, max_value=10**400)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12)
    | st.sampled_from(["x" * 5000, "[/]", "[bold]x", "\n", "__ignore__", "_background_"])
)  # fmt: skip
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4), max_leaves=12
)
number = st.integers(-20, 40) | st.floats(-1e6, 1e6) | st.floats(allow_nan=True, allow_infinity=True) | st.integers(10**300, 10**310)
points = st.lists(st.lists(number, min_size=2, max_size=2) | json_values, max_size=6) | json_values
mask_text = st.binary(max_size=64).map(lambda b: base64.b64encode(b).decode()) | st.just(
    base64.b64encode(png_bytes(np.ones((3, 3), np.uint8))).decode()
) | json_values
shape = st.fixed_dictionaries(
    {
        "label": st.sampled_from(["cat", "dog", "__ignore__", "_background_", "zebra", " ", "[/]"]) | json_values,
        "points": points,
        "shape_type": st.sampled_from([*SHAPE_TYPES, "bogus"]) | json_values,
    },
    optional={"group_id": st.integers() | json_values, "mask": mask_text, "flags": json_values, "description": json_values},
)
documents = st.fixed_dictionaries(
    {"shapes": st.lists(shape | json_values, max_size=5)},
    optional={
        "imageHeight": st.integers(-2, 60) | st.sampled_from([2**31, 10**400, 100_000]) | json_values,
        "imageWidth": st.integers(-2, 60) | st.sampled_from([2**31, 10**400, 100_000]) | json_values,
        "imagePath": json_values, "imageData": json_values, "version": json_values, "flags": json_values,
    },
) | json_values  # fmt: skip

TABLE = ClassTable.from_names(["_background_", "cat", "dog", "__ignore__"])


def _nested(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(obj=documents, skip=st.booleans(), unknown=st.sampled_from(["error", "ignore", "background"]))
@example(obj={"shapes": [], "imageHeight": 2**31, "imageWidth": 10**400}, skip=False, unknown="error")
@example(obj={"shapes": [], "imageHeight": 100_000, "imageWidth": 100_000}, skip=False, unknown="error")
def test_the_reader_and_rasteriser_raise_nothing_but_our_errors(obj: Any, skip: bool, unknown: Any) -> None:
    try:
        doc = parse_labelme(obj, "h.json", skip_bad_shapes=skip)
        labelme_to_label(doc, TABLE, shape_hw=(12, 16), unknown=unknown)
        if doc.image_height is not None and doc.image_width is not None:
            labelme_to_label(doc, TABLE, unknown=unknown)  # the declared size
    except LabeltoolsError as exc:
        assert str(exc).startswith("h.json") or "class" in str(exc), str(exc)
        assert len(str(exc)) < 2000


@pytest.mark.parametrize("skip", [False, True])
def test_deeply_nested_values_are_quoted_short(skip: bool) -> None:
    for obj in ({"shapes": _nested(100_000)}, {"shapes": [{"label": "cat", "shape_type": "point", "points": _nested(50_000)}]}):
        try:
            doc = parse_labelme(obj, "h.json", skip_bad_shapes=skip)
        except AnnotationError as exc:
            message = str(exc)
        else:
            message = doc.warnings[0]
        assert message.startswith("h.json: shapes[0]") and len(message) < 200


def test_deep_json_in_a_file_is_an_annotation_error(tmp_path: Path) -> None:
    (tmp_path / "deep.json").write_text(deep_json())
    with pytest.raises(AnnotationError, match=r"deep\.json: JSON nested too deeply"):
        read_labelme(tmp_path / "deep.json")


@pytest.mark.parametrize("hw", [(2**31, 4), (10**400, 5), (100_000, 100_000)])
def test_absurd_declared_sizes_are_refused(hw: tuple[int, int]) -> None:
    doc = parse_labelme({"shapes": [], "imageHeight": hw[0], "imageWidth": hw[1]}, "a.json")
    with pytest.raises(AnnotationError, match=r"a\.json: image of [\d~^]+x[\d~^]+ = [\d,~^]+ pixels exceeds the limit of 134,217,728 pixels"):
        labelme_to_label(doc, TABLE)


# --------------------------------------------------------------------------------------------
# 2. more than 254 classes


def test_a_class_table_holds_at_most_255_classes() -> None:
    names = ["_background_", *(f"c{i}" for i in range(1, 255))]
    assert ClassTable.from_names([*names, "__ignore__"]).index_of("c254") == 254
    message = (
        "labels.txt: 256 classes, but a class table holds at most 255 (indices 0..254): "
        "label PNGs store one byte per pixel and 255 is void"
    )
    with pytest.raises(ClassTableError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        ClassTable.from_names(["__ignore__", *names, "c255"], source="labels.txt")


def test_convert_refuses_too_many_classes_before_writing(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shapes = [{"label": f"c{i:03d}", "points": [[i % 60, 1], [i % 60 + 2, 3]], "shape_type": "rectangle"} for i in range(300)]
    write_annotation(src, "a", shapes)
    result = cli("convert", src, tmp_path / "found")
    assert one_error_line(result).startswith(
        "error: the labels of 1 annotation file(s): 300 classes, and a label map holds 254 at most (1..254; 0 is "
        "background, 255 void): give -c a table of the classes to keep"
    )
    assert not (tmp_path / "found").exists()
    labels = tmp_path / "labels.txt"
    labels.write_text("__ignore__\n_background_\n" + "".join(f"c{i}\n" for i in range(1, 256)))
    result = cli("convert", src, tmp_path / "given", "--labels", labels)
    assert "256 classes, but a class table holds at most 255" in one_error_line(result)
    assert not (tmp_path / "given").exists()


# --------------------------------------------------------------------------------------------
# 3. text from data is never markup


def test_labels_and_file_names_are_printed_as_they_are(tmp_path: Path) -> None:
    src = tmp_path / "src"
    write_annotation(src, "[red]c", [{"label": "[bold]x", "points": [[1, 1], [5, 5]], "shape_type": "rectangle"}])
    write_annotation(src, "nan", [{"label": "cat", "points": [[float("nan"), 1], [5, 5], [3, 9]], "shape_type": "polygon"}])
    write_annotation(src, "slash", [{"label": "[/]", "points": [[1, 1], [5, 5]], "shape_type": "rectangle"}])
    table = tmp_path / "names.txt"
    table.write_text("_background_\ncat\n")
    result = cli("convert", src, tmp_path / "out", "--labels", table)
    assert result.exit_code == 1 and result.exception is None or isinstance(result.exception, SystemExit)
    stderr = " ".join(result.stderr.split())
    assert f"{src / '[red]c.json'}: shapes[0] has label '[bold]x', which is not in the class table" in stderr
    assert "points[0] = [nan, 1] is not finite" in stderr
    assert "has label '[/]'" in stderr
    result = cli("convert", src, tmp_path / "found", "--unknown", "ignore")  # discovered: [/] is a class
    assert result.exit_code == 1 and "MarkupError" not in result.output


def test_class_names_are_printed_as_they_are(tmp_path: Path) -> None:
    label = np.array([[0, 1], [2, 2]], np.uint8)
    root = make_voc(tmp_path / "voc", {"a": label}, names=["background", "[red]cat", "[/]"])
    result = cli("stats", root)
    assert result.exit_code == 0, result.output
    assert "[red]cat" in result.stdout and "[/]" in result.stdout
    (tmp_path / "table.txt").write_text("background\n[red]cat\n")
    result = cli("colormap", "--classes", tmp_path / "table.txt")
    assert result.exit_code == 0 and "[red]cat" in result.stdout


# --------------------------------------------------------------------------------------------
# 4. a failed run keeps the earlier output


def test_overwrite_into_an_unwritable_folder_keeps_everything(tmp_path: Path) -> None:
    src = tmp_path / "src"
    write_annotation(src, "a")
    write_annotation(src, "b")
    out = tmp_path / "ds"
    assert cli("convert", src, out, "--val-fraction", "0.5").exit_code == 0
    before = tree_bytes(out)
    write_annotation(src, "a", shapes_abc()[:1], image=Image.new("RGB", (64, 48), "red"))
    with unwritable(out / "SegmentationClass"):
        result = cli("convert", src, out, "--overwrite", "--val-fraction", "0.5", "-j", "1")
    assert result.exit_code == 1
    stderr = " ".join(result.stderr.split())
    assert f"failed: {out / 'SegmentationClass' / 'a.png'}: cannot write (" in stderr
    assert tree_bytes(out) == before  # the image, both labels, the splits and class names


def test_a_run_where_every_file_fails_leaves_the_split_files(tmp_path: Path) -> None:
    src = tmp_path / "src"
    write_annotation(src, "a")
    out = tmp_path / "ds"
    assert cli("convert", src, out).exit_code == 0
    splits = {name: (out / "ImageSets/Segmentation" / f"{name}.txt").read_bytes() for name in ("train", "val", "trainval")}
    (src / "a.jpg").write_bytes(b"")  # the image is gone bad: the file fails
    assert cli("convert", src, out, "--overwrite").exit_code == 1
    assert {n: (out / "ImageSets/Segmentation" / f"{n}.txt").read_bytes() for n in splits} == splits
    assert (out / "ImageSets/Segmentation/trainval.txt").read_text() == "a\n"


def test_the_failed_files_are_listed_when_the_last_step_fails_too(tmp_path: Path) -> None:
    src = tmp_path / "src"
    write_annotation(src, "a")
    write_annotation(src, "b")
    out = tmp_path / "ds"
    assert cli("convert", src, out).exit_code == 0
    train = out / "ImageSets" / "Segmentation" / "train.txt"
    train.unlink()
    train.mkdir()  # the split files cannot be written
    (src / "b.jpg").write_bytes(b"")
    result = cli("convert", src, out, "--overwrite", "-j", "1")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert [line.split(":")[0] for line in lines[-2:]] == ["failed", "error"]
    assert f"{src / 'b.json'}" in lines[-2] and lines[-1].startswith(f"error: {train}: cannot write (")


def test_a_full_disk_stops_the_run_in_one_line_and_resume_finishes_it(tmp_path: Path) -> None:
    """On a real file system that fills up (tmpfs, mounted in a namespace of its own): the run
    stops at the first file that finds no room, no file it leaves is truncated (Pillow's own
    writer ignores a short write), and --resume after room is made gives a clean run's bytes."""
    if not shutil.which("unshare"):
        pytest.fail("needs unshare (util-linux) to mount a small file system") if os.environ.get("CI") else pytest.skip("no unshare")
    from labeltools.jobs.convert import SAMPLE_DIR

    clean = tmp_path / "clean"
    assert cli("convert", SAMPLE_DIR, clean, "--viz", "--instances", "-j", "1").exit_code == 0
    disk = tmp_path / "disk"
    disk.mkdir()
    word = {name: shlex.quote(str(path)) for name, path in (("disk", disk), ("out", disk / "out"), ("here", tmp_path))}
    command = f"{shlex.quote(sys.executable)} -m labeltools convert {shlex.quote(str(SAMPLE_DIR))} {word['out']} --viz --instances -j 2"
    steps = []
    for size in (100, 200, 300):  # KiB: full at several places, among them a picture Pillow encodes
        run = shlex.quote(str(tmp_path / str(size)))
        steps.append(
            f"mount -t tmpfs -o size={size}k tmpfs {word['disk']} && cd {word['here']} && "
            f"{{ {command} > {run}.out 2> {run}.err; echo $? > {run}.rc; }} && "
            f"mount -o remount,size=8m {word['disk']} && {command} --resume > /dev/null 2> {run}.resumed && "
            f"cp -r {word['out']} {run} && umount {word['disk']}"
        )
    done = subprocess.run(["unshare", "--mount", "--map-root-user", "sh", "-ec", " && ".join(steps)], capture_output=True, text=True, timeout=300)
    if done.returncode and "Operation not permitted" in done.stderr and not os.environ.get("CI"):
        pytest.skip(f"cannot mount a file system here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    for size in (100, 200, 300):
        run = tmp_path / str(size)
        assert (tmp_path / f"{size}.rc").read_text() == "1\n"
        lines = (tmp_path / f"{size}.err").read_text().splitlines()
        [failed] = [line for line in lines if line.startswith("failed:")]
        assert failed.startswith(f"failed: {disk}/out/") and failed.endswith(": cannot write (No space left on device)")
        assert re.fullmatch(
            r"error: the disk is full \(free some space\); stopped after converted \d, skipped 0, failed 1 of 8; "
            r"run the same command with --resume to continue", lines[-1]
        ), lines
        assert tree_bytes(run) == tree_bytes(clean), size


# --------------------------------------------------------------------------------------------
# 5. temporary files


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_temporaries_have_one_pattern_and_stale_ones_are_removed(tmp_path: Path) -> None:
    name = temporary_name("a.png")
    assert TEMPORARY_PATTERN.match(name) and name.startswith(".a.png.labeltools-")
    stale = tmp_path / f".a.png.labeltools-{dead_pid()}-0123abcd.tmp"
    live = tmp_path / f".b.png.labeltools-{os.getppid()}-0123abcd.tmp"
    other = tmp_path / ".a.png.tmp"  # not ours
    for path in (stale, live, other):
        path.write_bytes(b"")
    assert remove_stale_temporaries(tmp_path) == [stale]
    assert live.exists() and other.exists() and not stale.exists()


def test_a_killed_writer_not_yet_reaped_counts_as_gone(tmp_path: Path) -> None:
    """A writer killed with SIGKILL whose parent has not reaped it (a zombie: its pid still
    answers) never writes again: its temporary is removed."""
    writer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        writer.kill()
        while open(f"/proc/{writer.pid}/stat", "rb").read().rsplit(b")", 1)[1].split()[0] != b"Z":
            time.sleep(0.01)  # dead, not reaped: os.kill(pid, 0) still succeeds
        os.kill(writer.pid, 0)
        left = tmp_path / f".a.png.labeltools-{writer.pid}-0123abcd.tmp"
        left.write_bytes(b"half")
        assert remove_stale_temporaries(tmp_path) == [left]
    finally:
        writer.wait()


def test_a_live_writers_hard_linked_temporary_is_kept_whatever_its_source_mtime(tmp_path: Path) -> None:
    """Exports hard-link images into place: the staged link keeps its source's (old) mtime,
    and another worker sweeping the folder must not take it for a dead process's leftover."""
    source = tmp_path / "photo.jpg"
    source.write_bytes(b"jpeg")
    os.utime(source, (1_000_000_000, 1_000_000_000))  # 2001, long before this process started
    staged = tmp_path / "out" / temporary_name("photo.jpg")
    staged.parent.mkdir()
    os.link(source, staged)
    assert remove_stale_temporaries(staged.parent) == [] and staged.exists()


def test_check_reports_and_resume_removes_a_leftover_temporary(tmp_path: Path) -> None:
    src = tmp_path / "src"
    write_annotation(src, "a")
    out = tmp_path / "ds"
    assert cli("convert", src, out).exit_code == 0
    leftover = out / "SegmentationClass" / f".a.png.labeltools-{dead_pid()}-0badc0de.tmp"
    leftover.write_bytes(b"")
    problems = [(p.kind, p.severity, p.file) for p in check_dataset(out, jobs=1).problems]
    assert ("temporary-file", "warning", str(leftover)) in problems
    assert cli("convert", src, out, "--resume").exit_code == 0  # nothing to convert, still swept
    assert not leftover.exists()


def test_kill_9_at_random_moments_then_resume_gives_the_clean_output(tmp_path: Path) -> None:
    src = tmp_path / "src"
    rng = np.random.default_rng(0)
    for i in range(24):
        image = Image.fromarray(rng.integers(0, 255, (375, 500, 3), dtype=np.uint8))
        shapes = [{"label": "cat", "points": [[10 + i, 10], [400, 30 + i], [200, 300]], "shape_type": "polygon"},
                  {"label": "dog", "points": [[50, 50], [120 + i, 200]], "shape_type": "rectangle"}]  # fmt: skip
        write_annotation(src, f"im{i:02d}", shapes, image=image, fmt="PNG", ext=".png")
    labels = tmp_path / "labels.txt"
    labels.write_text("__ignore__\n_background_\ncat\ndog\n")
    clean, out = tmp_path / "clean", tmp_path / "out"
    command = [sys.executable, "-m", "labeltools", "convert", str(src), "--labels", str(labels), "--instances", "-j", "2"]
    subprocess.run([*command, str(clean)], check=True, capture_output=True)
    moments = random.Random(1).sample([x / 100 for x in range(30, 250)], 5)
    for moment in moments:
        child = subprocess.Popen([*command, str(out), "--resume"], start_new_session=True,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(moment)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    done = subprocess.run([*command, str(out), "--resume"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert tree_bytes(out) == tree_bytes(clean)  # and so no temporary file is left anywhere
    assert not [p for p in out.rglob("*") if TEMPORARY_PATTERN.match(p.name)]


# --------------------------------------------------------------------------------------------
# 6. output-path mistakes are one line


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    label = np.zeros((6, 8), np.uint8)
    label[1:4, 2:6] = 1
    root = make_voc(tmp_path / "voc", {"a": label, "b": label}, names=["background", "cat"])
    (tmp_path / "afile").write_text("not a folder")
    return root


def test_output_below_a_file_is_one_line(tmp_path: Path, dataset: Path) -> None:
    afile = tmp_path / "afile"
    write_annotation(tmp_path / "src", "a")
    label = dataset / "SegmentationClass" / "a.png"
    cases = [
        ("convert", tmp_path / "src", afile / "sub"),
        ("colorize", label, "-o", afile),
        ("remap", label, "--index-map", "1:1", "-o", afile),
        ("excel", label, "--output-dir", afile),
        ("excel", label, "-o", afile / "x.xlsx"),
        ("weights", dataset, "-o", afile / "w.npy"),
        ("stats", dataset, "--plot", afile / "p.png"),
        ("evaluate", dataset, dataset / "SegmentationClass", "-n", "2", "--json", afile / "j.json"),
    ]
    for args in cases:
        line = one_error_line(cli(*args))
        assert line.startswith(f"error: {afile}: is a file, not a folder"), (args, line)


def test_a_folder_where_a_file_goes_is_one_line(tmp_path: Path, dataset: Path) -> None:
    folder = tmp_path / "somefolder"
    folder.mkdir()
    line = one_error_line(cli("stats", dataset, "--json", folder))
    assert line == f"error: {folder}: is a folder; --json takes the file to write"  # said before the work


def test_a_read_only_output_folder_is_one_line(tmp_path: Path) -> None:
    write_annotation(tmp_path / "src", "a")
    with unwritable(tmp_path / "ro") as folder:
        line = one_error_line(cli("convert", tmp_path / "src", folder))
    assert line.startswith(f"error: {folder}: cannot write into the folder (")


def test_excel_below_a_file_prints_no_stream_errors(tmp_path: Path, dataset: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "labeltools", "excel", str(dataset / "SegmentationClass" / "a.png"),
         "-o", str(tmp_path / "afile" / "x.xlsx")], capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [f"error: {tmp_path / 'afile'}: is a file, not a folder (cannot create {tmp_path / 'afile'})"]


def test_the_writer_names_the_path_it_could_not_write(tmp_path: Path) -> None:
    (tmp_path / "x.txt").mkdir()
    with pytest.raises(OutputError, match=r"x\.txt: cannot write \(Is a directory\)"):
        with atomic_write(tmp_path / "x.txt") as tmp:
            tmp.write_text("hello")
    assert [p.name for p in tmp_path.iterdir()] == ["x.txt"]  # the temporary is gone


# --------------------------------------------------------------------------------------------
# 7. no formula from data


EVIL = ["=1+1", '=HYPERLINK("http://evil.example","click")', "+2", "-3", "@SUM(A1)", "\tx", "\rx"]


def test_evaluate_writes_class_names_as_text(tmp_path: Path) -> None:
    labels = {f"im{i}": np.full((4, 4), i % 3, np.uint8) for i in range(3)}
    root = make_voc(tmp_path / "voc", labels, names=["background", *EVIL[:2]])
    result = cli("evaluate", root, root / "SegmentationClass", "-n", "3",
                 "--excel", tmp_path / "s.xlsx", "--csv", tmp_path / "c.csv")  # fmt: skip
    assert result.exit_code == 0, result.output
    book = load_workbook(tmp_path / "s.xlsx")
    texts = [c for sheet in book for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and c.value in EVIL]
    assert len(texts) == 6  # both names: per-class scores, matrix header, matrix rows
    assert all(c.data_type == "s" and c.quotePrefix for c in texts)
    assert all(c.data_type != "f" for sheet in book for row in sheet.iter_rows() for c in row)
    first = (tmp_path / "c.csv").read_text().splitlines()[0]
    assert first == "ground truth \\ prediction,background,'=1+1,\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\""


def test_every_csv_neutralises_formulas_and_reads_back(tmp_path: Path) -> None:
    from labeltools.core.classes import ClassEntry

    names = ["bg", *EVIL[:5]]  # a class name never starts with white space
    table = ClassTable([ClassEntry(i, name, (i, i, i)) for i, name in enumerate(names)])
    save_class_table(tmp_path / "t.csv", table)
    rows = (tmp_path / "t.csv").read_text().splitlines()[2:]
    assert all(row.split(",")[1].lstrip('"').startswith("'") for row in rows)
    assert ClassTable.load(tmp_path / "t.csv").names == table.names
    result = cli("colormap", "--classes", tmp_path / "t.csv", "-o", tmp_path / "c.csv")
    assert result.exit_code == 0
    assert "'=1+1" in (tmp_path / "c.csv").read_text()
    cm = ConfusionMatrix(2)
    cm.update(np.zeros((2, 2), np.uint8), np.zeros((2, 2), np.uint8))
    save_confusion_csv(tmp_path / "m.csv", cm, ["=1+1", "ok"])
    assert (tmp_path / "m.csv").read_text().splitlines()[1] == "'=1+1,4,0"  # numbers stay numbers


def test_a_spreadsheet_program_shows_names_as_text_and_runs_none(tmp_path: Path, libreoffice: None) -> None:
    """The workbook and CSV files with class names that look like formulas, opened in LibreOffice
    as a user opens them (a CSV file with its formulas evaluated): every name shows as text, no
    cell holds a formula. The same file with a name written as it is would run it."""
    labels = {f"im{i}": np.full((4, 4), i % 3, np.uint8) for i in range(3)}
    root = make_voc(tmp_path / "voc", labels, names=["background", *EVIL[:2]])
    result = cli("evaluate", root, root / "SegmentationClass", "-n", "3",
                 "--excel", tmp_path / "scores.xlsx", "--csv", tmp_path / "confusion.csv")  # fmt: skip
    assert result.exit_code == 0, result.output
    (tmp_path / "names.txt").write_text("\n".join(["background", *EVIL[:5]]) + "\n")
    result = cli("colormap", "-c", tmp_path / "names.txt", "-o", tmp_path / "colours.csv")
    assert result.exit_code == 0, result.output
    save_class_table(tmp_path / "table.csv", ClassTable.load(tmp_path / "names.txt"))
    opened = tmp_path / "opened"
    profile = tmp_path / "profile"
    shown: dict[str, set[str]] = {}
    for name in ("scores.xlsx", "confusion.csv", "colours.csv", "table.csv"):
        reading = CSV_OPENED_WITH_FORMULAS if name.endswith(".csv") else None
        cells = flat_cells(soffice_convert(tmp_path / name, "fods", profile, opened / name, reading))
        assert [cell for cell in cells if cell[2] is not None] == [], name
        shown[name] = {text for _, text, _ in cells}
    assert set(EVIL[:2]) <= shown["scores.xlsx"]  # shown as they are, stored as text
    for name, evil in (("confusion.csv", EVIL[:2]), ("colours.csv", EVIL[:5]), ("table.csv", EVIL[:5])):
        assert {f"'{text}" for text in evil} <= shown[name], name  # the prefix spreadsheets use for text
    (tmp_path / "plain.csv").write_text("index,name\n1,=1+1\n")
    cells = flat_cells(soffice_convert(tmp_path / "plain.csv", "fods", profile, opened, CSV_OPENED_WITH_FORMULAS))
    assert ("plain", "2", "of:=1+1") in cells  # what the prefix prevents


# --------------------------------------------------------------------------------------------
# 8. oversized and truncated labels


def phantom_png(side: int) -> bytes:
    """A palette PNG whose header says side x side but whose pixel data holds one row."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    header = struct.pack(">IIBBBBB", side, side, 8, 3, 0, 0, 0)
    pixels = zlib.compress(b"\0" + b"\1" * side)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"PLTE", bytes(768)) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def test_a_phantom_13000_square_label_is_refused_everywhere(tmp_path: Path, dataset: Path) -> None:
    bomb = dataset / "SegmentationClass" / "a.png"
    bomb.write_bytes(phantom_png(13000))
    assert len(bomb.read_bytes()) < 1000
    limit = "image of 13000x13000 = 169,000,000 pixels exceeds the limit of 134,217,728 pixels"
    for args in (("excel", bomb, "-o", tmp_path / "x.xlsx"), ("stats", dataset), ("weights", dataset)):
        result = cli(*args)
        assert result.exit_code == 1, args
        assert limit in " ".join(result.stderr.split()), args
        assert "DecompressionBomb" not in result.output
    assert not (tmp_path / "x.xlsx").exists()
    problems = {p.kind: p.message for p in check_dataset(dataset, jobs=1).problems}
    assert limit in problems["unreadable"]


def test_check_reports_a_label_whose_pixel_data_ends_early(tmp_path: Path, dataset: Path) -> None:
    (dataset / "SegmentationClass" / "a.png").write_bytes(phantom_png(3000))
    problems = [p for p in check_dataset(dataset, jobs=1).problems if p.kind == "truncated"]
    assert len(problems) == 1 and problems[0].file.endswith("a.png")
    assert problems[0].message == (
        "pixel data ends early: 3001 of the 9003000 bytes its 3000x3000 header declares (the rest would read as 0)"
    )


def test_excel_refuses_a_grid_above_the_cell_budget_before_writing(tmp_path: Path) -> None:
    write_label(tmp_path / "big.png", np.zeros((300, 300), np.uint8))
    result = cli("excel", tmp_path / "big.png", "--max-cells", "10000")
    assert result.exit_code == 1
    assert "needs a grid of 90,000 cells, above the budget of 10,000 cells (--max-cells)" in " ".join(result.stderr.split())
    assert not (tmp_path / "big.xlsx").exists()
    assert cli("excel", tmp_path / "big.png", "--max-cells", "90000").exit_code == 0


# --------------------------------------------------------------------------------------------
# 9. messages name the input


def test_a_bad_source_image_is_named_by_its_annotation(tmp_path: Path) -> None:
    src = tmp_path / "src"
    write_annotation(src, "empty", fmt="PNG", ext=".png")
    (src / "empty.png").write_bytes(b"")
    path, _ = write_annotation(src, "embedded", embed=True)
    doc = json.loads(path.read_text())
    doc["imageData"] = base64.b64encode(b"no image here").decode()
    path.write_text(json.dumps(doc))
    result = cli("convert", src, tmp_path / "out")
    stderr = " ".join(result.stderr.split())
    assert f"failed: {src / 'empty.json'}: image {src / 'empty.png'}: cannot read image (empty, 0 bytes)" in stderr
    assert f"failed: {src / 'embedded.json'}: 'imageData': cannot read image (not an image format Pillow knows)" in stderr
    assert "BytesIO" not in stderr


@pytest.mark.parametrize("value", ["300", "-5"])
def test_an_ignore_index_no_label_holds_is_a_usage_error(dataset: Path, value: str) -> None:
    result = cli("evaluate", dataset, dataset / "SegmentationClass", "-n", "2", "--ignore-index", value)
    assert result.exit_code == 2 and "--ignore-index" in result.output


def test_file_evaluation_refuses_an_ignore_index_outside_the_byte_range(dataset: Path) -> None:
    with pytest.raises(EvaluationError, match="ignore index 300 is no value a label file holds"):
        evaluate_pairs([], 2, ignore_index=300)


def test_a_convert_run_reports_internal_errors_per_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import labeltools.jobs.convert as convert_module

    src = tmp_path / "src"
    write_annotation(src, "a")
    write_annotation(src, "b")
    real = convert_module.convert_file

    def flaky(json_path: Any, *args: Any, **kwargs: Any) -> Any:
        if Path(json_path).stem == "a":
            raise KeyError("surprise")
        return real(json_path, *args, **kwargs)

    monkeypatch.setattr(convert_module, "convert_file", flaky)
    results = list(convert_labelme(src, tmp_path / "out", TABLE, jobs=1))
    assert results[0].error == f"{src / 'a.json'}: internal error (KeyError: 'surprise')"
    assert results[1].ok


def test_ids_that_differ_only_in_letter_case_are_refused_where_the_output_ignores_case(case_insensitive_folder: Path, tmp_path: Path) -> None:
    """``Street_01.json`` and ``street_01.json`` (two images) converted onto an exFAT drive (as
    onto macOS's or Windows' disks) both "converted", one label file held the second image's
    labels, and the split lists named both ids. Refused there, naming the ids, nothing written;
    where case counts the dataset is written with a warning that it cannot be copied intact."""
    from labeltools.jobs.convert import SAMPLE_DIR

    source = tmp_path / "source"
    source.mkdir()
    shutil.copy(SAMPLE_DIR / "labels.txt", source)
    for stem, sample in (("Street_01", "street_01"), ("street_01", "street_02")):
        doc = json.loads((SAMPLE_DIR / f"{sample}.json").read_text())
        (source / f"{stem}.json").write_text(json.dumps({**doc, "imagePath": f"{stem}.jpg", "imageData": None}))
        shutil.copy(SAMPLE_DIR / f"{sample}.jpg", source / f"{stem}.jpg")
    command = [sys.executable, "-m", "labeltools", "convert", str(source)]
    refused = subprocess.run([*command, str(case_insensitive_folder / "voc"), "-j", "1"], capture_output=True, text=True, timeout=300)
    assert refused.returncode == 1, refused.stderr
    said = " ".join(refused.stderr.split())
    assert "its file system takes names that differ only in letter case for one" in said and "Street_01 and street_01" in said, said
    assert [p.name for p in case_insensitive_folder.iterdir()] == []  # nothing written, no probe left
    written = subprocess.run([*command, str(tmp_path / "voc"), "-j", "1"], capture_output=True, text=True, timeout=300)
    assert written.returncode == 0, written.stderr
    assert "1 set(s) of ids differ only in letter case (Street_01 and street_01)" in " ".join(written.stderr.split())
    assert sorted(p.name for p in (tmp_path / "voc" / "SegmentationClass").iterdir()) == ["Street_01.png", "street_01.png"]
    refused = subprocess.run(
        [sys.executable, "-m", "labeltools", "export", str(source), "--to", "coco", "-d", str(case_insensitive_folder / "coco"), "--val-fraction", "0"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert refused.returncode == 1 and "train/Street_01 and train/street_01" in " ".join(refused.stderr.split()), refused.stderr
    assert [p.name for p in case_insensitive_folder.iterdir()] == []
