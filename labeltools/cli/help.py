"""``--help`` of a labeltools command, drawn by us so that it reads one way whatever typer's
version: paragraphs reflowed, an ``Examples:`` paragraph one command a line, placeholders in
capitals (``FILE``, ``N``, a choice's ``a|b|c``; none on a flag), and a long word folded, never cut
with "...". Only ``--help`` imports this module.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

#: The placeholder of an option's value, by option; others get one by type (``N``, ``NUMBER``,
#: ``TEXT``), flags none, choices their values.
PLACEHOLDERS = {
    "--classes": "TABLE", "--num-classes": "N", "--output": "FILE", "--output-dir": "FOLDER",
    "--labels-dir": "FOLDER", "--split": "NAME", "--jobs": "N", "--seed": "N", "--folds": "K",
    "--val-fraction": "FRACTION", "--name": "NAME", "--line-width": "PIXELS", "--point-size": "PIXELS",
    "--tolerance": "DISTANCE", "--index-map": "MAP", "--top": "N", "--step": "K", "--max-cells": "N",
    "--sheet": "NAME", "--plot": "FILE", "--csv": "FILE", "--excel": "FILE", "--enet-c": "C",
    "--beta": "BETA", "--ignore-index": "VALUE",
}  # fmt: skip
_BY_TYPE = {"int": "N", "integer": "N", "float": "NUMBER"}
#: The longest list of choices written as the placeholder itself (``error|ignore|background``);
#: a longer one is named by its option and listed in the help text.
CHOICES_WIDTH = 24


def reflow(text: str) -> str:
    """``text`` with each paragraph joined into one line (the terminal wraps it), except an
    ``Examples:`` paragraph, whose lines stay one command each, indented."""
    paragraphs = []
    for paragraph in inspect.cleandoc(text).split("\n\n"):
        lines = [line.strip() for line in paragraph.splitlines()]
        if lines and lines[0] == "Examples:":
            paragraphs.append("\n".join([lines[0], *(f"  {line}" for line in lines[1:])]))
        else:
            paragraphs.append(" ".join(lines))
    return "\n\n".join(paragraphs)


def _described(param: Any) -> tuple[list[str] | None, str]:
    """A parameter's choices (or None) and the name of its value type, from typer's type
    descriptor (0.29 and later) or click's ParamType (before)."""
    described = getattr(param, "type_descriptor", None)
    if described is not None:
        choices, kind = described.choices, getattr(described.annotation, "__name__", "")
    else:
        kind_type = getattr(param, "type", None)
        choices, kind = getattr(kind_type, "choices", None), getattr(kind_type, "name", "")
    values = None if not choices else [str(getattr(c, "value", c)) for c in choices]
    return values, kind.replace(" range", "")


def argument_name(param: Any) -> str:
    """An argument as usage and errors write it: ``DATASET``, ``INPUT...``."""
    name = param.metavar or param.name.upper()
    return name + ("..." if param.nargs != 1 and not name.endswith("...") else "")


def placeholder(param: Any) -> str:
    """The placeholder of an option's value ("" for a flag)."""
    if param.is_flag:
        return ""
    if param.metavar:
        return str(param.metavar)
    choices, kind = _described(param)
    if choices and len("|".join(choices)) <= CHOICES_WIDTH:
        return "|".join(choices)
    if choices:
        return max(param.opts, key=len).lstrip("-").upper()
    return PLACEHOLDERS.get(max(param.opts, key=len), _BY_TYPE.get(kind, "TEXT"))


def _range(param: Any) -> str:
    """``1..255``, ``min 0`` or "" for a number option's allowed range."""
    low = getattr(param, "min", getattr(getattr(param, "type", None), "min", None))
    high = getattr(param, "max", getattr(getattr(param, "type", None), "max", None))
    if low is not None and high is not None:
        return f"{low}..{high}"
    if low is not None:
        return f"min {low}"
    if high is not None:
        return f"max {high}"
    return ""


def _default(param: Any) -> str:
    """The default worth showing, or ""."""
    default = param.default
    if param.is_flag or default is None or param.show_default is False or callable(default):
        return ""
    if isinstance(param.show_default, str):
        return param.show_default
    value = getattr(default, "value", default)
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) if value else ""
    return str(value)


def option_help(param: Any) -> Text:
    """An option's help text with its choices, range, default and environment variable."""
    text = reflow(param.help or "")
    choices, _ = _described(param)
    if choices and len("|".join(choices)) > CHOICES_WIDTH:
        text = f"{text} One of: {', '.join(choices)}.".strip()
    extras = []
    allowed = _range(param)
    if allowed:
        extras.append(allowed)
    default = _default(param)
    if default:
        extras.append(f"default: {default}")
    if param.envvar:
        extras.append(f"env var: {param.envvar}")
    if param.required:
        extras.append("required")
    help_text = Text(text, overflow="fold")
    if extras:
        help_text.append((" " if text else "") + " ".join(f"[{e}]" for e in extras), style="dim")
    return help_text


def usage(command: Any, ctx: Any) -> str:
    """``labeltools convert [OPTIONS] INPUT... [OUTPUT]``. An argument of many values followed by
    another is written bare: click cannot require it (the last value given goes to the argument
    after it), so the command checks it itself."""
    words = [ctx.command_path, "[OPTIONS]"]
    arguments = [param for param in command.params if param.param_type_name == "argument"]
    for n, param in enumerate(arguments):
        name = argument_name(param)
        bare = param.required or (param.nargs == -1 and n + 1 < len(arguments))
        words.append(name if bare else f"[{name}]")
    return " ".join(words)


def _panel(title: str, rows: Sequence[Sequence[Text | str]], ratios: Sequence[int | None]) -> Panel:
    grid = Table.grid(padding=(0, 2), expand=True)
    for ratio in ratios:
        grid.add_column(ratio=ratio, overflow="fold", no_wrap=ratio is None)
    for row in rows:
        grid.add_row(*row)
    return Panel(grid, title=title, title_align="left", border_style="dim")


def _head(console: Console, usage_line: str, help_text: str | None) -> None:
    """The usage line and the help's paragraphs, the first in bold."""
    console.print()
    console.print(Text.assemble(" Usage: ", (usage_line, "bold")))
    console.print()
    for number, paragraph in enumerate(reflow(help_text or "").split("\n\n")):
        console.print(Padding(Text(paragraph, style="bold" if number == 0 else "", overflow="fold"), (0, 0, 0, 1)))
        console.print()


def _options(command: Any, ctx: Any) -> Panel:
    """The Options panel: each option's names, placeholder and help."""
    rows = []
    for param in command.get_params(ctx):
        if param.param_type_name == "option" and not param.hidden:
            names = sorted(param.opts, key=len, reverse=True)
            rows.append((
                Text(", ".join(names), style="bold"), Text(placeholder(param), style="yellow"), option_help(param),
            ))  # fmt: skip
    return _panel("Options", rows, (None, None, 1))


def _console() -> Console:
    return Console(highlight=False, markup=False, emoji=False)


def render_help(command: Any, ctx: Any) -> None:
    """Print ``command``'s help on stdout."""
    console = _console()
    _head(console, usage(command, ctx), command.help)
    arguments = [p for p in command.params if p.param_type_name == "argument"]
    if arguments:
        rows: list[tuple[Text, ...]] = []
        for param in arguments:
            help_text = Text(reflow(param.help or ""), overflow="fold")
            if param.required:
                help_text.append(" [required]", style="dim")
            rows.append((Text(argument_name(param), style="bold"), help_text))
        console.print(_panel("Arguments", rows, (None, 1)))
    console.print(_options(command, ctx))


def summary(command: Any) -> str:
    """A command's line in the list of commands: the first paragraph of its help, reflowed
    (never cut short)."""
    return reflow(command.short_help or command.help or "").split("\n\n")[0]


def render_group_help(group: Any, ctx: Any) -> None:
    """Print the top command's help on stdout: its options, then the commands in their panels
    (``rich_help_panel``), in the order they were added, each with its :func:`summary`."""
    console = _console()
    _head(console, f"{ctx.command_path} [OPTIONS] COMMAND [ARGS]...", group.help)
    console.print(_options(group, ctx))
    panels: dict[str, list[tuple[Text, Text]]] = {}
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is not None and not command.hidden:
            panel = getattr(command, "rich_help_panel", None) or "Commands"
            panels.setdefault(panel, []).append((Text(name, style="bold"), Text(summary(command), overflow="fold")))
    for title, rows in panels.items():
        console.print(_panel(title, rows, (None, 1)))
