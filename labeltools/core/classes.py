"""The class table: one ordered list of (index, name, colour), everything else derived from it.

Tables load from labelme's ``labels.txt`` (``__ignore__``, ``_background_``, then classes), a plain
``class_names.txt`` (line ``i`` is class ``i``), CSV (``index,name,r,g,b[,train_id]``) or JSON,
and presets exist: ``voc``, ``cityscapes`` (Cityscapes' label ids, each with its train id),
``cityscapes-train`` (its 19 train ids, every other Cityscapes label void), ``ade20k`` (ADE20K's
annotations as shipped: 0 other, without train id, and its 150 classes as 1..150, each with its
train id one lower), ``ade20k-train`` (the 150 classes as 0..149, as mmsegmentation's
``reduce_zero_label`` trains and predicts them), ``coco-stuff`` (COCO-Stuff's stuffthingmaps as
shipped: its 171 classes by COCO's category id minus one, 0..181, each with its train id) and
``coco-stuff-train`` (those classes as 0..170). A preset means the same ids in every command:
label files hold the table's indices.

Indices 0..254 are classes; 255 (:data:`~labeltools.core.colormap.VOID`) marks void entries such as
``__ignore__`` or VOC's boundary colour; -1 marks an entry that has a name and a colour but no
value of its own in label files (Cityscapes' license plate).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from labeltools.core._types import Color, PathLike
from labeltools.core.cells import csv_document, csv_text_value
from labeltools.core.colormap import VOID_COLOR, palette_array, voc_colormap
from labeltools.core.errors import ClassTableError
from labeltools.core.files import file_name, file_suffix, read_small_text
from labeltools.core.options import VOID

IGNORE_NAME = "__ignore__"

#: Names that mark the void entry (index 255) in formats that number entries by position
#: (Datumaro's and CVAT's ``labelmap.txt``, ``dataset_meta.json``).
VOID_NAMES = frozenset({IGNORE_NAME, "void", "ignored"})

#: The header line of a ``labelmap.txt``.
LABELMAP_HEADER = "# label:color_rgb:parts:actions"

BACKGROUND_NAME = "_background_"

NO_INDEX = -1

VOC_NAMES = (
    "background", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat",
    "chair", "cow", "diningtable", "dog", "horse", "motorbike", "person", "pottedplant",
    "sheep", "sofa", "train", "tvmonitor",
)  # fmt: skip


# The official Cityscapes label table (cityscapesScripts' labels.py): name, id, trainId, colour.
CITYSCAPES_LABELS: tuple[tuple[str, int, int, Color], ...] = (
    ("unlabeled", 0, 255, (0, 0, 0)),
    ("ego vehicle", 1, 255, (0, 0, 0)),
    ("rectification border", 2, 255, (0, 0, 0)),
    ("out of roi", 3, 255, (0, 0, 0)),
    ("static", 4, 255, (0, 0, 0)),
    ("dynamic", 5, 255, (111, 74, 0)),
    ("ground", 6, 255, (81, 0, 81)),
    ("road", 7, 0, (128, 64, 128)),
    ("sidewalk", 8, 1, (244, 35, 232)),
    ("parking", 9, 255, (250, 170, 160)),
    ("rail track", 10, 255, (230, 150, 140)),
    ("building", 11, 2, (70, 70, 70)),
    ("wall", 12, 3, (102, 102, 156)),
    ("fence", 13, 4, (190, 153, 153)),
    ("guard rail", 14, 255, (180, 165, 180)),
    ("bridge", 15, 255, (150, 100, 100)),
    ("tunnel", 16, 255, (150, 120, 90)),
    ("pole", 17, 5, (153, 153, 153)),
    ("polegroup", 18, 255, (153, 153, 153)),
    ("traffic light", 19, 6, (250, 170, 30)),
    ("traffic sign", 20, 7, (220, 220, 0)),
    ("vegetation", 21, 8, (107, 142, 35)),
    ("terrain", 22, 9, (152, 251, 152)),
    ("sky", 23, 10, (70, 130, 180)),
    ("person", 24, 11, (220, 20, 60)),
    ("rider", 25, 12, (255, 0, 0)),
    ("car", 26, 13, (0, 0, 142)),
    ("truck", 27, 14, (0, 0, 70)),
    ("bus", 28, 15, (0, 60, 100)),
    ("caravan", 29, 255, (0, 0, 90)),
    ("trailer", 30, 255, (0, 0, 110)),
    ("train", 31, 16, (0, 80, 100)),
    ("motorcycle", 32, 17, (0, 0, 230)),
    ("bicycle", 33, 18, (119, 11, 32)),
    ("license plate", NO_INDEX, 255, (0, 0, 142)),
)


# ADE20K's 150 classes (SceneParsing's objectInfo150, as mmsegmentation's ADE20KDataset names
# and colours them), in train-id order: label value i + 1, train id i.
ADE20K_CLASSES: tuple[tuple[str, Color], ...] = (
    ("wall", (120, 120, 120)),
    ("building", (180, 120, 120)),
    ("sky", (6, 230, 230)),
    ("floor", (80, 50, 50)),
    ("tree", (4, 200, 3)),
    ("ceiling", (120, 120, 80)),
    ("road", (140, 140, 140)),
    ("bed", (204, 5, 255)),
    ("windowpane", (230, 230, 230)),
    ("grass", (4, 250, 7)),
    ("cabinet", (224, 5, 255)),
    ("sidewalk", (235, 255, 7)),
    ("person", (150, 5, 61)),
    ("earth", (120, 120, 70)),
    ("door", (8, 255, 51)),
    ("table", (255, 6, 82)),
    ("mountain", (143, 255, 140)),
    ("plant", (204, 255, 4)),
    ("curtain", (255, 51, 7)),
    ("chair", (204, 70, 3)),
    ("car", (0, 102, 200)),
    ("water", (61, 230, 250)),
    ("painting", (255, 6, 51)),
    ("sofa", (11, 102, 255)),
    ("shelf", (255, 7, 71)),
    ("house", (255, 9, 224)),
    ("sea", (9, 7, 230)),
    ("mirror", (220, 220, 220)),
    ("rug", (255, 9, 92)),
    ("field", (112, 9, 255)),
    ("armchair", (8, 255, 214)),
    ("seat", (7, 255, 224)),
    ("fence", (255, 184, 6)),
    ("desk", (10, 255, 71)),
    ("rock", (255, 41, 10)),
    ("wardrobe", (7, 255, 255)),
    ("lamp", (224, 255, 8)),
    ("bathtub", (102, 8, 255)),
    ("railing", (255, 61, 6)),
    ("cushion", (255, 194, 7)),
    ("base", (255, 122, 8)),
    ("box", (0, 255, 20)),
    ("column", (255, 8, 41)),
    ("signboard", (255, 5, 153)),
    ("chest of drawers", (6, 51, 255)),
    ("counter", (235, 12, 255)),
    ("sand", (160, 150, 20)),
    ("sink", (0, 163, 255)),
    ("skyscraper", (140, 140, 140)),
    ("fireplace", (250, 10, 15)),
    ("refrigerator", (20, 255, 0)),
    ("grandstand", (31, 255, 0)),
    ("path", (255, 31, 0)),
    ("stairs", (255, 224, 0)),
    ("runway", (153, 255, 0)),
    ("case", (0, 0, 255)),
    ("pool table", (255, 71, 0)),
    ("pillow", (0, 235, 255)),
    ("screen door", (0, 173, 255)),
    ("stairway", (31, 0, 255)),
    ("river", (11, 200, 200)),
    ("bridge", (255, 82, 0)),
    ("bookcase", (0, 255, 245)),
    ("blind", (0, 61, 255)),
    ("coffee table", (0, 255, 112)),
    ("toilet", (0, 255, 133)),
    ("flower", (255, 0, 0)),
    ("book", (255, 163, 0)),
    ("hill", (255, 102, 0)),
    ("bench", (194, 255, 0)),
    ("countertop", (0, 143, 255)),
    ("stove", (51, 255, 0)),
    ("palm", (0, 82, 255)),
    ("kitchen island", (0, 255, 41)),
    ("computer", (0, 255, 173)),
    ("swivel chair", (10, 0, 255)),
    ("boat", (173, 255, 0)),
    ("bar", (0, 255, 153)),
    ("arcade machine", (255, 92, 0)),
    ("hovel", (255, 0, 255)),
    ("bus", (255, 0, 245)),
    ("towel", (255, 0, 102)),
    ("light", (255, 173, 0)),
    ("truck", (255, 0, 20)),
    ("tower", (255, 184, 184)),
    ("chandelier", (0, 31, 255)),
    ("awning", (0, 255, 61)),
    ("streetlight", (0, 71, 255)),
    ("booth", (255, 0, 204)),
    ("television receiver", (0, 255, 194)),
    ("airplane", (0, 255, 82)),
    ("dirt track", (0, 10, 255)),
    ("apparel", (0, 112, 255)),
    ("pole", (51, 0, 255)),
    ("land", (0, 194, 255)),
    ("bannister", (0, 122, 255)),
    ("escalator", (0, 255, 163)),
    ("ottoman", (255, 153, 0)),
    ("bottle", (0, 255, 10)),
    ("buffet", (255, 112, 0)),
    ("poster", (143, 255, 0)),
    ("stage", (82, 0, 255)),
    ("van", (163, 255, 0)),
    ("ship", (255, 235, 0)),
    ("fountain", (8, 184, 170)),
    ("conveyer belt", (133, 0, 255)),
    ("canopy", (0, 255, 92)),
    ("washer", (184, 0, 255)),
    ("plaything", (255, 0, 31)),
    ("swimming pool", (0, 184, 255)),
    ("stool", (0, 214, 255)),
    ("barrel", (255, 0, 112)),
    ("basket", (92, 255, 0)),
    ("waterfall", (0, 224, 255)),
    ("tent", (112, 224, 255)),
    ("bag", (70, 184, 160)),
    ("minibike", (163, 0, 255)),
    ("cradle", (153, 0, 255)),
    ("oven", (71, 255, 0)),
    ("ball", (255, 0, 163)),
    ("food", (255, 204, 0)),
    ("step", (255, 0, 143)),
    ("tank", (0, 255, 235)),
    ("trade name", (133, 255, 0)),
    ("microwave", (255, 0, 235)),
    ("pot", (245, 0, 255)),
    ("animal", (255, 0, 122)),
    ("bicycle", (255, 245, 0)),
    ("lake", (10, 190, 212)),
    ("dishwasher", (214, 255, 0)),
    ("screen", (0, 204, 255)),
    ("blanket", (20, 0, 255)),
    ("sculpture", (255, 255, 0)),
    ("hood", (0, 153, 255)),
    ("sconce", (0, 41, 255)),
    ("vase", (0, 255, 204)),
    ("traffic light", (41, 0, 255)),
    ("tray", (41, 255, 0)),
    ("ashcan", (173, 0, 255)),
    ("fan", (0, 245, 255)),
    ("pier", (71, 0, 255)),
    ("crt screen", (122, 0, 255)),
    ("plate", (0, 255, 184)),
    ("monitor", (0, 92, 255)),
    ("bulletin board", (184, 255, 0)),
    ("shower", (0, 133, 255)),
    ("radiator", (255, 214, 0)),
    ("glass", (25, 194, 194)),
    ("clock", (102, 255, 0)),
    ("flag", (92, 0, 255)),
)  # fmt: skip

#: The name of ADE20K's label 0, the pixels of none of its classes (left out of its scores).
ADE20K_OTHER = "other"

# COCO-Stuff's 171 classes (as mmsegmentation's COCOStuffDataset names and colours them), in
# train-id order, each with its label id in COCO-Stuff's stuffthingmaps (COCO's category id
# minus one; 255 unlabeled): train id i is the i-th used label id.
COCO_STUFF_CLASSES: tuple[tuple[int, str, Color], ...] = (
    (0, "person", (0, 192, 64)),
    (1, "bicycle", (0, 192, 64)),
    (2, "car", (0, 64, 96)),
    (3, "motorcycle", (128, 192, 192)),
    (4, "airplane", (0, 64, 64)),
    (5, "bus", (0, 192, 224)),
    (6, "train", (0, 192, 192)),
    (7, "truck", (128, 192, 64)),
    (8, "boat", (0, 192, 96)),
    (9, "traffic light", (128, 192, 64)),
    (10, "fire hydrant", (128, 32, 192)),
    (12, "stop sign", (0, 0, 224)),
    (13, "parking meter", (0, 0, 64)),
    (14, "bench", (0, 160, 192)),
    (15, "bird", (128, 0, 96)),
    (16, "cat", (128, 0, 192)),
    (17, "dog", (0, 32, 192)),
    (18, "horse", (128, 128, 224)),
    (19, "sheep", (0, 0, 192)),
    (20, "cow", (128, 160, 192)),
    (21, "elephant", (128, 128, 0)),
    (22, "bear", (128, 0, 32)),
    (23, "zebra", (128, 32, 0)),
    (24, "giraffe", (128, 0, 128)),
    (26, "backpack", (64, 128, 32)),
    (27, "umbrella", (0, 160, 0)),
    (30, "handbag", (0, 0, 0)),
    (31, "tie", (192, 128, 160)),
    (32, "suitcase", (0, 32, 0)),
    (33, "frisbee", (0, 128, 128)),
    (34, "skis", (64, 128, 160)),
    (35, "snowboard", (128, 160, 0)),
    (36, "sports ball", (0, 128, 0)),
    (37, "kite", (192, 128, 32)),
    (38, "baseball bat", (128, 96, 128)),
    (39, "baseball glove", (0, 0, 128)),
    (40, "skateboard", (64, 0, 32)),
    (41, "surfboard", (0, 224, 128)),
    (42, "tennis racket", (128, 0, 0)),
    (43, "bottle", (192, 0, 160)),
    (45, "wine glass", (0, 96, 128)),
    (46, "cup", (128, 128, 128)),
    (47, "fork", (64, 0, 160)),
    (48, "knife", (128, 224, 128)),
    (49, "spoon", (128, 128, 64)),
    (50, "bowl", (192, 0, 32)),
    (51, "banana", (128, 96, 0)),
    (52, "apple", (128, 0, 192)),
    (53, "sandwich", (0, 128, 32)),
    (54, "orange", (64, 224, 0)),
    (55, "broccoli", (0, 0, 64)),
    (56, "carrot", (128, 128, 160)),
    (57, "hot dog", (64, 96, 0)),
    (58, "pizza", (0, 128, 192)),
    (59, "donut", (0, 128, 160)),
    (60, "cake", (192, 224, 0)),
    (61, "chair", (0, 128, 64)),
    (62, "couch", (128, 128, 32)),
    (63, "potted plant", (192, 32, 128)),
    (64, "bed", (0, 64, 192)),
    (66, "dining table", (0, 0, 32)),
    (69, "toilet", (64, 160, 128)),
    (71, "tv", (128, 64, 64)),
    (72, "laptop", (128, 0, 160)),
    (73, "mouse", (64, 32, 128)),
    (74, "remote", (128, 192, 192)),
    (75, "keyboard", (0, 0, 160)),
    (76, "cell phone", (192, 160, 128)),
    (77, "microwave", (128, 192, 0)),
    (78, "oven", (128, 0, 96)),
    (79, "toaster", (192, 32, 0)),
    (80, "sink", (128, 64, 128)),
    (81, "refrigerator", (64, 128, 96)),
    (83, "book", (64, 160, 0)),
    (84, "clock", (0, 64, 0)),
    (85, "vase", (192, 128, 224)),
    (86, "scissors", (64, 32, 0)),
    (87, "teddy bear", (0, 192, 128)),
    (88, "hair drier", (64, 128, 224)),
    (89, "toothbrush", (192, 160, 0)),
    (91, "banner", (0, 192, 0)),
    (92, "blanket", (192, 128, 96)),
    (93, "branch", (192, 96, 128)),
    (94, "bridge", (0, 64, 128)),
    (95, "building-other", (64, 0, 96)),
    (96, "bush", (64, 224, 128)),
    (97, "cabinet", (128, 64, 0)),
    (98, "cage", (192, 0, 224)),
    (99, "cardboard", (64, 96, 128)),
    (100, "carpet", (128, 192, 128)),
    (101, "ceiling-other", (64, 0, 224)),
    (102, "ceiling-tile", (192, 224, 128)),
    (103, "cloth", (128, 192, 64)),
    (104, "clothes", (192, 0, 96)),
    (105, "clouds", (192, 96, 0)),
    (106, "counter", (128, 64, 192)),
    (107, "cupboard", (0, 128, 96)),
    (108, "curtain", (0, 224, 0)),
    (109, "desk-stuff", (64, 64, 64)),
    (110, "dirt", (128, 128, 224)),
    (111, "door-stuff", (0, 96, 0)),
    (112, "fence", (64, 192, 192)),
    (113, "floor-marble", (0, 128, 224)),
    (114, "floor-other", (128, 224, 0)),
    (115, "floor-stone", (64, 192, 64)),
    (116, "floor-tile", (128, 128, 96)),
    (117, "floor-wood", (128, 32, 128)),
    (118, "flower", (64, 0, 192)),
    (119, "fog", (0, 64, 96)),
    (120, "food-other", (0, 160, 128)),
    (121, "fruit", (192, 0, 64)),
    (122, "furniture-other", (128, 64, 224)),
    (123, "grass", (0, 32, 128)),
    (124, "gravel", (192, 128, 192)),
    (125, "ground-other", (0, 64, 224)),
    (126, "hill", (128, 160, 128)),
    (127, "house", (192, 128, 0)),
    (128, "leaves", (128, 64, 32)),
    (129, "light", (128, 32, 64)),
    (130, "mat", (192, 0, 128)),
    (131, "metal", (64, 192, 32)),
    (132, "mirror-stuff", (0, 160, 64)),
    (133, "moss", (64, 0, 0)),
    (134, "mountain", (192, 192, 160)),
    (135, "mud", (0, 32, 64)),
    (136, "napkin", (64, 128, 128)),
    (137, "net", (64, 192, 160)),
    (138, "paper", (128, 160, 64)),
    (139, "pavement", (64, 128, 0)),
    (140, "pillow", (192, 192, 32)),
    (141, "plant-other", (128, 96, 192)),
    (142, "plastic", (64, 0, 128)),
    (143, "platform", (64, 64, 32)),
    (144, "playingfield", (0, 224, 192)),
    (145, "railing", (192, 0, 0)),
    (146, "railroad", (192, 64, 160)),
    (147, "river", (0, 96, 192)),
    (148, "road", (192, 128, 128)),
    (149, "rock", (64, 64, 160)),
    (150, "roof", (128, 224, 192)),
    (151, "rug", (192, 128, 64)),
    (152, "salad", (192, 64, 32)),
    (153, "sand", (128, 96, 64)),
    (154, "sea", (192, 0, 192)),
    (155, "shelf", (0, 192, 32)),
    (156, "sky-other", (64, 224, 64)),
    (157, "skyscraper", (64, 0, 64)),
    (158, "snow", (128, 192, 160)),
    (159, "solid-other", (64, 96, 64)),
    (160, "stairs", (64, 128, 192)),
    (161, "stone", (0, 192, 160)),
    (162, "straw", (192, 224, 64)),
    (163, "structural-other", (64, 128, 64)),
    (164, "table", (128, 192, 32)),
    (165, "tent", (192, 32, 192)),
    (166, "textile-other", (64, 64, 192)),
    (167, "towel", (0, 64, 32)),
    (168, "tree", (64, 160, 192)),
    (169, "vegetable", (192, 64, 64)),
    (170, "wall-brick", (128, 64, 160)),
    (171, "wall-concrete", (64, 32, 192)),
    (172, "wall-other", (192, 192, 192)),
    (173, "wall-panel", (0, 64, 160)),
    (174, "wall-stone", (192, 160, 192)),
    (175, "wall-tile", (192, 192, 0)),
    (176, "wall-wood", (128, 64, 96)),
    (177, "water-other", (192, 32, 64)),
    (178, "waterdrops", (192, 64, 128)),
    (179, "window-blind", (64, 192, 96)),
    (180, "window-other", (64, 160, 64)),
    (181, "wood", (64, 64, 0)),
)  # fmt: skip

#: The name of COCO-Stuff's 255, the pixels of no class.
COCO_STUFF_UNLABELED = "unlabeled"

PRESETS = ("voc", "cityscapes", "cityscapes-train", "ade20k", "ade20k-train", "coco-stuff", "coco-stuff-train")

#: The presets of label ids with train ids: the preset of their train ids, what the label ids
#: are, and whose scores scoring by the train ids gives.
TRAIN_ID_PRESETS = {
    "cityscapes": ("cityscapes-train", "Cityscapes' labelIds", "cityscapesScripts scores"),
    "ade20k": ("ade20k-train", "ADE20K's labels", "mmsegmentation scores ADE20K (reduce_zero_label)"),
    "coco-stuff": ("coco-stuff-train", "COCO-Stuff's label ids", "mmsegmentation scores COCO-Stuff"),
}

#: What each preset's indices are, for messages that say which table was chosen.
PRESET_IDS = {
    "voc": "PASCAL VOC class ids 0..20",
    "cityscapes": "Cityscapes labelIds 0..33",
    "cityscapes-train": "Cityscapes trainIds 0..18, 255 void",
    "ade20k": "ADE20K labels 0..150, 0 other",
    "ade20k-train": "ADE20K classes 0..149 as trained, 255 void",
    "coco-stuff": "COCO-Stuff label ids 0..181, 255 unlabeled",
    "coco-stuff-train": "COCO-Stuff classes 0..170 as trained, 255 void",
}


@dataclass(frozen=True)
class ClassEntry:
    """One row of a class table.

    Attributes:
        index: the value in label files: 0..254 for a class, 255 for void, -1 for none.
        name: the class name, unique in its table.
        color: RGB colour, three ints in 0..255.
        train_id: optional target index (0..254, or 255 for "ignored in training"), as in
            Cityscapes' trainIds.
    """

    index: int
    name: str
    color: Color
    train_id: int | None = None

    @property
    def is_void(self) -> bool:
        return self.index == VOID

    @property
    def target(self) -> int:
        """The index this entry stands for in training: its train_id when set, else its index."""
        return self.index if self.train_id is None else self.train_id


class ClassTable:
    """An ordered, validated list of :class:`ClassEntry` with derived lookups.

    Raises:
        ClassTableError: duplicate names, duplicate class indices, indices outside -1..255,
            blank names, names holding a line break, colours outside 0..255, train ids
            outside 0..255.
    """

    def __init__(self, entries: Iterable[ClassEntry], source: str = "class table") -> None:
        self.source = source
        self._entries: tuple[ClassEntry, ...] = tuple(
            _checked_entry(e, source, pos) for pos, e in enumerate(entries, 1)
        )
        names: dict[str, int] = {}
        indices: dict[int, str] = {}
        for entry in self._entries:
            if entry.name in names:
                raise ClassTableError(f"{source}: duplicate class name {entry.name!r}")
            names[entry.name] = entry.index
            if 0 <= entry.index < VOID:
                if entry.index in indices:
                    raise ClassTableError(
                        f"{source}: duplicate class index {entry.index} "
                        f"({indices[entry.index]!r} and {entry.name!r})"
                    )
                indices[entry.index] = entry.name
        self._name_to_index = names
        self._by_index = {e.index: e for e in self._entries if 0 <= e.index < VOID}

    # --- construction -------------------------------------------------------------------

    @classmethod
    def from_names(cls, names: Iterable[str], source: str = "class names") -> ClassTable:
        """Number names in order from 0; ``__ignore__`` becomes a void entry (255).

        Colours come from the VOC colormap. Raises ClassTableError for blank names (giving the
        position) and for ``_background_`` anywhere but first.
        """
        names = list(names)
        count = sum(1 for raw in names if raw.strip() != IGNORE_NAME)
        if count > VOID:
            raise ClassTableError(
                f"{source}: {count} classes, but a class table holds at most {VOID} (indices "
                f"0..{VOID - 1}): label PNGs store one byte per pixel and {VOID} is void"
            )
        entries = []
        next_index = 0
        for pos, raw in enumerate(names, 1):
            name = raw.strip()
            if not name:
                raise ClassTableError(
                    f"{source}: line {pos} is blank; every line must name a class "
                    "(a blank line would silently become a class and shift every later index)"
                )
            if name == IGNORE_NAME:
                entries.append(ClassEntry(VOID, name, VOID_COLOR))
                continue
            if name == BACKGROUND_NAME and next_index != 0:
                raise ClassTableError(
                    f"{source}: line {pos}: {BACKGROUND_NAME} must be the first class (index 0), "
                    f"but it would get index {next_index}"
                )
            entries.append(ClassEntry(next_index, name, _default_color(next_index)))
            next_index += 1
        return cls(entries, source)

    @classmethod
    def preset(cls, name: str) -> ClassTable:
        """The ``voc``, ``cityscapes`` (labelIds), ``cityscapes-train`` (trainIds), ``ade20k``
        (0..150, 0 other), ``ade20k-train`` (0..149), ``coco-stuff`` (0..181) or
        ``coco-stuff-train`` (0..170) preset (see the module docs)."""
        key = name.lower()
        if key == "voc":
            entries = [ClassEntry(i, n, _default_color(i)) for i, n in enumerate(VOC_NAMES)]
            entries.append(ClassEntry(VOID, "void", VOID_COLOR))
            return cls(entries, "voc preset")
        if key == "cityscapes":
            return cls(
                (ClassEntry(i, n, c, t) for n, i, t, c in CITYSCAPES_LABELS), "cityscapes preset"
            )
        if key == "cityscapes-train":
            # The train ids in order, then void: black, as cityscapesScripts draws trainId 255,
            # and every label that is not trained, with its own colour, so that a *_color.png
            # reads as void rather than as unknown colours.
            trained = sorted((t, n, c) for n, _, t, c in CITYSCAPES_LABELS if t != VOID)
            entries = [ClassEntry(t, n, c) for t, n, c in trained]
            entries.append(ClassEntry(VOID, "void", (0, 0, 0)))
            entries += [ClassEntry(VOID, n, c) for n, _, t, c in CITYSCAPES_LABELS if t == VOID]
            return cls(entries, "cityscapes-train preset")
        if key == "ade20k":  # the annotations as ADE20K ships them: 0 other, class i as i + 1
            entries = [ClassEntry(0, ADE20K_OTHER, (0, 0, 0), VOID)]
            entries += [ClassEntry(i + 1, n, c, i) for i, (n, c) in enumerate(ADE20K_CLASSES)]
            return cls(entries, "ade20k preset")
        if key == "ade20k-train":  # as trained and predicted: class i as i, other void
            entries = [ClassEntry(i, n, c) for i, (n, c) in enumerate(ADE20K_CLASSES)]
            entries.append(ClassEntry(VOID, ADE20K_OTHER, (0, 0, 0)))
            return cls(entries, "ade20k-train preset")
        if key == "coco-stuff":  # the stuffthingmaps as shipped: COCO's category ids minus one
            entries = [ClassEntry(i, n, c, t) for t, (i, n, c) in enumerate(COCO_STUFF_CLASSES)]
            entries.append(ClassEntry(VOID, COCO_STUFF_UNLABELED, (0, 0, 0)))
            return cls(entries, "coco-stuff preset")
        if key == "coco-stuff-train":  # as trained and predicted: the i-th class as i
            entries = [ClassEntry(t, n, c) for t, (_, n, c) in enumerate(COCO_STUFF_CLASSES)]
            entries.append(ClassEntry(VOID, COCO_STUFF_UNLABELED, (0, 0, 0)))
            return cls(entries, "coco-stuff-train preset")
        raise ClassTableError(f"unknown class table preset {name!r} (known: {', '.join(PRESETS)})")

    @classmethod
    def load(cls, spec: PathLike) -> ClassTable:
        """Load a preset by name or a table file, choosing the format from its content/extension.

        ``.csv`` and ``.json`` files are read as such (a JSON file may also be Datumaro's
        ``dataset_meta.json``); a ``labelmap.txt`` (Datumaro's and CVAT's ``name:r,g,b:parts:
        actions`` lines) by its header or name; CamVid's ``label_colors.txt`` (``r g b name``
        lines) by its rows (:meth:`_by_row`); any other file as a list of names, in labelme's
        ``labels.txt`` form when it holds ``__ignore__``, else line ``i`` = class ``i``.

        Raises:
            ClassTableError: the file is missing, unreadable or malformed.
        """
        text_spec = str(spec)  # a path, a URL or a UPath
        if text_spec.lower() in PRESETS and not Path(text_spec).is_file():
            return cls.preset(text_spec)
        path = text_spec
        try:
            text = read_small_text(path)
        except FileNotFoundError:
            raise ClassTableError(
                f"{path}: no such class table file (or use a preset: {', '.join(PRESETS)})"
            ) from None
        except (OSError, UnicodeDecodeError, ValueError) as exc:  # ValueError: an unknown protocol
            raise ClassTableError(f"{path}: cannot read class table ({exc})") from None
        suffix = file_suffix(path)
        if suffix == ".csv":
            return cls._from_csv_text(text, str(path))
        if suffix == ".json":
            return cls._from_json_text(text, str(path))
        if text.startswith(LABELMAP_HEADER) or file_name(path) == "labelmap.txt":
            return cls._from_labelmap_text(text, str(path))
        if text.startswith(GIMP_PALETTE_HEADER):
            return cls._from_gimp_palette(text, str(path))
        lines = text.splitlines()
        while lines and not lines[-1].strip():  # a trailing newline or two is not a class
            lines.pop()
        rows = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
        colored = [_COLOR_ROW.match(line) for line in rows]
        if rows and all(colored):  # CamVid's label_colors.txt: r g b, then the name
            return cls._by_row([(m[4], (int(m[1]), int(m[2]), int(m[3]))) for m in colored if m is not None], str(path))
        if any("\t" in line for line in lines):
            return cls._from_columns(lines, str(path))
        if lines and all(_NUMBERED.match(line) for line in lines):
            return cls._from_numbered(lines, str(path))
        return cls.from_names(lines, str(path))

    @classmethod
    def _from_numbered(cls, lines: Sequence[str], source: str) -> ClassTable:
        """A text file of ``id: name`` lines. COCO-Stuff's ``labels.txt`` (``0: unlabeled``, then
        COCO's category ids 1..182) is its classes as the ``coco-stuff`` preset, whose label
        values are those ids minus one (checked name by name); any other is refused: whether its
        numbers are label values is not said, and read as names they were numbered by line."""
        numbered = {int(m[1]): m[2] for m in map(_NUMBERED.match, lines) if m is not None}
        preset = cls.preset("coco-stuff")
        if len(numbered) == len(lines) == COCO_STUFF_IDS + 1 and numbered.get(0) == COCO_STUFF_UNLABELED:
            differ = [e for e in preset.classes if numbered.get(e.index + 1) != e.name]
            if not differ:
                return cls(list(preset), f"{source}, COCO-Stuff's classes as the {preset.source} (its ids minus one)")
            entry = differ[0]
            raise ClassTableError(
                f"{source}: expected COCO-Stuff's class {entry.index + 1}: {entry.name} (label value {entry.index}) "
                f"as its labels.txt lists it, got {numbered.get(entry.index + 1)!r}"
            )
        raise ClassTableError(
            f"{source}: its lines number the classes ({lines[0].strip()!r}), which does not say whether a number is the "
            "label value: give a CSV file (index,name) for values, or one name a line (class_names.txt, line i is class i)"
        )

    @classmethod
    def _from_columns(cls, lines: Sequence[str], source: str) -> ClassTable:
        """A text file of tab-separated columns. ADE20K's ``objectInfo150.txt`` (``Idx Ratio
        Train Val Name``, its 150 classes) is its classes as the ``ade20k`` preset, whose names
        are among each row's synonyms (checked row by row); any other is refused, where it was
        read as one name a line, header and numbers in the names."""
        header = [cell.strip() for cell in lines[0].split("\t")]
        if header == ADE20K_INFO_HEADER and len(lines) == len(ADE20K_CLASSES) + 1:
            preset = cls.preset("ade20k")
            for line_no, (line, entry) in enumerate(zip(lines[1:], preset.classes[1:]), 2):
                cells = [cell.strip() for cell in line.split("\t")]
                synonyms = [name.strip() for name in cells[-1].split(",")]
                if len(cells) != len(header) or cells[0] != str(entry.index) or entry.name not in synonyms:
                    raise ClassTableError(
                        f"{source}: line {line_no}: expected ADE20K's class {entry.index} ({entry.name}) as its "
                        f"objectInfo150.txt lists it, got {line.strip()!r}"
                    )
            return cls(list(preset), f"{source}, ADE20K's 150 classes as the {preset.source}")
        line_no, line = next((n, text) for n, text in enumerate(lines, 1) if "\t" in text)
        raise ClassTableError(
            f"{source}: line {line_no} holds tab-separated columns ({line.strip()!r}), not a class name: give one name "
            "a line (class_names.txt), a labels.txt, or a CSV file (index,name,r,g,b)"
        )

    @classmethod
    def _from_labelmap_text(cls, text: str, source: str) -> ClassTable:
        """Line ``i`` (comments and blank lines aside) is class ``i``: ``name:r,g,b:parts:actions``;
        a void name (:data:`VOID_NAMES`) is the void entry."""
        named: list[tuple[str, Color | None]] = []
        for line_no, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            fields = line.split(":")
            if len(fields) != 4:
                raise ClassTableError(
                    f"{source}: line {line_no}: expected name:r,g,b:parts:actions (4 fields), got {len(fields)}"
                )
            color: Color | None = None
            if fields[1].strip():
                try:
                    r, g, b = (int(v) for v in fields[1].split(","))
                except ValueError:
                    raise ClassTableError(f"{source}: line {line_no}: colour must be r,g,b, got {fields[1]!r}") from None
                color = (r, g, b)
            named.append((fields[0].strip(), color))
        return cls._numbered(named, source)

    @classmethod
    def _numbered(cls, named: Sequence[tuple[str, Color | None]], source: str) -> ClassTable:
        """Entries numbered by position (void names aside, which are 255); colours default to
        the VOC colormap's."""
        entries = []
        for name, color in named:
            if name in VOID_NAMES:
                entries.append(ClassEntry(VOID, name, color or VOID_COLOR))
            else:
                index = sum(1 for e in entries if e.index != VOID)
                if index >= VOID:
                    raise _too_many_classes(source)
                entries.append(ClassEntry(index, name, color or _default_color(index)))
        return cls(entries, source)

    @classmethod
    def _from_dataset_meta(cls, data: Mapping[str, Any], source: str) -> ClassTable:
        """Datumaro's ``dataset_meta.json``: ``labels`` in index order, colours from
        ``segmentation_colors`` through ``label_map`` (position -> name)."""
        labels = data.get("labels")
        if isinstance(labels, list) and labels and all(isinstance(e, Mapping) and "name" in e for e in labels):
            return cls._from_mapillary(labels, source)
        label_map = data.get("label_map", {})
        colors = data.get("segmentation_colors", [])
        if labels is None:
            labels = [label_map[k] for k in sorted(label_map, key=int)] if isinstance(label_map, Mapping) else None
        if not isinstance(labels, list) or not all(isinstance(n, str) for n in labels):
            raise ClassTableError(f"{source}: 'labels' must be a list of class names")
        color_of: dict[str, Color] = {}
        if isinstance(label_map, Mapping) and isinstance(colors, list):
            for position, name in label_map.items():
                try:
                    r, g, b = (int(v) for v in colors[int(position)])
                except (ValueError, TypeError, IndexError):
                    raise ClassTableError(f"{source}: no r, g, b colour for label_map entry {position!r}") from None
                color_of[str(name)] = (r, g, b)
        return cls._numbered([(name, color_of.get(name)) for name in labels], source)

    @classmethod
    def _from_mapillary(cls, labels: list[Mapping[str, Any]], source: str) -> ClassTable:
        """Mapillary Vistas' ``config.json`` (``config_v2.0.json``): ``labels`` in value order,
        each ``name`` (``construction--flat--road``), ``readable`` (``Road``) and ``color``;
        the readable names where they are all told apart, as mmsegmentation names the classes."""
        readable = [str(e.get("readable", "")) for e in labels]
        names = readable if all(readable) and len(set(readable)) == len(readable) else [str(e["name"]) for e in labels]
        named = []
        for position, (name, entry) in enumerate(zip(names, labels)):
            color = entry.get("color")
            if not (isinstance(color, list) and len(color) == 3 and all(isinstance(v, int) for v in color)):
                raise ClassTableError(f"{source}: labels[{position}] ({name}): 'color' must be [r, g, b], got {json.dumps(color)}")
            named.append((name, (color[0], color[1], color[2])))
        return cls._numbered(named, f"{source}, Mapillary's labels in order")

    @classmethod
    def _from_csv_text(cls, text: str, source: str) -> ClassTable:
        """Rows of ``index,name,r,g,b[,train_id]`` (our own table). A header line that names the
        name and the colours or the value (see :func:`_csv_columns`) places the columns, in any
        order, others (a colormap's ``hex``) aside; without an ``index`` column (CamVid's
        ``class_dict.csv`` and the datasets that copy it) the rows are numbered as their readers
        number them (:meth:`_by_row`). Any other header line is passed over and the columns are
        ours, in order."""
        rows = list(csv.reader(io.StringIO(text)))
        header = [c.strip() for c in rows[0]] if rows else []
        has_header = bool(header) and not _is_int(header[0])
        at = _csv_columns(header) if has_header else None
        if at is not None and "train_id" in at and "index" not in at:
            raise ClassTableError(f"{source}: line 1: a train_id column needs an index column (the label value it trains)")
        entries = []
        for line_no, row in enumerate(rows[1:] if has_header else rows, 2 if has_header else 1):
            cells = [c.strip() for c in row]
            if not any(cells):
                raise ClassTableError(f"{source}: line {line_no} is blank")
            if at is not None and len(cells) != len(header):
                raise ClassTableError(
                    f"{source}: line {line_no}: expected {len(header)} fields as its header "
                    f"({','.join(header)}), got {len(cells)}"
                )
            if at is None and len(cells) not in (5, 6):
                raise ClassTableError(
                    f"{source}: line {line_no}: expected index,name,r,g,b[,train_id] "
                    f"(or a header naming the columns name,r,g,b), got {len(cells)} field(s)"
                )
            columns = at if at is not None else _OUR_COLUMNS
            try:
                index = int(cells[columns["index"]]) if "index" in columns else NO_INDEX
                if "r" in columns:
                    color = (int(cells[columns["r"]]), int(cells[columns["g"]]), int(cells[columns["b"]]))
                else:  # a table of values and names alone: the VOC colormap's colours
                    color = VOID_COLOR if index == VOID else _default_color(index) if 0 <= index < VOID else (0, 0, 0)
                train_at = columns.get("train_id")
                train_cell = cells[train_at] if train_at is not None and train_at < len(cells) else ""  # ours may end before it
                train_id = int(train_cell) if train_cell != "" else None
            except ValueError:
                raise ClassTableError(
                    f"{source}: line {line_no}: index, r, g, b and train_id must be integers"
                ) from None
            entries.append(ClassEntry(index, csv_text_value(cells[columns["name"]]), color, train_id))
        if at is not None and "index" not in at:
            return cls._by_row([(e.name, e.color) for e in entries], source)
        return cls(entries, source)

    @classmethod
    def _from_gimp_palette(cls, text: str, source: str) -> ClassTable:
        """A GIMP palette (``colormap -o FILE.gpl`` writes one): its colours, row ``i`` class ``i``
        (see :meth:`_by_row`), each named by the rest of its line, less the `` (i)`` our palettes
        end a name with; its head (``Name:``, ``Columns:``) and ``#`` comments left out.

        Raises:
            ClassTableError: a colour line that is not ``r g b name``, naming it, or no colour.
        """
        named: list[tuple[str, Color]] = []
        for number, line in enumerate(text.splitlines()[1:], start=2):
            if not line.strip() or line.lstrip().startswith("#") or _GIMP_FIELD.match(line):
                continue
            row = _COLOR_ROW.match(line)
            if row is None:
                raise ClassTableError(f"{source}, line {number}: {line.strip()!r} is no colour of a GIMP palette (r g b name)")
            name = row[4].removesuffix(f" ({len(named)})")
            named.append((name, (int(row[1]), int(row[2]), int(row[3]))))
        if not named:
            raise ClassTableError(f"{source}: a GIMP palette of no colour")
        return cls._by_row(named, source)

    @classmethod
    def _by_row(cls, named: Sequence[tuple[str, Color]], source: str) -> ClassTable:
        """Colours listed one class a row without its value (CamVid's ``class_dict.csv`` and
        ``label_colors.txt``): row ``i`` is class ``i``, as the code that reads those files numbers
        them; a void row (``Void``, any case) is 255, the others keep their row's number, so no
        class moves. What was chosen is said in the table's source."""
        entries = []
        for row, (name, color) in enumerate(named):
            if row >= VOID and name.lower() not in VOID_NAMES:
                raise _too_many_classes(source)
            entries.append(ClassEntry(VOID if name.lower() in VOID_NAMES else row, name, color))
        voids = [e.name for e in entries if e.index == VOID]
        said = f"{source}, numbered by row (row i is class i)"
        if voids:
            said += f", {' and '.join(repr(n) for n in voids)} void (255)"
        return cls(entries, said)

    @classmethod
    def _from_json_text(cls, text: str, source: str) -> ClassTable:
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, Mapping) and "classes" not in data and ("labels" in data or "label_map" in data):
            return cls._from_dataset_meta(data, source)
        if isinstance(data, Mapping) and isinstance(data.get("id2label"), Mapping):  # a model's config.json
            return cls._from_id2label(data["id2label"], f"{source}, its id2label")
        if isinstance(data, Mapping) and data and "classes" not in data and all(_is_int(str(k)) for k in data):
            return cls._from_id2label(data, source)
        return cls._from_table_json(text, source)

    @classmethod
    def _from_class_meta(cls, classes: Sequence[Mapping[str, Any]], source: str) -> ClassTable:
        """A Supervisely project's class list (its ``meta.json``, the ``classes.json`` datasets
        exported from it ship beside their colour masks: ``{"classes": [{"title": "Building",
        "color": "#3C1098", ...}]}``): row ``i`` is class ``i``, as the code that reads their
        masks numbers them (see :meth:`_by_row`)."""
        named: list[tuple[str, Color]] = []
        for row, entry in enumerate(classes):
            colour = str(entry["color"])
            if not _HEX_COLOUR.fullmatch(colour):
                raise ClassTableError(f"{source}: classes[{row}] ({entry['title']}): 'color' must be #RRGGBB, got {json.dumps(entry['color'])}")
            named.append((str(entry["title"]), (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))))
        return cls._by_row(named, source)

    @classmethod
    def _from_id2label(cls, id2label: Mapping[str, Any], source: str) -> ClassTable:
        """Hugging Face's ``id2label``: ``{"0": "wall", "1": "building", ...}``, an
        ``id2label.json`` of a dataset or a label-files table, or the ``id2label`` of a model's
        ``config.json``; each key is the class's value (the model's output), colours the VOC
        colormap's."""
        entries = []
        for key, name in id2label.items():
            index = int(str(key)) if _is_int(str(key)) else NO_INDEX
            if not 0 <= index <= VOID:
                raise ClassTableError(f"{source}: key {json.dumps(key)} is no class value (an integer 0..255)")
            if not isinstance(name, str):
                raise ClassTableError(f"{source}: the name of class {index} must be a string, got {json.dumps(name)}")
            entries.append(ClassEntry(index, name, VOID_COLOR if index == VOID else _default_color(index)))
        return cls(entries, source)

    @classmethod
    def _from_table_json(cls, text: str, source: str) -> ClassTable:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ClassTableError(f"{source}: not valid JSON ({exc})") from None
        if is_class_meta(data):
            return cls._from_class_meta(data["classes"], source)
        if isinstance(data, Mapping):
            data = data.get("classes")
        if not isinstance(data, list):
            raise ClassTableError(
                f"{source}: expected a list of classes, an object with a 'classes' list or an id2label object ({{\"0\": \"background\", ...}})"
            )
        entries = []
        for pos, item in enumerate(data):
            if isinstance(item, str):
                item = {"index": pos, "name": item}
            if not isinstance(item, Mapping) or "name" not in item or "index" not in item:
                raise ClassTableError(
                    f"{source}: class #{pos} must be an object with 'index' and 'name'"
                )
            index = item["index"]
            if not isinstance(index, int) or isinstance(index, bool):
                raise ClassTableError(f"{source}: class #{pos}: 'index' must be an integer")
            color = item.get("color")
            if color is None:
                color = VOID_COLOR if index == VOID else _default_color(index)
            if not (isinstance(color, (list, tuple)) and len(color) == 3):
                raise ClassTableError(f"{source}: class #{pos}: 'color' must be [r, g, b]")
            entries.append(
                ClassEntry(index, str(item["name"]), tuple(color), item.get("train_id"))  # type: ignore[arg-type]
            )
        return cls(entries, source)

    # --- views --------------------------------------------------------------------------

    @property
    def entries(self) -> tuple[ClassEntry, ...]:
        return self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[ClassEntry]:
        return iter(self._entries)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ClassTable) and self._entries == other._entries

    def __hash__(self) -> int:
        return hash(self._entries)

    def __repr__(self) -> str:
        return f"ClassTable({len(self)} entries from {self.source})"

    @property
    def described(self) -> str:
        """Where the table came from and, for a preset, what its indices are: ``cityscapes-train
        preset (Cityscapes trainIds 0..18, 255 void)``."""
        preset = self.source.removesuffix(" preset")
        return f"{self.source} ({PRESET_IDS[preset]})" if preset in PRESET_IDS else self.source

    @property
    def the_described(self) -> str:
        """:attr:`described` as a sentence names it: ``the voc preset (...)``, a file as it is."""
        return f"the {self.described}" if self.source.endswith(" preset") else self.described

    @property
    def classes(self) -> tuple[ClassEntry, ...]:
        """The entries with a class index (0..254), in index order."""
        return tuple(self._by_index[i] for i in sorted(self._by_index))

    @property
    def void_entries(self) -> tuple[ClassEntry, ...]:
        return tuple(e for e in self._entries if e.is_void)

    @property
    def names(self) -> list[str]:
        """Class names in index order (void and index-less entries left out)."""
        return [e.name for e in self.classes]

    @property
    def num_classes(self) -> int:
        """The highest class index plus one (0 for a table without classes)."""
        return max(self._by_index, default=-1) + 1

    @property
    def name_to_index(self) -> dict[str, int]:
        return dict(self._name_to_index)

    @property
    def has_train_ids(self) -> bool:
        return any(e.train_id is not None for e in self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._name_to_index

    def index_of(self, name: str) -> int:
        """The index of class ``name``; raises ClassTableError naming an unknown label."""
        try:
            return self._name_to_index[name]
        except KeyError:
            raise ClassTableError(f"label {name!r} is not in the {self.source}") from None

    def entry(self, index: int) -> ClassEntry | None:
        """The entry with class index ``index`` (0..254), or None."""
        return self._by_index.get(index)

    def name_of(self, index: int) -> str:
        """The name of class ``index``; ``void`` for 255 without a void entry; ``class_<i>`` if absent."""
        entry = self._by_index.get(index)
        if entry is not None:
            return entry.name
        if index == VOID:
            voids = self.void_entries
            return voids[0].name if voids else "void"
        return class_name(index)

    def color_of(self, index: int) -> Color:
        """The colour of ``index``: the table's, else the VOC colormap's."""
        return tuple(int(v) for v in self.palette()[index])  # type: ignore[return-value]

    def palette(self) -> NDArray[np.uint8]:
        """``(256, 3)`` uint8: the VOC colormap with this table's colours at their indices."""
        pal = palette_array()
        for entry in self._entries:
            if 0 <= entry.index <= VOID:
                pal[entry.index] = entry.color
        voids = self.void_entries
        pal[VOID] = voids[0].color if voids else VOID_COLOR
        return pal

    def id_to_train_id(self, keep_others: bool = False) -> NDArray[np.uint8]:
        """``(256,)`` uint8 lookup table: class index -> train id (index itself if none); 255
        elsewhere, or with ``keep_others`` every other value itself (to be reported as no class)."""
        lut = np.arange(256, dtype=np.uint8) if keep_others else np.full(256, VOID, dtype=np.uint8)
        for entry in self.classes:
            lut[entry.index] = entry.target
        return lut

    def with_preset_train_ids(self) -> ClassTable:
        """This table, or for one that names the label ids of a preset with train ids without
        them (a dataset converted with ``--classes cityscapes`` or ``ade20k`` keeps the names
        alone), that preset, which has them, under a source that says so."""
        if self.has_train_ids:
            return self
        mine = [(e.index, e.name) for e in self.classes]
        for name, (_, what, _) in TRAIN_ID_PRESETS.items():
            preset = ClassTable.preset(name)
            if mine == [(e.index, e.name) for e in preset.classes]:  # names and values: COCO-Stuff's train ids have its names
                return ClassTable(list(preset), f"{self.source}, {what} as the {preset.source}")
        return self

    def train_id_preset(self) -> str | None:
        """The preset of label ids with train ids (see :data:`TRAIN_ID_PRESETS`) whose label ids,
        or whose train ids, this table names; None for any other table."""
        for name in TRAIN_ID_PRESETS:
            preset = ClassTable.preset(name)
            if self.names in (preset.names, preset.train_table().names):
                return name
        return None

    def train_table(self) -> ClassTable:
        """The table of training targets: one entry per train id (first class that has it)."""
        if not self.has_train_ids:
            return self
        seen: dict[int, ClassEntry] = {}
        for entry in self.classes:
            target = entry.target
            if target != VOID and target not in seen:
                seen[target] = ClassEntry(target, entry.name, entry.color)
        entries = [seen[t] for t in sorted(seen)] + [ClassEntry(VOID, "void", VOID_COLOR)]
        return ClassTable(entries, f"{self.source} (train ids)")

    # --- writing ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        rows = []
        for e in self._entries:
            row: dict[str, Any] = {"index": e.index, "name": e.name, "color": list(e.color)}
            if e.train_id is not None:
                row["train_id"] = e.train_id
            rows.append(row)
        return {"classes": rows}

    def class_names_text(self) -> str:
        """The ``class_names.txt`` text: one name a line for indices 0..num_classes-1."""
        missing = [i for i in range(self.num_classes) if i not in self._by_index]
        if missing:
            raise ClassTableError(
                f"{self.source}: cannot write class_names.txt, indices {missing[:5]} have no class "
                "(class_names.txt numbers classes by line, so indices must be contiguous)"
            )
        return "".join(f"{name}\n" for name in self.names)

    def json_text(self) -> str:
        """The table as JSON text (``{"classes": [...]}``), as :meth:`load` reads it back."""
        return json.dumps(self.to_dict(), indent=2) + "\n"

    def csv_text(self) -> str:
        """The table as CSV text (``index,name,r,g,b,train_id``), as :meth:`load` reads it back;
        names a spreadsheet would run as formulas are quote-prefixed."""
        rows = [[e.index, e.name, *e.color, "" if e.train_id is None else e.train_id] for e in self._entries]
        return csv_document([["index", "name", "r", "g", "b", "train_id"], *rows])


#: The columns of our CSV class table, in order (its header may be left out).
_OUR_COLUMNS = {"index": 0, "name": 1, "r": 2, "g": 3, "b": 4, "train_id": 5}

#: The names a CSV header may give each column (lower case, spaces as underscores; Roboflow's
#: ``_classes.csv`` says ``Pixel Value, Class``).
_CSV_COLUMN_NAMES = {
    "index": ("index", "id", "pixel_value", "value"), "name": ("name", "class", "class_name"), "r": ("r", "red"),
    "g": ("g", "green"), "b": ("b", "blue"), "train_id": ("train_id", "trainid"),
}  # fmt: skip


def _csv_columns(header: Sequence[str]) -> dict[str, int] | None:
    """Where a CSV header line puts each column it names, or None unless it names the name and
    the index or the colour (then the header is passed over and the columns are ours, in order)."""
    cells = [cell.lower().replace(" ", "_") for cell in header]
    at = {column: cells.index(name) for column, names in _CSV_COLUMN_NAMES.items() for name in names if name in cells}
    colours = all(column in at for column in "rgb")
    return at if "name" in at and ("index" in at or colours) and (colours or not any(c in at for c in "rgb")) else None


#: A line of CamVid's ``label_colors.txt``: ``r g b``, then a tab (as CamVid ships it) or a
#: space (as Datumaro and CVAT write it) and the name.
_COLOR_ROW = re.compile(r"\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S.*?)\s*$")

#: The first line of a GIMP palette, and a field of its head (``Name: ...``, ``Columns: 16``).
GIMP_PALETTE_HEADER = "GIMP Palette"
_GIMP_FIELD = re.compile(r"\w+:")

#: A line of ``id: name`` (COCO-Stuff's ``labels.txt``).
_NUMBERED = re.compile(r"\s*(\d+)\s*:\s*(\S.*?)\s*$")

#: COCO-Stuff's category ids: 1..182 (the stuffthingmaps hold each minus one).
COCO_STUFF_IDS = 182

#: The header of ADE20K's ``objectInfo150.txt``, the list of its classes it ships.
ADE20K_INFO_HEADER = ["Idx", "Ratio", "Train", "Val", "Name"]


def line_problem(text: str) -> str | None:
    """Why ``text`` cannot be one line of a UTF-8 text file (a class name in ``class_names.txt``,
    an id in a split file), or None when it can."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: a file name or JSON text that is not UTF-8
        return "it is not valid UTF-8 text"
    if text.splitlines() not in ([text], []):
        return "it holds a line break"
    return None


def class_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a class name (see :func:`line_problem`; a tab, too: a line of
    tab-separated columns is read as a table's row, ADE20K's ``objectInfo150.txt``), or None
    when it can."""
    problem = line_problem(name)
    if problem is None and "\t" in name:
        return "it holds a tab, and a class file's line of tabs is read as columns"
    return problem


def is_one_line(name: str) -> bool:
    """True when ``name`` holds no line break (``\\n``, ``\\r`` or any other that
    :meth:`str.splitlines` splits at), so it can be a line of ``class_names.txt``."""
    return len(name.splitlines()) <= 1


def unused_name(index: int, names: set[str]) -> str:
    """The name of a placeholder class at ``index``, a value no class takes between the ids an
    export gives (``class_names.txt`` numbers classes by line): ``unused_<index>``, with ``_``
    before it while ``names`` holds it."""
    name = f"unused_{index}"
    while name in names:
        name = "_" + name
    return name


#: Names a class of the pixels no shape covers goes by (without underscores, in lower case).
BACKGROUND_NAMES = frozenset({"background", "bg", "backdrop", "unlabeled", "unlabelled", "void", "other", "none", "ignore", "clutter", "empty"})


def drawn_background(labels: Iterable[str], table: ClassTable) -> int:
    """How many of ``labels`` (the classes of a file's shapes) name class 0 of ``table`` where
    that is a class of its own, not the background (``road`` first in a plain list): painted 0,
    their pixels are those of no shape too. 0 for a table whose class 0 is background by name."""
    name = table.name_of(0) if 0 in table.name_to_index.values() else None
    if name is None or name.strip("_ ").lower() in BACKGROUND_NAMES or is_unused(0, name):
        return 0
    return sum(label == name for label in labels)


def is_unused(index: int, name: str) -> bool:
    """Whether the class ``index`` named ``name`` is a placeholder (see :func:`unused_name`): no
    class at all, left out where classes are listed."""
    return name.lstrip("_") == f"unused_{index}"


def _too_many_classes(source: str) -> ClassTableError:
    """The error of a table that numbers more classes than a label PNG has values for."""
    return ClassTableError(f"{source}: more than {VOID} classes: label PNGs store one byte per pixel and {VOID} is void")


def _default_color(index: int) -> Color:
    row = voc_colormap(256)[index]
    return (int(row[0]), int(row[1]), int(row[2]))


def _is_int(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


def _checked_entry(entry: ClassEntry, source: str, pos: int) -> ClassEntry:
    name = entry.name.strip() if isinstance(entry.name, str) else ""
    if not name:
        raise ClassTableError(f"{source}: entry {pos} has a blank name")
    if not is_one_line(name):
        raise ClassTableError(
            f"{source}: class {name!r} holds a line break; a class name must be one line "
            "(class_names.txt and labels.txt list one name a line)"
        )
    if line_problem(name) is not None:  # one line, so the only problem left is the encoding
        raise ClassTableError(f"{source}: class {name!r} is not valid UTF-8 text; class files are UTF-8")
    if (problem := class_name_problem(name)) is not None:
        raise ClassTableError(f"{source}: class {name!r} cannot be a class name: {problem}")
    if not isinstance(entry.index, (int, np.integer)) or not NO_INDEX <= entry.index <= VOID:
        raise ClassTableError(
            f"{source}: class {name!r} has index {entry.index}; class indices are 0..254 "
            f"(255 marks void, -1 an entry without an index)"
        )
    color = tuple(entry.color)
    if len(color) != 3 or not all(
        isinstance(v, (int, np.integer)) and 0 <= v <= 255 for v in color
    ):
        raise ClassTableError(
            f"{source}: class {name!r} has colour {entry.color!r}; expected three integers 0..255"
        )
    if entry.train_id is not None and not (
        isinstance(entry.train_id, (int, np.integer)) and 0 <= entry.train_id <= VOID
    ):
        raise ClassTableError(
            f"{source}: class {name!r} has train id {entry.train_id!r}; expected 0..255"
        )
    return ClassEntry(
        int(entry.index),
        name,
        (int(color[0]), int(color[1]), int(color[2])),
        None if entry.train_id is None else int(entry.train_id),
    )


def class_name(index: int, names: ClassTable | Sequence[str] | None = None) -> str:
    """The name of class ``index``: the table's (:meth:`ClassTable.name_of`), else the non-empty
    ``names[index]`` of a list, else ``class_<index>``."""
    if isinstance(names, ClassTable):
        return names.name_of(index)
    if names is not None and 0 <= index < len(names) and names[index]:
        return names[index]
    return f"class_{index}"


def class_names_for(num_classes: int, names: ClassTable | Sequence[str] | None = None) -> list[str]:
    """The names of classes ``0..num_classes-1``, each as :func:`class_name` gives it."""
    return [class_name(i, names) for i in range(num_classes)]


def as_class_table(classes: ClassTable | Sequence[str] | PathLike) -> ClassTable:
    """Accept a ClassTable, a list of names, or a preset name / file path."""
    if isinstance(classes, ClassTable):
        return classes
    if isinstance(classes, (list, tuple)):
        return ClassTable.from_names(classes)
    return ClassTable.load(classes)  # type: ignore[arg-type]


class ColormapRows(Sequence[ClassEntry]):
    """Rows ``0..n-1`` of a colormap, made on demand: ``colors`` is the ``(n, 3)`` uint8 array
    and ``named`` the rows with a name (index -> entry); any other row ``i`` is
    ``ClassEntry(i, "", colors[i])``. Up to 2**24 rows cost their colour array alone."""

    def __init__(self, colors: NDArray[np.uint8], named: Mapping[int, ClassEntry]) -> None:
        self.colors = colors
        self.named = dict(named)

    def __len__(self) -> int:
        return len(self.colors)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        i = range(len(self))[index]  # an int, negative ones counted from the end; IndexError beyond
        entry = self.named.get(i)
        return entry if entry is not None else ClassEntry(i, "", tuple(int(v) for v in self.colors[i]))  # type: ignore[arg-type]

    def rows(self, start: int, stop: int) -> list[tuple[int, str, int, int, int]]:
        """``(index, name, r, g, b)`` of rows ``start..stop-1``, quickly."""
        rows = [(i, "", *rgb) for i, rgb in enumerate(self.colors[start:stop].tolist(), start)]
        for i, entry in self.named.items():
            if start <= i < stop:
                rows[i - start] = (i, entry.name, *entry.color)
        return rows  # type: ignore[return-value]


def colormap_entries(n: int | None = None, classes: ClassTable | None = None) -> ColormapRows:
    """Rows ``0..n-1`` of a colormap with names: the table's colours and names where it has
    them, the VOC colormap and an empty name elsewhere (255 is void).

    Args:
        n: number of rows; default the table's ``num_classes`` (21 for VOC), or 256 without one.
        classes: the class table; default none (plain colormap).

    Raises:
        ColormapError: ``n`` is outside 1..2**24.
    """
    if n is None:
        n = classes.num_classes if classes is not None and classes.num_classes else 256
    colors = voc_colormap(n).copy()
    named: dict[int, ClassEntry] = {}
    for i in range(min(n, VOID)):
        entry = classes.entry(i) if classes is not None else None
        if entry is not None:
            named[i] = entry
            colors[i] = entry.color
    if n > VOID:
        color = classes.palette()[VOID] if classes is not None else colors[VOID]
        named[VOID] = ClassEntry(VOID, classes.name_of(VOID) if classes is not None else "void", (int(color[0]), int(color[1]), int(color[2])))
        colors[VOID] = color
    return ColormapRows(colors, named)


#: A colour as Supervisely's class lists write it.
_HEX_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")


def is_class_meta(data: Any) -> bool:
    """Whether decoded JSON is a Supervisely project's class list (see
    :meth:`ClassTable._from_class_meta`): an object whose ``classes`` are objects each with a
    ``title`` and a ``color``."""
    classes = data.get("classes") if isinstance(data, Mapping) else None
    return (
        isinstance(classes, list) and bool(classes)
        and all(isinstance(entry, Mapping) and "title" in entry and "color" in entry for entry in classes)
    )  # fmt: skip


def hex_color(color: Color) -> str:
    """``#rrggbb`` for an RGB triple."""
    return "#{:02x}{:02x}{:02x}".format(*color)


def names_trained_ade20k(table: ClassTable) -> bool:
    """Whether a table names ADE20K's 150 classes as they are trained and predicted (0 wall ..
    149 flag: the ``ade20k-train`` preset, transformers' ``ade20k-id2label.json``), its names
    compared as written (case and spaces aside), a few differing."""
    trained = [name.strip().lower() for name in ClassTable.preset("ade20k-train").names]
    names = [name.strip().lower() for name in table.names]
    return len(names) == len(trained) and sum(a == b for a, b in zip(names, trained)) >= len(trained) - 10
