"""Inputs and outputs on object storage: a real S3 endpoint (moto's server on 127.0.0.1, s3fs
pointed at it), and fsspec's memory file system for the storage layer itself."""

from __future__ import annotations

import importlib.util
import io
import json
import logging
import os
import socket
import subprocess
import sys
import time
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from labeltools import read_label, write_label
from labeltools.cli import app
from labeltools.core.errors import LabeltoolsError
from labeltools.engine.storage import (
    atomic_writes,
    list_files,
    location,
    modified,
    read_bytes,
)
from labeltools.jobs.convert import SAMPLE_DIR, sample_labels_path

s3fs = pytest.importorskip("s3fs")
moto_server = pytest.importorskip("moto.server")
runner = CliRunner()


def cli(*args: Any) -> Any:
    return runner.invoke(app, [str(a) for a in args])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """An S3 endpoint on 127.0.0.1 holding bucket ``src`` (the bundled sample under
    ``sample/``) and an empty bucket ``out``; yields an s3fs file system pointed at it."""
    port = free_port()
    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL")}
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1",
        AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}",
    )  # fmt: skip
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the server's request log is not ours
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    s3fs.S3FileSystem.clear_instance_cache()
    fs = s3fs.S3FileSystem()
    fs.mkdir("src")
    fs.mkdir("out")
    fs.put(f"{SAMPLE_DIR}/", "src/sample/", recursive=True)
    try:
        yield fs
    finally:
        server.stop()
        s3fs.S3FileSystem.clear_instance_cache()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def local_tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def s3_tree(fs: Any, prefix: str) -> dict[str, bytes]:
    fs.invalidate_cache()
    return {name[len(prefix) + 1 :]: fs.cat_file(name) for name in sorted(fs.find(prefix))}


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ref") / "voc"
    result = cli("convert", SAMPLE_DIR, out, "--labels", sample_labels_path(), "--instances", "-j", "1")
    assert result.exit_code == 0, result.output
    return out


def test_convert_from_s3_to_s3_writes_the_local_bytes(s3: Any, reference: Path) -> None:
    result = cli("convert", "s3://src/sample", "s3://out/a", "--labels", "s3://src/sample/labels.txt", "--instances", "-j", "2")
    assert result.exit_code == 0, result.output
    assert s3_tree(s3, "out/a") == local_tree(reference)


def test_convert_from_local_to_s3_and_resume(s3: Any, reference: Path) -> None:
    args = ("convert", SAMPLE_DIR, "s3://out/b", "--labels", sample_labels_path(), "--instances", "-j", "1")
    assert cli(*args).exit_code == 0
    assert s3_tree(s3, "out/b") == local_tree(reference)
    result = cli(*args, "--resume")  # the objects are newer than their sources: nothing to do
    assert result.exit_code == 0 and "converted 0, skipped 8" in result.stderr
    assert modified("s3://out/b/SegmentationClass/street_01.png") is not None


def test_weights_and_evaluate_read_s3(s3: Any, reference: Path, tmp_path: Path) -> None:
    assert cli("convert", "s3://src/sample", "s3://out/c", "--labels", "s3://src/sample/labels.txt").exit_code == 0
    pred = tmp_path / "pred"
    pred.mkdir()
    for label in sorted((reference / "SegmentationClass").glob("*.png")):
        guess = read_label(label).copy()
        guess[guess == 255] = 0
        guess[::5] = 1
        write_label(pred / label.name, guess)
        s3.pipe_file(f"out/arrays/{label.stem}.npy", _npy(guess))  # a scoring script's np.save
    s3.put(f"{pred}/", "out/pred/", recursive=True)
    runs = (("local", str(reference), str(pred)), ("s3", "s3://out/c", "s3://out/pred"), ("arrays", "s3://out/c", "s3://out/arrays"))
    for where, root, guesses in runs:
        result = cli("weights", root, "-o", tmp_path / f"{where}.npy", "-j", "2")
        assert result.exit_code == 0, result.output
        result = cli("evaluate", root, guesses, "-n", "9", "--json", tmp_path / f"{where}.json")
        assert result.exit_code == 0, result.output
    assert (tmp_path / "s3.npy").read_bytes() == (tmp_path / "local.npy").read_bytes()
    local, remote, arrays = (json.loads((tmp_path / f"{w}.json").read_text()) for w in ("local", "s3", "arrays"))
    assert remote == local == arrays and 0.2 < remote["mean_iou"] < 1.0


def _npy(array: Any) -> bytes:
    """The bytes ``np.save`` writes of an array."""
    out = io.BytesIO()
    np.save(out, array)
    return out.getvalue()


def test_weights_can_be_written_to_s3(s3: Any, reference: Path) -> None:
    assert cli("weights", reference, "-o", "s3://out/w/weights.npy").exit_code == 0
    assert s3.cat_file("out/w/weights.npy")[:6] == b"\x93NUMPY"


def test_a_missing_bucket_is_one_line(s3: Any) -> None:
    result = cli("convert", SAMPLE_DIR, "s3://no-such-bucket/voc", "-j", "1")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"classes: 9, from {SAMPLE_DIR / 'labels.txt'}, the labels.txt kept with the annotations, whose order numbers the classes "
        "as labelme2voc's --labels does (--classes gives another table)",  # what was chosen, then the one error line
        "labelme rules: labelme 7.9.1's, the default (--labelme-rules 6 draws as labelme 6.3.1)",
        "error: s3://no-such-bucket/voc/class_names.txt: cannot write (The specified bucket does not exist)",
    ]
    result = cli("stats", "s3://no-such-bucket/voc")
    assert result.exit_code == 1 and result.stderr.startswith("error: s3://no-such-bucket/voc")


def test_a_denied_write_is_one_line(tmp_path: Path) -> None:
    """A second endpoint that checks credentials: a user allowed to read may not write."""
    port = free_port()
    env = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": "5", "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}  # fmt: skip
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        import boto3

        endpoint = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        # this process's AWS settings are not the test's: the clients get theirs explicitly
        own = {"endpoint_url": endpoint, "region_name": "us-east-1", "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        iam = boto3.client("iam", **own)
        iam.create_user(UserName="reader")  # 1
        policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"}]}
        iam.put_user_policy(UserName="reader", PolicyName="read", PolicyDocument=json.dumps(policy))  # 2
        key = iam.create_access_key(UserName="reader")["AccessKey"]  # 3
        boto3.client("s3", **own).create_bucket(Bucket="locked")  # 4
        done = subprocess.run(
            [sys.executable, "-m", "labeltools", "convert", str(SAMPLE_DIR), "s3://locked/voc", "-j", "1"],
            env={**env, "AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
                 "AWS_ENDPOINT_URL": endpoint},  # fmt: skip
            capture_output=True, text=True, timeout=120,
        )
    finally:
        server.terminate()
        server.wait()
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"classes: 9, from {SAMPLE_DIR / 'labels.txt'}, the labels.txt kept with the annotations, whose order numbers the classes "
        "as labelme2voc's --labels does (--classes gives another table)",
        "labelme rules: labelme 7.9.1's, the default (--labelme-rules 6 draws as labelme 6.3.1)",
        "error: s3://locked/voc/class_names.txt: cannot write (Access Denied)",
    ]


# --------------------------------------------------------------------------------------------
# the storage layer on fsspec's memory file system


def test_memory_urls_read_list_and_write_whole() -> None:
    with atomic_writes() as stage:
        stage("memory://bucket/x/a.png").write_bytes(b"one")
        stage("memory://bucket/x/sub/b.PNG").write_bytes(b"two")
        stage("memory://bucket/x/c.txt").write_bytes(b"three")
    assert read_bytes("memory://bucket/x/a.png") == b"one"
    assert [p.name for p in list_files("memory://bucket/x", (".png",), recursive=True)] == ["a.png", "b.PNG"]
    assert [p.name for p in list_files("memory://bucket/x", (".png",))] == ["a.png"]
    with pytest.raises(LabeltoolsError, match="memory://bucket/x/none.png: no such file"):
        read_bytes("memory://bucket/x/none.png")
    with pytest.raises(ZeroDivisionError), atomic_writes() as stage:
        stage("memory://bucket/x/a.png").write_bytes(b"half")
        1 / 0
    assert read_bytes("memory://bucket/x/a.png") == b"one"  # nothing was uploaded


def test_label_files_round_trip_through_memory() -> None:
    label = np.arange(12, dtype=np.uint8).reshape(3, 4)
    write_label("memory://labels/a.png", label)
    assert (read_label("memory://labels/a.png") == label).all()
    assert location("file:///tmp/x") == Path("/tmp/x") and isinstance(location("/tmp/x"), Path)


def test_memory_outputs_written_in_worker_processes_fail_in_words_not_vanish() -> None:
    import fsspec

    memory = fsspec.filesystem("memory")
    args = (SAMPLE_DIR, "--labels", sample_labels_path())
    result = cli("convert", *args, "memory://lost/voc", "-j", "2")  # forked workers: their memory is their own
    assert result.exit_code == 1
    text = " ".join(result.stderr.split())
    assert "failed: memory://lost/voc/JPEGImages/street_01.jpg: memory:// lives in one process, and this file is written in a worker process, where it would be lost: run with --jobs 1" in text
    assert "converted 0, failed 8" in text
    result = cli("convert", *args, "memory://kept/voc", "-j", "1")
    assert result.exit_code == 0, result.output
    assert len(memory.find("/kept/voc/SegmentationClass")) == 8


def test_an_unknown_protocol_is_one_line() -> None:
    with pytest.raises(LabeltoolsError, match="^nosuchprotocol://x/y: Unsupported filesystem: 'nosuchprotocol'"):
        read_bytes("nosuchprotocol://x/y")
    result = cli("stats", "nosuchprotocol://x/y")
    assert result.exit_code == 1 and result.stderr.startswith("error: nosuchprotocol://x/y: ")


@pytest.mark.parametrize(
    "command",
    [
        ("check", "{root}", "--json", "{out}/check.json"),
        ("stats", "{root}", "--json", "{out}/stats.json"),
        ("split", "{root}", "--stratify", "--json", "{out}/split.json"),
        ("remap", "{root}/SegmentationClass/street_01.png", "--index-map", "1:2,2:1", "-o", "{dest}/remapped"),
        ("colorize", "{root}/SegmentationClass/street_02.png", "--gray", "-o", "{dest}/gray"),
        ("excel", "{root}/SegmentationClass/street_03.png", "-o", "{dest}/street_03.xlsx", "--step", "4"),
        # a folder, and a pattern no shell expands for a URL
        ("colorize", "{root}/SegmentationClass", "-o", "{dest}/folder"),
        ("remap", "{root}/SegmentationClass/street_0[45].png", "--index-map", "1:2,2:1", "-o", "{dest}/pattern"),
    ],
    ids=lambda c: " ".join(c[:2]).replace("{root}/", ""),
)
def test_every_other_command_reads_and_writes_s3(s3: Any, reference: Path, tmp_path: Path, command: tuple[str, ...]) -> None:
    import shutil

    local_root = tmp_path / "voc"
    shutil.copytree(reference, local_root)  # split rewrites its dataset's split files
    case = f"{command[0]}-{zlib.crc32(' '.join(command).encode()):08x}"  # a bucket folder of its own
    s3.put(f"{reference}/", f"out/d-{case}/", recursive=True)
    outputs = {}
    for where, root, dest in (("local", str(local_root), str(tmp_path / "dest")), ("s3", f"s3://out/d-{case}", f"s3://out/e-{case}")):
        out = tmp_path / where
        out.mkdir()
        result = cli(*(a.format(root=root, out=out, dest=dest) for a in command), "-j", "1")
        assert result.exit_code == 0, result.output
        files = {name: data.replace(root.encode(), b"ROOT") for name, data in local_tree(out).items()}
        written = local_tree(tmp_path / "dest") if where == "local" else s3_tree(s3, f"out/e-{case}")
        outputs[where] = (files, {n: len(d) > 0 for n, d in written.items()})  # tables fold paths by length
    assert outputs["s3"] == outputs["local"]
    expanded = {"SegmentationClass": 8, "SegmentationClass/street_0[45].png": 2}.get(command[1].replace("{root}/", ""))
    if expanded is not None:
        assert len(outputs["s3"][1]) == expanded
    if command[0] == "split":  # and the split files went back to the bucket
        assert s3.cat_file(f"out/d-{case}/ImageSets/Segmentation/val.txt") == (local_root / "ImageSets/Segmentation/val.txt").read_bytes()


def test_a_url_without_its_package_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "upath", None)  # as if universal-pathlib were not installed
    with pytest.raises(LabeltoolsError, match=r'^s3://bucket/x\.png: reading and writing s3:// needs upath; pip install "labeltools\[s3\]"$'):
        location("s3://bucket/x.png")
    with pytest.raises(LabeltoolsError, match=r'pip install "labeltools\[gcs\]"'):
        location("gs://bucket/x.png")
    with pytest.raises(LabeltoolsError, match=r'^memory://x\.png: reading and writing memory:// needs upath; pip install "labeltools\[storage\]"$'):
        location("memory://x.png")


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("gs://bucket/voc", 'gs:// needs gcsfs; pip install "labeltools[gcs]"'),
        ("az://container/voc", 'az:// needs adlfs; pip install "labeltools[azure]"'),
        ("hf://datasets/someone/voc", "hf:// needs a package that is not installed (Install huggingface_hub to access HfFileSystem)"),
    ],
)
def test_a_store_whose_package_is_missing_is_one_line_naming_it(url: str, words: str) -> None:
    """Where the store's fsspec package is not installed (as in the test environment), every
    command says which, reading or writing, where it gave a traceback."""
    package = {"gs": "gcsfs", "az": "adlfs", "hf": "huggingface_hub"}[url.split(":")[0]]
    if importlib.util.find_spec(package) is not None:
        pytest.skip(f"{package} is installed here")
    for args in (("stats", url), ("check", url), ("colormap", "-o", f"{url}/colours.csv"), ("excel", "--read", f"{url}/grid.xlsx", "-o", "grid.png")):
        result = cli(*args)
        assert result.exit_code == 1, (args, result.output)
        line = result.stderr.strip()
        assert "\n" not in line and line.startswith("error: ") and line.endswith(words), (args, line)
    assert not Path("grid.png").exists()


def test_a_grid_is_read_back_from_a_bucket_into_one(s3: Any, reference: Path) -> None:
    """``excel --read`` of a workbook in a bucket (it said "no such file": openpyxl opens local
    files alone), the label written to the bucket, pixel for pixel as dumped."""
    s3.put(f"{reference}/", "out/grid-voc/", recursive=True)
    label = "s3://out/grid-voc/SegmentationClass/street_03.png"
    result = cli("excel", label, "--crop", "100,50,60,40", "-o", "s3://out/grid/street_03.xlsx")
    assert result.exit_code == 0, result.output
    result = cli("excel", "--read", "s3://out/grid/street_03.xlsx", "-o", "s3://out/grid/back.png")
    assert result.exit_code == 0, result.output
    back = np.asarray(Image.open(io.BytesIO(s3.cat_file("out/grid/back.png"))))
    np.testing.assert_array_equal(back, read_label(reference / "SegmentationClass" / "street_03.png")[50:90, 100:160])
    result = cli("excel", "--read", "s3://out/grid/none.xlsx", "-o", "s3://out/grid/none.png")
    assert result.exit_code == 1 and result.stderr.strip() == "error: s3://out/grid/none.xlsx: no such file"


def test_export_reads_and_writes_s3(s3: Any, tmp_path: Path) -> None:
    for to, extra in (("coco", []), ("yolo-seg", [])):  # images placed beside: relative names
        args = ("--to", to, "--labels", sample_labels_path(), *extra)
        assert cli("export", SAMPLE_DIR, "-d", tmp_path / to, *args, "-j", "1").exit_code == 0
        result = cli("export", "s3://src/sample", "-d", f"s3://out/export-{to}", *args, "-j", "2")
        assert result.exit_code == 0, result.output
        assert s3_tree(s3, f"out/export-{to}") == local_tree(tmp_path / to)


def test_a_semantic_export_reads_a_dataset_on_s3_and_writes_there_the_local_bytes(s3: Any, reference: Path, tmp_path: Path) -> None:
    """--to yolo-semantic of a VOC dataset on S3, into S3: the files of the local export (its
    masks and images written where a store cannot link them), and a store's folder of masks
    is named by its data.yaml as a local one is."""
    s3.put(f"{reference}/", "out/sem-src/voc/", recursive=True)
    assert cli("export", reference, "--to", "yolo-semantic", "-d", tmp_path / "sem", "-j", "1").exit_code == 0
    result = cli("export", "s3://out/sem-src/voc", "--to", "yolo-semantic", "-d", "s3://out/sem", "-j", "2")
    assert result.exit_code == 0, result.output
    assert s3_tree(s3, "out/sem") == local_tree(tmp_path / "sem")
    s3.rm("out/sem/class_names.txt")
    result = cli("stats", "s3://out/sem/masks/train", "--json", tmp_path / "s.json")
    assert result.exit_code == 0, result.output
    assert [c["name"] for c in json.loads((tmp_path / "s.json").read_text())["classes"]] == (reference / "class_names.txt").read_text().splitlines()


def test_report_and_diff_read_s3_and_the_report_goes_to_s3(s3: Any, reference: Path, tmp_path: Path) -> None:
    s3.put(f"{reference}/", "out/r/voc/", recursive=True)  # named as the local folder: the page is titled by it
    pages = {}
    for where, root, page in (("local", str(reference), str(tmp_path / "r.html")), ("s3", "s3://out/r/voc", "s3://out/r/report.html")):
        result = cli("report", root, "-o", page, "--compare", root, "-j", "2")
        assert result.exit_code == 0, result.output
        text = (tmp_path / "r.html").read_text() if where == "local" else s3.cat_file("out/r/report.html").decode()
        pages[where] = text.replace(root, "ROOT")
        result = cli("diff", root, root, "--json", tmp_path / f"{where}.json", "-j", "2")
        assert result.exit_code == 0, result.output
    assert pages["s3"] == pages["local"] and 'id="img-street_01"' in pages["s3"]
    local, remote = (json.loads((tmp_path / f"{w}.json").read_text()) for w in ("local", "s3"))
    assert {k: v for k, v in remote.items() if k not in ("old", "new")} == {k: v for k, v in local.items() if k not in ("old", "new")}
    assert remote["files"] == 8 and remote["changed_pixels"] == 0


def test_resume_and_overwrite_on_s3_keep_the_recorded_class_table(s3: Any) -> None:
    args = ("convert", "s3://src/sample", "s3://out/recorded", "-j", "1")
    assert cli(*args, "-c", "s3://src/sample/labels.txt").exit_code == 0
    names = s3.cat_file("out/recorded/class_names.txt")
    resume = cli(*args, "--resume")
    assert resume.exit_code == 0 and "converted 0, skipped 8" in resume.stderr
    assert "classes: 9, the class table recorded in s3://out/recorded/class_names.txt" in " ".join(resume.stderr.split())
    assert cli(*args, "--overwrite").exit_code == 0
    s3.invalidate_cache()
    assert s3.cat_file("out/recorded/class_names.txt") == names


def test_a_report_on_s3_names_its_url_as_given(s3: Any) -> None:
    assert cli("convert", "s3://src/sample", "s3://out/for-report", "-j", "1").exit_code == 0
    result = cli("report", "s3://out/for-report", "-o", "s3://out/report.html", "-j", "1", "--json", "-")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["output"] == "s3://out/report.html"
    assert "wrote s3://out/report.html" in result.stderr and "s3:/out" not in result.stderr
    s3.invalidate_cache()
    assert s3.cat_file("out/report.html").lstrip().lower().startswith(b"<!doctype html")


def test_credentials_in_a_url_are_refused_and_never_shown(s3: Any) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "labeltools", "stats", "s3://AKIAEXAMPLEKEY:VerySecret42@src/sample", "--json", "-"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1
    shown = done.stdout + done.stderr
    assert "VerySecret42" not in shown and "AKIAEXAMPLEKEY" not in shown.upper()
    assert done.stderr.splitlines() == [
        "error: s3://***@src/sample: credentials in a URL are never used (they would show in logs and "
        "process lists); give them to the store's own configuration instead (AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ~/.config/fsspec/conf.json, ...)"
    ]


def test_a_bucket_name_the_store_refuses_is_one_line(s3: Any) -> None:
    done = subprocess.run([sys.executable, "-m", "labeltools", "stats", "s3://bad!bucket/voc"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith('error: storage: ParamValidationError: Parameter validation failed: Invalid bucket name "bad!bucket"')


def test_verbose_is_ours_not_every_librarys_debug_output(s3: Any) -> None:
    assert cli("convert", "s3://src/sample", "s3://out/verbose", "-j", "1").exit_code == 0
    done = subprocess.run([sys.executable, "-m", "labeltools", "-v", "stats", "s3://out/verbose", "-j", "1"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert any(line.startswith("debug: ") for line in done.stderr.splitlines())  # ours
    assert "botocore" not in done.stderr and "testing" not in done.stderr and len(done.stderr) < 5000


def test_convert_every_tools_export_from_s3_writes_the_local_bytes(s3: Any, tmp_path: Path) -> None:
    """Cityscapes, COCO, YOLO, CVAT, Label Studio, Datumaro, ISAT and CVAT segmentation mask
    exports on S3 (each export's images found in the store as beside the local one, a mask
    export's labelmap.txt and ISAT's isat.yaml too) convert to the bytes of the local run."""
    from exports import cityscapes_export, coco_export, cvat_export, isat_export, labelstudio_export, photo, segmentation_mask_export, yolo_dataset

    cityscapes_export(tmp_path / "cs", images=3)
    coco_export(tmp_path / "coco", images=3)
    yolo_dataset(tmp_path / "yolo")
    cvat_export(tmp_path / "cvat", images=3)
    labelstudio_export(tmp_path / "ls", images=3)
    segmentation_mask_export(tmp_path / "segmask")
    isat_export(tmp_path / "isat", images=3)
    (tmp_path / "dm" / "annotations").mkdir(parents=True)
    items = []
    for n in range(2):  # an item without image.size too, as Datumaro writes one it did not load
        photo(tmp_path / "dm" / "images" / "train" / f"d{n}.jpg", 16, 12, seed=n)
        image = {"path": f"d{n}.jpg", **({"size": [12, 16]} if n else {})}
        items.append({"id": f"d{n}", "image": image, "annotations": [{"type": "polygon", "label_id": n, "points": [1, 1, 12, 2, 6, 10]}]})
    (tmp_path / "dm" / "annotations" / "train.json").write_text(
        json.dumps({"dm_format_version": "1.0", "categories": {"label": {"labels": [{"name": "road"}, {"name": "car"}]}}, "items": items})
    )
    for name in ("cs", "coco", "yolo", "cvat", "ls", "dm", "segmask", "isat"):
        s3.put(f"{tmp_path / name}/", f"src/{name}/", recursive=True)
    for name, source in (
        ("cs", "cs/gtFine"), ("coco", "coco/annotations/instances_val.json"), ("yolo", "yolo"), ("cvat", "cvat"), ("ls", "ls"), ("dm", "dm"),
        ("segmask", "segmask"), ("isat", "isat"),
    ):
        local = cli("convert", tmp_path / source, tmp_path / f"{name}-out", "--instances", "-j", "1")
        assert local.exit_code == 0, local.output
        remote = cli("convert", f"s3://src/{source}", f"s3://out/{name}", "--instances", "-j", "2")
        assert remote.exit_code == 0, remote.output
        assert s3_tree(s3, f"out/{name}") == local_tree(tmp_path / f"{name}-out")
        assert len(local_tree(tmp_path / f"{name}-out")) > 10


def test_masks_beside_their_images_convert_from_s3_as_the_local_ones(s3: Any, tmp_path: Path) -> None:
    """A Roboflow mask export (masks beside their images in train/ and valid/), a Kaggle one
    (images/ + masks/ of 0 and 255) and COCO-Stuff's maps given as a folder whose images are
    beside it, on S3: found, paired and converted as the local folders."""
    from exports import photo
    from PIL import Image

    for split in ("train", "valid"):
        folder = tmp_path / "rf" / split
        folder.mkdir(parents=True)
        (folder / "_classes.csv").write_text("Pixel Value, Class\n0, background\n1, cat\n")
        for n in range(2):
            photo(folder / f"{split}{n}_jpg.rf.{n:x}.jpg", 8, 6, seed=n)
            Image.fromarray(np.eye(6, 8, n, dtype=np.uint8)).save(folder / f"{split}{n}_jpg.rf.{n:x}_mask.png")
    for n in range(3):
        photo(tmp_path / "kaggle" / "images" / f"{n}.png", 8, 6, seed=n)
        (tmp_path / "kaggle" / "masks").mkdir(exist_ok=True)
        Image.fromarray(np.eye(6, 8, n, dtype=np.uint8) * 255).save(tmp_path / "kaggle" / "masks" / f"{n}.png")
    for n in range(2):  # COCO-Stuff's maps, named by the images of the folder beside theirs
        photo(tmp_path / "stuff" / "val2017" / f"{n:012d}.jpg", 8, 6, seed=n)
        (tmp_path / "stuff" / "maps" / "val2017").mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.eye(6, 8, n, dtype=np.uint8) * 181).save(tmp_path / "stuff" / "maps" / "val2017" / f"{n:012d}.png")
    (tmp_path / "classes.txt").write_text("background\nlesion\n")
    for name, given, extra in (
        ("rf", "", ()),
        ("kaggle", "", ("-c", str(tmp_path / "classes.txt"), "--index-map", "0:0,255:1")),
        ("stuff", "/maps", ("--from", "masks", "-m", "coco-stuff")),
    ):
        s3.put(f"{tmp_path / name}/", f"src/masks-{name}/", recursive=True)
        local = cli("convert", f"{tmp_path / name}{given}", tmp_path / f"{name}-out", "-j", "1", *extra)
        assert local.exit_code == 0, local.output
        remote = cli("convert", f"s3://src/masks-{name}{given}", f"s3://out/masks-{name}", "-j", "2", *extra)
        assert remote.exit_code == 0, remote.output
        assert s3_tree(s3, f"out/masks-{name}") == local_tree(tmp_path / f"{name}-out")
        first = {"rf": "train0_jpg.rf.0.png", "kaggle": "0.png", "stuff": "000000000000.png"}[name]
        assert (read_label(tmp_path / f"{name}-out" / "SegmentationClass" / first) == np.eye(6, 8, dtype=np.uint8) * (170 if name == "stuff" else 1)).all()


def test_a_bad_mask_on_s3_is_named_by_its_url(s3: Any, tmp_path: Path) -> None:
    """A mask on S3 that failed was named "s3:/src/..." (its URL made a local path, one slash
    lost): it is named by its URL, which opens it."""
    from exports import photo
    from PIL import Image

    folder = tmp_path / "rf" / "train"
    folder.mkdir(parents=True)
    (folder / "_classes.csv").write_text("Pixel Value, Class\n0, background\n1, cat\n")
    for n in range(2):
        photo(folder / f"t{n}_jpg.rf.{n:x}.jpg", 8, 6, seed=n)
        Image.fromarray(np.eye(6, 8, n, dtype=np.uint8) * (5 if n else 1)).save(folder / f"t{n}_jpg.rf.{n:x}_mask.png")
    s3.put(f"{tmp_path / 'rf'}/", "src/bad-mask/", recursive=True)
    result = cli("convert", "s3://src/bad-mask", "s3://out/bad-mask", "-j", "1")
    assert result.exit_code == 1 and "converted 1, failed 1" in result.stderr, result.output
    assert "failed: s3://src/bad-mask/train/t1_jpg.rf.1_mask.png: holds value(s) that are no class" in result.stderr, result.stderr


def test_an_export_zipped_on_s3_converts_as_its_folder(s3: Any, tmp_path: Path) -> None:
    """A CVAT export kept on S3 as the .zip CVAT hands over was "not a .json or .xml file": it is
    read in place, as a local .zip is, to the bytes of the unpacked folder's conversion; one cut
    short is refused naming it."""
    import shutil

    from exports import cvat_export

    cvat_export(tmp_path / "cvat", images=3)
    shutil.make_archive(str(tmp_path / "cvat"), "zip", tmp_path / "cvat")
    s3.put(str(tmp_path / "cvat.zip"), "src/exports/cvat.zip")
    s3.pipe("src/exports/cut.zip", (tmp_path / "cvat.zip").read_bytes()[:300])
    local = cli("convert", tmp_path / "cvat", tmp_path / "local", "-j", "1")
    assert local.exit_code == 0, local.output
    remote = cli("convert", "s3://src/exports/cvat.zip", "s3://out/zipped", "-j", "2")
    assert remote.exit_code == 0 and "converted 3, failed 0" in remote.stderr, remote.output
    assert s3_tree(s3, "out/zipped") == local_tree(tmp_path / "local") and len(local_tree(tmp_path / "local")) > 10
    cut = cli("convert", "s3://src/exports/cut.zip", "s3://out/cut", "-j", "1")
    assert cut.exit_code == 1 and "error: s3://src/exports/cut.zip: not a zip archive (a download cut short?)" in cut.stderr, cut.output


def test_s3_on_a_dask_cluster_writes_the_local_bytes(s3: Any, reference: Path, tmp_path: Path) -> None:
    # The README's cluster example: the data on object storage, the work on Dask workers (other
    # processes, reaching the endpoint through the environment they inherit).
    pytest.importorskip("distributed")
    from labeltools.engine.executor import close_dask_clients

    try:
        result = cli("convert", "s3://src/sample", "s3://out/dask", "--labels", "s3://src/sample/labels.txt", "--instances", "--dask", "local", "-j", "2")
        assert result.exit_code == 0, result.output
        assert s3_tree(s3, "out/dask") == local_tree(reference)
        for where, root in (("local", str(reference)), ("dask", "s3://out/dask")):
            extra = ("--dask", "local", "-j", "2") if where == "dask" else ("-j", "1")
            result = cli("stats", root, "--json", tmp_path / f"{where}.json", *extra)
            assert result.exit_code == 0, result.output
    finally:
        close_dask_clients()
    local, remote = (json.loads((tmp_path / f"{w}.json").read_text()) for w in ("local", "dask"))
    assert remote == local and remote["images"] == 8


def test_ade20k_and_cityscapes_folders_on_s3_read_as_the_local_ones(s3: Any, tmp_path: Path) -> None:
    """A folder of labels with its images beside it (ADE20K's layout) and a Cityscapes gtFine
    folder, from a bucket: check, report and evaluate find the same files and say the same as
    from disk, the images beside the labels and each frame's leftImg8bit image included."""
    from PIL import Image

    from test_cityscapes import _left_images, cityscapes_val
    from test_datasets import AUG_VAL, aug_voc

    local = tmp_path / "data"
    rng = np.random.default_rng(8)
    for folder in ("ade/annotations/validation", "ade/images/validation", "ade/argmax"):
        (local / folder).mkdir(parents=True)
    for k in range(3):
        label = rng.integers(0, 151, (12, 16)).astype(np.uint8)
        Image.fromarray(label).save(local / "ade/annotations/validation" / f"ADE_val_{k:08d}.png")
        Image.fromarray(np.maximum(label.astype(int) - 1, 0).astype(np.uint8)).save(local / "ade/argmax" / f"ADE_val_{k:08d}.png")
        if k < 2:
            Image.fromarray(np.dstack([label] * 3)).save(local / "ade/images/validation" / f"ADE_val_{k:08d}.jpg")
    frames = cityscapes_val(local / "cs")
    _left_images(local / "cs", frames)
    aug_voc(local / "voc")  # VOC's labels and the SBD-augmented set's, and predictions of val alone
    (local / "voc_pred").mkdir()
    for image_id in AUG_VAL:
        (local / "voc_pred" / f"{image_id}.png").write_bytes((local / "voc" / "SegmentationClassAug" / f"{image_id}.png").read_bytes())
    s3.put(f"{local}/", "out/layouts/data/", recursive=True)
    commands = [
        ("check", "{root}/ade/annotations/validation", "-c", "ade20k"),
        ("evaluate", "{root}/ade/annotations/validation", "{root}/ade/argmax", "-c", "ade20k-train", "--gt-classes", "ade20k"),
        ("check", "{root}/cs/gtFine/val"),
        ("evaluate", "{root}/cs/gtFine/val", "{root}/cs/results"),
        ("report", "{root}/ade/annotations/validation", "-c", "ade20k", "-o", "{page}"),
        ("report", "{root}/cs/gtFine/val", "--pred", "{root}/cs/results", "-o", "{page}"),
        ("stats", "{root}/cs/gtFine/val", "-c", "cityscapes-train"),
        ("weights", "{root}/cs/gtFine/val"),
        ("diff", "{root}/cs/gtFine/val", "{root}/cs/gtFine/val"),
        ("check", "{root}/voc"),
        ("weights", "{root}/voc", "--split", "trainaug"),
        ("evaluate", "{root}/voc", "{root}/voc_pred"),
        ("report", "{root}/voc", "--pred", "{root}/voc_pred", "-o", "{page}"),
        ("stats", "{root}/voc/SegmentationClassAug"),
    ]
    told = []
    for command in commands:
        said = {}
        for where, root, page in (("local", str(local), str(tmp_path / "p.html")), ("s3", "s3://out/layouts/data", "s3://out/layouts/p.html")):
            result = cli(*(a.format(root=root, page=page) for a in command), "--json", tmp_path / f"{where}.json", "-j", "1")
            assert result.exit_code in (0, 1), result.output
            summary = (tmp_path / f"{where}.json").read_text().replace(root, "ROOT").replace(page, "PAGE")
            stderr = result.stderr.replace(root, "ROOT").replace(page, "PAGE").replace(str(tmp_path / f"{where}.json"), "JSON")
            said[where] = (result.exit_code, json.loads(summary), " ".join(stderr.split()))
        assert said["s3"] == said["local"], command
        told.append(said["s3"])
    ade_check, _, city_check, city_scores, _, city_report, city_stats, _, city_diff, *voc = told
    voc_check, voc_weights, voc_scores, voc_report, aug_stats = voc
    assert voc_check[:2] == (0, {**voc_check[1], "samples": 5 + 9, "errors": 0, "warnings": 0})
    assert "labels: ROOT/voc/SegmentationClassAug (trainaug.txt's: the SBD-augmented training set)" in voc_weights[2]
    assert voc_weights[1]["num_files"] == 7
    assert voc_scores[1]["images"] == 2 and "ground truth: the labels of ROOT/voc/ImageSets/Segmentation/val.txt" in voc_scores[2]
    assert "predictions: of the 2 id(s) of ROOT/voc/ImageSets/Segmentation/val.txt" in voc_report[2]
    assert "checked, not counted nor drawn" in voc_report[2] and voc_report[1]["errors"] == 0
    assert aug_stats[1]["images"] == 9 and "labels: ROOT/voc/SegmentationClassAug (a folder of 9 label PNG(s), read as --labels-dir)" in aug_stats[2]
    assert len(city_stats[1]["classes"]) == 19 and city_diff[1]["files"] == len(frames) and city_diff[1]["changed_pixels"] == 0
    s3.invalidate_cache()  # the weights went beside gtFine (named for the val split), in the bucket as on disk
    assert s3.cat_file("out/layouts/data/cs/cityscapes_classes_weights_val.npy") == (local / "cs" / "cityscapes_classes_weights_val.npy").read_bytes()
    assert ade_check[0] == 1 and "images: ROOT/ade/images/validation (beside annotations/" in ade_check[2]
    assert [p["kind"] for p in ade_check[1]["problems"]] == ["missing-image"]  # the third label's
    assert city_check[:2] == (0, {**city_check[1], "samples": len(frames), "errors": 0, "warnings": 0})
    assert city_scores[1]["images"] == len(frames) and "ground truth: 7 *_labelIds.png under ROOT/cs/gtFine/val" in city_scores[2]
    assert city_report[1]["images"] == len(frames) and city_report[1]["problems"] == []


def test_sbd_adds_the_augmented_set_to_a_voc_folder_in_a_bucket_as_on_disk(s3: Any, tmp_path: Path) -> None:
    """SBD's release and a VOC 2012 folder in a bucket: labeltools sbd reads the MATLAB files
    and writes the labels and lists there, byte for byte as on disk."""
    from exports import sbd_release, voc_2012

    local = tmp_path / "data"
    sizes = {"a1": (9, 6), "a2": (8, 7), "s1": (9, 6), "s2": (7, 5), "v1": (6, 6)}
    voc_2012(local / "VOC2012", sizes, train=["a1", "a2"], val=["v1"])
    sbd_release(local / "sbd" / "dataset", {i: sizes[i] for i in ("a1", "s1", "s2", "v1")}, train=["a1", "s1"], val=["s2", "v1"])
    s3.put(f"{local}/", "out/sbd/data/", recursive=True)
    before = local_tree(local / "VOC2012")
    for root in (str(local), "s3://out/sbd/data"):
        result = cli("sbd", f"{root}/sbd", f"{root}/VOC2012", "-j", "1")
        assert result.exit_code == 0, result.output
    written = {k: v for k, v in local_tree(local / "VOC2012").items() if k not in before}
    assert sorted(written) == [
        "ImageSets/Segmentation/aug.txt", "ImageSets/Segmentation/trainaug.txt",
        "SegmentationClassAug/a1.png", "SegmentationClassAug/a2.png", "SegmentationClassAug/s1.png", "SegmentationClassAug/s2.png",
    ]  # fmt: skip
    remote = s3_tree(s3, "out/sbd/data/VOC2012")
    assert {k: remote[k] for k in written} == written


def test_a_hub_export_reads_a_dataset_on_s3_and_writes_there_the_local_bytes(s3: Any, reference: Path, tmp_path: Path) -> None:
    s3.put(f"{reference}/", "out/hub-src/voc/", recursive=True)
    assert cli("export", reference, "--to", "hub", "-d", tmp_path / "hub", "-j", "1").exit_code == 0
    result = cli("export", "s3://out/hub-src/voc", "--to", "hub", "-d", "s3://out/hub-export", "-j", "2")
    assert result.exit_code == 0, result.output
    assert s3_tree(s3, "out/hub-export") == local_tree(tmp_path / "hub")


def test_a_hugging_face_dataset_on_s3_converts_to_the_local_bytes(s3: Any, tmp_path: Path) -> None:
    """The repository's Parquet files read from the store (their footers and row groups through
    s3fs), id2label.json beside them; the dataset written there too."""
    from exports import hub_repository

    hub_repository(tmp_path / "hub")
    assert cli("convert", tmp_path / "hub", tmp_path / "local", "-j", "1").exit_code == 0
    s3.put(f"{tmp_path / 'hub'}/", "src/hub/", recursive=True)
    result = cli("convert", "s3://src/hub", "s3://out/hub", "-j", "2")
    assert result.exit_code == 0, result.output
    assert "classes: 3, s3://src/hub/id2label.json" in " ".join(result.stderr.split()), result.output
    assert s3_tree(s3, "out/hub") == local_tree(tmp_path / "local")
    assert cli("weights", tmp_path / "hub", "-j", "1").exit_code == 0  # counted in place, the weights beside it
    weighed = cli("weights", "s3://src/hub", "-j", "2")
    assert weighed.exit_code == 0 and "wrote s3://src/hub/hub_classes_weights.npy" in weighed.stderr, weighed.output
    assert s3.cat("src/hub/hub_classes_weights.npy") == (tmp_path / "hub" / "hub_classes_weights.npy").read_bytes()
    hub_repository(tmp_path / "saved", saved=True)  # save_to_disk's Arrow files, read whole from the store
    assert cli("convert", tmp_path / "saved", tmp_path / "saved-local", "-c", tmp_path / "hub" / "id2label.json", "-j", "1").exit_code == 0
    s3.put(f"{tmp_path / 'saved'}/", "src/saved/", recursive=True)
    result = cli("convert", "s3://src/saved", "s3://out/saved", "-c", tmp_path / "hub" / "id2label.json", "-j", "2")
    assert result.exit_code == 0, result.output
    assert s3_tree(s3, "out/saved") == local_tree(tmp_path / "saved-local")
