"""Other people's handwriting: the model folder's recognizer on a folder of real labelled characters
(realdev: never trained on), per source, the misread images, and VINs spelled with each source that
holds all 33 characters, read with the folder's calibration (accepted, and wrong among the accepted).

python -m bench.eval_real --realdev-dir ../shared/data/realdev [--model-dir models] [--write-metrics]

`--write-metrics` stores the result in the model folder's metrics.json ("real_handwriting"), which the
Metrics page shows. What it does not cover: 180 characters from two sources (one writer's print, a few
people's digits) are a small sample of the world's hands; the VINs reuse those 180 images, so their
figures are correlated and say more about these writers than about VINs in general.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from vinocr.box.recognizer import Recognizer
from vinocr.calibration import load_calibration
from vinocr.model_files import METRICS_FILE, model_dir_from_env
from vinocr.train.calibrate import REAL_VINS, real_writers_report
from vinocr.train.realdev import evaluate, named_realdev_dir


def real_handwriting(folder: Path, realdev: Path, vins: int = REAL_VINS) -> dict:
    """The "real_handwriting" entry of metrics.json for the model in `folder`."""
    result = evaluate(Recognizer.load(folder), realdev)
    raw = Recognizer.load(folder, calibrated=False)
    calibration = load_calibration(folder, Path(raw.source))
    by_source = real_writers_report(raw, realdev, calibration.temperature, calibration.accept_threshold, vins)
    if by_source:
        first = next(iter(by_source.values()))
        result["vins"] = {
            "count": sum(s["vins"] for s in by_source.values()),
            "exact": sum(round(s["exact_vin"] * s["vins"]) for s in by_source.values()),
            "accepted": sum(s["accepted"] for s in by_source.values()),
            "accepted_wrong": sum(s["wrong_accepted"] for s in by_source.values()),
            "sources": sorted(by_source),
            "threshold": first["threshold"],
        }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.eval_real", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--realdev-dir", help="folder with labels.csv and images/ (default: $VINOCR_REALDEV_DIR)"
    )
    parser.add_argument("--model-dir", type=Path, help="model folder (default: models/ or $VINOCR_MODEL_DIR)")
    parser.add_argument("--vins", type=int, default=REAL_VINS, help="VINs spelled per full source (0: none)")
    parser.add_argument("--write-metrics", action="store_true", help="store the result in metrics.json")
    args = parser.parse_args(argv)
    try:
        realdev = named_realdev_dir(args.realdev_dir)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if realdev is None:
        print("error: no realdev folder (pass --realdev-dir or set VINOCR_REALDEV_DIR)", file=sys.stderr)
        return 2
    folder = args.model_dir or model_dir_from_env()
    result = real_handwriting(folder, realdev, args.vins)
    print("| source | images | right | accuracy |\n|---|---|---|---|")
    for row in result["sources"]:
        print(f"| {row['source']} | {row['images']} | {row['right']} | {row['right'] / row['images']:.3f} |")
    print(f"| **all** | {result['images']} | {result['right']} | {result['right'] / result['images']:.3f} |")
    print(
        "\nmisread:",
        ", ".join(
            f"{m['file']} {m['char']}->{m['read']} ({m['probability']:.2f})" for m in result["misread"]
        ),
    )
    if "vins" in result:
        v = result["vins"]
        share = v["accepted"] / v["count"]
        print(
            f"\nVINs spelled with {', '.join(v['sources'])}: {v['count']}, exact {v['exact']}, accepted "
            f"{v['accepted']} ({share:.1%}), wrong among the accepted {v['accepted_wrong']}"
            f" (threshold {v['threshold']:.4f})"
        )
    if args.write_metrics:
        path = Path(folder) / METRICS_FILE
        metrics = json.loads(path.read_text())
        metrics["real_handwriting"] = result
        path.write_text(json.dumps(metrics, indent=1) + "\n")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
