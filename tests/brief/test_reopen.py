"""Reopening a handled action (issue 20): back in the brief with its event in the history; an applied one only with
the undo of what applying it did, by the producer that applied it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories as f
from tests.brief.test_brief import TODAY, boot_short, brief, by_kind, context
from tradewind.brief.models import ActionState
from tradewind.brief.producers import default_producers
from tradewind.brief.service import apply_action, dismiss_action, reopen_action
from tradewind.catalog.models import Sku
from tradewind.errors import InvalidTransitionError
from tradewind.inventory.models import PurchaseOrder, PurchaseOrderState
from tradewind.shops.models import Shop
from tradewind.suppliers.models import Supplier

__all__ = ["boot_short"]


def orders_of(session: Session, shop: Shop) -> list[PurchaseOrder]:
    return list(session.scalars(select(PurchaseOrder).where(PurchaseOrder.shop_id == shop.id)))


def test_reopening_a_restock_cancels_its_purchase_order(
    session: Session, shop: Shop, boot_short: tuple[Sku, Supplier]
) -> None:
    (action,) = by_kind(brief(session, shop), "restock")
    apply_action(session, shop=shop, action_id=action.id, context=context(), producers=default_producers())
    (order,) = orders_of(session, shop)
    assert [o.state for o in orders_of(session, shop)] == [PurchaseOrderState.PLACED]
    record, undone = reopen_action(
        session, shop=shop, action_id=action.id, context=context(), producers=default_producers(), actor="lin"
    )
    assert record.state == ActionState.OPEN and undone == [f"cancelled purchase order {order.code}"]
    assert order.state == PurchaseOrderState.CANCELLED
    last = record.events[-1]
    assert (last.from_state, last.to_state, last.actor) == ("applied", "open", "lin")
    assert last.note == f"reopened; undone: cancelled purchase order {order.code}"
    # Back in the brief (the cancelled order is no stock on order), and applying again places the order again.
    assert [a.id for a in by_kind(brief(session, shop), "restock")] == [action.id]
    _, done = apply_action(session, shop=shop, action_id=action.id, context=context(), producers=default_producers())
    assert done[0].startswith(f"placed purchase order {order.code}")
    assert [o.state for o in orders_of(session, shop)] == [PurchaseOrderState.PLACED]


def test_a_shipped_purchase_order_cannot_be_undone(
    session: Session, shop: Shop, boot_short: tuple[Sku, Supplier]
) -> None:
    (action,) = by_kind(brief(session, shop), "restock")
    apply_action(session, shop=shop, action_id=action.id, context=context(), producers=default_producers())
    (order,) = orders_of(session, shop)
    order.state = PurchaseOrderState.SHIPPED
    with pytest.raises(InvalidTransitionError, match="shipped: it can no longer be cancelled"):
        reopen_action(session, shop=shop, action_id=action.id, context=context(), producers=default_producers())


def test_an_action_whose_messages_were_queued_cannot_be_reopened(session: Session, shop: Shop) -> None:
    sku = f.sku(session, shop)
    f.order(
        session,
        shop,
        [(sku, 1)],
        placed_at=context().now - timedelta(days=2),
        the_buyer=f.buyer(session, shop),
        paid=False,
    )
    (action,) = by_kind(brief(session, shop), "unpaid_reminder")
    apply_action(session, shop=shop, action_id=action.id, context=context(), producers=default_producers())
    with pytest.raises(InvalidTransitionError, match="cannot be called back"):
        reopen_action(session, shop=shop, action_id=action.id, context=context(), producers=default_producers())


def test_a_dismissed_action_reopens(session: Session, shop: Shop, boot_short: tuple[Sku, Supplier]) -> None:
    (action,) = by_kind(brief(session, shop), "restock")
    dismiss_action(session, shop=shop, action_id=action.id, context=context(), reason="later")
    assert by_kind(brief(session, shop), "restock") == []
    record, undone = reopen_action(
        session, shop=shop, action_id=action.id, context=context(), producers=default_producers()
    )
    assert record.state == ActionState.OPEN and undone == [] and record.events[-1].note == "reopened"
    assert [a.id for a in by_kind(brief(session, shop, TODAY), "restock")] == [action.id]
    assert orders_of(session, shop) == []  # reopening a dismissal places nothing
