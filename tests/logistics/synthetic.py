"""Deterministic synthetic shipments and tracking texts, for the benchmarks, the backtest and tests.

Shipments: lanes from China to a spread of countries by the methods small sellers use, each with a log-normal
transit time, a daily volume (some lanes busy, some thin), a cost, and a slowdown: from `slowdown_starts` for
`slowdown_days` days the ePacket flights are cut, and a parcel on an affected lane then moves at a fraction of its
usual pace — parcels already in flight are slowed too, as in 2020. Nothing here touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

import numpy as np

from tradewind.logistics.transit.lanes import DAY_SECONDS, TransitObservations
from tradewind.logistics.transit.survival import FloatArray, IntArray


@dataclass(frozen=True)
class LaneProfile:
    origin: str
    destination: str
    method: str
    parcels_per_day: float
    median_days: float
    spread: float  # log-normal sigma
    cost: float


METHOD_SHAPES: dict[str, tuple[float, float, float]] = {
    # method: (median days, log-normal sigma, cost USD)
    "epacket": (13.0, 0.30, 3.2),
    "aliexpress-standard": (17.0, 0.28, 2.6),
    "china-post-ordinary": (28.0, 0.42, 1.4),
    "cainiao-economy": (22.0, 0.38, 1.9),
    "dhl-express": (6.0, 0.25, 18.0),
}
# Destination: (how busy it is, how much slower than the method's median).
DESTINATIONS: dict[str, tuple[float, float]] = {
    "RU": (8.0, 1.25),
    "UA": (3.0, 1.2),
    "BY": (0.6, 1.2),
    "KZ": (0.4, 1.3),
    "ES": (4.0, 1.0),
    "FR": (3.0, 1.0),
    "DE": (2.5, 0.95),
    "IT": (2.0, 1.1),
    "PL": (2.0, 1.0),
    "NL": (1.0, 0.9),
    "US": (3.0, 0.95),
    "BR": (2.0, 1.6),
    "CL": (0.5, 1.5),
    "IL": (1.5, 1.1),
    "KR": (1.0, 0.8),
}
METHOD_SHARE = {
    "epacket": 0.35,
    "aliexpress-standard": 0.3,
    "china-post-ordinary": 0.15,
    "cainiao-economy": 0.15,
    "dhl-express": 0.05,
}


def default_lanes(scale: float = 1.0) -> list[LaneProfile]:
    lanes = []
    for destination, (volume, slowness) in DESTINATIONS.items():
        for method, share in METHOD_SHARE.items():
            median, spread, cost = METHOD_SHAPES[method]
            lanes.append(
                LaneProfile(
                    "CN", destination, method, volume * share * scale, median * slowness, spread, cost * slowness
                )
            )
    return lanes


@dataclass(frozen=True)
class SlowdownScenario:
    """A year of shipments with one disruption: ePacket (air) parcels crawl while flights are cut."""

    first_day: date = date(2024, 1, 1)
    days: int = 300
    seed: int = 20200131
    scale: float = 1.0
    slowdown_starts: int = 150  # day number
    slowdown_days: int = 45
    slowdown_methods: tuple[str, ...] = ("epacket",)
    slowdown_pace: float = 0.35  # share of the usual pace while it lasts
    lost_share: float = 0.004
    lanes: list[LaneProfile] = field(default_factory=list)

    def lane_profiles(self) -> list[LaneProfile]:
        return self.lanes or default_lanes(self.scale)

    def day(self, number: int) -> date:
        return date.fromordinal(self.first_day.toordinal() + number)


@dataclass(frozen=True)
class SyntheticShipments:
    observations: TransitObservations  # everything, with true delivery times (NaN: lost)
    lane_of: IntArray
    lanes: list[LaneProfile]
    cost: FloatArray

    def as_rows(self) -> list[tuple[str, str, str, str, datetime, datetime | None]]:
        """(shipment id, origin, destination, method, shipped_at, delivered_at) rows, for a CSV."""
        obs = self.observations
        rows = []
        for i in range(obs.size):
            delivered = obs.delivered[i]
            rows.append(
                (
                    f"S{i:07d}",
                    obs.origins[obs.origin_code[i]],
                    obs.destinations[obs.destination_code[i]],
                    obs.methods[obs.method_code[i]],
                    datetime.fromtimestamp(float(obs.shipped[i]), UTC),
                    None if np.isnan(delivered) else datetime.fromtimestamp(float(delivered), UTC),
                )
            )
        return rows


def generate_shipments(scenario: SlowdownScenario | None = None) -> SyntheticShipments:
    plan = scenario or SlowdownScenario()
    rng = np.random.default_rng(plan.seed)
    lanes = plan.lane_profiles()
    start = datetime.combine(plan.first_day, time(0, 0), tzinfo=UTC).timestamp()
    per_lane_day = rng.poisson([[lane.parcels_per_day] * plan.days for lane in lanes])
    lane_of = np.repeat(np.arange(len(lanes)), per_lane_day.sum(axis=1))
    day_of = np.concatenate([np.repeat(np.arange(plan.days), row) for row in per_lane_day]).astype(np.float64)
    shipped_days = day_of + rng.uniform(0.3, 0.8, lane_of.shape[0])  # handed over during the working day
    medians = np.array([lane.median_days for lane in lanes])[lane_of]
    spreads = np.array([lane.spread for lane in lanes])[lane_of]
    usual = medians * np.exp(spreads * rng.standard_normal(lane_of.shape[0]))
    affected = np.array([lane.method in plan.slowdown_methods for lane in lanes])[lane_of]
    arrival_days = _arrival(shipped_days, usual, affected, plan)
    arrival_days[rng.random(lane_of.shape[0]) < plan.lost_share] = np.nan
    order = np.argsort(shipped_days, kind="stable")
    observations = TransitObservations.from_columns(
        [lanes[i].origin for i in lane_of[order]],
        [lanes[i].destination for i in lane_of[order]],
        [lanes[i].method for i in lane_of[order]],
        start + shipped_days[order] * DAY_SECONDS,
        start + arrival_days[order] * DAY_SECONDS,
    )
    costs = np.array([lane.cost for lane in lanes])[lane_of[order]]
    return SyntheticShipments(observations, lane_of[order], lanes, costs)


def _arrival(shipped: FloatArray, usual: FloatArray, affected: np.ndarray, plan: SlowdownScenario) -> FloatArray:
    """Calendar day of arrival: the parcel needs `usual` days of progress; during the slowdown, affected parcels
    progress at `slowdown_pace` per day (so parcels already in flight are delayed too)."""
    arrival = shipped + usual
    if not affected.any():
        return arrival
    a, b, pace = float(plan.slowdown_starts), float(plan.slowdown_starts + plan.slowdown_days), plan.slowdown_pace
    # Progress clock P(t): t before a, a + pace·(t − a) inside, then a + pace·(b − a) + (t − b) after.
    grid = np.array([0.0, a, b, b + 10_000.0])
    progress = np.array([0.0, a, a + pace * (b - a), a + pace * (b - a) + 10_000.0])
    start_progress = np.interp(shipped[affected], grid, progress)
    arrival[affected] = np.interp(start_progress + usual[affected], progress, grid)
    return arrival


# --- tracking texts -----------------------------------------------------------------------------------------------

EVENT_TEMPLATES: tuple[str, ...] = (
    "Shipment information received by warehouse electronically",
    "Package ready for shipping from warehouse",
    "Received by logistics company",
    "[{city_cn}] Processing at sorting center",
    "[{city_cn}] Departed from sorting center",
    "Arrived at departure transport hub",
    "Export customs clearance started",
    "Export customs clearance complete",
    "Leaving from departure country/region",
    "Departed from departure country/region",
    "Arrived at linehaul office",
    "Import customs clearance started",
    "Import customs clearance complete",
    "Arrived at Sort Facility {city_en}",
    "Departed Facility in {city_en}",
    "Out for delivery",
    "Delivered, In/At Mailbox {city_en} {postcode}",
    "Delivery attempt failed: addressee absent",
    "Available for pickup at post office {city_en} {postcode}",
    "Прием, {city_ru} {postcode}",
    "Покинуло место международного обмена, {city_ru} {postcode}",
    "Прибыло в место международного обмена, {city_ru} {postcode}",
    "Таможенное оформление завершено, {city_ru} {postcode}",
    "Прибыло в сортировочный центр, {city_ru} {postcode}",
    "Прибыло в место вручения, {city_ru} {postcode}",
    "Вручение адресату, {city_ru} {postcode}",
    "Неудачная попытка вручения, {city_ru} {postcode}",
    "Відправлення надійшло до відділення, {city_ru} {postcode}",
    "Вручено, {city_ru} {postcode}",
    "快件已到达【{city_cn}转运中心】",
    "快件离开【{city_cn}转运中心】已发往【{city_cn}】",
    "已签收,签收人:本人",
    "派送中,快递员电话{postcode}",
    "En tránsito {city_en}",
    "Admitido en {city_en} {postcode}",
    "Entregado {city_en}",
    "Disponible para recoger en oficina {city_en} {postcode}",
    "Objeto em trânsito - por favor aguarde",
    "Objeto saiu para entrega ao destinatário",
    "Objeto entregue ao destinatário",
    "Votre colis est en cours d'acheminement",
    "Votre colis est livré",
    "Die Sendung wurde im Start-Paketzentrum bearbeitet",
    "Die Sendung wurde erfolgreich zugestellt",
    "In consegna {city_en}",
    "Przesyłka doręczona {postcode}",
    "הפריט נמסר לנמען",
    "배달완료",
    "EMS item {postcode} status check",
    "Carrier note: preMainCode:LP{postcode}CN",
)
CITIES_EN = ("SHENZHEN", "GUANGZHOU", "Madrid", "Paris", "Berlin", "Warszawa", "Roma", "Tel Aviv", "Seoul", "Houston")
CITIES_RU = ("Москва", "Санкт-Петербург", "Новосибирск", "Екатеринбург", "Казань", "Київ", "Минск", "Алматы")
CITIES_CN = ("深圳", "广州", "义乌", "上海", "东莞", "沙田镇")


def generate_event_texts(count: int, *, seed: int = 7, distinct_postcodes: int = 5000) -> list[str]:
    """`count` raw event texts as carriers write them: a few dozen templates, with places and postcodes."""
    rng = np.random.default_rng(seed)
    template = rng.integers(0, len(EVENT_TEMPLATES), count)
    city_en = rng.integers(0, len(CITIES_EN), count)
    city_ru = rng.integers(0, len(CITIES_RU), count)
    city_cn = rng.integers(0, len(CITIES_CN), count)
    postcode = 100000 + rng.integers(0, distinct_postcodes, count)
    return [
        EVENT_TEMPLATES[t].format(city_en=CITIES_EN[e], city_ru=CITIES_RU[r], city_cn=CITIES_CN[c], postcode=p)
        for t, e, r, c, p in zip(
            template.tolist(), city_en.tolist(), city_ru.tolist(), city_cn.tolist(), postcode.tolist(), strict=True
        )
    ]
