"""The demo shop: deterministic for a seed, shaped like the issue asks (catalog, suppliers, a year of orders to
twenty countries, disruptions that show in the data, short and overstocked SKUs, buyer messages), and written
only inside the caller's transaction."""

from __future__ import annotations

import hashlib
import statistics
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from tests.demo.building import BuiltDemo, build_into_file
from tradewind.db.base import UTCDateTime
from tradewind.demo import build_demo_shop
from tradewind.errors import ConflictError
from tradewind.models import Base

KEY_TABLES = (
    "shops", "skus", "supply_offers", "supplier_status_reports", "orders", "order_lines", "buyers", "shipments",
    "tracking_events", "stock_levels", "stock_movements", "purchase_orders", "inbound_messages",
)  # fmt: skip


def table_digest(engine: Engine, table: str) -> str:
    """A hash of every row of `table` in id order (so: the same ids, the same values)."""
    digest = hashlib.sha256()
    with engine.connect() as connection:
        for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY id")):
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def scalar(engine: Engine, sql: str, **params: object) -> Any:
    with engine.connect() as connection:
        return connection.execute(text(sql), params).scalar()


def rows(engine: Engine, sql: str, **params: object) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql), params)]


def test_same_seed_gives_the_same_rows_and_another_seed_does_not(demo_engine: BuiltDemo, tmp_path: Path) -> None:
    again = build_into_file(tmp_path / "again.db")
    other = build_into_file(tmp_path / "other.db", seed=8)
    try:
        for table in KEY_TABLES:
            assert table_digest(again.engine, table) == table_digest(demo_engine.engine, table), table
        assert again.summary == demo_engine.summary
        assert table_digest(other.engine, "orders") != table_digest(demo_engine.engine, "orders")
        assert table_digest(other.engine, "tracking_events") != table_digest(demo_engine.engine, "tracking_events")
    finally:
        again.engine.dispose()
        other.engine.dispose()


def test_counts_are_in_the_expected_ranges(demo_engine: BuiltDemo) -> None:
    engine, counts = demo_engine.engine, demo_engine.summary.counts
    assert 120 <= counts["skus"] <= 180
    assert counts["suppliers"] == 4
    assert counts["warehouses"] == 2
    assert 8_500 <= counts["order_lines"] <= 11_500
    assert counts["listings"] == counts["skus"]
    assert 4 <= counts["tracking_events"] / counts["shipments"] <= 8
    assert 30 <= counts["inbound_messages"] <= 50
    assert scalar(engine, "SELECT count(DISTINCT destination_country) FROM orders") == 20
    assert scalar(engine, "SELECT count(DISTINCT code) FROM shipping_methods") == 6
    for table, count in counts.items():
        assert scalar(engine, f"SELECT count(*) FROM {table}") == count, table
    for table in ("message_templates", "outbox_messages", "actions", "action_events"):
        assert scalar(engine, f"SELECT count(*) FROM {table}") == 0


def test_the_history_ends_before_today(demo_engine: BuiltDemo) -> None:
    engine, today = demo_engine.engine, demo_engine.today
    cutoff = datetime(today.year, today.month, today.day, tzinfo=UTC)
    with Session(engine) as session:
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, UTCDateTime):
                    latest = session.execute(select(func.max(column))).scalar()
                    assert latest is None or latest < cutoff, f"{table.name}.{column.name}"
    first = rows(engine, "SELECT min(placed_at), max(placed_at) FROM orders")[0]
    assert str(first[0]) >= (today - timedelta(days=365)).isoformat()


def test_every_datetime_is_timezone_aware(demo_engine: BuiltDemo) -> None:
    with Session(demo_engine.engine) as session:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, UTCDateTime)]
            if not columns:
                continue
            for row in session.execute(select(*columns).limit(2_000)):
                for value in row:
                    assert value is None or value.utcoffset() == timedelta(0), table.name


def test_unpaid_and_cancelled_orders_of_the_last_days(demo_engine: BuiltDemo) -> None:
    engine, today = demo_engine.engine, demo_engine.today
    unpaid = scalar(
        engine,
        "SELECT count(*) FROM orders WHERE payment_state = 'unpaid' AND status = 'placed' AND placed_at >= :since",
        since=(today - timedelta(days=5)).isoformat(),
    )
    assert 10 <= unpaid <= 40
    assert scalar(engine, "SELECT count(*) FROM orders WHERE status = 'closed'") > 0
    recent = rows(
        engine,
        "SELECT cancelled_by, cancel_reason FROM orders WHERE status = 'cancelled' AND cancelled_at >= :since",
        since=(today - timedelta(days=14)).isoformat(),
    )
    assert len(recent) >= 8
    assert {by for by, _ in recent} >= {"buyer", "seller"}
    assert all(reason for _, reason in recent)


def test_days_of_cover_on_today(demo_engine: BuiltDemo) -> None:
    """Cover = stock on hand ÷ average daily sales of the last 28 days (cancelled and closed orders left out)."""
    engine, today = demo_engine.engine, demo_engine.today
    sold: dict[int, int] = dict(
        rows(
            engine,
            "SELECT l.sku_id, sum(l.quantity) FROM order_lines l JOIN orders o ON o.id = l.order_id "
            "WHERE o.placed_at >= :since AND o.status NOT IN ('cancelled', 'closed') GROUP BY l.sku_id",
            since=(today - timedelta(days=28)).isoformat(),
        )
    )
    on_hand: dict[int, int] = dict(rows(engine, "SELECT sku_id, sum(on_hand) FROM stock_levels GROUP BY sku_id"))
    cover = {sku: float(stock) / (float(sold[sku]) / 28) for sku, stock in on_hand.items() if sku in sold}
    short = [sku for sku, days in cover.items() if days < 7]
    assert 10 <= len(short) <= 40
    assert sum(1 for sku in short if on_hand[sku] == 0) >= 3
    assert sum(1 for days in cover.values() if days > 150) >= 3
    assert sum(1 for days in cover.values() if 14 <= days <= 90) >= 40
    assert len(demo_engine.summary.short_skus) == len(short)


def test_stock_movements_add_up_to_the_stock_levels(demo_engine: BuiltDemo) -> None:
    mismatched = rows(
        demo_engine.engine,
        "SELECT l.id FROM stock_levels l LEFT JOIN (SELECT warehouse_id, sku_id, sum(quantity) AS total "
        "FROM stock_movements GROUP BY warehouse_id, sku_id) m ON m.warehouse_id = l.warehouse_id "
        "AND m.sku_id = l.sku_id WHERE coalesce(m.total, 0) != l.on_hand",
    )
    assert mismatched == []


def test_the_closed_factory_reopens_after_today(demo_engine: BuiltDemo) -> None:
    engine, today = demo_engine.engine, demo_engine.today
    closed = rows(
        engine,
        "SELECT supplier_id, reopens_on, note FROM supplier_status_reports WHERE status = 'closed' "
        "ORDER BY reported_on DESC",
    )
    assert len(closed) == 1
    _, reopens_on, note = closed[0]
    assert str(reopens_on) > today.isoformat()
    assert "Spring Festival" in str(note)


def test_the_silent_factory_has_unanswered_messages(demo_engine: BuiltDemo) -> None:
    engine, today = demo_engine.engine, demo_engine.today
    silent = rows(engine, "SELECT supplier_id FROM supplier_status_reports WHERE status = 'unknown'")
    assert len(silent) == 1
    supplier_id = silent[0][0]
    last_answer = scalar(
        engine,
        "SELECT max(sent_at) FROM supplier_messages WHERE supplier_id = :s AND direction = 'incoming'",
        s=supplier_id,
    )
    unanswered = scalar(
        engine,
        "SELECT count(*) FROM supplier_messages WHERE supplier_id = :s AND direction = 'outgoing' AND sent_at > :t",
        s=supplier_id,
        t=last_answer,
    )
    assert unanswered >= 3
    assert str(last_answer) < (today - timedelta(days=7)).isoformat()


def test_no_rail_parcel_leaves_after_the_suspension(demo_engine: BuiltDemo) -> None:
    engine, today = demo_engine.engine, demo_engine.today
    suspension = rows(
        engine, "SELECT starts_on FROM disruptions WHERE kind = 'suspended_route' AND method_code = 'RAIL_CN_RU'"
    )
    assert [str(day) for (day,) in suspension] == [(today - timedelta(days=25)).isoformat()]
    late_rail = scalar(
        engine,
        "SELECT count(*) FROM shipments s JOIN shipping_methods m ON m.id = s.method_id "
        "WHERE m.code = 'RAIL_CN_RU' AND s.shipped_at >= :since",
        since=suspension[0][0],
    )
    assert late_rail == 0
    rail_before = scalar(
        engine,
        "SELECT count(*) FROM shipments s JOIN shipping_methods m ON m.id = s.method_id WHERE m.code = 'RAIL_CN_RU'",
    )
    assert rail_before > 50


def test_epacket_is_slower_after_the_flight_cuts(demo_engine: BuiltDemo) -> None:
    engine, today = demo_engine.engine, demo_engine.today
    cut = (today - timedelta(days=40)).isoformat()
    transit = rows(
        engine,
        "SELECT julianday(s.delivered_at) - julianday(s.shipped_at), s.shipped_at >= :cut FROM shipments s "
        "JOIN shipping_methods m ON m.id = s.method_id WHERE m.code = 'EPACKET' AND s.delivered_at IS NOT NULL "
        "AND s.shipped_at >= :since",
        cut=cut,
        since=(today - timedelta(days=120)).isoformat(),
    )
    before = [float(days) for days, after in transit if not after]
    after = [float(days) for days, after in transit if after]
    assert len(after) >= 5
    assert statistics.median(after) > 1.3 * statistics.median(before)


def test_orders_to_the_banned_country_are_held(demo_engine: BuiltDemo) -> None:
    engine, today = demo_engine.engine, demo_engine.today
    ban = rows(engine, "SELECT destination_country, starts_on FROM disruptions WHERE kind = 'import_ban'")
    assert len(ban) == 1
    country, starts_on = ban[0]
    assert str(starts_on) == (today - timedelta(days=15)).isoformat()
    shipped_since = scalar(
        engine,
        "SELECT count(*) FROM orders WHERE destination_country = :c AND shipped_at >= :since",
        c=country,
        since=starts_on,
    )
    assert shipped_since == 0
    held = scalar(
        engine,
        "SELECT count(*) FROM orders WHERE destination_country = :c AND status = 'awaiting_shipment'",
        c=country,
    )
    assert held >= 1


def test_tracking_lines_are_fingerprinted_and_in_carriers_words(demo_engine: BuiltDemo) -> None:
    engine = demo_engine.engine
    with Session(engine) as session:
        from tradewind.logistics.models import TrackingEvent

        events = session.scalars(select(TrackingEvent).order_by(TrackingEvent.id).limit(3_000)).all()
        for event in events:
            expected = f"{event.occurred_at.isoformat()}|{event.code}|{event.raw_text}"
            assert event.fingerprint == hashlib.sha256(expected.encode()).hexdigest()
            assert event.source == "carrier"
    texts = {str(t) for (t,) in rows(engine, "SELECT DISTINCT raw_text FROM tracking_events")}
    for phrase in ("Вручение адресату", "Entregado", "Votre colis est livré", "Objeto entregue ao destinatário"):
        assert phrase in texts
    codes = {str(c) for (c,) in rows(engine, "SELECT DISTINCT code FROM tracking_events")}
    assert {"EMA", "EMC", "EMD", "EMI", "LH_HO_AIRLINE", "CC_IM_SUCCESS"} <= codes
    statuses = {str(s) for (s,) in rows(engine, "SELECT DISTINCT status FROM shipments")}
    assert {"Delivered", "InTransit", "AvailableForPickup", "Exception"} <= statuses


def test_buyers_speak_their_countrys_language(demo_engine: BuiltDemo) -> None:
    expected = {
        "RU": "ru", "BY": "ru", "KZ": "ru", "UA": "uk", "IL": "he", "SA": "ar", "KR": "ko", "JP": "ja",
        "BR": "pt", "PT": "pt", "ES": "es", "MX": "es", "CL": "es", "US": "en", "DE": "de", "FR": "fr",
    }  # fmt: skip
    pairs = rows(demo_engine.engine, "SELECT DISTINCT country, language FROM buyers")
    for country, language in pairs:
        if country in expected:
            assert expected[str(country)] == language


def test_inbound_messages_arrive_triaged(demo_engine: BuiltDemo) -> None:
    engine, today = demo_engine.engine, demo_engine.today
    messages = rows(
        engine,
        "SELECT external_id, received_at, language, intent, order_id, buyer_id, triage_model, language_confidence "
        "FROM inbound_messages",
    )
    assert len({m[0] for m in messages}) == len(messages)
    assert all(m[3] is not None and m[6] is not None and m[7] is not None for m in messages)
    assert sum(m[2] is not None for m in messages) >= len(messages) - 2  # a message of digits alone has no language
    assert all(m[4] is not None and m[5] is not None for m in messages)
    assert all(str(m[1]) >= (today - timedelta(days=3)).isoformat() for m in messages)
    scripts = {str(t)[0] for (t,) in rows(engine, "SELECT text FROM inbound_messages")}
    assert len(scripts) >= 4


def test_progress_is_reported_to_the_end(demo_engine: BuiltDemo) -> None:
    calls = demo_engine.progress
    assert calls
    assert all(0 <= done <= total for _, done, total in calls)
    assert calls[-1][1] == calls[-1][2]


def test_a_second_demo_shop_is_refused_unless_replaced(demo_engine: BuiltDemo) -> None:
    with Session(demo_engine.engine) as session:
        with pytest.raises(ConflictError, match="fresh --db"):
            build_demo_shop(session, today=demo_engine.today)
        summary = build_demo_shop(session, today=demo_engine.today, replace=True)
        assert summary.counts["orders"] == demo_engine.summary.counts["orders"]
        assert session.execute(text("SELECT count(*) FROM shops")).scalar() == 1
        session.rollback()


def test_builds_inside_the_callers_transaction(session: Session) -> None:
    """On SQLite and PostgreSQL: nothing is committed, and the id sequences move past the demo's rows."""
    from tradewind.shops.service import create_shop

    if session.scalar(text("SELECT count(*) FROM shops WHERE code = 'demo'")):
        pytest.skip("the shared database already holds a demo shop")
    summary = build_demo_shop(session, today=datetime(2024, 9, 3, tzinfo=UTC).date())
    written = session.scalar(text("SELECT count(*) FROM orders WHERE shop_id = :s"), {"s": summary.shop_id})
    assert written == summary.counts["orders"]
    other = create_shop(session, code="after-demo", name="A shop made after the demo")
    assert other.id > summary.shop_id
