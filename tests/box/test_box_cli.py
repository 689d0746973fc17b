"""`python -m vinocr DIR` in the task's output contract, including every kind of bad input."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np
import pytest

from vinocr.box.cli import main
from vinocr.box.image_io import encode_png
from vinocr.synth.samples import SAMPLE_VIN, sample_boxes

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def box_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("boxes")
    for name, image in sample_boxes():
        cv2.imwrite(str(folder / name), image)
    return folder


def test_contract_on_sample_boxes(box_dir, capsys, recognizer):
    assert main([str(box_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 17
    for i, line in enumerate(lines, 1):
        code, path = line.split(", ")
        assert path == f"{box_dir.as_posix()}/box{i:02d}.png"
        assert 48 <= int(code) <= 90
    read = "".join(chr(int(line.split(",")[0])) for line in lines)
    assert read == SAMPLE_VIN  # the sample reads 17/17


def test_bad_files_are_reported_and_the_rest_printed(tmp_path, capsys, blank_png):
    good = sample_boxes()[0][1]
    cv2.imwrite(str(tmp_path / "a10.PNG"), good)
    cv2.imwrite(str(tmp_path / "a2.jpg"), good)
    cv2.imwrite(str(tmp_path / "a3.bmp"), good)
    (tmp_path / "a1.png").write_bytes(b"this is not an image")
    (tmp_path / "a4.jpeg").write_bytes(blank_png(20000, 20000))
    cv2.imwrite(str(tmp_path / "a5.png"), np.zeros((60, 60), np.uint8))  # an empty box
    (tmp_path / "notes.txt").write_text("skip me")
    (tmp_path / "sub.png").mkdir()
    assert main([str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert [line.split(", ")[1] for line in out.splitlines()] == [
        f"{tmp_path.as_posix()}/{n}" for n in ("a2.jpg", "a3.bmp", "a10.PNG")
    ]
    assert all(line.split(", ")[0] == "49" for line in out.splitlines())  # the sample's '1'
    assert "a1.png: not a readable image" in err
    assert "a4.jpeg" in err and "too large" in err
    assert "a5.png: no character in the box" in err
    assert f"{tmp_path.as_posix()}/sub.png: a folder, not an image file; skipped" in err
    assert "notes.txt" not in out + err


def test_empty_and_missing_folders(tmp_path, capsys):
    assert main([str(tmp_path)]) == 0
    assert capsys.readouterr().out == ""
    assert main([str(tmp_path / "nope")]) == 2
    assert "nope: no such folder" in capsys.readouterr().err
    (tmp_path / "a.png").write_bytes(b"")
    assert main([str(tmp_path / "a.png")]) == 2
    assert "a.png: not a folder" in capsys.readouterr().err
    assert main([""]) == 2  # not the current folder in disguise
    out, err = capsys.readouterr()
    assert out == "" and "error: the folder name is empty" in err
    assert main([" "]) == 2  # a name like any other (which is not there)
    assert capsys.readouterr().err == "error:  : no such folder\n"


def test_an_unreadable_folder_is_a_message_and_status_2(tmp_path, capsys, monkeypatch):
    def refuse(path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("vinocr.box.folder.os.scandir", refuse)
    assert main([str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == f"error: {tmp_path.as_posix()}: cannot read the folder (Permission denied)\n"


def test_a_folder_without_read_permission():
    """A real unreadable folder, read as an ordinary user (root drops to nobody after the imports)."""
    base = Path(tempfile.mkdtemp())
    locked = base / "locked"
    try:
        base.chmod(0o755)
        locked.mkdir()
        (locked / "box01.png").write_bytes(encode_png(sample_boxes()[0][1]))
        locked.chmod(0o311)  # can be entered, not listed
        code = (
            "import os, shutil, sys  # argparse imports shutil lazily\n"
            "from vinocr.box.cli import main\n"
            "if os.geteuid() == 0:\n"
            "    os.setgid(65534)\n"
            "    os.setuid(65534)\n"
            "sys.exit(main([sys.argv[1]]))\n"
        )
        run = subprocess.run(
            [sys.executable, "-c", code, str(locked)], capture_output=True, text=True, cwd=ROOT, timeout=120
        )
    finally:
        locked.chmod(0o755)
        shutil.rmtree(base)
    assert run.returncode == 2, run.stderr
    assert run.stderr == f"error: {locked.as_posix()}: cannot read the folder (Permission denied)\n"


def test_broken_links_and_odd_names_are_said_on_stderr(tmp_path, capsys):
    good = sample_boxes()[0][1]
    cv2.imwrite(str(tmp_path / "a1.png"), good)
    (tmp_path / "a2.png").symlink_to(tmp_path / "gone.png")
    (tmp_path / "a3.png").symlink_to(tmp_path / "a1.png")  # a working link is read
    os.mkfifo(tmp_path / "a4.png")  # reading it would block forever
    newline = tmp_path / "a5\nb\\c.png"
    cv2.imwrite(str(tmp_path / "tmp.png"), good)
    (tmp_path / "tmp.png").rename(newline)
    raw = os.fsdecode(os.fsencode(tmp_path) + b"/a6\xff.png")  # not UTF-8
    Path(raw).write_bytes((tmp_path / "a1.png").read_bytes())
    assert main([str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    base = tmp_path.as_posix()
    assert out.splitlines() == [
        f"49, {base}/a1.png",
        f"49, {base}/a3.png",
        f"49, {base}/a5\\nb\\\\c.png",  # one line per image: newline and backslash C-escaped
        f"49, {base}/a6\\xff.png",  # a byte that is not UTF-8, as `ls -b` shows it
    ]
    assert f"{base}/a2.png: a broken link (its target does not exist); skipped" in err
    assert f"{base}/a4.png: a FIFO (named pipe), not a file; skipped" in err


def test_a_name_that_is_not_utf8_never_stops_the_output(tmp_path):
    Path(os.fsdecode(os.fsencode(tmp_path) + b"/caf\xe9.png")).write_bytes(encode_png(sample_boxes()[0][1]))
    expected = {"plain": b"/caf\\xe9.png", "csv": b"/caf\\xe9.png", "json": b"/caf\\udce9.png"}
    for fmt, name in expected.items():
        run = subprocess.run(
            [sys.executable, "-m", "vinocr", str(tmp_path), "--format", fmt],
            capture_output=True,
            cwd=ROOT,
            timeout=120,
        )
        assert run.returncode == 0 and run.stderr == b"", run.stderr
        assert name in run.stdout, run.stdout


@pytest.mark.parametrize("module", ["vinocr", "vinocr.vin"])
def test_a_closed_stdout_ends_quietly_with_status_141(box_dir, module):
    """`python -m vinocr DIR | head -1`: the reader leaves before the output is written."""
    process = subprocess.Popen(
        [sys.executable, "-m", module, str(box_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    process.stdout.close()  # nobody reads: every write fails with a broken pipe
    _, err = process.communicate(timeout=120)
    assert process.returncode == 141
    assert err == b""


def test_csv_and_json_options(box_dir, capsys):
    import csv
    import io
    import json

    assert main([str(box_dir), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 17 and 0 < float(rows[0]["confidence"]) <= 1 and rows[0]["top3"]
    assert main([str(box_dir), "--format", "json"]) == 0
    items = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(items[0]["top"]) == 3 and items[0]["ascii"] == ord(items[0]["char"])


def test_module_entry_point_prints_only_the_contract(box_dir):
    run = subprocess.run(
        [sys.executable, "-m", "vinocr", str(box_dir)], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert len(run.stdout.splitlines()) == 17
    assert all(line.count(", ") == 1 for line in run.stdout.splitlines())


def test_an_unusable_array_becomes_an_error_result_not_a_crash(recognizer):
    good = sample_boxes()[0][1]
    two_channel = np.zeros((40, 40, 2), np.uint8)  # gray + alpha
    two_channel[8:32, 18:22, 0] = 255
    two_channel[..., 1] = 255
    results = recognizer.recognize_arrays(
        [good, np.zeros((0, 0), np.uint8), two_channel, "not an image"], ["a", "b", "c", "d"]
    )
    assert [r.status for r in results] == ["ok", "empty", "ok", "error"]
    assert results[1].message == "b: image too small to hold a character"  # no pixels, no character
    assert "not an image array" in results[3].message
    assert results[2].char == "1" and results[0].char == "1"
