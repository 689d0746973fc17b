"""Even out the light of a photographed form: paper brightness, flattening, ink masks.

A phone photo of a form is lit unevenly: a gradient, the soft or sharp edge of a shadow, a dark
desk around the sheet. Every pixel is divided by the local paper brightness (a grey closing, which
keeps a shadow's edge where it is), so that the paper becomes one even grey (PAPER) and the ink
dark, whatever its polarity was; the ink mask is what stands below the paper by more than the
paper's own spread.
"""

from __future__ import annotations

import cv2
import numpy as np

from vinocr.field.deskew import LINE_KERNEL

PAPER = 235  # brightness of the paper in a flattened image
DARK_SURROUND = 0.3  # paper darker than this share of the brightest is no paper (shadows reach ~0.36)


def paper_level(gray: np.ndarray, dark_ink: bool = True, size: int = 9, reduce: int = 4) -> np.ndarray:
    """Float32 (H, W) local paper brightness (of `255 - gray` when the ink is light).

    A grey closing with a `size` px square on a 1/`reduce` image removes ink narrower than about
    size x reduce px and, unlike a blur, keeps a step such as a shadow's edge where it is.
    """
    work = gray if dark_ink else 255 - gray
    h, w = work.shape
    small = work
    if reduce > 1:
        small = cv2.resize(work, (max(1, w // reduce), max(1, h // reduce)), interpolation=cv2.INTER_AREA)
    level = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((size, size), np.uint8))
    if reduce > 1:
        level = cv2.resize(level, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.maximum(level.astype(np.float32), 8.0)


def noise_sigma(image: np.ndarray) -> float:
    """Pixel noise of an image: the robust spread of differences between horizontal neighbours."""
    sample = image[:: max(1, image.shape[0] // 200)].astype(np.float32)
    diffs = np.diff(sample, axis=1)[:, :: max(1, image.shape[1] // 500)]
    return max(1.0, 1.4826 * float(np.median(np.abs(diffs - np.median(diffs)))) / np.sqrt(2.0))


def flatten_light(
    gray: np.ndarray, dark_ink: bool = True, size: int = 9, reduce: int = 4
) -> tuple[np.ndarray, np.ndarray]:
    """(flattened uint8 image, 0/1 ink mask) of a gray image (paper_level's `size` and `reduce`).

    Flattened: each pixel over its local paper brightness, times PAPER, so the light is even and
    the ink is dark whatever its polarity was. Ink: see _below_paper (on a dark desk the noise is
    large for its brightness, so the 6% is needed too), as it is
    or after a light smoothing (sigma 1 px, for faint lines in a noisy photo). Where
    the "paper" is below DARK_SURROUND of the brightest (a dark desk around the sheet, far darker
    than any shadow), the division would only magnify noise: that is left blank.
    """
    work = gray if dark_ink else 255 - gray
    level = paper_level(gray, dark_ink, size, reduce)
    values = work.astype(np.float32)
    flat = np.clip(values * (PAPER / level), 0, 255).astype(np.uint8)
    paper = level >= DARK_SURROUND * float(np.percentile(level[::4, ::4], 90))
    mask = _below_paper(level, values, paper)
    # in a noisy photo a faint line is lost in single pixels; lightly smoothed, it stands out
    mask |= _below_paper(level, cv2.GaussianBlur(values, (0, 0), 1.0), paper)
    flat[~paper] = PAPER
    mask &= paper
    return flat, mask.astype(np.uint8)


def _below_paper(level: np.ndarray, values: np.ndarray, paper: np.ndarray) -> np.ndarray:
    """Pixels darker than the local paper level by 4 robust sigmas more than paper pixels usually
    are (the level is a local maximum, so paper itself lies a little below it) and by 6%."""
    drop = level - values
    step = max(1, int(np.sqrt(drop.size / 40000)))
    sample = drop[::step, ::step][paper[::step, ::step]]
    if sample.size == 0:
        return np.zeros(drop.shape, bool)
    median = float(np.median(sample))
    spread = max(1.0, 1.4826 * float(np.median(np.abs(sample - median))))
    return (drop > median + 4.0 * spread) & (drop > 0.06 * level)


def line_mask(flat: np.ndarray, row_height: float) -> np.ndarray:
    """0/1 ink mask of a flattened, roughly upright field, with faint box lines brought out.

    Darkness averaged over 15 px along the rows (and over 9 px along the columns) stands out of
    the noise where single pixels do not; only its pixels that are themselves a little dark (2
    sigmas of the paper's own spread, _typical), in long horizontal runs (LINE_KERNEL px) or
    vertical runs of half a row's height, are added to the plain ink mask, so glyph strokes (and
    the blur around them) do not swell.
    """
    dark = np.maximum(0.0, PAPER - flat.astype(np.float32))
    paper, sigma = _typical(dark)
    mask = (dark > paper + max(4.0 * sigma, 0.06 * PAPER)).astype(np.uint8)
    for size, run in (((15, 1), (1, LINE_KERNEL)), ((1, 9), (max(9, int(0.5 * row_height)), 1))):
        response = cv2.blur(dark, size)
        median, spread = _typical(response)
        lit = (response >= median + max(6.0 * spread, 4.0)) & (dark > paper + 2.0 * sigma)  # no halo
        mask |= cv2.morphologyEx(lit.astype(np.uint8), cv2.MORPH_OPEN, np.ones(run[::-1], np.uint8))
    return cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))  # dotted lines joined


def _typical(values: np.ndarray) -> tuple[float, float]:
    """(median, robust spread) of a sample of an image's values: the paper's, where paper is the
    majority. Blur and JPEG make neighbouring pixels alike, so the spread between neighbours
    (noise_sigma) understates how far paper pixels stray from the paper level; this does not."""
    sample = values[:: max(1, values.shape[0] // 100), :: max(1, values.shape[1] // 300)]
    median = float(np.median(sample))
    return median, max(1.0, 1.4826 * float(np.median(np.abs(sample - median))))
