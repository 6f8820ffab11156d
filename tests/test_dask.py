"""Every batch command on a real Dask cluster (a LocalCluster of two worker processes): the same
bytes and numbers as the local pool, bad files reported alike."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import tree_bytes
from typer.testing import CliRunner

from labeltools import __version__ as lt_version
from labeltools import read_label, write_label
from labeltools.cli import app
from labeltools.core.errors import LabeltoolsError
from labeltools.engine.executor import (
    FileResult,
    WorkerVersionError,
    close_dask_clients,
    map_files,
    use_dask,
)
from labeltools.jobs.convert import SAMPLE_DIR, sample_labels_path

distributed = pytest.importorskip("distributed")
runner = CliRunner()


def cli(*args: Any) -> Any:
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def scheduler() -> Any:
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    try:
        yield cluster.scheduler_address
    finally:
        close_dask_clients()
        cluster.close()


def _square(item: int) -> FileResult:
    if item == 13:
        raise KeyError("thirteen")
    return FileResult(source=str(item), data=item * item)


def test_results_come_in_input_order_and_failures_stay_per_item(scheduler: str) -> None:
    with use_dask(scheduler):
        results = list(map_files(_square, range(500), jobs=2))
    assert [r.source for r in results] == [str(i) for i in range(500)]
    assert all(r.data == i * i for i, r in enumerate(results) if i != 13)
    assert results[13].error == "13: internal error (KeyError: 'thirteen')"


def test_convert_on_dask_writes_the_same_bytes(scheduler: str, tmp_path: Path) -> None:
    args = (SAMPLE_DIR, "--labels", sample_labels_path(), "--instances", "--viz", "--stratify")
    assert cli("convert", *args, tmp_path / "local", "-j", "2").exit_code == 0
    result = cli("convert", *args, tmp_path / "dask", "--dask", scheduler, "--json", tmp_path / "d.json")
    assert result.exit_code == 0, result.output
    assert tree_bytes(tmp_path / "dask") == tree_bytes(tmp_path / "local")
    assert json.loads((tmp_path / "d.json").read_text())["converted"] == 8


@pytest.fixture(scope="module")
def voc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("voc") / "voc"
    assert cli("convert", SAMPLE_DIR, root, "--labels", sample_labels_path(), "-j", "1").exit_code == 0
    (root.parent / "pred").mkdir()
    for label in (root / "SegmentationClass").glob("*.png"):
        pred = read_label(label).copy()
        pred[pred == 255] = 0
        pred[::7] = 1  # some mistakes
        write_label(root.parent / "pred" / label.name, pred)
    return root


@pytest.mark.parametrize(
    "command",
    [
        ("weights", "{voc}", "-o", "{out}/w.npy", "--json", "{out}/w.json"),
        ("stats", "{voc}", "--json", "{out}/s.json"),
        ("evaluate", "{voc}", "{voc}/../pred", "-n", "9", "--json", "{out}/e.json"),
        ("check", "{voc}", "--json", "{out}/c.json"),
        ("diff", "{voc}", "{voc}/../pred", "--json", "{out}/d.json"),
        ("report", "{voc}", "-o", "{out}/r.html", "--pred", "{voc}/../pred", "--compare", "{voc}/../pred", "--json", "{out}/r.json"),
        ("remap", "{voc}/SegmentationClass", "--index-map", "1:1,2:2", "-o", "{out}/remapped"),
        ("colorize", "{voc}/SegmentationClass", "--gray", "-o", "{out}/gray"),
    ],
)
def test_counting_and_file_jobs_on_dask_equal_the_local_run(scheduler: str, voc: Path, tmp_path: Path, command: tuple[str, ...]) -> None:
    outputs = {}
    for where, extra in (("local", ("-j", "2")), ("dask", ("--dask", scheduler))):
        out = tmp_path / where
        out.mkdir()
        args = [a.format(voc=voc, out=out) for a in command]
        if args[0] in ("remap", "colorize"):
            args[1:2] = sorted(str(p) for p in (voc / "SegmentationClass").glob("*.png"))
        result = cli(*args, *extra)
        assert result.exit_code == 0, result.output
        files = {name: data.replace(str(out).encode(), b"OUT") for name, data in tree_bytes(out).items()}
        outputs[where] = (result.stdout, files)
    assert outputs["dask"] == outputs["local"]


def test_a_bad_file_on_dask_is_reported_like_locally(scheduler: str, tmp_path: Path) -> None:
    labels = tmp_path / "labels"
    labels.mkdir()
    write_label(labels / "good.png", np.zeros((4, 4), np.uint8))
    (labels / "bad.png").write_bytes(b"not a png")
    local = cli("colorize", *sorted(labels.iterdir()), "-o", tmp_path / "a", "-j", "2")
    dask = cli("colorize", *sorted(labels.iterdir()), "-o", tmp_path / "b", "--dask", scheduler)
    # The first connection of a process says it is connecting; the rest is the same, line for line.
    connecting = f"info: connecting to the Dask scheduler at {scheduler} (up to 10 s)\n"
    assert local.exit_code == dask.exit_code == 1 and local.stderr == dask.stderr.replace(connecting, "")
    assert "failed: " in dask.stderr and "bad.png: cannot read image" in " ".join(dask.stderr.split())
    everything_bad = cli("colorize", labels / "bad.png", "-o", tmp_path / "c", "--dask", scheduler)
    assert everything_bad.exit_code == 1 and "wrote 0, failed 1" in everything_bad.stderr


def dies_on_poison(item: str) -> FileResult:
    """A task whose items named ``poison...`` kill their worker process, as the OOM killer would."""
    if item.startswith("poison"):
        os.kill(os.getpid(), signal.SIGKILL)
    return FileResult(source=item, data=item.upper())


def test_an_item_that_kills_its_dask_workers_fails_alone_and_the_rest_runs_in_order() -> None:
    # A local cluster of its own (--dask local): the scheduler gives up on a task after its
    # workers died allowed-failures + 1 times (KilledWorker), each restarted by its nanny. A
    # local cluster also closes for good a nanny left without a worker for lost-worker-timeout
    # (15 s; here 10 ms, as a run of many kills meets it): the command's cluster must not.
    import threading

    import dask

    items = [f"i{k}" for k in range(100)]
    items[37], items[40], items[90] = "poison-a", "poison-b", "poison-c"  # two in one task of 16
    results: list[FileResult] = []

    def run() -> None:
        with use_dask("local"):
            results.extend(map_files(dies_on_poison, items, jobs=2))

    with dask.config.set({"distributed.deploy.lost-worker-timeout": "10ms"}):
        runner = threading.Thread(target=run, daemon=True)
        try:
            runner.start()
            runner.join(timeout=240)
        finally:
            close_dask_clients()
    assert not runner.is_alive(), "the run waits for ever: the local cluster lost its workers"
    assert [r.source for r in results] == items
    failed = {r.source: r.error for r in results if not r.ok}
    assert failed == {name: f"{name}: 4 Dask workers died while processing it (out of memory?)" for name in ("poison-a", "poison-b", "poison-c")}
    assert all(r.data == r.source.upper() for r in results if r.ok)


def test_a_scheduler_without_workers_is_said_and_the_run_goes_on_once_one_joins(caplog: pytest.LogCaptureFixture) -> None:
    import threading

    cluster = distributed.LocalCluster(n_workers=0, threads_per_worker=1, processes=True, dashboard_address=":0")
    results: list[FileResult] = []
    try:
        with use_dask(cluster.scheduler_address), caplog.at_level("WARNING", logger="labeltools"):
            run = threading.Thread(target=lambda: results.extend(map_files(_square, range(40), jobs=1)))
            run.start()
            run.join(3)
            assert run.is_alive() and not results  # nothing runs without a worker
            cluster.scale(1)
            run.join(60)
    finally:
        close_dask_clients()
        cluster.close()
    assert f"the Dask scheduler at {cluster.scheduler_address} has no workers yet" in caplog.text
    assert [r.data for r in results if r.ok] == [i * i for i in range(40) if i != 13]


#: A Dask worker that cannot import labeltools, as on a machine where it is not installed.
WORKER_WITHOUT_LABELTOOLS = """\
import sys
class NotInstalled:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "labeltools":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, NotInstalled())
from distributed.cli.dask_worker import main
main()
"""


def other_labeltools(root: Path, version: str) -> Path:
    """A folder holding another labeltools release (the package, its version changed), to put
    first on a worker's PYTHONPATH."""
    import shutil

    import labeltools

    shutil.copytree(Path(labeltools.__file__).parent, root / "labeltools", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "labeltools" / "core" / "version.py").write_text(f'__version__ = "{version}"\n')
    return root


def start_worker(address: str, tmp_path: Path, *, pythonpath: Path | None = None, script: str | None = None) -> Any:
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(pythonpath)} if pythonpath else dict(os.environ)
    command = ["-c", script] if script else ["-m", "distributed.cli.dask_worker"]
    return subprocess.Popen([sys.executable, *command, address, "--nthreads", "1", "--no-nanny"], env=env, cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


@pytest.mark.parametrize("worker", ["none", "0.0.9", "broken"])
def test_workers_without_this_labeltools_stop_the_run_in_one_line(worker: str, voc: Path, tmp_path: Path) -> None:
    cluster = distributed.LocalCluster(n_workers=0, processes=True, dashboard_address=":0")
    if worker == "none":
        process = start_worker(cluster.scheduler_address, tmp_path, script=WORKER_WITHOUT_LABELTOOLS)
    else:
        site = other_labeltools(tmp_path / "site", "0.0.9")
        if worker == "broken":  # installed, but it cannot be imported there
            init = site / "labeltools" / "__init__.py"
            init.write_text(init.read_text() + '\nraise ImportError("numpy is missing")\n')
        process = start_worker(cluster.scheduler_address, tmp_path, pythonpath=site)
    try:
        with distributed.Client(cluster.scheduler_address) as client:
            client.wait_for_workers(1, timeout=60)
        result = cli("stats", voc, "--dask", cluster.scheduler_address)
    finally:
        close_dask_clients()
        process.kill()
        process.wait()
        cluster.close()
    assert result.exit_code == 1, result.output
    has = {"none": "has no labeltools", "0.0.9": "has labeltools 0.0.9", "broken": "cannot load labeltools ("}[worker]
    text = " ".join(result.stderr.split())
    assert "error: Dask worker tcp://127.0.0.1:" in text and has in text, text
    assert text.endswith(f": install labeltools {lt_version}, this client's version, on every worker")
    if worker == "broken":
        assert "numpy is missing" in text


def test_a_worker_of_another_version_that_joins_later_stops_the_run_in_one_line(tmp_path: Path) -> None:
    import threading

    cluster = distributed.LocalCluster(n_workers=0, processes=True, dashboard_address=":0")
    raised: list[BaseException] = []
    process = None

    def run() -> None:
        try:
            list(map_files(abs, range(40), jobs=1))  # a function the other worker can load
        except BaseException as exc:
            raised.append(exc)

    try:
        with use_dask(cluster.scheduler_address):
            thread = threading.Thread(target=run)
            thread.start()  # connects to a cluster of no worker: the check finds nothing to refuse
            thread.join(2)
            process = start_worker(cluster.scheduler_address, tmp_path, pythonpath=other_labeltools(tmp_path / "site", "0.0.9"))
            thread.join(90)
            assert not thread.is_alive()
    finally:
        close_dask_clients()
        if process is not None:
            process.kill()
            process.wait()
        cluster.close()
    assert [type(e) for e in raised] == [WorkerVersionError]
    assert str(raised[0]) == f"a Dask worker has labeltools 0.0.9: install labeltools {lt_version}, this client's version, on every worker"


def _pid(item: int) -> FileResult:
    return FileResult(source=str(item), data=os.getpid())


def test_the_environment_variable_chooses_dask(scheduler: str, voc: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import dask

    monkeypatch.setenv("LABELTOOLS_DASK", "tcp://127.0.0.1:9")  # nobody listens there
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        result = cli("stats", voc)
    assert result.exit_code == 1 and "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.stderr
    monkeypatch.setenv("LABELTOOLS_DASK", scheduler)
    with use_dask(None):  # None leaves the choice to the environment
        results = list(map_files(_pid, [1, 2], jobs=1))  # jobs=1 would run here, locally
    assert all(r.data != os.getpid() for r in results)


def test_without_distributed_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if it were not installed
    with use_dask("tcp://127.0.0.1:8786"), pytest.raises(LabeltoolsError, match=r'pip install "labeltools\[dask\]"'):
        list(map_files(_square, [1], jobs=1))


def test_a_local_cluster_sized_by_jobs(tmp_path: Path) -> None:
    result = cli("convert", SAMPLE_DIR, tmp_path / "out", "--labels", sample_labels_path(), "--dask", "local", "-j", "2")
    assert result.exit_code == 0, result.output
    assert cli("convert", SAMPLE_DIR, tmp_path / "ref", "--labels", sample_labels_path(), "-j", "1").exit_code == 0
    assert tree_bytes(tmp_path / "out") == tree_bytes(tmp_path / "ref")
    close_dask_clients()


def test_export_on_dask_writes_the_same_bytes(scheduler: str, tmp_path: Path) -> None:
    for to, extra in (("coco", []), ("yolo-seg", [])):  # images placed beside: relative names
        args = ("export", SAMPLE_DIR, "--to", to, "--classes", sample_labels_path(), *extra)
        assert cli(*args, "-d", tmp_path / f"local-{to}", "-j", "2").exit_code == 0
        result = cli(*args, "-d", tmp_path / f"dask-{to}", "--dask", scheduler)
        assert result.exit_code == 0, result.output
        assert tree_bytes(tmp_path / f"dask-{to}") == tree_bytes(tmp_path / f"local-{to}")


def test_the_class_map_exports_on_dask_write_the_same_bytes(scheduler: str, tmp_path: Path) -> None:
    """Ultralytics' semantic layout, and a Hugging Face repository (its shards written by the
    client from the workers' checked rows, in order)."""
    assert cli("convert", SAMPLE_DIR, tmp_path / "voc", "--classes", sample_labels_path(), "-j", "1").exit_code == 0
    for to in ("yolo-semantic", "hub"):
        args = ("export", tmp_path / "voc", "--to", to)
        assert cli(*args, "-d", tmp_path / f"local-{to}", "-j", "2").exit_code == 0
        result = cli(*args, "-d", tmp_path / f"dask-{to}", "--dask", scheduler)
        assert result.exit_code == 0, result.output
        assert tree_bytes(tmp_path / f"dask-{to}") == tree_bytes(tmp_path / f"local-{to}")
    assert len(list((tmp_path / "dask-yolo-semantic" / "masks").rglob("*.png"))) == 8
    assert len(list((tmp_path / "dask-hub" / "data").glob("*.parquet"))) == 2


def test_convert_from_cvat_cityscapes_and_yolo_on_dask_writes_the_same_bytes(scheduler: str, tmp_path: Path) -> None:
    from exports import cityscapes_export, cvat_export, yolo_dataset

    cvat_export(tmp_path / "cvat", images=6)
    cityscapes_export(tmp_path / "cs", images=4)
    yolo_dataset(tmp_path / "yolo")
    for source in ("cvat", "cs", "yolo"):
        assert cli("convert", tmp_path / source, tmp_path / f"{source}-local", "--instances", "-j", "2").exit_code == 0
        result = cli("convert", tmp_path / source, tmp_path / f"{source}-dask", "--instances", "--dask", scheduler)
        assert result.exit_code == 0, result.output
        assert tree_bytes(tmp_path / f"{source}-dask") == tree_bytes(tmp_path / f"{source}-local")
        assert len(list((tmp_path / f"{source}-dask" / "SegmentationClass").iterdir())) in (4, 6)  # the YOLO dataset's 6


def test_convert_of_a_hugging_face_dataset_on_dask_writes_the_same_bytes(scheduler: str, tmp_path: Path) -> None:
    """Its rows read by the workers, a row group at a time, as by -j 2."""
    from exports import hub_repository

    hub_repository(tmp_path / "hub", {"train": 7, "validation": 3})
    assert cli("convert", tmp_path / "hub", tmp_path / "local", "-j", "2").exit_code == 0
    result = cli("convert", tmp_path / "hub", tmp_path / "dask", "--dask", scheduler)
    assert result.exit_code == 0, result.output
    assert tree_bytes(tmp_path / "dask") == tree_bytes(tmp_path / "local")
    assert len(list((tmp_path / "dask" / "SegmentationClass").iterdir())) == 10
    for where in ("-j", "--dask"):  # its rows counted in place, by the workers
        weighed = cli("weights", tmp_path / "hub", "-o", tmp_path / f"w{where}.npy", *((where, "2") if where == "-j" else (where, scheduler)))
        assert weighed.exit_code == 0 and "counted 7, failed 0" in weighed.stderr, weighed.output
    assert (tmp_path / "w--dask.npy").read_bytes() == (tmp_path / "w-j.npy").read_bytes()
    preds = tmp_path / "preds"  # the converted labels, void as background: predictions of the rows
    preds.mkdir()
    for label in (tmp_path / "local" / "SegmentationClass").iterdir():
        values = read_label(label)
        write_label(preds / label.name, np.where(values == 255, 0, values).astype(np.uint8))
    scored = {}
    for where in ("-j", "--dask"):
        result = cli("evaluate", tmp_path / "hub", preds, "--json", tmp_path / f"s{where}.json", *((where, "2") if where == "-j" else (where, scheduler)))
        assert result.exit_code == 0 and "scored 10, failed 0" in result.stderr, result.output
        scored[where] = json.loads((tmp_path / f"s{where}.json").read_text())["confusion_matrix"]
    assert scored["--dask"] == scored["-j"]
    found = {}
    for where in ("-j", "--dask"):  # its rows checked in place, by the workers
        result = cli("check", tmp_path / "hub", "--json", tmp_path / f"c{where}.json", *((where, "2") if where == "-j" else (where, scheduler)))
        assert result.exit_code == 0, result.output
        found[where] = json.loads((tmp_path / f"c{where}.json").read_text())
    assert found["--dask"] == found["-j"] and found["-j"]["samples"] == 10, found
    for where in ("-j", "--dask"):  # and drawn there
        result = cli("report", tmp_path / "hub", "-o", tmp_path / f"r{where}.html", "--json", tmp_path / f"r{where}.json", *((where, "2") if where == "-j" else (where, scheduler)))
        assert result.exit_code == 0, result.output
        found[where] = json.loads((tmp_path / f"r{where}.json").read_text())
    assert found["--dask"] == {**found["-j"], "output": str(tmp_path / "r--dask.html")} and found["-j"]["drawn"] == 10, found
    for where in ("-j", "--dask"):  # and compared with the predictions, by id
        result = cli("diff", tmp_path / "hub", preds, "--json", tmp_path / f"d{where}.json", *((where, "2") if where == "-j" else (where, scheduler)))
        assert result.exit_code == 0 and "compared 10, failed 0" in result.stderr, result.output
        found[where] = json.loads((tmp_path / f"d{where}.json").read_text())
    assert found["--dask"] == found["-j"] and 0 < found["-j"]["changed_pixels"] < found["-j"]["pixels"], found
