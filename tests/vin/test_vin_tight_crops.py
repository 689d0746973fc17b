"""The VIN reader on 17 tightly cropped boxes (no box lines; strokes along the image edges)."""

import json

import numpy as np

from vinocr.box.image_io import encode_png
from vinocr.synth.boxes import tight_crop
from vinocr.synth.samples import draw_glyph
from vinocr.vin.cli import main
from vinocr.vin.reader import read_boxes

VIN = "LZTKELZTKELZTKELZ"  # not a valid VIN: read per box (mode ignore)


def _boxes() -> list[np.ndarray]:
    return [tight_crop(draw_glyph(c, np.random.default_rng(0)), invert=i % 2 == 1) for i, c in enumerate(VIN)]


def test_vin_reader_reads_tight_crops(recognizer):
    reading = read_boxes(recognizer.recognize_arrays(_boxes()), "ignore")
    assert reading.plain == VIN


def test_vin_cli_reads_a_folder_of_tight_crops(tmp_path, capsys):
    for i, box in enumerate(_boxes(), 1):
        (tmp_path / f"box{i}.png").write_bytes(encode_png(box))
    main([str(tmp_path), "--mode", "ignore", "--json"])
    assert json.loads(capsys.readouterr().out)["plain"] == VIN
