"""The ``labeltools`` command line: parse, call one library function, report.

Results go to stdout, diagnostics and progress to stderr. A :class:`LabeltoolsError` becomes one
line on stderr and exit code 1; bad usage is exit code 2 (typer's own).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, NoReturn, Optional, TypeVar

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from labeltools import __version__
from labeltools.classes import ClassTable, colormap_entries, hex_color, save_colormap
from labeltools.errors import LabeltoolsError
from labeltools.labelpng import recolor_label_files
from labeltools.parallel import FileResult
from labeltools.voc import load_class_table, select_label_paths
from labeltools.weights import (
    ENET_C,
    EFFECTIVE_BETA,
    SCHEMES,
    ClassCounter,
    check_scheme,
    class_weights,
    histogram_label_files,
    save_provenance,
    save_weights,
    weights_provenance,
)

app = typer.Typer(
    name="labeltools",
    help="Prepare, inspect, weight and score semantic-segmentation label datasets.\n\n"
    "Label maps are single-channel palette PNGs with the VOC colormap; 255 is void.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

out = Console()
err = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str) -> NoReturn:
    """Print one line on stderr and exit with code 1."""
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def command(*args: Any, **kwargs: Any) -> Callable[[F], F]:
    """``app.command`` that turns a LabeltoolsError into one line on stderr and exit code 1."""

    def register(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*a: Any, **kw: Any) -> Any:
            try:
                return func(*a, **kw)
            except LabeltoolsError as exc:
                fail(str(exc))

        app.command(*args, **kwargs)(wrapper)
        return func

    return register


@dataclass
class BatchSummary:
    """What a batch did, for the closing summary and the exit code."""

    done: int = 0
    skipped: int = 0
    failed: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    results: list[FileResult] = field(default_factory=list)


def report_batch(
    results: Iterable[FileResult],
    total: int,
    description: str,
    verb: str = "processed",
    keep_results: bool = False,
) -> BatchSummary:
    """Drive a batch with a progress bar on stderr, then print its summary.

    Warnings are printed as they come, failures are listed at the end with their reasons.
    Returns the summary; the caller exits 1 when ``summary.failed``.
    """
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
                progress.console.print(f"[yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)
            if not result.ok:
                summary.failed += 1
                summary.failures.append((result.source, result.error or "failed"))
            elif result.skipped:
                summary.skipped += 1
            else:
                summary.done += 1
            if keep_results:
                summary.results.append(result)
            progress.advance(task)
    for source, reason in summary.failures:
        err.print(f"[red]failed:[/] {reason}", highlight=False, soft_wrap=True)
    parts = [f"{verb} {summary.done}"]
    if summary.skipped:
        parts.append(f"skipped {summary.skipped}")
    parts.append(f"failed {summary.failed}")
    style = "red" if summary.failed else "green"
    err.print(f"[{style}]{', '.join(parts)}[/]", highlight=False)
    return summary


def exit_for(summary: BatchSummary) -> None:
    """Exit 1 when anything in the batch failed."""
    if summary.failed:
        raise typer.Exit(1)


JobsOption = Annotated[
    int,
    typer.Option("--jobs", "-j", help="Worker processes; 0 uses every core.", min=0),
]


def load_classes(spec: Optional[str]) -> Optional[ClassTable]:
    """A ClassTable from a ``--classes`` value (preset or file), or None."""
    return None if spec is None else ClassTable.load(spec)


def _version(value: bool) -> None:
    if value:
        out.print(f"labeltools {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit."),
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log details to stderr.")] = False,
) -> None:
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


@command("colormap")
def colormap_command(
    n: Annotated[
        Optional[int],
        typer.Option("-n", "--num", help="Number of entries (1..16777216). Default: the class table's size (21 for voc)."),
    ] = None,
    classes: Annotated[
        str,
        typer.Option("--classes", "-c", help="Names and colours: a preset (voc, cityscapes) or a class table file."),
    ] = "voc",
    output: Annotated[
        Optional[Path],
        typer.Option("--output", "-o", help="Write to FILE: .txt, .csv, .json, .npy or .png (a legend picture)."),
    ] = None,
) -> None:
    """Print the VOC colormap as a table (index, name, r, g, b, hex), or save it.

    Names (and, for tables such as cityscapes, colours) come from --classes; indices the
    table lacks get the plain VOC colour. Example: labeltools colormap -n 256 -o palette.npy
    """
    table = ClassTable.load(classes)
    entries = colormap_entries(n, table)
    if output is not None:
        save_colormap(output, entries)
        err.print(f"wrote {len(entries)} colours to {output}", highlight=False)
        return
    grid = Table(title=f"VOC colormap ({len(entries)} entries)")
    for column in ("index", "name", "r", "g", "b", "hex", ""):
        grid.add_column(column, justify="right" if column in ("index", "r", "g", "b") else "left")
    for e in entries:
        hx = hex_color(e.color)
        grid.add_row(str(e.index), e.name, *(str(v) for v in e.color), hx, f"[on {hx}]    [/]")
    out.print(grid)


@command("colorize")
def colorize_command(
    inputs: Annotated[list[Path], typer.Argument(help="Label PNGs (grayscale or palette) holding class indices.")],
    output_dir: Annotated[Path, typer.Option("--output-dir", "-o", help="Folder for the rewritten files.")],
    gray: Annotated[bool, typer.Option("--gray", help="Write grayscale PNGs instead of palette PNGs.")] = False,
    classes: ClassesOption = None,
    jobs: JobsOption = 0,
) -> None:
    """Rewrite index PNGs as VOC palette PNGs (viewable in colour), or back with --gray.

    The stored indices never change; only the palette is added or dropped.
    """
    table = load_classes(classes)
    results = recolor_label_files(
        inputs, output_dir, gray=gray, palette=None if table is None else table.palette(), jobs=jobs
    )
    exit_for(report_batch(results, len(inputs), "colorize", verb="wrote"))


@command("weights")
def weights_command(
    dataset: Annotated[
        Optional[Path],
        typer.Argument(help="VOC dataset folder (default: the parent of --labels-dir).", show_default=False),
    ] = None,
    split: Annotated[
        Optional[str],
        typer.Option(
            "--split",
            "-s",
            help="Split to count (ImageSets/Segmentation/<split>.txt). Default: train when present, else every label.",
        ),
    ] = None,
    labels_dir: Annotated[
        Optional[Path],
        typer.Option(
            "--labels-dir",
            help="Read label PNGs from this folder instead of DATASET/SegmentationClass "
            "(every *.png unless --split is given).",
        ),
    ] = None,
    num_classes: Annotated[
        Optional[int],
        typer.Option(
            "--num-classes", "-n", help="Number of classes. Default: those of DATASET/class_names.txt.", min=1, max=255
        ),
    ] = None,
    scheme: Annotated[
        str, typer.Option("--scheme", help=f"Weighting scheme: {', '.join(SCHEMES)}.")
    ] = "enet",
    c: Annotated[float, typer.Option("--c", help="enet's constant: w = 1 / ln(c + p).")] = ENET_C,
    beta: Annotated[
        float, typer.Option("--beta", help="effective's constant: w ~ (1 - beta) / (1 - beta**n).")
    ] = EFFECTIVE_BETA,
    name: Annotated[
        Optional[str],
        typer.Option(
            "--name",
            help="Default output is DATASET/<name>_classes_weights.npy; name defaults to DATASET's folder name.",
        ),
    ] = None,
    output: Annotated[
        Optional[Path], typer.Option("--output", "-o", help="Write the weights (.npy, float64, shape (C,)) to FILE.")
    ] = None,
    json_path: Annotated[
        Optional[Path],
        typer.Option("--json", help="Also write how the weights were made (counts, scheme, split...) to FILE."),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Fail on label values that are neither a class nor 255, instead of reporting them."),
    ] = False,
    jobs: JobsOption = 0,
) -> None:
    """Count class pixels over a dataset once and save per-class loss weights as .npy.

    The default file, DATASET/<name>_classes_weights.npy, is where pytorch-deeplab-xception looks;
    mmsegmentation takes it as class_weight='....npy'. Pixels of value 255 are void and never
    counted. Example: labeltools weights data/voc --scheme median --json weights.json
    """
    check_scheme(scheme, c, beta)  # before reading any file
    if dataset is None:
        if labels_dir is None:
            fail("give a DATASET folder or --labels-dir")
        dataset = labels_dir.resolve().parent
    paths, used_split = select_label_paths(dataset, split, labels_dir)
    table = load_class_table(dataset)
    if num_classes is None:
        if table is None:
            fail(f"{dataset / 'class_names.txt'}: no such file; pass --num-classes")
        num_classes = table.num_classes
    names = [table.name_of(i) if table is not None else f"class_{i}" for i in range(num_classes)]
    target = output or dataset / f"{name or dataset.resolve().name}_classes_weights.npy"

    counter = ClassCounter(num_classes, strict=strict)
    results = counter.add_results(histogram_label_files(paths, jobs=jobs))
    summary = report_batch(results, len(paths), "counting", verb="counted")
    if summary.failed:
        fail(f"no weights written: {summary.failed} of {len(paths)} label file(s) failed")
    counts = counter.counts
    message = counts.out_of_range_message()
    if message:
        err.print(f"[yellow]warning:[/] {message} (--strict makes this an error)", highlight=False, soft_wrap=True)
    weights = class_weights(counts, scheme, c=c, beta=beta, class_names=names)

    grid = Table(title=f"{scheme} class weights ({counts.num_images} images, {counts.total} labelled pixels)")
    for column in ("index", "name", "pixels", "share", "weight"):
        grid.add_column(column, justify="left" if column == "name" else "right")
    for i, (pixels, share, weight) in enumerate(zip(counts.pixels, counts.frequencies, weights)):
        grid.add_row(str(i), names[i], str(pixels), f"{share:.2%}", f"{weight:.6g}")
    out.print(grid)

    save_weights(target, weights)
    err.print(f"wrote {target}", highlight=False)
    if json_path is not None:
        provenance = weights_provenance(
            counts,
            weights,
            scheme,
            c=c,
            beta=beta,
            class_names=names,
            dataset=str(dataset),
            split=used_split,
            labels_dir=None if labels_dir is None else str(labels_dir),
            num_files=len(paths),
            output=str(target),
        )
        save_provenance(json_path, provenance)
        err.print(f"wrote {json_path}", highlight=False)


@command("demo")
def demo_command(
    outdir: Annotated[Path, typer.Argument(help="Folder to write the demo output into.")],
) -> None:
    """Run the main job on the bundled sample data and show what was written."""
    outdir.mkdir(parents=True, exist_ok=True)
    legend = outdir / "voc_legend.png"
    save_colormap(legend, colormap_entries(None, ClassTable.preset("voc")))
    out.print(f"wrote {legend}", highlight=False)


def main() -> None:
    """Console-script entry point."""
    app(prog_name="labeltools")
