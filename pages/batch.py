"""Batch: many box images -> one row each (ASCII code, file name, character, status, confidence),
a gallery with the least confident first, and a CSV file. Bad files are listed, the rest still read.
The "many VINs" view (ui/many_vins.py) reads field images or a ZIP of box folders, one row per VIN."""

from __future__ import annotations

import dataclasses

import streamlit as st

from ui import figures, inputs, many_vins, safe_text, tables
from ui.model import recognizer_or_stop
from ui.navigation import page_header
from ui.theme import MUTED
from ui.uploads import release as release_uploads
from ui.uploads import trim_heap
from vinocr.box.recognizer import LOW_CONFIDENCE, BoxResult

CHUNK = 64  # boxes per model call (and per progress step)
STORE_KEY = "batch_store"
COUNTER_KEY = "batch_uploader_n"
SAMPLE_KEY = "batch_sample"

ss = st.session_state
ss.setdefault(COUNTER_KEY, 0)


def use_sample() -> None:
    """Button callback: read the project's sample boxes."""
    ss[SAMPLE_KEY] = True
    ss[COUNTER_KEY] += 1


def run_batch(items: list[inputs.Item]) -> dict:
    """Recognise the items in chunks with a progress bar; thumbnails are made once here."""
    recognizer = recognizer_or_stop()
    progress = st.progress(0.0, text=f"Reading {len(items)} images ...")
    results: list[BoxResult] = []
    for start in range(0, len(items), CHUNK):
        results.extend(recognizer.recognize_bytes(items[start : start + CHUNK]))
        progress.progress(len(results) / len(items), text=f"Read {len(results)} of {len(items)} images")
    progress.empty()
    thumbs = [figures.thumbnail_uri(figures.first_image(r), 48) for r in results]
    # the session keeps a thumbnail and the reading of each file, not its preprocessing images
    return {"results": [dataclasses.replace(r, steps=[]) for r in results], "thumbs": thumbs}


def read_items(raw: list[inputs.Item], origin: str) -> dict:
    """Read one upload (or the sample): one file per name, in natural order; what the page keeps."""
    unique, clashes = inputs.unique_names(raw)
    items = [unique[i] for i in inputs.natural_order([name for name, _ in unique])]
    return {"sig": inputs.signature(items), "origin": origin, "clashes": clashes, **run_batch(items)}


def gallery_html(results: list[BoxResult], thumbs: list[str | None], indices: list[int]) -> str:
    """A wrapping grid of thumbnails with the prediction and the file name under each."""
    return figures.tile_grid_html(
        [
            (
                thumbs[i],
                f"{figures.prediction_caption(results[i])}<br>"
                f"<span style='color:{MUTED};word-break:break-all'>"
                f"{safe_text.in_html(results[i].name)}</span>",
            )
            for i in indices
        ]
    )


page_header()
st.title("Batch recognition")
VIEW_BOXES, VIEW_VINS = "Box images (one character each)", "Many VINs"
if st.radio("Read", [VIEW_BOXES, VIEW_VINS], horizontal=True, key="batch_view") == VIEW_VINS:
    many_vins.show_many_vins()
    st.stop()
st.caption(
    "Upload many box images at once. The table lists each file in natural filename order with its "
    "ASCII code, as the command line does; files that can't be read are listed with the reason."
)
uploads = st.file_uploader(
    "Box images (PNG, JPEG or BMP)",
    type=inputs.UPLOAD_TYPES,
    accept_multiple_files=True,
    key=f"batch_upload_{ss[COUNTER_KEY]}",
)
st.caption(inputs.size_limit_note(st.get_option("server.maxUploadSize")))
st.button("Use the 17 sample boxes", on_click=use_sample, icon=":material/grid_view:")

if uploads:  # read once; the session then keeps the table and thumbnails, not the files
    ss.pop(SAMPLE_KEY, None)
    ss.pop(STORE_KEY, None)
    ss[STORE_KEY] = read_items([(f.name, f.getvalue()) for f in uploads], "upload")
    release_uploads(uploads)
    trim_heap()
    ss[COUNTER_KEY] += 1  # a new, empty uploader in place of the one whose files were dropped
    st.rerun()
if ss.get(SAMPLE_KEY):
    sample = inputs.sample_box_items()
    if (ss.get(STORE_KEY) or {}).get("sig") != inputs.signature(sample):
        ss[STORE_KEY] = read_items(sample, "sample")
store = ss.get(STORE_KEY)
if not store:
    st.info("Upload box images to start.")
    st.stop()
if store["origin"] == "upload":
    st.caption(
        f"Read from the {len(store['results'])} files uploaded last; they are not kept on the server "
        "(upload them again to read them again)."
    )
if store["clashes"]:
    st.warning(inputs.clash_message(store["clashes"]))
results, thumbs = store["results"], store["thumbs"]

ok = [r for r in results if r.status == "ok"]
bad = [r for r in results if r.status == "error"]
empty = [r for r in results if r.status == "empty"]
low = [r for r in ok if r.low_confidence]
cols = st.columns(4)
cols[0].metric("Images", len(results))
cols[1].metric("Recognised", len(ok))
cols[2].metric("Low confidence", len(low), help=f"confidence below {LOW_CONFIDENCE:.0%}: worth a human look")
cols[3].metric("Empty or unreadable", len(empty) + len(bad))
if bad:
    st.error(
        f"{len(bad)} file(s) could not be read; the others were processed:\n\n"
        + "\n".join(f"- {safe_text.message(r.message, [r.name])}" for r in bad)
    )
if empty:
    st.warning("No character found in: " + safe_text.names_list([r.name for r in empty], 50))

table = tables.batch_table(results, thumbs)
st.dataframe(
    table,
    hide_index=True,
    column_config={
        "image": st.column_config.ImageColumn("image", width="small"),
        "ascii": st.column_config.NumberColumn("ASCII code", format="%d"),
        "file": st.column_config.TextColumn("file name"),
        "confidence": st.column_config.ProgressColumn(
            "confidence", min_value=0.0, max_value=1.0, format="%.3f"
        ),
    },
    row_height=56,
)
st.download_button(
    "Download the table (CSV)",
    tables.csv_bytes(table),
    file_name="vinocr_batch.csv",
    mime="text/csv",
    icon=":material/download:",
)

st.subheader("Gallery (least confident first)")
order = tables.gallery_order(results)
only_low = st.toggle("Only low-confidence and empty boxes", value=False)
if only_low:
    order = [i for i in order if results[i].status == "empty" or results[i].low_confidence]
limit = 200
if len(order) > limit:
    st.caption(f"Showing the first {limit} of {len(order)}.")
if order:
    st.markdown(gallery_html(results, thumbs, order[:limit]), unsafe_allow_html=True)
else:
    st.caption("Nothing to show.")
