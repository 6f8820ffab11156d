"""The ``labeltools`` app and what every command shares: the consoles, the batch report, the
shared options (one spelling per concept, see the README's table), the choices and ``--json``.

Results go to stdout, diagnostics and progress to stderr. A :class:`LabeltoolsError` becomes one
line on stderr and exit code 1; bad usage is exit code 2 (typer's own).
"""

import contextlib
import dataclasses
import functools
import logging
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, Optional, TypeVar

import typer
from rich.console import Console
from rich.text import Text

# typer carries its own click (every release labeltools takes: 0.26.8 to 0.28), whose errors are
# its own; click itself may be absent.
from typer._click.exceptions import ClickException, NoSuchOption

from labeltools.core.errors import LabeltoolsError, RunStoppedError
from labeltools.core.options import (
    EXPORT_OBJECTS,
    EXPORT_TARGETS,
    IMAGE_FORMATS,
    LABELME_RULES,
    MAX_CLASSES,
    MISSING_POLICIES,
    ON_CONFLICT,
    OVERLAP_RULES,
    SCHEMES,
    SOURCE_FORMATS,
    UNKNOWN_POLICIES,
)
from labeltools.core.version import __version__

if TYPE_CHECKING:  # annotations only: each command imports what it runs
    import numpy as np
    from numpy.typing import NDArray
    from rich.table import Table

    from labeltools.core.classes import ClassTable
    from labeltools.engine.executor import FileResult


class _OurHelp:
    """A command whose ``--help`` is drawn by :mod:`labeltools.cli.help`, and whose missing
    argument is named in words."""

    params: list[Any]

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.metavar = ""  # a flag: no <bool> beside it
        return option

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)  # type: ignore[misc,no-any-return]
        except typer.BadParameter as exc:
            if type(exc).__name__ != "MissingParameter" or getattr(exc.param, "param_type_name", None) != "argument":
                raise
            raise missing_argument(ctx) from None


def missing_argument(ctx: Any, alternative: str = "") -> "Usage":
    """The usage error of a command given too few arguments. An argument of many values followed
    by one (INPUT... OUTPUT) takes the last value given for the second, so click cannot tell which
    is missing: the message names every argument the command takes and what each is (and
    ``alternative``, another way to give them)."""
    from labeltools.cli.help import argument_name

    arguments = [p for p in ctx.command.params if p.param_type_name == "argument"]
    names = " ".join(argument_name(p) for p in arguments)
    each = "; ".join(f"{argument_name(p)}: {p.help.rstrip('.')}" for p in arguments if p.help)
    alternative = f", or {alternative}" if alternative else ""
    return Usage(f"missing argument: {ctx.command_path} takes {names}{alternative} ({each})", ctx=ctx)


def given_once(what: str, argument: tuple[str, Optional[str]], option: tuple[str, Optional[str]]) -> Optional[str]:
    """A value a command takes as an argument or as an option, ``(name, value)`` each: the one
    given, or None. Exit 2 when both are given."""
    (argument_name, from_argument), (option_name, from_option) = argument, option
    if from_argument is not None and from_option is not None:
        raise Usage(f"give {what} once: {from_argument} ({argument_name}) or {from_option} ({option_name})")
    return from_option if from_option is not None else from_argument


def output_folder(ctx: Any, inputs: Optional[list[str]], output: Optional[str], output_dir: Optional[str]) -> tuple[list[str], str]:
    """A command's inputs and output folder, the folder given as its last argument
    (``INPUT... OUTPUT``) or as ``--output-dir`` (``INPUT... -d OUTPUT``, every argument then an
    input). Exit 2 naming both ways when either part is missing, or when the folder is named as
    a file (see :func:`folder_to_write`)."""
    inputs = list(inputs or [])
    if output_dir is not None:
        inputs, output = inputs + ([output] if output is not None else []), output_dir
    if not inputs or output is None:
        raise missing_argument(ctx, "INPUT... --output-dir OUTPUT")
    return inputs, folder_to_write(output, "OUTPUT" if output_dir is None else "--output-dir", f"{ctx.info_name} writes a dataset folder")


def output_dir_option(value: Optional[str], alias: Optional[str], written: str) -> str:
    """``--output-dir`` (or ``-o``, its old spelling: see :data:`OutputDirAlias`) of a command
    that cannot do without it, checked by :func:`folder_to_write`."""
    folder = required(either(value, alias, "--output-dir", "-o"), "--output-dir", "-d")
    return folder_to_write(folder, "--output-dir" if value is not None else "-o", written)


#: The endings of files labeltools reads or writes: a folder to write that does not exist and
#: ends so was meant as a file (``colorize a.png -o b.png``, ``convert a.json a.png``), where a
#: folder of that name would be made and the command say nothing but how many files it wrote.
FILE_ENDINGS = frozenset(
    {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".npy", ".npz", ".xlsx", ".xls",
     ".ods", ".csv", ".json", ".yaml", ".yml", ".txt", ".xml", ".html", ".zip"}
)  # fmt: skip


def folder_to_write(folder: str, given_as: str, written: str) -> str:
    """``folder``, given as ``given_as``, into which a command writes (``written`` says what, as a
    clause: "export writes a dataset folder"). Exit 2 when it is named as a file (see
    :data:`FILE_ENDINGS`) and is no folder yet; a trailing ``/`` or an existing folder of that
    name is taken as it is."""
    from labeltools.engine.storage import location

    ending = os.path.splitext(folder)[1].lower()
    if ending in FILE_ENDINGS and not folder.endswith("/") and not location(folder).is_dir():
        raise Usage(
            f"{given_as} {folder}: a {ending} file's name, but {written}: give a folder, such as "
            f"{folder[: -len(ending)]}/ ({folder}/ makes a folder of that very name)"
        )
    return folder


#: The top command's ``--verbose`` flag, which a command takes anywhere among its own arguments.
VERBOSE_FLAGS = ("-v", "--verbose")


class Command(_OurHelp, typer.core.TyperCommand):
    """A labeltools command (see :class:`_OurHelp`). ``-v``/``--verbose``, the top command's
    flag, is taken after the command's name too (``labeltools stats ds -v``), where click
    refused it as no option of the command's."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        end = args.index("--") if "--" in args else len(args)
        if any(arg in VERBOSE_FLAGS for arg in args[:end]):
            configure_logging(True)
            args = [arg for arg in args[:end] if arg not in VERBOSE_FLAGS] + args[end:]
        try:
            return super().parse_args(ctx, args)
        except NoSuchOption as refusal:
            exc: Any = refusal
            # click suggests near spellings, hidden aliases among them; an abbreviation, as argparse takes, is none
            shown = [name for param in self.params if not getattr(param, "hidden", False) for name in param.opts]
            given = exc.option_name
            begun = [name for name in shown if given.startswith("--") and len(given) > 2 and name.startswith(given)]
            named = begun or [name for name in exc.possibilities or () if name in shown]
            if not named and given == "-d" and any("-o" in param.opts for param in self.params):
                raise type(exc)(given, "No such option: -d (-d names the folder other commands write; this "
                                "command writes a file: -o/--output FILE)", ctx=exc.ctx) from None
            raise type(exc)(given, possibilities=named, ctx=exc.ctx) from None

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        from labeltools.cli.help import usage

        return usage(self, ctx).split()[len(ctx.command_path.split()) :]

    def format_help(self, ctx: Any, formatter: Any) -> None:
        from labeltools.cli.help import render_help

        render_help(self, ctx)


#: The converters people run today, typed as a command, and the command that does their job.
OTHER_TOOLS = {
    "labelme2voc": "convert ANNOTATIONS NEW_FOLDER",
    "labelme2coco": "export ANNOTATIONS --to coco -d OUT",
    "labelme2yolo": "export ANNOTATIONS --to yolo-seg -d OUT",
    "createTrainIdLabelImgs": "remap gtFine/ --index-map cityscapes -d gtFine/",
}


class Group(_OurHelp, typer.core.TyperGroup):
    """The top command: its help lists the commands by panel, drawn as a command's is (typer's
    own drawing imports a Markdown renderer and a traceback formatter, a third of the start-up
    of ``labeltools --help``, and keeps the line breaks inside a command's first paragraph).
    Another tool's name given as the command (:data:`OTHER_TOOLS`) is answered with ours."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if getattr(param, "is_flag", False):
                param.metavar = ""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name = args[0] if args else ""
        ours = OTHER_TOOLS.get(name.removesuffix(".py"))
        if ours is not None and self.get_command(ctx, name) is None:
            ctx.fail(f"No such command {name!r}: labeltools {ours} does its job (labeltools {ours.split()[0]} -h)")
        return super().resolve_command(ctx, args)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        from labeltools.cli.help import render_group_help

        render_group_help(self, ctx)

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        with _usage_errors_as_lines():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: Any) -> Any:
        with _usage_errors_as_lines():
            return super().invoke(ctx)


@contextlib.contextmanager
def _usage_errors_as_lines() -> Iterator[None]:
    """Where stderr is no terminal (a log file, a pipe, CI), a usage error in lines that keep a
    path whole: the usage, the hint, then ``error: <message>`` as every other error reads;
    typer's panel folded the message at 80 columns, a path with it. On a terminal the panel
    stays."""
    if err.is_terminal:
        yield
        return
    try:
        yield
    except ClickException as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # the help, already shown
            raise
        ctx = getattr(exc, "ctx", None)
        if ctx is not None:
            err.print(ctx.get_usage(), soft_wrap=True)
            if ctx.command.get_help_option(ctx) is not None:
                err.print(f"Try '{ctx.command_path} {ctx.help_option_names[0]}' for help.", soft_wrap=True)
        fail(exc.format_message(), exc.exit_code)


app = typer.Typer(
    name="labeltools",
    help="Prepare, inspect, weight and score semantic-segmentation label datasets.\n\n"
    "Label maps are single-channel palette PNGs with the VOC colormap; 255 is void.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    cls=Group,
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
    return Console(stderr=stderr, highlight=False, markup=False, emoji=False, width=width)


out = _console(stderr=False)
err = _console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


#: Characters a message never shows as they are: controls (a file name's ESC would drive the
#: terminal, its NUL or line break would cut the line) and lone surrogates (a file name that is
#: not UTF-8), each written as its escape instead.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


#: Secrets given on the command line (a URL's ``user:password@``), never printed: whatever
#: prints a message, ours or a library's, shows ``***`` in their place.
_secrets: set[str] = set()


def hide_secrets_of(values: Iterable[Any]) -> None:
    """Remember the credentials of every URL among ``values`` (strings or lists of them)."""
    from labeltools.core.files import URL_CREDENTIALS

    for value in values:
        for text in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(text, str):
                for found in URL_CREDENTIALS.findall(text):
                    _secrets.update(part for part in (found, *found.split(":")) if len(part) >= 3)


def printable(text: str) -> str:
    """``text`` as one line that shows every character: controls, line breaks and lone
    surrogates as their escapes (``\\x1b``, ``\\n``, ``\\udcff``); secrets as ``***``."""
    text = _without_secrets(text)
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def say(line: str) -> None:
    """Print a line of what the command does on stderr, every character shown (see :func:`printable`)."""
    err.print(printable(line), soft_wrap=True)


def warn(message: str) -> None:
    """Print a warning line on stderr."""
    err.print(Text.assemble(("warning:", "yellow"), " ", printable(message)), soft_wrap=True)


def result_table(title: str, columns: Sequence[str], text: Sequence[str] = ("name",)) -> "Table":
    """A result table: the ``text`` columns left-aligned, every other (numeric) column right.

    On a terminal it is drawn as rich draws a table. In a pipe or a file its title is a line of
    its own (a table's title would fold at the table's width) and a column with no header (a
    colour swatch, which is only a background colour) is left out."""
    from rich.table import Table

    class ResultTable(Table):
        def add_row(self, *renderables: Any, **options: Any) -> None:  # text from data shows every character
            super().add_row(*(printable(r) if isinstance(r, str) else r for r in renderables), **options)

        def __rich_console__(self, console: Console, options: Any) -> Any:
            if console.is_terminal:
                yield from super().__rich_console__(console, options)
                return
            if self.title:
                yield Text(str(self.title))
            plain = Table(box=self.box, show_header=self.show_header)
            kept = [c for c in self.columns if c.header != ""]
            plain.columns = [dataclasses.replace(c, _index=i) for i, c in enumerate(kept)]
            plain.rows = self.rows
            yield from plain.__rich_console__(console, options)

    grid = ResultTable(title=printable(title))
    for column in columns:
        grid.add_column(column, justify="left" if column in text else "right", overflow="fold")
    return grid


def counted(number: int, noun: str, plural: str = "") -> str:
    """``1 image``, ``2 images``: a number and its noun, agreeing."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def swatch(color: tuple[int, int, int]) -> Text:
    """A small block of ``color``."""
    from labeltools.core.classes import hex_color
    return Text("    ", style=f"on {hex_color(color)}")


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one line on stderr, ``error: <message>``, and exit with ``code``."""
    err.print(Text.assemble(("error:", "bold red"), " ", printable(message)), soft_wrap=True)
    raise typer.Exit(code)


@contextlib.contextmanager
def _tables_to_stderr(active: bool) -> Iterator[None]:
    """With ``--json -``, stdout holds the JSON alone: the tables go to stderr meanwhile."""
    if not active:
        yield
        return
    out.file = err.file
    try:
        yield
    finally:
        out.file = None  # type: ignore[assignment]  # follows sys.stdout again, as it was made to


def command(*args: Any, **kwargs: Any) -> Callable[[F], F]:
    """``app.command`` that turns a LabeltoolsError into one line on stderr and exit code 1, and
    runs the command's batches on the Dask scheduler of its ``--dask`` option, if any."""

    def register(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*a: Any, **kw: Any) -> Any:
            from labeltools.engine.executor import show_preparation, use_dask
            hide_secrets_of([*a, *kw.values()])
            try:
                _check_json_place(kw.get("json_path"))
                with use_dask(kw.get("dask")), show_preparation(_preparing), _tables_to_stderr(kw.get("json_path") == "-"), _worker_logging():
                    return func(*a, **kw)
            except LabeltoolsError as exc:
                fail(str(exc))
            except OSError as exc:  # the machine's refusal (a path, a permission), not a bug
                where = f"{exc.filename}: " if exc.filename is not None else ""
                fail(f"{where}{exc.strerror or exc}")
            except Exception as exc:
                if not _from_storage(exc):
                    raise  # a bug of ours: its traceback is worth having
                message = " ".join(str(exc).split())
                message = message if len(message) <= 160 else message[:160] + "..."
                fail(f"storage: {type(exc).__name__}: {message}")
            except KeyboardInterrupt as exc:  # outside a batch: nothing under way to count
                err.print("interrupted", style="red")
                raise typer.Exit(_interrupted_code(exc)) from None

        app.command(*args, cls=Command, **kwargs)(wrapper)
        return func

    return register


#: The packages behind storage URLs: what they raise is the store's answer (a bad bucket name, a
#: refused connection), said in one line like any other refusal of the machine.
_STORAGE_PACKAGES = frozenset({"botocore", "aiobotocore", "boto3", "s3fs", "fsspec", "gcsfs", "adlfs", "azure", "google", "aiohttp", "upath"})


def _from_storage(exc: BaseException) -> bool:
    return type(exc).__module__.split(".")[0] in _STORAGE_PACKAGES


@dataclass
class BatchSummary:
    """What a batch did, for the closing summary and the exit code."""

    done: int = 0
    skipped: int = 0
    failures: list[str] = field(default_factory=list)  # the reasons, each naming its file
    failed_sources: list[str] = field(default_factory=list)  # the inputs that failed, in order
    warned: dict[str, list[str]] = field(default_factory=dict)  # the inputs of each kind of warning (see _warn_alike)

    @property
    def failed(self) -> int:
        return len(self.failures)

    def failure_list(self) -> list[dict[str, str]]:
        """The failures as ``--json`` lists them: ``[{file, error}]``."""
        return [{"file": f, "error": e} for f, e in zip(self.failed_sources, self.failures)]


def stop_if_all_failed(summary: BatchSummary, what: str, noun: str) -> None:
    """One line and exit 1 when every input failed: a table or file of zeros would read as a
    result (``nothing to <what>: every one of the 8 <noun> failed``)."""
    if summary.failed and not summary.done:
        fail(f"nothing to {what}: every one of the {summary.failed} {noun} failed")


#: Seconds between the lines that say how far a batch got when stderr is no terminal (see
#: :func:`_progress`), unless the environment variable says otherwise.
PROGRESS_SECONDS_ENV = "LABELTOOLS_PROGRESS_SECONDS"
DEFAULT_PROGRESS_SECONDS = 60.0


def progress_seconds() -> float:
    """``$LABELTOOLS_PROGRESS_SECONDS`` when set, else :data:`DEFAULT_PROGRESS_SECONDS`.

    Raises:
        LabeltoolsError: the variable is not a number of seconds, 0 or more.
    """
    raw = os.environ.get(PROGRESS_SECONDS_ENV, "").strip()
    if not raw:
        return DEFAULT_PROGRESS_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:  # NaN too
        raise LabeltoolsError(f"{PROGRESS_SECONDS_ENV}={raw!r}: must be a number of seconds, 0 or more")
    return seconds


@contextlib.contextmanager
def _progress(description: str, total: int, state: Callable[[int], str]) -> Iterator[Callable[[], None]]:
    """A progress bar on stderr when it is a terminal; yields the function that advances it by
    one. In a log file or a pipe (a Kubernetes job's log, ``nohup``, CI), where a bar cannot be
    drawn, a line says how far the batch got (``state(items done)``), how long it ran and about
    how long it has left, every :func:`progress_seconds` (a run shorter than that prints none):
    an hour's conversion showed nothing but its first lines until it ended, as a hung one does."""
    if not err.is_terminal:
        every = progress_seconds()
        start = last = time.monotonic()
        count = 0

        def advance() -> None:
            nonlocal last, count
            count += 1
            now = time.monotonic()
            if now - last >= every and count < total:
                last = now
                left = (now - start) / count * (total - count)
                err.print(
                    f"progress: {state(count)} ({100 * count // total}%), {_duration(now - start)} so far, about {_duration(left)} left",
                    soft_wrap=True,
                )

        yield advance
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    # No thread redraws the bar: the workers are forked while it is up, and a thread holding
    # stderr's lock at that moment leaves a worker that writes a warning waiting for ever (Python
    # 3.12 and later warn of it). It is redrawn as items finish, at most REDRAWS_PER_SECOND.
    progress = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=err, transient=True, auto_refresh=False,
    )  # fmt: skip
    with progress:
        task = progress.add_task(description, total=total)
        progress.refresh()
        drawn = time.monotonic()

        def advance() -> None:
            nonlocal drawn
            progress.advance(task)
            now = time.monotonic()
            if now - drawn >= 1 / REDRAWS_PER_SECOND:
                drawn = now
                progress.refresh()

        yield advance


#: How often a progress bar is redrawn at most (see :func:`_progress`).
REDRAWS_PER_SECOND = 10


def _preparing(description: str, total: int) -> contextlib.AbstractContextManager[Callable[[], None]]:
    """How a job's pass before its batch shows (see :func:`_progress`): a bar, or lines such as
    ``progress: finding the classes: read 1200 of 40000 (3%), ...``; the classes found in a
    hundred thousand annotations take a minute or more, otherwise silent."""
    return _progress(description, total, lambda done: f"{description}: read {done} of {total}")


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is (the batch stops, its workers are stopped), exit code 143."""


def _interrupted_code(exc: KeyboardInterrupt) -> int:
    return 143 if isinstance(exc, Terminated) else 130


def report_batch(
    results: "Iterable[FileResult]",
    total: int,
    description: str,
    verb: str = "processed",
    counts: bool = True,
    resumable: bool = False,
) -> BatchSummary:
    """Drive a batch with a progress bar on stderr, then print its summary.

    Warnings are printed as they come, failures are listed at the end with their reasons, then
    (with ``counts``) the ``"<verb> N, failed M"`` line. Returns the summary; the caller exits 1
    when ``summary.failed``. Ctrl-C or SIGTERM stops the batch and its workers at once: one line
    says how far it got (and, for a ``resumable`` command, that ``--resume`` continues), and the
    command exits 130 (143 for SIGTERM).
    """
    summary = BatchSummary()
    iterator = iter(results)
    try:
        with _progress(description, total, lambda _: _how_far(summary, verb, total, False)) as advance:
            for result in iterator:
                for warning in result.warnings:
                    _warn_alike(summary, warning, result.source)
                if not result.ok:
                    summary.failures.append(result.error or "failed")
                    summary.failed_sources.append(result.source)
                elif result.skipped:
                    summary.skipped += 1
                else:
                    summary.done += 1
                advance()
    except KeyboardInterrupt as exc:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()  # stops the workers; the files under way are unwound, none is left half-written
        _more_warnings(summary)
        err.print(f"interrupted: {_how_far(summary, verb, total, resumable)}", style="red", soft_wrap=True)
        raise typer.Exit(_interrupted_code(exc)) from None
    except RunStoppedError as exc:  # not a file's fault (a lost scheduler, a full disk): how far it got
        _list_failures(summary)
        fail(f"{exc}; stopped after {_how_far(summary, verb, total, resumable)}")
    except LabeltoolsError:  # the job's own last step failed (its split files, say): the files' failures first
        _list_failures(summary)
        raise
    _list_failures(summary)
    if not counts:
        return summary
    parts = [f"{verb} {summary.done}"]
    if summary.skipped:
        parts.append(f"skipped {summary.skipped}")
    parts.append(f"failed {summary.failed}")
    style = "red" if summary.failed else "green"
    err.print(", ".join(parts), style=style)
    return summary


#: Failures alike (one reason but for the file it names) listed each in full, before the others
#: of that reason are counted on one line: a thousand JPEGs renamed .png are not a thousand lines.
ALIKE_SHOWN = 5


def _warn_alike(summary: BatchSummary, warning: str, source: str) -> None:
    """Print a file's warning, unless :data:`ALIKE_SHOWN` alike (one warning but for the file it
    names and its numbers: a JPEG mask's shifted pixels) were printed; those are counted on one
    line at the end (see :func:`_more_warnings`)."""
    key = warning.replace(source, "\0") if source else warning
    stem = os.path.splitext(os.path.basename(source))[0]
    if len(stem) >= 3:  # the file named otherwise (its prediction, its image)
        key = key.replace(stem, "\0")
    group = summary.warned.setdefault(re.sub(r"\d+", "#", key), [])
    group.append(source)
    if len(group) <= ALIKE_SHOWN:
        warn(warning)


def _more_warnings(summary: BatchSummary) -> None:
    for sources in summary.warned.values():
        rest = sources[ALIKE_SHOWN:]
        if rest:
            files = list(dict.fromkeys(rest))  # one file may warn alike of many of its shapes
            named = ", ".join(files[:3]) + (f" and {len(files) - 3} more file(s)" if len(files) > 3 else "")
            warn(f"{len(rest)} more warning(s) alike, of {named}")
    summary.warned.clear()


def _list_failures(summary: BatchSummary) -> None:
    _more_warnings(summary)
    alike: dict[str, list[str]] = {}
    for reason, source in zip(summary.failures, summary.failed_sources):
        group = alike.setdefault(reason.replace(source, "\0") if source else reason, [])
        group.append(source)
        if len(group) <= ALIKE_SHOWN:
            err.print(Text.assemble(("failed:", "red"), " ", printable(reason)), soft_wrap=True)
    for sources in alike.values():
        rest = sources[ALIKE_SHOWN:]
        if rest:
            named = ", ".join(rest[:3]) + (f" and {len(rest) - 3} more" if len(rest) > 3 else "")
            err.print(Text.assemble(("failed:", "red"), " ", printable(f"{len(rest)} more file(s) for the same reason: {named}")), soft_wrap=True)


def _duration(seconds: float) -> str:
    """``"40 s"``, ``"12 min"``, ``"2 h 05 min"``."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


def _how_far(summary: BatchSummary, verb: str, total: int, resumable: bool) -> str:
    """How far a batch that stopped got ("converted 120, skipped 0, failed 0 of 3840"), and, for
    a ``resumable`` command, that ``--resume`` continues it."""
    hint = "; run the same command with --resume to continue" if resumable else ""
    return f"{verb} {summary.done}, skipped {summary.skipped}, failed {summary.failed} of {total}{hint}"


def exit_for(summary: BatchSummary) -> None:
    """Exit 1 when anything in the batch failed."""
    if summary.failed:
        raise typer.Exit(1)


JobsOption = Annotated[
    int,
    typer.Option("--jobs", "-j", help="Worker processes; 0 uses every core (no more than a container's CPU limit).", min=0),
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


class Usage(typer.BadParameter):
    """A usage mistake that concerns no single option: exit code 2 with the message as it is."""

    def format_message(self) -> str:
        return self.message


def required(value: Any, *names: str) -> Any:
    """The value of an option the command cannot do without, ``names`` its spellings: when it is
    missing, exit 2 with the words click uses for a required option ("Missing option '--output-dir'
    / '-d'.")."""
    if value is None:
        raise Usage("Missing option " + " / ".join(f"'{name}'" for name in names) + ".")
    return value


def either(value: Any, alias: Any, name: str, old: str) -> Any:
    """An option's value given under its name or under an old spelling kept as a hidden alias."""
    if value is not None and alias is not None:
        raise typer.BadParameter(f"give {name} once ({old} is its old spelling)", param_hint=name)
    return value if value is not None else alias


def dataset_and_labels(dataset: Optional[str], labels_dir: Optional[str]) -> tuple[Path, Optional[str]]:
    """DATASET and --labels-dir as a job takes them: DATASET, or the folder holding --labels-dir
    when only that is given (a path or a URL). A folder of label PNGs given as DATASET (an
    mmsegmentation ``ann_dir/train``) is read as --labels-dir, which is said."""
    from labeltools.engine.storage import absolute, list_files, location
    from labeltools.formats.cityscapes import is_label_map
    from labeltools.formats.voc import is_voc_root
    if dataset is None:
        if labels_dir is None:
            raise Usage("missing argument DATASET: give a VOC dataset folder, or --labels-dir FOLDER")
        return absolute(labels_dir).parent, labels_dir
    root = location(dataset)
    if labels_dir is None and root.is_dir() and not is_voc_root(root):
        pngs = list_files(root, (".png",))
        if pngs and not any(is_label_map(p.name) for p in pngs):  # a folder of label files given where a dataset goes
            say(f"labels: {dataset} (a folder of {len(pngs)} label PNG(s), read as --labels-dir)")
            return absolute(dataset).parent, dataset
    return root, labels_dir


def load_classes(spec: Optional[str]) -> "Optional[ClassTable]":
    """A ClassTable from a ``--classes`` value (preset or file), or None."""
    from labeltools.core.classes import ClassTable
    return None if spec is None else ClassTable.load(spec)


def load_palette(spec: Optional[str]) -> "Optional[NDArray[np.uint8]]":
    """The ``(256, 3)`` palette of a ``--classes`` value (preset or file), or None."""
    table = load_classes(spec)
    return None if table is None else table.palette()


def _version(value: bool) -> None:
    if value:
        out.print(f"labeltools {__version__}")
        raise typer.Exit()


#: How a level is written before a log message, in the style of :func:`warn` and :func:`fail`.
_LEVEL_STYLE = {"DEBUG": "dim", "INFO": "", "WARNING": "yellow", "ERROR": "red", "CRITICAL": "bold red"}


_DASK_LOGGING = "DASK_LOGGING__DISTRIBUTED"


class LineHandler(logging.Handler):
    """Writes a log record as one line on stderr, ``level: message``, the way :func:`warn` writes
    warnings: never padded, never folded in a pipe, text from data never read as markup."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = printable(self.format(record) if record.name.split(".")[0] == "labeltools" else _in_words(record))
            if not message:
                return
            level = record.levelname.lower()
            err.print(Text.assemble((f"{level}:", _LEVEL_STYLE.get(record.levelname, "")), " ", message), soft_wrap=True)
        except Exception:  # logging must never take the command down
            self.handleError(record)


def _in_words(record: logging.LogRecord) -> str:
    """Another library's record as one line: the first line of its message, and the type and
    text of its exception, never a traceback (whose many lines would be one huge escaped line).
    A record of a traceback alone (Dask's client logs one as it is torn down after losing its
    scheduler) says nothing to a user: it is left out, unless -v."""
    text = next((line.strip() for line in record.getMessage().splitlines() if line.strip()), "")
    exc = record.exc_info[1] if record.exc_info else None
    if exc is not None and (text or _verbose[0]):
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        text = f"{text} ({detail})" if text else f"{record.name}: {detail}"
    return text


def configure_logging(verbose: bool) -> None:
    """Ours at DEBUG with ``-v``, else at INFO (what the user is told as it happens: a Dask
    scheduler being reached, a stale temporary removed); Dask's lifecycle (scheduler, workers,
    nanny) at INFO with ``-v``, else its warnings only; every other library's warnings only,
    whatever ``-v`` says (botocore's debug output alone is megabytes a run and names access
    keys). One handler, ours, writes them all."""
    handler = LineHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler], force=True)
    logging.getLogger("labeltools").setLevel(logging.DEBUG if verbose else logging.INFO)
    logging.getLogger("distributed").setLevel(logging.INFO if verbose else logging.WARNING)
    _verbose[0] = verbose


_verbose = [False]


@contextlib.contextmanager
def _worker_logging() -> Iterator[None]:
    """While a command runs: Dask's worker processes log by its configuration, read from the
    environment they inherit. A user's own setting stands; else theirs follows ``-v``."""
    if os.environ.get(_DASK_LOGGING) is not None:
        yield
        return
    os.environ[_DASK_LOGGING] = "info" if _verbose[0] else "warning"
    try:
        yield
    finally:
        os.environ.pop(_DASK_LOGGING, None)


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit."),
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log details to stderr.")] = False,
) -> None:
    escape_what_streams_cannot_hold()
    configure_logging(verbose)


def escape_what_streams_cannot_hold() -> None:
    """Write a character the output's encoding cannot hold as Python writes it to stderr, an
    escape (``\\u8857``), never a traceback: standard output is strict by default, and a class or
    file named 街道 printed to a file or pipe on a Windows of code page 1252 (Python writes
    redirected output in the system's code page there) ended the run in a UnicodeEncodeError,
    its output half-printed. Escapes inside a JSON string (``--json -``) keep it the same JSON."""
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


#: Old spellings kept as hidden aliases: ``-o`` for --output-dir (colorize, remap, export, convert,
#: demo: the spelling of mmsegmentation's converters) and
#: labelme2voc's ``--labels/-l`` for --classes (convert, export).
OutputDirAlias = Annotated[Optional[str], typer.Option("-o", hidden=True)]
LabelsAlias = Annotated[Optional[str], typer.Option("--labels", "-l", hidden=True)]
#: The commands whose first lines name the class table they use, and how it was read.
SAY_THEIR_CLASSES = frozenset({"convert", "weights", "evaluate"})


def said_classes(ctx: typer.Context, value: Optional[str]) -> Optional[str]:
    """The ``--classes`` callback: a file that is another tool's class list, read by a choice
    (CamVid's rows numbered, ADE20K's objectInfo150.txt as its preset...), says how it was read,
    once, before the command runs (unless the command says it itself); the command loads it
    again (and refuses a bad one)."""
    from labeltools.core.classes import PRESETS, ClassTable
    if value is not None and value.lower() not in PRESETS and ctx.info_name not in SAY_THEIR_CLASSES:
        try:
            table = ClassTable.load(value)
        except Exception:  # any failure is the command's to report, in its own words
            return value
        if table.source != value:
            say(f"classes: {table.source}")
    return value


ClassesOption = Annotated[
    Optional[str],
    typer.Option(
        "--classes",
        "-c",
        callback=said_classes,
        help="Class table: a preset (voc; cityscapes, ade20k, coco-stuff: the label ids as shipped, each scored by its train "
        "id; cityscapes-train, ade20k-train, coco-stuff-train: the train ids) or a file (labels.txt, class_names.txt, .csv such as class_dict.csv, .json such as id2label.json).",
    ),
]



def _other_side_table(flag: str, side: str, other: str, example: str) -> Any:
    """An option naming the class table of one side of a scoring (``side``: "the ground truth's
    class table where its") where its values are not the other side's."""
    return Annotated[
        Optional[str],
        typer.Option(
            flag, metavar="TABLE", callback=said_classes,
            help=f"{side} values are not the {other}: one the label ids of a table with train ids, the other its train "
            f"ids ({example}).",
        ),
    ]


GtClassesOption = _other_side_table(
    "--gt-classes", "The ground truth's class table where its", "predictions' (--classes)", "--gt-classes ade20k -c ade20k-train"
)
PredClassesOption = _other_side_table(
    "--pred-classes", "The predictions' class table where their", "labels' (-c)", "-c ade20k --pred-classes ade20k-train"
)


DatasetOrLabelsDirArgument = Annotated[
    Optional[str],
    typer.Argument(
        help="VOC dataset folder, Cityscapes gtFine folder, or folder of label PNGs (read as --labels-dir; "
        "default: the parent of --labels-dir).",
        show_default=False,
    ),
]


LabelsDirOption = Annotated[
    Optional[str],
    typer.Option(
        "--labels-dir",
        help="Read label PNGs from this folder instead of DATASET/SegmentationClass "
        "(every *.png unless --split is given).",
    ),
]


def split_option(default: str = "", augmented: bool = True) -> Any:
    """The ``--split`` option; ``default`` tells what is read without it, ``augmented`` that the
    augmented training set's lists are read from their own folder."""
    aug = " (of trainaug, train_aug and aug, their labels in SegmentationClassAug/)" if augmented else ""
    return typer.Option("--split", "-s", help=f"Only the ids of ImageSets/Segmentation/<split>.txt{aug}.{default}")


SplitOption = Annotated[Optional[str], split_option()]


NumClassesOption = Annotated[
    Optional[int],
    typer.Option(
        "--num-classes", "-n", min=1, max=MAX_CLASSES,
        help="Classes are 0..N-1 (names class_<i>, or from class_names.txt). Default: the dataset's class_names.txt.",
    ),
]  # fmt: skip


#: convert's and export's: an imagePath that is a URL is fetched only when the user says so.
AllowImageUrlsOption = Annotated[
    bool,
    typer.Option(
        "--allow-image-urls",
        help="Fetch an imagePath that is a URL (http://, s3://, ...); by default images are only read beside their annotation.",
    ),
]


# The split options convert and split share.
ValFractionOption = Annotated[float, typer.Option("--val-fraction", min=0.0, max=1.0, help="Share of images listed in val.txt.")]


SeedOption = Annotated[int, typer.Option("--seed", help="Seed of the train/val split.")]


StratifyOption = Annotated[
    bool,
    typer.Option("--stratify", help="Choose val so that every class held by two images or more is in train and in val."),
]


GroupOption = Annotated[
    Optional[str],
    typer.Option(
        "--group", metavar="REGEX",
        help="Keep the images of one group on one side of the split (frames of one video, tiles of one scene): a "
        "regular expression searched in each id, whose first group (or whole match) names the image's group; "
        "'^(.+)_\\d+$' puts seq01_000123 with seq01_000124. Default: the one the dataset records (dataset_meta.json); "
        "for a video's frames (CVAT for video), runs of neighbouring frames; '' none.",
    ),
]


JsonOption = Annotated[
    Optional[str],
    typer.Option("--json", metavar="FILE", help="Also write the results as JSON to FILE; - writes them to stdout (the tables go to stderr then)."),
]


def emit_json(path: str, data: Any) -> None:
    """Write a command's ``--json`` results: to FILE (atomically), or with ``-`` to stdout."""
    import sys

    from labeltools.core.files import json_text

    data = _without_secrets(data)
    if path == "-":
        sys.stdout.write(json_text(data, indent=2) + "\n")
        return
    from labeltools.formats.labels import write_json

    write_json(path, data)
    wrote(path)


def _check_json_place(path: Optional[str]) -> None:
    """Refuse a ``--json FILE`` that could not be written, before the work that fills it."""
    if path is None or path == "-":
        return
    from labeltools.core.errors import OutputError
    from labeltools.engine.storage import ensure_dir, is_remote, location

    target = location(path)
    if is_remote(target):
        return
    if target.is_dir():
        raise OutputError(f"{path}: is a folder; --json takes the file to write")
    folder = ensure_dir(target.parent)
    if not os.access(folder, os.W_OK):
        raise OutputError(f"{path}: cannot write (permission denied in {folder})")


def _without_secrets(data: Any) -> Any:
    """``data`` with every secret of :func:`hide_secrets_of` in its strings replaced by ``***``."""
    if not _secrets:
        return data
    if isinstance(data, str):
        for secret in sorted(_secrets, key=len, reverse=True):
            data = re.sub(re.escape(secret), "***", data, flags=re.IGNORECASE)
        return data
    if isinstance(data, dict):
        return {_without_secrets(k): _without_secrets(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_without_secrets(v) for v in data]
    return data


def _choices(name: str, values: Iterable[str]) -> Any:
    """A ``str`` Enum whose members are ``values``: typer offers an Enum's values as choices."""
    return Enum(name, [(value, value) for value in values], type=str)


# Choices built from the library's tuples, so each list of names is written once. The type
# checker cannot follow an Enum made at run time and sees plain Enums.
if TYPE_CHECKING:
    UnknownLabel = Enum
    ExportTarget = Enum
    ExportObjects = Enum
    ImageFormatChoice = Enum
    OverlapChoice = Enum
    LabelmeRulesChoice = Enum
    SchemeChoice = Enum
    MissingChoice = Enum
    ConflictChoice = Enum
    SourceChoice = Enum
else:
    UnknownLabel = _choices("UnknownLabel", UNKNOWN_POLICIES)
    ExportTarget = _choices("ExportTarget", EXPORT_TARGETS)
    ExportObjects = _choices("ExportObjects", EXPORT_OBJECTS)
    ImageFormatChoice = _choices("ImageFormatChoice", IMAGE_FORMATS)
    OverlapChoice = _choices("OverlapChoice", OVERLAP_RULES)
    LabelmeRulesChoice = _choices("LabelmeRulesChoice", LABELME_RULES)
    SchemeChoice = _choices("SchemeChoice", SCHEMES)
    MissingChoice = _choices("MissingChoice", MISSING_POLICIES)
    ConflictChoice = _choices("ConflictChoice", ON_CONFLICT)
    SourceChoice = _choices("SourceChoice", SOURCE_FORMATS)

SourceOption = Annotated[
    Optional[SourceChoice],
    typer.Option("--from", help="The tool the annotations come from (masks: masks beside their images; yolo: a YOLO segmentation dataset, its data.yaml). Default: found from the files.", show_default=False),
]

ConfigOption = Annotated[
    Optional[str],
    typer.Option(
        "--config",
        metavar="NAME",
        help="Of a Hugging Face dataset of several configurations, the one to read, by the name load_dataset(path, NAME) takes "
        "(its card's config_name, or its folder's). Default: the only one, else the one its card marks default.",
        show_default=False,
    ),
]

ImagesDirOption = Annotated[
    Optional[str],
    typer.Option(
        "--images",
        help="Folder (or .zip) to look for the images of annotations (labelme, COCO, CVAT, Datumaro, Label Studio, Cityscapes, ISAT) and of masks in first, by path then by file name.",
        show_default=False,
    ),
]

LabelmeRulesOption = Annotated[
    Optional[LabelmeRulesChoice],
    typer.Option(
        "--labelme-rules",
        help="Draw shapes as labelme 7.9.1 (7, the default) or 6.3.1 (6) does; converting into an earlier dataset keeps the rules it records.",
        show_default=False,
    ),
]


def wrote(path: str) -> None:
    """Say on stderr that a file was written."""
    say(f"wrote {path}")


def _terminate(signum: int, frame: Any) -> None:
    raise Terminated()


def _ignored(unraisable: Any) -> None:
    """What Python would print as "Exception ignored in ...": the clean-up of objects a failed
    write left behind (a full disk leaves openpyxl's streams and zip file half closed). The
    failure itself was said in one line; the clean-up's complaints go to the ``-v`` log."""
    with contextlib.suppress(Exception):
        logging.getLogger("labeltools.cli").debug("ignored while cleaning up %r: %s", unraisable.object, unraisable.exc_value)


def main() -> None:
    """Console-script entry point. SIGTERM stops a command as Ctrl-C does (see :func:`report_batch`)."""
    import signal
    import sys

    signal.signal(signal.SIGTERM, _terminate)
    sys.unraisablehook = _ignored
    app(prog_name="labeltools")

