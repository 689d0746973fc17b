"""Static int8 quantization of the ONNX inference graph written by `export.export_onnx`.

The result is a QDQ graph (per-channel int8 weights on a 7-bit range, uint8 activations whose ranges
come from calibration images) with the same input ((N, 28, 28, 1) float 0..255) and the same output (softmax
probabilities), so the recognizer loads it unchanged. The softmax and the logits layer feeding it
stay in float: 8-bit probabilities (steps of 1/256) would blur the confidences that the temperature
and the VIN accept threshold read (quantizing them too, MinMax on 2,048 arrays: 0.9979 of the
validation inputs kept their fp32 argmax instead of 0.9994). calibration.json records the sha256 of
the file it was fitted on, so an int8 model file needs its own `python -m vinocr.train.calibrate`
run (T = 1 until then).

    images = calibration_sample([split.x_train, box_train_inputs], CALIBRATION_COUNT)
    quantize_onnx(Path("models/vinocr.onnx"), Path("vinocr-int8.onnx"), images)

Settings chosen on the validation split (issue 11): see `quantize_onnx`.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Literal

import numpy as np

CALIBRATION_COUNT = 2048  # images: half EMNIST arrays, half box-path inputs (calibration_sample)
CALIBRATION_BATCH = 64  # images per calibration run
FLOAT_OUTPUT_OPS = ("Softmax",)  # these nodes, and the node that feeds each, are left in float


def calibration_sample(sources: Sequence[np.ndarray], count: int, seed: int = 0) -> np.ndarray:
    """`count` (28, 28) images drawn without replacement, an equal share from each of `sources`
    (e.g. the training arrays and the cached training box inputs); the same arguments, the same sample."""
    rng = np.random.default_rng(seed)
    shares = np.diff(np.linspace(0, count, len(sources) + 1).round().astype(int))
    picks = [images[np.sort(rng.permutation(len(images))[:share])] for images, share in zip(sources, shares)]
    return np.concatenate(picks)


def model_inputs(images: np.ndarray) -> np.ndarray:
    """(N, 28, 28) uint8 or float 0..255 images -> the graph's (N, 28, 28, 1) float32 input."""
    images = np.asarray(images)
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(f"calibration images must have shape (N, 28, 28), got {images.shape}")
    return images.astype(np.float32).reshape(-1, 28, 28, 1)


class _Batches:
    """onnxruntime CalibrationDataReader: fixed-size batches of inputs (the last may be shorter)."""

    def __init__(self, input_name: str, inputs: np.ndarray, batch: int) -> None:
        chunks = np.split(inputs, range(batch, len(inputs), batch))
        self._batches: Iterator[dict[str, np.ndarray]] = iter({input_name: chunk} for chunk in chunks)

    def get_next(self) -> dict[str, np.ndarray] | None:
        return next(self._batches, None)

    def __iter__(self) -> Iterator[dict[str, np.ndarray]]:
        return self._batches


def float_nodes(model) -> list[str]:
    """Names of the nodes left in float: each FLOAT_OUTPUT_OPS node and the node producing its input."""
    producer = {out: node.name for node in model.graph.node for out in node.output}
    names = []
    for node in model.graph.node:
        if node.op_type in FLOAT_OUTPUT_OPS:
            names += [producer[name] for name in node.input if name in producer] + [node.name]
    return names


def quantize_onnx(
    src: Path,
    dst: Path,
    calibration: np.ndarray,
    method: Literal["MinMax", "Entropy", "Percentile"] = "Percentile",
    activations: Literal["uint8", "int8"] = "uint8",
) -> None:
    """Write to `dst` a static int8 QDQ version of the fp32 ONNX graph `src`, activation ranges
    calibrated on `calibration` ((N, 28, 28) images, 0..255) in batches of CALIBRATION_BATCH.

    Deterministic: the same inputs give a byte-identical file. Chosen on the validation split
    (15,665 arrays + 15,662 box inputs, 2,048 calibration images): every setting tried stayed within
    a few images of fp32 accuracy; Percentile (99.999) changed the fewest argmaxes (17-19 vs MinMax
    19-29) and probabilities the least (max 0.043-0.045 vs 0.045-0.066); uint8 and int8 activations
    give identical outputs (ranges after ReLU start at 0); onnxruntime's Entropy defaults (128 bins)
    give the very file MinMax gives.

    Weights use 7 of the 8 bits (`reduce_range`): on x86 CPUs without VNNI (AVX2 only, e.g. AMD EPYC
    before Zen 4) onnxruntime multiplies uint8 by int8 with VPMADDUBSW, which saturates the sum of
    two products at 32,767; with full-range weights the committed graph read the test split 0.9744
    there against 0.9766 on a VNNI CPU (argmax agreement with float32 0.9934). 255 x 64 x 2 fits, so
    every CPU computes the same exact integers; it cost 0.0001 of validation accuracy on the arrays
    (0.00045 against float32 on the box inputs, within export's int8 rule).
    """
    import onnx
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    inputs = model_inputs(calibration)
    if len(inputs) == 0:
        raise ValueError("no calibration images")
    activation_type = {"uint8": QuantType.QUInt8, "int8": QuantType.QInt8}[activations]
    quiet = contextlib.redirect_stdout(io.StringIO())  # the calibrators print their progress
    with tempfile.TemporaryDirectory(prefix="vinocr-quant-") as work, quiet:
        prepared = Path(work) / "prepared.onnx"
        quant_pre_process(str(src), str(prepared), skip_symbolic_shape=True)
        model = onnx.load(str(prepared))
        quantize_static(
            str(prepared),
            str(dst),
            _Batches(model.graph.input[0].name, inputs, CALIBRATION_BATCH),
            quant_format=QuantFormat.QDQ,
            activation_type=activation_type,
            weight_type=QuantType.QInt8,
            per_channel=True,
            reduce_range=True,  # no saturation of VPMADDUBSW on CPUs without VNNI (docstring)
            calibrate_method=CalibrationMethod[method],
            nodes_to_exclude=float_nodes(model),
        )
