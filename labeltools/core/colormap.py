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


#: How the readers that turn a palette PNG's pixels into one grey level each (the brightness of
#: their colour rather than their index) weigh the colour: integer weights of red, green and blue over
#: ``2**shift``, plus ``rounding`` before the shift. libpng's ``rgb_to_gray`` with 0.299 and 0.587
#: (weights truncated to 15 bits, the sum truncated), which OpenCV's imread and TensorFlow's
#: decode_png call; Pillow's ``convert("L")`` (ITU-R 601-2, rounded), which Keras' ``load_img``
#: calls; OpenCV's ``cvtColor`` of an image read in colour (15-bit weights, rounded). The tests
#: compare each with its reader itself, on the VOC colormap's colours and random ones.
GREY_READERS: tuple[tuple[tuple[int, int, int], int, int], ...] = (
    ((9797, 19234, 3737), 15, 0),  # libpng: cv2.imread(f, cv2.IMREAD_GRAYSCALE), tf.io.decode_png(channels=1)
    ((19595, 38470, 7471), 16, 1 << 15),  # Pillow: convert("L"), keras.utils.load_img(color_mode="grayscale")
    ((9798, 19235, 3735), 15, 1 << 14),  # OpenCV: cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
)

#: The grey readers a message names.
GREY_READS = "OpenCV's imread(f, 0), TensorFlow's decode_png(channels=1), Keras' load_img(color_mode='grayscale')"


def grey_levels(colours: ArrayLike, reader: int = 0) -> NDArray[np.uint8]:
    """The grey level :data:`GREY_READERS`' ``reader`` gives each of ``(k, 3)`` RGB ``colours``."""
    weights, shift, rounding = GREY_READERS[reader]
    wide = np.asarray(colours, dtype=np.int64).reshape(-1, 3)
    return ((wide @ np.array(weights, dtype=np.int64) + rounding) >> shift).astype(np.uint8)


def grey_read_hint(
    held: ArrayLike, classes: ArrayLike, colours: ArrayLike | None = None, mend: str = "labeltools remap FILES --index-map {map} -d FOLDER"
) -> str:
    """Why label maps hold values that are no class: when all their values ``held`` are grey
    levels that one of :data:`GREY_READERS` gives the colours of the classes (and of void, 255),
    two of them at least no class, they are palette label files read as grey and saved again
    (class 1, (128, 0, 0), became 38). Says so, and gives the ``remap`` line that gives the
    classes back, or, where two classes are one grey level, that none can; ``""`` otherwise.

    Args:
        held: the values present (all of them, classes included, where known). The map given
            covers every class, so that one line serves every file of the dataset.
        classes: the class indices (void, 255, aside).
        colours: ``(256, 3)`` colours of the values, the class table's; default the VOC colormap.
        mend: what gives the classes back, with ``{map}`` for the index map.
    """
    held_values = sorted({int(v) for v in np.asarray(held).ravel()})
    ids = sorted({int(c) for c in np.asarray(classes).ravel() if 0 <= c < 255})
    if len([v for v in held_values if v not in ids and v != 255]) < 2:
        return ""
    palette = voc_colormap(256) if colours is None else np.asarray(colours, dtype=np.uint8).reshape(256, 3)
    values = [*ids, 255]
    sources: dict[int, set[int]] = {}  # grey level -> the values whose colour reads as it
    first: list[int] = []
    for reader in range(len(GREY_READERS)):
        levels = grey_levels(palette[values], reader).tolist()
        if not set(held_values) <= set(levels):  # not this reader's levels
            continue
        first = first or levels
        for value, level in zip(values, levels):
            sources.setdefault(level, set()).add(value)
    if not first:
        return ""
    changed = next(((v, level) for v, level in zip(values, first) if level in held_values and level != v != 255), None)
    example = "" if changed is None else f" (class {changed[0]}'s {tuple(palette[changed[0]].tolist())} is {changed[1]})"
    said = f"; they are grey levels of the classes' colours{example}: palette label files read as grey ({GREY_READS}) and saved again"
    copies = "labeltools colorize FILES --gray -d FOLDER writes copies that such readers read as class indices"
    alike = sorted((level not in held_values, level, sorted(found)) for level, found in sources.items() if len(found) > 1)
    if alike:
        _, level, found = alike[0]
        named = [str(v) if v != 255 else "void (255)" for v in found]
        return (
            f"{said}. Classes {', '.join(named[:-1])} and {named[-1]} both read as {level}, so no map "
            f"gives the classes back: make them again from the palette files (Pillow reads their indices; {copies})"
        )
    pairs = ",".join(f"{level}:{found.pop()}" for level, found in sorted(sources.items()))
    return f"{said}: {mend.format(map=pairs)} gives the classes back ({copies})"
