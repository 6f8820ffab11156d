"""The default COCO and YOLO exports, loaded as they are by the tools users feed them to, from
another working folder: pycocotools (here), Datumaro, supervision, Ultralytics and FiftyOne (each in an
environment of its own, see ``consumers.py``), pixels compared."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from consumers import run_in
from helpers import readme_block
from typer.testing import CliRunner

from labeltools.cli import app
from labeltools.formats.labels import read_label
from labeltools.formats.yolo import parse_yolo_labels, rasterise_polygons
from labeltools.jobs.convert import SAMPLE_DIR

pytest.importorskip("pycocotools")
from pycocotools.coco import COCO  # noqa: E402
from pycocotools.cocoeval import COCOeval  # noqa: E402

runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample converted to VOC and exported, with the defaults, to COCO and YOLO."""
    root = tmp_path_factory.mktemp("exports")
    assert run("convert", SAMPLE_DIR, root / "voc", "-j", "1").exit_code == 0
    for to in ("coco", "yolo-seg"):
        result = run("export", SAMPLE_DIR, "--to", to, "-d", root / to, "--json", root / f"{to}.json", "-j", "2")
        assert result.exit_code == 0, result.output
    (root / "elsewhere").mkdir()  # the consumers' working folder
    return root


def class_indices(root: Path) -> dict[str, int]:
    return {name: i for i, name in enumerate((root / "voc" / "class_names.txt").read_text().splitlines())}


def iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.count_nonzero(a | b)
    return 1.0 if not union else np.count_nonzero(a & b) / union


def test_pycocotools_loads_and_scores_the_annotations_against_themselves_at_ap_1(exported: Path) -> None:
    crowds = 0
    for split in ("train", "val"):
        coco = COCO(str(exported / "coco" / "annotations" / f"instances_{split}.json"))
        for image in coco.dataset["images"]:
            assert "/" not in image["file_name"] and (exported / "coco" / "images" / split / image["file_name"]).is_file()
        objects = coco.loadAnns(coco.getAnnIds(iscrowd=False))
        crowds += len(coco.getAnnIds(iscrowd=True))
        assert objects
        results = coco.loadRes([{**a, "score": 1.0} for a in objects])
        evaluation = COCOeval(coco, results, iouType="segm")
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
        assert evaluation.stats[0] == pytest.approx(1.0)  # AP over IoU 0.50:0.95
        for annotation in objects:
            assert coco.annToMask(annotation).sum() == annotation["area"]
    assert crowds  # the sample's __ignore__ shapes are crowd regions


DATUMARO_READS = """
import json, sys
from pathlib import Path
import numpy as np
import datumaro as dm
out = Path(sys.argv[2])
dataset = dm.Dataset.import_from(sys.argv[1], "coco_instances")
dataset = dataset.transform("polygons_to_masks")
labels = [label.name for label in dataset.categories()[dm.AnnotationType.label]]
items = {}
for item in dataset:
    path = getattr(item.media, "path", None)
    items[item.id] = {"subset": item.subset, "found": bool(path) and Path(path).is_file() and item.media.data is not None}
    masks = [a for a in item.annotations if a.type == dm.AnnotationType.mask]
    np.savez(out / f"{item.id}.npz", masks=np.array([m.image.astype(bool) for m in masks]),
             names=np.array([labels[m.label] for m in masks]), crowd=np.array([bool(m.attributes.get("is_crowd")) for m in masks]))
print(json.dumps({"items": items}))
"""


def test_datumaro_finds_every_image_and_its_masks_are_the_voc_class_maps_off_overlaps(exported: Path) -> None:
    assert set(json.loads((exported / "coco.json").read_text())["written_as"]) == {"rle"}
    done = run_in("datumaro", DATUMARO_READS, exported / "elsewhere", str(exported / "coco"), str(exported / "elsewhere"))
    assert done.returncode == 0, done.stderr[-3000:]
    items = json.loads(done.stdout.splitlines()[-1])["items"]
    assert len(items) == 8 and all(item["found"] for item in items.values()), items
    assert {item["subset"] for item in items.values()} == {"train", "val"}
    indices = class_indices(exported)
    for item_id in items:
        read = np.load(exported / "elsewhere" / f"{item_id}.npz")
        expected = read_label(exported / "voc" / "SegmentationClass" / f"{item_id}.png")
        objects = read["masks"][~read["crowd"]]
        names = read["names"][~read["crowd"]]
        alone = objects.sum(axis=0) == 1  # off overlaps: one object holds the pixel
        painted = np.zeros(expected.shape, np.uint8)
        for mask, name in zip(objects, names):
            painted[mask & alone] = indices[str(name)]
        held = alone & (expected != 255)
        # The sample's objects are all RLE (small beside their outline), their pixels exactly.
        np.testing.assert_array_equal(painted[held], expected[held], err_msg=item_id)
        if (expected == 255).any():  # void is crowd
            assert read["masks"][read["crowd"]].any(axis=0)[expected == 255].mean() > 0.9, item_id


SUPERVISION_READS = """
import sys
from pathlib import Path
import numpy as np
import supervision as sv
out = Path(sys.argv[3])
dataset = sv.DetectionDataset.from_coco(images_directory_path=sys.argv[1], annotations_path=sys.argv[2], force_masks=True)
for path, image, detections in dataset:
    np.savez(out / (Path(path).stem + ".npz"), masks=detections.mask, shape=np.array(image.shape[:2]))
print(len(dataset))
"""


def test_supervision_reads_every_mask_within_iou_099_of_pycocotools(exported: Path) -> None:
    for split in ("train", "val"):
        annotations = exported / "coco" / "annotations" / f"instances_{split}.json"
        out = exported / "elsewhere" / f"sv-{split}"
        out.mkdir()
        done = run_in("supervision", SUPERVISION_READS, exported / "elsewhere", str(exported / "coco" / "images" / split), str(annotations), str(out))
        assert done.returncode == 0, done.stderr[-3000:]
        coco = COCO(str(annotations))
        assert int(done.stdout.split()[-1]) == len(coco.dataset["images"])
        for image in coco.dataset["images"]:
            read = np.load(out / f"{Path(image['file_name']).stem}.npz")
            assert tuple(read["shape"]) == (image["height"], image["width"])
            ours = [coco.annToMask(a).astype(bool) for a in coco.loadAnns(coco.getAnnIds(imgIds=image["id"]))]
            assert len(read["masks"]) == len(ours)
            for theirs, mask in zip(read["masks"], ours):
                assert iou(theirs, mask) >= 0.99, image["file_name"]


ULTRALYTICS_READS = """
import json, sys
from pathlib import Path
import numpy as np
from ultralytics.data.utils import check_det_dataset, img2label_paths, polygons2masks, verify_image_label
out = Path(sys.argv[2])
data = check_det_dataset(sys.argv[1], autodownload=False)
found = {"names": {str(k): v for k, v in data["names"].items()}, "images": {}}
for split in ("train", "val", "test"):
    for image in sorted(Path(data[split]).iterdir()) if data.get(split) else ():
        label = img2label_paths([str(image)])[0]
        _, boxes, shape, segments, _, missing, present, empty, corrupt, message = verify_image_label(
            (str(image), label, "", False, len(data["names"]), 0, 0, False))
        assert not corrupt and present, message
        height, width = shape
        masks = polygons2masks((height, width), [s * np.array([width, height], np.float32) for s in segments], color=1)
        np.savez(out / (image.stem + ".npz"), masks=masks.astype(bool), boxes=boxes)
        found["images"][image.stem] = {"split": split, "shape": [height, width]}
print(json.dumps(found))
"""


def test_ultralytics_loads_the_dataset_from_another_folder_one_instance_per_object(exported: Path) -> None:
    pytest.importorskip("torch")  # Ultralytics' environment shares the test environment's torch
    out = exported / "elsewhere" / "ul"
    out.mkdir()
    done = run_in("ultralytics", ULTRALYTICS_READS, exported / "elsewhere", str(exported / "yolo-seg" / "data.yaml"), str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.splitlines()[-1])
    names = (exported / "voc" / "class_names.txt").read_text().splitlines()
    assert found["names"] == {str(i): name for i, name in enumerate(names[1:])}  # ids from 0: no background class
    summary = json.loads((exported / "yolo-seg.json").read_text())
    assert len(found["images"]) == 8
    instances = 0
    for stem, image in found["images"].items():
        read = np.load(out / f"{stem}.npz")
        height, width = image["shape"]
        lines = parse_yolo_labels((exported / "yolo-seg" / "labels" / image["split"] / f"{stem}.txt").read_text())
        assert len(read["masks"]) == len(lines)  # one instance per object: every line an object
        assert (read["boxes"][:, 3:5] > 0).all()  # no instance of no size
        for theirs, (_, points) in zip(read["masks"], lines):
            assert iou(theirs, rasterise_polygons([points], width, height)) >= 0.99, stem
        instances += len(lines)
    assert instances == summary["objects"] - summary["written_as"].get("none", 0)  # one instance per object


@pytest.fixture(scope="module")
def with_test(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample converted to VOC with instances, two ids held out in test.txt, re-split, and
    exported from the VOC folder to COCO and YOLO."""
    root = tmp_path_factory.mktemp("with-test")
    assert run("convert", SAMPLE_DIR, root / "voc", "--instances", "-j", "1").exit_code == 0
    (root / "voc" / "ImageSets" / "Segmentation" / "test.txt").write_text("street_02\nstreet_05\n")
    assert run("split", root / "voc", "-j", "1").exit_code == 0
    for to in ("coco", "yolo-seg"):
        assert run("export", root / "voc", "--to", to, "-d", root / to, "-j", "1").exit_code == 0
    (root / "elsewhere").mkdir()
    return root


def test_a_test_list_is_exported_as_a_split_of_its_own_that_the_consumers_load(with_test: Path) -> None:
    coco = COCO(str(with_test / "coco" / "annotations" / "instances_test.json"))
    names = sorted(image["file_name"] for image in coco.dataset["images"])
    assert names == ["street_02.jpg", "street_05.jpg"] and coco.getAnnIds()
    assert all((with_test / "coco" / "images" / "test" / name).is_file() for name in names)
    train = COCO(str(with_test / "coco" / "annotations" / "instances_train.json")).dataset["images"]
    assert not {image["file_name"] for image in train} & set(names)
    pytest.importorskip("torch")
    out = with_test / "elsewhere" / "ul"
    out.mkdir()
    done = run_in("ultralytics", ULTRALYTICS_READS, with_test / "elsewhere", str(with_test / "yolo-seg" / "data.yaml"), str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.splitlines()[-1])["images"]
    assert sorted(stem for stem, image in found.items() if image["split"] == "test") == ["street_02", "street_05"]
    assert len(found) == 8


def test_ultralytics_finds_the_dataset_root_from_the_yaml_wherever_the_command_runs(exported: Path, tmp_path: Path) -> None:
    pytest.importorskip("torch")
    other = tmp_path / "another-yolo-dataset"
    (other / "images" / "val").mkdir(parents=True)  # a folder data.yaml's relative paths would also match
    code = "import sys\nfrom ultralytics.data.utils import check_det_dataset\nprint(check_det_dataset(sys.argv[1], autodownload=False)['val'])"
    done = run_in("ultralytics", code, other, str(exported / "yolo-seg" / "data.yaml"))
    assert done.returncode == 0, done.stderr[-3000:]
    assert Path(done.stdout.splitlines()[-1]) == (exported / "yolo-seg" / "images" / "val").resolve()
    assert os.path.samefile(done.stdout.splitlines()[-1], exported / "yolo-seg" / "images" / "val")


def test_ultralytics_loads_the_regions_of_a_dataset_without_instance_maps(tmp_path: Path) -> None:
    """A VOC dataset without SegmentationObject exported with --objects regions: Ultralytics
    loads it from another folder, one instance per region, each as we checked it."""
    pytest.importorskip("torch")
    assert run("convert", SAMPLE_DIR, tmp_path / "voc", "-j", "1").exit_code == 0
    result = run("export", tmp_path / "voc", "--to", "yolo-seg", "-d", tmp_path / "yolo", "--objects", "regions", "--json", tmp_path / "s.json")
    assert result.exit_code == 0, result.output
    out = tmp_path / "elsewhere" / "ul"
    out.mkdir(parents=True)
    done = run_in("ultralytics", ULTRALYTICS_READS, tmp_path / "elsewhere", str(tmp_path / "yolo" / "data.yaml"), str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.splitlines()[-1])
    summary = json.loads((tmp_path / "s.json").read_text())
    assert len(found["images"]) == 8 and summary["objects"] > 8
    instances = 0
    for stem, image in found["images"].items():
        read = np.load(out / f"{stem}.npz")
        height, width = image["shape"]
        lines = parse_yolo_labels((tmp_path / "yolo" / "labels" / image["split"] / f"{stem}.txt").read_text())
        assert len(read["masks"]) == len(lines)
        for theirs, (_, points) in zip(read["masks"], lines):
            assert iou(theirs, rasterise_polygons([points], width, height)) >= 0.99, stem
        instances += len(lines)
    assert instances == summary["objects"]  # one instance per region


#: Appended to the README's FiftyOne snippet (run in a folder holding the exports as it names
#: them): each COCO object's label, box, crowd flag and mask, each YOLO line's label and points,
#: and FiftyOne's COCO-style mAP of every object but the crowd regions predicted, with the regions
#: as crowds and, as a control, as ordinary objects; to argv[1].
FIFTYONE_READS = """
import json, sys
from pathlib import Path
import numpy as np
from fiftyone import ViewField as F
out = Path(sys.argv[1])
found = {"coco": {}, "yolo": {}}
for sample in coco:
    objects = sample.ground_truth.detections
    np.savez(out / (Path(sample.filepath).stem + ".npz"), *[d.mask for d in objects])
    found["coco"][Path(sample.filepath).name] = [[d.label, d.bounding_box, d["iscrowd"]] for d in objects]
for sample in yolo:
    found["yolo"][Path(sample.filepath).name] = [[p.label, p.points] for p in sample.ground_truth.polylines]
coco.clone_sample_field("ground_truth", "predictions")
coco.filter_labels("predictions", F("iscrowd") == 0).save()
coco.set_field("predictions.detections.confidence", 1.0).save()
score = lambda: coco.evaluate_detections("predictions", gt_field="ground_truth", use_masks=True, compute_mAP=True).mAP()
found["mAP"] = score()
coco.set_field("ground_truth.detections.iscrowd", 0).save()
found["mAP, regions as objects"] = score()
print(json.dumps(found))
"""


ULTRALYTICS_SEMANTIC = """
import json, sys
from pathlib import Path
import numpy as np
from ultralytics.cfg import get_cfg
from ultralytics.data.build import build_yolo_dataset
from ultralytics.data.utils import check_det_dataset
out = Path(sys.argv[2])
data = check_det_dataset(sys.argv[1], autodownload=False)
cfg = get_cfg(overrides={"task": "semantic", "imgsz": 64})
found = {"names": {str(k): v for k, v in data["names"].items()}, "images": {}, "files": {}}
for split in ("train", "val", "test"):
    if data.get(split):
        dataset = build_yolo_dataset(cfg, data[split], 1, data, mode="val")  # the images it drops are not in labels
        for i, label in enumerate(dataset.labels):
            stem = Path(label["im_file"]).stem
            np.save(out / f"{stem}.npy", dataset.load_mask(i))
            found["images"][stem] = {"split": split, "shape": list(label["shape"])}
        found["files"][split] = len(list(Path(data[split]).iterdir()))
print(json.dumps(found))
"""


def test_ultralytics_semantic_segmentation_reads_every_class_map_as_it_is(tmp_path: Path) -> None:
    """Ultralytics' semantic segmentation task reads images/<split>/ with masks/<split>/ beside
    them (data.yaml's masks_dir): a VOC dataset exported with --to yolo-semantic loads from
    another working folder, no image left out, each mask Ultralytics reads equal to our label
    map (void 255, its ignore label), class ids the class indices. A label saved with a palette
    of greys, which Ultralytics reads as grey levels, is written anew as a grey PNG and reads
    right; the others are linked, their bytes unchanged."""
    pytest.importorskip("torch")
    assert run("convert", SAMPLE_DIR, tmp_path / "voc", "-j", "1").exit_code == 0
    voc = tmp_path / "voc"
    names = (voc / "class_names.txt").read_text().splitlines()
    grey = voc / "SegmentationClass" / "street_03.png"
    label = read_label(grey)
    from PIL import Image

    image = Image.fromarray(label, "P")
    image.putpalette([v for level in range(256) for v in (255 - level,) * 3])  # greys, not (i, i, i)
    image.save(grey)
    assert (read_label(grey) == label).all()
    result = run("export", voc, "--to", "yolo-semantic", "-d", tmp_path / "sem", "--json", tmp_path / "s.json", "-j", "2")
    assert result.exit_code == 0, result.output
    assert "1 written anew as grey PNGs" in result.stdout
    out = tmp_path / "elsewhere" / "ul"
    out.mkdir(parents=True)
    done = run_in("ultralytics", ULTRALYTICS_SEMANTIC, tmp_path / "elsewhere", str(tmp_path / "sem" / "data.yaml"), str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["names"] == {str(i): name for i, name in enumerate(names)}  # background is a class: ids are the indices
    assert sum(found["files"].values()) == len(found["images"]) == 8  # no image left out
    void = 0
    for stem, seen in found["images"].items():
        ours = read_label(voc / "SegmentationClass" / f"{stem}.png")
        np.testing.assert_array_equal(np.load(out / f"{stem}.npy"), ours, err_msg=stem)
        assert stem in (voc / "ImageSets" / "Segmentation" / f"{seen['split']}.txt").read_text().split()
        void += int((ours == 255).sum())
    assert void > 0  # void reaches Ultralytics as its ignore label
    linked = tmp_path / "sem" / "masks" / found["images"]["street_01"]["split"] / "street_01.png"
    assert os.path.samefile(linked, voc / "SegmentationClass" / "street_01.png")
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["masks_written"] == 1 and summary["to"] == "yolo-semantic"
    # and back: convert reads the export as a dataset of masks beside their images (its data.yaml
    # names them), where it read it as a YOLO dataset of no polygon, every image background
    (tmp_path / "sem" / "class_names.txt").unlink()  # as Ultralytics' own datasets come: data.yaml alone
    result = run("convert", tmp_path / "sem" / "data.yaml", tmp_path / "back", "-j", "1")
    assert result.exit_code == 0, result.output
    assert f"classes: {len(names)}, {tmp_path / 'sem' / 'data.yaml'}, the list the masks came with" in " ".join(result.stderr.split())
    assert (tmp_path / "back" / "class_names.txt").read_text().splitlines() == names
    for stem, seen in found["images"].items():
        np.testing.assert_array_equal(read_label(tmp_path / "back" / "SegmentationClass" / f"{stem}.png"), np.load(out / f"{stem}.npy"))
        assert stem in (tmp_path / "back" / "ImageSets" / "Segmentation" / f"{seen['split']}.txt").read_text().split()
    refused = run("convert", tmp_path / "sem", tmp_path / "as-yolo", "--from", "yolo")
    assert refused.exit_code == 1 and "an Ultralytics semantic segmentation dataset (masks_dir: masks)" in refused.stderr


def test_ultralytics_semantic_segmentation_trains_cityscapes_label_ids_as_their_train_ids(tmp_path: Path) -> None:
    """A dataset of Cityscapes' label ids (converted with -c cityscapes) is exported with its
    masks as they are and data.yaml's label_mapping, as Ultralytics' own cityscapes.yaml reads
    the label ids: Ultralytics reads each mask as the 19 train ids (label ids not trained, 255)."""
    pytest.importorskip("torch")
    from PIL import Image

    from labeltools import ClassTable, save_class_names, write_label

    voc, table = tmp_path / "voc", ClassTable.preset("cityscapes")
    for folder in ("JPEGImages", "SegmentationClass", "ImageSets/Segmentation"):
        (voc / folder).mkdir(parents=True)
    save_class_names(voc / "class_names.txt", table)
    rng = np.random.default_rng(7)
    for name, split in (("frame_a", "train"), ("frame_b", "val")):
        label = rng.choice([0, 1, 7, 8, 11, 17, 24, 26, 33, 255], size=(24, 40)).astype(np.uint8)
        write_label(voc / "SegmentationClass" / f"{name}.png", label, table.palette())
        Image.fromarray(rng.integers(0, 255, (24, 40, 3), dtype=np.uint8)).save(voc / "JPEGImages" / f"{name}.jpg")
        (voc / "ImageSets" / "Segmentation" / f"{split}.txt").write_text(f"{name}\n")
    result = run("export", voc, "--to", "yolo-semantic", "-d", tmp_path / "sem", "-j", "1")
    assert result.exit_code == 0, result.output
    assert "label_mapping gives Ultralytics their 19 train ids" in " ".join(result.output.split())
    out = tmp_path / "elsewhere" / "ul"
    out.mkdir(parents=True)
    done = run_in("ultralytics", ULTRALYTICS_SEMANTIC, tmp_path / "elsewhere", str(tmp_path / "sem" / "data.yaml"), str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.splitlines()[-1])
    trained = table.train_table()
    assert found["names"] == {str(e.index): e.name for e in trained.classes if e.index != 255}
    assert sorted(found["images"]) == ["frame_a", "frame_b"]
    for stem in found["images"]:
        expected = table.id_to_train_id()[read_label(voc / "SegmentationClass" / f"{stem}.png")]
        np.testing.assert_array_equal(np.load(out / f"{stem}.npy"), expected, err_msg=stem)
        assert {0, 13, 255} <= set(np.unique(expected).tolist())  # road, car, and label ids not trained
    # convert reads such a dataset as Ultralytics does: its masks through label_mapping, the names by train id
    (tmp_path / "sem" / "class_names.txt").unlink()  # as Ultralytics' cityscapes8 comes: data.yaml alone
    result = run("convert", tmp_path / "sem", tmp_path / "back", "-j", "1")
    assert result.exit_code == 0, result.output
    assert "the classes the index map" in result.stderr and "data.yaml's label_mapping" in result.stderr
    assert (tmp_path / "back" / "class_names.txt").read_text().splitlines() == [e.name for e in trained.classes if e.index != 255]
    for stem in found["images"]:
        np.testing.assert_array_equal(read_label(tmp_path / "back" / "SegmentationClass" / f"{stem}.png"), np.load(out / f"{stem}.npy"))


def test_readme_fiftyone_snippet_loads_both_exports_as_written(exported: Path) -> None:
    """The README's snippet, in FiftyOne: every COCO object of the train split comes in with its
    class name, its box and its mask, which placed at the box is pycocotools' (the crowd regions
    with iscrowd 1); every YOLO line is one polyline of its class name and our points; and
    FiftyOne's COCO-style mAP of every object predicted but the crowd regions is 1.0, which it
    is not when the regions are taken for objects."""
    work = exported / "elsewhere" / "fiftyone"
    (work / "read").mkdir(parents=True)
    (work / "coco-out").symlink_to(exported / "coco")
    (work / "yolo-out").symlink_to(exported / "yolo-seg")
    done = run_in("fiftyone", readme_block("### `labeltools export`") + FIFTYONE_READS, work, str(work / "read"))
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.splitlines()[-1])
    coco = COCO(str(exported / "coco" / "annotations" / "instances_train.json"))
    assert sorted(found["coco"]) == sorted(image["file_name"] for image in coco.dataset["images"])
    crowds = 0
    for image in coco.dataset["images"]:
        height, width = image["height"], image["width"]
        objects = found["coco"][image["file_name"]]
        masks = np.load(work / "read" / f"{Path(image['file_name']).stem}.npz")
        annotations = coco.loadAnns(coco.getAnnIds(imgIds=image["id"]))
        assert len(objects) == len(annotations), image["file_name"]
        for n, (annotation, (name, box, crowd)) in enumerate(zip(annotations, objects)):
            assert name == coco.cats[annotation["category_id"]]["name"] and crowd == annotation["iscrowd"]
            np.testing.assert_allclose(np.multiply(box, [width, height, width, height]), annotation["bbox"])
            x, y, w, h = (int(v) for v in annotation["bbox"])
            placed = np.zeros((height, width), bool)
            placed[y : y + h, x : x + w] = masks[f"arr_{n}"]
            np.testing.assert_array_equal(placed, coco.annToMask(annotation).astype(bool), err_msg=image["file_name"])
            crowds += crowd
    assert crowds > 0
    names = (exported / "voc" / "class_names.txt").read_text().splitlines()[1:]  # YOLO ids from 0: no background
    train = sorted(path.name for path in (exported / "yolo-seg" / "images" / "train").iterdir())
    assert sorted(found["yolo"]) == train
    for image_name, polylines in found["yolo"].items():
        lines = parse_yolo_labels((exported / "yolo-seg" / "labels" / "train" / f"{Path(image_name).stem}.txt").read_text())
        assert [name for name, _ in polylines] == [names[class_id] for class_id, _ in lines]
        for (_, parts), (_, points) in zip(polylines, lines):
            assert len(parts) == 1  # one object, one polyline
            np.testing.assert_array_equal(np.array(parts[0]), points)
    assert found["mAP"] == pytest.approx(1.0)
    assert found["mAP, regions as objects"] < 0.99
