"""The Batch page's "many VINs" mode: field images, or one ZIP with a folder of 17 box images per
VIN -> one row per VIN (thumbnail, VIN, accept/review, probability, boxes to check, rules), a status
filter and a CSV file. Refused files and ZIP members are listed by name; the rest is still read."""

from __future__ import annotations

import cv2
import numpy as np
import pandas as pd
import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from ui import figures, inputs, safe_text, tables, uploads
from ui.model import recognizer_or_stop
from ui.vin_display import MODE_LABELS, mode_radio
from vinocr.box.recognizer import Recognizer
from vinocr.vin.many import CSV_FIELDS, JobOrMessage, iter_zip_jobs, read_field_bytes, summary_row
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


def with_status(frame: pd.DataFrame, status: str) -> pd.DataFrame:
    """The rows with this status ("all": every row)."""
    return frame if status == "all" else frame[frame["status"] == status]


class Collected:
    """What the page keeps of an upload while it is read: one table row and one thumbnail per VIN,
    and the messages about what was refused or could not be read (never the readings or images)."""

    def __init__(self) -> None:
        self.rows: list[dict] = []
        self.problems: list[str] = []

    def add(self, item: JobOrMessage) -> None:
        """Keep a VIN's row and thumbnail (its reading is dropped by the caller), or a message."""
        if isinstance(item, str):
            self.problems.append(item)
            return
        thumb = figures.thumbnail_uri(strip_image(item.reading), 320)
        self.rows.append({"image": thumb, **summary_row(item)})
        if item.reading is not None:  # a box unreadable or without a character, named with its ZIP
            self.problems.extend(box.message for box in item.reading.boxes if box.status != "ok")

    def table(self) -> pd.DataFrame:
        """One row per VIN: thumbnail, then the CLI's CSV columns (vinocr.vin.many.summary_row)."""
        frame = pd.DataFrame(self.rows, columns=["image", *CSV_FIELDS])
        frame["probability"] = pd.to_numeric(frame["probability"], errors="coerce").astype("Float64")
        return frame


def read_uploads(recognizer: Recognizer, kind: str, files: list[UploadedFile], mode: str) -> dict:
    """Read every VIN one at a time with a progress bar, keeping only its row and thumbnail."""
    collected = Collected()
    progress = st.progress(0.0, text="Reading ...")
    try:
        if kind == KIND_ZIP:
            upload = files[0]
            for item in iter_zip_jobs(recognizer, upload.name, upload, mode):
                collected.add(item)
                done = min(1.0, upload.tell() / max(1, upload.size))  # read member by member
                progress.progress(
                    done, text=f"Read {len(collected.rows):,} VINs from {safe_text.code(upload.name)}"
                )
        else:
            order = inputs.natural_order([f.name for f in files])
            for done, upload in enumerate((files[i] for i in order), start=1):
                collected.add(read_field_bytes(recognizer, upload.name, upload.getvalue(), mode))
                progress.progress(done / len(files), text=f"Read {done} of {len(files)} field images")
    except Exception as exc:  # an unforeseen failure: say so, keep what was read
        collected.problems.append(
            f"{', '.join(f.name for f in files)}: reading stopped ({type(exc).__name__}: {exc}); "
            f"the {len(collected.rows)} VINs read before are shown"
        )
    progress.empty()
    names = [f.name for f in files]
    return {"table": collected.table(), "problems": collected.problems, "names": names, "mode": mode}


def show_many_vins() -> None:
    """The whole "many VINs" mode. An upload is read once, then dropped: the page keeps its table."""
    ss = st.session_state
    ss.setdefault(COUNTER_KEY, 0)
    st.caption(
        "Read many VINs at once: upload field images (one VIN each), or one ZIP holding a folder of "
        "17 box images per VIN (read in natural filename order). Each VIN is accepted or marked for "
        "review with the probability that it is exactly right."
    )
    kind = st.radio("Upload", [KIND_FIELDS, KIND_ZIP], horizontal=True, key="many_vins_kind")
    if kind == KIND_FIELDS:
        files = st.file_uploader(
            "Field images (PNG, JPEG or BMP)",
            type=inputs.UPLOAD_TYPES,
            accept_multiple_files=True,
            key=f"many_vins_fields_{ss[COUNTER_KEY]}",
        )
    else:
        upload = st.file_uploader("ZIP file", type=["zip"], key=f"many_vins_zip_{ss[COUNTER_KEY]}")
        files = [upload] if upload else []
    st.caption(inputs.size_limit_note(st.get_option("server.maxUploadSize")))
    mode = mode_radio("many_vins_mode")
    if files:
        ss.pop(STORE_KEY, None)  # the previous table goes before the next upload is read
        ss[STORE_KEY] = read_uploads(recognizer_or_stop(), kind, files, mode)
        uploads.release(files)  # read: the session keeps the table, not the upload
        uploads.trim_heap()
        ss[COUNTER_KEY] += 1  # a new, empty uploader in place of the one whose files were dropped
        st.rerun()
    store = ss.get(STORE_KEY)
    if not store:
        st.info("Upload field images or a ZIP to start.")
        return
    st.caption(
        f"Read from {safe_text.names_list(store['names'], 3)} with the check-digit rule "
        f"{safe_text.escaped(MODE_LABELS.get(store['mode'], store['mode']))}. Each upload is read once "
        "and not kept on the server: upload it again to read it with another setting."
    )
    show_results(store["table"], store["problems"])


def show_problems(problems: list[str], shown: int = 20) -> None:
    """The refused or unreadable parts, each message as literal text (it holds file names)."""
    lines = "\n".join(f"- {safe_text.code(message)}" for message in problems[:shown])
    more = f"\n\n{len(problems) - shown} more in the list below." if len(problems) > shown else ""
    st.error(
        f"{len(problems)} file(s) or folder(s) refused, unreadable or without a character; the rest was "
        f"read:\n\n{lines}{more}"
    )
    if len(problems) > shown:
        with st.expander(f"All {len(problems)} messages"):
            st.dataframe(pd.DataFrame({"message": problems}), hide_index=True)


def show_results(table: pd.DataFrame, problems: list[str]) -> None:
    """Counts, refused parts, the filtered table and its CSV file."""
    if problems:
        show_problems(problems)
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
