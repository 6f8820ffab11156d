"""Class weights for class-balanced losses: one counting pass, several weighting schemes, ``.npy`` out.

Counting reads a dataset once and keeps, per class, the pixels of that class, the images that
contain it and the labelled pixels of those images; pixels equal to the ignore index (255, void)
are counted apart, and values that are neither a class nor the ignore index are reported with
where they occur (never folded into a class, never dropped silently).

Sources:

* any iterable (:func:`count_classes`): label arrays ``(H, W)``, batches ``(N, H, W)``, numpy
  arrays or torch tensors (anything with ``.detach().cpu().numpy()``), dict samples
  (``sample["label"]``) and ``(image, label)`` pairs, as torch ``DataLoader`` objects yield them;
* label files (:func:`histogram_label_files`, :func:`count_label_files`): each file is reduced to
  a 256-bin histogram by Pillow in a worker process, and only that histogram travels back, so
  memory stays flat whatever the number of files.

Schemes (:func:`class_weights`), with ``n_c`` the pixels of class ``c``, ``N`` their sum and
``p_c = n_c / N``:

=============  ===============================================================  ===============
scheme         weight of a class with pixels                                    class without
=============  ===============================================================  ===============
enet           ``1 / ln(c + p_c)``, ``c = 1.02`` (Paszke et al. 2016, ENet)     ``1 / ln(c)``
median         ``median(freq) / freq_c``, ``freq_c = n_c / (labelled pixels     0
               of the images containing c)`` (Eigen & Fergus 2015, SegNet)
inverse        ``N / (K * n_c)`` (scikit-learn's ``balanced``)                  0
inverse-sqrt   ``1 / sqrt(p_c)``, scaled so that their mean is 1                0
effective      ``(1 - beta) / (1 - beta**n_c)``, scaled so that they sum to K   0
               (Cui et al. 2019, class-balanced loss), ``beta = 0.9999``
=============  ===============================================================  ===============

``K`` is the number of classes that have pixels: a class without pixels is left out of medians
and normalisation, so no weight is ever NaN or infinite, and a warning names it. ``enet`` gives
exactly the array pytorch-deeplab-xception's ``calculate_weigths_labels`` saves for the same
counts (same formula, float64).
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from labeltools.core._types import is_int
from labeltools.core.arrays import (
    GIVE_IGNORE_INDEX,
    label_batch,
    negative_ignore_hint,
    not_whole,
    refuse_values_per_pixel,
    scaled_to_unit_hint,
    to_array,
    value_counts,
    without_channel_axis,
)
from labeltools.core.classes import class_name, class_names_for
from labeltools.core.colormap import grey_read_hint
from labeltools.core.errors import (
    LabelFileError,
    LabeltoolsError,
    WeightsError,
    format_values,
)
from labeltools.core.options import EFFECTIVE_BETA, ENET_C, MAX_CLASSES, SCHEMES, VOID

if TYPE_CHECKING:
    from labeltools.engine.executor import FileResult

log = logging.getLogger(__name__)


_SHOWN_VALUES = 10


def _format_values(values: Sequence[int]) -> str:
    return format_values(values, _SHOWN_VALUES, count_rest=False)


@dataclass(frozen=True)
class ClassCounts:
    """What one counting pass over a dataset found.

    Attributes:
        num_classes: ``C``; classes are the values ``0..C-1``.
        ignore_index: the value that is never counted (255, void).
        pixels: ``(C,)`` int64, pixels of each class.
        images: ``(C,)`` int64, number of images containing each class.
        image_pixels: ``(C,)`` int64, labelled pixels (of any class) of the images containing
            each class: the denominator of median frequency balancing.
        num_images: images seen (a batch of N counts N).
        ignored: pixels equal to ``ignore_index``.
        out_of_range: pixels that are neither a class nor ``ignore_index``; not counted.
        out_of_range_values: the distinct such values, sorted.
        out_of_range_where: where they occur (file path, or ``batch i, image j`` / ``sample i``
            for loaders) -> number of such pixels there, in reading order.
    """

    num_classes: int
    ignore_index: int
    pixels: NDArray[np.int64]
    images: NDArray[np.int64]
    image_pixels: NDArray[np.int64]
    num_images: int = 0
    ignored: int = 0
    out_of_range: int = 0
    out_of_range_values: tuple[int, ...] = ()
    out_of_range_where: Mapping[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Pixels counted in classes (ignored and out-of-range pixels excluded)."""
        return int(self.pixels.sum())

    @property
    def frequencies(self) -> NDArray[np.float64]:
        """``(C,)`` float64 share of each class in the counted pixels (zeros when none)."""
        total = self.total
        if total == 0:
            return np.zeros(self.num_classes, dtype=np.float64)
        return self.pixels / np.float64(total)

    @property
    def absent(self) -> tuple[int, ...]:
        """Classes without any pixel."""
        return tuple(int(i) for i in np.flatnonzero(self.pixels == 0))

    def out_of_range_message(self, colours: ArrayLike | None = None) -> str | None:
        """One sentence describing the out-of-range pixels and where they are, or None; with why,
        where they are grey levels of the classes' colours (``(256, 3)``, default the VOC
        colormap's: :func:`~labeltools.core.colormap.grey_read_hint`)."""
        if not self.out_of_range:
            return None
        held = [*np.flatnonzero(self.pixels).tolist(), *self.out_of_range_values, *([self.ignore_index] if self.ignored else [])]
        grey = grey_read_hint(held, np.arange(self.num_classes), colours)
        places = list(self.out_of_range_where)
        shown = ", ".join(places[:3]) + (f" and {len(places) - 3} more" if len(places) > 3 else "")
        return (
            f"{self.out_of_range} pixel(s) hold values {_format_values(self.out_of_range_values)}, "
            f"neither a class (0..{self.num_classes - 1}) nor the ignore index {self.ignore_index}; "
            f"they were not counted (in {shown}){negative_ignore_hint(self.out_of_range_values, GIVE_IGNORE_INDEX)}{grey}"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "num_classes": self.num_classes,
            "ignore_index": self.ignore_index,
            "num_images": self.num_images,
            "pixels": self.pixels.tolist(),
            "images": self.images.tolist(),
            "image_pixels": self.image_pixels.tolist(),
            "frequencies": self.frequencies.tolist(),
            "ignored_pixels": self.ignored,
            "out_of_range_pixels": self.out_of_range,
            "out_of_range_values": list(self.out_of_range_values),
            "out_of_range_where": dict(self.out_of_range_where),
        }


def _check_classes(num_classes: int, ignore_index: int) -> None:
    if not is_int(num_classes):
        raise WeightsError(f"num_classes must be an integer, got {num_classes!r}")
    if not 1 <= num_classes <= MAX_CLASSES:
        raise WeightsError(
            f"num_classes must be between 1 and {MAX_CLASSES} (label values 0..254 are classes, "
            f"255 is void), got {num_classes}"
        )
    if not is_int(ignore_index):
        raise WeightsError(f"ignore_index must be an integer, got {ignore_index!r}")
    if 0 <= ignore_index < num_classes:
        raise WeightsError(
            f"ignore_index {ignore_index} is one of the classes 0..{num_classes - 1}; "
            "it must lie outside them (255, void, by default)"
        )


class ValueLookup(NamedTuple):
    """How the values of label files are read before they are counted: ``values``, ``(256,)``
    uint8, value -> the value counted (a class's train id); ``unknown``, ``(256,)`` bool, the
    values that are no class of the table ``of`` (named in messages), which no file may hold:
    read through the lookup, such a value could land on a class (COCO-Stuff's unused ids on
    train ids)."""

    values: NDArray[np.uint8]
    unknown: NDArray[np.bool_]
    of: str


def value_histogram(histogram: NDArray[np.integer], lookup: NDArray[np.uint8]) -> NDArray[np.int64]:
    """A ``(256,)`` histogram of label values, of the values ``lookup`` (``(256,)``: value ->
    value) reads them as: Cityscapes' label ids as their train ids, say."""
    return np.bincount(lookup, weights=np.asarray(histogram, dtype=np.float64), minlength=256).astype(np.int64)


#: The keys a dict sample holds its label map under, looked for in this order: ours and
#: pytorch-deeplab-xception's ``label``, albumentations' and segmentation_models_pytorch's
#: ``mask``, Hugging Face image processors' ``labels``, mmsegmentation 0.x's ``gt_semantic_seg``,
#: Hugging Face ADE20K's (``scene_parse_150``) ``annotation``.
LABEL_KEYS = ("label", "mask", "labels", "gt_semantic_seg", "annotation")


class ClassCounter:
    """Accumulates :class:`ClassCounts` one image, batch, histogram or file result at a time.

    Args:
        num_classes: ``C``, 1..255; classes are the values ``0..C-1``.
        ignore_index: the value never counted (default 255, void); must not be a class.
        strict: raise on out-of-range values instead of reporting them.

    Raises:
        WeightsError: bad ``num_classes`` or ``ignore_index``.
    """

    def __init__(self, num_classes: int, ignore_index: int = VOID, strict: bool = False) -> None:
        _check_classes(num_classes, ignore_index)
        self.num_classes = int(num_classes)
        self.ignore_index = int(ignore_index)
        self.strict = strict
        self._pixels = np.zeros(self.num_classes, dtype=np.int64)
        self._images = np.zeros(self.num_classes, dtype=np.int64)
        self._image_pixels = np.zeros(self.num_classes, dtype=np.int64)
        self._num_images = 0
        self._ignored = 0
        self._out = 0
        self._out_values: set[int] = set()
        self._out_where: dict[str, int] = {}
        # Histogram bins that are neither a class nor the ignore index.
        self._out_bins = np.ones(256, dtype=bool)
        self._out_bins[: self.num_classes] = False
        if 0 <= self.ignore_index < 256:
            self._out_bins[self.ignore_index] = False

    @property
    def counts(self) -> ClassCounts:
        """The counts so far (arrays are read-only copies)."""
        pixels, images, image_pixels = (a.copy() for a in (self._pixels, self._images, self._image_pixels))
        for a in (pixels, images, image_pixels):
            a.setflags(write=False)
        return ClassCounts(
            self.num_classes,
            self.ignore_index,
            pixels=pixels,
            images=images,
            image_pixels=image_pixels,
            num_images=self._num_images,
            ignored=self._ignored,
            out_of_range=self._out,
            out_of_range_values=tuple(sorted(self._out_values)),
            out_of_range_where=dict(self._out_where),
        )

    def add_histogram(
        self,
        histogram: NDArray[np.int64],
        source: str,
        extra_ignored: int = 0,
        extra_out: Mapping[int, int] | None = None,
    ) -> None:
        """Add one image given as the pixel count of each value 0..255.

        Args:
            histogram: ``(256,)`` integer counts; bin ``v`` = pixels of value ``v``.
            source: where the image comes from, for out-of-range reports (a file, ``batch 3``).
            extra_ignored: pixels equal to an ignore index outside 0..255 (e.g. -1).
            extra_out: values outside 0..255 that are not the ignore index -> their pixels.

        Raises:
            LabelFileError: ``strict`` and the image holds out-of-range values (nothing is added).
            WeightsError: the histogram is not ``(256,)``.
        """
        hist = np.asarray(histogram)
        if hist.shape != (256,):
            raise WeightsError(f"{source}: a histogram must have 256 bins, got shape {hist.shape}")
        out_values = self._out_of_range(hist, extra_out)
        if out_values and self.strict:
            self._raise_out_of_range(source, out_values)
        self._add(hist, source, extra_ignored, out_values)

    def _add(self, hist: NDArray[Any], source: str, extra_ignored: int, out_values: Mapping[int, int]) -> None:
        """Add a checked ``(256,)`` histogram whose out-of-range values are already known."""
        if out_values:
            out = sum(out_values.values())
            self._out += out
            self._out_values.update(out_values)
            self._out_where[source] = self._out_where.get(source, 0) + out
        classes = hist[: self.num_classes].astype(np.int64)
        labelled = int(classes.sum())
        present = classes > 0
        self._pixels += classes
        self._images += present
        self._image_pixels[present] += labelled
        self._num_images += 1
        self._ignored += extra_ignored + (int(hist[self.ignore_index]) if 0 <= self.ignore_index < 256 else 0)

    def add_labels(self, labels: Any, source: str, ids: Sequence[str] | None = None) -> None:
        """Add a label map ``(H, W)`` or a batch ``(N, H, W)``, either with a channel axis of 1
        (``(H, W, 1)``, ``(N, 1, H, W)``, ``(N, H, W, 1)``).

        Args:
            labels: numpy array, torch tensor (``.detach().cpu().numpy()`` is used), PIL image or
                anything ``np.asarray`` takes; integer values, or floats holding whole numbers.
            source: how to name it in messages (``batch 3``, a file name).
            ids: optional sample ids, one per image, added to the names of out-of-range images.

        Raises:
            LabelFileError: another shape, several values per pixel (one-hot, colour:
                :func:`~labeltools.core.arrays.refuse_values_per_pixel`), not numeric,
                non-integral values, or (``strict``) out-of-range values; nothing of the batch
                is added then.
        """
        array = without_channel_axis(_as_numpy(labels, source))
        refuse_values_per_pixel(array, source, self.num_classes)
        batch = label_batch(array, source)
        if array.ndim == 2:
            names = [source if not ids else f"{source} ({ids[0]})"]
        else:
            names = [
                f"{source}, image {j}" + (f" ({ids[j]})" if ids is not None and j < len(ids) else "")
                for j in range(len(batch))
            ]
        batch = _integral(batch, source)
        summaries = [self._summarise(image) for image in batch]
        if self.strict:  # check the whole batch before adding any of it
            for name, (_, _, out_values) in zip(names, summaries):
                if out_values:
                    self._raise_out_of_range(name, out_values)
        for name, (hist, extra_ignored, out_values) in zip(names, summaries):
            self._add(hist, name, extra_ignored, out_values)

    def _out_of_range(self, hist: NDArray[np.int64], extra_out: Mapping[int, int] | None) -> dict[int, int]:
        """``{value: pixels}`` for the values that are neither a class nor the ignore index."""
        found = {int(v): int(hist[v]) for v in np.flatnonzero(self._out_bins & (hist > 0))}
        found.update(extra_out or {})
        return found

    def _raise_out_of_range(self, source: str, out_values: Mapping[int, int]) -> None:
        raise LabelFileError(
            f"{source}: {sum(out_values.values())} pixel(s) hold values "
            f"{_format_values(sorted(out_values))}, expected classes 0..{self.num_classes - 1} "
            f"or the ignore index {self.ignore_index}"
        )

    def _summarise(self, image: NDArray[Any]) -> tuple[NDArray[np.int64], int, dict[int, int]]:
        """``(256-bin histogram of 0..255, ignored pixels outside 0..255, {out-of-range value:
        pixels})`` of one image."""
        ignored, extra = 0, {}
        if image.dtype == np.uint8:
            hist = value_counts(image)
        elif image.size == 0 or (image.min() >= 0 and image.max() <= 255):
            hist = value_counts(image.astype(np.uint8))
        else:
            inside = (image >= 0) & (image <= 255)
            hist = np.bincount(image[inside].astype(np.uint8), minlength=256)
            values, pixels = np.unique(image[~inside], return_counts=True)
            extra = {int(v): int(n) for v, n in zip(values, pixels)}
            ignored = extra.pop(self.ignore_index, 0)
        return hist, ignored, self._out_of_range(hist, extra)

    def add_item(self, item: Any, position: int, key: str | None = None) -> None:
        """Add one element of a loader: an array, a dict sample or an ``(image, label)`` pair.
        A dict's label map is under ``key``, by default the first of :data:`LABEL_KEYS` it holds.

        Raises:
            LabelFileError: see :meth:`add_labels`; also a dict without such a key or a sequence
                that is not an ``(image, label)`` pair.
        """
        ids = None
        if isinstance(item, Mapping):
            found = key if key is not None else next((k for k in LABEL_KEYS if k in item), None)
            if found is None or found not in item:
                wanted = f"under {key!r}" if key is not None else f"under one of {', '.join(map(repr, LABEL_KEYS))} (key= names another)"
                raise LabelFileError(
                    f"item {position}: a dict sample must hold its label map {wanted}, got keys {sorted(map(str, item))}"
                )
            labels, ids = item[found], item.get("id")
        elif isinstance(item, (tuple, list)):
            if len(item) != 2:
                raise LabelFileError(
                    f"item {position}: expected an (image, label) pair, got a {type(item).__name__} "
                    f"of {len(item)} elements"
                )
            labels = item[1]
        else:
            labels = item
        array = _as_numpy(labels, f"item {position}")
        kind = {2: "sample", 3: "batch"}.get(array.ndim, "item")
        if isinstance(ids, str):
            ids = [ids]
        elif not (isinstance(ids, (list, tuple)) and all(isinstance(i, str) for i in ids)):
            ids = None
        self.add_labels(array, f"{kind} {position}", ids)

    def add_results(self, results: Iterable[FileResult]) -> Iterator[FileResult]:
        """Merge the histograms of :func:`histogram_label_files` results, yielding each result.

        A result whose file breaks ``strict`` is yielded as failed instead (and not counted).
        """
        for result in results:
            if result.ok and not result.skipped:
                try:
                    self.add_histogram(result.data, result.source)
                except LabeltoolsError as exc:
                    result = dataclasses.replace(result, ok=False, error=str(exc), data=None)
            yield result


def _as_numpy(labels: Any, source: str) -> NDArray[Any]:
    """Labels as an array of numbers (booleans as uint8); see :func:`~labeltools.core.arrays.to_array`."""
    array = to_array(labels, source, LabelFileError)
    if not np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.complexfloating):
        raise LabelFileError(
            f"{source}: labels must be integers (class indices), got dtype {array.dtype} "
            f"({type(labels).__name__})"
        )
    return array


def _integral(batch: NDArray[Any], source: str) -> NDArray[Any]:
    """Floats as int64 when every value is a whole number; other numbers as they are."""
    if not np.issubdtype(batch.dtype, np.floating):
        return batch
    bad = not_whole(batch)
    nbad = int(np.count_nonzero(bad))
    if nbad:
        first = batch[bad][0]
        hint = scaled_to_unit_hint(batch) or (
            "labels must hold class indices (resize label maps with nearest-neighbour interpolation)"
        )
        raise LabelFileError(
            f"{source}: {nbad} label value(s) are not whole numbers (first: {first:g}); {hint}"
        )
    return batch.astype(np.int64)


def count_classes(
    loader: Iterable[Any], num_classes: int, ignore_index: int = VOID, strict: bool = False, key: str | None = None
) -> ClassCounts:
    """Count class pixels over any iterable of labels, in one pass.

    Each element may be a label map ``(H, W)``, a batch ``(N, H, W)``, a dict sample with its
    label map under ``key``, by default ``"label"``, ``"mask"`` or another of
    :data:`LABEL_KEYS` (and optionally ``"id"``, used in reports), or an ``(image, label)`` pair;
    labels may be numpy arrays, torch tensors (used through ``.detach().cpu().numpy()``), PIL
    images or nested lists, of integer dtype or float holding whole numbers. Elements are numbered
    from 0 in messages (``batch 3, image 1``).

    Args:
        loader: the iterable, e.g. a torch ``DataLoader`` or a
            :class:`~labeltools.formats.voc.VOCSegmentation`.
        num_classes: ``C``; classes are ``0..C-1`` (at most 255).
        ignore_index: value that is neither counted nor reported (default 255, void).
        strict: raise on values that are neither a class nor ``ignore_index`` instead of
            reporting them in :attr:`ClassCounts.out_of_range_where` (and a logged warning).
        key: the key of a dict sample's label map (see above).

    Returns:
        The :class:`ClassCounts`.

    Raises:
        LabelFileError: an element is not a label map (naming it: ``item 4``, ``batch 4``) or,
            with ``strict``, holds out-of-range values.
        WeightsError: bad ``num_classes`` or ``ignore_index``.
    """
    counter = ClassCounter(num_classes, ignore_index, strict)
    for position, item in enumerate(loader):
        counter.add_item(item, position, key)
    return _counts_with_warning(counter)


def _counts_with_warning(counter: ClassCounter, where: str | None = None) -> ClassCounts:
    """The counter's counts, after logging a warning about out-of-range values if any, and
    about labels that look like binary masks saved as 0/255 (see :func:`warn_binary_mask`;
    ``where`` their folder, None for arrays a loader gave)."""
    counts = counter.counts
    message = counts.out_of_range_message()
    if message:
        log.warning("%s", message)
    if counts.ignore_index == VOID:
        warn_binary_mask(where, counts.pixels, counts.ignored)
    return counts


#: What to do with labels that hold class 0 and void (255) only, the mark of a binary mask saved
#: as 0/255, where 255 means the object, not void.
BINARY_MASK_HINT = (
    "if 255 marks objects there (a binary mask saved as 0/255), read them as class 1 first: "
    "labeltools remap FILES --index-map 0:0,255:1 -d FOLDER (a dataset: labeltools convert DATASET NEW -m 0:0,255:1)"
)


#: :data:`BINARY_MASK_HINT` for labels a loader gives, which no command rewrites.
BINARY_MASK_LOADER_HINT = (
    "if 255 marks objects there (a binary mask saved as 0/255), read them as class 1 first "
    "(mask[mask == 255] = 1 where the dataset loads a mask)"
)


def binary_mask_share(class_pixels: Sequence[int] | NDArray[np.integer], void_pixels: int) -> float | None:
    """The share of void of labels holding class 0 and void (255) alone, the mark of binary
    masks saved as 0/255 (:data:`BINARY_MASK_HINT`), else None. ``class_pixels`` are the pixels
    of each value below 255 (or of each class)."""
    if class_pixels[0] and void_pixels and not np.any(np.asarray(class_pixels)[1:]):
        return void_pixels / (int(np.sum(class_pixels)) + void_pixels)
    return None


def warn_binary_mask(where: str | None, class_pixels: NDArray[np.integer], void_pixels: int) -> None:
    """Warn that labels holding class 0 and void (255) alone may be binary masks saved as 0/255
    (see :func:`binary_mask_share`): counted so, their objects are void, weighted and scored as
    nothing. ``where`` is the labels' folder, None for arrays a loader gave."""
    share = binary_mask_share(class_pixels, void_pixels)
    if share is None:
        return
    if where is None:
        log.warning("the labels hold no class but 0, and %.1f%% void (255): %s", 100 * share, BINARY_MASK_LOADER_HINT)
    else:
        log.warning("%s: the labels hold no class but 0, and %.1f%% void (255): %s", where, 100 * share, BINARY_MASK_HINT)


def check_scheme(scheme: str, c: float = ENET_C, beta: float = EFFECTIVE_BETA) -> None:
    """Check a scheme name and the parameter it uses (cheap: call it before a long count).

    Raises:
        WeightsError: unknown scheme, ``enet`` with ``c <= 1`` (or not finite), ``effective``
            with ``beta`` outside ``(0, 1)``.
    """
    if scheme not in SCHEMES:
        raise WeightsError(f"unknown weighting scheme {scheme!r} (known: {', '.join(SCHEMES)})")
    if scheme == "enet" and not (math.isfinite(c) and c > 1):
        raise WeightsError(f"enet's c must be a finite number above 1 so that every weight is finite, got {c}")
    if scheme == "effective" and not (0 < beta < 1):
        raise WeightsError(f"effective's beta must lie strictly between 0 and 1, got {beta}")


#: Classes without pixels named in the warning about them; the rest are counted.
ABSENT_NAMED = 10


def class_weights(
    counts: ClassCounts,
    scheme: str = "enet",
    c: float = ENET_C,
    beta: float = EFFECTIVE_BETA,
    class_names: Sequence[str] | None = None,
) -> NDArray[np.float64]:
    """Per-class loss weights from class counts.

    Args:
        counts: from :func:`count_classes` or :func:`count_label_files`.
        scheme: one of :data:`SCHEMES` (formulas in the module docstring).
        c: ``enet``'s constant, > 1 (1.02).
        beta: ``effective``'s constant, 0 < beta < 1 (0.9999).
        class_names: names used in the warning about classes without pixels.

    Returns:
        ``(C,)`` float64, finite and non-negative: ``enet`` gives a class without pixels
        ``1 / ln(c)`` (its largest value), the other schemes give it 0 and leave it out of their
        median or normalisation. Each such class is named in a logged warning.

    Raises:
        WeightsError: unknown scheme, bad ``c`` or ``beta``, or no pixel counted in any class.
    """
    check_scheme(scheme, c, beta)
    n = counts.pixels.astype(np.float64)
    total = np.sum(n)
    if total == 0:
        raise WeightsError(
            f"no pixel of classes 0..{counts.num_classes - 1} was counted in {counts.num_images} "
            "image(s) (all void or out of range); cannot weight classes"
        )
    present = n > 0
    weights: NDArray[np.float64] = np.zeros(counts.num_classes, dtype=np.float64)
    if scheme == "enet":
        weights = 1 / np.log(c + n / total)
    elif scheme == "median":
        freq = n[present] / counts.image_pixels[present]
        weights[present] = np.median(freq) / freq
    elif scheme == "inverse":
        weights[present] = total / (np.count_nonzero(present) * n[present])
    elif scheme == "inverse-sqrt":
        raw = 1 / np.sqrt(n[present] / total)
        weights[present] = raw / raw.mean()
    else:  # effective
        raw = (1 - beta) / (1 - beta ** n[present])
        weights[present] = raw * (np.count_nonzero(present) / raw.sum())
    absent = np.flatnonzero(~present).tolist()
    if absent:  # one line, however many classes (ADE20K has 150)
        named = [f"{index} ({class_name(index, class_names)})" for index in absent]
        value = f"1/ln({c:g}) = {weights[absent[0]]:.6g}, the largest" if scheme == "enet" else "0"
        if len(absent) == 1:
            log.warning("class %s has no pixels: its %s weight is %s", named[0], scheme, value)
        else:
            shown = ", ".join(named[:ABSENT_NAMED]) + (f" and {len(named) - ABSENT_NAMED} more" if len(named) > ABSENT_NAMED else "")
            log.warning("%d classes have no pixels, %s: their %s weight is %s", len(absent), shown, scheme, value)
    return weights


def weights_provenance(
    counts: ClassCounts,
    weights: NDArray[np.float64],
    scheme: str,
    c: float = ENET_C,
    beta: float = EFFECTIVE_BETA,
    class_names: Sequence[str] | None = None,
    **source: Any,
) -> dict[str, Any]:
    """How a weights file was made, JSON-ready: scheme and parameters, counts, frequencies,
    weights, ignored and out-of-range pixels, plus ``source`` (dataset, split, files, output...)."""
    from labeltools.core.version import __version__

    parameters = {"enet": {"c": c}, "effective": {"beta": beta}}.get(scheme, {})
    names = class_names_for(counts.num_classes, class_names)
    freq = counts.frequencies
    return {
        "labeltools_version": __version__,
        "scheme": scheme,
        "parameters": parameters,
        **source,
        "num_classes": counts.num_classes,
        "ignore_index": counts.ignore_index,
        "num_images": counts.num_images,
        "classes": [
            {
                "index": i,
                "name": names[i],
                "pixels": int(counts.pixels[i]),
                "images": int(counts.images[i]),
                "frequency": float(freq[i]),
                "weight": float(weights[i]),
            }
            for i in range(counts.num_classes)
        ],
        "weights": [float(w) for w in weights],
        "counts": counts.to_dict(),
    }

