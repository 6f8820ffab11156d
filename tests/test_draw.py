from __future__ import annotations

import numpy as np
from PIL import Image

from labeltools import ClassTable, legend_image, overlay_image
from labeltools.core.colormap import text_color_for


def test_legend_has_a_swatch_per_class_in_its_colour():
    entries = [(e.index, e.name, e.color) for e in ClassTable.preset("voc").classes]
    image = legend_image(entries, swatch=20)
    assert image.mode == "RGB"
    pixels = np.asarray(image)
    for index, _, color in entries:
        assert (pixels == np.array(color, dtype=np.uint8)).all(axis=-1).sum() >= 18 * 18, index


def test_legend_uses_several_columns_for_long_tables():
    entries = [(i, f"class {i}", (i, i, i)) for i in range(100)]
    image = legend_image(entries)
    assert image.width > image.height / 2


def test_overlay_keeps_background_and_void():
    photo = np.full((4, 4, 3), 100, dtype=np.uint8)
    label = np.array([[0, 1, 255, 1]] * 4, dtype=np.uint8)
    blended = np.asarray(overlay_image(Image.fromarray(photo), label, alpha=0.5))
    assert tuple(blended[0, 0]) == (100, 100, 100) and tuple(blended[0, 2]) == (100, 100, 100)
    assert tuple(blended[0, 1]) == (114, 50, 50)


def test_text_colour_contrast():
    assert text_color_for((0, 0, 0)) == (255, 255, 255)
    assert text_color_for((224, 224, 192)) == (0, 0, 0)
