"""The VIN-33 pool and split of EVALUATION.md, the pool rule on tiny files, and `download`."""

import zipfile

import numpy as np
import pytest

from vinocr.alphabet import VIN_ALPHABET
from vinocr.train.data import (
    build_pool,
    download,
    find_sources,
    load_vin_split,
    main,
    smoke_slice,
    split_bucket,
)
from vinocr.train.emnist_io import EmnistFormatError, write_idx_images, write_idx_labels


def test_split_sizes_match_the_protocol(vin_split):
    assert vin_split.sizes == {"pool": 157046, "train": 125912, "validation": 15665, "test": 15469}
    counts = np.bincount(vin_split.y_train, minlength=33)
    assert {VIN_ALPHABET[i]: int(counts[i]) for i in np.argsort(counts)[:4]} == {
        "J": 514,
        "L": 639,
        "G": 663,
        "H": 830,
    }
    assert VIN_ALPHABET[int(np.argmax(counts))] == "1" and counts.max() == 9526


def test_split_is_disjoint(vin_split):
    train = {img.tobytes() for img in vin_split.x_train}
    assert not any(img.tobytes() in train for img in vin_split.x_test)


def test_a_smoke_run_cuts_train_and_validation_but_tests_on_the_whole_test_part(vin_split):
    small = smoke_slice(vin_split, 3000)
    assert small.sizes == {"pool": 3000 + 3000 + 15469, "train": 3000, "validation": 3000, "test": 15469}
    assert np.array_equal(small.x_val, vin_split.x_val[:3000]) and np.array_equal(
        small.y_train, vin_split.y_train[:3000]
    )
    assert small.x_test is vin_split.x_test
    assert len(np.unique(small.y_val)) == 33  # a smoke run's validation still holds every class
    assert smoke_slice(vin_split, 0) is vin_split


def _write_split(root, split, images, labels, mapping):
    write_idx_images(root / f"emnist-{split}-test-images-idx3-ubyte.gz", images)
    write_idx_labels(root / f"emnist-{split}-test-labels-idx1-ubyte.gz", np.array(labels, np.uint8))
    (root / f"emnist-{split}-mapping.txt").write_text("".join(f"{i} {ord(c)}\n" for i, c in mapping.items()))


def test_pool_rule_on_tiny_files(tmp_path):
    rng = np.random.default_rng(0)
    imgs = rng.integers(0, 255, (6, 28, 28), dtype=np.uint8)
    # byclass: '1', 'a' (lowercase: dropped), 'O' (not in a VIN: dropped), 'J'
    _write_split(tmp_path, "byclass", imgs[:4], [0, 1, 2, 3], {0: "1", 1: "a", 2: "O", 3: "J"})
    # bymerge: a duplicate of byclass image 0 labelled differently (first label wins), J (dropped), 'K'
    _write_split(tmp_path, "bymerge", imgs[[0, 4, 5]], [2, 0, 1], {0: "J", 1: "K", 2: "7"})
    images, labels = build_pool(find_sources(tmp_path))
    assert [VIN_ALPHABET[i] for i in labels] == ["1", "J", "K"]
    assert np.array_equal(images[0], imgs[0])
    split = load_vin_split(tmp_path)
    assert split.sizes["pool"] == 3
    # the split is a function of the bytes only, and images come out upright (transposed)
    for image in imgs[[0, 3, 5]]:
        part = {0: split.x_test, 1: split.x_val}.get(split_bucket(image), split.x_train)
        assert any(np.array_equal(image.T, x) for x in part)


def test_count_mismatch_and_unknown_label(tmp_path):
    write_idx_images(tmp_path / "emnist-byclass-test-images-idx3-ubyte.gz", np.zeros((2, 28, 28), np.uint8))
    write_idx_labels(tmp_path / "emnist-byclass-test-labels-idx1-ubyte.gz", np.zeros(3, np.uint8))
    (tmp_path / "emnist-byclass-mapping.txt").write_text("0 48\n")
    with pytest.raises(EmnistFormatError, match="2 images but .*labels-idx1-ubyte.gz has 3 labels"):
        build_pool(find_sources(tmp_path))
    write_idx_labels(tmp_path / "emnist-byclass-test-labels-idx1-ubyte.gz", np.array([0, 9], np.uint8))
    with pytest.raises(EmnistFormatError, match=r"labels \[9\] are not in the mapping"):
        build_pool(find_sources(tmp_path))


def test_download_from_a_local_archive(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    _write_split(src, "bymerge", np.zeros((1, 28, 28), np.uint8), [0], {0: "7"})
    archive = tmp_path / "gzip.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in src.iterdir():
            zf.write(f, f"gzip/{f.name}")
    dest = tmp_path / "dest"
    written = download(dest, archive.as_uri())
    assert sorted(p.name for p in written) == sorted(p.name for p in src.iterdir())
    assert main(["summary", "--emnist-dir", str(dest)]) == 0


def test_download_rejects_a_bad_archive(tmp_path, capsys):
    bad = tmp_path / "gzip.zip"
    bad.write_bytes(b"not a zip")
    assert main(["download", str(tmp_path / "d"), "--url", bad.as_uri()]) == 2
    assert "not a zip archive" in capsys.readouterr().err
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("readme.txt", "x")
    with pytest.raises(EmnistFormatError, match="no emnist-\\* files"):
        download(tmp_path / "d2", empty.as_uri())
