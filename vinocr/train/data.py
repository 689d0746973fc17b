"""The VIN-33 pool and the train/validation/test split of ../shared/EVALUATION.md.

Pool rule: read every EMNIST file present (byclass first, then bymerge, then balanced and digits;
test partition before train), keep images whose character is a VIN character (bymerge/balanced:
not J or L, which are merged with lowercase j and l), deduplicate by the stored 784 bytes with the
first label winning. Split: r = int(sha256(bytes)[:8], 16) % 10; 0 test, 1 validation, else train.

`python -m vinocr.train.data download DIR` fetches NIST's official archive; `python -m vinocr.train.data
summary` prints the pool and split sizes.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
import urllib.request
import zipfile
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from vinocr.alphabet import CHAR_TO_INDEX, VIN_ALPHABET
from vinocr.train.emnist_io import (
    EmnistFormatError,
    read_csv,
    read_idx_images,
    read_idx_labels,
    read_mapping,
)

ENV_VAR = "VINOCR_EMNIST_DIR"
NIST_URL = "https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip"
KNOWN_SHA256 = {  # published checksums of files inside NIST's archive
    "emnist-balanced-train-images-idx3-ubyte.gz": (
        "74295e75e4e9fa2c102147460ee7eb763653d5132d883a84fb88932bfb8d2db4"
    ),
    "emnist-balanced-test-images-idx3-ubyte.gz": (
        "117fc12b015e37ea98bfb2cbba3f77c3782c056cdbd219b87abfc8661d7135db"
    ),
}
# Splits in reading order, and the characters each one may not contribute.
SPLIT_ORDER: tuple[tuple[str, frozenset[str]], ...] = (
    ("byclass", frozenset()),
    ("bymerge", frozenset("JL")),
    ("balanced", frozenset("JL")),
    ("digits", frozenset()),
    ("mnist", frozenset()),
)
PARTITIONS = ("test", "train")
DIGIT_MAPPING = {i: str(i) for i in range(10)}


@dataclass(frozen=True)
class SourceFile:
    """One EMNIST partition found in the data directory."""

    split: str
    partition: str
    images: Path
    labels: Path | None  # None for the CSV form, whose labels are in `images`
    mapping: Path | None

    @property
    def files(self) -> list[Path]:
        return [p for p in (self.images, self.labels, self.mapping) if p is not None]


@dataclass
class VinSplit:
    """Upright (N, 28, 28) uint8 images and class indices per split part."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    sources: list[SourceFile] = field(default_factory=list)

    @property
    def sizes(self) -> dict[str, int]:
        return {
            "pool": len(self.y_train) + len(self.y_val) + len(self.y_test),
            "train": len(self.y_train),
            "validation": len(self.y_val),
            "test": len(self.y_test),
        }


DEFAULT_EMNIST_DIR = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "emnist"
)  # ../shared beside the project


def find_emnist_dir(flag: str | None = None) -> Path | None:
    """The data folder: `flag`, else VINOCR_EMNIST_DIR, else ../shared/data/emnist beside the project;
    None when that is not a folder."""
    value = flag or os.environ.get(ENV_VAR)
    path = Path(value) if value else DEFAULT_EMNIST_DIR
    return path if path.is_dir() else None


def resolve_emnist_dir(flag: str | None = None) -> Path:
    """`find_emnist_dir`, or a FileNotFoundError that says what was looked for."""
    path = find_emnist_dir(flag)
    if path is None:
        looked = flag or os.environ.get(ENV_VAR) or DEFAULT_EMNIST_DIR
        raise FileNotFoundError(
            f"EMNIST directory {looked} does not exist: pass --emnist-dir or set {ENV_VAR}"
        )
    return path


def find_sources(root: Path) -> list[SourceFile]:
    """EMNIST partitions present in `root`, in pool reading order (IDX preferred over CSV)."""
    found: list[SourceFile] = []
    for split, _ in SPLIT_ORDER:
        mapping = root / f"emnist-{split}-mapping.txt"
        for part in PARTITIONS:
            stem = root / f"emnist-{split}-{part}"
            images = Path(f"{stem}-images-idx3-ubyte.gz")
            labels = Path(f"{stem}-labels-idx1-ubyte.gz")
            if not images.exists():  # also accept uncompressed IDX
                images, labels = Path(f"{stem}-images-idx3-ubyte"), Path(f"{stem}-labels-idx1-ubyte")
            csv = Path(f"{stem}.csv")
            has_mapping = mapping.exists()
            if images.exists():
                if not labels.exists():
                    raise EmnistFormatError(f"{labels}: missing (needed beside {images.name})")
                found.append(SourceFile(split, part, images, labels, mapping if has_mapping else None))
            elif csv.exists():
                found.append(SourceFile(split, part, csv, None, mapping if has_mapping else None))
    return found


def _class_chars(source: SourceFile) -> dict[int, str]:
    """Class index -> character for a source; digits-only splits need no mapping file."""
    if source.mapping is not None:
        return read_mapping(source.mapping)
    if source.split in ("digits", "mnist"):
        return DIGIT_MAPPING
    raise EmnistFormatError(f"{source.images}: no emnist-{source.split}-mapping.txt beside it")


def _read_source(source: SourceFile) -> tuple[np.ndarray, np.ndarray]:
    """Stored images and raw labels of one source, checked for consistency."""
    if source.labels is None:
        return read_csv(source.images)
    images = read_idx_images(source.images)
    labels = read_idx_labels(source.labels)
    if len(images) != len(labels):
        raise EmnistFormatError(
            f"{source.images}: {len(images)} images but {source.labels.name} has {len(labels)} labels"
        )
    return images, labels


def build_pool(sources: list[SourceFile]) -> tuple[np.ndarray, np.ndarray]:
    """Deduplicated VIN-33 pool: stored (transposed) images and VIN class indices."""
    excluded = dict(SPLIT_ORDER)
    seen: dict[bytes, int] = {}
    kept_images: list[np.ndarray] = []
    kept_labels: list[int] = []
    for source in sources:
        chars = _class_chars(source)
        images, labels = _read_source(source)
        unknown = sorted(set(np.unique(labels).tolist()) - set(chars))
        if unknown:
            raise EmnistFormatError(f"{source.images}: labels {unknown} are not in the mapping")
        lut = np.full(256, -1, dtype=np.int64)
        for index, char in chars.items():
            if char in CHAR_TO_INDEX and char not in excluded[source.split]:
                lut[index] = CHAR_TO_INDEX[char]
        vin_labels = lut[labels]
        for i in np.flatnonzero(vin_labels >= 0):
            key = images[i].tobytes()
            if key not in seen:
                seen[key] = len(kept_labels)
                kept_images.append(images[i])
                kept_labels.append(int(vin_labels[i]))
    if not kept_labels:
        return np.zeros((0, 28, 28), np.uint8), np.zeros((0,), np.int64)
    return np.stack(kept_images), np.asarray(kept_labels, dtype=np.int64)


def split_bucket(stored_image: np.ndarray) -> int:
    """EVALUATION.md's bucket: int(sha256(raw 784 bytes)[:8], 16) % 10."""
    return int(hashlib.sha256(stored_image.tobytes()).hexdigest()[:8], 16) % 10


def split_pool(images: np.ndarray, labels: np.ndarray, sources: list[SourceFile]) -> VinSplit:
    """Split a stored pool into upright train/validation/test arrays."""
    buckets = np.fromiter((split_bucket(img) for img in images), dtype=np.int64, count=len(images))
    upright = np.ascontiguousarray(images.transpose(0, 2, 1))
    test, val = buckets == 0, buckets == 1
    train = ~(test | val)
    return VinSplit(
        upright[train], labels[train], upright[val], labels[val], upright[test], labels[test], sources
    )


@lru_cache(maxsize=4)
def load_vin_split(root: str | Path) -> VinSplit:
    """Pool and split every EMNIST file in `root` (cached per process)."""
    root = Path(root)
    sources = find_sources(root)
    if not sources:
        raise EmnistFormatError(f"{root}: no EMNIST files (emnist-<split>-<test|train>-...) found")
    images, labels = build_pool(sources)
    return split_pool(images, labels, sources)


def smoke_slice(split: VinSplit, limit: int) -> VinSplit:
    """The split a smoke run (`--limit N`) trains and validates on: the first N train and N validation
    images, the test part whole (its figures stay comparable); the split itself when `limit` is 0."""
    if not limit:
        return split
    return replace(
        split,
        x_train=split.x_train[:limit],
        y_train=split.y_train[:limit],
        x_val=split.x_val[:limit],
        y_val=split.y_val[:limit],
    )


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download(dest: Path, url: str = NIST_URL) -> list[Path]:
    """Fetch NIST's EMNIST gzip archive, extract its emnist-* files into `dest`, verify checksums."""
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest) as tmp:
        archive = Path(tmp) / "gzip.zip"
        print(f"downloading {url} ...", file=sys.stderr)
        with urllib.request.urlopen(url) as response, open(archive, "wb") as out:
            shutil.copyfileobj(response, out, length=1 << 20)
        if not zipfile.is_zipfile(archive):
            raise EmnistFormatError(f"{url}: not a zip archive")
        written: list[Path] = []
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                name = Path(info.filename).name
                if not name.startswith("emnist-") or info.is_dir():
                    continue
                target = dest / name
                with zf.open(info) as src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out, length=1 << 20)
                expected = KNOWN_SHA256.get(name)
                if expected and sha256_file(target) != expected:
                    target.unlink()
                    raise EmnistFormatError(f"{name}: sha256 mismatch, the download is corrupt")
                written.append(target)
    if not written:
        raise EmnistFormatError(f"{url}: the archive holds no emnist-* files")
    find_sources(dest)  # every images file must have its labels
    return sorted(written)


def main(argv: list[str] | None = None) -> int:
    """`download DIR [--url URL]` or `summary [--emnist-dir DIR]`."""
    parser = argparse.ArgumentParser(prog="python -m vinocr.train.data", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    dl = sub.add_parser("download", help="fetch NIST's official EMNIST archive into DIR")
    dl.add_argument("dir", type=Path)
    dl.add_argument("--url", default=NIST_URL, help="archive address (file:// works)")
    summary = sub.add_parser("summary", help="print the VIN-33 pool and split sizes")
    summary.add_argument("--emnist-dir")
    args = parser.parse_args(argv)
    try:
        if args.command == "download":
            for path in download(args.dir, args.url):
                print(path)
        else:
            split = load_vin_split(resolve_emnist_dir(args.emnist_dir))
            for name, size in split.sizes.items():
                print(f"{name:>10}: {size}")
            counts = np.bincount(split.y_train, minlength=len(VIN_ALPHABET))
            order = np.argsort(counts)
            print("smallest train classes:", ", ".join(f"{VIN_ALPHABET[i]} {counts[i]}" for i in order[:4]))
            print("largest train class:", f"{VIN_ALPHABET[order[-1]]} {counts[order[-1]]}")
    except (EmnistFormatError, FileNotFoundError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
