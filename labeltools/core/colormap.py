"""The PASCAL VOC colormap and palette helpers.

Class ``i`` takes its colour from the bits of ``i``, three at a time: bit 0 goes to red, bit 1 to
green, bit 2 to blue, filling each channel from its most significant bit down. Index 0 is black,
index 255 is (224, 224, 192). Every colour is computed; none is typed in.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from labeltools.core._types import Color
from labeltools.core.errors import ColormapError

VOID_COLOR = (224, 224, 192)
"""The colour the VOC colormap gives to :data:`VOID`."""

MAX_COLORS = 2**24
"""The largest colormap in which every colour is distinct (24 index bits, 8 per channel)."""


def voc_colormap(n: int = 256) -> NDArray[np.uint8]:
    """Return the first ``n`` colours of the VOC colormap.

    Args:
        n: number of entries, ``1 <= n <= 2**24``.

    Returns:
        ``(n, 3)`` uint8 array of RGB colours; row ``i`` is the colour of class ``i``. The array
        is cached and read-only: copy it before changing it.

    Raises:
        ColormapError: ``n`` is not an integer in ``1..2**24``.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise ColormapError(f"colormap size must be an integer, got {n!r}")
    n = int(n)
    if not 1 <= n <= MAX_COLORS:
        raise ColormapError(
            f"colormap size must be between 1 and {MAX_COLORS} (2**24, beyond which colours "
            f"repeat), got {n}"
        )
    return _colormap(n)


@lru_cache(maxsize=8)
def _colormap(n: int) -> NDArray[np.uint8]:
    index = np.arange(n, dtype=np.uint32)
    cmap = np.zeros((n, 3), dtype=np.uint8)
    # One step per 3-bit group of the index (8 steps for 24 bits), each vectorised over entries.
    for shift in range(8):
        group = index >> np.uint32(3 * shift)
        if not group.any():
            break
        for channel in range(3):
            bit = ((group >> np.uint32(channel)) & np.uint32(1)).astype(np.uint8)
            cmap[:, channel] |= bit << np.uint8(7 - shift)
    cmap.setflags(write=False)
    return cmap


def colour_keys(pixels: NDArray[np.uint8]) -> NDArray[np.int64]:
    """``(..., 3)`` RGB -> ``(...)`` each colour as one number, ``r << 16 | g << 8 | b`` (as its
    hex code reads), to compare, count or look up colours at once."""
    wide = np.asarray(pixels).astype(np.int64)
    return (wide[..., 0] << 16) | (wide[..., 1] << 8) | wide[..., 2]


def palette_array(colors: ArrayLike | None = None) -> NDArray[np.uint8]:
    """Return a full 256-entry palette: the VOC colormap, its first rows replaced by ``colors``.

    Args:
        colors: optional ``(k, 3)`` RGB colours with ``k <= 256`` for indices ``0..k-1``.

    Returns:
        A new, writable ``(256, 3)`` uint8 array.

    Raises:
        ColormapError: ``colors`` is not ``(k, 3)`` with ``k <= 256`` and values in 0..255.
    """
    palette = voc_colormap(256).copy()
    if colors is not None:
        rows = np.asarray(colors)
        if rows.ndim != 2 or rows.shape[1] != 3 or rows.shape[0] > 256:
            raise ColormapError(
                f"palette colours must be a (k, 3) array with k <= 256, got shape {rows.shape}"
            )
        if rows.size and (rows.min() < 0 or rows.max() > 255):
            raise ColormapError("palette colours must lie in 0..255")
        palette[: rows.shape[0]] = rows
    return palette


def palette_bytes(colors: ArrayLike | None = None) -> bytes:
    """Return the 768-byte palette for :meth:`PIL.Image.Image.putpalette` (see :func:`palette_array`)."""
    return palette_array(colors).tobytes()


def colorize(label: NDArray[np.integer], palette: ArrayLike | None = None) -> NDArray[np.uint8]:
    """Map an index image to RGB through a palette.

    Args:
        label: ``(H, W)`` integer array of values in 0..255.
        palette: ``(256, 3)`` uint8 palette; default the VOC colormap.

    Returns:
        ``(H, W, 3)`` uint8 RGB image (a new array).

    Raises:
        ColormapError: ``label`` has values outside 0..255.
    """
    lut = voc_colormap(256) if palette is None else palette_array(palette)
    label = np.asarray(label)
    if label.dtype != np.uint8:
        if label.size and (label.min() < 0 or label.max() > 255):
            raise ColormapError("label values must lie in 0..255 to be coloured")
        label = label.astype(np.uint8)
    return lut[label]


def text_color_for(color: Color) -> Color:
    """Black or white, whichever reads better on ``color`` (by perceived luminance)."""
    r, g, b = color
    return (0, 0, 0) if 0.299 * r + 0.587 * g + 0.114 * b > 140 else (255, 255, 255)
