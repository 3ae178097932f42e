"""`print_json_items` writes a list member one item at a time, byte for byte what `print_json` writes whole."""

from __future__ import annotations

from typing import Any

import pytest

from tradewind.cli.runtime import print_json, print_json_items

ITEMS: list[Any] = [
    {"id": 1, "title": "Stiefel «38» — 靴", "figures": {"lines": [{"a": 1.5, "b": None}], "empty": {}, "none": []}},
    {"id": 2, "why": 'two\nlines and a "quote"', "steps": [[1, [2, []]], {"deep": {"er": True}}]},
    [],
    "text",
    3.25,
]


@pytest.mark.parametrize("count", [0, 1, 2, len(ITEMS)])
@pytest.mark.parametrize("head", [{}, {"shop": "demo", "today": "2025-02-20", "nested": {"x": [1]}}])
def test_items_one_at_a_time_are_the_whole_payload(
    capsys: pytest.CaptureFixture[str], head: dict[str, Any], count: int
) -> None:
    print_json(head | {"actions": ITEMS[:count]})
    whole = capsys.readouterr().out
    print_json_items(head, "actions", iter(ITEMS[:count]))
    assert capsys.readouterr().out == whole
