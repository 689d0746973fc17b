"""Phone photos of a field of Hershey-font handwriting with hand-held faults, for the field tests
(no data set needed)."""

from __future__ import annotations

import numpy as np

from vinocr.synth import photos
from vinocr.synth.photo_faults import Faults, random_faults
from vinocr.synth.samples import SAMPLE_VIN, draw_glyph


def hershey_photo(seed: int, bend: float = 0.0, motion: float = 0.0) -> tuple[photos.Photo, Faults]:
    """(photo, the faults drawn): the sample VIN in Hershey glyphs, the style and tilt level chosen
    by `seed`, the sheet curled by at most `bend` and the camera shaken by at most `motion` px."""
    rng = np.random.default_rng(seed)
    glyphs = [draw_glyph(c, rng) for c in SAMPLE_VIN]
    faults = random_faults(rng, bend, 0.0, motion)
    style = photos.STYLES[seed % 3]
    return photos.make_photo(glyphs, rng, style, photos.TILTS[seed % 4], faults=faults), faults
