#!/usr/bin/env python
"""Benchmarks: labeltools against a named baseline, timed alternately in the same run.

Each benchmark builds its own data in a temporary folder, runs our code and the baseline
alternately for several repetitions, and prints one line with both medians and the ratio
(baseline time / our time: above 1 means we are faster). Memory figures are peak resident
sizes of child processes. ``--json`` prints the same as JSON.

    python scripts/bench.py              # every benchmark
    python scripts/bench.py colormap     # one
    python scripts/bench.py --json colormap
    python scripts/bench.py --quick      # small data: a smoke run, no target verdicts
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: The environment of every timed process: as on a user's machine, Python keeps the bytecode of
#: what it imports (pip compiles an installed package; an editable one is compiled on its first
#: run), so no process pays for compiling labeltools, or anything else, from source.
PROCESS_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


@dataclass
class Result:
    benchmark: str
    case: str
    ours: float
    baseline: float
    unit: str = "s"
    baseline_name: str = ""
    target: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float:
        """How many times better we are (baseline / ours)."""
        return self.baseline / self.ours if self.ours else float("inf")

    def line(self, verdict: bool = True) -> str:
        """One line: both figures and the ratio, with the target verdict unless ``verdict`` is
        False (``--quick`` data is too small for one)."""
        judged = ""
        if verdict and self.target is not None:
            judged = "  ok" if self.ratio >= self.target else f"  BELOW TARGET {self.target:g}x"
        return (
            f"{self.benchmark:<10} {self.case:<34} ours {self.ours:10.4f} {self.unit:<4} "
            f"baseline ({self.baseline_name}) {self.baseline:10.4f} {self.unit:<4} "
            f"ratio {self.ratio:6.2f}x{judged}" + (f"  ({self.note})" if self.note else "")
        )


def timeit_alternating(
    ours: Callable[[], object], baseline: Callable[[], object], repeats: int = 5, warmup: int = 1
) -> tuple[float, float]:
    """Median wall time of ``ours`` and ``baseline``, run alternately ``repeats`` times each.
    Written data is flushed to disk before each timed run (untimed), so neither side pays for
    the other's write-back: a tool that writes hundreds of megabytes otherwise times anywhere
    between its own cost and that plus the disk's backlog."""
    for _ in range(warmup):
        ours()
        baseline()
    ours_t, base_t = [], []
    for _ in range(repeats):
        for fn, sink in ((ours, ours_t), (baseline, base_t)):
            os.sync()
            start = time.perf_counter()
            fn()
            sink.append(time.perf_counter() - start)
    return statistics.median(ours_t), statistics.median(base_t)


def jobs_timings(
    benchmark: str,
    case: str,
    ours: Callable[[int], Any],
    check: Callable[[Any], Any],
    baseline: Callable[[], object],
    baseline_name: str,
    repeats: int,
) -> list[Result]:
    """``ours(jobs)`` against ``baseline`` for ``--jobs 1`` and ``--jobs 2`` (targets 1.2x and
    2x), after ``check`` has accepted what ``ours`` gives with each."""
    results = []
    for jobs, target in ((1, 1.2), (2, 2.0)):
        assert check(ours(jobs)), f"{benchmark} with --jobs {jobs} disagrees with the baseline"
        ours_t, base_t = timeit_alternating(lambda: ours(jobs), baseline, repeats=repeats)
        results.append(
            Result(benchmark, f"{case}, --jobs {jobs}", ours_t, base_t, baseline_name=baseline_name, target=target)
        )
    return results


CHILD_PREAMBLE = "import sys\nsys.path.insert(0, 'scripts')\n"
"""Starts every child's code: ``import bench`` then works. The child runs in ROOT, which
``python -c`` puts on ``sys.path``, so ``labeltools`` imports as it is."""


def run_child(code: str, env: dict[str, str] | None = None) -> str:
    """Run ``code`` in a fresh Python process in ROOT, with ``env`` added to the environment,
    and return its stdout (a failure raises ``CalledProcessError``)."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD_PREAMBLE + code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**PROCESS_ENV, **(env or {})},
    )
    return done.stdout


def peak_memory_mib(code: str) -> float:
    """Run ``code`` in a fresh Python process and return its peak resident size in MiB.

    The figure is the larger of the process's own peak and that of its largest child (worker
    processes), as reported by ``getrusage``. The process's own peak is read from ``VmHWM`` in
    ``/proc/self/status`` where there is one: Linux carries ``ru_maxrss`` over ``exec``, so
    ``getrusage`` would report at least the size of this (benchmarking) process.
    """
    probe = (
        "\nimport resource\n"
        "own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n"
        "    with open('/proc/self/status') as status:\n"
        "        own = next(int(ln.split()[1]) for ln in status if ln.startswith('VmHWM:'))\n"
        "except (OSError, StopIteration):\n"
        "    pass\n"
        "print('PEAK', max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
    )
    line = [ln for ln in run_child(code + probe).splitlines() if ln.startswith("PEAK ")][-1]
    return int(line.split()[1]) / 1024  # ru_maxrss is in KiB on Linux


def labeltools_process(*args: object, cwd: Path = ROOT) -> Callable[[], object]:
    """A whole ``labeltools`` command, startup included, as a user runs it (``cwd``: the folder
    holding the package to run, for an earlier revision's copy)."""
    command = [sys.executable, "-m", "labeltools", *map(str, args)]
    return lambda: subprocess.run(
        command, check=True, cwd=cwd, env=PROCESS_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def script_process(workdir: Path, name: str, source: str, *args: object) -> Callable[[], object]:
    """A whole run of the baseline script ``source`` (saved as ``workdir/name``), startup included."""
    path = workdir / name
    path.write_text(source)
    command = [sys.executable, str(path), *map(str, args)]
    env = {**PROCESS_ENV, "QT_QPA_PLATFORM": "offscreen"}
    return lambda: subprocess.run(command, check=True, cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def fresh_folder(workdir: Path, stem: str) -> Callable[[], Path]:
    """A new, not yet existing folder under ``workdir`` at each call."""
    runs = itertools.count()
    return lambda: workdir / f"{stem}{next(runs)}"


# --- colormap -------------------------------------------------------------------------------


def bitget_colormap(n: int) -> np.ndarray:
    """The well-known per-entry loop (``bitget`` snippet) the VOC devkit and many repos copy."""

    def bitget(byteval: int, idx: int) -> int:
        return (byteval & (1 << idx)) != 0

    cmap = np.zeros((n, 3), dtype=np.uint8)
    for i in range(n):
        r = g = b = 0
        c = i
        for j in range(8):
            r = r | (bitget(c, 0) << 7 - j)
            g = g | (bitget(c, 1) << 7 - j)
            b = b | (bitget(c, 2) << 7 - j)
            c = c >> 3
        cmap[i] = np.array([r, g, b])
    return cmap


def bench_colormap(workdir: Path, quick: bool) -> list[Result]:
    from labeltools.core.colormap import _colormap

    results = []
    for n in (256, 65536) if not quick else (256,):
        assert (_colormap.__wrapped__(n) == bitget_colormap(n)).all()
        # Uncached: the cache would make ours free after the first call.
        ours, base = timeit_alternating(
            lambda: _colormap.__wrapped__(n), lambda: bitget_colormap(n), repeats=3 if n > 256 else 7
        )
        results.append(Result("colormap", f"n={n} (uncached)", ours, base, baseline_name="bitget loop"))
    return results


# --- excel ----------------------------------------------------------------------------------


def synthetic_label(height: int, width: int, rng: np.random.Generator | int = 0) -> np.ndarray:
    """A VOC-like label map: background, a few ellipse and polygon blobs of several classes,
    each with a 255 (void) rim, as VOC2012's boundaries."""
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(rng)
    canvas = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(canvas)
    for _ in range(rng.integers(2, 7)):
        cls = int(rng.integers(1, 21))
        cx, cy = rng.integers(0, width), rng.integers(0, height)
        rx, ry = rng.integers(20, max(21, width // 3)), rng.integers(20, max(21, height // 3))
        if rng.random() < 0.5:
            draw.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=cls, outline=255, width=4)
        else:
            angles = np.sort(rng.uniform(0, 2 * np.pi, rng.integers(4, 9)))
            radii = rng.uniform(0.5, 1.0, len(angles))
            xs, ys = cx + rx * radii * np.cos(angles), cy + ry * radii * np.sin(angles)
            draw.polygon([(float(x), float(y)) for x, y in zip(xs, ys)], fill=cls, outline=255, width=4)
    return np.asarray(canvas)


def openpyxl_plain_dump(label: np.ndarray, path: Path) -> None:
    """What people write by hand: a default workbook, one append per image row, save."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in label.tolist():
        ws.append(row)
    wb.save(path)


def excel_timings(workdir: Path, quick: bool, tag: str = "") -> list[Result]:
    """Coloured and plain dumps of a 500x375 label against the plain openpyxl loop."""
    from labeltools.formats.excel import excel_to_label, label_to_excel

    label = synthetic_label(375, 500)
    ours_path, base_path = workdir / "ours.xlsx", workdir / "plain.xlsx"
    label_to_excel(label, ours_path)
    assert (excel_to_label(ours_path) == label).all()
    results = []
    for case, fill, target in (("500x375 coloured", True, 1.5), ("500x375 --no-fill", False, 2.0)):
        ours, base = timeit_alternating(
            lambda: label_to_excel(label, ours_path, fill=fill),
            lambda: openpyxl_plain_dump(label, base_path),
            repeats=2 if quick else 5,
        )
        results.append(
            Result("excel", case + tag, ours, base, baseline_name="openpyxl append loop", target=target)
        )
    return results


def bench_excel(workdir: Path, quick: bool) -> list[Result]:
    import openpyxl

    results = excel_timings(workdir, quick, "" if openpyxl.LXML else " (no lxml)")
    if openpyxl.LXML:  # the same without lxml, in a child where openpyxl falls back to the stdlib
        child = (
            "import json, pathlib, dataclasses\n"
            "import bench\n"
            f"rs = bench.excel_timings(pathlib.Path({str(workdir)!r}), {quick!r}, ' (no lxml)')\n"
            "print(json.dumps([dataclasses.asdict(r) for r in rs]))\n"
        )
        stdout = run_child(child, env={"OPENPYXL_LXML": "False"})
        results += [Result(**r) for r in json.loads(stdout.splitlines()[-1])]
    height, width = (256, 512) if quick else (1024, 2048)
    np.save(workdir / "big.npy", synthetic_label(height, width))  # children only load it
    make = (
        "import pathlib\nimport numpy as np\nimport bench\n"
        f"label = np.load({str(workdir / 'big.npy')!r})\n"
        f"out = pathlib.Path({str(workdir / 'big.xlsx')!r})\n"
    )
    ours = peak_memory_mib(make + "from labeltools.formats.excel import label_to_excel\nlabel_to_excel(label, out)\n")
    base = peak_memory_mib(make + "bench.openpyxl_plain_dump(label, out)\n")
    results.append(
        Result("excel", f"{width}x{height} peak memory", ours, base, unit="MiB",
               baseline_name="openpyxl append loop", target=5.0)  # fmt: skip
    )
    return results


# --- weights --------------------------------------------------------------------------------


def make_label_files(folder: Path, count: int, seed: int = 0, size: tuple[int, int] = (500, 375)) -> list[Path]:
    """``count`` VOC-like label PNGs (``size`` = width, height): background, a few blobs of
    several classes, 255 boundaries around them, written with ``write_label``."""
    from labeltools.formats.labels import write_label

    rng = np.random.default_rng(seed)
    width, height = size
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"{i:06d}.png"
        write_label(path, synthetic_label(height, width, rng))
        paths.append(path)
    return paths


#: The sequential script a user writes without labeltools: Pillow, np.bincount, ENet weights.
WEIGHTS_SCRIPT = """\
import sys
from pathlib import Path

import numpy as np
from PIL import Image

folder, num_classes, out = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
total = np.zeros(256, dtype=np.int64)
for path in sorted(folder.glob("*.png")):
    with Image.open(path) as image:
        total += np.bincount(np.asarray(image).ravel(), minlength=256)
counts = total[:num_classes]
frequencies = counts / counts.sum()
np.save(out, 1 / np.log(1.02 + frequencies))
"""


def bench_weights(workdir: Path, quick: bool) -> list[Result]:
    count = 100 if quick else 600
    folder = workdir / "labels"
    make_label_files(folder, count)
    ours = labeltools_process("weights", "--labels-dir", folder, "-n", 21, "-o", workdir / "ours.npy", "--jobs", 2)
    baseline = script_process(workdir, "weights_loop.py", WEIGHTS_SCRIPT, folder, 21, workdir / "loop.npy")
    ours()
    baseline()
    np.testing.assert_allclose(np.load(workdir / "ours.npy"), np.load(workdir / "loop.npy"))
    ours_t, base_t = timeit_alternating(ours, baseline, repeats=3 if quick else 7)
    results = [Result(
        "weights", f"{count} labels 500x375, --jobs 2, whole process", ours_t, base_t,
        baseline_name="Pillow+bincount script", target=1.8,
    )]  # fmt: skip
    # Memory: the same files listed repeatedly stand for a larger dataset (generating 5,000
    # PNGs would dominate the run); what is measured is the counting pass, not the disk.
    small, large = (count, 10 * count)
    probe = (
        "from pathlib import Path\n"
        "from labeltools.jobs.weights import count_label_files\n"
        "paths = sorted(Path({folder!r}).glob('*.png'))\n"
        "paths = (paths * ({n} // len(paths) + 1))[:{n}]\n"
        "count_label_files(paths, 21, jobs=2)\n"
    )
    folder = str(workdir / "labels")
    peaks = {n: peak_memory_mib(probe.format(folder=folder, n=n)) for n in (small, large)}
    results.append(
        Result(
            "weights",
            f"peak RSS {large} vs {small} files (x{large // count} reuse)",
            peaks[large],
            peaks[small],
            unit="MiB",
            baseline_name=f"{small} files",
            target=0.9,
        )
    )
    return results


# --- remap ----------------------------------------------------------------------------------


def remap_bench_mask(
    height: int, width: int, num_colors: int = 34, unknown: float = 0.01, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A colour mask of ``num_colors`` class colours in blocky regions plus ``unknown`` random
    pixels in colours outside the table; returns ``(rgb, colours, expected label)``."""
    from labeltools.core.colormap import voc_colormap

    rng = np.random.default_rng(seed)
    colors = voc_colormap(num_colors)
    blocks = rng.integers(0, num_colors, (height // 16 + 1, width // 16 + 1))
    label = np.repeat(np.repeat(blocks, 16, axis=0), 16, axis=1)[:height, :width].astype(np.uint8)
    rgb = colors[label]
    noise = rng.random((height, width)) < unknown
    # Colours with blue 1 or 2 are never in the VOC colormap (its channels are multiples of 32).
    random_colors = rng.integers(0, 256, (int(noise.sum()), 3), dtype=np.uint8)
    random_colors[:, 2] = rng.integers(1, 3, len(random_colors))
    rgb[noise] = random_colors
    label[noise] = 255
    return rgb, colors, label


#: The per-class loop a user writes without labeltools (pytorch-deeplab-xception's
#: ``encode_segmap``, mmsegmentation's converters): one ``np.all`` pass per class colour.
REMAP_SCRIPT = """\
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

table = json.loads(Path(sys.argv[1]).read_text())  # [[r, g, b], train id] per class
out = Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
for name in sys.argv[3:]:
    mask = np.asarray(Image.open(name).convert("RGB")).astype(int)
    label = np.full(mask.shape[:2], 255, dtype=np.uint8)
    for color, train_id in table:
        label[np.where(np.all(mask == color, axis=-1))] = train_id
    Image.fromarray(label).save(out / Path(name).name)
"""


def cityscapes_frames(folder: Path, count: int, height: int, width: int) -> tuple[list[Path], list[tuple[list[int], int]]]:
    """``count`` Cityscapes colour frames (the 19 train classes in blocks, black void, 1% of
    pixels in colours outside the table) and the baseline's table of (colour, train id)."""
    from PIL import Image

    from labeltools.core.classes import ClassTable

    table = ClassTable.load("cityscapes")
    classes = [(list(e.color), e.target) for e in table if 0 <= e.target < 255]
    colors = np.array([c for c, _ in classes] + [[0, 0, 0]], dtype=np.uint8)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        rng = np.random.default_rng(i)
        blocks = rng.integers(0, len(colors), (height // 16 + 1, width // 16 + 1))
        index = np.repeat(np.repeat(blocks, 16, axis=0), 16, axis=1)[:height, :width]
        rgb = colors[index]
        noise = rng.random((height, width)) < 0.01
        unknown = rng.integers(0, 256, (int(noise.sum()), 3), dtype=np.uint8)
        unknown[:, 2] = rng.integers(1, 3, len(unknown))  # no Cityscapes colour has blue 1 or 2
        rgb[noise] = unknown
        path = folder / f"frame_{i:02d}_gtFine_color.png"
        Image.fromarray(rgb).save(path, compress_level=1)
        paths.append(path)
    return paths, classes


def bench_remap(workdir: Path, quick: bool) -> list[Result]:
    from PIL import Image

    from labeltools.core.classes import ClassTable
    from labeltools.ops.remap import rgb_to_index, rgb_to_index_with_report

    height, width = (256, 512) if quick else (1024, 2048)
    count = 4 if quick else 12
    frames, classes = cityscapes_frames(workdir / "frames", count, height, width)
    (workdir / "table.json").write_text(json.dumps(classes))
    ours = labeltools_process("remap", *frames, "-c", "cityscapes-train", "-d", workdir / "ours", "--jobs", 1)
    baseline = script_process(workdir, "remap_loop.py", REMAP_SCRIPT, workdir / "table.json", workdir / "loop", *frames)
    ours()
    baseline()
    for frame in frames:
        ours_name = frame.name.replace("_color", "_labelTrainIds")  # train ids named as cityscapesScripts names them
        with Image.open(workdir / "ours" / ours_name) as a, Image.open(workdir / "loop" / frame.name) as b:
            assert (np.asarray(a) == np.asarray(b)).all(), frame.name
    ours_t, base_t = timeit_alternating(ours, baseline, repeats=1 if quick else 3)
    results = [Result(
        "remap", f"{count} Cityscapes frames {width}x{height}, --jobs 1, whole process", ours_t, base_t,
        baseline_name="per-class np.all loop script", target=20,
    )]  # fmt: skip

    rgb, colors, expected = remap_bench_mask(height, width)
    table = ClassTable.from_names([f"class{i}" for i in range(len(colors))])
    assert (rgb_to_index(rgb, table) == expected).all()
    floor_lut = np.arange(256, dtype=np.uint8)[::-1].copy()
    floor_input = np.random.default_rng(1).integers(0, 256, (height, width), dtype=np.uint8)
    for name, func in (
        ("rgb_to_index", lambda: rgb_to_index(rgb, table)),
        ("with report", lambda: rgb_to_index_with_report(rgb, table)),
    ):
        ours_t, floor_t = timeit_alternating(func, lambda: floor_lut[floor_input], repeats=21)
        results.append(
            Result(
                "remap",
                f"{name} vs the memory floor",
                ours_t,
                floor_t,
                baseline_name="uint8 LUT pass, same pixels",
                target=1 / 3,
                note=f"ours takes {ours_t / floor_t:.2f}x the floor; target <= 3x",
            )
        )
    return results


# --- evaluate, stats ------------------------------------------------------------------------

EVAL_CLASSES = 21


def make_label_pairs(workdir: Path, count: int) -> list[tuple[str, str]]:
    """``count`` ground-truth labels (:func:`make_label_files`) and predictions made from them
    as a model errs: shifted a few pixels, void filled with background, a fifth of the classes
    confused with another."""
    from labeltools.formats.labels import read_label, write_label

    rng = np.random.default_rng(1)
    gt_paths = make_label_files(workdir / "gt", count)
    (workdir / "pred").mkdir()
    pairs = []
    for path in gt_paths:
        gt = read_label(path)
        confuse = np.arange(256, dtype=np.uint8)
        swapped = rng.random(EVAL_CLASSES) < 0.2
        confuse[:EVAL_CLASSES][swapped] = rng.integers(0, EVAL_CLASSES, int(swapped.sum()))
        confuse[255] = 0
        pred = np.roll(confuse[gt], tuple(rng.integers(-4, 5, 2)), axis=(0, 1))
        target = workdir / "pred" / path.name
        write_label(target, pred)
        pairs.append((str(path), str(target)))
    return pairs


def bincount_confusion(pairs: list[tuple[str, str]], num_classes: int) -> np.ndarray:
    """The usual loop: decode both PNGs with Pillow, mask, ``np.bincount`` (deeplab's Evaluator)."""
    from PIL import Image

    n = num_classes
    matrix = np.zeros((n, n), np.int64)
    for gt_path, pred_path in pairs:
        gt = np.asarray(Image.open(gt_path))
        pred = np.asarray(Image.open(pred_path))
        mask = (gt >= 0) & (gt < n)
        matrix += np.bincount(n * gt[mask].astype(int) + pred[mask], minlength=n * n).reshape(n, n)
    return matrix


def bench_evaluate(workdir: Path, quick: bool) -> list[Result]:
    from labeltools.jobs.evaluate import evaluate_pairs
    from labeltools.ops.metrics import ConfusionMatrix

    count = 60 if quick else 500
    pairs = make_label_pairs(workdir, count)

    def ours(jobs: int) -> np.ndarray:
        cm = ConfusionMatrix(EVAL_CLASSES)
        for result in cm.add_results(evaluate_pairs(pairs, EVAL_CLASSES, jobs=jobs)):
            assert result.ok, result.error
        return cm.matrix

    expected = bincount_confusion(pairs, EVAL_CLASSES)
    return jobs_timings(
        "evaluate",
        f"{count} pairs 500x375",
        ours,
        lambda matrix: (matrix == expected).all(),
        lambda: bincount_confusion(pairs, EVAL_CLASSES),
        "Pillow+bincount loop",
        repeats=3 if quick else 5,
    )


#: cityscapesScripts' pixel-level evaluation as its command runs it (the ground truth of
#: $CITYSCAPES_DATASET/gtFine/val, the predictions found under $CITYSCAPES_RESULTS), but for its
#: instance-weighted scores, which call ``np.in1d``: numpy 2.4 removed it, so the command as
#: installed stops at the first image; ours has no instance-weighted scores either.
CITYSCAPES_EVALUATION = """
import sys
from cityscapesscripts.evaluation import evalPixelLevelSemanticLabeling as evaluation
evaluation.args.evalInstLevelScore = False
sys.argv = sys.argv[:1]
evaluation.main()
"""


def bench_cityscapes(workdir: Path, quick: bool) -> list[Result]:
    """``labeltools evaluate gtFine/val results`` against cityscapesScripts' evaluation on as many
    2048x1024 frames of label ids as Cityscapes' val split holds, in three city folders (blocks
    of every id, predictions with a fifth of the blocks changed), whole processes, after
    checking both give the same mIoU. Decoding the PNGs is most of either's time."""
    from PIL import Image

    from labeltools.core.classes import ClassTable

    count = 6 if quick else 500
    ids = np.array([e.index for e in ClassTable.load("cityscapes").classes], dtype=np.uint8)
    root = workdir / "cityscapes-eval"
    results = root / "results"
    results.mkdir(parents=True)
    for i in range(count):
        rng = np.random.default_rng(i)
        city = ("frankfurt", "lindau", "munster")[i % 3]
        folder = root / "gtFine" / "val" / city
        folder.mkdir(parents=True, exist_ok=True)
        blocks = rng.choice(ids, (1024 // 32, 2048 // 32))
        guess = np.where(rng.random(blocks.shape) < 0.2, rng.choice(ids, blocks.shape), blocks)
        frame = f"{city}_{i:06d}_000019"
        for array, path in ((blocks, folder / f"{frame}_gtFine_labelIds.png"), (guess, results / f"{frame}_leftImg8bit.png")):
            Image.fromarray(np.repeat(np.repeat(array, 32, axis=0), 32, axis=1)).save(path, compress_level=1)
    scripts = tool_environment("cityscapesscripts", IMPORT_TOOLS["cityscapesscripts"]) / "python"
    env = {**PROCESS_ENV, "CITYSCAPES_DATASET": str(root), "CITYSCAPES_RESULTS": str(results), "CITYSCAPES_EXPORT_DIR": str(root)}

    def baseline() -> None:
        subprocess.run([str(scripts), "-c", CITYSCAPES_EVALUATION], check=True, cwd=workdir, env=env, stdout=subprocess.DEVNULL)

    def ours() -> None:
        labeltools_process("evaluate", root / "gtFine" / "val", results, "--jobs", 2, "--json", root / "ours.json")()

    ours(), baseline()
    theirs = json.loads((root / "resultPixelLevelSemanticLabeling.json").read_text())["averageScoreClasses"]
    mine = json.loads((root / "ours.json").read_text())["mean_iou"]
    assert abs(theirs - mine) < 1e-12, f"mIoU {mine} against cityscapesScripts' {theirs}"
    ours_t, base_t = timeit_alternating(ours, baseline, repeats=1 if quick else 3)
    return [Result(
        "cityscapes", f"evaluate {count} frames 2048x1024 (labelIds), --jobs 2, whole process", ours_t, base_t,
        baseline_name="cityscapesScripts evalPixelLevelSemanticLabeling", target=2.0,
    )]  # fmt: skip


def bincount_stats(paths: list[Path]) -> tuple[np.ndarray, np.ndarray, dict[tuple[int, int], int]]:
    """The usual loop for dataset statistics: Pillow open, ``np.bincount``, sizes."""
    from PIL import Image

    pixels = np.zeros(256, np.int64)
    images = np.zeros(256, np.int64)
    sizes: dict[tuple[int, int], int] = {}
    for path in paths:
        with Image.open(path) as image:
            counts = np.bincount(np.asarray(image).ravel(), minlength=256)
            sizes[image.size] = sizes.get(image.size, 0) + 1
        pixels += counts
        images += counts > 0
    return pixels, images, sizes


def bench_stats(workdir: Path, quick: bool) -> list[Result]:
    from labeltools.jobs.stats import DatasetStats, stat_label_files

    count = 60 if quick else 500
    paths = make_label_files(workdir / "labels", count)

    def ours(jobs: int) -> DatasetStats:
        stats = DatasetStats()
        for result in stats.add_results(stat_label_files(paths, jobs=jobs)):
            assert result.ok, result.error
        return stats

    pixels, images, sizes = bincount_stats(paths)
    return jobs_timings(
        "stats",
        f"{count} labels 500x375",
        ours,
        lambda stats: (stats.pixels == pixels).all() and (stats.images_with == images).all() and dict(stats.sizes) == sizes,
        lambda: bincount_stats(paths),
        "Pillow+bincount loop",
        repeats=3 if quick else 7,
    )


# --- convert --------------------------------------------------------------------------------

CONVERT_LABELS = ["__ignore__", "_background_", "road", "car", "person", "tree", "pole", "sign"]


SCENE_WIDTH, SCENE_HEIGHT = 500, 375


def _convert_scene(index: int) -> tuple[bytes, list[dict]]:
    """A 500x375 JPEG (gradient, texture, a few objects) and ~6 labelme shapes over it."""
    from PIL import Image, ImageDraw

    width, height = SCENE_WIDTH, SCENE_HEIGHT
    rng = np.random.default_rng(index)
    ys, xs = np.mgrid[0:height, 0:width]
    base = np.stack([xs * 200 // width + 30, ys * 180 // height + 40, (xs + ys) * 120 // (width + height) + 60], -1)
    texture = rng.integers(-12, 12, size=(height // 4 + 1, width // 4 + 1, 1)).repeat(4, 0).repeat(4, 1)
    pixels = np.clip(base + texture[:height, :width], 0, 255).astype(np.uint8)
    image = Image.fromarray(pixels)
    draw = ImageDraw.Draw(image)

    def pt() -> list[float]:
        return [round(float(rng.uniform(0, width)), 2), round(float(rng.uniform(0, height)), 2)]

    shapes = []
    for kind, label in (("polygon", "road"), ("rectangle", "car"), ("polygon", "person"),
                        ("circle", "tree"), ("line", "pole"), ("point", "sign")):
        n = {"polygon": 7, "point": 1}.get(kind, 2)
        points = [pt() for _ in range(n)]
        color = tuple(int(c) for c in rng.integers(0, 255, 3))
        flat = [tuple(p) for p in points]
        if kind == "polygon":
            draw.polygon(flat, fill=color)
        elif kind == "rectangle":
            draw.rectangle([min(flat)[0], min(p[1] for p in flat), max(flat)[0], max(p[1] for p in flat)], fill=color)
        elif kind == "line":
            draw.line(flat, fill=color, width=10)
        else:
            draw.ellipse([flat[0][0] - 20, flat[0][1] - 20, flat[0][0] + 20, flat[0][1] + 20], fill=color)
        shapes.append({"label": label, "points": points, "group_id": None, "description": "",
                       "shape_type": kind, "flags": {}, "mask": None})
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=90)
    return buf.getvalue(), shapes


def _simple(shape: dict) -> dict:
    """The shape with a polygon's points sorted by angle around their centre: a simple polygon,
    as annotators draw them (random points make self-intersecting ones)."""
    if shape["shape_type"] != "polygon":
        return shape
    points = np.array(shape["points"])
    centre = points.mean(axis=0)
    order = np.argsort(np.arctan2(points[:, 1] - centre[1], points[:, 0] - centre[0]))
    return {**shape, "points": points[order].tolist()}


def make_labelme_folder(folder: Path, count: int, distinct: int = 50, simple: bool = False) -> Path:
    """``count`` labelme JSON + JPEG pairs (``distinct`` different scenes, repeated); with
    ``simple``, every polygon is simple (see :func:`_simple`)."""
    folder.mkdir(parents=True, exist_ok=True)
    scenes = [_convert_scene(i) for i in range(min(distinct, count))]
    for i in range(count):
        data, shapes = scenes[i % len(scenes)]
        if simple:
            shapes = [_simple(shape) for shape in shapes]
        (folder / f"img_{i:05d}.jpg").write_bytes(data)
        doc = {"version": "5.5.0", "flags": {}, "shapes": shapes, "imagePath": f"img_{i:05d}.jpg",
               "imageData": None, "imageHeight": SCENE_HEIGHT, "imageWidth": SCENE_WIDTH}
        (folder / f"img_{i:05d}.json").write_text(json.dumps(doc, indent=2))
    (folder / "labels.txt").write_text("\n".join(CONVERT_LABELS) + "\n")
    return folder


#: What labelme 6.3.1's ``examples/instance_segmentation/labelme2voc.py`` does for a semantic
#: dataset (``--noobject --nonpy --noviz``, its leanest run), per file and in order: LabelFile
#: (reads the image), decode, JPEG save through imgviz, ``shapes_to_label``, ``lblsave``.
LABELME2VOC_SCRIPT = """\
import sys
from pathlib import Path

import imgviz
import numpy as np

import labelme

source, output, labels = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
for sub in ("JPEGImages", "SegmentationClass"):
    (output / sub).mkdir(parents=True)
names = [line.strip() for line in labels.read_text().splitlines() if line.strip()]
name_to_id = {name: i - 1 for i, name in enumerate(names)}
(output / "class_names.txt").write_text("\\n".join(names[1:]))
for path in sorted(source.glob("*.json")):
    label_file = labelme.LabelFile(filename=str(path))
    img = labelme.utils.img_data_to_arr(label_file.image_data)
    imgviz.io.imsave(output / "JPEGImages" / f"{path.stem}.jpg", img)
    cls, _ = labelme.utils.shapes_to_label(img_shape=img.shape, shapes=label_file.shapes, label_name_to_value=name_to_id)
    imgviz.io.lblsave(output / "SegmentationClass" / f"{path.stem}.png", cls.astype(np.uint8))
"""


def labeltools_convert(folder: Path, out: Path, jobs: int) -> None:
    from labeltools.jobs.convert import convert_labelme

    conversion = convert_labelme(folder, out, folder / "labels.txt", overwrite=True, jobs=jobs)
    for result in conversion:
        assert result.ok, result.error


def bench_convert(workdir: Path, quick: bool) -> list[Result]:
    from PIL import Image

    count = 60 if quick else 600
    folder = make_labelme_folder(workdir / "labelme", count)
    ours_out, base_out = fresh_folder(workdir, "ours"), fresh_folder(workdir, "labelme2voc")
    results = []
    for jobs, target in ((1, 2.5), (2, 6.0)):
        def ours() -> object:
            return labeltools_process("convert", folder, ours_out(), "-c", folder / "labels.txt", "--jobs", jobs)()

        def baseline() -> object:
            return script_process(workdir, "labelme2voc.py", LABELME2VOC_SCRIPT, folder, base_out(), folder / "labels.txt")()

        ours_t, base_t = timeit_alternating(ours, baseline, repeats=1 if quick else 3)
        results.append(Result(
            "convert", f"{count} images 500x375, --jobs {jobs}, whole process", ours_t, base_t,
            baseline_name="labelme2voc.py (labelme 6.3.1)", target=target,
        ))  # fmt: skip
    # The labelme 7 rules (the default) cost nothing: today's command against the same command at
    # RULES_REFERENCE, the last revision that drew by labelme 6's rules only.
    before = revision_copy(workdir, RULES_REFERENCE)
    ours_t, before_t = timeit_alternating(
        lambda: labeltools_process("convert", folder, ours_out(), "-c", folder / "labels.txt", "--jobs", 2)(),
        lambda: labeltools_process("convert", folder, ours_out(), "-c", folder / "labels.txt", "--jobs", 2, cwd=before)(),
        repeats=1 if quick else 5,
    )  # fmt: skip
    results.append(Result(
        "convert", f"{count} images, --jobs 2, labelme 7 rules (default)", ours_t, before_t,
        baseline_name=f"labeltools {RULES_REFERENCE} (labelme 6 rules only)", target=1 / 1.05,
    ))  # fmt: skip
    # The scenes hold no line strip and no mask shape, the two types whose rules differ, so
    # labelme 6.3.1's labels are the default's too.
    first_ours, first_base = workdir / "ours0", workdir / "labelme2voc0"
    for name in ("img_00000", "img_00007"):
        with Image.open(first_ours / "SegmentationClass" / f"{name}.png") as a, Image.open(first_base / "SegmentationClass" / f"{name}.png") as b:
            assert (np.asarray(a) == np.asarray(b)).all(), name
    # Peak memory: the same conversion over 10x the files must not need 10x the memory.
    peaks = {}
    for n in (200, 2000) if not quick else (40, 400):
        big = make_labelme_folder(workdir / f"mem{n}", n)
        peaks[n] = peak_memory_mib(
            "from bench import labeltools_convert\n"
            "from pathlib import Path\n"
            f"labeltools_convert(Path({str(big)!r}), Path({str(workdir / f'memout{n}')!r}), 2)\n"
        )
    small, large = sorted(peaks)
    results.append(Result(
        "convert", f"peak RSS {large} vs {small} files", peaks[large], peaks[small],
        unit="MiB", baseline_name=f"{small} files", target=1 / 1.2,
    ))
    return results


# --- export ---------------------------------------------------------------------------------

#: The converters people run today, from the package registry, in an environment of their own
#: built once under the user's cache folder: labelme2coco 0.2.6 (Python, on sahi) and
#: labelme2yolo 0.4.0 (a Rust binary).
EXPORT_TOOLS = ["labelme2coco==0.2.6", "labelme2yolo==0.4.0"]


def tool_environment(name: str, packages: list[str], alone: list[str] | None = None) -> Path:
    """The ``bin`` folder of an environment holding ``packages`` from the registry, then
    ``alone`` without their dependencies (built on first use, cached by name, Python and
    package lists)."""
    import hashlib
    import venv

    key = hashlib.sha256(json.dumps([sys.version, packages, alone or []]).encode()).hexdigest()[:12]
    home = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "labeltools-bench" / f"{name}-{key}"
    if not (home / ".ready").exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(home)
        subprocess.run([str(home / "bin" / "python"), "-m", "pip", "install", "--quiet", *packages], check=True)
        if alone:
            subprocess.run([str(home / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps", *alone], check=True)
        (home / ".ready").touch()
    return home / "bin"


def export_tools() -> Path:
    """The folder holding the ``labelme2coco`` and ``labelme2yolo`` commands (built on first use)."""
    return tool_environment("export-tools", EXPORT_TOOLS)


def tool_process(command: list[object], cwd: Path) -> Callable[[], object]:
    return lambda: subprocess.run(
        [str(c) for c in command], check=True, cwd=cwd, env=PROCESS_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _coco_vertices(path: Path) -> int:
    """The polygon vertices of a COCO file (RLE objects hold none)."""
    data = json.loads(path.read_text())
    return sum(len(p) // 2 for a in data["annotations"] if isinstance(a["segmentation"], list) for p in a["segmentation"])


def bench_export(workdir: Path, quick: bool) -> list[Result]:
    """COCO: 600 annotations (simple polygons, rectangles, circles, lines, points: the shape
    types labelme2coco converts) against labelme2coco's command; file sizes too. YOLO
    segmentation: 6000 annotations, where start-up no longer dominates, against
    labelme2yolo's. Whole processes, ``--jobs 2``, ours with its round-trip check."""
    tools = export_tools()
    results = []
    count = 60 if quick else 600
    folder = make_labelme_folder(workdir / "labelme-coco", count, simple=True)
    ours_out, base_out = fresh_folder(workdir, "coco-ours"), fresh_folder(workdir, "coco-base")
    ours_t, base_t = timeit_alternating(
        labeltools_process_each(lambda: ("export", folder, "--to", "coco", "-d", ours_out(), "-c", folder / "labels.txt", "--jobs", 2)),
        lambda: tool_process([tools / "labelme2coco", folder, "--export_dir", base_out()], workdir)(),
        repeats=1 if quick else 3,
    )  # fmt: skip
    results.append(Result(
        "export", f"{count} annotations to COCO, --jobs 2, whole process", ours_t, base_t,
        baseline_name="labelme2coco 0.2.6", target=2.0,
    ))  # fmt: skip
    ours_size = sum(p.stat().st_size for p in (workdir / "coco-ours0" / "annotations").glob("*.json"))
    base_size = (workdir / "coco-base0" / "dataset.json").stat().st_size
    results.append(Result(
        "export", f"COCO file size, {count} annotations ({_coco_vertices(workdir / 'coco-base0' / 'dataset.json')} vertices theirs, "
        f"{sum(_coco_vertices(p) for p in (workdir / 'coco-ours0' / 'annotations').glob('*.json'))} ours)",
        ours_size / 1e6, base_size / 1e6, unit="MB", baseline_name="labelme2coco 0.2.6", target=1 / 1.5,
    ))  # fmt: skip
    count = 600 if quick else 6000
    folder = make_labelme_folder(workdir / "labelme-yolo", count, simple=True)
    ours_out, base_out = fresh_folder(workdir, "yolo-ours"), fresh_folder(workdir, "yolo-base")
    ours_t, base_t = timeit_alternating(
        labeltools_process_each(lambda: ("export", folder, "--to", "yolo-seg", "-d", ours_out(), "-c", folder / "labels.txt", "--jobs", 2)),
        lambda: tool_process([tools / "labelme2yolo", "--json_dir", folder, "--output_format", "polygon", "-o", base_out()], workdir)(),
        repeats=1 if quick else 3,
    )  # fmt: skip
    results.append(Result(
        "export", f"{count} annotations to YOLO segmentation, --jobs 2, whole process", ours_t, base_t,
        baseline_name="labelme2yolo 0.4.0 (Rust)", target=1 / 2,
    ))  # fmt: skip
    return results


# --- import: other tools' exports into a VOC dataset ---------------------------------------

IMPORT_TOOLS = {"datumaro": ["datumaro[cli]==1.13.*"], "cityscapesscripts": ["cityscapesscripts==2.2.4"]}
#: ISAT's converters ship in the annotation tool's package, whose dependencies (PyQt5, torch,
#: segment anything) they do not import: the package is installed alone, beside theirs.
ISAT_TOOL = (["scikit-image", "imgviz", "tqdm", "pyyaml"], ["isat-sam==1.5.2"])

#: ISAT's own VOC converter (``ISAT.formats.voc``) of the folder ``sys.argv[1]`` into ``sys.argv[2]``.
ISAT_TO_VOC = """
import sys
from ISAT.formats.voc import VOC
voc = VOC()
voc.read_from_ISAT(sys.argv[1])
voc.save_to_voc(sys.argv[2])
"""


def bench_import(workdir: Path, quick: bool) -> list[Result]:
    """600 images per source, whole processes, ``--jobs 2`` for ours: COCO instances and CVAT
    for images 1.1 (640x480, polygons, RLEs, masks, boxes), and colour masks beside their images
    (:func:`semantic_masks_dataset`), against Datumaro 1.13's ``datum convert`` to
    ``voc_segmentation``; Cityscapes polygons (1024x512, 40 to 80 objects an image)
    against cityscapesScripts' ``createTrainIdLabelImgs`` (one process; it writes the trainId
    labels only, so ours keeps the images' PNG bytes as they are: ``--image-format keep``)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from exports import cityscapes_export, coco_export, cvat_export

    count = 60 if quick else 600
    repeats = 1 if quick else 3
    datum = tool_environment("datumaro", IMPORT_TOOLS["datumaro"]) / "datum"
    results = []
    coco = workdir / "coco"
    coco_export(coco, images=count, seed=1, size=(640, 480))
    cvat = workdir / "cvat"
    cvat_export(cvat, images=count, seed=2, size=(640, 480))
    masks = semantic_masks_dataset(workdir / "masks", count)
    for name, source, fmt in (
        ("COCO instances", coco, "coco_instances"), ("CVAT for images 1.1", cvat, "cvat"),
        ("masks beside images", masks, "common_semantic_segmentation"),
    ):
        ours_out, base_out = fresh_folder(workdir, f"{fmt}-ours"), fresh_folder(workdir, f"{fmt}-base")
        ours_t, base_t = timeit_alternating(
            labeltools_process_each(lambda: ("convert", source, ours_out(), "--jobs", 2)),
            lambda: tool_process([datum, "convert", "-if", fmt, "-i", source, "-f", "voc_segmentation", "-o", base_out()], workdir)(),
            repeats=repeats,
        )  # fmt: skip
        results.append(Result(
            "import", f"{count} images, {name} to VOC, --jobs 2", ours_t, base_t,
            baseline_name="Datumaro 1.13 datum convert", target=3.0,
        ))  # fmt: skip
    city = workdir / "cityscapes"
    cityscapes_export(city, images=count, seed=3, size=(1024, 512), objects=(40, 80))
    scripts = tool_environment("cityscapesscripts", IMPORT_TOOLS["cityscapesscripts"]) / "python"
    env = {**PROCESS_ENV, "CITYSCAPES_DATASET": str(city)}
    ours_out = fresh_folder(workdir, "city-ours")
    ours_t, base_t = timeit_alternating(
        labeltools_process_each(lambda: ("convert", city / "gtFine", ours_out(), "--image-format", "keep", "--jobs", 2)),
        lambda: subprocess.run(
            [str(scripts), "-m", "cityscapesscripts.preparation.createTrainIdLabelImgs"],
            check=True, cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ),
        repeats=repeats,
    )  # fmt: skip
    results.append(Result(
        "import", f"{count} images, Cityscapes polygons to trainIds, --jobs 2", ours_t, base_t,
        baseline_name="cityscapesScripts createTrainIdLabelImgs", target=3.0,
    ))  # fmt: skip
    results.append(bench_trainid_tree(workdir, city, scripts, env, repeats))
    results.append(bench_isat(workdir, count, repeats))
    return results


def bench_isat(workdir: Path, count: int, repeats: int) -> Result:
    """ISAT annotations (640x480, 8 to 15 segment-anything outlines an image) to label maps:
    ``labeltools convert`` (a whole VOC dataset: images, splits, class files) against ISAT's
    own VOC converter (its label PNGs alone), after checking that the two draw the same maps."""
    from PIL import Image

    from exports import isat_export

    source = isat_export(workdir / "isat", images=count, seed=4, size=(640, 480), objects=(9, 17))
    python = tool_environment("isat", *ISAT_TOOL) / "python"
    ours_out, base_out = fresh_folder(workdir, "isat-ours"), fresh_folder(workdir, "isat-base")
    ours = labeltools_process_each(lambda: ("convert", source, ours_out(), "--jobs", 2))

    def baseline() -> None:
        subprocess.run(
            [str(python), "-c", ISAT_TO_VOC, source, base_out()],
            check=True, cwd=workdir, env=PROCESS_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    ours()
    baseline()
    for path in sorted((workdir / "isat-base0").glob("*.png")):
        same = np.asarray(Image.open(path)) == np.asarray(Image.open(workdir / "isat-ours0" / "SegmentationClass" / path.name))
        assert same.all(), f"{path}: ISAT's converter draws other labels than ours"
    ours_t, base_t = timeit_alternating(ours, baseline, repeats=repeats)
    return Result(
        "import", f"{count} images, ISAT annotations to VOC, --jobs 2", ours_t, base_t,
        baseline_name="isat-sam 1.5.2's VOC converter",
    )


#: cityscapesScripts' labelIds of every polygon file under ``sys.argv[1]`` (gtFine), beside it,
#: as Cityscapes ships them.
CITYSCAPES_LABEL_IDS = """
import glob, sys
from cityscapesscripts.helpers.annotation import Annotation
from cityscapesscripts.preparation.json2labelImg import createLabelImage
for path in glob.glob(sys.argv[1] + "/*/*/*_gtFine_polygons.json"):
    annotation = Annotation()
    annotation.fromJsonFile(path)
    createLabelImage(annotation, "ids").save(path.replace("_polygons.json", "_labelIds.png"))
"""


def bench_trainid_tree(workdir: Path, city: Path, scripts: Path, env: dict[str, str], repeats: int) -> Result:
    """``labeltools remap gtFine/ --index-map cityscapes`` (every split and city; the outputs
    mirrored into another folder) against cityscapesScripts' ``createTrainIdLabelImgs`` (which
    draws the polygons again), on a gtFine folder holding both, as Cityscapes ships it, after
    checking that the two write the same trainIds."""
    from PIL import Image

    subprocess.run([str(scripts), "-c", CITYSCAPES_LABEL_IDS, city / "gtFine"], check=True, cwd=workdir, env=env)
    ours_out = fresh_folder(workdir, "tree-ours")
    ours = labeltools_process_each(lambda: ("remap", city / "gtFine", "--index-map", "cityscapes", "-d", ours_out(), "--jobs", 2))

    def baseline() -> None:
        subprocess.run(
            [str(scripts), "-m", "cityscapesscripts.preparation.createTrainIdLabelImgs"],
            check=True, cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    ours()
    baseline()
    theirs = sorted((city / "gtFine").rglob("*_labelTrainIds.png"))
    mine = workdir / "tree-ours0"
    assert theirs and sorted(p.relative_to(city / "gtFine") for p in theirs) == sorted(p.relative_to(mine) for p in mine.rglob("*.png"))
    for path in theirs:
        same = np.asarray(Image.open(path)) == np.asarray(Image.open(mine / path.relative_to(city / "gtFine")))
        assert same.all(), f"{path}: our trainIds differ from createTrainIdLabelImgs'"
    ours_t, base_t = timeit_alternating(ours, baseline, repeats=repeats)
    return Result(
        "import", f"{len(theirs)} frames' labelIds to trainIds, the gtFine tree, --jobs 2", ours_t, base_t,
        baseline_name="cityscapesScripts createTrainIdLabelImgs",
    )


def semantic_masks_dataset(root: Path, count: int) -> Path:
    """Datumaro's common semantic segmentation layout: ``count`` 640x480 JPEG photos in
    ``images/``, their colour masks of 12 classes (blocks of 40 pixels) in ``masks/``, the classes
    and colours in ``dataset_meta.json``."""
    from PIL import Image

    from labeltools.core.colormap import voc_colormap

    colours = [tuple(int(v) for v in row) for row in voc_colormap(12)]
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    (root / "dataset_meta.json").write_text(json.dumps({
        "label_map": {str(i): f"class{i}" for i in range(12)}, "segmentation_colors": [list(c) for c in colours],
    }))  # fmt: skip
    ys, xs = np.mgrid[0:480, 0:640]
    palette = np.array(colours, np.uint8)
    for n in range(count):
        rng = np.random.default_rng(n)
        values = rng.integers(0, 12, (12, 16)).repeat(40, 0).repeat(40, 1)
        Image.fromarray(palette[values]).save(root / "masks" / f"{n:05d}.png")
        pixels = np.stack([(xs + n) % 256, (ys * 2) % 256, (xs + ys) % 256], -1).astype(np.uint8)
        Image.fromarray(pixels).save(root / "images" / f"{n:05d}.jpg", quality=90)
    return root


def labeltools_process_each(arguments: Callable[[], tuple[object, ...]]) -> Callable[[], object]:
    """A whole ``labeltools`` command whose arguments are made anew for each run (a fresh output)."""
    return lambda: labeltools_process(*arguments())()


# --- report and diff -----------------------------------------------------------------------


def make_voc_dataset(root: Path, count: int) -> Path:
    """A VOC folder of ``count`` labels (:func:`make_label_files`), a 500x375 JPEG photo for
    each, ``class_names.txt`` (21 classes) and a train/val split (a tenth in val)."""
    from PIL import Image

    paths = make_label_files(root / "SegmentationClass", count)
    (root / "JPEGImages").mkdir(parents=True)
    ys, xs = np.mgrid[0:SCENE_HEIGHT, 0:SCENE_WIDTH]
    for n, path in enumerate(paths):
        rng = np.random.default_rng(n)
        texture = rng.integers(-12, 12, size=(SCENE_HEIGHT // 4 + 1, SCENE_WIDTH // 4 + 1, 1)).repeat(4, 0).repeat(4, 1)
        base = np.stack([xs * 200 // SCENE_WIDTH + 30, ys * 180 // SCENE_HEIGHT + 40, np.full_like(xs, 20 + n % 200)], -1)
        pixels = np.clip(base + texture[:SCENE_HEIGHT, :SCENE_WIDTH], 0, 255).astype(np.uint8)
        Image.fromarray(pixels).save(root / "JPEGImages" / f"{path.stem}.jpg", quality=90)
    (root / "class_names.txt").write_text("\n".join(["background", *(f"class{i}" for i in range(1, 21))]) + "\n")
    splits = root / "ImageSets" / "Segmentation"
    splits.mkdir(parents=True)
    ids = [p.stem for p in paths]
    (splits / "train.txt").write_text("".join(f"{i}\n" for i in ids if int(i) % 10))
    (splits / "val.txt").write_text("".join(f"{i}\n" for i in ids if not int(i) % 10))
    return root


def bench_report(workdir: Path, quick: bool) -> list[Result]:
    """``report`` against ``stats`` on the same dataset, whole processes at ``--jobs 2``: the
    report reads every sample as check does and draws its gallery on top of the counting."""
    count = 100 if quick else 1000
    voc = make_voc_dataset(workdir / "voc", count)
    out = workdir / "report.html"
    ours = labeltools_process("report", voc, "-o", out, "--jobs", 2)
    baseline = labeltools_process("stats", voc, "--jobs", 2)
    ours_t, base_t = timeit_alternating(ours, baseline, repeats=1 if quick else 3)
    size = out.stat().st_size / 1e6
    # Peak memory: a report of 10x the samples must not need 10x the memory.
    peaks = {}
    for n in (50, 500) if quick else (500, 5000):
        root = voc if n == count else make_voc_dataset(workdir / f"voc{n}", n)
        peaks[n] = peak_memory_mib(
            "from labeltools.jobs.report import make_report\n"
            f"make_report({str(root)!r}, {str(workdir / f'mem{n}.html')!r}, jobs=2)\n"
        )
    small, large = sorted(peaks)
    return [
        Result("report", f"{count} samples 500x375 with images, --jobs 2, whole process", ours_t, base_t,
               baseline_name="labeltools stats, same files", target=1 / 3),
        Result("report", f"size of the report of {count} samples", size, 25.0, unit="MB",
               baseline_name="the 25 MB limit", target=1.0),
        Result("report", f"peak RSS {large} vs {small} samples", peaks[large], peaks[small], unit="MiB",
               baseline_name=f"{small} samples", target=1 / 1.2),
    ]  # fmt: skip


def bench_diff(workdir: Path, quick: bool) -> list[Result]:
    """``diff`` against ``evaluate`` on the same pairs, whole processes at ``--jobs 2``."""
    count = 60 if quick else 500
    make_label_pairs(workdir, count)
    ours = labeltools_process("diff", workdir / "gt", workdir / "pred", "--jobs", 2)
    baseline = labeltools_process("evaluate", workdir / "gt", workdir / "pred", "-n", EVAL_CLASSES, "--jobs", 2)
    ours_t, base_t = timeit_alternating(ours, baseline, repeats=1 if quick else 5)
    return [Result("diff", f"{count} pairs 500x375, --jobs 2, whole process", ours_t, base_t,
                   baseline_name="labeltools evaluate, same pairs", target=1 / 1.5)]  # fmt: skip


# --- startup --------------------------------------------------------------------------------


def bench_startup(workdir: Path, quick: bool) -> list[Result]:
    """Whole processes against the ``python -c "import numpy, PIL.Image"`` floor, alternately."""

    def process(*args: str) -> Callable[[], object]:
        return lambda: subprocess.run([sys.executable, *args], check=True, cwd=workdir, env=PROCESS_ENV, capture_output=True)

    floor = process("-c", "import numpy, PIL.Image")
    results = []
    for case, command, target in (
        ("import labeltools", process("-c", "import labeltools"), 1 / 1.3),
        ("labeltools --version", process("-m", "labeltools", "--version"), 1 / 1.6),
        ("labeltools --help", process("-m", "labeltools", "--help"), 1 / 1.6),
    ):
        ours, base = timeit_alternating(command, floor, repeats=3 if quick else 11)
        results.append(Result("startup", case, ours, base, baseline_name="import numpy, PIL.Image", target=target))
    return results


# --- dask -----------------------------------------------------------------------------------


def start_dask_cluster(workers: int = 2) -> tuple[str, list[subprocess.Popen]]:
    """A Dask scheduler and ``workers`` single-threaded worker processes on 127.0.0.1, started as
    a real cluster is (separate processes, before any timing); returns its address and the
    processes to stop."""
    import socket

    from distributed import Client

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    procs = [subprocess.Popen(["dask", "scheduler", "--host", "127.0.0.1", "--port", str(port), "--dashboard-address", ":0"], **quiet)]
    time.sleep(1.0)
    procs.append(subprocess.Popen(
        ["dask", "worker", address, "--nworkers", str(workers), "--nthreads", "1", "--no-dashboard"], cwd=ROOT, **quiet
    ))  # fmt: skip
    with Client(address, timeout="30s") as client:
        client.wait_for_workers(workers, timeout=60)
    return address, procs


def run_command(args: list[str]) -> None:
    subprocess.run([sys.executable, "-m", "labeltools", *args], check=True, cwd=ROOT, env=PROCESS_ENV,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


def bench_dask(workdir: Path, quick: bool) -> list[Result]:
    """Whole commands on a running Dask cluster (2 single-threaded workers) against the local
    pool at --jobs 2, at N and 5N files: the marginal cost per file and the fixed cost."""
    n = 60 if quick else 600
    address, procs = start_dask_cluster(2)
    results = []
    try:
        folders = {count: make_labelme_folder(workdir / f"labelme{count}", count) for count in (n, 5 * n)}
        labels = {count: workdir / f"labels{count}" for count in (n, 5 * n)}
        for count, folder in labels.items():
            make_label_files(folder, count, seed=count)
        runs = itertools.count()
        jobs = {
            "convert": lambda count, where: run_command(
                ["convert", str(folders[count]), str(workdir / f"out{next(runs)}"), "--labels", str(folders[count] / "labels.txt"), *where]
            ),
            "weights": lambda count, where: run_command(
                ["weights", "--labels-dir", str(labels[count]), "-n", "6", "-o", str(workdir / f"w{next(runs)}.npy"), *where]
            ),
        }  # fmt: skip
        for name, job in jobs.items():
            times: dict[tuple[str, int], float] = {}
            for count in (n, 5 * n):
                dask_t, local_t = timeit_alternating(
                    lambda: job(count, ["--dask", address]), lambda: job(count, ["-j", "2"]),
                    repeats=1 if quick else 5,
                )  # fmt: skip
                times["dask", count], times["local", count] = dask_t, local_t
            marginal = {w: (times[w, 5 * n] - times[w, n]) / (4 * n) for w in ("dask", "local")}
            fixed = {w: times[w, n] - n * marginal[w] for w in ("dask", "local")}
            results.append(Result(
                "dask", f"{name} marginal per file, {n} -> {5 * n}", marginal["dask"] * 1000, marginal["local"] * 1000,
                unit="ms", baseline_name="local pool --jobs 2", target=1 / 1.25,
            ))
            results.append(Result(
                "dask", f"{name} fixed cost (connect, imports)", fixed["dask"], fixed["local"],
                unit="s", baseline_name="local pool --jobs 2", note=f"target: dask fixed cost under 1.5 s, {'met' if fixed['dask'] < 1.5 else 'NOT met'}",
            ))
        big = workdir / f"labels{10 * n}"
        make_label_files(big, 10 * n, seed=1)
        peaks = {}
        for count, folder in ((n, labels[n]), (10 * n, big)):
            peaks[count] = peak_memory_mib(
                "from labeltools.cli import app\n"
                f"try:\n    app(['weights', '--labels-dir', {str(folder)!r}, '-n', '6', '-o', {str(workdir / 'peak.npy')!r}, '--dask', {address!r}])\n"
                "except SystemExit:\n    pass\n"
            )
        results.append(Result(
            "dask", f"client peak RSS, weights {10 * n} vs {n} files", peaks[10 * n], peaks[n],
            unit="MiB", baseline_name=f"{n} files", target=1 / 1.2,
        ))
    finally:
        for proc in reversed(procs):
            proc.terminate()
            proc.wait()
    return results


#: The last revision whose local workers were a ``multiprocessing.Pool`` (``imap``), which hangs
#: for ever when one worker dies: the ``pool`` benchmark times today's engine against it.
POOL_REFERENCE = "daf17c8"


def engine_copy(workdir: Path, revision: str) -> Path:
    """A copy of today's package whose ``engine/executor.py`` is that of ``revision``: the same
    code but for how the work fans out. Returns the folder to run ``python -m labeltools`` in."""
    folder = workdir / f"engine-{revision}"
    shutil.copytree(ROOT / "labeltools", folder / "labeltools", ignore=shutil.ignore_patterns("__pycache__"))
    old = subprocess.run(["git", "show", f"{revision}:labeltools/engine/executor.py"], cwd=ROOT, check=True, capture_output=True, text=True)
    (folder / "labeltools" / "engine" / "executor.py").write_text(old.stdout)
    return folder


#: The last revision before labelme 7's rules: the convert benchmark times today's default against it.
RULES_REFERENCE = "689075c"


def revision_copy(workdir: Path, revision: str) -> Path:
    """The package as it was at ``revision``; returns the folder to run ``python -m labeltools`` in."""
    folder = workdir / f"labeltools-{revision}"
    archive = subprocess.run(["git", "archive", revision, "labeltools"], cwd=ROOT, check=True, capture_output=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def bench_pool(workdir: Path, quick: bool) -> list[Result]:
    """convert and evaluate, whole processes at --jobs 2, with today's engine (workers that may
    die) against the multiprocessing.Pool engine of :data:`POOL_REFERENCE`."""
    old = engine_copy(workdir, POOL_REFERENCE)
    count = 60 if quick else 600
    folder = make_labelme_folder(workdir / "labelme", count)
    pairs = make_label_pairs(workdir, 60 if quick else 500)
    gt, pred = Path(pairs[0][0]).parent, Path(pairs[0][1]).parent
    outs = itertools.count()

    def command(cwd: Path, *args: object) -> Callable[[], object]:
        line = [sys.executable, "-m", "labeltools", *map(str, args)]
        return lambda: subprocess.run(line, check=True, cwd=cwd, env=PROCESS_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)

    results = []
    for name, args in (
        ("convert", lambda: ("convert", folder, workdir / f"out{next(outs)}", "-c", folder / "labels.txt", "-j", 2)),
        ("evaluate", lambda: ("evaluate", gt, pred, "-n", EVAL_CLASSES, "-j", 2)),
    ):
        ours_t, base_t = timeit_alternating(
            lambda: command(ROOT, *args())(), lambda: command(old, *args())(), repeats=1 if quick else 5
        )  # fmt: skip
        case = f"{count} images" if name == "convert" else f"{len(pairs)} pairs"
        results.append(Result(
            "pool", f"{name} {case}, --jobs 2, whole process", ours_t, base_t,
            baseline_name=f"multiprocessing.Pool engine ({POOL_REFERENCE})", target=1 / 1.05,
        ))  # fmt: skip
    return results


# --- sbd: the Semantic Boundaries Dataset as VOC2012's augmented training set ---------------

#: mmsegmentation's converter (its tools/dataset_converters/voc_aug.py, shipped in its wheel under
#: mmseg/.mim), with what it imports: mmengine and scipy.
SBD_TOOLS = ["mmsegmentation==1.2.2", "mmengine==0.10.7", "scipy"]

#: The sizes of VOC2012 and SBD's lists: the converter asserts the augmented set's 10,582.
VOC_TRAIN, VOC_VAL, SBD_IDS, SBD_IN_VAL = 1464, 1449, 11355, 773


def bench_sbd(workdir: Path, quick: bool) -> list[Result]:
    """SBD (11,355 class maps of 500x375, compressed MATLAB files as SBD ships them) added to a
    VOC2012 folder as its 10,582-image augmented set (trainaug.txt, and aug.txt, its 9,118 not in
    train.txt), against mmsegmentation 1.2.2's voc_aug converter (``--nproc 2``; it asserts that size, so --quick times the same). Whole processes,
    ``--jobs 2``; ours also opens every image to check its size, which the converter does not."""
    from PIL import Image
    from scipy.io import savemat

    bin_dir = tool_environment("mmseg-voc-aug", SBD_TOOLS)
    converter = next((bin_dir.parent / "lib").glob("python*/site-packages/mmseg/.mim/tools/dataset_converters/voc_aug.py"))
    sbd_ids = [f"2008_{i:06d}" for i in range(SBD_IDS)]
    voc_train = sbd_ids[:VOC_TRAIN]  # VOC's train is in SBD; some of VOC's val is, the rest is not
    voc_val = sbd_ids[VOC_TRAIN : VOC_TRAIN + SBD_IN_VAL] + [f"2012_{i:06d}" for i in range(VOC_VAL - SBD_IN_VAL)]
    dataset = workdir / "benchmark_RELEASE" / "dataset"
    (dataset / "cls").mkdir(parents=True)
    rng = np.random.default_rng(0)
    scenes = []
    for k in range(20):
        classes = np.zeros((375, 500), np.uint8)
        for _ in range(3):
            y, x = rng.integers(0, 300), rng.integers(0, 400)
            classes[y : y + rng.integers(20, 200), x : x + rng.integers(20, 300)] = rng.integers(1, 21)
        scenes.append(classes)
    for n, image_id in enumerate(sbd_ids):
        gt = {"Segmentation": scenes[n % len(scenes)], "CategoriesPresent": np.unique(scenes[n % len(scenes)])[1:]}
        savemat(dataset / "cls" / f"{image_id}.mat", {"GTcls": gt}, do_compression=True)
    split = 8498
    (dataset / "train.txt").write_text("".join(f"{i}\n" for i in sbd_ids[:split]))
    (dataset / "val.txt").write_text("".join(f"{i}\n" for i in sbd_ids[split:]))
    buffer = io.BytesIO()
    Image.new("RGB", (500, 375), (90, 120, 30)).save(buffer, format="JPEG")
    jpeg = buffer.getvalue()
    for devkit in ("ours", "base"):
        voc = workdir / devkit / "VOC2012"
        lists = voc / "ImageSets" / "Segmentation"
        lists.mkdir(parents=True)
        (lists / "train.txt").write_text("".join(f"{i}\n" for i in voc_train))
        (lists / "val.txt").write_text("".join(f"{i}\n" for i in voc_val))
        (voc / "SegmentationClass").mkdir()
    images = workdir / "ours" / "VOC2012" / "JPEGImages"
    images.mkdir()
    for image_id in sbd_ids + voc_val:
        (images / f"{image_id}.jpg").write_bytes(jpeg)
    base_out = fresh_folder(workdir, "base-aug")
    ours = labeltools_process("sbd", dataset, workdir / "ours" / "VOC2012", "--overwrite", "--jobs", 2)
    base = lambda: tool_process([bin_dir / "python", converter, workdir / "base", dataset.parent, "--nproc", 2, "-o", base_out()], workdir)()  # noqa: E731
    ours()
    base()
    for name in ("trainaug", "aug"):
        mine, theirs = ((workdir / side / "VOC2012" / "ImageSets" / "Segmentation" / f"{name}.txt").read_text().split() for side in ("ours", "base"))
        assert mine == sorted(theirs), f"the {name}.txt lists differ"
    listed = mine
    for image_id in listed[:: max(1, len(listed) // 200)]:
        mine = np.asarray(Image.open(workdir / "ours" / "VOC2012" / "SegmentationClassAug" / f"{image_id}.png"))
        assert np.array_equal(mine, np.asarray(Image.open(workdir / "base-aug0" / f"{image_id}.png"))), image_id
    ours_t, base_t = timeit_alternating(ours, base, repeats=1 if quick else 3)
    return [Result(
        "sbd", "SBD's 11,355 class maps 500x375 to VOC2012's 10,582-image augmented set, --jobs 2, whole process",
        ours_t, base_t, baseline_name="mmsegmentation 1.2.2 voc_aug.py --nproc 2", target=1.0,
    )]  # fmt: skip


BENCHMARKS: dict[str, Callable[[Path, bool], list[Result]]] = {
    "colormap": bench_colormap,
    "excel": bench_excel,
    "weights": bench_weights,
    "remap": bench_remap,
    "evaluate": bench_evaluate,
    "stats": bench_stats,
    "convert": bench_convert,
    "export": bench_export,
    "import": bench_import,
    "cityscapes": bench_cityscapes,
    "report": bench_report,
    "diff": bench_diff,
    "dask": bench_dask,
    "startup": bench_startup,
    "pool": bench_pool,
    "sbd": bench_sbd,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default all): {', '.join(BENCHMARKS)}")
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    parser.add_argument("--quick", action="store_true", help="smaller data, for a smoke run")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    results: list[Result] = []
    for name in args.names or list(BENCHMARKS):
        with tempfile.TemporaryDirectory(prefix=f"labeltools-bench-{name}-") as tmp:
            for result in BENCHMARKS[name](Path(tmp), args.quick):
                results.append(result)
                if not args.json:
                    print(result.line(verdict=not args.quick), flush=True)
    if args.json:
        print(json.dumps([dict(asdict(r), ratio=r.ratio) for r in results], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
