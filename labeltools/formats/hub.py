"""Hugging Face datasets as they are downloaded or saved: the Hub's Parquet files
(``data/train-00000-of-00001.parquet``, what ``push_to_hub`` writes and ``huggingface-cli
download`` fetches; ``default/train/0000.parquet`` of the Hub's Parquet conversion) and the Arrow
files of ``save_to_disk`` (``train/data-00000-of-00001.arrow``).

A semantic segmentation dataset there holds an image column and a label column, both of the
``Image`` feature: a ``{"bytes", "path"}`` struct, the encoded file (a label PNG of class indices)
and its file name, or the path of a file alone. Which column is which is read from the names
transformers' training scripts read (``image`` or ``pixel_values``; ``label`` or
``annotation``), else from the first row (the label map is the single-channel image). Its classes
are the ``id2label.json`` the dataset's repository ships.

The rows are read a row group at a time (an Arrow file is mapped whole), the last groups kept
as Arrow tables (a row made Python values only when it is converted), so a worker converting rows
in order reads each group once; what a process keeps is keyed by the
file's modification time as the run found it (``stamp``), so a file replaced since is read
anew, never from what a long-lived worker kept of the old one. ``pyarrow`` (the ``hub`` extra)
reads them, imported when a file is first opened.

Written (``export --to hub``): a repository as ``push_to_hub`` makes one, each split's shard
(:class:`ShardWriter`), ``id2label.json`` and a ``README.md`` card whose YAML names the splits'
files and the columns' features (:func:`dataset_card`).
"""

from __future__ import annotations

import functools
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from labeltools.core._types import PathLike
from labeltools.core.errors import AnnotationError, DatasetError, LabeltoolsError, require_extra, shown
from labeltools.engine.storage import is_remote, list_files, location, modified, read_bytes

#: The endings of the files a Hugging Face dataset is kept in.
HUB_SUFFIXES = (".parquet", ".arrow")

#: The JSON files ``save_to_disk`` writes beside its Arrow files: no annotations.
SAVED_FILES = frozenset({"dataset_info.json", "state.json", "dataset_dict.json"})

#: The class table a dataset's repository ships (``{"0": "road", ...}``), as transformers'
#: examples download it.
TABLE_FILE = "id2label.json"

#: Column names of the images and of the label maps (transformers' scripts rename
#: ``pixel_values`` to ``image`` and ``annotation`` to ``label``; the others are seen on the Hub).
IMAGE_NAMES = frozenset({"image", "pixel_values", "img", "images", "photo", "rgb", "input"})
LABEL_NAMES = frozenset({
    "label", "labels", "annotation", "annotations", "mask", "masks", "segmentation", "semantic_segmentation",
    "segmentation_mask", "seg", "label_map", "gt", "ground_truth", "target",
})  # fmt: skip

#: Pillow modes of a label map (one value per pixel).
_LABEL_MODES = frozenset({"L", "P", "1", "I", "I;16", "I;16B", "I;16L"})

#: A shard's ending: ``train-00000-of-00004``.
_SHARD = re.compile(r"-\d+-of-\d+$")

#: How many row groups a process keeps read (the one its rows are in, and the one before).
_GROUPS_KEPT = 2


def is_hub_file(name: str) -> bool:
    """Whether a file name is that of a Hugging Face dataset's Parquet or Arrow file (an Arrow
    cache file of ``Dataset.map``, ``cache-*.arrow``, is not)."""
    lower = name.lower()
    return lower.endswith(HUB_SUFFIXES) and not lower.startswith("cache-")


def hub_files(where: Any) -> list[Any]:
    """The Hugging Face dataset files at ``where`` (a location): the file itself when it is one,
    else those of the folder and of its folders three deep (a repository's ``data/``, the Hub's
    ``default/train/``, a ``save_to_disk`` folder's splits), in order."""
    if not where.is_dir():
        return [where] if is_hub_file(where.name) and where.is_file() else []
    return [f for f in list_files(where, HUB_SUFFIXES, recursive=True, depth=3) if is_hub_file(f.name)]


def split_words(path: PathLike) -> tuple[str, str]:
    """The words a file's place gives its split: its name's last word before the shard's number
    (``validation`` of ``validation-00000-of-00001.parquet`` and of
    ``scene_parse_150-validation-00000-of-00002.arrow``), and its folder's name
    (``default/train/0000.parquet``, ``train/data-00000-of-00001.arrow``)."""
    where = location(path)
    stem = _SHARD.sub("", PurePosixPath(where.name).stem)
    return stem.rsplit("-", 1)[-1], where.parent.name


def require_pyarrow(module: str = "pyarrow", files: str = "Parquet") -> Any:
    """pyarrow (or its ``module``), which reads Parquet and Arrow ``files``.

    Raises:
        DatasetError: it is not installed (saying how to install it).
    """
    return require_extra(module, f"reading a Hugging Face dataset's {files} files needs pyarrow", "hub", DatasetError)


@dataclass(frozen=True)
class HubLayout:
    """What a dataset file holds: its image and label columns, and its rows by group.

    Attributes:
        path: the file, as given.
        image, label: the columns of the images and of their label maps.
        groups: the rows of each row group (an Arrow file: one group, the whole file).
        chosen: how the columns were told apart, in words.
    """

    path: str
    image: str
    label: str
    groups: tuple[int, ...]
    chosen: str

    @property
    def rows(self) -> int:
        return sum(self.groups)

    def place(self, row: int) -> tuple[int, int]:
        """The row group of a row and its place in it."""
        for group, size in enumerate(self.groups):
            if row < size:
                return group, row
            row -= size
        raise AnnotationError(f"{self.path}: has no row {row} (it holds {self.rows}); was it replaced since the run began?")


@dataclass(frozen=True)
class HubRow:
    """One row's image and label map, encoded.

    Attributes:
        source: the row, for messages (``<file>: row 3``).
        image, label: the encoded files.
        image_name: the image's file name as the row records it, else its column's.
    """

    source: str
    image: bytes
    label: bytes
    image_name: str


def _features(schema: Any) -> dict[str, str]:
    """The feature type of each column that the ``datasets`` library recorded in a schema
    (``{"image": "Image", "label": "Image"}``); empty when it recorded none."""
    raw = (schema.metadata or {}).get(b"huggingface")
    if raw is None:
        return {}
    try:
        features = json.loads(raw).get("info", {}).get("features", {})
    except (ValueError, AttributeError):
        return {}
    return {name: str(f.get("_type")) for name, f in features.items() if isinstance(f, dict)} if isinstance(features, dict) else {}


def _image_columns(schema: Any) -> list[str]:
    """The columns of images: those recorded as the ``Image`` feature, else the ``{bytes, path}``
    structs that feature is stored as."""
    features = _features(schema)
    if features:
        return [name for name in schema.names if features.get(name) == "Image"]
    pa = require_pyarrow()
    found = []
    for field in schema:
        kind = field.type
        if pa.types.is_struct(kind) and {kind.field(i).name for i in range(kind.num_fields)} >= {"bytes", "path"}:
            found.append(field.name)
    return found


def _open_parquet(path: PathLike) -> Any:
    pq = require_pyarrow("pyarrow.parquet")
    where = location(path)
    try:
        return pq.ParquetFile(where.open("rb") if is_remote(where) else str(where))
    except OSError as exc:
        raise AnnotationError(f"{path}: cannot be read as a Parquet file ({exc})") from None
    except Exception as exc:  # pyarrow's ArrowInvalid: not Parquet, cut short
        raise AnnotationError(f"{path}: is not a Parquet file or is cut short ({exc})") from None


@functools.lru_cache(maxsize=_GROUPS_KEPT)
def _arrow_table(path: str, stamp: int | None) -> Any:
    """The table of an Arrow file (``save_to_disk``'s stream, or the file format), mapped from
    a disk without being copied."""
    pa, ipc = require_pyarrow(files="Arrow"), require_pyarrow("pyarrow.ipc", "Arrow")
    where = location(path)
    try:
        source = pa.BufferReader(read_bytes(where, AnnotationError, "file")) if is_remote(where) else pa.memory_map(str(where))
        opened = ipc.open_file(source) if source.read(6) == b"ARROW1" else None
        if opened is None:
            source.seek(0)
            opened = ipc.open_stream(source)
        return opened.read_all()
    except LabeltoolsError:
        raise
    except OSError as exc:
        raise AnnotationError(f"{path}: cannot be read ({exc})") from None
    except Exception as exc:  # pyarrow's ArrowInvalid
        raise AnnotationError(f"{path}: is not an Arrow file of a dataset or is cut short ({exc})") from None


def _is_arrow(path: PathLike) -> bool:
    return str(path).lower().endswith(".arrow")


@functools.lru_cache(maxsize=64)
def hub_layout(path: str, stamp: int | None = None) -> HubLayout:
    """The layout of a dataset file (read once a process for each ``stamp``, the file's
    modification time as the run found it).

    Raises:
        DatasetError: pyarrow is missing; the file holds no pair of image columns, or more
            than two that their names do not tell apart.
        AnnotationError: the file cannot be read.
    """
    if _is_arrow(path):
        table = _arrow_table(path, stamp)
        schema, groups = table.schema, (table.num_rows,)
    else:
        parquet = _open_parquet(path)
        meta = parquet.metadata
        schema, groups = parquet.schema_arrow, tuple(meta.row_group(i).num_rows for i in range(meta.num_row_groups))
    images = _image_columns(schema)
    image, label, chosen = _choose_columns(path, stamp, schema.names, images, groups)
    return HubLayout(path, image, label, groups, chosen)


def _choose_columns(path: str, stamp: int | None, names: Sequence[str], images: Sequence[str], groups: Sequence[int]) -> tuple[str, str, str]:
    """The image and label columns among a file's columns of images (see :func:`hub_layout`)."""
    columns = ", ".join(names)
    rename = (
        "name them image and label (datasets: dataset.rename_columns({...}) before to_parquet or push_to_hub)"
    )
    if len(images) < 2:
        raise DatasetError(
            f"{path}: holds {len(images)} column(s) of images ({', '.join(images) or 'none'}; its columns: {columns}), "
            "and a semantic segmentation dataset holds two: the images and their label maps, each of the Image feature"
        )
    labels = [c for c in images if c.lower() in LABEL_NAMES]
    photos = [c for c in images if c.lower() in IMAGE_NAMES]
    if len(labels) == 1 and len(photos) == 1:
        return photos[0], labels[0], f"images in {photos[0]}, label maps in {labels[0]}"
    if len(images) == 2 and (len(labels) == 1 or len(photos) == 1):
        label = labels[0] if len(labels) == 1 else next(c for c in images if c != photos[0])
        image = next(c for c in images if c != label)
        return image, label, f"images in {image}, label maps in {label}"
    if len(images) == 2 and any(groups):
        modes = _first_modes(path, stamp, images)
        single = [c for c, mode in zip(images, modes) if mode in _LABEL_MODES]
        if len(single) == 1:
            image = next(c for c in images if c != single[0])
            return image, single[0], f"images in {image}, label maps in {single[0]} (its first image holds one value per pixel)"
    raise DatasetError(
        f"{path}: its columns of images ({', '.join(images)}) do not say which holds the images and which the label "
        f"maps: {rename}"
    )


def _first_modes(path: str, stamp: int | None, columns: Sequence[str]) -> list[str]:
    """The Pillow mode of the first row's image in each column ("" where it cannot be read)."""
    from PIL import Image

    modes = []
    for column in columns:
        try:
            cell = _rows(path, stamp, 0, (column,)).slice(0, 1).to_pylist()[0][column]
            with Image.open(io.BytesIO(cell["bytes"])) as image:
                modes.append(image.mode)
        except (LabeltoolsError, OSError, TypeError, KeyError, ValueError):
            modes.append("")
    return modes


def _rows(path: str, stamp: int | None, group: int, columns: Sequence[str]) -> Any:
    """A row group's columns as an Arrow table (an Arrow file's one group: its mapped table's
    columns, nothing copied); a row is made Python values (a struct: a dict) when it is read."""
    if _is_arrow(path):
        return _arrow_table(path, stamp).select(list(columns))
    try:
        return _open_parquet(path).read_row_group(group, columns=list(columns))
    except LabeltoolsError:
        raise
    except Exception as exc:  # pyarrow's ArrowInvalid, OSError: a file cut short
        raise AnnotationError(f"{path}: row group {group} cannot be read ({exc})") from None


@functools.lru_cache(maxsize=_GROUPS_KEPT)
def _kept(path: str, stamp: int | None, group: int, columns: tuple[str, ...]) -> Any:
    """:func:`_rows`, the last row groups read kept (a worker's rows come in order)."""
    return _rows(path, stamp, group, columns)


@dataclass(frozen=True)
class HubEntry:
    """What the planning of a run reads of a row: the image's recorded file name (None when it
    has none) and whether it has a label map."""

    image_name: str | None
    labelled: bool


def hub_entries(path: str, stamp: int | None = None) -> list[HubEntry]:
    """Each row's :class:`HubEntry`, read from the file's paths and label column alone (a
    Parquet file's statistics say when every row has a label map; an Arrow file is mapped).

    Raises:
        AnnotationError: the file cannot be read.
    """
    layout = hub_layout(path, stamp)
    if _is_arrow(path):
        table = _arrow_table(path, stamp)  # its chunks looked into as they are mapped (combined, they would be copied)
        names = [name for chunk in table.column(layout.image).chunks for name in chunk.field("path").to_pylist()]
        missing = [
            empty or (no_bytes and no_path)
            for chunk in table.column(layout.label).chunks
            for empty, no_bytes, no_path in zip(chunk.is_null().to_pylist(), chunk.field("bytes").is_null().to_pylist(), chunk.field("path").is_null().to_pylist())
        ]
        return [HubEntry(name, not gone) for name, gone in zip(names, missing)]
    parquet = _open_parquet(path)
    try:
        names = parquet.read(columns=[f"{layout.image}.path"]).column(layout.image).to_pylist()
        if _every_row_labelled(parquet, layout.label):
            return [HubEntry(cell and cell.get("path"), True) for cell in names]
        cells = parquet.read(columns=[layout.label]).column(layout.label).to_pylist()
    except Exception as exc:  # pyarrow's ArrowInvalid, OSError
        raise AnnotationError(f"{path}: cannot be read ({exc})") from None
    return [HubEntry(n and n.get("path"), bool(c) and (c.get("bytes") is not None or c.get("path") is not None)) for n, c in zip(names, cells)]


def _every_row_labelled(parquet: Any, label: str) -> bool:
    """Whether a Parquet file's statistics show a label file's bytes in every row."""
    meta = parquet.metadata
    wanted = f"{label}.bytes"
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        stats = next((group.column(i).statistics for i in range(group.num_columns) if group.column(i).path_in_schema == wanted), None)
        if stats is None or not stats.has_null_count or stats.null_count:
            return False
    return True


def hub_row(path: str, row: int, stamp: int | None = None) -> HubRow:
    """The image and label map of a row, encoded: the bytes the row holds, or those of the file
    its path names (as given, from the working folder, as the ``datasets`` library opens it: a
    ``to_parquet`` of images given by path keeps their paths alone; else from the dataset file's
    folder).

    Raises:
        AnnotationError: the file cannot be read, or the row holds neither a file nor its path.
    """
    layout = hub_layout(path, stamp)
    cells = _row_cells(layout, row, stamp, (layout.image, layout.label))
    source = str(HubLabelRow(path, row))
    image, label = cells[layout.image], cells[layout.label]
    image_bytes = _cell_bytes(image, path, f"{source}, {layout.image}")
    label_bytes = _cell_bytes(label, path, f"{source}, {layout.label}")
    name = (image or {}).get("path") or layout.image
    return HubRow(source, image_bytes, label_bytes, str(name))


@dataclass(frozen=True)
class HubLabelRow:
    """A row as a work item: its file, its number in the file, and the file's modification time
    as the run found it (see :func:`hub_layout`); :func:`hub_label` reads its label map alone
    (``stats``, ``weights``, ``evaluate``), :func:`hub_row` its image too (``check``, ``report``).
    ``numbered``: its id is its number in its split, its dataset recording no file names for
    its images (see :func:`~labeltools.jobs.hub_labels.hub_rows`)."""

    path: str
    row: int
    stamp: int | None = None
    numbered: bool = False

    def __str__(self) -> str:
        return f"{self.path}: row {self.row}"


def hub_label(item: HubLabelRow) -> bytes:
    """A row's label map, encoded (its image is not read): see :func:`hub_row`.

    Raises:
        AnnotationError: the file cannot be read, or the row holds no label map.
    """
    return _row_bytes(item, "label")


def hub_image(item: HubLabelRow) -> bytes:
    """A row's image, encoded (its label map is not read): see :func:`hub_row`.

    Raises:
        AnnotationError: the file cannot be read, or the row holds no image.
    """
    return _row_bytes(item, "image")


def _row_bytes(item: HubLabelRow, which: str) -> bytes:
    layout = hub_layout(item.path, item.stamp)
    column = layout.label if which == "label" else layout.image
    cell = _row_cells(layout, item.row, item.stamp, (column,))[column]
    return _cell_bytes(cell, item.path, f"{item}, {column}")


def _row_cells(layout: HubLayout, row: int, stamp: int | None, columns: tuple[str, ...]) -> dict[str, Any]:
    """A row's ``columns`` as Python values, read from its row group (kept: see :func:`_kept`)."""
    group, at = layout.place(row)
    return _kept(layout.path, stamp, group, columns).slice(at, 1).to_pylist()[0]


def _cell_bytes(cell: dict[str, Any] | None, path: str, where: str) -> bytes:
    if not cell or (cell.get("bytes") is None and not cell.get("path")):
        raise AnnotationError(f"{where}: holds no image")
    if cell.get("bytes") is not None:
        return bytes(cell["bytes"])
    named = str(cell["path"])
    tried = [location(named)]  # as the datasets library opens it: from the working folder
    if not PurePosixPath(named).is_absolute() and "://" not in named:
        tried.append(location(path).parent / named)
    for candidate in tried:
        try:
            if candidate.is_file():
                return read_bytes(candidate, AnnotationError, "image")
        except OSError:
            continue
    raise AnnotationError(f"{where}: names the file {shown(named)}, which is not there (tried {', '.join(map(str, tried))})")


def hub_table_file(path: PathLike, names: Sequence[str]) -> Any | None:
    """The class table a dataset file's repository ships: the first of ``names`` (``id2label.json``
    first) in the file's folder or the two above it (the repository's, above ``data/``; above
    ``default/train/`` of the Hub's Parquet conversion); None when there is none."""
    folder = location(path).parent
    for _ in range(3):
        for name in names:
            if (folder / name).is_file():
                return folder / name
        if folder.parent == folder:
            break
        folder = folder.parent
    return None


# --- the dataset card: which files make which split ---------------------------------------

#: A repository's dataset card, whose YAML header's ``configs`` may name the files of each split.
CARD_FILE = "README.md"


@dataclass(frozen=True)
class HubCard:
    """What a dataset card's ``configs`` say of a repository's files (see :func:`hub_card`).

    Attributes:
        path: the card.
        files: each pattern of ``data_files`` (relative to the card's folder, or to its
            configuration's ``data_dir``, as the Hub reads it: ``*`` within a folder, ``**``
            across folders) as a regular expression, with its configuration's name and its
            split; a configuration of a ``data_dir`` alone, every file below it, of no split
            (their names then say their splits, as the ``datasets`` library finds them).
        default: the configuration ``load_dataset`` reads when none is named: the one marked
            ``default: true``, else the one named ``default``; None when there is neither.
        configs: the names of its configurations, in its order.
    """

    path: str
    files: tuple[tuple[str, str | None, re.Pattern[str]], ...]
    default: str | None = None
    configs: tuple[str, ...] = ()

    def place(self, path: PathLike) -> tuple[str, str | None] | None:
        """The configuration and split (None where the file's name says it) the card gives a
        file of the repository, None for a file it does not name."""
        here = PurePosixPath(str(location(self.path).parent))
        try:
            name = str(PurePosixPath(str(location(path))).relative_to(here))
        except ValueError:
            return None
        return next(((config, split) for config, split, pattern in self.files if pattern.fullmatch(name)), None)


def hub_card(path: PathLike) -> HubCard | None:
    """The card (``README.md``) of the repository a dataset file is of, in the file's folder or
    the two above it, where its YAML header has ``configs`` naming ``data_files``: the
    configurations and splits the Hub and the ``datasets`` library read the files as; None
    where there is no such card (the files' names and folders then say their splits).

    Raises:
        DatasetError: the card's ``configs`` cannot be read (naming it), or PyYAML is missing.
    """
    card = hub_table_file(path, (CARD_FILE,))
    return None if card is None else _card(str(card), modified(card))


@functools.lru_cache(maxsize=16)
def _card(path: str, stamp: int | None) -> HubCard | None:
    text = read_bytes(path).decode("utf-8", errors="replace")
    header = re.match(r"---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|$)", text, re.S)
    if header is None or not re.search(r"^configs\s*:", header.group(1), re.M):
        return None
    yaml = require_extra("yaml", f"{path}: reading the splits a dataset card names needs PyYAML", "hub", DatasetError)
    try:
        configs = (yaml.safe_load(header.group(1)) or {}).get("configs") or []
        files = tuple(
            (str(config["config_name"]), split, _glob(pattern))
            for config in configs
            for split, patterns in _data_files(config.get("data_files"), config.get("data_dir"))
            for pattern in patterns
        )
    except (yaml.YAMLError, AttributeError, KeyError, TypeError, ValueError) as exc:
        raise DatasetError(
            f"{path}: its configs cannot be read ({shown(exc)}): each is a config_name with data_files, a path, "
            "a list of them, or a list of {split, path} (see the Hub's manual configuration of a dataset)"
        ) from None
    names = [str(config["config_name"]) for config in configs]
    marked = [str(config["config_name"]) for config in configs if config.get("default") is True]
    default = marked[0] if marked else "default" if "default" in names else None
    return HubCard(path, files, default, tuple(names)) if files else None


def _data_files(given: Any, data_dir: Any = None) -> list[tuple[str | None, list[str]]]:
    """A configuration's ``data_files`` as (split, patterns), below its ``data_dir`` where it
    has one: a pattern or a list of them is the train split's, as the ``datasets`` library reads
    it; else a list of ``{split, path}``. A ``data_dir`` alone is every file below it, of no
    split (their names say it); none without either."""
    if data_dir is not None and not isinstance(data_dir, str):
        raise ValueError(f"data_dir is {shown(data_dir)}")
    below = data_dir.removeprefix("./").strip("/") + "/" if data_dir else ""

    def placed(patterns: Any) -> list[str]:
        return [below + str(pattern).removeprefix("./") for pattern in ([patterns] if isinstance(patterns, str) else patterns)]

    if given is None:
        return [(None, [below + "**"])] if below else []
    if isinstance(given, str) or (isinstance(given, list) and given and all(isinstance(entry, str) for entry in given)):
        return [("train", placed(given))]
    if not isinstance(given, list) or not given:
        raise ValueError(f"data_files is {shown(given)}")
    return [(str(entry["split"]), placed(entry["path"])) for entry in given]


def _glob(pattern: str) -> re.Pattern[str]:
    """A ``data_files`` pattern (relative to the card's folder) as a regular expression: ``*``
    and ``?`` within a folder, ``**`` across folders, ``[...]`` a set of characters."""
    out, at = [], 0
    pattern = pattern.removeprefix("./")
    while at < len(pattern):
        if pattern.startswith("**/", at):
            out.append("(?:.*/)?")
            at += 3
        elif pattern.startswith("**", at):
            out.append(".*")
            at += 2
        elif pattern[at] in "*?":
            out.append("[^/]*" if pattern[at] == "*" else "[^/]")
            at += 1
        elif pattern[at] == "[" and (end := pattern.find("]", at + 2)) != -1:
            inner = pattern[at + 1 : end]
            out.append("[" + ("^" + inner[1:] if inner.startswith("!") else inner) + "]")
            at = end + 1
        else:
            out.append(re.escape(pattern[at]))
            at += 1
    return re.compile("".join(out))


# --- writing: a VOC dataset as a Hub repository ---------------------------------------------

#: The columns an export writes, as transformers' semantic segmentation scripts read them.
WRITTEN_COLUMNS = ("image", "label")

#: A written shard's row groups: at most this many rows, or about this many bytes.
GROUP_ROWS = 100
GROUP_BYTES = 64 << 20

#: The Hub's name of each VOC split (``val`` is ``validation`` there, as in its split patterns).
HUB_SPLITS = {"train": "train", "val": "validation", "test": "test"}


def shard_path(split: str) -> str:
    """A split's one shard in a repository, as ``push_to_hub`` names it."""
    return f"data/{HUB_SPLITS.get(split, split)}-00000-of-00001.parquet"


class ShardWriter:
    """The rows of a split written as a Parquet shard as ``push_to_hub`` writes one: an image and
    a label column of the ``Image`` feature (each file's bytes and its name), the features in the
    schema's metadata, in row groups of :data:`GROUP_ROWS` rows or :data:`GROUP_BYTES` bytes.

    Raises:
        DatasetError: pyarrow is missing.
    """

    def __init__(self, path: PathLike) -> None:
        pa = require_pyarrow()
        self._pq = require_pyarrow("pyarrow.parquet")
        cell = pa.struct([("bytes", pa.binary()), ("path", pa.string())])
        features = {"info": {"features": {name: {"_type": "Image"} for name in WRITTEN_COLUMNS}}}
        self._schema = pa.schema([(name, cell) for name in WRITTEN_COLUMNS], metadata={"huggingface": json.dumps(features)})
        self._pa = pa
        self._handle = location(path).open("wb")
        self._writer = self._pq.ParquetWriter(self._handle, self._schema)
        self._rows: list[tuple[dict[str, Any], dict[str, Any]]] = []
        self._bytes = 0
        self.rows = 0

    def add(self, image: bytes, image_name: str, label: bytes, label_name: str) -> None:
        self._rows.append(({"bytes": image, "path": image_name}, {"bytes": label, "path": label_name}))
        self._bytes += len(image) + len(label)
        self.rows += 1
        if len(self._rows) >= GROUP_ROWS or self._bytes >= GROUP_BYTES:
            self._flush()

    def _flush(self) -> None:
        if not self._rows:
            return
        columns = {name: [row[n] for row in self._rows] for n, name in enumerate(WRITTEN_COLUMNS)}
        self._writer.write_table(self._pa.Table.from_pydict(columns, schema=self._schema))
        self._rows, self._bytes = [], 0

    def close(self) -> None:
        """Write the rows left and the file's footer."""
        try:
            self._flush()
            self._writer.close()
        finally:
            self._handle.close()

    def abandon(self) -> None:
        """Close the file without finishing it (its staged name is removed by the caller)."""
        try:
            self._writer.close()
        except Exception:  # pyarrow's own errors: the file is being abandoned anyway
            pass
        self._handle.close()


def id2label_text(names: dict[int, str]) -> str:
    """``id2label.json``: each class's name by its index as text, as transformers reads it."""
    return json.dumps({str(index): name for index, name in sorted(names.items())}, indent=2, ensure_ascii=False) + "\n"


def dataset_card(splits: Sequence[str]) -> str:
    """A repository's ``README.md``: the YAML the Hub and the datasets library read to find each
    split's shard (``splits``: the VOC splits written) and the columns' features."""
    lines = ["---", "configs:", "- config_name: default", "  data_files:"]
    for split in splits:
        name = HUB_SPLITS.get(split, split)
        lines += [f"  - split: {name}", f"    path: data/{name}-*"]
    lines += ["dataset_info:", "  features:"]
    for column in WRITTEN_COLUMNS:
        lines += [f"  - name: {column}", "    dtype: image"]
    lines += [
        "---", "",
        "A semantic segmentation dataset: `image` holds the images, `label` their label maps (palette PNGs of class",
        "indices, 255 void), `id2label.json` the classes. Written by labeltools.", "",
    ]  # fmt: skip
    return "\n".join(lines)
