"""Commands on colours and label files: ``colormap``, ``colorize``, ``remap``."""

from collections.abc import Callable
from pathlib import PurePath
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from rich.text import Text

from labeltools.cli.shared import (
    BatchSummary,
    ClassesOption,
    ConflictChoice,
    DaskOption,
    JobsOption,
    JsonOption,
    OutputDirAlias,
    command,
    either,
    emit_json,
    exit_for,
    load_classes,
    load_palette,
    out,
    output_dir_option,
    report_batch,
    result_table,
    said_classes,
    say,
    swatch,
)

if TYPE_CHECKING:  # annotations only: each command imports what it runs
    from labeltools.ops.remap import RemapReport


@command("colormap", rich_help_panel="Colours and label files")
def colormap_command(
    n: Annotated[
        Optional[int],
        typer.Option("--num-classes", "-n", min=1, max=2**24, help="Number of entries (1..16777216). Default: the class table's size (21 for voc)."),
    ] = None,
    num_alias: Annotated[Optional[int], typer.Option("--num", hidden=True, min=1, max=2**24)] = None,
    classes: Annotated[
        str,
        typer.Option("--classes", "-c", help="Names and colours: a preset (voc, cityscapes, cityscapes-train, ade20k, ade20k-train, coco-stuff, coco-stuff-train) or a class table file.", callback=said_classes),
    ] = "voc",
    output: Annotated[
        Optional[str],
        typer.Option(
            "--output", "-o",
            help="Write to FILE: .txt, .csv, .json, .npy, .png (a legend picture) or .gpl (a GIMP palette, for GIMP, Krita, Inkscape).",
        ),
    ] = None,
    json_path: JsonOption = None,
) -> None:
    """Print the VOC colormap as a table (index, name, r, g, b, hex), or save it.

    Names (and, for tables such as cityscapes, colours) come from --classes; indices the
    table lacks get the plain VOC colour. A table, a legend picture, a GIMP palette and --json
    show up to 4096 colours; the other files hold up to 16777216. A GIMP palette paints masks in
    the classes' colours in an image editor; labeltools remap makes label files of them.

    Examples:
    labeltools colormap
    labeltools colormap -c cityscapes
    labeltools colormap -n 256 -o palette.npy
    labeltools colormap -c dataset/class_names.txt -o legend.png
    labeltools colormap -c dataset/class_names.txt -o classes.gpl
    labeltools colormap -c cityscapes-train --json -
    """
    from labeltools.core.classes import ClassTable, colormap_entries, hex_color
    from labeltools.jobs.colormap import SHOWN_MAX, save_colormap
    n = either(n, num_alias, "--num-classes", "--num")
    if n is not None and n > SHOWN_MAX and (output is None or json_path is not None):
        shown = "a table" if output is None else "--json"
        raise typer.BadParameter(
            f"{shown} holds at most {SHOWN_MAX} colours, not {n}: write them with -o FILE (.npy, .csv, .json or .txt)",
            param_hint="--num-classes",
        )
    table = ClassTable.load(classes)
    entries = colormap_entries(n, table)
    if json_path is not None:
        emit_json(json_path, {
            "classes": table.described, "entries": len(entries),
            "colors": [{"index": e.index, "name": e.name, "color": list(e.color), "hex": hex_color(e.color)} for e in entries],
        })  # fmt: skip
    if output is not None:
        save_colormap(output, entries)
        say(f"wrote {len(entries)} colours to {output}")
        return
    columns = ("index", "name", "r", "g", "b", "hex", "")
    grid = result_table(f"colormap of {table.the_described}: {len(entries)} entries", columns, text=("name", "hex", ""))
    for e in entries:
        grid.add_row(str(e.index), e.name, *(str(v) for v in e.color), hex_color(e.color), swatch(e.color))
    out.print(grid)


@command("colorize", rich_help_panel="Colours and label files")
def colorize_command(
    inputs: Annotated[list[str], typer.Argument(help="Label files (grayscale or palette PNGs, GIF, TIFF or BMP masks, or .npy arrays of np.save) holding class indices, or folders of them (of a Cityscapes city folder, its maps of the --classes ids).", metavar="INPUT", show_default=False)],
    output_dir: Annotated[Optional[str], typer.Option("--output-dir", "-d", help="Folder for the rewritten files.")] = None,
    output_alias: OutputDirAlias = None,
    gray: Annotated[bool, typer.Option("--gray", help="Write grayscale PNGs instead of palette PNGs: OpenCV, TensorFlow, Keras and FiftyOne read those as the indices, a palette PNG as its colours or their grey levels.")] = False,
    classes: ClassesOption = None,
    jobs: JobsOption = 0,
    dask: DaskOption = None,
) -> None:
    """Rewrite index PNGs as VOC palette PNGs (viewable in colour), or back with --gray.

    The stored indices never change; only the palette is added or dropped. A folder holding no
    label file itself stands for those of its sub-folders, each written into the same sub-folder
    of -d.

    Examples:
    labeltools colorize masks/ -d colour/
    labeltools colorize colour/*.png --gray -d gray/
    labeltools colorize pred/*.png -c cityscapes-train -d pred_colour/
    labeltools colorize arrays/ -d from-arrays/
    """
    from labeltools.formats.folders import OTHER_MASK_SUFFIXES
    from labeltools.formats.labels import ARRAY_SUFFIX
    from labeltools.jobs.colorize import recolor_label_files
    output_dir = output_dir_option(output_dir, output_alias, "colorize writes into a folder, each file under its input's name")
    inputs, folders = _tree_inputs(inputs, (".png", *OTHER_MASK_SUFFIXES, ARRAY_SUFFIX), _cityscapes_maps(classes), output_dir)
    results = recolor_label_files(inputs, output_dir, gray=gray, palette=load_palette(classes), jobs=jobs, folders=folders)
    exit_for(report_batch(results, len(inputs), "colorize", verb="wrote"))


def _cityscapes_maps(classes: Optional[str], colours: bool = False) -> tuple[str, ...]:
    """The files a command takes of a Cityscapes gtFine folder given whole: its colour masks, or
    its maps of the ids ``classes`` names (train ids for the ``cityscapes-train`` table's names,
    else label ids), not its other maps."""
    from labeltools.core.classes import ClassTable
    from labeltools.formats.cityscapes import COLOUR_MAPS, LABEL_MAPS
    if colours:
        return COLOUR_MAPS
    table = load_classes(classes)
    train = table is not None and table.names == ClassTable.preset("cityscapes-train").names
    return LABEL_MAPS["trainIds" if train else "labelIds"]


def _say_renamed(inputs: list[str], output_stem: Callable[[str], str]) -> None:
    """Say once that outputs are named for what they hold (a Cityscapes frame's train ids as
    ``*_labelTrainIds.png``...), with the first such name, where their inputs' names would say
    otherwise."""
    named = ((name, output_stem(name.stem)) for name in map(PurePath, inputs))
    renamed = [(name, stem) for name, stem in named if stem != name.stem]
    if renamed:
        (first, stem), more = renamed[0], len(renamed) - 1
        say(
            f"{len(renamed)} output(s) named for what they hold, as the tools that read them name them: "
            f"{first.name} is written as {stem}.png" + (f" (and {more} more so)" if more else "")
        )


def _percent(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.2f}%" if whole else "-"


def print_remap_report(report: "RemapReport", index_mode: bool = False, top: int = 10) -> None:
    """Print void pixels by cause and the most frequent unknown colours (or values) on stdout."""
    from labeltools.core.classes import hex_color
    causes = result_table(
        f"void pixels by cause ({report.pixels} pixels in all)", ("cause", "pixels", "share"), text=("cause",)
    )
    rows = [
        ("void value (255, or mapped to 255)" if index_mode else "void colour (in the table)", report.void_mapped),
        ("unmapped value" if index_mode else "unknown colour", report.unknown),
    ]
    if not index_mode:
        rows += [("near two classes (tolerance)", report.ambiguous), ("transparent (alpha 0)", report.alpha)]
    rows.append(("all void", report.void))
    for name, count in rows:
        causes.add_row(name, str(count), _percent(count, report.pixels))
    out.print(causes)
    if report.tolerated:
        out.print(
            f"{report.tolerated} pixel(s) ({_percent(report.tolerated, report.pixels)}) were mapped "
            "to a class through the tolerance",
        )
    unknown = report.top_unknown(top)
    if not unknown:
        return
    columns = ("value",) if index_mode else ("colour", "hex", "")
    title = f"most frequent {'unmapped values' if index_mode else 'unknown colours'}"
    grid = result_table(title, (*columns, "pixels", "example file"), text=(*columns, "example file"))
    for key, count, example in unknown:
        cells: list[str | Text] = [str(key)]
        if isinstance(key, tuple):
            cells += [hex_color(key), swatch(key)]
        grid.add_row(*cells, str(count), example)
    out.print(grid)


@command("remap", rich_help_panel="Colours and label files")
def remap_command(
    inputs: Annotated[
        list[str],
        typer.Argument(help="Colour masks (RGB/RGBA/palette PNG, JPEG, GIF, TIFF, BMP, WebP), or label files with --index-map / --to-rgb; or folders of them (of a Cityscapes city folder, the maps the command reads).", metavar="INPUT", show_default=False),
    ],
    output_dir: Annotated[Optional[str], typer.Option("--output-dir", "-d", help="Folder for the output files (same stems, .png; a Cityscapes map, or an index map's *_labelTrainIds.png, named for what it holds).")] = None,
    output_alias: OutputDirAlias = None,
    classes: ClassesOption = None,
    tolerance: Annotated[
        float,
        typer.Option("--tolerance", "-t", help="Map a colour within this Euclidean distance of exactly one class to it.", min=0),
    ] = 0.0,
    on_conflict: Annotated[
        Optional[ConflictChoice],
        typer.Option(
            "--on-conflict",
            help="A colour shared by classes with different values: error (default), first (the class listed first) or void (255).",
        ),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail a file that holds colours (or values) not in the table or map.")
    ] = False,
    index_map: Annotated[
        Optional[str],
        typer.Option(
            "--index-map",
            "-m",
            help="Rewrite label values instead: a file of SRC:DST lines, pairs such as '7:0,8:1' (SRC may be a range: '0-127:0,128-255:1'), or cityscapes, ade20k, "
            "coco-stuff (the label ids as shipped -> train ids).",
        ),
    ] = None,
    to_rgb: Annotated[bool, typer.Option("--to-rgb", help="Draw label files as RGB colour images in the table's colours.")] = False,
    bgr: Annotated[
        bool,
        typer.Option("--bgr", help="Read colour masks' red and blue the other way round: pictures of RGB colours written by OpenCV's imwrite, which writes BGR (a mask whose colours only so are the table's is refused without it)."),
    ] = False,
    top: Annotated[int, typer.Option("--top", help="How many unknown colours to list.", min=0)] = 10,
    json_path: JsonOption = None,
    jobs: JobsOption = 0,
    dask: DaskOption = None,
) -> None:
    """Turn RGB colour masks into label files (255 for void and unknown colours), and back.

    Each colour in --classes becomes its class index, as every command reads the table (labelIds
    with cityscapes, trainIds with cityscapes-train); the colours the table marks void and every
    colour it lacks become 255. --index-map cityscapes turns *_labelIds.png into the
    *_labelTrainIds.png cityscapesScripts writes, --index-map ade20k ADE20K's labels into the
    0..149 mmsegmentation trains on (reduce_zero_label), and --index-map coco-stuff COCO-Stuff's
    stuffthingmaps into the *_labelTrainIds.png (0..170) mmsegmentation's converter writes. A
    folder holding no such file itself stands for those of its sub-folders (a gtFine folder, a
    folder per split and city), each output written into the same sub-folder of -d: -d the
    folder itself writes each beside its input, as createTrainIdLabelImgs does. A report shows
    the void pixels by cause and the most frequent unknown colours.

    Examples:
    labeltools remap gtFine/*_color.png -c cityscapes-train -d trainIds/ --strict
    labeltools remap gtFine/*_labelIds.png --index-map cityscapes -d fromIds/
    labeltools remap cs/gtFine/ --index-map cityscapes -d cs/gtFine/
    labeltools remap masks/*.png --to-rgb -c dataset/class_names.txt -d rgb/
    labeltools remap rgb/*.png -c dataset/class_names.txt -d back/ --json -
    labeltools remap bgr/ -c dataset/class_names.txt --bgr -d from-bgr/
    """
    from labeltools.formats.folders import OTHER_MASK_SUFFIXES
    from labeltools.jobs.remap import output_stems, remap_files
    from labeltools.ops.remap import ADE20K_INDEX_MAP, CITYSCAPES_INDEX_MAP, IndexMap, RemapReport
    if index_map is not None and to_rgb:
        raise typer.BadParameter("--index-map and --to-rgb cannot be combined", param_hint="--to-rgb")
    if index_map is None and classes is None:
        raise typer.BadParameter(
            "colour masks need a class table (a preset such as voc or cityscapes, or a file); "
            "label files are drawn in its colours with --to-rgb -c TABLE, or their values rewritten with --index-map",
            param_hint="--classes",
        )
    if tolerance and (index_map is not None or to_rgb):
        raise typer.BadParameter("applies to colour masks only", param_hint="--tolerance")
    if strict and to_rgb:
        raise typer.BadParameter("does not apply to --to-rgb", param_hint="--strict")
    if bgr and (index_map is not None or to_rgb):
        raise typer.BadParameter("applies to colour masks only", param_hint="--bgr")
    output_dir = output_dir_option(output_dir, output_alias, "remap writes into a folder, each file named from its input")
    mapping = None if index_map is None else IndexMap.load(index_map)
    # a folder's colour masks or label files; of a Cityscapes gtFine folder, its labelIds for the
    # cityscapes map, its colour masks for a table, the label maps of the table's ids to draw
    cityscapes = mapping is not None and mapping.source == CITYSCAPES_INDEX_MAP
    prefer = ("_labelIds.png",) if cityscapes else () if mapping is not None else _cityscapes_maps(classes, colours=not to_rgb)
    inputs, folders = _tree_inputs(inputs, (".png", ".jpg", ".jpeg", ".webp", *OTHER_MASK_SUFFIXES), prefer, output_dir)
    if mapping is not None and mapping.classes is not None:
        reduced = (
            "; load it with reduce_zero_label=False (mmsegmentation's ADE20K configs reduce the labels as "
            "shipped, and would make wall void and each other class here the one before it)" if mapping.source == ADE20K_INDEX_MAP else ""
        )
        say(f"{mapping.source}: the output holds the ids of the {mapping.classes.described}{reduced}")
    _say_renamed(inputs, output_stems(load_classes(classes), mapping, to_rgb))
    results = remap_files(
        inputs,
        output_dir,
        classes,
        index_map=mapping,
        to_rgb=to_rgb,
        tolerance=tolerance,
        on_conflict=None if on_conflict is None else on_conflict.value,
        strict=strict,
        bgr=bgr,
        jobs=jobs,
        folders=folders,
    )
    report = RemapReport()
    summary = report_batch(report.add_results(results), len(inputs), "remap", verb="wrote")
    if report.files:
        print_remap_report(report, index_mode=index_map is not None, top=top)
    if json_path is not None:
        emit_json(json_path, remap_summary(report, summary, top))
    exit_for(summary)


def _tree_inputs(inputs: list[str], suffixes: tuple[str, ...], prefer: tuple[str, ...], output_dir: str) -> tuple[list[str], list[str]]:
    """The files of the inputs, and the sub-folder of ``output_dir`` each output goes to (see
    :func:`~labeltools.engine.storage.expand_input_tree`), saying where they go."""
    from labeltools.engine.storage import expand_input_tree
    from labeltools.formats.folders import other_masks_hint

    tree = expand_input_tree(inputs, suffixes, prefer=prefer, say=say, output=output_dir, hint=other_masks_hint)
    folders = [folder for _, folder in tree]
    if any(folders):
        say(f"{len(set(folders) - {''})} sub-folder(s) of the input: each output is written into the same sub-folder of {output_dir}")
    return [name for name, _ in tree], folders


def remap_summary(report: "RemapReport", summary: BatchSummary, top: int) -> dict[str, Any]:
    """remap's ``--json``: files written and failed, void pixels by cause, and the most frequent
    unknown colours (``[r, g, b]``) or values with a file holding each."""
    return {
        "written": summary.done,
        "failed": summary.failed,
        "failures": summary.failure_list(),
        "pixels": report.pixels,
        "void": {
            "all": report.void, "mapped": report.void_mapped, "unknown": report.unknown,
            "ambiguous": report.ambiguous, "transparent": report.alpha,
        },
        "tolerated": report.tolerated,
        "unknown": [
            {"value": list(key) if isinstance(key, tuple) else key, "pixels": count, "example": example}
            for key, count, example in report.top_unknown(top)
        ],
    }  # fmt: skip

