"""bench.show_errors: the picture of misread glyphs, and that what it draws are misreads."""

import numpy as np

from bench.show_errors import COLUMNS, TILE, array_errors, grid, tile


def test_a_tile_is_white_ink_on_black_at_one_size():
    light = np.full((50, 40), 230, np.uint8)
    light[10:40, 18:22] = 20  # dark ink on light paper
    out = tile(light, "A>4")
    assert out.shape == (TILE + 4, TILE + 4)
    assert np.median(out) < 60  # paper shown black, as EMNIST
    assert out[TILE // 2 + 2, TILE // 2 + 2] > 150  # the stroke white


def test_the_grid_fills_rows_of_ten():
    tiles = [tile(np.zeros((28, 28), np.uint8), str(k)) for k in range(COLUMNS + 3)]
    picture = grid(tiles)
    assert picture.shape == (2 * (TILE + 4), COLUMNS * (TILE + 4))
    assert grid([]).shape == (TILE + 4, TILE + 4)


def test_the_arrays_drawn_are_misread(vin_split, recognizer):
    glyphs, labels = vin_split.x_val[:3000], vin_split.y_val[:3000]
    tiles, rows = array_errors(recognizer, glyphs, labels, 5, seed=1)
    assert len(tiles) == len(rows) == 5
    read = recognizer.predict_inputs(glyphs[[r[0] for r in rows]].astype(np.float32)).argmax(1)
    for (index, label, guess, confidence), again in zip(rows, read, strict=True):
        assert label != guess and recognizer.alphabet[again] == guess
        assert recognizer.alphabet[labels[index]] == label and 0 < confidence <= 1
