"""Instance exports: COCO and YOLO segmentation, from labelme annotations or a VOC dataset with
``SegmentationObject``, each object checked against its source after it is written; and a VOC
dataset's class maps in the layout of Ultralytics' semantic segmentation (see
:func:`_semantic_item`) or as a Hugging Face dataset repository (see :func:`_hub_item`).

Every object is the set of pixels its source gives it: a labelme object's shapes painted alone
(as labelme paints each shape), a VOC instance's pixels in ``SegmentationObject``. The layout is
the one consumers load as it is: ``images/<split>/<id><ext>`` (hard links where the file system
allows, else copies) beside ``annotations/instances_<split>.json`` (COCO, ``file_name`` the bare
name) or ``labels/<split>/<id>.txt`` and ``data.yaml`` (YOLO).

COCO: an object of one shape is written as that shape's polygon (see ``LabelmeObject.vertices``)
when pycocotools fills it back to its pixels within ``min_iou``; else (for an object of one part
without holes) its pixel outline simplified, when that fills back within ``min_iou``; else the
RLE of its pixels (always with ``rle``). A polygon is written only where pycocotools and OpenCV
readers read it alike (:data:`AGREE_IOU`). Void regions (``__ignore__``, VOC's 255) are
``iscrowd`` regions, which evaluators ignore. YOLO: one line per object, its parts joined, as
Ultralytics reads it (see :mod:`labeltools.formats.yolo`). What was written is read back as its consumer reads it
(pycocotools' decoding; Ultralytics' truncation and fill) and compared with the object: IoU,
pixels lost and added.
"""

from __future__ import annotations

import functools
import logging
import os
import posixpath
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from labeltools.core._types import PathLike
from labeltools.core.annotations import AnnotatedImage
from labeltools.core.classes import ClassTable, drawn_background
from labeltools.core.errors import AnnotationError, DatasetError, ExportError, LabelFileError, shell_word
from labeltools.core.options import (
    DEFAULT_LABELME_RULES,
    DEFAULT_LINE_WIDTH,
    DEFAULT_MIN_IOU,
    DEFAULT_POINT_SIZE,
    EXPORT_OBJECTS,
    EXPORT_TARGETS,
    LABELME_RULES,
    MAP_TARGETS,
    VOID,
    SourceFormat,
)
from labeltools.engine.executor import FileResult, OneRun, map_files
from labeltools.engine.storage import (
    absolute,
    atomic_write,
    atomic_writes,
    is_remote,
    link_or_write,
    location,
    output_lock,
    remove_empty_folders,
)
from labeltools.formats.coco import (
    annotation_text,
    area,
    box,
    box_rle,
    compare,
    encode_rle_dict,
    polygons,
    require_pycocotools,
    rounded_fill,
    segmentation_rle,
    with_segments,
    write_coco,
)
from labeltools.formats.hub import ShardWriter, dataset_card, id2label_text, require_pyarrow, shard_path
from labeltools.formats.images import open_image_file, open_record_image
from labeltools.formats.labelme import labelme_objects, open_source_image, read_labelme
from labeltools.formats.labels import encode_label_png, label_data, open_image, read_image_bytes, read_label, read_label_palette
from labeltools.formats.voc import (
    AUG_LABELS_DIR,
    AUG_SPLITS,
    OBJECTS_DIR,
    TEST_SPLIT,
    WITHHELD,
    available_splits,
    dataset_class_table,
    image_path,
    is_mask_export,
    is_voc_root,
    is_withheld_test,
    label_ids,
    label_path,
    labels_dir_of,
    read_split,
    save_class_names,
    split_path,
)
from labeltools.formats.yolo import (
    data_yaml,
    fill_polygon,
    join_parts,
    outer_contours,
    pixel_polygon,
    require_opencv,
    simplify_outline,
    yolo_class_ids,
    yolo_line,
    yolo_record,
)
from labeltools.jobs.convert import (
    FOUND_SOURCE,
    LABELME_LABELS,
    MASK_KINDS,
    annotation_class_table,
    assign_ids,
    check_letter_case,
    dataset_image,
    detect_source,
    find_annotations,
    object_inks,
    object_values,
    own_split_note,
    images_hint,
    read_one,
    record_draws_background,
    record_items,
    save_dataset_image,
    source_class_table,
    stored_extension,
    video_split_group,
    warn_background_drawn,
    zip_folder,
)
from labeltools.ops.outlines import inset, signed_area, simplify, single_outline
from labeltools.ops.raster import ObjectMask, record_stamps, union_stamps
from labeltools.ops.regions import connected_regions
from labeltools.ops.splits import check_fraction, group_note, id_groups, kept_splits, split_ids

log = logging.getLogger(__name__)


#: Each export of class maps, in words.
MAP_EXPORTS = {"yolo-semantic": "a semantic export", "hub": "a Hugging Face dataset export"}


@dataclass(frozen=True)
class ExportOptions:
    """How objects are written and checked.

    Attributes:
        to: ``"coco"``, ``"yolo-seg"``, or of a VOC dataset's class maps ``"yolo-semantic"`` or
            ``"hub"`` (see :data:`MAP_TARGETS`).
        rle: COCO: every object as RLE, not only those with holes or several parts.
        images: place the images in ``images/<split>/`` (bytes unchanged where they need no
            turning upright, hard-linked where the file system allows). COCO may leave them
            out (``False``): ``file_name`` is then each image's path relative to ``image_root``.
        image_root: with ``images=False``, the folder COCO ``file_name`` values are relative to.
        keep_ids: YOLO: the dataset's class indices as ids (0, background, unused), not the
            classes numbered from 0 (Ultralytics' numbering).
        min_iou: an object's own vertices or simplified outline are written when they read
            back within it; objects whose written form reads back lower are listed.
        strict: such objects fail their file (nothing of it is written).
        line_width, point_size, labelme_rules, unknown: as for ``convert`` (``labelme_rules``
            ``"7"`` or ``"6"``, labelme 7.9.1's or 6.3.1's rasteriser).
        images_dir: as ``convert --images``: where other tools' images are looked for first.
        objects: of a VOC dataset, ``"instances"`` (its ``SegmentationObject`` maps) or
            ``"regions"``: each 8-connected region of a class in ``SegmentationClass`` is an
            object, for a dataset without instance maps (touching objects of a class are one).
    """

    to: str = "coco"
    rle: bool = False
    images: bool = True
    image_root: str | None = None
    keep_ids: bool = False
    allow_image_urls: bool = False  # fetch an imagePath that is a URL (see find_image_file)
    min_iou: float = DEFAULT_MIN_IOU
    strict: bool = False
    line_width: int = DEFAULT_LINE_WIDTH
    point_size: int = DEFAULT_POINT_SIZE
    labelme_rules: str = DEFAULT_LABELME_RULES
    unknown: str = "error"
    images_dir: str | None = None  # other tools' images: looked for here first (see convert --images)
    objects: str = "instances"

    def check(self) -> None:
        if self.to not in EXPORT_TARGETS:
            raise ExportError(f"export format must be one of {', '.join(EXPORT_TARGETS)}, got {self.to!r}")
        if not 0 <= self.min_iou <= 1:
            raise ExportError(f"min_iou must lie in 0..1, got {self.min_iou}")
        if self.objects not in EXPORT_OBJECTS:
            raise ExportError(f"objects must be one of {', '.join(EXPORT_OBJECTS)}, got {self.objects!r}")
        if self.labelme_rules not in LABELME_RULES:
            raise ExportError(f"labelme rules must be one of {', '.join(LABELME_RULES)}, got {self.labelme_rules!r}")
        if self.to != "coco" and (self.rle or not self.images):
            raise ExportError("RLE and leaving the images out are COCO's: a YOLO dataset holds its images")
        if self.to in MAP_TARGETS and self.objects != "instances":
            raise ExportError(f"{MAP_EXPORTS[self.to]} writes a VOC dataset's class maps, no objects (objects are the instance exports')")
        if not self.images and self.image_root is None:
            raise ExportError("without the images, COCO file names need the folder they are relative to (image root)")
        if self.images and self.image_root is not None:
            raise ExportError("an image root is for an export without the images (file names are bare names then)")
        if self.keep_ids and self.to != "yolo-seg":
            raise ExportError("keeping the class ids is the YOLO segmentation export's choice: COCO ids and mask values are always the class indices")


@dataclass(frozen=True)
class ExportItem:
    """One image to export: a labelme annotation, or an id of a VOC dataset."""

    source: str  # the JSON file, or the VOC folder
    image_id: str
    split: str
    voc: bool = False
    kind: SourceFormat = "labelme"  # the tool of an annotation source (see convert --from)
    record: AnnotatedImage | None = field(default=None, compare=False)  # COCO, CVAT, Label Studio
    names: tuple[tuple[int, str], ...] = field(default=(), compare=False)  # a YOLO dataset's classes by id

    def __str__(self) -> str:  # failures are reported by file (and image)
        if self.record is not None:
            return self.record.source
        return str(label_path(self.source, self.image_id)) if self.voc else self.source


#: How far (pixels) a COCO outline may stray from the pixel staircase it simplifies.
SIMPLIFY_TOLERANCE = 0.75

#: A COCO polygon is written only where readers that fill it with OpenCV (supervision: rounded
#: vertices, outline included) and pycocotools (pixel centres inside) read it alike, to this IoU;
#: where they would not (small objects, thin ones: a pixel's difference along the outline is
#: more than that), the object is RLE, which every reader decodes the same. No polygon reads
#: alike to the pixel under both rules: for the last pixel x of a row, its right edge would
#: have to round to x (lie below x + 0.5) and hold that pixel's centre x + 0.5 inside at once.
AGREE_IOU = 0.995

#: How far (pixels) a YOLO outline may stray from the pixel staircase it simplifies.
YOLO_TOLERANCE = 0.75

#: Objects in a box of fewer pixels keep their exact outline: simplifying it saves a few
#: vertices and loses pixels out of few.
SMALL_OBJECT = 400

#: How far inside its pixel-corner outline a COCO outline runs: pixel centres stay inside, so
#: pycocotools gives back exactly the outlined pixels (see ``inset``).
OUTLINE_INSET = 0.25


@dataclass
class _Object:
    category: int
    mask: NDArray[np.bool_]
    name: str  # how the summary names it: "object 3" (labelme instance number) or "instance 3"
    vertices: NDArray[np.float64] | None = None  # its shape as a polygon (LabelmeObject.vertices)
    offset: tuple[int, int] = (0, 0)  # the image pixel of mask[0, 0]: masks cover the object's box

    @functools.cached_property
    def area(self) -> int:
        """How many pixels the object holds."""
        return int(np.count_nonzero(self.mask))


def _labelme_source(item: ExportItem, table: ClassTable, options: ExportOptions) -> tuple[Any, list[_Object], _Object | None, int]:
    """A labelme annotation's image, objects, void region (its ``__ignore__`` shapes) and how many
    of its shapes draw class 0 as a class of its own (see :func:`drawn_background`)."""
    doc = read_labelme(item.source)
    image = open_source_image(doc, options.allow_image_urls, options.images_dir)
    found = labelme_objects(
        doc, table, (image.height, image.width), line_width=options.line_width,
        point_size=options.point_size, rules=options.labelme_rules, unknown=options.unknown,  # type: ignore[arg-type]
        void=options.to == "coco",
    )  # fmt: skip
    objects = [_Object(o.category, o.mask, f"object {o.number}", o.vertices, o.offset) for o in found if o.category != VOID]
    crowd = _stamped([ObjectMask(o.mask, o.offset) for o in found if o.category == VOID], VOID, "void")
    return image, objects, crowd, drawn_background((shape.label for shape in doc.shapes), table)


def _record_source(item: ExportItem, table: ClassTable, options: ExportOptions) -> tuple[Any, list[_Object], _Object | None, int]:
    """An image of another tool's export (see ``convert --from``): its image, its instances
    (objects of one label and instance key together, a CVAT group as CVAT's mask export merges
    it; each filled by its tool's rule) and its void region (crowd regions, ``__ignore__``). An
    object of one polygon keeps it as its vertices (in labelme's pixel-centre coordinates:
    pycocotools' corners less half a pixel)."""
    record = item.record if item.record is not None else read_one(item.kind, item.source, options.images_dir)
    if record.problem is not None:
        raise AnnotationError(record.problem)
    image = open_record_image(record, images_hint(item.kind, options.images_dir))
    record = with_segments(record)  # a panoptic file's segments, read from their PNG
    height, width = image.height, image.width
    if item.kind == "yolo":  # its label file, filled at the image's size
        record = yolo_record(record, dict(item.names), width, height)
    values: list[int | None] = object_values(record, table, options.unknown)  # type: ignore[arg-type]
    stamps, values, _ = record_stamps(record, values, height, width, skip=(None, 0))
    groups: dict[int, list[int]] = {}  # instance -> the objects (stamps) it is made of
    if record.groups == "cvat":  # a group is one object, as CVAT's mask export merges it
        groups = {n: [n] for n in range(len(stamps))}
    else:
        for n, ink in enumerate(object_inks(record, values)):
            if ink not in (None, 0, VOID):
                groups.setdefault(ink, []).append(n)
    objects: list[_Object] = []
    for shapes in groups.values():
        value = values[shapes[0]]
        if value in (None, 0, VOID):
            continue
        found = _stamped([stamps[n] for n in shapes], int(value), f"object {len(objects) + 1}")  # type: ignore[arg-type]
        if found is None:
            continue
        parts = record.objects[shapes[0]].parts if len(shapes) == 1 and record.groups != "cvat" else ()
        if len(parts) == 1 and parts[0].kind == "polygon" and parts[0].points is not None:
            found.vertices = parts[0].points - (0.5 if record.fill in ("pycocotools", "ultralytics") else 0.0)  # pixel i is [i, i + 1)
        objects.append(found)
    return image, objects, _stamped([s for s, v in zip(stamps, values) if v == VOID], VOID, "void"), record_draws_background(record, table)


def _stamped(stamps: Sequence[ObjectMask], category: int, name: str) -> _Object | None:
    """An object of the pixels of several stamps together, kept as the box they fill; None if
    none (built in the stamps' box, not the image's)."""
    together = union_stamps(stamps)
    found = _boxed(together.mask, category, name)
    if found is not None:
        found.offset = (found.offset[0] + together.offset[0], found.offset[1] + together.offset[1])
    return found


def _boxed(mask: NDArray[np.bool_], category: int, name: str) -> _Object | None:
    """An object of the pixels of a full-image mask, kept as the box they fill; None if none."""
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if not len(rows):
        return None
    box = mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    return _Object(category, box, name, offset=(int(cols[0]), int(rows[0])))


def _region_objects(classes: NDArray[np.uint8]) -> list[_Object]:
    """Each 8-connected region of a class (not background, not void) as an object, named
    ``region k`` in the order of the regions' first pixels, class by class."""
    objects: list[_Object] = []
    for category in np.flatnonzero(np.bincount(classes.ravel(), minlength=256)).tolist():
        if category in (0, VOID):
            continue
        regions, count = connected_regions(classes == category)
        rows, cols = np.nonzero(regions)  # one pass for every region's box
        numbers = regions[rows, cols]
        top, bottom = np.full(count + 1, classes.shape[0]), np.zeros(count + 1, dtype=np.int64)
        left, right = np.full(count + 1, classes.shape[1]), np.zeros(count + 1, dtype=np.int64)
        np.minimum.at(top, numbers, rows)
        np.maximum.at(bottom, numbers, rows)
        np.minimum.at(left, numbers, cols)
        np.maximum.at(right, numbers, cols)
        for number in range(1, count + 1):
            box = regions[top[number] : bottom[number] + 1, left[number] : right[number] + 1] == number
            name = f"region {len(objects) + 1}"
            objects.append(_Object(category, box, name, offset=(int(left[number]), int(top[number]))))
    return objects


def _instance_objects(item: ExportItem, classes: NDArray[np.uint8]) -> list[_Object]:
    """Each value 1..254 of the id's ``SegmentationObject`` map as an object, its class the one
    its pixels hold in ``classes``."""
    instances = read_label(location(item.source) / OBJECTS_DIR / f"{item.image_id}.png")
    if instances.shape != classes.shape:
        raise DatasetError(
            f"{item}: {instances.shape[1]}x{instances.shape[0]} instance map but "
            f"{classes.shape[1]}x{classes.shape[0]} class map"
        )
    objects = []
    for value in np.unique(instances).tolist():
        if value in (0, VOID):
            continue
        mask = instances == value
        held = np.bincount(classes[mask], minlength=256)
        held[[0, VOID]] = 0
        if not held.any():
            continue  # an instance over background or void only: no class to give it
        found = _boxed(mask, int(held.argmax()), f"instance {value}")
        assert found is not None
        objects.append(found)
    return objects


def _voc_objects(item: ExportItem, regions: bool = False) -> tuple[Path, int, int, list[_Object], _Object | None]:
    """A VOC id's image, size, objects (its instances, or with ``regions`` each connected region
    of a class) and void region (255 in ``SegmentationClass``)."""
    classes = read_label(label_path(item.source, item.image_id))
    objects = _region_objects(classes) if regions else _instance_objects(item, classes)
    height, width = classes.shape
    return image_path(item.source, item.image_id), height, width, objects, _boxed(classes == VOID, VOID, "void")


def _coco_object(
    obj: _Object, height: int, width: int, rle: bool, min_iou: float
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """An object as COCO: its polygon (see ``LabelmeObject.vertices``) when pycocotools fills it
    back within ``min_iou``; else, for an object of one part without holes, its pixel outline
    simplified when that does; else the RLE of its pixels (with ``rle``, every object). A
    polygon must also read alike in OpenCV readers (:data:`AGREE_IOU`). What is written is read
    back as pycocotools reads it and compared with the object's pixels, run by run."""
    if not obj.mask.any():
        return None, {"iou": 0.0, "lost": 0, "added": 0, "kind": "none", "reason": "no pixels (outside the image)"}
    source = box_rle(obj.mask, obj.offset, height, width)
    source_area = area(source)

    def candidates() -> Iterator[tuple[Any, str]]:
        if not rle and _polygon_may_agree(obj, source_area):
            if obj.vertices is not None and len(obj.vertices) >= 3:  # in COCO's coordinates pixel x spans x..x+1
                yield polygons([obj.vertices + 0.5]), "polygon"
            outline = single_outline(obj.mask)
            if outline is not None:
                inside = inset(outline, OUTLINE_INSET) + obj.offset
                yield polygons([simplify(inside, SIMPLIFY_TOLERANCE)]), "simplified"
        yield encode_rle_dict(source), "rle"

    for segmentation, kind in candidates():
        written = segmentation_rle(segmentation, height, width)  # as pycocotools reads it
        check, written_area = compare(written, source, source_area)
        if kind == "rle":
            break
        if check["iou"] >= min_iou and compare(rounded_fill(segmentation, height, width), written, written_area)[0]["iou"] >= AGREE_IOU:
            break
    reason = "rasterised differently" if kind == "polygon" else "simplified" if kind == "simplified" else "differs from its source"
    annotation = {
        "category_id": obj.category, "segmentation": segmentation, "area": written_area,
        "bbox": box(written), "iscrowd": 0,
    }  # fmt: skip
    return annotation, {**check, "kind": kind, "reason": reason}


def _polygon_may_agree(obj: _Object, pixels: int) -> bool:
    """Whether a polygon of the object can be read alike by pycocotools and OpenCV readers (see
    :data:`AGREE_IOU`): those round the vertices and fill the outline too, so they read a
    polygon about a row and a column larger. An object whose height and width, halved, already
    exceed what :data:`AGREE_IOU` allows goes straight to RLE, none of its polygons tried."""
    rows, columns = obj.mask.shape
    return (rows + columns) / 2 <= (1 - AGREE_IOU) * pixels


def _crowd_annotations(crowd: _Object, categories: Sequence[int], height: int, width: int) -> list[dict[str, Any]]:
    """The void region as one ``iscrowd`` RLE annotation per category the image holds: COCO's
    evaluation ignores a detection of a category that falls on that category's crowd region,
    so none there counts as a false positive."""
    rle_mask = box_rle(crowd.mask, crowd.offset, height, width)
    segmentation, size, bounds = encode_rle_dict(rle_mask), area(rle_mask), box(rle_mask)
    return [
        {"category_id": category, "segmentation": segmentation, "area": size, "bbox": bounds, "iscrowd": 1}
        for category in sorted(set(categories))
    ]


def _yolo_object(obj: _Object, category: int, height: int, width: int, min_iou: float) -> tuple[list[str], dict[str, Any]]:
    """An object as one YOLO line, read back as Ultralytics reads it (OpenCV's fill of the
    truncated vertices) and compared with its pixels: its polygon (see ``LabelmeObject``), else
    its outline through its boundary pixels' centres simplified, whichever reads back within
    ``min_iou``; else that outline exact (as OpenCV traces it, so that its fill gives back the
    pixels), its parts joined into one, holes left out. Parts of no area (a pixel, a
    one-pixel-wide line) are left out of an outline unless the object is nothing else: no fill
    gives them back."""
    if not obj.mask.any():
        return [], {"iou": 0.0, "lost": 0, "added": 0, "kind": "none", "reason": "no pixels (outside the image)", "holes": 0, "fragments": 0}
    holes = fragments = 0

    def candidates() -> Iterator[tuple[NDArray[np.float64], str]]:
        nonlocal holes, fragments
        if obj.vertices is not None and len(obj.vertices) >= 3:
            yield pixel_polygon(obj.vertices, width, height), "polygon"
        traced, holes = outer_contours(obj.mask)
        parts = [part + obj.offset for part in traced]
        solid = [part for part in parts if signed_area(part) != 0] or parts
        fragments = len(parts) - len(solid)
        exact = join_parts(solid)
        if len(exact) > 8 and obj.mask.size > SMALL_OBJECT:
            simplified = join_parts([simplify_outline(part, YOLO_TOLERANCE) for part in solid])
            if len(simplified) < len(exact):
                yield simplified, "simplified"
        yield exact, "outline" if len(solid) == 1 else "joined parts"

    for polygon, kind in candidates():
        check = _compare_boxed(fill_polygon(polygon, width, height), obj)
        if kind in ("outline", "joined parts") or check["iou"] >= min_iou:
            break
    reasons = [
        *(["rasterised differently"] if kind == "polygon" else []), *(["simplified"] if kind == "simplified" else []),
        *(["hole dropped"] if holes else []), *(["fragment dropped"] if fragments else []),
        *(["parts joined"] if kind == "joined parts" else []),  # the bridges between them are drawn too
    ]  # fmt: skip
    line = yolo_line(category, polygon, width, height)
    return [line], {**check, "kind": kind, "reason": ", ".join(reasons) or "differs from its source", "holes": holes, "fragments": fragments}


def _compare_boxed(read: tuple[NDArray[np.bool_], tuple[int, int]], obj: _Object) -> dict[str, Any]:
    """IoU, pixels lost and added of a read-back mask given as ``(pixels, (x, y) of pixels[0, 0])``
    against an object's pixels: counted on the boxes' overlap, nothing the size of both made."""
    pixels, (x, y) = read
    ox, oy = obj.offset
    x0, y0 = max(x, ox), max(y, oy)
    x1, y1 = min(x + pixels.shape[1], ox + obj.mask.shape[1]), min(y + pixels.shape[0], oy + obj.mask.shape[0])
    both = 0
    if x0 < x1 and y0 < y1:
        both = int(np.count_nonzero(pixels[y0 - y : y1 - y, x0 - x : x1 - x] & obj.mask[y0 - oy : y1 - oy, x0 - ox : x1 - ox]))
    drawn, held = int(np.count_nonzero(pixels)), obj.area
    either = drawn + held - both
    return {"iou": 1.0 if not either else both / either, "lost": held - both, "added": drawn - both}


def export_item(item: ExportItem, output: str, table: ClassTable, options: ExportOptions) -> FileResult:
    """Export one image's objects (see the module docs) and check each one.

    Returns:
        A :class:`FileResult` whose ``data`` holds the image (``file_name``, ``width``,
        ``height``), the COCO annotations (without ids, as compact JSON text), and per object
        its check (``iou``, ``lost``, ``added``, the form written, and why it may differ).

    Raises:
        AnnotationError, LabelFileError, DatasetError: the source is bad. ExportError: with
        ``strict``, objects below ``min_iou``; without the images, an image that cannot be
        named relative to the image root (nothing of the image is written).
    """
    root = location(output)
    if options.to == "yolo-semantic":
        return _semantic_item(item, root, table)
    if options.to == "hub":
        return _hub_item(item, table)
    if item.voc:
        source_image, height, width, objects, crowd = _voc_objects(item, options.objects == "regions")
        labelme_image, drawn = None, 0
    else:
        read = _labelme_source if item.kind == "labelme" else _record_source
        labelme_image, objects, crowd, drawn = read(item, table, options)
        height, width = labelme_image.height, labelme_image.width
        source_image = labelme_image.path
    annotations: list[str] = []
    lines: list[str] = []
    checks = []
    ids = yolo_class_ids(table, options.keep_ids) if options.to == "yolo-seg" else {}
    for obj in objects:
        if options.to == "coco":
            annotation, check = _coco_object(obj, height, width, options.rle, options.min_iou)
            if annotation is not None:
                annotations.append(annotation_text(annotation))
        else:
            written, check = _yolo_object(obj, ids[obj.category], height, width, options.min_iou)
            lines += written
        checks.append({"object": obj.name, "category": obj.category, "name": table.name_of(obj.category), **check})
    crowds = []
    if options.to == "coco" and crowd is not None and objects:
        crowds = [annotation_text(a) for a in _crowd_annotations(crowd, [o.category for o in objects], height, width)]
    below = [c for c in checks if c["iou"] < options.min_iou]
    if below and options.strict:
        listed = "; ".join(f"{c['object']} ({c['name']}): IoU {c['iou']:.4f}, {c['reason']}" for c in below)
        raise ExportError(f"{item}: {len(below)} object(s) below --min-iou {options.min_iou}: {listed}")
    with atomic_writes() as stage:
        if options.images:
            file_name = _place_image(stage, root / "images" / item.split, item, labelme_image, source_image)
        else:
            file_name = _relative_name(item, labelme_image, source_image, options)
        if options.to == "yolo-seg":
            stage(root / "labels" / item.split / f"{item.image_id}.txt").write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return FileResult(
        source=str(item),
        data={
            "id": item.image_id, "split": item.split,
            "image": {"file_name": file_name, "width": width, "height": height},
            "annotations": annotations + crowds, "objects": checks, "crowds": len(crowds), "background_drawn": drawn,
        },
    )  # fmt: skip


def _semantic_item(item: ExportItem, root: Path, table: ClassTable) -> FileResult:
    """A VOC dataset's image and class map in the layout of Ultralytics' semantic segmentation:
    ``images/<split>/<id><ext>`` (as for the instance exports) and ``masks/<split>/<id>.png``.
    The map is checked first, as Ultralytics checks it, where it would drop the image: every
    value a class of the table or 255 (its ignore label), the size the image's as shown (EXIF
    applied). Its file is linked as it is where Ultralytics reads the class indices labeltools
    reads (a grey PNG, or a palette PNG of colours), else written anew as a grey PNG of them:
    Ultralytics reads a palette of greys as the grey levels, not the indices.

    Raises:
        LabelFileError: a value no class has. AnnotationError: the image is missing,
            unreadable, or of another size than the map.
    """
    label_file, data, label, held, source_image, image = _checked_map(item, table, "Ultralytics would leave the image out")
    as_it_is = _indices_read_alike(label_file, data, held)
    with atomic_writes() as stage:
        file_name = _place_image(stage, root / "images" / item.split, item, image, source_image)
        mask = stage(root / "masks" / item.split / f"{item.image_id}.png")
        if as_it_is:
            link_or_write(mask, label_file, data)
        else:
            mask.write_bytes(encode_label_png(label, None))
    return FileResult(
        source=str(item),
        data={
            "id": item.image_id, "split": item.split, "image": {"file_name": file_name, "width": image.width, "height": image.height},
            "annotations": [], "objects": [], "mask_written": not as_it_is,
        },
    )  # fmt: skip


def _checked_map(item: ExportItem, table: ClassTable, dropped: str) -> tuple[Path, bytes, NDArray[np.uint8], list[int], Path, Any]:
    """A VOC dataset's class map and image, checked as a class-map export's consumer checks
    them: every value a class of the table or 255, the map the size of the image as shown (EXIF
    applied); the map's file, its bytes (read once), its values and those it holds, the image's
    file and the image opened. ``dropped`` says what the consumer does with a bad one.

    Raises:
        LabelFileError: a value no class has. AnnotationError: the image is missing,
            unreadable, or of another size than the map.
    """
    label_file = label_path(item.source, item.image_id)
    data = label_data(label_file)  # read once: decoded, looked into, and written where it cannot be linked
    label, _ = read_label_palette(label_file, data=data)
    held = np.flatnonzero(np.bincount(label.ravel(), minlength=VOID + 1)).tolist()
    foreign = [value for value in held if value != VOID and table.entry(value) is None]
    if foreign:
        listed = ", ".join(map(str, foreign[:8])) + (", ..." if len(foreign) > 8 else "")
        raise LabelFileError(
            f"{label_file}: holds value(s) {listed}, which no class of the {table.source} has "
            f"({dropped}); labeltools check lists every such file"
        )
    source_image = image_path(item.source, item.image_id)
    image = open_image_file(source_image, str(source_image), str(label_file), label.shape, ("label height", "label width"))
    return label_file, data, label, held, source_image, image


def _hub_item(item: ExportItem, table: ClassTable) -> FileResult:
    """A VOC dataset's image and class map checked for a Hugging Face dataset's row (see
    :func:`_checked_map`; a value no class has would be a class ``id2label.json`` does not
    name); the map's bytes, read once, go back to the run, which writes them into the split's
    shard with the image's, in order."""
    label_file, data, _, _, source_image, image = _checked_map(item, table, "id2label.json would not name it")
    return FileResult(
        source=str(item),
        data={
            "id": item.image_id, "split": item.split, "image": {"file_name": source_image.name, "width": image.width, "height": image.height},
            "annotations": [], "objects": [], "files": (str(source_image), str(label_file)), "label": data,
        },
    )  # fmt: skip


def _indices_read_alike(label_file: Path, data: bytes, held: Sequence[int]) -> bool:
    """Whether Ultralytics reads a label file (``data``, its bytes) as the class indices
    labeltools reads: a grey PNG's values, a palette PNG's indices when its palette holds a
    colour; of a palette of greys it reads each pixel's grey level, the index only where that
    colour is ``(i, i, i)``."""
    with open_image(label_file, LabelFileError, "label", data=data) as image:
        if image.mode != "P":
            return image.mode == "L"
        palette = np.asarray(image.getpalette() or [], dtype=np.int64).reshape(-1, 3)
    if not (palette == palette[:, :1]).all():
        return True
    return all(value < len(palette) and palette[value, 0] == value for value in held)


def _place_image(stage: Any, folder: Path, item: ExportItem, labelme_image: Any, source_image: Path | None) -> str:
    """Put an item's image in ``folder`` as ``<id><ext>`` and give that name: the source file
    hard-linked (or copied) where its bytes can stay as they are, else the image turned
    upright and encoded losslessly. A linked file is not read."""
    if labelme_image is not None:
        ext, stored = stored_extension(labelme_image, "keep"), lambda: labelme_image.data
    else:  # a VOC dataset's image
        assert source_image is not None
        path = source_image
        ext, stored = path.suffix.lower(), lambda: read_image_bytes(path, LabelFileError, "image")
    if ext is None:  # turned upright, or kept losslessly only once decoded
        ext, payload, save_args = dataset_image(labelme_image, "keep")
        save_dataset_image(stage(folder / f"{item.image_id}{ext}"), payload, save_args)
    else:  # the stored bytes, unchanged
        link_or_write(stage(folder / f"{item.image_id}{ext}"), source_image, stored)
    return f"{item.image_id}{ext}"


def _relative_name(item: ExportItem, labelme_image: Any, source_image: Path | None, options: ExportOptions) -> str:
    """The COCO ``file_name`` of an image left where it is: its path relative to the image root.

    Raises:
        ExportError: the image is embedded in its annotation, stored turned (EXIF), or not
            under the image root.
    """
    if source_image is None:
        raise ExportError(f"{item}: its image is embedded in the annotation (imageData); export with the images")
    if labelme_image is not None and labelme_image.needs_transpose:
        raise ExportError(
            f"{item}: {source_image} is stored turned (EXIF orientation {labelme_image.orientation}), "
            "and readers would see it so; export with the images, which are written upright"
        )
    assert options.image_root is not None
    image, base = absolute(source_image), absolute(options.image_root)
    if is_remote(image) or is_remote(base):
        relative = posixpath.relpath(str(image), str(base))
    else:
        relative = Path(os.path.relpath(image, base)).as_posix()
    if relative == ".." or relative.startswith("../"):
        raise ExportError(f"{item}: {source_image} is not under the image root {options.image_root}")
    return relative


@dataclass
class Export(OneRun):
    """A checked, ready-to-run export; iterate it to export each image (once).

    After the last result: for COCO, ``annotations/instances_<split>.json``; for YOLO,
    ``data.yaml``; both, ``class_names.txt`` (the ids every file uses). ``objects`` holds every
    object's check, ``below`` those under ``min_iou`` with their file, ``images`` the images
    exported per split.
    """

    output: Path
    table: ClassTable
    items: list[ExportItem]
    options: ExportOptions
    jobs: int | None = None
    objects: list[dict[str, Any]] = field(default_factory=list, init=False)
    below: list[dict[str, Any]] = field(default_factory=list, init=False)
    fresh: bool = False  # OUTPUT was missing or empty when the export was checked
    images: dict[str, int] = field(default_factory=dict, init=False)
    written: list[Path] = field(default_factory=list, init=False)
    crowds: int = field(default=0, init=False)  # COCO: iscrowd annotations (void regions)
    masks_written: int = field(default=0, init=False)  # semantic: masks written anew (not linked)
    notes: list[str] = field(default_factory=list)  # what was left out, for the user

    @property
    def from_voc(self) -> bool:
        """True when the objects come from a VOC dataset's instance maps, not annotations."""
        return bool(self.items) and self.items[0].voc

    @property
    def source(self) -> str:
        """Where the objects come from: ``voc``, or the annotation tool (``labelme``, ``coco``...)."""
        return "voc" if self.from_voc else (self.items[0].kind if self.items else "labelme")

    @property
    def splits(self) -> list[str]:
        return sorted({item.split for item in self.items}, key=lambda s: (s != "train", s != "val", s))

    def _run(self) -> Iterator[FileResult]:
        with output_lock(self.output):  # one writer at a time
            yield from self._export_hub() if self.options.to == "hub" else self._export()
        if self.fresh and not self.images:  # every file failed: a new OUTPUT is left as it was
            remove_empty_folders(self.output)

    def _export(self) -> Iterator[FileResult]:
        work = functools.partial(export_item, output=str(self.output), table=self.table, options=self.options)
        documents: dict[str, tuple[list[dict[str, Any]], list[tuple[int, str]]]] = {s: ([], []) for s in self.splits}
        results = map_files(work, self.items, self.jobs)
        drawn: list[str] = []  # ids whose shapes draw class 0, a class of its own: no object of the export
        try:
            for image_number, result in enumerate(results, 1):
                yield result
                if not result.ok:
                    continue
                data = result.data
                self.images[data["split"]] = self.images.get(data["split"], 0) + 1
                for check in data["objects"]:
                    self.objects.append({"file": result.source, **check})
                    if check["iou"] < self.options.min_iou:
                        self.below.append(self.objects[-1])
                images, annotations = documents[data["split"]]
                images.append({"id": image_number, **data["image"]})
                annotations.extend((image_number, text) for text in data["annotations"])
                self.crowds += data.get("crowds", 0)
                self.masks_written += data.get("mask_written", False)
                if data.get("background_drawn"):
                    drawn.append(data["id"])
        except BaseException:  # interrupted (or closed) before the annotations were written
            results.close()  # the workers stop, unwinding the files they were writing
            if self.fresh and not is_remote(self.output):  # what they wrote has no annotation file: no export
                for folder in ("images", "labels", "masks"):
                    shutil.rmtree(self.output / folder, ignore_errors=True)
            raise
        warn_background_drawn(drawn, self.table, "their shapes of it are left out, as background is")
        if not self.images:
            return
        save_class_names(self.output / "class_names.txt", self.table)
        self.written.append(self.output / "class_names.txt")
        if self.options.to == "coco":
            for split, (images, annotations) in documents.items():
                if images:
                    path = self.output / "annotations" / f"instances_{split}.json"
                    write_coco(path, images, annotations, self.table)
                    self.written.append(path)
        else:
            path = self.output / "data.yaml"
            splits = [s for s in self.splits if self.images.get(s)]
            if self.options.to == "yolo-semantic":
                names, mapping = self.semantic_classes
                text = data_yaml(names, splits, "masks", mapping)
            else:
                text = data_yaml({number: self.table.name_of(index) for index, number in self.yolo_ids.items()}, splits)
            with atomic_write(path) as tmp:
                tmp.write_text(text, encoding="utf-8")  # Ultralytics reads it as UTF-8
            self.written.append(path)
            if "val" not in splits:  # Ultralytics needs both entries
                log.warning("%s: no image is in val; its val names images/train, on which Ultralytics then validates", path)
            elif "train" not in splits:
                log.warning(
                    "%s: no image is in train; its train names images/val, which Ultralytics needs named: the dataset is for "
                    "validation (yolo val), and training on it would train on its val images", path,
                )  # fmt: skip

    def _export_hub(self) -> Iterator[FileResult]:
        """A Hugging Face dataset repository: each split's rows written as its shard as the
        images come, in order (a row group at a time), then ``id2label.json``, the card
        (``README.md``) and ``class_names.txt``; all of it renamed into place at the end, or
        none (an interrupted or failed run leaves the folder as it was)."""
        work = functools.partial(export_item, output=str(self.output), table=self.table, options=self.options)
        results = map_files(work, self.items, self.jobs)
        writers: dict[str, ShardWriter] = {}
        with atomic_writes() as stage:
            try:
                for result in results:
                    if result.ok:  # its row written before it is handed on, its map's bytes with it (not kept)
                        split = result.data["split"]
                        self.images[split] = self.images.get(split, 0) + 1
                        if split not in writers:
                            writers[split] = ShardWriter(stage(self.output / shard_path(split)))
                        image_file, label_file = (location(f) for f in result.data["files"])
                        writers[split].add(read_image_bytes(image_file, ExportError), image_file.name, result.data.pop("label"), label_file.name)
                    yield result
                for writer in writers.values():
                    writer.close()
            except BaseException:
                results.close()
                for writer in writers.values():
                    writer.abandon()
                raise
            if not self.images:
                return
            names = {e.index: e.name for e in self.table.classes if e.index != VOID}
            stage(self.output / "id2label.json").write_text(id2label_text(names), encoding="utf-8")
            stage(self.output / "README.md").write_text(dataset_card(list(self.images)), encoding="utf-8")
            save_class_names(stage(self.output / "class_names.txt"), self.table)
        self.written += [self.output / shard_path(split) for split in writers]
        self.written += [self.output / name for name in ("id2label.json", "README.md", "class_names.txt")]

    @property
    def yolo_ids(self) -> dict[int, int]:
        """YOLO: the id each class index is written with (see :func:`yolo_class_ids`)."""
        return yolo_class_ids(self.table, self.options.keep_ids)

    @property
    def semantic_classes(self) -> tuple[dict[int, str], dict[int, int]]:
        """A semantic export's class names by the id Ultralytics trains (0..n-1, any id between
        the classes named as ``class_names.txt`` names it), and, for a table with train ids
        (Cityscapes' label ids), the train id of each class index, which Ultralytics applies to
        the masks as they are (``label_mapping``); none for any other table."""
        trained = self.table.train_table()
        top = max((e.index for e in trained.classes if e.index != VOID), default=0)
        names = {i: trained.name_of(i) for i in range(top + 1)}
        return names, {e.index: e.target for e in self.table.classes if e.index != VOID} if self.table.has_train_ids else {}

    @property
    def class_ids(self) -> dict[int, int]:
        """The id each class index is written with: YOLO's, a semantic export's (the index, or
        its train id), or COCO's (the index itself, every class but background and void)."""
        if self.options.to == "yolo-seg":
            return self.yolo_ids
        if self.options.to == "yolo-semantic":
            return self.semantic_classes[1] or {e.index: e.index for e in self.table.classes if e.index != VOID}
        if self.options.to == "hub":
            return {e.index: e.index for e in self.table.classes if e.index != VOID}
        return {e.index: e.index for e in self.table.classes if 0 < e.index < VOID}

    def summary(self) -> dict[str, Any]:
        """``export --json``: what was written and how each object came through."""
        kinds: dict[str, int] = {}
        for check in self.objects:
            kinds[check["kind"]] = kinds.get(check["kind"], 0) + 1
        return {
            "to": self.options.to, "output": str(self.output), "files": len(self.items),
            "images": self.images, "objects": len(self.objects), "written_as": kinds,
            "holes_dropped": sum(c.get("holes", 0) for c in self.objects),
            "min_iou": self.options.min_iou, "below_min_iou": self.below,
            "mean_iou": float(np.mean([c["iou"] for c in self.objects])) if self.objects else None,
            "source": self.source,
            "objects_from": self.options.objects if self.from_voc else "annotations",
            "labelme_rules": self.options.labelme_rules if self.source == "labelme" else None,
            "fragments_dropped": sum(c.get("fragments", 0) for c in self.objects),
            "crowd_regions": self.crowds,
            "masks_written": self.masks_written,
            "class_ids": [
                {"id": number, "name": self.table.name_of(index), "class": index}
                for index, number in self.class_ids.items()
            ],
        }  # fmt: skip


def _voc_items(root: Path, split: str | None, regions: bool, notes: list[str]) -> list[ExportItem]:
    """The images of a VOC dataset to export: its train and val (every label when it has neither)
    and its test when that has labels, or ``split``'s alone; what was left out is added to ``notes``."""
    if not regions and not (root / OBJECTS_DIR).is_dir():
        raise DatasetError(
            f"{root}: has no {OBJECTS_DIR}/; an instance export needs instance maps "
            "(labeltools convert --instances writes them), or export each connected region of "
            "a class as an object with --objects regions"
        )
    there = available_splits(root)
    test = read_split(root, TEST_SPLIT) if TEST_SPLIT in there else []
    if is_withheld_test(test, label_ids(root)):
        if split == TEST_SPLIT:
            raise DatasetError(f"{split_path(root, TEST_SPLIT)}: none of its ids has a label ({WITHHELD}): nothing to export")
        notes.append(f"{split_path(root, TEST_SPLIT)}: none of its {len(test)} id(s) has a label ({WITHHELD}): not exported")
        test = []
    if split in AUG_SPLITS and labels_dir_of(root, split) == AUG_LABELS_DIR:
        raise DatasetError(
            f"{split_path(root, split)}: lists the SBD-augmented training set, whose labels are {AUG_LABELS_DIR}/'s, "
            "which export does not read (nor are there instance maps): export train or val"
        )
    chosen: dict[str, list[str]] = {s: read_split(root, s) for s in ("train", "val") if s in there}
    if not chosen:  # every label but the held-out test ones
        held_out = set(test)
        chosen = {"train": [image_id for image_id in label_ids(root) if image_id not in held_out]}
    if test:
        chosen[TEST_SPLIT] = test
    if split is not None:
        if split not in chosen and split in there:
            chosen = {split: read_split(root, split)}
        chosen = {s: ids for s, ids in chosen.items() if s == split}
        if not chosen:
            raise DatasetError(f"{root}: no split {split!r} (splits present: {', '.join(there) or 'none'})")
    return [ExportItem(str(root), image_id, s, voc=True) for s, ids in chosen.items() for image_id in ids]


def export_dataset(
    sources: PathLike | Sequence[PathLike],
    output: PathLike,
    options: ExportOptions = ExportOptions(),
    *,
    classes: ClassTable | PathLike | None = None,
    split: str | None = None,
    val_fraction: float = 0.1,
    seed: int = 0,
    group: str | None = None,
    overwrite: bool = False,
    jobs: int | None = None,
    source: SourceFormat | None = None,
) -> Export:
    """Check an export and return it ready to run.

    ``sources`` is one VOC dataset with ``SegmentationObject`` (its ``train``/``val``/``test``
    split files, else every label as ``train``), or annotation folders and files of one tool (labelme,
    COCO, CVAT, Label Studio or Cityscapes, found from the files or named by ``source``; split
    as ``convert`` splits them, from ``val_fraction``, ``seed`` and ``group``). With ``split``, only that
    split is exported. The class table is ``classes``, else the dataset's, else the labels
    found in the annotations, as for ``convert``.

    Raises:
        DatasetError: no such source, a VOC dataset without instance maps, OUTPUT not empty
            without ``overwrite``. ExportError: bad options, pycocotools missing for COCO.
    """
    options.check()
    if options.images_dir is not None:
        options = replace(options, images_dir=str(zip_folder(options.images_dir)))
    check_fraction(val_fraction)
    if options.to == "coco":
        require_pycocotools()  # say now, before any file is read, if it is missing
    elif options.to == "yolo-seg":
        require_opencv()
    elif options.to == "hub":
        require_pyarrow()
    out = location(output)
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not overwrite:
        raise DatasetError(f"{out}: already exists and is not empty; pass --overwrite to export into it")
    listed: list[PathLike] = [sources] if isinstance(sources, (str, os.PathLike)) else list(sources)
    for given in listed:  # annotations in a .zip are read in place; a dataset is read from its folder
        if (folder := zip_folder(given)) != given and is_voc_root(folder):
            raise DatasetError(f"{given}: a zip archive of a VOC dataset: unpack it, and export the folder it holds")
    notes: list[str] = []
    if len(listed) == 1 and is_voc_root(listed[0]) and not (source in (None, "segmentation-mask") and is_mask_export(listed[0])):
        root = location(listed[0])
        if group:
            raise DatasetError(f"{root}: a VOC dataset is exported by its own split files; labeltools split --group splits it so first")
        table = dataset_class_table(root, classes)
        if table is None:
            raise DatasetError(f"{root}: no class_names.txt; give the class table (--classes; -c voc: PASCAL VOC's own 21 classes)")
        semantic = options.to == "yolo-semantic"
        if semantic and (trained := table.with_preset_train_ids()).has_train_ids:
            table = trained
            notes.append(
                f"classes: {table.source}: the masks keep their label ids, and data.yaml's label_mapping gives "
                f"Ultralytics their {len(table.train_table().names)} train ids (255 ignore_label)"
            )
        items = _voc_items(root, split, options.objects == "regions" or options.to in MAP_TARGETS, notes)
    elif options.to in MAP_TARGETS:
        given = " ".join(shell_word(str(path)) for path in listed)
        raise DatasetError(
            f"{', '.join(map(str, listed))}: {MAP_EXPORTS[options.to]} writes a VOC dataset's class maps; make one first "
            f"(labeltools convert {given} DATASET), then labeltools export DATASET --to {options.to} -d OUT"
        )
    else:
        if options.objects == "regions":
            raise ExportError("objects as connected regions (--objects regions) come from a VOC dataset's class maps; annotations hold their objects")
        kind, files = detect_source(find_annotations(listed, exclude=out, source=source), source)
        if kind in MASK_KINDS:
            what = "a Hugging Face dataset's label maps" if kind == "hub" else "masks of classes"
            raise DatasetError(
                f"{', '.join(map(str, listed))}: {what} hold no objects: convert them into a VOC dataset "
                "(labeltools convert), then export that with --objects regions (each connected region an object)"
            )
        if kind == "labelme":
            found = assign_ids(files)
            table = annotation_class_table(found, classes, jobs)
            if classes is None:  # what was chosen, said as convert says it
                kept = "found in the annotations" if table.source == FOUND_SOURCE else f"from {table.source}, the {LABELME_LABELS} kept with the annotations"
                notes.append(f"classes: {len(table.names)}, {kept} (--classes gives another table)")
        else:
            found, exports = record_items(kind, files, options.images_dir, False)
            if classes is not None:
                table = annotation_class_table(found, classes, jobs)
            elif kind == "cityscapes":  # instances need a background that is no class: labelIds
                table = ClassTable.preset("cityscapes")
            else:
                table = source_class_table(kind, exports)[0]
        own = {item.image_id: item.split for item in found if item.split is not None}
        placed = [item.image_id for item in found if own.get(item.image_id) != "test"]
        video_how = ""
        if group is None:
            group, video_how = video_split_group(found, val_fraction)
        groups = id_groups(placed, group) if group else None  # "" as convert takes it: no groups
        train, val = split_ids(placed, val_fraction, seed, kept_splits(own), groups=groups)
        side = {i: "test" for i, own_side in own.items() if own_side == "test"} | dict.fromkeys(train, "train") | dict.fromkeys(val, "val")
        if own:
            notes.append(f"split: {own_split_note(found, val_fraction)}")
        if groups is not None:
            notes.append(f"split: {group_note(groups, str(group))}" + (f", {video_how}" if video_how else ""))
        items = [
            ExportItem(item.json_path, item.image_id, side[item.image_id], kind=item.kind, record=item.record, names=item.names)
            for item in found
        ]
        if split is not None:
            items = [item for item in items if item.split == split]
            if not items:
                raise DatasetError(f"no annotation falls in split {split!r} (labelme sources are split into train and val)")
    check_letter_case([f"{item.split}/{item.image_id}" for item in items], out, "export")
    log.debug("exporting %d images to %s as %s", len(items), out, options.to)
    return Export(out, table, items, options, jobs, fresh=not out.exists() or not any(out.iterdir()), notes=notes)
