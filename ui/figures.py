"""Images and galleries: display conversion, thumbnails, captioned figures, box cards, probability bars."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence

import cv2
import numpy as np
import streamlit as st

from ui import safe_text
from ui.tables import top_frame, top_text
from ui.theme import BAR_BG, BORDER, MUTED, PRIMARY, TEXT, WARN
from vinocr.box.image_io import encode_png, limit_size
from vinocr.box.recognizer import BoxResult

MAX_ASPECT = 40
"""Longest side at most this many times the shortest in an image given to st.image: Streamlit scales an
image down to DISPLAY_WIDTH, and a 1x100000 image would become 0 px high (a ValueError)."""
DISPLAY_WIDTH = 1460  # Streamlit's widest image (2 x 730 px)


def to_display(image: np.ndarray) -> np.ndarray:
    """An image Streamlit shows as intended: gray stays gray, BGR becomes RGB, and an extremely thin
    image is scaled down to DISPLAY_WIDTH and padded with mid-gray to MAX_ASPECT:1, so that it can be
    scaled at all."""
    if image.ndim == 3 and image.shape[2] == 3:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    elif image.ndim == 3 and image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2RGBA)
    if image.size and max(image.shape[:2]) > MAX_ASPECT * min(image.shape[:2]):
        image = limit_size(image, DISPLAY_WIDTH)
        height, width = image.shape[:2]
        pad_y = max(0, -(-width // MAX_ASPECT) - height)  # the rows missing for MAX_ASPECT:1
        pad_x = max(0, -(-height // MAX_ASPECT) - width)
        pads = ((pad_y // 2, pad_y - pad_y // 2), (pad_x // 2, pad_x - pad_x // 2))
        image = np.pad(image, pads + ((0, 0),) * (image.ndim - 2), constant_values=128)
    return image


def enlarge(image: np.ndarray, side: int = 112) -> np.ndarray:
    """Nearest-neighbour enlargement (for the 28x28 input: every model pixel stays visible)."""
    image = np.clip(image, 0, 255).astype(np.uint8)
    return cv2.resize(image, (side, side), interpolation=cv2.INTER_NEAREST)


def thumbnail_uri(image: np.ndarray | None, max_side: int = 64) -> str | None:
    """A data:image/png;base64 thumbnail (for ImageColumn cells and HTML galleries); None for None."""
    if image is None:
        return None
    small = limit_size(np.clip(image, 0, 255).astype(np.uint8), max_side)
    return "data:image/png;base64," + base64.b64encode(encode_png(small)).decode("ascii")


def figures_html(figures: Sequence[tuple[np.ndarray, str]], height: int = 84, max_side: int = 160) -> str:
    """A row of small images with captions as one HTML block (inline data URIs, no extra requests).

    Images of 28x28 or smaller are drawn with crisp (pixelated) scaling.
    """
    parts = []
    for image, caption in figures:
        uri = thumbnail_uri(to_display(image), max_side)
        crisp = "image-rendering:pixelated;" if max(image.shape[:2]) <= 28 else ""
        parts.append(
            "<figure style='margin:0 8px 6px 0;display:inline-block;text-align:center;vertical-align:top'>"
            f"<img src='{uri}' alt='{html.escape(caption)}' style='height:{height}px;object-fit:contain;"
            f"max-width:{2 * height}px;{crisp}border:1px solid {BORDER};border-radius:4px;background:#000'/>"
            f"<figcaption style='font-size:0.72rem;color:{MUTED};line-height:1.15;"
            f"max-width:{max(height, 84)}px'>"
            f"{html.escape(caption)}</figcaption></figure>"
        )
    return "<div style='display:flex;flex-wrap:wrap;align-items:flex-start'>" + "".join(parts) + "</div>"


def box_card_html(index: int, result: BoxResult) -> str:
    """One box as HTML: number and file, the box and its 28x28 input, the character, confidence, top 3."""
    head = (
        f"<div style='font-weight:600'>Box {index + 1}</div>"
        f"<div style='font-size:0.75rem;color:{MUTED};word-break:break-all'>"
        f"{safe_text.in_html(result.name)}</div>"
    )
    figures = []
    original = first_image(result)
    if original is not None:
        figures.append((original, "box"))
    if result.input28 is not None:
        figures.append((result.input28, "28x28 input"))
    body = figures_html(figures, 64) if figures else ""
    if result.status == "ok":
        colour = WARN if result.low_confidence else TEXT
        flag = f"<div style='color:{WARN};font-size:0.8rem;font-weight:600'>low confidence</div>"
        body += (
            f"<div class='box-prediction'><span style='font-family:ui-monospace,monospace;font-size:2rem;"
            f"font-weight:700;color:{colour}'>{html.escape(result.char or '')}</span>&nbsp; "
            f"{result.confidence:.1%}</div>"
            + (flag if result.low_confidence else "")
            + f"<div style='font-size:0.75rem;color:{MUTED}'>top 3: {html.escape(top_text(result))}</div>"
        )
    elif result.status == "empty":  # why: e.g. "image too small to hold a character"
        reason = result.message.removeprefix(f"{result.name}: ") or "no character found"
        body += f"<div style='color:{WARN};font-weight:600'>{html.escape(reason)}</div>"
    return f"<div style='line-height:1.35'>{head}{body}</div>"


def first_image(result: BoxResult) -> np.ndarray | None:
    """The decoded grayscale box image of a result (None for unreadable files)."""
    return result.steps[0][1] if result.steps else None


def probability_bars_html(result: BoxResult, k: int = 5) -> str:
    """A horizontal bar chart (plain HTML) of the k most probable characters."""
    rows = []
    for char, prob in zip(*top_frame(result, k).to_dict("list").values(), strict=True):
        rows.append(
            "<div style='display:flex;align-items:center;margin:3px 0'>"
            f"<span style='width:1.6em;font-family:ui-monospace,monospace;font-size:1.15rem;font-weight:700'>"
            f"{html.escape(char)}</span>"
            f"<span style='flex:1;background:{BAR_BG};border-radius:4px;height:18px;margin:0 8px'>"
            f"<span style='display:block;height:18px;border-radius:4px;background:{PRIMARY};"
            f"width:{max(prob * 100, 0.5):.1f}%'></span></span>"
            f"<span style='width:4.2em;text-align:right;font-size:0.85rem'>{prob:.1%}</span></div>"
        )
    return "<div class='probability-bars' style='max-width:420px'>" + "".join(rows) + "</div>"


def show_box_card(index: int, result: BoxResult, show_steps: bool = True) -> None:
    """One box: the image, the 28x28 model input, the character, confidence, top 3 and the steps."""
    st.markdown(box_card_html(index, result), unsafe_allow_html=True)
    if result.status == "error":
        st.error(safe_text.message(result.message, [result.name]))
        return
    if show_steps and result.steps:
        with st.expander("Steps"):
            st.markdown(
                figures_html([(img, label) for label, img in result.steps], 64), unsafe_allow_html=True
            )


def tile_grid_html(tiles: Sequence[tuple[str | None, str]], image_height: int = 48, width: int = 96) -> str:
    """A wrapping grid of framed thumbnails (data URIs) with an HTML caption under each."""
    figures = [
        f"<figure style='margin:4px;padding:6px;border:1px solid {BORDER};border-radius:8px;width:{width}px;"
        "text-align:center;background:#fff'>"
        f"<img src='{uri}' style='height:{image_height}px;max-width:{width - 12}px;object-fit:contain'/>"
        f"<figcaption style='font-size:0.75rem;line-height:1.2'>{caption}</figcaption></figure>"
        for uri, caption in tiles
    ]
    return "<div style='display:flex;flex-wrap:wrap'>" + "".join(figures) + "</div>"


def prediction_caption(result: BoxResult) -> str:
    """The character in large type (amber when unsure) and its confidence, or "empty"."""
    if result.status != "ok":
        return f"<b style='color:{WARN}'>{html.escape(result.status)}</b>"
    colour = WARN if result.low_confidence else TEXT
    char = html.escape(result.char or "")
    return f"<b style='font-size:1.3rem;color:{colour}'>{char}</b> {result.confidence:.0%}"
