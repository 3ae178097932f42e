"""What an import reports and how it behaves around the transaction: the JSON summary, dry runs, progress, commits
by the caller, and a large file."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.importers.samples import SKUS, RunImport, WriteCsv
from tradewind.db.session import transaction
from tradewind.errors import InputFileError, RowError
from tradewind.importers.tradewind_csv import failed_summary, import_file, import_kinds, kind_tables
from tradewind.shops.service import create_shop, get_shop


def test_the_kinds_for_the_cli_help() -> None:
    assert import_kinds() == ["skus", "suppliers", "offers", "stock", "orders", "shipments"]
    assert kind_tables("orders") == ("buyers", "orders", "order_lines")


def test_json_summary_has_exactly_the_shared_shape(write_csv: WriteCsv, run_import: RunImport) -> None:
    summary = run_import("skus", write_csv("skus.csv", SKUS))
    assert json.loads(json.dumps(summary.to_json())) == {
        "created": {"products": 1, "skus": 3},
        "updated": {"products": 0, "skus": 0},
        "unchanged": {"products": 0, "skus": 0},
        "errors": [],
    }


def test_failed_summary_lists_the_errors_and_no_counts() -> None:
    errors = [RowError("orders.csv", 7, "sku", "unknown SKU 'X'")]
    assert failed_summary("orders", errors).to_json() == {
        "created": {"buyers": 0, "orders": 0, "order_lines": 0},
        "updated": {"buyers": 0, "orders": 0, "order_lines": 0},
        "unchanged": {"buyers": 0, "orders": 0, "order_lines": 0},
        "errors": [{"file": "orders.csv", "line": 7, "column": "sku", "message": "unknown SKU 'X'"}],
    }


def test_dry_run_reports_what_would_happen_and_writes_nothing(
    write_csv: WriteCsv, run_import: RunImport, counts: Callable[[], dict[str, int]], catalogue: None
) -> None:
    orders = (
        "order,placed_at,buyer,sku,quantity,unit_price\n"
        "A1,2024-03-02T10:00:00Z,b-1,SH-38-BLK,1,39.90\n"
        "A1,2024-03-02T10:00:00Z,b-1,CAP-RED,1,9.50\n"
        "A2,2024-03-02T11:00:00Z,b-2,CAP-RED,2,9.50\n"
    )
    stock = "warehouse,sku,on_hand\nNEW,SH-38-BLK,5\nNEW,CAP-RED,0\n"
    before = counts()

    dry_orders = run_import("orders", write_csv("orders.csv", orders), dry_run=True)
    dry_stock = run_import("stock", write_csv("stock.csv", stock), dry_run=True)

    assert counts() == before
    assert dry_orders.dry_run
    assert dry_orders.created == {"buyers": 2, "orders": 2, "order_lines": 3}
    assert dry_stock.created == {"warehouses": 1, "stock_levels": 2, "stock_movements": 1}
    assert run_import("orders", write_csv("orders.csv", orders)).created == dry_orders.created


def test_a_dry_run_still_finds_every_error(write_csv: WriteCsv, rejected: Callable[..., list[RowError]]) -> None:
    errors = rejected("skus", write_csv("skus.csv", "sku,title,price\nA,Cap,-1\n"), dry_run=True)
    assert [(e.line, e.column) for e in errors] == [(2, "price")]


def test_progress_is_reported_up_to_the_total(write_csv: WriteCsv, run_import: RunImport) -> None:
    reports: list[tuple[int, int]] = []
    run_import("skus", write_csv("skus.csv", SKUS), progress=lambda done, total: reports.append((done, total)))
    assert reports, "no progress was reported"
    assert reports[-1] == (6, 6)  # 3 rows checked, 3 written
    assert [done for done, _ in reports] == sorted(done for done, _ in reports)


def _orders_file(path: Path, lines: int) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["order", "placed_at", "paid_at", "buyer", "country", "sku", "quantity", "unit_price"])
    skus = ["SH-38-BLK", "SH-39-BLK", "CAP-RED"]
    for line in range(lines):
        number = f"O{line // 3:06d}"
        writer.writerow(
            [number, "2024-03-02T10:00:00+03:00", "2024-03-02T10:05:00+03:00", f"b{(line // 3) % 997}", "DE",
             skus[line % 3], 1 + line % 4, "9.99"]
        )  # fmt: skip
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_a_large_file_imports_and_reimports_unchanged(
    tmp_path: Path, write_csv: WriteCsv, run_import: RunImport, catalogue: None
) -> None:
    path = _orders_file(tmp_path / "orders.csv", 20_000)

    first = run_import("orders", path)
    again = run_import("orders", path)

    assert first.created == {"buyers": 997, "orders": 6667, "order_lines": 20_000}
    assert again.unchanged == first.created
    assert again.total("created") == again.total("updated") == 0


def test_with_the_callers_transaction_a_bad_file_leaves_the_database_as_it_was(
    sqlite_file_sessions: sessionmaker[Session], write_csv: WriteCsv
) -> None:
    factory = sqlite_file_sessions
    with transaction(factory) as session:
        create_shop(session, code="t", name="Test shop")
    good = write_csv("skus.csv", SKUS)
    bad = write_csv("bad.csv", "sku,title,price\nSH-38-BLK,Changed,1\nNEW,New,-1\n")

    def run(path: Path, session: Session) -> dict[str, int]:
        return import_file(session, shop=get_shop(session), kind="skus", path=path).unchanged

    with transaction(factory) as session:
        run(good, session)
    with pytest.raises(InputFileError), transaction(factory) as session:
        run(bad, session)
    with transaction(factory) as session:
        assert run(good, session) == {"products": 1, "skus": 3}


@pytest.mark.slow
def test_a_100k_line_orders_file(tmp_path: Path, run_import: RunImport, catalogue: None) -> None:
    path = _orders_file(tmp_path / "orders.csv", 100_000)
    assert run_import("orders", path).created["order_lines"] == 100_000
    assert run_import("orders", path).unchanged["order_lines"] == 100_000
