"""Read a whole VIN: 17 box results (or one field image) -> per-box reading, rule-aware decoding,
the rule report, and accept or review (vinocr.vin.confidence). Corrections by hand replace a box's
probabilities with certainty."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from vinocr.alphabet import CHAR_TO_INDEX, NUM_CLASSES, UNREAD
from vinocr.box.preprocess import CUT_LINE_DOUBT
from vinocr.box.recognizer import BoxResult, Recognizer
from vinocr.calibration import DEFAULT_ACCEPT_THRESHOLD
from vinocr.field.pipeline import find_field
from vinocr.field.result import SegmentResult
from vinocr.vin.confidence import VinConfidence, assess, not_decoded
from vinocr.vin.decode import DecodeResult, decode_vin
from vinocr.vin.rules import VIN_LENGTH, VinReport, check_vin


@dataclass
class VinReading:
    """Everything vinocr knows about one VIN."""

    boxes: list[BoxResult]
    mode: str
    plain: str  # per-box reading, '?' where a box gave no character
    vin: str  # what to show: the rule-aware choice when decoding ran, else the plain reading
    report: VinReport
    decode: DecodeResult | None = None
    segmentation: SegmentResult | None = None
    corrections: dict[int, str] = field(default_factory=dict)  # 0-based box index -> character
    message: str = ""
    confidence: VinConfidence | None = None  # accept or review, with the VIN's probability

    @property
    def status(self) -> str:
        """ "accept" or "review"."""
        return self.confidence.status if self.confidence else "review"

    @property
    def probability(self) -> float | None:
        """The chance that the VIN shown is exactly right (None when it could not be decoded)."""
        return self.confidence.probability if self.confidence else None

    @property
    def check_boxes(self) -> list[int]:
        """1-based boxes to check, likeliest to be wrong first (none for an accepted VIN)."""
        return self.confidence.check_boxes if self.confidence else []

    @property
    def changed_positions(self) -> list[int]:
        """1-based positions where the rule-aware VIN differs from the per-box reading."""
        return self.decode.chosen_changed_positions if self.decode else []

    def to_dict(self) -> dict:
        """JSON-friendly: VIN, report, per-box results, alternatives and segmentation summary."""
        return {
            "vin": self.vin,
            "plain": self.plain,
            "mode": self.mode,
            "message": self.message,
            "status": self.status,
            "probability": None if self.probability is None else round(self.probability, 6),
            "check_boxes": self.check_boxes,
            "confidence": self.confidence.to_dict() if self.confidence else None,
            "report": self.report.to_dict(),
            "decode": self.decode.to_dict() if self.decode else None,
            "boxes": [b.to_dict() for b in self.boxes],
            "corrections": {str(i + 1): c for i, c in sorted(self.corrections.items())},
            "segmentation": None
            if self.segmentation is None
            else {
                "ok": self.segmentation.ok,
                "found": len(self.segmentation.rects),
                "method": self.segmentation.method,
                "message": self.segmentation.message,
            },
        }


def _probability_matrix(boxes: list[BoxResult], corrections: dict[int, str]) -> np.ndarray | None:
    """(17, 33) probabilities with corrected boxes made certain; None if a box has no reading."""
    rows = []
    for i, box in enumerate(boxes):
        if i in corrections:
            row = np.zeros(NUM_CLASSES)
            row[CHAR_TO_INDEX[corrections[i]]] = 1.0
        elif box.status == "ok" and box.probs is not None:
            row = np.asarray(box.probs, dtype=np.float64)
        else:
            return None
        rows.append(row)
    return np.stack(rows)


def read_boxes(
    boxes: list[BoxResult],
    mode: str = "prefer",
    corrections: dict[int, str] | None = None,
    accept_threshold: float = DEFAULT_ACCEPT_THRESHOLD,
) -> VinReading:
    """Combine box results (in VIN order) into a reading; decode with the rules when all 17 are read.

    The VIN is accepted when its probability is at least `accept_threshold` (pass the recognizer's
    `calibration.accept_threshold`), else it is marked for review with the boxes to check."""
    corrections = {i: c.upper() for i, c in (corrections or {}).items() if c}
    for i, char in corrections.items():
        if char not in CHAR_TO_INDEX:
            raise ValueError(f"box {i + 1}: {char!r} is not a VIN character")
    plain = "".join(
        corrections.get(i) or (b.char if b.status == "ok" else UNREAD) for i, b in enumerate(boxes)
    )
    message = ""
    decoded = None
    if len(boxes) != VIN_LENGTH:
        message = f"{len(boxes)} {'box' if len(boxes) == 1 else 'boxes'} given; a VIN has {VIN_LENGTH}"
    else:
        matrix = _probability_matrix(boxes, corrections)
        if matrix is None:
            missing = [str(i + 1) for i, ch in enumerate(plain) if ch == UNREAD]
            message = f"box {', '.join(missing)} gave no character: correct it by hand to decode the VIN"
        else:
            decoded = decode_vin(matrix, mode=mode)
            message = decoded.explanation
    vin = decoded.chosen if decoded else plain
    confidence = (
        assess(matrix, vin, mode, accept_threshold) if decoded else not_decoded(plain, accept_threshold)
    )
    return VinReading(
        boxes, mode, plain, vin, check_vin(vin, mode), decoded, None, corrections, message, confidence
    )


def read_field(
    recognizer: Recognizer, image: np.ndarray, mode: str = "prefer", name: str = "field"
) -> VinReading:
    """One image (scan or photo) of a whole VIN field -> reading; when 17 boxes can't be found, say so
    and stop. A photo's field is located, rectified and light-flattened first (vinocr.field)."""
    segmentation = find_field(image)
    if not segmentation.ok:
        reading = read_boxes([], mode)
        reading.segmentation = segmentation
        reading.message = f"{name}: {segmentation.message}"
        return reading
    names = [f"{name} box {i + 1}" for i in range(len(segmentation.boxes))]
    threshold = recognizer.calibration.accept_threshold
    results = recognizer.recognize_arrays(segmentation.boxes, names, line_doubt=CUT_LINE_DOUBT)
    reading = read_boxes(results, mode, None, threshold)
    reading.segmentation = segmentation
    return reading
