"""`python -m vinocr DIR` in the task's output contract, including every kind of bad input."""

import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from vinocr.box.cli import main
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
    assert sum(a == b for a, b in zip(read, SAMPLE_VIN)) >= 15, read


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
    assert "notes.txt" not in out + err


def test_empty_and_missing_folders(tmp_path, capsys):
    assert main([str(tmp_path)]) == 0
    assert capsys.readouterr().out == ""
    assert main([str(tmp_path / "nope")]) == 2
    assert "nope: no such folder" in capsys.readouterr().err


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
