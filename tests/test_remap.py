from __future__ import annotations

import json
import re
import shlex
import shutil

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image
from typer.testing import CliRunner

from exports import CAMVID, camvid_class_dict
from labeltools import (
    ClassEntry,
    ClassTable,
    ColourImageError,
    IndexMap,
    LabelFileError,
    RemapError,
    VOID,
    RemapReport,
    index_to_index,
    index_to_index_with_report,
    index_to_rgb,
    merge_reports,
    palette_to_index_with_report,
    read_label,
    read_label_palette,
    remap_files,
    rgb_to_index,
    rgb_to_index_with_report,
    voc_colormap,
    write_gray_label,
    write_label,
)
from labeltools.cli import app
from labeltools.formats.folders import other_masks_hint
from labeltools.formats.labels import COLOUR_MODES, INDEX_MODES
from labeltools.formats.voc import save_class_table
from labeltools.jobs.convert import SAMPLE_DIR
from labeltools.jobs.remap import index_file_to_rgb, remap_color_file, remap_index_file
from labeltools.ops.remap import (
    color_conflicts,
    resolve_colors,
    suggested_tolerance,
    target_palette,
)

VOC = ClassTable.preset("voc")
CITYSCAPES = ClassTable.preset("cityscapes")
CITYSCAPES_TRAIN = ClassTable.preset("cityscapes-train")
BOUNDARY = (224, 224, 192)


def voc_mask(label: np.ndarray) -> np.ndarray:
    """Colour a label map with the VOC colormap, as VOC's SegmentationClass PNGs look."""
    return voc_colormap(256)[label]


def opaque(rgb: np.ndarray) -> np.ndarray:
    """``(H, W, 3)`` colours as ``(H, W, 4)`` RGBA with alpha 255 (a new array)."""
    return np.concatenate([rgb, np.full(rgb.shape[:2] + (1,), 255, np.uint8)], axis=-1)


def label_with_boundary() -> np.ndarray:
    label = np.zeros((30, 40), dtype=np.uint8)
    label[4:14, 5:20] = 15  # person
    label[16:26, 10:35] = 7  # car
    label[3, 4:21] = label[14, 4:21] = 255  # boundary band around the person
    label[3:15, 4] = label[3:15, 20] = 255
    return label


# --- colour -> index ------------------------------------------------------------------------


def test_voc_mask_with_boundary_band():
    label = label_with_boundary()
    rgb = voc_mask(label)
    result, report = rgb_to_index_with_report(rgb, VOC)
    np.testing.assert_array_equal(result, label)
    assert result.dtype == np.uint8 and result.shape == (30, 40)
    band = int((label == 255).sum())
    assert report.pixels == 1200 and report.void_mapped == band
    assert report.unknown == report.alpha == report.ambiguous == report.tolerated == 0
    assert report.void == band


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["voc", "cityscapes", "cityscapes-train"]).flatmap(
        lambda name: st.tuples(
            st.just(name),
            arrays(
                np.uint8,
                st.tuples(st.integers(1, 12), st.integers(1, 12)),
                elements=st.sampled_from(
                    sorted(set(resolve_colors(ClassTable.preset(name)).values()))
                ),
            ),
        )
    )
)
def test_round_trip_index_to_rgb_to_index(case):
    name, label = case
    table = ClassTable.preset(name)
    np.testing.assert_array_equal(rgb_to_index(index_to_rgb(label, table), table), label)


def test_every_official_cityscapes_colour_goes_to_its_train_id():
    from cityscapesscripts.helpers.labels import labels

    # Reference: a colour goes to the trainId of the label evaluated with it, else to 255.
    expected: dict[tuple[int, int, int], int] = {}
    for lab in labels:
        if not lab.ignoreInEval:
            expected[lab.color] = lab.trainId
    for lab in labels:
        expected.setdefault(lab.color, 255)
    assert expected[(0, 0, 142)] == 13 and expected[(153, 153, 153)] == 5
    colors = np.array([lab.color for lab in labels], dtype=np.uint8)[None]  # (1, 35, 3)
    want = np.array([[expected[lab.color] for lab in labels]], dtype=np.uint8)
    np.testing.assert_array_equal(rgb_to_index(colors, CITYSCAPES_TRAIN), want)
    # Cityscapes' *_color.png files are RGBA with alpha 255.
    rgba = opaque(colors)
    np.testing.assert_array_equal(rgb_to_index(rgba, CITYSCAPES_TRAIN), want)
    # Every colour of the train preset is a class or void: none is unknown (--strict passes).
    _, report = rgb_to_index_with_report(colors, CITYSCAPES_TRAIN)
    assert report.unknown == 0 and report.void_mapped == int((want == 255).sum())


def test_every_official_cityscapes_colour_goes_to_its_label_id():
    from cityscapesscripts.helpers.labels import labels

    # The cityscapes preset holds labelIds, in remap as in every command: a colour goes to the
    # id of the label evaluated with it, else to the first label of that colour.
    expected: dict[tuple[int, int, int], int] = {}
    for lab in labels:
        if not lab.ignoreInEval and lab.id >= 0:
            expected[lab.color] = lab.id
    for lab in labels:
        expected.setdefault(lab.color, lab.id)
    assert expected[(0, 0, 142)] == 26 and expected[(153, 153, 153)] == 17 and expected[(0, 0, 0)] == 0
    colors = np.array([lab.color for lab in labels], dtype=np.uint8)[None]
    want = np.array([[expected[lab.color] for lab in labels]], dtype=np.uint8)
    np.testing.assert_array_equal(rgb_to_index(colors, CITYSCAPES), want)


def test_cityscapes_resolution_and_palette():
    resolved = resolve_colors(CITYSCAPES_TRAIN)
    assert resolved[(0, 0, 142)] == 13 and resolved[(153, 153, 153)] == 5
    assert resolved[(0, 0, 0)] == 255 and resolved[(111, 74, 0)] == 255
    assert set(color_conflicts(CITYSCAPES_TRAIN)) == {(153, 153, 153), (0, 0, 142)}
    palette = target_palette(CITYSCAPES_TRAIN)
    assert tuple(palette[5]) == (153, 153, 153) and tuple(palette[13]) == (0, 0, 142)
    assert tuple(palette[0]) == (128, 64, 128) and tuple(palette[255]) == (0, 0, 0)
    ids = resolve_colors(CITYSCAPES)
    assert ids[(0, 0, 142)] == 26 and ids[(153, 153, 153)] == 17 and ids[(0, 0, 0)] == 0
    assert ids[(128, 64, 128)] == 7 and ids[(224, 224, 192)] == 255  # the colour 255 is drawn in
    assert tuple(target_palette(CITYSCAPES)[7]) == (128, 64, 128)
    np.testing.assert_array_equal(target_palette(VOC), VOC.palette())


def test_unknown_colours_become_void_and_are_reported():
    label = label_with_boundary()
    rgb = voc_mask(label).copy()
    rgb[0, :7] = (10, 20, 30)
    rgb[29, :3] = (200, 1, 1)
    result, report = rgb_to_index_with_report(rgb, VOC, source="mask.png")
    assert (result[0, :7] == 255).all() and (result[29, :3] == 255).all()
    assert report.unknown == 10 and report.void_mapped == int((label == 255).sum())
    assert report.top_unknown() == [((10, 20, 30), 7, "mask.png"), ((200, 1, 1), 3, "mask.png")]
    assert report.void == report.unknown + report.void_mapped
    # Without the report, the same labels.
    np.testing.assert_array_equal(rgb_to_index(rgb, VOC), result)


def test_reports_merge_in_order():
    a = RemapReport(pixels=10, unknown=4, unknown_counts={(1, 2, 3): 4}, unknown_examples={(1, 2, 3): "a.png"})
    b = RemapReport(
        pixels=20,
        void_mapped=2,
        unknown=9,
        alpha=1,
        unknown_counts={(1, 2, 3): 1, (9, 9, 9): 8},
        unknown_examples={(1, 2, 3): "b.png", (9, 9, 9): "b.png"},
    )
    total = merge_reports([a, b])
    assert (total.pixels, total.void_mapped, total.unknown, total.alpha) == (30, 2, 13, 1)
    assert total.top_unknown(1) == [((9, 9, 9), 8, "b.png")]
    assert total.top_unknown() == [((9, 9, 9), 8, "b.png"), ((1, 2, 3), 5, "a.png")]
    assert a.unknown_counts == {(1, 2, 3): 4}  # inputs untouched


def test_input_is_never_mutated_and_views_work():
    rgb = voc_mask(label_with_boundary()).copy()
    rgb[0, 0] = (1, 1, 1)
    before = rgb.copy()
    rgb.setflags(write=False)
    rgb_to_index_with_report(rgb, VOC, tolerance=5)
    np.testing.assert_array_equal(rgb, before)
    # Non-contiguous views and wider integer dtypes give the same answer.
    view = before[:, ::3]
    np.testing.assert_array_equal(rgb_to_index(view, VOC), rgb_to_index(np.ascontiguousarray(view), VOC))
    np.testing.assert_array_equal(rgb_to_index(before.astype(np.int64), VOC), rgb_to_index(before, VOC))


@pytest.mark.parametrize("shape", [(0, 0), (1, 1), (1, 2), (3, 1)])
def test_tiny_images(shape):
    label = np.full(shape, 15, dtype=np.uint8)
    np.testing.assert_array_equal(rgb_to_index(voc_mask(label), VOC), label)


def test_last_pixel_is_read_on_its_own():
    # The last pixel of an RGB image is packed separately from the strided words.
    label = np.zeros((4, 5), dtype=np.uint8)
    label[-1, -1] = 20
    rgb = voc_mask(label).copy()
    np.testing.assert_array_equal(rgb_to_index(rgb, VOC), label)
    rgb[-1, -1] = (5, 5, 5)
    assert rgb_to_index(rgb, VOC)[-1, -1] == 255


def test_table_using_every_value_still_tells_void_from_unknown():
    # 255 classes use every value 0..254: no spare value marks unknown colours.
    table = ClassTable.from_names(["__ignore__"] + [f"c{i}" for i in range(255)])
    label = np.arange(255, dtype=np.uint8).reshape(15, 17)
    label[0, 0] = 255
    rgb = voc_mask(label).copy()
    rgb[1, 1] = (3, 3, 3)
    want = label.copy()
    want[1, 1] = 255
    result, report = rgb_to_index_with_report(rgb, table)
    np.testing.assert_array_equal(result, want)
    assert report.void_mapped == 1 and report.unknown == 1
    assert report.top_unknown() == [((3, 3, 3), 1, "colour mask")]
    np.testing.assert_array_equal(rgb_to_index(rgb, table), want)


# --- tolerance ------------------------------------------------------------------------------


def test_tolerance_maps_near_colours_and_refuses_ambiguous_ones():
    rgb = np.array(
        [[(0, 0, 0), (128, 0, 0), (120, 5, 3), (32, 0, 0), (60, 60, 60), (220, 226, 190)]],
        dtype=np.uint8,
    )
    # (120, 5, 3) is ~9.9 from aeroplane (128, 0, 0); (32, 0, 0) is 32 from both background
    # (0, 0, 0) and cat (64, 0, 0); (60, 60, 60) is over 80 from every class; (220, 226, 190) is
    # ~4.9 from the boundary colour.
    exact, report = rgb_to_index_with_report(rgb, VOC)
    np.testing.assert_array_equal(exact, [[0, 1, 255, 255, 255, 255]])
    assert report.unknown == 4
    near, report = rgb_to_index_with_report(rgb, VOC, tolerance=10)
    np.testing.assert_array_equal(near, [[0, 1, 1, 255, 255, 255]])
    assert report.tolerated == 1 and report.void_mapped == 1 and report.unknown == 2
    wide, report = rgb_to_index_with_report(rgb, VOC, tolerance=32)
    np.testing.assert_array_equal(wide, [[0, 1, 1, 255, 255, 255]])
    assert report.ambiguous == 1 and report.unknown == 1  # (32, 0, 0) is near two classes
    assert [key for key, _, _ in report.top_unknown()] == [(32, 0, 0), (60, 60, 60)]
    just_short, report = rgb_to_index_with_report(rgb, VOC, tolerance=31.9)
    assert just_short[0, 3] == 255 and report.ambiguous == 0 and report.unknown == 2
    np.testing.assert_array_equal(rgb_to_index(rgb, VOC, tolerance=32), wide)


def test_tolerance_near_two_colours_of_one_class_is_that_class():
    table = ClassTable(
        [ClassEntry(255, "void", (0, 0, 0)), ClassEntry(255, "border", (20, 0, 0)), ClassEntry(2, "c", (200, 200, 200))]
    )
    rgb = np.array([[(10, 0, 0), (190, 200, 200)]], dtype=np.uint8)
    result, report = rgb_to_index_with_report(rgb, table, tolerance=12)
    np.testing.assert_array_equal(result, [[255, 2]])
    assert report.ambiguous == 0 and report.unknown == 0


def test_suggested_tolerance_keeps_colours_near_one_class():
    assert suggested_tolerance(VOC) == 31  # nearest VOC colours of two classes are 64 apart
    assert suggested_tolerance(CITYSCAPES) == 9  # truck (0,0,70) and caravan (0,0,90)


# --- alpha and palette inputs ---------------------------------------------------------------


def test_rgba_alpha_zero_is_void():
    label = label_with_boundary()
    rgba = opaque(voc_mask(label))
    rgba[0, :5, 3] = 0  # transparent background
    rgba[20, 20:24, :3] = (9, 9, 9)  # unknown colour, transparent: counts as alpha only
    rgba[20, 20:24, 3] = 0
    rgba[21, 20:22, 3] = 128  # half transparent: the colour still counts
    result, report = rgb_to_index_with_report(rgba, VOC)
    want = label.copy()
    want[0, :5] = 255
    want[20, 20:24] = 255
    np.testing.assert_array_equal(result, want)
    assert report.alpha == 9 and report.unknown == 0
    assert report.void_mapped == int((label == 255).sum())


def _palette_image(path, indices, palette, transparency=None):
    image = Image.fromarray(indices.astype(np.uint8), mode="P")
    image.putpalette(np.asarray(palette, dtype=np.uint8).reshape(-1).tolist())
    if transparency is not None:
        image.save(path, transparency=transparency)
    else:
        image.save(path)


def test_palette_input_is_resolved_through_its_own_palette(tmp_path):
    # A palette that is not VOC's: index 0 is aeroplane's colour, index 1 person's, 2 void,
    # 3 an unknown colour, 4 black (background).
    palette = np.zeros((256, 3), dtype=np.uint8)
    palette[:5] = [(128, 0, 0), (192, 128, 128), BOUNDARY, (1, 2, 3), (0, 0, 0)]
    indices = np.zeros((6, 8), dtype=np.uint8)
    indices[:, 2:4] = 1
    indices[0, :] = 2
    indices[5, :3] = 3
    indices[4, 6:] = 4
    _palette_image(tmp_path / "p.png", indices, palette)
    (tmp_path / "out").mkdir()
    result = remap_color_file(tmp_path / "p.png", tmp_path / "out", VOC)
    assert result.ok and result.outputs == (str(tmp_path / "out" / "p.png"),)
    want = np.select([indices == 0, indices == 1, indices == 4], [1, 15, 0], 255)
    label, file_palette = read_label_palette(tmp_path / "out" / "p.png")
    np.testing.assert_array_equal(label, want)
    np.testing.assert_array_equal(file_palette, VOC.palette())
    report = result.data
    assert report.unknown == 3 and report.void_mapped == 8 and report.pixels == 48
    assert report.top_unknown() == [((1, 2, 3), 3, str(tmp_path / "p.png"))]


def test_palette_transparency_and_duplicate_entries():
    palette = np.zeros((256, 3), dtype=np.uint8)
    palette[:4] = [(128, 0, 0), (5, 5, 5), (5, 5, 5), (0, 128, 0)]
    indices = np.array([[0, 1, 2, 3, 3]], dtype=np.uint8)
    alpha = np.full(256, 255, dtype=np.uint8)
    alpha[3] = 0
    label, report = palette_to_index_with_report(indices, palette, VOC, palette_alpha=alpha)
    np.testing.assert_array_equal(label, [[1, 255, 255, 255, 255]])
    assert report.alpha == 2 and report.unknown == 2
    assert report.unknown_counts == {(5, 5, 5): 2}  # two entries, one colour
    near, report = palette_to_index_with_report(indices, palette, VOC, tolerance=10)
    np.testing.assert_array_equal(near, [[1, 0, 0, 2, 2]])
    assert report.tolerated == 2


def test_palette_png_with_transparency_file(tmp_path):
    palette = np.zeros((256, 3), dtype=np.uint8)
    palette[:2] = [(0, 128, 0), (0, 0, 128)]
    _palette_image(tmp_path / "t.png", np.array([[0, 1], [1, 1]]), palette, transparency=1)
    (tmp_path / "out").mkdir()
    result = remap_color_file(tmp_path / "t.png", tmp_path / "out", VOC)
    np.testing.assert_array_equal(read_label(tmp_path / "out" / "t.png"), [[2, 255], [255, 255]])
    assert result.data.alpha == 3


def test_grey_with_alpha_is_a_colour_mask(tmp_path):
    # A 2x2 LA PNG: grey (128, 128, 128) is VOC's car, black background, alpha 0 void, and
    # (64, 64, 64) no class.
    la = np.array([[[128, 255], [0, 255]], [[64, 255], [128, 0]]], dtype=np.uint8)
    Image.fromarray(la, mode="LA").save(tmp_path / "la.png")
    with pytest.raises(ColourImageError, match=r"la.png: is a colour image \(mode LA\), not a label map"):
        read_label(tmp_path / "la.png")
    (tmp_path / "out").mkdir()
    result = remap_color_file(tmp_path / "la.png", tmp_path / "out", VOC)
    np.testing.assert_array_equal(read_label(tmp_path / "out" / "la.png"), [[7, 0], [255, 255]])
    assert (result.data.alpha, result.data.unknown, result.data.void_mapped) == (1, 1, 0)
    assert result.data.top_unknown() == [((64, 64, 64), 1, str(tmp_path / "la.png"))]
    with pytest.raises(RemapError, match=r"la.png: is a colour mask \(1 pixel\(s\) not opaque\), but an index map rewrites the values"):
        remap_index_file(tmp_path / "la.png", tmp_path / "out", IndexMap.load("7:1"))


@pytest.mark.parametrize(
    "mode", ["P", "L", "1", "I", "I;16", "I;16B", "RGB", "RGBA", "CMYK", "YCbCr", "LA", "PA", "F", "LAB"]
)
def test_label_files_and_colour_masks_agree_on_every_mode(tmp_path, mode):
    path = tmp_path / "x.tif"
    Image.new(mode, (2, 2)).save(path)
    with Image.open(path) as image:
        if image.mode != mode:  # Pillow before 13 reads a YCbCr TIFF back as RGB
            pytest.skip(f"this Pillow reads a {mode} TIFF back as {image.mode}")
    (tmp_path / "out").mkdir()
    if mode in COLOUR_MODES:
        with pytest.raises(ColourImageError, match=rf"is a colour image \(mode {mode}\), not a label map"):
            read_label(path)
        assert remap_color_file(path, tmp_path / "out", VOC).ok
    elif mode in INDEX_MODES:
        assert read_label(path).shape == (2, 2)
        if mode == "P":  # also a colour mask, through its palette
            assert remap_color_file(path, tmp_path / "out", VOC).ok
        else:
            with pytest.raises(RemapError) as info:
                remap_color_file(path, tmp_path / "out", VOC)
            assert str(info.value) == (
                f"{path}: is a single-channel ({mode}) image of values, not a colour mask; rewrite "
                "its values with an index map (--index-map) instead"
            )
    else:  # floats, Lab: neither
        with pytest.raises(LabelFileError) as info:
            read_label(path)
        assert str(info.value) == f"{path}: unsupported image mode {mode} for a label map"
        with pytest.raises(RemapError) as info:
            remap_color_file(path, tmp_path / "out", VOC)
        assert str(info.value) == f"{path}: unsupported image mode {mode} for a colour mask"


def test_rgb_and_rgba_files(tmp_path):
    label = label_with_boundary()
    Image.fromarray(voc_mask(label)).save(tmp_path / "rgb.png")
    rgba = opaque(voc_mask(label))
    rgba[0, 0, 3] = 0
    Image.fromarray(rgba).save(tmp_path / "rgba.png")
    results = list(remap_files([tmp_path / "rgb.png", tmp_path / "rgba.png"], tmp_path / "out", "voc", jobs=1))
    assert all(r.ok and not r.warnings for r in results)
    np.testing.assert_array_equal(read_label(tmp_path / "out" / "rgb.png"), label)
    want = label.copy()
    want[0, 0] = 255
    np.testing.assert_array_equal(read_label(tmp_path / "out" / "rgba.png"), want)
    assert results[1].data.alpha == 1


def test_a_mask_once_saved_as_jpeg_warns_as_a_jpeg_does_and_other_colours_do_not(tmp_path):
    """A colour mask saved as JPEG once, then as PNG (its colours shifted off the table's) is
    warned of as a JPEG mask is, with the tolerance that gives its classes back; a mask whose
    unknown colours are far from every class's (another table's) is not."""
    label = label_with_boundary()
    Image.fromarray(voc_mask(label)).save(tmp_path / "m.jpg", quality=70)
    with Image.open(tmp_path / "m.jpg") as image:
        image.save(tmp_path / "once.png")
    (tmp_path / "out").mkdir()
    result = remap_color_file(tmp_path / "once.png", tmp_path / "out", VOC)
    (warning,) = result.warnings
    share = 100 * result.data.unknown / result.data.pixels
    assert warning.startswith(f"{tmp_path / 'once.png'}: {result.data.unknown} pixel(s) ({share:.1f}%) matched no class and became 255, ")
    assert "of colours within 31 of a class's (a mask once saved as JPEG, or with edges drawn smooth?)" in warning
    assert "--tolerance 31 keeps every colour near one class at most" in warning
    tolerant = remap_color_file(tmp_path / "once.png", tmp_path / "out", VOC, tolerance=31)
    assert tolerant.warnings == () and (read_label(tmp_path / "out" / "once.png") == label).mean() > 0.9
    other = voc_mask(label)
    other[label == 15] = (37, 201, 90)  # a colour of no class, far from each
    Image.fromarray(other).save(tmp_path / "other.png")
    far = remap_color_file(tmp_path / "other.png", tmp_path / "out", VOC)
    assert far.data.unknown == int((label == 15).sum()) > 0 and far.warnings == ()


def test_jpeg_mask_warns_and_suggests_a_tolerance(tmp_path):
    label = label_with_boundary()
    Image.fromarray(voc_mask(label)).save(tmp_path / "m.jpg", quality=70)
    (tmp_path / "out").mkdir()
    result = remap_color_file(tmp_path / "m.jpg", tmp_path / "out", VOC)
    assert result.ok and result.data.unknown > 0
    (warning,) = result.warnings
    assert warning.startswith(f"{tmp_path / 'm.jpg'}: JPEG compression shifts colours, and ")
    assert "--tolerance 31 keeps every colour near one class at most" in warning
    tolerant = remap_color_file(tmp_path / "m.jpg", tmp_path / "out", VOC, tolerance=31)
    assert tolerant.warnings == () and tolerant.data.unknown < result.data.unknown
    assert tolerant.data.tolerated > 0
    agree = (read_label(tmp_path / "out" / "m.png") == label).mean()
    assert agree > 0.9


def test_photos_given_for_colour_masks_fail_and_write_nothing(tmp_path):
    """``remap images/`` where ``masks/`` was meant wrote a label of void alone for each photo
    (a class's colour in none of its pixels) and exited 0, suggesting a tolerance: each photo
    fails, named, nothing is written for it; a small JPEG mask of the table (hardly a pixel of
    it of a class's colour exactly, most near one), as before, and a PNG mask of a table that
    lacks its colours (a few colours, listed in the report) are still written."""
    photos, masks, out = tmp_path / "images", tmp_path / "masks", tmp_path / "out"
    photos.mkdir()
    masks.mkdir()
    shutil.copy(SAMPLE_DIR / "street_01.jpg", photos / "street_01.jpg")
    rng = np.random.default_rng(0)
    noise = np.clip(rng.normal(128, 40, (60, 80, 3)), 0, 255).astype(np.uint8)
    noise[:5, :5] = 0  # a few pixels of background's colour, as a photo's shadows hold
    Image.fromarray(noise).save(photos / "noise.png")
    label = label_with_boundary()
    Image.fromarray(voc_mask(label)).save(masks / "jpeg.jpg", quality=70)
    small = np.zeros((20, 30), np.uint8)
    small[3:12, 4:20] = 15
    small[2, 3:21] = 255
    Image.fromarray(voc_mask(small)).save(masks / "small.jpg", quality=70)
    shifted = np.asarray(Image.open(masks / "small.jpg")).reshape(-1, 3)
    assert (shifted[:, None, :] == voc_colormap(256)[None]).all(-1).any(-1).mean() < 0.01  # hardly a pixel exact
    Image.fromarray(np.full((6, 8, 3), (10, 200, 30), np.uint8)).save(masks / "other.png")
    result = CliRunner().invoke(app, ["remap", str(photos), str(masks), "-c", "voc", "-d", str(out), "-j", "1"])
    assert result.exit_code == 1
    said = " ".join(result.stderr.split())
    for name in ("noise.png", "street_01.jpg"):
        share = re.search(
            rf"failed: {re.escape(str(photos / name))}: ([0-9.]+)% of its pixels are of a class's colour or within 4 of one, "
            r"among 256 or more colours the voc preset does not hold: a photo rather than a colour mask\? Give the masks, "
            r"or the table of their colours \(-c\)", said,
        )  # fmt: skip
        assert share is not None and float(share.group(1)) < 1, (name, said)
    assert sorted(p.name for p in out.iterdir()) == ["jpeg.png", "other.png", "small.png"]
    assert (read_label(out / "jpeg.png") == label).mean() > 0.2 and (read_label(out / "other.png") == 255).all()


# --- conflicts ------------------------------------------------------------------------------


def _conflicting_table() -> ClassTable:
    return ClassTable(
        [
            ClassEntry(0, "ground", (0, 0, 0)),
            ClassEntry(1, "road", (10, 10, 10)),
            ClassEntry(2, "lane", (10, 10, 10)),
            ClassEntry(3, "kerb", (30, 30, 30)),
            ClassEntry(4, "edge", (30, 30, 30)),
        ],
        "roads.csv",
    )


def test_conflicting_user_table_is_an_error_listing_the_colours():
    table = _conflicting_table()
    rgb = np.array([[(0, 0, 0), (10, 10, 10), (30, 30, 30)]], dtype=np.uint8)
    with pytest.raises(RemapError) as info:
        rgb_to_index(rgb, table)
    assert str(info.value) == (
        "roads.csv: 2 colour(s) are shared by classes that map to different values, so their "
        "pixels cannot be mapped: (10, 10, 10) is road -> 1, lane -> 2; (30, 30, 30) is "
        "kerb -> 3, edge -> 4. Give each class its own colour, or choose how to resolve them: "
        "on conflict 'first' (the class listed first) or 'void' (255)"
    )
    np.testing.assert_array_equal(rgb_to_index(rgb, table, on_conflict="first"), [[0, 1, 3]])
    np.testing.assert_array_equal(rgb_to_index(rgb, table, on_conflict="void"), [[0, 255, 255]])
    with pytest.raises(RemapError, match="3 colour"):
        rgb_to_index(rgb[:, :1], CITYSCAPES, on_conflict="error")
    with pytest.raises(RemapError, match=r"on_conflict must be one of error, first, void, got 'last'"):
        rgb_to_index(rgb, table, on_conflict="last")  # type: ignore[arg-type]


def test_a_saved_copy_of_the_cityscapes_preset_resolves_like_it(tmp_path):
    rgb = np.array([[(0, 0, 142), (153, 153, 153)]], dtype=np.uint8)
    for preset, want in ((CITYSCAPES, [[26, 17]]), (CITYSCAPES_TRAIN, [[13, 5]])):
        save_class_table(tmp_path / "cs.csv", preset)
        table = ClassTable.load(tmp_path / "cs.csv")
        np.testing.assert_array_equal(rgb_to_index(rgb, table), want)


# --- argument errors ------------------------------------------------------------------------


def test_colour_masks_as_torch_keeps_them_are_read_or_named():
    """A colour mask as a training loop holds it: a tensor (one that requires grad failed with
    numpy's own error), floats of whole numbers (refused), channels first (refused without a
    word of the axis), or scaled to 0..1 by ToTensor() (refused as floats)."""
    torch = pytest.importorskip("torch")
    label = np.random.default_rng(1).integers(0, 21, (12, 16)).astype(np.uint8)
    rgb = voc_mask(label)
    for given in (torch.from_numpy(rgb), torch.from_numpy(rgb).float().requires_grad_(), rgb.astype(np.float32)):
        np.testing.assert_array_equal(rgb_to_index(given, VOC), label)
    with pytest.raises(RemapError, match=r"got shape \(3, 12, 16\) \(channels first, as torch keeps images: give it \.permute\(1, 2, 0\)"):
        rgb_to_index(torch.from_numpy(rgb).permute(2, 0, 1), VOC)
    with pytest.raises(RemapError, match=r"the colours were scaled to 0\.\.1, as torchvision's ToTensor\(\) does: multiply by 255"):
        rgb_to_index(rgb / 255, VOC)


def test_bad_arrays_and_tolerances_are_errors():
    with pytest.raises(RemapError, match=r"colour mask: a colour mask must be an \(H, W, 3\) RGB or \(H, W, 4\) RGBA array, got shape \(4, 4\) \(a single-channel label map goes through an index map\)"):
        rgb_to_index(np.zeros((4, 4), np.uint8), VOC)
    with pytest.raises(RemapError, match=r"got shape \(4, 4, 2\)$"):
        rgb_to_index(np.zeros((4, 4, 2), np.uint8), VOC)
    with pytest.raises(RemapError, match="colour values must be integers 0..255, got dtype float64 with values 0.0..0.5"):
        rgb_to_index(np.array([[[0.0, 0.5, 0.5]]]), VOC)
    with pytest.raises(RemapError, match="got dtype int32 with values -1..0"):
        rgb_to_index(-np.eye(3, dtype=np.int32)[:, :, None].repeat(3, axis=2), VOC)
    for bad in (-1, float("nan"), "far"):
        with pytest.raises(RemapError, match=r"tolerance must be a colour distance >= 0 \(Euclidean, in 0..255 units per channel\), got"):
            rgb_to_index(np.zeros((1, 1, 3), np.uint8), VOC, tolerance=bad)  # type: ignore[arg-type]
    with pytest.raises(RemapError, match=r"p: palette indices must be an \(H, W\) uint8 array, got shape \(2,\) and dtype uint8"):
        palette_to_index_with_report(np.zeros(2, np.uint8), np.zeros((256, 3), np.uint8), VOC, source="p")
    with pytest.raises(RemapError, match=r"p: a palette must be \(256, 3\), got shape \(16, 3\)"):
        palette_to_index_with_report(np.zeros((2, 2), np.uint8), np.zeros((16, 3), np.uint8), VOC, source="p")


def test_file_errors(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(RemapError, match=f"{tmp_path / 'none.png'}: no such file$"):
        remap_color_file(tmp_path / "none.png", out, VOC)
    (tmp_path / "junk.png").write_bytes(b"not a png")
    with pytest.raises(RemapError, match=r"junk.png: cannot read image \("):
        remap_color_file(tmp_path / "junk.png", out, VOC)
    Image.new("L", (3, 3)).save(tmp_path / "gray.png")
    with pytest.raises(RemapError) as info:
        remap_color_file(tmp_path / "gray.png", out, VOC)
    assert str(info.value) == (
        f"{tmp_path / 'gray.png'}: is a single-channel (L) image of values, not a colour mask; "
        "rewrite its values with an index map (--index-map) instead"
    )
    Image.new("LAB", (3, 3)).save(tmp_path / "lab.tif")
    with pytest.raises(RemapError, match="lab.tif: unsupported image mode LAB for a colour mask"):
        remap_color_file(tmp_path / "lab.tif", out, VOC)
    Image.new("RGB", (3, 3)).save(out / "same.png")
    with pytest.raises(RemapError) as info:
        remap_color_file(out / "same.png", out, VOC)
    assert str(info.value) == (
        f"{out / 'same.png'}: the output {out / 'same.png'} would overwrite the input; "
        "choose another output folder"
    )
    assert not list(out.glob(".*.tmp"))


def test_strict_refuses_unknown_colours(tmp_path):
    rgb = voc_mask(label_with_boundary()).copy()
    rgb[0, :4] = (1, 2, 3)
    rgb[1, :2] = (32, 0, 0)  # near two classes with the tolerance below
    Image.fromarray(rgb).save(tmp_path / "s.png")
    (tmp_path / "out").mkdir()
    with pytest.raises(RemapError) as info:
        remap_color_file(tmp_path / "s.png", tmp_path / "out", VOC, strict=True)
    assert str(info.value) == (
        f"{tmp_path / 's.png'}: 6 pixel(s) have colours that are not in the voc preset "
        "((1, 2, 3) x 4, (32, 0, 0) x 2); --strict refuses them (without it they become 255)"
    )
    with pytest.raises(RemapError, match=r"2 pixel\(s\) have colours .*\(\(32, 0, 0\) x 2\)"):
        remap_color_file(tmp_path / "s.png", tmp_path / "out", VOC, tolerance=32, strict=True)
    assert not (tmp_path / "out" / "s.png").exists()
    rgb[:2] = 0
    Image.fromarray(rgb).save(tmp_path / "s.png")
    assert remap_color_file(tmp_path / "s.png", tmp_path / "out", VOC, strict=True).ok


def _written_by_opencv(path, rgb):
    """``rgb`` (RGB colours) written as OpenCV's imwrite writes it: taken for BGR."""
    import cv2

    assert cv2.imwrite(str(path), rgb)


def test_pictures_of_rgb_colours_written_as_bgr_are_refused_and_read_with_bgr(tmp_path):
    # cv2.imwrite of an RGB array stores red as blue: class 1's (128, 0, 0) becomes (0, 0, 128),
    # class 4's, which a lookup takes without a word; the colours the table lacks give it away
    runner = CliRunner()
    truth = label_with_boundary()
    truth[:2, :3] = 1
    truth[2:4, :3] = 8  # (64, 0, 0): swapped, a colour VOC's 21 classes lack
    (tmp_path / "pictures").mkdir()
    _written_by_opencv(tmp_path / "pictures" / "bgr.png", voc_mask(truth))
    Image.fromarray(voc_mask(truth)).save(tmp_path / "pictures" / "rgb.png")
    result = runner.invoke(app, ["remap", str(tmp_path / "pictures"), "-c", "voc", "-d", str(tmp_path / "ids")])
    assert result.exit_code == 1
    said = " ".join(result.stderr.split())
    bgr = tmp_path / "pictures" / "bgr.png"
    assert (
        f"failed: {bgr}: its red and blue are the other way round: with them swapped, its colours are those of the voc preset: 210 pixel(s) hold colours the table "
        "lacks, each a colour of it swapped ((128, 128, 192) is (192, 128, 128) swapped, class 15), and a class read from a colour "
        "of the table may be another's swapped: a picture of RGB colours written by OpenCV's imwrite, which writes "
        "its arrays as BGR? --bgr reads its red and blue the other way round; nothing was written"
    ) in said, said
    assert not (tmp_path / "ids" / "bgr.png").exists()
    np.testing.assert_array_equal(read_label(tmp_path / "ids" / "rgb.png"), truth)  # the batch went on
    result = runner.invoke(app, ["remap", str(bgr), "-c", "voc", "--bgr", "-d", str(tmp_path / "ids")])
    assert result.exit_code == 0, result.output
    np.testing.assert_array_equal(read_label(tmp_path / "ids" / "bgr.png"), truth)
    result = runner.invoke(app, ["remap", str(tmp_path / "pictures" / "rgb.png"), "-c", "voc", "--bgr", "-d", str(tmp_path / "again")])
    assert result.exit_code == 1 and "read with --bgr, its red and blue are the other way round: with them swapped, its colours are those of the voc preset" in " ".join(result.stderr.split())
    assert "they are in the table's order as stored, leave out --bgr" in " ".join(result.stderr.split())
    result = runner.invoke(app, ["remap", str(bgr), "--index-map", "1:1", "--bgr", "-d", str(tmp_path / "x")])
    assert result.exit_code == 2 and "applies to colour masks only" in result.stderr


def test_colours_the_table_lacks_are_no_swap_when_their_swap_is_no_class_either(tmp_path):
    # a colour the table lacks whose swap the table lacks too is void as before, and a picture
    # whose every colour reads alike either way (red equal to blue) is read as it is
    truth = label_with_boundary()
    rgb = voc_mask(truth).copy()
    rgb[0, :4] = (1, 2, 3)
    _written_by_opencv(tmp_path / "odd.png", rgb)
    _written_by_opencv(tmp_path / "grey.png", voc_mask(np.array([[0, 2, 7], [7, 2, 0]], np.uint8)))
    (tmp_path / "out").mkdir()
    odd = remap_color_file(tmp_path / "odd.png", tmp_path / "out", VOC)  # person and void swapped, and (3, 2, 1)
    assert set(odd.data.unknown_counts) == {(3, 2, 1), (128, 128, 192), (192, 224, 224)}
    assert remap_color_file(tmp_path / "grey.png", tmp_path / "out", VOC).ok
    np.testing.assert_array_equal(read_label(tmp_path / "out" / "grey.png"), [[0, 2, 7], [7, 2, 0]])


# --- index maps -----------------------------------------------------------------------------


def test_inline_index_map():
    mapping = IndexMap.load("7:0, 8:1,26:13")
    assert mapping.pairs == ((7, 0), (8, 1), (26, 13))
    label = np.array([[7, 8, 26, 3, 255, 3]], dtype=np.uint8)
    out, report = index_to_index_with_report(label, mapping, source="x.png")
    np.testing.assert_array_equal(out, [[0, 1, 13, 255, 255, 255]])
    assert report.unknown == 2 and report.void_mapped == 1 and report.pixels == 6
    assert report.top_unknown() == [(3, 2, "x.png")]
    np.testing.assert_array_equal(index_to_index(label, {7: 0, 8: 1, 26: 13}), out)
    assert label.tolist() == [[7, 8, 26, 3, 255, 3]]
    # Built once per map, and shared, so read-only.
    assert mapping.lut is mapping.lut and mapping.listed is mapping.listed
    assert not mapping.lut.flags.writeable and not mapping.listed.flags.writeable


def test_reduce_zero_label_map_from_a_file(tmp_path):
    lines = ["# mmsegmentation's reduce_zero_label", "0:255", ""] + [f"{i} {i - 1}" for i in range(1, 151)]
    (tmp_path / "map.txt").write_text("\n".join(lines) + "\n")
    mapping = IndexMap.load(tmp_path / "map.txt")
    label = np.array([[0, 1, 150, 151, 255]], dtype=np.uint8)
    out, report = index_to_index_with_report(label, mapping)
    np.testing.assert_array_equal(out, [[255, 0, 149, 255, 255]])
    assert report.void_mapped == 2 and report.unknown == 1
    (tmp_path / "csv.txt").write_text("1,0\n2 , 1\n")
    assert IndexMap.load(tmp_path / "csv.txt").pairs == ((1, 0), (2, 1))


def test_cityscapes_label_ids_to_train_ids():
    from cityscapesscripts.helpers.labels import labels

    mapping = IndexMap.load("cityscapes")
    ids = np.array([[lab.id for lab in labels if lab.id >= 0]], dtype=np.uint8)
    want = np.array([[lab.trainId for lab in labels if lab.id >= 0]], dtype=np.uint8)
    np.testing.assert_array_equal(index_to_index(ids, mapping), want)
    np.testing.assert_array_equal(index_to_index(np.array([[34, 255]]), mapping), [[255, 255]])
    assert mapping.classes == CITYSCAPES_TRAIN  # its output holds the train preset's ids


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("7:0,8", "index map '7:0,8': entry 2 is '8'; expected SRC:DST, two integers 0..255 (SRC may be a range, A-B)"),
        ("7:x", "index map '7:x': entry 1 is '7:x'; expected SRC:DST, two integers 0..255 (SRC may be a range, A-B)"),
        ("7:0,300:1", "index map '7:0,300:1': entry 2: 300 is not a label value; values are integers 0..255"),
        ("7:-1", "index map '7:-1': entry 1: -1 is not a label value; values are integers 0..255"),
        ("7:0,7:1", "index map '7:0,7:1': entry 2 maps 7 to 1, but it was mapped to 0 before; each value may be mapped once"),
        ("nothing.txt", "index map 'nothing.txt': no such file, and not a list of SRC:DST pairs such as '7:0,8:1' (or 'cityscapes', 'ade20k', 'coco-stuff' for label ids -> train ids)"),
        (":", "index map ':': entry 1 is ':'; expected SRC:DST, two integers 0..255 (SRC may be a range, A-B)"),
    ],
)
def test_index_map_errors(spec, message):
    with pytest.raises(RemapError) as info:
        IndexMap.load(spec)
    assert str(info.value) == message

def test_a_binary_mask_saved_as_0_and_255_is_mapped_to_classes_when_the_map_says_so():
    # 255 is void unless a map names it: "0:0,255:1" is how a binary mask saved as 0/255 is read
    mask = np.array([[0, 255], [255, 7]], dtype=np.uint8)
    np.testing.assert_array_equal(index_to_index(mask, IndexMap.load("0:0,255:1")), [[0, 1], [1, 255]])
    np.testing.assert_array_equal(index_to_index(mask, IndexMap.load("0:0")), [[0, 255], [255, 255]])
    label, report = index_to_index_with_report(mask, IndexMap.load("0:0,255:1"))
    assert report.void_mapped == 0 and report.unknown == 1



def test_index_map_file_errors(tmp_path):
    (tmp_path / "m.txt").write_text("1:0\n\n2:1:5\n")
    with pytest.raises(RemapError) as info:
        IndexMap.load(tmp_path / "m.txt")
    assert str(info.value) == f"{tmp_path / 'm.txt'}: line 3 is '2:1:5'; expected SRC:DST, two integers 0..255 (SRC may be a range, A-B)"
    (tmp_path / "empty.txt").write_text("# nothing\n")
    with pytest.raises(RemapError, match="empty.txt: holds no SRC:DST pairs"):
        IndexMap.load(tmp_path / "empty.txt")
    (tmp_path / "bin.txt").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(RemapError, match=r"bin.txt: cannot read index map \("):
        IndexMap.load(tmp_path / "bin.txt")
    with pytest.raises(RemapError, match="index map: entry 256: 256 is not a label value"):
        IndexMap.from_mapping({256: 1})


def test_index_files_and_strict(tmp_path):
    write_label(tmp_path / "ids.png", np.array([[7, 8], [26, 3]], dtype=np.uint8))
    out = tmp_path / "out"
    out.mkdir()
    mapping = IndexMap.load("cityscapes")
    result = remap_index_file(tmp_path / "ids.png", out, mapping, palette=target_palette(CITYSCAPES_TRAIN))
    label, palette = read_label_palette(out / "ids_labelTrainIds.png")  # named as createTrainIdLabelImgs names them
    np.testing.assert_array_equal(label, [[0, 1], [13, 255]])
    assert tuple(palette[0]) == (128, 64, 128) and result.data.void_mapped == 1
    with pytest.raises(RemapError) as info:
        remap_index_file(tmp_path / "ids.png", out, IndexMap.load("7:0"), strict=True)
    assert str(info.value) == (
        f"{tmp_path / 'ids.png'}: 3 pixel(s) have values that the index map '7:0' does not list "
        "(3 x 1, 8 x 1, 26 x 1); --strict refuses them (without it they become 255)"
    )
    Image.new("RGB", (2, 2), (128, 64, 128)).save(tmp_path / "rgb.png")
    with pytest.raises(RemapError, match=r"rgb.png: is a colour mask \(4 pixel\(s\) not grey\), but an index map rewrites"):
        remap_index_file(tmp_path / "rgb.png", out, mapping)
    # trainIds mapped again as labelIds: traffic sign (trainId 7) would become road's 0
    write_label(tmp_path / "x_gtFine_labelTrainIds.png", np.array([[7, 0]], dtype=np.uint8))
    with pytest.raises(RemapError) as info:
        remap_index_file(tmp_path / "x_gtFine_labelTrainIds.png", out, mapping)
    assert str(info.value) == (
        f"{tmp_path / 'x_gtFine_labelTrainIds.png'}: holds trainIds already (Cityscapes names such files so), "
        "and --index-map cityscapes turns labelIds into trainIds: give the *_labelIds.png files"
    )
    assert not (out / "x_gtFine_labelTrainIds.png").exists()
    remap_index_file(tmp_path / "x_gtFine_labelTrainIds.png", out, IndexMap.load("7:0"))  # a map of the user's own: as asked


def test_a_cityscapes_gtfine_folder_gives_only_its_label_ids_to_the_cityscapes_map(tmp_path):
    """A gtFine city folder holds four files a frame. Given whole, its labelIds become trainIds
    and the command says it took those alone; given one by one, each other file is refused
    naming what it holds (an instanceIds frame without any instance holds only values below 1000
    and would otherwise pass as labelIds)."""
    city = tmp_path / "aachen"
    city.mkdir()
    frame = "aachen_000000_000019_gtFine"
    write_gray_label(city / f"{frame}_labelIds.png", np.array([[7, 26]], np.uint8))
    write_gray_label(city / f"{frame}_instanceIds.png", np.array([[7, 26]], np.uint8))
    write_gray_label(city / f"{frame}_labelTrainIds.png", np.array([[0, 13]], np.uint8))
    Image.new("RGB", (2, 1)).save(city / f"{frame}_color.png")
    (city / f"{frame}_polygons.json").write_text("{}")
    result = CliRunner().invoke(app, ["remap", str(city), "--index-map", "cityscapes", "-d", str(tmp_path / "out")])
    assert result.exit_code == 0, result.stderr
    assert f"{city}: its 1 *_labelIds.png file(s), not the 3 other(s)" in result.stderr
    assert [p.name for p in (tmp_path / "out").iterdir()] == [f"{frame}_labelTrainIds.png"]
    np.testing.assert_array_equal(read_label(tmp_path / "out" / f"{frame}_labelTrainIds.png"), [[0, 13]])
    others = sorted(str(p) for p in city.iterdir() if not p.name.endswith(("_labelIds.png", ".json")))
    result = CliRunner().invoke(app, ["remap", *others, "--index-map", "cityscapes", "-d", str(tmp_path / "out2")])
    assert result.exit_code == 1
    for ending, holds in (("instanceIds", "instance ids, labelId * 1000 + instance,"), ("labelTrainIds", "trainIds already"), ("color", "colours")):
        assert f"failed: {city / frame}_{ending}.png: holds {holds} (Cityscapes names such files so)" in result.stderr
    assert "wrote 0, failed 3" in result.stderr


def test_ade20k_labels_become_the_train_ids_mmsegmentation_reads(tmp_path):
    """``--index-map ade20k`` writes once what mmsegmentation's ``reduce_zero_label`` does on every
    load (0 other -> 255, each class one lower), in the ade20k-train preset's colours; its own
    output given again (it holds 255, which the labels as shipped never do) is refused."""
    rng = np.random.default_rng(2)
    shipped = tmp_path / "annotations"
    shipped.mkdir()
    labels = {f"ADE_val_{k:08d}.png": rng.integers(0, 151, (20, 30)).astype(np.uint8) for k in range(3)}
    for name, label in labels.items():
        write_gray_label(shipped / name, label)
    result = CliRunner().invoke(app, ["remap", str(shipped), "--index-map", "ade20k", "-d", str(tmp_path / "reduced"), "--strict", "-j", "1"])
    assert result.exit_code == 0, result.stderr
    assert "ade20k labels -> train ids: the output holds the ids of the ade20k-train preset" in result.stderr
    assert "load it with reduce_zero_label=False (mmsegmentation's ADE20K configs reduce the labels as shipped" in " ".join(result.stderr.split())
    for name, label in labels.items():
        reduced = label.copy()  # mmsegmentation's LoadAnnotations with reduce_zero_label, transcribed
        reduced[reduced == 0] = 255
        reduced = reduced - 1
        reduced[reduced == 254] = 255
        np.testing.assert_array_equal(read_label(tmp_path / "reduced" / name), reduced)
    with Image.open(tmp_path / "reduced" / name) as image:
        assert image.mode == "P" and tuple(image.getpalette()[:3]) == (120, 120, 120)  # wall, class 0
    again = CliRunner().invoke(app, ["remap", str(tmp_path / "reduced"), "--index-map", "ade20k", "-d", str(tmp_path / "twice"), "-j", "1"])
    assert again.exit_code == 1 and "wrote 0, failed 3" in again.stderr
    assert "holds 255, which ADE20K's labels as shipped never do (0 is other): it holds train ids already" in " ".join(again.stderr.split())


def test_coco_stuff_label_ids_become_the_train_ids_its_converter_writes(tmp_path):
    """``--index-map coco-stuff`` writes what mmsegmentation's COCO-Stuff 164k converter writes
    (``convert_to_trainID``, transcribed: each used label id to its rank, 255 kept)."""
    from test_classes import COCO_STUFF_UNUSED

    cls_id_to_tr_id = {i: t for t, i in enumerate(i for i in range(182) if i not in COCO_STUFF_UNUSED)}
    cls_id_to_tr_id[255] = 255
    rng = np.random.default_rng(6)
    used = np.array(sorted(cls_id_to_tr_id), np.uint8)
    (tmp_path / "maps").mkdir()
    masks = {f"{k:012d}.png": rng.choice(used, (20, 30)).astype(np.uint8) for k in range(3)}
    for name, mask in masks.items():
        Image.fromarray(mask).save(tmp_path / "maps" / name)
    result = CliRunner().invoke(app, ["remap", str(tmp_path / "maps"), "--index-map", "coco-stuff", "-d", str(tmp_path / "train"), "--strict", "-j", "1"])
    assert result.exit_code == 0, result.stderr
    for name, mask in masks.items():
        converted = mask.copy()
        for cls_id, tr_id in cls_id_to_tr_id.items():
            converted[mask == cls_id] = tr_id
        np.testing.assert_array_equal(read_label(tmp_path / "train" / name.replace(".png", "_labelTrainIds.png")), converted)
    assert len(list((tmp_path / "train").iterdir())) == 3  # the converter's names, and no other file
    # its output given again is refused: each train id would be read as a label id
    again = CliRunner().invoke(app, ["remap", str(tmp_path / "train"), "--index-map", "coco-stuff", "-d", str(tmp_path / "twice"), "-j", "1"])
    assert again.exit_code == 1 and "wrote 0, failed 3" in again.stderr
    assert "_labelTrainIds.png: holds train ids already (the coco-stuff label ids -> train ids map writes such files)" in again.stderr


# --- to RGB and batches ---------------------------------------------------------------------


def test_index_file_to_rgb(tmp_path):
    label = label_with_boundary()
    label[0, 0] = 40  # not a VOC class
    write_label(tmp_path / "l.png", label)
    (tmp_path / "out").mkdir()
    result = index_file_to_rgb(tmp_path / "l.png", tmp_path / "out", VOC)
    with Image.open(tmp_path / "out" / "l.png") as image:
        assert image.mode == "RGB"
        rgb = np.asarray(image)
    np.testing.assert_array_equal(rgb, voc_mask(label))
    assert tuple(rgb[3, 4]) == BOUNDARY
    assert result.warnings == (
        f"{tmp_path / 'l.png'}: value(s) 40 are not classes of the voc preset; drawn in their "
        "VOC colormap colours",
    )


def _noisy_masks(folder, count=5):
    rng = np.random.default_rng(3)
    paths = []
    for i in range(count):
        label = rng.integers(0, 21, (18, 22)).astype(np.uint8)
        label[i, :] = 255
        rgb = voc_mask(label).copy()
        rgb[-1, : i + 1] = (i, 99, 7)
        path = folder / f"m{i}.png"
        Image.fromarray(rgb).save(path)
        paths.append(path)
    return paths


def test_batch_output_is_identical_for_any_jobs(tmp_path):
    paths = _noisy_masks(tmp_path)
    one = list(remap_files(paths, tmp_path / "j1", VOC, jobs=1))
    two = list(remap_files(paths, tmp_path / "j2", VOC, jobs=2))
    assert [r.source for r in two] == [str(p) for p in paths]
    for path in paths:
        assert (tmp_path / "j1" / path.name).read_bytes() == (tmp_path / "j2" / path.name).read_bytes()
    merged = merge_reports(r.data for r in two)
    assert merged == merge_reports(r.data for r in one)
    assert merged.unknown == 15 and merged.void_mapped == 5 * 22
    assert merged.top_unknown(1) == [((4, 99, 7), 5, str(paths[4]))]


def test_batch_report_merges_as_the_results_pass(tmp_path):
    paths = _noisy_masks(tmp_path)
    (tmp_path / "bad.png").write_text("nope")
    sources = [*paths[:2], tmp_path / "bad.png", *paths[2:]]
    report = RemapReport()
    passed = []
    for result in report.add_results(remap_files(sources, tmp_path / "out", VOC, jobs=1)):
        passed.append(result.ok)
        assert report.files == sum(passed)  # merged as it passes, not at the end
    assert passed == [True, True, False, True, True, True]
    assert report.files == 5 and report.unknown == 15 and report.void_mapped == 5 * 22
    assert report.top_unknown(1) == [((4, 99, 7), 5, str(paths[4]))]
    assert report == merge_reports(r.data for r in remap_files(paths, tmp_path / "again", VOC, jobs=1))
    # Each image's report counts one file, also without unknown colours and in index mode;
    # to_rgb results carry no report.
    assert rgb_to_index_with_report(voc_mask(label_with_boundary()), VOC)[1].files == 1
    index = RemapReport()
    list(index.add_results(remap_files([tmp_path / "out" / "m0.png"], tmp_path / "i", index_map="0:0", jobs=1)))
    assert index.files == 1 and index.pixels == 18 * 22
    drawn = RemapReport()
    list(drawn.add_results(remap_files([tmp_path / "out" / "m0.png"], tmp_path / "d", VOC, to_rgb=True, jobs=1)))
    assert drawn == RemapReport()


def test_batch_continues_past_a_bad_file(tmp_path):
    paths = _noisy_masks(tmp_path, 2)
    (tmp_path / "bad.png").write_text("nope")
    results = list(remap_files([paths[0], tmp_path / "bad.png", paths[1]], tmp_path / "out", "voc", jobs=1))
    assert [r.ok for r in results] == [True, False, True]
    assert "bad.png: cannot read image" in results[1].error
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["m0.png", "m1.png"]


def test_batch_argument_errors(tmp_path):
    paths = _noisy_masks(tmp_path, 1)
    cases = [
        (dict(index_map="7:0", to_rgb=True, classes="voc"), "an index map rewrites label values; it cannot be combined with to_rgb"),
        (dict(), "remapping colours needs a class table (classes)"),
        (dict(index_map="7:0", tolerance=3), "a tolerance applies to colour masks only, not to index maps or to_rgb"),
        (dict(to_rgb=True, strict=True, classes="voc"), "strict applies to colour masks and index maps, not to to_rgb"),
        (dict(index_map="7:0", bgr=True), "bgr applies to colour masks only, not to index maps or to_rgb"),
        (dict(to_rgb=True, bgr=True, classes="voc"), "bgr applies to colour masks only, not to index maps or to_rgb"),
        (dict(classes=_conflicting_table()), "roads.csv: 2 colour(s) are shared"),
        (dict(classes="voc", tolerance=-2), "tolerance must be a colour distance >= 0"),
    ]
    for kwargs, message in cases:
        with pytest.raises(RemapError) as info:
            remap_files(paths, tmp_path / "out", **kwargs)
        assert str(info.value).startswith(message)
    with pytest.raises(LabelFileError, match="inputs with the same name would write the same output file"):
        remap_files([paths[0], tmp_path / "m0.jpg"], tmp_path / "out", "voc")
    assert not (tmp_path / "out").exists()


def test_camvid_colour_masks_become_the_row_numbers_of_its_class_dict(tmp_path):
    """CamVid's masks (`*_L.png`) with its class_dict.csv: each colour becomes its row, as the code
    that reads that file numbers it, Void (row 30) 255, Wall still 31; the command says how it
    read the table, and --to-rgb with the same file draws the colours back."""
    (tmp_path / "class_dict.csv").write_text(camvid_class_dict())
    colours = np.array([c for _, *c in CAMVID], np.uint8)
    rows = np.random.default_rng(5).integers(0, len(CAMVID), (24, 32))
    masks = tmp_path / "train_labels"
    masks.mkdir()
    Image.fromarray(colours[rows]).save(masks / "0001TP_006690_L.png")
    result = CliRunner().invoke(app, ["remap", str(masks), "-c", str(tmp_path / "class_dict.csv"), "-d", str(tmp_path / "out"), "--strict", "-j", "1"])
    assert result.exit_code == 0, result.stderr
    assert f"classes: {tmp_path / 'class_dict.csv'}, numbered by row (row i is class i), 'Void' void (255)" in result.stderr
    np.testing.assert_array_equal(read_label(tmp_path / "out" / "0001TP_006690_L.png"), np.where(rows == 30, VOID, rows))
    result = CliRunner().invoke(app, ["remap", str(tmp_path / "out"), "--to-rgb", "-c", str(tmp_path / "class_dict.csv"), "-d", str(tmp_path / "rgb")])
    assert result.exit_code == 0, result.stderr
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "rgb" / "0001TP_006690_L.png").convert("RGB")), colours[rows])
    result = CliRunner().invoke(app, ["stats", str(tmp_path / "out"), "-c", str(tmp_path / "class_dict.csv"), "--json", "-"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("numbered by row (row i is class i), 'Void' void (255)") == 1
    counts = {c["name"]: c["pixels"] for c in json.loads(result.stdout)["classes"]}
    assert counts["Wall"] == (rows == 31).sum() and "Void" not in counts
    # a command that names its class table itself says the reading there, not twice
    result = CliRunner().invoke(app, ["weights", str(tmp_path / "out"), "-c", str(tmp_path / "class_dict.csv"), "-o", str(tmp_path / "w.npy")])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("numbered by row (row i is class i), 'Void' void (255)") == 1
    assert f"classes: 32, from {tmp_path / 'class_dict.csv'}, numbered by row" in result.stderr


def named_then_colorized(folder, hint, out):
    """The commands that read label PNGs, given ``folder``, say what it holds (``hint``, in one
    line); colorize writes its label PNGs into ``out``: their names."""
    for command, said in (
        (["stats", str(folder)], f"error: {folder}: not a VOC dataset folder (no SegmentationClass/ inside){hint}"),
        (["check", str(folder)], f"error: {folder}: not a VOC dataset folder (no SegmentationClass/ inside), nor a folder of label PNGs{hint}"),
        (["evaluate", str(folder), str(folder), "-n", "3"], f"error: {folder}: no ground-truth label files (.png){hint}"),
        (["diff", str(folder), str(folder)], f"error: {folder}: no label files (.png){hint}"),
        (["weights", "--labels-dir", str(folder), "-n", "3", "-o", str(out.parent / "w.npy")], f"error: {folder}: no .png label files{hint}"),
    ):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 1 and " ".join(result.stderr.split()) == said, command
    result = CliRunner().invoke(app, ["colorize", str(folder), "-d", str(out), "-j", "1"])
    assert result.exit_code == 0, result.output
    return sorted(p.name for p in out.iterdir())


def test_label_arrays_saved_with_numpy_become_label_pngs_by_colorize(tmp_path):
    """Label maps kept as ``np.save`` arrays (``.npy``): the commands that read label PNGs
    refused their folder without saying what it holds; colorize left them out of a folder. The
    others name the arrays and colorize, which writes each as the label PNG of the same values;
    an array that is no label map fails alone, named, and nothing is written for it."""
    arrays = tmp_path / "arrays"
    arrays.mkdir()
    truth = np.zeros((20, 30), np.uint8)
    truth[5:15, 10:25] = 2
    truth[0] = 255
    np.save(arrays / "a.npy", truth.astype(np.int64))
    np.save(arrays / "b.npy", (truth == 2)[None])  # a binary mask, (1, H, W)
    hint = f"; it holds 2 .npy array(s), and label files are PNGs: labeltools colorize {shlex.quote(str(arrays))} -d LABELS writes arrays of class indices as label PNGs"
    assert named_then_colorized(arrays, hint, tmp_path / "labels") == ["a.png", "b.png"]
    np.testing.assert_array_equal(read_label(tmp_path / "labels" / "a.png"), truth)
    np.testing.assert_array_equal(read_label(tmp_path / "labels" / "b.png"), (truth == 2).astype(np.uint8))
    assert Image.open(tmp_path / "labels" / "a.png").mode == "P"
    np.save(arrays / "c.npy", np.full((20, 30), 300))
    result = CliRunner().invoke(app, ["colorize", str(arrays), "-d", str(tmp_path / "again"), "-j", "1"])
    assert result.exit_code == 1 and f"{arrays / 'c.npy'}: array with 600 pixel(s) outside 0..255 (max 300)" in result.stderr
    assert sorted(p.name for p in (tmp_path / "again").iterdir()) == ["a.png", "b.png"]
    result = CliRunner().invoke(app, ["stats", str(tmp_path / "labels"), "-n", "3", "--json", "-"])
    assert result.exit_code == 0, result.output


def test_masks_of_other_formats_are_read_by_colorize_and_remap_and_named_by_the_others(tmp_path):
    """Masks kept as GIF (Carvana's, DRIVE's), TIFF (ISPRS', Inria's) or JPEG (Kvasir-SEG's):
    colorize and remap of their folder left the GIFs and TIFFs out without a word, and the
    commands that read label PNGs refused the folder as no VOC folder without saying what it
    holds; a JPEG mask's shifted values became void without a word, where a range of values in
    --index-map reads them, and a grey mask saved as RGB (Kvasir-SEG's JPEGs) was refused by
    --index-map as a colour mask."""
    masks = tmp_path / "train_masks"
    masks.mkdir()
    truth = np.zeros((20, 30), np.uint8)
    truth[5:15, 10:25] = 1
    gif = Image.fromarray(truth, "P")
    gif.putpalette([0, 0, 0, 255, 255, 255])
    gif.save(masks / "car_mask.gif")
    Image.fromarray(truth * 255).save(masks / "tile.tif")
    hint = (
        f"; it holds 2 .gif/.tif mask(s), and label files are PNGs: labeltools colorize {shlex.quote(str(masks))} -d LABELS writes "
        "masks of class indices as label PNGs (remap --index-map 0:0,255:1 masks of 0 and 255)"
    )
    assert named_then_colorized(masks, hint, tmp_path / "labels") == ["car_mask.png", "tile.png"]
    np.testing.assert_array_equal(read_label(tmp_path / "labels" / "car_mask.png"), truth)
    np.testing.assert_array_equal(read_label(tmp_path / "labels" / "tile.png"), truth * 255)
    result = CliRunner().invoke(app, ["remap", str(masks), "--index-map", "0:0,1:1,255:1", "-d", str(tmp_path / "mapped"), "-j", "1"])
    assert result.exit_code == 0, result.output
    for name in ("car_mask.png", "tile.png"):
        np.testing.assert_array_equal(read_label(tmp_path / "mapped" / name), truth)

    jpeg = tmp_path / "kvasir"
    jpeg.mkdir()
    Image.fromarray(np.dstack([truth * 255] * 3)).save(jpeg / "polyp.jpg", quality=75)  # grey, as RGB
    shifted = np.asarray(Image.open(jpeg / "polyp.jpg"))
    assert shifted.ndim == 3 and (shifted == shifted[..., :1]).all()
    shifted = shifted[..., 0]
    result = CliRunner().invoke(app, ["stats", str(jpeg)])
    assert result.exit_code == 1 and " ".join(result.stderr.split()) == (
        f"error: {jpeg}: not a VOC dataset folder (no SegmentationClass/ inside); it holds 1 JPEG image(s), grey as "
        f"masks are (polyp.jpg), and label files are PNGs: labeltools remap {shlex.quote(str(jpeg))} --index-map 0-127:0,128-255:1 -d "
        "LABELS reads masks of 0 and 255 (JPEG shifts values near the edges)"
    )
    (tmp_path / "photos").mkdir()
    Image.fromarray(np.dstack([truth * 255, truth, truth])).save(tmp_path / "photos" / "photo.jpg")  # a colour JPEG is no mask
    assert other_masks_hint(tmp_path / "photos") == ""
    assert other_masks_hint(tmp_path) == (  # the folder of the folders of masks: their folders are named
        f"; its masks are in {tmp_path / 'labels'} and 1 more folder(s): give one of them, or labeltools convert {shlex.quote(str(tmp_path))} "
        "NEW_FOLDER makes a VOC dataset of them"
    )
    off = int(np.count_nonzero((shifted != 0) & (shifted != 255)))
    assert off  # JPEG's ringing at the edges
    result = CliRunner().invoke(app, ["remap", str(jpeg), "--index-map", "0:0,255:1", "-d", str(tmp_path / "exact"), "-j", "1"])
    assert result.exit_code == 0
    assert (
        f"warning: {jpeg / 'polyp.jpg'}: JPEG compression shifts values, and {off} pixel(s) ({100 * off / truth.size:.1f}%) "
        "hold values the map does not list and became 255; map ranges of values (--index-map 0-127:0,128-255:1 reads a "
        "mask of 0 and 255)"
    ) in " ".join(result.stderr.split())
    result = CliRunner().invoke(app, ["remap", str(jpeg), "--index-map", "0-127:0,128-255:1", "-d", str(tmp_path / "ranged"), "-j", "1"])
    assert result.exit_code == 0 and "warning" not in result.stderr
    np.testing.assert_array_equal(read_label(tmp_path / "ranged" / "polyp.png"), (shifted >= 128).astype(np.uint8))
    assert IndexMap.load("0-2:1,7:0").pairs == ((0, 1), (1, 1), (2, 1), (7, 0))
    colour = np.zeros((2, 3, 3), np.uint8)
    colour[0, 0] = (128, 0, 0)
    Image.fromarray(colour).save(tmp_path / "colour.png")
    with pytest.raises(RemapError) as info:
        remap_index_file(tmp_path / "colour.png", tmp_path / "mapped", IndexMap.load("0:0"))
    assert str(info.value) == (
        f"{tmp_path / 'colour.png'}: is a colour mask (1 pixel(s) not grey), but an index map rewrites the values of "
        "label files; remap its colours with --classes instead of --index-map"
    )
    for spec, message in (
        ("5-1:0", "index map '5-1:0': entry 1 is '5-1:0'; a range A-B runs up, A at most B"),
        ("0-127:0,100-255:1", "index map '0-127:0,100-255:1': entry 2 maps 100 to 1, but it was mapped to 0 before; each value may be mapped once"),
        ("250-256:1", "index map '250-256:1': entry 1: 256 is not a label value; values are integers 0..255"),
    ):
        with pytest.raises(RemapError) as info:
            IndexMap.load(spec)
        assert str(info.value) == message


def test_a_folder_of_folders_is_remapped_into_the_same_sub_folders(tmp_path):
    """ADE20K's annotations/ holds its maps in training/ and validation/: the folder given whole
    stands for both, each output goes into the same sub-folder of -d (identical for any -j), an
    earlier output folder inside it is not read again, and a folder with no map at any depth is
    named as such."""
    shipped = tmp_path / "annotations"
    truth = {}
    for n, split in enumerate(("training", "validation")):
        (shipped / split).mkdir(parents=True)
        values = np.random.default_rng(n).integers(0, 151, (6, 9)).astype(np.uint8)
        Image.fromarray(values).save(shipped / split / f"ADE_{split}_{n:08d}.png")
        truth[f"{split}/ADE_{split}_{n:08d}.png"] = np.where(values == 0, VOID, values.astype(np.int16) - 1).astype(np.uint8)
    for jobs in ("1", "2"):
        out = tmp_path / f"ids{jobs}"
        result = CliRunner().invoke(app, ["remap", str(shipped), "-m", "ade20k", "-d", str(out), "-j", jobs])
        assert result.exit_code == 0, result.output
        assert f"2 sub-folder(s) of the input: each output is written into the same sub-folder of {out}" in " ".join(result.stderr.split())
        assert sorted(str(p.relative_to(out)) for p in out.rglob("*.png")) == sorted(truth)
        for name, expected in truth.items():
            np.testing.assert_array_equal(read_label(out / name), expected)
    for _ in range(2):  # the second time, the train ids written inside the tree are not mapped again
        result = CliRunner().invoke(app, ["remap", str(shipped), "-m", "ade20k", "-d", str(shipped / "ids"), "-j", "1"])
        assert result.exit_code == 0, result.output
    said = " ".join(result.stderr.split())
    assert f"{shipped / 'ids'}: 2 file(s) there, an earlier output inside the tree, are not read" in said and "wrote 2, failed 0" in said
    assert sorted(str(p.relative_to(shipped / "ids")) for p in (shipped / "ids").rglob("*.png")) == sorted(truth)
    shutil.rmtree(shipped / "ids")
    result = CliRunner().invoke(app, ["colorize", str(shipped), "-c", "ade20k", "-d", str(tmp_path / "colour"), "-j", "2"])
    assert result.exit_code == 0, result.output  # colorize reads a folder of folders so too
    assert sorted(str(p.relative_to(tmp_path / "colour")) for p in (tmp_path / "colour").rglob("*.png")) == sorted(truth)
    for name in truth:
        with Image.open(tmp_path / "colour" / name) as image:
            assert image.mode == "P"
            np.testing.assert_array_equal(np.asarray(image), np.asarray(Image.open(shipped / name)))
    (tmp_path / "empty" / "deeper").mkdir(parents=True)
    result = CliRunner().invoke(app, ["remap", str(tmp_path / "empty"), "-m", "ade20k", "-d", str(tmp_path / "x")])
    assert result.exit_code != 0 and "this folder holds no .png" in result.stderr and "file in it or its sub-folders" in " ".join(result.stderr.split())
