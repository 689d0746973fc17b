"""Characters split at gaps, where a field has no box lines: connected components on the text
row, grouped by overlapping columns; specks, blots, long rules and upright rules ignored; while
there are more groups than expected, pieces of a broken character standing much closer than
characters do are joined. Nothing is split, padded or invented."""

from __future__ import annotations

import cv2
import numpy as np

from vinocr.field.deskew import LINE_KERNEL
from vinocr.field.result import Rect

MIN_CHAR_HEIGHT = 10  # px: written characters are at least this tall


def _components(mask: np.ndarray) -> np.ndarray:
    """Stats rows (x, y, w, h, area) of the mask's 8-connected components of 4 px or more."""
    _, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return stats[1:][stats[1:, cv2.CC_STAT_AREA] >= 4]


def _row_estimate(stats: np.ndarray) -> tuple[float, float]:
    """(character height, row centre y) from the sizeable components (area-weighted majority)."""
    areas = stats[:, cv2.CC_STAT_AREA].astype(np.float64)
    big = stats[areas >= 0.2 * np.percentile(areas, 90)]
    height = float(np.median(big[:, cv2.CC_STAT_HEIGHT]))
    return height, float(np.median(big[:, cv2.CC_STAT_TOP] + big[:, cv2.CC_STAT_HEIGHT] / 2))


def _without_rules(mask: np.ndarray, height: float) -> np.ndarray | None:
    """The mask with long horizontal rules (over 2.5 character heights) removed, or None if none."""
    length = int(2.5 * height)
    if length >= mask.shape[1] or length < LINE_KERNEL:
        return None
    rules = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((1, length), np.uint8))
    if not rules.any():
        return None
    return mask & (1 - cv2.dilate(rules, np.ones((3, 1), np.uint8)))


def gap_rects(mask: np.ndarray, expected: int) -> list[Rect]:
    """Character rects (x, y, w, h) on the text row: components grouped by overlapping columns.

    Components off the row, specks, long rules and upright ones (a sheet's edge) are ignored;
    pieces of broken characters are joined (see _merge_fragments).
    """
    stats = _components(mask)
    if len(stats) == 0:
        return []
    height, centre_y = _row_estimate(stats)
    if height < MIN_CHAR_HEIGHT:
        return []  # specks and dust only
    cleaned = _without_rules(mask, height)
    if cleaned is not None:
        stats = _components(cleaned)
        if len(stats) == 0:
            return []
        height, centre_y = _row_estimate(stats)
    x, y, w, h = (stats[:, k] for k in range(4))
    on_row = (y < centre_y + 0.9 * height) & (y + h > centre_y - 0.9 * height)
    sizeable = np.maximum(w, h) >= 0.35 * height
    upright_rule = h > 2.5 * height  # a sheet's edge or a vertical rule, no character
    parts = stats[on_row & sizeable & ~upright_rule]
    parts = parts[np.argsort(parts[:, 0], kind="stable")]
    groups: list[list[int]] = []  # x0, y0, x1, y1 (exclusive ends)
    for px, py, pw, ph, _ in parts:
        if groups and px < groups[-1][2]:
            g = groups[-1]
            g[:] = [g[0], min(g[1], py), max(g[2], px + pw), max(g[3], py + ph)]
        else:
            groups.append([px, py, px + pw, py + ph])
    groups = _merge_fragments(groups, height, expected)
    return [_padded(g, groups, i, height, mask.shape) for i, g in enumerate(groups)]


def _merge_fragments(groups: list[list[int]], height: float, expected: int) -> list[list[int]]:
    """Drop lone blots, then join the pieces of broken characters while there are too many groups.

    Blots (short and narrow) are dropped: VIN characters are all tall. While more than `expected`
    groups remain, the neighbours standing closest (relative to the median gap, a short or thin
    piece counting as twice as close) are joined, as long as they stand within half the median gap
    and, unless one is such a piece, together are no wider than a character. Nothing is ever split
    or invented.
    """
    groups = [g for g in groups if g[3] - g[1] >= 0.5 * height or g[2] - g[0] >= 0.5 * height]
    if len(groups) < 3:
        return groups
    median_gap = max(1.0, float(np.median([b[0] - a[2] for a, b in zip(groups, groups[1:], strict=False)])))
    while len(groups) > expected:
        partial = [g[3] - g[1] < 0.7 * height or g[2] - g[0] < 0.35 * height for g in groups]
        options = []
        for k, (a, b) in enumerate(zip(groups, groups[1:], strict=False)):
            gap = max(0, b[0] - a[2]) / median_gap
            piece = partial[k] or partial[k + 1]
            if gap <= 0.5 and (piece or max(a[2], b[2]) - a[0] <= 1.5 * height):
                options.append((gap * (0.5 if piece else 1.0), k))
        if not options:
            break
        k = min(options)[1]
        a, b = groups[k], groups[k + 1]
        groups[k : k + 2] = [[a[0], min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])]]
    return groups


def _padded(group: list[int], groups: list[list[int]], i: int, height: float, shape: tuple[int, int]) -> Rect:
    """A group's rect grown by a small margin that stays clear of its neighbours."""
    x0, y0, x1, y1 = group
    pad = max(2, int(0.12 * height))
    left = x0 - pad if i == 0 else max(x0 - pad, (groups[i - 1][2] + x0) // 2)
    right = x1 + pad if i == len(groups) - 1 else min(x1 + pad, (x1 + groups[i + 1][0]) // 2)
    left, right = max(0, left), min(shape[1], right)
    top, bottom = max(0, y0 - pad), min(shape[0], y1 + pad)
    return (int(left), int(top), int(right - left), int(bottom - top))
