"""Generate the labelme sample dataset bundled in ``labeltools/samples/labelme/``.

Eight synthetic street scenes (sky gradient, textured grass and asphalt, trees, bushes, cars,
people, poles, traffic lights, lane markings) with their labelme annotations. Together they hold
every shape type labelme writes, overlapping shapes, an ``__ignore__`` region, people made of
two shapes sharing a ``group_id``, a file from before labelme 4 (no ``shape_type``, colour
fields), files with embedded ``imageData`` and files with only ``imagePath`` (one with Windows
separators), and a JPEG stored sideways with an EXIF orientation tag.

Everything is computed with integer arithmetic and Pillow's drawing, without random generators
or timestamps, so rerunning the script reproduces the committed files byte for byte (with Pillow
10.3 or later: earlier releases draw some of the shapes otherwise)::

    python scripts/make_samples.py            # rewrite labeltools/samples/labelme/
    python scripts/make_samples.py --check    # exit 1 if the committed files differ
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "labeltools" / "samples" / "labelme"

LABELS = [
    "__ignore__",
    "_background_",
    "road",
    "car",
    "person",
    "tree",
    "bush",
    "pole",
    "traffic_light",
    "lane_marking",
]
JPEG_QUALITY = 85
VERSION = "5.5.0"


# --------------------------------------------------------------------------------------------
# Deterministic integer textures


def _hash(x: np.ndarray, y: np.ndarray, seed: int) -> np.ndarray:
    """Integer hash of lattice coordinates -> 0..255 (int64 arithmetic, wraps identically)."""
    h = (x * 374761393 + y * 668265263 + seed * 2147483647) & 0xFFFFFFFF
    h = ((h ^ (h >> 13)) * 1274126177) & 0xFFFFFFFF
    return (h ^ (h >> 16)) & 0xFF


def value_noise(height: int, width: int, cell: int, seed: int) -> np.ndarray:
    """Smooth noise in 0..255: hashed lattice values, bilinearly blended in integers."""
    ys, xs = np.mgrid[0:height, 0:width].astype(np.int64)
    gx, gy = xs // cell, ys // cell
    fx, fy = xs % cell, ys % cell
    v00 = _hash(gx, gy, seed)
    v10 = _hash(gx + 1, gy, seed)
    v01 = _hash(gx, gy + 1, seed)
    v11 = _hash(gx + 1, gy + 1, seed)
    top = v00 * (cell - fx) + v10 * fx
    bottom = v01 * (cell - fx) + v11 * fx
    return (top * (cell - fy) + bottom * fy) // (cell * cell)


def texture(height: int, width: int, seed: int) -> np.ndarray:
    """Two octaves of value noise centred on 0, roughly -40..40 (int64 array)."""
    coarse = value_noise(height, width, 16, seed)
    fine = value_noise(height, width, 3, seed + 7)
    return (coarse * 2 + fine) // 3 - 128 >> 2


def textured_fill(image: Image.Image, mask: Image.Image, rgb: tuple[int, int, int], seed: int) -> None:
    """Paint ``rgb`` modulated by texture where ``mask`` (mode L) is set."""
    w, h = image.size
    noise = texture(h, w, seed)[..., None]
    layer = np.clip(np.array(rgb, dtype=np.int64) + noise, 0, 255).astype(np.uint8)
    image.paste(Image.fromarray(layer), (0, 0), mask)


# --------------------------------------------------------------------------------------------
# Scene building: drawing and annotating go together


@dataclass
class Scene:
    width: int
    height: int
    seed: int
    image: Image.Image = field(init=False)
    shapes: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        w, h = self.width, self.height
        horizon = h * 2 // 5
        ys = np.arange(h, dtype=np.int64)[:, None]
        sky = np.stack(
            [90 + ys * 80 // horizon, 140 + ys * 70 // horizon, 235 - ys * 20 // horizon], axis=-1
        )
        grass = np.array([70, 125, 50], dtype=np.int64) + texture(h, w, self.seed)[..., None]
        grass = grass + (ys[..., None] - horizon) // 6
        pixels = np.where((ys < horizon)[..., None], np.broadcast_to(sky, (h, w, 3)), grass)
        self.image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")
        self.draw = ImageDraw.Draw(self.image)
        self.horizon = horizon

    def add(
        self,
        label: str,
        shape_type: str,
        points: list[list[float]],
        *,
        group_id: int | None = None,
        mask: str | None = None,
    ) -> None:
        self.shapes.append({
            "label": label,
            "points": [[round(float(x), 2), round(float(y), 2)] for x, y in points],
            "group_id": group_id,
            "description": "",
            "shape_type": shape_type,
            "flags": {},
            "mask": mask,
        })

    def _mask(self) -> tuple[Image.Image, ImageDraw.ImageDraw]:
        mask = Image.new("L", self.image.size, 0)
        return mask, ImageDraw.Draw(mask)

    def road(self, top_left: float, top_right: float, seed: int) -> None:
        w, h = self.width, self.height
        pts = [(top_left, self.horizon), (top_right, self.horizon), (w + 40, h), (-40, h)]
        poly = [(float(x), float(y)) for x, y in pts]
        mask, draw = self._mask()
        draw.polygon(poly, fill=255)
        textured_fill(self.image, mask, (105, 105, 110), seed)
        clipped = [[min(max(x, 0), w - 1), min(y, h - 1)] for x, y in poly]
        self.add("road", "polygon", clipped)

    def lane(self, top_x: float, seed: int) -> None:
        w, h = self.width, self.height
        pts = [
            (top_x, self.horizon + 4),
            (top_x + (w / 2 - top_x) * 0.4, self.horizon + (h - self.horizon) * 0.4),
            (w / 2 + seed % 3 * 8, h - 1),
        ]
        self.draw.line(pts, fill=(235, 230, 200), width=5)
        self.add("lane_marking", "linestrip", [list(p) for p in pts])

    def tree(self, x: float, base: float, radius: float, seed: int) -> None:
        trunk_w = radius / 4
        self.draw.rectangle((x - trunk_w, base - radius, x + trunk_w, base), fill=(95, 65, 40))
        cy = base - radius * 1.6
        mask, draw = self._mask()
        draw.ellipse((x - radius, cy - radius, x + radius, cy + radius), fill=255)
        textured_fill(self.image, mask, (40, 110, 45), seed)
        self.add("tree", "circle", [[x, cy], [x + radius, cy]])

    def bush(self, x: float, y: float, seed: int) -> None:
        mask, draw = self._mask()
        for i in range(5):
            r = 10 + (seed * 7 + i * 5) % 9
            cx = x + i * 9 - 18
            cy = y - (i % 2) * 7
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=255)
        textured_fill(self.image, mask, (60, 140, 60), seed)
        box = mask.getbbox()
        assert box is not None
        x1, y1, x2, y2 = box[0], box[1], box[2] - 1, box[3] - 1
        crop = np.array(mask)[y1 : y2 + 1, x1 : x2 + 1] > 0
        buf = io.BytesIO()
        Image.fromarray(crop.astype(np.uint8)).save(buf, format="PNG")
        self.add(
            "bush", "mask", [[x1, y1], [x2, y2]], mask=base64.b64encode(buf.getvalue()).decode()
        )

    def car(self, x: float, y: float, length: float, color: tuple[int, int, int], group_id: int | None = None) -> None:
        height = length * 0.45
        d = self.draw
        d.rounded_rectangle((x, y + height * 0.35, x + length, y + height), radius=6, fill=color)
        d.polygon(
            [(x + length * 0.2, y + height * 0.38), (x + length * 0.32, y),
             (x + length * 0.72, y), (x + length * 0.85, y + height * 0.38)],
            fill=tuple(c * 3 // 4 for c in color),
        )
        d.rectangle((x + length * 0.36, y + 4, x + length * 0.68, y + height * 0.33), fill=(170, 200, 220))
        for wx in (x + length * 0.22, x + length * 0.78):
            r = height * 0.2
            d.ellipse((wx - r, y + height - r, wx + r, y + height + r), fill=(25, 25, 25))
        self.add("car", "rectangle", [[x, y], [x + length, y + height + height * 0.2]], group_id=group_id)

    def person(self, x: float, feet: float, tall: float, shirt: tuple[int, int, int], group_id: int) -> None:
        head = tall / 8
        neck = feet - tall + 2 * head
        body = [
            (x - tall * 0.12, neck), (x + tall * 0.12, neck), (x + tall * 0.1, feet - tall * 0.45),
            (x + tall * 0.08, feet), (x + 1, feet), (x, feet - tall * 0.35), (x - 1, feet),
            (x - tall * 0.08, feet), (x - tall * 0.1, feet - tall * 0.45),
        ]
        self.draw.polygon(body, fill=shirt)
        self.draw.polygon(body[2:], fill=(45, 45, 70))
        cy = neck - head
        self.draw.ellipse((x - head, cy - head, x + head, cy + head), fill=(225, 180, 150))
        self.add("person", "polygon", [list(p) for p in body], group_id=group_id)
        self.add("person", "circle", [[x, cy], [x + head, cy]], group_id=group_id)

    def pole(self, x: float, base: float, tall: float, light: bool) -> None:
        top = base - tall
        self.draw.line([(x, base), (x + 3, top)], fill=(80, 80, 85), width=7)
        self.add("pole", "line", [[x, base], [x + 3, top]])
        if light:
            self.draw.rectangle((x - 4, top - 18, x + 10, top + 2), fill=(30, 30, 30))
            self.draw.ellipse((x - 1, top - 14, x + 7, top - 6), fill=(230, 40, 30))
            self.add("traffic_light", "point", [[x + 3, top - 10]])

    def billboard(self, x: float, y: float) -> None:
        """A blurry sign nobody can label reliably: an ``__ignore__`` region."""
        w, h = 70, 40
        ys, xs = np.mgrid[0:h, 0:w]
        stripes = ((xs // 5 + ys // 5) % 2 * 60 + 150).astype(np.uint8)
        patch = Image.fromarray(np.stack([stripes, stripes - 40, stripes // 2], axis=-1), "RGB")
        self.image.paste(patch, (int(x), int(y)))
        self.draw.line([(x + 10, y + h), (x + 10, y + h + 30)], fill=(60, 60, 60), width=4)
        self.draw.line([(x + w - 10, y + h), (x + w - 10, y + h + 30)], fill=(60, 60, 60), width=4)
        self.add("__ignore__", "rectangle", [[x - 2, y - 2], [x + w + 1, y + h + 1]])

    def tilted_car(self, center: tuple[float, float], seed: int) -> None:
        """A parked car seen at an angle, annotated as an oriented rectangle (labelme >= 6.2)."""
        cx, cy = center
        ux, uy = 34.0, -10.0  # half length along the car
        vx, vy = 6.0, 20.0  # half width across it
        corners = [
            (cx - ux - vx, cy - uy - vy), (cx + ux - vx, cy + uy - vy),
            (cx + ux + vx, cy + uy + vy), (cx - ux + vx, cy - uy + vy),
        ]
        mask, draw = self._mask()
        draw.polygon(corners, fill=255)
        textured_fill(self.image, mask, (200, 170, 40), seed)
        self.add("car", "oriented_rectangle", [list(p) for p in corners])

    def jpeg(self, image: Image.Image | None = None, **save: Any) -> bytes:
        buf = io.BytesIO()
        (image or self.image).save(buf, format="JPEG", quality=JPEG_QUALITY, **save)
        return buf.getvalue()


# --------------------------------------------------------------------------------------------
# The eight scenes


def scene_1() -> Scene:
    s = Scene(400, 300, seed=1)
    s.road(170, 230, seed=11)
    s.lane(200, seed=1)
    s.tree(60, 190, 36, seed=12)
    s.tree(345, 175, 30, seed=13)
    s.bush(100, 205, seed=1)
    s.car(200, 205, 120, (180, 30, 35), group_id=None)
    s.car(250, 225, 130, (30, 60, 170))  # overlaps the red car
    s.person(80, 280, 90, (200, 60, 60), group_id=1)
    s.pole(370, 260, 150, light=True)
    return s


def scene_2() -> Scene:
    s = Scene(400, 300, seed=2)
    s.road(150, 250, seed=21)
    s.lane(195, seed=2)
    s.tree(330, 200, 40, seed=22)
    s.billboard(40, 80)
    s.car(140, 190, 100, (230, 230, 230))
    s.person(300, 285, 100, (60, 130, 200), group_id=1)
    s.person(330, 280, 80, (240, 200, 40), group_id=2)
    s.pole(20, 270, 160, light=True)
    return s


def scene_3() -> Scene:
    s = Scene(320, 240, seed=3)
    s.road(130, 190, seed=31)
    s.lane(160, seed=3)
    s.tree(40, 150, 28, seed=32)
    s.tree(80, 160, 24, seed=33)  # overlaps the first tree
    s.bush(260, 170, seed=3)
    s.car(150, 165, 90, (40, 150, 60))
    s.pole(250, 220, 120, light=False)
    return s


def scene_4() -> Scene:
    s = Scene(400, 300, seed=4)
    s.road(180, 220, seed=41)
    s.lane(200, seed=4)
    s.tree(350, 185, 34, seed=42)
    s.bush(60, 200, seed=4)
    s.bush(120, 215, seed=5)
    s.tilted_car((110, 250), seed=43)
    s.car(210, 200, 110, (120, 40, 140))
    s.person(260, 290, 95, (230, 120, 30), group_id=1)  # in front of the car
    s.pole(30, 275, 170, light=True)
    return s


def scene_5() -> Scene:
    s = Scene(400, 300, seed=5)
    s.road(160, 240, seed=51)
    s.lane(200, seed=5)
    s.tree(70, 185, 38, seed=52)
    s.tree(320, 190, 32, seed=53)
    s.billboard(280, 60)
    s.car(120, 215, 120, (210, 140, 20))
    s.person(60, 285, 85, (90, 90, 200), group_id=1)
    s.pole(380, 265, 150, light=True)
    return s


def scene_6() -> Scene:
    s = Scene(400, 300, seed=6)
    s.road(175, 225, seed=61)
    s.lane(200, seed=6)
    s.tree(50, 180, 30, seed=62)
    s.bush(340, 210, seed=6)
    s.car(40, 220, 125, (20, 20, 25))
    s.car(230, 205, 105, (160, 160, 170))
    s.person(200, 295, 110, (50, 170, 120), group_id=1)
    s.person(230, 290, 100, (180, 50, 150), group_id=2)
    s.pole(380, 270, 160, light=False)
    return s


def scene_7() -> Scene:
    """Stored sideways, with EXIF orientation 6: annotations are in the displayed frame."""
    s = Scene(400, 300, seed=7)
    s.road(165, 235, seed=71)
    s.lane(200, seed=7)
    s.tree(340, 185, 36, seed=72)
    s.bush(70, 205, seed=7)
    s.car(100, 210, 130, (0, 110, 160))
    s.person(300, 285, 90, (220, 220, 60), group_id=1)
    s.pole(20, 265, 150, light=True)
    return s


def scene_8() -> Scene:
    """Written by labelme 3.x: polygons only, no shape_type or group_id, colour fields."""
    s = Scene(400, 300, seed=8)
    s.road(160, 240, seed=81)
    s.tree(330, 190, 34, seed=82)
    s.car(110, 200, 120, (200, 50, 40))
    s.person(80, 290, 100, (60, 60, 160), group_id=1)
    return s


def _old_format(scene: Scene, image_name: str, image_bytes: bytes) -> dict[str, Any]:
    shapes = []
    for shape in scene.shapes:
        if shape["shape_type"] == "circle":
            # no circles before labelme 3: an old file holds the head as a polygon
            (cx, cy), (px, _) = shape["points"]
            r = px - cx
            points = [[round(cx + r * c), round(cy + r * s)] for c, s in
                      ((1, 0), (0.7, 0.7), (0, 1), (-0.7, 0.7), (-1, 0), (-0.7, -0.7), (0, -1), (0.7, -0.7))]
        elif shape["shape_type"] == "rectangle":
            (x0, y0), (x1, y1) = shape["points"]
            points = [[round(x0), round(y0)], [round(x1), round(y0)], [round(x1), round(y1)], [round(x0), round(y1)]]
        else:
            points = [[round(x), round(y)] for x, y in shape["points"]]
        shapes.append({"label": shape["label"], "line_color": None, "fill_color": None, "points": points})
    return {
        "flags": {},
        "shapes": shapes,
        "lineColor": [0, 255, 0, 128],
        "fillColor": [255, 0, 0, 128],
        "imagePath": image_name,
        "imageData": base64.b64encode(image_bytes).decode(),
    }


def _document(scene: Scene, image_path: str, image_data: bytes | None, version: str = VERSION) -> dict[str, Any]:
    return {
        "version": version,
        "flags": {},
        "shapes": scene.shapes,
        "imagePath": image_path,
        "imageData": base64.b64encode(image_data).decode() if image_data is not None else None,
        "imageHeight": scene.height,
        "imageWidth": scene.width,
    }


def build() -> dict[str, bytes]:
    """Every sample file, by name."""
    files: dict[str, bytes] = {}

    def put_json(name: str, doc: dict[str, Any]) -> None:
        files[name] = (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

    plain = {1: scene_1, 3: scene_3, 4: scene_4, 5: scene_5, 6: scene_6}
    for number, make in plain.items():
        scene = make()
        stem = f"street_{number:02d}"
        image = scene.jpeg()
        files[f"{stem}.jpg"] = image
        image_path = f"{stem}.jpg"
        if number == 5:
            image_path = f".\\{stem}.jpg"  # written on Windows
        version = "6.3.1" if number == 4 else VERSION
        put_json(f"{stem}.json", _document(scene, image_path, None, version))

    # labelme's default: the image embedded in the annotation (and kept beside it)
    scene = scene_2()
    image = scene.jpeg()
    files["street_02.jpg"] = image
    put_json("street_02.json", _document(scene, "street_02.jpg", image))

    # stored rotated a quarter turn with EXIF orientation 6 ("rotate 90 clockwise to display")
    scene = scene_7()
    stored = scene.image.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    files["street_07.jpg"] = scene.jpeg(stored, exif=exif.tobytes())
    put_json("street_07.json", _document(scene, "street_07.jpg", None))

    scene = scene_8()
    image = scene.jpeg()
    files["street_08.jpg"] = image
    put_json("street_08.json", _old_format(scene, "street_08.jpg", image))

    files["labels.txt"] = ("\n".join(LABELS) + "\n").encode()
    return dict(sorted(files.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT, help="folder to write (default: the bundled sample)")
    parser.add_argument("--check", action="store_true", help="compare with the folder instead of writing")
    args = parser.parse_args(argv)
    files = build()
    if args.check:
        existing = {p.name for p in args.output.iterdir()} if args.output.is_dir() else set()
        differ = [n for n, data in files.items() if not (args.output / n).is_file() or (args.output / n).read_bytes() != data]
        extra = sorted(existing - set(files))
        for name in differ:
            print(f"differs: {args.output / name}")
        for name in extra:
            print(f"not generated: {args.output / name}")
        return 1 if differ or extra else 0
    args.output.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (args.output / name).write_bytes(data)
    total = sum(len(d) for d in files.values())
    print(f"wrote {len(files)} files ({total / 1024:.0f} KiB) to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
