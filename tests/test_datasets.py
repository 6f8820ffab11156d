"""Datasets every loader reads in full (class names and colours travel), splits worth training on,
and overlapping shapes made visible."""

from __future__ import annotations

import json
import re
import shlex
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import make_voc
from helpers import README, readme_block, write_annotation
from typer.testing import CliRunner

from labeltools import ClassTable, DatasetError, read_label, read_split, write_label, write_split
from labeltools.cli import app
from labeltools.formats.labelme import labelme_to_label, parse_labelme, rasterise
from labeltools.formats.voc import dataset_meta, labelmap_text, load_class_table
from labeltools.jobs.convert import (
    SAMPLE_DIR,
    ConvertOptions,
    convert_labelme,
    sample_labels_path,
)
from labeltools.jobs.split import split_dataset
from labeltools.ops.splits import fold_ids, id_groups, split_balance, split_ids, stratify

runner = CliRunner()


def cli(*args: Any) -> Any:
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def sample_voc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "voc"
    results = list(convert_labelme(SAMPLE_DIR, out, sample_labels_path(), options=ConvertOptions(instances=True), jobs=1))
    assert all(r.ok for r in results)
    return out


# --------------------------------------------------------------------------------------------
# names and colours travel with the dataset


def test_labelmap_txt_follows_its_definition(sample_voc: Path) -> None:
    table = ClassTable.load(sample_labels_path())
    lines = (sample_voc / "labelmap.txt").read_text().splitlines()
    assert lines[0] == "# label:color_rgb:parts:actions"
    palette = table.palette()
    expected = [f"{name}:{','.join(str(int(v)) for v in palette[i])}::" for i, name in enumerate(table.names)]
    assert lines[1:] == [*expected, "__ignore__:224,224,192::"]
    for line in lines[1:]:  # name : r,g,b : parts : actions, the colour three integers
        name, color, parts, actions = line.split(":")
        assert name and re.fullmatch(r"\d+,\d+,\d+", color) and parts == actions == ""
    assert (sample_voc / "class_names.txt").read_text().split() == table.names


def test_dataset_meta_json_follows_datumaros_fields(sample_voc: Path) -> None:
    table = ClassTable.load(sample_labels_path())
    meta = json.loads((sample_voc / "dataset_meta.json").read_text())
    assert meta["labels"] == [*table.names, "__ignore__"]
    assert meta["label_map"] == {str(i): name for i, name in enumerate(meta["labels"])}
    palette = table.palette()
    assert meta["segmentation_colors"] == [[int(v) for v in palette[i]] for i in range(len(table.names))] + [[224, 224, 192]]
    assert meta["background_label"] == "0" and meta["ignore_index"] == 255 and meta["num_classes"] == len(table.names)


@pytest.mark.parametrize("name", ["class_names.txt", "labelmap.txt", "dataset_meta.json"])
def test_each_class_file_loads_back_as_the_table(sample_voc: Path, name: str) -> None:
    table = ClassTable.load(sample_labels_path())
    loaded = ClassTable.load(sample_voc / name)
    assert loaded.names == table.names
    if name != "class_names.txt":
        assert (loaded.palette() == table.palette()).all()
        assert loaded.void_entries[0].name == "__ignore__"


def test_a_dataset_with_only_a_labelmap_has_its_class_table(tmp_path: Path) -> None:
    root = make_voc(tmp_path / "voc", {"a": np.zeros((4, 4), np.uint8)}, names=None)
    (root / "labelmap.txt").write_text("# label:color_rgb:parts:actions\nbackground:0,0,0::\nroad:10,20,30::\nignored:224,224,192::\n")
    table = load_class_table(root)
    assert table is not None and table.names == ["background", "road"] and table.color_of(1) == (10, 20, 30)


def test_check_finds_class_files_that_disagree_with_class_names(sample_voc: Path, tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "voc"
    shutil.copytree(sample_voc, root)
    clean = cli("check", root, "--json", tmp_path / "clean.json")
    assert clean.exit_code == 0 and json.loads((tmp_path / "clean.json").read_text())["errors"] == 0
    names = (root / "class_names.txt").read_text().replace("\ncar\n", "\nautomobile\n")  # edited by hand, the copies not
    (root / "class_names.txt").write_text(names)
    (root / "dataset_meta.json").write_text('{"labels": ')
    result = cli("check", root, "--json", tmp_path / "edited.json")
    assert result.exit_code == 1
    problems = {Path(p["file"]).name: p for p in json.loads((tmp_path / "edited.json").read_text())["problems"] if p["kind"] == "class-table"}
    assert problems["labelmap.txt"]["severity"] == "error"
    assert problems["labelmap.txt"]["message"] == (
        f"{root}/class_names.txt calls class 2 'automobile', {root}/labelmap.txt calls it 'car': "
        "the tools that read this file see other classes than those that read class_names.txt"
    )
    assert problems["dataset_meta.json"]["message"].endswith(": the tools that read this file find no classes")


def test_custom_colours_reach_both_files() -> None:
    table = ClassTable.load("cityscapes").train_table()
    assert labelmap_text(table).splitlines()[1] == "road:128,64,128::"
    assert dataset_meta(table)["segmentation_colors"][0] == [128, 64, 128]
    odd = ClassTable.from_names(["bg", "a:b"])
    assert labelmap_text(odd) is None  # the format cannot hold a ':'; dataset_meta.json still can
    assert dataset_meta(odd)["labels"] == ["bg", "a:b", "void"]


#: Run in Datumaro's own environment: the names, colours, subsets and, per item, each class's
#: mask (the union of its instance masks) as a list of flat pixel indices.
DATUMARO_READS = """
import json, sys
import numpy as np
import datumaro as dm
dataset = dm.Dataset.import_from(sys.argv[1], "voc_segmentation")
labels = [label.name for label in dataset.categories()[dm.AnnotationType.label]]
colormap = dataset.categories()[dm.AnnotationType.mask].colormap
items, subsets = {}, set()
for item in dataset:
    subsets.add(item.subset)
    union = {}
    for mask in (a for a in item.annotations if a.type == dm.AnnotationType.mask):
        union[mask.label] = union.get(mask.label, 0) | mask.image.astype(bool)
    items[item.id] = {str(k): np.flatnonzero(v).tolist() for k, v in union.items()}
colors = {str(k): list(v) for k, v in colormap.items()}
print(json.dumps({"labels": labels, "colors": colors, "items": items, "subsets": sorted(subsets)}))
"""


@pytest.mark.parametrize("keep", ["labelmap.txt", "dataset_meta.json"])
def test_datumaro_reads_our_names_colours_and_pixels(sample_voc: Path, tmp_path: Path, keep: str) -> None:
    import shutil

    from consumers import run_in

    root = tmp_path / "voc"
    shutil.copytree(sample_voc, root)
    for other in {"labelmap.txt", "dataset_meta.json"} - {keep}:
        (root / other).unlink()
    (tmp_path / "elsewhere").mkdir()
    done = run_in("datumaro", DATUMARO_READS, tmp_path / "elsewhere", str(root))
    assert done.returncode == 0, done.stderr[-3000:]
    read = json.loads(done.stdout.splitlines()[-1])
    table = ClassTable.load(sample_labels_path())
    assert read["labels"][: len(table.names)] == table.names
    assert all(tuple(read["colors"][str(i)]) == table.color_of(i) for i in range(len(table.names)))
    assert {"train", "val"} <= set(read["subsets"])
    assert len(read["items"]) == 8
    for item_id, masks in read["items"].items():  # together, a class's instance masks are its pixels
        label = read_label(root / "SegmentationClass" / f"{item_id}.png").ravel()
        for index in set(np.unique(label).tolist()) - {0, 255}:
            assert masks[str(index)] == np.flatnonzero(label == index).tolist(), (item_id, index)


#: Run with torchvision's own VOCSegmentation on the path: every image and target of each split,
#: as numpy arrays, saved to argv[2].
TORCHVISION_READS = """
import sys
import numpy as np
from torchvision.datasets import VOCSegmentation
arrays = {}
for split in ("train", "val"):
    dataset = VOCSegmentation(sys.argv[1], year="2012", image_set=split)
    for index, image_path in enumerate(dataset.images):
        image, target = dataset[index]
        key = f"{split}/{image_path.rsplit('/', 1)[-1][:-4]}"
        arrays[key + "/image"] = np.asarray(image)
        arrays[key + "/target"] = np.asarray(target)
np.savez(sys.argv[2], **arrays)
"""


def test_torchvision_reads_every_image_and_label_of_each_split(sample_voc: Path, tmp_path: Path) -> None:
    """torchvision's VOCSegmentation, from another working folder, on the README's link: each
    split's ids, its images as RGB and its targets as our class indices, 255 kept."""
    import os
    import subprocess
    import sys

    from consumers import torchvision_voc
    from PIL import Image

    pytest.importorskip("torch")
    (tmp_path / "data" / "VOCdevkit").mkdir(parents=True)
    (tmp_path / "data" / "VOCdevkit" / "VOC2012").symlink_to(sample_voc)
    (tmp_path / "elsewhere").mkdir()
    env = {**os.environ, "PYTHONPATH": str(torchvision_voc())}
    done = subprocess.run(
        [sys.executable, "-c", TORCHVISION_READS, str(tmp_path / "data"), str(tmp_path / "read.npz")],
        cwd=tmp_path / "elsewhere", env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    read = np.load(tmp_path / "read.npz")
    expected = {f"{split}/{i}" for split in ("train", "val") for i in read_split(sample_voc, split)}
    assert {key.rsplit("/", 1)[0] for key in read.files} == expected
    void_seen = False
    for key in expected:
        item_id = key.split("/")[1]
        label = read_label(sample_voc / "SegmentationClass" / f"{item_id}.png")
        np.testing.assert_array_equal(read[key + "/target"], label)
        void_seen |= bool((label == 255).any())
        with Image.open(sample_voc / "JPEGImages" / f"{item_id}.jpg") as image:
            np.testing.assert_array_equal(read[key + "/image"], np.asarray(image.convert("RGB")))
    assert void_seen  # the sample's labels hold void, and it reads back as 255


# --------------------------------------------------------------------------------------------
# splits


@pytest.mark.parametrize("count", [2, 3, 5])
def test_a_small_conversion_has_both_sides(tmp_path: Path, count: int) -> None:
    for i in range(count):
        write_annotation(tmp_path / "src", f"a{i}")
    table = ClassTable.from_names(["_background_", "cat", "dog", "__ignore__"])
    conversion = convert_labelme(tmp_path / "src", tmp_path / "out", table, jobs=1)
    list(conversion)
    assert len(read_split(tmp_path / "out", "val")) == 1 and len(read_split(tmp_path / "out", "train")) == count - 1


def test_a_fraction_of_0_or_1_is_one_side_as_asked_and_any_other_keeps_both() -> None:
    """``--val-fraction 1`` (a set converted for scoring alone) put one image in train without a
    word; 0 and 1 are all train and all val, every fraction between keeps an image on each side,
    hashed, stratified or grouped."""
    ids, classes = rare_classes()
    groups = {i: i[:3] for i in ids}  # im0.., im1.., im2.., im3..: four groups of ten
    for options in ({}, {"classes": classes}, {"groups": groups}):
        assert split_ids(ids, 1.0, **options) == ([], sorted(ids)), options
        assert split_ids(ids, 0.0, **options) == (sorted(ids), []), options
        train, val = split_ids(ids, 0.99, **options)
        assert train and val and sorted(train + val) == sorted(ids), options
    train, val = split_ids(ids[:2], 0.99)
    assert len(train) == len(val) == 1


def test_convert_and_split_of_fraction_1_write_every_image_to_val(tmp_path: Path) -> None:
    for i in range(4):
        write_annotation(tmp_path / "src", f"a{i}")
    done = cli("convert", tmp_path / "src", tmp_path / "out", "--val-fraction", "1", "--stratify", "-j", "1")
    assert done.exit_code == 0, done.output
    assert "(train 0, val 4)" in done.stdout
    assert read_split(tmp_path / "out", "train") == [] and len(read_split(tmp_path / "out", "val")) == 4
    checked = cli("check", tmp_path / "out", "--json", tmp_path / "c.json")  # one warning, not one per class
    assert checked.exit_code == 0, checked.output
    warned = [p["message"] for p in json.loads((tmp_path / "c.json").read_text())["problems"] if p["kind"] == "split-imbalance"]
    assert warned == ["no train image holds a class: each of the 3 classes is in val alone: nothing to learn it from"], warned
    reported = cli("report", tmp_path / "out", "-o", tmp_path / "r.html", "--json", tmp_path / "r.json", "-j", "1")
    assert reported.exit_code == 0, reported.output  # the report's problems are check's, this one too
    assert [p["message"] for p in json.loads((tmp_path / "r.json").read_text())["problems"] if p["kind"] == "split-imbalance"] == warned
    done = cli("split", tmp_path / "out", "--val-fraction", "0.5", "-j", "1")
    assert done.exit_code == 0, done.output
    assert len(read_split(tmp_path / "out", "train")) == len(read_split(tmp_path / "out", "val")) == 2


def rare_classes() -> tuple[list[str], dict[str, set[int]]]:
    """40 images: class 1 in half, class 2 in a third, classes 3..6 in two or three images each."""
    ids = [f"im{i:02d}" for i in range(40)]
    classes = {i: {0} | ({1} if n % 2 else set()) | ({2} if n % 3 == 0 else set()) for n, i in enumerate(ids)}
    for c, holders in {3: (1, 17), 4: (5, 6, 30), 5: (11, 22), 6: (8, 9)}.items():
        for n in holders:
            classes[ids[n]].add(c)
    return ids, classes


def sides_lacking(train: list[str], val: list[str], classes: dict[str, set[int]]) -> set[int]:
    held = {c for i in [*train, *val] for c in classes[i]}
    return {c for c in held - {0} if sum(c in classes[i] for i in train + val) >= 2
            and not (any(c in classes[i] for i in train) and any(c in classes[i] for i in val))}  # fmt: skip


def test_a_hashed_split_misses_a_rare_class_and_a_stratified_one_does_not() -> None:
    ids, classes = rare_classes()
    train, val = split_ids(ids, 0.1, seed=0)
    assert sides_lacking(train, val, classes)  # the plain split leaves rare classes out of val
    for seed in range(5):
        train, val = split_ids(ids, 0.1, seed=seed, classes=classes)
        assert sides_lacking(train, val, classes) == set(), seed
        assert 4 <= len(val) <= 6  # close to the fraction: 4 of 40
        assert split_ids(ids, 0.1, seed=seed, classes=classes) == (train, val)  # deterministic
        assert split_ids(list(reversed(ids)), 0.1, seed=seed, classes=classes) == (train, val)
    assert split_ids(ids, 0.1, 0, classes=classes) != split_ids(ids, 0.1, 1, classes=classes)


def test_stratified_shares_stay_close_to_the_fraction() -> None:
    ids = [f"im{i:03d}" for i in range(300)]
    rng = np.random.default_rng(0)
    classes = {i: {c for c in range(1, 8) if rng.random() < 0.1 * c} for i in ids}
    train, val = split_ids(ids, 0.2, seed=3, classes=classes)
    for c in range(1, 8):
        holders = sum(c in classes[i] for i in ids)
        in_val = sum(c in classes[i] for i in val)
        assert abs(in_val / holders - 0.2) < 0.05, (c, in_val, holders)


def test_resume_keeps_every_id_where_it_was_when_stratifying() -> None:
    ids, classes = rare_classes()
    train, val = split_ids(ids[:30], 0.2, seed=0, classes=classes)
    more_train, more_val = split_ids(ids, 0.2, seed=0, previous=(train, val), classes=classes)
    assert set(train) <= set(more_train) and set(val) <= set(more_val)
    assert len(more_val) == 8


def test_stratified_convert_and_resume_keep_their_sides(tmp_path: Path) -> None:
    shape = lambda label: {"label": label, "points": [[2, 2], [20, 20]], "shape_type": "rectangle"}  # noqa: E731
    for i in range(12):
        labels = ["cat"] + (["dog"] if i in (3, 7) else [])
        write_annotation(tmp_path / "src", f"a{i:02d}", [shape(label) for label in labels])
    table = ClassTable.from_names(["_background_", "cat", "dog"])
    out = tmp_path / "out"
    list(convert_labelme(tmp_path / "src", out, table, stratify=True, jobs=1))
    train, val = read_split(out, "train"), read_split(out, "val")
    assert {"a03", "a07"} & set(train) and {"a03", "a07"} & set(val)  # dog on both sides
    for i in range(12, 16):
        write_annotation(tmp_path / "src", f"a{i:02d}", [shape("cat")])
    list(convert_labelme(tmp_path / "src", out, table, stratify=True, resume=True, jobs=2))
    assert set(train) <= set(read_split(out, "train")) and set(val) <= set(read_split(out, "val"))


@pytest.mark.parametrize("stratified", [False, True])
def test_folds_hold_every_id_once_in_val(stratified: bool) -> None:
    ids, classes = rare_classes()
    folds = fold_ids(ids, 5, seed=2, classes=classes if stratified else None)
    assert sorted(i for fold in folds for i in fold) == ids
    assert {len(fold) for fold in folds} == {8}
    if stratified:  # a class of five images or more is in every fold
        assert all(any(1 in classes[i] for i in fold) for fold in folds)


def test_stratify_respects_fold_sizes_when_nothing_is_rare() -> None:
    ids = [f"x{i}" for i in range(10)]
    folds = stratify(ids, {i: {1} for i in ids}, [3, 7])
    assert [len(f) for f in folds] == [3, 7]


def video_frames() -> tuple[list[str], dict[str, str]]:
    """Frames of nine videos of 4 to 30 frames each (``v3_000012``), and each frame's video."""
    rng = np.random.default_rng(5)
    ids = [f"v{v}_{f:06d}" for v in range(9) for f in range(int(rng.integers(4, 31)))]
    return ids, id_groups(ids, r"^(.+)_\d+$")


def test_a_group_of_frames_stays_on_one_side() -> None:
    """Frames of one video on both sides of a split let val score images train has all but
    seen: with groups, every video is on one side, val as near its share as whole videos allow
    (never past it, never empty), in folds and stratified too; ids placed before keep their side
    and new frames follow their video."""
    ids, groups = video_frames()

    def one_side(*sides: list[str]) -> bool:
        videos = [{groups[i] for i in side} for side in sides]
        return all(not (a & b) for n, a in enumerate(videos) for b in videos[n + 1 :])

    plain_train, plain_val = split_ids(ids, 0.2, seed=0)
    assert not one_side(plain_train, plain_val)  # the hashed split mixes every video
    for seed in range(4):
        train, val = split_ids(ids, 0.2, seed=seed, groups=groups)
        assert sorted(train + val) == sorted(ids) and one_side(train, val), seed
        assert 0 < len(val) <= round(0.2 * len(ids)), (seed, len(val))
        assert split_ids(list(reversed(ids)), 0.2, seed=seed, groups=groups) == (train, val)
    classes = {i: {0, 1 + int(groups[i][1:]) % 3} for i in ids}
    train, val = split_ids(ids, 0.2, seed=1, classes=classes, groups=groups)
    assert one_side(train, val) and sides_lacking(train, val, classes) == set()
    for steer in (None, classes):
        folds = fold_ids(ids, 3, seed=2, classes=steer, groups=groups)
        assert sorted(i for fold in folds for i in fold) == sorted(ids) and one_side(*folds)
    sizes = [len(fold) for fold in fold_ids(ids, 3, seed=2, groups=groups)]
    assert max(sizes) - min(sizes) <= max(Counter(groups.values()).values())
    # frames added to a split video go where their video is; an unsplit video is placed whole
    first = [i for i in ids if not i.endswith(("_000003", "_000004"))]
    train, val = split_ids(first, 0.2, seed=0, groups=groups)
    more_train, more_val = split_ids(ids, 0.2, seed=0, previous=(train, val), groups=groups)
    assert set(train) <= set(more_train) and set(val) <= set(more_val) and one_side(more_train, more_val)
    # one video alone cannot be split; a pattern that misses an id, or is none, is refused
    with pytest.raises(DatasetError, match=r"^--group puts every image in one group \(v0: 4 images\): none is left for val$"):
        split_ids(ids[:4], 0.5, groups=groups)
    with pytest.raises(DatasetError, match=r"^--group '_\(\\d\)\$' matches no part of 2 id\(s\): a, b_12$"):
        id_groups(["a", "b_12", "c_1"], r"_(\d)$")
    with pytest.raises(DatasetError, match=r"^--group '\(' is no regular expression"):
        id_groups(ids, "(")
    with pytest.raises(DatasetError, match=r"^10 folds need at least 10 groups, got 9 \(--group\)$"):
        fold_ids(ids, 10, groups=groups)
    assert id_groups(["tile_3_7", "tile_3_8"], r"tile_\d+") == {"tile_3_7": "tile_3", "tile_3_8": "tile_3"}  # no group: the match


def test_convert_split_and_export_keep_a_videos_frames_together(tmp_path: Path) -> None:
    """--group on the three commands that split: said with the number of groups, each video's
    frames on one side of every split file (and of the COCO files), in --json; a VOC dataset
    given to export keeps its own split files and refuses the option rather than ignore it."""
    ids, groups = video_frames()
    shape = {"label": "car", "points": [[2, 2], [20, 12]], "shape_type": "rectangle"}
    for image_id in ids:
        write_annotation(tmp_path / "frames", image_id, [shape])
    pattern = r"^(.+)_\d+$"
    largest, size = max(sorted(Counter(groups.values()).items()), key=lambda item: item[1])
    said = f"split: images of one group kept on one side (--group '{pattern}': 9 groups, the largest {largest} of {size} images)"
    out = tmp_path / "voc"
    done = cli("convert", tmp_path / "frames", out, "--group", pattern, "--val-fraction", "0.25", "-j", "1", "--json", tmp_path / "c.json")
    assert done.exit_code == 0, done.output
    assert said in " ".join(done.stderr.split())
    assert json.loads((tmp_path / "c.json").read_text())["splits_from"] == said.removeprefix("split: ")

    def videos(split: str) -> set[str]:
        return {groups[i] for i in read_split(out, split)}

    assert not videos("train") & videos("val") and videos("val") and len(videos("train") | videos("val")) == 9
    done = cli("split", out, "--group", pattern, "--folds", "3", "-j", "1", "--json", tmp_path / "s.json")
    assert done.exit_code == 0, done.output
    assert said in " ".join(done.stderr.split())
    assert json.loads((tmp_path / "s.json").read_text())["groups"] == groups
    assert all(not videos(f"val_{k}") & videos(f"train_{k}") for k in range(3))
    assert sorted(i for k in range(3) for i in read_split(out, f"val_{k}")) == sorted(ids)
    # the dataset records its groups: a split (or a resumed conversion) without --group keeps them, '' drops them
    assert json.loads((out / "dataset_meta.json").read_text())["split_group"] == pattern
    recorded = f"{said}, recorded in {out / 'dataset_meta.json'} (--group '' splits without it)"
    for command in (("split", out, "--val-fraction", "0.3"), ("convert", tmp_path / "frames", out, "--resume")):
        done = cli(*command, "-j", "1")
        assert done.exit_code == 0, done.output
        assert recorded in " ".join(done.stderr.split()) and "warning" not in done.stderr, command
        assert not videos("train") & videos("val"), command
        if command[0] == "split":  # its table's title counts each side's groups
            sides = f"train ({len(read_split(out, 'train'))} images, {len(videos('train'))} groups) and val ({len(read_split(out, 'val'))} images, {len(videos('val'))} groups)"
            assert sides in done.stdout, done.stdout
    moved = read_split(out, "val")[0]  # a hand edit puts a frame of a val video in train: check says so
    write_split(out, "val", read_split(out, "val")[1:])
    write_split(out, "train", [*read_split(out, "train"), moved])
    done = cli("check", out, "--json", tmp_path / "check.json")
    assert done.exit_code == 1
    assert [(p["kind"], p["message"]) for p in json.loads((tmp_path / "check.json").read_text())["problems"] if p["kind"] == "split-group"] == [(
        "split-group",
        f"1 group(s) of --group '{pattern}' (dataset_meta.json records it) have images in train.txt too: {groups[moved]}; "
        f"validation would score images training has all but seen (labeltools split {shlex.quote(str(out))} keeps them apart)",
    )]
    meta = json.loads((out / "dataset_meta.json").read_text())
    (out / "dataset_meta.json").write_text(json.dumps({**meta, "split_group": 7}))  # a record that is none
    done = cli("check", out, "--json", tmp_path / "check.json")
    assert ("split-group", str(out / "dataset_meta.json"), "'split_group' is 7, expected a regular expression") in {
        (p["kind"], p["file"], p["message"]) for p in json.loads((tmp_path / "check.json").read_text())["problems"]
    }
    (out / "dataset_meta.json").write_text(json.dumps(meta))
    done = cli("split", out, "--group", "", "-j", "1")
    assert done.exit_code == 0, done.output
    assert f"split: without groups, as asked, where {out / 'dataset_meta.json'} recorded '{pattern}'" in " ".join(done.stderr.split())
    assert "split_group" not in json.loads((out / "dataset_meta.json").read_text()) and videos("train") & videos("val")
    done = cli("export", tmp_path / "frames", "--to", "coco", "-d", tmp_path / "coco", "--group", pattern, "-j", "1")
    assert done.exit_code == 0, done.output
    assert said in " ".join(done.stderr.split())
    sides = [{groups[Path(image["file_name"]).stem] for image in json.loads((tmp_path / "coco" / "annotations" / f"instances_{split}.json").read_text())["images"]} for split in ("train", "val")]
    assert sides[0] and sides[1] and not sides[0] & sides[1]
    done = cli("export", out, "--to", "coco", "-d", tmp_path / "again", "--group", pattern)
    assert done.exit_code == 1
    assert done.stderr.strip() == f"error: {out}: a VOC dataset is exported by its own split files; labeltools split --group splits it so first"
    plain = tmp_path / "plain"  # converted without groups, resumed with them: its split stays, said
    assert cli("convert", tmp_path / "frames", plain, "-j", "1").exit_code == 0
    mixed = sorted({groups[i] for i in read_split(plain, "train")} & {groups[i] for i in read_split(plain, "val")})
    assert mixed
    done = cli("convert", tmp_path / "frames", plain, "--resume", "--group", pattern, "-j", "1")
    assert done.exit_code == 0, done.output
    assert (
        f"warning: {len(mixed)} group(s) have images in train and in val, where the dataset's earlier split or the export's "
        f"own put them, which are kept: {', '.join(mixed[:5])}{' ...' if len(mixed) > 5 else ''}; labeltools split {shlex.quote(str(plain))} "
        f"--group {shlex.quote(pattern)} splits them anew"
    ) in " ".join(done.stderr.split())
    done = cli("convert", tmp_path / "frames", tmp_path / "none", "--group", "^x")  # refused before anything is written
    assert done.exit_code == 1 and not (tmp_path / "none").exists()
    assert done.stderr.strip() == f"error: --group '^x' matches no part of {len(ids)} id(s): v0_000000, v0_000001, v0_000002 and {len(ids) - 3} more"


def rare_voc(root: Path) -> Path:
    ids, classes = rare_classes()
    labels = {}
    for image_id in ids:
        label = np.zeros((4, 8), np.uint8)
        for c in classes[image_id] - {0}:
            label[:, c] = c
        labels[image_id] = label
    return make_voc(root, labels, names=["background", *(f"c{c}" for c in range(1, 7))])


def test_split_command_writes_the_split_and_reports_the_balance(tmp_path: Path) -> None:
    root = rare_voc(tmp_path / "voc")
    result = cli("split", root, "--json", tmp_path / "s.json", "-j", "1")
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "s.json").read_text())
    missing = {row["index"] for row in report["balance"][0] if row["missing_from"]}
    assert missing and all(row["missing_from"] == ["val"] for row in report["balance"][0] if row["missing_from"])
    assert "missing" in result.stdout
    assert read_split(root, "val") == report["splits"]["val"] and len(report["splits"]["val"]) == 4
    assert cli("check", root).exit_code == 0  # warnings only: the imbalance
    result = cli("check", root, "--json", tmp_path / "c.json")
    kinds = [p["kind"] for p in json.loads((tmp_path / "c.json").read_text())["problems"]]
    assert kinds.count("split-imbalance") == len(missing)
    result = cli("stats", root)
    assert "split imbalance:" in result.stdout

    result = cli("split", root, "--stratify", "--json", tmp_path / "s.json", "-j", "2")
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "s.json").read_text())
    assert not [row for row in report["balance"][0] if row["missing_from"]]
    check = json.loads((tmp_path / "c.json").read_text()) if cli("check", root, "--json", tmp_path / "c.json").exit_code == 0 else None
    assert check is not None and "split-imbalance" not in [p["kind"] for p in check["problems"]]


def test_split_command_writes_folds(tmp_path: Path) -> None:
    root = rare_voc(tmp_path / "voc")
    assert cli("split", root, "--folds", "4", "--stratify", "-j", "1").exit_code == 0
    vals = [read_split(root, f"val_{k}") for k in range(4)]
    assert sorted(i for v in vals for i in v) == sorted(p.stem for p in (root / "SegmentationClass").glob("*.png"))
    for k in range(4):
        assert set(read_split(root, f"train_{k}")) == {i for j, v in enumerate(vals) if j != k for i in v}
    assert cli("split", root, "--folds", "1").exit_code == 2
    assert "100 folds need at least 100 images, got 40" in cli("split", root, "--folds", "100").stderr


def test_a_datasets_test_list_stays_out_of_train_and_val_and_check_names_a_leak(tmp_path: Path) -> None:
    root = rare_voc(tmp_path / "voc")
    labelled = sorted(p.stem for p in (root / "SegmentationClass").glob("*.png"))
    test = root / "ImageSets" / "Segmentation" / "test.txt"
    test.parent.mkdir(parents=True, exist_ok=True)
    test.write_text("".join(f"{i}\n" for i in [*labelled[::5], "unlabelled"]))
    before = test.read_bytes()
    result = cli("split", root, "--json", tmp_path / "s.json", "-j", "1")
    assert result.exit_code == 0, result.output
    assert f"{test}: its 8 labelled ids kept out of train and val" in result.stderr
    report = json.loads((tmp_path / "s.json").read_text())
    assert report["held_out"] == labelled[::5]
    rest = sorted(set(labelled) - set(labelled[::5]))
    assert read_split(root, "trainval") == rest and sorted(read_split(root, "train") + read_split(root, "val")) == rest
    assert test.read_bytes() == before
    assert cli("split", root, "--folds", "4", "-j", "1").exit_code == 0
    assert sorted(i for k in range(4) for i in read_split(root, f"val_{k}")) == rest
    assert not {i for k in range(4) for i in read_split(root, f"train_{k}")} & set(labelled[::5])

    problems = lambda: [(p["kind"], Path(p["file"]).name, p["message"]) for p in json.loads((tmp_path / "c.json").read_text())["problems"] if p["kind"] != "split-imbalance"]  # noqa: E731
    cli("check", root, "--json", tmp_path / "c.json")
    assert [p for p in problems() if p[0] != "missing-label" and p[0] != "missing-image"] == []
    train, val = read_split(root, "train"), read_split(root, "val")
    test.write_text(f"{train[0]}\n{val[0]}\n")
    assert cli("check", root, "--json", tmp_path / "c.json").exit_code == 1
    assert [p for p in problems() if p[0] != "unlisted"] == [
        ("test-overlap", "test.txt", f"id {train[0]} is also in train.txt: the test would score training images"),
        ("test-overlap", "test.txt", f"id {val[0]} is also in val.txt: the test would score images the model was chosen on"),
    ]
    test.write_text("".join(f"{i}\n" for i in labelled))
    result = cli("split", root)
    assert result.exit_code == 1 and f"{test}: lists every label: none is left to split into train and val" in result.stderr


def test_split_job_balance_counts_images_and_pixels(tmp_path: Path) -> None:
    root = make_voc(tmp_path / "voc", {"a": np.array([[0, 1], [1, 255]], np.uint8), "b": np.array([[2, 2], [0, 0]], np.uint8)},
                    names=["bg", "one", "two"])  # fmt: skip
    splitting = split_dataset(root, val_fraction=0.5, seed=0)
    list(splitting)
    [balance] = splitting.balance
    side = {i: "train" if i in splitting.splits["train"] else "val" for i in ("a", "b")}
    assert balance[1].images[side["a"]] == 1 and balance[1].pixels[side["a"]] == 2
    assert balance[1].shares[side["a"]] == pytest.approx(2 / 3)  # void is not labelled
    assert split_balance({"x": ["a"]}, {"a": {1: 5}}, 3)[1].images == {"x": 1}


# --------------------------------------------------------------------------------------------
# overlapping shapes


def overlap_doc() -> Any:
    shapes = [
        {"label": "person", "points": [[2, 2], [10, 10]], "shape_type": "rectangle"},
        {"label": "car", "points": [[6, 6], [14, 14]], "shape_type": "rectangle"},
        {"label": "car", "points": [[12, 12], [15, 15]], "shape_type": "rectangle"},  # same class: no clash
        {"label": "__ignore__", "points": [[13, 13], [15, 15]], "shape_type": "rectangle"},  # void: no clash
    ]
    return parse_labelme({"shapes": shapes, "imageHeight": 16, "imageWidth": 16}, "o.json")


def test_overlap_rules_and_contested_pixels() -> None:
    table = ClassTable.from_names(["_background_", "person", "car"])
    doc = overlap_doc()
    last, _ = labelme_to_label(doc, table)
    first, _ = labelme_to_label(doc, table, overlap="first")
    void, instances = labelme_to_label(doc, table, overlap="void")
    contested = np.zeros((16, 16), bool)
    contested[6:11, 6:11] = True  # the person box and the first car box meet here: 5 x 5
    assert rasterise(doc, table).contested == 25
    assert (last[contested] == 2).all() and (first[contested] == 1).all()
    assert (void[contested] == 255).all() and (instances[contested] == 255).all()
    assert (last[~contested] == void[~contested]).all()  # void is "last" but for the contested pixels
    assert (last[13:, 13:] == 255).all() and (first[13:, 13:] == 2).all()  # the first shape wins over void too
    differ = last != first
    differ[13:, 13:] = False
    assert (differ == contested).all()


def test_convert_reports_the_files_with_most_overlap(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shapes = [
        {"label": "person", "points": [[2, 2], [10, 10]], "shape_type": "rectangle"},
        {"label": "car", "points": [[6, 6], [14, 14]], "shape_type": "rectangle"},
    ]
    write_annotation(src, "busy", shapes)
    write_annotation(src, "calm", shapes[:1])
    result = cli("convert", src, tmp_path / "out", "--json", tmp_path / "c.json")
    assert result.exit_code == 0, result.output
    assert "1 file(s) with shapes of different classes overlapping (the later shape wins, --overlap); most pixels: busy 25" in " ".join(result.stdout.split())
    summary = json.loads((tmp_path / "c.json").read_text())
    assert summary["overlap"] == {"rule": "last", "files": [{"id": "busy", "contested_pixels": 25}]}
    assert summary["converted"] == 2 and summary["failed"] == 0 and summary["splits"]["trainval"] == 2
    result = cli("convert", src, tmp_path / "void", "--overlap", "void")
    assert result.exit_code == 0 and (read_label(tmp_path / "void" / "SegmentationClass" / "busy.png")[6:11, 6:11] == 255).all()
    assert cli("convert", src, tmp_path / "x", "--overlap", "middle").exit_code == 2


# --------------------------------------------------------------------------------------------
# the README's loading snippets


#: Appended to the README's mmsegmentation snippet: what mmsegmentation's BaseSegDataset made of
#: the dataset, and each label map read as its LoadAnnotations reads one (mmcv's imfrombytes,
#: flag "unchanged", its default Pillow backend), saved to argv[1].
MMSEG_READS = """
import sys
import mmcv
import mmengine.fileio as fileio
import numpy as np
arrays = {}
for index in range(len(dataset)):
    info = dataset[index]
    assert info["label_map"] is None and info["reduce_zero_label"] is False, info
    seg = mmcv.imfrombytes(fileio.get(info["seg_map_path"]), flag="unchanged", backend="pillow").squeeze().astype(np.uint8)
    arrays[info["seg_map_path"]] = seg
    arrays[info["img_path"]] = mmcv.imread(info["img_path"], channel_order="rgb")
arrays["classes"] = np.array(dataset.metainfo["classes"])
arrays["palette"] = np.array(dataset.metainfo["palette"])
np.savez(sys.argv[1], **arrays)
"""


def test_readme_mmsegmentation_snippet_reads_our_names_colours_and_pixels(sample_voc: Path, tmp_path: Path) -> None:
    """The README's snippet, run on mmsegmentation's own BaseSegDataset: every train id, its image
    and its label map as mmsegmentation loads them, no remapping of the classes."""
    from consumers import mmseg_modules, run_in
    from PIL import Image

    pytest.importorskip("torch")
    (tmp_path / "dataset").symlink_to(sample_voc)  # the README's snippets read dataset/
    code = readme_block("#### mmsegmentation") + MMSEG_READS
    done = run_in("mmsegmentation", code, tmp_path, str(tmp_path / "read.npz"), path=mmseg_modules())
    assert done.returncode == 0, done.stderr[-3000:]
    read = np.load(tmp_path / "read.npz")
    table = ClassTable.load(sample_labels_path())
    assert read["classes"].tolist() == table.names
    assert [tuple(c) for c in read["palette"].tolist()] == [table.color_of(i) for i in range(len(table.names))]
    train = read_split(sample_voc, "train")
    assert sorted(k for k in read.files if k.startswith("dataset/SegmentationClass/")) == sorted(
        f"dataset/SegmentationClass/{i}.png" for i in train
    )
    for item_id in train:
        label = read_label(sample_voc / "SegmentationClass" / f"{item_id}.png")
        np.testing.assert_array_equal(read[f"dataset/SegmentationClass/{item_id}.png"], label)
        with Image.open(sample_voc / "JPEGImages" / f"{item_id}.jpg") as image:
            np.testing.assert_array_equal(read[f"dataset/JPEGImages/{item_id}.jpg"], np.asarray(image.convert("RGB")))


#: Appended to the README's FiftyOne snippet: each sample's mask and tags, the mask targets, the
#: palette label files as FiftyOne reads them, and FiftyOne's scores of argv[2]'s predictions
#: (grayscale PNGs by stem) with the classes given and without, saved to argv[1].
FIFTYONE_READS = """
import sys
import numpy as np
arrays = {"targets": np.array([dataset.default_mask_targets[i] for i in range(len(names))]), "count": len(dataset)}
arrays["target keys"] = np.array(sorted(dataset.default_mask_targets))
for sample in dataset:
    stem = Path(sample.filepath).stem
    arrays[f"mask/{stem}"] = sample.ground_truth.get_mask()
    arrays[f"tags/{stem}"] = np.array(sorted(sample.tags))
    arrays[f"palette/{stem}"] = fo.Segmentation(mask_path=f"dataset/SegmentationClass/{stem}.png").get_mask()
    sample["prediction"] = fo.Segmentation(mask_path=str(Path(sys.argv[2], f"{stem}.png").resolve()))
    sample.save()
results = dataset.evaluate_segmentations("prediction", gt_field="ground_truth", mask_targets=dataset.default_mask_targets)
arrays["confusion"] = results.pixel_confusion_matrix
arrays["accuracy"] = results.metrics()["accuracy"]
results = dataset.evaluate_segmentations("prediction", gt_field="ground_truth")  # the classes not given
arrays["confusion of every value"] = results.pixel_confusion_matrix
arrays["values"] = np.array(results.classes)
np.savez(sys.argv[1], **arrays)
"""


def test_readme_fiftyone_snippet_reads_our_classes_names_and_splits(sample_voc: Path, tmp_path: Path) -> None:
    """The README's snippet, run in FiftyOne, from another working folder than the dataset's: every
    sample's mask is its label's class indices, void 255 kept, the classes named, the splits
    tagged; FiftyOne reads the palette files themselves as colours, as the README says. FiftyOne's
    pixel confusion matrix of predictions wrong on void and on a band of classes is labeltools',
    void left out, when given the classes, and has a row for 255 when not; its accuracy leaves out
    background predicted as background, as the README says."""
    import shutil

    from consumers import run_in
    from PIL import Image

    from labeltools import ConfusionMatrix, write_gray_label

    root = tmp_path / "dataset"  # the README's snippets read dataset/
    shutil.copytree(sample_voc, root)
    result = cli("colorize", root / "SegmentationClass", "--gray", "-d", root / "SegmentationClassGray")
    assert result.exit_code == 0, result.output
    table = ClassTable.load(sample_labels_path())
    scored = ConfusionMatrix(len(table.names))
    (tmp_path / "predictions").mkdir()
    for path in sorted((root / "SegmentationClass").glob("*.png")):
        label = read_label(path)
        prediction = label.copy()
        prediction[label == 255] = 1  # wrong on void alone: not counted
        prediction[:, :40][label[:, :40] != 255] = 2  # a band of wrong pixels where no label is 2
        write_gray_label(tmp_path / "predictions" / path.name, prediction)  # as a model's argmax is saved
        scored.update(label, prediction)
    code = readme_block("#### FiftyOne") + FIFTYONE_READS
    done = run_in("fiftyone", code, tmp_path, str(tmp_path / "read.npz"), str(tmp_path / "predictions"))
    assert done.returncode == 0, done.stderr[-3000:]
    read = np.load(tmp_path / "read.npz")
    assert read["targets"].tolist() == table.names and read["target keys"].tolist() == list(range(len(table.names)))
    assert int(read["count"]) == 8
    void = 0
    for path in sorted((root / "SegmentationClass").glob("*.png")):
        label = read_label(path)
        np.testing.assert_array_equal(read[f"mask/{path.stem}"], label)
        void += int((label == 255).sum())
        with Image.open(path) as palette_file:  # its colours, not its indices
            np.testing.assert_array_equal(read[f"palette/{path.stem}"], np.asarray(palette_file.convert("RGB")))
        tags = [split for split in ("train", "val") if path.stem in read_split(root, split)]
        assert read[f"tags/{path.stem}"].tolist() == tags
    assert void > 0
    assert scored.pixel_accuracy() < 0.9  # the band is wrong
    np.testing.assert_array_equal(read["confusion"], scored.matrix)  # void left out, as evaluate leaves it
    matrix = scored.matrix
    assert float(read["accuracy"]) == pytest.approx((matrix.trace() - matrix[0, 0]) / (matrix.sum() - matrix[0, 0]))
    assert read["values"].tolist() == [*map(str, range(len(table.names))), "255"]  # without the classes: void is one
    every = read["confusion of every value"]
    np.testing.assert_array_equal(every[:-1, :-1], matrix)
    assert every[-1, 1] == void  # void, predicted as class 1, scored


#: Appended to the README's transformers snippet: the names, the snippet's labels, and every
#: train id's labels read by its processor and by one that reduces them (an ADE20K checkpoint's),
#: saved to argv[1].
TRANSFORMERS_READS = """
import sys
import numpy as np
arrays = {"id2label": np.array([id2label[i] for i in range(len(id2label))]), f"snippet/{name}": labels}
reducing = SegformerImageProcessor(do_reduce_labels=True)
for stem in open("dataset/ImageSets/Segmentation/train.txt").read().split():
    image, label = Image.open(f"dataset/JPEGImages/{stem}.jpg"), Image.open(f"dataset/SegmentationClass/{stem}.png")
    arrays[f"kept/{stem}"] = processor(image, segmentation_maps=label, return_tensors="np")["labels"][0]
    arrays[f"reduced/{stem}"] = reducing(image, segmentation_maps=label, return_tensors="np")["labels"][0]
np.savez(sys.argv[1], **arrays)
"""


def test_readme_transformers_snippet_reads_our_class_indices(sample_voc: Path, tmp_path: Path) -> None:
    """The README's snippet, in transformers' SegFormer image processor, from another working
    folder: the names are class_names.txt's, and every train label comes in as our class indices
    resized by nearest neighbour to 512 x 512, void 255 kept; a processor that reduces the
    labels (as ADE20K checkpoints' do) reads background as 255 and each class one lower, which
    is why the README turns it off."""
    from consumers import run_in
    from PIL import Image

    (tmp_path / "dataset").symlink_to(sample_voc)
    done = run_in("transformers", readme_block("#### Hugging Face transformers") + TRANSFORMERS_READS, tmp_path, str(tmp_path / "read.npz"))
    assert done.returncode == 0, done.stderr[-3000:]
    read = np.load(tmp_path / "read.npz")
    assert read["id2label"].tolist() == ClassTable.load(sample_labels_path()).names
    train = read_split(sample_voc, "train")
    np.testing.assert_array_equal(read[f"snippet/{train[0]}"], read[f"kept/{train[0]}"])
    void = 0
    for item_id in train:
        label = read_label(sample_voc / "SegmentationClass" / f"{item_id}.png")
        expected = np.asarray(Image.fromarray(label).resize((512, 512), Image.Resampling.NEAREST))
        np.testing.assert_array_equal(read[f"kept/{item_id}"], expected, err_msg=item_id)
        shifted = np.where(expected == 0, 255, np.where(expected == 255, 255, expected.astype(np.int64) - 1))
        np.testing.assert_array_equal(read[f"reduced/{item_id}"], shifted, err_msg=item_id)
        void += int(np.count_nonzero(expected == 255))
    assert void > 0  # the void of the sample's __ignore__ shapes, kept


def test_readme_deeplab_weights_name(sample_voc: Path, tmp_path: Path) -> None:
    text = README.read_text()
    assert "labeltools weights dataset --name pascal" in text
    result = cli("weights", sample_voc, "--name", "pascal")
    assert result.exit_code == 0 and (sample_voc / "pascal_classes_weights.npy").is_file()
    (sample_voc / "pascal_classes_weights.npy").unlink()


# --------------------------------------------------------------------------------------------
# the SBD-augmented training set: SegmentationClassAug/ beside SegmentationClass/

#: Ids of the augmented voc: VOC's own train and val, and images of SBD's alone.
AUG_TRAIN, AUG_VAL, AUG_SBD = ["t1", "t2", "t3"], ["v1", "v2"], ["s1", "s2", "s3", "s4"]


def aug_voc(root: Path) -> Path:
    """A VOC folder with the augmented training set as DeepLab's releases ship it: VOC's labels
    (with 255 borders) in SegmentationClass, listed in train.txt and val.txt; grayscale labels
    without borders of VOC's and SBD's images in SegmentationClassAug (val's too), and
    mmsegmentation's trainaug.txt listing VOC's train and SBD's images, not VOC's val."""
    from PIL import Image

    rng = np.random.default_rng(5)
    ids = AUG_TRAIN + AUG_VAL
    own = {i: rng.integers(0, 4, (6, 9)).astype(np.uint8) for i in ids}
    for label in own.values():
        label[0] = 255
    make_voc(root, own)
    (root / "SegmentationClassAug").mkdir()
    for n, image_id in enumerate(ids + AUG_SBD):
        label = np.full((6, 9), n % 4, np.uint8)
        label[:, : n % 9] = (n + 1) % 4
        Image.fromarray(label, "L").save(root / "SegmentationClassAug" / f"{image_id}.png")
        Image.new("RGB", (9, 6), (10 + 20 * n, 20, 30)).save(root / "JPEGImages" / f"{image_id}.jpg")  # a photo each
    write_split(root, "train", AUG_TRAIN)
    write_split(root, "val", AUG_VAL)
    write_split(root, "trainaug", AUG_TRAIN + AUG_SBD)
    return root


def check_problems(root: Path, json_path: Path) -> tuple[int, list[tuple[str, str, str]]]:
    """check's exit code and its (kind, file relative to ``root``, message) problems."""
    code = cli("check", root, "--json", json_path, "-j", "1").exit_code
    problems = json.loads(json_path.read_text())["problems"]
    return code, [(p["kind"], str(Path(p["file"]).relative_to(root)), p["message"]) for p in problems]


def test_check_reads_the_augmented_lists_labels_from_their_own_folder(tmp_path: Path) -> None:
    root = aug_voc(tmp_path / "voc")
    code, problems = check_problems(root, tmp_path / "c.json")
    assert (code, problems) == (0, [])  # val's labels in SegmentationClassAug are listed (in val.txt)
    assert json.loads((tmp_path / "c.json").read_text())["samples"] == 5 + 9

    aug = root / "SegmentationClassAug"
    write_label(aug / "s1.png", np.full((6, 9), 7, np.uint8))
    (aug / "s2.png").unlink()
    write_split(root, "trainaug", [*AUG_TRAIN, *AUG_SBD, "v1"])
    code, problems = check_problems(root, tmp_path / "c.json")
    assert code == 1
    assert sorted(problems) == [
        ("label-values", "SegmentationClassAug/s1.png", f"label value 7 is neither a class 0..3 ({root / 'class_names.txt'}) nor 255 (void)"),
        ("missing-label", "SegmentationClassAug/s2.png", "missing label (listed in trainaug.txt)"),
        ("train-val-overlap", "ImageSets/Segmentation/val.txt", "id v1 is also in trainaug.txt: validation would score training images"),
    ]

    write_split(root, "trainaug", AUG_TRAIN + AUG_SBD)
    refused = cli("export", root, "--to", "coco", "--objects", "regions", "-d", tmp_path / "coco", "--split", "trainaug")
    assert refused.exit_code == 1 and "lists the SBD-augmented training set, whose labels are SegmentationClassAug/'s, which export does not read (nor are there instance maps): export train or val" in " ".join(refused.stderr.split())
    aug.rename(tmp_path / "elsewhere")
    code, problems = check_problems(root, tmp_path / "c.json")
    hint = "; trainaug.txt lists the SBD-augmented training set, whose labels belong in SegmentationClassAug/ (labeltools sbd writes them there from SBD's release)"
    assert ("missing-label", "SegmentationClass/s3.png", f"missing label (listed in trainaug.txt){hint}") in problems
    assert code == 1 and {p[0] for p in problems} == {"missing-label"}


def test_stats_weights_evaluate_and_the_dataset_read_the_augmented_labels(tmp_path: Path) -> None:
    from labeltools import VOCSegmentation

    root = aug_voc(tmp_path / "voc")
    aug = [read_label(root / "SegmentationClassAug" / f"{i}.png") for i in AUG_TRAIN + AUG_SBD]
    counts = np.bincount(np.concatenate([a.ravel() for a in aug]), minlength=4)[:4]
    said = f"labels: {root / 'SegmentationClassAug'} (trainaug.txt's: the SBD-augmented training set)"

    result = cli("weights", root, "--split", "trainaug", "-o", tmp_path / "w.npy", "--json", tmp_path / "w.json", "-j", "1")
    assert result.exit_code == 0, result.output
    assert said in result.stderr
    assert [c["pixels"] for c in json.loads((tmp_path / "w.json").read_text())["classes"]] == counts.tolist()
    result = cli("stats", root, "--split", "trainaug", "--json", tmp_path / "s.json", "-j", "1")
    assert result.exit_code == 0 and said in result.stderr
    assert [c["pixels"] for c in json.loads((tmp_path / "s.json").read_text())["classes"]] == counts.tolist()
    result = cli("weights", root, "-o", tmp_path / "w.npy", "-j", "1")  # train.txt's, which it says beside the other list
    assert result.exit_code == 0 and (
        f"labels: {root / 'SegmentationClass'} (train.txt's; the dataset's trainaug.txt lists the SBD-augmented training set: "
        "--split trainaug weights it)"
    ) in result.stderr
    result = cli("stats", root, "-j", "1")  # every label of SegmentationClass, which it says beside the other list
    assert result.exit_code == 0 and (
        f"labels: {root / 'SegmentationClass'} (every label; the dataset's trainaug.txt lists the SBD-augmented training set: "
        "--split trainaug counts it)"
    ) in result.stderr
    result = cli("stats", root, "--split", "train", "--json", tmp_path / "s.json", "-j", "1")
    assert "labels:" not in result.stderr and json.loads((tmp_path / "s.json").read_text())["void_pixels"] == 3 * 9

    dataset = VOCSegmentation(root, "trainaug", load_images=False)
    assert [s["id"] for s in dataset] == AUG_TRAIN + AUG_SBD
    for sample, label in zip(dataset, aug):
        np.testing.assert_array_equal(sample["label"], label)
    assert (VOCSegmentation(root, "train", load_images=False)[0]["label"] == 255).any()  # VOC's own, with borders

    result = cli("evaluate", root, root / "SegmentationClassAug", "--split", "trainaug", "-j", "1")
    assert result.exit_code == 0, result.output
    assert f"ground truth: {root / 'SegmentationClassAug'}" in result.stderr and "have no ground truth" not in result.stderr
    assert re.search(r"mIoU: 100\.00", result.stdout)


def test_split_keeps_the_augmented_lists_ids_in_train(tmp_path: Path) -> None:
    root = aug_voc(tmp_path / "voc")
    result = cli("split", root, "--val-fraction", "0.5", "--json", tmp_path / "s.json", "-j", "1")
    assert result.exit_code == 0, result.output
    assert f"{root / 'ImageSets' / 'Segmentation' / 'trainaug.txt'}: its 3 labelled ids kept in train (it trains on them)" in result.stderr
    assert read_split(root, "val") == AUG_VAL and read_split(root, "train") == AUG_TRAIN  # no other id may go to val
    assert json.loads((tmp_path / "s.json").read_text())["kept_in_train"] == {"trainaug": AUG_TRAIN}
    assert check_problems(root, tmp_path / "c.json") == (0, [])
    before = {p.name: p.read_bytes() for p in (root / "ImageSets" / "Segmentation").iterdir()}
    result = cli("split", root, "--folds", "2")
    assert result.exit_code == 1 and "trainaug.txt: lists 3 of the labels, which it trains on: every val fold would hold some" in result.stderr
    assert {p.name: p.read_bytes() for p in (root / "ImageSets" / "Segmentation").iterdir()} == before
    write_split(root, "trainaug", AUG_TRAIN + AUG_VAL)
    result = cli("split", root)
    assert result.exit_code == 1 and "trainaug.txt: lists every label, which it trains on: none is left for val" in result.stderr


def test_a_report_checks_the_augmented_labels_without_drawing_them(tmp_path: Path) -> None:
    root = aug_voc(tmp_path / "voc")
    write_label(root / "SegmentationClassAug" / "s4.png", np.full((5, 9), 1, np.uint8))
    result = cli("report", root, tmp_path / "r.html", "--json", tmp_path / "r.json", "-j", "1")
    assert result.exit_code == 1, result.output  # an error on the page, as check exits
    assert (
        f"labels: {root / 'SegmentationClass'}; the 9 of {root / 'SegmentationClassAug'} (the SBD-augmented training set) "
        "are checked, not counted nor drawn"
    ) in result.stderr
    summary = json.loads((tmp_path / "r.json").read_text())
    assert (summary["images"], summary["drawn"], summary["errors"]) == (5, 5, 1)
    assert [(Path(p["file"]).name, p["kind"]) for p in summary["problems"]] == [("s4.png", "size-mismatch")]


#: What mmsegmentation's BaseSegDataset lists for a list of the augmented set (argv[3]: its
#: converter's trainaug, or aug as its voc12aug configuration gives it) over SegmentationClassAug,
#: and each label map as LoadAnnotations reads it.
MMSEG_AUG_READS = """
import sys
import mmcv
import mmengine.fileio as fileio
import numpy as np
from mmseg.datasets import BaseSegDataset
dataset = BaseSegDataset(
    data_root=sys.argv[1], metainfo=dict(classes=("a", "b", "c", "d"), palette=[[0, 0, 0]] * 4),
    ann_file=f"ImageSets/Segmentation/{sys.argv[3]}.txt", data_prefix=dict(img_path="JPEGImages", seg_map_path="SegmentationClassAug"),
    img_suffix=".jpg", seg_map_suffix=".png", reduce_zero_label=False,
)
arrays = {}
for index in range(len(dataset)):
    info = dataset[index]
    arrays[info["seg_map_path"]] = mmcv.imfrombytes(fileio.get(info["seg_map_path"]), flag="unchanged", backend="pillow")
np.savez(sys.argv[2], **arrays)
"""


def test_the_augmented_set_is_what_mmsegmentation_reads(tmp_path: Path) -> None:
    """Every label our dataset and weights read for trainaug.txt is the one mmsegmentation's loader
    reads for it, and no other."""
    from consumers import mmseg_modules, run_in

    from labeltools import VOCSegmentation

    pytest.importorskip("torch")
    root = aug_voc(tmp_path / "voc")
    done = run_in("mmsegmentation", MMSEG_AUG_READS, tmp_path, str(root), str(tmp_path / "read.npz"), "trainaug", path=mmseg_modules())
    assert done.returncode == 0, done.stderr[-3000:]
    read = np.load(tmp_path / "read.npz")
    ours = VOCSegmentation(root, "trainaug", load_images=False)
    assert sorted(read.files) == sorted(str(root / "SegmentationClassAug" / f"{s['id']}.png") for s in ours)
    for sample in ours:
        np.testing.assert_array_equal(read[str(root / "SegmentationClassAug" / f"{sample['id']}.png")], sample["label"])
    cli("weights", root, "--split", "trainaug", "-o", tmp_path / "w.npy", "--json", tmp_path / "w.json", "-j", "1")
    theirs = np.bincount(np.concatenate([read[k].ravel() for k in read.files]), minlength=4)
    assert [c["pixels"] for c in json.loads((tmp_path / "w.json").read_text())["classes"]] == theirs.tolist()


def test_a_dataset_without_label_pngs_fails_check_naming_where_labelme_4_put_them(tmp_path: Path) -> None:
    """labelme 4's labelme2voc wrote .npy arrays to SegmentationClass/ and the PNGs to
    SegmentationClassPNG/: check passed such a dataset with 0 samples, and no loader reads it."""
    root = make_voc(tmp_path / "voc", {"a": np.ones((4, 6), np.uint8), "b": np.zeros((4, 6), np.uint8)})
    (root / "SegmentationClass").rename(root / "SegmentationClassPNG")
    (root / "SegmentationClass").mkdir()
    for name in "ab":
        np.save(root / "SegmentationClass" / f"{name}.npy", read_label(root / "SegmentationClassPNG" / f"{name}.png").astype(np.int32))
    said = (
        f"{root / 'SegmentationClass'}: no .png label files (it holds 2 .npy array(s)), but {root / 'SegmentationClassPNG'} holds 2: "
        "labelme 4's labelme2voc wrote them there, where no loader reads them (torchvision, mmsegmentation and "
        "pytorch-deeplab-xception read SegmentationClass/<id>.png); move them into SegmentationClass/"
    )
    code, problems = check_problems(root, tmp_path / "c.json")
    assert code == 1 and ("no-labels", "SegmentationClass", said.removeprefix(f"{root / 'SegmentationClass'}: ")) in problems
    for command in (("stats", root), ("weights", root), ("evaluate", root, root / "SegmentationClassPNG")):
        result = cli(*command, "-j", "1")
        assert result.exit_code == 1 and said in " ".join(result.stderr.split()), result.output
    (root / "SegmentationClassPNG").rename(tmp_path / "elsewhere")
    code, problems = check_problems(root, tmp_path / "c.json")
    assert code == 1 and ("no-labels", "SegmentationClass", "no .png label files (it holds 2 .npy array(s))") in problems


def test_a_test_list_without_any_label_is_a_withheld_test_set(tmp_path: Path) -> None:
    """VOC2012's test tar adds test.txt and its images to the same folder, never their labels
    (its evaluation server holds them): check found 1456 missing labels in the official layout."""
    from PIL import Image

    root = make_voc(tmp_path / "voc", {i: np.zeros((4, 6), np.uint8) for i in ("a", "b")}, train=["a"])
    write_split(root, "val", ["b"])
    write_split(root, "test", ["t1", "t2"])
    for n, image_id in enumerate(("t1", "t2")):
        Image.new("RGB", (6, 4), (0, 0, 90 * n)).save(root / "JPEGImages" / f"{image_id}.jpg")
    result = cli("check", root, "--json", tmp_path / "c.json", "-j", "1")
    assert result.exit_code == 0, result.output
    said = f"{root / 'ImageSets' / 'Segmentation' / 'test.txt'}: none of its 2 id(s) has a label (a test set whose labels are withheld, as VOC2012's): their images are checked"
    assert said in " ".join(result.stderr.split())
    assert json.loads((tmp_path / "c.json").read_text())["problems"] == []
    reported = cli("report", root, tmp_path / "r.html", "-j", "1")
    assert reported.exit_code == 0 and said in " ".join(reported.stderr.split())
    exported = cli("export", root, "--to", "coco", "--objects", "regions", "-d", tmp_path / "coco", "--json", tmp_path / "e.json", "-j", "1")
    assert exported.exit_code == 0, exported.output  # its ids failed, without labels
    assert f"{root / 'ImageSets' / 'Segmentation' / 'test.txt'}: none of its 2 id(s) has a label (a test set whose labels are withheld, as VOC2012's): not exported" in " ".join(exported.stderr.split())
    assert json.loads((tmp_path / "e.json").read_text())["exported"] == 2
    refused = cli("export", root, "--to", "coco", "--objects", "regions", "-d", tmp_path / "coco-test", "--split", "test")
    assert refused.exit_code == 1 and "none of its ids has a label (a test set whose labels are withheld, as VOC2012's): nothing to export" in " ".join(refused.stderr.split())
    (tmp_path / "pred").mkdir()  # a model's predictions of the test set, for its server
    for image_id in ("t1", "t2"):
        write_label(tmp_path / "pred" / f"{image_id}.png", np.zeros((4, 6), np.uint8))
    for extra in ((), ("--split", "test")):
        scored = cli("evaluate", root, tmp_path / "pred", *extra)
        assert scored.exit_code == 1 and f"test.txt: none of its 2 id(s) has a label in {root / 'SegmentationClass'}" in " ".join(scored.stderr.split())
    (root / "JPEGImages" / "t2.jpg").write_bytes(b"not a JPEG")
    assert check_problems(root, tmp_path / "c.json")[1] == [("unreadable", "JPEGImages/t2.jpg", "cannot read image (not an image format Pillow knows)")]
    (root / "JPEGImages" / "t2.jpg").unlink()
    assert check_problems(root, tmp_path / "c.json")[1] == [("missing-image", "JPEGImages/t2.jpg", "missing image (listed in test.txt)")]
    write_label(root / "SegmentationClass" / "t1.png", np.zeros((4, 6), np.uint8))  # a test set with labels has every one
    code, problems = check_problems(root, tmp_path / "c.json")
    assert code == 1 and ("missing-label", "SegmentationClass/t2.png", "missing label (listed in test.txt)") in problems
