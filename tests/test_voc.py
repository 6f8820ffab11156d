"""VOC folder helpers: which label files a dataset-wide pass reads, and dataset samples."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from labeltools import DatasetError, VOCSegmentation, select_label_paths, write_label, write_split


def make_labels(root, ids):
    folder = root / "SegmentationClass"
    folder.mkdir(parents=True, exist_ok=True)
    for i in ids:
        write_label(folder / f"{i}.png", np.zeros((2, 3), np.uint8))
    return folder


def test_default_split_is_train_when_present(tmp_path):
    folder = make_labels(tmp_path, ["b", "a", "c"])
    assert select_label_paths(tmp_path) == ([folder / "a.png", folder / "b.png", folder / "c.png"], None)
    write_split(tmp_path, "train", ["c", "a"])
    write_split(tmp_path, "val", ["b"])
    assert select_label_paths(tmp_path) == ([folder / "c.png", folder / "a.png"], "train")
    assert select_label_paths(tmp_path, "val") == ([folder / "b.png"], "val")


def test_labels_dir(tmp_path):
    other = tmp_path / "masks"
    other.mkdir()
    for name in ("y", "x"):
        write_label(other / f"{name}.png", np.zeros((2, 2), np.uint8))
    (other / "notes.txt").write_text("not a label")
    assert select_label_paths(tmp_path, labels_dir=other) == ([other / "x.png", other / "y.png"], None)
    write_split(tmp_path, "train", ["y"])
    # an explicit split picks ids from the folder; without one, every PNG is read
    assert select_label_paths(tmp_path, "train", labels_dir=other) == ([other / "y.png"], "train")
    assert select_label_paths(tmp_path, labels_dir=other)[1] is None


def test_selection_errors(tmp_path):
    with pytest.raises(DatasetError) as info:
        select_label_paths(tmp_path)
    assert str(info.value) == f"{tmp_path}: not a VOC dataset folder (no SegmentationClass/ inside)"
    with pytest.raises(DatasetError) as info:
        select_label_paths(tmp_path, labels_dir=tmp_path / "nope")
    assert str(info.value) == f"{tmp_path / 'nope'}: no such folder of label PNGs"
    folder = make_labels(tmp_path, [])
    with pytest.raises(DatasetError) as info:
        select_label_paths(tmp_path)
    assert str(info.value) == f"{folder}: no .png label files"
    write_split(tmp_path, "train", [])
    with pytest.raises(DatasetError) as info:
        select_label_paths(tmp_path)
    assert str(info.value) == f"{tmp_path / 'ImageSets' / 'Segmentation' / 'train.txt'}: the split lists no ids"
    with pytest.raises(DatasetError) as info:
        select_label_paths(tmp_path, "val")
    assert str(info.value).endswith("val.txt: no such split file; splits present: train")


def test_samples_are_writable_arrays(tmp_path):
    make_labels(tmp_path, ["a"])
    (tmp_path / "JPEGImages").mkdir()
    Image.new("RGB", (3, 2), (10, 20, 30)).save(tmp_path / "JPEGImages" / "a.jpg")
    sample = VOCSegmentation(tmp_path, None)[0]
    assert sample["label"].flags.writeable and sample["image"].flags.writeable
    assert sample["label"].shape == (2, 3) and sample["image"].shape == (2, 3, 3)
    sample["label"][0, 0] = 5  # an in-place augmentation
    assert VOCSegmentation(tmp_path, None)[0]["label"][0, 0] == 0
