"""`python -m vinocr DIR`: one line per box image, `[ASCII code in decimal], [POSIX path]`.

Images are every .png/.jpg/.jpeg/.bmp (any case) directly in DIR, in natural sorted order. A file
that cannot be read, or a box with no character, is reported on stderr and the exit status is 1;
a missing folder gives exit status 2. `--format csv|json` adds confidence and the top 3.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from natsort import natsorted

from vinocr.box.image_io import is_image_name
from vinocr.box.recognizer import BoxResult, Recognizer
from vinocr.model_files import ONNX_FILE

CHUNK = 256  # boxes per model call


def list_images(folder: Path) -> list[Path]:
    """Image files directly inside `folder`, in natural order of their names."""
    return natsorted(
        (p for p in folder.iterdir() if p.is_file() and is_image_name(p.name)), key=lambda p: p.name
    )


def _emit(results: list[BoxResult], fmt: str, writer) -> int:
    """Write results in the chosen format; return how many had no character."""
    failures = 0
    for r in results:
        if r.status != "ok":
            failures += 1
            print(r.message, file=sys.stderr)
            if fmt == "plain":
                continue
        if fmt == "plain":
            print(f"{r.ascii_code}, {r.name}")
        elif fmt == "csv":
            writer.writerow(
                [r.ascii_code or "", r.name, r.char or "", r.status, f"{r.confidence:.4f}"]
                + [f"{c}:{p:.4f}" for c, p in r.top]
            )
        else:
            print(json.dumps(r.to_dict()))
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vinocr", description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path, help="folder of box images")
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
    if not args.folder.is_dir():
        print(f"error: {args.folder.as_posix()}: no such folder", file=sys.stderr)
        return 2
    paths = list_images(args.folder)
    if not paths:
        return 0
    try:
        recognizer = Recognizer.load(args.model_dir)
    except (FileNotFoundError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    writer = csv.writer(sys.stdout, lineterminator="\n")
    if args.format == "csv":
        writer.writerow(["ascii", "path", "char", "status", "confidence", "top1", "top2", "top3"])
    failures = 0
    for start in range(0, len(paths), CHUNK):
        failures += _emit(recognizer.recognize_files(paths[start : start + CHUNK]), args.format, writer)
    sys.stdout.flush()
    return 1 if failures else 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
