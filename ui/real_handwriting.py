"""The Metrics page's "other people's handwriting" section: accuracy on real characters written by
people outside the project (the realdev set, per source) beside the EMNIST test split, read from
metrics.json's "real_handwriting" entry, and the misread images when the realdev folder is at hand
(VINOCR_REALDEV_DIR, or ../shared/data/realdev beside the project when that folder exists)."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pandas as pd
import streamlit as st

from ui.figures import thumbnail_uri
from vinocr.box.image_io import ImageError, read_image_file
from vinocr.train.realdev import ENV_VAR

DEFAULT_REALDEV_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "realdev"
KEY = "real_handwriting"
THUMB = 64  # px: the misread images are 28-32 px crops, enlarged crisply


def realdev_folder() -> tuple[Path | None, str]:
    """The realdev folder and "", or None and one line that says where to point the page."""
    value = os.environ.get(ENV_VAR)
    if value:
        path = Path(value)
        if path.is_dir():
            return path, ""
        return (
            None,
            f"{ENV_VAR}={value} is not a folder: point it at the realdev folder (labels.csv, images/).",
        )
    if DEFAULT_REALDEV_DIR.is_dir():
        return DEFAULT_REALDEV_DIR, ""
    return None, (
        f"To see the misread images, set {ENV_VAR} to the realdev folder (labels.csv and images/; "
        "it is other people's data and is not shipped with vinocr)."
    )


def _share(right: int, images: int) -> float | None:
    return right / images if images else None


def accuracy_frame(entry: dict[str, Any], test: dict[str, Any] | None = None) -> pd.DataFrame:
    """One row per realdev source, one for all of realdev and, for comparison, the EMNIST test split:
    data, images, right, accuracy. KeyError/TypeError/ValueError when the entry is malformed."""
    rows = []
    for source in entry.get("sources") or []:
        images, right = int(source["images"]), int(source["right"])
        rows.append({"data": str(source["source"]), "images": images, "right": right})
    images, right = int(entry["images"]), int(entry["right"])
    rows.append({"data": f"all of {entry.get('dataset', 'realdev')}", "images": images, "right": right})
    if test and test.get("n"):
        n = int(test["n"])
        rows.append({"data": "EMNIST test split", "images": n, "right": round(float(test["accuracy"]) * n)})
    frame = pd.DataFrame(rows, columns=["data", "images", "right"])
    frame["accuracy"] = [_share(r, i) for r, i in zip(frame["right"], frame["images"])]
    return frame


def vins_text(vins: dict[str, Any] | None) -> str:
    """One line on VINs composed of real writers' boxes ("" when the entry has none)."""
    if not vins or not vins.get("count"):
        return ""
    count, accepted = int(vins["count"]), int(vins.get("accepted", 0))
    parts = [f"VINs composed of real writers' boxes: {count}"]
    if "exact" in vins:
        parts.append(f"{int(vins['exact'])} read exactly right")
    parts.append(f"{accepted} accepted ({accepted / count:.0%})")
    if "accepted_wrong" in vins:
        parts.append(f"{int(vins['accepted_wrong'])} of the accepted wrong")
    return ", ".join(parts) + "."


def read_labels(folder: Path) -> dict[str, dict[str, str]]:
    """labels.csv of a realdev folder as file -> row; {} when absent. ValueError names a bad file."""
    path = folder / "labels.csv"
    if not path.is_file():
        return {}
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            return {row["file"]: row for row in csv.DictReader(handle) if row.get("file")}
    except (OSError, UnicodeDecodeError, csv.Error, KeyError) as exc:
        raise ValueError(f"{path}: not a readable labels.csv ({exc})") from None


def _crisp(gray: np.ndarray, side: int = THUMB) -> np.ndarray:
    """A small crop enlarged with nearest neighbours so that its pixels stay visible."""
    scale = side / max(gray.shape[:2])
    size = (max(1, round(gray.shape[1] * scale)), max(1, round(gray.shape[0] * scale)))
    return cv2.resize(gray, size, interpolation=cv2.INTER_NEAREST)


def misread_frame(entry: dict[str, Any], folder: Path) -> tuple[pd.DataFrame, list[str]]:
    """The misread realdev images (image as a data URI, file, source, label, read as, probability),
    most confident mistakes first, and one message per image that could not be shown."""
    try:
        labels = read_labels(folder)
    except ValueError as exc:
        labels, problems = {}, [str(exc)]
    else:
        problems = []
    rows = []
    for item in entry.get("misread") or []:
        name = str(item["file"])
        image = None
        if Path(name).name != name:
            problems.append(f"{name}: not a plain file name, not looked up in {folder / 'images'}")
        else:
            try:
                image = thumbnail_uri(_crisp(read_image_file(folder / "images" / name)), THUMB)
            except ImageError as exc:
                problems.append(str(exc))
        if labels and name not in labels:
            problems.append(f"{name}: not in {folder / 'labels.csv'} (is this the realdev folder?)")
        rows.append(
            {
                "image": image,
                "file": name,
                "source": labels.get(name, {}).get("source", ""),
                "label": str(item["char"]),
                "read as": str(item["read"]),
                "probability": float(item["probability"]),
            }
        )
    columns = ["image", "file", "source", "label", "read as", "probability"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values("probability", ascending=False, kind="stable").reset_index(drop=True), problems


def show_real_handwriting(metrics: dict[str, Any]) -> None:
    """The section: accuracy per source beside the test split, VINs, and the misread images."""
    st.subheader("Other people's handwriting")
    entry = metrics.get(KEY)
    if not isinstance(entry, dict):
        st.info(
            "This model's metrics.json has no real-handwriting figures yet (key `real_handwriting`: "
            "accuracy on characters written by people outside the project)."
        )
        return
    try:
        table = accuracy_frame(entry, metrics.get("test"))
        vins = vins_text(entry.get("vins"))
        right, images = int(entry["right"]), int(entry["images"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        st.warning(f"metrics.json: the `real_handwriting` entry could not be read ({exc!r}).")
        return
    cols = st.columns(3)
    cols[0].metric(
        "Real handwriting",
        f"{right / images:.2%}" if images else "-",
        help="characters written by people outside the project, none of them seen in training",
    )
    cols[1].metric("Read right", f"{right} of {images}")
    test = metrics.get("test") or {}
    if "accuracy" in test:
        cols[2].metric("EMNIST test split", f"{float(test['accuracy']):.2%}")
    st.dataframe(
        table,
        hide_index=True,
        column_config={"accuracy": st.column_config.NumberColumn(format="percent")},
    )
    if vins:
        st.markdown(vins)
    st.caption(f"Reproduce: `{entry.get('command', 'python -m bench.eval_real')}`")
    misread = entry.get("misread") or []
    folder, where = realdev_folder()
    if folder is None:
        st.info(where)
        return
    if not misread:
        st.caption("metrics.json lists no misread real-handwriting images.")
        return
    try:
        frame, problems = misread_frame(entry, folder)
    except (KeyError, TypeError, ValueError) as exc:
        st.warning(f"metrics.json: the misread list of `real_handwriting` could not be read ({exc!r}).")
        return
    st.markdown(f"**Misread images** ({len(frame)}, from {folder}; most confident mistakes first)")
    st.dataframe(
        frame,
        hide_index=True,
        row_height=THUMB,
        column_config={
            "image": st.column_config.ImageColumn(width="small"),
            "probability": st.column_config.ProgressColumn(min_value=0.0, max_value=1.0, format="%.2f"),
        },
    )
    for problem in problems:
        st.warning(problem)
