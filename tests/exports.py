"""Annotation exports of other tools, built in code as each tool lays them out: COCO instances,
CVAT for images 1.1 XML, Label Studio JSON, Cityscapes gtFine polygons; CamVid's class list; and
PASCAL VOC 2012 as it ships with the Semantic Boundaries Dataset's release beside it. Each
builder draws random objects (polygons, boxes, masks...) with a seeded generator, writes the
images the export names, and returns what it wrote. Shared by the tests, the ``--help``
examples and ``scripts/bench.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from labeltools import write_label, write_split

#: Cityscapes labels the builders draw: trained classes, void ones, a group label, license plate.
CITYSCAPES_DRAWN = (
    "road", "sidewalk", "building", "car", "person", "sky", "vegetation", "ego vehicle", "static",
    "cargroup", "persongroup", "license plate", "pole", "polegroup", "bicycle",
)  # fmt: skip


def photo(path: Path, width: int, height: int, seed: int, fmt: str | None = None) -> None:
    """A smooth picture of ``width`` x ``height`` (JPEG or PNG by the suffix)."""
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:height, 0:width]
    base = rng.integers(0, 255, 3)
    array = np.stack([(xs + base[0]) % 256, (ys + base[1]) % 256, ((xs + ys) // 2 + base[2]) % 256], axis=-1).astype(np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path, format=fmt or ("PNG" if path.suffix == ".png" else "JPEG"), quality=90)


def random_polygon(rng: np.random.Generator, width: int, height: int, corners: int | None = None, whole: bool = False) -> np.ndarray:
    """A star-shaped polygon inside (or partly outside) the image: ``(N, 2)`` x, y."""
    n = corners or int(rng.integers(3, 12))
    cx, cy = rng.uniform(-0.1, 1.1) * width, rng.uniform(-0.1, 1.1) * height
    radius = rng.uniform(2, max(3, min(width, height) / 3), n)
    angles = np.sort(rng.uniform(0, 2 * np.pi, n))
    points = np.stack([cx + radius * np.cos(angles), cy + radius * np.sin(angles)], axis=1)
    return np.round(points) if whole else np.round(points, 2)


def random_mask(rng: np.random.Generator, width: int, height: int) -> tuple[np.ndarray, int, int]:
    """A blob mask in a box: ``(mask, left, top)``, inside the image."""
    w, h = int(rng.integers(1, max(2, width // 3))), int(rng.integers(1, max(2, height // 3)))
    left, top = int(rng.integers(0, width - w + 1)), int(rng.integers(0, height - h + 1))
    ys, xs = np.mgrid[0:h, 0:w]
    mask = ((xs - w / 2) ** 2 / max(w / 2, 1) ** 2 + (ys - h / 2) ** 2 / max(h / 2, 1) ** 2) < rng.uniform(0.3, 1.2)
    mask |= rng.random((h, w)) < 0.05
    return mask, left, top


# --- COCO -------------------------------------------------------------------------------------


def _coco_rle(mask: np.ndarray) -> dict[str, Any]:
    """Uncompressed COCO RLE of a whole-image mask (runs down the columns, empty first)."""
    flat = np.asarray(mask, dtype=np.uint8).ravel(order="F")
    changes = np.flatnonzero(np.diff(flat)) + 1
    bounds = np.concatenate([[0], changes, [flat.size]])
    runs = np.diff(bounds).tolist()
    if flat.size and flat[0]:
        runs.insert(0, 0)
    return {"size": list(mask.shape), "counts": runs}


def coco_export(root: Path, images: int = 4, seed: int = 0, split: str = "val", size: tuple[int, int] = (64, 48)) -> Path:
    """``root/annotations/instances_<split>.json`` and ``root/images/<split>/*.jpg``: polygons,
    several-part objects, compressed and uncompressed RLEs,
    crowd regions, a box-only annotation; category ids 1, 3, 7 (not contiguous)."""
    from pycocotools import mask as masks

    rng = np.random.default_rng(seed)
    width, height = size
    categories = [{"id": 1, "name": "person"}, {"id": 3, "name": "car"}, {"id": 7, "name": "tree"}]
    doc: dict[str, Any] = {"info": {"description": "test"}, "images": [], "annotations": [], "categories": categories}
    for n in range(images):
        name = f"img_{n:04d}.jpg"
        photo(root / "images" / split / name, width, height, seed * 1000 + n)
        doc["images"].append({"id": n + 1, "file_name": name, "width": width, "height": height})
        for k in range(int(rng.integers(2, 7))):
            kind = rng.choice(["polygon", "polygon", "parts", "rle", "rle-list", "crowd", "bbox-only"])
            ann: dict[str, Any] = {"image_id": n + 1, "category_id": int(rng.choice([1, 3, 7])), "iscrowd": 0}
            if kind == "polygon":
                ann["segmentation"] = [random_polygon(rng, width, height).ravel().tolist()]
            elif kind == "parts":
                ann["segmentation"] = [random_polygon(rng, width, height).ravel().tolist() for _ in range(2)]
            elif kind in ("rle", "rle-list", "crowd"):
                mask, left, top = random_mask(rng, width, height)
                full = np.zeros((height, width), dtype=np.uint8)
                full[top : top + mask.shape[0], left : left + mask.shape[1]] = mask
                if kind == "rle":
                    rle = masks.encode(np.asfortranarray(full))
                    ann["segmentation"] = {"size": [height, width], "counts": rle["counts"].decode("ascii")}
                else:
                    ann["segmentation"] = _coco_rle(full)
                ann["iscrowd"] = int(kind == "crowd")
            else:
                ann["segmentation"] = []
            ann["bbox"] = [0, 0, 1, 1]
            ann["area"] = 1
            ann["id"] = len(doc["annotations"]) + 1
            doc["annotations"].append(ann)
    path = root / "annotations" / f"instances_{split}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc))
    return path


# --- Cityscapes -------------------------------------------------------------------------------


def cityscapes_export(
    root: Path, images: int = 3, seed: int = 0, split: str = "val", city: str = "aachen", size: tuple[int, int] = (96, 48),
    objects: tuple[int, int] = (5, 14),
) -> list[Path]:
    """``root/gtFine/<split>/<city>/<id>_gtFine_polygons.json`` with ``leftImg8bit`` PNGs:
    whole-number polygons of trained, void and group labels, license plates, deleted objects."""
    rng = np.random.default_rng(seed)
    width, height = size
    paths = []
    for n in range(images):
        stem = f"{city}_{n:06d}_000019"
        drawn = []
        for k in range(int(rng.integers(*objects))):
            label = str(rng.choice(CITYSCAPES_DRAWN))
            polygon = random_polygon(rng, width, height, whole=True).astype(int).tolist()
            obj: dict[str, Any] = {"label": label, "polygon": polygon, "id": k, "user": "test", "verified": 0, "date": ""}
            if rng.random() < 0.1:
                obj["deleted"] = 1
            drawn.append(obj)
        path = root / "gtFine" / split / city / f"{stem}_gtFine_polygons.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"imgHeight": height, "imgWidth": width, "objects": drawn}, indent=4))
        photo(root / "leftImg8bit" / split / city / f"{stem}_leftImg8bit.png", width, height, seed * 1000 + n)
        paths.append(path)
    return paths


# --- CVAT for images 1.1 ----------------------------------------------------------------------

CVAT_LABELS = (("car", "#fa3253"), ("person", "#3d3df5"), ("road", "#83e070"))


def cvat_rle(mask: np.ndarray) -> str:
    """CVAT's mask RLE: runs over the box row by row, starting with a run of empty pixels."""
    flat = np.asarray(mask, dtype=np.uint8).ravel()
    bounds = np.concatenate([[0], np.flatnonzero(np.diff(flat)) + 1, [flat.size]])
    runs = np.diff(bounds).tolist()
    if flat[0]:
        runs.insert(0, 0)
    return ", ".join(str(r) for r in runs)


def cvat_video_export(root: Path, frames: int = 5, seed: int = 0, size: tuple[int, int] = (64, 48)) -> Path:
    """``root/annotations.xml`` as CVAT writes a video task ("CVAT for video 1.1": tracks
    listing their shape at every frame they span, interpolated ones ``keyframe="0"``, some
    ``outside``; a single shape as a one-frame track ended by an outside shape; groups and z
    orders) and ``root/images/frame_<6 digits>.png``."""
    rng = np.random.default_rng(seed)
    width, height = size
    labels = "".join(f"<label><name>{name}</name><color>{color}</color><attributes></attributes></label>" for name, color in CVAT_LABELS)
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>', "<annotations>", "  <version>1.1</version>",
        f"  <meta><task><id>7</id><name>drive</name><size>{frames}</size><mode>interpolation</mode><labels>{labels}</labels>"
        f"<original_size><width>{width}</width><height>{height}</height></original_size></task></meta>",
    ]  # fmt: skip
    for n in range(frames):
        photo(root / "images" / f"frame_{n:06d}.png", width, height, seed * 1000 + n)
    for track in range(6):
        label = CVAT_LABELS[int(rng.integers(0, len(CVAT_LABELS)))][0]
        group = f' group_id="{int(rng.integers(1, 3))}"' if rng.random() < 0.3 else ""
        lines.append(f'  <track id="{track}" label="{label}" source="manual"{group}>')
        first = int(rng.integers(0, frames - 1))
        last = first if track == 5 else int(rng.integers(first, frames))  # track 5: a single shape
        kind = rng.choice(["box", "polygon", "polyline"])
        polygon = random_polygon(rng, width, height, corners=int(rng.integers(3, 9)))
        step = rng.uniform(-3, 3, 2)
        for frame in range(first, min(last + 2, frames)):
            outside = int(frame > last or (track == 2 and frame == first + 1))
            keyframe = int(frame in (first, last + 1) or outside)
            common = f'frame="{frame}" outside="{outside}" occluded="0" keyframe="{keyframe}" z_order="{int(rng.integers(0, 2))}"'
            moved = polygon + step * (frame - first)
            if kind == "box":
                (x0, y0), (x1, y1) = moved.min(axis=0), moved.max(axis=0)
                lines.append(f'    <box {common} xtl="{x0:.2f}" ytl="{y0:.2f}" xbr="{x1:.2f}" ybr="{y1:.2f}"></box>')
            else:
                points = ";".join(f"{x:.2f},{y:.2f}" for x, y in moved.tolist())
                lines.append(f'    <{kind} {common} points="{points}"></{kind}>')
        lines.append("  </track>")
    lines.append("</annotations>")
    path = root / "annotations.xml"
    path.write_text("\n".join(lines) + "\n")
    return path


def cvat_export(root: Path, images: int = 4, seed: int = 0, size: tuple[int, int] = (64, 48), rotation: bool = True) -> Path:
    """``root/annotations.xml`` (a task export) and ``root/images/*.jpg``: boxes (some turned),
    polygons, polylines, points, masks, z orders and groups."""
    rng = np.random.default_rng(seed)
    width, height = size
    labels = "".join(
        f"<label><name>{name}</name><color>{color}</color><type>any</type><attributes></attributes></label>"
        for name, color in CVAT_LABELS
    )
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>', "<annotations>", "  <version>1.1</version>",
        f"  <meta><task><id>1</id><name>t</name><size>{images}</size><mode>annotation</mode><labels>{labels}</labels></task></meta>",
    ]  # fmt: skip
    for n in range(images):
        name = f"frame_{n:06d}.jpg"
        photo(root / "images" / name, width, height, seed * 1000 + n)
        lines.append(f'  <image id="{n}" name="{name}" width="{width}" height="{height}">')
        for k in range(int(rng.integers(2, 9))):
            label = CVAT_LABELS[int(rng.integers(0, len(CVAT_LABELS)))][0]
            z = int(rng.integers(-1, 3))
            group = f' group_id="{int(rng.integers(1, 4))}"' if rng.random() < 0.3 else ""
            common = f'label="{label}" source="manual" occluded="0" z_order="{z}"{group}'
            kind = rng.choice(["box", "polygon", "polyline", "points", "mask"])
            if kind == "box":
                x0, y0 = rng.uniform(-5, width), rng.uniform(-5, height)
                x1, y1 = x0 + rng.uniform(1, 30), y0 + rng.uniform(1, 30)
                turn = f' rotation="{rng.uniform(0, 360):.2f}"' if rotation and rng.random() < 0.4 else ""
                lines.append(f'    <box {common} xtl="{x0:.2f}" ytl="{y0:.2f}" xbr="{x1:.2f}" ybr="{y1:.2f}"{turn}></box>')
            elif kind == "mask":
                mask, left, top = random_mask(rng, width, height)
                h, w = mask.shape
                lines.append(f'    <mask {common} rle="{cvat_rle(mask)}" left="{left}" top="{top}" width="{w}" height="{h}"></mask>')
            else:
                polygon = random_polygon(rng, width, height)
                points = ";".join(f"{x:.2f},{y:.2f}" for x, y in polygon.tolist())
                lines.append(f'    <{kind} {common} points="{points}"></{kind}>')
        lines.append("  </image>")
    lines.append("</annotations>")
    path = root / "annotations.xml"
    root.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


# --- Label Studio -----------------------------------------------------------------------------

LABEL_STUDIO_LABELS = ("cat", "dog", "grass")

#: The labelling configuration of the exports :func:`labelstudio_export` writes.
LABEL_STUDIO_CONFIG = (
    '<View><Image name="image" value="$image"/>'
    + "".join(
        f'<{tag} name="{name}" toName="image">' + "".join(f'<Label value="{v}"/>' for v in LABEL_STUDIO_LABELS) + f"</{tag}>"
        for tag, name in (("PolygonLabels", "polygon"), ("RectangleLabels", "rectangle"), ("BrushLabels", "brush"))
    )
    + "</View>"
)


def labelstudio_export(root: Path, images: int = 3, seed: int = 0, size: tuple[int, int] = (64, 48), brushes: list[Any] | None = None) -> Path:
    """``root/export.json`` naming uploads (``/data/upload/1/<8 hex>-<name>``) whose images are in
    ``root/images/<name>``: polygons, rectangles (some turned) and, when ``brushes`` holds one RLE
    per image (Label Studio's brush encoding of an RGBA canvas), a brush stroke."""
    rng = np.random.default_rng(seed)
    width, height = size
    tasks = []
    for n in range(images):
        name = f"photo_{n}.jpg"
        photo(root / "images" / name, width, height, seed * 1000 + n)
        results = []
        for k in range(int(rng.integers(2, 6))):
            label = LABEL_STUDIO_LABELS[int(rng.integers(0, len(LABEL_STUDIO_LABELS)))]
            common = {"id": f"r{n}_{k}", "to_name": "image", "original_width": width, "original_height": height, "image_rotation": 0}
            if rng.random() < 0.6:
                points = random_polygon(rng, width, height) / (width, height) * 100
                value = {"points": np.round(points, 4).tolist(), "polygonlabels": [label]}
                results.append({**common, "from_name": "polygon", "type": "polygonlabels", "value": value})
            else:
                value = {
                    "x": round(rng.uniform(0, 90), 3), "y": round(rng.uniform(0, 90), 3),
                    "width": round(rng.uniform(2, 40), 3), "height": round(rng.uniform(2, 40), 3),
                    "rotation": 0, "rectanglelabels": [label],
                }  # fmt: skip
                results.append({**common, "from_name": "rectangle", "type": "rectanglelabels", "value": value})
        if brushes is not None:
            value = {"format": "rle", "rle": brushes[n], "brushlabels": ["grass"]}
            results.append({"id": f"b{n}", "from_name": "brush", "to_name": "image", "original_width": width, "original_height": height, "type": "brushlabels", "value": value})
        annotation = {"id": n + 100, "completed_by": 1, "result": results, "was_cancelled": False, "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}
        prefix = f"{rng.integers(0, 16**8):08x}"
        tasks.append({"id": n + 1, "annotations": [annotation], "predictions": [], "data": {"image": f"/data/upload/1/{prefix}-{name}"}})
    path = root / "export.json"
    path.write_text(json.dumps(tasks))
    return path


def sbd_release(root: Path, sizes: dict[str, tuple[int, int]], train: list[str], val: list[str], seed: int = 0) -> dict[str, np.ndarray]:
    """The Semantic Boundaries Dataset's ``benchmark_RELEASE/dataset`` folder for the ids of
    ``sizes`` (id -> (width, height)): ``cls/<id>.mat`` as SBD's MATLAB files hold a class map
    (``GTcls``: ``Segmentation`` uint8 0..20 without borders, ``Boundaries`` one sparse map per
    class, ``CategoriesPresent``), ``inst/<id>.mat``, and ``train.txt`` / ``val.txt``. Returns
    each id's class map."""
    from scipy import io, sparse

    rng = np.random.default_rng(seed)
    maps = {}
    for folder in ("cls", "inst", "img"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    for image_id, (width, height) in sizes.items():
        classes = np.zeros((height, width), np.uint8)
        for _ in range(3):
            x, y = int(rng.integers(0, width - 2)), int(rng.integers(0, height - 2))
            classes[y : y + int(rng.integers(2, height)), x : x + int(rng.integers(2, width))] = int(rng.integers(1, 21))
        present = np.unique(classes[classes > 0]).astype(np.uint8)
        boundaries = np.empty((20, 1), dtype=object)
        for k in range(20):
            edge = (classes == k + 1) & (np.roll(classes, 1, axis=0) != k + 1)
            boundaries[k, 0] = sparse.csc_matrix(edge)
        gt = {"Boundaries": boundaries, "Segmentation": classes, "CategoriesPresent": present}
        io.savemat(root / "cls" / f"{image_id}.mat", {"GTcls": gt})
        io.savemat(root / "inst" / f"{image_id}.mat", {"GTinst": {"Segmentation": (classes > 0).astype(np.uint8), "Categories": present}})
        maps[image_id] = classes
    (root / "train.txt").write_text("".join(f"{i}\n" for i in train))
    (root / "val.txt").write_text("".join(f"{i}\n" for i in val))
    return maps


def voc_2012(root: Path, sizes: dict[str, tuple[int, int]], train: list[str], val: list[str]) -> Path:
    """A folder laid out as PASCAL VOC 2012 ships: no class table, VOC's classes with 255 borders
    in SegmentationClass/ for the ids of ``train`` and ``val``, and an image for every id of
    ``sizes`` (id -> (width, height)) in JPEGImages/, as its detection images have."""
    (root / "SegmentationClass").mkdir(parents=True)
    (root / "JPEGImages").mkdir()
    for n, (image_id, (width, height)) in enumerate(sizes.items()):
        photo(root / "JPEGImages" / f"{image_id}.jpg", width, height, n)
        if image_id in train + val:
            label = np.full((height, width), 1 + n % 20, np.uint8)
            label[0] = 255
            write_label(root / "SegmentationClass" / f"{image_id}.png", label)
    write_split(root, "train", train)
    write_split(root, "val", val)
    return root


#: CamVid's 32 classes as its label_colors.txt lists them (Kaggle's class_dict.csv copies it):
#: Void is row 30, Wall after it.
CAMVID = [
    ("Animal", 64, 128, 64), ("Archway", 192, 0, 128), ("Bicyclist", 0, 128, 192), ("Bridge", 0, 128, 64),
    ("Building", 128, 0, 0), ("Car", 64, 0, 128), ("CartLuggagePram", 64, 0, 192), ("Child", 192, 128, 64),
    ("Column_Pole", 192, 192, 128), ("Fence", 64, 64, 128), ("LaneMkgsDriv", 128, 0, 192),
    ("LaneMkgsNonDriv", 192, 0, 64), ("Misc_Text", 128, 128, 64), ("MotorcycleScooter", 192, 0, 192),
    ("OtherMoving", 128, 64, 64), ("ParkingBlock", 64, 192, 128), ("Pedestrian", 64, 64, 0), ("Road", 128, 64, 128),
    ("RoadShoulder", 128, 128, 192), ("Sidewalk", 0, 0, 192), ("SignSymbol", 192, 128, 128), ("Sky", 128, 128, 128),
    ("SUVPickupTruck", 64, 128, 192), ("TrafficCone", 0, 0, 64), ("TrafficLight", 0, 64, 64), ("Train", 192, 64, 128),
    ("Tree", 128, 128, 0), ("Truck_Bus", 192, 128, 192), ("Tunnel", 64, 0, 64), ("VegetationMisc", 192, 192, 0),
    ("Void", 0, 0, 0), ("Wall", 64, 192, 0),
]  # fmt: skip


def camvid_class_dict() -> str:
    """CamVid's classes as Kaggle's class_dict.csv lists them (a header, one row a class)."""
    return "name,r,g,b\n" + "".join(f"{n},{r},{g},{b}\n" for n, r, g, b in CAMVID)


def yolo_dataset(root: Path) -> None:
    """A YOLO segmentation dataset as Roboflow exports it: data.yaml naming ``../train/images``
    and ``../valid/images``, ``<split>/images`` beside ``<split>/labels``; polygons of three
    classes overlapping at any decimals, a vertex on the far edge (1.0), an image without a
    label file, one of detection lines alone."""
    rng = np.random.default_rng(11)
    (root).mkdir(parents=True)
    (root / "data.yaml").write_text(
        "train: ../train/images\nval: ../valid/images\n\nnc: 3\nnames: ['crack', 'pothole', 'patch']\n\n"
        "roboflow:\n  workspace: w\n  project: p\n  version: 1\n"
    )
    for split, count in (("train", 4), ("valid", 2)):
        for n in range(count):
            stem = f"road{n}_jpg.rf.{split}{n}"
            width, height = 40 + 3 * n, 30 + n
            photo(root / split / "images" / f"{stem}.jpg", width, height, seed=n)
            if split == "valid" and n == 1:
                continue  # an image of background, as Ultralytics reads one without labels
            lines = []
            if split == "train" and n == 3:
                lines = ["1 0.5 0.5 0.2 0.3", "0 0.25 0.25 0.1 0.1"]  # boxes alone: detection labels
            else:
                for _ in range(4):
                    centre = rng.uniform(0.2, 0.8, 2)
                    corners = np.clip(centre + rng.uniform(-0.3, 0.3, (int(rng.integers(3, 8)), 2)), 0, 1)
                    lines.append(" ".join([str(int(rng.integers(0, 3))), *(f"{v:.6f}" for v in corners.ravel())]))
                lines.append("2 0.9 0.9 1.0 0.95 1.0 1.0 0.92 1.0")  # on the far edges
            (root / split / "labels").mkdir(parents=True, exist_ok=True)
            (root / split / "labels" / f"{stem}.txt").write_text("\n".join(lines) + "\n")


MAPILLARY_LABELS = (
    ("construction--flat--road", "Road", (128, 64, 128)), ("object--vehicle--car", "Car", (0, 0, 142)),
    ("nature--sky", "Sky", (70, 130, 180)), ("void--unlabeled", "Unlabeled", (0, 0, 0)),
)  # fmt: skip


def mapillary_vistas(root: Path, images: int = 2, seed: int = 0) -> dict[str, np.ndarray]:
    """Mapillary Vistas 2.0 as it downloads: ``config_v2.0.json`` at the top, and for
    ``training`` and ``validation`` its ``images/``, ``v2.0/labels/`` (palette PNGs in the
    config's colours, values the labels' positions) and ``v2.0/instances/`` (16-bit PNGs,
    ``label << 8 | instance``, which Datumaro reads). Returns each image's class values by id."""
    rng = np.random.default_rng(seed)
    labels = [{"name": name, "readable": readable, "color": list(colour), "instances": True, "evaluate": True} for name, readable, colour in MAPILLARY_LABELS]
    root.mkdir(parents=True)
    (root / "config_v2.0.json").write_text(json.dumps({"labels": labels, "version": "2.0", "mapping": "public"}))
    palette = [v for _, _, colour in MAPILLARY_LABELS for v in colour]
    values = {}
    for split in ("training", "validation"):
        for n in range(images):
            image_id = f"{split}_{n:03d}"
            classes = rng.integers(0, len(MAPILLARY_LABELS), (3, 4)).repeat(5, 0).repeat(6, 1).astype(np.uint8)
            photo(root / split / "images" / f"{image_id}.jpg", 24, 15, seed=n)
            (root / split / "v2.0" / "labels").mkdir(parents=True, exist_ok=True)
            (root / split / "v2.0" / "instances").mkdir(parents=True, exist_ok=True)
            saved = Image.fromarray(classes, "P")
            saved.putpalette(palette)
            saved.save(root / split / "v2.0" / "labels" / f"{image_id}.png")
            Image.fromarray((classes.astype(np.uint16) << 8) | 1).save(root / split / "v2.0" / "instances" / f"{image_id}.png")
            values[image_id] = classes
    return values


def segmentation_mask_export(root: Path) -> Path:
    """CVAT's "Segmentation mask 1.1" export of three images (train, train, val): colour masks
    of road and car in the colours of its labelmap.txt, the third with a colour it lacks (1, 2, 3)
    in three pixels of its first row."""
    for folder in ("SegmentationClass", "JPEGImages", "ImageSets/Segmentation"):
        (root / folder).mkdir(parents=True)
    (root / "labelmap.txt").write_text("# label:color_rgb:parts:actions\nbackground:0,0,0::\nroad:128,64,128::\ncar:0,0,142::\n")
    for n, subset in enumerate(["train", "train", "val"]):
        mask = np.zeros((6, 8, 3), np.uint8)
        mask[3:] = (128, 64, 128)
        mask[1, 1:3] = (0, 0, 142)
        if n == 2:
            mask[0, 5:8] = (1, 2, 3)
        Image.fromarray(mask).save(root / "SegmentationClass" / f"im{n}.png")
        Image.new("RGB", (8, 6)).save(root / "JPEGImages" / f"im{n}.jpg")
        with open(root / "ImageSets" / "Segmentation" / f"{subset}.txt", "a") as handle:
            handle.write(f"im{n}\n")
    return root


# --- ISAT ------------------------------------------------------------------------------------


def isat_object(category: str, points: Any, layer: float, group: int = 1, iscrowd: bool = False) -> dict[str, Any]:
    """One object of an ISAT annotation, as the tool saves it."""
    points = [[float(x), float(y)] for x, y in points]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return {
        "category": category, "group": group, "segmentation": points, "area": 0.0, "layer": layer,
        "bbox": [min(xs), min(ys), max(xs), max(ys)], "iscrowd": iscrowd, "note": "",
    }  # fmt: skip


def write_isat(folder: Path, images: dict[str, tuple[tuple[int, int], list[dict[str, Any]]]], classes: list[str] | None) -> Path:
    """An ISAT folder as the tool saves it: each image's JPEG beside its ``<stem>.json``, and
    ``isat.yaml`` naming ``classes`` after ``__background__`` (none: no isat.yaml)."""
    import yaml

    folder.mkdir(parents=True)
    for n, (name, ((height, width), objects)) in enumerate(images.items()):
        photo(folder / name, width, height, n)
        info = {"description": "ISAT", "folder": "/home/annotator/images", "name": name, "width": width, "height": height, "depth": 3, "note": ""}
        (folder / f"{Path(name).stem}.json").write_text(json.dumps({"info": info, "objects": objects}, indent=4))
    if classes is not None:
        colours = ["#000000", "#ef2929", "#fcaf3e", "#fce94f", "#8ae234", "#729fcf", "#ad7fa8"]
        labels = [{"name": n, "color": colours[i % len(colours)]} for i, n in enumerate(["__background__", *classes])]
        (folder / "isat.yaml").write_text(yaml.safe_dump({"label": labels}))
    return folder


def ellipse_outline(centre: tuple[int, int], radii: tuple[int, int], shape_hw: tuple[int, int], angle: int) -> list[list[int]]:
    """An object's outline as ISAT saves a segment-anything mask: the pixel centres along the
    boundary of an ellipse drawn in an image of ``shape_hw``, traced by OpenCV."""
    import cv2

    mask = np.zeros(shape_hw, np.uint8)
    cv2.ellipse(mask, centre, radii, angle, 0, 360, 1, -1)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    return [[int(x), int(y)] for x, y in max(contours, key=len).reshape(-1, 2).tolist()]


def segment_outline(rng: np.random.Generator, width: int, height: int) -> list[list[int]]:
    """The outline of a random ellipse in an image of ``width`` x ``height`` (see :func:`ellipse_outline`)."""
    centre = (int(rng.integers(0, width)), int(rng.integers(0, height)))
    radii = (int(rng.integers(3, max(4, width // 4))), int(rng.integers(3, max(4, height // 4))))
    return ellipse_outline(centre, radii, (height, width), int(rng.integers(0, 180)))


def isat_export(folder: Path, images: int = 2, seed: int = 0, size: tuple[int, int] = (64, 48), objects: tuple[int, int] = (2, 6)) -> Path:
    """An ISAT folder of ``images`` images of layered objects of three classes, outlined as
    segment anything outlines them (see :func:`segment_outline`)."""
    rng = np.random.default_rng(seed)
    width, height = size
    drawn = {
        f"photo_{n:03d}.jpg": ((height, width), [
            isat_object(str(rng.choice(["car", "person", "road"])), segment_outline(rng, width, height), float(k), group=k)
            for k in range(1, int(rng.integers(*objects)))
        ])
        for n in range(images)
    }  # fmt: skip
    return write_isat(folder, drawn, ["car", "person", "road"])


def write_hub_parquet(path: Path, columns: dict[str, list[dict[str, Any]]], features: bool = True, row_group_size: int | None = None) -> Path:
    """A Parquet file of image columns as Hugging Face's datasets library stores them
    (``{bytes, path}`` structs, its features in the schema's metadata unless ``features`` is
    False), in row groups of ``row_group_size`` rows when given; an Arrow stream file, as
    ``save_to_disk`` writes one, for a ``.arrow`` path."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    kind = pa.struct([("bytes", pa.binary()), ("path", pa.string())])
    table = pa.table({name: pa.array(cells, type=kind) for name, cells in columns.items()})
    if features:
        meta = {"info": {"features": {name: {"_type": "Image"} for name in columns}}}
        table = table.replace_schema_metadata({"huggingface": json.dumps(meta)})
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".arrow":
        with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
    else:
        pq.write_table(table, path, row_group_size=row_group_size)
    return path


def hub_repository(root: Path, rows: dict[str, int] | None = None, seed: int = 0, size: tuple[int, int] = (40, 30), saved: bool = False) -> Path:
    """A Hugging Face dataset repository as downloaded: ``data/<split>-00000-of-00001.parquet``
    (each row a JPEG named ``<split>_<n>.jpg`` and a grey label map of classes 0..2 and 255, in
    row groups of two rows) beside ``id2label.json``; with ``saved``, the same rows as
    ``save_to_disk`` keeps them (``<split>/data-00000-of-00001.arrow`` beside its JSON files)."""
    import io

    rng = np.random.default_rng(seed)
    for number, (split, count) in enumerate((rows or {"train": 5, "validation": 2}).items()):
        images, labels = [], []
        for n in range(count):
            made = root.parent / f"{root.name}-images" / f"{split}_{n}.jpg"  # the files the rows were made of
            photo(made, *size, seed=seed + 1000 * number + n)  # no two rows of one image
            images.append({"bytes": made.read_bytes(), "path": made.name})
            buffer = io.BytesIO()
            Image.fromarray(rng.choice(np.array([0, 1, 2, 255], np.uint8), size=size[::-1])).save(buffer, format="PNG")
            labels.append({"bytes": buffer.getvalue(), "path": None})
        if saved:
            write_hub_parquet(root / split / "data-00000-of-00001.arrow", {"image": images, "label": labels})
            (root / split / "state.json").write_text(json.dumps({"_data_files": [{"filename": "data-00000-of-00001.arrow"}]}))
        else:
            write_hub_parquet(root / "data" / f"{split}-00000-of-00001.parquet", {"image": images, "label": labels}, row_group_size=2)
    (root / "id2label.json").write_text(json.dumps({"0": "background", "1": "road", "2": "car"}))
    return root
