"""Label files to workbooks and back, in batch: the job behind ``labeltools excel``.

Every file's size is checked from its header before anything is written; a bad file is
reported and left out.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from numpy.typing import ArrayLike

from labeltools.core._types import PathLike
from labeltools.core.classes import ClassTable, as_class_table
from labeltools.core.files import require_suffix
from labeltools.core.errors import LabeltoolsError, WorkbookError
from labeltools.core.options import DEFAULT_MAX_CELLS
from labeltools.engine.executor import FileResult, map_files
from labeltools.engine.storage import absolute, ensure_dir, location
from labeltools.formats.excel import (
    Crop,
    GridRegion,
    GridSource,
    NamesSpec,
    _Book,
    excel_to_label,
    plan_grid,
)
from labeltools.formats.labels import (
    check_unique_stems,
    probe_label,
    read_label_palette,
    write_label,
)
from labeltools.formats.voc import check_labels_agree, load_class_table


def resolve_class_names(source: PathLike, names: NamesSpec = None) -> ClassTable:
    """The class table naming a label file's classes.

    ``names`` when given (a table, a list of names, a preset name or a table file); else a
    ``class_names.txt`` in the label's folder or the folder above it (a VOC dataset keeps it
    beside ``SegmentationClass/``); else the VOC preset.

    Raises:
        ClassTableError: the table given or found cannot be read.
    """
    if names is not None:
        return as_class_table(names)
    return _folder_class_names(absolute(source).parent)


def _given_names(names: NamesSpec, sources: Sequence[PathLike]) -> ClassTable | None:
    """The class table ``names`` gives (None: none given), with a warning for each folder of
    ``sources`` whose dataset names the classes otherwise."""
    if names is None:
        return None
    table = as_class_table(names)
    for folder in dict.fromkeys(location(source).parent for source in sources):
        check_labels_agree(table, folder, asked=True)
    return table


def _folder_class_names(folder: Path) -> ClassTable:
    """The ``class_names.txt`` of ``folder`` or of the folder above it, else the VOC preset."""
    return _dataset_class_names_in(folder) or ClassTable.preset("voc")


def _dataset_class_names_in(folder: Path) -> ClassTable | None:
    """The ``class_names.txt`` of ``folder`` or of the folder above it, or None."""
    for root in (folder, folder.parent):
        table = load_class_table(root)
        if table is not None:
            return table
    return None


def _dataset_class_names(source: str) -> ClassTable | None:
    """The class table of the dataset a dumped label file ``source`` belongs to, where it still
    lies (see :func:`_dataset_class_names_in`), or None."""
    folder = absolute(source).parent
    return _dataset_class_names_in(folder) if folder.is_dir() else None


@dataclass(frozen=True)
class _Planned:
    source: str
    shape_hw: tuple[int, int]
    region: GridRegion
    mode: str


def _plan_file(source: PathLike, crop: Crop | None, step: int, max_cells: int) -> _Planned:
    shape, mode = probe_label(source)
    return _Planned(str(source), shape, plan_grid(shape, crop, step, str(source), max_cells), mode)


def _grid_source(planned: _Planned, table: ClassTable) -> GridSource:
    label, file_palette = read_label_palette(planned.source)
    if label.shape != planned.shape_hw:  # a file that changed since its header was read
        raise WorkbookError(
            f"{planned.source}: holds {label.shape[1]}x{label.shape[0]} pixels, but its header "
            f"said {planned.shape_hw[1]}x{planned.shape_hw[0]}"
        )
    colors = table.palette() if file_palette is None else file_palette
    return GridSource(
        label, planned.region, location(planned.source).stem, planned.source, colors, table,
        planned.mode, file_palette is not None,
    )  # fmt: skip


def default_workbook_path(source: PathLike) -> Path:
    """``<folder>/<stem>.xlsx`` beside a label file."""
    return location(source).with_suffix(".xlsx")


def label_file_to_excel(
    source: PathLike,
    output: PathLike | None = None,
    *,
    names: NamesSpec = None,
    crop: Crop | None = None,
    step: int = 1,
    fill: bool = True,
    max_cells: int = DEFAULT_MAX_CELLS,
) -> FileResult:
    """Write one label file to its own workbook (default ``<stem>.xlsx`` beside it).

    The size is checked against Excel's limits from the PNG header, before any pixel is
    decoded or any byte written. Names come from :func:`resolve_class_names`; colours from the
    file's palette, else the class table's.

    Returns:
        A FileResult whose ``outputs`` is the workbook and ``data`` the grid sheet's title.

    Raises:
        LabelFileError, WorkbookError, ClassTableError: see :func:`label_to_excel`.
    """
    target = default_workbook_path(source) if output is None else location(output)
    planned = _plan_file(source, crop, step, max_cells)
    book = _Book(target, fill)
    title = book.add_grid(_grid_source(planned, resolve_class_names(source, names)))
    book.save(target)
    return FileResult(source=str(source), outputs=(str(target),), data=title)


def _to_folder(
    source: str,
    output_dir: str,
    names: NamesSpec,
    crop: Crop | None,
    step: int,
    fill: bool,
    max_cells: int,
) -> FileResult:
    target = location(output_dir) / (location(source).stem + ".xlsx")
    return label_file_to_excel(source, target, names=names, crop=crop, step=step, fill=fill, max_cells=max_cells)


def label_files_to_excel(
    sources: Sequence[PathLike],
    output_dir: PathLike,
    *,
    names: NamesSpec = None,
    crop: Crop | None = None,
    step: int = 1,
    fill: bool = True,
    max_cells: int = DEFAULT_MAX_CELLS,
    jobs: int | None = None,
) -> Iterator[FileResult]:
    """One workbook per label file, ``output_dir/<stem>.xlsx``, over worker processes.

    Yields one FileResult per input, in input order; a bad file fails alone.

    Raises:
        LabelFileError: two inputs share a stem (nothing is written then).
        ClassTableError: ``names`` cannot be loaded.
    """
    check_unique_stems(sources)
    table = _given_names(names, sources)
    ensure_dir(output_dir)
    work = partial(
        _to_folder, output_dir=str(output_dir), names=table, crop=crop, step=step, fill=fill, max_cells=max_cells
    )
    return map_files(work, [str(s) for s in sources], jobs)


#: The ending of a workbook of grids and of a label read back from one, and what each holds.
WORKBOOK = (".xlsx", "a workbook")
LABEL_PNG = (".png", "a label file")


def label_files_to_workbook(
    sources: Sequence[PathLike],
    output: PathLike,
    *,
    names: NamesSpec = None,
    crop: Crop | None = None,
    step: int = 1,
    fill: bool = True,
    max_cells: int = DEFAULT_MAX_CELLS,
) -> Iterator[FileResult]:
    """Write several label files into one workbook, one grid sheet each (titled by stem).

    Every file's size is checked first; then the files are read and written one at a time (only
    one label in memory). A bad file is reported and left out; the workbook is saved, atomically,
    once the last result has been yielded, if any file was good.

    Returns:
        An iterator of one FileResult per input, in input order (``data`` is the sheet title).

    Raises:
        ClassTableError: ``names`` cannot be loaded (at once, before any file is read).
        OutputError: ``output`` does not end in ``.xlsx`` (at once).
        WorkbookError: the workbook cannot be written (when the last result is taken).
    """
    require_suffix(output, *WORKBOOK)
    table = _given_names(names, sources)
    return _write_workbook(sources, output, table, crop, step, fill, max_cells)


def _write_workbook(
    sources: Sequence[PathLike],
    output: PathLike,
    table: ClassTable | None,
    crop: Crop | None,
    step: int,
    fill: bool,
    max_cells: int,
) -> Iterator[FileResult]:
    planned: list[_Planned | FileResult] = []
    for source in sources:
        try:
            planned.append(_plan_file(source, crop, step, max_cells))
        except LabeltoolsError as exc:
            planned.append(FileResult(source=str(source), ok=False, error=str(exc)))
    book = _Book(output, fill)
    tables: dict[Path, ClassTable] = {}
    for item in planned:
        if isinstance(item, FileResult):
            yield item
            continue
        try:
            if table is None:
                folder = absolute(item.source).parent
                if folder not in tables:
                    tables[folder] = _folder_class_names(folder)
                grid = _grid_source(item, tables[folder])
            else:
                grid = _grid_source(item, table)
        except LabeltoolsError as exc:
            yield FileResult(source=item.source, ok=False, error=str(exc))
            continue
        title = book.add_grid(grid)
        yield FileResult(source=item.source, outputs=(str(output),), data=title)
    if book.sheets:
        book.save(output)


def excel_to_label_file(
    workbook: PathLike,
    output: PathLike,
    sheet: str | None = None,
    palette: ArrayLike | None = None,
    classes: NamesSpec = None,
) -> FileResult:
    """Read a grid sheet back (see :func:`excel_to_label`) and write it as a palette label PNG.

    Args:
        palette: ``(k, 3)`` colours for the PNG; default ``classes``' colours when given, else the
            VOC colormap.
        classes: a class table whose names the grid's cells may hold besides the Classes sheet's;
            by default, the ``class_names.txt`` of the dataset the grid was dumped from, where
            the Info sheet's source still lies (beside it or one folder up), as the dump found it.

    Returns:
        A FileResult whose ``outputs`` is the PNG and ``data`` the ``(H, W)`` shape.

    Raises:
        OutputError: ``output`` does not end in ``.png`` (before the workbook is read).
        WorkbookError: see :func:`excel_to_label` (nothing is written then).
    """
    require_suffix(output, *LABEL_PNG)
    label = excel_to_label(workbook, sheet, classes, _dataset_class_names)
    write_label(output, label, palette if palette is not None or classes is None else as_class_table(classes).palette())
    return FileResult(source=str(workbook), outputs=(str(output),), data=label.shape)
