"""The committed model: size, metadata, and the accuracy bar on the EVALUATION.md test split."""

import json
from pathlib import Path

import numpy as np

from vinocr.alphabet import VIN_ALPHABET
from vinocr.train.metrics import summarize

MODELS = Path(__file__).resolve().parents[2] / "models"
BAR_ACCURACY, BAR_MACRO_RECALL = 0.976, 0.971  # the committed model's test figures, rounded down


def test_committed_files_and_size():
    assert sum(p.stat().st_size for p in MODELS.iterdir()) <= 10 * 1024 * 1024  # all model files
    metrics = json.loads((MODELS / "metrics.json").read_text())
    int8 = metrics["int8_validation_loss"]
    if int8["shipped"] == "int8":
        assert (MODELS / "vinocr.onnx").stat().st_size < (MODELS / "vinocr.keras").stat().st_size / 2
    else:  # float32 ships only when the int8 graph lost too much on validation
        assert int8["loss"] > 0.001 and metrics["quantization"] is None
        assert (MODELS / "vinocr.onnx").stat().st_size > (MODELS / "vinocr.keras").stat().st_size / 2
    history = json.loads((MODELS / "history.json").read_text())
    assert history and {"loss", "accuracy", "val_loss", "val_accuracy", "learning_rate", "seconds"} <= set(
        history[0]
    )
    assert metrics["split_sizes"] == {"pool": 157046, "train": 125912, "validation": 15665, "test": 15469}
    assert len(metrics["test"]["confusion_matrix"]) == 33 and set(metrics["test"]["per_class_recall"]) == set(
        VIN_ALPHABET
    )


def test_model_meets_the_accuracy_bar_on_the_test_split(vin_split, recognizer):
    probs = recognizer.predict_inputs(vin_split.x_test.astype(np.float32))
    result = summarize(vin_split.y_test, probs.argmax(1))
    assert result["n"] == 15469
    assert result["accuracy"] >= BAR_ACCURACY and result["macro_recall"] >= BAR_MACRO_RECALL, (
        result["accuracy"],
        result["macro_recall"],
    )
    stored = json.loads((MODELS / "metrics.json").read_text())["test"]
    assert abs(stored["accuracy"] - result["accuracy"]) < 1e-3  # metrics.json describes this model


def test_onnx_export_matches_the_keras_model(vin_split, recognizer):
    """The shipped ONNX graph is the Keras model exported (as int8 or float32, metrics.json says which):
    the same argmax on all but a few images, probabilities within a few hundredths."""
    import keras

    model = keras.models.load_model(MODELS / "vinocr.keras", compile=False)
    x = vin_split.x_test[:3000].astype(np.float32)
    keras_probs = model.predict(x[..., None], batch_size=1000, verbose=0)
    keras_probs = recognizer.calibration.apply(keras_probs)  # the recognizer applies calibration.json
    onnx_probs = recognizer.predict_inputs(x)
    assert np.abs(keras_probs - onnx_probs).max() < 0.15
    assert np.mean(np.abs(keras_probs - onnx_probs).max(1)) < 0.005
    assert np.mean(keras_probs.argmax(1) == onnx_probs.argmax(1)) >= 0.997
