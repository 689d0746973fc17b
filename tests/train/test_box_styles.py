"""Box-path training inputs: what preprocessing makes of glyphs drawn in the generator's box styles."""

import numpy as np

from vinocr.train.box_styles import CHUNK, cached_inputs, render_chunk, render_inputs


def test_inputs_are_28x28_and_keep_their_labels(vin_split):
    glyphs, labels = vin_split.x_val[:60], vin_split.y_val[:60]
    inputs, kept = render_inputs(glyphs, labels, seed=5, workers=1)
    assert inputs.shape[1:] == (28, 28) and inputs.dtype == np.uint8
    assert len(inputs) == len(kept) >= 55  # a few may be reported empty, never more glyphs than given
    assert inputs.reshape(len(inputs), -1).max(axis=1).min() > 100  # every kept input holds ink
    chunk_inputs, indices = render_chunk(glyphs, seed=5, chunk=0)  # one chunk: the same random stream
    assert np.array_equal(inputs, chunk_inputs) and np.array_equal(kept, labels[indices])


def test_a_blank_glyph_is_left_out():
    blank = np.zeros((3, 28, 28), np.uint8)
    inputs, indices = render_chunk(blank, seed=0, chunk=0)
    assert len(inputs) == 0 and len(indices) == 0


def test_the_result_does_not_depend_on_the_number_of_workers(vin_split):
    n = CHUNK + 40  # two chunks
    glyphs, labels = vin_split.x_train[:n], vin_split.y_train[:n]
    one = render_inputs(glyphs, labels, seed=9, workers=1)
    two = render_inputs(glyphs, labels, seed=9, workers=2)
    assert np.array_equal(one[0], two[0]) and np.array_equal(one[1], two[1])


def test_cached_inputs_are_read_back_only_for_the_same_glyphs(vin_split, tmp_path):
    path = tmp_path / "inputs.npz"
    glyphs, labels = vin_split.x_val[:30], vin_split.y_val[:30]
    first = cached_inputs(path, glyphs, labels, seed=1)
    stamp = path.stat().st_mtime_ns
    second = cached_inputs(path, glyphs, labels, seed=1)
    assert path.stat().st_mtime_ns == stamp and np.array_equal(first[0], second[0])
    other = cached_inputs(path, glyphs, labels, seed=2)  # another seed: rendered again
    assert path.stat().st_mtime_ns != stamp and not np.array_equal(first[0], other[0])
