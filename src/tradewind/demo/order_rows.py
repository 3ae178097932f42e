"""Turn the simulated order book into rows: buyers, orders and lines, shipments with the carriers' tracking
lines, disputes and feedback; written in chunks so that a 100× shop never holds all its rows at once."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from decimal import Decimal

import numpy as np

from tradewind.db.base import Base
from tradewind.demo.carriers import DELIVERED, METHODS, RAIL, STAGES, tracking_line, tracking_number
from tradewind.demo.catalog import Catalog
from tradewind.demo.geography import DESTINATIONS, EXCHANGE_OFFICES, NAMES, RAIL_BORDER, display_family
from tradewind.demo.orders import (
    CANCEL_REASONS,
    DAY,
    DISPUTE_REASONS,
    OrderBook,
    promised_days,
)
from tradewind.demo.story import DemoStory
from tradewind.demo.voices import FEEDBACK
from tradewind.demo.writer import BulkWriter, Row
from tradewind.logistics.models import Shipment, TrackingEvent, TrackingStatus
from tradewind.orders.models import (
    Buyer,
    CancelledBy,
    Dispute,
    DisputeState,
    Feedback,
    Order,
    OrderLine,
    OrderStatus,
    PaymentState,
)

ORDER_CHUNK = 10_000
ORDERS_STAGE = "orders, parcels, tracking"
# A parcel without news for this long is "Expired" (AfterShip's word): the lost ones of long ago.
EXPIRED_AFTER_DAYS = 45
STATUS_VALUES = (
    OrderStatus.PLACED,
    OrderStatus.AWAITING_SHIPMENT,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.CANCELLED,
    OrderStatus.CLOSED,
)
PAYMENT_VALUES = (PaymentState.UNPAID, PaymentState.PAID, PaymentState.PARTIALLY_REFUNDED, PaymentState.REFUNDED)
DISPUTE_VALUES = (DisputeState.OPEN, DisputeState.RESOLVED_BUYER, DisputeState.RESOLVED_SELLER)
CENT = Decimal("0.01")


class Clock:
    """Seconds from the history start as aware UTC datetimes and dates."""

    def __init__(self, story: DemoStory) -> None:
        self.start = story.history_start
        self.first_day = story.first_day

    def at(self, seconds: float) -> datetime | None:
        if np.isnan(seconds):
            return None
        return self.start + timedelta(seconds=int(seconds))

    def day(self, days: int) -> date:
        return self.first_day + timedelta(days=int(days))


def fingerprint(occurred_at: datetime, code: str | None, raw_text: str) -> str:
    return hashlib.sha256(f"{occurred_at.isoformat()}|{code}|{raw_text}".encode()).hexdigest()


def write_buyers(writer: BulkWriter, rng: np.random.Generator, book: OrderBook, *, shop_id: int) -> int:
    """One row per buyer (first order decides the country); returns the first buyer id."""
    first_id = writer.reserve_ids(Buyer, book.buyer_count)
    country = np.zeros(book.buyer_count, dtype=np.int64)
    country[book.buyer[::-1]] = book.country[::-1]
    picks = rng.integers(0, 1_000_000, size=(book.buyer_count, 5))
    rows: list[Row] = []
    for b in range(book.buyer_count):
        where = DESTINATIONS[int(country[b])]
        names = NAMES[where.language]
        pick = picks[b]
        woman = pick[0] % 100 < 65
        given_list, latin_list = (names.women, names.women_latin) if woman else (names.men, names.men_latin)
        family_list = names.family_women if woman else names.family_men
        g = int(pick[1]) % len(given_list)
        family = display_family(family_list[int(pick[2]) % len(family_list)])
        given = given_list[g]
        if where.language == "ko":
            name = f"{family}{given}"
        elif where.language == "ja":
            name = f"{family} {given}"
        else:
            name = f"{given} {family}"
        suffix = 1970 + int(pick[3]) % 36 if pick[3] % 2 else int(pick[3]) % 1000
        domain = where.email_domains[int(pick[4]) % len(where.email_domains)]
        rows.append(
            {
                "id": first_id + b,
                "shop_id": shop_id,
                "external_id": f"{where.country.lower()}{1_087_000_000 + b * 97 + int(pick[4]) % 97}",
                "name": name,
                "email": f"{latin_list[g]}.{suffix}@{domain}",
                "country": where.country,
                "language": where.language,
            }
        )
    writer.write(Buyer, rows)
    return first_id


def write_orders(
    writer: BulkWriter,
    rng: np.random.Generator,
    book: OrderBook,
    catalog: Catalog,
    story: DemoStory,
    *,
    shop_id: int,
    first_buyer_id: int,
    method_ids: list[int],
) -> int:
    """Write orders, lines, shipments, tracking lines, disputes and feedback; returns the first order id."""
    clock = Clock(story)
    expired_before = story.cutoff - timedelta(days=EXPIRED_AFTER_DAYS)
    n = book.size
    order_first = writer.reserve_ids(Order, n)
    line_first = writer.reserve_ids(OrderLine, len(book.skeleton.line_sku))
    shipped = np.flatnonzero(~np.isnan(book.shipped))
    shipment_of_order = np.full(n, -1, dtype=np.int64)
    shipment_of_order[shipped] = np.arange(len(shipped))
    shipment_first = writer.reserve_ids(Shipment, len(shipped))
    serials = 10_000_000 + np.arange(len(shipped), dtype=np.int64) * 37 + rng.integers(0, 37, len(shipped))
    city_pick = rng.integers(0, 1_000, n)
    feedback_pick = rng.integers(0, 1_000, n)
    promised = promised_days(book)
    placed_day = np.floor(book.skeleton.placed / DAY).astype(np.int64)
    writer.report(ORDERS_STAGE, 0, n)
    for start in range(0, n, ORDER_CHUNK):
        stop = min(n, start + ORDER_CHUNK)
        orders: list[Row] = []
        lines: list[Row] = []
        shipments: list[Row] = []
        events: list[Row] = []
        disputes: list[Row] = []
        feedback: list[Row] = []
        for i in range(start, stop):
            order_id = order_first + i
            where = DESTINATIONS[int(book.country[i])]
            method = METHODS[int(book.method[i])]
            subtotal = Decimal(0)
            first_line = int(book.skeleton.line_start[i])
            for k in range(int(book.skeleton.line_count[i])):
                sku = int(book.skeleton.line_sku[first_line + k])
                quantity = int(book.skeleton.line_quantity[first_line + k])
                price = catalog.sku_price[sku]
                subtotal += price * quantity
                lines.append(
                    {
                        "id": line_first + first_line + k,
                        "shop_id": shop_id,
                        "order_id": order_id,
                        "line_no": k + 1,
                        "sku_id": int(catalog.sku_ids[sku]),
                        "quantity": quantity,
                        "unit_price": price,
                    }
                )
            fee = Decimal(str(book.shipping_fee[i])).quantize(CENT)
            reason = int(book.cancel_reason[i])
            orders.append(
                {
                    "id": order_id,
                    "shop_id": shop_id,
                    "number": str(int(book.number[i])),
                    "channel": "aliexpress",
                    "buyer_id": first_buyer_id + int(book.buyer[i]),
                    "placed_at": clock.at(book.skeleton.placed[i]),
                    "paid_at": clock.at(book.paid[i]),
                    "payment_state": PAYMENT_VALUES[int(book.payment[i])],
                    "status": STATUS_VALUES[int(book.status[i])],
                    "currency": "USD",
                    "total": subtotal + fee,
                    "shipping_total": fee,
                    "destination_country": where.country,
                    "shipping_method": method.code,
                    "ship_by": clock.day(placed_day[i] + book.handling_days[i]),
                    "promised_delivery_on": clock.day(promised[i]),
                    "protection_ends_on": clock.day(promised[i] + 15),
                    "shipped_at": clock.at(book.shipped[i]),
                    "delivered_at": clock.at(book.delivered[i]),
                    "cancelled_at": clock.at(book.cancelled[i]),
                    "cancelled_by": CancelledBy(CANCEL_REASONS[reason][0]) if reason >= 0 else None,
                    "cancel_reason": CANCEL_REASONS[reason][1] if reason >= 0 else None,
                    "warehouse_code": "ES-MAD" if book.overseas[i] else "CN-YIWU",
                }
            )
            s = int(shipment_of_order[i])
            if s >= 0:
                city = where.cities[int(city_pick[i]) % len(where.cities)]
                exchange = RAIL_BORDER if int(book.method[i]) == RAIL else EXCHANGE_OFFICES[where.country]
                shipment_events = _tracking_rows(
                    book,
                    i,
                    clock,
                    shop_id=shop_id,
                    shipment_id=shipment_first + s,
                    method_index=int(book.method[i]),
                    city=city,
                    exchange=exchange,
                )
                events.extend(shipment_events)
                last = shipment_events[-1] if shipment_events else None
                quantity_total = int(
                    book.skeleton.line_quantity[first_line : first_line + int(book.skeleton.line_count[i])].sum()
                )
                shipments.append(
                    {
                        "id": shipment_first + s,
                        "shop_id": shop_id,
                        "order_id": order_id,
                        "method_id": method_ids[int(book.method[i])],
                        "tracking_number": tracking_number(method, int(serials[s]), where.country),
                        "origin_country": "ES" if book.overseas[i] else "CN",
                        "destination_country": where.country,
                        "shipped_at": clock.at(book.shipped[i]),
                        "first_scan_at": shipment_events[0]["occurred_at"] if shipment_events else None,
                        "delivered_at": clock.at(book.timeline[i, DELIVERED]),
                        "status": _shipment_status(last, expired_before),
                        "last_event_at": last["occurred_at"] if last else None,
                        "cost": Decimal(str(round(method.cost * (1 + 0.15 * (quantity_total - 1)), 2))).quantize(CENT),
                        "currency": "USD",
                    }
                )
            if book.dispute_reason[i] >= 0:
                disputes.append(
                    {
                        "shop_id": shop_id,
                        "order_id": order_id,
                        "opened_at": clock.at(book.dispute_opened[i]),
                        "reason": DISPUTE_REASONS[int(book.dispute_reason[i])],
                        "state": DISPUTE_VALUES[int(book.dispute_state[i])],
                        "closed_at": clock.at(book.dispute_closed[i]),
                    }
                )
            if book.rating[i] > 0:
                happy, unhappy = FEEDBACK.get(where.language, FEEDBACK["en"])
                texts = happy if book.rating[i] >= 4 else unhappy
                pick = int(feedback_pick[i])
                left_at = clock.at(book.rated_at[i])
                feedback.append(
                    {
                        "shop_id": shop_id,
                        "order_id": order_id,
                        "left_at": left_at,
                        "rating": int(book.rating[i]),
                        "text": texts[pick % len(texts)] if pick % 2 == 0 else None,
                        "created_at": left_at,
                    }
                )
        _number(writer, Dispute, disputes)
        _number(writer, Feedback, feedback)
        writer.write(Order, orders)
        writer.write(OrderLine, lines)
        writer.write(Shipment, shipments)
        _number(writer, TrackingEvent, events)
        writer.write(TrackingEvent, events)
        writer.write(Dispute, disputes)
        writer.write(Feedback, feedback)
        writer.report(ORDERS_STAGE, stop, n)
    return order_first


def _shipment_status(last: Row | None, expired_before: datetime) -> TrackingStatus:
    """The status of the latest tracking line; Expired when a parcel was not delivered and went quiet long ago."""
    if last is None:
        return TrackingStatus.PENDING
    status: TrackingStatus = last["status"]
    if status != TrackingStatus.DELIVERED and last["occurred_at"] < expired_before:
        return TrackingStatus.EXPIRED
    return status


def _number(writer: BulkWriter, table: type[Base], rows: list[Row]) -> None:
    """Give rows their ids once it is known how many there are."""
    first = writer.reserve_ids(table, len(rows))
    for offset, row in enumerate(rows):
        row["id"] = first + offset


def _tracking_rows(
    book: OrderBook,
    i: int,
    clock: Clock,
    *,
    shop_id: int,
    shipment_id: int,
    method_index: int,
    city: str,
    exchange: str,
) -> list[Row]:
    where = DESTINATIONS[int(book.country[i])]
    method = METHODS[method_index]
    rows: list[Row] = []
    for stage in range(STAGES):
        seconds = book.timeline[i, stage]
        if np.isnan(seconds):
            continue
        occurred_at = clock.at(seconds)
        assert occurred_at is not None
        line = tracking_line(
            stage, method=method, country=where.country, country_zh=where.name_zh, city=city, exchange_city=exchange
        )
        rows.append(
            {
                "shop_id": shop_id,
                "shipment_id": shipment_id,
                "occurred_at": occurred_at,
                "code": line.code,
                "raw_text": line.text,
                "location": line.location,
                "status": line.status,
                "substatus": line.substatus,
                "source": "carrier",
                "fingerprint": fingerprint(occurred_at, line.code, line.text),
            }
        )
    return rows
