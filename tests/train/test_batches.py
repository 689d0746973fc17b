"""Training batches: reproducible from the seed, resumable at an epoch, augmented where asked."""

import numpy as np

from vinocr.train.augment import augment_batch
from vinocr.train.batches import AugmentedBatches
from vinocr.train.stages import class_weights


def _data(n: int = 300):
    rng = np.random.default_rng(5)
    x = np.zeros((n, 28, 28), np.uint8)
    x[:, 8:20, 12:16] = 255  # a bar, so that augmentation has something to move
    y = rng.integers(0, 33, n)
    return x, y


def _batches(seed: int = 1, first_epoch: int = 0, augment: np.ndarray | None = None):
    x, y = _data()
    flags = np.ones(len(y), bool) if augment is None else augment
    return AugmentedBatches(x, y, flags, class_weights(y), 64, seed, first_epoch)


def test_the_same_seed_gives_the_same_batches_and_another_seed_others():
    a, b, c = _batches(1), _batches(1), _batches(2)
    assert len(a) == 5  # 300 / 64, the last batch short
    for i in (0, 4):
        for left, right in zip(a[i], b[i]):
            assert np.array_equal(left, right)
    assert not np.array_equal(a[0][0], c[0][0])


def test_a_resumed_run_draws_the_batches_of_its_epoch():
    running = _batches()
    first = running[0][0]
    running.on_epoch_end()
    resumed = _batches(first_epoch=1)
    assert np.array_equal(running[2][0], resumed[2][0])
    assert not np.array_equal(first, resumed[0][0])  # a new order and new augmentation each epoch


def test_only_flagged_images_are_augmented_and_weights_follow_the_class():
    x, y = _data()
    flags = np.arange(len(y)) % 2 == 0
    batches = _batches(augment=flags)
    images, labels, weights = batches[0]
    rows = batches.order[:64]
    assert images.shape == (64, 28, 28, 1) and images.dtype == np.float32
    plain = ~flags[rows]
    assert np.array_equal(images[plain, ..., 0], x[rows][plain].astype(np.float32))
    assert not np.array_equal(images[~plain, ..., 0], x[rows][~plain].astype(np.float32))
    expected = class_weights(y)
    assert np.allclose(weights, [expected[int(label)] for label in labels])
    assert np.array_equal(labels, y[rows])


def test_augmentation_keeps_shape_and_range_and_moves_the_glyph():
    x, _ = _data(200)
    out = augment_batch(x.astype(np.float32), np.random.default_rng(0))
    assert out.shape == x.shape and out.min() >= 0 and out.max() <= 255
    changed = np.mean([not np.array_equal(o, i) for o, i in zip(out, x.astype(np.float32))])
    assert 0.8 < changed <= 1.0  # 15% are left unwarped, but most of those get a stroke change or blur
    assert np.array_equal(augment_batch(x.astype(np.float32), np.random.default_rng(0)), out)


def test_training_batches_pass_the_stage_shear_and_elastic_share_on():
    from argparse import Namespace

    from vinocr.train.stages import training_batches

    x, y = np.zeros((8, 28, 28), np.uint8), np.arange(8) % 3
    args = Namespace(batch_size=4, data_workers=1)
    batches = training_batches(
        x, y, np.ones(8, bool), args, seed=1, first_epoch=0, max_shear=0.4, elastic=0.7
    )
    assert (batches.max_shear, batches.elastic) == (0.4, 0.7)
    plain = training_batches(x, y, np.ones(8, bool), args, seed=1, first_epoch=0)
    assert (plain.max_shear, plain.elastic) == (0.15, 0.0)  # stages 1-2
