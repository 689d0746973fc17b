"""The Batch page in AppTest: the task table, bad files, chunks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from vinocr.box.image_io import encode_png
from vinocr.synth.samples import SAMPLE_VIN, sample_boxes


def test_batch_sample_boxes_give_17_rows_with_ascii_codes(open_page, matches):
    at = open_page("pages/batch.py")
    at.button[[b.label for b in at.button].index("Use the 17 sample boxes")].click().run()
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    assert list(table.columns[:3]) == ["image", "ascii", "file"]
    assert list(table["file"]) == [f"box{i:02d}.png" for i in range(1, 18)]
    read = "".join(chr(code) for code in table["ascii"])
    assert matches(read, SAMPLE_VIN) >= 15, read
    assert all(str(uri).startswith("data:image/png;base64,") for uri in table["image"])
    assert set(table["status"]) == {"ok"}


def test_batch_lists_a_bad_file_and_reads_the_others(open_page, texts, sample_files, uploader):
    at = open_page("pages/batch.py")
    files = sample_files()[:5] + [("zz_broken.png", b"not an image at all", "image/png")]
    files.append(("empty10.png", encode_png(np.zeros((64, 64), np.uint8)), "image/png"))
    uploader(at).set_value(files).run()
    assert not at.exception
    assert "zz_broken.png: not a readable image" in texts(at.error)
    assert "empty10.png" in texts(at.warning)
    table = at.dataframe[0].value
    assert len(table) == 7
    rows = table.set_index("file")
    assert rows.loc["zz_broken.png", "status"] == "error" and pd.isna(rows.loc["zz_broken.png", "ascii"])
    assert rows.loc["empty10.png", "status"] == "empty"
    assert (rows["status"] == "ok").sum() == 5


def test_batch_reads_more_than_one_chunk(open_page, uploader):
    at = open_page("pages/batch.py")
    box = encode_png(sample_boxes()[0][1])
    uploader(at).set_value([(f"many{i}.png", box, "image/png") for i in range(150)]).run()  # 3 chunks of 64
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["file"][:3]) == ["many0.png", "many1.png", "many2.png"] and len(table) == 150
    assert (table["status"] == "ok").all()


def test_batch_counts_and_lists_a_too_large_file_and_same_names(open_page, texts, sample_files, uploader):
    at = open_page("pages/batch.py")
    files = sample_files()
    files.append(("big.png", bytes(26 * 1024 * 1024), "image/png"))  # over the 25 MB box limit
    files.append(("box03.png", encode_png(np.zeros((64, 64), np.uint8)), "image/png"))  # same name again
    uploader(at).set_value(files).run()
    assert not at.exception
    assert "big.png: 27.3 MB is too large for a box image" in texts(at.error)
    assert "box03.png" in texts(at.warning) and "uploaded last is read" in texts(at.warning)
    table = at.dataframe[0].value.set_index("file")
    assert len(table) == 18 and table.loc["box03.png", "status"] == "empty"  # the later upload
    assert [m.value for m in at.metric] == ["18", "16", at.metric[2].value, "2"]
    assert all(not r.steps for r in at.session_state["batch_store"]["results"])  # thumbnails only
