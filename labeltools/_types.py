"""Type aliases shared by the modules (not part of the public API)."""

from __future__ import annotations

import os
from typing import Union

PathLike = Union[str, "os.PathLike[str]"]
"""A file or folder path, as a string or a path object."""

Color = tuple[int, int, int]
"""An RGB colour, three ints in 0..255."""
