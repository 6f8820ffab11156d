"""Label files rewritten as palette PNGs (or grayscale), indices unchanged: the job behind
``labeltools colorize``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import partial

from numpy.typing import ArrayLike

from labeltools.core._types import PathLike
from labeltools.engine.executor import FileResult, map_files_into
from labeltools.engine.storage import location
from labeltools.formats.labels import (
    check_unique_stems,
    read_label,
    write_gray_label,
    write_label,
)


def recolor_label_file(
    source: PathLike, output_dir: PathLike, gray: bool = False, palette: ArrayLike | None = None
) -> FileResult:
    """Rewrite one label file as a palette PNG (or, with ``gray``, a grayscale PNG).

    The indices are kept; only the way they are stored changes. The output is
    ``output_dir/<stem>.png``.

    Raises:
        LabelFileError: the input is not a label file.
    """
    label = read_label(source)
    target = location(output_dir) / (location(source).stem + ".png")
    if gray:
        write_gray_label(target, label)
    else:
        write_label(target, label, palette)
    return FileResult(source=str(source), outputs=(str(target),))


def recolor_label_files(
    sources: Sequence[PathLike],
    output_dir: PathLike,
    gray: bool = False,
    palette: ArrayLike | None = None,
    jobs: int | None = None,
    folders: Sequence[str] | None = None,
) -> Iterator[FileResult]:
    """Batch :func:`recolor_label_file`: one :class:`FileResult` per input, in order; with
    ``folders``, each into that sub-folder of ``output_dir`` (see
    :func:`~labeltools.engine.executor.map_files_into`).

    Raises:
        LabelFileError: two inputs share a stem (they would write the same output); nothing is
            written then.
    """
    check_unique_stems(sources, folders=folders)
    return map_files_into(partial(recolor_label_file, gray=gray, palette=palette), sources, output_dir, folders, jobs)
