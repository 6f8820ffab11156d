"""A Hugging Face dataset's label maps read where they are: what ``stats``, ``weights``,
``evaluate``, ``check``, ``report`` and ``diff`` read of a Hub repository as downloaded or a
``save_to_disk`` folder (see :mod:`labeltools.formats.hub`), row by row, without converting it
first; and what those commands and ``convert`` share of how such a dataset is laid out (its
configurations, its splits, its rows' ids, its class table file), and of ADE20K's labels as
shipped.

The work items of a count are the label files' paths of a VOC folder, or :class:`HubLabelRow`
rows: :func:`item_histogram` counts either, :func:`item_label` reads either.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from labeltools.core._types import PathLike
from labeltools.core.classes import ClassTable, names_trained_ade20k
from labeltools.core.errors import DatasetError, LabelFileError, LabeltoolsError, shell_word
from labeltools.core.options import VOID
from labeltools.engine.storage import location, modified
from labeltools.formats.folders import word_split
from labeltools.formats.hub import (
    TABLE_FILE, HubLabelRow, hub_card, hub_entries, hub_files, hub_image, hub_label, hub_layout, hub_table_file, split_words,
)  # fmt: skip
from labeltools.formats.labels import label_histogram, probe_label, read_label
from labeltools.formats.voc import CLASS_NAMES_FILE, SHIPPED_TABLES, dataset_class_table, is_voc_root, tables_disagree
from labeltools.ops.splits import own_split

log = logging.getLogger(__name__)

T = TypeVar("T")

#: The class table files a Hugging Face dataset's repository is looked into for, in order.
HUB_TABLES = tuple(dict.fromkeys((TABLE_FILE, *SHIPPED_TABLES, CLASS_NAMES_FILE)))

#: What an id or a split word keeps of a name (the rest becomes ``_``).
UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")

#: The words by which the ``datasets`` library finds a file's split in its name or its folder's
#: (its ``SPLIT_KEYWORDS``), each the VOC split it is, and what parts them from the name's other
#: words (its ``NON_WORDS_CHARS``: ``cracks_train.parquet``, ``dev1/``).
HUB_SPLIT_WORDS = {
    "train": "train", "training": "train", "validation": "val", "valid": "val", "dev": "val", "val": "val",
    "test": "test", "testing": "test", "eval": "test", "evaluation": "test",
}  # fmt: skip

#: What a run without a table says of a Hugging Face dataset that came with none, before the
#: command's own ways out.
NO_TABLE_SAID = (
    f"the dataset came with no class table ({TABLE_FILE} in its repository's folder, as the Hub keeps it beside "
    "README.md and data/): download it with the dataset, or give the classes with -c (a preset, an id2label.json, or a "
    "file naming class i on line i)"
)

#: How many label maps are looked at for ADE20K's labels as shipped (see :func:`refuse_shipped_ade20k`).
ADE20K_LOOKED_AT = 20

#: The ways out of counting ADE20K's labels as shipped by the classes as trained (see
#: :func:`refuse_shipped_ade20k`).
ADE20K_WAYS = (
    "-c ade20k counts them as trained (its train ids: 0 \"other\" void, class i as i - 1), or, where they hold the "
    "trained ids already, -n 150 counts them as they are"
)


def hub_split(path: PathLike) -> tuple[str, str | None]:
    """A Hugging Face dataset file's split word and the VOC split it is: the one its repository's
    card names it of (see :func:`~labeltools.formats.hub.hub_card`), else its name's
    (``validation-00000-of-00001.parquet``), else its folder's (``train/data-00000-of-00001.arrow``,
    ``partial-train/0000.parquet``), else a word of either that the ``datasets`` library finds a
    split by (``cracks_dev.parquet``: see :data:`HUB_SPLIT_WORDS`), else the file's stem and None."""
    if (placed := _card_place(path)) is not None and placed[1] is not None:
        return UNSAFE.sub("_", placed[1]).strip("_") or "row", own_split(placed[1])
    word, folder = split_words(path)
    for name in (word, folder.removeprefix("partial-")):  # the Parquet conversion's part of a large split
        if (split := _name_split(name)) is not None:
            return UNSAFE.sub("_", name).strip("_") or "row", split
    return UNSAFE.sub("_", location(path).stem).strip("_") or "row", None


def _name_split(name: str) -> str | None:
    """The VOC split a Hub dataset file's or folder's name says: the name itself (``validation``,
    ``train_extra``), else a split word among its words, as the ``datasets`` library finds one
    (``cracks_dev``: see :data:`HUB_SPLIT_WORDS`); None for any other."""
    if (split := own_split(name)) is not None:
        return split
    return word_split(name, HUB_SPLIT_WORDS.get)


def hub_config(path: PathLike) -> str:
    """The folder of the configuration a dataset file is of: its own folder
    (``push_to_hub``'s ``data/`` or ``<config>/``), or the one above a folder of a split
    (``<config>/train/0000.parquet`` of the Hub's Parquet conversion, its ``partial-train/``
    too; a ``save_to_disk`` folder's ``train/``)."""
    parent = location(path).parent
    return str(parent.parent if _name_split(parent.name.removeprefix("partial-")) is not None else parent)


def folder_config(given: PathLike, path: PathLike) -> tuple[str, ...]:
    """The names of the configuration whose folder a dataset file is in, where no card names it
    (see :func:`hub_config`): its folder's (``default`` for ``push_to_hub``'s ``data/``), and
    ``default`` too for the folder given, as the ``datasets`` library names the configuration of
    a folder it is given."""
    folder, here = location(hub_config(path)), location(given)
    names = ("default",) if folder.name == "data" else (folder.name,)
    given_folder = str(folder) == str(here if here.is_dir() else here.parent)
    return names + ("default",) if given_folder and "default" not in names else names


def dataset_files(given: PathLike, files: Sequence[Any], config: str | None = None) -> tuple[list[Any], str | None]:
    """The files of the configuration of a Hugging Face dataset read from ``given`` (its folder
    or a file): ``config``, the name ``load_dataset(path, config)`` takes (see
    :func:`card_named` for one a card names, else a configuration folder's name: see
    :func:`folder_config`), else the only one, else the one the card marks its default (said);
    and the name of the one read where there are several (its files named apart), else None.

    Raises:
        DatasetError: no configuration ``config``, several without one to choose (each a dataset
            of its own, whose rows would be mixed), or a card that names none of the files.
    """
    files, carded, read = card_named(given, files, config)
    if config is not None and not carded:
        names = {str(path): folder_config(given, path) for path in files}
        chosen = [path for path in files if config in names[str(path)]]
        if not chosen:
            raise DatasetError(
                f"{given}: holds no configuration {config} of a Hugging Face dataset (its configurations, as its folders "
                f"name them: {_first(sorted({name[0] for name in names.values()}))}): give --config one of them, or leave it out"
            )
        read = config if len(chosen) < len(files) else None
        files = chosen
    placed = [_card_place(path) for path in files]
    named = all(placed)
    configs = list(dict.fromkeys([place[0] for place in placed if place] if named else [hub_config(path) for path in files]))
    if len(configs) > 1:
        names_of = sorted(configs) if named else sorted({folder_config(given, path)[0] for path in files})
        raise DatasetError(
            f"{given}: holds {len(configs)} configurations of a Hugging Face dataset ({_first(names_of)}"
            f"{', as its card names them' if named else ', as its folders name them'}), each a dataset of its own, whose rows "
            "would be mixed: give --config one of them (as load_dataset takes its name)"
        )
    return files, read


def no_config(config: str | None, what: Any, clause: str = "{} is no such dataset") -> None:
    """Refuse a configuration asked of ``what``, which is no Hugging Face dataset (``clause``
    says so of it).

    Raises:
        DatasetError: so.
    """
    if config is not None:
        raise DatasetError(f"--config {config}: names a configuration of a Hugging Face dataset, and {clause.format(what)}")


def _first(names: Sequence[str]) -> str:
    return ", ".join(names[:4]) + (" ..." if len(names) > 4 else "")


def card_named(given: PathLike, files: Sequence[Any], config: str | None = None) -> tuple[list[Any], bool, str | None]:
    """The files of a Hugging Face dataset that make it, whether a card names them, and the
    configuration read of the several it names (else None): where its repository's card names
    its files (see :func:`~labeltools.formats.hub.hub_card`), those it names, the others left
    out as the ``datasets`` library leaves them out (said), and the splits the card's (said);
    of its configurations, ``config``, else, of several, the one ``load_dataset`` reads when
    none is named (the card's default, said with the others'; without one, refused after: see
    :func:`dataset_files`); else all of them.

    Raises:
        DatasetError: the card names none of them, or no configuration ``config``, or cannot be
            read.
    """
    cards = {str(path): hub_card(path) for path in files}
    placed = {str(path): card.place(path) for path in files if (card := cards[str(path)]) is not None}
    left = [path for path in files if str(path) in placed and placed[str(path)] is None]  # of a card that names it not
    kept = [path for path in files if placed.get(str(path), ()) is not None]  # without a card, or named by one
    said = list(dict.fromkeys(card.path for card in cards.values() if card is not None))
    if said and not kept:
        raise DatasetError(f"{said[0]}: its configs name none of the dataset's files in {given} ({left[0]} ...): mend their data_files")
    if left:
        log.warning("%s: %d file(s) its configs do not name left out, as the datasets library leaves them (%s ...)", said[0], len(left), left[0])
    if not said:
        return kept, False, None
    config_of = {name: place[0] for name, place in placed.items() if place is not None}
    card = next(card for card in cards.values() if card is not None)
    chosen, read = kept, None
    if config is not None:
        if config not in card.configs:
            raise DatasetError(
                f"{card.path}: names no configuration {config} (its configurations: {_first(card.configs)}): "
                "give --config one of them, or leave it out"
            )
        chosen = [path for path in kept if config_of.get(str(path)) == config]
        if not chosen:
            raise DatasetError(f"{card.path}: its configuration {config} names none of the dataset's files in {given} ({kept[0]} ...)")
        read = config if len(card.configs) > 1 else None
    elif len(configs := list(dict.fromkeys(config_of.values()))) > 1 and card.default in configs and len(config_of) == len(kept):
        others = ", ".join(config for config in configs if config != card.default)
        log.info("configuration: %s, the one %s marks its default (give --config another to read it: %s)", card.default, card.path, others)
        chosen, read = [path for path in kept if config_of[str(path)] == card.default], card.default
    # (several configurations without a default are refused after: see dataset_files)
    if any((place := placed.get(str(path))) is not None and place[1] is not None for path in chosen):
        log.info("splits: as %s names them", card.path)
    return chosen, True, read


def _card_place(path: PathLike) -> tuple[str, str | None] | None:
    """The configuration and split (None where the file's name says it) a file's card names it
    of, None where none does."""
    card = hub_card(path)
    return None if card is None else card.place(path)


@dataclass(frozen=True)
class HubRowEntry:
    """A labelled row of a Hugging Face dataset: the row, its id (see :func:`hub_rows`), and its
    file's split word and VOC split (see :func:`hub_split`)."""

    item: HubLabelRow
    image_id: str
    word: str
    split: str | None


def hub_rows(files: Sequence[Any]) -> tuple[list[HubRowEntry], dict[str, int]]:
    """Each labelled row of a Hugging Face dataset's files, in order, and the number of rows
    without a label map (a test split's) of each file. A row's id is the file name its image
    records where every row records one and no two are alike (what ``push_to_hub`` and
    ``save_to_disk`` keep), else its split's word and its number in the split (``train_000000``:
    the shards of a split numbered on, in order): ``convert`` names the images so, and
    ``evaluate`` pairs predictions so.

    Raises:
        AnnotationError: a file cannot be read.
        DatasetError: see :func:`~labeltools.formats.hub.hub_layout`.
    """
    found: list[tuple[HubLabelRow, str | None, str, str | None]] = []
    unlabelled: dict[str, int] = {}
    read: dict[tuple[str, str], list[tuple[Any, int]]] = {}  # the files of each split read each way, and their rows
    for path in files:
        stamp = modified(path)
        layout = hub_layout(str(path), stamp)
        word, split = hub_split(path)
        read.setdefault((word, layout.chosen), []).append((path, layout.rows))
        for n, entry in enumerate(hub_entries(str(path), stamp)):
            if entry.labelled:
                found.append((HubLabelRow(str(path), n, stamp), entry.image_name, word, split))
            else:
                unlabelled[str(path)] = unlabelled.get(str(path), 0) + 1
    for (_, chosen), read_files in read.items():  # a line a split, not a line a shard
        log.info("%s: %d row(s), %s", _files_said([path for path, _ in read_files]), sum(rows for _, rows in read_files), chosen)
    stems = [PurePosixPath(name.replace("\\", "/")).stem if name else "" for _, name, _, _ in found]
    named = all(stems) and len(set(stems)) == len(stems)
    counts: Counter[str] = Counter()
    width = max(6, len(str(len(found))))
    rows = []
    for (item, _, word, split), stem in zip(found, stems):
        if named:
            image_id = stem
        else:
            image_id = f"{word}_{counts[word]:0{width}d}"
            counts[word] += 1
        rows.append(HubRowEntry(item if named else replace(item, numbered=True), image_id, word, split))
    if rows:
        log.info("ids: %s", "the file names the rows record for their images" if named else "each split's word and the row's number in it")
    return rows, unlabelled


def say_unlabelled(unlabelled: dict[str, int]) -> None:
    """Warn of the rows left out for want of a label map, of each file (see :func:`hub_rows`)."""
    for path, count in unlabelled.items():
        log.warning("%s: %d row(s) without a label map left out (a test split's images come without)", path, count)


@dataclass(frozen=True)
class HubLabels:
    """The rows of a Hugging Face dataset a count reads.

    Attributes:
        folder: the dataset's folder (given, or the folder of the file given, above ``data/``
            where its class table is), where the weights go by default.
        rows: the labelled rows of the split counted, in order (their ids as ``convert`` gives
            them when read with ``ids``: see :func:`hub_labels`).
        split: the VOC split counted (``train``, ``val``, ``test``, ``trainval``), None for all.
        table: the class table counted by (None: the values are counted as they are).
        said: which rows are read, for the user.
        came_with: whether the table is the one the dataset came with.
        sides: the rows (as text) of the train and the val split, when every split's are
            counted and the dataset has both; else None.
        cached: the repository (``owner/name``) when the dataset is a snapshot in Hugging
            Face's cache (see :func:`cached_repository`), else None.
        config: the configuration read of the several the dataset holds, else None.
    """

    folder: Path
    rows: list[HubRowEntry]
    split: str | None
    table: ClassTable | None
    said: str
    came_with: bool
    sides: dict[str, list[str]] | None = None
    cached: str | None = None
    config: str | None = None

    @property
    def items(self) -> list[HubLabelRow]:
        """The rows, as the work items of a count."""
        return [row.item for row in self.rows]

    def classes_said(self, described: str) -> str:
        """Where the classes came from, for the user (``described``: the table as counted)."""
        return came_with(described, "dataset") if self.came_with else described


def came_with(described: str, what: str) -> str:
    """A class table ``what`` came with (the masks, the dataset), in words."""
    return f"{described}, the list the {what} came with"


def rows_said(split: str | None, count: int, files: Sequence[Any], config: str | None = None) -> str:
    """Which rows of which files (of which of the dataset's configurations) a command reads, for
    the user."""
    which = "every split's" if split is None else f"the {split} split's"
    of = f" (its configuration {config})" if config is not None else ""
    return f"{which} {count} row(s) of {_files_said(files)}{of}, read where they are"


def hub_labels(
    root: PathLike,
    split: str | None,
    classes: ClassTable | PathLike | None,
    num_classes: int | None,
    default_split: str | None = None,
    need_table: bool = True,
    ids: bool = False,
    config: str | None = None,
) -> HubLabels | None:
    """The rows a count of a Hugging Face dataset at ``root`` (its folder or one of its files)
    reads: those of ``split`` (a VOC split, ``trainval``, or a file's own split word), else of
    ``default_split`` where the dataset has it, else every split's; each labelled row (the rows
    without a label map, a test split's, are left out, said). Their classes: ``classes``, else
    the ``id2label.json`` the repository ships, else ``num_classes``, else none (refused where
    the count ``need_table``). With ``ids``, each row's id as ``convert`` gives it (every
    file's rows read for it). Of a dataset of several configurations, ``config`` (see
    :func:`dataset_files`). None where ``root`` holds no such dataset (a VOC folder; where
    ``config`` is given, the caller refuses it: see :func:`no_config`).

    Raises:
        DatasetError: no rows of ``split``, none labelled, no class table where one is needed,
            or two that differ.
    """
    where = location(root)
    if where.is_dir() and is_voc_root(where):
        return None
    files = hub_files(where)
    if not files:
        return None
    files, config = dataset_files(root, files, config)
    splits = {str(path): hub_split(path) for path in files}
    chosen, used = _chosen_files(where, files, splits, split, default_split)
    table, own = _hub_table(root, chosen, classes, num_classes, need_table)
    taken = {str(path) for path in chosen}
    rows, unlabelled = hub_rows(files if ids else chosen)
    rows = [row for row in rows if row.item.path in taken]
    say_unlabelled({path: count for path, count in unlabelled.items() if path in taken})
    if not rows:
        raise DatasetError(f"{root}: no row of {_files_said(chosen)} holds a label map; nothing to count")
    folder = where if where.is_dir() else location(hub_table_file(where, HUB_TABLES) or where).parent
    sides: dict[str, list[str]] = {"train": [], "val": []}
    for row in rows:
        if row.split in sides:
            sides[row.split].append(str(row.item))
    both = used is None and all(sides.values())
    said = rows_said(used, len(rows), chosen, config)
    return HubLabels(folder, rows, used, table, said, own, sides if both else None, cached_repository(folder), config)


def cached_repository(folder: Any) -> str | None:
    """The repository (``owner/name``) whose snapshot in Hugging Face's cache ``folder`` is or is
    in (``~/.cache/huggingface/hub/datasets--owner--name/snapshots/<revision>/``, where
    ``huggingface-cli download`` without ``--local-dir`` and ``load_dataset`` keep a download),
    else None: a file written there lands in a folder named by a revision, which the next
    download replaces."""
    parts = PurePosixPath(str(folder)).parts
    for n, part in enumerate(parts[:-1]):
        if part.startswith("datasets--") and parts[n + 1] == "snapshots" and n + 2 < len(parts):
            return part.removeprefix("datasets--").replace("--", "/", 1)
    return None


def _chosen_files(
    where: Any, files: Sequence[Any], splits: dict[str, tuple[str, str | None]], split: str | None, default_split: str | None
) -> tuple[list[Any], str | None]:
    """The files of ``split`` (see :func:`hub_labels`) and the split counted (that of every file
    when they are all of one: a validation file given alone is counted as val's, never under the
    name of train's weights)."""
    if split is None:
        if default_split is not None and any(s == default_split for _, s in splits.values()):
            split = default_split
        else:
            kinds = {s for _, s in splits.values()}
            return list(files), kinds.pop() if len(kinds) == 1 else None
    wanted = {"train", "val"} if split == "trainval" else {own_split(split) or split}
    chosen = [path for path in files if splits[str(path)][1] in wanted or splits[str(path)][0] == split]
    if not chosen:
        held = Counter(word for word, _ in splits.values())
        raise DatasetError(
            f"{where}: holds no {split} split of the Hugging Face dataset (its files' splits: "
            + ", ".join(f"{word} {n} file(s)" for word, n in held.items()) + "): give --split one of them, or leave it out"
        )
    return chosen, own_split(split) or split


def _files_said(files: Sequence[Any]) -> str:
    return str(files[0]) if len(files) == 1 else f"{len(files)} files ({files[0]} ...)"


def hub_own_table(paths: Sequence[Any]) -> ClassTable | None:
    """The class table a Hugging Face dataset came with: those of ``paths`` that are files (its
    table files, found beside its files: see :func:`~labeltools.formats.hub.hub_table_file`), the
    same for all; None when there is none.

    Raises:
        DatasetError: two that differ.
    """
    found = list(dict.fromkeys(str(path) for path in paths if path is not None and location(path).is_file()))
    tables = [ClassTable.load(path) for path in found]
    for path, other in zip(found[1:], tables[1:]):
        if (differ := tables_disagree(other, tables[0])) is not None:
            raise DatasetError(f"{path}: its classes differ from {found[0]}'s ({differ}): give the files of one table")
    return tables[0] if tables else None


def _hub_table(
    root: PathLike, files: Sequence[Any], classes: ClassTable | PathLike | None, num_classes: int | None, needed: bool
) -> tuple[ClassTable | None, bool]:
    """The table the rows are counted by, and whether it is the one the dataset came with (see
    :func:`hub_labels`)."""
    own = hub_own_table([hub_table_file(path, HUB_TABLES) for path in files])
    if classes is None and own is not None:
        checked = dataset_class_table(None, own, num_classes)
        assert checked is not None  # a table was given
        return checked, True
    if classes is None and num_classes is None and not needed:
        return None, False
    if classes is None and num_classes is None:
        raise DatasetError(f"{root}: {NO_TABLE_SAID} or their number with -n")
    table = dataset_class_table(None, classes, num_classes)
    assert table is not None  # a table or a number was given
    if classes is not None and own is not None and (differ := tables_disagree(table, own)) is not None:
        log.warning("%s; using %s, as asked", differ, table.source)
    return table, False


def item_histogram(item: Any) -> tuple[NDArray[np.int64], tuple[int, int]]:
    """The pixels of each value in a label file or a :class:`HubLabelRow`'s label map, and its
    size (see :func:`~labeltools.formats.labels.label_histogram`).

    Raises:
        LabelFileError: the file is not a label map.
        AnnotationError: the row cannot be read.
    """
    if not isinstance(item, HubLabelRow):
        return label_histogram(item)
    return _row_read(item, label_histogram, "counts")


def item_label(item: Any, then: str) -> NDArray[np.uint8]:
    """A label file's or a :class:`HubLabelRow`'s label map (see
    :func:`~labeltools.formats.labels.read_label`); ``then`` says what the command does with it,
    for a row kept in colour (see :func:`colour_row_said`).

    Raises:
        LabelFileError: the file is not a label map.
        AnnotationError: the row cannot be read.
    """
    if not isinstance(item, HubLabelRow):
        return read_label(item)
    return _row_read(item, read_label, then)


def _row_read(item: HubLabelRow, read: Callable[..., T], then: str) -> T:
    """A row's label map read by ``read`` (from its bytes); a label map kept in colour is refused
    with the way out (see :func:`colour_row_said`, ``then`` what the command does with it).

    Raises:
        LabelFileError: not a label map. AnnotationError: the row cannot be read.
    """
    data = hub_label(item)
    try:
        return read(str(item), data=data)
    except LabelFileError:
        mode = probe_label(str(item), data=data)[1]
        if mode not in ("RGB", "RGBA"):
            raise
        raise LabelFileError(f"{item}: {colour_row_said(item, then, mode)}") from None


def refuse_other_images(old: Any, new: Any) -> None:
    """Refuse the label maps of one id in two versions of a dataset (label files' paths or
    rows) where both are rows paired by their numbers in their splits (see :func:`hub_rows`:
    their datasets record no file names) and their images differ: a row added, removed or moved
    between the versions pairs each later row with another image's label map, and their
    differences would be counted as changes, silently.

    Raises:
        DatasetError: so, naming both rows.
        AnnotationError: a row cannot be read.
    """
    if not all(isinstance(item, HubLabelRow) and item.numbered for item in (old, new)) or hub_image(old) == hub_image(new):
        return
    raise DatasetError(
        f"{new}: holds another image than {old}, whose id it has: these datasets record no file names, so their rows "
        "are paired by their number in the split, and a row added, removed or moved between the versions pairs each "
        "later row with another image's label map; compare versions whose rows keep their places, or whose images "
        "record their file names"
    )


def colour_row_said(item: HubLabelRow, then: str, mode: str) -> str:
    """What is wrong with a row whose label map is a colour image (of ``mode``), and the way out
    (a command that ``then`` counts or checks the dataset ``convert`` makes of it): a row cannot
    take ``remap``, as a colour mask on disk can."""
    return (
        f"its label map is a colour image (mode {mode}), not class indices: labeltools convert "
        f"{shell_word(hub_config(item.path))} NEW_FOLDER reads colour masks by their classes' colours (-c a table "
        f"of them), into a dataset this command then {then}"
    )


def work_item(item: Any) -> str | HubLabelRow:
    """A work item as it travels to the workers: a path as text, a row as it is."""
    return item if isinstance(item, HubLabelRow) else str(item)


def work_items(items: Sequence[Any]) -> list[Any]:
    """Work items as they travel to the workers (see :func:`work_item`)."""
    return [work_item(item) for item in items]


def items_noun(items: Sequence[Any]) -> str:
    """What a count's items are, for messages: ``label file(s)``, or a Hugging Face dataset's ``row(s)``."""
    return "row(s)" if items and isinstance(items[0], HubLabelRow) else "label file(s)"


def items_folder(items: Sequence[Any]) -> str | None:
    """The folder of the first item (a label file's, a row's file's), for messages; None without any."""
    if not items:
        return None
    first = items[0]
    return str(location(first.path if isinstance(first, HubLabelRow) else first).parent)


def first_values(items: Sequence[Any], looked_at: int) -> set[int] | None:
    """The values the first label maps (``looked_at`` of them: label files' paths or
    :class:`HubLabelRow` rows) hold; None when one cannot be read (its count or conversion
    reports it)."""
    held: set[int] = set()
    for item in items[:looked_at]:
        try:
            values = item_label(item, "reads")
        except LabeltoolsError:
            return None
        held |= set(np.unique(values).tolist())
    return held


def refuse_shipped_ade20k(items: Sequence[Any], table: ClassTable, ways: str) -> None:
    """Refuse label maps read by a table of ADE20K's 150 classes as they are trained when the
    first of them (:data:`ADE20K_LOOKED_AT`) hold no 255: ADE20K's labels as shipped
    (ADEChallengeData2016's annotations, the Hub's ``scene_parse_150``) number the classes from
    1, 0 "other", and each would be read as the class after it, silently (as trained, "other" is
    255, which nearly every ADE20K image holds). ``items`` are label files' paths or
    :class:`HubLabelRow` rows; ``ways`` the command's ways out.

    Raises:
        DatasetError: so, with ``ways``.
    """
    if not names_trained_ade20k(table):
        return
    held = first_values(items, ADE20K_LOOKED_AT)
    if not held or VOID in held:
        return
    raise DatasetError(
        f"{table.source}: names ADE20K's 150 classes as they are trained (0 {table.names[0]} .. 149 {table.names[-1]}), "
        f"and the first {min(len(items), ADE20K_LOOKED_AT)} label map(s) hold no 255, which marks \"other\" so: "
        "ADE20K's labels as shipped (ADEChallengeData2016, the Hub's scene_parse_150) number the classes from 1, "
        f"0 \"other\", and each would be read as the class after it; {ways}"
    )
