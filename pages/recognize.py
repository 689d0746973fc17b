"""Recognize VIN: 17 box images (or one image of the whole field) -> per-box readings, the VIN,
the rule report, rule-aware suggestions, corrections by hand, a table and a CSV file."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import camera, figures, inputs, safe_text, tables, vin_display
from ui.figures import show_box_card
from ui.model import recognizer_or_stop
from ui.navigation import page_header
from ui.vin_display import mode_radio, show_report, show_verdict, show_vin
from vinocr.alphabet import UNREAD, VIN_ALPHABET
from vinocr.box.image_io import ImageError
from vinocr.box.recognizer import BoxResult
from vinocr.field.photo import decode_photo
from vinocr.field.result import SegmentResult
from vinocr.vin.reader import VinReading, read_boxes, read_field

SAMPLE_KEY = "recognize_sample"  # "boxes", "field" or "photo": the sample shown when nothing is uploaded
REQUEST_KEY = "recognize_sample_request"  # set by buttons (here and on Home), handled at the top
INPUT_KEY = "recognize_input"
COUNTER_KEY = "recognize_uploader_n"  # bumped to empty the uploaders
STORE_KEY = "recognize_store"  # results of the current input, computed once
KIND_BOXES = "Box images (up to 17)"
KIND_FIELD = "One image of the whole field"
KIND_CAMERA = "Take a photo"
PER_ROW = 6

page_header()
ss = st.session_state
ss.setdefault(COUNTER_KEY, 0)
request = ss.pop(REQUEST_KEY, None)
if request in ("boxes", "field", "photo"):
    ss[SAMPLE_KEY] = request
    ss[INPUT_KEY] = KIND_BOXES if request == "boxes" else KIND_FIELD
    ss[COUNTER_KEY] += 1


def request_sample(kind: str) -> None:
    """Button callback: show the sample boxes, the sample field or the sample photo."""
    ss[REQUEST_KEY] = kind


def clear_uploads() -> None:
    """Button callback: empty the uploaders (a new widget key) and forget the sample."""
    ss[COUNTER_KEY] += 1
    ss.pop(SAMPLE_KEY, None)


def fix_key(sig: str, item: int) -> str:
    """Session key of the correction box of one input item (follows the file when reordered)."""
    return f"fix_{sig}_{item}"


def apply_suggestion(keys: list[str], chars: list[str]) -> None:
    """Button callback: enter a suggested VIN's changed characters as corrections."""
    for key, char in zip(keys, chars, strict=True):
        ss[key] = char


def clear_corrections(keys: list[str]) -> None:
    """Button callback: forget every correction."""
    for key in keys:
        ss[key] = None


def stored(kind: str, sig: str, compute) -> dict:
    """The results for this input, computed on the first run that sees it and kept in the session."""
    store = ss.get(STORE_KEY)
    if not store or store.get("id") != (kind, sig):
        store = {"id": (kind, sig), **compute()}
        ss[STORE_KEY] = store
    return store


def current_items(kind: str, uploads) -> tuple[list[inputs.Item], str]:
    """(items, origin): the uploaded files, else the sample for this kind, else nothing."""
    if uploads:
        files = uploads if isinstance(uploads, list) else [uploads]
        ss.pop(SAMPLE_KEY, None)
        return [(f.name, f.getvalue()) for f in files], "upload"
    sample = ss.get(SAMPLE_KEY)
    if kind == KIND_BOXES and sample == "boxes":
        return inputs.sample_box_items(), "sample"
    if kind == KIND_FIELD and sample == "field":
        return [inputs.sample_field_item()], "sample"
    if kind == KIND_FIELD and sample == "photo":
        return [inputs.sample_photo_item()], "sample"
    return [], ""


def show_field(name: str, segmentation: SegmentResult) -> None:
    """A photo's field: the photo with the field outlined, then the rectified field with the boxes
    cut from it; a scan's: the field with its boxes."""
    found = f"{len(segmentation.rects)} {'boxes' if segmentation.method == 'grid' else 'characters'}"
    caption = f"{safe_text.code(name)}: {found} found ({segmentation.method})"
    if segmentation.homography is not None and segmentation.field_overlay is not None:
        st.image(
            figures.to_display(segmentation.field_overlay),
            caption=f"{safe_text.code(name)}: the field found (blue) and the {found} cut from it",
            width="stretch",
        )
        straightened = ", straightened (the row was curved)" if segmentation.bow is not None else ""
        method = segmentation.method
        caption = f"The field rectified{straightened} and its light flattened: {found} found ({method})"
    if segmentation.overlay is not None:
        st.image(figures.to_display(segmentation.overlay), caption=caption, width="stretch")


def order_editor(sig: str, results: list[BoxResult], thumbs: list[str | None]) -> list[int]:
    """Reading order of the boxes: natural filename order, changed through a position column."""
    frame = pd.DataFrame(
        {"position": list(range(1, len(results) + 1)), "image": thumbs, "file": [r.name for r in results]}
    )
    with st.expander("Box order (files are read in natural filename order; edit a position to move a box)"):
        edited = st.data_editor(
            frame,
            key=f"order_{sig}",
            hide_index=True,
            disabled=["image", "file"],
            column_config={
                "position": st.column_config.NumberColumn("position", min_value=1, max_value=99, step=1),
                "image": st.column_config.ImageColumn("image", width="small"),
            },
            width="content",
        )
    order = inputs.apply_order(list(edited["position"]))
    if order != list(range(len(results))):
        st.caption("Reading order: " + safe_text.names_list([results[i].name for i in order], len(order)))
    return order


def show_suggestion(reading: VinReading, keys: list[str]) -> None:
    """What the rules say about the per-box reading, with a button to take the suggestion."""
    decoded = reading.decode
    if decoded is None:
        if reading.message:
            st.warning(reading.message)
        return
    if reading.vin != reading.plain:
        st.info(
            f"**Rule-aware reading.** The per-box reading `{reading.plain}` was changed at "
            f"position(s) {', '.join(map(str, reading.changed_positions))} (blue). {reading.message}"
        )
        return
    best = decoded.best_valid
    if not decoded.plain_is_valid and best is not None and best.vin != reading.vin:
        st.info(f"**Suggestion:** `{best.vin}`. {reading.message}")
        positions = [p - 1 for p in best.changed_positions]
        st.button(
            f"Use the suggestion (change box {', '.join(str(p + 1) for p in positions)})",
            key="use_suggestion",
            on_click=apply_suggestion,
            args=([keys[p] for p in positions], [best.vin[p] for p in positions]),
        )
        return
    st.caption(reading.message)


st.title("Recognize a VIN")
st.caption(
    "Upload the 17 box images of one VIN (read in natural filename order: box2 before box10), "
    "or one image of the whole 17-box field, or take a photo of the form with a camera. "
    "Nothing is stored on the server."
)
kind = st.radio(
    "What are you uploading?", [KIND_BOXES, KIND_FIELD, KIND_CAMERA], horizontal=True, key=INPUT_KEY
)
if kind == KIND_CAMERA:
    uploads = camera.take_photo(
        "Take a photo of the form", f"recognize_camera_{ss[COUNTER_KEY]}", camera.share_note()
    )
elif kind == KIND_BOXES:
    uploads = st.file_uploader(
        "Box images (PNG, JPEG or BMP); more than 17: the first 17 in filename order are read",
        type=inputs.UPLOAD_TYPES,
        accept_multiple_files=True,
        key=f"recognize_boxes_{ss[COUNTER_KEY]}",
    )
else:
    uploads = st.file_uploader(
        "One image of the whole VIN field (PNG, JPEG or BMP)",
        type=inputs.UPLOAD_TYPES,
        key=f"recognize_field_{ss[COUNTER_KEY]}",
    )
if kind != KIND_CAMERA:
    st.caption(inputs.size_limit_note(st.get_option("server.maxUploadSize")))
with st.container(horizontal=True):
    st.button("Load the sample boxes", on_click=request_sample, args=("boxes",), icon=":material/grid_view:")
    st.button(
        "Load the sample field", on_click=request_sample, args=("field",), icon=":material/crop_landscape:"
    )
    st.button(
        "Load the sample photo", on_click=request_sample, args=("photo",), icon=":material/photo_camera:"
    )
    st.button(
        "Clear", key="clear_uploads", on_click=clear_uploads, icon=":material/delete:", help="Remove uploads"
    )

items, origin = current_items(kind, uploads)
if not items:
    todo = "Take a photo above" if kind == KIND_CAMERA else "Upload images above"
    st.info(f"{todo}, or load a sample to see how it works.")
    st.stop()
if origin == "sample":
    described = {"boxes": "boxes.", "field": "field image.", "photo": "phone photo of a filled form (12 MP)."}
    st.caption("Showing the project's own sample " + described.get(ss.get(SAMPLE_KEY, ""), "input."))

recognizer = recognizer_or_stop()
thumbs: list[str | None] = []
if kind == KIND_BOXES:
    unique, clashes = inputs.unique_names(items)
    if clashes:
        st.warning(inputs.clash_message(clashes))
    kept, dropped = inputs.limit_boxes(unique)
    if dropped:
        st.warning(
            f"{len(unique)} files were uploaded, but a VIN has 17 boxes: the first 17 in filename order are "
            f"read and {len(dropped)} ignored ({safe_text.names_list([name for name, _ in dropped], 50)})."
        )
    sig = inputs.signature(kept)

    def compute_boxes() -> dict:
        results = recognizer.recognize_bytes(kept)
        return {
            "results": results,
            "thumbs": [figures.thumbnail_uri(figures.first_image(r), 48) for r in results],
        }

    store = stored(kind, sig, compute_boxes)
    results, thumbs = store["results"], store["thumbs"]
    unreadable = [r.name for r in results if r.status == "error"]
    if unreadable:  # a count and the names here; each file's reason once, in its box
        st.error(
            f"{len(unreadable)} of {len(results)} files could not be read "
            f"({safe_text.names_list(unreadable, 17)}); "
            "the reason is shown in each one's box below. The other boxes are read."
        )
    order = order_editor(sig, results, thumbs) if len(results) > 1 else [0]
else:
    name, data = items[0]
    sig = inputs.signature(items[:1])

    def compute_field() -> dict:
        try:
            photo = decode_photo(data, name)  # a scan, or a phone photo of up to 50 MP
            image = photo.gray
            reading = read_field(recognizer, image, "prefer", name)
        except ImageError as exc:
            return {"error": str(exc)}
        except Exception as exc:  # an unusual image must give a message, not a traceback
            return {"error": f"{name}: could not be processed ({exc})"}
        seg = reading.segmentation
        # what to change: shown when the boxes were not found ("advice") or beside a blurred reading
        if seg is not None and seg.ok:
            advice, note = [], camera.blur_note(image, found=True)
        elif kind == KIND_CAMERA:  # the framing advice ("Hold still" included) is a webcam's
            advice, note = ([] if seg is None else camera.framing_advice(image, seg.outlines())), ""
        else:
            hint = camera.blur_note(image, found=False)
            advice, note = ([hint] if hint else []), ""
        found = {"results": reading.boxes, "segmentation": seg, "message": reading.message}
        return {**found, "advice": advice, "size": photo.original, "blur_note": note}

    store = stored(kind, sig, compute_field)
    if "error" in store:
        st.error(safe_text.message(store["error"], [name]))
        st.stop()
    segmentation = store["segmentation"]
    if kind == KIND_CAMERA:
        st.caption(camera.size_note(store["size"]))
    if segmentation is None or not segmentation.ok:
        st.error(safe_text.message(store["message"] or f"{name}: the 17 boxes could not be found", [name]))
        if store["advice"]:
            st.markdown("\n".join(f"- {line}" for line in store["advice"]))
        st.caption("No VIN is guessed from a field whose boxes were not all found. What was found:")
        if segmentation is not None:
            show_field(name, segmentation)
        st.stop()
    if store["blur_note"]:
        st.caption(store["blur_note"])
    show_field(name, segmentation)
    results = store["results"]
    order = list(range(len(results)))

ordered = [results[i] for i in order]
keys = [fix_key(sig, i) for i in order]
# The correction boxes are drawn under the boxes, but their values are known from the session
# already, so the VIN and its report come first (and reach the browser first).
corrections = vin_display.clean_corrections({position: ss.get(key) for position, key in enumerate(keys)})
mode = mode_radio("recognize_mode")
reading = read_boxes(ordered, mode, corrections, recognizer.calibration.accept_threshold)
st.subheader("VIN")
show_vin(reading)
show_verdict(reading)
show_suggestion(reading, keys)
if corrections:
    st.button("Clear corrections", key="clear_corrections", on_click=clear_corrections, args=(keys,))
st.markdown("**Rule report**")
show_report(reading)

st.subheader("Boxes")
st.caption("Pick a character under a box to correct it by hand; the VIN and the report update.")
for start in range(0, len(ordered), PER_ROW):
    columns = st.columns(PER_ROW)
    for offset, column in enumerate(columns):
        position = start + offset
        if position >= len(ordered):
            break
        with column.container(border=True):
            show_box_card(position, ordered[position])
            st.selectbox(
                f"Correct box {position + 1}",
                list(VIN_ALPHABET),
                index=None,
                placeholder="as read",
                key=keys[position],
            )
            if position + 1 in reading.changed_positions:
                st.info(f"The rules read this box as {reading.vin[position]}.")
            if position + 1 in reading.check_boxes:
                st.warning("Check this box: one of the likeliest to be wrong.", icon=":material/rate_review:")

st.subheader("Results")
table = tables.box_table(ordered, reading.vin, corrections, reading.changed_positions)
st.dataframe(
    table,
    hide_index=True,
    column_config={
        "confidence": st.column_config.ProgressColumn(
            "confidence", min_value=0.0, max_value=1.0, format="%.3f"
        ),
        "ascii": st.column_config.NumberColumn("ascii", format="%d"),
    },
)
st.download_button(
    "Download the results (CSV)",
    tables.csv_bytes(table),
    file_name=f"vin_{reading.vin.replace(UNREAD, '_') or 'boxes'}.csv",
    mime="text/csv",
    icon=":material/download:",
)
