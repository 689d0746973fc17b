"""Synthetic box images the way real forms produce them, for tests, measurements and samples.

A glyph (upright, white on black, any size) is placed in a box of a chosen size with a border
(full, partial or none, 1-10 px), optional inversion, stroke change, offset, specks and JPEG.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

STYLES = ("plain", "border", "partial_border", "inverted", "jpeg", "thick", "thin", "specks", "offset")


@dataclass(frozen=True)
class BoxStyle:
    """How one synthetic box looks."""

    size: int = 64
    border: int = 2  # px; 0 = no border
    border_sides: str = "tblr"  # which sides of the box line are drawn
    border_inset: int = 0  # px between the image edge and the box line
    invert: bool = False  # black glyph on white
    stroke: int = 0  # >0 thicken, <0 thin (kernel radius at box scale)
    offset: tuple[float, float] = (0.0, 0.0)  # glyph centre shift, fraction of the inner box
    glyph_fill: float = 0.7  # glyph height as a fraction of the inner box
    specks: int = 0
    jpeg_quality: int = 0  # 0 = no JPEG round trip
    rgb: bool = False


def random_style(rng: np.random.Generator, kind: str | None = None) -> BoxStyle:
    """A random style; `kind` (one of STYLES) forces the feature under test."""
    kind = kind or str(rng.choice(STYLES))
    size = int(rng.integers(20, 400)) if rng.random() < 0.9 else int(rng.integers(400, 2000))
    border = int(rng.integers(1, 11)) if kind != "plain" else 0
    border = min(border, max(1, size // 12))
    sides = "tblr"
    if kind == "partial_border":
        sides = "".join(s for s in "tblr" if rng.random() < 0.6) or "l"
    return BoxStyle(
        size=size,
        border=border,
        border_sides=sides,
        border_inset=int(rng.integers(0, max(1, size // 16))),
        invert=kind == "inverted" or (kind not in ("plain",) and rng.random() < 0.5),
        stroke=int(max(1, size // 40)) if kind == "thick" else (-1 if kind == "thin" and size > 60 else 0),
        offset=(float(rng.uniform(-0.15, 0.15)), float(rng.uniform(-0.12, 0.12)))
        if kind == "offset"
        else (0, 0),
        glyph_fill=float(rng.uniform(0.55, 0.85)),
        specks=int(rng.integers(3, 12)) if kind == "specks" else 0,
        jpeg_quality=int(rng.integers(25, 70)) if kind == "jpeg" else 0,
        rgb=bool(rng.random() < 0.3),
    )


def render_box(glyph: np.ndarray, style: BoxStyle, rng: np.random.Generator | None = None) -> np.ndarray:
    """Draw `glyph` (white on black) into a box image following `style`; uint8 gray or BGR."""
    rng = rng or np.random.default_rng(0)
    size = style.size
    canvas = np.zeros((size, size), np.uint8)
    pad = style.border_inset + style.border
    inner = max(4, size - 2 * pad)
    ys, xs = np.nonzero(glyph > 40)
    if len(ys):
        glyph = glyph[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
        gh, gw = glyph.shape
        scale = style.glyph_fill * inner / max(gh, gw)
        new = cv2.resize(
            glyph, (max(1, round(gw * scale)), max(1, round(gh * scale))), interpolation=cv2.INTER_CUBIC
        )
        if style.stroke > 0:
            new = cv2.dilate(new, np.ones((2 * style.stroke + 1,) * 2, np.uint8))
        elif style.stroke < 0:
            new = cv2.erode(new, np.ones((3, 3), np.uint8))
        nh, nw = new.shape
        cx = size / 2 + style.offset[0] * inner
        cy = size / 2 + style.offset[1] * inner
        x0 = (
            int(np.clip(cx - nw / 2, pad + 1, size - pad - nw - 1))
            if size - 2 * pad - 2 > nw
            else max(0, (size - nw) // 2)
        )
        y0 = (
            int(np.clip(cy - nh / 2, pad + 1, size - pad - nh - 1))
            if size - 2 * pad - 2 > nh
            else max(0, (size - nh) // 2)
        )
        region = canvas[y0 : y0 + nh, x0 : x0 + nw]
        np.maximum(region, new[: region.shape[0], : region.shape[1]], out=region)
    _draw_border(canvas, style)
    for _ in range(style.specks):
        x, y = rng.integers(0, size, 2)
        cv2.circle(canvas, (int(x), int(y)), max(1, size // 80), 255, -1)
    if style.invert:
        canvas = 255 - canvas
    if style.jpeg_quality:
        ok, buf = cv2.imencode(".jpg", canvas, [cv2.IMWRITE_JPEG_QUALITY, style.jpeg_quality])
        canvas = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    return cv2.cvtColor(canvas, cv2.COLOR_GRAY2BGR) if style.rgb else canvas


def _draw_border(canvas: np.ndarray, style: BoxStyle) -> None:
    """Draw the requested sides of the box line in place."""
    if style.border <= 0:
        return
    size, b, a = canvas.shape[0], style.border, style.border_inset
    far = size - a
    if "t" in style.border_sides:
        canvas[a : a + b, a:far] = 255
    if "b" in style.border_sides:
        canvas[far - b : far, a:far] = 255
    if "l" in style.border_sides:
        canvas[a:far, a : a + b] = 255
    if "r" in style.border_sides:
        canvas[a:far, far - b : far] = 255
