"""Phone photos of the form: boxes found, characters and VINs read, against the same glyphs in clean fields.

python -m bench.eval_photos --emnist-dir ../shared/data/emnist --per-tilt 200 --seed 0

Each photo shows a random valid VIN written with test-split glyphs in a field (boxes_dark,
boxes_light or form in turn) on a sheet lying on a desk, photographed by vinocr.synth.photos at
tilt levels 0 / 3% / 6% / 10% (every fifth photo a 4032x3024 frame, every tenth stored sideways
with an EXIF orientation tag). Each photo is read from its JPEG bytes exactly as an upload is
(decode_photo, then read_field); the sheet it was made from (flat, clean, same glyphs) is read too.
A field counts as found when all 17 boxes were found in order, each nearest its true centre.
Character accuracy is the per-box reading; exact VIN is the rule-aware (prefer) VIN; a field whose
boxes were not all found counts as all wrong. "Accepted" is the share of VINs the accept-or-review
verdict accepts, and how many of those were not exactly right. Nothing is written to disk unless
--save-failures.

`--realdev-dir DIR` writes the VINs with one real source's images instead (`--source`, default the first
source that holds all 33 characters; vinocr.train.realdev.as_glyph): other people's handwriting in the
same photos. What that does not cover: one writer's 120 images (note2tex) spell every VIN, so the same
few glyphs recur in every photo and the figures say more about that writer than about writers at large.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np

from bench.common import eval_parser, load_split
from vinocr.alphabet import VIN_ALPHABET
from vinocr.box.recognizer import Recognizer
from vinocr.field.photo import decode_photo
from vinocr.field.sharpness import blurred
from vinocr.synth import photos
from vinocr.synth.fields import centres_match
from vinocr.synth.photo_faults import random_faults
from vinocr.synth.vins import glyph_index, random_valid_vin, vin_glyphs
from vinocr.train.realdev import full_sources, named_realdev_dir, read_labels, source_glyphs
from vinocr.vin.reader import VinReading, read_field


def _scores(reading: VinReading, truth: np.ndarray, vin: str) -> dict[str, float]:
    """found: all boxes found in order; wrong: boxes reported found but not the true ones; chars:
    characters right per box (0 when not found); exact: exact VIN in prefer mode; accepted: the VIN
    shown was accepted (vinocr.vin.confidence), accepted_wrong: accepted but not exactly right."""
    seg = reading.segmentation
    found = seg is not None and seg.ok and centres_match(seg.to_input(seg.centres), truth)
    wrong = seg is not None and seg.ok and not found
    chars = sum(a == b for a, b in zip(reading.plain, vin)) if found else 0
    exact = found and reading.vin == vin
    accepted = reading.status == "accept"
    return {
        "found": found,
        "wrong": wrong,
        "chars": chars,
        "exact": exact,
        "accepted": accepted,
        "accepted_wrong": accepted and not exact,
    }


def _summary(rows: dict[str, list[dict[str, float]]]) -> list[str]:
    """Markdown table rows: per tilt level and for all photos."""
    lines = [
        "| tilt | photos | all 17 found in order | 17 reported, wrong | characters right, all photos "
        "(clean) | on fields found in both (clean) | exact VIN, prefer (clean) | accepted, of them wrong "
        "(clean) | median s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    everything = [item for items in rows.values() for item in items]
    for tilt, items in [*rows.items(), ("all", everything)]:
        keys = ("found", "wrong", "chars", "exact", "accepted", "accepted_wrong")
        photo = {k: np.array([item["photo"][k] for item in items], float) for k in keys}
        clean = {k: np.array([item["clean"][k] for item in items], float) for k in keys}
        both = (photo["found"] > 0) & (clean["found"] > 0)
        pairs, total = max(1, int(both.sum())), 17 * len(items)
        lines.append(
            f"| {tilt} | {len(items)} | {photo['found'].mean():.3f} (clean {clean['found'].mean():.3f}) "
            f"| {int(photo['wrong'].sum())} "
            f"| {photo['chars'].sum() / total:.4f} ({clean['chars'].sum() / total:.4f}) "
            f"| {photo['chars'][both].sum() / (17 * pairs):.4f} "
            f"({clean['chars'][both].sum() / (17 * pairs):.4f}) "
            f"| {photo['exact'].mean():.3f} ({clean['exact'].mean():.3f}) "
            f"| {photo['accepted'].mean():.3f}, {int(photo['accepted_wrong'].sum())} "
            f"({clean['accepted'].mean():.3f}, {int(clean['accepted_wrong'].sum())}) "
            f"| {np.median([item['seconds'] for item in items]):.2f} |"
        )
    return lines


def blur_line(items: list[dict]) -> str:
    """How many photos, found and not found, the Recognize page says look blurred."""
    found = [item["blurred"] for item in items if item["photo"]["found"]]
    missed = [item["blurred"] for item in items if not item["photo"]["found"]]
    return (
        f"said to look blurred (vinocr.field.sharpness): {sum(missed)} of {len(missed)} photos not found, "
        f"{sum(found)} of {len(found)} found"
    )


def _save_failures(
    folder: Path, tag: str, reading: VinReading, vin: str, photo: photos.Photo, found: bool
) -> None:
    """A photo whose boxes were not all found in order: its JPEG and the field overlay; else each
    misread box's cut (as the recognizer got it) as PNG, named by photo, box and characters."""
    folder.mkdir(parents=True, exist_ok=True)
    seg = reading.segmentation
    if not found:
        (folder / f"{tag}_not_found.jpg").write_bytes(photo.data)
        if seg is not None and seg.field_overlay is not None:
            cv2.imwrite(str(folder / f"{tag}_not_found_overlay.png"), seg.field_overlay)
        return
    for k, (box, image) in enumerate(zip(reading.boxes, seg.boxes, strict=True)):
        if reading.plain[k] != vin[k]:
            cv2.imwrite(str(folder / f"{tag}_box{k + 1:02d}_{vin[k]}_read_{box.char or 'none'}.png"), image)


def print_generator(args: argparse.Namespace) -> None:
    """The photo generator's parameters."""
    print("photo generator (vinocr/synth/photos.py):")
    print(f"  styles {', '.join(photos.STYLES)}; tilt levels {', '.join(f'{t:.0%}' for t in photos.TILTS)}")
    print("  sheet: the field (make_field, no degradation) padded with paper to 1.3-2.2:1, form text")
    print("  around the form style; 60-90% of the frame's width; desk 30-120 (light paper) or 110-190")
    print(
        f"  (dark paper); rotation +-{photos.MAX_ROTATION:.0f} deg; each corner moved by tilt x sheet width"
    )
    print("  in a random direction; light falls 10-35% across the frame; shadow 20-45% darker with a")
    print("  4-40 px soft edge (x frame/2000); blur sigma 0.4-1.3 px (x frame/2000); noise sigma 2-7;")
    print("  colour cast; JPEG quality 70-95; frames 1600-2600 px wide (4:3), every fifth 4032x3024;")
    print("  every tenth stored sideways with an EXIF orientation tag (3, 6 or 8)")
    if any((args.bend, args.lens, args.motion)):
        print(
            f"  faults (vinocr/synth/photo_faults.py), each at 0.5-1 x its most: sheet bow {args.bend:.3f} x"
        )
        print(f"  its width (up or down), barrel {args.lens:.3f}, shake {args.motion:.1f} px (x frame/2000)")


def glyph_pool(args: argparse.Namespace) -> tuple[list[np.ndarray] | np.ndarray, np.ndarray] | str:
    """The glyphs the VINs are written with and their classes: the EMNIST test split, or one source of
    a real writers' folder (`--realdev-dir`, `--source`); a message when that folder cannot spell VINs."""
    if args.realdev_dir is None:
        split = load_split(args)
        return split.x_test, split.y_test
    try:
        folder = named_realdev_dir(args.realdev_dir)
    except FileNotFoundError as exc:
        return str(exc)
    chars = read_labels(folder)
    full = full_sources(chars, VIN_ALPHABET)
    source = args.source or (full[0] if full else None)
    if source not in full:
        named = f"named {source!r} " if source else ""
        return f"{folder}: no source {named}holds all 33 VIN characters"
    print(f"glyphs: {folder}, source {source}")
    return source_glyphs(chars, source, VIN_ALPHABET)


def main(argv: list[str] | None = None) -> int:
    parser = eval_parser(__doc__)
    parser.add_argument("--per-tilt", type=int, default=200, help="photos per tilt level")
    parser.add_argument("--show-failures", type=int, default=8, help="print this many fields not found")
    parser.add_argument(
        "--bend", type=float, default=0.0, help="curl the sheet: most bow, share of its width"
    )
    parser.add_argument(
        "--lens", type=float, default=0.0, help="barrel distortion, most strength (0.1: strong)"
    )
    parser.add_argument("--motion", type=float, default=0.0, help="camera shake, most px at 2000 px wide")
    parser.add_argument(
        "--save-failures", type=Path, help="write photos not found (JPEG) and misread box cuts (PNG) here"
    )
    parser.add_argument(
        "--realdev-dir", type=Path, help="write the VINs with a real writers' folder's images"
    )
    parser.add_argument("--source", help="the realdev source to write with (default: the first full one)")
    args = parser.parse_args(argv)
    pool = glyph_pool(args)
    if isinstance(pool, str):
        print(f"error: {pool}", file=sys.stderr)
        return 2
    glyphs, labels = pool
    by_class = glyph_index(labels)
    recognizer = Recognizer.load()
    rng = np.random.default_rng(args.seed)
    print_generator(args)
    rows: dict[str, list[dict]] = defaultdict(list)
    large_times: list[float] = []
    shown = 0
    for tilt in photos.TILTS:
        for i in range(args.per_tilt):
            style = photos.STYLES[i % len(photos.STYLES)]
            vin = random_valid_vin(rng)
            written = vin_glyphs(vin, glyphs, by_class, rng)
            faults = random_faults(rng, args.bend, args.lens, args.motion)
            photo = photos.make_photo(
                written, rng, style, tilt, large=i % 5 == 4, sideways=i % 10 == 7, faults=faults
            )
            start = time.perf_counter()
            decoded = decode_photo(photo.data, "photo.jpg")
            reading = read_field(recognizer, decoded.gray, "prefer", "photo.jpg")
            seconds = time.perf_counter() - start
            if photo.params.frame == photos.LARGE_FRAME:
                large_times.append(seconds)
            scores = _scores(reading, photo.truth * decoded.scale, vin)
            clean = _scores(read_field(recognizer, photo.sheet, "prefer", "sheet"), photo.sheet_truth, vin)
            said_blurred = blurred(decoded.gray)  # the Recognize page says so
            rows[f"{tilt:.0%}"].append(
                {"photo": scores, "clean": clean, "seconds": seconds, "blurred": said_blurred}
            )
            if not scores["found"] and shown < args.show_failures:
                shown += 1
                message = reading.segmentation.message if reading.segmentation else reading.message
                print(f"  not found: tilt {tilt:.0%} photo {i} ({style}): {message}; {photo.describe()}")
            if args.save_failures:
                tag = f"tilt{tilt:.2f}_{i:03d}"
                _save_failures(args.save_failures, tag, reading, vin, photo, bool(scores["found"]))
    print(f"\n{args.per_tilt} photos per tilt level, seed {args.seed}")
    print("\n".join(_summary(rows)))
    print(blur_line([item for items in rows.values() for item in items]))
    if large_times:
        median, most = np.median(large_times), np.max(large_times)
        count = len(large_times)
        print(f"4032x3024 JPEG bytes -> VIN ({count} photos): median {median:.2f} s, max {most:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
