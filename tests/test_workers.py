"""A batch survives a dead worker, Ctrl-C and SIGTERM: real worker processes, killed with real
signals; and it starts no more workers than a CPU quota leaves cores (a real control group). A
worker is killed the moment it exists, so the kill always lands mid-run: commands that would
first scan the annotations for class names in a short pass of their own are given the class
table, so the first pool is the one that does the work."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from labeltools import write_label
from labeltools.engine.executor import FileResult, map_files
from labeltools.jobs.convert import SAMPLE_DIR

psutil = pytest.importorskip("psutil")  # comes with distributed, a test dependency


def dies_on_poison(item: str) -> FileResult:
    """A task whose item ``poison`` kills its own worker process, as the OOM killer would."""
    if item == "poison":
        os.kill(os.getpid(), signal.SIGKILL)
    return FileResult(source=item, data=item.upper())


def test_a_poisoned_item_fails_alone_and_every_other_item_runs_in_order() -> None:
    items = [f"i{k}" for k in range(120)]
    items[37] = "poison"
    results = list(map_files(dies_on_poison, items, jobs=2, chunksize=4))
    assert [r.source for r in results] == items
    failed = [r for r in results if not r.ok]
    assert [r.source for r in failed] == ["poison"]
    assert failed[0].error == "poison: a worker died (SIGKILL) twice while processing it (out of memory?)"
    assert all(r.data == r.source.upper() for r in results if r.ok)


#: A pool whose worker is told to stop (SIGTERM, as the parent's stop sends it) while it starts.
STOPPED_WHILE_STARTING = """
import logging, os, signal
logging.basicConfig(format="%(levelname)s: %(message)s")
from labeltools.engine import executor
executor.mark_worker_process = lambda: os.kill(os.getpid(), signal.SIGTERM)  # the parent's stop, as the worker starts
pool = executor._Pool(1)
try:
    pool.executor.submit(abs, -1).result(timeout=30)
except Exception as exc:
    print(type(exc).__name__)
processes = pool._remember()
for process in processes:
    process.join(30)
print(*[process.exitcode for process in processes])
"""


def test_a_worker_told_to_stop_while_it_starts_exits_without_a_word() -> None:
    """A worker stopped while it starts (a run interrupted at once, a worker slow to fork under
    load) exits with SIGTERM's code, silently: the SystemExit of its signal handler was logged
    by concurrent.futures as a critical "Exception in initializer" on the user's screen."""
    done = subprocess.run([sys.executable, "-c", STOPPED_WHILE_STARTING], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Exception in initializer" not in done.stderr and "SystemExit" not in done.stderr, done.stderr
    assert done.stdout.split() == ["BrokenProcessPool", str(128 + signal.SIGTERM)], done.stdout


def test_a_dead_worker_is_named_by_its_signal_when_the_pools_thread_reaps_it_first() -> None:
    """The pool's own thread may reap the dead worker while we read its exit status: our wait
    then finds no child at once, and the status is only there once that thread has stored it
    (late, on a loaded machine). It is waited for, not taken as unknown."""
    import multiprocessing
    import threading

    from labeltools.engine.executor import _Pool

    worker = multiprocessing.get_context("fork").Process(target=_kill_self)
    worker.start()
    _, status = os.waitpid(worker.pid, 0)  # reaped behind the Process object's back, as by another thread

    def store_late() -> None:
        time.sleep(0.3)
        worker._popen.returncode = os.waitstatus_to_exitcode(status)  # type: ignore[union-attr]

    storing = threading.Thread(target=store_late)
    storing.start()
    pool = _Pool(1)
    try:
        pool.known = {worker.pid: worker}
        assert pool._death() == "SIGKILL"
    finally:
        storing.join()
        pool.executor.shutdown()


def _kill_self() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def test_two_poisoned_items_in_one_chunk_both_fail_and_the_rest_completes() -> None:
    items = [f"i{k}" for k in range(40)]
    items[5] = items[6] = "poison"
    results = list(map_files(dies_on_poison, items, jobs=2, chunksize=8))
    assert [r.source for r in results] == items
    assert [i for i, r in enumerate(results) if not r.ok] == [5, 6]


def tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*")) if p.is_file()
    }  # fmt: skip


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """240 labelme annotations (the sample, 30 times) and their VOC conversion with
    predictions, for runs long enough to interrupt."""
    root = tmp_path_factory.mktemp("many")
    (root / "ann").mkdir()
    for copy in range(30):
        for source in sorted(SAMPLE_DIR.glob("*.json")):
            doc = json.loads(source.read_text())
            doc["imagePath"] = str(SAMPLE_DIR / Path(doc["imagePath"].replace("\\", "/")).name)
            (root / "ann" / f"{source.stem}_{copy:02d}.json").write_text(json.dumps(doc))
    done = labeltools("convert", root / "ann", root / "voc", "-j", "2", "--instances", cwd=root)
    assert done.returncode == 0, done.stderr
    (root / "pred").mkdir()
    for label in (root / "voc" / "SegmentationClass").glob("*.png"):
        from labeltools import read_label

        values = read_label(label)
        write_label(root / "pred" / label.name, np.where(values == 255, 0, values).astype(np.uint8))
    return root


def labeltools(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "labeltools", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=600)


def start(*args: object, cwd: Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "labeltools", *map(str, args)], cwd=cwd, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, env=env,
    )  # fmt: skip


def first_worker(process: subprocess.Popen[str]) -> int:
    """The pid of a worker process of ``process``, as soon as there is one."""
    for _ in range(3000):
        children = psutil.Process(process.pid).children(recursive=True)
        if children:
            return int(children[0].pid)
        assert process.poll() is None, process.communicate()
        time.sleep(0.005)
    raise AssertionError("no worker process started")


@pytest.mark.parametrize(
    ("command", "output"),
    [
        (("convert", "ann", "{out}", "--instances", "-c", "voc/class_names.txt"), "{out}"),
        (("evaluate", "voc", "pred", "--json", "{out}"), "{out}"),
        (("export", "ann", "--to", "coco", "-d", "{out}", "-c", "voc/class_names.txt"), "{out}"),
        (("report", "voc", "{out}", "--pred", "pred"), "{out}"),
        (("check", "voc", "--json", "{out}"), "{out}"),
    ],
)
def test_a_killed_worker_costs_nothing_but_time(many: Path, tmp_path: Path, command: tuple[str, ...], output: str) -> None:
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    if command[0] == "report":
        clean, killed = tmp_path / "clean.html", tmp_path / "killed.html"
    if command[0] in ("evaluate", "check"):
        clean, killed = tmp_path / "clean.json", tmp_path / "killed.json"
    reference = labeltools(*(a.format(out=clean) for a in command), "-j", "2", cwd=many)
    assert reference.returncode in (0, 1), reference.stderr
    run = start(*(a.format(out=killed) for a in command), "-j", "2", cwd=many)
    os.kill(first_worker(run), signal.SIGKILL)
    _, stderr = run.communicate(timeout=600)
    assert run.returncode == reference.returncode, stderr
    assert "warning: a worker process died (" in stderr and "item(s) it may have held run again, one by one" in stderr
    if clean.is_dir():
        assert tree(killed) == tree(clean)
    elif command[0] == "report":  # the page names its own file; everything else is the same
        assert killed.read_text().replace("killed.html", "clean.html") == clean.read_text()
    else:
        assert killed.read_bytes() == clean.read_bytes()


@pytest.mark.parametrize(("sent", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupt_stops_the_run_in_one_line_and_resume_finishes_it(many: Path, tmp_path: Path, sent: int, code: int) -> None:
    out = tmp_path / "out"
    run = start("convert", "ann", out, "-j", "2", "--instances", "--viz", cwd=many)
    first_worker(run)
    while not (out / "SegmentationClass").is_dir() or not any((out / "SegmentationClass").iterdir()):
        assert run.poll() is None
        time.sleep(0.01)
    if sent == signal.SIGINT:
        os.killpg(run.pid, sent)  # Ctrl-C reaches the whole process group
    else:
        run.send_signal(sent)  # SIGTERM to the command alone, as a scheduler sends it
    _, stderr = run.communicate(timeout=60)
    assert run.returncode == code, stderr
    lines = [line for line in stderr.splitlines() if not line.startswith(("classes:", "labelme rules:"))]
    assert len(lines) == 1 and lines[0].startswith("interrupted: converted "), stderr
    assert lines[0].endswith("of 240; run the same command with --resume to continue")
    assert "Traceback" not in stderr
    assert [p for p in out.rglob("*") if p.name.endswith(".tmp")] == []
    for _ in range(200):  # the workers are gone too
        if not [p for p in psutil.process_iter(["cmdline"]) if str(out) in " ".join(p.info["cmdline"] or [])]:
            break
        time.sleep(0.05)
    else:
        raise AssertionError("a worker outlived the interrupted command")
    resumed = labeltools("convert", "ann", out, "-j", "2", "--instances", "--viz", "--resume", cwd=many)
    assert resumed.returncode == 0, resumed.stderr
    clean = labeltools("convert", "ann", tmp_path / "clean", "-j", "2", "--instances", "--viz", cwd=many)
    assert clean.returncode == 0
    assert tree(out) == tree(tmp_path / "clean")


def test_a_lost_dask_scheduler_stops_the_run_in_one_line_and_resume_finishes_it(many: Path, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    from distributed import Client

    spec, out = tmp_path / "scheduler.json", tmp_path / "out"
    dask = [sys.executable, "-m"]
    scheduler = subprocess.Popen([*dask, "distributed.cli.dask_scheduler", "--scheduler-file", spec, "--port", "0", "--no-dashboard"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    workers = []
    try:
        while not spec.exists() or not spec.read_text():
            assert scheduler.poll() is None
            time.sleep(0.05)
        # Workers started in another folder than the command's, whose paths are relative ("ann", "out").
        workers = [
            subprocess.Popen([*dask, "distributed.cli.dask_worker", "--scheduler-file", spec, "--nthreads", "1"],
                             cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
            for _ in range(2)
        ]
        address = json.loads(spec.read_text())["address"]
        with Client(address) as client:
            client.wait_for_workers(2, timeout=60)
        run = start("convert", "ann", out, "--instances", "--viz", "--dask", address, cwd=many)
        while not (out / "SegmentationClass").is_dir() or not any((out / "SegmentationClass").iterdir()):
            assert run.poll() is None, run.communicate()
            time.sleep(0.005)
        scheduler.kill()
        _, stderr = run.communicate(timeout=120)
    finally:
        for process in (scheduler, *workers):
            process.kill()
            process.wait()
    assert run.returncode == 1, stderr
    lines = [line for line in stderr.splitlines() if not line.startswith(("info: connecting", "classes:", "labelme rules:"))]
    assert len(lines) == 1, stderr
    assert lines[0].startswith(f"error: lost the Dask scheduler at {address} (it stopped, restarted or became unreachable)"), stderr
    assert "; stopped after converted " in lines[0] and lines[0].endswith(" of 240; run the same command with --resume to continue")
    resumed = labeltools("convert", "ann", out, "-j", "2", "--instances", "--viz", "--resume", cwd=many)
    assert resumed.returncode == 0, resumed.stderr
    clean = labeltools("convert", "ann", tmp_path / "clean", "-j", "2", "--instances", "--viz", cwd=many)
    assert clean.returncode == 0
    assert tree(out) == tree(tmp_path / "clean")


def test_a_dask_cluster_left_without_workers_says_so_and_the_run_ends_when_one_joins(many: Path, tmp_path: Path) -> None:
    """A cluster of the user's own whose only worker dies for good (no nanny to restart it): the
    run says, once, that it has had no worker and waits; a worker that joins later finishes it,
    with the bytes of a clean run."""
    pytest.importorskip("distributed")
    from distributed import Client

    spec, out = tmp_path / "scheduler.json", tmp_path / "out"
    dask = [sys.executable, "-m"]
    worker_command = [*dask, "distributed.cli.dask_worker", "--scheduler-file", spec, "--nthreads", "1", "--no-nanny"]
    scheduler = subprocess.Popen([*dask, "distributed.cli.dask_scheduler", "--scheduler-file", spec, "--port", "0", "--no-dashboard"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    processes = [scheduler]
    try:
        while not spec.exists() or not spec.read_text():
            assert scheduler.poll() is None
            time.sleep(0.05)
        address = json.loads(spec.read_text())["address"]
        processes.append(subprocess.Popen(worker_command, cwd=many, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        with Client(address) as client:
            client.wait_for_workers(1, timeout=60)
        env = {**os.environ, "DASK_LABELTOOLS__NO_WORKER_WARNING": "0.5"}
        run = start("convert", "ann", out, "--instances", "--viz", "--dask", address, cwd=many, env=env)
        while not (out / "SegmentationClass").is_dir() or not any((out / "SegmentationClass").iterdir()):
            assert run.poll() is None, run.communicate()
            time.sleep(0.005)
        processes[1].kill()  # SIGKILL: gone for good
        time.sleep(3)  # six times the wait before the warning
        assert run.poll() is None  # waiting, not failed
        processes.append(subprocess.Popen(worker_command, cwd=many, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        _, stderr = run.communicate(timeout=300)
    finally:
        for process in processes:
            process.kill()
            process.wait()
    assert run.returncode == 0, stderr
    warning = f"warning: the Dask scheduler at {address} has had no worker for 0.5 s; the tasks wait for one (start workers, or Ctrl-C stops)"
    assert stderr.count(warning) == 1, stderr
    clean = labeltools("convert", "ann", tmp_path / "clean", "-j", "2", "--instances", "--viz", cwd=many)
    assert clean.returncode == 0
    assert tree(out) == tree(tmp_path / "clean")


def test_a_second_writer_is_refused_and_a_dead_writers_lock_is_taken(many: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = start("convert", "ann", out, "-j", "2", cwd=many)
    lock = out / ".labeltools.lock"
    labels = out / "SegmentationClass"
    while not (lock.exists() and lock.read_text().startswith("pid ") and labels.is_dir() and any(labels.glob("*.png"))):
        assert first.poll() is None, first.communicate()  # it holds the folder now, and has labels
        time.sleep(0.002)
    os.killpg(first.pid, signal.SIGSTOP)  # a first writer that runs as long as the test needs
    try:
        second = labeltools("convert", "ann", out, "-j", "1", "--overwrite", cwd=many)
        resplit = labeltools("split", out, "-j", "1", cwd=many)  # its split would be written over
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # then dies holding the lock
    for refused in (second, resplit):
        assert refused.returncode == 1
        assert f"error: {out}: another labeltools run is writing into it (pid {first.pid}: labeltools convert ann {out}" in refused.stderr
    assert not list(out.glob("ImageSets/Segmentation/*.txt"))
    first.wait()
    assert (out / ".labeltools.lock").exists()
    third = labeltools("convert", "ann", out, "-j", "2", "--overwrite", cwd=many)
    assert third.returncode == 0, third.stderr
    assert not (out / ".labeltools.lock").exists()  # gone with the run that held it


def test_an_interrupted_export_leaves_no_image_without_its_annotations(many: Path, tmp_path: Path) -> None:
    out = tmp_path / "coco"
    run = start("export", "ann", "--to", "coco", "-d", out, "-j", "2", cwd=many)
    while not any((out / "images").rglob("*.jpg")) if (out / "images").is_dir() else True:
        assert run.poll() is None, run.communicate()
        time.sleep(0.01)
    os.killpg(run.pid, signal.SIGINT)
    _, stderr = run.communicate(timeout=60)
    assert run.returncode == 130, stderr
    assert stderr.splitlines()[-1].startswith("interrupted: exported ")
    assert not (out / "annotations").exists()
    assert [p for p in out.rglob("*") if p.is_file()] == []  # the copied images went with the run


def _kill_own_worker(item: int) -> FileResult:
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable")


def _square(item: int) -> FileResult:
    return FileResult(source=str(item), data=item * item)


def test_a_pool_found_broken_with_nothing_in_flight_leaves_its_chunks_pending() -> None:
    """A worker can die between chunks, when every chunk sent has come back: the pool is found
    broken when the next one is sent, and that chunk (and the rest) must go to the next pool,
    not crash the run."""
    from collections import deque

    from labeltools.engine.executor import _Guard, _Pool

    pool = _Pool(1)
    try:
        assert list(pool.run(_Guard(_kill_own_worker), deque([(0, [0])]), {})) == []  # broken by a real SIGKILL
        assert pool.died and pool.lost == [(0, [0])]
        pending, ready = deque([(1, [1]), (2, [2])]), {}
        assert list(pool.run(_Guard(_square), pending, ready)) == []  # nothing sent, nothing lost
        assert list(pending) == [(1, [1]), (2, [2])] and ready == {} and "SIGKILL" in pool.died
    finally:
        pool.stop()
    results = list(map_files(_square, range(6), jobs=2, chunksize=1))  # and a new pool runs them
    assert [r.data for r in results] == [0, 1, 4, 9, 16, 25]


def _die_at_start() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def test_workers_that_die_as_they_start_stop_the_run_in_words(monkeypatch: pytest.MonkeyPatch) -> None:
    from labeltools.core.errors import LabeltoolsError
    from labeltools.engine import executor

    monkeypatch.setattr(executor, "_worker_started", _die_at_start)  # forked workers inherit it
    with pytest.raises(LabeltoolsError, match=r"worker processes die before finishing any work \(SIGKILL\); try --jobs 1"):
        list(map_files(_square, range(40), jobs=2, chunksize=1))


def _deaf_when_stuck(item: int) -> FileResult:
    """Item 1 leaves its worker deaf to SIGTERM and stuck, as a worker blocked on the result
    queue's lock that a dead worker held is (``concurrent.futures`` turns the SystemExit our
    SIGTERM raises there into a second wait for that lock)."""
    if item == 1:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        time.sleep(600)
    return FileResult(source=str(item), data=item)


def test_a_worker_deaf_to_sigterm_is_killed_when_the_run_stops() -> None:
    """The run ends (here: its results are no longer wanted) with a worker that does not stop
    when told: it is killed, where the pool's thread waited for it for ever."""
    import threading

    others = {p.pid for p in psutil.Process().children(recursive=True)}  # the session's servers and clusters
    results = map_files(_deaf_when_stuck, range(4), jobs=2, chunksize=1)
    assert next(results).data == 0
    workers = {p.pid for p in psutil.Process().children(recursive=True)} - others
    assert workers
    closing = threading.Thread(target=results.close)
    closing.start()
    closing.join(120)  # a hang guard, far above the seconds a stop takes
    assert not closing.is_alive(), "stopping the run waited for a stuck worker"
    assert not [p for p in psutil.Process().children(recursive=True) if p.pid in workers and p.status() != psutil.STATUS_ZOMBIE]


@pytest.fixture
def cpu_limited_group() -> Any:
    """A control group of this machine whose processes get one core's time (a CPU quota of one
    period a period, as ``docker run --cpus 1`` or a Kubernetes CPU limit of 1 sets), under a
    group of its own with no quota (the quota of a group above counts too): the file to write a
    process's pid to, to move it there. Made with cgroup v1's ``cpu`` controller or v2's;
    skipped where neither can be written (not root, a container's read-only /sys/fs/cgroup)."""
    import shutil

    name = f"labeltools-test-{os.getpid()}"
    v1, v2 = Path("/sys/fs/cgroup/cpu"), Path("/sys/fs/cgroup")
    try:
        if (v1 / "cpu.cfs_quota_us").is_file():
            group = v1 / name
            group.mkdir()
            (group / "cpu.cfs_quota_us").write_text(str(int((v1 / "cpu.cfs_period_us").read_text())))
        elif "cpu" in (v2 / "cgroup.controllers").read_text().split():
            group = v2 / name
            group.mkdir()
            (group / "cpu.max").write_text("100000 100000")
            (group / "cgroup.subtree_control").write_text("+cpu")
        else:
            pytest.skip("no control group CPU controller on this machine")
        (group / "inner").mkdir()
    except OSError as exc:
        pytest.skip(f"cannot make a control group here ({exc})")
    try:
        yield group / "inner" / "cgroup.procs"
    finally:
        for folder in (group / "inner", group):  # their processes have ended: empty groups go
            for _ in range(50):
                try:
                    folder.rmdir()
                    break
                except OSError:
                    time.sleep(0.1)
        shutil.rmtree(group, ignore_errors=True)


def test_every_core_is_what_a_cpu_quota_leaves_not_the_hosts_cores(cpu_limited_group: Path, tmp_path: Path) -> None:
    """A container or pod limited to some cores' time sees every core of its host: --jobs 0 (the
    default) started a worker a core there, processes sharing the quota's time, each with its own
    memory. In a group whose parent has a one-core quota, a command runs in one process, and
    outside it on every core it may use, with the same output."""
    from labeltools.engine.executor import usable_cores

    cores = usable_cores()  # here, outside the group
    if cores < 2:
        pytest.skip("a process limited to one core here shows no difference")
    enter = f'echo $$ > {cpu_limited_group} && exec "$@"'
    command = [sys.executable, "-m", "labeltools", "-v", "convert", str(SAMPLE_DIR)]
    limited = subprocess.run(["sh", "-c", enter, "sh", *command, str(tmp_path / "limited")], capture_output=True, text=True, timeout=300)
    assert limited.returncode == 0, limited.stderr[-2000:]
    assert "processing 8 items in this process (1 worker)" in limited.stderr
    assert "every core: 1 of " in limited.stderr and "the CPU quota of this process's control group" in limited.stderr
    free = subprocess.run([*command, str(tmp_path / "free")], capture_output=True, text=True, timeout=300)
    assert free.returncode == 0 and f"processing 8 items with {min(8, cores)} workers" in free.stderr, free.stderr[-2000:]
    assert (tmp_path / "limited" / "SegmentationClass" / "street_01.png").read_bytes() == (
        tmp_path / "free" / "SegmentationClass" / "street_01.png"
    ).read_bytes()


@pytest.mark.parametrize(
    "name,text,cores",
    [("cpu.max", "150000 100000\n", 2), ("cpu.max", "max 100000\n", None), ("cpu.max", "50000 100000\n", 1),
     ("cpu.cfs_quota_us", "400000\n", 4), ("cpu.cfs_quota_us", "-1\n", None), ("cpu.max", "", None)],
)  # fmt: skip
def test_a_quota_is_read_in_whole_cores_as_each_cgroup_version_writes_it(name: str, text: str, cores: int | None, tmp_path: Path) -> None:
    """cgroup v2's ``cpu.max`` ("max" for none) and v1's quota over its period (-1 for none),
    rounded up: one and a half cores' time keeps two cores busy; an unreadable file is no quota."""
    from labeltools.engine.executor import _read_quota

    (tmp_path / name).write_text(text)
    (tmp_path / "cpu.cfs_period_us").write_text("100000\n")
    assert _read_quota(str(tmp_path), name) == cores


#: Runs the command line with argv[2:], writing how many threads the process has at each fork
#: (one line each) to argv[1].
COUNT_THREADS_AT_FORKS = """
import os, sys, threading
record = sys.argv[1]
os.register_at_fork(before=lambda: open(record, "a").write(f"{threading.active_count()}\\n"))
from labeltools.cli.shared import main
sys.argv = ["labeltools", *sys.argv[2:]]
main()
"""


def test_workers_are_forked_from_a_process_of_one_thread_on_a_terminal(tmp_path: Path) -> None:
    """On a terminal the progress bar was redrawn by a thread of its own, which ran when the pools
    forked their workers: a worker forked while that thread held stderr's lock waits for ever
    once it writes a warning (Python 3.12 and later warn of such forks). The bar is redrawn as
    results come, by the process's one thread: one thread at every fork, the pass that finds the
    classes and the conversion alike, the bar drawn all the same."""
    import pty
    import shutil

    source = tmp_path / "annotations"
    shutil.copytree(SAMPLE_DIR, source)
    (source / "labels.txt").unlink()  # the classes are found first: a pool of its own
    record = tmp_path / "threads.txt"
    primary, secondary = pty.openpty()
    command = [sys.executable, "-c", COUNT_THREADS_AT_FORKS, str(record), "convert", str(source), str(tmp_path / "out"), "-j", "2"]
    process = subprocess.Popen(command, stdin=secondary, stdout=secondary, stderr=secondary, cwd=tmp_path)
    os.close(secondary)
    shown = b""
    while True:  # read the terminal until the command ends (it would block on a full one)
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # EIO: every writer has closed it
            break
        if not chunk:
            break
        shown += chunk
    os.close(primary)
    assert process.wait(timeout=300) == 0, shown.decode(errors="replace")[-3000:]
    counts = record.read_text().split()
    assert len(counts) == 4 and set(counts) == {"1"}, counts  # two workers a pool
    assert b"finding the classes" in shown and b"convert" in shown and b"8/8" in shown


#: The command line on a system without POSIX file locks (Windows has no ``fcntl``).
WITHOUT_FCNTL = """
import sys
sys.modules["fcntl"] = None  # import fcntl raises ImportError, as on Windows
from labeltools.cli.shared import main
sys.argv = ["labeltools", *sys.argv[1:]]
main()
"""


def test_writing_without_posix_file_locks_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    """On Windows the commands that write a dataset ended in a traceback (``No module named
    'fcntl'``), the output folder made: they are refused in one line that says to run labeltools
    in WSL, nothing written."""
    for args in (("convert", SAMPLE_DIR, tmp_path / "voc"), ("export", SAMPLE_DIR, "--to", "coco", "-d", tmp_path / "coco")):
        out = Path(args[2] if args[0] == "convert" else args[-1])
        done = subprocess.run([sys.executable, "-c", WITHOUT_FCNTL, *map(str, args), "-j", "1"], capture_output=True, text=True, timeout=300)
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert done.stderr.splitlines()[-1] == (
            f"error: {out}: labeltools writes datasets on Linux and macOS only (it locks the folder it writes with a "
            "POSIX file lock); on Windows, run it in WSL (Windows Subsystem for Linux)"
        ), done.stderr
        assert not out.exists()
