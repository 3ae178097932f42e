"""`tradewind messages …` (the outbox: list, show, edit, queue, cancel, retry, send, export, banner, templates),
`tradewind triage` (language, intent, order and a suggested reply for incoming messages) and `tradewind supplier …`
(status reports, thread messages and response times)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

import tradewind.models  # noqa: F401 - every table, so that the outbox's foreign keys resolve
from tradewind.cli.runtime import (
    DbOption,
    JsonOption,
    ShopOption,
    TodayOption,
    console,
    friendly_errors,
    open_runtime,
    print_json,
    print_table,
    resolve_shop,
)
from tradewind.clock import parse_day
from tradewind.errors import ValidationError
from tradewind.messaging.banner import current_banners, render_banner
from tradewind.messaging.channels import SmtpChannel, export_text
from tradewind.messaging.dispatch import deliver_outbox, export_outbox
from tradewind.messaging.mail_server import shop_mail_settings
from tradewind.messaging.models import OutboxMessage, OutboxState
from tradewind.messaging.outbox import (
    cancel_message,
    get_message,
    list_outbox,
    message_events,
    queue_draft,
    retry_message,
)
from tradewind.messaging.schemas import outbox_detail_figures
from tradewind.messaging.service import edit_draft, set_shop_template
from tradewind.messaging.settings import messaging_settings
from tradewind.messaging.situations import SITUATIONS, sample_facts
from tradewind.messaging.templates import render, shipped_locales
from tradewind.messaging.triage.inbound import triage_inbox, triage_messages, triage_version
from tradewind.suppliers.models import MessageDirection, SupplierStatus
from tradewind.suppliers.overview import overview_figures, supplier_overviews
from tradewind.suppliers.schemas import report_figures
from tradewind.suppliers.service import record_supplier_message
from tradewind.suppliers.threads import (
    report_supplier_status,
    status_hint,
    supplier_thread,
    thread_statistics,
)

messages_app = typer.Typer(
    help="The outbox: drafts, queued and sent messages; send, export, edit.", no_args_is_help=True
)
supplier_app = typer.Typer(
    help="Suppliers today, their status reports, message threads and response times.", no_args_is_help=True
)

STATE_STYLE = {"draft": "cyan", "queued": "yellow", "sent": "green", "failed": "bold red", "cancelled": "dim"}


def _message_dict(message: OutboxMessage) -> dict[str, Any]:
    return outbox_detail_figures(message)


@messages_app.command("list")
@friendly_errors
def list_command(
    state: Annotated[str | None, typer.Option("--state", help="draft, queued, sent, failed or cancelled")] = None,
    situation: Annotated[str | None, typer.Option("--situation", help="e.g. shipping_delay, reply")] = None,
    channel: Annotated[str | None, typer.Option("--channel", help="email or export")] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most N messages (0: all)")] = 50,
    db: DbOption = None,
    shop: ShopOption = None,
    as_json: JsonOption = False,
) -> None:
    """Messages in the outbox, oldest first."""
    wanted = _state(state)
    runtime = open_runtime(db, None)
    with runtime.transaction() as session:
        the_shop = resolve_shop(session, runtime, shop)
        rows = [
            _message_dict(m)
            for m in list_outbox(
                session, shop_id=the_shop.id, state=wanted, situation=situation, channel=channel, limit=limit or None
            )
        ]
    if as_json:
        print_json(rows)
        return
    table = Table(expand=True, pad_edge=False)
    for column in ("#", "state", "situation", "to", "lang", "channel", "subject"):
        table.add_column(column, no_wrap=column != "subject", ratio=1 if column == "subject" else None)
    for row in rows:
        table.add_row(
            str(row["id"]),
            Text(row["state"], style=STATE_STYLE.get(row["state"], "")),
            row["situation"],
            row["recipient_kind"],
            row["locale"],
            row["channel"],
            row["subject"],
        )
    print_table(table)
    console.print(f"{len(rows)} message(s). See one with `tradewind messages show ID`.")


def _state(text: str | None) -> OutboxState | None:
    if text is None:
        return None
    try:
        return OutboxState(text)
    except ValueError:
        raise ValidationError(f"unknown state {text!r}: one of {', '.join(s.value for s in OutboxState)}") from None


@messages_app.command("show")
@friendly_errors
def show_command(
    message_id: Annotated[int, typer.Argument(help="The message's number")],
    db: DbOption = None,
    shop: ShopOption = None,
    as_json: JsonOption = False,
) -> None:
    """One message with its text and timeline."""
    runtime = open_runtime(db, None)
    with runtime.transaction() as session:
        the_shop = resolve_shop(session, runtime, shop)
        message = get_message(session, shop_id=the_shop.id, message_id=message_id)
        row = _message_dict(message)
        row["events"] = [
            {"at": e.at, "from": e.from_state, "to": e.to_state, "actor": e.actor, "note": e.note}
            for e in message_events(session, shop_id=the_shop.id, message_id=message_id)
        ]
    if as_json:
        print_json(row)
        return
    console.print(
        f"[bold]#{row['id']}[/] {row['situation']} to the {row['recipient']} ({row['locale']}, {row['channel']})"
        f" — [{STATE_STYLE.get(row['state'], '')}]{row['state']}[/]"
    )
    console.print(f"[bold]Subject:[/] {row['subject']}", highlight=False)
    console.print(row["body"], highlight=False, markup=False)
    for event in row["events"]:
        note = f" — {event['note']}" if event["note"] else ""
        console.print(
            f"  {event['at']}: {event['from'] or '∅'} → {event['to']} by {event['actor']}{note}", highlight=False
        )


@messages_app.command("edit")
@friendly_errors
def edit_command(
    message_id: Annotated[int, typer.Argument(help="The message's number")],
    subject: Annotated[str | None, typer.Option("--subject", help="New subject line")] = None,
    body: Annotated[str | None, typer.Option("--body", help="New text")] = None,
    body_file: Annotated[Path | None, typer.Option("--body-file", help="Read the new text from a file")] = None,
    db: DbOption = None,
    shop: ShopOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change a draft (or a queued message not being sent) before it goes."""
    if body_file is not None:
        body = body_file.read_text(encoding="utf-8")
    runtime = open_runtime(db, today)
    with runtime.transaction() as session:
        the_shop = resolve_shop(session, runtime, shop)
        message = edit_draft(
            session, shop=the_shop, message_id=message_id, subject=subject, body=body, now=runtime.clock.now()
        )
        row = _message_dict(message)
    if as_json:
        print_json(row)
        return
    console.print(f"[green]edited[/] #{row['id']} ({row['state']}): {row['subject']}")


def _state_change(
    command: str,
    message_id: int,
    db: str | None,
    shop: str | None,
    today: str | None,
    as_json: bool,
    reason: str | None = None,
) -> None:
    runtime = open_runtime(db, today)
    with runtime.transaction() as session:
        the_shop = resolve_shop(session, runtime, shop)
        now = runtime.clock.now()
        if command == "queue":
            message = queue_draft(session, shop_id=the_shop.id, message_id=message_id, now=now)
        elif command == "cancel":
            message = cancel_message(session, shop_id=the_shop.id, message_id=message_id, now=now, reason=reason)
        else:
            message = retry_message(session, shop_id=the_shop.id, message_id=message_id, now=now)
        row = _message_dict(message)
    if as_json:
        print_json(row)
        return
    console.print(f"#{row['id']} is now [{STATE_STYLE.get(row['state'], '')}]{row['state']}[/]: {row['subject']}")


@messages_app.command("queue")
@friendly_errors
def queue_command(
    message_id: Annotated[int, typer.Argument(help="The draft's number")],
    db: DbOption = None,
    shop: ShopOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Queue a draft to be sent (applying its brief action does the same)."""
    _state_change("queue", message_id, db, shop, today, as_json)


@messages_app.command("cancel")
@friendly_errors
def cancel_command(
    message_id: Annotated[int, typer.Argument(help="The message's number")],
    reason: Annotated[str | None, typer.Option("--reason", help="Why (kept in the timeline)")] = None,
    db: DbOption = None,
    shop: ShopOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Cancel a message that has not gone; it will never be drafted again."""
    _state_change("cancel", message_id, db, shop, today, as_json, reason)


@messages_app.command("retry")
@friendly_errors
def retry_command(
    message_id: Annotated[int, typer.Argument(help="The failed message's number")],
    db: DbOption = None,
    shop: ShopOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Put a failed message back in the queue."""
    _state_change("retry", message_id, db, shop, today, as_json)


@messages_app.command("send")
@friendly_errors
def send_command(
    limit: Annotated[int | None, typer.Option("--limit", help="Try at most N messages")] = None,
    worker: Annotated[str | None, typer.Option("--worker", help="Name of this sender (default host:pid)")] = None,
    db: DbOption = None,
    shop: ShopOption = None,
    as_json: JsonOption = False,
) -> None:
    """Send the queued e-mail messages over SMTP (one transaction per message; safe to interrupt and run again).
    The shop's own mail server (Messages → Mail settings) is used when it has one, else TRADEWIND_SMTP_*."""
    runtime = open_runtime(db, None)
    with runtime.transaction() as session:
        shop_id = resolve_shop(session, runtime, shop).id
        config = shop_mail_settings(session, shop_id=shop_id, base=messaging_settings(runtime.settings))
    channel = SmtpChannel(config or messaging_settings(runtime.settings))  # neither: says how to configure one
    report = deliver_outbox(
        runtime.sessions,
        channel=channel,
        settings=channel.settings,
        clock=lambda: datetime.now(UTC),
        shop_id=shop_id,
        worker=worker,
        limit=limit,
    )
    if as_json:
        print_json(report.to_dict())
        return
    console.print(
        f"[green]{len(report.sent)} sent[/], [yellow]{len(report.retrying)} to retry[/], "
        f"[red]{len(report.failed)} failed[/]"
    )
    for message_id, error in report.errors.items():
        console.print(f"  #{message_id}: {error}", highlight=False)


@messages_app.command("export")
@friendly_errors
def export_command(
    fmt: Annotated[str, typer.Option("--format", help="csv, json or jsonl")] = "csv",
    out: Annotated[Path | None, typer.Option("--out", help="File to write (default: stdout)")] = None,
    situation: Annotated[str | None, typer.Option("--situation", help="Only this situation")] = None,
    again: Annotated[bool, typer.Option("--again", help="Include messages exported before")] = False,
    db: DbOption = None,
    shop: ShopOption = None,
    today: TodayOption = None,
) -> None:
    """Write the queued platform messages (CSV or JSON) to paste into the message centre; they count as sent."""
    if fmt not in ("csv", "json", "jsonl"):
        raise ValidationError(f"--format must be csv, json or jsonl, not {fmt!r}")
    runtime = open_runtime(db, today)
    with runtime.transaction() as session:
        the_shop = resolve_shop(session, runtime, shop)
        rows = export_outbox(session, shop=the_shop, now=runtime.clock.now(), situation=situation, again=again)
        text = export_text(rows, fmt=fmt)
        if out is not None:
            out.write_text(text, encoding="utf-8")  # inside the transaction: a failed write exports nothing
    if out is None:
        sys.stdout.write(text)
    else:
        console.print(f"[green]exported[/] {len(rows)} message(s) to {out}")


@messages_app.command("banner")
@friendly_errors
def banner_command(
    locale: Annotated[str | None, typer.Option("--locale", help="Only this language")] = None,
    db: DbOption = None,
    shop: ShopOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """The shop banner in force per language, and how it would read today."""
    runtime = open_runtime(db, today)
    with runtime.transaction() as session:
        the_shop = resolve_shop(session, runtime, shop)
        current = current_banners(session, shop=the_shop)
        wanted = [locale] if locale else sorted(set(current) | {the_shop.language, "en"})
        rows = []
        for language in wanted:
            today_text = render_banner(session, shop=the_shop, locale=language, context=runtime.context())
            in_force = current.get(language)
            rows.append(
                {
                    "locale": language,
                    "current": None if in_force is None else in_force.body,
                    "current_since": None if in_force is None else in_force.queued_at,
                    "today": today_text.body,
                }
            )
        session.rollback()
    if as_json:
        print_json(rows)
        return
    for row in rows:
        console.print(f"[bold]{row['locale']}[/] — in force since {row['current_since'] or 'never'}")
        console.print(row["today"], highlight=False, markup=False)


@messages_app.command("preview")
@friendly_errors
def preview_command(
    situation_name: Annotated[str, typer.Argument(help="A situation, e.g. shipping_delay")],
    locale: Annotated[str, typer.Option("--locale", help="Language to render")] = "en",
    as_json: JsonOption = False,
) -> None:
    """Render a shipped template with sample facts (no database needed)."""
    if situation_name not in SITUATIONS:
        raise ValidationError(f"unknown situation {situation_name!r}: one of {', '.join(sorted(SITUATIONS))}")
    rendered = render(situation_name, locale, sample_facts(situation_name))
    if as_json:
        print_json(
            {
                "situation": situation_name,
                "locale": rendered.locale,
                "fell_back": rendered.fell_back,
                "subject": rendered.subject,
                "body": rendered.body,
                "locales": shipped_locales(situation_name),
            }
        )
        return
    if rendered.fell_back:
        console.print(f"[yellow]no {locale} template: English shown[/]")
    console.print(f"[bold]Subject:[/] {rendered.subject}", highlight=False)
    console.print(rendered.body, highlight=False, markup=False)


@messages_app.command("template")
@friendly_errors
def template_command(
    situation_name: Annotated[str, typer.Argument(help="The situation the wording is for")],
    locale: Annotated[str, typer.Argument(help="Its language")],
    file: Annotated[Path, typer.Option("--file", help="Template file: first line 'Subject: …', then the text")],
    db: DbOption = None,
    shop: ShopOption = None,
) -> None:
    """Store the shop's own wording for a situation and language (checked before it is stored)."""
    from tradewind.messaging.templates import parse_template

    source = parse_template(file.read_text(encoding="utf-8"), name=str(file))
    runtime = open_runtime(db, None)
    with runtime.transaction() as session:
        the_shop = resolve_shop(session, runtime, shop)
        set_shop_template(
            session,
            shop=the_shop,
            situation_name=situation_name,
            locale=locale,
            subject=source.subject,
            body=source.body,
        )
    console.print(f"[green]stored[/] the shop's wording for {situation_name}/{locale}")


@messages_app.command("retriage")
@friendly_errors
def retriage_command(
    db: DbOption = None,
    shop: ShopOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Triage every incoming message again and store it (after a change of the language or intent model)."""
    runtime = open_runtime(db, today)
    with runtime.transaction() as session:
        the_shop = resolve_shop(session, runtime, shop)
        found = triage_inbox(
            session,
            shop=the_shop,
            settings=runtime.settings,
            now=runtime.clock.now(),
            retriage=True,
            with_replies=False,
        )
        version, code = triage_version(), the_shop.code
    if as_json:
        print_json({"shop": code, "retriaged": len(found), "model": version})
        return
    console.print(f"retriaged {len(found)} incoming messages of {code} with {version}")


# --- triage ---------------------------------------------------------------------------------------------------------


@friendly_errors
def triage_command(
    text: Annotated[str | None, typer.Argument(help="A buyer's message (or use --file)")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="One message per line; '-' reads standard input")] = None,
    inbox: Annotated[bool, typer.Option("--inbox", help="Triage the shop's stored incoming messages")] = False,
    again: Annotated[bool, typer.Option("--again", help="With --inbox: triage messages triaged before too")] = False,
    no_reply: Annotated[bool, typer.Option("--no-reply", help="Skip the suggested replies (faster)")] = False,
    offline: Annotated[bool, typer.Option("--offline", help="Do not open the database (no order facts)")] = False,
    db: DbOption = None,
    shop: ShopOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Language, intent, order and a suggested reply for buyer messages. With --file: one JSON object per line."""
    if inbox:
        stored = open_runtime(db, today)
        with stored.transaction() as session:
            the_shop = resolve_shop(session, stored, shop)
            found = triage_inbox(
                session,
                shop=the_shop,
                settings=stored.settings,
                now=stored.clock.now(),
                retriage=again,
                with_replies=not no_reply,
            )
            payload = [r.to_dict() | {"message": m.external_id} for m, r in found]
        _print_triage(payload, as_lines=True, as_json=as_json)
        return
    texts = _texts(text, file)
    runtime: Any = None if offline else _maybe_runtime(db, today)
    if runtime is None:
        from tradewind.config import Settings

        results = triage_messages(texts, settings=Settings(), now=datetime.now(UTC), with_replies=not no_reply)
        payload = [r.to_dict() for r in results]
    else:
        with runtime.transaction() as session:
            the_shop = resolve_shop(session, runtime, shop)
            results = triage_messages(
                texts,
                settings=runtime.settings,
                now=runtime.clock.now(),
                session=session,
                shop=the_shop,
                with_replies=not no_reply,
            )
            payload = [r.to_dict() for r in results]
            session.rollback()  # triage of free text stores nothing
    _print_triage(payload, as_lines=file is not None, as_json=as_json)


def _texts(text: str | None, file: Path | None) -> list[str]:
    if (text is None) == (file is None):
        raise ValidationError("give a message as an argument, or --file FILE (one message per line)")
    if file is not None:
        content = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
        texts = [line.strip() for line in content.splitlines() if line.strip()]
        if not texts:
            raise ValidationError(f"{file} has no messages")
        return texts
    assert text is not None
    if not text.strip():
        raise ValidationError("the message is empty")
    return [text]


def _maybe_runtime(db: str | None, today: str | None) -> Any:
    from tradewind.errors import ConfigurationError

    try:
        return open_runtime(db, today)
    except ConfigurationError:
        if db is not None:
            raise
        return None  # no database here: triage without order facts


def _print_triage(payload: list[dict[str, Any]], *, as_lines: bool, as_json: bool) -> None:
    if as_lines:
        for row in payload:
            sys.stdout.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        return
    if as_json:
        print_json(payload[0] if len(payload) == 1 else payload)
        return
    for row in payload:
        console.print(
            f"[bold]{row['language'] or '?'}[/] · [bold]{row['intent']}[/] ({row['confidence']:.0%})"
            + (f" · order {row['order']}" if row["order"] else ""),
        )
        console.print(Text(row["text"], style="italic"))
        if row.get("reply"):
            console.print(Text("  " + row["reply"].replace("\n", "\n  "), style="dim"))


# --- suppliers ------------------------------------------------------------------------------------------------------


@supplier_app.command("status")
@friendly_errors
def supplier_status_command(
    supplier: Annotated[str, typer.Argument(help="Supplier code")],
    closed_until: Annotated[
        str | None, typer.Option("--closed-until", help="Closed until this day (YYYY-MM-DD)")
    ] = None,
    restock_on: Annotated[str | None, typer.Option("--restock-on", help="Can ship again on this day")] = None,
    unknown: Annotated[bool, typer.Option("--unknown", help="Its status is not known")] = False,
    note: Annotated[str | None, typer.Option("--note", help="What they said")] = None,
    db: DbOption = None,
    shop: ShopOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record what a supplier told you: operating, closed until a day, restock on a day (planning uses it)."""
    runtime = open_runtime(db, today)
    with runtime.transaction() as session:
        the_shop = resolve_shop(session, runtime, shop)
        report = report_supplier_status(
            session,
            shop=the_shop,
            supplier_code=supplier,
            today=runtime.today_of(the_shop),
            closed_until=parse_day(closed_until, what="--closed-until") if closed_until else None,
            restock_on=parse_day(restock_on, what="--restock-on") if restock_on else None,
            status=SupplierStatus.UNKNOWN if unknown else None,
            note=note,
        )
        row = {"supplier": supplier, **report_figures(report)}
    if as_json:
        print_json(row)
        return
    console.print(
        f"[green]recorded[/] {supplier}: {row['status']}"
        + (f", closed until {row['reopens_on']}" if row["reopens_on"] else "")
        + (f", restock on {row['restock_on']}" if row["restock_on"] else "")
    )


@supplier_app.command("message")
@friendly_errors
def supplier_message_command(
    supplier: Annotated[str, typer.Argument(help="Supplier code")],
    text: Annotated[str, typer.Argument(help="The message as sent or received")],
    incoming: Annotated[bool, typer.Option("--in", help="The supplier wrote it")] = False,
    outgoing: Annotated[bool, typer.Option("--out", help="You wrote it")] = False,
    at: Annotated[str | None, typer.Option("--at", help="When (ISO date-time, UTC if no offset); default now")] = None,
    db: DbOption = None,
    shop: ShopOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a message to a supplier's thread (response times, silence); dates in a reply are offered as a status."""
    if incoming == outgoing:
        raise ValidationError("say who wrote it: --in (the supplier) or --out (you)")
    runtime = open_runtime(db, today)
    when = _instant(at) if at else runtime.clock.now()
    with runtime.transaction() as session:
        the_shop = resolve_shop(session, runtime, shop)
        message = record_supplier_message(
            session,
            shop=the_shop,
            supplier_code=supplier,
            direction=MessageDirection.INCOMING if incoming else MessageDirection.OUTGOING,
            text=text,
            at=when,
        )
        hint = status_hint(text, today=when.date()) if incoming else None
        row: dict[str, Any] = {
            "supplier": supplier,
            "id": message.id,
            "direction": message.direction.value,
            "sent_at": message.sent_at,
        }
        if hint is not None and hint.found:
            row["status_hint"] = {"closed_until": hint.closed_until, "restock_on": hint.restock_on}
    if as_json:
        print_json(row)
        return
    console.print(f"[green]recorded[/] {row['direction']} message #{row['id']} for {supplier}")
    if "status_hint" in row:
        hint_row = row["status_hint"]
        parts = [
            f"--closed-until {hint_row['closed_until']}" if hint_row["closed_until"] else "",
            f"--restock-on {hint_row['restock_on']}" if hint_row["restock_on"] else "",
        ]
        console.print(
            f"The reply mentions dates: confirm with `tradewind supplier status {supplier} "
            f"{' '.join(p for p in parts if p)}`"
        )


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"--at must be an ISO date-time such as 2026-02-10T09:30, not {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@supplier_app.command("threads")
@friendly_errors
def supplier_threads_command(
    supplier: Annotated[str | None, typer.Argument(help="One supplier (default: all)")] = None,
    messages: Annotated[bool, typer.Option("--messages", help="Print the thread too")] = False,
    db: DbOption = None,
    shop: ShopOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Response times per supplier (median, last), what waits for an answer, and the latest status."""
    runtime = open_runtime(db, today)
    with runtime.transaction() as session:
        the_shop = resolve_shop(session, runtime, shop)
        stats = [
            s.to_dict()
            for s in thread_statistics(session, shop=the_shop, now=runtime.clock.now(), supplier_code=supplier)
        ]
        thread = (
            [
                {"at": m.sent_at, "direction": m.direction.value, "text": m.body}
                for m in supplier_thread(session, shop=the_shop, supplier_code=supplier)
            ]
            if supplier and messages
            else []
        )
    if as_json:
        print_json({"suppliers": stats, "messages": thread} if thread else stats)
        return
    table = Table(expand=True, pad_edge=False)
    for column in ("supplier", "median h", "last h", "waiting h", "status", "reopens", "restock"):
        table.add_column(column, no_wrap=True)
    for row in stats:
        table.add_row(
            row["supplier"],
            _num(row["median_response_hours"]),
            _num(row["last_response_hours"]),
            Text(_num(row["unanswered_hours"]), style="bold red" if row["unanswered_hours"] else ""),
            row["status"] or "?",
            row["reopens_on"] or "",
            row["restock_on"] or "",
        )
    print_table(table)
    for item in thread:
        arrow = "→" if item["direction"] == "outgoing" else "←"
        console.print(f"{item['at']:%Y-%m-%d %H:%M} {arrow} {item['text']}", highlight=False, markup=False)


@supplier_app.command("list")
@friendly_errors
def supplier_list_command(
    db: DbOption = None,
    shop: ShopOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every supplier with its state today: can it take an order, its latest report, how fast it answers."""
    runtime = open_runtime(db, today)
    with runtime.transaction() as session:
        the_shop = resolve_shop(session, runtime, shop)
        rows = [
            overview_figures(o)
            for o in supplier_overviews(
                session,
                shop_id=the_shop.id,
                today=runtime.today_of(the_shop),
                now=runtime.clock.now(),
                settings=runtime.settings,
            )
        ]
    if as_json:
        print_json(rows)
        return
    table = Table(expand=True, pad_edge=False)
    for column in ("supplier", "today", "why", "restock", "median h", "waiting since", "SKUs (preferred)"):
        table.add_column(column, overflow="fold")
    for row in rows:
        report = row["latest_report"] or {}
        times = row["response_times"]
        table.add_row(
            f"{row['code']} {row['name']}",
            row["availability"],
            row["reason"],
            report.get("restock_on") or report.get("reopens_on") or "",
            _num(times["median_hours"]),
            (times["waiting_since"] or "")[:16].replace("T", " "),
            f"{row['skus_offered']} ({row['skus_preferred']})",
        )
    print_table(table)


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"
