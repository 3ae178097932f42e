"""A SKU's published figures, declared once: `tradewind sku list --json` and `GET /shops/{shop}/skus` write
`SKU` (`service.sku_to_dict`), the SKU's page in the API adds its listings (`LISTING`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tradewind.figure_sets import Figure, FigureSet

if TYPE_CHECKING:
    from tradewind.catalog.models import Listing, Sku

SKU = FigureSet(
    "SkuOut",
    "A SKU of the shop.",
    (
        Figure("code", str, "The SKU's code"),
        Figure("title", str, "The SKU's title"),
        Figure("attributes", dict[str, object], "Its attributes (size, colour, …)"),
        Figure("price", str | None, "Its selling price (exact decimal text)"),
        Figure("currency", str, "The price's currency (ISO 4217)"),
        Figure("unit", str, "What one unit is"),
        Figure("active", bool, "Still sold"),
    ),
)

LISTING = FigureSet(
    "ListingOut",
    "The SKU's listing on a sales channel.",
    (
        Figure("channel", str, "The sales channel"),
        Figure("external_id", str | None, "The listing's id on the channel"),
        Figure("state", str, "The listing's state"),
        Figure("stock_shown", int | None, "The stock the channel shows", "units"),
        Figure("price", str | None, "The price on the channel (exact decimal text)"),
    ),
)


def sku_figures(sku: Sku) -> dict[str, Any]:
    return SKU.publish({f.name: getattr(sku, f.name) for f in SKU.figures} | {"attributes": dict(sku.attributes or {})})


def listing_figures(listing: Listing) -> dict[str, Any]:
    return LISTING.publish({f.name: getattr(listing, f.name) for f in LISTING.figures})
