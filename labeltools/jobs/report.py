"""A dataset seen at a glance: the job behind ``labeltools report``.

The report is one HTML file (see :mod:`labeltools.formats.report`). It is made in two passes on
the engine. The first reads every sample, as ``check`` does (each problem is found once), counts
its pixels, and with predictions or an older version of the labels, counts what they score or
what changed; only counts travel back, a few numbers per image. From them the gallery is chosen
(the images with problems, then every class, rarest first, then a spread of the rest) and the
worst-predicted and most-changed images; the second pass draws those few pictures. Memory grows
by a few numbers per image, and by the pictures shown.
"""

from __future__ import annotations

import base64
import io
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageOps

from labeltools.core._types import PathLike
from labeltools.core.classes import ClassTable, hex_color
from labeltools.core.errors import DatasetError, LabeltoolsError, ReportError
from labeltools.core.options import VOID
from labeltools.core.version import __version__
from labeltools.engine.executor import FileResult, OneRun, map_files
from labeltools.engine.storage import ensure_dir, location
from labeltools.formats.cityscapes import label_maps
from labeltools.formats.folders import not_a_folder
from labeltools.formats.hub import HubLabelRow, hub_row
from labeltools.formats.images import EXIF_ORIENTATION, SIDE_SWAPPING_ORIENTATIONS
from labeltools.formats.labels import PIL_ERRORS, not_png_hint, open_image, prediction_files, read_label
from labeltools.formats.report import require_report_libraries, write_report
from labeltools.formats.voc import (
    AUG_LABELS_DIR,
    GIVE_CLASSES,
    LABELS_DIR,
    SPLITS,
    check_labels_agree,
    has_own_table,
    read_split,
    split_path,
)
from labeltools.jobs.check import (
    ERROR,
    WARNING,
    CityscapesCheck,
    CityscapesFrame,
    DatasetCheck,
    HubCheck,
    Problem,
    _problem,
    check_frame,
    check_sample,
    label_check,
    row_files,
)
from labeltools.jobs.diff import LabelChanges, LabelFiles, LabelItem, label_files
from labeltools.jobs.evaluate import (
    PREDICTIONS, Scoring, cityscapes_choice, frame_pairs, paired_tables, prediction_stem, predicted_rows, predictions_split,
    scoring, warn_ground_truth_as_predictions,
)  # fmt: skip
from labeltools.jobs.hub_labels import NO_TABLE_SAID, hub_labels, item_label, no_config, refuse_other_images, work_item
from labeltools.jobs.stats import DatasetStats
from labeltools.ops.draw import changes_image, fit_size, overlay_image, shrink_label
from labeltools.ops.metrics import ConfusionMatrix, change_counts, confusion_counts, off_by_one, one_size_predictions
from labeltools.ops.splits import SplitTally

#: Images shown in the gallery, unless told otherwise.
DEFAULT_MAX_IMAGES = 200
#: The box a thumbnail fits in: width, and height at 3:4.
DEFAULT_THUMB_WIDTH = 240
#: Worst-predicted and most-changed images shown.
DEFAULT_WORST = 12
JPEG_QUALITY = 80


@dataclass(frozen=True)
class ReportOptions:
    """What a report shows.

    Attributes:
        max_images: gallery size at most (the images with problems, then every class, then a
            spread of the rest).
        thumb_width: thumbnails fit ``thumb_width`` x ``3/4 thumb_width`` pixels.
        worst: worst-predicted and most-changed images shown.
        pred: a folder of prediction label PNGs named like the labels (scored against them).
        compare: an older version of the labels (a folder of label PNGs, a VOC folder, a
            Cityscapes folder or a Hugging Face dataset: see :func:`~labeltools.jobs.diff.label_files`).
    """

    max_images: int = DEFAULT_MAX_IMAGES
    thumb_width: int = DEFAULT_THUMB_WIDTH
    worst: int = DEFAULT_WORST
    pred: str | None = None
    compare: str | None = None

    def check(self) -> None:
        """Raises ReportError for numbers out of range."""
        for name, value, low in (("max images", self.max_images, 1), ("thumbnail width", self.thumb_width, 16),
                                 ("worst images", self.worst, 0)):  # fmt: skip
            if not isinstance(value, int) or value < low:
                raise ReportError(f"{name} must be an integer of at least {low}, got {value!r}")


class ReportItem(NamedTuple):
    """One sample: its id, files (``""`` where none) and split (``""`` when no split lists it);
    of a Cityscapes folder, its frame (``label`` is then the frame's map the report reads); of
    a Hugging Face dataset, its row (``label`` and ``image`` then name the row's, as its problems
    do: see :func:`~labeltools.jobs.check.check_row`); ``old``, the older label map (a file's
    path or a Hugging Face dataset's row)."""

    image_id: str
    label: str
    image: str
    split: str = ""
    pred: str = ""
    old: LabelItem = ""
    frame: CityscapesFrame | None = None
    row: HubLabelRow | None = None

    def __str__(self) -> str:
        return str(self.row or "") or self.label or self.image or str(self.frame or "")

    @property
    def files(self) -> tuple[str, ...]:
        """The sample's own files (a frame's every map; a row, its label map and its image), which its problems name."""
        if self.row is not None:
            return (self.label, self.image, str(self.row))
        return (self.label, self.image) if self.frame is None else tuple(self.frame[1:])


def _image_iou(counts: NDArray[np.int64], scored: int) -> float | None:
    """The mean IoU of one image over the classes its ground truth or prediction holds, of the
    first ``scored`` (the others stand for predictions of no scored class)."""
    hits = np.diag(counts)[:scored].astype(np.float64)
    union = (counts.sum(axis=0) + counts.sum(axis=1))[:scored] - hits
    present = union > 0
    return float((hits[present] / union[present]).mean()) if present.any() else None


def read_sample(item: ReportItem, checks: dict[str, Any], num_classes: int | None, score: Scoring | None = None) -> FileResult:
    """Check one sample as ``check`` does (see :func:`~labeltools.jobs.check.check_sample`) and
    count what the report needs of it.

    Returns:
        A :class:`FileResult` whose ``data`` is :func:`check_sample`'s (of a Cityscapes frame,
        :func:`~labeltools.jobs.check.check_frame`'s), plus ``"pred"``:
        ``(cells, counts, image mIoU)`` of its confusion matrix (flat cells of
        ``num_classes`` x ``num_classes``) when it has a prediction, and ``"old"``:
        ``(cells, counts)`` of its changes from the older label. A missing or unusable
        prediction or older label is one more problem. ``score`` says how a prediction is scored.
    """
    if item.frame is not None:
        checked = check_frame(item.frame, **checks)
    else:
        checked = check_sample(item.row if item.row is not None else (item.label, item.image), **checks)
    data = dict(checked.data)
    data["pred"] = data["old"] = None
    if not item.label or data["pixels"] is None or not (item.pred or item.old):
        return FileResult(source=str(item), data=data)
    label = item_label(item.row if item.row is not None else item.label, "reports")
    problems = data["problems"] = list(data["problems"])
    if item.pred and num_classes is not None:
        try:
            if not location(item.pred).exists():
                raise ReportError(f"{item.pred}: no prediction for {item.label}{not_png_hint(item.pred)}")
            hint, reading = ("", None) if score is None else (score.hint, score.reading)
            counts = confusion_counts(label, read_label(item.pred), num_classes, VOID, item.label, item.pred, hint, reading)
            cells = np.flatnonzero(counts)
            scored = num_classes if score is None else score.matrix.scored
            data["pred"] = (cells.tolist(), counts.ravel()[cells].tolist(), _image_iou(counts, scored))
        except LabeltoolsError as exc:
            problems.append(_problem(ERROR, "prediction", item.pred, str(exc)))
    if item.old:
        try:
            refuse_other_images(item.old, item.row)
            cells, counts = change_counts(item_label(item.old, "compares"), label, str(item.old), item.label)
            data["old"] = (cells.tolist(), counts.tolist())
        except LabeltoolsError as exc:
            problems.append(_problem(ERROR, "compare", str(item.old), str(exc)))
    return FileResult(source=str(item), data=data)


class PictureItem(NamedTuple):
    """The pictures to draw of one sample: ``kinds`` among ``"overlay"`` (image and label),
    ``"pred"`` (ground truth and prediction overlays) and ``"changes"`` (before, after, changed
    pixels); of a Hugging Face dataset's ``row``, its label map and image are the row's."""

    image_id: str
    label: str
    image: str
    kinds: tuple[str, ...]
    pred: str = ""
    old: LabelItem = ""
    row: HubLabelRow | None = None

    def __str__(self) -> str:
        return self.label


def _photo(
    path: str, label_hw: tuple[int, int], size: tuple[int, int], data: bytes | None = None, upright: bool = False
) -> Image.Image | None:
    """The sample's image (of ``data``, its bytes, when given) as RGB at ``size`` ``(width,
    height)``, turned by its EXIF orientation when that is what makes it the label's ``(H, W)``,
    or always when ``upright`` (as the ``datasets`` library decodes a row's); None when there is
    none or it cannot be read (the check reports it)."""
    if not path:
        return None
    try:
        with open_image(path, data=data) as image:
            if upright:
                turned, swapped = True, image.getexif().get(EXIF_ORIENTATION) in SIDE_SWAPPING_ORIENTATIONS
            else:
                turned = swapped = image.size != label_hw[::-1] and image.size == label_hw
            if image.format == "JPEG":  # decode at a fraction of the size: thumbnails are small
                image.draft("RGB", size[::-1] if swapped else size)
            photo = (ImageOps.exif_transpose(image) if turned else image).convert("RGB")
    except (LabeltoolsError, *PIL_ERRORS):
        return None
    return photo.resize(size, Image.Resampling.BILINEAR) if photo.size != size else photo


def _data_uri(picture: Image.Image) -> str:
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=False)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def draw_pictures(item: PictureItem, palette: NDArray[np.uint8], box: tuple[int, int]) -> FileResult:
    """Draw one sample's thumbnails, each fitting ``box`` ``(width, height)``.

    Returns:
        A :class:`FileResult` whose ``data`` maps each picture's name (``overlay``; ``gt``,
        ``pred``; ``before``, ``after``, ``changed``) to a JPEG ``data:`` URI, and ``size`` to
        the thumbnails' ``(width, height)``.
    """
    row = None if item.row is None else hub_row(item.row.path, item.row.row, item.row.stamp)
    full = read_label(item.label, data=None if row is None else row.label)
    size = fit_size(full.shape[1], full.shape[0], *box)
    label = shrink_label(full, size)
    photo = _photo(item.image, (full.shape[0], full.shape[1]), size, None if row is None else row.image, upright=row is not None)
    base = np.full((*label.shape, 3), 96, dtype=np.uint8) if photo is None else photo

    def overlay(values: NDArray[np.uint8]) -> str:
        return _data_uri(overlay_image(base, values, palette))

    data: dict[str, Any] = {"size": size}
    if "overlay" in item.kinds or "pred" in item.kinds:
        data["overlay"] = data["gt"] = overlay(label)
    if "pred" in item.kinds:
        data["pred"] = overlay(shrink_label(read_label(item.pred), size))
    if "changes" in item.kinds:
        old = shrink_label(item_label(item.old, "compares"), size)
        data["before"], data["after"] = overlay(old), data.get("overlay") or overlay(label)
        data["changed"] = _data_uri(changes_image(photo, old, label))
    return FileResult(source=item.label, data=data)


@dataclass
class _Sample:
    """What the report keeps of one sample after the first pass."""

    item: ReportItem
    classes: int = 0  # bit v set: the label holds value v (a class, not void)
    problems: int = 0  # its errors
    warnings: int = 0
    miou: float | None = None
    changed: float | None = None
    drawable: bool = True  # its label was read (one that cannot be read is a problem, not a picture)


def select_gallery(samples: Sequence[_Sample], max_images: int) -> list[int]:
    """Which samples the gallery shows (indices, in dataset order): those with errors (up to a
    quarter of ``max_images``), then, rarest class first, an image of each class in turn until
    each has its share, then a spread of the rest."""
    chosen: dict[int, None] = {}
    troubled = [n for n, s in enumerate(samples) if s.problems and s.item.label and s.drawable]
    chosen.update(dict.fromkeys(troubled[: max(1, max_images // 4)]))
    holders: dict[int, list[int]] = {}
    for n, sample in enumerate(samples):
        bits, value = sample.classes, 0
        while bits:
            if bits & 1:
                holders.setdefault(value, []).append(n)
            bits >>= 1
            value += 1
    rarest_first = sorted(holders, key=lambda v: (len(holders[v]), v))
    share = max(1, (max_images - len(chosen)) // (2 * max(1, len(holders))))
    for turn in range(share):
        for value in rarest_first:
            if len(chosen) >= max_images:
                break
            if turn < len(holders[value]):
                # spread each class's picks over its images rather than taking the first ones
                chosen.setdefault(holders[value][turn * len(holders[value]) // share], None)
    rest = [n for n, s in enumerate(samples) if n not in chosen and s.item.label and s.drawable]
    room = max_images - len(chosen)
    if room > 0 and rest:
        step = max(1, len(rest) / room)
        chosen.update(dict.fromkeys(rest[int(k * step)] for k in range(min(room, len(rest)))))
    return sorted(chosen)


@dataclass
class Report(OneRun):
    """A checked, ready-to-run report. Iterating it reads every sample (once); then
    :meth:`pictures` draws the chosen images and :meth:`write` writes the page.

    Attributes:
        check: the dataset check (its problems fill as samples are read).
        stats: pixel counts per value, image sizes.
        splits: train/val tallies, when the dataset has both split files.
        matrix: with ``pred``, the confusion matrix.
        changes: with ``compare``, what changed.
    """

    dataset: str
    output: str
    check: DatasetCheck | CityscapesCheck
    items: list[ReportItem]
    options: ReportOptions
    jobs: int | None = None
    only_old: list[str] = field(default_factory=list)  # with compare: ids only the older labels hold
    only_new: list[str] = field(default_factory=list)  # and those only the dataset holds
    split_sizes: dict[str, int] = field(default_factory=dict)  # ids listed per split file
    pred_table: ClassTable | None = None  # the classes of the predictions, when not the labels'
    read_from: str = ""  # for the user: the labels of a folder holding several kinds, or the images found beside
    stats: DatasetStats = field(init=False)
    splits: SplitTally | None = field(init=False, default=None)
    matrix: ConfusionMatrix | None = field(init=False, default=None)
    score: Scoring | None = field(init=False, default=None)
    changes: LabelChanges | None = field(init=False, default=None)
    samples: list[_Sample] = field(init=False, default_factory=list)
    drawn: dict[str, dict[str, Any]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.stats = DatasetStats(self.check.table)
        sides = ({item.split for item in self.items} | set(self.split_sizes)) & set(SPLITS[:2])  # a side listing no id too
        if sides == set(SPLITS[:2]):
            self.splits = SplitTally(SPLITS[:2])
        if self.options.pred is not None:
            assert self.check.table is not None  # report_dataset says so before
            truth = self.check.table.with_preset_train_ids()
            self.score = scoring(self.pred_table or truth, truth)
            self.matrix = self.score.matrix
        if self.options.compare is not None:
            self.changes = LabelChanges(self.check.table)

    def _run(self) -> Iterator[FileResult]:
        num_classes = self.matrix.num_classes if self.matrix is not None else None
        work = partial(read_sample, checks=self.check.sample_checks(), num_classes=num_classes, score=self.score)
        pixels: dict[str, dict[int, int]] = {}
        images: list[tuple[str, str, str]] = []  # each image, its split and its digest (see DatasetCheck.add_overlaps)
        for item, result in zip(self.items, map_files(work, self.items, self.jobs)):
            sample = _Sample(item)
            self.samples.append(sample)
            if not result.ok:
                self.check.problems.append(Problem(*_problem(ERROR, "unreadable", str(item), result.error or "failed")))
                sample.problems += 1
                sample.drawable = False
                yield result
                continue
            data = result.data
            if data.get("image_digest"):
                images.append((item.image, item.split, data["image_digest"]))
            problems = [Problem(*p) for p in data["problems"]]
            self.check.problems.extend(problems)
            sample.problems = sum(p.severity == ERROR for p in problems)
            sample.warnings = len(problems) - sample.problems
            sample.drawable = data["pixels"] is not None
            if data["pixels"] is not None:
                pixels[item.image_id] = data["pixels"]
                counts = np.zeros(256, dtype=np.int64)
                counts[list(data["pixels"])] = list(data["pixels"].values())
                self.stats.add(counts, data["size"])
                sample.classes = sum(1 << v for v in data["pixels"] if v != VOID)
                if self.splits is not None and item.split in self.splits.images:
                    self.splits.add(item.split, data["pixels"])
            if data["pred"] is not None and self.matrix is not None:
                cells, values, sample.miou = data["pred"]
                flat = np.zeros(self.matrix.num_classes**2, dtype=np.int64)
                flat[cells] = values
                self.matrix.add_counts(flat.reshape(self.matrix.num_classes, -1))
            if data["old"] is not None and self.changes is not None:
                changed = self.changes.add(item.image_id, *data["old"])
                total = self.changes.files[-1][2]
                sample.changed = changed / total if total else 0.0
            yield result
        if self.options.pred is not None:
            self._say_of_predictions(self.options.pred)
        if isinstance(self.check, DatasetCheck):  # the labels of the augmented training set: checked, neither counted nor drawn
            self.check.check_values(pixels)
            self.check.add_overlaps(images)
            yield from self.check.run_aug(self.jobs)
        if self.splits is not None and isinstance(self.check, DatasetCheck) and self.check.table is not None:
            self.check.add_imbalance(self.splits.balance(self.check.table.num_classes))

    def __len__(self) -> int:
        return len(self.items) + len(self.check.aug_items)

    def _say_of_predictions(self, pred: str) -> None:
        """What the predictions' failures and scores have in common, as a problem of the folder:
        one size unlike the labels' (a model's input size), or values one off the labels'."""
        failures = [p.message for p in self.check.problems if p.kind == "prediction" and p.severity == ERROR]
        shifted = None if self.matrix is None or self.score is None or self.score.reading is not None else off_by_one(
            self.matrix.matrix, self.score.names, "--pred-classes"
        )
        for said in (one_size_predictions(failures), shifted):
            if said is not None:
                self.check.problems.append(Problem(*_problem(WARNING, "prediction", pred, said)))

    # --- second pass ---------------------------------------------------------------------

    def _box(self) -> tuple[int, int]:
        return self.options.thumb_width, self.options.thumb_width * 3 // 4

    def gallery(self) -> list[_Sample]:
        """The samples the gallery shows (after reading)."""
        return [self.samples[n] for n in select_gallery(self.samples, self.options.max_images)]

    def worst(self) -> list[_Sample]:
        """The samples with the lowest mIoU of their own, worst first."""
        scored = [s for s in self.samples if s.miou is not None]
        return sorted(scored, key=lambda s: (s.miou, s.item.image_id))[: self.options.worst]

    def most_changed(self) -> list[_Sample]:
        """The samples whose labels changed most, by share of their pixels."""
        changed = [s for s in self.samples if s.changed]
        return sorted(changed, key=lambda s: (-(s.changed or 0.0), s.item.image_id))[: self.options.worst]

    def pictures(self) -> PictureRun:
        """The drawing of every picture the page shows, ready to run (after reading)."""
        kinds: dict[str, set[str]] = {}
        for group, kind in ((self.gallery(), "overlay"), (self.worst(), "pred"), (self.most_changed(), "changes")):
            for sample in group:
                kinds.setdefault(sample.item.image_id, set()).add(kind)
        by_id = {s.item.image_id: s.item for s in self.samples}
        items = [
            PictureItem(i, by_id[i].label, by_id[i].image, tuple(sorted(k)), by_id[i].pred, by_id[i].old, by_id[i].row)
            for i, k in kinds.items()
        ]
        return PictureRun(items, self, self.jobs)

    # --- the page ------------------------------------------------------------------------

    def page(self) -> dict[str, Any]:
        """Everything the template shows (after both passes)."""
        stats, problems = self.stats, self.check.problems
        balance = self.splits.balance(256) if self.splits is not None else None
        rows = []
        for row in stats.rows():
            sides: dict[str, float | None] = {"train": None, "val": None}
            if balance is not None:
                pixels = balance[row["index"]].pixels
                both = pixels["train"] + pixels["val"]
                sides = {side: pixels[side] / both if both else None for side in sides}
            rows.append({**row, "color": hex_color(stats.color_of(row["index"])), **sides})
        names = {r["index"]: r["name"] for r in rows}
        anchors = {}
        gallery = []
        shown = self.gallery()
        for sample in shown:
            picture = self.drawn.get(sample.item.image_id, {})
            if "overlay" not in picture:
                continue
            held = [v for v in range(VOID) if sample.classes >> v & 1]
            for path in sample.item.files:
                anchors[path] = sample.item.image_id
            gallery.append({
                "id": sample.item.image_id, "split": sample.item.split, "picture": picture["overlay"],
                "width": picture["size"][0], "height": picture["size"][1], "classes": held,
                "names": [names.get(v, f"value {v}") for v in held], "problems": sample.problems, "warnings": sample.warnings,
            })  # fmt: skip
        chips = []
        for row in rows:
            count = sum(1 for g in gallery if row["index"] in g["classes"])
            if count:
                chips.append({"index": row["index"], "name": row["name"], "color": row["color"], "count": count})
        sizes = stats.sizes.most_common()
        labelled = stats.labelled_pixels
        page: dict[str, Any] = {
            "title": Path(str(location(self.dataset))).name or str(self.dataset),
            "dataset": self.dataset, "version": __version__, "thumb_width": self.options.thumb_width,
            "summary": {
                "images": stats.images, "classes": len(stats.class_indices),
                "classes_seen": sum(1 for r in rows if r["pixels"] and r["is_class"]),
                "labelled_share": labelled / stats.total_pixels if stats.total_pixels else 0.0,
                "void_share": stats.void_share,
                "sizes": [{"width": w, "height": h, "images": n} for (w, h), n in sizes[:8]],
                "more_sizes": max(0, len(sizes) - 8),
                "splits": [{"name": s, "images": n} for s, n in self.split_sizes.items()],
                "errors": len(self.check.errors), "warnings": len(self.check.warnings),
            },
            "classes": rows,
            "problems": [{**p.to_dict(), "anchor": anchors.get(p.file)} for p in problems],
            "gallery": gallery, "chips": chips,
            "predictions": self._predictions(), "changes": self._changes(),
        }  # fmt: skip
        page["charts"] = self._charts(rows)
        return page

    def _pairs(self, samples: Sequence[_Sample], keys: Sequence[str]) -> list[dict[str, Any]]:
        out = []
        for sample in samples:
            picture = self.drawn.get(sample.item.image_id, {})
            if all(k in picture for k in keys):
                out.append({"id": sample.item.image_id, "width": picture["size"][0], "height": picture["size"][1],
                            **{k: picture[k] for k in keys}})  # fmt: skip
        return out

    def _predictions(self) -> dict[str, Any] | None:
        if self.matrix is None or not self.matrix.total:
            return None
        scores = self.matrix.to_dict(self._score_names())
        worst = self._pairs(self.worst(), ("gt", "pred"))
        by_id = {s.item.image_id: s.miou for s in self.samples}
        return {
            "folder": self.options.pred, "images": self.matrix.images,
            "mean_iou": scores["mean_iou"], "pixel_accuracy": scores["pixel_accuracy"],
            "mean_class_accuracy": scores["mean_class_accuracy"],
            "absent": [f"{a['index']} {a['name']}" for a in scores["absent_classes"]],
            "scored_as": self.score.described if self.score is not None and self.score.reading is not None else "",
            "worst": [{**w, "miou": by_id[w["id"]]} for w in worst],
        }  # fmt: skip

    def _changes(self) -> dict[str, Any] | None:
        if self.changes is None:
            return None
        by_id = {s.item.image_id: s.changed for s in self.samples}
        return {
            "old": self.options.compare, "files": len(self.changes.files), "pixels": self.changes.pixels,
            "changed_pixels": self.changes.changed_pixels, "changed_share": self.changes.changed_share,
            "only_old": len(self.only_old), "only_new": len(self.only_new),
            "classes": self.changes.class_rows(),
            "most": [{**m, "share": by_id[m["id"]]} for m in self._pairs(self.most_changed(), ("before", "after", "changed"))],
        }  # fmt: skip

    def _score_names(self) -> list[str]:
        return self.score.names if self.score is not None else []

    def _charts(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        classes = [r for r in rows if r["is_class"]]
        charts: dict[str, Any] = {
            "classes": {
                "names": [f"{r['index']} {r['name']}" for r in classes], "shares": [r["share"] for r in classes],
                "pixels": [r["pixels"] for r in classes], "colors": [r["color"] for r in classes],
            }  # fmt: skip
        }
        if self.matrix is not None and self.matrix.total:
            names = [f"{i} {name}" for i, name in enumerate(self._score_names())]
            counts = self.matrix.matrix
            totals = counts.sum(axis=1, keepdims=True)
            normalised = np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)
            charts["scores"] = {
                "names": names,
                "iou": [None if v is np.ma.masked else round(float(v) * 100, 3) for v in self.matrix.iou()],
                "accuracy": [None if v is np.ma.masked else round(float(v) * 100, 3) for v in self.matrix.class_accuracy()],
            }
            charts["confusion"] = {"names": names, "rows": np.round(normalised, 5).tolist(), "counts": counts.tolist()}
        if self.changes is not None and self.changes.changed_pixels:
            values = [r["index"] for r in self.changes.class_rows()]
            moved = self.changes.matrix[np.ix_(values, values)].copy()
            np.fill_diagonal(moved, 0)
            charts["changes"] = {"names": [f"{v} {self.changes.name_of(v)}" for v in values], "counts": moved.tolist()}
        return charts

    def write(self) -> str:
        """Write the page (after both passes), atomically; returns its path or URL as given."""
        write_report(self.output, self.page())
        return str(self.output)


@dataclass
class PictureRun(OneRun):
    """The drawing of a report's pictures; iterate it (once) to draw them into the report."""

    items: list[PictureItem]
    report: Report
    jobs: int | None = None

    def _run(self) -> Iterator[FileResult]:
        palette = self.report.stats.palette()
        work = partial(draw_pictures, palette=np.asarray(palette), box=self.report._box())
        for item, result in zip(self.items, map_files(work, self.items, self.jobs)):
            if result.ok:
                self.report.drawn[item.image_id] = result.data
            yield result


def _items(
    check: DatasetCheck | CityscapesCheck, pred: str | None, old: LabelFiles | None, scored: set[str] | None = None
) -> tuple[list[ReportItem], list[str], list[str], dict[str, int]]:
    """The samples of the report, those of ``scored`` ids alone with a prediction when given;
    with ``old``, the older labels' (see :func:`~labeltools.jobs.diff.label_files`), the ids
    only they hold and those only the dataset holds; the ids listed per split file.

    Raises:
        DatasetError: of a Cityscapes folder, older labels of maps of the other kind, or
            predictions of none of its frames.
    """
    if isinstance(check, CityscapesCheck):
        items, sizes = _frame_items(check, pred, old), dict[str, int]()
    elif isinstance(check, HubCheck):
        items, sizes = _hub_items(check, pred, old.files if old is not None else {}, scored)
    else:
        items, sizes = _voc_items(check, pred, old.files if old is not None else {}, scored)
    if old is None:
        return items, [], [], sizes
    labelled = {item.image_id for item in items if item.label}
    return items, sorted(old.files.keys() - labelled), sorted(labelled - old.files.keys()), sizes


def _voc_items(
    check: DatasetCheck, pred: str | None, old_files: dict[str, Any], scored: set[str] | None
) -> tuple[list[ReportItem], dict[str, int]]:
    """The samples of a VOC folder (each of the split the check gives it), and the ids listed
    per split file."""
    split_of = check.split_of
    predicted = _predictions(pred, [Path(label).stem for label, _ in check.items if label], scored)
    items = []
    for label, image in check.items:
        image_id = Path(label or image).stem
        items.append(ReportItem(
            image_id, label, image, split_of.get(image_id, ""), predicted.get(image_id, "") if label else "",
            work_item(old_files[image_id]) if label and image_id in old_files else "",
        ))  # fmt: skip
    if pred is not None:
        warn_ground_truth_as_predictions([(item.label, item.pred) for item in items if item.pred], pred)
    return items, {name: len(ids) for name, ids in check.splits.items()}  # in file-name order


def _hub_items(
    check: HubCheck, pred: str | None, old_files: dict[str, Any], scored: set[str] | None
) -> tuple[list[ReportItem], dict[str, int]]:
    """The rows of a Hugging Face dataset, by their ids as ``convert`` gives them (each with its
    prediction, as ``evaluate`` pairs them, and its older label map of ``old_files`` by id), and
    the rows of each split."""
    predicted = _predictions(pred, [row.image_id for row in check.rows], scored)
    items = [
        ReportItem(row.image_id, *row_files(row.item), row.split or row.word, predicted.get(row.image_id, ""),
                   work_item(old_files[row.image_id]) if row.image_id in old_files else "", row=row.item)
        for row in check.rows
    ]  # fmt: skip
    return items, dict(Counter(item.split for item in items))


def _predictions(pred: str | None, ids: list[str], scored: set[str] | None) -> dict[str, str]:
    """The prediction file of each of the labels' ``ids`` (those of ``scored`` alone, when
    given), found and named as ``evaluate`` finds and matches them; none without ``pred``."""
    if pred is None:
        return {}
    folder = location(pred)
    files, suffix = prediction_files(folder)
    named = prediction_stem(set(ids), {path.stem for path in files})
    return {i: str(folder / f"{named(i)}{suffix}") for i in ids if scored is None or i in scored}


def _frame_items(check: CityscapesCheck, pred: str | None, old: LabelFiles | None) -> list[ReportItem]:
    """The frames of a Cityscapes folder, each with its map of the counted ids, its image, and
    its prediction found by frame as cityscapesScripts finds it (see
    :func:`~labeltools.jobs.evaluate.frame_pairs`)."""
    assert check.table is not None  # a report counts one kind of map
    if old is not None and old.ids is not None and old.ids.source != check.table.source:
        raise DatasetError(
            f"{check.root} holds maps of the {check.table.described}, {old.folder} of the {old.ids.described}: compare maps of one kind"
        )
    labels = [frame.label_map(check.counted) for frame in check.items]
    predicted = dict(frame_pairs([location(p) for p in labels if p], pred)) if pred is not None else {}
    old_files = old.files if old is not None else {}
    items = []
    for frame, label in zip(check.items, labels):
        image = frame.image if frame.image and location(frame.image).exists() else ""
        old_file = work_item(old_files[frame.frame]) if label and frame.frame in old_files else ""
        items.append(ReportItem(frame.frame, label, image, "", predicted.get(label, ""), old_file, frame))
    return items


def report_dataset(
    dataset: PathLike,
    output: PathLike,
    options: ReportOptions = ReportOptions(),
    classes: Any = None,
    num_classes: int | None = None,
    jobs: int | None = None,
    images: PathLike | None = None,
    pred_classes: Any = None,
    config: str | None = None,
) -> Report:
    """Check a report of a VOC dataset, of a folder of label PNGs and its ``images`` (see
    :class:`~labeltools.jobs.check.FolderCheck`), or of a Cityscapes folder (``gtFine/val``: each
    frame's map of label ids, or of train ids with ``classes`` ``cityscapes-train``, its
    leftImg8bit image, its prediction found by frame, and its check), and return it ready to run
    (see :class:`Report`). ``pred_classes`` is the table of the predictions' values where they
    are not the labels' (ADE20K's annotations, ``ade20k``, against a model's argmax,
    ``ade20k-train``). Of a Hugging Face dataset (``dataset``, or the older labels) of several
    configurations, ``config`` is read.

    Raises:
        ReportError: Jinja2 or plotly is missing, an option is out of range, ``output`` is not
            an ``.html`` file, no predictions folder, predictions without a class table, or
            ``pred_classes`` without predictions or of a Cityscapes folder.
        DatasetError: ``dataset`` is no VOC folder, folder of label PNGs nor Cityscapes
            folder, ``images`` of one that has its own, no folder to compare with, predictions
            or older labels whose own class table names the classes otherwise than the
            dataset's, ``pred_classes`` that score other classes (of a Cityscapes folder: older
            maps of the other kind, or predictions of none of its frames).
        OutputError: the page's folder cannot be made.
    """
    require_report_libraries()
    options.check()
    page = location(output)
    if page.suffix.lower() not in (".html", ".htm"):
        raise ReportError(f"{output}: a report is an HTML page; give a file name ending in .html")
    if page.is_dir():
        raise ReportError(f"{output}: is a folder; give the HTML file to write, such as {page / 'report.html'}")
    ensure_dir(page.parent)  # a place the page cannot go is said before the work
    if options.pred is not None and not location(options.pred).is_dir():
        raise ReportError(not_a_folder(options.pred, PREDICTIONS))
    check: DatasetCheck | CityscapesCheck
    pred_table: ClassTable | None = None
    said: list[str] = []  # what was chosen, for the user
    named = False  # the table is one a Hugging Face dataset came with
    scored = None  # the ids whose predictions are scored: every label's, or those of the split the predictions are of
    if (found := label_maps(dataset)) is not None:
        if images is not None:
            raise DatasetError(f"{dataset}: a Cityscapes folder's images are in leftImg8bit/ beside gtFine/; leave --images out")
        choice = cityscapes_choice(dataset, found, classes, num_classes)
        check, pred_table, said = CityscapesCheck(dataset, counted=choice.kind), choice.table, [f"labels: {choice.chosen}"]
    elif images is None and (hub := hub_labels(dataset, None, classes, num_classes, need_table=False, ids=True, config=config)) is not None:
        check, named = HubCheck(dataset, hub), hub.came_with
        said = list(check.notes)
        if options.pred is not None and (side := predicted_rows(hub, options.pred)) is not hub:
            scored = {row.image_id for row in side.rows}
            said.append(f"predictions: of the {len(scored)} row(s) of the {side.split} split; the other samples are not scored")
    else:
        check = label_check(dataset, classes, num_classes, images)
        said = list(check.notes)  # the images beside a folder of labels, a withheld test set
        if check.aug_items:
            said.append(
                f"labels: {check.root / LABELS_DIR}; the {len(check.aug_items)} of {check.root / AUG_LABELS_DIR} "
                "(the SBD-augmented training set) are checked, not counted nor drawn"
            )
    if pred_classes is not None:
        if options.pred is None or found is not None:
            raise ReportError(
                f"{dataset}: a Cityscapes folder's maps say which ids they hold; give -c alone" if found is not None
                else "--pred-classes names the predictions' values where they are not the labels': give --pred too"
            )  # fmt: skip
        pred_table = (pred_classes if isinstance(pred_classes, ClassTable) else ClassTable.load(pred_classes)).with_preset_train_ids()
    if options.pred is not None and check.table is None:
        raise ReportError(
            f"{dataset}: scoring predictions needs the classes: {NO_TABLE_SAID}" if isinstance(check, HubCheck)
            else f"{dataset}: scoring predictions needs the classes, and the dataset has no class_names.txt: {GIVE_CLASSES}"
        )  # fmt: skip
    if pred_classes is not None and pred_table is not None and check.table is not None:
        paired_tables(pred_table, check.table.with_preset_train_ids())
    old = label_files(options.compare, " (the labels to compare with)", config) if options.compare is not None else None
    if not isinstance(check, HubCheck) and not (old is not None and old.hub):
        no_config(config, dataset if old is None else f"neither {dataset} nor {options.compare}", "{} is one")
    if check.table is not None and (classes is not None or named or has_own_table(dataset)):  # a table of names, not -n alone
        old_table = old.table if old is not None else None  # a Hugging Face dataset's, which no folder holds
        for other, table, own in ((options.pred, pred_table or check.table, None), (options.compare, check.table, old_table)):
            if other is not None:  # the predictions and the older labels number the classes alike
                check_labels_agree(table, other, asked=classes is not None, own=own)
    if options.pred is not None and type(check) is DatasetCheck and (split := predictions_split(dataset, options.pred)) is not None:
        scored = set(read_split(dataset, split))
        said.append(f"predictions: of the {len(scored)} id(s) of {split_path(dataset, split)}; the other samples are not scored")
    items, only_old, only_new, split_sizes = _items(check, options.pred, old, scored)
    return Report(str(dataset), str(output), check, items, options, jobs, only_old, only_new, split_sizes, pred_table, "; ".join(said))


def make_report(
    dataset: PathLike,
    output: PathLike,
    options: ReportOptions = ReportOptions(),
    classes: Any = None,
    num_classes: int | None = None,
    jobs: int | None = None,
    images: PathLike | None = None,
    pred_classes: Any = None,
) -> Report:
    """Make a report of a VOC dataset, a folder of label PNGs or a Cityscapes folder (both passes, then the page) and return it.

    Raises:
        See :func:`report_dataset`; a sample that cannot be read is a problem in the report.
    """
    report = report_dataset(dataset, output, options, classes, num_classes, jobs, images, pred_classes)
    for _ in report:
        pass
    for _ in report.pictures():
        pass
    report.write()
    return report
