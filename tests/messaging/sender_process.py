"""A sender in its own process, as `tradewind messages send` runs it: used by the crash test, which kills it with
SIGKILL in the middle of a delivery. Arguments: DATABASE_URL SMTP_PORT LEASE_SECONDS."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import tradewind.models  # noqa: F401 - every table, so that the outbox's foreign keys resolve
from tradewind.db.session import make_engine, make_sessionmaker
from tradewind.messaging.channels import SmtpChannel
from tradewind.messaging.dispatch import deliver_outbox, worker_name
from tradewind.messaging.settings import MessagingSettings


def main() -> None:
    url, port, lease = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    settings = MessagingSettings(
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_from="shop@example.com",
        delivery_lease_seconds=lease,
        smtp_timeout_seconds=10,
    )
    engine = make_engine(url)
    report = deliver_outbox(
        make_sessionmaker(engine),
        channel=SmtpChannel(settings),
        settings=settings,
        clock=lambda: datetime.now(UTC),
        worker=worker_name(),
    )
    sys.stdout.write(f"sent {len(report.sent)} failed {len(report.failed)} retrying {len(report.retrying)}\n")


if __name__ == "__main__":
    main()
