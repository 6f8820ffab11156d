"""The Semantic Boundaries Dataset added to a PASCAL VOC 2012 folder as its augmented training
set: the job behind ``labeltools sbd``.

As mmsegmentation's ``voc_aug`` converter writes it: ``trainaug.txt`` lists the whole set, VOC's
train with SBD's train and val, less VOC's val (and test), 10,582 images for VOC2012 (DeepLab's
``train_aug``); ``aug.txt`` lists those of them that are not VOC's train (9,118), which
mmsegmentation's ``voc12aug`` configuration trains on beside ``train.txt``. Each id of the set
gets ``SegmentationClassAug/<id>.png``, a palette PNG of SBD's class map as SBD stores it
(``cls/<id>.mat``, no void border), or, for an id of VOC's train that SBD lacks, of VOC's own
label, so that every listed id has its label; its image must be VOC's (``JPEGImages/<id>.jpg``,
of the label's size). Nothing of VOC's own changes. The lists are written last, once every label
is: a file that fails leaves them unwritten, and the command says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import NamedTuple

from labeltools.core._types import PathLike
from labeltools.core.classes import ClassTable
from labeltools.core.errors import DatasetError, LabelFileError
from labeltools.engine.executor import FileResult, OneRun, map_files
from labeltools.engine.storage import ensure_dir, list_files, location, output_lock
from labeltools.formats.folders import tar_said
from labeltools.formats.labels import open_image, read_label, write_label
from labeltools.formats.sbd import (
    CLASS_MAPS_DIR,
    SBD_LISTS,
    class_map_path,
    is_sbd_root,
    read_sbd_class_map,
    read_sbd_list,
    require_scipy_io,
)
from labeltools.formats.voc import (
    AUG_LABELS_DIR,
    LABELS_DIR,
    TEST_SPLIT,
    image_path,
    is_voc_root,
    load_class_table,
    read_split,
    split_path,
    tables_disagree,
    write_splits,
)


class SbdItem(NamedTuple):
    """One id of the augmented set: its label's source, an SBD class map (``.mat``) or a VOC
    label (``.png``), and its image, VOC's. A failure names the source."""

    image_id: str
    source: str
    image: str

    def __str__(self) -> str:
        return self.source


def sbd_label(item: SbdItem, output_dir: str) -> FileResult:
    """Write one id's label of the augmented set.

    Raises:
        LabelFileError: the source cannot be read, or the image is missing or of another size.
    """
    image_id, source, image = item
    label = read_sbd_class_map(source) if source.endswith(".mat") else read_label(source)
    with open_image(image, LabelFileError, "image") as opened:
        width, height = opened.size
    if (height, width) != label.shape:
        raise LabelFileError(
            f"{source}: its map is {label.shape[1]}x{label.shape[0]} but the image {image} is {width}x{height} (width x height)"
        )
    target = location(output_dir) / f"{image_id}.png"
    write_label(target, label)
    return FileResult(source=source, outputs=(str(target),))


#: The lists written, as mmsegmentation's converter names them: the whole augmented set, and
#: those of its ids that are not VOC's train (trained on beside ``train.txt``).
WHOLE_LIST, BESIDE_TRAIN_LIST = "trainaug", "aug"


@dataclass
class SbdAddition(OneRun):
    """A checked, ready-to-run addition of SBD to a VOC folder; iterate it to write the labels
    (once). After the last result, ``written`` holds the list files when every label was written."""

    root: Path
    items: list[SbdItem]
    lists: dict[str, list[str]]  # list name -> its ids
    from_voc: list[str]  # the ids whose label is VOC's own (SBD lacks them)
    jobs: int | None = None
    sbd: Path | None = None  # SBD's dataset folder read
    written: list[Path] = field(default_factory=list, init=False)

    def _run(self) -> Iterator[FileResult]:
        with output_lock(self.root):
            output = self.root / AUG_LABELS_DIR
            ensure_dir(output)
            failed = False
            for result in map_files(partial(sbd_label, output_dir=str(output)), self.items, self.jobs):
                failed = failed or not result.ok
                yield result
            if not failed:
                self.written = write_splits(self.root, self.lists)


def add_sbd(sbd: PathLike, dataset: PathLike, overwrite: bool = False, jobs: int | None = None) -> SbdAddition:
    """Check an addition of SBD (its release's ``dataset`` folder, or the folder above it) to the
    VOC 2012 folder ``dataset`` as its augmented training set (see the module docs), and return
    it ready to run.

    Raises:
        DatasetError: no SBD or VOC folder, VOC's train or val list or SBD's lists missing, a
            VOC folder whose class table is not VOC's 21 classes, an augmented set already
            there (``overwrite`` replaces it). A missing class map, label or image fails its id
            alone, when run.
        LabelFileError: scipy is missing.
    """
    require_scipy_io()
    root, source = location(dataset), location(sbd)
    if not is_sbd_root(source) and is_sbd_root(source / "dataset"):  # the release's folder, given above it
        source = source / "dataset"
    if not is_sbd_root(source):
        said = tar_said(source) or "no cls/ of class maps inside; it is benchmark_RELEASE/dataset in SBD's release"
        raise DatasetError(f"{sbd}: not SBD's dataset folder ({said})")
    if not is_voc_root(root):
        said = f"; {tar}" if (tar := tar_said(root)) else ""
        raise DatasetError(f"{dataset}: not a VOC dataset folder (no {LABELS_DIR}/ inside){said}")
    own = load_class_table(root)
    if own is not None and (differ := tables_disagree(ClassTable.preset("voc"), own)) is not None:
        raise DatasetError(f"{dataset}: SBD's class maps hold PASCAL VOC's 21 classes, which this dataset's table does not: {differ}")
    there = [split_path(root, name) for name in (WHOLE_LIST, BESIDE_TRAIN_LIST) if split_path(root, name).exists()]
    if (root / AUG_LABELS_DIR).is_dir() and list_files(root / AUG_LABELS_DIR, (".png",)):
        there.append(root / AUG_LABELS_DIR)
    if there and not overwrite:
        raise DatasetError(f"{there[0]}: the augmented training set is there already; pass --overwrite to write it again")
    voc_train, voc_val = read_split(root, "train"), read_split(root, "val")
    left_out = set(voc_val) | (set(read_split(root, TEST_SPLIT)) if split_path(root, TEST_SPLIT).is_file() else set())
    sbd_ids = [i for name in SBD_LISTS for i in read_sbd_list(source, name)]
    ids = sorted(set(voc_train + sbd_ids) - left_out)
    pathlike = next((i for i in ids if "/" in i or "\\" in i or i in (".", "..")), None)
    if pathlike is not None:  # each id names a file written into SegmentationClassAug/
        raise DatasetError(f"{source}: an id of its lists or of {split_path(root, 'train')} is a path, not a name: {pathlike!r}")
    mapped = set(sbd_ids) | {p.stem for p in list_files(source / CLASS_MAPS_DIR, (".mat",))}
    items, from_voc = [], []
    for image_id in ids:  # a missing class map, label or image fails its id alone
        if image_id in mapped:
            label = str(class_map_path(source, image_id))
        else:
            from_voc.append(image_id)
            label = str(root / LABELS_DIR / f"{image_id}.png")
        items.append(SbdItem(image_id, label, str(image_path(root, image_id))))
    trained = set(voc_train)
    lists = {WHOLE_LIST: ids, BESIDE_TRAIN_LIST: [i for i in ids if i not in trained]}
    return SbdAddition(root, items, lists, from_voc, jobs, source)
