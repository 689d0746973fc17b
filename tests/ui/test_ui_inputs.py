"""ui.inputs: natural order, the box-order editor, samples."""

from __future__ import annotations

from ui import inputs


def test_natural_order_and_reordering():
    names = ["box10.png", "box2.png", "Box1.png", "box2.png"]
    assert inputs.natural_order(names) == [2, 1, 3, 0] or inputs.natural_order(names) == [1, 3, 2, 0]
    assert inputs.natural_order(["b10", "b9", "b1"]) == [2, 1, 0]
    assert inputs.apply_order([3, 1, 2]) == [1, 2, 0]
    items = [(f"f{i}.png", b"") for i in (20, 3, 1, 100)]
    kept, dropped = inputs.limit_boxes(items, 3)
    assert [n for n, _ in kept] == ["f1.png", "f3.png", "f20.png"] and [n for n, _ in dropped] == ["f100.png"]
    assert inputs.signature(items) != inputs.signature(items[:3])


def test_sample_items():
    boxes = inputs.sample_box_items()
    assert [n for n, _ in boxes] == [f"box{i:02d}.png" for i in range(1, 18)]
    name, data = inputs.sample_field_item()
    assert name == "sample_field.png" and data.startswith(b"\x89PNG")


def _moved(item: int, position: int, count: int = 17) -> list[int]:
    """Reading order after typing `position` for the item at 0-based `item` in a fresh editor."""
    positions = list(range(1, count + 1))
    positions[item] = position
    return inputs.apply_order(positions)


def test_a_box_moved_to_position_k_is_read_k_th_and_the_others_shift():
    boxes = list(range(17))
    assert _moved(0, 17) == boxes[1:] + [0]  # box01 last, after box17 (was read 16th)
    assert _moved(0, 5) == [1, 2, 3, 4, 0] + boxes[5:]  # down: read 5th (was 4th)
    assert _moved(16, 1) == [16] + boxes[:16]  # up to the top
    assert _moved(9, 3) == [0, 1, 9] + boxes[2:9] + boxes[10:]  # up into the middle
    for item in range(17):
        for position in range(1, 18):
            order = _moved(item, position)
            assert order.index(item) == position - 1 and sorted(order) == boxes
            assert [i for i in order if i != item] == [i for i in boxes if i != item]


def test_odd_positions_mean_not_moved_or_the_nearest_end():
    assert inputs.apply_order([1, None, 1, "x", float("nan")]) == [2, 0, 1, 3, 4]  # box 3 to the top
    assert _moved(2, 99, 5) == [0, 1, 3, 4, 2] and _moved(2, -4, 5) == [2, 0, 1, 3, 4]
    assert _moved(2, 2.4, 5) == [0, 2, 1, 3, 4]
    assert inputs.apply_order([2, 2, 3]) == [1, 0, 2]  # box01 to 2; box02 was already there
    assert inputs.apply_order([3, 3, 3]) == [2, 1, 0]  # box01 gets 3rd, box02 the nearest free: 2nd
    assert inputs.apply_order([]) == []


def test_same_names_are_never_interleaved():
    first = [(f"box{i:02d}.png", b"A") for i in range(1, 18)]
    second = [(f"box{i:02d}.png", b"B") for i in range(1, 18)]
    kept, clashes = inputs.unique_names(first + second)
    assert [data for _, data in kept] == [b"B"] * 17 and len(clashes) == 17
    assert clashes[:2] == ["box01.png", "box02.png"]
    used, ignored = inputs.limit_boxes(kept)
    assert [name for name, _ in used] == [name for name, _ in first] and ignored == []
    message = inputs.clash_message(clashes)
    assert "17 names" in message and "box01.png" in message and "12 more" in message
    assert inputs.unique_names(first) == (first, [])
    kept, clashes = inputs.unique_names([("a.png", b"1"), ("b.png", b"2"), ("a.png", b"3")])
    assert kept == [("b.png", b"2"), ("a.png", b"3")] and clashes == ["a.png"]
    assert "The same file name was uploaded" in inputs.clash_message(clashes)
