"""YOLO segmentation labels (the Ultralytics layout): ``labels/<split>/<id>.txt`` with one
``class x1 y1 x2 y2 ...`` line per object, coordinates normalised to 0..1, and ``data.yaml``.

What a reader does with a line is Ultralytics' rule: the coordinates are scaled by the image
size, truncated to whole pixels and the polygon filled, outline included, by OpenCV's
``fillPoly``. So every vertex is written as the centre of the pixel it lies in,
``(floor(x) + 0.5) / width``: half a pixel of margin on either side of the truncation, which
no rounding of the decimals can cross, and the pixel a reader finds is the one we checked
with the same OpenCV call (the ``yolo`` extra, imported when an export runs). An object in
several parts is one line, its parts joined by zero-width bridges, as Ultralytics' own COCO
conversion joins them (``merge_multi_segment``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from labeltools.core.annotations import AnnotatedImage, AnnotatedObject, AnnotationExport, Geometry, SourceClass
from labeltools.core.classes import ClassTable, is_unused
from labeltools.core.errors import AnnotationError, DatasetError, ExportError, YoloLabelError, require_extra
from labeltools.core.options import VOID
from labeltools.engine.storage import list_files, location
from labeltools.formats.images import open_record_image

#: Decimal places of a coordinate: a 100000-pixel image is still placed to a hundredth of a pixel.
DECIMALS = 7

_SCALE = 10**DECIMALS


def yolo_class_ids(table: ClassTable, keep_ids: bool = False) -> dict[int, int]:
    """The YOLO class id of each class index: by default the classes but background (0), void
    and the placeholders of ids no class takes (COCO's ids 12, 26, ...: :func:`is_unused`),
    numbered from 0 in table order (Ultralytics' own numbering, its COCO conversion's 80
    classes: no class the detection head never sees); with ``keep_ids``, the table's own
    indices (0, background, then unused)."""
    if keep_ids:
        return {entry.index: entry.index for entry in table.classes if entry.index < VOID}
    real = [entry.index for entry in table.classes if 0 < entry.index < VOID and not is_unused(entry.index, entry.name)]
    return {index: number for number, index in enumerate(real)}


def require_opencv() -> Any:
    """OpenCV, which fills a YOLO polygon as Ultralytics does.

    Raises:
        ExportError: it is not installed (saying how to install it).
    """
    return require_extra("cv2", "exporting to YOLO needs OpenCV, which reads the polygons back as Ultralytics does", "yolo", ExportError)


def pixel_polygon(points: NDArray[np.float64], width: int, height: int) -> NDArray[np.float64]:
    """The pixels a polygon's vertices (pixel-centre coordinates) lie in, clipped to the image
    (annotators drag corners past its edge; the format holds 0..1 only): the polygon a YOLO
    line holds for Ultralytics, which truncates what it reads to whole pixels."""
    last = np.array([width - 1, height - 1], dtype=np.float64)
    return np.minimum(np.maximum(np.floor(np.asarray(points, dtype=np.float64)), 0), last)  # np.clip, quicker


def yolo_line(category: int, points: NDArray[np.float64], width: int, height: int) -> str:
    """One label line for a polygon of pixel-centre ``points`` ``(N, 2)``, each written as the
    centre of the pixel it lies in (see :func:`pixel_polygon` and the module's description). A
    polygon of fewer than 3 points (a single pixel) repeats its last point to 3."""
    if len(points) < 3:
        points = np.concatenate([points, np.repeat(points[-1:], 3 - len(points), axis=0)])
    size = np.array([width, height], dtype=np.float64)
    # (pixel + 0.5) / size lies in 0..1 (never 1): its decimals as an integer, quicker to print
    digits = np.round((pixel_polygon(points, width, height) + 0.5) / size * _SCALE).astype(np.int64)
    # Printed all at once: 10**DECIMALS + digits has DECIMALS + 1 digits, the first a 1, so the
    # list's text "[1ddddddd, 1ddddddd]" becomes "0.ddddddd 0.ddddddd" by two string operations.
    shifted = np.minimum(digits.ravel(), _SCALE - 1) + _SCALE
    return f"{category} 0." + repr(shifted.tolist())[2:-1].replace(", 1", " 0.")


def fill_polygon(pixels: NDArray[np.float64], width: int, height: int) -> tuple[NDArray[np.bool_], tuple[int, int]]:
    """A polygon of whole-pixel vertices filled as Ultralytics fills what it reads (OpenCV's
    ``fillPoly``, outline included): the pixels of the box it covers, and that box's top-left
    pixel ``(x, y)``. Shifting whole-pixel vertices to the box shifts the fill with them."""
    cv2 = require_opencv()
    corners = pixels.astype(np.int32).reshape(-1, 1, 2)
    x, y, w, h = cv2.boundingRect(corners)
    canvas = np.zeros((h, w), dtype=np.uint8)
    cv2.fillPoly(canvas, [corners], 1, offset=(-x, -y))
    return canvas.view(bool), (x, y)


def parse_yolo_labels(
    text: str, source: str = "labels", boxes: list[int] | None = None, dtype: Any = np.float64
) -> list[tuple[int, NDArray[Any]]]:
    """The polygons of a label file, written from Ultralytics' description of the format: per
    line a class index (an integer from 0) and at least three ``x y`` pairs, each in 0..1.
    With ``boxes``, a detection line (a class and ``x y w h``) is no error: its line number is
    added to ``boxes``. ``dtype`` is the coordinates' (Ultralytics reads them as float32).

    Raises:
        YoloLabelError: naming the line and what is wrong.
    """
    found: list[tuple[int, NDArray[Any]]] = []
    for number, line in enumerate(text.splitlines(), 1):
        fields = line.split()
        if not fields:
            continue
        if not fields[0].isdigit():
            raise YoloLabelError(f"{source}: line {number}: class {fields[0]!r} is not an integer from 0")
        try:
            values = np.array([float(v) for v in fields[1:]], dtype=dtype)
        except ValueError:
            raise YoloLabelError(f"{source}: line {number}: coordinates must be numbers") from None
        if boxes is not None and len(values) == 4:
            boxes.append(number)
            continue
        if len(values) % 2 or len(values) < 6:
            raise YoloLabelError(f"{source}: line {number}: needs x y pairs of at least 3 points, got {len(values)} numbers")
        if not ((values >= 0) & (values <= 1)).all():
            raise YoloLabelError(f"{source}: line {number}: coordinates must lie in 0..1")
        found.append((int(fields[0]), values.reshape(-1, 2)))
    return found


def outer_contours(mask: NDArray[np.bool_]) -> tuple[list[NDArray[np.float64]], int]:
    """The outlines of a mask's parts (8-connected) through their boundary pixels' centres,
    straight runs as one edge, as OpenCV traces them (``findContours``), and how many holes
    the parts have. Filled by OpenCV, an outline gives back its part's pixels, holes filled."""
    cv2 = require_opencv()
    found, hierarchy = cv2.findContours(mask.astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return [], 0
    parents = hierarchy[0][:, 3]
    outer = [contour.reshape(-1, 2).astype(np.float64) for contour, parent in zip(found, parents) if parent < 0]
    return outer, int(np.count_nonzero(parents >= 0))


def simplify_outline(pixels: NDArray[np.float64], tolerance: float) -> NDArray[np.float64]:
    """A closed whole-pixel outline with the corners dropped that lie within ``tolerance``
    pixels of the line between the corners kept around them (Douglas and Peucker's rule, by
    OpenCV's ``approxPolyDP``, as :func:`labeltools.ops.outlines.simplify` does without it)."""
    simplified = require_opencv().approxPolyDP(pixels.astype(np.int32).reshape(-1, 1, 2), tolerance, True)
    return simplified.reshape(-1, 2).astype(np.float64)


def rasterise_polygons(polygons: Iterable[NDArray[np.float64]], width: int, height: int) -> NDArray[np.bool_]:
    """Normalised polygons drawn back on a ``(H, W)`` mask by Ultralytics' rule: scaled by the
    image size, truncated to whole pixels, filled by OpenCV with the outline included."""
    canvas = np.zeros((height, width), dtype=np.uint8)
    size = np.array([width, height], dtype=np.float64)
    loops = [np.trunc(points * size).astype(np.int32).reshape(-1, 1, 2) for points in polygons]
    for loop in loops:
        require_opencv().fillPoly(canvas, [loop], 1)
    return canvas.view(bool)


def join_parts(parts: Sequence[NDArray[np.float64]]) -> NDArray[np.float64]:
    """Closed polygons ``(N_i, 2)`` joined into one: from each part the walk goes to the next at
    the pair of their vertices nearest each other, around that part and on, and back the same
    way, so every part is traced once and each bridge twice in opposite directions (a bridge
    encloses nothing). Ultralytics joins the parts of a COCO object so."""
    loops = [np.asarray(part, dtype=np.float64) for part in parts]
    if len(loops) == 1:
        return loops[0]
    # Where each part meets the next: its exit vertex and the next part's entry vertex.
    exits: list[int] = []
    entries: list[int] = [0]
    for current, following in zip(loops, loops[1:]):
        distance = ((current[:, None, :] - following[None, :, :]) ** 2).sum(axis=-1)
        nearest = np.unravel_index(int(np.argmin(distance)), distance.shape)
        exits.append(int(nearest[0]))
        entries.append(int(nearest[1]))
    exits.append(entries[-1])  # the last part is walked round from its entry back to it
    # Part i, started at its entry: out along it to the exit, then (after the parts beyond)
    # on from the exit back round to the entry.
    outward, homeward = [], []
    for loop, entry, leave in zip(loops, entries, exits):  # noqa: B905 (equal lengths)
        walk = np.roll(loop, -entry, axis=0)
        walk = np.concatenate([walk, walk[:1]])  # closed: ends where it starts
        split = (leave - entry) % len(loop)
        outward.append(walk[: split + 1])
        homeward.append(walk[split:])
    return np.concatenate([*outward, *reversed(homeward)])


#: What Ultralytics' semantic data.yaml calls 255, its ignore label, in ``label_mapping``.
IGNORE_LABEL = "ignore_label"


def data_yaml(
    names: dict[int, str], splits: Sequence[str], masks_dir: str | None = None, label_mapping: dict[int, int] | None = None
) -> str:
    """``data.yaml``: an image folder per split, relative to the file's own folder (no
    ``path:``, which Ultralytics would resolve against the working folder: without it the
    dataset root is where data.yaml lies, wherever the dataset is moved), and the class names
    by YOLO id. Ultralytics needs ``train`` and ``val``: a dataset without a val split
    validates on its train images. A semantic dataset names the folder of its masks
    (``masks_dir``, beside ``images``), and the train id of each value its masks hold
    (``label_mapping``, 255 ``ignore_label``) when they hold other values than the classes."""
    folders = {split: f"images/{split}" for split in splits}
    folders.setdefault("val", folders.get("train", "images/train"))
    folders.setdefault("train", folders["val"])
    ordered = ["train", "val", *(split for split in splits if split not in ("train", "val"))]
    lines = [f"{split}: {folders[split]}" for split in ordered]
    if masks_dir is not None:
        lines.append(f"masks_dir: {masks_dir}")
    lines.append("names:")
    lines += [f"  {number}: {json.dumps(name, ensure_ascii=False)}" for number, name in sorted(names.items())]
    if label_mapping:
        lines.append("label_mapping:")
        lines += [f"  {value}: {IGNORE_LABEL if target == VOID else target}" for value, target in sorted(label_mapping.items())]
    return "\n".join(lines) + "\n"


# Reading a YOLO segmentation dataset (convert --from yolo): its data.yaml, its images by split,
# and each image's label file as Ultralytics reads and fills it.

#: The dataset files Ultralytics reads, ``.yaml`` first.
DATA_YAML_SUFFIXES = (".yaml", ".yml")

#: The images of a YOLO dataset: those of Ultralytics' image formats that Pillow reads.
YOLO_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")

#: The splits a data.yaml names, in the order they are read (an image listed in two is kept in
#: the first).
YOLO_SPLITS = ("train", "val", "test")


@dataclass(frozen=True)
class YoloDataset:
    """What a YOLO dataset's data.yaml says: the class names by id, and each image with its
    label file (Ultralytics' rule: the last ``images`` folder of its path made ``labels``, the
    suffix ``.txt``) and its split."""

    yaml: str
    names: dict[int, str]
    images: tuple[tuple[Any, Any, str], ...]
    notes: tuple[str, ...] = ()


def _text(path: Any, error: type[Exception], missing: str | None = None) -> str:
    """A text file of a YOLO dataset, or ``error`` naming it and why it cannot be read;
    ``missing`` when given and there is no such file."""
    try:
        return str(location(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        if missing is not None:
            return missing
        raise error(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise error(f"{path}: not a text file (not UTF-8)") from None
    except OSError as exc:
        raise error(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _yaml() -> Any:
    return require_extra("yaml", "reading a YOLO dataset needs PyYAML", "yolo", DatasetError)


def _load_yaml(path: Any) -> Any:
    yaml = _yaml()
    try:
        return yaml.safe_load(_text(path, DatasetError))
    except yaml.YAMLError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DatasetError(f"{path}: not a YAML file ({reason})") from None


def dataset_yaml(folder: Any) -> Any | None:
    """The data.yaml of a YOLO dataset's folder, or None: a ``.yaml`` (else ``.yml``) file
    naming classes and images (``names``, and ``train``, ``val`` or ``test``) at its top, else
    below it (the folder a downloaded dataset was unpacked into), as Ultralytics looks for one;
    ``data.yaml`` where there are several in one place.

    Raises:
        DatasetError: several such files, none named data.yaml, or several below the folder.
    """
    root = location(folder)
    files = list_files(root, DATA_YAML_SUFFIXES, recursive=True)  # the tree listed once
    for below in (False, True):
        for suffix in DATA_YAML_SUFFIXES:
            found = [p for p in files if (p.parent != root) == below and p.name.lower().endswith(suffix) and _is_dataset_file(p)]
            named = [p for p in found if p.stem.lower() == "data"]
            if len(found) > 1 and (below or not named):
                listed = ", ".join(str(p.relative_to(root)) for p in found[:5]) + (" ..." if len(found) > 5 else "")
                raise DatasetError(f"{root}: holds {len(found)} YOLO dataset files ({listed}): give one of them")
            if found:
                return (named or found)[0]
    return None


@dataclass(frozen=True)
class SemanticYaml:
    """What the data.yaml of an Ultralytics semantic segmentation dataset (one naming
    ``masks_dir``: masks beside the images) says: the classes its masks' values are, by id,
    and ``label_mapping``, the value Ultralytics reads each listed mask value as (255 its
    ignore label); values it does not list are read as they are."""

    path: Any
    masks_dir: str
    table: ClassTable
    label_mapping: dict[int, int]

    def reads(self) -> dict[int, int]:
        """Every value 0..255 as Ultralytics reads it (``label_mapping``, else itself)."""
        return {value: self.label_mapping.get(value, value) for value in range(VOID + 1)}


def semantic_yaml(path: Any) -> SemanticYaml | None:
    """The data.yaml at ``path`` when it is an Ultralytics semantic segmentation dataset's,
    else None (a YOLO segmentation dataset's, any other file).

    Raises:
        DatasetError: names that are no classes numbered from 0, a label_mapping that is no
            table of values.
    """
    try:
        doc = _load_yaml(path)
    except DatasetError:
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("masks_dir"), str) or "names" not in doc:
        return None
    names = _yaml_names(doc["names"], path)
    if sorted(names) != list(range(len(names))) or len(names) > VOID:
        raise DatasetError(f"{path}: names must number the classes 0..n-1 (at most {VOID}), as the masks' values, got ids {sorted(names)[:8]}")
    mapping: dict[int, int] = {}
    raw = doc.get("label_mapping") or {}
    if not isinstance(raw, dict):
        raise DatasetError(f"{path}: label_mapping must map mask values to class ids, got {raw!r}")
    for key, target in raw.items():
        value = VOID if target in (None, IGNORE_LABEL) else target
        if not isinstance(key, int) or not isinstance(value, int) or not 0 <= value <= VOID:
            raise DatasetError(f"{path}: label_mapping: {key!r}: {target!r} is no mask value and class id (or ignore_label)")
        if 0 <= key <= VOID:  # a value no mask pixel holds (Cityscapes' -1) maps nothing
            mapping[key] = value
    table = ClassTable.from_names([names[i] for i in range(len(names))], source=str(path))
    return SemanticYaml(path, doc["masks_dir"], table, mapping)


def semantic_yaml_above(folder: Any, levels: int = 3) -> SemanticYaml | None:
    """The semantic data.yaml (see :func:`semantic_yaml`) of the dataset a folder of its masks
    belongs to: in ``folder`` or one of the ``levels`` folders above it, whose ``masks_dir``
    holds it (``ds/masks/train`` of ``ds/data.yaml`` naming ``masks``); None otherwise."""
    here = location(folder)
    for place in [here, *list(here.parents)[:levels]]:
        for suffix in DATA_YAML_SUFFIXES:
            candidate = place / f"data{suffix}"
            if candidate.is_file() and (found := semantic_yaml(candidate)) is not None:
                masks = place / found.masks_dir
                return found if here == masks or str(here).startswith(str(masks).rstrip("/") + "/") or here == place else None
    return None


def no_dataset_file(folder: Any) -> DatasetError:
    """The error of a folder given as a YOLO dataset's that holds no dataset file."""
    return DatasetError(f"{folder}: holds no YOLO dataset file (a data.yaml naming its classes and images)")


def _is_dataset_file(path: Any) -> bool:
    """Whether a YAML file is a YOLO dataset's: it names classes and images (one that is no
    YAML is none). Without PyYAML, which reads them, a file named data.yaml is taken for one,
    so that reading it says what to install, and other YAML files are none."""
    try:
        _yaml()
    except DatasetError:
        return path.stem.lower() == "data"
    try:
        doc = _load_yaml(path)
    except DatasetError:
        return False
    return isinstance(doc, dict) and "names" in doc and any(split in doc for split in YOLO_SPLITS)


def read_yolo_dataset(path: Any) -> YoloDataset:
    """A YOLO dataset from its data.yaml: ``names`` (a list, or ids to names), and the images
    of ``train``, ``val`` and ``test`` (each a folder, searched below, a text file listing
    images, or a list of these), found where Ultralytics finds them: below ``path:`` (absolute,
    else beside data.yaml, else in the working folder), else beside data.yaml; an entry
    ``../x`` missing there is looked for as ``x``, as Ultralytics does for Roboflow's files; a
    ``test`` entry that does not exist is said and left out, as Ultralytics leaves it.

    Raises:
        DatasetError: not a dataset file, names that are not classes, ``nc`` that contradicts
            them, a train or val entry that does not exist, or no image at all.
    """
    path = location(path)
    doc = _load_yaml(path)
    if not isinstance(doc, dict) or "names" not in doc:
        raise DatasetError(f"{path}: not a YOLO dataset file (it needs 'names', the class names by id)")
    names = _yaml_names(doc["names"], path)
    count = doc.get("nc")
    if count is not None and count != len(names):
        raise DatasetError(f"{path}: nc is {count!r}, but names lists {len(names)} classes")
    roots = [path.parent]
    if doc.get("path"):
        given = str(doc["path"])
        roots = [location(given)] if os.path.isabs(given) or "://" in given else [path.parent / given, location(os.path.abspath(given)), path.parent]
    listed = {split: doc.get(split) for split in YOLO_SPLITS if doc.get(split)}
    if not listed:
        raise DatasetError(f"{path}: names no images (train, val or test)")
    first = next(iter(listed.values()))
    first = first[0] if isinstance(first, list) and first else first
    root = next((r for r in roots if _entry(r, str(first)) is not None), roots[0])
    notes = [f"its path: {doc['path']} holds none of its images: they were found below {root}"] if root != roots[0] else []
    images: list[tuple[Any, Any, str]] = []
    seen: dict[str, str] = {}
    twice: dict[tuple[str, str], int] = {}
    for split, entries in listed.items():
        for entry in entries if isinstance(entries, list) else [entries]:
            place = _entry(root, str(entry))
            if place is None and split not in ("train", "val"):  # Roboflow lists a test split it may not have
                notes.append(f"{split}: {entry} does not exist below {root}: no {split} images (Ultralytics reads it only when asked to)")
                continue
            if place is None:
                raise DatasetError(f"{path}: {split}: {entry} does not exist below {root}")
            for image in _split_images(place):
                key = str(image)
                if key in seen:
                    twice[(seen[key], split)] = twice.get((seen[key], split), 0) + 1
                    continue
                seen[key] = split
                images.append((image, _label_path(image), split))
    notes += [f"{n} image(s) of {second} are {first_split}'s as well: kept in {first_split}" for (first_split, second), n in twice.items()]
    if not images:
        raise DatasetError(f"{path}: its {', '.join(listed)} hold no image ({', '.join(YOLO_IMAGE_SUFFIXES)})")
    return YoloDataset(str(path), names, tuple(images), tuple(notes))


def _yaml_names(names: Any, path: Any) -> dict[int, str]:
    """The class names by YOLO id of data.yaml's ``names``: a list, or ids (integers from 0) to names."""
    pairs = list(enumerate(names)) if isinstance(names, list) else list(names.items()) if isinstance(names, dict) else None
    if not pairs:
        raise DatasetError(f"{path}: names must list the class names (a list, or ids to names), got {names!r}")
    found = {}
    for key, name in pairs:
        number = int(key) if isinstance(key, str) and key.isdigit() else key  # "0": as Ultralytics' check_class_names reads it
        if isinstance(number, bool) or not isinstance(number, int) or number < 0 or not isinstance(name, (str, int)) or str(name) == "":
            raise DatasetError(f"{path}: names: {key!r}: {name!r} is no class (an id from 0 and a name)")
        found[number] = str(name)
    return found


def _entry(root: Any, entry: str) -> Any | None:
    """Where a split's entry of data.yaml is: below ``root``, else without a leading ``../``."""
    for candidate in [entry, entry[3:]] if entry.startswith("../") else [entry]:
        place = location(candidate) if os.path.isabs(candidate) or "://" in candidate else root / candidate
        if place.exists():
            return place
    return None


def _split_images(place: Any) -> list[Any]:
    """The images of a split's entry: a folder's, searched below it; a text file's, one a line
    (relative to its folder)."""
    if place.is_dir():
        return list_files(place, YOLO_IMAGE_SUFFIXES, recursive=True)
    lines = [line.strip() for line in _text(place, DatasetError).splitlines() if line.strip()]
    return [location(line) if os.path.isabs(line) or "://" in line else place.parent / line.removeprefix("./") for line in lines]


def _label_path(image: Any) -> Any:
    """An image's label file, as Ultralytics names it: the last ``/images/`` of its path made
    ``/labels/``, the suffix ``.txt``."""
    image = location(image)
    folder = next((parent for parent in image.parents if parent.name == "images"), None)  # the last images/
    labelled = image if folder is None else folder.parent / "labels" / image.relative_to(folder)
    return labelled.with_suffix(".txt")  # by the path's parts, not its text: a file in a .zip's too


def yolo_objects(label: Any, names: Mapping[int, str], width: int, height: int) -> tuple[tuple[AnnotatedObject, ...], tuple[str, ...]]:
    """The objects of an image's label file, each a polygon in pixels as Ultralytics reads it
    (its float32 coordinates scaled by the image size: filled by the ``"ultralytics"`` rule), and
    what was left out, in words. No label file: no object (Ultralytics' image of background).

    Raises:
        YoloLabelError: a line that does not follow the format, or a class id ``names`` lacks.
    """
    path = location(label)
    boxes: list[int] = []
    lines = parse_yolo_labels(_text(path, YoloLabelError, missing=""), str(path), boxes, np.float32)  # read, not asked for first
    scale = np.array([width, height], dtype=np.float32)
    objects = []
    for number, (category, points) in enumerate(lines, 1):
        if category not in names:
            raise YoloLabelError(f"{path}: object {number}: class {category} is none of data.yaml's ids ({', '.join(map(str, sorted(names)))})")
        pixels = (points * scale).astype(np.float64)  # the float32 product, as Ultralytics scales it
        objects.append(AnnotatedObject(names[category], (Geometry("polygon", points=pixels),), f"object {number}"))
    shown_lines = ", ".join(map(str, boxes[:3])) + (" ..." if len(boxes) > 3 else "")
    said = (f"{len(boxes)} detection line(s), a box and no outline (line {shown_lines}), left out",) if boxes else ()
    return tuple(objects), said


def yolo_record(record: AnnotatedImage, names: Mapping[int, str], width: int, height: int) -> AnnotatedImage:
    """The record of an image of a YOLO dataset (its ``annotation_file`` the label file) with
    the objects of its label file at the image's size (see :func:`yolo_objects`).

    Raises:
        AnnotationError: the label file does not follow the format (naming it and the line).
    """
    try:
        objects, said = yolo_objects(record.annotation_file, names, width, height)
    except YoloLabelError as exc:
        raise AnnotationError(str(exc)) from None
    return replace(record, objects=objects, warnings=said, fill="ultralytics")


def read_yolo(path: Any) -> AnnotationExport:
    """Read a YOLO segmentation dataset (its data.yaml, or the folder holding it: see
    :func:`dataset_yaml`) into the neutral layer, one record per image in data.yaml's order,
    its ``subset`` the split, its objects those of its label file at its image's size (the
    image's header read) as Ultralytics reads them; the classes in id order. An image that
    cannot be opened, or a label file out of the format, fails its image alone (the record's
    ``problem``).

    Raises:
        DatasetError: no dataset file, or one :func:`read_yolo_dataset` refuses.
    """
    place = location(path)
    yaml = dataset_yaml(place) if place.is_dir() else place
    if yaml is None:
        raise no_dataset_file(place)
    dataset = read_yolo_dataset(yaml)
    records = []
    for image, label, split in dataset.images:
        record = AnnotatedImage(
            source=str(label), annotation_file=str(label), image=str(image), candidates=(str(image),),
            height=None, width=None, objects=(), fill="ultralytics", subset=split,
        )  # fmt: skip
        try:
            opened = open_record_image(record)
            record = yolo_record(replace(record, height=opened.height, width=opened.width), dataset.names, opened.width, opened.height)
        except AnnotationError as exc:
            record = replace(record, problem=str(exc))
        records.append(record)
    return AnnotationExport(dataset.yaml, tuple(records), tuple(SourceClass(name) for _, name in sorted(dataset.names.items())))
