"""Triage is stored when a message arrives: the stored language, intent, confidences and order equal a fresh triage;
the brief's `reply_needed` reads them without running the detector or the intent model; a message without stored
triage (an older database) is triaged once and stored; `tradewind messages retriage` rebuilds every message's."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

import tradewind.messaging.triage.inbound as triage_module
from tests import factories as f
from tradewind.action import BriefContext
from tradewind.cli.main import app
from tradewind.config import Settings
from tradewind.db.migrate import upgrade
from tradewind.db.session import make_engine, make_sessionmaker, transaction
from tradewind.messaging.inbox import ReplyNeededProducer
from tradewind.messaging.models import InboundMessage
from tradewind.messaging.triage.inbound import stored_triage, triage_inbox, triage_messages, triage_version
from tradewind.shops.models import Shop
from tradewind.shops.service import create_shop

TODAY = date(2026, 12, 7)
NOW = datetime(2026, 12, 7, 9, tzinfo=UTC)
TEXTS = (
    "Где мой заказ {number}? Уже две недели жду",
    "Quiero cancelar el pedido {number} por favor",
    "wo ist meine bestellung??",
    "{number}",
    "Can I pay by card? order {short}",
)


def context() -> BriefContext:
    return BriefContext(today=TODAY, now=NOW, settings=Settings())


def _inbox(session: Session, shop: Shop) -> list[InboundMessage]:
    the_sku = f.sku(session, shop)
    messages = []
    for n, text in enumerate(TEXTS):
        buyer = f.buyer(session, shop, name=f"Buyer {n}")
        order = f.order(session, shop, [(the_sku, 1)], placed_at=NOW - timedelta(days=9), the_buyer=buyer)
        message = InboundMessage(
            shop_id=shop.id,
            external_id=f"MSG-{n}",
            buyer_id=buyer.id,
            order_id=None if n == 2 else order.id,  # MSG-2's order is found from its sender
            received_at=NOW - timedelta(hours=5 + n),
            text=text.format(number=order.number, short=order.number[-6:]),
        )
        session.add(message)
        messages.append(message)
    session.flush()
    return messages


def test_the_stored_triage_is_a_fresh_triage(session: Session, shop: Shop) -> None:
    messages = _inbox(session, shop)
    triage_inbox(session, shop=shop, settings=Settings(), now=NOW, with_replies=False)
    assert {m.triage_model for m in messages} == {triage_version()}
    assert all(m.triaged_at == NOW and m.intent is not None for m in messages)
    fresh = triage_messages(
        [m.text for m in messages],
        settings=Settings(),
        now=NOW,
        session=session,
        shop=shop,
        senders=[(m.buyer_id, m.order_id) for m in messages],
        with_replies=True,
    )
    stored = stored_triage(session, messages, shop=shop, settings=Settings(), now=NOW)
    assert stored == fresh
    assert [r.to_dict() for r in stored] == [r.to_dict() for r in fresh]
    assert messages[0].language == "ru" and messages[1].intent == "cancel_order"
    assert messages[2].order_id is not None and messages[2].triage_order_id == messages[2].order_id


def test_the_brief_reads_the_stored_triage_without_any_model(
    session: Session, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    _inbox(session, shop)
    with_models = ReplyNeededProducer().message_actions(session, shop=shop, context=context())

    def no_model(texts: object) -> object:
        raise AssertionError("the brief ran a triage model")

    monkeypatch.setattr(triage_module, "detect_languages", no_model)
    monkeypatch.setattr(triage_module, "classify_intents", no_model)
    again = ReplyNeededProducer().message_actions(session, shop=shop, context=context())
    assert len(again) == len(TEXTS)
    assert [(a.key, a.title, a.why, a.figures) for a in again] == [
        (a.key, a.title, a.why, a.figures) for a in with_models
    ]


def test_a_message_without_stored_triage_is_triaged_once(session: Session, shop: Shop) -> None:
    messages = _inbox(session, shop)
    assert all(m.triage_model is None for m in messages)
    first = ReplyNeededProducer().message_actions(session, shop=shop, context=context())
    assert {m.triage_model for m in messages} == {triage_version()}
    stored_at = [m.triaged_at for m in messages]
    later = BriefContext(today=TODAY, now=NOW + timedelta(hours=1), settings=Settings())
    ReplyNeededProducer().message_actions(session, shop=shop, context=later)
    assert [m.triaged_at for m in messages] == stored_at  # not triaged again
    assert {a.figures["intent"] for a in first} >= {"order_status", "cancel_order"}


def test_retriage_rebuilds_every_message(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with transaction(make_sessionmaker(engine)) as session:
        shop = create_shop(session, code="retriage", name="Retriage", currency="USD")
        messages = _inbox(session, shop)
        triage_inbox(session, shop=shop, settings=Settings(), now=NOW, with_replies=False)
        messages[0].triage_model = "an older model"
        messages[0].intent = "other"
    result = CliRunner().invoke(app, ["messages", "retriage", "--db", str(path), "--shop", "retriage", "--json"])
    assert result.exit_code == 0, result.output
    assert f'"retriaged": {len(TEXTS)}' in result.stdout
    with make_sessionmaker(engine)() as session:
        rows = list(session.scalars(select(InboundMessage).order_by(InboundMessage.external_id)))
        assert {m.triage_model for m in rows} == {triage_version()}
        assert rows[0].intent == "order_status"
    engine.dispose()
