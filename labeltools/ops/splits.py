"""Train/val splits and cross-validation folds of a set of image ids: hashed, or stratified by the
classes each image holds. Pure: ids and class sets in, lists of ids out.

Every choice is made in the order of a hash of ``(seed, id)``, so a split depends only on the
ids (and their classes) and the seed, never on file order or the number of workers; ids given
as ``previous`` keep the side they had.

Stratification is iterative stratification over class-presence sets, the method used for
multi-label data (Sechidis, Tsoumakas and Vlahavas, 2011): the rarest class is placed first, each
of its images going to the side that still wants most of that class. Before it, every class that
at least two images hold gets one image on each side, so that nothing is missing from training
or from scoring.

With ``groups`` (id -> group, see :func:`id_groups`), the ids of one group are placed together,
as one unit of as many images: frames of one video or tiles of one scene on both sides of a
split would let val score images that train has all but seen.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from labeltools.core.errors import DatasetError

#: Class indices that do not steer a stratified split: background is in nearly every image and
#: void is no class.
NOT_STRATIFIED = frozenset({0, 255})


#: The names exports give their own splits (lower case, a year's digits aside: COCO's
#: ``train2017``, Cityscapes' ``train``/``val``/``test``/``train_extra``, CVAT's ``Train``,
#: ``Validation``, ``Test``), by the split of a VOC folder each is.
OWN_SPLITS = {
    "train": "train", "training": "train", "train_extra": "train", "val": "val", "valid": "val",
    "validation": "val", "minival": "val", "test": "test", "testing": "test", "test-dev": "test",
}  # fmt: skip


def own_split(name: str | None) -> str | None:
    """The split of a VOC folder (train, val or test) that an export's own split ``name`` is, or
    None for a name that is none of them (CVAT's ``default`` subset, ``trainval``)."""
    return OWN_SPLITS.get((name or "").strip().lower().rstrip("0123456789"))


def kept_splits(
    own: Mapping[str, str], previous: tuple[Iterable[str], Iterable[str]] | None = None
) -> tuple[list[str], list[str]] | None:
    """``previous`` for :func:`split_ids` that keeps an export's own split (``own``: id ->
    train, val or test): its train and val ids first, then those of ``previous`` that have no
    split of their own. An export without a val split of its own keeps none of its train: val
    is drawn from it as from any ids."""
    if "val" not in own.values():
        own = {i: split for i, split in own.items() if split != "train"}
    if not own:
        return None if previous is None else (list(previous[0]), list(previous[1]))
    train_ids, val_ids = previous or ((), ())
    return (
        [*(i for i, split in own.items() if split == "train"), *(i for i in train_ids if i not in own)],
        [*(i for i, split in own.items() if split == "val"), *(i for i in val_ids if i not in own)],
    )


def split_key(seed: int, image_id: str) -> str:
    """The sort key that orders ids for a seed (a SHA-256 hex digest)."""
    return hashlib.sha256(f"{seed}\0{image_id}".encode("utf-8", "surrogateescape")).hexdigest()  # a non-UTF-8 file name as its bytes


def check_fraction(val_fraction: float) -> None:
    """Raise DatasetError unless ``val_fraction`` lies in [0, 1]."""
    if isinstance(val_fraction, bool) or not (isinstance(val_fraction, (int, float)) and 0 <= val_fraction <= 1):
        raise DatasetError(f"validation fraction must be between 0 and 1, got {val_fraction!r}")


def val_count(total: int, val_fraction: float) -> int:
    """How many of ``total`` ids go to val: ``round(total * val_fraction)``, but at least one and
    at most ``total - 1`` when the fraction lies between 0 and 1 and there are two ids or more
    (an empty val or train side breaks training pipelines); a fraction of 0 or 1 is all train or
    all val, as asked (a set kept for scoring alone)."""
    target = math.floor(total * val_fraction + 0.5)
    if 0 < val_fraction < 1 and total >= 2:
        target = min(max(target, 1), total - 1)
    return target


#: The digits of a video frame's number in its name, as CVAT names frames (``frame_000123``).
FRAME_DIGITS = 6


def frame_runs(total: int, val_fraction: float) -> str | None:
    """The ``--group`` pattern that keeps runs of neighbouring frames of a video on one side
    (frames named as CVAT names them, ``frame_000123``, after any prefix): runs of the largest
    power of ten frames that fits in val's share of ``total``, so that val is whole runs and a
    frame has a neighbour on the other side only at a run's ends; None when not even runs of
    ten fit (``^(.*frame_\\d{4})\\d{2}$``: runs of 100)."""
    want = val_count(total, val_fraction)
    if want < 10:
        return None
    digits = min(len(str(want)) - 1, FRAME_DIGITS - 1)  # 10**digits frames a run
    return rf"^(.*frame_\d{{{FRAME_DIGITS - digits}}})\d{{{digits}}}$"


def id_groups(ids: Iterable[str], pattern: str) -> dict[str, str]:
    """Each id's group by ``pattern``, a regular expression searched in the id: the text of its
    first group, or its whole match when it has none (``^(.+)_\\d+$`` puts ``seq01_000123``
    in ``seq01``).

    Raises:
        DatasetError: a pattern that is no regular expression, or that matches no part of an id
            (naming the first three such ids).
    """
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise DatasetError(f"--group '{pattern}' is no regular expression ({exc})") from None
    groups, unmatched = {}, []
    for image_id in ids:
        found = compiled.search(image_id)
        if found is None:
            unmatched.append(image_id)
        else:
            groups[image_id] = found.group(1) if compiled.groups else found.group(0)
    if unmatched:
        named = ", ".join(unmatched[:3]) + (f" and {len(unmatched) - 3} more" if len(unmatched) > 3 else "")
        raise DatasetError(f"--group '{pattern}' matches no part of {len(unmatched)} id(s): {named}")
    return groups


def group_note(groups: Mapping[str, str], pattern: str) -> str:
    """How ``groups`` (see :func:`id_groups`) split, in words, for the user: ``"images of one
    group kept on one side (--group '^(.+)_\\d+$': 12 groups, the largest seq03 of 40 images)"``."""
    sizes = Counter(groups.values())
    largest, size = max(sorted(sizes.items()), key=lambda item: item[1]) if sizes else ("", 0)  # the first name of the largest
    return f"images of one group kept on one side (--group '{pattern}': {len(sizes)} groups, the largest {largest} of {size} images)"


def split_ids(
    ids: Iterable[str],
    val_fraction: float = 0.1,
    seed: int = 0,
    previous: tuple[Iterable[str], Iterable[str]] | None = None,
    classes: Mapping[str, Iterable[int]] | None = None,
    groups: Mapping[str, str] | None = None,
) -> tuple[list[str], list[str]]:
    """Deterministic train/val split.

    :func:`val_count` ids go to val. Without ``classes``, those first in the order of
    :func:`split_key`; with ``classes`` (id -> the class indices its label holds), by
    stratification (see the module docs). With ``previous = (train, val)``, ids already in one
    keep it and only new ids are placed, filling val up to its share. With ``groups`` (id ->
    group), a group's ids go to one side together (new ids of a group ``previous`` placed to
    the side holding most of it), whole groups filling val up to its share as near as they can
    without passing it, and at least one group when none fits.

    Returns:
        ``(train, val)``, each sorted.

    Raises:
        DatasetError: ``val_fraction`` outside [0, 1]; ``groups`` that put every id to be
            placed in one group when val wants some and train has none yet.
    """
    check_fraction(val_fraction)
    all_ids = sorted(set(ids))
    train: set[str] = set()
    val: set[str] = set()
    if previous is not None:
        current = set(all_ids)
        train = set(previous[0]) & current
        val = (set(previous[1]) & current) - train
    fresh = [i for i in all_ids if i not in train and i not in val]
    if groups is not None:
        fresh = _join_placed_groups(fresh, groups, train, val)
    want = max(0, val_count(len(all_ids), val_fraction) - len(val))
    units = _units(fresh, seed, groups)
    if classes is None:
        taken = _fill(units, want, single=not train and not val)
        for key, members in units.items():
            (val if key in taken else train).update(members)
    else:
        folds = stratify(fresh, classes, [want, len(fresh) - want], seed, fixed=[val, train], groups=groups)
        val.update(folds[0])
        train.update(folds[1])
    return sorted(train), sorted(val)


def straddling(groups: Mapping[str, str], train: Iterable[str], val: Iterable[str]) -> list[str]:
    """The groups with ids in ``train`` and in ``val``, sorted: placed so by an earlier split or
    an export's own, which :func:`split_ids` keeps."""
    return sorted({groups[i] for i in train} & {groups[i] for i in val})


def _join_placed_groups(fresh: list[str], groups: Mapping[str, str], train: set[str], val: set[str]) -> list[str]:
    """Put each new id of a group with placed ids on the side holding most of the group (train
    on a tie), adding it to ``train`` or ``val``; the ids of groups not placed yet are returned."""
    sides: dict[str, Counter[str]] = {}
    for side, placed in (("train", train), ("val", val)):
        for image_id in placed:
            sides.setdefault(groups[image_id], Counter())[side] += 1
    left = []
    for image_id in fresh:
        held = sides.get(groups[image_id])
        if held is None:
            left.append(image_id)
        else:
            (val if held["val"] > held["train"] else train).add(image_id)
    return left


def _units(ids: Iterable[str], seed: int, groups: Mapping[str, str] | None) -> dict[str, list[str]]:
    """The ids placed together, each id alone or, with ``groups``, each group's ids, keyed by
    the id or group and ordered by :func:`split_key` of the key."""
    units: dict[str, list[str]] = {}
    for image_id in ids:
        units.setdefault(image_id if groups is None else groups[image_id], []).append(image_id)
    return {key: units[key] for key in sorted(units, key=lambda key: split_key(seed, key))}


def _fill(units: Mapping[str, Sequence[str]], want: int, single: bool) -> set[str]:
    """The units that go to val: in order, each that still fits ``want`` ids; when ``want`` is
    above 0 and none fits, the smallest (the first of them), which leaves others for train.

    Raises:
        DatasetError: one unit alone while ``single`` (nothing placed yet) and val wants ids.
    """
    taken: set[str] = set()
    room = want
    for key, members in units.items():
        if 0 < len(members) <= room:
            taken.add(key)
            room -= len(members)
    if want > 0 and not taken and units:
        if single and len(units) == 1:
            key, members = next(iter(units.items()))
            raise DatasetError(f"--group puts every image in one group ({key}: {len(members)} images): none is left for val")
        taken.add(min(units, key=lambda key: len(units[key])))
    return taken


def fold_ids(
    ids: Iterable[str],
    folds: int,
    seed: int = 0,
    classes: Mapping[str, Iterable[int]] | None = None,
    groups: Mapping[str, str] | None = None,
) -> list[list[str]]:
    """Cross-validation folds: every id in exactly one of ``folds`` lists (sorted), of sizes
    differing by at most one; fold ``k`` is the val side of split ``k``, the others its train
    side. With ``classes``, the folds are stratified. With ``groups`` (id -> group), a group's
    ids share a fold, the sizes as even as whole groups allow (the largest group first, to the
    fold with most room).

    Raises:
        DatasetError: fewer than 2 folds, or more folds than ids (or groups).
    """
    ordered = sorted(set(ids), key=lambda i: split_key(seed, i))
    if isinstance(folds, bool) or not isinstance(folds, int) or folds < 2:
        raise DatasetError(f"cross-validation needs at least 2 folds, got {folds!r}")
    if folds > len(ordered):
        raise DatasetError(f"{folds} folds need at least {folds} images, got {len(ordered)}")
    sizes = [len(ordered) // folds + (1 if k < len(ordered) % folds else 0) for k in range(folds)]
    if groups is not None:
        units = _units(ordered, seed, groups)
        if folds > len(units):
            raise DatasetError(f"{folds} folds need at least {folds} groups, got {len(units)} (--group)")
        if classes is not None:
            return [sorted(fold) for fold in stratify(ordered, classes, sizes, seed, groups=groups)]
        placed: list[list[str]] = [[] for _ in range(folds)]
        room = list(sizes)
        for key in sorted(units, key=lambda key: -len(units[key])):  # stable: split_key order among equals
            k = max(range(folds), key=lambda k: (room[k], -k))
            placed[k].extend(units[key])
            room[k] -= len(units[key])
        return [sorted(fold) for fold in placed]
    if classes is None:
        out, start = [], 0
        for size in sizes:
            out.append(sorted(ordered[start : start + size]))
            start += size
        return out
    return [sorted(fold) for fold in stratify(ordered, classes, sizes, seed)]


def stratify(
    ids: Sequence[str],
    classes: Mapping[str, Iterable[int]],
    sizes: Sequence[int],
    seed: int = 0,
    fixed: Sequence[Iterable[str]] | None = None,
    groups: Mapping[str, str] | None = None,
) -> list[list[str]]:
    """Place ``ids`` in ``len(sizes)`` folds of the given sizes so that each class's images
    spread over the folds in proportion to their sizes (iterative stratification).

    First, each class held by at least as many images (or groups) as there are folds gets one
    image (or group) in every fold that lacks it (rarest class first; a fold may pass its size
    for this, but a fold of size 0, with nothing fixed in it, stays empty); then the rarest remaining class is spread, each image (or group) going to the
    fold that still wants most of that class (ties: the fold that still wants most images, then
    the first). ``fixed`` lists ids already in each fold (counted, not moved). With ``groups``
    (id -> group), a group's ids are placed as one, counting for as many images as hold each
    class. Classes in :data:`NOT_STRATIFIED` do not steer.

    Returns:
        One list of ids per fold (in placement order).
    """
    count = len(sizes)
    fixed_sets = [set(f) for f in fixed] if fixed is not None else [set() for _ in sizes]
    all_sizes = [sizes[k] + len(fixed_sets[k]) for k in range(count)]
    total = sum(all_sizes)
    share = [s / total if total else 0.0 for s in all_sizes]

    def held(image_id: str) -> frozenset[int]:
        return frozenset(int(c) for c in classes.get(image_id, ())) - NOT_STRATIFIED

    units = _units(ids, seed, groups)
    weight = {key: Counter(c for i in members for c in held(i)) for key, members in units.items()}
    images_of: Counter[int] = Counter()  # images holding each class
    holders: Counter[int] = Counter()  # units (and fixed images) holding each class
    for counts in weight.values():
        images_of.update(counts)
        holders.update(counts.keys())
    have: list[Counter[int]] = [Counter() for _ in range(count)]
    for k, fold in enumerate(fixed_sets):
        for image_id in fold:
            have[k].update(held(image_id))
    for k in range(count):
        images_of.update(have[k])
        holders.update(have[k])
    room = list(sizes)
    out: list[list[str]] = [[] for _ in range(count)]
    order = {key: n for n, key in enumerate(units)}
    left = dict.fromkeys(units)

    def place(key: str, k: int) -> None:
        out[k].extend(units[key])
        room[k] -= len(units[key])
        have[k].update(weight[key])
        del left[key]

    rarity = sorted(images_of, key=lambda c: (images_of[c], c))
    active = [k for k in range(count) if all_sizes[k]] or list(range(count))  # a fold of size 0 stays empty
    # 1. every class on every side, when it has images enough
    for c in rarity:
        if holders[c] < len(active):
            continue
        for k in active:  # even past a fold's size: no class left out of a side
            if have[k][c]:
                continue
            candidates = [key for key in left if weight[key][c]]
            if not candidates:
                break
            # the image (or group) that brings the fold most of the classes it lacks
            best = max(candidates, key=lambda key: (sum(1 for d in weight[key] if not have[k][d]), -order[key]))
            place(best, k)
    # 2. iterative stratification of the rest
    wanted = [{c: images_of[c] * share[k] - have[k][c] for c in images_of} for k in range(count)]
    for c in rarity:
        for key in [key for key in left if weight[key][c]]:
            open_folds = [k for k in range(count) if room[k] > 0] or active
            k = max(open_folds, key=lambda k: (wanted[k][c], room[k], -k))
            place(key, k)
            for d, n in weight[key].items():
                wanted[k][d] -= n
    for key in list(left):  # images holding no steering class
        place(key, max(active, key=lambda k: (room[k], -k)))
    return out


@dataclass(frozen=True)
class ClassBalance:
    """How one class spreads over a train/val split.

    Attributes:
        index: the class index.
        images: images holding it on each side, ``{"train": n, "val": m}``.
        pixels: its pixels on each side.
        shares: its share of each side's labelled (non-void) pixels.
    """

    index: int
    images: Mapping[str, int]
    pixels: Mapping[str, int]
    shares: Mapping[str, float]

    def missing_from(self) -> list[str]:
        """The sides that lack the class although the other side has it."""
        if not any(self.images.values()):
            return []
        return [side for side, n in self.images.items() if n == 0]


def sparse_counts(histogram: Sequence[int]) -> dict[int, int]:
    """The non-zero bins of a 256-bin label histogram: value -> pixels."""
    return {value: int(n) for value, n in enumerate(histogram[:256]) if n}


class SplitTally:
    """Images and pixels per value on each side of a split, added one image at a time (a few
    numbers per side, whatever the number of images)."""

    def __init__(self, sides: Iterable[str]) -> None:
        self.images = {side: [0] * 256 for side in sides}
        self.pixels = {side: [0] * 256 for side in sides}
        self.labelled = dict.fromkeys(self.images, 0)

    def add(self, side: str, counts: Mapping[int, int]) -> None:
        """Add one image of ``side``: its pixel counts (value -> pixels, see :func:`sparse_counts`)."""
        images, pixels = self.images[side], self.pixels[side]
        for value, n in counts.items():
            if n:
                images[value] += 1
                pixels[value] += int(n)
                if value != 255:
                    self.labelled[side] += int(n)

    def balance(self, num_classes: int) -> list[ClassBalance]:
        """Per class 0..``num_classes``-1: its images, pixels and share of the labelled pixels
        on each side."""
        sides = list(self.images)
        return [
            ClassBalance(
                index=c,
                images={side: self.images[side][c] for side in sides},
                pixels={side: self.pixels[side][c] for side in sides},
                shares={side: self.pixels[side][c] / self.labelled[side] if self.labelled[side] else 0.0 for side in sides},
            )
            for c in range(num_classes)
        ]


def split_balance(
    splits: Mapping[str, Iterable[str]],
    pixels: Mapping[str, Mapping[int, int]],
    num_classes: int,
) -> list[ClassBalance]:
    """Per class 0..``num_classes``-1: images and pixels on each side of ``splits`` (side name ->
    ids), from each id's pixel counts (value -> pixels, see :func:`sparse_counts`); ids without
    counts are left out."""
    tally = SplitTally(splits)
    for side, side_ids in splits.items():
        for image_id in side_ids:
            counts = pixels.get(image_id)
            if counts is not None:
                tally.add(side, counts)
    return tally.balance(num_classes)


def imbalance(balance: Iterable[ClassBalance], name_of: Callable[[int], str]) -> list[tuple[str, str]]:
    """``(side, message)`` for each class held by two images or more that one side lacks
    (a class of one image cannot be on both): ``"class 5 (bush) is in 3 train image(s) but in
    no val image"``; one for a side that holds none of them (a split of all val, for scoring)."""
    rows = [row for row in balance if sum(row.images.values()) >= 2]
    empty = [side for side in (rows[0].images if rows else ()) if not any(row.images[side] for row in rows)]
    if empty and len(empty) < len(rows[0].images):  # one side holds no class at all: said once
        side = empty[0]
        other = next(s for s in rows[0].images if s not in empty)
        return [(side, f"no {side} image holds a class: each of the {len(rows)} classes is in {other} alone")]
    found = []
    for row in rows:
        for side in row.missing_from():
            other = next(s for s in row.images if s != side)
            found.append(
                (side, f"class {row.index} ({name_of(row.index)}) is in {row.images[other]} {other} image(s) but in no {side} image")
            )
    return found
