"""Look at what the model gets wrong: a picture of misread glyphs, each captioned label>read.

python -m bench.show_errors --emnist-dir ../shared/data/emnist --count 100 --seed 5 --out errors.png
python -m bench.show_errors --emnist-dir ../shared/data/emnist --vins 3000 --min-probability 0.9 \
    --out sure.png

The first form draws `--count` glyphs at random among the arrays of a split that the shipped model
misreads. The second reads generated VINs (validation glyphs in synthetic boxes, as
`python -m vinocr.train.calibrate` does) and draws every wrong box of the wrong VINs the reader
gives at least `--min-probability`: the mistakes an accept threshold cannot catch. Whether a glyph
shows its label or what the model read is for a person to judge; nothing here is scored. The
picture holds EMNIST images: keep it out of the repository.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from bench.common import eval_parser, load_split
from vinocr.alphabet import VIN_ALPHABET
from vinocr.box.recognizer import Recognizer
from vinocr.calibration import load_calibration
from vinocr.model_files import model_dir_from_env
from vinocr.synth.vins import generate_vins
from vinocr.train.calibrate import read_vin_set, vin_outcomes

TILE = 84  # px a side per glyph in the picture
COLUMNS = 10
VAL_SEED = 101  # the validation VINs of vinocr.train.calibrate


def tile(image: np.ndarray, caption: str) -> np.ndarray:
    """A glyph or box image (white ink on black, any size) scaled to TILE px with its caption."""
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    if np.median(gray) > 127:
        gray = 255 - gray  # dark ink on light paper: shown white on black like EMNIST
    out = cv2.resize(gray.astype(np.uint8), (TILE, TILE), interpolation=cv2.INTER_AREA)
    cv2.putText(out, caption, (2, 12), cv2.FONT_HERSHEY_SIMPLEX, 0.38, 150, 1, cv2.LINE_AA)
    return np.pad(out, 2, constant_values=90)


def grid(tiles: list[np.ndarray]) -> np.ndarray:
    """Tiles in rows of COLUMNS (the last row padded with black)."""
    if not tiles:
        return np.zeros((TILE + 4, TILE + 4), np.uint8)
    blank = np.zeros_like(tiles[0])
    padded = tiles + [blank] * (-len(tiles) % COLUMNS)
    return np.vstack([np.hstack(padded[i : i + COLUMNS]) for i in range(0, len(padded), COLUMNS)])


def array_errors(recognizer: Recognizer, glyphs: np.ndarray, labels: np.ndarray, count: int, seed: int):
    """(tiles, rows) for `count` random misread arrays: rows (index, label, read, confidence)."""
    probs = recognizer.predict_inputs(glyphs.astype(np.float32))
    read = probs.argmax(1)
    wrong = np.flatnonzero(read != labels)
    print(f"{len(wrong)} of {len(labels)} arrays misread (accuracy {1 - len(wrong) / len(labels):.4f})")
    picks = np.sort(np.random.default_rng(seed).choice(wrong, min(count, len(wrong)), replace=False))
    tiles, rows = [], []
    for k, i in enumerate(picks):
        label, guess = VIN_ALPHABET[labels[i]], VIN_ALPHABET[read[i]]
        tiles.append(tile(glyphs[i], f"{k}:{label}>{guess}"))
        rows.append((int(i), label, guess, float(probs[i].max())))
    return tiles, rows


def sure_vin_errors(folder: Path, glyphs: np.ndarray, labels: np.ndarray, vins: int, least: float):
    """(tiles, rows) for every wrong box of the wrong VINs whose probability is at least `least`."""
    raw = Recognizer.load(folder, calibrated=False)
    temperature = load_calibration(folder, Path(raw.source)).temperature
    outcomes = vin_outcomes(read_vin_set(raw, glyphs, labels, vins, VAL_SEED), temperature)
    sure = outcomes.probability >= least
    chosen = set(np.flatnonzero(sure & ~outcomes.correct).tolist())
    print(
        f"{vins} VINs: {int(sure.sum())} with probability >= {least}, {len(chosen)} of them wrong "
        f"(precision {1 - len(chosen) / max(1, int(sure.sum())):.4f})"
    )
    tiles, rows = [], []  # the same seed draws the same boxes again; only the wrong VINs' are kept
    for k, (vin, boxes) in enumerate(generate_vins(glyphs, labels, vins, VAL_SEED)):
        if k not in chosen:
            continue
        for position in outcomes.wrong_boxes[k]:
            shown = outcomes.shown[k][position - 1]
            tiles.append(tile(boxes[position - 1], f"{vin[position - 1]}>{shown}"))
            rows.append((k, vin[position - 1], shown, float(outcomes.probability[k])))
    return tiles, rows


def main() -> None:
    parser = eval_parser(__doc__)
    parser.add_argument("--part", choices=("test", "validation"), default="validation")
    parser.add_argument("--count", type=int, default=100, help="misread arrays to draw")
    parser.add_argument("--vins", type=int, default=0, help="read this many generated VINs instead")
    parser.add_argument("--min-probability", type=float, default=0.9)
    parser.add_argument("--out", type=Path, default=Path("errors.png"))
    args = parser.parse_args()
    split = load_split(args)
    glyphs, labels = (split.x_test, split.y_test) if args.part == "test" else (split.x_val, split.y_val)
    if args.vins:
        tiles, rows = sure_vin_errors(model_dir_from_env(), glyphs, labels, args.vins, args.min_probability)
    else:
        tiles, rows = array_errors(Recognizer.load(), glyphs, labels, args.count, args.seed)
    for k, row in enumerate(rows):
        print(f"{k}: {row[1]} read as {row[2]} ({row[3]:.3f}), item {row[0]}")
    cv2.imwrite(str(args.out), grid(tiles))
    print(f"wrote {args.out} ({len(tiles)} glyphs)")


if __name__ == "__main__":
    main()
