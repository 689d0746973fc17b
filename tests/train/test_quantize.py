"""vinocr.train.quantize: the int8 QDQ graph of the committed Keras model agrees with its float32 ONNX
export, is smaller, is the same file each time, and loads in the recognizer unchanged; its weights,
and the committed graph's, stay within 7 bits, so no CPU's int8 kernels saturate on them."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from vinocr.box.recognizer import Recognizer
from vinocr.model_files import ALPHABET_FILE, KERAS_FILE, ONNX_FILE
from vinocr.train.quantize import calibration_sample, model_inputs, quantize_onnx

MODELS = Path(__file__).resolve().parents[2] / "models"


@pytest.fixture(scope="module")
def float_graph(tmp_path_factory) -> Path:
    """The committed Keras model exported to a float32 ONNX graph (what the export quantizes)."""
    import keras

    from vinocr.train.export import export_onnx

    path = tmp_path_factory.mktemp("float") / "float32.onnx"
    export_onnx(keras.models.load_model(MODELS / KERAS_FILE, compile=False), path)
    return path


SAFE_WEIGHT = 64  # |int8 weight| <= 64: 255 x 64 x 2 < 32,767, the sum VPMADDUBSW saturates at (AVX2)


def int8_weights(path: Path) -> list[np.ndarray]:
    """The int8 initializers of an ONNX graph (the quantized weights of a QDQ graph)."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(path)).graph
    return [numpy_helper.to_array(t) for t in graph.initializer if t.data_type == onnx.TensorProto.INT8]


def largest_weight(path: Path) -> int:
    """The largest |int8 weight| of an ONNX graph."""
    return max(int(np.abs(w.astype(np.int16)).max()) for w in int8_weights(path))


def test_committed_graph_weights_cannot_saturate_avx2_kernels():
    assert len(int8_weights(MODELS / ONNX_FILE)) >= 6  # five convolutions and a dense layer, at least
    assert largest_weight(MODELS / ONNX_FILE) <= SAFE_WEIGHT


def test_int8_graph_agrees_with_fp32_is_smaller_and_reproducible(vin_split, float_graph, tmp_path):
    images = calibration_sample([vin_split.x_train], 256)
    first, second = tmp_path / "first.onnx", tmp_path / "second.onnx"
    quantize_onnx(float_graph, first, images)
    quantize_onnx(float_graph, second, images)
    assert first.read_bytes() == second.read_bytes()
    assert first.stat().st_size < float_graph.stat().st_size / 2
    assert largest_weight(first) == SAFE_WEIGHT
    float32 = tmp_path / "float32"
    float32.mkdir()
    shutil.copy(float_graph, float32 / ONNX_FILE)
    shutil.copy(MODELS / ALPHABET_FILE, float32 / ALPHABET_FILE)

    folder = tmp_path / "int8"
    folder.mkdir()
    shutil.copy(first, folder / ONNX_FILE)
    shutil.copy(MODELS / ALPHABET_FILE, folder / ALPHABET_FILE)
    int8 = Recognizer.load(folder, calibrated=False)  # the recognizer's own loading, unchanged
    x_val = vin_split.x_val[:2000]
    probs = int8.predict_inputs(x_val)
    assert probs.shape == (2000, 33)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)  # still probabilities
    reference = Recognizer.load(float32, calibrated=False).predict_inputs(x_val)
    agree = np.mean(probs.argmax(1) == reference.argmax(1))
    assert agree >= 0.998, agree  # full-range weights gave 0.9934 on an AVX2 CPU without VNNI


def test_calibration_sample_takes_equal_shares_and_repeats():
    a = np.zeros((50, 28, 28), np.uint8)
    b = np.full((40, 28, 28), 255, np.uint8)
    sample = calibration_sample([a, b], 21, seed=3)
    assert sample.shape == (21, 28, 28)
    assert sorted([int((sample[:, 0, 0] == 0).sum()), int((sample[:, 0, 0] == 255).sum())]) == [10, 11]
    np.testing.assert_array_equal(sample, calibration_sample([a, b], 21, seed=3))


def test_calibration_images_of_the_wrong_shape_are_refused(tmp_path):
    with pytest.raises(ValueError, match=r"\(N, 28, 28\)"):
        model_inputs(np.zeros((4, 32, 32)))
    with pytest.raises(ValueError, match="no calibration images"):
        quantize_onnx(MODELS / ONNX_FILE, tmp_path / "x.onnx", np.zeros((0, 28, 28)))  # refused first
