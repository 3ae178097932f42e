"""How the brief orders actions: money at risk × how much that kind weighs × how soon it is due."""

from __future__ import annotations

from datetime import date
from decimal import Decimal


def urgency(due: date, today: date) -> float:
    """2 when due today, more when overdue (up to 4 after two weeks), halving about every week ahead."""
    days = (due - today).days
    if days <= 0:
        return 2.0 + min(-days, 14) / 7.0
    return 1.0 / (1.0 + days / 7.0)


def priority(value_at_risk: Decimal, weight: float, due: date, today: date) -> float:
    return round(float(max(value_at_risk, Decimal(0))) * weight * urgency(due, today), 2)


def urgency_group(due: date, today: date) -> str:
    days = (due - today).days
    if days < 0:
        return "overdue"
    if days == 0:
        return "today"
    if days <= 7:
        return "this week"
    return "later"


GROUP_ORDER = ("overdue", "today", "this week", "later")
