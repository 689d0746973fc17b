"""Training inputs that look like what the photo path makes of a VIN field.

Train glyphs are written into a VIN field on a form, photographed (`vinocr.synth.photos`: tilt,
perspective, uneven light, blur, JPEG, EXIF turns), and the photo is read as the app reads one: the
field found and cut into boxes (`vinocr.field.pipeline.find_field`), each box put through
`preprocess_box` as a box cut from a field (CUT_LINE_DOUBT). The 28x28 input of each box's first
reading is kept with its glyph's label; photos whose field is not found at the true boxes are left
out. The box path's inputs (`box_styles`) never show what a photo does to a census glyph (a 2's
base on the cut's edge, a V's arms blurred into a U); these do. Train glyphs only: the photo
benchmark draws test glyphs, and the validation photos of docs/ draw validation glyphs.

The photos are split into chunks with their own seeds, so the result does not depend on how many
worker processes share them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vinocr.train.box_styles import made_once, map_chunks

CHUNK = 50  # photos per work unit (each with its own random stream)
TRAIN_FILE = "photo_inputs_train.npz"  # in the training work folder


def photo_chunk(vins: list[str], glyphs: np.ndarray, seed: int, chunk: int) -> tuple[np.ndarray, np.ndarray]:
    """(inputs (M, 28, 28) uint8, labels (M,)) of the photos of `vins`, written with `glyphs`
    ((len(vins), 17, 28, 28), one per character)."""
    from vinocr.alphabet import CHAR_TO_INDEX
    from vinocr.box.preprocess import CUT_LINE_DOUBT, preprocess_box
    from vinocr.field.photo import decode_photo
    from vinocr.field.pipeline import find_field
    from vinocr.synth import photos
    from vinocr.synth.fields import centres_match

    rng = np.random.default_rng((seed, chunk))
    inputs, kept = [], []
    for vin, written in zip(vins, glyphs, strict=True):
        style, tilt = str(rng.choice(photos.STYLES)), float(rng.choice(photos.TILTS))
        photo = photos.make_photo(list(written), rng, style, tilt, rng.random() < 0.2, rng.random() < 0.1)
        decoded = decode_photo(photo.data, "photo.jpg")
        field = find_field(decoded.gray)
        if not (field.ok and centres_match(field.to_input(field.centres), photo.truth * decoded.scale)):
            continue
        for box, char in zip(field.boxes, vin, strict=True):
            readings = preprocess_box(box, line_doubt=CUT_LINE_DOUBT).readings
            if readings:
                inputs.append(np.clip(np.rint(readings[0].input28), 0, 255).astype(np.uint8))
                kept.append(CHAR_TO_INDEX[char])
    empty = np.zeros((0, 28, 28), np.uint8)
    return (np.stack(inputs) if inputs else empty), np.asarray(kept, np.int64)


def _photo_job(job: tuple) -> tuple[np.ndarray, np.ndarray]:
    return photo_chunk(*job)


def photo_inputs(
    glyphs: np.ndarray, labels: np.ndarray, count: int, seed: int, workers: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The inputs of `count` photos: (inputs, labels). Each chunk's VINs and glyphs are drawn here
    (only its glyphs travel to a worker), its photos there."""
    from vinocr.synth.vins import glyph_index, random_valid_vin, vin_glyphs

    by_class = glyph_index(labels)
    jobs = []
    for k in range(-(-count // CHUNK)):
        rng = np.random.default_rng((seed, k, 0))
        vins = [random_valid_vin(rng) for _ in range(min(CHUNK, count - k * CHUNK))]
        jobs.append((vins, np.array([vin_glyphs(v, glyphs, by_class, rng) for v in vins]), seed, k))
    parts = map_chunks(_photo_job, jobs, workers)
    if not parts:
        return np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.int64)
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def cached_photo_inputs(
    path: Path, glyphs: np.ndarray, labels: np.ndarray, count: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """`photo_inputs`, saved to `path` (.npz) and read back when made before from as many glyphs,
    photos and the same seed (a resumed run does not photograph again)."""
    key = np.array([len(glyphs), count, seed, int(labels.sum())], np.int64)
    return made_once(path, key, lambda: photo_inputs(glyphs, labels, count, seed))
