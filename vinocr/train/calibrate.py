"""Fit what vinocr needs to say how sure it is, for any model folder, and write calibration.json.

    python -m vinocr.train.calibrate --emnist-dir DIR --model-dir models

Every choice is made on the validation split of ../shared/EVALUATION.md; the test split is only
measured, once, at the end:

1. Temperature T: minimises the negative log-likelihood of the boxes of the validation VINs (below);
   the recognizer then returns softmax(log(p) / T) (vinocr.calibration).
2. Accept threshold: validation VINs (random valid VINs written in random synthetic box styles,
   vinocr.synth.vins, with glyphs that look more like real writing: the validation split's glyphs and
   their convention variants, vinocr.synth.conventions; `writing_like_pool`) are read with T and the
   default prefer mode; the threshold is the lowest VIN probability (vinocr.vin.confidence) at which
   the accepted VINs are still at least 99.5% exactly right, counted (95% lower confidence bound: a
   threshold where the validation precision only just reaches the target misses it on new VINs about
   half the time) and by their mean probability (choose_threshold).
3. Prefer margin re-check: the same validation VINs plus validation VINs whose maker does not use the
   check digit (a wrong position 9), decoded with several margins; with 90% of VINs carrying a real
   check digit (the assumption behind the default ln 100) the expected exact-VIN rate per margin.
4. Real writers (with --realdev-dir): valid VINs spelled with
   the real images of each source that holds all 33 characters, read with T and the threshold:
   how many are accepted and how many of those are wrong. Measured only, never fitted on.
5. Test: the expected calibration error (15 bins) before and after T on the raw test images and on
   every test glyph drawn once into a synthetic box (plus its reliability table), and on generated
   test VINs for seeds 0 and 7: precision and coverage at the threshold and the whole curve.

Probabilities are computed once, uncalibrated (Recognizer.load(..., calibrated=False)); T is applied
in numpy, so no TensorFlow is needed.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vinocr.alphabet import NUM_CLASSES, VIN_ALPHABET
from vinocr.box.recognizer import Recognizer
from vinocr.calibration import CALIBRATION_FILE, TARGET_PRECISION, apply_temperature, file_sha256
from vinocr.model_files import ONNX_FILE, model_dir_from_env
from vinocr.synth.boxes import random_style, render_box
from vinocr.synth.vins import VinMaker, generate_vins, random_unchecked_vin, random_valid_vin
from vinocr.train.data import load_vin_split, resolve_emnist_dir
from vinocr.train.realdev import named_realdev_dir
from vinocr.vin.confidence import boxes_to_check, posterior
from vinocr.vin.decode import DEFAULT_PREFER_MARGIN, decode_vin, is_decodable_valid

ECE_BINS = 15
PRECISION_Z = 1.645  # the accepted validation VINs' precision must clear the target at 95% confidence
CHECK_DIGIT_SHARE = 0.9
"""Share of VINs assumed to carry a real check digit (the prefer margin's premise)."""
MARGINS: tuple[float, ...] = (
    *(math.log(r) for r in (1, 3, 10, 30)),
    DEFAULT_PREFER_MARGIN,
    *(math.log(r) for r in (300, 1000, 10000)),
    math.inf,
)
"""Prefer margins re-checked, in nats (inf: enforce)."""
TABLE_THRESHOLDS = (0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999)
VAL_SEED, UNCHECKED_SEED, TEST_BOX_SEED = 101, 102, 103
CHUNK_VINS = 40
REAL_VINS, REAL_VIN_SEED = 1000, 0


# --------------------------------------------------------------------------- reading generated data


@dataclass
class VinSet:
    """Generated VINs, their uncalibrated box probabilities, and which ones had a box left unread."""

    truth: list[str]
    probs: np.ndarray  # (N, 17, 33); rows of unread VINs are uniform
    readable: np.ndarray  # (N,) bool: every box gave a character

    @property
    def box_labels(self) -> np.ndarray:
        """(N, 17) class index of each box's true character."""
        return np.array([[VIN_ALPHABET.index(c) for c in vin] for vin in self.truth], dtype=np.int64)


def read_vin_set(
    recognizer: Recognizer,
    glyphs: np.ndarray,
    labels: np.ndarray,
    count: int,
    seed: int,
    make_vin: VinMaker = random_valid_vin,
) -> VinSet:
    """Generate `count` VINs (vinocr.synth.vins) and read their boxes, a few VINs per model call."""
    truth: list[str] = []
    rows: list[np.ndarray] = []
    readable: list[bool] = []
    pending: list[tuple[str, list[np.ndarray]]] = []

    def flush() -> None:
        results = recognizer.recognize_arrays([box for _, boxes in pending for box in boxes])
        for k, (vin, _) in enumerate(pending):
            mine = results[17 * k : 17 * (k + 1)]
            ok = all(r.status == "ok" for r in mine)
            truth.append(vin)
            readable.append(ok)
            rows.append(
                np.stack([r.probs for r in mine]) if ok else np.full((17, NUM_CLASSES), 1.0 / NUM_CLASSES)
            )
        pending.clear()

    for item in generate_vins(glyphs, labels, count, seed, make_vin):
        pending.append(item)
        if len(pending) == CHUNK_VINS:
            flush()
    if pending:
        flush()
    return VinSet(truth, np.asarray(rows, np.float64).reshape(-1, 17, NUM_CLASSES), np.array(readable))


def read_glyph_boxes(
    recognizer: Recognizer, glyphs: np.ndarray, labels: np.ndarray, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Every glyph once in a random synthetic box: (probabilities, labels) of the boxes that gave a
    character (the few reported empty are left out)."""
    rng = np.random.default_rng(seed)
    probs, kept = [], []
    for start in range(0, len(glyphs), 1024):
        boxes = [render_box(g, random_style(rng), rng) for g in glyphs[start : start + 1024]]
        for k, result in enumerate(recognizer.recognize_arrays(boxes)):
            if result.status == "ok":
                probs.append(result.probs)
                kept.append(start + k)
    return np.asarray(probs, np.float64), labels[np.asarray(kept, dtype=np.int64)]


def writing_like_pool(
    x_val: np.ndarray, y_val: np.ndarray, seed: int = VAL_SEED
) -> tuple[np.ndarray, np.ndarray, str]:
    """Validation glyphs that look more like real writing: the split's own and convention variants of
    them (slashed 0, flagged 1, barred 7 and Z, open 4); (glyphs, labels, a description).

    Handwriting-font renders are left out: a few families draw letters that the model reads, surely,
    as another (an X read as P), and such label noise left no threshold at 99.5% on 4,000 VINs."""
    from vinocr.synth.conventions import convention_variants

    x_var, y_var = convention_variants(x_val, y_val, VIN_ALPHABET, seed)
    about = f"{len(y_val):,} validation-split glyphs and {len(y_var):,} convention variants of them"
    return np.concatenate([x_val, x_var]), np.concatenate([y_val, y_var]), about


def real_writers_report(
    recognizer: Recognizer, folder: Path, temperature: float, threshold: float, count: int = REAL_VINS
) -> dict[str, Any]:
    """VINs spelled with real writers' images (vinocr.train.realdev), per source that can spell any VIN:
    exact, accepted, and wrong among the accepted at `threshold`; none when `count` is 0."""
    from vinocr.train.realdev import compose_vins, full_sources, read_labels, read_probabilities

    if count <= 0:
        return {}
    chars = read_labels(folder)
    probs = read_probabilities(recognizer, chars)
    report = {}
    for source in full_sources(chars, VIN_ALPHABET):
        vins = compose_vins(chars, source, count, REAL_VIN_SEED)
        readable = np.array([all(probs[i] is not None for i in rows) for _, rows in vins])
        uniform = np.full(NUM_CLASSES, 1.0 / NUM_CLASSES)
        stacked = [[uniform if probs[i] is None else probs[i] for i in rows] for _, rows in vins]
        outcomes = vin_outcomes(
            VinSet([v for v, _ in vins], np.asarray(stacked, np.float64), readable), temperature
        )
        report[source] = {
            "vins": count,
            "seed": REAL_VIN_SEED,
            "images": sum(c.source == source for c in chars),
            "exact_vin": float(outcomes.correct.mean()),
            **accepted_stats(outcomes.probability, outcomes.correct, threshold),
        }
    return report


# --------------------------------------------------------------------------- box calibration


def negative_log_likelihood(probs: np.ndarray, labels: np.ndarray) -> float:
    """Mean -log p(true class)."""
    return float(-np.log(np.maximum(probs[np.arange(len(labels)), labels], 1e-12)).mean())


def fit_temperature(probs: np.ndarray, labels: np.ndarray, low: float = 0.25, high: float = 8.0) -> float:
    """The T in [low, high] minimising the NLL of softmax(log(p) / T) (golden-section search on log T;
    the NLL is convex in 1/T)."""
    ratio = (math.sqrt(5) - 1) / 2

    def loss(log_t: float) -> float:
        return negative_log_likelihood(apply_temperature(probs, math.exp(log_t)), labels)

    a, b = math.log(low), math.log(high)
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = loss(c), loss(d)
    while b - a > 1e-4:
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = loss(c)
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = loss(d)
    return float(math.exp((a + b) / 2))


def reliability_table(probs: np.ndarray, labels: np.ndarray, bins: int = ECE_BINS) -> list[dict[str, Any]]:
    """Equal-width confidence bins (of the top probability): count, mean confidence, accuracy."""
    confidence = probs.max(axis=1)
    correct = probs.argmax(axis=1) == labels
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, bins - 1)
    rows = []
    for b in range(bins):
        mask = index == b
        n = int(mask.sum())
        rows.append(
            {
                "low": round(float(edges[b]), 4),
                "high": round(float(edges[b + 1]), 4),
                "count": n,
                "confidence": float(confidence[mask].mean()) if n else None,
                "accuracy": float(correct[mask].mean()) if n else None,
            }
        )
    return rows


def expected_calibration_error(probs: np.ndarray, labels: np.ndarray, bins: int = ECE_BINS) -> float:
    """ECE: the count-weighted mean |accuracy - confidence| over equal-width confidence bins."""
    total = len(labels)
    return float(
        sum(
            row["count"] / total * abs(row["accuracy"] - row["confidence"])
            for row in reliability_table(probs, labels, bins)
            if row["count"]
        )
    )


def calibration_report(probs: np.ndarray, labels: np.ndarray, temperature: float) -> dict[str, Any]:
    """ECE, NLL and accuracy before and after T, with both reliability tables."""
    after = apply_temperature(probs, temperature)
    return {
        "n": int(len(labels)),
        "accuracy": float((probs.argmax(1) == labels).mean()),
        "ece_before": expected_calibration_error(probs, labels),
        "ece_after": expected_calibration_error(after, labels),
        "nll_before": negative_log_likelihood(probs, labels),
        "nll_after": negative_log_likelihood(after, labels),
        "reliability_before": reliability_table(probs, labels),
        "reliability_after": reliability_table(after, labels),
    }


# --------------------------------------------------------------------------- VIN outcomes


@dataclass
class VinOutcomes:
    """Per generated VIN, read with one temperature in prefer mode."""

    shown: list[str]
    probability: np.ndarray  # (N,); 0 for a VIN with an unread box (never accepted)
    correct: np.ndarray  # (N,) bool: the shown VIN is exactly the true one
    check_boxes: list[list[int]]
    wrong_boxes: list[list[int]]
    plain: list[str]
    best_valid: list[str]
    cost: np.ndarray  # (N,) nats from the plain reading to the best valid VIN


def vin_outcomes(vins: VinSet, temperature: float, margin: float = DEFAULT_PREFER_MARGIN) -> VinOutcomes:
    """Decode every VIN in prefer mode with calibrated probabilities; its probability and boxes to check."""
    shown, check, wrong, plain, best = [], [], [], [], []
    probability = np.zeros(len(vins.truth))
    cost = np.full(len(vins.truth), math.inf)
    for k, (truth, raw, ok) in enumerate(zip(vins.truth, vins.probs, vins.readable)):
        if not ok:
            shown.append("?" * 17)
            check.append([])
            wrong.append(list(range(1, 18)))
            plain.append("?" * 17)
            best.append("")
            continue
        probs = apply_temperature(raw, temperature)
        decoded = decode_vin(probs, "prefer", n_best=1, prefer_margin=margin)
        post = posterior(probs, "prefer")
        probability[k] = post.probability(decoded.chosen)
        shown.append(decoded.chosen)
        check.append(boxes_to_check(post.box_errors(decoded.chosen)))
        wrong.append([i + 1 for i, (a, b) in enumerate(zip(decoded.chosen, truth)) if a != b])
        plain.append(decoded.plain)
        best.append(decoded.best_valid.vin if decoded.best_valid else "")
        cost[k] = decoded.best_valid.cost if decoded.best_valid else math.inf
    correct = np.array([s == t for s, t in zip(shown, vins.truth)])
    return VinOutcomes(shown, probability, correct, check, wrong, plain, best, cost)


def accepted_stats(probability: np.ndarray, correct: np.ndarray, threshold: float) -> dict[str, Any]:
    """Coverage (share accepted), precision (share of accepted exactly right) and counts at a threshold."""
    accepted = probability >= threshold
    n_accepted = int(accepted.sum())
    right = int((accepted & correct).sum())
    return {
        "threshold": float(threshold),
        "coverage": n_accepted / len(probability) if len(probability) else 0.0,
        "precision": right / n_accepted if n_accepted else None,
        "accepted": n_accepted,
        "wrong_accepted": n_accepted - right,
    }


def wilson_bounds(right: np.ndarray, counts: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score bounds (lower, upper) of the share right/counts at `z` standard errors (z 1.96:
    the two-sided 95% interval; z 0: the share itself)."""
    share = np.asarray(right, np.float64) / counts
    if z == 0:
        return share, share
    centre = share + z * z / (2 * counts)
    spread = z * np.sqrt(share * (1 - share) / counts + z * z / (4 * counts * counts))
    scale = 1 + z * z / counts
    return (centre - spread) / scale, (centre + spread) / scale


def wilson_lower(right: np.ndarray, counts: np.ndarray, z: float) -> np.ndarray:
    """One-sided Wilson lower confidence bound of the share right/counts (z = 0: the share itself)."""
    return wilson_bounds(right, counts, z)[0]


def choose_threshold(
    probability: np.ndarray, correct: np.ndarray, target: float = TARGET_PRECISION, z: float = PRECISION_Z
) -> float:
    """The lowest observed VIN probability t such that the VINs with probability >= t are at least
    `target` exactly right, both as counted (the one-sided Wilson lower bound at `z` standard errors,
    so that the target also holds on new VINs, not just on these) and as their mean probability
    expects (smooth where a count jumps by 0.3% per mistake); 1.0 when none is."""
    order = np.argsort(-probability, kind="stable")
    ranked = probability[order]
    counts = np.arange(1, len(order) + 1)
    precision = wilson_lower(np.cumsum(correct[order]), counts, z)
    expected = np.cumsum(ranked) / counts
    # a threshold can only sit between distinct probabilities: look at the last VIN of each tie group
    last_of_tie = np.r_[ranked[1:] != ranked[:-1], True]
    meets = np.flatnonzero(last_of_tie & (precision >= target) & (expected >= target) & (ranked > 0))
    return float(ranked[meets[-1]]) if len(meets) else 1.0


def precision_coverage_curve(probability: np.ndarray, correct: np.ndarray, points: int = 50) -> list[dict]:
    """Precision against coverage when the most probable VINs are accepted first, at `points` coverages."""
    order = np.argsort(-probability, kind="stable")
    hits = np.cumsum(correct[order])
    n = len(order)
    rows = []
    for k in sorted({max(1, round(n * (j + 1) / points)) for j in range(points)}):
        rows.append(
            {
                "coverage": k / n,
                "precision": float(hits[k - 1] / k),
                "threshold": float(probability[order[k - 1]]),
            }
        )
    return rows


def check_box_stats(outcomes: VinOutcomes, threshold: float) -> dict[str, Any]:
    """On wrong VINs sent to review: how often every wrong box is named, and how many boxes are named."""
    review = outcomes.probability < threshold
    wrong = [
        k for k in np.flatnonzero(review & ~outcomes.correct) if outcomes.check_boxes[k]
    ]  # readable, wrong, reviewed
    named = [len(outcomes.check_boxes[k]) for k in np.flatnonzero(review) if outcomes.check_boxes[k]]
    found = [set(outcomes.wrong_boxes[k]) <= set(outcomes.check_boxes[k]) for k in wrong]
    return {
        "wrong_reviewed": len(wrong),
        "all_wrong_boxes_named": float(np.mean(found)) if found else None,
        "mean_boxes_named": float(np.mean(named)) if named else None,
    }


def vin_report(outcomes: VinOutcomes, threshold: float) -> dict[str, Any]:
    """Accept/review summary, the curve and its table, and how honest the VIN probability is."""
    return {
        "vins": len(outcomes.correct),
        "exact_vin": float(outcomes.correct.mean()),
        "mean_probability": float(outcomes.probability.mean()),
        "unread_vins": sum("?" in vin for vin in outcomes.shown),
        "at_threshold": accepted_stats(outcomes.probability, outcomes.correct, threshold),
        "check_boxes": check_box_stats(outcomes, threshold),
        "table": [accepted_stats(outcomes.probability, outcomes.correct, t) for t in TABLE_THRESHOLDS],
        "curve": precision_coverage_curve(outcomes.probability, outcomes.correct),
    }


# --------------------------------------------------------------------------- prefer margin


def prefer_choice(outcomes: VinOutcomes, margin: float) -> list[str]:
    """What prefer mode with `margin` shows for each VIN (from one decode: plain, best valid, cost)."""
    return [
        best if best and not is_decodable_valid(plain) and cost <= margin else plain
        for plain, best, cost in zip(outcomes.plain, outcomes.best_valid, outcomes.cost)
    ]


def margin_check(
    checked: VinOutcomes, checked_truth: Sequence[str], unchecked: VinOutcomes, unchecked_truth: Sequence[str]
) -> dict[str, Any]:
    """Exact-VIN rate per prefer margin on VINs with and without a real check digit, and their mix."""
    rows = []
    for margin in MARGINS:
        right_checked = np.mean([a == b for a, b in zip(prefer_choice(checked, margin), checked_truth)])
        right_unchecked = np.mean([a == b for a, b in zip(prefer_choice(unchecked, margin), unchecked_truth)])
        rows.append(
            {
                "margin": margin if math.isfinite(margin) else None,
                "ratio": round(math.exp(margin)) if math.isfinite(margin) else None,
                "label": f"ln {math.exp(margin):.0f}" if math.isfinite(margin) else "enforce (no limit)",
                "exact_checked": float(right_checked),
                "exact_unchecked": float(right_unchecked),
                "expected_exact": float(
                    CHECK_DIGIT_SHARE * right_checked + (1 - CHECK_DIGIT_SHARE) * right_unchecked
                ),
            }
        )
    best = max(rows, key=lambda r: r["expected_exact"])
    current = rows[MARGINS.index(DEFAULT_PREFER_MARGIN)]
    return {
        "check_digit_share": CHECK_DIGIT_SHARE,
        "rows": rows,
        "best": best["label"],
        "current": current["label"],
        "current_minus_best": current["expected_exact"] - best["expected_exact"],
    }


# --------------------------------------------------------------------------- the command


def calibrate(
    model_dir: Path,
    emnist_dir: Path,
    val_vins: int = 4000,
    unchecked_vins: int = 1000,
    test_vins: int = 1000,
    seeds: Sequence[int] = (0, 7),
    test_boxes: int = 0,
    log=print,
    realdev_dir: Path | None = None,
) -> dict[str, Any]:
    """Fit T and the accept threshold on validation, re-check the prefer margin, measure on test."""
    started = time.perf_counter()
    recognizer = Recognizer.load(model_dir, calibrated=False)
    split = load_vin_split(emnist_dir)
    log(f"split: {split.sizes}")

    pool_x, pool_y, pool_about = writing_like_pool(split.x_val, split.y_val)
    log(f"validation pool: {pool_about}")
    val = read_vin_set(recognizer, pool_x, pool_y, val_vins, VAL_SEED)
    ok = val.readable
    box_probs = val.probs[ok].reshape(-1, NUM_CLASSES)
    box_labels = val.box_labels[ok].reshape(-1)
    temperature = fit_temperature(box_probs, box_labels)
    seconds = time.perf_counter() - started
    log(f"T = {temperature:.4f} from {len(box_labels)} validation boxes ({seconds:.0f} s)")

    val_outcomes = vin_outcomes(val, temperature)
    threshold = choose_threshold(val_outcomes.probability, val_outcomes.correct)
    log(f"accept threshold {threshold:.6f}")
    unchecked = read_vin_set(recognizer, pool_x, pool_y, unchecked_vins, UNCHECKED_SEED, random_unchecked_vin)
    unchecked_outcomes = vin_outcomes(unchecked, temperature)
    margins = margin_check(val_outcomes, val.truth, unchecked_outcomes, unchecked.truth)
    log(f"prefer margin: best {margins['best']}, current {margins['current']}")

    raw_test = recognizer.predict_inputs(split.x_test.astype(np.float32)).astype(np.float64)
    box_count = test_boxes or len(split.y_test)
    test_box_probs, test_box_labels = read_glyph_boxes(
        recognizer, split.x_test[:box_count], split.y_test[:box_count], TEST_BOX_SEED
    )
    test_runs = {}
    for seed in seeds:
        outcomes = vin_outcomes(
            read_vin_set(recognizer, split.x_test, split.y_test, test_vins, seed), temperature
        )
        test_runs[str(seed)] = vin_report(outcomes, threshold)
        stats = test_runs[str(seed)]["at_threshold"]
        log(f"test seed {seed}: precision {stats['precision']}, coverage {stats['coverage']:.3f}")

    real = {} if realdev_dir is None else real_writers_report(recognizer, realdev_dir, temperature, threshold)
    for source, stats in real.items():
        log(f"real writers {source}: accepted {stats['coverage']:.3f}, wrong {stats['wrong_accepted']}")

    model_file = Path(model_dir) / ONNX_FILE
    return {
        "model_file": ONNX_FILE,
        "model_sha256": file_sha256(model_file),
        "temperature": temperature,
        "fitted_on": {
            "split": "validation",
            "data": f"the {len(box_labels):,} boxes of {int(ok.sum()):,} generated validation VINs "
            f"(in random synthetic box styles, glyphs from a pool of {pool_about})",
            "nll_before": negative_log_likelihood(box_probs, box_labels),
            "nll_after": negative_log_likelihood(apply_temperature(box_probs, temperature), box_labels),
            "ece_before": expected_calibration_error(box_probs, box_labels),
            "ece_after": expected_calibration_error(apply_temperature(box_probs, temperature), box_labels),
        },
        "ece_bins": ECE_BINS,
        "test_images": calibration_report(raw_test, split.y_test, temperature),
        "test_boxes": {
            "data": "every test-split glyph once in a random synthetic box style (seed "
            f"{TEST_BOX_SEED}); boxes reported empty left out",
            **calibration_report(test_box_probs, test_box_labels, temperature),
        },
        "accept": {
            "threshold": threshold,
            "target_precision": TARGET_PRECISION,
            "mode": "prefer",
            "rule": "the lowest VIN probability at which the validation VINs accepted (probability >= it) "
            f"are at least {TARGET_PRECISION:.1%} exactly right, counted (one-sided 95% Wilson lower bound, "
            f"z {PRECISION_Z}) and by their mean probability",
            "validation": {
                "vins": val_vins,
                "seed": VAL_SEED,
                **accepted_stats(val_outcomes.probability, val_outcomes.correct, threshold),
                "exact_vin": float(val_outcomes.correct.mean()),
                "mean_probability": float(val_outcomes.probability.mean()),
            },
        },
        "prefer_margin": {"validation_vins": val_vins, "unchecked_vins": unchecked_vins, **margins},
        "test_vins": {"count": test_vins, "seeds": test_runs},
        "real_writers_vins": real,
        "command": "python -m vinocr.train.calibrate --emnist-dir DIR --model-dir "
        f"{Path(model_dir).name} --val-vins {val_vins} --unchecked-vins {unchecked_vins} "
        f"--test-vins {test_vins} --seeds {' '.join(map(str, seeds))}"
        + (f" --test-boxes {test_boxes}" if test_boxes else "")
        + (" --realdev-dir DIR" if realdev_dir else ""),
        "seconds": round(time.perf_counter() - started, 1),
        "machine": f"{platform.node()} ({platform.processor() or platform.machine()})",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m vinocr.train.calibrate", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--emnist-dir", help="EMNIST folder (default: $VINOCR_EMNIST_DIR)")
    parser.add_argument("--model-dir", type=Path, help="model folder (default: models/ or $VINOCR_MODEL_DIR)")
    parser.add_argument("--val-vins", type=int, default=4000, help="validation VINs for T and the threshold")
    parser.add_argument(
        "--unchecked-vins", type=int, default=1000, help="validation VINs without a check digit"
    )
    parser.add_argument("--test-vins", type=int, default=1000, help="test VINs per seed")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 7], help="seeds of the test VINs")
    parser.add_argument("--test-boxes", type=int, default=0, help="test glyphs drawn as boxes (0: all)")
    parser.add_argument("--output", type=Path, help="where to write (default: MODEL_DIR/calibration.json)")
    parser.add_argument("--realdev-dir", help="real writers' folder: VINs spelled with it are measured too")
    args = parser.parse_args(argv)
    model_dir = args.model_dir or model_dir_from_env()
    try:
        emnist_dir = resolve_emnist_dir(args.emnist_dir)
        result = calibrate(
            model_dir,
            emnist_dir,
            args.val_vins,
            args.unchecked_vins,
            args.test_vins,
            args.seeds,
            args.test_boxes,
            realdev_dir=named_realdev_dir(args.realdev_dir) if args.realdev_dir else None,
        )
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    output = args.output or Path(model_dir) / CALIBRATION_FILE
    output.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {output} ({result['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
