"""Whole-VIN reading: sample boxes and fields through segmentation, the model and the rules; the CLI."""

import json

import cv2
import numpy as np
import pytest

from vinocr.box.recognizer import BoxResult
from vinocr.synth.samples import SAMPLE_VIN, sample_boxes
from vinocr.vin.cli import main
from vinocr.vin.reader import read_boxes, read_field


@pytest.fixture(scope="module")
def sample_results(recognizer):
    return recognizer.recognize_arrays([img for _, img in sample_boxes()])


def _field(boxes: list[np.ndarray]) -> np.ndarray:
    """The sample boxes side by side, gray, on a white form margin."""
    gray = [cv2.resize(b if b.ndim == 2 else cv2.cvtColor(b, cv2.COLOR_BGR2GRAY), (90, 90)) for b in boxes]
    gray = [g if np.median(g) > 127 else 255 - g for g in gray]  # one polarity for the whole field
    row = np.hstack(gray)
    return cv2.copyMakeBorder(row, 40, 40, 60, 60, cv2.BORDER_CONSTANT, value=255)


def test_sample_boxes_read_as_the_sample_vin(sample_results):
    reading = read_boxes(sample_results, "prefer")
    assert reading.plain == SAMPLE_VIN  # every box as drawn (17/17), no rule needed
    assert reading.vin == SAMPLE_VIN
    assert reading.report.rule("check_digit").passed is True


def test_a_correction_updates_the_report(sample_results):
    wrong = read_boxes(sample_results, "ignore", corrections={8: "7"})  # box 9 is the check digit
    assert wrong.vin[8] == "7" and wrong.report.rule("check_digit").passed is False
    fixed = read_boxes(sample_results, "ignore", corrections={8: "X"})
    assert fixed.report.rule("check_digit").passed is True and fixed.corrections == {8: "X"}
    with pytest.raises(ValueError, match="box 3: 'O' is not a VIN character"):
        read_boxes(sample_results, "prefer", corrections={2: "O"})


def test_empty_box_is_not_guessed(sample_results):
    boxes = list(sample_results)
    boxes[4] = BoxResult("box05.png", "empty", message="box05.png: no character in the box")
    reading = read_boxes(boxes, "prefer")
    assert reading.plain[4] == "?" and reading.decode is None
    assert "box 5 gave no character" in reading.message
    assert read_boxes(boxes, "prefer", corrections={4: "D"}).vin == SAMPLE_VIN


def test_wrong_box_count(sample_results):
    reading = read_boxes(sample_results[:16], "prefer")
    assert reading.decode is None and "16 boxes given" in reading.message
    assert reading.report.rule("length").passed is False


def test_field_image_is_segmented_and_read(recognizer):
    field = _field([img for _, img in sample_boxes()])
    reading = read_field(recognizer, field, "prefer", "field.png")
    assert reading.segmentation.ok and len(reading.boxes) == 17
    assert reading.plain == reading.vin == SAMPLE_VIN  # 17/17, as the sample reads


def test_field_with_16_boxes_is_refused(recognizer):
    field = _field([img for _, img in sample_boxes()][:16])
    reading = read_field(recognizer, field, "prefer", "short.png")
    assert not reading.segmentation.ok and reading.boxes == []
    assert "short.png" in reading.message and "16" in reading.message


def test_cli_folder_and_json(tmp_path, capsys):
    for name, img in sample_boxes():
        cv2.imwrite(str(tmp_path / name.replace("box0", "box")), img)  # box1 ... box17: natural order matters
    assert main([str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == SAMPLE_VIN and any("check_digit" in line for line in out)
    assert main([str(tmp_path), "--json", "--mode", "enforce"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["vin"] == SAMPLE_VIN and len(data["boxes"]) == 17 and data["mode"] == "enforce"
    assert all(0 < b["confidence"] <= 1 for b in data["boxes"])


def test_cli_field_image_and_errors(tmp_path, capsys):
    field = tmp_path / "field.png"
    cv2.imwrite(str(field), _field([img for _, img in sample_boxes()]))
    assert main([str(field)]) in (0, 1)
    assert len(capsys.readouterr().out.splitlines()[0]) == 17
    assert main([str(tmp_path / "missing.png")]) == 2
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"garbage")
    assert main([str(bad)]) == 2
    assert "bad.png: not a readable image" in capsys.readouterr().err


def test_cli_reads_a_sideways_phone_box_upright_and_refuses_an_empty_path(tmp_path, capsys):
    from PIL import Image

    for name, img in sample_boxes():
        cv2.imwrite(str(tmp_path / name), img)
    exif = Image.Exif()
    exif[0x0112] = 6  # stored turned anticlockwise, shown turned clockwise
    (tmp_path / "box02.png").unlink()
    Image.fromarray(np.rot90(sample_boxes()[1][1])).save(tmp_path / "box02.jpg", exif=exif.tobytes())
    (tmp_path / "box99.png").mkdir()  # an image name that is not a file: said, not silently skipped
    assert main([str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[0] == SAMPLE_VIN and SAMPLE_VIN[1] == "M"
    assert "box99.png: a folder, not an image file; skipped" in err
    assert main([""]) == 2
    assert "error: the path is empty" in capsys.readouterr().err


def test_cli_reads_a_sideways_field_photo_upright(tmp_path, capsys):
    from PIL import Image

    from vinocr.synth.samples import sample_field

    exif = Image.Exif()
    exif[0x0112] = 8  # stored turned clockwise, shown turned anticlockwise
    path = tmp_path / "field.jpg"
    Image.fromarray(np.rot90(sample_field(), -1)).save(path, quality=92, exif=exif.tobytes())
    assert main([str(path)]) in (0, 1)
    vin = capsys.readouterr().out.splitlines()[0]
    assert vin == SAMPLE_VIN  # 17/17 upright; sideways it was "found 1 character, expected 17"
