"""labelme JSON annotations of every format era -> shapes -> class and instance label arrays.

Three layers:

* :func:`parse_labelme` turns a decoded JSON object into a :class:`LabelmeDocument` of validated
  :class:`LabelmeShape` objects (:func:`read_labelme` does the same for a file);
* :func:`open_source_image` finds and opens the image an annotation refers to, as displayed
  (EXIF orientation applied to image files, embedded ``imageData`` used as is);
* :func:`labelme_to_label` rasterises a document into a class map and an instance map, pixel for
  pixel what labelme's ``shapes_to_label`` gives, but drawing every shape of a file on one canvas
  instead of one full-size mask per shape.

Two rule sets are drawn (``rules``): labelme 7.9.1's, the default, and labelme 6.3.1's. They
differ in two shape types. A ``linestrip`` has rounded joints in 7 (Pillow's ``joint="curve"``).
A ``mask`` shape is placed in 6 at its truncated first corner and must span exactly its points;
in 7 at its rounded first corner, over its points' span when all four coordinates are whole
numbers and over the stored mask's own extent otherwise, clipped to the image (a stored mask
smaller than the span it must fill is refused, as labelme 7 refuses it).

Format eras read:

* labelme <= 3.x: no ``shape_type`` (a polygon), ``line_color``/``fill_color`` (ignored), no
  ``version``;
* 4.x/5.x: ``group_id``, ``flags``, ``description``;
* 5.4+: ``mask`` shapes, a base64 PNG of the shape's box pasted at its first point;
* 6.2+: ``oriented_rectangle``, a 4-point polygon;
* X-AnyLabeling's files (labelme's format): its ``rotation``, a turned box by its four corners,
  is labelme's ``oriented_rectangle``.
"""

from __future__ import annotations

import base64
import binascii
import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, Literal

import numpy as np
import PIL.Image
import PIL.ImageDraw
from numpy.typing import NDArray

from labeltools.core.classes import IGNORE_NAME, ClassTable
from labeltools.core.errors import AnnotationError, NotLabelmeError
from labeltools.core.errors import shown as _shown
from labeltools.core.options import (
    DEFAULT_LABELME_RULES,
    DEFAULT_LINE_WIDTH,
    DEFAULT_POINT_SIZE,
    LABELME_RULES,
    OVERLAP_RULES,
    UNKNOWN_POLICIES,
    VOID,
    LabelmeRules,
    OverlapRule,
    UnknownPolicy,
)
from labeltools.engine.storage import existing_file, is_url, location, names_beside
from labeltools.formats.images import IMAGES_HINT, SourceImage, open_image, open_image_file
from labeltools.formats.labels import PIL_ERRORS, check_pixel_count, open_pillow
from labeltools.formats.sources import MAX_COORDINATE, checked_numbers, other_json, read_json, unknown_label


#: Shape types labelme writes, each with the number of points it needs.
_POINTS_NEEDED: dict[str, tuple[Literal["exactly", "at least"], int]] = {
    "polygon": ("at least", 3),
    "rectangle": ("exactly", 2),
    "circle": ("exactly", 2),
    "line": ("exactly", 2),
    "linestrip": ("at least", 2),
    "point": ("exactly", 1),
    "oriented_rectangle": ("exactly", 4),
    "mask": ("exactly", 2),
}


SHAPE_TYPES: tuple[str, ...] = tuple(_POINTS_NEEDED)

@dataclass(frozen=True, eq=False)
class LabelmeShape:
    """One validated labelme shape.

    Attributes:
        index: position of the shape in the file's ``shapes`` list (0-based).
        label: class name (the stored label without surrounding whitespace).
        shape_type: one of :data:`SHAPE_TYPES` (files without ``shape_type`` give ``"polygon"``).
        points: read-only ``(N, 2)`` float64 array of ``(x, y)`` pixel coordinates, all finite.
        group_id: labelme's group id, or ``None`` (every such shape is its own instance).
        mask: for ``mask`` shapes, the stored mask as a read-only ``(h, w)`` bool array, its
            top-left pixel at the first point (where exactly, and over which extent, is the rule
            set's: see the module's description); else ``None``.
        flags: the shape's flags, as stored.
        description: the shape's description ("" when absent).
    """

    index: int
    label: str
    shape_type: str
    points: NDArray[np.float64]
    group_id: int | None = None
    mask: NDArray[np.bool_] | None = None
    flags: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""


@dataclass(frozen=True, eq=False)
class LabelmeDocument:
    """A parsed labelme annotation.

    Attributes:
        source: how the document is named in messages (its path, or a description).
        path: the JSON file, when read from one (image paths are relative to its folder).
        version: the ``version`` field (absent before labelme 4).
        shapes: the valid shapes in file order.
        image_path: ``imagePath`` with Windows separators turned into ``/``, or ``None``.
        image_data: ``imageData`` as stored (base64 text), or ``None``.
        image_height, image_width: declared image size, or ``None`` when absent.
        flags: image-level flags.
        warnings: one message per shape dropped because ``skip_bad_shapes`` was set.
    """

    source: str
    path: Path | None
    version: str | None
    shapes: tuple[LabelmeShape, ...]
    image_path: str | None
    image_data: str | None
    image_height: int | None
    image_width: int | None
    flags: Mapping[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def labels(self) -> tuple[str, ...]:
        """Labels of the shapes, in file order (with repeats)."""
        return tuple(shape.label for shape in self.shapes)


class _ShapeError(Exception):
    """Internal: what is wrong with one shape (turned into AnnotationError or a warning)."""


def _describe(index: int, raw: Any) -> str:
    """``shapes[3] (label 'car', polygon)`` or as much of it as the raw shape allows."""
    parts = []
    if isinstance(raw, Mapping):
        label = raw.get("label")
        if isinstance(label, str):
            parts.append(f"label {_shown(label)}")
        shape_type = raw.get("shape_type")
        if isinstance(shape_type, str):
            parts.append(shape_type if shape_type in SHAPE_TYPES else _shown(shape_type))
    return f"shapes[{index}]" + (f" ({', '.join(parts)})" if parts else "")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _parse_points(raw: Any) -> NDArray[np.float64]:
    """A shape's ``points`` as a read-only ``(N, 2)`` float64 array, checked in one vectorised
    pass: a list of [x, y] pairs of numbers (not booleans, not strings), finite and within
    :data:`MAX_COORDINATE` of the origin. Only a file that fails the check is walked point by
    point, to name the first bad point.

    Raises:
        _ShapeError: naming the first point that is not a pair of finite numbers in range.
    """
    if type(raw) is list and set(map(type, raw)) <= _PAIR and set(map(len, raw)) <= {2}:
        flat = checked_numbers(list(chain.from_iterable(raw)))
        if flat is not None:
            points = flat.reshape(-1, 2)
            points.flags.writeable = False
            return points
    _name_bad_point(raw)
    raise AssertionError(f"points {_shown(raw)} refused by the vectorised check but by no single point")


_PAIR = {list, tuple}


def _name_bad_point(raw: Any) -> None:
    """Raise :class:`_ShapeError` naming the first point of ``raw`` that is not a pair of finite
    numbers within :data:`MAX_COORDINATE` of the origin (return if there is none)."""
    if not isinstance(raw, list):
        raise _ShapeError(f"'points' must be a list of [x, y] pairs, got {type(raw).__name__}")
    for i, point in enumerate(raw):
        if not (isinstance(point, (list, tuple)) and len(point) == 2):
            raise _ShapeError(f"points[{i}] must be an [x, y] pair, got {_shown(point)}")
        x, y = point
        if not (_is_number(x) and _is_number(y)):
            raise _ShapeError(f"points[{i}] must hold two numbers, got {_shown(point)}")
        try:
            x, y = float(x), float(y)
        except OverflowError:
            raise _ShapeError(f"points[{i}] = {_shown(point)} is too large to be a coordinate") from None
        if not (math.isfinite(x) and math.isfinite(y)):
            raise _ShapeError(f"points[{i}] = {_shown(point)} is not finite (NaN or infinity)")
        if abs(x) > MAX_COORDINATE or abs(y) > MAX_COORDINATE:
            raise _ShapeError(
                f"points[{i}] = {_shown(point)} lies more than {MAX_COORDINATE:.0f} pixels from the "
                "image origin"
            )


#: Other tools' names of labelme's shapes: X-AnyLabeling's ``rotation`` is a turned box by its
#: four corners, in order, as labelme's ``oriented_rectangle`` is.
_ALIASES = {"rotation": "oriented_rectangle"}


def _check_point_count(shape_type: str, points: Sequence[Any] | NDArray[np.float64]) -> None:
    n = len(points)
    rule, needed = _POINTS_NEEDED[shape_type]
    if n < needed or (rule == "exactly" and n != needed):
        article = "an" if shape_type[0] in "aeiou" else "a"
        plural = "point" if needed == 1 else "points"
        raise _ShapeError(f"{article} {shape_type} needs {rule} {needed} {plural}, got {n}")


def _decode_mask(raw: Any) -> NDArray[np.bool_]:
    """Decode a mask shape's base64 PNG (where it goes is the rasteriser's: :func:`_place_mask`)."""
    if not isinstance(raw, str) or not raw:
        raise _ShapeError("a mask shape needs 'mask', a base64-encoded PNG")
    try:
        data = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _ShapeError(f"'mask' is not valid base64 ({exc})") from None
    try:
        with open_pillow(data, "'mask'", AnnotationError) as image:
            array = np.asarray(image)
    except AnnotationError as exc:
        raise _ShapeError(str(exc)) from None
    except PIL_ERRORS as exc:
        raise _ShapeError(f"'mask' does not decode as an image ({exc})") from None
    if array.ndim != 2:
        raise _ShapeError(
            f"'mask' must be a single-channel image, got {array.ndim}-D pixels "
            f"of shape {array.shape}"
        )
    mask = array.astype(bool)
    mask.flags.writeable = False
    return mask


def _shape_label(raw: Mapping[str, Any]) -> str:
    """The class name of a raw shape: its ``label`` without surrounding whitespace, as class
    tables store names (so ``"car "`` is class ``car``)."""
    if "label" not in raw:
        raise _ShapeError("has no 'label'")
    label = raw["label"]
    if not isinstance(label, str):
        raise _ShapeError(f"'label' must be a string, got {_shown(label)}")
    label = label.strip()
    if not label:
        raise _ShapeError("'label' is empty")
    return label


def labelme_labels(obj: Any) -> set[str]:
    """The class names the shapes of a decoded labelme JSON object use, read as
    :func:`parse_labelme` reads them (surrounding whitespace removed); shapes without a usable
    label are left out and nothing else is validated. Empty for anything but an annotation."""
    shapes = obj.get("shapes") if isinstance(obj, Mapping) else None
    labels = set()
    for raw in shapes if isinstance(shapes, list) else ():
        if isinstance(raw, Mapping):
            try:
                labels.add(_shape_label(raw))
            except _ShapeError:
                continue
    return labels


def _parse_shape(index: int, raw: Any) -> LabelmeShape:
    if not isinstance(raw, Mapping):
        raise _ShapeError(f"must be an object, got {type(raw).__name__}")
    label = _shape_label(raw)

    shape_type = raw.get("shape_type")
    if shape_type is None:  # labelme <= 3.x wrote polygons without a shape_type
        shape_type = "polygon"
    if not isinstance(shape_type, str):
        raise _ShapeError(f"'shape_type' must be a string, got {_shown(shape_type)}")
    shape_type = _ALIASES.get(shape_type, shape_type)
    if shape_type not in SHAPE_TYPES:
        raise _ShapeError(
            f"unknown shape_type {_shown(shape_type)} (expected one of {', '.join(SHAPE_TYPES)})"
        )

    if "points" not in raw:
        raise _ShapeError("has no 'points'")
    points = _parse_points(raw["points"])
    _check_point_count(shape_type, points)

    group_id = raw.get("group_id")
    if group_id is not None and not (isinstance(group_id, int) and not isinstance(group_id, bool)):
        raise _ShapeError(f"'group_id' must be an integer or null, got {_shown(group_id)}")

    mask = _decode_mask(raw.get("mask")) if shape_type == "mask" else None

    flags = raw.get("flags")
    description = raw.get("description")
    return LabelmeShape(
        index=index,
        label=label,
        shape_type=shape_type,
        points=points,
        group_id=group_id,
        mask=mask,
        flags=dict(flags) if isinstance(flags, Mapping) else {},
        description=description if isinstance(description, str) else "",
    )


def _optional_size(obj: Mapping[str, Any], key: str, source: str) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if not (isinstance(value, int) and not isinstance(value, bool)) or value <= 0:
        raise AnnotationError(f"{source}: {key!r} must be a positive integer, got {_shown(value)}")
    return value


def _optional_str(obj: Mapping[str, Any], key: str, source: str) -> str | None:
    value = obj.get(key)
    if value is not None and not isinstance(value, str):
        raise AnnotationError(f"{source}: {key!r} must be a string, got {type(value).__name__}")
    return value


def parse_labelme(
    obj: Any,
    source: str = "<labelme document>",
    *,
    path: str | Path | None = None,
    skip_bad_shapes: bool = False,
) -> LabelmeDocument:
    """Validate a decoded labelme JSON object.

    Args:
        obj: what ``json.load`` returned for the file.
        source: name used in messages (the file's path).
        path: the JSON file, if any; ``imagePath`` is resolved relative to its folder.
        skip_bad_shapes: drop an invalid shape with a message in ``warnings`` instead of raising.

    Returns:
        The document with its valid shapes in file order.

    Raises:
        NotLabelmeError: ``obj`` is not an object with a ``shapes`` list.
        AnnotationError: a malformed top-level field, or (without ``skip_bad_shapes``) the first
            malformed shape, named by position: "a.json: shapes[3] (label 'car', polygon): a
            polygon needs at least 3 points, got 2".
    """
    if not isinstance(obj, Mapping) or not isinstance(obj.get("shapes"), list):
        raise NotLabelmeError(f"{source}: not a labelme annotation (no 'shapes' list){other_json(obj)}")
    shapes: list[LabelmeShape] = []
    warnings: list[str] = []
    for index, raw in enumerate(obj["shapes"]):
        try:
            shapes.append(_parse_shape(index, raw))
        except _ShapeError as exc:
            message = f"{source}: {_describe(index, raw)}: {exc}"
            if not skip_bad_shapes:
                raise AnnotationError(message) from None
            warnings.append(f"{message} (shape skipped)")  # the batch prints it once, with its file's result

    image_path = _optional_str(obj, "imagePath", source)
    if image_path is not None:
        image_path = PureWindowsPath(image_path).as_posix() if "\\" in image_path else image_path
    version = obj.get("version")
    flags = obj.get("flags")
    return LabelmeDocument(
        source=source,
        path=location(path) if path is not None else None,
        version=version if isinstance(version, str) else None,
        shapes=tuple(shapes),
        image_path=image_path or None,
        image_data=_optional_str(obj, "imageData", source) or None,
        image_height=_optional_size(obj, "imageHeight", source),
        image_width=_optional_size(obj, "imageWidth", source),
        flags=dict(flags) if isinstance(flags, Mapping) else {},
        warnings=tuple(warnings),
    )


def load_labelme_json(path: str | Path) -> Any:
    """Read and decode a JSON file (any UTF encoding).

    Raises:
        AnnotationError: the file cannot be read or is not valid JSON (line and column given).
    """
    return read_json(path, "a labelme annotation")


def read_labelme(path: str | Path, *, skip_bad_shapes: bool = False) -> LabelmeDocument:
    """Read and validate a labelme JSON file (see :func:`parse_labelme`).

    Raises:
        NotLabelmeError: valid JSON but not a labelme annotation.
        AnnotationError: unreadable file, invalid JSON, malformed fields or shapes.
    """
    path = location(path)
    return parse_labelme(
        load_labelme_json(path), str(path), path=path, skip_bad_shapes=skip_bad_shapes
    )


def _image_candidates(doc: LabelmeDocument, base_dir: Path, allow_urls: bool, images_dir: Any = None) -> list[Path]:
    assert doc.image_path is not None
    relative = PurePosixPath(doc.image_path)
    candidates = []
    if images_dir is not None:  # asked for (--images): its path below the folder, then its name
        folder = location(images_dir)
        if not relative.is_absolute() and not is_url(doc.image_path):
            candidates.append(folder / doc.image_path)
        candidates.append(folder / relative.name)
    if not is_url(doc.image_path):
        candidates.append(location(doc.image_path) if relative.is_absolute() else base_dir / doc.image_path)
    elif allow_urls:
        candidates.append(location(doc.image_path))
    # Annotations moved with their images often keep an absolute or stale folder in imagePath:
    # the image's name next to the JSON file is the usual place to find it.
    beside = base_dir / relative.name
    if beside not in candidates:
        candidates.append(beside)
    return list(dict.fromkeys(candidates))


def find_image_file(doc: LabelmeDocument, allow_urls: bool = False, images_dir: Any = None) -> Path | None:
    """The image file an annotation names, or ``None`` when its image is embedded.

    ``imagePath`` is looked for under ``images_dir`` first when given (``--images``: by its path,
    then by its file name), then resolved relative to the JSON file's folder (the current folder
    for a document not read from a file); failing that, the image's file name is looked for in
    that folder. A URL in ``imagePath`` (``http://``, ``s3://``, any ``scheme://``) is never fetched
    unless ``allow_urls``: annotations come from others, and a pipeline that converts them must
    not request what they name (only its file name is looked for beside the JSON).

    Raises:
        AnnotationError: neither ``imageData`` nor ``imagePath``, or no such file (every path
            tried is named).
    """
    if doc.image_data is not None:
        return None
    if doc.image_path is None:
        raise AnnotationError(f"{doc.source}: has neither 'imageData' nor 'imagePath'")
    base_dir = doc.path.parent if doc.path is not None else Path.cwd()
    candidates = _image_candidates(doc, base_dir, allow_urls, images_dir)
    reasons = []
    for candidate in candidates:
        try:
            if (found := existing_file(candidate)) is not None:
                return found
            reasons.append(str(candidate))
        except OSError as exc:  # a name too long for the file system, say
            reasons.append(f"{_shown(str(candidate))}: {exc.strerror or exc}")
    tried = ", ".join(reasons)
    refused = ""
    if is_url(doc.image_path) and not allow_urls:
        refused = "; its URL was not fetched (images are read beside their annotation; --allow-image-urls fetches them)"
    hint = refused or _other_case(candidates) or (IMAGES_HINT if images_dir is None else "")
    raise AnnotationError(f"{doc.source}: image {_shown(doc.image_path)} not found (tried {tried}){hint}")


def _other_case(candidates: Sequence[Path]) -> str:
    """What a missing image is called on disk when its name differs only in letter case (an
    annotation made on Windows or macOS, whose file names ignore case); empty otherwise."""
    found = [str(c.parent / name) for c in candidates for name in names_beside(str(c), str.casefold)]
    if not found:
        return ""
    names = [_shown(path) for path in dict.fromkeys(found)]
    return (
        f"; {', '.join(names)} {'differs' if len(names) == 1 else 'differ'} only in letter case (the annotation was "
        "made where file names ignore case): rename the image, or its imagePath, to match"
    )


def open_source_image(doc: LabelmeDocument, allow_urls: bool = False, images_dir: Any = None) -> SourceImage:
    """Find and open the image of an annotation (header only; pixels are decoded on demand).

    Embedded ``imageData`` is used as is. Otherwise the file is found by
    :func:`find_image_file` and its EXIF orientation is applied.

    Raises:
        AnnotationError: no image reference, invalid base64, image not found (every path
            tried is named), not an image, or a size that differs from ``imageHeight`` x
            ``imageWidth``.
    """
    path = find_image_file(doc, allow_urls, images_dir)
    declared = (doc.image_height, doc.image_width)
    if path is not None:
        return open_image_file(path, f"{doc.source}: image {path}", doc.source, declared, ("imageHeight", "imageWidth"))
    assert doc.image_data is not None
    try:
        data = base64.b64decode(doc.image_data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise AnnotationError(f"{doc.source}: 'imageData' is not valid base64 ({exc})") from None
    return open_image(data, None, f"{doc.source}: 'imageData'", doc.source, declared, ("imageHeight", "imageWidth"))


def _name_to_index(classes: ClassTable | Mapping[str, int]) -> Mapping[str, int]:
    """Accept a ClassTable (anything with ``name_to_index``) or a plain name -> index mapping."""
    mapping = getattr(classes, "name_to_index", classes)
    if not isinstance(mapping, Mapping):
        raise TypeError(f"classes must be a ClassTable or a mapping, got {type(classes).__name__}")
    return mapping


def _class_value(name: str, mapping: Mapping[str, int]) -> int:
    value = mapping[name]
    if value == -1:  # labelme's own convention for __ignore__
        return VOID
    if not (isinstance(value, (int, np.integer)) and 0 <= value <= VOID):
        raise AnnotationError(f"class {name!r} has index {value!r}, expected 0..255 or -1")
    return int(value)


@dataclass(frozen=True)
class _Pen:
    """How shapes are drawn: the stroke width of lines, the radius of points, the rule set."""

    line_width: int
    point_size: int
    rules: str


def _named(shape: LabelmeShape) -> str:
    return f"shapes[{shape.index}] (label {_shown(shape.label)}, {shape.shape_type})"


def _place_mask(
    shape: LabelmeShape, rules: str, height: int, width: int, source: str
) -> tuple[tuple[int, int, int, int], PIL.Image.Image] | None:
    """Where a mask shape lands on a ``height`` x ``width`` canvas, by labelme's rules: the box
    ``(x0, y0, x1, y1)`` (x1, y1 past the end) clipped to the canvas and a mode ``1`` stencil of
    its size; None when nothing lands.

    Raises:
        AnnotationError: the stored mask cannot fill the extent the rules give it (labelme's own
            ``shapes_to_label`` fails there too).
    """
    assert shape.mask is not None
    stored = shape.mask
    if rules == "6":  # corners truncated; the stored mask must span the points exactly
        (x1, y1), (x2, y2) = shape.points.astype(int).tolist()
        rows, columns = y2 - y1 + 1, x2 - x1 + 1
        if stored.shape != (rows, columns):
            raise AnnotationError(
                f"{source}: {_named(shape)}: 'mask' is {stored.shape[0]}x{stored.shape[1]} (rows x "
                f"columns) but its points span {rows}x{columns} pixels; labelme 6 refuses this, "
                "labelme 7 places it (--labelme-rules 7)"
            )
    else:  # corners rounded; whole-number corners give the extent, fractional ones the mask's own
        (x1, y1), (x2, y2) = np.round(shape.points).astype(int).tolist()
        if np.array_equal(shape.points, np.trunc(shape.points)):
            rows, columns = y2 - y1 + 1, x2 - x1 + 1
        else:
            rows, columns = stored.shape
    y0, y_end = max(y1, 0), min(y1 + rows, height)
    x0, x_end = max(x1, 0), min(x1 + columns, width)
    if y0 >= y_end or x0 >= x_end:
        return None
    piece = stored[y0 - y1 : y_end - y1, x0 - x1 : x_end - x1]
    try:  # numpy's assignment rule, as labelme assigns the piece
        piece = np.broadcast_to(piece, (y_end - y0, x_end - x0))
    except ValueError:
        raise AnnotationError(
            f"{source}: {_named(shape)}: 'mask' is {stored.shape[0]}x{stored.shape[1]} (rows x "
            f"columns) but its whole-number points span {rows}x{columns} pixels, and it does not "
            "fill them (labelme 7 refuses it too)"
        ) from None
    return (x0, y0, x_end, y_end), PIL.Image.fromarray(np.ascontiguousarray(piece))


class _Shapes:
    """A document's shapes, drawn with one pen on canvases of one size: mask shapes are placed
    (and checked) once, for every canvas painted."""

    def __init__(self, doc: LabelmeDocument, pen: _Pen, height: int, width: int, drawn: Iterable[int]) -> None:
        self.doc, self.pen, self.size = doc, pen, (width, height)
        shapes = doc.shapes
        self.masks = {
            n: _place_mask(shapes[n], pen.rules, height, width, doc.source)
            for n in drawn if shapes[n].shape_type == "mask"
        }  # fmt: skip

    def draw(self, canvas: PIL.Image.Image, draw: PIL.ImageDraw.ImageDraw, n: int, ink: int) -> None:
        """Paint shape ``n`` with value ``ink``, with the Pillow calls of labelme's ``shape_to_mask``.

        Each call sets exactly the pixels labelme's per-shape mask has set, so painting shapes in
        file order on one canvas equals labelme's ``cls[mask] = value`` sequence.
        """
        shape = self.doc.shapes[n]
        xy = [(x, y) for x, y in shape.points.tolist()]
        kind = shape.shape_type
        if kind == "circle":
            (cx, cy), (px, py) = xy
            d = math.sqrt((cx - px) ** 2 + (cy - py) ** 2)
            draw.ellipse(((cx - d, cy - d), (cx + d, cy + d)), outline=ink, fill=ink)
        elif kind == "rectangle":
            (x0, y0), (x1, y1) = xy
            draw.rectangle(
                ((min(x0, x1), min(y0, y1)), (max(x0, x1), max(y0, y1))), outline=ink, fill=ink
            )
        elif kind == "line":
            draw.line(xy=xy, fill=ink, width=self.pen.line_width)
        elif kind == "linestrip":  # labelme 7 rounds the joints of wide strips
            draw.line(xy=xy, fill=ink, width=self.pen.line_width, joint="curve" if self.pen.rules == "7" else None)
        elif kind == "point":
            cx, cy = xy[0]
            r = self.pen.point_size
            draw.ellipse(((cx - r, cy - r), (cx + r, cy + r)), outline=ink, fill=ink)
        elif kind in ("polygon", "oriented_rectangle"):
            draw.polygon(xy=xy, outline=ink, fill=ink)
        elif kind == "mask":
            placed = self.masks[n]
            if placed is not None:
                canvas.paste(ink, *placed)  # the stencil sets exactly the mask's pixels
        else:  # parse_labelme admits only SHAPE_TYPES
            raise AssertionError(f"unhandled shape_type {kind!r}")

    def reach(self, n: int) -> tuple[int, int, int, int]:
        """A box ``(x0, y0, x1, y1)`` (x1, y1 past the end) holding every pixel :meth:`draw` can
        paint for shape ``n``, with a pixel or two to spare; unclipped."""
        shape = self.doc.shapes[n]
        if shape.shape_type == "mask":
            placed = self.masks[n]
            return placed[0] if placed is not None else (0, 0, 1, 1)
        points = shape.points.tolist()  # a few points: plain Python is quicker than numpy here
        if shape.shape_type == "circle":
            (cx, cy), (px, py) = points
            points, spare = points[:1], math.sqrt((cx - px) ** 2 + (cy - py) ** 2)
        elif shape.shape_type in ("line", "linestrip"):
            spare = self.pen.line_width / 2
        elif shape.shape_type == "point":
            points, spare = points[:1], self.pen.point_size
        else:
            spare = 0
        xs, ys = [x for x, _ in points], [y for _, y in points]
        low, high = -spare - 2, spare + 3
        return math.floor(min(xs) + low), math.floor(min(ys) + low), math.ceil(max(xs) + high), math.ceil(max(ys) + high)

    def paint(self, strokes: Sequence[tuple[int, int | None]]) -> PIL.Image.Image:
        """A mode ``L`` canvas with shape ``n`` painted in ``value`` for each ``(n, value)`` in
        turn (``None``: left out)."""
        canvas = PIL.Image.new("L", self.size, 0)
        draw = PIL.ImageDraw.Draw(canvas)
        for n, value in strokes:
            if value is not None:
                self.draw(canvas, draw, n, value)
        return canvas


def check_raster_options(line_width: int, point_size: int, unknown: str, rules: str = DEFAULT_LABELME_RULES) -> None:
    """Raise AnnotationError unless the rasteriser's options are usable."""
    if rules not in LABELME_RULES:
        raise AnnotationError(f"labelme rules must be one of {', '.join(LABELME_RULES)}, got {rules!r}")
    if unknown not in UNKNOWN_POLICIES:
        raise AnnotationError(
            f"unknown-label policy must be one of {', '.join(UNKNOWN_POLICIES)}, got {unknown!r}"
        )
    if not (isinstance(line_width, int) and line_width >= 1):
        raise AnnotationError(f"line width must be a positive integer, got {line_width!r}")
    if not (isinstance(point_size, int) and point_size >= 0):
        raise AnnotationError(f"point size must be a non-negative integer, got {point_size!r}")


def labelme_to_label(
    doc: LabelmeDocument,
    classes: ClassTable | Mapping[str, int],
    *,
    shape_hw: tuple[int, int] | None = None,
    line_width: int = DEFAULT_LINE_WIDTH,
    point_size: int = DEFAULT_POINT_SIZE,
    rules: LabelmeRules = DEFAULT_LABELME_RULES,
    unknown: UnknownPolicy = "error",
    instances: bool = True,
    overlap: OverlapRule = "last",
) -> tuple[NDArray[np.uint8], NDArray[np.uint8] | None]:
    """Rasterise a document's shapes into a class map and an instance map.

    Shapes are painted in file order, later ones covering earlier ones, with labelme's Pillow
    primitives: the class map equals the ``shapes_to_label`` of the labelme release ``rules``
    names (with ``-1`` -> 255) pixel for pixel at the default ``line_width``/``point_size``.
    Points outside the image are clipped.

    Instances are numbered from 1 by ``(label, group_id)`` in first-seen order, as labelme does;
    a shape without ``group_id`` is its own instance. Shapes of a void class (``__ignore__``)
    take a number too, as in labelme, but paint 255; shapes of class 0 paint 0.

    Args:
        doc: a parsed document.
        classes: a ``ClassTable`` or a mapping from label to class index (0..255; -1 and 255
            mean void). ``__ignore__`` is void unless ``classes`` maps it.
        shape_hw: ``(height, width)`` of the canvas; default the document's declared size.
        line_width: stroke width of ``line`` and ``linestrip`` shapes, in pixels (>= 1).
        point_size: radius of ``point`` shapes, in pixels (>= 0).
        rules: ``"7"`` draws as labelme 7.9.1 does, ``"6"`` as labelme 6.3.1 (they differ in
            ``linestrip`` joints and ``mask`` placement; see the module's description).
        unknown: a label not in ``classes``: ``"error"`` raises, ``"ignore"`` paints it 255,
            ``"background"`` skips the shape.
        instances: also build the instance map (else ``None`` is returned for it).
        overlap: where shapes of different classes overlap, ``"last"`` (the later shape wins,
            labelme's rule), ``"first"`` or ``"void"`` (the contested pixels become 255 in both
            maps).

    Returns:
        ``(class_map, instance_map)``: ``(H, W)`` uint8 arrays; class 0 where no shape is,
        255 = void; instance 0 = background, 255 = void, else the instance number.

    Raises:
        AnnotationError: a label not in ``classes`` (with ``unknown="error"``), no size known,
            more than 254 instances, a mask shape the rules cannot place, or bad
            ``line_width``/``point_size``/``rules``/``unknown``.
    """
    raster = rasterise(
        doc, classes, shape_hw=shape_hw, line_width=line_width, point_size=point_size,
        rules=rules, unknown=unknown, instances=instances, overlap=overlap,
    )  # fmt: skip
    class_map = np.array(raster.class_image, dtype=np.uint8)
    instance_map = np.array(raster.instance_image, dtype=np.uint8) if raster.instance_image is not None else None
    return class_map, instance_map


@dataclass(frozen=True, eq=False)
class Raster:
    """A rasterised document.

    Attributes:
        class_image: mode ``L`` class map (0 where no shape is, 255 = void).
        instance_image: mode ``L`` instance map, or ``None`` when not asked for.
        contested: pixels where a shape of one class covers a shape of another class (void
            shapes, such as ``__ignore__``, neither count nor are counted).
    """

    class_image: PIL.Image.Image
    instance_image: PIL.Image.Image | None
    contested: int


def _shape_value(shape: LabelmeShape, name_to_index: Mapping[str, int], unknown: str, source: str, table: str) -> int | None:
    """The class value a shape paints, or None when it is left out (unknown, ``background``);
    ``table`` names the class table in the error of an unknown label."""
    if shape.label in name_to_index:
        return _class_value(shape.label, name_to_index)
    if shape.label == IGNORE_NAME or unknown == "ignore":
        return VOID
    if unknown == "background":
        return None
    raise unknown_label(source, f"shapes[{shape.index}]", shape.label, table)


def _instance_numbers(doc: LabelmeDocument, values: Sequence[int | None]) -> list[int | None]:
    """Each shape's instance number: numbered from 1 by ``(label, group_id)`` in file order, as
    labelme numbers them (a shape without a group id is an instance of its own); None for a
    shape left out."""
    seen: dict[tuple[str, int], int] = {}
    count = 0
    numbers: list[int | None] = []
    for shape, value in zip(doc.shapes, values):
        if value is None:
            numbers.append(None)
        elif shape.group_id is None:
            count += 1
            numbers.append(count)
        else:
            key = (shape.label, shape.group_id)
            if key not in seen:
                count += 1
                seen[key] = count
            numbers.append(seen[key])
    return numbers


def _instance_inks(doc: LabelmeDocument, values: Sequence[int | None]) -> list[int | None]:
    """The instance map value of each shape: its instance number (see :func:`_instance_numbers`);
    0 and 255 for shapes of class 0 and of void; None for a shape left out."""
    inks: list[int | None] = []
    for shape, value, instance in zip(doc.shapes, values, _instance_numbers(doc, values)):
        if value is None or instance is None:
            inks.append(None)
            continue
        if value in (0, VOID):
            inks.append(value)
        elif instance >= VOID:
            raise AnnotationError(
                f"{doc.source}: shapes[{shape.index}] is instance {instance}; instance maps "
                f"hold at most {VOID - 1} instances per image"
            )
        else:
            inks.append(instance)
    return inks


@dataclass(frozen=True, eq=False)
class LabelmeObject:
    """One object of a document, as instance exports see it: the shapes of one instance
    (``(label, group_id)``, numbered as labelme numbers instances), its class and its own mask
    (its shapes painted alone, as labelme's ``shape_to_mask`` paints each).

    Attributes:
        number: the instance number (1-based, file order of first appearance).
        category: the class index.
        shapes: the indices of its shapes in the document.
        mask: bool pixels of the box that holds every pixel the object paints, whose top-left
            pixel is ``offset`` ``(x, y)`` of the image.
        vertices: for an object of one shape, its outline as a polygon ``(N, 2)`` in pixel-centre
            coordinates of the image (see :func:`_vertices`): a polygon's or rectangle's
            corners as annotated, a circle or point sampled, a wide line's corners; else None.
    """

    number: int
    category: int
    shapes: tuple[int, ...]
    mask: NDArray[np.bool_]
    vertices: NDArray[np.float64] | None = None
    offset: tuple[int, int] = (0, 0)


def _vertices(drawing: _Shapes, shapes: Sequence[int]) -> NDArray[np.float64] | None:
    """The outline of an object made of one shape, as a polygon: a polygon's or rectangle's
    corners as annotated, a wide line's four corners, a circle's or point's disc as a regular
    polygon whose sides stay within a quarter pixel of its rim; None for other objects."""
    if len(shapes) != 1:
        return None
    shape = drawing.doc.shapes[shapes[0]]
    kind = shape.shape_type
    if kind in ("polygon", "oriented_rectangle"):
        return np.array(shape.points, dtype=np.float64)
    if kind == "rectangle":
        (x0, y0), (x1, y1) = shape.points.tolist()
        return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float64)
    if kind in ("circle", "point"):
        centre = shape.points[0]
        radius = float(np.hypot(*(shape.points[1] - centre))) if kind == "circle" else float(drawing.pen.point_size)
        # chords a quarter pixel inside the rim at most: r (1 - cos(t / 2)) <= 1/4, t ~ sqrt(2 / r)
        return centre + radius * _unit_circle(max(8, math.ceil(2 * math.pi * math.sqrt(radius / 2))))
    if kind == "line" and drawing.pen.line_width > 1:
        start, end = shape.points
        direction = end - start
        length = float(np.hypot(*direction))
        if length == 0:
            return None
        across = np.array([-direction[1], direction[0]]) / length * (drawing.pen.line_width / 2)
        return np.array([start + across, end + across, end - across, start - across])
    return None


@functools.lru_cache(maxsize=256)
def _unit_circle(corners: int) -> NDArray[np.float64]:
    """A regular polygon of ``corners`` corners on the unit circle, the first at angle 0 (shared:
    read only). Computed once per count: a file of many small circles asks for few counts."""
    angles = np.linspace(0, 2 * math.pi, corners, endpoint=False)
    unit = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    unit.flags.writeable = False
    return unit


def _union(boxes: Iterable[tuple[int, int, int, int]]) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = zip(*boxes)
    return min(x0), min(y0), max(x1), max(y1)


def _shape_values(
    doc: LabelmeDocument,
    classes: ClassTable | Mapping[str, int],
    shape_hw: tuple[int, int],
    pen: _Pen,
    unknown: str,
) -> tuple[_Shapes, list[int | None]]:
    """Check the raster options and the image size; give the shapes ready to draw and the value
    of each (None for a shape left out)."""
    check_raster_options(pen.line_width, pen.point_size, unknown, pen.rules)
    height, width = int(shape_hw[0]), int(shape_hw[1])
    check_pixel_count(height, width, doc.source, AnnotationError)
    name_to_index = _name_to_index(classes)
    table = getattr(classes, "source", "")  # a plain mapping has no name
    values = [_shape_value(shape, name_to_index, unknown, doc.source, table) for shape in doc.shapes]
    return _Shapes(doc, pen, height, width, [n for n, v in enumerate(values) if v is not None]), values


def labelme_objects(
    doc: LabelmeDocument,
    classes: ClassTable | Mapping[str, int],
    shape_hw: tuple[int, int],
    *,
    line_width: int = DEFAULT_LINE_WIDTH,
    point_size: int = DEFAULT_POINT_SIZE,
    rules: LabelmeRules = DEFAULT_LABELME_RULES,
    unknown: UnknownPolicy = "error",
    void: bool = False,
) -> list[LabelmeObject]:
    """The objects of a document: every instance whose class is neither background (0) nor
    void, in the order labelme numbers them; with ``void``, the void instances too (shapes of
    ``__ignore__``: category 255), in the same order.

    Raises:
        AnnotationError: a label the table lacks (with ``unknown="error"``), a mask shape the
            rules cannot place, bad options.
    """
    drawing, values = _shape_values(doc, classes, shape_hw, _Pen(line_width, point_size, rules), unknown)
    width, height = drawing.size
    groups: dict[int, list[int]] = {}
    for n, number in enumerate(_instance_numbers(doc, values)):
        if number is not None and values[n] != 0 and (void or values[n] != VOID):
            groups.setdefault(number, []).append(n)
    objects = []
    canvas = PIL.Image.new("L", (width, height), 0)
    draw = PIL.ImageDraw.Draw(canvas)
    for number, shapes in groups.items():
        # Painted where labelme paints it (moving a shape by whole pixels can move a pixel at a
        # rounding tie), and kept as the box it can reach: later work on the object is then in
        # proportion to its size, not to the image's. The canvas is cleared there for the next.
        box = _union(drawing.reach(n) for n in shapes)
        x0, y0 = max(box[0], 0), max(box[1], 0)
        x1, y1 = max(min(box[2], width), x0 + 1), max(min(box[3], height), y0 + 1)
        if x0 >= width or y0 >= height:  # wholly outside the image: nothing painted
            x0, y0, x1, y1 = 0, 0, 1, 1
        for n in shapes:
            drawing.draw(canvas, draw, n, 1)
        mask = np.frombuffer(canvas.crop((x0, y0, x1, y1)).tobytes(), dtype=bool).reshape(y1 - y0, x1 - x0)  # 0 or 1
        canvas.paste(0, (x0, y0, x1, y1))
        objects.append(LabelmeObject(
            number, int(values[shapes[0]]), tuple(shapes), mask, _vertices(drawing, shapes), (x0, y0),  # type: ignore[arg-type]
        ))  # fmt: skip
    return objects


def rasterise(
    doc: LabelmeDocument,
    classes: ClassTable | Mapping[str, int],
    *,
    shape_hw: tuple[int, int] | None = None,
    line_width: int = DEFAULT_LINE_WIDTH,
    point_size: int = DEFAULT_POINT_SIZE,
    rules: LabelmeRules = DEFAULT_LABELME_RULES,
    unknown: UnknownPolicy = "error",
    instances: bool = True,
    overlap: OverlapRule = "last",
) -> Raster:
    """Rasterise a document (see :func:`labelme_to_label`) and count its contested pixels.

    The class and instance canvases are painted with labelme's Pillow calls in file order
    (``overlap="first"``: in reverse), so ``"last"`` stays pixel-identical to labelme. Contested
    pixels are found without a mask per shape: the class shapes are painted once more in
    ascending and once in descending class order, giving each pixel's largest and smallest
    covering class; where the two differ, shapes of two classes meet. A file whose shapes hold
    fewer than two classes skips this.
    """
    if overlap not in OVERLAP_RULES:
        raise AnnotationError(f"overlap rule must be one of {', '.join(OVERLAP_RULES)}, got {overlap!r}")
    if shape_hw is None:
        if doc.image_height is None or doc.image_width is None:
            raise AnnotationError(
                f"{doc.source}: no imageHeight/imageWidth, the image size must be given"
            )
        shape_hw = (doc.image_height, doc.image_width)
    drawing, values = _shape_values(doc, classes, shape_hw, _Pen(line_width, point_size, rules), unknown)
    width, height = drawing.size
    inks = _instance_inks(doc, values) if instances else []
    order = list(range(len(doc.shapes)))
    if overlap == "first":
        order.reverse()
    class_canvas = drawing.paint([(n, values[n]) for n in order])
    instance_canvas = None
    if instances:
        instance_canvas = drawing.paint([(n, inks[n]) for n in order])

    classed = [(n, v) for n, v in enumerate(values) if v is not None and v != VOID]
    if len({v for _, v in classed}) < 2:
        return Raster(class_canvas, instance_canvas, 0)
    rising = sorted(classed, key=lambda nv: nv[1])  # stable: file order within a class
    largest = np.asarray(drawing.paint(rising))
    smallest = np.asarray(drawing.paint(rising[::-1]))
    contested = largest != smallest
    clashes = int(np.count_nonzero(contested))
    if overlap == "void" and clashes:
        mask = PIL.Image.fromarray(contested.astype(np.uint8) * 255)
        for canvas in (class_canvas, instance_canvas):
            if canvas is not None:
                canvas.paste(VOID, (0, 0, width, height), mask)
    return Raster(class_canvas, instance_canvas, clashes)
