"""Many VINs at once: read field images, folders of 17 box images and ZIPs of such folders, and
summarise each VIN as one row (input, VIN, status, probability, boxes to check, rules)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vinocr.box.folder import FolderError, scan_folder
from vinocr.box.image_io import ImageError
from vinocr.box.recognizer import Recognizer
from vinocr.vin.batch_zip import ZipVins, read_vin_zip
from vinocr.vin.photo import decode_photo, read_photo_file
from vinocr.vin.reader import VinReading, read_boxes, read_field
from vinocr.vin.rules import VinReport

CSV_FIELDS = ("input", "vin", "status", "probability", "check_boxes", "rules", "message")
MARKS = {True: "pass", False: "FAIL", None: "unknown"}


@dataclass
class VinJob:
    """One VIN's input and its reading, or why it could not be read at all."""

    input: str
    reading: VinReading | None = None
    error: str = ""


def rules_summary(report: VinReport) -> str:
    """E.g. "ok: characters pass, length pass, check_digit pass, model_year pass, wmi unknown"."""
    verdict = "ok" if report.ok else "FAIL"
    return f"{verdict}: " + ", ".join(f"{rule.name} {MARKS[rule.passed]}" for rule in report.rules)


def summary_row(job: VinJob) -> dict[str, Any]:
    """One CSV/table row: input, VIN, status, probability, boxes to check (e.g. "5 12"), rules, message."""
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
        "message": reading.message,
    }


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


def read_zip_bytes(recognizer: Recognizer, name: str, data: bytes, mode: str) -> tuple[list[VinJob], ZipVins]:
    """A ZIP of box-image folders -> one job per folder of 17, and what the ZIP reader refused."""
    found = read_vin_zip(data, name)
    jobs = [
        VinJob(f"{name}:{folder.label}", read_box_items(recognizer, folder.items, mode))
        for folder in found.folders
    ]
    return jobs, found


def read_path(recognizer: Recognizer, path: Path, mode: str) -> tuple[list[VinJob], list[str]]:
    """A folder of 17 box images, a field image or a ZIP of box-image folders -> jobs, and messages
    about what was skipped or refused (the rest is still read)."""
    name = path.as_posix()
    if path.is_dir():
        try:
            scan = scan_folder(path)
        except FolderError as exc:
            return [VinJob(name, error=str(exc))], []
        threshold = recognizer.calibration.accept_threshold
        reading = read_boxes(recognizer.recognize_files(scan.images), mode, None, threshold)
        return [VinJob(name, reading)], list(scan.skipped)
    if path.suffix.lower() == ".zip":
        try:
            data = path.read_bytes()
        except OSError as exc:
            return [VinJob(name, error=f"{name}: could not be read ({exc.strerror or exc})")], []
        jobs, found = read_zip_bytes(recognizer, name, data, mode)
        return jobs, found.refused
    try:
        image = read_photo_file(path).gray  # a scan or a phone photo of the field
    except ImageError as exc:
        return [VinJob(name, error=str(exc))], []
    return [_field_job(recognizer, name, image, mode)], []


def _field_job(recognizer: Recognizer, name: str, image, mode: str) -> VinJob:
    """Read a decoded field image; an unforeseen failure becomes the job's error, never a crash."""
    try:
        return VinJob(name, read_field(recognizer, image, mode, name))
    except Exception as exc:  # one odd image must not end a run over many
        return VinJob(name, error=f"{name}: could not be processed ({type(exc).__name__}: {exc})")
