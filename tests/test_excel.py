from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from helpers import edit_flat_cells, soffice_convert
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image
from typer.testing import CliRunner

from labeltools.cli import app
from labeltools.core.colormap import VOID_COLOR, voc_colormap
from labeltools.core.errors import ClassTableError, LabelFileError, WorkbookError
from labeltools.core.options import VOID
from labeltools.core.version import __version__
from labeltools.formats.excel import (
    CELL_WIDTH,
    CORNER_TEXT,
    EXCEL_MAX_COLUMNS,
    EXCEL_MAX_ROWS,
    GRID_FONT_SIZE,
    GridRegion,
    _splice,
    excel_to_label,
    label_to_excel,
    parse_crop,
    plan_grid,
    sheet_title,
    void_color,
)
from labeltools.formats.labels import read_label, read_label_palette, write_gray_label, write_label
from labeltools.jobs.excel import (
    excel_to_label_file,
    label_file_to_excel,
    label_files_to_excel,
    label_files_to_workbook,
    resolve_class_names,
)


def make_label(height: int = 12, width: int = 17, seed: int = 0) -> np.ndarray:
    """Blocks of classes 0, 1, 3 and 15 with a void border, like a VOC mask."""
    label = np.zeros((height, width), dtype=np.uint8)
    label[2:9, 3:12] = 15
    label[4:7, 5:8] = 3
    label[height - 3 :, width - 5 :] = 1
    label[1, :] = VOID
    rng = np.random.default_rng(seed)
    label[rng.integers(0, height, 5), rng.integers(0, width, 5)] = VOID
    return label


def grid_of(sheet) -> np.ndarray:
    """The values below the header row and right of the header column."""
    return np.array([row[1:] for row in sheet.iter_rows(min_row=2, values_only=True)])


def rules_of(sheet) -> dict[int, object]:
    found = {}
    for cf in sheet.conditional_formatting:
        for rule in cf.rules:
            assert rule.type == "cellIs" and rule.operator == "equal"
            found[int(rule.formula[0])] = (str(cf.sqref), rule)
    return found


def argb(color) -> str:
    return "FF" + "".join(f"{int(v):02X}" for v in color)


# --- grid values ------------------------------------------------------------------------------


def test_grid_values_and_coordinate_headers_equal_the_label(tmp_path: Path) -> None:
    label = make_label()
    book = tmp_path / "grid.xlsx"
    assert label_to_excel(label, book) == "label"
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["label", "Classes", "Info"]
    ws = wb["label"]
    np.testing.assert_array_equal(grid_of(ws), label)
    assert ws["A1"].value == CORNER_TEXT
    assert [c.value for c in ws[1][1:]] == list(range(label.shape[1]))
    assert [ws.cell(row=r, column=1).value for r in range(2, label.shape[0] + 2)] == list(
        range(label.shape[0])
    )
    assert all(c.data_type == "n" for row in ws.iter_rows(min_row=2, min_col=2) for c in row)


@pytest.mark.parametrize(
    "crop, step",
    [((3, 4, 10, 6), 1), (None, 3), ((2, 1, 14, 11), 4), ((16, 11, 1, 1), 1), (None, 50)],
)
def test_crop_and_step_select_the_pixels_and_their_coordinates(tmp_path, crop, step) -> None:
    label = make_label()
    book = tmp_path / "part.xlsx"
    label_to_excel(label, book, crop=crop, step=step)
    x, y, w, h = crop or (0, 0, label.shape[1], label.shape[0])
    ws = openpyxl.load_workbook(book)["label"]
    np.testing.assert_array_equal(grid_of(ws), label[y : y + h : step, x : x + w : step])
    assert [c.value for c in ws[1][1:]] == list(range(x, x + w, step))
    assert [row[0] for row in ws.iter_rows(min_row=2, values_only=True)] == list(range(y, y + h, step))


def test_grid_sheet_is_a_compact_frozen_view(tmp_path: Path) -> None:
    label = make_label()
    book = tmp_path / "view.xlsx"
    label_to_excel(label, book)
    ws = openpyxl.load_workbook(book)["label"]
    assert ws.freeze_panes == "B2"
    columns = ws.column_dimensions["B"]
    assert (columns.min, columns.max, columns.width) == (2, label.shape[1] + 1, CELL_WIDTH)
    assert ws.row_dimensions[5].height < 15 and ws.sheet_format.customHeight
    assert ws["C5"].font.sz == GRID_FONT_SIZE
    assert ws["A5"].font.b and ws["C1"].alignment.textRotation == 90


def test_does_not_touch_the_callers_array(tmp_path: Path) -> None:
    label = make_label()
    label.setflags(write=False)
    before = label.copy()
    label_to_excel(label, tmp_path / "a.xlsx", crop=(1, 1, 5, 5), step=2)
    np.testing.assert_array_equal(label, before)


def test_int_arrays_with_minus_one_are_void(tmp_path: Path) -> None:
    label = np.array([[0, -1], [2, 3]])
    label_to_excel(label, tmp_path / "a.xlsx")
    assert excel_to_label(tmp_path / "a.xlsx").tolist() == [[0, 255], [2, 3]]


def test_a_bad_array_is_rejected_before_writing(tmp_path: Path) -> None:
    with pytest.raises(LabelFileError, match="2-D"):
        label_to_excel(np.zeros((2, 2, 3)), tmp_path / "a.xlsx")
    assert not list(tmp_path.iterdir())


# --- colours ----------------------------------------------------------------------------------


def test_rules_carry_the_files_own_palette_and_readable_font_colours(tmp_path: Path) -> None:
    label = make_label()
    colors = [(250, 250, 250), (10, 20, 30), (1, 2, 3), (200, 10, 10)]
    palette = np.array(voc_colormap(256))
    palette[: len(colors)] = colors
    palette[15] = (255, 255, 0)
    palette[VOID] = (0, 128, 255)
    source = tmp_path / "own.png"
    write_label(source, label, palette)
    label_file_to_excel(source)
    ws = openpyxl.load_workbook(tmp_path / "own.xlsx")["own"]
    rules = rules_of(ws)
    assert sorted(rules) == sorted(int(v) for v in np.unique(label))
    for index, (sqref, rule) in rules.items():
        assert sqref == f"B2:R{label.shape[0] + 1}"
        assert rule.dxf.fill.fill_type == "solid"
        assert rule.dxf.fill.bgColor.rgb == argb(palette[index]) == rule.dxf.fill.fgColor.rgb
    font = {i: rule.dxf.font.color.rgb for i, (_, rule) in rules.items()}
    assert font[0] == "FF000000"  # near-white class: black text
    assert font[1] == "FFFFFFFF"  # dark class: white text
    assert font[15] == "FF000000"
    assert rules[VOID][1].dxf.font.b  # void cells also stand out by their bold text


def test_grayscale_files_get_the_voc_colours(tmp_path: Path) -> None:
    label = make_label()
    write_gray_label(tmp_path / "gray.png", label)
    label_file_to_excel(tmp_path / "gray.png")
    rules = rules_of(openpyxl.load_workbook(tmp_path / "gray.xlsx")["gray"])
    voc = voc_colormap(256)
    for index in (0, 1, 3, 15):
        assert rules[index][1].dxf.fill.bgColor.rgb == argb(voc[index])
    assert rules[VOID][1].dxf.fill.bgColor.rgb == argb(VOID_COLOR)


def test_void_stays_distinct_when_the_palette_gives_it_a_class_colour(tmp_path: Path) -> None:
    label = np.array([[0, 0, 255], [1, 255, 0]], dtype=np.uint8)
    palette = np.zeros((256, 3), dtype=np.uint8)  # short PNG palettes read back as black
    palette[1] = (128, 0, 0)
    write_label(tmp_path / "short.png", label, palette)
    label_file_to_excel(tmp_path / "short.png")
    rules = rules_of(openpyxl.load_workbook(tmp_path / "short.xlsx")["short"])
    assert rules[0][1].dxf.fill.bgColor.rgb == "FF000000"
    assert rules[VOID][1].dxf.fill.bgColor.rgb == argb(VOID_COLOR)


def test_void_color_falls_back_in_order() -> None:
    palette = np.zeros((256, 3), dtype=np.uint8)
    palette[VOID] = (9, 9, 9)
    assert void_color(palette, [0, VOID]) == (9, 9, 9)
    palette[2] = (9, 9, 9)
    assert void_color(palette, [0, 2, VOID]) == VOID_COLOR
    palette[3] = VOID_COLOR
    assert void_color(palette, [0, 2, 3]) == (255, 0, 255)
    palette[4] = (255, 0, 255)
    assert void_color(palette, [2, 3, 4]) == (128, 128, 128)


def test_no_fill_writes_plain_numbers(tmp_path: Path) -> None:
    label = make_label()
    label_to_excel(label, tmp_path / "plain.xlsx", fill=False)
    ws = openpyxl.load_workbook(tmp_path / "plain.xlsx")["label"]
    assert rules_of(ws) == {}
    np.testing.assert_array_equal(grid_of(ws), label)


def test_rules_only_for_classes_in_the_grid(tmp_path: Path) -> None:
    label = make_label()
    label[9:12, 0:6] = 0
    label_to_excel(label, tmp_path / "crop.xlsx", crop=(0, 9, 6, 3))  # background only
    wb = openpyxl.load_workbook(tmp_path / "crop.xlsx")
    assert sorted(rules_of(wb["label"])) == [0]
    rows = list(wb["Classes"].iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows] == [0, 1, 3, 15, 255]  # the file's classes, all counted
    assert [r[6] for r in rows] == [18, 0, 0, 0, 0]  # ... and how many the grid shows


# --- Classes and Info sheets ------------------------------------------------------------------


def test_classes_sheet_counts_names_and_swatches(tmp_path: Path) -> None:
    dataset = tmp_path / "dataset"
    (dataset / "SegmentationClass").mkdir(parents=True)
    (dataset / "class_names.txt").write_text("_background_\nroad\ncar\ntree\n")
    label = np.array([[0, 0, 1, 1], [2, 2, 2, 255]], dtype=np.uint8)
    source = dataset / "SegmentationClass" / "0001.png"
    write_label(source, label)
    label_file_to_excel(source, tmp_path / "out.xlsx", step=2)
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx")["Classes"]
    header, *rows = list(ws.iter_rows(values_only=True))
    assert header == ("sheet", "index", "name", "colour", "pixels", "% of image", "cells in grid")
    assert [r[:3] for r in rows] == [
        ("0001", 0, "_background_"), ("0001", 1, "road"), ("0001", 2, "car"), ("0001", 255, "void")
    ]  # fmt: skip
    assert [r[4] for r in rows] == [2, 2, 3, 1]
    assert [r[5] for r in rows] == pytest.approx([0.25, 0.25, 0.375, 0.125])
    assert [r[6] for r in rows] == [1, 1, 0, 0]  # step 2 shows pixels (x=0, y=0) and (x=2, y=0)
    assert ws["F2"].number_format == "0.00%"
    voc = voc_colormap(256)
    for row in range(2, 5):
        swatch = ws.cell(row=row, column=4)
        index = ws.cell(row=row, column=2).value
        assert swatch.value == "#{:02x}{:02x}{:02x}".format(*voc[index])
        assert swatch.fill.fgColor.rgb == argb(voc[index])


def test_class_names_come_from_names_then_dataset_then_voc(tmp_path: Path) -> None:
    (tmp_path / "labels").mkdir()
    source = tmp_path / "labels" / "a.png"
    assert resolve_class_names(source).names[15] == "person"
    (tmp_path / "class_names.txt").write_text("bg\nthing\n")
    assert resolve_class_names(source).names == ["bg", "thing"]
    (tmp_path / "labels" / "class_names.txt").write_text("near\n")
    assert resolve_class_names(source).names == ["near"]
    assert resolve_class_names(source, ["x", "y"]).names == ["x", "y"]
    assert resolve_class_names(source, "cityscapes").name_of(7) == "road"


def test_info_sheet_records_the_source(tmp_path: Path) -> None:
    label = make_label()
    write_label(tmp_path / "pal.png", label)
    write_gray_label(tmp_path / "gray.png", label)
    results = list(
        label_files_to_workbook(
            [tmp_path / "pal.png", tmp_path / "gray.png"], tmp_path / "both.xlsx", crop=(1, 2, 8, 6), step=2
        )
    )
    assert [r.data for r in results] == ["pal", "gray"]
    rows = list(openpyxl.load_workbook(tmp_path / "both.xlsx")["Info"].iter_rows(values_only=True))
    assert rows[0][:4] == ("sheet", "source", "width", "height")
    assert rows[1] == ("pal", str(tmp_path / "pal.png"), 17, 12, "P", "yes", "1,2,8,6", 2, "4x3", __version__)
    assert rows[2][:6] == ("gray", str(tmp_path / "gray.png"), 17, 12, "L", "no")


def test_formula_looking_text_stays_text(tmp_path: Path) -> None:
    names = ['=HYPERLINK("http://example.com","x")', "+1", "-cmd", "@SUM(A1)", "plain"]
    label = np.arange(5, dtype=np.uint8).reshape(1, 5)
    book = tmp_path / "safe.xlsx"
    label_to_excel(label, book, names=names, source="=1+1")
    ws = openpyxl.load_workbook(book)["Classes"]
    cells = [ws.cell(row=r, column=3) for r in range(2, 7)]
    assert [c.value for c in cells] == names
    assert all(c.data_type == "s" for c in cells)
    assert [c.quotePrefix for c in cells] == [True, True, True, True, False]
    info = openpyxl.load_workbook(book)["Info"]["B2"]
    assert (info.value, info.data_type) == ("=1+1", "s")
    with zipfile.ZipFile(book) as archive:
        xml = b"".join(archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>" not in xml and b"<f " not in xml


# --- limits, crop, step -----------------------------------------------------------------------


def test_limit_check_suggests_a_step_and_a_crop_for_wide_images() -> None:
    with pytest.raises(WorkbookError) as info:
        plan_grid((10, 20000), source="wide.png")
    message = str(info.value)
    assert "wide.png: the 20000x10 label (width x height)" in message
    assert "20,001 columns" in message and "16,384 columns" in message
    assert "--step 2" in message and "--crop 0,0,16383,10" in message


def test_limit_check_for_tall_images_and_with_crop_and_step() -> None:
    with pytest.raises(WorkbookError, match=r"--step 2\b.*--crop 0,0,10,1048575"):
        plan_grid((EXCEL_MAX_ROWS, 10))
    with pytest.raises(WorkbookError) as info:
        plan_grid((5_000_000, 40_000), crop=(100, 200, 39_000, 4_000_000), step=2)
    message = str(info.value)
    assert "40000x5000000 label (width x height) (crop 100,200,39000,4000000, step 2)" in message
    assert "--step 4" in message  # ceil(4e6 / 1048575) = 4, ceil(39000 / 16383) = 3
    assert "--crop 100,200,32766,2097150" in message


def test_limit_check_accepts_the_largest_grid_that_fits() -> None:
    region = plan_grid((EXCEL_MAX_ROWS - 1, EXCEL_MAX_COLUMNS - 1), max_cells=EXCEL_MAX_ROWS * EXCEL_MAX_COLUMNS)
    assert (region.rows + 1, region.columns + 1) == (EXCEL_MAX_ROWS, EXCEL_MAX_COLUMNS)
    with pytest.raises(WorkbookError):
        plan_grid((EXCEL_MAX_ROWS - 1, EXCEL_MAX_COLUMNS), max_cells=EXCEL_MAX_ROWS * EXCEL_MAX_COLUMNS)
    assert plan_grid((3 * (EXCEL_MAX_ROWS - 1), 10), step=3, max_cells=10**7).rows == EXCEL_MAX_ROWS - 1
    with pytest.raises(WorkbookError):
        plan_grid((3 * (EXCEL_MAX_ROWS - 1) + 1, 10), step=3, max_cells=10**7)  # one more pixel, one more row


def test_a_grid_above_the_cell_budget_is_refused_with_settings_that_fit() -> None:
    assert plan_grid((2000, 2000)).columns == 2000  # 4,000,000 cells: the default budget
    with pytest.raises(WorkbookError, match=r"a\.png: the 2001x2000 label \(width x height\) needs a grid of 4,002,000 "
                       r"cells, above the budget of 4,000,000 cells \(--max-cells\); show every 2nd pixel with "
                       r"--step 2, or part of the image with --crop 0,0,2001,1999"):
        plan_grid((2000, 2001), source="a.png")
    assert plan_grid((2000, 2001), step=2).columns == 1001
    assert plan_grid((2000, 2001), crop=(0, 0, 2001, 1999)).rows == 1999
    with pytest.raises(WorkbookError, match="budget of 100 cells"):
        plan_grid((20, 20), max_cells=100)


def test_a_label_over_the_limit_writes_nothing(tmp_path: Path) -> None:
    Image.fromarray(np.zeros((1, 20000), dtype=np.uint8)).save(tmp_path / "wide.png")
    with pytest.raises(WorkbookError, match="--step 2"):
        label_file_to_excel(tmp_path / "wide.png")
    with pytest.raises(WorkbookError, match="--crop 0,0,16383,1"):
        label_to_excel(np.zeros((1, 20000), dtype=np.uint8), tmp_path / "array.xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wide.png"]


def test_crop_must_lie_inside_the_image() -> None:
    with pytest.raises(WorkbookError, match=r"a.png: crop 10,0,8,5 does not lie inside the 17x12 image"):
        plan_grid((12, 17), crop=(10, 0, 8, 5), source="a.png")
    assert plan_grid((12, 17), crop=(10, 0, 7, 12)) == GridRegion(10, 0, 7, 12, 1)


@pytest.mark.parametrize("step", [0, -1, 1.5, True])
def test_step_must_be_a_positive_whole_number(step) -> None:
    with pytest.raises(WorkbookError, match="step must be a whole number of at least 1"):
        plan_grid((4, 4), step=step)


def test_parse_crop() -> None:
    assert parse_crop("1, 2,30,40") == (1, 2, 30, 40)
    with pytest.raises(WorkbookError, match=r"crop must be X,Y,W,H .* got '1,2,3'"):
        parse_crop("1,2,3")
    with pytest.raises(WorkbookError, match="crop must be X,Y,W,H"):
        parse_crop("a,b,c,d")
    with pytest.raises(WorkbookError, match="X and Y must be 0 or more and W and H at least 1"):
        parse_crop("0,0,0,5")


# --- sheet names ------------------------------------------------------------------------------


def test_sheet_titles_are_sanitised() -> None:
    taken: set[str] = set()
    assert sheet_title("a[b]:c*d?e/f\\g", taken) == "a_b__c_d_e_f_g"
    assert sheet_title("x" * 40, taken) == "x" * 31
    assert sheet_title("'quoted'", taken) == "quoted"
    assert sheet_title("'''", taken) == "Sheet"
    assert all(len(t) <= 31 for t in taken)


def test_sheet_titles_are_unique_case_insensitively_and_avoid_reserved_ones() -> None:
    taken: set[str] = set()
    assert [sheet_title(n, taken) for n in ("img", "IMG", "img", "Classes", "info", "history")] == [
        "img", "IMG (2)", "img (3)", "Classes (2)", "info (2)", "history (2)"
    ]  # fmt: skip
    long = "y" * 31
    assert sheet_title(long, taken) == long
    assert sheet_title(long, taken) == "y" * 27 + " (2)"
    assert sheet_title("y" * 35, taken) == "y" * 27 + " (3)"


def test_one_workbook_for_several_inputs_with_clashing_names(tmp_path: Path) -> None:
    label = make_label()
    for folder in ("train", "val"):
        (tmp_path / folder).mkdir()
        write_label(tmp_path / folder / "img:1.png", label + (folder == "val"))
    sources = [tmp_path / "train" / "img:1.png", tmp_path / "val" / "img:1.png"]
    results = list(label_files_to_workbook(sources, tmp_path / "book.xlsx"))
    assert [r.data for r in results] == ["img_1", "img_1 (2)"]
    assert all(r.ok and r.outputs == (str(tmp_path / "book.xlsx"),) for r in results)
    wb = openpyxl.load_workbook(tmp_path / "book.xlsx")
    assert wb.sheetnames == ["img_1", "img_1 (2)", "Classes", "Info"]
    np.testing.assert_array_equal(grid_of(wb["img_1 (2)"]), label + 1)
    assert {r[0] for r in wb["Classes"].iter_rows(min_row=2, values_only=True)} == {"img_1", "img_1 (2)"}


# --- batches ----------------------------------------------------------------------------------


def test_a_bad_file_is_reported_and_the_rest_written(tmp_path: Path) -> None:
    label = make_label()
    write_label(tmp_path / "good.png", label)
    (tmp_path / "broken.png").write_bytes(b"not a png")
    Image.fromarray(np.zeros((4, 4, 3), dtype=np.uint8)).save(tmp_path / "rgb.png")
    sources = [tmp_path / "broken.png", tmp_path / "good.png", tmp_path / "rgb.png", tmp_path / "gone.png"]
    results = list(label_files_to_workbook(sources, tmp_path / "book.xlsx"))
    assert [r.ok for r in results] == [False, True, False, False]
    assert "broken.png: cannot read image" in results[0].error
    assert "rgb.png: is a colour image (mode RGB), not a label map" in results[2].error
    assert "gone.png: no such file" in results[3].error
    assert openpyxl.load_workbook(tmp_path / "book.xlsx").sheetnames == ["good", "Classes", "Info"]


def test_no_workbook_when_every_file_is_bad(tmp_path: Path) -> None:
    (tmp_path / "broken.png").write_bytes(b"not a png")
    results = list(label_files_to_workbook([tmp_path / "broken.png"], tmp_path / "book.xlsx"))
    assert not results[0].ok
    assert not (tmp_path / "book.xlsx").exists()


def test_bad_names_fail_before_any_file_is_read(tmp_path: Path) -> None:
    with pytest.raises(ClassTableError, match="nope.txt: no such class table file"):
        label_files_to_workbook([tmp_path / "a.png"], tmp_path / "book.xlsx", names=tmp_path / "nope.txt")


@pytest.mark.parametrize("jobs", [1, 2])
def test_one_workbook_per_input(tmp_path: Path, jobs: int) -> None:
    labels = {"a": make_label(seed=1), "b": make_label(7, 5, seed=2)}
    for stem, label in labels.items():
        write_label(tmp_path / f"{stem}.png", label)
    (tmp_path / "c.png").write_bytes(b"broken")
    sources = [tmp_path / "a.png", tmp_path / "c.png", tmp_path / "b.png"]
    results = list(label_files_to_excel(sources, tmp_path / "out", step=1, jobs=jobs))
    assert [r.ok for r in results] == [True, False, True]
    assert results[0].outputs == (str(tmp_path / "out" / "a.xlsx"),)
    for stem, label in labels.items():
        np.testing.assert_array_equal(excel_to_label(tmp_path / "out" / f"{stem}.xlsx"), label)
    assert not (tmp_path / "out" / "c.xlsx").exists()


def test_one_workbook_per_input_refuses_clashing_stems(tmp_path: Path) -> None:
    with pytest.raises(LabelFileError, match="same output file"):
        label_files_to_excel([tmp_path / "a" / "x.png", tmp_path / "b" / "x.png"], tmp_path / "out")


# --- reading back -----------------------------------------------------------------------------


def test_round_trip_with_an_edited_cell(tmp_path: Path) -> None:
    label = make_label()
    source = tmp_path / "mask.png"
    write_label(source, label)
    label_file_to_excel(source)
    wb = openpyxl.load_workbook(tmp_path / "mask.xlsx")
    wb["mask"]["C4"] = 7  # pixel (x=1, y=2)
    wb["mask"]["D4"] = 9.0  # spreadsheets may store whole numbers as floats
    wb.save(tmp_path / "mask.xlsx")
    expected = label.copy()
    expected[2, 1], expected[2, 2] = 7, 9
    result = excel_to_label_file(tmp_path / "mask.xlsx", tmp_path / "fixed.png")
    assert result.data == label.shape
    back, palette = read_label_palette(tmp_path / "fixed.png")
    np.testing.assert_array_equal(back, expected)
    assert palette is not None


@settings(max_examples=15, deadline=None)
@given(arrays(np.uint8, st.tuples(st.integers(1, 5), st.integers(1, 6))))
def test_round_trip_of_any_label(tmp_path_factory, label) -> None:
    book = tmp_path_factory.mktemp("rt") / "any.xlsx"
    label_to_excel(label, book)
    np.testing.assert_array_equal(excel_to_label(book), label)


def test_reads_a_named_sheet_and_a_headerless_grid(tmp_path: Path) -> None:
    label = make_label()
    write_label(tmp_path / "a.png", label)
    write_label(tmp_path / "b.png", label.T)
    list(label_files_to_workbook([tmp_path / "a.png", tmp_path / "b.png"], tmp_path / "ab.xlsx"))
    np.testing.assert_array_equal(excel_to_label(tmp_path / "ab.xlsx", sheet="b"), label.T)
    np.testing.assert_array_equal(excel_to_label(tmp_path / "ab.xlsx"), label)
    wb = openpyxl.Workbook()  # the plain dump people make by hand
    for row in label.tolist():
        wb.active.append(row)
    wb.save(tmp_path / "plain.xlsx")
    np.testing.assert_array_equal(excel_to_label(tmp_path / "plain.xlsx"), label)


def test_reading_back_a_part_of_a_label_says_so(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    label = make_label(12, 16)
    write_label(tmp_path / "a.png", label)
    for name, options in (("whole", {}), ("stepped", {"step": 4}), ("cropped", {"crop": (2, 1, 8, 6), "step": 2})):
        list(label_files_to_workbook([tmp_path / "a.png"], tmp_path / f"{name}.xlsx", **options))
    with caplog.at_level("WARNING", logger="labeltools"):
        np.testing.assert_array_equal(excel_to_label(tmp_path / "whole.xlsx"), label)
    assert caplog.text == ""
    with caplog.at_level("WARNING", logger="labeltools"):
        np.testing.assert_array_equal(excel_to_label(tmp_path / "stepped.xlsx"), label[::4, ::4])
        np.testing.assert_array_equal(excel_to_label(tmp_path / "cropped.xlsx"), label[1:7:2, 2:10:2])
    source = tmp_path / "a.png"
    assert (
        f"stepped.xlsx, sheet 'a': the grid shows one pixel in 4 each way of the 16x12 label {source}: "
        "read back, it is a 4x3 label, not one of the source's size"
    ) in caplog.text
    assert f"the grid shows one pixel in 2 each way of the region 2,1,8,6 (x,y,w,h) of the 16x12 label {source}: read back, it is a 4x3 label" in caplog.text


def test_a_cleared_corner_still_marks_the_headers(tmp_path: Path) -> None:
    label = make_label(3, 4)
    label_to_excel(label, tmp_path / "a.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "a.xlsx")
    wb["label"]["A1"] = None
    wb.save(tmp_path / "a.xlsx")
    np.testing.assert_array_equal(excel_to_label(tmp_path / "a.xlsx"), label)


def test_writes_into_new_folders(tmp_path: Path) -> None:
    label_to_excel(make_label(), tmp_path / "new" / "a.xlsx")
    excel_to_label_file(tmp_path / "new" / "a.xlsx", tmp_path / "other" / "a.png")
    np.testing.assert_array_equal(read_label_palette(tmp_path / "other" / "a.png")[0], make_label())


def test_workbooks_are_the_same_without_lxml(tmp_path: Path) -> None:
    """openpyxl falls back to the standard library's XML when lxml is missing or switched off."""
    code = (
        "import sys, numpy as np, openpyxl\n"
        "from labeltools.formats.excel import label_to_excel\n"
        "assert not openpyxl.LXML\n"
        "label_to_excel(np.load(sys.argv[1]), sys.argv[2], crop=(1, 1, 9, 7))\n"
    )
    np.save(tmp_path / "label.npy", make_label())
    env = dict(os.environ, OPENPYXL_LXML="False")
    root = Path(__file__).resolve().parents[1]
    subprocess.run(
        [sys.executable, "-c", code, tmp_path / "label.npy", tmp_path / "stdlib.xlsx"],
        check=True, env=env, cwd=root,
    )  # fmt: skip
    label_to_excel(make_label(), tmp_path / "lxml.xlsx", crop=(1, 1, 9, 7))
    with zipfile.ZipFile(tmp_path / "stdlib.xlsx") as a, zipfile.ZipFile(tmp_path / "lxml.xlsx") as b:
        sheet = "xl/worksheets/sheet1.xml"
        assert a.read(sheet).replace(b" />", b"/>") == b.read(sheet)
    np.testing.assert_array_equal(excel_to_label(tmp_path / "stdlib.xlsx"), make_label()[1:8, 1:10])


def test_spooled_rows_give_the_bytes_of_rows_parsed_one_by_one(tmp_path: Path, monkeypatch) -> None:
    """With lxml, a grid's rows are spooled and spliced into the sheet openpyxl writes; parsed
    into elements one by one instead (what the sink does where it cannot splice), every sheet of
    a workbook of three grids comes out the same, byte for byte."""
    labels = [make_label(24, 35, seed=1), make_label(30, 40, seed=2), make_label(21, 31, seed=3)]
    labels[1][:3, :3] = VOID
    for n, label in enumerate(labels):
        write_label(tmp_path / f"l{n}.png", label)
    sources = [tmp_path / f"l{n}.png" for n in range(3)]

    def sheets(book: Path) -> dict[str, bytes]:
        with zipfile.ZipFile(book) as archive:
            return {name: archive.read(name) for name in archive.namelist() if name.startswith("xl/worksheets/")}

    assert all(r.ok for r in label_files_to_workbook(sources, tmp_path / "spliced.xlsx", crop=(1, 1, 30, 20)))
    monkeypatch.setattr("labeltools.formats.excel._can_splice", lambda sheet: False)  # each row parsed into an element
    assert all(r.ok for r in label_files_to_workbook(sources, tmp_path / "parsed.xlsx", crop=(1, 1, 30, 20)))
    spliced, parsed = sheets(tmp_path / "spliced.xlsx"), sheets(tmp_path / "parsed.xlsx")
    assert len(spliced) == 5 and spliced == parsed
    assert all(b"labeltools-rows" not in xml for xml in spliced.values())
    for n, label in enumerate(labels):
        np.testing.assert_array_equal(excel_to_label(tmp_path / "spliced.xlsx", sheet=f"l{n}"), label[1:21, 1:31])


def test_a_sheet_without_its_placeholder_row_is_refused(tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.xml"
    sheet.write_bytes(b"<worksheet><sheetData></sheetData></worksheet>")
    with pytest.raises(WorkbookError, match="placeholder row"):
        _splice(str(sheet), io.BytesIO(b"<row/>"))


def edited(tmp_path: Path, edits: dict[str, object]) -> Path:
    book = tmp_path / "edit.xlsx"
    label_to_excel(make_label(4, 5), book, sheet="grid")
    wb = openpyxl.load_workbook(book)
    for ref, value in edits.items():
        wb["grid"][ref] = value
    wb.save(book)
    return book


@pytest.mark.parametrize(
    "edits, message",
    [
        ({"C4": 300}, re.escape("cell C4: expected a class index (an integer 0..254, or 255 for void) or a class's name, got 300")),
        ({"D3": -1}, "cell D3: expected a class index .* got -1"),
        ({"B2": 1.5}, "cell B2: expected a class index .* got 1.5"),
        (
            {"F5": "wolf"},
            re.escape(
                "cell F5: expected a class index (an integer 0..254, or 255 for void) or a class's name, got text 'wolf' (no "
                "class name of the Classes sheet ('background', 'aeroplane', 'void'); --classes TABLE names the others)"
            ),
        ),
        ({"F5": " 2 x"}, re.escape("got text ' 2 x' (no class name of the Classes sheet")),
        ({"E2": True}, "cell E2: expected a class index .* got the truth value TRUE"),
        ({"C3": None}, "cell C3: expected a class index .* got an empty cell"),
        ({"G3": 1}, r"not rectangular: row 3 has 6 value\(s\) but row 2 has 5 \(first difference at cell G3\)"),
        ({"F4": None}, r"not rectangular: row 4 has 4 value\(s\) but row 2 has 5 \(first difference at cell F4\)"),
        ({f"{c}3": None for c in "BCDEF"}, "row 3 is empty but the grid goes on at row 4"),
    ],
)
def test_read_back_errors_name_the_cell(tmp_path: Path, edits, message) -> None:
    book = edited(tmp_path, edits)
    with pytest.raises(WorkbookError, match=rf"edit.xlsx, sheet 'grid'.*{message}"):
        excel_to_label(book)
    with pytest.raises(WorkbookError):
        excel_to_label_file(book, tmp_path / "out.png")
    assert not (tmp_path / "out.png").exists()


def test_class_names_typed_in_cells_read_as_their_indices(tmp_path: Path) -> None:
    """A cell may hold a class's name as the Classes sheet names that grid's classes (case aside
    where one name matches), a name of --classes for the others, or an index typed as text; a
    name the two number differently is refused, and the command writes nothing then."""
    label = make_label(4, 5)
    book = edited(tmp_path, {"B2": "aeroplane", "C2": "BACKGROUND", "D2": " 15 ", "E2": "void", "F2": "cat"})
    with pytest.raises(WorkbookError, match=r"cell F2: .* got text 'cat' \(no class name of the Classes sheet \("):
        excel_to_label(book)
    read = excel_to_label(book, classes="voc")  # cat is VOC's 8
    expected = label.copy()
    expected[0, :] = [1, 0, 15, VOID, 8]  # row 2 of the sheet is the first pixel row
    np.testing.assert_array_equal(read, expected)
    (tmp_path / "names.txt").write_text("aeroplane\ncat\n")
    with pytest.raises(WorkbookError) as info:
        excel_to_label(book, classes=tmp_path / "names.txt")
    assert str(info.value) == (
        f"{book}: the Classes sheet names class 1 'aeroplane', and the {tmp_path / 'names.txt'} names class 0 so: "
        "give the class table the grid was written with"
    )
    result = CliRunner().invoke(app, ["excel", "--read", str(book), "-o", str(tmp_path / "out.png"), "-c", "voc"])
    assert result.exit_code == 0, result.output
    np.testing.assert_array_equal(read_label(tmp_path / "out.png"), expected)
    result = CliRunner().invoke(app, ["excel", "--read", str(book), "-o", str(tmp_path / "none.png")])
    assert result.exit_code == 1 and "cell F2" in result.stderr and not (tmp_path / "none.png").exists()
    with pytest.raises(WorkbookError) as info:
        excel_to_label(book, classes=["background", "aeroplane", "bicycle"])  # names the Classes sheet agrees with
    assert str(info.value).endswith(
        "cell F2: expected a class index (an integer 0..254, or 255 for void) or a class's name, got text 'cat' (no class "
        "name of the Classes sheet or the class names ('background', 'aeroplane', 'bicycle', 'void'))"
    )
    plain = openpyxl.Workbook()  # a grid of someone's own, with no Classes sheet
    plain.active.append([0, 1, "road"])
    plain.save(tmp_path / "plain.xlsx")
    with pytest.raises(WorkbookError) as info:
        excel_to_label(tmp_path / "plain.xlsx")
    assert str(info.value).endswith(
        "cell C1: expected a class index (an integer 0..254, or 255 for void) or a class's name, got text 'road' (no class "
        "name: type a class's index, or give --classes TABLE for its names)"
    )
    assert excel_to_label(tmp_path / "plain.xlsx", classes=["background", "building", "road"]).tolist() == [[0, 1, 2]]


def test_names_of_classes_the_label_lacks_come_from_its_dataset(tmp_path: Path) -> None:
    """The Classes sheet names the classes a label holds; a class it lacks, typed by name, is read
    by the class_names.txt of the dataset the grid was dumped from, where it still lies, as the
    dump found it. Where that table has since numbered a class otherwise, the workbook's own
    record wins, and a grid of numbers reads as ever; with the dataset gone, the name is refused."""
    import shutil

    from conftest import make_voc

    label = np.zeros((3, 4), np.uint8)
    label[1, 1:3] = 1
    voc = make_voc(tmp_path / "voc", {"a": label})  # background, cat, dog, bird
    book = tmp_path / "a.xlsx"
    result = CliRunner().invoke(app, ["excel", str(voc / "SegmentationClass" / "a.png"), "-o", str(book)])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(book)
    wb["a"]["B2"], wb["a"]["C2"] = "bird", "cat"
    wb.save(book)
    expected = label.copy()
    expected[0, :2] = [3, 1]
    excel_to_label_file(book, tmp_path / "a.png")
    np.testing.assert_array_equal(read_label(tmp_path / "a.png"), expected)
    (voc / "class_names.txt").write_text("background\ndog\ncat\nbird\n")  # renumbered since the dump
    excel_to_label_file(book, tmp_path / "b.png")
    np.testing.assert_array_equal(read_label(tmp_path / "b.png"), expected)  # cat is the Classes sheet's 1
    shutil.rmtree(voc)
    with pytest.raises(WorkbookError, match=r"cell B2: .* got text 'bird' \(no class name of the Classes sheet \('background', 'cat'\); --classes TABLE names the others\)"):
        excel_to_label_file(book, tmp_path / "c.png")
    assert not (tmp_path / "c.png").exists()


def test_read_back_errors_for_the_workbook_and_sheet(tmp_path: Path) -> None:
    with pytest.raises(WorkbookError, match="nothing.xlsx: no such file"):
        excel_to_label(tmp_path / "nothing.xlsx")
    (tmp_path / "fake.xlsx").write_bytes(b"PK not really")
    with pytest.raises(WorkbookError, match="fake.xlsx: cannot read as an .xlsx workbook"):
        excel_to_label(tmp_path / "fake.xlsx")
    book = tmp_path / "ok.xlsx"
    label_to_excel(make_label(), book)
    with pytest.raises(WorkbookError, match=r"ok.xlsx: no sheet named 'nope' \(sheets: label, Classes, Info\)"):
        excel_to_label(book, sheet="nope")
    wb = openpyxl.Workbook()
    wb.create_sheet("header")["A1"] = CORNER_TEXT
    wb.save(tmp_path / "empty.xlsx")
    with pytest.raises(WorkbookError, match=r"sheet 'Sheet': the sheet is empty"):
        excel_to_label(tmp_path / "empty.xlsx")
    with pytest.raises(WorkbookError, match=r"sheet 'header': no grid values below the coordinate header"):
        excel_to_label(tmp_path / "empty.xlsx", sheet="header")


# --- LibreOffice, where installed ---------------------------------------------------------------


def test_libreoffice_reads_the_values_colours_and_text(tmp_path: Path, libreoffice: None) -> None:
    label = make_label()
    book = tmp_path / "lo.xlsx"
    label_to_excel(label, book, names=["=1+1", "one", "two", "three"])
    every_sheet_as_csv = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    soffice_convert(book, every_sheet_as_csv, tmp_path / "profile")
    rows = [line.split(",") for line in (tmp_path / "lo-label.csv").read_text().splitlines()]
    assert rows[0][0] == CORNER_TEXT
    np.testing.assert_array_equal(np.array(rows[1:], dtype=int)[:, 1:], label)
    classes = (tmp_path / "lo-Classes.csv").read_text().splitlines()
    assert classes[1].startswith("label,0,=1+1,")  # text, not the formula's result 2
    soffice_convert(book, "fods", tmp_path / "profile")
    flat = (tmp_path / "lo.fods").read_text()
    backgrounds = dict(
        re.findall(r'style:name="(ConditionalStyle_5f_\d+)".*?fo:background-color="#(\w{6})"', flat, re.S)
    )
    conditions = re.findall(r'apply-style-name="(ConditionalStyle_\d+)" calcext:value="=(\d+)"', flat)
    shown = {int(value): backgrounds[name.replace("_", "_5f_")] for name, value in conditions}
    voc = voc_colormap(256)
    assert shown == {int(i): "{:02x}{:02x}{:02x}".format(*voc[i]) for i in np.unique(label)}


def test_a_grid_edited_and_saved_by_libreoffice_reads_back(tmp_path: Path, libreoffice: None) -> None:
    """The round trip a user makes: dump a dataset's label, open the workbook in LibreOffice, type
    a class index, a class name and a formula into cells, save as .xlsx, read the grid back."""
    labels = tmp_path / "voc" / "SegmentationClass"
    labels.mkdir(parents=True)
    (tmp_path / "voc" / "class_names.txt").write_text("background\nroad\ncar\nperson\n")
    label = make_label() % 4
    label[1, :] = VOID
    write_label(labels / "street.png", label)
    book = tmp_path / "street.xlsx"
    result = CliRunner().invoke(app, ["excel", str(labels / "street.png"), "-o", str(book)])
    assert result.exit_code == 0, result.output
    soffice_convert(book, "fods", tmp_path / "profile")
    flat = tmp_path / "street.fods"
    # the grid's row 0 and column 0 are the coordinate headers: pixel (y, x) is cell (y + 1, x + 1)
    edit_flat_cells(flat, "street", {(3, 4): 2, (7, 2): "person", (8, 2): "Road", (10, 10): None, (11, 14): 255})
    saved = tmp_path / "saved"
    soffice_convert(flat, "xlsx", tmp_path / "profile", saved)
    result = CliRunner().invoke(app, ["excel", "--read", str(saved / "street.xlsx"), "-o", str(tmp_path / "back.png")])
    assert result.exit_code == 0, result.output
    expected = label.copy()
    expected[2, 3], expected[6, 1], expected[7, 1], expected[9, 9], expected[10, 13] = 2, 3, 1, 2, VOID
    assert (expected != label).sum() == 5  # each edit changes a pixel
    np.testing.assert_array_equal(read_label(tmp_path / "back.png"), expected)
    edit_flat_cells(flat, "street", {(4, 4): "perso"})  # a typo
    soffice_convert(flat, "xlsx", tmp_path / "profile", saved)
    result = CliRunner().invoke(app, ["excel", "--read", str(saved / "street.xlsx"), "-o", str(tmp_path / "typo.png")])
    assert result.exit_code == 1 and not (tmp_path / "typo.png").exists()
    assert "sheet 'street', cell E5: " in result.stderr and "got text 'perso'" in result.stderr
    assert "('background', 'road', 'car', 'person', 'void')" in result.stderr  # in class order
    for kind, what in (("ods", "an OpenDocument spreadsheet"), ("xls", "the old Excel format (.xls)")):
        other = soffice_convert(flat, kind, tmp_path / "profile", saved)  # saved in another format
        result = CliRunner().invoke(app, ["excel", "--read", str(other), "-o", str(tmp_path / "other.png")])
        assert result.exit_code == 1 and not (tmp_path / "other.png").exists()
        assert result.stderr.startswith(f"error: {other}: {what}") and "save it as Excel 2007-365 (.xlsx)" in result.stderr
        result = CliRunner().invoke(app, ["excel", str(other)])  # given as a label to dump
        assert result.exit_code == 2 and "is a spreadsheet, not a label file" in " ".join(result.stderr.replace("│", " ").split())


def test_a_spreadsheet_of_another_format_is_named_by_its_content(tmp_path: Path) -> None:
    """An OpenDocument spreadsheet (LibreOffice's own format, whose zip names its type first) or
    an old .xls file, whatever its name, read back: what it is and how to save it, not
    openpyxl's words."""
    ods = tmp_path / "grid.xlsx"  # named as a workbook
    with zipfile.ZipFile(ods, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    with pytest.raises(WorkbookError, match=r"grid\.xlsx: an OpenDocument spreadsheet \(\.ods, LibreOffice's own format\), not an \.xlsx workbook: save it as Excel 2007-365 \(\.xlsx\)$"):
        excel_to_label(ods)
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    with pytest.raises(WorkbookError, match=r"old\.xls: the old Excel format \(\.xls\), not an \.xlsx workbook"):
        excel_to_label(tmp_path / "old.xls")
    (tmp_path / "flat.fods").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'office:mimetype="application/vnd.oasis.opendocument.spreadsheet"/>\n'
    )
    with pytest.raises(WorkbookError, match=r"flat\.fods: a flat OpenDocument spreadsheet \(\.fods\), not an \.xlsx workbook"):
        excel_to_label(tmp_path / "flat.fods")
    (tmp_path / "plain.xlsx").write_bytes(b"PK not really")
    with pytest.raises(WorkbookError, match=r"plain\.xlsx: cannot read as an \.xlsx workbook"):
        excel_to_label(tmp_path / "plain.xlsx")


@pytest.mark.parametrize("damage", ["bad value", "cut short"])
def test_read_back_of_a_corrupt_grid_sheet_is_a_workbook_error(tmp_path: Path, damage: str) -> None:
    book = tmp_path / "ok.xlsx"
    label_to_excel(make_label(), book)
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<v>0</v>", b"<v>zz</v>", 1) if damage == "bad value" else data[:-40]
            dst.writestr(item, data)
    with pytest.raises(WorkbookError, match="broken.xlsx: cannot read as an .xlsx workbook"):
        excel_to_label(broken)
