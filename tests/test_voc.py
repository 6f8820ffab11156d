from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from labeltools import DatasetError, VOCSegmentation, dataset_label_paths, read_split, write_label, write_split
from labeltools.voc import available_splits, image_path, load_class_table, read_image


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
