"""Shared fixtures. Tests build their data in code under tmp_path."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from labeltools import write_label, write_split

# labelme (the reference implementation) imports Qt; keep it off any display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _working_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test runs in an empty working folder of its own: what a command writes there by
    default (excel's workbooks, weights' .npy) never lands in the checkout."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


@pytest.fixture
def libreoffice() -> None:
    """LibreOffice's spreadsheet (``soffice``), which opens the workbooks and CSV files we write;
    missing, the test is skipped, or under ``CI=true`` fails."""
    if shutil.which("soffice") is None:
        if os.environ.get("CI"):
            pytest.fail("no soffice: CI installs Debian's libreoffice-calc-nogui for the spreadsheets' tests")
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")


@pytest.fixture
def info_zip() -> str:
    """Info-ZIP's ``zip``, Linux's zip tool (which, as macOS's, stores names as the file system
    gives them, unflagged); missing, the test is skipped, or under ``CI=true`` fails."""
    found = shutil.which("zip")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("no zip: CI installs Debian's zip for the archives' tests")
        pytest.skip("Info-ZIP's zip is not installed (apt-get install zip)")
    return found


@pytest.fixture
def case_insensitive_folder(tmp_path: Path) -> Any:
    """A folder on an exFAT file system (an external drive's; its names, as macOS's and Windows'
    by default, ignore letter case), made in a file, attached to a loop device and mounted with
    exfat-fuse. Without exfatprogs and exfat-fuse the test is skipped, or under ``CI=true`` fails;
    where mounting is not allowed (no root, no /dev/fuse, no loop device) it is skipped."""
    import subprocess

    tools = [shutil.which(tool) for tool in ("mkfs.exfat", "mount.exfat-fuse", "losetup")]
    if None in tools:
        if os.environ.get("CI"):
            pytest.fail("no exFAT tools: CI installs Debian's exfatprogs and exfat-fuse for the letter-case tests")
        pytest.skip("exfatprogs or exfat-fuse is not installed (apt-get install exfatprogs exfat-fuse)")
    image, mount = tmp_path / "exfat.img", tmp_path / "exfat"
    with open(image, "wb") as file:
        file.truncate(64 * 2**20)
    subprocess.run([tools[0], str(image)], check=True, capture_output=True)
    mount.mkdir()
    attached = subprocess.run([tools[2], "-f", "--show", str(image)], capture_output=True, text=True)
    if attached.returncode != 0:
        pytest.skip(f"cannot attach a loop device here ({attached.stderr.strip()})")
    device = attached.stdout.strip()
    try:
        mounted = subprocess.run([tools[1], device, str(mount)], capture_output=True, text=True)
        if mounted.returncode != 0 or not os.path.ismount(mount):
            pytest.skip(f"cannot mount a FUSE file system here ({mounted.stderr.strip()})")
        try:
            yield mount
        finally:
            subprocess.run(["umount", str(mount)], check=False, capture_output=True)
    finally:
        subprocess.run([tools[2], "-d", device], check=False, capture_output=True)


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


class FakeTensor:
    """Quacks like a torch tensor: only ``.detach().cpu().numpy()`` (no ``.shape``), each call
    recorded in ``calls``."""

    def __init__(self, array):
        self.array = array
        self.calls = []

    def detach(self):
        self.calls.append("detach")
        return self

    def cpu(self):
        self.calls.append("cpu")
        return self

    def numpy(self):
        self.calls.append("numpy")
        return self.array


def make_voc(
    root: Path,
    labels: Mapping[str, np.ndarray],
    names: Iterable[str] | None = ("background", "cat", "dog", "bird"),
    train: Iterable[str] | None = None,
) -> Path:
    """A VOC folder at ``root``: ``labels`` (id -> (H, W) uint8) as palette PNGs, a JPEG of the
    same size for each, ``class_names.txt`` holding ``names`` (none if None) and ``train.txt``
    listing ``train`` (none if None)."""
    (root / "SegmentationClass").mkdir(parents=True)
    (root / "JPEGImages").mkdir()
    for n, (image_id, label) in enumerate(labels.items()):
        write_label(root / "SegmentationClass" / f"{image_id}.png", label)
        colour = ((90 + 40 * n) % 256, (120 + 70 * n) % 256, 30)  # no two ids of one photo (check finds those)
        Image.new("RGB", (label.shape[1], label.shape[0]), colour).save(root / "JPEGImages" / f"{image_id}.jpg")
    if names is not None:
        (root / "class_names.txt").write_text("".join(f"{n}\n" for n in names))
    if train is not None:
        write_split(root, "train", train)
    return root
