"""Cityscapes' own folders, read as its tools read them. Scoring: cityscapesScripts'
``evalPixelLevelSemanticLabeling`` is the reference, run on the same files; a gtFine folder holds
one folder per city and several maps a frame, predictions are found by frame under any sub-folder,
named however the model's tool names them, and label ids are scored by their train ids. Class
weights: pytorch-deeplab-xception's, over the train ids its Cityscapes loader makes of label ids,
written where it loads them. Statistics: the pixels of each id."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from exports import cityscapes_export

from labeltools.core.classes import ClassTable
from labeltools.core.errors import DatasetError, EvaluationError
from labeltools.formats.labels import read_label
from labeltools.jobs.check import CityscapesCheck
from labeltools.jobs.diff import diff_datasets
from labeltools.jobs.evaluate import evaluate_dataset
from labeltools.jobs.stats import dataset_stats
from labeltools.jobs.report import ReportOptions, make_report
from labeltools.ops.metrics import ConfusionMatrix, confusion_counts
from test_weights import deeplab_weights

LABEL_IDS = ClassTable.preset("cityscapes")
TRAIN = LABEL_IDS.id_to_train_id()  # labelId -> trainId, 255 for the 15 ignored in evaluation
SCORED = [e.index for e in LABEL_IDS.classes if e.target != 255]
CITIES = {"frankfurt": 3, "lindau": 2, "munster": 2}


def _blobs(rng: np.random.Generator, values: list[int], shape: tuple[int, int] = (48, 96)) -> np.ndarray:
    out = np.full(shape, rng.choice(values), dtype=np.uint8)
    for _ in range(25):
        y, x = rng.integers(0, shape[0]), rng.integers(0, shape[1])
        out[y : y + rng.integers(3, 20), x : x + rng.integers(3, 30)] = rng.choice(values)
    return out


def cityscapes_val(root: Path, seed: int = 0, predict_ignored: bool = True) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``root/gtFine/val/<city>/<frame>_gtFine_{labelIds,labelTrainIds,instanceIds,color}.png``
    and labelIds predictions ``root/results/<frame>_leftImg8bit.png``: (ground truth, prediction)
    label ids by frame. Ground truth holds every label id; predictions, with ``predict_ignored``,
    the ids without train id too (each a miss in the reference)."""
    rng = np.random.default_rng(seed)
    every = [e.index for e in LABEL_IDS.classes]
    frames = {}
    for city, count in CITIES.items():
        folder = root / "gtFine" / "val" / city
        folder.mkdir(parents=True)
        for k in range(count):
            frame = f"{city}_{k:06d}_{19 + 7 * k:06d}"
            gt = _blobs(rng, every)
            pred = gt.copy()
            noise = _blobs(rng, every if predict_ignored else SCORED)
            changed = rng.random(gt.shape) < 0.4
            pred[changed] = noise[changed]
            if not predict_ignored:
                pred[TRAIN[pred] == 255] = 7  # road
            Image.fromarray(gt).save(folder / f"{frame}_gtFine_labelIds.png")
            Image.fromarray(TRAIN[gt]).save(folder / f"{frame}_gtFine_labelTrainIds.png")
            Image.fromarray(gt.astype(np.uint16) * 1000).save(folder / f"{frame}_gtFine_instanceIds.png")
            Image.fromarray(np.zeros((*gt.shape, 4), np.uint8)).save(folder / f"{frame}_gtFine_color.png")
            (root / "results").mkdir(exist_ok=True)
            Image.fromarray(pred).save(root / "results" / f"{frame}_leftImg8bit.png")
            frames[frame] = (gt, pred)
    return frames


def reference_scores(root: Path, results: Path) -> dict[str, float]:
    """cityscapesScripts' class IoUs (the defined ones) and their average, ``"mean"``, for the
    labelIds maps of ``root/gtFine/val`` and the predictions it finds under ``results``."""
    from cityscapesscripts.evaluation import evalPixelLevelSemanticLabeling as reference

    args = reference.args
    args.evalInstLevelScore = False  # the instance-weighted scores need numpy's removed in1d
    args.JSONOutput, args.quiet = False, True
    args.predictionPath, args.predictionWalk = str(results), None
    truths = sorted(str(p) for p in (root / "gtFine" / "val").glob("*/*_gtFine_labelIds.png"))
    predictions = [reference.getPrediction(args, truth) for truth in truths]
    scores = reference.evaluateImgLists(predictions, truths, args)
    out = {name: value for name, value in scores["classScores"].items() if value == value}
    out["mean"] = scores["averageScoreClasses"]
    return out


def our_scores(result: dict) -> dict[str, float]:
    out = {c["name"]: c["iou"] for c in result["classes"] if not c["absent"]}
    out["mean"] = result["mean_iou"]
    return out


def assert_same_scores(ours: dict[str, float], reference: dict[str, float]) -> None:
    assert ours.keys() == reference.keys()
    for name, value in reference.items():
        assert ours[name] == pytest.approx(value, abs=1e-12), name


def test_the_command_scores_a_gtfine_folder_as_cityscapesscripts_does(tmp_path: Path) -> None:
    """From another working folder, as a user runs it: the ground truth is the labelIds maps of
    every city (not the trainIds, instance or colour maps beside them), the predictions are found
    by frame, and the scores are the reference's to the last bit, predictions of classes the
    evaluation ignores counting as misses."""
    cityscapes_val(tmp_path / "cs")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "labeltools", "evaluate", str(tmp_path / "cs" / "gtFine" / "val"),
         str(tmp_path / "cs" / "results"), "--json", "-", "--csv", "confusion.csv"],
        cwd=elsewhere, capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert_same_scores(our_scores(result), reference_scores(tmp_path / "cs", tmp_path / "cs" / "results"))
    assert result["num_classes"] == 19 and [c["name"] for c in result["classes"]][:3] == ["road", "sidewalk", "building"]
    assert result["images"] == sum(CITIES.values())
    assert result["not_scored"][0]["pred_pixels"] > 0  # the misses
    assert f"ground truth: 7 *_labelIds.png under {tmp_path / 'cs' / 'gtFine' / 'val'} (not its 7 *_labelTrainIds.png)" in done.stderr
    assert "scored as its 19 train ids, as cityscapesScripts scores" in done.stderr
    header = (elsewhere / "confusion.csv").read_text().splitlines()[0]
    assert header.endswith(",bicycle,a class without train id")


def test_a_flat_folder_of_label_ids_scores_the_same(tmp_path: Path) -> None:
    """The maps of one frame need not sit in city folders, and the predictions may (mmsegmentation
    writes them flat, cityscapesScripts finds them anywhere); predictions saved as ``np.save``
    arrays score the same."""
    cityscapes_val(tmp_path / "cs")
    flat, nested, arrays = tmp_path / "flat", tmp_path / "nested", tmp_path / "arrays"
    flat.mkdir()
    for path in (tmp_path / "cs" / "gtFine" / "val").glob("*/*_labelIds.png"):
        (flat / path.name).write_bytes(path.read_bytes())
    for path in (tmp_path / "cs" / "results").iterdir():
        city = nested / path.name.split("_")[0]
        city.mkdir(parents=True, exist_ok=True)
        (city / path.name.replace("_leftImg8bit", "")).write_bytes(path.read_bytes())
        (arrays / city.name).mkdir(parents=True, exist_ok=True)
        np.save(arrays / city.name / f"{path.stem}.npy", read_label(path).astype(np.int64))
    reference = reference_scores(tmp_path / "cs", tmp_path / "cs" / "results")
    for predictions in (nested, arrays):
        evaluation = evaluate_dataset(flat, predictions, classes="cityscapes", jobs=1)
        assert all(result.ok for result in evaluation.run()) and evaluation.matrix.images == sum(CITIES.values())
        assert_same_scores(our_scores(evaluation.scores()), reference)
    stray = tmp_path / "stray"
    stray.mkdir()
    np.save(stray / "other.npy", np.zeros((2, 2), np.int64))
    first = sorted(path.name for path in flat.iterdir())[0].removesuffix("_gtFine_labelIds.png")
    with pytest.raises(DatasetError, match=rf"{stray}: holds no prediction of a ground-truth frame \({first}_\*\.npy, \.\.\.\)"):
        evaluate_dataset(flat, stray, classes="cityscapes")


def test_train_id_predictions_meet_either_kind_of_ground_truth(tmp_path: Path) -> None:
    """A model trained on train ids predicts train ids (``--classes cityscapes-train``): they are
    scored against the labelTrainIds maps where the folder has them, else against its labelIds
    maps read as their train ids; both as the reference scores the same predictions in label ids."""
    frames = cityscapes_val(tmp_path / "cs", predict_ignored=False)
    trained = tmp_path / "trained"
    trained.mkdir()
    for frame, (_, pred) in frames.items():
        Image.fromarray(TRAIN[pred]).save(trained / f"{frame}_leftImg8bit.png")
    reference = reference_scores(tmp_path / "cs", tmp_path / "cs" / "results")
    gt = tmp_path / "cs" / "gtFine" / "val"
    both = evaluate_dataset(gt, trained, classes="cityscapes-train", jobs=1)
    assert both.ground_truth.startswith("7 *_labelTrainIds.png") and both.reading is None
    both.run()
    assert_same_scores(our_scores(both.scores()), reference)
    for path in gt.glob("*/*_labelTrainIds.png"):
        path.unlink()
    label_ids_only = evaluate_dataset(gt, trained, classes="cityscapes-train", jobs=1)
    assert label_ids_only.ground_truth == f"7 *_labelIds.png under {gt}"
    label_ids_only.run()
    assert_same_scores(our_scores(label_ids_only.scores()), reference)


def test_train_ids_read_as_label_ids_are_named(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Train-id predictions given without --classes are read as the ground truth's label ids:
    none of them above 18 is how that shows, and the run says what to give."""
    frames = cityscapes_val(tmp_path / "cs", predict_ignored=False)
    for frame, (_, pred) in frames.items():
        Image.fromarray(TRAIN[pred]).save(tmp_path / "cs" / "results" / f"{frame}_leftImg8bit.png")
    evaluation = evaluate_dataset(tmp_path / "cs" / "gtFine" / "val", tmp_path / "cs" / "results", jobs=1)
    with caplog.at_level(logging.WARNING):
        evaluation.run()
    assert (
        "no prediction holds a value above 18 (traffic light, traffic sign, vegetation, ...), which the ground "
        "truth holds: are the predictions train ids? Then give --classes cityscapes-train"
    ) in caplog.text


def test_label_id_predictions_read_as_train_ids_are_refused_with_a_hint(tmp_path: Path) -> None:
    cityscapes_val(tmp_path / "cs")
    evaluation = evaluate_dataset(tmp_path / "cs" / "gtFine" / "val", tmp_path / "cs" / "results", classes="cityscapes-train", jobs=1)
    results = evaluation.run()
    assert all(not r.ok for r in results)
    assert "prediction holds values" in results[0].error
    assert results[0].error.endswith("are the predictions Cityscapes' labelIds? Then give --classes cityscapes")


def test_a_voc_dataset_of_cityscapes_label_ids_is_scored_by_train_ids(tmp_path: Path) -> None:
    """``convert --classes cityscapes`` keeps the 34 names, not the train ids: its dataset is still
    scored as the reference scores label ids, and the run says why."""
    frames = cityscapes_val(tmp_path / "cs")
    voc = tmp_path / "voc"
    (voc / "SegmentationClass").mkdir(parents=True)
    (voc / "ImageSets" / "Segmentation").mkdir(parents=True)
    (voc / "class_names.txt").write_text("\n".join(LABEL_IDS.names) + "\n")
    preds = tmp_path / "preds"
    preds.mkdir()
    for frame, (gt, pred) in frames.items():
        Image.fromarray(gt).save(voc / "SegmentationClass" / f"{frame}.png")
        Image.fromarray(pred).save(preds / f"{frame}.png")
    (voc / "ImageSets" / "Segmentation" / "val.txt").write_text("\n".join(frames) + "\n")
    evaluation = evaluate_dataset(voc, preds, jobs=1)
    assert evaluation.classes_from.startswith(f"{voc / 'class_names.txt'}, Cityscapes' labelIds as the cityscapes preset")
    evaluation.run()
    reference = reference_scores(tmp_path / "cs", tmp_path / "cs" / "results")
    assert_same_scores(our_scores(evaluation.scores()), reference)
    # The report's scores are evaluate's, and its page says how the classes were scored.
    pytest.importorskip("jinja2")
    report = make_report(voc, tmp_path / "report.html", ReportOptions(pred=str(preds), worst=2), jobs=1)
    page = report.page()["predictions"]
    assert page["mean_iou"] == pytest.approx(reference["mean"], abs=1e-12)
    assert "scored as its 19 train ids, as cityscapesScripts scores" in page["scored_as"]
    assert all(0 <= w["miou"] <= 1 for w in page["worst"]) and len(page["worst"]) == 2


def test_frames_are_matched_one_to_one(tmp_path: Path) -> None:
    frames = cityscapes_val(tmp_path / "cs")
    gt, results = tmp_path / "cs" / "gtFine" / "val", tmp_path / "cs" / "results"
    first = sorted(frames)[0]
    copy = results / "again" / f"{first}_pred.png"
    copy.parent.mkdir()
    copy.write_bytes((results / f"{first}_leftImg8bit.png").read_bytes())
    with pytest.raises(DatasetError, match=rf"{results}: holds 2 predictions of {first}: "):
        evaluate_dataset(gt, results)
    copy.unlink()
    (results / f"{first}_leftImg8bit.png").unlink()
    results_of = evaluate_dataset(gt, results, jobs=1).run()
    missing = [r for r in results_of if not r.ok]
    assert len(missing) == 1 and missing[0].error.startswith(f"{results / (first + '_*.png')}: no prediction for ")
    skipping = evaluate_dataset(gt, results, missing="skip", jobs=1)
    assert sum(r.skipped for r in skipping.run()) == 1 and skipping.matrix.images == len(frames) - 1
    other = tmp_path / "other"
    other.mkdir()
    Image.fromarray(np.zeros((4, 4), np.uint8)).save(other / "berlin_000000_000019_leftImg8bit.png")
    with pytest.raises(DatasetError, match=r"holds no prediction of a ground-truth frame \(frankfurt_000000_000019_\*\.png, \.\.\.\)"):
        evaluate_dataset(gt, other)
    with pytest.raises(DatasetError, match=r"a Cityscapes folder has no split lists; give the split's folder \(gtFine/val\)"):
        evaluate_dataset(gt, results, split="val")


def test_a_value_that_is_no_label_id_names_the_file(tmp_path: Path) -> None:
    frames = cityscapes_val(tmp_path / "cs")
    first = sorted(frames)[0]
    bad = tmp_path / "cs" / "results" / f"{first}_leftImg8bit.png"
    Image.fromarray(np.full((48, 96), 40, np.uint8)).save(bad)
    failed = [r for r in evaluate_dataset(tmp_path / "cs" / "gtFine" / "val", bad.parent, jobs=1).run() if not r.ok]
    assert [r.error for r in failed] == [
        f"{bad}: prediction holds value 40, no class of the cityscapes preset (Cityscapes labelIds 0..33)"
    ]


def test_a_matrix_with_an_unscored_class_scores_the_others_only() -> None:
    cm = ConfusionMatrix(3, scored=2)
    cm.update(np.array([0, 0, 1, 1, 255]), np.array([0, 2, 1, 2, 2]))
    assert cm.iou().tolist() == [0.5, 0.5, None]  # a miss counts against its class, nowhere else
    assert cm.mean_iou() == 0.5 and cm.pixel_accuracy() == 0.5 and cm.absent_classes() == []
    scores = cm.to_dict(["a", "b", "other"])
    assert scores["num_classes"] == 2 and [c["name"] for c in scores["classes"]] == ["a", "b"]
    assert scores["not_scored"] == [{"index": 2, "name": "other", "pred_pixels": 2}]
    with pytest.raises(EvaluationError, match=r"scored must be an integer in 1\.\.3"):
        ConfusionMatrix(3, scored=4)


def test_a_folder_of_several_splits_is_refused_and_any_frame_name_matches(tmp_path: Path) -> None:
    """``gtFine`` itself holds train and val: scoring both at once is not what anyone means. A
    map named otherwise than Cityscapes names frames is one frame all the same."""
    cityscapes_val(tmp_path / "cs")
    train = tmp_path / "cs" / "gtFine" / "train" / "aachen"
    train.mkdir(parents=True)
    Image.fromarray(np.zeros((48, 96), np.uint8)).save(train / "aachen_000000_000019_gtFine_labelIds.png")
    gt = tmp_path / "cs" / "gtFine"
    with pytest.raises(DatasetError, match=rf"^{gt}: holds the Cityscapes splits train, val; give one of them \({gt}/val\)$"):
        evaluate_dataset(gt, tmp_path / "cs" / "results")
    odd = tmp_path / "odd"
    odd.mkdir()
    label = np.array([[7, 26], [0, 23]], np.uint8)
    Image.fromarray(label).save(odd / "street_gtFine_labelIds.png")
    Image.fromarray(label).save(tmp_path / "street.png")
    evaluation = evaluate_dataset(odd, tmp_path, jobs=1)
    assert evaluation.items == [(str(odd / "street_gtFine_labelIds.png"), str(tmp_path / "street.png"))]
    evaluation.run()
    assert evaluation.scores()["mean_iou"] == 1.0 and evaluation.matrix.total == 3  # unlabeled is void


def deeplab_cityscapes_train_ids(mask: np.ndarray) -> np.ndarray:
    """pytorch-deeplab-xception's Cityscapes loader's ``encode_segmap``, transcribed."""
    void_classes = [0, 1, 2, 3, 4, 5, 6, 9, 10, 14, 15, 16, 18, 29, 30, -1]
    valid_classes = [7, 8, 11, 12, 13, 17, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 31, 32, 33]
    class_map = dict(zip(valid_classes, range(19)))
    mask = mask.copy()
    for void in void_classes:
        mask[mask == void] = 255
    for valid in valid_classes:
        mask[mask == valid] = class_map[valid]
    return mask


def test_weights_of_a_gtfine_folder_are_deeplabs_and_go_where_it_loads_them(tmp_path: Path) -> None:
    """``labeltools weights cityscapes/gtFine/train``: deeplab's Cityscapes weights are over the
    19 train ids and live at ``<cityscapes>/cityscapes_classes_weights.npy``. From the labelIds
    maps alone, from the trainIds maps, and with either preset, the same numbers."""
    frames = cityscapes_val(tmp_path / "cityscapes")
    val = tmp_path / "cityscapes" / "gtFine" / "val"
    val.rename(val.parent / "train")
    gt = val.parent / "train"
    expected = deeplab_weights([deeplab_cityscapes_train_ids(truth) for truth, _ in frames.values()], 19)
    done = subprocess.run(
        [sys.executable, "-m", "labeltools", "weights", str(gt), "--json", "-"], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    target = tmp_path / "cityscapes" / "cityscapes_classes_weights.npy"
    assert json.loads(done.stdout)["output"] == str(target)
    np.testing.assert_allclose(np.load(target), expected, rtol=1e-12)
    assert f"labels: 7 *_labelTrainIds.png under {gt} (not its 7 *_labelIds.png)" in done.stderr
    assert "classes: 19, from cityscapes-train preset" in done.stderr
    for classes in ("cityscapes", "cityscapes-train"):
        out = tmp_path / f"{classes}.npy"
        assert subprocess.run([sys.executable, "-m", "labeltools", "weights", str(gt), "-c", classes, "-o", str(out)], capture_output=True).returncode == 0
        np.testing.assert_allclose(np.load(out), expected, rtol=1e-12)
    for path in gt.glob("*/*_labelTrainIds.png"):
        path.unlink()
    done = subprocess.run([sys.executable, "-m", "labeltools", "weights", str(gt), "-o", str(tmp_path / "ids.npy")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "classes: 19, from cityscapes preset (Cityscapes labelIds 0..33), counted as its 19 train ids" in done.stderr
    np.testing.assert_allclose(np.load(tmp_path / "ids.npy"), expected, rtol=1e-12)


def test_a_voc_dataset_of_label_ids_is_weighted_by_train_ids(tmp_path: Path) -> None:
    """A model of Cityscapes trains on 19 train ids: a dataset converted with ``--classes
    cityscapes`` gets 19 weights, not 34 its loss could not take."""
    frames = cityscapes_val(tmp_path / "cs")
    voc = tmp_path / "voc"
    (voc / "SegmentationClass").mkdir(parents=True)
    (voc / "class_names.txt").write_text("\n".join(LABEL_IDS.names) + "\n")
    for frame, (truth, _) in frames.items():
        Image.fromarray(truth).save(voc / "SegmentationClass" / f"{frame}.png")
    expected = deeplab_weights([deeplab_cityscapes_train_ids(truth) for truth, _ in frames.values()], 19)
    done = subprocess.run([sys.executable, "-m", "labeltools", "weights", str(voc)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    np.testing.assert_allclose(np.load(voc / "voc_classes_weights.npy"), expected, rtol=1e-12)
    assert "Cityscapes' labelIds as the cityscapes preset, counted as its 19 train ids" in done.stderr


def test_stats_of_a_gtfine_folder_count_each_id(tmp_path: Path) -> None:
    frames = cityscapes_val(tmp_path / "cs")
    gt = tmp_path / "cs" / "gtFine" / "val"
    truths = [truth for truth, _ in frames.values()]
    by_label_id = dataset_stats(gt, jobs=1)
    assert by_label_id.classes is not None and by_label_id.classes.num_classes == 34
    np.testing.assert_array_equal(by_label_id.pixels, np.bincount(np.concatenate([t.ravel() for t in truths]), minlength=256))
    by_train_id = dataset_stats(gt, classes="cityscapes-train", jobs=1)
    expected = np.bincount(np.concatenate([TRAIN[t].ravel() for t in truths]), minlength=256)
    np.testing.assert_array_equal(by_train_id.pixels, expected)
    for path in gt.glob("*/*_labelTrainIds.png"):
        path.unlink()
    np.testing.assert_array_equal(dataset_stats(gt, classes="cityscapes-train", jobs=1).pixels, expected)  # label ids read as train ids
    for path in gt.glob("*/*_labelIds.png"):
        path.rename(path.with_name(path.name.replace("_labelIds", "_labelTrainIds")))
    with pytest.raises(DatasetError, match=r"holds \*_labelTrainIds\.png maps alone, whose train ids do not tell the label ids apart"):
        dataset_stats(gt, classes="cityscapes")


def test_colorize_and_remap_take_the_maps_of_a_city_folder_they_read(tmp_path: Path) -> None:
    """A city folder holds four maps a frame; given whole, each command takes the ones it reads
    and says so: colour masks to ids, label ids (or train ids) to colours, and no failure for
    the others."""
    frames = cityscapes_val(tmp_path / "cs")
    city = tmp_path / "cs" / "gtFine" / "val" / "lindau"
    from labeltools.ops.remap import index_to_rgb

    for frame, (truth, _) in frames.items():
        if frame.startswith("lindau"):
            Image.fromarray(index_to_rgb(truth, LABEL_IDS)).convert("RGBA").save(city / f"{frame}_gtFine_color.png")

    def labeltools(*args: object) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "labeltools", *map(str, args)], cwd=tmp_path, capture_output=True, text=True)

    done = labeltools("remap", city, "-c", "cityscapes", "-d", "ids", "--strict")
    assert done.returncode == 0, done.stderr
    assert f"{city}: its 2 *_gtFine_color.png or *_gtCoarse_color.png file(s), not the 6 other(s)" in done.stderr
    masks = sorted(city.glob("*_color.png"))
    assert labeltools("remap", *masks, "-c", "cityscapes", "-d", "one-by-one", "--strict").returncode == 0
    # label ids named as cityscapesScripts names them, not *_color.png, a name read as colours
    assert f"2 output(s) named for what they hold, as the tools that read them name them: {masks[0].name} is written as" in done.stderr
    assert sorted(p.name for p in (tmp_path / "ids").iterdir()) == [m.name.replace("_color", "_labelIds") for m in masks]
    for mask in masks:
        name = mask.name.replace("_color", "_labelIds")
        assert (tmp_path / "ids" / name).read_bytes() == (tmp_path / "one-by-one" / name).read_bytes()
        # label ids that draw the mask's colours (ids sharing a colour are told apart by the preset)
        np.testing.assert_array_equal(index_to_rgb(read_label(tmp_path / "ids" / name), LABEL_IDS), np.asarray(Image.open(mask).convert("RGB")))
    done = labeltools("remap", city, "--to-rgb", "-c", "cityscapes", "-d", "drawn")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "drawn").iterdir()) == [m.name for m in masks]
    for mask in masks:
        np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "drawn" / mask.name)), np.asarray(Image.open(mask).convert("RGB")))
    for classes, ending, ids in (("cityscapes", "labelIds", LABEL_IDS), ("cityscapes-train", "labelTrainIds", ClassTable.preset("cityscapes-train"))):
        done = labeltools("colorize", city, "-c", classes, "-d", f"colour-{classes}")
        assert done.returncode == 0, done.stderr
        written = sorted(p.name for p in (tmp_path / f"colour-{classes}").iterdir())
        assert written == sorted(f"{f}_gtFine_{ending}.png" for f in frames if f.startswith("lindau"))
        with Image.open(tmp_path / f"colour-{classes}" / written[0]) as image:
            assert image.mode == "P" and tuple(image.getpalette()[3 * 7 : 3 * 8]) == ids.color_of(7)


def test_predictions_of_no_ground_truth_frame_are_named(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cityscapes_val(tmp_path / "cs")
    results = tmp_path / "cs" / "results"
    Image.fromarray(np.zeros((48, 96), np.uint8)).save(results / "berlin_000000_000019_leftImg8bit.png")
    with caplog.at_level(logging.WARNING):
        evaluation = evaluate_dataset(tmp_path / "cs" / "gtFine" / "val", results)
    assert len(evaluation.items) == sum(CITIES.values()) and all(r.ok for r in evaluation.run())
    assert f"{results}: 1 prediction(s) are of no ground-truth frame and are not scored: berlin_000000_000019_leftImg8bit.png" in caplog.text


def test_diff_of_two_rounds_of_a_gtfine_folder_compares_frames(tmp_path: Path) -> None:
    """Two annotation rounds exported as Cityscapes maps: frames are matched by name across the
    city folders, values named by the preset of the ids the maps hold, and maps of label ids are
    never compared with maps of train ids."""
    frames = cityscapes_val(tmp_path / "old")
    new = tmp_path / "new" / "gtFine" / "val" / "lindau"
    new.mkdir(parents=True)
    changed = 0
    for frame, (truth, _) in frames.items():
        if frame.startswith("lindau"):
            edited = truth.copy()
            edited[:10, :10] = 26  # car
            changed += int((truth[:10, :10] != 26).sum())
            Image.fromarray(edited).save(new / f"{frame}_gtFine_labelIds.png")
    diff = diff_datasets(tmp_path / "old" / "gtFine" / "val", tmp_path / "new" / "gtFine" / "val", jobs=1)
    assert all(r.ok for r in diff.run())
    summary = diff.to_dict()
    assert summary["changed_pixels"] == changed and summary["files"] == 2
    assert len(summary["only_in_old"]) == 5 and summary["only_in_new"] == []
    assert {c["to_name"] for c in summary["changes"]} == {"car"}
    for path in new.glob("*_labelIds.png"):
        path.rename(path.with_name(path.name.replace("_labelIds", "_labelTrainIds")))
    with pytest.raises(DatasetError, match=r"compare maps of one kind"):
        diff_datasets(tmp_path / "old" / "gtFine" / "val", tmp_path / "new" / "gtFine" / "val")


def _maps_as_cityscapesscripts_makes_them(polygons: Path) -> dict[str, Path]:
    """The four maps of a polygon file, made by cityscapesScripts' json2labelImg and
    json2instanceImg (the instance ids saved as 16 bits: Pillow writes no 32-bit PNG)."""
    from cityscapesscripts.helpers.annotation import Annotation
    from cityscapesscripts.preparation.json2instanceImg import createInstanceImage
    from cityscapesscripts.preparation.json2labelImg import createLabelImage

    annotation = Annotation()
    annotation.fromJsonFile(str(polygons))
    stem = str(polygons).removesuffix("_polygons.json")
    maps = {kind: Path(f"{stem}_{kind}.png") for kind in ("labelIds", "labelTrainIds", "color", "instanceIds")}
    createLabelImage(annotation, "ids").save(maps["labelIds"])
    createLabelImage(annotation, "trainIds").save(maps["labelTrainIds"])
    createLabelImage(annotation, "color").save(maps["color"])
    Image.fromarray(np.asarray(createInstanceImage(annotation, "ids")).astype(np.uint16)).save(maps["instanceIds"])
    return maps


def test_check_of_a_gtfine_folder_finds_maps_left_from_before_a_reannotation(tmp_path: Path) -> None:
    """The maps cityscapesScripts makes of the same polygons agree with one another; after a
    re-annotation of one frame whose trainIds, instance and colour maps were not made again (the
    trainIds are what mmsegmentation trains on), each of those is an error naming its file, and
    so is an image of another size."""
    paths = cityscapes_export(tmp_path / "cs", images=3, seed=5)
    maps = [_maps_as_cityscapesscripts_makes_them(path) for path in paths]
    gt = tmp_path / "cs" / "gtFine" / "val"

    def check(*args: object) -> tuple[int, dict]:
        done = subprocess.run([sys.executable, "-m", "labeltools", "check", *map(str, args), "--json", "-"], capture_output=True, text=True)
        return done.returncode, json.loads(done.stdout)

    code, result = check(gt)
    assert code == 0 and result["errors"] == 0 and result["warnings"] == 0 and result["samples"] == 3, result
    assert check(tmp_path / "cs" / "gtFine")[1]["samples"] == 3  # gtFine itself: every split
    relabelled = np.asarray(Image.open(maps[1]["labelIds"])).copy()
    relabelled[:8, :8] = 26  # car, where something else was
    Image.fromarray(relabelled).save(maps[1]["labelIds"])
    image = tmp_path / "cs" / "leftImg8bit" / "val" / "aachen" / "aachen_000002_000019_leftImg8bit.png"
    Image.new("RGB", (10, 10)).save(image)
    code, result = check(gt)
    assert code == 1
    found = {(p["kind"], Path(p["file"]).name) for p in result["problems"]}
    assert found == {
        ("stale-trainids", maps[1]["labelTrainIds"].name),
        ("stale-instanceids", maps[1]["instanceIds"].name),
        ("stale-colours", maps[1]["color"].name),
        ("size-mismatch", image.name),
    }
    stale = next(p["message"] for p in result["problems"] if p["kind"] == "stale-trainids")
    assert "differ from what its *_labelIds.png gives (first at x=" in stale and "make it again (labeltools remap --index-map cityscapes" in stale
    assert subprocess.run([sys.executable, "-m", "labeltools", "check", str(gt), "-c", "voc"], capture_output=True).returncode == 2


def test_the_other_refusals_name_their_file(tmp_path: Path) -> None:
    frames = cityscapes_val(tmp_path / "cs")
    gt = tmp_path / "cs" / "gtFine" / "val"
    with pytest.raises(DatasetError, match=rf"^{tmp_path / 'nowhere'}: no such folder \(the predictions to score\)$"):
        evaluate_dataset(gt, tmp_path / "nowhere")
    evaluation = evaluate_dataset(gt, tmp_path / "cs" / "results", jobs=1)
    reading = evaluation.reading
    assert reading is not None and all(r.ok for r in evaluation.run())
    with pytest.raises(EvaluationError, match=r"^p: prediction holds value 300, which no label file holds \(0\.\.255\)$"):
        confusion_counts(np.zeros((1, 2), np.int64), np.array([[7, 300]]), 20, 255, "g", "p", reading=reading)
    # check: a value that is no label id, a map without its labelIds, no images beside gtFine
    for path in gt.glob("*/*_color.png"):  # blank stand-ins here, which check would call stale
        path.unlink()
    first = sorted(frames)[0]
    bad = gt / "frankfurt" / f"{first}_gtFine_labelIds.png"
    Image.fromarray(np.full((48, 96), 40, np.uint8)).save(bad)
    lone = gt / "frankfurt" / "frankfurt_000009_000019_gtFine_labelTrainIds.png"
    Image.fromarray(np.zeros((48, 96), np.uint8)).save(lone)
    check = CityscapesCheck(gt)
    assert all(r.ok for r in check.run(jobs=1))
    assert {(p.severity, p.kind, p.file, p.message) for p in check.problems} == {
        ("warning", "no-images", str(gt), "no leftImg8bit folder beside its gtFine folder: the images are not checked"),
        ("error", "values", str(bad), "holds value 40, no Cityscapes label id (0..33)"),
        ("warning", "missing-label", str(lone), "no *_labelIds.png of its frame beside it: nothing to check it against"),
    }


def _left_images(root: Path, frames: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
    """Each frame's ``leftImg8bit`` image where Cityscapes keeps it, of its label's size; the
    blank colour maps made beside the labels are removed (check would call them stale)."""
    for path in (root / "gtFine" / "val").glob("*/*_color.png"):
        path.unlink()
    for frame, (truth, _) in frames.items():
        folder = root / "leftImg8bit" / "val" / frame.split("_")[0]
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.dstack([truth * 7] * 3).astype(np.uint8)).save(folder / f"{frame}_leftImg8bit.png")


def test_the_report_of_a_gtfine_folder_shows_its_frames_scores_and_problems(tmp_path: Path) -> None:
    """``report gtFine/val``: each frame's label ids over its leftImg8bit image in Cityscapes'
    colours, its check, predictions found by frame and scored as cityscapesScripts scores them,
    and the changes from an earlier round of the same folder."""
    pytest.importorskip("jinja2")
    frames = cityscapes_val(tmp_path / "cs")
    _left_images(tmp_path / "cs", frames)
    gt, results = tmp_path / "cs" / "gtFine" / "val", tmp_path / "cs" / "results"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "labeltools", "report", str(gt), "r.html", "--pred", str(results), "--json", "-", "-j", "1"],
        cwd=elsewhere, capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"labels: 7 *_labelIds.png under {gt} (not its 7 *_labelTrainIds.png)" in done.stderr
    summary = json.loads(done.stdout)
    assert summary["images"] == summary["drawn"] == 7 and summary["errors"] == summary["warnings"] == 0, summary
    assert (elsewhere / "r.html").stat().st_size > 0

    report = make_report(gt, tmp_path / "r.html", ReportOptions(pred=str(results), worst=3), jobs=1)
    page = report.page()
    reference = reference_scores(tmp_path / "cs", results)
    assert page["predictions"]["mean_iou"] == pytest.approx(reference["mean"], abs=1e-12)
    assert "scored as its 19 train ids, as cityscapesScripts scores" in page["predictions"]["scored_as"]
    assert page["summary"]["images"] == 7 and page["summary"]["classes"] == 34
    road = next(chip for chip in page["chips"] if chip["name"] == "road")
    assert road["index"] == 7 and road["color"] == "#804080"  # Cityscapes' colour of road, not the VOC colormap's
    assert sorted(g["id"] for g in page["gallery"]) == sorted(frames)
    photo = next(s.item.image for s in report.samples if s.item.image_id == sorted(frames)[0])
    assert photo == str(tmp_path / "cs" / "leftImg8bit" / "val" / "frankfurt" / f"{sorted(frames)[0]}_leftImg8bit.png")

    # a trainIds map left from before a re-annotation is a problem of its frame
    first = sorted(frames)[0]
    stale = gt / "frankfurt" / f"{first}_gtFine_labelTrainIds.png"
    Image.fromarray(np.zeros((48, 96), np.uint8)).save(stale)
    report = make_report(gt, tmp_path / "r.html", jobs=1)
    page = report.page()
    assert [(p["kind"], p["file"], p["anchor"]) for p in page["problems"]] == [("stale-trainids", str(stale), first)]

    # an earlier round of the folder: what changed, frame by frame; never maps of the other kind
    cityscapes_val(tmp_path / "old", seed=1)
    report = make_report(gt, tmp_path / "r.html", ReportOptions(compare=str(tmp_path / "old" / "gtFine" / "val")), jobs=1)
    changes = report.page()["changes"]
    assert changes["files"] == 7 and changes["only_old"] == changes["only_new"] == 0 and changes["changed_pixels"] > 0
    for path in (tmp_path / "old" / "gtFine" / "val").glob("*/*_labelIds.png"):
        path.unlink()
    with pytest.raises(DatasetError, match=r"compare maps of one kind"):
        make_report(gt, tmp_path / "r.html", ReportOptions(compare=str(tmp_path / "old" / "gtFine" / "val")), jobs=1)


def test_the_report_of_train_id_maps_counts_train_ids(tmp_path: Path) -> None:
    """With ``-c cityscapes-train`` the report reads the labelTrainIds maps (19 classes and
    void), and scores train-id predictions as the reference scores them in label ids; a frame
    without one is a warning, and a value that is no train id an error naming its file."""
    pytest.importorskip("jinja2")
    frames = cityscapes_val(tmp_path / "cs", predict_ignored=False)
    _left_images(tmp_path / "cs", frames)
    trained = tmp_path / "trained"
    trained.mkdir()
    for frame, (_, pred) in frames.items():
        Image.fromarray(TRAIN[pred]).save(trained / f"{frame}_leftImg8bit.png")
    gt = tmp_path / "cs" / "gtFine" / "val"
    report = make_report(gt, tmp_path / "r.html", ReportOptions(pred=str(trained)), classes="cityscapes-train", jobs=1)
    assert report.read_from == f"labels: 7 *_labelTrainIds.png under {gt} (not its 7 *_labelIds.png)"
    page = report.page()
    assert page["summary"]["classes"] == 19 and page["problems"] == []
    expected = np.bincount(np.concatenate([TRAIN[t].ravel() for t, _ in frames.values()]), minlength=256)
    np.testing.assert_array_equal(report.stats.pixels, expected)
    reference = reference_scores(tmp_path / "cs", tmp_path / "cs" / "results")
    assert page["predictions"]["mean_iou"] == pytest.approx(reference["mean"], abs=1e-12)
    first, second = sorted(frames)[:2]
    (gt / "frankfurt" / f"{first}_gtFine_labelTrainIds.png").unlink()
    for path in gt.glob(f"*/{second}_*"):
        path.unlink()
    bad = gt / "frankfurt" / f"{second}_gtFine_labelTrainIds.png"
    Image.fromarray(np.full((48, 96), 40, np.uint8)).save(bad)
    report = make_report(gt, tmp_path / "r.html", classes="cityscapes-train", jobs=1)
    found = {(p.severity, p.kind, Path(p.file).name, p.message) for p in report.check.problems}
    assert found == {
        ("warning", "missing-label", f"{first}_gtFine_labelIds.png", "no *_labelTrainIds.png of its frame: it is not counted"),
        ("warning", "missing-label", bad.name, "no *_labelIds.png of its frame beside it: nothing to check it against"),
        ("error", "values", bad.name, "holds value 40, no Cityscapes train id (0..18) nor 255"),
    }
    assert report.stats.images == 5


def test_options_a_cityscapes_folder_answers_itself_are_refused(tmp_path: Path) -> None:
    """Its maps say which ids they hold and its images lie in leftImg8bit: a table of the other
    side, or an images folder, given with a gtFine folder is refused, naming what to give."""
    pytest.importorskip("jinja2")
    from labeltools.core.errors import ReportError
    from labeltools.jobs.report import report_dataset

    cityscapes_val(tmp_path / "cs")
    gt, results = tmp_path / "cs" / "gtFine" / "val", tmp_path / "cs" / "results"
    with pytest.raises(DatasetError, match=rf"^{gt}: a Cityscapes folder's maps say which ids they hold; give --classes alone$"):
        evaluate_dataset(gt, results, classes="cityscapes-train", gt_classes="cityscapes")
    with pytest.raises(ReportError, match=rf"^{gt}: a Cityscapes folder's maps say which ids they hold; give -c alone$"):
        report_dataset(gt, tmp_path / "r.html", ReportOptions(pred=str(results)), pred_classes="cityscapes-train")
    with pytest.raises(DatasetError, match=rf"^{gt}: a Cityscapes folder's images are in leftImg8bit/ beside gtFine/; leave --images out$"):
        report_dataset(gt, tmp_path / "r.html", images=tmp_path)
    done = subprocess.run([sys.executable, "-m", "labeltools", "check", str(gt), "--images", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 2
    assert "leave --classes, --num-classes and --images out" in " ".join(done.stderr.replace("│", " ").split())


def test_remap_of_a_gtfine_tree_writes_createtrainidlabelimgs_maps_beside_each_frame(tmp_path: Path) -> None:
    """``remap gtFine/ --index-map cityscapes -d gtFine/`` does cityscapesScripts'
    createTrainIdLabelImgs' job: every split's and city's labelIds made trainIds, each beside its
    frame and equal to the trainIds cityscapesScripts draws of the polygons; another -d mirrors
    the tree."""
    polygons = cityscapes_export(tmp_path / "cs", images=2, split="train", city="aachen") + cityscapes_export(
        tmp_path / "cs", images=1, split="val", city="frankfurt", seed=1
    )
    expected = {}
    for path in polygons:
        maps = _maps_as_cityscapesscripts_makes_them(path)
        expected[maps["labelTrainIds"].relative_to(tmp_path / "cs" / "gtFine")] = np.asarray(Image.open(maps["labelTrainIds"]))
        for kind in ("labelTrainIds", "instanceIds", "color"):
            maps[kind].unlink()  # a tree of label ids alone, which the command makes trainIds of
    gtfine = tmp_path / "cs" / "gtFine"

    def labeltools(*args: object) -> subprocess.CompletedProcess[str]:
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir(exist_ok=True)
        return subprocess.run([sys.executable, "-m", "labeltools", *map(str, args)], cwd=elsewhere, capture_output=True, text=True)

    done = labeltools("remap", gtfine, "--index-map", "cityscapes", "-d", gtfine, "-j", "2")
    assert done.returncode == 0, done.stderr
    assert f"2 sub-folder(s) of the input: each output is written into the same sub-folder of {gtfine}" in done.stderr
    written = sorted(p.relative_to(gtfine) for p in gtfine.rglob("*_labelTrainIds.png"))
    assert written == sorted(expected)
    for name, trained in expected.items():
        np.testing.assert_array_equal(read_label(gtfine / name), trained)
    mirror = gtfine / "trainids"
    done = labeltools("remap", gtfine, "--index-map", "cityscapes", "-d", mirror)
    assert done.returncode == 0, done.stderr
    assert sorted(p.relative_to(mirror) for p in mirror.rglob("*.png")) == sorted(expected)
    done = labeltools("remap", gtfine, "--index-map", "cityscapes", "-d", mirror)  # again: the labelIds alone are read
    assert done.returncode == 0 and "wrote 3, failed 0" in done.stderr, done.stderr
    assert sorted(p.relative_to(mirror) for p in mirror.rglob("*.png")) == sorted(expected)
