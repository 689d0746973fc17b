"""`python -m vinocr.vin FIELD_IMAGE|FOLDER [--mode prefer] [--json]`: read a whole VIN.

FIELD_IMAGE is one image of the 17-box field; FOLDER holds 17 box images read in natural filename
order. Prints the VIN and the per-rule report; --json prints everything (per-box confidences,
rule-aware alternatives). Exit status: 0 when a full VIN was read, 1 when not (the reason is
printed; image-named entries of FOLDER that are not files are named on stderr), 2 for a missing,
empty-named or unreadable path or field image, 141 when the reader of stdout goes away.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from vinocr.alphabet import UNREAD
from vinocr.box.folder import FolderError, scan_folder
from vinocr.box.image_io import ImageError, read_image_file
from vinocr.box.recognizer import Recognizer
from vinocr.cli_output import closed_stdout_ends_quietly
from vinocr.vin.reader import VinReading, read_boxes, read_field
from vinocr.vin.rules import MODES

MARKS = {True: "PASS", False: "FAIL", None: "  ? "}


def format_report(reading: VinReading) -> str:
    """Human-readable VIN, explanation and one line per rule."""
    lines = [reading.vin]
    if reading.message:
        lines.append(reading.message)
    if reading.vin != reading.plain:
        lines.append(f"per-box reading: {reading.plain} (changed positions: {reading.changed_positions})")
    for rule in reading.report.rules:
        lines.append(f"  [{MARKS[rule.passed]}] {rule.name}: {rule.reason}")
    return "\n".join(lines)


@closed_stdout_ends_quietly
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vinocr.vin", description=__doc__.split("\n")[0])
    parser.add_argument("path", help="an image of the whole VIN field, or a folder of 17 box images")
    parser.add_argument(
        "--mode",
        choices=MODES,
        default="prefer",
        help="check digit: enforce (North America), prefer (default) or ignore",
    )
    parser.add_argument("--json", action="store_true", help="print everything as JSON")
    parser.add_argument("--model-dir", type=Path)
    args = parser.parse_args(argv)
    path = Path(args.path)
    if not args.path.strip() or not path.exists():  # Path("") would mean the current folder
        problem = f"{path.as_posix()}: no such file or folder" if args.path.strip() else "the path is empty"
        print(f"error: {problem}", file=sys.stderr)
        return 2
    try:
        scan = scan_folder(path) if path.is_dir() else None
        image = read_image_file(path) if scan is None else None
        recognizer = Recognizer.load(args.model_dir)
    except (FolderError, ImageError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if scan is not None:
        for message in scan.skipped:
            print(message, file=sys.stderr)
        reading = read_boxes(recognizer.recognize_files(scan.images), args.mode)
    else:
        reading = read_field(recognizer, image, args.mode, path.as_posix())
    for box in reading.boxes:
        if box.status != "ok":
            print(box.message, file=sys.stderr)
    print(json.dumps(reading.to_dict(), indent=1) if args.json else format_report(reading))
    complete = len(reading.vin) == 17 and UNREAD not in reading.vin
    return 0 if complete else 1


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
