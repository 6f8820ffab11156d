"""The ``labeltools`` command line: parse, call one library function, report.

Results go to stdout, diagnostics and progress to stderr. A :class:`LabeltoolsError` becomes one
line on stderr and exit code 1; bad usage is exit code 2 (typer's own).
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, Optional, TypeVar

import typer
from rich.console import Console
from rich.text import Text

from labeltools.core.errors import LabeltoolsError
from labeltools.core.options import (
    DEFAULT_LINE_WIDTH,
    DEFAULT_MAX_CELLS,
    DEFAULT_POINT_SIZE,
    EFFECTIVE_BETA,
    ENET_C,
    IMAGE_FORMATS,
    MAX_CLASSES,
    MISSING_POLICIES,
    OVERLAP_RULES,
    SCHEMES,
    UNKNOWN_POLICIES,
)
from labeltools.core.version import __version__

if TYPE_CHECKING:  # annotations only: each command imports what it runs
    import numpy as np
    from numpy.typing import NDArray
    from rich.table import Table
    from rich.tree import Tree

    from labeltools.core.classes import ClassTable
    from labeltools.engine.executor import FileResult
    from labeltools.jobs.convert import Conversion
    from labeltools.jobs.split import DatasetSplitting
    from labeltools.ops.remap import RemapReport
    from labeltools.ops.splits import ClassBalance


app = typer.Typer(
    name="labeltools",
    help="Prepare, inspect, weight and score semantic-segmentation label datasets.\n\n"
    "Label maps are single-channel palette PNGs with the VOC colormap; 255 is void.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# Text from data (labels, file names, class names) is never markup: both consoles read every
# string as plain text, and our own styling goes through Text objects and style arguments.
# Highlighting would colour numbers and paths at random inside messages and tables.
#: The width of a console that is not a terminal (a pipe, a file): wide enough that no row of a
#: table and no message is ever folded, so ``labeltools check ds | grep FILE`` finds the file.
PIPE_WIDTH = 100_000


def _console(stderr: bool) -> Console:
    probe = Console(stderr=stderr)
    width = None if probe.is_terminal else PIPE_WIDTH
    return Console(stderr=stderr, highlight=False, markup=False, width=width)


out = _console(stderr=False)
err = _console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


def warn(message: str) -> None:
    """Print a warning line on stderr."""
    err.print(Text.assemble(("warning:", "yellow"), " ", message), soft_wrap=True)


def result_table(title: str, columns: Sequence[str], text: Sequence[str] = ("name",)) -> Table:
    """A result table: the ``text`` columns left-aligned, every other (numeric) column right."""
    from rich.table import Table
    grid = Table(title=title)
    for column in columns:
        grid.add_column(column, justify="left" if column in text else "right")
    return grid


def swatch(color: tuple[int, int, int]) -> Text:
    """A small block of ``color``."""
    from labeltools.core.classes import hex_color
    return Text("    ", style=f"on {hex_color(color)}")


def fail(message: str) -> NoReturn:
    """Print one line on stderr and exit with code 1."""
    err.print(Text.assemble(("error:", "bold red"), " ", message), soft_wrap=True)
    raise typer.Exit(1)


@contextlib.contextmanager
def _tables_to_stderr(active: bool) -> Iterator[None]:
    """With ``--json -``, stdout holds the JSON alone: the tables go to stderr meanwhile."""
    if not active:
        yield
        return
    saved = out.file
    out.file = err.file
    try:
        yield
    finally:
        out.file = saved


def command(*args: Any, **kwargs: Any) -> Callable[[F], F]:
    """``app.command`` that turns a LabeltoolsError into one line on stderr and exit code 1, and
    runs the command's batches on the Dask scheduler of its ``--dask`` option, if any."""

    def register(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*a: Any, **kw: Any) -> Any:
            from labeltools.engine.executor import use_dask
            try:
                with use_dask(kw.get("dask")), _tables_to_stderr(kw.get("json_path") == "-"):
                    return func(*a, **kw)
            except LabeltoolsError as exc:
                fail(str(exc))
            except OSError as exc:  # the machine's refusal (a path, a permission), not a bug
                where = f"{exc.filename}: " if exc.filename is not None else ""
                fail(f"{where}{exc.strerror or exc}")

        app.command(*args, **kwargs)(wrapper)
        return func

    return register


@dataclass
class BatchSummary:
    """What a batch did, for the closing summary and the exit code."""

    done: int = 0
    skipped: int = 0
    failures: list[str] = field(default_factory=list)  # the reasons, each naming its file
    failed_sources: list[str] = field(default_factory=list)  # the inputs that failed, in order

    @property
    def failed(self) -> int:
        return len(self.failures)


def report_batch(
    results: Iterable[FileResult],
    total: int,
    description: str,
    verb: str = "processed",
    counts: bool = True,
) -> BatchSummary:
    """Drive a batch with a progress bar on stderr, then print its summary.

    Warnings are printed as they come, failures are listed at the end with their reasons, then
    (with ``counts``) the ``"<verb> N, failed M"`` line. Returns the summary; the caller exits 1
    when ``summary.failed``.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )
    summary = BatchSummary()
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )
    with progress:
        task = progress.add_task(description, total=total)
        for result in results:
            for warning in result.warnings:
                warn(warning)
            if not result.ok:
                summary.failures.append(result.error or "failed")
                summary.failed_sources.append(result.source)
            elif result.skipped:
                summary.skipped += 1
            else:
                summary.done += 1
            progress.advance(task)
    for reason in summary.failures:
        err.print(Text.assemble(("failed:", "red"), " ", reason), soft_wrap=True)
    if not counts:
        return summary
    parts = [f"{verb} {summary.done}"]
    if summary.skipped:
        parts.append(f"skipped {summary.skipped}")
    parts.append(f"failed {summary.failed}")
    style = "red" if summary.failed else "green"
    err.print(", ".join(parts), style=style)
    return summary


def exit_for(summary: BatchSummary) -> None:
    """Exit 1 when anything in the batch failed."""
    if summary.failed:
        raise typer.Exit(1)


JobsOption = Annotated[
    int,
    typer.Option("--jobs", "-j", help="Worker processes; 0 uses every core.", min=0),
]
DaskOption = Annotated[
    Optional[str],
    typer.Option(
        "--dask",
        metavar="ADDRESS",
        envvar="LABELTOOLS_DASK",
        help="Run on a Dask cluster: tcp://host:8786 (a running scheduler) or local (a LocalCluster of --jobs workers).",
    ),
]


def required(value: Any, name: str) -> Any:
    """The value of an option the command cannot do without (exit 2 naming it when missing)."""
    if value is None:
        raise typer.BadParameter(f"missing option {name}", param_hint=name)
    return value


def either(value: Any, alias: Any, name: str, old: str) -> Any:
    """An option's value given under its name or under an old spelling kept as a hidden alias."""
    if value is not None and alias is not None:
        raise typer.BadParameter(f"give {name} once ({old} is its old spelling)", param_hint=name)
    return value if value is not None else alias


def dataset_root(dataset: Optional[str], labels_dir: Optional[str]) -> Path:
    """DATASET, or the folder holding --labels-dir when only that is given (a path or a URL)."""
    from labeltools.engine.storage import absolute, location
    if dataset is None:
        if labels_dir is None:
            fail("give a DATASET folder or --labels-dir")
        return absolute(labels_dir).parent
    return location(dataset)


def load_classes(spec: Optional[str]) -> Optional[ClassTable]:
    """A ClassTable from a ``--classes`` value (preset or file), or None."""
    from labeltools.core.classes import ClassTable
    return None if spec is None else ClassTable.load(spec)


def load_palette(spec: Optional[str]) -> Optional[NDArray[np.uint8]]:
    """The ``(256, 3)`` palette of a ``--classes`` value (preset or file), or None."""
    table = load_classes(spec)
    return None if table is None else table.palette()


def _version(value: bool) -> None:
    if value:
        out.print(f"labeltools {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit."),
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log details to stderr.")] = False,
) -> None:
    from rich.logging import RichHandler
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=err, show_time=False, show_path=False)],
        force=True,
    )


ClassesOption = Annotated[
    Optional[str],
    typer.Option(
        "--classes",
        "-c",
        help="Class table: a preset (voc, cityscapes) or a file (labels.txt, class_names.txt, .csv, .json).",
    ),
]


DatasetOrLabelsDirArgument = Annotated[
    Optional[str],
    typer.Argument(help="VOC dataset folder (default: the parent of --labels-dir).", show_default=False),
]
LabelsDirOption = Annotated[
    Optional[str],
    typer.Option(
        "--labels-dir",
        help="Read label PNGs from this folder instead of DATASET/SegmentationClass "
        "(every *.png unless --split is given).",
    ),
]


def split_option(default: str = "") -> Any:
    """The ``--split`` option; ``default`` tells what is read without it."""
    return typer.Option("--split", "-s", help=f"Only the ids of ImageSets/Segmentation/<split>.txt.{default}")


SplitOption = Annotated[Optional[str], split_option()]
NumClassesOption = Annotated[
    Optional[int],
    typer.Option(
        "--num-classes", "-n", min=1, max=MAX_CLASSES,
        help="Classes are 0..N-1 (names class_<i>, or from class_names.txt). Default: the dataset's class_names.txt.",
    ),
]  # fmt: skip
# The split options convert and split share.
ValFractionOption = Annotated[float, typer.Option("--val-fraction", min=0.0, max=1.0, help="Share of images listed in val.txt.")]
SeedOption = Annotated[int, typer.Option("--seed", help="Seed of the train/val split.")]
StratifyOption = Annotated[
    bool,
    typer.Option("--stratify", help="Choose val so that every class held by two images or more is in train and in val."),
]
JsonOption = Annotated[
    Optional[str],
    typer.Option("--json", metavar="FILE", help="Also write the results as JSON to FILE; - writes them to stdout (the tables go to stderr then)."),
]


def emit_json(path: str, data: Any) -> None:
    """Write a command's ``--json`` results: to FILE (atomically), or with ``-`` to stdout."""
    import json
    import sys

    if path == "-":
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return
    from labeltools.formats.labels import write_json

    write_json(path, data)
    _written(path)


@command("colormap", rich_help_panel="Colours and label files")
def colormap_command(
    n: Annotated[
        Optional[int],
        typer.Option("--num-classes", "-n", min=1, max=2**24, help="Number of entries (1..16777216). Default: the class table's size (21 for voc)."),
    ] = None,
    num_alias: Annotated[Optional[int], typer.Option("--num", hidden=True, min=1, max=2**24)] = None,
    classes: Annotated[
        str,
        typer.Option("--classes", "-c", help="Names and colours: a preset (voc, cityscapes) or a class table file."),
    ] = "voc",
    output: Annotated[
        Optional[str],
        typer.Option("--output", "-o", help="Write to FILE: .txt, .csv, .json, .npy or .png (a legend picture)."),
    ] = None,
) -> None:
    """Print the VOC colormap as a table (index, name, r, g, b, hex), or save it.

    Names (and, for tables such as cityscapes, colours) come from --classes; indices the
    table lacks get the plain VOC colour. Example: labeltools colormap -n 256 -o palette.npy
    """
    from labeltools.core.classes import ClassTable, colormap_entries, hex_color
    from labeltools.jobs.colormap import save_colormap
    n = either(n, num_alias, "--num-classes", "--num")
    table = ClassTable.load(classes)
    entries = colormap_entries(n, table)
    if output is not None:
        save_colormap(output, entries)
        err.print(f"wrote {len(entries)} colours to {output}")
        return
    columns = ("index", "name", "r", "g", "b", "hex", "")
    grid = result_table(f"VOC colormap ({len(entries)} entries)", columns, text=("name", "hex", ""))
    for e in entries:
        grid.add_row(str(e.index), e.name, *(str(v) for v in e.color), hex_color(e.color), swatch(e.color))
    out.print(grid)


@command("colorize", rich_help_panel="Colours and label files")
def colorize_command(
    inputs: Annotated[list[str], typer.Argument(help="Label PNGs (grayscale or palette) holding class indices.")],
    output_dir: Annotated[Optional[str], typer.Option("--output-dir", "-d", help="Folder for the rewritten files.")] = None,
    output_alias: Annotated[Optional[str], typer.Option("-o", hidden=True)] = None,
    gray: Annotated[bool, typer.Option("--gray", help="Write grayscale PNGs instead of palette PNGs.")] = False,
    classes: ClassesOption = None,
    jobs: JobsOption = 0,
    dask: DaskOption = None,
) -> None:
    """Rewrite index PNGs as VOC palette PNGs (viewable in colour), or back with --gray.

    The stored indices never change; only the palette is added or dropped.

    Examples: labeltools colorize masks/*.png -d colour/ ;
    labeltools colorize colour/*.png --gray -d gray/
    """
    from labeltools.jobs.colorize import recolor_label_files
    output_dir = required(either(output_dir, output_alias, "--output-dir", "-o"), "--output-dir")
    results = recolor_label_files(inputs, output_dir, gray=gray, palette=load_palette(classes), jobs=jobs)
    exit_for(report_batch(results, len(inputs), "colorize", verb="wrote"))


def _choices(name: str, values: Iterable[str]) -> Any:
    """A ``str`` Enum whose members are ``values``: typer offers an Enum's values as choices."""
    return Enum(name, [(value, value) for value in values], type=str)


# Choices built from the library's tuples, so each list of names is written once. The type
# checker cannot follow an Enum made at run time and sees plain Enums.
if TYPE_CHECKING:
    UnknownLabel = Enum
    ImageFormatChoice = Enum
    OverlapChoice = Enum
    SchemeChoice = Enum
    MissingChoice = Enum
else:
    UnknownLabel = _choices("UnknownLabel", UNKNOWN_POLICIES)
    ImageFormatChoice = _choices("ImageFormatChoice", IMAGE_FORMATS)
    OverlapChoice = _choices("OverlapChoice", OVERLAP_RULES)
    SchemeChoice = _choices("SchemeChoice", SCHEMES)
    MissingChoice = _choices("MissingChoice", MISSING_POLICIES)


#: How many files the convert summary names for overlapping shapes.
TOP_CONTESTED = 5


def run_conversion(conversion: Conversion, json_path: Optional[str] = None) -> BatchSummary:
    """Drive a conversion with a progress bar and print where the dataset went, the files whose
    shapes of different classes overlapped most, and (with ``json_path``) the summary as JSON."""
    summary = report_batch(conversion, len(conversion), "convert", verb="converted")
    splits = conversion.splits
    if splits:
        out.print(
            f"{conversion.output}: {len(splits['trainval'])} images, {len(conversion.classes.names)} "
            f"classes (train {len(splits['train'])}, val {len(splits['val'])})",
            soft_wrap=True,
        )
    contested = sorted(conversion.contested.items(), key=lambda kv: (-kv[1], kv[0]))
    if contested:
        rule = {"last": "the later shape wins", "first": "the first shape wins", "void": "made void (255)"}
        out.print(
            f"{len(contested)} file(s) with shapes of different classes overlapping "
            f"({rule[conversion.options.overlap]}, --overlap); most pixels: "
            + ", ".join(f"{image_id} {pixels}" for image_id, pixels in contested[:TOP_CONTESTED]),
            soft_wrap=True,
        )
    if json_path is not None:
        emit_json(json_path, conversion_summary(conversion, summary, contested))
    return summary


def conversion_summary(
    conversion: Conversion, summary: BatchSummary, contested: Sequence[tuple[str, int]]
) -> dict[str, Any]:
    """convert's ``--json``: counts, failures (file and reason), split sizes, class names and
    the overlapping shapes per file."""
    return {
        "output": str(conversion.output),
        "files": len(conversion),
        "converted": summary.done,
        "skipped": summary.skipped,
        "failed": summary.failed,
        "failures": [{"file": f, "error": e} for f, e in zip(summary.failed_sources, summary.failures)],
        "classes": conversion.classes.names,
        "splits": {name: len(ids) for name, ids in conversion.splits.items()},
        "overlap": {
            "rule": conversion.options.overlap,
            "files": [{"id": image_id, "contested_pixels": pixels} for image_id, pixels in contested],
        },
    }


@command("convert", rich_help_panel="Prepare a dataset")
def convert_command(
    inputs: Annotated[
        list[str],
        typer.Argument(help="labelme folders (searched recursively for *.json) or JSON files.", show_default=False, metavar="INPUT"),
    ],
    output: Annotated[str, typer.Argument(help="The dataset folder to write.", show_default=False, metavar="OUTPUT")],
    classes: Annotated[
        Optional[str],
        typer.Option("--classes", "-c", help="Class table: labels.txt, class_names.txt, .csv, .json or a preset. Default: found in the annotations."),
    ] = None,
    labels: Annotated[Optional[str], typer.Option("--labels", "-l", hidden=True)] = None,
    unknown: Annotated[
        UnknownLabel,
        typer.Option("--unknown", help="A label not in the table: fail the file, paint it void (ignore), or skip the shape (background)."),
    ] = UnknownLabel("error"),
    skip_bad_shapes: Annotated[
        bool, typer.Option("--skip-bad-shapes", help="Drop malformed shapes with a warning instead of failing the file.")
    ] = False,
    line_width: Annotated[int, typer.Option("--line-width", min=1, help="Stroke width of line and linestrip shapes.")] = DEFAULT_LINE_WIDTH,
    point_size: Annotated[int, typer.Option("--point-size", min=0, help="Radius of point shapes.")] = DEFAULT_POINT_SIZE,
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
    overlap: Annotated[
        OverlapChoice,
        typer.Option(
            "--overlap",
            help="Where shapes of different classes overlap: last (the later shape wins, labelme's rule), first, or void (255).",
        ),
    ] = OverlapChoice("last"),
    json_path: JsonOption = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Write into an existing OUTPUT, converting everything again.")] = False,
    resume: Annotated[
        bool, typer.Option("--resume", help="Write into an existing OUTPUT, converting only files whose outputs are older.")
    ] = False,
    jobs: JobsOption = 0,
    dask: DaskOption = None,
) -> None:
    """Turn labelme annotations into a PASCAL VOC segmentation dataset.

    Example: labeltools convert annotations/ dataset/ --labels labels.txt --instances --viz
    """
    from labeltools.jobs.convert import ConvertOptions, convert_labelme
    options = ConvertOptions(
        unknown=unknown.value, skip_bad_shapes=skip_bad_shapes, line_width=line_width,
        point_size=point_size, image_format=image_format.value, instances=instances, viz=viz,
        overlap=overlap.value,
    )
    conversion = convert_labelme(
        inputs, output, either(classes, labels, "--classes", "--labels"), options=options, val_fraction=val_fraction, seed=seed,
        flatten_names=flatten_names, overwrite=overwrite, resume=resume, stratify=stratify, jobs=jobs,
    )
    exit_for(run_conversion(conversion, json_path))


@command("split", rich_help_panel="Prepare a dataset")
def split_command(
    dataset: Annotated[str, typer.Argument(help="VOC dataset folder.", show_default=False)],
    val_fraction: ValFractionOption = 0.1,
    seed: SeedOption = 0,
    stratify: StratifyOption = False,
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

    Every label in SegmentationClass takes part. The table gives, per class, its images and
    its share of the labelled pixels on each side, and flags a class missing from one side.
    Example: labeltools split data/voc --stratify --val-fraction 0.2
    """
    from labeltools.core.classes import class_names_for
    from labeltools.engine.storage import location
    from labeltools.formats.voc import SPLITS_DIR
    from labeltools.jobs.split import split_dataset
    splitting = split_dataset(
        dataset, val_fraction=val_fraction, seed=seed, stratify=stratify, folds=folds,
        classes=classes, num_classes=num_classes, jobs=jobs,
    )  # fmt: skip
    summary = report_batch(splitting, len(splitting), "split", verb="read")
    if summary.failed:
        fail(f"no split written: {summary.failed} of {len(splitting)} label file(s) failed")
    names = class_names_for(splitting.num_classes, splitting.table)
    for k, balance in enumerate(splitting.balance):
        suffix = "" if folds is None else f"_{k}"
        print_balance(balance, names, f"train{suffix}", f"val{suffix}", splitting.splits)
    for name, ids in splitting.splits.items():
        err.print(f"wrote {location(dataset) / SPLITS_DIR / name}.txt ({len(ids)} ids)", soft_wrap=True)
    if json_path is not None:
        emit_json(json_path, split_summary(splitting, names))


def print_balance(
    balance: Sequence[ClassBalance], names: Sequence[str], train: str, val: str, splits: Mapping[str, Sequence[str]]
) -> None:
    """The per-class spread over a train and a val side, missing classes flagged in red."""
    grid = result_table(
        f"{train} ({len(splits[train])} images) and {val} ({len(splits[val])} images)",
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


def split_summary(splitting: DatasetSplitting, names: Sequence[str]) -> dict[str, Any]:
    """split's ``--json``: the split files' ids and, per split, each class's spread."""
    return {
        "dataset": str(splitting.root),
        "splits": splitting.splits,
        "balance": [
            [
                {"index": b.index, "name": names[b.index], "images": dict(b.images), "pixels": dict(b.pixels),
                 "shares": dict(b.shares), "missing_from": b.missing_from()}
                for b in balance
            ]
            for balance in splitting.balance
        ],
    }  # fmt: skip


def _add_folder(tree: Tree, folder: Path) -> None:
    for path in sorted(folder.iterdir(), key=lambda p: (p.is_file(), p.name)):
        if path.is_dir():
            files = sum(1 for p in path.rglob("*") if p.is_file())
            _add_folder(tree.add(Text.assemble((f"{path.name}/", "bold"), f" ({files} files)")), path)
        else:
            tree.add(Text(path.name))


def folder_tree(folder: Path) -> Tree:
    """A rich tree of everything under ``folder``."""
    from rich.tree import Tree
    tree = Tree(Text(f"{folder}/", style="bold"))
    _add_folder(tree, folder)
    return tree


def _crop_option(value: Optional[str]) -> Optional[tuple[int, int, int, int]]:
    from labeltools.formats.excel import parse_crop
    if value is None:
        return None
    try:
        return parse_crop(value)
    except LabeltoolsError as exc:
        raise typer.BadParameter(str(exc)) from None


@command("excel", rich_help_panel="Inspect and score")
def excel_command(
    inputs: Annotated[
        Optional[list[str]], typer.Argument(metavar="LABEL...", help="Label PNGs to dump (palette or grayscale).", show_default=False)
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

    Each label becomes a grid sheet: one cell per pixel holding its class index,
    coloured with the file's palette (else the VOC colormap), with pixel coordinates
    in frozen headers. A Classes sheet counts each class, an Info sheet tells the source.

    Example: labeltools excel SegmentationClass/2007_000032.png --crop 0,0,200,150

    Back: labeltools excel --read 2007_000032.xlsx -o 2007_000032_fixed.png
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
            raise typer.BadParameter("give either label files to dump or --read WORKBOOK, not both")
        if output is None:
            raise typer.BadParameter("--read needs --output LABEL.png for the label to write")
        dump_only = {
            "--crop": crop is not None, "--step": step != 1, "--no-fill": no_fill, "--output-dir": output_dir is not None,
            "--max-cells": max_cells != DEFAULT_MAX_CELLS,
        }  # fmt: skip
        given = [option for option, used in dump_only.items() if used]
        if given:
            verb = "applies" if len(given) == 1 else "apply"
            raise typer.BadParameter(f"{', '.join(given)} only {verb} when dumping label files, not with --read")
        result = excel_to_label_file(read, output, sheet, load_palette(names))
        height, width = result.data
        err.print(f"wrote {output} ({width}x{height}) from {read}", soft_wrap=True)
        return
    if not inputs:
        raise typer.BadParameter("give label files to dump, or --read WORKBOOK")
    if sheet is not None:
        raise typer.BadParameter("--sheet only applies with --read")
    options: dict[str, Any] = dict(names=names, crop=_crop_option(crop), step=step, fill=not no_fill, max_cells=max_cells)
    if output_dir is not None:
        if output is not None:
            raise typer.BadParameter("give --output (one workbook) or --output-dir (one per input), not both")
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


@command("weights", rich_help_panel="Train")
def weights_command(
    dataset: DatasetOrLabelsDirArgument = None,
    split: Annotated[Optional[str], split_option(" Default: train when present, else every label.")] = None,
    labels_dir: LabelsDirOption = None,
    num_classes: NumClassesOption = None,
    scheme: Annotated[SchemeChoice, typer.Option("--scheme", help="Weighting scheme.")] = SchemeChoice("enet"),
    c: Annotated[Optional[float], typer.Option("--enet-c", help=f"enet's constant c > 1: w = 1 / ln(c + p). [default: {ENET_C}]")] = None,
    c_alias: Annotated[Optional[float], typer.Option("--c", hidden=True)] = None,
    beta: Annotated[
        float,
        typer.Option("--beta", help="effective's constant, 0 < beta < 1: w ~ (1 - beta) / (1 - beta**n)."),
    ] = EFFECTIVE_BETA,
    name: Annotated[
        Optional[str],
        typer.Option(
            "--name",
            help="Default output is DATASET/<name>_classes_weights.npy; name defaults to DATASET's folder name.",
        ),
    ] = None,
    output: Annotated[
        Optional[str], typer.Option("--output", "-o", help="Write the weights (.npy, float64, shape (C,)) to FILE.")
    ] = None,
    json_path: JsonOption = None,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Fail on label values that are neither a class nor 255, instead of reporting them."),
    ] = False,
    jobs: JobsOption = 0,
    dask: DaskOption = None,
) -> None:
    """Count class pixels over a dataset once and save per-class loss weights as .npy.

    The default file, DATASET/<name>_classes_weights.npy, is where pytorch-deeplab-xception looks;
    mmsegmentation takes it as class_weight='....npy'. Pixels of value 255 are void and never
    counted. Example: labeltools weights data/voc --scheme median --json weights.json
    """
    from labeltools.core.classes import class_names_for
    from labeltools.formats.voc import (
        CLASS_NAMES_FILE,
        dataset_class_table,
        select_label_paths,
    )
    from labeltools.jobs.weights import (
        default_weights_path,
        histogram_label_files,
        save_weights,
    )
    from labeltools.ops.counts import (
        ClassCounter,
        check_scheme,
        class_weights,
        weights_provenance,
    )
    scheme_name = scheme.value
    c = either(c, c_alias, "--enet-c", "--c")
    c = ENET_C if c is None else c
    if not c > 1:  # usage mistakes exit 2, before any file is read
        raise typer.BadParameter(f"must be above 1 (ln(c + p) must be positive), got {c}", param_hint="--enet-c")
    if not 0 < beta < 1:
        raise typer.BadParameter(f"must lie strictly between 0 and 1, got {beta}", param_hint="--beta")
    check_scheme(scheme_name, c, beta)
    root = dataset_root(dataset, labels_dir)
    paths, used_split = select_label_paths(root, split, labels_dir)
    table = dataset_class_table(root, num_classes=num_classes)
    if table is None:
        fail(f"{root / CLASS_NAMES_FILE}: no such file; pass --num-classes")
    num_classes = table.num_classes
    names = class_names_for(num_classes, table)
    target = output or default_weights_path(root, name)

    counter = ClassCounter(num_classes, strict=strict)
    results = counter.add_results(histogram_label_files(paths, jobs=jobs))
    summary = report_batch(results, len(paths), "counting", verb="counted")
    if summary.failed:
        fail(f"no weights written: {summary.failed} of {len(paths)} label file(s) failed")
    counts = counter.counts
    message = counts.out_of_range_message()
    if message:
        warn(f"{message} (--strict makes this an error)")
    weights = class_weights(counts, scheme_name, c=c, beta=beta, class_names=names)

    grid = result_table(
        f"{scheme_name} class weights ({counts.num_images} images, {counts.total} labelled pixels)",
        ("index", "name", "pixels", "share", "weight"),
    )
    for i, (pixels, share, weight) in enumerate(zip(counts.pixels, counts.frequencies, weights)):
        grid.add_row(str(i), names[i], str(pixels), f"{share:.2%}", f"{weight:.6g}")
    out.print(grid)

    save_weights(target, weights)
    err.print(f"wrote {target}")
    if json_path is not None:
        provenance = weights_provenance(
            counts,
            weights,
            scheme_name,
            c=c,
            beta=beta,
            class_names=names,
            dataset=str(root),
            split=used_split,
            labels_dir=None if labels_dir is None else str(labels_dir),
            num_files=len(paths),
            output=str(target),
        )
        emit_json(json_path, provenance)


class Conflict(str, Enum):
    error = "error"
    first = "first"
    void = "void"


def _percent(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.2f}%" if whole else "-"


def print_remap_report(report: RemapReport, index_mode: bool = False, top: int = 10) -> None:
    """Print void pixels by cause and the most frequent unknown colours (or values) on stdout."""
    from rich.table import Table

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
    grid = Table(title=f"most frequent {'unmapped values' if index_mode else 'unknown colours'}")
    for column in ("value",) if index_mode else ("colour", "hex", ""):
        grid.add_column(column, no_wrap=True)
    grid.add_column("pixels", justify="right", no_wrap=True)
    grid.add_column("example file", overflow="fold")
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
        typer.Argument(help="Colour masks (RGB/RGBA/palette PNG, JPEG), or label files with --index-map / --to-rgb."),
    ],
    output_dir: Annotated[Optional[str], typer.Option("--output-dir", "-d", help="Folder for the output files (same stems, .png).")] = None,
    output_alias: Annotated[Optional[str], typer.Option("-o", hidden=True)] = None,
    classes: ClassesOption = None,
    tolerance: Annotated[
        float,
        typer.Option("--tolerance", "-t", help="Map a colour within this Euclidean distance of exactly one class to it.", min=0),
    ] = 0.0,
    on_conflict: Annotated[
        Optional[Conflict],
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
            help="Rewrite label values instead: a file of SRC:DST lines, pairs such as '7:0,8:1', or cityscapes (labelIds -> trainIds).",
        ),
    ] = None,
    to_rgb: Annotated[bool, typer.Option("--to-rgb", help="Draw label files as RGB colour images in the table's colours.")] = False,
    top: Annotated[int, typer.Option("--top", help="How many unknown colours to list.", min=0)] = 10,
    json_path: JsonOption = None,
    jobs: JobsOption = 0,
    dask: DaskOption = None,
) -> None:
    """Turn RGB colour masks into label files (255 for void and unknown colours), and back.

    Each colour in --classes becomes its class index (its trainId for cityscapes); the colours the
    table marks void and every colour it lacks become 255. A report shows the void pixels by cause
    and the most frequent unknown colours. Example:
    labeltools remap masks/*.png --classes voc --output-dir SegmentationClass/
    """
    from labeltools.jobs.remap import remap_files
    from labeltools.ops.remap import RemapReport
    if index_map is not None and to_rgb:
        raise typer.BadParameter("--index-map and --to-rgb cannot be combined", param_hint="--to-rgb")
    if index_map is None and classes is None:
        raise typer.BadParameter(
            "colour masks need a class table (voc, cityscapes or a file); "
            "label files with values go through --index-map",
            param_hint="--classes",
        )
    if tolerance and (index_map is not None or to_rgb):
        raise typer.BadParameter("applies to colour masks only", param_hint="--tolerance")
    if strict and to_rgb:
        raise typer.BadParameter("does not apply to --to-rgb", param_hint="--strict")
    output_dir = required(either(output_dir, output_alias, "--output-dir", "-o"), "--output-dir")
    results = remap_files(
        inputs,
        output_dir,
        classes,
        index_map=index_map,
        to_rgb=to_rgb,
        tolerance=tolerance,
        on_conflict=None if on_conflict is None else on_conflict.value,
        strict=strict,
        jobs=jobs,
    )
    report = RemapReport()
    summary = report_batch(report.add_results(results), len(inputs), "remap", verb="wrote")
    if report.files:
        print_remap_report(report, index_mode=index_map is not None, top=top)
    if json_path is not None:
        emit_json(json_path, remap_summary(report, summary, top))
    exit_for(summary)


def remap_summary(report: RemapReport, summary: BatchSummary, top: int) -> dict[str, Any]:
    """remap's ``--json``: files written and failed, void pixels by cause, and the most frequent
    unknown colours (``[r, g, b]``) or values with a file holding each."""
    return {
        "written": summary.done,
        "failed": summary.failed,
        "failures": [{"file": f, "error": e} for f, e in zip(summary.failed_sources, summary.failures)],
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


def _score_percent(value: Optional[float]) -> str:
    return "absent" if value is None else f"{value * 100:.2f}"


def _written(path: str) -> None:
    err.print(f"wrote {path}")


@command("stats", rich_help_panel="Inspect and score")
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

    Void (255) pixels are counted apart and never share in the class percentages. Example:
    labeltools stats data/voc --split train --plot shares.png
    """
    from labeltools.formats.voc import dataset_class_table, select_label_paths
    from labeltools.jobs.stats import DatasetStats, save_stats_plot, stat_label_files
    if log and plot is None:
        fail("--log applies to the chart: give --plot FILE.png too")
    root = dataset_root(dataset, labels_dir)
    paths, _ = select_label_paths(root, split, labels_dir, default_split=None)
    every_label = split is None and labels_dir is None  # then train and val are both counted
    stats = DatasetStats(dataset_class_table(root, classes, num_classes), keep_files=every_label)
    summary = report_batch(stats.add_results(stat_label_files(paths, jobs)), len(paths), "stats", verb="read")
    if every_label:
        stats.split_balance(root)
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
        emit_json(json_path, stats.to_dict())
    if plot is not None:
        save_stats_plot(plot, stats, log=log)
        _written(plot)
    exit_for(summary)


@command("check", rich_help_panel="Inspect and score")
def check_command(
    dataset: Annotated[str, typer.Argument(help="VOC dataset folder.")],
    classes: ClassesOption = None,
    num_classes: NumClassesOption = None,
    json_path: JsonOption = None,
    jobs: JobsOption = 0,
    dask: DaskOption = None,
) -> None:
    """Verify a VOC folder and list every problem with its file; exit 1 on errors.

    Checks: split ids have an image and a label, labels no split lists, ids in both train and
    val, image/label sizes, palette or grayscale PNG labels, values within the class table or
    255, the VOC palette (warning), unreadable or truncated files (also label PNGs whose pixel
    data ends before the rows their header declares), temporary files left by an interrupted
    run (warning).
    """
    from rich.table import Table

    from labeltools.jobs.check import DatasetCheck
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


@command("evaluate", rich_help_panel="Inspect and score")
def evaluate_command(
    gt: Annotated[str, typer.Argument(help="Ground truth: a folder of label PNGs, or a VOC folder.")],
    pred: Annotated[str, typer.Argument(help="Predictions: label PNGs named like the ground truth.")],
    num_classes: Annotated[
        int, typer.Option("--num-classes", "-n", min=1, max=MAX_CLASSES, help="Classes are 0..N-1.")
    ],
    split: SplitOption = None,
    missing: Annotated[
        MissingChoice, typer.Option("--missing", help="A missing prediction is an error, or the image is skipped.")
    ] = MissingChoice("error"),
    ignore_index: Annotated[
        int, typer.Option("--ignore-index", min=0, max=255, help="Ground-truth value that is not scored (0..255).")
    ] = 255,
    classes: ClassesOption = None,
    json_path: JsonOption = None,
    csv_path: Annotated[
        Optional[str], typer.Option("--csv", help="Write the confusion matrix as CSV to FILE.")
    ] = None,
    excel_path: Annotated[
        Optional[str],
        typer.Option("--excel", help="Write a workbook (scores, shaded confusion matrix) to FILE.xlsx."),
    ] = None,
    jobs: JobsOption = 0,
    dask: DaskOption = None,
) -> None:
    """Score predictions against ground truth: per-class IoU and Dice, mIoU, accuracies.

    Only pixels whose ground truth is not 255 count. Classes absent from both ground truth and
    predictions are left out of the means and listed. Example:
    labeltools evaluate data/voc preds/ --split val -n 21 --json scores.json
    """
    from labeltools.core.classes import class_names_for
    from labeltools.formats.scores import (
        save_confusion_csv,
        save_scores_excel,
    )
    from labeltools.formats.voc import dataset_class_table, is_voc_root
    from labeltools.jobs.evaluate import (
        check_missing_policy,
        evaluate_pairs,
        evaluation_pairs,
    )
    from labeltools.ops.metrics import ConfusionMatrix
    check_missing_policy(missing.value, "--missing")
    pairs = evaluation_pairs(gt, pred, split)
    table = dataset_class_table(gt if is_voc_root(gt) else None, classes)
    names = class_names_for(num_classes, table)
    cm = ConfusionMatrix(num_classes, ignore_index)
    results = cm.add_results(evaluate_pairs(pairs, num_classes, ignore_index, missing.value, jobs))
    summary = report_batch(results, len(pairs), "evaluate", verb="scored")
    scores = cm.to_dict(names)
    grid = result_table(
        f"{cm.images} image(s), {cm.total} pixels scored ({ignore_index} not scored)",
        ("index", "name", "IoU %", "Dice %", "accuracy %", "GT pixels", "predicted pixels"),
    )
    for row in scores["classes"]:
        accuracy = "-" if row["accuracy"] is None and not row["absent"] else _score_percent(row["accuracy"])
        grid.add_row(
            str(row["index"]), row["name"], _score_percent(row["iou"]), _score_percent(row["dice"]), accuracy,
            str(row["gt_pixels"]), str(row["pred_pixels"]), style="dim" if row["absent"] else None,
        )  # fmt: skip
    out.print(grid)
    for key, label in (
        ("mean_iou", "mIoU"),
        ("pixel_accuracy", "pixel accuracy"),
        ("mean_class_accuracy", "mean class accuracy"),
        ("frequency_weighted_iou", "frequency-weighted IoU"),
        ("mean_dice", "mean Dice/F1"),
    ):
        out.print(f"{label:>24}: {scores[key] * 100:.2f}")
    absent = scores["absent_classes"]
    out.print(
        "absent from ground truth and predictions (left out of the means): "
        + (", ".join(f"{a['index']} {a['name']}" for a in absent) if absent else "none"),
    )
    if json_path is not None:
        emit_json(json_path, scores)
    for path, save in ((csv_path, save_confusion_csv), (excel_path, save_scores_excel)):
        if path is not None:
            save(path, cm, names)
            _written(path)
    exit_for(summary)


@command("demo", rich_help_panel="Prepare a dataset")
def demo_command(
    outdir: Annotated[
        str,
        typer.Argument(help="Folder to write the demo dataset into: new, empty, or an earlier demo's output."),
    ],
    jobs: JobsOption = 0,
    dask: DaskOption = None,
) -> None:
    """Convert the bundled labelme sample into a VOC dataset (with instances and overlays) and show what was written."""
    from labeltools.jobs.convert import SAMPLE_DIR, convert_sample
    conversion = convert_sample(outdir, jobs=jobs)
    err.print(f"converting the bundled sample {SAMPLE_DIR}")
    summary = run_conversion(conversion)
    out.print(folder_tree(Path(outdir)))
    exit_for(summary)


def main() -> None:
    """Console-script entry point."""
    app(prog_name="labeltools")
