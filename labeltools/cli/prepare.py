"""Commands that prepare a dataset: ``convert``, ``split``, ``sbd``, ``demo``, ``export``."""

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from rich.text import Text

from labeltools.cli.shared import (
    AllowImageUrlsOption,
    BatchSummary,
    ClassesOption,
    DaskOption,
    ExportObjects,
    ExportTarget,
    GroupOption,
    ImageFormatChoice,
    ConfigOption,
    ImagesDirOption,
    JobsOption,
    JsonOption,
    LabelmeRulesOption,
    LabelsAlias,
    NumClassesOption,
    OutputDirAlias,
    OverlapChoice,
    SeedOption,
    SourceOption,
    StratifyOption,
    UnknownLabel,
    Usage,
    ValFractionOption,
    command,
    counted,
    either,
    emit_json,
    err,
    exit_for,
    fail,
    folder_to_write,
    given_once,
    missing_argument,
    out,
    output_dir_option,
    output_folder,
    printable,
    report_batch,
    result_table,
    said_classes,
    say,
    split_option,
    wrote,
)
from labeltools.core.options import (
    DEFAULT_LABELME_RULES,
    DEFAULT_LINE_WIDTH,
    DEFAULT_MIN_IOU,
    DEFAULT_POINT_SIZE,
    LABELME_RELEASES,
    MAP_TARGETS,
)

if TYPE_CHECKING:  # annotations only: each command imports what it runs
    from rich.tree import Tree

    from labeltools.jobs.convert import Conversion
    from labeltools.jobs.export import Export
    from labeltools.jobs.split import DatasetSplitting
    from labeltools.ops.splits import ClassBalance


#: How many files the convert summary names for overlapping shapes.
TOP_CONTESTED = 5


def run_conversion(conversion: "Conversion", json_path: Optional[str] = None) -> BatchSummary:
    """Drive a conversion with a progress bar and print where the dataset went, the files whose
    shapes of different classes overlapped most, and (with ``json_path``) the summary as JSON."""
    if conversion.source == "masks":
        say(f"reading masks beside their images: {len(conversion)} image(s)")
    elif conversion.source == "yolo":
        say(f"reading a YOLO segmentation dataset: {len(conversion)} image(s)")
    elif conversion.source == "hub":
        say(f"reading a Hugging Face dataset's rows: {len(conversion)} image(s)")
    elif conversion.source != "labelme":
        say(f"reading {conversion.source} annotations: {len(conversion)} image(s)")
    if conversion.classes_chosen:
        say(f"classes: {len(conversion.classes.names)}, {conversion.classes_chosen}")
    if conversion.rules_chosen:
        say(f"labelme rules: {conversion.rules_chosen}")
    if conversion.split_chosen:
        say(f"split: {conversion.split_chosen}")
    summary = report_batch(conversion, len(conversion), "convert", verb="converted", resumable=True)
    splits = conversion.splits
    if conversion.nothing_written:
        say(f"{conversion.output}: nothing written, no file converted")
    elif splits:
        held = f"; test {len(conversion.held_out)}, kept out as test.txt lists" if conversion.held_out else ""
        out.print(
            f"{printable(str(conversion.output))}: {len(splits['trainval']) + len(conversion.held_out)} images, "
            f"{len(conversion.classes.names)} classes (train {len(splits['train'])}, val {len(splits['val'])}{held})",
            soft_wrap=True,
        )
    contested = sorted(conversion.contested.items(), key=lambda kv: (-kv[1], kv[0]))
    if contested:
        rule = {"last": "the later shape wins", "first": "the first shape wins", "void": "made void (255)"}
        if conversion.source == "yolo":  # painted in Ultralytics' order: the larger first
            rule |= {"last": "the smaller object wins, as Ultralytics paints them", "first": "the larger object wins"}
        out.print(
            f"{len(contested)} file(s) with shapes of different classes overlapping "
            f"({rule[conversion.options.overlap]}, --overlap); most pixels: "
            + printable(", ".join(f"{image_id} {pixels}" for image_id, pixels in contested[:TOP_CONTESTED])),
            soft_wrap=True,
        )
    if json_path is not None:
        emit_json(json_path, conversion_summary(conversion, summary, contested))
    return summary


def conversion_summary(
    conversion: "Conversion", summary: BatchSummary, contested: Sequence[tuple[str, int]]
) -> dict[str, Any]:
    """convert's ``--json``: counts, failures (file and reason), split sizes, class names and
    the overlapping shapes per file."""
    return {
        "output": str(conversion.output),
        "source": conversion.source,
        "files": len(conversion),
        "converted": summary.done,
        "skipped": summary.skipped,
        "failed": summary.failed,
        "failures": summary.failure_list(),
        "classes": conversion.classes.names,
        "classes_from": conversion.classes_chosen,
        "labelme_rules": conversion.options.labelme_rules,
        "labelme_rules_from": conversion.rules_chosen,
        "splits": {name: len(ids) for name, ids in conversion.splits.items()},
        "splits_from": conversion.split_chosen,
        "held_out": conversion.held_out,
        "overlap": {
            "rule": conversion.options.overlap,
            "files": [{"id": image_id, "contested_pixels": pixels} for image_id, pixels in contested],
        },
    }


@command("convert", rich_help_panel="Prepare a dataset")
def convert_command(
    ctx: typer.Context,
    inputs: Annotated[
        Optional[list[str]],
        typer.Argument(help="annotation folders (searched recursively) or files, or a folder of masks and images.", show_default=False, metavar="INPUT"),
    ] = None,
    output: Annotated[
        Optional[str], typer.Argument(help="the dataset folder to write.", show_default=False, metavar="OUTPUT")
    ] = None,
    output_dir: Annotated[
        Optional[str], typer.Option("--output-dir", "-d", help="The dataset folder to write, instead of the last argument.")
    ] = None,
    output_alias: OutputDirAlias = None,
    source: SourceOption = None,
    images: ImagesDirOption = None,
    config: ConfigOption = None,
    classes: Annotated[
        Optional[str],
        typer.Option("--classes", "-c", help="Class table: labels.txt, class_names.txt, .csv, .json or a preset. Default: the export's own, the labels.txt kept with labelme's annotations, or found in the annotations.", callback=said_classes),
    ] = None,
    labels: LabelsAlias = None,
    unknown: Annotated[
        UnknownLabel,
        typer.Option("--unknown", help="A label not in the table: fail the file, paint it void (ignore), or skip the shape (background)."),
    ] = UnknownLabel("error"),
    skip_bad_shapes: Annotated[
        bool, typer.Option("--skip-bad-shapes", help="Drop malformed shapes with a warning instead of failing the file.")
    ] = False,
    line_width: Annotated[int, typer.Option("--line-width", min=1, help="Stroke width of line and linestrip shapes.")] = DEFAULT_LINE_WIDTH,
    point_size: Annotated[int, typer.Option("--point-size", min=0, help="Radius of point shapes.")] = DEFAULT_POINT_SIZE,
    labelme_rules: LabelmeRulesOption = None,
    image_format: Annotated[
        ImageFormatChoice,
        typer.Option("--image-format", help="jpg: JPEGImages/<id>.jpg (JPEG sources copied as is); keep: the source format."),
    ] = ImageFormatChoice("jpg"),
    val_fraction: ValFractionOption = 0.1,
    seed: SeedOption = 0,
    instances: Annotated[bool, typer.Option("--instances", help="Also write SegmentationObject/ instance maps.")] = False,
    viz: Annotated[bool, typer.Option("--viz", help="Also write SegmentationClassVisualization/ overlays with a legend.")] = False,
    flatten_names: Annotated[
        bool, typer.Option("--flatten-names", help="Prefix ids with their folder (a/b/x.json -> a_b_x).")
    ] = False,
    stratify: StratifyOption = False,
    group: GroupOption = None,
    overlap: Annotated[
        OverlapChoice,
        typer.Option(
            "--overlap",
            help="Where shapes of different classes overlap: last (the later shape wins, labelme's rule), first, or void (255).",
        ),
    ] = OverlapChoice("last"),
    index_map: Annotated[
        Optional[str],
        typer.Option(
            "--index-map",
            "-m",
            help="Masks: rewrite their values first, each value not listed 255: pairs such as '0:0,255:1' (binary masks saved as 0/255; "
            "SRC may be a range: '0-127:0,128-255:1'), a file of SRC:DST lines, or cityscapes, ade20k, coco-stuff (label ids -> train ids).",
        ),
    ] = None,
    bgr: Annotated[
        bool,
        typer.Option("--bgr", help="Masks: read their colours' red and blue the other way round (masks of RGB colours written by OpenCV's imwrite, which writes BGR)."),
    ] = False,
    json_path: JsonOption = None,
    allow_image_urls: AllowImageUrlsOption = False,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Write into an existing OUTPUT, converting everything again.")] = False,
    resume: Annotated[
        bool, typer.Option("--resume", help="Write into an existing OUTPUT, converting only files whose outputs are older.")
    ] = False,
    jobs: JobsOption = 0,
    dask: DaskOption = None,
) -> None:
    """Turn annotations into a PASCAL VOC segmentation dataset.

    INPUT is one or more folders (searched recursively) or files of one annotation tool:
    labelme JSON, COCO instances JSON, CVAT for images 1.1 XML, Datumaro's JSON (CVAT's
    "Datumaro 1.0" export), a Label Studio JSON export,
    Cityscapes *_gtFine_polygons.json, ISAT's JSON (classes in the isat.yaml beside it), or the folder of CVAT's Segmentation mask 1.1 export
    (colour masks in SegmentationClass/, classes in labelmap.txt); or a folder of masks beside
    their images, as datasets are downloaded (masks/ beside images/, Roboflow's
    <image>_mask.png, CamVid's train_labels/, ADE20K's annotations/, PNGs named by the JPEG
    images of another folder: COCO-Stuff's), their values or colours
    the classes of the list they came with or of -c; or a YOLO segmentation dataset (its
    data.yaml, or the folder holding it), filled as Ultralytics fills it; or a Hugging Face
    dataset's Parquet files (a Hub repository as downloaded, id2label.json its classes) or
    save_to_disk folder (the hub extra). A .zip of any of them
    is read as the folder it holds. The tool is found from the files (--from names it). OUTPUT,
    the last argument (or --output-dir), is the dataset folder to write.

    Examples:
    labeltools convert annotations/ new/
    labeltools convert a.json b.json -d pair/
    labeltools convert coco-export/annotations/instances_val.json from-coco/
    labeltools convert cvat/annotations.xml from-cvat/ --instances
    labeltools convert cvat-export.zip from-zip/
    labeltools convert cityscapes/gtFine/val/ city/ --image-format keep
    labeltools convert isat/ from-isat/ --instances
    labeltools convert annotations/ new/ --resume --json summary.json
    labeltools convert a.json b.json two/ --unknown ignore --stratify
    labeltools convert annotations/ new/ --overwrite -c labels.txt --instances
    labeltools convert annotations/ old/ --labelme-rules 6
    labeltools convert kaggle/ masks-voc/ -c kaggle/classes.txt -m 0:0,255:1
    labeltools convert roads/data.yaml from-yolo/
    labeltools convert hub/ from-hub/
    labeltools convert stuff/ from-stuff/ -m coco-stuff
    """
    from labeltools.jobs.convert import ConvertOptions, convert_labelme
    from labeltools.ops.remap import IndexMap
    inputs, output = output_folder(ctx, inputs, output, either(output_dir, output_alias, "--output-dir", "-o"))
    options = ConvertOptions(
        unknown=unknown.value, skip_bad_shapes=skip_bad_shapes, line_width=line_width,
        point_size=point_size, image_format=image_format.value, instances=instances, viz=viz,
        labelme_rules=labelme_rules.value if labelme_rules is not None else None,
        overlap=overlap.value, allow_image_urls=allow_image_urls, images_dir=images,
        index_map=IndexMap.load(index_map) if index_map is not None else None, bgr=bgr, config=config,
    )
    conversion = convert_labelme(
        inputs, output, either(classes, labels, "--classes", "--labels"), options=options, val_fraction=val_fraction, seed=seed,
        flatten_names=flatten_names, overwrite=overwrite, resume=resume, stratify=stratify, group=group, jobs=jobs,
        source=source.value if source is not None else None,
    )
    exit_for(run_conversion(conversion, json_path))


@command("split", rich_help_panel="Prepare a dataset")
def split_command(
    dataset: Annotated[str, typer.Argument(help="VOC dataset folder.", show_default=False)],
    val_fraction: ValFractionOption = 0.1,
    seed: SeedOption = 0,
    stratify: StratifyOption = False,
    group: GroupOption = None,
    folds: Annotated[
        Optional[int],
        typer.Option("--folds", min=2, help="Write K cross-validation splits, train_<k>.txt and val_<k>.txt (k = 0..K-1)."),
    ] = None,
    classes: ClassesOption = None,
    num_classes: NumClassesOption = None,
    json_path: JsonOption = None,
    jobs: JobsOption = 0,
    dask: DaskOption = None,
) -> None:
    """(Re)write the train/val split of a VOC dataset and show how each class spreads over it.

    Every label in SegmentationClass takes part, except the ids test.txt lists (a held-out
    test set), which stay out of train and val; the ids of an augmented training set's list
    (train_aug.txt, trainaug.txt, mmsegmentation's aug.txt) stay in train. The table gives, per
    class, its images and its share of the labelled pixels on each side, and flags a class
    missing from one side.

    Examples:
    labeltools split dataset --stratify --val-fraction 0.2
    labeltools split dataset --folds 5 --seed 1
    labeltools split dataset --json split.json
    labeltools split frames --group '^(.+)_\\d+$' --val-fraction 0.3
    """
    from labeltools.core.classes import class_names_for
    from labeltools.engine.storage import location
    from labeltools.formats.voc import SPLITS_DIR, TEST_SPLIT, split_path
    from labeltools.jobs.split import split_dataset
    splitting = split_dataset(
        dataset, val_fraction=val_fraction, seed=seed, stratify=stratify, folds=folds,
        classes=classes, num_classes=num_classes, group=group, jobs=jobs,
    )  # fmt: skip
    if splitting.group_chosen:
        say(f"split: {splitting.group_chosen}")
    summary = report_batch(splitting, len(splitting), "split", verb="read")
    if summary.failed:
        fail(f"no split written: {summary.failed} of {len(splitting)} label file(s) failed")
    if splitting.held_out:
        say(f"{split_path(dataset, TEST_SPLIT)}: its {counted(len(splitting.held_out), 'labelled id')} kept out of train and val")
    for name, ids in splitting.trained.items():
        say(f"{split_path(dataset, name)}: its {counted(len(ids), 'labelled id')} kept in train (it trains on them)")
    names = class_names_for(splitting.num_classes, splitting.table)
    for k, balance in enumerate(splitting.balance):
        suffix = "" if folds is None else f"_{k}"
        print_balance(balance, names, f"train{suffix}", f"val{suffix}", splitting.splits, splitting.groups)
    for name, ids in splitting.splits.items():
        say(f"wrote {location(dataset) / SPLITS_DIR / name}.txt ({counted(len(ids), 'id')})")
    if json_path is not None:
        emit_json(json_path, split_summary(splitting, names))


def print_balance(
    balance: "Sequence[ClassBalance]", names: Sequence[str], train: str, val: str, splits: Mapping[str, Sequence[str]],
    groups: Mapping[str, str] | None = None,
) -> None:
    """The per-class spread over a train and a val side (and their groups' numbers, with
    ``--group``), missing classes flagged in red."""

    def side(name: str) -> str:
        held = counted(len(splits[name]), "image")
        return held if groups is None else f"{held}, {counted(len({groups[i] for i in splits[name]}), 'group')}"

    grid = result_table(
        f"{train} ({side(train)}) and {val} ({side(val)})",
        ("index", "name", "train images", "val images", "train %", "val %", "note"),
        text=("name", "note"),
    )
    for row in balance:
        missing = row.missing_from()
        note = Text(f"missing from {' and '.join(missing)}", style="red") if missing else ""
        grid.add_row(
            str(row.index), names[row.index], str(row.images["train"]), str(row.images["val"]),
            f"{row.shares['train'] * 100:.2f}", f"{row.shares['val'] * 100:.2f}", note,
        )  # fmt: skip
    out.print(grid)


def split_summary(splitting: "DatasetSplitting", names: Sequence[str]) -> dict[str, Any]:
    """split's ``--json``: the split files' ids, the ids of test.txt kept out and, per split,
    each class's spread."""
    return {
        "dataset": str(splitting.root),
        "splits": splitting.splits,
        "held_out": splitting.held_out,
        "kept_in_train": splitting.trained,
        "groups": splitting.groups,
        "balance": [
            [
                {"index": b.index, "name": names[b.index], "images": dict(b.images), "pixels": dict(b.pixels),
                 "shares": dict(b.shares), "missing_from": b.missing_from()}
                for b in balance
            ]
            for balance in splitting.balance
        ],
    }  # fmt: skip


def _add_folder(tree: "Tree", folder: Path) -> None:
    for path in sorted(folder.iterdir(), key=lambda p: (p.is_file(), p.name)):
        if path.is_dir():
            files = sum(1 for p in path.rglob("*") if p.is_file())
            _add_folder(tree.add(Text.assemble((f"{printable(path.name)}/", "bold"), f" ({files} files)")), path)
        else:
            tree.add(Text(printable(path.name)))


def folder_tree(folder: Path) -> "Tree":
    """A rich tree of everything under ``folder``."""
    from rich.tree import Tree
    tree = Tree(Text(f"{printable(str(folder))}/", style="bold"))
    _add_folder(tree, folder)
    return tree


@command("sbd", rich_help_panel="Prepare a dataset")
def sbd_command(
    sbd: Annotated[str, typer.Argument(help="SBD's dataset folder (benchmark_RELEASE/dataset: cls/, train.txt, val.txt), or the folder above it.", show_default=False)],
    dataset: Annotated[str, typer.Argument(help="The PASCAL VOC 2012 folder (VOCdevkit/VOC2012).", show_default=False)],
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Write the augmented set again where one is.")] = False,
    json_path: JsonOption = None,
    jobs: JobsOption = 0,
    dask: DaskOption = None,
) -> None:
    """Add the Semantic Boundaries Dataset to a VOC 2012 folder as its augmented training set.

    As mmsegmentation's voc_aug converter writes it: ImageSets/Segmentation/trainaug.txt lists
    the folder's train with SBD's train and val, less its val and test (10,582 images for
    VOC2012), and aug.txt those of them not in train.txt (9,118), which mmsegmentation's
    voc12aug configuration trains on beside train.txt. Each id's label is written to
    SegmentationClassAug/<id>.png, a palette PNG of SBD's class map (cls/<id>.mat, no 255
    borders), or of the folder's own label for an id of its train that SBD lacks. Nothing else
    in DATASET changes; the lists are written once every label is. Every command then reads
    those lists' labels there (weights --split trainaug, check). Reading MATLAB files needs
    scipy: pip install "labeltools[sbd]".

    Examples:
    labeltools sbd sbd/ voc/
    labeltools sbd sbd/ voc/ --overwrite --json sbd.json
    """
    from labeltools.formats.voc import LABELS_DIR
    from labeltools.jobs.sbd import add_sbd
    addition = add_sbd(sbd, dataset, overwrite=overwrite, jobs=jobs)
    say(f"SBD: {addition.sbd}")
    if addition.from_voc:
        say(f"{counted(len(addition.from_voc), 'id')} of train.txt that SBD lacks: their labels are copied from {LABELS_DIR}/")
    summary = report_batch(addition, len(addition), "sbd", verb="wrote")
    for path, ids in zip(addition.written, addition.lists.values()):
        wrote(f"{path} ({counted(len(ids), 'id')})")
    if not addition.written:
        say(f"no list written: {summary.failed} of {len(addition)} label(s) failed")
    if json_path is not None:
        emit_json(json_path, {
            "dataset": str(addition.root), "lists": {name: len(ids) for name, ids in addition.lists.items()},
            "written": [str(path) for path in addition.written], "from_voc": addition.from_voc,
            "failed": summary.failed, "failures": summary.failure_list(),
        })  # fmt: skip
    exit_for(summary)


@command("demo", rich_help_panel="Prepare a dataset")
def demo_command(
    ctx: typer.Context,
    outdir: Annotated[
        Optional[str],
        typer.Argument(help="Folder to write the demo dataset into: new, empty, or an earlier demo's output.", show_default=False),
    ] = None,
    output_dir: Annotated[Optional[str], typer.Option("--output-dir", "-d", help="The folder to write, instead of OUTDIR.")] = None,
    output_alias: OutputDirAlias = None,
    jobs: JobsOption = 0,
    dask: DaskOption = None,
) -> None:
    """Convert the bundled labelme sample into a VOC dataset (with instances and overlays) and show what was written.

    The sample is eight street scenes holding every labelme shape type and format era; running
    the demo again into its own output folder converts it afresh.

    Examples:
    labeltools demo demo-out
    labeltools demo -d demo-out --jobs 1
    """
    from labeltools.jobs.convert import SAMPLE_DIR, convert_sample
    output_dir = either(output_dir, output_alias, "--output-dir", "-o")
    outdir = given_once("the folder to write", ("OUTDIR", outdir), ("--output-dir", output_dir))
    if outdir is None:
        raise missing_argument(ctx, "--output-dir OUTDIR")
    folder_to_write(outdir, "OUTDIR" if output_dir is None else "--output-dir", "demo writes a dataset folder")
    conversion = convert_sample(outdir, jobs=jobs)
    err.print(f"converting the bundled sample {SAMPLE_DIR}")
    summary = run_conversion(conversion)
    out.print(folder_tree(Path(outdir)))
    exit_for(summary)


#: How many objects below --min-iou the export summary names.
TOP_BELOW = 10


@command("export", rich_help_panel="Prepare a dataset")
def export_command(
    sources: Annotated[
        list[str],
        typer.Argument(help="annotation folders or files (as convert reads them), or one VOC dataset (with SegmentationObject/ for the instance exports).", metavar="SOURCE", show_default=False),
    ],
    to: Annotated[
        ExportTarget,
        typer.Option(
            "--to", show_default=False,
            help="coco: one instances JSON per split; yolo-seg: Ultralytics' instance layout; yolo-semantic: a VOC dataset's class maps as Ultralytics' semantic segmentation reads them; hub: a VOC dataset as a Hugging Face dataset repository.",
        ),
    ],
    output_dir: Annotated[Optional[str], typer.Option("--output-dir", "-d", help="The folder to write (required).")] = None,
    output_alias: OutputDirAlias = None,
    classes: Annotated[
        Optional[str],
        typer.Option("--classes", "-c", help="Class table: labels.txt, class_names.txt, .csv, .json or a preset. Default: the dataset's, the labels.txt kept with labelme's annotations, or found in the annotations.", callback=said_classes),
    ] = None,
    labels: LabelsAlias = None,
    split: Annotated[Optional[str], split_option(" Labelme sources: train or val, split as convert splits them.", augmented=False)] = None,
    val_fraction: ValFractionOption = 0.1,
    seed: SeedOption = 0,
    group: GroupOption = None,
    rle: Annotated[bool, typer.Option("--rle", help="COCO: every object as RLE (objects with holes or several parts always are).")] = False,
    no_images: Annotated[
        bool, typer.Option("--no-images", help="COCO: write the annotations only; file_name is each image's path relative to --image-root.")
    ] = False,
    image_root: Annotated[
        Optional[str], typer.Option("--image-root", help="With --no-images: the folder the images' file_name values are relative to.")
    ] = None,
    objects: Annotated[
        Optional[ExportObjects],
        typer.Option(
            "--objects",
            help="A VOC dataset's objects: instances (SegmentationObject, the default) or regions (each connected region of a class).",
        ),
    ] = None,
    keep_ids: Annotated[
        bool, typer.Option("--keep-ids", help="YOLO: the dataset's class indices as ids (0 = background, unused), not the classes from 0.")
    ] = False,
    allow_image_urls: AllowImageUrlsOption = False,
    min_iou: Annotated[
        float, typer.Option("--min-iou", min=0.0, max=1.0, help="List the objects whose written form reads back below this IoU.")
    ] = DEFAULT_MIN_IOU,
    strict: Annotated[bool, typer.Option("--strict", help="Fail the files holding objects below --min-iou.")] = False,
    unknown: Annotated[
        UnknownLabel,
        typer.Option("--unknown", help="A label not in the table: fail the file, paint it void (ignore), or skip the shape (background)."),
    ] = UnknownLabel("error"),
    line_width: Annotated[int, typer.Option("--line-width", min=1, help="Stroke width of line and linestrip shapes.")] = DEFAULT_LINE_WIDTH,
    point_size: Annotated[int, typer.Option("--point-size", min=0, help="Radius of point shapes.")] = DEFAULT_POINT_SIZE,
    labelme_rules: LabelmeRulesOption = None,
    source: SourceOption = None,
    images: ImagesDirOption = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Write into an existing, non-empty folder.")] = False,
    json_path: JsonOption = None,
    jobs: JobsOption = 0,
    dask: DaskOption = None,
) -> None:
    """Export annotations (labelme, COCO, CVAT, Datumaro, Label Studio, Cityscapes, ISAT, CVAT's segmentation masks, a YOLO dataset) or a VOC dataset's instances to COCO or YOLO segmentation, and check every object; or a VOC dataset's class maps to YOLO semantic segmentation or a Hugging Face dataset.

    The output is the layout consumers load as it is: images/<split>/ (hard links where
    possible) beside annotations/instances_<split>.json (COCO) or labels/<split>/ and data.yaml
    (YOLO). COCO keeps a polygon's own vertices, else writes a simplified outline, else RLE,
    whichever reads back within --min-iou; __ignore__ becomes iscrowd regions. YOLO writes one
    line per object, ids from 0 for the first class (--keep-ids: the dataset's). Each object is
    read back as its consumer reads it and compared with its source; the summary lists those
    below --min-iou and why. COCO category ids are those of class_names.txt.
    yolo-semantic writes a VOC dataset's images and class maps as images/<split>/ and
    masks/<split>/ beside data.yaml (masks_dir: masks; class ids the class indices, 255
    ignored), each map checked as Ultralytics checks it. hub writes a Hugging Face dataset
    repository (data/<split>-00000-of-00001.parquet of image and label columns, id2label.json,
    a README.md card) that the datasets library loads and huggingface-cli upload publishes.

    Examples:
    labeltools export annotations/ --to coco -d coco/
    labeltools export annotations/ --to yolo-seg -d yolo/ -c labels.txt
    labeltools export dataset --to coco -d coco-val/ --split val
    labeltools export annotations/ --to coco -d coco-rle/ --rle --json out.json
    labeltools export dataset --to coco -d refs/ --no-images --image-root .
    labeltools export cvat/annotations.xml --to yolo-seg -d cvat-yolo/
    labeltools export dataset --to yolo-seg -d regions-yolo/ --objects regions
    labeltools export dataset --to yolo-semantic -d yolo-semantic/
    labeltools export dataset --to hub -d hub-dataset/
    """
    from labeltools.jobs.export import ExportOptions, export_dataset

    target = output_dir_option(output_dir, output_alias, "export writes a dataset folder")
    if to.value != "coco" and (rle or no_images):
        raise Usage("--rle and --no-images apply to --to coco (a YOLO dataset holds its images)")
    if to.value != "yolo-seg" and keep_ids:
        raise Usage("--keep-ids applies to --to yolo-seg (COCO category ids and mask values are always the class indices)")
    if to.value in MAP_TARGETS and objects is not None:
        raise Usage(f"--objects applies to the instance exports (--to {to.value} writes the class maps as they are)")
    if no_images != (image_root is not None):
        raise Usage("--no-images and --image-root go together: the file names are relative to the image root")
    options = ExportOptions(
        to=to.value, rle=rle, images=not no_images, image_root=image_root, keep_ids=keep_ids, min_iou=min_iou,
        strict=strict, allow_image_urls=allow_image_urls, line_width=line_width, point_size=point_size, unknown=unknown.value,
        labelme_rules=labelme_rules.value if labelme_rules is not None else DEFAULT_LABELME_RULES, images_dir=images,
        objects=objects.value if objects is not None else "instances",
    )  # fmt: skip
    export = export_dataset(
        sources, target, options, classes=either(classes, labels, "--classes", "--labels"), split=split,
        val_fraction=val_fraction, seed=seed, group=group, overwrite=overwrite, jobs=jobs,
        source=source.value if source is not None else None,
    )  # fmt: skip
    for note in export.notes:
        say(note)
    summary = report_batch(export, len(export), "export", verb="exported")
    print_export_summary(export)
    if json_path is not None:
        emit_json(json_path, {**export.summary(), "exported": summary.done, "failed": summary.failed, "failures": summary.failure_list()})
    exit_for(summary)


def print_export_summary(export: "Export") -> None:
    """What was written, how the objects came through, and the worst of those below --min-iou."""
    if not export.images:
        say(f"{export.output}: nothing written, no file exported")
        return
    for path in export.written:
        wrote(str(path))
    data = export.summary()
    if data["labelme_rules"] is not None:
        err.print(f"labelme rules: {LABELME_RELEASES[data['labelme_rules']]}'s", soft_wrap=True)
    if export.options.to == "hub":
        out.print(f"{sum(export.images.values())} image(s) with their label maps ({', '.join(f'{s} {n}' for s, n in export.images.items())})", soft_wrap=True)
        return
    if export.options.to == "yolo-semantic":
        names, mapping = export.semantic_classes
        how = "train ids, from the masks' label ids by data.yaml's label_mapping" if mapping else "the class indices"
        say(f"YOLO semantic class ids: {', '.join(f'{i} {name}' for i, name in names.items())} ({how}; 255 ignored)")
        written = f"; {data['masks_written']} written anew as grey PNGs (Ultralytics reads a palette of greys as grey levels)" if data["masks_written"] else ""
        out.print(f"{sum(export.images.values())} image(s) with their masks{written}", soft_wrap=True)
        return
    if export.options.to == "yolo-seg":
        ids = ", ".join(f"{c['id']} {c['name']}" for c in data["class_ids"])
        from labeltools.core.classes import is_unused

        skipped = sum(1 for entry in export.table.classes if is_unused(entry.index, entry.name))
        how = "the dataset's (--keep-ids)" if export.options.keep_ids else (
            "from 0 for the first class" + (f", the {skipped} unused id(s) between the classes skipped" if skipped else "")
            + "; --keep-ids keeps the dataset's"
        )  # fmt: skip
        say(f"YOLO class ids: {ids} ({how})")
    if data["objects_from"] == "regions":
        err.print("objects: each 8-connected region of a class in SegmentationClass (touching objects of a class are one)", soft_wrap=True)
    if data["crowd_regions"]:
        err.print(f"void regions: {data['crowd_regions']} iscrowd annotation(s), which COCO evaluation ignores", soft_wrap=True)
    if data["fragments_dropped"]:
        err.print(f"fragments: {data['fragments_dropped']} part(s) of no area left out (a pixel or a one-pixel line)", soft_wrap=True)
    kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(data["written_as"].items()))
    out.print(
        f"{data['objects']} object(s) in {sum(export.images.values())} image(s) ({kinds}); "
        f"{len(export.below)} below IoU {export.options.min_iou}",
        soft_wrap=True,
    )
    if not export.below:
        return
    grid = result_table(
        f"objects below IoU {export.options.min_iou}", ("file", "object", "class", "IoU", "lost", "added", "reason"),
        text=("file", "object", "reason"),
    )  # fmt: skip
    for row in sorted(export.below, key=lambda c: c["iou"])[:TOP_BELOW]:
        grid.add_row(row["file"], row["object"], row["name"], f"{row['iou']:.4f}", str(row["lost"]), str(row["added"]), row["reason"])
    out.print(grid)
