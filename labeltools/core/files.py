"""Reading one small file (a class table, an index map) from a local path or an fsspec URL, and
the parts of a path's name (its ending, of an output too).

Writing, listing and everything per-dataset go through :mod:`labeltools.engine.storage`; this
is the little the shared tables need to load themselves from wherever they are.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import PurePosixPath
from typing import Any

from labeltools.core.errors import OutputError

_SURROGATE = re.compile("[\ud800-\udfff]")


def json_text(data: Any, **dumps: Any) -> str:
    """``json.dumps(data, ensure_ascii=False, **dumps)`` that UTF-8 can always carry: a lone
    surrogate (from a file name that is not UTF-8) is written as its ``\\uXXXX`` escape, which
    JSON reads back as the same string."""
    text = json.dumps(data, ensure_ascii=False, **dumps)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


#: The credentials of a URL: the ``user:password`` (or ``key``) between ``scheme://`` and ``@``.
URL_CREDENTIALS = re.compile(r"(?<=://)[^/@\s\"']+(?=@)")


def redacted(text: str) -> str:
    """``text`` with the credentials of every URL in it replaced by ``***``
    (``s3://KEY:SECRET@bkt/x`` -> ``s3://***@bkt/x``)."""
    return URL_CREDENTIALS.sub("***", text)


def is_url(path: object) -> bool:
    """True for an fsspec URL (``protocol://...``) other than a local ``file://`` one."""
    text = os.fspath(path) if isinstance(path, (str, os.PathLike)) else str(path)
    return "://" in text and not text.startswith("file://")


def local_path(path: Any) -> str:
    """A local path as a string (``file://`` removed; a leading ``~`` the home folder, as the shell
    leaves it in ``--images=~/photos``)."""
    text = str(path)
    text = text[len("file://") :] if text.startswith("file://") else text
    return os.path.expanduser(text) if text.startswith("~") else text


def read_small_file(path: Any) -> bytes:
    """The bytes of a local file or of an fsspec URL.

    Raises:
        FileNotFoundError, OSError: as ``open`` raises them (fsspec raises the same for URLs).
    """
    if is_url(path):
        from fsspec.core import url_to_fs  # only for URLs: the base install reads local files alone

        fs, inner = url_to_fs(str(path))
        zip_names_as_made(fs)
        with fs.open(inner, "rb") as handle:
            data: bytes = handle.read()
            return data
    with open(local_path(path), "rb") as handle:
        return handle.read()


def zip_names_as_made(fs: Any) -> None:
    """Give the members of a zip archive read through fsspec (``zip://``) their names as made,
    once per archive. The zip format marks UTF-8 names with a flag, which Info-ZIP's ``zip``
    (Linux's) and macOS leave unset on the UTF-8 names they write: Python then reads them as code
    page 437, ``标注/街道_01.jpg`` as ``µáçµ│¿/ΦíùΘüô_01.jpg``, a name no annotation's
    ``imagePath`` gives and no user wants as an id. Such names are read as UTF-8; any other (an
    archive of another code page: see :func:`legacy_zip_names`) stays as Python reads it."""
    archive = getattr(fs, "zip", None)
    if archive is None or getattr(archive, "_labeltools_names", False):
        return
    for info in archive.infolist():
        raw = _unflagged_name(info)
        name = None if raw is None else _as_utf8(raw)
        if name is None:
            continue
        archive.NameToInfo.pop(info.filename, None)  # orig_filename stays: zipfile checks it against the member's own header
        info.filename = name
        archive.NameToInfo[name] = info
    archive._labeltools_names = True
    fs.dir_cache = None  # listed again, by the names as made


def legacy_zip_names(archive: Any) -> list[bytes]:
    """The names of a ``zipfile.ZipFile``'s members stored, unflagged, in a code page that is
    neither UTF-8 nor the zip format's own, code page 437, as stored. Windows' own zip tool writes
    names in the system's code page (GBK on a Chinese system, CP932 on a Japanese one, CP850 in
    Western Europe), which the archive does not record: a name whose bytes code page 437 reads as
    box drawing, Greek or mathematical signs (0xB0 and up, where those code pages put their
    letters) was written so; one of its accented letters alone (0x80 to 0xAF) was not."""
    stored = (_unflagged_name(info) for info in archive.infolist())
    return [raw for raw in stored if raw is not None and max(raw) >= 0xB0 and _as_utf8(raw) is None]


def _as_utf8(raw: bytes) -> str | None:
    """``raw`` read as UTF-8, or None when it is not UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _unflagged_name(info: Any) -> bytes | None:
    """A zip member's name as stored, when it is not ASCII and not flagged as UTF-8, so that
    Python read it as code page 437; None for any other name."""
    if info.flag_bits & 0x800:
        return None
    try:
        raw = info.orig_filename.encode("cp437")  # the bytes back: code page 437 maps every byte
    except UnicodeEncodeError:  # read otherwise (a Python that reads Info-ZIP's Unicode path field)
        return None
    return None if raw.isascii() else raw


def read_small_text(path: Any) -> str:
    """The text of a small local file or fsspec URL, with ``\n`` line ends: UTF-8 with or
    without a byte-order mark (Excel's CSV), or UTF-16 with one (Windows PowerShell 5's ``>``,
    Notepad's "Unicode").

    Raises:
        FileNotFoundError, OSError: as :func:`read_small_file`.
        UnicodeDecodeError: text in neither.
    """
    data = read_small_file(path)
    text = data.decode("utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else data.decode("utf-8-sig")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def file_suffix(path: Any) -> str:
    """The lower-case extension of a path or URL (``".csv"``)."""
    return PurePosixPath(_innermost(path)).suffix.lower()


def require_suffix(path: Any, suffix: str, what: str, readers: str = "") -> None:
    """Refuse an output named otherwise than ``suffix`` (``".xlsx"``; any case): a file of one
    format under another's name is opened by no tool that goes by its name.

    Raises:
        OutputError: naming the path, ``what`` it holds (``"a workbook"``) and the ending to give,
            after the ``readers`` that open it so, when given.
    """
    if file_suffix(path) != suffix:
        read = f", which {readers} read" if readers else ""
        raise OutputError(f"{path}: labeltools writes {what} as a {suffix} file{read}; give a name ending in {suffix}")


def file_name(path: Any) -> str:
    """The last part of a path or URL (of a file inside an archive, the file's:
    ``zip://train/_classes.csv::export.zip`` is ``_classes.csv``)."""
    return PurePosixPath(_innermost(path)).name


def file_parent_name(path: Any) -> str:
    """The name of the folder a path or URL is in (of a file inside an archive, its folder's
    there: ``zip://valid/_annotations.coco.json::export.zip`` is in ``valid``)."""
    return PurePosixPath(_innermost(path).replace("\\", "/")).parent.name


def _innermost(path: Any) -> str:
    """A path or URL as text, the file's own part of a chained fsspec URL (``zip://a.csv::b.zip``)."""
    text = str(path)
    return text.split("::", 1)[0] if "://" in text and "::" in text else text
