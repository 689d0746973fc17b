"""Recognition rate on synthetic real-world boxes built from test-split glyphs, per style.

python -m bench.eval_boxes --emnist-dir ../shared/data/emnist --per-style 300
"""

from __future__ import annotations

import time

import numpy as np

from bench.box_eval import accuracy_by_style, make_boxes
from bench.common import eval_parser, load_split
from vinocr.box.recognizer import Recognizer


def main() -> None:
    parser = eval_parser(__doc__)
    parser.add_argument("--per-style", type=int, default=300)
    args = parser.parse_args()
    split = load_split(args)
    recognizer = Recognizer.load()
    boxes = make_boxes(split.x_test, split.y_test, args.per_style, args.seed)
    plain = recognizer.predict_inputs(split.x_test.astype(np.float32)).argmax(1)
    t0 = time.perf_counter()
    rates = accuracy_by_style(recognizer, boxes)
    seconds = time.perf_counter() - t0
    print(f"raw 28x28 test split accuracy (no box preprocessing): {np.mean(plain == split.y_test):.4f}")
    print(f"{len(boxes)} synthetic boxes, {seconds / len(boxes) * 1000:.2f} ms per box")
    print("| style | accuracy |\n|---|---|")
    for style, rate in rates.items():
        print(f"| {style} | {rate:.3f} |")


if __name__ == "__main__":
    main()
