"""Online Retail with each cancellation netted against the sale it cancels (same stock code and customer)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tradewind.planning.history import History, load_online_retail, load_online_retail_netted

INVOICES = """InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536001,A,MUG,10,2010-12-01 10:00:00,1.0,17850.0,United Kingdom
536002,A,MUG,5,2010-12-02 10:00:00,1.0,13047.0,United Kingdom
C536003,A,MUG,-4,2010-12-03 11:00:00,1.0,17850.0,United Kingdom
536004,A,MUG,3,2010-12-03 12:00:00,1.0,17850.0,United Kingdom
C536005,A,MUG,-7,2010-12-04 09:00:00,1.0,17850.0,United Kingdom
C536006,22423,BAG,-2,2010-12-04 09:00:00,1.0,17850.0,United Kingdom
536007,22423,BAG,1,2010-12-05 09:00:00,1.0,,United Kingdom
536008,22423,BAG,-1,2010-12-05 10:00:00,0.0,,United Kingdom
536009,POST,POSTAGE,1,2010-12-05 10:00:00,18.0,17850.0,United Kingdom
"""


def _days(history: History) -> dict[tuple[str, date], float]:
    return {
        (history.skus[s], date.fromordinal(history.first_day.toordinal() + d)): u
        for s, d, u in zip(history.sku_index.tolist(), history.day_index.tolist(), history.units.tolist(), strict=True)
    }


def test_a_cancellation_takes_units_off_the_same_customers_latest_purchases(tmp_path: Path) -> None:
    """Customer 17850 bought 10 A on 1 Dec, cancelled 4 on 3 Dec (→ 6), bought 3 more on 3 Dec, cancelled 7 on
    4 Dec (the 3 of 3 Dec, then 4 more of 1 Dec → 2). Customer 13047's 5 A are untouched. The 22423 cancellation finds
    no earlier purchase (dropped); the negative 22423 line that is no `C` invoice is a stock adjustment, not demand."""
    path = tmp_path / "invoices.csv"
    path.write_text(INVOICES)
    assert _days(load_online_retail_netted(path)) == {
        ("A", date(2010, 12, 1)): 2.0,
        ("A", date(2010, 12, 2)): 5.0,
        ("22423", date(2010, 12, 5)): 1.0,
    }
    # Netting per SKU and day only, cancellations on later days never reach the sale: 10 A on 1 Dec.
    assert _days(load_online_retail(path))[("A", date(2010, 12, 1))] == 10.0
