"""Plain vs rule-aware decoding on generated VINs written with test-split glyphs.

python -m bench.eval_vin_decoding --emnist-dir ../shared/data/emnist --vins 1000
"""

from __future__ import annotations

import time

from bench.common import eval_parser, load_split
from bench.vin_eval import evaluate_vins
from vinocr.box.recognizer import Recognizer


def main() -> None:
    parser = eval_parser(__doc__)
    parser.add_argument("--vins", type=int, default=1000)
    args = parser.parse_args()
    split = load_split(args)
    t0 = time.perf_counter()
    result = evaluate_vins(Recognizer.load(), split.x_test, split.y_test, args.vins, args.seed)
    seconds = time.perf_counter() - t0
    print(f"{result['vins']} VINs ({result['unread_vins']} with an unread box), {seconds:.0f} s")
    print("| decoding | exact VIN | character accuracy |\n|---|---|---|")
    for row in result["rows"]:
        print(f"| {row['decoding']} | {row['exact_vin']:.3f} | {row['char_accuracy']:.4f} |")


if __name__ == "__main__":
    main()
