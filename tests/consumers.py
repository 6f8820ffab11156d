"""Virtual environments for the consumers of our output whose dependencies are heavy or clash with
a user's install of labeltools (Datumaro pins an older Pillow and brings PyQt5, onnxruntime and
pyarrow). The tests build each once, with the same Python, under the user's cache folder
(``LABELTOOLS_TEST_VENVS`` to move it), and run the consumer there in a subprocess, so the main
tests run on the versions ``pip install .`` gives."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

#: The consumers and what each environment installs.
CONSUMERS = {
    "datumaro": ["datumaro>=1.10"],
}


def _root() -> Path:
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "labeltools-tests"
    return Path(os.environ.get("LABELTOOLS_TEST_VENVS", default))


def consumer_python(name: str) -> Path:
    """The Python of ``name``'s environment, built on first use (one builder at a time, whatever
    the number of test workers). Skips the test when the environment cannot be built locally;
    under ``CI=true`` that is a failure."""
    requirements = CONSUMERS[name]
    key = hashlib.sha256(json.dumps([sys.version, requirements]).encode()).hexdigest()[:12]
    home = _root() / f"{name}-{key}"
    python = home / "bin" / "python"
    ready = home / ".ready"
    home.parent.mkdir(parents=True, exist_ok=True)
    with open(home.parent / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not ready.exists():
            venv.EnvBuilder(with_pip=True, clear=True).create(home)
            done = subprocess.run(
                [str(python), "-m", "pip", "install", "--quiet", *requirements],
                capture_output=True, text=True, timeout=1500,
            )  # fmt: skip
            if done.returncode != 0:
                message = f"cannot build the {name} environment: {done.stderr[-2000:]}"
                if os.environ.get("CI") == "true":
                    pytest.fail(message)
                pytest.skip(message)
            ready.touch()
    return python


def run_in(name: str, code: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` with ``name``'s Python in ``cwd`` (another working folder than ours)."""
    return subprocess.run(
        [str(consumer_python(name)), "-c", code, *args], cwd=cwd, capture_output=True, text=True, timeout=600,
        env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")},
    )  # fmt: skip
