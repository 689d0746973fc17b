"""Characters rendered from handwriting fonts, distorted like real pens.

Google Fonts' handwriting families are published on the npm registry as `@fontsource/<family>` (OFL
licence). `fetch_fonts` runs `npm pack` once per family into a cache folder (a training step: never
called by tests) and keeps the Latin 400 woff2 file. `render_font_glyphs` draws each character with a
random font at 112 px, then slants, rotates, stretches and elastically distorts it, thickens or thins
the pen, and frames it as the box path frames any glyph (`conventions.to_input`).
"""

from __future__ import annotations

import os
import subprocess
import tarfile
import tempfile
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from vinocr.box.preprocess import WORK
from vinocr.synth.conventions import PAD, to_input

FAMILIES = (
    "caveat kalam patrick-hand indie-flower gochi-hand handlee nanum-pen-script reenie-beanie "
    "shadows-into-light architects-daughter gloria-hallelujah schoolbell sue-ellen-francisco "
    "the-girl-next-door covered-by-your-grace just-another-hand coming-soon nothing-you-could-do "
    "waiting-for-the-sunrise zeyada over-the-rainbow la-belle-aurore dawning-of-a-new-day "
    "annie-use-your-telescope walter-turncoat short-stack delius itim mansalva"
).split()
FONT_VERSION = "5.3.0"  # @fontsource package version fetched (pinned: the renders are part of the recipe)
DEFAULT_CACHE = Path(os.environ.get("VINOCR_FONT_DIR", Path.home() / ".cache" / "vinocr" / "fonts"))


def font_file(cache: Path, family: str) -> Path:
    """Where a family's Latin 400 woff2 file is cached."""
    return cache / f"{family}-latin-400-normal.woff2"


def fetch_fonts(cache: Path = DEFAULT_CACHE, families: tuple[str, ...] | list[str] = FAMILIES) -> list[Path]:
    """Fetch each family with `npm pack @fontsource/<family>@FONT_VERSION` unless cached; return the
    cached font files (families that cannot be fetched are reported and left out)."""
    cache.mkdir(parents=True, exist_ok=True)
    found = []
    for family in families:
        target = font_file(cache, family)
        if not target.exists():
            try:
                _fetch_one(family, target)
            except (OSError, subprocess.CalledProcessError, KeyError, tarfile.TarError) as exc:
                print(f"font {family}: not fetched ({exc})")
                continue
        found.append(target)
    return found


def _fetch_one(family: str, target: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="vinocr-font-") as work:
        spec = f"@fontsource/{family}@{FONT_VERSION}"
        subprocess.run(
            ["npm", "pack", spec, "--silent"], cwd=work, check=True, capture_output=True, timeout=120
        )
        (archive,) = Path(work).glob("*.tgz")
        with tarfile.open(archive) as tar:
            member = tar.getmember(f"package/files/{family}-latin-400-normal.woff2")
            data = tar.extractfile(member).read()  # type: ignore[union-attr]
    target.write_bytes(data)


def cached_fonts(cache: Path = DEFAULT_CACHE) -> list[Path]:
    """The font files already in the cache (none fetched)."""
    return sorted(cache.glob("*-latin-400-normal.woff2")) if cache.is_dir() else []


def _draw_char(font: ImageFont.FreeTypeFont, char: str) -> np.ndarray | None:
    """The character's 0/1 mask, cropped to its ink."""
    left, top, right, bottom = font.getbbox(char)
    if right <= left or bottom <= top:
        return None
    img = Image.new("L", (right - left + 8, bottom - top + 8), 0)
    ImageDraw.Draw(img).text((4 - left, 4 - top), char, fill=255, font=font)
    mask = (np.asarray(img) >= 128).astype(np.uint8)
    x, y, w, h = cv2.boundingRect(mask)
    return mask[y : y + h, x : x + w] if w and h else None


def elastic(mask: np.ndarray, rng: np.random.Generator, alpha: float, sigma: float) -> np.ndarray:
    """Elastic distortion: every pixel moved by a smooth random field (Simard et al. 2003), at most
    `alpha` px."""
    h, w = mask.shape

    def field() -> np.ndarray:  # smooth, scaled so that the largest move is `alpha` px
        smooth = cv2.GaussianBlur(rng.uniform(-1, 1, (h, w)).astype(np.float32), (0, 0), sigma)
        return smooth * (alpha / max(float(np.abs(smooth).max()), 1e-6))

    dx, dy = field(), field()
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    moved = cv2.remap(mask.astype(np.float32), xs + dx, ys + dy, cv2.INTER_LINEAR)
    return (moved >= 0.5).astype(np.uint8)


def distort(glyph: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A cropped 0/1 glyph -> a pen-like variant on a padded WORK-size canvas: slant, rotation, width,
    elastic distortion, pen width."""
    h, w = glyph.shape
    scale = (WORK * 0.8) / max(h, w)
    sx = scale * rng.uniform(0.75, 1.2)
    slant = rng.uniform(-0.15, 0.45)  # writers lean right more often than left
    angle = np.radians(rng.uniform(-8, 8))
    size = WORK + 2 * PAD
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    linear = rot @ np.array([[sx, -slant * scale], [0.0, scale]])
    centre_in = np.array([w / 2, h / 2])
    offset = np.array([size / 2, size / 2]) - linear @ centre_in
    matrix = np.hstack([linear, offset[:, None]])
    canvas = cv2.warpAffine(glyph.astype(np.float32), matrix, (size, size), flags=cv2.INTER_LINEAR)
    mask = (canvas >= 0.5).astype(np.uint8)
    mask = elastic(mask, rng, alpha=rng.uniform(2, 5), sigma=rng.uniform(8, 12))
    change = rng.random()
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    if change < 0.25:
        mask = cv2.dilate(mask, kernel)
    elif change > 0.85:
        thinner = cv2.erode(mask, kernel)
        mask = thinner if thinner.sum() > 0.4 * mask.sum() else mask
    return mask


def render_font_glyphs(
    fonts: list[Path] | list[ImageFont.FreeTypeFont], chars: str, per_char: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """`per_char` renders of each character of `chars`, each from a random font (font files, or fonts
    already loaded): ((M, 28, 28) uint8, labels (M,) as indices into `chars`). A character a font
    lacks is drawn with another font."""
    rng = np.random.default_rng(seed)
    loaded = [f if isinstance(f, ImageFont.FreeTypeFont) else ImageFont.truetype(str(f), 96) for f in fonts]
    images, labels = [], []
    for label, char in enumerate(chars):
        for _ in range(per_char):
            for _attempt in range(5):
                glyph = _draw_char(loaded[int(rng.integers(len(loaded)))], char)
                if glyph is not None and glyph.sum() > 30:
                    break
            else:
                continue
            mask = distort(glyph, rng)
            if mask.any():
                images.append(to_input(mask))
                labels.append(label)
    if not images:
        return np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.int64)
    return np.stack(images), np.asarray(labels, np.int64)
