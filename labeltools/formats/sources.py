"""What every annotation reader shares: reading a JSON file with clear errors, checking the
values a file gives, and where an image may be.

The readers themselves are one module per tool (:mod:`labeltools.formats.coco`, ``cvat``,
``labelstudio``, ``cityscapes``, ``isat``; labelme keeps its own rasteriser in
:mod:`labeltools.formats.labelme`).
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote

import numpy as np
from numpy.typing import NDArray

from labeltools.core.errors import AnnotationError, shown
from labeltools.engine.storage import is_url, list_files, location, read_bytes
from labeltools.formats.labels import check_pixel_count

#: Largest coordinate magnitude accepted, in every reader. Beyond it Pillow's ellipse takes
#: seconds per shape and its polygon filler overflows, so such a coordinate is an annotation
#: error, not a drawing.
MAX_COORDINATE = 100_000.0


class BadObject(Exception):
    """An object a reader cannot use; the reader names it and fails its image alone."""


def other_json(doc: Any) -> str:
    """What a JSON document of an annotation tool labeltools does not read is, in words that end
    a refusal (``""`` when it is none known): Supervisely's, VGG Image Annotator's, COCO results;
    ISAT's (the segment-anything annotation tool's), read by another reader than the one given."""
    first = doc[0] if isinstance(doc, list) and doc else None
    if isinstance(doc, dict) and isinstance(doc.get("objects"), list) and isinstance(doc.get("size"), dict):
        return "; it is a Supervisely annotation (objects of classTitle), which labeltools does not read: export the project as COCO"
    values = list(doc.values())[:3] if isinstance(doc, dict) else []
    if isinstance(doc, dict) and ("_via_img_metadata" in doc or (values and all(isinstance(v, dict) and "regions" in v and "filename" in v for v in values))):
        return "; it is a VGG Image Annotator (VIA) project or export, which labeltools does not read: export its annotations as COCO"
    if isinstance(first, dict) and "image_id" in first and "category_id" in first:
        return "; it is COCO results (predictions of an image_id each, no images or categories), not an instances file"
    objects = doc.get("objects") if isinstance(doc, dict) else None
    if isinstance(doc, dict) and isinstance(doc.get("info"), dict) and isinstance(objects, list) and all(
        isinstance(o, dict) and "category" in o and "layer" in o for o in objects[:3]
    ):
        return "; it is an ISAT annotation (objects of category and layer): read it with --from isat"
    return ""


#: The file name endings of Open Images' annotation tables (its objects' masks, boxes, labels).
OPEN_IMAGES_TABLES = ("-annotations-object-segmentation.csv", "-annotations-bbox.csv", "-annotations-human-imagelabels.csv")
#: The JSON file beside them: its classes' hierarchy.
OPEN_IMAGES_HIERARCHY = "bbox_labels_600_hierarchy.json"


def open_images_said(folder: Any) -> str:
    """What a folder of Open Images' annotation tables (in it or in its ``annotations/``) is, in
    words that end a refusal (``""`` when it holds none): CVAT's "Open Images V6" export, or the
    dataset's own download, whose objects are masks of their own (``masks/``), not read."""
    where = location(folder)
    tables = [f for place in (where, where / "annotations") if place.is_dir() for f in list_files(place, OPEN_IMAGES_TABLES)]
    if not tables:
        return ""
    return (
        f"; it is an Open Images export ({tables[0].name}, each object a mask of its own in masks/), which labeltools does "
        "not read: export the CVAT task as \"COCO 1.0\" or \"Datumaro 1.0\" (Datumaro 1.13's own import of it leaves "
        "out every mask of an image whose size it has not been given)"
    )


def read_json(path: str | Path, what: str = "an annotation file") -> Any:
    """Read and decode a JSON file (any UTF encoding); ``what`` it should be, for messages.

    Raises:
        AnnotationError: the file cannot be read or is not valid JSON (line and column given).
    """
    data = read_bytes(path, AnnotationError)
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        raise AnnotationError(f"{path}: not valid JSON at line {exc.lineno} column {exc.colno} ({exc.msg})") from None
    except UnicodeDecodeError as exc:
        raise AnnotationError(f"{path}: not a UTF-8/16/32 text file ({exc}){_encoding_hint(data)}") from None
    except RecursionError:
        raise AnnotationError(f"{path}: JSON nested too deeply to be {what}") from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise AnnotationError(f"{path}: cannot decode the JSON ({exc})") from None


def _encoding_hint(data: bytes) -> str:
    """Which encoding likely wrote a JSON file that is no UTF (a program writing in the Windows
    code page of its language, as labelme once did), told by its bytes outside ASCII: in pairs
    (Chinese GB18030, Korean CP949) or alone (Western European CP1252); and the way to convert."""
    runs = re.findall(rb"[\x80-\xff]+", data)
    if runs and all(len(run) % 2 == 0 for run in runs):
        codec, written = "GB18030", "a two-byte Windows encoding, Chinese GB18030 (or Korean CP949)"
    else:
        codec, written = "CP1252", "a one-byte Windows encoding such as Western European CP1252"
    return f"; its bytes read as {written}: convert it to UTF-8 first (iconv -f {codec} -t UTF-8)"


def unknown_label(source: str, where: str, label: Any, table: str) -> AnnotationError:
    """The error of an object whose label the class table ``table`` (its source, "" unnamed)
    does not hold, when unknown labels fail their file."""
    named = f" ({table})" if table else ""
    return AnnotationError(
        f"{source}: {where} has label {shown(label)}, which is not in the class table{named} "
        "(add it, or choose what to do with unknown labels: --unknown)"
    )


def is_number(value: Any) -> bool:
    """A finite int or float (not a bool) within :data:`MAX_COORDINATE` of 0."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) <= MAX_COORDINATE


def number(value: Any, what: str) -> float:
    """``value`` as a float, or BadObject naming ``what``."""
    if not is_number(value):
        raise BadObject(f"{what} must be a finite number within {MAX_COORDINATE:g}, got {shown(value)}")
    return float(value)


def size(value: Any, what: str) -> int:
    """A positive whole number (an image side), or BadObject."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 1_000_000:
        raise BadObject(f"{what} must be a positive whole number, got {shown(value)}")
    return value


def image_size(height: Any, width: Any, what: str = "the image") -> tuple[int, int]:
    """A declared image size (height, width): positive whole numbers within the pixel limit."""
    h, w = size(height, f"{what}'s height"), size(width, f"{what}'s width")
    try:
        check_pixel_count(h, w, what, AnnotationError)
    except AnnotationError as exc:
        raise BadObject(str(exc).removeprefix(f"{what}: ")) from None
    return h, w


_NUMBER_TYPES = frozenset({int, float})


def checked_numbers(values: list[Any]) -> NDArray[np.float64] | None:
    """``values`` as a float64 array when every one is an int or float within
    :data:`MAX_COORDINATE` of 0 (NaN and infinity fail), checked in one vectorised pass; else None."""
    if not set(map(type, values)) <= _NUMBER_TYPES:
        return None
    try:
        array = np.array(values, dtype=np.float64)
    except OverflowError:  # an integer beyond float64
        return None
    return array if np.all(np.abs(array) <= MAX_COORDINATE) else None


def hex_colour(raw: Any) -> tuple[int, int, int] | None:
    """A ``#rrggbb`` colour (CVAT's labels, ISAT's class list) as ``(r, g, b)``; None for anything else."""
    if not isinstance(raw, str) or not re.fullmatch(r"#[0-9a-fA-F]{6}", raw):
        return None
    return int(raw[1:3], 16), int(raw[3:5], 16), int(raw[5:7], 16)


def flat_pairs(value: Any, what: str) -> list[Any]:
    """A list of ``[x, y]`` points as its flat numbers (checked later, see :func:`polygons_array`),
    or BadObject naming ``what`` (``objects[3] (label 'car'): 'polygon'``)."""
    if not (isinstance(value, list) and set(map(type, value)) <= {list} and set(map(len, value)) <= {2}):
        raise BadObject(f"{what} must be a list of [x, y] points, got {shown(value)}")
    return [v for p in value for v in p]


def points_array(values: Iterable[float], what: str, least: int) -> NDArray[np.float64]:
    """Flat ``x, y, x, y ...`` numbers as an ``(N, 2)`` array of at least ``least`` points,
    checked in one vectorised pass; only a list that fails is walked, to name its first bad
    number."""
    flat = list(values)
    if len(flat) % 2 or len(flat) < 2 * least:
        raise BadObject(f"{what} needs at least {least} x, y pairs, got {len(flat)} number(s)")
    array = checked_numbers(flat)
    if array is not None:
        return array.reshape(-1, 2)
    for n, v in enumerate(flat):
        number(v, f"{what}[{n}]")
    raise AssertionError("unreachable: a bad number was named above")  # pragma: no cover


def polygons_array(polygons: Sequence[Sequence[Any]], what: Callable[[int], str], least: int) -> list[NDArray[np.float64]]:
    """Several flat ``x, y, ...`` lists as ``(N, 2)`` arrays (see :func:`points_array`), checked
    in one vectorised pass over all of them; only when that fails is each checked alone, named
    by ``what(i)``, to name the bad one."""
    if all(len(flat) % 2 == 0 and len(flat) >= 2 * least for flat in polygons):
        array = checked_numbers([v for flat in polygons for v in flat])
        if array is not None:
            ends = np.cumsum([len(flat) // 2 for flat in polygons])[:-1]
            return np.split(array.reshape(-1, 2), ends) if polygons else []
    return [points_array(flat, what(i), least) for i, flat in enumerate(polygons)]


def turned(points: NDArray[np.float64], degrees: float) -> NDArray[np.float64]:
    """``(N, 2)`` points turned about the origin by ``degrees``, clockwise on the image (y
    down), as CVAT and Label Studio turn their shapes."""
    t = math.radians(degrees)
    c, s = math.cos(t), math.sin(t)
    x, y = points[:, 0], points[:, 1]
    return np.stack([x * c - y * s, x * s + y * c], axis=1)


def image_name(reference: str) -> str:
    """The file name of an image reference (a path, a URL, a Label Studio ``?d=`` link)."""
    reference = reference.split("?d=")[-1] if "?d=" in reference else reference.split("?")[0]
    return PurePosixPath(reference.replace("\\", "/")).name


def image_candidates(reference: str, folders: Iterable[Path], images_dir: Path | None) -> tuple[str, ...]:
    """Where an image named ``reference`` may be: under ``images_dir`` (``--images``) first, by
    its path and by its file name, then under each of ``folders`` likewise, then anywhere below
    ``images_dir`` by its file name (Cityscapes' ``leftImg8bit/val/<city>/``). A URL is never a
    place to fetch: only its file name is looked for."""
    name = image_name(reference)
    relative = None if is_url(reference) else PurePosixPath(reference.replace("\\", "/"))
    places = [images_dir] if images_dir is not None else []
    places += list(folders)
    found: list[str] = []
    if relative is not None and relative.is_absolute() and images_dir is None:
        found.append(str(relative))
    for folder in places:
        if relative is not None and not relative.is_absolute():
            found.append(str(folder / relative))
        if name:
            found.append(str(folder / name))
    deeper = files_by_name(str(images_dir)).get(name) if images_dir is not None and name else None
    if deeper is not None:
        found.append(deeper)
    return tuple(dict.fromkeys(found))


#: How the references Label Studio serves begin (its uploads and local files, ``/data/...``) and
#: any web URL's: their file names are quoted (see :func:`served_name`).
SERVED = ("/data/", "http://", "https://")


def is_served(reference: str) -> bool:
    """Whether an image reference is a URL whose escapes name its file (see :data:`SERVED`)."""
    return reference.startswith(SERVED)


def served_name(reference: str) -> str:
    """An image reference (a task's, or a ``file_name`` label-studio-converter kept) with the
    escapes of the URL Label Studio serves it at undone, as label-studio-converter undoes them:
    an upload's URL is its file's path as Django quotes it (``/data/upload/1/ab12cd34-%E8%A1%97%20
    1.jpg`` for ``街 1.jpg``), a local file's ``?d=`` value is quoted by the scripts that write
    tasks, and any other web URL is quoted too. A path or a store's URL (``s3://bucket/key``)
    names its file as it is."""
    return unquote(reference) if is_served(reference) else reference


def upload_name(reference: str, uploaded: bool = False) -> str:
    """The name an uploaded file had: Label Studio prefixes uploads (``/data/upload/...``, and
    a task's ``file_upload``: ``uploaded``) with 8 hex digits and a dash (``ab12cd34-photo.jpg``)."""
    name = image_name(reference)
    head, dash, rest = name.partition("-")
    if (uploaded or "/upload/" in reference) and dash and len(head) == 8 and all(c in "0123456789abcdef" for c in head) and rest:
        return rest
    return name


def served_image_candidates(given: str, folders: Iterable[Path], images_dir: Path | None) -> tuple[str, ...]:
    """Where the image of a reference as Label Studio names it may be (a task's ``data``, or the
    ``file_name`` label-studio-converter's COCO export keeps when it has not copied the images):
    by its name with the URL's escapes undone (see :func:`served_name`), by the name it was
    uploaded under (see :func:`upload_name`), then by the name with the escapes themselves."""
    reference = served_name(given)
    candidates = image_candidates(reference, folders, images_dir)
    if upload_name(reference) != image_name(reference):
        candidates += image_candidates(upload_name(reference), folders, images_dir)
    if reference != given:  # a file named with the escapes themselves
        candidates += image_candidates(given, folders, images_dir)
    return tuple(dict.fromkeys(candidates))


@functools.lru_cache(maxsize=4)
def files_by_name(folder: str) -> dict[str, str]:
    """Every file below ``folder`` by its name (the first of a name, in path order), read once a
    process; empty when it is no folder."""
    root = location(folder)
    if not root.is_dir():
        return {}
    found: dict[str, str] = {}
    for path in list_files(root, ("",), recursive=True):
        found.setdefault(path.name, str(path))
    return found
