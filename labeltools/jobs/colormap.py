"""The colormap written as a file: a text table, CSV, JSON, ``.npy`` or a legend picture (the job
behind ``labeltools colormap -o``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np

from labeltools.core._types import PathLike
from labeltools.core.cells import csv_document
from labeltools.core.classes import ClassEntry, ColormapRows
from labeltools.core.errors import ClassTableError, ColormapError
from labeltools.engine.storage import atomic_write, location
from labeltools.formats.labels import save_picture
from labeltools.ops.draw import legend_image

COLORMAP_FORMATS = (".txt", ".csv", ".json", ".npy", ".png", ".gpl")

#: The formats for people, which hold at most :data:`SHOWN_MAX` colours: a legend picture, and
#: a GIMP palette (GIMP, Krita and Inkscape paint with it; masks painted so go through ``remap``).
_SHOWN_FORMATS = {".png": "a legend picture", ".gpl": "a GIMP palette"}

#: Colours a legend picture (and a table or ``--json`` for people) shows at most: 16 times what a
#: label map holds. A legend of 100,000 would be 640 megapixels, which image viewers refuse.
SHOWN_MAX = 4096

#: Rows formatted at a time: a text file of 2**24 rows is written in bounded memory.
_CHUNK = 1 << 16

_HEX = [f"{v:02x}" for v in range(256)]


def save_colormap(path: PathLike, entries: Sequence[ClassEntry]) -> None:
    """Write colormap rows in the format named by the extension of ``path``.

    ``.txt``: ``name r g b`` lines (the index for a row without a name); ``.csv``:
    ``index,name,r,g,b,hex``; ``.json``: a list of objects, one a line; ``.npy``: ``(N, 3)``
    uint8; ``.png``: a legend picture; ``.gpl``: a GIMP palette, each colour named by its class
    (these two at most :data:`SHOWN_MAX` colours). Written atomically; text is written a chunk
    of rows at a time, so 2**24 rows (:class:`ColormapRows`) take their colour array's memory.

    Raises:
        ClassTableError: unknown extension.
        ColormapError: a legend picture or GIMP palette of more than :data:`SHOWN_MAX` colours.
    """
    target = location(path)
    suffix = target.suffix.lower()
    if suffix not in COLORMAP_FORMATS:
        raise ClassTableError(
            f"{target}: unknown colormap format {suffix or '(none)'}; "
            f"use one of {', '.join(COLORMAP_FORMATS)}"
        )
    if suffix in _SHOWN_FORMATS and len(entries) > SHOWN_MAX:
        raise ColormapError(
            f"{target}: {_SHOWN_FORMATS[suffix]} shows at most {SHOWN_MAX} colours, not {len(entries)} (it would be "
            "too large to use); write them as .npy, .csv, .json or .txt"
        )
    rows = entries if isinstance(entries, ColormapRows) else None
    with atomic_write(target) as tmp:
        if suffix == ".npy":
            colors = rows.colors if rows is not None else np.array([e.color for e in entries], dtype=np.uint8)
            with open(tmp, "wb") as fh:
                np.save(fh, colors.reshape(-1, 3))
        elif suffix == ".png":
            save_picture(legend_image([(e.index, e.name or f"class {e.index}", e.color) for e in entries]), tmp, format="PNG")
        else:
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                if suffix == ".gpl":  # GIMP's head: the palette's name (its file's), colours shown 16 a row
                    fh.write(f"GIMP Palette\nName: {' '.join(target.stem.split())}\nColumns: 16\n#\n")
                for start in range(0, len(entries), _CHUNK):
                    stop = min(start + _CHUNK, len(entries))
                    chunk = rows.rows(start, stop) if rows is not None else [(e.index, e.name, *e.color) for e in entries[start:stop]]
                    fh.write(_colormap_text(suffix, chunk, first=start == 0, last=stop == len(entries)))


def _colormap_text(suffix: str, rows: Sequence[tuple[int, str, int, int, int]], first: bool, last: bool) -> str:
    """Rows of a colormap file in ``suffix``'s format, with the file's head when ``first`` and its
    tail when ``last``."""
    if suffix == ".txt":
        return "".join(f"{name or i} {r} {g} {b}\n" for i, name, r, g, b in rows)
    if suffix == ".gpl":  # a colour's name is the rest of its line: one line, whatever the class name holds
        return "".join(f"{r:3d} {g:3d} {b:3d}\t{' '.join(name.split()) or f'class {i}'} ({i})\n" for i, name, r, g, b in rows)
    if suffix == ".json":
        lines = ",\n".join(
            f'  {{"index": {i}, "name": {json.dumps(name)}, "color": [{r}, {g}, {b}], "hex": "#{_HEX[r]}{_HEX[g]}{_HEX[b]}"}}'
            for i, name, r, g, b in rows
        )
        return ("[\n" if first else ",\n") + lines + ("\n]\n" if last else "")
    head = "index,name,r,g,b,hex\n" if first else ""
    return head + "".join(
        csv_document([[i, name, r, g, b, f"#{_HEX[r]}{_HEX[g]}{_HEX[b]}"]]) if name else f"{i},,{r},{g},{b},#{_HEX[r]}{_HEX[g]}{_HEX[b]}\n"
        for i, name, r, g, b in rows
    )
