"""The producers that speak in the brief. A new kind of action is one more line here, nothing else."""

from __future__ import annotations

from tradewind.action import ActionProducer
from tradewind.growth.producers import GrowthProducer
from tradewind.logistics.producers import ShipmentWatchProducer, ShippingChoiceProducer
from tradewind.messaging.banner import BannerUpdateProducer
from tradewind.messaging.inbox import ReplyNeededProducer
from tradewind.messaging.producers import (
    CancellationFollowupProducer,
    NotifyDelayProducer,
    UnpaidReminderProducer,
    with_buyer_messages,
)
from tradewind.messaging.supplier_checks import SupplierCheckProducer
from tradewind.orders.producers import StaleOrdersProducer
from tradewind.planning.producers import ReplenishmentProducer
from tradewind.planning.receipts import ReceiptMissingProducer


def default_producers() -> list[ActionProducer]:
    return [
        with_buyer_messages(ReplenishmentProducer()),
        with_buyer_messages(ShipmentWatchProducer()),
        with_buyer_messages(ShippingChoiceProducer()),
        UnpaidReminderProducer(),
        CancellationFollowupProducer(),
        NotifyDelayProducer(),
        SupplierCheckProducer(),
        BannerUpdateProducer(),
        ReplyNeededProducer(),
        GrowthProducer(),
        StaleOrdersProducer(),
        ReceiptMissingProducer(),
    ]
