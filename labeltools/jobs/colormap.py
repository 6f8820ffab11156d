"""The colormap written as a file: a text table, CSV, JSON, ``.npy`` or a legend picture (the job
behind ``labeltools colormap -o``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from labeltools.core._types import PathLike
from labeltools.core.cells import csv_document
from labeltools.core.classes import ClassEntry, hex_color
from labeltools.core.errors import ClassTableError
from labeltools.engine.storage import atomic_write, location
from labeltools.ops.draw import legend_image

COLORMAP_FORMATS = (".txt", ".csv", ".json", ".npy", ".png")


def save_colormap(path: PathLike, entries: Sequence[ClassEntry]) -> None:
    """Write colormap rows in the format named by the extension of ``path``.

    ``.txt``: ``name r g b`` lines; ``.csv``: ``index,name,r,g,b,hex``; ``.json``: a list of
    objects; ``.npy``: ``(N, 3)`` uint8; ``.png``: a legend picture. Written atomically.

    Raises:
        ClassTableError: unknown extension.
    """
    target = location(path)
    suffix = target.suffix.lower()
    if suffix not in COLORMAP_FORMATS:
        raise ClassTableError(
            f"{target}: unknown colormap format {suffix or '(none)'}; "
            f"use one of {', '.join(COLORMAP_FORMATS)}"
        )
    with atomic_write(target) as tmp:
        if suffix == ".npy":
            with open(tmp, "wb") as fh:
                np.save(fh, np.array([e.color for e in entries], dtype=np.uint8).reshape(-1, 3))
        elif suffix == ".png":
            legend_image([(e.index, e.name or f"class {e.index}", e.color) for e in entries]).save(
                tmp, format="PNG"
            )
        else:
            tmp.write_text(_colormap_text(suffix, entries), encoding="utf-8")


def _colormap_text(suffix: str, entries: Sequence[ClassEntry]) -> str:
    if suffix == ".txt":
        return "".join(f"{e.name or e.index} {e.color[0]} {e.color[1]} {e.color[2]}\n" for e in entries)
    if suffix == ".json":
        rows = [
            {"index": e.index, "name": e.name, "color": list(e.color), "hex": hex_color(e.color)}
            for e in entries
        ]
        return json.dumps(rows, indent=2) + "\n"
    table: list[list[Any]] = [[e.index, e.name, *e.color, hex_color(e.color)] for e in entries]
    return csv_document([["index", "name", "r", "g", "b", "hex"], *table])
