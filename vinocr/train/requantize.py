"""Export a trained model's ONNX graph again with today's quantization settings; no training.

    python -m vinocr.train.requantize --emnist-dir DIR [--model-dir models] [--work-dir DIR]

From the folder's `vinocr.keras` (the inference model a training run chose) it does what the end of
`python -m vinocr.train` does (`export.ship_onnx`): the static int8 graph from the same calibration
images, the int8-or-float32 rule on the validation arrays and the validation glyphs through the box
path (rendered with the run's seed, as its last stage did), the test split once. It rewrites
`vinocr.onnx` and metrics.json's entries on the graph: test, validation, quantization,
int8_validation_loss, onnx_bytes and the shipped row of the validation ablation. calibration.json
names the graph it was fitted on: run `python -m vinocr.train.calibrate` afterwards.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np

from vinocr.model_files import KERAS_FILE, METRICS_FILE, ONNX_FILE, model_dir_from_env
from vinocr.train.data import resolve_emnist_dir


def updated_metrics(
    metrics: dict, graph: dict, validation: dict, test: dict, onnx_bytes: int, row: dict
) -> dict:
    """metrics.json with the shipped graph's entries replaced (the ablation's last "ONNX graph" row too)."""
    ablation = [r for r in metrics.get("ablation_validation", []) if "ONNX graph" not in r.get("step", "")]
    return {
        **metrics,
        **graph,
        "test": test,
        "validation": validation,
        "onnx_bytes": onnx_bytes,
        "ablation_validation": [*ablation, row],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m vinocr.train.requantize", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--emnist-dir", help="EMNIST folder (default: $VINOCR_EMNIST_DIR)")
    parser.add_argument("--model-dir", type=Path, help="model folder (default: models/ or $VINOCR_MODEL_DIR)")
    parser.add_argument(
        "--work-dir", type=Path, help="where the validation box inputs are cached (default: a temp dir)"
    )
    args = parser.parse_args(argv)

    import keras

    from vinocr.train.box_styles import VALIDATION_FILE, VALIDATION_SEED_OFFSET, cached_inputs
    from vinocr.train.data import load_vin_split
    from vinocr.train.export import _row, graph_metrics, int8_ships, ship_onnx
    from vinocr.train.metrics import summarize

    folder = args.model_dir or model_dir_from_env()
    metrics = json.loads((folder / METRICS_FILE).read_text())
    split = load_vin_split(resolve_emnist_dir(args.emnist_dir))
    final = keras.models.load_model(folder / KERAS_FILE, compile=False)
    with tempfile.TemporaryDirectory(prefix="vinocr-requantize-") as tmp:
        work = args.work_dir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        seed = int(metrics["seed"]) + VALIDATION_SEED_OFFSET  # as the last stage rendered them
        x_box, y_box = cached_inputs(work / VALIDATION_FILE, split.x_val, split.y_val, seed)
    x_val = split.x_val[..., None].astype(np.float32)
    checks = [(x_val, split.y_val), (x_box[..., None].astype(np.float32), y_box)]
    graph, probs, int8_loss, agreement = ship_onnx(final, folder / ONNX_FILE, split, checks)
    val = summarize(split.y_val, probs[0].argmax(1))
    test = summarize(split.y_test, graph(split.x_test[..., None].astype(np.float32)).argmax(1))
    last = metrics["ablation_validation"][-1]
    kind = "int8" if int8_ships(int8_loss) else "float32"
    row = _row(
        f"+ {kind} ONNX graph (shipped)",
        last["members"],
        last["shifts"],
        last["alpha"],
        np.log(probs[0] + 1e-12),
        split.y_val,
        np.log(probs[1] + 1e-12),
        checks[1],
    )
    validation = {"accuracy": val["accuracy"], "macro_recall": val["macro_recall"]}
    onnx_bytes = (folder / ONNX_FILE).stat().st_size
    new = updated_metrics(metrics, graph_metrics(int8_loss, agreement), validation, test, onnx_bytes, row)
    (folder / METRICS_FILE).write_text(json.dumps(new, indent=1) + "\n")
    print(f"{kind} graph shipped (int8 loses {int8_loss:.5f}; argmax agreement with float32 {agreement:.4f})")
    print(
        f"validation {val['accuracy']:.4f} / {val['macro_recall']:.4f}, boxes {row.get('val_box_accuracy')}"
    )
    print(
        f"test accuracy {test['accuracy']:.4f}, macro recall {test['macro_recall']:.4f}",
        f"-> {folder / ONNX_FILE}",
    )
    print("now refit calibration.json: python -m vinocr.train.calibrate --model-dir", folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
