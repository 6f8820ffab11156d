"""CVAT for images 1.1 XML (task or project export) -> the neutral annotation layer.

``<annotations>`` holds ``<meta>`` (the labels, with their colours, under ``<task>`` or
``<project>``) and one ``<image>`` per frame (``name``, ``width``, ``height``, ``subset``) with
its shapes: ``box`` (``xtl ytl xbr ybr``, ``rotation`` in degrees about its centre),
``polygon``, ``polyline`` and ``points`` (``points="x,y;x,y"``), ``mask`` (``rle`` runs over the
``left top width height`` box, row by row, starting with a run of empty pixels) and
``ellipse`` (``cx cy rx ry``). Each has a ``label``, a ``z_order`` and optionally a ``group_id``
(shapes of one group and label are one instance).

Label maps paint boxes, polygons, masks and ellipses as CVAT's "Segmentation mask" export does
(through Datumaro: polygons filled by pycocotools, a group's shapes merged under its largest
shape's label, by ascending ``z_order``); polylines and points cover no area and are left out,
with a warning.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from labeltools.core.annotations import (
    AnnotatedImage,
    AnnotatedObject,
    AnnotationExport,
    Geometry,
    SourceClass,
)
from labeltools.core.errors import AnnotationError, shown
from labeltools.engine.storage import location, read_bytes
from labeltools.formats.sources import (
    BadObject,
    hex_colour,
    image_candidates,
    image_size,
    number,
    points_array,
    size,
    turned,
)

SHAPES = ("box", "polygon", "polyline", "points", "mask", "ellipse")

#: An ellipse is drawn as a polygon of this many corners (as CVAT draws ellipses into masks).
_ELLIPSE_CORNERS = 64


def is_cvat_xml(head: bytes) -> bool:
    """True when the start of a file looks like a CVAT for images XML export."""
    return b"<annotations" in head and (b"<version>1.1</version>" in head or b"<meta>" in head)


def other_xml(head: bytes) -> str:
    """What an XML file that is no CVAT export is, from its start, in words that end a refusal."""
    if b"<annotation" in head and any(tag in head for tag in (b"<imagesize>", b"<polygon>", b"<pt>")):
        return (
            'an MIT LabelMe XML annotation (CVAT\'s "LabelMe 3.0" export, not the labelme tool\'s JSON), which '
            'labeltools does not read: export the task as "CVAT for images 1.1" or "COCO 1.0"'
        )
    if b"<annotation" in head and (b"<bndbox>" in head or b"<size>" in head):
        return (
            'a PASCAL VOC detection annotation (LabelImg\'s, CVAT\'s "PASCAL VOC 1.1"): boxes, which have no '
            "outline to paint a class map by"
        )
    return "an XML file of no annotation tool labeltools reads (CVAT for images 1.1 and CVAT for video 1.1 are its XML)"


def _labels(root: ET.Element) -> tuple[SourceClass, ...]:
    found: dict[str, SourceClass] = {}
    for label in root.iterfind("./meta/*/labels/label"):
        name = (label.findtext("name") or "").strip()
        if name and name not in found:
            found[name] = SourceClass(name, None, hex_colour(label.findtext("color")))
    return tuple(found.values())


def _points(raw: str | None, what: str, least: int) -> np.ndarray:
    if raw is None:
        raise BadObject(f"{what} has no 'points'")
    values: list[float] = []
    for pair in raw.split(";"):
        xy = pair.split(",")
        if len(xy) != 2:
            raise BadObject(f"{what}: points must be 'x,y;x,y...', got {shown(raw)}")
        try:
            values += [float(xy[0]), float(xy[1])]
        except ValueError:
            raise BadObject(f"{what}: points must be numbers, got {shown(pair)}") from None
    return points_array(values, f"{what}.points", least)


def _attr(element: ET.Element, name: str, what: str) -> float:
    raw = element.get(name)
    try:
        value = float(raw) if raw is not None else None
    except ValueError:
        value = None
    return number(value, f"{what}.{name}")


def _as_exported(values: Any) -> np.ndarray:
    """Coordinates as CVAT's mask export holds them: Datumaro keeps a shape's points as float32
    rounded to 2 decimals, and the fill rounds at ties, so the exact values decide pixels."""
    return np.asarray(values, dtype=np.float64).astype(np.float32).round(2).astype(np.float64)


def _rotation(element: ET.Element, what: str) -> float | None:
    """A shape's ``rotation`` in degrees, None when it has none."""
    return _attr(element, "rotation", what) if element.get("rotation") is not None else None


def _box(element: ET.Element, what: str) -> Geometry:
    x0, y0, x1, y1 = (_attr(element, k, what) for k in ("xtl", "ytl", "xbr", "ybr"))
    return box_geometry(x0, y0, x1 - x0, y1 - y0, _rotation(element, what), ((x0 + x1) / 2, (y0 + y1) / 2))


def box_geometry(x0: float, y0: float, w: float, h: float, angle: float | None, centre: tuple[float, float] | None = None) -> Geometry:
    """A CVAT box from its corner and size as CVAT's mask export holds it: a ``box``, or, turned
    by ``angle`` degrees about its ``centre``, the polygon of its corners."""
    if angle is None:
        return Geometry("box", _as_exported([x0, y0, x0 + w, y0 + h]).reshape(2, 2))
    # CVAT turns a box about its centre, clockwise on screen (y down), by ``rotation`` degrees.
    cx, cy = centre if centre is not None else (x0 + w / 2, y0 + h / 2)
    cx, cy, w, h, angle = _as_exported([cx, cy, w, h, angle]).tolist()
    offsets = np.array([(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)])
    return Geometry("polygon", _as_exported(turned(offsets, angle) + (cx, cy)))


def _mask(element: ET.Element, what: str, image_hw: tuple[int, int]) -> Geometry:
    left, top = int(_attr(element, "left", what)), int(_attr(element, "top", what))
    width = size(int(_attr(element, "width", what)), f"{what}.width")
    height = size(int(_attr(element, "height", what)), f"{what}.height")
    if width > image_hw[1] or height > image_hw[0]:
        raise BadObject(f"{what}: its {width}x{height} box is larger than the {image_hw[1]}x{image_hw[0]} image")
    try:
        runs = [int(v) for v in (element.get("rle") or "").split(",")]
    except ValueError:
        raise BadObject(f"{what}: rle must be comma-separated whole numbers") from None
    if any(r < 0 for r in runs) or sum(runs) != width * height:
        raise BadObject(f"{what}: rle runs add up to {sum(runs)} pixels, its {width}x{height} box has {width * height}")
    values = np.zeros(len(runs), dtype=bool)
    values[1::2] = True  # runs alternate, empty first
    mask = np.repeat(values, runs).reshape(height, width)
    return Geometry("mask", mask=mask, offset=(left, top))


def _ellipse(element: ET.Element, what: str) -> Geometry:
    cx, cy, rx, ry = (_attr(element, k, what) for k in ("cx", "cy", "rx", "ry"))
    return ellipse_geometry(cx, cy, rx, ry, _rotation(element, what))


def ellipse_geometry(cx: float, cy: float, rx: float, ry: float, angle: float | None) -> Geometry:
    """A CVAT ellipse as the polygon CVAT draws it into masks, turned by ``angle`` degrees."""
    t = np.linspace(0, 2 * math.pi, _ELLIPSE_CORNERS, endpoint=False)
    points = np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], axis=1)
    if angle:
        points = turned(points - (cx, cy), angle) + (cx, cy)
    return Geometry("polygon", points)


def _geometry(element: ET.Element, what: str, image_hw: tuple[int, int]) -> Geometry:
    kind = element.tag
    if kind == "box":
        return _box(element, what)
    if kind == "mask":
        return _mask(element, what, image_hw)
    if kind == "ellipse":
        return _ellipse(element, what)
    if kind == "polygon":
        return Geometry("polygon", _as_exported(_points(element.get("points"), what, 3)))
    return Geometry("line" if kind == "polyline" else "points", _points(element.get("points"), what, 1))


def _image_folders(path: Path, subset: str | None) -> list[Path]:
    here = path.parent
    folders = [here / "images"]
    if subset:
        folders.append(here / "images" / subset)
    folders.append(here)
    return folders


def read_cvat(path: Any, images_dir: Path | None = None) -> AnnotationExport:
    """Read a CVAT for images 1.1 XML export into the neutral layer, one record per image.

    Raises:
        AnnotationError: the file is not valid XML or not a CVAT for images export.
    """
    path = location(path)
    return parse_cvat(read_bytes(path, AnnotationError), path, images_dir)


def parse_cvat(data: bytes, path: Path, images_dir: Path | None = None) -> AnnotationExport:
    """A CVAT for images 1.1 XML document as records (see :func:`read_cvat`); a CVAT for video
    1.1 document (``<track>`` elements) too, one record per frame that a track lists (see
    :func:`_video_records`).

    Raises:
        AnnotationError: not valid XML, not a CVAT export, or one of images and tracks at once.
    """
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise AnnotationError(f"{path}: not valid XML ({exc})") from None
    if root.tag != "annotations":
        raise AnnotationError(f"{path}: not a CVAT for images XML export (its root is <{shown(root.tag)}>, not <annotations>)")
    if root.find("track") is not None:
        if root.find("image") is not None:
            raise AnnotationError(f"{path}: holds both <image> and <track> elements, which no CVAT export writes together")
        return AnnotationExport(str(path), _video_records(root, path, images_dir), _labels(root))
    records = []
    for n, image in enumerate(root.iterfind("image")):
        name = image.get("name") or ""
        shapes = [(element.get("label") or "", element.get("group_id"), element) for element in image]
        records.append(_record(
            path, f"{path}: image {shown(name)} (<image> {n})", name,
            image_candidates(name, _image_folders(path, image.get("subset")), images_dir),
            (image.get("height"), image.get("width")), shapes, image.get("subset") or None,
        ))  # fmt: skip
    return AnnotationExport(str(path), tuple(records), _labels(root))


#: The files CVAT writes a video's frames as (``images/frame_000000.png``), the suffixes tried.
_FRAME_SUFFIXES = (".png", ".PNG", ".jpg", ".jpeg", ".JPG")


def _video_records(root: ET.Element, path: Path, images_dir: Path | None) -> tuple[AnnotatedImage, ...]:
    """The frames of a CVAT for video 1.1 export: each ``<track>`` lists its shape at every
    frame it spans (interpolated frames too, ``keyframe="0"``); a shape ``outside="1"`` is not
    in that frame, as CVAT's own mask export leaves it out. A frame's objects are the tracks'
    shapes there, in file order, each of its track's label and group; its image is
    ``frame_<6 digits>`` in ``images/``, its size ``<original_size>`` of the task.

    Raises:
        AnnotationError: tracks of several tasks (a project's video tasks number their frames
            alike), no ``<original_size>``, or a frame that is not a whole number.
    """
    tasks = {track.get("task_id") for track in root.iterfind("track")}
    if len(tasks) > 1:
        raise AnnotationError(f"{path}: tracks of {len(tasks)} tasks, whose frames are numbered alike: export each task on its own")
    size = root.find(".//original_size")
    if size is None:  # CVAT writes it for video tasks; an image task's tracks name no frame's image
        raise AnnotationError(f"{path}: tracks without the video's <original_size> (an image task's export?): export it as 'CVAT for images 1.1'")
    height, width = size.findtext("height"), size.findtext("width")
    frames: dict[int, list[tuple[str, str | None, ET.Element]]] = {}
    for n, track in enumerate(root.iterfind("track")):
        for element in track:
            if element.tag not in SHAPES:
                continue
            try:
                frame = int(element.get("frame") or "")
            except ValueError:
                raise AnnotationError(f"{path}: <track> {n}: <{element.tag}> has frame {shown(element.get('frame'))}, not a whole number") from None
            shapes = frames.setdefault(frame, [])
            if element.get("outside") != "1":
                shapes.append((track.get("label") or "", track.get("group_id"), element))
    records = []
    for frame, shapes in sorted(frames.items()):
        name = f"frame_{frame:06d}"
        candidates = [c for suffix in _FRAME_SUFFIXES for c in image_candidates(name + suffix, _image_folders(path, None), images_dir)]
        record = _record(path, f"{path}: frame {frame}", name + _FRAME_SUFFIXES[0], tuple(candidates), (height, width), shapes, None)
        records.append(replace(record, video=str(path)))
    return tuple(records)


def _record(
    path: Path, source: str, name: str, candidates: tuple[str, ...], size: tuple[str | None, str | None],
    shapes: list[tuple[str, str | None, ET.Element]], subset: str | None,
) -> AnnotatedImage:
    """The record of one image (or frame) and its shapes (``(label, group_id, element)``; the
    elements of other tags counted and left out): a bad shape fails the image alone."""
    objects: list[AnnotatedObject] = []
    problem = None
    height = width = None
    lines = unlabelled = 0
    others: dict[str, int] = {}
    try:
        if not name:
            raise BadObject("has no 'name'")
        height, width = image_size(_int(size[0]), _int(size[1]))
        for _, _, element in shapes:
            if element.tag not in SHAPES and element.tag != "tag":  # skeletons, cuboids...
                others[element.tag] = others.get(element.tag, 0) + 1
        for m, (label, group, element) in enumerate((s for s in shapes if s[2].tag in SHAPES)):
            what = f"<{element.tag}> {m} (label {shown(label)})"
            if not label:
                unlabelled += 1
                continue
            part = _geometry(element, what, (height, width))
            lines += not part.has_area
            z_order = _whole(element.get("z_order"), f"{what}: z_order")
            instance = _whole(group, f"{what}: group_id") or None  # 0: no group
            objects.append(AnnotatedObject(label, (part,), what, instance, z_order))
    except BadObject as exc:
        problem = f"{source}: {exc}"
    left_out = [f"{count} <{shown(tag)[1:-1]}> element(s) left out (no area in a label map)" for tag, count in others.items()]
    return shapes_record(path, source, name, candidates, (height, width), objects, [], problem, subset, (lines, unlabelled, left_out))


def shapes_record(
    path: Path, source: str, name: str, candidates: tuple[str, ...], size_hw: tuple[int | None, int | None],
    objects: list[AnnotatedObject], warnings: list[str], problem: str | None, subset: str | None,
    left_out: tuple[int, int, list[str]],
) -> AnnotatedImage:
    """The record of an image of CVAT's shapes (its XML, or Datumaro's JSON of them), painted as
    CVAT's mask export paints them, with what was left out said after ``warnings``: ``left_out``
    is the number of shapes of no area, of those without a label, and the others, in words."""
    lines, unlabelled, others = left_out
    if lines:
        warnings = [*warnings, f"{lines} polyline/points shape(s) cover no area; left out of the label maps, as CVAT's mask export leaves them"]
    if unlabelled:
        warnings = [*warnings, f"{unlabelled} shape(s) without a label; left out"]
    warnings = [*warnings, *others]
    return AnnotatedImage(
        source=source, annotation_file=str(path), image=name, candidates=candidates,
        height=size_hw[0], width=size_hw[1], objects=tuple(objects), fill="pycocotools",
        warnings=tuple(warnings), problem=problem, subset=subset, groups="cvat",
    )  # fmt: skip


def _whole(raw: str | None, what: str) -> int:
    """A whole-number attribute (absent or empty: 0), or BadObject naming ``what``."""
    try:
        return int(raw) if raw else 0
    except ValueError:
        raise BadObject(f"{what} must be a whole number, got {shown(raw)}") from None


def _int(raw: str | None) -> Any:
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return raw
