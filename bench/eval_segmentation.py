"""Whole-field segmentation rate on synthetic fields built from test-split glyphs, per style.

python -m bench.eval_segmentation --emnist-dir ../shared/data/emnist --fields 500 --seed 0

A field counts as segmented when the segmentation reports ok and the i-th found rect's centre
(mapped back onto the input image) is nearest to the i-th true box centre, within half the box
pitch. Two paths are measured on the same fields: find_field (what read_field runs: the field
located and rectified as in a photo, then find_boxes) and find_boxes on the image as it is.
Fields are generated in memory at run time; nothing is written to disk.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict

import numpy as np

from bench.common import eval_parser, load_split
from vinocr.field.grid import find_boxes
from vinocr.field.pipeline import find_field
from vinocr.field.result import SegmentResult
from vinocr.synth.fields import STYLES, centres_match, make_field

PATHS = {"find_field": find_field, "find_boxes": find_boxes}


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
    passed: dict[str, dict[str, list[bool]]] = {path: defaultdict(list) for path in PATHS}
    times: dict[str, list[float]] = defaultdict(list)
    angle_errors: list[float] = []
    failures = 0
    for i in range(args.fields):
        style = STYLES[i % len(STYLES)]
        picks = rng.choice(len(split.x_test), 17, replace=False)
        image, truth = make_field(list(split.x_test[picks]), rng, style, return_truth=True)
        for path, segment in PATHS.items():
            t0 = time.perf_counter()
            result = segment(image)
            times[path].append(time.perf_counter() - t0)
            good = matches_truth(result, truth)
            passed[path][style].append(good)
            if path == "find_boxes" and result.ok:
                true_angle = np.degrees(np.arctan2(truth[0, 1] - truth[-1, 1], truth[-1, 0] - truth[0, 0]))
                angle_errors.append(abs(result.angle - true_angle))
            if not good and failures < args.show_failures:
                failures += 1
                size = f"{image.shape[1]}x{image.shape[0]}"
                print(f"  {path} failed field {i} ({style}, {size}): {result.message}")
    print(f"{args.fields} fields, seed {args.seed}: all 17 boxes found in order")
    print("| style | fields | find_field | find_boxes |\n|---|---|---|---|")
    for style in STYLES:
        rates = " | ".join(f"{np.mean(passed[path][style]):.4f}" for path in PATHS)
        print(f"| {style} | {len(passed['find_field'][style])} | {rates} |")
    overall = " | ".join(f"{np.mean([g for v in passed[path].values() for g in v]):.4f}" for path in PATHS)
    print(f"| all | {args.fields} | {overall} |")
    for path in PATHS:
        median, most = np.median(times[path]) * 1000, np.max(times[path]) * 1000
        print(f"{path}: median {median:.1f} ms per field (max {most:.1f} ms)")
    if angle_errors:
        print(f"find_boxes: median |angle error| on ok fields: {np.median(angle_errors):.3f} deg")
    return 0


if __name__ == "__main__":
    sys.exit(main())
