"""`build_demo_shop`: a realistic AliExpress shoe shop, the same for the same seed, `today` and scale, written
into the caller's transaction (flushed, never committed)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tradewind.config import Settings
from tradewind.db.changes import mark_shop_changed
from tradewind.demo.catalog import build_catalog, write_listings, write_promotions
from tradewind.demo.demand import generate_demand
from tradewind.demo.inbox import write_inbox
from tradewind.demo.lanes import write_disruptions, write_methods
from tradewind.demo.order_rows import write_buyers, write_orders
from tradewind.demo.orders import group_into_orders, simulate_orders
from tradewind.demo.stock import OVERSTOCK, SHORT, ZERO, plan_stock, write_stock, write_warehouses
from tradewind.demo.story import HISTORY_DAYS, DemoStory, story_for
from tradewind.demo.suppliers import (
    CLOSED_FACTORY,
    FACTORIES,
    FACTORY_INDEX,
    SILENT_ASKS,
    SILENT_FACTORY,
    write_suppliers,
)
from tradewind.demo.writer import BulkWriter
from tradewind.errors import ConflictError, ValidationError
from tradewind.logistics.lane_store import rebuild_lane_samples
from tradewind.logistics.outlook_store import rebuild_outlook_inputs
from tradewind.messaging.triage.inbound import triage_inbox
from tradewind.models import Base
from tradewind.planning.demand_store import rebuild_daily_demand
from tradewind.planning.estimate_store import prepare_plan_estimate
from tradewind.shops.models import Shop

DEMO_SHOP_CODE = "demo"
# The stages `progress(stage, done, total)` reports, in order (the orders stage counts orders).
CATALOG_STAGE = "catalog, suppliers"
YEAR_STAGE = "a year of demand"
STOCK_STAGE = "stock, purchases"
INBOX_STAGE = "buyer messages"
MAX_SCALE = 1_000
# One random stream per part of the shop: changing one part leaves the others' rows as they were.
STREAMS = ("catalog", "suppliers", "demand", "orders", "stock", "fates", "buyers", "rows", "inbox", "listing")


@dataclass(frozen=True)
class DemoSummary:
    """What was built: the shop, the rows written per table, and the story in a few lines for the screen."""

    shop_code: str
    shop_id: int
    counts: dict[str, int] = field(default_factory=dict)
    story: tuple[str, ...] = ()
    short_skus: tuple[str, ...] = ()


def build_demo_shop(
    session: Session,
    *,
    seed: int = 7,
    today: date,
    scale: int = 1,
    progress: Callable[[str, int, int], None] | None = None,
    replace: bool = False,
) -> DemoSummary:
    """Build the demo shop "demo" with a year of history ending at `today`.

    Raises ConflictError when the database already holds a shop "demo", unless `replace` is true: then that
    shop and every row that belongs to it are deleted first (in the same transaction).
    """
    if not 1 <= scale <= MAX_SCALE:
        raise ValidationError(f"scale must be between 1 and {MAX_SCALE}, not {scale}")
    existing = session.scalar(select(Shop.id).where(Shop.code == DEMO_SHOP_CODE))
    if existing is not None:
        if not replace:
            raise ConflictError(
                f"this database already holds a shop {DEMO_SHOP_CODE!r}: pass a fresh --db PATH for the demo "
                "(or replace it, which deletes that shop's records)",
                details={"shop": DEMO_SHOP_CODE},
            )
        delete_shop_records(session, existing)
    story = story_for(today)
    rngs = {name: np.random.Generator(np.random.PCG64([seed, n])) for n, name in enumerate(STREAMS)}
    writer = BulkWriter(session, progress)
    writer.report(CATALOG_STAGE, 0, 2)
    shop_id = writer.reserve_ids(Shop, 1)
    writer.write(
        Shop,
        [
            {
                "id": shop_id,
                "code": DEMO_SHOP_CODE,
                "name": "Lucky Step Shoes Store (demo)",
                "currency": "USD",
                "country": "CN",
                "timezone": "Asia/Shanghai",
                "language": "en",
                "platform": "aliexpress",
                "opened_on": story.first_day - timedelta(days=60),
                "created_at": story.history_start - timedelta(days=60),
            }
        ],
    )
    catalog = build_catalog(
        writer,
        rngs["catalog"],
        shop_id=shop_id,
        scale=scale,
        created_at=story.history_start - timedelta(days=30),
        today=story.today,
    )
    writer.report(CATALOG_STAGE, 1, 2)
    sourcing = write_suppliers(writer, rngs["suppliers"], catalog, story, shop_id=shop_id)
    method_ids = write_methods(writer, shop_id=shop_id)
    write_disruptions(writer, story, shop_id=shop_id)
    warehouse_ids = write_warehouses(writer, shop_id=shop_id)
    writer.report(CATALOG_STAGE, 2, 2)

    writer.report(YEAR_STAGE, 0, 1)
    lines = generate_demand(rngs["demand"], catalog, story.first_day, HISTORY_DAYS, scale)
    skeleton = group_into_orders(rngs["orders"], lines)
    plan = plan_stock(rngs["stock"], catalog, skeleton, story, sourcing, scale)
    book = simulate_orders(
        rngs["fates"], skeleton, catalog, story, overseas_skus=plan.overseas, stockout_at=plan.stockout_at, scale=scale
    )
    writer.report(YEAR_STAGE, 1, 1)
    first_buyer = write_buyers(writer, rngs["buyers"], book, shop_id=shop_id)
    first_order = write_orders(
        writer, rngs["rows"], book, catalog, story, shop_id=shop_id, first_buyer_id=first_buyer, method_ids=method_ids
    )
    writer.report(STOCK_STAGE, 0, 1)
    stock = write_stock(
        writer, rngs["stock"], catalog, book, plan, sourcing, story, shop_id=shop_id, warehouse_ids=warehouse_ids
    )
    write_listings(
        writer,
        catalog,
        shop_id=shop_id,
        stock_shown=stock.stock_shown,
        updated_at=story.cutoff - timedelta(hours=1),
        stale=stock.stale_listing,
        stale_since=datetime.combine(story.stocktake_on, time(4, 0), tzinfo=UTC),
    )
    best_sellers = np.argsort(-stock.units_sold_28_days, kind="stable")[: 8 * scale].tolist()
    write_promotions(writer, rngs["listing"], catalog, shop_id=shop_id, promoted=best_sellers, today=story.today)
    writer.report(STOCK_STAGE, 1, 1)
    writer.report(INBOX_STAGE, 0, 1)
    write_inbox(
        writer,
        rngs["inbox"],
        book,
        story,
        shop_id=shop_id,
        first_order_id=first_order,
        first_buyer_id=first_buyer,
        scale=scale,
    )
    writer.finish()
    # The messages arrived before today: their triage is stored as it would have been on arrival (the history ends
    # before today's midnight, the triage's time with it).
    the_shop = session.get(Shop, shop_id)
    assert the_shop is not None
    triaged = story.cutoff - timedelta(minutes=1)
    triage_inbox(session, shop=the_shop, settings=Settings(), now=triaged, with_replies=False)
    # The records came in as imports would bring them, and the stores kept up with them.
    rebuild_lane_samples(session, shop_id=shop_id)
    rebuild_daily_demand(session, shop_id=shop_id)
    rebuild_outlook_inputs(session, shop_id=shop_id)
    # As an import does (importers' prepare_after_fold_in): the plan's demand estimate for today, stored.
    prepare_plan_estimate(session, shop_id=shop_id, today=story.today, settings=Settings())
    writer.report(INBOX_STAGE, 1, 1)
    short = np.flatnonzero((plan.kind == SHORT) | (plan.kind == ZERO))
    return DemoSummary(
        shop_code=DEMO_SHOP_CODE,
        shop_id=shop_id,
        counts=dict(sorted(writer.counts.items())),
        story=_story_lines(
            story,
            short_count=len(short),
            zero_count=int((plan.kind == ZERO).sum()),
            overstock_count=int((plan.kind == OVERSTOCK).sum()),
        ),
        short_skus=tuple(catalog.sku_codes[s] for s in short.tolist()),
    )


def delete_shop_records(session: Session, shop_id: int) -> None:
    """Delete a shop and every row that belongs to it, dependants first."""
    mark_shop_changed(session, shop_id)
    for table in reversed(Base.metadata.sorted_tables):
        if "shop_id" in table.c:
            session.execute(delete(table).where(table.c.shop_id == shop_id))
    session.execute(delete(Shop).where(Shop.id == shop_id))


def _story_lines(story: DemoStory, *, short_count: int, zero_count: int, overstock_count: int) -> tuple[str, ...]:
    closure = story.closure
    closed = FACTORIES[FACTORY_INDEX[CLOSED_FACTORY]].name
    silent = FACTORIES[FACTORY_INDEX[SILENT_FACTORY]].name
    return (
        f"{closed} is closed since {closure.closed_from.isoformat()} ({closure.reason_en}); "
        f"reopens {closure.reopens_on.isoformat()}",
        f"{silent} has not answered the {len(SILENT_ASKS)} messages sent since "
        f"{(story.today - timedelta(days=7)).isoformat()}; its status is unknown",
        f"ePacket capacity cut after flight cancellations since {story.epacket_cut_on.isoformat()}",
        f"China–Russia rail suspended since {story.rail_suspended_on.isoformat()}",
        f"Import restriction for {story.banned_country} since {story.import_ban_on.isoformat()}",
        f"{short_count} SKUs under 7 days of cover ({zero_count} out of stock), {overstock_count} overstocked",
    )
