"""The inputs of a page: accepted file types, natural order, the box-order editor, the samples."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from natsort import natsort_keygen

from vinocr.box.image_io import IMAGE_SUFFIXES, encode_png, is_image_name
from vinocr.vin.rules import VIN_LENGTH

ROOT = Path(__file__).resolve().parent.parent


SAMPLE_BOX_DIR = ROOT / "samples" / "boxes"


MAX_BOXES = VIN_LENGTH
UPLOAD_TYPES = [suffix.lstrip(".") for suffix in IMAGE_SUFFIXES]  # for st.file_uploader


Item = tuple[str, bytes]


def natural_order(names: Sequence[str]) -> list[int]:
    """Indices of `names` in natural filename order (box2 before box10), ties kept stable."""
    key = natsort_keygen()
    return sorted(range(len(names)), key=lambda i: (key(names[i]), i))


def apply_order(positions: Sequence[Any]) -> list[int]:
    """Item indices sorted by the wanted 1-based positions (ties and blanks keep their current place).

    A blank or non-numeric position goes after every numbered one.
    """

    def sort_key(i: int) -> tuple[float, int]:
        value = positions[i]
        try:
            number = float(value)
        except (TypeError, ValueError):
            return math.inf, i
        return (math.inf if math.isnan(number) else number), i

    return sorted(range(len(positions)), key=sort_key)


def limit_boxes(items: Sequence[Item], limit: int = MAX_BOXES) -> tuple[list[Item], list[Item]]:
    """Items in natural name order, split into the first `limit` (used) and the rest (ignored)."""
    ordered = [items[i] for i in natural_order([name for name, _ in items])]
    return ordered[:limit], ordered[limit:]


def signature(items: Sequence[Item]) -> str:
    """Short digest of names and contents: a new upload gets new widget keys and new results."""
    digest = hashlib.sha1()
    for name, data in items:
        digest.update(name.encode("utf-8", "replace") + b"\0" + hashlib.sha1(data).digest())
    return digest.hexdigest()[:12]


def sample_box_items() -> list[Item]:
    """The project's 17 sample boxes as (file name, PNG bytes): the committed files, else drawn anew."""
    files = sorted(SAMPLE_BOX_DIR.glob("box*.png")) if SAMPLE_BOX_DIR.is_dir() else []
    if len(files) == VIN_LENGTH:
        return [(path.name, path.read_bytes()) for path in files]
    from vinocr.synth.samples import sample_boxes

    return [(name, encode_png(image)) for name, image in sample_boxes()]


def sample_field_item() -> Item:
    """The sample whole-field image as (file name, PNG bytes)."""
    from vinocr.synth.samples import sample_field

    return "sample_field.png", encode_png(sample_field())


def split_image_items(items: Sequence[Item]) -> tuple[list[Item], list[str]]:
    """Keep items with an image file name; the others come back as messages naming the file."""
    kept, refused = [], []
    for name, data in items:
        if is_image_name(name):
            kept.append((name, data))
        else:
            refused.append(f"{name}: not an image file name (PNG, JPEG or BMP expected)")
    return kept, refused
