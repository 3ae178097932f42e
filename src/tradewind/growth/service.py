"""The growth report of a shop on a day (KPIs, service metrics with projections, milestones, level), and the
seller's growth decisions recorded once each. Services never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradewind.config import Settings
from tradewind.growth.facts import load_facts
from tradewind.growth.metrics import Kpis, ServiceMetric, kpis, longest_window, service_metrics
from tradewind.growth.milestones import Level, Milestone, level, milestones, pace_phrase
from tradewind.growth.models import GrowthEvent, GrowthEventKind
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
        return {
            "shop": self.shop_code,
            "today": self.today.isoformat(),
            "kpis": _kpis_json(self.period),
            "level": None
            if self.level is None
            else {
                "code": self.level.code,
                "title": self.level.title,
                "next": self.level.next_code,
                "next_needs": self.level.next_needs,
            },
            "metrics": [_metric_json(m) for m in self.metrics],
            "milestones": [_milestone_json(t) for t in self.milestones],
        }


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


def _fraction(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _kpis_json(k: Kpis) -> dict[str, Any]:
    return {
        "start": k.start.isoformat(),
        "end": k.end.isoformat(),
        "currency": k.currency,
        "gmv": str(k.gmv),
        "gmv_usd": str(k.gmv_usd),
        "orders": k.orders,
        "buyers": k.buyers,
        "repeat_buyers": k.repeat_buyers,
        "repeat_buyer_rate": _fraction(k.repeat_buyer_rate),
    }


def _metric_json(m: ServiceMetric) -> dict[str, Any]:
    projection = m.projection
    return {
        "code": m.code,
        "title": m.title,
        "value": _fraction(m.value),
        "limit": m.limit,
        "bound": m.bound,
        "state": m.state,
        "window_days": m.window_days,
        "window": [m.start.isoformat(), m.end.isoformat()],
        "numerator": m.numerator,
        "denominator": m.denominator,
        "unit": m.unit,
        "counted": list(m.counted),
        "projection": None
        if projection is None
        else {
            "horizon_days": projection.horizon_days,
            "at_risk": list(projection.at_risk),
            "to_cross": projection.to_cross,
            "worst_value": _fraction(projection.worst_value),
            "certain": list(projection.certain),
        },
        **m.extra,
    }


def _milestone_json(t: Milestone) -> dict[str, Any]:
    needed = t.per_day_needed
    return {
        "code": t.code,
        "title": t.title,
        "unit": t.unit,
        "target": str(t.target),
        "progress": str(t.progress),
        "day": t.day,
        "days": t.days,
        "last_day": t.last_day.isoformat(),
        "state": t.state,
        "reached_on": t.reached_on.isoformat() if t.reached_on else None,
        "projected": str(t.projected.quantize(Decimal("0.01"))),
        "pace": (pace := pace_phrase(t)).english(),
        "pace_msg": pace.to_json(),
        "per_day_now": str(t.per_day_now.quantize(Decimal("0.01"))),
        "per_day_needed": None if needed is None else str(needed.quantize(Decimal("0.01"))),
    }
