"""`tradewind user add|grant|token|list|webhook-secret`: who may use the dashboard and the API, in which shops, and
the key each shop's tracking provider signs its webhooks with."""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from tradewind.accounts.models import User
from tradewind.accounts.service import (
    AccountRules,
    all_users,
    clear_webhook_secret,
    create_user,
    get_user,
    grant,
    issue_token,
    parse_role,
    set_webhook_secret,
    shops_of,
)
from tradewind.cli.runtime import (
    DbOption,
    JsonOption,
    console,
    friendly_errors,
    open_runtime,
    print_json,
    print_table,
)
from tradewind.errors import ValidationError
from tradewind.shops.service import get_shop

user_app = typer.Typer(help="Users, their role in each shop, and API tokens.", no_args_is_help=True)

ShopsOption = Annotated[
    list[str] | None, typer.Option("--shop", help="A shop code (repeatable; default: the only shop)")
]
RoleOption = Annotated[str, typer.Option("--role", help="owner, staff (works the brief) or viewer (reads only)")]


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise ValidationError("no password given")
    return password


@user_app.command("add")
@friendly_errors
def add_command(
    email: Annotated[str, typer.Argument(help="The user's e-mail address (their login)")],
    name: Annotated[str | None, typer.Option("--name", help="How the dashboard greets them")] = None,
    shop: ShopsOption = None,
    role: RoleOption = "staff",
    locale: Annotated[str, typer.Option("--locale", help="Interface language: en, zh or ru")] = "en",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input (for scripts)")
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a user with a password (asked for twice, or read from standard input) and a role in shops."""
    the_role = parse_role(role)
    password = _read_password(password_stdin)
    runtime = open_runtime(db, None)
    with runtime.transaction() as session:
        user = create_user(session, email=email, password=password, name=name, locale=locale, rules=AccountRules())
        codes: list[str | None] = list(shop) if shop else [None]
        for code in codes:
            grant(session, user=user, shop=get_shop(session, code=code), role=the_role)
        payload = _user_payload(session, user)
    if as_json:
        print_json(payload)
        return
    shops = ", ".join(f"{s['code']} ({s['role']})" for s in payload["shops"])
    console.print(f"[green]created[/] {payload['email']}: {shops}", highlight=False)


@user_app.command("grant")
@friendly_errors
def grant_command(
    email: Annotated[str, typer.Argument(help="The user's e-mail address")],
    shop: ShopsOption = None,
    role: RoleOption = "staff",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Give a user a role in shops (or change it)."""
    the_role = parse_role(role)
    runtime = open_runtime(db, None)
    with runtime.transaction() as session:
        user = get_user(session, email=email)
        codes: list[str | None] = list(shop) if shop else [None]
        for code in codes:
            grant(session, user=user, shop=get_shop(session, code=code), role=the_role)
        payload = _user_payload(session, user)
    if as_json:
        print_json(payload)
        return
    console.print(
        f"{payload['email']}: " + ", ".join(f"{s['code']} ({s['role']})" for s in payload["shops"]), highlight=False
    )


@user_app.command("token")
@friendly_errors
def token_command(
    email: Annotated[str, typer.Argument(help="The user the token acts as")],
    name: Annotated[str, typer.Option("--name", help="What uses the token (a script, an integration)")],
    days: Annotated[int | None, typer.Option("--days", min=1, max=3650, help="Expire after N days")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """A new API token (Authorization: Bearer …). It is printed this once; only its digest is stored."""
    runtime = open_runtime(db, None)
    now = runtime.clock.now()
    with runtime.transaction() as session:
        user = get_user(session, email=email)
        expires = now + timedelta(days=days) if days else None
        secret, row = issue_token(session, user=user, name=name, now=now, expires_at=expires)
        payload = {"id": row.id, "name": row.name, "user": user.email, "token": secret, "expires_at": expires}
    if as_json:
        print_json(payload)
        return
    console.print(f"API token #{payload['id']} for {payload['user']} ({name}); keep it now, it is not shown again:")
    sys.stdout.write(secret + "\n")


@user_app.command("webhook-secret")
@friendly_errors
def webhook_secret_command(
    shop: Annotated[str, typer.Argument(help="The shop whose tracking webhook the secret signs")],
    secret_stdin: Annotated[
        bool, typer.Option("--secret-stdin", help="Read the secret your provider shows from standard input")
    ] = False,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the shop's own secret")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The shop's own tracking-webhook secret (HMAC-SHA256 of each body): a new random one, printed this once, or
    the provider's (--secret-stdin). Webhooks for the shop are then accepted only with it; the server-wide
    TRADEWIND_TRACKING_WEBHOOK_SECRET still serves the shops that have none (--clear goes back to it)."""
    if clear and secret_stdin:
        raise ValidationError("--clear and --secret-stdin do not go together")
    given = sys.stdin.readline().rstrip("\r\n") if secret_stdin else None
    runtime = open_runtime(db, None)
    with runtime.transaction() as session:
        the_shop = get_shop(session, code=shop)
        if clear:
            had = clear_webhook_secret(session, shop=the_shop)
            payload: dict[str, Any] = {"shop": the_shop.code, "cleared": had}
        else:
            key = set_webhook_secret(session, shop=the_shop, secret=given)
            payload = {"shop": the_shop.code, "secret": key if given is None else None}
    if as_json:
        print_json(payload)
        return
    if clear:
        console.print(f"{payload['shop']}: " + ("own webhook secret removed" if payload["cleared"] else "had none"))
    elif given is not None:
        console.print(f"{payload['shop']}: webhook secret set (the one read from standard input)")
    else:
        console.print(f"{payload['shop']}: new webhook secret; paste it into your provider, it is not shown again:")
        sys.stdout.write(str(payload["secret"]) + "\n")


@user_app.command("list")
@friendly_errors
def list_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Every user with their shops and roles."""
    runtime = open_runtime(db, None)
    with runtime.transaction() as session:
        payload = [_user_payload(session, u) for u in all_users(session)]
    if as_json:
        print_json(payload)
        return
    grid = Table("e-mail", "name", "language", "shops")
    for row in payload:
        grid.add_row(
            row["email"], row["name"], row["locale"], ", ".join(f"{s['code']} ({s['role']})" for s in row["shops"])
        )
    print_table(grid)


def _user_payload(session: Session, user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "name": user.name,
        "locale": user.locale,
        "shops": [{"code": s.code, "role": r.value} for s, r in shops_of(session, user_id=user.id)],
    }
