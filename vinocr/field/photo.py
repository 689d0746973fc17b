"""Decode a photo (or scan) of the whole VIN field: up to 50 megapixels, upright, at working size.

Phones take 12-50 MP pictures, far beyond what a box image may be. A whole-field image is checked
from its header (at most MAX_PIXELS), decoded once at a reduced size (a JPEG straight from its
DCT at 1/2, 1/4 or 1/8 scale, so a 12 MP photo never exists in memory at full size), turned
upright as its EXIF orientation says, and brought to at most WORK_SIDE px a side. Box images keep
their own, stricter limits (vinocr.box.image_io).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from vinocr.box.image_io import (
    MAX_BYTES,
    ImageError,
    apply_orientation,
    decode_gray,
    limit_size,
    open_image,
    orientation_of,
    read_limited,
)

MAX_PIXELS = 50_000_000  # a 50 MP phone photo is 8160 x 6120
WORK_SIDE = 2048  # the working image's longer side is at most this (after a reduced decode, 2600)
REDUCED_MIN = 1600  # a JPEG is decoded at the smallest DCT scale that keeps this many px a side


@dataclass(frozen=True)
class FieldPhoto:
    """A decoded whole-field image at working size."""

    gray: np.ndarray  # uint8 (H, W), upright
    scale: float  # working px per original px (1.0 when not downscaled)
    original: tuple[int, int]  # (width, height) of the upright original


def _open(data: bytes, name: str) -> Image.Image:
    """Pillow image (header only), refused when not PNG/JPEG/BMP or above MAX_PIXELS."""
    if not data:
        raise ImageError(f"{name}: the file is empty")
    if len(data) > MAX_BYTES:
        raise ImageError(f"{name}: {len(data) / 1e6:.1f} MB is too large (max {MAX_BYTES // 2**20} MB)")
    img = open_image(data, name, "a photo (max 50 MP)")
    width, height = img.size
    if width * height > MAX_PIXELS:
        img.close()
        raise ImageError(
            f"{name}: {width}x{height} px ({width * height / 1e6:.0f} MP) is too large for a photo "
            f"(max {MAX_PIXELS // 1_000_000} MP)"
        )
    if width == 0 or height == 0:
        img.close()
        raise ImageError(f"{name}: the image data is corrupt or truncated (no pixels)")
    return img


def _reduced_gray(img: Image.Image, name: str) -> np.ndarray:
    """Decode to uint8 gray; a large JPEG at the smallest DCT scale keeping REDUCED_MIN px a side."""
    width, height = img.size
    if img.format == "JPEG" and max(width, height) > WORK_SIDE:
        share = REDUCED_MIN / max(width, height)
        img.draft("L", (max(1, int(width * share)), max(1, int(height * share))))
    return decode_gray(img, name)


def decode_photo(data: bytes, name: str = "photo") -> FieldPhoto:
    """Encoded bytes of a whole-field photo or scan -> FieldPhoto (upright, at most WORK_SIDE).

    Raises ImageError (naming `name`) for empty, unreadable, corrupt or over-50-MP input; the size is
    checked from the header before any pixel is decoded.
    """
    with _open(data, name) as img:
        width, height = img.size
        orientation = orientation_of(img)
        gray = _reduced_gray(img, name)
    gray = apply_orientation(gray, orientation)
    original = (height, width) if orientation in (5, 6, 7, 8) else (width, height)
    if max(gray.shape) > WORK_SIDE * 1.27:  # a reduced JPEG up to 2600 px is used as it is
        gray = limit_size(gray, WORK_SIDE)
    return FieldPhoto(gray, gray.shape[1] / original[0], original)


def read_photo_file(path: str | Path) -> FieldPhoto:
    """Read and decode a whole-field photo file; ImageError names the file on any problem."""
    return decode_photo(read_limited(path, MAX_BYTES, "a photo"), Path(path).as_posix())
