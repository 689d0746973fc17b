"""`python -m vinocr.vin`: accept/review in every output, several inputs at once, ZIPs and --csv."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import cv2
import numpy as np
import pytest

from vinocr.box.image_io import encode_png
from vinocr.synth.samples import SAMPLE_VIN, sample_boxes
from vinocr.vin.cli import main
from vinocr.vin.many import CSV_FIELDS


@pytest.fixture(scope="module")
def boxes() -> list[tuple[str, np.ndarray]]:
    return sample_boxes()


def box_folder(folder, boxes, blank: int | None = None):
    """The sample boxes as files box1 ... box17 (box `blank` left empty)."""
    folder.mkdir()
    for i, (_, image) in enumerate(boxes, start=1):
        cv2.imwrite(str(folder / f"box{i}.png"), np.zeros((64, 64), np.uint8) if i == blank else image)
    return folder


def vin_zip(path, folders: dict[str, int], extra: dict[str, bytes] | None = None, boxes=()):
    """A ZIP with folders of the first n sample boxes, plus extra members."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, count in folders.items():
            for box_name, image in boxes[:count]:
                archive.writestr(f"{name}/{box_name}", encode_png(image))
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def test_plain_output_keeps_the_vin_alone_on_line_1_and_the_status_on_line_2(tmp_path, capsys, boxes):
    folder = box_folder(tmp_path / "vin", boxes)
    assert main([str(folder)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == SAMPLE_VIN
    assert lines[1].startswith(("status: accept (probability ", "status: review (probability "))
    assert "accept from" in lines[1]
    assert main([str(folder), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["input"] == folder.as_posix() and data["status"] in ("accept", "review")
    assert 0 < data["probability"] <= 1 and isinstance(data["check_boxes"], list)
    assert (data["status"] == "accept") == (data["check_boxes"] == [])
    assert 0 < data["confidence"]["threshold"] <= 1 and len(data["confidence"]["box_errors"]) == 17


def test_several_inputs_give_one_row_each_and_the_others_still_read(tmp_path, capsys, boxes):
    good = box_folder(tmp_path / "good", boxes)
    short = box_folder(tmp_path / "blank5", boxes, blank=5)
    archive = vin_zip(tmp_path / "two.zip", {"a": 17, "b": 17}, boxes=boxes)
    out = tmp_path / "vins.csv"
    args = [str(good), str(short), str(tmp_path / "missing.png"), str(archive), "--csv", str(out)]
    assert main(args) == 2  # a missing input, the others are read
    captured = capsys.readouterr()
    assert "missing.png: no such file or folder" in captured.err
    rows = list(csv.DictReader(out.open()))
    assert [r["input"] for r in rows] == [
        good.as_posix(),
        short.as_posix(),
        f"{archive.as_posix()}:a",
        f"{archive.as_posix()}:b",
    ]
    assert list(rows[0]) == list(CSV_FIELDS)
    assert rows[0]["vin"] == SAMPLE_VIN and rows[0]["status"] in ("accept", "review")
    assert float(rows[0]["probability"]) > 0 and rows[0]["rules"].startswith("ok: characters pass")
    assert rows[1]["status"] == "review" and rows[1]["probability"] == "" and rows[1]["check_boxes"] == "5"
    assert rows[1]["vin"][4] == "?" and "box 5 gave no character" in rows[1]["message"]
    assert rows[2]["vin"] == rows[3]["vin"] == SAMPLE_VIN
    blocks = captured.out.split("\n\n")
    assert len(blocks) == 4 and blocks[0].splitlines()[:2] == [f"# {good.as_posix()}", SAMPLE_VIN]


def test_json_lists_every_vin_and_csv_can_go_to_stdout(tmp_path, capsys, boxes):
    one, two = box_folder(tmp_path / "one", boxes), box_folder(tmp_path / "two", boxes)
    assert main([str(one), str(two), "--json", "--mode", "enforce"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["input"] for d in data] == [one.as_posix(), two.as_posix()]
    assert all({"probability", "status", "check_boxes"} <= set(d) and d["mode"] == "enforce" for d in data)
    assert main([str(one), "--csv", "-"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 1 and rows[0]["vin"] == SAMPLE_VIN
    with pytest.raises(SystemExit):
        main([str(one), "--csv", "-", "--json"])


def test_a_zip_with_unsafe_members_and_a_short_folder_names_them(tmp_path, capsys, boxes):
    extra = {"../escape.png": encode_png(boxes[0][1]), "notes.txt": b"x"}
    archive = vin_zip(tmp_path / "mixed.zip", {"full": 17, "short": 16}, extra, boxes=boxes)
    assert main([str(archive), "--csv", str(tmp_path / "out.csv")]) == 1
    err = capsys.readouterr().err
    assert "mixed.zip: ../escape.png: a '..' in the path" in err
    assert "mixed.zip: notes.txt: not a box image" in err
    assert "folder short holds 16 box images" in err
    rows = list(csv.DictReader((tmp_path / "out.csv").open()))
    assert [r["input"] for r in rows] == [f"{archive.as_posix()}:full"]
    folder = box_folder(tmp_path / "vin", boxes)
    assert main([str(folder), "--csv", str(tmp_path / "no" / "such.csv")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and f"such.csv: its folder {(tmp_path / 'no').as_posix()} does not exist" in err
