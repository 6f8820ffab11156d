"""Pictures for people: class legends and label overlays, drawn with Pillow."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

from labeltools.colormap import VOID, colorize

Color = tuple[int, int, int]
LegendEntry = tuple[int, str, Color]


@lru_cache(maxsize=16)
def get_font(size: int = 14) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's bundled scalable font at ``size`` pixels (a bitmap font where FreeType is missing)."""
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow without FreeType
        return ImageFont.load_default()


def text_color_for(color: Color) -> Color:
    """Black or white, whichever reads better on ``color`` (by perceived luminance)."""
    r, g, b = color
    return (0, 0, 0) if 0.299 * r + 0.587 * g + 0.114 * b > 140 else (255, 255, 255)


def legend_image(
    entries: Sequence[LegendEntry],
    font_size: int = 16,
    swatch: int = 24,
    columns: int | None = None,
) -> Image.Image:
    """Draw a legend: one row per class with its colour swatch, index and name.

    Args:
        entries: ``(index, name, (r, g, b))`` rows, in the order to show.
        font_size: text height in pixels.
        swatch: swatch side in pixels.
        columns: number of columns; default one column per 32 rows.

    Returns:
        An RGB image on a white background.
    """
    font = get_font(font_size)
    rows = list(entries)
    if columns is None:
        columns = max(1, -(-len(rows) // 32))
    per_column = max(1, -(-len(rows) // columns)) if rows else 1
    pad = max(4, swatch // 3)
    row_h = max(swatch, font_size) + pad
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    index_w = max((int(probe.textlength(str(i), font=font)) for i, _, _ in rows), default=0)
    name_w = max((int(probe.textlength(n, font=font)) for _, n, _ in rows), default=0)
    col_w = pad + swatch + pad + index_w + pad + name_w + 2 * pad
    width = max(1, columns * col_w)
    height = pad + per_column * row_h + pad
    image = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    for n, (index, name, color) in enumerate(rows):
        col, row = divmod(n, per_column)
        x = col * col_w + pad
        y = pad + row * row_h
        middle = y + swatch / 2
        draw.rectangle((x, y, x + swatch - 1, y + swatch - 1), fill=tuple(color), outline=(96, 96, 96))
        index_right = x + swatch + pad + index_w
        draw.text((index_right, middle), str(index), fill=(90, 90, 90), font=font, anchor="rm")
        draw.text((index_right + pad, middle), name, fill=(0, 0, 0), font=font, anchor="lm")
    return image


def overlay_image(
    image: Image.Image | NDArray[np.uint8],
    label: NDArray[np.uint8],
    palette: NDArray[np.uint8] | None = None,
    alpha: float = 0.5,
) -> Image.Image:
    """Blend label colours over an image; void pixels keep the image.

    Args:
        image: the photo, ``(H, W)`` or ``(H, W, 3)`` uint8 or a Pillow image of the same size.
        label: ``(H, W)`` uint8 label map.
        palette: ``(256, 3)`` uint8 colours; default the VOC colormap.
        alpha: weight of the label colours, 0..1.

    Returns:
        An RGB Pillow image of size ``(W, H)``.
    """
    base = np.asarray(image.convert("RGB") if isinstance(image, Image.Image) else image)
    if base.ndim == 2:
        base = np.repeat(base[:, :, None], 3, axis=2)
    colors = colorize(label, palette).astype(np.float32)
    blended = base.astype(np.float32) * (1 - alpha) + colors * alpha
    labelled = (label != 0) & (label != VOID)
    out = np.where(labelled[:, :, None], blended, base.astype(np.float32))
    return Image.fromarray(np.clip(out + 0.5, 0, 255).astype(np.uint8))


def stack_vertical(top: Image.Image, bottom: Image.Image) -> Image.Image:
    """Place ``bottom`` under ``top`` on a white canvas as wide as the wider of the two."""
    canvas = Image.new("RGB", (max(top.width, bottom.width), top.height + bottom.height), "white")
    canvas.paste(top, (0, 0))
    canvas.paste(bottom, (0, top.height))
    return canvas
