"""No input reaches a traceback (DESIGN.md §7): every importer, fed arbitrary bytes or a right header over arbitrary
values, either imports or raises `InputFileError` whose every error names the file, a line and a column (or none),
on SQLite and on PostgreSQL alike. Each example runs in a savepoint that is rolled back, so the examples do not
see each other's records."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy.orm import Session

from tests.importers.samples import SKUS
from tradewind.errors import InputFileError
from tradewind.importers.mapping import load_mapping
from tradewind.importers.platforms import _FORMATS, import_orders
from tradewind.importers.reading import Layout
from tradewind.importers.tradewind_csv import _KINDS, import_file
from tradewind.shops.models import Shop

FUZZ = settings(
    max_examples=int(os.environ.get("TRADEWIND_FUZZ_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
IMPORTERS = [("kind", kind) for kind in _KINDS] + [("format", fmt) for fmt in _FORMATS]

# Values that have broken an importer before, or sit on an edge of a parser or a column.
EDGES = [
    "",
    " ",
    "\x00",
    "Ca\x00p",
    '=HYPERLINK("http://x","1")',
    "@SUM(1)",
    "9999-12-31T23:00:00-05:00",
    "0001-01-01T00:00:00+05:00",
    "9999-12-31 23:00:00 -0500",
    "2024-02-30",
    "2024-03-01 10:00:00 +9900",
    "2024-03-01T10:00:00Z",
    "2024-03-01",
    "45000",
    "999999",
    "1e400",
    "-1",
    "0",
    "NaN",
    "Infinity",
    "99999999999999999999",
    "1,5",
    "'",
    "#D1",
    "C536365",
    "paid",
    "refunded",
    "completed",
    "DE",
    "Russian Federation",
    "USD",
    "XXX",
    "x" * 70,
    "é" * 300,
    "CAP-RED",
    "SH-38-BLK",
    "A-1",
    "a@b.co",
    "size=38;color=black",
]
cell_values = st.one_of(st.sampled_from(EDGES), st.text(max_size=40))


def header_of(layout: Layout) -> list[str]:
    return [column.name for column in layout.columns]


def layout_of(way: str, name: str) -> Layout:
    return _KINDS[name].layout if way == "kind" else _FORMATS[name].layout


def run(session: Session, shop: Shop, way: str, name: str, path: Path) -> None:
    """Import `path`; only success or an InputFileError naming file, line and column may come out."""
    savepoint = session.begin_nested()
    try:
        if way == "kind":
            import_file(session, shop=shop, kind=name, path=path)
        else:
            import_orders(session, shop=shop, path=path, format=name)
        session.flush()
    except InputFileError as problem:
        assert problem.errors, problem
        for error in problem.errors:
            assert error.file == path.name
            assert isinstance(error.line, int) and error.line >= 0
            assert isinstance(error.column, str) and isinstance(error.message, str) and error.message
    finally:
        savepoint.rollback()


@pytest.fixture
def shop_with_skus(import_session: Session, import_shop: Shop, tmp_path: Path) -> Shop:
    path = tmp_path / "skus.csv"
    path.write_text(SKUS, encoding="utf-8")
    import_file(import_session, shop=import_shop, kind="skus", path=path)
    return import_shop


@pytest.mark.parametrize(("way", "name"), IMPORTERS)
@FUZZ
@given(data=st.binary(max_size=600))
def test_arbitrary_bytes_are_an_import_or_a_clear_error(
    import_session: Session, shop_with_skus: Shop, tmp_path: Path, way: str, name: str, data: bytes
) -> None:
    path = tmp_path / ("file.xlsx" if data[:1] == b"P" else "file.csv")
    path.write_bytes(data)
    run(import_session, shop_with_skus, way, name, path)


@pytest.mark.parametrize(("way", "name"), IMPORTERS)
@FUZZ
@given(data=st.data())
def test_arbitrary_values_under_a_right_header_are_an_import_or_a_clear_error(
    import_session: Session, shop_with_skus: Shop, tmp_path: Path, way: str, name: str, data: st.DataObject
) -> None:
    header = header_of(layout_of(way, name))
    columns = data.draw(st.lists(st.sampled_from(header), min_size=1, max_size=len(header), unique=True))
    required = [column.name for column in layout_of(way, name).columns if column.required]
    columns = list(dict.fromkeys([*required, *columns]))
    rows = data.draw(
        st.lists(st.lists(cell_values, min_size=len(columns), max_size=len(columns)), min_size=1, max_size=4)
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    path = tmp_path / "file.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8", errors="surrogatepass"))
    run(import_session, shop_with_skus, way, name, path)


@FUZZ
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.recursive(
            st.one_of(st.text(max_size=20), st.integers(), st.none()),
            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
            max_leaves=12,
        ).map(lambda document: json.dumps(document).encode()),
    ),
    suffix=st.sampled_from([".toml", ".json"]),
)
def test_an_arbitrary_mapping_file_is_read_or_a_clear_error(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"mapping{suffix}"
    path.write_bytes(data)
    try:
        load_mapping(path)
    except InputFileError as problem:
        assert problem.errors and all(error.file == path.name for error in problem.errors)


@pytest.mark.parametrize(
    ("name", "text", "says"),
    [
        ("m.json", "[]", "must hold [columns]"),
        ("m.json", "[" * 100_000, "cannot be read"),
        ("m.toml", '[defaults]\nchannel = "' + "x" * 40 + '"\n', "at most 32"),
        ("m.toml", '[defaults]\ntimezone = "a\\u0000b"\n', "NUL"),
        ("m.json", '{"columns": {"Order\\u0000": "order"}}', "NUL"),
    ],
)
def test_mapping_files_that_broke_the_reader(tmp_path: Path, name: str, text: str, says: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError, match=re.escape(says)):
        load_mapping(path)


sheet_values = st.one_of(
    cell_values.filter(lambda text: not ILLEGAL_CHARACTERS_RE.search(text)),
    st.integers(min_value=-(2**60), max_value=2**60),
    st.floats(),
    st.booleans(),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 12, 31)),
    st.dates(min_value=date(1900, 3, 1)),
)


@pytest.mark.parametrize(("way", "name"), IMPORTERS)
@FUZZ
@given(data=st.data())
def test_arbitrary_cells_of_a_workbook_are_an_import_or_a_clear_error(
    import_session: Session, shop_with_skus: Shop, tmp_path: Path, way: str, name: str, data: st.DataObject
) -> None:
    layout = layout_of(way, name)
    columns = list(dict.fromkeys([column.name for column in layout.columns if column.required]))
    columns += data.draw(st.lists(st.sampled_from(header_of(layout)), max_size=4, unique=True))
    columns = list(dict.fromkeys(columns))
    rows = data.draw(
        st.lists(st.lists(sheet_values, min_size=len(columns), max_size=len(columns)), min_size=1, max_size=3)
    )
    book = openpyxl.Workbook()
    book.active.append(columns)
    for row in rows:
        book.active.append(row)
    path = tmp_path / "file.xlsx"
    book.save(path)
    run(import_session, shop_with_skus, way, name, path)
