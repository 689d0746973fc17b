"""`python -m vinocr.vin INPUT [INPUT ...] [--mode prefer] [--json] [--csv OUT]`: read whole VINs.

INPUT is one image of the 17-box field, a FOLDER of 17 box images read in natural filename order, or
a ZIP holding one folder of 17 box images per VIN. Prints the VIN alone on the first line, then
accept or review with the probability that the VIN is exactly right and the boxes to check, then the
per-rule report; with several VINs one such block each, after a line "# INPUT". --json prints
everything (per-box confidences, rule-aware alternatives; a list for several VINs); --csv OUT writes
one row per VIN (input, vin, status, probability, check_boxes, rules, message; OUT "-" is stdout).
Exit status: 0 when every VIN was read in full, 1 when not (the reason is printed; image-named
entries of FOLDER that are not files and refused ZIP members are named on stderr), 2 for a missing,
empty-named or unreadable path or field image (the other inputs are still read), 141 when the reader
of stdout goes away.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import sys
from pathlib import Path

from vinocr.alphabet import UNREAD
from vinocr.box.recognizer import Recognizer
from vinocr.cli_output import closed_stdout_ends_quietly
from vinocr.vin.many import CSV_FIELDS, VinJob, read_path, summary_row
from vinocr.vin.reader import VinReading
from vinocr.vin.rules import MODES

MARKS = {True: "PASS", False: "FAIL", None: "  ? "}


def format_report(reading: VinReading) -> str:
    """Human-readable VIN, explanation and one line per rule."""
    lines = [reading.vin, status_line(reading)]
    if reading.message:
        lines.append(reading.message)
    if reading.vin != reading.plain:
        lines.append(f"per-box reading: {reading.plain} (changed positions: {reading.changed_positions})")
    for rule in reading.report.rules:
        lines.append(f"  [{MARKS[rule.passed]}] {rule.name}: {rule.reason}")
    return "\n".join(lines)


def status_line(reading: VinReading) -> str:
    """E.g. "status: review (probability 61.9%, accept from 97.0%); check boxes 5, 12"."""
    confidence = reading.confidence
    if confidence is None or reading.probability is None:
        reason = confidence.reason if confidence else "not decoded"
        line = f"status: review (no probability: {reason})"
    else:
        line = (
            f"status: {reading.status} (probability {reading.probability:.1%}, "
            f"accept from {confidence.threshold:.1%})"
        )
    return line + (f"; check boxes {', '.join(map(str, reading.check_boxes))}" if reading.check_boxes else "")


def job_dict(job: VinJob) -> dict:
    """JSON of one VIN: its input and everything read, or the error."""
    return (
        {"input": job.input, **job.reading.to_dict()}
        if job.reading
        else {"input": job.input, "error": job.error}
    )


def write_csv(jobs: list[VinJob], target: str) -> None:
    """One row per VIN into `target` ("-": stdout); OSError when the file can't be written."""
    with contextlib.ExitStack() as stack:
        handle = (
            sys.stdout
            if target == "-"
            else stack.enter_context(open(target, "w", newline="", encoding="utf-8"))
        )
        writer = csv.DictWriter(handle, CSV_FIELDS)
        writer.writeheader()
        writer.writerows(summary_row(job) for job in jobs)


def existing_paths(raw_paths: list[str]) -> tuple[list[Path], bool]:
    """The inputs that exist, and whether any did not (each one named on stderr)."""
    paths, missing = [], False
    for raw in raw_paths:
        path = Path(raw)
        if not raw.strip() or not path.exists():  # Path("") would mean the current folder
            problem = f"{path.as_posix()}: no such file or folder" if raw.strip() else "the path is empty"
            print(f"error: {problem}", file=sys.stderr)
            missing = True
        else:
            paths.append(path)
    return paths, missing


def read_inputs(recognizer: Recognizer, paths: list[Path], mode: str) -> tuple[list[VinJob], bool]:
    """One job per VIN, and whether a ZIP had refused parts; every problem is named on stderr."""
    jobs: list[VinJob] = []
    refused = False
    for path in paths:
        found, messages = read_path(recognizer, path, mode)
        for message in messages:
            print(message, file=sys.stderr)
        refused = refused or (path.suffix.lower() == ".zip" and bool(messages))
        jobs.extend(found)
    for job in jobs:
        if job.error:
            print(f"error: {job.error}", file=sys.stderr)
        for box in job.reading.boxes if job.reading else []:
            if box.status != "ok":
                print(box.message, file=sys.stderr)
    return jobs, refused


def text_report(jobs: list[VinJob], single: bool) -> str:
    """The plain-text output: one block per VIN (after a "# INPUT" line unless there is one input)."""
    blocks = []
    for job in jobs:
        block = format_report(job.reading) if job.reading else f"error: {job.error}"
        blocks.append(block if single else f"# {job.input}\n{block}")
    return "\n\n".join(blocks)


def complete(job: VinJob) -> bool:
    """True when the job's VIN was read in full."""
    return job.reading is not None and len(job.reading.vin) == 17 and UNREAD not in job.reading.vin


@closed_stdout_ends_quietly
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vinocr.vin", description=__doc__.split("\n")[0])
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="INPUT",
        help="an image of the whole VIN field, a folder of 17 box images, or a ZIP of such folders",
    )
    parser.add_argument(
        "--mode",
        choices=MODES,
        default="prefer",
        help="check digit: enforce (North America), prefer (default) or ignore",
    )
    parser.add_argument("--json", action="store_true", help="print everything as JSON")
    parser.add_argument("--csv", metavar="OUT", help="write one row per VIN to OUT ('-': stdout)")
    parser.add_argument("--model-dir", type=Path)
    args = parser.parse_args(argv)
    if args.json and args.csv == "-":
        parser.error("--json and --csv - both write to stdout: choose one")
    paths, failed = existing_paths(args.paths)
    if not paths:
        return 2
    try:
        recognizer = Recognizer.load(args.model_dir)
    except (FileNotFoundError, ValueError, OSError) as exc:  # no model, or another model's calibration
        print(f"error: {exc}", file=sys.stderr)
        return 2
    jobs, refused = read_inputs(recognizer, paths, args.mode)
    single = len(jobs) == 1 and len(args.paths) == 1
    if args.csv:
        try:
            write_csv(jobs, args.csv)
        except OSError as exc:
            print(f"error: {args.csv}: could not be written ({exc.strerror or exc})", file=sys.stderr)
            return 2
    if args.json:
        print(json.dumps(job_dict(jobs[0]) if single else [job_dict(job) for job in jobs], indent=1))
    elif args.csv != "-" and jobs and not (single and jobs[0].error):  # a lone error is on stderr
        print(text_report(jobs, single))
    if failed or any(job.error for job in jobs):
        return 2
    return 0 if jobs and all(complete(job) for job in jobs) and not refused else 1


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
