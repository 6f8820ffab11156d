"""Commands that inspect a dataset: ``excel``, ``stats``, ``check``."""

from typing import Annotated, Any, Optional

import typer
from rich.text import Text

from labeltools.cli.shared import (
    ClassesOption,
    DaskOption,
    DatasetOrLabelsDirArgument,
    JobsOption,
    JsonOption,
    LabelsDirOption,
    NumClassesOption,
    SplitOption,
    Usage,
    command,
    dataset_root,
    either,
    emit_json,
    err,
    exit_for,
    load_palette,
    one_class_source,
    out,
    report_batch,
    result_table,
    wrote,
)
from labeltools.core.errors import LabeltoolsError
from labeltools.core.options import (
    DEFAULT_MAX_CELLS,
)


def _crop_option(value: Optional[str]) -> Optional[tuple[int, int, int, int]]:
    from labeltools.formats.excel import parse_crop
    if value is None:
        return None
    try:
        return parse_crop(value)
    except LabeltoolsError as exc:
        raise typer.BadParameter(str(exc), param_hint="--crop") from None


@command("excel", rich_help_panel="Inspect")
def excel_command(
    inputs: Annotated[
        Optional[list[str]], typer.Argument(metavar="LABEL", help="Label PNGs to dump (palette or grayscale).", show_default=False)
    ] = None,
    output: Annotated[
        Optional[str],
        typer.Option(
            "--output", "-o",
            help="Workbook to write (default: beside the first input, same stem, .xlsx). "
            "With --read: the label PNG to write.",
        ),
    ] = None,
    output_dir: Annotated[
        Optional[str], typer.Option("--output-dir", "-d", help="Write one workbook per input into this folder.")
    ] = None,
    classes: Annotated[
        Optional[str],
        typer.Option(
            "--classes",
            "-c",
            help="Class names: a file (class_names.txt, labels.txt, .csv, .json) or a preset. "
            "Default: class_names.txt beside the labels or one folder up, else voc.",
        ),
    ] = None,
    names_alias: Annotated[Optional[str], typer.Option("--names", hidden=True)] = None,
    crop: Annotated[
        Optional[str],
        typer.Option("--crop", metavar="X,Y,W,H", help="Dump only this rectangle (pixels: left, top, width, height)."),
    ] = None,
    step: Annotated[int, typer.Option("--step", min=1, help="Dump every K-th pixel in both directions.")] = 1,
    no_fill: Annotated[bool, typer.Option("--no-fill", help="Plain numbers: no colours (faster).")] = False,
    max_cells: Annotated[
        int,
        typer.Option("--max-cells", min=1, help="Refuse a grid of more cells than this (use --step or --crop to fit)."),
    ] = DEFAULT_MAX_CELLS,
    read: Annotated[
        Optional[str],
        typer.Option("--read", metavar="WORKBOOK", help="Read a grid sheet back into a label PNG (needs --output)."),
    ] = None,
    sheet: Annotated[
        Optional[str], typer.Option("--sheet", help="With --read: the grid sheet to read (default: the first).")
    ] = None,
    jobs: JobsOption = 0,
    dask: DaskOption = None,
) -> None:
    """Dump label maps to Excel workbooks for inspection, or read an (edited) grid back.

    Each label becomes a grid sheet: one cell per pixel holding its class index, coloured with the
    file's palette (else the VOC colormap), with pixel coordinates in frozen headers. A Classes sheet
    counts each class, an Info sheet tells the source.

    Examples:
    labeltools excel SegmentationClass/2007_000032.png --crop 0,0,200,150
    labeltools excel SegmentationClass/*.png -d workbooks/ --step 4
    labeltools excel --read 2007_000032.xlsx -o 2007_000032_fixed.png
    """
    from labeltools.jobs.excel import (
        default_workbook_path,
        excel_to_label_file,
        label_files_to_excel,
        label_files_to_workbook,
    )
    names = either(classes, names_alias, "--classes", "--names")
    if read is not None:
        if inputs:
            raise Usage("give either label files to dump or --read WORKBOOK, not both")
        if output is None:
            raise Usage("--read needs --output LABEL.png for the label to write")
        dump_only = {
            "--crop": crop is not None, "--step": step != 1, "--no-fill": no_fill, "--output-dir": output_dir is not None,
            "--max-cells": max_cells != DEFAULT_MAX_CELLS,
        }  # fmt: skip
        given = [option for option, used in dump_only.items() if used]
        if given:
            verb = "applies" if len(given) == 1 else "apply"
            raise Usage(f"{', '.join(given)} only {verb} when dumping label files, not with --read")
        result = excel_to_label_file(read, output, sheet, load_palette(names))
        height, width = result.data
        err.print(f"wrote {output} ({width}x{height}) from {read}", soft_wrap=True)
        return
    if not inputs:
        raise Usage("give label files to dump, or --read WORKBOOK")
    if sheet is not None:
        raise Usage("--sheet only applies with --read")
    options: dict[str, Any] = dict(names=names, crop=_crop_option(crop), step=step, fill=not no_fill, max_cells=max_cells)
    if output_dir is not None:
        if output is not None:
            raise Usage("give --output (one workbook) or --output-dir (one per input), not both")
        results = label_files_to_excel(inputs, output_dir, jobs=jobs, **options)
        exit_for(report_batch(results, len(inputs), "excel", verb="wrote"))
        return
    book = output or default_workbook_path(inputs[0])
    summary = report_batch(
        label_files_to_workbook(inputs, book, **options), len(inputs), "excel", verb="wrote"
    )
    if summary.done:
        err.print(f"wrote {book} ({summary.done} grid sheet(s))", soft_wrap=True)
    exit_for(summary)


@command("stats", rich_help_panel="Inspect")
def stats_command(
    dataset: DatasetOrLabelsDirArgument = None,
    split: SplitOption = None,
    labels_dir: LabelsDirOption = None,
    classes: ClassesOption = None,
    num_classes: NumClassesOption = None,
    json_path: JsonOption = None,
    plot: Annotated[
        Optional[str], typer.Option("--plot", help="Draw the class pixel shares as a bar chart PNG.")
    ] = None,
    log: Annotated[bool, typer.Option("--log", help="Logarithmic axis for --plot.")] = False,
    jobs: JobsOption = 0,
    dask: DaskOption = None,
) -> None:
    """Per-class pixels, share of labelled pixels and images; void share; image sizes.

    Void (255) pixels are counted apart and never share in the class percentages.

    Examples:
    labeltools stats data/voc
    labeltools stats data/voc --split train --plot shares.png --log
    labeltools stats --labels-dir preds/ -n 21 --json -
    """
    from labeltools.jobs.stats import count_dataset, save_stats_plot
    one_class_source(classes, num_classes)
    if log and plot is None:
        raise typer.BadParameter("applies to the chart: give --plot FILE.png too", param_hint="--log")
    counting = count_dataset(dataset_root(dataset, labels_dir), split, labels_dir, classes, num_classes, jobs)
    summary = report_batch(counting, len(counting), "stats", verb="read")
    stats = counting.stats
    grid = result_table(
        f"{stats.images} label file(s), {stats.labelled_pixels} labelled pixels",
        ("index", "name", "pixels", "share %", "images"),
    )
    for row in stats.rows():
        style = None if row["is_class"] else "red"
        grid.add_row(
            str(row["index"]), row["name"], str(row["pixels"]), f"{row['share'] * 100:.2f}", str(row["images"]),
            style=style,
        )  # fmt: skip
    out.print(grid)
    out.print(
        f"void (255): {stats.void_pixels} pixels, {stats.void_share:.2%} of all pixels, "
        f"in {int(stats.images_with[255])} image(s)",
    )
    sizes = ", ".join(f"{w}x{h}: {n}" for (w, h), n in stats.sizes.most_common(8))
    more = f" (and {len(stats.sizes) - 8} more sizes)" if len(stats.sizes) > 8 else ""
    out.print(f"image sizes (width x height: images): {sizes}{more}")
    never = stats.never_seen()
    out.print(
        "classes never seen: " + (", ".join(f"{i} {stats.name_of(i)}" for i in never) if never else "none"),
    )
    unknown = stats.unknown_values()
    if unknown:
        out.print(
            Text.assemble(
                ("values that are not classes:", "red"),
                f" {', '.join(map(str, unknown))} (run labeltools check to find the files)",
            ),
        )
    for line in stats.imbalance():
        out.print(Text.assemble(("split imbalance:", "yellow"), f" {line}"), soft_wrap=True)
    if json_path is not None:
        emit_json(json_path, {**stats.to_dict(), "failed": summary.failed, "failures": summary.failure_list()})
    if plot is not None:
        save_stats_plot(plot, stats, log=log)
        wrote(plot)
    exit_for(summary)


@command("check", rich_help_panel="Inspect")
def check_command(
    dataset: Annotated[str, typer.Argument(help="VOC dataset folder.")],
    classes: ClassesOption = None,
    num_classes: NumClassesOption = None,
    json_path: JsonOption = None,
    jobs: JobsOption = 0,
    dask: DaskOption = None,
) -> None:
    """Verify a VOC folder and list every problem with its file; exit 1 on errors.

    Checks: split ids have an image and a label, labels no split lists, ids in both train and val,
    image/label sizes, palette or grayscale PNG labels, values within the class table or 255, the
    VOC palette (warning), unreadable or truncated files (also label PNGs whose pixel data ends
    before the rows their header declares), temporary files left by an interrupted run (warning).

    Examples:
    labeltools check data/voc
    labeltools check data/voc -c voc --json problems.json
    labeltools check data/voc | grep 2007_000032
    """
    from rich.table import Table

    from labeltools.jobs.check import DatasetCheck
    one_class_source(classes, num_classes)
    check = DatasetCheck(dataset, classes, num_classes)
    # A sample that cannot be read is a problem like any other: the closing line counts problems.
    report_batch(check.run(jobs), len(check.items), "check", counts=False)
    if check.problems:
        grid = Table(title=f"{dataset}: {len(check.problems)} problem(s)")
        for column in ("severity", "file", "problem"):
            grid.add_column(column, overflow="fold")
        for problem in check.problems:
            color = "red" if problem.severity == "error" else "yellow"
            grid.add_row(Text(problem.severity, style=color), problem.file, problem.message)
        out.print(grid)
    errors, warnings = len(check.errors), len(check.warnings)
    style = "red" if errors else "yellow" if warnings else "green"
    out.print(Text.assemble((f"{errors} error(s), {warnings} warning(s)", style), f" in {len(check.items)} sample(s)"))
    if json_path is not None:
        emit_json(json_path, check.to_dict())
    if errors:
        raise typer.Exit(1)

