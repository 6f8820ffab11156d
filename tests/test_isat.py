"""ISAT's annotations (labeltools.formats.isat), with ISAT's own VOC converter (isat-sam 1.5.2's
``ISAT.formats.voc``, in an environment of its own) as the oracle: what `convert` draws of an
ISAT folder is what that converter draws, pixel for pixel, in the class and the instance maps."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from skimage.draw import polygon as skimage_polygon
from typer.testing import CliRunner

from exports import ellipse_outline, isat_object, write_isat

from labeltools.cli import app
from labeltools.formats.isat import read_isat
from labeltools.formats.labels import read_label
from labeltools.ops.raster import object_mask

runner = CliRunner()


def cli(*args: Any) -> Any:
    return runner.invoke(app, [str(a) for a in args])


def scene_images() -> dict[str, tuple[tuple[int, int], list[dict[str, Any]]]]:
    """Two images of layered objects: segment-anything outlines and hand-drawn polygons with
    fractional, negative and out-of-image vertices, a self-crossing one, an object in two parts
    (one group), a crowd, a ``__background__`` object cut out of another, layers out of file
    order and tied."""
    shape = (60, 80)
    return {
        "street.jpg": (shape, [
            isat_object("road", [[-3.7, 40.2], [85.0, 38.9], [79.5, 61.0], [0.2, 59.99]], layer=1.0),
            isat_object("car", ellipse_outline((30, 40), (14, 8), shape, 10), layer=3.0, group=2),
            isat_object("car", [[52.5, 30.1], [70.9, 30.0], [71.0, 47.6], [52.0, 47.2]], layer=3.0, group=2),
            isat_object("person", [[10, 5], [25, 25], [10, 25], [25, 5]], layer=2.0, group=3),  # crosses itself
            isat_object("person", ellipse_outline((62, 18), (5, 12), shape, 0), layer=5.0, group=4, iscrowd=True),
            isat_object("__background__", [[28, 36], [34, 36], [34, 42], [28, 42]], layer=4.0, group=5),
        ]),
        "yard.jpg": ((48, 40), [
            isat_object("person", ellipse_outline((20, 24), (9, 16), (48, 40), 25), layer=2.0, group=1),
            isat_object("road", [[0, 30], [39, 30], [39, 47], [0, 47]], layer=1.5, group=2),
        ]),
    }  # fmt: skip


ISAT_DRAWS = """
import json, sys
from pathlib import Path
from ISAT.formats.voc import VOC
source, out = sys.argv[1], Path(sys.argv[2])
semantic = VOC()
semantic.read_from_ISAT(source)
semantic.save_to_voc(str(out / "class"))
instances = VOC()
instances.is_instance = True
instances.read_from_ISAT(source)
instances.save_to_voc(str(out / "instance"))
"""


def isat_draws(source: Path, tmp_path: Path) -> Path:
    """ISAT's VOC converter's class and instance maps of ``source`` (``class/``, ``instance/``),
    run in its own environment from another working folder."""
    from consumers import run_in

    out = tmp_path / "isat-voc"
    (tmp_path / "elsewhere").mkdir()
    done = run_in("isat", ISAT_DRAWS, tmp_path / "elsewhere", str(source), str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    return out


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two instance maps split the image alike, whatever their numbers."""
    pairs = set(zip(a.ravel().tolist(), b.ravel().tolist()))
    return len(pairs) == len({p[0] for p in pairs}) == len({p[1] for p in pairs})


def test_convert_draws_what_isats_own_converter_draws(tmp_path: Path) -> None:
    source = write_isat(tmp_path / "isat", scene_images(), ["person", "car", "road"])
    done = cli("convert", source, tmp_path / "voc", "--instances", "-j", "1")
    assert done.exit_code == 0, done.output
    assert f"3 classes and colours of {source / 'isat.yaml'}, their ids kept" in done.stderr
    reference = isat_draws(source, tmp_path)
    voc = tmp_path / "voc"
    assert (voc / "class_names.txt").read_text().split() == ["_background_", "person", "car", "road"]
    assert (reference / "class" / "classification.txt").read_text().split()[1:] == ["person", "car", "road"]
    for stem in ("street", "yard"):
        ours = read_label(voc / "SegmentationClass" / f"{stem}.png")
        theirs = np.asarray(Image.open(reference / "class" / f"{stem}.png"))
        np.testing.assert_array_equal(ours, theirs)
        assert set(np.unique(ours).tolist()) >= {0, 3}  # not an empty picture twice
        # ISAT's instance map numbers a __background__ object by its group too: ours leaves it 0
        instances = read_label(voc / "SegmentationObject" / f"{stem}.png")
        objects = ours != 0
        assert same_partition(instances[objects], np.asarray(Image.open(reference / "instance" / f"{stem}.png"))[objects])
        assert not instances[~objects].any()
    street = read_label(voc / "SegmentationClass" / "street.png")
    assert street[39, 31] == 0  # the __background__ object cut out of the car
    assert street[18, 62] == 1  # the crowd of people is painted as people, as ISAT's converter paints it
    car = read_label(voc / "SegmentationObject" / "street.png")[street == 2]
    assert len(set(car.tolist())) == 1  # the car's two parts (one group) are one instance
    # ISAT's own label maps are read with the class list its converter wrote beside them
    done = cli("stats", reference / "class", "--json", "-")
    assert done.exit_code == 0 and f"classes: {reference / 'class' / 'classification.txt'}, the list the labels came with" in done.stderr
    assert [c["name"] for c in json.loads(done.stdout)["classes"]][:4] == ["__background__", "person", "car", "road"]


def test_the_coco_export_of_isat_annotations_reads_back_as_the_instances_convert_draws(tmp_path: Path) -> None:
    """Each object pycocotools reads of ``export --to coco`` holds one instance of the instance
    map ``convert`` draws of the same folder, whole (COCO keeps an object's pixels under the
    objects of higher layers: those are the only others it holds)."""
    from pycocotools.coco import COCO

    source = write_isat(tmp_path / "isat", scene_images(), ["person", "car", "road"])
    assert cli("convert", source, tmp_path / "voc", "--instances", "-j", "1").exit_code == 0
    done = cli("export", source, "--to", "coco", "-d", tmp_path / "coco", "-j", "1")
    assert done.exit_code == 0, done.output
    read = 0
    for instances_file in sorted((tmp_path / "coco" / "annotations").glob("instances_*.json")):
        coco = COCO(str(instances_file))
        for image in coco.dataset["images"]:
            instances = read_label(tmp_path / "voc" / "SegmentationObject" / f"{Path(image['file_name']).stem}.png")
            for annotation in coco.loadAnns(coco.getAnnIds(imgIds=[image["id"]])):
                mask = coco.annToMask(annotation).astype(bool)
                values, counts = np.unique(instances[mask], return_counts=True)
                ink = int(values[np.argmax(counts)])
                assert ink and mask[instances == ink].all()
                read += 1
    assert read == 6  # street: road, car (two parts), two people, not the background; yard: person, road


def test_a_category_isat_yaml_lacks_is_numbered_after_its_classes(tmp_path: Path) -> None:
    """ISAT's converter paints a category missing from isat.yaml as background, without a word;
    convert numbers it after the list's classes and says so."""
    images = {"a.jpg": ((20, 20), [isat_object("dog", [[2, 2], [12, 2], [12, 12]], 1.0), isat_object("cat", [[5, 5], [18, 5], [18, 18]], 2.0)])}
    source = write_isat(tmp_path / "isat", images, ["cat"])
    done = cli("convert", source, tmp_path / "voc", "-j", "1")
    assert done.exit_code == 0, done.output
    assert (tmp_path / "voc" / "class_names.txt").read_text().split() == ["_background_", "cat", "dog"]
    label = read_label(tmp_path / "voc" / "SegmentationClass" / "a.png")
    assert label[3, 10] == 2 and label[15, 17] == 1
    no_list = write_isat(tmp_path / "bare", images, None)
    done = cli("convert", no_list, tmp_path / "voc2", "-j", "1")
    assert done.exit_code == 0 and "classes of a.json, numbered from 1 in their order" in " ".join(done.stderr.split())


def test_a_bad_object_fails_its_image_alone_and_a_bad_class_list_is_named(tmp_path: Path) -> None:
    images = {
        "good.jpg": ((10, 10), [isat_object("cat", [[1, 1], [8, 1], [8, 8]], 1.0)]),
        "bad.jpg": ((10, 10), [isat_object("cat", [[1, 1], [8, 1], [8, 8]], 1.0)]),
    }
    source = write_isat(tmp_path / "isat", images, ["cat"])
    doc = json.loads((source / "bad.json").read_text())
    doc["objects"][0]["segmentation"] = {"x": 1}
    (source / "bad.json").write_text(json.dumps(doc))
    done = cli("convert", source, tmp_path / "voc", "-j", "1")
    said = " ".join(done.stderr.split())
    assert done.exit_code == 1 and f"{source / 'bad.json'}: objects[0] (category 'cat'): 'segmentation' must be a list of [x, y] points, got {{'x': 1}}" in said
    assert (tmp_path / "voc" / "SegmentationClass" / "good.png").is_file()
    assert not (tmp_path / "voc" / "SegmentationClass" / "bad.png").exists()
    (source / "bad.json").unlink()
    (source / "isat.yaml").write_text("label: [unclosed\n")
    done = cli("convert", source, tmp_path / "voc2", "-j", "1")
    assert done.exit_code == 1 and f"{source / 'isat.yaml'}: not valid YAML" in done.stderr
    assert not (tmp_path / "voc2").exists()
    (source / "isat.yaml").write_text("label:\n- color: '#000000'\n")
    done = cli("convert", source, tmp_path / "voc2", "-j", "1")
    assert done.exit_code == 1 and f"{source / 'isat.yaml'}: label[0] needs a name, got {{'color': '#000000'}}" in done.stderr


def test_the_reader_keeps_layers_groups_and_the_image_place(tmp_path: Path) -> None:
    images = {"a.jpg": ((10, 12), [
        isat_object("cat", [[1, 1], [8, 1], [8, 8]], 2.5, group=4),
        isat_object("cat", [[2, 2], [9, 2], [9, 9]], 0.5, group=4),
        isat_object("dog", [[2, 2], [9, 2], [9, 9]], 2.5, group=4),
    ])}  # fmt: skip
    source = write_isat(tmp_path / "isat", images, ["cat", "dog"])
    export = read_isat(source / "a.json")
    [record] = export.images
    assert [c.name for c in export.classes] == ["cat", "dog"] and [c.id for c in export.classes] == [1, 2]
    assert export.classes[0].color == (0xEF, 0x29, 0x29)
    assert [o.z_order for o in record.objects] == [1, 0, 1] and [o.instance for o in record.objects] == [4, 4, 4]
    assert (record.height, record.width, record.fill) == (10, 12, "isat")
    assert record.candidates[:2] == (str(source / "a.jpg"), "/home/annotator/images/a.jpg")


polygons = st.lists(st.tuples(st.floats(-8, 40), st.floats(-8, 40)), min_size=3, max_size=12)


@settings(max_examples=400, deadline=None)
@given(parts=st.lists(polygons, min_size=1, max_size=2), height=st.integers(1, 36), width=st.integers(1, 36), whole=st.booleans())
def test_the_fill_is_scikit_images_polygon(parts: list[list[tuple[float, float]]], height: int, width: int, whole: bool) -> None:
    """The ``isat`` fill rule is scikit-image's ``draw.polygon`` of the truncated vertices, as
    ISAT's converter calls it: inside and on the outline, self-crossing polygons too; an object
    of several parts is the union of their fills."""
    from labeltools.core.annotations import AnnotatedObject, Geometry

    expected = np.zeros((height, width), bool)
    geometry = []
    for points in parts:
        vertices = np.array(points, dtype=np.float64)
        if whole:  # outlines of whole pixels, where vertices and edges pass through pixel centres
            vertices = np.round(vertices)
        rows, cols = skimage_polygon([int(y) for _, y in vertices.tolist()], [int(x) for x, _ in vertices.tolist()], expected.shape)
        expected[rows, cols] = True
        geometry.append(Geometry("polygon", vertices))
    stamp = object_mask(AnnotatedObject("x", tuple(geometry), "x"), height, width, "isat")
    ours = np.zeros((height, width), bool)
    if stamp.mask.size:
        ours[stamp.box] = stamp.mask
    np.testing.assert_array_equal(ours, expected)


def test_convert_from_labelme_names_an_isat_file(tmp_path: Path) -> None:
    source = write_isat(tmp_path / "isat", {"a.jpg": ((10, 10), [isat_object("cat", [[1, 1], [8, 1], [8, 8]], 1.0)])}, ["cat"])
    done = cli("convert", source, tmp_path / "voc", "--from", "labelme", "-j", "1")
    assert done.exit_code == 1 and "it is an ISAT annotation (objects of category and layer): read it with --from isat" in " ".join(done.stderr.split())
    done = cli("convert", source / "a.json", tmp_path / "voc", "-j", "1")  # a file alone is known by its first bytes
    assert done.exit_code == 0, done.output


def test_labels_saved_apart_from_their_images_name_images(tmp_path: Path) -> None:
    """ISAT saves its JSON in a folder of the user's choice: the images are then neither beside
    them nor, on another machine, in the folder they were annotated in."""
    source = write_isat(tmp_path / "isat", {"a.jpg": ((10, 10), [isat_object("cat", [[1, 1], [8, 1], [8, 8]], 1.0)])}, ["cat"])
    (tmp_path / "images").mkdir()
    (source / "a.jpg").rename(tmp_path / "images" / "a.jpg")
    done = cli("convert", source, tmp_path / "voc", "-j", "1")
    said = " ".join(done.stderr.split())
    assert done.exit_code == 1 and (
        f"{source / 'a.json'}: image 'a.jpg' not found (tried {source / 'a.jpg'}, /home/annotator/images/a.jpg); "
        "--images DIR looks for it in another folder"
    ) in said, said
    done = cli("convert", source, tmp_path / "voc", "--images", tmp_path / "images", "-j", "1")
    assert done.exit_code == 0 and (tmp_path / "voc" / "JPEGImages" / "a.jpg").is_file(), done.output


def good_doc() -> dict[str, Any]:
    info = {"description": "ISAT", "folder": "", "name": "a.jpg", "width": 10, "height": 8, "depth": 3, "note": ""}
    return {"info": info, "objects": [isat_object("cat", [[1, 1], [8, 1], [8, 6]], 1.0)]}


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda d: d["info"].update(description="LabelMe"), "not an ISAT annotation (it needs an 'info' of description ISAT and an 'objects' list)"),
        (lambda d: d.pop("objects"), "not an ISAT annotation (it needs an 'info' of description ISAT and an 'objects' list)"),
        (lambda d: d["info"].update(name=" "), "info.name must name the image, got ' '"),
    ],
)
def test_a_file_that_is_no_isat_annotation_is_refused(change: Any, said: str, tmp_path: Path) -> None:
    from labeltools.core.errors import AnnotationError
    from labeltools.formats.isat import parse_isat

    doc = good_doc()
    change(doc)
    with pytest.raises(AnnotationError) as refused:
        parse_isat(doc, tmp_path / "a.json")
    assert str(refused.value) == f"{tmp_path / 'a.json'}: {said}"


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda o: o.update(category=""), "objects[0]: 'category' must be a non-empty string, got ''"),
        (lambda o: o.update(layer="top"), "objects[0] (category 'cat'): 'layer' must be a number, got 'top'"),
        (lambda o: o.update(group=1.5), "objects[0] (category 'cat'): 'group' must be a whole number, got 1.5"),
        (lambda o: o.update(segmentation=[[1, 1], [2, 2]]), "objects[0] (category 'cat').segmentation needs at least 3 x, y pairs, got 4 number(s)"),
        (lambda o: o.update(segmentation=[[1, "x"], [2, 2], [3, 3]]), "objects[0] (category 'cat').segmentation[1] must be a finite number"),
    ],
)
def test_a_bad_object_is_named_and_fails_its_image(change: Any, said: str, tmp_path: Path) -> None:
    from labeltools.formats.isat import parse_isat

    doc = good_doc()
    change(doc["objects"][0])
    [record] = parse_isat(doc, tmp_path / "a.json").images
    assert record.problem is not None and record.problem.startswith(f"{tmp_path / 'a.json'}: {said}"), record.problem
    assert (record.height, record.width) == (8, 10)


def test_a_class_list_that_is_no_isat_list_and_no_pyyaml_are_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from labeltools.core.errors import AnnotationError
    from labeltools.formats.isat import isat_classes

    (tmp_path / "isat.yaml").write_text("- cat\n- dog\n")
    with pytest.raises(AnnotationError, match=r"isat\.yaml: not ISAT's class list \(it needs a 'label' list of name and color entries\)$"):
        isat_classes(tmp_path)
    (tmp_path / "isat.yaml").write_text("label:\n- {name: cat, color: '#ff0000'}\n")
    monkeypatch.setitem(__import__("sys").modules, "yaml", None)  # as if it were not installed
    with pytest.raises(AnnotationError, match=r"isat\.yaml: reading ISAT's class list needs PyYAML: pip install \"labeltools\[isat\]\"$"):
        isat_classes(tmp_path)


def test_two_class_lists_that_number_a_class_otherwise_are_refused_naming_both(tmp_path: Path) -> None:
    one = {"a.jpg": ((10, 10), [isat_object("cat", [[1, 1], [8, 1], [8, 8]], 1.0)])}
    first = write_isat(tmp_path / "isat" / "first", one, ["cat", "dog"])
    second = write_isat(tmp_path / "isat" / "second", {"b.jpg": one["a.jpg"]}, ["dog", "cat"])
    done = cli("convert", tmp_path / "isat", tmp_path / "voc", "-j", "1")
    said = " ".join(done.stderr.split())
    assert done.exit_code == 1 and (
        f"{second / 'isat.yaml'}: declares class 'dog' as id 1, colour 239,41,41, and {first / 'isat.yaml'} as id 2, "
        "colour 252,175,62; give a class table with -c"
    ) in said, said
    assert not (tmp_path / "voc").exists()
    (tmp_path / "classes.txt").write_text("_background_\ndog\ncat\n")
    done = cli("convert", tmp_path / "isat", tmp_path / "voc", "-c", tmp_path / "classes.txt", "-j", "1")
    assert done.exit_code == 0 and read_label(tmp_path / "voc" / "SegmentationClass" / "a.png")[2, 6] == 2, done.output


def test_a_class_list_of_a_file_per_image_names_three_files(tmp_path: Path) -> None:
    """Where the classes are the categories of a file per image (no isat.yaml), the line that says
    so names three files and counts the rest, not a thousand names on one line."""
    images = {f"{name}.jpg": ((10, 10), [isat_object("cat", [[1, 1], [8, 1], [8, 8]], 1.0)]) for name in "abcde"}
    source = write_isat(tmp_path / "isat", images, None)
    done = cli("convert", source, tmp_path / "voc", "-j", "1")
    assert done.exit_code == 0 and "classes: 2, 1 classes of a.json, b.json, c.json and 2 more, numbered from 1 in their order" in " ".join(done.stderr.split()), done.stderr
