"""Remapping: RGB colour masks to class indices with 255 void, back, and index-to-index tables.

Colour lookup packs each pixel's R, G, B into one 24-bit integer and reads its class from a
``2**24``-entry uint8 lookup table (16 MiB, built once per class table and cached): one pass over
the pixels whatever the number of classes. Colours the table marks void and colours it does not
hold become 255 (:data:`~labeltools.core.colormap.VOID`); the :class:`RemapReport` says how many pixels
went void for which reason and which unknown colours were the most frequent.

A class table whose colours are not unique (one colour, two target indices) is ambiguous for
colour input. :func:`resolve_colors` refuses it unless told how to choose (``on_conflict``); the
Cityscapes presets resolve each shared colour to the class that is evaluated: (0, 0, 142) is car,
not license plate; (153, 153, 153) is pole, not polegroup; (0, 0, 0) is the first label of that
colour (``unlabeled``, labelId 0; void in ``cityscapes-train``).

A colour becomes its class's index in the table, as every command reads the table: labelIds with
the ``cityscapes`` preset, trainIds with ``cityscapes-train``.

Three layers, as everywhere: pure functions on arrays (:func:`rgb_to_index`,
:func:`index_to_rgb`, :func:`index_to_index`), per-file functions that read, remap and write
(:func:`remap_color_file`, :func:`remap_index_file`, :func:`index_file_to_rgb`), and the batch
function :func:`remap_files`.
"""

from __future__ import annotations

import logging
import math
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Optional, Union

import numpy as np
from numpy.typing import ArrayLike, NDArray

from labeltools.core._types import Color, PathLike
from labeltools.core.arrays import as_label_array, not_whole, to_array, value_counts
from labeltools.core.classes import TRAIN_ID_PRESETS, ClassEntry, ClassTable
from labeltools.core.colormap import colorize
from labeltools.core.errors import RemapError
from labeltools.core.files import is_url, local_path, read_small_text
from labeltools.core.options import ON_CONFLICT, VOID, OnConflict

if TYPE_CHECKING:
    from labeltools.engine.executor import FileResult

log = logging.getLogger(__name__)


ReportKey = Union[Color, int]

UNKNOWN_KEPT_PER_FILE = 256
"""How many of a file's unknown colours (or values) its report keeps, the most frequent first."""

_RGB_MASK = np.uint32(0xFFFFFF)

_TOLERANCE_CHUNK = 4096  # unique colours compared with the table at a time (bounds memory)


# Why a colour (or palette entry) ended up with its value.
_CAUSES = _MAPPED, _VOID_COLOR, _TOLERATED, _NEAR_VOID, _UNKNOWN, _AMBIGUOUS, _ALPHA = range(7)


def entry_target(entry: ClassEntry) -> int:
    """The value a pixel of ``entry``'s colour gets: its index; 255 for void entries and for
    entries without a value of their own (index -1)."""
    return VOID if entry.index < 0 else entry.index


def _evaluated(entry: ClassEntry) -> bool:
    """True for an entry that is scored: not void, and not void in training either."""
    return entry_target(entry) != VOID and entry.train_id != VOID


def color_conflicts(table: ClassTable) -> dict[Color, tuple[ClassEntry, ...]]:
    """Colours that entries with different targets share (see :func:`entry_target`).

    Returns:
        ``{colour: entries}`` in table order; empty when every colour has one target.
    """
    groups: dict[Color, list[ClassEntry]] = {}
    for entry in table:
        groups.setdefault(entry.color, []).append(entry)
    return {
        color: tuple(entries)
        for color, entries in groups.items()
        if len({entry_target(e) for e in entries}) > 1
    }


@lru_cache(maxsize=2)
def _preset(name: str) -> ClassTable:
    return ClassTable.preset(name)


def _conflict_mode(table: ClassTable, on_conflict: str | None) -> str:
    if on_conflict is None:
        # The Cityscapes presets know which of their shared colours is evaluated.
        cityscapes = table in (_preset("cityscapes"), _preset("cityscapes-train"))
        return "evaluated" if cityscapes else "error"
    if on_conflict not in ON_CONFLICT:
        raise RemapError(
            f"on_conflict must be one of {', '.join(ON_CONFLICT)}, got {on_conflict!r}"
        )
    return on_conflict


def resolve_colors(table: ClassTable, on_conflict: str | None = None) -> dict[Color, int]:
    """Map each colour of ``table`` to the value its pixels get (0..254, or 255 for void).

    Args:
        table: the class table; a pixel gets its entry's index (labelIds with ``cityscapes``,
            trainIds with ``cityscapes-train``).
        on_conflict: what to do with a colour that entries with different targets share:
            ``"error"``, ``"first"`` (the entry listed first) or ``"void"`` (255). ``None``
            means ``"error"``, except for the Cityscapes presets, whose shared colours go to
            the class that is evaluated (car, pole), else to the first listed (black).

    Returns:
        ``{(r, g, b): value}`` in table order.

    Raises:
        RemapError: the table has conflicting colours and ``on_conflict`` is ``"error"`` (the
            message lists every such colour and its classes), or ``on_conflict`` is unknown.
    """
    return _resolve(table, _conflict_mode(table, on_conflict))


def _resolve(table: ClassTable, mode: str) -> dict[Color, int]:
    resolved: dict[Color, int] = {}
    for entry in table:
        resolved.setdefault(entry.color, entry_target(entry))
    # The colour 255 is drawn in (the table's void colour, else the VOC colormap's) is void on
    # the way back too, unless a class holds it: what --to-rgb writes, colour input reads.
    resolved.setdefault(table.color_of(VOID), VOID)
    unresolved = {}
    for color, entries in color_conflicts(table).items():
        if mode == "void":
            resolved[color] = VOID
        elif mode == "evaluated":
            evaluated = {entry_target(e) for e in entries if _evaluated(e)}
            if len(evaluated) == 1:
                resolved[color] = evaluated.pop()
            elif not evaluated:  # none is scored: the first listed, as "first" would
                resolved[color] = entry_target(entries[0])
            else:
                unresolved[color] = entries
        elif mode == "error":
            unresolved[color] = entries
    if unresolved:
        listed = "; ".join(
            f"{color} is " + ", ".join(f"{e.name} -> {entry_target(e)}" for e in entries)
            for color, entries in unresolved.items()
        )
        raise RemapError(
            f"{table.source}: {len(unresolved)} colour(s) are shared by classes that map to "
            f"different values, so their pixels cannot be mapped: {listed}. Give each class its own "
            "colour, or choose how to resolve them: on conflict 'first' (the class listed "
            "first) or 'void' (255)"
        )
    return resolved


def target_palette(table: ClassTable) -> NDArray[np.uint8]:
    """``(256, 3)`` uint8 palette for label maps holding ``table``'s indices: the table's own
    (:meth:`ClassTable.palette`), as every command draws it."""
    return table.palette()


def share_near_colours(rgb: NDArray[np.uint8], colours: Sequence[Sequence[int]], distance: float, samples: int = 20_000) -> float:
    """The share of an image's pixels ``(H, W, 3)`` whose colour lies within Euclidean
    ``distance`` of one of ``colours``, estimated on at most ``samples`` pixels evenly spread."""
    flat = rgb.reshape(-1, 3)
    if not len(flat) or not len(colours):
        return 0.0
    nearest = _nearest_square_distance(flat[:: max(1, len(flat) // samples)], colours)
    return float(np.count_nonzero(nearest <= distance * distance)) / len(nearest)


def _nearest_square_distance(rgb: ArrayLike, colours: Sequence[Sequence[int]]) -> NDArray[np.int64]:
    """Each colour of ``rgb`` ``(N, 3)``'s squared Euclidean distance to the nearest of ``colours``."""
    return ((np.asarray(rgb, np.int64)[:, None, :] - np.asarray(colours, np.int64)[None, :, :]) ** 2).sum(axis=-1).min(axis=1)


def near_unknown_share(report: RemapReport, colours: Sequence[Sequence[int]], distance: float) -> float:
    """The share of a report's pixels of unknown colours (of the colours it keeps) whose colour
    lies within Euclidean ``distance`` of one of ``colours``: colours shifted off a class's (a
    mask once saved as JPEG, edges drawn smooth), not colours of other classes."""
    kept = [(key, count) for key, count in report.unknown_counts.items() if isinstance(key, tuple)]
    if not kept or not len(colours) or distance <= 0:
        return 0.0
    counts = np.asarray([count for _, count in kept], np.int64)
    nearest = _nearest_square_distance([key for key, _ in kept], colours)
    return float(counts[nearest <= distance * distance].sum()) / float(counts.sum())


def suggested_tolerance(table: ClassTable, on_conflict: str | None = None) -> int:
    """The largest whole tolerance below half the smallest distance between two colours that
    map to different values: every colour is then near at most one class. 0 if there is none."""
    lookup = _compile(table, _conflict_mode(table, on_conflict))
    colors, targets = lookup.colors.astype(np.int64), lookup.targets
    if len(colors) < 2:
        return 0
    d2 = ((colors[:, None, :] - colors[None, :, :]) ** 2).sum(-1)
    d2 = np.where(targets[:, None] != targets[None, :], d2, np.iinfo(np.int64).max)
    closest = math.sqrt(float(d2.min()))
    return max(0, math.ceil(closest / 2) - 1)


def _pack(colors: ArrayLike) -> NDArray[np.uint32]:
    """``(..., 3)`` RGB -> ``(...)`` uint32 ``r | g << 8 | b << 16`` (the byte order in memory)."""
    c = np.asarray(colors).astype(np.uint32)
    return c[..., 0] | (c[..., 1] << np.uint32(8)) | (c[..., 2] << np.uint32(16))


def _unpack(packed: NDArray[np.uint32]) -> NDArray[np.uint8]:
    """Inverse of :func:`_pack`: ``(...)`` uint32 -> ``(..., 3)`` uint8."""
    shifts = np.array([0, 8, 16], dtype=np.uint32)
    return ((packed[..., None] >> shifts) & np.uint32(0xFF)).astype(np.uint8)


@dataclass(frozen=True, eq=False)
class _Lookup:
    """A class table compiled for colour lookup."""

    colors: NDArray[np.uint8]  # (K, 3) distinct colours, table order
    packed: NDArray[np.uint32]  # (K,)
    targets: NDArray[np.uint8]  # (K,)

    @property
    def void_packed(self) -> NDArray[np.uint32]:
        return self.packed[self.targets == VOID]

    def lut(self) -> tuple[NDArray[np.uint8], int | None]:
        return _color_lut(self.packed.tobytes(), self.targets.tobytes())


@lru_cache(maxsize=16)
def _compile(table: ClassTable, mode: str) -> _Lookup:
    resolved = _resolve(table, mode)
    colors = np.array(list(resolved), dtype=np.uint8).reshape(-1, 3)
    targets = np.array(list(resolved.values()), dtype=np.uint8)
    for array in (colors, targets):
        array.setflags(write=False)
    packed = _pack(colors)
    packed.setflags(write=False)
    return _Lookup(colors, packed, targets)


@lru_cache(maxsize=2)
def _color_lut(packed: bytes, targets: bytes) -> tuple[NDArray[np.uint8], int | None]:
    """The ``2**24`` uint8 lookup table of packed colour -> value, and the value it gives
    unknown colours: a spare value the table never produces (so one pass finds them later), or
    255 with ``None`` when the table uses every value 0..254."""
    keys = np.frombuffer(packed, dtype=np.uint32)
    values = np.frombuffer(targets, dtype=np.uint8)
    used = np.zeros(256, dtype=bool)
    used[values] = True
    spare = np.flatnonzero(~used[:VOID])  # (setdiff1d would import numpy.ma, 5 ms of every start)
    sentinel = int(spare[-1]) if spare.size else None
    lut = np.full(1 << 24, VOID if sentinel is None else sentinel, dtype=np.uint8)
    lut[keys] = values
    lut.setflags(write=False)
    log.debug("built the colour lookup table for %d colours (unknown -> %s)", len(keys), sentinel)
    return lut, sentinel


def _check_tolerance(tolerance: float) -> float:
    try:
        value = float(tolerance)
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise RemapError(
            f"tolerance must be a colour distance >= 0 (Euclidean, in 0..255 units per channel), "
            f"got {tolerance!r}"
        )
    return value


def _classify_unknown(
    packed: NDArray[np.uint32], lookup: _Lookup, tolerance: float
) -> tuple[NDArray[np.uint8], NDArray[np.int8]]:
    """Values and causes for colours not in the table: within ``tolerance`` of colours that all
    map to one value -> that value; near colours of different values -> 255 (ambiguous);
    near none -> 255 (unknown)."""
    targets = np.full(packed.shape, VOID, dtype=np.uint8)
    causes = np.full(packed.shape, _UNKNOWN, dtype=np.int8)
    if tolerance <= 0 or not len(lookup.packed):
        return targets, causes
    # Squared distances as |c|^2 + |t|^2 - 2 c.t: integers below 2**18, exact in float64.
    table = lookup.colors.astype(np.float64)
    table_sq = (table**2).sum(axis=1)
    table_targets = lookup.targets.astype(np.int16)
    limit = tolerance * tolerance
    for start in range(0, len(packed), _TOLERANCE_CHUNK):
        stop = start + _TOLERANCE_CHUNK
        colors = _unpack(packed[start:stop]).astype(np.float64)
        d2 = (colors**2).sum(axis=1)[:, None] + table_sq[None, :] - 2.0 * (colors @ table.T)
        near = d2 <= limit  # (n, K)
        low = np.where(near, table_targets, 256).min(axis=1)
        high = np.where(near, table_targets, -1).max(axis=1)
        hit = low == high  # every near colour maps to one value (and there is one)
        chunk_targets = targets[start:stop]
        chunk_causes = causes[start:stop]
        chunk_targets[hit] = low[hit]
        chunk_causes[hit] = np.where(low[hit] == VOID, _NEAR_VOID, _TOLERATED)
        chunk_causes[(high >= 0) & ~hit] = _AMBIGUOUS
    return targets, causes


@dataclass
class RemapReport:
    """What a remap did to the pixels of one file (or, merged, of a batch).

    Attributes:
        pixels: pixels seen.
        void_mapped: pixels made 255 on purpose: a colour the table marks void (VOC's boundary
            colour, Cityscapes' trainId-255 colours) or, in index mode, a 255 input or a value
            the map sends to 255.
        unknown: pixels of a colour the table does not hold (in index mode: of a value the map
            does not list), made 255.
        ambiguous: pixels within the tolerance of two classes, made 255.
        alpha: transparent pixels (alpha 0), made 255.
        tolerated: pixels given a class because their colour was within the tolerance of it.
        unknown_counts: pixel count per unknown (or ambiguous) colour ``(r, g, b)``, or per
            unmapped value in index mode; at most :data:`UNKNOWN_KEPT_PER_FILE` per file.
        unknown_examples: a file holding each of them.
        files: images counted: 1 for one image's report, summed when reports are merged.
    """

    pixels: int = 0
    void_mapped: int = 0
    unknown: int = 0
    ambiguous: int = 0
    alpha: int = 0
    tolerated: int = 0
    unknown_counts: dict[ReportKey, int] = field(default_factory=dict)
    unknown_examples: dict[ReportKey, str] = field(default_factory=dict)
    files: int = 0

    @property
    def void(self) -> int:
        """Every pixel that became 255."""
        return self.void_mapped + self.unknown + self.ambiguous + self.alpha

    def add(self, other: RemapReport) -> None:
        """Add ``other``'s counts to this report (the first example of a colour is kept)."""
        for name in ("pixels", "void_mapped", "unknown", "ambiguous", "alpha", "tolerated", "files"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for key, count in other.unknown_counts.items():
            self.unknown_counts[key] = self.unknown_counts.get(key, 0) + count
            self.unknown_examples.setdefault(key, other.unknown_examples.get(key, ""))

    def add_results(self, results: Iterable[FileResult]) -> Iterator[FileResult]:
        """Add the report carried by each of :func:`remap_files`' results as it passes, yielding
        every result on: a batch's report without keeping its results. In input order, so the
        first file holding a colour stays its example, as with :func:`merge_reports`."""
        for result in results:
            if isinstance(result.data, RemapReport):
                self.add(result.data)
            yield result

    def top_unknown(self, n: int = 10) -> list[tuple[ReportKey, int, str]]:
        """The ``n`` most frequent unknown colours (or values): ``(key, pixels, example file)``,
        most pixels first, ties in colour order."""
        ranked = sorted(self.unknown_counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return [(key, count, self.unknown_examples.get(key, "")) for key, count in ranked[:n]]


def merge_reports(reports: Iterable[RemapReport]) -> RemapReport:
    """One report summing ``reports`` (in order: the first file with a colour is its example)."""
    total = RemapReport()
    for report in reports:
        total.add(report)
    return total


def _tally(
    keys: NDArray[np.integer], counts: NDArray[np.int64], source: str
) -> tuple[dict[ReportKey, int], dict[ReportKey, str]]:
    """The most frequent keys (``(K,)`` values, or ``(K, 3)`` colours) with their counts."""
    order = np.argsort(-counts, kind="stable")[:UNKNOWN_KEPT_PER_FILE]
    order = order[counts[order] > 0]
    kept: dict[ReportKey, int] = {
        (tuple(key) if isinstance(key, list) else key): count  # type: ignore[misc]
        for key, count in zip(keys[order].tolist(), counts[order].tolist())
    }
    return kept, dict.fromkeys(kept, source)


def _colour_report(
    source: str,
    pixels: int,
    packed: NDArray[np.uint32],
    causes: NDArray[np.int8],
    counts: NDArray[np.int64],
    void_mapped: int = 0,
    alpha: int = 0,
) -> RemapReport:
    """Sum per-colour ``counts`` by cause; list the unknown and ambiguous colours."""
    sums = np.bincount(causes, weights=counts, minlength=len(_CAUSES)).astype(np.int64)
    bad = ((causes == _UNKNOWN) | (causes == _AMBIGUOUS)) & (counts > 0)
    # Two palette entries may hold one colour: count per colour, not per entry.
    colors, inverse = np.unique(packed[bad], return_inverse=True)
    per_color = np.bincount(inverse, weights=counts[bad], minlength=len(colors)).astype(np.int64)
    unknown_counts, examples = _tally(_unpack(colors), per_color, source)
    return RemapReport(
        pixels=pixels,
        void_mapped=void_mapped + int(sums[_VOID_COLOR] + sums[_NEAR_VOID]),
        unknown=int(sums[_UNKNOWN]),
        ambiguous=int(sums[_AMBIGUOUS]),
        alpha=alpha + int(sums[_ALPHA]),
        tolerated=int(sums[_TOLERATED]),
        unknown_counts=unknown_counts,
        unknown_examples=examples,
        files=1,
    )


def _as_color_pixels(rgb: ArrayLike, source: str) -> NDArray[np.uint8]:
    """``(H, W, 3|4)`` uint8 pixels of a numpy array, torch tensor or PIL image, integers or
    floats holding whole numbers of 0..255.

    Raises:
        RemapError: another shape (channels first, as torch keeps images, named so), or values
            that are no colour bytes (0..1, as ``ToTensor()`` scales them, named so).
    """
    pixels = to_array(rgb, source, RemapError)
    if pixels.ndim != 3 or pixels.shape[2] not in (3, 4):
        hint = " (a single-channel label map goes through an index map)" if pixels.ndim == 2 else ""
        if pixels.ndim == 3 and pixels.shape[0] in (3, 4) and pixels.shape[2] > 4:
            hint = " (channels first, as torch keeps images: give it .permute(1, 2, 0), or np.moveaxis(rgb, 0, -1))"
        raise RemapError(
            f"{source}: a colour mask must be an (H, W, 3) RGB or (H, W, 4) RGBA array, got "
            f"shape {pixels.shape}{hint}"
        )
    if pixels.dtype != np.uint8:
        numbers = np.issubdtype(pixels.dtype, np.integer) or np.issubdtype(pixels.dtype, np.floating)
        whole = numbers and not (np.issubdtype(pixels.dtype, np.floating) and not_whole(pixels).any())
        if not whole or (pixels.size and (pixels.min() < 0 or pixels.max() > 255)):
            unit = numbers and pixels.size and 0 <= pixels.min() and pixels.max() <= 1
            raise RemapError(
                f"{source}: colour values must be integers 0..255, got dtype {pixels.dtype}"
                + (f" with values {pixels.min()}..{pixels.max()}" if numbers and pixels.size else "")
                + ("; the colours were scaled to 0..1, as torchvision's ToTensor() does: multiply by 255, "
                   "or read masks with PILToTensor()" if unit and not whole else "")
            )
        pixels = pixels.astype(np.uint8)
    return np.ascontiguousarray(pixels)


def _pack_pixels(pixels: NDArray[np.uint8]) -> NDArray[np.uint32]:
    """``(H, W, 3|4)`` contiguous uint8 -> ``(H*W,)`` uint32 packed colours, in one pass.

    RGBA pixels are already 4 bytes wide. RGB pixels are read as 4-byte words at a 3-byte
    stride (each word holds the pixel and the next one's red byte, masked off), which avoids
    three widening copies and two shifts.
    """
    flat = pixels.reshape(-1)
    if pixels.shape[2] == 4:
        return np.bitwise_and(flat.view("<u4"), _RGB_MASK)
    n = pixels.shape[0] * pixels.shape[1]
    packed = np.empty(n, dtype=np.uint32)
    if n > 1:
        words: NDArray[np.uint32] = np.ndarray((n - 1,), dtype="<u4", buffer=flat, strides=(3,))
        np.bitwise_and(words, _RGB_MASK, out=packed[:-1])
    if n:
        packed[-1] = _pack(flat[-3:])
    return packed


def _rgb_lookup(
    rgb: ArrayLike,
    table: ClassTable,
    tolerance: float,
    on_conflict: str | None,
    source: str,
    want_report: bool,
) -> tuple[NDArray[np.uint8], RemapReport | None]:
    lookup = _compile(table, _conflict_mode(table, on_conflict))
    tolerance = _check_tolerance(tolerance)
    pixels = _as_color_pixels(rgb, source)
    shape = pixels.shape[:2]
    packed = _pack_pixels(pixels)
    lut, sentinel = lookup.lut()
    out = lut.take(packed)
    opaque = pixels[..., 3].reshape(-1) != 0 if pixels.shape[2] == 4 else None
    if opaque is not None and opaque.all():
        opaque = None

    classify = want_report or tolerance > 0
    void_mapped = alpha = 0
    # The distinct unknown colours, their causes and (for the report) their pixel counts.
    uniq: NDArray[np.uint32] = np.empty(0, dtype=np.uint32)
    causes: NDArray[np.int8] = np.empty(0, dtype=np.int8)
    counts: NDArray[np.int64] = np.empty(0, dtype=np.int64)
    if sentinel is not None or classify:
        # Where the unknown colours are: the spare value marks them; without one, 255 marks
        # void colours and unknown ones alike, so look the void colours up again.
        candidates = out == (VOID if sentinel is None else sentinel)
        if opaque is not None:
            candidates &= opaque
        where = np.flatnonzero(candidates)
        colors = packed.take(where) if classify else None
        if sentinel is None and colors is not None:
            unknown = ~np.isin(colors, lookup.void_packed)
            where, colors = where[unknown], colors[unknown]
        if want_report:
            is_void = out == VOID
            if opaque is not None:
                is_void &= opaque
            void_mapped = int(np.count_nonzero(is_void)) - (len(where) if sentinel is None else 0)
            alpha = 0 if opaque is None else int(opaque.size - np.count_nonzero(opaque))
        if colors is not None and len(where):
            uniq, inverse = np.unique(colors, return_inverse=True)
            inverse = inverse.reshape(-1)
            targets, causes = _classify_unknown(uniq, lookup, tolerance)
            out[where] = targets[inverse]
            if want_report:
                counts = np.bincount(inverse, minlength=len(uniq)).astype(np.int64)
        else:
            out[where] = VOID
    if opaque is not None:
        out[~opaque] = VOID
    if not want_report:
        return out.reshape(shape), None
    return out.reshape(shape), _colour_report(source, packed.size, uniq, causes, counts, void_mapped, alpha)


def swapped_colours_said(label: NDArray[np.uint8], report: RemapReport, table: ClassTable, on_conflict: str | None = None) -> str | None:
    """Why a colour mask read exactly (no tolerance) holds colours the table lacks, when each of
    them, and each class colour it holds, is a colour of the table with red and blue swapped: the
    picture's channels are in the other order (an RGB array written by OpenCV's ``imwrite``,
    which writes its arrays as BGR), and the classes read from the colours it shares with the
    table may be others' swapped (:data:`WRITTEN_AS_BGR`). None otherwise, or when the report's
    unknown colours may not all be listed.

    Args:
        label: the mask as read (the values of its colours, 255 for void and unknown ones).
        report: its :class:`RemapReport`.
        table, on_conflict: as the mask was read.
    """
    if not report.unknown or report.ambiguous or report.tolerated or len(report.unknown_counts) >= UNKNOWN_KEPT_PER_FILE:
        return None
    lookup = _compile(table, _conflict_mode(table, on_conflict))
    known = set(lookup.packed.tolist())
    present = np.flatnonzero(value_counts(label)[:VOID])
    if report.void_mapped:
        present = np.append(present, VOID)  # of a void colour; else 255 is of the unknown colours alone
    held = lookup.packed[np.isin(lookup.targets, present)]  # every table colour of a value read
    unknown = list(report.unknown_counts)  # (r, g, b) colours, the most frequent first
    swapped = [_pack(np.array(unknown, dtype=np.uint8)[:, ::-1]), _pack(_unpack(held)[..., ::-1])]
    if not all(set(colours.tolist()) <= known for colours in swapped):
        return None
    first = unknown[0]
    assert isinstance(first, tuple)  # a colour report's keys are colours
    owner = int(lookup.targets[lookup.packed == swapped[0][0]][0])
    return (
        f"its red and blue are the other way round: with them swapped, its colours are those of the {table.source}: "
        f"{report.unknown} pixel(s) hold colours the table lacks, each a colour of it swapped ({first} is {first[::-1]} swapped, "
        f"{'void' if owner == VOID else f'class {owner}'}), and a class read from a colour of the table may be "
        "another's swapped"
    )


#: What :func:`swapped_colours_said` suspects, after it.
WRITTEN_AS_BGR = "a picture of RGB colours written by OpenCV's imwrite, which writes its arrays as BGR?"


def rgb_to_index(
    rgb: ArrayLike,
    table: ClassTable,
    tolerance: float = 0.0,
    on_conflict: OnConflict | None = None,
) -> NDArray[np.uint8]:
    """Map a colour mask to class indices: one lookup per pixel, whatever the number of classes.

    Args:
        rgb: ``(H, W, 3)`` RGB or ``(H, W, 4)`` RGBA array of 8-bit values (uint8, or integers
            in 0..255). Never modified.
        table: the class table; pixels get their colour's train id when the table has them
            (Cityscapes), else its index.
        tolerance: Euclidean colour distance; a colour not in the table but within this distance
            of colours that all map to one value gets that value (near colours of two values:
            255). 0 means exact colours only.
        on_conflict: how to resolve colours shared by classes with different values; see
            :func:`resolve_colors`.

    Returns:
        ``(H, W)`` uint8 label map: the table's values, 255 for void colours, unknown colours
        and (RGBA) transparent pixels.

    Raises:
        RemapError: bad shape or dtype, negative tolerance, or a conflicting table.
    """
    return _rgb_lookup(rgb, table, tolerance, on_conflict, "colour mask", want_report=False)[0]


def rgb_to_index_with_report(
    rgb: ArrayLike,
    table: ClassTable,
    tolerance: float = 0.0,
    on_conflict: OnConflict | None = None,
    source: str = "colour mask",
) -> tuple[NDArray[np.uint8], RemapReport]:
    """:func:`rgb_to_index` and a :class:`RemapReport` of the pixels made void, by cause.

    ``source`` names the array in error messages and is the example file of its unknown
    colours.
    """
    label, report = _rgb_lookup(rgb, table, tolerance, on_conflict, source, want_report=True)
    assert report is not None
    return label, report


def palette_to_index_with_report(
    indices: ArrayLike,
    palette: ArrayLike,
    table: ClassTable,
    tolerance: float = 0.0,
    on_conflict: OnConflict | None = None,
    palette_alpha: ArrayLike | None = None,
    source: str = "palette image",
) -> tuple[NDArray[np.uint8], RemapReport]:
    """Map a palette image to class indices through the colours of its own palette.

    A palette image's indices mean nothing outside its palette: index 1 may be red in one file
    and green in the next. Each palette entry's colour is looked up as in
    :func:`rgb_to_index`, then the pixels take their entry's value.

    Args:
        indices: ``(H, W)`` uint8 palette indices.
        palette: ``(256, 3)`` uint8 palette colours.
        table, tolerance, on_conflict: as in :func:`rgb_to_index`.
        palette_alpha: optional ``(256,)`` alpha per entry; entries with alpha 0 are void.
        source: names the image in messages and reports.

    Returns:
        ``(label, report)``: ``(H, W)`` uint8 label map and its :class:`RemapReport`.

    Raises:
        RemapError: bad shapes, negative tolerance, or a conflicting table.
    """
    index_image = np.asarray(indices)
    colors = np.asarray(palette)
    if index_image.ndim != 2 or index_image.dtype != np.uint8:
        raise RemapError(
            f"{source}: palette indices must be an (H, W) uint8 array, got shape "
            f"{index_image.shape} and dtype {index_image.dtype}"
        )
    if colors.shape != (256, 3):
        raise RemapError(f"{source}: a palette must be (256, 3), got shape {colors.shape}")
    lookup = _compile(table, _conflict_mode(table, on_conflict))
    tolerance = _check_tolerance(tolerance)
    packed = _pack(colors)
    values = lookup.lut()[0].take(packed)
    causes = np.where(values == VOID, _VOID_COLOR, _MAPPED).astype(np.int8)
    unknown = ~np.isin(packed, lookup.packed)
    if unknown.any():
        values[unknown], causes[unknown] = _classify_unknown(packed[unknown], lookup, tolerance)
    if palette_alpha is not None:
        transparent = np.asarray(palette_alpha).reshape(256) == 0
        values = np.where(transparent, np.uint8(VOID), values)
        causes[transparent] = _ALPHA
    counts = value_counts(index_image)
    report = _colour_report(source, index_image.size, packed, causes, counts)
    return values.take(index_image), report


def index_to_rgb(label: ArrayLike, table: ClassTable) -> NDArray[np.uint8]:
    """Draw a label map in the table's colours: the inverse of :func:`rgb_to_index`.

    Value ``t`` gets the colour of the first entry whose value is ``t``; 255 the table's void
    colour ((224, 224, 192) without one); values without an entry their VOC colormap colour.

    Args:
        label: ``(H, W)`` label map (see :func:`~labeltools.formats.labels.as_label_array`).
        table: the class table.

    Returns:
        ``(H, W, 3)`` uint8 RGB image (a new array).

    Raises:
        LabelFileError: ``label`` is not a label map.
    """
    return colorize(as_label_array(label, "label map"), target_palette(table))


#: The source of the ``cityscapes`` index map (labelIds -> trainIds).
CITYSCAPES_INDEX_MAP = "cityscapes labelIds -> trainIds"
#: The source of the ``ade20k`` index map (ADE20K's labels -> 0..149, mmsegmentation's ``reduce_zero_label``).
ADE20K_INDEX_MAP = "ade20k labels -> train ids"
#: The index maps named by a preset of label ids with train ids: their sources.
PRESET_INDEX_MAPS = {"cityscapes": CITYSCAPES_INDEX_MAP, "ade20k": ADE20K_INDEX_MAP, "coco-stuff": "coco-stuff label ids -> train ids"}
#: The ending of the train-id maps cityscapesScripts' ``createTrainIdLabelImgs`` writes of each
#: ``*_labelIds.png`` and mmsegmentation's COCO-Stuff converter of each stuffthingmap, the names
#: their loaders read.
TRAIN_IDS_ENDING = "_labelTrainIds"
#: The preset index maps whose output is named so (ADE20K's train ids have no name of their own).
TRAIN_ID_FILE_MAPS = frozenset({"cityscapes", "coco-stuff"})


@dataclass(frozen=True)
class IndexMap:
    """A value -> value table for label maps that already hold indices.

    Values it does not list become 255; 255 stays 255 unless the map lists it (``255:1`` turns
    a binary mask saved as 0/255 into classes 0 and 1).

    Attributes:
        pairs: ``(source value, new value)`` pairs, sorted, each source once; values 0..255.
        source: where the map came from, for messages.
        classes: the class table whose values the output holds, when known (the
            ``cityscapes`` map writes the ``cityscapes-train`` preset's ids), for the output
            palette and for saying which ids the output holds.
        output_ending: added to each output's stem (after taking off ``_labelIds``): the
            ``cityscapes`` and ``coco-stuff`` maps write ``<stem>_labelTrainIds.png`` (see
            :data:`TRAIN_IDS_ENDING`); ``""`` keeps the input's stem.
    """

    pairs: tuple[tuple[int, int], ...]
    source: str = "index map"
    classes: Optional[ClassTable] = None
    output_ending: str = ""

    def output_stem(self, stem: str) -> str:
        """The stem of the file written of an input of stem ``stem``: ``aachen_000000_000019_gtFine_labelIds``
        becomes ``..._gtFine_labelTrainIds`` and ``000000000009`` ``000000000009_labelTrainIds``
        under the maps that name train-id files so; any other keeps it."""
        return stem.removesuffix("_labelIds") + self.output_ending if self.output_ending else stem

    @classmethod
    def from_mapping(cls, mapping: Mapping[int, int], source: str = "index map") -> IndexMap:
        """Validate ``{source value: new value}``.

        Raises:
            RemapError: a value outside 0..255.
        """
        pairs = []
        for key, value in mapping.items():
            pairs.append(_checked_pair(key, value, source, f"entry {key!r}"))
        return cls(tuple(sorted(pairs)), source)

    @classmethod
    def load(cls, spec: PathLike) -> IndexMap:
        """An index map from ``"cityscapes"`` (labelIds -> trainIds), ``"ade20k"`` (ADE20K's labels
        -> 0..149, 0 other void), ``"coco-stuff"`` (its label ids -> 0..170), a file, or inline
        pairs ``"7:0,8:1,..."``.

        A file holds one pair a line, ``SRC:DST``, ``SRC,DST`` or ``SRC DST``; ``#`` starts a
        comment; blank lines are skipped. ``SRC`` may be a range ``A-B`` (both included), every
        value of which becomes ``DST``: ``0-127:0,128-255:1`` reads a JPEG mask of 0 and 255.

        Raises:
            RemapError: unreadable file, malformed pair (naming the line or entry), a value
                outside 0..255, or a source listed twice with two values.
        """
        text = str(spec)
        is_file = is_url(text) or os.path.isfile(local_path(text))
        if text.lower() in PRESET_INDEX_MAPS and not is_file:
            pairs = tuple((e.index, e.target) for e in _preset(text.lower()).classes)
            ending = TRAIN_IDS_ENDING if text.lower() in TRAIN_ID_FILE_MAPS else ""
            return cls(pairs, PRESET_INDEX_MAPS[text.lower()], _preset(TRAIN_ID_PRESETS[text.lower()][0]), ending)
        if is_file:
            path = text
            try:
                content = read_small_text(path)
            except (OSError, UnicodeDecodeError, ValueError) as exc:
                raise RemapError(f"{path}: cannot read index map ({exc})") from None
            items = [
                (f"line {no}", line.split("#", 1)[0].strip())
                for no, line in enumerate(content.splitlines(), 1)
            ]
            return cls._from_items([(where, item) for where, item in items if item], str(path))
        if ":" not in text:
            raise RemapError(
                f"index map {text!r}: no such file, and not a list of SRC:DST pairs such as "
                "'7:0,8:1' (or 'cityscapes', 'ade20k', 'coco-stuff' for label ids -> train ids)"
            )
        items = [(f"entry {no}", item.strip()) for no, item in enumerate(text.split(","), 1)]
        return cls._from_items(items, f"index map {text!r}")

    @classmethod
    def _from_items(cls, items: Sequence[tuple[str, str]], source: str) -> IndexMap:
        seen: dict[int, int] = {}
        for where, item in items:
            parts = [p for p in re.split(r"[:,\s]+", item) if p]
            span = re.fullmatch(r"(\d+)-(\d+)", parts[0]) if parts else None
            if len(parts) != 2 or not (span or re.fullmatch(r"[+-]?\d+", parts[0])) or not re.fullmatch(r"[+-]?\d+", parts[1]):
                raise RemapError(
                    f"{source}: {where} is {item!r}; expected SRC:DST, two integers 0..255 (SRC may be a range, A-B)"
                )
            first, last = (int(span[1]), int(span[2])) if span else (int(parts[0]), int(parts[0]))
            if last < first:
                raise RemapError(f"{source}: {where} is {item!r}; a range A-B runs up, A at most B")
            for key in range(first, last + 1):
                key, value = _checked_pair(key, int(parts[1]), source, where)
                if seen.get(key, value) != value:
                    raise RemapError(
                        f"{source}: {where} maps {key} to {value}, but it was mapped to {seen[key]} "
                        "before; each value may be mapped once"
                    )
                seen[key] = value
        if not seen:
            raise RemapError(f"{source}: holds no SRC:DST pairs")
        return cls(tuple(sorted(seen.items())), source)

    @cached_property
    def lut(self) -> NDArray[np.uint8]:
        """``(256,)`` uint8, read-only: new value per value; 255 for unlisted values and for 255
        unless listed."""
        table = np.full(256, VOID, dtype=np.uint8)
        for key, value in self.pairs:
            table[key] = value
        table.setflags(write=False)
        return table

    @cached_property
    def listed(self) -> NDArray[np.bool_]:
        """``(256,)`` bool, read-only: True for values the map lists (and for 255, which stays
        void unless listed)."""
        mask = np.zeros(256, dtype=bool)
        mask[[key for key, _ in self.pairs]] = True
        mask[VOID] = True
        mask.setflags(write=False)
        return mask


def _checked_pair(key: object, value: object, source: str, where: str) -> tuple[int, int]:
    for number in (key, value):
        if isinstance(number, bool) or not isinstance(number, (int, np.integer)) or not 0 <= number <= VOID:
            raise RemapError(
                f"{source}: {where}: {number!r} is not a label value; values are integers 0..255"
            )
    return int(key), int(value)  # type: ignore[call-overload]


def _as_index_map(index_map: IndexMap | Mapping[int, int]) -> IndexMap:
    return index_map if isinstance(index_map, IndexMap) else IndexMap.from_mapping(index_map)


def index_to_index(label: ArrayLike, index_map: IndexMap | Mapping[int, int]) -> NDArray[np.uint8]:
    """Rewrite a label map's values through ``index_map`` (unlisted values -> 255; 255 stays,
    unless the map lists it).

    Args:
        label: ``(H, W)`` label map (see :func:`~labeltools.formats.labels.as_label_array`).
        index_map: an :class:`IndexMap` or a ``{value: new value}`` dict.

    Returns:
        ``(H, W)`` uint8 label map (a new array).

    Raises:
        LabelFileError: ``label`` is not a label map. RemapError: a bad mapping.
    """
    return _as_index_map(index_map).lut.take(as_label_array(label, "label map"))


def index_to_index_with_report(
    label: ArrayLike, index_map: IndexMap | Mapping[int, int], source: str = "label map"
) -> tuple[NDArray[np.uint8], RemapReport]:
    """:func:`index_to_index` and its :class:`RemapReport` (``unknown`` = unlisted values)."""
    mapping = _as_index_map(index_map)
    values = as_label_array(label, source)
    lut = mapping.lut
    counts = value_counts(values)
    listed = mapping.listed
    unknown_counts, examples = _tally(np.arange(256), np.where(listed, 0, counts), source)
    report = RemapReport(
        pixels=values.size,
        void_mapped=int(counts[listed & (lut == VOID)].sum()),
        unknown=int(counts[~listed].sum()),
        unknown_counts=unknown_counts,
        unknown_examples=examples,
        files=1,
    )
    return lut.take(values), report
