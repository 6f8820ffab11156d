"""The HTML report: one self-contained file that opens with no network (its styles, scripts,
charts and pictures are inside it).

The page is a Jinja2 template (``templates/report.html``, autoescaped: text from data is never
markup); the charts are drawn in the browser by plotly.js, read from the ``plotly`` package
without importing it. Both come with the ``report`` extra, loaded only when a report is made.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

from labeltools.core._types import PathLike
from labeltools.core.errors import ReportError
from labeltools.core.files import json_text
from labeltools.engine.storage import atomic_write

INSTALL_HINT = 'pip install "labeltools[report]"'


def plotly_js() -> str:
    """plotly.js (minified) as shipped in the ``plotly`` package.

    Raises:
        ReportError: plotly is not installed (saying how to install it).
    """
    spec = importlib.util.find_spec("plotly")
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in folders:
        path = Path(folder) / "package_data" / "plotly.min.js"
        if path.is_file():
            # A script element ends at the first "</script": the bundle must not hold one.
            return re.sub(r"</(script)", r"<\\/\1", path.read_text(encoding="utf-8"), flags=re.IGNORECASE)
    raise ReportError(f"a report draws its charts with plotly.js, from the plotly package: {INSTALL_HINT}")


def _environment() -> Any:
    try:
        import jinja2
    except ImportError:
        raise ReportError(f"a report is built from Jinja2 templates: {INSTALL_HINT}") from None
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def require_report_libraries() -> None:
    """Check that Jinja2 and plotly are there, before any file is read.

    Raises:
        ReportError: one is missing (saying how to install both).
    """
    _environment()
    if importlib.util.find_spec("plotly") is None:
        raise ReportError(f"a report draws its charts with plotly.js, from the plotly package: {INSTALL_HINT}")


def render_report(page: dict[str, Any]) -> str:
    """The report page for ``page`` (see :class:`~labeltools.jobs.report.Report` for its
    keys); ``page["charts"]`` goes into the page as JSON, read by its script."""
    template = _environment().get_template("report.html")
    return str(template.render(**page, plotly_js=_markup(plotly_js()), charts_json=_json_markup(page["charts"])))


def _markup(text: str) -> Any:
    from markupsafe import Markup

    return Markup(text)


def _json_markup(value: Any) -> Any:
    """JSON safe inside a ``<script type="application/json">``: ``<``, ``>``, ``&`` and ``'``
    are written as escapes, so no text from data can close the element."""
    text = json_text(value, separators=(",", ":"))
    for char, escape in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("'", "\\u0027")):
        text = text.replace(char, escape)
    return _markup(text)


def write_report(path: PathLike, page: dict[str, Any]) -> None:
    """Render the report and write it as UTF-8, atomically."""
    text = render_report(page)
    with atomic_write(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
