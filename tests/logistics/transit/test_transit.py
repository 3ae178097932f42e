"""Lane estimates: what was known on a day, parcels in transit as censored observations, borrowing for thin lanes,
the disruption register's effect, reviews as a weak second source, and the shipments file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from tests.logistics.synthetic import SlowdownScenario, generate_shipments
from tradewind.errors import InputFileError
from tradewind.logistics.transit.files import read_reviews_csv, read_shipments_csv
from tradewind.logistics.transit.lanes import (
    Lane,
    LaneRestriction,
    TransitObservations,
    TransitSettings,
    end_of,
    estimate_lanes,
    reviews_as_observations,
    with_restrictions,
)

DATA = Path(__file__).parent / "data"
START = datetime(2024, 1, 1, 10, tzinfo=UTC)
FLAT = TransitSettings(half_life_days=0, min_delivered=3, prior_strength=0)


Shipment = tuple[str, str, str, datetime, datetime | None]


def parcels(lane: tuple[str, str, str], transit_days: Sequence[float | None], *, every: float = 1.0) -> list[Shipment]:
    rows: list[Shipment] = []
    for i, days in enumerate(transit_days):
        shipped = START + timedelta(days=i * every)
        rows.append((*lane, shipped, shipped + timedelta(days=days) if days is not None else None))
    return rows


def test_as_of_ignores_later_hand_overs_and_counts_later_deliveries_as_in_transit() -> None:
    obs = TransitObservations.from_shipments(parcels(("CN", "ES", "std"), [10, 10, 10, 10, 10, 10]))
    as_of = START + timedelta(days=12, hours=1)  # parcels 0–2 delivered (days 10–12), 3–5 travelling
    (estimate,) = estimate_lanes(obs, as_of=as_of, settings=FLAT)
    assert (estimate.n_delivered, estimate.n_in_transit) == (3, 3)
    early = estimate_lanes(obs, as_of=START + timedelta(days=2, hours=1), settings=FLAT)[0]
    assert (early.n_delivered, early.n_in_transit) == (0, 3)  # three handed over by then, none arrived
    assert early.p90_is_lower_bound


def test_parcels_in_transit_keep_the_estimate_honest_in_a_slowdown() -> None:
    # Fast parcels first; then the route slows and the recent ones have not arrived.
    fast = [8.0] * 30
    slow = [25.0] * 20
    obs = TransitObservations.from_shipments(parcels(("CN", "RU", "epacket"), fast + slow))
    as_of = START + timedelta(days=55)
    censored = estimate_lanes(obs, as_of=as_of, settings=TransitSettings(half_life_days=10))[0]
    arrived = obs.delivered <= as_of.timestamp()
    delivered_only = TransitObservations.from_shipments(
        [row for row, keep in zip(parcels(("CN", "RU", "epacket"), fast + slow), arrived, strict=True) if keep]
    )
    naive = estimate_lanes(delivered_only, as_of=as_of, settings=TransitSettings(half_life_days=10))[0]
    assert naive.p90_days is not None and censored.p90_days is not None
    assert censored.p90_days > naive.p90_days + 5


def test_every_lane_gets_an_estimate_and_thin_lanes_say_where_it_comes_from() -> None:
    rows = parcels(("CN", "RU", "epacket"), [15 + (i % 5) for i in range(40)])
    rows += parcels(("CN", "BY", "epacket"), [18])
    rows += parcels(("CN", "BR", "cainiao"), [40])
    obs = TransitObservations.from_shipments(rows)
    found = {e.lane: e for e in estimate_lanes(obs, as_of=START + timedelta(days=90))}
    assert found[Lane("CN", "RU", "epacket")].source == "lane"
    belarus = found[Lane("CN", "BY", "epacket")]
    assert belarus.source == "region" and "CIS" in (belarus.borrowed_from or "")
    assert belarus.p90_days is not None and 15 <= belarus.p90_days <= 25
    brazil = found[Lane("CN", "BR", "cainiao")]
    assert brazil.source == "all" and brazil.borrowed_from == "all lanes"
    # A lane asked for with no parcels at all still gets a (borrowed) estimate.
    (kazakhstan,) = estimate_lanes(obs, as_of=START + timedelta(days=90), lanes=[Lane("CN", "KZ", "epacket")])
    assert kazakhstan.source != "lane" and kazakhstan.p90_days is not None


def test_recent_parcels_weigh_more() -> None:
    rows = parcels(("CN", "ES", "std"), [10.0] * 60 + [20.0] * 15)
    obs = TransitObservations.from_shipments(rows)
    as_of = START + timedelta(days=120)
    recent = estimate_lanes(obs, as_of=as_of, settings=TransitSettings(half_life_days=5, prior_strength=0))[0]
    flat = estimate_lanes(obs, as_of=as_of, settings=TransitSettings(half_life_days=0, prior_strength=0))[0]
    assert recent.p50_days == 20 and flat.p50_days == 10


def test_restrictions_block_and_slow_lanes() -> None:
    obs = TransitObservations.from_shipments(parcels(("CN", "RU", "epacket"), [12.0] * 40))
    as_of = START + timedelta(days=60)
    estimates = estimate_lanes(obs, as_of=as_of)
    lane = Lane("CN", "RU", "epacket")
    slowed = with_restrictions(estimates, obs, {lane: LaneRestriction(False, 10, date(2024, 2, 25), ("flights cut",))})[
        0
    ]
    assert slowed.p90_days == (estimates[0].p90_days or 0) + 10 and slowed.slowed_by_days == 10
    assert slowed.restrictions == ("flights cut",)
    blocked = with_restrictions(estimates, obs, {lane: LaneRestriction(True, 0, None, ("rail suspended",))})[0]
    assert blocked.blocked and blocked.p90_days == estimates[0].p90_days


def test_a_lanes_estimate_is_the_same_bits_alone_or_with_others() -> None:
    """`with_restrictions` estimates every lane slowed since one day in one pass: each lane's figures must be those
    it gets when asked for alone (the wider groups' sums are added in one order whichever lanes are wanted)."""
    rows = parcels(("CN", "RU", "epacket"), [15 + (i % 7) * 0.7 for i in range(40)])
    rows += parcels(("CN", "BY", "epacket"), [18.3, 21.1, 16.9], every=9)
    rows += parcels(("CN", "PT", "epacket"), [13 + (i % 4) * 1.3 for i in range(25)], every=2)
    rows += parcels(("CN", "ES", "epacket"), [11 + (i % 3) * 2.1 for i in range(30)], every=1.5)
    rows += parcels(("CN", "BR", "cainiao"), [40.2, 35.5])
    obs = TransitObservations.from_shipments(rows)
    as_of = START + timedelta(days=45, hours=5)
    lanes = [Lane("CN", "PT", "epacket"), Lane("CN", "BY", "epacket"), Lane("CN", "KZ", "epacket")]
    together = estimate_lanes(obs, as_of=as_of, lanes=lanes)
    for lane, estimate in zip(lanes, together, strict=True):
        (alone,) = estimate_lanes(obs, as_of=as_of, lanes=[lane])
        assert alone == estimate and alone.survival.tobytes() == estimate.survival.tobytes()
    everything = {e.lane: e for e in estimate_lanes(obs, as_of=as_of)}
    for estimate in together[:2]:
        assert everything[estimate.lane].survival.tobytes() == estimate.survival.tobytes()


def test_reviews_are_a_weaker_second_source() -> None:
    shipments = TransitObservations.from_shipments(parcels(("CN", "ES", "std"), [10.0] * 5))
    reviews = reviews_as_observations([("CN", "ES", "std", date(2024, 1, 30), 30)] * 5, review_weight=0.2)
    both = shipments.concat(reviews)
    as_of = end_of(date(2024, 2, 1))
    settings = TransitSettings(half_life_days=0, prior_strength=0)
    alone = estimate_lanes(shipments, as_of=as_of, settings=settings)[0]
    mixed = estimate_lanes(both, as_of=as_of, settings=settings, lanes=[Lane("CN", "ES", "std")])[0]
    assert mixed.n_reviews == 5 and mixed.n_delivered == 5
    assert alone.p50_days == 10 and mixed.p50_days == 10  # five parcels outweigh five reviews at 0.2
    assert mixed.p90_days == 30


def test_the_shipments_file() -> None:
    read = read_shipments_csv(DATA / "shipments.csv")
    obs = read.observations
    assert read.skipped == () and read.rows == 9
    assert obs.size == 9 and np.isnan(obs.delivered).sum() == 2
    assert [lane.destination for lane in obs.lanes()] == ["ES", "RU", "BY"]
    # How far the file's knowledge reaches: S9's delivery, the latest of the hand-overs and deliveries.
    assert obs.latest_moment() == datetime(2024, 1, 31, tzinfo=UTC)
    reviews = read_reviews_csv(DATA / "reviews.csv", review_weight=0.3)
    assert reviews.size == 3 and reviews.is_review.all()


def test_a_bad_shipments_file_reports_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "shipment_id,origin,destination,method,shipped_at,delivered_at\n"
        "S1,CN,Atlantis,epacket,2024-01-02,2024-01-10\n"
        "S2,CN,ES,,yesterday,\n"
        "S3,CN,ES,epacket,2024-01-05,2024-01-01\n",
        encoding="utf-8",
    )
    with pytest.raises(InputFileError) as caught:
        read_shipments_csv(bad)
    where = {(e.line, e.column) for e in caught.value.errors}
    # S3, delivered before it was shipped, is no error for a read-only estimate: it is left out (and named).
    assert where == {(2, "destination"), (3, "method"), (3, "shipped_at")}


def test_the_synthetic_slowdown_is_deterministic() -> None:
    first = generate_shipments(SlowdownScenario(scale=0.2, days=120))
    second = generate_shipments(SlowdownScenario(scale=0.2, days=120))
    assert first.observations.size == second.observations.size > 500
    assert np.array_equal(first.observations.shipped, second.observations.shipped)


def test_a_thin_lane_borrows_its_regions_shape_at_its_own_pace() -> None:
    # Belarus has six parcels, twice as fast as Russia's 150: it borrows how spread out CIS ePacket parcels arrive,
    # not their days.
    spread = np.sin(np.arange(156) * 2.3)
    russia = [round(20 * float(np.exp(0.48 * v)), 1) for v in spread[:150]]
    belarus = [round(10 * float(np.exp(0.48 * v)), 1) for v in spread[150:]]
    rows = parcels(("CN", "RU", "epacket"), russia) + parcels(("CN", "BY", "epacket"), belarus, every=20)
    obs = TransitObservations.from_shipments(rows)
    as_of = START + timedelta(days=175)
    paced = {e.lane: e for e in estimate_lanes(obs, as_of=as_of)}
    as_is = {e.lane: e for e in estimate_lanes(obs, as_of=as_of, settings=TransitSettings(pace_strength=-1))}
    ru, by = Lane("CN", "RU", "epacket"), Lane("CN", "BY", "epacket")
    assert paced[by].source == "region" and as_is[by].source == "region"
    assert as_is[by].p90_days == as_is[ru].p90_days  # Russia's days
    assert (paced[by].p50_days or 0) < (paced[ru].p50_days or 0)
    assert (paced[by].p90_days or 0) < (as_is[by].p90_days or 0) - 5
    assert paced[ru].p90_days == as_is[ru].p90_days  # a busy lane speaks for itself


def test_the_p90_is_read_off_the_predictive_curve() -> None:
    # The plain quantile of a few parcels covers less than it says: the predictive curve lies above the plain one by
    # about (1 − S)/(n + 1), much for eight parcels, little for four hundred.
    def lift(n: int, every: float) -> tuple[float, int, int]:
        rows = parcels(("CN", "ES", "std"), [12 + (i * 5) % 9 for i in range(n)], every=every)
        obs = TransitObservations.from_shipments(rows)
        as_of = START + timedelta(days=n * every + 25)
        flat = TransitSettings(half_life_days=0)
        (predictive,) = estimate_lanes(obs, as_of=as_of, settings=flat)
        (plain,) = estimate_lanes(obs, as_of=as_of, settings=replace(flat, predictive=False))
        assert np.all(predictive.survival >= plain.survival - 1e-12)
        day = (plain.p50_days or 0) + 1
        return float(predictive.survival[day] - plain.survival[day]), predictive.p90_days or 0, plain.p90_days or 0

    few, few_p90, few_plain_p90 = lift(8, 3)
    many, many_p90, many_plain_p90 = lift(400, 0.2)
    assert few > 0.03 and many < few / 5
    assert few_p90 >= few_plain_p90 and many_p90 == many_plain_p90


def test_a_lane_still_travelling_beyond_its_data_gets_a_flagged_extrapolation() -> None:
    # Fifty parcels took 10 days; the thirty since have not arrived, the oldest after 30 days: whatever the p90 is,
    # it is past 30 days, and said to be at least that.
    obs = TransitObservations.from_shipments(parcels(("CN", "ES", "std"), [10.0] * 50 + [None] * 30))
    (estimate,) = estimate_lanes(obs, as_of=START + timedelta(days=80, hours=1))
    assert estimate.p90_is_lower_bound and estimate.longest_in_transit_days == 30
    assert (estimate.p90_days or 0) > 30 and (estimate.p50_days or 0) <= (estimate.p90_days or 0)


def test_a_parcel_silent_for_weeks_is_lost_not_still_travelling() -> None:
    # 35 parcels took 10–13 days (9, 9, 9 and 8 of them); 5 were scanned on day 2 and never heard of again. Months
    # on, the five still count as travelling: S(13) = 5/40, the curve never gets to nine in ten (p90 a lower bound).
    days: list[float | None] = [10.0 + i % 4 for i in range(35)] + [None] * 5
    rows = parcels(("CN", "RU", "epacket"), days, every=0.5)
    news = [(row[4] if row[4] is not None else row[3] + timedelta(days=2)) for row in rows]
    as_of = START + timedelta(days=80)
    settings = TransitSettings(half_life_days=0, prior_strength=0, predictive=False)
    (kept,) = estimate_lanes(TransitObservations.from_shipments(rows), as_of=as_of, settings=settings)
    assert kept.p50_days == 12 and kept.p90_is_lower_bound and kept.days_to_delivery(0.9) is None
    # With their last news known they left the parcels at risk after day 2 (Expired: a competing risk): of the 35
    # left, 26 still travel after day 10 (0.74), 17 after day 11 (0.49: p50 11), 8 after 12, none after 13 (p90 13).
    observations = TransitObservations.from_shipments(rows, last_news=news)
    (lost,) = estimate_lanes(observations, as_of=as_of, settings=settings)
    assert (lost.p50_days, lost.p90_days, lost.p90_is_lower_bound) == (11, 13, False)
    assert lost.days_to_delivery(0.9) == 13
    # Silent for less than `lost_after_days`: still travelling, as before.
    (patient,) = estimate_lanes(observations, as_of=as_of, settings=replace(settings, lost_after_days=90))
    assert patient.p90_is_lower_bound and patient.p50_days == 12


def test_lanes_and_codes_in_first_seen_order_on_random_parcels() -> None:
    """The lanes (with or without reviews) and the category codes as a plain loop over the parcels finds them."""
    from tradewind.logistics.transit.lanes import factorize

    rng = np.random.default_rng(11)
    for n in (0, 1, 7, 2_000):
        origins = [["CN", "ES", "DE"][i] for i in rng.integers(0, 3, n)]
        destinations = [f"C{i}" for i in rng.integers(0, 40, n)]
        methods = [["epacket", "rail", "courier", "unspecified"][i] for i in rng.integers(0, 4, n)]
        review = rng.random(n) < 0.2
        obs = TransitObservations.from_columns(
            origins, destinations, methods, np.zeros(n), np.full(n, np.nan), is_review=review
        )
        for include_reviews in (False, True):
            seen: dict[Lane, None] = {}
            for i in range(n):
                if include_reviews or not review[i]:
                    seen.setdefault(Lane(origins[i], destinations[i], methods[i]), None)
            assert obs.lanes(include_reviews=include_reviews) == list(seen)
        index: dict[str, int] = {}
        codes = [index.setdefault(value, len(index)) for value in destinations]
        names, found = factorize(destinations)
        assert names == tuple(index) and found.tolist() == codes and found.dtype == np.int64
