"""The Streamlit app under streamlit.testing.v1.AppTest: every page renders, uploads are read, corrections
update the report, the batch table follows the contract; plus the pure helpers in ui.support."""

from __future__ import annotations

import base64
import json
import random
import re
import shutil

import cv2
import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import vinocr.train.data
from ui import canvas, figures, inputs, tables, vin_display
from vinocr.alphabet import VIN_ALPHABET
from vinocr.box.image_io import encode_png
from vinocr.box.recognizer import BoxResult
from vinocr.synth.samples import SAMPLE_VIN, draw_glyph, sample_boxes
from vinocr.vin.reader import read_boxes
from vinocr.vin.rules import check_digit_ok

APP = "../app.py"  # AppTest.from_file resolves it against this file
PAGES = ["pages/home.py", "pages/recognize.py", "pages/draw.py", "pages/batch.py", "pages/metrics.py"]
TIMEOUT = 60


def open_page(page: str = "pages/home.py") -> AppTest:
    """A fresh session of the app, showing `page`."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    if page != "pages/home.py":
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def vin_shown(at: AppTest) -> str | None:
    """The text of the large VIN display, None when none is shown."""
    for block in at.markdown:
        if "vin-display" in block.value:
            return re.sub(r"<[^>]+>", "", block.value)
    return None


def texts(elements) -> str:
    """All values of a list of message elements as one string."""
    return "\n".join(str(e.value) for e in elements)


def sample_files() -> list[tuple[str, bytes, str]]:
    """The 17 sample boxes as uploads (name, PNG bytes, MIME type)."""
    return [(name, encode_png(image), "image/png") for name, image in sample_boxes()]


def uploader(at: AppTest):
    """The page's (only) file uploader."""
    found = at.get("file_uploader")
    assert len(found) == 1
    return found[0]


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    """The first table on the page that has `column`."""
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with a {column!r} column")


def matches(a: str, b: str) -> int:
    """How many positions agree."""
    return sum(x == y for x, y in zip(a, b, strict=False))


# --------------------------------------------------------------------------- every page


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_exception(page):
    at = open_page(page)
    assert at.title, f"{page} has no title"
    assert not at.error, texts(at.error)


def test_home_has_links_metrics_and_a_sample_button():
    at = open_page()
    assert len(at.main.get("page_link")) == 4
    assert len(at.sidebar.get("page_link")) == 5  # the menu every page draws (ui/navigation.py)
    assert [m.label for m in at.metric][:3] == ["Test accuracy", "Macro recall", "Model file"]
    at.button(key="home_sample").click().run()
    assert not at.exception
    assert at.title[0].value == "Recognize a VIN"
    vin = vin_shown(at)
    assert vin is not None and len(vin) == 17 and matches(vin, SAMPLE_VIN) >= 15, vin


# --------------------------------------------------------------------------- recognize


def test_upload_of_17_boxes_in_any_order_reads_the_vin():
    at = open_page("pages/recognize.py")
    files = sample_files()
    random.Random(3).shuffle(files)
    uploader(at).set_value(files).run()
    assert not at.exception and not at.error, texts(at.error)
    vin = vin_shown(at)
    assert vin is not None and matches(vin, SAMPLE_VIN) >= 15, vin
    table = table_with(at, "vin char")
    assert list(table["file"]) == [f"box{i:02d}.png" for i in range(1, 18)]  # natural order restored
    assert list(table["position"]) == list(range(1, 18))
    assert all(48 <= code <= 90 for code in table["ascii"])
    assert len(at.selectbox) == 17  # one correction box per VIN box
    assert "Check digit" in texts(at.markdown)


def test_boxes_can_be_reordered_with_the_position_column():
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
    assert "Reading order: box02.png" in texts(at.caption)
    assert vin_shown(at) == before[1:] + before[0]  # the characters moved along with their boxes


def test_more_than_17_files_reads_the_first_17_and_says_so():
    at = open_page("pages/recognize.py")
    extra = [(f"box{i}.png", encode_png(sample_boxes()[0][1]), "image/png") for i in (18, 19)]
    uploader(at).set_value(sample_files() + extra).run()
    assert not at.exception
    warning = texts(at.warning)
    assert "first 17" in warning and "box18.png" in warning and "box19.png" in warning
    assert len(table_with(at, "vin char")) == 17


def test_a_corrupt_box_is_named_and_the_others_still_read():
    at = open_page("pages/recognize.py")
    files = sample_files()
    files[4] = ("box05.png", b"\x89PNG\r\n\x1a\n not really a png", "image/png")
    uploader(at).set_value(files).run()
    assert not at.exception
    assert "box05.png" in texts(at.error)
    vin = vin_shown(at)
    assert vin is not None and vin[4] == "?" and matches(vin, SAMPLE_VIN) >= 14
    table = table_with(at, "vin char")
    assert table.loc[4, "status"] == "error" and pd.isna(table.loc[4, "ascii"])


def test_a_correction_updates_the_vin_and_the_report():
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


def test_a_rule_aware_suggestion_can_be_taken_over():
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


def test_enforce_mode_marks_the_check_digit_required():
    at = open_page("pages/recognize.py")
    uploader(at).set_value(sample_files()).run()
    at.radio(key="recognize_mode").set_value("enforce").run()
    assert not at.exception
    assert "Check digit (position 9)** <span style='color:#6b7280'>(required)" in texts(at.markdown)


def test_sample_field_is_segmented_and_read():
    at = open_page("pages/recognize.py")
    at.button[[b.label for b in at.button].index("Load the sample field")].click().run()
    assert not at.exception and not at.error, texts(at.error)
    assert at.radio(key="recognize_input").value.startswith("One image")
    vin = vin_shown(at)
    assert vin is not None and matches(vin, SAMPLE_VIN) >= 15, vin


def test_field_without_17_boxes_shows_the_message_and_no_guess():
    at = open_page("pages/recognize.py")
    at.radio(key="recognize_input").set_value("One image of the whole field").run()
    field = np.full((120, 600), 255, np.uint8)
    for i in range(5):  # five boxes only
        cv2.rectangle(field, (20 + i * 100, 20), (110 + i * 100, 100), 0, 3)
    uploader(at).set_value(("five.png", encode_png(field), "image/png")).run()
    assert not at.exception
    assert "five.png" in texts(at.error)
    assert vin_shown(at) is None


def test_unreadable_field_file_is_named():
    at = open_page("pages/recognize.py")
    at.radio(key="recognize_input").set_value("One image of the whole field").run()
    uploader(at).set_value(("scan.jpg", b"garbage", "image/jpeg")).run()
    assert not at.exception
    assert "scan.jpg" in texts(at.error)
    assert vin_shown(at) is None


# --------------------------------------------------------------------------- draw


def canvas_state(rgba: np.ndarray) -> dict:
    """The drawable canvas's component value for an RGBA drawing (its 0.13 wire format)."""
    ok, buf = cv2.imencode(".png", cv2.cvtColor(rgba, cv2.COLOR_RGBA2BGRA))
    assert ok
    uri = "data:image/png;base64," + base64.b64encode(buf.tobytes()).decode("ascii")
    return {"drawing": {"raw": {"objects": [{"type": "path"}]}, "data": uri}, "backgroundFit": None}


def glyph_in(side_w: int, side_h: int, char: str, rng: np.random.Generator) -> np.ndarray:
    """A white glyph scaled into a side_w x side_h cell (black elsewhere)."""
    glyph = draw_glyph(char, rng)
    ys, xs = np.nonzero(glyph > 40)
    glyph = glyph[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    scale = 0.7 * min(side_w / glyph.shape[1], side_h / glyph.shape[0])
    glyph = cv2.resize(glyph, (max(1, int(glyph.shape[1] * scale)), max(1, int(glyph.shape[0] * scale))))
    cell = np.zeros((side_h, side_w), np.uint8)
    y0, x0 = (side_h - glyph.shape[0]) // 2, (side_w - glyph.shape[1]) // 2
    cell[y0 : y0 + glyph.shape[0], x0 : x0 + glyph.shape[1]] = glyph
    return cell


def test_draw_page_empty_canvas_asks_for_a_character():
    at = open_page("pages/draw.py")
    assert "Draw a character" in texts(at.info)
    assert "Prediction" not in texts(at.markdown)
    blank = np.zeros((280, 280, 4), np.uint8)
    blank[..., 3] = 255
    at.session_state["draw_single_0"] = canvas_state(blank)
    at.run()
    assert "Draw a character" in texts(at.info)
    assert "Prediction" not in texts(at.markdown)


def test_draw_page_predicts_a_drawn_character():
    at = open_page("pages/draw.py")
    gray = glyph_in(280, 280, "7", np.random.default_rng(1))
    rgba = np.dstack([gray, gray, gray, np.full_like(gray, 255)])
    at.session_state["draw_single_0"] = canvas_state(rgba)
    at.run()
    assert not at.exception
    prediction = [m.value for m in at.markdown if "Prediction" in m.value]
    assert prediction and ">7</span>" in prediction[0]
    at.button[[b.label for b in at.button].index("Clear")].click().run()
    assert "Draw a character" in texts(at.info)


def test_draw_page_reads_17_cells_as_a_vin():
    at = open_page("pages/draw.py")
    at.radio(key="draw_kind").set_value("A whole VIN (17 cells)").run()
    rng = np.random.default_rng(5)
    ink = np.hstack([glyph_in(canvas.DRAW_CELL_W, canvas.DRAW_CELL_H, c, rng) for c in SAMPLE_VIN])
    lines = canvas.guide_image(ink.shape[1], ink.shape[0])[..., 0]  # guide lines must never be read
    alpha = np.maximum(ink, lines)
    rgba = np.dstack([alpha, alpha, alpha, alpha])  # see-through background, as the canvas sends it
    at.session_state["draw_field_0"] = canvas_state(rgba)
    at.run()
    assert not at.exception
    vin = vin_shown(at)
    assert vin is not None and len(vin) == 17 and matches(vin, SAMPLE_VIN) >= 14, vin
    assert "Check digit" in texts(at.markdown)


# --------------------------------------------------------------------------- batch


def test_batch_sample_boxes_give_17_rows_with_ascii_codes():
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


def test_batch_lists_a_bad_file_and_reads_the_others():
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


def test_batch_reads_more_than_one_chunk():
    at = open_page("pages/batch.py")
    box = encode_png(sample_boxes()[0][1])
    uploader(at).set_value([(f"many{i}.png", box, "image/png") for i in range(150)]).run()  # 3 chunks of 64
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["file"][:3]) == ["many0.png", "many1.png", "many2.png"] and len(table) == 150
    assert (table["status"] == "ok").all()


# --------------------------------------------------------------------------- metrics


def fake_training_files(folder) -> None:
    """history.json and metrics.json in the trainer's schema, with made-up numbers (test-only)."""
    history = [
        {
            "epoch": e,
            "loss": 1 / e,
            "accuracy": 1 - 0.3 / e,
            "val_loss": 0.8 / e,
            "val_accuracy": 1 - 0.2 / e,
            "val_macro_recall": 1 - 0.25 / e,
            "learning_rate": 1e-3,
            "seconds": 60.0,
        }
        for e in range(1, 5)
    ]
    matrix = np.diag(np.full(33, 100))
    matrix[VIN_ALPHABET.index("8"), VIN_ALPHABET.index("B")] = 9
    matrix[VIN_ALPHABET.index("5"), VIN_ALPHABET.index("S")] = 4
    totals = matrix.sum(axis=1)
    test = {
        "accuracy": float(np.trace(matrix) / matrix.sum()),
        "macro_recall": float(np.mean(np.diag(matrix) / totals)),
        "per_class_recall": {c: float(matrix[i, i] / totals[i]) for i, c in enumerate(VIN_ALPHABET)},
        "support": {c: int(totals[i]) for i, c in enumerate(VIN_ALPHABET)},
        "confusion_matrix": matrix.tolist(),
        "n": int(matrix.sum()),
    }
    metrics = {
        "test": test,
        "validation_best_epoch": {"epoch": 4, "val_accuracy": 0.95, "val_macro_recall": 0.94},
        "prior_correction": {"alpha": 0.3, "rule": "logits - alpha * log prior"},
        "onnx_file": "vinocr.onnx",
        "onnx_bytes": 1_900_000,
        "split_sizes": {"pool": 100, "train": 80, "validation": 10, "test": 10},
        "data_files": {"emnist-byclass-test-images-idx3-ubyte.gz": "0" * 64},
        "parameters": {"epochs": 4, "batch_size": 128, "trainable_params": 1234},
        "seed": 1,
        "training_seconds": 240.0,
        "model_bytes": 2_000_000,
        "versions": {"python": "3.11"},
        "machine": "test",
    }
    (folder / "history.json").write_text(json.dumps(history))
    (folder / "metrics.json").write_text(json.dumps(metrics))


def test_metrics_page_shows_curves_results_and_model_card(tmp_path, monkeypatch):
    fake_training_files(tmp_path)
    monkeypatch.setenv("VINOCR_MODEL_DIR", str(tmp_path))
    at = open_page("pages/metrics.py")
    assert not at.error
    assert len(at.get("vega_lite_chart")) >= 4  # loss, accuracy, per-class recall, confusion matrix
    assert [m.label for m in at.metric][:2] == ["Accuracy", "Macro recall"]
    pairs = at.dataframe[0].value
    assert (pairs.iloc[0]["true"], pairs.iloc[0]["predicted"], pairs.iloc[0]["count"]) == ("8", "B", 9)
    card = at.dataframe[1].value
    assert "Split sizes" in set(card["field"]) and "Training time" in set(card["field"])


def test_metrics_page_without_training_files_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("VINOCR_MODEL_DIR", str(tmp_path))
    at = open_page("pages/metrics.py")
    assert "No training results" in texts(at.info)


def test_metrics_page_without_emnist_says_so(tmp_path, monkeypatch):
    fake_training_files(tmp_path)
    monkeypatch.setenv("VINOCR_MODEL_DIR", str(tmp_path))
    monkeypatch.setenv("VINOCR_EMNIST_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setattr(vinocr.train.data, "DEFAULT_EMNIST_DIR", tmp_path / "nowhere")
    at = open_page("pages/metrics.py")
    assert "EMNIST files are not available" in texts(at.info)


def test_metrics_page_gallery_of_misclassified_test_images(tmp_path, monkeypatch):
    if vinocr.train.data.find_emnist_dir() is None:
        pytest.skip("EMNIST directory absent (set VINOCR_EMNIST_DIR)")
    fake_training_files(tmp_path)
    for path in (
        inputs.ROOT / "models"
    ).iterdir():  # the model files (Keras, ONNX, alphabet), not the metrics
        if path.is_file() and path.name not in ("history.json", "metrics.json"):
            shutil.copy(path, tmp_path / path.name)
    monkeypatch.setenv("VINOCR_MODEL_DIR", str(tmp_path))
    at = open_page("pages/metrics.py")
    at.button[[b.label for b in at.button].index("Find the misclassified test images")].click().run()
    assert not at.exception and not at.error, texts(at.error)
    assert "test images are misclassified" in texts(at.caption)
    gallery = [m.value for m in at.markdown if "<figure" in m.value]
    assert gallery and gallery[0].count("<figure") > 10 and " → <b>" in gallery[0]


# --------------------------------------------------------------------------- pure helpers


def test_natural_order_and_reordering():
    names = ["box10.png", "box2.png", "Box1.png", "box2.png"]
    assert inputs.natural_order(names) == [2, 1, 3, 0] or inputs.natural_order(names) == [1, 3, 2, 0]
    assert inputs.natural_order(["b10", "b9", "b1"]) == [2, 1, 0]
    assert inputs.apply_order([3, 1, 2]) == [1, 2, 0]
    assert inputs.apply_order([1, None, 1, "x", float("nan")]) == [0, 2, 1, 3, 4]
    items = [(f"f{i}.png", b"") for i in (20, 3, 1, 100)]
    kept, dropped = inputs.limit_boxes(items, 3)
    assert [n for n, _ in kept] == ["f1.png", "f3.png", "f20.png"] and [n for n, _ in dropped] == ["f100.png"]
    assert inputs.signature(items) != inputs.signature(items[:3])


def test_tables_and_csv(recognizer):
    boxes = sample_boxes()[:3]
    results = recognizer.recognize_arrays([img for _, img in boxes], [n for n, _ in boxes])
    results.append(BoxResult("bad.png", "error", message="bad.png: not a readable image"))
    table = tables.batch_table(results, [figures.thumbnail_uri(figures.first_image(r)) for r in results])
    assert list(table.columns[:3]) == ["image", "ascii", "file"]
    assert table["ascii"].iloc[0] == ord(results[0].char) and pd.isna(table["ascii"].iloc[3])
    csv = tables.csv_bytes(table).decode()
    assert csv.splitlines()[0].startswith("ascii,file,char,status,confidence")
    assert "data:image" not in csv and "bad.png: not a readable image" in csv
    boxes = tables.box_table(results, "1M8?", {1: "M"}, [1])
    assert list(boxes["vin char"]) == list("1M8?") and boxes.loc[1, "corrected"] == "M"
    assert bool(boxes.loc[0, "changed by rules"]) and pd.isna(boxes.loc[3, "ascii"])


def test_thumbnails_and_images():
    big = np.zeros((300, 120), np.uint8)
    uri = figures.thumbnail_uri(big, 64)
    png = base64.b64decode(uri.split(",", 1)[1])
    assert cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_UNCHANGED).shape == (64, 26)
    assert figures.thumbnail_uri(None) is None
    assert figures.enlarge(np.zeros((28, 28), np.float32), 84).shape == (84, 84)
    bgr = np.zeros((4, 4, 3), np.uint8)
    bgr[..., 0] = 255
    assert figures.to_display(bgr)[0, 0].tolist() == [0, 0, 255]


def test_canvas_helpers_keep_guide_lines_out():
    rgba = np.zeros((96, 17 * 56, 4), np.uint8)
    assert not canvas.has_ink(canvas.canvas_gray(rgba))
    assert canvas.canvas_gray(None) is None
    lines = canvas.guide_image(17 * 56, 96)
    cells = canvas.crop_cells(lines[..., 0], 17)
    assert len(cells) == 17 and all(c.shape == (90, 50) for c in cells)
    assert all(not c.any() for c in cells)  # the crops never hold a guide line
    rgba[20:60, 100:104] = 255
    gray = canvas.canvas_gray(rgba)
    assert canvas.has_ink(gray) and gray[30, 101] == 255
    see_through = rgba.copy()
    see_through[..., 3] = 0
    see_through[..., :3] = 255
    assert not canvas.has_ink(canvas.canvas_gray(see_through))


def test_vin_markup_marks_positions(recognizer):
    markup = vin_display.vin_html("1M8GDM9AXKP042788", low=[2], changed=[5], corrected=[9])
    chars = re.findall(r"<span[^>]*>(.)</span>", markup)
    assert "".join(chars) == "1M8GDM9AXKP042788"
    assert "low confidence" in markup and "changed by the rules" in markup and "corrected by hand" in markup
    assert "&lt;" in vin_display.vin_html("<")
    results = recognizer.recognize_arrays([img for _, img in sample_boxes()])
    rows = vin_display.rule_rows(read_boxes(results, "enforce", {8: "X"}).report)
    assert [r["title"] for r in rows][:3] == ["Allowed characters", "Length", "Check digit (position 9)"]
    assert vin_display.clean_corrections({0: "A", 1: None, 2: "I", 3: ""}) == {0: "A"}


def test_gallery_order_puts_empty_and_unsure_first():
    results = [
        BoxResult("a", "ok", "A", 0.99),
        BoxResult("b", "ok", "B", 0.41),
        BoxResult("c", "error", message="c: bad"),
        BoxResult("d", "empty"),
    ]
    assert tables.gallery_order(results) == [3, 1, 0]


def test_metrics_helpers(tmp_path):
    fake_training_files(tmp_path)
    history = tables.load_json(tmp_path / "history.json")
    frame = tables.history_frame(history)
    assert set(frame["metric"]) == {"loss", "accuracy", "macro recall"} and len(frame) == 4 * 5
    metrics = tables.load_json(tmp_path / "metrics.json")
    assert tables.load_json(tmp_path / "missing.json") is None
    conf = tables.confusion_frame(metrics["test"]["confusion_matrix"], hide_diagonal=True)
    assert len(conf) == 33 * 33 and conf["count"].max() == 9
    recall = tables.per_class_frame(metrics["test"])
    assert list(recall["character"]) == list(VIN_ALPHABET)
    card = dict(tables.model_card(metrics))
    assert card["Model file"] == "vinocr.keras, 2.0 MB" and card["Training time"] == "4.0 min"
    assert card["Best validation epoch"].startswith("4 (accuracy 0.9500")
    assert (
        card["Class-prior correction"].startswith("alpha 0.3")
        and card["Inference file"] == "vinocr.onnx, 1.9 MB"
    )


def test_sample_items():
    boxes = inputs.sample_box_items()
    assert [n for n, _ in boxes] == [f"box{i:02d}.png" for i in range(1, 18)]
    name, data = inputs.sample_field_item()
    assert name == "sample_field.png" and data.startswith(b"\x89PNG")
