"""The neutral annotation layer: what every annotation reader yields and the rasteriser reads.

A reader (:mod:`labeltools.formats.coco`, ``cvat``, ``datumaro``, ``labelstudio``,
``cityscapes``, ``yolo``, ``isat``) turns its tool's files into one :class:`AnnotatedImage` per image: the
image reference, its size, and its objects. An object has a class name, an instance key, a z order and one or more parts of
geometry (:class:`Geometry`), all in pixel coordinates of the image (``x`` right, ``y`` down,
pixel ``(0, 0)`` covering ``[0, 1) x [0, 1)``).

The tool a record came from decides how its geometry is filled (``fill``): pycocotools' rule
(COCO; CVAT and Label Studio, whose own converters hand their shapes to pycocotools),
Pillow's polygon fill as cityscapesScripts draws (``"cityscapes"``), OpenCV's as Ultralytics
fills a YOLO dataset's polygons (``"ultralytics"``), or scikit-image's as ISAT's converter
fills its objects (``"isat"``). The rasteriser,
:mod:`labeltools.ops.raster`, paints objects by that rule in ascending z order, later objects of
the same z order over earlier ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np
from numpy.typing import NDArray

#: How a record's polygons are filled: pycocotools' ``frPyObjects`` (COCO's ``annToMask``),
#: Pillow's ``ImageDraw.polygon`` without outline (cityscapesScripts' ``json2labelImg``), or
#: OpenCV's ``fillPoly`` of the vertices truncated to whole pixels, outline included, the larger
#: objects painted first whatever their z order (Ultralytics' ``polygons2masks_overlap``), or
#: scikit-image's ``draw.polygon`` of the vertices truncated to whole pixels, the pixel centres
#: inside or on the outline (ISAT's VOC converter).
FillRule = Literal["pycocotools", "cityscapes", "ultralytics", "isat"]
FILL_RULES: tuple[str, ...] = get_args(FillRule)

#: How objects that share an instance key become instances: ``"instance"``, objects of one label
#: and key are one instance, each painted as itself; ``"cvat"``, as CVAT's "Segmentation mask"
#: export merges a group (Datumaro's ``merge_instance_segments``): one object of the union of
#: its shapes, with the label and z order of its largest shape, painted after the shapes of no
#: group of its z order, groups in ascending id.
GroupRule = Literal["instance", "cvat"]

#: The kinds of geometry. ``polygon``: vertices ``(N, 2)``; ``box``: two corners ``(x0, y0)``,
#: ``(x1, y1)``; ``mask``: a bool array whose top-left pixel is ``offset``; ``rle``: a COCO RLE
#: (``{"size": [h, w], "counts": ...}``, compressed or not) over the whole image; ``line`` and
#: ``points``: vertices that cover no area (CVAT's polylines and points, Label Studio's key
#: points), kept for exports and left out of label maps, as their tools' mask exports leave them.
GeometryKind = Literal["polygon", "box", "mask", "rle", "line", "points"]
GEOMETRY_KINDS: tuple[str, ...] = get_args(GeometryKind)
AREA_KINDS = frozenset({"polygon", "box", "mask", "rle"})


@dataclass(frozen=True, eq=False)
class Geometry:
    """One part of an object.

    Attributes:
        kind: see :data:`GEOMETRY_KINDS`.
        points: ``(N, 2)`` float64 ``x, y`` vertices (``polygon``, ``box``, ``line``, ``points``).
        mask: ``(h, w)`` bool pixels (``mask``), its top-left pixel at ``offset`` ``(x, y)``.
        rle: a COCO RLE dict (``rle``).
    """

    kind: GeometryKind
    points: NDArray[np.float64] | None = None
    mask: NDArray[np.bool_] | None = None
    offset: tuple[int, int] = (0, 0)
    rle: dict[str, Any] | None = None

    @property
    def has_area(self) -> bool:
        """True for geometry that paints pixels into a label map."""
        return self.kind in AREA_KINDS

    @classmethod
    def of_region(cls, region: NDArray[np.bool_]) -> Geometry:
        """A ``mask`` part of the pixels of an ``(H, W)`` bool region of an image (at least one
        pixel), kept as the box they fill."""
        rows, cols = np.nonzero(region.any(axis=1))[0], np.nonzero(region.any(axis=0))[0]
        y0, y1, x0, x1 = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
        return cls("mask", mask=region[y0:y1, x0:x1], offset=(x0, y0))


@dataclass(frozen=True, eq=False)
class AnnotatedObject:
    """One object of an image.

    Attributes:
        label: the class name as the tool wrote it.
        parts: its geometry; the parts of one object are painted together.
        where: the object's place in its file, for messages (``"annotations[3] (id 17)"``).
        instance: objects with the same label and the same non-None key are one instance (CVAT
            groups, COCO annotations); None: an instance of its own.
        z_order: objects are painted in ascending z order, file order within one.
        crowd: a region to leave out of training (COCO ``iscrowd: 1``): painted void (255).
        stuff: a region of a class that has no instances (a panoptic "stuff" segment: sky,
            road): painted in the class map, in no instance map, and no object of an export.
    """

    label: str
    parts: tuple[Geometry, ...]
    where: str
    instance: Any = None
    z_order: int = 0
    crowd: bool = False
    stuff: bool = False


@dataclass(frozen=True)
class PanopticSegments:
    """The objects of an image kept as a panoptic PNG (COCO's panoptic format): each pixel's
    segment id is ``R + 256 G + 256² B``, 0 where no segment is.

    Attributes:
        png: the PNG's path.
        segments: ``(segment id, class name, crowd, thing)`` of each segment, in file order
            (``thing`` False for a category of ``isthing: 0``, stuff).
        where: the image's entry in its file, for messages.
    """

    png: str
    segments: tuple[tuple[int, str, bool, bool], ...]
    where: str


@dataclass(frozen=True, eq=False)
class AnnotatedImage:
    """One image of an annotation export and its objects.

    Attributes:
        source: the annotation file and the image's place in it, for messages.
        annotation_file: the annotation file (its time stamp dates the record).
        image: the image reference as the file gives it (a name, a path, a URL).
        candidates: where the image may be, in the order they are tried.
        height, width: the size the annotation declares (None where it declares none).
        objects: in file order.
        fill: how its polygons are filled (see :data:`FillRule`).
        warnings: what the reader left out, in words.
        problem: why the record cannot be converted (a bad object, named), or None: a bad
            object fails its image alone.
        subset: the part of the export the image belongs to (a CVAT project's subset, a COCO
            file's split), which tells apart images of one name in several subsets.
        groups: how objects sharing an instance key are painted (see :data:`GroupRule`).
        panoptic: where the objects are when they are kept as a panoptic PNG (``objects`` is
            empty then, until the PNG is read: :func:`labeltools.formats.coco.with_segments`).
        video: the video the image is a frame of (a CVAT for video export), or None: its
            neighbouring frames are near-duplicates of it.
    """

    source: str
    annotation_file: str
    image: str
    candidates: tuple[str, ...]
    height: int | None
    width: int | None
    objects: tuple[AnnotatedObject, ...]
    fill: FillRule
    warnings: tuple[str, ...] = ()
    problem: str | None = None
    subset: str | None = None
    groups: GroupRule = "instance"
    panoptic: PanopticSegments | None = None
    video: str | None = None

    @property
    def labels(self) -> set[str]:
        """The class names its objects use (its segments', when kept as a panoptic PNG)."""
        if self.panoptic is not None:
            return {segment[1] for segment in self.panoptic.segments}
        return {obj.label for obj in self.objects}


@dataclass(frozen=True)
class SourceClass:
    """A class as an annotation export declares it: its name, and the id and colour the tool
    gave it (None where it gives none)."""

    name: str
    id: int | None = None
    color: tuple[int, int, int] | None = None


@dataclass(frozen=True, eq=False)
class AnnotationExport:
    """What one annotation file holds: its images and the classes it declares (in its order;
    empty for a tool whose export declares none)."""

    path: str
    images: tuple[AnnotatedImage, ...]
    classes: tuple[SourceClass, ...] = ()
