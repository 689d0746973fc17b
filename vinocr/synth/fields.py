"""Synthetic whole-VIN-field images (a row of boxes, or of characters without boxes).

Built at run time from upright 28x28 white-on-black glyphs for tests and measurements; no image is
ever written to the repository. Every random choice comes from the caller's `rng`, so a seed
reproduces a field. `make_field(..., return_truth=True)` also gives the centre of every box (or
character) in the output image's coordinates, in reading order.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vinocr.box.image_io import rotation_matrix

STYLES: tuple[str, ...] = ("boxes_dark", "boxes_light", "no_boxes", "form")
"""boxes_dark: white lines and glyphs on black; boxes_light: black on white; no_boxes: glyphs
only, separated by gaps, either polarity; form: boxes_light with form lines and text around."""

MAX_ANGLE = 5.0


@dataclass(frozen=True)
class FieldLayout:
    """Geometry of one field before rotation: cell rectangles (x, y, w, h) and line width."""

    cells: list[tuple[int, int, int, int]]
    line: int
    boxed: bool


def random_style(rng: np.random.Generator) -> str:
    """One of STYLES, uniformly."""
    return str(STYLES[int(rng.integers(len(STYLES)))])


def _crop_ink(glyph: np.ndarray) -> np.ndarray:
    """The glyph cut to its ink bounding box (the whole image when it holds no ink)."""
    ys, xs = np.nonzero(glyph > 40)
    if len(ys) == 0:
        return glyph
    return glyph[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def _scaled(glyph: np.ndarray, height: float, max_width: float) -> np.ndarray:
    """The cropped glyph resized to `height` (aspect kept, width at most `max_width`), float 0..1."""
    ink = _crop_ink(glyph).astype(np.float32) / 255.0
    gh, gw = ink.shape
    scale = min(height / gh, max_width / gw)
    size = (max(1, round(gw * scale)), max(1, round(gh * scale)))
    return np.clip(cv2.resize(ink, size, interpolation=cv2.INTER_LINEAR), 0.0, 1.0)


def _box_layout(n: int, rng: np.random.Generator, x0: int, y0: int) -> FieldLayout:
    """Box rectangles with random size, line width and uneven (possibly shared-line) spacing."""
    width = int(rng.integers(40, 121))
    height = int(round(width * rng.uniform(0.85, 1.35)))
    line = int(min(rng.integers(1, 7), max(1, width // 8)))
    shared = rng.random() < 0.3  # neighbours share one line
    cells, x = [], x0
    for _ in range(n):
        w = int(round(width * rng.uniform(0.97, 1.03)))
        cells.append((x, y0, w, height))
        if shared:
            gap = -line
        elif rng.random() < 0.15:
            gap = 0  # touching: a double-width line
        else:
            gap = int(round(width * rng.uniform(0.0, 0.3)))
        x += w + gap
    return FieldLayout(cells, line, True)


def _gap_layout(glyphs: list[np.ndarray], rng: np.random.Generator, x0: int, y0: int) -> FieldLayout:
    """Character cells for a row without boxes: jittered height and baseline, positive gaps."""
    height = float(rng.uniform(30, 100))
    cells, x = [], x0
    for glyph in glyphs:
        h = height * rng.uniform(0.88, 1.12)
        ink = _crop_ink(glyph)
        w = max(2, round(h * ink.shape[1] / ink.shape[0]))
        y = y0 + round(height * rng.uniform(-0.08, 0.08)) + round((height - h) / 2)
        cells.append((x, y, w, round(h)))
        x += w + max(4, round(height * rng.uniform(0.12, 0.6)))
    return FieldLayout(cells, 0, False)


def _draw_boxes(alpha: np.ndarray, layout: FieldLayout, strength: float) -> None:
    """Box outlines into the ink-alpha canvas (in place); a shared line stays drawn."""
    t = layout.line
    for x, y, w, h in layout.cells:
        alpha[y : y + h, x : x + w] = strength
    for x, y, w, h in layout.cells:
        alpha[y + t : y + h - t, x + t : x + w - t] = 0.0


def _place_glyph(
    alpha: np.ndarray,
    glyph: np.ndarray,
    cell: tuple[int, int, int, int],
    inset: int,
    rng: np.random.Generator,
) -> None:
    """A glyph inside a cell with scale and offset jitter, max-composited into the alpha canvas."""
    x, y, w, h = cell
    inner_w, inner_h = w - 2 * inset, h - 2 * inset
    if inset:
        ink = _scaled(glyph, inner_h * rng.uniform(0.5, 0.85), inner_w * 0.85)
    else:
        ink = _scaled(glyph, h, w)
    gh, gw = ink.shape
    free_x, free_y = max(0, inner_w - gw - 2), max(0, inner_h - gh - 2)
    ox = x + inset + 1 + round(free_x * (0.5 + 0.4 * rng.uniform(-1, 1))) if inset else x
    oy = y + inset + 1 + round(free_y * (0.5 + 0.4 * rng.uniform(-1, 1))) if inset else y
    region = alpha[oy : oy + gh, ox : ox + gw]
    np.maximum(region, ink[: region.shape[0], : region.shape[1]], out=region)


def _form_clutter(alpha: np.ndarray, row: tuple[int, int, int, int], rng: np.random.Generator) -> None:
    """Form lines and printed text in the margin, well away from the row (in place)."""
    x0, y0, x1, y1 = row
    height, width = alpha.shape
    layer = np.zeros(alpha.shape, np.uint8)
    clear = max(15, round(0.4 * (y1 - y0)))
    font = cv2.FONT_HERSHEY_SIMPLEX
    if y0 - clear >= 30:  # a printed label above, maybe under a rule
        base = int(rng.integers(max(22, y0 - clear - 60), y0 - clear + 1))
        cv2.putText(layer, "Vehicle identification number", (x0, base), font, rng.uniform(0.5, 0.9), 255, 1)
        if base - 30 > 4 and rng.random() < 0.7:
            cv2.line(layer, (0, base - 30), (width - 1, base - 30), 255, int(rng.integers(1, 3)))
    if height - (y1 + clear) >= 30:  # a rule below, maybe with small print under it
        y = int(rng.integers(y1 + clear, height - 4))
        cv2.line(layer, (int(rng.integers(0, 20)), y), (width - int(rng.integers(1, 20)), y), 255, 1)
        if y + 26 < height:
            cv2.putText(layer, "Signature / date", (x0, y + 22), font, 0.6, 255, 1)
    np.maximum(alpha, layer.astype(np.float32) / 255.0, out=alpha)


def _rotate(canvas: np.ndarray, angle: float, fill: float) -> tuple[np.ndarray, np.ndarray]:
    """Rotate about the centre, growing the canvas so nothing is cut; returns (image, 2x3 matrix)."""
    matrix, size = rotation_matrix(canvas.shape, angle)
    out = cv2.warpAffine(canvas, matrix, size, flags=cv2.INTER_LINEAR, borderValue=fill)
    return out, matrix


def _degrade(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Uneven light, blur, Gaussian noise and a JPEG round trip, each at random strength."""
    h, w = image.shape
    out = image.astype(np.float32)
    if rng.random() < 0.5:  # gentle illumination gradient
        gx = np.linspace(-1, 1, w, dtype=np.float32)[None, :] * rng.uniform(-15, 15)
        gy = np.linspace(-1, 1, h, dtype=np.float32)[:, None] * rng.uniform(-10, 10)
        out += gx + gy
    if rng.random() < 0.3:
        out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.5, 1.0))
    out += rng.normal(0.0, rng.uniform(0.0, 12.0), out.shape).astype(np.float32)
    out = np.clip(out, 0, 255).astype(np.uint8)
    if rng.random() < 0.6:
        quality = int(rng.integers(30, 95))
        _, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, quality])
        out = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    return out


def _specks(alpha: np.ndarray, rng: np.random.Generator) -> None:
    """Small random dots anywhere (dust, pen touches)."""
    h, w = alpha.shape
    for _ in range(int(rng.integers(0, 30))):
        centre = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        cv2.circle(alpha, centre, int(rng.integers(0, 3)), float(rng.uniform(0.6, 1.0)), -1)


def make_field(
    glyphs: list[np.ndarray],
    rng: np.random.Generator,
    style: str,
    return_truth: bool = False,
    *,
    angle: float | None = None,
    margin: int | None = None,
    degrade: bool = True,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """A whole-field image (uint8 gray, sometimes BGR) of the glyphs in a row, left to right.

    `angle` (degrees, counter-clockwise) and `margin` (px on every side) fix what is otherwise
    drawn at random. `degrade=False` gives the clean gray drawing: no uneven light, blur, noise,
    JPEG or colour (what a photo generator starts from). With `return_truth`, also the (N, 2)
    float array of box (or character) centres (x, y) in the output image's coordinates, in
    reading order.
    """
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}; choose from {', '.join(STYLES)}")
    boxed = style != "no_boxes"
    margins = rng.integers(20, 201, size=4) if margin is None else np.full(4, margin)  # l, t, r, b
    left, top = int(margins[0]), int(margins[1])
    layout = _box_layout(len(glyphs), rng, left, top) if boxed else _gap_layout(glyphs, rng, left, top + 10)
    x1 = max(x + w for x, _, w, _ in layout.cells)
    y1 = max(y + h for _, y, _, h in layout.cells)
    alpha = np.zeros((y1 + int(margins[3]), x1 + int(margins[2])), np.float32)
    if boxed:
        _draw_boxes(alpha, layout, float(rng.uniform(0.6, 1.0)))
    inset = layout.line + 1 if boxed else 0
    for glyph, cell in zip(glyphs, layout.cells, strict=True):
        _place_glyph(alpha, glyph, cell, inset, rng)
    if style == "form":
        _form_clutter(alpha, (left, top, x1, y1), rng)
    _specks(alpha, rng)
    light = style in ("boxes_light", "form") or (style == "no_boxes" and rng.random() < 0.5)
    paper, ink = (
        (rng.uniform(180, 250), rng.uniform(0, 80)) if light else (rng.uniform(0, 60), rng.uniform(170, 255))
    )
    angle = float(rng.uniform(-MAX_ANGLE, MAX_ANGLE)) if angle is None else float(angle)
    rotated, matrix = _rotate(alpha, angle, 0.0)
    drawn = paper + (ink - paper) * rotated
    if degrade:
        image = _degrade(drawn, rng)
        if rng.random() < 0.25:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    else:
        image = np.clip(drawn, 0, 255).astype(np.uint8)
    if not return_truth:
        return image
    centres = np.array([(x + w / 2, y + h / 2) for x, y, w, h in layout.cells], np.float64)
    centres = centres @ matrix[:, :2].T + matrix[:, 2]
    return image, centres


def centres_match(found: np.ndarray, truth: np.ndarray) -> bool:
    """True when the found (N, 2) centres (input-image coordinates) are the true ones in order:
    as many, each nearest its own true centre and within half the smallest pitch of it."""
    found, truth = np.asarray(found, np.float64), np.asarray(truth, np.float64)
    if found.shape != truth.shape or len(truth) == 0:
        return False
    if len(truth) == 1:
        return True
    pitch = float(np.min(np.linalg.norm(np.diff(truth, axis=0), axis=1)))
    dist = np.linalg.norm(found[:, None, :] - truth[None, :, :], axis=2)
    in_order = np.all(dist.argmin(axis=1) == np.arange(len(truth)))
    return bool(in_order and np.all(dist.min(axis=1) < pitch / 2))
