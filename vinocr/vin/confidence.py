"""How sure is a VIN reading? The probability that the shown VIN is exactly right, accept or review,
and the boxes to check.

The estimate. The recognizer gives each box calibrated probabilities p_i(c) (vinocr.calibration).
Treating the boxes as independent, a 17-character string v has likelihood L(v) = prod_i p_i(v_i).
The probability that the shown VIN v is exactly right is its share of the likelihood of every
string the rules allow:

    P(v) = L(v) / Z,   Z = sum of L(u) over all strings u the rules allow.

In enforce and prefer mode the rules allow the strings with a valid check digit (position 9), a
valid model-year character (position 10) and digits in positions 14-17 (ISO 3779); in ignore mode
every string, so Z = 1 and P(v) is the product of the box probabilities. Z is summed exactly, not
over a k-best list (whose share would only see the candidates kept and so overstate P): a forward
pass over the 17 positions whose state is the check-digit sum mod 11, the decoder's own state
(position 9 enters as minus its value, so an allowed string ends in state 0). A rule-breaking VIN
that prefer mode shows as read gets P = 0: it is always reviewed.

P is calibrated at the VIN level too (mean P 0.861 against 0.866 exactly right on 4,000 validation
VINs; within about 0.03 of the share exactly right in each probability band in an earlier check),
so accepting P >= t keeps about the precision the accepted P values promise. The alternative of
weighing rule-breaking strings by prefer's 1/100 (the prior under which prefer's choice is the most
probable string) caps P at L / (L + (1 - L) / 100) for every VIN, however clear its check digit: in
that earlier check it accepted 20% of 3,000 validation VINs at 99.5% precision, this estimate 22%.

Boxes to check. A forward-backward pass over the same states gives each box's marginal
P(v_i = c); 1 - P(v_i = shown_i) is the chance that box i is wrong, i.e. the probability of the
allowed VINs that differ from the shown one there. A VIN under review names its boxes whose chance
of being wrong is at least CHECK_BOX_MIN_ERROR (at least the likeliest one).

A VIN is accepted when P is at least the threshold chosen on validation VINs for >= 99.5% precision
(`python -m vinocr.train.calibrate`, stored in calibration.json).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vinocr.alphabet import CHAR_TO_INDEX, NUM_CLASSES, UNREAD, VIN_ALPHABET
from vinocr.calibration import DEFAULT_ACCEPT_THRESHOLD
from vinocr.vin.decode import PROB_FLOOR, is_decodable_valid, validate_probs
from vinocr.vin.rules import (
    CHECK_DIGIT_POSITION,
    CHECK_WEIGHTS,
    MODES,
    TRANSLITERATION,
    VIN_LENGTH,
    allowed_chars,
)

ACCEPT, REVIEW = "accept", "review"
CHECK_BOX_MIN_ERROR = 0.05
"""A box under review is named when its chance of being wrong is at least this."""
MAX_CHECK_BOXES = 5

_STATES = 11
_CHECK_VALUES: dict[str, int] = {**{str(d): d for d in range(10)}, "X": 10}


def _shift_table() -> np.ndarray:
    """(17, 33, 11, 11) one-hot state transitions: [i, c, s, t] = 1 when char c at position i moves the
    check-digit state from s to t (all zero for a char the rules forbid there: rules.allowed_chars)."""
    table = np.zeros((VIN_LENGTH, NUM_CLASSES, _STATES, _STATES))
    states = np.arange(_STATES)
    for i in range(VIN_LENGTH):
        for char, c in CHAR_TO_INDEX.items():
            if i == CHECK_DIGIT_POSITION - 1:
                if char not in _CHECK_VALUES:
                    continue
                step = -_CHECK_VALUES[char]
            elif char not in allowed_chars(i):
                continue
            else:
                step = CHECK_WEIGHTS[i] * TRANSLITERATION[char]
            table[i, c, states, (states + step) % _STATES] = 1.0
    return table


_SHIFTS = _shift_table()


def rule_weight(mode: str) -> float:
    """rho: the weight of a rule-breaking string against an allowed one (0 with rules, 1 without)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    return 1.0 if mode == "ignore" else 0.0


def floored(probs: Any) -> np.ndarray:
    """Validated (17, 33) probabilities floored at PROB_FLOOR, as the decoder sees them."""
    return np.maximum(validate_probs(probs), PROB_FLOOR)


@dataclass(frozen=True)
class Posterior:
    """The normalisers and per-box marginals of the posterior over strings for one probability array."""

    probs: np.ndarray  # (17, 33) floored probabilities
    rho: float
    z_valid: float
    z_all: float
    marginals: np.ndarray  # (17, 33): P(box i is char c | boxes, rules)

    @property
    def normaliser(self) -> float:
        return self.z_valid + self.rho * (self.z_all - self.z_valid)

    def probability(self, vin: str) -> float:
        """P(vin | boxes, rules): the chance that `vin` is exactly right."""
        weight = 1.0 if is_decodable_valid(vin) else self.rho
        if weight == 0.0:
            return 0.0
        log_likelihood = float(
            np.log(self.probs[np.arange(VIN_LENGTH), [CHAR_TO_INDEX[c] for c in vin]]).sum()
        )
        return float(min(1.0, weight * math.exp(log_likelihood - math.log(self.normaliser))))

    def box_errors(self, vin: str) -> np.ndarray:
        """(17,) chance that each box of `vin` is wrong."""
        return 1.0 - self.marginals[np.arange(VIN_LENGTH), [CHAR_TO_INDEX[c] for c in vin]]


def posterior(probs: Any, mode: str = "prefer", rho: float | None = None) -> Posterior:
    """Exact forward-backward over the check-digit states (see the module docstring). A rule-breaking
    string weighs `rho` against an allowed one (default: the mode's, 0 or 1)."""
    p = floored(probs)
    rho = rule_weight(mode) if rho is None else rho
    steps = np.einsum("ic,icst->ist", p, _SHIFTS)  # (17, 11, 11) transition masses per position
    forward = np.zeros((VIN_LENGTH + 1, _STATES))
    backward = np.zeros((VIN_LENGTH + 1, _STATES))
    forward[0, 0] = backward[VIN_LENGTH, 0] = 1.0
    for i in range(VIN_LENGTH):
        forward[i + 1] = forward[i] @ steps[i]
    for i in range(VIN_LENGTH - 1, -1, -1):
        backward[i] = steps[i] @ backward[i + 1]
    z_valid = float(forward[VIN_LENGTH, 0])
    row_sums = p.sum(axis=1)
    z_all = float(np.prod(row_sums))
    valid_mass = p * np.einsum("is,icst,it->ic", forward[:-1], _SHIFTS, backward[1:])
    all_mass = p * (z_all / row_sums)[:, None]
    normaliser = z_valid + rho * (z_all - z_valid)
    marginals = (valid_mass + rho * (all_mass - valid_mass)) / normaliser
    return Posterior(p, rho, z_valid, z_all, np.clip(marginals, 0.0, 1.0))


@dataclass(frozen=True)
class VinConfidence:
    """Accept or review, the probability behind it, and the boxes to check."""

    status: str  # ACCEPT or REVIEW
    probability: float | None  # None when the VIN could not be decoded (a box unread, not 17 boxes)
    threshold: float
    check_boxes: list[int] = field(default_factory=list)  # 1-based, likeliest to be wrong first
    box_errors: list[float] = field(default_factory=list)  # per box, chance that it is wrong
    reason: str = ""

    @property
    def accepted(self) -> bool:
        return self.status == ACCEPT

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-ready), rounded."""
        return {
            "status": self.status,
            "probability": None if self.probability is None else round(self.probability, 6),
            "threshold": round(self.threshold, 6),
            "check_boxes": list(self.check_boxes),
            "box_errors": [round(e, 6) for e in self.box_errors],
            "reason": self.reason,
        }


def boxes_to_check(errors: np.ndarray) -> list[int]:
    """1-based boxes with a chance of being wrong >= CHECK_BOX_MIN_ERROR (at least the likeliest),
    likeliest first, at most MAX_CHECK_BOXES."""
    order = [int(i) for i in np.argsort(-errors, kind="stable")]
    named = [i + 1 for i in order if errors[i] >= CHECK_BOX_MIN_ERROR][:MAX_CHECK_BOXES]
    return named or [order[0] + 1]


def assess(
    probs: Any,
    vin: str,
    mode: str = "prefer",
    threshold: float = DEFAULT_ACCEPT_THRESHOLD,
) -> VinConfidence:
    """Accept `vin` (the VIN shown for these box probabilities) when P(vin) >= threshold, else review."""
    post = posterior(probs, mode)
    probability = post.probability(vin)
    errors = post.box_errors(vin)
    if probability >= threshold:
        return VinConfidence(
            ACCEPT, probability, threshold, [], errors.tolist(), _reason(probability, threshold)
        )
    named = boxes_to_check(errors)
    reason = _reason(probability, threshold, named)
    if post.rho == 0.0 and not is_decodable_valid(vin):
        boxes = ", ".join(map(str, named))
        reason = (
            "it breaks the check-digit, model-year or serial rule, so it is never accepted: "
            f"check box {boxes}"
        )
    return VinConfidence(REVIEW, probability, threshold, named, errors.tolist(), reason)


def not_decoded(vin: str, threshold: float = DEFAULT_ACCEPT_THRESHOLD) -> VinConfidence:
    """Review for a reading that could not be decoded: the unread boxes (or every box) to check."""
    unread = [i + 1 for i, char in enumerate(vin) if char not in VIN_ALPHABET or char == UNREAD]
    if len(vin) != VIN_LENGTH:
        reason = f"{len(vin)} boxes were read; a VIN has {VIN_LENGTH}"
    else:
        reason = f"box {', '.join(map(str, unread))} gave no character"
    return VinConfidence(REVIEW, None, threshold, unread[:VIN_LENGTH], [], reason)


def _reason(probability: float, threshold: float, named: list[int] | None = None) -> str:
    """One sentence on the verdict."""
    if named is None:
        return f"{probability:.1%} probable, at least the {threshold:.1%} needed to accept"
    boxes = ", ".join(map(str, named))
    return f"{probability:.1%} probable, below the {threshold:.1%} needed to accept: check box {boxes}"
