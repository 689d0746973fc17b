"""Recognition rate on synthetic real-world boxes built from test-split glyphs, per style.

python -m bench.eval_boxes --emnist-dir ../shared/data/emnist --per-style 1000

Each style's row gives a 95% Wilson interval (300 boxes: about +-2 points at 0.96) and the model
on the same glyphs' own 28x28 arrays, what the box path could reach on that draw. Also: the whole
test split read as the 28x28 PNG files it is (the box path) against the model on
the same arrays, and how many blank boxes are reported empty. `--part validation` measures on the
validation split instead (for choosing settings; the README quotes the test split). `--lean D`
turns every box and blank by D degrees, one way and the other in turn, as a fixed rectangle cuts
boxes from a form scanned askew (the corners filled from the image's edges, vinocr.box.skew.turn).
"""

from __future__ import annotations

import time

from bench.box_eval import (
    array_accuracy_by_style,
    blank_boxes,
    emnist_as_is,
    leaning,
    make_boxes,
    right_by_style,
)
from bench.common import eval_parser, load_split
from vinocr.box.preprocess import preprocess_box
from vinocr.box.recognizer import Recognizer
from vinocr.box.skew import turn
from vinocr.synth.boxes import CROP_STYLES, SCAN_STYLES
from vinocr.train.calibrate import wilson_bounds

Z95 = 1.96  # two-sided 95% interval


def main() -> None:
    parser = eval_parser(__doc__)
    parser.add_argument("--per-style", type=int, default=300)
    parser.add_argument("--blanks", type=int, default=900, help="blank boxes per style group")
    parser.add_argument("--part", choices=("test", "validation"), default="test")
    parser.add_argument("--skip-emnist", action="store_true", help="skip the whole-split as-is reading")
    parser.add_argument(
        "--lean", type=float, default=0.0, help="turn boxes and blanks by +-this many degrees"
    )
    args = parser.parse_args()
    split = load_split(args)
    glyphs, labels = (split.x_test, split.y_test) if args.part == "test" else (split.x_val, split.y_val)
    recognizer = Recognizer.load()
    boxes = leaning(make_boxes(glyphs, labels, args.per_style, args.seed), args.lean)
    t0 = time.perf_counter()
    right = right_by_style(recognizer, boxes)
    seconds = time.perf_counter() - t0
    arrays = array_accuracy_by_style(recognizer, boxes, glyphs)
    leaned = f", turned by +-{args.lean:g} degrees" if args.lean else ""
    per_box = seconds / len(boxes) * 1000
    print(f"{args.part} split; {len(boxes)} synthetic boxes{leaned}, {per_box:.2f} ms per box")
    print("| style | boxes | accuracy | 95% interval | model on the same glyphs' 28x28 arrays |")
    print("|---|---|---|---|---|")
    for style in (*SCAN_STYLES, *CROP_STYLES, "all"):
        low, high = wilson_bounds(right[style].sum(), len(right[style]), Z95)
        print(
            f"| {style} | {len(right[style])} | {right[style].mean():.3f} | {low:.3f}-{high:.3f} "
            f"| {arrays[style]:.3f} |"
        )
    for name, styles in (("scan styles", SCAN_STYLES), ("crop styles", CROP_STYLES)):
        blanks = blank_boxes(styles, args.blanks, args.seed)
        if args.lean:
            blanks = [turn(b, args.lean * (-1) ** k) for k, b in enumerate(blanks)]
        empty = sum(preprocess_box(b).empty for b in blanks)
        print(f"blank boxes ({name}): {empty} of {args.blanks} reported empty")
    if not args.skip_emnist:
        arrays, boxed, empty = emnist_as_is(recognizer, glyphs, labels)
        print(
            f"EMNIST as is ({len(labels)} arrays of the {args.part} split): model on the arrays "
            f"{arrays:.4f}, read as box images {boxed:.4f} ({empty} reported empty)"
        )


if __name__ == "__main__":
    main()
