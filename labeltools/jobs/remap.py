"""Colour masks and label files rewritten in batch: the job behind ``labeltools remap``.

Each file is read, remapped by :mod:`labeltools.ops.remap` and written atomically as a palette
PNG; reports are merged as the results arrive, so memory stays flat.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray
from PIL import Image

from labeltools.core._types import PathLike
from labeltools.core.arrays import value_counts
from labeltools.core.classes import ClassTable, as_class_table
from labeltools.core.colormap import colorize, palette_array
from labeltools.core.errors import ColourImageError, LabeltoolsError, RemapError
from labeltools.core.options import VOID, OnConflict
from labeltools.engine.executor import FileResult, map_files_into
from labeltools.engine.storage import absolute, atomic_write, location
from labeltools.formats.cityscapes import OTHER_MAPS, renamed_map
from labeltools.formats.labels import (
    COLOUR_MODES,
    INDEX_MODES,
    PNG_SAVE_ARGS,
    check_unique_stems,
    image_palette,
    open_image,
    probe_label,
    read_label,
    read_label_palette,
    save_picture,
    write_label,
)
from labeltools.ops.remap import (
    ADE20K_INDEX_MAP,
    CITYSCAPES_INDEX_MAP,
    UNKNOWN_KEPT_PER_FILE,
    WRITTEN_AS_BGR,
    IndexMap,
    RemapReport,
    _check_tolerance,
    _compile,
    _conflict_mode,
    entry_target,
    near_unknown_share,
    index_to_index_with_report,
    palette_to_index_with_report,
    rgb_to_index_with_report,
    share_near_colours,
    suggested_tolerance,
    swapped_colours_said,
    target_palette,
)


@dataclass(frozen=True)
class _PixelMask:
    pixels: NDArray[np.uint8]  # (H, W, 3|4) RGB or RGBA
    format: str


@dataclass(frozen=True)
class _PaletteMask:
    indices: NDArray[np.uint8]  # (H, W) palette indices
    palette: NDArray[np.uint8]  # (256, 3)
    alpha: NDArray[np.uint8] | None  # (256,) per entry, when the image has transparency
    format: str


def _read_color_mask(path: PathLike, bgr: bool = False, data: bytes | None = None) -> _PixelMask | _PaletteMask:
    """Read a colour mask: RGB/RGBA pixels, or a palette image's indices and own palette; with
    ``bgr``, each colour's red and blue swapped (a picture whose channels are in the other order).

    Modes are those of :data:`~labeltools.formats.labels.COLOUR_MODES`, and ``P``. A grey image with
    alpha (``LA``) is a mask of grey colours: its pixels become ``(l, l, l, alpha)``.

    Raises:
        RemapError: missing or unreadable file; a label file's mode (its values go through an
            index map); an unsupported mode.
    """
    with open_image(path, RemapError, data=data) as image:
        image.load()
        mode, fmt = image.mode, image.format or ""
        if mode == "P":
            alpha = _palette_alpha(image.info.get("transparency"))
            palette = image_palette(image)
            return _PaletteMask(np.asarray(image, dtype=np.uint8), palette[:, ::-1].copy() if bgr else palette, alpha, fmt)
        if mode in COLOUR_MODES:
            if mode == "La":  # premultiplied alpha: Pillow converts it to LA only
                image = image.convert("LA")
            wanted = "RGBA" if image.mode in ("RGBA", "LA", "PA") else "RGB"
            if image.mode != wanted:
                image = image.convert(wanted)
            pixels = np.asarray(image, dtype=np.uint8)
            if bgr:
                pixels = np.ascontiguousarray(pixels[..., [2, 1, 0, 3][: pixels.shape[2]]])
            return _PixelMask(pixels, fmt)
    if mode in INDEX_MODES:
        raise RemapError(
            f"{path}: is a single-channel ({mode}) image of values, not a colour mask; rewrite "
            "its values with an index map (--index-map) instead"
        )
    raise RemapError(f"{path}: unsupported image mode {mode} for a colour mask")


def _palette_alpha(transparency: object) -> NDArray[np.uint8] | None:
    """Pillow's ``info['transparency']`` of a P image as ``(256,)`` alpha per entry."""
    if transparency is None:
        return None
    alpha = np.full(256, 255, dtype=np.uint8)
    if isinstance(transparency, int):
        alpha[transparency] = 0
    elif isinstance(transparency, (bytes, bytearray)):
        given = np.frombuffer(bytes(transparency), dtype=np.uint8)[:256]
        alpha[: len(given)] = given
    return alpha


def _output_path(source: PathLike, output_dir: PathLike, output_stem: Callable[[str], str] = str) -> Path:
    """``output_dir/<stem>.png``, the stem as ``output_stem`` names the output of the input's
    (see :func:`output_stems`).

    Raises:
        RemapError: the output is the input.
    """
    target = location(output_dir) / (output_stem(location(source).stem) + ".png")
    if target.exists() and str(absolute(target)) == str(absolute(source)):
        raise RemapError(
            f"{source}: the output {target} would overwrite the input; choose another output folder"
        )
    return target


#: Below this share of pixels of a class's colour or within :data:`PHOTO_DISTANCE` of one, among
#: hundreds of other colours, an image is no colour mask of the table (a photo, given where its
#: mask was meant): it is refused, not written as a label of void alone. A JPEG mask of the
#: table keeps most of its colours that near (a third of a 30x20 one at quality 70, against a
#: photo's thousandth).
PHOTO_SHARE = 0.05
PHOTO_DISTANCE = 4

#: From this share of a mask's pixels matching no class, where most of them lie near a class's
#: colour, a mask read without a tolerance is warned of as colours shifted off the table's (a
#: mask once saved as JPEG, then as PNG; edges drawn smooth), as a JPEG mask is.
SHIFTED_SHARE = 0.01


def _refuse_unknown(report: RemapReport, source: PathLike, what: str) -> None:
    bad = report.unknown + report.ambiguous
    if bad:
        listed = ", ".join(f"{key} x {count}" for key, count, _ in report.top_unknown(5))
        raise RemapError(
            f"{source}: {bad} pixel(s) have {what} ({listed}); --strict refuses them "
            "(without it they become 255)"
        )


def _swapped_way(swapped: str, bgr: bool) -> str:
    """A mask's colours swapped (:func:`swapped_colours_said`), and the way out: ``--bgr``, or,
    read with it, leaving it out."""
    if bgr:
        return f"read with --bgr, {swapped}: they are in the table's order as stored, leave out --bgr"
    return f"{swapped}: {WRITTEN_AS_BGR} --bgr reads its red and blue the other way round"


def remap_color_file(
    source: PathLike,
    output_dir: PathLike,
    table: ClassTable,
    tolerance: float = 0.0,
    on_conflict: OnConflict | None = None,
    strict: bool = False,
    palette: NDArray[np.uint8] | None = None,
    output_stem: Callable[[str], str] = str,
    bgr: bool = False,
) -> FileResult:
    """Remap one colour mask (RGB, RGBA, palette or JPEG) to ``output_dir/<stem>.png``, the stem
    as ``output_stem`` names it (see :func:`output_stems`); ``bgr`` reads its red and blue the
    other way round.

    The label file is a palette PNG in the table's colours (``palette``, default
    :func:`target_palette`; a batch computes it once), written atomically. The result's
    ``data`` is the file's :class:`RemapReport`; a JPEG mask read without tolerance whose
    colours matched no class, or a mask most of whose unmatched pixels are of colours near a
    class's (see :data:`SHIFTED_SHARE`), adds a warning suggesting one.

    Raises:
        RemapError: unreadable or single-channel image, output would overwrite the input,
            conflicting table, colours that are the table's with red and blue swapped
            (:func:`swapped_colours_said`), or (``strict``) colours not in the table; nothing is
            written then.
    """
    target = _output_path(source, output_dir, output_stem)
    mask = _read_color_mask(source, bgr)
    name = str(source)
    if isinstance(mask, _PaletteMask):
        label, report = palette_to_index_with_report(
            mask.indices, mask.palette, table, tolerance, on_conflict, mask.alpha, name
        )
    else:
        label, report = rgb_to_index_with_report(mask.pixels, table, tolerance, on_conflict, name)
    swapped = swapped_colours_said(label, report, table, on_conflict)
    if swapped is not None:
        raise RemapError(f"{source}: {_swapped_way(swapped, bgr)}; nothing was written")
    if strict:
        _refuse_unknown(report, source, f"colours that are not in the {table.source}")
    if report.pixels - report.void < PHOTO_SHARE * report.pixels and len(report.unknown_counts) >= UNKNOWN_KEPT_PER_FILE:
        rgb = mask.pixels[..., :3] if isinstance(mask, _PixelMask) else mask.palette[mask.indices]
        near = share_near_colours(rgb, [entry.color for entry in table.entries], PHOTO_DISTANCE)
        if near < PHOTO_SHARE:  # a JPEG mask's colours lie near the table's, if not on them
            raise RemapError(
                f"{source}: {100 * near:.2f}% of its pixels are of a class's colour or within {PHOTO_DISTANCE} of one, "
                f"among {UNKNOWN_KEPT_PER_FILE} or more colours the {table.source} does not hold: a photo rather than a "
                "colour mask? Give the masks, or the table of their colours (-c)"
            )
    warnings: tuple[str, ...] = ()
    if report.unknown and not tolerance:
        share = 100.0 * report.unknown / max(1, report.pixels)
        allowed = suggested_tolerance(table, on_conflict)
        said = f"{report.unknown} pixel(s) ({share:.1f}%) matched no class and became 255"
        way = f"map near colours with a tolerance (--tolerance {allowed} keeps every colour near one class at most)"
        if mask.format in ("JPEG", "MPO"):
            warnings = (f"{source}: JPEG compression shifts colours, and {said}; {way}",)
        elif report.unknown >= SHIFTED_SHARE * report.pixels and (
            near := near_unknown_share(report, [entry.color for entry in table.entries], allowed)
        ) >= 0.5:
            warnings = (
                f"{source}: {said}, {100 * near:.0f}% of them of colours within {allowed} of a class's (a mask once saved "
                f"as JPEG, or with edges drawn smooth?); {way}",
            )
    write_label(target, label, target_palette(table) if palette is None else palette)
    return FileResult(source=name, outputs=(str(target),), data=report, warnings=warnings)


def remap_index_file(
    source: PathLike,
    output_dir: PathLike,
    index_map: IndexMap,
    strict: bool = False,
    palette: ArrayLike | None = None,
) -> FileResult:
    """Rewrite one label file's values through ``index_map`` to ``output_dir/<stem>.png`` (the
    ``cityscapes`` and ``coco-stuff`` maps: ``<stem>_labelTrainIds.png``, see
    :meth:`IndexMap.output_stem`).

    Raises:
        LabelFileError: the input is not a label file. RemapError: output would overwrite the
            input, a map's own output given to it again, or (``strict``) values the map does not
            list.
    """
    target = _output_path(source, output_dir, index_map.output_stem)
    name = location(source).name
    if index_map.source == CITYSCAPES_INDEX_MAP:
        # trainIds mapped again would turn trainId 7 (traffic sign) into labelId 7's 0 (road)
        for ending, holds in OTHER_MAPS.items():
            if name.endswith(ending):
                raise RemapError(
                    f"{source}: holds {holds} (Cityscapes names such files so), and --index-map "
                    "cityscapes turns labelIds into trainIds: give the *_labelIds.png files"
                )
    elif index_map.output_ending and location(source).stem.endswith(index_map.output_ending):
        raise RemapError(
            f"{source}: holds train ids already (the {index_map.source} map writes such files), and "
            f"mapped again each would become another class: give the label maps as shipped"
        )
    try:
        values = read_label(source, lossy=True)  # a JPEG mask's shifts are read by ranges, and warned of
    except ColourImageError:
        values = _grey_values(source)
    if index_map.source == ADE20K_INDEX_MAP and (values == VOID).any():
        # train ids mapped again would turn wall (0) void and every class into the one before it
        raise RemapError(
            f"{source}: holds 255, which ADE20K's labels as shipped never do (0 is other): it holds train ids "
            "already; --index-map ade20k turns ADE20K's labels into them"
        )
    label, report = index_to_index_with_report(values, index_map, str(source))
    if strict:
        _refuse_unknown(report, source, f"values that the {index_map.source} does not list")
    warnings: tuple[str, ...] = ()
    if report.unknown and location(source).suffix.lower() in (".jpg", ".jpeg"):
        share = 100.0 * report.unknown / max(1, report.pixels)
        warnings = (
            f"{source}: JPEG compression shifts values, and {report.unknown} pixel(s) ({share:.1f}%) hold values "
            "the map does not list and became 255; map ranges of values (--index-map 0-127:0,128-255:1 reads a "
            "mask of 0 and 255)",
        )
    write_label(target, label, palette)
    return FileResult(source=str(source), outputs=(str(target),), data=report, warnings=warnings)


def _grey_values(source: PathLike) -> NDArray[np.uint8]:
    """The values of a colour image whose channels are equal everywhere (a grey mask saved as
    RGB, as OpenCV writes a three-channel mask and Kvasir-SEG ships its JPEGs).

    Raises:
        RemapError: a colour mask whose channels differ (its colours go through a class table).
    """
    mask = _read_color_mask(source)
    return _grey_or_refused(mask.pixels if isinstance(mask, _PixelMask) else mask.palette[mask.indices], source)


def _grey_or_refused(pixels: NDArray[np.uint8], source: PathLike) -> NDArray[np.uint8]:
    """The grey values of ``(H, W, 3|4)`` pixels whose channels are equal and opaque.

    Raises:
        RemapError: a colour mask whose channels differ, or not opaque.
    """
    grey = pixels[..., 0]
    differ = int(np.count_nonzero((pixels[..., 1] != grey) | (pixels[..., 2] != grey)))
    clear = int(np.count_nonzero(pixels[..., 3] != 255)) if pixels.shape[-1] == 4 else 0
    if differ or clear:
        why = f"{differ} pixel(s) not grey" if differ else f"{clear} pixel(s) not opaque"
        raise RemapError(
            f"{source}: is a colour mask ({why}), but an index map rewrites the values of label files; "
            "remap its colours with --classes instead of --index-map"
        )
    return np.ascontiguousarray(grey)


def mask_class_values(
    path: PathLike, table: ClassTable, index_map: IndexMap | None = None, bgr: bool = False, data: bytes | None = None
) -> tuple[NDArray[np.uint8], tuple[str, ...]]:
    """The ``(H, W)`` uint8 class values of a mask as datasets ship them, and what was made void,
    in words: a label file's (palette, grey, 16-bit that fits) as they are; a grey mask saved in
    colour (equal channels) by its grey values; either rewritten by ``index_map`` when given
    (each value it does not list 255); a colour mask by ``table``'s colours, each colour the
    table lacks 255 (``bgr``: its red and blue read the other way round). The file is decoded
    once (from ``data``, its bytes, when given; ``path`` then names it in messages).

    A palette mask is read by its colours, as a colour mask is, when its palette shows a value
    it holds in the colour of another class of ``table`` (an editor's "indexed" save numbers its
    colours in its own order; the colours are what was drawn), and that is said; else by its
    values.

    Raises:
        LabelFileError: an unreadable file, or 16-bit values beyond 255.
        RemapError: a colour mask with ``index_map``, whose colours would meet two classes of
            ``table``, or whose colours are ``table``'s with red and blue swapped
            (:func:`~labeltools.ops.remap.swapped_colours_said`).
    """
    mode = probe_label(path, data)[1]
    if mode == "P" and index_map is None:
        values, palette = read_label_palette(path, data=data)
        moved = _palette_moves_classes(values, palette, table) if palette is not None else None
        if palette is None or moved is None:
            return values, ()
        label, report = palette_to_index_with_report(values, palette, table, source=str(path))
        return label, (moved, *_made_void(report, "in colours the class table lacks"))
    if mode in COLOUR_MODES:
        mask = _read_color_mask(path, bgr, data)
        assert isinstance(mask, _PixelMask)  # a palette image is a label file
        try:
            values = _grey_or_refused(mask.pixels, path)
        except RemapError:
            if index_map is not None:
                raise
            label, report = rgb_to_index_with_report(mask.pixels, table, source=str(path))
            swapped = swapped_colours_said(label, report, table)
            if swapped is not None:
                raise RemapError(f"{path}: {_swapped_way(swapped, bgr)}") from None
            return label, _made_void(report, "in colours the class table lacks")
        if index_map is None and _greys_are_colours(values, table) is not None:  # said once a run: see grey_colours_said
            label, report = rgb_to_index_with_report(mask.pixels, table, source=str(path))
            return label, _made_void(report, "in colours the class table lacks")
    else:
        values = read_label(path, lossy=index_map is not None, data=data)  # a JPEG mask is read by ranges of values alone
    if index_map is None:
        return values, ()
    label, report = index_to_index_with_report(values, index_map, str(path))
    return label, _made_void(report, f"of values the {index_map.source} does not list")


def grey_colours_said(path: PathLike, table: ClassTable) -> str:
    """What a run of masks says when its first, a grey mask saved in colour, is read by its
    colours (see :func:`_greys_are_colours`): ``"; <path>: its greys are ..."``; ``""`` for any
    other mask, or one that cannot be read (its conversion reports it)."""
    try:
        if probe_label(path)[1] not in COLOUR_MODES:
            return ""
        mask = _read_color_mask(path, False)
        if not isinstance(mask, _PixelMask):
            return ""
        said = _greys_are_colours(_grey_or_refused(mask.pixels, path), table)
    except LabeltoolsError:
        return ""
    return f"; {path}: {said}, as every mask of greys is" if said else ""


def _greys_are_colours(values: NDArray[np.uint8], table: ClassTable) -> str | None:
    """Why a grey mask saved in colour is read by its colours (see :func:`mask_class_values`):
    each grey it holds is the colour ``table`` records for a class (a list of colours, not the
    VOC colormap's a list of names gets), one of them a class of another value (Massachusetts
    Roads' white roads, class 1 of its ``label_class_dict.csv``), in words; None otherwise, the
    greys then being its values."""
    held = [int(v) for v in np.flatnonzero(value_counts(values))]
    owners = {tuple(int(c) for c in entry.color): entry for entry in table}
    entries = [owners.get((grey, grey, grey)) for grey in held]
    if any(entry is None for entry in entries):
        return None
    recorded = [(grey, entry) for grey, entry in zip(held, entries) if entry is not None and entry.index != grey]
    if not recorded or all(tuple(entry.color) == tuple(int(c) for c in palette_array()[entry.index]) for _, entry in recorded):
        return None
    grey, entry = recorded[0]
    return f"its greys are the table's colours of its classes ({grey}, {grey}, {grey} is class {entry.index} {entry.name!r}): read by its colours, not by its grey values"


def _palette_moves_classes(values: NDArray[np.uint8], palette: NDArray[np.uint8], table: ClassTable) -> str | None:
    """Why a palette mask is read by its colours (see :func:`mask_class_values`): the first
    value it holds that its palette shows in another class's colour, in words; None when none,
    or when the palette is the VOC colormap at those values (the palette every tool writes by
    default, no record of the classes)."""
    held = np.flatnonzero(value_counts(values))
    if (palette[held] == palette_array()[held]).all():
        return None
    expected = table.palette()
    owners = {tuple(int(c) for c in entry.color): entry for entry in table}
    for value in held:
        colour = tuple(int(c) for c in palette[value])
        owner = owners.get(colour)
        if value != VOID and colour != tuple(int(c) for c in expected[value]) and owner is not None and owner.index != value:
            return (
                f"its palette shows value {value} in the colour of class {owner.index} {owner.name!r} "
                f"(#{'%02x%02x%02x' % colour}), not in class {value}'s: read by its colours, as it shows, not by its values"
            )
    return None


def _made_void(report: RemapReport, what: str) -> tuple[str, ...]:
    """The warning of pixels made 255 as unknown (``what`` they were), or none."""
    if not report.unknown:
        return ()
    listed = ", ".join(f"{'#%02x%02x%02x' % key if isinstance(key, tuple) else key} x {n}" for key, n, _ in report.top_unknown(5))
    return (f"{report.unknown} pixel(s) {what} became 255 ({listed})",)


def index_file_to_rgb(
    source: PathLike,
    output_dir: PathLike,
    table: ClassTable,
    palette: NDArray[np.uint8] | None = None,
    output_stem: Callable[[str], str] = str,
) -> FileResult:
    """Draw one label file in the table's colours as an RGB PNG ``output_dir/<stem>.png``, the
    stem as ``output_stem`` names it (see :func:`output_stems`).

    Values that are not classes of the table are drawn in their VOC colormap colour, with a
    warning. ``palette`` is the table's :func:`target_palette`, if already at hand.

    Raises:
        LabelFileError: the input is not a label file. RemapError: output would overwrite the input.
    """
    target = _output_path(source, output_dir, output_stem)
    label = read_label(source)
    present = np.flatnonzero(value_counts(label))
    known = {entry_target(e) for e in table} | {VOID}
    strangers = [int(v) for v in present if int(v) not in known]
    warnings: tuple[str, ...] = ()
    if strangers:
        warnings = (
            f"{source}: value(s) {', '.join(map(str, strangers))} are not classes of the "
            f"{table.source}; drawn in their VOC colormap colours",
        )
    rgb = colorize(label, target_palette(table) if palette is None else palette)
    with atomic_write(target) as tmp:
        save_picture(Image.fromarray(rgb), tmp, **PNG_SAVE_ARGS)
    return FileResult(source=str(source), outputs=(str(target),), warnings=warnings)


def output_stems(table: ClassTable | None, index_map: IndexMap | None = None, to_rgb: bool = False) -> Callable[[str], str]:
    """How the output of an input of a stem is named: as ``index_map`` names it (see
    :meth:`IndexMap.output_stem`); a Cityscapes frame's map as cityscapesScripts names the map
    written (``X_gtFine_color`` made label ids of the ``cityscapes`` table:
    ``X_gtFine_labelIds``; of ``cityscapes-train``: ``X_gtFine_labelTrainIds``; drawn in colour
    with ``to_rgb``: ``X_gtFine_color``, see :func:`renamed_map`); any other as it is."""
    if index_map is not None:
        return index_map.output_stem
    if to_rgb:
        return partial(renamed_map, kind="colours")
    for preset, kind in (("cityscapes", "labelIds"), ("cityscapes-train", "trainIds")):
        if table is not None and table.names == ClassTable.preset(preset).names:
            return partial(renamed_map, kind=kind)
    return str


def remap_files(
    sources: Sequence[PathLike],
    output_dir: PathLike,
    classes: ClassTable | Sequence[str] | PathLike | None = None,
    *,
    index_map: IndexMap | PathLike | None = None,
    to_rgb: bool = False,
    tolerance: float = 0.0,
    on_conflict: OnConflict | None = None,
    strict: bool = False,
    bgr: bool = False,
    jobs: int | None = None,
    folders: Sequence[str] | None = None,
) -> Iterator[FileResult]:
    """Remap many files into ``output_dir`` (same stems, ``.png``; the ``cityscapes`` and
    ``coco-stuff`` index maps write ``<stem>_labelTrainIds.png``, and a Cityscapes frame's map
    is named for what the output holds: see :func:`output_stems`), or each into the sub-folder
    of ``output_dir`` that ``folders`` gives it (a tree's, as
    :func:`~labeltools.engine.storage.expand_input_tree` finds them; the tree itself as
    ``output_dir`` writes each output beside its input): one result per input, in input order,
    so the output is identical for any ``jobs``.

    Modes: colour masks -> label files (``classes`` required); ``index_map``: label files ->
    label files (``classes``, if given, only colours the output); ``to_rgb``: label files ->
    RGB colour images (``classes`` required); ``bgr`` reads colour masks' red and blue the other
    way round (see :func:`remap_color_file`). Each result's ``data`` is its
    :class:`RemapReport` (none for ``to_rgb``); merge them as they come with
    :meth:`RemapReport.add_results`, or afterwards with :func:`merge_reports`.

    Raises:
        RemapError: a combination of options that does not fit, a conflicting table, a bad
            tolerance or index map: before any file is written.
        LabelFileError: two inputs share a stem.
        ClassTableError: ``classes`` cannot be loaded.
    """
    table = None if classes is None else as_class_table(classes)
    if index_map is not None and to_rgb:
        raise RemapError("an index map rewrites label values; it cannot be combined with to_rgb")
    if index_map is None and table is None:
        raise RemapError("remapping colours needs a class table (classes)")
    if tolerance and (index_map is not None or to_rgb):
        raise RemapError("a tolerance applies to colour masks only, not to index maps or to_rgb")
    if strict and to_rgb:
        raise RemapError("strict applies to colour masks and index maps, not to to_rgb")
    if bgr and (index_map is not None or to_rgb):
        raise RemapError("bgr applies to colour masks only, not to index maps or to_rgb")
    mapping = None if index_map is None else index_map if isinstance(index_map, IndexMap) else IndexMap.load(index_map)
    output_stem = output_stems(table, mapping, to_rgb)
    check_unique_stems(sources, output_stem, folders)
    if mapping is not None:
        palette_table = table if table is not None else mapping.classes
        palette = None if palette_table is None else target_palette(palette_table)
        work = partial(
            remap_index_file, index_map=mapping, strict=strict, palette=palette
        )
    elif to_rgb:
        assert table is not None  # checked above
        work = partial(index_file_to_rgb, table=table, palette=target_palette(table), output_stem=output_stem)
    else:
        assert table is not None  # checked above
        _check_tolerance(tolerance)
        # Compile (and check) once here: forked workers then share the lookup table.
        _compile(table, _conflict_mode(table, on_conflict)).lut()
        work = partial(
            remap_color_file,
            table=table,
            tolerance=tolerance,
            on_conflict=on_conflict,
            strict=strict,
            palette=target_palette(table),
            output_stem=output_stem,
            bgr=bgr,
        )
    return map_files_into(work, sources, output_dir, folders, jobs)
