"""The writers' stage ships a blend of its checkpoint with the network it started from."""

from __future__ import annotations

import json

import keras
import numpy as np

from vinocr.train.model import build_model
from vinocr.train.writers import BLEND_PREFIX, PREFIX, blend_checkpoints, start_history


def _saved(path, value: float) -> None:
    model = build_model()
    model.set_weights([np.full_like(w, value) for w in model.get_weights()])
    model.save(path)


def test_blend_moves_each_weight_that_share_of_the_way(tmp_path):
    _saved(tmp_path / "start.keras", 1.0)
    _saved(tmp_path / f"{PREFIX}epoch-02.keras", 3.0)
    assert blend_checkpoints(tmp_path, tmp_path / "start.keras", 0.75) == BLEND_PREFIX
    blended = keras.models.load_model(tmp_path / f"{BLEND_PREFIX}epoch-02.keras", compile=False)
    assert all(np.allclose(w, 2.5) for w in blended.get_weights())  # 1 + 0.75 x (3 - 1)


def test_share_one_ships_the_checkpoint_as_it_is(tmp_path):
    _saved(tmp_path / f"{PREFIX}epoch-01.keras", 3.0)
    assert blend_checkpoints(tmp_path, tmp_path / "missing.keras", 1.0) == PREFIX
    assert not list(tmp_path.glob(f"{BLEND_PREFIX}*"))


def test_the_start_models_epochs_lead_the_history(tmp_path):
    """A shipped model's history.json is carried into the new history; a bare checkpoint has none."""
    rows = [{"epoch": 1, "val_accuracy": 0.9}, {"epoch": 2, "val_accuracy": 0.95, "stage": "box path"}]
    (tmp_path / "history.json").write_text(json.dumps(rows))
    assert start_history(tmp_path / "vinocr.keras") == rows
    assert start_history(tmp_path / "elsewhere" / "writers-epoch-02.keras") == []
