"""Webcam frames of a form: how wide must the VIN field be in the frame to be found and read?

python -m bench.eval_camera --emnist-dir ../shared/data/emnist --per-share 20 --seed 0 \
    --captures 1280x720 640x480 "704x396 (720p shrunk to the widget)"

Each frame shows a random valid VIN written with EMNIST test-split glyphs in a field (boxes_dark,
boxes_light or form in turn), on a sheet cut to the field and a little paper around it, held up
to a webcam (vinocr.synth.photos: desk behind, turned up to +-5 degrees, each corner moved by 3%
of the sheet's width, a light gradient and a shadow edge, sensor blur and noise). The field's
width (17 box pitches) is set to a share of the frame's width. Each frame is read as the Recognize
page reads a camera photo (decode_photo, then read_field) in four captures:

- 1920x1080, 1280x720 and 640x480: the camera's own frame, as st.camera_input returns it when
  the page asks for a resolution (the page does: the screenshot is then taken at the stream's
  size), JPEG q95;
- 704x396: a 1280x720 frame shrunk to the widget's displayed size, which is what st.camera_input
  returns without a resolution (seen in a centred layout).

Per capture and share: found (all 17 boxes in order, each nearest its true centre), characters
right per box (0 when not found), exact VIN (prefer mode), median seconds per frame, and of the
frames not found, how many the camera page would tell to hold still (vinocr.field.sharpness).
Writes nothing.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from collections import defaultdict

import cv2
import numpy as np

from bench.common import eval_parser, load_split
from bench.eval_photos import _scores
from vinocr.box.recognizer import Recognizer
from vinocr.field.photo import decode_photo
from vinocr.field.sharpness import blurred
from vinocr.synth import photos
from vinocr.synth.fields import make_field
from vinocr.synth.photo_faults import NO_FAULTS, Faults, bend_sheet, random_faults
from vinocr.synth.samples import SAMPLE_VIN, draw_glyph
from vinocr.synth.vins import glyph_index, random_valid_vin, vin_glyphs
from vinocr.vin.reader import read_field

SHARES = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
# capture name -> (stream width, height, returned width, height)
CAPTURES = {
    "1920x1080": (1920, 1080, 1920, 1080),
    "1280x720": (1280, 720, 1280, 720),
    "640x480": (640, 480, 640, 480),
    "704x396 (720p shrunk to the widget)": (1280, 720, 704, 396),
}
TILT = 0.03
MAX_ROTATION = 5.0
JPEG_QUALITY = 95
PAPER_AROUND = 0.03  # paper left on each side of the field, as a share of the field's width
PAPER_ROWS = 3.0  # box pitches of the form kept above and below the field's middle


def field_width(centres: np.ndarray) -> float:
    """Width of a row of box centres as 17 box pitches (first to last centre is 16 of them)."""
    return float(np.linalg.norm(centres[-1] - centres[0])) * len(centres) / (len(centres) - 1)


def held_sheet(
    glyphs: list[np.ndarray], rng: np.random.Generator, style: str
) -> tuple[np.ndarray, np.ndarray]:
    """(gray sheet, (N, 2) box centres): the field with PAPER_AROUND of paper on each side and
    PAPER_ROWS box pitches of the form above and below it."""
    field, centres = make_field(glyphs, rng, style, return_truth=True, angle=0.0, degrade=False)
    sheet, offset = photos.pad_to_sheet(field, rng, printed=style == "form")
    centres = centres + offset
    width = field_width(centres)
    left = max(0, int(centres[0, 0] - width / 34 - PAPER_AROUND * width))
    right = min(sheet.shape[1], int(centres[-1, 0] + width / 34 + PAPER_AROUND * width))
    middle, rows = float(centres[:, 1].mean()), PAPER_ROWS * width / 17
    top, bottom = max(0, int(middle - rows)), min(sheet.shape[0], int(middle + rows))
    return sheet[top:bottom, left:right], centres - [left, top]


def camera_image(
    glyphs: list[np.ndarray],
    rng: np.random.Generator,
    style: str,
    share: float,
    frame: tuple[int, int],
    faults: Faults = NO_FAULTS,
) -> tuple[np.ndarray, np.ndarray]:
    """(BGR frame of (width, height) `frame`, true box centres in it): a form held up to a webcam,
    its field `share` of the frame's width, curled and shaken as `faults` say (no lens here)."""
    sheet, sheet_truth = held_sheet(glyphs, rng, style)
    if faults.bend:
        sheet, sheet_truth = bend_sheet(sheet, sheet_truth, faults.bend)
    params = dataclasses.replace(
        photos.random_params(rng, style, TILT),
        frame=frame,
        rotation=float(rng.uniform(-MAX_ROTATION, MAX_ROTATION)),
        sheet_share=share * sheet.shape[1] / field_width(sheet_truth),
        jpeg_quality=JPEG_QUALITY,
    )
    image, homography = photos.photograph(sheet, params, rng, faults)
    return image, cv2.perspectiveTransform(sheet_truth.reshape(-1, 1, 2), homography).reshape(-1, 2)


def captured(image: np.ndarray, truth: np.ndarray, size: tuple[int, int]) -> tuple[bytes, np.ndarray]:
    """(JPEG bytes as st.camera_input returns them at (width, height) `size`, true centres in it)."""
    height, width = image.shape[:2]
    if (width, height) != size:
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        truth = truth * [size[0] / width, size[1] / height]
    return photos.encode_jpeg(image, JPEG_QUALITY), truth


def hershey_frame(
    vin: str = SAMPLE_VIN,
    share: float = 0.75,
    frame: tuple[int, int] = (1280, 720),
    seed: int = 0,
    style: str = "form",
    faults: Faults = NO_FAULTS,
) -> np.ndarray:
    """A BGR webcam frame of a `style` field holding `vin` in Hershey-font handwriting, shaken or
    curled as `faults` say (no data set needed: what the tests feed to the camera input)."""
    rng = np.random.default_rng(seed)
    glyphs = [draw_glyph(char, rng) for char in vin]
    return camera_image(glyphs, rng, style, share, frame, faults)[0]


def summary(rows: dict[tuple[str, float], list[dict]]) -> list[str]:
    """Markdown table: per capture and share."""
    lines = [
        "| capture | field / frame width (measured) | frames | found | characters right | exact VIN "
        "| median s | not found: told to hold still |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for (capture, share), items in rows.items():
        measured = np.mean([item["share"] for item in items])
        found = np.mean([item["found"] for item in items])
        chars = np.sum([item["chars"] for item in items]) / (17 * len(items))
        exact = np.mean([item["exact"] for item in items])
        seconds = np.median([item["seconds"] for item in items])
        missed = [item for item in items if not item["found"]]
        still = sum(item["blurred"] for item in missed)
        lines.append(
            f"| {capture} | {share:.0%} ({measured:.0%}) | {len(items)} | {found:.2f} | {chars:.3f} "
            f"| {exact:.2f} | {seconds:.2f} | {still} of {len(missed)} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = eval_parser(__doc__)
    parser.add_argument("--per-share", type=int, default=20, help="frames per capture and share")
    parser.add_argument("--shares", type=float, nargs="+", default=list(SHARES), help="field/frame widths")
    parser.add_argument("--captures", nargs="+", choices=list(CAPTURES), default=list(CAPTURES))
    parser.add_argument(
        "--bend", type=float, default=0.0, help="curl the held sheet: most bow, share of width"
    )
    parser.add_argument("--motion", type=float, default=0.0, help="camera shake, most px at 2000 px wide")
    args = parser.parse_args(argv)
    split = load_split(args)
    by_class = glyph_index(split.y_test)
    recognizer = Recognizer.load()
    rng = np.random.default_rng(args.seed)
    rows: dict[tuple[str, float], list[dict]] = defaultdict(list)
    for name in args.captures:
        capture = CAPTURES[name]
        for share in args.shares:
            for i in range(args.per_share):
                style = photos.STYLES[i % len(photos.STYLES)]
                vin = random_valid_vin(rng)
                glyphs = vin_glyphs(vin, split.x_test, by_class, rng)
                faults = random_faults(rng, args.bend, 0.0, args.motion)
                image, truth = camera_image(glyphs, rng, style, share, capture[:2], faults)
                data, truth = captured(image, truth, capture[2:])
                measured = field_width(truth) / capture[2]
                start = time.perf_counter()
                decoded = decode_photo(data, "camera.jpg")
                reading = read_field(recognizer, decoded.gray, "prefer", "camera.jpg")
                seconds = time.perf_counter() - start
                scores = _scores(reading, truth * decoded.scale, vin)
                said_blurred = blurred(decoded.gray)
                rows[(name, share)].append(
                    {**scores, "share": measured, "seconds": seconds, "blurred": said_blurred}
                )
            print("\n".join(summary({(name, share): rows[(name, share)]})[2:]), flush=True)
    print(f"\n{args.per_share} frames per capture and share, seed {args.seed}; tilt {TILT:.0%}, rotation")
    print(f"+-{MAX_ROTATION:.0f} deg, JPEG q{JPEG_QUALITY}, {PAPER_AROUND:.0%} paper each side of the field")
    if args.bend:
        print(
            f"sheet curled: its middle bowed by {args.bend / 2:.3f}-{args.bend:.3f} of its width, up or down"
        )
    if args.motion:
        print(f"camera shake: {args.motion / 2:.1f}-{args.motion:.1f} px (x frame/2000) at any angle")
    print("\n".join(summary(rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
