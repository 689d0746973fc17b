"""Prepare what `scripts/train_on_gpu.sh` needs on a lent GPU machine (nothing there can be fetched).

python scripts/pack_for_gpu.py [--emnist-dir DIR]

- `.device/emnist/`: the train and validation images of the EVALUATION.md split as one byclass IDX
  pair (stored form, byclass labels), so that `load_vin_split` there yields the same train and
  validation arrays (the test split stays here). The folder is ignored by git: never commit it.
- `.whl/`: the keras, namex and optree wheels for the machine's Python 3.12 (the rest is installed).
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

from vinocr.alphabet import VIN_ALPHABET
from vinocr.train.data import load_vin_split, resolve_emnist_dir
from vinocr.train.emnist_io import read_mapping

WHEELS = ("keras==3.15.1", "namex==0.1.0", "optree==0.20.0")
PLATFORMS = tuple(f"manylinux{tag}_x86_64" for tag in ("_2_28", "_2_27", "_2_17", "2014"))


def write_idx(path: Path, header: list[int], payload: bytes) -> None:
    """A gzip IDX file: big-endian int32 header, then the raw bytes."""
    with gzip.open(path, "wb", compresslevel=9) as handle:
        handle.write(np.array(header, ">i4").tobytes() + payload)


def pack_split(source: Path, dest: Path) -> dict[str, int]:
    """Write the train+validation pool into `dest` as emnist-byclass-test-*; return its split sizes."""
    split = load_vin_split(source)
    stored = np.ascontiguousarray(np.concatenate([split.x_train, split.x_val]).transpose(0, 2, 1), np.uint8)
    labels = np.concatenate([split.y_train, split.y_val])
    byclass = {char: index for index, char in read_mapping(source / "emnist-byclass-mapping.txt").items()}
    raw = np.array([byclass[VIN_ALPHABET[k]] for k in labels], np.uint8)
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(source / "emnist-byclass-mapping.txt", dest)
    stem = dest / "emnist-byclass-test"
    write_idx(Path(f"{stem}-images-idx3-ubyte.gz"), [0x803, len(stored), 28, 28], stored.tobytes())
    write_idx(Path(f"{stem}-labels-idx1-ubyte.gz"), [0x801, len(raw)], raw.tobytes())
    packed = load_vin_split.__wrapped__(dest)
    assert np.array_equal(packed.x_train, split.x_train) and np.array_equal(packed.y_val, split.y_val)
    return packed.sizes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--emnist-dir", help="EMNIST folder (default: $VINOCR_EMNIST_DIR)")
    args = parser.parse_args()
    print(pack_split(resolve_emnist_dir(args.emnist_dir), Path(".device") / "emnist"))
    command = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:"]
    command += ["--python-version", "3.12", "--implementation", "cp", "-d", ".whl"]
    command += [arg for platform in PLATFORMS for arg in ("--platform", platform)]
    return subprocess.call(command + list(WHEELS))


if __name__ == "__main__":
    sys.exit(main())
