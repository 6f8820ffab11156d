"""The one place that fans per-file work out over processes.

Batch functions hand :func:`map_files` a module-level function that processes one item and
returns a :class:`FileResult`; results come back in input order whatever the number of workers,
so everything written from them is identical for any ``jobs``. Only small results travel between
processes (never whole images), and at most a few items per worker are in flight, so memory stays
bounded by what the workers hold.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from labeltools.engine.storage import start_run
from labeltools.errors import LabeltoolsError

log = logging.getLogger(__name__)


@dataclass
class FileResult:
    """What processing one file gave.

    Attributes:
        source: the input, as given (usually a path).
        ok: True when the file was processed (or deliberately skipped).
        error: the reason it failed, naming the file and what is wrong.
        skipped: True when the file was left alone on purpose (not a failure).
        outputs: files written for it.
        data: the job's own payload (counts, a report, ...), small and picklable.
        warnings: things worth telling the user that did not stop the file.
    """

    source: str
    ok: bool = True
    error: str | None = None
    skipped: bool = False
    outputs: tuple[str, ...] = ()
    data: Any = None
    warnings: tuple[str, ...] = ()


class OneRun:
    """A checked, ready-to-run batch: iterating it runs it, once, yielding one
    :class:`FileResult` per item of :attr:`items`; ``len()`` is their number. Subclasses
    provide ``items`` and ``_run()``."""

    items: Sequence[Any]
    _started = False

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[FileResult]:
        if self._started:
            raise RuntimeError(f"a {type(self).__name__} runs once")
        self._started = True
        return self._run()

    def _run(self) -> Iterator[FileResult]:
        raise NotImplementedError


def resolve_jobs(jobs: int | None) -> int:
    """Number of worker processes: ``None`` or 0 means every core; negative is an error."""
    if jobs is None or jobs == 0:
        if hasattr(os, "sched_getaffinity"):
            return max(1, len(os.sched_getaffinity(0)))
        return os.cpu_count() or 1
    if jobs < 0:
        raise LabeltoolsError(f"--jobs must be 0 (all cores) or a positive number, got {jobs}")
    return jobs


def quick_task_chunksize(count: int, jobs: int | None) -> int:
    """Chunk size for :func:`map_files` when each task takes about a millisecond and returns a
    few numbers: up to 32 items per round trip between processes, while each worker still gets
    about 8 chunks (steady progress, balanced load)."""
    return max(1, min(32, count // (8 * resolve_jobs(jobs))))


def raise_if_failed(
    results: Iterable[FileResult], total: int, noun: str, error: type[LabeltoolsError]
) -> None:
    """Consume a batch's results; if any failed, raise ``error`` listing the first three.

    The message reads ``"2 of 40 label file(s) failed: <reason>; <reason>"``, with
    ``" (and k more)"`` past three failures; ``noun`` names what was processed.
    """
    failures = [r.error for r in results if not r.ok]
    if failures:
        shown = "; ".join(str(f) for f in failures[:3])
        more = f" (and {len(failures) - 3} more)" if len(failures) > 3 else ""
        raise error(f"{len(failures)} of {total} {noun} failed: {shown}{more}")


def failure(item: Any, exc: BaseException) -> FileResult:
    """The failed result of ``item`` for an exception raised while processing it.

    Our errors and ``OSError`` are the input's fault and keep their message; anything else is
    an internal error, reported with its type and message (traceback logged at debug level),
    so that one input never takes the batch down with it.
    """
    if isinstance(exc, LabeltoolsError):
        return FileResult(source=str(item), ok=False, error=str(exc))
    if isinstance(exc, OSError):
        where = exc.filename if exc.filename is not None else item
        return FileResult(source=str(item), ok=False, error=f"{where}: {exc.strerror or exc}")
    log.debug("internal error while processing %s", item, exc_info=exc)
    detail = str(exc)
    if len(detail) > 300:
        detail = detail[:300] + "..."
    return FileResult(
        source=str(item), ok=False,
        error=f"{item}: internal error ({type(exc).__name__}: {detail})" if detail else f"{item}: internal error ({type(exc).__name__})",
    )


class _Guard:
    """Picklable wrapper: whatever ``func`` raises for an item becomes that item's failed result
    (see :func:`failure`); only interrupts (Ctrl-C, exit) pass through."""

    def __init__(self, func: Callable[[Any], FileResult]) -> None:
        self.func = func

    def __call__(self, item: Any) -> FileResult:
        try:
            return self.func(item)
        except Exception as exc:  # one input's failure, whatever it is, is that input's alone
            return failure(item, exc)


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    # fork starts workers in milliseconds with numpy and Pillow already imported.
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def map_files(
    func: Callable[[Any], FileResult],
    items: Iterable[Any],
    jobs: int | None = None,
    chunksize: int | None = None,
) -> Iterator[FileResult]:
    """Apply ``func`` to every item, in worker processes, yielding results in input order.

    Args:
        func: module-level (picklable) function of one item; use ``functools.partial`` for
            options. Any exception it raises becomes a failed :class:`FileResult` (see
            :func:`failure`): the batch always goes on.
        items: the work, e.g. paths. Materialised into a list.
        jobs: worker processes; ``None``/0 = every core, 1 = in this process.
        chunksize: items sent to a worker at a time (default: small, for steady progress).

    Yields:
        One :class:`FileResult` per item, in the order of ``items``.
    """
    work = list(items)
    workers = min(resolve_jobs(jobs), max(1, len(work)))
    guard = _Guard(func)
    start_run()
    if workers == 1:
        for item in work:
            yield guard(item)
        return
    if chunksize is None:
        chunksize = max(1, min(8, len(work) // (workers * 8)))
    log.debug("processing %d items with %d workers (chunks of %d)", len(work), workers, chunksize)
    with _context().Pool(workers) as pool:
        yield from pool.imap(guard, work, chunksize=chunksize)



def map_quick(func: Callable[[Any], FileResult], items: Iterable[Any], jobs: int | None = None) -> Iterator[FileResult]:
    """:func:`map_files` for quick tasks (about a millisecond each, a few numbers back), in
    chunks of :func:`quick_task_chunksize`."""
    work = list(items)
    return map_files(func, work, jobs, quick_task_chunksize(len(work), jobs))
