"""Image-building helpers shared by the test modules (fixtures live in conftest.py)."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

import numpy as np
from PIL import Image


def scene(h: int, w: int) -> np.ndarray:
    """An ``(h, w, 3)`` uint8 RGB gradient, different under every flip and rotation."""
    ys, xs = np.mgrid[0:h, 0:w]
    return np.stack([xs * 4, ys * 5, (xs + ys) * 2], axis=-1).astype(np.uint8)


def encode(image: Image.Image, fmt: str, **save: Any) -> bytes:
    """The bytes of ``image`` saved in Pillow format ``fmt``."""
    buf = io.BytesIO()
    image.save(buf, format=fmt, **save)
    return buf.getvalue()


def png_bytes(array: np.ndarray, **save: Any) -> bytes:
    return encode(Image.fromarray(array), "PNG", **save)


def jpeg_bytes(image: Image.Image, **save: Any) -> bytes:
    return encode(image, "JPEG", quality=90, **save)


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def png_chunks(data: bytes) -> list[bytes]:
    """The chunks of a PNG file (length, type, payload and CRC each), in file order."""
    chunks, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        chunks.append(data[pos : pos + 12 + length])
        pos += 12 + length
    return chunks


def broken_chunk_png(array: np.ndarray) -> bytes:
    """A PNG of ``array`` whose pixel data is split over two chunks, the second renamed ``ID@T``:
    the header reads fine, decoding the pixels makes Pillow raise SyntaxError."""
    data = png_bytes(array)
    start = data.index(b"IDAT") - 4
    (length,) = struct.unpack(">I", data[start : start + 4])
    pixels = data[start + 8 : start + 8 + length]
    half = len(pixels) // 2
    chunks = _png_chunk(b"IDAT", pixels[:half]) + _png_chunk(b"ID@T", pixels[half:])
    return data[:start] + chunks + data[start + 12 + length :]
