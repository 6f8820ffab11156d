"""Reading one small file (a class table, an index map) from a local path or an fsspec URL.

Writing, listing and everything per-dataset go through :mod:`labeltools.engine.storage`; this
is the little the shared tables need to load themselves from wherever they are.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable, Mapping
from pathlib import PurePosixPath
from typing import Any

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
    """A local path as a string (``file://`` removed)."""
    text = str(path)
    return text[len("file://") :] if text.startswith("file://") else text


def read_small_file(path: Any) -> bytes:
    """The bytes of a local file or of an fsspec URL.

    Raises:
        FileNotFoundError, OSError: as ``open`` raises them (fsspec raises the same for URLs).
    """
    if is_url(path):
        import fsspec  # only for URLs: the base install reads local files alone

        with fsspec.open(str(path), "rb") as handle:
            data: bytes = handle.read()
            return data
    with open(local_path(path), "rb") as handle:
        return handle.read()


def file_suffix(path: Any) -> str:
    """The lower-case extension of a path or URL (``".csv"``)."""
    return PurePosixPath(str(path)).suffix.lower()


def file_name(path: Any) -> str:
    """The last part of a path or URL."""
    return PurePosixPath(str(path)).name


def names_beside(path: Any, key: Callable[[str], str]) -> tuple[str, ...]:
    """The names in ``path``'s local folder, other than its own, whose ``key`` equals the key of
    ``path``'s name (``str.casefold``: the same name in other letter case); none for a URL or a
    folder that cannot be listed. For messages about a missing file: each folder is listed once
    while it is unchanged, however many of its files are missing."""
    text = os.fspath(path)
    if is_url(text):
        return ()
    folder, name = os.path.split(text)
    folder = folder or "."
    try:
        changed = os.stat(folder).st_mtime_ns
    except OSError:
        return ()
    found = _folder_index(folder, changed, key).get(key(name), ())
    return tuple(other for other in found if other != name)


@functools.lru_cache(maxsize=8)
def _folder_index(folder: str, changed: int, key: Callable[[str], str]) -> Mapping[str, tuple[str, ...]]:
    """``folder``'s names by ``key`` (``changed``, its modification time, renews the listing)."""
    index: dict[str, list[str]] = {}
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return {}
    for name in names:
        index.setdefault(key(name), []).append(name)
    return {k: tuple(v) for k, v in index.items()}


def stem_of(name: str) -> str:
    """A file name without its last suffix (``a.b.png`` -> ``a.b``), as a :func:`names_beside` key."""
    return os.path.splitext(name)[0]
