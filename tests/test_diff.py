"""labeltools diff: what changed between two versions of a dataset's labels."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from conftest import make_voc
from typer.testing import CliRunner

from labeltools.cli import app
from labeltools.formats.labels import write_label
from labeltools.jobs.diff import diff_datasets
from labeltools.ops.metrics import change_counts

runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def versions(tmp_path: Path) -> tuple[Path, Path, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Two label folders: ``a`` and ``b`` in both (b's labels re-annotated), ``gone`` only in
    the old, ``added`` only in the new."""
    rng = np.random.default_rng(0)
    old, new = {}, {}
    for image_id in ("a", "b"):
        label = rng.integers(0, 3, (12, 16)).astype(np.uint8)
        old[image_id] = label
        new[image_id] = label.copy()
    new["b"][:3] = 255  # a void band
    new["b"][5:8, 2:6] = 2
    old["gone"] = np.zeros((4, 4), np.uint8)
    new["added"] = np.ones((4, 4), np.uint8)
    for folder, labels in (("old", old), ("new", new)):
        (tmp_path / folder).mkdir()
        for image_id, label in labels.items():
            write_label(tmp_path / folder / f"{image_id}.png", label)
    return tmp_path / "old", tmp_path / "new", old, new


def test_change_counts_are_a_bincount_of_value_pairs() -> None:
    rng = np.random.default_rng(1)
    for _ in range(50):
        old = rng.choice([0, 1, 2, 255], (rng.integers(1, 20), rng.integers(1, 20))).astype(np.uint8)
        new = np.where(rng.random(old.shape) < 0.3, rng.choice([0, 3, 255], old.shape), old).astype(np.uint8)
        cells, counts = change_counts(old, new)
        expected = np.bincount(old.ravel().astype(np.intp) * 256 + new.ravel(), minlength=65536)
        np.testing.assert_array_equal(cells, np.flatnonzero(expected))
        np.testing.assert_array_equal(counts, expected[cells])


def test_the_change_matrix_per_file_shares_and_the_ids_only_one_version_holds(tmp_path: Path) -> None:
    old_dir, new_dir, old, new = versions(tmp_path)
    run_ = diff_datasets(old_dir, new_dir, jobs=1)
    assert [r.ok for r in run_] == [True, True]
    changes = run_.changes
    expected = np.zeros((256, 256), np.int64)
    for image_id in ("a", "b"):
        np.add.at(expected, (old[image_id].ravel(), new[image_id].ravel()), 1)
    np.testing.assert_array_equal(changes.matrix, expected)
    changed_b = int((old["b"] != new["b"]).sum())
    assert changes.changed_pixels == changed_b > 0
    report = run_.to_dict()
    assert report["only_in_old"] == ["gone"] and report["only_in_new"] == ["added"]
    assert report["per_file"][0] == {"id": "b", "changed_pixels": changed_b, "pixels": 192, "changed_share": changed_b / 192}
    assert report["per_file"][1]["changed_pixels"] == 0
    void = next(r for r in report["classes"] if r["index"] == 255)
    assert void == {"index": 255, "name": "void", "old_pixels": 0, "new_pixels": 48, "change": 48, "change_share": None}
    assert "void" in report["grew"]
    # Every off-diagonal cell is listed once, largest first, and they add up to the changed pixels.
    moved = report["changes"]
    assert sum(m["pixels"] for m in moved) == changed_b
    assert [m["pixels"] for m in moved] == sorted((m["pixels"] for m in moved), reverse=True)
    assert all(m["pixels"] == expected[m["from"], m["to"]] for m in moved)


def test_cli_table_json_and_a_pair_of_different_sizes(tmp_path: Path) -> None:
    old_dir, new_dir, _, _ = versions(tmp_path)
    write_label(old_dir / "odd.png", np.zeros((5, 5), np.uint8))
    write_label(new_dir / "odd.png", np.zeros((6, 5), np.uint8))
    result = run("diff", old_dir, new_dir, "--json", tmp_path / "d.json", "-j", "1")
    assert result.exit_code == 1  # one pair failed; the others were still compared
    assert "odd.png: size mismatch" in result.stderr and "compared 2, failed 1" in result.stderr
    assert "only in" in result.stdout and "gone" in result.stdout and "added" in result.stdout
    data = json.loads((tmp_path / "d.json").read_text())
    assert data["files"] == 2 and data["failed"] == 1 and data["failures"][0]["file"].endswith("odd.png")
    assert "largest changes" in result.stdout and "void" in result.stdout


def test_voc_folders_and_their_class_names(tmp_path: Path) -> None:
    label = np.zeros((6, 8), np.uint8)
    label[:3] = 1
    changed = label.copy()
    changed[:3] = 2
    make_voc(tmp_path / "v1", {"x": label})
    make_voc(tmp_path / "v2", {"x": changed})
    result = run("diff", tmp_path / "v1", tmp_path / "v2", "--json", "-")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["changes"] == [{"from": 1, "from_name": "cat", "to": 2, "to_name": "dog", "pixels": 24}]
    assert data["shrank"] == ["cat"] and data["grew"] == ["dog"]


def test_a_missing_or_empty_folder_is_named(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = run("diff", tmp_path / "nowhere", tmp_path / "empty")
    assert result.exit_code == 1 and "nowhere: no such folder" in result.stderr
    result = run("diff", tmp_path / "empty", tmp_path / "empty")
    assert result.exit_code == 1 and "no label files (.png)" in result.stderr
