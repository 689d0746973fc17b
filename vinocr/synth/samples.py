"""The project's own sample boxes, drawn by code with OpenCV's Hershey fonts (no EMNIST images).

`python -m vinocr.synth.samples OUT_DIR [--vin VIN] [--seed N]` writes 17 box images box01.png ...
box17.png of a VIN, with jittered handwriting-like strokes, box borders and both polarities.
"""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path

import cv2
import numpy as np

from vinocr.box.image_io import encode_png
from vinocr.synth.boxes import BoxStyle, render_box
from vinocr.synth.photos import LARGE_FRAME, PhotoParams, encode_jpeg, pad_to_sheet, photograph

SAMPLE_VIN = "1M8GDM9AXKP042788"  # the classic check-digit example of 49 CFR 565
FONTS = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_SCRIPT_SIMPLEX)


def draw_glyph(char: str, rng: np.random.Generator, size: int = 96) -> np.ndarray:
    """A white-on-black glyph of `char` in a Hershey font with random slant, rotation and stroke."""
    canvas = np.zeros((size * 2, size * 2), np.uint8)
    font = FONTS[int(rng.integers(len(FONTS)))]
    thickness = int(rng.integers(2, 5))
    scale = size / 30.0
    if char == "0":  # the Hershey zero is slashed; a handwritten one is a plain oval
        axes = (int(size * rng.uniform(0.22, 0.3)), int(size * rng.uniform(0.38, 0.45)))
        cv2.ellipse(canvas, (size, size), axes, 0, 0, 360, 255, thickness + 2, cv2.LINE_AA)
    else:
        (w, h), _ = cv2.getTextSize(char, font, scale, thickness)
        cv2.putText(canvas, char, (size - w // 2, size + h // 2), font, scale, 255, thickness, cv2.LINE_AA)
    angle = float(rng.uniform(-8, 8))
    shear = float(rng.uniform(-0.25, 0.1))
    matrix = cv2.getRotationMatrix2D((size, size), angle, float(rng.uniform(0.9, 1.1)))
    matrix[0, 1] += shear
    matrix[0, 2] -= shear * size
    warped = cv2.warpAffine(canvas, matrix, canvas.shape[::-1], flags=cv2.INTER_LINEAR)
    # a slight wobble of the pen: smooth random displacement
    dx = cv2.GaussianBlur(rng.normal(0, 12, canvas.shape).astype(np.float32), (0, 0), 12)
    dy = cv2.GaussianBlur(rng.normal(0, 12, canvas.shape).astype(np.float32), (0, 0), 12)
    grid_y, grid_x = np.indices(canvas.shape, dtype=np.float32)
    return cv2.remap(warped, grid_x + dx, grid_y + dy, cv2.INTER_LINEAR)


def sample_boxes(vin: str = SAMPLE_VIN, seed: int = 17) -> list[tuple[str, np.ndarray]]:
    """(file name, box image) for each character of `vin`, varied sizes, borders and polarity."""
    rng = np.random.default_rng(seed)
    boxes = []
    for i, char in enumerate(vin, 1):
        style = BoxStyle(
            size=int(rng.integers(56, 140)),
            border=int(rng.integers(1, 6)),
            border_inset=int(rng.integers(0, 5)),
            invert=bool(i % 2),
            glyph_fill=float(rng.uniform(0.55, 0.7)),
            offset=(float(rng.uniform(-0.08, 0.08)), float(rng.uniform(-0.06, 0.06))),
        )
        boxes.append((f"box{i:02d}.png", render_box(draw_glyph(char, rng), style, rng)))
    return boxes


def sample_field(
    vin: str = SAMPLE_VIN, seed: int = 17, cell: int = 96, line: int = 3, margin: int = 40
) -> np.ndarray:
    """One gray image of a whole VIN field: a row of 17 ruled boxes, dark handwriting on light paper."""
    rng = np.random.default_rng(seed)
    height, width = cell + 2 * margin, len(vin) * cell + 2 * margin
    ink = np.zeros((height, width), np.float32)
    for i, char in enumerate(vin):
        glyph = draw_glyph(char, rng)
        ys, xs = np.nonzero(glyph > 40)
        glyph = glyph[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
        scale = cell * 0.62 / max(glyph.shape[0], glyph.shape[1] * 1.2)
        size = (max(1, round(glyph.shape[1] * scale)), max(1, round(glyph.shape[0] * scale)))
        glyph = cv2.resize(glyph, size, interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
        x0, y0 = margin + i * cell + (cell - size[0]) // 2, margin + (cell - size[1]) // 2
        region = ink[y0 : y0 + size[1], x0 : x0 + size[0]]
        np.maximum(region, glyph, out=region)
    right, bottom = margin + len(vin) * cell, margin + cell
    cv2.rectangle(ink, (margin, margin), (right, bottom), 1.0, line)
    for i in range(1, len(vin)):
        x = margin + i * cell
        cv2.line(ink, (x, margin), (x, bottom), 1.0, line)
    return np.clip(250.0 - 215.0 * ink, 0, 255).astype(np.uint8)


SAMPLE_PHOTO = PhotoParams(
    style="form",
    tilt=0.05,
    rotation=-6.0,
    frame=LARGE_FRAME,
    sheet_share=0.8,
    desk=70.0,
    gradient=0.25,
    shadow=0.3,
    shadow_edge=40.0,
    blur=1.2,
    noise=4.0,
    jpeg_quality=88,
    orientation=1,
)


@functools.lru_cache(maxsize=2)
def sample_photo(vin: str = SAMPLE_VIN, seed: int = 17) -> bytes:
    """A 12-megapixel phone photo (4032x3024 JPEG) of a form with the sample field filled in: the
    sheet on a desk, tilted (each corner moved by 5% of its width), turned 6 degrees, under a light
    gradient and the soft edge of a shadow (vinocr.synth.photos)."""
    rng = np.random.default_rng(seed)
    sheet, _ = pad_to_sheet(sample_field(vin, seed), rng, printed=True)
    image, _ = photograph(sheet, SAMPLE_PHOTO, rng)
    return encode_jpeg(image, SAMPLE_PHOTO.jpeg_quality)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m vinocr.synth.samples", description=__doc__.split("\n")[0]
    )
    parser.add_argument("out", type=Path)
    parser.add_argument("--vin", default=SAMPLE_VIN)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, image in sample_boxes(args.vin, args.seed):
        (args.out / name).write_bytes(encode_png(image))
    print(f"wrote {len(args.vin)} boxes to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
