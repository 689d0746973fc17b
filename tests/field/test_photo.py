"""Whole-field photos: up to 50 MP accepted from the header, reduced decode, EXIF orientation, and a
phone photo read from its JPEG bytes to the VIN (the library path and the CLI)."""

import cv2
import numpy as np
import pytest

from vinocr.box.image_io import ImageError, decode_image
from vinocr.field.photo import MAX_PIXELS, WORK_SIDE, decode_photo, read_photo_file
from vinocr.synth.photos import LARGE_FRAME, encode_jpeg
from vinocr.synth.samples import SAMPLE_VIN, sample_photo
from vinocr.vin.cli import main
from vinocr.vin.reader import read_field


def _marked(width: int = 400, height: int = 300) -> np.ndarray:
    """An upright BGR picture with a dark block in its top-left corner (so a turn shows)."""
    image = np.full((height, width, 3), 230, np.uint8)
    image[20:80, 20:120] = 20
    return image


def test_a_12_megapixel_photo_is_decoded_once_at_working_size():
    photo = decode_photo(sample_photo(), "phone.jpg")
    assert photo.original == LARGE_FRAME
    assert photo.gray.shape == (1512, 2016) and photo.gray.dtype == np.uint8  # the JPEG's 1/2 scale
    assert photo.scale == pytest.approx(0.5)
    assert max(photo.gray.shape) <= WORK_SIDE


def test_a_12_megapixel_photo_reads_as_its_vin(recognizer):
    reading = read_field(recognizer, decode_photo(sample_photo(), "phone.jpg").gray, "prefer", "phone.jpg")
    assert reading.segmentation.ok and reading.segmentation.homography is not None
    assert reading.vin == SAMPLE_VIN


def test_a_photo_is_still_too_large_for_a_box():
    with pytest.raises(ImageError, match="too large for a box image"):
        decode_image(sample_photo(), "phone.jpg")


def test_a_60_megapixel_image_is_refused_from_its_header(blank_png):
    data = blank_png(8944, 6708)  # 60.0 MP
    message = "huge.png: 8944x6708 px (60 MP) is too large for a photo (max 50 MP)"
    with pytest.raises(ImageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        decode_photo(data, "huge.png")
    # the header alone is enough: with its pixel data cut off, the answer is the same
    with pytest.raises(ImageError, match="too large for a photo"):
        decode_photo(data[:200], "huge.png")
    assert 8944 * 6708 > MAX_PIXELS >= 8160 * 6120  # a 50 MP phone photo still passes


def test_a_50_megapixel_png_is_accepted(blank_png):
    photo = decode_photo(blank_png(8160, 6120), "big.png")
    assert max(photo.gray.shape) == WORK_SIDE and photo.original == (8160, 6120)


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_a_photo_stored_sideways_with_an_exif_tag_reads_upright(orientation):
    upright = _marked()
    photo = decode_photo(encode_jpeg(upright, 92, orientation), "sideways.jpg")
    assert photo.gray.shape == upright.shape[:2] and photo.original == (400, 300)
    assert photo.gray[30:70, 30:110].mean() < 60  # the dark block is back in the top-left corner
    assert photo.gray[-70:-30, -110:-30].mean() > 200


def test_a_sideways_phone_photo_reads_as_its_vin(recognizer):
    upright = cv2.imdecode(np.frombuffer(sample_photo(), np.uint8), cv2.IMREAD_REDUCED_COLOR_2)
    data = encode_jpeg(upright, 90, orientation=6)
    reading = read_field(recognizer, decode_photo(data, "sideways.jpg").gray, "prefer", "sideways.jpg")
    assert reading.vin == SAMPLE_VIN


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "the file is empty"),
        (b"not an image", "not a readable image"),
        (b"\xff\xd8\xff\xe0garbage", "not a readable image"),  # a JPEG start, then nothing usable
    ],
)
def test_bad_bytes_are_named(data, problem):
    with pytest.raises(ImageError, match=f"^field.jpg: {problem}"):
        decode_photo(data, "field.jpg")


def test_a_truncated_photo_is_an_error_not_half_a_picture():
    data = sample_photo()
    with pytest.raises(ImageError, match="phone.jpg: the image data is corrupt or truncated"):
        decode_photo(data[: len(data) // 2], "phone.jpg")


def test_the_cli_reads_a_phone_photo(tmp_path, capsys):
    path = tmp_path / "phone.jpg"
    path.write_bytes(sample_photo())
    assert read_photo_file(path).original == LARGE_FRAME
    assert main([str(path)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == SAMPLE_VIN
