"""The buyer messages waiting in the demo shop's inbox: about forty (× scale) from the last three days, each
about the buyer's real order (where is it, nothing moves, it waits at the post office, customs holds it, when do you
ship, change the size, cancel, how to pay, thanks, too small), in the buyer's language or in English."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from numpy.typing import NDArray

from tradewind.demo.carriers import DELIVERED, HELD, PICKUP
from tradewind.demo.geography import DESTINATIONS
from tradewind.demo.orders import AWAITING, DAY, DELIVERED_ORDER, PLACED, SHIPPED, OrderBook
from tradewind.demo.story import DemoStory
from tradewind.demo.voices import MESSAGES
from tradewind.demo.writer import BulkWriter, Row
from tradewind.messaging.models import InboundMessage

# How many messages of each kind a scale-1 shop receives in three days.
SITUATIONS = (
    ("where", 8),
    ("no_updates", 6),
    ("pickup", 4),
    ("held", 3),
    ("when_ship", 5),
    ("change_size", 2),
    ("cancel", 4),
    ("how_to_pay", 3),
    ("thanks", 3),
    ("wrong_size", 2),
)


def _candidates(book: OrderBook, cutoff: float) -> dict[str, NDArray[np.int64]]:
    timeline = book.timeline
    has_events = np.asarray(~np.isnan(timeline).all(axis=1), dtype=np.bool_)
    last_stage = np.where(has_events, np.nanargmax(np.nan_to_num(timeline, nan=-np.inf), axis=1), -1)
    last_event = np.nanmax(np.where(has_events[:, None], timeline, -np.inf), axis=1)
    recent = book.skeleton.placed >= cutoff - 60 * DAY
    in_transit = (book.status == SHIPPED) & recent
    delivered_lately = (book.status == DELIVERED_ORDER) & (book.delivered >= cutoff - 5 * DAY)
    masks = {
        "where": in_transit & (last_event > cutoff - 10 * DAY) & (last_stage < PICKUP),
        "no_updates": in_transit & (last_event <= cutoff - 10 * DAY),
        "pickup": in_transit & (last_stage == PICKUP),
        "held": in_transit & (last_stage == HELD),
        "when_ship": (book.status == AWAITING) & recent,
        "change_size": (book.status == AWAITING) & (book.skeleton.placed >= cutoff - 3 * DAY),
        "cancel": ((book.status == AWAITING) | in_transit) & recent,
        "how_to_pay": book.status == PLACED,
        "thanks": delivered_lately,
        "wrong_size": delivered_lately & (last_stage == DELIVERED),
    }
    return {name: np.flatnonzero(mask) for name, mask in masks.items()}


def write_inbox(
    writer: BulkWriter,
    rng: np.random.Generator,
    book: OrderBook,
    story: DemoStory,
    *,
    shop_id: int,
    first_order_id: int,
    first_buyer_id: int,
    scale: int,
) -> None:
    cutoff = (story.cutoff - story.history_start).total_seconds()
    candidates = _candidates(book, cutoff)
    chosen: list[tuple[str, int]] = []
    taken: set[int] = set()
    for situation, count in SITUATIONS:
        pool = [int(i) for i in rng.permutation(candidates[situation]) if int(i) not in taken]
        for order in pool[: count * scale]:
            taken.add(order)
            chosen.append((situation, order))
    first = writer.reserve_ids(InboundMessage, len(chosen))
    rows: list[Row] = []
    for n, (situation, order) in enumerate(chosen):
        language = DESTINATIONS[int(book.country[order])].language
        by_language = MESSAGES[situation]
        if language not in by_language or rng.random() < 0.15:
            language = "en" if "en" in by_language else sorted(by_language)[0]
        texts = by_language[language]
        number = str(int(book.number[order]))
        text = texts[int(rng.integers(0, len(texts)))].format(number=number, short=number[:4])
        earliest = max(cutoff - 3 * DAY, float(np.nanmax(np.append(book.timeline[order], book.skeleton.placed[order]))))
        received = earliest + float(rng.uniform(0.05, 0.95)) * (cutoff - earliest)
        rows.append(
            {
                "id": first + n,
                "shop_id": shop_id,
                "external_id": f"AE-MSG-{74_000_000 + n * 13 + int(rng.integers(13))}",
                "buyer_id": first_buyer_id + int(book.buyer[order]),
                "order_id": first_order_id + order,
                "received_at": story.history_start + timedelta(seconds=int(received)),
                "text": text,
                "language": None,
                "intent": None,
                "confidence": None,
                "answered_at": None,
            }
        )
    rows.sort(key=lambda row: row["received_at"])
    for offset, row in enumerate(rows):
        row["id"] = first + offset
    writer.write(InboundMessage, rows)
