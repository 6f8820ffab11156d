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
from labeltools.formats.labels import read_label, write_label

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


def test_stats_and_weights_count_a_hub_dataset_where_it_is(hub_dataset: Path, tmp_path: Path) -> None:
    """stats and weights read the repository's rows in place: stats' pixels are those of every
    label map datasets decodes (the test split's row left out); the train split's weights are
    the bytes weights writes of the dataset convert makes of it; a validation file given alone
    is weighted under val's name, the train weights kept; save_to_disk's folder, without a
    table, is counted by its values, and weighted only with its classes given."""
    import shutil

    hub, ref = shutil.copytree(hub_dataset / "hub", tmp_path / "hub"), hub_dataset / "ref"  # weights are written beside it
    decoded = {stem: np.load(ref / f"hub-{stem}-label.npy") for stem in "abcd"}
    stats = cli("stats", hub, "--json", tmp_path / "stats.json", "-j", "2")
    assert stats.exit_code == 0, stats.output
    assert f"labels: every split's 4 row(s) of 3 files ({hub / 'data'}" in said(stats), said(stats)
    assert "1 row(s) without a label map left out" in said(stats), said(stats)
    assert "4 row(s), " in stats.stdout, stats.stdout
    pixels = np.bincount(np.concatenate([m.ravel() for m in decoded.values()]), minlength=256)
    counted = json.loads((tmp_path / "stats.json").read_text())
    assert [row["pixels"] for row in counted["classes"]] == pixels[:4].tolist(), counted["classes"]
    assert counted["void_pixels"] == pixels[255] and counted["images"] == 4, counted

    weights = cli("weights", hub, "-j", "2")
    assert weights.exit_code == 0, weights.output
    assert f"classes: 4, from {hub / 'id2label.json'}, the list the dataset came with" in said(weights), said(weights)
    assert "labels: the train split's 3 row(s) of" in said(weights), said(weights)
    made = hub / "hub_classes_weights.npy"
    voc = tmp_path / "voc"
    assert cli("convert", hub, voc, "-j", "1").exit_code == 0
    assert cli("weights", voc, "-j", "1").exit_code == 0
    assert made.read_bytes() == (voc / "voc_classes_weights.npy").read_bytes()
    train = np.bincount(np.concatenate([decoded[s].ravel() for s in "abc"]), minlength=256)
    with_json = cli("weights", hub, "-o", tmp_path / "w.npy", "--json", tmp_path / "w.json")
    assert with_json.exit_code == 0, with_json.output
    assert json.loads((tmp_path / "w.json").read_text())["counts"]["pixels"] == train[:4].tolist()

    val = cli("weights", hub / "data" / "validation-00000-of-00001.parquet")
    assert val.exit_code == 0 and "labels: the val split's 1 row(s)" in said(val), val.output
    assert (hub / "hub_classes_weights_val.npy").is_file() and made.read_bytes() == (voc / "voc_classes_weights.npy").read_bytes()
    none = cli("weights", hub, "--split", "test")
    assert none.exit_code == 1 and "no row of" in said(none) and "holds a label map; nothing to count" in said(none), none.output
    missing = cli("stats", hub, "--split", "trainval2")
    assert missing.exit_code == 1 and "holds no trainval2 split of the Hugging Face dataset (its files' splits: test 1 file(s), train 1 file(s), validation 1 file(s))" in said(missing), missing.output

    saved = hub_dataset / "saved"
    looked = cli("stats", saved, "-j", "1")
    assert looked.exit_code == 0 and "classes: " not in said(looked), looked.output
    assert "values that are not classes" not in looked.stdout and "class_3" in looked.stdout, looked.stdout
    refused = cli("weights", saved)
    assert refused.exit_code == 1 and "the dataset came with no class table (id2label.json" in said(refused) and "their number with -n" in said(refused), refused.output
    assert not list(saved.glob("*.npy"))
    given = cli("weights", saved, "-c", hub / "id2label.json", "-o", tmp_path / "saved.npy")
    assert given.exit_code == 0 and (tmp_path / "saved.npy").read_bytes() == (tmp_path / "w.npy").read_bytes(), given.output


def test_check_finds_nothing_wrong_with_the_rows_datasets_decodes(hub_dataset: Path, tmp_path: Path) -> None:
    """check reads the rows where they are: the repository written by the datasets library, whose
    row b is a JPEG stored on its side and turned upright by its EXIF (as datasets decodes it, its
    label map's size), passes; its save_to_disk folder, without a table, passes with a warning."""
    hub = hub_dataset / "hub"
    result = cli("check", hub, "--json", tmp_path / "check.json", "-j", "2")
    assert result.exit_code == 0, result.output
    assert f"rows: every split's 4 row(s) of 3 files ({hub / 'data'}" in said(result), said(result)
    assert f"classes: {hub / 'id2label.json'}, the list the dataset came with" in said(result), said(result)
    assert "0 error(s), 0 warning(s) in 4 sample(s)" in result.stdout, result.stdout
    checked = json.loads((tmp_path / "check.json").read_text())
    assert checked["samples"] == 4 and checked["problems"] == [], checked
    saved = cli("check", hub_dataset / "saved", "-j", "1")
    assert saved.exit_code == 0, saved.output
    assert "0 error(s), 1 warning(s) in 4 sample(s)" in saved.stdout, saved.stdout
    assert "missing: label values are not checked against the classes; the dataset came with no class table" in " ".join(saved.stdout.split())


def test_check_names_each_bad_row_of_a_hub_dataset(tmp_path: Path) -> None:
    """Each problem is named by its row: a value no class, a label map of another size than its
    image, one kept in colour (convert is the way out, not remap), an image that cannot be read,
    a JPEG whose EXIF turns it so that its label map no longer fits, a validation row whose image
    is a train row's (byte for byte: the ids of a Hub dataset say nothing of its images), a train
    row whose image another train row holds (a warning); a class two train rows hold and no
    validation row is a warning on the validation file; exit 1, --json lists each; report lists
    the same."""
    crack = np.zeros((6, 8), np.uint8)
    crack[2:4, 2:6] = 1
    stray = crack.copy()
    stray[0, 0] = 7
    colour = np.zeros((6, 8, 3), np.uint8)
    colour[2:4, 2:6] = (128, 0, 0)
    turned = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # shown a quarter turned: 6x8 as the datasets library decodes it
    Image.new("RGB", (8, 6), (120, 30, 200)).save(turned, format="JPEG", exif=exif.tobytes())
    train = [
        (_cell(_jpeg(8, 6, (200, 0, 0)), "a.jpg"), _cell(_png(crack))),
        (_cell(_jpeg(8, 6, (0, 200, 0)), "b.jpg"), _cell(_png(stray))),
        (_cell(_jpeg(8, 6, (0, 0, 200)), "c.jpg"), _cell(_png(crack[:5]))),
        (_cell(_jpeg(8, 6, (200, 200, 0)), "d.jpg"), _cell(_png(colour, "RGB"))),
        (_cell(_jpeg(8, 6, (0, 200, 200))[:200], "e.jpg"), _cell(_png(crack))),
        (_cell(turned.getvalue(), "f.jpg"), _cell(_png(crack))),
        (_cell(_jpeg(8, 6, (0, 200, 0)), "g.jpg"), _cell(_png(crack))),  # b's image again
    ]
    root = tmp_path / "repo"
    data = root / "data"
    write_hub_parquet(data / "train-00000-of-00001.parquet", {"image": [i for i, _ in train], "label": [m for _, m in train]})
    validation = [_cell(_jpeg(8, 6, (90, 90, 90)), "v.jpg"), _cell(_jpeg(8, 6, (200, 0, 0)), "w.jpg")]  # w: a's image
    write_hub_parquet(data / "validation-00000-of-00001.parquet", {"image": validation, "label": [_cell(_png(np.zeros((6, 8))))] * 2})
    (root / "id2label.json").write_text(json.dumps({"0": "background", "1": "crack"}))
    result = cli("check", root, "--json", tmp_path / "problems.json", "-j", "2")
    assert result.exit_code == 1, result.output
    found = {(p["kind"], p["file"]): p["message"] for p in json.loads((tmp_path / "problems.json").read_text())["problems"]}
    train_file, val_file = str(data / "train-00000-of-00001.parquet"), str(data / "validation-00000-of-00001.parquet")
    assert found.pop(("label-values", f"{train_file}: row 1, label map")) == f"label value 7 is neither a class 0..1 ({root / 'id2label.json'}) nor 255 (void)"
    assert found.pop(("size-mismatch", f"{train_file}: row 2, label map")) == "label is 8x5 but its image is 8x6 (width x height)"
    assert found.pop(("label-mode", f"{train_file}: row 3, label map")).startswith(
        f"its label map is a colour image (mode RGB), not class indices: labeltools convert {data} NEW_FOLDER reads colour masks"
    )
    assert "cannot read image" in found.pop(("unreadable", f"{train_file}: row 4, image"))
    assert found.pop(("size-mismatch", f"{train_file}: row 5, label map")) == (
        "label is 8x6 but its image is 6x8 (width x height); the datasets library turns it upright by its EXIF orientation, as it is stored 8x6"
    )
    assert found.pop(("duplicate-image", f"{train_file}: row 6, image")) == f"the same image, byte for byte, as {train_file}: row 1, image: it counts twice"
    assert found.pop(("train-val-overlap", f"{val_file}: row 1, image")) == (
        f"the same image, byte for byte, as {train_file}: row 0, image (a train row): validation would score training images"
    )
    assert found.pop(("split-imbalance", val_file)).startswith("class 1 (crack) is in ")
    assert found == {}, found
    shown = " ".join(result.stdout.split())
    assert "6 error(s), 2 warning(s) in 9 sample(s)" in shown, shown
    reported = cli("report", root, "-o", tmp_path / "r.html", "--json", tmp_path / "r.json", "-j", "2")
    assert reported.exit_code == 1, reported.output
    listed = json.loads((tmp_path / "r.json").read_text())["problems"]
    assert sorted((p["kind"], p["file"]) for p in listed) == sorted((p["kind"], p["file"]) for p in json.loads((tmp_path / "problems.json").read_text())["problems"])


def _picture(html: str, image_id: str) -> np.ndarray:
    """The pixels of a report's gallery picture of ``image_id``."""
    import base64
    import re

    found = re.search(rf'id="img-{image_id}"[^>]*>\s*<img src="data:image/jpeg;base64,([^"]+)"', html)
    assert found, image_id
    with Image.open(io.BytesIO(base64.b64decode(found.group(1)))) as picture:
        return np.asarray(picture.convert("RGB")).astype(int)


def test_report_shows_a_hub_datasets_rows_drawn_as_datasets_decodes_them(hub_dataset: Path, tmp_path: Path) -> None:
    """report reads the rows where they are: the repository written by the datasets library gives
    a page of its four labelled rows by their ids, and its check; a photo stored on its side is
    drawn upright, as datasets decodes it; --pred of a dataset that came without its classes is
    refused with the ways to give them."""
    hub = hub_dataset / "hub"
    result = cli("report", hub, "-o", tmp_path / "r.html", "--json", tmp_path / "r.json", "-j", "2")
    assert result.exit_code == 0, result.output
    made = json.loads((tmp_path / "r.json").read_text())
    assert (made["images"], made["drawn"], made["errors"], made["warnings"]) == (4, 4, 0, 0), made
    html = (tmp_path / "r.html").read_text()
    for stem in "abcd":  # each row drawn in the shape datasets decodes (b upright: taller than wide)
        height, width = np.load(hub_dataset / "ref" / f"hub-{stem}-label.npy").shape
        shown = _picture(html, stem).shape
        assert shown[0] * width == pytest.approx(shown[1] * height, rel=0.1), (stem, shown, height, width)
    assert "Splits</b>:\ntrain: 3 images, val: 1 images</p>" in html

    stored = np.zeros((40, 80, 3), np.uint8)  # a photo stored upside down, of its label's size
    stored[:20] = (230, 20, 20)
    stored[20:] = (20, 20, 230)
    exif = Image.Exif()
    exif[0x0112] = 3  # shown turned half a turn, as datasets decodes it: blue above red
    turned = io.BytesIO()
    Image.fromarray(stored).save(turned, format="JPEG", exif=exif.tobytes(), quality=95)
    root = tmp_path / "turned"
    write_hub_parquet(root / "data" / "train-00000-of-00001.parquet", {"image": [_cell(turned.getvalue(), "t.jpg")], "label": [_cell(_png(np.zeros((40, 80))))]})
    (root / "id2label.json").write_text(json.dumps({"0": "background", "1": "crack"}))
    drawn = cli("report", root, "-o", tmp_path / "t.html", "-j", "1")
    assert drawn.exit_code == 0, drawn.output
    pixels = _picture((tmp_path / "t.html").read_text(), "t")
    assert pixels.shape[1] == 2 * pixels.shape[0], pixels.shape
    middle = pixels.shape[1] // 2
    assert pixels[2, middle, 2] > 150 > pixels[2, middle, 0] and pixels[-3, middle, 0] > 150 > pixels[-3, middle, 2], pixels[[2, -3], middle]

    (root / "id2label.json").unlink()  # scoring needs the classes: the ways to give them
    refused = cli("report", root, "--pred", tmp_path, "-o", tmp_path / "p.html")
    assert refused.exit_code == 1 and not (tmp_path / "p.html").exists(), refused.output
    assert f"{root}: scoring predictions needs the classes: the dataset came with no class table (id2label.json in its repository's folder" in said(refused), said(refused)


def test_evaluate_scores_predictions_against_a_hub_datasets_rows_where_they_are(hub_dataset: Path, tmp_path: Path) -> None:
    """Predictions named as convert names the rows' images (the file names they record) are
    scored against the label maps datasets decodes: the confusion matrix of every pixel not void
    in them; predictions of the validation rows alone score that split, said; the scores those of
    the dataset convert makes of it, and those report --pred shows of the rows."""
    hub, ref = hub_dataset / "hub", hub_dataset / "ref"
    rng = np.random.default_rng(5)
    preds = tmp_path / "preds"
    preds.mkdir()
    matrix = np.zeros((4, 4), np.int64)
    for stem in "abcd":
        truth = np.load(ref / f"hub-{stem}-label.npy")
        guess = np.where(rng.random(truth.shape) < 0.3, rng.integers(0, 4, truth.shape), np.where(truth == 255, 0, truth))
        Image.fromarray(guess.astype(np.uint8)).save(preds / f"{stem}.png")
        kept = truth != 255
        np.add.at(matrix, (truth[kept], guess[kept]), 1)
    result = cli("evaluate", hub, preds, "--json", tmp_path / "scores.json", "-j", "2")
    assert result.exit_code == 0, result.output
    assert "ground truth: every split's 4 row(s) of 3 files" in said(result), said(result)
    scores = json.loads((tmp_path / "scores.json").read_text())
    assert scores["confusion_matrix"] == matrix.tolist() and scores["images"] == 4, scores
    iou = np.diag(matrix) / (matrix.sum(0) + matrix.sum(1) - np.diag(matrix))
    assert scores["mean_iou"] == pytest.approx(iou.mean())
    voc = tmp_path / "voc"
    assert cli("convert", hub, voc, "-j", "1").exit_code == 0
    assert cli("evaluate", voc, preds, "--split", "trainval", "--json", tmp_path / "voc.json").exit_code == 0
    assert json.loads((tmp_path / "voc.json").read_text())["confusion_matrix"] == scores["confusion_matrix"]

    page = cli("report", hub, "--pred", preds, "-o", tmp_path / "p.html", "-j", "2")  # the same scores, on the page
    assert page.exit_code == 0, page.output
    assert f"<b>{scores['mean_iou'] * 100:.2f}</b><span>mIoU %</span>" in (tmp_path / "p.html").read_text()

    val = tmp_path / "val"
    val.mkdir()
    (val / "d.png").write_bytes((preds / "d.png").read_bytes())
    one = cli("evaluate", hub, val, "--json", tmp_path / "val.json")
    assert one.exit_code == 0 and "ground truth: the val split's 1 row(s) of" in said(one) and "whose ids the predictions are" in said(one), one.output
    assert json.loads((tmp_path / "val.json").read_text())["images"] == 1
    page = cli("report", hub, "--pred", val, "-o", tmp_path / "v.html", "--json", tmp_path / "v.json")
    assert page.exit_code == 0 and "predictions: of the 1 row(s) of the val split; the other samples are not scored" in said(page), page.output
    val_iou = json.loads((tmp_path / "val.json").read_text())["mean_iou"]
    assert f"<b>{val_iou * 100:.2f}</b><span>mIoU %</span>" in (tmp_path / "v.html").read_text()
    assert json.loads((tmp_path / "v.json").read_text())["errors"] == 0  # the train rows unscored, not missing
    asked = cli("evaluate", hub, val, "--split", "train")  # the train rows, asked for: none predicted
    assert asked.exit_code == 1 and f"{val}: holds no prediction named like the rows scored (a.png, ...)" in said(asked), asked.output
    (val / "a.png").write_bytes((preds / "a.png").read_bytes())
    missing = cli("evaluate", hub, val, "--split", "train")
    assert missing.exit_code == 1 and f"{val / 'b.png'}: no prediction for {hub / 'data' / 'train-00000-of-00001.parquet'}: row 1" in said(missing), missing.output


def test_diff_compares_a_hub_datasets_rows_with_another_version_by_their_ids(hub_dataset: Path, tmp_path: Path) -> None:
    """diff reads the rows where they are and matches them by the ids convert gives them: the
    repository against the VOC folder convert made of it, one label then edited, gives that
    label's changes counted against what datasets decodes; the save_to_disk folder against the
    repository, nothing changed; a copy whose class_names.txt names a class otherwise than the
    id2label.json the dataset came with is refused (with -c, used with a warning); report
    --compare shows the same changes, either way round."""
    hub, ref = hub_dataset / "hub", hub_dataset / "ref"
    voc = tmp_path / "voc"
    assert cli("convert", hub, voc, "-j", "1").exit_code == 0
    truth = np.load(ref / "hub-a-label.npy")
    edited = truth.copy()
    edited[:5, :7] = 3  # a corner painted "person"
    write_label(voc / "SegmentationClass" / "a.png", edited)
    result = cli("diff", hub, voc, "--json", tmp_path / "d.json", "-j", "2")
    assert result.exit_code == 0 and "compared 4, failed 0" in result.stderr, result.output
    changes = json.loads((tmp_path / "d.json").read_text())
    corner = truth[:5, :7]
    moved = dict(zip(*(v.tolist() for v in np.unique(corner[corner != 3], return_counts=True))))
    assert {(c["from"], c["to"]): c["pixels"] for c in changes["changes"]} == {(v, 3): n for v, n in moved.items()}, changes["changes"]
    assert changes["files"] == 4 and changes["changed_pixels"] == sum(moved.values()) and changes["only_in_old"] == changes["only_in_new"] == []
    assert [c["name"] for c in changes["classes"][:4]] == list(NAMES.values())
    assert changes["per_file"][0]["id"] == "a" and changes["per_file"][1]["changed_pixels"] == 0

    same = cli("diff", hub_dataset / "saved", hub, "--json", tmp_path / "s.json")
    assert same.exit_code == 0, same.output
    unchanged = json.loads((tmp_path / "s.json").read_text())
    assert (unchanged["files"], unchanged["changed_pixels"]) == (4, 0) and unchanged["pixels"] == changes["pixels"], unchanged

    for old, new in ((hub, voc), (voc, hub)):  # either way round
        page = tmp_path / f"{new.name}.html"
        reported = cli("report", new, "-o", page, "--compare", old, "-j", "2")
        assert reported.exit_code == 0, reported.output
        assert f"Against {old}: 4 files compared, {sum(moved.values())} of {changes['pixels']} pixels changed" in page.read_text()

    names = voc / "class_names.txt"
    names.write_text(names.read_text().replace("car", "bus"))
    refused = cli("diff", hub, voc)
    assert refused.exit_code == 1 and f"{names} calls class 2 'bus', {hub / 'id2label.json'} calls it 'car': the same label values would mean other classes" in said(refused), refused.output
    asked = cli("diff", hub, voc, "-c", names)
    assert asked.exit_code == 0 and f"warning: {names} calls class 2 'bus', {hub / 'id2label.json'} calls it 'car'; using {names}, as asked" in said(asked), asked.output
    report = cli("report", voc, "-o", tmp_path / "r.html", "--compare", hub)
    assert report.exit_code == 1 and f"{names} calls class 2 'bus', {hub / 'id2label.json'} calls it 'car'" in said(report), report.output


def test_rows_paired_by_their_numbers_must_hold_the_same_image(tmp_path: Path) -> None:
    """Of datasets that record no file names, rows are paired by their number in the split: two
    revisions whose rows kept their places compare (a label edited is its change), but where a
    row was removed each later row would meet another image's label map; diff and report
    --compare refuse each such pair, naming both rows, and count none of it."""
    photos = [_jpeg(8, 6, colour) for colour in ((200, 0, 0), (0, 200, 0), (0, 0, 200))]
    maps = [np.full((6, 8), n, np.uint8) for n in range(3)]
    edited = maps[1].copy()
    edited[:2] = 0

    def revision(name: str, kept: list[int], labels: list[np.ndarray]) -> Path:
        root = tmp_path / name
        rows = {"image": [_cell(photos[n]) for n in kept], "label": [_cell(_png(label)) for label in labels]}
        write_hub_parquet(root / "data" / "train-00000-of-00001.parquet", rows)
        (root / "id2label.json").write_text(json.dumps({"0": "background", "1": "road", "2": "car"}))
        return root

    first = revision("v1", [0, 1, 2], maps)
    second = revision("v2", [0, 1, 2], [maps[0], edited, maps[2]])
    kept = cli("diff", first, second, "--json", tmp_path / "kept.json", "-j", "2")
    assert kept.exit_code == 0 and "ids: each split's word and the row's number in it" in said(kept), kept.output
    changes = json.loads((tmp_path / "kept.json").read_text())
    assert changes["changes"] == [{"from": 1, "from_name": "road", "to": 0, "to_name": "background", "pixels": 16}], changes

    third = revision("v3", [1, 2], [edited, maps[2]])  # the first row removed: every later one moves up
    moved = cli("diff", first, third, "--json", tmp_path / "moved.json", "-j", "2")
    assert moved.exit_code == 1 and "compared 0, failed 2" in moved.stderr, moved.output
    for n in range(2):
        assert (
            f"{third / 'data' / 'train-00000-of-00001.parquet'}: row {n}: holds another image than "
            f"{first / 'data' / 'train-00000-of-00001.parquet'}: row {n}, whose id it has: these datasets record no file names"
        ) in said(moved), said(moved)
    reported = cli("report", third, "-o", tmp_path / "r.html", "--compare", first, "--json", tmp_path / "r.json")
    assert reported.exit_code == 1, reported.output
    refused = [p for p in json.loads((tmp_path / "r.json").read_text())["problems"] if p["kind"] == "compare"]
    assert len(refused) == 2 and all("holds another image than" in p["message"] for p in refused), refused


#: Loads a repository as the datasets library does (its card's configs deciding the splits; of
#: the configuration ``sys.argv[2]`` where given) and prints each split's ids, the file names its
#: rows record.
CARD_SCRIPT = r"""
import json, sys
from pathlib import Path
from datasets import Image, load_dataset
loaded = load_dataset(sys.argv[1], *sys.argv[2:3])
found = {}
for split, part in loaded.items():
    found[split] = sorted(Path(cell["path"]).stem for cell in part.cast_column("image", Image(decode=False))["image"])
print(json.dumps(found))
"""


def test_the_splits_a_dataset_card_names_are_the_splits(tmp_path: Path) -> None:
    """A repository whose files are named otherwise than by their splits keeps them in its card
    (README.md's configs, the Hub's manual configuration): those splits are read, as the datasets
    library loads them (in the tests, its own split of each row), so weights counts the train
    rows alone and convert writes the card's val split; a file the card does not name is left
    out, said, as datasets leaves it out; a card naming two configurations is refused, naming
    them (one's file given is read), or, where it marks one its default, that one is read, said;
    a card that cannot be read is named."""
    root = hub_repository(tmp_path / "repo", {"train": 4, "validation": 2})
    data = root / "data"
    (data / "train-00000-of-00001.parquet").rename(data / "seg_main.parquet")
    (data / "validation-00000-of-00001.parquet").rename(data / "seg_holdout.parquet")
    card = root / "README.md"
    card.write_text(
        "---\nlicense: mit\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n    path: data/seg_main.parquet\n"
        "  - split: validation\n    path: \"data/*holdout*.parquet\"\n---\n# Cracks\n"
    )
    done = run_in("datasets", CARD_SCRIPT, tmp_path, str(root))
    assert done.returncode == 0, done.stderr[-3000:]
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded == {"train": [f"train_{n}" for n in range(4)], "validation": ["validation_0", "validation_1"]}, loaded

    weighed = cli("weights", root, "-o", tmp_path / "w.npy")
    assert weighed.exit_code == 0 and "counted 4, failed 0" in weighed.stderr, weighed.output
    assert f"splits: as {card} names them" in said(weighed) and "the train split's 4 row(s) of" in said(weighed), said(weighed)
    out = tmp_path / "voc"
    assert cli("convert", root, out).exit_code == 0
    for split, ids in (("train", loaded["train"]), ("val", loaded["validation"])):
        assert sorted((out / "ImageSets" / "Segmentation" / f"{split}.txt").read_text().split()) == ids
    named = card.read_text()
    card.write_text(named.replace("split: validation", "split: holdout"))  # a split that is no VOC split: said
    odd = cli("convert", root, tmp_path / "odd")
    assert odd.exit_code == 0 and (
        "split: the export's own (train 4), val drawn from its train and the other 2 image(s), of no train, val or test "
        "split of its own, by --val-fraction 0.1"
    ) in said(odd), said(odd)
    card.write_text(named)

    (data / "notes.parquet").write_bytes((data / "seg_main.parquet").read_bytes())  # a file the card leaves out
    counted = cli("stats", root)
    assert counted.exit_code == 0 and "every split's 6 row(s)" in said(counted), counted.output
    assert f"warning: {card}: 1 file(s) its configs do not name left out, as the datasets library leaves them ({data / 'notes.parquet'} ...)" in said(counted), said(counted)

    card.write_text(
        "---\nconfigs:\n- config_name: semantic\n  data_files: data/seg_*.parquet\n- config_name: notes\n  data_files: data/notes.parquet\n---\n"
    )
    mixed = cli("stats", root)
    assert mixed.exit_code == 1 and "holds 2 configurations of a Hugging Face dataset (notes, semantic, as its card names them)" in said(mixed), said(mixed)
    assert "give --config one of them (as load_dataset takes its name)" in said(mixed)
    notes = cli("stats", root, "--config", "notes")
    assert notes.exit_code == 0 and f"the train split's 4 row(s) of {data / 'notes.parquet'} (its configuration notes)" in said(notes), said(notes)
    other = cli("stats", data / "notes.parquet", "--config", "semantic")  # a file of another configuration
    assert other.exit_code == 1 and f"{card}: its configuration semantic names none of the dataset's files in {data / 'notes.parquet'}" in said(other), said(other)
    one = cli("stats", data / "seg_main.parquet")
    assert one.exit_code == 0 and "the train split's 4 row(s)" in said(one), one.output  # a data_files pattern alone: train
    card.write_text(card.read_text().replace("data_files: data/seg_*.parquet\n", "data_files: data/seg_*.parquet\n  default: true\n"))
    marked = cli("stats", root)  # the configuration load_dataset reads when none is named
    assert marked.exit_code == 0 and "the train split's 6 row(s) of 2 files" in said(marked), said(marked)  # a bare pattern: train
    assert f"configuration: semantic, the one {card} marks its default (give --config another to read it: notes)" in said(marked), said(marked)
    card.write_text("---\nconfigs:\n- config_name: default\n  data_dir: data\n---\n")  # no files named: their names say
    bare = cli("stats", root)
    assert bare.exit_code == 0 and "splits: as" not in said(bare) and "every split's 10 row(s) of 3 files" in said(bare), said(bare)
    card.write_text("---\nconfigs:\n- config_name: default\n  data_files: data/train-*\n---\n")  # files renamed since
    stale = cli("stats", root)
    assert stale.exit_code == 1 and f"{card}: its configs name none of the dataset's files in {root} (" in said(stale), said(stale)
    card.write_text("---\nconfigs:\n- data_files: data/seg_main.parquet\n---\n")
    broken = cli("stats", root)
    assert broken.exit_code == 1 and f"{card}: its configs cannot be read (" in said(broken), said(broken)


def test_a_configuration_is_read_by_the_name_load_dataset_takes(tmp_path: Path) -> None:
    """A repository of two configurations (one of data_files, one of a data_dir, as push_to_hub
    lays a second one out) is read one at a time, by the name the datasets library loads it by
    (in the test, as it loads each): convert writes that configuration's rows in their splits,
    weights counts its train rows into a file named by it (never replacing the other's), diff
    compares it with the VOC copy made of it; without --config, or with a name the card does not
    give, the run is refused naming them; --config of what is no such dataset is refused."""
    root = hub_repository(tmp_path / "repo", {"train": 4, "validation": 2})
    other = hub_repository(tmp_path / "other", {"train": 3, "validation": 1}, seed=5)
    (other / "data").rename(root / "coarse")
    (root / "README.md").write_text(
        "---\nconfigs:\n- config_name: fine\n  data_files:\n  - split: train\n    path: data/train-*\n"
        "  - split: validation\n    path: data/validation-*\n- config_name: coarse\n  data_dir: coarse\n---\n"
    )
    for config in ("fine", "coarse"):
        done = run_in("datasets", CARD_SCRIPT, tmp_path, str(root), config)
        assert done.returncode == 0, done.stderr[-3000:]
        loaded = json.loads(done.stdout.strip().splitlines()[-1])
        out = tmp_path / f"voc-{config}"
        converted = cli("convert", root, out, "--config", config)
        assert converted.exit_code == 0, converted.output
        for split, ids in (("train", loaded["train"]), ("val", loaded["validation"])):
            assert sorted((out / "ImageSets" / "Segmentation" / f"{split}.txt").read_text().split()) == ids, (config, split)
        weighed = cli("weights", root, "--config", config)
        assert weighed.exit_code == 0 and f"counted {len(loaded['train'])}, failed 0" in weighed.stderr, weighed.output
        assert f"(its configuration {config})" in said(weighed) and (root / f"repo_{config}_classes_weights.npy").is_file(), said(weighed)
        compared = cli("diff", root, out, "--config", config, "--json", tmp_path / f"{config}.json")
        changes = json.loads((tmp_path / f"{config}.json").read_text())
        assert compared.exit_code == 0 and changes["files"] == len(loaded["train"]) + len(loaded["validation"]), compared.output
        assert changes["changed_pixels"] == 0, changes
    preds = tmp_path / "preds"  # predictions of the fine configuration's rows: its label maps, void as class 0
    for label in (tmp_path / "voc-fine" / "SegmentationClass").iterdir():
        values = read_label(label)
        write_label(preds / label.name, np.where(values == 255, 0, values).astype(np.uint8))
    scored = cli("evaluate", root, preds, "--config", "fine", "--json", tmp_path / "scores.json")
    assert scored.exit_code == 0 and "scored 6, failed 0" in scored.stderr, scored.output
    assert json.loads((tmp_path / "scores.json").read_text())["pixel_accuracy"] == 1.0
    for command in (("stats", root), ("convert", root, tmp_path / "mixed")):
        mixed = cli(*command)
        assert mixed.exit_code == 1 and "holds 2 configurations of a Hugging Face dataset (coarse, fine, as its card names them)" in said(mixed), said(mixed)
    assert not (tmp_path / "mixed").exists()
    named = cli("split", root)  # a command of VOC folders names the way to convert it, one configuration of them
    assert named.exit_code == 1 and f"labeltools convert {root} NEW_FOLDER --config NAME (one of fine, coarse) makes a VOC" in said(named), said(named)
    unknown = cli("stats", root, "--config", "semantic")
    assert unknown.exit_code == 1 and f"{root / 'README.md'}: names no configuration semantic (its configurations: fine, coarse)" in said(unknown), said(unknown)
    from labeltools.jobs.convert import SAMPLE_DIR

    for command in (
        ("weights", tmp_path / "voc-fine"), ("check", tmp_path / "voc-fine"), ("diff", tmp_path / "voc-fine", tmp_path / "voc-coarse"),
        ("convert", SAMPLE_DIR, tmp_path / "labelme"),
    ):  # fmt: skip
        refused = cli(*command, "--config", "fine")
        assert refused.exit_code == 1 and "--config fine: names a configuration of a Hugging Face dataset, and " in said(refused), said(refused)
    assert not (tmp_path / "labelme").exists()


def test_a_split_word_among_a_file_names_words_is_its_split(tmp_path: Path) -> None:
    """Files named by the dataset and a split word (cracks_train.parquet, cracks_dev.parquet: no
    card) are of the splits the datasets library finds by those words (in the test, as it loads
    them): weights counts the train rows alone, convert writes the dev rows as val."""
    root = hub_repository(tmp_path / "repo", {"train": 4, "validation": 2})
    data = root / "data"
    (data / "train-00000-of-00001.parquet").rename(data / "cracks_train.parquet")
    (data / "validation-00000-of-00001.parquet").rename(data / "cracks_dev.parquet")
    done = run_in("datasets", CARD_SCRIPT, tmp_path, str(root))
    assert done.returncode == 0, done.stderr[-3000:]
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded == {"train": [f"train_{n}" for n in range(4)], "validation": ["validation_0", "validation_1"]}, loaded
    weighed = cli("weights", root, "-o", tmp_path / "w.npy")
    assert weighed.exit_code == 0 and "counted 4, failed 0" in weighed.stderr and "the train split's 4 row(s)" in said(weighed), weighed.output
    out = tmp_path / "voc"
    converted = cli("convert", root, out)
    assert converted.exit_code == 0 and "split: the export's own (train 4, val 2)" in said(converted), converted.output
    for split, ids in (("train", loaded["train"]), ("val", loaded["validation"])):
        assert sorted((out / "ImageSets" / "Segmentation" / f"{split}.txt").read_text().split()) == ids


def test_commands_of_label_files_name_convert_for_a_hub_datasets_folder(tmp_path: Path) -> None:
    """excel and colorize take label files: given a Hub dataset's folder, which holds none, they
    say what it holds and the way to its label maps, convert, as the dataset commands do."""
    root = hub_repository(tmp_path / "hub")
    for command in (("excel", root, "-d", tmp_path / "books"), ("colorize", root, "-d", tmp_path / "coloured")):
        result = cli(*command)
        assert result.exit_code == 1 and not (tmp_path / str(command[-1])).exists(), result.output
        assert (
            f"{root}: this folder holds no .png" in said(result)
            and f"; it holds a Hugging Face dataset (2 Parquet or Arrow file(s)), whose rows hold images and label maps: "
            f"labeltools convert {root} NEW_FOLDER makes a VOC dataset of it" in said(result)
        ), said(result)


def test_a_row_kept_in_colour_names_convert_as_the_way_out_of_every_command(tmp_path: Path) -> None:
    """A row whose label map is a colour image fails alone in diff and evaluate too, the way out
    named as for stats and check: convert, which reads colour masks by their colours."""
    colour = np.zeros((4, 6, 3), np.uint8)
    colour[1:3, 1:4] = (128, 0, 0)
    root = tmp_path / "repo"
    data = root / "data"
    rows = {"image": [_cell(_jpeg(6, 4), "a.jpg"), _cell(_jpeg(6, 4, (0, 90, 0)), "b.jpg")], "label": [_cell(_png(np.zeros((4, 6)))), _cell(_png(colour, "RGB"))]}
    write_hub_parquet(data / "train-00000-of-00001.parquet", rows)
    (root / "id2label.json").write_text(json.dumps({"0": "background", "1": "crack"}))
    preds = tmp_path / "preds"
    preds.mkdir()
    for stem in "ab":
        Image.fromarray(np.zeros((4, 6), np.uint8)).save(preds / f"{stem}.png")
    row = f"{data / 'train-00000-of-00001.parquet'}: row 1"
    for command, then in ((("diff", root, root), "compares"), (("evaluate", root, preds), "scores")):
        result = cli(*command)
        assert result.exit_code == 1 and "failed 1" in result.stderr, result.output
        assert (
            f"{row}: its label map is a colour image (mode RGB), not class indices: labeltools convert {data} NEW_FOLDER reads "
            f"colour masks by their classes' colours (-c a table of them), into a dataset this command then {then}"
        ) in said(result), said(result)


def test_weights_of_a_dataset_in_hugging_faces_cache_go_to_the_working_folder(hub_dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A download kept in Hugging Face's cache (a snapshot folder named by its revision, its
    files links to blobs): the weights are named by the repository and written in the working
    folder, said, never into the revision's folder; the same as those of the folder itself."""
    repo = tmp_path / "cache" / "datasets--someone--streets"
    snapshot = repo / "snapshots" / "3f1c0de2a9"
    for number, source in enumerate(sorted((hub_dataset / "hub").rglob("*"))):
        if source.is_file():
            blob = repo / "blobs" / f"blob{number}"
            blob.parent.mkdir(parents=True, exist_ok=True)
            blob.write_bytes(source.read_bytes())
            link = snapshot / source.relative_to(hub_dataset / "hub")
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(blob)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    result = cli("weights", snapshot)
    assert result.exit_code == 0, result.output
    assert "it is someone/streets in Hugging Face's cache, so the weights go to the working folder" in said(result), said(result)
    assert "wrote streets_classes_weights.npy" in said(result) and not list(snapshot.rglob("*.npy"))
    assert cli("weights", hub_dataset / "hub", "-o", tmp_path / "plain.npy").exit_code == 0
    assert (work / "streets_classes_weights.npy").read_bytes() == (tmp_path / "plain.npy").read_bytes()


def test_stats_of_a_hub_dataset_name_a_class_its_validation_split_lacks(tmp_path: Path) -> None:
    """The spread over the dataset's own splits, as over a VOC folder's train.txt and val.txt:
    a class in two train rows and no validation row is named, and --json carries the spread."""
    crack = np.zeros((4, 6), np.uint8)
    crack[1:3, 1:4] = 1
    plain = np.zeros((4, 6), np.uint8)
    root = tmp_path / "repo"
    for split, maps in (("train", [crack, crack, plain]), ("validation", [plain, plain])):
        images = [_cell(_jpeg(6, 4), f"{split}{n}.jpg") for n in range(len(maps))]
        write_hub_parquet(root / "data" / f"{split}-00000-of-00001.parquet", {"image": images, "label": [_cell(_png(m)) for m in maps]})
    (root / "id2label.json").write_text(json.dumps({"0": "background", "1": "crack"}))
    result = cli("stats", root, "--json", tmp_path / "stats.json", "-j", "1")
    assert result.exit_code == 0, result.output
    assert "split imbalance: class 1 (crack) is in 2 train image(s) but in no val image" in " ".join(result.stdout.split()), result.stdout
    spread = json.loads((tmp_path / "stats.json").read_text())["split_balance"]
    assert spread[1]["images"] == {"train": 2, "val": 0} and spread[0]["images"] == {"train": 3, "val": 2}, spread
    one = cli("stats", root, "--split", "train", "--json", tmp_path / "train.json")  # one split: no spread
    assert one.exit_code == 0 and json.loads((tmp_path / "train.json").read_text())["split_balance"] is None, one.output
    colour = np.zeros((4, 6, 3), np.uint8)
    colour[1:3, 1:4] = (128, 0, 0)  # a label map kept in colour: convert reads it, stats says so
    write_hub_parquet(root / "data" / "test-00000-of-00001.parquet", {"image": [_cell(_jpeg(6, 4), "t.jpg")], "label": [_cell(_png(colour, "RGB"))]})
    failed = cli("stats", root, "--split", "test")
    assert failed.exit_code == 1 and "nothing to show: every one of the 1 row(s) failed" in said(failed), failed.output
    assert f"test-00000-of-00001.parquet: row 0: its label map is a colour image (mode RGB), not class indices: labeltools convert {root / 'data'} NEW_FOLDER reads colour masks" in said(failed), said(failed)


def _cell(data: bytes | None, name: str | None = None) -> dict[str, Any]:
    return {"bytes": data, "path": name}


def _png(values: np.ndarray, mode: str = "L") -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(values.astype(np.uint8), mode=None).convert(mode).save(buffer, format="PNG")
    return buffer.getvalue()


def _jpeg(width: int, height: int, colour: tuple[int, int, int] = (120, 30, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="JPEG")
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
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    result = cli("convert", path, tmp_path / "voc")
    assert result.exit_code == 1 and said(result) == 'error: reading a Hugging Face dataset\'s Parquet files needs pyarrow: pip install "labeltools[hub]"', result.output


def test_without_pyyaml_a_card_naming_the_splits_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_hub_parquet(tmp_path / "data" / "train-00000-of-00001.parquet", {"image": [_cell(_jpeg(4, 4))], "label": [_cell(_png(np.zeros((4, 4))))]})
    card = tmp_path / "README.md"  # a card naming the files of each split is read with PyYAML, of the same extra
    card.write_text("---\nconfigs:\n- config_name: default\n  data_files: data/*.parquet\n---\n")
    monkeypatch.setitem(sys.modules, "yaml", None)
    result = cli("convert", tmp_path, tmp_path / "voc")
    assert result.exit_code == 1 and said(result) == f'error: {card}: reading the splits a dataset card names needs PyYAML: pip install "labeltools[hub]"', result.output


def _repository_of(root: Path, maps: list[np.ndarray], names: dict[str, str]) -> Path:
    images = [_cell(_jpeg(m.shape[1], m.shape[0]), f"r{n}.jpg") for n, m in enumerate(maps)]
    write_hub_parquet(root / "data" / "train-00000-of-00001.parquet", {"image": images, "label": [_cell(_png(m)) for m in maps]})
    (root / "id2label.json").write_text(json.dumps(names))
    return root


def test_ade20k_as_shipped_read_by_its_trained_names_is_refused_with_the_ways_out(tmp_path: Path) -> None:
    """scene_parse_150's label maps (0 "other", class i as i + 1) beside transformers'
    ade20k-id2label.json (the classes as trained, 0 wall; its "bed " with a space) would read
    each class as the next: refused; -m ade20k reads them as trained, and maps of the trained
    ids (255 "other") convert as they are."""
    from labeltools import ClassTable

    trained = ClassTable.preset("ade20k-train").names
    names = {str(i): ("bed " if name == "bed" else name) for i, name in enumerate(trained)}
    shipped = np.array([[0, 1, 2, 150], [3, 3, 0, 7]], np.uint8).repeat(4, 0).repeat(4, 1)
    root = _repository_of(tmp_path / "shipped", [shipped, shipped], names)
    refused = cli("convert", root, tmp_path / "none")
    text = said(refused)
    assert refused.exit_code == 1 and "names ADE20K's 150 classes as they are trained (0 wall .. 149 flag), and the first 2 label map(s) hold no 255" in text, text
    assert "-m ade20k reads them as trained" in text and not (tmp_path / "none").exists()
    for command in ("weights", "stats"):  # counted in place, the same rule
        counted = cli(command, root)
        assert counted.exit_code == 1 and "hold no 255, which marks \"other\" so" in said(counted), counted.output
        assert "-c ade20k counts them as trained (its train ids: 0 \"other\" void, class i as i - 1)" in said(counted), counted.output
    assert not list(root.glob("*.npy"))
    checked = cli("check", root, "--json", tmp_path / "c.json")  # checked in place: the same rule, an error of the dataset
    assert checked.exit_code == 1, checked.output
    problems = json.loads((tmp_path / "c.json").read_text())["problems"]
    ade = [(p["severity"], p["file"], p["message"]) for p in problems if p["kind"] == "class-table"]
    assert len(ade) == 1 and ade[0][:2] == ("error", str(root)) and "hold no 255, which marks \"other\" so" in ade[0][2], problems
    weighed = cli("weights", root, "-c", "ade20k", "--json", tmp_path / "w.json")
    assert weighed.exit_code == 0 and "counted as its 150 train ids" in said(weighed), weighed.output
    trained_counts = np.bincount(np.where(shipped == 0, 255, shipped.astype(np.int16) - 1).ravel(), minlength=256) * 2
    assert json.loads((tmp_path / "w.json").read_text())["counts"]["pixels"] == trained_counts[:150].tolist()
    done = cli("convert", root, tmp_path / "trained", "-m", "ade20k", "-j", "1")
    assert done.exit_code == 0, done.output
    expected = np.where(shipped == 0, 255, shipped.astype(np.int16) - 1).astype(np.uint8)
    np.testing.assert_array_equal(read_label(tmp_path / "trained" / "SegmentationClass" / "r0.png"), expected)
    reduced = _repository_of(tmp_path / "reduced", [expected], names)
    kept = cli("convert", reduced, tmp_path / "kept", "-j", "1")
    assert kept.exit_code == 0, kept.output
    np.testing.assert_array_equal(read_label(tmp_path / "kept" / "SegmentationClass" / "r0.png"), expected)


def test_ade20k_folders_as_shipped_read_by_trained_names_are_refused_too(tmp_path: Path) -> None:
    """The same rule for ADE20K's own folders (annotations/ beside images/) given transformers'
    table with -c: refused; with -c ade20k (the labels as shipped) they convert as they are."""
    from labeltools import ClassTable

    shipped = np.array([[0, 1], [2, 150]], np.uint8).repeat(8, 0).repeat(8, 1)
    for stem in ("ADE_train_1", "ADE_train_2"):
        photo(tmp_path / "ade" / "images" / "training" / f"{stem}.jpg", 16, 16, seed=1)
        (tmp_path / "ade" / "annotations" / "training").mkdir(parents=True, exist_ok=True)
        Image.fromarray(shipped).save(tmp_path / "ade" / "annotations" / "training" / f"{stem}.png")
    table = tmp_path / "ade20k-id2label.json"
    table.write_text(json.dumps(dict(enumerate(ClassTable.preset("ade20k-train").names))))
    refused = cli("convert", tmp_path / "ade", tmp_path / "none", "-c", table)
    assert refused.exit_code == 1 and "hold no 255, which marks \"other\" so" in said(refused), refused.output
    weights = cli("weights", "--labels-dir", tmp_path / "ade" / "annotations" / "training", "-c", table, "-o", tmp_path / "w.npy")
    assert weights.exit_code == 1 and "-c ade20k counts them as trained" in said(weights) and not (tmp_path / "w.npy").exists(), weights.output
    assert cli("weights", "--labels-dir", tmp_path / "ade" / "annotations" / "training", "-n", "150", "-o", tmp_path / "w.npy").exit_code == 0
    done = cli("convert", tmp_path / "ade", tmp_path / "voc", "-c", "ade20k", "-j", "1")
    assert done.exit_code == 0, done.output
    np.testing.assert_array_equal(read_label(tmp_path / "voc" / "SegmentationClass" / "ADE_train_1.png"), shipped)


def test_two_tables_of_one_dataset_that_differ_are_refused(tmp_path: Path) -> None:
    """Each split's folder with its own id2label.json, naming class 1 otherwise: the same value
    would mean two classes, so convert and the counts refuse, naming both files."""
    label = np.ones((4, 4), np.uint8)
    for split, name in (("train", "crack"), ("validation", "road")):
        write_hub_parquet(tmp_path / "repo" / "default" / split / "0000.parquet", {"image": [_cell(_jpeg(4, 4))], "label": [_cell(_png(label))]})
        (tmp_path / "repo" / "default" / split / "id2label.json").write_text(json.dumps({"0": "background", "1": name}))
    table = tmp_path / "repo" / "default"
    for command in (("convert", table, tmp_path / "voc"), ("stats", table), ("weights", table, "--split", "trainval")):
        refused = cli(*command)
        assert refused.exit_code == 1, refused.output
        assert f"{table / 'validation' / 'id2label.json'}: its classes differ from {table / 'train' / 'id2label.json'}'s" in said(refused), said(refused)
    assert not (tmp_path / "voc").exists() and not list(table.rglob("*.npy"))


def test_a_file_replaced_between_runs_of_one_process_is_read_anew(tmp_path: Path) -> None:
    """What a process keeps read of a file (its layout, its row groups) is of the file as the
    run found it: a second run after the file was replaced (a new download) reads the new rows."""
    import os

    first = np.zeros((4, 4), np.uint8)
    root = _repository_of(tmp_path / "repo", [first, first], {"0": "background", "1": "crack"})
    shard = root / "data" / "train-00000-of-00001.parquet"
    assert cli("convert", root, tmp_path / "one", "-j", "1").exit_code == 0
    second = np.ones((4, 4), np.uint8)
    _repository_of(tmp_path / "repo", [second, second, second], {"0": "background", "1": "crack"})
    os.utime(shard, ns=(shard.stat().st_atime_ns, shard.stat().st_mtime_ns + 10**9))  # a later time, whatever the clock's grain
    again = cli("convert", root, tmp_path / "two", "-j", "1")
    assert again.exit_code == 0, again.output
    assert sorted(p.stem for p in (tmp_path / "two" / "SegmentationClass").glob("*.png")) == ["r0", "r1", "r2"]
    np.testing.assert_array_equal(read_label(tmp_path / "two" / "SegmentationClass" / "r1.png"), second)


#: Loads an exported repository as a training script would (from another folder), saving each
#: row's label map and image as arrays named by the file names the rows record.
LOAD_SCRIPT = r"""
import json, sys
from pathlib import Path
import numpy as np
from datasets import Image, load_dataset

repo, ref = sys.argv[1], Path(sys.argv[2])
loaded = load_dataset(repo)
for split in loaded:
    names = [row["image"]["path"] for row in loaded[split].cast_column("image", Image(decode=False))]
    for name, row in zip(names, loaded[split]):
        np.save(ref / f"{split}-{Path(name).stem}-label.npy", np.asarray(row["label"]))
        np.save(ref / f"{split}-{Path(name).stem}-image.npy", np.asarray(row["image"].convert("RGB")))
print(json.dumps({split: len(loaded[split]) for split in loaded}))
"""


def test_a_dataset_exported_as_a_hub_repository_loads_in_datasets_and_converts_back(tmp_path: Path) -> None:
    """export --to hub: the datasets library loads the folder as it is (its card's splits, the
    Image columns), every label map and image equal to the VOC dataset's; convert reads it back
    to the same label maps, its classes from id2label.json."""
    from labeltools.jobs.convert import SAMPLE_DIR, sample_labels_path

    voc = tmp_path / "voc"
    assert cli("convert", SAMPLE_DIR, voc, "--labels", sample_labels_path(), "-j", "1").exit_code == 0
    hub = tmp_path / "hub"
    result = cli("export", voc, "--to", "hub", "-d", hub, "-j", "2")
    assert result.exit_code == 0, result.output
    assert "8 image(s) with their label maps (train 7, val 1)" in " ".join(result.stdout.split()), result.output
    names = (voc / "class_names.txt").read_text().splitlines()
    assert json.loads((hub / "id2label.json").read_text()) == {str(i): name for i, name in enumerate(names)}
    elsewhere, ref = tmp_path / "elsewhere", tmp_path / "ref"
    elsewhere.mkdir()
    ref.mkdir()
    done = run_in("datasets", LOAD_SCRIPT, elsewhere, str(hub), str(ref))
    assert done.returncode == 0 and json.loads(done.stdout.strip().splitlines()[-1]) == {"train": 7, "validation": 1}, done.stderr[-3000:]
    for split, hub_split in (("train", "train"), ("val", "validation")):
        for image_id in (voc / "ImageSets" / "Segmentation" / f"{split}.txt").read_text().split():
            np.testing.assert_array_equal(np.load(ref / f"{hub_split}-{image_id}-label.npy"), read_label(voc / "SegmentationClass" / f"{image_id}.png"))
            with Image.open(voc / "JPEGImages" / f"{image_id}.jpg") as image:
                np.testing.assert_array_equal(np.load(ref / f"{hub_split}-{image_id}-image.npy"), np.asarray(image.convert("RGB")))
    back = cli("convert", hub, tmp_path / "back", "-j", "2")
    assert back.exit_code == 0, back.output
    for label in sorted((voc / "SegmentationClass").glob("*.png")):
        np.testing.assert_array_equal(read_label(tmp_path / "back" / "SegmentationClass" / label.name), read_label(label))
    assert (tmp_path / "back" / "class_names.txt").read_text() == (voc / "class_names.txt").read_text()
    refused = cli("export", SAMPLE_DIR, "--to", "hub", "-d", tmp_path / "none")
    assert refused.exit_code == 1 and "a Hugging Face dataset export writes a VOC dataset's class maps; make one first" in said(refused), refused.output
    usage = cli("export", voc, "--to", "hub", "-d", tmp_path / "none", "--objects", "regions")
    assert usage.exit_code == 2 and "--objects applies to the instance exports (--to hub writes the class maps as they are)" in " ".join(usage.output.split())


def test_bad_hub_files_and_rows_are_named(tmp_path: Path) -> None:
    """A file cut short, columns nothing tells apart, --from hub on a folder without such files,
    --images (a row holds its image), a row without its image and one naming a file that is not
    there: each refused or failed alone, named."""
    label = np.zeros((4, 4), np.uint8)
    good = write_hub_parquet(tmp_path / "cut" / "train.parquet", {"image": [_cell(_jpeg(4, 4))], "label": [_cell(_png(label))]})
    good.write_bytes(good.read_bytes()[:-40])  # a download cut short: its footer gone
    result = cli("convert", good, tmp_path / "none", "-c", "voc")
    assert result.exit_code == 1 and f"{good}: is not a Parquet file or is cut short" in said(result), result.output
    both = [_cell(_png(label)), _cell(_png(label))]
    alike = write_hub_parquet(tmp_path / "alike" / "train.parquet", {"first": both, "second": both})
    result = cli("convert", alike, tmp_path / "none", "-c", "voc")
    assert result.exit_code == 1 and "its columns of images (first, second) do not say which holds the images and which the label maps: name them image and label" in said(result), result.output
    (tmp_path / "empty").mkdir()
    result = cli("convert", tmp_path / "empty", tmp_path / "none", "--from", "hub")
    assert result.exit_code == 1 and f"{tmp_path / 'empty'}: holds no Parquet or Arrow file of a Hugging Face dataset" in said(result), result.output
    rows = [_cell(_jpeg(4, 4), "a.jpg"), _cell(None, None), _cell(None, "gone.jpg")]
    shard = write_hub_parquet(tmp_path / "repo" / "data" / "train-00000-of-00001.parquet", {"image": rows, "label": [_cell(_png(label))] * 3})
    result = cli("convert", tmp_path / "repo", tmp_path / "none", "-c", "voc", "--images", tmp_path)
    assert result.exit_code == 1 and "a Hugging Face dataset's rows hold their images" in said(result), result.output
    result = cli("convert", tmp_path / "repo", tmp_path / "voc", "-c", "voc", "-j", "1")
    text = said(result)
    assert result.exit_code == 1 and f"{shard}: row 1, image: holds no image" in text, text
    assert f"{shard}: row 2, image: names the file 'gone.jpg', which is not there" in text, text
    assert [p.name for p in (tmp_path / "voc" / "SegmentationClass").iterdir()] == ["train_000000.png"]


def test_the_hubs_parquet_conversion_layout_takes_its_splits_from_its_folders(tmp_path: Path) -> None:
    """The Hub's Parquet conversion (``<config>/<split>/0000.parquet``): each folder's split, the
    rows numbered by it across its shards (said in a line a split); id2label.json two folders
    above the files."""
    label = np.zeros((4, 4), np.uint8)
    for split, shard, count in (("train", "0000", 2), ("train", "0001", 1), ("validation", "0000", 2)):
        rows = [_cell(_jpeg(4, 4)) for _ in range(count)]
        write_hub_parquet(tmp_path / "repo" / "default" / split / f"{shard}.parquet", {"image": rows, "label": [_cell(_png(label))] * count})
    (tmp_path / "repo" / "id2label.json").write_text(json.dumps({"0": "background", "1": "crack"}))
    result = cli("convert", tmp_path / "repo" / "default", tmp_path / "voc", "-j", "1")
    assert result.exit_code == 0, result.output
    train = tmp_path / "repo" / "default" / "train"
    assert f"info: 2 files ({train / '0000.parquet'} ...): 3 row(s), images in image, label maps in label" in said(result), said(result)
    assert f"classes: 2, {tmp_path / 'repo' / 'id2label.json'}" in said(result), result.output
    splits = {name: (tmp_path / "voc" / "ImageSets" / "Segmentation" / f"{name}.txt").read_text().split() for name in ("train", "val")}
    assert splits == {"train": ["train_000000", "train_000001", "train_000002"], "val": ["validation_000000", "validation_000001"]}
    # a second configuration beside it (scene_parse_150's instance maps): a dataset of its own, never mixed in
    write_hub_parquet(tmp_path / "repo" / "instances" / "train" / "0000.parquet", {"image": [_cell(_jpeg(4, 4))], "label": [_cell(_png(label))]})
    for command in (("convert", tmp_path / "repo", tmp_path / "mixed"), ("weights", tmp_path / "repo"), ("stats", tmp_path / "repo")):
        refused = cli(*command)
        assert refused.exit_code == 1 and "holds 2 configurations of a Hugging Face dataset (default, instances, as its folders name them)" in said(refused), refused.output
        assert "give --config one of them" in said(refused)
    assert not (tmp_path / "mixed").exists() and not list((tmp_path / "repo").glob("*.npy"))
    chosen = cli("convert", tmp_path / "repo", tmp_path / "instances", "--config", "instances", "-j", "1")  # by the folder's name
    assert chosen.exit_code == 0 and sorted(p.name for p in (tmp_path / "instances" / "SegmentationClass").iterdir()) == ["train_000000.png"], chosen.output
    weighed = cli("weights", tmp_path / "repo", "--config", "default")  # of one of several: named by it, never replacing another's
    assert weighed.exit_code == 0 and (tmp_path / "repo" / "repo_default_classes_weights.npy").is_file(), weighed.output
    unknown = cli("stats", tmp_path / "repo", "--config", "semantic")
    assert unknown.exit_code == 1 and "holds no configuration semantic of a Hugging Face dataset (its configurations, as its folders name them: default, instances)" in said(unknown), said(unknown)
    weighed = cli("weights", tmp_path / "repo" / "default", "-o", tmp_path / "w.npy")
    assert weighed.exit_code == 0 and "the train split's 3 row(s)" in said(weighed), weighed.output
    # a split too large to convert whole is its part, partial-train: still the train split
    (tmp_path / "repo" / "default" / "train").rename(tmp_path / "repo" / "default" / "partial-train")
    again = cli("convert", tmp_path / "repo" / "default", tmp_path / "voc2", "-j", "1")
    assert again.exit_code == 0, again.output
    assert (tmp_path / "voc2" / "ImageSets" / "Segmentation" / "train.txt").read_text().split() == splits["train"]


def test_a_hub_export_that_fails_while_writing_leaves_the_earlier_one_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shards, id2label.json and the card are renamed into place together at the end: an
    export into the folder of an earlier one that stops while writing (an image that can no
    longer be read) names the file and leaves every earlier byte, and no temporary file."""
    from helpers import tree_bytes

    from labeltools.core.errors import ExportError
    from labeltools.jobs import export
    from labeltools.jobs.convert import SAMPLE_DIR, sample_labels_path

    voc = tmp_path / "voc"
    assert cli("convert", SAMPLE_DIR, voc, "--labels", sample_labels_path(), "-j", "1").exit_code == 0
    assert cli("export", voc, "--to", "hub", "-d", tmp_path / "hub", "-j", "1").exit_code == 0
    before = tree_bytes(tmp_path / "hub")
    reads = []
    original = export.read_image_bytes

    def failing(path: Any, *args: Any) -> bytes:
        reads.append(path)
        if len(reads) == 3:
            raise ExportError(f"{path}: cannot be read (a disk gone)")
        return original(path, *args)

    monkeypatch.setattr(export, "read_image_bytes", failing)
    result = cli("export", voc, "--to", "hub", "-d", tmp_path / "hub", "--overwrite", "-j", "1")
    assert result.exit_code == 1 and f"{reads[2]}: cannot be read (a disk gone)" in said(result), result.output
    assert tree_bytes(tmp_path / "hub") == before
