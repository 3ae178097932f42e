"""The producers that speak in the brief. A new kind of action is one more line here, nothing else."""

from __future__ import annotations

from tradewind.action import ActionProducer
from tradewind.logistics.producers import ShipmentWatchProducer, ShippingChoiceProducer
from tradewind.messaging.producers import CancellationFollowupProducer, UnpaidReminderProducer
from tradewind.planning.producers import ReplenishmentProducer


def default_producers() -> list[ActionProducer]:
    return [
        ReplenishmentProducer(),
        ShipmentWatchProducer(),
        ShippingChoiceProducer(),
        UnpaidReminderProducer(),
        CancellationFollowupProducer(),
    ]
