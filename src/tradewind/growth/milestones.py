"""The new-merchant growth plan (AliExpress "Popeye", seeds/001): three tasks counted from the day the store
opened, the pace each is on, what would close the gap, and the level the shop has reached, from sailor to chief
navigator.

Day 1 is the opening day: "60 sales within 90 days" counts sales placed on days 1 to 90, the last of them
`opened_on + 89`, in the shop's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

import numpy as np

from tradewind.growth.facts import ShopFacts, day_number, day_of
from tradewind.growth.metrics import ServiceMetric, money
from tradewind.growth.settings import GrowthSettings
from tradewind.money import convert
from tradewind.wording import Day, Number, Phrase, phrase

LEVELS = ("sailor", "helmsman", "first_mate", "navigator", "chief_navigator")
LEVEL_TITLES = {
    "sailor": "Sailor",
    "helmsman": "Helmsman",
    "first_mate": "First mate",
    "navigator": "Navigator",
    "chief_navigator": "Chief navigator",
}


@dataclass(frozen=True)
class Milestone:
    code: str
    title: str
    unit: str
    target: Decimal
    progress: Decimal
    opened_on: date
    days: int
    today: date
    reached_on: date | None

    @property
    def last_day(self) -> date:
        return self.opened_on + timedelta(days=self.days - 1)

    @property
    def day(self) -> int:
        """Today's day number since opening (1 on the opening day)."""
        return (self.today - self.opened_on).days + 1

    @property
    def elapsed_days(self) -> int:
        return max(1, min(self.day, self.days))

    @property
    def days_left(self) -> int:
        """Days still to go after today (0 on the last day)."""
        return max(0, (self.last_day - self.today).days)

    @property
    def per_day_now(self) -> Decimal:
        return self.progress / self.elapsed_days

    @property
    def projected(self) -> Decimal:
        """At today's rate, where the count stands on the last day."""
        if self.reached_on is not None or self.today >= self.last_day:
            return self.progress
        return self.per_day_now * self.days

    @property
    def per_day_needed(self) -> Decimal | None:
        """What each remaining day (today included) must bring to reach the target; None when it is too late."""
        if self.reached_on is not None or self.today > self.last_day:
            return None
        return max(Decimal(0), self.target - self.progress) / (self.days_left + 1)

    @property
    def state(self) -> str:
        if self.reached_on is not None:
            return "reached"
        if self.today > self.last_day:
            return "missed"
        if self.projected >= self.target:
            return "on track"
        return "at risk"

    @property
    def gap(self) -> Decimal:
        return max(Decimal(0), self.target - self.projected)


def milestones(
    facts: ShopFacts, today: date, s: GrowthSettings, *, usd_per_unit: dict[str, Decimal]
) -> list[Milestone]:
    """The three tasks, or none when the shop's opening day is not known."""
    opened = facts.opened_on
    if opened is None:
        return []
    listed_by = opened + timedelta(days=s.listing_days - 1)
    # A sale proves a listing: the first listed day is the earlier of the first SKU's record and the first sale (a
    # shop whose SKUs were recorded after it began selling — an import of an older shop — had listed by its first
    # sale; counting from the records alone said "missed" beside hundreds of sales).
    known = [day for day in (facts.first_listed_on, first_sale_day(facts)) if day is not None]
    first_listed = max(min(known), opened) if known else None
    listed_in_time = first_listed is not None and first_listed <= min(listed_by, today)
    listing = Milestone(
        "store_opened",
        f"Store opened with listings within {s.listing_days} days",
        "listings",
        Decimal(1),
        # Progress counts what happened within the task's days, as the sales and GMV tasks do: a listing made
        # after day `listing_days` does not show the task as done beside its "missed".
        Decimal(1) if listed_in_time else Decimal(0),
        opened,
        s.listing_days,
        today,
        first_listed if listed_in_time else None,
    )
    sales_end = opened + timedelta(days=s.sales_days - 1)
    gmv_end = opened + timedelta(days=s.gmv_days - 1)
    o = facts.orders
    placed_on = o.placed_on
    first, last = day_number(opened), day_number(min(today, gmv_end))
    chosen = o.sale & (placed_on >= first) & (placed_on <= last)
    # In the order they were placed (orders placed at the same instant in the order of their ids).
    sales = np.flatnonzero(chosen)
    sales = sales[np.argsort(o.placed_us[sales], kind="stable")]
    early = facts.early_sales
    hours = np.flatnonzero((early.day >= first) & (early.day <= last))
    if len(hours):
        # The early sales' hours among the orders, in the order placed: each hour lies within one local day, so
        # the day on which a count or sum is reached is that of the hour it is reached in. Their totals are USD.
        when = np.concatenate((o.placed_us[sales], early.hour_us[hours]))
        in_order = np.argsort(when, kind="stable")
        assert o.total_units is not None
        days = np.concatenate((placed_on[sales], early.day[hours]))[in_order]
        counts = np.concatenate((np.ones(len(sales), dtype=np.int64), early.count[hours]))[in_order]
        units = np.concatenate((o.total_units[sales], early.units[hours]))[in_order]
        counted_sales = np.where(days <= day_number(sales_end), counts, 0)
        count = int(counted_sales.sum())
        sales_reached = _day_reached(days, np.cumsum(counted_sales), s.sales_target)
        total = int(units.sum())
        usd = convert(Decimal(total).scaleb(-4), "USD", "USD", usd_per_unit)
        needed = int((s.gmv_target_usd * 10_000).to_integral_value(rounding=ROUND_CEILING))
        gmv_reached = _day_reached(days, np.cumsum(units), needed)
    else:
        counted = placed_on[sales] <= day_number(sales_end)
        count = int(counted.sum())
        sales_reached = None
        if count >= s.sales_target:
            nth = np.flatnonzero(counted)[s.sales_target - 1]
            sales_reached = day_of(int(placed_on[sales[nth]]))
        usd = money(o, sales, "USD", usd_per_unit)
        gmv_reached = _reached_on(facts, sales, s.gmv_target_usd, usd_per_unit)
    return [
        listing,
        Milestone(
            "sales",
            f"{s.sales_target} sales within {s.sales_days} days",
            "sales",
            Decimal(s.sales_target),
            Decimal(count),
            opened,
            s.sales_days,
            today,
            sales_reached,
        ),
        Milestone(
            "gmv",
            f"USD {s.gmv_target_usd:,.0f} GMV within {s.gmv_days} days",
            "USD",
            s.gmv_target_usd,
            usd.quantize(Decimal("0.01")),
            opened,
            s.gmv_days,
            today,
            gmv_reached,
        ),
    ]


@dataclass(frozen=True)
class Level:
    code: str
    next_code: str | None
    next_needs: str | None

    @property
    def title(self) -> str:
        return LEVEL_TITLES[self.code]


def level(
    tasks: list[Milestone], metrics: list[ServiceMetric], gmv_usd_90d: Decimal, s: GrowthSettings
) -> Level | None:
    """The rung of the ladder the shop stands on: each of the three tasks lifts it one rung, in order; chief
    navigator asks for every service metric within its limit and USD `chief_navigator_gmv_usd_90d` over 90 days."""
    if not tasks:
        return None
    reached = 0
    for task in tasks:
        if task.reached_on is None:
            break
        reached += 1
    if reached == len(tasks):
        failing = [m.title for m in metrics if not m.within_limit]
        if not failing and gmv_usd_90d >= s.chief_navigator_gmv_usd_90d:
            return Level("chief_navigator", None, None)
        needs = []
        if gmv_usd_90d < s.chief_navigator_gmv_usd_90d:
            needs.append(f"USD {s.chief_navigator_gmv_usd_90d:,.0f} GMV over 90 days (now {gmv_usd_90d:,.0f})")
        if failing:
            needs.append("every service metric within its limit (not yet: " + ", ".join(failing) + ")")
        return Level("navigator", "chief_navigator", "; ".join(needs))
    task = tasks[reached]
    return Level(LEVELS[reached], LEVELS[reached + 1], task.title)


def first_sale_day(facts: ShopFacts) -> date | None:
    """The shop's local day of its first sale among the facts' orders (those since opening are among them)."""
    days = np.concatenate((facts.orders.placed_on[facts.orders.sale], facts.early_sales.day))
    return day_of(int(days.min())) if len(days) else None


def _day_reached(days: np.ndarray, running: np.ndarray, target: int) -> date | None:
    """The day at the first position where the running count or sum is at least `target`."""
    past = np.flatnonzero(running >= target)
    return day_of(int(days[past[0]])) if len(past) else None


def _reached_on(facts: ShopFacts, sales: np.ndarray, target: Decimal, usd_per_unit: dict[str, Decimal]) -> date | None:
    """The day of the sale (`sales`: positions in the order placed) that takes the USD sum to `target`. Sales in
    USD are added as integers (ten-thousandths); otherwise each is converted as `money` converts it."""
    o = facts.orders
    units = o.total_units
    if units is not None and all(o.currencies[c] == "USD" for c in np.unique(o.currency[sales]).tolist()):
        running = np.cumsum(units[sales])
        # running / 10**4 >= target, in whole units: at least the target's units rounded up.
        needed = int((target * 10_000).to_integral_value(rounding=ROUND_CEILING))
        past = np.flatnonzero(running >= needed)
        return day_of(int(o.placed_on[sales[past[0]]])) if len(past) else None
    usd = Decimal(0)
    for i in sales.tolist():
        usd += convert(o.total(i), o.currencies[o.currency[i]], "USD", usd_per_unit)
        if usd >= target:
            return day_of(int(o.placed_on[i]))
    return None


def pace_text(task: Milestone) -> str:
    return pace_phrase(task).english()


def pace_phrase(task: Milestone) -> Phrase:
    """Where the task stands: 'at today's rate: 27,900 of 30,000 by day 180' while it runs; once it has ended,
    'reached on day 41 (18 Nov 2025)' or 'ended on day 90 with 42 of 60' (a rate after the last day means nothing)."""
    target = Number.of(task.target)
    if task.reached_on is not None:
        return phrase(
            "reached on day %(day)s (%(date)s)",
            day=(task.reached_on - task.opened_on).days + 1,
            date=Day(task.reached_on, "day_month_year"),
        )
    if task.today > task.last_day:
        progress = Number(task.progress.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        return phrase(
            "ended on day %(day)s with %(progress)s of %(target)s", day=task.days, progress=progress, target=target
        )
    projected = Number(task.projected.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return phrase(
        "at today's rate: %(projected)s of %(target)s by day %(day)s", projected=projected, target=target, day=task.days
    )
