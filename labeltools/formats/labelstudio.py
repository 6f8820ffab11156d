"""Label Studio JSON export -> the neutral annotation layer.

The export is a list of tasks; a task's ``data`` names its image (``/data/upload/3/ab12cd34-x.jpg``,
``/data/local-files/?d=folder/x.jpg``, a URL, or a path) and its ``annotations`` hold results:

* ``polygonlabels``: ``points`` in percent of ``original_width`` x ``original_height``, turned
  into pixels as label-studio-converter's COCO export turns them (``x / 100 * width``) and filled
  by pycocotools, as that export's readers fill it;
* ``rectanglelabels``: ``x, y, width, height`` in percent, turned by ``rotation`` degrees about
  its top-left corner, as Label Studio draws it;
* ``brushlabels``: Label Studio's RLE of the RGBA canvas (``rle``), decoded as
  label-studio-converter's ``brush.decode_rle`` decodes it; a pixel is painted where its alpha is
  above 0 (as the converter's COCO export reads it).

Other results (key points, ellipses, choices, text) are left out with a warning. A task with
several annotations uses its latest one that was not cancelled, and says so. A task without one
(never annotated, or every annotation cancelled, Label Studio's "skip") is left out with a
warning: it is not labelled, and a label map of background would teach that it holds nothing; an
annotation without results (submitted empty) is an image of background.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from labeltools.core.annotations import (
    AnnotatedImage,
    AnnotatedObject,
    AnnotationExport,
    Geometry,
    SourceClass,
)
from labeltools.core.errors import AnnotationError, shown
from labeltools.engine.storage import location
from labeltools.formats.sources import (
    BadObject,
    image_candidates,
    image_size,
    number,
    points_array,
    read_json,
    served_image_candidates,
    served_name,
    turned,
    upload_name,
)

_KINDS = {"polygonlabels", "rectanglelabels", "brushlabels"}

#: The files of Label Studio's "Brush labels to PNG" (or NumPy) export, one a region:
#: ``task-<id>-annotation-<id>-by-<annotator>-<control>-<label>-<n>.png``.
_BRUSH_FILE = re.compile(r"task-\d+-annotation-\d+-by-.*-\d+\.(png|npy)", re.IGNORECASE)

#: Why such files are refused, and the export to choose instead.
BRUSH_FILES_SAID = (
    "Label Studio's \"Brush labels to PNG\" export: a mask a region, named by task, not by its image; "
    "export the project as \"JSON\" instead, which labeltools reads, brushes included"
)


def are_brush_files(names: Sequence[str]) -> bool:
    """Whether files are all Label Studio's brush export's (see :data:`_BRUSH_FILE`)."""
    return bool(names) and all(_BRUSH_FILE.fullmatch(name) for name in names)

log = logging.getLogger(__name__)


def decode_brush_rle(rle: Sequence[int], count: int | None = None) -> NDArray[np.uint8]:
    """Label Studio's brush RLE (thi.ng's rle-pack: a 32-bit value count, a word size, four run
    length sizes, then runs of one repeated word or of literal words) as a flat uint8 array.

    Raises:
        BadObject: the bytes end before the values do, or hold another count than ``count``.
    """
    data = bytes(int(v) & 255 for v in rle)
    bits = "".join(f"{b:08b}" for b in data)
    end = len(bits)
    pos = 0

    def read(n: int) -> int:
        nonlocal pos
        if pos + n > end:
            raise BadObject("its brush RLE ends early")
        value = int(bits[pos : pos + n], 2)
        pos += n
        return value

    total = read(32)
    if count is not None and total != count:
        raise BadObject(f"its brush RLE holds {total} values, its {count // 4}-pixel canvas needs {count}")
    word = read(5) + 1
    sizes = [read(4) + 1 for _ in range(4)]
    values: list[int] = []
    lengths: list[int] = []
    done = 0
    while done < total:
        repeat = read(1)
        run = 1 + read(sizes[read(2)])
        run = min(run, total - done)
        if repeat:
            values.append(read(word))
            lengths.append(run)
        else:
            for _ in range(run):
                values.append(read(word))
                lengths.append(1)
        done += run
    return np.repeat(np.array(values, dtype=np.int64), lengths).astype(np.uint8)


def _pixels(value: dict[str, Any], width: int, height: int, what: str) -> tuple[float, float]:
    return number(value.get("x"), f"{what}.x") / 100 * width, number(value.get("y"), f"{what}.y") / 100 * height


def _geometry(kind: str, value: dict[str, Any], width: int, height: int, what: str) -> Geometry:
    if kind == "polygonlabels":
        raw = value.get("points")
        if not isinstance(raw, list) or not all(isinstance(p, list) and len(p) == 2 for p in raw):
            raise BadObject(f"{what}.points must be a list of [x, y] percent pairs, got {shown(raw)}")
        points = points_array([v for p in raw for v in p], f"{what}.points", 3)
        return Geometry("polygon", points * (width / 100, height / 100))
    if kind == "rectanglelabels":
        x, y = _pixels(value, width, height, what)
        w = number(value.get("width"), f"{what}.width") / 100 * width
        h = number(value.get("height"), f"{what}.height") / 100 * height
        angle = number(value.get("rotation", 0), f"{what}.rotation")
        if not angle:
            return Geometry("box", np.array([[x, y], [x + w, y + h]]))
        corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float64)
        return Geometry("polygon", turned(corners, angle) + (x, y))  # about the top-left corner
    if value.get("format") != "rle" or not isinstance(value.get("rle"), list):
        raise BadObject(f"{what}: a brush must hold 'format': 'rle' and an 'rle' list")
    try:
        rgba = decode_brush_rle(value["rle"], width * height * 4)
    except BadObject as exc:
        raise BadObject(f"{what}: {exc}") from None
    return Geometry("mask", mask=rgba[3::4].reshape(height, width) > 0)


def _latest(annotations: list[Any]) -> tuple[dict[str, Any] | None, int]:
    if not isinstance(annotations, list):
        return None, 0
    kept = [a for a in annotations if isinstance(a, dict) and not a.get("was_cancelled")]
    if not kept:
        return None, 0
    kept.sort(key=lambda a: (str(a.get("updated_at") or a.get("created_at") or ""), a.get("id") or 0))
    return kept[-1], len(kept)


#: The keys of a JSON-MIN record that are neither the task's data nor its regions.
_MIN_KEYS = frozenset({"id", "annotator", "annotation_id", "created_at", "updated_at", "lead_time", "agreement"})


def _regions(value: Any) -> list[dict[str, Any]] | None:
    """A JSON-MIN record's value as a control's regions (a list of objects, one holding labels),
    or None when it is the task's data."""
    if isinstance(value, list) and value and all(isinstance(r, dict) for r in value) and any(k in r for r in value for k in _KINDS):
        return value
    return None


def _is_json_min(record: dict[str, Any]) -> bool:
    """Whether a record is JSON-MIN's: an annotation's id, or a control's regions."""
    return "annotation_id" in record or any(_regions(value) is not None for value in record.values())


def _json_min_tasks(records: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """A JSON-MIN export (label-studio-converter's: one record per annotation, the task's data
    and each control's regions side by side, a region's value holding its image's
    ``original_width`` and ``original_height``) as the tasks of a JSON export, an annotation's
    regions its results; the records of one task are its annotations (the latest is read). The
    controls whose regions were found come second, in the order they come in."""
    tasks: dict[Any, dict[str, Any]] = {}
    controls: dict[str, None] = {}
    for record in records:
        data: dict[str, Any] = {}
        results: list[dict[str, Any]] = []
        for key, value in record.items():
            if key in _MIN_KEYS:
                continue
            regions = _regions(value)
            if regions is None:
                data[key] = value
                continue
            controls.setdefault(key)
            for region in regions:
                kind = next((k for k in _KINDS if k in region), None)
                sizes: dict[str, Any] = {k: region[k] for k in ("original_width", "original_height") if k in region}
                results.append({"type": kind, "from_name": key, "value": region, **sizes})
        task = tasks.setdefault(record.get("id", len(tasks)), {"id": record.get("id"), "data": data, "annotations": []})
        task["annotations"].append({key: record.get(key) for key in ("created_at", "updated_at")} | {"id": record.get("annotation_id"), "result": results})
    return list(tasks.values()), list(controls)


def _task_image(task: dict[str, Any]) -> str | None:
    data = task.get("data")
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("image"), str):
        return str(data["image"])
    return next((v for v in data.values() if isinstance(v, str)), None)


def read_labelstudio(path: Any, images_dir: Path | None = None) -> AnnotationExport:
    """Read a Label Studio JSON export into the neutral layer, one record per task with an image.

    Images are looked for by file name (an upload's name with and without its prefix; then the
    task's ``file_upload``) under ``images_dir``, then beside the export and in ``images/``
    there; never fetched.

    Raises:
        AnnotationError: the file is not a Label Studio JSON export (a list of tasks).
    """
    path = location(path)
    return parse_labelstudio(read_json(path), path, images_dir)


def parse_labelstudio(doc: Any, path: Path, images_dir: Path | None = None) -> AnnotationExport:
    """A Label Studio export's tasks as records (see :func:`read_labelstudio`).

    Raises:
        AnnotationError: the document is not a Label Studio JSON export.
    """
    json_min = isinstance(doc, list) and bool(doc) and all(isinstance(t, dict) and "data" not in t and _is_json_min(t) for t in doc)
    if json_min:
        doc, controls = _json_min_tasks(doc)
        if len(controls) > 1:
            log.warning(
                "%s: a JSON-MIN export keeps each control's regions together (%s), not in the order they were "
                "drawn: where regions of two controls overlap, the later control's lie on top; the JSON export keeps the order",
                path, ", ".join(controls),
            )  # fmt: skip
    if not isinstance(doc, list) or not all(isinstance(t, dict) and "data" in t for t in doc):
        raise AnnotationError(f"{path}: not a Label Studio JSON export (a list of tasks, each with 'data')")
    records = []
    labels: dict[str, None] = {}
    unannotated: list[str] = []
    folders = [path.parent, path.parent / "images"]
    for n, task in enumerate(doc):
        given = _task_image(task)
        task_name = f"tasks[{n}] (id {shown(task.get('id'))})"
        if given is None:
            raise AnnotationError(f"{path}: {task_name} names no image in its 'data'")
        source = f"{path}: {task_name}, image {shown(given)}"
        reference = served_name(given)
        annotation, kept = _latest(task.get("annotations") or [])
        if annotation is None:
            unannotated.append(f"{shown(task.get('id'))} ({upload_name(reference)})")
            continue
        warnings: list[str] = []
        if kept > 1:
            warnings.append(f"{kept} annotations; the latest (id {shown(annotation.get('id'))}) is used")
        objects: list[AnnotatedObject] = []
        height = width = None
        problem = None
        skipped: dict[str, int] = {}
        try:
            found = annotation.get("result")
            if not isinstance(found, list):
                raise BadObject(f"its annotation's 'result' must be a list, got {shown(found)}")
            for m, result in enumerate(found):
                kind = result.get("type") if isinstance(result, dict) else None
                what = f"result[{m}]"
                if not isinstance(kind, str) or kind not in _KINDS:
                    skipped[str(kind)] = skipped.get(str(kind), 0) + 1
                    continue
                if json_min and result.get("original_height") is None:
                    raise BadObject(f"{what}: a JSON-MIN region without its image's size (older Label Studio leaves it out): export the project as JSON")
                h, w = image_size(result.get("original_height"), result.get("original_width"), f"{what}'s original")
                if height is not None and (h, w) != (height, width):
                    raise BadObject(f"{what} is on a {h}x{w} image, earlier results on {height}x{width}")
                height, width = h, w
                value = result.get("value")
                names = value.get(kind) if isinstance(value, dict) else None
                if not isinstance(names, list) or not names or not all(isinstance(v, str) and v for v in names):
                    raise BadObject(f"{what}.value.{kind} must list its label, got {shown(names)}")
                if len(names) > 1:
                    warnings.append(f"{what} has {len(names)} labels; the first, {shown(names[0])}, is used")
                label = names[0]
                what = f"{what} ({kind[:-6]} {shown(label)})"
                labels.setdefault(label)
                region = result.get("id")  # a string as Label Studio writes it; any JSON a file may hold, a key all the same
                objects.append(AnnotatedObject(label, (_geometry(kind, value, w, h, what),), what, region if region is None or isinstance(region, (str, int)) else repr(region)))
        except BadObject as exc:
            problem = f"{source}: {exc}"
        warnings += [f"{c} result(s) of type {shown(k)} left out" for k, c in skipped.items()]
        candidates = served_image_candidates(given, folders, images_dir)
        uploaded = task.get("file_upload")
        if isinstance(uploaded, str) and uploaded:  # the file as uploaded, whatever 'data' names
            candidates += image_candidates(uploaded, folders, images_dir)
            candidates += image_candidates(upload_name(uploaded, uploaded=True), folders, images_dir)
        records.append(AnnotatedImage(
            source=source, annotation_file=str(path), image=reference, candidates=tuple(dict.fromkeys(candidates)),
            height=height, width=width, objects=tuple(objects), fill="pycocotools",
            warnings=tuple(warnings), problem=problem,
        ))  # fmt: skip
    if unannotated:
        more = f" and {len(unannotated) - 5} more" if len(unannotated) > 5 else ""
        log.warning(
            "%s: %d task(s) without an annotation left out (never annotated, or every annotation "
            "cancelled): id %s%s", path, len(unannotated), ", ".join(unannotated[:5]), more,
        )  # fmt: skip
    return AnnotationExport(str(path), tuple(records), tuple(SourceClass(n) for n in sorted(labels)))
