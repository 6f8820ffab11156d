from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pytest
from PIL import Image
from typer.testing import CliRunner

from labeltools.cli import app
from labeltools.labelpng import read_label, read_label_palette, write_label

runner = CliRunner()


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args])


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


def test_excel_writes_beside_the_first_input_by_default(tmp_path: Path, labels) -> None:
    result = invoke("excel", tmp_path / "first.png", tmp_path / "second.png")
    assert result.exit_code == 0, result.output
    book = tmp_path / "first.xlsx"
    assert f"wrote {book} (2 grid sheet(s))" in result.output
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["first", "second", "Classes", "Info"]
    np.testing.assert_array_equal(grid(book, "second"), labels["second"])
    names = {r[2] for r in wb["Classes"].iter_rows(min_row=2, values_only=True)}
    assert names == {"background", "bicycle", "dog", "void"}  # the VOC preset's


def test_excel_options_reach_the_workbook(tmp_path: Path, labels) -> None:
    (tmp_path / "names.txt").write_text("bg\none\ntwo\n")
    book = tmp_path / "out" / "x.xlsx"
    book.parent.mkdir()
    result = invoke(
        "excel", tmp_path / "first.png", "-o", book, "--crop", "2,1,5,4", "--step", "2",
        "--no-fill", "--names", tmp_path / "names.txt",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    np.testing.assert_array_equal(grid(book, "first"), labels["first"][1:5:2, 2:7:2])
    wb = openpyxl.load_workbook(book)
    assert not list(wb["first"].conditional_formatting)
    assert [r[2] for r in wb["Classes"].iter_rows(min_row=2, values_only=True)] == ["bg", "class_12", "void"]


def test_excel_output_dir_writes_one_workbook_per_input(tmp_path: Path, labels) -> None:
    result = invoke("excel", tmp_path / "first.png", tmp_path / "second.png", "--output-dir", tmp_path / "books", "-j", "1")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "books").iterdir()) == ["first.xlsx", "second.xlsx"]
    np.testing.assert_array_equal(grid(tmp_path / "books" / "first.xlsx", "first"), labels["first"])


def test_excel_goes_on_past_a_bad_file_and_exits_1(tmp_path: Path, labels) -> None:
    (tmp_path / "broken.png").write_bytes(b"nope")
    result = invoke("excel", tmp_path / "broken.png", tmp_path / "second.png", "-o", tmp_path / "b.xlsx")
    assert result.exit_code == 1
    assert "broken.png: cannot read image" in result.output
    assert "wrote 1, failed 1" in result.output
    assert openpyxl.load_workbook(tmp_path / "b.xlsx").sheetnames == ["second", "Classes", "Info"]


def test_excel_refuses_a_grid_over_excels_limits(tmp_path: Path) -> None:
    Image.fromarray(np.zeros((3, 17000), dtype=np.uint8)).save(tmp_path / "wide.png")
    result = invoke("excel", tmp_path / "wide.png")
    assert result.exit_code == 1
    output = result.output.replace("\n", "")
    assert "the 17000x3 label (width x height)" in output
    assert "--step 2" in output and "--crop 0,0,16383,3" in output
    assert not (tmp_path / "wide.xlsx").exists()


def test_excel_read_round_trip(tmp_path: Path, labels) -> None:
    assert invoke("excel", tmp_path / "first.png", tmp_path / "second.png").exit_code == 0
    wb = openpyxl.load_workbook(tmp_path / "first.xlsx")
    wb["first"]["B3"] = 4
    wb.save(tmp_path / "first.xlsx")
    result = invoke("excel", "--read", tmp_path / "first.xlsx", "-o", tmp_path / "fixed.png")
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and "(8x6)" in result.output
    expected = labels["first"].copy()
    expected[1, 0] = 4
    np.testing.assert_array_equal(read_label(tmp_path / "fixed.png"), expected)
    result = invoke("excel", "--read", tmp_path / "first.xlsx", "--sheet", "second", "-o", tmp_path / "s.png")
    assert result.exit_code == 0, result.output
    np.testing.assert_array_equal(read_label(tmp_path / "s.png"), labels["second"])


def test_excel_read_colours_the_png_with_names(tmp_path: Path, labels) -> None:
    invoke("excel", tmp_path / "second.png")
    (tmp_path / "t.csv").write_text("index,name,r,g,b\n0,bg,0,0,0\n2,two,1,2,3\n")
    result = invoke("excel", "--read", tmp_path / "second.xlsx", "-o", tmp_path / "c.png", "--names", tmp_path / "t.csv")
    assert result.exit_code == 0, result.output
    _, palette = read_label_palette(tmp_path / "c.png")
    assert tuple(palette[2]) == (1, 2, 3)


def test_excel_read_errors_give_the_cell_and_exit_1(tmp_path: Path, labels) -> None:
    invoke("excel", tmp_path / "first.png")
    wb = openpyxl.load_workbook(tmp_path / "first.xlsx")
    wb["first"]["D5"] = "car"
    wb.save(tmp_path / "first.xlsx")
    result = invoke("excel", "--read", tmp_path / "first.xlsx", "-o", tmp_path / "fixed.png")
    assert result.exit_code == 1
    assert "cell D5: expected a class index" in result.output.replace("\n", "")
    assert not (tmp_path / "fixed.png").exists()
    result = invoke("excel", "--read", tmp_path / "first.xlsx", "-o", tmp_path / "x.png", "--sheet", "nope")
    assert result.exit_code == 1 and "no sheet named 'nope'" in result.output


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
    ],
)
def test_excel_usage_errors_exit_2(tmp_path: Path, labels, monkeypatch, args, message) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("excel", *args)
    assert result.exit_code == 2
    assert message in " ".join(result.output.replace("│", " ").split())
