"""Drafting in batches: a producer's buyer drafts are drafted together (one read of their outbox rows, one flush),
and rendering reads the shipped templates, the locales and the compiled templates once, with the same texts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency
from jinja2 import Environment
from jinja2.bccache import FileSystemBytecodeCache
from sqlalchemy import event
from sqlalchemy.orm import Session

from tests.demo.building import DEMO_TODAY, BuiltDemo, build_into_file
from tradewind.action import BriefContext
from tradewind.config import Settings
from tradewind.db.session import read_memo
from tradewind.logistics.producers import ShipmentWatchProducer
from tradewind.messaging import templates
from tradewind.messaging.inbox import ReplyNeededProducer
from tradewind.messaging.producers import with_buyer_messages
from tradewind.messaging.service import draft, set_shop_template
from tradewind.messaging.situations import sample_facts
from tradewind.messaging.templates import TemplateSource, render
from tradewind.shops.service import get_shop

NOW = datetime(2025, 2, 20, 9, tzinfo=UTC)
DAYS = (date(2025, 3, 1), date(2025, 3, 2))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltDemo]:
    built = build_into_file(tmp_path_factory.mktemp("drafting") / "demo.db")
    yield built
    built.engine.dispose()


def test_a_producers_buyer_drafts_read_their_outbox_rows_in_one_query(demo: BuiltDemo) -> None:
    """The shipment watch's actions (pickup reminders, stalled parcels …) each call for buyer drafts: their
    outbox rows are read once for all of them, not once per action, the new rows read back once after they are
    inserted together, and the orders without their lines."""
    reads: list[str] = []
    lines: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM outbox_messages" in statement:
            reads.append(statement)
        if "FROM order_lines" in statement:
            lines.append(statement)

    with Session(demo.engine) as session:
        shop = get_shop(session)
        context = BriefContext(today=DEMO_TODAY, now=NOW, settings=Settings())
        event.listen(demo.engine, "before_cursor_execute", count)
        try:
            with read_memo(session):
                actions = with_buyer_messages(ShipmentWatchProducer()).actions(session, shop=shop, context=context)
        finally:
            event.remove(demo.engine, "before_cursor_execute", count)
        session.rollback()
    with_drafts = [a for a in actions if any(step["type"] == "message" for step in a.steps)]
    assert len(with_drafts) >= 3, [a.kind for a in actions]
    assert len(reads) == 2, reads  # the rows there were, then the rows inserted (their ids)
    assert lines == []  # a draft needs the order and its buyer, not its lines
    # Each action keeps its own drafts, in its order, and says how many it has.
    for action in with_drafts:
        steps = [step for step in action.steps if step["type"] == "message"]
        assert action.figures["message_drafts"] == [step["outbox_id"] for step in steps]
        assert f" {len(steps)} buyer message draft(s) ready (" in action.why


@pytest.fixture()
def bytecode_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The compiled-template cache in a folder of the test's own, with the in-process caches emptied."""
    cache = FileSystemBytecodeCache(str(tmp_path), pattern="__tradewind_message_%s.cache")
    monkeypatch.setattr(templates, "_bytecode_cache", lambda: cache)
    templates._compiled.cache_clear()
    yield tmp_path
    templates._compiled.cache_clear()


def test_a_template_compiled_by_one_process_is_loaded_by_the_next_with_the_same_text(
    bytecode_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    facts = sample_facts("unpaid_reminder")
    first = render("unpaid_reminder", "ru", facts)
    kept = sorted(bytecode_folder.iterdir())
    assert len(kept) == 2  # the subject and the body

    compiled: list[str] = []
    compile_for_real = Environment.compile

    def counting(self: Environment, source: Any, *args: Any, **kwargs: Any) -> Any:
        compiled.append(str(source))
        return compile_for_real(self, source, *args, **kwargs)

    monkeypatch.setattr(Environment, "compile", counting)
    templates._compiled.cache_clear()  # as in a new process
    assert render("unpaid_reminder", "ru", facts) == first
    assert compiled == []

    # A shop's own wording is another text: compiled and kept beside the shipped one.
    own = TemplateSource(subject="Заказ {{ order_number }}", body="{{ buyer_name }}, оплатите до {{ pay_by|day }}.")
    mine = render("unpaid_reminder", "ru", facts, override=own)
    assert mine.subject == f"Заказ {facts['order_number']}" and len(compiled) == 2
    assert len(list(bytecode_folder.iterdir())) == 4

    # A damaged cache file is compiled again, with the same text.
    for path in kept:
        path.write_bytes(path.read_bytes()[:20])
    templates._compiled.cache_clear()
    assert render("unpaid_reminder", "ru", facts) == first
    assert len(compiled) == 4


def test_the_shops_own_wordings_are_read_once_per_brief(demo: BuiltDemo) -> None:
    """Drafts in several situations and locales read the shop's own wordings in one query (one per pair before),
    and each draft still gets the shop's wording where it has one (pt_BR takes the pt one), the shipped one else."""
    reads: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM message_templates" in statement:
            reads.append(statement)

    with Session(demo.engine) as session:
        shop = get_shop(session)
        ru = {"subject": "Оплата заказа {{ order_number }}", "body": "{{ buyer_name }}, оплата до {{ pay_by|day }}."}
        pt = {"subject": "Pedido {{ order_number }}", "body": "Oi, {{ buyer_name }}"}
        set_shop_template(session, shop=shop, situation_name="unpaid_reminder", locale="ru", **ru)
        set_shop_template(session, shop=shop, situation_name="unpaid_reminder", locale="pt", **pt)
        wanted = [("unpaid_reminder", "ru"), ("unpaid_reminder", "pt_BR"), ("unpaid_reminder", "es")]
        wanted += [("cancellation_followup", "ru"), ("cancellation_followup", "de")]
        event.listen(demo.engine, "before_cursor_execute", count)
        try:
            with read_memo(session):
                made = {
                    (situation, locale): draft(
                        session, shop_id=shop.id, situation=situation, locale=locale, facts=sample_facts(situation)
                    )
                    for situation, locale in wanted
                }
        finally:
            event.remove(demo.engine, "before_cursor_execute", count)
        session.rollback()
    assert len(reads) == 1, reads
    number = sample_facts("unpaid_reminder")["order_number"]
    assert made["unpaid_reminder", "ru"].subject == f"Оплата заказа {number}"
    assert made["unpaid_reminder", "pt_BR"].subject == f"Pedido {number}"
    shipped = [("unpaid_reminder", "es"), ("cancellation_followup", "ru"), ("cancellation_followup", "de")]
    for situation, locale in shipped:
        assert made[situation, locale] == render(situation, locale, sample_facts(situation))


def test_the_suggested_replies_are_drafted_in_one_flush(demo: BuiltDemo) -> None:
    """The replies to the unanswered messages are saved together (they were flushed one by one), each its action's
    step with its own outbox row."""
    flushes: list[int] = []
    with Session(demo.engine) as session:
        shop = get_shop(session)
        context = BriefContext(today=DEMO_TODAY, now=NOW, settings=Settings())
        event.listen(session, "after_flush", lambda s, ctx: flushes.append(len(s.new)))
        with read_memo(session):
            actions = ReplyNeededProducer().message_actions(session, shop=shop, context=context)
        session.rollback()
    assert len(actions) >= 5
    assert len(flushes) <= 2, flushes  # the drafts, then their events
    ids = [a.figures["outbox_id"] for a in actions]
    assert ids == [a.steps[0]["outbox_id"] for a in actions] and len(set(ids)) == len(ids)
    assert ids == sorted(ids)  # inserted in the messages' order


def test_each_day_and_amount_is_formatted_once_per_locale_with_the_same_words(monkeypatch: pytest.MonkeyPatch) -> None:
    """Babel parses its patterns on every call: a brief's thousands of drafts format each distinct day and amount
    once per locale, and the words are Babel's own (1.0 and 1.00 each written as itself)."""
    days: list[date] = []
    amounts: list[Any] = []

    def counting_date(value: date, *args: Any, **kwargs: Any) -> str:
        days.append(value)
        return format_date(value, *args, **kwargs)

    def counting_currency(value: Any, *args: Any, **kwargs: Any) -> str:
        amounts.append(value)
        return format_currency(value, *args, **kwargs)

    monkeypatch.setattr(templates, "format_date", counting_date)
    monkeypatch.setattr(templates, "format_currency", counting_currency)
    templates._environment.cache_clear()  # filters made with the counting Babel
    try:
        source = TemplateSource(subject="{{ total|money }}", body="{{ day|day }} {{ day|weekday }} {{ n|number }}")
        values = [(amount, day) for amount in (Decimal("1.0"), Decimal("1.00"), Decimal("12.5")) for day in DAYS]
        made = {
            locale: [
                [
                    render("reply", locale, {"total": (amount, "EUR"), "day": day, "n": amount}, override=source)
                    for amount, day in values
                ]
                for _ in range(3)
            ]
            for locale in ("ru", "de")
        }
    finally:
        templates._environment.cache_clear()
    assert len(days) == 2 * 2 * 2  # two days, long and weekday, two locales
    assert len(amounts) == 2 * 3  # three amounts as written, two locales
    assert all(rounds[0] == rounds[1] == rounds[2] for rounds in made.values())
    for locale in ("ru", "de"):
        facts = {"total": (Decimal("12.5"), "EUR"), "day": DAYS[1], "n": Decimal("12.5")}
        cached = render("reply", locale, facts, override=source)
        words = Locale.parse(locale)
        assert cached.subject == format_currency(Decimal("12.5"), "EUR", locale=words)
        assert cached.body.startswith(format_date(DAYS[1], format="long", locale=words).rstrip("."))
        assert made[locale][0][-1] == cached
