"""Tight crops (a glyph filling its image, no box line) on the Batch and Recognize pages: the pages
read boxes through the same recogniser path as the CLI, so L's foot, Z's base, T's bar, K's stem and
E's stem and bars are kept as strokes there too."""

from __future__ import annotations

import numpy as np

from vinocr.box.image_io import encode_png
from vinocr.synth.boxes import tight_crop
from vinocr.synth.samples import draw_glyph

CHARS = "LZTKE"


def _uploads(invert: bool = False) -> list[tuple[str, bytes, str]]:
    """Tight crops of L, Z, T, K and E as uploads, named in reading order."""
    return [
        (
            f"tight{i}.png",
            encode_png(tight_crop(draw_glyph(c, np.random.default_rng(0)), invert=invert)),
            "image/png",
        )
        for i, c in enumerate(CHARS)
    ]


def test_batch_page_reads_tight_crops(open_page, uploader):
    at = open_page("pages/batch.py")
    uploader(at).set_value(_uploads() + [(f"b{n}", d, m) for n, d, m in _uploads(invert=True)]).run()
    assert not at.exception and not at.error
    rows = at.dataframe[0].value.set_index("file")
    for i, char in enumerate(CHARS):
        assert rows.loc[f"tight{i}.png", "ascii"] == ord(char)
        assert rows.loc[f"btight{i}.png", "ascii"] == ord(char)


def test_recognize_page_reads_tight_crops(open_page, uploader, table_with):
    at = open_page("pages/recognize.py")
    uploader(at).set_value(_uploads(invert=True)).run()
    assert not at.exception
    table = table_with(at, "read")
    assert list(table["file"]) == [f"tight{i}.png" for i in range(len(CHARS))]
    assert "".join(table["read"]) == CHARS
