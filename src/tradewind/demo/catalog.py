"""The demo shop's shoe catalog: about twenty models in their colours and EU sizes, listed on AliExpress, with
paid promotion on some best-sellers. At scale K the model range is repeated K times as new product lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import numpy as np
from numpy.typing import NDArray

from tradewind.catalog.models import Listing, ListingState, Product, Promotion, PromotionState, Sku
from tradewind.demo.writer import BulkWriter, Row

CHANNEL = "aliexpress"
COLOUR_NAMES = {
    "BLK": "Black",
    "WHT": "White",
    "PNK": "Pink",
    "BRN": "Brown",
    "BEI": "Beige",
    "GRY": "Grey",
    "RED": "Red",
    "KHA": "Khaki",
    "NAV": "Navy",
    "CLR": "Transparent",
}
SERIES = ("Classic", "Urban", "Comfort", "Lite", "Street", "Vintage", "Soft Step", "Trend", "Air", "Prime")


@dataclass(frozen=True)
class ShoeModel:
    """One model as the seller lists it; `maker` is the key of its preferred supplier."""

    title: str
    category: str
    gender: str
    colours: tuple[str, ...]
    sizes: tuple[int, int]
    price: Decimal
    handling_days: int
    maker: str
    appeal: str  # hit, steady or niche (sparse, lumpy demand)


MODELS: tuple[ShoeModel, ...] = (
    ShoeModel(
        "Women's Chunky Platform Sneakers Breathable Mesh Lace-Up Casual Shoes",
        "sneakers",
        "women",
        ("WHT", "BLK", "PNK"),
        (35, 40),
        Decimal("21.90"),
        3,
        "putian",
        "hit",
    ),
    ShoeModel(
        "Men's Genuine Leather Chelsea Boots Winter Warm Plush Lined Ankle Boots",
        "boots",
        "men",
        ("BLK", "BRN"),
        (39, 44),
        Decimal("46.50"),
        5,
        "wenzhou",
        "hit",
    ),
    ShoeModel(
        "Women's Summer Flat Sandals Soft Sole Open Toe Beach Slides",
        "sandals",
        "women",
        ("BEI", "BLK"),
        (35, 40),
        Decimal("12.90"),
        3,
        "guangzhou",
        "steady",
    ),
    ShoeModel(
        "Men's Split Leather Penny Loafers Slip-On Driving Moccasins",
        "loafers",
        "men",
        ("BRN",),
        (39, 44),
        Decimal("29.90"),
        5,
        "guangzhou",
        "steady",
    ),
    ShoeModel(
        "Women's Knee High Boots Faux Suede Block Heel Winter Boots",
        "boots",
        "women",
        ("BLK",),
        (35, 40),
        Decimal("42.00"),
        5,
        "wenzhou",
        "steady",
    ),
    ShoeModel(
        "Men's Running Shoes Lightweight Breathable Mesh Sports Sneakers",
        "sneakers",
        "men",
        ("GRY", "BLK"),
        (39, 44),
        Decimal("24.90"),
        3,
        "jinjiang",
        "hit",
    ),
    ShoeModel(
        "Women's Pointed Toe Stiletto Pumps Patent Leather Office Heels",
        "heels",
        "women",
        ("BLK",),
        (35, 39),
        Decimal("23.50"),
        5,
        "guangzhou",
        "steady",
    ),
    ShoeModel(
        "Women's Snow Boots Waterproof Fur Lined Mid-Calf Winter Boots",
        "boots",
        "women",
        ("GRY",),
        (36, 40),
        Decimal("33.90"),
        5,
        "wenzhou",
        "steady",
    ),
    ShoeModel(
        "Men's High Top Canvas Sneakers Classic Vulcanized Lace-Up Shoes",
        "sneakers",
        "men",
        ("BLK",),
        (39, 44),
        Decimal("18.90"),
        3,
        "putian",
        "steady",
    ),
    ShoeModel(
        "Women's Ballet Flats Soft Leather Foldable Comfort Shoes",
        "flats",
        "women",
        ("BEI",),
        (35, 40),
        Decimal("15.90"),
        3,
        "guangzhou",
        "steady",
    ),
    ShoeModel(
        "Men's Winter Work Boots Genuine Leather Lace-Up Desert Boots",
        "boots",
        "men",
        ("KHA",),
        (39, 44),
        Decimal("49.90"),
        7,
        "wenzhou",
        "niche",
    ),
    ShoeModel(
        "Women's Wedge Espadrille Sandals Ankle Strap Platform Sandals",
        "sandals",
        "women",
        ("BEI",),
        (35, 39),
        Decimal("17.50"),
        5,
        "guangzhou",
        "niche",
    ),
    ShoeModel(
        "Women's Orthopedic Walking Shoes Wide Fit Bunion Corrector Sneakers",
        "sneakers",
        "women",
        ("GRY",),
        (36, 41),
        Decimal("26.90"),
        5,
        "jinjiang",
        "niche",
    ),
    ShoeModel(
        "Men's Formal Oxford Shoes Genuine Leather Brogue Wedding Shoes",
        "formal",
        "men",
        ("BLK",),
        (39, 44),
        Decimal("39.90"),
        7,
        "wenzhou",
        "niche",
    ),
    ShoeModel(
        "Women's Platform Loafers Chunky Sole Chain Decor Casual Shoes",
        "loafers",
        "women",
        ("BLK",),
        (35, 40),
        Decimal("27.50"),
        5,
        "guangzhou",
        "steady",
    ),
    ShoeModel(
        "Women's Memory Foam House Slippers Warm Plush Indoor Shoes",
        "slippers",
        "women",
        ("PNK",),
        (35, 40),
        Decimal("9.90"),
        3,
        "jinjiang",
        "steady",
    ),
    ShoeModel(
        "Men's Summer Leather Sandals Outdoor Hiking Beach Sandals",
        "sandals",
        "men",
        ("BRN",),
        (39, 45),
        Decimal("19.90"),
        5,
        "guangzhou",
        "steady",
    ),
    ShoeModel(
        "Women's Ankle Boots Chunky Heel Side Zip Martin Boots",
        "boots",
        "women",
        ("BLK", "BRN"),
        (35, 40),
        Decimal("34.90"),
        5,
        "wenzhou",
        "hit",
    ),
    ShoeModel(
        "Women's Clear Strap Transparent High Heel Sandals",
        "heels",
        "women",
        ("CLR",),
        (35, 39),
        Decimal("22.90"),
        5,
        "guangzhou",
        "niche",
    ),
    ShoeModel(
        "Men's Slip-On Sock Sneakers Knit Breathable Walking Shoes",
        "sneakers",
        "men",
        ("BLK", "NAV"),
        (39, 44),
        Decimal("22.50"),
        3,
        "jinjiang",
        "steady",
    ),
)
# Models launched during the year (index in the range of twenty): listed, and selling, only since then.
LAUNCHED_DAYS_AGO = {15: 110, 19: 160}
APPEAL_WEIGHT = {"hit": 16.0, "steady": 1.0, "niche": 0.3}
COLOUR_SHARES = {1: (1.0,), 2: (0.62, 0.38), 3: (0.55, 0.30, 0.15)}


@dataclass(frozen=True)
class Catalog:
    """The SKUs as parallel arrays (index i is the i-th SKU), plus the models they come from."""

    models: tuple[ShoeModel, ...]
    model_codes: tuple[str, ...]
    model_appeal: NDArray[np.float64]
    sku_ids: NDArray[np.int64]
    sku_codes: tuple[str, ...]
    sku_model: NDArray[np.int64]
    sku_size_share: NDArray[np.float64]
    sku_colour_share: NDArray[np.float64]
    sku_price: tuple[Decimal, ...]
    listing_ids: NDArray[np.int64]

    @property
    def size(self) -> int:
        return len(self.sku_codes)

    def model_of(self, sku: int) -> ShoeModel:
        return self.models[int(self.sku_model[sku])]


def model_range(scale: int) -> tuple[ShoeModel, ...]:
    """The twenty models, repeated as further product lines when the shop is scaled up."""
    lines: list[ShoeModel] = list(MODELS)
    for copy in range(1, scale):
        series = SERIES[(copy - 1) % len(SERIES)]
        for model in MODELS:
            lines.append(
                ShoeModel(
                    f"{model.title} ({series} line {copy + 1})",
                    model.category,
                    model.gender,
                    model.colours,
                    model.sizes,
                    model.price,
                    model.handling_days,
                    model.maker,
                    model.appeal,
                )
            )
    return tuple(lines)


def _listed_at(model: int, opened: datetime, today: date) -> datetime:
    """When a model was listed: with the shop, or on its launch day for the models launched this year."""
    days_ago = LAUNCHED_DAYS_AGO.get(model % len(MODELS))
    if days_ago is None:
        return opened
    return datetime.combine(today - timedelta(days=days_ago), time(2, 0), tzinfo=UTC)


def _size_shares(first: int, last: int) -> list[float]:
    """Middle sizes sell more: a bell over the size range."""
    sizes = np.arange(first, last + 1, dtype=np.float64)
    middle = (first + last) / 2
    weights = np.exp(-0.5 * ((sizes - middle) / 1.1) ** 2)
    return [float(w) for w in weights / weights.sum()]


def build_catalog(
    writer: BulkWriter, rng: np.random.Generator, *, shop_id: int, scale: int, created_at: datetime, today: date
) -> Catalog:
    """Write the products and SKUs; return them as arrays for the demand and order generators."""
    models = model_range(scale)
    product_first = writer.reserve_ids(Product, len(models))
    appeal = np.array([APPEAL_WEIGHT[m.appeal] for m in models]) * rng.lognormal(0.0, 0.35, len(models))
    products: list[Row] = []
    skus: list[Row] = []
    codes: list[str] = []
    sku_model: list[int] = []
    size_share: list[float] = []
    colour_share: list[float] = []
    prices: list[Decimal] = []
    model_codes: list[str] = []
    sku_count = sum(len(m.colours) * (m.sizes[1] - m.sizes[0] + 1) for m in models)
    sku_first = writer.reserve_ids(Sku, sku_count)
    for index, model in enumerate(models):
        code = f"SH-{1001 + index}"
        model_codes.append(code)
        products.append(
            {
                "id": product_first + index,
                "shop_id": shop_id,
                "code": code,
                "title": model.title,
                "category": model.category,
            }
        )
        shares = _size_shares(*model.sizes)
        for colour, colour_part in zip(model.colours, COLOUR_SHARES[len(model.colours)], strict=True):
            for offset, size in enumerate(range(model.sizes[0], model.sizes[1] + 1)):
                sku_code = f"{code}-{colour}-{size}"
                skus.append(
                    {
                        "id": sku_first + len(skus),
                        "shop_id": shop_id,
                        "code": sku_code,
                        "product_id": product_first + index,
                        "title": f"{model.title} — {COLOUR_NAMES[colour]}, EU {size}",
                        "attributes": {
                            "colour": COLOUR_NAMES[colour],
                            "size": str(size),
                            "size_system": "EU",
                            "gender": model.gender,
                        },
                        "price": model.price,
                        "currency": "USD",
                        "unit": "pair",
                        "active": True,
                        "created_at": _listed_at(index, created_at, today),
                    }
                )
                codes.append(sku_code)
                sku_model.append(index)
                size_share.append(shares[offset])
                colour_share.append(colour_part)
                prices.append(model.price)
    writer.write(Product, products)
    writer.write(Sku, skus)
    listing_first = writer.reserve_ids(Listing, len(skus))
    return Catalog(
        models=models,
        model_codes=tuple(model_codes),
        model_appeal=appeal,
        sku_ids=np.arange(sku_first, sku_first + len(skus), dtype=np.int64),
        sku_codes=tuple(codes),
        sku_model=np.array(sku_model, dtype=np.int64),
        sku_size_share=np.array(size_share),
        sku_colour_share=np.array(colour_share),
        sku_price=tuple(prices),
        listing_ids=np.arange(listing_first, listing_first + len(skus), dtype=np.int64),
    )


def write_listings(
    writer: BulkWriter,
    catalog: Catalog,
    *,
    shop_id: int,
    stock_shown: NDArray[np.int64],
    updated_at: datetime,
    stale: NDArray[np.bool_],
    stale_since: datetime,
) -> None:
    """One active AliExpress listing per SKU, showing the stock the seller last typed in (for the `stale` ones, at
    `stale_since`: the listing still offers pairs that are gone)."""
    rows: list[Row] = []
    for i in range(catalog.size):
        item = 1005001000000000 + int(catalog.sku_model[i]) * 7919 + 31
        rows.append(
            {
                "id": int(catalog.listing_ids[i]),
                "shop_id": shop_id,
                "sku_id": int(catalog.sku_ids[i]),
                "channel": CHANNEL,
                "external_id": f"{item}:{12000020000000000 + i}",
                "state": ListingState.ACTIVE,
                "stock_shown": int(stock_shown[i]),
                "price": catalog.sku_price[i],
                "updated_at": stale_since if stale[i] else updated_at,
            }
        )
    writer.write(Listing, rows)


def write_promotions(
    writer: BulkWriter,
    rng: np.random.Generator,
    catalog: Catalog,
    *,
    shop_id: int,
    promoted: list[int],
    today: date,
) -> None:
    """Paid promotion on the best-sellers: search ads and affiliate boosts, most still running."""
    first = writer.reserve_ids(Promotion, len(promoted))
    rows: list[Row] = []
    for n, sku in enumerate(promoted):
        ended = n % 7 == 6
        starts = today - timedelta(days=int(rng.integers(20, 120)))
        kind = "Search ads" if n % 2 == 0 else "Affiliate boost 8%"
        rows.append(
            {
                "id": first + n,
                "shop_id": shop_id,
                "listing_id": int(catalog.listing_ids[sku]),
                "name": f"{kind} — {catalog.sku_codes[sku]}",
                "state": PromotionState.ENDED if ended else PromotionState.ACTIVE,
                "daily_budget": Decimal(int(rng.integers(3, 21))).quantize(Decimal("0.01")),
                "currency": "USD",
                "starts_on": starts,
                "ends_on": today - timedelta(days=5) if ended else None,
            }
        )
    writer.write(Promotion, rows)
