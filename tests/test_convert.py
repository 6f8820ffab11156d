"""labelme folder -> VOC dataset: outputs, classes, splits, resume/overwrite, jobs, bad files."""

from __future__ import annotations

import base64
import io
import json
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import H, W, broken_chunk_png, scene, shapes_abc, tree_bytes, write_annotation
from PIL import Image

from labeltools import (
    ClassTable,
    VOCSegmentation,
    read_label,
    read_label_palette,
    read_split,
)
from labeltools.core.errors import (
    AnnotationError,
    ClassTableError,
    DatasetError,
    OutputError,
)
from labeltools.formats.labelme import labelme_to_label, read_labelme
from labeltools.formats.voc import load_class_table
from labeltools.jobs.convert import (
    SAMPLE_DIR,
    ConvertOptions,
    assign_ids,
    convert_file,
    convert_labelme,
    convert_sample,
    discover_classes,
    find_annotations,
    sample_labels_path,
)
from labeltools.ops.splits import kept_splits, own_split, split_ids
from typer.testing import CliRunner

from labeltools.cli import app


def run(conversion: Any) -> list[Any]:
    return list(conversion)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    write_annotation(src, "a")
    write_annotation(src, "b", [{"label": "zebra", "points": [[5, 5], [30, 30]], "shape_type": "rectangle"}])
    write_annotation(src / "sub", "c", [{"label": "cat", "points": [[10, 10]], "shape_type": "point"}])
    return src


# --------------------------------------------------------------------------------------------
# the bundled sample, end to end


def test_sample_converts_to_a_voc_dataset(tmp_path: Path) -> None:
    out = tmp_path / "voc"
    conversion = convert_labelme(SAMPLE_DIR, out, sample_labels_path(), options=ConvertOptions(instances=True, viz=True), jobs=1)
    assert len(conversion) == 8
    results = run(conversion)
    assert all(r.ok and not r.skipped for r in results), [r.error for r in results]
    table = ClassTable.load(sample_labels_path())
    assert (out / "class_names.txt").read_text().split() == table.names
    ids = sorted(p.stem for p in SAMPLE_DIR.glob("*.json"))
    assert read_split(out, "trainval") == ids
    assert sorted(read_split(out, "train") + read_split(out, "val")) == ids
    assert len(read_split(out, "val")) == 1  # round(8 * 0.1)
    for image_id in ids:
        doc = read_labelme(SAMPLE_DIR / f"{image_id}.json")
        label, palette = read_label_palette(out / "SegmentationClass" / f"{image_id}.png")
        with Image.open(out / "JPEGImages" / f"{image_id}.jpg") as jpeg:
            assert jpeg.format == "JPEG" and jpeg.size == (label.shape[1], label.shape[0])
        expected, instances = labelme_to_label(doc, table, shape_hw=label.shape)
        np.testing.assert_array_equal(label, expected)
        np.testing.assert_array_equal(palette, table.palette())
        np.testing.assert_array_equal(read_label(out / "SegmentationObject" / f"{image_id}.png"), instances)
        with Image.open(out / "SegmentationClassVisualization" / f"{image_id}.jpg") as viz:
            assert viz.width == label.shape[1] and viz.height > label.shape[0]  # legend below
    dataset = VOCSegmentation(out, split="trainval")
    sample = dataset[0]
    assert sample["image"].shape[:2] == sample["label"].shape


def test_the_sample_goes_into_a_new_folder_or_over_its_own_earlier_output(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    conversion = convert_sample(out, jobs=1)
    assert conversion.options == ConvertOptions(instances=True, viz=True, labelme_rules="7")  # settled
    assert conversion.classes == ClassTable.load(sample_labels_path())
    first = run(conversion)
    again = run(convert_sample(out, jobs=1))
    assert [r.ok for r in first] == [r.ok for r in again] == [True] * 8


def test_the_sample_never_replaces_another_dataset(tmp_path: Path, folder: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.txt").write_text("mine")
    with pytest.raises(DatasetError) as info:
        convert_sample(tmp_path / "notes")
    assert str(info.value) == f"{tmp_path / 'notes'}: is not empty and holds no earlier demo output; give a new or empty folder"
    out = tmp_path / "voc"
    run(convert_labelme(folder, out, jobs=1))
    before = tree_bytes(out)
    with pytest.raises(DatasetError) as info:
        convert_sample(out)
    assert str(info.value) == (
        f"{out}: holds a VOC dataset that is not an earlier demo output (other classes in class_names.txt); "
        "the demo would replace its files, give a new or empty folder"
    )
    for name in ("class_names.txt", "dataset_meta.json", "labelmap.txt"):
        (out / name).unlink(missing_ok=True)
        before.pop(name, None)
    with pytest.raises(DatasetError, match=r"holds a VOC dataset that is not an earlier demo output \(no class_names\.txt\)"):
        convert_sample(out)
    assert tree_bytes(out) == before


def test_jpeg_sources_are_copied_byte_for_byte_and_rotated_ones_reencoded(tmp_path: Path) -> None:
    out = tmp_path / "voc"
    run(convert_labelme(SAMPLE_DIR, out, sample_labels_path(), jobs=1))
    for json_path in SAMPLE_DIR.glob("*.json"):
        written = (out / "JPEGImages" / f"{json_path.stem}.jpg").read_bytes()
        source = (SAMPLE_DIR / f"{json_path.stem}.jpg").read_bytes()
        if json_path.stem == "street_07":  # EXIF orientation 6: turned upright, quality 95
            assert written != source
            with Image.open(io.BytesIO(written)) as image:
                assert image.size == (400, 300) and 0x0112 not in image.getexif()
        else:
            assert written == source


def test_jobs_1_and_2_write_identical_bytes(tmp_path: Path) -> None:
    options = ConvertOptions(instances=True, viz=True)
    run(convert_labelme(SAMPLE_DIR, tmp_path / "one", options=options, jobs=1))
    run(convert_labelme(SAMPLE_DIR, tmp_path / "two", options=options, jobs=2))
    one, two = tree_bytes(tmp_path / "one"), tree_bytes(tmp_path / "two")
    assert one.keys() == two.keys() and len(one) == 8 * 4 + 6
    assert one == two


@pytest.mark.usefixtures("usual_umask")
def test_written_files_have_ordinary_permissions(tmp_path: Path, folder: Path) -> None:
    run(convert_labelme(folder, tmp_path / "out", options=ConvertOptions(instances=True, viz=True), jobs=1))
    modes = {p.stat().st_mode & 0o777 for p in (tmp_path / "out").rglob("*") if p.is_file()}
    assert modes == {0o644}


# --------------------------------------------------------------------------------------------
# classes


def test_classes_discovered_from_all_files_with_global_ids(tmp_path: Path, folder: Path) -> None:
    out = tmp_path / "out"
    conversion = convert_labelme(folder, out, jobs=1)
    assert conversion.classes.names == ["_background_", "cat", "dog", "zebra"]
    assert conversion.classes.name_to_index["__ignore__"] == 255
    run(conversion)
    assert (out / "class_names.txt").read_text() == "_background_\ncat\ndog\nzebra\n"
    assert read_label(out / "SegmentationClass" / "b.png")[10, 10] == 3  # zebra, same id everywhere
    a = read_label(out / "SegmentationClass" / "a.png")
    assert a[5, 20] == 1 and a[25, 45] == 2 and a[45, 5] == 255
    assert read_label(out / "SegmentationClass" / "c.png")[10, 10] == 1


@pytest.mark.parametrize("tool", ["labelme", "coco"])
def test_more_classes_than_a_label_map_holds_are_refused_with_the_way_out(tmp_path: Path, tool: str) -> None:
    """255 classes besides background and void fit no label map: convert and export refuse
    before writing, and say to keep some with -c and --unknown; 254 convert."""
    def annotations(count: int) -> Path:
        folder = tmp_path / f"{tool}{count}"
        folder.mkdir()
        Image.fromarray(scene(H, W)).save(folder / "a.jpg")
        if tool == "labelme":
            shapes = [{"label": f"k{i:03d}", "points": [[1, 1], [9, 9]], "shape_type": "rectangle"} for i in range(count)]
            write_annotation(folder, "a", shapes)
            return folder
        coco = folder / "instances.json"
        coco.write_text(json.dumps({
            "images": [{"id": 1, "file_name": "a.jpg", "width": W, "height": H}],
            "annotations": [{"id": 1, "image_id": 1, "category_id": 254, "iscrowd": 0, "area": 64,
                             "bbox": [1, 1, 8, 8], "segmentation": [[1, 1, 9, 1, 9, 9, 1, 9]]}],
            "categories": [{"id": i, "name": f"k{i:03d}"} for i in range(1, count + 1)],
        }))
        return coco
    many = annotations(255)
    said = (f": 255 classes, and a label map holds 254 at most (1..254; 0 is background, 255 void): give -c a "
            "table of the classes to keep, with --unknown ignore (the others' pixels void) or --unknown background")
    for command in (["convert", str(many), str(tmp_path / "out")], ["export", str(many), "--to", "yolo-seg", "-d", str(tmp_path / "out")]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 1, result.output
        assert said in result.output and "Traceback" not in result.output
        assert not (tmp_path / "out").exists()
    kept = tmp_path / "kept.txt"
    kept.write_text("_background_\nk254\n")
    result = CliRunner().invoke(app, ["convert", str(many), str(tmp_path / "out"), "-c", str(kept), "--unknown", "background"])
    assert result.exit_code == 0, result.output
    assert read_label(tmp_path / "out" / "SegmentationClass" / "a.png")[5, 5] == 1  # k254, the others left out
    assert CliRunner().invoke(app, ["convert", str(annotations(254)), str(tmp_path / "all")]).exit_code == 0
    assert len((tmp_path / "all" / "class_names.txt").read_text().splitlines()) == 255


def test_labels_with_surrounding_spaces_are_the_same_class(tmp_path: Path, folder: Path) -> None:
    write_annotation(folder, "d", [{"label": "dog ", "points": [[1, 1], [9, 9]], "shape_type": "rectangle"},
                                   {"label": " zebra", "points": [[20, 20], [29, 29]], "shape_type": "rectangle"}])
    out = tmp_path / "out"
    conversion = convert_labelme(folder, out, jobs=1)
    assert conversion.classes.names == ["_background_", "cat", "dog", "zebra"]
    assert all(r.ok for r in run(conversion))
    assert read_label(out / "SegmentationClass" / "d.png")[5, 5] == 2
    assert read_label(out / "SegmentationClass" / "d.png")[25, 25] == 3


def test_discovery_ignores_unreadable_files(tmp_path: Path, folder: Path) -> None:
    (folder / "broken.json").write_text("{")
    items = assign_ids(find_annotations([folder]))
    assert discover_classes(items, jobs=1).names == ["_background_", "cat", "dog", "zebra"]


def test_labels_file_fixes_the_ids(tmp_path: Path, folder: Path) -> None:
    labels = tmp_path / "labels.txt"
    labels.write_text("__ignore__\n_background_\nzebra\ndog\ncat\n")
    out = tmp_path / "out"
    run(convert_labelme(folder, out, labels, jobs=1))
    assert read_label(out / "SegmentationClass" / "b.png")[10, 10] == 1
    assert read_label(out / "SegmentationClass" / "a.png")[5, 20] == 3


def test_ignore_is_void_even_when_the_table_does_not_list_it(tmp_path: Path, folder: Path) -> None:
    labels = tmp_path / "class_names.txt"
    labels.write_text("background\ncat\ndog\nzebra\n")
    out = tmp_path / "out"
    run(convert_labelme(folder, out, labels, jobs=1))
    assert read_label(out / "SegmentationClass" / "a.png")[45, 5] == 255


def test_unknown_label_fails_that_file_only(tmp_path: Path, folder: Path) -> None:
    labels = tmp_path / "labels.txt"
    labels.write_text("__ignore__\n_background_\ncat\ndog\n")
    out = tmp_path / "out"
    conversion = convert_labelme(folder, out, labels, jobs=1)
    results = {Path(r.source).stem: r for r in run(conversion)}
    assert results["a"].ok and results["c"].ok
    assert not results["b"].ok
    assert results["b"].error == (
        f"{folder / 'b.json'}: shapes[0] has label 'zebra', which is not in the class table ({labels}) "
        "(add it, or choose what to do with unknown labels: --unknown)"
    )
    assert not list(out.rglob("b.*"))
    assert conversion.splits["trainval"] == ["a", "c"]


@pytest.mark.parametrize(("policy", "value"), [("ignore", 255), ("background", 0)])
def test_unknown_label_policies(tmp_path: Path, folder: Path, policy: str, value: int) -> None:
    labels = tmp_path / "labels.txt"
    labels.write_text("__ignore__\n_background_\ncat\ndog\n")
    out = tmp_path / "out"
    results = run(convert_labelme(folder, out, labels, options=ConvertOptions(unknown=policy), jobs=1))  # type: ignore[arg-type]
    assert all(r.ok for r in results)
    assert read_label(out / "SegmentationClass" / "b.png")[10, 10] == value


def test_a_label_holding_a_line_break_fails_its_file_alone(tmp_path: Path, folder: Path, caplog: pytest.LogCaptureFixture) -> None:
    path, _ = write_annotation(folder / "sub", "d", [{"label": "traffic\nlight", "points": [[1, 1], [9, 9]], "shape_type": "rectangle"}])
    results = list(convert_labelme(folder, tmp_path / "out", jobs=1))
    failed = [r for r in results if not r.ok]
    assert [r.source for r in failed] == [str(path)]
    assert "has label 'traffic\\nlight', which is not in the class table" in str(failed[0].error)
    assert f"{path}: label 'traffic\\nlight' cannot be a class name (it holds a line break)" in caplog.text
    assert "traffic" not in (tmp_path / "out" / "class_names.txt").read_text()
    assert len(results) - len(failed) >= 1


def test_class_table_that_cannot_become_class_names_is_refused_before_writing(tmp_path: Path, folder: Path) -> None:
    table = tmp_path / "gappy.csv"
    table.write_text("index,name,r,g,b\n0,background,0,0,0\n2,cat,1,2,3\n5,dog,4,5,6\n7,zebra,7,8,9\n")
    with pytest.raises(ClassTableError, match=r"cannot write class_names.txt, indices \[1, 3, 4, 6\] have no class"):
        convert_labelme(folder, tmp_path / "out", table)
    assert not (tmp_path / "out").exists()


def test_colours_come_from_the_class_table(tmp_path: Path, folder: Path) -> None:
    table = tmp_path / "classes.csv"
    table.write_text("index,name,r,g,b\n0,_background_,0,0,0\n1,cat,10,20,30\n2,dog,40,50,60\n3,zebra,70,80,90\n")
    out = tmp_path / "out"
    run(convert_labelme(folder, out, table, jobs=1))
    _, palette = read_label_palette(out / "SegmentationClass" / "a.png")
    assert palette[1].tolist() == [10, 20, 30] and palette[3].tolist() == [70, 80, 90]


# --------------------------------------------------------------------------------------------
# images


def test_rgba_png_source_becomes_an_rgb_jpeg(tmp_path: Path) -> None:
    rgba = np.dstack([scene(H, W), np.full((H, W), 128, np.uint8)])
    write_annotation(tmp_path / "src", "a", image=Image.fromarray(rgba), fmt="PNG", ext=".png")
    out = tmp_path / "out"
    assert all(r.ok for r in run(convert_labelme(tmp_path / "src", out, jobs=1)))
    with Image.open(out / "JPEGImages" / "a.jpg") as image:
        assert image.format == "JPEG" and image.mode == "RGB"
        assert np.abs(np.asarray(image, np.int16) - scene(H, W)).mean() < 3


@pytest.mark.parametrize("mode", ["L", "P", "LA"])
def test_other_image_modes_become_rgb_jpegs(tmp_path: Path, mode: str) -> None:
    gray = scene(H, W)[..., 0]
    image = Image.fromarray(gray).convert(mode)
    write_annotation(tmp_path / "src", "a", image=image, fmt="PNG", ext=".png")
    out = tmp_path / "out"
    results = run(convert_labelme(tmp_path / "src", out, jobs=1))
    assert results[0].ok, results[0].error
    with Image.open(out / "JPEGImages" / "a.jpg") as written:
        assert written.mode == "RGB"
        assert np.abs(np.asarray(written, np.int16)[..., 1] - gray).mean() < 3


def test_16_bit_grey_is_stretched_to_8_bits_like_labelme_shows_it(tmp_path: Path) -> None:
    wide = (1000 + scene(H, W)[..., 0].astype(np.uint16) * 100)
    image = Image.fromarray(wide)
    assert image.mode == "I;16"
    write_annotation(tmp_path / "src", "a", image=image, fmt="PNG", ext=".png")
    out = tmp_path / "out"
    assert run(convert_labelme(tmp_path / "src", out, jobs=1))[0].ok
    expected = (wide - wide.min()) * 255.0 / (wide.max() - wide.min())
    with Image.open(out / "JPEGImages" / "a.jpg") as written:
        assert np.abs(np.asarray(written, np.float64)[..., 0] - expected).mean() < 2


def test_keep_format_copies_png_and_jpeg_sources(tmp_path: Path) -> None:
    src = tmp_path / "src"
    _, png = write_annotation(src, "p", image=Image.fromarray(scene(H, W)), fmt="PNG", ext=".png")
    _, jpg = write_annotation(src, "j")
    out = tmp_path / "out"
    run(convert_labelme(src, out, options=ConvertOptions(image_format="keep"), jobs=1))
    assert (out / "JPEGImages" / "p.png").read_bytes() == png
    assert (out / "JPEGImages" / "j.jpg").read_bytes() == jpg
    assert VOCSegmentation(out, split="trainval")[1]["image"].shape == (H, W, 3)


def test_a_new_image_format_replaces_the_image_an_earlier_run_wrote(tmp_path: Path) -> None:
    _, png = write_annotation(tmp_path / "src", "p", image=Image.fromarray(scene(H, W)), fmt="PNG", ext=".png")
    out = tmp_path / "out"
    run(convert_labelme(tmp_path / "src", out, jobs=1))
    assert sorted(p.name for p in (out / "JPEGImages").iterdir()) == ["p.jpg"]
    run(convert_labelme(tmp_path / "src", out, options=ConvertOptions(image_format="keep"), overwrite=True, jobs=1))
    assert sorted(p.name for p in (out / "JPEGImages").iterdir()) == ["p.png"]
    np.testing.assert_array_equal(VOCSegmentation(out, split="trainval")[0]["image"], scene(H, W))
    run(convert_labelme(tmp_path / "src", out, overwrite=True, jobs=1))
    assert sorted(p.name for p in (out / "JPEGImages").iterdir()) == ["p.jpg"]


def test_keep_format_stores_other_formats_as_png(tmp_path: Path) -> None:
    gif = Image.fromarray(scene(H, W)).convert("P")
    write_annotation(tmp_path / "src", "g", image=gif, fmt="GIF", ext=".gif")
    out = tmp_path / "out"
    run(convert_labelme(tmp_path / "src", out, options=ConvertOptions(image_format="keep"), jobs=1))
    with Image.open(out / "JPEGImages" / "g.png") as image, Image.open(tmp_path / "src" / "g.gif") as source:
        assert image.format == "PNG"
        np.testing.assert_array_equal(np.asarray(image.convert("RGB")), np.asarray(source.convert("RGB")))


def test_keep_format_turns_a_rotated_png_upright_losslessly(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 8
    stored = Image.fromarray(scene(W, H))  # stored 64 rows x 48 columns, displayed 48 x 64
    write_annotation(tmp_path / "src", "r", image=stored, fmt="PNG", ext=".png", declared_hw=(H, W), exif=exif.tobytes())
    out = tmp_path / "out"
    run(convert_labelme(tmp_path / "src", out, options=ConvertOptions(image_format="keep"), jobs=1))
    with Image.open(out / "JPEGImages" / "r.png") as image:
        np.testing.assert_array_equal(np.asarray(image), np.asarray(stored.transpose(Image.Transpose.ROTATE_90)))


def test_exif_rotated_jpeg_is_written_as_displayed(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6
    stored = Image.fromarray(scene(W, H))
    write_annotation(tmp_path / "src", "r", image=stored, declared_hw=(H, W), exif=exif.tobytes(), quality=95)
    out = tmp_path / "out"
    assert run(convert_labelme(tmp_path / "src", out, jobs=1))[0].ok
    with Image.open(out / "JPEGImages" / "r.jpg") as image:
        shown = np.asarray(image, np.int16)
    expected = np.asarray(stored.transpose(Image.Transpose.ROTATE_270), np.int16)
    assert shown.shape == (H, W, 3) and np.abs(shown - expected).mean() < 3
    assert read_label(out / "SegmentationClass" / "r.png").shape == (H, W)


def test_embedded_and_path_images_give_the_same_dataset(tmp_path: Path) -> None:
    write_annotation(tmp_path / "a", "x", embed=True)
    write_annotation(tmp_path / "b", "x", embed=False)
    run(convert_labelme(tmp_path / "a", tmp_path / "out_a", jobs=1))
    run(convert_labelme(tmp_path / "b", tmp_path / "out_b", jobs=1))
    assert tree_bytes(tmp_path / "out_a") == tree_bytes(tmp_path / "out_b")


# --------------------------------------------------------------------------------------------
# bad files


def test_bad_files_are_reported_and_leave_nothing(tmp_path: Path, folder: Path) -> None:
    (folder / "broken.json").write_text("{")
    write_annotation(folder, "noimage")
    (folder / "noimage.jpg").unlink()
    noisy = Image.fromarray(np.random.default_rng(0).integers(0, 255, (H, W, 3), dtype=np.uint8))
    path, data = write_annotation(folder, "truncated", image=noisy)
    (folder / "truncated.jpg").write_bytes(data[: len(data) * 2 // 3])  # header intact, pixels cut
    write_annotation(folder, "badshape", [{"label": "cat", "points": [[1, 1], [2, 2]], "shape_type": "polygon"}])
    (folder / "config.json").write_text(json.dumps({"lr": 0.1}))
    out = tmp_path / "out"
    conversion = convert_labelme(folder, out, options=ConvertOptions(viz=True), jobs=1)
    results = {Path(r.source).stem: r for r in run(conversion)}
    assert results["broken"].error.startswith(f"{folder / 'broken.json'}: not valid JSON at line 1")
    assert "noimage.json: image 'noimage.jpg' not found (tried" in results["noimage"].error
    assert results["truncated"].error.startswith(f"{folder / 'truncated.json'}: image {folder / 'truncated.jpg'}: cannot decode the image")
    assert results["badshape"].error == f"{folder / 'badshape.json'}: shapes[0] (label 'cat', polygon): a polygon needs at least 3 points, got 2"
    assert results["config"].ok and results["config"].skipped
    assert results["config"].warnings == (f"{folder / 'config.json'}: not a labelme annotation (no 'shapes' list); skipped",)
    for stem in ("broken", "noimage", "truncated", "badshape", "config"):
        assert not [p for p in out.rglob(f"{stem}.*")], stem
    assert conversion.splits["trainval"] == ["a", "b", "c"]
    assert not [p for p in out.rglob("*.tmp")]


def test_a_run_that_converts_nothing_leaves_a_new_output_as_it_was(tmp_path: Path, folder: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x.json").write_text("{")
    out = tmp_path / "out"
    conversion = convert_labelme(bad, out, options=ConvertOptions(instances=True, viz=True), jobs=1)
    assert not run(conversion)[0].ok and conversion.nothing_written
    assert not out.exists()  # no class table found in no annotation, for the next run to take as the dataset's
    write_annotation(bad, "x")  # mended: the next run finds its classes in the annotations
    assert all(r.ok for r in run(convert_labelme(bad, out, jobs=1)))
    assert (out / "class_names.txt").read_text().split() == ["_background_", "cat", "dog"]
    (bad / "x.json").write_text("{")  # into a dataset that holds something, nothing is taken away
    conversion = convert_labelme(bad, out, overwrite=True, jobs=1)
    assert not run(conversion)[0].ok and not conversion.nothing_written
    assert (out / "class_names.txt").is_file() and (out / "SegmentationClass" / "x.png").is_file()


def test_skip_bad_shapes_keeps_the_file(tmp_path: Path) -> None:
    shapes = [*shapes_abc(), {"label": "cat", "points": [[1, 1], [2, 2]], "shape_type": "polygon"}]
    path, _ = write_annotation(tmp_path / "src", "a", shapes)
    out = tmp_path / "out"
    (result,) = run(convert_labelme(tmp_path / "src", out, options=ConvertOptions(skip_bad_shapes=True), jobs=1))
    assert result.ok and not result.skipped
    assert result.warnings == (f"{path}: shapes[4] (label 'cat', polygon): a polygon needs at least 3 points, got 2 (shape skipped)",)
    assert (out / "SegmentationClass" / "a.png").exists()


def test_an_undecodable_mask_is_a_bad_shape_not_a_crash(tmp_path: Path, folder: Path) -> None:
    mask = base64.b64encode(broken_chunk_png(np.ones((5, 5), np.uint8))).decode()
    shapes = [*shapes_abc(), {"label": "cat", "points": [[1, 1], [5, 5]], "shape_type": "mask", "mask": mask}]
    path, _ = write_annotation(folder, "m", shapes)
    message = f"{path}: shapes[4] (label 'cat', mask): 'mask' does not decode as an image (broken PNG file (chunk b'ID@T'))"
    results = {Path(r.source).stem: r for r in run(convert_labelme(folder, tmp_path / "out", jobs=1))}
    assert results["m"].error == message
    assert all(r.ok for stem, r in results.items() if stem != "m")
    results = {Path(r.source).stem: r for r in run(convert_labelme(folder, tmp_path / "skip", options=ConvertOptions(skip_bad_shapes=True), jobs=1))}
    assert all(r.ok for r in results.values())
    assert results["m"].warnings == (f"{message} (shape skipped)",)


def test_a_failed_write_keeps_every_earlier_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import labeltools.jobs.convert as convert_module

    table = ClassTable.from_names(["_background_", "cat", "dog", "__ignore__"])
    path, _ = write_annotation(tmp_path / "src", "a")
    convert_file(path, tmp_path / "out", table, options=ConvertOptions(instances=True))
    before = tree_bytes(tmp_path / "out")
    write_annotation(tmp_path / "src", "a", shapes_abc()[:1], image=Image.new("RGB", (W, H), "red"))

    def disk_full(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(convert_module, "save_label_image", disk_full)
    with pytest.raises(OutputError, match=r"SegmentationClass/a\.png: cannot write \(No space left on device\)"):
        convert_file(path, tmp_path / "out", table, options=ConvertOptions(instances=True))
    assert tree_bytes(tmp_path / "out") == before  # the new image was staged, never renamed in


def test_line_width_and_point_size_reach_the_rasteriser(tmp_path: Path) -> None:
    shapes = [{"label": "cat", "points": [[5, 20], [60, 20]], "shape_type": "line"},
              {"label": "cat", "points": [[30, 40]], "shape_type": "point"}]
    path, _ = write_annotation(tmp_path / "src", "a", shapes)
    table = ClassTable.from_names(["_background_", "cat"])
    convert_file(path, tmp_path / "wide", table)
    convert_file(path, tmp_path / "thin", table, options=ConvertOptions(line_width=2, point_size=1))
    wide = read_label(tmp_path / "wide" / "SegmentationClass" / "a.png")
    thin = read_label(tmp_path / "thin" / "SegmentationClass" / "a.png")
    assert np.count_nonzero(thin) < np.count_nonzero(wide) / 3


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (ConvertOptions(unknown="skip"), r"unknown-label policy must be one of error, ignore, background, got 'skip'"),  # type: ignore[arg-type]
        (ConvertOptions(image_format="png"), r"image format must be one of jpg, keep, got 'png'"),  # type: ignore[arg-type]
        (ConvertOptions(line_width=0), r"line width must be a positive integer, got 0"),
        (ConvertOptions(point_size=-2), r"point size must be a non-negative integer, got -2"),
        (ConvertOptions(labelme_rules="5"), r"labelme rules must be one of 7, 6, got '5'"),  # type: ignore[arg-type]
    ],
)
def test_bad_options(tmp_path: Path, folder: Path, options: ConvertOptions, message: str) -> None:
    with pytest.raises(AnnotationError, match=message):
        convert_labelme(folder, tmp_path / "out", options=options)


# --------------------------------------------------------------------------------------------
# inputs and ids


def test_inputs_can_be_files_and_folders(tmp_path: Path, folder: Path) -> None:
    found = find_annotations([folder / "a.json", folder / "sub", folder / "a.json"])
    assert [p.name for p, _ in found] == ["a.json", "c.json"]


def test_input_errors(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"nothing: no such file or folder"):
        find_annotations([tmp_path / "nothing"])
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(DatasetError, match=r"a\.txt: not a \.json or \.xml file \(give annotation files or folders\)"):
        find_annotations([tmp_path / "a.txt"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError, match=r"no annotation file \(\.json or \.xml\) nor folder of masks nor YOLO data\.yaml found: .*empty: empty; masks in a folder named otherwise: --from masks$"):
        find_annotations([tmp_path / "empty"])
    (tmp_path / "empty" / "a.xml").write_text("<annotations/>")
    with pytest.raises(DatasetError, match=r"no labelme annotation \(\.json\) found: .*empty: 0 image\(s\), 1 other file\(s\), no \.json$"):
        find_annotations([tmp_path / "empty"], source="labelme")
    with pytest.raises(DatasetError, match=r"no coco annotation file \(\.json\) found"):
        find_annotations([tmp_path / "empty"], source="coco")
    (tmp_path / "empty" / "a.json").write_text("{}")  # a .json, but no Cityscapes name
    with pytest.raises(DatasetError, match=r"no cityscapes annotation file \(\*_gtFine_polygons\.json or \*_gtCoarse_polygons\.json\) found"):
        find_annotations([tmp_path / "empty"], source="cityscapes")


def test_output_inside_input_is_not_searched(tmp_path: Path, folder: Path) -> None:
    (folder / "out").mkdir()
    (folder / "out" / "stray.json").write_text("{}")
    found = find_annotations([folder], exclude=folder / "out")
    assert "stray.json" not in [p.name for p, _ in found]


def test_datasets_an_earlier_run_wrote_inside_the_input_are_left_out(tmp_path: Path, folder: Path) -> None:
    """``convert anns anns/voc``, then ``convert anns anns/voc2``: the second read anns/voc's
    dataset_meta.json as an annotation (skipped 1), a third stopped as two files of the id
    dataset_meta, and after ``export anns --to coco -d anns/coco`` convert refused a mixture of
    labelme and COCO files. Each dataset an earlier run wrote there is left out, said once; an
    export given alone is read."""
    ids = sorted(p.stem for p, _ in find_annotations([folder]))
    for n, out in enumerate(("voc", "coco", "voc2", "voc3")):
        command = ["export", str(folder), "--to", "coco", "-d"] if out == "coco" else ["convert", str(folder)]
        result = CliRunner().invoke(app, [*command, str(folder / out), "-j", "1", "--json", str(tmp_path / f"{out}.json")])
        assert result.exit_code == 0, result.stderr
        if n:
            earlier = ", ".join(str(folder / name) for name in sorted(("voc", "coco", "voc2")[:n]))
            assert f"{folder}: left out {earlier}: written by an earlier convert or export, no annotations" in " ".join(result.stderr.split())
        if out != "coco":
            summary = json.loads((tmp_path / f"{out}.json").read_text())
            assert summary["skipped"] == 0 and summary["converted"] == len(ids)
            assert sorted(p.stem for p in (folder / out / "SegmentationClass").glob("*.png")) == ids
    result = CliRunner().invoke(app, ["convert", str(folder / "coco"), str(tmp_path / "again"), "-j", "1"])
    assert result.exit_code == 0, result.stderr
    assert sorted(p.stem for p in (tmp_path / "again" / "SegmentationClass").glob("*.png")) == ids


def test_the_labels_txt_kept_with_labelme_annotations_numbers_the_classes(tmp_path: Path) -> None:
    """labelme's workflow keeps its class list as labels.txt (``labelme --labels``,
    ``labelme2voc.py --labels``), in the annotations' folder or above it as labelme's examples
    do: convert numbered the classes by their names instead (cat 1, dog 2, where the list says
    dog 1, cat 2), and an export named them so. The list numbers them, the first line says
    so; one above without labelme's header lines is not taken, and two lists that differ are
    refused."""
    project = tmp_path / "project"
    data = project / "data_annotated"
    write_annotation(data, "a")
    (project / "labels.txt").write_text("__ignore__\n_background_\ndog\ncat\n")
    result = CliRunner().invoke(app, ["convert", str(data), str(tmp_path / "voc"), "-j", "1"])
    assert result.exit_code == 0, result.stderr
    assert f"classes: 3, from {project / 'labels.txt'}, the labels.txt kept with the annotations" in " ".join(result.stderr.split())
    assert (tmp_path / "voc" / "class_names.txt").read_text().split() == ["_background_", "dog", "cat"]
    label = read_label(tmp_path / "voc" / "SegmentationClass" / "a.png")
    expected, _ = labelme_to_label(read_labelme(data / "a.json"), load_class_table(tmp_path / "voc"), shape_hw=label.shape)
    np.testing.assert_array_equal(label, expected)
    assert set(np.unique(label)) == {0, 1, 2, 255} and (label[20, 40] == 1)  # inside the dog rectangle: 1, as the list says
    result = CliRunner().invoke(app, ["export", str(data), "--to", "yolo-seg", "-d", str(tmp_path / "yolo"), "-j", "1"])
    assert result.exit_code == 0, result.stderr
    assert 'names:\n  0: "dog"\n  1: "cat"' in (tmp_path / "yolo" / "data.yaml").read_text()
    assert f"classes: 3, from {project / 'labels.txt'}, the labels.txt kept with the annotations" in " ".join(result.stderr.split())
    (project / "labels.txt").write_text("dog\ncat\n")  # above the folder, without labelme's header: not taken
    result = CliRunner().invoke(app, ["convert", str(data), str(tmp_path / "found"), "-j", "1"])
    assert result.exit_code == 0 and "classes: 3, found in the annotations" in result.stderr
    (data / "labels.txt").write_text("_background_\ndog\ncat\n")  # in the folder: taken as it is
    write_annotation(project / "more", "b")
    (project / "more" / "labels.txt").write_text("_background_\ncat\ndog\n")
    result = CliRunner().invoke(app, ["convert", str(data), str(project / "more"), str(tmp_path / "two"), "-j", "1"])
    assert result.exit_code == 1 and not (tmp_path / "two").exists()
    assert f"{data / 'labels.txt'} and {project / 'more' / 'labels.txt'} list the classes otherwise" in " ".join(result.stderr.split())


def test_same_stem_in_two_folders_is_refused_before_writing(tmp_path: Path, folder: Path) -> None:
    write_annotation(folder / "other", "a")
    out = tmp_path / "out"
    with pytest.raises(DatasetError) as info:
        convert_labelme(folder, out)
    assert str(info.value) == (
        "1 output id(s) would be written by more than one file (use --flatten-names to prefix ids "
        f"with their folder): a: {folder / 'a.json'}, {folder / 'other' / 'a.json'}"
    )
    assert not out.exists()
    conversion = convert_labelme(folder, out, flatten_names=True, jobs=1)
    assert sorted(i.image_id for i in conversion.items) == ["a", "b", "other_a", "sub_c"]
    run(conversion)
    assert (out / "SegmentationClass" / "other_a.png").exists()


def test_flattened_names_can_still_clash(tmp_path: Path) -> None:
    write_annotation(tmp_path / "src" / "a_b", "x")
    write_annotation(tmp_path / "src" / "a" / "b", "x")
    with pytest.raises(DatasetError, match=r"^1 output id\(s\) would be written by more than one file: a_b_x: "):
        convert_labelme(tmp_path / "src", tmp_path / "out", flatten_names=True)


# --------------------------------------------------------------------------------------------
# existing output: refuse, overwrite, resume


def test_existing_output_is_refused(tmp_path: Path, folder: Path) -> None:
    out = tmp_path / "out"
    run(convert_labelme(folder, out, jobs=1))
    with pytest.raises(DatasetError, match=r"out: already exists and is not empty; pass --overwrite to convert everything again into it, or --resume to convert only what changed"):
        convert_labelme(folder, out)
    (tmp_path / "empty").mkdir()
    assert len(convert_labelme(folder, tmp_path / "empty").run()) == 3
    (tmp_path / "file").write_text("x")
    with pytest.raises(DatasetError, match=r"file: exists and is not a folder"):
        convert_labelme(folder, tmp_path / "file")
    with pytest.raises(DatasetError, match=r"choose either overwrite \(convert everything again\) or resume \(only what changed\), not both"):
        convert_labelme(folder, out, overwrite=True, resume=True)


def test_overwrite_converts_everything_again(tmp_path: Path, folder: Path) -> None:
    out = tmp_path / "out"
    run(convert_labelme(folder, out, jobs=1))
    label = out / "SegmentationClass" / "a.png"
    label.write_bytes(b"stale")
    results = run(convert_labelme(folder, out, overwrite=True, jobs=1))
    assert all(r.ok and not r.skipped for r in results)
    assert read_label(label).shape == (H, W)


def _age(paths: list[Path], seconds: int = 100) -> None:
    for path in paths:
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns - seconds * 10**9, stat.st_mtime_ns - seconds * 10**9))


def test_resume_converts_only_what_changed(tmp_path: Path, folder: Path) -> None:
    out = tmp_path / "out"
    _age(list(folder.rglob("*.*")))
    run(convert_labelme(folder, out, options=ConvertOptions(instances=True), jobs=1))
    # a changed annotation, a changed image, a deleted output, a new file
    (folder / "a.json").touch()
    (folder / "sub" / "c.jpg").touch()
    (out / "SegmentationObject" / "b.png").unlink()
    write_annotation(folder, "d", [{"label": "dog", "points": [[1, 1], [9, 9]], "shape_type": "rectangle"}])
    results = {Path(r.source).stem: r for r in run(convert_labelme(folder, out, resume=True, options=ConvertOptions(instances=True), jobs=1))}
    assert {s for s, r in results.items() if r.skipped} == set()
    _age([p for p in out.rglob("*") if p.is_file()], -100)  # outputs newer than every input
    results = {Path(r.source).stem: r for r in run(convert_labelme(folder, out, resume=True, options=ConvertOptions(instances=True), jobs=1))}
    assert all(r.skipped and r.ok for r in results.values())
    assert results["a"].data["status"] == "up-to-date"
    assert set(results["a"].outputs) == {str(out / d / f"a{e}") for d, e in (("JPEGImages", ".jpg"), ("SegmentationClass", ".png"), ("SegmentationObject", ".png"))}
    # asking for more outputs than exist converts again
    results = {Path(r.source).stem: r for r in run(convert_labelme(folder, out, resume=True, options=ConvertOptions(instances=True, viz=True), jobs=1))}
    assert not any(r.skipped for r in results.values())


def test_resume_skips_exactly_the_up_to_date_files(tmp_path: Path, folder: Path) -> None:
    out = tmp_path / "out"
    _age(list(folder.rglob("*.*")), 200)
    run(convert_labelme(folder, out, jobs=1))
    _age([p for p in out.rglob("*") if p.is_file()], 100)  # outputs older than now, newer than inputs
    (folder / "b.json").touch()
    results = {Path(r.source).stem: r for r in run(convert_labelme(folder, out, resume=True, jobs=1))}
    assert {s for s, r in results.items() if r.skipped} == {"a", "c"}
    assert not results["b"].skipped and results["b"].data["status"] == "converted"


def test_resume_refuses_a_different_class_table(tmp_path: Path, folder: Path) -> None:
    out = tmp_path / "out"
    run(convert_labelme(folder, out, jobs=1))
    write_annotation(folder, "e", [{"label": "emu", "points": [[1, 1], [9, 9]], "shape_type": "rectangle"}])
    # Without a table the dataset's own is kept: the file with a new label fails alone.
    recorded = load_class_table(out)
    conversion = convert_labelme(folder, out, resume=True, jobs=1)
    assert conversion.classes == recorded and "recorded in" in conversion.classes_chosen
    failed = [r for r in conversion if not r.ok]
    assert [Path(r.source).name for r in failed] == ["e.json"] and "'emu'" in str(failed[0].error)
    assert load_class_table(out) == recorded
    labels = tmp_path / "labels.txt"
    labels.write_text("_background_\ndog\ncat\nzebra\nemu\n")
    with pytest.raises(DatasetError, match=r"class_names\.txt: the class table differs from the one this run uses \(new: emu; moved: dog \(2 to 1\), cat \(1 to 2\)\); resuming would mix class ids"):
        convert_labelme(folder, out, labels, resume=True)
    labels.write_text("_background_\ndog\ncat\nzebra\n")
    (folder / "e.json").unlink()
    with pytest.raises(DatasetError, match=r"\(index 1 was 'cat', now 'dog'\)"):
        convert_labelme(folder, out, labels, resume=True)


def test_resume_keeps_every_id_in_its_split(tmp_path: Path) -> None:
    src = tmp_path / "src"
    for i in range(20):
        write_annotation(src, f"im{i:02d}")
    out = tmp_path / "out"
    run(convert_labelme(src, out, val_fraction=0.3, seed=1, jobs=1))
    train, val = read_split(out, "train"), read_split(out, "val")
    assert len(val) == 6
    for i in range(20, 25):
        write_annotation(src, f"im{i:02d}")
    conversion = convert_labelme(src, out, val_fraction=0.3, seed=99, resume=True, jobs=1)
    run(conversion)
    assert set(val) <= set(read_split(out, "val")) and set(train) <= set(read_split(out, "train"))
    assert len(read_split(out, "val")) == 8  # round(25 * 0.3)
    assert read_split(out, "trainval") == sorted(f"im{i:02d}" for i in range(25))


@pytest.mark.parametrize("again", ["--resume", "--overwrite"])
def test_a_datasets_test_list_stays_out_of_train_and_val_when_it_is_converted_again(tmp_path: Path, again: str) -> None:
    src = tmp_path / "src"
    for i in range(12):
        write_annotation(src, f"im{i:02d}")
    out = tmp_path / "out"
    run(convert_labelme(src, out, val_fraction=0.25, jobs=1))
    test = out / "ImageSets" / "Segmentation" / "test.txt"
    held = [*read_split(out, "train")[:2], read_split(out, "val")[0]]
    test.write_text("".join(f"{i}\n" for i in held))
    write_annotation(src, "im12")
    result = CliRunner().invoke(app, ["convert", str(src), str(out), again, "--val-fraction", "0.25", "--json", str(tmp_path / "c.json"), "-j", "1"])
    assert result.exit_code == 0, result.output
    assert f"{out}: 13 images, 3 classes (train 7, val 3; test 3, kept out as test.txt lists)" in result.stdout
    assert json.loads((tmp_path / "c.json").read_text())["held_out"] == sorted(held)
    assert read_split(out, "trainval") == sorted({f"im{i:02d}" for i in range(13)} - set(held))
    assert test.read_text() == "".join(f"{i}\n" for i in held)


def test_resume_refuses_an_unreadable_split_file_before_writing(tmp_path: Path, folder: Path) -> None:
    out = tmp_path / "out"
    run(convert_labelme(folder, out, jobs=1))
    train = out / "ImageSets" / "Segmentation" / "train.txt"
    train.write_bytes(b"a\n\xff\xfe\n")
    before = tree_bytes(out)
    with pytest.raises(DatasetError, match=rf"^{re.escape(str(train))}: cannot read split file \('utf-8' codec can't decode"):
        convert_labelme(folder, out, resume=True, jobs=1)
    assert tree_bytes(out) == before


# --------------------------------------------------------------------------------------------
# splits


def test_split_is_deterministic_sized_and_seeded() -> None:
    ids = [f"img{i:03d}" for i in range(50)]
    train, val = split_ids(ids, 0.2, seed=0)
    assert len(val) == 10 and len(train) == 40 and not set(train) & set(val)
    assert split_ids(list(reversed(ids)), 0.2, seed=0) == (train, val)
    assert split_ids(ids, 0.2, seed=1)[1] != val
    assert split_ids(ids, 0.0)[1] == [] and split_ids(ids, 1.0)[0] == []  # all train or all val, as asked
    # a file added later moves at most the boundary, never reshuffles the rest
    more_train, more_val = split_ids([*ids, "zzz"], 0.2, seed=0)
    assert len(set(val) - set(more_val)) <= 1


def test_the_split_names_of_exports_and_the_ids_they_keep() -> None:
    names = {"train2017": "train", "Validation": "val", "val2014": "val", "minival": "val", "train_extra": "train",
             "test-dev2017": "test", "Test": "test", "default": None, "trainval": None, "": None, None: None}  # fmt: skip
    assert {name: own_split(name) for name in names} == names
    ids = [f"img{i:02d}" for i in range(20)]
    own = {"img00": "train", "img01": "val", "img02": "test"}
    assert kept_splits(own, (["img01", "img05"], ["img06"])) == (["img00", "img05"], ["img01", "img06"])
    train, val = split_ids(ids[3:] + ["img00", "img01"], 0.5, 0, kept_splits(own))
    assert "img00" in train and "img01" in val and len(val) == 10
    assert kept_splits({"img00": "train"}) is None  # no val of its own: its train is split as any ids


def test_labelme_folders_named_for_splits_are_those_splits(tmp_path: Path) -> None:
    """annotations/train/ and annotations/val/ (how many keep labelme files) were split again at
    random; given as the folder above them or as two folders, each keeps its own, said; an
    export of them keeps it too."""
    write_annotation(tmp_path / "ann" / "train", "a")
    write_annotation(tmp_path / "ann" / "train", "b")
    write_annotation(tmp_path / "ann" / "val", "c")
    write_annotation(tmp_path / "ann" / "val" / "night", "d")
    for n, given in enumerate(([tmp_path / "ann"], [tmp_path / "ann" / "train", tmp_path / "ann" / "val"])):
        result = CliRunner().invoke(app, ["convert", *map(str, given), str(tmp_path / f"out{n}"), "-j", "1"])
        assert result.exit_code == 0, result.stderr
        assert "split: their folders' own (train 2, val 2)" in result.stderr
        folder = tmp_path / f"out{n}" / "ImageSets" / "Segmentation"
        assert (folder / "train.txt").read_text().split() == ["a", "b"] and (folder / "val.txt").read_text().split() == ["c", "d"]
    # a folder of test images alone is a dataset of its test set (it was undone as a dataset of no image)
    write_annotation(tmp_path / "held" / "test", "e")
    result = CliRunner().invoke(app, ["convert", str(tmp_path / "held" / "test"), str(tmp_path / "test-only"), "-j", "1"])
    assert result.exit_code == 0, result.stderr
    assert "(train 0, val 0; test 1, kept out as test.txt lists)" in result.stdout
    folder = tmp_path / "test-only" / "ImageSets" / "Segmentation"
    assert (folder / "test.txt").read_text() == "e\n" and (tmp_path / "test-only" / "SegmentationClass" / "e.png").is_file()
    result = CliRunner().invoke(app, ["export", str(tmp_path / "ann"), "--to", "coco", "-d", str(tmp_path / "coco"), "--split", "val", "-j", "1"])
    assert result.exit_code == 0, result.stderr
    images = json.loads((tmp_path / "coco" / "annotations" / "instances_val.json").read_text())["images"]
    assert sorted(i["file_name"] for i in images) == ["c.jpg", "d.jpg"]


@pytest.mark.parametrize("fraction", [-0.1, 1.5, float("nan")])
def test_bad_val_fraction(tmp_path: Path, folder: Path, fraction: float) -> None:
    with pytest.raises(DatasetError, match=r"validation fraction must be between 0 and 1, got"):
        convert_labelme(folder, tmp_path / "out", val_fraction=fraction)


def test_conversion_runs_once(tmp_path: Path, folder: Path) -> None:
    conversion = convert_labelme(folder, tmp_path / "out", jobs=1)
    run(conversion)
    with pytest.raises(RuntimeError, match="a Conversion runs once"):
        iter(conversion)


def test_labelme_images_kept_in_another_folder_are_found_by_images(tmp_path: Path) -> None:
    """Annotations whose images were moved to another folder: each fails naming the places tried
    and --images; with --images the folder is looked in first (by imagePath, then by name), and
    the dataset equals the one made with the images beside; export finds them so too."""
    runner = CliRunner()
    for stem in ("a", "b"):
        write_annotation(tmp_path / "together", stem)
    done = runner.invoke(app, ["convert", str(tmp_path / "together"), str(tmp_path / "reference"), "-j", "1"])
    assert done.exit_code == 0, done.stderr
    (tmp_path / "json").mkdir()
    (tmp_path / "pics").mkdir()
    for stem in ("a", "b"):
        (tmp_path / "together" / f"{stem}.json").rename(tmp_path / "json" / f"{stem}.json")
        (tmp_path / "together" / f"{stem}.jpg").rename(tmp_path / "pics" / f"{stem}.jpg")
    lost = runner.invoke(app, ["convert", str(tmp_path / "json"), str(tmp_path / "lost"), "-j", "1"])
    said = " ".join(lost.stderr.split())
    assert lost.exit_code == 1 and f"{tmp_path / 'json' / 'a.json'}: image 'a.jpg' not found (tried {tmp_path / 'json' / 'a.jpg'}); --images DIR looks for it in another folder" in said, said
    found = runner.invoke(app, ["convert", str(tmp_path / "json"), str(tmp_path / "found"), "--images", str(tmp_path / "pics"), "-j", "1"])
    assert found.exit_code == 0, found.stderr
    for stem in ("a", "b"):
        assert (read_label(tmp_path / "found" / "SegmentationClass" / f"{stem}.png") == read_label(tmp_path / "reference" / "SegmentationClass" / f"{stem}.png")).all()
    exported = runner.invoke(app, ["export", str(tmp_path / "json"), "--to", "coco", "-d", str(tmp_path / "coco"), "--images", str(tmp_path / "pics")])
    assert exported.exit_code == 0 and len(list((tmp_path / "coco" / "images").rglob("*.jpg"))) == 2, exported.stderr
