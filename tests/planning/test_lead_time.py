"""Lead times that know the calendar: closures a supplier announced move the arrival past the reopening."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tradewind.config import Settings
from tradewind.planning.lead_time import days_closed_on_the_way, offer_lead_time
from tradewind.suppliers.availability import Availability, supplier_state
from tradewind.suppliers.models import Supplier, SupplierStatus, SupplierStatusReport, SupplyOffer

TODAY = date(2027, 1, 25)  # Chinese New Year 2027 is on 6 February
NOW = datetime(2027, 1, 25, 9, tzinfo=UTC)
BREAK = (date(2027, 1, 30), date(2027, 2, 16))  # the supplier's "closed from 30 Jan to 16 Feb"


@pytest.mark.parametrize(
    ("start", "days", "waited"),
    [
        (TODAY, 19, 17),  # would arrive 13 Feb, inside the break: waits its 17 closed days, arrives 2 Mar
        (TODAY, 4, 0),  # arrives 29 Jan, before the break
        (TODAY, 5, 17),  # would arrive on 30 Jan, the first closed day
        (date(2027, 2, 1), 5, 15),  # started inside the break: waits until 16 Feb
        (date(2027, 2, 16), 5, 0),  # starts on the reopening day
    ],
)
def test_days_closed_on_the_way(start: date, days: int, waited: int) -> None:
    assert days_closed_on_the_way(start, float(days), [BREAK]) == waited


def _supplier(calendar: str | None, processing_days: int = 3) -> Supplier:
    return Supplier(id=1, shop_id=1, code="SUP-PT", name="Putian", calendar=calendar, processing_days=processing_days)


def _report(status: SupplierStatus, closed_from: date, reopens_on: date) -> SupplierStatusReport:
    return SupplierStatusReport(
        supplier_id=1,
        shop_id=1,
        reported_on=TODAY - timedelta(days=4),
        status=status,
        closed_from=closed_from,
        reopens_on=reopens_on,
        source="supplier (WeChat)",
    )


OFFER = SupplyOffer(supplier_id=1, sku_id=1, lead_time_days=19, lead_time_p90_days=28)


@pytest.mark.parametrize("status", [SupplierStatus.OPERATING, SupplierStatus.CLOSED])
def test_a_closure_announced_for_later_moves_the_arrival(status: SupplierStatus) -> None:
    supplier = _supplier(None)
    state = supplier_state(supplier, _report(status, *BREAK), None, today=TODAY, now=NOW, settings=Settings())
    assert state.availability == Availability.OPERATING and state.starts_on == TODAY
    assert state.announced_closures == (BREAK,)
    lead = offer_lead_time(OFFER, supplier, state, today=TODAY, settings=Settings())
    # 19 d (p90 28 d) plus the 17 closed days: 2 Mar (p90 11 Mar), after the reopening.
    assert (lead.mean_days, lead.p90_days) == (36.0, 45.0)
    assert lead.arrival(TODAY) == (date(2027, 3, 2), date(2027, 3, 11))
    assert "announced closure 30 Jan–16 Feb" in lead.notes[0]


def test_the_announcement_replaces_the_calendar_guess() -> None:
    """Six production days from 25 Jan meet the calendar's festival closure (30 Jan–21 Feb, 22 days), but the
    supplier announced its own break (30 Jan–16 Feb): only those 17 days count."""
    supplier = _supplier("CN", processing_days=6)
    report = _report(SupplierStatus.OPERATING, *BREAK)
    state = supplier_state(supplier, report, None, today=TODAY, now=NOW, settings=Settings())
    assert offer_lead_time(OFFER, supplier, state, today=TODAY, settings=Settings()).mean_days == 36.0
    unannounced = supplier_state(supplier, None, None, today=TODAY, now=NOW, settings=Settings())
    assert offer_lead_time(OFFER, supplier, unannounced, today=TODAY, settings=Settings()).mean_days == 19.0 + 22


def test_an_announced_closure_that_has_begun_closes_the_supplier() -> None:
    supplier = _supplier(None)
    report = _report(SupplierStatus.OPERATING, *BREAK)
    state = supplier_state(supplier, report, None, today=date(2027, 2, 1), now=NOW, settings=Settings())
    assert state.availability == Availability.CLOSED and state.starts_on == BREAK[1]
    assert "closed until 16 Feb" in state.reason
