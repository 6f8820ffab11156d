"""Commands that inspect a dataset: ``excel``, ``stats``, ``check``, ``diff``, ``report``."""

from collections import Counter
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.text import Text

from labeltools.cli.shared import (
    ClassesOption,
    ConfigOption,
    DaskOption,
    DatasetOrLabelsDirArgument,
    JobsOption,
    JsonOption,
    LabelsDirOption,
    NumClassesOption,
    PredClassesOption,
    SplitOption,
    Usage,
    command,
    dataset_and_labels,
    either,
    emit_json,
    err,
    exit_for,
    folder_to_write,
    given_once,
    load_classes,
    out,
    printable,
    report_batch,
    result_table,
    said_classes,
    say,
    stop_if_all_failed,
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
        Optional[list[str]], typer.Argument(metavar="LABEL", help="Label PNGs to dump (palette or grayscale), or folders of them.", show_default=False)
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
            "Default: class_names.txt beside the labels or one folder up, else voc. "
            "With --read: names cells may hold besides the Classes sheet's (default: the source dataset's "
            "class_names.txt), and the PNG's colours.",
            callback=said_classes,
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
        typer.Option(
            "--read", metavar="WORKBOOK",
            help="Read a grid sheet back into a label PNG (needs --output); a cell holds a class index or name.",
        ),
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
    labeltools excel dataset/SegmentationClass/street_01.png --crop 0,0,200,150
    labeltools excel dataset/SegmentationClass/*.png -d workbooks/ --step 4
    labeltools excel --read street_01.xlsx -o street_01_fixed.png
    """
    from labeltools.jobs.excel import (
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
        result = excel_to_label_file(read, output, sheet, classes=load_classes(names))
        height, width = result.data
        say(f"wrote {output} ({width}x{height}) from {read}")
        return
    if not inputs:
        raise Usage("give label files to dump, or --read WORKBOOK")
    from labeltools.engine.storage import expand_inputs, is_pattern
    from labeltools.formats.folders import other_masks_hint
    given, inputs = inputs, expand_inputs(inputs, (".png",), hint=other_masks_hint)
    books = [i for i in inputs if i.lower().endswith((".xlsx", ".xlsm"))]
    if books:
        raise Usage(f"{books[0]} is a workbook, not a label file: read it back with --read {books[0]} -o LABEL.png")
    others = [i for i in inputs if i.lower().endswith((".ods", ".fods", ".xls"))]
    if others:
        raise Usage(f"{others[0]} is a spreadsheet, not a label file: save it as Excel 2007-365 (.xlsx) and read that back with --read")
    if sheet is not None:
        raise Usage("--sheet only applies with --read")
    options: dict[str, Any] = dict(names=names, crop=_crop_option(crop), step=step, fill=not no_fill, max_cells=max_cells)
    if output_dir is not None:
        if output is not None:
            raise Usage("give --output (one workbook) or --output-dir (one per input), not both")
        folder_to_write(output_dir, "--output-dir", "--output-dir is a folder of one workbook per input (--output FILE writes one)")
        results = label_files_to_excel(inputs, output_dir, jobs=jobs, **options)
        exit_for(report_batch(results, len(inputs), "excel", verb="wrote"))
        return
    # By default in the current folder, where a user looks for what a command wrote (not inside
    # the dataset's label folder, where every loader of the dataset would meet it).
    # named after the one file or folder given (a pattern's first file)
    folder = len(given) == 1 and not given[0].lower().endswith(".png") and not is_pattern(given[0])
    named = given[0] if folder else inputs[0]
    book = output or f"{Path(named.rstrip('/')).stem}.xlsx"
    summary = report_batch(
        label_files_to_workbook(inputs, book, **options), len(inputs), "excel", verb="wrote"
    )
    if summary.done:
        say(f"wrote {book} ({summary.done} grid sheet(s))")
    exit_for(summary)


@command("stats", rich_help_panel="Inspect")
def stats_command(
    dataset: DatasetOrLabelsDirArgument = None,
    split: SplitOption = None,
    labels_dir: LabelsDirOption = None,
    classes: ClassesOption = None,
    num_classes: NumClassesOption = None,
    config: ConfigOption = None,
    json_path: JsonOption = None,
    plot: Annotated[
        Optional[str], typer.Option("--plot", help="Draw the class pixel shares as a bar chart PNG.")
    ] = None,
    log: Annotated[bool, typer.Option("--log", help="Logarithmic axis for --plot.")] = False,
    jobs: JobsOption = 0,
    dask: DaskOption = None,
) -> None:
    """Per-class pixels, share of labelled pixels and images; void share; image sizes.

    Void (255) pixels are counted apart and never share in the class percentages. DATASET may
    be a Cityscapes gtFine folder (gtFine/val, a folder per city): its *_labelIds.png maps are
    counted by label id, or its *_labelTrainIds.png maps by train id with -c cityscapes-train.
    DATASET may be a Hugging Face dataset (a repository's folder as downloaded, a Parquet file,
    a save_to_disk folder): its rows' label maps are read where they are, by its id2label.json.

    Examples:
    labeltools stats dataset
    labeltools stats dataset --split train --plot shares.png --log
    labeltools stats --labels-dir preds/ -n 9 --json -
    labeltools stats gtFine/ -c cityscapes-train
    labeltools stats hub/ --split validation
    """
    from labeltools.core.classes import is_unused
    from labeltools.core.files import require_suffix
    from labeltools.jobs.hub_labels import items_noun
    from labeltools.jobs.stats import STATS_PLOT, count_dataset, save_stats_plot
    if log and plot is None:
        raise typer.BadParameter("applies to the chart: give --plot FILE.png too", param_hint="--log")
    if plot is not None:  # before any file is read
        require_suffix(plot, *STATS_PLOT)
    root, labels_dir = dataset_and_labels(dataset, labels_dir)
    counting = count_dataset(root, split, labels_dir, classes, num_classes, jobs, config)
    if counting.labels_from:
        say(f"labels: {counting.labels_from}")
    summary = report_batch(counting, len(counting), "stats", verb="read")
    noun = items_noun(counting.items)
    stop_if_all_failed(summary, "show", noun)
    stats = counting.stats
    grid = result_table(
        f"{stats.images} {noun}, {stats.labelled_pixels} labelled pixels",
        ("index", "name", "pixels", "share %", "images"),
    )
    for row in stats.rows():
        if row["is_class"] and not row["pixels"] and is_unused(row["index"], row["name"]):
            continue  # a placeholder of an id no class takes (COCO's gaps)
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
        printable("classes never seen: " + (", ".join(f"{i} {stats.name_of(i)}" for i in never) if never else "none")),
        soft_wrap=True,
    )
    unknown = stats.unknown_values()
    if unknown:
        from labeltools.core.colormap import grey_read_hint

        held = [value for value, pixels in enumerate(stats.pixels.tolist()) if pixels]
        out.print(
            Text.assemble(
                ("values that are not classes:", "red"),
                f" {', '.join(map(str, unknown))} (run labeltools check to find the files)"
                + grey_read_hint(held, stats.class_indices, stats.palette()),
            ),
            soft_wrap=True,
        )
    for line in stats.imbalance():
        out.print(Text.assemble(("split imbalance:", "yellow"), f" {line}"), soft_wrap=True)
    if json_path is not None:
        emit_json(json_path, {**stats.to_dict(), "failed": summary.failed, "failures": summary.failure_list()})
    if plot is not None:
        save_stats_plot(plot, stats, log=log)
        wrote(plot)
    exit_for(summary)


#: The images of a folder of labels, for check and report.
LabelImagesOption = Annotated[
    Optional[str],
    typer.Option(
        "--images", metavar="FOLDER",
        help="The images of a folder of label PNGs, matched by stem (default: images/ beside annotations/ or masks/, img_dir/ beside ann_dir/).",
        show_default=False,
    ),
]


#: How many files of one problem check's table lists before it counts the rest (the JSON lists each).
FOLDED_AFTER = 3


@command("check", rich_help_panel="Inspect")
def check_command(
    dataset: Annotated[str, typer.Argument(help="VOC dataset folder, folder of label PNGs, Cityscapes gtFine folder, or Hugging Face dataset.")],
    classes: ClassesOption = None,
    num_classes: NumClassesOption = None,
    images: LabelImagesOption = None,
    config: ConfigOption = None,
    json_path: JsonOption = None,
    jobs: JobsOption = 0,
    dask: DaskOption = None,
) -> None:
    """Verify a VOC folder and list every problem with its file; exit 1 on errors.

    Checks: split ids have an image and a label, labels no split lists, ids in both train and val,
    one image (byte for byte) under an id of val and one of train (twice in one split: a
    warning), image/label sizes, palette or grayscale PNG labels, values within the class table
    or 255, the VOC palette (warning), unreadable or truncated files (also label PNGs whose pixel
    data ends before the rows their header declares), temporary files left by an interrupted run
    (warning).
    The labels of the SBD-augmented training set's lists (trainaug.txt, train_aug.txt, aug.txt)
    are SegmentationClassAug/'s, checked alike, none of their ids in val or test; a test.txt
    none of whose ids has a label is a test set whose labels are withheld (VOC2012's).

    Of a folder of label PNGs (mmsegmentation's ann_dir/val, ADE20K's annotations/validation):
    every label has an image and every image a label, matched by stem in --images (by default
    the folder of images beside it: images/ beside annotations/ or masks/, img_dir/ beside
    ann_dir/), then each sample as above.

    Of a Cityscapes gtFine folder (gtFine/val, a folder per city, or gtFine itself): each
    frame's label ids are Cityscapes', its *_labelTrainIds.png, *_instanceIds.png and
    *_color.png were made from them (a map left from before a re-annotation is an error), and
    its leftImg8bit image is there, of the same size.

    Of a Hugging Face dataset (a Hub repository's folder as downloaded, a Parquet file, a
    save_to_disk folder): every split's rows where they are, each labelled row's label map and
    image as a sample's (the image's size as the datasets library decodes it, upright by its
    EXIF), by its id2label.json, validation rows whose image (byte for byte) a train row holds,
    and each class its train or validation rows lack.

    Examples:
    labeltools check dataset
    labeltools check dataset -c dataset/class_names.txt --json problems.json
    labeltools check dataset | grep val.txt
    labeltools check ade/gt -c ade20k
    labeltools check gtFine/
    labeltools check hub/
    """
    from labeltools.formats.cityscapes import label_maps
    from labeltools.jobs.check import CityscapesCheck, DatasetCheck, HubCheck, label_check
    from labeltools.jobs.hub_labels import hub_labels, no_config
    check: DatasetCheck | CityscapesCheck
    if label_maps(dataset) is not None:
        if classes is not None or num_classes is not None or images is not None:
            raise Usage("a Cityscapes folder is checked against Cityscapes' own label ids and images: leave --classes, --num-classes and --images out")
        no_config(config, dataset)
        check = CityscapesCheck(dataset)
    elif images is None and (hub := hub_labels(dataset, None, classes, num_classes, need_table=False, config=config)) is not None:
        check = HubCheck(dataset, hub)
    else:
        no_config(config, dataset)
        check = label_check(dataset, classes, num_classes, images)
    for note in check.notes:
        say(note)
    # A sample that cannot be read is a problem like any other: the closing line counts problems.
    report_batch(check.run(jobs), check.samples, "check", counts=False)
    if check.problems:
        columns = ("severity", "file", "problem")
        grid = result_table(f"{dataset}: {len(check.problems)} problem(s)", columns, text=columns)
        alike = Counter((p.severity, p.kind, p.message) for p in check.problems)
        shown: Counter[tuple[str, str, str]] = Counter()
        for problem in check.problems:  # one problem of many files: its first files, then how many more
            key = (problem.severity, problem.kind, problem.message)
            shown[key] += 1
            color = "red" if problem.severity == "error" else "yellow"
            if alike[key] <= FOLDED_AFTER + 2 or shown[key] <= FOLDED_AFTER:
                grid.add_row(Text(problem.severity, style=color), problem.file, problem.message)
            elif shown[key] == FOLDED_AFTER + 1:
                more = alike[key] - FOLDED_AFTER
                grid.add_row(Text(problem.severity, style=color), f"{more} more file(s)", f"the same ({'--json FILE' if json_path is None else 'the JSON'} lists each)")
        out.print(grid)
    errors, warnings = len(check.errors), len(check.warnings)
    style = "red" if errors else "yellow" if warnings else "green"
    out.print(Text.assemble((f"{errors} error(s), {warnings} warning(s)", style), f" in {check.samples} sample(s)"))
    if json_path is not None:
        emit_json(json_path, check.to_dict())
    if errors:
        raise typer.Exit(1)



@command("diff", rich_help_panel="Inspect")
def diff_command(
    old: Annotated[str, typer.Argument(help="The labels before: a folder of label PNGs, a VOC folder, a Cityscapes folder, or a Hugging Face dataset.")],
    new: Annotated[str, typer.Argument(help="The labels after, named like OLD's (ids are file stems; a Hugging Face dataset's rows, the ids convert gives them).")],
    classes: ClassesOption = None,
    config: ConfigOption = None,
    json_path: JsonOption = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Rows shown of the largest changes and the most changed files.")] = 10,
    jobs: JobsOption = 0,
    dask: DaskOption = None,
) -> None:
    """What changed between two versions of a dataset's labels (a re-annotation round, a cleaned
    copy, two annotators).

    For the ids both hold: each class's pixels before and after, the pixels that went from one
    value to another (void included), and the files with the largest share of changed pixels;
    then the ids only one of them holds. Class names come from --classes, else NEW's or OLD's
    class_names.txt (of a Hugging Face dataset, the id2label.json it came with).

    Examples:
    labeltools diff preds/ dataset
    labeltools diff dataset/SegmentationClass preds/ --top 20 --json changes.json
    labeltools diff masks/ preds/ -c dataset/class_names.txt --json -
    labeltools diff hub/ hub-voc/
    """
    from labeltools.jobs.diff import diff_datasets
    run = diff_datasets(old, new, classes, jobs, config)
    summary = report_batch(run, len(run), "diff", verb="compared")
    stop_if_all_failed(summary, "compare", "file(s)")
    changes = run.changes
    grid = result_table(
        f"{len(changes.files)} file(s) compared: {changes.changed_pixels} of {changes.pixels} pixels changed",
        ("index", "name", "old pixels", "new pixels", "change", "change %"),
    )
    for row in changes.class_rows():
        share = "new" if row["change_share"] is None else f"{row['change_share'] * 100:+.2f}"
        style = "green" if row["change"] > 0 else "red" if row["change"] < 0 else None
        grid.add_row(
            str(row["index"]), row["name"], str(row["old_pixels"]), str(row["new_pixels"]),
            f"{row['change']:+d}", share, style=style,
        )  # fmt: skip
    out.print(grid)
    moved = changes.changes()
    if moved:
        grid = result_table(f"largest changes ({len(moved)} kinds)", ("from", "to", "pixels"), text=("from", "to"))
        for row in moved[:top]:
            grid.add_row(f"{row['from']} {row['from_name']}", f"{row['to']} {row['to_name']}", str(row["pixels"]))
        out.print(grid)
        grid = result_table("most changed files", ("id", "changed pixels", "changed %"), text=("id",))
        for row in changes.file_rows()[:top]:
            if row["changed_pixels"]:
                grid.add_row(row["id"], str(row["changed_pixels"]), f"{row['changed_share'] * 100:.2f}")
        out.print(grid)
    for ids, where in ((run.only_old, old), (run.only_new, new)):
        if ids:
            shown = ", ".join(ids[:top]) + (f" (and {len(ids) - top} more)" if len(ids) > top else "")
            out.print(printable(f"only in {where}: {len(ids)} file(s): {shown}"), soft_wrap=True)
    if json_path is not None:
        emit_json(json_path, {**run.to_dict(), "failed": summary.failed, "failures": summary.failure_list()})
    exit_for(summary)


@command("report", rich_help_panel="Inspect")
def report_command(
    dataset: Annotated[str, typer.Argument(help="VOC dataset folder, folder of label PNGs, Cityscapes gtFine folder, or Hugging Face dataset.")],
    output_argument: Annotated[
        Optional[str], typer.Argument(help="The HTML file to write (or -o FILE) [default: report.html].", metavar="OUTPUT", show_default=False)
    ] = None,
    output: Annotated[Optional[str], typer.Option("--output", "-o", help="The HTML file to write.")] = None,
    classes: ClassesOption = None,
    num_classes: NumClassesOption = None,
    pred: Annotated[
        Optional[str],
        typer.Option("--pred", metavar="FOLDER", help="Predictions (label PNGs named like the labels, or .npy arrays of np.save(path, argmax); of a Cityscapes folder by frame): adds per-class scores, the confusion matrix and the worst images."),
    ] = None,
    compare: Annotated[
        Optional[str],
        typer.Option("--compare", metavar="OLD", help="An older version of the labels (a folder of label PNGs, a VOC folder, or a Hugging Face dataset, as diff takes them): adds what changed."),
    ] = None,
    images: LabelImagesOption = None,
    pred_classes: PredClassesOption = None,
    config: ConfigOption = None,
    max_images: Annotated[int, typer.Option("--max-images", min=1, help="Images in the gallery at most, chosen to show every class.")] = 200,
    thumb_width: Annotated[int, typer.Option("--thumb-width", min=16, max=2048, help="Thumbnail width in pixels.")] = 240,
    worst: Annotated[int, typer.Option("--worst", min=0, help="Worst-predicted and most-changed images shown.")] = 12,
    json_path: JsonOption = None,
    jobs: JobsOption = 0,
    dask: DaskOption = None,
) -> None:
    """Write one self-contained HTML page about a dataset: summary, classes (sortable table and
    chart), every problem check finds, and a gallery of image + label overlays that a click on a
    class filters; with --pred, scores and the worst images; with --compare, what changed.

    The page needs no network to open (its scripts, charts and pictures are inside it). Needs
    the report extra: pip install "labeltools[report]". The exit code is 1 when the page lists
    an error (check's), 0 with warnings only.

    DATASET may be a folder of label PNGs, shown over the images of the same stem in --images
    (by default the images/ or img_dir/ folder beside it, as ADE20K and mmsegmentation lay
    them out). It may be a Cityscapes gtFine folder (gtFine/val, a folder per city): each frame's
    *_labelIds.png (or *_labelTrainIds.png with -c cityscapes-train) over its leftImg8bit image,
    checked as check checks it; predictions are found by frame, as cityscapesScripts finds them.
    It may be a Hugging Face dataset (a Hub repository's folder as downloaded, a Parquet file, a
    save_to_disk folder): its rows, read where they are, each image as the datasets library
    decodes it (upright by its EXIF); its predictions named by the rows' ids as convert names
    their images (as evaluate pairs them), its older labels read as diff reads them.

    Examples:
    labeltools report dataset report.html
    labeltools report dataset --pred preds/ -o scores.html
    labeltools report dataset --compare preds/ -o changes.html
    labeltools report gtFine/ --pred results/ -o city.html
    labeltools report ade/gt --images ade/img -c ade20k -o ade.html
    labeltools report hub/ -o hub.html
    labeltools report hub/ --compare hub-voc/ -o hub-changes.html
    """
    from labeltools.jobs.report import ReportOptions, report_dataset
    output = given_once("the page to write", ("OUTPUT", output_argument), ("--output", output)) or "report.html"
    options = ReportOptions(max_images=max_images, thumb_width=thumb_width, worst=worst, pred=pred, compare=compare)
    report = report_dataset(dataset, output, options, classes, num_classes, jobs, images, pred_classes, config)
    if report.read_from:
        say(report.read_from)
    summary = report_batch(report, len(report), "read", counts=False)
    pictures = report.pictures()
    report_batch(pictures, len(pictures), "draw", counts=False)
    report.write()
    errors, warnings = len(report.check.errors), len(report.check.warnings)
    style = "red" if errors else "yellow" if warnings else "green"
    err.print(Text.assemble(
        f"{report.stats.images} image(s), {len(report.drawn)} drawn; ",
        (f"{errors} error(s), {warnings} warning(s)", style), " (see the Problems section)",
    ))  # fmt: skip
    wrote(output)
    if json_path is not None:
        emit_json(json_path, {
            "output": output, "images": report.stats.images, "drawn": len(report.drawn),
            "errors": errors, "warnings": warnings, "problems": [p.to_dict() for p in report.check.problems],
            "failed": summary.failed, "failures": summary.failure_list(),
        })  # fmt: skip
    if errors:  # as check exits: the page is written, and a script running it learns of them
        raise typer.Exit(1)
    exit_for(summary)
