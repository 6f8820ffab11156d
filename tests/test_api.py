"""The flat public API: every name importable from ``labeltools``, loaded on first use, so that
``import labeltools`` costs next to nothing."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import labeltools

INIT = Path(labeltools.__file__)


def test_import_labeltools_loads_no_heavy_module() -> None:
    code = (
        "import sys, labeltools\n"
        "heavy = [m for m in ('numpy', 'PIL', 'openpyxl', 'rich', 'typer', 'distributed', 'fsspec') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_every_public_name_resolves_to_its_module() -> None:
    for name, module in labeltools._EXPORTS.items():
        value = getattr(labeltools, name)
        assert getattr(sys.modules[module], name) is value, name
    assert sorted(labeltools.__all__) == sorted([*labeltools._EXPORTS, "__version__"])
    assert dir(labeltools) == sorted(labeltools.__all__)


def test_type_checkers_see_the_same_names() -> None:
    tree = ast.parse(INIT.read_text())
    block = next(n for n in tree.body if isinstance(n, ast.If) and getattr(n.test, "id", "") == "TYPE_CHECKING")
    seen = {alias.name: node.module for node in block.body for alias in node.names}  # type: ignore[attr-defined]
    assert seen == labeltools._EXPORTS


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        labeltools.no_such_name  # noqa: B018
    except AttributeError as exc:
        assert "no attribute 'no_such_name'" in str(exc)
    else:
        raise AssertionError("no AttributeError")


def test_the_command_line_starts_without_the_library() -> None:
    """``labeltools --version`` and ``--help`` need typer and rich only: each command imports
    its job as it runs."""
    code = (
        "import sys\n"
        "from labeltools.cli import app\n"
        "try:\n"
        "    app(['--version'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('numpy', 'PIL', 'openpyxl', 'distributed', 'fsspec') if m in sys.modules]\n"
        "print('heavy:' + ','.join(heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == [f"labeltools {labeltools.__version__}", "heavy:"]


def test_a_batch_dropped_without_running_says_so_and_run_does_the_work(tmp_path: Path) -> None:
    """Called as a statement, convert_labelme checks everything and writes nothing: dropping a
    batch that never ran warns, naming how to run it; .run() runs it to its end."""
    import pytest

    from labeltools.jobs.convert import SAMPLE_DIR

    with pytest.warns(RuntimeWarning, match=r"^a Conversion of 8 item\(s\) was dropped without running: iterate it .* or call its \.run\(\)"):
        labeltools.convert_labelme(SAMPLE_DIR, tmp_path / "lazy", jobs=1)
    assert not (tmp_path / "lazy").exists()
    import numpy as np

    from labeltools.jobs.evaluate import evaluate_dataset

    (tmp_path / "gt").mkdir()
    labeltools.write_label(tmp_path / "gt" / "a.png", np.zeros((2, 2), np.uint8))
    with pytest.warns(RuntimeWarning, match=r"^an Evaluation of 1 item\(s\) was dropped without running"):
        evaluate_dataset(tmp_path / "gt", tmp_path / "gt", num_classes=2)
    results = labeltools.convert_labelme(SAMPLE_DIR, tmp_path / "ran", jobs=1).run()
    assert len(results) == 8 and all(r.ok for r in results)
    assert len(list((tmp_path / "ran" / "SegmentationClass").iterdir())) == 8
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a batch that ran is dropped in silence
        for result in labeltools.convert_labelme(SAMPLE_DIR, tmp_path / "iterated", jobs=1):
            assert result.ok
