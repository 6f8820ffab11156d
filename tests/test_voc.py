from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from labeltools import (
    DatasetError,
    VOCSegmentation,
    dataset_label_paths,
    read_split,
    select_label_paths,
    write_label,
    write_split,
)
from labeltools.formats.voc import (
    available_splits,
    image_path,
    load_class_table,
    read_image,
)


@pytest.fixture
def voc(tmp_path, blobs_label):
    root = tmp_path / "voc"
    (root / "SegmentationClass").mkdir(parents=True)
    (root / "JPEGImages").mkdir()
    for i, name in enumerate(["b", "a", "c"]):
        write_label(root / "SegmentationClass" / f"{name}.png", blobs_label)
        Image.new("RGB", (32, 24), (i * 40, 10, 10)).save(root / "JPEGImages" / f"{name}.jpg")
    write_split(root, "train", ["b", "a"])
    write_split(root, "val", ["c"])
    (root / "class_names.txt").write_text("background\ncat\ndog\n")
    return root


def test_splits_and_paths(voc):
    assert read_split(voc, "train") == ["b", "a"]
    assert available_splits(voc) == ["train", "val"]
    assert [p.name for p in dataset_label_paths(voc)] == ["a.png", "b.png", "c.png"]
    assert [p.name for p in dataset_label_paths(voc, "val")] == ["c.png"]
    assert load_class_table(voc).names == ["background", "cat", "dog"]
    assert image_path(voc, "a").name == "a.jpg"


def test_missing_split_names_the_ones_present(voc):
    with pytest.raises(DatasetError, match=r"test.txt: no such split file; splits present: train, val"):
        read_split(voc, "test")


def test_not_a_voc_folder(tmp_path):
    with pytest.raises(DatasetError, match="not a VOC dataset folder"):
        VOCSegmentation(tmp_path)


def test_map_style_dataset(voc, blobs_label):
    ds = VOCSegmentation(voc, "train")
    assert len(ds) == 2
    sample = ds[1]
    assert sample["id"] == "a" and sample["image"].shape == (24, 32, 3)
    np.testing.assert_array_equal(sample["label"], blobs_label)
    assert sample["label"].dtype == np.uint8
    with pytest.raises(IndexError):
        ds[2]
    ds = VOCSegmentation(voc, None, transform=lambda s: s["label"].sum(), load_images=False)
    assert ds[0] == blobs_label.sum()


def test_read_image_applies_exif_orientation(tmp_path):
    image = Image.new("RGB", (4, 2), (255, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise for display
    image.save(tmp_path / "r.jpg", exif=exif)
    assert read_image(tmp_path / "r.jpg").shape == (4, 2, 3)
    with pytest.raises(DatasetError, match="nope.jpg: no such image file"):
        read_image(tmp_path / "nope.jpg")


# --- selecting label files, writable samples ----------------------------------------------


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
    assert str(info.value) == f"{tmp_path / 'ImageSets' / 'Segmentation' / 'train.txt'}: the split lists no ids (read by default)"
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
