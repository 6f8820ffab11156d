"""The one place that fans per-file work out: a local process pool, or a Dask cluster.

Batch functions hand :func:`map_files` a module-level function that processes one item and
returns a :class:`FileResult`; results come back in input order whatever the number of workers,
so everything written from them is identical for any ``jobs`` and on any cluster. Only small
results travel between processes (never whole images), and at most a few items per worker are in
flight, so memory stays bounded by what the workers hold.

Where the work runs is set once, not passed through every job: :func:`use_dask` (the CLI's
``--dask ADDRESS``) or the environment variable ``LABELTOOLS_DASK``. Without either, the local
pool runs. On Dask (``dask[distributed]``, the ``labeltools[dask]`` extra), items travel in tasks
of many items (so per-task overhead does not dominate millisecond work), a bounded number of
tasks is in flight, and results are reported in input order as they complete; a worker lost
mid-run is Dask's to reschedule. Nothing outside this module knows which one ran.
"""

from __future__ import annotations

import atexit
import errno
import logging
import os
import signal
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import CancelledError
from contextlib import AbstractContextManager, closing, contextmanager
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any

from labeltools.core.errors import LabeltoolsError, RunStoppedError
from labeltools.core.version import __version__
from labeltools.engine.storage import ensure_dir, location, mark_worker_process, start_run

if TYPE_CHECKING:
    import multiprocessing.context

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
        stop: why no later file can succeed either (the disk is full); :func:`map_files`
            stops the run after this result.
    """

    source: str
    ok: bool = True
    error: str | None = None
    skipped: bool = False
    outputs: tuple[str, ...] = ()
    data: Any = None
    warnings: tuple[str, ...] = ()
    stop: str | None = None


class OneRun:
    """A checked, ready-to-run batch: iterating it runs it, once, yielding one
    :class:`FileResult` per item of :attr:`items` (or :meth:`run` runs it to its end);
    ``len()`` is their number. Subclasses provide ``items`` and ``_run()``.

    A batch that is dropped without having run says so (a ``RuntimeWarning``): called as a
    statement, ``lt.convert_labelme("annotations/", "dataset/")`` checks everything and writes
    nothing, which would otherwise pass for a conversion."""

    items: Sequence[Any]
    _started = False

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[FileResult]:
        if self._started:
            raise RuntimeError(f"a {type(self).__name__} runs once")
        self._started = True
        return self._run()

    def run(self) -> list[FileResult]:
        """Run the batch to its end and return its results, in item order."""
        return list(self)

    def __del__(self) -> None:
        if not self._started and getattr(self, "items", None):
            name = type(self).__name__
            warnings.warn(
                f"{'an' if name[0] in 'AEIOU' else 'a'} {name} of {len(self.items)} item(s) was dropped without running: "
                "iterate it (for result in ...) or call its .run() to do the work",
                RuntimeWarning, stacklevel=2,
            )  # fmt: skip

    def _run(self) -> Iterator[FileResult]:
        raise NotImplementedError


def resolve_jobs(jobs: int | None) -> int:
    """Number of worker processes: ``None`` or 0 means every core this process may run on (see
    :func:`usable_cores`); negative is an error."""
    if jobs is None or jobs == 0:
        return usable_cores()
    if jobs < 0:
        raise LabeltoolsError(f"--jobs must be 0 (all cores) or a positive number, got {jobs}")
    return jobs


@lru_cache(maxsize=1)
def usable_cores() -> int:
    """The cores this process may use: those it may be scheduled on, and no more than its control
    group's CPU quota (rounded up). A container started with ``--cpus 2`` or a Kubernetes pod
    with a CPU limit of 2 sees every core of its host, 64 say, and may use 2: a worker a core
    there would be 64 processes sharing 2 cores' time, each holding its own memory, which is
    what a pod's memory limit kills."""
    count = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    quota = _cgroup_cpu_quota()
    if quota is not None and quota < count:
        log.debug("every core: %d of %d, the CPU quota of this process's control group", quota, count)
        return quota
    return max(1, count)


#: Where Linux mounts the control groups: cgroup v2's one tree, or v1's ``cpu`` controller
#: (alone, or mounted with ``cpuacct`` as Docker and systemd mount it).
CGROUP_ROOT = "/sys/fs/cgroup"
_CGROUP_V1_CPU = ("cpu", "cpu,cpuacct", "cpuacct,cpu")


def _cgroup_cpu_quota(root: str = CGROUP_ROOT) -> int | None:
    """The CPU quota of this process's control group and of every group above it, the smallest,
    in whole cores rounded up (cgroup v2's ``cpu.max``, v1's ``cpu.cfs_quota_us`` over
    ``cpu.cfs_period_us``); None without one, or where there are no control groups to read."""
    try:
        with open("/proc/self/cgroup", encoding="utf-8") as listing:
            groups = [line.rstrip("\n").split(":", 2) for line in listing]
    except OSError:
        return None
    limits = []
    for _, controllers, group in (g for g in groups if len(g) == 3):
        if controllers == "":  # cgroup v2: "0::/path"
            trees = [(os.path.join(root, d), "cpu.max") for d in ("", "unified")]
        elif "cpu" in controllers.split(","):
            trees = [(os.path.join(root, d), "cpu.cfs_quota_us") for d in _CGROUP_V1_CPU]
        else:
            continue
        for tree, name in trees:
            folder = os.path.join(tree, group.strip("/"))
            while True:  # the group, then each group above it up to the tree's root
                if (limit := _read_quota(folder, name)) is not None:
                    limits.append(limit)
                if os.path.normpath(folder) == os.path.normpath(tree):
                    break
                folder = os.path.dirname(folder)
    return min(limits) if limits else None


def _read_quota(folder: str, name: str) -> int | None:
    """One group's CPU quota in whole cores, rounded up; None when unlimited or unreadable."""
    try:
        with open(os.path.join(folder, name), encoding="utf-8") as file:
            fields = file.read().split()
        if name == "cpu.max":  # "max 100000" or "150000 100000"
            quota, period = fields
        else:
            quota = fields[0]
            with open(os.path.join(folder, "cpu.cfs_period_us"), encoding="utf-8") as file:
                period = file.read().strip()
        if quota == "max" or int(quota) <= 0 or int(period) <= 0:  # v1 writes -1 for none
            return None
        return -(-int(quota) // int(period))
    except (OSError, ValueError):
        return None


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
        return FileResult(source=str(item), ok=False, error=str(exc), stop=_disk_full(exc))
    if isinstance(exc, OSError):
        where = exc.filename if exc.filename is not None else item
        return FileResult(source=str(item), ok=False, error=f"{where}: {exc.strerror or exc}", stop=_disk_full(exc))
    log.debug("internal error while processing %s", item, exc_info=exc)
    detail = str(exc)
    if len(detail) > 300:
        detail = detail[:300] + "..."
    return FileResult(
        source=str(item), ok=False,
        error=f"{item}: internal error ({type(exc).__name__}: {detail})" if detail else f"{item}: internal error ({type(exc).__name__})",
    )


#: Errors of a file system that has no room left, in words: every later write would fail too.
_FULL = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up"}


def _disk_full(exc: BaseException) -> str | None:
    """Why the run cannot go on when ``exc`` (or an error it was raised from) is a full disk or
    quota ("the disk is full (free some space)"); None otherwise."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in _FULL:
            return f"{_FULL[seen.errno]} (free some space)"
        seen = seen.__cause__ or seen.__context__
    return None


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
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    # fork starts workers in milliseconds with numpy and Pillow already imported.
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def map_files(
    func: Callable[[Any], FileResult],
    items: Iterable[Any],
    jobs: int | None = None,
    chunksize: int | None = None,
    threads: bool = False,
) -> Generator[FileResult, None, None]:
    """Apply ``func`` to every item, in worker processes, yielding results in input order.

    Args:
        func: module-level (picklable) function of one item; use ``functools.partial`` for
            options. Any exception it raises becomes a failed :class:`FileResult` (see
            :func:`failure`): the batch always goes on.
        items: the work, e.g. paths. Materialised into a list.
        jobs: worker processes; ``None``/0 = every core, 1 = in this process. On Dask: the
            size of a ``local`` cluster (a running scheduler has its own workers).
        chunksize: items sent to a worker at a time (default :func:`quick_task_chunksize`: up
            to 32, and about 8 chunks per worker; each round trip between processes costs
            about as much as converting a file; on Dask, at least :data:`DASK_MIN_TASK_ITEMS`).
        threads: run the local workers as threads of this process rather than processes: for
            work that spends its time in C code that releases the GIL (reading and inflating
            label PNGs), where a thread starts in microseconds and a forked process takes tens
            of milliseconds to warm up. ``func`` must be thread-safe. Dask is unaffected.

    Yields:
        One :class:`FileResult` per item, in the order of ``items``.

    Raises:
        RunStoppedError: after the result of an item that found the disk full (its ``stop``):
            the workers are stopped and the items not yet done are left alone.
    """
    with closing(_map_files(func, items, jobs, chunksize, threads)) as results:
        for result in results:
            yield result
            if result.stop is not None:
                raise RunStoppedError(result.stop)


#: The displays of the innermost :func:`show_preparation` blocks (the last one shows).
_preparation_displays: list[Callable[[str, int], AbstractContextManager[Callable[[], None]]]] = []


@contextmanager
def show_preparation(display: Callable[[str, int], AbstractContextManager[Callable[[], None]]]) -> Iterator[None]:
    """Show the passes a job makes before its batch (see :func:`preparation`) through ``display``
    while the block runs: ``display(description, total)`` is a context manager giving the
    function that counts one item done (the command line's bar, or its lines in a log). The
    library alone shows none."""
    _preparation_displays.append(display)
    try:
        yield
    finally:
        _preparation_displays.pop()


@contextmanager
def preparation(description: str, total: int) -> Iterator[Callable[[], None]]:
    """A pass over ``total`` items that a job makes before the batch it hands its caller (the
    classes found in the annotations): gives the function to call as each item is done, which
    the innermost :func:`show_preparation` display shows, and does nothing without one."""
    if not _preparation_displays:
        yield lambda: None
        return
    with _preparation_displays[-1](description, total) as advance:
        yield advance


def map_files_into(
    func: Callable[..., FileResult],
    sources: Sequence[Any],
    output_dir: Any,
    folders: Sequence[str] | None = None,
    jobs: int | None = None,
) -> Iterator[FileResult]:
    """:func:`map_files` of ``func(source, output_dir=...)``: each source's output into
    ``output_dir``, or into the sub-folder of it that ``folders`` gives the source (a tree's, as
    :func:`~labeltools.engine.storage.expand_input_tree` finds them; ``""`` for none). The
    folders are made first."""
    below = list(folders) if folders is not None else [""] * len(sources)
    places = [str(location(output_dir) / folder) if folder else str(output_dir) for folder in below]
    for place in dict.fromkeys(places):
        ensure_dir(place)
    if not any(below):
        return map_files(partial(func, output_dir=output_dir), [str(s) for s in sources], jobs)
    return map_files(partial(_placed, func), [Placed(str(s), place) for s, place in zip(sources, places)], jobs)


@dataclass(frozen=True)
class Placed:
    """A file to work on and the folder its output goes to (see :func:`map_files_into`)."""

    source: str
    output_dir: str

    def __str__(self) -> str:  # failures are reported by file
        return self.source


def _placed(func: Callable[..., FileResult], item: Placed) -> FileResult:
    return func(item.source, output_dir=item.output_dir)


def _map_files(
    func: Callable[[Any], FileResult], items: Iterable[Any], jobs: int | None, chunksize: int | None, threads: bool
) -> Generator[FileResult, None, None]:
    work = list(items)
    guard = _Guard(func)
    start_run()
    _tune_allocator()
    address = dask_address()
    if address is not None:
        yield from _map_dask(guard, work, jobs, chunksize, address)
        return
    workers = min(resolve_jobs(jobs), max(1, len(work)))
    if workers == 1:
        log.debug("processing %d items in this process (1 worker)", len(work))
        for item in work:
            yield guard(item)
        return
    if chunksize is None:
        chunksize = quick_task_chunksize(len(work), workers)
    log.debug("processing %d items with %d workers (chunks of %d)", len(work), workers, chunksize)
    if threads:
        from multiprocessing.pool import ThreadPool

        with ThreadPool(workers) as threaded:
            yield from threaded.imap(guard, work, chunksize=chunksize)
        return
    yield from _map_processes(guard, work, workers, chunksize)


# --------------------------------------------------------------------------------------------
# Local worker processes that may die

#: Chunks in flight per worker: one running, one waiting, so no worker idles between chunks.
CHUNKS_PER_WORKER = 2

#: Seconds to wait for the exit status of the workers of a broken pool.
DEATH_WAIT = 2.5

#: Seconds a worker told to stop has to remove its temporary files and exit, before it is killed.
STOP_WAIT = 5.0


def _map_processes(guard: _Guard, work: list[Any], workers: int, chunksize: int) -> Iterator[FileResult]:
    """:func:`map_files` on local worker processes, in input order, surviving dead workers.

    A worker killed mid-run (the kernel's OOM killer, ``kill -9``) breaks the pool: every chunk
    in flight then is lost, and nothing tells which item killed it. The lost items run again,
    each alone in a worker of its own; one that kills that worker too is that item's failure
    ("worker died (SIGKILL) while processing it"), and the rest of the batch goes on in a new
    pool. See :mod:`concurrent.futures`' ``BrokenProcessPool``.
    """
    pending = deque((start, work[start : start + chunksize]) for start in range(0, len(work), chunksize))
    ready: dict[int, list[FileResult]] = {}  # results by the index of their first item
    following = [0]  # the index of the next result to yield
    idle_deaths = 0  # pools in a row whose workers died before finishing a chunk
    while pending:
        pool = _Pool(workers)
        finished = 0
        try:
            for _ in pool.run(guard, pending, ready):
                finished += 1
                yield from _in_order(ready, following)
        finally:
            pool.stop()
        idle_deaths = idle_deaths + 1 if pool.died and not finished else 0
        if idle_deaths >= 3:
            raise LabeltoolsError(f"worker processes die before finishing any work ({pool.died}); try --jobs 1")
        if pool.lost:  # each lost item alone, in a worker of its own
            lost = sum(len(items) for _, items in pool.lost)
            log.warning("a worker process died (%s); the %d item(s) it may have held run again, one by one", pool.died, lost)
            alone = _Pool(1)
            try:
                for start, items in sorted(pool.lost):
                    for offset, item in enumerate(items):
                        ready[start + offset] = [alone.run_alone(guard, item)]
                        if alone.died:  # it killed this worker too: the next item gets a new one
                            alone.stop()
                            alone = _Pool(1)
            finally:
                alone.stop()
            yield from _in_order(ready, following)


def _in_order(ready: dict[int, list[FileResult]], following: list[int]) -> Iterator[FileResult]:
    """Yield the results of ``ready`` that come next in input order (``following[0]`` is the
    index of the next), removing them."""
    while following[0] in ready:
        batch = ready.pop(following[0])
        yield from batch
        following[0] += len(batch)


class _Pool:
    """A :class:`concurrent.futures.ProcessPoolExecutor` of forked workers that ignore Ctrl-C
    (the parent decides what an interrupt stops) and remove their temporary files when told to
    stop; it records the chunks a dead worker took down with it."""

    def __init__(self, workers: int) -> None:
        from concurrent.futures import ProcessPoolExecutor

        self.workers = workers
        self.executor = ProcessPoolExecutor(workers, mp_context=_context(), initializer=_worker_started)
        self.lost: list[tuple[int, list[Any]]] = []
        self.died = ""
        self.known: dict[int, Any] = {}  # every worker process seen, by pid: the pool forgets dead ones

    def run(self, guard: _Guard, pending: deque[tuple[int, list[Any]]], ready: dict[int, list[FileResult]]) -> Iterator[None]:
        """Run chunks from ``pending`` into ``ready`` (yielding after each, in order) until none
        is left, or until the pool breaks: then :attr:`lost` holds the chunks in flight."""
        from concurrent.futures.process import BrokenProcessPool

        in_flight: deque[tuple[Any, int, list[Any]]] = deque()  # in the order submitted
        while pending or in_flight:
            while pending and len(in_flight) < self.workers * CHUNKS_PER_WORKER:
                start, items = pending.popleft()
                try:
                    in_flight.append((self.executor.submit(_run_chunk, guard, items), start, items))
                except BrokenProcessPool:  # broken already: this chunk was never sent
                    pending.appendleft((start, items))
                    break
            self._remember()
            if not in_flight:  # broken with nothing in flight: every chunk is still pending
                self.died = self._death()
                return
            future, start, items = in_flight.popleft()
            try:
                ready[start] = future.result()
            except BrokenProcessPool:  # every chunk in flight fails with it
                self.lost = [(start, items), *((s, i) for _, s, i in in_flight)]
                self.died = self._death()
                return
            yield

    def run_alone(self, guard: _Guard, item: Any) -> FileResult:
        """``item`` in this one-worker pool; a failure naming it when it kills the worker (then
        :attr:`died` says how, and the pool is of no more use)."""
        from concurrent.futures.process import BrokenProcessPool

        try:
            future = self.executor.submit(_run_chunk, guard, [item])
            self._remember()
            return future.result()[0]  # type: ignore[no-any-return]
        except BrokenProcessPool:
            self.died = self._death()
            return FileResult(
                source=str(item), ok=False,
                error=f"{item}: a worker died ({self.died}) twice while processing it (out of memory?)",
            )  # fmt: skip

    def _remember(self) -> list[Any]:
        """Every worker process this pool has had (the executor forgets dead ones)."""
        self.known.update(getattr(self.executor, "_processes", None) or {})
        return list(self.known.values())

    def _death(self) -> str:
        """How the dead worker ended: ``SIGKILL``, ``exit code 3`` (a signal first: the pool
        stops the other workers itself once one is dead)."""
        codes = []
        deadline = time.monotonic() + DEATH_WAIT
        for process in self._remember():
            # The pool's own thread may be reaping it this very moment: then our wait finds no
            # child at once and its exit code is None until that thread has stored it, which a
            # loaded machine can delay past any number of quick tries. Wait by the clock.
            while process.exitcode is None and time.monotonic() < deadline:
                process.join(0.05)
                if process.exitcode is None:
                    time.sleep(0.01)
            codes.append(process.exitcode)
        for code in codes:
            if code is not None and code < 0:
                try:
                    return signal.Signals(-code).name
                except ValueError:
                    return f"signal {-code}"
        stopped = 128 + signal.SIGTERM
        return next((f"exit code {code}" for code in codes if code and code != stopped), "killed")

    def stop(self) -> None:
        """Stop the workers now: each removes its temporary files and exits. One still alive
        :data:`STOP_WAIT` seconds after it was told is killed: a worker blocked on the result
        queue's lock, which a worker that died holding it never released, turns SIGTERM into
        a second wait for that lock (``concurrent.futures`` sends a result back again when
        sending one raises), and the pool's thread would join it for ever."""
        processes = self._remember()
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:  # gone before their pipes close, which they would report
            process.join(STOP_WAIT)
        for process in processes:
            if process.is_alive():
                log.debug("worker %s did not stop when told: killed", process.pid)
                process.kill()
                process.join()
        self.executor.shutdown(wait=True, cancel_futures=True)


def _worker_started() -> None:
    """A worker ignores Ctrl-C (the parent stops the batch) and turns SIGTERM into SystemExit,
    which unwinds its file writes (removing their temporaries) before it exits. Told to stop
    while it starts (the parent stopped at once, a worker slow to start), it exits there and
    then: ``concurrent.futures`` would log the SystemExit as a critical "Exception in
    initializer", a line on the user's screen."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, _exit_on_signal)
        mark_worker_process()
    except SystemExit as stop:
        os._exit(stop.code if isinstance(stop.code, int) else 1)


def _exit_on_signal(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def _run_chunk(guard: _Guard, chunk: list[Any]) -> list[FileResult]:
    """Some items in a worker process, each guarded (see :class:`_Guard`)."""
    try:
        return [guard(item) for item in chunk]
    except SystemExit as stop:  # told to stop: the writes under way have been unwound
        os._exit(stop.code if isinstance(stop.code, int) else 1)


def map_quick(
    func: Callable[[Any], FileResult], items: Iterable[Any], jobs: int | None = None, threads: bool = False
) -> Iterator[FileResult]:
    """:func:`map_files` for quick tasks (about a millisecond each, a few numbers back), in
    chunks of :func:`quick_task_chunksize` (its default)."""
    return map_files(func, items, jobs, threads=threads)


# --------------------------------------------------------------------------------------------
# Dask

#: The environment variable giving a default Dask address (``tcp://host:8786`` or ``local``).
DASK_ENV = "LABELTOOLS_DASK"
#: Items per Dask task at least: a task costs about a millisecond of scheduling, as much as the
#: quickest items, so each carries many of them.
DASK_MIN_TASK_ITEMS = 16
#: Tasks in flight per worker thread: enough to keep every worker busy while results travel,
#: few enough that the client holds little whatever the number of items.
DASK_TASKS_PER_WORKER = 2
#: Seconds to wait for a Dask scheduler to answer before giving up (Dask's own default is 30).
DASK_CONNECT_TIMEOUT = 10
#: How long a local cluster (``--dask local``) waits for a lost worker to come back before it
#: closes the worker's nanny (Dask's default is 15 s): never, in a run's time.
LOCAL_LOST_WORKER_TIMEOUT = "365 days"
#: Seconds a run's Dask cluster may have no worker before the run says so: a worker that a nanny
#: restarts is back within a few, one that is gone for good leaves the tasks waiting. Dask's
#: configuration changes it (``labeltools.no-worker-warning``, or the environment variable
#: ``DASK_LABELTOOLS__NO_WORKER_WARNING``).
DASK_NO_WORKER_WARNING = 30.0

_dask_setting: list[str | None] = []  # innermost use_dask() last
_clients: dict[str, Any] = {}


def dask_address() -> str | None:
    """Where batches run: the innermost :func:`use_dask` address, else ``$LABELTOOLS_DASK``,
    else None (the local process pool)."""
    if _dask_setting:
        return _dask_setting[-1]
    return os.environ.get(DASK_ENV) or None


@contextmanager
def use_dask(address: str | None) -> Iterator[None]:
    """Run the batches of the block on the Dask scheduler at ``address`` (``tcp://host:8786``,
    or ``local`` for a :class:`distributed.LocalCluster` sized by the batch's ``jobs``); None
    leaves the choice to ``$LABELTOOLS_DASK``."""
    if address is None:
        yield
        return
    _dask_setting.append(address)
    try:
        yield
    finally:
        _dask_setting.pop()


def _dask_client(address: str, jobs: int | None) -> Any:
    """A connected ``distributed.Client``, one per address for the life of the process.

    Raises:
        LabeltoolsError: distributed is not installed, or the scheduler cannot be reached.
    """
    key = f"local:{resolve_jobs(jobs)}" if address == "local" else address
    if key in _clients:
        return _clients[key]
    try:
        import dask
        import distributed
    except ImportError:
        raise LabeltoolsError(
            "running on Dask needs dask's distributed scheduler: pip install \"labeltools[dask]\""
        ) from None
    try:
        if address == "local":
            # A local cluster closes for good a worker's nanny that has had no worker for this
            # long, which a file that kills its worker again and again (out of memory) brings
            # about: the last nanny gone, the run waits for ever. A nanny restarts its worker.
            dask.config.set({"distributed.deploy.lost-worker-timeout": LOCAL_LOST_WORKER_TIMEOUT})
            cluster = distributed.LocalCluster(
                n_workers=resolve_jobs(jobs), threads_per_worker=1, processes=True, dashboard_address=":0"
            )
            client = distributed.Client(cluster)
        else:
            log.info("connecting to the Dask scheduler at %s (up to %d s)", address, DASK_CONNECT_TIMEOUT)
            client = distributed.Client(address, timeout=DASK_CONNECT_TIMEOUT)
    except Exception as exc:  # connection refused, timeout, a cluster that does not start
        what = "start a local Dask cluster" if address == "local" else f"reach the Dask scheduler at {address}"
        raise LabeltoolsError(f"cannot {what} ({type(exc).__name__}: {exc})") from None
    if address != "local":  # a local cluster's workers are this Python
        try:
            _check_workers(client)
        except LabeltoolsError:
            client.close()
            raise
    if not _clients:  # the first client: close them all at exit, once
        atexit.register(close_dask_clients)
    _clients[key] = client
    log.debug("connected to Dask at %s: %s", address, client)
    return client


class WorkerVersionError(LabeltoolsError):
    """A Dask worker runs another labeltools than the client: its outputs could differ."""


def _check_workers(client: Any) -> None:
    """Every worker of ``client``'s cluster has this labeltools version installed. A worker
    without labeltools cannot even read a task (Dask then drops the worker, and the run would
    wait for ever); one with another version could write other bytes. Workers that join later
    are checked by each task (:func:`_run_task`).

    Raises:
        WorkerVersionError: naming the workers and what they have.
    """
    found = client.run(_installed_version, on_error="return")  # a worker that cannot load it answers with the error
    wrong = [f"{worker} {_what_it_has(version)}" for worker, version in sorted(found.items()) if version != __version__]
    if wrong:
        shown = "; ".join(wrong[:3]) + (f"; and {len(wrong) - 3} more" if len(wrong) > 3 else "")
        raise WorkerVersionError(
            f"Dask worker {shown}: install labeltools {__version__}, this client's version, on every worker"
        )


def _installed_version() -> str:
    return __version__


def _what_it_has(answer: Any) -> str:
    """A worker's answer to :func:`_installed_version`, in words."""
    if not isinstance(answer, BaseException):
        return f"has labeltools {answer}"
    if "No module named 'labeltools" in str(answer):
        return "has no labeltools"
    return f"cannot load labeltools ({' '.join(str(answer).split())[:200]})"


def _stopped(client: Any, address: str, reason: str | None) -> RunStoppedError:
    """The error of a run whose Dask tasks were cancelled: the client lost its scheduler (it
    stopped, restarted or became unreachable), or, for another ``reason``, another client
    cancelled them. A client that lost its scheduler is left to itself: closing it waits for
    its attempts to reconnect and logs their tracebacks, and its last words ("Failed to
    reconnect to scheduler ...", logged however it closes) repeat this error."""
    if reason != "scheduler-connection-lost":
        return RunStoppedError(f"the Dask scheduler at {address} cancelled the run's tasks ({reason or 'no reason given'})")
    for key, known in list(_clients.items()):
        if known is client:
            del _clients[key]
    logging.getLogger("distributed.client").addFilter(_not_reconnect_failure)
    return RunStoppedError(f"lost the Dask scheduler at {address} (it stopped, restarted or became unreachable)")


def _not_reconnect_failure(record: logging.LogRecord) -> bool:
    return not record.getMessage().startswith("Failed to reconnect")


def close_dask_clients() -> None:
    """Close the Dask clients (and local clusters) this process opened; they close at exit
    anyway."""
    for client in _clients.values():
        cluster = getattr(client, "cluster", None)
        try:
            client.close()
            if cluster is not None:
                cluster.close()
        except Exception:  # shutting down: nothing left to tell
            pass
    _clients.clear()


def _run_task(guard: _Guard, chunk: list[Any], run: str, version: str, folder: str) -> list[FileResult]:
    """One Dask task: a chunk of items, each guarded, in this worker process, which must run
    the client's labeltools ``version``. It runs in ``folder``, the client's working folder,
    when this machine has it: a relative path the user gave (an input, the output folder)
    means the same file here as where the command was typed, not one in the folder the worker
    was started from (which read nothing, or wrote the outputs there).

    Raises:
        WorkerVersionError: this worker runs another version.
    """
    if version != __version__:
        raise WorkerVersionError(
            f"a Dask worker has labeltools {__version__}: install labeltools {version}, this client's version, on every worker"
        )
    if _worker_run[0] != run:  # a new batch reached this worker: sweep its folders again
        if not _worker_run[0]:
            _tune_allocator()
            mark_worker_process()
        start_run()
        _worker_run[0] = run
    with _working_folder(folder):
        return [guard(item) for item in chunk]


_worker_run = [""]


class _SharedFolder:
    """The working folder the running tasks of a worker's threads share: the folder, how many
    tasks are in it, and the worker's own folder to go back to."""

    def __init__(self) -> None:
        self.turn = threading.Condition()
        self.folder: str | None = None
        self.tasks = 0
        self.own = ""


_shared_folder = _SharedFolder()


@contextmanager
def _working_folder(folder: str) -> Iterator[None]:
    """Run a task in ``folder`` (when this machine has it), and give the worker its own folder
    back once no task needs it. A worker's threads share one working folder: tasks of one run
    share it; a task of a run from another folder waits until the tasks in it are done."""
    shared = _shared_folder
    with shared.turn:
        while shared.tasks and shared.folder != folder:
            shared.turn.wait()
        if not shared.tasks:
            shared.own = os.getcwd()
            try:
                os.chdir(folder)
            except OSError:  # another machine without it: absolute paths and URLs still work
                log.debug("no folder %s on this worker: relative paths are taken from %s", folder, shared.own)
            shared.folder = folder
        shared.tasks += 1
    try:
        yield
    finally:
        with shared.turn:
            shared.tasks -= 1
            if not shared.tasks:
                os.chdir(shared.own)
                shared.folder = None
                shared.turn.notify_all()

#: glibc's ``mallopt`` parameters, and the values a worker takes for image work.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_TRIM_THRESHOLD = 64 * 2**20
_MMAP_THRESHOLD = 32 * 2**20


def _tune_allocator() -> None:
    """Set glibc's allocator, once per process, for image work: buffers below 32 MiB come from
    the heap, and up to 64 MiB of freed heap is kept for reuse.

    glibc's adaptive mmap threshold starts at 128 KiB: each decoded image, lookup table and label
    canvas of a process's first files is a fresh ``mmap`` whose pages fault in zeroed and are
    unmapped on free, and Dask's nanny (``MALLOC_TRIM_THRESHOLD_=65536``) freezes it there for a
    worker's whole life. Measured here: the first 12 Cityscapes frames of a ``remap`` run took
    0.40 s untuned and 0.24 s tuned; converting 300 annotations in a Dask worker 0.57 s against
    0.34 s. A user's own ``MALLOC_MMAP_THRESHOLD_`` is left alone; nothing happens with another libc.
    """
    if _tuned[0] or "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return
    _tuned[0] = True
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)
        libc.mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD)
    except (OSError, AttributeError):  # not glibc
        return
    log.debug("allocator: mmap threshold %d, trim threshold %d", _MMAP_THRESHOLD, _TRIM_THRESHOLD)


_tuned = [False]


def _map_dask(
    guard: _Guard, work: list[Any], jobs: int | None, chunksize: int | None, address: str
) -> Iterator[FileResult]:
    """:func:`map_files` on Dask: tasks of many items, a bounded window of them in flight,
    results yielded in input order as they complete.

    A task whose workers all died (the scheduler's ``KilledWorker``, after it retried the task on
    ``allowed-failures + 1`` workers) runs again one item a task, so that the item that kills
    its workers is found and the others are done. The scheduler blames every task a dying
    worker held, its queued ones too, so an item whose lone task is killed runs once more with
    nothing else of the run in flight (as the local pool runs a suspect in a worker of its own):
    only an item killed then too fails, in words."""
    client = _dask_client(address, jobs)
    from distributed import KilledWorker, as_completed

    workers = client.nthreads()
    if not workers:  # an adaptive cluster starts empty: say why nothing moves yet
        log.warning("the Dask scheduler at %s has no workers yet; the tasks wait for one (Ctrl-C stops)", address)
    threads = max(1, sum(workers.values()))
    size = max(chunksize or 1, DASK_MIN_TASK_ITEMS, len(work) // (threads * DASK_TASKS_PER_WORKER * 4) or 1)
    chunks = [work[i : i + size] for i in range(0, len(work), size)]
    window = threads * DASK_TASKS_PER_WORKER
    run, folder = os.urandom(8).hex(), os.getcwd()
    log.debug("processing %d items on Dask at %s: %d tasks of %d, %d in flight", len(work), address, len(chunks), size, window)
    # A job is (chunk, None) for a whole chunk or (chunk, position) for one of its items alone.
    queue: deque[tuple[int, int | None]] = deque((index, None) for index in range(len(chunks)))
    suspects: deque[tuple[int, int | None]] = deque()  # lone items killed beside other tasks
    task_of: dict[Any, tuple[int, int | None, bool]] = {}  # future -> its job, and whether it ran alone
    alone: dict[int, list[FileResult | None]] = {}  # chunks run one item a task: results so far
    done: dict[int, list[FileResult]] = {}
    pending = as_completed()

    def items_of(index: int, item: int | None) -> list[Any]:
        return chunks[index] if item is None else [chunks[index][item]]

    def fill() -> None:
        if suspects:  # one at a time, once nothing else is in flight
            if not task_of:
                index, item = suspects.popleft()
                submit(index, item, sole=True)
            return
        while queue and len(task_of) < window:
            submit(*queue.popleft())

    def submit(index: int, item: int | None, sole: bool = False) -> None:
        future = client.submit(_run_task, guard, items_of(index, item), run, __version__, folder, pure=False)
        task_of[future] = (index, item, sole)
        pending.add(future)

    fill()
    following = 0
    watch = _WorkerWatch(client, address, started_empty=not workers)
    try:
        for future in pending:
            index, item, sole = task_of.pop(future)
            items = items_of(index, item)
            try:
                results: list[FileResult] | None = future.result()
            except KilledWorker as exc:
                results = None
                if len(items) > 1:  # one of them kills its workers: find it
                    log.warning("%d Dask workers died running a task of %d item(s); they run again, one a task", exc.allowed_failures + 1, len(items))
                    alone[index] = [None] * len(items)
                    queue.extendleft(reversed([(index, position) for position in range(len(items))]))
                elif not sole:
                    suspects.append((index, item))
                else:
                    results = [FileResult(
                        source=str(items[0]), ok=False,
                        error=f"{items[0]}: {exc.allowed_failures + 1} Dask workers died while processing it (out of memory?)",
                    )]  # fmt: skip
            except WorkerVersionError:
                raise  # no file's fault: the run stops in one line
            except CancelledError as exc:  # never by us
                raise _stopped(client, address, getattr(exc, "reason", None)) from None
            except Exception as exc:  # the task itself failed
                results = [failure(entry, exc) for entry in items]
            future.release()
            if results is not None and item is None:
                done[index] = results
            elif results is not None and item is not None:
                alone[index][item] = results[0]
                if all(r is not None for r in alone[index]):
                    done[index] = [r for r in alone.pop(index) if r is not None]
            fill()
            while following in done:
                yield from done.pop(following)
                following += 1
    finally:
        watch.stop()


class _WorkerWatch:
    """Says when a run's Dask cluster has had no worker for :data:`DASK_NO_WORKER_WARNING`
    seconds (Dask's ``labeltools.no-worker-warning`` setting), once each time it empties: a
    cluster of the user's own whose workers died and are not restarted. The run waits for a
    worker as Dask does, but not in silence. A thread asks the scheduler how many workers it
    has, every quarter of that time and at most every second."""

    def __init__(self, client: Any, address: str, started_empty: bool) -> None:
        import dask

        self._client, self._address = client, address
        self._after = float(dask.config.get("labeltools.no-worker-warning", DASK_NO_WORKER_WARNING))
        self._warned = started_empty  # the run said so as it started
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="labeltools-dask-watch", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        empty_since: float | None = None
        while not self._stopped.wait(min(1.0, self._after / 4)):
            try:
                workers = len(self._client.nthreads())
            except Exception:  # the client closes or the scheduler is gone: the run says so itself
                return
            if self._stopped.is_set():
                return
            if workers:
                empty_since, self._warned = None, False
                continue
            now = time.monotonic()
            empty_since = now if empty_since is None else empty_since
            if not self._warned and now - empty_since >= self._after:
                log.warning(
                    "the Dask scheduler at %s has had no worker for %g s; the tasks wait for one "
                    "(start workers, or Ctrl-C stops)", self._address, self._after,
                )  # fmt: skip
                self._warned = True

    def stop(self) -> None:
        """End the watch; a question to the scheduler under way is not waited for."""
        self._stopped.set()
        self._thread.join(timeout=1)
