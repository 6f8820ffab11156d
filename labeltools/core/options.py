"""The values the command line offers as choices and defaults, kept where importing them costs
nothing (no numpy, no Pillow), so that the command line can build its options without loading
the library. The modules that use them import them from here."""

from __future__ import annotations

from typing import Literal, get_args

VOID = 255
"""The label value that is never a class: boundaries, ``__ignore__``, unmapped colours."""

MAX_CLASSES = VOID
"""The most classes a label map can hold: values 0..254 are classes, 255 is :data:`VOID`."""

#: labelme's default stroke width for ``line``/``linestrip`` and radius for ``point``.
DEFAULT_LINE_WIDTH = 10
DEFAULT_POINT_SIZE = 5

#: Whose rasteriser labelme shapes are drawn with: labelme 7.9.1's (line strips with rounded
#: joints; a mask shape placed at its rounded corner, over the stored mask's own extent when the
#: corners are fractional, clipped to the image) or labelme 6.3.1's.
LabelmeRules = Literal["7", "6"]
LABELME_RULES: tuple[str, ...] = get_args(LabelmeRules)
DEFAULT_LABELME_RULES: LabelmeRules = "7"
#: The labelme release each rule set reproduces pixel for pixel.
LABELME_RELEASES = {"7": "labelme 7.9.1", "6": "labelme 6.3.1"}

UnknownPolicy = Literal["error", "ignore", "background"]
UNKNOWN_POLICIES: tuple[str, ...] = get_args(UnknownPolicy)

#: Where shapes of different classes overlap: the later shape wins (labelme's rule), the first
#: one wins, or the contested pixels become void (255), so a model is never trained on a guess.
OverlapRule = Literal["last", "first", "void"]
OVERLAP_RULES: tuple[str, ...] = get_args(OverlapRule)

#: The annotation tools ``labeltools convert`` reads.
SourceFormat = Literal["labelme", "coco", "cvat", "label-studio", "cityscapes", "segmentation-mask", "masks", "yolo", "datumaro", "isat", "hub"]
SOURCE_FORMATS: tuple[str, ...] = get_args(SourceFormat)

#: ``jpg`` writes ``JPEGImages/<id>.jpg``; ``keep`` keeps the source format.
ImageFormat = Literal["jpg", "keep"]
IMAGE_FORMATS: tuple[str, ...] = get_args(ImageFormat)

SCHEMES = ("enet", "median", "inverse", "inverse-sqrt", "effective")
"""The class-weighting schemes."""
ENET_C = 1.02
EFFECTIVE_BETA = 0.9999

MISSING_POLICIES = ("error", "skip")
"""What a missing prediction is: an error, or an image left out."""

OnConflict = Literal["error", "first", "void"]
ON_CONFLICT: tuple[str, ...] = get_args(OnConflict)
"""Ways to resolve a colour that classes with different values share: refuse the table, take
the class listed first, or map the colour to 255."""

DEFAULT_MAX_CELLS = 4_000_000
"""The largest Excel grid written by default (``--max-cells``): a 2048x1024 Cityscapes frame
fits; a grid of more takes minutes and gigabytes to write and is no longer read by eye."""

#: Export formats (COCO's and Ultralytics' instances, Ultralytics' semantic masks), and the IoU
#: below which an exported object is listed.
EXPORT_TARGETS = ("coco", "yolo-seg", "yolo-semantic", "hub")

#: The exports of a VOC dataset's class maps as they are (no objects): Ultralytics' semantic
#: segmentation layout, and a Hugging Face dataset repository.
MAP_TARGETS = ("yolo-semantic", "hub")
#: Where a VOC dataset's exported objects come from: its instance maps, or each connected
#: region of a class in its class maps.
EXPORT_OBJECTS = ("instances", "regions")
DEFAULT_MIN_IOU = 0.98
