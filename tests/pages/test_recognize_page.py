"""The Recognize page in AppTest: uploads, order, corrections, rules, whole fields."""

from __future__ import annotations

import random
import re

import cv2
import numpy as np
import pandas as pd

from tests.field.hershey_photos import hershey_photo
from tests.markdown_view import plain
from ui import inputs
from vinocr.box.image_io import encode_png
from vinocr.synth.samples import SAMPLE_VIN, sample_boxes
from vinocr.vin.rules import check_digit_ok


def test_upload_of_17_boxes_in_any_order_reads_the_vin(
    open_page, vin_shown, texts, sample_files, uploader, table_with, matches
):
    at = open_page("pages/recognize.py")
    files = sample_files()
    random.Random(3).shuffle(files)
    uploader(at).set_value(files).run()
    assert not at.exception and not at.error, texts(at.error)
    vin = vin_shown(at)
    assert vin == SAMPLE_VIN, vin  # the sample boxes read 17 of 17
    table = table_with(at, "vin char")
    assert list(table["file"]) == [f"box{i:02d}.png" for i in range(1, 18)]  # natural order restored
    assert list(table["position"]) == list(range(1, 18))
    assert all(48 <= code <= 90 for code in table["ascii"])
    assert len(at.selectbox) == 17  # one correction box per VIN box
    assert "Check digit" in texts(at.markdown)


def test_boxes_can_be_reordered_with_the_position_column(
    open_page, vin_shown, texts, sample_files, uploader, table_with
):
    at = open_page("pages/recognize.py")
    files = sample_files()
    uploader(at).set_value(files).run()
    at.radio(key="recognize_mode").set_value("ignore").run()  # per-box reading, no rule changes
    before = vin_shown(at)
    sig = inputs.signature([(name, data) for name, data, _ in files])
    edits = {"edited_rows": {0: {"position": 99}}, "added_rows": [], "deleted_rows": []}
    at.session_state[f"order_{sig}"] = edits  # move box01 to the end, as a user would in the editor
    at.run()
    assert not at.exception
    table = table_with(at, "vin char")
    assert list(table["file"]) == [f"box{i:02d}.png" for i in range(2, 18)] + ["box01.png"]
    assert "Reading order: box02.png" in plain(texts(at.caption))
    assert vin_shown(at) == before[1:] + before[0]  # the characters moved along with their boxes


def test_more_than_17_files_reads_the_first_17_and_says_so(
    open_page, texts, sample_files, uploader, table_with
):
    at = open_page("pages/recognize.py")
    extra = [(f"box{i}.png", encode_png(sample_boxes()[0][1]), "image/png") for i in (18, 19)]
    uploader(at).set_value(sample_files() + extra).run()
    assert not at.exception
    warning = texts(at.warning)
    assert "first 17" in warning and "box18.png" in warning and "box19.png" in warning
    assert len(table_with(at, "vin char")) == 17


def test_a_corrupt_box_is_named_and_the_others_still_read(
    open_page, vin_shown, texts, sample_files, uploader, table_with, matches
):
    at = open_page("pages/recognize.py")
    files = sample_files()
    files[4] = ("box05.png", b"\x89PNG\r\n\x1a\n not really a png", "image/png")
    uploader(at).set_value(files).run()
    assert not at.exception
    assert "box05.png" in texts(at.error)
    vin = vin_shown(at)
    assert vin is not None and vin[4] == "?" and matches(vin, SAMPLE_VIN) == 16  # all but the broken box
    table = table_with(at, "vin char")
    assert table.loc[4, "status"] == "error" and pd.isna(table.loc[4, "ascii"])


def test_a_correction_updates_the_vin_and_the_report(
    open_page, vin_shown, texts, sample_files, uploader, table_with
):
    at = open_page("pages/recognize.py")
    uploader(at).set_value(sample_files()).run()
    at.radio(key="recognize_mode").set_value("ignore").run()
    before = vin_shown(at)
    wrong = "3" if before[8] != "3" else "4"
    at.selectbox[8].select(wrong).run()  # the check digit box
    assert not at.exception
    after = vin_shown(at)
    assert after[8] == wrong and after[:8] == before[:8]
    report = texts(at.markdown)
    assert "should be" in report  # the check digit now fails
    table = table_with(at, "vin char")
    assert table.loc[8, "corrected"] == wrong and table.loc[8, "vin char"] == wrong
    at.button(key="clear_corrections").click().run()
    assert vin_shown(at) == before


def test_a_rule_aware_suggestion_can_be_taken_over(open_page, vin_shown, texts, sample_files, uploader):
    at = open_page("pages/recognize.py")
    uploader(at).set_value(sample_files()).run()
    at.selectbox[0].select("7").run()  # a wrong first character breaks the check digit
    suggestion = [b for b in at.button if b.key == "use_suggestion"]
    if suggestion:  # the valid VIN is too unlikely to be shown by itself: the user can take it
        suggestion[0].click().run()
        assert not at.exception
        assert (
            sum(1 for key in at.session_state if str(key).startswith("fix_") and at.session_state[key]) >= 2
        )
    vin = vin_shown(at)
    assert vin[0] == "7"
    assert check_digit_ok(vin), vin
    assert "as expected" in texts(at.markdown)


def test_enforce_mode_marks_the_check_digit_required(open_page, texts, sample_files, uploader):
    at = open_page("pages/recognize.py")
    uploader(at).set_value(sample_files()).run()
    at.radio(key="recognize_mode").set_value("enforce").run()
    assert not at.exception
    assert "Check digit (position 9)** <span style='color:#6b7280'>(required)" in texts(at.markdown)


def test_sample_field_is_segmented_and_read(open_page, vin_shown, texts, matches):
    at = open_page("pages/recognize.py")
    at.button[[b.label for b in at.button].index("Load the sample field")].click().run()
    assert not at.exception and not at.error, texts(at.error)
    assert at.radio(key="recognize_input").value.startswith("One image")
    vin = vin_shown(at)
    assert vin is not None and matches(vin, SAMPLE_VIN) >= 15, vin


def _image_captions(at) -> list[str]:
    """The captions of the page's st.image elements, in order."""
    return [image.proto.imgs[0].caption for image in at.get("image")]


def test_sample_photo_is_located_rectified_and_read(open_page, vin_shown, texts, matches):
    at = open_page("pages/recognize.py")
    at.button[[b.label for b in at.button].index("Load the sample photo")].click().run()
    assert not at.exception and not at.error, texts(at.error)
    assert at.radio(key="recognize_input").value.startswith("One image")
    captions = _image_captions(at)
    assert "sample_photo.jpg: the field found (blue) and the 17 boxes cut from it" in plain(captions[0])
    assert captions[1].startswith("The field rectified and its light flattened: 17 boxes found")
    vin = vin_shown(at)
    assert vin is not None and matches(vin, SAMPLE_VIN) >= 16, vin
    assert "looks blurred" not in texts(at.caption) + texts(at.markdown)


def test_a_shaken_phone_photo_is_said_to_look_blurred_found_or_not(open_page, vin_shown, texts, uploader):
    at = open_page("pages/recognize.py")
    at.radio(key="recognize_input").set_value("One image of the whole field").run()
    lost, _ = hershey_photo(3002, motion=24.0)  # shaken about 22 px: its boxes are not found
    uploader(at).set_value(("shaken.jpg", lost.data, "image/jpeg")).run()
    assert not at.exception and "shaken.jpg" in texts(at.error) and vin_shown(at) is None
    assert "**Hold still:** the photo looks blurred" in texts(at.markdown)
    read, _ = hershey_photo(3001, motion=24.0)  # shaken about 20 px, still found
    uploader(at).set_value(("shaken2.jpg", read.data, "image/jpeg")).run()
    assert not at.exception and not at.error, texts(at.error)
    assert vin_shown(at) is not None
    assert "The picture looks blurred" in texts(at.caption)


def test_a_60_megapixel_photo_is_refused_from_its_header(open_page, vin_shown, texts, uploader, blank_png):
    at = open_page("pages/recognize.py")
    at.radio(key="recognize_input").set_value("One image of the whole field").run()
    uploader(at).set_value(("huge.png", blank_png(8944, 6708), "image/png")).run()
    assert not at.exception
    assert "huge.png: 8944x6708 px (60 MP) is too large for a photo (max 50 MP)" in plain(texts(at.error))
    assert vin_shown(at) is None


def test_field_without_17_boxes_shows_the_message_and_no_guess(open_page, vin_shown, texts, uploader):
    at = open_page("pages/recognize.py")
    at.radio(key="recognize_input").set_value("One image of the whole field").run()
    field = np.full((120, 600), 255, np.uint8)
    for i in range(5):  # five boxes only
        cv2.rectangle(field, (20 + i * 100, 20), (110 + i * 100, 100), 0, 3)
    uploader(at).set_value(("five.png", encode_png(field), "image/png")).run()
    assert not at.exception
    assert "five.png" in texts(at.error)
    assert vin_shown(at) is None


def test_unreadable_field_file_is_named(open_page, vin_shown, texts, uploader):
    at = open_page("pages/recognize.py")
    at.radio(key="recognize_input").set_value("One image of the whole field").run()
    uploader(at).set_value(("scan.jpg", b"garbage", "image/jpeg")).run()
    assert not at.exception
    assert "scan.jpg" in texts(at.error)
    assert vin_shown(at) is None


def test_two_sets_with_the_same_names_are_never_interleaved(
    open_page, vin_shown, texts, sample_files, uploader, matches
):
    other_vin = "2HGES16575H591231"
    at = open_page("pages/recognize.py")
    first = sample_files()
    second = [(name, encode_png(image), "image/png") for name, image in sample_boxes(other_vin, seed=5)]
    assert [name for name, _, _ in first] == [name for name, _, _ in second]  # box01.png ... box17.png
    uploader(at).set_value(first + second).run()  # added without clearing the first set
    assert not at.exception
    vin = vin_shown(at)
    assert matches(vin, other_vin) >= 15 and matches(vin, SAMPLE_VIN) < 10, vin  # one set, not a mix
    warning = texts(at.warning)
    assert "17 names were uploaded more than once" in warning and "box01.png" in warning
    assert "uploaded last is read" in warning


def test_each_bad_file_is_counted_and_its_reason_shown_once(
    open_page, vin_shown, texts, sample_files, uploader
):
    at = open_page("pages/recognize.py")
    files = sample_files()
    files[4] = ("box05.png", b"\x89PNG\r\n\x1a\n not really a png", "image/png")
    files[6] = ("box07.png", bytes(26 * 1024 * 1024), "image/png")  # over the 25 MB box limit
    uploader(at).set_value(files).run()
    assert not at.exception
    errors = [plain(str(e.value)) for e in at.error]  # as shown: names are code spans
    assert len(errors) == 3 and "2 of 17 files could not be read (box05.png, box07.png)" in errors[0]
    assert sum("box05.png: not a readable image" in e for e in errors) == 1
    assert sum("box07.png: 27.3 MB is too large for a box image" in e for e in errors) == 1
    vin = vin_shown(at)
    assert vin[4] == "?" and vin[6] == "?"
    assert "refused by the browser" in texts(at.caption)


def test_a_session_keeps_only_the_current_upload(open_page, vin_shown, uploader, matches):
    """Three VINs one after the other (Clear in between): the session holds one set of results and
    the widgets of the current upload only, so it cannot grow with use."""
    at = open_page("pages/recognize.py")
    sizes = []
    for seed, vin in enumerate(["1HGCM82633A004352", "JH4KA7561PC008269", "2T1BURHEXJC043821"]):
        files = [(name, encode_png(image), "image/png") for name, image in sample_boxes(vin, seed=seed)]
        uploader(at).set_value(files).run()
        assert not at.exception and matches(vin_shown(at), vin) >= 15
        keys = set(at.session_state.keys())
        sig = inputs.signature([(name, data) for name, data, _ in files])
        assert at.session_state["recognize_store"]["id"][1] == sig
        assert {k for k in keys if k.startswith(("fix_", "order_"))} == {f"order_{sig}"} | {
            f"fix_{sig}_{i}" for i in range(17)
        }
        sizes.append(len(keys))
        at.button(key="clear_uploads").click().run()
        assert vin_shown(at) is None and not uploader(at).value
    assert sizes[0] == sizes[1] == sizes[2]


def test_the_vin_says_accept_or_review_and_outlines_the_boxes_to_check(
    open_page, texts, sample_files, uploader
):
    at = open_page("pages/recognize.py")
    uploader(at).set_value(sample_files()).run()
    verdict = texts(at.success) + texts(at.warning)
    assert ("**Accept**" in verdict or "**Review**" in verdict) and "exactly right" in verdict
    files = sample_files()[:16] + [("box17.png", encode_png(np.zeros((64, 64), np.uint8)), "image/png")]
    uploader(at).set_value(files).run()
    assert not at.exception
    assert "**Review**: box 17 gave no character" in texts(at.warning)
    vin = next(m.value for m in at.markdown if "vin-display" in m.value)
    outlined = [i + 1 for i, span in enumerate(re.findall(r"<span[^>]*>", vin)) if "outline:3px" in span]
    assert outlined == [17]
