"""The shipping methods the demo shop uses and the disruptions on its lanes: ePacket capacity cut after the
flight cancellations, the China–Russia rail suspended, and an import restriction in one destination."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from tradewind.demo.carriers import METHODS
from tradewind.demo.story import DemoStory
from tradewind.demo.writer import BulkWriter, Row
from tradewind.logistics.models import Disruption, DisruptionKind, ShippingMethod


def write_methods(writer: BulkWriter, *, shop_id: int) -> list[int]:
    """One row per method; returns their ids in the order of `METHODS`."""
    first = writer.reserve_ids(ShippingMethod, len(METHODS))
    writer.write(
        ShippingMethod,
        [
            {
                "id": first + i,
                "shop_id": shop_id,
                "code": m.code,
                "name": m.name,
                "carrier": m.carrier,
                "mode": m.mode,
                "tracked": True,
            }
            for i, m in enumerate(METHODS)
        ],
    )
    return [first + i for i in range(len(METHODS))]


def write_disruptions(writer: BulkWriter, story: DemoStory, *, shop_id: int) -> None:
    def noted(day: date) -> datetime:
        return datetime.combine(day, time(3, 0), tzinfo=UTC)

    rows: list[Row] = [
        {
            "kind": DisruptionKind.CAPACITY_CUT,
            "origin_country": "CN",
            "destination_country": None,
            "method_code": "EPACKET",
            "starts_on": story.epacket_cut_on,
            "ends_on": None,
            "extra_days": 15,
            "source": "China Post notice: airlines suspended most passenger flights from mainland China, ePacket air "
            "capacity cut; expect 15+ extra days in transit",
            "created_at": noted(story.epacket_cut_on),
        },
        {
            "kind": DisruptionKind.SUSPENDED_ROUTE,
            "origin_country": "CN",
            "destination_country": "RU",
            "method_code": "RAIL_CN_RU",
            "starts_on": story.rail_suspended_on,
            "ends_on": None,
            "extra_days": None,
            "source": "Russian Railways: China–Russia rail freight suspended at the Zabaikalsk crossing "
            "(AliExpress seller notice; 俄罗斯暂停中俄铁路运输)",
            "created_at": noted(story.rail_suspended_on),
        },
        {
            "kind": DisruptionKind.IMPORT_BAN,
            "origin_country": "CN",
            "destination_country": story.banned_country,
            "method_code": None,
            "starts_on": story.import_ban_on,
            "ends_on": None,
            "extra_days": None,
            "source": "Israel Post / Israel Tax Authority: parcels from China held at customs pending new import rules "
            "(AliExpress logistics announcement)",
            "created_at": noted(story.import_ban_on),
        },
    ]
    first = writer.reserve_ids(Disruption, len(rows))
    for offset, row in enumerate(rows):
        row["id"] = first + offset
        row["shop_id"] = shop_id
    writer.write(Disruption, rows)
