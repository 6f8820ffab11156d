#!/usr/bin/env python
"""Benchmarks: labeltools against a named baseline, timed alternately in the same run.

Each benchmark builds its own data in a temporary folder, runs our code and the baseline
alternately for several repetitions, and prints one line with both medians and the ratio
(baseline time / our time: above 1 means we are faster). Memory figures are peak resident
sizes of child processes. ``--json`` prints the same as JSON.

    python scripts/bench.py              # every benchmark
    python scripts/bench.py colormap     # one
    python scripts/bench.py --json colormap
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


@dataclass
class Result:
    benchmark: str
    case: str
    ours: float
    baseline: float
    unit: str = "s"
    baseline_name: str = ""
    target: float | None = None

    @property
    def ratio(self) -> float:
        """How many times better we are (baseline / ours)."""
        return self.baseline / self.ours if self.ours else float("inf")

    def line(self) -> str:
        verdict = ""
        if self.target is not None:
            verdict = "  ok" if self.ratio >= self.target else f"  BELOW TARGET {self.target:g}x"
        return (
            f"{self.benchmark:<10} {self.case:<34} ours {self.ours:10.4f} {self.unit:<4} "
            f"baseline ({self.baseline_name}) {self.baseline:10.4f} {self.unit:<4} "
            f"ratio {self.ratio:6.2f}x{verdict}"
        )


def timeit_alternating(
    ours: Callable[[], object], baseline: Callable[[], object], repeats: int = 5, warmup: int = 1
) -> tuple[float, float]:
    """Median wall time of ``ours`` and ``baseline``, run alternately ``repeats`` times each."""
    for _ in range(warmup):
        ours()
        baseline()
    ours_t, base_t = [], []
    for _ in range(repeats):
        for fn, sink in ((ours, ours_t), (baseline, base_t)):
            start = time.perf_counter()
            fn()
            sink.append(time.perf_counter() - start)
    return statistics.median(ours_t), statistics.median(base_t)


def peak_memory_mib(code: str) -> float:
    """Run ``code`` in a fresh Python process and return its peak resident size in MiB.

    The figure is the larger of the process's own peak and that of its largest child (worker
    processes), as reported by ``getrusage``.
    """
    probe = (
        "\nimport resource\n"
        "print('PEAK', max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,"
        " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code + probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    line = [ln for ln in done.stdout.splitlines() if ln.startswith("PEAK ")][-1]
    return int(line.split()[1]) / 1024  # ru_maxrss is in KiB on Linux


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
    from labeltools.colormap import _colormap

    results = []
    for n in (256, 65536) if not quick else (256,):
        assert (_colormap.__wrapped__(n) == bitget_colormap(n)).all()
        # Uncached: the cache would make ours free after the first call.
        ours, base = timeit_alternating(
            lambda: _colormap.__wrapped__(n), lambda: bitget_colormap(n), repeats=3 if n > 256 else 7
        )
        results.append(Result("colormap", f"n={n} (uncached)", ours, base, baseline_name="bitget loop"))
    return results


# --- evaluate, stats ------------------------------------------------------------------------

EVAL_CLASSES = 21


def _ellipse(height: int, width: int, cy: float, cx: float, ry: float, rx: float) -> np.ndarray:
    yy, xx = np.ogrid[:height, :width]
    return ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1


def make_label_pairs(workdir: Path, count: int, height: int = 375, width: int = 500) -> list[tuple[str, str]]:
    """``count`` VOC-like ground-truth labels (objects on background, 255 boundary bands) and
    predictions (the objects slightly misplaced, some with the wrong class), as palette PNGs."""
    from labeltools.labelpng import write_label

    rng = np.random.default_rng(0)
    gt_dir, pred_dir = workdir / "gt", workdir / "pred"
    gt_dir.mkdir()
    pred_dir.mkdir()
    pairs = []
    for i in range(count):
        gt = np.zeros((height, width), np.uint8)
        pred = np.zeros((height, width), np.uint8)
        for _ in range(rng.integers(1, 5)):
            cls = int(rng.integers(1, EVAL_CLASSES))
            cy, cx = rng.uniform(0, height), rng.uniform(0, width)
            ry, rx = rng.uniform(20, height / 2), rng.uniform(20, width / 2)
            gt[_ellipse(height, width, cy, cx, ry, rx)] = cls
            guess = cls if rng.random() > 0.2 else int(rng.integers(0, EVAL_CLASSES))
            jitter = rng.normal(0, 6, 4)
            pred[_ellipse(height, width, cy + jitter[0], cx + jitter[1], ry + jitter[2], rx + jitter[3])] = guess
        edge = np.zeros_like(gt, dtype=bool)
        for shift in (1, 2):  # VOC-like void band along object outlines
            edge[shift:] |= gt[shift:] != gt[:-shift]
            edge[:, shift:] |= gt[:, shift:] != gt[:, :-shift]
        gt[edge] = 255
        g, p = gt_dir / f"{i:05d}.png", pred_dir / f"{i:05d}.png"
        write_label(g, gt)
        write_label(p, pred)
        pairs.append((str(g), str(p)))
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
    from labeltools.metrics import ConfusionMatrix, evaluate_pairs

    count = 60 if quick else 500
    pairs = make_label_pairs(workdir, count)

    def ours(jobs: int) -> np.ndarray:
        cm = ConfusionMatrix(EVAL_CLASSES)
        for result in cm.add_results(evaluate_pairs(pairs, EVAL_CLASSES, jobs=jobs)):
            assert result.ok, result.error
        return cm.matrix

    expected = bincount_confusion(pairs, EVAL_CLASSES)
    results = []
    for jobs, target in ((1, 1.2), (2, 2.0)):
        assert (ours(jobs) == expected).all()
        ours_t, base_t = timeit_alternating(
            lambda: ours(jobs), lambda: bincount_confusion(pairs, EVAL_CLASSES), repeats=3 if quick else 5
        )
        results.append(
            Result(
                "evaluate", f"{count} pairs 500x375, --jobs {jobs}", ours_t, base_t,
                baseline_name="Pillow+bincount loop", target=target,
            )  # fmt: skip
        )
    return results


def bincount_stats(paths: list[str]) -> tuple[np.ndarray, np.ndarray, dict[tuple[int, int], int]]:
    """The usual loop: decode each PNG with Pillow and ``np.bincount`` its values."""
    from PIL import Image

    pixels = np.zeros(256, np.int64)
    images = np.zeros(256, np.int64)
    sizes: dict[tuple[int, int], int] = {}
    for path in paths:
        label = np.asarray(Image.open(path))
        counts = np.bincount(label.ravel(), minlength=256)
        pixels += counts
        images += counts > 0
        size = (label.shape[1], label.shape[0])
        sizes[size] = sizes.get(size, 0) + 1
    return pixels, images, sizes


def bench_stats(workdir: Path, quick: bool) -> list[Result]:
    from labeltools.stats import DatasetStats, stat_label_files

    count = 60 if quick else 500
    paths = [gt for gt, _ in make_label_pairs(workdir, count)]

    def ours(jobs: int) -> DatasetStats:
        stats = DatasetStats()
        for result in stats.add_results(stat_label_files(paths, jobs=jobs)):
            assert result.ok, result.error
        return stats

    pixels, images, sizes = bincount_stats(paths)
    results = []
    for jobs, target in ((1, 1.2), (2, 2.0)):
        stats = ours(jobs)
        assert (stats.pixels == pixels).all() and (stats.images_with == images).all() and dict(stats.sizes) == sizes
        ours_t, base_t = timeit_alternating(lambda: ours(jobs), lambda: bincount_stats(paths), repeats=3 if quick else 7)
        results.append(
            Result(
                "stats", f"{count} labels 500x375, --jobs {jobs}", ours_t, base_t,
                baseline_name="Pillow+bincount loop", target=target,
            )  # fmt: skip
        )
    return results


BENCHMARKS: dict[str, Callable[[Path, bool], list[Result]]] = {
    "colormap": bench_colormap,
    "evaluate": bench_evaluate,
    "stats": bench_stats,
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
                    print(result.line(), flush=True)
    if args.json:
        print(json.dumps([dict(asdict(r), ratio=r.ratio) for r in results], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
