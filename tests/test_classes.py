from __future__ import annotations

import json

import numpy as np
import pytest

from labeltools import VOID, ClassEntry, ClassTable, ClassTableError, voc_colormap
from labeltools.core.classes import (
    ADE20K_CLASSES,
    COCO_STUFF_CLASSES,
    CITYSCAPES_LABELS,
    class_name,
    class_names_for,
    colormap_entries,
)
from labeltools.formats.voc import save_class_names, save_class_table
from labeltools.jobs.colormap import save_colormap

from exports import CAMVID, camvid_class_dict


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_labelme_labels_txt(tmp_path):
    table = ClassTable.load(write(tmp_path, "labels.txt", "__ignore__\n_background_\ncat\ndog\n"))
    assert table.name_to_index == {"__ignore__": 255, "_background_": 0, "cat": 1, "dog": 2}
    assert table.names == ["_background_", "cat", "dog"]
    assert table.num_classes == 3
    assert [e.name for e in table.void_entries] == ["__ignore__"]
    assert table.color_of(2) == (0, 128, 0)


def test_class_name_falls_back_to_class_i():
    table = ClassTable.from_names(["__ignore__", "bg", "cat"])
    assert class_names_for(4, table) == ["bg", "cat", "class_2", "class_3"]
    assert class_name(VOID, table) == "__ignore__"
    assert class_names_for(4, ["a", "", "c"]) == ["a", "class_1", "c", "class_3"]
    assert class_names_for(2) == ["class_0", "class_1"] and class_name(7) == "class_7"


def test_plain_class_names(tmp_path):
    table = ClassTable.load(write(tmp_path, "class_names.txt", "background\nroad\ncar\n"))
    assert table.index_of("car") == 2 and table.name_of(1) == "road"
    assert table.name_of(VOID) == "void" and table.name_of(9) == "class_9"


def test_blank_line_is_refused_with_its_number(tmp_path):
    path = write(tmp_path, "labels.txt", "__ignore__\n_background_\ncat\n   \ndog\n")
    with pytest.raises(ClassTableError, match=r"labels.txt: line 4 is blank.*shift every later index"):
        ClassTable.load(path)


def test_trailing_newlines_are_not_classes(tmp_path):
    assert ClassTable.load(write(tmp_path, "c.txt", "a\nb\n\n\n")).names == ["a", "b"]


@pytest.mark.parametrize("name", ["traffic\nlight", "traffic\r\nlight", "traffic\rlight", "traffic\u2028light"])
def test_a_name_holding_a_line_break_is_refused(tmp_path, name):
    def refused(source, shown):
        return (
            f"{source}: class {shown!r} holds a line break; a class name must be one line "
            "(class_names.txt and labels.txt list one name a line)"
        )

    with pytest.raises(ClassTableError) as info:
        ClassTable.from_names(["background", name])
    assert str(info.value) == refused("class names", name)
    json_path = write(tmp_path, "t.json", json.dumps(["background", name]))
    with pytest.raises(ClassTableError) as info:
        ClassTable.load(json_path)
    assert str(info.value) == refused(json_path, name)
    csv_path = tmp_path / "t.csv"
    csv_path.write_bytes(f'index,name,r,g,b\n0,background,0,0,0\n1,"{name}",1,2,3\n'.encode())
    with pytest.raises(ClassTableError) as info:
        ClassTable.load(csv_path)
    read_back = name.replace("\r\n", "\n").replace("\r", "\n")  # text is read with universal newlines
    assert str(info.value) == refused(csv_path, read_back)


def test_duplicate_names(tmp_path):
    with pytest.raises(ClassTableError, match=r"duplicate class name 'cat'"):
        ClassTable.load(write(tmp_path, "c.txt", "bg\ncat\ncat\n"))


def test_background_must_come_first(tmp_path):
    with pytest.raises(ClassTableError, match=r"line 2: _background_ must be the first class .* index 1"):
        ClassTable.load(write(tmp_path, "c.txt", "cat\n_background_\n"))


def test_csv_with_header_colours_and_train_ids(tmp_path):
    path = write(tmp_path, "t.csv", "index,name,r,g,b,train_id\n0,road,128,64,128,0\n7,car,0,0,142,1\n255,void,1,2,3,\n")
    table = ClassTable.load(path)
    assert table.color_of(7) == (0, 0, 142)
    assert table.palette()[VOID].tolist() == [1, 2, 3]
    assert table.num_classes == 8
    assert table.has_train_ids and table.id_to_train_id()[7] == 1


@pytest.mark.parametrize(
    "text, message",
    [
        ("0,a,1,2,3\n0,b,4,5,6\n", r"duplicate class index 0 \('a' and 'b'\)"),
        ("300,a,1,2,3\n", r"class 'a' has index 300; class indices are 0..254"),
        ("0,a,1,2,300\n", r"class 'a' has colour \(1, 2, 300\); expected three integers 0..255"),
        ("0,a,1,2\n", r"line 1: expected index,name,r,g,b\[,train_id\] \(or a header naming the columns name,r,g,b\), got 4 field"),
        ("0,a,x,2,3\n", r"line 1: index, r, g, b and train_id must be integers"),
        ("0,a,1,2,3\n\n1,b,1,1,1\n", r"line 2 is blank"),
        ("0,a,1,2,3,999\n", r"train id 999; expected 0..255"),
    ],
)
def test_csv_errors(tmp_path, text, message):
    with pytest.raises(ClassTableError, match=message):
        ClassTable.load(write(tmp_path, "t.csv", text))


def test_json_round_trip(tmp_path):
    table = ClassTable.preset("cityscapes")
    save_class_table(tmp_path / "c.json", table)
    assert ClassTable.load(tmp_path / "c.json") == table
    save_class_table(tmp_path / "c.csv", table)
    assert ClassTable.load(tmp_path / "c.csv") == table


def test_json_errors(tmp_path):
    with pytest.raises(ClassTableError, match="not valid JSON"):
        ClassTable.load(write(tmp_path, "a.json", "{"))
    with pytest.raises(ClassTableError, match="expected a list of classes"):
        ClassTable.load(write(tmp_path, "b.json", '{"x": 1}'))
    with pytest.raises(ClassTableError, match=r"class #0 must be an object with 'index' and 'name'"):
        ClassTable.load(write(tmp_path, "c.json", '[{"name": "a"}]'))
    with pytest.raises(ClassTableError, match=r"class #0: 'color' must be \[r, g, b\]"):
        ClassTable.load(write(tmp_path, "d.json", '[{"index": 0, "name": "a", "color": "red"}]'))
    assert ClassTable.load(write(tmp_path, "e.json", '["bg", "cat"]')).names == ["bg", "cat"]


def test_hugging_face_id2label(tmp_path):
    # segments/sidewalk-semantic's id2label.json (its first classes) and a SegFormer config.json
    sidewalk = ClassTable.load(write(tmp_path, "id2label.json", '{"0": "unlabeled", "1": "flat-road", "2": "flat-sidewalk", "255": "ignore"}'))
    assert [(e.index, e.name, e.color) for e in sidewalk.entries] == [
        (0, "unlabeled", (0, 0, 0)), (1, "flat-road", (128, 0, 0)), (2, "flat-sidewalk", (0, 128, 0)), (255, "ignore", (224, 224, 192))]
    config = write(tmp_path, "config.json", json.dumps({
        "architectures": ["SegformerForSemanticSegmentation"], "num_labels": 3,
        "id2label": {"0": "wall", "1": "building", "2": "sky"}, "label2id": {"wall": 0, "building": 1, "sky": 2}}))
    segformer = ClassTable.load(config)
    assert segformer.names == ["wall", "building", "sky"] and segformer.index_of("sky") == 2
    assert "config.json, its id2label" in segformer.source
    with pytest.raises(ClassTableError, match=r'a.json: key "300" is no class value \(an integer 0..255\)'):
        ClassTable.load(write(tmp_path, "a.json", '{"0": "wall", "300": "sky"}'))
    with pytest.raises(ClassTableError, match=r"b.json, its id2label: the name of class 1 must be a string, got 7"):
        ClassTable.load(write(tmp_path, "b.json", '{"id2label": {"0": "wall", "1": 7}}'))
    with pytest.raises(ClassTableError, match=r"c.json: expected a list of classes, an object with a 'classes' list or an id2label object"):
        ClassTable.load(write(tmp_path, "c.json", '{"0": "wall", "one": "sky"}'))


def test_mapillary_vistas_config(tmp_path):
    """Mapillary Vistas' config: its labels in value order, by readable name where those are
    told apart (else by name), colours its own; a label without a colour is named."""
    labels = [
        {"name": "animal--bird", "readable": "Bird", "color": [165, 42, 42], "instances": True, "evaluate": True},
        {"name": "construction--flat--road", "readable": "Road", "color": [128, 64, 128], "instances": False, "evaluate": True},
    ]
    table = ClassTable.load(write(tmp_path, "config_v2.0.json", json.dumps({"labels": labels, "version": "2.0"})))
    assert [(e.index, e.name, e.color) for e in table.entries] == [(0, "Bird", (165, 42, 42)), (1, "Road", (128, 64, 128))]
    assert table.source.endswith("config_v2.0.json, Mapillary's labels in order")
    same = [dict(labels[0]), {**labels[1], "readable": "Bird"}]
    assert ClassTable.load(write(tmp_path, "same.json", json.dumps({"labels": same}))).names == ["animal--bird", "construction--flat--road"]
    with pytest.raises(ClassTableError, match=r"bad.json: labels\[1\] \(Road\): 'color' must be \[r, g, b\], got \[1, 2\]"):
        ClassTable.load(write(tmp_path, "bad.json", json.dumps({"labels": [labels[0], {**labels[1], "color": [1, 2]}]})))


def test_missing_file_and_unknown_preset(tmp_path):
    with pytest.raises(ClassTableError, match=r"nope.txt: no such class table file \(or use a preset: voc, cityscapes, cityscapes-train, ade20k, ade20k-train, coco-stuff, coco-stuff-train\)"):
        ClassTable.load(tmp_path / "nope.txt")
    with pytest.raises(ClassTableError, match="unknown class table preset 'coco'"):
        ClassTable.preset("coco")


def test_a_dataset_folder_named_like_a_preset_does_not_hide_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "voc").mkdir()  # e.g. the VOC dataset folder itself
    assert ClassTable.load("voc") == ClassTable.preset("voc")
    (tmp_path / "cityscapes").write_text("road\nsky\n")  # a file of that name still wins
    assert ClassTable.load("cityscapes").names == ["road", "sky"]


def test_unknown_label_lookup():
    with pytest.raises(ClassTableError, match=r"label 'unicorn' is not in the voc preset"):
        ClassTable.preset("voc").index_of("unicorn")


def test_voc_preset():
    table = ClassTable.preset("voc")
    assert len(table.names) == 21 and table.names[15] == "person"
    np.testing.assert_array_equal(table.palette(), voc_colormap(256))
    assert table.void_entries[0].color == (224, 224, 192)


def test_cityscapes_preset_matches_official_table():
    table = ClassTable.preset("cityscapes")
    assert table.num_classes == 34 and len(table) == 35
    assert table.entry(26) == ClassEntry(26, "car", (0, 0, 142), 13)
    lut = table.id_to_train_id()
    assert lut[7] == 0 and lut[33] == 18 and lut[0] == 255 and lut[VOID] == 255
    assert table.train_table().names[:3] == ["road", "sidewalk", "building"]
    assert len(table.train_table().names) == 19
    labels = pytest.importorskip("cityscapesscripts.helpers.labels")
    official = [(lb.name, lb.id, 255 if lb.trainId < 0 else lb.trainId, tuple(lb.color)) for lb in labels.labels]
    assert official == list(CITYSCAPES_LABELS)


def test_ade20k_presets_are_its_labels_as_shipped_and_as_trained():
    """``ade20k``: 0 other (no train id), the 150 classes as 1..150 with mmsegmentation's names and
    colours, each training as its value minus one; ``ade20k-train``: those classes as 0..149, other
    void. ADE20K's palette gives road and skyscraper one colour, which colour masks cannot tell
    apart: a colour mask of either is refused as such."""
    from labeltools.core.errors import RemapError
    from labeltools.ops.remap import rgb_to_index

    shipped, trained = ClassTable.preset("ade20k"), ClassTable.preset("ade20k-train")
    assert shipped.num_classes == 151 and trained.num_classes == 150
    assert shipped.entry(0) == ClassEntry(0, "other", (0, 0, 0), VOID)
    assert shipped.entry(1) == ClassEntry(1, "wall", (120, 120, 120), 0)
    assert shipped.entry(150) == ClassEntry(150, "flag", (92, 0, 255), 149)
    assert shipped.names[8] == "bed" and shipped.names[13] == "person" and shipped.names[21] == "car"
    np.testing.assert_array_equal(shipped.id_to_train_id()[:152], [VOID, *range(150), VOID])
    assert trained.names == shipped.train_table().names == shipped.names[1:]
    assert [e.color for e in trained.classes] == [e.color for e in shipped.classes][1:]
    assert trained.void_entries[0].name == "other"
    shared = [(e.name, e.color) for e in trained.classes if e.color == (140, 140, 140)]
    assert shared == [("road", (140, 140, 140)), ("skyscraper", (140, 140, 140))]
    with pytest.raises(RemapError, match=r"\(140, 140, 140\) is road -> 7, skyscraper -> 49"):
        rgb_to_index(np.full((2, 2, 3), 140, np.uint8), shipped)


#: mmsegmentation's COCO-Stuff 164k converter maps each label id of the stuffthingmaps to the rank
#: of the used ones (``clsID_to_trID``): these are the ids it leaves out, COCO's unused category ids.
COCO_STUFF_UNUSED = (11, 25, 28, 29, 44, 65, 67, 68, 70, 82, 90)


def test_coco_stuff_presets_are_its_label_ids_and_its_train_ids():
    """``coco-stuff``: the stuffthingmaps' values (COCO's category ids minus one, 255 unlabeled),
    each used one with its train id as mmsegmentation's converter numbers them; ``coco-stuff-train``:
    0..170. A table of the train ids' names (the same 171 names) is never taken for the label ids,
    and the two are told apart by value."""
    from labeltools.formats.voc import tables_disagree

    shipped, trained = ClassTable.preset("coco-stuff"), ClassTable.preset("coco-stuff-train")
    used = [i for i in range(182) if i not in COCO_STUFF_UNUSED]
    assert [e.index for e in shipped.classes] == used and trained.num_classes == 171
    expected = np.full(256, VOID, np.uint8)
    expected[used] = np.arange(171)
    np.testing.assert_array_equal(shipped.id_to_train_id(), expected)
    assert shipped.entry(0).name == "person" and shipped.entry(181) == ClassEntry(181, "wood", (64, 64, 0), 170)
    assert shipped.void_entries[0].name == trained.void_entries[0].name == "unlabeled"
    assert shipped.train_table().names == trained.names == shipped.names
    assert ClassTable.from_names(trained.names).with_preset_train_ids().has_train_ids is False
    assert tables_disagree(shipped, trained) == "coco-stuff preset calls class 12 'stop sign', coco-stuff-train preset calls it 'parking meter'"
    assert shipped.train_id_preset() == trained.train_id_preset() == "coco-stuff"


def test_class_names_writer(tmp_path):
    table = ClassTable.from_names(["__ignore__", "_background_", "cat"])
    save_class_names(tmp_path / "class_names.txt", table)
    assert (tmp_path / "class_names.txt").read_text() == "_background_\ncat\n"
    gappy = ClassTable([ClassEntry(0, "a", (0, 0, 0)), ClassEntry(2, "c", (1, 1, 1))])
    with pytest.raises(ClassTableError, match=r"indices \[1\] have no class"):
        save_class_names(tmp_path / "g.txt", gappy)
    assert not (tmp_path / "g.txt").exists()


def test_colormap_entries_and_formats(tmp_path):
    rows = colormap_entries(23, ClassTable.preset("voc"))
    assert [r.name for r in rows[:2]] == ["background", "aeroplane"] and rows[22].name == ""
    assert [r.index for r in colormap_entries(256)][-1] == 255
    save_colormap(tmp_path / "c.txt", rows[:2])
    assert (tmp_path / "c.txt").read_text() == "background 0 0 0\naeroplane 128 0 0\n"
    save_colormap(tmp_path / "c.json", rows[:2])
    assert json.loads((tmp_path / "c.json").read_text())[1]["hex"] == "#800000"
    save_colormap(tmp_path / "c.csv", rows[:2])
    assert (tmp_path / "c.csv").read_text().splitlines()[1] == "0,background,0,0,0,#000000"
    save_colormap(tmp_path / "c.npy", rows)
    np.testing.assert_array_equal(np.load(tmp_path / "c.npy"), voc_colormap(23))
    with pytest.raises(ClassTableError, match=r"c.bmp: unknown colormap format .bmp"):
        save_colormap(tmp_path / "c.bmp", rows)


def ade20k_object_info() -> str:
    """ADE20K's objectInfo150.txt as it ships: a header, then per class its index, pixel ratio,
    image counts and its names, the first one mmsegmentation's but for class 90 (its second),
    some cells with trailing spaces."""
    rows = ["Idx\tRatio\tTrain\tVal\tName"]
    for index, (name, _) in enumerate(ADE20K_CLASSES, 1):
        names = "television, television receiver, tv" if name == "television receiver" else f"{name}, another name"
        rows.append(f"{index}{' ' if index == 22 else ''}\t0.0012\t300\t30\t{names}{' ' if index == 8 else ''}")
    return "\n".join(rows) + "\n"


def test_ade20k_object_info_reads_as_its_preset_and_other_columns_are_refused(tmp_path) -> None:
    info = tmp_path / "objectInfo150.txt"
    info.write_text(ade20k_object_info())
    table = ClassTable.load(info)
    preset = ClassTable.preset("ade20k")
    assert list(table) == list(preset) and table.source == f"{info}, ADE20K's 150 classes as the ade20k preset"
    assert table.train_table().names == ClassTable.preset("ade20k-train").names
    info.write_text(ade20k_object_info().replace("\tcar, another name", "\tbus, another name"))
    with pytest.raises(ClassTableError, match=r"objectInfo150.txt: line 22: expected ADE20K's class 21 \(car\) as its objectInfo150.txt lists it"):
        ClassTable.load(info)
    names = tmp_path / "class_names.txt"  # any other file of columns was read as one name a line, header and all
    names.write_text("index\tname\n0\tbackground\n1\tcat\n")
    with pytest.raises(ClassTableError, match=r"class_names.txt: line 1 holds tab-separated columns \('index\\tname'\), not a class name"):
        ClassTable.load(names)


def coco_stuff_labels() -> str:
    """COCO-Stuff's labels.txt as it ships: ``0: unlabeled`` then COCO's category ids 1..182,
    the eleven ids no map uses included (named here by their id)."""
    by_id = {value + 1: name for value, name, _ in COCO_STUFF_CLASSES}
    return "0: unlabeled\n" + "".join(f"{i}: {by_id.get(i, f'unused {i}')}\n" for i in range(1, 183))


def test_coco_stuff_labels_read_as_its_preset_and_other_numbered_lines_are_refused(tmp_path) -> None:
    """Its numbers are COCO's ids, one above the values its stuffthingmaps hold: read as one
    name a line, every class was named '<id>: <name>' and the unlabeled line was class 0."""
    labels = tmp_path / "labels.txt"
    labels.write_text(coco_stuff_labels())
    table = ClassTable.load(labels)
    assert list(table) == list(ClassTable.preset("coco-stuff"))
    assert table.name_of(0) == "person" and table.source.endswith("as the coco-stuff preset (its ids minus one)")
    labels.write_text(coco_stuff_labels().replace("1: person\n", "1: people\n"))
    with pytest.raises(ClassTableError, match=r"expected COCO-Stuff's class 1: person \(label value 0\) as its labels.txt lists it, got 'people'"):
        ClassTable.load(labels)
    labels.write_text("0: background\n1: cat\n2: dog\n")
    with pytest.raises(ClassTableError, match=r"its lines number the classes \('0: background'\), which does not say whether a number is the label value"):
        ClassTable.load(labels)
    labels.write_text("background\ncat: siamese\n")  # a name with a colon stays a name
    assert ClassTable.load(labels).names == ["background", "cat: siamese"]


def test_camvid_class_lists_number_their_rows_and_void_is_255(tmp_path) -> None:
    """CamVid's class_dict.csv (name,r,g,b, no index) was refused, its label_colors.txt (r g b
    <tab> name) too: row i is class i, as the code that reads them numbers them; Void is void
    and Wall stays 31 (no class moves)."""
    for path in (write(tmp_path, "class_dict.csv", camvid_class_dict()),
                 write(tmp_path, "label_colors.txt", "".join(f"{r} {g} {b}\t{n}\n" for n, r, g, b in CAMVID))):
        table = ClassTable.load(path)
        assert [(e.index, e.name, e.color) for e in table.classes] == [
            (row, n, (r, g, b)) for row, (n, r, g, b) in enumerate(CAMVID) if n != "Void"
        ]
        assert table.index_of("Wall") == 31 and table.index_of("Void") == VOID and table.palette()[VOID].tolist() == [0, 0, 0]
        assert table.source == f"{path}, numbered by row (row i is class i), 'Void' void (255)"
    # as Datumaro and CVAT write it: a comment, spaces, Void first (Animal stays 1)
    datumaro = ClassTable.load(write(tmp_path, "label_colors.txt", "# color (RGB) label\n0 0 0 Void\n64 128 64 Animal\n192 0 128 Archway\n"))
    assert datumaro.name_to_index == {"Void": VOID, "Animal": 1, "Archway": 2} and datumaro.color_of(2) == (192, 0, 128)
    # more rows than a label PNG has values: refused, a void row aside
    rows = "".join(f"c{i},{i % 256},0,0\n" for i in range(255)) + "void,9,9,9\n"
    assert ClassTable.load(write(tmp_path, "wide.csv", "name,r,g,b\n" + rows)).num_classes == 255
    with pytest.raises(ClassTableError, match=r"wide.csv: more than 255 classes: label PNGs store one byte per pixel and 255 is void"):
        ClassTable.load(write(tmp_path, "wide.csv", "name,r,g,b\n" + rows + "c255,1,1,1\n"))
    # the Semantic Drone Dataset's class_dict_seg.csv: spaces after the commas, no void row
    drone = ClassTable.load(write(tmp_path, "class_dict_seg.csv", "name, r, g, b\nunlabeled, 0, 0, 0\npaved-area, 128, 64, 128\n"))
    assert drone.name_to_index == {"unlabeled": 0, "paved-area": 1} and drone.color_of(1) == (128, 64, 128)
    assert drone.source.endswith("numbered by row (row i is class i)")


def test_a_supervisely_class_list_numbers_its_rows_by_their_hex_colours(tmp_path) -> None:
    """A Supervisely project's meta.json (and the classes.json of the datasets exported from
    one): title and #RRGGBB colour, row i class i; a colour of another form is named."""
    meta = {"classes": [{"title": "Building", "shape": "bitmap", "color": "#3C1098"}, {"title": "Void", "color": "#000000"},
                        {"title": "Road", "color": "#6ec1e4"}], "tags": [], "projectType": "images"}  # fmt: skip
    table = ClassTable.load(write(tmp_path, "meta.json", json.dumps(meta)))
    assert [(e.index, e.name, e.color) for e in table.entries] == [(0, "Building", (60, 16, 152)), (VOID, "Void", (0, 0, 0)), (2, "Road", (110, 193, 228))]
    meta["classes"][2]["color"] = "rgb(1, 2, 3)"
    with pytest.raises(ClassTableError, match=r"meta.json: classes\[2\] \(Road\): 'color' must be #RRGGBB, got \"rgb\(1, 2, 3\)\""):
        ClassTable.load(write(tmp_path, "meta.json", json.dumps(meta)))


def test_a_csv_header_places_its_columns(tmp_path) -> None:
    """Columns in any order and a colormap's hex column beside them; values and names alone
    (Roboflow's); a header that names neither is passed over as before; a train id without the
    value it trains is refused."""
    table = ClassTable.load(write(tmp_path, "t.csv", "r,g,b,name,index\n0,0,0,bg,0\n9,8,7,cat,5\n"))
    assert table.name_to_index == {"bg": 0, "cat": 5} and table.color_of(5) == (9, 8, 7)
    save_colormap(tmp_path / "voc.csv", colormap_entries(21, ClassTable.preset("voc")))
    assert list(ClassTable.load(tmp_path / "voc.csv")) == list(ClassTable.preset("voc").classes)
    assert ClassTable.load(write(tmp_path, "u.csv", "idx,label,R,G\n0,bg,0,0,0\n")).name_to_index == {"bg": 0}
    # Roboflow's _classes.csv beside its masks: values and names, no colours (the VOC colormap's then)
    roboflow = ClassTable.load(write(tmp_path, "_classes.csv", "Pixel Value, Class\n0, background\n1, cat\n3, dog\n"))
    assert roboflow.name_to_index == {"background": 0, "cat": 1, "dog": 3} and roboflow.color_of(3) == tuple(voc_colormap(4)[3])
    with pytest.raises(ClassTableError, match=r"u.csv: line 1: a train_id column needs an index column"):
        ClassTable.load(write(tmp_path, "u.csv", "name,r,g,b,train_id\nroad,1,2,3,0\n"))
    with pytest.raises(ClassTableError, match=r"u.csv: line 3: expected 4 fields as its header \(name,r,g,b\), got 3"):
        ClassTable.load(write(tmp_path, "u.csv", "name,r,g,b\nroad,1,2,3\ncar,4,5\n"))
    with pytest.raises(ClassTableError, match=r"u.csv: line 2: index, r, g, b and train_id must be integers"):
        ClassTable.load(write(tmp_path, "u.csv", "name,r,g,b\nroad,1,x,3\n"))


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_lists_saved_on_windows_read_as_written(tmp_path, encoding):
    """Class tables, index maps and split lists saved by Excel (UTF-8 with a byte-order mark,
    CRLF) or by Windows PowerShell 5's ``>`` and Notepad's "Unicode" (UTF-16) read as their
    text: UTF-16 was refused as undecodable, and a split list's byte-order mark became part of
    its first id; the colormap's title names such a file as it is."""
    from typer.testing import CliRunner

    from labeltools import IndexMap, read_split
    from labeltools.cli import app

    def saved(name, text):
        path = tmp_path / name
        path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
        return path

    table = ClassTable.load(saved("classes.csv", "index,name,r,g,b\n0,background,0,0,0\n1,cat,10,20,30\n"))
    assert [(e.index, e.name, e.color) for e in table.classes] == [(0, "background", (0, 0, 0)), (1, "cat", (10, 20, 30))]
    assert ClassTable.load(saved("labels.txt", "__ignore__\n_background_\ncat\n")).names == ["_background_", "cat"]
    assert IndexMap.load(saved("map.txt", "7:0\n8:1\n")).pairs == ((7, 0), (8, 1))
    (tmp_path / "voc" / "ImageSets" / "Segmentation").mkdir(parents=True)
    (tmp_path / "voc" / "ImageSets" / "Segmentation" / "train.txt").write_bytes("2007_000032\n2007_000039\n".replace("\n", "\r\n").encode(encoding))
    assert read_split(tmp_path / "voc", "train") == ["2007_000032", "2007_000039"]
    done = CliRunner().invoke(app, ["colormap", "-c", str(tmp_path / "classes.csv")])
    assert done.exit_code == 0 and done.stdout.splitlines()[0] == f"colormap of {tmp_path / 'classes.csv'}: 2 entries"
