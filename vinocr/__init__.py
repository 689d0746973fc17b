"""vinocr: handwritten VIN character recognition (no Streamlit imports in this package).

The public API is re-exported here and imported on first use, so `import vinocr` stays light:
`Recognizer` and `preprocess_box` (one box), `read_boxes` and `read_field` (a whole VIN from 17 box
results or one field image), `check_vin` (the VIN rules) and `decode_vin` (rule-aware decoding).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

_EXPORTS = {
    "Recognizer": "vinocr.box.recognizer",
    "preprocess_box": "vinocr.box.preprocess",
    "read_boxes": "vinocr.vin.reader",
    "read_field": "vinocr.vin.reader",
    "check_vin": "vinocr.vin.rules",
    "decode_vin": "vinocr.vin.decode",
}
__all__ = ["Recognizer", "check_vin", "decode_vin", "preprocess_box", "read_boxes", "read_field"]

if TYPE_CHECKING:
    from vinocr.box.preprocess import preprocess_box
    from vinocr.box.recognizer import Recognizer
    from vinocr.vin.decode import decode_vin
    from vinocr.vin.reader import read_boxes, read_field
    from vinocr.vin.rules import check_vin


def __getattr__(name: str) -> Any:
    """Import a re-exported name from its module on first use."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'vinocr' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
