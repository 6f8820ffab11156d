"""Label files: single-channel palette PNGs carrying the VOC colormap, written atomically.

A label file opens in an image viewer as colours and in Pillow as class indices, exactly like
VOC2012's ``SegmentationClass/*.png``. Grayscale (``L``) PNGs holding the same values are accepted
on read, and so are 16-bit ones whose values all fit in 0..255.
"""

from __future__ import annotations

import functools
import io
import os
import struct
import threading
import warnings
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from PIL import Image

from labeltools.core._types import PathLike
from labeltools.core.arrays import MAKE_VOID, as_label_array, negative_ignore_hint, run_counts, value_counts
from labeltools.core.classes import ClassTable
from labeltools.core.colormap import colour_keys, palette_bytes, voc_colormap
from labeltools.core.errors import ColourImageError, LabelFileError, LabeltoolsError, shell_word
from labeltools.core.files import json_text
from labeltools.engine.storage import atomic_write as atomic_write
from labeltools.engine.storage import is_url, list_files, location, names_beside, pngs_in, read_bytes, readable, stem_of

#: zlib settings for label PNGs. Label maps are long runs of few values: zlib's run-length
#: strategy (Z_RLE) compresses them about as well as level 6 at a third of its time, and both
#: faster and smaller than level 1 with the default strategy.
PNG_COMPRESS_LEVEL = 1

PNG_SAVE_ARGS: dict[str, Any] = {"format": "PNG", "compress_level": PNG_COMPRESS_LEVEL, "compress_type": zlib.Z_RLE}

#: Pillow modes of label files: one value per pixel (palette index, grey level, 1-bit, or a
#: 16/32-bit integer that must fit in 0..255).
#: What Pillow raises for data that is not a readable image: OSError for unknown or truncated
#: data, SyntaxError for broken PNG chunks, ValueError and DecompressionBombError for bad sizes.
PIL_ERRORS = (OSError, SyntaxError, ValueError, Image.DecompressionBombError)

INDEX_MODES = ("P", "L", "1", "I", "I;16", "I;16B", "I;16L", "I;16N")

#: Pillow modes of colour masks, which ``labeltools remap`` turns into label files: RGB(A), the
#: modes that convert to RGB, and grey or palette colours with alpha (LA, La, PA). A palette
#: (``P``) image is either: its indices as a label file, its palette's colours as a mask.
COLOUR_MODES = ("RGB", "RGBA", "RGBX", "CMYK", "YCbCr", "LA", "La", "PA")


def save_picture(image: Image.Image, path: PathLike, **save_args: Any) -> None:
    """Save a Pillow image at ``path`` (no temporary file: call it inside
    :func:`~labeltools.engine.storage.atomic_write`), encoded in memory first.

    Pillow's own file writer ignores a short write, which is how a full disk first shows: it
    leaves a truncated file and no error. Python's writer retries and raises.
    """
    buffer = io.BytesIO()
    image.save(buffer, **save_args)
    with open(path, "wb") as fh:
        fh.write(buffer.getbuffer())


def write_json(path: PathLike, data: Any) -> None:
    """Write ``data`` as indented UTF-8 JSON (ending in a newline), atomically."""
    text = json_text(data, indent=2) + "\n"
    with atomic_write(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_label(path: PathLike, label: ArrayLike, palette: ArrayLike | None = None) -> None:
    """Write a label map as a palette PNG, atomically.

    Args:
        path: destination file; its folder must exist.
        label: ``(H, W)`` label map, see :func:`as_label_array` for what is accepted.
        palette: optional ``(k, 3)`` colours for indices ``0..k-1``; default the VOC colormap.

    Raises:
        LabelFileError: the array is not a label map (nothing is written).
    """
    data = as_label_array(label, source=str(path))
    with atomic_write(path) as tmp:
        tmp.write_bytes(encode_label_png(data, palette_bytes(palette)))


def write_label_image(path: PathLike, image: Image.Image, palette: ArrayLike | bytes | None = None) -> None:
    """Write a Pillow image of class indices (mode ``L`` or ``P``) as a palette PNG, atomically.

    For producers that already hold the label map as a Pillow image (a rasteriser's canvas):
    every 8-bit value is a valid index, so no validation or array round trip is needed.

    Args:
        path: destination file; its folder must exist.
        image: the label map; it is not modified.
        palette: ``(k, 3)`` colours for indices ``0..k-1``, or the 768 bytes of
            :func:`~labeltools.core.colormap.palette_bytes`; default the VOC colormap.

    Raises:
        LabelFileError: the image is not single-channel 8-bit.
    """
    with atomic_write(path) as tmp:
        save_label_image(tmp, image, palette, name=path)


def save_label_image(
    path: PathLike, image: Image.Image, palette: ArrayLike | bytes | None = None, name: PathLike | None = None
) -> None:
    """Save a Pillow image of class indices as a palette PNG at ``path`` as it is (no temporary
    file: for writers that stage several files, see :func:`~labeltools.engine.storage.atomic_writes`).
    ``name`` is the file's name in messages (default ``path``); arguments as in
    :func:`write_label_image`."""
    if image.mode not in ("L", "P"):
        raise LabelFileError(f"{name or path}: a label image must have mode L or P, got {image.mode}")
    colours = palette if isinstance(palette, bytes) else palette_bytes(palette)
    with open(path, "wb") as fh:
        fh.write(encode_label_png(np.asarray(image), colours))


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(body, zlib.crc32(kind)))


def encode_label_png(label: NDArray[np.uint8], palette: bytes | None) -> bytes:
    """The bytes of a label PNG: ``(H, W)`` uint8 indices, 8-bit palette PNG with ``palette``
    (768 bytes) as its PLTE, or grayscale with None. Rows are stored unfiltered and compressed
    with zlib-ng's run-length strategy: the file Pillow writes with ``compress_type=Z_RLE``, two
    to three times faster, and one that :func:`plain_png` reads back without Pillow."""
    height, width = label.shape
    rows = np.zeros((height, width + 1), dtype=np.uint8)
    rows[:, 1:] = label
    packer = _deflater(PNG_COMPRESS_LEVEL, zlib.DEFLATED, 15, 8, zlib.Z_RLE)
    stream = packer.compress(rows) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0 if palette is None else 3, 0, 0, 0)
    parts = [b"\x89PNG\r\n\x1a\n", _chunk(b"IHDR", header)]
    if palette is not None:
        parts.append(_chunk(b"PLTE", palette))
    parts += [_chunk(b"IDAT", stream), _chunk(b"IEND", b"")]
    return b"".join(parts)


def image_palette(image: Image.Image) -> NDArray[np.uint8]:
    """The palette of a Pillow ``P`` image as ``(256, 3)`` uint8 RGB (missing entries black)."""
    raw = image.getpalette("RGB") or []
    pal = np.zeros((256, 3), dtype=np.uint8)
    entries = np.asarray(raw, dtype=np.uint8).reshape(-1, 3)[:256]
    pal[: len(entries)] = entries
    return pal


#: The largest image labeltools opens, in pixels (width x height), unless the environment
#: variable :data:`MAX_PIXELS_ENV` says otherwise. 2**27 is 16384 x 8192: far above any
#: segmentation dataset's frames, far below what exhausts memory; a larger header is a damaged
#: or hostile file (a 100-byte PNG can declare 13000 x 13000 pixels that Pillow fills with zeros).
DEFAULT_MAX_PIXELS = 2**27

MAX_PIXELS_ENV = "LABELTOOLS_MAX_PIXELS"


def max_pixels() -> int:
    """The pixel limit in force: ``$LABELTOOLS_MAX_PIXELS`` when set, else :data:`DEFAULT_MAX_PIXELS`.

    Raises:
        LabeltoolsError: the variable is not a positive integer.
    """
    return _limit(MAX_PIXELS_ENV, DEFAULT_MAX_PIXELS, "pixels")


#: The largest image or label file labeltools reads, in bytes, unless ``$LABELTOOLS_MAX_BYTES``
#: says otherwise: 512 MiB is more than a 16384 x 8192 RGB PNG stored uncompressed; a larger
#: "image" is a damaged or padded file (a photo followed by a gigabyte of zeros), refused from
#: its size before any of it is read or copied.
DEFAULT_MAX_BYTES = 2**29

MAX_BYTES_ENV = "LABELTOOLS_MAX_BYTES"


def max_bytes() -> int:
    """The byte limit in force: ``$LABELTOOLS_MAX_BYTES`` when set, else :data:`DEFAULT_MAX_BYTES`.

    Raises:
        LabeltoolsError: the variable is not a positive integer.
    """
    return _limit(MAX_BYTES_ENV, DEFAULT_MAX_BYTES, "bytes")


def _limit(variable: str, default: int, unit: str) -> int:
    """The positive whole number in environment ``variable``, else ``default``."""
    raw = os.environ.get(variable)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise LabeltoolsError(f"{variable}={raw!r}: must be a positive whole number of {unit}")
    return value


def read_image_bytes(path: PathLike, error: type[LabeltoolsError] = LabelFileError, what: str = "image") -> bytes:
    """The bytes of an image or label file, within :func:`max_bytes` (checked before reading)."""
    return read_bytes(path, error, what, max_bytes())


def image_file(path: PathLike, error: type[LabeltoolsError] = LabelFileError, what: str = "image") -> Any:
    """The location of an image or label file that :func:`read_image_bytes` would read, checked
    as it checks it, for a caller that reads less than the whole file (its header)."""
    return readable(path, error, what, max_bytes())


def check_pixel_count(
    height: int, width: int, source: str, error: type[LabeltoolsError] = LabelFileError
) -> None:
    """Raise ``error`` naming ``source`` when an image of ``height`` x ``width`` exceeds the
    pixel limit (:func:`max_pixels`), or when either side is not positive."""
    if height <= 0 or width <= 0:
        raise error(f"{source}: image size must be positive, got {height}x{width} (rows x columns)")
    limit = max_pixels()
    if height * width > limit:
        raise error(
            f"{source}: image of {_size(width)}x{_size(height)} = {_size(height * width, ',')} pixels "
            f"exceeds the limit of {limit:,} pixels (a damaged or hostile header, or set "
            f"{MAX_PIXELS_ENV} to allow it)"
        )


_OPENING = threading.Lock()

try:  # zlib-ng (de)compresses label PNGs several times faster than zlib, in the same format
    from zlib_ng.zlib_ng import compressobj as _deflater
    from zlib_ng.zlib_ng import decompressobj as _inflater
except ImportError:  # pragma: no cover - zlib-ng is a dependency; zlib gives the same results
    from zlib import compressobj as _deflater  # type: ignore[assignment]
    from zlib import decompressobj as _inflater  # type: ignore[assignment]


def _size(value: int, spec: str = "") -> str:
    """A size for a message; one of more than 15 digits as its order of magnitude."""
    return format(value, spec) if value < 10**15 else f"~10^{len(str(value)) - 1}"


def open_pillow(
    source: PathLike | bytes,
    name: str,
    error: type[LabeltoolsError] = LabelFileError,
    what: str = "file",
) -> Image.Image:
    """Open an image (header only) from a path or from encoded bytes, within the pixel limit.

    The one way labeltools opens an image: Pillow's own size warning is silenced and its bomb
    error replaced by the limit of :func:`max_pixels`, and every failure is ``error`` naming
    ``name`` (never a file object): ``"<name>: no such <what>"``, ``"<name>: cannot read image
    (empty, 0 bytes)"``, ``"<name>: cannot read image (not an image format Pillow knows)"``.
    """
    if not isinstance(source, (bytes, bytearray)) and is_url(source):
        source = read_bytes(source, error, what, max_bytes())
    if isinstance(source, (bytes, bytearray)):
        if not source:
            raise error(f"{name}: cannot read image (empty, 0 bytes)")
        fp: PathLike | IO[bytes] = io.BytesIO(source)
    else:
        fp = source
    # Pillow's limit and the warning filters are process-wide: one opener at a time changes them.
    with _OPENING:
        saved = Image.MAX_IMAGE_PIXELS
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                Image.MAX_IMAGE_PIXELS = None  # the limit is ours, checked below with our message
                image = Image.open(fp)
        except FileNotFoundError:
            raise error(f"{name}: no such {what}") from None
        except Image.UnidentifiedImageError:
            empty = not isinstance(source, (bytes, bytearray)) and _is_empty(source)
            reason = "empty, 0 bytes" if empty else "not an image format Pillow knows"
            raise error(f"{name}: cannot read image ({reason})") from None
        except PIL_ERRORS as exc:
            raise error(f"{name}: cannot read image ({exc})") from None
        finally:
            Image.MAX_IMAGE_PIXELS = saved
    try:
        check_pixel_count(image.height, image.width, name, error)
    except LabeltoolsError:
        image.close()
        raise
    return image


def _is_empty(path: PathLike) -> bool:
    try:
        return os.path.getsize(path) == 0
    except OSError:
        return False


@contextmanager
def open_image(
    path: PathLike, error: type[LabeltoolsError] = LabelFileError, what: str = "file", data: bytes | None = None
) -> Iterator[Image.Image]:
    """Open an image file for the block (see :func:`open_pillow`); ``data``, when given, is
    the file's bytes, already read.

    A missing, unreadable, oversized or truncated file (also when the block decodes it) becomes
    ``error`` naming the file: ``"<path>: no such <what>"`` or ``"<path>: cannot read image
    (...)"``.
    """
    image = open_pillow(path if data is None else data, str(path), error, what)
    try:
        with image:
            yield image
    except PIL_ERRORS as exc:
        raise error(f"{path}: cannot read image ({exc})") from None


def not_png_hint(path: PathLike) -> str:
    """Why a label PNG that is missing was not found, when a file of its stem in another format
    lies beside it on a local disk (``"; street_07.jpg is beside it: ..."``); empty otherwise."""
    others = names_beside(path, stem_of)
    return f"; {', '.join(others[:3])} is beside it: {NOT_PNG}" if others else ""


#: Why a label map in another format than PNG is not read.
NOT_PNG = "a label map must be a PNG, which keeps every class value (a JPEG's compression changes them along every edge)"


#: Channels per pixel of each PNG colour type (grey, RGB, palette, grey + alpha, RGBA).
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}

#: Adam7 passes: (first row, first column, row step, column step).
_ADAM7 = ((0, 0, 8, 8), (0, 4, 8, 8), (4, 0, 8, 4), (0, 2, 4, 4), (2, 0, 4, 2), (0, 1, 2, 2), (1, 0, 2, 1))


def png_pixel_shortfall(data: bytes) -> tuple[int, int] | None:
    """How much pixel data a PNG lacks: ``(bytes present, bytes its header declares)`` when its
    compressed stream ends early, ``None`` when complete (or not a PNG this can parse).

    Pillow decodes such a file without complaint and fills the missing rows with zeros, so a
    105-byte file can pass for a 13000 x 13000 label of background. The stream is inflated in
    pieces of 1 MiB, so memory stays small whatever the declared size.
    """
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or data[12:16] != b"IHDR":
        return None
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", data[16:29])
    bits = _PNG_CHANNELS.get(colour, 0) * depth
    if not bits:
        return None
    passes = _ADAM7 if interlace else ((0, 0, 1, 1),)
    expected = 0
    for row0, col0, row_step, col_step in passes:
        rows = max(0, (height - row0 + row_step - 1) // row_step)
        cols = max(0, (width - col0 + col_step - 1) // col_step)
        if rows and cols:
            expected += rows * (1 + (cols * bits + 7) // 8)
    inflater = zlib.decompressobj()
    got, pos = 0, 8
    try:
        while pos + 8 <= len(data) and got < expected:
            length, kind = struct.unpack(">I4s", data[pos : pos + 8])
            if kind == b"IDAT":
                pending = data[pos + 8 : pos + 8 + length]
                while pending and got < expected:
                    got += len(inflater.decompress(pending, 1 << 20))
                    pending = inflater.unconsumed_tail
            elif kind == b"IEND":
                break
            pos += 12 + length
    except zlib.error:
        return None  # corrupt rather than short: decoding reports it
    return None if got >= expected else (got, expected)


@dataclass(frozen=True)
class PlainPng:
    """The pixels of an 8-bit, single-channel, non-interlaced PNG whose rows are all stored
    unfiltered (as Pillow writes palette and grayscale labels): ``rows`` is the inflated
    stream, ``(H, W + 1)`` uint8 with each row's filter byte (0) in column 0."""

    rows: NDArray[np.uint8]
    palette: NDArray[np.uint8] | None  # (256, 3) for a palette PNG, None for grayscale

    @property
    def pixels(self) -> NDArray[np.uint8]:
        """The ``(H, W)`` label, as a new writable array."""
        return self.rows[:, 1:].copy()

    def histogram(self) -> NDArray[np.int64]:
        """``(256,)`` int64 pixels per value (filter bytes left out), counted run by run
        (:func:`run_counts`), or by Pillow in C for a noisy map."""
        height, stride = self.rows.shape
        counts = run_counts(self.rows.reshape(-1))
        if counts is None:
            counts = np.asarray(Image.frombuffer("L", (stride, height), self.rows, "raw", "L", 0, 1).histogram(), np.int64)
        counts[0] -= height
        return counts


def plain_png(data: bytes, name: str) -> PlainPng | None:
    """Decode a label PNG without Pillow when it is plain: 8-bit grayscale or palette, not
    interlaced, every row unfiltered, its stream complete. This is what labeltools, Pillow and
    most tools write for label maps; inflating it is the whole decoding, and zlib-ng inflates
    such low-entropy streams over ten times faster than Pillow's zlib. Anything else (and any
    damaged file) gives None, and the caller decodes it with Pillow, which reports what is wrong.

    Raises:
        LabelFileError: the header declares more pixels than :func:`max_pixels` allows.
    """
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or data[12:16] != b"IHDR" or len(data) < 33:
        return None
    width, height, depth, colour, compression, method, interlace = struct.unpack(">IIBBBBB", data[16:29])
    if depth != 8 or colour not in (0, 3) or compression or method or interlace or not width or not height:
        return None
    check_pixel_count(height, width, name)
    stream, palette, pos = [], None, 33
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if len(body) != length:
            return None
        if kind == b"IDAT":
            stream.append(body)
        elif kind == b"PLTE" and length % 3 == 0:
            palette = np.zeros((256, 3), dtype=np.uint8)
            entries = np.frombuffer(body, dtype=np.uint8).reshape(-1, 3)[:256]
            palette[: len(entries)] = entries
        elif kind == b"IEND":
            break
        pos += 12 + length
    if colour == 3 and palette is None:
        return None
    expected = height * (width + 1)
    try:
        inflated = _inflater().decompress(b"".join(stream), expected + 1)
    except zlib.error:
        return None
    if len(inflated) != expected:
        return None
    rows = np.frombuffer(inflated, dtype=np.uint8).reshape(height, width + 1)
    if rows[:, 0].any():  # a filtered row: Pillow undoes the filters
        return None
    return PlainPng(rows, palette if colour == 3 else None)


def label_data(path: PathLike) -> bytes:
    """The bytes of a label file; a missing file is ``"<path>: no such file"``, and names a file
    of its stem in another format beside it (:func:`not_png_hint`)."""
    try:
        return read_image_bytes(path, LabelFileError, "file")
    except LabelFileError as exc:
        hint = "" if location(path).exists() else not_png_hint(path)  # missing, not unreadable
        if not hint:
            raise
        raise LabelFileError(f"{exc}{hint}") from None


def read_label_palette(
    path: PathLike, lossy: bool = False, data: bytes | None = None
) -> tuple[NDArray[np.uint8], NDArray[np.uint8] | None]:
    """Read a label file and its palette (from ``data``, its bytes, when given).

    Returns:
        ``(label, palette)``: the stored indices as ``(H, W)`` uint8 (colours are never
        converted), and the file's palette as ``(256, 3)`` uint8, or ``None`` for grayscale files.

    Raises:
        LabelFileError: the file is missing, unreadable, truncated, not single-channel (an RGB
        file points to ``labeltools remap``), holds values above 255, or is a JPEG (whatever its
        name) unless ``lossy`` (a reader of ranges of values, which a JPEG's shifts stay within).
    """
    data = label_data(path) if data is None else data
    if str(path).lower().endswith(ARRAY_SUFFIX):
        return _array_label(data, path), None
    plain = plain_png(data, str(path))
    if plain is not None:
        return plain.pixels, plain.palette
    with open_image(path, data=data) as image:
        if not lossy:
            _refuse_lossy(image, path)
        image.load()
        mode = image.mode
        if mode == "P":
            return np.asarray(image, dtype=np.uint8), image_palette(image)
        if mode in ("L", "1"):
            return np.asarray(image.convert("L") if mode == "1" else image, dtype=np.uint8), None
        if mode in INDEX_MODES:  # the wide integer modes
            return _narrow(np.asarray(image), path), None
        drawn = _drawn_said(image) if mode in COLOUR_MODES else ""
    if mode in COLOUR_MODES:
        raise ColourImageError(
            f"{path}: {COLOUR_IMAGE_SAID} (mode {mode}), not a label map (expected a palette or grayscale PNG of "
            f"class indices); convert colour masks with `labeltools remap`{drawn}"
        )
    raise LabelFileError(f"{path}: unsupported image mode {mode} for a label map")


#: Pillow's names of the lossy formats a label map is refused in (see :func:`read_label_palette`).
LOSSY_FORMATS = ("JPEG", "MPO")

#: The first bytes of every JPEG file (its start-of-image marker and the next marker's first byte).
JPEG_SIGNATURE = b"\xff\xd8\xff"


def is_jpeg_data(path: PathLike) -> bool:
    """Whether a file holds a JPEG whatever its name (its first three bytes, read as every label
    file is: from a disk, a bucket or a zip); False when it cannot be read (its reading says why,
    elsewhere)."""
    try:
        return read_bytes(path).startswith(JPEG_SIGNATURE)
    except LabeltoolsError:
        return False


def _refuse_lossy(image: Image.Image, path: PathLike) -> None:
    """Refuse a label map stored as a JPEG (named ``.png`` too, as a renamed file is): its values
    are not the classes drawn but the compression's shifts of them along every edge.

    Raises:
        LabelFileError: naming the file, the way to a PNG and the reading of a mask of 0 and 255.
    """
    if image.format not in LOSSY_FORMATS:
        return
    named = "" if location(path).suffix.lower() in (".jpg", ".jpeg") else f" named {location(path).suffix or 'without an ending'}"
    raise LabelFileError(
        f"{path}: is a JPEG{named}, not a label map: {NOT_PNG}; save it again as a PNG where it was made, "
        f"or read a mask of 0 and 255 by ranges of values: labeltools remap {shell_word(path)} --index-map 0-127:0,128-255:1 -d FOLDER"
    )


#: How a label file that is a colour image is refused, after its name: batches count such failures.
COLOUR_IMAGE_SAID = "is a colour image"
#: The pixels of a colour image :func:`_drawn_said` looks at, at most, spread over it.
_DRAWN_SAMPLES = 50_000


#: The presets whose colours a label map saved in colour is looked for in, after the VOC
#: colormap's (see :func:`_drawn_said`), and the ``remap`` tables that give back its ids.
#: ADE20K's and COCO-Stuff's palettes give one colour to several classes (road and skyscraper),
#: which no table tells apart again: their pictures are not named.
_DRAWN_PRESETS = {"cityscapes": "-c cityscapes-train gives back its train ids (-c cityscapes its label ids)"}


def _drawn_said(image: Any) -> str:
    """What to give ``remap`` for a colour image whose colours (two or more, looked at on
    :data:`_DRAWN_SAMPLES` pixels) are all the VOC colormap's, or all one of
    :data:`_DRAWN_PRESETS`' (Cityscapes' ``*_color.png``): a label map
    saved in its colours, as a model's or a tool's pictures are, whose ids the class table gives
    back; ``""`` otherwise."""
    rgb = np.asarray(image.convert("RGB"), dtype=np.uint8).reshape(-1, 3)
    held = np.unique(colour_keys(rgb[:: max(1, len(rgb) // _DRAWN_SAMPLES)]))
    if len(held) < 2:
        return ""
    if np.isin(held, colour_keys(voc_colormap(256))).all():
        return (
            "; its colours are all the VOC colormap's, a label map saved in colour: labeltools remap FILES -c TABLE "
            "(the dataset's class_names.txt, or a preset) -d FOLDER gives back its class indices"
        )
    for preset, given in _DRAWN_PRESETS.items():
        if np.isin(held, _preset_colour_keys(preset)).all():
            return f"; its colours are all the {preset} preset's, a label map saved in colour: labeltools remap FILES {given} -d FOLDER"
    return ""


@functools.lru_cache(maxsize=None)
def _preset_colour_keys(preset: str) -> NDArray[np.int64]:
    """The colours of a preset's classes, each as one number (see :func:`colour_keys`)."""
    return colour_keys(np.array([entry.color for entry in ClassTable.preset(preset).classes], dtype=np.uint8))


def probe_label(path: PathLike, data: bytes | None = None) -> tuple[tuple[int, int], str]:
    """Read only a label file's header (from ``data``, its bytes, when given): its ``(H, W)``
    shape and Pillow mode, no pixels.

    Lets a caller check sizes before decoding (or writing) anything.

    Raises:
        LabelFileError: the file is missing or is not an image Pillow can identify.
    """
    with open_image(path, data=data) as image:
        return (image.height, image.width), image.mode


def label_histogram(path: PathLike, data: bytes | None = None) -> tuple[NDArray[np.int64], tuple[int, int]]:
    """Count the pixels of each value in a label file (from ``data``, its bytes, when given)
    without building the array.

    Pillow counts palette and grayscale images in C, about twice as fast as decoding to an array
    and calling ``np.bincount``; other accepted modes fall back to :func:`read_label`.

    Returns:
        ``(counts, (H, W))``: ``(256,)`` int64 pixel counts per value, and the image size.

    Raises:
        LabelFileError: see :func:`read_label_palette`.
    """
    if not str(path).lower().endswith(ARRAY_SUFFIX):  # an array is counted as read
        data = label_data(path) if data is None else data
        plain = plain_png(data, str(path))
        if plain is not None:
            return plain.histogram(), (plain.rows.shape[0], plain.rows.shape[1] - 1)
        with open_image(path, data=data) as image:
            _refuse_lossy(image, path)
            counts = image_histogram(image)
            if counts is not None:
                return counts, (image.height, image.width)
    label = read_label(path, data=data)
    return value_counts(label), label.shape  # type: ignore[return-value]


def image_histogram(image: Image.Image) -> NDArray[np.int64] | None:
    """``(256,)`` int64 pixel count of each value of a palette or grayscale (``P``/``L``) image,
    counted by Pillow in C (decoding it: a truncated file raises ``OSError``); None for other
    modes."""
    if image.mode not in ("P", "L"):
        return None
    return np.asarray(image.histogram()[:256], dtype=np.int64)


def read_label(path: PathLike, lossy: bool = False, data: bytes | None = None) -> NDArray[np.uint8]:
    """Read a label file (palette, grayscale, or 16-bit that fits; or a prediction saved as a
    NumPy array, see :func:`prediction_files`) as ``(H, W)`` uint8 indices; a JPEG only when
    ``lossy``; from ``data``, its bytes, when given.

    Raises:
        LabelFileError: see :func:`read_label_palette`.
    """
    return read_label_palette(path, lossy, data)[0]


#: A prediction saved as an array: ``np.save`` of a model's argmax (see :func:`prediction_files`).
ARRAY_SUFFIX = ".npy"


def prediction_files(folder: Any, recursive: bool = False) -> tuple[list[Any], str]:
    """The predictions of a folder (with ``recursive``, of its sub-folders too): its label PNGs,
    or, where it holds none, the class indices a model's scoring script saved with ``np.save``
    (``.npy``, an ``(H, W)`` array each; see :func:`read_label`); and their ending, by which a
    missing one is named (``.png`` when there are none)."""
    if recursive:
        files = list_files(folder, (".png",), recursive=True) or list_files(folder, (ARRAY_SUFFIX,), recursive=True)
    else:
        files = pngs_in(folder) or list_files(folder, (ARRAY_SUFFIX,))
    return files, files[0].suffix if files else ".png"


def _array_label(data: bytes, path: PathLike) -> NDArray[np.uint8]:
    """The class indices of a ``.npy`` file: an ``(H, W)`` array (or ``(1, H, W)``,
    ``(H, W, 1)``) of integers, booleans or whole numbers stored as floats, each in 0..255.

    Raises:
        LabelFileError: not an array file, of another shape (scores per class: their argmax is
            the prediction), fractions (scores: not yet classes) or values outside 0..255.
    """
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise LabelFileError(f"{path}: cannot be read as an array of class indices (.npy): {exc}") from None
    if not isinstance(array, np.ndarray):  # an .npz archive under this name
        raise LabelFileError(f"{path}: holds several arrays (an .npz archive), not one array of class indices")
    if array.ndim == 3 and 1 in (array.shape[0], array.shape[-1]):
        array = array.reshape(array.shape[1:] if array.shape[0] == 1 else array.shape[:-1])
    if array.ndim != 2:
        raise LabelFileError(
            f"{path}: holds an array of shape {array.shape}, not one class index per pixel (H, W); scores per "
            "class become a prediction by their argmax over the classes' axis (np.save(path, scores.argmax(0)))"
        )
    if array.dtype == bool:
        return array.astype(np.uint8)
    if array.dtype.kind == "f":
        whole = np.isfinite(array) & (array == np.round(array))
        if not whole.all():
            raise LabelFileError(
                f"{path}: holds {int(np.count_nonzero(~whole))} value(s) that are no whole number (such as "
                f"{array[~whole].flat[0].item()!r}): scores or probabilities, not class indices; save the classes "
                "(np.save(path, scores.argmax(0)), or a threshold's result for one class)"
            )
    elif array.dtype.kind not in "iu":
        raise LabelFileError(f"{path}: holds values of type {array.dtype}, not class indices (integers)")
    return _narrow(array, path, "array")


def _narrow(wide: NDArray[Any], path: PathLike, what: str = "16-bit image") -> NDArray[np.uint8]:
    wide = np.asarray(wide)
    outside = (wide < 0) | (wide > 255)
    nbad = int(np.count_nonzero(outside))
    if nbad:
        low, high = int(wide.min()), int(wide.max())
        hint = negative_ignore_hint(np.unique(wide[outside]), MAKE_VOID) or "; a label map holds one byte per pixel"
        raise LabelFileError(
            f"{path}: {what} with {nbad} pixel(s) outside 0..255 ({f'min {low}, ' if low < 0 else ''}max {high}){hint}"
        )
    return wide.astype(np.uint8)


def write_gray_label(path: PathLike, label: ArrayLike) -> None:
    """Write a label map as a grayscale (``L``) PNG, atomically (see :func:`write_label`)."""
    data = as_label_array(label, source=str(path))
    with atomic_write(path) as tmp:
        tmp.write_bytes(encode_label_png(data, None))


def check_unique_stems(
    sources: Sequence[PathLike], output_stem: Callable[[str], str] = str, folders: Sequence[str] | None = None
) -> None:
    """Raise LabelFileError listing inputs whose stems collide (their outputs would clash), the
    stems as ``output_stem`` names the outputs; with ``folders`` (each source's output
    sub-folder), within one folder alone."""
    seen: dict[tuple[str, str], str] = {}
    clashes = []
    for source, folder in zip(sources, folders if folders is not None else [""] * len(sources)):
        stem = (folder, output_stem(Path(source).stem))
        if stem in seen:
            clashes.append(f"{seen[stem]} and {source}")
        else:
            seen[stem] = str(source)
    if clashes:
        raise LabelFileError(
            "inputs with the same name would write the same output file: " + "; ".join(clashes)
        )
