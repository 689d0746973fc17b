"""ui.tables: box and batch tables, CSV, gallery order, metrics frames."""

from __future__ import annotations

import pandas as pd

from ui import figures, tables
from vinocr.alphabet import VIN_ALPHABET
from vinocr.box.recognizer import BoxResult
from vinocr.synth.samples import sample_boxes


def test_tables_and_csv(recognizer):
    boxes = sample_boxes()[:3]
    results = recognizer.recognize_arrays([img for _, img in boxes], [n for n, _ in boxes])
    results.append(BoxResult("bad.png", "error", message="bad.png: not a readable image"))
    table = tables.batch_table(results, [figures.thumbnail_uri(figures.first_image(r)) for r in results])
    assert list(table.columns[:3]) == ["image", "ascii", "file"]
    assert table["ascii"].iloc[0] == ord(results[0].char) and pd.isna(table["ascii"].iloc[3])
    csv = tables.csv_bytes(table).decode()
    assert csv.splitlines()[0].startswith("ascii,file,char,status,confidence")
    assert "data:image" not in csv and "bad.png: not a readable image" in csv
    boxes = tables.box_table(results, "1M8?", {1: "M"}, [1])
    assert list(boxes["vin char"]) == list("1M8?") and boxes.loc[1, "corrected"] == "M"
    assert bool(boxes.loc[0, "changed by rules"]) and pd.isna(boxes.loc[3, "ascii"])


def test_gallery_order_puts_empty_and_unsure_first():
    results = [
        BoxResult("a", "ok", "A", 0.99),
        BoxResult("b", "ok", "B", 0.41),
        BoxResult("c", "error", message="c: bad"),
        BoxResult("d", "empty"),
    ]
    assert tables.gallery_order(results) == [3, 1, 0]


def test_metrics_helpers(tmp_path, fake_training_files):
    fake_training_files(tmp_path)
    history = tables.load_json(tmp_path / "history.json")
    frame = tables.history_frame(history)
    assert set(frame["metric"]) == {"loss", "accuracy", "macro recall"} and len(frame) == 4 * 5
    history[-1]["val_box_accuracy"] = 0.97  # logged by the box-path fine-tuning stage
    frame = tables.history_frame(history)
    assert frame[frame["metric"] == "box accuracy"]["value"].tolist() == [0.97]
    metrics = tables.load_json(tmp_path / "metrics.json")
    assert tables.load_json(tmp_path / "missing.json") is None
    conf = tables.confusion_frame(metrics["test"]["confusion_matrix"], hide_diagonal=True)
    assert len(conf) == 33 * 33 and conf["count"].max() == 9
    recall = tables.per_class_frame(metrics["test"])
    assert list(recall["character"]) == list(VIN_ALPHABET)
    card = dict(tables.model_card(metrics))
    assert card["Model file"] == "vinocr.keras, 2.0 MB" and card["Training time (all networks)"] == "4.0 min"
    assert card["Best validation epoch"].startswith("4 (accuracy 0.9500")
    assert (
        card["Class-prior correction"].startswith("alpha 0.3")
        and card["Inference file"] == "vinocr.onnx, 1.9 MB"
    )


def test_model_comparison_and_ablation_frames():
    metrics = {
        "test": {"accuracy": 0.981, "macro_recall": 0.979},
        "validation": {"accuracy": 0.982, "macro_recall": 0.98},
        "parameters": {"epochs": 14, "trainable_params": 1_163_010},
        "ensemble": {"members": ["epoch-06.keras", "epoch-14.keras"], "passes": 4},
        "onnx_bytes": 4_600_000,
        "training_seconds": 3600,
        "previous_model": {
            "test_accuracy": 0.9758,
            "test_macro_recall": 0.9731,
            "parameters": {"epochs": 12},
        },
        "ablation_validation": [
            {
                "step": "best epoch",
                "val_accuracy": 0.979,
                "val_macro_recall": 0.976,
                "shifts": "none",
                "alpha": 0,
            },
            {
                "step": "+ ensemble",
                "val_accuracy": 0.982,
                "val_macro_recall": 0.98,
                "shifts": "x2",
                "alpha": 0.3,
            },
        ],
    }
    comparison = tables.model_comparison_frame(metrics).set_index("")
    assert comparison.loc["test accuracy"].tolist() == ["97.58%", "98.10%"]
    assert comparison.loc["networks x input shifts", "this model"] == "2 x 2"
    assert comparison.loc["epochs"].tolist() == ["12", "14"]
    ablation = tables.ablation_frame(metrics)
    assert ablation["step"].tolist() == ["best epoch", "+ ensemble"]
    assert ablation["validation macro recall"].tolist() == [0.976, 0.98]
    assert "validation boxes (box path)" not in ablation  # no stage 2: no empty column
    metrics["ablation_validation"][1]["val_box_accuracy"] = 0.975
    assert tables.ablation_frame(metrics)["validation boxes (box path)"].tolist()[1] == 0.975
    assert tables.model_comparison_frame({"test": {}}).empty


def test_independent_networks_and_int8_graph_in_the_model_card():
    metrics = {
        "test": {"accuracy": 0.978},
        "parameters": {"members": 3, "trained_on": "a GPU machine"},
        "quantization": {"onnx": "static int8"},
        "ensemble": {"members": ["member-2/box-epoch-03.keras"], "passes": 1},
        "previous_model": {"test_accuracy": 0.976, "parameters": {}},
        "members_trained": [
            {"member": k, "seed": 3779 + 1000 * k, "epochs": 17, "val_accuracy": 0.978 + k / 1000}
            for k in range(3)
        ],
    }
    comparison = tables.model_comparison_frame(metrics).set_index("")
    assert comparison.loc["networks trained (independent seeds)"].tolist() == ["1", "3"]
    assert comparison.loc["ONNX graph"].tolist() == ["float32", "int8"]
    assert comparison.loc["trained on"].tolist() == ["this machine", "a GPU machine"]
    members = tables.members_frame(metrics)
    assert members["in the shipped model"].tolist() == [False, False, True]
    assert members["seed"].tolist() == [3779, 4779, 5779]
    metrics["ensemble"]["members"] = ["box-epoch-03.keras", "member-1/box-epoch-02.keras"]
    assert tables.members_frame(metrics)["in the shipped model"].tolist() == [True, True, False]
    assert tables.members_frame({}).empty
