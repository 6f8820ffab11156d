"""Hostile data and hostile neighbours: URLs in annotations, names no split file can hold, labels
no class file can hold, a second writer. Each fails its own file, or is refused, in one line."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from helpers import jpeg_bytes, scene, write_annotation
from PIL import Image
from typer.testing import CliRunner

from labeltools.cli import app

runner = CliRunner()


def cli(*args: object):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def image_server() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 that serves a JPEG at any path and records every request."""
    body = jpeg_bytes(Image.fromarray(scene(20, 30)))
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_HEAD(self) -> None:  # noqa: N802
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()


def url_annotation(folder: Path, url: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    doc = {
        "version": "5.4.1", "flags": {}, "imagePath": url, "imageData": None, "imageHeight": 20, "imageWidth": 30,
        "shapes": [{"label": "cat", "points": [[2, 2], [12, 12]], "shape_type": "rectangle", "group_id": None, "flags": {}}],
    }  # fmt: skip
    path = folder / "remote.json"
    path.write_text(json.dumps(doc))
    return path


def test_an_image_url_in_an_annotation_is_never_fetched(tmp_path: Path, image_server: tuple[str, list[str]]) -> None:
    base, requests = image_server
    url_annotation(tmp_path / "ann", f"{base}/secret.jpg")
    write_annotation(tmp_path / "ann", "fine")
    result = cli("convert", tmp_path / "ann", tmp_path / "out", "-j", "1")
    assert result.exit_code == 1
    assert (
        "remote.json: image 'http://127.0.0.1:" in result.stderr
        and "its URL was not fetched (images are read beside their annotation; --allow-image-urls fetches them)"
        in " ".join(result.stderr.split())
    )
    assert "converted 1, failed 1" in result.stderr
    exported = cli("export", tmp_path / "ann", "--to", "coco", "-d", tmp_path / "coco", "-j", "1")
    assert exported.exit_code == 1 and "its URL was not fetched" in " ".join(exported.stderr.split())
    assert requests == []  # not one request reached the server
    assert not list((tmp_path / "out" / "JPEGImages").glob("remote.*"))


def test_the_image_beside_the_annotation_is_used_instead_of_its_url(tmp_path: Path, image_server: tuple[str, list[str]]) -> None:
    base, requests = image_server
    url_annotation(tmp_path / "ann", f"{base}/photos/secret.jpg")
    Image.fromarray(scene(20, 30)).save(tmp_path / "ann" / "secret.jpg")
    result = cli("convert", tmp_path / "ann", tmp_path / "out", "-j", "1")
    assert result.exit_code == 0, result.output
    assert requests == []


def test_allow_image_urls_fetches_them(tmp_path: Path, image_server: tuple[str, list[str]]) -> None:
    pytest.importorskip("aiohttp")  # fsspec's http file system
    base, requests = image_server
    url_annotation(tmp_path / "ann", f"{base}/ok.jpg")
    result = cli("convert", tmp_path / "ann", tmp_path / "out", "-j", "1", "--allow-image-urls")
    assert result.exit_code == 0, result.output
    assert any(path == "/ok.jpg" for path in requests)
    assert (tmp_path / "out" / "JPEGImages" / "remote.jpg").is_file()


# --- labels no class file can hold, with discovered classes --------------------------------

from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

hostile_labels = st.text(st.characters(categories=["L", "N", "Cc", "Cs", "Zl", "Zp", "Zs"]), min_size=1, max_size=4) | st.sampled_from(
    ["cat", "\ud800x", "a\nb", "p\u2028q", "\x1b[31mred", "\x00", "__ignore__", "_background_", "0\t0"]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(labels=st.lists(st.lists(hostile_labels, min_size=1, max_size=3), min_size=1, max_size=4))
@example(labels=[["0\t0"], ["cat"]])  # a tab: a class file's line of tabs is read as columns
def test_discovered_hostile_labels_fail_their_files_alone(labels: list[list[str]]) -> None:
    import tempfile

    from labeltools.core.classes import class_name_problem
    from labeltools.formats.voc import load_class_table
    from labeltools.jobs.convert import convert_labelme

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "ann"
        for number, names in enumerate(labels):
            shapes = [{"label": name, "points": [[1, 1], [6, 6]], "shape_type": "rectangle"} for name in names]
            write_annotation(folder, f"f{number}", shapes)
        results = list(convert_labelme(folder, Path(tmp) / "out", jobs=1))
        for names, result in zip(labels, results):
            # the reader takes a label without white space at its ends, as labelme does
            unusable = any(not name.strip() or class_name_problem(name.strip()) is not None for name in names)
            assert result.ok != unusable, (names, result.error)
            assert "internal error" not in (result.error or "")
        if not any(result.ok for result in results):  # a new OUTPUT is left as it was
            assert not (Path(tmp) / "out").exists()
            return
        table = load_class_table(Path(tmp) / "out")  # the class files were written, and read back
        assert table is not None and all(class_name_problem(name) is None for name in table.names)
        for split in ("train", "val", "trainval"):
            (Path(tmp) / "out" / "ImageSets" / "Segmentation" / f"{split}.txt").read_text(encoding="utf-8")


# --- names no split file can hold ----------------------------------------------------------


def test_ids_that_cannot_be_a_line_of_a_split_file_fail_alone(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    folder = tmp_path / "ann"
    write_annotation(folder, "good")
    for name in (b"\xff\xfe", b"a\nb", " lead".encode(), "p\u2028q".encode(), b"esc\x1b[2J"):
        path, _ = write_annotation(folder, "template")
        os.rename(path, os.fsencode(folder) + b"/" + name + b".json")
    (folder / "template.jpg").rename(folder / "x.jpg")  # keep only what the documents name
    for doc in folder.iterdir():
        if doc.suffix == ".json":
            data = json.loads(doc.read_text())
            if data["imagePath"] == "template.jpg":
                data["imagePath"] = "x.jpg"
                doc.write_text(json.dumps(data))
    (folder / "broken\x1b[2J.json").write_text("{")  # fails, and its name is in the message
    done = subprocess.run(
        [sys.executable, "-m", "labeltools", "convert", str(folder), str(tmp_path / "out"), "-j", "1", "--json", str(tmp_path / "s.json")],
        capture_output=True, timeout=120,
    )  # fmt: skip
    stderr = done.stderr.decode("utf-8")
    assert done.returncode == 1 and "Traceback" not in stderr
    assert "\x1b" not in stderr and "\x00" not in stderr  # names from data never drive the terminal
    assert "broken\\x1b[2J.json: " in stderr and "(it holds a line break)" in stderr
    assert "(it starts or ends with white space)" in stderr and "(it is not valid UTF-8" in stderr
    failures = [line for line in stderr.splitlines() if line.startswith("failed: ")]
    assert len(failures) == 5  # esc... is a fine id: the four others and the broken one fail
    assert (tmp_path / "out" / "ImageSets" / "Segmentation" / "trainval.txt").read_text(encoding="utf-8").splitlines() == sorted(
        ["good", "esc\x1b[2J"]
    )
    summary = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert summary["failed"] == 5 and summary["converted"] == 2
    for command in (["split", str(tmp_path / "out")], ["report", str(tmp_path / "out"), str(tmp_path / "r.html")],
                    ["export", str(folder), "--to", "coco", "-d", str(tmp_path / "coco")]):  # fmt: skip
        again = subprocess.run([sys.executable, "-m", "labeltools", *command, "-j", "1"], capture_output=True, timeout=120)
        assert b"Traceback" not in again.stderr, command


def test_a_folder_name_that_drives_a_terminal_is_shown_escaped_by_every_command(tmp_path: Path) -> None:
    """A dataset folder named with a terminal control sequence: every line every command prints
    about it, tables and the demo's tree included, shows the sequence as its escape."""
    import subprocess
    import sys

    dataset = tmp_path / "d\x1b[2Jx"
    commands = [
        ["demo", dataset], ["stats", dataset], ["weights", dataset], ["check", dataset], ["split", dataset],
        ["evaluate", dataset, dataset / "SegmentationClass", "--missing", "skip"], ["diff", dataset, dataset],
        ["report", dataset, tmp_path / "r.html"], ["colorize", dataset / "SegmentationClass", "-d", dataset / "c"],
        ["excel", dataset / "SegmentationClass", "-d", dataset / "x"], ["export", dataset, "--to", "coco", "-d", dataset / "coco"],
    ]  # fmt: skip
    naming = []
    for command in commands:
        done = subprocess.run([sys.executable, "-m", "labeltools", *map(str, command), "-j", "1"], capture_output=True, timeout=120)
        shown = (done.stdout + done.stderr).decode("utf-8")
        assert "Traceback" not in shown and done.returncode in (0, 1), (command, shown)
        assert "\x1b" not in shown, (command, shown)
        naming += [str(command[0])] if "d\\x1b[2Jx" in shown else []
    assert naming == ["demo", "weights", "check", "split", "evaluate", "export"]  # the others name no folder


# --- files too large to be images -------------------------------------------------------------


def test_an_image_padded_past_the_byte_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "ann"
    write_annotation(folder, "good")
    _, data = write_annotation(folder, "padded")
    with open(folder / "padded.jpg", "r+b") as padded:  # a real photo, then 600 MB of zeros (sparse)
        padded.truncate(600 * 2**20)
    result = cli("convert", folder, tmp_path / "out", "-j", "1")
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert f"failed: {folder / 'padded.jpg'}: {600 * 2**20} bytes, over the limit of {2**29} for one image (a damaged or padded file" in message
    assert "set LABELTOOLS_MAX_BYTES to allow it" in message
    assert not (tmp_path / "out" / "JPEGImages" / "padded.jpg").exists()
    assert (tmp_path / "out" / "JPEGImages" / "good.jpg").exists()
    copied = cli("export", folder, "--to", "coco", "-d", tmp_path / "coco", "-j", "1")
    assert copied.exit_code == 1 and "padded.jpg: 629145600 bytes, over the limit of" in " ".join(copied.stderr.split())


def test_the_byte_limit_is_set_by_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "ann"
    _, data = write_annotation(folder, "small")
    monkeypatch.setenv("LABELTOOLS_MAX_BYTES", str(len(data) - 1))
    assert "bytes, over the limit of" in cli("convert", folder, tmp_path / "out", "-j", "1").stderr
    monkeypatch.setenv("LABELTOOLS_MAX_BYTES", str(len(data)))
    assert cli("convert", folder, tmp_path / "out2", "-j", "1").exit_code == 0
    monkeypatch.setenv("LABELTOOLS_MAX_BYTES", "lots")
    assert "LABELTOOLS_MAX_BYTES='lots': must be a positive whole number of bytes" in cli("convert", folder, tmp_path / "out3", "-j", "1").stderr


# --- the smaller ones ---------------------------------------------------------------------------


def test_a_long_stem_fits_with_its_temporary(tmp_path: Path) -> None:
    stem = "s" * 240  # 240 + ".json" fits a file name; its temporary must fit too
    write_annotation(tmp_path / "ann", stem)
    result = cli("convert", tmp_path / "ann", tmp_path / "out", "-j", "1")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "SegmentationClass" / f"{stem}.png").is_file()


def test_the_annotation_folder_cannot_be_the_output(tmp_path: Path) -> None:
    write_annotation(tmp_path / "ann", "a")
    for args in ((), ("--resume",), ("--overwrite",)):
        result = cli("convert", tmp_path / "ann", tmp_path / "ann" / ".", *args)
        assert result.exit_code == 1
        assert "is the annotation folder itself; write the dataset into another folder" in result.stderr
    assert sorted(p.name for p in (tmp_path / "ann").iterdir()) == ["a.jpg", "a.json"]


def test_a_json_place_that_cannot_be_written_is_refused_before_the_work(tmp_path: Path) -> None:
    write_annotation(tmp_path / "ann", "a")
    (tmp_path / "afile").write_text("x")
    result = cli("convert", tmp_path / "ann", tmp_path / "out", "--json", tmp_path / "afile" / "s.json")
    assert result.exit_code == 1 and "is a file, not a folder" in result.stderr
    assert "converted" not in result.stderr and not (tmp_path / "out").exists()  # nothing was done
    (tmp_path / "folder.json").mkdir()
    result = cli("stats", tmp_path / "out2", "--json", tmp_path / "folder.json")
    assert result.exit_code == 1 and "folder.json: is a folder; --json takes the file to write" in result.stderr


def test_a_temporary_whose_pid_now_belongs_to_another_process_is_swept(tmp_path: Path) -> None:
    import os

    from labeltools.engine.storage import remove_stale_temporaries, start_run

    # pid 1 runs, but a file of "pid 1" written before pid 1 started was written by another
    # process that had that pid once, and is gone.
    stale = tmp_path / ".a.png.labeltools-1-0123abcd.tmp"
    stale.write_bytes(b"half")
    os.utime(stale, (0, 0))  # written in 1970, long before any running process started
    mine = tmp_path / f".b.png.labeltools-{os.getpid()}-0123abcd.tmp"
    mine.write_bytes(b"in progress")  # this process runs and wrote it after it started
    start_run()
    removed = remove_stale_temporaries(tmp_path)
    assert removed == [stale] and mine.exists()


def test_a_fifo_or_a_dangling_link_is_named_for_what_it_is(tmp_path: Path) -> None:
    import os

    from labeltools import write_label

    os.mkfifo(tmp_path / "pipe.json")
    (tmp_path / "gone.json").symlink_to(tmp_path / "nowhere.json")
    fifo = cli("convert", tmp_path / "pipe.json", tmp_path / "out")
    assert fifo.exit_code == 1 and "pipe.json: is neither a file nor a folder (a FIFO, a device or a socket)" in fifo.stderr
    link = cli("convert", tmp_path / "gone.json", tmp_path / "out")
    assert link.exit_code == 1 and f"gone.json: a symbolic link to {tmp_path / 'nowhere.json'}, which does not exist" in " ".join(link.stderr.split())
    labels = tmp_path / "labels"
    labels.mkdir()
    write_label(labels / "a.png", np.zeros((2, 2), np.uint8))
    os.mkfifo(labels / "b.png")  # read, it would block for ever
    (labels / "c.png").symlink_to(tmp_path / "nowhere.png")
    result = cli("stats", "--labels-dir", labels, "-n", "2", "-j", "1")
    assert result.exit_code == 1
    assert "b.png: is a FIFO, not a file" in result.stderr and "c.png: a symbolic link to" in result.stderr


def test_a_full_disk_is_one_line_without_clean_up_noise(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from labeltools import write_label

    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:  # a real small disk needs root; CI runs as root
        if os.environ.get("CI") == "true":
            pytest.fail(f"cannot mount a small tmpfs: {mounted.stderr!r}")
        pytest.skip("cannot mount a small tmpfs here")
    try:
        write_label(tmp_path / "big.png", (np.arange(300 * 400).reshape(300, 400) % 7).astype(np.uint8))
        done = subprocess.run(
            [sys.executable, "-m", "labeltools", "excel", str(tmp_path / "big.png"), "-o", str(disk / "x.xlsx")],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 1
        assert done.stderr.splitlines() == [f"error: {disk / 'x.xlsx'}: cannot write (No space left on device)"]
        assert os.listdir(disk) == []  # no partial workbook, no temporary
    finally:
        subprocess.run(["umount", str(disk)], check=False)
