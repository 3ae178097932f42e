"""`tradewind digest`: the morning digest once, for cron users (the server's outbox worker does it each morning).

It makes today's brief, queues the digest for each owner of the shop through the outbox (once per owner and day:
run it twice, nothing new is queued) and sends the shop's due e-mail through its mail server."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from tradewind.brief.digest import queue_digests
from tradewind.brief.producers import default_producers
from tradewind.brief.service import refresh_brief
from tradewind.cli.runtime import (
    DbOption,
    JsonOption,
    ShopOption,
    TodayOption,
    console,
    friendly_errors,
    open_runtime,
    print_json,
    resolve_shop,
)
from tradewind.messaging.dispatch import deliver_mail_of_shops
from tradewind.messaging.mail_server import check_dashboard_url, mail_server_of
from tradewind.messaging.settings import messaging_settings
from tradewind.server.config import ServerSettings


@friendly_errors
def digest_command(
    db: DbOption = None,
    shop: ShopOption = None,
    today: TodayOption = None,
    url: Annotated[
        str | None, typer.Option("--url", help="The dashboard's address for the links (default: the shop's setting)")
    ] = None,
    send: Annotated[bool, typer.Option("--send/--no-send", help="Send the shop's due e-mail now")] = True,
    as_json: JsonOption = False,
) -> None:
    """E-mail today's digest of the brief to each owner of the shop, through the outbox (once a day: safe to rerun)."""
    runtime = open_runtime(db, today)
    with runtime.transaction() as session:
        the_shop = resolve_shop(session, runtime, shop)
        shop_id, day = the_shop.id, runtime.today_of(the_shop)
        refresh_brief(session, shop=the_shop, context=runtime.context(the_shop), producers=default_producers())
        server = mail_server_of(session, shop_id=shop_id)
        base_url = check_dashboard_url(url) or (server.dashboard_url if server else None) or ServerSettings().public_url
        rows = queue_digests(session, shop=the_shop, today=day, now=runtime.clock.now(), base_url=base_url)
    sent: list[int] = []
    waiting = False
    if send:
        run = deliver_mail_of_shops(
            runtime.sessions,
            base=messaging_settings(runtime.settings),
            clock=lambda: datetime.now(UTC),
            shop_ids=[shop_id],
        )
        sent, waiting = run.report.sent, bool(run.waiting_shops)
    digest_ids = {row.message_id for row in rows}
    owners = [
        {"owner": r.owner, "message": r.message_id, "queued_now": r.queued_now, "sent": r.message_id in sent}
        for r in rows
    ]
    if as_json:
        print_json(
            {
                "day": day.isoformat(),
                "owners": owners,
                "sent": sent,
                "waiting_for_mail_server": waiting,
            }
        )
        return
    if not rows:
        console.print("the shop has no owner to send a digest to (`tradewind user grant … --role owner`)")
    for row in rows:
        what = "queued" if row.queued_now else "already queued today"
        console.print(f"{row.owner}: digest of {day.isoformat()} {what} (#{row.message_id})", highlight=False)
    if send:
        console.print(f"{len(sent)} e-mail sent ({len(digest_ids & set(sent))} digest)", highlight=False)
    if waiting:
        console.print("[yellow]no mail server for this shop: the e-mail waits (set one in Messages → Mail settings)[/]")
