"""ui.vin_display: VIN markup."""

from __future__ import annotations

import re

from ui import vin_display
from vinocr.synth.samples import sample_boxes
from vinocr.vin.reader import read_boxes


def test_vin_markup_marks_positions(recognizer):
    markup = vin_display.vin_html("1M8GDM9AXKP042788", low=[2], changed=[5], corrected=[9])
    chars = re.findall(r"<span[^>]*>(.)</span>", markup)
    assert "".join(chars) == "1M8GDM9AXKP042788"
    assert "low confidence" in markup and "changed by the rules" in markup and "corrected by hand" in markup
    assert "&lt;" in vin_display.vin_html("<")
    results = recognizer.recognize_arrays([img for _, img in sample_boxes()])
    rows = vin_display.rule_rows(read_boxes(results, "enforce", {8: "X"}).report)
    assert [r["title"] for r in rows][:3] == ["Allowed characters", "Length", "Check digit (position 9)"]
    assert vin_display.clean_corrections({0: "A", 1: None, 2: "I", 3: ""}) == {0: "A"}
