"""vinocr.box.image_io: EXIF orientation, silent and named errors, bounded memory for hostile files."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageOps

from vinocr.box.image_io import (
    MAX_DECODED_BYTES,
    ImageError,
    apply_orientation,
    decode_image,
    decoded_bytes,
    exif_orientation,
    to_gray8,
)
from vinocr.synth.samples import SAMPLE_VIN, sample_boxes

ROOT = Path(__file__).resolve().parents[2]
ORIENTATION = 0x0112
PEAK_MEMORY_MB = 200  # what one hostile upload may cost at most


def _encoded(image: np.ndarray, fmt: str, orientation: int | None = None, **options) -> bytes:
    """Pillow-encoded bytes, with an EXIF orientation tag when given."""
    buf = io.BytesIO()
    if orientation is not None:
        exif = Image.Exif()
        exif[ORIENTATION] = orientation
        options["exif"] = exif.tobytes()
    Image.fromarray(image).save(buf, fmt, **options)
    return buf.getvalue()


def _stored_sideways(upright: np.ndarray, orientation: int) -> np.ndarray:
    """How a camera stores an upright picture when it writes this orientation tag."""
    turns = {1: 0, 3: 2, 6: 1, 8: -1}[orientation]  # np.rot90 turns anticlockwise
    return np.ascontiguousarray(np.rot90(upright, turns))


@pytest.mark.parametrize("orientation", range(1, 9))
def test_orientation_matches_pillow_exif_transpose(orientation):
    rng = np.random.default_rng(orientation)
    stored = rng.integers(0, 256, (5, 8), dtype=np.uint8)  # not square: a turn changes the shape
    data = _encoded(stored, "PNG", orientation)
    expected = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))))
    assert exif_orientation(data) == orientation
    np.testing.assert_array_equal(decode_image(data, "o.png"), expected)
    colour = rng.integers(0, 256, (5, 8, 3), dtype=np.uint8)
    assert apply_orientation(colour, orientation)[..., 1].tolist() == (
        apply_orientation(colour[..., 1], orientation).tolist()
    )


def test_orientation_tag_absent_damaged_or_out_of_range():
    plain = _encoded(np.zeros((4, 6), np.uint8), "JPEG")
    assert exif_orientation(plain) == 1
    assert exif_orientation(b"not an image at all") == 1
    assert exif_orientation(_encoded(np.zeros((4, 6), np.uint8), "JPEG", 9)) == 1
    image = np.arange(6, dtype=np.uint8).reshape(2, 3)
    assert apply_orientation(image, 1) is image and apply_orientation(image, 42) is image


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_a_sideways_phone_box_is_read_upright(orientation, recognizer):
    upright = sample_boxes()[1][1]  # the sample VIN's second character, an M
    assert SAMPLE_VIN[1] == "M"
    data = _encoded(_stored_sideways(upright, orientation), "JPEG", orientation, quality=92)
    decoded = decode_image(data, "phone.jpg")
    assert decoded.shape == upright.shape
    assert np.abs(decoded.astype(int) - upright).mean() < 3  # only JPEG noise left
    [result] = recognizer.recognize_bytes([("phone.jpg", data)])
    assert result.char == "M", (result.char, result.top)


def test_truncated_and_corrupt_files_are_errors_and_print_nothing(capfd):
    box = sample_boxes()[0][1]
    jpeg = _encoded(box, "JPEG")
    png = cv2.imencode(".png", box)[1].tobytes()
    bad_crc = bytearray(png)
    bad_crc[png.index(b"IDAT") + 12] ^= 0xFF
    bmp = cv2.imencode(".bmp", box)[1].tobytes()
    for name, data in {
        "cut.jpg": jpeg[: len(jpeg) * 2 // 3],
        "cut.png": png[: len(png) // 2],
        "crc.png": bytes(bad_crc),
        "cut.bmp": bmp[: len(bmp) // 2],
    }.items():
        with pytest.raises(ImageError, match=f"{name}: the image data is corrupt or truncated"):
            decode_image(data, name)
    assert capfd.readouterr().err == ""  # no libjpeg/libpng/OpenCV lines without a file name


def test_other_formats_are_refused_even_with_a_box_name():
    gray = np.zeros((20, 20), np.uint8)
    for fmt in ("GIF", "TIFF", "WEBP"):
        with pytest.raises(ImageError, match="x.png: not a readable image"):
            decode_image(_encoded(gray, fmt), "x.png")


def test_decoded_size_is_known_before_decoding(blank_png):
    sixteen_bit_rgba = cv2.imencode(".png", np.zeros((40, 30, 4), np.uint16))[1].tobytes()
    with Image.open(io.BytesIO(sixteen_bit_rgba)) as img:
        assert decoded_bytes(img) == 40 * 30 * 4  # Pillow reads 16-bit colour as 8-bit
    with Image.open(io.BytesIO(blank_png(4000, 4000))) as img:
        assert decoded_bytes(img) <= MAX_DECODED_BYTES


@pytest.mark.parametrize("alpha", [0, 65535])
def test_a_small_16_bit_rgba_file_of_4000x4000_px_costs_under_200_mb(tmp_path, alpha):
    """The hostile file of the issue: 140 KB on disk, 128 MB as 16-bit RGBA, 1.25 GB before the fix."""
    pixels = np.zeros((4000, 4000, 4), np.uint16)
    pixels[..., 3] = alpha  # see-through (read from alpha) or opaque (read from colour)
    pixels[1000:3000, 1900:2100, :3] = 40000
    path = tmp_path / "bomb.png"
    path.write_bytes(cv2.imencode(".png", pixels)[1].tobytes())
    del pixels
    assert path.stat().st_size < 1_000_000
    script = (
        "import resource, sys\n"
        "from vinocr.box.image_io import read_image_file\n"
        "from vinocr.box.preprocess import preprocess_box\n"
        "from pathlib import Path\n"
        "path = Path(sys.argv[1]); path.read_bytes()\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "preprocess_box(read_image_file(path))\n"
        "print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert float(run.stdout) < PEAK_MEMORY_MB, f"peak grew by {run.stdout.strip()} MB"


def test_to_gray8_keeps_depth_alpha_and_polarity():
    ramp = np.arange(0, 65536, 257, dtype=np.uint16).reshape(16, 16)
    np.testing.assert_array_equal(to_gray8(ramp), np.arange(256, dtype=np.uint8).reshape(16, 16))
    bgra = np.zeros((4, 4, 4), np.uint8)
    bgra[1:3, 1:3, 3] = 255  # opaque ink on a see-through background
    np.testing.assert_array_equal(to_gray8(bgra), bgra[..., 3])
    assert to_gray8(np.ones((3, 3), bool)).tolist() == [[255] * 3] * 3
    assert to_gray8(np.full((2, 2), np.nan)).tolist() == [[0, 0], [0, 0]]
    assert to_gray8(np.zeros((0, 5))).shape == (0, 5)
    for bad in (np.zeros((3, 3, 5)), np.zeros(7), np.array("text"), np.zeros((2, 2), complex)):
        with pytest.raises(ImageError, match="not an image array"):
            to_gray8(bad)
