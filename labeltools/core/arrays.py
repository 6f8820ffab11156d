"""Arrays from whatever a training loop holds: numpy arrays, torch tensors, PIL images, lists."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from labeltools.core.errors import LabelFileError, LabeltoolsError
from labeltools.core.options import VOID


def to_array(values: Any, source: str, error: type[LabeltoolsError] = LabelFileError) -> NDArray[Any]:
    """A numpy array from a numpy array, a torch tensor, a PIL image or a nested sequence.

    Torch tensors are recognised without importing torch (anything with ``.detach()`` and
    ``.cpu()``) and read through ``.detach().cpu().numpy()``; booleans come back as a uint8 view
    (0 and 1). The dtype is not checked otherwise: callers apply their own policy.

    Args:
        values: the data; never modified.
        source: how to name it in error messages (``batch 3``, a file name).
        error: the :class:`LabeltoolsError` subclass to raise.

    Raises:
        error: ``values`` cannot become an array (a ragged nested list, say):
            ``"<source>: cannot read labels as an array (...)"``.
    """
    if hasattr(values, "detach") and hasattr(values, "cpu"):  # a torch tensor, without importing torch
        values = values.detach().cpu().numpy()
    try:
        array = np.asarray(values)
    except (TypeError, ValueError) as exc:
        raise error(f"{source}: cannot read labels as an array ({exc})") from None
    return array.view(np.uint8) if array.dtype == np.bool_ else array


def not_whole(values: NDArray[Any]) -> NDArray[np.bool_]:
    """Where float values are not whole numbers (NaN and infinities included)."""
    return ~np.isfinite(values) | (values != np.round(values))


def scaled_to_unit_hint(values: NDArray[Any]) -> str | None:
    """Why float labels hold fractions, when the values show it: a label map divided by 255.

    torchvision's ``ToTensor()`` turns any uint8 image into floats in 0..1, a label map too, so
    class 7 arrives as 0.0275 (7/255). Only asked once values are known not to be whole numbers.
    """
    finite = values[np.isfinite(values)]
    if not finite.size or finite.min() < 0 or finite.max() > 1:
        return None
    scaled = finite * 255
    if not np.allclose(scaled, np.round(scaled), rtol=0, atol=1e-3):
        return None
    return (
        "every value is a multiple of 1/255: the label map was scaled to 0..1, as torchvision's "
        "ToTensor() does to any image; make label tensors with PILToTensor() or "
        "torch.as_tensor(np.array(label)) instead"
    )


def without_channel_axis(array: NDArray[Any]) -> NDArray[Any]:
    """Label maps without the channel axis of 1 that torch and mmsegmentation keep masks with:
    ``(N, 1, H, W)`` and ``(N, H, W, 1)`` become ``(N, H, W)``, ``(H, W, 1)`` becomes ``(H, W)``
    (a 3-D array whose last axis is 1 is one map, not a batch of maps one pixel wide); any
    other shape is returned as it is. A view: nothing is copied."""
    if array.ndim == 4 and array.shape[1] == 1:
        return array[:, 0]
    if array.ndim in (3, 4) and array.shape[-1] == 1:
        return array[..., 0]
    return array


def refuse_values_per_pixel(
    array: NDArray[Any], source: str, num_classes: int | None = None, error: type[LabeltoolsError] = LabelFileError
) -> None:
    """Refuse labels that hold several values per pixel where one class index each is meant: a
    one-hot encoding (``(C, H, W)``, or ``(H, W, C)`` as ``torch.nn.functional.one_hot`` gives;
    with a batch axis in front) or a colour image ``(H, W, 3)``/``(H, W, 4)``. Read as they are,
    each is a batch of maps and is counted without a word: the planes of a one-hot encoding as
    images of 0 and 1, the rows of a colour image as images three pixels wide.

    A one-hot axis has ``num_classes`` entries of 0 and 1 summing to 1 at every pixel (over two
    classes, and neither plane constant, lest two complementary binary masks be taken for one);
    a colour axis is the last, of 3 or 4 entries, shorter than the two before it.

    Raises:
        error: naming the shape and what to do instead.
    """
    if array.ndim < 3 or not array.size:
        return
    for axis in {array.ndim - 3, array.ndim - 1}:
        if num_classes is not None and array.shape[axis] == num_classes >= 2 and _one_hot(array, axis):
            raise error(
                f"{source}: shape {array.shape} is a one-hot encoding over the {num_classes} "
                f"classes along axis {axis}, not class indices; take its argmax over that axis "
                f"(labels.argmax({axis}))"
            )
    channels = array.shape[-1]
    if channels in (3, 4) and min(array.shape[-3:-1]) > channels:
        raise error(
            f"{source}: shape {array.shape} holds {channels} values per pixel, as a colour image "
            f"does, where a label map holds one class index (a map {channels} pixels wide is not "
            f"read either); turn colour masks into class indices with labeltools.rgb_to_index or "
            f"`labeltools remap`"
        )


def _one_hot(array: NDArray[Any], axis: int) -> bool:
    """Whether ``array`` holds 0 and 1 alone, exactly one 1 at each position along ``axis``."""
    if array.min() < 0 or array.max() > 1 or not (array.sum(axis=axis, dtype=np.int64) == 1).all():
        return False
    if array.shape[axis] > 2:
        return True
    plane = np.moveaxis(array, axis, 0)[0]
    return bool(plane.min() != plane.max())


def label_batch(array: NDArray[Any], source: str, error: type[LabeltoolsError] = LabelFileError) -> NDArray[Any]:
    """Label maps as a batch ``(N, H, W)``: a map ``(H, W)`` or a batch ``(N, H, W)``, its
    channel axis of 1 already left out (:func:`without_channel_axis`, once: a second pass would
    take an axis of 1 that is data). A view.

    Raises:
        error: any other shape, named.
    """
    if array.ndim in (2, 3):
        return array[None] if array.ndim == 2 else array
    raise error(
        f"{source}: labels must be a (H, W) label map or a (N, H, W) batch (a channel axis of 1 "
        f"may be added: (H, W, 1), (N, 1, H, W), (N, H, W, 1)), got shape {array.shape}"
        + ("; scores or a one-hot encoding per class? take the argmax over the class axis first" if array.ndim == 4 else "")
    )


def as_label_array(array: ArrayLike, source: str = "label array") -> NDArray[np.uint8]:
    """Validate an array as a label map and return it as ``(H, W)`` uint8.

    Accepted: uint8 arrays; integer (or integral float, or bool) arrays whose values lie in
    ``[-1, 254]`` or equal 255, where ``-1`` means void and becomes 255 (labelme's convention);
    numpy arrays, torch tensors (through ``.detach().cpu().numpy()``), PIL images. An axis of
    one before or after the map (``(1, H, W)``, as ``logits.argmax(1)`` of one image gives, or
    ``(H, W, 1)``) is left out.

    Args:
        array: the label map, ``(H, W)``.
        source: how to name the array in error messages (a file name, say).

    Returns:
        ``(H, W)`` uint8 array; a new array unless ``array`` already was one (never modified).

    Raises:
        LabelFileError: not a map, not numeric, or with values that are not class indices.
    """
    label = to_array(array, source)
    if label.ndim == 3 and 1 in (label.shape[0], label.shape[2]):
        label = label[0] if label.shape[0] == 1 else label[..., 0]
    if label.ndim != 2:
        hint = ""
        if label.ndim == 3:
            hint = (
                " (an RGB colour mask goes through `labeltools remap` first)" if label.shape[2] in (3, 4)
                else " (scores or a one-hot encoding per class? take the argmax over the class axis first)"
            )
        raise LabelFileError(
            f"{source}: a label map must be a 2-D (H, W) array, got shape {label.shape}{hint}"
        )
    if label.dtype == np.uint8:
        return label
    if label.dtype == np.bool_:
        return label.astype(np.uint8)
    if not (np.issubdtype(label.dtype, np.integer) or np.issubdtype(label.dtype, np.floating)):
        raise LabelFileError(f"{source}: label values must be numbers, got dtype {label.dtype}")
    if np.issubdtype(label.dtype, np.floating):
        nbad = int(np.count_nonzero(not_whole(label)))
        if nbad:
            hint = scaled_to_unit_hint(label) or (
                "a label map holds class indices 0..254 and 255 for void (save continuous "
                "values as .npy instead)"
            )
            raise LabelFileError(f"{source}: {nbad} pixel(s) are not whole numbers; {hint}")
    out_of_range = (label < -1) | ((label > 254) & (label != VOID))
    nbad = int(np.count_nonzero(out_of_range))
    if nbad:
        lo, hi = label.min(), label.max()
        hint = negative_ignore_hint(np.unique(label[out_of_range]), MAKE_VOID) or (
            "; a PNG label map holds one byte per pixel, so save such data as .npy instead"
        )
        raise LabelFileError(
            f"{source}: {nbad} pixel(s) lie outside the label range (values span {lo:g}..{hi:g}; "
            f"allowed are -1 or 255 for void and 0..254 for classes){hint}"
        )
    out = label.astype(np.int16)
    out[out == -1] = VOID
    return out.astype(np.uint8)


#: The ``ignore_index`` PyTorch's losses default to, which training code keeps in its targets.
TORCH_IGNORE_INDEX = -100

#: :func:`negative_ignore_hint`'s way out for a label map to be saved or read: void is 255 here.
MAKE_VOID = "make it void (255) first: np.where(label == {value}, 255, label)"
#: :func:`negative_ignore_hint`'s way out for labels counted or scored as they are.
GIVE_IGNORE_INDEX = "give ignore_index={value}"


def negative_ignore_hint(values: Any, way_out: str) -> str:
    """Why labels hold -1 or -100 (and no other negative value): a training pipeline's ignore
    value (labelme's and many codebases' -1, PyTorch's -100), where this project's void is 255,
    and ``way_out`` (with ``{value}``); ``""`` otherwise."""
    negatives = {int(value) for value in np.asarray(values).ravel() if value < 0}
    if len(negatives) != 1 or not negatives <= {-1, TORCH_IGNORE_INDEX}:
        return ""
    value = negatives.pop()
    torch = f" (PyTorch's losses ignore {TORCH_IGNORE_INDEX} by default)" if value == TORCH_IGNORE_INDEX else ""
    return f"; if {value} marks pixels to ignore{torch}, {way_out.format(value=value)}"


#: Above this share of value changes, :func:`run_counts` leaves the counting to a plain pass.
MAX_RUN_SHARE = 1 / 16

#: Values looked at together by :func:`run_counts`: its temporaries stay a few megabytes
#: whatever the image's size.
RUN_BLOCK = 1 << 22


def value_counts(values: NDArray[np.uint8]) -> NDArray[np.int64]:
    """``(256,)`` int64 count of each value of a uint8 array (a label map, any shape): run by run
    (:func:`run_counts`, four times quicker on a label map's long runs), else by ``np.bincount``."""
    flat = values.reshape(-1)
    counts = run_counts(flat)
    return counts if counts is not None else np.bincount(flat, minlength=256).astype(np.int64)


def run_counts(values: NDArray[np.uint8]) -> NDArray[np.int64] | None:
    """``(256,)`` int64 counts of the values of a 1-D uint8 array, taken run by run: each run of
    one value adds its length at once. A label map is long runs, and a plain pass (Pillow's
    histogram, ``np.bincount``) adds one to the same counter pixel after pixel, each addition
    waiting for the last: counting the runs is four times quicker. None when more than
    :data:`MAX_RUN_SHARE` of the neighbours differ (noise, not regions): count those plainly."""
    counts = np.zeros(256, dtype=np.int64)
    changes = 0
    for start in range(0, values.size, RUN_BLOCK):  # a run cut at a block's edge counts as two
        block = values[start : start + RUN_BLOCK]
        edges = np.flatnonzero(block[1:] != block[:-1])
        changes += len(edges)
        if changes > (start + block.size) * MAX_RUN_SHARE:
            return None
        starts = np.empty(len(edges) + 1, dtype=np.intp)
        starts[0] = 0
        starts[1:] = edges + 1
        lengths = np.diff(starts, append=block.size)
        counts += np.bincount(block[starts], weights=lengths, minlength=256).astype(np.int64)
    return counts
