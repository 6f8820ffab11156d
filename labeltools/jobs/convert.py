"""labelme folder -> PASCAL VOC segmentation dataset: the batch job behind ``labeltools convert``.

Layers, as everywhere in labeltools:

* :func:`~labeltools.formats.labelme.labelme_to_label` (pure, in :mod:`labeltools.formats.labelme`);
* :func:`convert_file`: one annotation -> its VOC files, written atomically;
* :func:`convert_labelme`: a whole folder, checked before anything is written, fanned out over
  processes by :func:`labeltools.engine.executor.map_files`, yielding one
  :class:`~labeltools.engine.executor.FileResult` per file; the split lists are written once every file
  is done.

Output (see :mod:`labeltools.formats.voc`)::

    OUTPUT/JPEGImages/<id>.jpg                    source JPEG bytes copied, else quality 95
    OUTPUT/SegmentationClass/<id>.png             palette PNG, 255 = void
    OUTPUT/SegmentationObject/<id>.png            with instances: 0 background, 255 void
    OUTPUT/SegmentationClassVisualization/<id>.jpg  with viz: blend + legend
    OUTPUT/ImageSets/Segmentation/{train,val,trainval}.txt
    OUTPUT/class_names.txt
"""

from __future__ import annotations

import functools
import logging
import os
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from labeltools.core._types import PathLike
from labeltools.core.annotations import AnnotatedImage, AnnotationExport, Geometry, SourceClass
from labeltools.core.arrays import value_counts
from labeltools.core.classes import (
    BACKGROUND_NAME,
    IGNORE_NAME,
    TRAIN_ID_PRESETS,
    ClassEntry,
    ClassTable,
    class_name_problem,
    drawn_background,
    unused_name,
)
from labeltools.core.colormap import VOID_COLOR, grey_read_hint, palette_bytes, voc_colormap
from labeltools.core.errors import (
    AnnotationError,
    ClassTableError,
    DatasetError,
    NotLabelmeError,
    shell_word,
    shown,
)
from labeltools.core.files import file_name, file_parent_name, legacy_zip_names, read_small_text
from labeltools.core.options import (
    DEFAULT_LABELME_RULES,
    DEFAULT_LINE_WIDTH,
    DEFAULT_POINT_SIZE,
    IMAGE_FORMATS,
    LABELME_RELEASES,
    LABELME_RULES,
    OVERLAP_RULES,
    SOURCE_FORMATS,
    VOID,
    ImageFormat,
    LabelmeRules,
    OverlapRule,
    SourceFormat,
    UnknownPolicy,
)
from labeltools.engine.executor import (
    FileResult,
    OneRun,
    map_files,
    preparation,
    quick_task_chunksize,
)
from labeltools.engine.storage import (
    absolute,
    atomic_writes,
    ignores_letter_case,
    is_remote,
    list_files,
    location,
    modified,
    output_lock,
    remove_empty_folders,
    remove_stale_temporaries,
    start_run,
)
from labeltools.formats.cityscapes import (
    EXPORT_TABLE_SAID,
    LABEL_MAPS,
    MAP_NAMES,
    SUFFIXES as CITYSCAPES_SUFFIXES,
    cityscapes_id,
    export_class_table,
    is_cityscapes_name,
    is_label_map,
    label_maps,
    painted_label,
    read_cityscapes,
)
from labeltools.formats.cityscapes import image_candidates as cityscapes_images
from labeltools.formats.coco import coco_companions, read_coco, with_segments
from labeltools.formats.cvat import is_cvat_xml, other_xml, read_cvat
from labeltools.formats.datumaro import is_datumaro_json, read_datumaro
from labeltools.formats.folders import (
    IMAGE_SUFFIXES,
    JPEG_MASK_SUFFIXES,
    MASK_SUFFIXES,
    PHOTO_SAID,
    Pairing,
    colour_renderings,
    extra_masks,
    folder_split,
    folders_holding_masks,
    images_of,
    is_photo_not_mask,
    json_to_dataset_said,
    mask_folders,
    masks_in,
    pair_by_stem,
    photos_alone,
    split_lists,
    tar_said,
)
from labeltools.formats.hub import (
    HUB_SUFFIXES,
    SAVED_FILES,
    HubLabelRow,
    hub_row,
    hub_table_file,
    is_hub_file,
)
from labeltools.formats.images import IMAGES_HINT, find_image, open_image, open_record_image
from labeltools.formats.isat import CLASSES_FILE as ISAT_CLASSES_FILE
from labeltools.formats.isat import is_isat_json, read_isat
from labeltools.formats.labelme import (
    LabelmeDocument,
    SourceImage,
    check_raster_options,
    find_image_file,
    labelme_labels,
    load_labelme_json,
    open_source_image,
    rasterise,
    read_labelme,
)
from labeltools.formats.labels import ARRAY_SUFFIX, COLOUR_MODES, is_jpeg_data, label_histogram, probe_label, save_label_image, save_picture
from labeltools.formats.labelstudio import BRUSH_FILES_SAID, are_brush_files, read_labelstudio
from labeltools.formats.sources import (
    OPEN_IMAGES_HIERARCHY,
    files_by_name,
    image_name,
    is_served,
    open_images_said,
    unknown_label,
    upload_name,
)
from labeltools.formats.sbd import sbd_hint
from labeltools.formats.segmask import (
    export_root,
    mask_classes,
    mask_files,
    mask_table,
    read_mask_export,
    subset_lists,
)
from labeltools.formats.voc import (
    CLASS_META_FILES,
    CLASS_NAMES_FILE,
    IMAGE_EXTENSIONS,
    IMAGES_DIR,
    LABELMAP_FILE,
    LABELS_DIR,
    META_FILE,
    OBJECTS_DIR,
    SHIPPED_TABLES,
    check_split_id,
    class_meta_table,
    held_out_ids,
    image_path,
    is_mask_export,
    is_voc_root,
    label_path,
    load_class_table,
    nearby_class_table,
    read_split,
    recorded_labelme_rules,
    settled_split_group,
    split_path,
    tables_disagree,
    write_class_files,
    write_splits,
)
from labeltools.formats.yolo import (
    DATA_YAML_SUFFIXES,
    dataset_yaml,
    no_dataset_file,
    read_yolo_dataset,
    semantic_yaml,
    semantic_yaml_above,
    yolo_record,
)
from labeltools.jobs.hub_labels import (
    ADE20K_LOOKED_AT,
    HUB_TABLES,
    NO_TABLE_SAID,
    UNSAFE,
    came_with,
    dataset_files,
    first_values,
    hub_own_table,
    hub_rows,
    no_config,
    refuse_shipped_ade20k,
    say_unlabelled,
)
from labeltools.jobs.remap import grey_colours_said, mask_class_values
from labeltools.ops.draw import legend_image, overlay_image, stack_vertical
from labeltools.ops.raster import Painted, paint_objects, paint_polygons, record_stamps
from labeltools.ops.remap import IndexMap
from labeltools.ops.splits import (
    check_fraction,
    frame_runs,
    group_note,
    id_groups,
    kept_splits,
    own_split,
    sparse_counts,
    split_ids,
    straddling,
)

log = logging.getLogger(__name__)


VIZ_DIR = "SegmentationClassVisualization"

#: The sources whose files are label maps (their values the classes), not shapes to paint:
#: masks beside their images, and a Hugging Face dataset's rows.
MASK_KINDS = frozenset({"masks", "hub"})

#: Quality of re-encoded JPEGs (sources that are not JPEG, or must be turned upright).
JPEG_QUALITY = 95

VIZ_QUALITY = 90

#: Sample annotations bundled with the package (used by ``labeltools demo``).
SAMPLE_DIR = Path(__file__).resolve().parents[1] / "samples" / "labelme"

_JPEG_FORMATS = frozenset({"JPEG", "MPO"})  # MPO: camera JPEGs with extra frames

_KEEP_EXTENSIONS = {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png", "BMP": ".bmp", "TIFF": ".tif", "WEBP": ".webp"}


@dataclass(frozen=True)
class ConvertOptions:
    """How each annotation is turned into VOC files.

    Attributes:
        unknown: a label not in the class table: ``"error"`` fails the file, ``"ignore"`` paints
            it 255, ``"background"`` skips the shape.
        skip_bad_shapes: drop malformed shapes with a warning instead of failing the file.
        line_width: stroke width of ``line``/``linestrip`` shapes (labelme's default 10).
        point_size: radius of ``point`` shapes (labelme's default 5).
        labelme_rules: whose rasteriser draws the shapes: ``"7"`` (labelme 7.9.1) or ``"6"``
            (labelme 6.3.1); ``None``: the rules OUTPUT records when writing into an earlier
            dataset, else ``"7"`` (:func:`convert_labelme` settles it before converting).
        image_format: ``"jpg"`` writes ``JPEGImages/<id>.jpg``; ``"keep"`` keeps the source
            format (PNG stays PNG, ...).
        instances: also write ``SegmentationObject/<id>.png``.
        viz: also write ``SegmentationClassVisualization/<id>.jpg``.
        allow_image_urls: fetch an ``imagePath`` that is a URL (by default only its file name
            is looked for beside the annotation; see :func:`find_image_file`).
        overlap: where shapes of different classes overlap: ``"last"`` (the later shape wins,
            labelme's rule), ``"first"``, or ``"void"`` (255).
        images_dir: where the images of labelme, COCO, CVAT, Label Studio and Cityscapes annotations
            are looked for first (by path, then by file name), before where each names them.
        index_map: the values of masks (a source of masks) rewritten by it first, each value it
            does not list 255: ``0:0,255:1`` reads binary masks saved as 0/255.
        bgr: colour masks (a source of masks) read with red and blue the other way round.
        config: of a Hugging Face dataset of several configurations, the one to read, by the
            name ``load_dataset(path, config)`` takes (see
            :func:`~labeltools.jobs.hub_labels.dataset_files`).
    """

    unknown: UnknownPolicy = "error"
    skip_bad_shapes: bool = False
    line_width: int = DEFAULT_LINE_WIDTH
    point_size: int = DEFAULT_POINT_SIZE
    labelme_rules: LabelmeRules | None = None
    image_format: ImageFormat = "jpg"
    instances: bool = False
    viz: bool = False
    overlap: OverlapRule = "last"
    allow_image_urls: bool = False
    images_dir: str | None = None
    index_map: IndexMap | None = None
    bgr: bool = False
    config: str | None = None

    def check(self) -> None:
        """Raise AnnotationError for an impossible option value."""
        check_raster_options(self.line_width, self.point_size, self.unknown, self.labelme_rules or DEFAULT_LABELME_RULES)
        if self.overlap not in OVERLAP_RULES:
            raise AnnotationError(f"overlap rule must be one of {', '.join(OVERLAP_RULES)}, got {self.overlap!r}")
        if self.image_format not in IMAGE_FORMATS:
            raise AnnotationError(
                f"image format must be one of {', '.join(IMAGE_FORMATS)}, got {self.image_format!r}"
            )


@dataclass(frozen=True)
class ConvertItem:
    """One unit of work: an annotation file and the id its outputs get; for a tool whose file
    holds many images (COCO, CVAT, Label Studio), the image's record read from it."""

    json_path: str
    image_id: str
    kind: SourceFormat = "labelme"
    record: AnnotatedImage | None = field(default=None, compare=False)
    split: str | None = None  # the export's own split of the image (train, val or test), if it has one
    image: str | None = None  # the image of a mask
    names: tuple[tuple[int, str], ...] = field(default=(), compare=False)  # a YOLO dataset's classes by id
    row: int | None = None  # a Hugging Face dataset's row in its file
    stamp: int | None = None  # that file's modification time as the run found it (what a worker keeps read is of it)
    listed: bool = field(default=False, compare=False)  # its split is the one a split list names it in (masks')
    more: tuple[str, ...] = ()  # the masks of its image's other objects, merged into its mask (<image>_mask_1.png)

    def __str__(self) -> str:  # failures are reported by file (and image)
        if self.record is not None:
            return self.record.source
        return self.json_path if self.row is None else str(HubLabelRow(self.json_path, self.row))


def _output_paths(output: Path, image_id: str, options: ConvertOptions, image_ext: str) -> dict[str, Path]:
    paths = {
        "image": output / IMAGES_DIR / f"{image_id}{image_ext}",
        "label": label_path(output, image_id),
    }
    if options.instances:
        paths["instances"] = output / OBJECTS_DIR / f"{image_id}.png"
    if options.viz:
        paths["viz"] = output / VIZ_DIR / f"{image_id}.jpg"
    return paths


def _existing_image_output(output: Path, image_id: str, options: ConvertOptions) -> Path | None:
    """The dataset image of ``image_id`` as loaders find it, if it has the format asked for."""
    found = image_path(output, image_id)
    if not found.exists() or (options.image_format == "jpg" and found.suffix != ".jpg"):
        return None
    return found


def _labelme_inputs(json_path: Path, doc: LabelmeDocument, options: ConvertOptions) -> list[Path] | None:
    """The files a labelme annotation's outputs are made from; None when its image is missing."""
    try:
        source = find_image_file(doc, options.allow_image_urls, options.images_dir)
    except AnnotationError:
        return None
    return [json_path] if source is None else [json_path, source]


def _up_to_date(inputs: Sequence[Path] | None, output: Path, image_id: str, options: ConvertOptions) -> tuple[str, ...] | None:
    """The outputs of an image when they all exist and are no older than its ``inputs`` (its
    annotation file and image file), else None."""
    image_output = _existing_image_output(output, image_id, options)
    if image_output is None or inputs is None:
        return None
    outputs = _output_paths(output, image_id, options, image_output.suffix)
    newest_input = max((modified(p) or 0) for p in inputs)
    for path in outputs.values():
        stamp = modified(path)
        if stamp is None or stamp < newest_input:
            return None
    return tuple(str(p) for p in outputs.values())


def _up_to_date_result(source: str, done: tuple[str, ...], output: Path, image_id: str, count_classes: bool) -> FileResult:
    data: dict[str, Any] = {"id": image_id, "status": "up-to-date"}
    if count_classes:
        data["pixels"] = sparse_counts(label_histogram(label_path(output, image_id))[0].tolist())
    return FileResult(source=source, skipped=True, outputs=done, data=data)


_WIDE_MODES = frozenset({"I", "I;16", "I;16B", "I;16L", "I;16N", "F"})


def _rgb(image: Image.Image) -> Image.Image:
    """The image as 8-bit RGB for JPEG: alpha dropped, palettes and grey expanded, and 16-bit,
    32-bit or float grey stretched from its minimum to its maximum, as labelme shows such images."""
    if image.mode == "RGB":
        return image
    if image.mode in _WIDE_MODES:
        values = np.asarray(image, dtype=np.float64)
        low, high = float(values.min()), float(values.max())
        scaled = (values - low) * (255.0 / (high - low)) if high > low else np.zeros_like(values)
        image = Image.fromarray(np.clip(scaled + 0.5, 0, 255).astype(np.uint8))
    elif image.mode == "La":
        image = image.convert("LA")
    return image.convert("RGB")


def _image_extension(source: SourceImage, image_format: ImageFormat) -> str:
    """The extension of the dataset image: ``.jpg``, or with ``keep`` the source format's."""
    return _KEEP_EXTENSIONS.get(source.format, ".png") if image_format == "keep" else ".jpg"


def _copyable(source: SourceImage, image_format: ImageFormat) -> bool:
    """True when the source bytes can be written as the dataset image as they are (lossless and
    far faster than decoding and re-encoding): a JPEG, or with ``keep`` any kept format, that
    needs no turning upright."""
    formats = _KEEP_EXTENSIONS if image_format == "keep" else _JPEG_FORMATS
    return source.format in formats and not source.needs_transpose


def _encoded_image(displayed: Image.Image, rgb: Image.Image | None, ext: str) -> tuple[Image.Image, dict[str, Any]]:
    """The image to encode as the dataset image and its save arguments: ``rgb`` (the displayed
    pixels as 8-bit RGB, given for ``.jpg``) as a JPEG, else ``displayed`` losslessly."""
    if ext == ".jpg":
        assert rgb is not None
        args: dict[str, Any] = {"format": "JPEG", "quality": JPEG_QUALITY}
        icc = displayed.info.get("icc_profile")
        if icc:
            args["icc_profile"] = icc
        return rgb, args
    if ext == ".webp":
        return displayed, {"format": "WEBP", "lossless": True}
    return displayed, {"format": {".tif": "TIFF"}.get(ext, ext[1:].upper())}


def stored_extension(source: SourceImage, image_format: ImageFormat) -> str | None:
    """The extension of an annotation's image written into a dataset as stored (see
    :func:`_copyable`); None when it is written decoded and encoded again."""
    return _image_extension(source, image_format) if _copyable(source, image_format) else None


def dataset_image(
    source: SourceImage, image_format: ImageFormat, displayed: Image.Image | None = None
) -> tuple[str, bytes | Image.Image, dict[str, Any]]:
    """How an annotation's image is written into a dataset: its extension, and its bytes as
    stored when they can be kept (see :func:`_copyable`), else the upright image and its save
    arguments. ``displayed`` is the decoded image when the caller holds it already."""
    ext = _image_extension(source, image_format)
    if _copyable(source, image_format):
        return ext, source.data, {}
    displayed = source.decode() if displayed is None else displayed
    payload, save_args = _encoded_image(displayed, _rgb(displayed) if ext == ".jpg" else None, ext)
    return ext, payload, save_args


def save_dataset_image(path: Path, payload: bytes | Image.Image, save_args: dict[str, Any]) -> None:
    """Write what :func:`dataset_image` gives at ``path`` (a staged temporary file)."""
    _save(path, payload, save_args)


def _visualization(image: Image.Image, class_map: NDArray[np.uint8], classes: ClassTable, palette: NDArray[np.uint8]) -> Image.Image:
    """The image blended with its label colours, above a legend of the classes it shows."""
    blended = overlay_image(image, class_map, palette)
    counts = value_counts(class_map)
    present = [i for i in np.flatnonzero(counts).tolist() if i not in (0, VOID)]
    if not present:
        return blended
    entries = [(i, classes.name_of(i), (int(palette[i, 0]), int(palette[i, 1]), int(palette[i, 2]))) for i in present]
    font = max(12, min(18, image.width // 40))
    columns = max(1, min(len(entries), image.width // (font * 12)))
    legend = legend_image(entries, font_size=font, swatch=font + 4, columns=columns)
    return stack_vertical(blended, legend)


_VOC_PALETTE = palette_bytes()


@functools.lru_cache(maxsize=8)
def _palette(classes: ClassTable) -> bytes:
    """The table's 768 palette bytes, computed once per table and process."""
    return classes.palette().tobytes()


def _save(path: Path, payload: bytes | Image.Image, save_args: dict[str, Any]) -> None:
    if isinstance(payload, bytes):
        path.write_bytes(payload)
    else:
        save_picture(payload, path, **save_args)


def _remove_other_images(image: Path) -> None:
    """Delete the images of the same id in other formats, left by a run with another
    ``image_format``: loaders take ``<id>.jpg`` before any other, so a stale one would win."""
    for ext in IMAGE_EXTENSIONS:
        other = image.with_suffix(ext)
        if other != image and other.exists():
            log.debug("removing %s, replaced by %s", other, image.name)
            other.unlink(missing_ok=True)


def convert_file(
    json_path: PathLike,
    output: PathLike,
    classes: ClassTable,
    *,
    image_id: str | None = None,
    options: ConvertOptions = ConvertOptions(),
    resume: bool = False,
    count_classes: bool = False,
    replace_other_images: bool = True,
) -> FileResult:
    """Convert one labelme annotation into its VOC files under ``output``.

    Everything that can fail for bad input (reading, validating, decoding, rasterising) happens
    before the first file is written. The outputs are written to temporary files and renamed
    into place together once all are ready: if writing fails, every earlier output of the id
    stays as it was. Once all are written, images of the same id in another format
    (``JPEGImages/<id>.png`` next to a new ``<id>.jpg``, ...) are removed.

    Args:
        json_path: the annotation.
        output: the dataset folder (its sub-folders are created as needed).
        classes: the class table giving label values and colours.
        image_id: the id of the outputs (default: the JSON file's stem).
        options: rasterisation and output options.
        resume: skip the file (``skipped=True``) when its outputs all exist and none is older
            than the JSON or its image file.
        count_classes: count the class pixels of the file's label, converted or up to date
            (for a stratified split).
        replace_other_images: look for images of the same id in other formats to remove (False
            when ``output`` was empty as the run began: there are none).

    Returns:
        A :class:`FileResult` with the written files in ``outputs``, the shape warnings in
        ``warnings`` and ``{"id": ..., "status": "converted" | "up-to-date" | "not-labelme"}`` in
        ``data``, with, for a converted file, ``"pixels"`` (with ``count_classes``: class ->
        pixels of its label) and
        ``"contested"`` (pixels where shapes of two classes overlapped). A JSON file that is not a labelme annotation is skipped with a warning.

    Raises:
        AnnotationError: the annotation or its image is bad (names the file and the place).
        OutputError: an output cannot be written (names it).
    """
    json_path = location(json_path)
    output = location(output)
    image_id = json_path.stem if image_id is None else image_id
    check_split_id(image_id, str(json_path))  # before anything of it is written
    try:
        doc = read_labelme(json_path, skip_bad_shapes=options.skip_bad_shapes)
    except NotLabelmeError as exc:
        return FileResult(
            source=str(json_path), skipped=True, warnings=(f"{exc}; skipped",),
            data={"id": image_id, "status": "not-labelme"},
        )
    if resume:
        done = _up_to_date(_labelme_inputs(json_path, doc, options), output, image_id, options)
        if done is not None:
            return _up_to_date_result(str(json_path), done, output, image_id, count_classes)

    source = open_source_image(doc, options.allow_image_urls, options.images_dir)
    raster = rasterise(
        doc,
        classes,
        shape_hw=(source.height, source.width),
        line_width=options.line_width,
        point_size=options.point_size,
        rules=options.labelme_rules or DEFAULT_LABELME_RULES,
        unknown=options.unknown,
        instances=options.instances,
        overlap=options.overlap,
    )
    data = _write_outputs(
        output, image_id, source, raster.class_image, raster.instance_image, classes, options,
        count_classes=count_classes, replace_other_images=replace_other_images,
    )  # fmt: skip
    data["contested"] = raster.contested
    data["background_drawn"] = drawn_background((shape.label for shape in doc.shapes), classes)
    return FileResult(source=str(json_path), outputs=data.pop("outputs"), warnings=doc.warnings, data=data)


def _write_outputs(
    output: Path, image_id: str, source: SourceImage, class_image: Image.Image, instance_image: Image.Image | None,
    classes: ClassTable, options: ConvertOptions, *, count_classes: bool, replace_other_images: bool,
) -> dict[str, Any]:
    """Write an image's dataset files from its label maps (mode ``L`` images), all or none (see
    :func:`convert_file`); the result's ``data`` without ``contested``, its ``outputs`` in it."""
    displayed = source.decode() if options.viz else None
    ext, payload, save_args = dataset_image(source, options.image_format, displayed)
    palette = _palette(classes)
    viz = None
    if options.viz:
        assert displayed is not None
        viz = _visualization(_rgb(displayed), np.array(class_image), classes, np.frombuffer(palette, np.uint8).reshape(256, 3))

    paths = _output_paths(output, image_id, options, ext)
    with atomic_writes() as stage:  # all of the file's outputs replace the old ones, or none does
        _save(stage(paths["image"]), payload, save_args)
        save_label_image(stage(paths["label"]), class_image, palette)
        if instance_image is not None:
            save_label_image(stage(paths["instances"]), instance_image, _VOC_PALETTE)
        if viz is not None:
            _save(stage(paths["viz"]), viz, {"format": "JPEG", "quality": VIZ_QUALITY})
    if replace_other_images:
        _remove_other_images(paths["image"])
    data: dict[str, Any] = {"id": image_id, "status": "converted", "outputs": tuple(str(p) for p in paths.values())}
    if count_classes:
        data["pixels"] = sparse_counts(class_image.histogram())
    return data


def object_values(record: AnnotatedImage, classes: ClassTable, unknown: UnknownPolicy) -> list[int | None]:
    """The class value each object of a record paints: its class's index (a crowd region and
    ``__ignore__``: 255; a class of index -1, such as Cityscapes' license plate: None, left out),
    else what ``unknown`` says; an object that covers no area: None."""
    indices = classes.name_to_index
    values: list[int | None] = []
    for obj in record.objects:
        label = painted_label(obj.label, indices) if record.fill == "cityscapes" else obj.label
        if label is None or not any(part.has_area for part in obj.parts):
            values.append(None)
        elif obj.crowd or label == IGNORE_NAME:
            values.append(VOID)
        elif label in indices:  # a class of index -1 is in the table but never painted
            values.append(None if indices[label] < 0 else indices[label])
        elif unknown == "ignore":
            values.append(VOID)
        elif unknown == "background":
            values.append(None)
        else:
            raise unknown_label(record.source, obj.where, obj.label, classes.source)
    return values


def object_inks(record: AnnotatedImage, values: Sequence[int | None]) -> list[int | None]:
    """Each object's instance map value: instances numbered from 1 by ``(label, instance key)``
    in file order (an object without a key is an instance of its own); 0 and 255 for objects
    of class 0 and of void, 0 for stuff (no instance)."""
    keys = [(obj.label, obj.instance) if obj.instance is not None else n for n, obj in enumerate(record.objects)]
    values = [0 if obj.stuff and value != VOID else value for obj, value in zip(record.objects, values)]
    return _numbered(
        keys, values,
        lambda n, number: f"{record.source}: {record.objects[n].where} is instance {number}; instance maps hold at most {VOID - 1} instances per image",
    )  # fmt: skip


def warn_background_drawn(ids: Sequence[str], classes: ClassTable, made: str) -> None:
    """Warn once of the files whose shapes draw class 0 of ``classes`` where that is a class of
    its own (see :func:`~labeltools.core.classes.drawn_background`), and what was ``made`` of them."""
    if ids:
        log.warning(
            "%d file(s) draw %r, class 0 of %s, and 0 is also where no shape is drawn: %s (%s%s); a table that lists "
            "the background first keeps them apart (a 'background' line first, or labelme's '__ignore__' and "
            "'_background_' lines)",
            len(ids), classes.name_of(0), classes.the_described, made, ", ".join(ids[:3]), " ..." if len(ids) > 3 else "",
        )  # fmt: skip


def record_draws_background(record: AnnotatedImage, classes: ClassTable) -> int:
    """How many of a record's objects draw class 0 as a class of its own where the background
    is 0 too (see :func:`~labeltools.core.classes.drawn_background`)."""
    return drawn_background((obj.label for obj in record.objects), classes) if _background(record, classes) == 0 else 0


def _background(record: AnnotatedImage, classes: ClassTable) -> int:
    """Where no object is: 0, or for Cityscapes the value of ``unlabeled`` (255 in trainIds)."""
    return max(classes.name_to_index.get("unlabeled", 0), 0) if record.fill == "cityscapes" else 0


def rasterise_record(
    record: AnnotatedImage, classes: ClassTable, shape_hw: tuple[int, int], *, unknown: UnknownPolicy = "error",
    instances: bool = False, overlap: OverlapRule = "last",
) -> Painted:
    """A record's class map (and instance map) of an image of ``shape_hw``, painted by the fill
    rule of its tool (see :mod:`labeltools.ops.raster`).

    Raises:
        AnnotationError: the record's own problem, an unknown label (``unknown="error"``), an
            RLE of another size, more than 254 instances.
    """
    if record.problem is not None:
        raise AnnotationError(record.problem)
    height, width = shape_hw
    values = object_values(record, classes, unknown)
    merged = record.groups == "cvat"  # a group is one object, as CVAT's mask export merges it
    inks = object_inks(record, values) if instances and not merged else None
    if record.fill == "cityscapes":  # polygons only: drawn straight onto the canvases
        return paint_polygons(
            record.objects, values, height, width, inks=inks, overlap=overlap, background=_background(record, classes)
        )
    stamps, values, z_orders = record_stamps(record, values, height, width)
    if instances and merged:  # numbered as painted: each merged object an instance
        inks = _numbered(
            range(len(values)), values,
            lambda n, number: f"{record.source}: more than {VOID - 1} instances; instance maps hold at most {VOID - 1} per image",
        )  # fmt: skip
    return paint_objects(
        stamps, values, z_orders, height, width, inks=inks, overlap=overlap, background=_background(record, classes),
    )  # fmt: skip


def _numbered(keys: Sequence[Any], values: Sequence[int | None], too_many: Callable[[int, int], str]) -> list[int | None]:
    """Instance map values: objects of one key are one instance, instances numbered from 1 in
    order of their first object; 0 and 255 for objects of class 0 and of void.

    Raises:
        AnnotationError: instance 255 is reached, in the words ``too_many(object, number)`` gives.
    """
    seen: dict[Any, int] = {}
    inks: list[int | None] = []
    for n, (key, value) in enumerate(zip(keys, values)):
        if value is None or value in (0, VOID):
            inks.append(value)
            continue
        number = seen.setdefault(key, len(seen) + 1)
        if number >= VOID:
            raise AnnotationError(too_many(n, number))
        inks.append(number)
    return inks


def convert_record(
    item: ConvertItem, output: PathLike, classes: ClassTable, *, options: ConvertOptions = ConvertOptions(),
    resume: bool = False, count_classes: bool = False, replace_other_images: bool = True,
) -> FileResult:
    """Convert one image of a COCO, CVAT, Label Studio or Cityscapes annotation into its VOC
    files under ``output``, with the guarantees of :func:`convert_file` (nothing written for
    a bad record; all outputs replace the old ones, or none does).

    Raises:
        AnnotationError: the record or its image is bad (naming the file, the image and the
            object).
        OutputError: an output cannot be written.
    """
    output = location(output)
    record = item.record
    if record is None and item.kind in MASK_KINDS:  # its mask is read below, once it is known to be needed
        record = _bare_record(str(item), image=item.image)  # its text as given: a store's URL stays one
    elif record is None:  # one file per image: read here, in the worker
        record = read_one(item.kind, item.json_path, options.images_dir)
    if record.problem is not None:
        raise AnnotationError(record.problem)
    check_split_id(item.image_id, str(item))
    if resume:
        try:
            segments = [location(record.panoptic.png)] if record.panoptic is not None else []
            annotation = [location(item.json_path if item.kind == "hub" else record.annotation_file)]
            if item.kind == "yolo" and not annotation[0].exists():
                annotation = []
            image = [find_image(record)] if item.kind != "hub" else []  # a row holds its image
            inputs: list[Path] | None = [*annotation, *image, *segments, *(location(other) for other in item.more)]
        except AnnotationError:
            inputs = None
        done = _up_to_date(inputs, output, item.image_id, options)
        if done is not None:
            return _up_to_date_result(record.source, done, output, item.image_id, count_classes)
    if item.kind in MASK_KINDS:  # the mask is the label map: its values, not painted again
        if item.kind == "hub":  # a row of a Hugging Face dataset: both files in it
            assert item.row is not None
            row = hub_row(item.json_path, item.row, item.stamp)
            mask_name, image_name = f"{row.source}'s label map", f"its image {row.image_name}"
            values, said = mask_class_values(mask_name, classes, options.index_map, options.bgr, data=row.label)
            source = open_image(row.image, None, f"{row.source}: image {row.image_name}", row.source, exif=True)
        else:
            mask_name = item.json_path
            values, said = mask_class_values(item.json_path, classes, options.index_map, options.bgr)
            for other in item.more:  # another object's mask of the image: its pixels of a class over the first's
                drawn, also = mask_class_values(other, classes, options.index_map, options.bgr)
                if drawn.shape != values.shape:
                    raise AnnotationError(
                        f"{other}: is {drawn.shape[1]}x{drawn.shape[0]} (width x height), and {mask_name}, a mask of the "
                        f"same image, {values.shape[1]}x{values.shape[0]}"
                    )
                values, said = np.where(drawn != 0, drawn, values).astype(np.uint8), (*said, *also)
            source = open_record_image(record, images_hint(item.kind, options.images_dir))
            image_name = f"its image {source.path}"
        record = replace(record, warnings=said)
        if (source.height, source.width) != values.shape:
            rotated = f" after EXIF orientation {source.orientation}" if source.orientation != 1 else ""
            raise AnnotationError(
                f"{mask_name}: the mask is {values.shape[1]}x{values.shape[0]} (width x height) and {image_name} "
                f"{source.width}x{source.height}{rotated}: a mask covers its image pixel for pixel"
            )
        painted = Painted(known_values(values, classes, options.unknown, record.source), None, 0)
    else:
        source = open_record_image(record, images_hint(item.kind, options.images_dir))
        record = with_segments(record)  # a panoptic file's segments, read from their PNG
        if item.kind == "yolo":  # its label file, filled at the image's size
            record = yolo_record(record, dict(item.names), source.width, source.height)
        painted = rasterise_record(
            record, classes, (source.height, source.width), unknown=options.unknown,
            instances=options.instances, overlap=options.overlap,
        )  # fmt: skip
    instance_image = Image.fromarray(painted.instance_map) if painted.instance_map is not None else None
    data = _write_outputs(
        output, item.image_id, source, Image.fromarray(painted.class_map), instance_image, classes, options,
        count_classes=count_classes, replace_other_images=replace_other_images,
    )  # fmt: skip
    data["contested"] = painted.contested
    if item.kind not in MASK_KINDS:  # shapes, painted on the background
        data["background_drawn"] = record_draws_background(record, classes)
    warnings = tuple(f"{record.source}: {w}" for w in record.warnings)
    return FileResult(source=record.source, outputs=data.pop("outputs"), warnings=warnings, data=data)


def _convert_item(
    item: ConvertItem, output: str, classes: ClassTable, options: ConvertOptions, resume: bool, count_classes: bool,
    replace_other_images: bool,
) -> FileResult:
    if item.kind != "labelme":
        return convert_record(
            item, output, classes, options=options, resume=resume, count_classes=count_classes,
            replace_other_images=replace_other_images,
        )  # fmt: skip
    return convert_file(
        item.json_path, output, classes, image_id=item.image_id, options=options, resume=resume,
        count_classes=count_classes, replace_other_images=replace_other_images,
    )  # fmt: skip


def find_annotations(
    inputs: Sequence[PathLike], exclude: PathLike | None = None, source: SourceFormat | None = None, city_ids: str = "trainIds"
) -> list[tuple[Path, Path | None]]:
    """Every annotation file under the folders in ``inputs``, plus the files given directly:
    ``*.json`` (and ``*.xml`` when ``source`` is None or ``"cvat"``; only ``*_polygons.json``
    in folders for ``"cityscapes"``); in a folder holding none, its masks (see
    :func:`mask_folders`), else Cityscapes' label maps without their polygons, those of
    ``city_ids`` (``trainIds`` or ``labelIds``) when it holds both.

    Returns:
        ``(path, root)`` pairs sorted by path within each input; ``root`` is the folder input a
        file was found under, ``None`` for a file given directly. Files under ``exclude`` (the
        output folder) are left out.

    Raises:
        DatasetError: an input does not exist, a file input has another suffix, or nothing
            was found.
    """
    suffixes = _SUFFIXES[source]
    excluded = str(absolute(exclude)).rstrip("/") + "/" if exclude is not None else None
    found: list[tuple[Path, Path | None]] = []
    seen: set[str] = set()
    for raw in inputs:
        path = location(zip_folder(raw))
        if path.suffix.lower() in DATA_YAML_SUFFIXES and path.is_file() and semantic_yaml(path) is not None:
            path = path.parent  # an Ultralytics semantic dataset: its masks beside its images
        if path.is_dir():
            listed = list_files(path, (*suffixes, *MASK_SUFFIXES, *JPEG_MASK_SUFFIXES, *HUB_SUFFIXES), recursive=True)  # the tree listed once
            files = _outside_datasets(path, [f for f in listed if f.name.lower().endswith(suffixes)])
            hub = [f for f in listed if is_hub_file(f.name)] if source in (None, "hub") else []
            if source == "hub" and not hub:
                raise DatasetError(f"{path}: holds no Parquet or Arrow file of a Hugging Face dataset")
            if hub and (source == "hub" or all(f.name in SAVED_FILES or _is_table_file(f) for f in files)):
                files, listed = hub, []  # a Hugging Face dataset: its rows hold the images and label maps
            if source == "cityscapes":
                files = [f for f in files if is_cityscapes_name(f.name)]
            if source is None and all(f.name == OPEN_IMAGES_HIERARCHY for f in files) and (said := open_images_said(path)):
                raise DatasetError(f"{path}: holds no annotation file labeltools reads{said}")
            yolo = dataset_yaml(path) if source == "yolo" or (source is None and not files) else None
            if source == "yolo" and yolo is None:
                raise no_dataset_file(path)
            if yolo is not None and (semantic := semantic_yaml(yolo)) is not None:  # masks, not polygons
                if source == "yolo":
                    raise DatasetError(
                        f"{yolo}: an Ultralytics semantic segmentation dataset (masks_dir: {semantic.masks_dir}), "
                        "whose masks convert as masks beside their images: leave out --from yolo"
                    )
                yolo = None
            export = path.parent if path.name == LABELS_DIR else path  # the export, or its masks' folder
            if yolo is not None:  # a YOLO dataset: its data.yaml names its classes and images
                files = [yolo]
            elif source in (None, "segmentation-mask") and is_mask_export(export):  # CVAT's "Segmentation mask" export
                files = mask_files(export)
            elif source == "segmentation-mask":
                raise DatasetError(f"{path}: not a segmentation mask export (a VOC folder of colour masks in {LABELS_DIR}/)")
            elif source is None and not files and path.name in (LABELS_DIR, OBJECTS_DIR) and is_voc_root(path.parent):
                raise DatasetError(
                    f"{path}: the label maps of the VOC dataset {path.parent}, not annotations; labeltools export "
                    f"{shell_word(path.parent)} --to coco (or yolo-seg) exports the dataset"
                )
            elif (source == "masks" or (source is None and not files)) and (made := json_to_dataset_said(listed)):
                raise DatasetError(made)
            elif source == "masks" or (source is None and all(_is_table_file(f) for f in files) and not is_voc_root(path)):
                folders = mask_folders(path, listed) or ((folders_holding_masks(path, listed) or [path]) if source == "masks" else [])
                files = [mask for folder in folders for mask in masks_in(folder)]
                maps = label_maps(path) if not files else None  # Cityscapes' maps without their polygons
                if maps:  # those of the ids asked for (city_ids), else the others
                    files = maps[city_ids] or next(found for found in maps.values() if found)
                if source == "masks" and not files:
                    raise DatasetError(f"{path}: holds no masks (PNG, GIF, TIFF or BMP files){_arrays_said(path)}")
                if are_brush_files([f.name for f in files] or [f.name for f in list_files(path, (".png", ".npy"), recursive=True)]):
                    raise DatasetError(f"{path}: holds {BRUSH_FILES_SAID}")
            elif is_voc_root(path) and all(f.name == META_FILE or f.parent == path / "Annotations" for f in files):  # its detection XML too
                raise DatasetError(
                    f"{path}: is a VOC dataset ({LABELS_DIR}/ holds its labels), not annotations; "
                    "convert takes the annotation folders first and the dataset folder last"
                )
            elif source is None:
                _say_masks_beside(path, files, listed)
            pairs: list[tuple[Path, Path | None]] = [(p, path) for p in files]
        elif path.is_file():
            if path.suffix.lower() not in suffixes and not (source is None and path.suffix.lower() in (*DATA_YAML_SUFFIXES, *HUB_SUFFIXES)):
                said = f"; {tar} (a .zip is read as it is)" if (tar := tar_said(path)) else " (give annotation files or folders)"
                raise DatasetError(f"{path}: not a {' or '.join(suffixes)} file{said}")
            pairs = [(path, None)]
        elif not is_remote(path) and path.is_symlink() and not path.exists():
            raise DatasetError(f"{path}: a symbolic link to {os.readlink(path)}, which does not exist")
        elif path.exists():
            raise DatasetError(f"{path}: is neither a file nor a folder (a FIFO, a device or a socket)")
        else:
            raise DatasetError(f"{path}: no such file or folder")
        for json_path, root in pairs:
            resolved = str(absolute(json_path))
            if resolved in seen or (excluded is not None and resolved.startswith(excluded)):
                continue
            seen.add(resolved)
            found.append((json_path, root))
    if not found:
        kinds = " or ".join(f"*{s}" for s in CITYSCAPES_SUFFIXES) if source == "cityscapes" else " or ".join(suffixes)
        held = "; ".join(_what_is_in(location(p), kinds) for p in inputs)
        what = {None: "annotation file", "labelme": "labelme annotation"}.get(source, f"{source} annotation file")
        masks, hint = (" nor folder of masks nor YOLO data.yaml", "; masks in a folder named otherwise: --from masks") if source is None else ("", "")
        if source is None and (photos := [first for p in inputs if location(p).is_dir() and (first := photos_alone(p, recursive=True)) is not None]):
            hint = f"; {photos[0]}: {PHOTOS_SAID}"
        hint = next((said for said in (_arrays_said(location(p)) for p in inputs) if said), hint)
        hint = next((said for said in (sbd_hint(p) for p in inputs) if said), hint)
        raise DatasetError(f"no {what} ({kinds}){masks} found: {held}{hint}")
    return found


def zip_folder(given: PathLike) -> PathLike:
    """A ``.zip`` (an export as CVAT, Roboflow or Kaggle hand it over; Cityscapes'
    ``leftImg8bit_trainvaltest.zip``), on a disk or a store, as the URL of the folder it holds,
    read in place through fsspec's zip file system (``zip://::<archive>``); any other path as it is.

    Raises:
        DatasetError: a ``.zip`` that is no zip archive (a download cut short, say).
    """
    path = location(given)
    if path.suffix.lower() != ".zip" or not path.is_file():
        return given
    with path.open("rb") as handle:  # on a store too: its central directory read, not the whole archive
        whole = zipfile.is_zipfile(handle)
        legacy = legacy_zip_names(zipfile.ZipFile(handle)) if whole else []
    if not whole:
        raise DatasetError(f"{given}: not a zip archive (a download cut short?)")
    if legacy:
        raise DatasetError(
            f"{given}: holds {len(legacy)} name(s) in a code page that the archive does not record (as Windows' own "
            "zip tool writes names, in the system's code page): extract it with that code page (python -m zipfile "
            f"--metadata-encoding GBK -e {given} {_stem_folder(given)} for Chinese Windows, in Python 3.11 or later; "
            "CP932 Japanese, CP949 Korean, CP850 Western European) and convert the folder"
        )
    return f"zip://::{given}"


def _stem_folder(archive: PathLike) -> str:
    """The folder to extract ``archive`` into: its name without ``.zip``, beside it (``a/b.zip``: ``a/b/``)."""
    text = str(archive)
    return text[: -len(".zip")] + "/"


def _check_writable(table: ClassTable, index_map: IndexMap | None, given: bool) -> None:
    """Refuse, before anything is read, a class table class_names.txt cannot hold (COCO-Stuff's
    label ids leave gaps: the preset of its train ids and the index map to them are the way
    out), or one the index map's classes contradict (``-m coco-stuff`` writes COCO-Stuff's
    train ids, which ``-c voc`` would read as VOC's classes)."""
    try:
        table.class_names_text()
    except ClassTableError as exc:
        family = table.train_id_preset()
        if family is None:
            raise
        train, what, _ = TRAIN_ID_PRESETS[family]
        raise ClassTableError(f"{exc}; -m {family} reads {what} as the {train} preset's classes") from None
    writes = index_map.classes if index_map is not None else None
    if index_map is not None and writes is not None and writes.names != table.names:
        whose, way = ("", "leave out --classes") if given else ("dataset's ", f"--classes {shell_word(writes.source.removesuffix(' preset'))} replaces it")
        raise DatasetError(
            f"the index map ({index_map.source}) writes the classes of the {writes.source}, and the "
            f"{whose}class table is {table.the_described}: {way}"
        )


def _outside_datasets(folder: Path, files: list[Path]) -> list[Path]:
    """``files`` but those inside a dataset an earlier run wrote under ``folder`` (an output
    placed inside its input's folder): a VOC dataset of ``convert`` (its ``dataset_meta.json``
    beside ``SegmentationClass/``) or a COCO export of ``export`` (``annotations/instances_*.json``
    beside its ``class_names.txt``), when annotations are left beside them. Read, a dataset's
    class table was skipped as no annotation, two stopped the run as two files of the id
    ``dataset_meta``, and an export's COCO files made a mixture of two tools. Says which it left
    out."""
    written = sorted({root for f in files if (root := _written_root(f)) is not None and root != folder}, key=str)
    inside = tuple(f"{d}/" for d in written)
    kept = [f for f in files if not str(f).startswith(inside)]
    if not written or not kept:  # an earlier output given alone is what there is to read
        return files
    log.info("%s: left out %s: written by an earlier convert or export, no annotations", folder, ", ".join(map(str, written)))
    return kept


def _written_root(path: Path) -> Path | None:
    """The folder of the dataset ``convert`` or ``export`` wrote that ``path`` is the class table
    or COCO file of (see :func:`_outside_datasets`), else None."""
    if path.name == META_FILE and is_voc_root(path.parent):
        return path.parent
    export = path.parent.parent
    if path.parent.name == "annotations" and path.name.startswith("instances_") and (export / CLASS_NAMES_FILE).is_file():
        return export
    return None


def _say_masks_beside(folder: Path, annotations: Sequence[Path], listed: Sequence[Any]) -> None:
    """Say that a folder of annotations (its tree ``listed``) also holds folders of masks of the
    same images (by stem), which are not read: annotations come first where a folder holds both.
    A file of an annotation's stem beside it is its image, not a mask (a labelme folder named
    ``annotations/``, ADE20K's name for its masks, holds ``x.json`` and ``x.jpg``)."""
    stems = {f.stem for f in annotations}
    own = {(str(f.parent), f.stem) for f in annotations}
    for masks in mask_folders(folder, listed):
        same = sum(1 for mask in masks_in(masks) if mask.stem in stems and (str(mask.parent), mask.stem) not in own)
        if same:
            log.info(
                "%s: holds masks of %d of the annotated images too, not read: annotations come first "
                "(--from masks reads the masks instead)", masks, same,
            )  # fmt: skip


#: The JSON files of a folder of masks that are its class table, not annotations (Datumaro's
#: common_semantic_segmentation keeps its classes in dataset_meta.json).
_TABLE_FILES = frozenset({META_FILE, "id2label.json"})


def _is_side_file(path: Path) -> bool:
    """Whether a JSON file beside annotations is a class table or the like, never annotations
    (see :func:`_is_table_file`; Open Images' class hierarchy too)."""
    return _is_table_file(path) or path.name in (OPEN_IMAGES_HIERARCHY, *SAVED_FILES)


def _is_table_file(path: Path) -> bool:
    """Whether a JSON file of a folder of masks is its class table (see :data:`_TABLE_FILES`),
    Mapillary Vistas' ``config_v2.0.json`` (``config.json`` in its first release) too, and a
    Supervisely project's class list (see :func:`~labeltools.formats.voc.class_meta_table`)."""
    name = path.name
    if name in CLASS_META_FILES:
        return class_meta_table(path.parent) is not None
    return name in _TABLE_FILES or re.fullmatch(r"config(_v\d+(\.\d+)*)?\.json", name) is not None

_SUFFIXES: dict[SourceFormat | None, tuple[str, ...]] = {
    None: (".json", ".xml"), "labelme": (".json",), "coco": (".json",), "label-studio": (".json",),
    "cityscapes": (".json",), "cvat": (".xml",), "segmentation-mask": (".png",), "masks": (*MASK_SUFFIXES, *JPEG_MASK_SUFFIXES),
    "yolo": DATA_YAML_SUFFIXES, "datumaro": (".json",), "isat": (".json",), "hub": HUB_SUFFIXES,
}  # fmt: skip

#: How much of a file is read to tell which tool wrote it: a little, then more when that was
#: not enough (a COCO file's ``images`` may follow a long ``info`` and ``licenses``).
_HEADS = (4096, 65536)


def sniff(path: Path) -> SourceFormat | None:
    """Which tool wrote an annotation file, from its name and its first bytes; None when none
    is recognised (a labelme run reports such a file as not an annotation)."""
    if is_cityscapes_name(path.name):
        return "cityscapes"
    if is_hub_file(path.name):
        return "hub"
    if path.suffix.lower() in (*MASK_SUFFIXES, *JPEG_MASK_SUFFIXES):  # found in a folder of masks
        return "segmentation-mask" if path.parent.name == LABELS_DIR else "masks"
    if path.suffix.lower() in DATA_YAML_SUFFIXES:
        return "yolo"
    found = None
    for size in _HEADS:
        try:
            with path.open("rb") as handle:
                head = handle.read(size)
        except OSError:
            return None
        found = _sniff_head(path, head)
        if found is not None or len(head) < size:
            break
    return found


def _head(path: Path) -> bytes:
    """The start of a file, as much as :func:`sniff` reads at most (empty when it cannot be read)."""
    try:
        with path.open("rb") as handle:
            return handle.read(_HEADS[-1])
    except OSError:
        return b""


def _sniff_head(path: Path, head: bytes) -> SourceFormat | None:
    if path.suffix.lower() == ".xml":
        return "cvat" if is_cvat_xml(head) else None
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"["):
        json_min = b'"annotation_id"' in head or b'labels"' in head  # label-studio-converter's JSON-MIN
        return "label-studio" if b'"data"' in head or json_min or text.rstrip() in (b"[", b"[]") else None
    if not text.startswith(b"{"):
        return None
    if is_datumaro_json(head):
        return "datumaro"
    if is_isat_json(head):
        return "isat"
    if b'"shapes"' in head:
        return "labelme"
    if b'"imgHeight"' in head and b'"objects"' in head:
        return "cityscapes"
    if b'"categories"' in head or b'"images"' in head:
        return "coco"
    return None


def detect_source(found: Sequence[tuple[Path, Path | None]], source: SourceFormat | None) -> tuple[SourceFormat, list[tuple[Path, Path | None]]]:
    """The tool the annotation files come from and its files: ``source`` when given, else the
    one tool recognised among them (no tool recognised: labelme, whose run reports each file).

    Raises:
        DatasetError: files of several tools, each named with a count and an example.
    """
    if source is not None:
        return source, list(found)
    kinds: dict[SourceFormat | None, list[tuple[Path, Path | None]]] = {}
    for pair in found:
        kinds.setdefault(sniff(pair[0]), []).append(pair)
    known = [k for k in kinds if k is not None]
    if len(known) > 1:
        listed = "; ".join(
            f"{k}: {len(kinds[k])} file(s), e.g. {kinds[k][0][0]}" for k in SOURCE_FORMATS if k in kinds
        )
        raise DatasetError(
            f"the inputs hold annotations of several tools ({listed}); convert one tool's files per run, "
            "or name the tool with --from"
        )
    kind = known[0] if known else "labelme"
    other = [path for path, _ in kinds.get(None, []) if path.suffix.lower() == ".xml"]  # XML of no tool we read
    files = [p for p in found if p[0].suffix.lower() == ".json"] if kind == "labelme" else kinds[kind]  # unrecognised .json files are reported as not labelme, one by one
    if other and not files:
        raise DatasetError(f"{other[0]}: is {other_xml(_head(other[0]))}" + (f" ({len(other)} such files)" if len(other) > 1 else ""))
    if other:
        log.warning("%s: is %s; left out%s", other[0], other_xml(_head(other[0])), f", with {len(other) - 1} more" if len(other) > 1 else "")
    unread = [path for path, _ in kinds.get(None, []) if kind != "labelme" and path.suffix.lower() == ".json" and not _is_side_file(path)]
    if unread:  # a note, a tool's settings; or an export cut short before what tells its tool
        more = f" (and {len(unread) - 1} more)" if len(unread) > 1 else ""
        log.info("%s%s: holds no %s annotations, nor another tool's labeltools reads; left out", unread[0], more, kind)
    return kind, files


def images_hint(kind: SourceFormat, images_dir: str | None) -> str:
    """What an image not found adds: that ``--images`` looks elsewhere, where it was not given
    (a YOLO dataset's images are those its data.yaml names: none)."""
    return IMAGES_HINT if images_dir is None and kind != "yolo" else ""


def read_one(kind: SourceFormat, path: PathLike, images_dir: str | None = None) -> AnnotatedImage:
    """The record of a tool that writes one file per image (Cityscapes, a segmentation mask export)."""
    export = READERS[kind](path, location(images_dir) if images_dir is not None else None)
    return export.images[0]


def known_values(values: NDArray[np.uint8], table: ClassTable, unknown: UnknownPolicy, source: str) -> NDArray[np.uint8]:
    """A mask's ``(H, W)`` uint8 values as a label map of ``table``'s classes: each value the
    table lacks (255 aside) fails the mask (``unknown="error"``), or becomes 255 (``"ignore"``)
    or 0 (``"background"``), as an unknown label of an annotation does.

    Raises:
        AnnotationError: a value the table lacks, with ``"error"``.
    """
    held = value_counts(values)
    known = np.zeros(256, bool)
    known[[entry.index for entry in table.entries]] = True
    known[VOID] = True
    strange = np.nonzero((held > 0) & ~known)[0]
    if not len(strange):
        return values
    if unknown == "error":
        listed = ", ".join(f"{v} x {held[v]}" for v in strange[:5].tolist())
        grey = grey_read_hint(np.flatnonzero(held), [e.index for e in table.entries], table.palette(), "converting with --index-map {map}")
        raise AnnotationError(
            f"{source}: holds value(s) that are no class of the class table ({table.source}): {listed}"
            + (grey or " (add them, or choose what to do with unknown values: --unknown)")
        )
    lookup = np.arange(256, dtype=np.uint8)
    lookup[strange] = VOID if unknown == "ignore" else 0
    return lookup[values]


READERS: dict[str, Callable[[Any, Path | None], AnnotationExport]] = {
    "coco": read_coco, "cvat": read_cvat, "label-studio": read_labelstudio, "cityscapes": read_cityscapes, "datumaro": read_datumaro,
    "segmentation-mask": read_mask_export, "isat": read_isat,
}  # fmt: skip


def record_items(
    kind: SourceFormat, found: Sequence[tuple[Path, Path | None]], images_dir: str | None, flatten_names: bool, config: str | None = None
) -> tuple[list[ConvertItem], list[AnnotationExport]]:
    """The work items of a tool's files: one per image. Cityscapes files and the masks of a
    segmentation mask export (one per image) are read by the workers; the others are read here,
    once, and each image's record is handed on."""
    if kind == "segmentation-mask":
        roots = {str(export_root(p)): export_root(p) for p, _ in found}
        subsets = {key: subset_lists(root) for key, root in roots.items()}
        items = []
        for p, root in found:
            subset = subsets[str(export_root(p))].get(p.stem)
            prefix = UNSAFE.sub("_", subset).strip("_") + "_" if flatten_names and subset else ""
            items.append(ConvertItem(str(p), prefix + p.stem, kind, split=own_split(subset)))
        _check_unique([(str(p), item.image_id) for (p, _), item in zip(found, items)], flatten_names)
        return items, [AnnotationExport(str(root / LABELMAP_FILE), (), mask_classes(mask_table(root))) for root in roots.values()]
    if kind == "masks":
        return _mask_items(found, images_dir, flatten_names)
    if kind == "hub":
        if images_dir is not None:
            raise DatasetError(f"--images {images_dir}: a Hugging Face dataset's rows hold their images")
        return _hub_items(found, flatten_names, config)
    if kind == "yolo":
        if images_dir is not None:
            raise DatasetError(f"--images {images_dir}: a YOLO dataset's images are those its data.yaml names (its path: and splits)")
        return _yolo_items(found, flatten_names)
    if kind == "cityscapes":
        ids = [(cityscapes_id(p), p, root) for p, root in found]
        items = [
            ConvertItem(str(p), (_flat_id(p, root).removesuffix(p.stem) if flatten_names else "") + i, kind, split=own_split(p.parent.parent.name))
            for i, p, root in ids
        ]  # gtFine/<split>/<city>/<id>_gtFine_polygons.json
        _check_unique([(str(p), item.image_id) for (p, _), item in zip(found, items)], flatten_names)
        return items, []
    if kind == "coco" and (companions := coco_companions([path for path, _ in found]))[0] and companions[1]:
        for path, why in companions[1]:
            log.info("%s: %s; left out", path, why)
        found = [pair for pair in found if pair[0] in companions[0]]
    folder = location(images_dir) if images_dir is not None else None
    files_by_name.cache_clear()  # the images as they are now, not as an earlier run in this process saw them
    exports, unread = [], []
    # with flatten_names, an export in a folder of the input is prefixed by that folder (two
    # video tasks' exports, drive1/ and drive2/, both number their frames from frame_000000)
    where = {str(path): _flat_id(path, root).removesuffix(path.stem) for path, root in found if root is not None}
    for path, _ in found:
        try:
            exports.append(READERS[kind](path, folder))
        except AnnotationError as exc:  # the other files go on; this one is reported as failed
            unread.append((path, exc))
    if unread and not exports:
        raise unread[0][1]
    exports = _without_unions(exports)
    items = [_unreadable(path, kind, exc) for path, exc in unread]
    for export in exports:
        for record in export.images:
            name = upload_name(record.image) if kind == "label-studio" or is_served(record.image) else image_name(record.image)
            image_id = PurePosixPath(name).stem
            if flatten_names:  # the subset, then the folders of the image's path
                relative = PurePosixPath(record.image.split("?d=")[-1].replace("\\", "/"))
                parts = [record.subset or "", *(p for p in relative.parent.parts if p not in ("/", ".", ".."))]
                folders = [UNSAFE.sub("_", part).strip("_") for part in parts]
                image_id = where.get(export.path, "") + "_".join([*[f for f in folders if f], image_id])
            items.append(ConvertItem(record.annotation_file, image_id, kind, record, _record_split(record)))
    _check_unique([(str(item), item.image_id) for item in items], flatten_names)
    empty = [item.image_id for item in items if item.record is not None and not item.record.labels and item.record.problem is None]
    if empty:  # the export lists every image of its task: one not annotated yet is not background
        more = f" and {len(empty) - 5} more" if len(empty) > 5 else ""
        log.warning(
            "%d image(s) hold no object and become images of background only: %s%s (an image "
            "not annotated yet would teach that it holds nothing: leave it out)",
            len(empty), ", ".join(empty[:5]), more,
        )  # fmt: skip
    return items, exports


def _without_unions(exports: list[AnnotationExport]) -> list[AnnotationExport]:
    """The exports less each whose every image the others kept hold too, with the same objects
    and in the same split where it has one: a copy, or a subset made of others (Datumaro's export
    of a VOC dataset writes its trainval beside its train and val), read once, from those, said.
    The larger go first. A split's images that another split holds too are kept (ids clash, and
    the refusal names them): their val would be trained on."""
    if len(exports) < 2:
        return exports
    names = [{image_name(record.image) for record in export.images} for export in exports]
    if not any(names[n] and names[n] <= set().union(*names[:n], *names[n + 1 :]) for n in range(len(exports))):
        return exports  # no file's images all in others' (a train and a val): nothing is keyed by its objects
    splits = [{_record_key(record): _record_split(record) for record in export.images} for export in exports]
    dropped: set[int] = set()
    for n in sorted(range(len(exports)), key=lambda n: -len(splits[n])):
        others = [m for m in range(len(exports)) if m != n and m not in dropped]
        held: dict[tuple[Any, ...], set[str | None]] = {}
        for m in others:
            for key, split in splits[m].items():
                held.setdefault(key, set()).add(split)
        if splits[n] and all(key in held and (split is None or split in held[key]) for key, split in splits[n].items()):
            dropped.add(n)
            log.info(
                "%s: its %d image(s) are those of %s too, with the same objects (a copy, or a subset made of others as "
                "the trainval of a VOC dataset): read once, from those", exports[n].path, len(exports[n].images),
                ", ".join(file_name(exports[m].path) for m in others),
            )  # fmt: skip
    return [export for n, export in enumerate(exports) if n not in dropped]


def _record_split(record: AnnotatedImage) -> str | None:
    """The split an export puts an image in: its subset's (COCO's instances_val2017.json, CVAT's),
    else its file's folder's (Roboflow's valid/_annotations.coco.json); None for neither."""
    return own_split(record.subset) or own_split(file_parent_name(record.annotation_file))


def _record_key(record: AnnotatedImage) -> tuple[Any, ...]:
    """What tells an image's record from another's: its image's name and size, and its
    objects' labels, instances, order and geometry (its place in the file aside)."""
    objects = tuple((o.label, repr(o.instance), o.z_order, o.crowd, o.stuff, tuple(map(_part_key, o.parts))) for o in record.objects)  # an id may be any JSON
    return (image_name(record.image), record.height, record.width, record.problem is None, objects, record.panoptic)


def _part_key(geometry: Geometry) -> tuple[Any, ...]:
    """A part's geometry as a key (see :func:`_record_key`)."""
    arrays = (geometry.points, geometry.mask)
    return (geometry.kind, *(None if a is None else (a.shape, a.tobytes()) for a in arrays), geometry.offset, repr(geometry.rle))


def _mask_items(
    found: Sequence[tuple[Path, Path | None]], images_dir: str | None, flatten_names: bool
) -> tuple[list[ConvertItem], list[AnnotationExport]]:
    """The work items of masks beside their images: each folder's masks paired with the images
    of ``images_dir`` or of the folder beside it or named by them (:func:`images_of`) by stem (see
    :func:`pair_by_stem`), in the split the folder's name says (:func:`folder_split`); the
    exports are the folders of masks, their class table found beside them."""
    by_folder: dict[str, list[tuple[Path, Path | None]]] = {}
    for mask, root in found:
        by_folder.setdefault(str(mask.parent), []).append((mask, root))
    items: list[ConvertItem] = []
    exports: list[AnnotationExport] = []
    twins: dict[str, dict[str, Any]] = {}  # by input folder, its masks' images found by name (listed once)
    placed: list[_MaskFolder] = []
    for masks in by_folder.values():
        folder, root = masks[0][0].parent, masks[0][1] or masks[0][0].parent
        images: Any
        city = all(is_label_map(mask.name) for mask, _ in masks)  # a Cityscapes city's maps: each frame's image in leftImg8bit/
        if images_dir is not None:
            images, images_from = location(images_dir), f"{images_dir}, as asked"
        elif city:
            images = location(cityscapes_images(masks[0][0], None)[0]).parent
            images_from = f"{images}, as cityscapesScripts finds them"
        else:
            images, images_from = images_of(folder, root, twins)
        placed.append((masks, images, images_from, city))
    for masks, images, images_from, city in _one_rendering(placed):
        folder, root = masks[0][0].parent, masks[0][1] or masks[0][0].parent
        more = extra_masks([mask for mask, _ in masks])  # a second object's mask of an image, merged into its first
        extras = [path for paths in more.values() for path in paths]
        merged = {str(path) for path in extras}
        masks = [(mask, top) for mask, top in masks if str(mask) not in merged]
        pairing = _city_pairing(masks, images_dir) if city else pair_by_stem([mask for mask, _ in masks], images, extras)
        for second, first in pairing.duplicates:
            log.warning("%s: a second image of %s beside %s: %s is taken", second, second.stem, first.name, first.name)
        unlabelled = [image.name for _, mask, image in pairing.pairs if mask is None and image is not None]
        renderings = [f"{other.name}/ beside them, their colours, not read" for other in colour_renderings(folder)]
        said = "; ".join([f"images {images_from}" if images_from else "no images beside them (--images gives them)", *pairing.notes, *renderings])
        if unlabelled:
            said += f"; {len(unlabelled)} image(s) without a mask left out ({', '.join(unlabelled[:3])}{' ...' if len(unlabelled) > 3 else ''})"
        if more:
            said += f"; {len(extras)} mask(s) of an image's other objects ({next(iter(more.values()))[0].name} ...) merged into its first's"
        log.info("masks: %s: %s", folder, said)
        split = folder_split(folder, root, own_split, words=True)
        listed, lists = split_lists(folder, {stem for stem, label, _ in pairing.pairs if label is not None}) if split is None else ({}, [])
        if lists:
            log.info("masks: %s: splits as %s list them", folder, ", ".join(str(path) for path in lists))
        prefix = _flat_id(folder / "x", root).removesuffix("x") if flatten_names else ""
        for stem, label, image in pairing.pairs:
            if label is None:
                continue
            own = listed.get(stem, split)
            if image is None:
                where = f"in {images}" if images is not None else f"beside {folder} (give their folder with --images)"
                problem = _bare_record(label, f"{label}: no image {stem}.jpg (or {', '.join(IMAGE_SUFFIXES[1:])}) {where}")
                items.append(ConvertItem(str(label), prefix + stem, "masks", problem, own, listed=bool(lists)))
            else:
                others = tuple(str(path) for path in more.get(str(label), ()))
                items.append(ConvertItem(str(label), prefix + stem, "masks", split=own, image=str(image), listed=bool(lists), more=others))
        exports.append(AnnotationExport(str(folder), ()))
    _check_unique([(item.json_path, item.image_id) for item in items], flatten_names)
    return items, exports


#: A folder of masks: its masks (with the folder each was found under), its images' folder, how
#: that was found, and whether they are a Cityscapes city's maps.
_MaskFolder = tuple[list[tuple[Path, Path | None]], Any, str, bool]


def _one_rendering(placed: Sequence[_MaskFolder]) -> list[_MaskFolder]:
    """The folders of masks to read (see :data:`_MaskFolder`),
    but of two holding masks of the same images (their images' folder one, their names most of
    them alike: the Semantic Drone Dataset's ``label_images_semantic/`` values and
    ``RGB_color_image_masks/`` colours) the one of values, the other said and left out: both
    read, each image would be written twice, once a copy under another id.

    Raises:
        DatasetError: two such folders, neither or both of values (the one to read is given).
    """
    left = set()
    for n, (masks, images, _, city) in enumerate(placed):
        stems = {mask.stem for mask, _ in masks}
        for masks2, images2, _, city2 in placed[n + 1 :]:
            others = {mask.stem for mask, _ in masks2}
            if city or city2 or images is None or str(images) != str(images2) or 2 * len(stems & others) <= min(len(stems), len(others)):
                continue
            pair = (masks[0][0].parent, masks2[0][0].parent)
            colour = [probe_label(folder_masks[0][0])[1] in COLOUR_MODES for folder_masks in (masks, masks2)]
            if colour[0] == colour[1]:
                raise DatasetError(
                    f"{pair[0]}, {pair[1]}: masks of the same images ({images}), {'colours' if colour[0] else 'values'} both: "
                    "give the folder of the ones to read"
                )
            values, colours = pair if not colour[0] else pair[::-1]
            log.info(
                "masks: %s: colours of the same images as %s's values, not read (labeltools convert %s NEW_FOLDER --images %s reads them)",
                colours, values, shell_word(colours), shell_word(images),
            )  # fmt: skip
            left.add(str(colours))
    return [entry for entry in placed if str(entry[0][0][0].parent) not in left]


def _hub_items(
    found: Sequence[tuple[Path, Path | None]], flatten_names: bool, config: str | None
) -> tuple[list[ConvertItem], list[AnnotationExport]]:
    """The work items of a Hugging Face dataset's files: one per labelled row (see
    :func:`~labeltools.jobs.hub_labels.hub_rows`: its id, its split the one the repository's
    card names its file of, else its file's name or folder says), of its configuration ``config``
    (see :func:`~labeltools.jobs.hub_labels.dataset_files`); the files a card does not name,
    and a row without a label map (a test split's), are left out, said. The exports are the
    files' folders, where their ``id2label.json`` is looked for."""
    given = found[0][1] or found[0][0]
    named = {str(path) for path in dataset_files(given, [path for path, _ in found], config)[0]}
    found = [(path, root) for path, root in found if str(path) in named]
    rows, unlabelled = hub_rows([path for path, _ in found])
    say_unlabelled(unlabelled)
    places = {str(path): (path, root) for path, root in found}
    items = []
    for row in rows:
        path, root = places[row.item.path]
        image_id = row.image_id
        if flatten_names and root is not None:
            image_id = _flat_id(path, root).removesuffix(path.stem) + image_id
        items.append(ConvertItem(row.item.path, image_id, "hub", split=row.split, row=row.item.row, stamp=row.item.stamp))
    _check_unique([(str(item), item.image_id) for item in items], flatten_names)
    folders = {str(location(path).parent): path for path, _ in found}
    return items, [AnnotationExport(str(hub_table_file(path, HUB_TABLES) or folder), ()) for folder, path in folders.items()]


def _yolo_items(found: Sequence[tuple[Path, Path | None]], flatten_names: bool) -> tuple[list[ConvertItem], list[AnnotationExport]]:
    """The work items of YOLO datasets (their data.yaml files): one per image, in the split
    data.yaml puts it, its label file read by the worker; the exports declare the classes in
    id order."""
    items: list[ConvertItem] = []
    exports: list[AnnotationExport] = []
    for yaml_path, _ in found:
        dataset = read_yolo_dataset(yaml_path)
        names = tuple(sorted(dataset.names.items()))
        root = location(dataset.yaml).parent
        folders = {str(label.parent): label.parent for _, label, _ in dataset.images}
        listed = {str(f) for folder in folders.values() if folder.is_dir() for f in list_files(folder, (".txt",))}
        missing = 0
        for image, label, split in dataset.images:
            missing += str(label) not in listed  # one listing a folder, not a request a file on a store
            prefix = _flat_id(image, root).removesuffix(image.stem) if flatten_names else ""
            record = _bare_record(label, image=str(image))  # its objects are read by the worker (yolo_record)
            items.append(ConvertItem(str(label), prefix + image.stem, "yolo", record, own_split(split), names=names))
        counts = ", ".join(f"{split} {n}" for split in ("train", "val", "test") if (n := sum(s == split for *_, s in dataset.images)))
        notes = [f"images {counts}", *dataset.notes]
        if missing:
            notes.append(f"{missing} image(s) without a label file, images of background as Ultralytics reads them")
        log.info("yolo: %s: %s", dataset.yaml, "; ".join(notes))
        exports.append(AnnotationExport(dataset.yaml, (), tuple(SourceClass(name) for _, name in names)))
    _check_unique([(item.record.image if item.record else "", item.image_id) for item in items], flatten_names)
    return items, exports


def _city_pairing(masks: Sequence[tuple[Path, Path | None]], images_dir: str | None) -> Pairing:
    """The frames of a Cityscapes city's label maps and their images, where cityscapesScripts
    finds them (``leftImg8bit/<split>/<city>/<frame>_leftImg8bit.png``, ``images_dir`` first)."""
    folder = location(images_dir) if images_dir is not None else None
    pairs: list[tuple[str, Path | None, Path | None]] = []
    for mask, _ in masks:
        candidates = [location(c) for c in cityscapes_images(mask, folder)]
        pairs.append((cityscapes_id(mask), mask, next((c for c in candidates if c.is_file()), None)))
    return Pairing(pairs=pairs)


def _unreadable(path: Path, kind: SourceFormat, exc: AnnotationError) -> ConvertItem:
    """The work item of an annotation file that cannot be read, among others that can: it fails
    with its error, the others convert."""
    return ConvertItem(str(path), f"({path.name})", kind, _bare_record(path, str(exc)))


def _bare_record(path: PathLike, problem: str | None = None, image: str | None = None) -> AnnotatedImage:
    """The record of the file ``path`` without objects: of an image that fails with ``problem``
    when converted, or of a mask and its ``image``."""
    return AnnotatedImage(
        source=str(path), annotation_file=str(path), image=image or "", candidates=(image,) if image else (),
        height=None, width=None, objects=(), fill="pycocotools", problem=problem,
    )  # fmt: skip


#: How many clashing ids a refusal names (a COCO file of thousands would make one huge line).
_CLASHES_SHOWN = 20


def _check_unique(owners: Sequence[tuple[str, str]], flatten_names: bool, what: str = "image") -> None:
    """Refuse ids written by more than one owner (``(owner, id)`` pairs), naming the clashes.

    Raises:
        DatasetError: a clash (nothing is written).
    """
    by_id: dict[str, list[str]] = {}
    for owner, image_id in owners:
        by_id.setdefault(image_id, []).append(owner)
    clashes = sorted((i, o) for i, o in by_id.items() if len(o) > 1)
    if clashes:
        hint = "" if flatten_names else " (use --flatten-names to prefix ids with their folder)"
        listed = _some_of([f"{i}: {', '.join(o)}" for i, o in clashes])
        raise DatasetError(f"{len(clashes)} output id(s) would be written by more than one {what}{hint}: {listed}")


def _some_of(clashes: Sequence[str]) -> str:
    """The first :data:`_CLASHES_SHOWN` of ``clashes``, then how many more."""
    more = f"; and {len(clashes) - _CLASHES_SHOWN} more" if len(clashes) > _CLASHES_SHOWN else ""
    return "; ".join(clashes[:_CLASHES_SHOWN]) + more


def check_letter_case(ids: Sequence[str], output: Path, what: str = "dataset") -> None:
    """Ids that differ only in letter case (``IMG_1``, ``img_1``) are one file where ``output``'s
    file system ignores case (macOS, Windows, exFAT, SMB: see :func:`ignores_letter_case`): both
    were "converted", the second label over the first, and the split lists named both. Refused
    there; elsewhere a warning says the ``what`` cannot be copied there intact.

    Raises:
        DatasetError: such ids, and an output that ignores case (nothing is written).
    """
    folded: dict[str, dict[str, None]] = {}
    for image_id in ids:
        folded.setdefault(image_id.casefold(), {})[image_id] = None
    alike = [list(names) for names in folded.values() if len(names) > 1]
    if not alike:
        return
    listed = _some_of([" and ".join(names) for names in alike])
    if ignores_letter_case(output):
        raise DatasetError(
            f"{output}: its file system takes names that differ only in letter case for one (as macOS, Windows, exFAT "
            f"and SMB shares do), and {len(alike)} set(s) of ids differ only so, each of which would be one file: "
            f"{listed}; rename those files, or write where letter case counts"
        )
    log.warning(
        "%d set(s) of ids differ only in letter case (%s): the %s cannot be copied intact to macOS, Windows or an "
        "exFAT drive, where each would be one file", len(alike), listed, what,
    )  # fmt: skip


def _declared_by(kind: SourceFormat, export: AnnotationExport) -> str:
    """The file that declares an export's classes: the export's own, or for ISAT's a file per
    image, the ``isat.yaml`` beside it."""
    return str(location(export.path).parent / ISAT_CLASSES_FILE) if kind == "isat" else str(export.path)


def _declared(cls: SourceClass) -> str:
    """A declared class's id and colour, in words ("id 3, colour 250,50,83")."""
    parts = [f"id {cls.id}" if cls.id is not None else "no id"]
    if cls.color is not None:
        parts.append("colour " + ",".join(map(str, cls.color)))
    return ", ".join(parts)


#: Files named where a class table's source is said (a file per image: a thousand of them).
_FILES_NAMED = 3


def source_class_table(kind: SourceFormat, exports: Sequence[AnnotationExport]) -> tuple[ClassTable, str]:
    """The class table an export declares, and where it came from, in words.

    Cityscapes: the ``cityscapes-train`` preset (trainIds, every label not trained void), as
    cityscapesScripts' ``createTrainIdLabelImgs`` writes. Otherwise the classes the files
    declare (COCO categories, CVAT labels with their colours), then the labels used but not
    declared, sorted: ``_background_`` is 0, ``__ignore__`` 255, and the other classes keep the
    ids the files give when all fit 1..254, else are numbered from 1 in that order.

    Raises:
        DatasetError: two files declare one class with different ids or colours.
    """
    if kind == "cityscapes":
        table = ClassTable.preset("cityscapes-train")
        return table, f"{table.described}, as cityscapesScripts' createTrainIdLabelImgs writes them (-c cityscapes: labelIds)"
    if kind in MASK_KINDS:  # the values are the classes of the list the masks came with
        return _masks_table(exports, kind == "hub")
    if kind == "segmentation-mask":  # numbered by its label map's lines, as Datumaro's importer numbers them
        tables = [mask_table(location(export.path).parent) for export in exports]  # a URL's too
        for export, other in zip(exports[1:], tables[1:]):
            if other != tables[0]:
                raise DatasetError(f"{export.path}: names other classes than {tables[0].source}; give a class table with -c")
        if location(exports[0].path).is_file():
            return tables[0], f"{tables[0].source}, line i class i (as Datumaro reads it)"
        return tables[0], f"{tables[0].described}: no {LABELMAP_FILE} beside the masks, so PASCAL VOC's colours and classes (as Datumaro reads it)"
    declared: dict[str, SourceClass] = {}
    declared_in: dict[str, str] = {}
    for export in exports:
        source = _declared_by(kind, export)
        for cls in export.classes:
            earlier = declared.setdefault(cls.name, cls)
            where = declared_in.setdefault(cls.name, source)
            if earlier != cls:
                said = f"twice, as {_declared(earlier)} and as {_declared(cls)}" if where == source else (
                    f"as {_declared(cls)}, and {where} as {_declared(earlier)}"
                )
                raise DatasetError(
                    f"{source}: declares class {shown(cls.name)} {said}; give a class table with -c "
                    "(its classes are matched by name, so both become that one class)"
                )
    used = {label for export in exports for record in export.images for label in record.labels}
    special = {BACKGROUND_NAME, IGNORE_NAME}
    ordered = [c for c in declared.values() if c.name not in special]
    ordered += [SourceClass(n) for n in sorted(used - declared.keys() - special)]
    named = sorted({file_name(e.path) for e in exports})
    if kind == "isat" and any(e.classes for e in exports):  # one file per image: the classes are its isat.yaml's
        named = sorted({_declared_by(kind, e) for e in exports if e.classes})
    files = ", ".join(named[:_FILES_NAMED]) + (f" and {len(named) - _FILES_NAMED} more" if len(named) > _FILES_NAMED else "")
    _fit_a_label_map(files, len(ordered))
    ids = [c.id for c in ordered]
    keep = all(i is not None and 0 < i < VOID for i in ids) and len(set(ids)) == len(ids)
    entries = [ClassEntry(0, BACKGROUND_NAME, (0, 0, 0))]
    renumbered = []
    for n, cls in enumerate(ordered, 1):
        index = cls.id if keep and cls.id is not None else n
        if cls.id is not None and cls.id != index:
            renumbered.append(f"{cls.id}->{index}")
        r, g, b = (int(v) for v in voc_colormap(index + 1)[index])
        entries.append(ClassEntry(index, cls.name, cls.color or (r, g, b)))
    taken = {e.index for e in entries}
    gaps = [i for i in range(1, max(taken) + 1) if i not in taken]  # class_names.txt numbers by line
    names = {e.name for e in entries}
    entries += [ClassEntry(i, unused_name(i, names), (0, 0, 0)) for i in gaps]
    entries.append(ClassEntry(VOID, IGNORE_NAME, VOID_COLOR))
    table = ClassTable(sorted(entries, key=lambda e: e.index), f"the classes of {files}")
    if keep and any(c.id is not None for c in ordered):
        how = "their ids kept"
        if gaps:
            how += f" ({len(gaps)} id(s) between them unused, named unused_<id>)"
    elif renumbered:
        how = f"renumbered from 1 in their order, as their ids do not all fit 1..254 ({', '.join(renumbered[:12])}{', ...' if len(renumbered) > 12 else ''})"
    else:
        how = "numbered from 1 in their order"
    colours = " and colours" if any(c.color for c in ordered) else ""
    return table, f"{len(ordered)} classes{colours} of {files}, {how}; 0 _background_, 255 void"


def _first_values(items: Sequence[ConvertItem], looked_at: int) -> set[int] | None:
    """The values the first masks (``looked_at`` of them; a Hugging Face dataset's rows' label
    maps) hold; None when one is a colour mask or cannot be read (its conversion reports it)."""
    return first_values([_label_of(item) for item in items[:looked_at]], looked_at)


def _label_of(item: ConvertItem) -> Any:
    """A mask's path, or a Hugging Face dataset's row whose label map is read alone."""
    return HubLabelRow(item.json_path, item.row, item.stamp) if item.kind == "hub" and item.row is not None else item.json_path


def _say_binary_masks(items: Sequence[ConvertItem], looked_at: int = 5) -> None:
    """Warn, before converting, when the first masks (``looked_at`` of them) hold 0 and 255
    alone: binary masks saved as 0/255, whose objects would be void unless their values are
    rewritten."""
    held = _first_values(items, looked_at)
    if held is not None and VOID in held and held <= {0, VOID}:
        more = min(len(items), looked_at) - 1
        which = f"{items[0]} and the {more} mask(s) after it hold" if more else f"{items[0]} holds"
        log.warning(
            "%s 0 and 255 alone, and 255 is void: if 255 marks objects (binary masks saved as 0/255), "
            "add --index-map 0:0,255:1 to read them as class 1", which,
        )  # fmt: skip


def _masks_own(
    kind: SourceFormat, found: Sequence[tuple[Path, Any]], exports: Sequence[AnnotationExport], city_maps: bool
) -> tuple[ClassTable | None, str]:
    """The class table masks' values are the classes of, and where it came from, in words: the
    list they came with (of an export of Cityscapes-layout maps, the export's own labels; see
    :func:`~labeltools.formats.cityscapes.export_class_table`); None for other annotations,
    and for masks without one (Cityscapes' own maps, whose presets are chosen otherwise).

    Raises:
        DatasetError: two folders of masks came with lists that differ.
    """
    if kind not in MASK_KINDS:
        return None, ""
    if city_maps:
        own = export_class_table({"labelIds": [path for path, _ in found]})
        return own, "" if own is None else f"{own.described}, {EXPORT_TABLE_SAID}"
    own = _masks_own_table(exports, kind == "hub")
    return own, "" if own is None else came_with(own.described, "dataset" if kind == "hub" else "masks")


def _masks_table(exports: Sequence[AnnotationExport], hub: bool = False) -> tuple[ClassTable, str]:
    """The class table masks came with (see :func:`_masks_own_table`), and where it came from, in words.

    Raises:
        DatasetError: none, or two that differ.
    """
    first = _masks_own_table(exports, hub)
    folders = ", ".join(export.path for export in exports[:3]) + (" ..." if len(exports) > 3 else "")
    if first is None and hub:
        raise DatasetError(f"{folders}: {NO_TABLE_SAID}; labeltools stats on the dataset lists the values its label maps hold")
    if first is None:
        raise DatasetError(
            f"{folders}: the masks came with no class table ({', '.join(SHIPPED_TABLES)}, {CLASS_NAMES_FILE} or "
            f"{META_FILE}, beside them or in their dataset's folder): give theirs with -c (a preset, or a file naming "
            "class i on line i); labeltools stats on a folder of them lists the values they hold"
        )
    return first, came_with(first.described, "dataset" if hub else "masks")


def _masks_own_table(exports: Sequence[AnnotationExport], hub: bool = False) -> ClassTable | None:
    """The class table masks came with (see :func:`nearby_class_table`; ``exports`` are their
    folders; of a Hugging Face dataset, the table files found, see :func:`_hub_items`), the same
    for all; None when none came with one.

    Raises:
        DatasetError: two that differ.
    """
    if hub:
        return hub_own_table([export.path for export in exports])
    tables = [(export.path, nearby_class_table(export.path)) for export in exports]
    found = [(folder, table) for folder, table in tables if table is not None]
    if not found:
        return None
    first = found[0][1]
    for folder, table in found[1:]:
        differ = tables_disagree(table, first)
        if differ is not None:
            raise DatasetError(
                f"{folder}: its masks' classes differ from {first.source}'s ({differ}), so their values mean other "
                "classes: convert the folders of one table's masks in a run (one release's, as Mapillary Vistas' "
                "v1.2/ and v2.0/)"
            )
    return first


#: What a photo given as annotations or masks is, and what to give instead.
PHOTOS_SAID = (
    f"a photo ({PHOTO_SAID}), not a mask nor an annotation: give the annotations made of the photos (labelme's "
    ".json files, an export), or the folder of their masks"
)


def _arrays_said(path: Path) -> str:
    """How to convert masks kept as ``np.save`` arrays (a folder of ``.npy`` in ``path`` or a
    folder of it): make label PNGs of them first; ``""`` when there are none."""
    arrays = list_files(path, (ARRAY_SUFFIX,), recursive=True, depth=2) if path.is_dir() else []
    if not arrays:
        return ""
    folder = arrays[0].parent
    return (
        f"; {folder} holds masks as {ARRAY_SUFFIX} arrays ({arrays[0].name}): labeltools colorize {shell_word(folder)} -d "
        f"{shell_word(folder.name + '_png')} writes them as label PNGs, which convert reads beside their images"
    )


def _what_is_in(path: Path, kinds: str) -> str:
    """What a folder holds instead of annotations (files ending in ``kinds``), in words:
    ``x/: 12 image(s), 3 other file(s), no .json``."""
    if not path.is_dir():
        return f"{path}: a file"
    files = list_files(path, ("",), recursive=True)
    images = sum(1 for f in files if f.suffix.lower() in IMAGE_EXTENSIONS)
    if not files:
        return f"{path}: empty"
    return f"{path}: {images} image(s), {len(files) - images} other file(s), no {kinds}"


def _flat_id(json_path: Path, root: Path | None) -> str:
    folder = json_path.parent.relative_to(root) if root is not None else json_path.parent
    parts = [UNSAFE.sub("_", part).strip("_") for part in folder.parts if part not in ("/", "")]
    parts = [p for p in parts if p and p != "."]
    return "_".join([*parts, json_path.stem])


def assign_ids(found: Sequence[tuple[Path, Path | None]], flatten_names: bool = False) -> list[ConvertItem]:
    """Give every annotation its output id: the file's stem, or with ``flatten_names`` its
    relative folder and stem joined by ``_`` (``a/b/img.json`` -> ``a_b_img``).

    Raises:
        DatasetError: two files would get the same id, the clashes listed (nothing is written).
    """
    items = [ConvertItem(str(p), _flat_id(p, root) if flatten_names else p.stem, split=_folder_split(p, root)) for p, root in found]
    _check_unique([(item.json_path, item.image_id) for item in items], flatten_names, "file")
    return items


def _folder_split(json_path: Path, root: Path | None) -> str | None:
    """The split a labelme file's folder names (``annotations/val/x.json``: val), nearest the
    file first, up to the folder given (a file given alone: its own folder), or None."""
    return folder_split(json_path.parent, json_path.parent if root is None else root, own_split)


def _labels_of(item: ConvertItem) -> FileResult:
    """Discovery pass: the labels a file uses (nothing for files conversion will report)."""
    try:
        obj = load_labelme_json(item.json_path)
    except AnnotationError:
        return FileResult(source=item.json_path, data=())
    return FileResult(source=item.json_path, data=tuple(sorted(labelme_labels(obj))))


#: The source of a class table made of the labels found in the annotations.
FOUND_SOURCE = "classes found in the annotations"


def _fit_a_label_map(where: str, count: int) -> None:
    """Refuse ``count`` classes (besides background and void) that no label map can hold, with
    the way out: a table of the classes to keep."""
    if count >= VOID:  # 1..254 besides background 0 and void 255
        raise DatasetError(
            f"{where}: {count} classes, and a label map holds {VOID - 1} at most (1..{VOID - 1}; "
            f"0 is background, {VOID} void): give -c a table of the classes to keep, with --unknown ignore "
            "(the others' pixels void) or --unknown background (their shapes left out)"
        )


def discover_classes(items: Sequence[ConvertItem], jobs: int | None = None) -> ClassTable:
    """The class table of a set of annotations: ``_background_`` = 0, the other labels sorted
    from 1, ``__ignore__`` = 255. Ids are the same for every file. A label that cannot be a
    class name (a line break or a tab, text that is not UTF-8) is left out with a warning: the files
    using it then fail alone, as for any label the table lacks.
    """
    labels: dict[str, str] = {}  # label -> the first file using it
    with preparation("finding the classes", len(items)) as advance:
        for result in map_files(_labels_of, items, jobs, quick_task_chunksize(len(items), jobs)):
            for label in result.data or ():
                labels.setdefault(label, result.source)
            advance()
    for label, source in list(labels.items()):
        problem = class_name_problem(label)
        if problem is not None:
            log.warning("%s: label %r cannot be a class name (%s); the files using it fail", source, label, problem)
            del labels[label]
    classes = sorted(labels.keys() - {BACKGROUND_NAME, IGNORE_NAME})
    _fit_a_label_map(f"the labels of {len(items)} annotation file(s)", len(classes))
    names = [BACKGROUND_NAME, *classes, IGNORE_NAME]
    log.debug("found %d labels in %d files", len(labels), len(items))
    return ClassTable.from_names(names, source=FOUND_SOURCE)


def annotation_class_table(
    items: Sequence[ConvertItem], classes: ClassTable | PathLike | None = None, jobs: int | None = None
) -> ClassTable:
    """The class table of a set of annotations: ``classes`` (a table, preset or file), else the
    ``labels.txt`` kept beside labelme's (see :func:`labels_beside`), else the labels found in
    them (see :func:`discover_classes`)."""
    if classes is None:
        kept = labels_beside(items)
        return discover_classes(items, jobs) if kept is None else kept
    return classes if isinstance(classes, ClassTable) else ClassTable.load(classes)


#: The class list labelme's workflow keeps with its annotations, the one its tools take
#: (``labelme --labels labels.txt``, ``labelme2voc.py --labels labels.txt``): the order of its
#: lines numbers the classes.
LABELME_LABELS = "labels.txt"
#: The first line of such a list as labelme writes it (``__ignore__`` then ``_background_``).
_LABELME_HEADER = (IGNORE_NAME, BACKGROUND_NAME)


def labels_beside(items: Sequence[ConvertItem]) -> ClassTable | None:
    """The class table of the ``labels.txt`` that labelme annotations keep (see :data:`LABELME_LABELS`): in the
    folder of their files, or in the folder above it beginning with labelme's header lines, as
    labelme's examples keep it beside ``data_annotated/``; None when there is none. Numbering the
    classes as the annotator's list does, not in the order of their names, gives the ids that
    labelme2voc gives with it, and that the list itself states.

    Raises:
        DatasetError: folders that keep lists of other classes or in another order.
    """
    folders = {location(item.json_path).parent for item in items if item.kind == "labelme" and item.record is None}
    kept: dict[str, None] = {}  # the lists' paths, each once, in order
    for folder in sorted(folders, key=str):
        for candidate, header in ((folder / LABELME_LABELS, False), (folder.parent / LABELME_LABELS, True)):
            if candidate.is_file() and (not header or _labelme_list(candidate)):
                kept[str(candidate)] = None
                break
    tables = {path: ClassTable.load(path) for path in kept}
    if len({tuple(table.names) for table in tables.values()}) > 1:
        raise DatasetError(
            f"{' and '.join(tables)} list the classes otherwise, each beside its annotations: give the table to use "
            "(--classes), or make them one"
        )
    return next(iter(tables.values()), None)


def _labelme_list(path: Any) -> bool:
    """Whether the first line of ``path`` is one of labelme's header lines (see :data:`_LABELME_HEADER`)."""
    try:
        lines = read_small_text(path).splitlines()
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    return bool(lines) and lines[0].strip() in _LABELME_HEADER


def _read_previous_split(output: Path) -> tuple[list[str], list[str]] | None:
    """OUTPUT's train and val ids, or None unless both split files exist.

    Raises:
        DatasetError: a split file cannot be read.
    """
    if not (split_path(output, "train").is_file() and split_path(output, "val").is_file()):
        return None
    return read_split(output, "train"), read_split(output, "val")


@dataclass
class Conversion(OneRun):
    """A checked, ready-to-run conversion; iterate it to convert (once).

    ``len(conversion)`` is the number of annotation files. Iterating yields one
    :class:`FileResult` per file in input order; after the last one, the split lists are
    written for every file that converted (or was up to date) and ``splits`` holds them,
    ``contested`` the files whose shapes of different classes overlapped (id -> pixels),
    ``pixels`` (when stratified) each id's class pixel counts and ``held_out`` the ids in the
    dataset that its ``test.txt`` keeps out of train and val.
    """

    output: Path
    classes: ClassTable
    items: list[ConvertItem]
    options: ConvertOptions
    val_fraction: float
    seed: int
    resume: bool
    jobs: int | None
    previous_split: tuple[list[str], list[str]] | None = None
    stratify: bool = False
    fresh: bool = False  # OUTPUT was missing or empty when the conversion was checked
    classes_chosen: str = ""  # where the class table came from, for the user
    rules_chosen: str = ""  # why the shapes are drawn by these labelme rules, for the user
    source: str = "labelme"  # the tool the annotations come from
    table_changed: bool = False  # --overwrite with another table than OUTPUT's: old labels are stale
    test_ids: frozenset[str] = frozenset()  # OUTPUT's test.txt: never placed in train or val
    split_chosen: str = ""  # how the images are split, when the export has splits of its own, for the user
    group: str | None = None  # the --group pattern that keeps the images of one group on one side
    splits: dict[str, list[str]] = field(default_factory=dict, init=False)
    contested: dict[str, int] = field(default_factory=dict, init=False)
    pixels: dict[str, dict[int, int]] = field(default_factory=dict, init=False)
    held_out: list[str] = field(default_factory=list, init=False)
    nothing_written: bool = field(default=False, init=False)  # every file failed: a new OUTPUT is left as it was

    def _run(self) -> Iterator[FileResult]:
        with output_lock(self.output):  # one writer at a time
            labelme = yield from self._convert()
        if not labelme:
            self._undo()
            raise DatasetError(
                f"none of the {len(self.items)} .json file(s) is a labelme annotation; nothing written "
                f"(--from names another tool: {', '.join(SOURCE_FORMATS[1:])})"
            )
        if self.fresh and not self.splits["trainval"] and not self.held_out:
            # A dataset of no image would still record a class table (found in no annotation)
            # that every later run into it takes as the dataset's own.
            self._undo()
            self.nothing_written = True

    def _convert(self) -> Generator[FileResult, None, int]:
        """Convert every item; returns how many were labelme annotations (nothing more is
        written when none was)."""
        start_run()
        for folder in self._folders():  # even those this run writes nothing into (--resume)
            remove_stale_temporaries(folder)
        write_class_files(self.output, self.classes, self.options.labelme_rules, self.group)
        log.debug("converting %d files into %s (jobs=%s)", len(self.items), self.output, self.jobs)
        work = functools.partial(
            _convert_item, output=str(self.output), classes=self.classes,
            options=self.options, resume=self.resume, count_classes=self.stratify, replace_other_images=not self.fresh,
        )
        in_dataset: list[str] = []
        kept: set[str] = set()  # ids that failed this time but keep their earlier outputs
        failed = False
        labelme = 0  # files that were labelme annotations, converted or not
        drawn: list[str] = []  # ids whose shapes paint class 0, a class of its own, where no shape is 0 too
        for item, result in zip(self.items, map_files(work, self.items, self.jobs)):
            data = result.data if isinstance(result.data, dict) else {}
            labelme += data.get("status") != "not-labelme"
            if result.ok and data.get("status") in ("converted", "up-to-date"):
                in_dataset.append(data["id"])
                if "pixels" in data:
                    self.pixels[data["id"]] = data["pixels"]
                if data.get("contested"):
                    self.contested[data["id"]] = data["contested"]
                if data.get("background_drawn"):
                    drawn.append(data["id"])
            elif not result.ok:
                failed = True
                if self.table_changed:  # its earlier labels number the classes another way
                    self._remove_labels(item.image_id)
                elif self._has_outputs(item.image_id):
                    kept.add(item.image_id)
            yield result
        warn_background_drawn(drawn, self.classes, "their pixels are one class in the labels")
        if not labelme:
            return 0
        previous = self.previous_split
        if previous is not None and not self.resume:  # overwrite: only kept ids stay where they were
            previous = (sorted(set(previous[0]) & kept), sorted(set(previous[1]) & kept))
        presence = None
        if self.stratify:
            for image_id in kept - self.pixels.keys():  # failed now, labelled before
                self.pixels[image_id] = sparse_counts(label_histogram(label_path(self.output, image_id))[0].tolist())
            presence = {image_id: counts.keys() for image_id, counts in self.pixels.items()}
        own = {item.image_id: item.split for item in self.items if item.split is not None}
        present = {*in_dataset, *kept}
        own_test = {image_id for image_id, split in own.items() if split == "test"} & present
        test_ids = self.test_ids | own_test
        in_splits = [image_id for image_id in [*in_dataset, *sorted(kept)] if image_id not in test_ids]
        self.held_out = sorted(test_ids & present)
        # the export's own split first; an earlier one, then the hash, for the others
        groups = id_groups(in_splits, self.group) if self.group is not None else None
        train, val = split_ids(in_splits, self.val_fraction, self.seed, kept_splits(own, previous), presence, groups)
        if groups is not None and (both := straddling(groups, train, val)):
            log.warning(
                "%d group(s) have images in train and in val, where the dataset's earlier split or the export's own put "
                "them, which are kept: %s%s; labeltools split %s --group %s splits them anew",
                len(both), ", ".join(both[:5]), " ..." if len(both) > 5 else "", shell_word(self.output), shell_word(self.group),
            )  # fmt: skip
        self.splits = {"train": train, "val": val, "trainval": sorted(train + val)}
        if own_test:
            self.splits["test"] = sorted(test_ids)
        if failed and not self.splits["trainval"] and not own_test and not self.table_changed:
            log.debug("nothing converted: the split files are left as they were")
            return labelme
        write_splits(self.output, self.splits)
        return labelme

    def _folders(self) -> list[Path]:
        """The folders this conversion writes files into."""
        folders = [self.output, self.output / IMAGES_DIR, self.output / LABELS_DIR, split_path(self.output, "train").parent]
        if self.options.instances:
            folders.append(self.output / OBJECTS_DIR)
        if self.options.viz:
            folders.append(self.output / VIZ_DIR)
        return folders

    def _undo(self) -> None:
        """Remove what the run wrote into an OUTPUT that was new or empty (its class files and
        empty folders), so that a run that converted nothing leaves nothing."""
        if not self.fresh:
            return
        for name in (CLASS_NAMES_FILE, META_FILE, LABELMAP_FILE):
            (self.output / name).unlink(missing_ok=True)
        remove_empty_folders(self.output)

    def _remove_labels(self, image_id: str) -> None:
        """Remove the label files an earlier run wrote for ``image_id``, whatever its options
        were (its image stays)."""
        everything = ConvertOptions(instances=True, viz=True)
        for name, path in _output_paths(self.output, image_id, everything, "").items():
            if name != "image":
                path.unlink(missing_ok=True)

    def _has_outputs(self, image_id: str) -> bool:
        """True when OUTPUT holds a label and an image of ``image_id`` (from an earlier run)."""
        return label_path(self.output, image_id).is_file() and image_path(self.output, image_id).is_file()


def _is_nonempty_dir(path: Path) -> bool:
    return path.is_dir() and any(path.iterdir())


def convert_labelme(
    inputs: PathLike | Sequence[PathLike],
    output: PathLike,
    classes: ClassTable | PathLike | None = None,
    *,
    options: ConvertOptions = ConvertOptions(),
    val_fraction: float = 0.1,
    seed: int = 0,
    flatten_names: bool = False,
    overwrite: bool = False,
    resume: bool = False,
    stratify: bool = False,
    group: str | None = None,
    jobs: int | None = None,
    source: SourceFormat | None = None,
) -> Conversion:
    """Check a conversion of annotations (labelme, COCO, CVAT, Label Studio or Cityscapes) into
    a VOC dataset and return it ready to run.

    Every check that concerns the whole run happens here, before anything is written: inputs
    exist, ids are unique, OUTPUT may be written, the class table is usable (and, when
    resuming, equal to the one recorded in OUTPUT). Iterate the result to convert.

    Args:
        inputs: folders (searched recursively for ``*.json``, and ``*.xml`` for CVAT) and/or
            annotation files.
        output: the dataset folder to write.
        classes: a ClassTable or a class table file/preset (labels.txt, class_names.txt, CSV,
            JSON, ``voc``...); default: discovered from the annotations (``_background_`` = 0,
            other labels sorted, ``__ignore__`` = 255).
        options: per-file options.
        val_fraction: share of ids listed in ``val.txt``, of the images that have no split of
            their own in the export (Cityscapes' folders, COCO's files, CVAT's subsets keep theirs:
            :func:`labeltools.ops.splits.kept_splits`).
        seed: seed of the split.
        flatten_names: prefix ids with their folder relative to the input folder.
        overwrite: write into an existing, non-empty OUTPUT, replacing its files.
        resume: write into an existing OUTPUT, skipping files whose outputs are up to date and
            keeping every id in the split it had.
        stratify: choose val so that every class held by two images or more is on both sides,
            each class's share of images in val close to ``val_fraction`` (see
            :func:`labeltools.ops.splits.split_ids`).
        group: a regular expression naming each id's group (see
            :func:`labeltools.ops.splits.id_groups`): the images of one group go to one side.
        jobs: worker processes (``None``/0 every core, 1 in this process).
        source: the tool the annotations come from (see :data:`SOURCE_FORMATS`); None: found
            from the files (see :func:`detect_source`). Its class table is used when
            ``classes`` is None and OUTPUT records none (see :func:`source_class_table`).

    Raises:
        DatasetError: missing inputs, annotations of several tools, clashing ids, OUTPUT exists without ``overwrite`` or
            ``resume`` (or both given), class table differs from OUTPUT's when resuming.
        ClassTableError: a bad class table.
        AnnotationError: bad options.
    """
    options.check()
    if options.images_dir is not None:
        options = replace(options, images_dir=str(zip_folder(options.images_dir)))
    check_fraction(val_fraction)
    if overwrite and resume:
        raise DatasetError("choose either overwrite (convert everything again) or resume (only what changed), not both")
    output = location(output)
    input_list = [inputs] if isinstance(inputs, (str, os.PathLike)) else list(inputs)
    if any(str(absolute(given)) == str(absolute(output)) for given in input_list):
        raise DatasetError(f"{output}: is the annotation folder itself; write the dataset into another folder")
    if output.exists() and not output.is_dir():
        raise DatasetError(f"{output}: exists and is not a folder")
    if _is_nonempty_dir(output) and not (overwrite or resume):
        raise DatasetError(
            f"{output}: already exists and is not empty; pass --overwrite to convert everything "
            "again into it, or --resume to convert only what changed"
        )
    if classes is not None and not isinstance(classes, ClassTable):
        classes = ClassTable.load(classes)  # once: which Cityscapes maps to read depends on it
    city_label_ids = ClassTable.preset("cityscapes").names
    city_ids = "labelIds" if classes is not None and classes.names == city_label_ids else "trainIds"
    kind, found = detect_source(find_annotations(input_list, exclude=output, source=source, city_ids=city_ids), source)
    city_maps = kind == "masks" and all(is_label_map(path.name) for path, _ in found)
    if kind not in MASK_KINDS and options.index_map is not None:
        raise DatasetError(f"an index map rewrites the values of masks, and the inputs are {kind} annotations, which hold shapes")
    if kind not in MASK_KINDS and options.bgr:
        raise DatasetError(f"--bgr reads the colours of masks, and the inputs are {kind} annotations, which hold shapes")
    if kind != "hub":
        no_config(options.config, kind, "the inputs are {} annotations")
    if kind in MASK_KINDS and options.instances:
        raise DatasetError("masks of classes tell no instances apart: leave out --instances")
    exports: list[AnnotationExport] = []
    if kind == "labelme":
        items = assign_ids(found, flatten_names)
    else:
        items, exports = record_items(kind, found, options.images_dir, flatten_names, options.config)
        if not items:
            raise DatasetError(f"no image in the {kind} annotations: {', '.join(str(p) for p, _ in found)}")
    if kind == "masks" and options.index_map is None:
        jpegs = [item.json_path for item in items if item.json_path.lower().endswith(JPEG_MASK_SUFFIXES)]
        if jpegs and is_photo_not_mask(jpegs[0]):
            raise DatasetError(f"{jpegs[0]}: {PHOTOS_SAID}")
        renamed = not jpegs and items and is_jpeg_data(items[0].json_path)  # JPEGs renamed .png, as the first is
        if jpegs or renamed:
            first, held = (jpegs[0], f"{len(jpegs)} in all") if jpegs else (items[0].json_path, f"named {location(items[0].json_path).suffix}, the first of {len(items)}")
            raise DatasetError(
                f"{first}: is a JPEG mask ({held}), whose compression shifts its values along every edge: "
                "read them by ranges of values, --index-map 0-127:0,128-255:1 for masks of 0 and 255"
            )
    if kind in MASK_KINDS and options.index_map is None:
        _say_binary_masks(items)

    semantic = semantic_yaml_above(location(found[0][0]).parent) if kind == "masks" else None
    if semantic is not None and semantic.label_mapping and options.index_map is None:  # as Ultralytics reads the masks
        mapped = IndexMap.from_mapping(semantic.reads(), f"{semantic.path}'s label_mapping")
        options = replace(options, index_map=replace(mapped, classes=semantic.table))
    recorded = load_class_table(output) if (overwrite or resume) and output.is_dir() else None
    own, own_said = _masks_own(kind, found, exports, city_maps) if options.index_map is None else (None, "")
    if classes is not None and own is not None and (what := tables_disagree(classes, own, wider=True)) is not None:
        raise DatasetError(
            f"{what}: the masks' values are the classes of the list they came with, which --classes would rename: "
            "leave out --classes (that list is the class table), or mend one"
        )
    if classes is None and recorded is not None and (own is None or tables_disagree(recorded, own, wider=True) is None):
        table, chosen = recorded, f"the class table recorded in {recorded.source} (give --classes to change it)"  # the dataset's own record comes first
    elif classes is None and own is not None:  # the masks' values are its classes, whatever the dataset recorded
        table, chosen = own, own_said
    elif classes is None and options.index_map is not None and options.index_map.classes is not None:
        table = options.index_map.classes
        chosen = f"{table.described}, the classes the index map ({options.index_map.source}) writes"
    elif classes is None and city_maps:
        table = ClassTable.preset("cityscapes-train")
        chosen = f"{table.described}, as cityscapesScripts' createTrainIdLabelImgs writes them (-c cityscapes: labelIds)"
    elif classes is None and kind != "labelme":
        table, chosen = source_class_table(kind, exports)
    else:
        table = annotation_class_table(items, classes, jobs)
        chosen = table.described if classes is not None else "found in the annotations" if table.source == FOUND_SOURCE else (
            f"from {table.source}, the {LABELME_LABELS} kept with the annotations, whose order numbers the classes as labelme2voc's "
            "--labels does (--classes gives another table)"
        )
    _check_writable(table, options.index_map, classes is not None)
    if kind in MASK_KINDS and options.index_map is None:
        refuse_shipped_ade20k(
            [_label_of(item) for item in items[:ADE20K_LOOKED_AT]], table,
            "-m ade20k reads them as trained (0 \"other\" void), or -c ade20k keeps them as shipped (where they hold the "
            "trained ids already, -m 0-149:0-149 reads them so)",
        )  # fmt: skip
        if kind == "masks":
            chosen += grey_colours_said(items[0].json_path, table)
    label_ids = city_maps and found[0][0].name.endswith(LABEL_MAPS["labelIds"])
    if city_maps and not label_ids and table.names == city_label_ids:
        raise DatasetError(
            f"{found[0][0]}: Cityscapes' {MAP_NAMES['trainIds']} maps hold train ids, and {table.source} names label ids: "
            "leave out --classes (the cityscapes-train preset)"
        )
    if label_ids and options.index_map is None and table.names == ClassTable.preset("cityscapes-train").names:
        options = replace(options, index_map=IndexMap.load("cityscapes"))  # as createTrainIdLabelImgs maps them
        chosen += f"; its {MAP_NAMES['labelIds']} maps read through --index-map cityscapes (label ids to train ids)"

    if recorded is not None and recorded.names != table.names:
        difference = _table_difference(recorded, table)
        if resume:
            way = "leave out --classes to keep the dataset's own, or pass --overwrite to convert everything again with the new one" if (
                classes is not None
            ) else f"the masks' values are the classes of {table.the_described}: pass --overwrite to convert everything again with it"
            raise DatasetError(
                f"{recorded.source}: the class table differs from the one this run uses ({difference}); resuming would mix class ids: {way}"
            )
        chosen += (
            f", replacing the one recorded in {recorded.source} ({difference}); files that fail "
            "lose their earlier labels, which number the classes the old way"
        )

    rules_chosen = ""
    if kind == "labelme":
        options, rules_chosen = _settle_rules(options, output, overwrite, resume)
    earlier = (overwrite or resume) and output.is_dir()
    previous = _read_previous_split(output) if earlier else None
    split_chosen = own_split_note(items, val_fraction)
    if split_chosen:
        split_chosen += " (labeltools split splits the dataset otherwise)"
    asked_group = group
    group, group_how = settled_split_group(output if earlier else None, group)
    if group is None and asked_group is None:
        group, group_how = video_split_group(items, val_fraction)
    if group is not None:  # every id named now, before anything is converted
        group_how = group_note(id_groups([item.image_id for item in items], group), group) + (f", {group_how}" if group_how else "")
    if group_how:
        split_chosen = f"{split_chosen}; {group_how}" if split_chosen else group_how
    check_letter_case([item.image_id for item in items], output)
    return Conversion(
        output=output, classes=table, items=items, options=options, rules_chosen=rules_chosen,
        val_fraction=val_fraction, seed=seed, resume=resume, jobs=jobs, previous_split=previous,
        stratify=stratify, fresh=not _is_nonempty_dir(output), classes_chosen=chosen, source=kind,
        table_changed=recorded is not None and recorded.names != table.names,
        test_ids=frozenset(held_out_ids(output)) if earlier else frozenset(),
        split_chosen=split_chosen, group=group,
    )


def video_split_group(items: Sequence[ConvertItem], val_fraction: float) -> tuple[str | None, str]:
    """The ``--group`` pattern a split of frames of videos (CVAT for video exports) takes when
    none is asked for or recorded: runs of neighbouring frames, near-duplicates, kept on one
    side (see :func:`~labeltools.ops.splits.frame_runs`), and why, in words; ``(None, "")`` for
    other images, and for too few frames to split so (said)."""
    if not items or any(item.record is None or item.record.video is None for item in items):
        return None, ""
    pattern = frame_runs(len(items), val_fraction)
    if pattern is None:
        if val_fraction > 0:
            log.warning(
                "the %d images are frames of a video, split one by one: neighbouring frames, near-duplicates, fall in train "
                "and in val (too few for runs of 10 frames to fit val's share)", len(items),
            )  # fmt: skip
        return None, ""
    return pattern, "as the images are frames of a video: neighbouring frames are near-duplicates (--group '' splits them one by one)"


def own_split_note(items: Sequence[ConvertItem], val_fraction: float) -> str:
    """How a conversion (or an export) splits the images when their annotation export has splits
    of its own (empty when it has none): those are kept, so that a published val set is never
    trained on."""
    own = Counter(item.split for item in items if item.split is not None)
    if not own:
        return ""
    counts = ", ".join(f"{split} {own[split]}" for split in ("train", "val", "test") if own[split])
    whose = "their split lists'" if items[0].listed else "their folders'" if items[0].kind in ("labelme", "masks") else "the export's"
    said = f"{whose} own ({counts})"
    others = len(items) - own.total()  # of a split that is none of train, val and test (a Hub dataset's "holdout"), or of none
    other_said = f"the other {others} image(s), of no train, val or test split of its own"
    if own["train"] and not own["val"]:
        said += f", val drawn from its train{f' and {other_said},' if others else ''} by --val-fraction {val_fraction:g} as it has no val of its own"
    elif others:
        said += f", {other_said}, by --val-fraction {val_fraction:g}"
    if own["test"]:
        said += "; its test images kept out of train and val"
    return said


def _settle_rules(options: ConvertOptions, output: Path, overwrite: bool, resume: bool) -> tuple[ConvertOptions, str]:
    """The options with the labelme rules this run draws by, and why: those asked for, else
    those OUTPUT records (writing into an earlier dataset), else the default. Resuming with
    other rules than the recorded ones is refused (the dataset would mix two rasterisers)."""
    recorded = recorded_labelme_rules(output) if (overwrite or resume) and output.is_dir() else None
    rules = options.labelme_rules or recorded or DEFAULT_LABELME_RULES
    release = LABELME_RELEASES[rules]
    if options.labelme_rules is None and recorded is not None:
        chosen = f"{release}'s, recorded in {output / META_FILE} (give --labelme-rules to change them)"
    elif options.labelme_rules is None:
        other = next(r for r in LABELME_RULES if r != rules)
        chosen = f"{release}'s, the default (--labelme-rules {other} draws as {LABELME_RELEASES[other]})"
    else:
        chosen = f"{release}'s, as asked"
    if recorded is not None and recorded != rules:
        if resume:
            raise DatasetError(
                f"{output / META_FILE}: the dataset was drawn by {LABELME_RELEASES[recorded]}'s rules, this "
                f"run asks for {release}'s; resuming would mix the two: leave out --labelme-rules, or "
                "pass --overwrite to convert everything again"
            )
        chosen += f", replacing {LABELME_RELEASES[recorded]}'s recorded in {output / META_FILE}"
    return replace(options, labelme_rules=rules), chosen  # type: ignore[arg-type]


def _table_difference(recorded: ClassTable, current: ClassTable) -> str:
    """How two class tables differ, in words: the classes new and gone, and those that changed
    index beside them ("new: emu; moved: dog (2 to 1), cat (1 to 2)"); else the first index
    whose class changed."""
    was, now = ({e.name: e.index for e in table.classes} for table in (recorded, current))
    added = [n for n in now if n not in was]
    removed = [n for n in was if n not in now]
    moved = [f"{n} ({was[n]} to {now[n]})" for n in now if n in was and was[n] != now[n]]
    parts = []
    if added:
        parts.append("new: " + ", ".join(added))
    if removed:
        parts.append("gone: " + ", ".join(removed))
    if parts and moved:
        parts.append("moved: " + ", ".join(moved[:_MOVES_SHOWN]) + (f" and {len(moved) - _MOVES_SHOWN} more" if len(moved) > _MOVES_SHOWN else ""))
    if not parts:
        index = next(i for i in sorted(was.values()) if recorded.name_of(i) != current.name_of(i))
        parts.append(f"index {index} was {recorded.name_of(index)!r}, now {current.name_of(index)!r}")
    return "; ".join(parts)


#: How many classes that changed index a difference of class tables names.
_MOVES_SHOWN = 5


def sample_labels_path() -> Path:
    """The ``labels.txt`` of the bundled sample annotations."""
    return SAMPLE_DIR / "labels.txt"


def convert_sample(output: PathLike, *, jobs: int | None = None) -> Conversion:
    """Check a conversion of the bundled sample (with instances and overlays) into ``output``,
    as ``labeltools demo`` runs it, and return it ready to run.

    ``output`` may be new, empty, or an earlier demo's output (a VOC folder whose
    ``class_names.txt`` lists the sample's classes), which is converted again in place. Any
    other folder is left alone: the demo never replaces a dataset of its user's.

    Raises:
        DatasetError: ``output`` is a file, a non-empty folder that is no VOC dataset, or a VOC
            dataset without the sample's classes.
        ClassTableError: ``output``'s ``class_names.txt`` is unreadable.
    """
    output = location(output)
    table = ClassTable.load(sample_labels_path())
    if _is_nonempty_dir(output):
        if not is_voc_root(output):
            raise DatasetError(
                f"{output}: is not empty and holds no earlier demo output; give a new or empty folder"
            )
        recorded = load_class_table(output)
        if recorded is None or recorded.names != table.names:
            reason = f"no {CLASS_NAMES_FILE}" if recorded is None else f"other classes in {CLASS_NAMES_FILE}"
            raise DatasetError(
                f"{output}: holds a VOC dataset that is not an earlier demo output ({reason}); "
                "the demo would replace its files, give a new or empty folder"
            )
    options = ConvertOptions(instances=True, viz=True)
    return convert_labelme(SAMPLE_DIR, output, table, options=options, overwrite=True, jobs=jobs)
