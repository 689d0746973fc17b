"""The inputs of a page: accepted file types, natural order, the box-order editor, the samples."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from natsort import natsort_keygen

from ui import safe_text
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


def _position(value: Any, count: int) -> int | None:
    """A wanted 1-based position as a 0-based slot within `count`, None when blank or not a number."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if math.isnan(number):
        return None
    return int(min(max(round(number), 1), count)) - 1


def apply_order(positions: Sequence[Any]) -> list[int]:
    """Item indices in reading order, from the positions typed into the box-order editor.

    The editor starts at 1, 2, ..., n; an item whose position was changed to k is read k-th and the
    others shift to make room, keeping their order (box01 set to 17 is read last, after box17).
    Positions beyond the ends go to the first or last place; a blank or non-numeric position, or
    an unchanged one, means "not moved". When two moved items want the same place, the one higher
    in the list gets it and the other takes the nearest free place after it (before it at the end).
    """
    count = len(positions)
    wanted = {i: _position(value, count) for i, value in enumerate(positions)}
    moved = sorted((slot, i) for i, slot in wanted.items() if slot is not None and slot != i)
    moved_items = {i for _, i in moved}
    order: list[int | None] = [None] * count
    for slot, i in moved:
        free = [s for s in range(count) if order[s] is None]
        order[min(free, key=lambda s: (s < slot, abs(s - slot)))] = i
    staying = iter(i for i in range(count) if i not in moved_items)
    return [next(staying) if i is None else i for i in order]


def unique_names(items: Sequence[Item]) -> tuple[list[Item], list[str]]:
    """One item per file name, the one uploaded last (as copying into a folder would leave it), and
    the names that were uploaded more than once, in natural order. Never a mix of both uploads."""
    last = {name: i for i, (name, _) in enumerate(items)}
    counts: dict[str, int] = {}
    for name, _ in items:
        counts[name] = counts.get(name, 0) + 1
    clashes = [name for name, n in counts.items() if n > 1]
    kept = [item for i, item in enumerate(items) if last[item[0]] == i]
    return kept, [clashes[i] for i in natural_order(clashes)]


def clash_message(clashes: Sequence[str], shown: int = 5) -> str:
    """What the page says about names uploaded more than once."""
    names = safe_text.names_list(clashes, shown)  # Markdown: each name a code span
    noun = "name was" if len(clashes) == 1 else f"{len(clashes)} names were"
    return (
        f"The same file {noun} uploaded more than once ({names}): for each, only the file uploaded "
        "last is read. Remove the other upload (×) if that is not the one you meant."
    )


def size_limit_note(limit_mb: int) -> str:
    """What the browser does with a file over the server's upload limit (it never reaches the page)."""
    return (
        f"Files over {limit_mb} MB are refused by the browser before upload: they are marked in red "
        "in the upload list and not read."
    )


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


def sample_photo_item() -> Item:
    """The sample phone photo of a filled form as (file name, JPEG bytes); drawn once per process."""
    from vinocr.synth.samples import sample_photo

    return "sample_photo.jpg", sample_photo()


def split_image_items(items: Sequence[Item]) -> tuple[list[Item], list[str]]:
    """Keep items with an image file name; the others come back as messages naming the file."""
    kept, refused = [], []
    for name, data in items:
        if is_image_name(name):
            kept.append((name, data))
        else:
            refused.append(f"{name}: not an image file name (PNG, JPEG or BMP expected)")
    return kept, refused
