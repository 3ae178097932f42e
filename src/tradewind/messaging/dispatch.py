"""Sending the outbox: the job that runs after the brief's transaction has committed.

It owns its transactions, one small one per step: claim a due message (and count the attempt), commit; send it
outside any transaction; record the outcome, commit. A process killed at any point leaves the database in one of
three states, each of which the next run handles: not claimed (sent later), claimed with a live lease (left alone
until the lease expires, then sent again with the same Message-ID), recorded (never sent again). See
docs/messaging.md for the guarantee.

Export is different: the seller pastes the file into the platform, so writing it marks the messages sent.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from tradewind.db.session import transaction
from tradewind.logging import get_logger
from tradewind.messaging.channels import Channel, SendFailure, SmtpChannel, export_row
from tradewind.messaging.mail_server import shop_mail_settings
from tradewind.messaging.models import OutboxMessage, OutboxState
from tradewind.messaging.outbox import claim_due, record_failure, record_sent, transition
from tradewind.messaging.settings import MessagingSettings
from tradewind.orders.models import Buyer, Order
from tradewind.shops.models import Shop
from tradewind.suppliers.models import Supplier


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    errors: dict[int, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {"sent": self.sent, "retrying": self.retrying, "failed": self.failed, "errors": self.errors}


def deliver_outbox(
    sessions: sessionmaker[Session],
    *,
    channel: Channel,
    settings: MessagingSettings,
    clock: Callable[[], datetime],
    shop_id: int | None = None,
    worker: str | None = None,
    limit: int | None = None,
) -> DeliveryReport:
    """Send due messages of `channel` one by one until none is due (or `limit` were tried)."""
    name = worker or worker_name()
    lease = timedelta(seconds=settings.delivery_lease_seconds)
    log = get_logger(__name__, worker=name, channel=channel.name)
    report = DeliveryReport()
    tried = 0
    try:
        while limit is None or tried < limit:
            with transaction(sessions) as session:
                claimed = claim_due(
                    session, worker=name, now=clock(), lease=lease, channel=channel.name, shop_id=shop_id
                )
            if not claimed:
                break
            envelope = claimed[0]
            tried += 1
            try:
                note = channel.send(envelope, now=clock())
            except SendFailure as failure:
                with transaction(sessions) as session:
                    state = record_failure(
                        session,
                        message_id=envelope.id,
                        worker=name,
                        now=clock(),
                        error=failure.reason,
                        permanent=failure.permanent,
                        max_attempts=settings.delivery_max_attempts,
                    )
                (report.failed if state == OutboxState.FAILED else report.retrying).append(envelope.id)
                report.errors[envelope.id] = failure.reason
                log.warning("send failed", extra={"message": envelope.id, "error": failure.reason})
                continue
            with transaction(sessions) as session:
                record_sent(session, message_id=envelope.id, worker=name, now=clock(), note=note)
            report.sent.append(envelope.id)
    finally:
        channel.close()
    return report


@dataclass
class MailRun:
    """One pass over every shop's due e-mail: what was sent, and the shops whose e-mail waits for a mail server."""

    report: DeliveryReport = field(default_factory=DeliveryReport)
    by_shop: dict[int, DeliveryReport] = field(default_factory=dict)
    waiting_shops: list[int] = field(default_factory=list)


def shops_with_due_mail(session: Session, *, now: datetime) -> list[int]:
    return list(
        session.scalars(
            select(OutboxMessage.shop_id)
            .where(
                OutboxMessage.state == OutboxState.QUEUED,
                OutboxMessage.channel == "email",
                or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
            )
            .distinct()
            .order_by(OutboxMessage.shop_id)
        )
    )


def deliver_mail_of_shops(
    sessions: sessionmaker[Session],
    *,
    base: MessagingSettings,
    clock: Callable[[], datetime],
    shop_ids: list[int] | None = None,
    worker: str | None = None,
) -> MailRun:
    """Send the due e-mail of each shop (all with some, or `shop_ids`) through that shop's own mail server, or the
    environment's when it has none; a shop with neither keeps its e-mail queued and is listed as waiting."""
    run = MailRun()
    with transaction(sessions) as session:
        due = shops_with_due_mail(session, now=clock())
        wanted = [i for i in due if shop_ids is None or i in shop_ids]
        settings_of = {i: shop_mail_settings(session, shop_id=i, base=base) for i in wanted}
    for shop_id, settings in settings_of.items():
        if settings is None:
            run.waiting_shops.append(shop_id)
            continue
        report = deliver_outbox(
            sessions, channel=SmtpChannel(settings), settings=settings, clock=clock, shop_id=shop_id, worker=worker
        )
        run.by_shop[shop_id] = report
        run.report.sent += report.sent
        run.report.retrying += report.retrying
        run.report.failed += report.failed
        run.report.errors |= report.errors
    return run


def export_outbox(
    session: Session, *, shop: Shop, now: datetime, situation: str | None = None, again: bool = False
) -> list[dict[str, object]]:
    """The queued export-channel messages as rows, marked sent (exported); with `again`, the ones already exported
    too (without changing them). The caller writes the file and commits: a failed write leaves them queued."""
    states = [OutboxState.QUEUED, OutboxState.SENT] if again else [OutboxState.QUEUED]
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.shop_id == shop.id,
            OutboxMessage.channel == "export",
            OutboxMessage.state.in_(states),
        )
        .order_by(OutboxMessage.id)
    )
    if situation is not None:
        query = query.where(OutboxMessage.situation == situation)
    messages = list(session.scalars(query))
    orders = _names(session, Order, Order.number, [m.order_id for m in messages])
    buyers = _names(session, Buyer, Buyer.external_id, [m.buyer_id for m in messages])
    suppliers = _names(session, Supplier, Supplier.code, [m.supplier_id for m in messages])
    rows = []
    for message in messages:
        rows.append(
            export_row(
                message,
                order=orders.get(message.order_id or 0),
                buyer=buyers.get(message.buyer_id or 0),
                supplier=suppliers.get(message.supplier_id or 0),
            )
        )
        if message.state == OutboxState.QUEUED:
            transition(message, OutboxState.SENT, at=now, actor="export", note="exported for the message centre")
            message.sent_at = now
            message.attempts += 1
    session.flush()
    return rows


def _names(session: Session, model: type, column: object, ids: list[int | None]) -> dict[int, str]:
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    rows = session.execute(select(model.id, column).where(model.id.in_(wanted)))  # type: ignore[attr-defined, call-overload]
    return {int(row[0]): str(row[1]) for row in rows}
