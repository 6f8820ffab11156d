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
    for name in ("colormap", "colorize", "demo"):
        assert name in result.stdout


def test_demo_writes_into_outdir(tmp_path):
    result = run("demo", tmp_path / "demo")
    assert result.exit_code == 0, result.stderr
    written = [p for p in (tmp_path / "demo").rglob("*") if p.is_file()]
    assert written and all(str(p) in result.stdout.replace("\n", "") for p in written[:1])
