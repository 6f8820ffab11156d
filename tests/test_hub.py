"""Hugging Face datasets as downloaded from the Hub (``data/<split>-00000-of-00001.parquet`` beside
``id2label.json``) and as ``save_to_disk`` keeps them: written by the ``datasets`` library itself
(in an environment of its own, tests/consumers.py), as ``push_to_hub`` writes its shards, and read
back by it; every label map we write equals the one ``datasets`` decodes, every image its size."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from consumers import run_in
from exports import hub_repository, photo, write_hub_parquet
from labeltools.cli import app
from labeltools.formats.labels import read_label

runner = CliRunner()

NAMES = {"0": "background", "1": "road", "2": "car", "3": "person"}

#: Builds a DatasetDict of the files the spec names, writes each split's shard as push_to_hub does
#: (its files' bytes embedded) and the whole as save_to_disk does, then decodes both as a user's
#: training script would, saving each row's label map and image as arrays.
DATASETS_SCRIPT = r"""
import json, sys
from pathlib import Path
import numpy as np
from datasets import Dataset, DatasetDict, Image, Value, load_dataset, load_from_disk
from datasets.table import embed_table_storage

spec = json.loads(Path(sys.argv[1]).read_text())
hub, saved, ref = (Path(p) for p in sys.argv[2:5])
splits = {}
for split, rows in spec.items():
    ds = Dataset.from_dict({
        "image": [r["image"] for r in rows], "annotation": [r["label"] for r in rows],
        "scene_category": [n for n, _ in enumerate(rows)],
    })
    ds = ds.cast_column("image", Image()).cast_column("annotation", Image()).cast_column("scene_category", Value("int64"))
    ds = ds.with_format("arrow").map(embed_table_storage, batched=True).with_format(None)
    ds.to_parquet(str(hub / "data" / f"{split}-00000-of-00001.parquet"))
    splits[split] = ds
DatasetDict(splits).save_to_disk(str(saved))
files = {split: str(hub / "data" / f"{split}-00000-of-00001.parquet") for split in spec}
for name, loaded in (("hub", load_dataset("parquet", data_files=files)), ("saved", load_from_disk(str(saved)))):
    for split in spec:
        for n, row in enumerate(loaded[split]):
            if row["annotation"] is None:
                continue
            stem = Path(spec[split][n]["image"]).stem
            np.save(ref / f"{name}-{stem}-label.npy", np.asarray(row["annotation"]))
            np.save(ref / f"{name}-{stem}-image.npy", np.asarray(row["image"].convert("RGB")))
print("ok")
"""


def cli(*args: Any) -> Any:
    return runner.invoke(app, [str(a) for a in args])


def said(result: Any) -> str:
    return " ".join(result.stderr.split())


def _label(path: Path, values: np.ndarray, mode: str) -> None:
    image = Image.fromarray(values.astype(np.uint8))
    if mode == "P":
        image = image.convert("P")
        image.putpalette([v for i in range(256) for v in (i * 7 % 256, i * 13 % 256, i * 29 % 256)])
    image.save(path)


def _upright_jpeg(path: Path, width: int, height: int) -> None:
    """A camera JPEG stored ``height`` x ``width`` and shown turned a quarter (EXIF orientation 6)."""
    photo(path, height, width, seed=7)
    image = Image.open(path)
    exif = image.getexif()
    exif[0x0112] = 6
    image.save(path, exif=exif.tobytes(), quality=95)


@pytest.fixture(scope="module")
def hub_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``root/hub`` (Parquet shards and id2label.json), ``root/saved`` (save_to_disk) and
    ``root/ref`` (what datasets decodes), of train a, b (shown upright by EXIF), c (a PNG),
    validation d and test e (no label map)."""
    root = tmp_path_factory.mktemp("hf")
    raw, hub, ref = root / "raw", root / "hub", root / "ref"
    for folder in (raw / "labels", hub / "data", ref):
        folder.mkdir(parents=True)
    rng = np.random.default_rng(3)
    sizes = {"a": (48, 32), "b": (32, 48), "c": (40, 30), "d": (36, 28), "e": (20, 20)}  # width, height as shown
    spec: dict[str, list[dict[str, Any]]] = {"train": [], "validation": [], "test": []}
    for stem, (width, height) in sizes.items():
        if stem == "b":
            _upright_jpeg(raw / "b.jpg", width, height)
        else:
            photo(raw / f"{stem}.{'png' if stem == 'c' else 'jpg'}", width, height, seed=ord(stem))
        values = rng.choice(np.array([0, 1, 2, 3, 255]), size=(height, width))
        _label(raw / "labels" / f"{stem}.png", values, "P" if stem in ("b", "d") else "L")
        split = {"d": "validation", "e": "test"}.get(stem, "train")
        image = raw / f"{stem}.{'png' if stem == 'c' else 'jpg'}"
        spec[split].append({"image": str(image), "label": None if stem == "e" else str(raw / "labels" / f"{stem}.png")})
    (raw / "spec.json").write_text(json.dumps(spec))
    done = run_in("datasets", DATASETS_SCRIPT, root, str(raw / "spec.json"), str(hub), str(root / "saved"), str(ref))
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr[-3000:]
    (hub / "id2label.json").write_text(json.dumps(NAMES))
    return root


def _same_as_datasets(out: Path, ref: Path, which: str, ids: list[str]) -> None:
    for stem in ids:
        expected = np.load(ref / f"{which}-{stem}-label.npy")
        np.testing.assert_array_equal(read_label(out / "SegmentationClass" / f"{stem}.png"), expected, err_msg=stem)
        shown = np.load(ref / f"{which}-{stem}-image.npy")
        with Image.open(out / "JPEGImages" / f"{stem}.jpg") as image:
            assert (image.height, image.width) == shown.shape[:2], stem
            written = np.asarray(image.convert("RGB"), dtype=np.int16)
        assert np.abs(written - shown).mean() < 4, stem  # the same picture, the right way up (JPEG aside)


def test_a_hub_download_converts_as_datasets_decodes_it(hub_dataset: Path, tmp_path: Path) -> None:
    """The repository's folder as downloaded: the splits of the shards' names, the ids of the
    images' recorded names, the classes of id2label.json, the test split's rows (no label map)
    left out and said, a JPEG kept as its bytes, the EXIF-turned one upright."""
    out = tmp_path / "voc"
    result = cli("convert", hub_dataset / "hub", out, "-j", "2")
    assert result.exit_code == 0, result.output
    text = said(result)
    assert "images in image, label maps in annotation" in text and "reading a Hugging Face dataset's rows: 4 image(s)" in text, text
    assert "test-00000-of-00001.parquet: 1 row(s) without a label map left out" in text, text
    assert f"classes: 4, {hub_dataset / 'hub' / 'id2label.json'}" in text, text
    assert (out / "class_names.txt").read_text().splitlines() == list(NAMES.values())
    assert sorted((out / "ImageSets" / "Segmentation" / "train.txt").read_text().split()) == ["a", "b", "c"]
    assert (out / "ImageSets" / "Segmentation" / "val.txt").read_text().split() == ["d"]
    _same_as_datasets(out, hub_dataset / "ref", "hub", ["a", "b", "c", "d"])
    assert (out / "JPEGImages" / "a.jpg").read_bytes() == (hub_dataset / "raw" / "a.jpg").read_bytes()
    assert not (out / "JPEGImages" / "e.jpg").exists()
    again = cli("convert", hub_dataset / "hub" / "data" / "train-00000-of-00001.parquet", out, "--resume")
    assert again.exit_code == 0 and "converted 0, skipped 3" in again.stderr, again.output
    stats = cli("stats", hub_dataset / "hub")  # where label maps are read: the command that converts it
    assert stats.exit_code == 1 and f"labeltools convert {hub_dataset / 'hub'} NEW_FOLDER makes a VOC dataset of it" in said(stats), stats.output
    exported = cli("export", hub_dataset / "hub", "--to", "coco", "-d", tmp_path / "coco")
    assert exported.exit_code == 1 and "a Hugging Face dataset's label maps hold no objects: convert them" in said(exported), exported.output


def test_a_saved_dataset_converts_with_its_classes_given(hub_dataset: Path, tmp_path: Path) -> None:
    """save_to_disk's folder (Arrow files beside its JSON) holds no class table: refused with the
    way out, then converted with -c, its label maps those load_from_disk decodes."""
    refused = cli("convert", hub_dataset / "saved", tmp_path / "none")
    assert refused.exit_code == 1 and "the dataset came with no class table (id2label.json" in said(refused), refused.output
    assert not (tmp_path / "none").exists()
    out = tmp_path / "voc"
    result = cli("convert", hub_dataset / "saved", out, "-c", hub_dataset / "hub" / "id2label.json", "-j", "1")
    assert result.exit_code == 0, result.output
    _same_as_datasets(out, hub_dataset / "ref", "saved", ["a", "b", "c", "d"])
    assert "data-00000-of-00001.arrow: 1 row(s) without a label map left out" in said(result)


def _cell(data: bytes | None, name: str | None = None) -> dict[str, Any]:
    return {"bytes": data, "path": name}


def _png(values: np.ndarray, mode: str = "L") -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(values.astype(np.uint8), mode=None).convert(mode).save(buffer, format="PNG")
    return buffer.getvalue()


def _jpeg(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (120, 30, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_columns_are_told_apart_or_refused_and_a_bad_row_fails_alone(tmp_path: Path) -> None:
    """Columns of other names: the label map's column is the one of single-channel images (said);
    a file of one image column is refused naming its columns; a row whose label map is another
    size than its image fails alone, named by its row, the others converted (exit 1)."""
    label = np.zeros((6, 8), np.uint8)
    label[2:4, 2:6] = 1
    rows = [_cell(_jpeg(8, 6), "x.jpg"), _cell(_jpeg(8, 6), "y.jpg"), _cell(_jpeg(8, 6), "z.jpg")]
    maps = [_cell(_png(label)), _cell(_png(label[:5])), _cell(_png(label))]
    root = tmp_path / "repo"
    write_hub_parquet(root / "data" / "train-00000-of-00001.parquet", {"picture": rows, "truth": maps})
    (root / "id2label.json").write_text(json.dumps({"0": "background", "1": "crack"}))
    result = cli("convert", root, tmp_path / "voc", "-j", "1")
    text = said(result)
    assert result.exit_code == 1, result.output
    assert "images in picture, label maps in truth (its first image holds one value per pixel)" in text, text
    assert "train-00000-of-00001.parquet: row 1's label map: the mask is 8x5 (width x height) and its image y.jpg 8x6" in text, text
    assert sorted(p.stem for p in (tmp_path / "voc" / "SegmentationClass").glob("*.png")) == ["x", "z"]
    np.testing.assert_array_equal(read_label(tmp_path / "voc" / "SegmentationClass" / "z.png"), label)
    lone = write_hub_parquet(tmp_path / "lone" / "train.parquet", {"image": rows})
    refused = cli("convert", lone, tmp_path / "none")
    assert refused.exit_code == 1 and f"{lone}: holds 1 column(s) of images (image; its columns: image)" in said(refused), refused.output
    plain = write_hub_parquet(tmp_path / "plain" / "train.parquet", {"img": rows, "mask": maps}, features=False)
    result = cli("convert", plain, tmp_path / "plain-voc", "-c", root / "id2label.json", "--from", "hub", "-j", "1")
    assert "images in img, label maps in mask" in said(result) and (tmp_path / "plain-voc" / "SegmentationClass" / "x.png").is_file(), result.output


def test_without_pyarrow_a_hub_file_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_hub_parquet(tmp_path / "data" / "train-00000-of-00001.parquet", {"image": [_cell(_jpeg(4, 4))], "label": [_cell(_png(np.zeros((4, 4))))]})
    from labeltools.formats import hub

    hub.hub_layout.cache_clear()
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    result = cli("convert", path, tmp_path / "voc")
    assert result.exit_code == 1 and said(result) == 'error: reading a Hugging Face dataset\'s Parquet files needs pyarrow: pip install "labeltools[hub]"', result.output
