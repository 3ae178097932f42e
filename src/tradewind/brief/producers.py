"""The producers that speak in the brief. A new kind of action is one more line here, nothing else. Each domain's
`producers` module names all of its producers: the one module of a domain besides its service, schemas and models
that another (this one, alone) may import (pyproject.toml's contract "A domain reaches another only through its
service, schemas or models")."""

from __future__ import annotations

from tradewind.action import ActionProducer
from tradewind.growth.producers import GrowthProducer
from tradewind.logistics.producers import ShipmentWatchProducer, ShippingChoiceProducer
from tradewind.messaging.producers import (
    BannerUpdateProducer,
    CancellationFollowupProducer,
    NotifyDelayProducer,
    ReplyNeededProducer,
    SupplierCheckProducer,
    UnpaidReminderProducer,
    with_buyer_messages,
)
from tradewind.orders.producers import StaleOrdersProducer
from tradewind.planning.producers import ReceiptMissingProducer, ReplenishmentProducer


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
