"""Photo-path training inputs: box cuts of photographed VIN fields of EMNIST glyphs, with labels."""

import numpy as np

from vinocr.alphabet import VIN_ALPHABET
from vinocr.synth.vins import glyph_index, vin_glyphs
from vinocr.train import photo_cuts


def test_the_cuts_of_a_photographed_field_keep_their_characters_in_order(vin_split, recognizer):
    by_class = glyph_index(vin_split.y_val)
    rng = np.random.default_rng(4)
    vins = ["1HGCM82633A004352", "WVWZZZ1JZXW386752", "5YJSA1E26HF201937"]
    glyphs = np.array([vin_glyphs(v, vin_split.x_val, by_class, rng) for v in vins])
    inputs, labels = photo_cuts.photo_chunk(vins, glyphs, seed=3, chunk=0)
    assert inputs.dtype == np.uint8 and inputs.shape[1:] == (28, 28)
    assert len(labels) % 17 == 0 and len(labels) >= 34  # whole fields only; one may not be found
    truth = "".join(vins)
    assert "".join(VIN_ALPHABET[k] for k in labels) in (
        truth,
        truth[:34],
        truth[17:],
        truth[:17] + truth[34:],
    )
    read = recognizer.predict_inputs(inputs.astype(np.float32)).argmax(axis=1)
    assert np.mean(read == labels) >= 0.85  # the labels sit on their own boxes


def test_chunks_are_drawn_from_the_seed_alone(vin_split, monkeypatch):
    monkeypatch.setattr(photo_cuts, "CHUNK", 1)
    x, y = vin_split.x_train[:3000], vin_split.y_train[:3000]
    first = photo_cuts.photo_inputs(x, y, 2, seed=8, workers=1)
    again = photo_cuts.photo_inputs(x, y, 2, seed=8, workers=1)
    other = photo_cuts.photo_inputs(x, y, 2, seed=9, workers=1)
    assert len(first[1]) >= 17 and np.array_equal(first[0], again[0]) and np.array_equal(first[1], again[1])
    assert not np.array_equal(first[1][:17], other[1][:17])
