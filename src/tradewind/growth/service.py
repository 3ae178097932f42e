"""The growth report of a shop on a day (KPIs, service metrics with projections, milestones, level), and the
seller's growth decisions recorded once each. Services never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradewind.config import Settings
from tradewind.growth.facts import load_facts
from tradewind.growth.metrics import Kpis, ServiceMetric, kpis, longest_window, service_metrics
from tradewind.growth.milestones import Level, Milestone, level, milestones
from tradewind.growth.models import GrowthEvent, GrowthEventKind
from tradewind.growth.schemas import growth_figures
from tradewind.growth.settings import GrowthSettings, growth_settings
from tradewind.shops.models import Shop


@dataclass(frozen=True)
class GrowthReport:
    shop_code: str
    today: date
    period: Kpis
    last_90_days: Kpis
    metrics: list[ServiceMetric]
    milestones: list[Milestone]
    level: Level | None

    def to_json(self) -> dict[str, Any]:
        """As every face publishes it (`schemas.GROWTH`)."""
        return growth_figures(self)


def growth_report(
    session: Session, *, shop: Shop, today: date, settings: Settings, period_days: int = 30
) -> GrowthReport:
    s = growth_settings(settings)
    lookback = max(longest_window(s), period_days, 90) + 1
    facts = load_facts(
        session,
        shop=shop,
        today=today,
        lookback_days=lookback,
        milestone_days=max(s.gmv_days, s.sales_days, s.listing_days),
        negative_rating=s.negative_feedback_max_rating,
        stale_days=settings.stale_order_days,
    )
    rates = settings.usd_per_unit
    period = kpis(
        facts, start=today - timedelta(days=period_days - 1), end=today, currency=shop.currency, usd_per_unit=rates
    )
    quarter = kpis(facts, start=today - timedelta(days=89), end=today, currency=shop.currency, usd_per_unit=rates)
    metrics = service_metrics(facts, today, s)
    tasks = milestones(facts, today, s, usd_per_unit=rates)
    return GrowthReport(shop.code, today, period, quarter, metrics, tasks, level(tasks, metrics, quarter.gmv_usd, s))


def settings_for_growth(settings: Settings) -> GrowthSettings:
    return growth_settings(settings)


def record_event(
    session: Session,
    *,
    shop_id: int,
    key: str,
    kind: GrowthEventKind,
    subject: str,
    note: str,
    figures: dict[str, Any],
    now: datetime,
    action_id: int | None = None,
) -> tuple[GrowthEvent, bool]:
    """Record a growth decision once per `key`: (the event, whether it was recorded now)."""
    existing = session.scalar(select(GrowthEvent).where(GrowthEvent.shop_id == shop_id, GrowthEvent.key == key))
    if existing is not None:
        return existing, False
    event = GrowthEvent(
        shop_id=shop_id,
        key=key[:200],
        kind=kind,
        subject=subject[:64],
        note=note,
        figures=figures,
        recorded_at=now,
        action_id=action_id,
    )
    session.add(event)
    session.flush()
    return event, True
