"""convert from COCO, CVAT, Label Studio and Cityscapes: each source's label maps against the
reference its users trust (pycocotools' annToMask, cityscapesScripts' json2labelImg and
json2instanceImg, Datumaro's CVAT import through CVAT's own mask pipeline, label-studio-converter),
pixel for pixel; detection of the source, class tables, failures of one image alone."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from exports import (
    cityscapes_export,
    coco_export,
    cvat_export,
    cvat_video_export,
    labelstudio_export,
    photo,
    segmentation_mask_export,
    yolo_dataset,
)
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image
from test_hostile import image_server  # noqa: F401  (the fixture: a server that records every request)
from test_reliability import (  # the strategies labelme is fuzzed with
    json_values,
    number,
)
from typer.testing import CliRunner

from labeltools import ClassTable, read_label, read_split, read_yolo
from labeltools.cli import app
from labeltools.core.errors import AnnotationError, DatasetError, LabeltoolsError
from labeltools.formats.cityscapes import parse_cityscapes
from labeltools.formats.coco import parse_coco, string_counts
from labeltools.formats.cvat import parse_cvat
from labeltools.formats.datumaro import parse_datumaro
from labeltools.formats.labelstudio import parse_labelstudio
from labeltools.formats.voc import nearby_class_table
from labeltools.jobs.convert import SAMPLE_DIR, ConvertOptions, convert_labelme, rasterise_record

runner = CliRunner()


def convert(inputs: Any, out: Path, classes: Any = None, **kwargs: Any) -> tuple[Any, list[Any]]:
    options = kwargs.pop("options", ConvertOptions(instances=True))
    conversion = convert_labelme(inputs, out, classes, options=options, jobs=1, **kwargs)
    return conversion, list(conversion)


def labels(out: Path, image_id: str, folder: str = "SegmentationClass") -> np.ndarray:
    return read_label(out / folder / f"{image_id}.png")


def said_by(*args: object) -> tuple[Any, str]:
    """A command's result and its stderr as one line (the console wraps long lines)."""
    result = runner.invoke(app, [str(a) for a in args])
    return result, " ".join(result.stderr.split())


# --- COCO against pycocotools ----------------------------------------------------------------


def coco_reference(path: Path) -> dict[str, np.ndarray]:
    """Each image's class map as pycocotools' annToMask paints its annotations in file order
    (crowd regions void), by file stem."""
    from pycocotools.coco import COCO

    coco = COCO(str(path))
    maps = {}
    for image in coco.dataset["images"]:
        canvas = np.zeros((image["height"], image["width"]), dtype=np.uint8)
        for ann in coco.dataset["annotations"]:
            if ann["image_id"] != image["id"] or not ann["segmentation"]:
                continue
            canvas[coco.annToMask(ann).astype(bool)] = 255 if ann["iscrowd"] else ann["category_id"]
        maps[Path(image["file_name"]).stem] = canvas
    return maps


def test_coco_label_maps_equal_pycocotools_and_keep_the_category_ids(tmp_path: Path) -> None:
    path = coco_export(tmp_path / "coco", images=12, seed=3)
    conversion, results = convert(tmp_path / "coco", tmp_path / "out")
    assert conversion.source == "coco"
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    assert conversion.classes.index_of("car") == 3 and conversion.classes.index_of("tree") == 7
    assert "their ids kept" in conversion.classes_chosen
    reference = coco_reference(path)
    assert len(reference) == 12
    for image_id, expected in reference.items():
        np.testing.assert_array_equal(labels(tmp_path / "out", image_id), expected, err_msg=image_id)
    assert any(r.warnings for r in results)  # the box-only annotations are named


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    polygons=st.lists(
        st.lists(st.tuples(st.floats(-8, 40, allow_nan=False), st.floats(-8, 30, allow_nan=False)), min_size=3, max_size=9),
        min_size=1, max_size=4,
    ),
)
def test_coco_polygons_fill_as_pycocotools_fills_them(tmp_path_factory: pytest.TempPathFactory, polygons: list[list[tuple[float, float]]]) -> None:
    from pycocotools import mask as masks

    root = tmp_path_factory.mktemp("coco")
    photo(root / "x.jpg", 33, 23, 0)
    segmentation = [[round(v, 3) for point in polygon for v in point] for polygon in polygons]
    doc = {
        "images": [{"id": 1, "file_name": "x.jpg", "width": 33, "height": 23}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 5, "iscrowd": 0, "segmentation": segmentation}],
        "categories": [{"id": 5, "name": "thing"}],
    }
    (root / "instances_x.json").write_text(json.dumps(doc))
    _, results = convert(root / "instances_x.json", root / "out", options=ConvertOptions())
    assert results[0].ok, results[0].error
    expected = masks.decode(masks.merge(masks.frPyObjects(segmentation, 23, 33))).astype(bool)
    np.testing.assert_array_equal(labels(root / "out", "x"), np.where(expected, 5, 0))


def test_coco_categories_beyond_254_are_renumbered_and_the_mapping_said(tmp_path: Path) -> None:
    photo(tmp_path / "a.jpg", 10, 10, 0)
    doc = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 900, "iscrowd": 0, "segmentation": [[1, 1, 8, 1, 8, 8]]}],
        "categories": [{"id": 900, "name": "rare"}, {"id": 2, "name": "common"}],
    }
    (tmp_path / "instances.json").write_text(json.dumps(doc))
    done = runner.invoke(app, ["convert", str(tmp_path / "instances.json"), str(tmp_path / "out"), "-j", "1"])
    assert done.exit_code == 0, done.output
    assert "renumbered from 1 in their order, as their ids do not all fit 1..254 (900->1); 0 _background_" in done.stderr
    assert (tmp_path / "out" / "class_names.txt").read_text().splitlines()[:3] == ["_background_", "rare", "common"]
    assert set(np.unique(labels(tmp_path / "out", "a"))) == {0, 1}


def test_roboflows_dataset_category_is_no_class(tmp_path: Path) -> None:
    """Roboflow's COCO export declares the dataset's name as category 0, the supercategory of
    every class, used by no annotation: it is said and left out, the classes keep their ids
    (as Roboflow's semantic masks and YOLO exports number them); one an annotation uses is a
    class, renumbered and said as before."""
    photo(tmp_path / "train" / "a_jpg.rf.1.jpg", 10, 10, 0)
    doc = {
        "images": [{"id": 0, "file_name": "a_jpg.rf.1.jpg", "width": 10, "height": 10}],
        "annotations": [{"id": 0, "image_id": 0, "category_id": 2, "iscrowd": 0, "segmentation": [[1, 1, 8, 1, 8, 8]]}],
        "categories": [
            {"id": 0, "name": "cells", "supercategory": "none"},
            {"id": 1, "name": "platelet", "supercategory": "cells"},
            {"id": 2, "name": "rbc", "supercategory": "cells"},
        ],
    }  # fmt: skip
    annotations = tmp_path / "train" / "_annotations.coco.json"
    annotations.write_text(json.dumps(doc))
    done, said = said_by("convert", tmp_path / "train", tmp_path / "out", "-j", 1)
    assert done.exit_code == 0, done.output
    assert (
        f"info: {annotations}: category 0 'cells' is the supercategory of all the others and marks no object "
        "(the dataset's name, as Roboflow's export declares it): not a class"
    ) in said, said
    assert "classes: 3, 2 classes of _annotations.coco.json, their ids kept; 0 _background_, 255 void" in said, said
    assert (tmp_path / "out" / "class_names.txt").read_text().splitlines() == ["_background_", "platelet", "rbc"]
    assert set(np.unique(labels(tmp_path / "out", "a_jpg.rf.1"))) == {0, 2}
    doc["annotations"].append({"id": 1, "image_id": 0, "category_id": 0, "iscrowd": 0, "segmentation": [[0, 9, 2, 9, 2, 7]]})
    annotations.write_text(json.dumps(doc))
    used, said = said_by("convert", tmp_path / "train", tmp_path / "used", "-j", 1)
    assert used.exit_code == 0 and "not a class" not in said, used.output
    assert "renumbered from 1 in their order, as their ids do not all fit 1..254 (0->1, 1->2, 2->3)" in said
    assert (tmp_path / "used" / "class_names.txt").read_text().splitlines() == ["_background_", "cells", "platelet", "rbc"]


def test_a_bad_coco_annotation_fails_its_image_alone(tmp_path: Path) -> None:
    coco_export(tmp_path / "coco", images=3, seed=1)
    path = tmp_path / "coco" / "annotations" / "instances_val.json"
    doc = json.loads(path.read_text())
    doc["annotations"].append({"id": 999, "image_id": 2, "category_id": 3, "iscrowd": 0, "segmentation": [[1, 2, "x", 4, 5, 6]]})
    path.write_text(json.dumps(doc))
    done = runner.invoke(app, ["convert", str(tmp_path / "coco"), str(tmp_path / "out"), "-j", "1"])
    assert done.exit_code == 1
    assert "image 'img_0001.jpg' (id 2): annotations[" in done.stderr and "(id 999).segmentation[0][2] must be a finite number" in done.stderr
    written = {p.stem for p in (tmp_path / "out" / "SegmentationClass").glob("*.png")}
    assert written == {"img_0000", "img_0002"}
    assert not (tmp_path / "out" / "JPEGImages" / "img_0001.jpg").exists()


def test_a_missing_coco_image_names_every_place_tried(tmp_path: Path) -> None:
    coco_export(tmp_path / "coco", images=2, seed=2)
    (tmp_path / "coco" / "images" / "val" / "img_0001.jpg").unlink()
    _, results = convert(tmp_path / "coco", tmp_path / "out")
    assert [r.ok for r in results] == [True, False]
    assert "image 'img_0001.jpg' not found (tried " in str(results[1].error) and "images/val/img_0001.jpg" in str(results[1].error)


def test_images_are_found_under_images_dir_by_file_name(tmp_path: Path) -> None:
    path = coco_export(tmp_path / "coco", images=2, seed=2)
    shutil.move(tmp_path / "coco" / "images", tmp_path / "elsewhere")
    done = runner.invoke(app, ["convert", str(path), str(tmp_path / "out"), "--images", str(tmp_path / "elsewhere" / "val"), "-j", "1"])
    assert done.exit_code == 0, done.output
    assert len(list((tmp_path / "out" / "JPEGImages").glob("*.jpg"))) == 2


# --- Cityscapes against cityscapesScripts ----------------------------------------------------


def cityscapes_reference(path: Path, encoding: str) -> np.ndarray:
    """cityscapesScripts' label image of a polygon file: ``ids``, ``trainIds``, or
    ``instances`` (json2instanceImg's ``id * 1000 + k`` numbering)."""
    from cityscapesscripts.helpers.annotation import Annotation
    from cityscapesscripts.preparation.json2instanceImg import createInstanceImage
    from cityscapesscripts.preparation.json2labelImg import createLabelImage

    annotation = Annotation()
    annotation.fromJsonFile(str(path))
    if encoding == "instances":
        return np.asarray(createInstanceImage(annotation, "ids"))
    return np.asarray(createLabelImage(annotation, encoding))


def test_cityscapes_train_ids_by_default_equal_createTrainIdLabelImgs(tmp_path: Path) -> None:
    paths = cityscapes_export(tmp_path / "cs", images=8, seed=4)
    conversion, results = convert(tmp_path / "cs" / "gtFine", tmp_path / "out")
    assert conversion.source == "cityscapes" and all(r.ok for r in results), [r.error for r in results]
    assert conversion.classes.source == "cityscapes-train preset"
    for path in paths:
        image_id = path.name.removesuffix("_gtFine_polygons.json")
        np.testing.assert_array_equal(labels(tmp_path / "out", image_id), cityscapes_reference(path, "trainIds"))
        # instances: every instance json2instanceImg numbers (id * 1000 + k) is one of ours
        theirs = cityscapes_reference(path, "instances")
        ours = labels(tmp_path / "out", image_id, "SegmentationObject")
        for value in np.unique(theirs[theirs >= 1000]):
            inside = np.unique(ours[theirs == value])
            assert len(inside) == 1 and 0 < inside[0] < 255, (image_id, value, inside)
            assert np.array_equal(ours == inside[0], theirs == value) or (ours == inside[0]).sum() > (theirs == value).sum()


def test_cityscapes_label_ids_with_the_cityscapes_preset_equal_json2labelImg(tmp_path: Path) -> None:
    paths = cityscapes_export(tmp_path / "cs", images=6, seed=5)
    _, results = convert(tmp_path / "cs", tmp_path / "out", "cityscapes")
    assert all(r.ok for r in results)
    for path in paths:
        image_id = path.name.removesuffix("_gtFine_polygons.json")
        np.testing.assert_array_equal(labels(tmp_path / "out", image_id), cityscapes_reference(path, "ids"))


def test_cityscapes_label_maps_without_their_polygons_convert_as_cityscapesscripts_made_them(tmp_path: Path) -> None:
    """A gtFine folder of label maps alone (the mirrors that ship Cityscapes without its polygon
    files, CVAT's Cityscapes export) was refused: no annotation file. Its maps are read, each
    frame's image found in leftImg8bit/ as cityscapesScripts finds it: the train ids equal
    createTrainIdLabelImgs' from *_labelTrainIds.png, and from *_labelIds.png alone through the
    cityscapes index map; -c cityscapes keeps the label ids; train ids named as label ids are
    refused."""
    paths = cityscapes_export(tmp_path / "cs", images=5, seed=6)
    for path in paths:
        frame = path.name.removesuffix("_gtFine_polygons.json")
        Image.fromarray(cityscapes_reference(path, "ids").astype(np.uint8)).save(path.parent / f"{frame}_gtFine_labelIds.png")
        Image.fromarray(cityscapes_reference(path, "trainIds").astype(np.uint8)).save(path.parent / f"{frame}_gtFine_labelTrainIds.png")
        path.unlink()
    gt = tmp_path / "cs" / "gtFine"
    for name, classes, reference in (("train", None, "trainIds"), ("ids", "cityscapes", "ids")):
        conversion, results = convert(gt, tmp_path / name, classes, options=ConvertOptions())
        assert conversion.source == "masks" and all(r.ok for r in results), [r.error for r in results]
        for path in paths:
            frame = path.name.removesuffix("_gtFine_polygons.json")
            expected = np.asarray(Image.open(path.parent / f"{frame}_gtFine_{'labelTrainIds' if reference == 'trainIds' else 'labelIds'}.png"))
            np.testing.assert_array_equal(labels(tmp_path / name, frame), expected, err_msg=frame)
            assert (tmp_path / name / "JPEGImages" / f"{frame}.jpg").is_file()
    for path in gt.rglob("*_labelTrainIds.png"):
        path.unlink()
    conversion, results = convert(gt, tmp_path / "mapped", options=ConvertOptions())
    assert all(r.ok for r in results) and conversion.classes_chosen.endswith("its *_labelIds.png maps read through --index-map cityscapes (label ids to train ids)")
    for path in paths:
        frame = path.name.removesuffix("_gtFine_polygons.json")
        np.testing.assert_array_equal(labels(tmp_path / "mapped", frame), labels(tmp_path / "train", frame), err_msg=frame)
    trained = tmp_path / "trained" / "gtFine" / "val" / "aachen"
    trained.mkdir(parents=True)
    Image.fromarray(labels(tmp_path / "train", frame)).save(trained / f"{frame}_gtFine_labelTrainIds.png")
    with pytest.raises(DatasetError, match=r"maps hold train ids, and cityscapes preset names label ids: leave out --classes"):
        convert_labelme(tmp_path / "trained" / "gtFine", tmp_path / "refused", "cityscapes")


#: Datumaro writing its "Cityscapes" or "KITTI" export (argv[3]) of labels of its own, as CVAT's
#: "Cityscapes 1.0" and "KITTI 1.0" exports of a task's labels do: label_colors.txt beside gtFine/
#: (above the subsets' folders for KITTI), each map's label ids the rows of that list; the masks
#: it was given, as class maps, for the test to compare with.
DATUMARO_OWN_LABELS_EXPORT = """
import json, sys
from collections import OrderedDict
from pathlib import Path
import numpy as np
import datumaro as dm
from datumaro.components.media import Image
from datumaro.plugins.data_formats.cityscapes import make_cityscapes_categories
from datumaro.plugins.data_formats.kitti.format import KittiTask, make_kitti_categories

out, truth, format_name = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
truth.mkdir()
label_map = OrderedDict(background=(0, 0, 0), crack=(255, 0, 0), pothole=(0, 0, 255), patch=(0, 255, 0))
rng = np.random.default_rng(3)
items = []
for n in range(3):
    classes = np.zeros((12, 16), np.uint8)
    masks = []
    for instance, label in enumerate((1, 2, 3, 2), 1):
        y, x = rng.integers(0, 9), rng.integers(0, 12)
        mask = np.zeros((12, 16), np.uint8)
        mask[y : y + 4, x : x + 5] = 1
        classes[mask == 1] = label
        masks.append(dm.Mask(image=mask, label=label, id=instance, attributes={"is_crowd": False}, z_order=instance))
    frame = f"zagreb_000000_{n:06d}"
    image = Image.from_numpy(rng.integers(0, 255, (12, 16, 3), dtype=np.uint8))
    items.append(dm.DatasetItem(id=f"zagreb/{frame}" if format_name == "cityscapes" else frame, subset="val", media=image, annotations=masks))
    np.save(truth / f"{frame}.npy", classes)
if format_name == "cityscapes":
    dm.Dataset.from_iterable(items, categories=make_cityscapes_categories(label_map)).export(str(out), "cityscapes", save_media=True)
else:
    dataset = dm.Dataset.from_iterable(items, categories=make_kitti_categories(label_map))
    dataset.export(str(out), "kitti", save_media=True, tasks=KittiTask.segmentation)
"""


def test_a_cityscapes_export_of_its_own_labels_converts_by_its_label_colors(tmp_path: Path) -> None:
    """Datumaro's (and CVAT's) "Cityscapes" export of a task's own labels keeps them in
    label_colors.txt beside gtFine/, each map's label ids their rows. It was read by Cityscapes'
    labels: every crack (1) and pothole (2) became ego vehicle and rectification border, then
    void, with no word ("converted 3, failed 0"). The export's own list is its class table, said,
    and the label maps equal the masks Datumaro was given."""
    from consumers import run_in

    (tmp_path / "elsewhere").mkdir()
    done = run_in("datumaro", DATUMARO_OWN_LABELS_EXPORT, tmp_path / "elsewhere", str(tmp_path / "export"), str(tmp_path / "truth"), "cityscapes")
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "export" / "label_colors.txt").is_file()
    result, said = said_by("convert", tmp_path / "export", tmp_path / "voc", "-j", 1)
    assert result.exit_code == 0, said
    assert f"classes: 4, {tmp_path / 'export' / 'label_colors.txt'}, numbered by row (row i is class i), the list the export came with" in said
    assert (tmp_path / "voc" / "class_names.txt").read_text().split() == ["background", "crack", "pothole", "patch"]
    truths = sorted((tmp_path / "truth").glob("*.npy"))
    assert len(truths) == 3
    for truth in truths:
        np.testing.assert_array_equal(labels(tmp_path / "voc", truth.stem), np.load(truth), err_msg=truth.stem)
    assert read_split(tmp_path / "voc", "val") == [t.stem for t in truths]
    export, chosen = tmp_path / "export", f"classes: {tmp_path / 'export' / 'label_colors.txt'}, numbered by row (row i is class i), the list the export came with"
    stats, said = said_by("stats", export, "--json", tmp_path / "stats.json")  # the other commands read it by that list too
    assert stats.exit_code == 0 and chosen in said, said
    counted = json.loads((tmp_path / "stats.json").read_text())
    truth_pixels = np.bincount(np.concatenate([np.load(t).ravel() for t in truths]), minlength=4)
    assert [c["name"] for c in counted["classes"]] == ["background", "crack", "pothole", "patch"]
    assert [c["pixels"] for c in counted["classes"]] == truth_pixels.tolist()
    checked, said = said_by("check", export)
    assert checked.exit_code == 0 and "0 error(s), 0 warning(s) in 3 sample(s)" in checked.stdout, checked.stdout  # its colour maps are its list's colours
    (tmp_path / "preds").mkdir()
    for truth in truths:
        Image.fromarray(np.where(np.load(truth) == 3, 1, np.load(truth)).astype(np.uint8)).save(tmp_path / "preds" / f"{truth.stem}_leftImg8bit.png")
    scored, said = said_by("evaluate", export / "gtFine" / "val", tmp_path / "preds", "--json", tmp_path / "scores.json")
    assert scored.exit_code == 0 and chosen in said, said
    scores = json.loads((tmp_path / "scores.json").read_text())
    ious = {c["name"]: c["iou"] for c in scores["classes"]}
    assert ious["pothole"] == 1.0 and ious["patch"] == 0.0 and 0 < ious["crack"] < 1, scores
    weighed, said = said_by("weights", export, "-o", tmp_path / "w.npy")
    assert weighed.exit_code == 0 and np.load(tmp_path / "w.npy").shape == (4,), said
    weighed, said = said_by("weights", export, "-n", 4, "-o", tmp_path / "w4.npy")  # the number of its labels: its list still
    assert weighed.exit_code == 0 and chosen in said and np.load(tmp_path / "w4.npy").tolist() == np.load(tmp_path / "w.npy").tolist(), said
    weighed, said = said_by("weights", export, "-n", 5, "-o", tmp_path / "w5.npy")
    assert weighed.exit_code == 1 and "has 4 classes, but 5 were asked for (--num-classes)" in said and not (tmp_path / "w5.npy").exists(), said
    # a class table given that names its labels otherwise was read as asked without a word:
    # convert, whose label maps would keep the renaming, refuses it; the others say it
    renamed, said = said_by("convert", export, tmp_path / "renamed", "-c", "cityscapes")
    assert renamed.exit_code == 1 and not (tmp_path / "renamed").exists(), said
    assert f"cityscapes preset calls class 0 'unlabeled', {export / 'label_colors.txt'}, numbered by row (row i is class i) calls it 'background': the masks' values are the classes of the list they came with, which --classes would rename" in said, said
    (tmp_path / "same.txt").write_text("background\ncrack\npothole\npatch\n")
    same, said = said_by("convert", export, tmp_path / "same", "-c", tmp_path / "same.txt", "-j", 1)
    assert same.exit_code == 0 and (tmp_path / "same" / "class_names.txt").read_text().split() == ["background", "crack", "pothole", "patch"], said
    for truth in truths:
        np.testing.assert_array_equal(labels(tmp_path / "same", truth.stem), np.load(truth), err_msg=truth.stem)
    stats, said = said_by("stats", export, "-c", "cityscapes")
    assert stats.exit_code == 0 and f"cityscapes preset calls class 0 'unlabeled', {export / 'label_colors.txt'}, numbered by row (row i is class i) calls it 'background', which names the label ids of its maps; using cityscapes preset, as asked" in said, said
    bad = next((export / "gtFine").rglob("*_labelIds.png"))
    Image.fromarray(np.full((12, 16), 9, np.uint8)).save(bad)
    checked, said = said_by("check", export)
    shown_out = " ".join(checked.stdout.split())
    assert checked.exit_code == 1 and f"holds value 9, no label id (0..3) of {export / 'label_colors.txt'}, numbered by row" in shown_out, shown_out


# --- detection and refusals ------------------------------------------------------------------


def test_a_folder_of_several_tools_is_refused_saying_what_was_found(tmp_path: Path) -> None:
    coco_export(tmp_path / "mixed" / "coco", images=1)
    cityscapes_export(tmp_path / "mixed" / "cs", images=2)
    with pytest.raises(DatasetError, match=r"several tools \(coco: 1 file\(s\), e\.g\. .*instances_val\.json; cityscapes: 2 file\(s\)"):
        convert_labelme(tmp_path / "mixed", tmp_path / "out")
    assert not (tmp_path / "out").exists()
    _, results = convert(tmp_path / "mixed", tmp_path / "out", source="cityscapes")
    assert len(results) == 2 and all(r.ok for r in results)


def test_xml_of_tools_not_read_is_named_for_what_it_is(tmp_path: Path) -> None:
    """An MIT LabelMe XML (CVAT's "LabelMe 3.0" export, taken for labelme's) or a PASCAL VOC
    detection XML alone was refused as "none of the 0 .json file(s) is a labelme annotation";
    beside labelme files it was left out without a word; a VOC dataset with its Annotations/
    was not named as one. Each is said for what it is."""
    from exports import voc_2012

    lm = tmp_path / "labelme3"
    lm.mkdir()
    (lm / "a.xml").write_text(
        "<annotation><filename>a.jpg</filename><folder></folder><imagesize><nrows>4</nrows><ncols>6</ncols></imagesize>"
        "<object><name>car</name><deleted>0</deleted><polygon><pt><x>1</x><y>1</y></pt><pt><x>5</x><y>1</y></pt>"
        "<pt><x>5</x><y>3</y></pt></polygon></object></annotation>"
    )
    with pytest.raises(DatasetError, match=r"a\.xml: is an MIT LabelMe XML annotation \(CVAT's \"LabelMe 3\.0\" export, not the labelme tool's JSON\), which labeltools does not read: export the task as \"CVAT for images 1\.1\" or \"COCO 1\.0\"$"):
        convert_labelme(lm, tmp_path / "none")
    voc = tmp_path / "labelimg"
    voc.mkdir()
    for name in ("a", "b"):
        (voc / f"{name}.xml").write_text("<annotation><filename>a.jpg</filename><size><width>6</width><height>4</height></size><object><name>car</name><bndbox><xmin>1</xmin></bndbox></object></annotation>")
    with pytest.raises(DatasetError, match=r"a\.xml: is a PASCAL VOC detection annotation \(LabelImg's, CVAT's \"PASCAL VOC 1\.1\"\): boxes, which have no outline to paint a class map by \(2 such files\)$"):
        convert_labelme(voc, tmp_path / "none")
    assert not (tmp_path / "none").exists()
    mixed = tmp_path / "mixed"
    shutil.copytree(SAMPLE_DIR, mixed)
    shutil.copy(lm / "a.xml", mixed / "a.xml")
    result, said = said_by("convert", mixed, tmp_path / "voc", "-j", 1)
    assert result.exit_code == 0 and f"warning: {mixed / 'a.xml'}: is an MIT LabelMe XML annotation" in said and "; left out" in said, said
    odd = tmp_path / "odd"
    odd.mkdir()
    (odd / "a.xml").write_text("<project><item/></project>")
    with pytest.raises(DatasetError, match=r"a\.xml: is an XML file of no annotation tool labeltools reads \(CVAT for images 1\.1 and CVAT for video 1\.1 are its XML\)$"):
        convert_labelme(odd, tmp_path / "none")
    dataset = voc_2012(tmp_path / "VOC2012", {"2008_000001": (6, 4)}, train=["2008_000001"], val=[])
    (dataset / "Annotations").mkdir(exist_ok=True)
    shutil.copy(voc / "a.xml", dataset / "Annotations" / "2008_000001.xml")
    with pytest.raises(DatasetError, match=r"VOC2012: is a VOC dataset \(SegmentationClass/ holds its labels\), not annotations"):
        convert_labelme(dataset, tmp_path / "none")


def test_json_of_tools_not_read_is_named_for_what_it_is(tmp_path: Path) -> None:
    """A Supervisely annotation, a VGG Image Annotator project, a COCO results file and an ISAT
    annotation read as labelme's were each "not a labelme annotation (no 'shapes' list)" and no
    more: each is named, with the export to choose (ISAT's is read by --from isat)."""
    docs = {
        "sly.jpg.json": ({"size": {"height": 4, "width": 6}, "objects": [{"classTitle": "car", "geometryType": "polygon"}]}, "it is a Supervisely annotation (objects of classTitle), which labeltools does not read: export the project as COCO"),
        "via_region_data.json": ({"a.jpg12": {"filename": "a.jpg", "size": 12, "regions": []}}, "it is a VGG Image Annotator (VIA) project or export, which labeltools does not read: export its annotations as COCO"),
        "results.json": ([{"image_id": 1, "category_id": 2, "segmentation": {}, "score": 0.9}], "it is COCO results (predictions of an image_id each, no images or categories), not an instances file"),
        "isat.json": (
            {"info": {"description": "ISAT", "name": "a.jpg", "width": 6, "height": 4, "depth": 3, "note": ""},
             "objects": [{"category": "car", "group": 1, "segmentation": [[1, 1], [5, 1], [5, 3]], "area": 4.0, "layer": 1.0, "bbox": [1, 1, 5, 3], "iscrowd": False, "note": ""}]},
            "it is an ISAT annotation (objects of category and layer): read it with --from isat",
        ),
    }
    for name, (doc, said) in docs.items():
        folder = tmp_path / name.split(".")[0]
        folder.mkdir()
        (folder / name).write_text(json.dumps(doc))
        result, stderr = said_by("convert", folder, tmp_path / "none", "-j", 1, "--from", "labelme")
        assert result.exit_code == 1 and f"warning: {folder / name}: not a labelme annotation (no 'shapes' list); {said}; skipped" in stderr, stderr
    assert not (tmp_path / "none").exists()


def test_from_names_the_tool_and_a_wrong_file_says_what_it_is_not(tmp_path: Path) -> None:
    cityscapes_export(tmp_path / "cs", images=1)
    path = next((tmp_path / "cs").rglob("*.json"))
    done = runner.invoke(app, ["convert", str(path), str(tmp_path / "out"), "--from", "coco", "-j", "1"])
    assert done.exit_code == 1
    assert "not a COCO instances file (it needs 'images', 'annotations' and 'categories' lists)" in done.stderr
    done = runner.invoke(app, ["convert", str(path), str(tmp_path / "out"), "--from", "kitti"])
    said = " ".join(done.stderr.replace("│", " ").split())
    assert done.exit_code == 2 and "'kitti' is not one of 'labelme', 'coco', 'cvat', 'label-studio', 'cityscapes'" in said


def test_resume_skips_images_whose_outputs_are_newer(tmp_path: Path) -> None:
    coco_export(tmp_path / "coco", images=3)
    convert(tmp_path / "coco", tmp_path / "out")
    conversion, results = convert(tmp_path / "coco", tmp_path / "out", resume=True)
    assert [r.data["status"] for r in results] == ["up-to-date"] * 3
    assert "the class table recorded in" in conversion.classes_chosen


# --- CVAT against CVAT's Segmentation mask export (Datumaro) ---------------------------------

#: CVAT's "Segmentation mask 1.1" export, run by Datumaro on the XML as CVAT runs it on a task:
#: turned boxes to polygons, polygons and boxes to masks, a group's masks merged, then VOC
#: segmentation masks with the task's labels in order after background.
DATUMARO_CVAT_MASKS = """
import sys
from pathlib import Path
import numpy as np
from PIL import Image
from datumaro.components.annotation import AnnotationType, Polygon
from datumaro.components.dataset import Dataset
from datumaro.components.transformer import ItemTransform

class RotatedBoxesToPolygons(ItemTransform):
    def transform_item(self, item):
        annotations = [
            Polygon([v for point in a.as_polygon() for v in point], label=a.label, z_order=a.z_order, id=a.id, attributes=a.attributes, group=a.group)
            if a.type == AnnotationType.rotated_bbox else a
            for a in item.annotations
        ]
        return item.wrap(annotations=annotations)

class LeaveOutside(ItemTransform):  # a track's shape outside its frame, which CVAT's own export leaves out
    def transform_item(self, item):
        return item.wrap(annotations=[a for a in item.annotations if not a.attributes.get("outside")])

source, out = sys.argv[1:3]
format_name, _, source = source.rpartition("::")  # "datumaro::<folder>", else CVAT's XML
dataset = Dataset.import_from(source, format_name or "cvat")
dataset.transform(LeaveOutside)
dataset.transform(RotatedBoxesToPolygons)
dataset.transform("polygons_to_masks")
dataset.transform("boxes_to_masks")
dataset.transform("merge_instance_segments")
names = [label.name for label in dataset.categories()[AnnotationType.label]]
label_map = {"background": [(0, 0, 0), [], []], **{name: [(0, 0, 0), [], []] for name in names}}
dataset.export(out, "voc_segmentation", save_media=False, label_map=label_map, apply_colormap=False)
for path in sorted(Path(out, "SegmentationClass").glob("*.png")):
    print(path.stem, file=sys.stderr)
"""


def cvat_reference(xml_folder: Path, out: Path, tmp_path: Path, format_name: str = "cvat") -> None:
    """CVAT's mask export of ``xml_folder`` (run by Datumaro, which reads it as ``format_name``)
    against ours in ``out``, image by image; the classes are matched by name (Datumaro orders
    its label map its own way)."""
    from consumers import run_in

    (tmp_path / "elsewhere").mkdir(exist_ok=True)
    done = run_in("datumaro", DATUMARO_CVAT_MASKS, tmp_path / "elsewhere", f"{format_name}::{xml_folder}", str(tmp_path / "reference"))
    assert done.returncode == 0, done.stderr[-3000:]
    names = [line.split(":")[0] for line in (tmp_path / "reference" / "labelmap.txt").read_text().splitlines() if not line.startswith("#")]
    ours = (out / "class_names.txt").read_text().split("\n")
    to_ours = np.array([0 if name == "background" else ours.index(name) for name in names] + [0] * (256 - len(names)), np.uint8)
    references = sorted((tmp_path / "reference" / "SegmentationClass").glob("*.png"))
    assert references
    for reference in references:
        expected = to_ours[np.asarray(Image.open(reference))]
        np.testing.assert_array_equal(labels(out, reference.stem), expected, err_msg=reference.stem)


def test_cvat_label_maps_equal_cvats_segmentation_mask_export(tmp_path: Path) -> None:
    path = cvat_export(tmp_path / "cvat", images=12, seed=6)
    conversion, results = convert(tmp_path / "cvat", tmp_path / "out")
    assert conversion.source == "cvat" and all(r.ok for r in results), [r.error for r in results if not r.ok]
    assert conversion.classes.names[:4] == ["_background_", "car", "person", "road"]
    assert conversion.classes.color_of(1) == (0xFA, 0x32, 0x53)  # the label's colour in <meta>
    assert any("polyline/points shape(s) cover no area" in w for r in results for w in r.warnings)
    cvat_reference(path.parent, tmp_path / "out", tmp_path)
    assert len(list((tmp_path / "reference" / "SegmentationClass").glob("*.png"))) >= 10


#: Datumaro writing a CVAT export in its own format, as CVAT's "Datumaro 1.0" export holds a task.
DATUMARO_FORMAT_EXPORT = """
import sys
from datumaro.components.dataset import Dataset
dataset = Dataset.import_from(sys.argv[1], sys.argv[3])
print(sum(len(item.annotations) for item in dataset))
dataset.export(sys.argv[2], sys.argv[4] if len(sys.argv) > 4 else "datumaro", save_media=True)
"""


def test_a_datumaro_export_converts_as_cvats_mask_export_reads_it(tmp_path: Path) -> None:
    """Datumaro's own format (CVAT's "Datumaro 1.0" export) was sniffed as COCO, for its
    'categories', and refused as "not a COCO instances file". It is read: each item an image
    (under images/<subset>/), polygons, boxes and RLE masks painted by their z order and groups
    as CVAT's mask export paints them; the label maps equal that pipeline's, run by Datumaro on
    the same file, and those of the CVAT XML it was written from."""
    from consumers import run_in

    cvat_export(tmp_path / "cvat", images=12, seed=6, rotation=False)  # Datumaro 1.13 writes no turned box in its format
    (tmp_path / "elsewhere").mkdir()
    done = run_in("datumaro", DATUMARO_FORMAT_EXPORT, tmp_path / "elsewhere", str(tmp_path / "cvat"), str(tmp_path / "dm"), "cvat")
    assert done.returncode == 0, done.stderr[-3000:]
    files = list((tmp_path / "dm" / "annotations").glob("*.json"))
    assert len(files) == 1 and b'"dm_format_version"' in files[0].read_bytes()[:100]
    result, said = said_by("convert", tmp_path / "dm", tmp_path / "out", "-j", 1)
    assert result.exit_code == 0, said
    assert f"classes: 4, 3 classes of {files[0].name}, numbered from 1 in their order; 0 _background_, 255 void" in said, said
    assert (tmp_path / "out" / "class_names.txt").read_text().split() == ["_background_", "car", "person", "road"]
    cvat_reference(tmp_path / "dm", tmp_path / "out", tmp_path, "datumaro")
    assert len(list((tmp_path / "reference" / "SegmentationClass").glob("*.png"))) >= 10
    _, results = convert(tmp_path / "cvat", tmp_path / "from-xml")
    assert all(r.ok for r in results)
    for label in sorted((tmp_path / "out" / "SegmentationClass").glob("*.png")):
        np.testing.assert_array_equal(read_label(label), labels(tmp_path / "from-xml", label.stem), err_msg=label.stem)
    exported, said = said_by("export", tmp_path / "dm", "--to", "coco", "-d", tmp_path / "coco")
    assert exported.exit_code == 0, said
    here = Path("d.json")
    with pytest.raises(AnnotationError, match=r"^d\.json: not a Datumaro export file \(it needs an 'items' list and a 'categories' object\)$"):
        parse_datumaro({"items": {}}, here)
    with pytest.raises(AnnotationError, match=r"^d\.json: categories\.label\.labels must list labels, each with a 'name'$"):
        parse_datumaro({"items": [], "categories": {"label": {"labels": [{"title": "car"}]}}}, here)
    categories = {"label": {"labels": [{"name": "car"}, {"name": "road"}]}}
    coloured = {**categories, "mask": {"colormap": [{"label_id": 0, "r": 0, "g": 0, "b": 142}, {"label_id": 1, "r": 300, "g": 0, "b": 0}]}}
    assert [c.color for c in parse_datumaro({"items": [], "categories": coloured}, here).classes] == [(0, 0, 142), None]  # its colours, where they are colours
    item = {"id": "a", "image": {"path": "a.jpg", "size": [4, 6]}}
    problems = [
        ({**item, "annotations": [{"type": "polygon", "label_id": 5, "points": [0, 0, 2, 0, 2, 2]}]}, "annotations[0]: label_id 5 is none of the 2 labels' ids"),
        ({**item, "annotations": [{"type": "bbox", "label_id": 0, "bbox": [1, 2]}]}, "annotations[0] (bbox, label 'car'): bbox must be [x, y, w, h], got [1, 2]"),
        ({"id": "a", "image": {"path": "a.jpg", "size": [4]}, "annotations": []}, "image.size must be [height, width], got [4]"),
        ({"id": "a", "image": {"path": "a.jpg"}, "annotations": [{"type": "mask", "label_id": 0, "rle": {"size": [2, 0], "counts": []}}]},
         "annotations[0] (mask, label 'car').rle.size's width must be a positive whole number, got 0"),
    ]
    for doc_item, problem in problems:
        record = parse_datumaro({"items": [doc_item], "categories": categories}, here).images[0]
        assert record.problem == f"d.json: item 'a' (items[0]): {problem}", record.problem
    unsized = parse_datumaro({"items": [{"id": "a", "image": {"path": "a.jpg"}}], "categories": categories}, here).images[0]
    assert unsized.problem is None and (unsized.height, unsized.width) == (None, None)  # the image's own size, when it is read


def test_a_datumaro_export_of_a_voc_dataset_converts_to_its_label_maps(tmp_path: Path) -> None:
    """Datumaro's own format written from a VOC dataset (datum convert -if voc -f datumaro)
    keeps no image.size (Datumaro loads no image to write it) and a trainval subset beside
    train and val: every image failed ("image.size must be [height, width], got None"), and
    the subsets' ids clashed. Each image's size is its own; the trainval file, the images of the
    others with the same masks, is read once, said; the label maps equal the VOC dataset's
    Datumaro read, and its split is kept."""
    from consumers import run_in

    convert(SAMPLE_DIR, tmp_path / "voc", classes=SAMPLE_DIR / "labels.txt")
    (tmp_path / "elsewhere").mkdir()
    done = run_in("datumaro", DATUMARO_FORMAT_EXPORT, tmp_path / "elsewhere", str(tmp_path / "voc"), str(tmp_path / "dm"), "voc_segmentation")
    assert done.returncode == 0, done.stderr[-3000:]
    written = json.loads((tmp_path / "dm" / "annotations" / "trainval.json").read_text())
    assert written["items"] and all("size" not in item["image"] for item in written["items"])  # as Datumaro writes it
    result, said = said_by("convert", tmp_path / "dm", tmp_path / "out", "-j", 1)
    assert result.exit_code == 0, said
    assert (
        f"info: {tmp_path / 'dm' / 'annotations' / 'trainval.json'}: its 8 image(s) are those of train.json, val.json too, with "
        "the same objects (a copy, or a subset made of others as the trainval of a VOC dataset): read once, from those"
    ) in said, said
    written_ids = sorted(p.stem for p in (tmp_path / "voc" / "SegmentationClass").glob("*.png"))
    assert sorted(p.stem for p in (tmp_path / "out" / "SegmentationClass").glob("*.png")) == written_ids and len(written_ids) == 8
    assert (tmp_path / "out" / "class_names.txt").read_text() == (tmp_path / "voc" / "class_names.txt").read_text()
    for image_id in written_ids:
        np.testing.assert_array_equal(labels(tmp_path / "out", image_id), labels(tmp_path / "voc", image_id), err_msg=image_id)
    assert read_split(tmp_path / "out", "val") == read_split(tmp_path / "voc", "val")
    # CVAT's "Open Images V6" export (Datumaro's open_images) is named, with the exports to choose
    done = run_in("datumaro", DATUMARO_FORMAT_EXPORT, tmp_path / "elsewhere", str(tmp_path / "voc"), str(tmp_path / "oi"), "voc_segmentation", "open_images")
    assert done.returncode == 0 and (tmp_path / "oi" / "annotations" / "train-annotations-object-segmentation.csv").is_file(), done.stderr[-3000:]
    said_of_it = (
        "it is an Open Images export (train-annotations-object-segmentation.csv, each object a mask of its own in masks/), which "
        'labeltools does not read: export the CVAT task as "COCO 1.0" or "Datumaro 1.0" (Datumaro 1.13\'s own import of it leaves '
        "out every mask of an image whose size it has not been given)"
    )
    for command in (("convert", tmp_path / "oi", tmp_path / "from-oi"), ("stats", tmp_path / "oi")):
        refused, said = said_by(*command)
        assert refused.exit_code == 1 and said_of_it in said and not (tmp_path / "from-oi").exists(), said
    for union in (tmp_path / "oi" / "annotations").glob("trainval-*.csv"):
        union.unlink()  # Datumaro's import refuses an image listed twice
    done = run_in("datumaro", DATUMARO_FORMAT_EXPORT, tmp_path / "elsewhere", str(tmp_path / "oi"), str(tmp_path / "oi-coco"), "open_images", "coco_instances")
    assert done.returncode == 0 and done.stdout.split()[-1] == "0", done.stdout[-3000:]  # as said: its import holds no mask
    written["items"][0]["annotations"] = written["items"][0]["annotations"][1:]  # no longer the same objects: ids clash as before
    (tmp_path / "dm" / "annotations" / "trainval.json").write_text(json.dumps(written))
    clash, said = said_by("convert", tmp_path / "dm", tmp_path / "clash", "-j", 1)
    assert clash.exit_code == 1 and "8 output id(s) would be written by more than one image" in said and not (tmp_path / "clash").exists(), said


def test_a_cvat_video_export_converts_as_cvat_exports_its_frames(tmp_path: Path) -> None:
    """CVAT for video 1.1: each frame a track lists is an image, holding the tracks' shapes
    there (interpolated ones too) but those outside it; the label maps equal CVAT's mask export
    of the frames, run by Datumaro with the outside shapes left out as CVAT leaves them."""
    import re

    path = cvat_video_export(tmp_path / "video", frames=6, seed=4)
    listed = sorted({int(frame) for frame in re.findall(r' frame="(\d+)"', path.read_text())})
    assert len(listed) >= 4 and 'outside="1"' in path.read_text() and 'keyframe="0"' in path.read_text()
    conversion, results = convert(tmp_path / "video", tmp_path / "out")
    assert conversion.source == "cvat" and all(r.ok for r in results), [r.error for r in results]
    assert [r.data["id"] for r in results] == [f"frame_{n:06d}" for n in listed]
    cvat_reference(tmp_path / "video", tmp_path / "out", tmp_path)
    cvat_video_export(tmp_path / "drives" / "drive2", frames=3, seed=5)  # two tasks' exports number their frames alike
    shutil.copytree(tmp_path / "video", tmp_path / "drives" / "drive1")
    clash, said = said_by("convert", tmp_path / "drives", tmp_path / "clash", "-j", 1)
    assert clash.exit_code == 1 and "would be written by more than one image (use --flatten-names" in said, said
    conversion, results = convert(tmp_path / "drives", tmp_path / "flat", flatten_names=True)
    ids = [r.data["id"] for r in results]
    assert ids[: len(listed)] == [f"drive1_frame_{n:06d}" for n in listed] and ids[len(listed) :] and all(i.startswith("drive2_frame_") for i in ids[len(listed) :])
    assert (labels(tmp_path / "flat", ids[0]) == labels(tmp_path / "out", ids[0].removeprefix("drive1_"))).all()


def test_a_videos_frames_are_split_in_runs_of_neighbours(tmp_path: Path) -> None:
    """A CVAT video export's frames were split one by one: val held frames whose neighbours,
    near-duplicates, were in train. Runs of neighbouring frames (the largest power of ten that
    fits val's share) go to one side, said and recorded for later splits, in convert and in
    export; too few frames for runs of ten are split one by one, with a warning."""
    cvat_video_export(tmp_path / "video", frames=150, seed=1)
    result, said = said_by("convert", tmp_path / "video", tmp_path / "out", "-j", 1)
    assert result.exit_code == 0, said
    pattern = r"^(.*frame_\d{5})\d{1}$"
    assert (
        f"split: images of one group kept on one side (--group '{pattern}': 13 groups, the largest frame_00002 of 10 images), "
        "as the images are frames of a video: neighbouring frames are near-duplicates (--group '' splits them one by one)"
    ) in said, said
    assert json.loads((tmp_path / "out" / "dataset_meta.json").read_text())["split_group"] == pattern

    def whole_runs(train: list[str], val: list[str]) -> bool:
        return bool(val) and not {i[:-1] for i in val} & {i[:-1] for i in train}

    assert whole_runs(read_split(tmp_path / "out", "train"), read_split(tmp_path / "out", "val"))
    resplit, said = said_by("split", tmp_path / "out", "--seed", 3)  # the recorded pattern, by default
    assert resplit.exit_code == 0 and whole_runs(read_split(tmp_path / "out", "train"), read_split(tmp_path / "out", "val")), said
    exported, said = said_by("export", tmp_path / "video", "--to", "yolo-seg", "-d", tmp_path / "yolo")
    assert exported.exit_code == 0 and "as the images are frames of a video" in said, said
    sides = {side: sorted(p.stem for p in (tmp_path / "yolo" / "images" / side).iterdir()) for side in ("train", "val")}
    assert whole_runs(sides["train"], sides["val"]) and len(sides["train"]) + len(sides["val"]) == 122
    one_by_one, said = said_by("convert", tmp_path / "video", tmp_path / "loose", "--group", "", "-j", 1)
    assert one_by_one.exit_code == 0 and "frames of a video" not in said and "split_group" not in (tmp_path / "loose" / "dataset_meta.json").read_text()
    cvat_video_export(tmp_path / "short", frames=20, seed=1)
    short, said = said_by("convert", tmp_path / "short", tmp_path / "short-out", "-j", 1)
    assert short.exit_code == 0 and (
        "warning: the 19 images are frames of a video, split one by one: neighbouring frames, near-duplicates, fall in train "
        "and in val (too few for runs of 10 frames to fit val's share)"
    ) in said, said


def test_cvat_xml_written_by_datumaro_converts_as_cvat_exports_it(tmp_path: Path) -> None:
    """CVAT XML as another tool writes it: Datumaro's cvat exporter, from a COCO dataset (each
    object a mask and its box in one group, the groups out of file order)."""
    from consumers import run_in

    coco_export(tmp_path / "coco", images=6, seed=14)
    (tmp_path / "elsewhere").mkdir()
    write = "import sys\nfrom datumaro.components.dataset import Dataset\nDataset.import_from(sys.argv[1], 'coco_instances').export(sys.argv[2], 'cvat', save_media=True)"
    done = run_in("datumaro", write, tmp_path / "elsewhere", str(tmp_path / "coco"), str(tmp_path / "cvat"))
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "cvat" / "val.xml").is_file()
    conversion, results = convert(tmp_path / "cvat", tmp_path / "out")
    assert conversion.source == "cvat" and len(results) == 6 and all(r.ok for r in results), [r.error for r in results]
    cvat_reference(tmp_path / "cvat", tmp_path / "out", tmp_path)


#: CVAT's "Segmentation mask 1.1" export as a CVAT user downloads it: the masks of
#: DATUMARO_CVAT_MASKS in the colours of the label map (each label its own, background black),
#: the instances in the VOC colormap, the images saved; then Datumaro's own importer of that
#: export paints each image's masks, saved as ``<reference>/<id>.npy`` (class) and
#: ``<reference>/<id>.objects.npy`` (instance).
DATUMARO_COLOUR_MASKS = DATUMARO_CVAT_MASKS.replace(
    'label_map = {"background": [(0, 0, 0), [], []], **{name: [(0, 0, 0), [], []] for name in names}}',
    'label_map = {"background": [(0, 0, 0), [], []], **{name: [((37 * i) % 256, (91 * i) % 256, (173 * i + 50) % 256), [], []] for i, name in enumerate(names, 1)}}',
).replace(
    'dataset.export(out, "voc_segmentation", save_media=False, label_map=label_map, apply_colormap=False)',
    'dataset.export(out, "voc_segmentation", save_media=True, label_map=label_map)\n'
    'reference = Path(sys.argv[3])\n'
    'reference.mkdir()\n'
    'for item in Dataset.import_from(out, "voc_segmentation"):\n'
    '    classes = np.zeros(item.media.data.shape[:2], np.uint8)\n'
    '    objects = np.zeros(classes.shape, np.uint8)\n'
    '    for mask in item.annotations:\n'
    '        classes[mask.image] = mask.label\n'
    '        objects[mask.image] = mask.group\n'
    '    np.save(reference / f"{item.id}.npy", classes)\n'
    '    np.save(reference / f"{item.id}.objects.npy", objects)',
)


def test_cvats_segmentation_mask_export_converts_as_datumaro_reads_it(tmp_path: Path) -> None:
    """CVAT's "Segmentation mask 1.1" export (colour masks in SegmentationClass/, coloured by
    labelmap.txt) was refused by convert as a VOC dataset, and every other command failed each
    mask as a colour image: convert takes it, its classes numbered by labelmap.txt's lines, each
    pixel's class and instance as Datumaro's own importer reads them; the export's own ids,
    images and split ("default": none) are kept; export to COCO reads it too."""
    from consumers import run_in

    path = cvat_export(tmp_path / "cvat", images=8, seed=11)
    (tmp_path / "elsewhere").mkdir()
    done = run_in("datumaro", DATUMARO_COLOUR_MASKS, tmp_path / "elsewhere", str(path.parent), str(tmp_path / "masks"), str(tmp_path / "reference"))
    assert done.returncode == 0, done.stderr[-3000:]
    masks = tmp_path / "masks"
    assert Image.open(next((masks / "SegmentationClass").glob("*.png"))).mode == "RGB"
    for command in (["stats", str(masks)], ["check", str(masks)], ["split", str(masks)], ["diff", str(masks), str(masks)]):
        refused = CliRunner().invoke(app, command)  # each mask failed as a colour image
        assert refused.exit_code == 1 and " ".join(refused.stderr.split()) == (
            f"error: {masks}: SegmentationClass/ holds colour masks in the colours of its labelmap.txt, not label maps "
            f"(CVAT's \"Segmentation mask\" export writes them so): labeltools convert {shlex.quote(str(masks))} NEW_FOLDER makes a dataset of them"
        ), command
    conversion, results = convert(masks, tmp_path / "out")
    assert conversion.source == "segmentation-mask" and all(r.ok for r in results), [r.error for r in results if not r.ok]
    names = [line.split(":")[0] for line in (masks / "labelmap.txt").read_text().splitlines() if not line.startswith("#")]
    assert conversion.classes.names == names and conversion.classes_chosen == f"{masks / 'labelmap.txt'}, line i class i (as Datumaro reads it)"
    references = sorted(p for p in (tmp_path / "reference").glob("*.npy") if not p.name.endswith(".objects.npy"))
    assert len(references) == len(results) == len(list((masks / "SegmentationClass").glob("*.png"))) >= 6
    for reference in references:
        np.testing.assert_array_equal(labels(tmp_path / "out", reference.stem), np.load(reference), err_msg=reference.stem)
        ours, theirs = labels(tmp_path / "out", reference.stem, "SegmentationObject"), np.load(reference.with_suffix(".objects.npy"))
        pairs = set(zip(ours.ravel().tolist(), theirs.ravel().tolist()))  # one instance each way: numbered alike or not
        assert len(pairs) == len({a for a, _ in pairs}) == len({b for _, b in pairs}), reference.stem
    assert sorted(p.name for p in (tmp_path / "out" / "JPEGImages").iterdir()) == [f"{r.stem}.jpg" for r in references]
    assert not (set(read_split(tmp_path / "out", "train")) & set(read_split(tmp_path / "out", "val")))
    done = CliRunner().invoke(app, ["export", str(masks), "--to", "coco", "-d", str(tmp_path / "coco"), "-j", "1"])
    assert done.exit_code == 0, done.output
    from pycocotools.coco import COCO

    coco = COCO(str(tmp_path / "coco" / "annotations" / "instances_train.json"))
    assert coco.getAnnIds() and {c["name"] for c in coco.loadCats(coco.getCatIds())} <= set(names)


def test_a_segmentation_mask_exports_odd_colours_are_void_and_said(tmp_path: Path) -> None:
    """A colour its label map lacks (a mask edited in a paint program) becomes void, named in a
    warning with its pixels; the subsets' lists keep their split; a folder of colour masks named
    with --from segmentation-mask that is none is refused."""
    root = segmentation_mask_export(tmp_path / "export")
    conversion, results = convert(root, tmp_path / "out")
    assert all(r.ok for r in results)
    assert [w for r in results for w in r.warnings] == [f"{root / 'SegmentationClass' / 'im2.png'}: 3 pixel(s) of colours {root / 'labelmap.txt'} lacks became 255 (#010203 x 3)"]
    expected = np.zeros((6, 8), np.uint8)
    expected[3:] = 1
    expected[1, 1:3] = 2
    np.testing.assert_array_equal(labels(tmp_path / "out", "im0"), expected)
    expected[0, 5:8] = 255
    np.testing.assert_array_equal(labels(tmp_path / "out", "im2"), expected)
    assert read_split(tmp_path / "out", "train") == ["im0", "im1"] and read_split(tmp_path / "out", "val") == ["im2"]
    _, again = convert(root / "SegmentationClass", tmp_path / "inner")  # the masks' folder given: the export's
    assert all(r.ok for r in again) and (labels(tmp_path / "inner", "im2") == expected).all()
    with pytest.raises(DatasetError, match=r"not a segmentation mask export \(a VOC folder of colour masks in SegmentationClass/\)"):
        convert_labelme(tmp_path / "out", tmp_path / "again", source="segmentation-mask")


def test_voc_labels_saved_in_colour_convert_in_vocs_colours(tmp_path: Path) -> None:
    """PASCAL VOC's SegmentationClass saved as RGB (as some mirrors ship it), without a
    labelmap.txt: read in VOC's colours and classes, its boundaries (VOC's void colour) void,
    said so."""
    from labeltools import voc_colormap

    root = tmp_path / "VOC2012"
    for folder in ("SegmentationClass", "JPEGImages"):
        (root / folder).mkdir(parents=True)
    label = np.zeros((30, 40), np.uint8)
    label[5:20, 5:30] = 15
    label[4, :] = 255
    label[20:25, 10:20] = 7
    for name in ("2007_000032", "2007_000039"):
        Image.fromarray(voc_colormap(256)[label]).save(root / "SegmentationClass" / f"{name}.png")
        Image.new("RGB", (40, 30)).save(root / "JPEGImages" / f"{name}.jpg")
    conversion, results = convert(root, tmp_path / "out")
    assert all(r.ok for r in results) and not [w for r in results for w in r.warnings]
    assert conversion.classes_chosen == (
        "voc preset (PASCAL VOC class ids 0..20): no labelmap.txt beside the masks, so PASCAL VOC's colours and classes "
        "(as Datumaro reads it)"
    )
    for name in ("2007_000032", "2007_000039"):
        np.testing.assert_array_equal(labels(tmp_path / "out", name), label)
    refused = CliRunner().invoke(app, ["weights", str(root)])
    assert refused.exit_code == 1 and " ".join(refused.stderr.split()) == (
        f"error: {root}: SegmentationClass/ holds colour masks in PASCAL VOC's colours, not label maps (CVAT's "
        f"\"Segmentation mask\" export writes them so): labeltools convert {shlex.quote(str(root))} NEW_FOLDER makes a dataset of them"
    )
    # an instance mask of another size, or not in colour, fails its image alone, naming the file
    (root / "SegmentationObject").mkdir()
    Image.new("RGB", (8, 6)).save(root / "SegmentationObject" / "2007_000032.png")
    Image.new("L", (40, 30)).save(root / "SegmentationObject" / "2007_000039.png")
    _, results = convert(root, tmp_path / "again")
    assert [r.error for r in results] == [
        f"{root / 'SegmentationObject' / '2007_000032.png'}: is 8x6, its class mask {root / 'SegmentationClass' / '2007_000032.png'} 40x30",
        f"{root / 'SegmentationObject' / '2007_000039.png'}: is an image of mode L, not a colour mask (RGB)",
    ]


# --- Label Studio against label-studio-converter ----------------------------------------------

#: Brush strokes encoded by label-studio-converter's own encoder (``brush.mask2rle``, the Python
#: twin of Label Studio's), one per image, printed as JSON.
LSC_BRUSHES = """
import json, sys
import numpy as np
from label_studio_converter import brush
rng = np.random.default_rng(int(sys.argv[1]))
width, height, count = (int(v) for v in sys.argv[2:5])
strokes = []
for n in range(count):
    ys, xs = np.mgrid[0:height, 0:width]
    cx, cy, r = rng.uniform(0, width), rng.uniform(0, height), rng.uniform(3, 20)
    mask = (((xs - cx) ** 2 + (ys - cy) ** 2) < r * r) | (rng.random((height, width)) < 0.02)
    strokes.append(brush.mask2rle(mask.astype(np.uint8) * 255))
print(json.dumps(strokes))
"""

#: The reference maps: label-studio-converter's COCO export of the polygons and rectangles
#: (filled by pycocotools), its brush decoder for brushes (alpha above 0), painted in the order
#: of the results (the order Label Studio lists the regions in) with the labels numbered from 1
#: in sorted order.
LSC_REFERENCE = """
import json, sys
from pathlib import Path
import numpy as np
from label_studio_converter import brush
from label_studio_converter.converter import Converter
from pycocotools import mask as masks

export, config, out = sys.argv[1:4]
converter = Converter(config, out, download_resources=False)
converter.convert_to_coco(export, out, is_dir=False)
coco = json.loads(Path(out, "result.json").read_text())
names = {c["id"]: c["name"] for c in coco["categories"]}
tasks = json.loads(Path(export).read_text())
index = {name: n for n, name in enumerate(sorted({"cat", "dog", "grass"}), 1)}
maps = {}
for image, task in zip(coco["images"], tasks):
    results = task["annotations"][0]["result"]
    w, h = results[0]["original_width"], results[0]["original_height"]
    canvas = np.zeros((h, w), dtype=np.uint8)
    # the converter writes each tag's results together: pair them back by tag, in order
    mine = [a for a in coco["annotations"] if a["image_id"] == image["id"]]
    queues = {"polygonlabels": iter([a for a in mine if a["segmentation"]]), "rectanglelabels": iter([a for a in mine if not a["segmentation"]])}
    for result in results:
        if result["type"] == "brushlabels":
            alpha = brush.decode_rle(result["value"]["rle"]).reshape(h, w, 4)[:, :, 3]
            canvas[alpha > 0] = index[result["value"]["brushlabels"][0]]
            continue
        ann = next(queues[result["type"]])
        if ann["segmentation"]:
            polygon = ann["segmentation"]
        else:
            x, y, bw, bh = ann["bbox"]
            polygon = [[x, y, x + bw, y, x + bw, y + bh, x, y + bh]]
        filled = masks.decode(masks.merge(masks.frPyObjects(polygon, h, w))).astype(bool)
        canvas[filled] = index[names[ann["category_id"]]]
    maps[task["data"]["image"]] = canvas.tolist()
print(json.dumps(maps))
"""


LSC_JSON_MIN = """
import sys
from label_studio_converter import Converter
export, config, out = sys.argv[1:4]
Converter(config, out, download_resources=False).convert_to_json_min(export, out, is_dir=False)
"""


def brushed_export(tmp_path: Path, images: int) -> tuple[Path, Path]:
    """A Label Studio JSON export of ``images`` tasks with brushes label-studio-converter
    encoded, and its labelling config; ``tmp_path/elsewhere`` the converter's working folder."""
    from consumers import run_in
    from exports import LABEL_STUDIO_CONFIG

    (tmp_path / "elsewhere").mkdir()
    done = run_in("label-studio-converter", LSC_BRUSHES, tmp_path / "elsewhere", "7", "64", "48", str(images))
    assert done.returncode == 0, done.stderr[-3000:]
    path = labelstudio_export(tmp_path / "ls", images=images, seed=7, brushes=json.loads(done.stdout))
    config = tmp_path / "config.xml"
    config.write_text(LABEL_STUDIO_CONFIG)
    return path, config


def test_labelstudio_label_maps_equal_label_studio_converter(tmp_path: Path) -> None:
    """The label maps of a JSON export, and of the JSON-MIN label-studio-converter writes of
    it (each region with its image's size), equal the converter's own COCO export filled by
    pycocotools, brushes decoded by its brush module."""
    from consumers import run_in

    path, config = brushed_export(tmp_path, 6)
    conversion, results = convert(path, tmp_path / "out", options=ConvertOptions())
    assert conversion.source == "label-studio" and all(r.ok for r in results), [r.error for r in results if not r.ok]
    assert conversion.classes.names[:4] == ["_background_", "cat", "dog", "grass"]
    done = run_in("label-studio-converter", LSC_REFERENCE, tmp_path / "elsewhere", str(path), str(config), str(tmp_path / "reference"))
    assert done.returncode == 0, done.stderr[-3000:]
    reference = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(reference) == 6
    for upload, expected in reference.items():
        image_id = Path(upload).name.split("-", 1)[1].rsplit(".", 1)[0]  # uploads are <8 hex>-<name>
        np.testing.assert_array_equal(labels(tmp_path / "out", image_id), np.array(expected, dtype=np.uint8), err_msg=upload)


def test_copies_of_an_export_are_read_once(tmp_path: Path) -> None:
    """Two copies of a Label Studio export beside it (its regions' ids lists, as any JSON may
    hold) made every id clash; each is read once, said, and the label maps are the export's."""
    from exports import labelstudio_export

    path = labelstudio_export(tmp_path / "ls", images=2)
    tasks = json.loads(path.read_text())
    for task in tasks:
        for region in task["annotations"][0]["result"]:
            region["id"] = ["region", 1]
    path.write_text(json.dumps(tasks))
    _, results = convert(path, tmp_path / "one")
    assert all(r.ok for r in results) and len(results) == 2
    for name in ("copy.json", "copy2.json"):
        shutil.copy(path, tmp_path / "ls" / name)
    result, said = said_by("convert", tmp_path / "ls", tmp_path / "out", "--instances", "-j", 1)
    assert result.exit_code == 0, said
    assert f"info: {tmp_path / 'ls' / 'copy.json'}: its 2 image(s) are those of copy2.json, export.json too, with the same objects" in said, said
    assert f"info: {tmp_path / 'ls' / 'copy2.json'}: its 2 image(s) are those of export.json too" in said, said
    for folder in ("SegmentationClass", "SegmentationObject"):
        pngs = sorted(p.name for p in (tmp_path / "one" / folder).glob("*.png"))
        assert pngs == sorted(p.name for p in (tmp_path / "out" / folder).glob("*.png")) and len(pngs) == 2
        for png in pngs:
            assert (tmp_path / "out" / folder / png).read_bytes() == (tmp_path / "one" / folder / png).read_bytes(), png


def test_a_split_whose_images_another_split_holds_is_not_read_once(tmp_path: Path) -> None:
    """A COCO val file whose images the train file holds too, with the same objects (a leak in
    the release), is no copy to read once: its val would be trained on. The ids clash, and the
    refusal names them, as before copies were read once."""
    coco_export(tmp_path / "coco", images=3, split="train")
    doc = json.loads((tmp_path / "coco" / "annotations" / "instances_train.json").read_text())
    leaked = {**doc, "images": doc["images"][:1], "annotations": [a for a in doc["annotations"] if a["image_id"] == doc["images"][0]["id"]]}
    (tmp_path / "coco" / "annotations" / "instances_val.json").write_text(json.dumps(leaked))
    shutil.copytree(tmp_path / "coco" / "images" / "train", tmp_path / "coco" / "images" / "val")
    result, said = said_by("convert", tmp_path / "coco", tmp_path / "out", "-j", 1)
    assert result.exit_code == 1 and "1 output id(s) would be written by more than one image" in said, said
    assert "read once" not in said and not (tmp_path / "out").exists(), said


def test_a_labelstudio_json_min_export_converts_as_its_json_in_the_order_it_keeps(tmp_path: Path) -> None:
    """label-studio-converter's JSON-MIN of an export (one record per annotation, each control's
    regions together with their image's size) converts as the JSON export would with its
    results in that order (control by control), said; its images are given with --images."""
    from consumers import run_in
    from exports import LABEL_STUDIO_CONFIG

    path = labelstudio_export(tmp_path / "ls", images=6, seed=7)
    config = tmp_path / "config.xml"
    config.write_text(LABEL_STUDIO_CONFIG)
    (tmp_path / "elsewhere").mkdir()
    done = run_in("label-studio-converter", LSC_JSON_MIN, tmp_path / "elsewhere", str(path), str(config), str(tmp_path / "min"))
    assert done.returncode == 0, done.stderr[-3000:]
    done, said = said_by("convert", tmp_path / "min" / "result.json", tmp_path / "from-min", "--images", path.parent / "images", "-j", 1)
    assert done.exit_code == 0 and "reading label-studio annotations: 6 image(s)" in said, said
    assert f"warning: {tmp_path / 'min' / 'result.json'}: a JSON-MIN export keeps each control's regions together (" in said, said
    assert "), not in the order they were drawn: where regions of two controls overlap, the later control's lie on top" in said
    tasks = json.loads(path.read_text())
    for task in tasks:  # the results in the order JSON-MIN keeps: control by control, as each first comes
        results = task["annotations"][0]["result"]
        first = {name: n for n, name in reversed(list(enumerate(r["from_name"] for r in results)))}
        results.sort(key=lambda r: first[r["from_name"]])
    path.write_text(json.dumps(tasks))
    conversion, results = convert(path, tmp_path / "ordered", options=ConvertOptions())
    assert all(r.ok for r in results) and len(results) == 6
    for result in results:
        image_id = result.data["id"]
        np.testing.assert_array_equal(labels(tmp_path / "from-min", image_id), labels(tmp_path / "ordered", image_id), err_msg=image_id)
    assert (tmp_path / "from-min" / "class_names.txt").read_text() == (tmp_path / "ordered" / "class_names.txt").read_text()


LSC_BRUSH_PNG = """
import os, sys
from label_studio_converter import Converter
export, config, out = sys.argv[1:4]
os.makedirs(out)
Converter(config, out, download_resources=False).convert(export, out, "BRUSH_TO_PNG", is_dir=False)
"""


def test_labelstudios_brush_png_export_is_named_with_the_export_to_choose(tmp_path: Path) -> None:
    """Label Studio's "Brush labels to PNG" export (label-studio-converter's: a PNG a region,
    named by task) was taken for a folder of masks by --from masks, and otherwise refused with
    that hint. It is named, with the JSON export that labeltools reads instead."""
    from consumers import run_in

    path, config = brushed_export(tmp_path, 3)
    done = run_in("label-studio-converter", LSC_BRUSH_PNG, tmp_path / "elsewhere", str(path), str(config), str(tmp_path / "png"))
    assert done.returncode == 0, done.stderr[-3000:]
    assert len(list((tmp_path / "png").glob("task-*-annotation-*.png"))) >= 3
    for extra in ((), ("--from", "masks")):
        refused, said = said_by("convert", tmp_path / "png", tmp_path / "none", *extra)
        assert refused.exit_code == 1 and said == (
            f'error: {tmp_path / "png"}: holds Label Studio\'s "Brush labels to PNG" export: a mask a region, named by task, '
            'not by its image; export the project as "JSON" instead, which labeltools reads, brushes included'
        ), said
    assert not (tmp_path / "none").exists()


LSC_COCO = """
import sys
from label_studio_converter import Converter
export, config, out = sys.argv[1:4]
Converter(config, out, download_resources=False).convert_to_coco(export, out, is_dir=False)
"""


def test_label_studio_converters_coco_without_its_images_finds_them(tmp_path: Path) -> None:
    """label-studio-converter's COCO export, its images not copied (no upload folder given, as
    with download_resources=False), keeps each image's file_name as Label Studio serves it:
    ``/data/upload/1/ab12cd30-%E8%A1%97%E9%81%93%200.jpg`` for an upload of ``街道 0.jpg``. That
    was looked for by its escapes, and not found. The name is read as the URL means it, found
    under --images as Label Studio stores the upload (prefixed) or as it was uploaded, and the
    id is the image's own name, as its JSON export gives it; the label maps are those of the
    same COCO naming the files by their plain names."""
    from urllib.parse import quote

    from consumers import run_in
    from exports import LABEL_STUDIO_CONFIG

    path = labelstudio_export(tmp_path / "ls", images=3, seed=5)
    tasks = json.loads(path.read_text())
    store, plain = tmp_path / "media" / "upload" / "1", tmp_path / "plain"
    store.mkdir(parents=True)
    plain.mkdir()
    for n, task in enumerate(tasks):
        stored = f"ab12cd3{n}-街道 {n}.jpg"
        shutil.copy(tmp_path / "ls" / "images" / f"photo_{n}.jpg", store / stored)
        shutil.copy(tmp_path / "ls" / "images" / f"photo_{n}.jpg", plain / f"街道 {n}.jpg")
        task["data"]["image"] = f"/data/upload/1/{quote(stored)}"
    path.write_text(json.dumps(tasks))
    (tmp_path / "config.xml").write_text(LABEL_STUDIO_CONFIG)
    (tmp_path / "elsewhere").mkdir()
    done = run_in("label-studio-converter", LSC_COCO, tmp_path / "elsewhere", str(path), str(tmp_path / "config.xml"), str(tmp_path / "coco"))
    assert done.returncode == 0, done.stderr[-3000:]
    coco = json.loads((tmp_path / "coco" / "result.json").read_text())
    assert coco["images"][0]["file_name"] == "/data/upload/1/ab12cd30-%E8%A1%97%E9%81%93%200.jpg"
    for name, images in (("stored", tmp_path / "media"), ("uploaded", plain)):
        result, said = said_by("convert", tmp_path / "coco" / "result.json", tmp_path / name, "--images", images, "-j", 1)
        assert result.exit_code == 0, said
        assert sorted(p.name for p in (tmp_path / name / "SegmentationClass").glob("*.png")) == ["街道 0.png", "街道 1.png", "街道 2.png"]
    for image in coco["images"]:  # the control: the same objects, the images named as they are
        image["file_name"] = image["file_name"].rsplit("-", 1)[1].replace("%20", " ").replace("%E8%A1%97%E9%81%93", "街道")
    (tmp_path / "control").mkdir()
    (tmp_path / "control" / "result.json").write_text(json.dumps(coco, ensure_ascii=False))
    result, said = said_by("convert", tmp_path / "control" / "result.json", tmp_path / "named", "--images", plain, "-j", 1)
    assert result.exit_code == 0, said
    expected = [labels(tmp_path / "named", f"街道 {n}") for n in range(3)]
    assert sum(np.count_nonzero(e) for e in expected) > 100  # the polygons (the converter writes rectangles as boxes only)
    for n in range(3):
        for name in ("stored", "uploaded"):
            np.testing.assert_array_equal(labels(tmp_path / name, f"街道 {n}"), expected[n])


def test_labelstudio_turned_rectangles_turn_about_their_top_left_corner(tmp_path: Path) -> None:
    from pycocotools import mask as masks

    path = labelstudio_export(tmp_path / "ls", images=1, seed=8)
    tasks = json.loads(path.read_text())
    value = {"x": 50, "y": 25, "width": 25, "height": 12.5, "rotation": 90, "rectanglelabels": ["dog"]}
    tasks[0]["annotations"][0]["result"] = [
        {"id": "t", "type": "rectanglelabels", "from_name": "rectangle", "to_name": "image", "original_width": 64, "original_height": 48, "value": value}
    ]
    path.write_text(json.dumps(tasks))
    conversion, results = convert(path, tmp_path / "out", options=ConvertOptions())
    assert results[0].ok, results[0].error
    assert conversion.classes.index_of("dog") == 1
    # 16 x 6 pixels from (32, 12), turned a quarter clockwise about (32, 12): x 26..32, y 12..28
    expected = masks.decode(masks.merge(masks.frPyObjects([[26, 12, 32, 12, 32, 28, 26, 28]], 48, 64))).astype(bool)
    np.testing.assert_array_equal(labels(tmp_path / "out", "photo_0"), np.where(expected, 1, 0))


# --- hostile input: only our errors come out ---------------------------------------------------



FUZZ_TABLE = ClassTable.from_names(["_background_", "cat", "dog", "__ignore__"])
sizes = st.integers(-2, 40) | st.sampled_from([2**31, 10**400, 100_000]) | json_values
coords = st.lists(number, max_size=10) | json_values
coco_docs = st.fixed_dictionaries({
    "images": st.lists(st.fixed_dictionaries({"id": st.integers(0, 3) | json_values, "file_name": st.just("x.jpg") | json_values, "height": sizes, "width": sizes}) | json_values, max_size=3),
    "annotations": st.lists(st.fixed_dictionaries({
        "image_id": st.integers(0, 3) | json_values, "category_id": st.sampled_from([1, 2, 9]) | json_values,
        "segmentation": st.lists(coords, max_size=3) | st.fixed_dictionaries({"size": st.lists(sizes, max_size=3), "counts": st.text(max_size=20) | st.lists(st.integers(-5, 900), max_size=8) | json_values}) | json_values,
        "iscrowd": st.sampled_from([0, 1]) | json_values,
    }) | json_values, max_size=5),
    "categories": st.just([{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}]) | json_values,
}) | json_values  # fmt: skip
ls_docs = st.lists(st.fixed_dictionaries({
    "data": st.just({"image": "/data/upload/1/abcdef12-x.jpg"}) | json_values,
    "annotations": st.lists(st.fixed_dictionaries({"result": st.lists(st.fixed_dictionaries({
        "type": st.sampled_from(["polygonlabels", "rectanglelabels", "brushlabels", "choices"]) | json_values,
        "original_width": sizes, "original_height": sizes,
        "value": st.fixed_dictionaries({}, optional={
            "points": st.lists(coords, max_size=5) | json_values, "x": number, "y": number, "width": number, "height": number,
            "rotation": number, "rle": st.lists(st.integers(0, 255), max_size=40) | json_values, "format": st.just("rle") | json_values,
            "polygonlabels": st.just(["cat"]) | json_values, "rectanglelabels": st.just(["dog"]) | json_values, "brushlabels": st.just(["cat"]) | json_values,
        }) | json_values,
    }, optional={"id": st.sampled_from(["r1", "r2"]) | json_values}) | json_values, max_size=4) | json_values}) | json_values, max_size=2) | json_values,
}), max_size=3) | json_values  # fmt: skip
cityscapes_docs = st.fixed_dictionaries({
    "imgHeight": sizes, "imgWidth": sizes,
    "objects": st.lists(st.fixed_dictionaries({
        "label": st.sampled_from(["cat", "dog", "catgroup", "license plate"]) | json_values,
        "polygon": st.lists(st.lists(number, min_size=2, max_size=2) | json_values, max_size=6) | json_values,
    }, optional={"deleted": json_values}) | json_values, max_size=4),
}) | json_values  # fmt: skip
datumaro_docs = st.fixed_dictionaries({
    "categories": st.just({"label": {"labels": [{"name": "cat"}, {"name": "dog"}]}}) | json_values,
    "items": st.lists(st.fixed_dictionaries({
        "image": st.fixed_dictionaries({"path": st.just("x.jpg") | json_values, "size": st.lists(sizes, max_size=3) | json_values}) | json_values,
        "annotations": st.lists(st.fixed_dictionaries({
            "type": st.sampled_from(["polygon", "polyline", "points", "bbox", "ellipse", "mask", "label"]) | json_values,
            "label_id": st.sampled_from([0, 1, 2, None]) | json_values,
        }, optional={
            "points": coords | json_values, "bbox": st.lists(number, max_size=5) | json_values,
            "rle": st.fixed_dictionaries({"size": st.lists(sizes, max_size=3), "counts": st.text(max_size=20) | st.lists(st.integers(-5, 900), max_size=8) | json_values}) | json_values,
            "z_order": st.integers(-2, 3) | json_values, "group": st.integers(0, 3) | json_values,
            "attributes": st.fixed_dictionaries({}, optional={"rotation": number}) | json_values,
        }) | json_values, max_size=4) | json_values,
    }) | json_values, max_size=3),
}) | json_values  # fmt: skip
attribute = st.text(st.characters(blacklist_categories=["Cs", "Cc"]), max_size=12) | st.sampled_from(["1.5", "-3", "1e9", "nan", "inf", "0", "40"])
cvat_shapes = st.tuples(
    st.sampled_from(["box", "polygon", "polyline", "points", "mask", "ellipse", "tag"]),
    st.dictionaries(st.sampled_from(["label", "xtl", "ytl", "xbr", "ybr", "rotation", "points", "rle", "left", "top", "width", "height", "z_order", "group_id", "cx", "cy", "rx", "ry"]), attribute, max_size=10),
)


def _fuzz(records: Any) -> None:
    for record in records.images:
        rasterise_record(record, FUZZ_TABLE, (12, 16), unknown="ignore", instances=True)
        if record.height is not None and record.width is not None and record.height * record.width < 10**6:
            rasterise_record(record, FUZZ_TABLE, (record.height, record.width), unknown="error")


def _only_ours(parse: Any, doc: Any) -> None:
    try:
        _fuzz(parse(doc))
    except LabeltoolsError as exc:
        assert str(exc).startswith("h.") and len(str(exc)) < 2000, str(exc)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shapes=st.lists(st.tuples(cvat_shapes, st.sampled_from(["0", "1", "", "-2", "x", "99999999"]), st.sampled_from(["0", "1", "2"])), max_size=5))
def test_the_cvat_video_reader_raises_nothing_but_our_errors(shapes: list[tuple[tuple[str, dict[str, str]], str, str]]) -> None:
    from xml.sax.saxutils import quoteattr

    tracks = "".join(
        f'<track id="{n}" label="car">'
        + f"<{tag} frame={quoteattr(frame)} outside={quoteattr(outside)} "
        + " ".join(f"{k}={quoteattr(v)}" for k, v in attrs.items() if k != "label")
        + f"></{tag}></track>"
        for n, ((tag, attrs), frame, outside) in enumerate(shapes)
    )
    xml = f"<annotations><version>1.1</version><meta><task><original_size><width>16</width><height>12</height></original_size></task></meta>{tracks}</annotations>"
    _only_ours(lambda d: parse_cvat(d, Path("h.xml")), xml.encode())


yolo_tokens = st.sampled_from(["0", "1", "7", "-1", "0.5", "1.0", "1.5", "nan", "inf", "1e309", "x", "0.25", "0.75", "99999999999999999999"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(st.lists(yolo_tokens, max_size=12), max_size=5) | st.binary(max_size=40))
def test_the_yolo_label_reader_raises_nothing_but_our_errors(lines: Any) -> None:
    import tempfile

    from labeltools.core.annotations import AnnotatedImage
    from labeltools.formats.yolo import yolo_record

    with tempfile.TemporaryDirectory() as folder:
        label = Path(folder) / "h.txt"
        label.write_bytes(lines if isinstance(lines, bytes) else "\n".join(" ".join(line) for line in lines).encode())
        record = AnnotatedImage(source="h.txt", annotation_file=str(label), image="h.jpg", candidates=(), height=None, width=None, objects=(), fill="pycocotools")
        try:
            painted = yolo_record(record, {0: "a", 1: "b"}, 16, 12)
            _fuzz(type("Export", (), {"images": [painted]}))
        except LabeltoolsError as exc:
            assert str(exc).startswith(str(label)) and len(str(exc)) < 2000, str(exc)


HUGE = {
    "images": [{"id": 1, "file_name": "x.jpg", "height": 9, "width": 9}],
    "annotations": [{"image_id": 1, "category_id": 1, "segmentation": [[1, 2, 10**400, 4, 5, 6]]}],
    "categories": [{"id": 1, "name": "cat"}],
}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=coco_docs)
@example(doc=HUGE)
def test_the_coco_reader_raises_nothing_but_our_errors(doc: Any) -> None:
    _only_ours(lambda d: parse_coco(d, Path("h.json")), doc)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=ls_docs)
@example(doc=[{"data": {"image": "x.jpg"}, "annotations": [{"result": [  # a region's id is any JSON: a key of its instance all the same
    {"type": "polygonlabels", "original_width": 16, "original_height": 12, "value": {"points": [[5, 5], [50, 5], [50, 50]], "polygonlabels": ["cat"]}, "id": ["r", 1]},
]}]}])
def test_the_labelstudio_reader_raises_nothing_but_our_errors(doc: Any) -> None:
    _only_ours(lambda d: parse_labelstudio(d, Path("h.json")), doc)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=cityscapes_docs)
def test_the_cityscapes_reader_raises_nothing_but_our_errors(doc: Any) -> None:
    _only_ours(lambda d: parse_cityscapes(d, Path("h.json")), doc)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=datumaro_docs)
def test_the_datumaro_reader_raises_nothing_but_our_errors(doc: Any) -> None:
    _only_ours(lambda d: parse_datumaro(d, Path("h.json")), doc)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shapes=st.lists(cvat_shapes, max_size=5), height=attribute, width=attribute)
def test_the_cvat_reader_raises_nothing_but_our_errors(shapes: list[tuple[str, dict[str, str]]], height: str, width: str) -> None:
    from xml.sax.saxutils import quoteattr

    body = "".join(f"<{tag} " + " ".join(f"{k}={quoteattr(v)}" for k, v in attrs.items()) + f"></{tag}>" for tag, attrs in shapes)
    xml = f'<annotations><version>1.1</version><image id="0" name="x.jpg" width={quoteattr(width)} height={quoteattr(height)}>{body}</image></annotations>'
    _only_ours(lambda d: parse_cvat(d, Path("h.xml")), xml.encode())


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 10**6), height=st.integers(1, 30), width=st.integers(1, 30))
def test_compressed_rle_strings_decode_as_pycocotools_encodes_them(seed: int, height: int, width: int) -> None:
    from exports import _coco_rle
    from pycocotools import mask as masks

    mask = np.random.default_rng(seed).random((height, width)) < np.random.default_rng(seed + 1).random()
    encoded = masks.encode(np.asfortranarray(mask.astype(np.uint8)))["counts"].decode("ascii")
    assert string_counts(encoded, "x") == _coco_rle(mask)["counts"]




def test_labelstudio_images_are_found_by_name_under_images_and_never_fetched(tmp_path: Path, image_server: tuple[str, list[str]]) -> None:
    url, requests = image_server
    path = labelstudio_export(tmp_path / "ls", images=3, seed=9)
    shutil.move(tmp_path / "ls" / "images", tmp_path / "pictures")
    tasks = json.loads(path.read_text())
    tasks[0]["data"]["image"] = f"{url}/photo_0.jpg"
    tasks[1]["data"]["image"] = "/data/local-files/?d=shared/photos/photo_1.jpg"
    path.write_text(json.dumps(tasks))  # tasks[2] keeps its upload name, <8 hex>-photo_2.jpg
    done = runner.invoke(app, ["convert", str(path), str(tmp_path / "out"), "--images", str(tmp_path / "pictures"), "-j", "1"])
    assert done.exit_code == 0, done.output
    assert sorted(p.name for p in (tmp_path / "out" / "JPEGImages").iterdir()) == ["photo_0.jpg", "photo_1.jpg", "photo_2.jpg"]
    assert requests == []
    (tmp_path / "pictures" / "photo_0.jpg").unlink()
    done = runner.invoke(app, ["convert", str(path), str(tmp_path / "again"), "--images", str(tmp_path / "pictures"), "-j", "1"])
    assert done.exit_code == 1 and requests == []
    assert f"image '{url}/photo_0.jpg' not found (tried {tmp_path / 'pictures' / 'photo_0.jpg'}" in " ".join(done.stderr.split())


def test_a_task_with_several_annotations_uses_the_latest_and_says_so(tmp_path: Path) -> None:
    path = labelstudio_export(tmp_path / "ls", images=1, seed=10)
    tasks = json.loads(path.read_text())
    older = dict(tasks[0]["annotations"][0], id=7, updated_at="2025-01-01T00:00:00Z", result=[])
    cancelled = dict(tasks[0]["annotations"][0], id=8, updated_at="2027-01-01T00:00:00Z", was_cancelled=True, result=[])
    tasks[0]["annotations"] += [older, cancelled]
    path.write_text(json.dumps(tasks))
    _, results = convert(path, tmp_path / "out")
    assert results[0].ok and results[0].warnings[0] == f"{results[0].source}: 2 annotations; the latest (id 100) is used"
    assert np.any(labels(tmp_path / "out", "photo_0") > 0)


def test_tasks_never_annotated_are_left_out_not_made_background(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = labelstudio_export(tmp_path / "ls", images=4, seed=11)
    tasks = json.loads(path.read_text())
    tasks[1]["annotations"] = []  # imported, never annotated
    tasks[2]["annotations"] = [dict(tasks[2]["annotations"][0], was_cancelled=True)]  # skipped by its annotator
    tasks[3]["annotations"] = [dict(tasks[3]["annotations"][0], result=[])]  # submitted with nothing in it
    path.write_text(json.dumps(tasks))
    with caplog.at_level("WARNING", logger="labeltools"):
        conversion, results = convert(path, tmp_path / "out")
    assert [r.ok for r in results] == [True, True] and len(conversion) == 2
    assert sorted(p.stem for p in (tmp_path / "out" / "SegmentationClass").iterdir()) == ["photo_0", "photo_3"]
    assert not labels(tmp_path / "out", "photo_3").any()  # an empty annotation is background
    ids = f"id {tasks[1]['id']} (photo_1.jpg), {tasks[2]['id']} (photo_2.jpg)"
    assert f"{path}: 2 task(s) without an annotation left out (never annotated, or every annotation cancelled): {ids}" in caplog.text


def test_images_without_objects_are_said_to_become_background(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # CVAT and COCO exports list every image of the task, annotated yet or not
    path = cvat_export(tmp_path / "cvat", images=3, seed=12)
    xml = path.read_text()
    start = xml.index('<image id="1"')
    end = xml.index("</image>", start)
    path.write_text(xml[: xml.index(">", start) + 1] + xml[end:])  # frame 1 keeps no shape
    with caplog.at_level("WARNING", logger="labeltools"):
        _, results = convert(path, tmp_path / "out")
    assert all(r.ok for r in results) and not labels(tmp_path / "out", "frame_000001").any()
    assert (
        "1 image(s) hold no object and become images of background only: frame_000001 (an image "
        "not annotated yet would teach that it holds nothing: leave it out)"
    ) in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING", logger="labeltools"):
        convert(cvat_export(tmp_path / "full", images=3, seed=12), tmp_path / "out2")
    assert "hold no object" not in caplog.text


def test_overlap_void_and_instances_for_coco_objects(tmp_path: Path) -> None:
    photo(tmp_path / "a.jpg", 20, 10, 0)
    doc = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 20, "height": 10}],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, "iscrowd": 0, "segmentation": [[0, 0, 12, 0, 12, 10, 0, 10]]},
            {"id": 2, "image_id": 1, "category_id": 2, "iscrowd": 0, "segmentation": [[8, 0, 20, 0, 20, 10, 8, 10]]},
            {"id": 3, "image_id": 1, "category_id": 2, "iscrowd": 0, "segmentation": [[16, 0, 20, 0, 20, 10, 16, 10]]},
        ],
        "categories": [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}],
    }
    (tmp_path / "instances_a.json").write_text(json.dumps(doc))
    done = runner.invoke(app, ["convert", str(tmp_path / "instances_a.json"), str(tmp_path / "out"), "--overlap", "void", "--instances", "-j", "1"])
    assert done.exit_code == 0, done.output
    assert "1 file(s) with shapes of different classes overlapping (made void (255), --overlap); most pixels: a 40" in " ".join(done.stdout.split())
    row = labels(tmp_path / "out", "a")[5]
    assert row.tolist() == [1] * 8 + [255] * 4 + [2] * 8
    assert labels(tmp_path / "out", "a", "SegmentationObject")[5].tolist() == [1] * 8 + [255] * 4 + [2] * 4 + [3] * 4


def test_cvat_shapes_of_one_group_are_one_instance_painted_after_the_others(tmp_path: Path) -> None:
    photo(tmp_path / "cvat" / "images" / "f.jpg", 20, 10, 0)
    (tmp_path / "cvat" / "annotations.xml").write_text(
        '<annotations><version>1.1</version><meta><task><labels><label><name>car</name></label></labels></task></meta>'
        '<image id="0" name="f.jpg" width="20" height="10">'
        '<box label="car" xtl="0" ytl="0" xbr="4" ybr="10" group_id="3"/><box label="car" xtl="6" ytl="0" xbr="9" ybr="10" group_id="3"/>'
        '<box label="car" xtl="12" ytl="0" xbr="15" ybr="10"/><polyline label="car" points="0,0;19,9"/></image></annotations>'
    )
    _, results = convert(tmp_path / "cvat", tmp_path / "out")
    assert results[0].ok and "1 polyline/points shape(s) cover no area" in results[0].warnings[0]
    # CVAT paints the shapes of no group first, then each group as one object
    assert labels(tmp_path / "out", "f", "SegmentationObject")[5].tolist() == [2] * 4 + [0] * 2 + [2] * 3 + [0] * 3 + [1] * 3 + [0] * 5



@pytest.mark.parametrize(
    ("groups", "message"),
    [
        ("instance", r"a\.json: image 'a\.jpg': box 254 is instance 255; instance maps hold at most 254 instances per image"),
        ("cvat", r"a\.json: image 'a\.jpg': more than 254 instances; instance maps hold at most 254 per image"),
    ],
)
def test_an_image_of_more_than_254_instances_is_refused_in_words(groups: str, message: str) -> None:
    from labeltools.core.annotations import AnnotatedImage, AnnotatedObject, Geometry

    boxes = [
        AnnotatedObject("car", (Geometry("box", np.array([[n % 30, n // 30], [n % 30 + 1, n // 30 + 1]], dtype=np.float64)),), f"box {n}")
        for n in range(255)
    ]  # fmt: skip
    record = AnnotatedImage(
        source="a.json: image 'a.jpg'", annotation_file="a.json", image="a.jpg", candidates=(), height=10, width=30,
        objects=tuple(boxes), fill="pycocotools", groups=groups,  # type: ignore[arg-type]
    )  # fmt: skip
    table = ClassTable.from_names(["_background_", "car"])
    assert rasterise_record(replace(record, objects=record.objects[:254]), table, (10, 30), instances=True).instance_map.max() == 254  # type: ignore[union-attr]
    with pytest.raises(LabeltoolsError, match=message):
        rasterise_record(record, table, (10, 30), instances=True)

# --- exports read the same layer ---------------------------------------------------------------


def test_a_coco_source_exports_to_coco_with_the_same_objects(tmp_path: Path) -> None:
    from pycocotools.coco import COCO

    path = coco_export(tmp_path / "coco", images=6, seed=11)  # instances_val.json: its images stay val
    done = runner.invoke(app, ["export", str(path), "--to", "coco", "-d", str(tmp_path / "again"), "-j", "1"])
    assert done.exit_code == 0, done.output
    assert [p.name for p in (tmp_path / "again" / "annotations").iterdir()] == ["instances_val.json"]
    source, again = COCO(str(path)), COCO(str(tmp_path / "again" / "annotations" / "instances_val.json"))
    names = {image["id"]: image["file_name"] for image in again.dataset["images"]}
    ids = {image["file_name"]: image["id"] for image in source.dataset["images"]}
    written = [a for a in again.dataset["annotations"] if not a["iscrowd"]]
    for image_id, name in names.items():
        expected = [a for a in source.dataset["annotations"] if a["image_id"] == ids[name] and a["segmentation"] and not a["iscrowd"]]
        ours = [a for a in written if a["image_id"] == image_id]
        assert [a["category_id"] for a in ours] == [a["category_id"] for a in expected]
        for mine, theirs in zip(ours, expected):
            np.testing.assert_array_equal(again.annToMask(mine), source.annToMask(theirs))


def test_cvat_and_cityscapes_sources_export_to_yolo_one_line_per_instance(tmp_path: Path) -> None:
    cvat_export(tmp_path / "cvat", images=3, seed=12)
    cityscapes_export(tmp_path / "cs", images=2, seed=12)
    for name, source in (("cvat", tmp_path / "cvat"), ("cs", tmp_path / "cs" / "gtFine")):
        done = runner.invoke(app, ["export", str(source), "--to", "yolo-seg", "-d", str(tmp_path / f"{name}-yolo"), "--json", str(tmp_path / f"{name}.json"), "-j", "1"])
        assert done.exit_code == 0, done.output
        summary = json.loads((tmp_path / f"{name}.json").read_text())
        assert summary["source"] == {"cvat": "cvat", "cs": "cityscapes"}[name] and summary["labelme_rules"] is None
        lines = sum(len(p.read_text().splitlines()) for p in (tmp_path / f"{name}-yolo" / "labels").rglob("*.txt"))
        assert lines == summary["objects"] > 0


def test_a_stratified_split_of_cvat_images_puts_each_class_on_both_sides(tmp_path: Path) -> None:
    cvat_export(tmp_path / "cvat", images=12, seed=13)
    conversion, results = convert(tmp_path / "cvat", tmp_path / "out", val_fraction=0.25, stratify=True)
    assert all(r.ok for r in results)
    held = {side: set() for side in ("train", "val")}
    for side, ids in (("train", conversion.splits["train"]), ("val", conversion.splits["val"])):
        for image_id in ids:
            held[side] |= set(np.unique(labels(tmp_path / "out", image_id)).tolist()) - {0, 255}
    assert held["train"] == held["val"] == {1, 2, 3}


#: A CVAT project export as CVAT writes one: labels under <project>, the same image name in two
#: subsets (images/<subset>/), attributes inside shapes, a skeleton, a shape without a label.
CVAT_PROJECT = """<?xml version="1.0" encoding="utf-8"?>
<annotations>
  <version>1.1</version>
  <meta><project><id>3</id><name>p</name>
    <tasks><task><id>39</id><name>a</name><subset>Train</subset></task><task><id>40</id><name>b</name><subset>Validation</subset></task></tasks>
    <labels>
      <label><name>label1</name><color>#d12345</color><attributes><attribute><name>a1</name><input_type>checkbox</input_type><default_value>false</default_value><values>false true</values></attribute></attributes></label>
      <label><name>label2</name><color>#350dea</color></label>
      <label><name>skeleton</name><type>skeleton</type></label>
    </labels>
  </project><dumped>2026-01-17</dumped></meta>
  <image height="8" id="0" name="img0.jpg" subset="Train" task_id="39" width="8">
    <box label="label1" occluded="1" xbr="4" xtl="0" ybr="4" ytl="2" z_order="1"><attribute name="a1">true</attribute></box>
    <polyline label="" points="1.0,2;3,4;5,6;7,8"/>
    <skeleton label="skeleton" occluded="0" source="manual" points="" rotation="0.00" z_order="0">
      <points label="1" occluded="0" source="manual" outside="1" points="1,1" z_order="0"></points>
    </skeleton>
  </image>
  <image height="8" id="0" name="img0.jpg" subset="Validation" task_id="40" width="8">
    <polygon label="label2" points="1,2;7,1;6,7" z_order="1"/>
  </image>
</annotations>
"""


def test_a_cvat_project_export_with_subsets_skeletons_and_attributes(tmp_path: Path) -> None:
    for subset in ("Train", "Validation"):
        photo(tmp_path / "p" / "images" / subset / "img0.jpg", 8, 8, 0)
    (tmp_path / "p" / "annotations.xml").write_text(CVAT_PROJECT)
    with pytest.raises(DatasetError, match=r"1 output id\(s\) would be written by more than one image \(use --flatten-names"):
        convert_labelme(tmp_path / "p", tmp_path / "out")
    conversion, results = convert(tmp_path / "p", tmp_path / "out", flatten_names=True)
    assert [r.data["id"] for r in results] == ["Train_img0", "Validation_img0"] and all(r.ok for r in results)
    assert results[0].warnings == tuple(
        f"{results[0].source}: {w}" for w in ("1 shape(s) without a label; left out", "1 <skeleton> element(s) left out (no area in a label map)")
    )
    assert results[0].source.endswith("annotations.xml: image 'img0.jpg' (<image> 0)")
    assert conversion.classes.names[:4] == ["_background_", "label1", "label2", "skeleton"]
    assert conversion.classes.color_of(2) == (0x35, 0x0D, 0xEA)
    assert labels(tmp_path / "out", "Train_img0")[2:4, 0:4].tolist() == [[1] * 4] * 2
    assert labels(tmp_path / "out", "Train_img0").sum() == 8
    assert set(np.unique(labels(tmp_path / "out", "Validation_img0")).tolist()) == {0, 2}
    assert conversion.splits == {"train": ["Train_img0"], "val": ["Validation_img0"], "trainval": ["Train_img0", "Validation_img0"]}


def _split_files(root: Path) -> dict[str, list[str]]:
    folder = root / "ImageSets" / "Segmentation"
    return {p.stem: p.read_text().split() for p in sorted(folder.glob("*.txt"))}


def test_an_exports_own_split_is_kept_and_said(tmp_path: Path) -> None:
    """Cityscapes' gtFine/train, val and test converted together were split at random (its val
    images trained on, its test among them); COCO's instances_train2017/val2017 and Roboflow's
    train/, valid/ and test/ folders alike. The
    export's own split is kept (test as test.txt, out of train and val), said, and kept again
    by --resume; an export of train alone gets a val drawn from it; export keeps it too."""
    ids = {split: [p.name.removesuffix("_gtFine_polygons.json") for p in cityscapes_export(tmp_path / "cs", images=n, seed=k, split=split, city=city)]
           for split, n, k, city in (("train", 5, 1, "aachen"), ("val", 3, 2, "frankfurt"), ("test", 2, 3, "berlin"))}  # fmt: skip
    done = runner.invoke(app, ["convert", str(tmp_path / "cs" / "gtFine"), str(tmp_path / "out"), "--json", str(tmp_path / "s.json"), "-j", "1"])
    assert done.exit_code == 0, done.stderr
    assert "split: the export's own (train 5, val 3, test 2); its test images kept out of train and val" in done.stderr
    expected = {"test": sorted(ids["test"]), "train": sorted(ids["train"]), "trainval": sorted(ids["train"] + ids["val"]), "val": sorted(ids["val"])}
    assert _split_files(tmp_path / "out") == expected
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["splits"] == {"train": 5, "val": 3, "trainval": 8, "test": 2} and summary["held_out"] == sorted(ids["test"])
    assert summary["splits_from"].startswith("the export's own (train 5, val 3, test 2)")
    done = runner.invoke(app, ["convert", str(tmp_path / "cs" / "gtFine"), str(tmp_path / "out"), "--resume", "--val-fraction", "0.5", "-j", "1"])
    assert done.exit_code == 0 and _split_files(tmp_path / "out") == expected
    done = runner.invoke(app, ["convert", str(tmp_path / "cs" / "gtFine" / "train"), str(tmp_path / "train-only"), "--val-fraction", "0.4", "-j", "1"])
    assert done.exit_code == 0, done.stderr
    assert "split: the export's own (train 5), val drawn from its train by --val-fraction 0.4 as it has no val of its own" in done.stderr
    assert len(_split_files(tmp_path / "train-only")["val"]) == 2
    done = runner.invoke(app, ["convert", str(tmp_path / "cs" / "gtFine" / "val"), str(tmp_path / "val-only"), "-j", "1"])
    assert done.exit_code == 0 and _split_files(tmp_path / "val-only")["val"] == sorted(ids["val"])
    done = runner.invoke(app, ["weights", str(tmp_path / "val-only")])  # its train.txt is empty: weights says which it read
    assert done.exit_code == 1
    assert "train.txt: the split lists no ids (read by default; --split names another: trainval, val)" in done.stderr
    # COCO 2017's two files (the same file names in both: --flatten-names prefixes the split)
    for split, seed in (("train2017", 4), ("val2017", 5)):
        coco_export(tmp_path / "coco", images=3, seed=seed, split=split)
    done = runner.invoke(app, ["convert", str(tmp_path / "coco" / "annotations"), str(tmp_path / "from-coco"), "--flatten-names", "-j", "1"])
    assert done.exit_code == 0, done.stderr
    assert _split_files(tmp_path / "from-coco")["val"] == ["val2017_img_0000", "val2017_img_0001", "val2017_img_0002"]
    # Roboflow's COCO export: train/, valid/ and test/ folders, each with its _annotations.coco.json beside its images
    for split, seed in (("train", 6), ("valid", 7), ("test", 8)):
        built = json.loads(coco_export(tmp_path / "rf-build" / split, images=2, seed=seed, split=split).read_text())
        (tmp_path / "rf" / split).mkdir(parents=True)
        for image in built["images"]:
            image["file_name"] = shutil.move(tmp_path / "rf-build" / split / "images" / split / image["file_name"], tmp_path / "rf" / split / f"{split}_{image['file_name']}").name
        (tmp_path / "rf" / split / "_annotations.coco.json").write_text(json.dumps(built))
    done = runner.invoke(app, ["convert", str(tmp_path / "rf"), str(tmp_path / "from-rf"), "-j", "1"])
    assert done.exit_code == 0, done.stderr
    assert "split: the export's own (train 2, val 2, test 2)" in done.stderr
    assert {k: v for k, v in _split_files(tmp_path / "from-rf").items() if k != "trainval"} == {
        "train": ["train_img_0000", "train_img_0001"], "val": ["valid_img_0000", "valid_img_0001"], "test": ["test_img_0000", "test_img_0001"]}
    # an export of the same Cityscapes folder: its val images in instances_val.json alone
    done = runner.invoke(app, ["export", str(tmp_path / "cs" / "gtFine"), "--to", "coco", "-d", str(tmp_path / "coco-out"), "-j", "1"])
    assert done.exit_code == 0, done.stderr
    assert "split: the export's own (train 5, val 3, test 2)" in done.stderr
    for split in ("train", "val", "test"):
        images = json.loads((tmp_path / "coco-out" / "annotations" / f"instances_{split}.json").read_text())["images"]
        assert sorted(i["file_name"] for i in images) == sorted(f"{i}.png" for i in ids[split])
    missing = next((tmp_path / "cs" / "leftImg8bit" / "test").rglob(f"{ids['test'][0]}_leftImg8bit.png"))
    missing.unlink()  # a test image that fails is not listed in test.txt
    done = runner.invoke(app, ["convert", str(tmp_path / "cs" / "gtFine"), str(tmp_path / "one-failed"), "-j", "1"])
    assert done.exit_code == 1 and _split_files(tmp_path / "one-failed")["test"] == [ids["test"][1]]


def test_a_labelstudio_task_is_found_by_its_file_upload_and_its_choices_are_left_out(tmp_path: Path) -> None:
    photo(tmp_path / "pictures" / "000000000025.jpg", 64, 48, 0)
    result = {"id": "djbpw94CXj", "type": "polygonlabels", "from_name": "label", "to_name": "image", "image_rotation": 0,
              "original_width": 64, "original_height": 48, "value": {"points": [[10, 10], [90, 20], [50, 90]], "polygonlabels": ["Airplane"]}}
    choice = {**result, "type": "choices", "from_name": "choices", "value": {"points": result["value"]["points"], "choices": ["uncertain"]}}
    task = {"id": 68501, "annotations": [{"id": 211797, "result": [result, choice], "was_cancelled": False}],
            "file_upload": "e97d4735-000000000025.jpg", "data": {"image": "/image2"}}  # fmt: skip
    (tmp_path / "export.json").write_text(json.dumps([task]))
    _, results = convert(tmp_path / "export.json", tmp_path / "out", options=ConvertOptions(images_dir=str(tmp_path / "pictures")))
    assert results[0].ok, results[0].error
    assert results[0].warnings == (f"{results[0].source}: 1 result(s) of type 'choices' left out",)
    assert set(np.unique(labels(tmp_path / "out", "image2")).tolist()) == {0, 1}


def test_labelstudio_references_are_read_as_the_urls_they_are(tmp_path: Path) -> None:
    """Label Studio names an upload by its URL, the file's path as Django quotes it
    (``/data/upload/1/ab12cd34-%E8%A1%97%E9%81%93%2001.jpg`` for ``街道 01.jpg``), and a local
    file by a ``?d=`` query parameter, which the scripts that write tasks quote: an upload
    became an id ``%E8%A1%97%E9%81%93%2001`` (its image found by the task's
    ``file_upload``), a local file was not found. Both give the files' own names, the
    dataset of a plain export of the same images; a JSON-MIN export has no ``file_upload``."""
    from urllib.parse import quote

    labelstudio_export(tmp_path / "plain", images=3, seed=4)
    names = ["街道 01.jpg", "my photo.jpg", "a+b#1.jpg"]
    doc = json.loads((tmp_path / "plain" / "export.json").read_text())
    shutil.copytree(tmp_path / "plain" / "images", tmp_path / "quoted" / "images")
    for task, name in zip(doc, names):
        prefix = task["data"]["image"].rsplit("/", 1)[1].split("-")[0]
        (tmp_path / "quoted" / "images" / task["data"]["image"].rsplit("-", 1)[1]).rename(tmp_path / "quoted" / "images" / name)
        task["data"]["image"] = task["data"]["image"].rsplit("/", 1)[0] + "/" + quote(f"{prefix}-{name}", safe="/~!*()'")  # Django's filepath_to_uri
        task["file_upload"] = f"{prefix}-{name}"
    (tmp_path / "quoted" / "upload.json").write_text(json.dumps(doc, ensure_ascii=False))
    for task, name in zip(doc, names):
        del task["file_upload"]
        task["data"]["image"] = "/data/local-files/?d=" + quote(f"images/{name}")
    (tmp_path / "quoted" / "local.json").write_text(json.dumps(doc, ensure_ascii=False))
    plain, said = said_by("convert", tmp_path / "plain" / "export.json", tmp_path / "plain-out", "-j", 1)
    assert plain.exit_code == 0, said
    stems = [Path(name).stem for name in names]
    for export in ("upload", "local"):
        done, said = said_by("convert", tmp_path / "quoted" / f"{export}.json", tmp_path / export, "-j", 1)
        assert done.exit_code == 0 and "converted 3, failed 0" in said, said
        assert sorted(p.stem for p in (tmp_path / export / "SegmentationClass").iterdir()) == sorted(stems)
        for n, stem in enumerate(stems):  # the plain export's photo_<n>
            assert (tmp_path / export / "SegmentationClass" / f"{stem}.png").read_bytes() == (
                tmp_path / "plain-out" / "SegmentationClass" / f"photo_{n}.png"
            ).read_bytes(), (export, stem)


def test_a_labelstudio_json_min_export_without_sizes_says_which_export_to_use(tmp_path: Path) -> None:
    (tmp_path / "min.json").write_text(json.dumps([{"image": "/data/upload/1/ab12cd34-x.jpg", "id": 1, "label": [{"points": [[1, 2], [3, 4], [5, 1]], "polygonlabels": ["cat"]}]}]))
    done = runner.invoke(app, ["convert", str(tmp_path / "min.json"), str(tmp_path / "out"), "-j", "1"])
    assert done.exit_code == 1
    assert (
        "min.json: tasks[0] (id 1), image '/data/upload/1/ab12cd34-x.jpg': result[0]: a JSON-MIN region without its image's size "
        "(older Label Studio leaves it out): export the project as JSON"
    ) in " ".join(done.stderr.split()), done.stderr
    assert not (tmp_path / "out").exists()


def test_an_unreadable_coco_file_among_others_fails_alone(tmp_path: Path) -> None:
    coco_export(tmp_path / "coco", images=2, seed=15, split="train")
    (tmp_path / "coco" / "annotations" / "instances_val.json").write_text('{"images": [], "annotations": [')
    done = runner.invoke(app, ["convert", str(tmp_path / "coco"), str(tmp_path / "out"), "--from", "coco", "-j", "1"])
    assert done.exit_code == 1
    said = " ".join(done.stderr.split())
    assert "instances_val.json: not valid JSON at line 1 column" in said and "converted 2, failed 1" in said
    assert sorted(p.stem for p in (tmp_path / "out" / "SegmentationClass").iterdir()) == ["img_0000", "img_0001"]


def test_a_json_file_of_no_tool_beside_an_export_is_said_to_be_left_out(tmp_path: Path) -> None:
    """A JSON file no tool's sniffing knows, beside another tool's export, was left out without
    a word (an export cut short before what tells its tool among them); a class table is not."""
    coco_export(tmp_path / "coco", images=2, seed=15, split="train")
    (tmp_path / "coco" / "annotations" / "notes.json").write_text('{"reviewed": true}')
    (tmp_path / "coco" / "annotations" / "dataset_meta.json").write_text('{"labels": ["person"]}')
    result, said = said_by("convert", tmp_path / "coco", tmp_path / "out", "-j", 1)
    assert result.exit_code == 0 and "converted 2, failed 0" in said, said
    assert f"info: {tmp_path / 'coco' / 'annotations' / 'notes.json'}: holds no coco annotations, nor another tool's labeltools reads; left out" in said
    assert "dataset_meta.json" not in said


def test_an_export_as_downloaded_in_a_zip_converts_as_its_folder(tmp_path: Path) -> None:
    """CVAT, Roboflow and Kaggle hand exports over as .zip files, which were refused ("not a
    .json or .xml file"): a .zip is read in place as the folder it holds, and its dataset is
    byte for byte the folder's (a segmentation mask export's labelmap.txt found inside it); a
    .zip cut short is refused naming it."""
    import zipfile

    cvat_export(tmp_path / "cvat", images=3, seed=2)
    segmentation_mask_export(tmp_path / "segmask")
    yolo_dataset(tmp_path / "yolo")  # Roboflow's YOLO export: its label files found beside images/ inside the archive
    coco_export(tmp_path / "coco", images=2, split="valid")  # as Roboflow's COCO export: its split the folder's name
    (tmp_path / "rfcoco").mkdir()
    shutil.move(tmp_path / "coco" / "images" / "valid", tmp_path / "rfcoco" / "valid")
    shutil.move(tmp_path / "coco" / "annotations" / "instances_valid.json", tmp_path / "rfcoco" / "valid" / "_annotations.coco.json")
    for split in ("train", "valid"):  # Roboflow's masks beside their images
        (tmp_path / "rf" / split).mkdir(parents=True)
        (tmp_path / "rf" / split / "_classes.csv").write_text("Pixel Value, Class\n0, background\n1, cat\n")
        for n in range(2):
            photo(tmp_path / "rf" / split / f"{split}{n}_jpg.rf.{n:x}.jpg", 8, 6, seed=n)
            Image.fromarray(np.eye(6, 8, n, dtype=np.uint8)).save(tmp_path / "rf" / split / f"{split}{n}_jpg.rf.{n:x}_mask.png")
    for name in ("cvat", "rf", "segmask", "rfcoco", "yolo"):
        with zipfile.ZipFile(tmp_path / f"{name}.zip", "w") as archive:
            for file in sorted((tmp_path / name).rglob("*")):
                archive.write(file, file.relative_to(tmp_path / name))
        extra = ("--instances", "-j", 1) if name == "cvat" else ("-j", 1)
        folder, said = said_by("convert", tmp_path / name, tmp_path / f"{name}-folder", *extra)
        assert folder.exit_code == 0, said
        zipped, said = said_by("convert", tmp_path / f"{name}.zip", tmp_path / f"{name}-zip", *extra)
        assert zipped.exit_code == 0 and (name != "cvat" or "classes and colours of annotations.xml," in said), said  # the file's own name
        written = sorted(p.relative_to(tmp_path / f"{name}-folder") for p in (tmp_path / f"{name}-folder").rglob("*") if p.is_file())
        assert written == sorted(p.relative_to(tmp_path / f"{name}-zip") for p in (tmp_path / f"{name}-zip").rglob("*") if p.is_file()) and len(written) > 8
        for file in written:
            assert (tmp_path / f"{name}-zip" / file).read_bytes() == (tmp_path / f"{name}-folder" / file).read_bytes(), file
    assert read_split(tmp_path / "rfcoco-zip", "val") == ["img_0000", "img_0001"]  # valid/'s, inside the archive too
    # Cityscapes comes as two zips, gtFine's and leftImg8bit's: --images takes the second
    cityscapes_export(tmp_path / "cs", images=2)
    for part in ("gtFine", "leftImg8bit"):
        shutil.make_archive(str(tmp_path / part), "zip", tmp_path / "cs", part)
    folder, said = said_by("convert", tmp_path / "cs" / "gtFine", tmp_path / "cs-folder", "-j", 1)
    assert folder.exit_code == 0, said
    zipped, said = said_by("convert", tmp_path / "gtFine.zip", tmp_path / "cs-zip", "--images", tmp_path / "leftImg8bit.zip", "-j", 1)
    assert zipped.exit_code == 0 and "converted 2, failed 0" in said, said
    for label in (tmp_path / "cs-folder" / "SegmentationClass").glob("*.png"):
        assert (tmp_path / "cs-zip" / "SegmentationClass" / label.name).read_bytes() == label.read_bytes(), label
    (tmp_path / "cut.zip").write_bytes((tmp_path / "cvat.zip").read_bytes()[:200])
    cut, said = said_by("convert", tmp_path / "cut.zip", tmp_path / "cut-out")
    assert cut.exit_code == 1 and f"error: {tmp_path / 'cut.zip'}: not a zip archive (a download cut short?)" in said and not (tmp_path / "cut-out").exists(), said


def test_a_zip_of_names_in_utf8_unflagged_converts_as_its_folder_and_one_of_a_code_page_is_refused(info_zip: str, tmp_path: Path) -> None:
    """Info-ZIP's zip (Linux's) and macOS store UTF-8 names without the flag that marks them so,
    and Python reads such names as code page 437: labelme annotations in a folder ``标注`` zipped
    so failed every file ("image '街道_01.jpg' not found (tried zip://µáçµ│¿/...)"), and an
    embedded image would have given an id ``ΦíùΘüô_01``. Zipped by Info-ZIP, they convert as
    their folder does, byte for byte, and names in code page 437, the zip format's own, as Python
    reads them. An archive whose names are in another code page (GBK, as Windows' own zip writes
    them on a Chinese system), which the archive does not record, is refused, saying how to
    extract it; extracted so, it converts as the folder."""
    import zipfile

    folder = tmp_path / "zipped" / "标注"
    folder.mkdir(parents=True)
    shutil.copy(SAMPLE_DIR / "labels.txt", folder)
    for n, name in enumerate(("街道_01", "café")):
        doc = json.loads((SAMPLE_DIR / f"street_0{n + 1}.json").read_text())
        shutil.copy(SAMPLE_DIR / f"street_0{n + 1}.jpg", folder / f"{name}.jpg")
        (folder / f"{name}.json").write_text(json.dumps({**doc, "imagePath": f"{name}.jpg", "imageData": None}, ensure_ascii=False))
    subprocess.run([info_zip, "-qr", str(tmp_path / "utf8.zip"), "标注"], cwd=tmp_path / "zipped", check=True)
    with zipfile.ZipFile(tmp_path / "utf8.zip") as archive:  # as Python reads the names: code page 437
        assert not any(info.flag_bits & 0x800 for info in archive.infolist()) and "标注/labels.txt" not in archive.namelist()
    folder_run, said = said_by("convert", tmp_path / "zipped", tmp_path / "from-folder", "-j", 1)
    assert folder_run.exit_code == 0, said
    zipped, said = said_by("convert", tmp_path / "utf8.zip", tmp_path / "from-zip", "-j", 1)
    assert zipped.exit_code == 0 and "converted 2, failed 0" in said and "zip://标注/labels.txt::" in said, said
    written = sorted(p.relative_to(tmp_path / "from-folder") for p in (tmp_path / "from-folder").rglob("*") if p.is_file())
    assert Path("SegmentationClass/街道_01.png") in written and Path("JPEGImages/café.jpg") in written
    assert written == sorted(p.relative_to(tmp_path / "from-zip") for p in (tmp_path / "from-zip").rglob("*") if p.is_file())
    for file in written:
        assert (tmp_path / "from-zip" / file).read_bytes() == (tmp_path / "from-folder" / file).read_bytes(), file
    # names in code page 437, the zip format's own (Windows' zip on an American system), read as such
    western = tmp_path / "cp437"
    western.mkdir()
    for file in folder.iterdir():
        if not file.name.startswith("街道"):  # café, its image and labels.txt; é is 0x82 there
            shutil.copy(file, western / os.fsdecode(file.name.encode("cp437")))
    subprocess.run([info_zip, "-qr", str(tmp_path / "cp437.zip"), "."], cwd=western, check=True)
    zipped, said = said_by("convert", tmp_path / "cp437.zip", tmp_path / "from-cp437", "-j", 1)
    assert zipped.exit_code == 0 and "converted 1, failed 0" in said, said
    assert (tmp_path / "from-cp437" / "JPEGImages" / "café.jpg").read_bytes() == (tmp_path / "from-folder" / "JPEGImages" / "café.jpg").read_bytes()
    # names in GBK, stored as the bytes they are (Info-ZIP keeps a file system's bytes)
    legacy = tmp_path / "gbk"
    (legacy / os.fsdecode("标注".encode("gbk"))).mkdir(parents=True)
    for file in folder.iterdir():
        shutil.copy(file, legacy / os.fsdecode("标注".encode("gbk")) / os.fsdecode(file.name.encode("gbk")))
    subprocess.run([info_zip, "-qr", str(tmp_path / "gbk.zip"), "."], cwd=legacy, check=True)
    refused, said = said_by("convert", tmp_path / "gbk.zip", tmp_path / "from-gbk", "-j", 1)
    extract = f"python -m zipfile --metadata-encoding GBK -e {tmp_path / 'gbk.zip'} {tmp_path / 'gbk'}/"
    assert refused.exit_code == 1 and "holds 6 name(s) in a code page that the archive does not record" in said and extract in said, said
    assert not (tmp_path / "from-gbk").exists()
    shutil.rmtree(legacy)
    subprocess.run([sys.executable, *extract.split()[1:]], check=True)  # as the message says
    extracted, said = said_by("convert", tmp_path / "gbk", tmp_path / "from-gbk", "-j", 1)
    assert extracted.exit_code == 0, said
    assert (tmp_path / "from-gbk" / "SegmentationClass" / "街道_01.png").read_bytes() == (
        tmp_path / "from-folder" / "SegmentationClass" / "街道_01.png"
    ).read_bytes()


def test_an_image_named_in_the_other_unicode_normalization_is_that_image(info_zip: str, tmp_path: Path) -> None:
    """macOS writes names decomposed (``é`` as ``e`` and an accent, Hangul as its letters), in
    its older file system and in the archives it makes, and annotation tools write them composed:
    an image ``도로_café.jpg`` was "not found (tried .../도로_café.jpg)", the same name to the eye.
    The image under the other normalization is the image: labelme's, in a folder and zipped, and
    a COCO export's."""
    import unicodedata

    name = "도로_café"
    composed, decomposed = unicodedata.normalize("NFC", name), unicodedata.normalize("NFD", name)
    assert composed != decomposed
    folder = tmp_path / "mac" / "annotations"
    folder.mkdir(parents=True)
    shutil.copy(SAMPLE_DIR / "labels.txt", folder)
    doc = json.loads((SAMPLE_DIR / "street_01.json").read_text())
    (folder / f"{decomposed}.json").write_text(json.dumps({**doc, "imagePath": f"{composed}.jpg", "imageData": None}, ensure_ascii=False))
    shutil.copy(SAMPLE_DIR / "street_01.jpg", folder / f"{decomposed}.jpg")
    subprocess.run([info_zip, "-qr", str(tmp_path / "mac.zip"), "annotations"], cwd=tmp_path / "mac", check=True)
    reference, said = said_by("convert", SAMPLE_DIR / "street_01.json", tmp_path / "reference", "-c", SAMPLE_DIR / "labels.txt", "-j", 1)
    assert reference.exit_code == 0, said
    expected = (tmp_path / "reference" / "SegmentationClass" / "street_01.png").read_bytes()
    for source in (folder, tmp_path / "mac.zip"):
        done, said = said_by("convert", source, tmp_path / f"from-{source.stem}", "-j", 1)
        assert done.exit_code == 0 and "converted 1, failed 0" in said, said
        assert (tmp_path / f"from-{source.stem}" / "SegmentationClass" / f"{decomposed}.png").read_bytes() == expected
    coco_export(tmp_path / "coco", images=1, seed=3, split="train")
    annotations = tmp_path / "coco" / "annotations" / "instances_train.json"
    coco = json.loads(annotations.read_text())
    stored = tmp_path / "coco" / "images" / "train" / coco["images"][0]["file_name"]
    stored.rename(stored.with_name(f"{decomposed}.jpg"))
    coco["images"][0]["file_name"] = f"{composed}.jpg"
    annotations.write_text(json.dumps(coco, ensure_ascii=False))
    done, said = said_by("convert", annotations, tmp_path / "coco-out", "-j", 1)
    assert done.exit_code == 0 and "converted 1, failed 0" in said, said


def test_masks_and_images_named_in_two_unicode_normalizations_pair(tmp_path: Path) -> None:
    """``masks/`` written decomposed (macOS) beside ``images/`` written composed: the mask of
    ``도로_café`` had no image. They pair, and the id is the composed name."""
    import unicodedata

    name = "도로_café"
    (tmp_path / "mixed" / "images").mkdir(parents=True)
    (tmp_path / "mixed" / "masks").mkdir()
    photo(tmp_path / "mixed" / "images" / f"{unicodedata.normalize('NFC', name)}.jpg", 8, 6, 0)
    mask = np.zeros((6, 8), np.uint8)
    mask[2:4, 2:6] = 1
    Image.fromarray(mask).save(tmp_path / "mixed" / "masks" / f"{unicodedata.normalize('NFD', name)}.png")
    (tmp_path / "mixed" / "class_names.txt").write_text("background\ncat\n")
    done, said = said_by("convert", tmp_path / "mixed", tmp_path / "out", "-j", 1)
    assert done.exit_code == 0 and "converted 1, failed 0" in said, said
    assert [p.name for p in (tmp_path / "out" / "SegmentationClass").iterdir()] == [f"{unicodedata.normalize('NFC', name)}.png"]
    np.testing.assert_array_equal(labels(tmp_path / "out", unicodedata.normalize("NFC", name)), mask)


def test_coco_2017_layout_images_beside_the_annotations_folder(tmp_path: Path) -> None:
    coco_export(tmp_path / "coco", images=2, seed=16, split="val2017")
    shutil.move(tmp_path / "coco" / "images" / "val2017", tmp_path / "coco" / "val2017")  # COCO 2017's own layout
    (tmp_path / "coco" / "images").rmdir()
    _, results = convert(tmp_path / "coco" / "annotations" / "instances_val2017.json", tmp_path / "out")
    assert [r.ok for r in results] == [True, True], [r.error for r in results]
    # COCO's annotations/ folder holds captions and person keypoints beside the instances: the
    # persons of the keypoints file clashed with the instances' ("use --flatten-names")
    annotations = tmp_path / "coco" / "annotations"
    doc = json.loads((annotations / "instances_val2017.json").read_text())
    person = doc["categories"][0]["id"]
    keypoints = {**doc, "categories": [{**doc["categories"][0], "keypoints": ["nose"], "skeleton": []}]}
    keypoints["annotations"] = [{**a, "keypoints": [1, 1, 2], "num_keypoints": 1} for a in doc["annotations"] if a["category_id"] == person]
    (annotations / "person_keypoints_val2017.json").write_text(json.dumps(keypoints))
    captions = {"images": doc["images"], "annotations": [{"id": n, "image_id": i["id"], "caption": "a street"} for n, i in enumerate(doc["images"])]}
    (annotations / "captions_val2017.json").write_text(json.dumps(captions))
    result, said = said_by("convert", tmp_path / "coco", tmp_path / "all", "--instances", "-j", 1)
    assert result.exit_code == 0, said
    assert f"info: {annotations / 'captions_val2017.json'}: COCO's captions of its images, no outlines; left out" in said
    assert f"info: {annotations / 'person_keypoints_val2017.json'}: COCO's person keypoints, whose persons instances_val2017.json outlines too; left out" in said
    for folder in ("SegmentationClass", "SegmentationObject"):
        for png in (tmp_path / "out" / folder).glob("*.png"):
            assert (tmp_path / "all" / folder / png.name).read_bytes() == png.read_bytes(), png
    _, results = convert(annotations / "person_keypoints_val2017.json", tmp_path / "persons")  # alone, its persons (images in val2017/)
    assert all(r.ok for r in results) and len(results) == 2, [r.error for r in results]
    (tmp_path / "only").mkdir()  # as the instances file of its persons alone reads
    (tmp_path / "only" / "instances_val2017.json").write_text(json.dumps({**doc, "annotations": keypoints["annotations"]}))
    _, results = convert(tmp_path / "only", tmp_path / "only-out", options=ConvertOptions(instances=True, images_dir=str(tmp_path / "coco" / "val2017")))
    assert all(r.ok for r in results) and len(results) == 2, [r.error for r in results]
    for stem in ("img_0000", "img_0001"):
        assert labels(tmp_path / "persons", stem).any()
        np.testing.assert_array_equal(labels(tmp_path / "persons", stem), labels(tmp_path / "only-out", stem), err_msg=stem)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.json", '{"objects": 3}', "a.json: not a Cityscapes polygon annotation (it needs an 'objects' list)"),
        ("a.xml", "<annotations><image name='a.jpg'/><track id='0'/></annotations>", "a.xml: holds both <image> and <track> elements, which no CVAT export writes together"),
        ("a.xml", "<annotations><track task_id='1'/><track task_id='2'/></annotations>", "a.xml: tracks of 2 tasks, whose frames are numbered alike: export each task on its own"),
        ("a.xml", "<annotations><track id='0'/></annotations>", "a.xml: tracks without the video's <original_size> (an image task's export?): export it as 'CVAT for images 1.1'"),
        ("a.xml", "<annotations><meta><task><original_size/></task></meta><track><box frame='a'/></track></annotations>", "a.xml: <track> 0: <box> has frame 'a', not a whole number"),
        ("a.xml", "<root/>", "a.xml: not a CVAT for images XML export (its root is <'root'>, not <annotations>)"),
        ("a.xml", "<annotations><image", "a.xml: not valid XML ("),
        ("a.json", '[{"data": {"x": 1}}]', "a.json: tasks[0] (id None) names no image in its 'data'"),
        ("a.json", '{"x": 1}', "a.json: not a Label Studio JSON export (a list of tasks, each with 'data')"),
    ],
)
def test_files_that_are_not_the_named_tools_export_say_what_they_are_not(tmp_path: Path, name: str, content: str, message: str) -> None:
    tool = {"a.xml": "cvat"}.get(name) or ("cityscapes" if "objects" in content else "label-studio")
    (tmp_path / name).write_text(content)
    done = runner.invoke(app, ["convert", str(tmp_path / name), str(tmp_path / "out"), "--from", tool])
    assert done.exit_code == 1 and message in " ".join(done.stderr.split()), done.stderr
    if tool != "cityscapes":  # a file per image fails as its item, like a labelme file; the others refuse the run
        assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        ('<mask label="car" rle="1, 2" left="0" top="0" width="3" height="3"/>', "<mask> 0 (label 'car'): rle runs add up to 3 pixels, its 3x3 box has 9"),
        ('<mask label="car" rle="1" left="0" top="0" width="90" height="9"/>', "<mask> 0 (label 'car'): its 90x9 box is larger than the 8x8 image"),
        ('<box label="car" xtl="0" ytl="0" xbr="4" ybr="4" group_id="a"/>', "<box> 0 (label 'car'): group_id must be a whole number, got 'a'"),
        ('<polygon label="car" points="1,1;2,2"/>', "<polygon> 0 (label 'car').points needs at least 3 x, y pairs, got 4 number(s)"),
        ('<box label="car" xtl="0" ytl="x" xbr="4" ybr="4"/>', "<box> 0 (label 'car').ytl must be a finite number within 100000, got None"),
    ],
)
def test_a_bad_cvat_shape_fails_its_image_naming_it(tmp_path: Path, shape: str, message: str) -> None:
    photo(tmp_path / "images" / "f.jpg", 8, 8, 0)
    (tmp_path / "annotations.xml").write_text(f'<annotations><version>1.1</version><image id="0" name="f.jpg" width="8" height="8">{shape}</image></annotations>')
    _, results = convert(tmp_path / "annotations.xml", tmp_path / "out", classes=ClassTable.from_names(["_background_", "car"]))
    assert not results[0].ok and str(results[0].error).endswith(f"annotations.xml: image 'f.jpg' (<image> 0): {message}"), results[0].error


def test_a_brush_rle_cut_short_and_coco_classes_declared_twice_are_named(tmp_path: Path) -> None:
    path = labelstudio_export(tmp_path / "ls", images=1, seed=17, brushes=[[0, 0, 1]])
    _, results = convert(path, tmp_path / "out")
    assert not results[0].ok and str(results[0].error).endswith("result[" + str(len(json.loads(path.read_text())[0]["annotations"][0]["result"]) - 1) + "] (brush 'grass'): its brush RLE ends early")
    coco_export(tmp_path / "coco", images=1, split="train")
    other = json.loads((tmp_path / "coco" / "annotations" / "instances_train.json").read_text())
    other["categories"][0]["id"] = 2
    other["images"][0]["file_name"] = "other.jpg"
    (tmp_path / "coco" / "annotations" / "instances_val.json").write_text(json.dumps(other))
    train = tmp_path / "coco" / "annotations" / "instances_train.json"
    with pytest.raises(DatasetError) as info:
        convert_labelme(tmp_path / "coco", tmp_path / "out2")
    assert str(info.value) == (
        f"{tmp_path / 'coco' / 'annotations' / 'instances_val.json'}: declares class 'person' as id 2, and {train} as "
        "id 1; give a class table with -c (its classes are matched by name, so both become that one class)"
    )
    (tmp_path / "coco" / "annotations" / "instances_val.json").unlink()
    doc = json.loads(train.read_text())  # one file declaring a name twice, as merged exports do
    doc["categories"].append({"id": 9, "name": "car"})
    for annotation in doc["annotations"]:
        annotation["category_id"] = 9 if annotation["category_id"] == 3 else annotation["category_id"]
    train.write_text(json.dumps(doc))
    with pytest.raises(DatasetError, match=r"instances_train\.json: declares class 'car' twice, as id 3 and as id 9; give a class table with -c"):
        convert_labelme(tmp_path / "coco", tmp_path / "out2")
    _, results = convert(tmp_path / "coco", tmp_path / "out3", classes=ClassTable.from_names(["_background_", "person", "car", "tree"]))
    assert all(r.ok for r in results)
    assert 2 in read_label(tmp_path / "out3" / "SegmentationClass" / "img_0000.png")


# --- masks beside their images (the datasets people download) ---------------------------------


def masks_dataset(root: Path, layout: dict[str, str], mask: Any) -> dict[str, np.ndarray]:
    """Folders of masks and images: ``layout`` maps a mask's path under ``root`` (``train/a_mask.png``)
    to its image's (``train/a.jpg``, or "" for none); ``mask(n)`` gives the n-th mask as saved (an
    array, a Pillow image), and the class values each should convert to, by the mask's path."""
    expected = {}
    for n, (mask_path, image_path) in enumerate(layout.items()):
        saved, values = mask(n)
        (root / mask_path).parent.mkdir(parents=True, exist_ok=True)
        (saved if isinstance(saved, Image.Image) else Image.fromarray(saved)).save(root / mask_path)
        if image_path:
            photo(root / image_path, values.shape[1], values.shape[0], seed=n)
        expected[mask_path] = values
    return expected


def grey_mask(n: int, values: tuple[int, ...] = (0, 1, 2)) -> tuple[np.ndarray, np.ndarray]:
    mask = np.full((12, 16), values[0], np.uint8)
    mask[2:6, 3 + n : 9 + n] = values[1]
    mask[7:11, 1:5] = values[2 % len(values)]
    return mask, mask


def subprocess_cli(args: list[str], cwd: Path) -> Any:
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "labeltools", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_a_roboflow_mask_export_converts_with_its_classes_and_splits(tmp_path: Path) -> None:
    """Roboflow's "Semantic Segmentation Masks" export (each image beside its <image>_mask.png,
    _classes.csv in every split folder) was refused by convert: no annotation file. It converts:
    label maps equal to the masks, classes from _classes.csv, train/valid/test kept."""
    root = tmp_path / "roboflow"
    layout = {f"{split}/img{n}_jpg.rf.{n:04x}_mask.png": f"{split}/img{n}_jpg.rf.{n:04x}.jpg" for n, split in enumerate(["train"] * 4 + ["valid"] * 2 + ["test"])}
    expected = masks_dataset(root, layout, grey_mask)
    for split in ("train", "valid", "test"):
        (root / split / "_classes.csv").write_text("Pixel Value, Class\n0, background\n1, cat\n2, dog\n")
    (tmp_path / "elsewhere").mkdir()
    done = subprocess_cli(["convert", str(root), str(tmp_path / "voc")], cwd=tmp_path / "elsewhere")
    assert done.returncode == 0, done.stderr
    assert f"classes: 3, {root / 'test' / '_classes.csv'}, the list the masks came with" in done.stderr
    assert "split: their folders' own (train 4, val 2, test 1)" in done.stderr
    assert f"info: masks: {root / 'train'}: images {root / 'train'} (the JPEG images among the labels); labels: <image>_mask.png" in done.stderr
    voc = tmp_path / "voc"
    assert (voc / "class_names.txt").read_text().split() == ["background", "cat", "dog"]
    for mask_path, values in expected.items():
        image_id = Path(mask_path).name.removesuffix("_mask.png")
        np.testing.assert_array_equal(labels(voc, image_id), values)
        assert Image.open(voc / "SegmentationClass" / f"{image_id}.png").mode == "P"
        assert (voc / "JPEGImages" / f"{image_id}.jpg").read_bytes() == (root / layout[mask_path]).read_bytes()
    sides = {split: read_split(voc, split) for split in ("train", "val", "test")}
    assert [len(sides[s]) for s in ("train", "val", "test")] == [4, 2, 1] and sides["test"] == ["img6_jpg.rf.0006"]


def test_colour_masks_written_as_bgr_are_refused_and_read_with_bgr(tmp_path: Path) -> None:
    """Masks of RGB colours written by OpenCV's imwrite (red and blue swapped): read as they are,
    Car's (64, 0, 128) would be Truck's (128, 0, 64) without a word; the colours the table lacks
    give them away, and --bgr reads them right."""
    import cv2

    root = tmp_path / "roads"
    root.mkdir()
    (root / "classes.csv").write_text("name,r,g,b\nbackground,0,0,0\nroad,128,64,128\ncar,64,0,128\ntruck,128,0,64\nsign,220,220,0\n")
    colours = np.array([(0, 0, 0), (128, 64, 128), (64, 0, 128), (128, 0, 64), (220, 220, 0)], np.uint8)
    layout = {f"masks/{n}.png": f"images/{n}.jpg" for n in range(2)}

    def written_as_bgr(n: int) -> tuple[np.ndarray, np.ndarray]:
        values = np.zeros((10, 14), np.uint8)
        values[4:] = 1
        values[6:9, 2 + n : 7 + n] = 2
        values[0, :4] = 4  # (220, 220, 0): swapped, a colour the table lacks
        return colours[values], values

    expected = masks_dataset(root, layout, written_as_bgr)
    for mask_path, values in expected.items():
        assert cv2.imwrite(str(root / mask_path), colours[values])  # as OpenCV writes an RGB array
    result = runner.invoke(app, ["convert", str(root), str(tmp_path / "as-is"), "-c", str(root / "classes.csv")])
    assert result.exit_code == 1
    said = " ".join(result.stderr.split())
    assert (
        f"failed: {root / 'masks' / '0.png'}: its red and blue are the other way round: with them swapped, its colours are those of the {root / 'classes.csv'}, "
        "numbered by row (row i is class i): 4 pixel(s) "
        "hold colours the table lacks, each a colour of it swapped ((0, 220, 220) is (220, 220, 0) swapped, class 4), and a "
        "class read from a colour of the table may be another's swapped: a picture of RGB colours written by OpenCV's imwrite, "
        "which writes its arrays as BGR? --bgr reads its red and blue the other way round"
    ) in said, said
    result = runner.invoke(app, ["convert", str(root), str(tmp_path / "voc"), "-c", str(root / "classes.csv"), "--bgr"])
    assert result.exit_code == 0, result.output
    for mask_path, values in expected.items():
        np.testing.assert_array_equal(labels(tmp_path / "voc", Path(mask_path).stem), values)
    refused = runner.invoke(app, ["convert", str(SAMPLE_DIR), str(tmp_path / "labelme"), "--bgr"])
    assert refused.exit_code == 1 and "--bgr reads the colours of masks, and the inputs are labelme annotations" in refused.stderr


def test_camvid_colour_masks_convert_by_class_dict(tmp_path: Path) -> None:
    """CamVid as Kaggle ships it: train/, train_labels/ (<image>_L.png colour masks), val, test,
    and class_dict.csv above them: colours become their rows' classes, Void 255, a colour the
    table lacks 255 and said; each split folder keeps its split. A mask saved as values in the
    VOC colormap (the palette tools write by default, black for 0 as class_dict.csv's Void) is
    read by its values."""
    from labeltools.core.colormap import palette_array

    root = tmp_path / "CamVid"
    (root).mkdir()
    (root / "class_dict.csv").write_text("name,r,g,b\nSky,128,128,128\nRoad,128,64,128\nCar,64,0,128\nVoid,0,0,0\n")
    colours = {0: (128, 128, 128), 1: (128, 64, 128), 2: (64, 0, 128), 255: (0, 0, 0)}

    def colour_mask(n: int) -> tuple[np.ndarray, np.ndarray]:
        values = np.zeros((10, 14), np.uint8)
        values[4:] = 1
        values[6:9, 2 + n : 7 + n] = 2
        values[0, :3] = 255
        saved = np.zeros((10, 14, 3), np.uint8)
        for value, colour in colours.items():
            saved[values == value] = colour
        if n == 1:
            saved[9, 10:] = (10, 20, 30)  # a colour class_dict.csv lacks
            values[9, 10:] = 255
        if n == 5:
            in_voc_colours = Image.fromarray(values, "P")
            in_voc_colours.putpalette(palette_array().ravel().tolist())
            return in_voc_colours, values
        return saved, values

    layout = {f"{split}_labels/0001TP_{split}{n}_L.png": f"{split}/0001TP_{split}{n}.png" for split in ("train", "val", "test") for n in range(2)}
    expected = masks_dataset(root, layout, colour_mask)
    conversion, results = convert(root, tmp_path / "voc", options=ConvertOptions())
    assert conversion.source == "masks" and all(r.ok for r in results), [r.error for r in results]
    assert conversion.classes.names == ["Sky", "Road", "Car"] and [e.name for e in conversion.classes.void_entries] == ["Void"]
    assert [w for r in results for w in r.warnings] == [
        f"{root / 'train_labels' / '0001TP_train1_L.png'}: 4 pixel(s) in colours the class table lacks became 255 (#0a141e x 4)"
    ]
    for mask_path, values in expected.items():
        np.testing.assert_array_equal(labels(tmp_path / "voc", Path(mask_path).name.removesuffix("_L.png")), values)
    assert read_split(tmp_path / "voc", "val") == ["0001TP_val0", "0001TP_val1"] and len(read_split(tmp_path / "voc", "test")) == 2


def blocks(rng: np.random.Generator, low: int, high: int, shape: tuple[int, int] = (5, 6)) -> np.ndarray:
    """A label of random values ``low..high-1`` in 4x4 blocks, ``shape`` blocks in all."""
    return rng.integers(low, high, shape).repeat(4, 0).repeat(4, 1).astype(np.uint8)


#: The class list of Kaggle's "Semantic segmentation of aerial imagery" (Dubai, by Humans in the
#: Loop), exported from Supervisely: its classes.json, above the tiles' folders.
AERIAL_CLASSES = {
    "Building": "#3C1098", "Land (unpaved area)": "#8429F6", "Road": "#6EC1E4", "Vegetation": "#FEDD3A",
    "Water": "#E2A929", "Unlabeled": "#9B9B9B",
}  # fmt: skip


def test_colour_masks_of_a_supervisely_class_list_convert_by_its_rows(tmp_path: Path) -> None:
    """Tiles of colour masks beside their images (Tile 1/images, Tile 1/masks, ...), the
    classes in the Supervisely class list above them (classes.json: title and #hex colour):
    the JSON file is their table, not an annotation, each colour becomes its row's class as the
    code that reads the dataset numbers them; ids alike across tiles are refused, naming
    --flatten-names, which keeps them apart. A classes.json of another shape is no table."""
    root = tmp_path / "aerial"
    root.mkdir()
    (root / "classes.json").write_text(json.dumps(
        {"classes": [{"title": name, "shape": "polygon", "color": colour, "geometry_config": {}, "id": n, "hotkey": ""}
                     for n, (name, colour) in enumerate(AERIAL_CLASSES.items())]}, indent=2))  # fmt: skip
    rgb = np.array([[int(colour[i : i + 2], 16) for i in (1, 3, 5)] for colour in AERIAL_CLASSES.values()], np.uint8)
    rng = np.random.default_rng(3)

    def colour_mask(n: int) -> tuple[np.ndarray, np.ndarray]:
        values = blocks(rng, 0, len(rgb), (6, 8))
        return rgb[values], values

    layout = {f"Tile {t}/masks/image_part_00{n}.png": f"Tile {t}/images/image_part_00{n}.jpg" for t in (1, 2) for n in (1, 2)}
    expected = masks_dataset(root, layout, colour_mask)
    refused, said = said_by("convert", root, tmp_path / "same")
    assert refused.exit_code == 1 and "would be written by more than one image (use --flatten-names" in said, said
    result, said = said_by("convert", root, tmp_path / "voc", "--flatten-names")
    assert result.exit_code == 0, said
    assert f"classes: 6, {root / 'classes.json'}, numbered by row (row i is class i), the list the masks came with" in said, said
    assert (tmp_path / "voc" / "class_names.txt").read_text().split("\n")[:6] == list(AERIAL_CLASSES)
    for mask_path, values in expected.items():
        tile, _, name = mask_path.split("/")
        np.testing.assert_array_equal(labels(tmp_path / "voc", f"{tile.replace(' ', '_')}_masks_{Path(name).stem}"), values)
    remapped, said = said_by("remap", root / "Tile 1" / "masks", "-c", root / "classes.json", "-d", tmp_path / "remapped")
    assert remapped.exit_code == 0, said
    np.testing.assert_array_equal(read_label(tmp_path / "remapped" / "image_part_001.png"), expected["Tile 1/masks/image_part_001.png"])
    (root / "classes.json").write_text(json.dumps({"classes": ["a", "b"]}))  # another tool's list: no Supervisely class list
    assert nearby_class_table(root / "Tile 1" / "masks") is None


def test_two_folders_of_masks_of_the_same_images_read_the_values_once(tmp_path: Path) -> None:
    """The Semantic Drone Dataset as Kaggle ships it: label_images_semantic/ (values) beside
    original_images/, RGB_color_image_masks/ (the same masks in colour) elsewhere, and
    class_dict_seg.csv at the top, two folders above: the values are read, each image once
    (both read, every image was written twice, the second under another id with --flatten-names,
    which the refusal named), the colours said with the command that reads them, which gives the
    same labels by the same list; two such folders both of values are refused."""
    root = tmp_path / "drone"
    semantic = root / "dataset" / "semantic_drone_dataset"
    root.mkdir()
    (root / "class_dict_seg.csv").write_text("name, r, g, b\nunlabeled, 0, 0, 0\npaved-area, 128, 64, 128\ndirt, 130, 76, 0\ngrass, 0, 102, 0\n")
    rgb = np.array([(0, 0, 0), (128, 64, 128), (130, 76, 0), (0, 102, 0)], np.uint8)
    rng = np.random.default_rng(5)
    values = {f"{n:03d}": blocks(rng, 0, 4) for n in range(3)}
    for n, (stem, value) in enumerate(values.items()):
        (semantic / "label_images_semantic").mkdir(parents=True, exist_ok=True)
        (root / "RGB_color_image_masks" / "RGB_color_image_masks").mkdir(parents=True, exist_ok=True)
        Image.fromarray(value).save(semantic / "label_images_semantic" / f"{stem}.png")
        Image.fromarray(rgb[value]).save(root / "RGB_color_image_masks" / "RGB_color_image_masks" / f"{stem}.png")
        photo(semantic / "original_images" / f"{stem}.jpg", 24, 20, seed=n)
    colours = root / "RGB_color_image_masks" / "RGB_color_image_masks"
    result, said = said_by("convert", root, tmp_path / "voc")
    assert result.exit_code == 0, said
    assert (
        f"masks: {colours}: colours of the same images as {semantic / 'label_images_semantic'}'s values, not read "
        f"(labeltools convert {colours} NEW_FOLDER --images {semantic / 'original_images'} reads them)"
    ) in said, said
    assert f"classes: 4, {root / 'class_dict_seg.csv'}, numbered by row (row i is class i), the list the masks came with" in said, said
    assert sorted(p.stem for p in (tmp_path / "voc" / "SegmentationClass").iterdir()) == sorted(values)
    for stem, value in values.items():
        np.testing.assert_array_equal(labels(tmp_path / "voc", stem), value)
    again, said = said_by("convert", colours, tmp_path / "colours", "--images", semantic / "original_images")
    assert again.exit_code == 0, said
    for stem, value in values.items():
        np.testing.assert_array_equal(labels(tmp_path / "colours", stem), value)
    for stem, value in values.items():  # the colours saved as values too: which to read is the user's to say
        Image.fromarray(value).save(colours / f"{stem}.png")
    refused, said = said_by("convert", root, tmp_path / "both")
    assert refused.exit_code == 1 and f"masks of the same images ({semantic / 'original_images'}), values both: give the folder of the ones to read" in said, said


def test_grey_masks_whose_greys_are_their_lists_colours_are_read_by_colour(tmp_path: Path) -> None:
    """Kaggle's Massachusetts Roads: tiff/train/*.tiff images beside tiff/train_labels/*.tif
    masks, white roads on black saved in RGB, and label_class_dict.csv (background 0,0,0, road
    255,255,255) at the top, two folders above them: the list is found, the images too, and the
    white pixels are roads (read by their colours, said once), where their grey value 255 made
    every road void without a word; a grey mask of a list of names alone keeps its values."""
    root = tmp_path / "massachusetts"
    (root).mkdir()
    (root / "label_class_dict.csv").write_text("name,r,g,b\nbackground,0,0,0\nroad,255,255,255\n")
    rng = np.random.default_rng(11)
    expected = {}
    for split in ("train", "val"):
        for n in range(2):
            stem = f"{split[0]}{n}_15"
            roads = blocks(rng, 0, 2)
            (root / "tiff" / f"{split}_labels").mkdir(parents=True, exist_ok=True)
            Image.fromarray(np.repeat(roads[..., None] * 255, 3, axis=2)).save(root / "tiff" / f"{split}_labels" / f"{stem}.tif")
            (root / "tiff" / split).mkdir(exist_ok=True)
            Image.fromarray(rng.integers(0, 255, (20, 24, 3), np.uint8)).save(root / "tiff" / split / f"{stem}.tiff")
            expected[stem] = roads
    result, said = said_by("convert", root, tmp_path / "voc")
    assert result.exit_code == 0, said
    first = root / "tiff" / "train_labels" / "t0_15.tif"
    assert (
        f"classes: 2, {root / 'label_class_dict.csv'}, numbered by row (row i is class i), the list the masks came with; {first}: "
        "its greys are the table's colours of its classes (255, 255, 255 is class 1 'road'): read by its colours"
    ) in said, said
    assert "warning" not in said, said
    for stem, roads in expected.items():
        np.testing.assert_array_equal(labels(tmp_path / "voc", stem), roads)
    assert read_split(tmp_path / "voc", "val") == ["v0_15", "v1_15"]
    (root / "label_class_dict.csv").write_text("background\nroad\n")  # names alone: the greys are values (255 void), said so
    (root / "label_class_dict.csv").rename(root / "tiff" / "train_labels" / "class_names.txt")
    values, said = said_by("convert", root / "tiff" / "train_labels", tmp_path / "values", "--images", root / "tiff" / "train")
    assert values.exit_code == 0 and "read by its colours" not in said, said
    assert set(np.unique(labels(tmp_path / "values", "t0_15"))) <= {0, 255}


def test_labels_named_by_their_image_and_two_words_pair_with_it(tmp_path: Path) -> None:
    """BDD100K's semantic maps: seg/labels/<split>/<image>_train_id.png beside
    seg/images/<split>/<image>.jpg, mmsegmentation's seg_map_suffix '_train_id.png': each pairs
    with its image, whose name is its id (the ending of two words was no ending, and every mask
    failed, its image not found)."""
    root = tmp_path / "bdd100k"
    rng = np.random.default_rng(13)
    expected = {}
    for split in ("train", "val"):
        for n in range(2):
            stem = f"{split[0]}{n}c3f-8a1d22b7"
            values = blocks(rng, 0, 19)
            values[0] = 255
            (root / "seg" / "labels" / split).mkdir(parents=True, exist_ok=True)
            Image.fromarray(values).save(root / "seg" / "labels" / split / f"{stem}_train_id.png")
            photo(root / "seg" / "images" / split / f"{stem}.jpg", 24, 20, seed=n)
            expected[stem] = values
    result, said = said_by("convert", root, tmp_path / "voc", "-c", "cityscapes-train")
    assert result.exit_code == 0, said
    assert "labels: <image>_train_id.png, each beside its image's stem (mmsegmentation: seg_map_suffix='_train_id.png')" in said, said
    for stem, values in expected.items():
        np.testing.assert_array_equal(labels(tmp_path / "voc", stem), values)
    assert sorted(read_split(tmp_path / "voc", "val")) == [stem for stem in sorted(expected) if stem.startswith("v")]


def test_masks_beside_their_images_of_one_format_and_a_second_objects_mask_merge(tmp_path: Path) -> None:
    """The Breast Ultrasound Images dataset: benign/, malignant/, each holding PNG images beside
    their masks (benign (2).png, benign (2)_mask.png) and a second lesion's mask (benign
    (2)_mask_1.png), 0 and 255: the masks are found among their images (the folder was no
    folder of masks, and --from masks found none), each image's masks merged into one label,
    each image once; --resume converts an image again when its second mask changed."""
    from PIL import ImageDraw

    root = tmp_path / "Dataset_BUSI_with_GT"
    expected = {}
    for kind in ("benign", "malignant"):
        (root / kind).mkdir(parents=True)
        for n in (1, 2):
            stem = f"{kind} ({n})"
            photo(root / kind / f"{stem}.jpg", 40, 30, seed=n)
            Image.open(root / kind / f"{stem}.jpg").save(root / kind / f"{stem}.png")  # the dataset's images are PNGs
            (root / kind / f"{stem}.jpg").unlink()
            first = Image.new("L", (40, 30))
            ImageDraw.Draw(first).ellipse([4, 4, 18, 18], fill=255)
            first.save(root / kind / f"{stem}_mask.png")
            lesion = np.array(first) > 0
            if n == 2:
                second = Image.new("L", (40, 30))
                ImageDraw.Draw(second).rectangle([24, 10, 34, 24], fill=255)
                second.save(root / kind / f"{stem}_mask_1.png")
                lesion |= np.array(second) > 0
            expected[stem] = lesion.astype(np.uint8)
    (tmp_path / "classes.txt").write_text("background\nlesion\n")
    args = ("convert", root, tmp_path / "voc", "-c", tmp_path / "classes.txt", "-m", "0:0,255:1")
    result, said = said_by(*args)
    assert result.exit_code == 0, said
    assert f"masks: {root / 'benign'}: images {root / 'benign'} (the images among their masks, <image>_mask.png)" in said, said
    assert "1 mask(s) of an image's other objects (benign (2)_mask_1.png ...) merged into its first's" in said, said
    assert "without a mask" not in said and sorted(p.stem for p in (tmp_path / "voc" / "SegmentationClass").iterdir()) == sorted(expected)
    for stem, lesion in expected.items():
        np.testing.assert_array_equal(labels(tmp_path / "voc", stem), lesion)
    time.sleep(0.01)
    Image.new("L", (40, 30)).save(root / "benign" / "benign (2)_mask_1.png")  # the second lesion taken back
    resumed, said = said_by(*args, "--resume")
    assert resumed.exit_code == 0, said
    first_only = np.zeros((30, 40), np.uint8)
    first_only[np.array(Image.open(root / "benign" / "benign (2)_mask.png")) > 0] = 1
    np.testing.assert_array_equal(labels(tmp_path / "voc", "benign (2)"), first_only)
    Image.new("L", (20, 15)).save(root / "malignant" / "malignant (2)_mask_1.png")  # a second mask of another size: that image fails
    other, said = said_by(*args, "--overwrite")
    assert other.exit_code == 1 and (
        f"{root / 'malignant' / 'malignant (2)_mask_1.png'}: is 20x15 (width x height), and {root / 'malignant' / 'malignant (2)_mask.png'}, "
        "a mask of the same image, 40x30"
    ) in said, said


def test_cvc_clinicdbs_ground_truth_beside_its_original_images_converts(tmp_path: Path) -> None:
    """CVC-ClinicDB as it is downloaded: Original/1.tif beside Ground Truth/1.tif (0 and 255):
    the folder of masks is found by its name and its images beside it (no folder of masks was
    found, and --from masks found no images)."""
    from PIL import ImageDraw

    root = tmp_path / "CVC-ClinicDB"
    (root / "Original").mkdir(parents=True)
    (root / "Ground Truth").mkdir()
    expected = {}
    for n in (1, 2, 3):
        Image.fromarray(np.random.default_rng(n).integers(0, 255, (30, 40, 3), np.uint8)).save(root / "Original" / f"{n}.tif")
        polyp = Image.new("L", (40, 30))
        ImageDraw.Draw(polyp).ellipse([4 + n, 4, 20 + n, 20], fill=255)
        polyp.save(root / "Ground Truth" / f"{n}.tif")
        expected[str(n)] = (np.array(polyp) > 0).astype(np.uint8)
    (tmp_path / "classes.txt").write_text("background\npolyp\n")
    result, said = said_by("convert", root, tmp_path / "voc", "-c", tmp_path / "classes.txt", "-m", "0:0,255:1")
    assert result.exit_code == 0, said
    assert f"masks: {root / 'Ground Truth'}: images {root / 'Original'} (beside Ground Truth/)" in said, said
    for stem, polyp in expected.items():
        np.testing.assert_array_equal(labels(tmp_path / "voc", stem), polyp)


def test_a_split_word_among_a_folder_of_masks_words_is_its_split(tmp_path: Path) -> None:
    """LIP (Look into Person): TrainVal_parsing_annotations/train_segmentations and
    val_segmentations, their images in TrainVal_images/train_images and val_images: each
    folder's split is the split word among its words (its val images were drawn into train);
    the folder given, whatever its words, splits nothing."""
    root = tmp_path / "LIP_test_copy"  # the folder given: its words say no split
    rng = np.random.default_rng(17)
    for split in ("train", "val"):
        for n in range(2):
            stem = f"{split[0]}{n}0034_483681"
            (root / "TrainVal_parsing_annotations" / f"{split}_segmentations").mkdir(parents=True, exist_ok=True)
            Image.fromarray(blocks(rng, 0, 20)).save(root / "TrainVal_parsing_annotations" / f"{split}_segmentations" / f"{stem}.png")
            photo(root / "TrainVal_images" / f"{split}_images" / f"{stem}.jpg", 24, 20, seed=n)
    (tmp_path / "lip.txt").write_text("".join(f"class_{n}\n" for n in range(20)))
    result, said = said_by("convert", root, tmp_path / "voc", "-c", tmp_path / "lip.txt")
    assert result.exit_code == 0 and "split: their folders' own (train 2, val 2)" in said, said
    assert read_split(tmp_path / "voc", "val") == ["v00034_483681", "v10034_483681"]
    assert not (tmp_path / "voc" / "ImageSets" / "Segmentation" / "test.txt").exists()


def test_the_split_lists_a_dataset_of_masks_ships_are_its_splits(tmp_path: Path) -> None:
    """The Oxford-IIIT Pet dataset as it is downloaded: images/, annotations/trimaps/ (values 1
    pet, 2 background, 3 border) and annotations/trainval.txt and test.txt (the image's name
    first): its test images are kept out as test.txt, val drawn from its trainval; a split was
    drawn over every image, its test images trained on. A list of other names is none of
    theirs. (The macOS metadata files beside the trimaps, ._x.png, are no masks.)"""
    root = tmp_path / "oxford-iiit-pet"
    trimaps = root / "annotations" / "trimaps"
    trimaps.mkdir(parents=True)
    rng = np.random.default_rng(7)
    names = [f"{breed}_{n}" for breed in ("Abyssinian", "beagle") for n in range(1, 6)]
    for n, name in enumerate(names):
        Image.fromarray(blocks(rng, 1, 4)).save(trimaps / f"{name}.png")
        (trimaps / f"._{name}.png").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + bytes(60))
        photo(root / "images" / f"{name}.jpg", 24, 20, seed=n)
    test = names[1::3]
    (root / "annotations" / "trainval.txt").write_text("".join(f"{name} 1 1 1\n" for name in names if name not in test))
    (root / "annotations" / "test.txt").write_text("".join(f"{name} 2 2 1\n" for name in test))
    (tmp_path / "pets.txt").write_text("background\npet\nground\nborder\n")
    result, said = said_by("convert", root, tmp_path / "voc", "-c", tmp_path / "pets.txt")
    assert result.exit_code == 0, said
    lists = f"{root / 'annotations' / 'trainval.txt'}, {root / 'annotations' / 'test.txt'}"
    assert f"masks: {trimaps}: splits as {lists} list them" in said, said
    assert f"split: their split lists' own (train {len(names) - len(test)}, test {len(test)}), val drawn from its train" in said, said
    assert sorted(read_split(tmp_path / "voc", "test")) == sorted(test)
    trained = read_split(tmp_path / "voc", "train") + read_split(tmp_path / "voc", "val")
    assert sorted(trained) == sorted(name for name in names if name not in test) and read_split(tmp_path / "voc", "val")
    (root / "annotations" / "test.txt").write_text("".join(f"images/{name}.jpg\n" for name in test))  # a list of files: their stems
    by_files, said = said_by("convert", root, tmp_path / "by-files", "-c", tmp_path / "pets.txt")
    assert by_files.exit_code == 0 and sorted(read_split(tmp_path / "by-files", "test")) == sorted(test), said
    (root / "annotations" / "test.txt").write_text("cat_1 1 1 1\n")  # names no mask of theirs: no list of these masks
    (root / "annotations" / "trainval.txt").unlink()
    drawn, said = said_by("convert", root, tmp_path / "drawn", "-c", tmp_path / "pets.txt")
    assert drawn.exit_code == 0 and "splits as" not in said and not (tmp_path / "drawn" / "ImageSets" / "Segmentation" / "test.txt").exists(), said


def test_annotations_beside_masks_of_their_images_are_read_and_the_masks_named(tmp_path: Path) -> None:
    """A folder of labelme files that also holds masks/ of the same images (by stem): the
    annotations are read, and the masks are named as not read, with the option that reads them;
    masks of other images are not named; --from masks reads the masks."""
    from helpers import write_annotation

    root = tmp_path / "both"
    for stem in ("a", "b"):
        write_annotation(root, stem)
    masks_dataset(root, {"masks/a.png": "images/a.jpg", "masks/b.png": "images/b.jpg", "masks/other.png": "images/other.jpg"}, grey_mask)
    (root / "class_names.txt").write_text("background\ncat\ndog\n")
    done, said = said_by("convert", root, tmp_path / "voc", "-j", 1)
    assert done.exit_code == 0, done.stderr
    assert (
        f"info: {root / 'masks'}: holds masks of 2 of the annotated images too, not read: annotations come first "
        "(--from masks reads the masks instead)"
    ) in said, said
    assert sorted(read_split(tmp_path / "voc", "train") + read_split(tmp_path / "voc", "val")) == ["a", "b"]
    for stem in ("a", "b"):
        (root / "masks" / f"{stem}.png").unlink()
    alone = runner.invoke(app, ["convert", str(root), str(tmp_path / "voc2"), "-j", "1"])
    assert alone.exit_code == 0 and "not read" not in alone.stderr, alone.stderr
    masks = runner.invoke(app, ["convert", str(root), str(tmp_path / "from-masks"), "--from", "masks", "-j", "1"])
    assert masks.exit_code == 0, masks.stderr
    assert (labels(tmp_path / "from-masks", "other") == grey_mask(2)[1]).all()
    # a labelme folder named annotations/ (ADE20K's name for masks), as the README names it: the
    # image beside each annotation, of its stem, is its image, not a mask ("holds masks of 8")
    shutil.copytree(SAMPLE_DIR, tmp_path / "annotations")
    plain = runner.invoke(app, ["convert", str(tmp_path / "annotations"), str(tmp_path / "plain"), "-j", "1"])
    assert plain.exit_code == 0 and "holds masks" not in plain.stderr, plain.stderr


def test_binary_masks_of_0_and_255_are_said_and_read_by_an_index_map(tmp_path: Path) -> None:
    """Kaggle's images/ + masks/ of 0 and 255 (ISIC, Kvasir-SEG as PNG): without an index map
    their objects would be void, which is said before converting; --index-map 0:0,255:1 reads
    them as class 1. A mask without its image fails alone, an image without a mask is left out
    and said; masks without a class table, --instances, an index map for annotations and an
    export of masks are refused."""
    root = tmp_path / "kaggle"
    layout = {f"masks/{n:03d}.png": f"images/{n:03d}.png" for n in range(4)} | {"masks/lost.png": ""}
    expected = masks_dataset(root, layout, lambda n: grey_mask(n, (0, 255)))
    photo(root / "images" / "unlabelled.png", 16, 12, seed=9)
    refused = runner.invoke(app, ["convert", str(root), str(tmp_path / "none")])
    assert refused.exit_code == 1 and " ".join(refused.stderr.split()).endswith(
        f"error: {root / 'masks'}: the masks came with no class table (_classes.csv, class_dict.csv, label_colors.txt, "
        "id2label.json, classification.txt, class_names.txt or dataset_meta.json, beside them or in their dataset's folder): give theirs with -c "
        "(a preset, or a file naming class i on line i); labeltools stats on a folder of them lists the values they hold"
    ), refused.stderr
    (root / "classes.txt").write_text("background\nlesion\n")
    said = runner.invoke(app, ["convert", str(root), str(tmp_path / "void"), "-c", str(root / "classes.txt"), "-j", "1"])
    assert said.exit_code == 1, said.stderr  # the mask without its image
    flat = " ".join(said.stderr.split())
    assert (
        f"warning: {root / 'masks' / '000.png'} and the 4 mask(s) after it hold 0 and 255 alone, and 255 is void: if 255 "
        "marks objects (binary masks saved as 0/255), add --index-map 0:0,255:1 to read them as class 1"
    ) in flat
    assert f"info: masks: {root / 'masks'}: images {root / 'images'} (beside masks/); 1 image(s) without a mask left out (unlabelled.png)" in flat
    assert f"failed: {root / 'masks' / 'lost.png'}: no image lost.jpg (or .jpeg, .png, .tif, .tiff, .bmp, .webp) in {root / 'images'}" in flat
    assert (labels(tmp_path / "void", "000") == np.where(expected["masks/000.png"] == 255, 255, 0)).all()
    done = runner.invoke(app, ["convert", str(root), str(tmp_path / "voc"), "-c", str(root / "classes.txt"), "-m", "0:0,255:1", "-j", "1"])
    assert done.exit_code == 1 and "holds 0 and 255 alone" not in done.stderr and "converted 4, failed 1" in done.stderr
    for n in range(4):
        np.testing.assert_array_equal(labels(tmp_path / "voc", f"{n:03d}"), (expected[f"masks/{n:03d}.png"] == 255).astype(np.uint8))
    assert sorted(p.name for p in (tmp_path / "voc" / "JPEGImages").iterdir()) == [f"{n:03d}.jpg" for n in range(4)]
    photo(root / "images" / "001.png", 20, 12, seed=1)  # the image is wider than its mask
    resized = runner.invoke(app, ["convert", str(root), str(tmp_path / "voc"), "-m", "0:0,255:1", "--resume", "-j", "1"])
    assert resized.exit_code == 1 and (
        f"failed: {root / 'masks' / '001.png'}: the mask is 16x12 (width x height) and its image {root / 'images' / '001.png'} 20x12: "
        "a mask covers its image pixel for pixel"
    ) in " ".join(resized.stderr.split())
    with pytest.raises(DatasetError, match="masks of classes tell no instances apart: leave out --instances"):
        convert_labelme(root, tmp_path / "instances", root / "classes.txt", options=ConvertOptions(instances=True))
    coco = coco_export(tmp_path / "coco", images=1)
    from labeltools.ops.remap import IndexMap

    with pytest.raises(DatasetError, match="an index map rewrites the values of masks, and the inputs are coco annotations, which hold shapes"):
        convert_labelme(coco, tmp_path / "mapped", options=ConvertOptions(index_map=IndexMap.load("0:0,255:1")))
    exported = runner.invoke(app, ["export", str(root), "--to", "coco", "-d", str(tmp_path / "exported")])
    assert exported.exit_code == 1 and "masks of classes hold no objects: convert them into a VOC dataset" in exported.stderr
    for command in (["check", str(root)], ["stats", str(root)], ["diff", str(root), str(root)]):  # the dataset's folder, not its masks'
        pointed = runner.invoke(app, command)
        assert pointed.exit_code == 1 and " ".join(pointed.stderr.split()).endswith(
            f"; its masks are in {root / 'masks'}: give that folder, or labeltools convert {shlex.quote(str(root))} NEW_FOLDER makes a VOC dataset of them"
        ), (command, pointed.stderr)


def test_a_folder_of_annotations_given_to_a_dataset_command_is_sent_to_convert(tmp_path: Path) -> None:
    """A new user's first try: ``stats`` (or check, weights, report, diff, evaluate) on the
    folder of labelme files, or of another tool's export, or on one such file. Each names what
    it holds and the command that makes label maps of it, where it said only that no label map
    was there (of a file: "not a VOC dataset folder")."""
    labelme = tmp_path / "annotations"
    shutil.copytree(SAMPLE_DIR, labelme)
    coco = coco_export(tmp_path / "coco", images=1)
    to_convert = f"labeltools convert {shlex.quote(str(labelme))} NEW_FOLDER makes a VOC dataset of them"
    commands = (
        ["stats", labelme], ["check", labelme], ["weights", labelme, "-o", tmp_path / "w.npy"],
        ["report", labelme, "-o", tmp_path / "r.html"], ["diff", labelme, labelme], ["evaluate", labelme, labelme, "-n", "3"],
    )  # fmt: skip
    for command in commands:
        result = runner.invoke(app, [str(part) for part in command])
        said = " ".join(result.stderr.split())
        assert result.exit_code == 1 and said.endswith(f"; it holds 8 labelme annotation(s), not label maps: {to_convert}"), (command, said)
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
    annotations = coco.parent  # its instances_val.json
    said = " ".join(runner.invoke(app, ["stats", str(annotations)]).stderr.split())
    assert said.endswith(
        f"; it holds 1 .json file(s), not label maps: if they are annotations (labelme's, or an export of COCO, CVAT, "
        f"Datumaro, Label Studio, Cityscapes, ISAT), labeltools convert {shlex.quote(str(annotations))} NEW_FOLDER makes a VOC dataset of them"
    ), said
    one = labelme / "street_01.json"
    said = " ".join(runner.invoke(app, ["stats", str(one)]).stderr.split())
    assert said == f"error: {one}: a file, not a folder; it is a labelme annotation, not a label map: labeltools convert {shlex.quote(str(one))} NEW_FOLDER makes a VOC dataset of it", said
    said = " ".join(runner.invoke(app, ["weights", str(coco), "-o", str(tmp_path / "w.npy")]).stderr.split())
    assert said.endswith(
        f"{coco}: a file, not a folder; if it holds annotations (labelme's, or an export of COCO, CVAT, Datumaro, Label Studio, "
        f"Cityscapes, ISAT), labeltools convert {shlex.quote(str(coco))} NEW_FOLDER makes a VOC dataset of it"
    ), said
    assert runner.invoke(app, ["convert", str(labelme), str(tmp_path / "voc"), "-j", "1"]).exit_code == 0  # as said
    assert runner.invoke(app, ["stats", str(tmp_path / "voc")]).exit_code == 0


def test_a_folder_of_photos_given_to_convert_is_named_as_photos(tmp_path: Path) -> None:
    """The folder of photos alone, given to ``convert`` (its annotations elsewhere, or not made
    yet), was sent to ``--from masks``, which called the photos JPEG masks to read by ranges of
    values: both name them as photos and what to give. Photos beside masks of a folder named
    otherwise are still found and read."""
    photos = tmp_path / "photos"
    photos.mkdir()
    for image in sorted(SAMPLE_DIR.glob("*.jpg"))[:3]:
        shutil.copy(image, photos / image.name)
    said = (
        f"{photos / 'street_01.jpg'}: a photo (of hundreds of colours or more, no few of them covering most of it), not a "
        "mask nor an annotation: give the annotations made of the photos (labelme's .json files, an export), or the folder "
        "of their masks"
    )
    for extra in ([], ["--from", "masks"]):
        result = runner.invoke(app, ["convert", str(photos), str(tmp_path / "out"), "-j", "1", *extra])
        assert result.exit_code == 1 and " ".join(result.stderr.split()).endswith(said), (extra, result.stderr)
        assert not (tmp_path / "out").exists()
    held = (
        "; it holds 3 photo(s) (street_01.jpg: of hundreds of colours or more, no few of them covering most of it), not "
        "label maps: labeltools convert makes label maps of the annotations made of them"
    )
    for command in (["stats", str(photos)], ["evaluate", str(photos), str(photos), "-n", "3"]):  # and the dataset commands
        result = runner.invoke(app, command)
        assert result.exit_code == 1 and " ".join(result.stderr.split()).endswith(held), (command, result.stderr)
    labels = tmp_path / "gt"  # masks in a folder no rule names
    labels.mkdir()
    for image in photos.iterdir():
        with Image.open(image) as opened:
            Image.new("L", opened.size, 0).save(labels / f"{image.stem}.png")
    result = runner.invoke(app, ["convert", str(tmp_path), str(tmp_path / "out"), "-c", "voc", "-j", "1"])
    assert result.exit_code == 0 and "a photo" not in result.stderr, result.stderr
    assert len(read_split(tmp_path / "out", "trainval")) == 3


def test_masks_kept_as_arrays_are_named_with_the_way_to_convert_them(tmp_path: Path) -> None:
    """A dataset of images and ``np.save`` masks (``masks/*.npy``): convert found no masks and
    sent the user to ``--from masks``, which found none either. Both name the arrays and the
    colorize line that makes label PNGs of them, which convert then reads beside the images."""
    (tmp_path / "images").mkdir()
    (tmp_path / "masks").mkdir()
    truths = {}
    for i in range(3):
        Image.fromarray(np.full((12, 16, 3), 40 * i, np.uint8)).save(tmp_path / "images" / f"{i:03d}.jpg")
        truths[f"{i:03d}"] = np.zeros((12, 16), np.int64)
        truths[f"{i:03d}"][2:8, 3:10] = 1 + i % 2
        np.save(tmp_path / "masks" / f"{i:03d}.npy", truths[f"{i:03d}"])
    masks = tmp_path / "masks"
    said = (
        f"; {masks} holds masks as .npy arrays (000.npy): labeltools colorize {shlex.quote(str(masks))} -d masks_png writes them as label PNGs, "
        "which convert reads beside their images"
    )
    for extra in ([], ["--from", "masks"]):
        result = runner.invoke(app, ["convert", str(tmp_path), str(tmp_path / "out"), "-j", "1", *extra])
        assert result.exit_code == 1 and " ".join(result.stderr.split()).endswith(said), (extra, result.stderr)
    assert runner.invoke(app, ["colorize", str(masks), "-d", str(tmp_path / "masks_png"), "-j", "1"]).exit_code == 0
    result = runner.invoke(app, ["convert", str(tmp_path), str(tmp_path / "out"), "-c", "voc", "-j", "1"])
    assert result.exit_code == 0, result.output
    for image_id, truth in truths.items():
        np.testing.assert_array_equal(read_label(tmp_path / "out" / "SegmentationClass" / f"{image_id}.png"), truth)


def test_a_table_whose_class_0_the_shapes_draw_is_said(tmp_path: Path) -> None:
    """A plain list of names given for annotations (``road`` on its first line, labelme's header
    lines left out), or a table of train ids (``cityscapes-train``: road is 0): road was painted
    0, the value of every pixel no shape covers, and an export left its objects out as
    background, without a word. Both say so once, naming the files; a table whose class 0 is
    the background by name, and the annotations' own, say nothing."""
    plain = tmp_path / "plain.txt"
    plain.write_text("road\ncar\nperson\ntree\nbush\npole\ntraffic_light\nlane_marking\n")
    said = (
        "file(s) draw 'road', class 0 of {table}, and 0 is also where no shape is drawn: {made} (street_01, street_02, "
        "street_03 ...); a table that lists the background first keeps them apart (a 'background' line first, or labelme's "
        "'__ignore__' and '_background_' lines)"
    )
    drawn = sum(any(s["label"] == "road" for s in json.loads(f.read_text())["shapes"]) for f in SAMPLE_DIR.glob("*.json"))
    result = runner.invoke(app, ["convert", str(SAMPLE_DIR), str(tmp_path / "plain"), "-c", str(plain), "-j", "1"])
    assert result.exit_code == 0, result.output
    made = said.format(table=plain, made="their pixels are one class in the labels")
    assert f"warning: {drawn} {made}" in " ".join(result.stderr.split()), result.stderr
    result = runner.invoke(app, ["export", str(SAMPLE_DIR), "--to", "coco", "-c", str(plain), "-d", str(tmp_path / "coco"), "-j", "1"])
    assert result.exit_code == 0, result.output
    made = said.format(table=plain, made="their shapes of it are left out, as background is")
    assert f"warning: {drawn} {made}" in " ".join(result.stderr.split()), result.stderr
    result = runner.invoke(app, ["convert", str(SAMPLE_DIR), str(tmp_path / "train"), "-c", "cityscapes-train", "--unknown", "ignore", "-j", "1"])
    assert result.exit_code == 0 and "class 0 of the cityscapes-train preset" in result.stderr, result.stderr
    coco = coco_export(tmp_path / "coco-export", images=4)
    (tmp_path / "cars.txt").write_text("car\nperson\ntree\n")  # a COCO export's, by its category names
    result = runner.invoke(app, ["convert", str(coco), str(tmp_path / "cars"), "-c", str(tmp_path / "cars.txt"), "-j", "1"])
    assert result.exit_code == 0 and "draw 'car', class 0 of" in " ".join(result.stderr.split()), result.stderr
    (tmp_path / "named.txt").write_text("background\n" + plain.read_text())
    for table in (str(tmp_path / "named.txt"), None):
        result = runner.invoke(app, ["convert", str(SAMPLE_DIR), str(tmp_path / f"ok{table is None}"), *(["-c", table] if table else []), "-j", "1"])
        assert result.exit_code == 0 and "class 0 of" not in result.stderr, result.stderr


def test_ade20k_and_mmsegmentation_layouts_convert_with_their_splits(tmp_path: Path) -> None:
    """ADE20K as shipped (annotations/training beside images/training, no class list) and an
    mmsegmentation layout (ann_dir/val beside img_dir/val): the class table given is used, each
    folder's split kept (training -> train, validation -> val), the labels as they are."""
    ade = tmp_path / "ADEChallengeData2016"
    layout = {f"annotations/{split}/ADE_{split[:5]}_{n:08d}.png": f"images/{split}/ADE_{split[:5]}_{n:08d}.jpg" for split in ("training", "validation") for n in range(2)}
    expected = masks_dataset(ade, layout, lambda n: grey_mask(n, (1, 3, 150)))
    refused = runner.invoke(app, ["convert", str(ade), str(tmp_path / "none")])
    assert refused.exit_code == 1 and "the masks came with no class table" in refused.stderr
    conversion, results = convert(ade, tmp_path / "voc", "ade20k", options=ConvertOptions())
    assert all(r.ok for r in results) and conversion.classes.names[:2] == ["other", "wall"]
    for mask_path, values in expected.items():
        np.testing.assert_array_equal(labels(tmp_path / "voc", Path(mask_path).stem), values)
    assert read_split(tmp_path / "voc", "train") == ["ADE_train_00000000", "ADE_train_00000001"]
    assert read_split(tmp_path / "voc", "val") == ["ADE_valid_00000000", "ADE_valid_00000001"]
    _, results = convert(ade, tmp_path / "voc21", "voc", options=ConvertOptions())  # 150 is no class of VOC's
    mask = ade / "annotations" / "training" / "ADE_train_00000000.png"
    assert results[0].error == (
        f"{mask}: holds value(s) that are no class of the class table (voc preset): 150 x 16 "
        "(add them, or choose what to do with unknown values: --unknown)"
    )
    _, results = convert(ade, tmp_path / "voc21", "voc", options=ConvertOptions(unknown="ignore"), overwrite=True)
    assert all(r.ok for r in results) and (labels(tmp_path / "voc21", "ADE_train_00000000") == np.where(expected[str(mask.relative_to(ade))] == 150, 255, expected[str(mask.relative_to(ade))])).all()
    mmseg = tmp_path / "mmseg"
    layout = {f"ann_dir/{split}/{n}.png": f"img_dir/{split}/{n}.jpg" for split in ("train", "val") for n in range(2)}
    masks_dataset(mmseg, layout, grey_mask)
    clash = runner.invoke(app, ["convert", str(mmseg), str(tmp_path / "clash"), "-c", "voc"])
    assert clash.exit_code == 1 and "2 output id(s) would be written by more than one image (use --flatten-names" in clash.stderr
    conversion, results = convert(mmseg, tmp_path / "flat", "voc", options=ConvertOptions(), flatten_names=True)
    assert all(r.ok for r in results) and read_split(tmp_path / "flat", "val") == ["ann_dir_val_0", "ann_dir_val_1"]


def test_the_folders_of_masks_a_download_holds_and_their_splits(tmp_path: Path) -> None:
    from labeltools.formats.folders import folder_split, mask_folders
    from labeltools.ops.splits import own_split

    tmp_path = tmp_path / "downloads_of_masks"  # the name of the folder given counts only whole
    for folder in ("data/images", "data/masks", "camvid/train", "camvid/train_labels", "rf/valid", "ade/annotations/validation", "ade/images/validation", "loose", "masks/val", "masks/images", "kitti/semantic", "a2d2/camera_lidar_semantic/camera"):
        (tmp_path / folder).mkdir(parents=True)
        Image.new("L", (2, 2)).save(tmp_path / folder / "a.png")
    Image.new("RGB", (2, 2)).save(tmp_path / "rf" / "valid" / "b.jpg")
    Image.new("L", (2, 2)).save(tmp_path / "rf" / "valid" / "b_mask.png")
    (tmp_path / "rf" / "valid" / "a.png").unlink()
    assert mask_folders(tmp_path) == [tmp_path / f for f in ("ade/annotations/validation", "camvid/train_labels", "data/masks", "kitti/semantic", "masks/val", "rf/valid")]
    assert mask_folders(tmp_path / "loose") == [] and mask_folders(tmp_path / "data" / "masks") == [tmp_path / "data" / "masks"]
    assert mask_folders(tmp_path / "masks") == [tmp_path / "masks" / "val"]
    splits = {f: folder_split(tmp_path / f, tmp_path, own_split) for f in ("ade/annotations/validation", "camvid/train_labels", "data/masks", "rf/valid")}
    assert splits == {"ade/annotations/validation": "val", "camvid/train_labels": "train", "data/masks": None, "rf/valid": "val"}
    assert folder_split(tmp_path / "data" / "masks", tmp_path / "data" / "masks", own_split) is None


def test_masks_named_by_their_images_convert_as_coco_stuff_and_isic_download(tmp_path: Path) -> None:
    """COCO-Stuff as downloaded (stuffthingmaps_trainval2017/<split> beside COCO's <split>/) and
    ISIC's (<image>_segmentation.png in ..._GroundTruth beside ..._Input) name their folders by
    nothing that says masks: convert found no folder of masks, and its hint (--from masks)
    refused too. A folder of PNGs named by the JPEG images of another folder of the input is
    their masks, said; -m coco-stuff writes the coco-stuff-train preset's classes, said; -c
    coco-stuff (label ids with gaps) names that way, and a table the map contradicts is refused."""
    coco = tmp_path / "coco"
    layout = {f"stuffthingmaps_trainval2017/{split}/{n:012d}.png": f"{split}/{n:012d}.jpg" for split, ns in (("train2017", (9, 25)), ("val2017", (139,))) for n in ns}
    label_ids = {e.index: e.target for e in ClassTable.preset("coco-stuff").classes}
    expected = masks_dataset(coco, layout, lambda n: grey_mask(n, (0, 93, 181)))
    (coco / "stuffthingmaps_trainval2017" / "README.txt").write_text("COCO-Stuff")
    result, said = said_by("convert", coco, tmp_path / "voc", "-m", "coco-stuff")
    assert result.exit_code == 0, said
    for split in ("train2017", "val2017"):
        assert f"masks: {coco / 'stuffthingmaps_trainval2017' / split}: images {coco / split} (the JPEG images the masks are named by)" in said
    assert "classes: 171, coco-stuff-train preset (COCO-Stuff classes 0..170 as trained, 255 void), the classes the index map" in said
    for mask_path, values in expected.items():
        np.testing.assert_array_equal(labels(tmp_path / "voc", Path(mask_path).stem), np.vectorize(label_ids.get)(values))
    assert read_split(tmp_path / "voc", "val") == ["000000000139"]
    result, said = said_by("convert", coco, tmp_path / "ids", "-c", "coco-stuff")
    assert result.exit_code == 1 and "indices [11, 25, 28, 29, 44] have no class" in said
    assert "-m coco-stuff reads COCO-Stuff's label ids as the coco-stuff-train preset's classes" in said
    result, said = said_by("convert", coco, tmp_path / "ids", "-c", "voc", "-m", "coco-stuff")
    assert result.exit_code == 1 and "writes the classes of the coco-stuff-train preset, and the class table is the voc preset" in said
    assert not (tmp_path / "ids").exists()
    recorded = tmp_path / "recorded"  # a dataset whose record names other classes, converted again
    recorded.mkdir()
    (recorded / "class_names.txt").write_text("background\nroad\n")
    result, said = said_by("convert", coco, recorded, "-m", "coco-stuff", "--overwrite")
    assert result.exit_code == 1 and said.endswith(
        "error: the index map (coco-stuff label ids -> train ids) writes the classes of the coco-stuff-train preset, "
        f"and the dataset's class table is {recorded / 'class_names.txt'}: --classes coco-stuff-train replaces it"
    ), said
    result, said = said_by("convert", coco / "stuffthingmaps_trainval2017", tmp_path / "given", "--from", "masks", "-m", "coco-stuff")
    assert result.exit_code == 0 and f"images {coco / 'val2017'} (the JPEG images" in said  # the images beside the folder given

    isic = tmp_path / "isic"
    layout = {f"ISIC2018_Task1_Training_GroundTruth/ISIC_{n:07d}_segmentation.png": f"ISIC2018_Task1-2_Training_Input/ISIC_{n:07d}.jpg" for n in range(3)}
    expected = masks_dataset(isic, layout, lambda n: grey_mask(n, (0, 255)))
    (isic / "ISIC2018_Task1-2_Training_Input" / "ATTRIBUTION.txt").write_text("ISIC")
    (tmp_path / "lesion.txt").write_text("background\nlesion\n")
    result, said = said_by("convert", isic, tmp_path / "isic-voc", "-m", "0:0,255:1", "-c", tmp_path / "lesion.txt")
    assert result.exit_code == 0, said
    assert "labels: <image>_segmentation.png, each beside its image's stem" in said
    for mask_path, values in expected.items():
        image_id = Path(mask_path).stem.removesuffix("_segmentation")
        np.testing.assert_array_equal(labels(tmp_path / "isic-voc", image_id), values // 255)
        assert (tmp_path / "isic-voc" / "JPEGImages" / f"{image_id}.jpg").read_bytes() == (isic / layout[mask_path]).read_bytes()
    checked, said = said_by("check", isic / "ISIC2018_Task1_Training_GroundTruth", "-c", tmp_path / "lesion.txt")  # its images found as convert finds them
    assert f"images: {isic / 'ISIC2018_Task1-2_Training_Input'} (the JPEG images the masks are named by)" in said, said


def test_kittis_semantic_maps_convert_beside_image_2_without_their_colours(tmp_path: Path) -> None:
    """KITTI's semantics release (training/semantic/ of Cityscapes label ids beside image_2/ of
    PNG photos, semantic_rgb/ their colours, instance/ 16-bit) was found by nothing but --from
    masks, which took the photos for masks too. semantic/ pairs with image_2/, semantic_rgb/ is
    said and not read, and -m cityscapes gives the train ids; --from masks leaves photos out."""
    from labeltools.formats.folders import folders_holding_masks

    training = tmp_path / "kitti" / "training"
    ids = {e.index: e.target for e in ClassTable.preset("cityscapes").classes if e.index >= 0}
    colours = {e.index: e.color for e in ClassTable.preset("cityscapes").classes if e.index >= 0}
    expected = {}
    for n in range(2):
        values = np.full((6, 8), 7, np.uint8)
        values[:2, n:] = 23
        values[4:, : 3 + n] = 26
        name = f"{n:06d}_10.png"
        photo(training / "image_2" / name, 8, 6, seed=n)
        (training / "semantic").mkdir(exist_ok=True)
        Image.fromarray(values).save(training / "semantic" / name)
        (training / "semantic_rgb").mkdir(exist_ok=True)
        Image.fromarray(np.array([[colours[v] for v in row] for row in values], np.uint8)).save(training / "semantic_rgb" / name)
        (training / "instance").mkdir(exist_ok=True)
        Image.fromarray(values.astype(np.uint16) * 256).save(training / "instance" / name)
        expected[name.removesuffix(".png")] = np.vectorize(ids.get)(values)
    result, said = said_by("convert", tmp_path / "kitti", tmp_path / "voc", "-m", "cityscapes")
    assert result.exit_code == 0, said
    assert f"masks: {training / 'semantic'}: images {training / 'image_2'} (beside semantic/); semantic_rgb/ beside them, their colours, not read" in said
    assert "classes: 19, cityscapes-train preset" in said
    for image_id, values in expected.items():
        np.testing.assert_array_equal(labels(tmp_path / "voc", image_id), values)
    assert sorted(p.name for p in (tmp_path / "voc" / "SegmentationClass").iterdir()) == ["000000_10.png", "000001_10.png"]
    assert folders_holding_masks(training) == [training / "instance", training / "semantic"]


def test_a_kitti_export_of_its_own_labels_converts_by_its_label_colors(tmp_path: Path) -> None:
    """Datumaro's (and CVAT's) "KITTI" export of a task's own labels keeps them in
    label_colors.txt above its subsets' folders (<subset>/semantic beside <subset>/image_2):
    it was not found ("the masks came with no class table"). It is, said, and the label maps
    equal the masks Datumaro was given."""
    from consumers import run_in

    (tmp_path / "elsewhere").mkdir()
    done = run_in("datumaro", DATUMARO_OWN_LABELS_EXPORT, tmp_path / "elsewhere", str(tmp_path / "export"), str(tmp_path / "truth"), "kitti")
    assert done.returncode == 0, done.stderr[-3000:]
    result, said = said_by("convert", tmp_path / "export", tmp_path / "voc", "-j", 1)
    assert result.exit_code == 0, said
    assert f"classes: 4, {tmp_path / 'export' / 'label_colors.txt'}, numbered by row (row i is class i), the list the masks came with" in said
    truths = sorted((tmp_path / "truth").glob("*.npy"))
    assert len(truths) == 3
    for truth in truths:
        np.testing.assert_array_equal(labels(tmp_path / "voc", truth.stem), np.load(truth), err_msg=truth.stem)


def test_a_voc_dataset_in_a_folder_is_not_masks_of_its_images(tmp_path: Path) -> None:
    """A VOC dataset's SegmentationClass/ and SegmentationObject/ are named by its JPEGImages/,
    and are no folders of masks a download holds: convert of the folder above it finds none;
    nor are PNG copies of photos named by them."""
    from labeltools.formats.folders import folders_holding_masks, mask_folders

    voc = tmp_path / "data" / "VOC2012"
    masks_dataset(voc, {f"{kind}/{n}.png": f"JPEGImages/{n}.jpg" for kind in ("SegmentationClass", "SegmentationObject") for n in ("a", "b")}, grey_mask)
    masks_dataset(tmp_path / "data" / "other", {"stuff/a.png": "photos/a.jpg"}, grey_mask)
    photo(tmp_path / "data" / "other" / "copies" / "a.png", 24, 16, seed=1)  # a PNG copy of a photo is no mask
    assert mask_folders(tmp_path / "data") == [tmp_path / "data" / "other" / "stuff"]
    assert folders_holding_masks(tmp_path / "data" / "other") == [tmp_path / "data" / "other" / "stuff"]  # --from masks


def test_a_class_table_that_renames_the_masks_own_is_refused(tmp_path: Path) -> None:
    """Index masks that came with a list of their classes, given -c voc, became aeroplanes and
    bicycles with no word; and a dataset's recorded table under --overwrite renamed them the
    same way. The list the masks came with names their values: a table that names them
    otherwise is refused, one that names more classes (shared by several datasets) is not,
    and under --overwrite the masks' list replaces a recorded table it contradicts, said."""
    expected = masks_dataset(tmp_path / "road", {"masks/a.png": "images/a.jpg", "masks/b.png": "images/b.jpg"}, grey_mask)
    (tmp_path / "road" / "class_names.txt").write_text("background\ncrack\npothole\n")
    out = tmp_path / "voc"
    renamed, said = said_by("convert", tmp_path / "road", out, "-c", "voc")
    assert renamed.exit_code == 1 and not out.exists(), said
    assert (
        f"error: voc preset calls class 1 'aeroplane', {tmp_path / 'road' / 'class_names.txt'} calls it 'crack': the masks' values "
        "are the classes of the list they came with, which --classes would rename: leave out --classes (that list is the class table), or mend one"
    ) in said, said
    (tmp_path / "wider.txt").write_text("background\ncrack\npothole\nrut\n")
    wider, said = said_by("convert", tmp_path / "road", out, "-c", tmp_path / "wider.txt", "-j", 1)
    assert wider.exit_code == 0 and (out / "class_names.txt").read_text().split() == ["background", "crack", "pothole", "rut"], said
    again, said = said_by("convert", tmp_path / "road", out, "--overwrite", "-j", 1)  # the recorded table names them alike
    assert again.exit_code == 0 and f"classes: 4, the class table recorded in {out / 'class_names.txt'}" in said, said
    (tmp_path / "road" / "class_names.txt").write_text("background\nrut\ncrack\n")  # the masks' list changed
    resumed, said = said_by("convert", tmp_path / "road", out, "--resume")
    assert resumed.exit_code == 1 and (
        f"the class table differs from the one this run uses (gone: pothole; moved: rut (3 to 1), crack (1 to 2)); resuming would mix class ids: the masks' "
        f"values are the classes of {tmp_path / 'road' / 'class_names.txt'}: pass --overwrite to convert everything again with it"
    ) in said, said
    assert (out / "class_names.txt").read_text().split() == ["background", "crack", "pothole", "rut"]
    again, said = said_by("convert", tmp_path / "road", out, "--overwrite", "-j", 1)
    assert again.exit_code == 0, said
    assert f"classes: 3, {tmp_path / 'road' / 'class_names.txt'}, the list the masks came with, replacing the one recorded in {out / 'class_names.txt'} (gone: pothole; moved: rut (3 to 1), crack (1 to 2))" in said, said
    assert (out / "class_names.txt").read_text().split() == ["background", "rut", "crack"]
    for name in ("a", "b"):
        np.testing.assert_array_equal(labels(out, name), expected[f"masks/{name}.png"])


def test_jpeg_masks_are_read_by_ranges_of_values(tmp_path: Path) -> None:
    """Kvasir-SEG ships its masks as JPEGs (images/ + masks/, grey saved as RGB): refused without
    an index map, as compression shifts their values along every edge; ranges read them."""
    from PIL import ImageDraw

    root = tmp_path / "Kvasir-SEG"
    expected = {}
    for n in range(3):
        photo(root / "images" / f"cju{n}.jpg", 40, 30, seed=n)
        mask = Image.new("L", (40, 30))
        ImageDraw.Draw(mask).rectangle([4 + n, 6, 30, 24], fill=255)
        (root / "masks").mkdir(exist_ok=True)
        mask.convert("RGB").save(root / "masks" / f"cju{n}.jpg", quality=75)
        expected[f"cju{n}"] = (np.asarray(Image.open(root / "masks" / f"cju{n}.jpg"))[..., 0] >= 128).astype(np.uint8)
    (root / "classes.txt").write_text("background\npolyp\n")
    refused = runner.invoke(app, ["convert", str(root), str(tmp_path / "none"), "-c", str(root / "classes.txt")])
    assert refused.exit_code == 1 and " ".join(refused.stderr.split()).endswith(
        f"error: {root / 'masks' / 'cju0.jpg'}: is a JPEG mask (3 in all), whose compression shifts its values along every edge: "
        "read them by ranges of values, --index-map 0-127:0,128-255:1 for masks of 0 and 255"
    ), refused.stderr
    done = runner.invoke(app, ["convert", str(root), str(tmp_path / "voc"), "-c", str(root / "classes.txt"), "-m", "0-127:0,128-255:1", "-j", "1"])
    assert done.exit_code == 0, done.stderr
    for image_id, values in expected.items():
        assert 0 < values.sum() < values.size
        np.testing.assert_array_equal(labels(tmp_path / "voc", image_id), values)
    for mask in sorted((root / "masks").glob("*.jpg")):  # the same JPEGs renamed .png, as people do
        mask.rename(mask.with_suffix(".png"))
    refused = runner.invoke(app, ["convert", str(root), str(tmp_path / "renamed"), "-c", str(root / "classes.txt")])
    assert refused.exit_code == 1 and " ".join(refused.stderr.split()).endswith(
        f"error: {root / 'masks' / 'cju0.png'}: is a JPEG mask (named .png, the first of 3), whose compression shifts its "
        "values along every edge: read them by ranges of values, --index-map 0-127:0,128-255:1 for masks of 0 and 255"
    ), refused.stderr
    assert not (tmp_path / "renamed").exists()
    done = runner.invoke(app, ["convert", str(root), str(tmp_path / "voc2"), "-c", str(root / "classes.txt"), "-m", "0-127:0,128-255:1", "-j", "1"])
    assert done.exit_code == 0, done.stderr
    for image_id, values in expected.items():
        np.testing.assert_array_equal(labels(tmp_path / "voc2", image_id), values)


DATUMARO_CLASS_MAPS = """
import sys
from pathlib import Path
import numpy as np
from datumaro.components.dataset import Dataset

source, out, format_name = sys.argv[1:4]
Path(out).mkdir()
for item in Dataset.import_from(source, format_name):
    classes = None
    for mask in item.annotations:
        if classes is None:
            classes = np.full(mask.image.shape, 255, np.uint8)
        classes[mask.image.astype(bool)] = mask.label
    np.save(Path(out) / f"{item.id}.npy", classes)
"""


def test_datumaros_common_semantic_segmentation_converts_as_datumaro_reads_it(tmp_path: Path) -> None:
    """Datumaro's (and OpenVINO's) "common semantic segmentation" layout: images/ and masks/
    beside a dataset_meta.json whose colours colour the masks; a second dataset of index masks
    with class_names.txt above them. Each label map equals Datumaro's own import of the folder,
    two masks saved as palette images numbering the colours in an editor's own order among them
    (read by their colours, as Datumaro reads them, and said); the table is the dataset's own
    record, found above the masks."""
    from consumers import run_in

    colours = {0: (0, 0, 0), 1: (250, 50, 83), 2: (131, 224, 112), 3: (24, 8, 200)}
    root = tmp_path / "css"
    root.mkdir()
    (root / "dataset_meta.json").write_text(json.dumps({
        "label_map": {"0": "background", "1": "car", "2": "road", "3": "sky"},
        "segmentation_colors": [list(colours[i]) for i in range(4)],
    }))  # fmt: skip
    rng = np.random.default_rng(5)

    editor_order = np.array([0, 3, 1, 2], np.uint8)  # an indexed save's entry i shows class editor_order[i]

    def colour_mask(n: int) -> tuple[np.ndarray | Image.Image, np.ndarray]:
        values = rng.integers(0, 4, (3, 4)).repeat(5, 0).repeat(6, 1).astype(np.uint8)  # blocks of classes
        if n >= 3:
            indexed = Image.fromarray(np.argsort(editor_order).astype(np.uint8)[values], "P")
            indexed.putpalette([c for entry in editor_order for c in colours[int(entry)]])
            return indexed, values
        saved = np.zeros((*values.shape, 3), np.uint8)
        for value, colour in colours.items():
            saved[values == value] = colour
        return saved, values

    masks_dataset(root, {f"masks/im{n}.png": f"images/im{n}.jpg" for n in range(5)}, colour_mask)
    (tmp_path / "elsewhere").mkdir()
    done = run_in("datumaro", DATUMARO_CLASS_MAPS, tmp_path / "elsewhere", str(root), str(tmp_path / "reference"), "common_semantic_segmentation")
    assert done.returncode == 0, done.stderr[-3000:]
    conversion, results = convert(root, tmp_path / "voc", options=ConvertOptions())
    assert all(r.ok for r in results) and conversion.classes.names == ["background", "car", "road", "sky"]
    said = sorted(w for r in results for w in r.warnings)
    assert said == [
        f"{root / 'masks' / f'im{n}.png'}: its palette shows value 1 in the colour of class 3 'sky' (#1808c8), "
        "not in class 1's: read by its colours, as it shows, not by its values" for n in (3, 4)
    ], said
    assert conversion.classes_chosen.startswith(f"{root / 'dataset_meta.json'}")
    references = sorted((tmp_path / "reference").glob("*.npy"))
    assert len(references) == 5
    for reference in references:
        np.testing.assert_array_equal(labels(tmp_path / "voc", reference.stem), np.load(reference), err_msg=reference.stem)
    index = tmp_path / "index"  # masks of values, their classes one level up
    masks_dataset(index, {f"masks/im{n}.png": f"images/im{n}.jpg" for n in range(2)}, grey_mask)
    (index / "class_names.txt").write_text("background\ncat\ndog\n")
    conversion, results = convert(index, tmp_path / "voc-index", options=ConvertOptions())
    assert all(r.ok for r in results) and conversion.classes.names == ["background", "cat", "dog"]
    assert (labels(tmp_path / "voc-index", "im1") == grey_mask(1)[1]).all()


def test_carvanas_gif_masks_convert_beside_their_train_folder(tmp_path: Path) -> None:
    """Carvana as Kaggle ships it: train/ and train_masks/ (<image>_mask.gif, values 0 and 1 in
    a palette GIF): paired by the folder's name and the mask's ending, read as values."""
    root = tmp_path / "carvana"

    def gif_mask(n: int) -> tuple[Image.Image, np.ndarray]:
        values = np.zeros((10, 16), np.uint8)
        values[3:8, 2 + n : 12] = 1
        image = Image.fromarray(values).convert("P")
        image.putpalette([0, 0, 0, 255, 255, 255])
        return image, values

    expected = masks_dataset(root, {f"train_masks/car{n}_01_mask.gif": f"train/car{n}_01.jpg" for n in range(3)}, gif_mask)
    (root / "classes.txt").write_text("background\ncar\n")
    conversion, results = convert(root, tmp_path / "voc", root / "classes.txt", options=ConvertOptions())
    assert all(r.ok for r in results), [r.error for r in results]
    for mask_path, values in expected.items():
        np.testing.assert_array_equal(labels(tmp_path / "voc", Path(mask_path).name.removesuffix("_mask.gif")), values)
    assert conversion.split_chosen.startswith("their folders' own (train 3), val drawn from its train")


# --- COCO panoptic against Datumaro's coco_panoptic importer -----------------------------------


def coco_panoptic_export(root: Path, images: int, seed: int = 0) -> Path:
    """A COCO panoptic export as COCO 2017 lays it out (and Datumaro's importer reads it):
    ``annotations/panoptic_val2017.json``, the segment PNGs in ``annotations/panoptic_val2017/``,
    the images in ``images/val2017/``; things and stuff, crowd segments and unlabeled pixels."""
    rng = np.random.default_rng(seed)
    categories = [
        {"id": 1, "name": "person", "isthing": 1, "supercategory": "person"},
        {"id": 3, "name": "car", "isthing": 1, "supercategory": "vehicle"},
        {"id": 184, "name": "tree-merged", "isthing": 0, "supercategory": "plant"},
        {"id": 187, "name": "sky-other-merged", "isthing": 0, "supercategory": "sky"},
    ]
    doc: dict[str, Any] = {"info": {}, "licenses": [], "images": [], "annotations": [], "categories": categories}
    (root / "annotations" / "panoptic_val2017").mkdir(parents=True)
    for n in range(images):
        height, width = 24, 32
        blocks = rng.integers(0, 6, (3, 4))  # 0: unlabeled, else a segment
        ids = np.zeros((3, 4), np.int64)
        segments = []
        for k, block in enumerate(blocks.ravel().tolist()):
            if block == 0:
                continue
            seg_id = int(rng.integers(1, 2**24))
            category = categories[k % 4]
            ids.ravel()[k] = seg_id
            segments.append({"id": seg_id, "category_id": category["id"], "iscrowd": int(block == 5), "bbox": [0, 0, 1, 1], "area": 48})
        full = ids.repeat(8, 0).repeat(8, 1)
        png = np.stack([full & 255, (full >> 8) & 255, (full >> 16) & 255], -1).astype(np.uint8)
        name = f"{n:012d}"
        Image.fromarray(png).save(root / "annotations" / "panoptic_val2017" / f"{name}.png")
        photo(root / "images" / "val2017" / f"{name}.jpg", width, height, seed=n)
        doc["images"].append({"id": n + 1, "file_name": f"{name}.jpg", "width": width, "height": height})
        doc["annotations"].append({"image_id": n + 1, "file_name": f"{name}.png", "segments_info": segments})
    (root / "annotations" / "panoptic_val2017.json").write_text(json.dumps(doc))
    return root / "annotations" / "panoptic_val2017.json"


DATUMARO_PANOPTIC = """
import json
import sys
from pathlib import Path
import numpy as np
from datumaro.components.annotation import AnnotationType
from datumaro.components.dataset import Dataset

source, out = sys.argv[1:3]
Path(out).mkdir()
dataset = Dataset.import_from(source, "coco_panoptic")
names = [label.name for label in dataset.categories()[AnnotationType.label]]
for item in dataset:
    shape = item.media.data.shape[:2]
    masks = [(names[a.label], bool(a.attributes.get("is_crowd")), a.id, a.image) for a in item.annotations if a.type == AnnotationType.mask]
    np.savez(Path(out) / f"{item.id}.npz", names=json.dumps([(name, crowd, seg_id) for name, crowd, seg_id, _ in masks]),
             masks=np.stack([image for *_, image in masks]) if masks else np.zeros((0, *shape), bool))
"""


def test_coco_panoptic_converts_as_datumaro_reads_it(tmp_path: Path) -> None:
    """A COCO panoptic file (segments_info over segment PNGs) failed every image ("category_id
    None is not among the categories"). Each segment is now an object of its category, a crowd
    segment and the unlabeled pixels void: the label maps equal Datumaro's coco_panoptic import,
    segment for segment; --instances numbers each thing segment (stuff has none), and export to
    COCO writes the things as objects."""
    from consumers import run_in

    path = coco_panoptic_export(tmp_path / "coco", images=5, seed=3)
    (tmp_path / "elsewhere").mkdir()
    done = run_in("datumaro", DATUMARO_PANOPTIC, tmp_path / "elsewhere", str(tmp_path / "coco"), str(tmp_path / "reference"))
    assert done.returncode == 0, done.stderr[-3000:]
    conversion, results = convert(path, tmp_path / "out")
    assert conversion.source == "coco" and all(r.ok for r in results), [r.error for r in results if not r.ok]
    assert not [w for r in results for w in r.warnings]
    index = conversion.classes.name_to_index
    references = sorted((tmp_path / "reference").glob("*.npz"))
    assert len(references) == 5
    crowds = 0
    for reference in references:
        read = np.load(reference)
        expected = np.full(read["masks"].shape[1:], 255, np.uint8)  # unlabeled: no segment, void
        segments = json.loads(str(read["names"]))
        for (name, crowd, _), mask in zip(segments, read["masks"]):
            expected[mask] = 255 if crowd else index[name]
            crowds += crowd
        np.testing.assert_array_equal(labels(tmp_path / "out", reference.stem), expected, err_msg=reference.stem)
        objects = labels(tmp_path / "out", reference.stem, "SegmentationObject")
        for (name, crowd, _), mask in zip(segments, read["masks"]):
            values = set(np.unique(objects[mask]).tolist())
            thing = name in ("person", "car")
            assert len(values) == 1 and (values == {255}) == crowd  # one instance a segment, a stuff segment none
            assert crowd or (values == {0}) != thing, (name, values)
    assert crowds and (expected == 255).any()
    assert read_split(tmp_path / "out", "val") == [r.stem for r in references]
    assert "unused_2" in conversion.classes.names  # COCO's ids kept, those between them placeholders
    stats = runner.invoke(app, ["stats", str(tmp_path / "out")])
    assert stats.exit_code == 0 and "classes never seen: 0 _background_" in stats.stdout and "unused_" not in stats.stdout
    exported = runner.invoke(app, ["export", str(path), "--to", "coco", "-d", str(tmp_path / "exported"), "-j", "1"])
    assert exported.exit_code == 0, exported.output
    from pycocotools.coco import COCO

    coco = COCO(str(tmp_path / "exported" / "annotations" / "instances_val.json"))
    anns = coco.loadAnns(coco.getAnnIds())
    things = sum(1 for r in references for name, crowd, _ in json.loads(str(np.load(r)["names"])) if not crowd and name in ("person", "car"))
    assert sum(1 for a in anns if not a["iscrowd"]) == things > 0  # a thing segment an object, stuff none
    assert {coco.loadCats(a["category_id"])[0]["name"] for a in anns if not a["iscrowd"]} == {"person", "car"}
    for image in coco.loadImgs(coco.getImgIds()):  # void (crowd segments, unlabeled pixels): crowd regions
        crowd = np.zeros((image["height"], image["width"]), bool)
        for a in coco.loadAnns(coco.getAnnIds(imgIds=image["id"], iscrowd=True)):
            crowd |= coco.annToMask(a).astype(bool)
        np.testing.assert_array_equal(crowd, labels(tmp_path / "out", Path(image["file_name"]).stem) == 255)


def test_coco_panoptic_pngs_are_read_from_the_archive_coco_ships_them_in(tmp_path: Path) -> None:
    """COCO's panoptic download holds each file's PNGs as an archive beside it
    (``annotations/panoptic_val2017.zip``, holding ``panoptic_val2017/``): unextracted, every
    image failed "no such panoptic PNG". It is read in place, the labels equal to those of the
    extracted folder; with neither, the failure says where the PNGs are kept; from inside the
    download's own archive, refused with the way out."""
    import zipfile

    path = coco_panoptic_export(tmp_path / "coco", images=4, seed=5)
    _, results = convert(path, tmp_path / "extracted")
    assert all(r.ok for r in results), [r.error for r in results]
    pngs = path.parent / "panoptic_val2017"
    with zipfile.ZipFile(path.parent / "panoptic_val2017.zip", "w") as archive:
        for png in sorted(pngs.iterdir()):
            archive.write(png, f"panoptic_val2017/{png.name}")
    shutil.rmtree(pngs)
    for given in (path, path.parent):
        out = tmp_path / f"zipped-{given.name}"
        _, results = convert(given, out)
        assert len(results) == 4 and all(r.ok for r in results), [r.error for r in results]
        for result in results:
            stem = Path(result.source.split("'")[1]).stem
            np.testing.assert_array_equal(labels(out, stem), labels(tmp_path / "extracted", stem), err_msg=stem)
    (path.parent / "panoptic_val2017.zip").rename(tmp_path / "elsewhere.zip")
    _, results = convert(path, tmp_path / "none")
    assert results[0].error == (
        f"{pngs / '000000000000.png'}: no such panoptic PNG (COCO keeps a panoptic file's PNGs beside it, in the "
        "folder named as the file, or ships them as the .zip of that name)"
    )
    (tmp_path / "elsewhere.zip").rename(path.parent / "panoptic_val2017.zip")
    download = tmp_path / "panoptic_annotations_trainval2017.zip"
    with zipfile.ZipFile(download, "w") as archive:
        for name in ("panoptic_val2017.json", "panoptic_val2017.zip"):
            archive.write(path.parent / name, f"annotations/{name}")
    result = runner.invoke(app, ["convert", str(download), str(tmp_path / "inner"), "--images", str(tmp_path / "coco" / "images" / "val2017")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert (f"panoptic_val2017.json::{download}: its PNGs are in panoptic_val2017.zip, an archive inside {download}, "
            f"which is not read in place (each PNG would be read from the start of the archive): extract {download} "
            "and give its folder") in result.output
    assert not (tmp_path / "inner").exists()


def test_images_are_found_anywhere_below_the_images_folder(tmp_path: Path) -> None:
    """Cityscapes' panoptic release names its images by file alone and keeps them in
    leftImg8bit/<split>/<city>/: --images gives the split's folder, and each image is found in
    its city's folder by its name; a name found nowhere still fails its own image."""
    path = coco_export(tmp_path / "coco", images=4, seed=4)
    shipped = tmp_path / "coco" / "images" / "val"
    for n, image in enumerate(sorted(shipped.iterdir())):
        city = tmp_path / "leftImg8bit" / "val" / ("aachen" if n % 2 else "bremen")
        city.mkdir(parents=True, exist_ok=True)
        image.rename(city / image.name)
    (city / image.name).unlink()  # the last one is missing
    _, results = convert(path, tmp_path / "out", options=ConvertOptions(images_dir=str(tmp_path / "leftImg8bit" / "val")))
    assert [r.ok for r in results] == [True, True, True, False]
    assert f"{tmp_path / 'leftImg8bit' / 'val' / image.name}" in results[3].error
    assert sorted(p.name for p in (tmp_path / "out" / "JPEGImages").iterdir()) == sorted(Path(r.source.split("'")[1]).with_suffix(".jpg").name for r in results[:3])


def test_bad_masks_folders_and_panoptic_files_are_named(tmp_path: Path) -> None:
    """The refusals of the masks source and of panoptic files, each naming the file and what is
    wrong: a folder named as masks that holds none, two folders of masks whose class lists
    disagree, a panoptic annotation without its segments, a segment of an unknown category, a
    segment PNG that is no RGB image, of another size, or holding a segment the file lacks."""
    (tmp_path / "annotations").mkdir()
    (tmp_path / "annotations" / "a.json").write_text("{}")
    with pytest.raises(DatasetError, match=r"annotations: holds no masks \(PNG, GIF, TIFF or BMP files\)$"):
        convert_labelme(tmp_path / "annotations", tmp_path / "none", source="masks")
    rf = tmp_path / "rf"
    masks_dataset(rf, {f"{split}/{split}_mask.png": f"{split}/{split}.jpg" for split in ("train", "valid")}, grey_mask)
    (rf / "train" / "_classes.csv").write_text("Pixel Value, Class\n0, background\n1, cat\n2, dog\n")
    (rf / "valid" / "_classes.csv").write_text("Pixel Value, Class\n0, background\n1, dog\n2, cat\n")
    with pytest.raises(DatasetError, match=r"valid: its masks' classes differ from .*train/_classes.csv's \(.*calls class 1 'dog', .*calls it 'cat'\), so their values mean other classes: convert the folders of one table's masks in a run \(one release's, as Mapillary Vistas' v1\.2/ and v2\.0/\)$"):
        convert_labelme(rf, tmp_path / "none")

    path = coco_panoptic_export(tmp_path / "coco", images=5, seed=8)
    doc = json.loads(path.read_text())
    doc["annotations"][0] = {"image_id": 1, "file_name": doc["annotations"][0]["file_name"]}  # no segments_info
    doc["annotations"][1]["segments_info"][0]["category_id"] = 99
    path.write_text(json.dumps(doc))
    pngs = path.parent / "panoptic_val2017"
    Image.open(pngs / "000000000002.png").convert("L").save(pngs / "000000000002.png")  # not RGB
    Image.open(pngs / "000000000003.png").resize((16, 12)).save(pngs / "000000000003.png")  # another size
    stray = np.asarray(Image.open(pngs / "000000000004.png")).copy()
    stray[0, 0] = (9, 9, 9)  # segment 592137, which segments_info lacks
    Image.fromarray(stray).save(pngs / "000000000004.png")
    _, results = convert(path, tmp_path / "out", options=ConvertOptions())
    errors = [r.error for r in results]
    source = f"{path}: image '{{}}.jpg' (id {{}})"
    assert errors[0] == source.format("000000000000", 1) + ": annotations[0] needs a 'file_name' and a 'segments_info' list (a COCO panoptic annotation)"
    assert errors[1] == source.format("000000000001", 2) + ": annotations[1].segments_info[0]: category_id 99 is not among the categories"
    assert errors[2] == f"{pngs / '000000000002.png'}: is an image of mode L, not a panoptic PNG (RGB segment ids)"
    assert errors[3] == f"{pngs / '000000000003.png'}: is 16x12, its image 32x24 (width x height)"
    assert errors[4] == f"{pngs / '000000000004.png'}: holds segment id(s) 592137 that annotations[4]'s segments_info lacks"


# --- YOLO segmentation datasets against Ultralytics ---------------------------------------------


ULTRALYTICS_MASKS = """
import json, sys
from pathlib import Path
import numpy as np
from ultralytics.data.utils import check_det_dataset, img2label_paths, polygons2masks_overlap, verify_image_label
data = check_det_dataset(sys.argv[1], autodownload=False)
out = Path(sys.argv[2])
out.mkdir()
for split in ("train", "val", "test"):
    for image in sorted(Path(data[split]).iterdir()) if data.get(split) and Path(data[split]).exists() else ():  # Roboflow's test: may be missing
        label = img2label_paths([str(image)])[0]
        _, boxes, shape, segments, _, missing, present, empty, corrupt, message = verify_image_label(
            (str(image), label, "", False, len(data["names"]), 0, 0, False))
        assert not corrupt, message
        height, width = shape
        classes = np.zeros((height, width), np.uint8)
        if segments:
            overlap, order = polygons2masks_overlap((height, width), [s * np.array([width, height], np.float32) for s in segments])
            painted = boxes[order, 0].astype(np.uint8) + 1  # the YOLO id, less background
            classes[overlap > 0] = painted[overlap[overlap > 0] - 1]
        np.save(out / f"{image.stem}.npy", classes)
"""


def test_a_yolo_dataset_converts_as_ultralytics_fills_it(tmp_path: Path) -> None:
    """A YOLO segmentation dataset (Roboflow's layout) converts by its data.yaml: class i + 1 is
    YOLO id i, each split as data.yaml says, each label map equal to Ultralytics' own masks of
    the file (polygons2masks_overlap: the smaller object over the larger), read in its own
    environment from another folder; an image without labels is background, detection lines
    are left out and said."""
    from consumers import run_in

    pytest.importorskip("torch")  # Ultralytics' environment shares the test environment's torch
    root = tmp_path / "roads"
    yolo_dataset(root)
    with open(root / "data.yaml", "a") as listed:  # as Roboflow writes it of a version without test images
        listed.write("test: ../test/images\n")
    (tmp_path / "elsewhere").mkdir()
    done = run_in("ultralytics", ULTRALYTICS_MASKS, tmp_path / "elsewhere", str(root / "data.yaml"), str(tmp_path / "reference"))
    assert done.returncode == 0, done.stderr[-3000:]
    result, said = said_by("convert", root, tmp_path / "voc", "-j", 2)
    assert result.exit_code == 0, result.stderr
    assert (
        f"info: yolo: {root / 'data.yaml'}: images train 4, val 2; test: ../test/images does not exist below {root}: no test images "
        "(Ultralytics reads it only when asked to); 1 image(s) without a label file, images of background as Ultralytics reads them"
    ) in said, said
    assert "classes: 4, 3 classes of data.yaml, numbered from 1 in their order; 0 _background_, 255 void" in said, said
    assert (
        f"warning: {root / 'train' / 'labels' / 'road3_jpg.rf.train3.txt'}: 2 detection line(s), a box and no outline (line 1, 2), left out"
    ) in said, said
    assert (tmp_path / "voc" / "class_names.txt").read_text().splitlines() == ["_background_", "crack", "pothole", "patch"]
    assert read_split(tmp_path / "voc", "val") == ["road0_jpg.rf.valid0", "road1_jpg.rf.valid1"]
    references = sorted((tmp_path / "reference").glob("*.npy"))
    assert len(references) == 6
    overlapping = 0
    for reference in references:
        expected = np.load(reference)
        np.testing.assert_array_equal(labels(tmp_path / "voc", reference.stem), expected, err_msg=reference.stem)
        overlapping += len(np.unique(expected)) > 2
    assert overlapping >= 3 and "(the smaller object wins, as Ultralytics paints them, --overlap)" in " ".join(result.stdout.split())
    export = read_yolo(root)  # the Python API: records of the neutral layer, painted as Ultralytics paints them
    table = ClassTable.load(tmp_path / "voc" / "class_names.txt")
    assert [c.name for c in export.classes] == table.names[1:] and [r.subset for r in export.images] == ["train"] * 4 + ["val"] * 2
    for record in export.images:
        assert record.problem is None and record.height is not None and record.width is not None
        painted = rasterise_record(record, table, (record.height, record.width))
        np.testing.assert_array_equal(painted.class_map, np.load(tmp_path / "reference" / f"{Path(record.image).stem}.npy"))
    (tmp_path / "download").mkdir()  # the folder a dataset was unpacked into: its data.yaml is found below
    (root / "notes.yaml").write_text("names: [x\n")  # no YAML: no dataset file, skipped
    unpacked = root.rename(tmp_path / "download" / "roads")
    below, said = said_by("convert", tmp_path / "download", tmp_path / "voc-below", "-j", 1)
    assert below.exit_code == 0 and f"info: yolo: {unpacked / 'data.yaml'}: images train 4, val 2" in said, said
    shutil.copytree(unpacked, tmp_path / "download" / "rivers")
    two, said = said_by("convert", tmp_path / "download", tmp_path / "voc-two", "-j", 1)
    assert two.exit_code == 1 and said == f"error: {tmp_path / 'download'}: holds 2 YOLO dataset files (rivers/data.yaml, roads/data.yaml): give one of them", said
    root = unpacked.rename(tmp_path / "roads")
    from_yaml = runner.invoke(app, ["convert", str(root / "data.yaml"), str(tmp_path / "voc-yaml"), "-j", "1"])
    assert from_yaml.exit_code == 0, from_yaml.stderr
    assert (labels(tmp_path / "voc-yaml", "road0_jpg.rf.train0") == labels(tmp_path / "voc", "road0_jpg.rf.train0")).all()
    checked, said = said_by("check", root)  # the dataset's folder where a VOC folder belongs
    assert checked.exit_code == 1 and f"it holds a YOLO dataset's data.yaml: labeltools convert {shlex.quote(str(root))} NEW_FOLDER makes a VOC dataset of it" in said


def test_a_yolo_datasets_faults_are_named(tmp_path: Path) -> None:
    """A label file naming a class data.yaml lacks, or a line out of the format, fails its image
    alone (the others convert, exit 1); a data.yaml without names, whose nc contradicts them or
    whose split does not exist is refused in one line; --from yolo names what it needs. Its
    objects export as they convert."""
    root = tmp_path / "roads"
    yolo_dataset(root)
    (root / "train" / "labels" / "road1_jpg.rf.train1.txt").write_text("0 0.1 0.1 0.5 0.1 0.3 0.4\n7 0.1 0.1 0.5 0.1 0.3 0.4\n")
    (root / "train" / "labels" / "road2_jpg.rf.train2.txt").write_text("1 0.1 0.1 0.5 0.1 1.3 0.4\n")
    done, said = said_by("convert", root, tmp_path / "voc", "-j", 1)
    assert done.exit_code == 1 and "converted 4, failed 2" in said, said
    assert f"{root / 'train' / 'labels' / 'road1_jpg.rf.train1.txt'}: object 2: class 7 is none of data.yaml's ids (0, 1, 2)" in said, said
    assert f"{root / 'train' / 'labels' / 'road2_jpg.rf.train2.txt'}: line 1: coordinates must lie in 0..1" in said, said
    problems = {Path(r.image).stem: r.problem for r in read_yolo(root / "data.yaml").images if r.problem is not None}
    assert problems.keys() == {"road1_jpg.rf.train1", "road2_jpg.rf.train2"} and "object 2: class 7 is none" in problems["road1_jpg.rf.train1"]
    exported, said = said_by("export", root / "data.yaml", "--to", "yolo-seg", "-d", tmp_path / "again")
    assert exported.exit_code == 1 and "exported 4, failed 2" in said, said
    lines = (root / "train" / "labels" / "road0_jpg.rf.train0.txt").read_text().splitlines()
    assert len((tmp_path / "again" / "labels" / "train" / "road0_jpg.rf.train0.txt").read_text().splitlines()) == len(lines)
    for text, refusal in (
        ("train: ../train/images\nnc: 2\nnames: ['a', 'b', 'c']\n", f"{root / 'data.yaml'}: nc is 2, but names lists 3 classes"),
        ("train: ../train/images\nval: ../elsewhere/images\nnames: ['a', 'b', 'c']\n", f"{root / 'data.yaml'}: val: ../elsewhere/images does not exist below {root}"),
        ("names: {0: a, 1: ''}\ntrain: ../train/images\n", f"{root / 'data.yaml'}: names: 1: '' is no class (an id from 0 and a name)"),
        ("train: ../train/images\n", f"{root / 'data.yaml'}: not a YOLO dataset file (it needs 'names', the class names by id)"),
        ("names: [a]\n", f"{root / 'data.yaml'}: names no images (train, val or test)"),
        ("names: []\ntrain: ../train/images\n", f"{root / 'data.yaml'}: names must list the class names (a list, or ids to names), got []"),
        ("names: [a]\ntrain: ../train/labels\n", f"{root / 'data.yaml'}: its train hold no image (.jpg, .jpeg, .png, .bmp, .tif, .tiff, .webp)"),
        ("names: [a\ntrain: x\n", f"{root / 'data.yaml'}: not a YAML file (while parsing a flow sequence)"),
    ):
        (root / "data.yaml").write_text(text)
        refused, said = said_by("convert", root / "data.yaml", tmp_path / "none", "-j", 1)
        assert refused.exit_code == 1 and said == f"error: {refusal}", said
        assert not (tmp_path / "none").exists()
    for name in ("first.yaml", "second.yaml"):
        (root / name).write_text("names: [a, b, c]\ntrain: ../train/images\n")
    (root / "data.yaml").unlink()
    two, said = said_by("convert", root, tmp_path / "none", "-j", 1)
    assert two.exit_code == 1 and said == f"error: {root}: holds 2 YOLO dataset files (first.yaml, second.yaml): give one of them", said
    (root / "train" / "labels" / "road0_jpg.rf.train0.txt").write_bytes(b"\xff\xfe0 0.1")
    (root / "train" / "labels" / "road3_jpg.rf.train3.txt").unlink()
    (root / "train" / "labels" / "road3_jpg.rf.train3.txt").mkdir()  # a folder where a label file belongs
    bad, said = said_by("convert", root / "second.yaml", tmp_path / "bad", "-j", 1)
    assert bad.exit_code == 1 and f"{root / 'train' / 'labels' / 'road0_jpg.rf.train0.txt'}: not a text file (not UTF-8)" in said, said
    assert f"{root / 'train' / 'labels' / 'road3_jpg.rf.train3.txt'}: cannot be read (Is a directory)" in said, said
    elsewhere, said = said_by("export", root / "second.yaml", "--to", "coco", "-d", tmp_path / "none", "--images", tmp_path)
    assert elsewhere.exit_code == 1 and said == f"error: --images {tmp_path}: a YOLO dataset's images are those its data.yaml names (its path: and splits)", said
    for name in ("first.yaml", "second.yaml"):
        (root / name).unlink()
    named = runner.invoke(app, ["convert", str(root), str(tmp_path / "none"), "--from", "yolo"])
    assert named.exit_code == 1 and f"{root}: holds no YOLO dataset file (a data.yaml naming its classes and images)" in named.stderr
    with pytest.raises(DatasetError, match=r"roads: holds no YOLO dataset file \(a data\.yaml naming its classes and images\)$"):
        read_yolo(root)


def test_a_yolo_dataset_by_lists_and_its_path(tmp_path: Path) -> None:
    """data.yaml's splits as text files listing images (``./`` relative to the list) below its
    ``path:``; a ``path:`` that holds none of the images is said, and the images are found beside
    data.yaml; an image listed in val as well as train is kept in train and said."""
    root = tmp_path / "roads"
    yolo_dataset(root)
    train = sorted(f"./train/images/{p.name}" for p in (root / "train" / "images").iterdir())
    (root / "train.txt").write_text("\n".join(train) + "\n")
    (root / "val.txt").write_text("\n".join([train[0], *(f"./valid/images/{p.name}" for p in sorted((root / "valid" / "images").iterdir()))]) + "\n")
    for path, note in (("path: .\n", ""), ("path: moved/away\n", f"; its path: moved/away holds none of its images: they were found below {root}")):
        names = "[crack, pothole, patch]" if note else "{'0': crack, '1': pothole, '2': patch}"  # ids as text, as Ultralytics takes them
        (root / "data.yaml").write_text(f"{path}train: train.txt\nval: val.txt\nnames: {names}\n")
        out = tmp_path / f"voc{len(note)}"
        done, said = said_by("convert", root, out, "-j", 1)
        assert done.exit_code == 0, said
        assert f"info: yolo: {root / 'data.yaml'}: images train 4, val 2{note}; 1 image(s) of val are train's as well: kept in train" in said, said
        assert read_split(out, "val") == ["road0_jpg.rf.valid0", "road1_jpg.rf.valid1"] and len(read_split(out, "train")) == 4
        assert (out / "class_names.txt").read_text().splitlines() == ["_background_", "crack", "pothole", "patch"]


def test_mapillary_vistas_converts_as_datumaro_reads_it(tmp_path: Path) -> None:
    """Mapillary Vistas 2.0 as it downloads: each split's v2.0/labels paired with the images
    beside v2.0/, the classes config_v2.0.json's labels in order (their readable names), each
    label map equal to Datumaro's own import of the release (from its instance maps)."""
    from consumers import run_in
    from exports import mapillary_vistas

    root = tmp_path / "vistas"
    mapillary_vistas(root)
    (tmp_path / "elsewhere").mkdir()
    done = run_in("datumaro", DATUMARO_CLASS_MAPS, tmp_path / "elsewhere", str(root), str(tmp_path / "reference"), "mapillary_vistas_instances")
    assert done.returncode == 0, done.stderr[-3000:]
    result, said = said_by("convert", root, tmp_path / "voc", "-j", 1)
    assert result.exit_code == 0, said
    assert f"classes: 4, {root / 'config_v2.0.json'}, Mapillary's labels in order, the list the masks came with" in said, said
    assert f"images {root / 'training' / 'images'} (beside v2.0/, as Mapillary Vistas lays them out)" in said, said
    assert (tmp_path / "voc" / "class_names.txt").read_text().splitlines() == ["Road", "Car", "Sky", "Unlabeled"]
    assert read_split(tmp_path / "voc", "val") == ["validation_000", "validation_001"]
    references = sorted((tmp_path / "reference").glob("*.npy"))
    assert len(references) == 4
    for reference in references:
        np.testing.assert_array_equal(labels(tmp_path / "voc", reference.stem), np.load(reference), err_msg=reference.stem)
    older = json.loads((root / "config_v2.0.json").read_text())  # the first release's labels beside: another table
    older["labels"] = older["labels"][::-1]
    (root / "config_v1.2.json").write_text(json.dumps(older))
    for split in ("training", "validation"):
        shutil.copytree(root / split / "v2.0", root / split / "v1.2")
    for flatten in ((), ("--flatten-names",)):  # the same images twice: never each image twice, under two ids
        both, said = said_by("convert", root, tmp_path / "both", *flatten, "-j", 1)
        assert both.exit_code == 1 and (
            f"{root / 'training' / 'v1.2' / 'labels'}, {root / 'training' / 'v2.0' / 'labels'}: masks of the same images "
            f"({root / 'training' / 'images'}), values both: give the folder of the ones to read"
        ) in said, said
    one, said = said_by("convert", root / "training" / "v1.2" / "labels", root / "validation" / "v1.2" / "labels", tmp_path / "v1.2", "-j", 1)
    assert one.exit_code == 0 and (tmp_path / "v1.2" / "class_names.txt").read_text().splitlines() == ["Unlabeled", "Sky", "Car", "Road"], said


def test_without_pyyaml_a_yolo_dataset_says_what_to_install_and_masks_beside_yaml_convert(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PyYAML comes with the yolo extra: without it a YOLO dataset's data.yaml is refused with
    the install line, and a folder of masks that happens to hold a YAML file converts."""
    yolo_dataset(tmp_path / "roads")
    masks_dataset(tmp_path / "kaggle", {"masks/a.png": "images/a.jpg"}, grey_mask)
    (tmp_path / "kaggle" / "class_names.txt").write_text("background\ncat\ndog\n")
    (tmp_path / "kaggle" / "notes.yaml").write_text("names: [a]\ntrain: x\n")
    monkeypatch.setitem(sys.modules, "yaml", None)  # import yaml fails, as without the package
    refused, said = said_by("convert", tmp_path / "roads", tmp_path / "none", "-j", 1)
    assert refused.exit_code == 1 and said == 'error: reading a YOLO dataset needs PyYAML: pip install "labeltools[yolo]"', said
    done, said = said_by("convert", tmp_path / "kaggle", tmp_path / "voc", "-j", 1)
    assert done.exit_code == 0 and (labels(tmp_path / "voc", "a") == grey_mask(0)[1]).all(), said


def json_to_dataset(json_path: Path, out: Path) -> list[str]:
    """What labelme's json_to_dataset writes of one file: ``img.png``, ``label.png`` numbered by
    that file's labels alone (``_background_``, then its labels sorted), ``label_names.txt``,
    ``label_viz.png``; returns the names by value."""
    from labeltools import write_label
    from labeltools.formats.labelme import labelme_to_label, read_labelme

    doc = read_labelme(json_path)
    names = ["_background_", *sorted({s.label for s in doc.shapes} - {"_background_"})]
    image = Image.open(json_path.parent / str(doc.image_path)).convert("RGB")
    label, _ = labelme_to_label(doc, {n: i for i, n in enumerate(names)}, shape_hw=(image.height, image.width), instances=False)
    out.mkdir(parents=True)
    image.save(out / "img.png")
    write_label(out / "label.png", label)
    (out / "label_names.txt").write_text("".join(f"{n}\n" for n in names))
    Image.open(out / "img.png").save(out / "label_viz.png")
    return names


def test_json_to_dataset_folders_are_named_and_their_json_converted(tmp_path: Path) -> None:
    """labelme's json_to_dataset numbers each file's classes alone, so a folder of its outputs
    read as masks would give one value several classes: it is refused, naming it, and a folder
    holding the JSON files beside their outputs converts the JSON files alone."""
    annotations = tmp_path / "annotations"
    shutil.copytree(SAMPLE_DIR, annotations)
    numbering = {path.stem: json_to_dataset(path, tmp_path / "outputs" / f"{path.stem}_json") for path in sorted(annotations.glob("*.json"))}
    assert len({tuple(names) for names in numbering.values()}) > 1  # the same value, other classes
    for extra in ((), ("--from", "masks")):
        done, said = said_by("convert", tmp_path / "outputs", tmp_path / "none", *extra)
        assert done.exit_code == 1 and said.startswith(
            f"error: {tmp_path / 'outputs' / 'street_01_json'} (and {len(numbering) - 1} more folder(s) like it): written by "
            "labelme's json_to_dataset, its label.png numbered by the label_names.txt beside it for that file's classes alone"
        ) and said.endswith("convert the labelme JSON files they were made of (labeltools convert JSON_FOLDER NEW_FOLDER), whose classes one table numbers"), said
        assert not (tmp_path / "none").exists()
    done, said = said_by("stats", tmp_path / "outputs")  # given where label maps are read: the same words
    assert done.exit_code == 1 and f"; {tmp_path / 'outputs' / 'street_01_json'} (and {len(numbering) - 1} more folder(s) like it): written by labelme's json_to_dataset" in said, said
    for stem in numbering:  # json_to_dataset's default: <stem>_json beside the JSON file
        shutil.move(tmp_path / "outputs" / f"{stem}_json", annotations / f"{stem}_json")
    done = runner.invoke(app, ["convert", str(annotations), str(tmp_path / "voc"), "-j", "1"])
    assert done.exit_code == 0, done.output
    assert sorted(p.stem for p in (tmp_path / "voc" / "SegmentationClass").glob("*.png")) == sorted(numbering)
