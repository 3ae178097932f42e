"""A figure set publishes each figure as declared (rounded, None for no value, days and instants as ISO text, money
as exact text), and the API's model generated from it documents the same names, units and places."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from pydantic import ValidationError

from tradewind.figure_sets import Figure, FigureSet, Nested

ITEM = FigureSet(
    "ItemOut", "An item.", (Figure("code", str, "Its code"), Figure("weight", float, "Its weight", "kg", 1))
)
THING = FigureSet(
    "ThingOut",
    "A thing.",
    (
        Figure("rate", float | None, "A rate", "units per day", 2),
        Figure("cover", float | None, "Days of cover", "days", 0),
        Figure("series", list[float], "A series", None, 3),
        Figure("amount", str, "Money", None, 2),
        Figure("day", date | None, "A day"),
        Figure("at", datetime | None, "An instant"),
        Figure("item", Nested(ITEM, optional=True), "One item"),
        Figure("items", Nested(ITEM, many=True), "Items"),
    ),
)


def test_each_figure_is_published_as_declared() -> None:
    published = THING.publish(
        {
            "rate": 1 / 3,
            "cover": 12.5,
            "series": [2 / 3, 1.0],
            "amount": Decimal("10.005"),
            "day": date(2026, 2, 3),
            "at": datetime(2026, 2, 3, 14, 30, tzinfo=timezone(timedelta(hours=8))),
            "item": None,
            "items": [{"code": "A", "weight": 2.25}],
            "ignored": "not a figure of the set",
        }
    )
    assert published == {
        "rate": 0.33,
        "cover": 12.0,  # half to even, as round() does
        "series": [0.667, 1.0],
        "amount": "10.00",
        "day": "2026-02-03",
        "at": "2026-02-03T06:30:00Z",
        "item": None,
        "items": [{"code": "A", "weight": 2.2}],  # 2.25 is 2.2499… in binary
    }
    assert list(published) == [f.name for f in THING.figures]
    # NaN and None are no value; a naive instant (as SQLite gives it back) was stored in UTC.
    again = THING.publish(
        {**{f.name: None for f in THING.figures}, "rate": math.nan, "series": [], "amount": Decimal("3"), "items": []}
        | {"at": datetime(2026, 2, 3, 6, 30, tzinfo=UTC).replace(tzinfo=None)}
    )
    assert again["rate"] is None and again["cover"] is None and again["amount"] == "3.00"
    assert again["at"] == "2026-02-03T06:30:00Z"


def test_the_model_documents_the_declaration_and_reads_what_publish_writes() -> None:
    schema = THING.model.model_json_schema()
    rate = schema["properties"]["rate"]
    assert rate["description"] == "A rate (in units per day, rounded to 2 decimal places)"
    assert rate["x-unit"] == "units per day" and rate["x-decimal-places"] == 2
    assert schema["description"] == "A thing."
    assert set(schema["properties"]) == {f.name for f in THING.figures}
    assert THING.model is THING.model  # made once: one OpenAPI component per set
    published = THING.publish(
        {
            "rate": 0.5,
            "cover": None,
            "series": [1.0],
            "amount": Decimal("1"),
            "day": date(2026, 1, 1),
            "at": datetime(2026, 1, 1, tzinfo=UTC),
            "item": {"code": "B", "weight": 1.0},
            "items": [],
        }
    )
    assert json.loads(THING.model.model_validate(published).model_dump_json()) == published
    with pytest.raises(ValidationError):
        THING.model.model_validate(published | {"items": [{"code": "C"}]})  # an item without its weight


def test_a_pick_keeps_each_figure_and_its_own_order() -> None:
    picked = THING.pick("PickOut", "Some.", ("day", "rate"), Figure("extra", int, "More"))
    assert [f.name for f in picked.figures] == ["day", "rate", "extra"]
    assert picked.by_name["rate"] is THING.by_name["rate"]
    with pytest.raises(KeyError):
        THING.pick("BadOut", "A name the set does not have.", ("rates",))
    with pytest.raises(ValueError, match="named twice"):
        FigureSet("TwiceOut", "Twice.", (Figure("a", int, "A"), Figure("a", int, "A again")))


def test_an_open_ended_set_publishes_its_extra_figures_after_the_declared_ones() -> None:
    metric = FigureSet("MetricOut", "A metric.", (Figure("value", float, "Its value", None, 4),), open_ended=True)
    published = metric.publish({"average_reply_hours": 3.5, "value": 0.123456, "since": date(2026, 1, 2)})
    assert list(published.items()) == [("value", 0.1235), ("average_reply_hours", 3.5), ("since", "2026-01-02")]
    assert metric.model.model_validate(published).model_dump() == published
