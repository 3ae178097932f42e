"""The documented shape of the brief (`tradewind brief --json`, `GET /api/v1/brief`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tradewind.brief.models import ActionEvent, ActionRecord
from tradewind.brief.service import title_in, why_in
from tradewind.wording import SOURCE_LOCALE


class SubjectOut(BaseModel):
    kind: str
    ref: str


class ActionOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int
    kind: str
    priority: float
    subject: SubjectOut
    due: date
    title: str
    why: str
    figures: dict[str, Any]
    steps: list[dict[str, Any]]
    state: str

    @classmethod
    def of(cls, record: ActionRecord, locale: str = SOURCE_LOCALE) -> ActionOut:
        """The action as stored, its title and reason in `locale` (English by default)."""
        return cls(
            id=record.id,
            kind=record.kind,
            priority=record.priority,
            subject=SubjectOut(kind=record.subject_kind, ref=record.subject),
            due=record.due,
            title=title_in(record, locale),
            why=why_in(record, locale),
            figures=record.figures,
            steps=record.steps,
            state=record.state.value,
        )


class BriefOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    shop: str
    today: date
    actions: list[ActionOut]


class ActionEventOut(BaseModel):
    at: str
    from_state: str | None
    to_state: str
    actor: str
    note: str | None

    @classmethod
    def of(cls, event: ActionEvent) -> ActionEventOut:
        return cls(
            at=event.at.isoformat(),
            from_state=event.from_state,
            to_state=event.to_state,
            actor=event.actor,
            note=event.note,
        )


class ActionDetailOut(ActionOut):
    snoozed_until: date | None
    events: list[ActionEventOut]
    locale: str = Field(description="The language `title` and `why` are written in: en, zh or ru")

    @classmethod
    def detail(cls, record: ActionRecord, locale: str = SOURCE_LOCALE) -> ActionDetailOut:
        """The action with its history, its title and reason in `locale` (English by default)."""
        base = ActionOut.of(record, locale).model_dump()
        return cls(
            **base,
            snoozed_until=record.snoozed_until,
            events=[ActionEventOut.of(event) for event in record.events],
            locale=locale,
        )
