"""Recognition rate on synthetic real-world boxes built from test-split glyphs, per style.

python -m bench.eval_boxes --emnist-dir ../shared/data/emnist --per-style 300

Also: the whole test split read as the 28x28 PNG files it is (the box path) against the model on
the same arrays, and how many blank boxes are reported empty. `--part validation` measures on the
validation split instead (for choosing settings; the README quotes the test split).
"""

from __future__ import annotations

import time

import numpy as np

from bench.box_eval import accuracy_by_style, blank_boxes, emnist_as_is, make_boxes
from bench.common import eval_parser, load_split
from vinocr.box.preprocess import preprocess_box
from vinocr.box.recognizer import Recognizer
from vinocr.synth.boxes import CROP_STYLES, SCAN_STYLES


def main() -> None:
    parser = eval_parser(__doc__)
    parser.add_argument("--per-style", type=int, default=300)
    parser.add_argument("--blanks", type=int, default=900, help="blank boxes per style group")
    parser.add_argument("--part", choices=("test", "validation"), default="test")
    parser.add_argument("--skip-emnist", action="store_true", help="skip the whole-split as-is reading")
    args = parser.parse_args()
    split = load_split(args)
    glyphs, labels = (split.x_test, split.y_test) if args.part == "test" else (split.x_val, split.y_val)
    recognizer = Recognizer.load()
    boxes = make_boxes(glyphs, labels, args.per_style, args.seed)
    t0 = time.perf_counter()
    rates = accuracy_by_style(recognizer, boxes)
    seconds = time.perf_counter() - t0
    print(f"{args.part} split; {len(boxes)} synthetic boxes, {seconds / len(boxes) * 1000:.2f} ms per box")
    print("| style | accuracy |\n|---|---|")
    for style in (*SCAN_STYLES, *CROP_STYLES, "all"):
        print(f"| {style} | {rates[style]:.3f} |")
    as_is = [(label, box) for style, label, box in boxes if style == "emnist"]
    if as_is:
        arrays = np.stack([box for _, box in as_is]).astype(np.float32)
        same = np.mean(recognizer.predict_inputs(arrays).argmax(1) == np.array([label for label, _ in as_is]))
        print(f"the model on the emnist style's {len(as_is)} arrays themselves: {same:.3f}")
    for name, styles in (("scan styles", SCAN_STYLES), ("crop styles", CROP_STYLES)):
        empty = sum(preprocess_box(b).empty for b in blank_boxes(styles, args.blanks, args.seed))
        print(f"blank boxes ({name}): {empty} of {args.blanks} reported empty")
    if not args.skip_emnist:
        arrays, boxed, empty = emnist_as_is(recognizer, glyphs, labels)
        print(
            f"EMNIST as is ({len(labels)} arrays of the {args.part} split): model on the arrays "
            f"{arrays:.4f}, read as box images {boxed:.4f} ({empty} reported empty)"
        )


if __name__ == "__main__":
    main()
