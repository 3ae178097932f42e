"""An outbox message's published figures, declared once: `GET /shops/{shop}/outbox` (and the drafts, and each
change of a message) write `OUTBOX_MESSAGE`; `tradewind messages list/show/edit --json` write the same figures and
what the command line also shows (`OUTBOX_MESSAGE_DETAIL`: its idempotency key, mail Message-ID, next attempt)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tradewind.figure_sets import Figure, FigureSet
from tradewind.wording import Phrase, phrase

# The delay reasons by their codes, as the English brief lists them ("Delays to mention: customs, flights_cut");
# other languages name them.
REASON_CODES: dict[str, Phrase] = {
    "spring_festival": phrase("spring_festival"),
    "epidemic": phrase("epidemic"),
    "flights_cut": phrase("flights_cut"),
    "customs": phrase("customs"),
    "route_blocked": phrase("route_blocked"),
    "carrier_delay": phrase("carrier_delay"),
}

# The situations by their codes, as the English brief names them in "held back … (pickup_reminder, reply)"; other
# languages say what the message is.
SITUATION_CODES: dict[str, Phrase] = {
    "pickup_reminder": phrase("pickup_reminder"),
    "parcel_inquiry": phrase("parcel_inquiry"),
    "protection_extended": phrase("protection_extended"),
    "reply": phrase("reply"),
    "shipping_delay": phrase("shipping_delay"),
    "order_status": phrase("order_status"),
    "shipping_method_changed": phrase("shipping_method_changed"),
    "out_of_stock": phrase("out_of_stock"),
    "unpaid_reminder": phrase("unpaid_reminder"),
    "cancellation_followup": phrase("cancellation_followup"),
}

OUTBOX_MESSAGE = FigureSet(
    "OutboxOut",
    "A message of the outbox: a draft, queued, sent, failed or cancelled.",
    (
        Figure("id", int, "The message's number"),
        Figure("situation", str, "What it is about (shipping_delay, reply, …)"),
        Figure("recipient_kind", str, "buyer or supplier"),
        Figure("channel", str, "email or export"),
        Figure("address", str | None, "Where it goes"),
        Figure("locale", str, "The language it is written in"),
        Figure("subject", str, "Its subject"),
        Figure("body", str, "Its text"),
        Figure("state", str, "draft, queued, sent, failed or cancelled"),
        Figure("attempts", int, "Delivery attempts so far"),
        Figure("created_at", datetime, "When it was drafted"),
        Figure("sent_at", datetime | None, "When it was sent"),
        Figure("last_error", str | None, "Why the last attempt failed"),
        Figure("action_id", int | None, "The brief's action it belongs to"),
        Figure("edited", bool, "The seller changed its words"),
    ),
)

OUTBOX_MESSAGE_DETAIL = OUTBOX_MESSAGE.pick(
    "OutboxDetailOut",
    "A message of the outbox with its delivery bookkeeping.",
    tuple(f.name for f in OUTBOX_MESSAGE.figures),
    Figure("idempotency_key", str, "The key that keeps it from being drafted twice"),
    Figure("message_id", str | None, "The Message-ID of the mail sent"),
    Figure("next_attempt_at", datetime | None, "When delivery is tried again"),
)


def outbox_values(m: Any) -> dict[str, Any]:
    """A message's raw figures (an `OutboxMessage`, or any row with its columns)."""
    values = {f.name: getattr(m, f.name) for f in OUTBOX_MESSAGE.figures if f.name != "edited"}
    return values | {"edited": m.edited_at is not None}


def outbox_figures(m: Any) -> dict[str, Any]:
    return OUTBOX_MESSAGE.publish(outbox_values(m))


def outbox_detail_figures(m: Any) -> dict[str, Any]:
    """An `OutboxMessage` as the command line shows it."""
    return OUTBOX_MESSAGE_DETAIL.publish(
        outbox_values(m)
        | {
            "idempotency_key": m.idempotency_key,
            "message_id": m.mail_message_id,
            "next_attempt_at": m.next_attempt_at,
        }
    )
