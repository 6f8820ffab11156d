"""labelme JSON parsing, image loading and rasterisation, with labelme itself as the oracle."""

from __future__ import annotations

import base64
import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import labelme
import labelme.utils
import numpy as np
import pytest
from consumers import labelme7_rasteriser
from helpers import broken_chunk_png, jpeg_bytes, pillow_at_least, png_bytes, png_chunks, scene
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from labeltools.core.classes import ClassTable
from labeltools.core.errors import AnnotationError, NotLabelmeError
from labeltools.formats.labelme import (
    MAX_COORDINATE,
    labelme_labels,
    labelme_to_label,
    open_source_image,
    parse_labelme,
    read_labelme,
)

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "labeltools" / "samples" / "labelme"
CLASSES = {"_background_": 0, "car": 1, "person": 2, "tree": 3, "__ignore__": -1}
H, W = 60, 80


# --------------------------------------------------------------------------------------------
# helpers


def shape(label: str, shape_type: str | None, points: list[list[float]], **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"label": label, "points": points, "group_id": extra.pop("group_id", None)}
    if shape_type is not None:
        out["shape_type"] = shape_type
    out.update(extra)
    return out


def mask_b64(mask: np.ndarray) -> str:
    """Encode a bool mask the way labelme 5.4+ stores it (uint8 0/1 PNG, base64)."""
    return labelme.utils.img_arr_to_b64(mask.astype(np.uint8))


def document(shapes: list[dict[str, Any]], hw: tuple[int, int] = (H, W), **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "version": "5.5.0",
        "flags": {},
        "shapes": shapes,
        "imagePath": "image.png",
        "imageData": None,
        "imageHeight": hw[0],
        "imageWidth": hw[1],
    }
    doc.update(extra)
    return doc


def as_labeltools_maps(cls: np.ndarray, ins: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """labelme's ``shapes_to_label`` output in labeltools' convention: the class map with -1
    written as 255, the instance map with void pixels 255 and background-class pixels 0
    (labelme's numbering otherwise)."""
    void = cls == -1
    cls = np.where(void, 255, cls).astype(np.uint8)
    ins = np.where(void, 255, np.where(cls == 0, 0, ins)).astype(np.uint8)
    return cls, ins


RULES = ("7", "6")


def reference_shapes_to_label(rules: str, hw: tuple[int, int], shapes: list[dict[str, Any]], mapping: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """``shapes_to_label`` of the labelme release ``rules`` names: labelme 7.9.1's from its wheel
    (see :func:`consumers.labelme7_rasteriser`), labelme 6.3.1's as installed."""
    if rules == "7":
        return labelme7_rasteriser().shapes_to_label(img_shape=hw, shapes=shapes, label_name_to_value=mapping)
    return labelme.utils.shapes_to_label(hw, shapes, mapping)


def loaded_shapes(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The shapes as labelme's LabelFile hands them to ``shapes_to_label`` (masks decoded)."""
    shapes = []
    for raw in doc["shapes"]:
        loaded = dict(raw)
        if raw.get("mask") is not None:
            loaded["mask"] = labelme.utils.img_b64_to_arr(raw["mask"]).astype(bool)
        shapes.append(loaded)
    return shapes


def labelme_reference(doc: dict[str, Any], hw: tuple[int, int] = (H, W), rules: str = "7") -> tuple[np.ndarray, np.ndarray]:
    """labelme's own answer: shapes_to_label, masks decoded as labelme's LabelFile decodes them."""
    return as_labeltools_maps(*reference_shapes_to_label(rules, hw, loaded_shapes(doc), CLASSES))


def ours(doc: dict[str, Any], hw: tuple[int, int] = (H, W), rules: str = "7") -> tuple[np.ndarray, np.ndarray]:
    return labelme_to_label(parse_labelme(doc, "a.json"), CLASSES, shape_hw=hw, rules=rules)  # type: ignore[arg-type]


def assert_matches_labelme(doc: dict[str, Any], hw: tuple[int, int] = (H, W), rules: tuple[str, ...] = RULES) -> None:
    """Our class and instance maps equal labelme's, by each rule set against its release."""
    for rule in rules:
        cls, ins = ours(doc, hw=hw, rules=rule)
        ref_cls, ref_ins = labelme_reference(doc, hw=hw, rules=rule)
        assert cls.dtype == np.uint8 and ins.dtype == np.uint8
        assert cls.shape == ins.shape == hw
        np.testing.assert_array_equal(cls, ref_cls, err_msg=f"labelme rules {rule}")
        np.testing.assert_array_equal(ins, ref_ins, err_msg=f"labelme rules {rule}")


# --------------------------------------------------------------------------------------------
# rasterisation: pixel equality with labelme


EACH_TYPE = {
    "polygon": shape("car", "polygon", [[5, 5], [60.5, 10.25], [30, 50]]),
    "rectangle": shape("car", "rectangle", [[50.7, 40.2], [10.1, 12.9]]),
    "circle": shape("tree", "circle", [[40, 30], [52.5, 37]]),
    "line": shape("person", "line", [[3, 57], [77, 4.5]]),
    "linestrip": shape("person", "linestrip", [[3, 3], [40, 50], [70, 8], [75, 55]]),
    "point": shape("tree", "point", [[20.5, 20.5]]),
    "oriented_rectangle": shape("car", "oriented_rectangle", [[10, 30], [40, 10], [55, 32], [25, 52]]),
    "mask": shape(
        "car", "mask", [[12, 7], [20, 17]],
        mask=mask_b64(np.indices((11, 9)).sum(axis=0) % 3 == 0),
    ),
}


@pytest.mark.parametrize("shape_type", sorted(EACH_TYPE))
def test_each_shape_type_matches_labelme(shape_type: str) -> None:
    doc = document([EACH_TYPE[shape_type]])
    assert_matches_labelme(doc)
    cls, _ = ours(doc)
    assert cls.any(), "the shape paints something"


def test_an_x_anylabeling_rotation_is_labelmes_oriented_rectangle() -> None:
    """X-AnyLabeling writes labelme's format with its own turned box, ``rotation``, by its four
    corners; it failed its file ("unknown shape_type 'rotation'"). It paints as labelme paints
    the oriented_rectangle of the same corners."""
    corners = [[10, 30], [40, 10], [55, 32], [25, 52]]
    turned = {**shape("car", "rotation", corners), "direction": 0.59, "difficult": False, "attributes": {}, "kie_linking": []}
    cls, ins = ours(document([turned]))
    ref_cls, ref_ins = ours(document([shape("car", "oriented_rectangle", corners)]))
    assert cls.any()
    np.testing.assert_array_equal(cls, ref_cls)
    np.testing.assert_array_equal(ins, ref_ins)
    assert_matches_labelme(document([shape("car", "oriented_rectangle", corners)]))  # which is labelme's


def test_overlapping_shapes_in_file_order_with_ignore_and_background() -> None:
    shapes = [copy.deepcopy(EACH_TYPE[k]) for k in sorted(EACH_TYPE)]
    shapes.insert(3, shape("__ignore__", "rectangle", [[0, 0], [45, 35]]))
    shapes.append(shape("_background_", "circle", [[40, 30], [46, 30]]))
    shapes.append(shape("__ignore__", "polygon", [[60, 50], [79, 50], [79, 59]]))
    doc = document(shapes)
    assert_matches_labelme(doc)
    cls, ins = ours(doc)
    assert {0, 1, 2, 255} <= set(np.unique(cls))
    assert cls[30, 40] == 0 and ins[30, 40] == 0  # background shape painted last
    assert cls[55, 75] == 255 and ins[55, 75] == 255


def test_fractional_and_partly_outside_shapes() -> None:
    shapes = [
        shape("car", "polygon", [[-10.5, -3.25], [50.75, 5.5], [90.1, 70.9], [20.3, 65.2]]),
        shape("tree", "circle", [[75.5, 55.5], [95.2, 80.1]]),
        shape("person", "rectangle", [[-20, 40.4], [15.6, 100.2]]),
        shape("person", "line", [[-30, 10], [120, 20.6]]),
        shape("tree", "point", [[-2.5, 30.5]]),
        shape("car", "mask", [[70, 50], [89, 64]], mask=mask_b64(np.ones((15, 20), bool))),
    ]
    doc = document(shapes)
    assert_matches_labelme(doc, rules=("7",))  # labelme 7 clips a mask that leaves the image
    assert_matches_labelme(document(shapes[:-1]), rules=("6",))  # labelme 6 cannot paste it
    for rules in RULES:
        cls, _ = ours(doc, rules=rules)
        assert (cls[50:, 70:] == 1).all(), "the part of the mask inside the image is pasted"


def test_integer_and_float_coordinates_give_the_same_pixels() -> None:
    ints = document([shape("car", "polygon", [[5, 5], [60, 10], [30, 50]])])
    floats = document([shape("car", "polygon", [[5.0, 5.0], [60.0, 10.0], [30.0, 50.0]])])
    np.testing.assert_array_equal(ours(ints)[0], ours(floats)[0])
    assert_matches_labelme(ints)


def test_instances_numbered_by_label_and_group_id_like_labelme() -> None:
    shapes = [
        shape("person", "polygon", [[2, 2], [20, 2], [10, 20]], group_id=1),
        shape("car", "rectangle", [[30, 2], [40, 12]], group_id=1),  # same group, other label
        shape("__ignore__", "rectangle", [[0, 40], [10, 50]]),  # takes a number, paints 255
        shape("person", "circle", [[10, 30], [15, 30]], group_id=1),  # joins instance 1
        shape("car", "rectangle", [[50, 2], [60, 12]]),  # no group: its own instance
        shape("car", "rectangle", [[50, 20], [60, 30]]),
    ]
    doc = document(shapes)
    assert_matches_labelme(doc)
    _, ins = ours(doc)
    assert ins[5, 10] == ins[30, 10] == 1
    assert ins[5, 35] == 2
    assert ins[45, 5] == 255
    assert ins[5, 55] == 4 and ins[25, 55] == 5


def test_old_format_without_shape_type_is_polygons_and_matches_labelme() -> None:
    doc = {
        "flags": {},
        "shapes": [
            {"label": "car", "line_color": None, "fill_color": [255, 0, 0, 128], "points": [[5, 5], [60, 10], [30, 50]]},
            {"label": "person", "line_color": [0, 255, 0, 128], "fill_color": None, "points": [[40, 20], [75, 25], [70, 55], [45, 58]]},
        ],
        "lineColor": [0, 255, 0, 128],
        "fillColor": [255, 0, 0, 128],
        "imagePath": "a.jpg",
        "imageData": None,
    }
    parsed = parse_labelme(doc, "old.json")
    assert [s.shape_type for s in parsed.shapes] == ["polygon", "polygon"]
    assert parsed.version is None and parsed.image_height is None
    assert_matches_labelme(doc)


def test_line_width_and_point_size_override_the_defaults() -> None:
    doc = parse_labelme(document([shape("car", "line", [[10, 30], [70, 30]]), shape("tree", "point", [[40, 10]])]), "a.json")
    thin, _ = labelme_to_label(doc, CLASSES, shape_hw=(H, W), line_width=2, point_size=1, instances=False)
    default, _ = labelme_to_label(doc, CLASSES, shape_hw=(H, W))
    assert np.count_nonzero(thin == 1) < np.count_nonzero(default == 1)
    assert np.count_nonzero(thin == 3) < np.count_nonzero(default == 3)
    assert set(np.nonzero(thin[:, 40] == 1)[0]) <= {29, 30, 31}


def test_shape_hw_defaults_to_declared_size_and_instances_can_be_skipped() -> None:
    doc = parse_labelme(document([EACH_TYPE["polygon"]], hw=(33, 44)), "a.json")
    cls, ins = labelme_to_label(doc, CLASSES, instances=False)
    assert cls.shape == (33, 44) and ins is None


def test_unknown_label_policies() -> None:
    doc = parse_labelme(
        document([shape("car", "rectangle", [[0, 0], [79, 59]]), shape("bicycle", "rectangle", [[10, 10], [30, 30]])]),
        "a.json",
    )
    with pytest.raises(AnnotationError, match=r"a\.json: shapes\[1\] has label 'bicycle', which is not in the class table"):
        labelme_to_label(doc, CLASSES)
    ignored, ins = labelme_to_label(doc, CLASSES, unknown="ignore")
    assert ignored[20, 20] == 255 and ins[20, 20] == 255
    skipped, ins = labelme_to_label(doc, CLASSES, unknown="background")
    assert skipped[20, 20] == 1 and (skipped == 1).all() and (ins == 1).all()


def test_labels_lose_surrounding_whitespace_as_class_names_do() -> None:
    doc = parse_labelme(document([shape(" car\t", "rectangle", [[0, 0], [9, 9]]), shape("tree ", "point", [[30, 30]])]), "a.json")
    assert doc.labels == ("car", "tree")
    cls, _ = labelme_to_label(doc, ClassTable.from_names(["_background_", "car", "person", "tree"]))
    assert cls[5, 5] == 1 and cls[30, 30] == 3
    assert labelme_labels(document([shape(" car", "point", [[1, 1]]), shape("car", "point", [[2, 2]]), {"label": " "}, "x"])) == {"car"}


def test_classes_may_be_anything_with_name_to_index() -> None:
    class Table:
        name_to_index = {"car": 7, "__ignore__": 255}

    doc = parse_labelme(document([shape("car", "rectangle", [[0, 0], [9, 9]]), shape("__ignore__", "point", [[30, 30]])]), "a.json")
    cls, _ = labelme_to_label(doc, Table())
    assert cls[5, 5] == 7 and cls[30, 30] == 255


def test_result_is_a_fresh_writable_array_and_input_is_untouched() -> None:
    raw = document([copy.deepcopy(EACH_TYPE["mask"]), copy.deepcopy(EACH_TYPE["polygon"])])
    before = json.dumps(raw, sort_keys=True)
    cls, ins = ours(raw)
    cls[0, 0] = 9
    assert json.dumps(raw, sort_keys=True) == before
    assert ins.flags.writeable


# random documents against labelme

coord_x = st.floats(min_value=-30, max_value=W + 30, allow_nan=False, width=32) | st.integers(-30, W + 30)
coord_y = st.floats(min_value=-30, max_value=H + 30, allow_nan=False, width=32) | st.integers(-30, H + 30)
point = st.tuples(coord_x, coord_y).map(list)
labels = st.sampled_from(sorted(CLASSES))
group_ids = st.none() | st.integers(0, 3)


@st.composite
def random_shape(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(sorted(EACH_TYPE)))
    label, group_id = draw(labels), draw(group_ids)
    if kind == "mask":
        mh, mw = draw(st.integers(1, 12)), draw(st.integers(1, 12))
        x1, y1 = draw(st.integers(0, W - mw)), draw(st.integers(0, H - mh))
        bits = draw(st.lists(st.booleans(), min_size=mh * mw, max_size=mh * mw))
        mask = np.array(bits, bool).reshape(mh, mw)
        return shape(label, kind, [[x1, y1], [x1 + mw - 1, y1 + mh - 1]], mask=mask_b64(mask), group_id=group_id)
    count = {"polygon": (3, 8), "linestrip": (2, 6), "point": (1, 1), "oriented_rectangle": (4, 4)}.get(kind, (2, 2))
    points = draw(st.lists(point, min_size=count[0], max_size=count[1]))
    return shape(label, kind, points, group_id=group_id)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(random_shape(), min_size=1, max_size=8))
def test_random_documents_match_labelme(shapes: list[dict[str, Any]]) -> None:
    assert_matches_labelme(document(shapes))


# --------------------------------------------------------------------------------------------
# errors


BAD_SHAPES = [
    ({"points": [[1, 2], [3, 4], [5, 6]], "shape_type": "polygon"}, r"has no 'label'"),
    ({"label": 3, "points": [[1, 2]], "shape_type": "point"}, r"'label' must be a string, got 3"),
    ({"label": "  ", "points": [[1, 2]], "shape_type": "point"}, r"'label' is empty"),
    (shape("car", "polygon", [[1, 2], [3, 4]]), r"a polygon needs at least 3 points, got 2"),
    (shape("car", None, [[1, 2], [3, 4]]), r"a polygon needs at least 3 points, got 2"),
    (shape("car", "rectangle", [[1, 2]]), r"a rectangle needs exactly 2 points, got 1"),
    (shape("car", "circle", [[1, 2], [3, 4], [5, 6]]), r"a circle needs exactly 2 points, got 3"),
    (shape("car", "line", [[1, 2]]), r"a line needs exactly 2 points, got 1"),
    (shape("car", "linestrip", [[1, 2]]), r"a linestrip needs at least 2 points, got 1"),
    (shape("car", "point", [[1, 2], [3, 4]]), r"a point needs exactly 1 point, got 2"),
    (shape("car", "oriented_rectangle", [[1, 2], [3, 4], [5, 6]]), r"an oriented_rectangle needs exactly 4 points, got 3"),
    (shape("car", "mask", [[1, 2], [3, 4], [5, 6]], mask="x"), r"a mask needs exactly 2 points, got 3"),
    (shape("car", "polygon", [[1, 2], [float("nan"), 4], [5, 6]]), r"points\[1\] = \[nan, 4\] is not finite \(NaN or infinity\)"),
    (shape("car", "circle", [[1, 2], [3, float("inf")]]), r"points\[1\] = \[3, inf\] is not finite"),
    (shape("car", "circle", [[1, 2], [3, 2e6]]), rf"points\[1\] = \[3, 2000000.0\] lies more than {MAX_COORDINATE:.0f} pixels"),
    (shape("car", "polygon", [[1, 2], [3], [5, 6]]), r"points\[1\] must be an \[x, y\] pair, got \[3\]"),
    (shape("car", "polygon", [[1, 2], ["3", 4], [5, 6]]), r"points\[1\] must hold two numbers, got \['3', 4\]"),
    (shape("car", "polygon", [[1, 2], [True, 4], [5, 6]]), r"points\[1\] must hold two numbers"),
    (shape("car", "polygon", "1,2,3"), r"'points' must be a list of \[x, y\] pairs, got str"),
    ({"label": "car", "shape_type": "polygon"}, r"has no 'points'"),
    (shape("car", "ellipse", [[1, 2], [3, 4]]), r"unknown shape_type 'ellipse' \(expected one of polygon, rectangle"),
    (shape("car", 7, [[1, 2], [3, 4]]), r"'shape_type' must be a string, got 7"),
    (shape("car", "polygon", [[1, 2], [3, 4], [5, 6]], group_id="a"), r"'group_id' must be an integer or null, got 'a'"),
    (shape("car", "mask", [[1, 2], [3, 4]]), r"a mask shape needs 'mask', a base64-encoded PNG"),
    (shape("car", "mask", [[1, 2], [3, 4]], mask="not base64!"), r"'mask' is not valid base64"),
    (shape("car", "mask", [[1, 2], [3, 4]], mask=base64.b64encode(b"not a png").decode()), r"'mask': cannot read image \(not an image format Pillow knows\)"),
    (
        shape("car", "mask", [[1, 2], [3, 4]], mask=base64.b64encode(broken_chunk_png(np.ones((3, 3), np.uint8))).decode()),
        r"'mask' does not decode as an image \(broken PNG file \(chunk b'ID@T'\)\)",
    ),
    (
        shape("car", "mask", [[1, 2], [3, 4]], mask=base64.b64encode(png_bytes(np.zeros((3, 3, 3), np.uint8))).decode()),
        r"'mask' must be a single-channel image, got 3-D pixels of shape \(3, 3, 3\)",
    ),
    ("a string", r"must be an object, got str"),
]


@pytest.mark.parametrize(("bad", "message"), BAD_SHAPES)
def test_bad_shape_is_an_error_naming_file_and_position(bad: Any, message: str) -> None:
    good = shape("car", "point", [[1, 1]])
    with pytest.raises(AnnotationError, match=r"^a\.json: shapes\[1\]( \([^)]*\))?: " + message):
        parse_labelme(document([good, bad]), "a.json")


def test_bad_shape_message_names_label_and_type() -> None:
    bad = shape("car", "polygon", [[1, 2], [3, 4]])
    with pytest.raises(AnnotationError) as info:
        parse_labelme(document([bad]), "dir/a.json")
    assert str(info.value) == "dir/a.json: shapes[0] (label 'car', polygon): a polygon needs at least 3 points, got 2"


@pytest.mark.parametrize(("bad", "message"), BAD_SHAPES)
def test_skip_bad_shapes_drops_the_shape_with_a_warning(bad: Any, message: str) -> None:
    good = shape("car", "point", [[1, 1]])
    parsed = parse_labelme(document([good, bad, good]), "a.json", skip_bad_shapes=True)
    assert [s.index for s in parsed.shapes] == [0, 2]
    (warning,) = parsed.warnings
    assert warning.startswith("a.json: shapes[1]") and warning.endswith("(shape skipped)")


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ([1, 2], r"x\.json: not a labelme annotation \(no 'shapes' list\)"),
        ({"version": "5.0.1"}, r"x\.json: not a labelme annotation"),
        ({"shapes": {"a": 1}}, r"x\.json: not a labelme annotation"),
    ],
)
def test_not_a_labelme_file(obj: Any, message: str) -> None:
    with pytest.raises(NotLabelmeError, match=message):
        parse_labelme(obj, "x.json")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("imageHeight", -3, r"x\.json: 'imageHeight' must be a positive integer, got -3"),
        ("imageWidth", "80", r"x\.json: 'imageWidth' must be a positive integer, got '80'"),
        ("imagePath", 5, r"x\.json: 'imagePath' must be a string, got int"),
        ("imageData", [1], r"x\.json: 'imageData' must be a string, got list"),
    ],
)
def test_bad_top_level_fields(field: str, value: Any, message: str) -> None:
    with pytest.raises(AnnotationError, match=message):
        parse_labelme(document([], **{field: value}), "x.json")


def test_read_labelme_file_errors(tmp_path: Path) -> None:
    with pytest.raises(AnnotationError, match=r"missing\.json: no such file"):
        read_labelme(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text('{"shapes": [\n  {"label": }\n]}')
    with pytest.raises(AnnotationError, match=r"broken\.json: not valid JSON at line 2 column 13"):
        read_labelme(broken)
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00\xd8\x00\x00garbage")
    with pytest.raises(AnnotationError, match=r"binary\.json: not"):
        read_labelme(binary)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(document([EACH_TYPE["circle"]])), encoding="utf-16")
    assert read_labelme(good).shapes[0].shape_type == "circle"


def test_rasteriser_argument_errors() -> None:
    doc = parse_labelme(document([EACH_TYPE["line"]]), "a.json")
    with pytest.raises(AnnotationError, match=r"line width must be a positive integer, got 0"):
        labelme_to_label(doc, CLASSES, line_width=0)
    with pytest.raises(AnnotationError, match=r"point size must be a non-negative integer, got -1"):
        labelme_to_label(doc, CLASSES, point_size=-1)
    with pytest.raises(AnnotationError, match=r"unknown-label policy must be one of error, ignore, background, got 'skip'"):
        labelme_to_label(doc, CLASSES, unknown="skip")  # type: ignore[arg-type]
    with pytest.raises(AnnotationError, match=r"class 'person' has index 300, expected 0\.\.255 or -1"):
        labelme_to_label(doc, {"person": 300})
    no_size = parse_labelme({"shapes": []}, "old.json")
    with pytest.raises(AnnotationError, match=r"old\.json: no imageHeight/imageWidth, the image size must be given"):
        labelme_to_label(no_size, CLASSES)
    with pytest.raises(AnnotationError, match=r"a\.json: image size must be positive, got 0x5 \(rows x columns\)"):
        labelme_to_label(doc, CLASSES, shape_hw=(0, 5))
    with pytest.raises(AnnotationError, match=r"labelme rules must be one of 7, 6, got '5'"):
        labelme_to_label(doc, CLASSES, rules="5")  # type: ignore[arg-type]


def test_too_many_instances() -> None:
    shapes = [shape("car", "point", [[i % W, i // W]]) for i in range(255)]
    doc = parse_labelme(document(shapes), "a.json")
    with pytest.raises(AnnotationError, match=r"a\.json: shapes\[254\] is instance 255; instance maps hold at most 254"):
        labelme_to_label(doc, CLASSES)
    cls, ins = labelme_to_label(doc, CLASSES, instances=False)
    assert ins is None and cls.max() == 1


# --------------------------------------------------------------------------------------------
# images


def write_pair(folder: Path, doc: dict[str, Any], name: str = "a.json") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(doc))
    return path


def test_image_from_path_relative_to_json_with_windows_separators(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    data = png_bytes(scene(30, 40))
    (tmp_path / "images" / "pic.png").write_bytes(data)
    path = write_pair(tmp_path / "ann", document([], hw=(30, 40), imagePath="..\\images\\pic.png"))
    doc = read_labelme(path)
    assert doc.image_path == "../images/pic.png"
    image = open_source_image(doc)
    assert image.path == tmp_path / "ann" / ".." / "images" / "pic.png"
    assert image.data == data and image.format == "PNG" and (image.width, image.height) == (40, 30)
    np.testing.assert_array_equal(np.asarray(image.decode()), scene(30, 40))


def test_image_found_beside_the_json_when_its_folder_moved(tmp_path: Path) -> None:
    (tmp_path / "pic.jpg").write_bytes(jpeg_bytes(Image.fromarray(scene(30, 40))))
    path = write_pair(tmp_path, document([], hw=(30, 40), imagePath="C:\\Users\\me\\photos\\pic.jpg"))
    image = open_source_image(read_labelme(path))
    assert image.path == tmp_path / "pic.jpg" and image.format == "JPEG"


def test_missing_image_names_every_path_tried(tmp_path: Path) -> None:
    path = write_pair(tmp_path, document([], imagePath="sub/pic.jpg"))
    with pytest.raises(AnnotationError) as info:
        open_source_image(read_labelme(path))
    message = str(info.value)
    assert message.startswith(f"{path}: image 'sub/pic.jpg' not found (tried ")
    assert str(tmp_path / "sub" / "pic.jpg") in message and str(tmp_path / "pic.jpg") in message
    assert "letter case" not in message


def test_an_image_whose_name_differs_in_letter_case_is_named_with_the_cause(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "Pic.JPG").write_bytes(jpeg_bytes(Image.fromarray(scene(30, 40))))
    path = write_pair(tmp_path, document([], imagePath="sub/pic.jpg"))  # annotated on Windows
    with pytest.raises(AnnotationError) as info:
        open_source_image(read_labelme(path))
    assert str(info.value).endswith(
        f"; '{tmp_path / 'sub' / 'Pic.JPG'}' differs only in letter case (the annotation was made where file "
        "names ignore case): rename the image, or its imagePath, to match"
    )


def test_no_image_reference(tmp_path: Path) -> None:
    path = write_pair(tmp_path, document([], imagePath=None))
    with pytest.raises(AnnotationError, match=r"a\.json: has neither 'imageData' nor 'imagePath'"):
        open_source_image(read_labelme(path))


def test_image_file_that_is_not_an_image(tmp_path: Path) -> None:
    (tmp_path / "image.png").write_bytes(b"hello")
    path = write_pair(tmp_path, document([]))
    with pytest.raises(AnnotationError, match=r"a\.json: image .*image\.png: cannot read image \(not an image format Pillow knows\)"):
        open_source_image(read_labelme(path))
    (tmp_path / "image.png").write_bytes(b"")
    with pytest.raises(AnnotationError, match=r"a\.json: image .*image\.png: cannot read image \(empty, 0 bytes\)"):
        open_source_image(read_labelme(path))


def test_truncated_image_fails_on_decode(tmp_path: Path) -> None:
    data = jpeg_bytes(Image.fromarray(scene(120, 160)))
    (tmp_path / "image.png").write_bytes(data[: len(data) // 2])
    image = open_source_image(read_labelme(write_pair(tmp_path, document([], hw=(120, 160)))))
    with pytest.raises(AnnotationError, match=r"image\.png: cannot decode the image"):
        image.decode()


def test_opening_reads_the_header_only(tmp_path: Path) -> None:
    # Pixel data that does not decode is found by decode(), not on opening: opening an image
    # without EXIF decodes nothing, so a file whose outputs are copied is never decoded.
    (tmp_path / "image.png").write_bytes(broken_chunk_png(scene(30, 40)))
    image = open_source_image(read_labelme(write_pair(tmp_path, document([], hw=(30, 40)))))
    assert (image.format, image.width, image.height, image.orientation) == ("PNG", 40, 30, 1)
    with pytest.raises(AnnotationError, match=r"image\.png: cannot decode the image \(broken PNG file \(chunk b'ID@T'\)\)"):
        image.decode()


def test_declared_size_must_match_the_image(tmp_path: Path) -> None:
    (tmp_path / "image.png").write_bytes(png_bytes(scene(30, 40)))
    path = write_pair(tmp_path, document([], hw=(40, 30)))
    with pytest.raises(AnnotationError, match=r"a\.json: imageHeight x imageWidth is 40x30 but .*image\.png is 30x40$"):
        open_source_image(read_labelme(path))
    only_height = write_pair(tmp_path, document([], hw=(30, 40), imageWidth=None), "b.json")
    assert open_source_image(read_labelme(only_height)).width == 40
    halved = write_pair(tmp_path, document([], hw=(15, 20)), "c.json")  # the image was doubled since
    with pytest.raises(AnnotationError) as info:
        open_source_image(read_labelme(halved))
    assert str(info.value) == (
        f"{halved}: imageHeight x imageWidth is 15x20 but image {tmp_path / 'image.png'} is 30x40 (resized since it "
        "was annotated, its shapes fitting the declared size? scale the shapes or the image back)"
    )


def test_embedded_image_data_is_used_as_is(tmp_path: Path) -> None:
    # A stale file under imagePath must not win over the embedded pixels, and an EXIF tag in
    # embedded data is not applied: labelme embeds images already turned upright.
    (tmp_path / "image.png").write_bytes(png_bytes(np.zeros((30, 40, 3), np.uint8)))
    exif = Image.Exif()
    exif[0x0112] = 6
    data = jpeg_bytes(Image.fromarray(scene(30, 40)), exif=exif.tobytes())
    path = write_pair(tmp_path, document([], hw=(30, 40), imageData=base64.b64encode(data).decode()))
    image = open_source_image(read_labelme(path))
    assert image.path is None and image.data == data and image.orientation == 1
    assert image.source == f"{path}: 'imageData'"
    decoded = np.asarray(image.decode(), dtype=np.int16)
    assert decoded.shape == (30, 40, 3)
    assert np.abs(decoded - scene(30, 40)).mean() < 3


def test_embedded_and_path_images_decode_the_same(tmp_path: Path) -> None:
    data = png_bytes(scene(30, 40))
    (tmp_path / "image.png").write_bytes(data)
    by_path = open_source_image(read_labelme(write_pair(tmp_path, document([], hw=(30, 40)), "p.json")))
    embedded = open_source_image(
        read_labelme(write_pair(tmp_path, document([], hw=(30, 40), imageData=base64.b64encode(data).decode()), "e.json"))
    )
    np.testing.assert_array_equal(np.asarray(by_path.decode()), np.asarray(embedded.decode()))


def test_bad_embedded_base64(tmp_path: Path) -> None:
    path = write_pair(tmp_path, document([], imageData="@@@"))
    with pytest.raises(AnnotationError, match=r"a\.json: 'imageData' is not valid base64"):
        open_source_image(read_labelme(path))
    path = write_pair(tmp_path, document([], imageData=base64.b64encode(b"text").decode()), "b.json")
    with pytest.raises(AnnotationError, match=r"b\.json: 'imageData': cannot read image \(not an image format Pillow knows\)"):
        open_source_image(read_labelme(path))


def png_with_exif_after_the_pixels(image: Image.Image, exif: bytes) -> bytes:
    """A PNG whose eXIf chunk follows the pixel data, as the PNG specification allows."""
    data = png_bytes(np.asarray(image), exif=exif)
    chunks = png_chunks(data)
    exif_chunk = next(c for c in chunks if c[4:8] == b"eXIf")
    chunks.remove(exif_chunk)
    chunks.insert(-1, exif_chunk)  # before IEND
    return data[:8] + b"".join(chunks)


def png_with_raw_exif_profile(image: Image.Image, exif: bytes) -> bytes:
    """A PNG carrying its EXIF as ImageMagick does: hex in a "Raw profile type exif" text chunk."""
    info = PngInfo()
    info.add_text("Raw profile type exif", f"\nexif\n{len(exif):8d}\n{exif.hex()}\n", zip=True)
    return png_bytes(np.asarray(image), pnginfo=info)


ENCODERS_WITH_EXIF = {
    "pic.jpg": jpeg_bytes,
    "pic.png": lambda image, exif: png_bytes(np.asarray(image), exif=exif),
    "late.png": png_with_exif_after_the_pixels,
    "magick.png": png_with_raw_exif_profile,
}


@pytest.mark.parametrize("orientation", range(1, 9))
@pytest.mark.parametrize("name", sorted(ENCODERS_WITH_EXIF))
def test_exif_orientation_is_applied_like_labelme(tmp_path: Path, orientation: int, name: str) -> None:
    stored = Image.fromarray(scene(30, 40))
    exif = Image.Exif()
    exif[0x0112] = orientation
    (tmp_path / name).write_bytes(ENCODERS_WITH_EXIF[name](stored, exif=exif.tobytes()))
    displayed_hw = (40, 30) if orientation >= 5 else (30, 40)
    path = write_pair(tmp_path, document([], hw=displayed_hw, imagePath=name))
    image = open_source_image(read_labelme(path))
    assert image.orientation == orientation
    assert image.needs_transpose == (orientation != 1)
    assert (image.height, image.width) == displayed_hw
    decoded = image.decode()
    assert decoded.size == (image.width, image.height)
    with Image.open(tmp_path / name) as raw:
        reference = labelme.utils.apply_exif_orientation(raw)
        np.testing.assert_array_equal(np.asarray(decoded), np.asarray(reference))


# --------------------------------------------------------------------------------------------
# the bundled sample


def test_sample_covers_what_it_promises() -> None:
    docs = [read_labelme(p) for p in sorted(SAMPLES.glob("*.json"))]
    assert len(docs) == 8
    kinds = {s.shape_type for d in docs for s in d.shapes}
    assert kinds == {"polygon", "rectangle", "circle", "line", "linestrip", "point", "mask", "oriented_rectangle"}
    assert any("__ignore__" in d.labels for d in docs)
    assert any(d.image_data is not None for d in docs) and any(d.image_data is None for d in docs)
    assert any(d.version is None for d in docs)  # a labelme 3.x file
    images = [open_source_image(d) for d in docs]
    assert any(i.needs_transpose for i in images)
    assert all(i.width >= 320 and i.height >= 240 for i in images)
    assert sum(p.stat().st_size for p in SAMPLES.iterdir()) < 1_000_000
    labels = (SAMPLES / "labels.txt").read_text().split()
    assert labels[:2] == ["__ignore__", "_background_"]
    assert {lab for d in docs for lab in d.labels} <= set(labels)


def test_sample_matches_labelme_reading_the_same_files() -> None:
    mapping = {name: i - 1 for i, name in enumerate((SAMPLES / "labels.txt").read_text().split())}
    mapping["__ignore__"] = -1
    for path in sorted(SAMPLES.glob("*.json")):
        doc = read_labelme(path)
        if doc.version is None:
            continue  # labelme 6 no longer reads files without shape_type
        label_file = labelme.LabelFile(str(path))
        reference_image = labelme.utils.img_data_to_arr(label_file.image_data)
        image = open_source_image(doc)
        if image.needs_transpose:  # labelme re-encodes the turned image at JPEG quality 95
            assert np.abs(np.asarray(image.decode(), np.int16) - reference_image).mean() < 2
        else:
            np.testing.assert_array_equal(np.asarray(image.decode()), reference_image)
        hw = reference_image.shape[:2]
        for rules in RULES:
            cls, ins = labelme_to_label(doc, mapping, shape_hw=hw, rules=rules)  # type: ignore[arg-type]
            ref_cls, ref_ins = as_labeltools_maps(*reference_shapes_to_label(rules, hw, label_file.shapes, mapping))
            np.testing.assert_array_equal(cls, ref_cls, err_msg=f"{path.name}, labelme rules {rules}")
            np.testing.assert_array_equal(ins, ref_ins, err_msg=f"{path.name}, labelme rules {rules}")


def test_make_samples_reproduces_the_committed_files() -> None:
    if not pillow_at_least(10, 3):  # labeltools takes 10.1
        pytest.skip(f"Pillow {Image.__version__} draws some of the samples' shapes otherwise than 10.3 and later")
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_samples.py"), "--check"],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mask_with_fractional_points_is_placed_like_labelme() -> None:
    mask = np.indices((11, 9)).sum(axis=0) % 2 == 0
    doc = document([shape("car", "mask", [[12.7, 7.2], [20.9, 17.99]], mask=mask_b64(mask))])
    assert_matches_labelme(doc)
    np.testing.assert_array_equal(ours(doc, rules="6")[0][7:18, 12:21], mask)  # truncated corner
    np.testing.assert_array_equal(ours(doc, rules="7")[0][7:18, 13:22], mask)  # rounded corner


def reference_shape_mask(rules: str, raw: dict[str, Any], line_width: int, point_size: int) -> np.ndarray:
    """One shape's pixels by the labelme release ``rules`` names: a mask shape placed as its
    ``shapes_to_label`` places it, any other shape its ``shape_to_mask`` (labelme 7 draws points
    with radius 5 always)."""
    if raw["shape_type"] == "mask":
        return reference_shapes_to_label(rules, (H, W), loaded_shapes({"shapes": [raw]}), {raw["label"]: 1})[0] == 1
    if rules == "7":
        assert point_size == 5
        return labelme7_rasteriser().shape_to_mask((H, W), raw["points"], shape_type=raw["shape_type"], line_width=line_width)
    return labelme.utils.shape_to_mask((H, W), raw["points"], raw["shape_type"], line_width=line_width, point_size=point_size)


@pytest.mark.parametrize("rules", RULES)
def test_each_object_is_labelmes_mask_of_its_shapes_within_its_box(rules: str) -> None:
    """labelme_objects keeps each object as the box its shapes can reach: placed back in the
    image it must be the OR of labelme's own ``shape_to_mask`` of those shapes, for every shape
    type, for shapes partly or wholly outside the image, with wide lines and large points."""
    from labeltools.formats.labelme import labelme_objects

    rng = np.random.default_rng(3)
    counts = {"polygon": 5, "rectangle": 2, "circle": 2, "line": 2, "linestrip": 4, "point": 1, "oriented_rectangle": 4}
    for trial in range(60):
        line_width, point_size = int(rng.integers(1, 30)), int(rng.integers(0, 12)) if rules == "6" else 5
        shapes = []
        for n in range(int(rng.integers(1, 8))):
            kind = str(rng.choice([*counts, "mask"]))
            group = int(rng.integers(0, 3)) if rng.random() < 0.5 else None
            if kind == "mask":
                low = 0 if rules == "6" else -15  # labelme 7 clips a mask to the image
                x, y = int(rng.integers(low, W - 20)), int(rng.integers(low, H - 20))
                h, w = int(rng.integers(1, 20)), int(rng.integers(1, 20))
                pixels = rng.random((h, w)) < 0.5
                corners = [[x + 0.5, y + 0.25], [x + w - 1, y + h - 1]]
                shapes.append(shape("car", "mask", corners, mask=mask_b64(pixels), group_id=group))
            else:
                points = rng.uniform(-30, [W + 30, H + 30], size=(counts[kind], 2)).round(2).tolist()
                shapes.append(shape(str(rng.choice(["car", "person"])), kind, points, group_id=group))
        raw = document(shapes)
        objects = labelme_objects(
            parse_labelme(raw, "a.json"), CLASSES, (H, W), line_width=line_width, point_size=point_size, rules=rules,  # type: ignore[arg-type]
        )  # fmt: skip
        assert sum(len(o.shapes) for o in objects) == len(shapes)
        for obj in objects:
            expected = np.zeros((H, W), bool)
            for n in obj.shapes:
                expected |= reference_shape_mask(rules, shapes[n], line_width, point_size)
            placed = np.zeros((H, W), bool)
            x, y = obj.offset
            placed[y : y + obj.mask.shape[0], x : x + obj.mask.shape[1]] = obj.mask
            np.testing.assert_array_equal(placed, expected, err_msg=f"trial {trial}, object {obj.number}")


# --------------------------------------------------------------------------------------------
# labelme 7's rules (the default) and labelme 6's, each against its own release

#: The shapes of labelme's own example ``examples/primitives/primitives.json`` (560x450).
PRIMITIVES = {
    "shapes": [
        shape("car", "rectangle", [[32.0, 35.0], [132.0, 135.0]]),
        shape("tree", "circle", [[195.0, 84.0], [225.0, 125.0]]),
        shape("car", "rectangle", [[391.0, 33.0], [542.0, 135.0]]),
        shape("person", "polygon", [[69.0, 318.0], [45.0, 403.0], [173.0, 406.0], [198.0, 321.0]]),
        shape("person", "line", [[188.0, 178.0], [160.0, 224.0]]),
        shape("tree", "point", [[345.0, 174.0]]),
        shape("person", "linestrip", [[440.53703703703707, 181.46296296296293], [402.53703703703707, 274.46296296296293], [544.5370370370371, 275.46296296296293]]),
    ],
}


def test_labelme_examples_primitives_match_each_release() -> None:
    doc = document(PRIMITIVES["shapes"], hw=(450, 560))
    assert_matches_labelme(doc, hw=(450, 560))
    differ = int(np.count_nonzero(ours(doc, (450, 560), "7")[0] != ours(doc, (450, 560), "6")[0]))
    assert differ == 17, "labelme 7 rounds the linestrip's joint: 17 pixels more"


def test_a_wide_zigzag_linestrip_has_round_joints_by_labelme_7s_rules() -> None:
    zigzag = shape("car", "linestrip", [[5, 50], [20, 8], [35, 52], [50, 6], [65, 54], [75, 10]])
    doc = document([zigzag])
    assert_matches_labelme(doc)
    seven, six = ours(doc, rules="7")[0], ours(doc, rules="6")[0]
    assert np.count_nonzero(seven != six) > 20
    assert not (six & ~seven).any(), "round joints only add pixels at the turns"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(point, min_size=2, max_size=8), st.integers(1, 40))
def test_random_linestrips_match_labelme_7_at_every_width(points: list[list[float]], width: int) -> None:
    doc = parse_labelme(document([shape("car", "linestrip", points)]), "a.json")
    cls, _ = labelme_to_label(doc, CLASSES, line_width=width)
    reference = labelme7_rasteriser().shape_to_mask((H, W), points, shape_type="linestrip", line_width=width)
    np.testing.assert_array_equal(cls == 1, reference)
    six, _ = labelme_to_label(doc, CLASSES, line_width=width, rules="6")
    np.testing.assert_array_equal(six == 1, labelme.utils.shape_to_mask((H, W), points, "linestrip", line_width=width))


@st.composite
def placed_mask(draw: st.DrawFn) -> dict[str, Any]:
    """A mask shape with corners anywhere around the image, whole or fractional, spanning the
    stored mask's extent or a pixel more or less (the drift labelme's own edits leave)."""
    rows, columns = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    bits = draw(st.lists(st.booleans(), min_size=rows * columns, max_size=rows * columns))
    x1, y1 = draw(st.integers(-15, W + 2)), draw(st.integers(-15, H + 2))
    drift_x, drift_y = draw(st.integers(-1, 1)), draw(st.integers(-1, 1))
    corners = [[x1, y1], [x1 + columns - 1 + drift_x, y1 + rows - 1 + drift_y]]
    if draw(st.booleans()):  # fractional: each coordinate moved by less than a pixel
        corners = [[v + draw(st.floats(-0.75, 0.75, width=16)) for v in corner] for corner in corners]
    return shape("car", "mask", corners, mask=mask_b64(np.array(bits, bool).reshape(rows, columns)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(placed_mask(), min_size=1, max_size=3))
def test_masks_with_whole_fractional_and_outside_corners_match_labelme_7(shapes: list[dict[str, Any]]) -> None:
    """labelme 7.9.1 rounds the corners, fills the points' span when they are whole numbers
    and the stored extent when not, and clips to the image; where its own ``shapes_to_label``
    fails (a stored mask too small for the whole-number span it must fill), so do we, naming
    the file and the shape."""
    doc = document(shapes)
    try:
        expected = labelme_reference(doc, rules="7")
    except ValueError:
        with pytest.raises(AnnotationError, match=r"^a\.json: shapes\[\d\] \(label 'car', mask\): 'mask' is \d+x\d+ \(rows x columns\) but its whole-number points span"):
            ours(doc, rules="7")
        return
    cls, ins = ours(doc, rules="7")
    np.testing.assert_array_equal(cls, expected[0])
    np.testing.assert_array_equal(ins, expected[1])


def test_a_mask_whose_points_drifted_a_pixel_converts_by_labelme_7s_rules_only() -> None:
    """labelme 7 opens and converts a mask whose rounded corners span a row more than the mask
    (its edits leave such files); labelme 6 cannot (its truncated corners span two rows more),
    and with --labelme-rules 6 we say so."""
    stored = np.indices((42, 24)).sum(axis=0) % 3 == 0
    drifted = shape("car", "mask", [[10.4, 5.6], [33.2, 48.3]], mask=mask_b64(stored))  # rounds to 43 rows
    doc = document([drifted])
    assert_matches_labelme(doc, rules=("7",))
    cls, _ = ours(doc)
    np.testing.assert_array_equal(cls[6:48, 10:34], stored)
    with pytest.raises(
        AnnotationError,
        match=r"^a\.json: shapes\[0\] \(label 'car', mask\): 'mask' is 42x24 \(rows x columns\) but its points "
        r"span 44x24 pixels; labelme 6 refuses this, labelme 7 places it \(--labelme-rules 7\)$",
    ):
        ours(doc, rules="6")


DEGENERATE = {
    "zero-extent rectangle": shape("car", "rectangle", [[20.5, 30.5], [20.5, 30.5]]),
    "flat rectangle": shape("car", "rectangle", [[10, 30], [50, 30]]),
    "coincident polygon": shape("car", "polygon", [[12.3, 7.7], [12.3, 7.7], [12.3, 7.7]]),
    "polygon on a line": shape("car", "polygon", [[5, 5], [30, 30], [55, 55]]),
    "zero-radius circle": shape("car", "circle", [[40, 30], [40, 30]]),
    "zero-length line": shape("car", "line", [[15, 15], [15, 15]]),
    "linestrip on one point": shape("car", "linestrip", [[33, 21], [33, 21], [33, 21]]),
    "flat oriented rectangle": shape("car", "oriented_rectangle", [[10, 10], [40, 10], [40, 10], [10, 10]]),
    "one-pixel mask": shape("car", "mask", [[3, 4], [3, 4]], mask=mask_b64(np.ones((1, 1), bool))),
}


@pytest.mark.parametrize("name", sorted(DEGENERATE))
def test_degenerate_geometry_labelme_opens_is_converted_as_labelme_converts_it(name: str) -> None:
    doc = document([DEGENERATE[name]])
    assert_matches_labelme(doc)
    assert ours(doc)[0].any() == (name != "zero-radius circle"), "labelme paints a pixel or more, but for a circle of radius 0"


@pytest.mark.parametrize(("label", "codec", "said"), [
    ("道路", "gbk", "a two-byte Windows encoding, Chinese GB18030 (or Korean CP949): convert it to UTF-8 first (iconv -f GB18030 -t UTF-8)"),
    ("bâtiment", "cp1252", "a one-byte Windows encoding such as Western European CP1252: convert it to UTF-8 first (iconv -f CP1252 -t UTF-8)"),
])  # fmt: skip
def test_an_annotation_in_a_windows_encoding_names_the_encoding_to_convert_from(tmp_path: Path, label: str, codec: str, said: str) -> None:
    """labelme once wrote its JSON in the Windows code page of the user's language (GBK on a
    Chinese Windows): the file failed as no UTF-8 text, with no word of what it is. The message
    names the likely encoding and the conversion, which then reads as labelme reads the file."""
    from typer.testing import CliRunner

    from labeltools.cli import app
    from labeltools.jobs.convert import SAMPLE_DIR

    doc = json.loads((SAMPLE_DIR / "street_01.json").read_text())
    doc["shapes"][0]["label"], doc["imageData"] = label, None
    (tmp_path / "street_01.json").write_bytes(json.dumps(doc, ensure_ascii=False).encode(codec))
    (tmp_path / "street_01.jpg").write_bytes((SAMPLE_DIR / "street_01.jpg").read_bytes())
    result = CliRunner().invoke(app, ["convert", str(tmp_path / "street_01.json"), str(tmp_path / "out"), "-j", "1"])
    assert result.exit_code == 1
    assert f"{tmp_path / 'street_01.json'}: not a UTF-8/16/32 text file (" in result.stderr
    assert f"; its bytes read as {said}" in " ".join(result.stderr.split())
    converted = (tmp_path / "street_01.json").read_bytes().decode(said.split("iconv -f ")[1].split()[0].lower())
    (tmp_path / "street_01.json").write_text(converted, encoding="utf-8")  # as iconv converts it
    result = CliRunner().invoke(app, ["convert", str(tmp_path / "street_01.json"), str(tmp_path / "out"), "-j", "1"])
    assert result.exit_code == 0, result.output
    assert label in (tmp_path / "out" / "class_names.txt").read_text(encoding="utf-8")
