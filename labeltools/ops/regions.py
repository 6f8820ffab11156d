"""Connected regions of a mask: how a class map without instance maps becomes objects.

A region is a set of pixels linked through their 8 neighbours (a diagonal step counts, so a thin
diagonal stroke stays one region). The pixels are taken a run of a row at a time: runs of
neighbouring rows that touch are joined (union-find over runs, not pixels), so the cost follows
the number of runs, a few per row, not the number of pixels. Written here rather than taken from
SciPy or OpenCV, neither of which the base install or the COCO export needs.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def _runs(mask: NDArray[np.bool_]) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Each row's runs of True, in row-major order: their rows, first columns and ends (exclusive)."""
    edges = np.diff(np.pad(mask, ((0, 0), (1, 1))).view(np.int8), axis=1)
    rows, starts = np.nonzero(edges == 1)
    _, ends = np.nonzero(edges == -1)
    return rows.astype(np.int64), starts.astype(np.int64), ends.astype(np.int64)


def connected_regions(mask: NDArray[np.bool_]) -> tuple[NDArray[np.int32], int]:
    """The 8-connected regions of a 2-D boolean mask.

    Returns:
        An ``int32`` map of the mask's shape, 0 outside the mask and ``1..n`` inside, regions
        numbered in the order of their first pixel (row by row, left to right); and ``n``.
    """
    mask = np.asarray(mask, dtype=bool)
    regions = np.zeros(mask.shape, dtype=np.int32)
    rows, starts, ends = _runs(mask)
    count = len(rows)
    if not count:
        return regions, 0
    # Runs of the row above that touch a run (8-connected): a contiguous range of them, found
    # for every run at once on keys that order runs by row, then column.
    stride = mask.shape[1] + 2
    start_keys, end_keys = rows * stride + starts, rows * stride + ends
    above = (rows - 1) * stride
    first = np.searchsorted(end_keys, above + starts, side="left")
    last = np.searchsorted(start_keys, above + ends, side="right")
    parent = list(range(count))

    def root(run: int) -> int:
        while parent[run] != run:
            parent[run] = parent[parent[run]]
            run = parent[run]
        return run

    for run in np.flatnonzero(last > first).tolist():
        for other in range(int(first[run]), int(last[run])):
            a, b = root(run), root(other)
            if a != b:
                parent[max(a, b)] = min(a, b)  # the earlier run names the region
    roots = np.array([root(run) for run in range(count)], dtype=np.int64)
    firsts, numbers = np.unique(roots, return_inverse=True)
    for row, start, end, number in zip(rows.tolist(), starts.tolist(), ends.tolist(), (numbers + 1).tolist()):
        regions[row, start:end] = number
    return regions, len(firsts)
