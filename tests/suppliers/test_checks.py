"""Which suppliers need a check and why (suppliers/checks.py): the rules on a status report and a waiting question
as plain records, and the roster read from the database on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from tests import factories as f
from tradewind.shops.models import Shop
from tradewind.suppliers.models import Supplier, SupplierStatus, SupplierStatusReport
from tradewind.suppliers.service import (
    CheckRules,
    check_reason,
    checks_due,
    fastest_responder,
    supplier_roster,
    value_at_risk,
)

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)
TODAY = NOW.date()
RULES = CheckRules(silence_hours=48, stale_days=14)
CLOSURE = (TODAY + timedelta(days=5), TODAY + timedelta(days=25))  # the factories close in 5 days


def _report(
    status: SupplierStatus,
    *,
    days_ago: int = 0,
    reopens_on: date | None = None,
    restock_on: date | None = None,
) -> SupplierStatusReport:
    return SupplierStatusReport(
        id=7,
        status=status,
        reported_on=TODAY - timedelta(days=days_ago),
        reopens_on=reopens_on,
        restock_on=restock_on,
    )


def _why(
    report: SupplierStatusReport | None,
    waiting_since: datetime | None = None,
    closure: tuple[date, date] | None = None,
) -> tuple[str, str, str, bool] | None:
    reason = check_reason(report, waiting_since, now=NOW, today=TODAY, closure=closure, rules=RULES)
    return None if reason is None else (reason.reason.english(), reason.situation, reason.anchor, reason.chase)


def test_a_question_waiting_less_than_the_silence_hours_gives_the_supplier_time() -> None:
    fresh = _report(SupplierStatus.OPERATING)
    assert _why(fresh, NOW - timedelta(hours=47)) is None
    # A waiting question comes first, even before a closed supplier with no restock date.
    assert _why(_report(SupplierStatus.CLOSED), NOW - timedelta(hours=47)) is None


def test_a_question_waiting_longer_is_chased_with_its_day_as_anchor() -> None:
    asked = NOW - timedelta(hours=60)
    reason, situation, anchor, chase = _why(_report(SupplierStatus.CLOSED), asked) or ("", "", "", False)
    assert reason.startswith("no answer for 2.5 days to the message of ")
    assert (situation, anchor, chase) == ("supplier_status_check", "chase-20261117", True)


def test_no_report_asks_for_a_status() -> None:
    assert _why(None) == ("no status on record", "supplier_status_check", "none", False)


def test_closed_with_no_restock_date_asks_for_one() -> None:
    why = _why(_report(SupplierStatus.CLOSED, reopens_on=TODAY + timedelta(days=5)))
    assert why is not None and why[1:] == ("restock_date_request", "r7", False)
    assert why[0].startswith("closed until ") and why[0].endswith(" with no restock date")
    assert _why(_report(SupplierStatus.CLOSED)) == ("closed with no restock date", "restock_date_request", "r7", False)


def test_closed_with_a_restock_date_is_asked_only_once_its_reopening_day_has_come() -> None:
    restock = TODAY + timedelta(days=20)
    assert _why(_report(SupplierStatus.CLOSED, reopens_on=TODAY + timedelta(days=1), restock_on=restock)) is None
    why = _why(_report(SupplierStatus.CLOSED, reopens_on=TODAY, restock_on=restock))
    assert why is not None and why[0].endswith(": is it working again?") and why[1:3] == ("supplier_status_check", "r7")


def test_an_unknown_status_is_checked() -> None:
    why = _why(_report(SupplierStatus.UNKNOWN))
    assert (
        why is not None and why[0].startswith("status unknown since ") and why[1:3] == ("supplier_status_check", "r7")
    )


def test_a_status_older_than_ten_days_before_a_closure_asks_to_confirm_its_dates() -> None:
    # Reported 10 days before the closure starts: it covers the closure.
    assert _why(_report(SupplierStatus.OPERATING, days_ago=5), closure=CLOSURE) is None
    why = _why(_report(SupplierStatus.OPERATING, days_ago=6), closure=CLOSURE)
    assert why is not None and why[0].startswith("Spring Festival closure from ")
    assert why[1:] == ("supplier_status_check", "r7-sf2026", False)
    assert _why(_report(SupplierStatus.OPERATING, days_ago=6)) is None  # no closure ahead: a fresh status is enough


def test_a_status_older_than_the_stale_days_is_checked() -> None:
    assert _why(_report(SupplierStatus.OPERATING, days_ago=14)) is None
    why = _why(_report(SupplierStatus.OPERATING, days_ago=15))
    assert why is not None and why[0].endswith(", 15 days ago") and why[1:3] == ("supplier_status_check", "r7")


def test_checks_due_only_for_active_suppliers_that_offer_an_active_sku(session: Session, shop: Shop) -> None:
    offering = f.supplier(session, shop, "SUP-A")
    f.offer(session, shop, offering, f.sku(session, shop, "BOOT-40"), priority=2)
    f.offer(session, shop, offering, f.sku(session, shop, "BOOT-41"), priority=1)
    retired = f.sku(session, shop, "BOOT-OLD")
    retired.active = False
    only_retired = f.supplier(session, shop, "SUP-B")
    f.offer(session, shop, only_retired, retired)
    f.supplier(session, shop, "SUP-C")  # offers nothing
    inactive = f.supplier(session, shop, "SUP-D")
    inactive.active = False
    f.offer(session, shop, inactive, f.sku(session, shop, "BOOT-42"))
    session.flush()

    roster = supplier_roster(session, shop_id=shop.id, today=TODAY)
    assert [s.code for s in roster.suppliers] == ["SUP-A", "SUP-B", "SUP-C"]
    (check,) = checks_due(roster, now=NOW, today=TODAY, closure=None, rules=RULES)
    assert check.supplier.code == "SUP-A" and check.skus == ("BOOT-41", "BOOT-40")  # preferred source first
    assert check.key == "supplier_status_check:SUP-A:none" and check.times.hours == ()


def test_fastest_responder_answers_fastest_owes_nothing_and_is_operating(session: Session, shop: Shop) -> None:
    def answered_after(code: str, hours: float, *, then_asked: bool = False) -> Supplier:
        supplier = f.supplier(session, shop, code)
        f.offer(session, shop, supplier, f.sku(session, shop, f"SKU-{code}"))
        asked = NOW - timedelta(days=5)
        f.supplier_message(session, shop, supplier, sent_at=asked)
        f.supplier_message(session, shop, supplier, sent_at=asked + timedelta(hours=hours), incoming=True)
        if then_asked:
            f.supplier_message(session, shop, supplier, sent_at=NOW - timedelta(hours=1))
        return supplier

    answered_after("SUP-SLOW", 30)
    answered_after("SUP-OWES", 1, then_asked=True)
    f.status_report(session, shop, answered_after("SUP-SHUT", 2), SupplierStatus.CLOSED, reported_on=TODAY)
    quiet = f.supplier(session, shop, "SUP-QUIET")  # never answered: no median
    f.offer(session, shop, quiet, f.sku(session, shop, "SKU-QUIET"))
    answered_after("SUP-FAST", 6)

    found = fastest_responder(supplier_roster(session, shop_id=shop.id, today=TODAY))
    assert found is not None and (found[0].code, found[1]) == ("SUP-FAST", 6.0)
    answered_after("SUP-EVEN", 6)  # as fast: the first by code
    found = fastest_responder(supplier_roster(session, shop_id=shop.id, today=TODAY))
    assert found is not None and found[0].code == "SUP-EVEN"


def test_value_at_risk_sums_the_prices_of_the_skus_a_supplier_is_preferred_for(session: Session, shop: Shop) -> None:
    first, second = f.supplier(session, shop, "SUP-1"), f.supplier(session, shop, "SUP-2")
    boots, shoes = f.sku(session, shop, "BOOT", price="20.10"), f.sku(session, shop, "SHOE", price="5.25")
    f.offer(session, shop, first, boots, priority=1)
    f.offer(session, shop, first, shoes, priority=1)
    f.offer(session, shop, second, boots, priority=2)
    third = f.supplier(session, shop, "SUP-3")
    assert value_at_risk(session, supplier_ids=[first.id, second.id, third.id]) == {
        first.id: Decimal("25.35"),
        second.id: Decimal("0.00"),
        third.id: Decimal("0.00"),
    }
