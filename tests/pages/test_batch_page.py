"""The Batch page in AppTest: the task table, bad files, chunks."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pandas as pd

from tests.markdown_view import plain
from ui.many_vins import KIND_ZIP
from vinocr.box.image_io import encode_png
from vinocr.synth.samples import SAMPLE_VIN, sample_boxes, sample_field


def test_batch_sample_boxes_give_17_rows_with_ascii_codes(open_page, matches):
    at = open_page("pages/batch.py")
    at.button[[b.label for b in at.button].index("Use the 17 sample boxes")].click().run()
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    assert list(table.columns[:3]) == ["image", "ascii", "file"]
    assert list(table["file"]) == [f"box{i:02d}.png" for i in range(1, 18)]
    read = "".join(chr(code) for code in table["ascii"])
    assert read == SAMPLE_VIN, read  # the sample boxes read 17 of 17
    assert all(str(uri).startswith("data:image/png;base64,") for uri in table["image"])
    assert set(table["status"]) == {"ok"}


def test_batch_lists_a_bad_file_and_reads_the_others(open_page, texts, sample_files, uploader):
    at = open_page("pages/batch.py")
    files = sample_files()[:5] + [("zz_broken.png", b"not an image at all", "image/png")]
    files.append(("empty10.png", encode_png(np.zeros((64, 64), np.uint8)), "image/png"))
    uploader(at).set_value(files).run()
    assert not at.exception
    assert "zz_broken.png: not a readable image" in plain(texts(at.error))
    assert "`empty10.png`" in texts(at.warning)
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
    assert "big.png: 27.3 MB is too large for a box image" in plain(texts(at.error))
    assert "`box03.png`" in texts(at.warning) and "uploaded last is read" in texts(at.warning)
    table = at.dataframe[0].value.set_index("file")
    assert len(table) == 18 and table.loc["box03.png", "status"] == "empty"  # the later upload
    assert [m.value for m in at.metric] == ["18", "16", at.metric[2].value, "2"]
    assert all(not r.steps for r in at.session_state["batch_store"]["results"])  # thumbnails only


def test_many_vins_from_a_zip_name_refused_members_and_filter_by_status(open_page, texts, sample_files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for folder, count in (("vin2", 17), ("vin1", 17), ("short", 16)):
            for name, data, _ in sample_files()[:count]:
                archive.writestr(f"{folder}/{name}", data)
        archive.writestr("../evil.png", sample_files()[0][1])
    at = open_page("pages/batch.py")
    at.radio(key="batch_view").set_value("Many VINs").run()
    at.radio(key="many_vins_kind").set_value(KIND_ZIP).run()
    at.file_uploader[0].set_value(("vins.zip", buffer.getvalue(), "application/zip")).run()
    assert not at.exception
    refused = texts(at.error)
    assert "vins.zip: ../evil.png: a '..' in the path" in refused and "folder short holds 16" in refused
    table = at.dataframe[0].value
    assert list(table["input"]) == ["vins.zip:vin1", "vins.zip:vin2"]
    assert list(table["vin"]) == [SAMPLE_VIN, SAMPLE_VIN] and set(table["status"]) <= {"accept", "review"}
    assert all(str(uri).startswith("data:image/png;base64,") for uri in table["image"])
    assert [m.label for m in at.metric] == ["VINs", "Accept", "Review", "Not read"]
    first = table["status"].iloc[0]
    at.segmented_control(key="many_vins_status").set_value(first).run()
    assert set(at.dataframe[0].value["status"]) == {first}
    at.segmented_control(key="many_vins_status").set_value("error").run()
    assert len(at.dataframe[0].value) == 0
    assert "Download these 0 rows (CSV)" in [b.label for b in at.download_button]


def test_many_vins_from_field_images_lists_a_bad_file_as_a_row(open_page):
    at = open_page("pages/batch.py")
    at.radio(key="batch_view").set_value("Many VINs").run()
    field = encode_png(sample_field())
    files = [(name, field, "image/png") for name in ("f2.png", "f10.png")] + [
        ("bad.png", b"junk", "image/png")
    ]
    at.file_uploader[0].set_value(files).run()
    assert not at.exception
    table = at.dataframe[0].value.set_index("input")
    assert list(table.index) == ["bad.png", "f2.png", "f10.png"]  # natural order
    assert table.loc["bad.png", "status"] == "error"
    assert "not a readable image" in table.loc["bad.png", "message"]
    assert table.loc["f2.png", "status"] in ("accept", "review") and len(table.loc["f2.png", "vin"]) == 17


def zip_of(folders: dict[str, list[tuple[str, bytes]]]) -> bytes:
    """A ZIP with one folder per key, holding the (name, bytes) members given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for folder, members in folders.items():
            for name, data in members:
                archive.writestr(f"{folder}/{name}", data)
    return buffer.getvalue()


def upload_zip(open_page, name: str, data: bytes):
    """The Batch page in many-VINs mode after uploading one ZIP."""
    at = open_page("pages/batch.py")
    at.radio(key="batch_view").set_value("Many VINs").run()
    at.radio(key="many_vins_kind").set_value(KIND_ZIP).run()
    at.file_uploader[0].set_value((name, data, "application/zip")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_an_unreadable_box_inside_a_zip_folder_is_named_with_the_zip(open_page, texts, sample_files):
    good = [(name, data) for name, data, _ in sample_files()]
    broken = good[:16] + [("box17.png", b"this is not a PNG")]
    at = upload_zip(open_page, "fleet.zip", zip_of({"car1": good, "car2": broken}))
    assert "fleet.zip:car2/box17.png: not a readable image" in plain(texts(at.error))
    table = at.dataframe[0].value.set_index("input")
    assert list(table.index) == ["fleet.zip:car1", "fleet.zip:car2"]
    assert table.loc["fleet.zip:car2", "status"] == "review" and "?" in table.loc["fleet.zip:car2", "vin"]


def test_a_read_zip_is_dropped_and_only_the_table_is_kept(open_page, sample_files):
    good = [(name, data) for name, data, _ in sample_files()]
    at = upload_zip(open_page, "two.zip", zip_of({"a": good, "b": good}))
    store = at.session_state["many_vins_store"]
    assert set(store) == {"table", "problems", "names", "mode"}  # no readings, boxes or upload bytes
    assert store["names"] == ["two.zip"] and len(store["table"]) == 2
    assert at.file_uploader[0].value is None  # a fresh uploader: the upload itself is not kept
    assert any("`two.zip`" in c.value for c in at.caption)  # what the table was read from
    at.segmented_control(key="many_vins_status").set_value("all").run()  # the table stays
    assert len(at.dataframe[0].value) == 2


def test_box_uploads_are_read_once_then_dropped_and_the_table_stays(open_page, sample_files, uploader):
    at = open_page("pages/batch.py")
    uploader(at).set_value(sample_files()[:4]).run()
    assert not at.exception
    assert not uploader(at).value  # a fresh uploader: the files are not kept in the session
    assert set(at.session_state["batch_store"]) == {"sig", "origin", "clashes", "results", "thumbs"}
    at.toggle[0].set_value(True).run()  # the page still shows what was read
    assert len(at.dataframe[0].value) == 4
    assert any("4 files uploaded last" in c.value for c in at.caption)
