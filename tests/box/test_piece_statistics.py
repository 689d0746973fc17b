"""The fast paths of the box preprocessing's piece bookkeeping give exactly what OpenCV's and NumPy's
general forms give (they were added for speed; the readings must not change)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from vinocr.box.preprocess import _labelled, _pieces


def random_mask(rng: np.random.Generator, pieces: int) -> np.ndarray:
    """A 0/1 mask of up to `pieces` random strokes and blobs, away from or touching the edges."""
    mask = np.zeros((int(rng.integers(20, 140)), int(rng.integers(20, 140))), np.uint8)
    for _ in range(pieces):
        h, w = mask.shape
        p0 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        p1 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        cv2.line(mask, p0, p1, 1, int(rng.integers(1, 6)))
    return mask


@pytest.mark.parametrize("pieces", [0, 1, 2, 5, 30])
def test_pieces_match_opencv_statistics(pieces):
    rng = np.random.default_rng(pieces)
    for _ in range(40):
        mask = random_mask(rng, pieces)
        count, labels, stats, box = _pieces(mask)
        full_count, full_labels, full_stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        assert count == full_count
        if count > 1:
            assert np.array_equal(labels, full_labels[box])
            assert np.array_equal(stats[1:], full_stats[1:])


@pytest.mark.parametrize("kept", [[0, 1], [0, 1, 1, 1], [0, 0, 1, 0], [0, 1, 0, 1], [1, 0, 1], [0, 0, 0]])
def test_labelled_is_keep_of_labels(kept):
    rng = np.random.default_rng(len(kept))
    labels = rng.integers(0, len(kept), (37, 53)).astype(np.int32)
    keep = np.array(kept, np.uint8)
    out = _labelled(keep, labels)
    assert out.dtype == np.uint8
    assert np.array_equal(out, keep[labels])
