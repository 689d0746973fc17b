"""vinocr.vin.confidence: the exact posterior over VINs, accept or review, and the boxes to check."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from vinocr.alphabet import CHAR_TO_INDEX, NUM_CLASSES, VIN_ALPHABET
from vinocr.vin.confidence import (
    ACCEPT,
    REVIEW,
    assess,
    boxes_to_check,
    not_decoded,
    posterior,
    rule_weight,
)
from vinocr.vin.decode import decode_vin, is_decodable_valid

LETTERS = "".join(c for c in VIN_ALPHABET if not c.isdigit())
VALID = "1HGCM82633A004352"  # position 5 'M' and 'D' both weigh 4 in the check sum


def matrix(vin: str, top: float = 0.999, rows: dict[int, dict[str, float]] | None = None) -> np.ndarray:
    """`top` on each char of `vin`, the rest spread; `rows` (1-based position -> {char: p}) replaces rows."""
    probs = np.full((17, NUM_CLASSES), (1.0 - top) / (NUM_CLASSES - 1))
    for i, char in enumerate(vin):
        probs[i, CHAR_TO_INDEX[char]] = top
    for position, row in (rows or {}).items():
        rest = 1.0 - sum(row.values())
        probs[position - 1] = rest / (NUM_CLASSES - len(row))
        for char, p in row.items():
            probs[position - 1, CHAR_TO_INDEX[char]] = p
    return probs


@pytest.mark.parametrize("mode", ["enforce", "prefer", "ignore"])
def test_posterior_equals_brute_force_enumeration(mode):
    rng = np.random.default_rng(3)
    probs = np.zeros((17, NUM_CLASSES))
    support = []
    for i in range(17):
        chars = rng.choice(NUM_CLASSES, 2, replace=False)
        if i >= 13:  # positions 14-17 must hold a digit for any string to be allowed: one and a letter
            chars = np.array([rng.integers(10), CHAR_TO_INDEX[str(rng.choice(list(LETTERS)))]])
        probs[i, chars] = rng.dirichlet([1, 1])
        support.append(chars)
    post = posterior(probs, mode)
    z_valid, total, best, best_mass = 0.0, 0.0, "", 0.0
    marginals = np.zeros((17, NUM_CLASSES))
    for combo in itertools.product(*support):  # 2**17 strings
        vin = "".join(VIN_ALPHABET[c] for c in combo)
        likelihood = float(np.prod(probs[np.arange(17), list(combo)]))
        valid = is_decodable_valid(vin)
        mass = (1.0 if valid else post.rho) * likelihood
        z_valid += likelihood * valid
        total += mass
        marginals[np.arange(17), list(combo)] += mass
        if mass > best_mass:
            best, best_mass = vin, mass
    assert post.z_valid == pytest.approx(z_valid, rel=1e-6)
    assert np.abs(post.marginals - marginals / total).max() < 1e-6
    assert post.probability(best) == pytest.approx(best_mass / total, rel=1e-5)


def test_a_letter_in_the_serial_digits_is_never_accepted():
    post = posterior(matrix(VALID), "prefer")
    assert post.probability(VALID) > 0.9
    assert post.marginals[13:, [CHAR_TO_INDEX[c] for c in LETTERS]].max() == 0.0
    letter = VALID[:16] + "B"  # B counts 2 like the 2 it replaces: the check digit still holds
    assert post.probability(letter) == 0.0 and posterior(matrix(letter), "prefer").probability(letter) == 0.0
    verdict = assess(matrix(letter), letter, "prefer")
    assert verdict.status == REVIEW and "serial rule" in verdict.reason
    assert posterior(matrix(letter), "ignore").probability(letter) > 0.9


def test_rule_weights_follow_the_mode():
    assert rule_weight("enforce") == rule_weight("prefer") == 0.0 and rule_weight("ignore") == 1.0
    with pytest.raises(ValueError, match="mode must be one of"):
        rule_weight("sometimes")


@pytest.mark.parametrize("seed", range(10))
def test_probabilities_of_the_allowed_vins_add_up_to_one(seed):
    """P over the k best valid VINs never exceeds 1 and the shown VIN's share is the exact one."""
    rng = np.random.default_rng(seed)
    probs = rng.dirichlet(np.full(NUM_CLASSES, 0.02), size=17)
    decoded = decode_vin(probs, "enforce", n_best=50)
    post = posterior(probs, "enforce")
    shares = [post.probability(c.vin) for c in decoded.candidates]
    assert sum(shares) <= 1 + 1e-9 and shares == sorted(shares, reverse=True)
    kept = np.exp([c.log_prob for c in decoded.candidates])
    assert shares[0] <= kept[0] / kept.sum() + 1e-12  # the k-best share can only overstate it
    assert posterior(probs, "ignore").probability(decoded.plain) == pytest.approx(
        np.exp(decoded.plain_log_prob)
    )


def test_a_clear_vin_is_accepted_and_names_no_box():
    result = assess(matrix(VALID), VALID, "prefer", threshold=0.99)
    assert result.status == ACCEPT and result.probability > 0.99 and result.check_boxes == []
    assert max(result.box_errors) < 0.01 and "at least" in result.reason


def test_two_valid_readings_split_the_probability_and_name_the_box():
    probs = matrix(VALID, rows={5: {"M": 0.55, "D": 0.45}})
    result = assess(probs, VALID, "enforce", threshold=0.99)
    assert result.status == REVIEW
    assert result.probability == pytest.approx(0.55, abs=0.01)
    assert result.check_boxes == [5]
    assert result.box_errors[4] == pytest.approx(0.45, abs=0.01)
    assert "check box 5" in result.reason


def test_a_rule_breaking_reading_kept_in_prefer_mode_is_reviewed():
    # box 5 reads 'N' (valid VINs need M or D there); M at 0.4% is more than 100x less likely
    probs = matrix(VALID, rows={5: {"N": 0.9959, "M": 0.004}})
    plain = VALID[:4] + "N" + VALID[5:]
    decoded = decode_vin(probs, "prefer")
    assert decoded.chosen == plain and not decoded.plain_is_valid
    result = assess(probs, decoded.chosen, "prefer", threshold=0.9)
    assert result.status == REVIEW and result.probability == 0.0
    assert "breaks the check-digit" in result.reason and result.check_boxes == [5]
    ignored = assess(probs, plain, "ignore", threshold=0.9)
    assert ignored.probability == pytest.approx(0.9959 * 0.999**16, rel=1e-6) and ignored.status == ACCEPT


def test_boxes_to_check_are_the_likeliest_wrong_at_least_one():
    errors = np.zeros(17)
    errors[[2, 11, 6]] = [0.3, 0.06, 0.01]
    assert boxes_to_check(errors) == [3, 12]
    assert boxes_to_check(np.full(17, 0.001)) == [1]


def test_an_undecoded_reading_is_reviewed_with_its_unread_boxes():
    result = not_decoded("1HGC?82633A0?4352")
    assert result.status == REVIEW and result.probability is None and result.check_boxes == [5, 13]
    assert "16 boxes" in not_decoded("1HGCM82633A00435").reason
    assert result.to_dict()["probability"] is None
