"""Synthetic box images the way real forms (and other people's crops) produce them.

A glyph (upright, white on black, any size) is placed in a box of a chosen size with a border
(full, partial or none, 1-10 px), optional inversion, stroke change, offset, specks and JPEG.
Further looks: a tight crop (the glyph's ink touches the image edge), a glyph touching its box
line, the 28x28 EMNIST array itself (as is or upscaled), lines of the neighbouring boxes that a
cut from a field takes along, and grey paper with uneven light.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# Boxes as scanned forms give them (the benchmark's original nine styles).
SCAN_STYLES = ("plain", "border", "partial_border", "inverted", "jpeg", "thick", "thin", "specks", "offset")
# Boxes as other people crop them, and boxes cut from a photographed field.
CROP_STYLES = ("tight", "tight_border", "emnist", "emnist_scaled", "neighbour_lines", "gray_background")
STYLES = SCAN_STYLES + CROP_STYLES
SIDES = "tblr"


@dataclass(frozen=True)
class BoxStyle:
    """How one synthetic box looks."""

    size: int = 64
    border: int = 2  # px; 0 = no border
    border_sides: str = SIDES  # which sides of the box line are drawn
    border_inset: int = 0  # px between the image edge and the box line
    invert: bool = False  # black glyph on white
    stroke: int = 0  # >0 thicken, <0 thin (kernel radius at box scale)
    offset: tuple[float, float] = (0.0, 0.0)  # glyph centre shift, fraction of the inner box
    glyph_fill: float = 0.7  # glyph height as a fraction of the inner box
    specks: int = 0
    jpeg_quality: int = 0  # 0 = no JPEG round trip
    rgb: bool = False
    touch: str = ""  # sides of the box whose line (or image edge) the glyph's ink touches
    crop_margins: tuple[int, int, int, int] | None = None  # tight crop: px left beside the ink (t, b, l, r)
    raw_scale: int = 0  # >0: the glyph array itself, upscaled this many times (no box drawn)
    raw_nearest: bool = True  # upscale with nearest neighbour (else linear)
    neighbour_sides: str = ""  # sides with a neighbouring box's line outside the own box line
    neighbour_gap: int = 2  # px between the own box line and the neighbour's
    neighbour_part: float = 1.0  # share of the side the neighbour's line runs along (from one end)
    rails: bool = False  # the row's top and bottom lines run on to the image edges
    paper: int = 0  # 0: pure black/white; else the paper's grey level (ink is darker)
    contrast: int = 255  # grey levels between paper and ink
    gradient: float = 0.0  # light change across the box, grey levels
    gradient_angle: float = 0.0  # degrees
    shadow: float = 0.0  # grey levels a soft shadow takes away at its centre
    shadow_at: tuple[float, float] = (0.5, 0.5)  # shadow centre, fractions of the box
    noise: float = 0.0  # sensor noise sigma, grey levels


def random_style(rng: np.random.Generator, kind: str | None = None) -> BoxStyle:
    """A random style; `kind` (one of STYLES) forces the feature under test.

    Without `kind` one of the SCAN_STYLES is drawn (the mix the whole-VIN benchmark uses).
    """
    kind = kind or str(rng.choice(SCAN_STYLES))
    if kind in CROP_STYLES:
        return _crop_style(rng, kind)
    size = int(rng.integers(20, 400)) if rng.random() < 0.9 else int(rng.integers(400, 2000))
    border = int(rng.integers(1, 11)) if kind != "plain" else 0
    border = min(border, max(1, size // 12))
    sides = SIDES
    if kind == "partial_border":
        sides = "".join(s for s in SIDES if rng.random() < 0.6) or "l"
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


def _random_sides(rng: np.random.Generator, most: int = 4) -> str:
    """1 to `most` distinct sides, in SIDES order."""
    count = int(rng.integers(1, most + 1))
    return "".join(sorted(rng.choice(list(SIDES), count, replace=False), key=SIDES.index))


def _box_size(rng: np.random.Generator) -> int:
    return int(rng.integers(20, 400)) if rng.random() < 0.9 else int(rng.integers(400, 2000))


def _crop_style(rng: np.random.Generator, kind: str) -> BoxStyle:
    """A random style of the CROP_STYLES."""
    if kind == "emnist":
        return BoxStyle(raw_scale=1)
    if kind == "emnist_scaled":
        return BoxStyle(raw_scale=int(rng.integers(2, 9)), raw_nearest=bool(rng.random() < 0.5))
    size = _box_size(rng)
    invert, rgb = bool(rng.random() < 0.5), bool(rng.random() < 0.3)
    if kind == "tight":
        touching = _random_sides(rng)
        margins = tuple(0 if s in touching else int(rng.integers(1, 3)) for s in SIDES)
        return BoxStyle(size=size, border=0, invert=invert, rgb=rgb, crop_margins=margins, glyph_fill=0.8)
    border = min(int(rng.integers(1, 11)), max(1, size // 12))
    if kind == "tight_border":
        return BoxStyle(
            size=size,
            border=border,
            border_inset=int(rng.integers(0, max(1, size // 16))),
            invert=invert,
            rgb=rgb,
            touch=_random_sides(rng, 3),
            glyph_fill=float(rng.uniform(0.75, 0.95)),
        )
    if kind == "neighbour_lines":
        border = min(border, max(1, size // 24))
        gap = int(rng.integers(1, max(2, size // 20)))
        return BoxStyle(
            size=size,
            border=border,
            border_inset=int(rng.integers(0, 3)) + border + gap,
            invert=invert,
            rgb=rgb,
            glyph_fill=float(rng.uniform(0.55, 0.85)),
            neighbour_sides=_random_sides(rng),
            neighbour_gap=gap,
            neighbour_part=1.0 if rng.random() < 0.5 else float(rng.uniform(0.15, 0.8)),
            rails=bool(rng.random() < 0.5),
        )
    if kind == "gray_background":
        paper = int(rng.integers(110, 225))
        return BoxStyle(
            size=size,
            border=border if rng.random() < 0.7 else 0,
            border_sides=SIDES if rng.random() < 0.6 else _random_sides(rng, 3),
            border_inset=int(rng.integers(0, max(1, size // 16))),
            invert=bool(rng.random() < 0.25),  # mostly dark ink on grey paper, as photographed
            rgb=rgb,
            glyph_fill=float(rng.uniform(0.55, 0.85)),
            jpeg_quality=int(rng.integers(50, 90)) if rng.random() < 0.5 else 0,
            paper=paper,
            contrast=int(rng.integers(45, min(paper, 120))),
            gradient=float(rng.uniform(15, 60)),
            gradient_angle=float(rng.uniform(0, 360)),
            shadow=float(rng.uniform(0, 45)),
            shadow_at=(float(rng.uniform(0, 1)), float(rng.uniform(0, 1))),
            noise=float(rng.uniform(1, 5)),
        )
    raise ValueError(f"unknown box style {kind!r}; choose from {', '.join(STYLES)}")


def tight_crop(
    glyph: np.ndarray,
    margins: tuple[int, int, int, int] = (0, 0, 0, 0),
    invert: bool = False,
    size: int = 120,
) -> np.ndarray:
    """A glyph cropped as other people crop boxes: no box line, its ink touching the image edge on
    the sides whose margin (top, bottom, left, right; px) is 0."""
    return render_box(
        glyph, BoxStyle(size=size, border=0, invert=invert, crop_margins=margins, glyph_fill=0.8)
    )


def render_box(glyph: np.ndarray, style: BoxStyle, rng: np.random.Generator | None = None) -> np.ndarray:
    """Draw `glyph` (white on black) into a box image following `style`; uint8 gray or BGR."""
    rng = rng or np.random.default_rng(0)
    if style.raw_scale:
        interpolation = cv2.INTER_NEAREST if style.raw_nearest else cv2.INTER_LINEAR
        k = style.raw_scale
        return glyph.copy() if k == 1 else cv2.resize(glyph, None, fx=k, fy=k, interpolation=interpolation)
    size = style.size
    canvas = np.zeros((size, size), np.uint8)
    _place_glyph(canvas, glyph, style)
    if style.crop_margins is not None:
        canvas = _tight_crop(canvas, style.crop_margins)
    _draw_border(canvas, style)
    _draw_neighbours(canvas, style)
    for _ in range(style.specks):
        x, y = rng.integers(0, size, 2)
        cv2.circle(canvas, (int(x), int(y)), max(1, size // 80), 255, -1)
    if style.paper:
        canvas = _on_paper(canvas, style, rng)
    if style.invert:
        canvas = 255 - canvas
    if style.jpeg_quality:
        ok, buf = cv2.imencode(".jpg", canvas, [cv2.IMWRITE_JPEG_QUALITY, style.jpeg_quality])
        canvas = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    return cv2.cvtColor(canvas, cv2.COLOR_GRAY2BGR) if style.rgb else canvas


def _place_glyph(canvas: np.ndarray, glyph: np.ndarray, style: BoxStyle) -> None:
    """Scale the glyph's ink into the inner box and draw it (brightest wins), in place."""
    ys, xs = np.nonzero(glyph > 40)
    if not len(ys):
        return
    size = canvas.shape[0]
    pad = style.border_inset + style.border
    inner = max(4, size - 2 * pad)
    glyph = glyph[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    gh, gw = glyph.shape
    opposite = {"t", "b"} <= set(style.touch) or {"l", "r"} <= set(style.touch)
    scale = (1.0 if opposite else style.glyph_fill) * inner / max(gh, gw)
    new = cv2.resize(
        glyph, (max(1, round(gw * scale)), max(1, round(gh * scale))), interpolation=cv2.INTER_CUBIC
    )
    if style.stroke > 0:
        new = cv2.dilate(new, np.ones((2 * style.stroke + 1,) * 2, np.uint8))
    elif style.stroke < 0:
        new = cv2.erode(new, np.ones((3, 3), np.uint8))
    nh, nw = new.shape
    x0 = _start(size, pad, nw, size / 2 + style.offset[0] * inner, style.touch, "lr")
    y0 = _start(size, pad, nh, size / 2 + style.offset[1] * inner, style.touch, "tb")
    region = canvas[y0 : y0 + nh, x0 : x0 + nw]
    np.maximum(region, new[: region.shape[0], : region.shape[1]], out=region)


def _start(size: int, pad: int, length: int, centre: float, touch: str, ends: str) -> int:
    """Where the glyph starts along one axis: against a touched side, else centred with 1 px to spare."""
    if ends[0] in touch:
        return pad
    if ends[1] in touch:
        return max(0, size - pad - length)
    if size - 2 * pad - 2 > length:
        return int(np.clip(centre - length / 2, pad + 1, size - pad - length - 1))
    return max(0, (size - length) // 2)


def _tight_crop(canvas: np.ndarray, margins: tuple[int, int, int, int]) -> np.ndarray:
    """Crop to the ink's bounding box, leaving (top, bottom, left, right) px of background."""
    ys, xs = np.nonzero(canvas > 40)
    if not len(ys):
        return canvas
    top, bottom, left, right = margins
    crop = canvas[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    return cv2.copyMakeBorder(crop, top, bottom, left, right, cv2.BORDER_CONSTANT, value=0)


def _draw_border(canvas: np.ndarray, style: BoxStyle) -> None:
    """Draw the requested sides of the box line in place."""
    if style.border <= 0 or style.crop_margins is not None:
        return
    size, b, a = canvas.shape[0], style.border, style.border_inset
    far = size - a
    across = (0, size) if style.rails else (a, far)
    if "t" in style.border_sides:
        canvas[a : a + b, across[0] : across[1]] = 255
    if "b" in style.border_sides:
        canvas[far - b : far, across[0] : across[1]] = 255
    if "l" in style.border_sides:
        canvas[a:far, a : a + b] = 255
    if "r" in style.border_sides:
        canvas[a:far, far - b : far] = 255


def _draw_neighbours(canvas: np.ndarray, style: BoxStyle) -> None:
    """Lines of the neighbouring boxes, parallel to the own box line, just outside it (in place)."""
    if not style.neighbour_sides or style.border <= 0:
        return
    size, b = canvas.shape[0], style.border
    near = max(0, style.border_inset - style.neighbour_gap - b)  # the neighbour line's outer edge
    far = size - near
    length = max(1, round(size * style.neighbour_part))
    if "t" in style.neighbour_sides:
        canvas[near : near + b, :length] = 255
    if "b" in style.neighbour_sides:
        canvas[far - b : far, size - length :] = 255
    if "l" in style.neighbour_sides:
        canvas[size - length :, near : near + b] = 255
    if "r" in style.neighbour_sides:
        canvas[:length, far - b : far] = 255


def _on_paper(canvas: np.ndarray, style: BoxStyle, rng: np.random.Generator) -> np.ndarray:
    """White-on-black drawing -> dark ink on grey paper lit unevenly (gradient, soft shadow, noise)."""
    height, width = canvas.shape
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    ys, xs = ys / max(height - 1, 1) - 0.5, xs / max(width - 1, 1) - 0.5
    angle = np.radians(style.gradient_angle)
    light = style.paper + style.gradient * (np.cos(angle) * xs + np.sin(angle) * ys)
    sy, sx = style.shadow_at[1] - 0.5, style.shadow_at[0] - 0.5
    light -= style.shadow * np.exp(-((xs - sx) ** 2 + (ys - sy) ** 2) / (2 * 0.3**2))
    image = light - style.contrast * (canvas.astype(np.float32) / 255.0)
    if style.noise:
        image += rng.normal(0, style.noise, image.shape).astype(np.float32)
    return np.clip(image, 0, 255).astype(np.uint8)
