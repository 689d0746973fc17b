"""Other people's handwriting: a folder of labelled real box images (`labels.csv`: file,char,source,...;
images in `images/`), such as `../shared/data/realdev`. Used to validate and choose, never to train.

The folder comes from a flag or `VINOCR_REALDEV_DIR`; it is never part of the project.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ENV_VAR = "VINOCR_REALDEV_DIR"
DEFAULT_DIR = Path("..") / "shared" / "data" / "realdev"


@dataclass(frozen=True)
class RealChar:
    """One labelled real character image."""

    path: Path
    char: str
    source: str


def find_realdev_dir(flag: str | Path | None = None) -> Path | None:
    """The realdev folder the flag names, else the one `VINOCR_REALDEV_DIR` names, else
    ../shared/data/realdev; None when that folder holds no labels.csv. A folder named by the flag or the
    variable is the one used: a wrong one is not replaced by another folder that happens to exist."""
    named = flag or os.environ.get(ENV_VAR)
    candidate = Path(named) if named else DEFAULT_DIR
    return candidate if (candidate / "labels.csv").is_file() else None


def named_realdev_dir(flag: str | Path | None) -> Path | None:
    """`find_realdev_dir` for a command's --realdev-dir: a folder the flag names that holds no labels.csv
    raises FileNotFoundError naming it (a typo must not quietly measure nothing)."""
    folder = find_realdev_dir(flag)
    if flag and folder is None:
        raise FileNotFoundError(
            f"{flag}: no labels.csv there (a realdev folder holds labels.csv and images/)"
        )
    return folder


def read_labels(folder: Path) -> list[RealChar]:
    """The labelled images of a realdev-style folder, in the order of its labels.csv."""
    with open(folder / "labels.csv", newline="", encoding="utf-8") as f:
        return [
            RealChar(folder / "images" / row["file"], row["char"], row["source"]) for row in csv.DictReader(f)
        ]


def evaluate(recognizer, folder: Path) -> dict:
    """Read every image of `folder` with `recognizer` (the box path, as `vinocr DIR` does): right per
    source, and every misread image with what it was read as (the metrics.json "real_handwriting")."""
    chars = read_labels(folder)
    results = recognizer.recognize_files([c.path for c in chars])
    sources: dict[str, list[int]] = {}
    misread = []
    for item, result in zip(chars, results, strict=True):
        right = result.char == item.char
        tally = sources.setdefault(item.source, [0, 0])
        tally[0] += 1
        tally[1] += int(right)
        if not right:
            misread.append(
                {
                    "file": item.path.name,
                    "char": item.char,
                    "read": result.char if result.char else f"({result.status})",
                    "probability": round(float(result.confidence), 4),
                }
            )
    return {
        "dataset": folder.name,
        "command": "python -m bench.eval_real --realdev-dir DIR",
        "images": len(chars),
        "right": len(chars) - len(misread),
        "sources": [{"source": s, "images": n, "right": r} for s, (n, r) in sources.items()],
        "misread": misread,
    }


def model_inputs(folder: Path) -> tuple[np.ndarray, list[str]]:
    """The 28x28 inputs the box path makes of each image (first reading; an empty or unreadable box
    gives a blank input) and their labels: for scoring training checkpoints on real writing."""
    from vinocr.box.image_io import decode_image
    from vinocr.box.preprocess import preprocess_box

    inputs, labels = [], []
    for item in read_labels(folder):
        prep = preprocess_box(decode_image(item.path.read_bytes(), item.path.name))
        inputs.append(np.zeros((28, 28), np.float32) if prep.input28 is None else prep.input28)
        labels.append(item.char)
    return np.stack(inputs).astype(np.float32), labels


def read_probabilities(recognizer, chars: list[RealChar]) -> list[np.ndarray | None]:
    """Each image's box probabilities as `recognizer` gives them (None where no character was read)."""
    results = recognizer.recognize_files([c.path for c in chars])
    return [r.probs if r.status == "ok" else None for r in results]


def compose_vins(chars: list[RealChar], source: str, count: int, seed: int) -> list[tuple[str, list[int]]]:
    """`count` valid VINs (check digit right, vinocr.synth.vins) spelled with real images of one
    `source`: (VIN, index into `chars` of each box's image). The source must hold all 33 characters."""
    from vinocr.synth.vins import random_valid_vin

    rng = np.random.default_rng(seed)
    by_char: dict[str, list[int]] = {}
    for k, item in enumerate(chars):
        if item.source == source:
            by_char.setdefault(item.char, []).append(k)
    vins = []
    for _ in range(count):
        vin = random_valid_vin(rng)
        vins.append((vin, [int(rng.choice(by_char[c])) for c in vin]))
    return vins


def as_glyph(gray: np.ndarray) -> np.ndarray:
    """A real character image (uint8 gray, either polarity) as a glyph like EMNIST's: white ink on a
    black background, the background at 0 and the ink's bright end at 255, its pen's soft edges kept."""
    from vinocr.box.preprocess import fix_polarity, gray_levels

    upright, _ = fix_polarity(gray)
    background, ink = gray_levels(upright, (0.5, 0.99))
    spread = max(1, ink - background)
    scaled = (upright.astype(np.float32) - background) * (255.0 / spread)
    return np.clip(scaled, 0, 255).astype(np.uint8)


def source_glyphs(chars: list[RealChar], source: str, alphabet: str) -> tuple[list[np.ndarray], np.ndarray]:
    """The images of one source as glyphs (`as_glyph`) and their class indices in `alphabet`, for
    drawing real writers' characters into whole fields and photos (bench.eval_photos --realdev-dir)."""
    from vinocr.box.image_io import decode_image

    mine = [c for c in chars if c.source == source]
    glyphs = [as_glyph(decode_image(c.path.read_bytes(), c.path.name)) for c in mine]
    return glyphs, np.array([alphabet.index(c.char) for c in mine], np.int64)


def full_sources(chars: list[RealChar], alphabet: str) -> list[str]:
    """The sources that hold every character of `alphabet` (those whose images can spell any VIN)."""
    sources = {c.source for c in chars}
    return sorted(s for s in sources if set(alphabet) <= {c.char for c in chars if c.source == s})
