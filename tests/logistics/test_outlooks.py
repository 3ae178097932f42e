"""Delivery outlooks that respect the parcel and the order (issue 17), on small hand-computed shops (SQLite and
PostgreSQL): settled orders leave every outlook; a parcel without news for weeks is probably lost (steps, not a
date); a parcel at a pickup point is expected by arrival + the storage period; where the lane's curve cannot answer
the outlook says so instead of giving its horizon."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from tests.logistics.parcels import history, parcel, shipped_order
from tradewind.action import BriefContext
from tradewind.brief.service import apply_action, refresh_brief
from tradewind.config import Settings
from tradewind.logistics.producers import ShipmentWatchProducer
from tradewind.logistics.rules import LogisticsRules
from tradewind.logistics.watch import OrderAtRisk, order_outlooks, orders_at_risk, watch_shipments
from tradewind.messaging.producers import with_buyer_messages
from tradewind.orders.models import Dispute, DisputeState, Order, PaymentState
from tradewind.shops.models import Shop

TODAY = date(2024, 3, 20)
NOW = datetime(2024, 3, 20, 12, tzinfo=UTC)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def context(day: date = TODAY) -> BriefContext:
    return BriefContext(today=day, now=datetime(day.year, day.month, day.day, 12, tzinfo=UTC), settings=Settings())


def outlooks(session: Session, shop: Shop, rules: LogisticsRules | None = None) -> dict[str, OrderAtRisk]:
    return {o.order.number: o for o in order_outlooks(session, shop=shop, today=TODAY, now=NOW, rules=rules)}


def dispute(session: Session, shop: Shop, order: Order, state: DisputeState, closed: datetime | None) -> None:
    session.add(
        Dispute(
            shop_id=shop.id, order_id=order.id, opened_at=ago(20), reason="not received", state=state, closed_at=closed
        )
    )
    session.flush()


def quiet_parcel(session: Session, shop: Shop, order: Order, *, shipped: float, last_news: float) -> None:
    parcel(
        session,
        shop,
        destination="RU",
        method_code="epacket",
        shipped_at=ago(shipped),
        order=order,
        events=[
            (ago(shipped - 1), "Прием, Иу 322000"),
            (ago(last_news), "Прибыло в сортировочный центр, Москва 101000"),
        ],
        now=NOW,
    )


def test_settled_orders_leave_every_outlook(session: Session, shop: Shop) -> None:
    # Four parcels, all quiet for 15 days (stalled: between the 10 stalled and the 30 expired days).
    refunded = shipped_order(session, shop, placed_at=ago(40), promised_days=30)
    refunded.payment_state = PaymentState.REFUNDED
    lost_dispute = shipped_order(session, shop, placed_at=ago(40), promised_days=30)
    dispute(session, shop, lost_dispute, DisputeState.RESOLVED_BUYER, ago(3))
    won_dispute = shipped_order(session, shop, placed_at=ago(40), promised_days=30)
    dispute(session, shop, won_dispute, DisputeState.RESOLVED_SELLER, ago(3))
    open_dispute = shipped_order(session, shop, placed_at=ago(40), promised_days=30)
    dispute(session, shop, open_dispute, DisputeState.OPEN, None)
    for order in (refunded, lost_dispute, won_dispute, open_dispute):
        quiet_parcel(session, shop, order, shipped=38, last_news=15)
    returned = shipped_order(session, shop, placed_at=ago(40), promised_days=30)
    parcel(
        session,
        shop,
        destination="RU",
        method_code="epacket",
        shipped_at=ago(38),
        order=returned,
        events=[(ago(37), "Прием, Иу 322000"), (ago(2), "Вручение отправителю")],
        now=NOW,
    )
    session.flush()

    found = outlooks(session, shop)
    assert set(found) == {open_dispute.number}  # still owed to the buyer: its dispute is open
    at_risk = {o.order.number: o for o in orders_at_risk(session, shop=shop, today=TODAY, now=NOW)}
    assert set(at_risk) == {open_dispute.number} and at_risk[open_dispute.number].reason == "stalled"
    # Nor is the carrier chased or protection extended for a settled order: only the open one's parcel is watched.
    assert {f.order.number for f in watch_shipments(session, shop=shop, now=NOW) if f.order} == {open_dispute.number}


def test_a_parcel_without_news_for_weeks_is_probably_lost_not_late(session: Session, shop: Shop) -> None:
    history(session, shop, destination="RU", method_code="epacket", days=[14 + i % 5 for i in range(40)], end=NOW)
    order = shipped_order(session, shop, placed_at=ago(60), promised_days=45)
    order.protection_ends_on = TODAY + timedelta(days=10)
    quiet_parcel(session, shop, order, shipped=58, last_news=40)

    outlook = outlooks(session, shop)[order.number]
    assert outlook.reason == "probably_lost" and outlook.reasons == ("probably_lost",)
    assert outlook.expected_p50_on is None and outlook.expected_p90_on is None
    assert outlook.days_late == 0
    assert outlook.act_by == date(2024, 3, 30)
    assert [s["type"] for s in outlook.steps] == ["carrier_inquiry", "refund_or_resend"]
    assert outlook.steps[1]["by"] == "2024-03-30"
    assert "no carrier news for 40 days" in outlook.reason_words
    assert outlook.parcel is not None
    assert outlook.to_dict()["steps"][0]["tracking_number"] == outlook.parcel.tracking_number

    # "Weeks" is a setting: with 50 days of silence allowed, 40 quiet days are only stalled.
    rules = LogisticsRules.from_settings(Settings(logistics_expired_after_days=50))
    assert rules.expired_after_days == 50 and rules.transit.lost_after_days == 50  # the lane curves' too
    patient = outlooks(session, shop, rules)[order.number]
    assert patient.reasons[0] == "stalled" and patient.steps == ()


def test_a_parcel_at_the_pickup_point_is_expected_by_the_end_of_its_storage(session: Session, shop: Shop) -> None:
    # The lane's parcels take 60–64 days: the curve alone would put a parcel 20 days out at about day 62.
    history(session, shop, destination="RU", method_code="epacket", days=[60 + i % 5 for i in range(40)], end=NOW)
    waiting = shipped_order(session, shop, placed_at=ago(22), promised_days=30)
    parcel(
        session,
        shop,
        destination="RU",
        method_code="epacket",
        shipped_at=ago(20),
        order=waiting,
        events=[(ago(19), "Прием, Иу 322000"), (ago(4), "Ожидает адресата в месте вручения, Казань 420111")],
        now=NOW,
    )
    gone = shipped_order(session, shop, placed_at=ago(42), promised_days=30)
    parcel(
        session,
        shop,
        destination="RU",
        method_code="epacket",
        shipped_at=ago(40),
        order=gone,
        events=[(ago(39), "Прием, Иу 322000"), (ago(20), "Ожидает адресата в месте вручения, Казань 420111")],
        now=NOW,
    )
    tardy = shipped_order(session, shop, placed_at=ago(40), promised_days=30)
    parcel(
        session,
        shop,
        destination="RU",
        method_code="epacket",
        shipped_at=ago(38),
        order=tardy,
        events=[(ago(37), "Прием, Иу 322000"), (ago(5), "Ожидает адресата в месте вручения, Казань 420111")],
        now=NOW,
    )
    found = outlooks(session, shop)
    here = found[waiting.number]
    # Arrived 2024-03-16 (4 days ago) + 15 days of storage: expected by 2024-03-31, not some 60 days after hand-over
    # as the lane's curve says. It reached the point before the promised 2024-02-27 + 30 = 2024-03-28: on time.
    assert here.expected_p90_on == date(2024, 3, 31) and here.expected_p50_on == date(2024, 3, 31)
    assert here.promised_on == date(2024, 3, 28) and here.days_late == 0 and here.reasons == ()
    assert here.expected_p90_on <= TODAY + timedelta(days=30)
    # Arrived 2024-03-15, promised 2024-02-09 + 30 = 2024-03-10: 5 days late (not 20, to the end of its storage).
    late = found[tardy.number]
    assert late.expected_p90_on == date(2024, 3, 30) and late.promised_on == date(2024, 3, 10)
    assert late.reasons == ("late",) and late.days_late == 5
    # With a 30-day storage period (Russian Post's usual one) it is 2024-04-15.
    longer = outlooks(session, shop, LogisticsRules.from_settings(Settings(logistics_pickup_hold_days=30)))
    assert longer[waiting.number].expected_p90_on == date(2024, 4, 15)
    # Waiting since 2024-02-29: storage over on 2024-03-15, going back to the sender — no date.
    back = found[gone.number]
    assert back.reason == "pickup_uncollected" and back.expected_p90_on is None
    assert "2024-03-15" in back.reason_words


def test_where_the_curve_cannot_answer_the_outlook_says_so(session: Session, shop: Shop) -> None:
    # Every parcel of the lane arrived within 14–18 days: of one 40 days on its way the curve knows nothing.
    history(session, shop, destination="RU", method_code="epacket", days=[14 + i % 5 for i in range(40)], end=NOW)
    overdue = shipped_order(session, shop, placed_at=ago(42), promised_days=30)
    quiet_parcel(session, shop, overdue, shipped=40, last_news=3)
    fresh = shipped_order(session, shop, placed_at=ago(4), promised_days=30)
    quiet_parcel(session, shop, fresh, shipped=2, last_news=1)

    found = outlooks(session, shop)
    lost_in_the_tail = found[overdue.number]
    # Before: "expected by today" (the conditional quantile of an ended curve is the elapsed day).
    assert lost_in_the_tail.expected_p90_on is None and lost_in_the_tail.expected_p50_on is None
    assert lost_in_the_tail.reasons == ("no_estimate", "late")
    # Promised 2024-03-08 (placed 2024-02-07 + 30, a leap February): 12 days past it today.
    assert lost_in_the_tail.promised_on == date(2024, 3, 8) and lost_in_the_tail.days_late == 12
    on_its_way = found[fresh.number]
    assert on_its_way.expected_p90_on is not None and on_its_way.reasons == ()
    assert on_its_way.expected_p90_on <= (ago(2) + timedelta(days=19)).date()


def test_no_expected_delivery_beyond_the_watch_window(session: Session, shop: Shop) -> None:
    # A lane whose parcels take 125–129 days: a p90 past 120 days after hand-over is past every deadline the shop
    # follows, and the outlook gives none rather than a date four months out.
    history(session, shop, destination="BR", method_code="sea", days=[125 + i % 5 for i in range(30)], end=NOW)
    order = shipped_order(session, shop, placed_at=ago(4), destination="BR", method_code="sea", promised_days=150)
    parcel(session, shop, destination="BR", method_code="sea", shipped_at=ago(2), order=order)
    outlook = outlooks(session, shop)[order.number]
    assert outlook.expected_p90_on is None and outlook.reasons == ("no_estimate",)
    # With a longer window the same curve answers, about 129 days after hand-over.
    wide = outlooks(session, shop, replace(LogisticsRules(), watch_window_days=150))[order.number]
    assert wide.expected_p90_on is not None
    assert wide.expected_p90_on is not None and 125 <= (wide.expected_p90_on - ago(2).date()).days <= 135


def test_a_probably_lost_parcel_asks_for_an_inquiry_and_a_refund_or_resend(session: Session, shop: Shop) -> None:
    producers = [ShipmentWatchProducer()]
    order = shipped_order(session, shop, placed_at=ago(60), promised_days=45)
    order.protection_ends_on = TODAY + timedelta(days=10)
    quiet_parcel(session, shop, order, shipped=58, last_news=40)
    brief = refresh_brief(session, shop=shop, context=context(), producers=producers)
    lost = [a for a in brief.actions if a.kind == "stalled_tracking"]
    assert len(lost) == 1 and lost[0].figures["situation"] == "probably_lost" and lost[0].figures["days"] == 40
    assert "probably lost" in lost[0].title and "before buyer protection ends on 2024-03-30" in lost[0].why
    assert [s["type"] for s in lost[0].steps] == ["chase_carrier", "refund_or_resend", "tell_buyer"]
    assert lost[0].steps[1] == {
        "type": "refund_or_resend",
        "order": order.number,
        "choices": ["refund", "resend"],
        "by": "2024-03-30",
    }
    _, done = apply_action(session, shop=shop, action_id=lost[0].id, context=context(), producers=producers)
    assert done == [f"recorded: chased the carrier about parcel {lost[0].subject}"]
    # A settled order's silent parcel is nobody's business any more.
    order.payment_state = PaymentState.REFUNDED
    session.flush()
    later = refresh_brief(session, shop=shop, context=context(TODAY + timedelta(days=8)), producers=producers)
    assert not [a for a in later.actions if a.kind == "stalled_tracking"]


def test_a_parcel_out_for_delivery_is_expected_within_a_day_or_two(session: Session, shop: Shop) -> None:
    # Every parcel of the lane arrived within 14–18 days: of one 40 days on its way the curve knows nothing, but
    # the courier has it since yesterday.
    history(session, shop, destination="RU", method_code="epacket", days=[14 + i % 5 for i in range(40)], end=NOW)
    courier = shipped_order(session, shop, placed_at=ago(42), promised_days=45)
    parcel(
        session,
        shop,
        destination="RU",
        method_code="epacket",
        shipped_at=ago(40),
        order=courier,
        events=[(ago(39), "Прием, Иу 322000"), (ago(1), "Передано почтальону, Казань 420111")],
        now=NOW,
    )
    missed = shipped_order(session, shop, placed_at=ago(42), promised_days=45)
    parcel(
        session,
        shop,
        destination="RU",
        method_code="epacket",
        shipped_at=ago(40),
        order=missed,
        events=[(ago(39), "Прием, Иу 322000"), (ago(6), "Передано почтальону, Казань 420111")],
        now=NOW,
    )

    found = outlooks(session, shop)
    here = found[courier.number]
    # Out for delivery on 2024-03-19: expected 2024-03-20 (p50), by 2024-03-21 (p90) — before, `no_estimate`.
    assert (here.expected_p50_on, here.expected_p90_on) == (date(2024, 3, 20), date(2024, 3, 21))
    assert here.reasons == () and here.days_late == 0  # promised 2024-02-07 + 45 = 2024-03-23
    # The window is a setting: 5 days after the event.
    slower = outlooks(session, shop, LogisticsRules.from_settings(Settings(logistics_out_for_delivery_days=5)))
    assert slower[courier.number].expected_p90_on == date(2024, 3, 24)
    assert slower[courier.number].reasons == ("late",) and slower[courier.number].days_late == 1
    # Out for delivery six days ago and still not delivered: no date, and the reason says what happened.
    gone = found[missed.number]
    assert gone.expected_p90_on is None and gone.expected_p50_on is None
    assert gone.reasons == ("no_estimate",) and "out for delivery since 2024-03-14" in gone.reason_words


def test_the_buyer_of_a_probably_lost_parcel_is_asked_refund_or_resend(session: Session, shop: Shop) -> None:
    producers = [with_buyer_messages(ShipmentWatchProducer())]
    order = shipped_order(session, shop, placed_at=ago(60), promised_days=45)
    order.protection_ends_on = TODAY + timedelta(days=10)
    quiet_parcel(session, shop, order, shipped=58, last_news=40)
    brief = refresh_brief(session, shop=shop, context=context(), producers=producers)
    (lost,) = [a for a in brief.actions if a.kind == "stalled_tracking"]
    (draft,) = [s for s in lost.steps if s["type"] == "message"]
    # Its own text (before: the generic "stalled" order status): the inquiry, the protection end 2024-03-30 as the
    # day to decide by, and the buyer's choice — in the buyer's Russian, the date once-punctuated.
    assert draft["situation"] == "parcel_inquiry" and draft["locale"] == "ru" and draft["order"] == order.number
    assert "запрос на её розыск" in draft["body"] and lost.subject in draft["body"]
    assert "до 30 марта 2024\u202fг., мы полностью вернём вам деньги или отправим заказ заново" in draft["body"]
    assert "возврат денег или новая посылка" in draft["body"]
    # Protection already over: no date to decide by is promised.
    order.protection_ends_on = TODAY - timedelta(days=1)
    session.flush()
    late = refresh_brief(session, shop=shop, context=context(TODAY + timedelta(days=1)), producers=producers)
    (again,) = [a for a in late.actions if a.kind == "stalled_tracking"]
    (text,) = [s["body"] for s in again.steps if s["type"] == "message"]
    assert "в ближайшие дни" in text and "2024" not in text.split("Если")[1].split(".")[0]
