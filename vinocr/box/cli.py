"""`python -m vinocr DIR`: one line per box image, `[ASCII code in decimal], [POSIX path]`.

Images are every .png/.jpg/.jpeg/.bmp (any case) directly in DIR, in natural sorted order, read and
printed a chunk at a time. A file that cannot be read, a box with no character, or an image-named
entry that is not a file (a folder, a broken link, a FIFO, a device or a link to one) is reported on
stderr and the exit status is 1; a missing, unreadable or empty-named folder, or a model that cannot
be loaded, gives exit status 2. In plain output and on stderr a name with a newline, a backslash,
another control character or a byte that is not UTF-8 is C-escaped (as `ls -b` does), so one line is
one image; `--format csv` quotes such names (csv module) with such bytes as \\xNN. When the reader
of stdout goes away (`| head -1`) the command stops quietly with status 141; Ctrl-C stops it with
status 130 and one line; a stdout that is closed or full ends it with one line and status 1.
`--format csv|json` adds confidence and the top 3.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from vinocr.box.folder import FolderError, list_images, scan_folder
from vinocr.box.recognizer import BoxResult, Recognizer
from vinocr.cli_output import closed_stdout_ends_quietly, csv_line, emit, one_line, printable, say
from vinocr.model_files import ONNX_FILE

__all__ = ["list_images", "main", "run"]

CHUNK = 256  # boxes per model call


CSV_HEADER = ("ascii", "path", "char", "status", "confidence", "top1", "top2", "top3")


def _emit(results: list[BoxResult], fmt: str) -> int:
    """Write results in the chosen format; return how many had no character."""
    failures = 0
    for r in results:
        if r.status != "ok":
            failures += 1
            say(r.message)
            if fmt == "plain":
                continue
        if fmt == "plain":
            emit(f"{r.ascii_code}, {one_line(r.name)}")
        elif fmt == "csv":
            emit(
                csv_line(
                    [r.ascii_code or "", printable(r.name), r.char or "", r.status, f"{r.confidence:.4f}"]
                    + [f"{c}:{p:.4f}" for c, p in r.top]
                )
            )
        else:
            emit(json.dumps(r.to_dict()))
    return failures


@closed_stdout_ends_quietly
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vinocr", description=__doc__.split("\n")[0])
    parser.add_argument("folder", help="folder of box images")
    parser.add_argument(
        "--format",
        choices=("plain", "csv", "json"),
        default="plain",
        help="plain: the task contract; csv/json add status, confidence and top 3",
    )
    parser.add_argument(
        "--model-dir", type=Path, help=f"folder with {ONNX_FILE} (default: models/ or $VINOCR_MODEL_DIR)"
    )
    args = parser.parse_args(argv)
    try:
        scan = scan_folder(args.folder)
    except FolderError as exc:
        say(f"error: {exc}")
        return 2
    for message in scan.skipped:
        say(message)
    paths = scan.images
    if not paths:
        say(f"{Path(args.folder).as_posix()}: no box images (.png, .jpg, .jpeg or .bmp) in this folder")
        return 1 if scan.skipped else 0
    try:
        recognizer = Recognizer.load(args.model_dir)
    except (FileNotFoundError, ValueError, OSError) as exc:  # no model, or another model's calibration
        say(f"error: {exc}")
        return 2
    if args.format == "csv":
        emit(csv_line(CSV_HEADER))
    failures = 0
    for start in range(0, len(paths), CHUNK):
        failures += _emit(recognizer.recognize_files(paths[start : start + CHUNK]), args.format)
    return 1 if failures or scan.skipped else 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
