"""COCO and YOLO segmentation exports: read back by pycocotools and by a parser of the YOLO
format written here from Ultralytics' description, checked against the VOC conversion of the
same annotations."""

from __future__ import annotations

import base64
import io
import json
import re
import shlex
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from labeltools.cli import app
from labeltools.jobs.convert import SAMPLE_DIR
from labeltools.ops.outlines import mask_outlines

pycocotools = pytest.importorskip("pycocotools")
from pycocotools.coco import COCO  # noqa: E402

runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def voc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample converted to VOC, instance maps included."""
    out = tmp_path_factory.mktemp("voc") / "voc"
    assert run("convert", SAMPLE_DIR, out, "--instances", "-j", "1").exit_code == 0
    return out


def class_names(root: Path) -> list[str]:
    return (root / "class_names.txt").read_text().splitlines()


def class_map(voc: Path, image_id: str) -> np.ndarray:
    with Image.open(voc / "SegmentationClass" / f"{image_id}.png") as image:
        return np.asarray(image)


#: One YOLO segmentation line as Ultralytics documents it: a class index, then normalised x y
#: pairs, at least three points.
YOLO_LINE = re.compile(r"^(\d+)((?: (?:0|1|0?\.\d+|1\.0+)){6,})$")


def read_yolo(path: Path) -> list[tuple[int, np.ndarray]]:
    polygons = []
    for line in path.read_text().splitlines():
        match = YOLO_LINE.match(line)
        assert match, f"{path}: not a YOLO segmentation line: {line!r}"
        values = np.array(match.group(2).split(), dtype=float)
        assert len(values) % 2 == 0, line
        polygons.append((int(match.group(1)), values.reshape(-1, 2)))
    return polygons


def paint(shapes: list[tuple[int, np.ndarray]], shape_hw: tuple[int, int]) -> np.ndarray:
    canvas = np.zeros(shape_hw, np.uint8)
    for category, mask in shapes:
        canvas[mask] = category
    return canvas


def test_coco_export_reads_back_to_the_voc_class_maps(tmp_path: Path, voc: Path) -> None:
    out = tmp_path / "coco"
    result = run("export", SAMPLE_DIR, "--to", "coco", "-d", out, "-j", "2", "--json", tmp_path / "s.json")
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["objects"] > 40 and summary["below_min_iou"] == []
    kinds = summary["written_as"]
    # The sample's objects are small: what pycocotools and OpenCV readers would read a pixel
    # apart is the RLE of its pixels (large objects keep few vertices: see below).
    assert kinds["rle"] >= 40
    assert set(kinds) <= {"polygon", "simplified", "rle"} and sum(kinds.values()) == summary["objects"]
    assert summary["crowd_regions"] > 0  # the sample's __ignore__ shapes
    checks = json.loads(run("export", SAMPLE_DIR, "--to", "coco", "-d", tmp_path / "again", "--json", "-").stdout)
    assert checks["objects"] == summary["objects"]
    names = class_names(out)
    assert names == class_names(voc)
    seen = 0
    for split in ("train", "val"):
        path = out / "annotations" / f"instances_{split}.json"
        coco = COCO(str(path))  # pycocotools loads it
        assert {c["id"]: c["name"] for c in coco.dataset["categories"]} == {i: n for i, n in enumerate(names) if i}
        results = coco.loadRes([dict(a, score=1.0) for a in coco.dataset["annotations"]])
        assert len(results.getAnnIds()) == len(coco.getAnnIds())
        for image in coco.dataset["images"]:
            image_id = Path(image["file_name"]).stem
            assert image["file_name"] == f"{image_id}.jpg"  # a bare name, the image beside
            with Image.open(out / "images" / split / image["file_name"]) as placed:  # upright, as the annotations
                assert placed.size == (image["width"], image["height"])
            expected = class_map(voc, image_id)
            annotations = sorted(coco.loadAnns(coco.getAnnIds(imgIds=image["id"])), key=lambda a: a["id"])
            crowds = [a for a in annotations if a["iscrowd"]]
            annotations = [a for a in annotations if not a["iscrowd"]]
            masks = [(a["category_id"], coco.annToMask(a).astype(bool)) for a in annotations]
            for annotation, (_, mask) in zip(annotations, masks):
                assert annotation["area"] == mask.sum()
                x, y, w, h = annotation["bbox"]
                ys, xs = np.nonzero(mask)
                assert (x, y, x + w, y + h) == (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)
            for crowd in crowds:  # the void pixels the class map holds, for a category the image holds
                assert crowd["category_id"] in {a["category_id"] for a in annotations}
                assert coco.annToMask(crowd).astype(bool).sum() >= 0.9 * (expected == 255).sum() > 0
            painted = paint(masks, expected.shape)
            objects = (expected != 0) & (expected != 255)
            # RLE gives back labelme's pixels exactly; a polygon or simplified outline is within
            # --min-iou of them, at most a boundary pixel off.
            assert np.mean(painted[objects] == expected[objects]) >= 0.99, image_id
            seen += 1
    assert seen == 8


def test_every_object_reads_back_within_its_format(tmp_path: Path) -> None:
    from labeltools.jobs.export import ExportOptions, export_dataset

    for to in ("coco", "yolo-seg"):
        export = export_dataset(SAMPLE_DIR, tmp_path / to, ExportOptions(to=to), jobs=1)
        assert all(result.ok for result in export)
        # a polygon or simplified outline is kept only when it reads back within --min-iou;
        # else the exact form (RLE; the outline along whole pixels) gives back every pixel
        assert export.objects and all(c["iou"] >= ExportOptions().min_iou for c in export.objects), to
        exact = [c for c in export.objects if c["kind"] in ("rle", "outline") and not c.get("fragments")]
        assert exact and all(c["iou"] == 1.0 for c in exact), to
        stricter = export_dataset(SAMPLE_DIR, tmp_path / f"{to}-strict", ExportOptions(to=to, min_iou=1.0), jobs=1)
        assert all(result.ok for result in stricter)
        assert all(c["iou"] == 1.0 for c in stricter.objects if not (c.get("holes") or c.get("fragments") or c["kind"] == "joined parts")), to


def test_yolo_export_reads_back_to_the_voc_class_maps(tmp_path: Path, voc: Path) -> None:
    from labeltools.formats.yolo import rasterise_polygons

    out = tmp_path / "yolo"
    result = run("export", SAMPLE_DIR, "--to", "yolo-seg", "-d", out, "-j", "1")
    assert result.exit_code == 0, result.output
    names = class_names(out)
    yaml = (out / "data.yaml").read_text().splitlines()
    assert yaml[:3] == ["train: images/train", "val: images/val", "names:"]  # no path: the yaml's folder
    # YOLO ids from 0 for the first class, as Ultralytics numbers them: class_names.txt's less one
    assert {int(k): json.loads(v) for k, v in (line.strip().split(": ", 1) for line in yaml[3:])} == dict(enumerate(names[1:]))
    labels = sorted((out / "labels").rglob("*.txt"))
    assert len(labels) == 8
    for path in labels:
        image_id = path.stem
        expected = class_map(voc, image_id)
        height, width = expected.shape
        images = list((out / "images" / path.parent.name).glob(f"{image_id}.*"))
        assert len(images) == 1
        source = SAMPLE_DIR / f"{image_id}.jpg"
        with Image.open(images[0]) as copied:
            assert copied.size == (width, height)  # upright, as the labels are
        if source.exists():
            with Image.open(source) as original:
                upright = original.getexif().get(0x0112, 1) == 1
            assert (images[0].read_bytes() == source.read_bytes()) == upright  # copied as they are
        polygons = read_yolo(path)
        assert all(0 <= category < len(names) - 1 for category, _ in polygons)
        masks = [(category + 1, rasterise_polygons([points], width, height)) for category, points in polygons]
        painted = paint(masks, expected.shape)
        objects = (expected != 0) & (expected != 255)
        # Outlines come back exactly, a polygon as annotated within --min-iou (by Ultralytics'
        # truncation to whole pixels), joined parts with their bridges.
        assert np.mean(painted[objects] == expected[objects]) >= 0.99, image_id


def labelme_with_a_hole(folder: Path) -> Path:
    """One 40x30 annotation: a ring (a mask shape with a 6x6 hole) and a plain rectangle."""
    folder.mkdir()
    Image.new("RGB", (40, 30), (90, 90, 90)).save(folder / "ring.png")
    ring = np.ones((20, 20), np.uint8) * 255
    ring[7:13, 7:13] = 0
    buf = io.BytesIO()
    Image.fromarray(ring).convert("1").save(buf, format="PNG")
    shapes = [
        {"label": "ring", "points": [[2, 2], [21, 21]], "shape_type": "mask", "group_id": None, "flags": {},
         "mask": base64.b64encode(buf.getvalue()).decode()},
        {"label": "box", "points": [[26, 3], [35, 20]], "shape_type": "rectangle", "group_id": None, "flags": {}},
    ]  # fmt: skip
    doc = {"version": "5.5.0", "flags": {}, "shapes": shapes, "imagePath": "ring.png", "imageData": None,
           "imageHeight": 30, "imageWidth": 40}  # fmt: skip
    (folder / "ring.json").write_text(json.dumps(doc))
    return folder


def test_an_object_with_a_hole_is_rle_in_coco_and_reported_in_yolo(tmp_path: Path) -> None:
    src = labelme_with_a_hole(tmp_path / "src")
    result = run("export", src, "--to", "coco", "-d", tmp_path / "coco", "--val-fraction", "0", "--json", tmp_path / "c.json")
    assert result.exit_code == 0, result.output
    coco = json.loads((tmp_path / "coco" / "annotations" / "instances_train.json").read_text())
    kinds = {a["category_id"]: type(a["segmentation"]).__name__ for a in coco["annotations"]}
    names = coco["categories"]
    ring = next(c["id"] for c in names if c["name"] == "ring")
    assert kinds[ring] == "dict"  # RLE for the ring: no polygon holds its hole
    assert json.loads((tmp_path / "c.json").read_text())["below_min_iou"] == []

    result = run("export", src, "--to", "yolo-seg", "-d", tmp_path / "yolo", "--val-fraction", "0", "--json", tmp_path / "y.json")
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "y.json").read_text())
    assert summary["holes_dropped"] == 1
    [below] = summary["below_min_iou"]
    assert below["reason"] == "hole dropped" and below["lost"] == 0 and below["added"] == 36
    assert "hole dropped" in result.stdout

    result = run("export", src, "--to", "yolo-seg", "-d", tmp_path / "strict", "--val-fraction", "0", "--strict")
    assert result.exit_code == 1
    assert "ring.json: 1 object(s) below --min-iou 0.98" in " ".join(result.stderr.split())
    assert not list((tmp_path / "strict").rglob("*.txt"))  # nothing of the failed file is written


def test_a_voc_dataset_exports_its_instances(tmp_path: Path, voc: Path) -> None:
    result = run("export", voc, "--to", "coco", "-d", tmp_path / "coco", "--json", tmp_path / "s.json")
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["mean_iou"] >= 0.99 and summary["images"] == {"train": 7, "val": 1}  # no vertices: outlines, RLE
    coco = COCO(str(tmp_path / "coco" / "annotations" / "instances_train.json"))
    for image in coco.dataset["images"]:
        image_id = Path(image["file_name"]).stem
        copied = tmp_path / "coco" / "images" / "train" / image["file_name"]
        assert copied.read_bytes() == (voc / "JPEGImages" / f"{image_id}.jpg").read_bytes()
        with Image.open(voc / "SegmentationObject" / f"{image_id}.png") as objects:
            instances = np.asarray(objects)
        values = [v for v in np.unique(instances) if v not in (0, 255)]
        anns = coco.loadAnns(coco.getAnnIds(imgIds=image["id"], iscrowd=False))
        assert len(anns) <= len(values)
        for ann in anns:
            mask = coco.annToMask(ann).astype(bool)
            held, counts = np.unique(instances[mask], return_counts=True)
            instance = held[np.argmax(counts)]
            both = np.count_nonzero(mask & (instances == instance))
            assert both / np.count_nonzero(mask | (instances == instance)) >= 0.98


def test_class_ids_are_those_of_class_names_txt_everywhere(tmp_path: Path) -> None:
    labels = tmp_path / "labels.txt"
    labels.write_text("__ignore__\n_background_\nperson\ncar\nroad\nlane_marking\ntree\nbush\npole\ntraffic_light\n")
    for to in ("coco", "yolo-seg"):
        result = run("export", SAMPLE_DIR, "--to", to, "-d", tmp_path / to, "--labels", labels)
        assert result.exit_code == 0, result.output
    names = class_names(tmp_path / "coco")
    assert names == ["_background_", "person", "car", "road", "lane_marking", "tree", "bush", "pole", "traffic_light"]
    coco = json.loads((tmp_path / "coco" / "annotations" / "instances_train.json").read_text())
    assert {c["name"]: c["id"] for c in coco["categories"]} == {n: i for i, n in enumerate(names) if i}
    used = {category for path in (tmp_path / "yolo-seg" / "labels").rglob("*.txt") for category, _ in read_yolo(path)}
    val = json.loads((tmp_path / "coco" / "annotations" / "instances_val.json").read_text())
    assert used == {a["category_id"] - 1 for a in coco["annotations"] + val["annotations"]}  # from 0 in YOLO
    kept = run("export", SAMPLE_DIR, "--to", "yolo-seg", "-d", tmp_path / "kept", "--labels", labels, "--keep-ids")
    assert kept.exit_code == 0, kept.output
    assert {c for p in (tmp_path / "kept" / "labels").rglob("*.txt") for c, _ in read_yolo(p)} == {c + 1 for c in used}
    assert "  0: \"_background_\"" in (tmp_path / "kept" / "data.yaml").read_text()


def test_yolo_ids_of_a_coco_source_leave_out_the_ids_no_class_takes(tmp_path: Path) -> None:
    """COCO's category ids leave gaps (1, 3, 7 here; COCO's own 1..90 for 80 classes), which the
    class table fills with unused_<id> placeholders to keep the ids: YOLO's ids skipped none
    of them, a detection head of dead classes where Ultralytics' own COCO conversion numbers its
    80 classes from 0. The placeholders are no class; --keep-ids keeps the dataset's ids."""
    from exports import coco_export

    path = coco_export(tmp_path / "coco", images=3, seed=2)
    result = run("export", path, "--to", "yolo-seg", "-d", tmp_path / "yolo", "-j", "1")
    assert result.exit_code == 0, result.output
    assert "YOLO class ids: 0 person, 1 car, 2 tree (from 0 for the first class, the 4 unused id(s) between the classes skipped; --keep-ids keeps the dataset's)" in " ".join(result.stderr.split())
    assert "names:\n  0: \"person\"\n  1: \"car\"\n  2: \"tree\"\n" in (tmp_path / "yolo" / "data.yaml").read_text()
    used = {c for p in (tmp_path / "yolo" / "labels").rglob("*.txt") for c, _ in read_yolo(p)}
    assert used == {0, 1, 2}
    kept = run("export", path, "--to", "yolo-seg", "-d", tmp_path / "kept", "--keep-ids", "-j", "1")
    assert kept.exit_code == 0, kept.output
    assert {c for p in (tmp_path / "kept" / "labels").rglob("*.txt") for c, _ in read_yolo(p)} == {1, 3, 7}


def test_export_refuses_what_it_cannot_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x.txt").write_text("x")
    result = run("export", SAMPLE_DIR, "--to", "coco", "-d", tmp_path / "full")
    assert result.exit_code == 1 and "not empty; pass --overwrite" in result.stderr
    assert run("export", SAMPLE_DIR, "--to", "yolo-seg", "-d", tmp_path / "y", "--rle").exit_code == 2
    assert run("export", SAMPLE_DIR, "--to", "coco", "-d", tmp_path / "c", "--min-iou", "2").exit_code == 2
    plain = tmp_path / "plain"
    (plain / "SegmentationClass").mkdir(parents=True)
    result = run("export", plain, "--to", "coco", "-d", tmp_path / "p", "-c", "voc")
    assert result.exit_code == 1 and "has no SegmentationObject/" in result.stderr
    monkeypatch.setitem(__import__("sys").modules, "pycocotools", None)  # as if it were not installed
    result = run("export", SAMPLE_DIR, "--to", "coco", "-d", tmp_path / "none")
    assert result.exit_code == 1 and 'pip install "labeltools[coco]"' in result.stderr
    assert not (tmp_path / "none").exists()


@pytest.mark.parametrize("to", ["coco", "yolo-seg"])
def test_an_export_of_no_file_leaves_a_new_output_as_it_was(tmp_path: Path, to: str) -> None:
    (tmp_path / "x.json").write_text("{")
    result = run("export", tmp_path / "x.json", "--to", to, "-d", tmp_path / "out")
    assert result.exit_code == 1, result.output
    assert "x.json: not valid JSON" in result.stderr and "out: nothing written, no file exported" in result.stderr
    assert "class ids" not in result.output and not (tmp_path / "out").exists()
    assert run("export", SAMPLE_DIR, "--to", to, "-d", tmp_path / "out").exit_code == 0
    before = sorted(p.relative_to(tmp_path) for p in (tmp_path / "out").rglob("*"))
    result = run("export", tmp_path / "x.json", "--to", to, "-d", tmp_path / "out", "--overwrite")
    assert result.exit_code == 1 and sorted(p.relative_to(tmp_path) for p in (tmp_path / "out").rglob("*")) == before


def test_outlines_give_back_the_mask_under_both_fill_rules() -> None:
    from pycocotools import mask as masks

    from labeltools.formats.yolo import parse_yolo_labels, rasterise_polygons, yolo_line
    from labeltools.ops.outlines import inset

    rng = np.random.default_rng(0)
    tried = 0
    for _ in range(400):
        height, width = (int(v) for v in rng.integers(2, 24, 2))
        mask = rng.random((height, width)) < rng.choice([0.2, 0.5, 0.9])
        outlines = mask_outlines(mask)
        if outlines.holes or not outlines.outer:
            continue
        tried += 1
        rles = masks.frPyObjects([loop.ravel().tolist() for loop in outlines.outer], height, width)
        np.testing.assert_array_equal(masks.decode(masks.merge(rles)).astype(bool), mask)
        for amount in (0.25, 0.4):  # pulled inside the pixel corners, the same pixels for pycocotools
            inside = masks.frPyObjects([inset(loop, amount).ravel().tolist() for loop in outlines.outer], height, width)
            np.testing.assert_array_equal(masks.decode(masks.merge(inside)).astype(bool), mask)
        lines = [yolo_line(0, loop, width, height) for loop in outlines.centres()]
        np.testing.assert_array_equal(rasterise_polygons([p for _, p in parse_yolo_labels("\n".join(lines))], width, height), mask)
    assert tried > 100


def test_yolo_line_writes_each_vertex_as_its_pixel_centre_to_seven_decimals() -> None:
    from labeltools.formats.yolo import yolo_line
    from labeltools.ops.outlines import signed_area

    rng = np.random.default_rng(1)
    for width, height in ((500, 375), (1, 1), (3, 100000), (100000, 7)):
        points = rng.uniform(-5, max(width, height) + 5, size=(int(rng.integers(1, 60)), 2))
        line = yolo_line(4, points, width, height)
        fields = line.split(" ")
        assert fields[0] == "4" and all(len(f) == 9 and f.startswith("0.") and f[2:].isdigit() for f in fields[1:])
        pixels = np.clip(np.floor(points), 0, [width - 1, height - 1])
        if len(pixels) < 3:
            pixels = np.concatenate([pixels, np.repeat(pixels[-1:], 3 - len(pixels), axis=0)])
        expected = [f"{v:.7f}" for v in ((pixels + 0.5) / [width, height]).ravel()]
        assert fields[1:] == expected
    assert yolo_line(0, np.array([[0.2, 0.9], [499.7, 0], [0, 374.99]]), 500, 375) == "0 0.0010000 0.0013333 0.9990000 0.0013333 0.0010000 0.9986667"
    square = np.array([[0, 0], [2, 0], [2, 2], [0, 2]], dtype=np.float64)  # clockwise on the image (y down)
    assert signed_area(square) == 4 and signed_area(square[::-1]) == -4


def test_euler_number_is_parts_minus_holes_and_single_outline_takes_one_part_without_holes() -> None:
    from labeltools.ops.outlines import euler_number, single_outline

    def components(cells: np.ndarray, steps: list[tuple[int, int]]) -> int:
        """Connected parts of ``cells`` by flood fill, ``steps`` the neighbours."""
        seen, count = np.zeros_like(cells), 0
        for start in zip(*np.nonzero(cells)):
            if seen[start]:
                continue
            count, stack = count + 1, [start]
            seen[start] = True
            while stack:
                y, x = stack.pop()
                for dy, dx in steps:
                    n = (y + dy, x + dx)
                    if 0 <= n[0] < cells.shape[0] and 0 <= n[1] < cells.shape[1] and cells[n] and not seen[n]:
                        seen[n] = True
                        stack.append(n)
        return count

    sides = [(0, 1), (1, 0), (0, -1), (-1, 0)]
    around = sides + [(1, 1), (1, -1), (-1, 1), (-1, -1)]

    rng = np.random.default_rng(1)
    singles = 0
    for _ in range(400):
        height, width = (int(v) for v in rng.integers(1, 30, 2))
        mask = rng.random((height, width)) < rng.choice([0.1, 0.5, 0.8, 0.95])
        outlines = mask_outlines(mask)
        parts = components(mask, sides)
        holes = components(np.pad(~mask, 1, constant_values=True), around) - 1  # less the outside
        assert len(outlines.outer) == parts and outlines.holes == holes
        assert euler_number(mask) == parts - holes
        outline = single_outline(mask)
        assert (outline is not None) == (parts == 1 and holes == 0)
        if outline is not None:
            singles += 1
            np.testing.assert_array_equal(outline, outlines.outer[0])
    assert singles > 20


def test_a_split_alone_is_exported_and_yolo_always_names_train_and_val(tmp_path: Path) -> None:
    assert run("export", SAMPLE_DIR, "--to", "coco", "-d", tmp_path / "val", "--split", "val").exit_code == 0
    assert [p.name for p in (tmp_path / "val" / "annotations").iterdir()] == ["instances_val.json"]
    result = run("export", SAMPLE_DIR, "--to", "yolo-seg", "-d", tmp_path / "all", "--val-fraction", "0")
    assert result.exit_code == 0, result.output
    yaml = (tmp_path / "all" / "data.yaml").read_text().splitlines()
    assert yaml[0:2] == ["train: images/train", "val: images/train"]  # no val split: validate on train
    said = " ".join(result.stderr.split())
    assert f"warning: {tmp_path / 'all' / 'data.yaml'}: no image is in val; its val names images/train, on which Ultralytics then validates" in said
    result = run("export", SAMPLE_DIR, "--to", "yolo-seg", "-d", tmp_path / "scoring", "--val-fraction", "1")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "scoring" / "data.yaml").read_text().splitlines()[0:2] == ["train: images/val", "val: images/val"]
    assert (
        f"warning: {tmp_path / 'scoring' / 'data.yaml'}: no image is in train; its train names images/val, which Ultralytics needs "
        "named: the dataset is for validation (yolo val), and training on it would train on its val images"
    ) in " ".join(result.stderr.split())
    assert run("export", SAMPLE_DIR, "--to", "coco", "-d", tmp_path / "none", "--split", "test").exit_code == 1


def test_a_voc_dataset_with_a_test_list_alone_exports_the_rest_as_train(tmp_path: Path, voc: Path) -> None:
    import shutil

    root = tmp_path / "voc"
    shutil.copytree(voc, root)
    for listed in (root / "ImageSets" / "Segmentation").glob("*.txt"):
        listed.unlink()
    ids = sorted(p.stem for p in (root / "SegmentationClass").glob("*.png"))
    (root / "ImageSets" / "Segmentation" / "test.txt").write_text(f"{ids[0]}\n")
    assert run("export", root, "--to", "yolo-seg", "-d", tmp_path / "yolo", "-j", "1").exit_code == 0
    assert sorted(p.stem for p in (tmp_path / "yolo" / "images" / "train").iterdir()) == ids[1:]
    assert [p.stem for p in (tmp_path / "yolo" / "images" / "test").iterdir()] == ids[:1]


def test_the_rle_of_a_box_is_the_rle_of_the_whole_image() -> None:
    from pycocotools import mask as masks

    from labeltools.formats.coco import box_rle

    rng = np.random.default_rng(0)
    for _ in range(500):
        height, width = (int(v) for v in rng.integers(1, 20, 2))
        y, x = int(rng.integers(0, height)), int(rng.integers(0, width))
        h, w = int(rng.integers(1, height - y + 1)), int(rng.integers(1, width - x + 1))
        full = np.zeros((height, width), bool)
        full[y : y + h, x : x + w] = rng.random((h, w)) < rng.random()
        expected = masks.encode(np.asfortranarray(full.astype(np.uint8)))
        assert box_rle(full[y : y + h, x : x + w], (x, y), height, width)["counts"] == expected["counts"]


def test_a_voc_dataset_exports_to_yolo_exactly_but_for_holes(tmp_path: Path, voc: Path) -> None:
    from labeltools.jobs.export import ExportOptions, export_dataset

    export = export_dataset(voc, tmp_path / "yolo", ExportOptions(to="yolo-seg"), jobs=1)
    assert all(result.ok for result in export)
    # Instances are what is left visible in SegmentationObject: a road with a car on it has a
    # hole there, which YOLO cannot hold; every other pixel comes back.
    with_holes = [c for c in export.objects if c["holes"]]
    assert with_holes and all(c["reason"].startswith("hole dropped") and (c["lost"] == 0 or c["fragments"]) for c in with_holes)
    assert all(c["iou"] == 1.0 for c in export.objects if not c["holes"] and not c["fragments"] and c["kind"] == "outline")
    # one line per object, its parts joined (their bridges add a few pixels, never lose one)
    assert len(export.objects) == sum(len(read_yolo(p)) for p in (tmp_path / "yolo" / "labels").rglob("*.txt"))
    joined = [c for c in export.objects if c["kind"] == "joined parts"]
    assert joined and all(c["lost"] == 0 and c["reason"] == "parts joined" for c in joined if not c["fragments"])


def test_yolo_labels_that_break_the_format_are_named_by_line() -> None:
    from labeltools.core.errors import YoloLabelError
    from labeltools.formats.yolo import parse_yolo_labels

    good = "3 0.1 0.2 0.3 0.4 0.5 0.6\n"
    assert parse_yolo_labels(good)[0][0] == 3
    for text, message in (
        ("x 0.1 0.2 0.3 0.4 0.5 0.6", "line 1: class 'x' is not an integer from 0"),
        (good + "1 0.1 0.2 0.3", "line 2: needs x y pairs of at least 3 points, got 3 numbers"),
        ("1 0.1 0.2 0.3 0.4 0.5 1.5", "line 1: coordinates must lie in 0..1"),
        ("1 0.1 0.2 0.3 0.4 0.5 nan?", "line 1: coordinates must be numbers"),
    ):
        with pytest.raises(YoloLabelError, match=re.escape(f"a.txt: {message}")):
            parse_yolo_labels(text, "a.txt")


def test_export_settings_and_sources_are_checked_before_any_file_is_read(tmp_path: Path) -> None:
    from labeltools.core.errors import DatasetError, ExportError
    from labeltools.jobs.export import ExportOptions, export_dataset

    with pytest.raises(ExportError, match="export format must be one of coco, yolo-seg, yolo-semantic, hub, got 'xml'"):
        export_dataset(SAMPLE_DIR, tmp_path / "a", ExportOptions(to="xml"))
    with pytest.raises(ExportError, match="min_iou must lie in 0..1, got 1.5"):
        export_dataset(SAMPLE_DIR, tmp_path / "a", ExportOptions(min_iou=1.5))
    for options, message in (
        (ExportOptions(to="yolo-seg", rle=True), "RLE and leaving the images out are COCO's"),
        (ExportOptions(images=False), "without the images, COCO file names need the folder they are relative to"),
        (ExportOptions(image_root="."), "an image root is for an export without the images"),
        (ExportOptions(keep_ids=True), "keeping the class ids is the YOLO segmentation export's choice"),
        (ExportOptions(to="yolo-semantic", images=False, image_root="."), "RLE and leaving the images out are COCO's"),
        (ExportOptions(to="yolo-semantic", objects="regions"), "a semantic export writes a VOC dataset's class maps, no objects"),
        (ExportOptions(labelme_rules="5"), "labelme rules must be one of 7, 6, got '5'"),
        (ExportOptions(objects="blobs"), "objects must be one of instances, regions, got 'blobs'"),
    ):
        with pytest.raises(ExportError, match=re.escape(message)):
            export_dataset(SAMPLE_DIR, tmp_path / "a", options)
    voc = tmp_path / "voc"
    (voc / "SegmentationClass").mkdir(parents=True)
    (voc / "SegmentationObject").mkdir()
    with pytest.raises(DatasetError, match=r"no class_names.txt; give the class table \(--classes; -c voc: PASCAL VOC's own 21 classes\)"):
        export_dataset(voc, tmp_path / "b")
    with pytest.raises(DatasetError, match="no annotation falls in split 'test'"):
        export_dataset(SAMPLE_DIR, tmp_path / "c", split="test")


def test_corners_past_the_image_edge_are_clipped_in_yolo(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    Image.new("RGB", (40, 30)).save(src / "edge.png")
    shapes = [{"label": "roof", "points": [[-5, -3], [45, 2], [30, 35]], "shape_type": "polygon", "group_id": None, "flags": {}}]
    doc = {"version": "5.5.0", "flags": {}, "shapes": shapes, "imagePath": "edge.png", "imageData": None,
           "imageHeight": 30, "imageWidth": 40}  # fmt: skip
    (src / "edge.json").write_text(json.dumps(doc))
    result = run("export", src, "--to", "yolo-seg", "-d", tmp_path / "yolo", "--val-fraction", "0", "--json", tmp_path / "s.json")
    assert result.exit_code == 0, result.output
    [(category, points)] = read_yolo(tmp_path / "yolo" / "labels" / "train" / "edge.txt")
    assert category == 0 and points.min() > 0 and points.max() < 1  # the centres of edge pixels
    assert json.loads((tmp_path / "s.json").read_text())["objects"] == 1


def test_images_are_hard_links_where_the_file_system_allows(tmp_path: Path) -> None:
    import os
    import shutil

    src = tmp_path / "src"
    shutil.copytree(SAMPLE_DIR, src)
    assert run("export", src, "--to", "yolo-seg", "-d", tmp_path / "yolo", "-j", "1").exit_code == 0
    for placed in (tmp_path / "yolo" / "images").rglob("*.jpg"):
        source = src / placed.name
        with Image.open(source) as image:
            upright = image.getexif().get(0x0112, 1) == 1
        embedded = json.loads(source.with_suffix(".json").read_text())["imageData"] is not None
        # an image turned upright, or taken from the annotation's imageData, is written anew
        assert os.path.samefile(placed, source) == (upright and not embedded), placed.name
    assert (src / "street_01.jpg").stat().st_nlink == 2


#: Runs a command in this process and prints the bytes it read, as the kernel counts them.
_BYTES_READ = """
import sys
from labeltools.cli import main
sys.argv[0] = "labeltools"
try:
    main()
except SystemExit as done:
    assert not done.code, done.code
print(next(line.split()[1] for line in open("/proc/self/io") if line.startswith("rchar:")))
"""


@pytest.mark.skipif(not Path("/proc/self/io").exists(), reason="the kernel's count of bytes read is Linux's")
def test_an_export_that_links_its_images_or_writes_none_reads_their_headers_alone(tmp_path: Path) -> None:
    """Exporting annotations of large photos read each photo whole to learn its size, where
    the photo is hard-linked into the export (or not written, --no-images): a survey's
    gigabytes read for nothing. The same annotations of the same-sized photos stored small and
    stored large now read as many bytes, as the kernel counts the process's reads."""
    import subprocess
    import sys

    rng = np.random.default_rng(0)
    stored = {}
    for quality in (10, 95):
        folder = tmp_path / f"q{quality}"
        folder.mkdir()
        for i in range(3):
            noise = rng.integers(0, 256, (1500, 2000, 3), dtype=np.uint8)
            Image.fromarray(noise).save(folder / f"p{i}.jpg", quality=quality)
            shapes = [{"label": "field", "points": [[100, 100], [1800, 150], [1500, 1400]], "shape_type": "polygon", "group_id": None, "flags": {}}]
            doc = {"version": "5.4.1", "flags": {}, "shapes": shapes, "imagePath": f"p{i}.jpg", "imageData": None, "imageHeight": 1500, "imageWidth": 2000}
            (folder / f"p{i}.json").write_text(json.dumps(doc))
        stored[quality] = sum(p.stat().st_size for p in folder.glob("*.jpg"))
    assert stored[95] - stored[10] > 8_000_000
    for to, extra in (("yolo-seg", []), ("coco", ["--no-images", "--image-root", "."])):
        read = {}
        for quality in (10, 95):
            done = subprocess.run(
                [sys.executable, "-c", _BYTES_READ, "export", str(tmp_path / f"q{quality}"), "--to", to,
                 "-d", str(tmp_path / f"{to}{quality}"), "-j", "1", *extra], capture_output=True, text=True, cwd=tmp_path,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr
            read[quality] = int(done.stdout.split()[-1])
        assert abs(read[95] - read[10]) < 0.05 * (stored[95] - stored[10]), (to, read, stored)
    assert len(list((tmp_path / "yolo-seg95" / "images").rglob("*.jpg"))) == 3


def test_a_datasets_label_folder_given_as_annotations_names_the_dataset_to_export(tmp_path: Path, voc: Path) -> None:
    """``export voc/SegmentationClass`` (or ``convert`` of it) counted its PNGs as images and
    suggested ``--from masks``, which export refuses for masks of classes: it names the dataset
    and the export of it, which works."""
    for folder in ("SegmentationClass", "SegmentationObject"):
        for command in (("export", voc / folder, "--to", "coco", "-d", tmp_path / "coco"), ("convert", voc / folder, tmp_path / "again")):
            result = run(*command)
            assert result.exit_code == 1 and result.stderr.strip() == (
                f"error: {voc / folder}: the label maps of the VOC dataset {voc}, not annotations; labeltools export {shlex.quote(str(voc))} "
                "--to coco (or yolo-seg) exports the dataset"
            ), result.stderr
    assert not (tmp_path / "coco").exists() and not (tmp_path / "again").exists()
    result = run("split", voc / "SegmentationClass")  # and a command of a dataset given its labels
    assert result.exit_code == 1 and result.stderr.strip() == (
        f"error: {voc / 'SegmentationClass'}: the label maps of the VOC dataset {voc}, not a dataset: give the dataset's folder ({voc})"
    )
    assert run("export", voc, "--to", "coco", "-d", tmp_path / "coco", "-j", "1").exit_code == 0


def test_no_images_names_each_image_relative_to_the_image_root(tmp_path: Path, voc: Path) -> None:
    out = tmp_path / "refs"
    result = run("export", voc, "--to", "coco", "-d", out, "--no-images", "--image-root", voc.parent)
    assert result.exit_code == 0, result.output
    assert not (out / "images").exists()
    coco = COCO(str(out / "annotations" / "instances_train.json"))
    for image in coco.dataset["images"]:
        assert image["file_name"] == f"voc/JPEGImages/{Path(image['file_name']).stem}.jpg"
        assert (voc.parent / image["file_name"]).is_file()
    outside = run("export", voc, "--to", "coco", "-d", tmp_path / "outside", "--no-images", "--image-root", tmp_path / "elsewhere")
    assert outside.exit_code == 1
    assert f"is not under the image root {tmp_path / 'elsewhere'}" in " ".join(outside.stderr.split())
    turned = run("export", SAMPLE_DIR, "--to", "coco", "-d", tmp_path / "turned", "--no-images", "--image-root", SAMPLE_DIR)
    said = " ".join(turned.stderr.split())
    assert turned.exit_code == 1 and "is stored turned (EXIF orientation" in said
    assert "street_02.json: its image is embedded in the annotation (imageData); export with the images" in said
    for wrong in (["--no-images"], ["--image-root", "."], ["--keep-ids"]):
        assert run("export", voc, "--to", "coco", "-d", tmp_path / "w", *wrong).exit_code == 2, wrong
    assert "--no-images and --image-root go together" in " ".join(run("export", voc, "--to", "coco", "-d", tmp_path / "w", "--no-images").stderr.split())
    assert run("export", voc, "--to", "yolo-seg", "-d", tmp_path / "w", "--no-images", "--image-root", ".").exit_code == 2


def test_the_summary_names_kinds_classes_and_the_yolo_ids(tmp_path: Path) -> None:
    result = run("export", SAMPLE_DIR, "--to", "yolo-seg", "-d", tmp_path / "yolo", "-j", "1")
    assert result.exit_code == 0, result.output
    text = " ".join(result.stderr.split())
    names = class_names(tmp_path / "yolo")
    listed = ", ".join(f"{n} {name}" for n, name in enumerate(names[1:]))
    assert f"YOLO class ids: {listed} (from 0 for the first class; --keep-ids keeps the dataset's)" in text
    summary_line = next(line for line in result.stdout.splitlines() if "object(s) in 8 image(s)" in line)
    assert re.search(r"\(\d+ [a-z]+( [a-z]+)?(, \d+ [a-z]+( [a-z]+)?)*\)", summary_line), summary_line  # no "1 2 outlines"
    ring = run("export", labelme_with_a_hole(tmp_path / "ring"), "--to", "yolo-seg", "-d", tmp_path / "r", "--val-fraction", "0")
    table = ring.stdout[ring.stdout.index("objects below IoU"):]
    assert "ring" in table and "hole dropped" in table  # the class by name, not by index


def test_yolo_export_without_opencv_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(__import__("sys").modules, "cv2", None)  # as if it were not installed
    result = run("export", SAMPLE_DIR, "--to", "yolo-seg", "-d", tmp_path / "none")
    assert result.exit_code == 1 and 'pip install "labeltools[yolo]"' in result.stderr
    assert not (tmp_path / "none").exists()


def test_large_objects_keep_few_vertices_and_every_reader_agrees(tmp_path: Path) -> None:
    """A large rectangle keeps its corners, a large circle becomes a polygon of about a hundred
    corners (not a corner per pixel step: its staircase has 3600); both read back within
    --min-iou. (Objects whose outline is long beside their area are RLE in COCO: OpenCV readers
    would read their polygons a pixel larger than pycocotools.)"""
    from labeltools.formats.yolo import parse_yolo_labels

    src = tmp_path / "src"
    src.mkdir()
    Image.new("RGB", (2000, 1200)).save(src / "big.png")
    shapes = [
        {"label": "box", "points": [[50, 50], [900, 1100]], "shape_type": "rectangle", "group_id": None, "flags": {}},
        {"label": "disc", "points": [[1450, 600], [1450, 1050]], "shape_type": "circle", "group_id": None, "flags": {}},
    ]
    doc = {"version": "5.5.0", "flags": {}, "shapes": shapes, "imagePath": "big.png", "imageData": None,
           "imageHeight": 1200, "imageWidth": 2000}  # fmt: skip
    (src / "big.json").write_text(json.dumps(doc))
    result = run("export", src, "--to", "coco", "-d", tmp_path / "coco", "--val-fraction", "0", "--json", tmp_path / "c.json")
    assert result.exit_code == 0, result.output
    coco = json.loads((tmp_path / "coco" / "annotations" / "instances_train.json").read_text())
    vertices = {a["category_id"]: len(a["segmentation"][0]) // 2 for a in coco["annotations"]}
    ids = {c["name"]: c["id"] for c in coco["categories"]}
    assert vertices[ids["box"]] == 4 and 50 < vertices[ids["disc"]] < 200
    assert json.loads((tmp_path / "c.json").read_text())["written_as"] == {"polygon": 2}
    result = run("export", src, "--to", "yolo-seg", "-d", tmp_path / "yolo", "--val-fraction", "0", "--json", tmp_path / "y.json")
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "y.json").read_text())["written_as"] == {"polygon": 2}
    [box, disc] = sorted(parse_yolo_labels((tmp_path / "yolo" / "labels" / "train" / "big.txt").read_text()), key=lambda line: len(line[1]))
    assert len(box[1]) == 4 and 50 < len(disc[1]) < 200


def _regions_by_search(mask: np.ndarray) -> list[set[tuple[int, int]]]:
    """The 8-connected regions of a mask, found pixel by pixel (a reference for connected_regions),
    in the order of their first pixel."""
    seen: set[tuple[int, int]] = set()
    found = []
    for start in zip(*np.nonzero(mask)):
        start = (int(start[0]), int(start[1]))
        if start in seen:
            continue
        region, todo = {start}, [start]
        seen.add(start)
        while todo:
            y, x = todo.pop()
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    near = (y + dy, x + dx)
                    if 0 <= near[0] < mask.shape[0] and 0 <= near[1] < mask.shape[1] and mask[near] and near not in seen:
                        seen.add(near)
                        region.add(near)
                        todo.append(near)
        found.append(region)
    return found


def test_connected_regions_are_the_8_connected_parts_in_order_of_their_first_pixel() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from hypothesis.extra.numpy import arrays

    from labeltools.ops.regions import connected_regions

    @settings(max_examples=300, deadline=None)
    @given(arrays(np.bool_, st.tuples(st.integers(1, 14), st.integers(1, 14))))
    def check(mask: np.ndarray) -> None:
        regions, count = connected_regions(mask)
        expected = _regions_by_search(mask)
        assert count == len(expected)
        for number, region in enumerate(expected, 1):
            assert {(int(y), int(x)) for y, x in zip(*np.nonzero(regions == number))} == region
        assert ((regions > 0) == mask).all()

    check()
    # a diagonal stroke is one region; a U shape whose arms join only at the bottom is one too
    assert connected_regions(np.eye(6, dtype=bool))[1] == 1
    u = np.zeros((5, 5), bool)
    u[:, 0] = u[:, 4] = u[4, :] = True
    assert connected_regions(u)[1] == 1


def test_a_voc_dataset_without_instance_maps_exports_its_regions_on_request(tmp_path: Path) -> None:
    """Without SegmentationObject the instance export is refused, naming --objects regions; with
    it, each 8-connected region of a class is one object, and the objects of a class give back
    its pixels exactly (COCO) and every void pixel is a crowd region."""
    out = tmp_path / "voc"
    assert run("convert", SAMPLE_DIR, out, "-j", "1").exit_code == 0
    result = run("export", out, "--to", "coco", "-d", tmp_path / "refused")
    assert result.exit_code == 1 and "or export each connected region of a class as an object with --objects regions" in result.stderr
    result = run("export", out, "--to", "coco", "-d", tmp_path / "coco", "--objects", "regions", "--json", tmp_path / "s.json")
    assert result.exit_code == 0, result.output
    assert "objects: each 8-connected region of a class in SegmentationClass" in result.stderr
    assert json.loads((tmp_path / "s.json").read_text())["objects_from"] == "regions"
    names = class_names(out)
    for split in ("train", "val"):
        coco = COCO(str(tmp_path / "coco" / "annotations" / f"instances_{split}.json"))
        for image in coco.dataset["images"]:
            label = np.asarray(Image.open(out / "SegmentationClass" / f"{Path(image['file_name']).stem}.png"))
            objects = coco.loadAnns(coco.getAnnIds(imgIds=[image["id"]], iscrowd=False))
            for index in set(np.unique(label).tolist()) - {0, 255}:
                masks = [coco.annToMask(o).astype(bool) for o in objects if o["category_id"] == index]
                expected = _regions_by_search(label == index)
                assert len(masks) == len(expected), (image["file_name"], names[index])
                assert sorted(m.sum() for m in masks) == sorted(len(r) for r in expected)
                assert (np.logical_or.reduce(masks) == (label == index)).all()
            crowd = [coco.annToMask(o).astype(bool) for o in coco.loadAnns(coco.getAnnIds(imgIds=[image["id"]], iscrowd=True))]
            assert (np.logical_or.reduce(crowd) if crowd else np.zeros_like(label, bool)).tolist() == (label == 255).tolist()
    result = run("export", SAMPLE_DIR, "--to", "coco", "-d", tmp_path / "labelme", "--objects", "regions")
    assert result.exit_code == 1 and "come from a VOC dataset's class maps" in result.stderr


def test_a_semantic_export_refuses_what_ultralytics_would_drop_and_names_the_way_to_a_dataset(tmp_path: Path, voc: Path) -> None:
    """--to yolo-semantic takes a VOC dataset's class maps: annotations are refused with the
    convert that makes one; a map holding a value no class has, or of another size than its
    image, fails alone, named, nothing of it written (Ultralytics would drop the image);
    the instance exports' options are usage errors. Every other map is linked as it is."""
    result = run("export", SAMPLE_DIR, "--to", "yolo-semantic", "-d", tmp_path / "a")
    assert result.exit_code == 1 and not (tmp_path / "a").exists()
    assert (f"a semantic export writes a VOC dataset's class maps; make one first (labeltools convert {SAMPLE_DIR} DATASET), "
            "then labeltools export DATASET --to yolo-semantic -d OUT") in " ".join(result.stderr.split())
    for option, said in (
        (["--keep-ids"], "--keep-ids applies to --to yolo-seg (COCO category ids and mask values are always the class indices)"),
        (["--rle"], "--rle and --no-images apply to --to coco (a YOLO dataset holds its images)"),
        (["--objects", "regions"], "--objects applies to the instance exports (--to yolo-semantic writes the class maps as they are)"),
        (["--no-images", "--image-root", "."], "--rle and --no-images apply to --to coco"),
    ):
        result = run("export", voc, "--to", "yolo-semantic", "-d", tmp_path / "b", *option)
        assert result.exit_code == 2 and said in " ".join(result.output.replace("│", " ").split()), option
    assert not (tmp_path / "b").exists()
    import shutil

    copy = tmp_path / "voc"
    shutil.copytree(voc, copy)
    from labeltools import read_label, write_label

    label = read_label(copy / "SegmentationClass" / "street_02.png").copy()
    label[0, :3] = (40, 41, 42)  # no class of the sample's table
    write_label(copy / "SegmentationClass" / "street_02.png", label)
    Image.open(copy / "JPEGImages" / "street_04.jpg").resize((50, 40)).save(copy / "JPEGImages" / "street_04.jpg")
    result = run("export", copy, "--to", "yolo-semantic", "-d", tmp_path / "c", "-j", "1")
    assert result.exit_code == 1, result.output
    said = " ".join(result.stderr.split())
    assert (f"{copy / 'SegmentationClass' / 'street_02.png'}: holds value(s) 40, 41, 42, which no class of the "
            f"{copy / 'class_names.txt'} has (Ultralytics would leave the image out)") in said
    assert f"{copy / 'SegmentationClass' / 'street_04.png'}: label height x label width is" in said
    assert f"but {copy / 'JPEGImages' / 'street_04.jpg'} is 40x50" in said
    written = sorted(p.name for p in (tmp_path / "c").rglob("*.*"))
    assert "street_02.png" not in written and "street_04.jpg" not in written and "street_04.png" not in written
    assert len([n for n in written if n.endswith(".png")]) == 6 and "data.yaml" in written
    for mask in (tmp_path / "c" / "masks").rglob("*.png"):
        assert mask.stat().st_ino == (copy / "SegmentationClass" / mask.name).stat().st_ino  # linked


def test_the_masks_of_a_semantic_export_are_named_by_its_data_yaml(tmp_path: Path, voc: Path) -> None:
    """An Ultralytics semantic dataset comes with its data.yaml alone: stats and weights on its
    masks take the classes from its names (they read class_0, class_1... before), and convert
    reads it as masks beside their images, equal to the dataset exported."""
    assert run("export", voc, "--to", "yolo-semantic", "-d", tmp_path / "sem", "-j", "1").exit_code == 0
    (tmp_path / "sem" / "class_names.txt").unlink()  # as Ultralytics' own datasets come
    names = class_names(voc)
    result = run("stats", tmp_path / "sem" / "masks" / "train", "--json", tmp_path / "s.json")
    assert result.exit_code == 0, result.output
    assert f"classes: {tmp_path / 'sem' / 'data.yaml'}, the list the labels came with" in " ".join(result.stderr.split())
    assert [c["name"] for c in json.loads((tmp_path / "s.json").read_text())["classes"]] == names
    result = run("weights", tmp_path / "sem" / "masks" / "train", "-o", tmp_path / "w.npy", "--json", tmp_path / "w.json")
    assert result.exit_code == 0, result.output
    assert [c["name"] for c in json.loads((tmp_path / "w.json").read_text())["classes"]] == names
    assert run("convert", tmp_path / "sem", tmp_path / "back", "-j", "1").exit_code == 0
    assert class_names(tmp_path / "back") == names
    for command in ("stats", "weights", "check"):  # the dataset's folder itself: where its masks are
        result = run(command, tmp_path / "sem")
        assert result.exit_code == 1 and (
            f"it holds an Ultralytics semantic dataset, its masks in masks/<train|val>: give one of those folders "
            f"({tmp_path / 'sem' / 'masks' / 'train'}), or labeltools convert {tmp_path / 'sem'} NEW_FOLDER makes a VOC dataset of it"
        ) in " ".join(result.stderr.split()), command
    for label in (voc / "SegmentationClass").iterdir():
        assert (class_map(tmp_path / "back", label.stem) == class_map(voc, label.stem)).all(), label.stem


def test_a_semantic_data_yaml_that_is_no_table_of_classes_is_named() -> None:
    """The data.yaml of a semantic dataset must number its classes 0..n-1 (the masks' values)
    and map values to class ids; each other one is refused naming the file and the entry."""
    import tempfile

    from labeltools.core.errors import DatasetError
    from labeltools.formats.yolo import semantic_yaml

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.yaml"
        path.write_text("train: images/train\nval: images/val\nnames: [road, car]\n")
        assert semantic_yaml(path) is None  # no masks_dir: a YOLO polygon dataset's
        path.write_text("train: images/train\nmasks_dir: masks\nnames: {0: road, 2: car}\nlabel_mapping: {7: 0, 9: ignore_label, -1: 0}\n")
        with pytest.raises(DatasetError, match=re.escape(f"{path}: names must number the classes 0..n-1 (at most 255), as the masks' values, got ids [0, 2]")):
            semantic_yaml(path)
        path.write_text("train: images/train\nmasks_dir: masks\nnames: [road, car]\nlabel_mapping: {7: 0, 9: ignore_label, -1: 0, 26: 1}\n")
        found = semantic_yaml(path)
        assert found is not None and found.table.names == ["road", "car"]
        assert found.label_mapping == {7: 0, 9: 255, 26: 1}  # -1, no mask value, maps nothing
        assert found.reads()[7] == 0 and found.reads()[8] == 8 and found.reads()[255] == 255
        path.write_text("train: images/train\nmasks_dir: masks\nnames: [road]\nlabel_mapping: {7: road}\n")
        with pytest.raises(DatasetError, match=re.escape(f"{path}: label_mapping: 7: 'road' is no mask value and class id (or ignore_label)")):
            semantic_yaml(path)
        path.write_text("train: images/train\nmasks_dir: masks\nnames: [road]\nlabel_mapping: [7, 0]\n")
        with pytest.raises(DatasetError, match=re.escape(f"{path}: label_mapping must map mask values to class ids, got [7, 0]")):
            semantic_yaml(path)
