"""``scripts/bench.py`` stays runnable: its smoke run (``--quick``) of every benchmark whose
baseline needs nothing from the package registry. Each benchmark checks, before it times
anything, that our output equals its baseline's (the same label pixels, class weights, scores):
a change of a command's options or meaning that the bench missed stops it there, and no later
benchmark runs. Nothing here looks at a timing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: The benchmarks whose baselines are our own scripts, Pillow, numpy and openpyxl (the others
#: build environments of labelme, labelme2coco, labelme2yolo, Datumaro or cityscapesScripts, or
#: start a Dask cluster).
LOCAL = ["colormap", "excel", "weights", "remap", "evaluate", "stats", "report", "diff", "startup"]


def test_the_local_benchmarks_run_and_their_equality_checks_hold(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench.py"), "--quick", "--json", *LOCAL],
        capture_output=True, text=True, cwd=tmp_path, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout)
    assert sorted({r["benchmark"] for r in results}) == sorted(LOCAL)
    assert all(r["ours"] > 0 and r["baseline"] > 0 for r in results), results
