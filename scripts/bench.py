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


# --- weights --------------------------------------------------------------------------------


def make_label_files(folder: Path, count: int, seed: int = 0, size: tuple[int, int] = (500, 375)) -> list[Path]:
    """``count`` VOC-like label PNGs (``size`` = width, height): background, a few blobs of
    several classes, 255 boundaries around them, written with ``write_label``."""
    from PIL import Image, ImageDraw

    from labeltools.labelpng import write_label

    rng = np.random.default_rng(seed)
    width, height = size
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        canvas = Image.new("L", size, 0)
        draw = ImageDraw.Draw(canvas)
        for _ in range(rng.integers(2, 7)):
            cls = int(rng.integers(1, 21))
            cx, cy = rng.integers(0, width), rng.integers(0, height)
            rx, ry = rng.integers(20, width // 3), rng.integers(20, height // 3)
            if rng.random() < 0.5:
                draw.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=cls, outline=255, width=4)
            else:
                angles = np.sort(rng.uniform(0, 2 * np.pi, rng.integers(4, 9)))
                radii = rng.uniform(0.5, 1.0, len(angles))
                xs, ys = cx + rx * radii * np.cos(angles), cy + ry * radii * np.sin(angles)
                points = [(float(x), float(y)) for x, y in zip(xs, ys)]
                draw.polygon(points, fill=cls, outline=255, width=4)
        path = folder / f"{i:06d}.png"
        write_label(path, np.asarray(canvas))
        paths.append(path)
    return paths


def bincount_loop(paths: list[Path]) -> np.ndarray:
    """The plain sequential loop: Pillow open, ``np.asarray``, ``np.bincount``."""
    from PIL import Image

    total = np.zeros(256, dtype=np.int64)
    for path in paths:
        with Image.open(path) as image:
            total += np.bincount(np.asarray(image).ravel(), minlength=256)
    return total


def bench_weights(workdir: Path, quick: bool) -> list[Result]:
    from labeltools.weights import count_label_files

    count = 100 if quick else 500
    paths = make_label_files(workdir / "labels", count)
    reference = bincount_loop(paths)
    results = []
    for jobs, target in ((1, 1.2), (2, 2.0)):
        counts = count_label_files(paths, 21, jobs=jobs)
        assert (counts.pixels == reference[:21]).all() and counts.ignored == reference[255]
        ours, base = timeit_alternating(
            lambda: count_label_files(paths, 21, jobs=jobs),
            lambda: bincount_loop(paths),
            repeats=3 if quick else 5,
        )
        case = f"{count} labels 500x375, --jobs {jobs}"
        results.append(Result("weights", case, ours, base, baseline_name="open+bincount loop", target=target))
    # Memory: the same files listed repeatedly stand for a larger dataset (generating 5,000
    # PNGs would dominate the run); what is measured is the counting pass, not the disk.
    small, large = (count, 10 * count)
    probe = (
        "import sys; from pathlib import Path; sys.path.insert(0, {root!r})\n"
        "from labeltools.weights import count_label_files\n"
        "paths = sorted(Path({folder!r}).glob('*.png'))\n"
        "paths = (paths * ({n} // len(paths) + 1))[:{n}]\n"
        "count_label_files(paths, 21, jobs=2)\n"
    )
    folder = str(workdir / "labels")
    peaks = {n: peak_memory_mib(probe.format(root=str(ROOT), folder=folder, n=n)) for n in (small, large)}
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


BENCHMARKS: dict[str, Callable[[Path, bool], list[Result]]] = {
    "colormap": bench_colormap,
    "weights": bench_weights,
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
