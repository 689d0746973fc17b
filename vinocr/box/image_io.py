"""Decode box images safely: size checked from the header before decoding, any depth/channels."""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")
MAX_SIDE = 4000  # a scanned box is at most ~2,000 px; refuse anything far beyond before decoding
MAX_BYTES = 25 * 1024 * 1024


class ImageError(ValueError):
    """An input that cannot be used as a box image; the message names the file and the problem."""


def is_image_name(name: str) -> bool:
    """True for .png, .jpg, .jpeg and .bmp names in any letter case."""
    return Path(name).suffix.lower() in IMAGE_SUFFIXES


def _header_size(data: bytes, name: str) -> tuple[int, int]:
    """(width, height) read from the header only (PIL opens lazily, no pixel decoding)."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            return img.size
    except Image.DecompressionBombError:
        raise ImageError(f"{name}: the image is far too large for a box image") from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise ImageError(f"{name}: not a readable image (PNG, JPEG or BMP expected)") from None


def decode_image(data: bytes, name: str = "image") -> np.ndarray:
    """Bytes -> uint8 grayscale (H, W) with 255 = bright, handling 16-bit, RGB and RGBA.

    A transparent background (RGBA with see-through pixels) is read from the alpha channel:
    opaque pixels are ink. Raises ImageError for unreadable, empty or oversized input.
    """
    if not data:
        raise ImageError(f"{name}: the file is empty")
    if len(data) > MAX_BYTES:
        raise ImageError(f"{name}: {len(data) / 1e6:.1f} MB is too large for a box image")
    width, height = _header_size(data, name)
    if max(width, height) > MAX_SIDE:
        raise ImageError(
            f"{name}: {width}x{height} px is too large for a box image (max {MAX_SIDE} px a side)"
        )
    array = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if array is None or array.size == 0:
        raise ImageError(f"{name}: the image data is corrupt or truncated")
    return to_gray8(array)


def to_gray8(array: np.ndarray) -> np.ndarray:
    """Any decoded image (gray/BGR/BGRA, 8/16-bit, float) -> uint8 grayscale."""
    if array.dtype == np.uint16:
        array = (array / 257.0).round().astype(np.uint8)
    elif array.dtype != np.uint8:
        scaled = array.astype(np.float64)
        top = scaled.max() if scaled.max() > 1.0 else 1.0
        array = np.clip(scaled / top * 255.0, 0, 255).astype(np.uint8)
    if array.ndim == 2:
        return array
    if array.shape[2] in (2, 4):  # gray + alpha, or BGRA
        alpha = array[:, :, -1]
        if alpha.min() < 128:  # real transparency: the opaque strokes are the glyph and border
            return alpha.copy()
        array = array[:, :, :-1]
    if array.shape[2] == 1:
        return array[:, :, 0].copy()
    return cv2.cvtColor(np.ascontiguousarray(array[:, :, :3]), cv2.COLOR_BGR2GRAY)


def read_image_file(path: str | Path) -> np.ndarray:
    """Read and decode a box image file; ImageError names the file on any problem."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ImageError(
                f"{path.as_posix()}: {path.stat().st_size / 1e6:.1f} MB is too large for a box image"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ImageError(f"{path.as_posix()}: cannot read ({exc.strerror or exc})") from None
    return decode_image(data, path.as_posix())


def encode_png(image: np.ndarray) -> bytes:
    """PNG bytes of an image (for downloads, thumbnails and sample files)."""
    ok, buf = cv2.imencode(".png", image)
    if not ok:
        raise ImageError("could not encode PNG")
    return buf.tobytes()


def limit_size(image: np.ndarray, longest: int) -> np.ndarray:
    """Area-downscale (never enlarge) so that the longer side is at most `longest` pixels."""
    scale = longest / max(image.shape[:2])
    if scale >= 1:
        return image
    size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def rotation_matrix(shape: tuple[int, ...], angle: float) -> tuple[np.ndarray, tuple[int, int]]:
    """2x3 matrix rotating an image of `shape` by `angle` degrees (counter-clockwise) about its
    centre, and the grown output size (w, h) that keeps every corner."""
    h, w = shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = int(np.ceil(w * cos + h * sin)), int(np.ceil(w * sin + h * cos))
    matrix[0, 2] += new_w / 2 - w / 2
    matrix[1, 2] += new_h / 2 - h / 2
    return matrix, (new_w, new_h)
