"""IDX and CSV readers on tiny files the tests make, including every kind of bad file."""

import gzip
import struct

import numpy as np
import pytest

from vinocr.train.emnist_io import (
    EmnistFormatError,
    read_csv,
    read_idx_images,
    read_idx_labels,
    read_mapping,
    write_idx_images,
    write_idx_labels,
)


def _images(n=3):
    return np.arange(n * 784, dtype=np.int64).reshape(n, 28, 28).astype(np.uint8)


@pytest.mark.parametrize("suffix", [".gz", ""])
def test_idx_round_trip(tmp_path, suffix):
    images, labels = _images(), np.array([1, 2, 3], np.uint8)
    write_idx_images(tmp_path / f"i{suffix}", images)
    write_idx_labels(tmp_path / f"l{suffix}", labels)
    assert np.array_equal(read_idx_images(tmp_path / f"i{suffix}"), images)
    assert np.array_equal(read_idx_labels(tmp_path / f"l{suffix}"), labels)


def test_wrong_magic_names_the_file(tmp_path):
    path = tmp_path / "emnist-x-test-images-idx3-ubyte.gz"
    with gzip.open(path, "wb") as fh:
        fh.write(struct.pack(">IIII", 2049, 1, 28, 28) + bytes(784))
    with pytest.raises(EmnistFormatError, match=r"emnist-x-test-images.*wrong magic number 2049"):
        read_idx_images(path)
    with pytest.raises(EmnistFormatError, match="wrong magic"):
        write_idx_images(tmp_path / "i.gz", _images(1))
        read_idx_labels(tmp_path / "i.gz")


def test_truncated_files(tmp_path):
    path = tmp_path / "images.gz"
    with gzip.open(path, "wb") as fh:
        fh.write(struct.pack(">IIII", 2051, 5, 28, 28) + bytes(784 * 2))
    with pytest.raises(EmnistFormatError, match="images.gz: truncated"):
        read_idx_images(path)
    (tmp_path / "short.gz").write_bytes(gzip.compress(b"\x00\x00"))
    with pytest.raises(EmnistFormatError, match="truncated header"):
        read_idx_labels(tmp_path / "short.gz")
    (tmp_path / "broken.gz").write_bytes(gzip.compress(bytes(100))[:20])
    with pytest.raises(EmnistFormatError, match="broken.gz: cannot read"):
        read_idx_images(tmp_path / "broken.gz")


def test_mapping(tmp_path):
    path = tmp_path / "m.txt"
    path.write_text("0 48\n1 65\n")
    assert read_mapping(path) == {0: "0", 1: "A"}
    path.write_text("0 48\nbad line\n")
    with pytest.raises(EmnistFormatError, match="m.txt: line 2"):
        read_mapping(path)


def test_csv_reader(tmp_path):
    images = _images(2)
    rows = [",".join(map(str, [7, *img.ravel()])) for img in images]
    path = tmp_path / "emnist-digits-test.csv"
    path.write_text("\n".join(rows) + "\n")
    got, labels = read_csv(path)
    assert np.array_equal(got, images) and labels.tolist() == [7, 7]
    path.write_text("1,2,3\n")
    with pytest.raises(EmnistFormatError, match="emnist-digits-test.csv: each row needs 785"):
        read_csv(path)
