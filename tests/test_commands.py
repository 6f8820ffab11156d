"""The command line speaks one language: the shared option spellings in every command, choices
that exit 2 with their list, help that fits 80 columns and ends with examples, and a ``--json``
that holds what the table shows."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import typer
from conftest import make_voc
from PIL import Image
from typer.testing import CliRunner

from labeltools import ClassTable, index_to_rgb, write_label
from labeltools.cli import app

runner = CliRunner()
COMMANDS = typer.main.get_command(app).commands  # type: ignore[attr-defined]

#: One spelling per concept (the README's table of shared options).
SHARED = {
    "classes": ["--classes", "-c"],
    "num_classes": ["--num-classes", "-n"],
    "output_dir": ["--output-dir", "-d"],
    "output": ["--output", "-o"],
    "split": ["--split", "-s"],
    "jobs": ["--jobs", "-j"],
    "dask": ["--dask"],
    "json_path": ["--json"],
}
#: Old spellings kept as hidden aliases: command -> option -> what it stands for.
ALIASES = {
    "convert": {"--labels": "--classes", "-l": "--classes", "-o": "--output-dir"},
    "demo": {"-o": "--output-dir"},
    "export": {"-o": "--output-dir"},
    "excel": {"--names": "--classes"},
    "colormap": {"--num": "--num-classes"},
    "weights": {"--c": "--enet-c"},
    "colorize": {"-o": "--output-dir"},
    "remap": {"-o": "--output-dir"},
}


def run(*args: object) -> Any:
    return runner.invoke(app, [str(a) for a in args])


def piped(*args: object, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "labeltools", *map(str, args)],
        capture_output=True, text=True, env={**os.environ, **env},
    )  # fmt: skip


def flat(text: str) -> str:
    return " ".join(text.replace("│", " ").split())


def test_every_command_spells_the_shared_options_one_way() -> None:
    seen = set()
    for name, command in COMMANDS.items():
        for param in command.params:
            if param.name in SHARED and param.param_type_name == "option" and not param.hidden:
                assert sorted(param.opts) == sorted(SHARED[param.name]), (name, param.opts)
                seen.add(param.name)
        opts = {opt for param in command.params for opt in param.opts}
        if name != "colormap":  # every batch command runs on the engine
            assert {"--jobs", "--dask"} <= opts, name
    assert seen == set(SHARED)


@pytest.mark.parametrize("name", sorted(ALIASES))
def test_old_spellings_are_hidden_aliases(name: str) -> None:
    params = {opt: param for param in COMMANDS[name].params for opt in param.opts}
    for old in ALIASES[name]:
        assert params[old].hidden, (name, old)
    help_text = piped(name, "--help", COLUMNS="200").stdout
    assert not any(f" {old} " in help_text or f" {old}," in help_text for old in ALIASES[name])


def test_the_shared_short_spellings_work(tmp_path: Path) -> None:
    label = np.zeros((6, 8), np.uint8)
    label[1:4, 2:6] = 1
    root = make_voc(tmp_path / "voc", {"a": label, "b": label}, names=["bg", "cat"], train=["a"])
    (tmp_path / "pred").mkdir()
    for image_id in ("a", "b"):
        write_label(tmp_path / "pred" / f"{image_id}.png", label)
    calls = [
        ("stats", root, "-c", tmp_path / "voc" / "class_names.txt", "-s", "train", "-j", "1", "--json", tmp_path / "s.json"),
        ("stats", root, "-n", "2", "-j", "1"),
        ("check", root, "-n", "2", "-j", "1"),
        ("weights", root, "-n", "2", "-s", "train", "-o", tmp_path / "w.npy", "-j", "1"),
        ("evaluate", root, tmp_path / "pred", "-n", "2", "-s", "train", "-c", tmp_path / "voc" / "class_names.txt", "-j", "1"),
        ("colorize", tmp_path / "pred" / "a.png", "-d", tmp_path / "col", "-c", "voc", "-j", "1"),
        ("remap", tmp_path / "pred" / "a.png", "-m", "1:0", "-d", tmp_path / "re", "-j", "1"),
        ("excel", tmp_path / "pred" / "a.png", "-d", tmp_path / "xl", "-c", "voc", "-j", "1"),
        ("excel", tmp_path / "pred" / "a.png", "-o", tmp_path / "one.xlsx", "-c", "voc"),
        ("colormap", "-n", "3", "-c", "voc", "-o", tmp_path / "cm.txt"),
        ("split", root, "-n", "2", "-j", "1"),
    ]  # fmt: skip
    for args in calls:
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)
    assert json.loads((tmp_path / "s.json").read_text())["images"] == 1  # -s train: one image
    assert (tmp_path / "w.npy").exists() and (tmp_path / "one.xlsx").exists() and (tmp_path / "cm.txt").exists()


def test_an_output_folder_argument_can_be_given_as_output_dir(tmp_path: Path) -> None:
    from labeltools.jobs.convert import SAMPLE_DIR

    files = [SAMPLE_DIR / "street_01.json", SAMPLE_DIR / "street_02.json"]
    assert run("convert", *files, tmp_path / "last", "-j", "1").exit_code == 0
    result = run("convert", *files, "-d", tmp_path / "option", "-j", "1")
    assert result.exit_code == 0, result.output
    for last in sorted((tmp_path / "last").rglob("*")):
        option = tmp_path / "option" / last.relative_to(tmp_path / "last")
        assert last.is_dir() or (last.read_bytes() == option.read_bytes()), last  # every argument an input
    assert sorted(p.name for p in (tmp_path / "option" / "SegmentationClass").iterdir()) == ["street_01.png", "street_02.png"]
    assert run("demo", "-d", tmp_path / "demo", "-j", "1").exit_code == 0
    assert (tmp_path / "demo" / "SegmentationClass" / "street_08.png").is_file()
    for name, command in COMMANDS.items():  # a command writing a folder it is given takes -d for it
        arguments = [p.name for p in command.params if p.param_type_name == "argument"]
        if {"output", "outdir"} & set(arguments) and name != "report":  # report's OUTPUT is a file: -o
            assert "--output-dir" in {opt for p in command.params for opt in p.opts}, name


def choice_options() -> list[tuple[str, str, list[str]]]:
    found = []
    for name, command in sorted(COMMANDS.items()):
        for param in command.params:
            described = getattr(param, "type_descriptor", None)
            choices = described.choices if described is not None else getattr(param.type, "choices", None)
            if choices and not param.hidden:
                values = [str(getattr(c, "value", c)) for c in choices]
                found.append((name, max(param.opts, key=len), values))
    return found


def test_the_choice_options_are_the_ones_the_issue_names() -> None:
    options = {option for _, option, _ in choice_options()}
    assert {"--missing", "--scheme", "--unknown", "--on-conflict", "--image-format", "--overlap"} <= options


@pytest.mark.parametrize("name,option,values", choice_options(), ids=lambda v: v if isinstance(v, str) else "")
def test_a_bad_choice_exits_2_listing_the_choices(name: str, option: str, values: list[str]) -> None:
    arguments = [p for p in COMMANDS[name].params if p.param_type_name == "argument" and p.required]
    result = run(name, *["x"] * len(arguments), option, "bogus")
    assert result.exit_code == 2, result.output
    text = flat(result.output)
    assert option in text and "'bogus'" in text
    assert all(f"'{value}'" in text for value in values), text


@pytest.mark.parametrize(
    "args,words",
    [
        (("weights", "x", "-n", "2", "--c", "0.5"), ["--enet-c", "must be above 1"]),
        (("colormap", "-n", "0"), ["--num-classes", "0 is not in the range 1<=x<=16777216"]),
        (("report", "d", "a.html", "-o", "b.html"), ["give the page to write once", "a.html (OUTPUT)", "b.html (--output)"]),
        (("excel", "label.xlsx"), ["label.xlsx is a workbook, not a label file", "--read label.xlsx -o LABEL.png"]),
        (("excel", "grid.ods"), ["grid.ods is a spreadsheet, not a label file", "save it as Excel 2007-365 (.xlsx)", "--read"]),
        (("convert", "onlyone"), ["missing argument", "INPUT... OUTPUT", "dataset folder to write"]),
        (("convert", "-d", "out"), ["missing argument", "INPUT... OUTPUT, or INPUT... --output-dir OUTPUT"]),
        (("demo",), ["missing argument", "takes OUTDIR, or --output-dir OUTDIR"]),
        (("demo", "a", "-d", "b"), ["give the folder to write once", "a (OUTDIR)", "b (--output-dir)"]),
        (("evaluate", "gt"), ["missing argument", "GT PRED"]),
        (("stats",), ["missing argument DATASET"]),
        (("colorize", "a.png"), ["Missing option '--output-dir' / '-d'."]),
        (("remap", "a.png", "-c", "voc"), ["Missing option '--output-dir' / '-d'."]),
        (("export", "a/", "--to", "coco"), ["Missing option '--output-dir' / '-d'."]),
    ],
)
def test_usage_mistakes_exit_2_in_words(args: tuple[str, ...], words: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    text = flat(result.output)
    assert all(word in text for word in words), text


@pytest.mark.parametrize(
    "args,given",
    [
        (("convert", "{sample}/street_01.json", "{out}/street_01.png"), "OUTPUT"),
        (("convert", "{sample}", "-d", "{out}/dataset.zip"), "--output-dir"),
        (("colorize", "{label}", "-o", "{out}/colour.png"), "-o"),
        (("colorize", "{label}", "-d", "{out}/colour.PNG"), "--output-dir"),
        (("remap", "{label}", "-c", "voc", "-d", "{out}/ids.png"), "--output-dir"),
        (("export", "{sample}", "--to", "coco", "-d", "{out}/coco.json"), "--output-dir"),
        (("excel", "{label}", "-d", "{out}/grid.xlsx"), "--output-dir"),
        (("demo", "{out}/demo.zip"), "OUTDIR"),
    ],
)
def test_a_folder_to_write_named_as_a_file_is_refused(args: tuple[str, ...], given: str, tmp_path: Path) -> None:
    """``colorize a.png -o b.png`` made a folder b.png holding a.png, saying only "wrote 1", and
    ``convert a.json a.png`` a dataset folder a.png: a folder to write named as a file (and no
    folder yet) exits 2 saying so, nothing made; the name with a trailing / is that folder."""
    from labeltools.jobs.convert import SAMPLE_DIR

    label, out = tmp_path / "street_01.png", tmp_path / "out"
    write_label(label, np.arange(12, dtype=np.uint8).reshape(3, 4) % 3)
    out.mkdir()
    fill = {"sample": SAMPLE_DIR, "label": label, "out": out}
    filled = [a.format(**fill) for a in args]
    result = run(*filled)
    assert result.exit_code == 2, result.output
    folder = Path(filled[-1])
    ending = folder.suffix
    said = "".join(flat(result.output).split())  # the error panel folds a long path anywhere
    assert "".join(f"{given} {folder}: a {ending.lower()} file's name".split()) in said, result.output
    assert "".join(f"such as {str(folder)[: -len(ending)]}/".split()) in said, result.output
    assert list(out.iterdir()) == []  # nothing made
    if args[0] in ("colorize", "convert"):
        index = filled.index(str(folder))
        filled[index] = f"{folder}/"  # the name with a trailing /: that folder, made
        assert run(*filled, "-j", "1").exit_code == 0
        assert folder.is_dir() and any(folder.rglob("*.png"))
        filled[index] = str(folder)  # and, once it exists, taken as it is
        assert run(*filled, *(["--overwrite"] if args[0] == "convert" else []), "-j", "1").exit_code == 0


def test_every_text_file_is_read_and_written_in_utf8_whatever_the_systems_encoding(tmp_path: Path) -> None:
    """A text file opened without an encoding is in the system's: code page 1252 on an English
    Windows, where a class named 道路 in data.yaml failed to be written (and GBK on a Chinese one,
    where Ultralytics, which reads it as UTF-8, would read other names). Every command that reads
    or writes text runs here with Python's warning of such opens on: none is labeltools'."""
    from labeltools.jobs.convert import SAMPLE_DIR

    voc, out = tmp_path / "voc", tmp_path / "out"
    out.mkdir()
    commands = [
        ("convert", SAMPLE_DIR, voc, "--instances"),
        ("export", SAMPLE_DIR, "--to", "yolo-seg", "-d", out / "yolo"),
        ("export", voc, "--to", "coco", "-d", out / "coco", "--json", out / "export.json"),
        ("stats", voc, "--json", out / "stats.json"),
        ("colormap", "-c", voc / "class_names.txt", "-o", out / "colours.csv"),
        ("colormap", "-n", "5", "-o", out / "colours.gpl"),
        ("evaluate", voc, voc / "SegmentationClass", "--json", out / "scores.json", "--csv", out / "scores.csv"),
        ("weights", voc, "--json", out / "weights.json"),
        ("split", voc, "--json", out / "split.json"),
        ("check", voc, "--json", out / "check.json"),
        ("diff", voc, voc, "--json", out / "diff.json"),
        ("report", voc, "-o", out / "report.html"),
    ]
    for command in commands:
        done = subprocess.run(
            [sys.executable, "-X", "warn_default_encoding", "-m", "labeltools", *map(str, command)],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode in (0, 1), (command, done.stderr[-2000:])  # 1: check's warnings, say
        ours = [line for line in done.stderr.splitlines() if "EncodingWarning" in line and "/labeltools/" in line]
        assert not ours, (command, ours)
    assert (out / "yolo" / "data.yaml").is_file() and (out / "report.html").is_file()


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_fits_80_columns_and_ends_with_examples(name: str) -> None:
    done = piped(name, "--help", COLUMNS="80")
    assert done.returncode == 0
    text = done.stdout
    assert "…" not in text  # rich's mark of a cut word
    for placeholder in ("<bool>", "<str>", "<int", "<float", "<list"):
        assert placeholder not in text, (name, placeholder)
    lines = text.splitlines()
    start = [i for i, line in enumerate(lines) if line.strip() == "Examples:"]
    assert start, f"{name}: no examples"
    examples = []
    for line in lines[start[0] + 1 :]:
        if not line.strip():
            break
        assert line.startswith("   labeltools "), f"{name}: an example folded: {line!r}"
        examples.append(line.strip())
    assert len(examples) >= 2 and all(e.split()[1] == name for e in examples)
    prose = lines[: start[0]]  # paragraphs reflow: no short line inside one
    for this, after in zip(prose, prose[1:]):
        if this.strip() and after.strip() and not this.startswith(" Usage"):
            assert len(this.rstrip()) + len(after.split()[0]) + 1 > 78, f"{name}: stray line break: {this!r}"


def test_top_help_lists_every_command_in_its_panel_with_its_first_paragraph_reflowed() -> None:
    done = piped("--help", COLUMNS="80")
    assert done.returncode == 0 and done.stdout.lstrip().startswith("Usage: labeltools [OPTIONS] COMMAND")
    assert "…" not in done.stdout
    panels: dict[str, str] = {}  # panel title -> its body, flattened
    title = None
    for line in done.stdout.splitlines():
        if line.startswith("╭─ "):
            title = line[3:].split(" ─")[0]
            panels[title] = ""
        elif line.startswith("│") and title is not None:
            panels[title] += " " + line.strip("│ ")
    for name, command in COMMANDS.items():
        first = " ".join(inspect.cleandoc(command.help).split("\n\n")[0].split())
        assert f"{name} {first}" in " ".join(panels[command.rich_help_panel].split()), name
    assert "--version" in panels["Options"] and "--verbose, -v" in panels["Options"]


def test_top_help_leaves_typers_markdown_and_traceback_renderers_unloaded() -> None:
    """They are a third of the start-up of ``labeltools --help``."""
    code = (
        "import sys\nfrom labeltools.cli import main\nsys.argv = ['labeltools', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m in ('typer.rich_utils', 'rich.markdown', 'rich.traceback')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "Train and score" in done.stdout and done.stdout.splitlines()[-1] == "[]"


# --- --json holds what the table shows --------------------------------------------------------


def table_rows(text: str) -> list[list[str]]:
    """The body rows of the rich tables in piped output: one line each, cells split on │."""
    return [[cell.strip() for cell in line.split("│")[1:-1]] for line in text.splitlines() if line.startswith("│")]


@pytest.fixture
def scored(tmp_path: Path) -> dict[str, Path]:
    rng = np.random.default_rng(0)
    labels = {}
    for image_id in ("a", "b", "c", "d"):
        label = rng.integers(0, 3, (8, 10)).astype(np.uint8)
        label[0, :3] = 255
        labels[image_id] = label
    root = make_voc(tmp_path / "voc", labels, names=["bg", "cat", "dog"], train=["a", "b"])
    (root / "ImageSets" / "Segmentation" / "val.txt").write_text("c\nd\n")
    pred = tmp_path / "pred"
    pred.mkdir()
    for image_id, label in labels.items():
        guess = np.where((rng.random(label.shape) < 0.2) | (label == 255), 1, label).astype(np.uint8)
        write_label(pred / f"{image_id}.png", guess)
    return {"root": root, "pred": pred, "tmp": tmp_path}


def json_and_table(*args: object) -> tuple[Any, list[list[str]], str]:
    done = piped(*args, "--json", "-")
    return json.loads(done.stdout), table_rows(done.stderr), done.stderr


def test_stats_json_holds_the_table(scored: dict[str, Path]) -> None:
    data, rows, _ = json_and_table("stats", scored["root"])
    classes = {str(c["index"]): c for c in data["classes"]}
    assert len(rows) == 3
    for index, name, pixels, share, images in rows:
        entry = classes[index]
        assert (entry["name"], entry["pixels"], entry["images"]) == (name, int(pixels), int(images))
        assert f"{entry['share'] * 100:.2f}" == share


def test_weights_json_holds_the_table(scored: dict[str, Path]) -> None:
    data, rows, _ = json_and_table("weights", scored["root"], "-o", scored["tmp"] / "w.npy")
    assert len(rows) == 3
    for (index, name, pixels, share, weight), entry in zip(rows, data["classes"]):
        assert (str(entry["index"]), entry["name"], str(entry["pixels"])) == (index, name, pixels)
        assert f"{entry['weight']:.6g}" == weight
    np.testing.assert_allclose(np.load(scored["tmp"] / "w.npy"), [c["weight"] for c in data["classes"]])


def test_evaluate_json_holds_the_table(scored: dict[str, Path]) -> None:
    data, rows, text = json_and_table("evaluate", scored["root"], scored["pred"], "-n", "3")
    assert len(rows) == 3
    for (index, name, iou, dice, _accuracy, gt, predicted), entry in zip(rows, data["classes"]):
        assert (str(entry["index"]), entry["name"]) == (index, name)
        assert (f"{entry['iou'] * 100:.2f}", f"{entry['dice'] * 100:.2f}") == (iou, dice)
        assert (str(entry["gt_pixels"]), str(entry["pred_pixels"])) == (gt, predicted)
    assert f"mIoU: {data['mean_iou'] * 100:.2f}" in text


def test_check_json_holds_the_table(scored: dict[str, Path]) -> None:
    root = scored["root"]
    bad = np.zeros((8, 10), np.uint8)
    bad[0, 0] = 9
    write_label(root / "SegmentationClass" / "a.png", bad)
    (root / "JPEGImages" / "b.jpg").unlink()
    done = piped("check", root, "--json", "-")
    assert done.returncode == 1
    data, rows = json.loads(done.stdout), table_rows(done.stderr)
    assert [[p["severity"], p["file"], p["message"]] for p in data["problems"]] == rows
    assert data["errors"] == 2 and f"{data['errors']} error(s)" in done.stderr


def test_remap_json_holds_the_table(scored: dict[str, Path]) -> None:
    table = ClassTable.load("voc")
    rgb = index_to_rgb(np.zeros((10, 10), np.uint8), table)
    rgb[0, :3] = (1, 2, 3)
    rgb[1, :2] = (4, 5, 6)
    mask = scored["tmp"] / "mask.png"
    Image.fromarray(rgb).save(mask)
    data, rows, _ = json_and_table("remap", mask, "-c", "voc", "-d", scored["tmp"] / "out")
    causes = {row[0]: int(row[1]) for row in rows if len(row) == 3}
    assert causes["unknown colour"] == data["void"]["unknown"] == 5
    assert causes["all void"] == data["void"]["all"]
    unknown = [row for row in rows if len(row) == 4]  # colour, hex, pixels, file: no swatch in a pipe
    assert [(row[0], int(row[2]), row[3]) for row in unknown] == [
        (str(tuple(u["value"])), u["pixels"], u["example"]) for u in data["unknown"]
    ]


def test_split_json_holds_the_table(scored: dict[str, Path]) -> None:
    data, rows, _ = json_and_table("split", scored["root"], "--val-fraction", "0.5")
    assert len(rows) == 3
    for (index, name, train_images, val_images, *_), entry in zip(rows, data["balance"][0]):
        assert (str(entry["index"]), entry["name"]) == (index, name)
        assert (str(entry["images"]["train"]), str(entry["images"]["val"])) == (train_images, val_images)
    written = (scored["root"] / "ImageSets" / "Segmentation" / "val.txt").read_text().split()
    assert written == data["splits"]["val"]


def test_convert_json_holds_the_summary(tmp_path: Path) -> None:
    from labeltools.jobs.convert import SAMPLE_DIR

    bad = tmp_path / "in"
    bad.mkdir()
    (bad / "broken.json").write_text("{not json")
    done = piped("convert", SAMPLE_DIR, bad, tmp_path / "out", "--json", "-")
    assert done.returncode == 1
    data = json.loads(done.stdout)
    assert f"converted {data['converted']}, failed {data['failed']}" in done.stderr
    assert data["failed"] == 1 and data["failures"][0]["file"].endswith("broken.json")
    assert data["failures"][0]["error"] in done.stderr
    assert f"{data['splits']['trainval']} images, {len(data['classes'])} classes" in done.stdout + done.stderr


def test_every_batch_json_lists_its_failures(scored: dict[str, Path]) -> None:
    root, pred, tmp = scored["root"], scored["pred"], scored["tmp"]
    (pred / "b.png").write_bytes(b"not a png")
    junk = tmp / "junk.png"
    junk.write_bytes(b"neither")
    runs = {
        "evaluate": ("evaluate", root, pred, "-n", "3"),
        "remap": ("remap", junk, pred / "a.png", "-m", "1:0", "-d", tmp / "out"),
        "stats": ("stats", tmp / "out"),
    }
    for name, args in runs.items():
        if name == "stats":  # a folder of labels holding one that is not one
            (tmp / "out" / "c.png").write_bytes(b"broken")
            args = ("stats", "--labels-dir", tmp / "out", "-n", "3")
        done = piped(*args, "--json", "-")
        assert done.returncode == 1, (name, done.stderr)
        data = json.loads(done.stdout)
        assert data["failed"] == len(data["failures"]) == 1, (name, data)
        failure = data["failures"][0]
        assert f"failed: {failure['error']}" in done.stderr, name
        assert Path(failure["file"]).name in {"b.png", "junk.png", "c.png"}, (name, failure)
