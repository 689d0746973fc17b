"""ui.inputs: natural order, the box-order editor, samples."""

from __future__ import annotations

from ui import inputs


def test_natural_order_and_reordering():
    names = ["box10.png", "box2.png", "Box1.png", "box2.png"]
    assert inputs.natural_order(names) == [2, 1, 3, 0] or inputs.natural_order(names) == [1, 3, 2, 0]
    assert inputs.natural_order(["b10", "b9", "b1"]) == [2, 1, 0]
    assert inputs.apply_order([3, 1, 2]) == [1, 2, 0]
    assert inputs.apply_order([1, None, 1, "x", float("nan")]) == [0, 2, 1, 3, 4]
    items = [(f"f{i}.png", b"") for i in (20, 3, 1, 100)]
    kept, dropped = inputs.limit_boxes(items, 3)
    assert [n for n, _ in kept] == ["f1.png", "f3.png", "f20.png"] and [n for n, _ in dropped] == ["f100.png"]
    assert inputs.signature(items) != inputs.signature(items[:3])


def test_sample_items():
    boxes = inputs.sample_box_items()
    assert [n for n, _ in boxes] == [f"box{i:02d}.png" for i in range(1, 18)]
    name, data = inputs.sample_field_item()
    assert name == "sample_field.png" and data.startswith(b"\x89PNG")
