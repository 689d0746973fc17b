"""Training inputs that look like what the box path makes of real boxes.

Each glyph is drawn into a box image in a random style of the box generator (`vinocr.synth.boxes`:
borders, tight crops, JPEG, thick strokes, grey paper, neighbours' lines, the 28x28 array as is...)
and put through the same preprocessing as an uploaded box (`preprocess_box`); the 28x28 input of
its first reading is kept. The model then sees the traces preprocessing leaves (a stroke shortened
where a box line was cut, a glyph re-centred from a tight crop, strokes thickened) with the right
label. Boxes reported empty are left out. Glyphs are taken from the split being rendered only (train
glyphs for training, validation glyphs for the validation check), so the test split stays unseen.

The work is split into chunks with their own seeds, so the result does not depend on how many
worker processes share it.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from vinocr.box.preprocess import preprocess_box
from vinocr.synth.boxes import STYLES, random_style, render_box

CHUNK = 2000  # glyphs per work unit (each with its own random stream)
TRAIN_FILE = "box_inputs_train.npz"  # in the training work folder
VALIDATION_FILE = "box_inputs_validation.npz"
VALIDATION_SEED_OFFSET = 1  # the validation boxes' random stream (seed + 1) differs from the training one


def render_chunk(glyphs: np.ndarray, seed: int, chunk: int) -> tuple[np.ndarray, np.ndarray]:
    """(inputs (M, 28, 28) uint8, indices into `glyphs` (M,)) for one chunk; empty boxes left out."""
    rng = np.random.default_rng((seed, chunk))
    inputs, kept = [], []
    for index, glyph in enumerate(glyphs):
        style = random_style(rng, str(rng.choice(STYLES)))
        prep = preprocess_box(render_box(glyph, style, rng))
        if prep.input28 is None:
            continue
        inputs.append(np.clip(np.rint(prep.input28), 0, 255).astype(np.uint8))
        kept.append(index)
    empty = np.zeros((0, 28, 28), np.uint8)
    return (np.stack(inputs) if inputs else empty), np.asarray(kept, np.int64)


def _render_job(job: tuple[np.ndarray, int, int]) -> tuple[np.ndarray, np.ndarray]:
    return render_chunk(*job)


def map_chunks(job, jobs: list, workers: int | None = None) -> list:
    """`job` over `jobs` in order, in worker processes when there are several jobs and cores."""
    workers = workers or min(len(jobs), os.cpu_count() or 1)
    if workers > 1:
        # spawned, not forked: the training process runs threads (TensorFlow, JAX) that a fork would copy
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            return list(pool.map(job, jobs))
    return [job(item) for item in jobs]


def render_inputs(
    glyphs: np.ndarray, labels: np.ndarray, seed: int, workers: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Every glyph rendered once in a random box style and preprocessed: (inputs, labels)."""
    starts = range(0, len(glyphs), CHUNK)
    parts = map_chunks(_render_job, [(glyphs[s : s + CHUNK], seed, k) for k, s in enumerate(starts)], workers)
    inputs = np.concatenate([p[0] for p in parts]) if parts else np.zeros((0, 28, 28), np.uint8)
    kept = np.concatenate([p[1] + s for p, s in zip(parts, starts)]) if parts else np.zeros(0, np.int64)
    return inputs, labels[kept]


def cached_inputs(
    path: Path, glyphs: np.ndarray, labels: np.ndarray, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """`render_inputs`, saved to `path` (.npz) and read back when the same glyphs and seed were
    rendered before (a resumed run does not render again)."""
    key = np.array([len(glyphs), seed, int(labels.sum())], np.int64)
    return made_once(path, key, lambda: render_inputs(glyphs, labels, seed))


def made_once(
    path: Path, key: np.ndarray, make: Callable[[], tuple[np.ndarray, np.ndarray]]
) -> tuple[np.ndarray, np.ndarray]:
    """(inputs, labels) read from `path` when saved there under `key`; else `make()`, saved with it."""
    saved = read_cached(path, key)
    if saved is not None:
        return saved
    inputs, labels = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, key=key, inputs=inputs, labels=labels)
    return inputs, labels


def read_cached(path: Path, key: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    """(inputs, labels) saved by `cached_inputs`; None when there is no file or (with `key`) it was
    rendered from other glyphs or another seed."""
    if not path.exists():
        return None
    with np.load(path) as saved:
        if key is not None and not np.array_equal(saved["key"], key):
            return None
        return saved["inputs"], saved["labels"]
