"""From a shop's plan to purchase orders: which SKUs go on one order to each supplier.

SKUs at or below their reorder point must be ordered now. A SKU of the same supplier that will reach its reorder
point soon joins that order when carrying its stock for the extra days costs less than the shipment it saves
(the seed's batch-shipping point; per-shipment and holding costs are settings). This is the classic
joint-replenishment trade-off in its simplest form (Silver, Pyke & Peterson 1998, §11.3).

An MOQ or pack size never pushes a line beyond the cover cap silently: a pulled-forward line that would is left
for its own order, and a due SKU whose MOQ would (the kernel's `moq_choice`) is put to the seller as a choice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tradewind.config import Settings
from tradewind.money import convert
from tradewind.planning.lead_time import normal_lead_time
from tradewind.planning.service import SkuDecision, SupplyOption
from tradewind.wording import Arg, Joined, Number, Phrase, phrase


@dataclass(frozen=True)
class OrderLine:
    decision: SkuDecision
    quantity: int
    unit_cost: Decimal  # in the offer's currency
    pulled_forward_days: int  # 0 for a SKU due now; else how many days early it joins the order

    @property
    def sku(self) -> str:
        return self.decision.sku.code


@dataclass(frozen=True)
class SupplierOrder:
    option: SupplyOption
    due: date
    lines: list[OrderLine]
    holding_cost: Decimal  # of the lines pulled forward, shop currency
    joined_early: int  # SKUs pulled forward to save the next shipment

    @property
    def total_units(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def total_cost(self) -> Decimal:
        return sum((line.unit_cost * line.quantity for line in self.lines), Decimal(0))


@dataclass(frozen=True)
class SwitchCase:
    """Whether moving a SKU to another supplier for good pays, on both offers' normal terms (no closure, no
    silence): a year of the SKU's demand at the price difference, plus the stock a shorter p90 lead time no longer
    has to hold, minus the extra stock a larger MOQ forces, both carried for a year. Positive pays: permanent."""

    p90_gain_days: float  # the preferred offer's normal p90 − the alternative's (positive: faster)
    unit_cost_change: Decimal  # alternative − preferred, per unit, shop currency
    moq_change: int  # alternative − preferred
    gain_per_year: Decimal  # shop currency

    @property
    def permanent(self) -> bool:
        return self.gain_per_year > 0

    def text(self, preferred: str, alternative: str) -> str:
        return self.phrase(preferred, alternative).english()

    def phrase(self, preferred: str, alternative: str) -> Phrase:
        """The case in one sentence, in the reader's language."""
        terms: list[Arg] = []
        if self.p90_gain_days:
            days = Number.of(abs(self.p90_gain_days), 0, grouped=False)
            terms.append(
                phrase("p90 %(days)s d shorter", days=days)
                if self.p90_gain_days > 0
                else phrase("p90 %(days)s d longer", days=days)
            )
        else:
            terms.append(phrase("no p90 gain"))
        if self.unit_cost_change:
            amount = Number.of(abs(self.unit_cost_change), 2, grouped=False)
            terms.append(
                phrase("%(amount)s dearer a unit", amount=amount)
                if self.unit_cost_change > 0
                else phrase("%(amount)s cheaper a unit", amount=amount)
            )
        if self.moq_change > 0:
            terms.append(phrase("MOQ %(moq)s higher", moq=self.moq_change))
        verdict = (
            phrase("switching for good gains %(amount)s a year", amount=Number.of(self.gain_per_year, 2, grouped=False))
            if self.permanent
            else phrase(
                "for good it would cost %(amount)s a year: this order only, %(preferred)s stays preferred",
                amount=Number.of(-self.gain_per_year, 2, grouped=False),
                preferred=preferred,
            )
        )
        return phrase(
            "On normal terms %(alternative)s has %(terms)s; %(verdict)s",
            alternative=alternative,
            terms=Joined(tuple(terms)),
            verdict=verdict,
        )


def switch_case(
    preferred: SupplyOption, alternative: SupplyOption, demand_per_day: float, *, shop_currency: str, settings: Settings
) -> SwitchCase:
    rates = settings.usd_per_unit
    old_cost = convert(preferred.offer.unit_cost, preferred.offer.currency, shop_currency, rates)
    new_cost = convert(alternative.offer.unit_cost, alternative.offer.currency, shop_currency, rates)
    p90_gain = normal_lead_time(preferred.offer)[1] - normal_lead_time(alternative.offer)[1]
    moq_change = alternative.offer.moq - preferred.offer.moq
    rate = Decimal(str(round(max(demand_per_day, 0.0), 4)))
    holding = settings.holding_cost_rate_per_year
    gain = (
        (old_cost - new_cost) * rate * 365
        + holding * new_cost * rate * Decimal(str(p90_gain))
        - holding * new_cost * max(moq_change, 0) / 2
    )
    return SwitchCase(p90_gain, new_cost - old_cost, moq_change, gain.quantize(Decimal("0.01")))


def round_up(needed: float, moq: int, pack_size: int) -> int:
    if needed <= 0:
        return 0
    pack = max(pack_size, 1)
    return int(math.ceil(max(needed, float(moq)) / pack - 1e-9) * pack)


def fit_to_cover(needed: float, moq: int, pack_size: int, room: float) -> int:
    """`needed` raised to the MOQ and whole packs, or the most whole packs within `room` units (if the MOQ allows)
    when that would exceed it; 0 when no quantity that the supplier accepts fits."""
    quantity = round_up(needed, moq, pack_size)
    if quantity <= room + 1e-9:
        return quantity
    pack = max(pack_size, 1)
    fits = math.floor(max(room, 0.0) / pack + 1e-9) * pack
    return fits if fits > 0 and fits >= moq else 0


def moq_choices(decisions: list[SkuDecision]) -> dict[int, list[SkuDecision]]:
    """Per supplier id, the SKUs due now whose MOQ or pack would buy more than the cover cap: not ordered, put to
    the seller as a choice (negotiate the MOQ, or skip)."""
    found: dict[int, list[SkuDecision]] = {}
    for decision in decisions:
        if decision.chosen is not None and decision.moq_choice > 0 and decision.quantity == 0:
            found.setdefault(decision.chosen.supplier.id, []).append(decision)
    return found


def supplier_orders(
    decisions: list[SkuDecision], *, today: date, shop_currency: str, settings: Settings
) -> list[SupplierOrder]:
    due_now: dict[int, list[SkuDecision]] = {}
    later: dict[int, list[SkuDecision]] = {}
    for decision in decisions:
        option = decision.chosen
        if option is None or decision.purchasing_paused or decision.demand_per_day <= 0:
            continue
        bucket = due_now if decision.quantity > 0 else later
        bucket.setdefault(option.supplier.id, []).append(decision)
    orders = []
    for supplier_id, urgent in sorted(due_now.items()):
        option = urgent[0].chosen
        assert option is not None
        due = min(d.order_by or today for d in urgent)
        lines = [OrderLine(d, d.quantity, _unit_cost(d), 0) for d in urgent]
        # The SKUs due next would go on the next order: pull them forward, soonest first, while carrying them all
        # early costs less than that one shipment.
        holding, joined = Decimal(0), 0
        for candidate in sorted(later.get(supplier_id, []), key=lambda d: (d.order_by or date.max, d.sku.code)):
            line = _pulled_forward(candidate, due, settings)
            if line is None:
                continue
            cost = _holding_cost(line, shop_currency, settings)
            if holding + cost >= settings.shipment_cost:
                break
            lines.append(line)
            holding += cost
            joined += 1
        lines.sort(key=lambda line: (line.pulled_forward_days, line.decision.stockout_on or date.max, line.sku))
        orders.append(SupplierOrder(option, max(due, today), lines, holding, joined))
    return orders


def _unit_cost(decision: SkuDecision) -> Decimal:
    assert decision.chosen is not None
    return decision.chosen.offer.unit_cost


def _pulled_forward(decision: SkuDecision, due: date, settings: Settings) -> OrderLine | None:
    """The line if `decision` were ordered on `due` instead of its own order-by day (within a review horizon)."""
    if decision.order_by is None:
        return None
    early = (decision.order_by - due).days
    if early <= 0 or early > settings.max_cover_days:
        return None
    assert decision.chosen is not None
    offer = decision.chosen.offer
    needed = decision.order_up_to + decision.demand_per_day * early - decision.position
    # Arriving `early` days sooner, the line may hold that many more days of demand, never more.
    room = decision.demand_per_day * (settings.max_cover_days + early) - decision.position
    quantity = fit_to_cover(needed, offer.moq, offer.pack_size, room)
    if quantity <= 0:
        return None
    return OrderLine(decision, quantity, offer.unit_cost, early)


def _holding_cost(line: OrderLine, shop_currency: str, settings: Settings) -> Decimal:
    """Carrying the whole line for the days it arrives early."""
    assert line.decision.chosen is not None
    value = convert(
        line.unit_cost * line.quantity, line.decision.chosen.offer.currency, shop_currency, settings.usd_per_unit
    )
    return value * settings.holding_cost_rate_per_year * line.pulled_forward_days / 365
