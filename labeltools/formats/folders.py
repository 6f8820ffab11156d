"""Folders of label PNGs kept apart from their images, as mmsegmentation and ADE20K lay them out:
``ann_dir/<split>`` beside ``img_dir/<split>``, ``annotations/<split>`` beside ``images/<split>``,
a label and its image matched by stem.
"""

from __future__ import annotations

from typing import Any

from labeltools.core._types import PathLike
from labeltools.engine.storage import location

#: Where the images of a folder of labels lie by the layouts that keep them apart: ADE20K's
#: ``annotations/<split>`` beside ``images/<split>``, mmsegmentation's ``ann_dir`` beside ``img_dir``.
IMAGE_FOLDERS = {"annotations": "images", "ann_dir": "img_dir"}
#: The image files a folder of labels' images may be (mmsegmentation's usual ``img_suffix``es).
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


def images_beside(labels: PathLike) -> tuple[Any | None, str]:
    """The images folder of a folder of labels laid out as ADE20K or mmsegmentation lay them out
    (see :data:`IMAGE_FOLDERS`), and how it was found, for the user; ``(None, "")`` for none."""
    folder = location(labels)
    for level, parent in enumerate((folder, *folder.parents)):
        if parent.name in IMAGE_FOLDERS:
            images = parent.parent / IMAGE_FOLDERS[parent.name]
            inner = folder.relative_to(parent) if level else None
            images = images / inner if inner is not None else images
            if images.is_dir():
                return images, f"{images} (beside {parent.name}/, as ADE20K and mmsegmentation lay them out)"
            return None, ""
    return None, ""
