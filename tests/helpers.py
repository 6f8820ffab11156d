"""Helpers shared by the test modules: images, annotations, LibreOffice's files, the README's snippets
(fixtures live in conftest.py)."""

from __future__ import annotations

import base64
import copy
import io
import json
import re
import struct
import subprocess
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image


README = Path(__file__).resolve().parent.parent / "README.md"


def readme_block(heading: str) -> str:
    """The first ```python block after ``heading`` in the README."""
    text = README.read_text()
    match = re.search(r"```python\n(.*?)```", text[text.index(heading) :], re.S)
    assert match is not None
    return match.group(1)


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


# --- LibreOffice's spreadsheet, which opens the workbooks and CSV files we write -----------------


#: LibreOffice's CSV import as a user opening a CSV file gets it, with "Evaluate formulas" on (a
#: field typed ``=...`` becomes a formula, as Excel's opening of a .csv makes it one).
CSV_OPENED_WITH_FORMULAS = "CSV:44,34,76,1,,0,false,true,false,false,false,-1,true"


def soffice_convert(source: Path, target: str, profile: Path, folder: Path | None = None, infilter: str | None = None) -> Path:
    """Open ``source`` in LibreOffice (headless, profile folder ``profile``) and save it as
    ``target`` (a format, or ``format:filter``) into ``folder`` (default beside it); the file written."""
    reading = [f"--infilter={infilter}"] if infilter else []
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", *reading, "--convert-to", target,
         "--outdir", str(folder or source.parent), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return (folder or source.parent) / f"{source.stem}.{target.split(':')[0]}"


def _flat_namespaces(flat: Path) -> dict[str, str]:
    """The namespaces a flat ODF spreadsheet declares: prefix -> URI."""
    return dict(ns for _, ns in ET.iterparse(flat, events=["start-ns"]))


def flat_cells(flat: Path) -> list[tuple[str, str, str | None]]:
    """Every non-empty cell of a flat ODF spreadsheet (``.fods``): ``(sheet, text shown, formula
    or None)``."""
    spaces = _flat_namespaces(flat)
    table, text = (f"{{{spaces[p]}}}" for p in ("table", "text"))
    cells = []
    for sheet in ET.parse(flat).iter(f"{table}table"):
        for cell in sheet.iter(f"{table}table-cell"):
            shown = "\n".join("".join(p.itertext()) for p in cell.iter(f"{text}p"))
            if shown or cell.get(f"{table}formula"):
                cells.append((sheet.get(f"{table}name", ""), shown, cell.get(f"{table}formula")))
    return cells


def edit_flat_cells(flat: Path, sheet: str, cells: dict[tuple[int, int], str | int | None]) -> None:
    """Set cells of a sheet of a flat ODF spreadsheet as LibreOffice stores typed ones: ``(row,
    column)`` from 0 to a number, to text, or to the formula ``=1+1`` (with LibreOffice's saved
    value 2) for None. Repeated cells are split so that only the one cell changes."""
    spaces = _flat_namespaces(flat)
    for prefix, uri in spaces.items():
        ET.register_namespace(prefix, uri)
    table, office, text, calcext = (f"{{{spaces[p]}}}" for p in ("table", "office", "text", "calcext"))
    tree = ET.parse(flat)
    grid = next(t for t in tree.iter(f"{table}table") if t.get(f"{table}name") == sheet)
    rows = list(grid.iter(f"{table}table-row"))
    assert all(r.get(f"{table}number-rows-repeated") is None for r in rows[: 1 + max(y for y, _ in cells)])
    for (y, x), value in cells.items():
        row = rows[y]
        column = 0
        for index, cell in enumerate(list(row)):
            repeated = int(cell.get(f"{table}number-columns-repeated", "1"))
            if column + repeated > x:
                break
            column += repeated
        parts = [copy.deepcopy(cell) for _ in range(3)]
        for part, count in zip(parts, (x - column, 1, column + repeated - x - 1)):
            part.set(f"{table}number-columns-repeated", str(count))
        row.remove(cell)
        for offset, part in enumerate(p for p in parts if p.get(f"{table}number-columns-repeated") != "0"):
            row.insert(index + offset, part)
        target = parts[1]
        del target.attrib[f"{table}number-columns-repeated"]
        for name in (f"{office}value", f"{table}formula"):
            target.attrib.pop(name, None)
        kind = "string" if isinstance(value, str) else "float"
        target.set(f"{office}value-type", kind)
        target.set(f"{calcext}value-type", kind)
        if value is None:
            target.set(f"{table}formula", "of:=1+1")
            value = 2
        if kind == "float":
            target.set(f"{office}value", str(value))
        for child in list(target):
            target.remove(child)
        ET.SubElement(target, f"{text}p").text = str(value)
    tree.write(flat, xml_declaration=True, encoding="UTF-8")
    # ElementTree declares only the namespaces of names; a formula's "of:" is in a value
    unused = "".join(f' xmlns:{p}="{u}"' for p, u in spaces.items() if f"xmlns:{p}=" not in flat.read_text())
    flat.write_text(flat.read_text().replace("<office:document ", f"<office:document{unused} ", 1))
