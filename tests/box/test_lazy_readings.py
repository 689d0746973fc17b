"""Alternative readings prepared only when needed (issue 8, speed): the recogniser reads every box
exactly as if all of them had been prepared."""

import numpy as np
import pytest

from vinocr.alphabet import VIN_ALPHABET
from vinocr.box import recognizer as recognizer_module
from vinocr.box.preprocess import CUT_LINE_DOUBT, LINE_DOUBT, preprocess_box
from vinocr.synth.boxes import STYLES, random_style, render_box, tight_crop
from vinocr.synth.samples import draw_glyph


@pytest.fixture(scope="module")
def boxes() -> list[np.ndarray]:
    """Hershey glyphs in every style that needs no EMNIST array, and tight crops in both polarities
    (edge lines that may be strokes, boxes whose polarity is in doubt)."""
    rng = np.random.default_rng(5)
    styles = [s for s in STYLES if not random_style(np.random.default_rng(0), s).raw_scale]
    drawn = [
        render_box(draw_glyph(str(rng.choice(list(VIN_ALPHABET))), rng), random_style(rng, style), rng)
        for style in styles * 8
    ]
    tight = [
        tight_crop(draw_glyph(char, np.random.default_rng(seed)), invert=invert)
        for char in "LZTKE1"
        for seed, invert in ((0, False), (1, True))
    ]
    return drawn + tight


def _every_reading(image: np.ndarray, line_doubt: float):
    """A lazy preprocessing's readings followed by those of its deferred alternatives, in order."""
    lazy = preprocess_box(image, lazy=True, line_doubt=line_doubt)
    return lazy, [*lazy.readings, *(r for later in lazy.later for r in later.read().readings)]


@pytest.mark.parametrize("line_doubt", [LINE_DOUBT, CUT_LINE_DOUBT])
def test_deferred_alternatives_are_the_eager_readings_in_order(boxes, line_doubt):
    kinds = set()
    for image in boxes:
        lazy, readings = _every_reading(image, line_doubt)
        kinds |= {later.doubt == line_doubt for later in lazy.later}
        eager = preprocess_box(image, line_doubt=line_doubt).readings
        assert len(readings) == len(eager)
        for a, b in zip(readings, eager):
            assert np.array_equal(a.input28, b.input28)
            assert (a.doubt, a.inverted, a.lines_kept) == (b.doubt, b.inverted, b.lines_kept)
    assert kinds == {True, False}  # both kinds were deferred: a maybe-stroke line and the other polarity


@pytest.mark.parametrize("line_doubt", [LINE_DOUBT, CUT_LINE_DOUBT])
def test_the_recogniser_chooses_as_if_every_alternative_were_prepared(
    recognizer, boxes, monkeypatch, line_doubt
):
    prepared = []  # one name per preprocessing and per deferred alternative prepared
    safely = recognizer_module._safely

    def counted(name, prepare):
        prepared.append(name)
        return safely(name, prepare)

    monkeypatch.setattr(recognizer_module, "_safely", counted)
    results = recognizer.recognize_arrays(boxes, line_doubt=line_doubt)
    deferred = sum(len(preprocess_box(image, lazy=True, line_doubt=line_doubt).later) for image in boxes)
    assert 0 < len(prepared) - len(boxes) < deferred  # some alternatives were needed, not all

    for image, result in zip(boxes, results):
        readings = preprocess_box(image, line_doubt=line_doubt).readings
        if not readings:
            assert result.status == "empty"
            continue
        probs = recognizer.predict_inputs(np.stack([r.input28 for r in readings]))
        scores = [p.max() - r.doubt for p, r in zip(probs, readings)]
        best = int(np.argmax(scores))  # the first of equals, as the recogniser keeps it
        assert result.status == "ok"
        assert result.char == recognizer.alphabet[int(probs[best].argmax())]
        assert result.confidence == float(probs[best].max())
        assert result.steps[-1][0] == readings[best].steps[-1][0]
        assert np.array_equal(result.input28, readings[best].steps[-1][1])


def test_a_line_removed_reading_carries_the_doubt_asked_for(boxes):
    """A box cut from a field (CUT_LINE_DOUBT) asks more of a reading with an edge line removed."""
    raised = CUT_LINE_DOUBT - LINE_DOUBT
    steps = []
    for image in boxes:
        default = preprocess_box(image).readings
        cut = preprocess_box(image, line_doubt=CUT_LINE_DOUBT).readings
        assert [r.lines_kept for r in default] == [r.lines_kept for r in cut]
        steps += [b.doubt - a.doubt for a, b in zip(default, cut)]
    assert all(step in (0.0, pytest.approx(raised)) for step in steps)
    assert any(step == pytest.approx(raised) for step in steps)
