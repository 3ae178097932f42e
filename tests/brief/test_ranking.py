"""Ranking by what the seller can change: a metric's expected penalty is carried by the actions that fix it (the
replies for a reply rate), not by the metric's card, on a small shop computed by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from tests import factories as f
from tradewind.action import Action, BriefContext, StoredAction
from tradewind.brief.ranking import carry_metric_penalties, priority
from tradewind.brief.service import collect
from tradewind.config import Settings
from tradewind.growth.producers import GrowthProducer
from tradewind.messaging.models import InboundMessage
from tradewind.orders.models import OrderStatus
from tradewind.shops.models import Shop

TODAY = date(2024, 3, 31)
SETTINGS = Settings(database_url="sqlite://")


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def action(kind: str, key: str, value: str, **figures: object) -> Action:
    return Action(kind, key, "x", key.split(":")[-1], TODAY, key, "", Decimal(value), figures=dict(figures))


class Replies:
    """Two waiting buyer messages, about no order: nothing of their own at risk."""

    kinds: tuple[str, ...] = ("reply_needed",)

    def actions(self, session: Session, *, shop: Shop, context: BriefContext) -> list[Action]:
        return [action("reply_needed", f"reply_needed:{intent}", "0") for intent in ("shipping", "product")]

    def apply(self, session: Session, *, shop: Shop, action: StoredAction, context: BriefContext) -> list[str]:
        return []


def test_the_penalty_moves_to_the_fixes_and_a_card_without_fixes_keeps_it() -> None:
    card = action("metric_risk", "metric_risk:reply_rate", "100.00", fixed_by=["reply_needed"])
    lonely = action("metric_risk", "metric_risk:valid_tracking_rate", "30.00", fixed_by=["stalled_tracking"])
    replies = [action("reply_needed", f"reply_needed:{n}", "5.00") for n in (1, 2, 3)]
    other = action("restock", "restock:S1", "40.00")
    ranked = {a.key: a for a in carry_metric_penalties([card, lonely, *replies, other])}
    # 100.00 shared by three replies: 33.33 each on top of their own 5.00.
    assert [ranked[a.key].value_at_risk for a in replies] == [Decimal("38.33")] * 3
    assert ranked["reply_needed:1"].figures["metric_penalty"] == {"reply_rate": "33.33"}
    assert ranked[card.key].value_at_risk == 0 and ranked[card.key].figures["carried_by_fixes"] is True
    assert ranked[lonely.key].value_at_risk == Decimal("30.00")
    assert ranked[other.key] == other


def test_a_reply_rate_card_does_not_outrank_the_replies_that_fix_it(session: Session, shop: Shop) -> None:
    sku = f.sku(session, shop)
    for day in range(10):
        f.order(
            session,
            shop,
            [(sku, 1)],
            placed_at=at(TODAY - timedelta(days=day + 1)),
            total="100.00",
            status=OrderStatus.DELIVERED,
        )
    for hours in (1, 30, 40, 50):  # 1 of 4 answered in time: 25% against at least 90%
        received = at(TODAY - timedelta(days=3))
        session.add(
            InboundMessage(
                shop_id=shop.id,
                external_id=f"M{hours}",
                received_at=received,
                answered_at=received + timedelta(hours=hours),
                text="where is my order?",
            )
        )
    session.flush()
    context = BriefContext(today=TODAY, now=at(TODAY), settings=SETTINGS)
    found = {a.key: a for a in collect(session, shop=shop, context=context, producers=[GrowthProducer(), Replies()])}
    card = found["metric_risk:reply_rate"]
    # The penalty, 1,000.00 of sales x 0.2 x (0.90 - 0.25) / 0.90 = 144.44, is the replies' now: 72.22 each.
    assert card.figures["penalty"] == "144.44" and card.value_at_risk == 0
    replies = [found["reply_needed:shipping"], found["reply_needed:product"]]
    assert [r.value_at_risk for r in replies] == [Decimal("72.22")] * 2
    score = {key: priority(a.value_at_risk, a.weight, a.due, TODAY) for key, a in found.items()}
    assert min(score["reply_needed:shipping"], score["reply_needed:product"]) > score["metric_risk:reply_rate"]
    # Before, the card carried the whole month's sales x 1.5: 1,000.00 x 1.5 x 2 = 3,000 against replies at 0.
    assert score["reply_needed:shipping"] == 144.44
