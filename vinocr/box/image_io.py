"""Decode box images safely: size and memory checked from the header before decoding, EXIF orientation
honoured, any depth/channels, and no decoder noise on stderr (every problem is an ImageError naming
the file).

Box images are decoded with Pillow (PNG, JPEG, BMP only), which reads 16-bit colour PNGs as 8-bit and
reports a truncated file as an error instead of printing a warning and returning half an image.
"""

from __future__ import annotations

import io
import os
import stat
import warnings
from pathlib import Path
from typing import BinaryIO

import cv2
import numpy as np
from PIL import Image, ImageFile

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")
DECODE_FORMATS = ("PNG", "JPEG", "BMP")  # Pillow's names; a phone's multi-picture JPEG opens as MPO
MAX_SIDE = 4000  # a scanned box is at most ~2,000 px; refuse anything far beyond before decoding
MAX_BYTES = 25 * 1024 * 1024
MAX_DECODED_BYTES = 64 * 1024 * 1024  # one decoded box (4000x4000 RGBA, 8-bit); see decoded_bytes
EXIF_ORIENTATION_TAG = 0x0112
STRIP_BYTES = 4 * 1024 * 1024  # colour images are turned gray in strips of this size
OPAQUE = 128  # an alpha channel with a pixel below this is real transparency: the opaque pixels are ink
# bytes per pixel of the array each Pillow mode is read into (P with transparency becomes RGBA)
_MODE_BYTES = {"1": 1, "L": 1, "P": 4, "LA": 2, "PA": 4, "La": 2, "I;16": 2, "I;16B": 2, "I;16L": 2}


class ImageError(ValueError):
    """An input that cannot be used as a box image; the message names the file and the problem."""


def is_image_name(name: str) -> bool:
    """True for .png, .jpg, .jpeg and .bmp names in any letter case."""
    return Path(name).suffix.lower() in IMAGE_SUFFIXES


def open_image(data: bytes, name: str, kind: str = "a box image") -> ImageFile.ImageFile:
    """Pillow image of PNG/JPEG/BMP bytes, header read only (no pixels decoded yet). The caller
    checks the size from the header; Pillow's own huge-image warning is not printed."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data), formats=DECODE_FORMATS)
    except Image.DecompressionBombError:
        raise ImageError(f"{name}: the image is far too large for {kind}") from None
    except Exception:  # Pillow raises many types on hostile headers; all mean the same here
        raise ImageError(f"{name}: not a readable image (PNG, JPEG or BMP expected)") from None


def orientation_of(img: Image.Image) -> int:
    """EXIF orientation (1-8) from an open image's header, 1 when absent or unreadable.

    Only the header's EXIF block is read (`info["exif"]`): `getexif()` would decode a whole PNG.
    """
    try:
        raw = img.info.get("exif")
        if not raw:
            return 1
        exif = Image.Exif()
        exif.load(raw)
        value = exif.get(EXIF_ORIENTATION_TAG, 1)
    except Exception:  # a damaged EXIF block is not worth refusing the picture for
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def exif_orientation(data: bytes) -> int:
    """The EXIF orientation tag of encoded image bytes (1-8); 1 when absent or unreadable."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            return orientation_of(img)
    except Exception:
        return 1


def apply_orientation(image: np.ndarray, orientation: int) -> np.ndarray:
    """Turn a decoded image (H, W) or (H, W, C) upright as its EXIF orientation says (1 = as stored).

    2 mirrored, 3 upside down, 4 mirrored upside down, 5 mirrored and turned, 6 stored turned 90
    degrees anticlockwise (shown by turning it clockwise), 7 mirrored and turned, 8 the reverse of 6.
    """
    if orientation == 2:
        image = image[:, ::-1]
    elif orientation == 3:
        image = image[::-1, ::-1]
    elif orientation == 4:
        image = image[::-1]
    elif orientation == 5:
        image = image.swapaxes(0, 1)
    elif orientation == 6:
        image = image[::-1].swapaxes(0, 1)
    elif orientation == 7:
        image = image[::-1, ::-1].swapaxes(0, 1)
    elif orientation == 8:
        image = image[:, ::-1].swapaxes(0, 1)
    else:
        return image
    return np.ascontiguousarray(image)


def decoded_bytes(img: Image.Image) -> int:
    """Bytes of the array an opened image will be decoded into (Pillow reads 16-bit colour as 8-bit)."""
    per_pixel = _MODE_BYTES.get(img.mode, max(3, len(img.getbands())))
    return img.size[0] * img.size[1] * per_pixel


def _colour_to_gray(img: Image.Image) -> np.ndarray:
    """A decoded RGB(A) Pillow image -> uint8 gray (or its alpha when transparent), strip by strip:
    converting the whole image to an array would hold three copies of its pixels at once."""
    if img.mode == "RGBA" and img.getextrema()[3][0] < OPAQUE:
        return np.array(img.getchannel("A"))
    width, height = img.size
    code = cv2.COLOR_RGBA2GRAY if img.mode == "RGBA" else cv2.COLOR_RGB2GRAY
    step = max(1, STRIP_BYTES // (width * len(img.getbands())))
    if step >= height:  # one strip: no cropped copy
        return cv2.cvtColor(np.asarray(img), code)
    gray = np.empty((height, width), np.uint8)
    for top in range(0, height, step):
        bottom = min(height, top + step)
        gray[top:bottom] = cv2.cvtColor(np.asarray(img.crop((0, top, width, bottom))), code)
    return gray


def decode_gray(img: Image.Image, name: str) -> np.ndarray:
    """Decode an opened image to uint8 gray, the same pixels as `to_gray8` gives from OpenCV's arrays."""
    try:
        img.load()
        if img.mode in ("1", "CMYK", "YCbCr", "LAB", "HSV", "I", "F", "RGBX"):
            img = img.convert("RGB" if img.mode in ("CMYK", "YCbCr", "LAB", "HSV", "RGBX") else "L")
        elif img.mode in ("P", "PA", "La", "RGBa"):
            has_alpha = img.mode != "P" or "transparency" in img.info
            img = img.convert("RGBA" if has_alpha else "RGB")
        if img.mode in ("RGB", "RGBA"):
            return _colour_to_gray(img)
        array = np.asarray(img)
    except Exception:  # truncated or corrupt pixel data; Pillow raises OSError, SyntaxError, ...
        raise ImageError(f"{name}: the image data is corrupt or truncated") from None
    if array.dtype.byteorder not in ("=", "|"):  # 16-bit gray may come big-endian
        array = array.astype(array.dtype.newbyteorder("="))
    return to_gray8(array)


def decode_image(data: bytes, name: str = "image") -> np.ndarray:
    """Bytes -> uint8 grayscale (H, W), upright, with 255 = bright, handling 16-bit, RGB and RGBA.

    A transparent background (RGBA with see-through pixels) is read from the alpha channel:
    opaque pixels are ink. The EXIF orientation of a phone photo is applied. Size and decoded memory
    are checked from the header before any pixel is decoded. Raises ImageError for unreadable,
    empty, corrupt or oversized input; nothing is printed.
    """
    if not data:
        raise ImageError(f"{name}: the file is empty")
    if len(data) > MAX_BYTES:
        raise ImageError(f"{name}: {len(data) / 1e6:.1f} MB is too large for a box image")
    with open_image(data, name) as img:
        width, height = img.size
        if max(width, height) > MAX_SIDE:
            raise ImageError(
                f"{name}: {width}x{height} px is too large for a box image (max {MAX_SIDE} px a side)"
            )
        if width == 0 or height == 0:
            raise ImageError(f"{name}: the image data is corrupt or truncated (no pixels)")
        if decoded_bytes(img) > MAX_DECODED_BYTES:
            raise ImageError(
                f"{name}: {width}x{height} px in {img.mode} would take {decoded_bytes(img) / 2**20:.0f} MB "
                f"to decode, more than a box image may use ({MAX_DECODED_BYTES // 2**20} MB)"
            )
        orientation = orientation_of(img)
        gray = decode_gray(img, name)
    return apply_orientation(gray, orientation)


def _to_uint8(array: np.ndarray) -> np.ndarray:
    """Any real-valued array -> uint8: 16-bit divided by 257, bool as 0/255, other types scaled
    (0..1 -> 0..255, or by the maximum when it is above 1; negative and non-finite values -> 0)."""
    if array.dtype == np.uint8:
        return array
    if array.dtype == np.uint16:  # without a float64 copy: 8 bytes a sample for a 4000x4000 scan is 1 GB
        return cv2.convertScaleAbs(np.ascontiguousarray(array), alpha=1 / 257)
    if array.dtype == np.bool_:
        return array.astype(np.uint8) * np.uint8(255)
    values = np.nan_to_num(array.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    top = max(float(values.max()), 1.0)
    return np.clip(values / top * 255.0, 0, 255).astype(np.uint8)


def _usable(array: np.ndarray) -> bool:
    """A 2-D array, or 3-D with 1-4 channels, of real numbers or booleans."""
    real = (
        array.dtype == np.bool_
        or np.issubdtype(array.dtype, np.integer)
        or np.issubdtype(array.dtype, np.floating)
    )
    return real and (array.ndim == 2 or (array.ndim == 3 and 1 <= array.shape[2] <= 4))


def to_gray8(array: np.ndarray) -> np.ndarray:
    """Any decoded image (gray, gray+alpha, BGR, BGRA; 8/16-bit, float, bool) -> uint8 grayscale.

    Raises ImageError for what is not an image array (wrong shape, more than 4 channels, text).
    An array with no pixels comes back as an empty uint8 array.
    """
    try:
        array = np.asarray(array)
    except Exception:  # ragged nested lists and the like
        raise ImageError("not an image array") from None
    if not _usable(array):
        raise ImageError(f"not an image array (shape {array.shape}, type {array.dtype})")
    if array.size == 0:
        return np.zeros(array.shape[:2], np.uint8)
    if array.ndim == 3 and array.shape[2] in (2, 4):  # gray + alpha, or BGRA
        alpha = _to_uint8(array[:, :, -1])
        if alpha.min() < OPAQUE:  # real transparency: the opaque strokes are the glyph and border
            return np.array(alpha)
        array = array[:, :, :-1]
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim == 2:
        gray = _to_uint8(array)
        return gray if gray.flags.c_contiguous else np.ascontiguousarray(gray)
    return cv2.cvtColor(np.ascontiguousarray(_to_uint8(array)), cv2.COLOR_BGR2GRAY)


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def special_kind(mode: int) -> str:
    """What a file of this st_mode is in words ("" for a regular file)."""
    if stat.S_ISREG(mode):
        return ""
    return next((words for test, words in _KINDS if test(mode)), "not a regular file")


def special_file(path: str | Path, mode: int) -> str:
    """What `path` (of st_mode `mode`, after links) is when it is no file to read, naming a link's
    target: e.g. "a link to a character device (/dev/zero)"; "" for a regular file."""
    kind = special_kind(mode)
    if kind and Path(path).is_symlink():
        kind = f"a link to {kind} ({Path(os.path.realpath(path)).as_posix()})"
    return kind


def open_regular(path: str | Path, max_bytes: int, kind: str) -> BinaryIO:
    """Open a regular file for reading, after checking without opening it that it is one (not a
    FIFO, device, socket or folder, also behind a link) and holds at most `max_bytes`.
    Raises ImageError naming the file."""
    path = Path(path)
    name = path.as_posix()
    try:
        info = os.stat(path)
        special = special_file(path, info.st_mode)
        if special:
            raise ImageError(f"{name}: {special}, not a file; refused")
        if info.st_size > max_bytes:
            raise ImageError(
                f"{name}: {info.st_size / 1e6:.1f} MB is too large for {kind} (max {max_bytes // 2**20} MB)"
            )
        # O_NONBLOCK: a FIFO put in its place since the check must not hang the open
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise ImageError(f"{name}: cannot read ({exc.strerror or exc})") from None
    handle = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        handle.close()
        raise ImageError(f"{name}: not a regular file; refused")
    return handle


def read_limited(path: str | Path, max_bytes: int, kind: str) -> bytes:
    """The bytes of a regular file no larger than `max_bytes` (checked before reading: see
    open_regular; never more than that is read); ImageError names the file on any problem."""
    with open_regular(path, max_bytes, kind) as handle:
        try:
            data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise ImageError(f"{Path(path).as_posix()}: cannot read ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise ImageError(f"{Path(path).as_posix()}: grew beyond {max_bytes // 2**20} MB while being read")
    return data


def read_image_file(path: str | Path) -> np.ndarray:
    """Read and decode a box image file; ImageError names the file on any problem."""
    return decode_image(read_limited(path, MAX_BYTES, "a box image"), Path(path).as_posix())


def encode_png(image: np.ndarray) -> bytes:
    """PNG bytes of an image (for downloads, thumbnails and sample files)."""
    ok, buf = cv2.imencode(".png", image)
    if not ok:
        raise ImageError("could not encode PNG")
    return buf.tobytes()


def limit_size(image: np.ndarray, longest: int) -> np.ndarray:
    """Area-downscale (never enlarge) so that the longer side is at most `longest` pixels."""
    if image.size == 0:
        return image
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
