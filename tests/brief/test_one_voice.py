"""One voice per buyer across every producer of the brief: at most one buyer draft per order among the open actions,
the most pressing one; the others leave their actions and say so; an action left with nothing to do is not shown."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradewind.action import Action, BriefContext, StoredAction
from tradewind.brief.models import ActionRecord
from tradewind.brief.service import dismiss_action, refresh_brief
from tradewind.config import Settings
from tradewind.messaging.inbox import ReplyNeededProducer
from tradewind.messaging.models import InboundMessage
from tradewind.messaging.voice import one_message_per_order
from tradewind.shops.models import Shop

TODAY = date(2026, 12, 7)


def context() -> BriefContext:
    return BriefContext(today=TODAY, now=datetime(2026, 12, 7, 9, tzinfo=UTC), settings=Settings())


def draft(order: str, situation: str, outbox_id: int) -> dict[str, Any]:
    return {"type": "message", "to": "buyer", "order": order, "situation": situation, "outbox_id": outbox_id}


def action(kind: str, key: str, steps: list[dict[str, Any]], **figures: Any) -> Action:
    return Action(
        kind=kind,
        key=key,
        subject_kind="order",
        subject=key,
        due=TODAY,
        title=key,
        why=f"{key}.",
        value_at_risk=Decimal("10"),
        figures=figures,
        steps=steps,
    )


class Fixed:
    """A producer that says what it is told."""

    def __init__(self, kinds: tuple[str, ...], actions: list[Action]) -> None:
        self.kinds = kinds
        self._actions = actions

    def actions(self, session: Session, *, shop: Shop, context: BriefContext) -> list[Action]:
        return list(self._actions)

    def apply(self, session: Session, *, shop: Shop, action: StoredAction, context: BriefContext) -> list[str]:
        return []


def producers() -> list[Fixed]:
    pickup = action(
        "pickup_reminder", "pickup_reminder:A", [{"type": "remind_buyer_to_collect"}, draft("A", "pickup_reminder", 1)]
    )
    delays = action(
        "notify_delay",
        "notify_delay:flights_cut",
        [draft("A", "shipping_delay", 2), draft("B", "shipping_delay", 3)],
        notices=[{"order": "A"}, {"order": "B"}],
    )
    stalled = action(
        "stalled_tracking",
        "stalled_tracking:RR1",
        [{"type": "chase_carrier"}, {"type": "tell_buyer", "order": "B"}, draft("B", "order_status", 4)],
        message_drafts=[4],
    )
    only_stock = action("stockout_playbook", "stockout_playbook:C", [draft("A", "out_of_stock", 5)])
    return [
        Fixed(("pickup_reminder", "stalled_tracking"), [pickup, stalled]),
        Fixed(("notify_delay",), [delays]),
        Fixed(("stockout_playbook",), [only_stock]),
    ]


def buyer_drafts(actions: list[ActionRecord]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for record in actions:
        for step in record.steps:
            if step.get("type") == "message":
                found.setdefault(step["order"], []).append(step["situation"])
    return found


def test_each_order_keeps_its_most_pressing_draft(session: Session, shop: Shop) -> None:
    actions = refresh_brief(session, shop=shop, context=context(), producers=producers()).actions
    assert buyer_drafts(actions) == {"A": ["pickup_reminder"], "B": ["shipping_delay"]}
    by_key = {a.key: a for a in actions}
    # The stockout playbook had only order A's draft: A hears about the parcel at the post office instead.
    assert "stockout_playbook:C" not in by_key
    delays = by_key["notify_delay:flights_cut"]
    assert [s["order"] for s in delays.steps] == ["B"]
    (held,) = delays.figures["messages_held_back"]
    assert held == {
        "order": "A",
        "situation": "shipping_delay",
        "outbox_id": 2,
        "instead": "pickup_reminder",
        "instead_in": "pickup_reminder:A",
        "instead_outbox_id": 1,
    }
    assert delays.figures["notices"] == [{"order": "A", "held_back_for": "pickup_reminder"}, {"order": "B"}]
    assert "1 buyer draft(s) held back: the buyer of order(s) A gets a more pressing message" in delays.why
    assert delays.title == "notify_delay:flights_cut (1 of them written to in another action)"
    # The stalled parcel is still chased; the buyer is told by the delay notice, not told twice.
    stalled = by_key["stalled_tracking:RR1"]
    assert [s["type"] for s in stalled.steps] == ["chase_carrier"]
    assert stalled.figures["message_drafts"] == []


def test_a_dismissed_action_does_not_silence_the_others(session: Session, shop: Shop) -> None:
    first = refresh_brief(session, shop=shop, context=context(), producers=producers()).actions
    pickup = next(a for a in first if a.key == "pickup_reminder:A")
    dismiss_action(session, shop=shop, action_id=pickup.id, context=context(), reason="buyer collected it")
    again = refresh_brief(session, shop=shop, context=context(), producers=producers()).actions
    # Of A's drafts still shown, the delay notice is now the most pressing; the stockout one stays held back.
    assert buyer_drafts(again) == {"A": ["shipping_delay"], "B": ["shipping_delay"]}
    assert "stockout_playbook:C" not in {a.key for a in again}


def test_precedence_ranks_unknown_situations_last_and_keeps_other_steps() -> None:
    survey = action("survey", "survey:A", [draft("A", "thank_you_review", 7)])
    unpaid = action("unpaid_reminder", "unpaid:A", [draft("A", "unpaid_reminder", 8)])
    supplier = action("supplier_check", "supplier:S", [{"type": "message", "to": "supplier", "order": None}])
    kept = one_message_per_order([survey, unpaid, supplier])
    assert [a.key for a in kept] == ["unpaid:A", "supplier:S"]
    assert one_message_per_order([survey, unpaid], silent={"unpaid:A"}) == [survey, unpaid]


def test_a_held_back_reply_leaves_its_message_unanswered(session: Session, shop: Shop) -> None:
    received = datetime(2026, 12, 6, 18, tzinfo=UTC)
    for external_id in ("MSG-1", "MSG-2"):
        session.add(InboundMessage(shop_id=shop.id, external_id=external_id, received_at=received, text="где заказ?"))
    session.flush()
    stored = StoredAction(
        id=1,
        kind="reply_needed",
        key="reply_needed:order_status:x",
        subject_kind="buyer_group",
        subject="order_status",
        due=TODAY,
        figures={"notices": [{"message": "MSG-1"}, {"message": "MSG-2", "held_back_for": "pickup_reminder"}]},
        steps=[],  # the kept reply's step is queued by queue_message_steps; none here
    )
    done = ReplyNeededProducer().apply(session, shop=shop, action=stored, context=context())
    assert done == ["message MSG-1 marked answered"]
    answered = dict(session.execute(select(InboundMessage.external_id, InboundMessage.answered_at)).all())
    assert answered["MSG-1"] is not None and answered["MSG-2"] is None
