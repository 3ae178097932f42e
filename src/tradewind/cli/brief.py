"""`tradewind brief` and `tradewind action …`: the ranked list of today's actions, and changing their state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

import typer
from babel.dates import format_date
from rich.table import Table
from rich.text import Text
from sqlalchemy.orm import Session

from tradewind.action import ActionProducer, BriefContext
from tradewind.brief.figures import figure_name_in, figure_text, is_scalar, step_name_in
from tradewind.brief.models import ActionRecord
from tradewind.brief.ranking import GROUP_ORDER, GROUP_WORDS, overdue_first, urgency_group
from tradewind.brief.schemas import ActionDetailOut, ActionOut
from tradewind.brief.service import (
    ActionSummary,
    Brief,
    actions_in_order,
    apply_action,
    dismiss_action,
    get_action,
    refresh_brief,
    reopen_action,
    snooze_action,
    summary_of,
    title_in,
    why_in,
)
from tradewind.cli.runtime import (
    DbOption,
    JsonOption,
    ShopOption,
    TodayOption,
    console,
    friendly_errors,
    open_runtime,
    print_json,
    print_json_items,
    print_table,
    resolve_shop,
)
from tradewind.clock import parse_day
from tradewind.shops.models import Shop
from tradewind.shops.service import shop_zone
from tradewind.wording import BABEL_LOCALES, LOCALES, SOURCE_LOCALE, Day, Number, format_arg, nphrase, phrase, render

action_app = typer.Typer(help="Look at one action, apply it, dismiss it or snooze it.", no_args_is_help=True)

KIND_STYLE = {
    "restock": "bold cyan",
    "stockout_playbook": "bold red",
    "unpaid_reminder": "yellow",
    "cancellation_followup": "magenta",
}


def default_producers() -> list[ActionProducer]:
    """Every producer of the brief, imported when a command runs them (the brief, apply, reopen): each producer
    brings in its domain's kernels, calendars and drafting, which `action show`, `dismiss` and `snooze` never run."""
    from tradewind.brief.producers import default_producers

    return default_producers()


@friendly_errors
def brief_command(
    db: DbOption = None,
    shop: ShopOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
    limit: Annotated[int | None, typer.Option("--limit", help="Show at most N actions (0: all)")] = None,
    kind: Annotated[list[str] | None, typer.Option("--kind", help="Only actions of this kind (repeatable)")] = None,
    locale: Annotated[
        str, typer.Option("--locale", help="Language of the titles, dates and numbers: en, zh or ru")
    ] = SOURCE_LOCALE,
) -> None:
    """Today's brief: one ranked list of what to do, each with the figures behind it."""
    if locale not in LOCALES:
        raise typer.BadParameter(f"one of {', '.join(LOCALES)}", param_hint="--locale")
    runtime = open_runtime(db, today)
    with runtime.transaction() as session:
        the_shop = resolve_shop(session, runtime, shop)
        brief = refresh_brief(session, shop=the_shop, context=runtime.context(the_shop), producers=default_producers())
        actions = [summary_of(a) for a in brief.actions if not kind or a.kind in kind]
    if as_json:
        # The JSON keeps the brief's ranking, with each action's due day to sort by. It is written action by action
        # once the brief is stored (a large shop's runs to a hundred megabytes), each read whole in its turn.
        ids = [a.id for a in (actions[:limit] if limit else actions)]
        with runtime.transaction() as session:
            records = actions_in_order(session, shop_id=brief.shop.id, ids=ids)
            head = {"shop": brief.shop.code, "today": brief.today.isoformat()}
            print_json_items(head, "actions", (ActionOut.of(r, locale).model_dump(mode="json") for r in records))
        return
    # The table reads overdue first (an overdue action far down the ranking is not cut off by the limit).
    shown = overdue_first(actions, brief.today, due=lambda a: a.due)
    if limit:
        shown = shown[:limit]
    elif limit is None:
        shown = shown[:25]
    render_brief(brief, shown, every=actions, locale=locale)


def render_brief(
    brief: Brief, shown: list[ActionSummary], *, every: list[ActionSummary], locale: str = SOURCE_LOCALE
) -> None:
    total = len(every)
    counts: dict[str, int] = {}
    for action in every:
        counts[action.kind] = counts.get(action.kind, 0) + 1
    # The kinds stay codes: they are what `--kind` takes.
    summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    heading = phrase(
        "%(shop)s — brief for %(day)s: %(actions)s",
        shop=f"[bold]{brief.shop.name}[/]",
        day=f"[bold]{_long_day(brief.today, locale)}[/]",
        actions=nphrase("%(num)s open actions", "%(num)s open actions", total),
    )
    console.print(render(heading, locale) + (f" ({summary})" if summary else ""))
    if not shown:
        console.print(render(phrase("Nothing needs doing today."), locale))
        return
    table = Table(show_lines=False, expand=True, pad_edge=False)
    table.add_column("#", justify="right", style="dim", no_wrap=True)
    table.add_column(render(phrase("kind"), locale), no_wrap=True)
    table.add_column(render(phrase("action and why"), locale), ratio=1)
    table.add_column(render(phrase("due"), locale), no_wrap=True)
    table.add_column(render(phrase("priority"), locale), justify="right", no_wrap=True)
    groups: dict[str, list[ActionSummary]] = {}
    for action in shown:
        groups.setdefault(urgency_group(action.due, brief.today), []).append(action)
    for group in GROUP_ORDER:
        members = groups.get(group, [])
        if not members:
            continue
        table.add_section()
        table.add_row("", Text(render(GROUP_WORDS[group], locale).upper(), style="bold underline"), "", "", "")
        for action in members:
            body = Text(title_in(action, locale), style="bold")
            body.append("\n" + why_in(action, locale), style="dim")
            table.add_row(
                str(action.id),
                Text(action.kind, style=KIND_STYLE.get(action.kind, "")),
                body,
                format_arg(Day(action.due, "day_month"), locale),
                format_arg(Number.of(action.priority), locale),
            )
    print_table(table)
    if total > len(shown):
        more = phrase("… and %(more)s more: `tradewind brief --limit 0` shows them all.", more=total - len(shown))
        console.print(render(more, locale))
    hint = phrase("Apply one with `tradewind action apply ID`; see its steps with `tradewind action show ID`.")
    console.print(render(hint, locale))


def _long_day(day: date, locale: str) -> str:
    return f"{day:%A %d %B %Y}" if locale == SOURCE_LOCALE else format_date(day, "full", locale=BABEL_LOCALES[locale])


SHOWN_MEMBERS = 10  # lines of a group's members `action show` prints (the JSON has them all)
SHOWN_STEPS = 30


@action_app.command("show")
@friendly_errors
def show_command(
    action_id: Annotated[int, typer.Argument(help="The action's number in the brief")],
    db: DbOption = None,
    shop: ShopOption = None,
    as_json: JsonOption = False,
    locale: Annotated[
        str, typer.Option("--locale", help="Language of the title, the figures' names and their values: en, zh or ru")
    ] = SOURCE_LOCALE,
) -> None:
    """One action with its figures, steps (message drafts, purchase order) and history."""
    if locale not in LOCALES:
        raise typer.BadParameter(f"one of {', '.join(LOCALES)}", param_hint="--locale")
    runtime = open_runtime(db, None)
    with runtime.transaction() as session:
        the_shop = resolve_shop(session, runtime, shop)
        record = get_action(session, shop=the_shop, action_id=action_id)
        detail = ActionDetailOut.detail(record, locale)
        currency, zone = the_shop.currency, shop_zone(the_shop)

    def label(name: str, kind: str | None = None) -> str:
        return figure_name_in(name, locale, kind)

    def text(name: str, value: object, figures: dict[str, Any], kind: str | None = None) -> str:
        return figure_text(name, value, figures, locale=locale, shop_currency=currency, zone=zone, kind=kind)

    if as_json:
        print_json(detail.model_dump(mode="json"))
        return
    console.print(f"[bold]#{detail.id} {detail.kind}[/] ({detail.state}, due {detail.due}) — {detail.title}")
    console.print(detail.why, highlight=False)
    console.print("[bold]Figures[/]")
    for name, value in detail.figures.items():
        if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            # A group's members (buyers, parcels, SKUs): one line each, the first few.
            console.print(f"  {label(name, detail.kind)}: {len(value)}", highlight=False)
            for item in value[:SHOWN_MEMBERS]:
                line = ", ".join(f"{k}={v}" for k, v in item.items() if v not in (None, "", [], {}))
                console.print(f"    - {line[:200]}", highlight=False)
            if len(value) > SHOWN_MEMBERS:
                console.print(f"    … and {len(value) - SHOWN_MEMBERS} more (--json shows them all)", highlight=False)
            continue
        if is_scalar(value):
            value = text(name, value, detail.figures, detail.kind)
        console.print(f"  {label(name, detail.kind)}: {value}", highlight=False)
    console.print("[bold]Steps[/]")
    for number, step in enumerate(detail.steps[:SHOWN_STEPS], start=1):
        kind = step.get("type", "step")
        if kind == "message":
            console.print(f"  {number}. message to the {step.get('to')} in {step.get('locale')}: {step.get('subject')}")
            console.print(Text("     " + str(step.get("body", "")).replace("\n", "\n     "), style="dim"))
        else:
            rest = ", ".join(
                f"{label(k)}: {text(k, v, step) if is_scalar(v) else v}" for k, v in step.items() if k != "type"
            )
            console.print(f"  {number}. {step_name_in(kind, locale)}: {rest}", highlight=False)
    if len(detail.steps) > SHOWN_STEPS:
        console.print(f"  … and {len(detail.steps) - SHOWN_STEPS} more steps (--json shows them all)")
    console.print("[bold]History[/]")
    for event in detail.events:
        note = f" — {event.note}" if event.note else ""
        console.print(f"  {event.at}: {event.from_state or '∅'} → {event.to_state} by {event.actor}{note}")


Change = Callable[[Session, Shop, BriefContext], tuple[ActionRecord, list[str]]]


def change_state(db: str | None, shop: str | None, today: str | None, as_json: bool, verb: str, change: Change) -> None:
    """One state change in one transaction, reported as JSON or as a line per thing done."""
    runtime = open_runtime(db, today)
    with runtime.transaction() as session:
        the_shop = resolve_shop(session, runtime, shop)
        record, done = change(session, the_shop, runtime.context(the_shop))
        out = ActionOut.of(record)
    if as_json:
        print_json({"action": out.model_dump(mode="json"), "done": done})
        return
    console.print(f"[bold]{verb}[/] #{out.id} {out.title}", highlight=False)
    for line in done:
        console.print(f"  • {line}", highlight=False)


@action_app.command("apply")
@friendly_errors
def apply_command(
    action_id: Annotated[int, typer.Argument(help="The action's number in the brief")],
    db: DbOption = None,
    shop: ShopOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Do what the action says (place the purchase order, queue the messages …). Applying twice is harmless."""
    change_state(
        db,
        shop,
        today,
        as_json,
        "applied",
        lambda session, the_shop, context: apply_action(
            session, shop=the_shop, action_id=action_id, context=context, producers=default_producers()
        ),
    )


@action_app.command("reopen")
@friendly_errors
def reopen_command(
    action_id: Annotated[int, typer.Argument(help="The action's number in the brief")],
    db: DbOption = None,
    shop: ShopOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Put a handled action back in the brief; an applied one only with the undo of what it did (a purchase order
    not yet shipped is cancelled, a default shipping method restored). One whose effects cannot be undone (messages
    queued) says so and stays applied."""
    change_state(
        db,
        shop,
        today,
        as_json,
        "reopened",
        lambda session, the_shop, context: reopen_action(
            session, shop=the_shop, action_id=action_id, context=context, producers=default_producers()
        ),
    )


@action_app.command("dismiss")
@friendly_errors
def dismiss_command(
    action_id: Annotated[int, typer.Argument(help="The action's number in the brief")],
    reason: Annotated[str | None, typer.Option("--reason", help="Why (kept in the history)")] = None,
    db: DbOption = None,
    shop: ShopOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Drop the action: it stays out of the brief until its situation ends and comes back."""
    change_state(
        db,
        shop,
        today,
        as_json,
        "dismissed",
        lambda session, the_shop, context: (
            dismiss_action(session, shop=the_shop, action_id=action_id, context=context, reason=reason),
            [f"dismissed: {reason}"] if reason else [],
        ),
    )


@action_app.command("snooze")
@friendly_errors
def snooze_command(
    action_id: Annotated[int, typer.Argument(help="The action's number in the brief")],
    until: Annotated[str, typer.Option("--until", help="Hide it until this day (YYYY-MM-DD)")],
    db: DbOption = None,
    shop: ShopOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Hide the action until a day; it comes back then if it still holds."""
    day = parse_day(until, what="--until")
    change_state(
        db,
        shop,
        today,
        as_json,
        "snoozed",
        lambda session, the_shop, context: (
            snooze_action(session, shop=the_shop, action_id=action_id, until=day, context=context),
            [f"hidden until {day}"],
        ),
    )
