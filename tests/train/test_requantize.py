"""vinocr.train.requantize: metrics.json keeps everything but the shipped graph's entries."""

from __future__ import annotations

from vinocr.train.requantize import updated_metrics


def test_only_the_graph_entries_and_the_shipped_row_change():
    rows = [
        {"step": "last epoch alone", "val_accuracy": 0.97},
        {"step": "+ int8 ONNX graph (shipped)", "val_accuracy": 0.96},
    ]
    metrics = {
        "seed": 5,
        "test": {"accuracy": 0.1},
        "ablation_validation": rows,
        "onnx_bytes": 1,
        "real_handwriting": {"x": 1},
    }
    graph = {"quantization": {"onnx": "7-bit"}, "int8_validation_loss": {"loss": 0.0004}}
    row = {"step": "+ float32 ONNX graph (shipped)", "val_accuracy": 0.975}
    new = updated_metrics(metrics, graph, {"accuracy": 0.975}, {"accuracy": 0.976}, 99, row)
    assert new["seed"] == 5 and new["real_handwriting"] == {"x": 1}
    assert new["test"] == {"accuracy": 0.976} and new["validation"] == {"accuracy": 0.975}
    assert new["onnx_bytes"] == 99 and new["quantization"] == {"onnx": "7-bit"}
    assert new["ablation_validation"] == [rows[0], row]  # the old shipped row replaced, not kept
    assert metrics["ablation_validation"] == rows  # the input is not changed
