"""Which suppliers need a check today, and why: no answer for longer than the seller waits, a status that is missing,
unknown, stale or closed with no restock date, a Spring Festival closure ahead; with the SKUs each offers (preferred
source first), its reply times and the value at risk. Also which supplier answers fastest, for a question to ask
while lanes are disrupted.

Plain functions over the suppliers' (and catalog's) records: what the messages say, and how they are drafted and
queued, is messaging's (messaging/supplier_checks.py); what comes from elsewhere (the factories' closure, whether
lanes are disrupted) is passed in by the caller as data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradewind.catalog.models import Sku
from tradewind.suppliers.models import Supplier, SupplierStatus, SupplierStatusReport, SupplyOffer
from tradewind.wording import Day, Number, Phrase, nphrase, phrase

if TYPE_CHECKING:
    # service.py builds the roster (with its reply times) and re-exports this module: a type only here.
    from tradewind.suppliers.service import ResponseTimes

STATUS_CHECK = "supplier_status_check"
RESTOCK_DATE_REQUEST = "restock_date_request"
# A status reported more than this many days before a Spring Festival closure starts does not cover it.
CLOSURE_CONFIRM_DAYS = 10


@dataclass(frozen=True)
class CheckRules:
    """How long the seller gives a supplier to answer, and how old a status report may get."""

    silence_hours: float
    stale_days: int


@dataclass(frozen=True)
class CheckReason:
    """Why a supplier needs a check: the reason in words, the message it calls for (`situation`), what the check
    is about (`anchor`: the question waiting, the status report, the closure; a new anchor is a new check) and
    whether it chases a question already asked."""

    reason: Phrase
    situation: str
    anchor: str
    chase: bool = False


@dataclass(frozen=True)
class SupplierCheck:
    """One supplier due a check: the supplier, why, its reply times, the SKU codes it offers (preferred source
    first) and its latest status report."""

    supplier: Supplier
    why: CheckReason
    times: ResponseTimes
    skus: tuple[str, ...]
    report: SupplierStatusReport | None

    @property
    def key(self) -> str:
        """The check's identity: one message per supplier, situation and anchor."""
        return f"{self.why.situation}:{self.supplier.code}:{self.why.anchor}"


@dataclass(frozen=True)
class SupplierRoster:
    """A shop's active suppliers (by code) and what a check reads of each: the SKU codes it offers (preferred
    source first; a supplier with no live offer of an active SKU is absent), its reply times (every supplier's,
    empty when it has no thread) and its latest status report on the day (`supplier_roster` in service.py reads
    it)."""

    suppliers: tuple[Supplier, ...]
    skus: Mapping[int, tuple[str, ...]]
    times: Mapping[int, ResponseTimes]
    reports: Mapping[int, SupplierStatusReport]


def offered_skus(session: Session, *, shop_id: int) -> dict[int, tuple[str, ...]]:
    """The codes of the active SKUs each supplier has a live offer for, those it is the preferred source of first."""
    rows = session.execute(
        select(SupplyOffer.supplier_id, Sku.code)
        .join(Sku, Sku.id == SupplyOffer.sku_id)
        .where(SupplyOffer.shop_id == shop_id, SupplyOffer.active, Sku.active)
        .order_by(SupplyOffer.supplier_id, SupplyOffer.priority, Sku.code)
    )
    found: dict[int, list[str]] = {}
    for supplier_id, code in rows:
        found.setdefault(int(supplier_id), []).append(str(code))
    return {supplier_id: tuple(codes) for supplier_id, codes in found.items()}


def check_reason(
    report: SupplierStatusReport | None,
    waiting_since: datetime | None,
    *,
    now: datetime,
    today: date,
    closure: tuple[date, date] | None,
    rules: CheckRules,
) -> CheckReason | None:
    """Why a supplier needs a check today, the most pressing reason first; None when it does not. A question
    waiting for less than `rules.silence_hours` gives the supplier time; one waiting longer is chased. `closure`
    is the factories' closure (first closed day, reopening day) the caller knows of around today."""
    if waiting_since is not None:
        silent = (now - waiting_since).total_seconds() / 3600
        if silent < rules.silence_hours:
            return None  # asked already: give them time
        reason = phrase(
            "no answer for %(days)s days to the message of %(day)s",
            days=Number.of(silent / 24, 1, grouped=False),
            day=Day(waiting_since.date(), "day_month"),
        )
        return CheckReason(reason, STATUS_CHECK, f"chase-{waiting_since:%Y%m%d}", chase=True)
    if report is None:
        return CheckReason(phrase("no status on record"), STATUS_CHECK, "none")
    anchor = f"r{report.id}"
    if report.status == SupplierStatus.CLOSED and report.restock_on is None:
        closed = (
            phrase("closed until %(day)s with no restock date", day=Day(report.reopens_on))
            if report.reopens_on
            else phrase("closed with no restock date")
        )
        return CheckReason(closed, RESTOCK_DATE_REQUEST, anchor)
    if report.status == SupplierStatus.CLOSED and report.reopens_on is not None and report.reopens_on <= today:
        reopened = phrase("was closed until %(day)s: is it working again?", day=Day(report.reopens_on))
        return CheckReason(reopened, STATUS_CHECK, anchor)
    if report.status == SupplierStatus.UNKNOWN:
        return CheckReason(phrase("status unknown since %(day)s", day=Day(report.reported_on)), STATUS_CHECK, anchor)
    if closure is not None and report.reported_on < closure[0] - timedelta(days=CLOSURE_CONFIRM_DAYS):
        confirm = phrase(
            "Spring Festival closure from %(start)s to %(end)s: confirm its dates",
            start=Day(closure[0]),
            end=Day(closure[1]),
        )
        return CheckReason(confirm, STATUS_CHECK, f"{anchor}-sf{closure[0].year}")
    if report.reported_on < today - timedelta(days=rules.stale_days):
        stale = nphrase(
            "last status %(day)s, %(num)s days ago",
            "last status %(day)s, %(num)s days ago",
            (today - report.reported_on).days,
            day=Day(report.reported_on),
        )
        return CheckReason(stale, STATUS_CHECK, anchor)
    return None


def checks_due(
    roster: SupplierRoster,
    *,
    now: datetime,
    today: date,
    closure: tuple[date, date] | None,
    rules: CheckRules,
) -> list[SupplierCheck]:
    """The roster's suppliers that offer something and need a check today, by code."""
    found = []
    for supplier in roster.suppliers:
        if supplier.id not in roster.skus:
            continue
        report = roster.reports.get(supplier.id)
        times = roster.times[supplier.id]
        why = check_reason(report, times.waiting_since, now=now, today=today, closure=closure, rules=rules)
        if why is not None:
            found.append(SupplierCheck(supplier, why, times, roster.skus[supplier.id], report))
    return found


def fastest_responder(roster: SupplierRoster) -> tuple[Supplier, float] | None:
    """The supplier that answers fastest (lowest median reply time, then code) and its median, among those that
    offer something, have answered before, owe no answer now and are not known to be other than operating."""
    ranked: list[tuple[float, str, Supplier]] = []
    for supplier in roster.suppliers:
        report = roster.reports.get(supplier.id)
        times = roster.times[supplier.id]
        median = times.median_hours
        if supplier.id not in roster.skus or times.waiting_since is not None or median is None:
            continue
        if report is not None and report.status != SupplierStatus.OPERATING:
            continue
        ranked.append((median, supplier.code, supplier))
    if not ranked:
        return None
    median, _, supplier = min(ranked, key=lambda r: (r[0], r[1]))
    return supplier, median


def value_at_risk(session: Session, *, supplier_ids: Sequence[int]) -> dict[int, Decimal]:
    """Per supplier, the sum of the prices of the SKUs it is the preferred source of (to the cent; zero when none)."""
    rows = session.execute(
        select(SupplyOffer.supplier_id, Sku.price)
        .join(Sku, Sku.id == SupplyOffer.sku_id)
        .where(SupplyOffer.supplier_id.in_(list(supplier_ids)), SupplyOffer.priority == 1, SupplyOffer.active)
    )
    totals = {supplier_id: Decimal(0) for supplier_id in supplier_ids}
    for supplier_id, price in rows:
        totals[supplier_id] += price or Decimal(0)
    return {supplier_id: total.quantize(Decimal("0.01")) for supplier_id, total in totals.items()}
