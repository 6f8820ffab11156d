"""The ``labeltools`` command line: parse, call one library function, report.

:mod:`labeltools.cli.shared` holds the app and what the commands share; one module per command
group registers its commands on it, each importing its library job only when it runs.

The command modules keep real annotations (no ``from __future__ import annotations``): typer reads
every command's signature at each start, and would otherwise compile each annotation string anew.
"""

from labeltools.cli import colours, inspection, prepare, scoring  # noqa: F401  (registers the commands)
from labeltools.cli.shared import app, main

__all__ = ["app", "main"]
