"""The demo shop's four shoe factories: terms per SKU (cost in CNY, MOQ, pack, lead time, preferred or
alternative), the status reports the seller noted (one closed with a known reopening date, one that stopped
answering) and the WeChat/e-mail thread with each of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import numpy as np
from numpy.typing import NDArray

from tradewind.demo.catalog import Catalog
from tradewind.demo.story import DemoStory
from tradewind.demo.writer import BulkWriter, Row
from tradewind.suppliers.models import (
    MessageDirection,
    Supplier,
    SupplierMessage,
    SupplierStatus,
    SupplierStatusReport,
    SupplyOffer,
)


@dataclass(frozen=True)
class Factory:
    key: str
    code: str
    name: str
    email: str
    processing_days: int
    lead_time_days: int
    alternative: str
    reply_hours: float


FACTORIES: tuple[Factory, ...] = (
    Factory(
        "wenzhou",
        "SUP-WZ-XINDA",
        "温州鹿城鑫达鞋业有限公司 (Wenzhou Xinda Shoes)",
        "sales@xinda-shoes.cn",
        5,
        12,
        "putian",
        8.0,
    ),
    Factory(
        "putian",
        "SUP-PT-HENGDA",
        "莆田市恒达鞋业有限公司 (Putian Hengda Footwear)",
        "hengda_trade@163.com",
        3,
        7,
        "jinjiang",
        3.0,
    ),
    Factory(
        "guangzhou",
        "SUP-GZ-MEILAN",
        "广州市白云区美澜鞋厂 (Guangzhou Meilan Shoe Factory)",
        "meilan.shoes@qq.com",
        4,
        9,
        "putian",
        2.0,
    ),
    Factory(
        "jinjiang",
        "SUP-JJ-ANBU",
        "晋江市安步体育用品有限公司 (Jinjiang Anbu Sports)",
        "export@anbu-sports.com",
        3,
        6,
        "putian",
        4.0,
    ),
)
FACTORY_INDEX = {f.key: i for i, f in enumerate(FACTORIES)}
CLOSED_FACTORY, SILENT_FACTORY = "wenzhou", "guangzhou"
USD_CNY = 7.1
ASKING = (
    "你好，请问{sku}还有货吗？",
    "你好，麻烦报一下下个月的价格，谢谢",
    "请问上次的订单什么时候发货？",
    "你好，我们想补货，请确认一下交期",
    "请问最近原材料涨价了吗？",
    "亲，{sku}的鞋底有开胶的反馈，麻烦注意一下品质",
)
ANSWERS = (
    "有货的，今天可以发",
    "亲，订单明天发出，物流单号稍后发您",
    "价格暂时不变",
    "交期大概7到10天",
    "好的，收到，我们会注意",
    "这个款现在做不了，要等下一批面料",
)
SILENT_ASKS = (
    "你好，请问订单什么时候发货？我们有几个款快断货了",
    "在吗？麻烦回复一下",
    "老板，看到请回电话，急！",
    "Hello, please confirm the shipping date of our order, thanks",
)


@dataclass(frozen=True)
class Sourcing:
    """Who supplies each SKU and on what terms, as arrays over the SKUs."""

    supplier_ids: tuple[int, ...]
    preferred: NDArray[np.int64]
    alternative: NDArray[np.int64]  # -1: none
    unit_cost: NDArray[np.float64]
    moq: NDArray[np.int64]
    pack_size: NDArray[np.int64]
    lead_time_days: NDArray[np.int64]


def _office_hours(day: date, hours: float = 0.0) -> datetime:
    """`hours` after 10:00 in China (02:00 UTC) on `day`."""
    return datetime.combine(day, time(2, 0), tzinfo=UTC) + timedelta(hours=hours)


def write_suppliers(
    writer: BulkWriter, rng: np.random.Generator, catalog: Catalog, story: DemoStory, *, shop_id: int
) -> Sourcing:
    first = writer.reserve_ids(Supplier, len(FACTORIES))
    ids = tuple(first + i for i in range(len(FACTORIES)))
    writer.write(
        Supplier,
        [
            {
                "id": ids[i],
                "shop_id": shop_id,
                "code": f.code,
                "name": f.name,
                "country": "CN",
                "language": "zh",
                "calendar": "CN",
                "email": f.email,
                "processing_days": f.processing_days,
                "active": True,
            }
            for i, f in enumerate(FACTORIES)
        ],
    )
    sourcing = _offers(writer, rng, catalog, ids, shop_id=shop_id)
    _status_reports(writer, story, ids, shop_id=shop_id)
    _threads(writer, rng, catalog, story, ids, shop_id=shop_id)
    return sourcing


def _offers(
    writer: BulkWriter, rng: np.random.Generator, catalog: Catalog, ids: tuple[int, ...], *, shop_id: int
) -> Sourcing:
    models = catalog.models
    cost_share = rng.uniform(0.28, 0.38, len(models))
    moq_choice = rng.choice(np.array([20, 50, 100]), len(models), p=[0.4, 0.4, 0.2])
    pack_choice = rng.choice(np.array([10, 12]), len(models))
    lead_noise = rng.integers(-2, 4, len(models))
    has_alternative = rng.random(len(models)) < np.array([0.35 if m.appeal == "niche" else 0.8 for m in models])
    preferred = np.array([FACTORY_INDEX[catalog.model_of(s).maker] for s in range(catalog.size)], dtype=np.int64)
    alternative = np.full(catalog.size, -1, dtype=np.int64)
    unit_cost = np.empty(catalog.size)
    moq = np.empty(catalog.size, dtype=np.int64)
    pack = np.empty(catalog.size, dtype=np.int64)
    lead = np.empty(catalog.size, dtype=np.int64)
    rows: list[Row] = []
    for s in range(catalog.size):
        m = int(catalog.sku_model[s])
        model = models[m]
        factory = FACTORIES[int(preferred[s])]
        cost = float(model.price) * USD_CNY * cost_share[m]
        unit_cost[s], moq[s], pack[s] = cost, moq_choice[m], pack_choice[m]
        lead[s] = max(3, factory.lead_time_days + int(lead_noise[m]))
        rows.append(
            _offer_row(
                shop_id,
                ids[int(preferred[s])],
                int(catalog.sku_ids[s]),
                cost,
                int(moq[s]),
                int(pack[s]),
                int(lead[s]),
                1,
            )
        )
        if has_alternative[m]:
            alt = FACTORY_INDEX[factory.alternative]
            alternative[s] = alt
            rows.append(
                _offer_row(
                    shop_id,
                    ids[alt],
                    int(catalog.sku_ids[s]),
                    cost * (1.08 + 0.01 * (m % 8)),
                    int(moq[s]) * 2,
                    int(pack[s]),
                    int(lead[s]) + 3 + m % 4,
                    2,
                )
            )
    first = writer.reserve_ids(SupplyOffer, len(rows))
    for offset, row in enumerate(rows):
        row["id"] = first + offset
    writer.write(SupplyOffer, rows)
    return Sourcing(ids, preferred, alternative, unit_cost, moq, pack, lead)


def _offer_row(
    shop_id: int, supplier_id: int, sku_id: int, cost: float, moq: int, pack: int, lead: int, priority: int
) -> Row:
    return {
        "shop_id": shop_id,
        "supplier_id": supplier_id,
        "sku_id": sku_id,
        "unit_cost": Decimal(str(round(cost, 1))).quantize(Decimal("0.01")),
        "currency": "CNY",
        "moq": moq,
        "pack_size": pack,
        "lead_time_days": lead,
        "lead_time_p90_days": lead + 3 + lead // 3,
        "priority": priority,
        "active": True,
    }


def _status_reports(writer: BulkWriter, story: DemoStory, ids: tuple[int, ...], *, shop_id: int) -> None:
    today = story.today
    closure = story.closure
    wz, pt, gz, jj = ids
    reports: list[Row] = []

    def report(
        supplier: int,
        on: date,
        status: SupplierStatus,
        note: str,
        source: str = "supplier (WeChat)",
        **dates: date | None,
    ) -> None:
        reports.append(
            {
                "shop_id": shop_id,
                "supplier_id": supplier,
                "reported_on": on,
                "status": status,
                "closed_from": dates.get("closed_from"),
                "reopens_on": dates.get("reopens_on"),
                "restock_on": dates.get("restock_on"),
                "source": source,
                "note": note,
            }
        )

    if closure.spring_festival is not None:
        planned = closure.spring_festival + timedelta(days=8)
        report(
            wz,
            closure.closed_from - timedelta(days=5),
            SupplierStatus.OPERATING,
            f"春节放假通知：{closure.closed_from.isoformat()}至{planned.isoformat()}放假"
            " / Spring Festival holiday notice",
            closed_from=closure.closed_from,
            reopens_on=planned,
        )
    else:
        report(wz, today - timedelta(days=30), SupplierStatus.OPERATING, "正常生产 / producing normally")
    report(
        wz,
        today - timedelta(days=3),
        SupplierStatus.CLOSED,
        f"{closure.reason_zh} / {closure.reason_en}",
        closed_from=closure.closed_from,
        reopens_on=closure.reopens_on,
        restock_on=closure.restock_on,
    )
    report(pt, today - timedelta(days=10), SupplierStatus.OPERATING, "正常发货 / shipping normally")
    if story.announced_holiday is not None:
        closes, reopens = story.announced_holiday
        report(
            pt,
            today - timedelta(days=4),
            SupplierStatus.OPERATING,
            f"春节放假安排：{closes.isoformat()}至{reopens.isoformat()} / Spring Festival break announced",
            closed_from=closes,
            reopens_on=reopens,
        )
    report(gz, today - timedelta(days=45), SupplierStatus.OPERATING, "正常生产 / producing normally")
    report(
        gz,
        today - timedelta(days=2),
        SupplierStatus.UNKNOWN,
        f"No reply to {len(SILENT_ASKS)} messages since {(today - timedelta(days=7)).isoformat()} "
        "(WeChat, e-mail, phone)",
        source="seller",
    )
    report(jj, today - timedelta(days=20), SupplierStatus.OPERATING, "正常生产 / producing normally")
    first = writer.reserve_ids(SupplierStatusReport, len(reports))
    for offset, row in enumerate(reports):
        row["id"] = first + offset
    writer.write(SupplierStatusReport, reports)


def _threads(
    writer: BulkWriter,
    rng: np.random.Generator,
    catalog: Catalog,
    story: DemoStory,
    ids: tuple[int, ...],
    *,
    shop_id: int,
) -> None:
    """A year of questions and answers; the silent factory's last answer was 9 days ago."""
    today = story.today
    messages: list[Row] = []

    def message(supplier: int, sent_at: datetime, direction: MessageDirection, body: str) -> None:
        messages.append(
            {
                "shop_id": shop_id,
                "supplier_id": supplier,
                "direction": direction,
                "sent_at": sent_at,
                "language": "zh" if not body.startswith("Hello") else "en",
                "body": body,
                "created_at": sent_at,
            }
        )

    for index, factory in enumerate(FACTORIES):
        stop = today - timedelta(days=9 if factory.key == SILENT_FACTORY else 5)
        day = story.first_day + timedelta(days=int(rng.integers(1, 12)))
        while day < stop:
            if factory.key == CLOSED_FACTORY and story.closure.closed_from <= day:
                break
            asked = _office_hours(day, float(rng.uniform(0, 8)))
            sku = catalog.sku_codes[int(rng.integers(0, catalog.size))]
            message(
                ids[index], asked, MessageDirection.OUTGOING, ASKING[int(rng.integers(0, len(ASKING)))].format(sku=sku)
            )
            delay = float(rng.lognormal(np.log(factory.reply_hours), 0.7))
            message(
                ids[index],
                asked + timedelta(hours=delay),
                MessageDirection.INCOMING,
                ANSWERS[int(rng.integers(0, len(ANSWERS)))],
            )
            day += timedelta(days=int(rng.integers(8, 20)))
    closure = story.closure
    wz, gz = ids[FACTORY_INDEX[CLOSED_FACTORY]], ids[FACTORY_INDEX[SILENT_FACTORY]]
    asked = _office_hours(today - timedelta(days=4), 1.5)
    message(wz, asked, MessageDirection.OUTGOING, "你好，请问什么时候复工？我们有几个款快断货了")
    message(
        wz,
        asked + timedelta(hours=20),
        MessageDirection.INCOMING,
        f"我们{closure.reopens_on.isoformat()}复工，{closure.restock_on.isoformat()}左右可以发货。{closure.reason_zh}",
    )
    for n, days_ago in enumerate((7, 5, 3, 1)):
        message(gz, _office_hours(today - timedelta(days=days_ago), 1.0 + n), MessageDirection.OUTGOING, SILENT_ASKS[n])
    first = writer.reserve_ids(SupplierMessage, len(messages))
    for offset, row in enumerate(messages):
        row["id"] = first + offset
    writer.write(SupplierMessage, messages)
