"""Shared fixtures. Tests build their data in code under tmp_path."""

from __future__ import annotations

import os

import numpy as np
import pytest

# labelme (the reference implementation) imports Qt; keep it off any display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def blobs_label() -> np.ndarray:
    """A 24x32 uint8 label map with background, three classes and a void band."""
    label = np.zeros((24, 32), dtype=np.uint8)
    label[2:10, 3:15] = 1
    label[12:20, 5:25] = 2
    label[5:9, 20:30] = 15
    label[11, :] = 255
    return label


@pytest.fixture
def usual_umask():
    """Run the test under umask 022, whatever the machine's, and restore it after."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)
