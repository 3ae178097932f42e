"""The shipment watch in the brief (SQLite and PostgreSQL): stalled tracking, pickup reminders and expiring buyer
protection as actions with the facts a message needs; applying them records what the seller did, once; orders at
risk for notify_delay."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.logistics.parcels import history, parcel, shipped_order
from tradewind.action import BriefContext
from tradewind.brief.service import apply_action, refresh_brief
from tradewind.config import Settings
from tradewind.logistics.models import FollowUpKind, ShipmentFollowUp
from tradewind.logistics.producers import ShipmentWatchProducer
from tradewind.logistics.watch import order_outlooks, orders_at_risk, watch_shipments
from tradewind.shops.models import Shop

TODAY = date(2024, 3, 20)
NOW = datetime(2024, 3, 20, 12, tzinfo=UTC)


def context(day: date = TODAY) -> BriefContext:
    return BriefContext(today=day, now=datetime(day.year, day.month, day.day, 12, tzinfo=UTC), settings=Settings())


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def test_watch_actions_carry_the_facts_and_apply_once(session: Session, shop: Shop) -> None:
    producers = [ShipmentWatchProducer()]
    silent_order = shipped_order(session, shop, placed_at=ago(11), promised_days=40)
    silent = parcel(session, shop, destination="RU", method_code="epacket", shipped_at=ago(9), order=silent_order)
    quiet = parcel(
        session,
        shop,
        destination="ES",
        method_code="aliexpress-standard",
        shipped_at=ago(20),
        events=[(ago(19), "Received by logistics company"), (ago(12), "Leaving from departure country/region")],
        now=NOW,
    )
    waiting_order = shipped_order(session, shop, placed_at=ago(30), promised_days=45)
    waiting = parcel(
        session,
        shop,
        destination="RU",
        method_code="epacket",
        shipped_at=ago(28),
        order=waiting_order,
        events=[
            (ago(27), "Прием, Иу 322000"),
            (ago(8), "Прибыло в сортировочный центр, Казань 420300"),
            (ago(5), "Ожидает адресата в месте вручения, Казань 420111"),
        ],
        now=NOW,
    )
    brief = refresh_brief(session, shop=shop, context=context(), producers=producers)
    by_key = {a.key: a for a in brief.actions}
    stalled = by_key[f"stalled_tracking:{silent.tracking_number}"]
    assert stalled.figures["situation"] == "no_first_scan" and stalled.figures["days"] == 9
    assert stalled.figures["order"] == silent_order.number and stalled.figures["buyer_language"] == "ru"
    quiet_action = by_key[f"stalled_tracking:{quiet.tracking_number}"]
    assert quiet_action.figures["situation"] == "stalled" and quiet_action.figures["days"] == 12
    assert quiet_action.figures["status_words"] == "on its way"
    pickup = by_key[f"pickup_reminder:{waiting.tracking_number}"]
    assert pickup.figures["pickup_point"] == "Казань 420111"
    assert pickup.figures["days_waiting"] == 5 and pickup.figures["tracking_number"] == waiting.tracking_number
    assert pickup.figures["back_to_sender_from"] == (ago(5) + timedelta(days=15)).date().isoformat()
    assert len(brief.actions) == 3

    _, done = apply_action(session, shop=shop, action_id=stalled.id, context=context(), producers=producers)
    assert done == [f"recorded: chased the carrier about parcel {silent.tracking_number}"]
    _, again = apply_action(session, shop=shop, action_id=stalled.id, context=context(), producers=producers)
    assert again[0].startswith("already applied")
    notes = session.scalars(select(ShipmentFollowUp).where(ShipmentFollowUp.shop_id == shop.id)).all()
    assert [(n.kind, n.shipment_id) for n in notes] == [(FollowUpKind.CHASED_CARRIER, silent.id)]

    # Chased: quiet for a week, then it comes back as a second round if still silent.
    tomorrow = refresh_brief(session, shop=shop, context=context(TODAY + timedelta(days=1)), producers=producers)
    assert not any(a.key.startswith(f"stalled_tracking:{silent.tracking_number}") for a in tomorrow.actions)
    later = refresh_brief(session, shop=shop, context=context(TODAY + timedelta(days=8)), producers=producers)
    assert f"stalled_tracking:{silent.tracking_number}#2" in {a.key for a in later.actions}


def test_a_missing_first_scan_is_news_only_when_tracking_reaches_the_shop(session: Session, shop: Shop) -> None:
    # Parcels named by an order export, no tracking feed yet: nothing is known about any scan, none is overdue.
    order = shipped_order(session, shop, placed_at=ago(11), promised_days=40)
    from_export = parcel(session, shop, destination="RU", method_code="epacket", shipped_at=ago(9), order=order)
    assert watch_shipments(session, shop=shop, now=NOW) == []
    outlook = {o.order.id: o for o in order_outlooks(session, shop=shop, today=TODAY, now=NOW)}
    assert "no_first_scan" not in outlook[order.id].reasons
    # Once the feed brings news of any parcel, a parcel it says nothing of is overdue.
    news = [(ago(2), "Accepted")]
    parcel(session, shop, destination="ES", method_code="epacket", shipped_at=ago(3), events=news, now=NOW)
    findings = watch_shipments(session, shop=shop, now=NOW)
    assert [(f.situation, f.shipment.id) for f in findings] == [("no_first_scan", from_export.id)]
    outlook = {o.order.id: o for o in order_outlooks(session, shop=shop, today=TODAY, now=NOW)}
    assert "no_first_scan" in outlook[order.id].reasons


def test_protection_expiring_extends_the_deadline_once(session: Session, shop: Shop) -> None:
    producers = [ShipmentWatchProducer()]
    order = shipped_order(session, shop, placed_at=ago(40), promised_days=None)
    order.protection_ends_on = TODAY + timedelta(days=3)
    parcel(
        session,
        shop,
        destination="RU",
        method_code="epacket",
        shipped_at=ago(37),
        order=order,
        events=[(ago(36), "Прием"), (ago(2), "Прибыло в сортировочный центр, Москва 101000")],
        now=NOW,
    )
    brief = refresh_brief(session, shop=shop, context=context(), producers=producers)
    (action,) = [a for a in brief.actions if a.kind == "protection_expiring"]
    assert action.figures["days_left"] == 3 and action.figures["extend_to"] == "2024-04-07"
    assert action.figures["status_words"] == "on its way"
    _, done = apply_action(session, shop=shop, action_id=action.id, context=context(), producers=producers)
    assert "to 2024-04-07" in done[0]
    session.refresh(order)
    assert order.protection_ends_on == date(2024, 4, 7)
    # The extended deadline is far: no new action; the old one's key has gone.
    after = refresh_brief(session, shop=shop, context=context(TODAY + timedelta(days=1)), producers=producers)
    assert not [a for a in after.actions if a.kind == "protection_expiring"]


def test_orders_at_risk_give_the_reason_and_the_expected_date(session: Session, shop: Shop) -> None:
    history(session, shop, destination="RU", method_code="epacket", days=[14 + i % 5 for i in range(40)], end=NOW)
    history(session, shop, destination="RU", method_code="surface", days=[38 + i % 6 for i in range(30)], end=NOW)
    late = shipped_order(session, shop, placed_at=ago(4), method_code="surface", promised_days=30)
    parcel(session, shop, destination="RU", method_code="surface", shipped_at=ago(2), order=late)
    on_time = shipped_order(session, shop, placed_at=ago(4), method_code="epacket", promised_days=30)
    parcel(session, shop, destination="RU", method_code="epacket", shipped_at=ago(2), order=on_time)
    held = shipped_order(session, shop, placed_at=ago(12), method_code="epacket", promised_days=40)
    parcel(
        session,
        shop,
        destination="RU",
        method_code="epacket",
        shipped_at=ago(10),
        order=held,
        events=[(ago(9), "Прием"), (ago(1), "Задержано таможней, Москва 101000")],
        now=NOW,
    )
    found = {o.order.number: o for o in orders_at_risk(session, shop=shop, today=TODAY)}
    assert on_time.number not in found
    risk = found[late.number]
    assert risk.reason == "late" and risk.days_late > 5
    assert risk.expected_p90_on is not None and risk.promised_on == (ago(4) + timedelta(days=30)).date()
    assert risk.expected_p90_on > risk.promised_on and risk.estimate_source == "lane"
    customs = found[held.number]
    assert customs.reason == "customs_hold" and customs.parcel is not None
    assert customs.parcel.status_words == "held by customs"
    assert customs.to_dict()["lane"] == {"origin": "CN", "destination": "RU", "method": "epacket"}


def test_stalled_parcels_of_one_method_are_chased_together(session: Session, shop: Shop) -> None:
    producers = [ShipmentWatchProducer()]
    news = [(ago(2), "Accepted")]  # the shop's tracking feed works: it has news of another parcel
    parcel(session, shop, destination="ES", method_code="aliexpress-standard", shipped_at=ago(3), events=news, now=NOW)
    silent = [
        parcel(
            session,
            shop,
            destination="RU",
            method_code="epacket",
            shipped_at=ago(8 + n),
            order=shipped_order(session, shop, placed_at=ago(10 + n), promised_days=40),
        )
        for n in range(4)
    ]
    brief = refresh_brief(session, shop=shop, context=context(), producers=producers)
    (group,) = brief.actions
    assert group.subject_kind == "shipping_method" and group.subject == "epacket"
    assert group.title == "Chase 4 epacket parcels: no carrier scan for 8–11 days"
    assert group.figures["parcels"] == 4
    assert {s["tracking_number"] for s in group.steps if s["type"] == "chase_carrier"} == {
        p.tracking_number for p in silent
    }
    _, done = apply_action(session, shop=shop, action_id=group.id, context=context(), producers=producers)
    assert len(done) == 4
    notes = session.scalars(select(ShipmentFollowUp).where(ShipmentFollowUp.shop_id == shop.id)).all()
    assert Counter(n.shipment_id for n in notes) == Counter(p.id for p in silent)  # one note each
    # Chased: tomorrow none of them comes back.
    tomorrow = refresh_brief(session, shop=shop, context=context(TODAY + timedelta(days=1)), producers=producers)
    assert tomorrow.actions == []


def test_protection_that_already_ended_is_not_offered_an_extension(session: Session, shop: Shop) -> None:
    order = shipped_order(session, shop, placed_at=ago(120), promised_days=None)
    order.protection_ends_on = TODAY - timedelta(days=20)
    parcel(
        session,
        shop,
        destination="RU",
        method_code="epacket",
        shipped_at=ago(117),
        order=order,
        events=[(ago(116), "Прием")],
        now=NOW,
    )
    brief = refresh_brief(session, shop=shop, context=context(), producers=[ShipmentWatchProducer()])
    assert [a for a in brief.actions if a.kind == "protection_expiring"] == []


def test_parcels_waiting_in_one_country_are_one_reminder_with_a_draft_per_buyer(session: Session, shop: Shop) -> None:
    from tradewind.messaging.producers import with_buyer_messages

    producers = [with_buyer_messages(ShipmentWatchProducer())]
    waiting = []
    for days in (4, 6, 9):
        order = shipped_order(session, shop, placed_at=ago(30), promised_days=45)
        waiting.append(
            parcel(
                session,
                shop,
                destination="RU",
                method_code="epacket",
                shipped_at=ago(28),
                order=order,
                events=[(ago(27), "Прием, Иу 322000"), (ago(days), "Ожидает адресата в месте вручения, Казань 420111")],
                now=NOW,
            )
        )
    brief = refresh_brief(session, shop=shop, context=context(), producers=producers)
    (group,) = [a for a in brief.actions if a.kind == "pickup_reminder"]
    assert group.subject_kind == "destination" and group.subject == "RU"
    assert group.title.startswith("Remind 3 buyers in RU to collect their parcels: waiting 4–9 days")
    assert [s["tracking_number"] for s in group.figures["shipments"]] == [p.tracking_number for p in waiting[::-1]]
    drafts = [s for s in group.steps if s["type"] == "message"]
    assert len(drafts) == 3 and all(d["locale"] == "ru" and "Казань 420111" in d["body"] for d in drafts)
    # The same parcels tomorrow are the same action.
    again = refresh_brief(session, shop=shop, context=context(TODAY + timedelta(days=1)), producers=producers)
    assert [a.id for a in again.actions if a.kind == "pickup_reminder"] == [group.id]

    _, done = apply_action(session, shop=shop, action_id=group.id, context=context(), producers=producers)
    assert sum("reminded the buyer to collect it" in line for line in done) == 3
    notes = session.scalars(select(ShipmentFollowUp).where(ShipmentFollowUp.shop_id == shop.id)).all()
    assert Counter(n.shipment_id for n in notes) == Counter(p.id for p in waiting)  # one note each
