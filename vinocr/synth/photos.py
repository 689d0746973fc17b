"""Synthetic phone photos of a filled-in form: the sheet lying on a desk, seen in perspective.

A clean, flat field drawing (vinocr.synth.fields, no degradation) is padded with paper into a
sheet, laid on a desk (darker than light paper, lighter than dark paper), rotated, and each of its
corners moved by `tilt` times the sheet's width in a random direction (perspective). Then the light:
a gradient over the frame and the soft edge of a shadow; then a slight blur, sensor noise, a colour
cast and a JPEG. Some photos are stored sideways with an EXIF orientation tag, as phones do.

Built at run time for tests and measurements; every random choice comes from the caller's `rng`.
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass

import cv2
import numpy as np
from PIL import Image

from vinocr.synth.fields import make_field
from vinocr.synth.photo_faults import NO_FAULTS, Faults, barrel, barrel_points, bend_sheet, shake

STYLES: tuple[str, ...] = ("boxes_dark", "boxes_light", "form")
TILTS: tuple[float, ...] = (0.0, 0.03, 0.06, 0.10)
LARGE_FRAME = (4032, 3024)  # a 12-megapixel phone photo
MAX_ROTATION = 15.0
EXIF_ORIENTATION = 0x0112
# orientation tag -> how the stored pixels are turned from the upright view
_STORED = {3: cv2.ROTATE_180, 6: cv2.ROTATE_90_COUNTERCLOCKWISE, 8: cv2.ROTATE_90_CLOCKWISE}


@dataclass(frozen=True)
class PhotoParams:
    """How one photo was taken (all drawn at random by `random_params`)."""

    style: str
    tilt: float  # each sheet corner moved by this share of the sheet's width
    rotation: float  # degrees, counter-clockwise
    frame: tuple[int, int]  # (width, height) of the upright photo
    sheet_share: float  # the sheet's width over the frame's width, before rotation and tilt
    desk: float  # desk brightness, 0..255
    gradient: float  # light falls by up to this share from one side of the frame to the other
    shadow: float  # the shadowed part gets this share less light
    shadow_edge: float  # px: width of the shadow's soft edge
    blur: float  # Gaussian sigma, px
    noise: float  # sensor noise sigma, grey levels
    jpeg_quality: int
    orientation: int  # EXIF orientation tag of the stored file (1 = stored upright)


@dataclass
class Photo:
    """A generated photo (JPEG bytes as a phone stores them) and what is known about it."""

    data: bytes
    truth: np.ndarray  # (N, 2) box centres in the upright photo, full-size pixels, reading order
    sheet: np.ndarray  # the flat, clean field drawing that was photographed (uint8 gray)
    sheet_truth: np.ndarray  # (N, 2) box centres in `sheet`
    homography: np.ndarray  # 3x3: `sheet` -> upright photo
    params: PhotoParams

    def describe(self) -> dict:
        """The parameters as a plain dict (for printing)."""
        return asdict(self.params)


def random_params(
    rng: np.random.Generator, style: str, tilt: float, large: bool = False, sideways: bool = False
) -> PhotoParams:
    """Random photo conditions for one style and tilt; `large` gives a 4032x3024 frame."""
    if style not in STYLES:
        raise ValueError(f"unknown photo style {style!r}; choose from {', '.join(STYLES)}")
    if large:
        frame = LARGE_FRAME
    else:
        width = int(rng.integers(1600, 2601))
        frame = (width, width * 3 // 4)
    scale = frame[0] / 2000.0
    dark_paper = style == "boxes_dark"
    return PhotoParams(
        style=style,
        tilt=float(tilt),
        rotation=float(rng.uniform(-MAX_ROTATION, MAX_ROTATION)),
        frame=frame,
        sheet_share=float(rng.uniform(0.6, 0.9)),
        desk=float(rng.uniform(110, 190) if dark_paper else rng.uniform(30, 120)),
        gradient=float(rng.uniform(0.1, 0.35)),
        shadow=float(rng.uniform(0.2, 0.45)),
        shadow_edge=float(rng.uniform(4, 40) * scale),
        blur=float(rng.uniform(0.4, 1.3) * scale),
        noise=float(rng.uniform(2, 7)),
        jpeg_quality=int(rng.integers(70, 96)),
        orientation=int(rng.choice([3, 6, 8])) if sideways else 1,
    )


def make_sheet(
    glyphs: list[np.ndarray], rng: np.random.Generator, style: str
) -> tuple[np.ndarray, np.ndarray]:
    """(clean gray sheet, (N, 2) box centres): a flat field drawing (make_field) on a sheet."""
    field, centres = make_field(glyphs, rng, style, return_truth=True, angle=0.0, degrade=False)
    sheet, offset = pad_to_sheet(field, rng, printed=style == "form")
    return sheet, centres + offset


def pad_to_sheet(field: np.ndarray, rng: np.random.Generator, printed: bool) -> tuple[np.ndarray, np.ndarray]:
    """(sheet, (x, y) of the field in it): a gray field image padded with its paper into a
    page-like sheet 1.3 to 2.2 times as wide as tall, `printed` lines of form text around it."""
    height, width = field.shape
    paper = int(np.median(field))
    side = int(width * rng.uniform(0.04, 0.12))
    total = max(height + 20, int((width + 2 * side) / rng.uniform(1.3, 2.2)))
    above = int(rng.uniform(0.15, 0.85) * (total - height))
    sheet = cv2.copyMakeBorder(
        field, above, total - height - above, side, side, cv2.BORDER_CONSTANT, value=paper
    )
    if printed:
        _print_lines(sheet, (above, above + height), rng)
    return sheet, np.array([side, above], np.float64)


def _print_lines(sheet: np.ndarray, keep_clear: tuple[int, int], rng: np.random.Generator) -> None:
    """Printed form text and rules above and below the field's rows `keep_clear` (in place)."""
    height, width = sheet.shape
    ink = int(np.clip(np.median(sheet) - 170, 0, 80))
    size = max(0.6, width / 1600)
    step = int(40 * size)
    for y in range(step, height - step // 2, step):
        if keep_clear[0] - step < y < keep_clear[1] + step:
            continue
        if rng.random() < 0.3:
            cv2.line(sheet, (int(0.05 * width), y), (int(0.95 * width), y), ink, max(1, int(size)))
        else:
            words = " ".join("Xxxxx xx Xxxx xxxxxx"[: int(rng.integers(5, 20))] for _ in range(4))
            cv2.putText(sheet, words, (int(0.06 * width), y), cv2.FONT_HERSHEY_SIMPLEX, size, ink, 1)


def sheet_corners(sheet_shape: tuple[int, int], params: PhotoParams, rng: np.random.Generator) -> np.ndarray:
    """Where the sheet's corners (tl, tr, br, bl) land in the upright photo: scaled, rotated about
    the frame, each moved by tilt x the sheet's width, then the whole fitted inside the frame."""
    height, width = sheet_shape
    frame_w, frame_h = params.frame
    scale = params.sheet_share * frame_w / width
    local = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float64) - [width / 2, height / 2]
    rad = np.deg2rad(params.rotation)
    turn = np.array([[np.cos(rad), np.sin(rad)], [-np.sin(rad), np.cos(rad)]])
    corners = (local * scale) @ turn.T
    directions = rng.uniform(0, 2 * np.pi, 4)
    corners += params.tilt * width * scale * np.stack([np.cos(directions), np.sin(directions)], axis=1)
    span = corners.max(axis=0) - corners.min(axis=0)
    room = np.array([frame_w, frame_h], np.float64) * 0.96
    corners *= min(1.0, float(np.min(room / span)))
    low, high = corners.min(axis=0), corners.max(axis=0)
    free_low = -low + 0.02 * np.array([frame_w, frame_h])
    free_high = np.array([frame_w, frame_h]) * 0.98 - high
    return corners + rng.uniform(np.minimum(free_low, free_high), np.maximum(free_low, free_high))


def _light(params: PhotoParams, rng: np.random.Generator) -> np.ndarray:
    """(H, W) float32 illumination: a linear gradient times a shadow with a soft edge (computed
    on a 1/4 grid and interpolated: both are smooth at that scale)."""
    frame_w, frame_h = params.frame
    step = 4.0
    ys, xs = np.mgrid[0 : frame_h // 4 + 1, 0 : frame_w // 4 + 1].astype(np.float32) * step
    angle = rng.uniform(0, 2 * np.pi)
    ramp = (xs * np.cos(angle) + ys * np.sin(angle)) / max(frame_w, frame_h)
    ramp -= ramp.min()
    light = 1.0 - params.gradient * ramp / max(float(ramp.max()), 1e-6)
    edge_angle = rng.uniform(0, 2 * np.pi)
    through = np.array([rng.uniform(0.3, 0.7) * frame_w, rng.uniform(0.3, 0.7) * frame_h])
    side = (xs - through[0]) * np.cos(edge_angle) + (ys - through[1]) * np.sin(edge_angle)
    shade = 1.0 / (1.0 + np.exp(-np.clip(side / max(params.shadow_edge / 4, 0.5), -30, 30)))
    small = (light * (1.0 - params.shadow * shade)).astype(np.float32)
    full = cv2.resize(small, (small.shape[1] * 4, small.shape[0] * 4), interpolation=cv2.INTER_LINEAR)
    return full[:frame_h, :frame_w]


def photograph(
    sheet: np.ndarray, params: PhotoParams, rng: np.random.Generator, faults: Faults = NO_FAULTS
) -> tuple[np.ndarray, np.ndarray]:
    """(upright BGR photo, 3x3 homography sheet -> photo) of a gray sheet under `params`; a lens
    fault in `faults` bends the photo after the homography, a shake blurs it before the noise."""
    frame_w, frame_h = params.frame
    corners = sheet_corners(sheet.shape, params, rng)
    source = sheet.astype(np.float32)
    # shrink a sheet drawn much larger than it will appear, so the warp does not alias
    side = float(np.linalg.norm(corners[1] - corners[0]))
    shrink = min(1.0, 1.5 * side / sheet.shape[1])
    if shrink < 1.0:
        size = (max(8, round(sheet.shape[1] * shrink)), max(8, round(sheet.shape[0] * shrink)))
        source = cv2.resize(source, size, interpolation=cv2.INTER_AREA)
    h, w = source.shape
    flat = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    to_photo = cv2.getPerspectiveTransform(flat, corners.astype(np.float32))
    desk = params.desk + cv2.resize(
        rng.normal(0, 6, (frame_h // 64 + 2, frame_w // 64 + 2)).astype(np.float32),
        (frame_w, frame_h),
        interpolation=cv2.INTER_CUBIC,
    )
    image = cv2.warpPerspective(
        source,
        to_photo,
        (frame_w, frame_h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_TRANSPARENT,
        dst=desk,
    )
    image *= _light(params, rng)
    if faults.lens:
        image = barrel(image, faults.lens)
    if faults.motion:
        image = shake(image, faults.motion * frame_w / 2000.0, faults.motion_angle)
    if params.blur > 0.05:
        image = cv2.GaussianBlur(image, (0, 0), params.blur)
    cast = np.array([rng.uniform(0.85, 1.0), rng.uniform(0.95, 1.0), rng.uniform(0.95, 1.05)], np.float32)
    noise = rng.standard_normal((frame_h, frame_w), dtype=np.float32)
    image = np.maximum(cv2.scaleAdd(noise, float(params.noise), image), 0.0)  # saturated, not mirrored
    colour = cv2.merge([cv2.convertScaleAbs(image, alpha=float(gain)) for gain in cast])
    sheet_to_flat = np.diag([w / sheet.shape[1], h / sheet.shape[0], 1.0])
    return colour, to_photo @ sheet_to_flat


def encode_jpeg(bgr: np.ndarray, quality: int, orientation: int = 1) -> bytes:
    """JPEG bytes of an upright BGR image; with `orientation` != 1 the pixels are stored turned and
    the EXIF orientation tag says how to turn them back, as a phone does."""
    stored = bgr if orientation == 1 else cv2.rotate(bgr, _STORED[orientation])
    buffer = io.BytesIO()
    exif = Image.Exif()
    if orientation != 1:
        exif[EXIF_ORIENTATION] = orientation
    Image.fromarray(cv2.cvtColor(stored, cv2.COLOR_BGR2RGB)).save(
        buffer, "JPEG", quality=quality, exif=exif.tobytes()
    )
    return buffer.getvalue()


def make_photo(
    glyphs: list[np.ndarray],
    rng: np.random.Generator,
    style: str,
    tilt: float,
    large: bool = False,
    sideways: bool = False,
    faults: Faults = NO_FAULTS,
) -> Photo:
    """A phone photo of a form whose VIN field holds `glyphs` (white-on-black, upright), with
    `faults` (vinocr.synth.photo_faults: the sheet curled, a lens, a shake) when given. `sheet` is
    always the flat one; with a bend or a lens, `homography` maps the bent sheet to the photo
    before the lens."""
    params = random_params(rng, style, tilt, large, sideways)
    sheet, sheet_truth = make_sheet(glyphs, rng, style)
    shot, shot_truth = bend_sheet(sheet, sheet_truth, faults.bend) if faults.bend else (sheet, sheet_truth)
    image, homography = photograph(shot, params, rng, faults)
    truth = cv2.perspectiveTransform(shot_truth.reshape(-1, 1, 2), homography).reshape(-1, 2)
    if faults.lens:
        truth = barrel_points(truth, image.shape, faults.lens)
    data = encode_jpeg(image, params.jpeg_quality, params.orientation)
    return Photo(data, truth, sheet, sheet_truth, homography, params)
