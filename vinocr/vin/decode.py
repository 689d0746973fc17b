"""Exact rule-constrained decoding of 17 per-box probability vectors into the most probable VINs.

The search is a k-best dynamic programme over positions whose state is the weighted check-digit sum
mod 11 of the characters chosen so far. Position 9 weighs 0 in that sum, so it is decided last: once
the other 16 characters are fixed, the sum's check character (``'0'``-``'9'`` or ``'X'``) is the only
allowed character at position 9. Position 10 may not be U, Z or 0 (model-year rule) and positions 14-17
are digits (serial rule, ISO 3779: `vinocr.vin.rules.allowed_chars`). Keeping the
top-k partial readings per (position, state) gives the exact k best valid VINs: a prefix outside the
top-k of its state could be swapped for k better prefixes with the same state and suffix.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from vinocr.alphabet import CHAR_TO_INDEX, NUM_CLASSES, VIN_ALPHABET
from vinocr.vin.rules import (
    CHECK_DIGIT_POSITION,
    CHECK_WEIGHTS,
    MODES,
    TRANSLITERATION,
    VIN_LENGTH,
    allowed_chars,
    check_char,
    check_digit_ok,
    check_vin,
)

PROB_FLOOR: float = 1e-12
"""Probabilities are clipped to at least this before the log, so an exact 0 stays finite (≈ -27.6)."""

DEFAULT_PREFER_RATIO: float = 0.01
DEFAULT_PREFER_MARGIN: float = -math.log(DEFAULT_PREFER_RATIO)
"""ln 100 ≈ 4.61: in prefer mode a valid VIN replaces the plain reading when it is at most 100x less
likely. Why 100x: a plain reading that fails the check digit is either a misread or a VIN whose maker
doesn't use the check digit. If a fraction q of VINs use it and position 9 of the others is one of 11
values at random, the valid reading wins when its likelihood ratio exceeds (1-q)/11 / (q + (1-q)/11),
which is about 0.01 for q = 0.9; a softmax is also usually over-confident, so its ratios understate
how plausible the second choice is. One box changed with the runner-up at >= 1% of the top choice
passes; two boxes usually need each runner-up at >= 10%."""

_CHECK_INDEX = CHECK_DIGIT_POSITION - 1
DECODER_RULES: tuple[str, ...] = ("check_digit", "model_year", "serial")
"""The rules (vinocr.vin.rules.check_vin names) the decoder and the VIN probability enforce."""
_ORDER: tuple[int, ...] = tuple(i for i in range(VIN_LENGTH) if i != _CHECK_INDEX) + (_CHECK_INDEX,)
"""Positions (0-based) in DP order: every position but 9, then position 9 last."""


@dataclass(frozen=True)
class Candidate:
    """One valid VIN: its log-probability and how it differs from the plain reading."""

    vin: str
    log_prob: float
    changed_positions: list[int]
    cost: float

    @property
    def ratio(self) -> float:
        """Probability relative to the plain reading (1.0 = as likely, 0.01 = 100x less likely)."""
        return math.exp(-self.cost)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-ready)."""
        return asdict(self)


@dataclass(frozen=True)
class DecodeResult:
    """Plain (per-box argmax) reading, the best valid VINs, and which one to show."""

    plain: str
    plain_log_prob: float
    plain_is_valid: bool
    candidates: list[Candidate]
    chosen: str
    chosen_is_valid: bool
    mode: str
    explanation: str
    chosen_changed_positions: list[int] = field(default_factory=list)

    @property
    def best_valid(self) -> Candidate | None:
        """The most probable valid VIN (None only when n_best gave none)."""
        return self.candidates[0] if self.candidates else None

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-ready)."""
        result = asdict(self)
        result["candidates"] = [c.to_dict() for c in self.candidates]
        return result


# --------------------------------------------------------------------------- inputs


def validate_probs(probs: Any) -> np.ndarray:
    """Return `probs` as a float64 (17, 33) array with rows normalised to 1; ValueError when unusable."""
    array = np.asarray(probs, dtype=np.float64)
    if array.shape != (VIN_LENGTH, NUM_CLASSES):
        raise ValueError(
            f"probs must have shape ({VIN_LENGTH}, {NUM_CLASSES}) (17 boxes x 33 VIN characters), "
            f"got {array.shape}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError("probs contains NaN or infinite values")
    if np.any(array < 0):
        raise ValueError("probs must be non-negative (pass softmax probabilities, not logits)")
    sums = array.sum(axis=1)
    if np.any(sums <= 0):
        empty = [int(i) + 1 for i in np.flatnonzero(sums <= 0)]
        raise ValueError(f"probs rows for boxes {empty} are all zero")
    return array / sums[:, None]


def log_probs(probs: np.ndarray) -> np.ndarray:
    """Natural log of probabilities, floored at PROB_FLOOR."""
    return np.log(np.maximum(probs, PROB_FLOOR))


def string_log_prob(logp: np.ndarray, vin: str) -> float:
    """Log-probability of a 17-char string, summed in position order."""
    indices = [CHAR_TO_INDEX[c] for c in vin]
    return float(logp[np.arange(VIN_LENGTH), indices].sum())


def plain_reading(logp: np.ndarray) -> tuple[str, float]:
    """Per-box argmax string and its log-probability."""
    plain = "".join(VIN_ALPHABET[i] for i in np.argmax(logp, axis=1))
    return plain, string_log_prob(logp, plain)


_ALLOWED: tuple[str, ...] = tuple(allowed_chars(p) for p in range(VIN_LENGTH))


# --------------------------------------------------------------------------- k-best DP

Beam = list[tuple[float, str]]
"""Partial readings as (log-prob, chars in DP order), best first."""


def _extend(beams: list[Beam], logp_row: np.ndarray, position: int, k: int) -> list[Beam]:
    """One DP step: add every allowed char at `position` to every beam, keep the top k per new state."""
    weight = CHECK_WEIGHTS[position]
    pooled: list[Beam] = [[] for _ in range(11)]
    for state, beam in enumerate(beams):
        for char in _ALLOWED[position]:
            lp = float(logp_row[CHAR_TO_INDEX[char]])
            target = pooled[(state + weight * TRANSLITERATION[char]) % 11]
            target.extend((score + lp, chars + char) for score, chars in beam)
    return [sorted(pool, key=lambda item: (-item[0], item[1]))[:k] for pool in pooled]


def _to_vin(chars_in_order: str) -> str:
    """Reorder characters from DP order back to VIN positions."""
    vin = [""] * VIN_LENGTH
    for position, char in zip(_ORDER, chars_in_order, strict=True):
        vin[position] = char
    return "".join(vin)


def k_best_valid(logp: np.ndarray, k: int) -> list[tuple[float, str]]:
    """The k most probable VINs under the check-digit, model-year and serial rules, as (log-prob, vin)."""
    beams: list[Beam] = [[(0.0, "")]] + [[] for _ in range(10)]
    for position in _ORDER[:-1]:
        beams = _extend(beams, logp[position], position, k)
    finished = []
    for state, beam in enumerate(beams):
        char = check_char(state)
        lp = float(logp[_CHECK_INDEX, CHAR_TO_INDEX[char]])
        finished.extend((score + lp, _to_vin(chars + char)) for score, chars in beam)
    finished.sort(key=lambda item: (-item[0], item[1]))
    return finished[:k]


# --------------------------------------------------------------------------- decode


def changed_positions(vin: str, reference: str) -> list[int]:
    """1-based positions where two equal-length strings differ."""
    return [i + 1 for i, (a, b) in enumerate(zip(vin, reference, strict=True)) if a != b]


def is_decodable_valid(vin: str) -> bool:
    """True when `vin` passes the rules the decoder enforces (check digit, model year, serial digits)."""
    return check_digit_ok(vin) and all(char in _ALLOWED[i] for i, char in enumerate(vin))


def _describe_changes(candidate: Candidate, plain: str) -> str:
    """E.g. "position 5 ('B' -> '8')"."""
    parts = [f"{p} ({plain[p - 1]!r} -> {candidate.vin[p - 1]!r})" for p in candidate.changed_positions]
    label = "position" if len(parts) == 1 else "positions"
    return f"{label} {', '.join(parts)}"


def _plain_failures(plain: str) -> str:
    """Why the plain reading breaks the rules, as one clause."""
    report = check_vin(plain, "enforce")
    reasons = [r.reason for r in report.rules if r.name in DECODER_RULES and r.passed is False]
    return "; ".join(reasons)


def _times_less(cost: float) -> str:
    """A cost in nats as "about N times less likely"."""
    ratio = math.exp(cost)
    return f"about {ratio:.3g} times less likely" if ratio < 1e6 else "far less likely"


def _explain(
    mode: str, plain: str, plain_ok: bool, best: Candidate | None, chose_best: bool, margin: float
) -> str:
    """Two or three plain-language sentences on what is shown and why."""
    if plain_ok:
        return (
            f"The plain reading {plain} passes the check-digit, model-year and serial rules, "
            "so it is shown as read."
        )
    broken = f"The plain reading {plain} breaks the rules: {_plain_failures(plain)}."
    if mode == "ignore":
        return f"{broken} Rules are ignored, so it is shown anyway."
    if best is None:
        return f"{broken} No valid VIN was found, so it is shown anyway."
    change = (
        f"The most probable valid VIN, {best.vin}, changes {_describe_changes(best, plain)} "
        f"and is {_times_less(best.cost)}"
    )
    if chose_best and mode == "enforce":
        return f"{broken} {change}; it is shown instead because the rules are enforced."
    allowed = f"{math.exp(margin):.3g}"
    if chose_best:
        return f"{broken} {change}, within the {allowed}x allowed, so it is shown instead."
    return f"{broken} {change}, more than the {allowed}x allowed, so the plain reading is kept as it is."


def decode_vin(
    probs: Any,
    mode: str = "prefer",
    n_best: int = 5,
    prefer_margin: float = DEFAULT_PREFER_MARGIN,
) -> DecodeResult:
    """Decode a (17, 33) probability array (columns in VIN_ALPHABET order) into a VIN.

    Modes: ``"ignore"`` shows the plain per-box reading; ``"enforce"`` shows the most probable VIN
    with a valid check digit, model-year code and serial digits; ``"prefer"`` shows that VIN when its cost
    (plain log-prob minus its log-prob, natural log) is at most `prefer_margin` (default ln 100, see
    DEFAULT_PREFER_MARGIN), otherwise the plain reading. `candidates` holds the `n_best` most probable
    valid VINs in every mode, found exactly.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if n_best < 1:
        raise ValueError(f"n_best must be at least 1, got {n_best}")
    if not prefer_margin >= 0:
        raise ValueError(f"prefer_margin must be >= 0 (a log-probability cost), got {prefer_margin}")
    logp = log_probs(validate_probs(probs))
    plain, plain_lp = plain_reading(logp)
    # re-sum in position order so that equal strings get bit-identical scores (the plain one costs 0.0)
    scored = sorted(
        ((string_log_prob(logp, vin), vin) for _, vin in k_best_valid(logp, n_best)),
        key=lambda item: (-item[0], item[1]),
    )
    candidates = [
        Candidate(vin, lp, changed_positions(vin, plain), max(0.0, plain_lp - lp)) for lp, vin in scored
    ]
    plain_ok = is_decodable_valid(plain)
    best = candidates[0] if candidates else None
    chose_best = (
        not plain_ok
        and best is not None
        and (mode == "enforce" or (mode == "prefer" and best.cost <= prefer_margin))
    )
    chosen = best.vin if chose_best and best is not None else plain
    return DecodeResult(
        plain=plain,
        plain_log_prob=plain_lp,
        plain_is_valid=plain_ok,
        candidates=candidates,
        chosen=chosen,
        chosen_is_valid=is_decodable_valid(chosen),
        mode=mode,
        explanation=_explain(mode, plain, plain_ok, best, chose_best, prefer_margin),
        chosen_changed_positions=changed_positions(chosen, plain),
    )
