"""Image-building helpers shared by the test modules (fixtures live in conftest.py)."""

from __future__ import annotations

import base64
import io
import json
import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image


def pillow_at_least(major: int, minor: int) -> bool:
    """Whether the Pillow installed is release ``major.minor`` or later."""
    import PIL

    return tuple(int(part) for part in PIL.__version__.split(".")[:2]) >= (major, minor)


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


H, W = 48, 64


def shapes_abc() -> list[dict[str, Any]]:
    return [
        {"label": "cat", "points": [[2, 2], [40, 5], [20, 30]], "shape_type": "polygon", "group_id": None},
        {"label": "dog", "points": [[30, 20], [60, 45]], "shape_type": "rectangle", "group_id": 1},
        {"label": "__ignore__", "points": [[0, 40], [10, 47]], "shape_type": "rectangle", "group_id": None},
        {"label": "dog", "points": [[50, 10], [55, 10]], "shape_type": "circle", "group_id": 1},
    ]


def write_annotation(
    folder: Path,
    stem: str,
    shapes: list[dict[str, Any]] | None = None,
    *,
    image: Image.Image | None = None,
    fmt: str = "JPEG",
    ext: str = ".jpg",
    embed: bool = False,
    declared_hw: tuple[int, int] | None = None,
    **save: Any,
) -> tuple[Path, bytes]:
    """A labelme JSON (+ image file unless embedded); returns the JSON path and image bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    image = image if image is not None else Image.fromarray(scene(H, W))
    data = encode(image, fmt, **save)
    if not embed:
        (folder / f"{stem}{ext}").write_bytes(data)
    hw = declared_hw or (image.height, image.width)
    doc = {
        "version": "5.5.0",
        "flags": {},
        "shapes": shapes if shapes is not None else shapes_abc(),
        "imagePath": f"{stem}{ext}",
        "imageData": base64.b64encode(data).decode() if embed else None,
        "imageHeight": hw[0],
        "imageWidth": hw[1],
    }
    path = folder / f"{stem}.json"
    path.write_text(json.dumps(doc))
    return path, data


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative name -> bytes)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
