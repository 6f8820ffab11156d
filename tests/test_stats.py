from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from conftest import make_voc
from PIL import Image

from labeltools import (
    ClassTable,
    DatasetCheck,
    DatasetError,
    DatasetStats,
    bar_chart,
    check_dataset,
    dataset_class_table,
    dataset_stats,
    save_stats_plot,
    select_label_paths,
    stat_label_files,
    stats_plot,
    voc_colormap,
    write_label,
)
from labeltools.core.errors import ClassTableError
from labeltools.formats.voc import write_split


def label_a() -> np.ndarray:
    label = np.zeros((6, 8), np.uint8)
    label[1:3, 1:5] = 1  # 8 pixels of class 1
    label[5, :] = 255  # 8 void pixels
    return label


def label_b() -> np.ndarray:
    label = np.full((4, 5), 2, np.uint8)  # 20 pixels of class 2
    label[0, 0] = 0
    return label


# --- statistics -----------------------------------------------------------------------------


@pytest.mark.parametrize("jobs", [1, 2])
def test_stats_counts(tmp_path, jobs):
    root = make_voc(tmp_path / "voc", {"a": label_a(), "b": label_b(), "c": label_a()})
    stats = dataset_stats(root, jobs=jobs)
    assert stats.images == 3
    assert stats.total_pixels == 48 + 20 + 48 and stats.void_pixels == 16
    assert stats.labelled_pixels == 100
    assert stats.void_share == pytest.approx(16 / 116)
    rows = {r["name"]: r for r in stats.rows()}
    # background: a has 48-8-8 = 32, b has 1 -> 65; cat 16; dog 19; bird none
    assert rows["background"] == {"index": 0, "name": "background", "pixels": 65, "share": 0.65, "images": 3, "is_class": True}
    assert rows["cat"]["pixels"] == 16 and rows["cat"]["images"] == 2 and rows["cat"]["share"] == pytest.approx(0.16)
    assert rows["dog"]["pixels"] == 19 and rows["dog"]["images"] == 1
    assert stats.never_seen() == [3]
    assert stats.sizes == Counter({(8, 6): 2, (5, 4): 1})
    data = stats.to_dict()
    assert data["never_seen"] == [{"index": 3, "name": "bird"}]
    assert data["image_sizes"] == [{"width": 8, "height": 6, "images": 2}, {"width": 5, "height": 4, "images": 1}]
    assert data["void_images"] == 2 and data["unknown_values"] == []
    assert sum(c["share"] for c in data["classes"]) == pytest.approx(1.0)


def test_stats_without_class_table_and_unknown_values(tmp_path):
    folder = tmp_path / "labels"
    folder.mkdir()
    odd = label_b()
    odd[3, 4] = 9
    write_label(folder / "x.png", label_a())
    write_label(folder / "y.png", odd)
    stats = dataset_stats(tmp_path, labels_dir=folder, jobs=1)
    assert stats.class_indices == list(range(10))  # 0..max value seen
    assert stats.unknown_values() == []
    table = dataset_stats(tmp_path, labels_dir=folder, num_classes=3, jobs=1)
    assert table.unknown_values() == [9]
    assert table.never_seen() == []
    assert table.to_dict()["unknown_values"] == [{"value": 9, "pixels": 1, "images": 1}]
    assert table.rows()[-1]["name"] == "value 9 (not a class)"


def test_stats_split_and_labels_dir(tmp_path):
    root = make_voc(tmp_path / "voc", {"a": label_a(), "b": label_b()})
    write_split(root, "train", ["b"])
    assert dataset_stats(root, jobs=1).images == 2  # every label by default, even with a train split
    assert dataset_stats(root, split="train", jobs=1).images == 1
    other = tmp_path / "other"
    other.mkdir()
    write_label(other / "b.png", label_a())
    write_label(other / "z.png", label_a())
    assert dataset_stats(root, "train", other, jobs=1).sizes == Counter({(8, 6): 1})
    assert dataset_stats(root, labels_dir=other, jobs=1).images == 2
    with pytest.raises(DatasetError, match=r"not a VOC dataset folder"):
        dataset_stats(tmp_path)


def test_stats_failure_lists_bad_files_and_counts_the_rest(tmp_path):
    root = make_voc(tmp_path / "voc", {"a": label_a(), "b": label_b()})
    (root / "SegmentationClass" / "b.png").write_bytes(b"not a png")
    with pytest.raises(DatasetError, match=r"^1 of 2 label file\(s\) failed: .*b\.png: cannot read image"):
        dataset_stats(root, jobs=1)
    stats = DatasetStats()
    results = list(stats.add_results(stat_label_files(select_label_paths(root)[0], jobs=1)))
    assert [r.ok for r in results] == [True, False] and stats.images == 1
    counts, shape = results[0].data  # the 256 counts and the size, as the weights pass carries them
    assert counts.shape == (256,) and counts.dtype == np.int64 and shape == (6, 8)
    np.testing.assert_array_equal(counts, np.bincount(label_a().ravel(), minlength=256))


def test_dataset_class_table(tmp_path):
    root = make_voc(tmp_path / "voc", {"a": label_a()})
    assert dataset_class_table(root).names == ["background", "cat", "dog", "bird"]
    assert dataset_class_table(root, num_classes=4).names == ["background", "cat", "dog", "bird"]
    assert dataset_class_table(root / "SegmentationClass").names == ["background", "cat", "dog", "bird"]  # one up
    assert dataset_class_table(tmp_path, num_classes=2).names == ["class_0", "class_1"]
    assert dataset_class_table(root, classes="voc").num_classes == 21
    assert dataset_class_table(root, "voc", 21).num_classes == 21
    assert dataset_class_table(tmp_path) is None
    # a number that contradicts the table is refused, never padded with class_4, class_5
    with pytest.raises(DatasetError, match=r"voc/class_names\.txt has 4 classes, but 6 were asked for \(--num-classes\)"):
        dataset_class_table(root, num_classes=6)
    with pytest.raises(DatasetError, match=r"^voc preset has 21 classes, but 3 were asked for"):
        dataset_class_table(root, "voc", 3)
    with pytest.raises(DatasetError, match=r"the number of classes must be 1\.\.255 \(255 is void\), got 0"):
        dataset_class_table(root, num_classes=0)


# --- plot -----------------------------------------------------------------------------------


def bar_lengths(image: Image.Image, color) -> list[int]:
    """Pixels of ``color`` on each image row that has some."""
    rgb = np.asarray(image)
    hits = (rgb == np.asarray(color, np.uint8)).all(axis=2).sum(axis=1)
    return [int(h) for h in hits if h]


@pytest.mark.parametrize("log", [False, True])
def test_plot_is_a_legible_png_in_class_colours(tmp_path, log):
    root = make_voc(tmp_path / "voc", {"a": label_a(), "b": label_b(), "c": label_a()})
    stats = dataset_stats(root, jobs=1)
    target = tmp_path / "shares.png"
    save_stats_plot(target, stats, log=log)
    with Image.open(target) as image:
        assert image.format == "PNG" and image.mode == "RGB"
        assert 500 <= image.width <= 1600 and 150 <= image.height <= 1000
        picture = image.copy()
    palette = voc_colormap(4)
    background, cat, dog = (tuple(int(c) for c in palette[i]) for i in range(3))
    # Bars are drawn in the class colours; longer shares give longer bars (65% > 19% > 16%).
    lengths = {name: max(bar_lengths(picture, color) or [0]) for name, color in (("cat", cat), ("dog", dog))}
    bg_rows = [n for n in bar_lengths(picture, background) if n > 50]
    assert bg_rows and lengths["dog"] > lengths["cat"] > 0
    assert max(bg_rows) > lengths["dog"]


def test_colours_come_from_a_palette_built_once_per_table():
    stats = DatasetStats(ClassTable.from_names(["bg", "cat"]))
    palette = stats.palette()
    assert stats.palette() is palette and not palette.flags.writeable
    assert stats.color_of(1) == tuple(int(c) for c in voc_colormap(2)[1])
    stats.classes = ClassTable.preset("cityscapes")
    assert stats.color_of(7) == (128, 64, 128)  # a new table, a new palette
    assert DatasetStats().color_of(255) == (224, 224, 192)


def test_plot_grows_with_the_number_of_classes(tmp_path):
    root = make_voc(tmp_path / "voc", {"a": label_a()}, names=None)
    few = stats_plot(dataset_stats(root, num_classes=3, jobs=1))
    many = stats_plot(dataset_stats(root, classes="voc", jobs=1))
    assert many.height > few.height + 18 * 20


def test_bar_chart_refuses_negative_values():
    with pytest.raises(ValueError, match=r"bar chart values must be finite and >= 0"):
        bar_chart([("a", -1.0, (0, 0, 0))])
    chart = bar_chart([("a", 0.0, (10, 20, 30)), ("b", 3.0, (200, 0, 0))], title="t", log=True)
    assert bar_lengths(chart, (200, 0, 0)) and not bar_lengths(chart, (10, 20, 30))


# --- check ----------------------------------------------------------------------------------


def truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def broken_dataset(root: Path) -> Path:
    """One instance of each problem the checker knows, each in its own sample."""
    good = label_a()
    names = ["ok", "sized", "rgb", "unlisted", "values", "palette", "trunclabel", "truncimage", "jpeglabel", "nolabel", "noimage", "dup", "both"]
    make_voc(root, {n: good for n in names if n != "nolabel"}, names=("background", "cat", "dog"))
    labels, images = root / "SegmentationClass", root / "JPEGImages"
    Image.new("RGB", (5, 5)).save(images / "sized.jpg")
    Image.new("RGB", (8, 6), (128, 0, 0)).save(labels / "rgb.png")
    bad = good.copy()
    bad[0, 0] = 7
    write_label(labels / "values.png", bad)
    write_label(labels / "palette.png", good, palette=[(0, 0, 0), (255, 0, 0)])
    big = np.random.default_rng(0).integers(0, 3, (64, 64)).astype(np.uint8)
    write_label(labels / "trunclabel.png", big)
    truncated(labels / "trunclabel.png")
    Image.fromarray(np.random.default_rng(1).integers(0, 255, (6, 8, 3), dtype=np.uint8)).save(images / "truncimage.jpg", quality=95)
    truncated(images / "truncimage.jpg")
    Image.fromarray(good).save(labels / "jpeglabel.png", format="JPEG")
    Image.new("RGB", (8, 6)).save(images / "nolabel.jpg")
    (images / "noimage.jpg").unlink()
    listed = [n for n in names if n != "unlisted"]
    write_split(root, "train", [n for n in listed if n != "ok"] + ["dup"])
    write_split(root, "val", ["ok", "both"])
    return root


EXPECTED = {
    ("error", "size-mismatch", "SegmentationClass/sized.png"),
    ("error", "label-mode", "SegmentationClass/rgb.png"),
    ("warning", "unlisted", "SegmentationClass/unlisted.png"),
    ("error", "label-values", "SegmentationClass/values.png"),
    ("warning", "palette", "SegmentationClass/palette.png"),
    ("error", "unreadable", "SegmentationClass/trunclabel.png"),
    ("error", "unreadable", "JPEGImages/truncimage.jpg"),
    ("error", "label-format", "SegmentationClass/jpeglabel.png"),
    ("error", "missing-label", "SegmentationClass/nolabel.png"),
    ("error", "missing-image", "JPEGImages/noimage.jpg"),
    ("warning", "duplicate-id", "ImageSets/Segmentation/train.txt"),
    ("error", "train-val-overlap", "ImageSets/Segmentation/val.txt"),
}


@pytest.mark.parametrize("jobs", [1, 2])
def test_check_reports_each_problem_once_with_its_file(tmp_path, jobs):
    root = broken_dataset(tmp_path / "voc")
    check = check_dataset(root, jobs=jobs)
    found = [(p.severity, p.kind, str(Path(p.file).relative_to(root))) for p in check.problems]
    assert len(found) == len(set(found)) == len(EXPECTED)
    assert set(found) == EXPECTED
    messages = {p.kind: p.message for p in check.problems}
    assert messages["size-mismatch"] == f"label is 8x6 but its image {root / 'JPEGImages/sized.jpg'} is 5x5 (width x height)"
    assert messages["label-mode"].startswith("is a colour image (mode RGB), not a label map") and "`labeltools remap`" in messages["label-mode"]
    assert messages["unlisted"] == "no split file lists this label"
    assert messages["label-values"] == f"label value 7 is neither a class 0..2 ({root / 'class_names.txt'}) nor 255 (void)"
    assert messages["palette"] == "palette is not the VOC colormap: index 1 shows (255, 0, 0) instead of (128, 0, 0)"
    assert messages["label-format"] == "label is a JPEG file, not a PNG (lossy formats change class values)"
    assert messages["missing-label"] == "missing label (listed in train.txt)"
    assert messages["missing-image"] == "missing image for SegmentationClass/noimage.png (listed in train.txt)"
    assert messages["duplicate-id"] == "id dup is listed 2 times"
    assert messages["train-val-overlap"] == "id both is also in train.txt: validation would score training images"
    unreadable = sorted(p.message for p in check.problems if p.kind == "unreadable")
    assert all(m.startswith("cannot read image (") for m in unreadable)
    assert any("truncated" in m for m in unreadable)
    assert len(check.errors) == 9 and len(check.warnings) == 3
    report = check.to_dict()
    assert report["errors"] == 9 and report["warnings"] == 3 and len(report["problems"]) == 12
    assert set(report["problems"][0]) == {"severity", "kind", "file", "message"}


def test_check_clean_dataset_has_no_problems(tmp_path):
    root = make_voc(tmp_path / "voc", {"a": label_a(), "b": label_b()})
    write_split(root, "train", ["a"])
    write_split(root, "val", ["b"])
    write_split(root, "trainval", ["a", "b"])
    check = check_dataset(root, jobs=1)
    assert check.problems == [] and len(check.items) == 2


def test_check_finds_one_photo_under_two_ids(tmp_path):
    """The same image, byte for byte, under an id of val and one of train is an error (no id
    says so: a dataset re-split by hand, a photo exported twice); twice in train, a warning; in
    a folder of labels beside its images, a warning; report lists the same."""
    from typer.testing import CliRunner

    from labeltools.cli import app

    root = make_voc(tmp_path / "voc", {name: label_a() for name in ("a", "b", "c", "d", "e", "f")})
    images = root / "JPEGImages"
    (images / "c.jpg").write_bytes((images / "a.jpg").read_bytes())
    (images / "e.jpg").write_bytes((images / "b.jpg").read_bytes())
    (images / "f.jpg").write_bytes((images / "d.jpg").read_bytes())
    write_split(root, "train", ["a", "b", "e"])
    write_split(root, "val", ["c", "d"])
    write_split(root, "test", ["f"])
    write_split(root, "trainval", ["a", "b", "c", "d", "e"])  # lists both: not a split of its own
    check = check_dataset(root, jobs=2)
    found = {(p.severity, p.kind, Path(p.file).name): p.message for p in check.problems}
    assert found == {
        ("error", "train-val-overlap", "c.jpg"): f"the same image, byte for byte, as {images / 'a.jpg'} (listed in train.txt): validation would score training images",
        ("warning", "duplicate-image", "e.jpg"): f"the same image, byte for byte, as {images / 'b.jpg'}: it counts twice",
        ("error", "test-overlap", "f.jpg"): f"the same image, byte for byte, as {images / 'd.jpg'} (listed in val.txt): the test would score images the model was chosen on",
    }, found
    result = CliRunner().invoke(app, ["report", str(root), "-o", str(tmp_path / "r.html"), "--json", str(tmp_path / "r.json")])
    assert result.exit_code == 1, result.output
    listed = {(p["severity"], p["kind"], Path(p["file"]).name): p["message"] for p in json.loads((tmp_path / "r.json").read_text())["problems"]}
    assert listed == found, listed
    folder = check_dataset(root / "SegmentationClass", images=images, jobs=1)  # no splits: twice is twice
    assert sorted((p.severity, p.kind, Path(p.file).name) for p in folder.problems) == [
        ("warning", "duplicate-image", "c.jpg"), ("warning", "duplicate-image", "e.jpg"), ("warning", "duplicate-image", "f.jpg"),
    ], folder.problems


def test_check_class_table_sources(tmp_path):
    root = make_voc(tmp_path / "voc", {"a": label_b()}, names=None)
    write_split(root, "train", ["a"])
    check = check_dataset(root, jobs=1)
    assert [(p.kind, p.message) for p in check.problems] == [
        ("class-table", "missing: label values are not checked against the classes (give --classes TABLE (-c voc: PASCAL VOC's own 21 classes) or --num-classes N)")
    ]
    assert check.problems[0].severity == "warning" and check.problems[0].file == str(root / "class_names.txt")
    narrow = check_dataset(root, num_classes=2, jobs=1)
    assert [p.message for p in narrow.problems] == ["label value 2 is neither a class 0..1 (2 classes) nor 255 (void)"]
    cityscapes = check_dataset(root, classes="cityscapes", jobs=1)  # ids 0..33: 0 and 2 are classes
    assert [p.message for p in cityscapes.problems] == [
        "palette is not the colours of cityscapes preset: index 2 shows (0, 128, 0) instead of (0, 0, 0)"
    ]
    label = label_b()
    label[0, :3] = [40, 50, 60]
    write_label(root / "SegmentationClass" / "a.png", label)
    odd = check_dataset(root, classes=ClassTable.from_names(["a", "b"]), jobs=1)  # 2 is not a class either
    assert [p.message for p in odd.problems] == [
        "label values 2, 40, 50, 60 are neither a class 0..1 (class names) nor 255 (void)"
    ]
    (root / "class_names.txt").write_text("background\n\ncat\n")
    broken = check_dataset(root, jobs=1)
    assert [(p.severity, p.kind) for p in broken.problems] == [("error", "class-table")]
    assert "line 2 is blank" in broken.problems[0].message
    explicit = check_dataset(root, num_classes=2, jobs=1)  # the broken file is reported, N still used
    assert [p.kind for p in explicit.problems] == ["class-table", "label-values"]
    with pytest.raises(ClassTableError, match=r"nope\.txt: no such class table file"):
        DatasetCheck(root, classes=tmp_path / "nope.txt")


def test_check_custom_colours_and_grayscale_labels(tmp_path):
    root = make_voc(tmp_path / "voc", {"a": label_a()}, names=None)
    write_split(root, "train", ["a"])
    table = ClassTable.from_names(["background", "cat"])
    assert check_dataset(root, classes=table, jobs=1).problems == []
    Image.fromarray(label_a()).save(root / "SegmentationClass" / "a.png")  # grayscale: no palette to check
    assert check_dataset(root, num_classes=2, jobs=1).problems == []


def test_check_reads_16_bit_labels_by_value(tmp_path):
    root = make_voc(tmp_path / "voc", {"a": label_a(), "b": label_a()}, names=("background", "cat"))
    write_split(root, "train", ["a", "b"])
    wide = label_a().astype(np.uint16)
    wide[0, 0] = 7
    Image.fromarray(wide).save(root / "SegmentationClass" / "a.png")
    wide[0, 0] = 300
    Image.fromarray(wide).save(root / "SegmentationClass" / "b.png")
    check = check_dataset(root, jobs=1)
    assert [(p.severity, p.kind, Path(p.file).name, p.message) for p in check.problems] == [
        ("error", "label-values", "a.png", f"label value 7 is neither a class 0..1 ({root / 'class_names.txt'}) nor 255 (void)"),
        ("error", "unreadable", "b.png", "16-bit image with 1 pixel(s) outside 0..255 (max 300); a label map holds one byte per pixel"),
    ]


def test_check_split_problems(tmp_path):
    root = make_voc(tmp_path / "voc", {"a": label_a()})
    check = check_dataset(root, jobs=1)
    assert [(p.severity, p.kind, p.message) for p in check.problems] == [
        ("warning", "no-splits", "no split files (train.txt, val.txt, ...)")
    ]
    split = root / "ImageSets" / "Segmentation"
    split.mkdir(parents=True)
    (split / "train.txt").write_bytes(b"\xff\xfe\xfa")
    check = check_dataset(root, jobs=1)
    kinds = [(p.severity, p.kind, p.file) for p in check.problems]
    assert ("error", "unreadable", str(split / "train.txt")) in kinds
    assert check.problems[0].message.startswith("cannot read split file")


def test_check_warns_of_images_the_usual_loaders_do_not_open(tmp_path):
    labels = {f"im{i}": label_a() for i in range(5)}
    root = make_voc(tmp_path / "voc", labels, train=list(labels))
    kinds = lambda: [(p.kind, p.file, p.message) for p in check_dataset(root, jobs=1).problems if p.kind == "image-suffix"]  # noqa: E731
    assert kinds() == []
    Image.open(root / "JPEGImages" / "im3.jpg").save(root / "JPEGImages" / "im3.png")
    (root / "JPEGImages" / "im3.jpg").unlink()
    assert kinds() == [(
        "image-suffix", str(root / "JPEGImages"),
        "1 of 5 images are not <id>.jpg (im3.png): torchvision's VOCSegmentation and pytorch-deeplab-xception open "
        "<id>.jpg only; mmsegmentation reads one img_suffix, and these are .jpg, .png (convert writes JPEG unless "
        "--image-format keep)",
    )]  # fmt: skip
    for i in (0, 1, 2, 4):
        Image.open(root / "JPEGImages" / f"im{i}.jpg").save(root / "JPEGImages" / f"im{i}.png")
        (root / "JPEGImages" / f"im{i}.jpg").unlink()
    [(_, _, message)] = kinds()  # one suffix for every image: mmsegmentation can be told it
    assert message.startswith("5 of 5 images are not <id>.jpg (im0.png, im1.png, im2.png ...): ") and "mmsegmentation" not in message


def test_a_label_saved_as_jpeg_is_named_where_it_is_missed(tmp_path):
    """A label map saved as <id>.jpg in SegmentationClass: check, and the commands that read the
    split's labels (here weights' counting), say that the JPEG lies beside the missing PNG."""
    from labeltools import count_label_files
    from labeltools.core.errors import LabelFileError

    labels = {f"im{i}": label_a() for i in range(3)}
    root = make_voc(tmp_path / "voc", labels, train=list(labels))
    png = root / "SegmentationClass" / "im1.png"
    Image.open(png).convert("RGB").save(png.with_suffix(".jpg"))
    png.unlink()
    why = "; im1.jpg is beside it: a label map must be a PNG, which keeps every class value"
    [missing] = [p for p in check_dataset(root, jobs=1).problems if p.kind == "missing-label"]
    assert missing.file == str(png) and missing.message.startswith(f"missing label (listed in train.txt){why}")
    with pytest.raises(DatasetError) as info:
        count_label_files([root / "SegmentationClass" / f"im{i}.png" for i in range(3)], 3, jobs=1)
    assert str(info.value).startswith(f"1 of 3 label file(s) failed: {png}: no such file{why}")
    with pytest.raises(LabelFileError, match=r"no such file$"):  # nothing beside it: the plain words
        from labeltools import read_label

        read_label(root / "SegmentationClass" / "im7.png")


def test_check_exif_hint(tmp_path):
    root = make_voc(tmp_path / "voc", {"a": label_a()})
    write_split(root, "train", ["a"])
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90 degrees on display
    Image.new("RGB", (6, 8)).save(root / "JPEGImages" / "a.jpg", exif=exif)
    (problem,) = check_dataset(root, jobs=1).problems
    assert problem.kind == "size-mismatch"
    assert problem.message.endswith(
        "is 6x8 (width x height); its EXIF orientation shows it as 8x6, which some loaders apply and others (torchvision's) do not"
    )


def test_check_needs_a_voc_folder(tmp_path):
    with pytest.raises(DatasetError, match=rf"^{tmp_path}: not a VOC dataset folder \(no SegmentationClass/ inside\)$"):
        DatasetCheck(tmp_path)


def test_check_json(tmp_path):
    root = broken_dataset(tmp_path / "voc")
    check = check_dataset(root, jobs=1)
    check.save_json(tmp_path / "report.json")
    data = json.loads((tmp_path / "report.json").read_text())
    assert data["dataset"] == str(root) and data["errors"] == 9 and data["samples"] == len(check.items)


def test_check_reports_a_sample_that_failed_to_be_checked(tmp_path, monkeypatch):
    import labeltools.jobs.check

    root = make_voc(tmp_path / "voc", {"a": label_a()})
    write_split(root, "train", ["a"])

    def fails(item, **options):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(labeltools.jobs.check, "check_sample", fails)
    (problem,) = check_dataset(root, jobs=1).problems
    assert (problem.severity, problem.kind, problem.file) == ("error", "unreadable", str(root / "SegmentationClass" / "a.png"))
    assert problem.message.endswith("Input/output error")
