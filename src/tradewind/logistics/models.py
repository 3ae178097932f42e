"""Shipping methods, shipments, tracking events (the carrier's raw text and our normalised status),
disruptions (import bans, suspended routes, cut flights) with their dates and source, the seller's follow-ups on
parcels (chased the carrier, reminded the buyer, extended buyer protection, held or re-routed orders) and the
default shipping method per destination."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tradewind.db.base import Base, ShopOwned, str_enum, utcnow


class ShippingMethod(ShopOwned, Base):
    __tablename__ = "shipping_methods"
    __table_args__ = (UniqueConstraint("shop_id", "code"),)

    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    carrier: Mapped[str] = mapped_column(String(100))
    mode: Mapped[str] = mapped_column(String(16), default="air")  # air, rail, sea, road, local
    tracked: Mapped[bool] = mapped_column(default=True)


class TrackingStatus(enum.StrEnum):
    """AfterShip's tags, plus Unknown for text we cannot place."""

    PENDING = "Pending"
    INFO_RECEIVED = "InfoReceived"
    IN_TRANSIT = "InTransit"
    OUT_FOR_DELIVERY = "OutForDelivery"
    ATTEMPT_FAIL = "AttemptFail"
    DELIVERED = "Delivered"
    AVAILABLE_FOR_PICKUP = "AvailableForPickup"
    EXCEPTION = "Exception"
    EXPIRED = "Expired"
    UNKNOWN = "Unknown"


class Shipment(ShopOwned, Base):
    __tablename__ = "shipments"
    __table_args__ = (UniqueConstraint("shop_id", "tracking_number"),)

    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"), index=True)
    method_id: Mapped[int | None] = mapped_column(ForeignKey("shipping_methods.id", ondelete="SET NULL"))
    tracking_number: Mapped[str] = mapped_column(String(64))
    origin_country: Mapped[str] = mapped_column(String(2), default="CN")
    destination_country: Mapped[str] = mapped_column(String(2))
    # The state or province (ISO 3166-2, `BR-SP`) where known: a domestic seller's lanes go there.
    destination_region: Mapped[str | None] = mapped_column(String(6))
    shipped_at: Mapped[datetime]
    first_scan_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    status: Mapped[TrackingStatus] = mapped_column(str_enum(TrackingStatus), default=TrackingStatus.PENDING)
    last_event_at: Mapped[datetime | None]
    cost: Mapped[Decimal | None]
    currency: Mapped[str] = mapped_column(String(3), default="USD")

    events: Mapped[list[TrackingEvent]] = relationship(
        back_populates="shipment", cascade="all, delete-orphan", order_by="TrackingEvent.occurred_at"
    )


class TrackingEvent(ShopOwned, Base):
    """One line of a carrier's tracking, as written (any language), with the status it means."""

    __tablename__ = "tracking_events"
    __table_args__ = (
        UniqueConstraint("shipment_id", "fingerprint"),
        Index("ix_tracking_events_shipment_time", "shipment_id", "occurred_at"),
    )

    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"))
    occurred_at: Mapped[datetime]
    code: Mapped[str | None] = mapped_column(String(64))
    raw_text: Mapped[str] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[TrackingStatus] = mapped_column(str_enum(TrackingStatus), default=TrackingStatus.UNKNOWN)
    substatus: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(32), default="carrier")
    # Hash of (time, code, text): the same event delivered twice is stored once.
    fingerprint: Mapped[str] = mapped_column(String(64))

    shipment: Mapped[Shipment] = relationship(back_populates="events")


class DisruptionKind(enum.StrEnum):
    IMPORT_BAN = "import_ban"
    SUSPENDED_ROUTE = "suspended_route"
    CAPACITY_CUT = "capacity_cut"
    CUSTOMS_DELAY = "customs_delay"


class Disruption(ShopOwned, Base):
    """A restriction on a lane: None in a scope column means 'all'."""

    __tablename__ = "disruptions"

    kind: Mapped[DisruptionKind] = mapped_column(str_enum(DisruptionKind))
    origin_country: Mapped[str | None] = mapped_column(String(2))
    destination_country: Mapped[str | None] = mapped_column(String(2))
    method_code: Mapped[str | None] = mapped_column(String(64))
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    extra_days: Mapped[int | None]
    source: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FollowUpKind(enum.StrEnum):
    CHASED_CARRIER = "chased_carrier"
    PICKUP_REMINDED = "pickup_reminded"
    PROTECTION_EXTENDED = "protection_extended"
    HELD = "held"
    REROUTED = "rerouted"


class ShipmentFollowUp(ShopOwned, Base):
    """Something the seller did about a parcel or an order's delivery, recorded once per brief action (`key`)."""

    __tablename__ = "shipment_follow_ups"
    __table_args__ = (UniqueConstraint("shop_id", "key"),)

    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[FollowUpKind] = mapped_column(str_enum(FollowUpKind))
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    # The brief action that asked for it (no foreign key: the brief sits above logistics).
    action_id: Mapped[int | None]
    noted_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text)


class ShippingPreference(ShopOwned, Base):
    """The method the seller ships with by default from one country to another, when one has been chosen."""

    __tablename__ = "shipping_preferences"
    __table_args__ = (UniqueConstraint("shop_id", "origin_country", "destination_country"),)

    origin_country: Mapped[str] = mapped_column(String(2))
    destination_country: Mapped[str] = mapped_column(String(2))
    method_code: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text)


class LaneSample(ShopOwned, Base):
    """One parcel as the lane statistics read it (`logistics/lane_store.py`): its lane and its instants as seconds
    since 1970, kept in step with its shipment so that a brief reads a year of parcels as plain numbers."""

    __tablename__ = "lane_samples"
    __table_args__ = (Index("ix_lane_samples_shop_shipped", "shop_id", "shipped"),)

    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), unique=True)
    origin_country: Mapped[str] = mapped_column(String(2))
    destination_country: Mapped[str] = mapped_column(String(2))
    destination_region: Mapped[str | None] = mapped_column(String(6))
    method_id: Mapped[int | None] = mapped_column(ForeignKey("shipping_methods.id", ondelete="SET NULL"))
    shipped: Mapped[float]
    delivered: Mapped[float | None]
    # The carrier's last news (its last event, else its first scan): NaN-free, None where none is known.
    last_news: Mapped[float | None]


class OutlookInput(ShopOwned, Base):
    """One open order as its delivery outlook reads it (`logistics/outlook_store.py`): the order's promise and lane,
    its latest parcel and what the parcel's events add up to, as plain values (instants as seconds since 1970), so
    that a brief reads every open order with one column select instead of its order, parcel and events as records.
    Only what the records say: what today makes of it (late, lost, expected when) is computed per brief."""

    __tablename__ = "order_outlook_inputs"
    __table_args__ = (Index("ix_order_outlook_inputs_shop_placed", "shop_id", "placed"),)

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    number: Mapped[str] = mapped_column(String(64))
    placed: Mapped[float]
    ship_by: Mapped[date | None]
    promised_delivery_on: Mapped[date | None]
    protection_ends_on: Mapped[date | None]
    # The parcel's destination, else the order's; the order's own method (a parcel's method_id comes first).
    destination: Mapped[str | None] = mapped_column(String(2))
    order_method: Mapped[str | None] = mapped_column(String(64))
    # The order's latest parcel (by hand-over, then id); all None before it is handed over.
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"))
    tracking_number: Mapped[str | None] = mapped_column(String(64))
    origin_country: Mapped[str | None] = mapped_column(String(2))
    method_id: Mapped[int | None]
    status: Mapped[str | None] = mapped_column(String(32))
    shipped: Mapped[float | None]
    first_scan: Mapped[float | None]
    last_event: Mapped[float | None]
    # The parcel's latest event of a known status, its latest out-for-delivery event, and since when it waits at a
    # pickup point (the timeline's, kept only while the parcel's status says it waits there).
    latest_substatus: Mapped[str | None] = mapped_column(String(64))
    latest_text: Mapped[str | None] = mapped_column(Text)
    latest_location: Mapped[str | None] = mapped_column(String(200))
    out_for_delivery_at: Mapped[float | None]
    waiting_since: Mapped[float | None]
