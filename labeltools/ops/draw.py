"""Pictures for people: class legends, label overlays and bar charts, drawn with Pillow."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

from labeltools.core._types import Color
from labeltools.core.colormap import voc_colormap
from labeltools.core.options import VOID

LegendEntry = tuple[int, str, Color]


@lru_cache(maxsize=16)
def get_font(size: int = 14) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's bundled scalable font at ``size`` pixels (a bitmap font where FreeType is missing)."""
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow without FreeType
        return ImageFont.load_default()


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
    if isinstance(image, Image.Image):
        base = image.convert("RGB") if image.mode != "RGB" else image
    else:
        base = Image.fromarray(np.asarray(image, dtype=np.uint8)).convert("RGB")
    label = np.ascontiguousarray(label, dtype=np.uint8)
    height, width = label.shape
    # Pillow's C blending and compositing: several times quicker than float arrays.
    colours = Image.frombytes("P", (width, height), label.tobytes())
    colours.putpalette((voc_colormap(256) if palette is None else np.asarray(palette, dtype=np.uint8)).tobytes())
    blended = Image.blend(base, colours.convert("RGB"), alpha)
    labelled = ((label != 0) & (label != VOID)).view(np.uint8) * np.uint8(255)
    return Image.composite(blended, base, Image.frombytes("L", (width, height), labelled.tobytes()))


def fit_size(width: int, height: int, max_width: int, max_height: int) -> tuple[int, int]:
    """``(width, height)`` shrunk to fit ``max_width`` x ``max_height``, keeping the aspect
    (never enlarged, never below one pixel)."""
    scale = min(1.0, max_width / width, max_height / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def shrink_label(label: NDArray[np.uint8], size: tuple[int, int]) -> NDArray[np.uint8]:
    """A ``(H, W)`` label map resampled to ``size`` ``(width, height)`` by nearest neighbour,
    from the centre of each new pixel: every value in it is one the label holds (no blending of
    class indices)."""
    height, width = label.shape
    rows = (np.arange(size[1]) * 2 + 1) * height // (2 * size[1])
    cols = (np.arange(size[0]) * 2 + 1) * width // (2 * size[0])
    return np.ascontiguousarray(label[rows[:, None], cols])


def changes_image(
    image: Image.Image | NDArray[np.uint8] | None, old: NDArray[np.uint8], new: NDArray[np.uint8]
) -> Image.Image:
    """Where two label maps of one picture differ: the picture in faint grey (mid grey
    without one), the changed pixels in red.

    Args:
        image: the photo, ``(H, W)`` or ``(H, W, 3)`` uint8 or a Pillow image, or None.
        old, new: ``(H, W)`` uint8 label maps of the photo's size.

    Returns:
        An RGB Pillow image of size ``(W, H)``.
    """
    if image is None:
        grey = np.full(old.shape, 128, dtype=np.uint8)
    else:
        picture = image if isinstance(image, Image.Image) else Image.fromarray(np.asarray(image, dtype=np.uint8))
        grey = (np.asarray(picture.convert("L")) // 2 + 96).astype(np.uint8, copy=False)  # uint8 already: no copy, the type said for numpy 1.x stubs
    out = np.repeat(grey[:, :, None], 3, axis=2)
    out[old != new] = (220, 30, 30)
    return Image.fromarray(out)


def stack_vertical(top: Image.Image, bottom: Image.Image) -> Image.Image:
    """Place ``bottom`` under ``top`` on a white canvas as wide as the wider of the two."""
    canvas = Image.new("RGB", (max(top.width, bottom.width), top.height + bottom.height), "white")
    canvas.paste(top, (0, 0))
    canvas.paste(bottom, (0, top.height))
    return canvas


BarRow = tuple[str, float, Color]


def bar_chart(
    rows: Sequence[BarRow],
    title: str = "",
    value_labels: Sequence[str] | None = None,
    log: bool = False,
    axis_label: str = "",
    tick_format: Callable[[float], str] = lambda v: f"{v:g}",
    font_size: int = 15,
    plot_width: int = 560,
) -> Image.Image:
    """Draw a horizontal bar chart: one bar per row, top to bottom, in the row's colour.

    Args:
        rows: ``(name, value, (r, g, b))``; values are >= 0. A zero value draws no bar.
        title: text above the chart.
        value_labels: text printed at the end of each bar (default: the value).
        log: logarithmic value axis (decades between the smallest non-zero value and the largest).
        axis_label: caption under the value axis.
        tick_format: how tick values are written.
        font_size: text height in pixels.
        plot_width: width of the bar area in pixels.

    Returns:
        An RGB image on a white background; bars have a grey outline so light colours show.

    Raises:
        ValueError: a value is negative or not finite.
    """
    values = np.array([float(v) for _, v, _ in rows], dtype=np.float64)
    if values.size and (not np.isfinite(values).all() or (values < 0).any()):
        raise ValueError("bar chart values must be finite and >= 0")
    labels = list(value_labels) if value_labels is not None else [tick_format(v) for v in values]
    font = get_font(font_size)
    small = get_font(max(10, font_size - 3))
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    pad = max(6, font_size // 2)
    row_h = font_size + 12
    name_w = max((probe.textlength(name, font=font) for name, _, _ in rows), default=0)
    label_w = max((probe.textlength(text, font=small) for text in labels), default=0)
    left = int(pad + name_w + pad)
    top = pad + (font_size + 2 * pad if title else 0)
    ticks, position = _value_axis(values, log, plot_width)
    bottom = top + max(1, len(rows)) * row_h
    width = int(left + plot_width + pad + label_w + 2 * pad)
    height = bottom + pad + (font_size + pad) * (2 if axis_label else 1) + pad
    image = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    if title:
        draw.text((pad, pad), title, fill=(0, 0, 0), font=font)
    for tick in ticks:
        x = left + position(tick)
        draw.line((x, top, x, bottom), fill=(222, 222, 222))
        draw.text((x, bottom + pad // 2), tick_format(tick), fill=(70, 70, 70), font=small, anchor="ma")
    draw.line((left, top, left, bottom), fill=(90, 90, 90))
    draw.line((left, bottom, left + plot_width, bottom), fill=(90, 90, 90))
    if axis_label:
        draw.text(
            (left + plot_width // 2, bottom + pad + font_size + pad // 2), axis_label,
            fill=(0, 0, 0), font=font, anchor="ma",
        )  # fmt: skip
    for n, ((name, value, color), text) in enumerate(zip(rows, labels)):
        y = top + n * row_h
        middle = y + row_h / 2
        draw.text((left - pad, middle), name, fill=(0, 0, 0), font=font, anchor="rm")
        end = left
        if value > 0:
            end = left + max(1, int(round(position(value))))
            draw.rectangle((left, y + 3, end, y + row_h - 4), fill=tuple(color), outline=(96, 96, 96))
        draw.text((end + pad // 2, middle), text, fill=(40, 40, 40), font=small, anchor="lm")
    return image


def _value_axis(
    values: NDArray[np.float64], log: bool, plot_width: int
) -> tuple[list[float], Callable[[float], float]]:
    """Tick values and the value -> x offset mapping of a bar chart's value axis."""
    positive = values[values > 0]
    if log:
        if positive.size == 0:
            low_exp, high_exp = 0, 1
        else:
            low_exp = int(math.floor(math.log10(positive.min())))
            if 10.0**low_exp >= positive.min():  # keep the smallest bar visible
                low_exp -= 1
            high_exp = max(low_exp + 1, int(math.ceil(math.log10(positive.max()))))
        span = high_exp - low_exp

        def log_position(v: float) -> float:
            return (math.log10(v) - low_exp) / span * plot_width

        return [10.0**e for e in range(low_exp, high_exp + 1)], log_position
    top_value = float(positive.max()) if positive.size else 1.0
    magnitude = 10.0 ** math.floor(math.log10(top_value))
    step = next(m * magnitude for m in (0.1, 0.2, 0.5, 1, 2, 5, 10) if top_value / (m * magnitude) <= 6)
    axis_max = math.ceil(top_value / step - 1e-9) * step
    ticks = [round(i * step, 12) for i in range(int(round(axis_max / step)) + 1)]

    def linear_position(v: float) -> float:
        return v / axis_max * plot_width

    return ticks, linear_position
