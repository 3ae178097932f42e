"""The growth domain's voice in the brief: `growth_milestone` (a new-merchant task at risk, or just reached) and
`metric_risk` (a service metric over its limit, or that open orders and live tracking would take over it in the
coming days). Applying one records the seller's plan (or the milestone reached) once, in `growth_events`.

A metric_risk's money is the breach's expected penalty (`metrics.expected_penalty`), not the shop's sales; it names
the kinds of action that fix the metric (`fixed_by`), and the brief's ranking gives them that weight to carry."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from tradewind.action import Action, BriefContext, StoredAction
from tradewind.growth.metrics import ServiceMetric, expected_penalty
from tradewind.growth.milestones import Milestone, pace_phrase
from tradewind.growth.models import GrowthEventKind
from tradewind.growth.service import GrowthReport, growth_report, record_event
from tradewind.growth.settings import GrowthSettings, growth_settings
from tradewind.money import convert
from tradewind.shops.models import Shop
from tradewind.wording import Arg, Day, Number, Phrase, nphrase, percent, phrase

# The kinds of action that fix each metric: the replies for the reply rate; for late shipment, the stock and the
# pick-ups that let the open orders leave; for defects, the parcels watched and the buyers told in time.
FIXED_BY: dict[str, tuple[str, ...]] = {
    "reply_rate": ("reply_needed",),
    "late_shipment_rate": ("stockout_playbook", "restock", "pickup_reminder"),
    "cancellation_rate": ("stockout_playbook", "restock"),
    "order_defect_rate": ("protection_expiring", "stalled_tracking", "notify_delay", "reply_needed"),
    "first_scan_rate": ("pickup_reminder", "stalled_tracking"),
    "valid_tracking_rate": ("stalled_tracking",),
}


def _percent_phrase(value: float | None) -> Phrase:
    """A share as a percentage with one decimal ("2.3%"), or "n/a", in the reader's language."""
    if value is None:
        return phrase("n/a")
    return percent(value, 1)


def _named(title: str, name: Phrase) -> str | Phrase:
    """A metric's or milestone's name as a phrase, or its English title when the two differ (a name this module
    does not know yet): the English of a title never changes."""
    return name if name.english() == title else title


def metric_name(code: str, title: str, settings: GrowthSettings) -> str | Phrase:
    """A service metric's name in the reader's language (its English `title` for a metric not named here)."""
    names = {
        "order_defect_rate": phrase("Order defect rate"),
        "cancellation_rate": phrase("Cancellation rate (seller-caused)"),
        "late_shipment_rate": phrase("Late shipment rate"),
        "first_scan_rate": phrase("First carrier scan within %(days)s days", days=settings.first_scan_days),
        "valid_tracking_rate": phrase("Valid tracking rate"),
        "reply_rate": phrase("Buyer messages answered within %(hours)s h", hours=settings.reply_hours),
    }
    name = names.get(code)
    return title if name is None else _named(title, name)


def milestone_name(code: str, title: str, settings: GrowthSettings) -> str | Phrase:
    """A growth milestone's name in the reader's language (its English `title` for one not named here)."""
    names = {
        "store_opened": phrase("Store opened with listings within %(days)s days", days=settings.listing_days),
        "sales": phrase(
            "%(target)s sales within %(days)s days", target=settings.sales_target, days=settings.sales_days
        ),
        "gmv": phrase(
            "USD %(target)s GMV within %(days)s days",
            target=Number.of(settings.gmv_target_usd),
            days=settings.gmv_days,
        ),
    }
    name = names.get(code)
    return title if name is None else _named(title, name)


def _metric_name(metric: ServiceMetric, settings: GrowthSettings) -> str | Phrase:
    return metric_name(metric.code, metric.title, settings)


def _milestone_name(task: Milestone, settings: GrowthSettings) -> str | Phrase:
    return milestone_name(task.code, task.title, settings)


def _counted(unit: str, count: int) -> Phrase:
    """'12 orders' (the metrics count orders, parcels or messages)."""
    units = {
        "orders": nphrase("%(num)s orders", "%(num)s orders", count),
        "parcels": nphrase("%(num)s parcels", "%(num)s parcels", count),
        "messages": nphrase("%(num)s messages", "%(num)s messages", count),
    }
    return units.get(unit) or phrase("%(num)s %(unit)s", num=count, unit=unit)


def _as_written(value: Decimal) -> Number:
    """A decimal with the digits it has, grouped in thousands (English `f"{value:,}"`)."""
    exponent = value.as_tuple().exponent
    return Number(value, -exponent if isinstance(exponent, int) and exponent < 0 else 0)


def _unit(unit: str) -> str | Phrase:
    """A milestone's unit (listings, sales; USD stays the currency's code)."""
    units = {"listings": phrase("listings"), "sales": phrase("sales")}
    return units.get(unit, unit)


class GrowthProducer:
    kinds: tuple[str, ...] = ("growth_milestone", "metric_risk")

    def actions(self, session: Session, *, shop: Shop, context: BriefContext) -> list[Action]:
        report = growth_report(session, shop=shop, today=context.today, settings=context.settings)
        found = [a for task in report.milestones if (a := self._milestone(task, report, shop, context)) is not None]
        found += [a for metric in report.metrics if (a := self._metric(metric, report, context)) is not None]
        return found

    def _milestone(self, task: Milestone, report: GrowthReport, shop: Shop, context: BriefContext) -> Action | None:
        s = growth_settings(context.settings)
        news_since = context.today - timedelta(days=s.milestone_news_days - 1)
        figures: dict[str, Any] = {
            "milestone": task.code,
            "target": str(task.target),
            "progress": str(task.progress),
            "unit": task.unit,
            "day": task.day,
            "days": task.days,
            "last_day": task.last_day.isoformat(),
            "projected": str(task.projected.quantize(Decimal("0.01"))),
            "per_day_now": str(task.per_day_now.quantize(Decimal("0.01"))),
            "level": report.level.code if report.level else None,
        }
        if task.reached_on is not None:
            if task.reached_on < news_since:
                return None
            next_needs = report.level.next_needs if report.level else None
            title = phrase(
                "Milestone reached: %(name)s (on day %(day)s)",
                name=_milestone_name(task, growth_settings(context.settings)),
                day=(task.reached_on - task.opened_on).days + 1,
            )
            return Action(
                kind="growth_milestone",
                key=f"growth_milestone:{task.code}:reached",
                subject_kind="shop",
                subject=task.code,
                due=context.today,
                title=title.english(),
                title_phrase=title,
                why=(
                    why := phrase(
                        "%(progress)s %(unit)s against %(target)s by %(day)s. %(next)s",
                        progress=_as_written(task.progress),
                        unit=_unit(task.unit),
                        target=_as_written(task.target),
                        day=Day(task.reached_on),
                        next=phrase("Next: %(needs)s.", needs=self._needs(next_needs, report, context))
                        if next_needs
                        else "",
                    )
                ).english(),
                why_phrase=why,
                value_at_risk=Decimal(0),
                weight=0.2,
                figures=figures | {"reached_on": task.reached_on.isoformat()},
                steps=[{"type": "note", "text": f"Record that {task.title.lower()} was reached"}],
            )
        if task.state != "at risk":
            return None
        needed = task.per_day_needed or Decimal(0)
        extra = max(Decimal(0), needed - task.per_day_now)
        figures |= {"per_day_needed": str(needed.quantize(Decimal("0.01"))), "gap": str(task.gap.quantize(Decimal(1)))}
        if task.code == "store_opened":
            steps = [{"type": "listing", "text": "List at least one product on the shop's channel"}]
            close = phrase("list a product by %(day)s", day=Day(task.last_day))
            value = Decimal(0)
        else:
            unit = "sales" if task.code == "sales" else "USD"
            close = phrase(
                "%(needed)s %(unit)s a day from now on (%(extra)s more a day than so far)",
                needed=Number.of(needed, 1),
                unit=_unit(unit),
                extra=Number.of(extra, 1),
            )
            steps = [
                {
                    "type": "target",
                    "unit": unit,
                    "per_day": str(needed.quantize(Decimal("0.01"))),
                    "until": task.last_day.isoformat(),
                }
            ]
            average = report.period.gmv / report.period.orders if report.period.orders else Decimal(0)
            if task.code == "sales":
                value = task.gap * average
            else:
                value = convert(task.gap, "USD", shop.currency, context.settings.usd_per_unit)
        title = phrase(
            "%(name)s: %(pace)s", name=_milestone_name(task, growth_settings(context.settings)), pace=pace_phrase(task)
        )
        return Action(
            kind="growth_milestone",
            key=f"growth_milestone:{task.code}:plan",
            subject_kind="shop",
            subject=task.code,
            due=context.today,
            title=title.english(),
            title_phrase=title,
            why=(
                why := phrase(
                    "Day %(day)s of %(days)s: %(progress)s %(unit)s so far (%(per_day)s a day). To close the gap: "
                    "%(close)s.",
                    day=task.day,
                    days=task.days,
                    progress=_as_written(task.progress),
                    unit=_unit(task.unit),
                    per_day=Number.of(task.per_day_now, 2),
                    close=close,
                )
            ).english(),
            why_phrase=why,
            value_at_risk=value.quantize(Decimal("0.01")),
            weight=0.8,
            figures=figures,
            steps=steps,
        )

    def _needs(self, needs: str, report: GrowthReport, context: BriefContext) -> str | Phrase:
        """What the next level needs: the next milestone by its name in the reader's language (the ladder's other
        needs in English)."""
        for task in report.milestones:
            if task.title == needs:
                return _milestone_name(task, growth_settings(context.settings))
        return needs

    def _metric(self, metric: ServiceMetric, report: GrowthReport, context: BriefContext) -> Action | None:
        state = metric.state
        if state not in ("over limit", "at risk"):
            return None
        projection = metric.projection
        # "Now 2.3% (8/340), limit under 1.0%" (the opening of a projection's reason)
        figures_now: dict[str, Arg] = {
            "value": _percent_phrase(metric.value),
            "numerator": metric.numerator,
            "denominator": metric.denominator,
            "limit": _percent_phrase(metric.limit),
        }
        now = (
            phrase("Now %(value)s (%(numerator)s/%(denominator)s), limit under %(limit)s", **figures_now)
            if metric.bound == "below"
            else phrase("Now %(value)s (%(numerator)s/%(denominator)s), limit at least %(limit)s", **figures_now)
        )
        figures: dict[str, Any] = {
            "metric": metric.code,
            "value": None if metric.value is None else round(metric.value, 4),
            "limit": metric.limit,
            "bound": metric.bound,
            "numerator": metric.numerator,
            "denominator": metric.denominator,
            "window_days": metric.window_days,
            "counted": list(metric.counted),
        }
        orders: list[str] = []
        name = _metric_name(metric, growth_settings(context.settings))
        title: Phrase
        if state == "over limit":
            title = (
                phrase(
                    "%(metric)s is %(value)s: over the limit (under %(limit)s)",
                    metric=name,
                    value=_percent_phrase(metric.value),
                    limit=_percent_phrase(metric.limit),
                )
                if metric.bound == "below"
                else phrase(
                    "%(metric)s is %(value)s: below the minimum (at least %(limit)s)",
                    metric=name,
                    value=_percent_phrase(metric.value),
                    limit=_percent_phrase(metric.limit),
                )
            )
            why = phrase(
                "%(numerator)s of %(counted)s over %(days)s days (%(start)s to %(end)s).",
                numerator=metric.numerator,
                counted=_counted(metric.unit, metric.denominator),
                days=metric.window_days,
                start=Day(metric.start),
                end=Day(metric.end),
            )
            orders = list(metric.counted)
        elif projection is not None and projection.to_cross == 0:
            orders = list(projection.certain)
            title = phrase(
                "%(metric)s will cross its limit: %(counted)s already past their deadline can no longer be on time",
                metric=name,
                counted=_counted(metric.unit, len(orders)),
            )
            why = phrase(
                "%(now)s; counting the %(late)s already late it is %(crossing)s, whatever else happens.",
                now=now,
                late=len(orders),
                crossing=_percent_phrase(projection.crossing_value),
            )
            figures |= {"at_risk": list(projection.at_risk), "certain": orders, "to_cross": 0}
        else:
            assert projection is not None and projection.to_cross is not None
            orders = list(projection.at_risk)
            title = phrase(
                "%(metric)s will cross its limit if %(to_cross)s of %(counted)s go wrong in the next %(days)s days",
                metric=name,
                to_cross=projection.to_cross,
                counted=_counted(metric.unit, len(orders)),
                days=projection.horizon_days,
            )
            why = phrase(
                "%(now)s; %(to_cross)s more would make it cross, all %(all)s %(worst)s.",
                now=now,
                to_cross=projection.to_cross,
                all=len(orders),
                worst=_percent_phrase(projection.worst_value),
            )
            figures |= {"at_risk": orders, "to_cross": projection.to_cross, "worst_value": projection.worst_value}
            if projection.certain:
                figures["certain"] = list(projection.certain)
                title = phrase(
                    "%(metric)s will cross its limit if %(to_cross)s more of %(counted)s go wrong in the next "
                    "%(days)s days",
                    metric=name,
                    to_cross=projection.to_cross,
                    counted=_counted(metric.unit, len(orders) - len(projection.certain)),
                    days=projection.horizon_days,
                )
        penalty = expected_penalty(metric, report.period.gmv, growth_settings(context.settings))
        figures |= {
            "penalty": str(penalty.amount),
            "breach_cost_share": penalty.cost_share,
            "depth": penalty.depth,
            "chance": penalty.chance,
            "fixed_by": list(FIXED_BY.get(metric.code, ())),
        }
        return Action(
            kind="metric_risk",
            key=f"metric_risk:{metric.code}",
            subject_kind="metric",
            subject=metric.code,
            due=context.today,
            title=title.english(),
            title_phrase=title,
            why=why.english(),
            why_phrase=why,
            value_at_risk=penalty.amount,
            weight=1.0,
            figures=figures,
            steps=[{"type": "orders_first", "metric": metric.code, "orders": orders}],
        )

    def apply(self, session: Session, *, shop: Shop, action: StoredAction, context: BriefContext) -> list[str]:
        if action.kind == "metric_risk":
            kind = GrowthEventKind.METRIC_PLAN
            orders = [o for step in action.steps for o in step.get("orders", [])]
            note = f"put first: {', '.join(orders)}" if orders else "watch the metric"
        elif action.key.endswith(":reached"):
            kind, note = GrowthEventKind.MILESTONE_REACHED, f"milestone {action.subject} reached"
        else:
            kind = GrowthEventKind.MILESTONE_PLAN
            note = "; ".join(
                f"{step.get('per_day', '')} {step.get('unit', '')} a day until {step.get('until', '')}".strip()
                if step.get("type") == "target"
                else str(step.get("text", ""))
                for step in action.steps
            )
        key = f"{action.key}:{action.due.isoformat()}"
        event, created = record_event(
            session,
            shop_id=shop.id,
            key=key,
            kind=kind,
            subject=action.subject,
            note=note,
            figures=action.figures,
            now=context.now,
            action_id=action.id,
        )
        verb = "recorded" if created else "already recorded"
        return [f"{verb} growth event #{event.id} ({kind.value}): {note}"]
