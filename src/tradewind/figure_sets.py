"""Figure sets: the figures one answer publishes (a SKU's plan, a supplier's response times, a parcel's timeline),
each with its type, unit, rounding and meaning, declared once in the owning domain's `schemas.py`.

The CLI's `--json`, the brief's figures and the API's answer are made from the declaration (`FigureSet.publish`:
rounded, dates and instants as ISO text, money as text), and the API's response model is generated from it
(`FigureSet.model`), so no face can name or round a figure differently from another."""

from __future__ import annotations

import dataclasses
import functools
import math
import types
import typing
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from tradewind.clock import as_utc

_PLAIN = frozenset({str, int, bool, float, type(None)})


@dataclass(frozen=True)
class Nested:
    """A figure that is itself a figure set (`many`: a list of them; `optional`: may be None)."""

    figures: FigureSet
    many: bool = False
    optional: bool = False


@dataclass(frozen=True)
class Figure:
    """One published figure. `places`: a number (or each number of a list) is rounded to that many decimal places,
    and None or NaN is published as None (no value)."""

    name: str
    type: Any  # a Python annotation (`float | None`, `list[str]`, `date`) or a `Nested` figure set
    doc: str
    unit: str | None = None
    places: int | None = None

    def publish(self, value: Any) -> Any:
        if isinstance(self.type, Nested):
            return _publish_nested(self.type, value)
        if self.places is not None:
            if isinstance(value, list | tuple):
                return [rounded(v, self.places) for v in value]
            return rounded(value, self.places)
        return json_value(value)

    def annotation(self) -> Any:
        if isinstance(self.type, Nested):
            model = self.type.figures.model
            found: Any = list[model] if self.type.many else model  # type: ignore[valid-type]
            return found | None if self.type.optional else found
        return self.type

    def description(self) -> str:
        extra = [f"in {self.unit}"] if self.unit else []
        if self.places is not None:
            extra.append(f"rounded to {self.places} decimal place{'' if self.places == 1 else 's'}")
        return f"{self.doc} ({', '.join(extra)})" if extra else self.doc


def _publisher(f: Figure) -> Callable[[Any], Any]:
    """`f.publish`, or for a figure with nothing to round or nest the quicker `json_value` (a plan list or a brief
    publishes tens of thousands of figures)."""
    places = f.places
    if isinstance(f.type, Nested) or places is None:
        return f.publish if isinstance(f.type, Nested) else json_value

    def publish(value: Any) -> Any:
        if type(value) is float:
            return round(value, places) if value == value else None  # NaN is not equal to itself: no value
        return f.publish(value)

    return publish


def _publish_nested(nested: Nested, value: Any) -> Any:
    if value is None:
        return None
    if nested.many:
        return [nested.figures.publish(v) for v in value]
    return nested.figures.publish(value)


@dataclass(frozen=True)
class FigureSet:
    """Named figures in the order they are published. `name` is the API model's name in the OpenAPI schema."""

    name: str
    doc: str
    figures: tuple[Figure, ...]
    # More figures than declared may follow (a metric's own extra figures): published as given, after the declared.
    open_ended: bool = False
    by_name: dict[str, Figure] = field(init=False, repr=False, compare=False, hash=False)
    _publishers: tuple[tuple[str, Callable[[Any], Any]], ...] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {f.name: f for f in self.figures})
        object.__setattr__(self, "_publishers", tuple((f.name, _publisher(f)) for f in self.figures))
        if len(self.by_name) != len(self.figures):
            raise ValueError(f"{self.name}: a figure is named twice")

    def publish(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The figures of `values` (every one of the set's names, raw), rounded and as JSON values, in order."""
        published = {name: publish(values[name]) for name, publish in self._publishers}
        if self.open_ended:
            published |= {k: json_value(v) for k, v in values.items() if k not in self.by_name}
        return published

    def round(self, name: str, value: Any) -> Any:
        """One figure of the set as published (its rounding)."""
        return self.by_name[name].publish(value)

    def pick(self, name: str, doc: str, names: tuple[str, ...], *more: Figure) -> FigureSet:
        """Another answer made of some of these figures (declared here once) in the order of `names`, then `more`."""
        return FigureSet(name, doc, tuple(self.by_name[n] for n in names) + more)

    def __hash__(self) -> int:
        return hash(self.name)

    @functools.cached_property
    def model(self) -> type[BaseModel]:
        """The pydantic model of the answer (the API's response model): each figure's meaning, unit and rounding in
        its description, so the OpenAPI documents say what the declaration says."""
        fields: dict[str, Any] = {}
        for f in self.figures:
            extra: dict[str, Any] = {}
            if f.unit:
                extra["x-unit"] = f.unit
            if f.places is not None:
                extra["x-decimal-places"] = f.places
            fields[f.name] = (f.annotation(), Field(description=f.description(), json_schema_extra=extra or None))
        config = ConfigDict(extra="allow") if self.open_ended else None
        model: type[BaseModel] = create_model(
            self.name, __config__=config, __doc__=self.doc, __module__=__name__, **fields
        )
        return model


def rounded(value: Any, places: int) -> Any:
    """`value` rounded to `places` decimal places; None (no value) for None and NaN. An amount (`Decimal`) is
    rounded to exactly that many places and published as its text."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal(1).scaleb(-places)))
    if math.isnan(value):
        return None
    return round(value, places)


def json_value(value: Any) -> Any:
    """A figure as JSON has it: a day as YYYY-MM-DD, an instant in UTC as ISO 8601 ending in "Z" (as the API writes
    them), an amount of money as its exact text, an enumeration as its value."""
    if type(value) in _PLAIN:
        return value
    if isinstance(value, datetime):
        return as_utc(value).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return value


class ShapeMismatchError(TypeError):
    """An internal shape (a dataclass, a table) and the figure set it is published through disagree."""


def shape_fields(shape: type) -> dict[str, Any]:
    """The attributes a dataclass holds, by name, with their (resolved) annotations: its fields, then its
    properties (by their return annotation)."""
    hints = typing.get_type_hints(shape)
    found = {f.name: hints[f.name] for f in dataclasses.fields(shape)}
    for klass in reversed(shape.__mro__):  # a subclass's property wins over its base's
        for name, member in vars(klass).items():
            if isinstance(member, property) and member.fget is not None:
                found[name] = typing.get_type_hints(member.fget).get("return", Any)
    return found


def table_fields(model: type) -> dict[str, Any]:
    """The columns of an ORM model (its `__table__`), by name, each as the Python type a row holds (`| None` when
    the column is nullable)."""
    table: Any = getattr(model, "__table__")  # noqa: B009 (a mapped class's table, untyped for mypy)
    return {c.name: c.type.python_type | None if c.nullable else c.type.python_type for c in table.columns}


def _members(annotation: Any) -> set[Any]:
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return set(typing.get_args(annotation))
    return {annotation}


def check_shape(
    figures: FigureSet,
    what: str,
    fields: Mapping[str, Any],
    *,
    renamed: Mapping[str, str] | None = None,
    internal: Collection[str] = (),
    derived: Collection[str] = (),
) -> dict[str, str]:
    """That the internal shape `what` (its `fields`: name → annotation, `shape_fields` or `table_fields`) and the
    figure set it is published through declare the same figures, so that neither gains a figure alone:

    - every field is a figure of the set, under its own name or `renamed[field]`, of a type the figure's type
      accepts (`float` where the figure says `float | None`), unless it is `internal` (not published as itself);
    - every figure of the set is such a field, or is `derived` (made by the publisher from other fields, or from
      outside the shape);
    - each name in `renamed`, `internal` and `derived` is still a field (or a figure), none named twice.

    Returns the published fields as {figure: field}. Raises `ShapeMismatchError`, naming every disagreement."""
    renamed = dict(renamed or {})
    problems: list[str] = []
    stale = [n for n in (*renamed, *internal) if n not in fields] + [n for n in derived if n not in figures.by_name]
    problems += [f"{n!r} is declared but is not a field of {what} (nor a figure of {figures.name})" for n in stale]
    published: dict[str, str] = {}
    for name, annotation in fields.items():
        if name in internal:
            continue
        figure = figures.by_name.get(renamed.get(name, name))
        if figure is None:
            problems.append(
                f"{what}.{name} is not a figure of {figures.name}: declare it there (planning/schemas.py), "
                "or name it internal"
            )
            continue
        if figure.name in published or figure.name in derived:
            problems.append(f"{figures.name}.{figure.name} is published from two places")
            continue
        published[figure.name] = name
        if not isinstance(figure.type, Nested) and not _members(annotation) <= _members(figure.type):
            problems.append(f"{what}.{name} is {annotation}, but {figures.name}.{figure.name} is {figure.type}")
    for figure in figures.figures:
        if figure.name not in published and figure.name not in derived:
            problems.append(f"{figures.name}.{figure.name} is not a field of {what}: add it, or name it derived")
    if problems:
        raise ShapeMismatchError(f"{what} and {figures.name} disagree: " + "; ".join(problems))
    return published
