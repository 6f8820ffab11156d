from __future__ import annotations

import os
import shlex
import tracemalloc
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from labeltools import (
    ColourImageError,
    LabelFileError,
    LabeltoolsError,
    atomic_write,
    label_histogram,
    read_label,
    read_label_palette,
    recolor_label_files,
    voc_colormap,
    write_gray_label,
    write_label,
)
from labeltools.core.arrays import MAX_RUN_SHARE, as_label_array, run_counts, to_array
from labeltools.core.errors import EvaluationError
from labeltools.formats.labels import write_label_image


def test_written_file_is_a_voc_palette_png(tmp_path, blobs_label):
    path = tmp_path / "a.png"
    write_label(path, blobs_label)
    with Image.open(path) as image:
        assert image.format == "PNG" and image.mode == "P"
        palette = np.asarray(image.getpalette()[:768], dtype=np.uint8).reshape(256, 3)
        np.testing.assert_array_equal(palette, voc_colormap(256))
        np.testing.assert_array_equal(np.asarray(image), blobs_label)


@settings(max_examples=40, deadline=None)
@given(arrays(np.uint8, st.tuples(st.integers(1, 20), st.integers(1, 20))))
def test_round_trip(tmp_path_factory, label):
    path = tmp_path_factory.mktemp("rt") / "x.png"
    write_label(path, label)
    np.testing.assert_array_equal(read_label(path), label)


def test_minus_one_becomes_void(tmp_path):
    path = tmp_path / "m.png"
    write_label(path, np.array([[-1, 0], [3, 254]], dtype=np.int32))
    np.testing.assert_array_equal(read_label(path), [[255, 0], [3, 254]])


def test_integral_floats_and_bools_are_accepted():
    np.testing.assert_array_equal(as_label_array(np.array([[1.0, 255.0]])), [[1, 255]])
    np.testing.assert_array_equal(as_label_array(np.array([[True, False]])), [[1, 0]])


def test_caller_array_is_not_mutated(tmp_path):
    label = np.array([[-1, 2]], dtype=np.int64)
    write_label(tmp_path / "n.png", label)
    assert label.tolist() == [[-1, 2]]


def test_a_map_with_an_axis_of_one_or_as_a_tensor_is_written(tmp_path):
    """``logits.argmax(1)`` of one image is ``(1, H, W)``, and a mask loaded with its channel
    ``(H, W, 1)``: each was refused as no 2-D array, and a tensor that requires grad failed with
    numpy's own error; each is written as the map it holds."""
    torch = pytest.importorskip("torch")
    label = np.array([[0, 1, 2], [255, 4, 5]], np.uint8)
    for given in (label[None], label[..., None], torch.from_numpy(label.astype(np.int64))[None],
                  torch.from_numpy(label.astype(np.float32)).requires_grad_()):  # fmt: skip
        write_label(tmp_path / "x.png", given)
        np.testing.assert_array_equal(read_label(tmp_path / "x.png"), label)


@pytest.mark.parametrize(
    "array, message",
    [
        (np.array([[0, 256, 300]]), r"2 pixel\(s\) lie outside the label range .*save such data as \.npy"),
        (np.array([[-2, 0]]), r"1 pixel\(s\) lie outside the label range \(values span -2\.\.0; allowed are -1 or 255 for void and 0\.\.254 for classes\); a PNG label map holds one byte per pixel, so save such data as \.npy instead$"),
        (
            np.array([[-100, 0, 3]]),
            r"1 pixel\(s\) lie outside the label range \(values span -100\.\.3; .*\); if -100 marks pixels to ignore \(PyTorch's "
            r"losses ignore -100 by default\), make it void \(255\) first: np\.where\(label == -100, 255, label\)$",
        ),
        (np.array([[0.5, 1.0]]), r"1 pixel\(s\) are not whole numbers.*\.npy"),
        (np.array([[np.nan, 1.0]]), r"1 pixel\(s\) are not whole numbers"),
        (np.array([[0, 7, 255]]) / 255, r"1 pixel\(s\) are not whole numbers; every value is a multiple of 1/255: .*ToTensor"),
        (np.zeros((2, 2, 3), dtype=np.uint8), r"must be a 2-D \(H, W\) array, got shape \(2, 2, 3\).*labeltools remap"),
        (np.zeros((2, 2, 5), dtype=np.uint8), r"got shape \(2, 2, 5\) \(scores or a one-hot encoding per class\? take the argmax over the class axis first\)"),
        (np.zeros((2, 2, 2), dtype=np.uint8), r"got shape \(2, 2, 2\)"),
        (np.array([["a"]]), "must be numbers"),
    ],
)
def test_bad_arrays_are_refused_and_nothing_is_written(tmp_path, array, message):
    path = tmp_path / "bad.png"
    with pytest.raises(LabelFileError, match=message):
        write_label(path, array)
    assert not path.exists()
    assert os.listdir(tmp_path) == []


def test_read_grayscale_and_16bit(tmp_path, blobs_label):
    Image.fromarray(blobs_label).save(tmp_path / "g.png")
    np.testing.assert_array_equal(read_label(tmp_path / "g.png"), blobs_label)
    label, palette = read_label_palette(tmp_path / "g.png")
    assert palette is None
    Image.fromarray(blobs_label.astype(np.uint16)).save(tmp_path / "w.png")
    np.testing.assert_array_equal(read_label(tmp_path / "w.png"), blobs_label)


def test_16bit_values_that_do_not_fit(tmp_path):
    Image.fromarray(np.array([[0, 300, 1000]], dtype=np.uint16)).save(tmp_path / "w.png")
    with pytest.raises(LabelFileError, match=r"w.png: 16-bit image with 2 pixel\(s\) outside 0..255 \(max 1000\)"):
        read_label(tmp_path / "w.png")


def test_palette_indices_are_not_converted_to_colours(tmp_path):
    image = Image.fromarray(np.array([[0, 1], [2, 3]], dtype=np.uint8))
    image.putpalette([9, 9, 9, 200, 0, 0, 0, 200, 0, 0, 0, 200] + [0] * 756)
    image.save(tmp_path / "p.png")
    label, palette = read_label_palette(tmp_path / "p.png")
    assert label.tolist() == [[0, 1], [2, 3]]
    assert tuple(palette[1]) == (200, 0, 0)


def test_rgb_file_points_to_remap(tmp_path):
    Image.new("RGB", (4, 4)).save(tmp_path / "rgb.png")
    with pytest.raises(ColourImageError, match=r"rgb.png: is a colour image \(mode RGB\), not a label map.*labeltools remap"):
        read_label(tmp_path / "rgb.png")


def test_a_label_map_saved_in_the_voc_colours_is_named_so(tmp_path, blobs_label):
    """A label map saved as RGB in the VOC colormap (a tool's or a model's picture of it) was
    refused like any colour image; its colours say what it is and what gives its indices back.
    A photo, and an image of one colour, say nothing more."""
    Image.fromarray(voc_colormap(256)[blobs_label]).save(tmp_path / "drawn.png")
    with pytest.raises(ColourImageError) as info:
        read_label(tmp_path / "drawn.png")
    assert str(info.value).endswith(
        "; its colours are all the VOC colormap's, a label map saved in colour: labeltools remap FILES -c TABLE "
        "(the dataset's class_names.txt, or a preset) -d FOLDER gives back its class indices"
    )
    photo = np.random.default_rng(0).integers(0, 256, (40, 60, 3), dtype=np.uint8)
    for name, pixels in (("photo.png", photo), ("black.png", np.zeros((4, 4, 3), np.uint8))):
        Image.fromarray(pixels).save(tmp_path / name)
        with pytest.raises(ColourImageError) as info:
            read_label(tmp_path / name)
        assert "colours are all" not in str(info.value)


def test_a_label_map_saved_in_cityscapes_colours_is_named_with_the_table_that_reads_it(tmp_path):
    """Cityscapes' *_color.png (or a model's picture in its colours) was refused as any colour
    image; it is named as such, with the remap line whose table gives back its train ids, which
    that line gives. A picture in mmsegmentation's ADE20K palette, which gives road and skyscraper
    one colour, is not (no table tells them apart again)."""
    from typer.testing import CliRunner

    from labeltools import ClassTable, index_to_rgb
    from labeltools.cli import app

    label = np.array([7, 8, 11, 21, 23, 26], np.uint8)[np.arange(48).reshape(6, 8) % 6]
    Image.fromarray(index_to_rgb(label, ClassTable.preset("cityscapes"))).save(tmp_path / "x_gtFine_color.png")
    with pytest.raises(ColourImageError) as info:
        read_label(tmp_path / "x_gtFine_color.png")
    assert str(info.value).endswith(
        "; its colours are all the cityscapes preset's, a label map saved in colour: labeltools remap FILES -c "
        "cityscapes-train gives back its train ids (-c cityscapes its label ids) -d FOLDER"
    )
    result = CliRunner().invoke(app, ["remap", str(tmp_path / "x_gtFine_color.png"), "-c", "cityscapes-train", "-d", str(tmp_path / "ids"), "--strict"])
    assert result.exit_code == 0, result.output
    trained = read_label(tmp_path / "ids" / "x_gtFine_labelTrainIds.png")
    np.testing.assert_array_equal(trained, ClassTable.preset("cityscapes").id_to_train_id()[label])
    ade = np.array([0, 1, 6, 48], np.uint8)[np.arange(48).reshape(6, 8) % 4]
    Image.fromarray(index_to_rgb(ade, ClassTable.preset("ade20k-train"))).save(tmp_path / "ade.png")
    with pytest.raises(ColourImageError) as info:
        read_label(tmp_path / "ade.png")
    assert "colours are all" not in str(info.value)


def test_missing_and_truncated_files(tmp_path, blobs_label):
    with pytest.raises(LabelFileError, match=r"nope.png: no such file"):
        read_label(tmp_path / "nope.png")
    write_label(tmp_path / "ok.png", blobs_label)
    data = (tmp_path / "ok.png").read_bytes()
    (tmp_path / "cut.png").write_bytes(data[: len(data) // 2])
    with pytest.raises(LabelFileError, match=r"cut.png: cannot read image"):
        read_label(tmp_path / "cut.png")
    with pytest.raises(LabelFileError, match=r"cut.png: cannot read image"):
        label_histogram(tmp_path / "cut.png")


def test_histogram_matches_bincount(tmp_path, blobs_label):
    write_label(tmp_path / "a.png", blobs_label)
    write_gray_label(tmp_path / "g.png", blobs_label)
    expected = np.bincount(blobs_label.ravel(), minlength=256)
    for name in ("a.png", "g.png"):
        counts, shape = label_histogram(tmp_path / name)
        np.testing.assert_array_equal(counts, expected)
        assert shape == (24, 32)
    Image.fromarray(blobs_label.astype(np.uint16)).save(tmp_path / "w.png")
    np.testing.assert_array_equal(label_histogram(tmp_path / "w.png")[0], expected)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 255), st.integers(1, 300)), max_size=40))
def test_run_counts_equal_bincount_or_decline_noise(runs):
    values = np.concatenate([np.full(n, v, np.uint8) for v, n in runs]) if runs else np.zeros(0, np.uint8)
    counts = run_counts(values)
    changes = int(np.count_nonzero(values[1:] != values[:-1])) if len(values) else 0
    if changes > len(values) * MAX_RUN_SHARE:
        assert counts is None
    else:
        assert counts is not None and counts.dtype == np.int64
        np.testing.assert_array_equal(counts, np.bincount(values, minlength=256))


def test_run_counts_go_block_by_block_with_small_temporaries(monkeypatch):
    rng = np.random.default_rng(5)
    values = np.repeat(rng.integers(0, 256, 3000).astype(np.uint8), rng.integers(1, 30000, 3000))
    expected = np.bincount(values, minlength=256)
    tracemalloc.start()
    counts = run_counts(values)  # about 45 MB: one block's temporaries are a few MB
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    np.testing.assert_array_equal(counts, expected)
    assert peak < values.size / 4, peak
    monkeypatch.setattr("labeltools.core.arrays.RUN_BLOCK", 37)  # runs cut at every block's edge
    part = values[: 200_000]
    np.testing.assert_array_equal(run_counts(part), np.bincount(part, minlength=256))


@pytest.mark.parametrize("kind", ["regions", "noise"])
def test_label_histogram_counts_regions_by_runs_and_noise_plainly(tmp_path, kind):
    rng = np.random.default_rng(3)
    if kind == "regions":  # long runs: counted run by run
        label = np.repeat(np.repeat(rng.integers(0, 256, (6, 9)), 32, 0), 32, 1).astype(np.uint8)
    else:  # every pixel its own run: left to Pillow's pass
        label = rng.integers(0, 256, (90, 140)).astype(np.uint8)
    assert (run_counts(label.ravel()) is None) == (kind == "noise")
    write_label(tmp_path / "x.png", label)
    counts, shape = label_histogram(tmp_path / "x.png")
    np.testing.assert_array_equal(counts, np.bincount(label.ravel(), minlength=256))
    assert shape == label.shape


def test_atomic_write_leaves_nothing_on_error(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_write(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    assert sorted(os.listdir(tmp_path)) == ["out.txt"]


@pytest.mark.usefixtures("usual_umask")
def test_written_files_get_the_usual_permissions(tmp_path, blobs_label):
    write_label(tmp_path / "a.png", blobs_label)
    assert (tmp_path / "a.png").stat().st_mode & 0o777 == 0o644


def test_write_label_image_writes_a_palette_png_without_touching_the_image(tmp_path, blobs_label):
    image = Image.fromarray(blobs_label)
    write_label_image(tmp_path / "a.png", image, voc_colormap(256)[::-1].copy())
    assert image.mode == "L"
    label, palette = read_label_palette(tmp_path / "a.png")
    np.testing.assert_array_equal(label, blobs_label)
    np.testing.assert_array_equal(palette[0], (224, 224, 192))
    with pytest.raises(LabelFileError, match=r"b\.png: a label image must have mode L or P, got RGB"):
        write_label_image(tmp_path / "b.png", Image.new("RGB", (2, 2)))


def test_recolor_round_trip(tmp_path, blobs_label):
    write_gray_label(tmp_path / "a.png", blobs_label)
    results = list(recolor_label_files([tmp_path / "a.png"], tmp_path / "colour"))
    assert results[0].ok and Image.open(tmp_path / "colour" / "a.png").mode == "P"
    list(recolor_label_files([tmp_path / "colour" / "a.png"], tmp_path / "gray", gray=True))
    with Image.open(tmp_path / "gray" / "a.png") as image:
        assert image.mode == "L"
        np.testing.assert_array_equal(np.asarray(image), blobs_label)


def test_recolor_reports_bad_file_and_continues(tmp_path, blobs_label):
    write_gray_label(tmp_path / "a.png", blobs_label)
    Image.new("RGB", (3, 3)).save(tmp_path / "b.png")
    write_gray_label(tmp_path / "c.png", blobs_label)
    results = list(recolor_label_files(sorted(tmp_path.glob("*.png")), tmp_path / "out", jobs=2))
    assert [r.ok for r in results] == [True, False, True]
    assert "b.png: is a colour image (mode RGB)" in results[1].error
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.png", "c.png"]


def test_recolor_refuses_clashing_stems(tmp_path, blobs_label):
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    write_gray_label(tmp_path / "x" / "a.png", blobs_label)
    write_gray_label(tmp_path / "y" / "a.png", blobs_label)
    with pytest.raises(LabelFileError, match="same name would write the same output file"):
        list(recolor_label_files([tmp_path / "x" / "a.png", tmp_path / "y" / "a.png"], tmp_path / "o"))
    assert not (tmp_path / "o").exists()


def test_atomic_write_creates_missing_folders(tmp_path):
    target = tmp_path / "new" / "deeper" / "out.json"
    with atomic_write(target) as tmp:
        tmp.write_text("{}")
    assert target.read_text() == "{}"


class _Tensor:
    """Quacks like a torch tensor: ``.detach().cpu().numpy()``."""

    def __init__(self, array):
        self.array = array

    def detach(self):
        return self

    def cpu(self):
        return self

    def numpy(self):
        return self.array


def test_to_array_reads_tensors_lists_and_bools_without_copying_or_modifying():
    data = np.arange(6, dtype=np.int16).reshape(2, 3)
    assert to_array(_Tensor(data), "t") is data
    assert to_array([[1, 2], [3, 4]], "l").tolist() == [[1, 2], [3, 4]]
    flags = np.array([[True, False]])
    as_bytes = to_array(flags, "b")
    assert as_bytes.dtype == np.uint8 and as_bytes.tolist() == [[1, 0]]
    assert flags.dtype == np.bool_ and flags.tolist() == [[True, False]]


def test_to_array_turns_a_ragged_list_into_the_given_error():
    with pytest.raises(LabelFileError) as info:
        to_array([[0, 1], [2]], "batch 3")
    assert str(info.value).startswith("batch 3: cannot read labels as an array (")
    with pytest.raises(EvaluationError) as info:
        to_array([[0, 1], [2]], "ground truth", EvaluationError)
    assert str(info.value).startswith("ground truth: cannot read labels as an array (")


def test_an_oversized_label_is_a_label_file_error(tmp_path, blobs_label, monkeypatch):
    write_label(tmp_path / "big.png", blobs_label)
    monkeypatch.setenv("LABELTOOLS_MAX_PIXELS", "700")  # 24x32 = 768 pixels
    with pytest.raises(LabelFileError, match=r"big.png: image of 32x24 = 768 pixels exceeds the limit of 700 pixels"):
        read_label(tmp_path / "big.png")


def test_the_pixel_limit_is_ours_not_pillows(tmp_path, blobs_label, monkeypatch):
    write_label(tmp_path / "big.png", blobs_label)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)  # Pillow would call 768 pixels a bomb
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no DecompressionBombWarning either
        assert (read_label(tmp_path / "big.png") == blobs_label).all()
    assert Image.MAX_IMAGE_PIXELS == 100  # left as it was
    monkeypatch.setenv("LABELTOOLS_MAX_PIXELS", "many")
    with pytest.raises(LabeltoolsError, match="LABELTOOLS_MAX_PIXELS='many': must be a positive whole number"):
        read_label(tmp_path / "big.png")


# --- the plain-PNG fast path -------------------------------------------------------------------


def _png(width: int, height: int, colour: int, rows: bytes, palette: bytes | None = None, interlace: int = 0) -> bytes:
    """A PNG built chunk by chunk: 8-bit, colour type ``colour``, ``rows`` the raw scanlines
    (each with its filter byte)."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, interlace)
    parts = [b"\x89PNG\r\n\x1a\n", chunk(b"IHDR", header)]
    if palette is not None:
        parts.append(chunk(b"PLTE", palette))
    parts += [chunk(b"IDAT", zlib.compress(rows)), chunk(b"IEND", b"")]
    return b"".join(parts)


@settings(max_examples=60, deadline=None)
@given(arrays(np.uint8, st.tuples(st.integers(1, 40), st.integers(1, 40))), st.sampled_from(["P", "L"]))
def test_the_fast_path_reads_what_pillow_reads(tmp_path_factory, label, mode):
    from labeltools.formats.labels import plain_png

    path = tmp_path_factory.mktemp("png") / "x.png"
    if mode == "P":
        write_label(path, label)
    else:
        Image.fromarray(label).save(path)
    with Image.open(path) as image:
        expected = np.asarray(image)
        expected_palette = np.asarray(image.getpalette("RGB")).reshape(-1, 3)[:256] if mode == "P" else None
    plain = plain_png(path.read_bytes(), str(path))
    if plain is not None:  # Pillow may filter the rows of an L image: then the fast path steps aside
        np.testing.assert_array_equal(plain.pixels, expected)
        if mode == "P":
            np.testing.assert_array_equal(plain.palette[: len(expected_palette)], expected_palette)
    if mode == "P":
        assert plain is not None  # labeltools' own labels always take the fast path
    read, palette = read_label_palette(path)
    np.testing.assert_array_equal(read, expected)
    assert read.flags.c_contiguous
    counts, shape = label_histogram(path)
    np.testing.assert_array_equal(counts, np.bincount(expected.ravel(), minlength=256))
    assert shape == expected.shape


def test_pngs_the_fast_path_does_not_take_are_read_by_pillow(tmp_path):
    from labeltools.formats.labels import plain_png

    pixels = np.arange(12, dtype=np.uint8).reshape(3, 4) * 7
    sub = bytearray()  # rows stored with the Sub filter (1): each byte minus its left neighbour
    for row in pixels:
        sub += bytes([1]) + bytes(np.diff(row, prepend=0).astype(np.uint8))
    cases = {
        "filtered": _png(4, 3, 0, bytes(sub)),
        "interlaced": _png(4, 3, 0, b"".join(b"\x00" + bytes(r) for r in pixels), interlace=1),
        "no palette": _png(4, 3, 3, b"".join(b"\x00" + bytes(r) for r in pixels)),
        "truncated": _png(4, 3, 0, b"".join(b"\x00" + bytes(r) for r in pixels))[:-30],
    }
    filtered = tmp_path / "filtered.png"
    filtered.write_bytes(cases["filtered"])
    assert plain_png(cases["filtered"], "filtered.png") is None
    np.testing.assert_array_equal(read_label(filtered), pixels)
    np.testing.assert_array_equal(label_histogram(filtered)[0], np.bincount(pixels.ravel(), minlength=256))
    assert plain_png(cases["no palette"], "x.png") is None
    assert plain_png(cases["truncated"], "x.png") is None
    assert plain_png(cases["interlaced"], "x.png") is None
    wide = tmp_path / "wide.png"
    Image.fromarray(pixels.astype(np.uint16) * 100).save(wide)
    assert plain_png(wide.read_bytes(), "wide.png") is None


def test_the_fast_path_keeps_the_pixel_limit(tmp_path, monkeypatch):
    from labeltools.core.errors import LabelFileError
    from labeltools.formats.labels import plain_png

    data = _png(4, 3, 0, b"".join(b"\x00" + bytes(4) for _ in range(3)))
    monkeypatch.setenv("LABELTOOLS_MAX_PIXELS", "11")
    with pytest.raises(LabelFileError, match="x.png"):
        plain_png(data, "x.png")


def test_a_label_map_saved_as_jpeg_is_refused_by_every_reader(tmp_path, blobs_label):
    """A JPEG's values are its compression's shifts of the classes along every edge: stats,
    weights, colorize, excel, remap --to-rgb and evaluate refuse it, named .png or not, with the
    way out; remap --index-map of ranges reads it, and a folder of them says what they are."""
    from typer.testing import CliRunner

    from labeltools.cli import app
    from conftest import make_voc

    labels = np.where(blobs_label == 255, 0, blobs_label % 4).astype(np.uint8)
    folder = tmp_path / "jpegs"
    folder.mkdir()
    Image.fromarray(labels).save(folder / "a.jpg", quality=90)
    shifted = np.asarray(Image.open(folder / "a.jpg"))
    assert (shifted != labels).any()  # what the refusal is about
    voc = make_voc(tmp_path / "voc", {"a": labels}, train=["a"])
    (voc / "SegmentationClass" / "a.png").write_bytes((folder / "a.jpg").read_bytes())  # renamed, as people do

    def refusal(path):
        named = "" if path.suffix == ".jpg" else " named .png"
        return (
            f"{path}: is a JPEG{named}, not a label map: a label map must be a PNG, which keeps every class value (a "
            "JPEG's compression changes them along every edge); save it again as a PNG where it was made, or read a mask "
            f"of 0 and 255 by ranges of values: labeltools remap {shlex.quote(str(path))} --index-map 0-127:0,128-255:1 -d FOLDER"
        )

    for reader in (read_label, label_histogram):
        for path in (folder / "a.jpg", voc / "SegmentationClass" / "a.png"):
            with pytest.raises(LabelFileError) as info:
                reader(path)
            assert str(info.value) == refusal(path)
    renamed = voc / "SegmentationClass" / "a.png"
    runs = {
        "stats": ["stats", str(voc)],
        "weights": ["weights", str(voc), "-o", str(tmp_path / "w.npy")],
        "colorize": ["colorize", str(folder / "a.jpg"), "-d", str(tmp_path / "colour")],
        "excel": ["excel", str(folder / "a.jpg"), "-o", str(tmp_path / "a.xlsx")],
        "remap": ["remap", str(folder / "a.jpg"), "--to-rgb", "-c", "voc", "-d", str(tmp_path / "rgb")],
        "evaluate": ["evaluate", str(voc / "SegmentationClass"), str(voc / "SegmentationClass"), "-c", "voc"],
    }
    for command, args in runs.items():
        result = CliRunner().invoke(app, [*args, "-j", "1"])
        assert result.exit_code != 0, command
        path = folder / "a.jpg" if command in ("colorize", "excel", "remap") else renamed
        assert refusal(path) in " ".join(result.stderr.split()), command
    assert not (tmp_path / "w.npy").exists() and not (tmp_path / "a.xlsx").exists()
    assert not list((tmp_path / "colour").glob("*.png")) and not list((tmp_path / "rgb").glob("*.png"))

    result = CliRunner().invoke(app, ["stats", str(folder)])
    assert result.exit_code == 1 and " ".join(result.stderr.split()) == (
        f"error: {folder}: not a VOC dataset folder (no SegmentationClass/ inside); it holds 1 JPEG image(s) of small "
        "grey values, class indices as label maps hold (a.jpg), and label files are PNGs: a label map must be a PNG, "
        "which keeps every class value (a JPEG's compression changes them along every edge); save them again as PNGs "
        "where they were made"
    )
    result = CliRunner().invoke(app, ["remap", str(folder), "--index-map", "0-1:0,2-255:1", "-d", str(tmp_path / "ranged"), "-j", "1"])
    assert result.exit_code == 0, result.output
    np.testing.assert_array_equal(read_label(tmp_path / "ranged" / "a.png"), (shifted >= 2).astype(np.uint8))
