"""Stale orders on a small shop: open far past the platform's life of an order, they are listed in one action for the
seller to close, kept out of the open orders that buyers are written to about, and closed when it is applied."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from tests import factories as f
from tradewind.action import BriefContext, StoredAction
from tradewind.config import Settings
from tradewind.logistics.watch import order_outlooks
from tradewind.orders.models import Order, OrderStatus
from tradewind.orders.producers import StaleOrdersProducer
from tradewind.orders.service import STALE_CLOSE_REASON, open_order_units, stale_cutoff, stale_orders
from tradewind.shops.models import Shop

TODAY = date(2026, 12, 7)
SETTINGS = Settings(database_url="sqlite://")


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def context(settings: Settings = SETTINGS) -> BriefContext:
    return BriefContext(today=TODAY, now=at(TODAY), settings=settings)


def shop_with_old_orders(session: Session, shop: Shop) -> dict[str, Order]:
    sku = f.sku(session, shop)
    orders: dict[str, Order] = {}
    for name, ship_by, placed in (
        ("past_61", TODAY - timedelta(days=61), TODAY - timedelta(days=70)),
        ("past_59", TODAY - timedelta(days=59), TODAY - timedelta(days=70)),
        # A WooCommerce order 'processing' since 2021, no ship-by day: its placing day counts.
        ("woo_2021", None, date(2021, 3, 4)),
        ("recent_no_ship_by", None, TODAY - timedelta(days=10)),
    ):
        row = f.order(session, shop, [(sku, 2)], placed_at=at(placed), the_buyer=f.buyer(session, shop))
        row.ship_by = ship_by
        orders[name] = row
    delivered = f.order(session, shop, [(sku, 1)], placed_at=at(date(2021, 1, 1)), status=OrderStatus.DELIVERED)
    orders["delivered_2021"] = delivered
    session.flush()
    return orders


def test_stale_is_60_days_past_ship_by_or_placing_and_only_open_orders(session: Session, shop: Shop) -> None:
    orders = shop_with_old_orders(session, shop)
    found = stale_orders(session, shop_id=shop.id, cutoff=stale_cutoff(TODAY, SETTINGS.stale_order_days))
    assert [o.number for o in found] == [orders["woo_2021"].number, orders["past_61"].number]
    # Configurable: at 30 days, 59 past ship-by is stale too.
    assert len(stale_orders(session, shop_id=shop.id, cutoff=stale_cutoff(TODAY, 30))) == 3


def test_stale_orders_are_no_open_orders_to_write_to(session: Session, shop: Shop) -> None:
    orders = shop_with_old_orders(session, shop)
    sku_id = orders["past_61"].lines[0].sku_id
    everything = [number for number, _ in open_order_units(session, shop_id=shop.id)[sku_id]]
    assert len(everything) == 4
    fresh = open_order_units(session, shop_id=shop.id, stale_before=stale_cutoff(TODAY))[sku_id]
    assert sorted(number for number, _ in fresh) == sorted(
        [orders["past_59"].number, orders["recent_no_ship_by"].number]
    )
    # The logistics watch (delay notices, protection reminders) no longer sees them either.
    watched = {o.order.number for o in order_outlooks(session, shop=shop, today=TODAY, now=at(TODAY))}
    assert orders["past_61"].number not in watched and orders["woo_2021"].number not in watched
    assert orders["past_59"].number in watched


def test_one_action_lists_them_and_applying_closes_them(session: Session, shop: Shop) -> None:
    orders = shop_with_old_orders(session, shop)
    producer = StaleOrdersProducer()
    actions = producer.actions(session, shop=shop, context=context())
    assert len(actions) == 1
    action = actions[0]
    assert action.kind == "stale_orders" and action.figures["orders"] == 2
    assert [s["order"] for s in action.steps] == [orders["woo_2021"].number, orders["past_61"].number]
    assert all(s["type"] == "close_order" for s in action.steps)
    stored = StoredAction(
        1, action.kind, action.key, action.subject_kind, action.subject, action.due, action.figures, action.steps
    )
    # One of them ships before the seller applies: it is no longer stale and is left alone.
    orders["past_61"].status = OrderStatus.SHIPPED
    orders["past_61"].ship_by = TODAY
    session.flush()
    done = producer.apply(session, shop=shop, action=stored, context=context())
    assert done == [
        f"closed order {orders['woo_2021'].number}",
        "1 order no longer stale (shipped, paid or closed since): left",
    ]
    session.expire_all()
    woo = session.get(Order, orders["woo_2021"].id)
    assert woo is not None and woo.status == OrderStatus.CLOSED and woo.cancel_reason == STALE_CLOSE_REASON
    assert producer.apply(session, shop=shop, action=stored, context=context())[0].startswith("2 orders no longer")
    assert producer.actions(session, shop=shop, context=context()) == []


def test_the_logistics_watch_reads_the_shops_stale_age() -> None:
    """One setting for what is stale: the delivery outlooks leave out the orders the stale_orders action lists."""
    from tradewind.config import Settings
    from tradewind.logistics.rules import LogisticsRules

    rules = LogisticsRules.from_settings(Settings(database_url="sqlite://", stale_order_days=90))
    assert rules.stale_order_days == 90
    assert LogisticsRules().stale_order_days == Settings(database_url="sqlite://").stale_order_days
