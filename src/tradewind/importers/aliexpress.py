"""AliExpress seller centre "batch export orders" (xlsx, or saved as CSV): headers in the seller centre's language,
often Chinese; one row per order with every item packed in one multi-line cell (`【1】 title`, `(产品属性:…)`,
`(商家编码:SKU)`, `(产品数量:3 pieces)`); no price per item, only the order's money, in USD; dates dotted or dashed,
sometimes with a trailing newline; countries by English name. The same order can appear twice in one file and in
files of overlapping periods: the order number is the key, and the row that comes last wins.

An item's unit price is its share of the product total (the total spread evenly over the units), since the export
gives no other; an item without a seller SKU gets a code made from its title and attributes.

The tracking cell (实际发货物流:运单号) names each parcel as `service:tracking number`, one per line or separated by
commas when an order went in several; a bare number went by the service the buyer chose.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from tradewind.errors import ValidationError
from tradewind.importers import platform_values as pv
from tradewind.importers import values
from tradewind.importers.platform_orders import BuyerDraft, LineDraft, OrderDraft, ParcelDraft
from tradewind.importers.reading import Column, Layout, RecordSource, Row, iter_rows
from tradewind.importers.sources import PlatformRead
from tradewind.orders.models import OrderStatus, PaymentState

LAYOUT = Layout(
    "AliExpress orders",
    (
        Column("order", required=True, aliases=("订单号", "Order ID", "Order No.", "Order Number")),
        Column("status", aliases=("订单状态", "Order Status")),
        Column("placed_at", required=True, aliases=("下单时间", "Order Time", "Order Date", "Created Time")),
        Column("paid_at", aliases=("付款时间", "Payment Time", "Paid Time")),
        Column("product_total", aliases=("产品总金额", "商品总金额", "Product Amount", "Product Total")),
        Column("shipping_total", aliases=("物流费用", "运费", "Shipping Cost", "Logistics Cost")),
        Column("total", aliases=("订单金额", "Order Amount", "Order Total")),
        Column("items", required=True, aliases=("产品信息", "商品信息", "Product Information", "Products")),
        Column("country", aliases=("收货国家", "Receiver Country", "Ship To Country", "Country")),
        Column("shipping_method", aliases=("买家选择物流", "Buyer Selected Shipping", "Shipping Method")),
        Column("tracking", aliases=("实际发货物流:运单号", "实际发货单号", "Tracking Number")),
        Column("ship_by", aliases=("发货期限", "Shipping Deadline", "Ship By")),
        Column("shipped_at", aliases=("发货时间", "Shipping Time", "Shipped Time")),
        Column("buyer", aliases=("买家名称", "买家", "Buyer Name", "Buyer")),
        Column("store_discount", aliases=("店铺优惠", "Store Discount")),
        Column("platform_discount", aliases=("平台优惠", "Platform Discount")),
    ),
    strict=False,
)
_STATUSES: dict[str, tuple[PaymentState, OrderStatus]] = {}
for _names, _meaning in (
    (("等待买家付款", "awaiting payment", "waiting for buyer payment"), (PaymentState.UNPAID, OrderStatus.PLACED)),
    (
        ("等待您发货", "等待卖家发货", "部分发货", "买家申请取消", "awaiting shipment", "waiting for your shipment"),
        (PaymentState.PAID, OrderStatus.AWAITING_SHIPMENT),
    ),
    (
        ("等待买家收货", "已发货", "awaiting buyer confirmation", "awaiting delivery", "shipped"),
        (PaymentState.PAID, OrderStatus.SHIPPED),
    ),
    (("交易完成", "已完成", "completed", "finished"), (PaymentState.PAID, OrderStatus.DELIVERED)),
    (("订单关闭", "交易关闭", "closed", "order closed"), (PaymentState.UNPAID, OrderStatus.CLOSED)),
    (("已取消", "cancelled", "canceled"), (PaymentState.UNPAID, OrderStatus.CANCELLED)),
):
    for _name in _names:
        _STATUSES[_name] = _meaning
_ITEM_START = re.compile(r"^\s*【\s*\d+\s*】\s*(.*)$")
_FIELD = re.compile(r"^\s*[（(]\s*([^:：]+)[:：]\s*(.*?)\s*[)）]\s*$")
_SKU_NAMES = frozenset({"商家编码", "merchant sku", "sku code", "sku", "seller sku"})
_QUANTITY_NAMES = frozenset({"产品数量", "数量", "quantity", "product quantity"})
_ATTRIBUTE_NAMES = frozenset({"产品属性", "商品属性", "product properties", "properties", "attributes"})
_PARCEL_SEPARATORS = re.compile(r"[\n;,；，]+")
_TRACKING_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{4,39}")
_UNITS = re.compile(r"^\s*(\d+)\s*(pieces?|pcs|sets?|lots?|pairs?|件|个|双|套|批)?\s*$", re.IGNORECASE)


def read(context: PlatformRead, source: RecordSource) -> dict[str, OrderDraft]:
    table = context.table
    moment = pv.moment_in(context.zone)
    currency = context.stated_currency or "USD"
    drafts: dict[str, OrderDraft] = {}
    if "product_total" not in table.present and "total" not in table.present:
        table.error(
            1,
            "product_total",
            "no money column: expected 产品总金额 (product total) or 订单金额 (order total), or map one with "
            "--mapping: without it every price would be 0",
        )
        table.raise_if_errors()
    for row in iter_rows(source):
        context.progress_advance(1)
        number = table.value(row, "order", values.text(64), required=True)
        if number is None:
            continue
        number = number.lstrip("'")
        draft = OrderDraft(number, row.line, currency=currency)
        draft.placed_at = table.value(row, "placed_at", moment, required=True)
        draft.paid_at = table.value(row, "paid_at", moment)
        draft.shipping_total = table.value(row, "shipping_total", pv.money) or Decimal(0)
        draft.total = table.value(row, "total", pv.money)
        draft.shipping_method = table.value(row, "shipping_method", values.text(64))
        draft.ship_by = table.value(row, "ship_by", _day(context))
        shipped_at = table.value(row, "shipped_at", moment)
        _status(row, draft, shipped_at)
        draft.destination_country = _country(context, row)
        buyer = row.cells.get("buyer", "").strip()
        if buyer:
            country = draft.destination_country
            draft.buyer = BuyerDraft(
                buyer[:100], name=buyer[:200], country=country, language=pv.likely_language(country)
            )
        product_total = table.value(row, "product_total", pv.money)
        _items(context, row, draft, product_total)
        _parcels(context, row, draft)
        drafts[number] = draft  # a repeated order: the later row wins
    return drafts


def _day(context: PlatformRead) -> Callable[[str], date]:
    """The ship-by deadline: the day in the shop's time zone."""
    moment = pv.moment_in(context.zone)

    def parse(value: str) -> date:
        return moment(value).astimezone(context.zone).date()

    return parse


def _status(row: Row, draft: OrderDraft, shipped_at: datetime | None) -> None:
    text = row.cells.get("status", "").strip().lower()
    known = _STATUSES.get(text)
    if known is not None:
        draft.payment_state, draft.status = known
        if draft.status == OrderStatus.CLOSED and draft.paid_at is not None:
            draft.payment_state, draft.status = PaymentState.REFUNDED, OrderStatus.CANCELLED
    if draft.paid_at is not None and draft.payment_state == PaymentState.UNPAID and draft.status != OrderStatus.CLOSED:
        draft.payment_state = PaymentState.PAID
    if draft.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        draft.shipped_at = shipped_at or draft.paid_at or draft.placed_at
    if draft.status == OrderStatus.CANCELLED:
        draft.cancelled_at = draft.placed_at


def _country(context: PlatformRead, row: Row) -> str | None:
    text = row.cells.get("country") or context.default_country
    if not text:
        return None
    try:
        return pv.country_code(text)
    except ValidationError as problem:
        context.error(row.line, "country", problem.message)
        return None


def _items(context: PlatformRead, row: Row, draft: OrderDraft, product_total: Decimal | None) -> None:
    cell = row.cells.get("items", "")
    parsed: list[tuple[str, str, int]] = []
    for title, fields in _blocks(cell):
        quantity_text = next((v for k, v in fields.items() if k in _QUANTITY_NAMES), "1")
        match = _UNITS.match(quantity_text)
        if match is None:
            context.error(row.line, "items", f"item {title!r}: the quantity {quantity_text!r} is not a number of units")
            continue
        sku = next((v for k, v in fields.items() if k in _SKU_NAMES), "").strip()
        attributes = next((v for k, v in fields.items() if k in _ATTRIBUTE_NAMES), "")
        if len(sku) > 64:
            context.error(row.line, "items", f"item {title!r}: the SKU is longer than 64 characters")
            continue
        parsed.append((sku or pv.derived_sku(f"{title} {attributes}".strip()), title, int(match.group(1))))
    if not parsed:
        if cell.strip() or "items" in context.table.present:
            context.error(row.line, "items", f"order {draft.number!r} lists no item (expected blocks such as 【1】 …)")
        return
    units = sum(quantity for _, _, quantity in parsed)
    goods = product_total
    if goods is None and draft.total is not None:
        goods = max(Decimal(0), draft.total - draft.shipping_total)
    if goods is None:
        context.warn("orders without a product total or order total (their items' price is 0)")
    unit_price = (goods / units).quantize(Decimal("0.0001")) if goods is not None and units else Decimal(0)
    for sku, title, quantity in parsed:
        draft.lines.append(LineDraft(row.line, sku, title, quantity, unit_price))


def _parcels(context: PlatformRead, row: Row, draft: OrderDraft) -> None:
    for part in _PARCEL_SEPARATORS.split(row.cells.get("tracking", "")):
        text = part.strip()
        if not text:
            continue
        service, _, number = text.replace("：", ":").rpartition(":")  # a service's name may hold a colon too
        number = number.strip()
        if not _TRACKING_NUMBER.fullmatch(number):
            context.error(
                row.line,
                "tracking",
                f"{text!r} is not a parcel: write service:tracking number (e.g. AliExpress Standard Shipping:"
                "LP00123456789), the number being 5 to 40 letters, digits or dashes",
            )
            continue
        draft.parcels.append(ParcelDraft(number, service.strip()[:64] or draft.shipping_method))
    if draft.parcels and draft.destination_country is None and not row.cells.get("country", "").strip():
        context.error(row.line, "country", f"order {draft.number!r} was shipped, but to which country is not said")


def _blocks(cell: str) -> list[tuple[str, dict[str, str]]]:
    """(title, {field: value}) of each item block in a packed cell."""
    blocks: list[tuple[str, dict[str, str]]] = []
    for raw in cell.replace("\r", "").split("\n"):
        start = _ITEM_START.match(raw)
        if start is not None:
            blocks.append((start.group(1).strip(), {}))
            continue
        field = _FIELD.match(raw)
        if field is not None and blocks:
            blocks[-1][1][field.group(1).strip().lower()] = field.group(2)
    return blocks
