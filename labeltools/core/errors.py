"""Errors raised for bad input.

Every error the library raises on purpose is a :class:`LabeltoolsError`; its message names the
file (when there is one), the place in it and what was expected. The command line turns these
into one line on stderr and exit code 1. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import importlib
import reprlib
import shlex
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from numpy.typing import NDArray


class LabeltoolsError(Exception):
    """Base class of every error labeltools raises for bad input or bad arguments."""


class ColormapError(LabeltoolsError, ValueError):
    """A colormap or palette was asked for with impossible parameters."""


class LabelFileError(LabeltoolsError):
    """A label image (file or array) cannot be read or written as a label map."""


class ColourImageError(LabelFileError):
    """A colour (RGB, RGBA, ...) image was given where a label map of indices was expected."""


class ClassTableError(LabeltoolsError):
    """A class table is malformed: duplicate names or indices, blank lines, bad colours."""


class AnnotationError(LabeltoolsError):
    """A labelme annotation cannot be read or rasterised."""


class DatasetError(LabeltoolsError):
    """A dataset folder is missing parts or is inconsistent."""


class RemapError(LabeltoolsError):
    """A colour mask or index map cannot be remapped."""


class WorkbookError(LabeltoolsError):
    """A spreadsheet cannot be written or read back as a label grid."""


class EvaluationError(LabeltoolsError):
    """Predictions cannot be scored against ground truth."""


class NotLabelmeError(AnnotationError):
    """A JSON file is not a labelme annotation at all (no ``shapes`` list): skipped, not failed."""


class WeightsError(LabeltoolsError, ValueError):
    """Class weights cannot be computed: bad scheme or parameters, or nothing was counted."""


def format_values(values: Sequence[Any] | NDArray[Any], limit: int = 8, count_rest: bool = True) -> str:
    """List values in a message: the first ``limit`` as ints, then ``" and k more"`` (or
    ``", ..."`` without ``count_rest``): ``"3, 7, 9 and 2 more"``."""
    shown = ", ".join(str(int(v)) for v in values[:limit])
    if len(values) <= limit:
        return shown
    return shown + (f" and {len(values) - limit} more" if count_rest else ", ...")


def none_of(values: Sequence[Any] | NDArray[Any], what: str) -> str:
    """Values named as no ``what``: ``"value 40, no class of the table"``, ``"values 40, 41, none
    of them a class of the table"``."""
    if len(values) == 1:
        return f"value {int(values[0])}, no {what}"
    return f"values {format_values(values)}, none of them a {what}"


class OutputError(LabeltoolsError):
    """An output file or folder cannot be written: the message names the path and the cause."""


class ExportError(LabeltoolsError):
    """An export cannot run (a missing package), or an object does not survive it (``strict``)."""


class YoloLabelError(LabeltoolsError):
    """A YOLO label line that does not follow the format."""


class RunStoppedError(LabeltoolsError):
    """A batch stopped part way through for a cause outside its files (its Dask scheduler was
    lost): what was written stays, and ``--resume`` continues."""


class ReportError(LabeltoolsError):
    """A report cannot be made: its libraries are missing, or an option does not fit."""


def require_extra(module: str, purpose: str, extra: str, error: type[LabeltoolsError]) -> Any:
    """Import an optional dependency, or raise ``error`` saying what needs it and which extra
    installs it (``exporting to COCO needs pycocotools: pip install "labeltools[coco]"``).
    Once imported it is taken from ``sys.modules``: per-object callers pay nothing."""
    package = module.partition(".")[0]
    if sys.modules.get(package) is not None and (loaded := sys.modules.get(module)) is not None:
        return loaded
    try:
        importlib.import_module(package)  # the package itself first: it may be gone
        return importlib.import_module(module)
    except ImportError:
        raise error(f'{purpose}: pip install "labeltools[{extra}]"') from None


_SHOWN = reprlib.Repr()
_SHOWN.maxlevel = 3
_SHOWN.maxstring = 80
_SHOWN.maxother = 80
_SHOWN.maxlong = 40


def shell_word(value: Any) -> str:
    """A path or value as one word of a command line a message suggests, quoted where a shell
    would split or expand it (a folder named ``my data``): the line runs as it is copied."""
    return shlex.quote(str(value))


def shown(value: Any) -> str:
    """``repr`` of a value read from a file, bounded in depth and length: a message quotes what
    it found, but a label of a megabyte or a list nested 100000 deep quotes as a short line."""
    try:
        return _SHOWN.repr(value)
    except ValueError:  # an integer of more digits than Python prints
        return f"<{type(value).__name__} too large to show>"
