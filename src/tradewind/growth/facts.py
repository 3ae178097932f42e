"""The records growth judges a shop by, read once per report as columns: orders (with disputes and negative
feedback) and shipments with their first carrier scan as NumPy arrays (instants in whole microseconds since 1970 UTC,
days as day numbers since 1970-01-01 in the shop's time zone), buyer messages and their replies, listings. The
metrics count over the arrays: no Python object per order or parcel. Read only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any, NamedTuple

import numpy as np
from sqlalchemy import Float, and_, case, cast, func, or_, select
from sqlalchemy.orm import Session

from tradewind.catalog.models import Listing, Sku
from tradewind.db.stores import epoch_days, epoch_microseconds
from tradewind.logistics.models import Shipment, TrackingStatus
from tradewind.messaging.models import InboundMessage
from tradewind.orders.models import CancelledBy, Dispute, Feedback, Order, OrderStatus, PaymentState
from tradewind.orders.service import OPEN, STALE_ORDER_DAYS, stale_cutoff
from tradewind.shops.models import Shop
from tradewind.shops.service import shop_zone

# A missing day or instant in an integer column (no ship-by day, not shipped, never scanned, no buyer): below any
# real value, so a window's `start <= x` leaves it out.
MISSING = -(2**62)


@dataclass(frozen=True)
class OrderFacts:
    """The chosen orders as columns, in the order of their ids. Days are day numbers (`day_number`)."""

    ids: np.ndarray  # int64
    numbers: np.ndarray  # object: the order numbers (str)
    placed_us: np.ndarray  # int64: placed_at in microseconds since 1970 UTC
    placed_on: np.ndarray  # int64: the shop-local day it was placed on
    shipped_on: np.ndarray  # int64: the shop-local day of its shipping instant, MISSING when not shipped
    ship_by: np.ndarray  # int64: MISSING when none
    protection_ends_on: np.ndarray  # int64: MISSING when none
    buyer: np.ndarray  # int64: MISSING when none
    paid: np.ndarray  # bool: paid_at set or a payment state other than unpaid
    # A paid order that was neither cancelled nor refunded in full: what counts as a sale and as GMV.
    sale: np.ndarray
    awaiting: np.ndarray  # status awaiting shipment
    shipped: np.ndarray  # status shipped
    delivered: np.ndarray  # delivered_at set
    seller_cancelled: np.ndarray
    disputed: np.ndarray
    negative_feedback: np.ndarray
    # Open far past the platform's life of an order: a record to close, not an order that can still go wrong.
    stale: np.ndarray
    currencies: tuple[str, ...]
    currency: np.ndarray  # int64: index into `currencies`
    # The total in ten-thousandths (the column's 4 decimals) as integers, or None when a stored total is not one
    # (then `totals` holds them as the database hands them).
    total_units: np.ndarray | None
    totals: tuple[Decimal, ...] | None

    @property
    def defect(self) -> np.ndarray:
        defect: np.ndarray = self.disputed | self.negative_feedback | self.seller_cancelled
        return defect

    def total(self, index: int) -> Decimal:
        """One order's total as the database hands it (Numeric(18, 4))."""
        if self.totals is not None:
            return self.totals[index]
        assert self.total_units is not None
        return Decimal(int(self.total_units[index])).scaleb(-4)


@dataclass(frozen=True)
class ShipmentFacts:
    """The parcels shipped in the lookback, as columns in the order of their ids."""

    labels: np.ndarray  # object: the order's number when the order is among the facts' orders, else the tracking number
    tracking_numbers: np.ndarray  # object
    shipped_us: np.ndarray  # int64
    first_scan_us: np.ndarray  # int64: MISSING when never scanned
    carrier_seen: np.ndarray  # bool
    shipped_on: np.ndarray  # int64 day number


class MessageFact(NamedTuple):
    order_number: str | None
    received_at: datetime
    answered_at: datetime | None
    received_on: date  # local_day(received_at)


@dataclass(frozen=True)
class EarlySales:
    """The sales of the shop's first days that no window reads (placed before the lookback, not open, not shipped
    in it), counted and summed in the database per UTC hour: all that the milestones ask of them. Each hour lies
    within one shop-local day; the totals are USD, in ten-thousandths, none negative."""

    hour_us: np.ndarray  # int64: the hour's start, microseconds since 1970 UTC
    day: np.ndarray  # int64: its shop-local day number
    count: np.ndarray  # int64
    units: np.ndarray  # int64


NO_EARLY_SALES = EarlySales(*(np.zeros(0, dtype=np.int64) for _ in range(4)))


@dataclass(frozen=True)
class ShopFacts:
    zone: tzinfo
    opened_on: date | None
    orders: OrderFacts
    shipments: ShipmentFacts
    messages: list[MessageFact]
    listings: int
    first_listed_on: date | None
    # The milestones' sales not among `orders` (then every currency is USD and no total negative among the sales).
    early_sales: EarlySales = NO_EARLY_SALES


def day_start(day: date, zone: tzinfo) -> datetime:
    """Midnight at the start of `day` in the shop's time zone, in UTC."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def local_day(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_DAY = 86400
_SECOND = 1_000_000


def day_number(day: date) -> int:
    """A day as the facts' columns hold it: days since 1970-01-01."""
    return day.toordinal() - _EPOCH_ORDINAL


def day_of(number: int) -> date:
    return date.fromordinal(_EPOCH_ORDINAL + number)


def microseconds(moment: datetime) -> int:
    """An instant as the facts' columns hold it: whole microseconds since 1970 UTC (naive is UTC)."""
    delta = _aware(moment) - _EPOCH
    return (delta.days * _DAY + delta.seconds) * _SECOND + delta.microseconds


def local_day_numbers(instants: np.ndarray, zone: tzinfo) -> np.ndarray:
    """`local_day` of each instant (microseconds since 1970 UTC) as a day number; MISSING stays MISSING. The zone's
    UTC offset is looked up once per distinct UTC day, at its first and last second; where the two differ (a day on
    which the zone changes its offset) that day's instants are converted one by one."""
    days = np.full(len(instants), MISSING, dtype=np.int64)
    present = np.flatnonzero(instants != MISSING)
    if not len(present):
        return days
    seconds = np.floor_divide(instants[present], _SECOND)
    utc_days, utc_day_of = np.unique(np.floor_divide(seconds, _DAY), return_inverse=True)
    offsets = np.empty(len(utc_days), dtype=np.int64)
    steady = np.ones(len(utc_days), dtype=bool)
    for k, utc_day in enumerate(utc_days.tolist()):
        first, last = _offset(utc_day * _DAY, zone), _offset(utc_day * _DAY + _DAY - 1, zone)
        offsets[k] = first
        steady[k] = first == last
    local = np.floor_divide(seconds + offsets[utc_day_of], _DAY)
    for position in np.flatnonzero(~steady[utc_day_of]).tolist():
        moment = datetime.fromtimestamp(int(seconds[position]), UTC)
        local[position] = day_number(local_day(moment, zone))
    days[present] = local
    return days


def local_days(moments: Sequence[datetime | None], zone: tzinfo) -> list[date | None]:
    """`local_day` of each instant (None stays None; naive is UTC), over arrays (`local_day_numbers`)."""
    instants = np.fromiter(
        (MISSING if m is None else microseconds(m) for m in moments), dtype=np.int64, count=len(moments)
    )
    numbers = local_day_numbers(instants, zone)
    distinct = {n: day_of(n) for n in np.unique(numbers[numbers != MISSING]).tolist()}
    return [None if n == MISSING else distinct[n] for n in numbers.tolist()]


def _offset(second: int, zone: tzinfo) -> int:
    offset = datetime.fromtimestamp(second, zone).utcoffset()
    assert offset is not None
    return int(offset.total_seconds())


def _ints(values: Sequence[Any]) -> np.ndarray:
    return np.array(values, dtype=np.int64).reshape(-1)


def _codes(values: Sequence[str]) -> tuple[tuple[str, ...], np.ndarray]:
    """The distinct values (sorted) and each value's index among them, without sorting an array of strings (a shop
    sells in one or a few currencies)."""
    names = tuple(sorted(set(values)))
    if len(names) <= 1:
        return names, np.zeros(len(values), dtype=np.int64)
    index = {name: i for i, name in enumerate(names)}
    return names, np.fromiter((index[v] for v in values), dtype=np.int64, count=len(values))


def _or_missing(column: Any) -> Any:
    return func.coalesce(column, MISSING)


def _flag(condition: Any, bit: int) -> Any:
    return case((condition, bit), else_=0)


# The bits of an order's flags column (worked out by the database, one integer per order).
_PAID, _SALE, _AWAITING, _SHIPPED, _OPEN, _DELIVERED, _SELLER_CANCELLED = (1 << n for n in range(7))


def load_facts(
    session: Session,
    *,
    shop: Shop,
    today: date,
    lookback_days: int,
    milestone_days: int,
    negative_rating: int = 2,
    stale_days: int = STALE_ORDER_DAYS,
) -> ShopFacts:
    """The shop's records for the metrics' windows (`lookback_days` before today) and for its first
    `milestone_days` after opening; open orders `stale_days` past their ship-by day are marked stale. The sales of
    the first days that no window reads come as `EarlySales` (per hour) when they can: in USD, none negative."""
    zone = shop_zone(shop)
    recent = day_start(today - timedelta(days=lookback_days), zone)
    end = day_start(today + timedelta(days=1), zone)
    # Open orders count whenever placed: they are what the projections are about.
    open_now = Order.status.in_((OrderStatus.AWAITING_SHIPMENT, OrderStatus.SHIPPED))
    windows = or_(Order.placed_at >= recent, open_now)
    shop_orders = (Order.shop_id == shop.id, Order.placed_at < end)
    # Columns, not records: integers worked out by the database (instants in microseconds, days as numbers, the
    # order's states as bits), read on the session's connection after the flush the session would do.
    session.flush()
    db = session.connection()
    early_range = None
    if shop.opened_on is not None and milestone_days > 0:
        opened = day_start(shop.opened_on, zone)
        early_range = and_(Order.placed_at >= opened, Order.placed_at < opened + timedelta(days=milestone_days))
    early_labels = None
    if early_range is None:
        orders = _read_orders(db, zone, today, (*shop_orders, windows), negative_rating, stale_days, shop.id)
        early = NO_EARLY_SALES
    else:
        # The first days' orders that a window may read (shipped in the lookback) one by one; the others' sales
        # per hour, when those hours and totals allow it.
        shipped_recently = Order.shipped_at >= recent
        orders = _read_orders(
            db,
            zone,
            today,
            (*shop_orders, or_(windows, and_(early_range, shipped_recently))),
            negative_rating,
            stale_days,
            shop.id,
        )
        only_early = (
            *shop_orders,
            early_range,
            Order.placed_at < recent,
            ~open_now,
            or_(Order.shipped_at.is_(None), Order.shipped_at < recent),
        )
        found = _early_sales(db, zone, only_early) if _usd_sales(orders) else None
        if found is None:
            orders = _read_orders(
                db, zone, today, (*shop_orders, or_(windows, early_range)), negative_rating, stale_days, shop.id
            )
            early = NO_EARLY_SALES
        else:
            early, early_labels = found, (*shop_orders, early_range)
    order_ids = orders.ids
    numbers = orders.numbers
    unscanned = (TrackingStatus.PENDING, TrackingStatus.UNKNOWN, TrackingStatus.EXPIRED)
    parcels = db.execute(
        select(
            Shipment.tracking_number,
            _or_missing(Shipment.order_id),
            epoch_microseconds(Shipment.shipped_at),
            _or_missing(epoch_microseconds(Shipment.first_scan_at)),
            case(
                (
                    or_(
                        Shipment.first_scan_at.is_not(None),
                        Shipment.last_event_at.is_not(None),
                        Shipment.status.not_in(unscanned),
                    ),
                    1,
                ),
                else_=0,
            ),
        )
        .where(Shipment.shop_id == shop.id, Shipment.shipped_at >= recent, Shipment.shipped_at < end)
        .order_by(Shipment.id)
    ).all()
    tracking, parcel_order, parcel_shipped, first_scan, seen = zip(*parcels, strict=True) if parcels else ((),) * 5
    tracking_numbers = np.array(tracking, dtype=object)
    received = db.execute(
        select(InboundMessage.order_id, InboundMessage.received_at, InboundMessage.answered_at)
        .where(
            InboundMessage.shop_id == shop.id,
            InboundMessage.received_at >= recent,
            InboundMessage.received_at < end,
        )
        .order_by(InboundMessage.id)
    ).all()
    parcel_orders = _ints(parcel_order)
    # Parcels and messages name an order by its number when it is among the facts' orders or the first days'
    # orders counted per hour (those are read by id), else by the tracking number or the time received.
    label_ids, label_numbers = order_ids, numbers
    if early_labels is not None:
        named = np.concatenate((parcel_orders, _ints([m.order_id for m in received if m.order_id])))
        wanted = np.setdiff1d(named[named != MISSING], order_ids)
        if len(wanted):
            extra = _numbers_of(db, wanted, early_labels)
            label_ids = np.concatenate((order_ids, extra[0]))
            label_numbers = np.concatenate((numbers, extra[1]))
            by_id = np.argsort(label_ids, kind="stable")
            label_ids, label_numbers = label_ids[by_id], label_numbers[by_id]
    at = np.minimum(np.searchsorted(label_ids, parcel_orders), max(len(label_ids) - 1, 0))
    known = np.zeros(len(parcel_orders), dtype=bool)
    if len(label_ids):
        known = (parcel_orders != MISSING) & (label_ids[at] == parcel_orders)
    labels = tracking_numbers.copy()
    labels[known] = label_numbers[at[known]]
    parcel_instants = _ints(parcel_shipped)
    shipments = ShipmentFacts(
        labels=labels,
        tracking_numbers=tracking_numbers,
        shipped_us=parcel_instants,
        first_scan_us=_ints(first_scan),
        carrier_seen=_ints(seen) != 0,
        shipped_on=local_day_numbers(parcel_instants, zone),
    )
    number_of = dict(zip(label_ids.tolist(), label_numbers.tolist(), strict=True))
    messages = [
        MessageFact(number_of.get(m.order_id) if m.order_id else None, m.received_at, m.answered_at, day)
        for m, day in zip(received, local_days([m.received_at for m in received], zone), strict=True)
        if day is not None
    ]
    listings, first_listed = db.execute(
        select(func.count(Listing.id), func.min(Sku.created_at))
        .join(Sku, Sku.id == Listing.sku_id)
        .where(Listing.shop_id == shop.id)
    ).one()
    first_listed_on = local_day(_aware(first_listed), zone) if first_listed is not None else None
    return ShopFacts(zone, shop.opened_on, orders, shipments, messages, int(listings or 0), first_listed_on, early)


def _paid() -> Any:
    return or_(Order.paid_at.is_not(None), Order.payment_state != PaymentState.UNPAID)


def _sale() -> Any:
    return and_(
        _paid(),
        Order.payment_state != PaymentState.REFUNDED,
        Order.status.not_in((OrderStatus.CANCELLED, OrderStatus.CLOSED)),
    )


def _read_orders(
    db: Any,
    zone: tzinfo,
    today: date,
    where: tuple[Any, ...],
    negative_rating: int,
    stale_days: int,
    shop_id: int,
) -> OrderFacts:
    """The orders matching `where` as columns, in the order of their ids."""
    flags = (
        _flag(_paid(), _PAID)
        + _flag(_sale(), _SALE)
        + _flag(Order.status == OrderStatus.AWAITING_SHIPMENT, _AWAITING)
        + _flag(Order.status == OrderStatus.SHIPPED, _SHIPPED)
        + _flag(Order.status.in_(OPEN), _OPEN)
        + _flag(Order.delivered_at.is_not(None), _DELIVERED)
        + _flag(
            and_(Order.status == OrderStatus.CANCELLED, Order.cancelled_by == CancelledBy.SELLER), _SELLER_CANCELLED
        )
    )
    rows = db.execute(
        select(
            Order.id,
            Order.number,
            epoch_microseconds(Order.placed_at),
            _or_missing(epoch_microseconds(Order.shipped_at)),
            _or_missing(epoch_days(Order.ship_by)),
            _or_missing(epoch_days(Order.protection_ends_on)),
            _or_missing(Order.buyer_id),
            flags,
            Order.currency,
            cast(Order.total, Float),
        )
        .where(*where)
        .order_by(Order.id)
    ).all()
    ids, numbers, placed_us, shipped_us, ship_by, protection, buyer, bits, currency, total = (
        zip(*rows, strict=True) if rows else ((),) * 10
    )
    order_ids = _ints(ids)
    # The shop's disputed and negatively rated orders (those among the chosen ones are marked: no join needed).
    disputed = _ints(db.scalars(select(Dispute.order_id).where(Dispute.shop_id == shop_id)).all())
    negative = _ints(
        db.scalars(
            select(Feedback.order_id).where(Feedback.shop_id == shop_id, Feedback.rating <= negative_rating)
        ).all()
    )
    flag = _ints(bits)
    placed_on = local_day_numbers(_ints(placed_us), zone)
    ship_by_days = _ints(ship_by)
    is_open = (flag & _OPEN) != 0
    # Stale: open, and its ship-by day (its placing day when it has none) before the cutoff.
    due = np.where(ship_by_days != MISSING, ship_by_days, placed_on)
    stale = is_open & (due < day_number(stale_cutoff(today, stale_days)))
    currencies, currency_of = _codes(currency)
    units, totals = _total_units(total, db, order_ids)
    return OrderFacts(
        ids=order_ids,
        numbers=np.array(numbers, dtype=object),
        placed_us=_ints(placed_us),
        placed_on=placed_on,
        shipped_on=local_day_numbers(_ints(shipped_us), zone),
        ship_by=ship_by_days,
        protection_ends_on=_ints(protection),
        buyer=_ints(buyer),
        paid=(flag & _PAID) != 0,
        sale=(flag & _SALE) != 0,
        awaiting=(flag & _AWAITING) != 0,
        shipped=(flag & _SHIPPED) != 0,
        delivered=(flag & _DELIVERED) != 0,
        seller_cancelled=(flag & _SELLER_CANCELLED) != 0,
        disputed=np.isin(order_ids, disputed),
        negative_feedback=np.isin(order_ids, negative),
        stale=stale,
        currencies=currencies,
        currency=currency_of,
        total_units=units,
        totals=totals,
    )


def _usd_sales(orders: OrderFacts) -> bool:
    """Whether the orders' sales are all in USD with whole totals in ten-thousandths, none negative: what lets the
    milestones add early sales per hour to them (`money` and `_reached_on` add such sales as integers)."""
    units = orders.total_units
    if units is None:
        return False
    sales = orders.sale
    names = [orders.currencies[c] for c in np.unique(orders.currency[sales]).tolist()]
    return all(name == "USD" for name in names) and not bool((units[sales] < 0).any())


def _numbers_of(db: Any, ids: np.ndarray, where: tuple[Any, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The ids and numbers of the orders among `ids` (sorted) that match `where`, a thousand ids at a time."""
    found: list[tuple[int, str]] = []
    for at in range(0, len(ids), 1000):
        chunk = ids[at : at + 1000].tolist()
        found.extend(db.execute(select(Order.id, Order.number).where(Order.id.in_(chunk), *where)).all())
    return _ints([i for i, _ in found]), np.array([n for _, n in found], dtype=object)


_HOUR = 3600
_HOUR_US = 3_600_000_000


def _early_sales(db: Any, zone: tzinfo, where: tuple[Any, ...]) -> EarlySales | None:
    """The sales matching `where` counted and summed per UTC hour and currency by the database, or None when that
    would not be exact: a currency other than USD, a total that is not whole in ten-thousandths or is negative, an
    hour across two shop-local days (a zone whose offset is not whole hours, or changes within the hour)."""
    if db.dialect.name == "sqlite":
        # SQLite keeps an instant as 'YYYY-MM-DD HH:MM:SS.ffffff': its first 13 characters name the hour.
        hour: Any = func.substr(Order.placed_at, 1, 13)
    else:
        hour = epoch_microseconds(Order.placed_at) / _HOUR_US
    scaled = cast(Order.total, Float) * 10_000
    rows = db.execute(
        select(
            hour,
            Order.currency,
            func.count(),
            func.sum(func.round(scaled)),
            func.max(func.abs(scaled - func.round(scaled))),
            func.min(Order.total),
        )
        .where(*where, _sale())
        .group_by(hour, Order.currency)
        .order_by(hour)
    ).all()
    if not rows:
        return NO_EARLY_SALES
    starts: list[int] = []
    days: list[int] = []
    counts: list[int] = []
    units: list[int] = []
    for key, currency, count, whole, off, least in rows:
        if currency != "USD" or float(off) >= 0.25 or least < 0 or abs(float(whole)) >= 2**52:
            return None
        second = (
            int(datetime.fromisoformat(f"{key}:00:00").replace(tzinfo=UTC).timestamp())
            if isinstance(key, str)
            else int(key) * _HOUR
        )
        first, last = _offset(second, zone), _offset(second + _HOUR - 1, zone)
        day = (second + first) // _DAY
        if first != last or (second + _HOUR - 1 + first) // _DAY != day:
            return None
        starts.append(second * _SECOND)
        days.append(day)
        counts.append(int(count))
        units.append(int(whole))
    return EarlySales(_ints(starts), _ints(days), _ints(counts), _ints(units))


def _total_units(
    totals: Sequence[float | Decimal], db: Any, order_ids: np.ndarray
) -> tuple[np.ndarray | None, tuple[Decimal, ...] | None]:
    """The totals (read as floats) in ten-thousandths, exactly as the Numeric(18, 4) column hands them: within a
    quarter of a unit of a whole number, the float is that decimal (SQLite keeps the column as a float and
    SQLAlchemy reads it to 4 places; PostgreSQL's numeric fits a float to far more places than these totals have).
    Otherwise the totals are read as decimals, one per order."""
    scaled = np.array(totals, dtype=np.float64).reshape(-1) * 10_000
    units = np.rint(scaled)
    if bool(np.all(np.abs(scaled - units) < 0.25)) and bool(np.all(np.abs(units) < 2**52)):
        return units.astype(np.int64), None
    read = dict(db.execute(select(Order.id, Order.total).where(Order.id.in_(order_ids.tolist()))).all())
    return None, tuple(read[i] for i in order_ids.tolist())


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
