"""The --csv OUT file of `python -m vinocr.vin`: checked before any input is read, written row by row
(flushed) to a temporary file beside it, and moved into place in one step when the run ends, so an
existing OUT is never left half-written: on a failure it stays as it was. OUT that is a FIFO or a
device (/dev/stdout) is written directly."""

from __future__ import annotations

import contextlib
import csv
import os
import stat
import tempfile
from collections.abc import Sequence
from pathlib import Path

from vinocr.box.image_io import is_image_name


class CsvError(Exception):
    """OUT cannot be written (the message names it and says why)."""


def csv_target_problem(target: str, inputs: Sequence[Path]) -> str:
    """Why OUT is refused before anything is read ("" when it may be written): an empty name, a folder,
    a folder that does not exist, one of the inputs (it would be overwritten with CSV text), or an
    image name in an input folder (one of its box images)."""
    if not target:
        return "the file name is empty"
    path = Path(target)
    name = path.as_posix()
    if path.is_dir():
        return f"{name}: is a folder"
    folder = path.parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        return f"{name}: its folder {folder.as_posix()} {what}"
    for source in inputs:
        with contextlib.suppress(OSError):
            if path.exists() and os.path.samefile(path, source):
                return f"{name}: is one of the inputs (writing the CSV there would destroy it)"
            if is_image_name(path.name) and source.is_dir() and os.path.samefile(folder, source):
                return f"{name}: is a box image of the input folder {source.as_posix()}"
    return ""


def _new_file_mode(path: Path) -> int:
    """The permission bits OUT should have: an existing file's own, else what the umask allows."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


class CsvTarget:
    """OUT being written: rows go to a temporary file in OUT's folder until `commit` moves it into
    place (a FIFO or a device is written directly). Create it before reading any input: a folder
    that cannot be written to is found out at once."""

    def __init__(self, target: str, fields: Sequence[str]) -> None:
        self.path = Path(target)
        self.name = self.path.as_posix()
        self.rows = 0
        self.temp: Path | None = None
        try:
            if self.path.exists() and not self.path.is_file():  # a FIFO, /dev/stdout, /dev/null
                self.handle = open(self.path, "w", newline="", encoding="utf-8")
            else:
                fd, temp = tempfile.mkstemp(
                    prefix=f".{self.path.name}.", suffix=".part", dir=self.path.parent
                )
                self.temp = Path(temp)
                self.handle = os.fdopen(fd, "w", newline="", encoding="utf-8")
            self.writer = csv.DictWriter(self.handle, fields)
            self.writer.writeheader()
            self.handle.flush()
        except OSError as exc:
            self.discard()
            raise CsvError(f"{self.name}: could not be written ({exc.strerror or exc})") from None

    def write(self, row: dict) -> None:
        """One row, flushed to the file at once."""
        try:
            self.writer.writerow(row)
            self.handle.flush()
        except OSError as exc:
            raise CsvError(f"{self.name}: could not be written ({exc.strerror or exc})") from None
        self.rows += 1

    def commit(self) -> str:
        """Close the file and move it into place; say what OUT now holds. CsvError (OUT left as it
        was) when that fails."""
        try:
            self.handle.close()
            if self.temp is not None:
                os.chmod(self.temp, _new_file_mode(self.path))
                os.replace(self.temp, self.path)
                self.temp = None
        except OSError as exc:
            self.discard()
            raise CsvError(f"{self.name}: could not be written ({exc.strerror or exc})") from None
        return f"{self.name} holds the {self.rows:,} VINs read"

    def discard(self) -> None:
        """Close and remove the temporary file: OUT stays as it was."""
        handle = getattr(self, "handle", None)
        if handle is not None:
            with contextlib.suppress(OSError, ValueError):
                handle.close()
        if self.temp is not None:
            with contextlib.suppress(OSError):
                self.temp.unlink()
            self.temp = None
