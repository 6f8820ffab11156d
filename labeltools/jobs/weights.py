"""Counting label files and saving class weights: the file side of ``labeltools weights``.

Each worker sends back one 256-bin histogram per file; :mod:`labeltools.ops.counts` merges
them and computes the weights.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from labeltools.core._types import PathLike
from labeltools.core.errors import DatasetError, WeightsError
from labeltools.core.options import VOID
from labeltools.engine.executor import FileResult, map_files, map_quick, raise_if_failed
from labeltools.engine.storage import absolute, atomic_write, location
from labeltools.formats.labels import label_histogram, write_json
from labeltools.ops.counts import ClassCounter, ClassCounts, _counts_with_warning


def histogram_label_file(path: PathLike) -> FileResult:
    """Count the pixels of each value in one label file.

    Returns:
        A :class:`FileResult` whose ``data`` is the ``(256,)`` int64 histogram.

    Raises:
        LabelFileError: the file is missing or not a label map.
    """
    histogram, _ = label_histogram(path)
    return FileResult(source=str(path), data=histogram)


def histogram_label_files(
    paths: Sequence[PathLike], jobs: int | None = None, chunksize: int | None = None
) -> Iterator[FileResult]:
    """Batch :func:`histogram_label_file` over worker processes, results in input order.

    Only the 256-bin histograms travel between processes; feed the results to
    :meth:`ClassCounter.add_results`. A bad file gives a failed result and the rest go on.
    """
    work = [str(p) for p in paths]
    if chunksize is None:
        return map_quick(histogram_label_file, work, jobs)
    return map_files(histogram_label_file, work, jobs, chunksize)


def count_label_files(
    paths: Sequence[PathLike],
    num_classes: int,
    ignore_index: int = VOID,
    strict: bool = False,
    jobs: int | None = None,
) -> ClassCounts:
    """Count class pixels over label files (palette or grayscale PNGs), in parallel.

    Out-of-range values are reported per file (see :func:`count_classes`). Memory does not grow
    with the number of files.

    Raises:
        DatasetError: a file could not be read or (``strict``) holds out-of-range values; the
            message lists the failures (every other file was still read).
        WeightsError: bad ``num_classes`` or ``ignore_index``.
    """
    counter = ClassCounter(num_classes, ignore_index, strict)
    raise_if_failed(counter.add_results(histogram_label_files(paths, jobs)), len(paths), "label file(s)", DatasetError)
    return _counts_with_warning(counter)


def default_weights_path(dataset: PathLike, name: str | None = None) -> Path:
    """Where pytorch-deeplab-xception looks for a dataset's weights:
    ``<dataset>/<name>_classes_weights.npy``, ``name`` defaulting to the dataset folder's name."""
    root = location(dataset)
    return root / f"{name or absolute(root).name}_classes_weights.npy"


def save_weights(path: PathLike, weights: NDArray[np.float64]) -> Path:
    """Save weights as a ``.npy`` float64 array ``(C,)``, atomically; creates the folder.

    ``np.load(path)`` gives the array back (as pytorch-deeplab-xception's ``train.py`` and
    mmsegmentation's ``class_weight='....npy'`` read it).

    Raises:
        WeightsError: not a 1-D array of finite numbers.
    """
    array = np.asarray(weights, dtype=np.float64)
    if array.ndim != 1 or not np.isfinite(array).all():
        raise WeightsError(f"{path}: weights must be a 1-D array of finite numbers, got shape {array.shape}")
    target = location(path)
    with atomic_write(target) as tmp, open(tmp, "wb") as fh:  # a file object: np.save adds no suffix
        np.save(fh, array)
    return target


def save_provenance(path: PathLike, provenance: Mapping[str, Any]) -> Path:
    """Write :func:`weights_provenance` output as JSON, atomically; creates the folder."""
    write_json(path, provenance)
    return location(path)
