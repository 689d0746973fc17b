"""`python -m vinocr.vin INPUT [INPUT ...] [--mode prefer] [--json] [--csv OUT]`: read whole VINs.

INPUT is one image of the 17-box field, a FOLDER of 17 box images read in natural filename order, or
a ZIP holding one folder of 17 box images per VIN. Prints the VIN alone on the first line, then
accept or review with the probability that the VIN is exactly right and the boxes to check, then the
per-rule report; with several VINs one such block each, after a line "# INPUT". --json prints
everything (per-box confidences, rule-aware alternatives; a list for several VINs); --csv OUT writes
one row per VIN (input, vin, status, probability, check_boxes, rules, message; OUT "-" is stdout).

VINs stream: each one is read, printed, written to the CSV (flushed) and dropped before the next,
so memory does not grow with their number. OUT is checked before any input is read: refused when it
is one of the inputs, a folder, or in a folder that does not exist. It is written to a temporary
file beside it and moved into place when the run ends (an existing OUT is replaced only then, in one
step); on a failure it is left as it was. Ctrl-C keeps what was finished: OUT then holds every VIN
read before it. An OUT that is a FIFO or a device (e.g. /dev/stdout) is written directly.

Names are printed safely: C-escaped in text and on stderr (newline, control characters, bytes that
are not UTF-8 as \\xNN), quoted by the csv module in CSV, escaped by JSON.

Exit status: 0 when every VIN was read in full, 1 when not (the reason is printed; image-named
entries of FOLDER that are not files and refused ZIP members are named on stderr) or when stdout is
closed or cannot be written, 2 for a missing, empty-named or unreadable path or field image (the
other inputs are still read), a refused --csv OUT or a model that cannot be loaded, 130 after
Ctrl-C, 141 when the reader of stdout goes away.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from vinocr.alphabet import UNREAD
from vinocr.box.recognizer import Recognizer
from vinocr.cli_output import (
    INTERRUPTED_STATUS,
    closed_stdout_ends_quietly,
    csv_line,
    emit,
    one_line,
    printable,
    say,
)
from vinocr.vin.csv_target import CsvError, CsvTarget, csv_target_problem
from vinocr.vin.many import CSV_FIELDS, JobOrMessage, VinJob, iter_path_jobs, summary_row
from vinocr.vin.reader import VinReading
from vinocr.vin.rules import MODES

MARKS = {True: "PASS", False: "FAIL", None: "  ? "}


def format_report(reading: VinReading) -> str:
    """Human-readable VIN, explanation and one line per rule."""
    lines = [reading.vin, status_line(reading)]
    if reading.message:
        lines.append(one_line(reading.message))
    if reading.vin != reading.plain:
        lines.append(f"per-box reading: {reading.plain} (changed positions: {reading.changed_positions})")
    for rule in reading.report.rules:
        lines.append(f"  [{MARKS[rule.passed]}] {rule.name}: {one_line(rule.reason)}")
    return "\n".join(lines)


def status_line(reading: VinReading) -> str:
    """E.g. "status: review (probability 61.9%, accept from 97.0%); check boxes 5, 12"."""
    confidence = reading.confidence
    if confidence is None or reading.probability is None:
        reason = confidence.reason if confidence else "not decoded"
        line = f"status: review (no probability: {one_line(reason)})"
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


def existing_paths(raw_paths: list[str]) -> tuple[list[Path], bool]:
    """The inputs that exist, and whether any did not (each one named on stderr). Only names and
    file types are looked at here: nothing is opened."""
    paths, missing = [], False
    for raw in raw_paths:
        path = Path(raw)
        if not raw:  # Path("") would mean the current folder; " " is a name like any other
            say("error: the path is empty")
            missing = True
        elif not path.exists():
            link = " (a broken link: its target does not exist)" if path.is_symlink() else ""
            say(f"error: {path.as_posix()}: no such file or folder{link}")
            missing = True
        else:
            paths.append(path)
    return paths, missing


def complete(job: VinJob) -> bool:
    """True when the job's VIN was read in full."""
    return job.reading is not None and len(job.reading.vin) == 17 and UNREAD not in job.reading.vin


@dataclass
class Tally:
    """What the run has read so far: VINs, VINs not read in full, errors, refused ZIP parts."""

    vins: int = 0
    incomplete: int = 0
    errors: int = 0
    refused: bool = False

    def status(self, missing: bool) -> int:
        """The exit status (see the module docstring)."""
        if missing or self.errors:
            return 2
        return 0 if self.vins and not self.incomplete and not self.refused else 1


class Printer:
    """Standard output, one VIN at a time: text blocks, JSON or CSV rows. With one input that gives one
    VIN the single form is printed (no "# INPUT" line, a JSON object instead of a list): the first VIN
    is held back until the second one, or the end, shows which form it is."""

    def __init__(self, fmt: str, one_input: bool) -> None:
        self.fmt = fmt  # "text", "json" or "csv"
        self.one_input = one_input
        self.held: VinJob | None = None
        self.printed = 0
        if fmt == "csv":
            emit(csv_line(CSV_FIELDS))

    def add(self, job: VinJob) -> None:
        if self.one_input and self.printed == 0 and self.held is None:
            self.held = job
            return
        if self.held is not None:
            self._print(self.held, single=False)
            self.held = None
        self._print(job, single=False)

    def close(self) -> None:
        """Print a VIN still held back (in the single form), and end a JSON list."""
        if self.held is not None:
            self._print(self.held, single=True)
            self.held = None
        elif self.fmt == "json":
            emit("]" if self.printed else "[]")

    def _print(self, job: VinJob, single: bool) -> None:
        first = self.printed == 0
        self.printed += 1
        if self.fmt == "csv":
            emit(csv_line(safe_row(job).values()))
        elif self.fmt == "json":
            text = json.dumps(job_dict(job), indent=1)
            emit(text if single else ("[\n" if first else ",\n") + text)
        elif self.fmt == "text":
            block = format_report(job.reading) if job.reading else f"error: {one_line(job.error)}"
            if single:
                if job.reading:  # a lone error is on stderr
                    emit(block)
            else:
                emit(("" if first else "\n") + f"# {one_line(job.input)}\n{block}")


def safe_row(job: VinJob) -> dict:
    """summary_row with names that any UTF-8 file can hold (bytes that are not UTF-8 as \\xNN;
    newlines are left to the csv module, which quotes them)."""
    return {
        key: printable(value) if isinstance(value, str) else value for key, value in summary_row(job).items()
    }


def read_all(
    recognizer: Recognizer, paths: list[Path], mode: str, printer: Printer, target: CsvTarget | None
) -> Tally:
    """Read every input, one VIN at a time: each is printed, written to the CSV and dropped; every
    problem is named on stderr as it is found."""
    tally = Tally()
    for path, item in _items(recognizer, paths, mode):
        if isinstance(item, str):
            say(item)
            tally.refused = tally.refused or path.suffix.lower() == ".zip"
            continue
        tally.vins += 1
        tally.incomplete += not complete(item)
        if item.error:
            tally.errors += 1
            say(f"error: {item.error}")
        for box in item.reading.boxes if item.reading else []:
            if box.status != "ok":
                say(box.message)
        if target is not None:
            target.write(safe_row(item))
        printer.add(item)
    return tally


def _items(recognizer: Recognizer, paths: list[Path], mode: str) -> Iterator[tuple[Path, JobOrMessage]]:
    """Every input's jobs and messages in turn, each with its input."""
    for path in paths:
        for item in iter_path_jobs(recognizer, path, mode):
            yield path, item


def parse_args(argv: list[str] | None) -> argparse.Namespace:
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
    parser.add_argument(
        "--csv",
        metavar="OUT",
        help="write one row per VIN to OUT ('-': stdout); OUT is replaced when the run ends",
    )
    parser.add_argument("--model-dir", type=Path)
    args = parser.parse_args(argv)
    if args.json and args.csv == "-":
        parser.error("--json and --csv - both write to stdout: choose one")
    return args


@closed_stdout_ends_quietly
def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    paths, missing = existing_paths(args.paths)
    if not paths:
        return 2
    to_file = args.csv not in (None, "-")
    problem = csv_target_problem(args.csv, paths) if to_file else ""
    if problem:
        say(f"error: --csv {problem}")
        return 2
    fmt = "csv" if args.csv == "-" else "json" if args.json else "text"
    try:
        target = CsvTarget(args.csv, CSV_FIELDS) if to_file else None
    except CsvError as exc:
        say(f"error: {exc}")
        return 2
    try:
        status = _run(args, paths, missing, fmt, target)
    except KeyboardInterrupt:
        say("interrupted" + (f"; {keep_after_interrupt(target)}" if target else ""))
        return INTERRUPTED_STATUS
    except BaseException:
        if target:
            target.discard()
        raise
    return status


def _run(
    args: argparse.Namespace, paths: list[Path], missing: bool, fmt: str, target: CsvTarget | None
) -> int:
    """Load the model, read every input, end the output; the CSV is moved into place at the end."""
    try:
        recognizer = Recognizer.load(args.model_dir)
    except (FileNotFoundError, ValueError, OSError) as exc:  # no model, or another model's calibration
        say(f"error: {exc}")
        if target:
            target.discard()
        return 2
    printer = Printer(fmt, one_input=len(args.paths) == 1)
    try:
        tally = read_all(recognizer, paths, args.mode, printer, target)
        printer.close()
        if target:
            target.commit()
    except CsvError as exc:
        target.discard()
        say(f"error: {exc}")
        return 2
    return tally.status(missing)


def keep_after_interrupt(target: CsvTarget) -> str:
    """After Ctrl-C: the CSV with every VIN finished moved into place, or why it could not be; with
    no VIN finished, OUT is left as it was."""
    if not target.rows:
        target.discard()
        return f"{target.name} left as it was (no VIN was finished)"
    try:
        return target.commit() + " before it"
    except CsvError as exc:
        return str(exc)


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
