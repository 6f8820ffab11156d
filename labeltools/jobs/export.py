"""Instance exports: COCO and YOLO segmentation, from labelme annotations or a VOC dataset with
``SegmentationObject``, each object checked against its source after it is written.

Every object is the set of pixels its source gives it: a labelme object's shapes painted alone
(as labelme paints each shape), a VOC instance's pixels in ``SegmentationObject``. It is written
as a polygon along its pixel outline, which COCO readers (and, moved to the pixel centres, YOLO
readers) fill back to exactly those pixels; an object with holes or several parts is COCO RLE
(or, with ``rle``, every object is), and in YOLO one polygon per part, its holes left out. Then
what was written is read back (pycocotools' decoding for COCO, labelme's polygon fill for YOLO)
and compared with the object: IoU, pixels lost and added.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from labeltools.core._types import PathLike
from labeltools.core.classes import ClassTable
from labeltools.core.errors import DatasetError, ExportError, LabelFileError
from labeltools.core.options import (
    DEFAULT_LABELME_RULES,
    DEFAULT_LINE_WIDTH,
    DEFAULT_MIN_IOU,
    DEFAULT_POINT_SIZE,
    EXPORT_TARGETS,
    LABELME_RULES,
    VOID,
)
from labeltools.engine.executor import FileResult, OneRun, map_files
from labeltools.engine.storage import (
    atomic_write,
    atomic_writes,
    is_remote,
    location,
    output_lock,
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
    segmentation_rle,
    write_coco,
)
from labeltools.formats.labelme import labelme_objects, open_source_image, read_labelme
from labeltools.formats.labels import read_image_bytes, read_label
from labeltools.formats.voc import (
    OBJECTS_DIR,
    available_splits,
    dataset_class_table,
    image_path,
    is_voc_root,
    label_ids,
    label_path,
    read_split,
    save_class_names,
)
from labeltools.formats.yolo import (
    data_yaml,
    parse_yolo_labels,
    rasterise_polygons,
    yolo_line,
)
from labeltools.jobs.convert import (
    annotation_class_table,
    assign_ids,
    dataset_image,
    find_annotations,
    save_dataset_image,
)
from labeltools.ops.outlines import mask_outlines, single_outline
from labeltools.ops.splits import check_fraction, split_ids

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class ExportOptions:
    """How objects are written and checked.

    Attributes:
        to: ``"coco"`` or ``"yolo-seg"``.
        rle: COCO: every object as RLE, not only those with holes or several parts.
        copy_images: COCO: copy the images into ``images/<split>/`` (bytes unchanged where
            they need no turning upright); without it ``file_name`` is the source image's path.
            YOLO always copies (its layout holds the images).
        min_iou: objects whose written form reads back with a lower IoU are listed.
        strict: such objects fail their file (nothing of it is written).
        line_width, point_size, labelme_rules, unknown: as for ``convert`` (``labelme_rules``
            ``"7"`` or ``"6"``, labelme 7.9.1's or 6.3.1's rasteriser).
    """

    to: str = "coco"
    rle: bool = False
    copy_images: bool = False
    allow_image_urls: bool = False  # fetch an imagePath that is a URL (see find_image_file)
    min_iou: float = DEFAULT_MIN_IOU
    strict: bool = False
    line_width: int = DEFAULT_LINE_WIDTH
    point_size: int = DEFAULT_POINT_SIZE
    labelme_rules: str = DEFAULT_LABELME_RULES
    unknown: str = "error"

    def check(self) -> None:
        if self.to not in EXPORT_TARGETS:
            raise ExportError(f"export format must be one of {', '.join(EXPORT_TARGETS)}, got {self.to!r}")
        if not 0 <= self.min_iou <= 1:
            raise ExportError(f"min_iou must lie in 0..1, got {self.min_iou}")
        if self.labelme_rules not in LABELME_RULES:
            raise ExportError(f"labelme rules must be one of {', '.join(LABELME_RULES)}, got {self.labelme_rules!r}")


@dataclass(frozen=True)
class ExportItem:
    """One image to export: a labelme annotation, or an id of a VOC dataset."""

    source: str  # the JSON file, or the VOC folder
    image_id: str
    split: str
    voc: bool = False

    def __str__(self) -> str:  # failures are reported by file
        return str(label_path(self.source, self.image_id)) if self.voc else self.source


#: The IoU at which an object's own polygon (as annotated) is written rather than its outline.
KEEP_VERTICES_IOU = 0.99


@dataclass
class _Object:
    category: int
    mask: NDArray[np.bool_]
    name: str  # how the summary names it: "object 3" (labelme instance number) or "instance 3"
    vertices: NDArray[np.float64] | None = None  # a polygon's corners as annotated (pixel centres)
    offset: tuple[int, int] = (0, 0)  # the image pixel of mask[0, 0]: masks cover the object's box

    def full_mask(self, height: int, width: int) -> NDArray[np.bool_]:
        full = np.zeros((height, width), dtype=bool)
        x, y = self.offset
        full[y : y + self.mask.shape[0], x : x + self.mask.shape[1]] = self.mask
        return full


def _labelme_source(item: ExportItem, table: ClassTable, options: ExportOptions) -> tuple[Any, list[_Object]]:
    doc = read_labelme(item.source)
    image = open_source_image(doc, options.allow_image_urls)
    found = labelme_objects(
        doc, table, (image.height, image.width), line_width=options.line_width,
        point_size=options.point_size, rules=options.labelme_rules, unknown=options.unknown,  # type: ignore[arg-type]
    )  # fmt: skip
    return image, [_Object(o.category, o.mask, f"object {o.number}", o.vertices, o.offset) for o in found]


def _voc_objects(item: ExportItem) -> tuple[Path, int, int, list[_Object]]:
    """A VOC id's image, size and instances: each value 1..254 of ``SegmentationObject``, its
    class the one its pixels hold in ``SegmentationClass``."""
    instances = read_label(location(item.source) / OBJECTS_DIR / f"{item.image_id}.png")
    classes = read_label(label_path(item.source, item.image_id))
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
        rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
        box = mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
        objects.append(_Object(int(held.argmax()), box, f"instance {value}", offset=(int(cols[0]), int(rows[0]))))
    height, width = instances.shape
    return image_path(item.source, item.image_id), height, width, objects


def _compare(written: NDArray[np.bool_], source: NDArray[np.bool_]) -> dict[str, Any]:
    both = int(np.count_nonzero(written & source))
    either = int(np.count_nonzero(written | source))
    return {
        "iou": 1.0 if not either else both / either,
        "lost": int(np.count_nonzero(source & ~written)),
        "added": int(np.count_nonzero(written & ~source)),
    }


def _coco_object(obj: _Object, height: int, width: int, rle: bool) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """An object as COCO: a polygon shape as annotated when pycocotools fills it back to
    labelme's pixels, else as its pixel outline; any other object (circles, lines, points, masks,
    VOC instances) as the RLE of its pixels; with ``rle``, every object. What is written is read
    back as a COCO reader reads it and compared with the object's pixels, run by run."""
    if not obj.mask.any():
        return None, {"iou": 0.0, "lost": 0, "added": 0, "kind": "none", "reason": "no pixels (outside the image)"}
    source = box_rle(obj.mask, obj.offset, height, width)
    source_area = area(source)

    def candidates() -> Iterator[tuple[Any, str, str]]:
        if obj.vertices is not None and not rle:
            if len(obj.vertices) >= 3:  # in COCO's coordinates pixel x spans x..x+1
                yield polygons([obj.vertices + 0.5]), "polygon", "rasterised differently"
            outline = single_outline(obj.mask)
            if outline is not None:
                yield polygons([outline.astype(np.int64) + obj.offset]), "outline", "differs from its source"
        yield encode_rle_dict(source), "rle", "differs from its source"

    for segmentation, kind, reason in candidates():
        written = segmentation_rle(segmentation, height, width)  # as a COCO reader reads it
        check, written_area = compare(written, source, source_area)
        if kind != "polygon" or check["iou"] >= KEEP_VERTICES_IOU:
            break
    annotation = {
        "category_id": obj.category, "segmentation": segmentation, "area": written_area,
        "bbox": box(written), "iscrowd": 0,
    }  # fmt: skip
    return annotation, {**check, "kind": kind, "reason": reason}


def _yolo_read_back(lines: Sequence[str], width: int, height: int) -> NDArray[np.bool_]:
    return rasterise_polygons([points for _, points in parse_yolo_labels("\n".join(lines))], width, height)


def _yolo_object(obj: _Object, height: int, width: int) -> tuple[list[str], dict[str, Any]]:
    mask = obj.full_mask(height, width)
    if obj.vertices is not None and len(obj.vertices) >= 3:
        lines = [yolo_line(obj.category, obj.vertices, width, height)]
        check = _compare(_yolo_read_back(lines, width, height), mask)
        if check["iou"] >= KEEP_VERTICES_IOU:
            return lines, {**check, "kind": "polygon", "reason": "rasterised differently", "holes": 0}
    outlines = mask_outlines(mask)
    if not outlines.outer:
        return [], {"iou": 0.0, "lost": 0, "added": 0, "kind": "none", "reason": "no pixels (too small to trace)", "holes": 0}
    lines = [yolo_line(obj.category, loop, width, height) for loop in outlines.centres()]
    check = _compare(_yolo_read_back(lines, width, height), mask)
    reason = "hole dropped" if outlines.holes else "differs from its source"
    kind = "outline" if len(lines) == 1 else f"{len(lines)} outlines"
    return lines, {**check, "kind": kind, "reason": reason, "holes": outlines.holes}


def export_item(item: ExportItem, output: str, table: ClassTable, options: ExportOptions) -> FileResult:
    """Export one image's objects (see the module docs) and check each one.

    Returns:
        A :class:`FileResult` whose ``data`` holds the image (``file_name``, ``width``,
        ``height``), the COCO annotations (without ids, as compact JSON text), and per object
        its check (``iou``, ``lost``, ``added``, the form written, and why it may differ).

    Raises:
        AnnotationError, LabelFileError, DatasetError: the source is bad. ExportError: with
        ``strict``, objects below ``min_iou`` (nothing of the image is written).
    """
    root = location(output)
    if item.voc:
        source_image, height, width, objects = _voc_objects(item)
        labelme_image = None
    else:
        labelme_image, objects = _labelme_source(item, table, options)
        height, width = labelme_image.height, labelme_image.width
        source_image = labelme_image.path
    annotations: list[str] = []
    lines: list[str] = []
    checks = []
    for obj in objects:
        if options.to == "coco":
            annotation, check = _coco_object(obj, height, width, options.rle)
            if annotation is not None:
                annotations.append(annotation_text(annotation))
        else:
            written, check = _yolo_object(obj, height, width)
            lines += written
        checks.append({"object": obj.name, "category": obj.category, **check})
    below = [c for c in checks if c["iou"] < options.min_iou]
    if below and options.strict:
        listed = "; ".join(f"{c['object']} (class {c['category']}): IoU {c['iou']:.4f}, {c['reason']}" for c in below)
        raise ExportError(f"{item}: {len(below)} object(s) below --min-iou {options.min_iou}: {listed}")

    upright = labelme_image is None or not labelme_image.needs_transpose  # else the file is turned
    copy = options.to == "yolo-seg" or options.copy_images or source_image is None or not upright
    file_name = str(source_image) if source_image is not None else ""
    with atomic_writes() as stage:
        if copy:
            if labelme_image is not None:
                ext, payload, save_args = dataset_image(labelme_image, "keep")
            else:
                assert source_image is not None
                ext, payload, save_args = Path(source_image).suffix.lower(), read_image_bytes(source_image, LabelFileError, "image"), {}
            relative = f"images/{item.split}/{item.image_id}{ext}"
            save_dataset_image(stage(root / relative), payload, save_args)
            file_name = relative
        if options.to == "yolo-seg":
            stage(root / "labels" / item.split / f"{item.image_id}.txt").write_text("".join(f"{line}\n" for line in lines))
    return FileResult(
        source=str(item),
        data={
            "id": item.image_id, "split": item.split,
            "image": {"file_name": file_name, "width": width, "height": height},
            "annotations": annotations, "objects": checks,
        },
    )  # fmt: skip


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

    @property
    def from_voc(self) -> bool:
        """True when the objects come from a VOC dataset's instance maps, not labelme shapes."""
        return bool(self.items) and self.items[0].voc

    @property
    def splits(self) -> list[str]:
        return sorted({item.split for item in self.items}, key=lambda s: (s != "train", s != "val", s))

    def _run(self) -> Iterator[FileResult]:
        with output_lock(self.output):  # one writer at a time
            yield from self._export()

    def _export(self) -> Iterator[FileResult]:
        work = functools.partial(export_item, output=str(self.output), table=self.table, options=self.options)
        documents: dict[str, tuple[list[dict[str, Any]], list[tuple[int, str]]]] = {s: ([], []) for s in self.splits}
        results = map_files(work, self.items, self.jobs)
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
        except BaseException:  # interrupted (or closed) before the annotations were written
            results.close()  # the workers stop, unwinding the files they were writing
            if self.fresh and not is_remote(self.output):  # what they wrote has no annotation file: no export
                for folder in ("images", "labels"):
                    shutil.rmtree(self.output / folder, ignore_errors=True)
            raise
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
            with atomic_write(path) as tmp:
                tmp.write_text(data_yaml(self.table, [s for s in self.splits if self.images.get(s)]))
            self.written.append(path)

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
            "labelme_rules": None if self.from_voc else self.options.labelme_rules,
        }  # fmt: skip


def _voc_items(root: Path, split: str | None) -> list[ExportItem]:
    if not (root / OBJECTS_DIR).is_dir():
        raise DatasetError(
            f"{root}: has no {OBJECTS_DIR}/; an instance export needs instance maps "
            "(labeltools convert --instances writes them)"
        )
    present = [s for s in ("train", "val") if s in available_splits(root)]
    chosen: dict[str, list[str]]
    if present:
        chosen = {s: read_split(root, s) for s in present}
    else:
        chosen = {"train": label_ids(root)}
    if split is not None:
        if split not in chosen and split in available_splits(root):
            chosen = {split: read_split(root, split)}
        chosen = {s: ids for s, ids in chosen.items() if s == split}
        if not chosen:
            raise DatasetError(f"{root}: no split {split!r} (splits present: {', '.join(available_splits(root)) or 'none'})")
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
    overwrite: bool = False,
    jobs: int | None = None,
) -> Export:
    """Check an export and return it ready to run.

    ``sources`` is one VOC dataset with ``SegmentationObject`` (its ``train``/``val`` split
    files, else every label as ``train``), or labelme folders and JSON files (split as
    ``convert`` splits them, from ``val_fraction`` and ``seed``). With ``split``, only that
    split is exported. The class table is ``classes``, else the dataset's, else the labels
    found in the annotations, as for ``convert``.

    Raises:
        DatasetError: no such source, a VOC dataset without instance maps, OUTPUT not empty
            without ``overwrite``. ExportError: bad options, pycocotools missing for COCO.
    """
    options.check()
    check_fraction(val_fraction)
    if options.to == "coco":
        require_pycocotools()  # say now, before any file is read, if it is missing
    out = location(output)
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not overwrite:
        raise DatasetError(f"{out}: already exists and is not empty; pass --overwrite to export into it")
    listed: list[PathLike] = [sources] if isinstance(sources, (str, os.PathLike)) else list(sources)
    if len(listed) == 1 and is_voc_root(listed[0]):
        root = location(listed[0])
        table = dataset_class_table(root, classes)
        if table is None:
            raise DatasetError(f"{root}: no class_names.txt; give the class table (--classes)")
        items = _voc_items(root, split)
    else:
        found = assign_ids(find_annotations(listed, exclude=out))
        table = annotation_class_table(found, classes, jobs)
        train, val = split_ids([item.image_id for item in found], val_fraction, seed)
        side = {image_id: "train" for image_id in train} | {image_id: "val" for image_id in val}
        items = [ExportItem(item.json_path, item.image_id, side[item.image_id]) for item in found]
        if split is not None:
            items = [item for item in items if item.split == split]
            if not items:
                raise DatasetError(f"no annotation falls in split {split!r} (labelme sources are split into train and val)")
    log.debug("exporting %d images to %s as %s", len(items), out, options.to)
    return Export(out, table, items, options, jobs, fresh=not out.exists() or not any(out.iterdir()))
