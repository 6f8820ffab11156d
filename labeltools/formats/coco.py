"""COCO instance annotations: one JSON per split, each object a polygon or an RLE mask; written
by the COCO export, read into the neutral annotation layer by ``convert --from coco``, as are
COCO panoptic files (each image's segments in a PNG beside the JSON).

pycocotools compresses the RLE and reads back what was written (the round-trip check merges and
measures runs, no pixel is decoded); it is the ``coco`` extra, imported when an export runs.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw

from labeltools.core.annotations import (
    AnnotatedImage,
    AnnotatedObject,
    AnnotationExport,
    Geometry,
    PanopticSegments,
    SourceClass,
)
from labeltools.core.classes import IGNORE_NAME, ClassTable
from labeltools.core.errors import AnnotationError, ExportError, require_extra, shown
from labeltools.core.files import json_text
from labeltools.core.options import VOID
from labeltools.core.version import __version__
from labeltools.engine.storage import atomic_write, location
from labeltools.formats.labels import open_image
from labeltools.formats.sources import (
    BadObject,
    image_size,
    points_array,
    read_json,
    served_image_candidates,
    served_name,
)

log = logging.getLogger(__name__)


def require_pycocotools() -> Any:
    """pycocotools' mask module.

    Raises:
        ExportError: pycocotools is not installed (saying how to install it).
    """
    return require_extra("pycocotools.mask", "exporting to COCO needs pycocotools", "coco", ExportError)


def categories(table: ClassTable) -> list[dict[str, Any]]:
    """COCO categories: every class but background (0), with its class index as ``id`` (so
    ids are those of ``class_names.txt``, stable across runs)."""
    return [
        {"id": entry.index, "name": entry.name, "supercategory": "object"}
        for entry in table.classes
        if 0 < entry.index < VOID
    ]


def encode_rle_dict(rle: Any) -> dict[str, Any]:
    """pycocotools' RLE as JSON holds it, ``{"size": [H, W], "counts": str}``."""
    return {"size": [int(v) for v in rle["size"]], "counts": rle["counts"].decode("ascii")}


def box_rle(mask: NDArray[np.bool_], offset: tuple[int, int], height: int, width: int) -> dict[str, Any]:
    """The compressed RLE, over the whole ``height`` x ``width`` image, of a mask given as the
    pixels of a box whose top-left pixel is ``offset`` ``(x, y)``.

    COCO counts runs down each column, so a run starts or ends wherever a pixel differs from
    the one above it (the box padded with an empty row above and below). Those changes are
    found along the box's rows, where the pixels lie in memory order, and sorted into the
    column order of the image: a small object costs little whatever the image size, and
    nothing is transposed. When the box spans the image's height, the change at the foot of a
    column and the one at the head of the next fall on the same pixel (two changes there are
    none).
    """
    x, y = offset
    box_height, box_width = mask.shape
    mask = np.asarray(mask, dtype=bool)
    padded: NDArray[np.bool_]
    if mask[0].any() or mask[-1].any():
        padded, first = np.zeros((box_height + 2, box_width), dtype=bool), y
        padded[1:-1] = mask
    else:  # its first and last rows are empty already (a box with room to spare)
        padded, first = mask, y + 1
    # Change r lies between rows r and r + 1 of padded: a run starts or ends at its row r + 1,
    # image row first + r (first: the image row of padded's row 1).
    rows, columns = np.divmod(np.flatnonzero(padded[1:] != padded[:-1]), box_width)
    changes = (columns + x) * height + (rows + first)
    changes.sort()
    if box_height == height:
        same = np.flatnonzero(changes[1:] == changes[:-1])
        changes = np.delete(changes, np.concatenate([same, same + 1]))
    bounds = np.empty(len(changes) + 2, np.int64)
    bounds[0], bounds[1:-1], bounds[-1] = 0, changes, height * width
    runs = (bounds[1:] - bounds[:-1]).tolist()
    if runs[-1] == 0:  # a change at the foot of the image's last column is no change
        runs.pop()
    return require_pycocotools().frPyObjects({"counts": runs, "size": [height, width]}, height, width)  # type: ignore[no-any-return]


def compare(written: Any, source: Any, source_area: int) -> tuple[dict[str, Any], int]:
    """IoU, and pixels lost and added, of a written segmentation's RLE against the source's
    (of ``source_area`` pixels), computed by pycocotools on the runs (nothing is decoded to
    pixels); and the written area. Equal runs are equal masks, with nothing to merge."""
    masks = require_pycocotools()
    written_area = int(masks.area(written))
    if written["counts"] == source["counts"]:
        both = source_area
    else:
        both = int(masks.area(masks.merge([written, source], intersect=True)))
    either = written_area + source_area - both
    check = {"iou": 1.0 if not either else both / either, "lost": source_area - both, "added": written_area - both}
    return check, written_area


def segmentation_rle(segmentation: Any, height: int, width: int) -> Any:
    """The RLE a COCO reader builds from a segmentation as written (polygons or compressed RLE)."""
    masks = require_pycocotools()
    if isinstance(segmentation, list):
        return masks.merge(masks.frPyObjects(segmentation, height, width))
    return {"size": segmentation["size"], "counts": segmentation["counts"].encode("ascii")}


def rounded_fill(segmentation: Sequence[Sequence[float]], height: int, width: int) -> Any:
    """The RLE of polygons as readers that fill them with OpenCV read them (supervision's COCO
    loader): vertices rounded to whole pixels, each polygon filled with its outline included,
    by Pillow here (COCO export needs no OpenCV; the two fills differ only where a slanted edge
    passes, which the agreement threshold leaves room for). Drawn on the box the polygons
    reach only."""
    loops = [np.round(np.asarray(loop, dtype=np.float64).reshape(-1, 2)) for loop in segmentation]
    corners = np.concatenate(loops)
    x0, y0 = (max(int(v), 0) for v in corners.min(axis=0))
    x1, y1 = min(int(corners[:, 0].max()) + 1, width), min(int(corners[:, 1].max()) + 1, height)
    if x0 >= x1 or y0 >= y1:
        return box_rle(np.zeros((1, 1), dtype=bool), (0, 0), height, width)
    canvas = Image.new("L", (x1 - x0, y1 - y0), 0)
    draw = ImageDraw.Draw(canvas)
    for loop in loops:
        draw.polygon([(x - x0, y - y0) for x, y in loop.tolist()], fill=1, outline=1)
    return box_rle(np.asarray(canvas, dtype=bool), (x0, y0), height, width)


def area(rle: Any) -> int:
    """The pixel area of an RLE."""
    return int(require_pycocotools().area(rle))


def box(rle: Any) -> list[float]:
    """The ``[x, y, w, h]`` box of an RLE, as pycocotools gives it."""
    return [float(v) for v in require_pycocotools().toBbox(rle)]


def polygons(outlines: Sequence[NDArray[Any]]) -> list[list[float]]:
    """Outlines (corner coordinates) as COCO polygons ``[[x1, y1, x2, y2, ...], ...]``; integer
    corners (pixel outlines) stay integers, which JSON writes shorter and quicker."""
    return [np.asarray(loop).ravel().tolist() for loop in outlines]


def annotation_text(annotation: dict[str, Any]) -> str:
    """An annotation (without ``id`` and ``image_id``) as compact JSON, for :func:`write_coco`:
    the workers that make annotations encode them, in parallel, and the one process that
    numbers them only joins text."""
    return _compact(annotation)


def _compact(value: Any) -> str:
    return json_text(value, separators=(",", ":"))


def write_coco(
    path: Any, images: list[dict[str, Any]], annotations: list[tuple[int, str]], table: ClassTable
) -> None:
    """Write a COCO instances document, atomically: ``images`` (with their ``id``), and each
    annotation as ``(image_id, annotation_text(...))``, numbered from 1 in that order. The
    JSON is compact (a dataset's file is read by programs, and indenting its coordinates would
    make it several times larger) UTF-8."""
    head = _compact({"description": "exported by labeltools", "version": __version__})
    parts = [f'{{"info":{head},"licenses":[],"images":{_compact(images)},"annotations":[']
    # An annotation's text is a non-empty object: "{" opens it, the numbers go first.
    parts.append(",".join(f'{{"id":{n},"image_id":{image},{text[1:]}' for n, (image, text) in enumerate(annotations, 1)))
    parts.append(f'],"categories":{_compact(categories(table))}}}\n')
    with atomic_write(path) as tmp:
        tmp.write_text("".join(parts), encoding="utf-8")


# --- reading: COCO instances -> the neutral annotation layer ----------------------------------


def _split_of(path: Path) -> str | None:
    """``train`` of ``instances_train.json`` / ``instances_train2017.json`` (and of
    ``panoptic_train2017.json``, ``person_keypoints_train2017.json``), else None."""
    prefix = next((p for p in ("instances_", "panoptic_", KEYPOINTS_PREFIX) if path.stem.startswith(p)), None)
    if prefix is None:
        return None
    return path.stem.removeprefix(prefix) or None


#: COCO's own annotation files that hold no outline of their own: each image's captions, and
#: the keypoints of the persons its instances file outlines too (their ``segmentation`` the same).
CAPTIONS_PREFIX, KEYPOINTS_PREFIX = "captions_", "person_keypoints_"


def coco_companions(paths: Sequence[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """COCO files to read, and those left out with why, in words: COCO's captions files, and
    its person keypoints files beside the instances file of their split (COCO's
    ``annotations/`` folder holds all three), whose persons would be read twice."""
    instances = {(str(p.parent), p.stem.removeprefix("instances_")) for p in paths if p.stem.startswith("instances_")}
    kept, left = [], []
    for path in paths:
        if path.stem.startswith(CAPTIONS_PREFIX):
            left.append((path, "COCO's captions of its images, no outlines"))
        elif path.stem.startswith(KEYPOINTS_PREFIX) and (str(path.parent), path.stem.removeprefix(KEYPOINTS_PREFIX)) in instances:
            left.append((path, f"COCO's person keypoints, whose persons instances_{path.stem.removeprefix(KEYPOINTS_PREFIX)}.json outlines too"))
        else:
            kept.append(path)
    return kept, left


def _image_folders(path: Path) -> list[Path]:
    """Where a COCO export keeps its images, relative to its JSON file: beside it, beside its
    ``annotations/`` folder, under ``images/`` or ``images/<split>/`` there, or in
    ``<split>/`` (COCO 2017's ``train2017/``)."""
    here = path.parent
    folders = [here, here / "images"]
    split = _split_of(path)
    top = here.parent if here.name == "annotations" else here
    if split is not None:
        folders += [top / "images" / split, top / split, here / split]
    folders += [top, top / "images"]
    return list(dict.fromkeys(folders))


def string_counts(text: str, what: str) -> list[int]:
    """The run lengths of a compressed COCO RLE string, decoded as pycocotools' ``rleFrString``
    decodes them (six bits a character from ``0``, five of value and a continuation bit, the
    last one's sign bit extended; from the third run on, each is a difference to the run two
    before), checked here because pycocotools decodes without bounds.

    Raises:
        BadObject: a character outside the code, a run cut off, or a negative run.
    """
    runs: list[int] = []
    value = shift = 0
    for position, char in enumerate(text):
        code = ord(char) - 48
        if not 0 <= code < 64:
            raise BadObject(f"{what} holds {shown(char)} at {position}, which no COCO RLE string holds")
        value |= (code & 0x1F) << shift
        shift += 5
        if code & 0x20:
            continue
        if code & 0x10:
            value -= 1 << shift
        if len(runs) > 2:
            value += runs[-2]
        if not 0 <= value < 2**32:
            raise BadObject(f"{what} decodes to a run of {value} pixels")
        runs.append(value)
        value = shift = 0
    if shift:
        raise BadObject(f"{what} ends inside a run")
    return runs


def coco_segmentation(raw: Any, what: str, height: int | None, width: int | None, warnings: list[str]) -> list[Geometry]:
    """The geometry of a ``segmentation``: polygons, or an RLE of the image's size (of its own,
    checked against the image when it is read, where the file declares none), compressed or
    not. A polygon of fewer than three points covers nothing (pycocotools cannot read one of
    two): it is left out with a warning."""
    if isinstance(raw, list):
        parts = []
        for n, polygon in enumerate(raw):
            if not isinstance(polygon, list):
                raise BadObject(f"{what}[{n}] must be a list of numbers, got {shown(polygon)}")
            if len(polygon) < 6 and len(polygon) % 2 == 0:
                points_array(polygon, f"{what}[{n}]", 0)  # checked, though left out
                warnings.append(f"{what}[{n}] has {len(polygon) // 2} point(s), no area; left out")
                continue
            parts.append(Geometry("polygon", points_array(polygon, f"{what}[{n}]", 3)))
        return parts
    if isinstance(raw, dict):
        rle_size, counts = raw.get("size"), raw.get("counts")
        if not (isinstance(rle_size, list) and len(rle_size) == 2 and all(isinstance(v, int) and not isinstance(v, bool) for v in rle_size)):
            raise BadObject(f"{what}.size must be [height, width], got {shown(rle_size)}")
        if height is None or width is None:
            height, width = image_size(rle_size[0], rle_size[1], f"{what}.size")
        elif rle_size != [height, width]:
            raise BadObject(f"{what}.size is {rle_size[0]}x{rle_size[1]} but the image is {height}x{width}")
        stored: str | bytes | list[int]
        if isinstance(counts, str):
            runs, stored = string_counts(counts, f"{what}.counts"), counts.encode("ascii")
        elif isinstance(counts, list) and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in counts):
            runs = stored = counts
        else:
            raise BadObject(f"{what}.counts must be an RLE string or a list of run lengths, got {shown(counts)}")
        if sum(runs) != height * width:
            raise BadObject(f"{what}.counts add up to {sum(runs)} pixels, the image has {height * width}")
        return [Geometry("rle", rle={"size": rle_size, "counts": stored})]
    raise BadObject(f"{what} must be a list of polygons or an RLE, got {shown(raw)}")


def _segments(anns: Sequence[tuple[int, Any]], names: dict[Any, str], things: dict[Any, bool], pngs: tuple[Path, str | None]) -> PanopticSegments:
    """The segments of an image of a COCO panoptic file: its annotation's ``segments_info``,
    over the PNG ``file_name`` in ``pngs`` (see :func:`_panoptic_folder`).

    Raises:
        BadObject: no annotation, or one that is not a panoptic one.
    """
    if len(anns) != 1:
        raise BadObject(f"{len(anns)} annotations name it; a panoptic file has one an image")
    m, ann = anns[0]
    what = f"annotations[{m}]"
    png, info = ann.get("file_name"), ann.get("segments_info")
    if not isinstance(png, str) or not png or not isinstance(info, list):
        raise BadObject(f"{what} needs a 'file_name' and a 'segments_info' list (a COCO panoptic annotation)")
    segments = []
    for k, raw in enumerate(info):
        seg_id = raw.get("id") if isinstance(raw, dict) else None
        category = raw.get("category_id") if isinstance(raw, dict) else None
        crowd = raw.get("iscrowd", 0) if isinstance(raw, dict) else None
        if isinstance(seg_id, bool) or not isinstance(seg_id, int) or not 0 < seg_id < 2**24:
            raise BadObject(f"{what}.segments_info[{k}]: 'id' must be a segment id 1..16777215, got {shown(seg_id)}")
        label = names.get(category) if isinstance(category, int) else None
        if label is None:
            raise BadObject(f"{what}.segments_info[{k}]: category_id {shown(category)} is not among the categories")
        if crowd not in (0, 1):
            raise BadObject(f"{what}.segments_info[{k}]: iscrowd must be 0 or 1, got {shown(crowd)}")
        segments.append((seg_id, label, bool(crowd), things[category]))
    folder, archive = pngs
    return PanopticSegments(str(folder / png) if archive is None else f"zip://{folder.name}/{png}::{archive}", tuple(segments), what)


def _panoptic_folder(path: Path) -> tuple[Path, str | None]:
    """Where the PNGs of the COCO panoptic file ``path`` are: the folder named as the file
    (``annotations/panoptic_val2017/`` beside ``panoptic_val2017.json``), and the archive COCO
    ships that folder as when the folder is not there (``annotations/panoptic_val2017.zip``,
    holding ``panoptic_val2017/``; read in place, not extracted), else None. Asked once per
    file.

    Raises:
        AnnotationError: the file is read from an archive that holds the PNGs' archive (COCO's
            ``panoptic_annotations_trainval2017.zip``): one read in place from inside another
            is read from its start for every PNG.
    """
    folder, archive = location(path.parent / path.stem), location(path.parent / f"{path.stem}.zip")
    if folder.is_dir() or not archive.is_file():
        return folder, None
    if "::" in str(path):
        outer = str(path).rpartition("::")[2]
        raise AnnotationError(
            f"{path}: its PNGs are in {archive.name}, an archive inside {outer}, which is not read in place "
            f"(each PNG would be read from the start of the archive): extract {outer} and give its folder"
        )
    return folder, str(archive)


#: What a missing panoptic PNG is called: where COCO keeps them, beside a panoptic JSON file.
_PANOPTIC_PNG = (
    "panoptic PNG (COCO keeps a panoptic file's PNGs beside it, in the folder named as the file, or "
    "ships them as the .zip of that name)"
)


def with_segments(record: AnnotatedImage) -> AnnotatedImage:
    """A record of a COCO panoptic file with its segments read from its PNG: an object of each
    segment (its instance the segment's id, a stuff segment no instance; a crowd segment a crowd
    region), and the pixels of
    no segment (id 0, unlabeled) a crowd region, void, as panopticapi's semantic conversion
    leaves them. A record kept otherwise is returned as it is.

    Raises:
        AnnotationError: the PNG is missing, unreadable, not RGB or of another size.
    """
    kept = record.panoptic
    if kept is None:
        return record
    with open_image(kept.png, AnnotationError, _PANOPTIC_PNG) as image:
        if image.mode != "RGB":
            raise AnnotationError(f"{kept.png}: is an image of mode {image.mode}, not a panoptic PNG (RGB segment ids)")
        pixels = np.asarray(image).astype(np.int64)
    ids = pixels[..., 0] + (pixels[..., 1] << 8) + (pixels[..., 2] << 16)
    if (record.height, record.width) != ids.shape:
        raise AnnotationError(f"{kept.png}: is {ids.shape[1]}x{ids.shape[0]}, its image {record.width}x{record.height} (width x height)")
    present = set(np.unique(ids).tolist())
    objects = []
    for seg_id, label, crowd, thing in kept.segments:
        if seg_id in present:
            part = Geometry.of_region(ids == seg_id)
            objects.append(AnnotatedObject(label, (part,), f"{kept.where} segment {seg_id}", instance=seg_id, crowd=crowd, stuff=not thing))
    listed = {segment[0] for segment in kept.segments}
    if present - listed - {0}:
        extra = sorted(present - listed - {0})
        raise AnnotationError(f"{kept.png}: holds segment id(s) {', '.join(map(str, extra[:5]))} that {kept.where}'s segments_info lacks")
    if 0 in present:
        objects.append(AnnotatedObject(IGNORE_NAME, (Geometry.of_region(ids == 0),), f"{kept.png}: unlabeled pixels", crowd=True))
    return replace(record, objects=tuple(objects), panoptic=None)


def _dataset_category(categories: list[Any], annotations: list[Any]) -> int | None:
    """The id of the category that names the dataset rather than a class, or None: Roboflow's
    COCO export declares one (``{"id": 0, "name": "cells", "supercategory": "none"}``) whose
    name is the supercategory of every other category and which no annotation (nor panoptic
    segment) uses."""
    if len(categories) < 2:
        return None
    used = set()
    for ann in annotations:
        segments = ann.get("segments_info") if isinstance(ann, dict) else None
        for part in [ann, *(segments if isinstance(segments, list) else ())]:
            category = part.get("category_id") if isinstance(part, dict) else None
            used.add(category if isinstance(category, int) else None)
    for category in categories:
        others = [c for c in categories if c is not category]
        if category["id"] not in used and all(c.get("supercategory") == category["name"] for c in others):
            return int(category["id"])
    return None


def read_coco(path: Any, images_dir: Path | None = None) -> AnnotationExport:
    """Read a COCO instances file (see :func:`parse_coco`)."""
    path = location(path)
    return parse_coco(read_json(path), path, images_dir)


def parse_coco(doc: Any, path: Path, images_dir: Path | None = None) -> AnnotationExport:
    """Read a COCO instances (or panoptic) file into the neutral layer, one record per image.

    Each annotation is an object (its own instance) of its category's name; ``iscrowd: 1``
    marks a crowd region. A panoptic file's records keep their segments in their PNG, read
    later (:func:`with_segments`). Images are looked for by ``file_name`` under ``images_dir`` and
    where COCO exports keep them (see :func:`_image_folders`). An annotation that cannot be
    read fails its image alone (the record's ``problem`` names it); one with no
    segmentation (a box only) is left out with a warning.

    Raises:
        AnnotationError: the file is not a COCO instances document.
    """
    if not isinstance(doc, dict) or not all(isinstance(doc.get(k), list) for k in ("images", "annotations", "categories")):
        raise AnnotationError(f"{path}: not a COCO instances file (it needs 'images', 'annotations' and 'categories' lists)")
    names: dict[Any, str] = {}
    things: dict[Any, bool] = {}
    classes = []
    for n, raw in enumerate(doc["categories"]):
        cid = raw.get("id") if isinstance(raw, dict) else None
        name = raw.get("name") if isinstance(raw, dict) else None
        if isinstance(cid, bool) or not isinstance(cid, int) or not isinstance(name, str) or not name:
            raise AnnotationError(f"{path}: categories[{n}] needs an integer 'id' and a 'name', got {shown(raw)}")
        if cid in names:
            raise AnnotationError(f"{path}: categories[{n}] repeats id {cid}")
        names[cid] = name
        things[cid] = raw.get("isthing", 1) != 0  # panoptic categories: stuff has no instances
        classes.append(SourceClass(name, cid))
    panoptic = any(isinstance(ann, dict) and "segments_info" in ann for ann in doc["annotations"])
    named = _dataset_category(doc["categories"], doc["annotations"])
    if named is not None:
        classes = [c for c in classes if c.id != named]
        log.info(
            "%s: category %d %s is the supercategory of all the others and marks no object (the dataset's "
            "name, as Roboflow's export declares it): not a class", path, named, shown(names[named]),
        )  # fmt: skip
    by_image: dict[Any, list[tuple[int, Any]]] = {}
    stray = 0
    for n, ann in enumerate(doc["annotations"]):
        key = ann.get("image_id") if isinstance(ann, dict) else None
        if isinstance(key, (int, str)) and not isinstance(key, bool):
            by_image.setdefault(key, []).append((n, ann))
        else:
            stray += 1
    folders = _image_folders(path)
    pngs: tuple[Path, str | None] | None = None  # where a panoptic file's PNGs are, once its first image needs them
    records = []
    seen: set[Any] = set()
    for n, image in enumerate(doc["images"]):
        where = f"{path}: images[{n}]"
        key = image.get("id") if isinstance(image, dict) else None
        name = image.get("file_name") if isinstance(image, dict) else None
        if not isinstance(key, (int, str)) or isinstance(key, bool) or not isinstance(name, str) or not name:
            raise AnnotationError(f"{where} needs an 'id' and a 'file_name', got {shown(image)}")
        if key in seen:
            raise AnnotationError(f"{where} repeats image id {shown(key)}")
        seen.add(key)
        source = f"{path}: image {shown(name)} (id {shown(key)})"
        objects, warnings, problem = [], [], None
        segments = None
        try:
            height, width = image_size(image.get("height"), image.get("width"))
            if panoptic:
                pngs = pngs or _panoptic_folder(path)
                segments = _segments(by_image.pop(key, []), names, things, pngs)
            for m, ann in by_image.pop(key, []):
                what = f"annotations[{m}]" + (f" (id {shown(ann.get('id'))})" if "id" in ann else "")
                category = ann.get("category_id")
                label = names.get(category) if isinstance(category, int) else None
                if label is None:
                    raise BadObject(f"{what}: category_id {shown(ann.get('category_id'))} is not among the categories")
                raw = ann.get("segmentation")
                if raw in (None, [], {}):
                    warnings.append(f"{what} has no segmentation (a box only); left out")
                    continue
                crowd = ann.get("iscrowd", 0)
                if crowd not in (0, 1):
                    raise BadObject(f"{what}: iscrowd must be 0 or 1, got {shown(crowd)}")
                parts = tuple(coco_segmentation(raw, f"{what}.segmentation", height, width, warnings))
                objects.append(AnnotatedObject(label, parts, what, crowd=bool(crowd)))
        except BadObject as exc:
            problem = f"{source}: {exc}"
            height = width = None  # type: ignore[assignment]
        records.append(AnnotatedImage(
            source=source, annotation_file=str(path), image=served_name(name),
            candidates=served_image_candidates(name, folders, images_dir), height=height, width=width,
            objects=tuple(objects), fill="pycocotools", warnings=tuple(warnings), problem=problem,
            subset=_split_of(path), panoptic=segments,
        ))  # fmt: skip
    stray += sum(len(v) for v in by_image.values())
    if stray:
        log.warning("%s: %d annotation(s) name no image of the file; left out", path, stray)
    return AnnotationExport(str(path), tuple(records), tuple(classes))
