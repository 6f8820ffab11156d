"""labeltools report: the page's content, and the page in a real browser (Debian's chromium,
driven by Playwright with the system binary; no browser is downloaded)."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import make_voc
from PIL import Image
from typer.testing import CliRunner

from labeltools.cli import app
from labeltools.core.errors import DatasetError, ReportError
from labeltools.formats.labels import read_label, write_gray_label, write_label
from labeltools.formats.voc import read_split, write_split
from labeltools.jobs.convert import SAMPLE_DIR
from labeltools.jobs.diff import diff_datasets
from labeltools.jobs.evaluate import evaluate_dataset
from labeltools.jobs.report import ReportOptions, _Sample, make_report, select_gallery
from labeltools.ops.draw import fit_size, shrink_label

runner = CliRunner()

#: How the tests start Chromium: headless, as root, with its calls home switched off (this
#: machine's closed network refuses them).
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The bundled sample as a VOC dataset, predictions made from its labels (shifted, void as
    background), an older version of its labels (some rows relabelled road, one file missing),
    and the report of all three."""
    root = tmp_path_factory.mktemp("sample")
    voc = root / "voc"
    assert run("convert", SAMPLE_DIR, voc, "-j", "1").exit_code == 0
    pred, old = root / "pred", root / "old"
    pred.mkdir()
    old.mkdir()
    for n, path in enumerate(sorted((voc / "SegmentationClass").glob("*.png"))):
        label = read_label(path)
        shifted = np.roll(label, 4 * n, axis=1)
        shifted[shifted == 255] = 0
        write_label(pred / path.name, shifted)
        if n != 2:
            before = label.copy()
            before[: 10 * n] = 1
            write_label(old / path.name, before)
    report = root / "report.html"
    result = run("report", voc, "-o", report, "--pred", pred, "--compare", old, "-j", "1")
    assert result.exit_code == 0, result.output
    return {"voc": voc, "pred": pred, "old": old, "report": report}


class _Elements(HTMLParser):
    """Every start tag of a page with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.tags


# --------------------------------------------------------------------------------------------
# the page, read as text


def test_the_page_is_self_contained_and_holds_every_section(sample: dict[str, Path]) -> None:
    html = sample["report"].read_text(encoding="utf-8")
    tags = elements(html)
    links = [a.get("src") or a.get("href") for _, a in tags if a.get("src") or a.get("href")]
    assert links and all(link.startswith(("data:image/jpeg;base64,", "#")) for link in links), links
    assert not [t for t, a in tags if t in ("link", "iframe") or (t == "script" and a.get("src"))]
    ids = {a.get("id") for _, a in tags}
    assert {"summary", "classes", "problems", "gallery", "predictions", "changes"} <= ids
    assert {"chart-classes", "chart-scores", "chart-confusion", "chart-changes"} <= ids
    names = (sample["voc"] / "class_names.txt").read_text().split()
    rows = [a for t, a in tags if t == "tr" and a.get("data-class") is not None]
    assert [int(r["data-class"]) for r in rows] == list(range(len(names)))
    figures = [a for t, a in tags if t == "figure" and (a.get("id") or "").startswith("img-")]
    assert len(figures) == len(list((sample["voc"] / "SegmentationClass").glob("*.png")))


def test_scores_and_changes_are_those_of_evaluate_and_diff(sample: dict[str, Path], tmp_path: Path) -> None:
    options = ReportOptions(pred=str(sample["pred"]), compare=str(sample["old"]), worst=3)
    report = make_report(sample["voc"], tmp_path / "r.html", options, jobs=1)
    names = (sample["voc"] / "class_names.txt").read_text().split()
    evaluation = evaluate_dataset(sample["voc"], sample["pred"], len(names))
    for _ in evaluation:
        pass
    assert report.matrix is not None
    np.testing.assert_array_equal(report.matrix.matrix, evaluation.matrix.matrix)
    page = report.page()
    assert page["predictions"]["mean_iou"] == pytest.approx(evaluation.matrix.mean_iou())
    worst = [w["miou"] for w in page["predictions"]["worst"]]
    assert len(worst) == 3 and worst == sorted(worst)
    every = sorted(s.miou for s in report.samples if s.miou is not None)
    assert worst == every[:3]
    diff = diff_datasets(sample["old"], sample["voc"])
    for _ in diff:
        pass
    assert report.changes is not None
    np.testing.assert_array_equal(report.changes.matrix, diff.changes.matrix)
    assert page["changes"]["only_new"] == len(diff.only_new) == 1
    shares = [m["share"] for m in page["changes"]["most"]]
    assert shares == sorted(shares, reverse=True) and shares[0] > 0
    with Image.open(io.BytesIO(_decode(page["changes"]["most"][0]["changed"]))) as picture:
        pixels = np.asarray(picture.convert("RGB")).reshape(-1, 3).astype(int)
    assert ((pixels[:, 0] > 180) & (pixels[:, 1] < 80)).any()  # changed pixels are red


def test_predictions_saved_as_arrays_are_scored_and_drawn_as_their_pngs(sample: dict[str, Path], tmp_path: Path) -> None:
    """Predictions a scoring script saved with ``np.save`` (``.npy``) give the report the scores
    and the pictures the same predictions give as label PNGs; those of the val split alone score
    val, as ``evaluate`` finds them."""
    arrays = tmp_path / "arrays"
    arrays.mkdir()
    for path in sorted(sample["pred"].glob("*.png")):
        np.save(arrays / f"{path.stem}.npy", read_label(path).astype(np.int32))
    pages = []
    for folder in (sample["pred"], arrays):
        report = make_report(sample["voc"], tmp_path / f"{folder.name}.html", ReportOptions(pred=str(folder), worst=3), jobs=1)
        assert report.matrix is not None and not [p for p in report.check.problems if p.kind == "prediction"]
        scores = report.page()["predictions"]
        assert scores.pop("folder") == str(folder) and len(scores["worst"]) == 3 and scores["worst"][0]["pred"]
        pages.append((report.matrix.matrix, scores))
    np.testing.assert_array_equal(pages[1][0], pages[0][0])
    assert pages[1][1] == pages[0][1]  # every score, and the worst images' pictures
    val = read_split(sample["voc"], "val")
    for path in arrays.glob("*.npy"):
        if path.stem not in val:
            path.unlink()
    result = run("report", sample["voc"], "-o", tmp_path / "val.html", "--pred", arrays, "-j", "1")
    assert result.exit_code == 0, result.output
    assert f"predictions: of the {len(val)} id(s) of {sample['voc'] / 'ImageSets' / 'Segmentation' / 'val.txt'}" in result.stderr


def _decode(uri: str) -> bytes:
    import base64

    return base64.b64decode(uri.split(",", 1)[1])


def test_problems_are_listed_and_linked_to_their_picture(tmp_path: Path) -> None:
    good = np.zeros((8, 10), np.uint8)
    good[2:5, 2:6] = 1
    bad = good.copy()
    bad[6, 6] = 9  # no such class
    voc = make_voc(tmp_path / "voc", {"ok": good, "odd": bad, "warned": good})
    (voc / "JPEGImages" / "ok.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    warned = Image.fromarray(good, "P")  # a palette of its own: a warning, not an error
    warned.putpalette([0, 0, 0, 255, 255, 255])
    warned.save(voc / "SegmentationClass" / "warned.png")
    result = run("report", voc, "-o", tmp_path / "r.html", "--json", "-")
    assert result.exit_code == 1, result.output  # errors on the page: exit 1, as check exits
    data = json.loads(result.stdout)
    kinds = {(p["kind"], Path(p["file"]).name) for p in data["problems"]}
    assert {("label-values", "odd.png"), ("unreadable", "ok.jpg")} <= kinds
    html = (tmp_path / "r.html").read_text()
    tags = elements(html)
    hrefs = {a["href"] for t, a in tags if t == "a" and a.get("href", "").startswith("#img-")}
    assert {"#img-odd", "#img-ok"} <= hrefs
    figures = {a["id"]: a for t, a in tags if t == "figure" and a.get("id", "").startswith("img-")}
    assert "has-problem" in figures["img-odd"].get("class", "")
    # a sample with warnings alone is not marked as one with errors (a Kaggle folder's every mask)
    assert ("palette", "warned.png") in {(p["kind"], Path(p["file"]).name) for p in data["problems"]}
    assert "has-problem" not in figures["img-warned"].get("class", "")
    assert '<b>warned</b>' in html and html.split('<b>warned</b>', 1)[1].split("<br>", 1)[0].endswith('<span class="severity-warning">1 warning(s)</span>')
    # The image that cannot be read is drawn as its label alone.
    assert data["drawn"] == 3


def named_report(tmp_path: Path, names: list[str], image_id: str) -> Path:
    """The report (``r.html``) of a one-image dataset whose classes 1 and 2 are named ``names``."""
    label = np.zeros((8, 10), np.uint8)
    label[:4] = 1
    label[4:6] = 2
    voc = make_voc(tmp_path / "voc", {image_id: label}, names=names)
    assert run("report", voc, "-o", tmp_path / "r.html").exit_code == 0
    return tmp_path / "r.html"


def test_text_from_data_is_never_markup(tmp_path: Path) -> None:
    names = ["background", "<img src=x onerror=alert(1)>", "<b>bold</b> & co"]
    named_report(tmp_path, names, "<script>")
    html = (tmp_path / "r.html").read_text()
    assert "<img src=x" not in html and "<b>bold</b>" not in html and "<script>.png" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "&lt;b&gt;bold&lt;/b&gt; &amp; co" in html
    data = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', html, re.S)
    assert data is not None and json.loads(data.group(1))["classes"]["names"][1] == "1 " + names[1]


def test_the_gallery_shows_problems_then_every_class_within_its_size() -> None:
    from labeltools.jobs.report import ReportItem

    def sample(n: int, classes: set[int], problems: int = 0) -> _Sample:
        return _Sample(ReportItem(f"{n:03d}", f"{n}.png", f"{n}.jpg"), sum(1 << c for c in classes), problems)

    samples = [sample(n, {0, 1}) for n in range(300)]
    samples[17] = sample(17, {0, 1, 7})  # the only image of class 7
    samples[250] = sample(250, {0, 9})
    samples[251] = sample(251, {0, 9})
    samples[40] = sample(40, {0, 1}, problems=2)
    chosen = select_gallery(samples, 20)
    assert len(chosen) == 20 and chosen == sorted(chosen)
    assert {17, 40, 250, 251} <= set(chosen)
    assert select_gallery(samples, 20) == chosen  # the same each time
    assert len(select_gallery(samples[:5], 20)) == 5
    samples[40].drawable = False  # its label could not be read: a problem listed, no picture
    assert 40 not in select_gallery(samples, 20)


def test_thumbnails_keep_class_values_and_the_aspect() -> None:
    assert fit_size(500, 375, 240, 180) == (240, 180)
    assert fit_size(100, 400, 240, 180) == (45, 180)
    assert fit_size(50, 40, 240, 180) == (50, 40)
    rng = np.random.default_rng(0)
    label = rng.choice([0, 3, 7, 255], (37, 53)).astype(np.uint8)
    small = shrink_label(label, (20, 14))
    assert small.shape == (14, 20) and set(np.unique(small)) <= {0, 3, 7, 255}
    np.testing.assert_array_equal(shrink_label(label, (53, 37)), label)


def test_a_photo_turned_by_its_exif_orientation_is_drawn_upright(tmp_path: Path) -> None:
    from labeltools.core.colormap import voc_colormap
    from labeltools.jobs.report import PictureItem, draw_pictures

    stored = np.zeros((800, 400, 3), np.uint8)  # upright it is 800 wide, 400 high: stored rotated
    stored[:400] = (230, 20, 20)
    stored[400:] = (20, 20, 230)
    exif = Image.Exif()
    exif[0x0112] = 6  # shown turned 90 degrees clockwise: the stored top goes to the right
    Image.fromarray(stored).save(tmp_path / "a.jpg", exif=exif.tobytes(), quality=95)
    write_label(tmp_path / "a.png", np.zeros((400, 800), np.uint8))
    item = PictureItem("a", str(tmp_path / "a.png"), str(tmp_path / "a.jpg"), ("overlay",))
    result = draw_pictures(item, voc_colormap(256), (240, 180))
    assert result.data["size"] == (240, 120)
    with Image.open(io.BytesIO(_decode(result.data["overlay"]))) as picture:
        pixels = np.asarray(picture.convert("RGB")).astype(int)
    assert pixels.shape == (120, 240, 3)
    assert pixels[60, 10, 2] > 150 > pixels[60, 10, 0] and pixels[60, 230, 0] > 150 > pixels[60, 230, 2]


def test_without_the_extra_report_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    voc = make_voc(tmp_path / "voc", {"a": np.zeros((4, 4), np.uint8)})
    for missing in ("jinja2", "plotly"):
        with monkeypatch.context() as patch:
            patch.setitem(sys.modules, missing, None)
            result = run("report", voc, "-o", tmp_path / "r.html")
        assert result.exit_code == 1 and 'pip install "labeltools[report]"' in result.stderr, missing
        assert not (tmp_path / "r.html").exists()


def test_a_missing_prediction_is_a_problem_and_bad_options_are_named(tmp_path: Path) -> None:
    label = np.zeros((6, 8), np.uint8)
    label[:3] = 1
    voc = make_voc(tmp_path / "voc", {"a": label, "b": label})
    (tmp_path / "pred").mkdir()
    write_label(tmp_path / "pred" / "a.png", label)
    result = run("report", voc, "-o", tmp_path / "r.html", "--pred", tmp_path / "pred", "--json", "-")
    assert result.exit_code == 1 and (tmp_path / "r.html").is_file(), result.output  # the page all the same
    problems = [p for p in json.loads(result.stdout)["problems"] if p["kind"] != "no-splits"]
    assert [(p["kind"], Path(p["file"]).name) for p in problems] == [("prediction", "b.png")]
    assert problems[0]["message"].startswith("no prediction for ") and problems[0]["message"].endswith("b.png")
    Image.fromarray(label).save(tmp_path / "pred" / "b.jpg")  # saved as JPEG: said why it is not read
    result = run("report", voc, "-o", tmp_path / "r.html", "--pred", tmp_path / "pred", "--json", "-")
    [problem] = [p for p in json.loads(result.stdout)["problems"] if p["kind"] == "prediction"]
    assert problem["message"].endswith("b.png; b.jpg is beside it: a label map must be a PNG, which keeps every class value (a JPEG's compression changes them along every edge)")
    result = run("report", voc, "-o", tmp_path / "r2.html", "--compare", tmp_path / "nowhere")
    assert result.exit_code == 1 and "nowhere: no such folder (the labels to compare with)" in result.stderr
    with pytest.raises(ReportError, match="max images must be an integer of at least 1, got 0"):
        make_report(voc, tmp_path / "r3.html", ReportOptions(max_images=0))
    assert not (tmp_path / "r2.html").exists() and not (tmp_path / "r3.html").exists()


def test_predictions_one_below_the_labels_are_a_problem(tmp_path: Path) -> None:
    """Predictions one below the labels' values (reduce_zero_label) scored 0 on the page without
    a word: the Problems section says which way and what to give; and of predictions all of a
    model's input size, that they are (as evaluate says)."""
    label = np.zeros((6, 8), np.uint8)
    label[:3], label[3:] = 2, 1
    voc = make_voc(tmp_path / "voc", {"a": label, "b": label[::-1].copy()})
    (tmp_path / "pred").mkdir()
    for name, truth in (("a", label), ("b", label[::-1])):
        write_label(tmp_path / "pred" / f"{name}.png", truth - 1)
    result = run("report", voc, "-o", tmp_path / "r.html", "--pred", tmp_path / "pred", "--json", "-", "-j", "1")
    assert result.exit_code == 0, result.output
    [problem] = [p for p in json.loads(result.stdout)["problems"] if p["kind"] == "prediction"]
    assert problem["severity"] == "warning" and problem["file"] == str(tmp_path / "pred")
    assert problem["message"].startswith("100.0% of the scored pixels are predicted as the class one below their ground truth's")
    assert problem["message"].endswith("Then add 1 to each, or score them by their own class table (--pred-classes)")
    for name, truth in (("a", label), ("b", label[::-1])):
        write_label(tmp_path / "pred" / f"{name}.png", truth)
    result = run("report", voc, "-o", tmp_path / "r.html", "--pred", tmp_path / "pred", "--json", "-", "-j", "1")
    assert not [p for p in json.loads(result.stdout)["problems"] if p["kind"] == "prediction"]
    for name in ("a", "b"):  # saved at a model's input size: each a problem, and what they share one more
        write_label(tmp_path / "pred" / f"{name}.png", np.zeros((16, 16), np.uint8))
    result = run("report", voc, "-o", tmp_path / "r.html", "--pred", tmp_path / "pred", "--json", "-", "-j", "1")
    problems = [p for p in json.loads(result.stdout)["problems"] if p["kind"] == "prediction"]
    assert [p["severity"] for p in problems] == ["error", "error", "warning"]
    assert problems[2]["file"] == str(tmp_path / "pred")
    assert problems[2]["message"].startswith("every prediction that failed is 16x16, unlike its ground truth: a model's input size?")


def test_predictions_of_the_val_split_alone_score_val_and_leave_train_unscored(tmp_path: Path) -> None:
    label = np.zeros((6, 8), np.uint8)
    label[:3] = 1
    voc = make_voc(tmp_path / "voc", {i: label for i in "abcd"}, train=["a", "b"])
    write_split(voc, "val", ["c", "d"])
    (tmp_path / "pred").mkdir()
    guess = label.copy()
    guess[:, :2] = 0
    for image_id in "cd":
        write_label(tmp_path / "pred" / f"{image_id}.png", guess)
    result = run("report", voc, "-o", tmp_path / "r.html", "--pred", tmp_path / "pred", "--json", tmp_path / "r.json", "-j", "1")
    assert result.exit_code == 0, result.output
    assert f"predictions: of the 2 id(s) of {voc / 'ImageSets' / 'Segmentation' / 'val.txt'}; the other samples are not scored" in result.stderr
    assert [p["kind"] for p in json.loads((tmp_path / "r.json").read_text())["problems"]] == []
    scored = run("evaluate", voc, tmp_path / "pred", "--json", tmp_path / "e.json", "-j", "1")
    assert scored.exit_code == 0, scored.output
    assert f"ground truth: the labels of {voc / 'ImageSets' / 'Segmentation' / 'val.txt'}, whose ids the predictions are" in scored.stderr
    assert json.loads((tmp_path / "e.json").read_text())["images"] == 2
    assert f"mIoU {json.loads((tmp_path / 'e.json').read_text())['mean_iou'] * 100:.1f}%" in (tmp_path / "r.html").read_text()
    (tmp_path / "pred" / "d.png").unlink()  # of no split: every label is asked for
    result = run("report", voc, "-o", tmp_path / "r.html", "--pred", tmp_path / "pred", "--json", tmp_path / "r.json", "-j", "1")
    assert "predictions:" not in result.stderr
    assert sorted(Path(p["file"]).name for p in json.loads((tmp_path / "r.json").read_text())["problems"] if p["kind"] == "prediction") == ["a.png", "b.png", "d.png"]
    assert run("evaluate", voc, tmp_path / "pred", "-j", "1").exit_code == 1


def test_a_report_that_cannot_be_written_names_its_path_and_keeps_the_old_one(tmp_path: Path) -> None:
    voc = make_voc(tmp_path / "voc", {"a": np.zeros((4, 4), np.uint8)})
    (tmp_path / "file").write_text("not a folder")
    result = run("report", voc, "-o", tmp_path / "file" / "r.html")
    assert result.exit_code == 1 and f"{tmp_path / 'file'}: is a file, not a folder" in result.stderr
    assert "Traceback" not in result.output and len(result.stderr.splitlines()) == 1
    (tmp_path / "r.html").write_text("the earlier report")
    result = run("report", voc, "-o", tmp_path / "r.html", "--pred", tmp_path / "nowhere", "-n", "2")
    assert result.exit_code == 1 and (tmp_path / "r.html").read_text() == "the earlier report"


def test_predictions_need_a_class_table_and_a_folder(tmp_path: Path) -> None:
    voc = make_voc(tmp_path / "voc", {"a": np.zeros((4, 4), np.uint8)}, names=None)
    (tmp_path / "pred").mkdir()
    result = run("report", voc, "-o", tmp_path / "r.html", "--pred", tmp_path / "pred")
    assert result.exit_code == 1 and "the dataset has no class_names.txt: give --classes TABLE (-c voc: PASCAL VOC's own 21 classes) or --num-classes N" in result.stderr
    result = run("report", voc, "-o", tmp_path / "r.html", "--pred", tmp_path / "nowhere", "-n", "3")
    assert result.exit_code == 1 and "nowhere: no such folder" in result.stderr
    assert not (tmp_path / "r.html").exists()


# --------------------------------------------------------------------------------------------
# the page in a browser


def chromium_path() -> str | None:
    return os.environ.get("LABELTOOLS_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("no chromium: CI installs Debian's chromium for the report's browser tests")
        pytest.skip("no chromium on this machine (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Visit:
    """A page opened from a file, with everything that went wrong while it loaded."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.errors: list[str] = []
        self.failed: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.failed.append(r.url))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.resolve().as_uri(), wait_until="load")
        self.page.wait_for_function("document.querySelectorAll('.main-svg').length > 0")

    def visible_figures(self) -> list[str]:
        return self.page.eval_on_selector_all(
            "#gallery-grid figure", "figures => figures.filter(f => !f.hidden).map(f => f.dataset.classes)"
        )


def test_the_report_loads_offline_without_errors_and_draws_its_charts(browser: Any, sample: dict[str, Path]) -> None:
    visit = Visit(browser, sample["report"])
    try:
        assert visit.errors == [] and visit.failed == []
        assert [u for u in visit.requests if not u.startswith("data:")] == [sample["report"].resolve().as_uri()]
        for chart in ("chart-classes", "chart-scores", "chart-confusion", "chart-changes"):
            box = visit.page.locator(f"#{chart} svg.main-svg").first.bounding_box()
            assert box is not None and box["width"] > 100 and box["height"] > 100, chart
        names = (sample["voc"] / "class_names.txt").read_text().split()
        assert visit.page.locator("#chart-classes .bars .point").count() == len(names)
        assert visit.page.locator("#chart-confusion .hm image, #chart-confusion .heatmaplayer image").count() >= 1
        visit.page.locator("#chart-classes .updatemenu-button").nth(1).click()  # the log scale
        visit.page.wait_for_function("document.getElementById('chart-classes').layout.yaxis.type === 'log'")
        loaded = visit.page.eval_on_selector_all("img", "images => images.every(i => i.complete && i.naturalWidth > 0)")
        assert loaded
    finally:
        visit.page.close()


def test_the_class_table_sorts(browser: Any, sample: dict[str, Path]) -> None:
    visit = Visit(browser, sample["report"])
    try:
        header = visit.page.locator("#class-table th", has_text="pixels")
        column = "rows => rows.map(r => Number(r.cells[2].dataset.value))"
        before = visit.page.eval_on_selector_all("#class-table tbody tr", column)
        header.click()
        ascending = visit.page.eval_on_selector_all("#class-table tbody tr", column)
        header.click()
        descending = visit.page.eval_on_selector_all("#class-table tbody tr", column)
        assert ascending == sorted(before) and descending == sorted(before, reverse=True)
        assert ascending != before  # the table did not start sorted by pixels
        visit.page.locator("#class-table th", has_text="name").click()
        names = visit.page.eval_on_selector_all("#class-table tbody tr", "rows => rows.map(r => r.cells[1].dataset.value)")
        assert names == sorted(names, key=str.lower) or names == sorted(names)
    finally:
        visit.page.close()


def test_a_class_filters_the_gallery(browser: Any, sample: dict[str, Path]) -> None:
    visit = Visit(browser, sample["report"])
    try:
        every = visit.visible_figures()
        counts: dict[str, int] = {}
        for held in every:
            for value in held.split():
                counts[value] = counts.get(value, 0) + 1
        partial = next(v for v, n in sorted(counts.items()) if 0 < n < len(every))
        visit.page.locator(f'#class-chips .chip[data-class="{partial}"]').click()
        shown = visit.visible_figures()
        assert len(shown) == counts[partial] < len(every)
        assert all(partial in held.split() for held in shown)
        visit.page.locator('#class-chips .chip[data-class=""]').click()
        assert len(visit.visible_figures()) == len(every)
        visit.page.locator(f'#class-table .class-link[data-class="{partial}"]').click()  # from the table too
        assert len(visit.visible_figures()) == counts[partial]
    finally:
        visit.page.close()


def test_a_screenshot_of_the_sample_report_is_not_blank(browser: Any, sample: dict[str, Path]) -> None:
    visit = Visit(browser, sample["report"])
    try:
        shot = visit.page.screenshot(full_page=True)
    finally:
        visit.page.close()
    with Image.open(io.BytesIO(shot)) as image:
        pixels = np.asarray(image.convert("RGB"))
    assert pixels.shape[0] > 1500  # every section laid out, not one screen
    not_white = (pixels < 235).any(axis=2).mean()
    colours = len(np.unique(pixels.reshape(-1, 3)[::7], axis=0))
    assert not_white > 0.1 and colours > 500, (not_white, colours)


def test_names_from_data_stay_text_in_the_browser(browser: Any, tmp_path: Path) -> None:
    names = ["background", "<img src=x onerror=\"document.title='owned'\">", "<b>bold</b>"]
    named_report(tmp_path, names, "a")
    visit = Visit(browser, tmp_path / "r.html")
    try:
        assert visit.errors == []
        page = visit.page
        assert "owned" not in page.title() and page.locator('img[src="x"]').count() == 0
        assert page.locator("#class-table b").count() == 0
        cells = page.eval_on_selector_all("#class-table tbody tr", "rows => rows.map(r => r.cells[1].textContent.trim())")
        assert cells == names
        ticks = page.eval_on_selector_all("#chart-classes .xtick text", "ticks => ticks.map(t => t.textContent)")
        assert ticks == [f"{i} {n}" for i, n in enumerate(names)]
    finally:
        visit.page.close()


def test_captions_break_between_words_not_inside_them(browser: Any, sample: dict[str, Path]) -> None:
    visit = Visit(browser, sample["report"])
    try:
        broken = visit.page.eval_on_selector_all(
            "#gallery-grid figure:not([hidden]) figcaption",
            """captions => captions.flatMap(caption => {
                const walker = document.createTreeWalker(caption, NodeFilter.SHOW_TEXT);
                const split = [];
                for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                    for (const word of node.data.matchAll(/[^\\s,]+/g)) {
                        const range = document.createRange();
                        range.setStart(node, word.index);
                        range.setEnd(node, word.index + word[0].length);
                        if (range.getClientRects().length > 1) split.push(word[0]);  // on two lines
                    }
                }
                return split;
            })""",
        )
        words = visit.page.eval_on_selector_all("#gallery-grid figcaption", "c => c.length")
    finally:
        visit.page.close()
    assert words > 0 and broken == []


def test_a_folder_of_labels_is_checked_and_reported_over_the_images_beside_it(tmp_path: Path) -> None:
    """ADE20K's layout (``annotations/validation`` beside ``images/validation``) and
    mmsegmentation's (``ann_dir/val`` beside ``img_dir/val``): check and report take the folder
    of labels, find the images beside it and say so; a label without its image, an image
    without its label and a value that is no class are errors naming their files; predictions
    are scored as evaluate scores them."""
    import subprocess

    from labeltools.formats.folders import images_beside
    from labeltools.jobs.check import label_check

    root = tmp_path / "ADEChallengeData2016"
    labels, images, preds = root / "annotations" / "validation", root / "images" / "validation", tmp_path / "saved"
    for folder in (labels, images, preds):
        folder.mkdir(parents=True)
    rng = np.random.default_rng(4)
    for k in range(4):
        label = rng.integers(0, 151, (30, 40)).astype(np.uint8)
        name = f"ADE_val_{k:08d}"
        Image.fromarray(label).save(labels / f"{name}.png")
        Image.fromarray(np.where(label == 0, 1, label).astype(np.uint8)).save(preds / f"{name}.png")
        if k < 3:
            Image.fromarray(np.dstack([label] * 3)).save(images / f"{name}.jpg")
    Image.new("RGB", (40, 30)).save(images / "ADE_val_00000009.jpg")
    Image.new("RGB", (40, 30)).save(images / "ADE_val_00000000.png")  # a second image of one stem
    bad = labels / "ADE_val_00000001.png"
    Image.fromarray(np.full((30, 40), 200, np.uint8)).save(bad)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "labeltools", "check", str(labels), "-c", "ade20k", "--json", "-", "-j", "1"],
        cwd=elsewhere, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert f"images: {images} (beside annotations/)" in done.stderr
    found = {(p["kind"], Path(p["file"]).name) for p in json.loads(done.stdout)["problems"]}
    assert found == {
        ("missing-image", "ADE_val_00000003.png"), ("missing-label", "ADE_val_00000009.jpg"), ("label-values", bad.name),
        ("duplicate-image", "ADE_val_00000000.png"),
    }

    report = make_report(labels, tmp_path / "r.html", ReportOptions(pred=str(preds)), classes="ade20k", jobs=1)
    page = report.page()
    assert report.read_from.startswith(f"images: {images} (beside annotations/")
    assert page["summary"]["classes"] == 151 and page["summary"]["images"] == 4
    assert {(p["kind"], p["anchor"]) for p in page["problems"]} >= {("label-values", "ADE_val_00000001")}
    photos = {s.item.image_id: s.item.image for s in report.samples}
    assert photos["ADE_val_00000000"] == str(images / "ADE_val_00000000.jpg") and photos["ADE_val_00000003"] == ""
    evaluation = evaluate_dataset(labels, preds, classes="ade20k", missing="skip", jobs=1)
    results = evaluation.run()
    assert [r.ok for r in results].count(False) == 1  # the label of value 200
    assert page["predictions"]["mean_iou"] == pytest.approx(evaluation.scores()["mean_iou"], abs=1e-15)

    mmseg = tmp_path / "mmseg"
    (mmseg / "ann_dir" / "val").mkdir(parents=True)
    (mmseg / "img_dir" / "val").mkdir(parents=True)
    assert images_beside(mmseg / "ann_dir" / "val")[0] == mmseg / "img_dir" / "val"
    assert images_beside(tmp_path / "saved") == (None, "")
    voc = make_voc(tmp_path / "voc", {"a": np.zeros((4, 4), np.uint8)})
    with pytest.raises(DatasetError, match=r"a VOC folder keeps its images in JPEGImages/; leave --images out"):
        label_check(voc, images=images)
    with pytest.raises(DatasetError, match=r"not a VOC dataset folder \(no SegmentationClass/ inside\), nor a folder of label PNGs"):
        label_check(tmp_path / "elsewhere")
    from labeltools import check_dataset

    Image.fromarray(np.zeros((4, 4), np.uint8)).save(mmseg / "ann_dir" / "val" / "a.png")
    Image.new("RGB", (5, 4)).save(mmseg / "img_dir" / "val" / "a.jpg")
    check = check_dataset(mmseg / "ann_dir" / "val", num_classes=2, jobs=1)
    assert [(p.kind, Path(p.file).name) for p in check.problems] == [("size-mismatch", "a.png")]


@pytest.mark.parametrize(
    ("labels", "images", "beside"),
    [
        ("dataset/masks", "dataset/images", "masks"),  # Kaggle's
        ("masks/train", "images/train", "masks"),  # split below
        ("train/Masks", "train/Images", "Masks"),  # in the case it is written in
        ("data/masks", "data/imgs", "masks"),  # Pytorch-UNet's
        ("Train/Urban/masks_png", "Train/Urban/images_png", "masks_png"),  # LoveDA's
        ("export/labels", "export/data", "labels"),  # FiftyOne's segmentation directory
    ],
)
def test_the_images_of_the_layouts_people_download_are_found(tmp_path: Path, labels: str, images: str, beside: str) -> None:
    """A folder of masks beside its images' folder (Kaggle's images/ and masks/, LoveDA's
    images_png/ and masks_png/, FiftyOne's data/ and labels/) was checked without images ('no
    images folder given or beside it'): the images are found, said, and a label without its
    image is an error naming it."""
    for folder in (tmp_path / labels, tmp_path / images):
        folder.mkdir(parents=True)
    for k in range(3):
        write_gray_label(tmp_path / labels / f"{k}.png", np.full((6, 8), k % 2, np.uint8))
        if k < 2:
            Image.new("RGB", (8, 6), (90 * k, 0, 0)).save(tmp_path / images / f"{k}.jpg")
    done = CliRunner().invoke(app, ["check", str(tmp_path / labels), "-n", "2", "--json", "-", "-j", "1"])
    assert done.exit_code == 1, done.stderr
    assert f"images: {tmp_path / images} (beside {beside}/)" in done.stderr
    problems = json.loads(done.stdout)["problems"]
    assert [(p["kind"], Path(p["file"]).name) for p in problems] == [("missing-image", "2.png")]


def test_one_problem_of_many_files_is_listed_once_with_a_count(tmp_path: Path) -> None:
    """A Kaggle mask folder of black-and-white palettes warned once per file (10,000 rows of one
    warning hid a missing image among them): check's table lists the first three files of a
    problem many files share, then how many more; the JSON lists each, and an error stays."""
    for folder in ("masks", "images"):
        (tmp_path / folder).mkdir()
    for k in range(8):
        mask = Image.fromarray(np.eye(4, 6, dtype=np.uint8), "P")
        mask.putpalette([0, 0, 0, 255, 255, 255])
        mask.save(tmp_path / "masks" / f"m{k}.png")
        if k:
            Image.new("RGB", (6, 4), (30 * k, 0, 0)).save(tmp_path / "images" / f"m{k}.jpg")
    done = CliRunner().invoke(app, ["check", str(tmp_path / "masks"), "-n", "2", "--json", str(tmp_path / "c.json"), "-j", "1"])
    assert done.exit_code == 1
    rows = [line for line in done.stdout.splitlines() if line.startswith("│")]
    said = "palette is not the VOC colormap: index 1 shows (255, 255, 255) instead of (128, 0, 0)"
    assert "error" in rows[0] and "no image m0.jpg" in rows[0]
    assert [said in row for row in rows[1:]] == [True, True, True, False] and "5 more file(s)" in rows[4] and "the same (the JSON lists each)" in rows[4]
    assert "0 error(s)" not in done.stdout and "1 error(s), 8 warning(s) in 8 sample(s)" in done.stdout
    assert len(json.loads((tmp_path / "c.json").read_text())["problems"]) == 9
    for k in range(5, 8):  # five alike are listed, all of them
        (tmp_path / "masks" / f"m{k}.png").unlink()
    done = CliRunner().invoke(app, ["check", str(tmp_path / "masks"), "-n", "2", "-j", "1"])
    assert sum(said in line for line in done.stdout.splitlines()) == 5 and "more file(s)" not in done.stdout


def test_a_models_argmax_is_reported_against_ade20k_annotations_as_shipped(tmp_path: Path) -> None:
    """``-c ade20k --pred-classes ade20k-train``: the report reads the labels as shipped and the
    predictions as train ids, and scores them as evaluate does with ``--gt-classes``; tables
    that score other classes are refused, as is the option without predictions."""
    import subprocess

    from labeltools.jobs.report import report_dataset

    labels, argmax = tmp_path / "annotations" / "validation", tmp_path / "argmax"
    labels.mkdir(parents=True)
    argmax.mkdir()
    rng = np.random.default_rng(9)
    for k in range(3):
        label = rng.integers(0, 151, (20, 30)).astype(np.uint8)
        Image.fromarray(label).save(labels / f"ADE_val_{k:08d}.png")
        guess = np.where(rng.random(label.shape) < 0.8, np.maximum(label.astype(int) - 1, 0), 5).astype(np.uint8)
        Image.fromarray(guess).save(argmax / f"ADE_val_{k:08d}.png")
    done = subprocess.run(
        [sys.executable, "-m", "labeltools", "report", str(labels), str(tmp_path / "r.html"), "-c", "ade20k",
         "--pred", str(argmax), "--pred-classes", "ade20k-train", "-j", "1"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = make_report(labels, tmp_path / "r.html", ReportOptions(pred=str(argmax)), classes="ade20k", jobs=1, pred_classes="ade20k-train")
    evaluation = evaluate_dataset(labels, argmax, classes="ade20k-train", gt_classes="ade20k", jobs=1)
    evaluation.run()
    page = report.page()["predictions"]
    assert page["mean_iou"] == pytest.approx(evaluation.scores()["mean_iou"], abs=1e-15) and page["images"] == 3
    assert "the ground truth, ade20k preset (ADE20K labels 0..150, 0 other), read as its 150 train ids" in page["scored_as"]
    with pytest.raises(DatasetError, match=r"are neither the same nor one's label ids and the other's train ids"):
        report_dataset(labels, tmp_path / "r.html", ReportOptions(pred=str(argmax)), classes="ade20k", pred_classes="cityscapes-train")
    with pytest.raises(ReportError, match=r"--pred-classes names the predictions' values where they are not the labels': give --pred too"):
        report_dataset(labels, tmp_path / "r.html", classes="ade20k", pred_classes="ade20k-train")


def test_camvid_and_roboflow_labels_find_their_images(tmp_path: Path) -> None:
    """CamVid's (Kaggle's train_labels/<image>_L.png beside train/), Roboflow's mask export
    (<image>_mask.png among the JPEG images) and DeepGlobe's (<n>_mask.png beside <n>_sat.jpg)
    were checked as labels without images, every image
    a missing label: the images are found, the labels' ending said as mmsegmentation's
    seg_map_suffix; the class lists they ship beside the labels (class_dict.csv, _classes.csv)
    are their tables; predictions saved by image are scored against them (evaluate, report); a
    label without its image is still an error, and labels that do not all share an ending are
    matched by stem as before."""
    from labeltools.jobs.check import label_check

    camvid, images = tmp_path / "CamVid" / "train_labels", tmp_path / "CamVid" / "train"
    roboflow = tmp_path / "roboflow" / "train"
    for folder in (camvid, images, roboflow):
        folder.mkdir(parents=True)
    for k in range(3):
        stem = f"0001TP_{k:06d}"
        write_gray_label(camvid / f"{stem}_L.png", np.full((6, 8), k, np.uint8))
        Image.new("RGB", (8, 6), (90 * k, 0, 0)).save(images / f"{stem}.png")
        write_gray_label(roboflow / f"img{k}_jpg.rf.{k}_mask.png", np.full((6, 8), k, np.uint8))
        Image.new("RGB", (8, 6), (0, 90 * k, 0)).save(roboflow / f"img{k}_jpg.rf.{k}.jpg")
    for labels, found, ending in ((camvid, f"{images} (beside train_labels/, as CamVid lays them out)", "_L"),
                                  (roboflow, f"{roboflow} (the JPEG images among the labels)", "_mask")):  # fmt: skip
        done = CliRunner().invoke(app, ["check", str(labels), "-n", "3", "-j", "1"])
        assert done.exit_code == 0, done.stderr
        assert f"images: {found}" in done.stderr
        assert f"labels: <image>{ending}.png, each beside its image's stem (mmsegmentation: seg_map_suffix='{ending}.png')" in done.stderr
        report = make_report(labels, tmp_path / f"{ending}.html", num_classes=3, jobs=1)
        assert all(s.item.image for s in report.samples) and len(report.samples) == 3
    # the lists these datasets ship beside their labels are their class tables, said once
    (camvid.parent / "class_dict.csv").write_text("name,r,g,b\nRoad,128,64,128\nSky,128,128,128\nCar,64,0,128\nVoid,0,0,0\n")
    (roboflow / "_classes.csv").write_text("Pixel Value, Class\n0, background\n1, cat\n2, dog\n")
    for labels, listed, names in ((camvid, camvid.parent / "class_dict.csv", ["Road", "Sky", "Car"]), (roboflow, roboflow / "_classes.csv", ["background", "cat", "dog"])):
        done = CliRunner().invoke(app, ["stats", str(labels), "--json", "-", "-j", "1"])
        assert done.exit_code == 0, done.stderr
        assert done.stderr.count(f"info: classes: {listed}") == 1 and "the list the labels came with (--classes gives another)" in done.stderr
        assert [c["name"] for c in json.loads(done.stdout)["classes"]] == names
    from labeltools.formats.voc import nearby_class_table

    stray = tmp_path / "other-labels"  # Roboflow's list lies among its masks, never in the folder above
    stray.mkdir()
    write_gray_label(stray / "a.png", np.zeros((2, 2), np.uint8))
    (tmp_path / "_classes.csv").write_text("Pixel Value, Class\n0, unrelated\n")
    assert nearby_class_table(stray) is None and nearby_class_table(tmp_path, labels=stray) is None
    # a model's predictions are saved by image: evaluate and report match them to <image>_L.png
    preds = tmp_path / "preds"
    preds.mkdir()
    for k in range(3):
        write_gray_label(preds / f"0001TP_{k:06d}.png", np.full((6, 8), [0, 1, 1][k], np.uint8))
    done = CliRunner().invoke(app, ["evaluate", str(camvid), str(preds), "-n", "3", "--json", str(tmp_path / "e.json"), "-j", "1"])
    assert done.exit_code == 0, done.stderr
    assert "each label scored against the prediction its stem pairs with (0001TP_000000_L.png against 0001TP_000000.png)" in done.stderr
    scores = json.loads((tmp_path / "e.json").read_text())
    assert scores["images"] == 3 and scores["mean_iou"] == pytest.approx((1 + 0.5 + 0) / 3)
    page = make_report(camvid, tmp_path / "p.html", ReportOptions(pred=str(preds)), num_classes=3, jobs=1).page()
    assert page["predictions"]["mean_iou"] == pytest.approx(scores["mean_iou"]) and page["problems"] == []
    # DeepGlobe's land cover: <n>_mask.png beside <n>_sat.jpg, and a model's <n>_sat.png
    deepglobe = tmp_path / "deepglobe" / "train"
    deepglobe.mkdir(parents=True)
    for n in (100, 10452):
        write_gray_label(deepglobe / f"{n}_mask.png", np.full((6, 8), n % 2, np.uint8))
        Image.new("RGB", (8, 6)).save(deepglobe / f"{n}_sat.jpg")
        write_gray_label(preds / f"{n}_sat.png", np.full((6, 8), n % 2, np.uint8))
    done = CliRunner().invoke(app, ["check", str(deepglobe), "-n", "2", "-j", "1"])
    assert done.exit_code == 0, done.stderr
    assert "labels: <id>_mask.png beside images <id>_sat.jpg (mmsegmentation: img_suffix='_sat.jpg', seg_map_suffix='_mask.png')" in done.stderr
    (preds / "0001TP_000000.png").unlink()  # the folder holds DeepGlobe's predictions alone now
    for k in (1, 2):
        (preds / f"0001TP_{k:06d}.png").unlink()
    done = CliRunner().invoke(app, ["evaluate", str(deepglobe), str(preds), "-n", "2", "--json", str(tmp_path / "d.json"), "-j", "1"])
    assert done.exit_code == 0, done.stderr
    assert "(100_mask.png against 100_sat.png)" in done.stderr and json.loads((tmp_path / "d.json").read_text())["mean_iou"] == 1.0
    (images / "0001TP_000002.png").unlink()
    check = label_check(camvid, num_classes=3)
    assert [(p.kind, Path(p.file).name) for p in check.problems] == [("missing-image", "0001TP_000002_L.png")]
    write_gray_label(camvid / "0001TP_000001.png", np.zeros((6, 8), np.uint8))  # one label of its image's own stem
    check = label_check(camvid, num_classes=3)
    assert not any("seg_map_suffix" in note for note in check.notes)
    assert ("missing-label", "0001TP_000000.png") in [(p.kind, Path(p.file).name) for p in check.problems]


def test_a_folder_of_labels_names_a_missing_folder(tmp_path: Path) -> None:
    from labeltools.jobs.check import label_check

    (tmp_path / "labels").mkdir()
    Image.fromarray(np.zeros((2, 2), np.uint8)).save(tmp_path / "labels" / "a.png")
    with pytest.raises(DatasetError, match=rf"^{tmp_path / 'nowhere'}: no such folder$"):
        label_check(tmp_path / "nowhere")
    with pytest.raises(DatasetError, match=rf"^{tmp_path / 'pics'}: no such folder \(the images of {tmp_path / 'labels'}\)$"):
        label_check(tmp_path / "labels", images=tmp_path / "pics")
