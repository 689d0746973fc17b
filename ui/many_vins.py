"""The Batch page's "many VINs" mode: field images, or one ZIP with a folder of 17 box images per
VIN -> one row per VIN (thumbnail, VIN, accept/review, probability, boxes to check, rules), a status
filter and a CSV file. Refused files and ZIP members are listed by name; the rest is still read."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
import pandas as pd
import streamlit as st

from ui import figures, inputs, tables
from ui.model import recognizer_or_stop
from ui.vin_display import mode_radio
from vinocr.box.recognizer import Recognizer
from vinocr.vin.batch_zip import read_vin_zip
from vinocr.vin.many import CSV_FIELDS, VinJob, read_box_items, read_field_bytes, summary_row
from vinocr.vin.reader import VinReading

KIND_FIELDS = "Field images (one VIN each)"
KIND_ZIP = "One ZIP: a folder of 17 box images per VIN"
STATUSES = ("all", "accept", "review", "error")
STORE_KEY = "many_vins_store"
COUNTER_KEY = "many_vins_uploader_n"
STRIP_HEIGHT = 28


def strip_image(reading: VinReading | None) -> np.ndarray | None:
    """The VIN's boxes side by side (gray, STRIP_HEIGHT px high), else the field overlay, else None."""
    if reading is None:
        return None
    boxes = [figures.first_image(box) for box in reading.boxes]
    boxes = [b for b in boxes if b is not None and b.size]
    if boxes:
        scaled = []
        for box in boxes:
            gray = box if box.ndim == 2 else cv2.cvtColor(box, cv2.COLOR_BGR2GRAY)
            width = max(1, round(gray.shape[1] * STRIP_HEIGHT / max(1, gray.shape[0])))
            scaled.append(cv2.resize(gray, (width, STRIP_HEIGHT), interpolation=cv2.INTER_AREA))
            scaled.append(np.full((STRIP_HEIGHT, 2), 128, np.uint8))
        return np.hstack(scaled[:-1])
    segmentation = reading.segmentation
    return None if segmentation is None or segmentation.overlay is None else segmentation.overlay


def vins_table(jobs: Sequence[VinJob], thumbs: Sequence[str | None]) -> pd.DataFrame:
    """One row per VIN: thumbnail, then the CLI's CSV columns (vinocr.vin.many.summary_row)."""
    rows = [{"image": thumb, **summary_row(job)} for job, thumb in zip(jobs, thumbs, strict=True)]
    frame = pd.DataFrame(rows, columns=["image", *CSV_FIELDS])
    frame["probability"] = pd.to_numeric(frame["probability"], errors="coerce").astype("Float64")
    return frame


def with_status(frame: pd.DataFrame, status: str) -> pd.DataFrame:
    """The rows with this status ("all": every row)."""
    return frame if status == "all" else frame[frame["status"] == status]


def read_uploads(recognizer: Recognizer, kind: str, items: list[inputs.Item], mode: str) -> dict:
    """Read every VIN with a progress bar; keep rows and thumbnails (not the preprocessing images)."""
    jobs: list[VinJob] = []
    refused: list[str] = []
    progress = st.progress(0.0, text="Reading ...")
    if kind == KIND_ZIP:
        name, data = items[0]
        found = read_vin_zip(data, name)
        refused = found.refused
        for done, folder in enumerate(found.folders, start=1):
            jobs.append(VinJob(f"{name}:{folder.label}", read_box_items(recognizer, folder.items, mode)))
            progress.progress(done / len(found.folders), text=f"Read {done} of {len(found.folders)} VINs")
    else:
        for done, (name, data) in enumerate(items, start=1):
            jobs.append(read_field_bytes(recognizer, name, data, mode))
            progress.progress(done / len(items), text=f"Read {done} of {len(items)} field images")
    progress.empty()
    thumbs = [figures.thumbnail_uri(strip_image(job.reading), 320) for job in jobs]
    return {"table": vins_table(jobs, thumbs), "refused": refused}


def show_many_vins() -> None:
    """The whole "many VINs" mode."""
    ss = st.session_state
    ss.setdefault(COUNTER_KEY, 0)
    st.caption(
        "Read many VINs at once: upload field images (one VIN each), or one ZIP holding a folder of "
        "17 box images per VIN (read in natural filename order). Each VIN is accepted or marked for "
        "review with the probability that it is exactly right."
    )
    kind = st.radio("Upload", [KIND_FIELDS, KIND_ZIP], horizontal=True, key="many_vins_kind")
    if kind == KIND_FIELDS:
        uploads = st.file_uploader(
            "Field images (PNG, JPEG or BMP)",
            type=inputs.UPLOAD_TYPES,
            accept_multiple_files=True,
            key=f"many_vins_fields_{ss[COUNTER_KEY]}",
        )
        files = uploads or []
    else:
        upload = st.file_uploader("ZIP file", type=["zip"], key=f"many_vins_zip_{ss[COUNTER_KEY]}")
        files = [upload] if upload else []
    st.caption(inputs.size_limit_note(st.get_option("server.maxUploadSize")))
    mode = mode_radio("many_vins_mode")
    if not files:
        st.info("Upload field images or a ZIP to start.")
        return
    items = [(f.name, f.getvalue()) for f in files]
    if kind == KIND_FIELDS:
        items = [items[i] for i in inputs.natural_order([name for name, _ in items])]
    sig = (kind, mode, inputs.signature(items))
    store = ss.get(STORE_KEY)
    if not store or store.get("sig") != sig:
        store = {"sig": sig, **read_uploads(recognizer_or_stop(), kind, items, mode)}
        ss[STORE_KEY] = store
    show_results(store["table"], store["refused"])


def show_results(table: pd.DataFrame, refused: list[str]) -> None:
    """Counts, refused parts, the filtered table and its CSV file."""
    if refused:
        st.error(
            f"{len(refused)} part(s) were refused or skipped; the rest was read:\n\n"
            + "\n".join(f"- {message}" for message in refused)
        )
    counts = table["status"].value_counts()
    cols = st.columns(4)
    cols[0].metric("VINs", len(table))
    cols[1].metric("Accept", int(counts.get("accept", 0)))
    cols[2].metric("Review", int(counts.get("review", 0)))
    cols[3].metric("Not read", int(counts.get("error", 0)))
    if table.empty:
        st.warning("No VIN could be read from this upload.")
        return
    status = st.segmented_control("Show", STATUSES, default="all", key="many_vins_status") or "all"
    shown = with_status(table, status)
    st.dataframe(
        shown,
        hide_index=True,
        column_config={
            "image": st.column_config.ImageColumn("boxes", width="large"),
            "probability": st.column_config.ProgressColumn(
                "probability", min_value=0.0, max_value=1.0, format="%.3f"
            ),
            "check_boxes": st.column_config.TextColumn("boxes to check"),
        },
        row_height=40,
    )
    st.download_button(
        f"Download these {len(shown)} rows (CSV)",
        tables.csv_bytes(shown),
        file_name=f"vinocr_vins_{status}.csv",
        mime="text/csv",
        icon=":material/download:",
    )
