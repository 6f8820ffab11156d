"""Where bytes are written: atomic files, folders created on the way, no debris left behind.

Every file labeltools writes goes through :func:`atomic_writes` (or its one-file form
:func:`atomic_write`): the bytes go to a temporary file beside the target, named by
:func:`temporary_name`, and are renamed into place only when every file of the group is ready.
A failure removes the temporaries and leaves the earlier files as they were; an ``OSError`` on
the way becomes an :class:`~labeltools.errors.OutputError` naming the path and the cause.

A process killed mid-write (``kill -9``) leaves its temporary file behind. The temporaries share
one recognisable pattern (:data:`TEMPORARY_PATTERN`), and the first write of a process into a
folder in a run removes those whose process is gone (:func:`remove_stale_temporaries`).
"""

from __future__ import annotations

import errno
import logging
import os
import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from labeltools._types import PathLike
from labeltools.errors import OutputError

log = logging.getLogger(__name__)

#: The name of every temporary file labeltools writes: ``.<target name>.labeltools-<pid>-<hex>.tmp``.
TEMPORARY_PATTERN = re.compile(r"^\.(?P<target>.+)\.labeltools-(?P<pid>\d+)-[0-9a-f]{8}\.tmp$")


def temporary_name(target: str) -> str:
    """A fresh temporary file name for ``target`` (a file name), matching :data:`TEMPORARY_PATTERN`."""
    return f".{target}.labeltools-{os.getpid()}-{secrets.token_hex(4)}.tmp"


def is_temporary(name: str) -> bool:
    """True when ``name`` (a file name) is one of labeltools' temporary files."""
    return TEMPORARY_PATTERN.match(name) is not None


def _cause(exc: OSError) -> str:
    return exc.strerror or str(exc)


def ensure_dir(path: PathLike) -> Path:
    """Create folder ``path`` and its parents when missing; return it.

    Raises:
        OutputError: it cannot be created, e.g. a file stands where a folder is needed
            (``"out/afile: is a file, not a folder"``) or permission is denied.
    """
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), folder)
        raise OutputError(f"{blocker}: is a file, not a folder (cannot create {folder})") from None
    except OSError as exc:
        raise OutputError(f"{folder}: cannot create the folder ({_cause(exc)})") from None
    return folder


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError as exc:  # EPERM: it exists but belongs to someone else
        return exc.errno == errno.EPERM
    return True


_swept: set[Path] = set()


def start_run() -> None:
    """Forget which folders were swept: the next write into each sweeps it again. The executor
    calls this as a batch starts, so that every run cleans up after an interrupted one."""
    _swept.clear()


def remove_stale_temporaries(folder: PathLike) -> list[Path]:
    """Delete the temporary files in ``folder`` left by labeltools processes that are gone.

    Temporaries of running processes (another worker of the same run, say) are kept. Each
    folder is swept once per run and process (see :func:`start_run`; worker processes forked
    after a sweep inherit it).

    Returns:
        The files removed.
    """
    key = Path(os.path.abspath(folder))
    if key in _swept:
        return []
    _swept.add(key)
    removed = []
    try:
        entries = list(os.scandir(key))
    except OSError:
        return []
    for entry in entries:
        match = TEMPORARY_PATTERN.match(entry.name)
        if match is None or _process_alive(int(match["pid"])):
            continue
        try:
            os.unlink(entry.path)
        except OSError:
            continue
        log.info("removed %s, left by an interrupted run", entry.path)
        removed.append(Path(entry.path))
    return removed


@contextmanager
def atomic_writes() -> Iterator[Callable[[PathLike], Path]]:
    """Write a group of files so that they replace their targets together, or not at all.

    The block receives ``stage(target) -> temporary path``; it writes each file to the path it
    is given (creating it as any ``open()`` does, so it gets the usual permissions). When the
    block succeeds every temporary file is renamed onto its target, in staging order; when it
    raises, the temporaries are removed and every target keeps its earlier content. Missing
    folders are created.

    Raises:
        OutputError: a folder cannot be created, or a file cannot be written or renamed into
            place (the message names the target).
    """
    staged: list[tuple[Path, Path]] = []

    def stage(path: PathLike) -> Path:
        target = Path(path)
        ensure_dir(target.parent)
        remove_stale_temporaries(target.parent)
        tmp = target.with_name(temporary_name(target.name))
        staged.append((tmp, target))
        return tmp

    current: Path | None = None
    try:
        yield stage
        for tmp, target in staged:
            current = target
            os.replace(tmp, target)
    except BaseException as exc:
        for tmp, _ in staged:
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass
        if isinstance(exc, OSError) and not isinstance(exc, OutputError):
            where = current or _failed_target(exc, staged)
            raise OutputError(f"{where}: cannot write ({_cause(exc)})") from exc
        raise


def _failed_target(exc: OSError, staged: list[tuple[Path, Path]]) -> Path | str:
    """The target whose temporary file an OSError concerns (the last staged one by default)."""
    names = {os.fspath(tmp): target for tmp, target in staged}
    for name in (exc.filename, exc.filename2):
        if name is not None and os.fspath(name) in names:
            return names[os.fspath(name)]
    return staged[-1][1] if staged else (exc.filename or "output")


@contextmanager
def atomic_write(path: PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` when the block succeeds.

    The one-file form of :func:`atomic_writes`: an interrupted or failed write never leaves a
    truncated file, and the earlier file stays as it was.

    Raises:
        OutputError: the folder cannot be created or the file cannot be written (naming it).
    """
    with atomic_writes() as stage:
        yield stage(path)
