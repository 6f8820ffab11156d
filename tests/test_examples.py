"""The README and every ``--help`` are tests: each command and snippet in them runs here, as a user
would run it, and must succeed.

README: the ```bash and ```python blocks run in their order in one folder that starts as the
README says (a copy of the bundled sample annotations as ``annotations/``), each block in a
shell of its own (``set -euo pipefail``). ``pip install`` lines are the install the tests run
in: each named extra must exist, and the command after ``&&`` runs. The blocks on object storage
and on a cluster run against an S3 endpoint of moto's server on 127.0.0.1 holding the sample
(its bucket named ``bucket``, as in the README) and a Dask scheduler on 127.0.0.1 that stands in
for ``tcp://scheduler:8786``. The torchvision snippet runs on torchvision's own ``VOCSegmentation``
(from its wheel where torchvision is not installed: see ``consumers.torchvision_voc``), the
mmsegmentation one on mmsegmentation's own ``BaseSegDataset`` in an environment of its own, and
the Datumaro, TensorFlow, FiftyOne, transformers and Hugging Face datasets ones in theirs (see ``consumers.py``).

``--help``: each command's ``Examples:`` lines run in order in a fresh copy of a folder holding
what they name: the sample as ``annotations/`` (and two of its files as ``a.json``, ``b.json``,
its ``labels.txt``), a converted ``dataset``, predictions ``preds/`` (and as ``np.save`` arrays in ``arrays/``), grayscale ``masks/``,
the dataset's labels in colour with red and blue the other way round (as OpenCV writes an RGB array) in ``bgr/``,
Cityscapes-style ``gtFine/`` files and labelIds predictions of them in ``results/``, trainId maps in ``gt/`` and ``pred/``, ADE20K labels as shipped in ``ade/gt/`` (images in ``ade/img/``) and a model's train ids in ``ade/argmax/``, PASCAL VOC 2012 as shipped in ``voc/`` and SBD's
release for it in ``sbd/``, a VOC folder of frames of four videos in ``frames/``, a Kaggle dataset of
images and binary masks in ``kaggle/``, a Hugging Face dataset as downloaded in ``hub/``, and exports of other
annotation tools (see ``exports.py``): ``coco-export/``, ``cvat/`` (and ``cvat-export.zip`` of it) and ``cityscapes/``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import typer
from PIL import Image

from conftest import make_voc
from exports import cityscapes_export, coco_export, cvat_export, hub_repository, isat_export, sbd_release, voc_2012, yolo_dataset
from helpers import scene

from labeltools import ClassTable, read_label, voc_colormap, write_gray_label, write_label
from labeltools.cli import app
from labeltools.jobs.convert import SAMPLE_DIR, sample_labels_path
from labeltools.ops.remap import index_to_rgb

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
EXTRAS = set(PROJECT["optional-dependencies"])
PLACEHOLDER_SCHEDULER = "tcp://scheduler:8786"


@dataclass
class Block:
    language: str
    line: int  # in the README, for messages
    code: str

    @property
    def remote(self) -> bool:
        return "s3://" in self.code or PLACEHOLDER_SCHEDULER in self.code


def readme_blocks() -> list[Block]:
    text = README.read_text()
    blocks = []
    for match in re.finditer(r"^ *```(bash|python)\n(.*?)^ *```", text, re.M | re.S):
        indent = len(match.group(0)) - len(match.group(0).lstrip(" "))
        code = "\n".join(line[indent:] for line in match.group(2).splitlines())
        blocks.append(Block(match.group(1), text[: match.start()].count("\n") + 1, code))
    return blocks


def runnable(script: str) -> str:
    """A bash block as it runs here: ``pip install X && Y`` checks that X's extras exist and runs
    Y; the test command itself (``pytest``) is this run."""
    lines = []
    for line in script.splitlines():
        install = re.match(r"\s*pip install (\S+(?: \S+)*?)(?:\s+&&\s+(.*))?(?:\s+#.*)?$", line)
        if install:
            for extra in re.findall(r"\[([\w,-]+)\]", install.group(1)):
                for name in extra.split(","):
                    assert name in EXTRAS, f"README installs the extra {name!r}, which pyproject.toml lacks"
            line = install.group(2) or ""
        if line.strip() == "pytest":
            continue
        lines.append(line)
    return "\n".join(lines)


def shell_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "LABELTOOLS_DASK"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["COLUMNS"] = "100"
    return {**env, **extra}


def run_bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + script], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )  # fmt: skip


def run_python(block: Block, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str] | None:
    """Run a README snippet; None when it needs a package that is not here (see the module doc)."""
    code = block.code
    if re.search(r"^import .*\btorch\b", code, re.M) and not importable("torch"):
        return None  # torch is no dependency: .ci/run installs it, a Python without its build has none
    consumers = (("datumaro", "import datumaro"), ("tensorflow", "import tensorflow"), ("fiftyone", "import fiftyone"), ("transformers", "from transformers import"), ("datasets", "from datasets import"))
    for consumer, imported in consumers:
        if imported in code:
            from consumers import run_in

            return run_in(consumer, code, cwd)
    if "torchvision" in code and not importable("torchvision"):
        if not importable("torch"):
            return None
        from consumers import torchvision_voc

        env = {**env, "PYTHONPATH": os.pathsep.join(filter(None, [str(torchvision_voc()), env.get("PYTHONPATH")]))}
    if "from mmseg" in code and not importable("mmseg"):
        if not importable("torch"):
            return None  # mmsegmentation's environment shares the test environment's torch
        from consumers import mmseg_modules, run_in

        return run_in("mmsegmentation", code, cwd, path=mmseg_modules())
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def fail_block(block: Block, done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 0, (
        f"README line {block.line} ({block.language} block) exits {done.returncode}\n{block.code}\n"
        f"--- stdout\n{done.stdout[-3000:]}\n--- stderr\n{done.stderr[-3000:]}"
    )


def test_readme_starts_with_the_two_set_up_commands() -> None:
    first, second = readme_blocks()[:2]
    assert first.code.strip() == "pip install . && labeltools demo demo-out"
    assert second.code.strip() == 'pip install -e ".[test]" && pytest'
    ci = (ROOT / ".ci" / "run").read_text()
    assert 'pip install -e ".[test]" && pytest' in ci  # CI runs the second


#: What a copy of the project leaves out: what a build or a test run leaves behind.
_NOT_THE_PROJECT = shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__", ".*cache", ".hypothesis", ".venv", "demo-out")


def oldest_python() -> str | None:
    """An interpreter of the oldest Python the project says it runs on (``requires-python``), on
    the PATH or among pyenv's; None where this machine has none."""
    oldest = re.fullmatch(r">=\s*(\d+\.\d+)", PROJECT["requires-python"].strip())
    assert oldest, PROJECT["requires-python"]
    version = oldest.group(1)
    found = [shutil.which(f"python{version}")]
    if (pyenv := shutil.which("pyenv")) is not None:
        root = subprocess.run([pyenv, "root"], capture_output=True, text=True).stdout.strip()
        found += sorted(str(path) for path in Path(root or "/nonexistent").glob(f"versions/{version}.*/bin/python{version}"))
    for python in filter(None, found):
        ran = subprocess.run([python, "-c", "import sys, venv; print('%d.%d' % sys.version_info[:2])"], capture_output=True, text=True)
        if ran.returncode == 0 and ran.stdout.strip() == version:  # a pyenv shim of a version not chosen fails
            return python
    return None


@pytest.mark.parametrize("which", ["this Python", "the oldest Python supported"])
def test_the_first_set_up_command_in_an_environment_of_its_own(which: str, tmp_path: Path) -> None:
    """The README's first command as a new user runs it: in a new environment holding Python and
    pip alone, from a copy of the project, with no extra and none of the test packages (which
    bring packages of their own: dask brings click, which typer installs no more since 0.26), on
    the Python the tests run on and on the oldest the README promises (Ubuntu 22.04's 3.10),
    where this machine has it. Then every module imports and every command's help shows there,
    and a command that needs an extra names it."""
    base = sys.executable if which == "this Python" else oldest_python()
    if base is None:
        pytest.skip(f"this machine has no Python of the oldest version {PROJECT['requires-python']!r} admits")
    home, project, work = tmp_path / "venv", tmp_path / "labeltools", tmp_path / "work"
    subprocess.run([base, "-m", "venv", str(home)], check=True)
    shutil.copytree(ROOT, project, ignore=_NOT_THE_PROJECT)
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "LABELTOOLS_DASK")}
    env = {**env, "PATH": f"{home / 'bin'}{os.pathsep}{env.get('PATH', '')}", "PIP_DISABLE_PIP_VERSION_CHECK": "1", "COLUMNS": "100"}
    first = readme_blocks()[0]
    done = run_bash(first.code, project, env)
    fail_block(first, done)
    python = str(home / "bin" / "python")  # the new environment's
    # What setuptools deprecates in a project's metadata it stops building (pyproject's license
    # table: on 2027-02-18); a newer pip than the environment's shows its warnings, -v any pip.
    built = subprocess.run(
        [python, "-m", "pip", "wheel", "-v", "--no-deps", "-w", str(tmp_path / "wheel"), "."],
        cwd=project, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert built.returncode == 0 and "deprecat" not in (built.stdout + built.stderr).lower(), built.stdout[-3000:]
    names = [name for name in sample_labels_path().read_text().split() if name != "__ignore__"]
    assert (project / "demo-out" / "class_names.txt").read_text().split() == names
    assert len(list((project / "demo-out" / "SegmentationClass").glob("*.png"))) == 8
    installed = subprocess.run([python, "-m", "pip", "list", "--format=freeze"], env=env, capture_output=True, text=True, check=True).stdout
    assert "pytest==" not in installed and "labelme==" not in installed, installed  # the user's environment, not the tests'
    modules = subprocess.run(
        [python, "-c", "import importlib, pkgutil, labeltools\n"
         "for m in pkgutil.walk_packages(labeltools.__path__, 'labeltools.'):\n"
         "    if not m.name.endswith('__main__'): importlib.import_module(m.name)\n"
         "print(labeltools.__file__)"],
        cwd=work, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert modules.returncode == 0, modules.stderr
    assert modules.stdout.strip().startswith(str(home)), modules.stdout  # the installed copy, not this checkout
    commands = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    assert len(commands) >= 14
    for command in commands:
        shown = subprocess.run([str(home / "bin" / "labeltools"), command, "--help"], cwd=work, env=env, capture_output=True, text=True)
        assert shown.returncode == 0 and "Examples:" in shown.stdout, (command, shown.stderr[-2000:])
    needs = run_bash("labeltools export ../labeltools/demo-out --to coco -d coco-out", work, env)
    assert needs.returncode == 1 and "Traceback" not in needs.stderr, needs.stderr
    assert 'pip install "labeltools[coco]"' in needs.stderr
    assert not (work / "coco-out").exists()


def test_every_local_readme_block_runs_in_order(tmp_path: Path) -> None:
    env = shell_env()
    ran = 0
    for block in readme_blocks():
        if block.remote:
            continue  # test_the_readme_blocks_on_storage_and_a_cluster_run
        if block.language == "bash":
            done = run_bash(runnable(block.code), tmp_path, env)
        else:
            done = run_python(block, tmp_path, env)
            if done is None:
                continue
        fail_block(block, done)
        ran += 1
    assert ran >= 20
    # what the blocks say they write is there
    for path in ("demo-out/class_names.txt", "dataset/SegmentationObject", "dataset2/JPEGImages/monday_street_01.jpg",
                 "summary.json", "coco-out/annotations", "legend.png", "labels/mask.png", "label_fixed.png",
                 "dataset/dataset_classes_weights.npy", "dataset/dataset_classes_weights_median.npy",
                 "scores.xlsx", "report.html", "changes.json", "dataset/pascal_classes_weights.npy",
                 "dataset/SegmentationClassGray"):  # fmt: skip
        assert (tmp_path / path).exists(), path


@pytest.fixture
def cluster_and_bucket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """moto's S3 on 127.0.0.1 with bucket ``bucket`` (the sample as ``annotations/``, its
    ``labels.txt`` and ``predictions/``), and a Dask scheduler with one worker on 127.0.0.1."""
    s3fs = pytest.importorskip("s3fs")
    moto_server = pytest.importorskip("moto.server")
    distributed = pytest.importorskip("distributed")
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    endpoint = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"}  # fmt: skip
    for key, value in endpoint.items():  # the cluster's workers read the objects too
        monkeypatch.setenv(key, value)
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, host="127.0.0.1", dashboard_address=":0")
    try:
        fs = s3fs.S3FileSystem(key="testing", secret="testing", client_kwargs={"endpoint_url": endpoint["AWS_ENDPOINT_URL"]})
        fs.mkdir("bucket")
        fs.put(f"{SAMPLE_DIR}/", "bucket/annotations/", recursive=True)
        fs.put(str(sample_labels_path()), "bucket/labels.txt")
        voc = tmp_path / "reference"
        from labeltools.jobs.convert import convert_labelme

        assert all(r.ok for r in convert_labelme(SAMPLE_DIR, voc, sample_labels_path(), jobs=1))
        for label in sorted((voc / "SegmentationClass").glob("*.png")):
            values = read_label(label)
            write_label(tmp_path / "pred.png", np.where(values == 255, 0, values).astype(np.uint8))
            fs.put(str(tmp_path / "pred.png"), f"bucket/predictions/{label.name}")
        yield endpoint, cluster.scheduler_address
    finally:
        cluster.close()
        server.stop()


def test_the_readme_blocks_on_storage_and_a_cluster_run(tmp_path: Path, cluster_and_bucket: Any) -> None:
    endpoint, scheduler = cluster_and_bucket
    shutil.copytree(SAMPLE_DIR, tmp_path / "annotations")
    env = shell_env(**endpoint)
    remote = [block for block in readme_blocks() if block.remote]
    assert len(remote) == 2
    for block in remote:
        done = run_bash(runnable(block.code).replace(PLACEHOLDER_SCHEDULER, scheduler), tmp_path, env)
        fail_block(block, done)
    assert (tmp_path / "scores.json").is_file()


# --- every --help example ----------------------------------------------------------------------


def help_examples() -> dict[str, list[str]]:
    from typer.main import get_command

    group = get_command(app)
    found = {}
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        text = command.help or ""
        lines = text.split("Examples:", 1)[1].strip().splitlines() if "Examples:" in text else []
        found[name] = [line.strip() for line in lines if line.strip()]
    return found


@pytest.fixture(scope="module")
def help_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder every command's examples start from (see the module doc)."""
    world = tmp_path_factory.mktemp("help-world")
    shutil.copytree(SAMPLE_DIR, world / "annotations")
    from labeltools.jobs.convert import ConvertOptions, convert_labelme

    conversion = convert_labelme(SAMPLE_DIR, world / "dataset", sample_labels_path(), options=ConvertOptions(instances=True), jobs=1)
    assert all(r.ok for r in conversion)
    for name, copy in (("a", "street_01"), ("b", "street_02")):
        shutil.copy(SAMPLE_DIR / f"{copy}.json", world / f"{name}.json")
        shutil.copy(SAMPLE_DIR / f"{copy}.jpg", world / f"{copy}.jpg")
    shutil.copy(sample_labels_path(), world / "labels.txt")
    coco_export(world / "coco-export", images=3)
    cvat_export(world / "cvat", images=3)
    shutil.make_archive(str(world / "cvat-export"), "zip", world / "cvat")  # as CVAT hands it over
    cityscapes_export(world / "cityscapes", images=2)
    isat_export(world / "isat", images=2)
    for folder in ("preds", "arrays", "masks", "gtFine", "gt", "pred"):
        (world / folder).mkdir(parents=True)
    (world / "bgr").mkdir()
    for label in sorted((world / "dataset" / "SegmentationClass").glob("*.png")):
        values = read_label(label)
        write_label(world / "preds" / label.name, np.where(values == 255, 0, values).astype(np.uint8))
        Image.fromarray(voc_colormap(256)[values][..., ::-1].copy()).save(world / "bgr" / label.name)  # as cv2.imwrite writes RGB colours
        np.save(world / "arrays" / f"{label.stem}.npy", np.where(values == 255, 0, values).astype(np.int64))
        write_gray_label(world / "masks" / label.name, values)
    ids = ClassTable.load("cityscapes")
    label_ids = np.array([[7, 7, 26, 26, 0], [8, 8, 26, 17, 18], [11, 21, 23, 24, 33]], np.uint8)
    Image.fromarray(label_ids).save(world / "gtFine" / "x_gtFine_labelIds.png")
    Image.fromarray(index_to_rgb(label_ids, ids)).convert("RGBA").save(world / "gtFine" / "x_gtFine_color.png")
    for split, city in (("train", "aachen"), ("val", "frankfurt")):  # Cityscapes as downloaded: a folder per split and city
        (world / "cs" / "gtFine" / split / city).mkdir(parents=True)
        Image.fromarray(label_ids).save(world / "cs" / "gtFine" / split / city / f"{city}_000000_000019_gtFine_labelIds.png")
    (world / "results").mkdir()
    Image.fromarray(np.where(label_ids == 26, 27, label_ids).astype(np.uint8)).save(world / "results" / "x_leftImg8bit.png")
    train_ids = np.array([[0, 0, 13, 13, 255], [1, 1, 13, 5, 5], [2, 8, 10, 11, 18]], np.uint8)
    write_label(world / "gt" / "x.png", train_ids)
    write_label(world / "pred" / "x.png", np.where(train_ids == 255, 0, train_ids).astype(np.uint8))
    for folder in ("ade/gt", "ade/argmax", "ade/img"):
        (world / folder).mkdir(parents=True)
    shipped = np.array([[0, 1, 1, 3], [2, 2, 150, 0]], np.uint8)  # ADE20K's labels: 0 other
    Image.fromarray(shipped).save(world / "ade" / "gt" / "ADE_val_00000001.png")
    Image.fromarray(scene(2, 4)).save(world / "ade" / "img" / "ADE_val_00000001.jpg")
    Image.fromarray(np.array([[0, 0, 1, 2], [1, 1, 149, 5]], np.uint8)).save(world / "ade" / "argmax" / "ADE_val_00000001.png")
    voc_2012(world / "voc", {"2008_000001": (6, 4), "2008_000002": (5, 4), "2008_000003": (6, 5)}, train=["2008_000001"], val=["2008_000002"])
    sbd_release(world / "sbd", {"2008_000001": (6, 4), "2008_000002": (5, 4), "2008_000003": (6, 5)}, train=["2008_000003"], val=["2008_000001"])
    frames = {f"drive{video}_{frame:06d}": np.full((4, 6), video % 3, np.uint8) for video in range(4) for frame in range(3 + video)}
    make_voc(world / "frames", frames, names=["road", "car", "person"])  # frames of four videos
    for folder in ("kaggle/images", "kaggle/masks"):  # a Kaggle dataset of binary masks saved as 0/255
        (world / folder).mkdir(parents=True)
    for n in range(3):
        Image.fromarray(scene(6, 8)).save(world / "kaggle" / "images" / f"{n:03d}.jpg")
        Image.fromarray(np.where(np.arange(48).reshape(6, 8) % 7 > n, 255, 0).astype(np.uint8)).save(world / "kaggle" / "masks" / f"{n:03d}.png")
    (world / "kaggle" / "classes.txt").write_text("background\nlesion\n")
    yolo_dataset(world / "roads")
    hub_repository(world / "hub", {"train": 2, "validation": 1}, size=(8, 6))  # a Hugging Face dataset as downloaded
    shutil.rmtree(world / "hub-images")  # the files its rows were made of
    converted = run_bash("labeltools convert hub/ hub-voc/", world, shell_env())  # the VOC folder made of it
    assert converted.returncode == 0, converted.stderr
    for n in range(2):  # COCO-Stuff as downloaded: its maps named by COCO's images
        for folder in ("stuff/train2017", "stuff/stuffthingmaps_trainval2017/train2017"):
            (world / folder).mkdir(parents=True, exist_ok=True)
        Image.fromarray(scene(6, 8)).save(world / "stuff" / "train2017" / f"{n + 9:012d}.jpg")
        Image.fromarray(np.where(np.arange(48).reshape(6, 8) % 5 > n, 181, 0).astype(np.uint8)).save(world / "stuff" / "stuffthingmaps_trainval2017" / "train2017" / f"{n + 9:012d}.png")
    return world



def test_every_command_has_examples() -> None:
    examples = help_examples()
    assert examples and all(len(lines) >= 2 for lines in examples.values()), examples


@pytest.mark.parametrize("name", sorted(help_examples()))
def test_the_help_examples_run_in_order(name: str, help_world: Path, tmp_path: Path) -> None:
    world = tmp_path / "world"
    shutil.copytree(help_world, world)
    for line in help_examples()[name]:
        done = run_bash(line, world, shell_env())
        assert done.returncode == 0, f"labeltools {name} --help: {line!r} exits {done.returncode}\n{done.stderr[-3000:]}"
