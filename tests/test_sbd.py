"""``labeltools sbd``: the Semantic Boundaries Dataset added to a PASCAL VOC 2012 folder as its
augmented training set, held to mmsegmentation's voc_aug converter (transcribed below), read by
mmsegmentation's own loader, and checked by ``check``."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from exports import sbd_release, voc_2012
from PIL import Image
from typer.testing import CliRunner

from labeltools import read_label, voc_colormap, write_split
from labeltools.cli import app

runner = CliRunner()

#: Ids of VOC's train (three in SBD, one not), its val (one in SBD's train: SBD annotated
#: images VOC scores), its test (in SBD's val), and SBD's own of its train and val.
TRAIN, MISSING, VAL, TEST, SBD_TRAIN, SBD_VAL = ["v1", "v2", "v3"], "v4", "v5", "v6", ["s1", "s2"], ["s3"]


def cli(*args: Any) -> Any:
    return runner.invoke(app, [str(a) for a in args])


def mmseg_convert_mat(path: Path) -> np.ndarray:
    """mmsegmentation 1.2.2's ``tools/dataset_converters/voc_aug.py`` ``convert_mat``, transcribed:
    the array it hands to ``Image.fromarray``."""
    from scipy.io import loadmat

    data = loadmat(str(path))
    return data["GTcls"][0]["Segmentation"][0].astype(np.uint8)


def mmseg_lists(voc_train: list[str], sbd_train: list[str], sbd_val: list[str], voc_val: list[str]) -> dict[str, set[str]]:
    """Its two lists: ``trainaug.txt``, ``generate_aug_list(ori_train_list + full_aug_list,
    val_list)``, and ``aug.txt``, ``generate_aug_list(full_aug_list, ori_train_list + val_list)``."""
    full = sbd_train + sbd_val
    return {"trainaug": set(voc_train + full) - set(voc_val), "aug": set(full) - set(voc_train + voc_val)}


def voc_and_sbd(tmp_path: Path) -> tuple[Path, Path, dict[str, np.ndarray]]:
    ids = [*TRAIN, MISSING, VAL, TEST, *SBD_TRAIN, *SBD_VAL]
    sizes = {image_id: (9 + n % 3, 6 + n % 2) for n, image_id in enumerate(ids)}
    voc = voc_2012(tmp_path / "VOC2012", sizes, train=[*TRAIN, MISSING], val=[VAL])
    write_split(voc, "test", [TEST])
    in_sbd = {i: sizes[i] for i in [*TRAIN, VAL, TEST, *SBD_TRAIN, *SBD_VAL]}
    maps = sbd_release(tmp_path / "dataset", in_sbd, train=[*TRAIN[:2], VAL, *SBD_TRAIN], val=[TRAIN[2], TEST, *SBD_VAL])
    return voc, tmp_path / "dataset", maps


def test_the_augmented_set_is_mmsegmentations_and_check_passes_it(tmp_path: Path) -> None:
    voc, sbd, maps = voc_and_sbd(tmp_path)
    before = {p: p.read_bytes() for p in voc.rglob("*") if p.is_file()}
    result = cli("sbd", sbd.parent, voc, "--json", tmp_path / "sbd.json", "-j", "2")  # the folder above, as mmsegmentation's converter takes it
    assert result.exit_code == 0, result.output
    assert f"SBD: {sbd}" in result.stderr
    expected = mmseg_lists([*TRAIN, MISSING], [*TRAIN[:2], VAL, *SBD_TRAIN], [TRAIN[2], TEST, *SBD_VAL], [VAL])
    lists = {name: (voc / "ImageSets" / "Segmentation" / f"{name}.txt").read_text().split() for name in ("trainaug", "aug")}
    assert lists == {name: sorted(ids - {TEST}) for name, ids in expected.items()}  # VOC2012's test ids are not SBD's: left out here too
    listed = lists["trainaug"]
    assert "1 id of train.txt that SBD lacks: their labels are copied from SegmentationClass/" in result.stderr
    summary = json.loads((tmp_path / "sbd.json").read_text())
    assert (summary["lists"], summary["from_voc"], summary["failed"]) == ({"trainaug": len(listed), "aug": len(lists["aug"])}, [MISSING], 0)
    for image_id in listed:
        written = voc / "SegmentationClassAug" / f"{image_id}.png"
        with Image.open(written) as image:
            assert image.mode == "P" and image.getpalette()[:768] == voc_colormap(256).ravel().tolist()
        reference = read_label(voc / "SegmentationClass" / f"{image_id}.png") if image_id == MISSING else mmseg_convert_mat(sbd / "cls" / f"{image_id}.mat")
        np.testing.assert_array_equal(read_label(written), reference)
        if image_id != MISSING:
            np.testing.assert_array_equal(reference, maps[image_id])
    assert {p: p.read_bytes() for p in before} == before  # nothing of VOC's own changed
    checked = cli("check", voc, "-c", "voc", "--json", tmp_path / "c.json", "-j", "1")
    assert checked.exit_code == 0, checked.output
    assert json.loads((tmp_path / "c.json").read_text())["problems"] == []  # VOC's 21 classes, no leak into val or test
    weighed = cli("weights", voc, "--split", "trainaug", "-c", "voc", "--json", tmp_path / "w.json", "-o", tmp_path / "w.npy")
    assert weighed.exit_code == 0, weighed.output
    counts = np.bincount(np.concatenate([read_label(voc / "SegmentationClassAug" / f"{i}.png").ravel() for i in listed]), minlength=256)
    assert [c["pixels"] for c in json.loads((tmp_path / "w.json").read_text())["classes"]] == counts[:21].tolist()


def test_mmsegmentation_reads_the_augmented_set_as_written(tmp_path: Path) -> None:
    from consumers import mmseg_modules, run_in
    from test_datasets import MMSEG_AUG_READS

    pytest.importorskip("torch")
    voc, sbd, _ = voc_and_sbd(tmp_path)
    assert cli("sbd", sbd, voc, "-j", "1").exit_code == 0
    done = run_in("mmsegmentation", MMSEG_AUG_READS, tmp_path, str(voc), str(tmp_path / "read.npz"), "aug", path=mmseg_modules())
    assert done.returncode == 0, done.stderr[-3000:]
    read = np.load(tmp_path / "read.npz")
    listed = (voc / "ImageSets" / "Segmentation" / "aug.txt").read_text().split()  # its voc12aug configuration's
    assert sorted(read.files) == sorted(str(voc / "SegmentationClassAug" / f"{i}.png") for i in listed)
    for image_id in listed:
        np.testing.assert_array_equal(read[str(voc / "SegmentationClassAug" / f"{image_id}.png")], read_label(voc / "SegmentationClassAug" / f"{image_id}.png"))


def test_a_bad_file_fails_its_id_alone_and_no_list_is_written(tmp_path: Path) -> None:
    voc, sbd, _ = voc_and_sbd(tmp_path)
    (sbd / "cls" / "s1.mat").write_bytes(b"MATLAB 5.0 MAT-file, but cut short")
    (sbd / "cls" / "s2.mat").write_bytes((sbd / "inst" / "s2.mat").read_bytes())  # an instance file where a class map goes
    Image.new("RGB", (3, 3)).save(voc / "JPEGImages" / "s3.jpg")  # another size than its map
    result = cli("sbd", sbd, voc, "--json", tmp_path / "sbd.json", "-j", "1")
    assert result.exit_code == 1
    failures = json.loads((tmp_path / "sbd.json").read_text())["failures"]
    assert [Path(f["file"]).name for f in failures] == ["s1.mat", "s2.mat", "s3.mat"], failures
    reasons = " ".join(f["error"] for f in failures)
    assert f"{sbd / 'cls' / 's1.mat'}: not a MATLAB .mat file" in reasons
    assert f"{sbd / 'cls' / 's2.mat'}: holds no GTcls.Segmentation (it holds GTinst): SBD's class maps are its cls/<id>.mat files" in reasons
    assert f"{sbd / 'cls' / 's3.mat'}: its map is " in reasons and f"but the image {voc / 'JPEGImages' / 's3.jpg'} is 3x3" in reasons
    assert "no list written: 3 of " in result.stderr
    assert not (voc / "ImageSets" / "Segmentation" / "aug.txt").exists() and not (voc / "ImageSets" / "Segmentation" / "trainaug.txt").exists()
    assert (voc / "SegmentationClassAug" / "s1.png").exists() is False and (voc / "SegmentationClassAug" / "v1.png").is_file()


def test_what_it_refuses_before_writing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    voc, sbd, _ = voc_and_sbd(tmp_path)
    cases = [
        ((voc, sbd), f"{voc}: not SBD's dataset folder (no cls/ of class maps inside"),
        ((sbd, tmp_path), f"{tmp_path}: not a VOC dataset folder"),
    ]
    for (source, target), said in cases:
        result = cli("sbd", source, target)
        assert result.exit_code == 1 and said in " ".join(result.stderr.split()), result.output
    (sbd / "val.txt").write_text((sbd / "val.txt").read_text() + "../../escaped\n")  # each id names a file written
    result = cli("sbd", sbd, voc)
    assert result.exit_code == 1 and "is a path, not a name: '../../escaped'" in " ".join(result.stderr.split())
    assert not (voc / "SegmentationClassAug").exists()
    (sbd / "val.txt").write_text((sbd / "val.txt").read_text().replace("../../escaped\n", ""))
    (sbd / "val.txt").rename(tmp_path / "val.txt")
    result = cli("sbd", sbd, voc)
    assert result.exit_code == 1 and f"{sbd / 'val.txt'}: no such SBD list file" in " ".join(result.stderr.split())
    (tmp_path / "val.txt").rename(sbd / "val.txt")
    (voc / "class_names.txt").write_text("background\nroad\n")
    result = cli("sbd", sbd, voc)
    assert result.exit_code == 1 and "SBD's class maps hold PASCAL VOC's 21 classes, which this dataset's table does not" in " ".join(result.stderr.split())
    (voc / "class_names.txt").unlink()
    assert cli("sbd", sbd, voc, "-j", "1").exit_code == 0
    again = cli("sbd", sbd, voc)
    assert again.exit_code == 1 and "the augmented training set is there already; pass --overwrite to write it again" in " ".join(again.stderr.split())
    (voc / "SegmentationClassAug" / "s1.png").write_bytes(b"an interrupted copy")
    assert cli("sbd", sbd, voc, "--overwrite", "-j", "1").exit_code == 0
    np.testing.assert_array_equal(read_label(voc / "SegmentationClassAug" / "s1.png"), mmseg_convert_mat(sbd / "cls" / "s1.mat"))
    with monkeypatch.context() as patch:
        patch.setitem(sys.modules, "scipy", None)
        result = cli("sbd", sbd, voc, "--overwrite")
    assert result.exit_code == 1 and 'reading SBD\'s MATLAB files needs scipy: pip install "labeltools[sbd]"' in result.stderr


def test_a_class_map_that_is_none_is_named(tmp_path: Path) -> None:
    import io

    from scipy.io import savemat

    from labeltools.core.errors import LabelFileError
    from labeltools.formats.sbd import read_sbd_class_map

    cases = {
        "3d": (np.zeros((2, 3, 4), np.uint8), r"GTcls.Segmentation is uint8 of shape \(2, 3, 4\), not a 2-D class map"),
        "wide": (np.full((2, 3), 300, np.uint16), r"GTcls.Segmentation holds values outside the whole numbers 0..255"),
        "fraction": (np.full((2, 3), 1.5), r"GTcls.Segmentation holds values outside the whole numbers 0..255"),
    }
    for name, (segmentation, said) in cases.items():
        savemat(tmp_path / f"{name}.mat", {"GTcls": {"Segmentation": segmentation}})
        with pytest.raises(LabelFileError, match=f"{name}.mat: {said}"):
            read_sbd_class_map(tmp_path / f"{name}.mat")
    buffer = io.BytesIO()
    savemat(buffer, {"GTcls": {"Segmentation": np.zeros((2, 3), np.uint8)}})
    newer = bytearray(buffer.getvalue())
    newer[124:126] = b"\x00\x02"  # the header of MATLAB 7.3's HDF5 files, which SBD never wrote
    (tmp_path / "newer.mat").write_bytes(bytes(newer))
    with pytest.raises(LabelFileError, match=r"newer.mat: a MATLAB file of a version SBD does not write"):
        read_sbd_class_map(tmp_path / "newer.mat")


def test_the_release_given_to_another_command_names_the_sbd_command(tmp_path: Path) -> None:
    """SBD's release given to convert (as annotations) or to stats and check (as a dataset) was
    refused saying only what it is not; each refusal names the command that reads it."""
    release = tmp_path / "benchmark_RELEASE"
    sbd_release(release / "dataset", {"2008_000001": (6, 4)}, train=["2008_000001"], val=[])
    for args in (["convert", release / "dataset", tmp_path / "none"], ["stats", release], ["check", release]):
        result = runner.invoke(app, [str(a) for a in args])
        said = " ".join(result.stderr.split())
        assert result.exit_code != 0 and said.startswith("error: "), said
        assert said.endswith(
            f"; it is the Semantic Boundaries Dataset's release: labeltools sbd {shlex.quote(str(release / 'dataset'))} VOC2012_FOLDER adds it "
            "to a VOC 2012 folder as its augmented training set"
        ), said
    assert not (tmp_path / "none").exists()
