"""Label maps as Excel workbooks, for inspection by eye, and back.

A workbook holds one *grid sheet* per label map: cell (row r, column c) of the grid holds the class
index of pixel (r, c) as a number, coloured with the class's palette colour by conditional-format
rules (one rule per class present, so no cell carries a fill of its own). Row 1 and column A are
frozen headers giving pixel coordinates, so a cropped or subsampled grid still says where it came
from. A *Classes* sheet lists, per file, each class present with its name, colour, pixel count and
share, and an *Info* sheet records where each grid came from.

Workbooks are streamed (openpyxl's write-only mode) and written atomically, so memory stays small
whatever the image size and a failed write leaves nothing behind. Sizes are checked against Excel's
sheet limits before anything is written. Text cells never become formulas.

:func:`excel_to_label` reads a grid sheet back, hand edits included, validating every cell.
"""

from __future__ import annotations

import io
import logging
import math
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any, Union
from xml.sax.saxutils import escape

import numpy as np
from numpy.typing import ArrayLike, NDArray
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.dimensions import ColumnDimension
from openpyxl.xml.functions import fromstring

from labeltools.core._types import Color, PathLike
from labeltools.core.arrays import as_label_array, value_counts
from labeltools.core.cells import keep_text
from labeltools.core.classes import ClassTable, as_class_table, hex_color
from labeltools.core.colormap import VOID_COLOR, palette_array, text_color_for
from labeltools.core.errors import WorkbookError
from labeltools.core.files import is_url
from labeltools.core.options import DEFAULT_MAX_CELLS, VOID
from labeltools.core.version import __version__
from labeltools.engine.storage import atomic_write, ensure_dir, location, read_bytes

log = logging.getLogger(__name__)

NamesSpec = Union[ClassTable, Sequence[str], PathLike, None]
"""Class names for a grid: a table, a list of names, a class table file or preset, or None."""

SourceClasses = Callable[[str], Union[ClassTable, None]]
"""The class table of a label file's dataset (its path as a grid's Info sheet records it), or None."""

Crop = tuple[int, int, int, int]

EXCEL_MAX_ROWS = 1_048_576
"""Rows in an Excel sheet (the header row included)."""

EXCEL_MAX_COLUMNS = 16_384
"""Columns in an Excel sheet (the header column included)."""

SHEET_TITLE_MAX = 31

SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

CLASSES_SHEET = "Classes"

INFO_SHEET = "Info"

#: Titles grid sheets may not take: the two summary sheets, and one Excel reserves.
RESERVED_TITLES = (CLASSES_SHEET, INFO_SHEET, "History")

CORNER_TEXT = "y\\x"
"""The text of cell A1 of a grid sheet; it marks the coordinate headers when reading back."""


# Grid geometry: 7-point digits in roughly square cells, so a zoomed-out sheet looks like the image.
GRID_FONT_SIZE = 7

CELL_WIDTH = 2.71  # characters of the default font: 19 pixels

ROW_HEIGHT = 14.25  # points: 19 pixels

HEADER_FILL = "FFD9D9D9"

_ILLEGAL_TEXT = re.compile(r"[\000-\010\013\014\016-\037]")


@dataclass(frozen=True)
class GridRegion:
    """The part of a label map a grid sheet shows: pixels ``x, x+step, ...`` of rows ``y, ...``.

    Attributes:
        x, y: top-left pixel of the region (column, row).
        width, height: size of the region in pixels.
        step: every ``step``-th pixel in both directions is shown.
    """

    x: int
    y: int
    width: int
    height: int
    step: int = 1

    @property
    def rows(self) -> int:
        """Grid rows (pixels shown per column), header row excluded."""
        return -(-self.height // self.step)

    @property
    def columns(self) -> int:
        """Grid columns (pixels shown per row), header column excluded."""
        return -(-self.width // self.step)

    @property
    def xs(self) -> range:
        """Pixel x coordinate of each grid column."""
        return range(self.x, self.x + self.width, self.step)

    @property
    def ys(self) -> range:
        """Pixel y coordinate of each grid row."""
        return range(self.y, self.y + self.height, self.step)

    def take(self, label: NDArray[np.uint8]) -> NDArray[np.uint8]:
        """The ``(rows, columns)`` view of ``label`` this region shows (no copy)."""
        return label[self.y : self.y + self.height : self.step, self.x : self.x + self.width : self.step]

    @property
    def cell_range(self) -> str:
        """The cells the region's values occupy in its grid sheet (``B2:...``)."""
        return f"B2:{get_column_letter(self.columns + 1)}{self.rows + 1}"

    def describe(self) -> str:
        """``"x,y,width,height"``, as ``--crop`` takes it."""
        return f"{self.x},{self.y},{self.width},{self.height}"


def parse_crop(text: str) -> Crop:
    """Parse ``"X,Y,W,H"`` (pixels: left, top, width, height).

    Raises:
        WorkbookError: not four whole numbers, negative origin or non-positive size.
    """
    parts = [p.strip() for p in str(text).split(",")]
    try:
        x, y, w, h = (int(p) for p in parts)
    except ValueError:
        raise WorkbookError(
            f"crop must be X,Y,W,H (four whole numbers: left, top, width, height, e.g. "
            f"0,0,100,50), got {text!r}"
        ) from None
    if x < 0 or y < 0 or w < 1 or h < 1:
        raise WorkbookError(
            f"crop {text!r}: X and Y must be 0 or more and W and H at least 1"
        )
    return x, y, w, h


def plan_grid(
    shape_hw: tuple[int, int],
    crop: Crop | None = None,
    step: int = 1,
    source: str = "label",
    max_cells: int = DEFAULT_MAX_CELLS,
) -> GridRegion:
    """Check a crop and step against an image and Excel's sheet limits; return the region.

    Nothing is read or written: call this before writing a workbook.

    Args:
        shape_hw: ``(H, W)`` of the label map.
        crop: ``(x, y, width, height)`` in pixels, inside the image; default the whole image.
        step: show every ``step``-th pixel in both directions (1 or more).
        source: how to name the label in error messages.
        max_cells: the largest grid (rows x columns) accepted: a workbook of more cells takes
            minutes and gigabytes to write and is no longer readable by eye.

    Raises:
        WorkbookError: the crop leaves the image, the step is below 1, or the grid plus its
            coordinate header would exceed 1,048,576 rows or 16,384 columns, or ``max_cells``
            (the message gives the image size and ``--crop`` / ``--step`` values that fit).
    """
    height, width = (int(v) for v in shape_hw)
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or step < 1:
        raise WorkbookError(f"{source}: step must be a whole number of at least 1, got {step!r}")
    if crop is None:
        x, y, w, h = 0, 0, width, height
    else:
        x, y, w, h = (int(v) for v in crop)
        if x < 0 or y < 0 or w < 1 or h < 1 or x + w > width or y + h > height:
            raise WorkbookError(
                f"{source}: crop {x},{y},{w},{h} does not lie inside the {width}x{height} image "
                f"(width x height); it must satisfy X+W <= {width} and Y+H <= {height}"
            )
    region = GridRegion(x, y, w, h, int(step))
    rows, columns = region.rows + 1, region.columns + 1
    if rows <= EXCEL_MAX_ROWS and columns <= EXCEL_MAX_COLUMNS:
        _check_cell_budget(region, width, height, source, max_cells)
        return region
    fit_step = max(
        region.step,
        -(-h // (EXCEL_MAX_ROWS - 1)),
        -(-w // (EXCEL_MAX_COLUMNS - 1)),
    )
    fit_w = min(w, (EXCEL_MAX_COLUMNS - 1) * region.step)
    fit_h = min(h, (EXCEL_MAX_ROWS - 1) * region.step)
    shown = "" if crop is None and step == 1 else f" (crop {region.describe()}, step {region.step})"
    raise WorkbookError(
        f"{source}: the {width}x{height} label (width x height){shown} needs a grid of "
        f"{rows:,} rows by {columns:,} columns with its coordinate headers, but an Excel sheet "
        f"holds at most {EXCEL_MAX_ROWS:,} rows by {EXCEL_MAX_COLUMNS:,} columns; show every "
        f"{_ordinal(fit_step)} pixel with --step {fit_step}, or part of the image with "
        f"--crop {x},{y},{fit_w},{fit_h}"
    )


def _check_cell_budget(region: GridRegion, width: int, height: int, source: str, max_cells: int) -> None:
    """Raise WorkbookError when the grid of ``region`` holds more than ``max_cells`` cells."""
    if not (isinstance(max_cells, (int, np.integer)) and max_cells >= 1):
        raise WorkbookError(f"the cell budget must be a whole number of at least 1, got {max_cells!r}")
    cells = region.rows * region.columns
    if cells <= max_cells:
        return
    fit_step = max(region.step, math.isqrt(region.height * region.width // max_cells))
    while -(-region.height // fit_step) * -(-region.width // fit_step) > max_cells:
        fit_step += 1
    if region.columns <= max_cells:  # every column, as many rows as fit
        crop_w, crop_h = region.width, max_cells // region.columns * region.step
    else:
        crop_w = crop_h = max(1, math.isqrt(max_cells)) * region.step
    raise WorkbookError(
        f"{source}: the {width}x{height} label (width x height) needs a grid of {cells:,} cells, "
        f"above the budget of {max_cells:,} cells (--max-cells); show every {_ordinal(fit_step)} "
        f"pixel with --step {fit_step}, or part of the image with --crop "
        f"{region.x},{region.y},{min(region.width, crop_w)},{min(region.height, crop_h)}"
    )


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unused Excel sheet title derived from ``name``; records it in ``taken``.

    Characters Excel forbids (``[]:*?/\\``) become ``_``, leading and trailing apostrophes go,
    titles are cut to 31 characters, and a title already in ``taken`` (compared
    case-insensitively, as Excel does) or reserved (Classes, Info, History) gets `` (2)``,
    `` (3)``, ... within those 31 characters.

    Args:
        name: the wanted title, usually a file stem.
        taken: case-folded titles in use; the returned title is added to it.
    """
    base = SHEET_TITLE_FORBIDDEN.sub("_", _ILLEGAL_TEXT.sub("_", name)).strip().strip("'").strip()
    base = base[:SHEET_TITLE_MAX] or "Sheet"
    reserved = {t.casefold() for t in RESERVED_TITLES}
    title = base
    number = 1
    while title.casefold() in taken or title.casefold() in reserved:
        number += 1
        suffix = f" ({number})"
        title = base[: SHEET_TITLE_MAX - len(suffix)].rstrip().rstrip("'") + suffix
    taken.add(title.casefold())
    return title


def void_color(palette: NDArray[np.uint8], present: Sequence[int]) -> Color:
    """The colour void (255) cells get: the palette's, unless a class present shares it.

    Falls back to the VOC void colour, then magenta, then grey, so void stays visibly distinct
    from the classes around it even when a file's palette leaves index 255 black.
    """
    used = {_color(palette[i]) for i in present if i != VOID}
    candidates = (_color(palette[VOID]), VOID_COLOR, (255, 0, 255), (128, 128, 128))
    return next((c for c in candidates if c not in used), candidates[-1])


def _color(row: ArrayLike) -> Color:
    r, g, b = (int(v) for v in np.asarray(row)[:3])
    return (r, g, b)


def _argb(color: Color) -> str:
    return "FF" + hex_color(color)[1:].upper()


@dataclass
class GridSource:
    """One label map to show in a workbook, with what the summary sheets say about it.

    Attributes:
        label: ``(H, W)`` uint8 label map.
        region: the part shown (see :func:`plan_grid`).
        title: wanted sheet title (sanitised and made unique when written).
        source: where the label came from (a path, or a description).
        palette: ``(256, 3)`` uint8 colours; the file's own, else the class table's.
        classes: names for the Classes sheet.
        mode: the file's Pillow mode (``P``, ``L``, ...), or None for an array.
        has_palette: whether the file carried a palette.
    """

    label: NDArray[np.uint8]
    region: GridRegion
    title: str
    source: str
    palette: NDArray[np.uint8]
    classes: ClassTable
    mode: str | None = None
    has_palette: bool = False


class _RowSink:
    """Feeds ready-made ``<row>`` elements into a write-only sheet's ``<sheetData>``.

    openpyxl's own ``append`` builds, checks and serialises a cell object per value, which is
    where nearly all of its time goes. A grid row is all small integers, so we serialise it with
    one string join (the same XML openpyxl writes for such cells). The sheet's writer (lxml's,
    or the standard library's through et_xmlfile) takes only elements, and parsing each row
    into one costs more than all the rest of the sheet (0.18 s of 0.26 s for a 500x375 grid with
    lxml, 0.78 s of 0.85 s without). So the rows go to a spool file and the writer gets one
    placeholder row, which :meth:`close` replaces by the spool's bytes once openpyxl has written
    the sheet out (see :func:`_splice`); where that cannot be done (:func:`_can_splice`), each
    row is parsed into an element. Everything else about the sheet (views, widths, conditional
    formats, styles) stays openpyxl's.

    It drives the write-only sheet's stream the way the sheet's own ``_write_rows`` does (through
    ``_get_writer``, ``_writer.xf``, ``_rows``, ``close`` and ``_writer.out``, unchanged since
    openpyxl 2.6); the tests compare the result with openpyxl's own reading of it, with and
    without lxml, and the bytes of both, spliced and parsed.
    """

    def __init__(self, sheet: Any) -> None:
        sheet._get_writer()
        self._sheet = sheet
        self._spool = tempfile.TemporaryFile() if _can_splice(sheet) else None  # removed when closed
        self._sink = self._rows(sheet, self._spool is not None)
        next(self._sink)
        sheet._rows = self._sink  # closed by the sheet when it is closed

    @staticmethod
    def _rows(sheet: Any, spliced: bool) -> Generator[None, Any, None]:
        xf = sheet._writer.xf.send(True)
        with xf.element("sheetData"):
            if spliced:
                xf.write(fromstring(_PLACEHOLDER))
            try:
                while True:
                    xf.write(fromstring((yield)))
            except GeneratorExit:
                pass
        sheet._writer.xf.send(None)

    def write(self, row_xml: str) -> None:
        if self._spool is not None:
            self._spool.write(row_xml.encode("ascii", "xmlcharrefreplace"))  # as lxml's writer encodes
        else:
            self._sink.send(row_xml)

    def close(self) -> None:
        """End the sheet's rows; with a spool, write the sheet out and put the rows in it."""
        if self._spool is None:
            return
        with self._spool:
            self._sheet.close()
            self._spool.seek(0)
            _splice(self._sheet._writer.out, self._spool)


def _can_splice(sheet: Any) -> bool:
    """Whether the sheet is written to a file that :func:`_splice` can rewrite once closed."""
    return isinstance(getattr(sheet._writer, "out", None), str) and callable(getattr(sheet, "close", None))


#: The row that stands for a spooled sheet's rows until they are spliced in: its ``r`` is no
#: row number, so it can be no row of ours.
_PLACEHOLDER = '<row r="0" spans="labeltools-rows"/>'
_PLACEHOLDER_MARK = b'spans="labeltools-rows"'  # how it is found, however the writer spaces it


def _splice(path: str, rows: Any) -> None:
    """Replace the placeholder row in the sheet file ``path`` by the bytes of ``rows`` (a file).
    The sheet without its rows is small: it is read whole, the rows are copied in blocks."""
    with open(path, "rb") as sheet_file:
        sheet_xml = sheet_file.read()
    token = sheet_xml.find(_PLACEHOLDER_MARK)
    if token < 0 or sheet_xml.find(_PLACEHOLDER_MARK, token + 1) >= 0:
        raise WorkbookError(f"{path}: the grid's placeholder row is not in openpyxl's sheet once")
    start, end = sheet_xml.rfind(b"<row", 0, token), sheet_xml.find(b">", token) + 1
    with open(path, "wb") as sheet_file:
        sheet_file.write(sheet_xml[:start])
        shutil.copyfileobj(rows, sheet_file, 1 << 20)
        sheet_file.write(sheet_xml[end:])


class _Book:
    """A write-only workbook being filled with grid sheets, then the two summary sheets, for the
    file ``path``: its folder is made (or refused) first, since a write-only workbook abandoned
    with sheets half-streamed spills errors at exit."""

    def __init__(self, path: PathLike, fill: bool = True) -> None:
        ensure_dir(location(path).parent)
        self.fill = fill
        self.book = Workbook(write_only=True)
        self.taken: set[str] = set()
        self.class_rows: list[list[Any]] = []
        self.info_rows: list[list[Any]] = []
        self._styles: dict[str, int] = {}

    @property
    def sheets(self) -> int:
        return len(self.info_rows)

    def _style_ids(self, sheet: Any) -> dict[str, int]:
        """Workbook style ids for the grid's cells, registered once through openpyxl."""
        if not self._styles:
            header = dict(
                font=Font(name="Calibri", size=GRID_FONT_SIZE, bold=True),
                fill=PatternFill("solid", fgColor=HEADER_FILL),
            )
            looks = {
                "grid": dict(
                    font=Font(name="Calibri", size=GRID_FONT_SIZE),
                    alignment=Alignment(horizontal="center", vertical="center"),
                ),
                "column": dict(header, alignment=Alignment(horizontal="right", vertical="center")),
                "row": dict(
                    header,
                    alignment=Alignment(horizontal="center", vertical="bottom", textRotation=90),
                ),
            }
            for key, attrs in looks.items():
                cell = WriteOnlyCell(sheet)
                for attr, value in attrs.items():
                    setattr(cell, attr, value)
                self._styles[key] = cell.style_id
        return self._styles

    def add_grid(self, grid: GridSource) -> str:
        """Write one grid sheet and remember its summary rows; returns the sheet's title."""
        label, region = grid.label, grid.region
        title = sheet_title(grid.title, self.taken)
        shown = region.take(label)
        counts = value_counts(label)
        shown_counts = value_counts(shown)
        present = [int(i) for i in np.flatnonzero(counts)]
        colors = {i: _color(grid.palette[i]) for i in present if i != VOID}
        if VOID in present:
            colors[VOID] = void_color(grid.palette, present)

        sheet = self.book.create_sheet(title)
        styles = self._style_ids(sheet)
        rows, columns = region.rows, region.columns
        y_digits, x_digits = len(str(region.ys[-1])), len(str(region.xs[-1]))
        sheet.column_dimensions["A"] = ColumnDimension(
            sheet, index="A", width=max(CELL_WIDTH, round(0.7 * y_digits + 1.2, 2))
        )
        sheet.column_dimensions["B"] = ColumnDimension(
            sheet, index="B", min=2, max=columns + 1, width=CELL_WIDTH
        )
        sheet.sheet_format.defaultRowHeight = ROW_HEIGHT
        sheet.sheet_format.customHeight = True
        sheet.freeze_panes = "B2"
        if self.fill:
            for index, color in colors.items():  # in index order, void last
                if not shown_counts[index]:
                    continue
                sheet.conditional_formatting.add(
                    region.cell_range,
                    CellIsRule(
                        operator="equal",
                        formula=[str(index)],
                        fill=PatternFill("solid", fgColor=_argb(color), bgColor=_argb(color)),
                        font=Font(color=_argb(text_color_for(color)), bold=index == VOID),
                    ),
                )
        self._write_cells(sheet, shown, region, styles, x_digits)

        total = int(label.size)
        for index in present:
            color = colors[index]
            self.class_rows.append(
                [
                    _text(sheet, title),
                    index,
                    _text(sheet, grid.classes.name_of(index)),
                    self._swatch(sheet, color),
                    int(counts[index]),
                    _percent(sheet, counts[index] / total),
                    int(shown_counts[index]),
                ]
            )
        height, width = label.shape
        self.info_rows.append(
            [
                _text(sheet, title),
                _text(sheet, grid.source),
                width,
                height,
                _text(sheet, grid.mode or "array"),
                _text(sheet, "yes" if grid.has_palette else "no"),
                _text(sheet, region.describe()),
                region.step,
                _text(sheet, f"{columns}x{rows}"),
                _text(sheet, __version__),
            ]
        )
        return title

    def _write_cells(
        self,
        sheet: Any,
        shown: NDArray[np.uint8],
        region: GridRegion,
        styles: dict[str, int],
        x_digits: int,
    ) -> None:
        sink = _RowSink(sheet)
        letters = [get_column_letter(c) for c in range(2, region.columns + 2)]
        header_height = max(ROW_HEIGHT, round(3.4 * x_digits + 6, 2))
        head = [f'<row r="1" ht="{header_height}" customHeight="1">']
        head.append(
            f'<c r="A1" s="{styles["column"]}" t="inlineStr"><is><t>{escape(CORNER_TEXT)}</t></is></c>'
        )
        head.extend(
            f'<c r="{letter}1" s="{styles["row"]}" t="n"><v>{x}</v></c>'
            for letter, x in zip(letters, region.xs)
        )
        head.append("</row>")
        sink.write("".join(head))
        # One string per possible value and per column: a cell is then three concatenations.
        starts = [f'<c r="{letter}' for letter in letters]
        ends = [f'" s="{styles["grid"]}" t="n"><v>{v}</v></c>' for v in range(256)]
        row_open = f'" ht="{ROW_HEIGHT}" customHeight="1"><c r="A'
        row_head = f'" s="{styles["column"]}" t="n"><v>'
        for number, (y, values) in enumerate(zip(region.ys, shown), start=2):
            r = str(number)
            cells = "".join([start + r + ends[v] for start, v in zip(starts, values.tolist())])
            sink.write(f'<row r="{r}{row_open}{r}{row_head}{y}</v></c>{cells}</row>')
        sink.close()

    def _swatch(self, sheet: Any, color: Color) -> WriteOnlyCell:
        cell = _text(sheet, hex_color(color))
        cell.fill = PatternFill("solid", fgColor=_argb(color))
        cell.font = Font(color=_argb(text_color_for(color)))
        return cell

    def save(self, path: PathLike) -> None:
        """Add the Classes and Info sheets and write the workbook atomically."""
        if not self.info_rows:
            raise WorkbookError(f"{path}: no grid sheet to write")
        classes = self.book.create_sheet(CLASSES_SHEET)
        _columns(classes, (24, 7, 20, 10, 12, 10, 12))
        classes.freeze_panes = "A2"
        classes.append(
            _header(classes, ("sheet", "index", "name", "colour", "pixels", "% of image", "cells in grid"))
        )
        for row in self.class_rows:
            classes.append(row)
        info = self.book.create_sheet(INFO_SHEET)
        _columns(info, (24, 50, 8, 8, 7, 9, 22, 6, 12, 12))
        info.freeze_panes = "A2"
        info.append(
            _header(
                info,
                ("sheet", "source", "width", "height", "mode", "palette", "region x,y,w,h",
                 "step", "grid (w x h)", "labeltools"),
            )  # fmt: skip
        )
        for row in self.info_rows:
            info.append(row)
        with atomic_write(path) as tmp:
            self.book.save(tmp)
        log.debug("wrote %s: %d grid sheet(s)", path, len(self.info_rows))


def _text(sheet: Any, value: str) -> WriteOnlyCell:
    """A cell holding ``value`` as text, never as a formula (``=...`` stays text)."""
    cell = WriteOnlyCell(sheet)
    cell.value = _ILLEGAL_TEXT.sub("?", str(value))
    return keep_text(cell)


def _percent(sheet: Any, share: float) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=float(share))
    cell.number_format = "0.00%"
    return cell


def _header(sheet: Any, names: Sequence[str]) -> list[WriteOnlyCell]:
    cells = []
    for name in names:
        cell = _text(sheet, name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cells.append(cell)
    return cells


def _columns(sheet: Any, widths: Sequence[float]) -> None:
    for number, width in enumerate(widths, start=1):
        letter = get_column_letter(number)
        sheet.column_dimensions[letter] = ColumnDimension(sheet, index=letter, width=width)


def label_to_excel(
    label: ArrayLike,
    path: PathLike,
    *,
    palette: ArrayLike | None = None,
    names: NamesSpec = None,
    crop: Crop | None = None,
    step: int = 1,
    fill: bool = True,
    sheet: str = "label",
    max_cells: int = DEFAULT_MAX_CELLS,
    source: str = "label array",
) -> str:
    """Write one label map to a workbook: a grid sheet, a Classes sheet and an Info sheet.

    Args:
        label: ``(H, W)`` label map (see :func:`~labeltools.formats.labels.as_label_array`); not modified.
        path: the ``.xlsx`` file to write (atomically); its folder must exist.
        palette: ``(k, 3)`` colours for indices ``0..k-1``; default the class table's colours
            (the VOC colormap for a names-only table).
        names: class names: a ClassTable, a list of names, a preset or a table file; default VOC.
        crop: ``(x, y, width, height)`` to show part of the image.
        step: show every ``step``-th pixel in both directions.
        fill: colour the grid (one conditional-format rule per class shown); False writes plain
            numbers.
        sheet: title of the grid sheet (sanitised).
        source: what the Info sheet names as the source.

    Returns:
        The grid sheet's title.

    Raises:
        LabelFileError: ``label`` is not a label map.
        WorkbookError: bad crop or step, the grid exceeds Excel's limits, or the file cannot be
            written (nothing is written then).
        ClassTableError: ``names`` cannot be loaded.
    """
    data = as_label_array(label, source)
    region = plan_grid((data.shape[0], data.shape[1]), crop, step, source, max_cells)
    table = as_class_table(names) if names is not None else ClassTable.preset("voc")
    colors = table.palette() if palette is None else palette_array(palette)
    book = _Book(path, fill)
    title = book.add_grid(
        GridSource(data, region, sheet, source, colors, table, None, palette is not None)
    )
    book.save(path)
    return title


def excel_to_label(
    path: PathLike, sheet: str | None = None, classes: NamesSpec = None, source_classes: SourceClasses | None = None
) -> NDArray[np.uint8]:
    """Read a grid sheet (possibly edited by hand) back into a label map.

    A sheet whose cell A1 holds text or nothing is taken to have coordinate headers (row 1 and
    column A, as written by :func:`label_to_excel`), which are skipped; otherwise the values
    start at A1.
    Fully empty rows after the grid are ignored. Cells showing a formula count with their saved
    value. A cell may hold a class's name instead of its index, as the workbook's Classes sheet
    names the classes of that grid or ``classes`` names others (case aside, where that is
    unique), or its index typed as text.

    Args:
        path: the ``.xlsx`` workbook.
        sheet: the sheet's title; default the first sheet.
        classes: a class table whose names a cell may hold too (see :data:`NamesSpec`).
        source_classes: without ``classes``, the class table of the label file the Info sheet
            says the grid was dumped from (its dataset's), or None: its names are read then.

    Returns:
        ``(H, W)`` uint8 label map.

    Raises:
        WorkbookError: the file is missing or not a workbook, the sheet does not exist or holds
            no values, a cell is neither an integer 0..254 or 255 nor a class's name (the message
            gives its reference, e.g. ``C17``), the grid is not rectangular, or the Classes sheet
            and ``classes`` give one name two indices.
    """
    source: Any = io.BytesIO(read_bytes(path, WorkbookError)) if is_url(path) else path  # openpyxl opens local files alone
    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except FileNotFoundError:
        raise WorkbookError(f"{path}: no such file") from None
    except _UNREADABLE as exc:
        other = _other_spreadsheet(source)
        if other:
            raise WorkbookError(f"{path}: {other}, not an .xlsx workbook: save it as Excel 2007-365 (.xlsx)") from None
        raise WorkbookError(f"{path}: cannot read as an .xlsx workbook ({exc})") from None
    try:
        if sheet is None:
            ws = book.worksheets[0]
        elif sheet in book.sheetnames:
            ws = book[sheet]
        else:
            raise WorkbookError(
                f"{path}: no sheet named {sheet!r} (sheets: {', '.join(book.sheetnames)})"
            )
        source = _info_row(book, ws.title)
        found = None
        if classes is None and source_classes is not None and source is not None and isinstance(source[1], str):
            found = source_classes(source[1])
        names = _cell_names(book, ws.title, classes if found is None else found, path, refuse=found is None)
        # Read-only sheets parse their XML while the rows are read, so a corrupt sheet fails here.
        label = _read_grid(ws.iter_rows(values_only=True), f"{path}, sheet {ws.title!r}", names)
        part = _part_shown(source)
        if part is not None:
            log.warning("%s, sheet %r: the grid shows %s: read back, it is a %dx%d label, not one of "
                        "the source's size", path, ws.title, part, label.shape[1], label.shape[0])  # fmt: skip
        return label
    except _UNREADABLE as exc:
        raise WorkbookError(f"{path}: cannot read as an .xlsx workbook ({exc})") from None
    finally:
        book.close()


@dataclass(frozen=True)
class CellNames:
    """The class names a grid's cells may hold (name -> index), where they come from, in words
    (``"the Classes sheet"``), and how to name others (``""`` when nothing more can)."""

    index: dict[str, int]
    source: str = ""
    more: str = ""


def _cell_names(book: Any, title: str, classes: NamesSpec, path: PathLike, refuse: bool = True) -> CellNames:
    """The class names a cell of grid sheet ``title`` may hold: the names the Classes sheet gives
    that grid's classes (the workbook's own record), then those of ``classes`` (none when None;
    the table's other names). A name the two number differently is refused, or, without
    ``refuse`` (a table the user did not give), left to the Classes sheet.

    Raises:
        WorkbookError: with ``refuse``, the two give one name two indices.
    """
    names: dict[str, int] = {}
    if CLASSES_SHEET in book.sheetnames:
        for row in book[CLASSES_SHEET].iter_rows(min_row=2, values_only=True):
            if len(row) >= 3 and row[0] == title and type(row[1]) is int and isinstance(row[2], str) and row[2]:
                names[row[2]] = row[1]
    if classes is None:
        return CellNames(names, f"the {CLASSES_SHEET} sheet", "; --classes TABLE names the others")
    table = as_class_table(classes)
    for entry in table:
        if not entry.name:
            continue
        recorded = names.setdefault(entry.name, entry.index)
        if recorded != entry.index and refuse:
            raise WorkbookError(
                f"{path}: the {CLASSES_SHEET} sheet names class {recorded} {entry.name!r}, and the "
                f"{table.source} names class {entry.index} so: give the class table the grid was written with"
            )
    return CellNames(names, f"the {CLASSES_SHEET} sheet or the {table.source}")


def _info_row(book: Any, title: str) -> tuple[Any, ...] | None:
    """The Info sheet's row of grid sheet ``title`` (sheet, source, width, height, mode, palette,
    region, step, ...), or None: no record (a sheet not written by labeltools, or edited out of
    shape)."""
    if INFO_SHEET not in book.sheetnames:
        return None
    for row in book[INFO_SHEET].iter_rows(min_row=2, values_only=True):
        if len(row) >= 8 and row[0] == title:
            return tuple(row)
    return None


def _part_shown(info: tuple[Any, ...] | None) -> str | None:
    """What part of its source a grid sheet shows, in words, as its Info row records it
    (``"one pixel in 4 each way of the 400x300 label dataset/x.png"``), or None: the whole label, at
    every pixel, or no record."""
    if info is None:
        return None
    source, width, height, region, step = info[1], info[2], info[3], info[6], info[7]
    whole = f"0,0,{width},{height}"
    if step in (1, None) and region in (whole, None):
        return None
    parts = [] if step in (1, None) else [f"one pixel in {step} each way"]
    if region not in (whole, None):
        parts.append(f"the region {region} (x,y,w,h)")
    return f"{' of '.join(parts)} of the {width}x{height} label {source}"


# What openpyxl raises for files that are not (intact) workbooks. SyntaxError covers the XML
# parse errors of both the standard library and lxml; BadZipFile is an Exception of its own.
_UNREADABLE = (InvalidFileException, OSError, KeyError, ValueError, zipfile.BadZipFile, SyntaxError)

#: The first bytes of the old Excel format (.xls, an OLE2 compound file).
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _other_spreadsheet(source: Any) -> str:
    """What a file openpyxl cannot read is, where its content (whatever its name) is another
    spreadsheet's format: ``"the old Excel format (.xls)"``, ``"an OpenDocument spreadsheet
    (.ods, LibreOffice's own format)"`` (whose zip names its type first), or the flat one
    (``.fods``); ``""`` otherwise."""
    try:
        if isinstance(source, io.BytesIO):
            head = source.getvalue()[:1024]
        else:
            with open(source, "rb") as stream:
                head = stream.read(1024)
    except OSError:
        return ""
    if head.startswith(_OLE2_MAGIC):
        return "the old Excel format (.xls)"
    if b"application/vnd.oasis.opendocument.spreadsheet" in head and head.startswith(b"PK"):
        return "an OpenDocument spreadsheet (.ods, LibreOffice's own format)"
    if head.startswith(b"<?xml") and b"urn:oasis:names:tc:opendocument" in head:
        return "a flat OpenDocument spreadsheet (.fods)"
    return ""


def _read_grid(rows: Iterator[tuple[Any, ...]], where: str, names: CellNames | None = None) -> NDArray[np.uint8]:
    first = next(rows, None)
    if first is None or not any(v is not None for v in first):
        raise WorkbookError(f"{where}: the sheet is empty (expected a grid of class indices)")
    header = first[0] is None or isinstance(first[0], str)  # a grid's own A1 holds a number
    skip = 1 if header else 0
    row_number = 1 if header else 0
    pending = [] if header else [first]
    data: list[list[int]] = []
    blank_rows: list[int] = []
    width: int | None = None
    for row in chain(pending, rows):
        row_number += 1
        values = list(row[skip:])
        while values and values[-1] is None:
            values.pop()
        if not values:
            blank_rows.append(row_number)
            continue
        if blank_rows:
            raise WorkbookError(
                f"{where}: row {blank_rows[0]} is empty but the grid goes on at row "
                f"{row_number}; every grid row must hold values"
            )
        if width is None:
            width = len(values)
        if len(values) != width:
            first_row = row_number - len(data)
            column = skip + min(len(values), width) + 1
            ref = f"{get_column_letter(column)}{row_number}"
            raise WorkbookError(
                f"{where}: the grid is not rectangular: row {row_number} has {len(values)} "
                f"value(s) but row {first_row} has {width} (first difference at cell {ref})"
            )
        if not all(type(v) is int and 0 <= v <= VOID for v in values):
            values = [_checked_value(v, row_number, skip + j + 1, where, names or CellNames({})) for j, v in enumerate(values)]
        data.append(values)
    if not data:
        raise WorkbookError(f"{where}: no grid values below the coordinate header")
    return np.array(data, dtype=np.uint8)


def _checked_value(value: Any, row: int, column: int, where: str, names: CellNames) -> int:
    if type(value) is float and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        value = _named_value(value, names.index)
    if type(value) is int and 0 <= value <= VOID:
        return value
    if value is None:
        got = "an empty cell"
    elif isinstance(value, str):
        in_order = sorted(names.index, key=names.index.__getitem__)
        known = ", ".join(repr(name) for name in in_order[:8]) + (" ..." if len(in_order) > 8 else "")
        why = (
            f"no class name of {names.source} ({known}){names.more}" if names.index
            else "no class name: type a class's index, or give --classes TABLE for its names"
        )
        got = f"text {value!r} ({why})"
    elif isinstance(value, bool):
        got = f"the truth value {str(value).upper()}"
    elif isinstance(value, (int, float)):
        got = f"{value:g}"
    else:
        got = f"{type(value).__name__} {value}"
    raise WorkbookError(
        f"{where}, cell {get_column_letter(column)}{row}: expected a class index (an integer "
        f"0..254, or {VOID} for void) or a class's name, got {got}"
    )


def _named_value(text: str, names: dict[str, int]) -> int | str:
    """The index a cell's text stands for: a whole number typed as text, or a class name of
    ``names`` (exactly, else case aside when only one name matches); the text itself otherwise."""
    typed = text.strip()
    if typed.isdigit():
        return int(typed)
    if typed in names:
        return names[typed]
    folded = {names[name] for name in names if name.casefold() == typed.casefold()}
    return folded.pop() if len(folded) == 1 else text

