"""Cityscapes polygon annotations (``*_gtFine_polygons.json``) -> the neutral annotation layer.

One file per image: ``imgHeight``, ``imgWidth`` and ``objects``, each a ``label`` and a
``polygon`` of ``[x, y]`` points; an object with ``deleted`` set is left out, as
cityscapesScripts leaves it out. Polygons are filled as cityscapesScripts' ``json2labelImg``
fills them (Pillow, no outline), in file order.

The image of ``<root>/gtFine/<split>/<city>/<name>_gtFine_polygons.json`` is
``<root>/leftImg8bit/<split>/<city>/<name>_leftImg8bit.png``; its dataset id is ``<name>``.

Label maps of the same folders (``<name>_gtFine_labelIds.png``, ``..._labelTrainIds.png``) are
found by :func:`label_maps`, and a frame's prediction by :func:`frame_prefixes`, as
cityscapesScripts' evaluation finds it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from labeltools.core.annotations import (
    AnnotatedImage,
    AnnotatedObject,
    AnnotationExport,
    Geometry,
)
from labeltools.core.classes import CITYSCAPES_LABELS, ClassTable
from labeltools.core.errors import AnnotationError, DatasetError, shown
from labeltools.engine.storage import list_files, location
from labeltools.formats.sources import BadObject, flat_pairs, image_size, polygons_array, read_json
from labeltools.formats.voc import dataset_class_table, is_voc_root, tables_disagree

log = logging.getLogger(__name__)

#: The folders Cityscapes keeps its annotations in (fine and coarse), one folder per split inside;
#: its images are in ``leftImg8bit`` beside them.
GT_FOLDERS = ("gtFine", "gtCoarse")
IMAGES_FOLDER = "leftImg8bit"

#: The file name ending of Cityscapes polygon annotations (fine and coarse).
SUFFIXES = ("_gtFine_polygons.json", "_gtCoarse_polygons.json")
IMAGE_SUFFIX = "_leftImg8bit.png"


def is_cityscapes_name(name: str) -> bool:
    return name.endswith(SUFFIXES)


def cityscapes_id(path: Path) -> str:
    """``aachen_000000_000019`` of ``aachen_000000_000019_gtFine_polygons.json`` (and of its
    label maps, ``..._gtFine_labelIds.png``)."""
    name = path.name
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    found = frame_map(name)
    return found[0] if found is not None else path.stem


#: Cityscapes' label maps of a frame by the ids they hold: fine and coarse, label ids and train ids.
LABEL_MAPS = {
    "labelIds": ("_gtFine_labelIds.png", "_gtCoarse_labelIds.png"),
    "trainIds": ("_gtFine_labelTrainIds.png", "_gtCoarse_labelTrainIds.png"),
}
#: Cityscapes' colour masks of a frame, fine and coarse.
COLOUR_MAPS = ("_gtFine_color.png", "_gtCoarse_color.png")
#: Every map of a frame by what it holds, as the ends of its name.
FRAME_MAPS = {**LABEL_MAPS, "instanceIds": ("_gtFine_instanceIds.png", "_gtCoarse_instanceIds.png"), "colours": COLOUR_MAPS}
#: How to name the label maps of a kind to the user.
MAP_NAMES = {"labelIds": "*_labelIds.png", "trainIds": "*_labelTrainIds.png"}

#: The other files of a gtFine folder beside its label maps, and what they hold.
OTHER_MAPS = {
    "_labelTrainIds.png": "trainIds already",
    "_instanceIds.png": "instance ids, labelId * 1000 + instance,",
    "_color.png": "colours",
}


def is_label_map(name: str) -> bool:
    """True for the name of a Cityscapes label map (``*_gtFine_labelIds.png``, ...)."""
    found = frame_map(name)
    return found is not None and found[1] in LABEL_MAPS


def frame_map(name: str) -> tuple[str, str] | None:
    """``(frame, kind)`` of one of a frame's maps (see :data:`FRAME_MAPS`), else None."""
    for kind, ends in FRAME_MAPS.items():
        for end in ends:
            if name.endswith(end):
                return name[: -len(end)], kind
    return None


def renamed_map(stem: str, kind: str) -> str:
    """The stem of a frame's map of ``kind`` (a key of :data:`FRAME_MAPS`) made of the map
    ``stem`` names, as cityscapesScripts names each (``X_gtFine_color`` with ``"trainIds"``:
    ``X_gtFine_labelTrainIds``): a map written under its source's name holds what another
    tool reads by that name as other ids or as colours. Any other stem is returned as it is."""
    found = frame_map(stem + ".png")
    if found is None or found[1] == "instanceIds":
        return stem
    frame, held = found
    fine_or_coarse = next(i for i, end in enumerate(FRAME_MAPS[held]) if (stem + ".png").endswith(end))
    return frame + FRAME_MAPS[kind][fine_or_coarse].removesuffix(".png")


def map_frame(name: str) -> str:
    """``frankfurt_000000_000294`` of ``frankfurt_000000_000294_gtFine_labelIds.png`` (a frame's
    map without its ending; any other name without its extension)."""
    found = frame_map(name)
    return found[0] if found is not None else name.rsplit(".", 1)[0]


def frame_prefixes(name: str) -> list[str]:
    """The frames a file named ``name`` may be of, as cityscapesScripts finds a frame's
    prediction by ``<frame>*.png``: its name up to each ``_``, and whole without its extension
    (``a_b.png``: ``a``, ``a_b``)."""
    parts = name.rsplit(".", 1)[0].split("_")
    return ["_".join(parts[: i + 1]) for i in range(len(parts))]


def label_maps(folder: Any, split: str | None = None) -> dict[str, list[Any]] | None:
    """The Cityscapes label maps under ``folder`` (sub-folders searched: ``gtFine/val`` holds one
    folder per city), by the ids they hold (see :data:`LABEL_MAPS`); None for a VOC folder, a
    folder holding none or none at all.

    Raises:
        DatasetError: a ``split`` asked of a Cityscapes folder, which has no split lists.
    """
    root = location(folder)
    if is_voc_root(root) or not root.is_dir():  # a missing folder is the job's to report
        return None
    found = list_files(folder, tuple(end.lower() for ends in LABEL_MAPS.values() for end in ends), recursive=True)
    if not found:
        return None
    if split is not None:
        raise DatasetError(f"{folder}: a Cityscapes folder has no split lists; give the split's folder (gtFine/{split})")
    return {kind: [p for p in found if p.name.endswith(ends)] for kind, ends in LABEL_MAPS.items()}


def chosen_maps(folder: Any, found: dict[str, list[Any]], want: str) -> tuple[str, list[Any], str]:
    """Which of a Cityscapes folder's label maps (``found`` by :func:`label_maps`) to read: those
    holding ``want`` ids (``labelIds`` or ``trainIds``) when it has them, else the others.

    Returns:
        ``(kind, files, what was chosen)``, the last for the user: ``7 *_labelIds.png under
        gtFine/val (not its 7 *_labelTrainIds.png)``.

    Raises:
        DatasetError: the maps lie in several splits' folders (``gtFine`` itself was given).
    """
    kind = want if found[want] else next(k for k in found if k != want)
    splits = sorted({p.parent.parent.name for p in found[kind] if p.parent.parent.parent.name in GT_FOLDERS})
    if len(splits) > 1:
        raise DatasetError(f"{folder}: holds the Cityscapes splits {', '.join(splits)}; give one of them ({folder}/{splits[-1]})")
    others = [f"{len(files)} {MAP_NAMES[k]}" for k, files in found.items() if k != kind and files]
    chosen = f"{len(found[kind])} {MAP_NAMES[kind]} under {folder}" + (f" (not its {', '.join(others)})" if others else "")
    return kind, found[kind], chosen


#: Labels cityscapesScripts never draws (their label id is negative: the license plate).
UNDRAWN = frozenset(name for name, index, _, _ in CITYSCAPES_LABELS if index < 0)


def painted_label(label: str, known: set[str] | dict[str, int]) -> str | None:
    """The label an object is painted as, as cityscapesScripts paints it: its own, or for an
    unknown ``<label>group``, ``<label>`` (``cargroup`` is painted as ``car``); None for a label
    it never draws (``license plate``)."""
    if label not in known and label.endswith("group") and label[: -len("group")] in known:
        label = label[: -len("group")]
    return None if label in UNDRAWN else label


def gt_folder(path: Any) -> Any | None:
    """The ``gtFine`` (or ``gtCoarse``) folder ``path`` is, or is under; None when there is none."""
    return next((folder for folder in (path, *path.parents) if folder.name in GT_FOLDERS), None)


#: The class tables an export of label maps in Cityscapes' layout keeps beside its ``gtFine``
#: when its classes are not Cityscapes' (Datumaro's and CVAT's "Cityscapes" export of their own
#: labels, ``r g b name`` lines): its maps' label ids are their rows, as Datumaro reads them.
EXPORT_TABLES = ("dataset_meta.json", "label_colors.txt")


def export_class_table(found: dict[str, list[Any]]) -> ClassTable | None:
    """The class table the export of a folder's label maps (``found`` by :func:`label_maps`)
    keeps beside its ``gtFine`` (see :data:`EXPORT_TABLES`): the ids its labelIds maps hold;
    None for Cityscapes' own labels."""
    first = next((path for paths in found.values() for path in paths), None)
    gt = gt_folder(location(first)) if first is not None else None
    tables = [gt.parent / name for name in EXPORT_TABLES] if gt is not None else []
    return next((ClassTable.load(table) for table in tables if table.is_file()), None)


#: How a table of an export's own labels is said (see :func:`export_class_table`).
EXPORT_TABLE_SAID = "the list the export came with (its maps' label ids are its rows, as Datumaro reads them)"


def export_maps(
    folder: Any, found: dict[str, list[Any]], classes: ClassTable | Any = None, num_classes: int | None = None
) -> tuple[ClassTable, list[Any], str] | None:
    """For a folder whose maps' export keeps labels of its own (see :func:`export_class_table`):
    that table, its labelIds maps, and what was chosen, for the user; None for Cityscapes' own,
    and for ``classes`` given that name the labels otherwise (said: they are used, as asked).

    Raises:
        DatasetError: ``num_classes`` that is not the number of the export's labels.
    """
    own = export_class_table(found)
    if own is None:
        return None
    given = dataset_class_table(None, own if classes is None else classes, num_classes)
    if given is not None and (what := tables_disagree(given, own)) is not None:
        log.warning("%s, which names the label ids of its maps; using %s, as asked", what, given.source)
        return None
    _, paths, chosen = chosen_maps(folder, found, "labelIds")
    return own, paths, f"{chosen}; classes: {own.described}, {EXPORT_TABLE_SAID}"


def image_candidates(path: Path, images_dir: Path | None) -> tuple[str, ...]:
    """``leftImg8bit/<split>/<city>/<id>_leftImg8bit.png`` beside the ``gtFine`` folder a
    frame's file (its polygons, one of its maps) is under (``images_dir`` first: by the same ``<split>/<city>/`` path, in it
    or in its ``leftImg8bit/`` (a download's folder or zip), then by name), then beside the file."""
    name = cityscapes_id(path) + IMAGE_SUFFIX
    gt = gt_folder(path)
    inner = str(path.parent.relative_to(gt)) if gt is not None else None
    found = []
    if images_dir is not None:
        if inner not in (None, "."):
            found += [str(images_dir / inner / name), str(images_dir / IMAGES_FOLDER / inner / name)]  # given leftImg8bit/, or the folder holding it
        found.append(str(images_dir / name))
    if gt is not None and inner is not None:
        found.append(str(gt.parent / IMAGES_FOLDER / inner / name))
        found.append(str(gt.parent / "imgsFine" / IMAGES_FOLDER / inner / name))  # where Datumaro 0.x and CVAT wrote them
    found.append(str(path.parent / name))
    return tuple(dict.fromkeys(found))


def read_cityscapes(path: Any, images_dir: Path | None = None) -> AnnotationExport:
    """Read one Cityscapes polygon file (see :func:`parse_cityscapes`)."""
    path = location(path)
    return parse_cityscapes(read_json(path), path, images_dir)


def parse_cityscapes(doc: Any, path: Path, images_dir: Path | None = None) -> AnnotationExport:
    """One Cityscapes polygon document as a record (a bad object fails the image alone).

    Raises:
        AnnotationError: the document is not a Cityscapes polygon annotation.
    """
    if not isinstance(doc, dict) or not isinstance(doc.get("objects"), list):
        raise AnnotationError(f"{path}: not a Cityscapes polygon annotation (it needs an 'objects' list)")
    objects = []
    height = width = None
    problem = None
    try:
        height, width = image_size(doc.get("imgHeight"), doc.get("imgWidth"), "imgHeight x imgWidth")
        kept: list[tuple[str, str, list[Any]]] = []  # label, place, flat points
        for n, raw in enumerate(doc["objects"]):
            what = f"objects[{n}]"
            if not isinstance(raw, dict):
                raise BadObject(f"{what} must be an object, got {shown(raw)}")
            if raw.get("deleted"):
                continue
            label = raw.get("label")
            if not isinstance(label, str) or not label:
                raise BadObject(f"{what}: 'label' must be a non-empty string, got {shown(label)}")
            kept.append((label, what, flat_pairs(raw.get("polygon"), f"{what} (label {shown(label)}): 'polygon'")))

        def named(i: int) -> str:
            return f"{kept[i][1]} (label {shown(kept[i][0])}).polygon"

        flats = [flat for _, _, flat in kept]
        for (label, what, _), points in zip(kept, polygons_array(flats, named, 3)):
            objects.append(AnnotatedObject(label, (Geometry("polygon", points),), what))
    except BadObject as exc:
        problem = f"{path}: {exc}"
    record = AnnotatedImage(
        source=str(path), annotation_file=str(path), image=cityscapes_id(path) + IMAGE_SUFFIX,
        candidates=image_candidates(path, images_dir), height=height, width=width,
        objects=tuple(objects), fill="cityscapes", problem=problem,
    )  # fmt: skip
    return AnnotationExport(str(path), (record,))
