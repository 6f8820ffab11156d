from __future__ import annotations

import logging
from functools import partial

import pytest

from labeltools import (
    DatasetError,
    FileResult,
    LabelFileError,
    LabeltoolsError,
    map_files,
)
from labeltools.engine.executor import (
    map_quick,
    quick_task_chunksize,
    raise_if_failed,
    resolve_jobs,
)


def square(item: int, fail_on: int = -1) -> FileResult:
    if item == fail_on:
        raise LabelFileError(f"item {item} is bad")
    if item == -5:
        raise FileNotFoundError(2, "No such file or directory")
    return FileResult(source=str(item), data=item * item)


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_results_in_input_order(jobs):
    results = list(map_files(square, range(50), jobs=jobs))
    assert [r.data for r in results] == [i * i for i in range(50)]


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("threads", [False, True])
def test_map_quick_keeps_order_and_failures(jobs, threads):
    results = list(map_quick(partial(square, fail_on=7), iter(range(100)), jobs=jobs, threads=threads))
    assert [r.data for r in results if r.ok] == [i * i for i in range(100) if i != 7]
    assert [r.source for r in results if not r.ok] == ["7"]


def test_errors_become_failed_results_and_work_continues():
    results = list(map_files(partial(square, fail_on=3), [1, 3, -5, 4], jobs=2))
    assert [r.ok for r in results] == [True, False, False, True]
    assert results[1].error == "item 3 is bad"
    assert "No such file" in results[2].error and results[2].source == "-5"


def _where(item: int) -> FileResult:
    import os
    import threading

    return FileResult(source=str(item), data=(os.getpid(), threading.get_ident()))


def test_threads_run_in_this_process_and_processes_do_not():
    import os

    threaded = list(map_files(_where, range(40), jobs=2, chunksize=1, threads=True))
    assert {r.data[0] for r in threaded} == {os.getpid()}
    forked = list(map_files(_where, range(40), jobs=2, chunksize=1))
    assert os.getpid() not in {r.data[0] for r in forked}


def _boom(item):
    if item == 2:
        raise ZeroDivisionError("division by zero")
    if item == 3:
        raise RecursionError
    return FileResult(source=str(item))


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("threads", [False, True])
def test_any_exception_is_the_items_failure_and_the_batch_goes_on(jobs, threads, caplog):
    with caplog.at_level(logging.DEBUG, logger="labeltools.engine.executor"):
        results = list(map_files(_boom, [1, 2, 3, 4], jobs=jobs, threads=threads))
    assert [r.ok for r in results] == [True, False, False, True]
    assert results[1].error == "2: internal error (ZeroDivisionError: division by zero)"
    assert results[2].error == "3: internal error (RecursionError)"
    if jobs == 1:  # the traceback goes to the log at debug level
        assert any(r.exc_info and r.exc_info[0] is ZeroDivisionError for r in caplog.records)


def test_resolve_jobs():
    assert resolve_jobs(None) >= 1 and resolve_jobs(0) == resolve_jobs(None) and resolve_jobs(3) == 3
    with pytest.raises(LabeltoolsError, match="--jobs must be 0"):
        resolve_jobs(-1)


def test_quick_task_chunksize_keeps_eight_chunks_per_worker_up_to_32_items():
    assert quick_task_chunksize(0, 2) == 1
    assert quick_task_chunksize(100, 2) == 6  # 100 // 16
    assert quick_task_chunksize(500, 2) == 31
    assert quick_task_chunksize(100_000, 4) == 32
    assert quick_task_chunksize(500, 1) == 32


def test_raise_if_failed_consumes_the_results_and_lists_three_failures():
    seen = []

    def results(failures):
        for i in range(6):
            seen.append(i)
            yield FileResult(str(i), ok=i >= failures, error=None if i >= failures else f"f{i} is bad")

    raise_if_failed(results(0), 6, "label file(s)", DatasetError)
    assert seen == list(range(6))
    with pytest.raises(DatasetError) as info:
        raise_if_failed(results(2), 6, "label file(s)", DatasetError)
    assert str(info.value) == "2 of 6 label file(s) failed: f0 is bad; f1 is bad"
    with pytest.raises(LabelFileError) as info:
        raise_if_failed(results(5), 9, "image(s)", LabelFileError)
    assert str(info.value) == "5 of 9 image(s) failed: f0 is bad; f1 is bad; f2 is bad (and 2 more)"


def test_threads_of_a_dask_worker_share_a_runs_working_folder_until_its_last_task_ends(tmp_path) -> None:
    # A Dask worker of several threads runs several tasks at once, in the one working folder of
    # its process: a task ending must not take the folder from under another of its run, and a
    # task of a run from another folder waits for it.
    import os
    import threading

    from labeltools.engine.executor import _working_folder

    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    own = os.getcwd()
    seen: dict[str, str] = {}
    first_in, second_in, b_in = (threading.Event() for _ in range(3))

    def task(name: str, folder: object, entered: threading.Event, leave: threading.Event | None) -> None:
        with _working_folder(str(folder)):
            entered.set()
            if leave is not None:
                assert leave.wait(10)
            seen[name] = os.getcwd()

    first = threading.Thread(target=task, args=("first", a, first_in, None))
    second_release = threading.Event()
    second = threading.Thread(target=task, args=("second", a, second_in, second_release))
    other = threading.Thread(target=task, args=("other", b, b_in, None))
    second.start()
    assert second_in.wait(10)
    first.start()
    first.join(10)  # ends while the second is still inside
    other.start()
    assert not b_in.wait(0.3)  # the other run's task waits: the folder is in use
    assert os.getcwd() == str(a)
    second_release.set()
    second.join(10)
    other.join(10)
    assert seen == {"first": str(a), "second": str(a), "other": str(b)}
    assert os.getcwd() == own
