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
    """The realdev folder from the flag, else `VINOCR_REALDEV_DIR`, else ../shared/data/realdev when it
    exists; None when none of them holds a labels.csv."""
    for candidate in (flag, os.environ.get(ENV_VAR), DEFAULT_DIR):
        if candidate and (Path(candidate) / "labels.csv").is_file():
            return Path(candidate)
    return None


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


def full_sources(chars: list[RealChar], alphabet: str) -> list[str]:
    """The sources that hold every character of `alphabet` (those whose images can spell any VIN)."""
    sources = {c.source for c in chars}
    return sorted(s for s in sources if set(alphabet) <= {c.char for c in chars if c.source == s})
