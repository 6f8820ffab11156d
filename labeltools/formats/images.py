"""The image an annotation belongs to: found, opened (header only) and decoded upright.

Every annotation reader hands its image here, so that an image is read, turned by its EXIF
orientation and checked against the size its annotation declares in one way for every tool.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import PIL.Image
import PIL.ImageOps

from labeltools.core.annotations import AnnotatedImage
from labeltools.core.errors import AnnotationError, shown
from labeltools.engine.storage import existing_file, is_remote, location
from labeltools.formats.labels import PIL_ERRORS, image_file, open_pillow, read_image_bytes

#: The EXIF tag holding an image's orientation; the orientations that flip or turn the stored
#: pixels (1 is upright), and those among them that turn by 90 degrees, so that the displayed
#: width is the stored height.
EXIF_ORIENTATION = 0x0112

_TRANSPOSING_ORIENTATIONS = frozenset(range(2, 9))

SIDE_SWAPPING_ORIENTATIONS = frozenset({5, 6, 7, 8})


@dataclass(frozen=True, eq=False)
class SourceImage:
    """The image of an annotation, opened but not decoded.

    Attributes:
        source: what the image is called in messages (``"<json>: image <path>"`` or
            ``"<json>: 'imageData'"``).
        path: the image file, or ``None`` for embedded ``imageData``.
        format: Pillow's format name (``"JPEG"``, ``"PNG"``, ...).
        mode: Pillow's mode of the stored pixels (``"RGB"``, ``"RGBA"``, ``"L"``, ``"P"``, ...).
        orientation: EXIF orientation that :meth:`decode` applies (1 = none; embedded data is
            always 1, it is used as is).
        width, height: size as displayed, i.e. after the orientation.
        stored: the encoded bytes when they were read to open it (see :attr:`data`).
    """

    source: str
    path: Path | None
    format: str
    mode: str
    orientation: int
    width: int
    height: int
    stored: bytes | None = None

    @functools.cached_property
    def data(self) -> bytes:
        """The encoded bytes exactly as stored (file contents or decoded ``imageData``): those
        read to open it, else the file's, read on first use.

        Raises:
            AnnotationError: the file can no longer be read.
        """
        if self.stored is not None:
            return self.stored
        assert self.path is not None
        return read_image_bytes(self.path, AnnotationError, "image")

    @property
    def needs_transpose(self) -> bool:
        """True when the stored pixels must be rotated or flipped to be displayed."""
        return self.orientation != 1

    def decode(self) -> PIL.Image.Image:
        """Decode the pixels, EXIF orientation applied.

        Returns:
            A loaded Pillow image of size ``(width, height)`` in the stored mode.

        Raises:
            AnnotationError: the pixel data is truncated or corrupt.
        """
        image = open_pillow(self.data, self.source, AnnotationError)
        try:
            image.load()
        except PIL_ERRORS as exc:
            raise AnnotationError(f"{self.source}: cannot decode the image ({exc})") from None
        if self.orientation != 1:
            image = PIL.ImageOps.exif_transpose(image)
        return image


#: Where a PNG can keep EXIF: an ``eXIf`` chunk, or ImageMagick's raw-profile text chunk.
_PNG_EXIF_MARKERS = (b"eXIf", b"Raw profile type exif")


def _exif_orientation(image: PIL.Image.Image, data: bytes | None) -> int:
    """The EXIF orientation of an opened image (1 when it has none or an invalid one).

    Pillow reads a PNG's EXIF by decoding every pixel (the chunk may follow the pixel data), so
    a PNG whose bytes (given: ``data``) hold no EXIF chunk is not asked.
    """
    if image.format == "PNG" and not any(marker in (data or b"") for marker in _PNG_EXIF_MARKERS):
        return 1
    value = image.getexif().get(EXIF_ORIENTATION, 1)
    return value if value in _TRANSPOSING_ORIENTATIONS else 1


def open_image(
    data: bytes,
    path: Path | None,
    source: str,
    owner: str,
    declared: tuple[int | None, int | None] = (None, None),
    declared_as: tuple[str, str] = ("height", "width"),
    exif: bool | None = None,
) -> SourceImage:
    """Open an image's bytes (header only) as a :class:`SourceImage`, its EXIF orientation read
    (not for embedded data, ``path`` None, unless ``exif``: a Hugging Face dataset's images are
    turned upright by their EXIF as the ``datasets`` library decodes them).

    Args:
        data: the encoded image; ``path`` the file it was read from.
        source: the image in messages; ``owner`` the annotation that declares its size.
        declared: the height and width the annotation gives (None: not given), named
            ``declared_as`` in messages.

    Raises:
        AnnotationError: not an image, unreadable EXIF, or a size other than the declared one.
    """
    opened = open_pillow(data, source, AnnotationError)
    return _source_image(opened, data, path, source, owner, declared, declared_as, path is not None if exif is None else exif)


def open_image_file(
    path: Path,
    source: str,
    owner: str,
    declared: tuple[int | None, int | None] = (None, None),
    declared_as: tuple[str, str] = ("height", "width"),
) -> SourceImage:
    """Open an image file as :func:`open_image` opens its bytes. A file on a disk is read no
    further than its header (its bytes are read when asked for, see :attr:`SourceImage.data`):
    an export that links it or writes no image reads a large photo's header alone. A PNG, whose
    EXIF may follow its pixels, and an object of a store are read whole.

    Raises:
        AnnotationError: as :func:`open_image`; the file is missing, unreadable or over the
            byte limit (see :func:`~labeltools.formats.labels.read_image_bytes`).
    """
    if not is_remote(location(path)):
        with open_pillow(image_file(path, AnnotationError, "image"), source, AnnotationError, "image") as image:
            if image.format != "PNG":
                return _source_image(image, None, path, source, owner, declared, declared_as)
    return open_image(read_image_bytes(path, AnnotationError, "image"), path, source, owner, declared, declared_as)


def _source_image(
    image: PIL.Image.Image,
    data: bytes | None,
    path: Path | None,
    source: str,
    owner: str,
    declared: tuple[int | None, int | None],
    declared_as: tuple[str, str],
    exif: bool = True,
) -> SourceImage:
    """The :class:`SourceImage` of an opened image (see :func:`open_image`); ``data`` its bytes
    when read (a PNG's always are); its EXIF orientation read when ``exif``."""
    try:
        orientation = _exif_orientation(image, data) if exif else 1
    except PIL_ERRORS as exc:
        raise AnnotationError(f"{source}: cannot read the image's EXIF data ({exc})") from None
    width, height = image.size
    if orientation in SIDE_SWAPPING_ORIENTATIONS:
        width, height = height, width
    if (declared[0] is not None and declared[0] != height) or (declared[1] is not None and declared[1] != width):
        given = "x".join("?" if v is None else str(v) for v in declared)
        rotated = f" after EXIF orientation {orientation}" if orientation != 1 else ""
        shown = source.removeprefix(f"{owner}: ")
        resized = ""
        if None not in declared and abs(height * declared[1] - width * declared[0]) <= max(height, width):  # type: ignore[operator]
            resized = " (resized since it was annotated, its shapes fitting the declared size? scale the shapes or the image back)"
        raise AnnotationError(
            f"{owner}: {declared_as[0]} x {declared_as[1]} is {given} but {shown} is {height}x{width}{rotated}{resized}"
        )
    return SourceImage(
        source=source, path=path, format=image.format or "", mode=image.mode,
        orientation=orientation, width=width, height=height, stored=data,
    )  # fmt: skip


#: What a run without ``--images`` adds to an image not found.
IMAGES_HINT = "; --images DIR looks for it in another folder"


def find_image(record: AnnotatedImage, hint: str = "") -> Path:
    """The first of a record's image candidates that is a file.

    Raises:
        AnnotationError: none is (every place tried is named, then ``hint``: :data:`IMAGES_HINT`
            where ``--images`` was not given).
    """
    tried = []
    for candidate in dict.fromkeys(record.candidates):
        path = location(candidate)
        try:
            if (found := existing_file(path)) is not None:
                return found
        except OSError as exc:  # a name too long for the file system, say
            tried.append(f"{candidate}: {exc.strerror or exc}")
            continue
        tried.append(str(path))
    where = f" (tried {', '.join(tried)})" if tried else ""
    raise AnnotationError(f"{record.source}: image {shown(record.image)} not found{where}{hint}")


def open_record_image(record: AnnotatedImage, hint: str = "") -> SourceImage:
    """Find and open the image of a record (header only), checked against its declared size.

    Raises:
        AnnotationError: not found (then ``hint``, see :func:`find_image`), not an image, or
            another size than the record declares.
    """
    path = find_image(record, hint)
    return open_image_file(path, f"image {path}", record.source, (record.height, record.width))
