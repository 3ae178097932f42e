"""Regions as lanes' destinations: a state or province (ISO 3166-2) borrows from its country before the country's
group; the shipments file reads them; a read-only estimate leaves out the few impossible rows and names them.

`data/regional_shipments.csv` is written to look like a domestic seller's records (Correios PAC and SEDEX from São
Paulo to the states, Почта России and СДЭК from Moscow to the regions; times with the local offset; three rows whose
delivery is dated before the hand-over, as in a real marketplace export). It is no real customer's data."""

from __future__ import annotations

import csv
import json
import math
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.logistics.parcels import parcel
from tradewind.cli.logistics import transit_app
from tradewind.errors import InputFileError
from tradewind.logistics.disruptions import add_disruption
from tradewind.logistics.rules import LogisticsRules
from tradewind.logistics.service import lane_statistics
from tradewind.logistics.transit.files import read_reviews_csv, read_shipments_csv
from tradewind.logistics.transit.lanes import Lane, TransitObservations, TransitSettings, estimate_lanes
from tradewind.logistics.transit.regions import country_of, region_of, subdivision_code
from tradewind.shops.models import Shop

DATA = Path(__file__).parent / "data"
REGIONAL = DATA / "regional_shipments.csv"
AS_OF = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
START = datetime(2026, 3, 2, 10, tzinfo=UTC)
# The lane's own Kaplan–Meier and nothing else: no recency weights, no borrowing, no predictive widening.
PLAIN = TransitSettings(half_life_days=0, prior_strength=0, predictive=False, pace_strength=-1, min_at_risk=0)


def test_a_state_is_in_its_country_and_its_country_s_group() -> None:
    assert subdivision_code("BR-SP") == "BR-SP" and subdivision_code(" br_sp ") == "BR-SP"
    assert subdivision_code("RU-MOW") == "RU-MOW" and subdivision_code("ES-CT") == "ES-CT"
    assert subdivision_code("BR-XX") is None and subdivision_code("BR") is None
    assert country_of("BR-SP") == "BR" and country_of("ru") == "RU"
    assert region_of("BR-SP") == region_of("BR") == "Latin America"
    assert region_of("RU-MOW") == "CIS"
    # The seller's own grouping: a state named there, else its country's.
    assert region_of("BR-SP", {"BR-SP": "Sudeste", "BR": "Brasil"}) == "Sudeste"
    assert region_of("BR-BA", {"BR-SP": "Sudeste", "BR": "Brasil"}) == "Brasil"


def _parcels(
    lane: tuple[str, str, str], days: list[float], *, every: float = 2.0
) -> list[tuple[str, str, str, datetime, datetime | None]]:
    return [
        (*lane, START + timedelta(days=i * every), START + timedelta(days=i * every + d)) for i, d in enumerate(days)
    ]


def test_a_thin_state_borrows_from_its_country_before_the_region() -> None:
    # Parcels to Brazil take about 20 days, to Mexico (same region) about 8: a state of Brazil with two parcels
    # borrows Brazil's days, not the region's mix.
    rows = _parcels(("CN", "BR", "std"), [19, 20, 21, 20, 22, 19, 20, 21, 20, 23, 20, 21])
    rows += _parcels(("CN", "MX", "std"), [8, 7, 9, 8, 8, 7, 9, 8] * 3)
    rows += _parcels(("CN", "BR-SP", "std"), [20, 21], every=10)
    obs = TransitObservations.from_shipments(rows)
    settings = TransitSettings(half_life_days=0)
    found = {e.lane: e for e in estimate_lanes(obs, as_of=START + timedelta(days=80), settings=settings)}
    state = found[Lane("CN", "BR-SP", "std")]
    assert state.source == "country" and (state.borrowed_from or "").startswith("CN→BR by std (14 parcels)")
    assert state.region == "Latin America"
    assert state.p50_days is not None and 18 <= state.p50_days <= 23
    # The country's own lane still borrows (if it must) from the region, never from a state.
    assert found[Lane("CN", "BR", "std")].source == "lane"
    # With too few parcels to the whole country, the state falls back to the region as a country lane does.
    thin = TransitObservations.from_shipments(rows[12:])
    (alone,) = estimate_lanes(
        thin, as_of=START + timedelta(days=80), settings=settings, lanes=[Lane("CN", "BR-SP", "std")]
    )
    assert alone.source == "region" and "Latin America" in (alone.borrowed_from or "")


def test_countries_alone_are_estimated_as_before() -> None:
    # No state anywhere: the country level is not used, and a thin country still borrows from its region.
    rows = _parcels(("CN", "RU", "epacket"), [15 + (i % 5) for i in range(40)]) + _parcels(
        ("CN", "BY", "epacket"), [18]
    )
    found = {e.lane: e for e in estimate_lanes(TransitObservations.from_shipments(rows), as_of=START + timedelta(90))}
    assert found[Lane("CN", "BY", "epacket")].source == "region"


def _hand_quantiles(rows: list[tuple[float, bool]], q: float) -> int | None:
    """Kaplan–Meier by hand: days as sellers count them (a delivery on its day, a parcel travelling in full days)."""
    survival = 1.0
    for day in range(200):
        at_risk = sum(1 for t, _ in rows if t >= day)
        arrived = sum(1 for t, delivered in rows if delivered and t == day)
        if at_risk:
            survival *= 1 - arrived / at_risk
        if survival <= 1 - q + 1e-12:
            return day
    return None


def _regional_rows() -> dict[tuple[str, str, str], list[tuple[float, bool]]]:
    lanes: dict[tuple[str, str, str], list[tuple[float, bool]]] = {}
    with REGIONAL.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            shipped = datetime.fromisoformat(row["shipped_at"])
            delivered = datetime.fromisoformat(row["delivered_at"]) if row["delivered_at"] else None
            if delivered is not None and delivered < shipped:
                continue
            key = (row["origin"], row["destination"], row["method"])
            if delivered is not None and delivered <= AS_OF:
                lanes.setdefault(key, []).append(
                    (math.ceil((delivered - shipped).total_seconds() / 86400 - 1e-9), True)
                )
            else:
                lanes.setdefault(key, []).append((math.floor((AS_OF - shipped).total_seconds() / 86400 + 1e-9), False))
    return lanes


def test_the_regional_file_s_quantiles_are_those_of_its_rows() -> None:
    read = read_shipments_csv(REGIONAL)
    assert read.rows == 453 and read.observations.size == 450
    assert [(e.line, e.column) for e in read.skipped] == [
        (41, "delivered_at"),
        (171, "delivered_at"),
        (302, "delivered_at"),
    ]
    by_hand = _regional_rows()
    estimates = {tuple(e.lane): e for e in estimate_lanes(read.observations, as_of=AS_OF, settings=PLAIN)}
    assert set(estimates) == set(by_hand) and len(by_hand) == 22
    assert ("RU-MOW", "RU-KAM", "Почта России посылка") in estimates
    for lane, rows in by_hand.items():
        estimate = estimates[lane]
        assert (estimate.n_delivered, estimate.n_in_transit) == (
            sum(delivered for _, delivered in rows),
            sum(not delivered for _, delivered in rows),
        ), lane
        assert (estimate.p50_days, estimate.p90_days) == (_hand_quantiles(rows, 0.5), _hand_quantiles(rows, 0.9)), lane
    # A few figures a seller would check: SEDEX within São Paulo in 2 days (half) and 4 (nine in ten); PAC to
    # Amazonas 17 and 19; Почта России to Saint Petersburg 5 and 7.
    assert (
        estimates[("BR-SP", "BR-SP", "Correios SEDEX")].p50_days,
        estimates[("BR-SP", "BR-SP", "Correios SEDEX")].p90_days,
    ) == (2, 4)
    assert (
        estimates[("BR-SP", "BR-AM", "Correios PAC")].p50_days,
        estimates[("BR-SP", "BR-AM", "Correios PAC")].p90_days,
    ) == (17, 19)


def test_with_the_shop_s_settings_thin_states_lean_on_their_country_at_their_own_pace() -> None:
    read = read_shipments_csv(REGIONAL)
    estimates = {tuple(e.lane): e for e in estimate_lanes(read.observations, as_of=AS_OF)}
    amazonas = estimates[("BR-SP", "BR-AM", "Correios PAC")]
    assert amazonas.source == "country" and (amazonas.borrowed_from or "").startswith("BR-SP→BR by Correios PAC")
    within = estimates[("BR-SP", "BR-SP", "Correios PAC")]
    # Amazonas borrows the country's shape but is slower than São Paulo itself; busy lanes stay near their rows.
    assert amazonas.p50_days is not None and within.p50_days is not None and amazonas.p50_days > within.p50_days + 3
    by_hand = _regional_rows()
    for lane in (("BR-SP", "BR-RJ", "Correios PAC"), ("RU-MOW", "RU-SPE", "Почта России посылка")):
        assert estimates[lane].source == "lane"
        assert abs((estimates[lane].p50_days or 0) - (_hand_quantiles(by_hand[lane], 0.5) or 0)) <= 1


def test_a_bad_region_is_an_error_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "shipment_id,origin,destination,method,shipped_at,delivered_at\n"
        "S1,BR-SP,BR-XX,PAC,2026-01-02,2026-01-10\n"
        "S2,br-sp,br-rj,PAC,2026-01-02,2026-01-08\n",
        encoding="utf-8",
    )
    with pytest.raises(InputFileError) as caught:
        read_shipments_csv(bad)
    assert [(e.line, e.column) for e in caught.value.errors] == [(2, "destination")]
    assert "BR-SP" in caught.value.errors[0].message  # the message shows how a state is written


def test_every_row_impossible_is_refused(tmp_path: Path) -> None:
    swapped = tmp_path / "swapped.csv"
    swapped.write_text(
        "shipment_id,origin,destination,method,shipped_at,delivered_at\n"
        "S1,BR-SP,BR-RJ,PAC,2026-01-10,2026-01-02\n"
        "S2,BR-SP,BR-RJ,PAC,2026-01-08,2026-01-02\n",
        encoding="utf-8",
    )
    with pytest.raises(InputFileError) as caught:
        read_shipments_csv(swapped)
    assert "columns swapped" in str(caught.value.errors[-1])


def test_reviews_may_name_a_state(tmp_path: Path) -> None:
    reviews = tmp_path / "reviews.csv"
    reviews.write_text(
        "destination,method,days,reviewed_on,origin\nBR-BA,Correios PAC,11,2026-11-02,BR-SP\n", encoding="utf-8"
    )
    found = read_reviews_csv(reviews, review_weight=0.3)
    assert found.lanes(include_reviews=True) == [Lane("BR-SP", "BR-BA", "Correios PAC")]


def test_transit_estimate_reads_regions_and_names_the_rows_it_left_out() -> None:
    app = typer.Typer()
    app.add_typer(transit_app, name="transit")
    result = CliRunner().invoke(app, ["transit", "estimate", "--shipments", str(REGIONAL), "--json"])
    assert result.exit_code == 0, result.stderr
    rows = {(r["destination"], r["method"]): r for r in json.loads(result.stdout)}
    assert rows[("RU-KAM", "Почта России посылка")]["source"] == "country"
    assert rows[("BR-SP", "Correios SEDEX")]["region"] == "Latin America"
    assert "Left out 3 of 453 shipments" in result.stderr
    for line in (41, 171, 302):
        assert f"regional_shipments.csv:{line} [delivered_at]" in result.stderr


def test_the_shop_s_lanes_by_region_borrow_from_their_country_and_share_its_restrictions(
    session: Session, shop: Shop
) -> None:
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    for region, days, count in (("BR-SP", 5, 12), ("BR-AM", 15, 12), (None, 8, 3)):
        for i in range(count):
            shipped = now - timedelta(days=30 + i)
            row = parcel(
                session,
                shop,
                destination="BR",
                method_code="correios-pac",
                shipped_at=shipped,
                delivered_at=shipped + timedelta(days=days, hours=-2),
                cost="4.00" if region == "BR-AM" else "2.00",
            )
            row.destination_region = region
    session.flush()
    flat = TransitSettings(half_life_days=0)
    rules = LogisticsRules(transit=flat)
    (country,) = lane_statistics(session, shop=shop, now=now, rules=rules)
    assert country.lane == Lane("CN", "BR", "correios-pac") and country.estimate.n_delivered == 27
    by_region = {
        s.lane.destination: s for s in lane_statistics(session, shop=shop, now=now, rules=rules, by_region=True)
    }
    assert set(by_region) == {"BR-SP", "BR-AM", "BR"}
    assert (by_region["BR-SP"].estimate.p50_days, by_region["BR-AM"].estimate.p50_days) == (5, 15)
    assert by_region["BR-AM"].mean_cost == Decimal("4.00") and by_region["BR-AM"].n_costed == 12
    # Three parcels without a region: their lane borrows from the region group, which holds all 27 to Brazil.
    assert by_region["BR"].estimate.source == "region"
    add_disruption(
        session,
        shop=shop,
        kind="suspended_route",
        destination="BR",
        starts_on=date(2026, 11, 1),
        source="Correios strike notice",
        now=now,
    )
    blocked = lane_statistics(session, shop=shop, now=now + timedelta(seconds=1), rules=rules, by_region=True)
    assert all(s.estimate.blocked for s in blocked)  # Brazil's restriction covers its states' lanes
