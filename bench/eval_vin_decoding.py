"""Plain vs rule-aware decoding on generated VINs written with test-split glyphs.

python bench/eval_vin_decoding.py --emnist-dir ../shared/data/emnist --vins 1000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vinocr.data import load_vin_split, resolve_emnist_dir  # noqa: E402
from vinocr.recognizer import Recognizer  # noqa: E402
from vinocr.vin_eval import evaluate_vins  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--emnist-dir")
    parser.add_argument("--vins", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    split = load_vin_split(resolve_emnist_dir(args.emnist_dir))
    t0 = time.perf_counter()
    result = evaluate_vins(Recognizer.load(), split.x_test, split.y_test, args.vins, args.seed)
    seconds = time.perf_counter() - t0
    print(f"{result['vins']} VINs ({result['unread_vins']} with an unread box), {seconds:.0f} s")
    print("| decoding | exact VIN | character accuracy |\n|---|---|---|")
    for row in result["rows"]:
        print(f"| {row['decoding']} | {row['exact_vin']:.3f} | {row['char_accuracy']:.4f} |")


if __name__ == "__main__":
    main()
