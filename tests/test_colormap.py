from __future__ import annotations

import numpy as np
import pytest
from helpers import pillow_at_least

from labeltools import (
    VOID,
    ColormapError,
    colorize,
    palette_array,
    palette_bytes,
    voc_colormap,
)

VOC2012 = [
    (0, 0, 0), (128, 0, 0), (0, 128, 0), (128, 128, 0), (0, 0, 128), (128, 0, 128),
    (0, 128, 128), (128, 128, 128), (64, 0, 0), (192, 0, 0), (64, 128, 0), (192, 128, 0),
    (64, 0, 128), (192, 0, 128), (64, 128, 128), (192, 128, 128), (0, 64, 0), (128, 64, 0),
    (0, 192, 0), (128, 192, 0), (0, 64, 128),
]  # fmt: skip


def test_the_21_voc2012_colours():
    assert [tuple(map(int, c)) for c in voc_colormap(21)] == VOC2012


def test_void_is_224_224_192():
    assert tuple(voc_colormap()[VOID]) == (224, 224, 192)


def test_equals_labelme_imgviz_colormap_for_all_256_entries():
    # labelme colours its labels with imgviz.label_colormap() (labelme.app.LABEL_COLORMAP).
    pytest.importorskip("labelme")
    imgviz = pytest.importorskip("imgviz")
    np.testing.assert_array_equal(voc_colormap(256), imgviz.label_colormap())


def test_shape_dtype_read_only_and_cached():
    cmap = voc_colormap(300)
    assert cmap.shape == (300, 3) and cmap.dtype == np.uint8
    assert voc_colormap(300) is cmap
    with pytest.raises(ValueError):
        cmap[0, 0] = 1


def test_prefix_property():
    np.testing.assert_array_equal(voc_colormap(1000)[:256], voc_colormap(256))


def test_all_colours_distinct_for_large_n():
    n = 2**20
    packed = voc_colormap(n).astype(np.uint32) @ np.array([1 << 16, 1 << 8, 1], dtype=np.uint32)
    assert np.unique(packed).size == n


def test_full_range_is_distinct():
    cmap = voc_colormap(2**24)
    packed = (cmap[:, 0].astype(np.uint32) << 16) | (cmap[:, 1].astype(np.uint32) << 8) | cmap[:, 2]
    counts = np.bincount(packed, minlength=2**24)
    assert counts.max() == 1


@pytest.mark.parametrize("n", [0, -3, 2**24 + 1])
def test_out_of_range_sizes(n):
    with pytest.raises(ColormapError, match=r"between 1 and 16777216 .*got " + str(n)):
        voc_colormap(n)


@pytest.mark.parametrize("n", [2.5, "8", True])
def test_non_integer_sizes(n):
    with pytest.raises(ColormapError, match="must be an integer"):
        voc_colormap(n)


def test_palette_bytes_and_override():
    raw = palette_bytes()
    assert len(raw) == 768 and raw[3:6] == bytes([128, 0, 0])
    pal = palette_array([(1, 2, 3)])
    assert tuple(pal[0]) == (1, 2, 3) and tuple(pal[1]) == (128, 0, 0)
    assert voc_colormap()[0, 0] == 0  # the cached colormap is untouched


def test_palette_bad_shapes():
    with pytest.raises(ColormapError, match=r"\(k, 3\) array with k <= 256"):
        palette_array(np.zeros((4, 2)))
    with pytest.raises(ColormapError, match="0..255"):
        palette_array([(0, 0, 300)])


def test_colorize(blobs_label):
    rgb = colorize(blobs_label)
    assert rgb.shape == (24, 32, 3)
    assert tuple(rgb[3, 4]) == (128, 0, 0) and tuple(rgb[11, 0]) == (224, 224, 192)
    with pytest.raises(ColormapError, match="0..255"):
        colorize(np.array([[256]]))


def test_a_colormap_of_every_colour_is_written_whole_and_one_a_person_reads_is_bounded(tmp_path):
    import csv
    import json

    from typer.testing import CliRunner

    from labeltools import ClassTable, colormap_entries, save_colormap
    from labeltools.cli import app

    rows = colormap_entries(2**24, ClassTable.preset("voc"))
    assert len(rows) == 2**24 and rows[-1].color == (255, 255, 255) and rows[15].name == "person"
    save_colormap(tmp_path / "all.npy", rows)
    expected = voc_colormap(2**24).copy()
    np.testing.assert_array_equal(np.load(tmp_path / "all.npy"), expected)

    n = 70_000  # more rows than one chunk of text: the chunks join into one file
    rows = colormap_entries(n, ClassTable.preset("cityscapes"))
    expected = expected[:n].copy()
    expected[: len(ClassTable.preset("cityscapes").classes)] = [e.color for e in ClassTable.preset("cityscapes").classes][: len(expected)]
    for suffix in (".csv", ".json", ".txt"):
        save_colormap(tmp_path / f"c{suffix}", rows)
    with open(tmp_path / "c.csv", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0] == ["index", "name", "r", "g", "b", "hex"] and len(table) == n + 1
    assert table[8] == ["7", "road", "128", "64", "128", "#804080"] and table[256][:2] == ["255", "void"]
    read = json.loads((tmp_path / "c.json").read_text())
    assert [r["index"] for r in read] == list(range(n)) and read[-1]["name"] == ""
    colours = np.array([[int(v) for v in row[2:5]] for row in table[1:]], np.uint8)
    np.testing.assert_array_equal(np.array([r["color"] for r in read], np.uint8), colours)
    assert colours[300:].tolist() == voc_colormap(n)[300:].tolist()
    lines = (tmp_path / "c.txt").read_text().splitlines()
    assert len(lines) == n and lines[7] == "road 128 64 128" and lines[n - 1] == f"{n - 1} " + " ".join(map(str, voc_colormap(n)[n - 1]))

    runner = CliRunner()
    for args in (["-n", "5000"], ["-n", "5000", "-o", str(tmp_path / "t.csv"), "--json", "-"]):
        result = runner.invoke(app, ["colormap", *args])
        assert result.exit_code == 2 and "holds at most 4096 colours, not 5000: write them with -o FILE" in " ".join(result.stderr.replace("│", " ").split())
    result = runner.invoke(app, ["colormap", "-n", "5000", "-o", str(tmp_path / "l.png")])
    assert result.exit_code == 1 and "a legend picture shows at most 4096 colours, not 5000" in result.stderr
    assert not (tmp_path / "l.png").exists() and not (tmp_path / "t.csv").exists()


def test_a_gimp_palette_is_read_by_pillows_gimp_palette_reader_and_names_each_class(tmp_path):
    """``-o classes.gpl`` writes a GIMP palette (GIMP, Krita and Inkscape paint with it): Pillow's
    own reader of the format gives the table's colours in order, each line names its class and
    index on one line whatever the name holds, and more colours than a person paints with are
    refused before anything is written. Masks painted with it remap to the class indices, the
    palette given as the class table too."""
    from PIL import Image
    from PIL.GimpPaletteFile import GimpPaletteFile
    from typer.testing import CliRunner

    from labeltools import ClassTable, ClassTableError, read_label
    from labeltools.cli import app

    (tmp_path / "names.txt").write_text("background\nroad\ntraffic light\n")
    runner = CliRunner()
    result = runner.invoke(app, ["colormap", "-c", str(tmp_path / "names.txt"), "-o", str(tmp_path / "my classes.gpl")])
    assert result.exit_code == 0, result.output
    # Pillow before 11.2 reads each colour of a palette with a Name line (GIMP's own too) one
    # index late: its reader is a consumer from 11.2 on.
    pillow_reads_gimp = pillow_at_least(11, 2)
    with open(tmp_path / "my classes.gpl", "rb") as fh:
        colours, mode = GimpPaletteFile(fh).getpalette()
    assert mode == "RGB" and (list(colours[:9]) == voc_colormap(3).reshape(-1).tolist()) is pillow_reads_gimp
    lines = (tmp_path / "my classes.gpl").read_text().splitlines()
    assert lines[:4] == ["GIMP Palette", "Name: my classes", "Columns: 16", "#"]
    assert lines[4:] == ["  0   0   0\tbackground (0)", "128   0   0\troad (1)", "  0 128   0\ttraffic light (2)"]
    result = runner.invoke(app, ["colormap", "-c", "cityscapes-train", "-o", str(tmp_path / "cs.gpl")])
    assert result.exit_code == 0, result.output
    with open(tmp_path / "cs.gpl", "rb") as fh:
        colours, _ = GimpPaletteFile(fh).getpalette()
    train = ClassTable.preset("cityscapes-train")
    if pillow_reads_gimp:
        assert list(colours[:57]) == [v for e in train.classes[:19] for v in e.color]
    else:
        colours = bytes(v for e in train.classes for v in e.color)
    painted = np.array([[list(colours[3 * k : 3 * k + 3]) for k in (0, 13, 18)] + [[1, 2, 3]]], np.uint8)  # road, car, bicycle
    Image.fromarray(painted).save(tmp_path / "painted.png")
    for table in ("cityscapes-train", str(tmp_path / "cs.gpl")):  # the palette is a class table too
        result = runner.invoke(app, ["remap", str(tmp_path / "painted.png"), "-c", table, "-d", str(tmp_path / "ids")])
        assert result.exit_code == 0, result.output
        assert read_label(tmp_path / "ids" / "painted.png").tolist() == [[0, 13, 18, 255]]
    read = ClassTable.load(tmp_path / "my classes.gpl")
    assert [(e.index, e.name, e.color) for e in read.classes] == [(0, "background", (0, 0, 0)), (1, "road", (128, 0, 0)), (2, "traffic light", (0, 128, 0))]
    (tmp_path / "bad.gpl").write_text("GIMP Palette\nName: x\n#\n  0 0 0 sky\n12 oops\n")
    with pytest.raises(ClassTableError, match=r"bad.gpl, line 5: '12 oops' is no colour of a GIMP palette \(r g b name\)"):
        ClassTable.load(tmp_path / "bad.gpl")
    (tmp_path / "empty.gpl").write_text("GIMP Palette\nName: nothing\n")
    with pytest.raises(ClassTableError, match=r"empty.gpl: a GIMP palette of no colour$"):
        ClassTable.load(tmp_path / "empty.gpl")
    result = runner.invoke(app, ["colormap", "-n", "5000", "-o", str(tmp_path / "big.gpl")])
    assert result.exit_code == 1 and "a GIMP palette shows at most 4096 colours, not 5000" in result.stderr
    assert not (tmp_path / "big.gpl").exists()
    from labeltools import save_colormap
    from labeltools.core.classes import ClassEntry

    save_colormap(tmp_path / "odd.gpl", [ClassEntry(0, "two\nlines\tand tab", (1, 2, 3)), ClassEntry(1, "", (4, 5, 6))])
    assert (tmp_path / "odd.gpl").read_text().splitlines()[4:] == ["  1   2   3\ttwo lines and tab (0)", "  4   5   6\tclass 1 (1)"]


def _palette_picture(path, colours):
    """A 1 x k palette PNG whose pixel i is index i, coloured ``colours[i]``."""
    from PIL import Image

    picture = Image.fromarray(np.arange(len(colours), dtype=np.uint8)[None], "P")
    picture.putpalette(np.asarray(colours, dtype=np.uint8).tobytes())
    picture.save(path)


def _every_class_and_its_gray_copy(tmp_path):
    """``labels/x.png``, a label file holding VOC's 21 classes and void, and ``gray/x.png``, the
    copy ``colorize --gray`` writes (which Pillow reads as the same indices); returns the label."""
    from typer.testing import CliRunner

    from labeltools import read_label, write_label
    from labeltools.cli import app

    label = np.array([[*range(21), VOID]], np.uint8).repeat(3, axis=0)
    write_label(tmp_path / "labels" / "x.png", label)
    result = CliRunner().invoke(app, ["colorize", str(tmp_path / "labels"), "--gray", "-d", str(tmp_path / "gray")])
    assert result.exit_code == 0, result.output
    assert np.array_equal(read_label(tmp_path / "gray" / "x.png"), label)
    return label


def test_the_grey_levels_are_those_the_readers_give(tmp_path):
    """Each of ``GREY_READERS`` gives a palette PNG's colours the grey levels the reader itself
    gives them: the VOC colormap's 256 and 512 colours more."""
    import cv2
    from PIL import Image

    from labeltools.core.colormap import GREY_READERS, grey_levels

    colours = np.concatenate([voc_colormap(256), np.random.default_rng(0).integers(0, 256, (512, 3))]).astype(np.uint8)
    assert len(GREY_READERS) == 3
    for start in range(0, len(colours), 256):
        chunk = colours[start : start + 256]
        path = tmp_path / f"colours-{start}.png"
        _palette_picture(path, chunk)
        assert np.array_equal(cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)[0], grey_levels(chunk, 0))
        assert np.array_equal(np.asarray(Image.open(path).convert("L"))[0], grey_levels(chunk, 1))
        assert np.array_equal(cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2GRAY)[0], grey_levels(chunk, 2))
        assert np.array_equal(cv2.imread(str(path), cv2.IMREAD_UNCHANGED)[0], chunk[:, ::-1])  # BGR colours, no index


def test_imageio_and_scikit_image_read_the_gray_copies_as_classes_where_palette_files_give_colours(tmp_path):
    """imageio's ``imread`` (v2 and v3; scikit-image brings imageio) and scikit-image's
    ``io.imread`` of a label file holding every VOC class and void: its colours from the palette
    file, its classes from the copy ``colorize --gray`` writes."""
    import imageio.v2 as imageio
    import imageio.v3 as iio
    import skimage.io

    label = _every_class_and_its_gray_copy(tmp_path)
    for read in (iio.imread, imageio.imread, skimage.io.imread):
        assert np.array_equal(read(tmp_path / "labels" / "x.png"), voc_colormap(256)[label])
        assert np.array_equal(read(tmp_path / "gray" / "x.png"), label)


def test_tensorflow_and_keras_read_the_gray_copies_as_classes_where_palette_files_give_grey_levels(tmp_path):
    """TensorFlow's ``decode_png(channels=1)`` and Keras' ``load_img(color_mode="grayscale")``,
    in an environment of their own, of a label file holding every VOC class and void: its grey
    levels from the palette file (as :func:`grey_levels` gives them), its classes from the copy
    ``colorize --gray`` writes. Another working folder than the files'."""
    from consumers import run_in

    from labeltools.core.colormap import grey_levels

    label = _every_class_and_its_gray_copy(tmp_path)
    (tmp_path / "work").mkdir()
    code = """
import sys
import keras
import numpy as np
import tensorflow as tf

for name, path in (("palette", sys.argv[1]), ("gray", sys.argv[2])):
    np.save(f"tf-{name}.npy", tf.io.decode_png(tf.io.read_file(path), channels=1).numpy()[..., 0])
    np.save(f"keras-{name}.npy", keras.utils.img_to_array(keras.utils.load_img(path, color_mode="grayscale"))[..., 0].astype(np.uint8))
"""
    done = run_in("tensorflow", code, tmp_path / "work", str(tmp_path / "labels" / "x.png"), str(tmp_path / "gray" / "x.png"))
    assert done.returncode == 0, done.stderr[-3000:]
    read = {name: np.load(tmp_path / "work" / f"{name}.npy") for name in ("tf-palette", "keras-palette", "tf-gray", "keras-gray")}
    assert np.array_equal(read["tf-gray"], label) and np.array_equal(read["keras-gray"], label)
    assert np.array_equal(read["tf-palette"], grey_levels(voc_colormap(256)[label], 0).reshape(label.shape))
    assert np.array_equal(read["keras-palette"], grey_levels(voc_colormap(256)[label], 1).reshape(label.shape))
