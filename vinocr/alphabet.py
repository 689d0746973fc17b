"""The 33 characters ISO 3779 allows in a VIN, one model class each, in a fixed order."""

from __future__ import annotations

VIN_ALPHABET: str = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
"""Digits, then A-Z without I, O and Q. The model's output index i is VIN_ALPHABET[i]."""

NUM_CLASSES: int = len(VIN_ALPHABET)
CHAR_TO_INDEX: dict[str, int] = {c: i for i, c in enumerate(VIN_ALPHABET)}


def is_vin_char(char: str) -> bool:
    """True when `char` is one of the 33 VIN characters (case-sensitive)."""
    return len(char) == 1 and char in CHAR_TO_INDEX


def index_of(char: str) -> int:
    """Class index of a VIN character; ValueError for anything else."""
    try:
        return CHAR_TO_INDEX[char]
    except KeyError:
        raise ValueError(f"{char!r} is not a VIN character (allowed: {VIN_ALPHABET})") from None


UNREAD: str = "?"
"""Shown in a VIN for a box that is empty or could not be read (never a VIN character)."""
