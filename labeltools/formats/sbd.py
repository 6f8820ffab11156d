"""The Semantic Boundaries Dataset (SBD), as its release unpacks (``benchmark_RELEASE/dataset``)::

    ROOT/cls/<id>.mat        MATLAB file: GTcls.Segmentation, the (H, W) class map (0..20, VOC's
                             classes, no void border), GTcls.Boundaries, GTcls.CategoriesPresent
    ROOT/inst/<id>.mat       MATLAB file: GTinst, the instance maps (not read here)
    ROOT/img/<id>.jpg        its images: VOC2011's, the same files as VOC2012's JPEGImages
    ROOT/train.txt, val.txt  its 8,498 and 2,857 ids

Its class maps are VOC2012's augmented training set (see :mod:`labeltools.jobs.sbd`). MATLAB's
format is read by scipy (the ``sbd`` extra).
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from numpy.typing import NDArray

from labeltools.core._types import PathLike
from labeltools.core.errors import DatasetError, LabelFileError, require_extra, shell_word
from labeltools.engine.storage import location, read_bytes

CLASS_MAPS_DIR = "cls"

#: SBD's own lists, both of which the augmented training set takes.
SBD_LISTS = ("train", "val")


def require_scipy_io() -> Any:
    """scipy's ``io`` module, which reads MATLAB files.

    Raises:
        LabelFileError: scipy is not installed (saying how to install it).
    """
    return require_extra("scipy.io", "reading SBD's MATLAB files needs scipy", "sbd", LabelFileError)


def is_sbd_root(path: PathLike) -> bool:
    """True when ``path`` holds SBD's ``cls`` folder of class maps."""
    return (location(path) / CLASS_MAPS_DIR).is_dir()


def sbd_hint(folder: PathLike) -> str:
    """The command that reads SBD's release in ``folder`` (its dataset folder, or the one above
    it), to follow a refusal of it as a dataset or as annotations; ``""`` when it is none."""
    where = location(folder)
    for root in (where, where / "dataset"):
        if is_sbd_root(root):
            return (
                f"; it is the Semantic Boundaries Dataset's release: labeltools sbd {shell_word(root)} VOC2012_FOLDER adds it "
                "to a VOC 2012 folder as its augmented training set"
            )
    return ""


def class_map_path(root: PathLike, image_id: str) -> Any:
    return location(root) / CLASS_MAPS_DIR / f"{image_id}.mat"


def read_sbd_list(root: PathLike, name: str) -> list[str]:
    """The ids of SBD's ``<name>.txt``, in file order.

    Raises:
        DatasetError: the file is missing or unreadable.
    """
    path = location(root) / f"{name}.txt"
    text = read_bytes(path, DatasetError, "SBD list file").decode("utf-8", errors="replace")
    return [line.strip() for line in text.splitlines() if line.strip()]


def read_sbd_class_map(path: PathLike) -> NDArray[np.uint8]:
    """The class map of one ``cls/<id>.mat``: its ``GTcls.Segmentation``, ``(H, W)`` uint8, values
    as SBD stores them.

    Raises:
        LabelFileError: the file is missing, not a MATLAB file, holds no ``GTcls.Segmentation``,
            or one that is not a 2-D map of values 0..255; scipy is missing.
    """
    scipy_io = require_scipy_io()
    data = read_bytes(path, LabelFileError, "SBD class map")
    try:
        mat = scipy_io.loadmat(io.BytesIO(data), squeeze_me=True, struct_as_record=False)
    except NotImplementedError as exc:  # MATLAB 7.3 files are HDF5, which SBD never wrote
        raise LabelFileError(f"{path}: a MATLAB file of a version SBD does not write ({exc})") from None
    except Exception as exc:  # scipy's parser meets the file's bytes alone: a truncated file raises IndexError, others ValueError ...
        raise LabelFileError(f"{path}: not a MATLAB .mat file ({type(exc).__name__}: {exc})") from None
    segmentation = getattr(mat.get("GTcls"), "Segmentation", None)
    if segmentation is None:
        held = ", ".join(sorted(k for k in mat if not k.startswith("__"))) or "nothing"
        raise LabelFileError(f"{path}: holds no GTcls.Segmentation (it holds {held}): SBD's class maps are its cls/<id>.mat files")
    array = np.asarray(segmentation)
    if array.ndim != 2 or not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise LabelFileError(f"{path}: GTcls.Segmentation is {array.dtype} of shape {array.shape}, not a 2-D class map")
    if array.size and (array.min() < 0 or array.max() > 255 or not np.array_equal(array, np.round(array))):
        raise LabelFileError(f"{path}: GTcls.Segmentation holds values outside the whole numbers 0..255")
    return array.astype(np.uint8)
