"""Where bytes are written: atomic files, folders created on the way, no debris left behind.

Every file labeltools writes goes through :func:`atomic_writes` (or its one-file form
:func:`atomic_write`): the bytes go to a temporary file beside the target, named by
:func:`temporary_name`, and are renamed into place only when every file of the group is ready.
A failure removes the temporaries and leaves the earlier files as they were; an ``OSError`` on
the way becomes an :class:`~labeltools.core.errors.OutputError` naming the path and the cause.

Any path may also be an fsspec URL (``s3://``, ``gs://``, ``az://``, ``memory://``,
``file://``): :func:`location` turns a path or URL into a path object with one API for both
(``pathlib.Path`` for local files, universal-pathlib's ``UPath`` over fsspec for the rest).
An object store has no rename, but a single PUT is atomic: outputs for a URL are staged in a
local temporary file and uploaded whole once every file of the group is ready, so no partial
object is ever visible. Credentials, endpoints and other storage options come from fsspec's own
configuration (``~/.config/fsspec/``, ``FSSPEC_<PROTOCOL>_<OPTION>`` variables) and the
protocol's usual environment (``AWS_PROFILE``, ``AWS_ENDPOINT_URL``, ...).

A process killed mid-write (``kill -9``) leaves its temporary file behind. The temporaries share
one recognisable pattern (:data:`TEMPORARY_PATTERN`), and the first write of a process into a
folder in a run removes those whose process is gone (:func:`remove_stale_temporaries`).
"""

from __future__ import annotations

import errno
import functools
import glob
import logging
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from labeltools.core._types import PathLike
from labeltools.core.errors import LabeltoolsError, OutputError
from labeltools.core.files import URL_CREDENTIALS, local_path, redacted, zip_names_as_made
from labeltools.core.files import (
    is_url as is_url,  # re-exported: one rule for what a URL is
)

log = logging.getLogger(__name__)

_LOCAL_PATH = type(Path())  # PosixPath or WindowsPath: what location() gives for a local path

#: The name of every temporary file labeltools writes: ``.<target name>.labeltools-<pid>-<hex>.tmp``.
TEMPORARY_PATTERN = re.compile(r"^\.(?P<target>.+)\.labeltools-(?P<pid>\d+)-[0-9a-f]{8}\.tmp$")


def location(path: Any) -> Path:
    """A path object for a local path, a ``file://`` URL or any other fsspec URL.

    Local paths give a plain ``pathlib.Path`` (nothing else is imported); a remote URL gives a
    ``upath.UPath``, which has the same API over fsspec (``/``, ``name``, ``stem``,
    ``parent``, ``exists()``, ``read_bytes()``, ``glob()``, ...).

    Raises:
        LabeltoolsError: a URL whose protocol needs a package that is not installed (the
            message says which extra to install).
    """
    if type(path) is _LOCAL_PATH:  # a local path already (a URL never survives as one)
        return path
    if not isinstance(path, (str, os.PathLike)):
        return path  # already a UPath
    text = os.fspath(path)
    if not is_url(text):
        return Path(local_path(text))
    if URL_CREDENTIALS.search(text):
        raise LabeltoolsError(
            f"{redacted(text)}: credentials in a URL are never used (they would show in logs and "
            "process lists); give them to the store's own configuration instead (AWS_ACCESS_KEY_ID "
            "and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ~/.config/fsspec/conf.json, ...)"
        )
    try:
        from upath import UPath

        upath = UPath(text)
        fs = upath.fs  # the store's package is imported here (UPath imports it when first used)
        if upath.protocol == "zip":
            zip_names_as_made(fs)
        return upath  # type: ignore[return-value]  # the pathlib API, over fsspec
    except ValueError as exc:  # fsspec knows no such protocol
        raise LabeltoolsError(f"{text}: {exc}") from None
    except ImportError as exc:
        protocol = text.split("://", 1)[0]
        package, extra = _STORE_PACKAGES.get(protocol, (None, "storage"))
        if package is None and exc.name not in ("upath", "fsspec"):  # a store no extra of ours installs
            raise LabeltoolsError(f"{text}: reading and writing {protocol}:// needs a package that is not installed ({exc})") from None
        raise LabeltoolsError(
            f"{text}: reading and writing {protocol}:// needs {exc.name or package}; pip install \"labeltools[{extra}]\""
        ) from None


#: The fsspec package of each store an extra of ours installs, and the extra.
_STORE_PACKAGES = {
    **dict.fromkeys(("s3", "s3a"), ("s3fs", "s3")),
    **dict.fromkeys(("gs", "gcs"), ("gcsfs", "gcs")),
    **dict.fromkeys(("az", "abfs", "abfss", "adl"), ("adlfs", "azure")),
}


def is_remote(path: Any) -> bool:
    """True when ``path`` (from :func:`location`) lives on a non-local fsspec file system."""
    return not isinstance(path, Path)


def read_bytes(
    path: Any, error: type[LabeltoolsError] = LabeltoolsError, what: str = "file", limit: int | None = None
) -> bytes:
    """The bytes of a file or object; with ``limit``, its size is checked first, so that a file
    larger than that is refused before a byte of it is read.

    Raises:
        ``error``: it does not exist (``"<path>: no such <what>"``), is larger than ``limit`` or
            cannot be read.
    """
    target = readable(path, error, what, limit)
    with _reading(path, error, what):
        return target.read_bytes()  # type: ignore[no-any-return]


def readable(path: Any, error: type[LabeltoolsError] = LabeltoolsError, what: str = "file", limit: int | None = None) -> Any:
    """The location of a file or object that :func:`read_bytes` would read, not read: checked
    as it checks it (a regular file, or an object; with ``limit``, no larger than that).

    Raises:
        ``error``: as :func:`read_bytes`.
    """
    target: Any = location(path)
    with _reading(path, error, what):
        size = _regular_size(target, path, error, what) if not is_remote(target) else None
        if limit is not None:
            if size is None:
                size = int(target.fs.info(target.path).get("size") or 0)
            if size > limit:
                raise error(
                    f"{path}: {size} bytes, over the limit of {limit} for one {what} (a damaged or "
                    "padded file; set LABELTOOLS_MAX_BYTES to allow it)"
                )
    return target


@contextmanager
def _reading(path: Any, error: type[LabeltoolsError], what: str) -> Iterator[None]:
    """A file's reading in the block, its failures ``error`` naming it."""
    try:
        yield
    except FileNotFoundError:
        raise error(f"{path}: no such {what}") from None
    except (OSError, ValueError) as exc:  # ValueError: some fsspec back ends for a bad name
        raise error(f"{path}: cannot read the {what} ({_cause(exc) if isinstance(exc, OSError) else exc})") from None


def _regular_size(target: Path, path: Any, error: type[LabeltoolsError], what: str) -> int:
    """The size of regular file ``target``; ``error`` when it is none, saying what it is instead
    (a FIFO, which would block a read for ever; a symbolic link to nothing)."""
    import stat

    try:
        status = os.stat(target)
    except FileNotFoundError:
        if os.path.islink(target):
            raise error(f"{path}: a symbolic link to {os.readlink(target)}, which does not exist") from None
        raise error(f"{path}: no such {what}") from None
    mode = status.st_mode
    if stat.S_ISREG(mode):
        return status.st_size
    kind = "a folder" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode) else "a device or socket"
    raise error(f"{path}: is {kind}, not a {what}")


def modified(path: Any) -> int | None:
    """When a file or object last changed, in nanoseconds since the epoch (None when it does
    not exist or the store tells no time). Object stores give their ``LastModified`` (or
    ``mtime``, or creation time)."""
    target = location(path)
    try:
        if not is_remote(target):
            return target.stat().st_mtime_ns
        remote: Any = target
        info = remote.fs.info(remote.path)
    except (OSError, ValueError):
        return None
    for key in ("LastModified", "last_modified", "mtime", "updated", "created"):
        value = info.get(key)
        if value is None:
            continue
        if hasattr(value, "timestamp"):
            return int(value.timestamp() * 1e9)
        try:
            return int(float(value) * 1e9)
        except (TypeError, ValueError):
            continue
    return None


def absolute(path: Any) -> Any:
    """A local path made absolute (symlinks resolved); a remote one as it is."""
    target = location(path)
    return target if is_remote(target) else target.resolve()


def is_residue(path: Any) -> bool:
    """Whether a file is what an operating system or an editor leaves beside data, never data,
    though its name ends as the data's do: macOS's AppleDouble files (``._<name>``, beside each
    file copied to another disk, and in the ``__MACOSX/`` folder of a zip made on a Mac), and
    Jupyter's copies of the files it edits (``.ipynb_checkpoints/<stem>-checkpoint.json``)."""
    return path.name.startswith("._") or not _RESIDUE_FOLDERS.isdisjoint(path.parts)


#: The folders that hold residue alone (see :func:`is_residue`).
_RESIDUE_FOLDERS = frozenset({"__MACOSX", ".ipynb_checkpoints"})


def pngs_in(folder: Any) -> list[Any]:
    """The ``*.png`` files of a folder (not below it), sorted, residue aside (see :func:`is_residue`)."""
    return sorted(p for p in folder.glob("*.png") if not is_residue(p))


def list_files(folder: Any, suffixes: Sequence[str], recursive: bool = False, depth: int | None = None) -> list[Any]:
    """The files of ``folder`` (and, with ``recursive``, of its sub-folders, down to ``depth``
    levels when given: 2 is its files and its folders') whose name ends in one of ``suffixes``
    (compared in lower case), sorted; an operating system's residue left out (see :func:`is_residue`)."""
    root: Any = location(folder)
    if is_remote(root):
        found = root.fs.find(root.path, maxdepth=depth) if recursive else root.fs.ls(root.path, detail=False)
        files = [root / os.path.relpath(name, root.path.rstrip("/")) for name in found]
    else:
        every = root.rglob("*") if depth is None else (p for level in range(depth) for p in root.glob("/".join(["*"] * (level + 1))))
        files = [p for p in (every if recursive else root.iterdir()) if p.is_file()]
    return sorted((p for p in files if p.name.lower().endswith(tuple(suffixes)) and not is_residue(p)), key=str)


#: The characters that make a name a pattern (as the shell and fsspec read one).
_PATTERN = re.compile(r"[*?[]")


def is_pattern(name: str) -> bool:
    """True when ``name`` holds ``*``, ``?`` or ``[``, as a shell or fsspec pattern does."""
    return _PATTERN.search(name) is not None


def expand_inputs(
    inputs: Sequence[str],
    suffixes: Sequence[str],
    prefer: Sequence[str] = (),
    say: Callable[[str], None] | None = None,
    hint: Callable[[str], str] | None = None,
) -> list[str]:
    """Command-line inputs with folders and patterns replaced by their files, in order.

    A folder stands for its files ending in one of ``suffixes`` (sorted; not its sub-folders),
    or, when it holds any, for those ending in one of ``prefer`` alone (a Cityscapes gtFine
    folder's ``_labelIds.png`` beside its other files), which ``say`` is told.
    A name holding ``*``, ``?`` or ``[`` that is no file itself is a pattern, expanded here as a
    shell would, and a URL's by its file system (no shell expands ``s3://bucket/masks/*.png``).
    An input ending in one of ``suffixes`` is taken as a file without asking the store, so a
    long list of objects costs no request each. Anything else is left as it is, for the job to
    read or to report missing. ``hint`` says what to do with a folder holding no such file (what
    it holds instead: masks of another format, annotations, a dataset of another kind), after
    the error's words.

    Raises:
        LabeltoolsError: a folder holding no such file, or a pattern that matches no file.
    """
    return [name for name, _ in expand_input_tree(inputs, suffixes, prefer, say, nested=False, hint=hint)]


def expand_input_tree(
    inputs: Sequence[str],
    suffixes: Sequence[str],
    prefer: Sequence[str] = (),
    say: Callable[[str], None] | None = None,
    nested: bool = True,
    output: Any = None,
    hint: Callable[[str], str] | None = None,
) -> list[tuple[str, str]]:
    """:func:`expand_inputs`, each file with the folder below the given one that holds it
    (``""`` but for a folder of folders): with ``nested``, a folder holding no such file itself
    stands for those of its sub-folders at any depth (a Cityscapes ``gtFine/``, a folder per
    split and city; ADE20K's ``annotations/``), so that a command can write each output into
    the same sub-folder of its ``output`` folder. The files an earlier run wrote into an
    ``output`` inside such a folder (not the folder itself: outputs beside their inputs) are
    left out, which ``say`` is told."""
    ends = tuple(suffix.lower() for suffix in suffixes)
    preferred = tuple(end.lower() for end in prefer)
    expanded: list[tuple[str, str]] = []
    for text in inputs:
        pattern = is_pattern(text)
        if text.lower().endswith(ends) and not pattern:
            expanded.append((text, ""))
            continue
        path: Any = location(text)
        if pattern and not path.exists():
            if is_remote(path):
                found = [path.fs.unstrip_protocol(name) for name in path.fs.glob(path.path)]
                files = sorted(name for name in found if path.fs.isfile(name))
            else:
                files = sorted(name for name in glob.glob(str(path)) if os.path.isfile(name))
            if not files:
                raise LabeltoolsError(f"{text}: no file matches this pattern")
            expanded.extend((name, "") for name in files)
        elif path.is_dir():
            found = list_files(path, ends)
            deep = nested and not found
            if deep:
                found = list_files(path, ends, recursive=True)
            chosen = [p for p in found if p.name.lower().endswith(preferred)]
            if chosen and len(chosen) < len(found) and say is not None:
                say(f"{text}: its {len(chosen)} *{' or *'.join(prefer)} file(s), not the {len(found) - len(chosen)} other(s)")
            found = chosen or found
            if deep and output is not None:
                found = _outside_output(found, path, output, say)
            if not found:
                kinds = ", ".join(ends[:-1]) + " or " + ends[-1] if len(ends) > 1 else ends[0]
                raise LabeltoolsError(
                    f"{text}: this folder holds no {kinds} file{' in it or its sub-folders' if nested else ''}{hint(text) if hint else ''}"
                )
            expanded.extend((str(p), str(p.parent.relative_to(path)) if deep else "") for p in found)
        else:
            expanded.append((text, ""))
    return expanded


def _outside_output(found: list[Any], folder: Any, output: Any, say: Callable[[str], None] | None) -> list[Any]:
    """The files of a tree ``folder`` but those in ``output`` when it lies inside the tree (an
    earlier run's output, ``remap gtFine -d gtFine/ids`` again), which ``say`` is told."""
    root, inside = (str(absolute(where)).rstrip("/") + "/" for where in (folder, output))
    if inside == root or not inside.startswith(root):
        return found
    kept = [p for p in found if not str(absolute(p)).startswith(inside)]
    if len(kept) < len(found) and say is not None:
        say(f"{output}: {len(found) - len(kept)} file(s) there, an earlier output inside the tree, are not read")
    return kept


#: The longest file name most file systems take, in bytes.
NAME_MAX = 255


def temporary_name(target: str) -> str:
    """A fresh temporary file name for ``target`` (a file name), matching :data:`TEMPORARY_PATTERN`;
    a long target is cut so that the name still fits :data:`NAME_MAX` (a target that fits
    itself always gets a temporary)."""
    suffix = f".labeltools-{os.getpid()}-{os.urandom(4).hex()}.tmp"
    room = NAME_MAX - len(suffix.encode()) - 1
    head = target.encode("utf-8", "surrogateescape")[:room].decode("utf-8", "ignore")
    return f".{head}{suffix}"


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
    folder = location(path)
    if is_remote(folder):
        return folder  # an object store has no folders to make
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), folder)
        raise OutputError(f"{blocker}: is a file, not a folder (cannot create {folder})") from None
    except OSError as exc:
        raise OutputError(f"{folder}: cannot create the folder ({_cause(exc)})") from None
    return folder


def remove_empty_folders(folder: PathLike) -> None:
    """Remove the local ``folder`` and every folder under it that holds no file, the deepest
    first: what a run that wrote nothing leaves of a folder it made (a folder holding a file
    stays, and so do the folders leading to it; an object store has no folders)."""
    root = location(folder)
    if is_remote(root):
        return
    for path, _, _ in os.walk(root, topdown=False):
        try:
            os.rmdir(path)
        except OSError:
            pass


def _process_exists(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError as exc:  # EPERM: it exists but belongs to someone else
        return exc.errno == errno.EPERM
    return True


#: The file that says a run is writing into a folder (see :func:`output_lock`).
LOCK_NAME = ".labeltools.lock"


@contextmanager
def output_lock(folder: PathLike) -> Iterator[None]:
    """Hold ``folder`` for one writer while the block runs: a second labeltools run writing into
    it is refused with one line naming the first (its pid and command).

    The lock is an ``flock`` on ``folder/.labeltools.lock``, which the system releases when its
    process ends, however it ends: a lock left by a killed run is simply taken. Object stores
    (no such lock) and file systems without ``flock`` go unlocked.

    Raises:
        OutputError: another live run holds the folder, or the lock file cannot be made; the
            system has no ``flock`` at all (Windows: nothing is written then).
    """
    where = location(folder)
    if is_remote(where):
        ensure_dir(where)
        yield
        return
    try:
        import fcntl
    except ImportError:  # Windows: untried there (its pools would spawn; os.kill(pid, 0) is a Ctrl-C)
        raise OutputError(
            f"{folder}: labeltools writes datasets on Linux and macOS only (it locks the folder it writes "
            "with a POSIX file lock); on Windows, run it in WSL (Windows Subsystem for Linux)"
        ) from None
    import sys

    target = ensure_dir(where)
    path = Path(target) / LOCK_NAME
    try:
        handle = open(path, "a+", encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"{target}: cannot write into the folder ({_cause(exc)})") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = " ".join(handle.read().split()) or "another process"
            raise OutputError(
                f"{target}: another labeltools run is writing into it ({holder}); wait for it to "
                "finish, or stop it, before running again"
            ) from None
        except OSError:  # no flock here (some network file systems)
            yield
            return
        handle.seek(0)
        handle.truncate()
        program = os.path.basename(sys.argv[0]) if sys.argv else "python"
        program = "labeltools" if program == "__main__.py" else program
        handle.write(f"pid {os.getpid()}: {' '.join([program, *sys.argv[1:]])}\n")
        handle.flush()
        try:
            yield
        finally:
            path.unlink(missing_ok=True)  # before the lock goes: a waiting opener gets a new file


def _writer_alive(pid: int, entry: os.DirEntry[str]) -> bool:
    """True when the process that wrote the temporary ``entry`` still runs: a process of that
    pid exists and, where ``/proc`` tells, is no zombie (killed and not yet reaped by its
    parent: it will never write again) and started before the file was last written, so that a
    pid the system has given to another process since does not keep the file for ever."""
    if not _process_exists(pid):
        return False
    state, started = _proc_stat(pid)
    if state == b"Z":
        return False
    try:
        status = entry.stat()
    except OSError:
        return False
    # A hard link (link_or_write) keeps its source's mtime: when it was made is the ctime then.
    written = status.st_ctime if status.st_nlink > 1 else status.st_mtime
    return started is None or started <= written + 2  # /proc/stat gives boot time to the second


def _proc_stat(pid: int) -> tuple[bytes | None, float | None]:
    """Process ``pid``'s state letter (``b"R"``, ``b"S"``, ``b"Z"`` for a zombie, ...) and when it
    started (seconds since the epoch), from ``/proc``; None for what it does not tell."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None, None
    try:
        with open("/proc/stat", "rb") as system:
            boot = next(int(line.split()[1]) for line in system if line.startswith(b"btime "))
        return fields[0], boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError, StopIteration):
        return fields[0] if fields else None, None


_swept: set[Path] = set()


_worker_process = [False]


def mark_worker_process() -> None:
    """Say that this process is a worker of a batch, not the one that started it: a write to
    ``memory://`` here is refused, as it would vanish with the worker."""
    _worker_process[0] = True


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
    if is_remote(location(folder)):
        return []  # objects are uploaded whole: no temporary ever lies there
    key = Path(os.path.abspath(folder))
    if key in _swept:
        return []
    try:
        entries = list(os.scandir(key))
    except OSError:  # not there (yet): swept when it is, the first write into it makes it
        return []
    _swept.update((key, location(folder)))
    removed = []
    for entry in entries:
        match = TEMPORARY_PATTERN.match(entry.name)
        if match is None or _writer_alive(int(match["pid"]), entry):
            continue
        try:
            os.unlink(entry.path)
        except OSError:
            continue
        log.info("removed %s, left by an interrupted run", entry.path)
        removed.append(Path(entry.path))
    return removed


def link_or_write(tmp: Path, source: Any, data: bytes | Callable[[], bytes]) -> None:
    """Put a file's bytes at ``tmp`` (a staged temporary path): a hard link to ``source`` when
    both are local files on one file system that allows it (no byte is copied, nor read: ``data``
    may be the function that reads them), else ``data`` written out. The caller guarantees
    ``data`` is ``source``'s content."""
    if source is not None and not is_remote(tmp) and not is_remote(source):
        try:
            os.link(source, tmp)
            return
        except OSError:  # another file system, links not allowed: write the bytes
            pass
    Path(tmp).write_bytes(data() if callable(data) else data)


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
    staged: list[tuple[Path, Any]] = []
    scratch: list[str] = []  # a local folder for objects bound for a remote store

    def stage(path: PathLike) -> Path:
        target = location(path)
        if is_remote(target):
            if _worker_process[0] and getattr(target, "protocol", None) == "memory":
                raise OutputError(
                    f"{target}: memory:// lives in one process, and this file is written in a worker "
                    "process, where it would be lost: run with --jobs 1 (jobs=1)"
                )
            if not scratch:
                scratch.append(tempfile.mkdtemp(prefix="labeltools-"))
            tmp = Path(scratch[0]) / temporary_name(target.name)
        else:
            folder = target.parent
            if folder not in _swept:  # made and swept once per run (see start_run)
                ensure_dir(folder)
                remove_stale_temporaries(folder)
            tmp = target.with_name(temporary_name(target.name))
        staged.append((tmp, target))
        return tmp

    current: Any = None
    try:
        yield stage
        for tmp, target in staged:
            current = target
            if is_remote(target):
                remote: Any = target
                remote.fs.put_file(str(tmp), remote.path)  # one PUT: the object appears whole
            else:
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
    finally:
        if scratch:
            shutil.rmtree(scratch[0], ignore_errors=True)


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


def names_beside(path: Any, key: Callable[[str], str]) -> tuple[str, ...]:
    """The names in ``path``'s folder, other than its own, whose ``key`` equals the key of
    ``path``'s name (``str.casefold``: the same name in other letter case); none for a URL (but
    a zip archive's, listed in memory) or a folder that cannot be listed. For a missing file: each
    folder is listed once while it is unchanged, however many of its files are missing."""
    text = str(path)  # a path, or a URL: a UPath's text is its URL
    zipped = text.startswith("zip://")
    if is_url(text) and not zipped:
        return ()
    if zipped:
        inside = location(text)
        folder, name, changed = str(inside.parent), inside.name, 0  # an archive is read, never changed
    else:
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
        names = sorted(p.name for p in location(folder).iterdir()) if is_url(folder) else sorted(os.listdir(folder))
    except OSError:
        return {}
    for name in names:
        index.setdefault(key(name), []).append(name)
    return {k: tuple(v) for k, v in index.items()}


def composed(name: str) -> str:
    """``name`` in Unicode's composed form (NFC): a :func:`names_beside` key, a stem to pair by."""
    return unicodedata.normalize("NFC", name)


def existing_file(path: Any) -> Any:
    """``path`` (from :func:`location`) when it is a file, else the file beside it whose name is
    ``path``'s in the other Unicode normalization, else None. macOS writes names decomposed
    (``é`` as ``e`` and an accent, Hangul as its letters), in its older file system and in the zip
    archives it makes, where an annotation tool most often writes them composed; macOS takes both
    for one name, Linux does not, so that an image named ``도로.jpg`` in both places was "not
    found (tried .../도로.jpg)". Only one such file counts: two are two names.

    Raises:
        OSError: as ``is_file`` raises it (a name too long for the file system, say).
    """
    if path.is_file():
        return path
    others = names_beside(path, composed)
    if len(others) != 1:
        return None
    twin = location(path).parent / others[0]
    return twin if twin.is_file() else None


def ignores_letter_case(path: Any) -> bool:
    """Whether the local file system ``path`` is on (or would be on: the nearest folder above it
    that exists) takes names that differ only in letter case for one name, as macOS's and
    Windows' do by default, and exFAT and FAT drives and SMB shares: there ``IMG_1.png`` and
    ``img_1.png`` are one file. A probe file of a new name is made there, looked up in capitals,
    and removed (a lookup of an existing name in other case cannot tell: a FUSE file system gives
    one file two inode numbers). A store's keys never do; a folder that cannot be written says no."""
    target = location(path)
    if is_remote(target):
        return False
    folder = next((p for p in (target, *target.parents) if p.is_dir()), None)
    if folder is None:
        return False
    probe = os.path.join(folder, f".labeltools-case-probe-{os.getpid()}-{os.urandom(4).hex()}")
    try:
        with open(probe, "x", encoding="utf-8"):
            pass
    except OSError:
        return False
    try:
        return os.path.exists(os.path.join(folder, os.path.basename(probe).upper()))
    finally:
        os.unlink(probe)


def stem_of(name: str) -> str:
    """A file name without its last suffix (``a.b.png`` -> ``a.b``), as a :func:`names_beside` key."""
    return os.path.splitext(name)[0]
