"""Property-based tests (hypothesis): whatever bytes are uploaded and whatever array reaches box
preprocessing, the only failure is the project's own ImageError, and a box with no ink is never read."""

from __future__ import annotations

import cv2
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from vinocr.box.image_io import ImageError, decode_image, encode_png
from vinocr.box.preprocess import Preprocessed, preprocess_box
from vinocr.synth.samples import sample_boxes

FUZZ = settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)  # no example database written into the working tree
DTYPES = [
    np.bool_,
    np.int8,
    np.int16,
    np.int32,
    np.int64,
    np.uint8,
    np.uint16,
    np.uint32,
    np.uint64,
    np.float16,
    np.float32,
    np.float64,
    np.complex64,
]


def _valid_files() -> list[bytes]:
    """Small real box files in every accepted format and depth, to be damaged by the fuzzer."""
    box = cv2.resize(sample_boxes()[1][1], (40, 40), interpolation=cv2.INTER_AREA)
    colour = cv2.cvtColor(box, cv2.COLOR_GRAY2BGR)
    rgba = np.dstack([colour, 255 - box])
    return [
        encode_png(box),
        encode_png(box.astype(np.uint16) * 257),
        encode_png(rgba),
        cv2.imencode(".jpg", colour, [cv2.IMWRITE_JPEG_QUALITY, 50])[1].tobytes(),
        cv2.imencode(".jpg", box, [cv2.IMWRITE_JPEG_PROGRESSIVE, 1])[1].tobytes(),
        cv2.imencode(".bmp", colour)[1].tobytes(),
    ]


VALID_FILES = _valid_files()


@st.composite
def damaged_files(draw) -> bytes:
    """A real box file with some bytes overwritten, inserted or cut off."""
    data = bytearray(draw(st.sampled_from(VALID_FILES)))
    for _ in range(draw(st.integers(0, 6))):
        position = draw(st.integers(0, len(data) - 1))
        data[position] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        position = draw(st.integers(0, len(data)))
        data[position:position] = draw(st.binary(min_size=1, max_size=16))
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


def _check_decoded(data: bytes) -> None:
    """Decoding gives a uint8 gray image or an ImageError naming the file; nothing else."""
    try:
        image = decode_image(data, "fuzz.png")
    except ImageError as exc:
        assert str(exc).startswith("fuzz.png: ")
        return
    assert image.dtype == np.uint8 and image.ndim == 2 and image.size > 0
    assert isinstance(preprocess_box(image), Preprocessed)


@FUZZ
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_decode_or_raise_image_error(data):
    _check_decoded(data)


@FUZZ
@given(
    st.sampled_from([b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"BM"]).flatmap(
        lambda magic: st.binary(max_size=512).map(lambda rest: magic + rest)
    )
)
def test_bytes_with_a_real_signature_decode_or_raise_image_error(data):
    _check_decoded(data)


@FUZZ
@given(damaged_files())
def test_damaged_real_files_decode_or_raise_image_error(data):
    _check_decoded(data)


@st.composite
def small_arrays(draw, constant: bool = False) -> np.ndarray:
    """Arrays of every dtype and channel count (0-40 px a side, 1-5 channels or none, 1-D and 4-D)."""
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    ndim = draw(st.sampled_from([2, 2, 3, 3, 1, 4]))
    sides = [draw(st.integers(0 if not constant else 1, 40)) for _ in range(min(ndim, 2))]
    shape = tuple(sides) + ((draw(st.integers(1, 5)),) if ndim >= 3 else ()) + ((2,) if ndim == 4 else ())
    if constant:
        value = draw(hnp.from_dtype(dtype, allow_nan=True, allow_infinity=True))
        return np.full(shape, value, dtype)
    return draw(hnp.arrays(dtype, shape, elements=hnp.from_dtype(dtype, allow_nan=True, allow_infinity=True)))


@FUZZ
@given(small_arrays())
def test_any_small_array_preprocesses_or_raises_image_error(array):
    try:
        prep = preprocess_box(array)
    except ImageError:
        return
    assert prep.empty == (prep.input28 is None)
    if prep.input28 is not None:
        assert prep.input28.shape == (28, 28) and np.isfinite(prep.input28).all()


@FUZZ
@given(small_arrays(constant=True))
def test_an_image_with_no_ink_is_never_read(array):
    try:
        prep = preprocess_box(array)
    except ImageError:
        return
    assert prep.input28 is None and prep.empty, (array.shape, array.dtype, array.flat[0])


def test_a_blank_upload_in_any_format_is_empty_not_read(recognizer):
    blank = np.full((60, 60), 200, np.uint8)
    files = [
        ("blank.png", encode_png(blank)),
        ("blank.jpg", cv2.imencode(".jpg", blank)[1].tobytes()),
        ("blank16.png", encode_png(blank.astype(np.uint16) * 257)),
        ("clear.png", encode_png(np.zeros((60, 60, 4), np.uint8))),
    ]
    assert [r.status for r in recognizer.recognize_bytes(files)] == ["empty"] * 4
