"""Whole-field segmentation rate on synthetic fields built from test-split glyphs, per style.

python -m bench.eval_segmentation --emnist-dir ../shared/data/emnist --fields 500 --seed 0

A field counts as segmented when find_boxes reports ok and the i-th found rect's centre (mapped
back onto the input image) is nearest to the i-th true box centre, within half the box pitch.
Fields are generated in memory at run time; nothing is written to disk.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict

import numpy as np

from bench.common import eval_parser, load_split
from vinocr.synth.fields import STYLES, centres_match, make_field
from vinocr.vin.segment import SegmentResult, find_boxes


def matches_truth(result: SegmentResult, truth: np.ndarray) -> bool:
    """All boxes found (ok), in order, each centre nearest its own true centre, within half a pitch."""
    return result.ok and centres_match(result.to_input(result.centres), truth)


def main(argv: list[str] | None = None) -> int:
    parser = eval_parser(__doc__)
    parser.add_argument("--fields", type=int, default=500)
    parser.add_argument("--show-failures", type=int, default=5, help="print this many failed fields")
    args = parser.parse_args(argv)
    split = load_split(args)
    rng = np.random.default_rng(args.seed)
    passed: dict[str, list[bool]] = defaultdict(list)
    times: list[float] = []
    angle_errors: list[float] = []
    failures = 0
    for i in range(args.fields):
        style = STYLES[i % len(STYLES)]
        picks = rng.choice(len(split.x_test), 17, replace=False)
        image, truth = make_field(list(split.x_test[picks]), rng, style, return_truth=True)
        t0 = time.perf_counter()
        result = find_boxes(image)
        times.append(time.perf_counter() - t0)
        good = matches_truth(result, truth)
        passed[style].append(good)
        if result.ok:
            true_angle = np.degrees(np.arctan2(truth[0, 1] - truth[-1, 1], truth[-1, 0] - truth[0, 0]))
            angle_errors.append(abs(result.angle - true_angle))
        if not good and failures < args.show_failures:
            failures += 1
            print(f"  failed field {i} ({style}, {image.shape[1]}x{image.shape[0]}): {result.message}")
    total = [g for values in passed.values() for g in values]
    print(f"{len(total)} fields, seed {args.seed}: all 17 boxes found in order: {np.mean(total):.4f}")
    print("| style | fields | rate |\n|---|---|---|")
    for style in STYLES:
        print(f"| {style} | {len(passed[style])} | {np.mean(passed[style]):.4f} |")
    print(f"median time per field: {np.median(times) * 1000:.1f} ms (max {np.max(times) * 1000:.1f} ms)")
    if angle_errors:
        print(f"median |angle error| on ok fields: {np.median(angle_errors):.3f} deg")
    return 0


if __name__ == "__main__":
    sys.exit(main())
