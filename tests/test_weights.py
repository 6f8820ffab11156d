"""Class counting over loaders and files, the weighting schemes, and the .npy / JSON outputs."""

from __future__ import annotations

import json
import logging
import math
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import FakeTensor, make_voc
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from labeltools import (
    SCHEMES,
    ClassCounter,
    DatasetError,
    LabelFileError,
    VOCSegmentation,
    WeightsError,
    class_weights,
    count_classes,
    count_label_files,
    default_weights_path,
    histogram_label_file,
    histogram_label_files,
    read_label,
    save_provenance,
    save_weights,
    weights_provenance,
    write_gray_label,
    write_label,
)

# Two 2x5 images. A: six 0, three 1, one 2. B: four 0, four 2, two void.
IMAGE_A = np.array([[0, 0, 0, 0, 0], [0, 1, 1, 1, 2]], dtype=np.uint8)
IMAGE_B = np.array([[0, 0, 0, 0, 2], [2, 2, 2, 255, 255]], dtype=np.uint8)
# pixels [10, 3, 5] (N = 18); images [2, 1, 2]; labelled pixels of the images with c: [18, 10, 18]


def two_image_counts(num_classes: int = 3):
    return count_classes([IMAGE_A, IMAGE_B], num_classes)


def deeplab_weights(batches, num_classes):
    """pytorch-deeplab-xception's ``calculate_weigths_labels``, transcribed (minus tqdm/saving)."""
    z = np.zeros((num_classes,))
    for y in batches:
        mask = (y >= 0) & (y < num_classes)
        labels = y[mask].astype(np.uint8)
        count_l = np.bincount(labels, minlength=num_classes)
        z += count_l
    total_frequency = np.sum(z)
    class_weights = []
    for frequency in z:
        class_weight = 1 / (np.log(1.02 + (frequency / total_frequency)))
        class_weights.append(class_weight)
    ret = np.array(class_weights)
    return ret


# --- counting -------------------------------------------------------------------------------


def test_counts_of_two_images():
    counts = two_image_counts()
    assert counts.pixels.tolist() == [10, 3, 5]
    assert counts.pixels.dtype == np.int64
    assert counts.images.tolist() == [2, 1, 2]
    assert counts.image_pixels.tolist() == [18, 10, 18]
    assert counts.num_images == 2
    assert counts.ignored == 2
    assert counts.out_of_range == 0 and counts.out_of_range_where == {}
    assert counts.total == 18
    np.testing.assert_allclose(counts.frequencies, [10 / 18, 3 / 18, 5 / 18])
    assert counts.absent == ()
    assert counts.out_of_range_message() is None


def test_counts_are_read_only_copies():
    counter = ClassCounter(3)
    counter.add_labels(IMAGE_A, "a")
    counts = counter.counts
    counter.add_labels(IMAGE_A, "b")
    assert counts.pixels.tolist() == [6, 3, 1]
    with pytest.raises(ValueError):
        counts.pixels[0] = 1


def test_input_is_never_modified():
    original = IMAGE_B.astype(np.float32)
    seen = original.copy()
    count_classes([original, {"label": original}, (None, original)], 3)
    np.testing.assert_array_equal(original, seen)


@pytest.mark.parametrize(
    "wrap",
    [
        pytest.param(lambda a: a, id="array"),
        pytest.param(lambda a: {"image": None, "label": a}, id="dict"),
        pytest.param(lambda a: (np.zeros((2, 5, 3)), a), id="tuple"),
        pytest.param(lambda a: [np.zeros((2, 5, 3)), a], id="list-pair"),
        pytest.param(lambda a: a.astype(np.float32), id="float32"),
        pytest.param(lambda a: a.astype(np.float64), id="float64"),
        pytest.param(lambda a: a.astype(np.int64), id="int64"),
        pytest.param(lambda a: a.astype(np.uint16), id="uint16"),
        pytest.param(lambda a: FakeTensor(a.astype(np.float32)), id="tensor-like"),
        pytest.param(lambda a: {"label": FakeTensor(a.astype(np.int64))}, id="dict-tensor-like"),
        pytest.param(lambda a: Image.fromarray(a), id="pil"),
        pytest.param(lambda a: (None, a.tolist()), id="nested-list"),
    ],
)
def test_every_kind_of_item_counts_the_same(wrap):
    counts = count_classes([wrap(IMAGE_A), wrap(IMAGE_B)], 3)
    reference = two_image_counts()
    for name in ("pixels", "images", "image_pixels"):
        np.testing.assert_array_equal(getattr(counts, name), getattr(reference, name))
    assert (counts.num_images, counts.ignored) == (2, 2)


def test_tensor_like_goes_through_detach_cpu_numpy():
    tensor = FakeTensor(IMAGE_A)
    count_classes([tensor], 3)
    assert tensor.calls == ["detach", "cpu", "numpy"]


@pytest.mark.parametrize(
    "wrap",
    [
        pytest.param(lambda b: b, id="array"),
        pytest.param(lambda b: {"label": b, "id": ["a", "b"]}, id="dict"),
        pytest.param(lambda b: (b.astype(np.float32), b), id="tuple"),
        pytest.param(lambda b: FakeTensor(b.astype(np.float32)), id="tensor-like"),
    ],
)
def test_batches_count_each_image(wrap):
    batch = np.stack([IMAGE_A, IMAGE_B])
    counts = count_classes([wrap(batch)], 3)
    reference = two_image_counts()
    np.testing.assert_array_equal(counts.pixels, reference.pixels)
    np.testing.assert_array_equal(counts.images, reference.images)
    np.testing.assert_array_equal(counts.image_pixels, reference.image_pixels)
    assert counts.num_images == 2


def test_a_channel_axis_of_one_is_not_a_batch_axis():
    # torch and mmsegmentation keep masks as (N, 1, H, W); a (H, W, 1) map counted as H images
    # of one pixel's width gave the same pixels but H images, and median weights from them
    batch = np.stack([IMAGE_A, IMAGE_B])
    reference = count_classes([batch], 3).to_dict()
    for shaped in (batch[:, None], batch[..., None]):
        assert count_classes([shaped], 3).to_dict() == reference
    single = count_classes([IMAGE_A[..., None]], 3)
    assert single.to_dict() == count_classes([IMAGE_A], 3).to_dict() and single.num_images == 1
    narrow = np.zeros((3, 1, 4, 1), np.uint8)  # three maps 4 pixels high, one wide: the axis is left out once
    assert count_classes([narrow], 2).num_images == 3


def test_bool_labels_count_as_zero_and_one():
    counts = count_classes([np.array([[True, False, False]])], 2)
    assert counts.pixels.tolist() == [2, 1]


def test_non_integral_float_labels_are_an_error():
    labels = IMAGE_A.astype(np.float32)
    labels[0, 1] = 0.5
    labels[1, 1] = np.nan
    with pytest.raises(LabelFileError) as info:
        count_classes([IMAGE_A, {"label": labels[None]}], 3)
    assert str(info.value) == (
        "batch 1: 2 label value(s) are not whole numbers (first: 0.5); labels must hold class "
        "indices (resize label maps with nearest-neighbour interpolation)"
    )


def test_labels_scaled_by_to_tensor_are_named_as_such():
    """torchvision's ToTensor() turns a uint8 image into floats / 255, a label map too: class 2
    arrives as 0.00784. The error says so and how to make label tensors instead."""
    torch = pytest.importorskip("torch")
    # torchvision.transforms.functional.to_tensor on a uint8 image, step for step
    scaled = torch.from_numpy(IMAGE_A[None].copy()).to(dtype=torch.float32).div(255)
    loader = torch.utils.data.DataLoader([(torch.zeros(3, *IMAGE_A.shape), scaled)] * 2, batch_size=2)
    with pytest.raises(LabelFileError) as info:
        count_classes(loader, 3)
    assert "every value is a multiple of 1/255: the label map was scaled to 0..1, as torchvision's ToTensor()" in str(info.value)
    assert "PILToTensor()" in str(info.value)
    half = IMAGE_A.astype(np.float32) / 2  # fractions of another kind keep the resize hint
    with pytest.raises(LabelFileError, match="nearest-neighbour interpolation"):
        count_classes([half], 3)


def test_dict_samples_of_the_usual_loaders_are_counted():
    """albumentations' and segmentation_models_pytorch's {"image", "mask"}, Hugging Face image
    processors' {"pixel_values", "labels"}, mmsegmentation 0.x's {"img", "gt_semantic_seg"} and
    Hugging Face ADE20K's {"image", "annotation"} were refused as holding no 'label'."""
    expected = count_classes([IMAGE_A], 3).pixels.tolist()
    for sample in ({"image": 1, "mask": IMAGE_A}, {"pixel_values": 1, "labels": IMAGE_A[None]}, {"img": 1, "gt_semantic_seg": IMAGE_A},
                   {"image": 1, "annotation": IMAGE_A}, {"label": IMAGE_A, "mask": IMAGE_B}):  # fmt: skip
        assert count_classes([sample], 3).pixels.tolist() == expected, sorted(sample)
    assert count_classes([{"label": 7, "seg": IMAGE_A}], 3, key="seg").pixels.tolist() == expected


def test_one_hot_and_colour_labels_are_refused_not_counted_as_batches():
    """A one-hot encoding (C, H, W), or (H, W, C) as torch's one_hot gives, was read as a batch
    of C maps of 0 and 1 (or H maps C pixels wide), and a colour mask (H, W, 3) as H maps three
    pixels wide: weights of nonsense, without a word. Each is refused, naming the axis to take
    the argmax over or the colour; batches that merely have as many maps as classes are counted."""
    torch = pytest.importorskip("torch")
    labels = np.random.default_rng(0).integers(0, 3, (20, 30))
    planes = np.eye(3, dtype=np.float32)[labels]  # (H, W, C)
    for one_hot, axis in ((planes.transpose(2, 0, 1), 0), (planes, 2), (planes[None], 3),
                          (torch.nn.functional.one_hot(torch.from_numpy(labels), 3), 2)):  # fmt: skip
        with pytest.raises(LabelFileError) as info:
            count_classes([one_hot], 3)
        assert f"is a one-hot encoding over the 3 classes along axis {axis}, not class indices; take its argmax over that axis (labels.argmax({axis}))" in str(info.value)
    assert count_classes([planes.argmax(2)], 3).pixels.tolist() == np.bincount(labels.ravel()).tolist()
    colour = Image.fromarray(labels.astype(np.uint8)).convert("RGB")
    for image in (colour, np.array(colour.convert("RGBA"))):
        with pytest.raises(LabelFileError, match=r"shape \(20, 30, [34]\) holds [34] values per pixel, as a colour image does.*rgb_to_index"):
            count_classes([(None, image)], 9)
    # as many maps as classes, not one-hot: counted; two binary masks, one the other's complement
    # and both holding each class, read as one-hot over two classes
    batch = np.stack([labels, labels, labels])
    assert count_classes([batch], 3).num_images == 3
    mask = (labels == 1).astype(np.uint8)
    assert count_classes([np.stack([mask, mask])], 2).num_images == 2
    with pytest.raises(LabelFileError, match="one-hot encoding over the 2 classes along axis 0"):
        count_classes([np.stack([mask, 1 - mask])], 2)
    assert count_classes([np.stack([np.zeros_like(mask), np.ones_like(mask)])], 2).num_images == 2


def test_bad_items_are_errors():
    with pytest.raises(LabelFileError) as info:
        count_classes([{"image": 1, "target": IMAGE_A}], 3)
    assert str(info.value) == (
        "item 0: a dict sample must hold its label map under one of 'label', 'mask', 'labels', 'gt_semantic_seg', "
        "'annotation' (key= names another), got keys ['image', 'target']"
    )
    with pytest.raises(LabelFileError) as info:
        count_classes([{"image": 1, "mask": IMAGE_A}], 3, key="seg")
    assert str(info.value) == "item 0: a dict sample must hold its label map under 'seg', got keys ['image', 'mask']"
    with pytest.raises(LabelFileError) as info:
        count_classes([IMAGE_A, (1, IMAGE_A, "id")], 3)
    assert str(info.value) == "item 1: expected an (image, label) pair, got a tuple of 3 elements"
    with pytest.raises(LabelFileError) as info:
        count_classes([np.zeros((1, 2, 3, 4), np.uint8)], 3)
    assert str(info.value) == (
        "item 0: labels must be a (H, W) label map or a (N, H, W) batch (a channel axis of 1 may be "
        "added: (H, W, 1), (N, 1, H, W), (N, H, W, 1)), got shape (1, 2, 3, 4); scores or a one-hot "
        "encoding per class? take the argmax over the class axis first"
    )
    with pytest.raises(LabelFileError) as info:
        count_classes([np.array([["a", "b"]])], 3)
    assert str(info.value) == "item 0: labels must be integers (class indices), got dtype <U1 (ndarray)"
    with pytest.raises(LabelFileError) as info:
        count_classes([np.ones((2, 2), np.complex64)], 3)
    assert str(info.value) == "item 0: labels must be integers (class indices), got dtype complex64 (ndarray)"
    with pytest.raises(LabelFileError) as info:
        count_classes([(None, [[0, 1], [2]])], 3)
    assert str(info.value).startswith("item 0: cannot read labels as an array (")


def test_num_classes_and_ignore_index_are_checked():
    with pytest.raises(WeightsError) as info:
        count_classes([], 0)
    assert str(info.value) == (
        "num_classes must be between 1 and 255 (label values 0..254 are classes, 255 is void), got 0"
    )
    with pytest.raises(WeightsError) as info:
        count_classes([], 256)
    assert "got 256" in str(info.value)
    with pytest.raises(WeightsError) as info:
        count_classes([], 2.5)  # type: ignore[arg-type]
    assert str(info.value) == "num_classes must be an integer, got 2.5"
    with pytest.raises(WeightsError) as info:
        count_classes([], 3, ignore_index="void")  # type: ignore[arg-type]
    assert str(info.value) == "ignore_index must be an integer, got 'void'"
    with pytest.raises(WeightsError) as info:
        count_classes([], 3, ignore_index=0)
    assert str(info.value) == "ignore_index 0 is one of the classes 0..2; it must lie outside them (255, void, by default)"


def test_histogram_shape_is_checked():
    with pytest.raises(WeightsError) as info:
        ClassCounter(3).add_histogram(np.zeros(10, np.int64), "x.png")
    assert str(info.value) == "x.png: a histogram must have 256 bins, got shape (10,)"


def test_other_ignore_index():
    labels = np.array([[-1, 0, 1, 1], [-1, 255, 2, -7]], dtype=np.int64)
    counts = count_classes([labels], 3, ignore_index=-1)
    assert counts.pixels.tolist() == [1, 2, 1]
    assert counts.ignored == 2
    assert counts.out_of_range == 2
    assert counts.out_of_range_values == (-7, 255)


def test_a_training_pipelines_ignore_value_is_named_with_the_ignore_index_to_give(caplog):
    """Targets kept with PyTorch's ignore value (-100) or -1 are counted without those pixels,
    and the warning says which ignore_index counts them as ignored; another value gets no hint."""
    torch = pytest.importorskip("torch")
    target = torch.tensor([[0, 1, -100], [2, -100, 1]])
    counts = count_classes([target], 3)
    assert counts.pixels.tolist() == [1, 2, 1] and counts.out_of_range == 2
    assert counts.out_of_range_message() == (
        "2 pixel(s) hold values -100, neither a class (0..2) nor the ignore index 255; they were not counted (in "
        "sample 0); if -100 marks pixels to ignore (PyTorch's losses ignore -100 by default), give ignore_index=-100"
    )
    assert counts.out_of_range_message() in caplog.messages
    ignored = count_classes([target], 3, ignore_index=-100)
    assert ignored.pixels.tolist() == [1, 2, 1] and ignored.ignored == 2 and ignored.out_of_range == 0
    assert count_classes([target.clamp(min=-1)], 3).out_of_range_message().endswith(
        "(in sample 0); if -1 marks pixels to ignore, give ignore_index=-1"
    )
    assert count_classes([target.clamp(min=-2)], 3).out_of_range_message().endswith("(in sample 0)")


# --- out of range ---------------------------------------------------------------------------


def test_out_of_range_values_are_reported_with_where(caplog):
    bad = IMAGE_A.copy()
    bad[0, :3] = [3, 7, 7]
    batch = np.stack([IMAGE_B, bad, bad])
    wide = IMAGE_A.astype(np.int64)
    wide[0, 0] = 300
    wide[0, 1] = -2
    loader = [IMAGE_A, {"label": batch, "id": ["x", "y", "z"]}, wide, {"label": bad, "id": "w"}]
    with caplog.at_level(logging.WARNING, logger="labeltools.ops.counts"):
        counts = count_classes(loader, 3)
    assert counts.out_of_range == 3 + 3 + 2 + 3
    assert counts.out_of_range_values == (-2, 3, 7, 300)
    assert counts.out_of_range_where == {
        "batch 1, image 1 (y)": 3,
        "batch 1, image 2 (z)": 3,
        "sample 2": 2,
        "sample 3 (w)": 3,
    }
    # Out-of-range pixels count nowhere, not even as labelled pixels of their image.
    assert counts.pixels.tolist() == [6 + 4 + 3 + 3 + 4 + 3, 3 + 3 + 3 + 3 + 3, 1 + 4 + 1 + 1 + 1 + 1]
    message = (
        "11 pixel(s) hold values -2, 3, 7, 300, neither a class (0..2) nor the ignore index 255; "
        "they were not counted (in batch 1, image 1 (y), batch 1, image 2 (z), sample 2 and 1 more)"
    )
    assert counts.out_of_range_message() == message
    assert message in caplog.messages


def test_a_loaders_binary_masks_saved_as_0_and_255_are_said(caplog):
    """A loader's masks of 0 and 255 alone (a binary mask saved so) count their objects as void:
    said, with what to do where the dataset loads them; not said once 255 is class 1."""
    mask = np.zeros((4, 6), np.uint8)
    mask[1:3, 2:5] = 255
    with caplog.at_level(logging.WARNING, logger="labeltools.ops.counts"):
        counts = count_classes([mask, {"label": mask[None]}], 2)
    assert counts.pixels.tolist() == [36, 0] and counts.ignored == 12
    assert caplog.messages == [
        "the labels hold no class but 0, and 25.0% void (255): if 255 marks objects there (a binary mask saved as "
        "0/255), read them as class 1 first (mask[mask == 255] = 1 where the dataset loads a mask)"
    ]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="labeltools.ops.counts"):
        counts = count_classes([np.where(mask == 255, 1, mask)], 2)
    assert counts.pixels.tolist() == [18, 6] and caplog.messages == []


def test_strict_makes_out_of_range_an_error_and_adds_nothing_of_the_batch():
    bad = IMAGE_A.copy()
    bad[1, 4] = 21
    counter = ClassCounter(3, strict=True)
    with pytest.raises(LabelFileError) as info:
        counter.add_item(np.stack([IMAGE_A, bad]), 4)
    assert str(info.value) == (
        "batch 4, image 1: 1 pixel(s) hold values 21, expected classes 0..2 or the ignore index 255"
    )
    assert counter.counts.num_images == 0 and counter.counts.total == 0
    with pytest.raises(LabelFileError) as info:
        count_classes([IMAGE_A, bad], 3, strict=True)
    assert str(info.value) == "sample 1: 1 pixel(s) hold values 21, expected classes 0..2 or the ignore index 255"


def test_long_value_lists_are_shortened():
    labels = np.arange(3, 20, dtype=np.uint8)[None]
    with pytest.raises(LabelFileError) as info:
        count_classes([labels], 3, strict=True)
    assert "hold values 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, ..., expected" in str(info.value)


label_batches = st.lists(
    arrays(
        np.int64,
        st.tuples(st.integers(1, 3), st.integers(1, 6), st.integers(2, 6)),  # (N, H, 1) is one map with a channel axis
        elements=st.sampled_from([-3, 0, 1, 2, 3, 4, 9, 255, 400]),
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=60, deadline=None)
@given(label_batches, st.integers(1, 6))
def test_every_pixel_is_a_class_ignored_or_out_of_range(batches, num_classes):
    counts = count_classes(batches, num_classes)
    flat = np.concatenate([b.ravel() for b in batches])
    assert counts.total + counts.ignored + counts.out_of_range == flat.size
    in_range = flat[(flat >= 0) & (flat < num_classes)]
    np.testing.assert_array_equal(counts.pixels, np.bincount(in_range, minlength=num_classes))
    assert counts.ignored == int((flat == 255).sum())
    assert counts.num_images == sum(len(b) for b in batches)
    images = [image for b in batches for image in b]
    expected_images = [sum(int((image == c).any()) for image in images) for c in range(num_classes)]
    np.testing.assert_array_equal(counts.images, expected_images)
    out = sorted({int(v) for v in flat if not (0 <= v < num_classes or v == 255)})
    assert list(counts.out_of_range_values) == out


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(0, 10**9), min_size=1, max_size=12).filter(any), st.sampled_from(SCHEMES))
def test_weights_are_finite_and_normalised(pixels, scheme):
    counter = ClassCounter(len(pixels))
    histogram = np.zeros(256, np.int64)
    histogram[: len(pixels)] = pixels
    counter.add_histogram(histogram, "h")
    weights = class_weights(counter.counts, scheme)
    n = np.array(pixels, dtype=np.float64)
    present = n > 0
    assert np.isfinite(weights).all() and (weights > 0).sum() == (present.sum() if scheme != "enet" else len(n))
    if scheme == "inverse":
        assert (weights * n).sum() == pytest.approx(n.sum())
    elif scheme == "inverse-sqrt":
        assert weights[present].mean() == pytest.approx(1.0)
    elif scheme == "effective":
        assert weights.sum() == pytest.approx(present.sum())
    elif scheme == "median":  # one image: w_c * n_c is the median frequency times its pixels
        products = weights[present] * n[present]
        np.testing.assert_allclose(products, np.median(n[present]))
    else:
        order = np.argsort(n, kind="stable")
        assert (np.diff(weights[order]) <= 0).all()  # rarer classes weigh more


# --- schemes --------------------------------------------------------------------------------


def test_enet_equals_pytorch_deeplab_xception():
    rng = np.random.default_rng(7)
    batches = []
    for _ in range(5):
        y = rng.choice([0, 0, 0, 1, 2, 3, 5, 20, 255], size=(4, 33, 47)).astype(np.float32)
        batches.append(y)
    expected = deeplab_weights(batches, 21)
    counts = count_classes(({"label": FakeTensor(b)} for b in batches), 21)
    weights = class_weights(counts, "enet")
    assert weights.dtype == np.float64 and weights.shape == (21,)
    assert np.array_equal(weights, expected)


def test_enet_by_hand():
    weights = class_weights(two_image_counts(), "enet")
    expected = [1 / math.log(1.02 + 10 / 18), 1 / math.log(1.02 + 3 / 18), 1 / math.log(1.02 + 5 / 18)]
    np.testing.assert_allclose(weights, expected, rtol=1e-14)
    np.testing.assert_allclose(class_weights(two_image_counts(), "enet", c=1.5), [1 / math.log(1.5 + p) for p in (10 / 18, 3 / 18, 5 / 18)])


def test_median_by_hand():
    # freq = [10/18, 3/10, 5/18]; median 0.3
    np.testing.assert_allclose(class_weights(two_image_counts(), "median"), [0.54, 1.0, 1.08])


def test_inverse_by_hand():
    np.testing.assert_allclose(class_weights(two_image_counts(), "inverse"), [0.6, 2.0, 1.2])


def test_inverse_sqrt_by_hand():
    raw = [math.sqrt(18 / 10), math.sqrt(18 / 3), math.sqrt(18 / 5)]
    mean = sum(raw) / 3
    weights = class_weights(two_image_counts(), "inverse-sqrt")
    np.testing.assert_allclose(weights, [r / mean for r in raw])
    assert weights.mean() == pytest.approx(1.0)


def test_effective_by_hand():
    # beta = 1/2: (1 - beta) / (1 - beta**n) = 512/1023, 4/7, 16/31 for n = 10, 3, 5
    raw = [512 / 1023, 4 / 7, 16 / 31]
    weights = class_weights(two_image_counts(), "effective", beta=0.5)
    np.testing.assert_allclose(weights, [3 * r / sum(raw) for r in raw])
    assert weights.sum() == pytest.approx(3.0)
    default = class_weights(two_image_counts(), "effective")
    raw = [(1 - 0.9999) / (1 - 0.9999**n) for n in (10, 3, 5)]
    np.testing.assert_allclose(default, [3 * r / sum(raw) for r in raw])


@pytest.mark.parametrize("scheme", SCHEMES)
def test_absent_classes_get_documented_finite_weights(scheme, caplog):
    counts = two_image_counts(num_classes=5)  # classes 3 and 4 never occur
    with caplog.at_level(logging.WARNING, logger="labeltools.ops.counts"):
        weights = class_weights(counts, scheme, class_names=["bg", "cat", "dog", "bird"])
    assert np.isfinite(weights).all()
    assert counts.absent == (3, 4)
    if scheme == "enet":
        assert weights[3] == weights[4] == 1 / np.log(1.02)
        assert weights.max() == weights[3]
        assert caplog.messages == [f"2 classes have no pixels, 3 (bird), 4 (class_4): their enet weight is 1/ln(1.02) = {1 / math.log(1.02):.6g}, the largest"]
    else:
        assert weights[3] == weights[4] == 0
        # left out of medians and normalisation: the present classes weigh as without them
        np.testing.assert_allclose(weights[:3], class_weights(two_image_counts(), scheme))
        assert caplog.messages == [f"2 classes have no pixels, 3 (bird), 4 (class_4): their {scheme} weight is 0"]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="labeltools.ops.counts"):
        class_weights(two_image_counts(num_classes=4), scheme, class_names=["bg", "cat", "dog", "bird"])
    assert caplog.messages == [f"class 3 (bird) has no pixels: its {scheme} weight is " + (f"1/ln(1.02) = {1 / math.log(1.02):.6g}, the largest" if scheme == "enet" else "0")]


def test_many_classes_without_pixels_are_one_warning(caplog):
    """ADE20K's 150 classes over a few images: one line names the first ten and counts the rest."""
    counts = two_image_counts(num_classes=150)
    with caplog.at_level(logging.WARNING, logger="labeltools.ops.counts"):
        class_weights(counts, "median")
    assert caplog.messages == [
        "147 classes have no pixels, " + ", ".join(f"{i} (class_{i})" for i in range(3, 13)) + " and 137 more: their median weight is 0"
    ]


def test_weight_errors():
    counts = two_image_counts()
    with pytest.raises(WeightsError) as info:
        class_weights(counts, "balanced")
    assert str(info.value) == "unknown weighting scheme 'balanced' (known: enet, median, inverse, inverse-sqrt, effective)"
    with pytest.raises(WeightsError) as info:
        class_weights(counts, "enet", c=1.0)
    assert str(info.value) == "enet's c must be a finite number above 1 so that every weight is finite, got 1.0"
    for beta in (0.0, 1.0):
        with pytest.raises(WeightsError) as info:
            class_weights(counts, "effective", beta=beta)
        assert str(info.value) == f"effective's beta must lie strictly between 0 and 1, got {beta}"
    empty = count_classes([np.full((2, 2), 255, np.uint8), np.full((1, 1), 9, np.uint8)], 3)
    with pytest.raises(WeightsError) as info:
        class_weights(empty, "enet")
    assert str(info.value) == (
        "no pixel of classes 0..2 was counted in 2 image(s) (all void or out of range); cannot weight classes"
    )


# --- files ----------------------------------------------------------------------------------


def write_labels(folder, arrays):
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, array in enumerate(arrays):
        path = folder / f"im{i:03d}.png"
        write_label(path, array)
        paths.append(path)
    return paths


def random_labels(count, seed=0, shape=(23, 31), top=4):
    rng = np.random.default_rng(seed)
    arrays = []
    for _ in range(count):
        a = rng.integers(0, top, shape).astype(np.uint8)
        a[0, : rng.integers(0, 5)] = 255
        arrays.append(a)
    return arrays


def test_file_counts_match_array_counts_for_any_jobs(tmp_path):
    arrays = random_labels(40, top=5)
    paths = write_labels(tmp_path, arrays)
    expected = count_classes(arrays, 4)
    for jobs in (1, 2):
        counts = count_label_files(paths, 4, jobs=jobs)
        for name in ("pixels", "images", "image_pixels"):
            np.testing.assert_array_equal(getattr(counts, name), getattr(expected, name))
        assert (counts.num_images, counts.ignored, counts.out_of_range) == (40, expected.ignored, expected.out_of_range)
        # out-of-range files are named by path, in reading order
        assert list(counts.out_of_range_where) == [str(p) for p, a in zip(paths, arrays) if (a == 4).any()]
        assert list(counts.out_of_range_where.values()) == [int((a == 4).sum()) for a in arrays if (a == 4).any()]


def test_histogram_results_carry_256_bins_in_order(tmp_path):
    arrays = random_labels(5)
    paths = write_labels(tmp_path, arrays)
    results = list(histogram_label_files(paths, jobs=2))
    assert [r.source for r in results] == [str(p) for p in paths]
    for result, array in zip(results, arrays):
        assert result.ok and result.data.shape == (256,) and result.data.dtype == np.int64
        np.testing.assert_array_equal(result.data, np.bincount(array.ravel(), minlength=256))
    assert histogram_label_file(paths[0]).data.sum() == arrays[0].size


def test_bad_files_fail_and_the_rest_is_read(tmp_path):
    paths = write_labels(tmp_path, random_labels(4, top=3))
    (tmp_path / "broken.png").write_bytes(b"not a png")
    Image.new("RGB", (3, 3)).save(tmp_path / "rgb.png")
    work = [paths[0], tmp_path / "broken.png", paths[1], tmp_path / "rgb.png", tmp_path / "missing.png"]
    counter = ClassCounter(3)
    results = list(counter.add_results(histogram_label_files(work, jobs=2)))
    assert [r.ok for r in results] == [True, False, True, False, False]
    assert results[4].error == f"{tmp_path / 'missing.png'}: no such file"
    assert "rgb.png: is a colour image (mode RGB), not a label map" in results[3].error
    assert counter.counts.num_images == 2
    with pytest.raises(DatasetError) as info:
        count_label_files(work, 3, jobs=1)
    message = str(info.value)
    assert message.startswith(f"3 of 5 label file(s) failed: {tmp_path / 'broken.png'}: cannot read image (")
    assert message.endswith(f"; {tmp_path / 'missing.png'}: no such file")


def test_more_than_three_failures_are_summarised(tmp_path):
    work = [tmp_path / f"missing{i}.png" for i in range(5)]
    with pytest.raises(DatasetError) as info:
        count_label_files(work, 3, jobs=1)
    assert str(info.value).endswith("missing2.png: no such file (and 2 more)")


def test_strict_files_fail_one_by_one(tmp_path):
    arrays = random_labels(3, top=3)
    arrays[1][0, 0] = 9
    paths = write_labels(tmp_path, arrays)
    counter = ClassCounter(3, strict=True)
    results = list(counter.add_results(histogram_label_files(paths, jobs=1)))
    assert [r.ok for r in results] == [True, False, True]
    assert results[1].error == f"{paths[1]}: 1 pixel(s) hold values 9, expected classes 0..2 or the ignore index 255"
    assert counter.counts.num_images == 2


# --- outputs --------------------------------------------------------------------------------


def test_default_weights_path_is_where_deeplab_looks(tmp_path, monkeypatch):
    assert default_weights_path(tmp_path / "pascal") == tmp_path / "pascal" / "pascal_classes_weights.npy"
    assert default_weights_path(tmp_path / "pascal", "voc") == tmp_path / "pascal" / "voc_classes_weights.npy"
    # deeplab counts its weights over train: another split's never take that name
    assert default_weights_path(tmp_path / "pascal", split="train") == tmp_path / "pascal" / "pascal_classes_weights.npy"
    assert default_weights_path(tmp_path / "pascal", split="val") == tmp_path / "pascal" / "pascal_classes_weights_val.npy"
    assert default_weights_path(tmp_path / "p", scheme="median", split="trainval").name == "p_classes_weights_median_trainval.npy"
    monkeypatch.chdir(tmp_path)
    assert default_weights_path(".") == Path(".") / f"{tmp_path.name}_classes_weights.npy"


def test_save_weights_round_trip(tmp_path):
    weights = class_weights(two_image_counts(), "enet")
    target = save_weights(tmp_path / "sub" / "voc_classes_weights.npy", weights)
    loaded = np.load(target)
    assert loaded.dtype == np.float64 and loaded.shape == (3,)
    np.testing.assert_array_equal(loaded, weights)
    assert sorted(p.name for p in target.parent.iterdir()) == ["voc_classes_weights.npy"]
    other = save_weights(tmp_path / "weights.bin", weights.astype(np.float32))  # no suffix added
    assert np.load(other).dtype == np.float64


def test_save_weights_refuses_non_finite_and_leaves_nothing(tmp_path):
    with pytest.raises(WeightsError) as info:
        save_weights(tmp_path / "w.npy", np.array([1.0, np.inf]))
    assert str(info.value) == f"{tmp_path / 'w.npy'}: weights must be a 1-D array of finite numbers, got shape (2,)"
    assert list(tmp_path.iterdir()) == []


def test_provenance(tmp_path):
    counts = count_classes([IMAGE_A, IMAGE_B, np.array([[7]], np.uint8)], 3)
    weights = class_weights(counts, "effective", beta=0.5)
    record = weights_provenance(counts, weights, "effective", beta=0.5, class_names=["bg", "cat"], split="train", num_files=3)
    path = save_provenance(tmp_path / "w.json", record)
    loaded = json.loads(path.read_text())
    assert loaded["scheme"] == "effective" and loaded["parameters"] == {"beta": 0.5}
    assert loaded["split"] == "train" and loaded["num_files"] == 3
    assert loaded["weights"] == weights.tolist()
    assert [c["name"] for c in loaded["classes"]] == ["bg", "cat", "class_2"]
    assert loaded["classes"][0] == {"index": 0, "name": "bg", "pixels": 10, "images": 2, "frequency": 10 / 18, "weight": weights[0]}
    assert loaded["counts"]["pixels"] == [10, 3, 5]
    assert loaded["counts"]["ignored_pixels"] == 2
    assert loaded["counts"]["out_of_range_pixels"] == 1
    assert loaded["counts"]["out_of_range_where"] == {"sample 2": 1}
    assert weights_provenance(counts, weights, "enet")["parameters"] == {"c": 1.02}
    assert weights_provenance(counts, weights, "median")["parameters"] == {}


# --- torch ----------------------------------------------------------------------------------


@pytest.mark.filterwarnings("error::UserWarning")  # e.g. torch's warning on read-only arrays
def test_torch_tensors_and_dataloader_over_voc(tmp_path):
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader

    arrays = random_labels(7, seed=3, shape=(24, 32), top=4)
    arrays[5][3, 3] = 6
    ids = [f"2007_{i:06d}" for i in range(len(arrays))]
    make_voc(tmp_path, dict(zip(ids, arrays)), names=None, train=ids)
    dataset = VOCSegmentation(tmp_path, "train")
    expected = count_classes((read_label(p) for p in sorted((tmp_path / "SegmentationClass").glob("*.png"))), 4)

    loader = DataLoader(dataset, batch_size=3, shuffle=False, num_workers=0)
    counts = count_classes(loader, 4)
    labels_only = count_classes(DataLoader(VOCSegmentation(tmp_path, "train", load_images=False), batch_size=3), 4)
    assert labels_only.to_dict() == counts.to_dict()  # no image to batch: the loader batches the labels alone
    np.testing.assert_array_equal(counts.pixels, expected.pixels)
    np.testing.assert_array_equal(counts.images, expected.images)
    assert counts.num_images == 7
    assert counts.out_of_range_where == {"batch 1, image 2 (2007_000005)": 1}

    # deeplab-style float tensors, exactly the same enet weights
    tensors = [torch.from_numpy(np.stack(arrays[i : i + 3])).float() for i in range(0, 7, 3)]
    weights = class_weights(count_classes(({"label": t} for t in tensors), 4), "enet")
    assert np.array_equal(weights, deeplab_weights([t.numpy() for t in tensors], 4))
    assert np.array_equal(weights, class_weights(expected, "enet"))


def test_without_a_train_list_the_test_list_is_not_counted(tmp_path):
    """A dataset with a test.txt of its own and no train.txt: the weights count every label but
    the held-out ones (class weights are training statistics), and say and record which."""
    import json

    from typer.testing import CliRunner

    from labeltools.cli import app
    from labeltools.formats.voc import write_split

    root = make_voc(tmp_path / "voc", {"a": IMAGE_A, "b": IMAGE_B, "t": np.full((2, 5), 3, np.uint8)})
    write_split(root, "test", ["t"])
    result = CliRunner().invoke(app, ["weights", str(root), "--json", str(tmp_path / "w.json"), "-j", "1"])
    assert result.exit_code == 0, result.stderr
    assert f"{root}/ImageSets/Segmentation/test.txt: its 1 id(s) not counted (held out for the test)" in result.stderr
    record = json.loads((tmp_path / "w.json").read_text())
    assert record["held_out"] == ["t"] and record["num_files"] == 2
    assert [c["pixels"] for c in record["classes"]] == [10, 3, 5, 0]  # class 3 is only in the test image
    (root / "SegmentationClass" / "a.png").unlink()
    (root / "SegmentationClass" / "b.png").unlink()
    result = CliRunner().invoke(app, ["weights", str(root), "-j", "1"])
    assert result.exit_code == 1 and "every label is in test.txt, held out for the test; nothing to weight" in result.stderr


def test_a_value_that_is_no_class_is_never_counted_as_a_train_id(tmp_path):
    """COCO-Stuff's label ids skip COCO's unused ones (11, 25, ..., 90), which are train ids of
    other classes: a label holding one fails, naming it, and no weights are written; the other
    files are counted as their train ids."""
    from labeltools.jobs.weights import weigh_dataset

    labels = tmp_path / "stuffthingmaps"
    labels.mkdir()
    write_gray_label(labels / "good.png", np.array([[0, 12], [181, 255]], np.uint8))
    write_gray_label(labels / "bad.png", np.array([[0, 90], [11, 255]], np.uint8))
    weighing = weigh_dataset(tmp_path, labels_dir=labels, classes="coco-stuff", output=tmp_path / "w.npy", jobs=1)
    results = list(weighing)
    assert [r.ok for r in results] == [False, True]
    assert results[0].error == f"{labels / 'bad.png'}: holds values 11, 90, none of them a class of the coco-stuff preset (COCO-Stuff label ids 0..181, 255 unlabeled)"
    assert not (tmp_path / "w.npy").exists()
    (labels / "bad.png").unlink()
    weighing = weigh_dataset(tmp_path, labels_dir=labels, classes="coco-stuff", output=tmp_path / "w.npy", jobs=1)
    assert all(r.ok for r in weighing)
    assert weighing.counts is not None and np.flatnonzero(weighing.counts.pixels).tolist() == [0, 11, 170]  # person, stop sign, wood


# --------------------------------------------------------------------------------------------
# the weights file in mmsegmentation's loss

#: Run beside the README's loss (``void_safe_loss.py``) and a config that imports it as the README
#: says: the README's loss and mmsegmentation's own, built by its registry from the config with
#: argv[1]'s weights, on random logits and labels holding void, and PyTorch's weighted cross
#: entropy of the same.
MMSEG_LOSS = """
import json
import sys
import numpy as np
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmseg.registry import MODELS

config = Config.fromfile("loss_config.py")  # imports void_safe_loss, as training does
torch.manual_seed(0)
ours = MODELS.build(config.ours)
theirs = MODELS.build(config.theirs)
weight = torch.tensor(np.load(sys.argv[1]), dtype=torch.float32)
logits = torch.randn(2, len(weight), 6, 7)
label = torch.randint(0, len(weight), (2, 6, 7))
whole = label.clone()
label[0, :2] = 255
label[1, :, :3] = 255
out = {
    "ours": float(ours(logits, label, ignore_index=255)),
    "torch": float(F.cross_entropy(logits, label, weight=weight, ignore_index=255)),
    "ours without void": float(ours(logits, whole, ignore_index=255)),
    "theirs without void": float(theirs(logits, whole, ignore_index=255)),
}
try:
    theirs(logits, label, ignore_index=255)
except IndexError as error:
    out["theirs"] = str(error)
print(json.dumps(out))
"""


def test_the_readmes_mmsegmentation_loss_takes_the_weights_file_where_its_own_fails_on_void(tmp_path: Path) -> None:
    """The weights file `labeltools weights` writes, as mmsegmentation 1.2.2's registry builds a
    loss from a config (which imports the README's module by ``custom_imports``, as the README
    says): its own CrossEntropyLoss fails on a label holding void, the README's loss gives
    PyTorch's weighted cross entropy with void left out, and without void the two agree."""
    import re
    import subprocess

    from consumers import mmseg_modules, run_in

    pytest.importorskip("torch")
    labels = {f"im{i}": np.zeros((5, 6), np.uint8) for i in range(4)}
    for i, label in enumerate(labels.values()):
        label[:, : 1 + i] = 1
        label[:2, 4:] = 2
        label[4] = 255
    root = make_voc(tmp_path / "dataset", labels, names=["background", "road", "car"])
    done = subprocess.run([sys.executable, "-m", "labeltools", "weights", str(root)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    weights = root / "dataset_classes_weights.npy"
    assert np.load(weights).shape == (3,) and len(set(np.load(weights).tolist())) > 1  # not all one weight
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    block = re.search(r"```python\n(# void_safe_loss\.py.*?)```", readme, re.S)
    assert block is not None
    training = tmp_path / "training"  # where training starts: the module is found there
    training.mkdir()
    (training / "void_safe_loss.py").write_text(block.group(1))
    (training / "loss_config.py").write_text(
        'custom_imports = dict(imports=["void_safe_loss"], allow_failed_imports=False)\n'
        f"ours = dict(type='VoidSafeCrossEntropyLoss', class_weight={str(weights)!r})\n"
        f"theirs = dict(type='CrossEntropyLoss', class_weight={str(weights)!r})\n"
    )
    done = run_in("mmsegmentation", MMSEG_LOSS, training, str(weights), path=mmseg_modules())
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.splitlines()[-1])
    assert out["theirs"] == "index 255 is out of bounds for dimension 0 with size 3"
    assert out["ours"] == pytest.approx(out["torch"], rel=1e-6)
    assert out["ours without void"] == pytest.approx(out["theirs without void"], rel=1e-6)


def test_weights_of_a_dataset_on_a_read_only_mount_are_refused_before_counting_naming_o(tmp_path: Path) -> None:
    """Data is often mounted read-only into a container: ``weights DATASET`` counted every label,
    then failed to write beside them ("cannot write (Read-only file system)"). The default place
    is checked first, the message names ``-o``, and ``-o`` elsewhere writes them."""
    import subprocess

    root = make_voc(tmp_path / "voc", {"a": np.eye(6, 8, dtype=np.uint8), "b": np.zeros((6, 8), np.uint8)}, names=["bg", "cat"])
    mounted = tmp_path / "mounted"
    mounted.mkdir()
    bound = subprocess.run(["mount", "--bind", str(root), str(mounted)], capture_output=True, text=True)
    if bound.returncode != 0:
        pytest.skip(f"cannot bind-mount a folder here ({bound.stderr.strip()})")
    try:
        made = subprocess.run(["mount", "-o", "remount,bind,ro", str(mounted)], capture_output=True, text=True)
        assert made.returncode == 0, made.stderr
        command = [sys.executable, "-m", "labeltools", "weights", str(mounted)]
        refused = subprocess.run(command, capture_output=True, text=True, timeout=300)
        assert refused.returncode == 1, refused.stderr
        said = " ".join(refused.stderr.split())
        assert f"error: {mounted}: the weights cannot be written there (a read-only folder or file system); -o FILE writes them elsewhere" in said
        assert "counted" not in said  # refused before reading a label
        written = subprocess.run([*command, "-o", str(tmp_path / "w.npy")], capture_output=True, text=True, timeout=300)
        assert written.returncode == 0, written.stderr
        assert np.load(tmp_path / "w.npy").shape == (2,)
    finally:
        subprocess.run(["umount", str(mounted)], capture_output=True)
