"""Many VINs at once: read field images, folders of 17 box images and ZIPs of such folders, and
summarise each VIN as one row (input, VIN, status, probability, boxes to check, rules)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vinocr.box.folder import FolderError, scan_folder
from vinocr.box.image_io import ImageError
from vinocr.box.recognizer import Recognizer
from vinocr.field.photo import decode_photo, read_photo_file
from vinocr.vin.batch_zip import ZipError, ZipSource, iter_vin_zip
from vinocr.vin.reader import VinReading, read_boxes, read_field
from vinocr.vin.rules import VIN_LENGTH, VinReport

CSV_FIELDS = ("input", "vin", "status", "probability", "check_boxes", "rules", "message")
MARKS = {True: "pass", False: "FAIL", None: "unknown"}


@dataclass
class VinJob:
    """One VIN's input and its reading, or why it could not be read at all."""

    input: str
    reading: VinReading | None = None
    error: str = ""


JobOrMessage = VinJob | str
"""What the iter_* readers yield: a VIN's job, or a message about something skipped or refused."""


def rules_summary(report: VinReport) -> str:
    """E.g. "ok: characters pass, length pass, check_digit pass, model_year pass, wmi unknown"."""
    verdict = "ok" if report.ok else "FAIL"
    return f"{verdict}: " + ", ".join(f"{rule.name} {MARKS[rule.passed]}" for rule in report.rules)


def summary_row(job: VinJob) -> dict[str, Any]:
    """One CSV/table row: input, VIN, status, probability, boxes to check (e.g. "5 12"), rules, message
    (the reading's, then that of each box that gave no character, which names its file)."""
    reading = job.reading
    if reading is None:
        return dict.fromkeys(CSV_FIELDS, "") | {"input": job.input, "status": "error", "message": job.error}
    probability = reading.probability
    return {
        "input": job.input,
        "vin": reading.vin,
        "status": reading.status,
        "probability": None if probability is None else round(probability, 4),
        "check_boxes": " ".join(map(str, reading.check_boxes)),
        "rules": rules_summary(reading.report),
        "message": "; ".join([reading.message] * bool(reading.message) + box_problems(reading)),
    }


def box_problems(reading: VinReading) -> list[str]:
    """The message of every box that gave no character, naming its file (and ZIP)."""
    return [box.message for box in reading.boxes if box.status != "ok" and box.message]


def read_box_items(recognizer: Recognizer, items: list[tuple[str, bytes]], mode: str) -> VinReading:
    """17 (name, bytes) box images in VIN order -> reading."""
    threshold = recognizer.calibration.accept_threshold
    return read_boxes(recognizer.recognize_bytes(items), mode, None, threshold)


def read_field_bytes(recognizer: Recognizer, name: str, data: bytes, mode: str) -> VinJob:
    """One encoded field image or photo (up to 50 MP) -> job (a bad image becomes the job's error)."""
    try:
        image = decode_photo(data, name).gray
    except ImageError as exc:
        return VinJob(name, error=str(exc))
    return _field_job(recognizer, name, image, mode)


def iter_zip_jobs(recognizer: Recognizer, name: str, source: ZipSource, mode: str) -> Iterator[JobOrMessage]:
    """A ZIP of box-image folders (a path, a seekable file object or bytes) -> one VinJob per folder
    of 17, yielded as soon as it is read, and a message (str) for each member or folder refused; a
    ZIP that cannot be read at all (not a ZIP, too large, a FIFO) gives one VinJob with the error.
    Memory holds one VIN at a time (vinocr.vin.batch_zip.iter_vin_zip); box names carry the ZIP's."""
    for found in iter_vin_zip(source, name):
        if isinstance(found, ZipError):  # the whole ZIP: an error row, like an unreadable image
            yield VinJob(name, error=str(found))
        elif isinstance(found, str):
            yield found
        else:
            items = [(f"{name}:{member}", data) for member, data in found.items]
            yield VinJob(f"{name}:{found.label}", read_box_items(recognizer, items, mode))


def iter_path_jobs(recognizer: Recognizer, path: Path, mode: str) -> Iterator[JobOrMessage]:
    """A folder of 17 box images, a field image or a ZIP of box-image folders -> VinJobs one at a
    time, and a message (str) for each thing skipped or refused (the rest is still read)."""
    name = path.as_posix()
    if path.is_dir():
        try:
            scan = scan_folder(path)
        except FolderError as exc:
            yield VinJob(name, error=str(exc))
            return
        yield from scan.skipped
        count = len(scan.images)
        if count != VIN_LENGTH:  # refused from the listing: never reads 10,000 boxes to say so
            yield VinJob(name, error=f"{name}: holds {count:,} box images; a VIN needs {VIN_LENGTH}")
            return
        threshold = recognizer.calibration.accept_threshold
        yield VinJob(name, read_boxes(recognizer.recognize_files(scan.images), mode, None, threshold))
    elif path.suffix.lower() == ".zip":
        yield from iter_zip_jobs(recognizer, name, path, mode)
    else:
        try:
            image = read_photo_file(path).gray  # a scan or a phone photo of the field
        except ImageError as exc:
            yield VinJob(name, error=str(exc))
            return
        yield _field_job(recognizer, name, image, mode)


def read_path(recognizer: Recognizer, path: Path, mode: str) -> tuple[list[VinJob], list[str]]:
    """iter_path_jobs collected: every job and every message at once (for a few VINs only)."""
    jobs: list[VinJob] = []
    messages: list[str] = []
    for item in iter_path_jobs(recognizer, path, mode):
        (messages if isinstance(item, str) else jobs).append(item)
    return jobs, messages


def _field_job(recognizer: Recognizer, name: str, image, mode: str) -> VinJob:
    """Read a decoded field image; an unforeseen failure becomes the job's error, never a crash."""
    try:
        return VinJob(name, read_field(recognizer, image, mode, name))
    except Exception as exc:  # one odd image must not end a run over many
        return VinJob(name, error=f"{name}: could not be processed ({type(exc).__name__}: {exc})")
