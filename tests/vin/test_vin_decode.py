"""Tests of vinocr.vin.decode: exact k-best decoding under the check-digit, model-year and serial rules."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest

from vinocr.alphabet import CHAR_TO_INDEX, NUM_CLASSES, VIN_ALPHABET
from vinocr.vin.decode import DEFAULT_PREFER_MARGIN, decode_vin, is_decodable_valid
from vinocr.vin.rules import check_digit, check_digit_ok

VALID = "1HGCM82633A004352"


def matrix(
    vin: str, top: float = 0.99, alternatives: dict[int, dict[str, float]] | None = None
) -> np.ndarray:
    """Probabilities: `top` on each char of `vin`, the rest spread evenly; `alternatives` (1-based
    position -> {char: prob}) replaces a whole row, any mass left spread over the other chars."""
    probs = np.full((17, NUM_CLASSES), (1.0 - top) / (NUM_CLASSES - 1))
    for i, char in enumerate(vin):
        probs[i, CHAR_TO_INDEX[char]] = top
    for position, row in (alternatives or {}).items():
        rest = 1.0 - sum(row.values())
        probs[position - 1] = rest / (NUM_CLASSES - len(row)) if rest > 0 else 0.0
        for char, p in row.items():
            probs[position - 1, CHAR_TO_INDEX[char]] = p
    return probs


def log_prob(probs: np.ndarray, vin: str) -> float:
    """Log-probability of a string under the matrix (same floor as the decoder)."""
    return float(sum(math.log(max(probs[i, CHAR_TO_INDEX[c]], 1e-12)) for i, c in enumerate(vin)))


# --------------------------------------------------------------------------- plain and valid readings


@pytest.mark.parametrize("mode", ["enforce", "prefer", "ignore"])
def test_valid_plain_reading_is_kept(mode: str) -> None:
    result = decode_vin(matrix(VALID), mode)
    assert result.plain == result.chosen == VALID
    assert result.plain_is_valid and result.chosen_is_valid
    best = result.candidates[0]
    assert best.vin == VALID and best.cost == 0.0 and best.changed_positions == []
    assert best.log_prob == pytest.approx(17 * math.log(0.99))
    assert result.plain_log_prob == pytest.approx(best.log_prob)
    assert "passes" in result.explanation


def test_cheap_fix_is_taken_in_enforce_and_prefer() -> None:
    # box 5 reads N (0.6) over M (0.4); N breaks the check digit, M is the Honda sample
    probs = matrix(VALID, alternatives={5: {"N": 0.6, "M": 0.4}})
    for mode in ("enforce", "prefer"):
        result = decode_vin(probs, mode)
        assert result.plain == "1HGCN82633A004352" and not result.plain_is_valid
        assert result.chosen == VALID and result.chosen_is_valid
        best = result.candidates[0]
        assert best.vin == VALID and best.changed_positions == [5]
        assert best.cost == pytest.approx(math.log(0.6 / 0.4))
        assert result.chosen_changed_positions == [5]
        assert "position 5" in result.explanation
    ignored = decode_vin(probs, "ignore")
    assert ignored.chosen == ignored.plain and not ignored.chosen_is_valid
    assert ignored.candidates[0].vin == VALID
    assert "check digit" in ignored.explanation


def test_costly_fix_prefer_keeps_plain_enforce_does_not() -> None:
    plain = "1HGCN82633A004352"
    probs = matrix(plain, top=0.9999)
    prefer = decode_vin(probs, "prefer")
    assert prefer.chosen == plain and not prefer.chosen_is_valid
    assert prefer.candidates[0].cost > DEFAULT_PREFER_MARGIN
    assert "kept" in prefer.explanation and "check digit" in prefer.explanation
    enforce = decode_vin(probs, "enforce")
    assert enforce.chosen == enforce.candidates[0].vin != plain
    assert enforce.chosen_is_valid and check_digit_ok(enforce.chosen)
    assert len(enforce.candidates[0].changed_positions) == 1


def test_prefer_margin_boundary() -> None:
    # runner-up M at ratio r of N: chosen iff cost ln(1/r) <= margin
    for ratio, taken in ((0.02, True), (0.005, False)):
        top = 0.9 / (1 + ratio)
        probs = matrix(VALID, alternatives={5: {"N": top, "M": top * ratio}})
        result = decode_vin(probs, "prefer")
        assert (result.chosen == VALID) is taken
    probs = matrix(VALID, alternatives={5: {"N": 0.5, "M": 0.1}})
    assert decode_vin(probs, "prefer", prefer_margin=1.0).chosen != VALID
    assert decode_vin(probs, "prefer", prefer_margin=2.0).chosen == VALID


def test_model_year_rule_is_hard() -> None:
    # plain has Z at position 10 (check digit fine: Z and R both count 9); R is the runner-up
    valid = "1M8GDM9A?RP042788"
    valid = valid.replace("?", check_digit(valid.replace("?", "0")))
    plain = valid[:9] + "Z" + valid[10:]
    assert check_digit_ok(plain) and not is_decodable_valid(plain)
    probs = matrix(valid, alternatives={10: {"Z": 0.6, "R": 0.3}})
    result = decode_vin(probs, "prefer")
    assert result.plain == plain and not result.plain_is_valid
    assert result.chosen == valid and result.candidates[0].changed_positions == [10]
    assert "U, Z and 0" in result.explanation
    assert all(c.vin[9] not in "UZ0" for c in result.candidates)


def test_serial_rule_is_hard() -> None:
    # plain reads H at position 16 (check digit fine: H and 8 both count 8); the digit 8 is the runner-up
    valid = "1M8GDM9A?RP042788"
    valid = valid.replace("?", check_digit(valid.replace("?", "0")))
    plain = valid[:15] + "H" + valid[16:]
    assert check_digit_ok(plain) and not is_decodable_valid(plain)
    result = decode_vin(matrix(valid, alternatives={16: {"H": 0.6, "8": 0.3}}), "prefer")
    assert result.plain == plain and not result.plain_is_valid
    assert result.chosen == valid and result.candidates[0].changed_positions == [16]
    assert "ISO 3779" in result.explanation
    assert all(c.vin[13:].isdigit() for c in result.candidates)


def test_exact_zeros_are_handled() -> None:
    plain = "1HGCN82633A004352"
    probs = np.zeros((17, NUM_CLASSES))
    probs[np.arange(17), [CHAR_TO_INDEX[c] for c in plain]] = 1.0
    result = decode_vin(probs, "enforce", n_best=3)
    assert result.plain == plain and result.plain_log_prob == 0.0
    assert result.chosen_is_valid
    assert all(math.isfinite(c.log_prob) and c.cost > 20 for c in result.candidates)


# --------------------------------------------------------------------------- exactness


def brute_force(probs: np.ndarray, k: int) -> list[tuple[float, str]]:
    """Enumerate every string over the nonzero-probability chars; keep the k best valid ones."""
    options = [[VIN_ALPHABET[j] for j in np.flatnonzero(row > 0)] for row in probs]
    found = [
        (log_prob(probs, "".join(chars)), "".join(chars))
        for chars in itertools.product(*options)
        if is_decodable_valid("".join(chars))
    ]
    return sorted(found, key=lambda item: (-item[0], item[1]))[:k]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    probs = np.zeros((17, NUM_CLASSES))
    base = rng.choice(list(VIN_ALPHABET), size=17)
    base[9] = "A"
    base[13:] = rng.choice(list("0123456789"), size=4)  # the serial rule: positions 14-17 are digits
    probs[np.arange(17), [CHAR_TO_INDEX[c] for c in base]] = 1.0
    # positions 3, 9, 10, 12, 16 get 3-4 random candidates each: 4*3*4*3*4 = 576 strings
    for position, count in ((3, 4), (9, 3), (10, 4), (12, 3), (16, 4)):
        # position 16: four of ten digits and three letters, so at least one digit and often a letter
        pool = {9: "0123456789X", 16: "0123456789ABC"}.get(position, VIN_ALPHABET)
        chars = rng.choice(list(pool), size=count, replace=False)
        row = np.zeros(NUM_CLASSES)
        row[[CHAR_TO_INDEX[c] for c in chars]] = rng.dirichlet(np.ones(count))
        probs[position - 1] = row
    expected = brute_force(probs, 5)
    assert len(expected) == 5
    result = decode_vin(probs, "enforce", n_best=5)
    assert [c.vin for c in result.candidates] == [vin for _, vin in expected]
    for candidate, (lp, _) in zip(result.candidates, expected, strict=True):
        assert candidate.log_prob == pytest.approx(lp)
    assert result.chosen == expected[0][1]


def test_n_best_sorted_distinct_valid() -> None:
    rng = np.random.default_rng(42)
    probs = rng.dirichlet(np.full(NUM_CLASSES, 0.3), size=17)
    for n_best in (1, 7, 40):
        result = decode_vin(probs, "prefer", n_best=n_best)
        vins = [c.vin for c in result.candidates]
        assert len(vins) == n_best == len(set(vins))
        log_probs = [c.log_prob for c in result.candidates]
        assert log_probs == sorted(log_probs, reverse=True)
        for candidate in result.candidates:
            assert is_decodable_valid(candidate.vin)
            assert candidate.log_prob <= result.plain_log_prob + 1e-9
            assert candidate.cost == pytest.approx(max(0.0, result.plain_log_prob - candidate.log_prob))
            assert candidate.log_prob == pytest.approx(log_prob(probs, candidate.vin))
            diff = [i + 1 for i in range(17) if candidate.vin[i] != result.plain[i]]
            assert candidate.changed_positions == diff


# --------------------------------------------------------------------------- API details


def test_to_dict_is_json_ready() -> None:
    result = decode_vin(matrix(VALID, alternatives={5: {"N": 0.6, "M": 0.4}}))
    data = result.to_dict()
    assert data["chosen"] == VALID and data["mode"] == "prefer"
    assert data["candidates"][0]["changed_positions"] == [5]
    json.dumps(data)


@pytest.mark.parametrize(
    "bad",
    [
        np.full((16, NUM_CLASSES), 1 / NUM_CLASSES),
        np.full((17, 34), 1 / 34),
        np.full((17,), 1.0),
        np.full((17, NUM_CLASSES), -1.0),
        np.full((17, NUM_CLASSES), np.nan),
        np.zeros((17, NUM_CLASSES)),
    ],
)
def test_bad_input_raises(bad: np.ndarray) -> None:
    with pytest.raises(ValueError):
        decode_vin(bad)


def test_bad_arguments_raise() -> None:
    probs = matrix(VALID)
    with pytest.raises(ValueError):
        decode_vin(probs, mode="strict")
    with pytest.raises(ValueError):
        decode_vin(probs, n_best=0)
    with pytest.raises(ValueError):
        decode_vin(probs, prefer_margin=-1.0)


def test_accepts_lists_and_float32() -> None:
    probs = matrix(VALID).astype(np.float32)
    assert decode_vin(probs).chosen == VALID
    assert decode_vin(probs.tolist()).chosen == VALID
