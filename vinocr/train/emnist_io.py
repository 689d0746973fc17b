"""Readers for the official EMNIST formats: gzip IDX files, mapping files and Kaggle CSVs.

Every reader returns images exactly as stored (transposed, like the official files) and raises
EmnistFormatError naming the file when the data is malformed.
"""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np

IMAGE_MAGIC = 2051  # idx3, unsigned byte
LABEL_MAGIC = 2049  # idx1, unsigned byte
SIDE = 28


class EmnistFormatError(ValueError):
    """A data file is malformed; the message names the file and the problem."""


def _read_bytes(path: Path) -> bytes:
    """Whole file contents, gunzipped when the name ends in .gz."""
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as fh:
                return fh.read()
        return path.read_bytes()
    except FileNotFoundError:
        raise EmnistFormatError(f"{path}: file not found") from None
    except (OSError, EOFError) as exc:
        raise EmnistFormatError(f"{path}: cannot read ({exc})") from None


def read_idx_images(path: str | Path) -> np.ndarray:
    """(N, 28, 28) uint8 images from an idx3-ubyte file, as stored (transposed)."""
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 16:
        raise EmnistFormatError(f"{path}: truncated header ({len(data)} bytes, need 16)")
    magic, count, rows, cols = struct.unpack(">IIII", data[:16])
    if magic != IMAGE_MAGIC:
        raise EmnistFormatError(f"{path}: wrong magic number {magic} (images need {IMAGE_MAGIC})")
    if (rows, cols) != (SIDE, SIDE):
        raise EmnistFormatError(f"{path}: images are {rows}x{cols}, expected {SIDE}x{SIDE}")
    expected = 16 + count * rows * cols
    if len(data) != expected:
        raise EmnistFormatError(
            f"{path}: truncated or padded: header says {count} images ({expected} bytes), "
            f"file has {len(data)} bytes"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(count, rows, cols)


def read_idx_labels(path: str | Path) -> np.ndarray:
    """(N,) uint8 class indices from an idx1-ubyte file."""
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 8:
        raise EmnistFormatError(f"{path}: truncated header ({len(data)} bytes, need 8)")
    magic, count = struct.unpack(">II", data[:8])
    if magic != LABEL_MAGIC:
        raise EmnistFormatError(f"{path}: wrong magic number {magic} (labels need {LABEL_MAGIC})")
    if len(data) != 8 + count:
        raise EmnistFormatError(
            f"{path}: truncated or padded: header says {count} labels, file has {len(data) - 8}"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=8).copy()


def read_mapping(path: str | Path) -> dict[int, str]:
    """Class index -> character from an `emnist-<split>-mapping.txt` file."""
    path = Path(path)
    text = _read_bytes(path).decode("ascii", errors="replace")
    mapping: dict[int, str] = {}
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split()
        try:
            index, code = int(parts[0]), int(parts[1])
            if len(parts) < 2 or not 0 <= code < 128:
                raise ValueError
        except (ValueError, IndexError):
            raise EmnistFormatError(
                f"{path}: line {lineno} is not '<index> <ascii code>': {line!r}"
            ) from None
        mapping[index] = chr(code)
    if not mapping:
        raise EmnistFormatError(f"{path}: empty mapping")
    return mapping


def read_csv(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """(images (N, 28, 28) uint8 as stored, labels (N,)) from a Kaggle EMNIST CSV."""
    path = Path(path)
    text = _read_bytes(path).decode("ascii", errors="replace")
    rows = [line for line in text.splitlines() if line.strip()]
    if not rows:
        return np.zeros((0, SIDE, SIDE), np.uint8), np.zeros((0,), np.uint8)
    try:
        table = np.array([[int(v) for v in row.split(",")] for row in rows], dtype=np.int64)
    except ValueError:
        raise EmnistFormatError(f"{path}: non-numeric value in CSV") from None
    except Exception as exc:  # ragged rows make numpy refuse the table
        raise EmnistFormatError(f"{path}: rows of unequal length ({exc})") from None
    if table.ndim != 2 or table.shape[1] != 1 + SIDE * SIDE:
        raise EmnistFormatError(f"{path}: each row needs 785 values (label + 784 pixels)")
    if table.min() < 0 or table[:, 1:].max() > 255:
        raise EmnistFormatError(f"{path}: pixel values outside 0..255")
    return table[:, 1:].astype(np.uint8).reshape(-1, SIDE, SIDE), table[:, 0].astype(np.uint8)


def write_idx_images(path: str | Path, images: np.ndarray) -> None:
    """Write (N, 28, 28) uint8 images as a (gzip) idx3 file; used for tests and exports."""
    images = np.ascontiguousarray(images, dtype=np.uint8)
    payload = struct.pack(">IIII", IMAGE_MAGIC, len(images), SIDE, SIDE) + images.tobytes()
    _write_bytes(Path(path), payload)


def write_idx_labels(path: str | Path, labels: np.ndarray) -> None:
    """Write (N,) uint8 labels as a (gzip) idx1 file."""
    labels = np.ascontiguousarray(labels, dtype=np.uint8)
    _write_bytes(Path(path), struct.pack(">II", LABEL_MAGIC, len(labels)) + labels.tobytes())


def _write_bytes(path: Path, payload: bytes) -> None:
    if path.suffix == ".gz":
        with gzip.open(path, "wb") as fh:
            fh.write(payload)
    else:
        path.write_bytes(payload)
