"""Type aliases shared by the modules (not part of the public API).
"""

from __future__ import annotations

import os
from typing import TypeGuard, Union

import numpy as np

PathLike = Union[str, "os.PathLike[str]"]
"""A file or folder path, as a string or a path object."""

Color = tuple[int, int, int]
"""An RGB colour, three ints in 0..255."""


def is_int(value: object) -> TypeGuard[int]:
    """True for Python and numpy integers; False for bools (``True`` is no class index)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)
