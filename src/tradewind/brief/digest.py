"""The morning digest: the brief's top open actions, grouped by urgency, e-mailed to each owner of the shop at the
time the shop sets (`Shop.digest_at`, on its own clock).

It goes through the outbox like every other message, once per owner and local day: its idempotency key is
`digest:<day>:<user id>`, so building it again the same day (a second server, a cron run after the server's)
queues nothing new, and a resend after a crash carries the same Message-ID.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from html import escape

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradewind.accounts.models import Role, ShopMembership, User
from tradewind.brief.ranking import GROUP_ORDER, urgency_group
from tradewind.brief.service import ActionSummary, action_summaries, ranked_open_actions, title_in, why_in
from tradewind.errors import InvalidTransitionError, StateChangedError
from tradewind.messaging.models import OutboxMessage, OutboxState, RecipientKind
from tradewind.messaging.service import Recipient, Rendered, cancel_message, queue_message
from tradewind.shops.models import Shop
from tradewind.shops.service import shop_zone
from tradewind.wording import LOCALES, SOURCE_LOCALE, Day, Phrase, for_reader, nphrase, phrase

SITUATION = "morning_digest"
TOP_ACTIONS = 12
GROUP_TITLES = {
    "overdue": phrase("Overdue"),
    "today": phrase("Due today"),
    "this week": phrase("Due this week"),
    "later": phrase("Later"),
}
BOLD = "\x00"  # stands for the shop's name in a sentence until it is escaped and set in bold


def digest_time_has_come(shop: Shop, now: datetime) -> bool:
    """True once the shop's clock shows its digest time (`digest_at`) or later."""
    return now.astimezone(shop_zone(shop)).time().replace(tzinfo=None) >= shop.digest_at


def digest_queued(session: Session, *, shop_id: int, day: date) -> bool:
    """Whether the digest of `day` is in the outbox already (for any owner, in any state)."""
    found = session.scalar(
        select(OutboxMessage.id)
        .where(OutboxMessage.shop_id == shop_id, OutboxMessage.idempotency_key.startswith(f"digest:{day.isoformat()}:"))
        .limit(1)
    )
    return found is not None


def digest_key(day: date, user_id: int) -> str:
    return f"digest:{day.isoformat()}:{user_id}"


def owners_of(session: Session, *, shop_id: int) -> list[User]:
    """The shop's active owners, in the order they were made owners."""
    return list(
        session.scalars(
            select(User)
            .join(ShopMembership, ShopMembership.user_id == User.id)
            .where(ShopMembership.shop_id == shop_id, ShopMembership.role == Role.OWNER, User.active.is_(True))
            .order_by(ShopMembership.id)
        )
    )


@dataclass(frozen=True)
class Digest:
    subject: str
    text: str
    html: str
    groups: dict[str, list[ActionSummary]]
    open_count: int


def action_url(base_url: str | None, shop: Shop, action_id: int) -> str:
    path = f"/shops/{shop.code}/actions/{action_id}"
    return f"{base_url.rstrip('/')}{path}" if base_url else path


def compose_digest(
    session: Session, *, shop: Shop, today: date, base_url: str | None, locale: str = SOURCE_LOCALE
) -> Digest:
    """The digest of the brief as stored now: the first `TOP_ACTIONS` open actions in the brief's order, grouped
    overdue / today / this week / later (pure reading: the caller makes today's brief first), in `locale` (the
    titles and reasons through `title_in` and `why_in`, the digest's own sentences through the brief catalog)."""
    ranked = ranked_open_actions(session, shop_id=shop.id)
    top = action_summaries(session, shop_id=shop.id, ids=[i for i, _, _ in ranked[:TOP_ACTIONS]], only_open=True)
    groups: dict[str, list[ActionSummary]] = {name: [] for name in GROUP_ORDER}
    for summary in top:
        groups[urgency_group(summary.due, today)].append(summary)

    def say(text: Phrase) -> str:
        return for_reader(text, locale)

    overdue = len(groups["overdue"])
    day = Day(today)
    subject = nphrase(
        "%(shop)s: %(num)s open action on %(day)s",
        "%(shop)s: %(num)s open actions on %(day)s",
        len(ranked),
        shop=shop.name,
        day=day,
    )
    if overdue:
        subject = phrase("%(subject)s, %(overdue)s overdue", subject=subject, overdue=overdue)
    today_url = f"{base_url.rstrip('/')}/shops/{shop.code}/today" if base_url else f"/shops/{shop.code}/today"

    def opening(name: str) -> str:
        return say(
            nphrase(
                "Good morning. The brief of %(shop)s for %(day)s: %(num)s open actions.",
                "Good morning. The brief of %(shop)s for %(day)s: %(num)s open actions.",
                len(ranked),
                shop=name,
                day=day,
            )
        )

    lines = [opening(shop.name)]
    bold = escape(opening(BOLD))
    parts = [f"<p>{bold.replace(BOLD, f'<b>{escape(shop.name)}</b>')}</p>"]
    for name in GROUP_ORDER:
        if not groups[name]:
            continue
        heading = f"{say(GROUP_TITLES[name])} ({len(groups[name])})"
        lines += ["", heading]
        parts.append(f"<h3>{escape(heading)}</h3><ul>")
        for summary in groups[name]:
            url = action_url(base_url, shop, summary.id)
            title, why = title_in(summary, locale, reader=True), why_in(summary, locale, reader=True)
            due = say(phrase("(due %(day)s)", day=Day(summary.due)))
            lines += [f"- {title} {due}", f"  {why}", f"  {url}"]
            parts.append(
                f'<li><a href="{escape(url)}">{escape(title)}</a> {escape(due)}<br><small>{escape(why)}</small></li>'
            )
        parts.append("</ul>")
    if not top:
        nothing = say(phrase("Nothing to do this morning."))
        lines += ["", nothing]
        parts.append(f"<p>{escape(nothing)}</p>")
    if len(ranked) > len(top):
        more = say(phrase("… and %(more)s more.", more=len(ranked) - len(top)))
        lines += ["", more]
        parts.append(f"<p>{escape(more)}</p>")
    lines += ["", say(phrase("The whole brief: %(url)s", url=today_url))]
    whole = say(phrase("The whole brief"))
    parts.append(f'<p><a href="{escape(today_url)}">{escape(whole)}</a></p>')
    html = "<!doctype html><html><body>" + "".join(parts) + "</body></html>\n"
    return Digest(
        subject=say(subject),
        text="\n".join(lines) + "\n",
        html=html,
        groups=groups,
        open_count=len(ranked),
    )


@dataclass(frozen=True)
class QueuedDigest:
    owner: str
    message_id: int
    queued_now: bool


def queue_digests(
    session: Session, *, shop: Shop, today: date, now: datetime, base_url: str | None
) -> list[QueuedDigest]:
    """Queue today's digest for each owner (e-mail, through the outbox), in the owner's language (the one the
    dashboard shows them); an owner who has it already for `today` gets nothing new. A digest of an earlier day still
    waiting (no mail server then) is cancelled: this one says what it said, brought up to date. Returns one row per
    owner."""
    cancel_older_digests(session, shop_id=shop.id, today=today, now=now)
    owners = owners_of(session, shop_id=shop.id)
    if not owners:
        return []
    digests: dict[str, Digest] = {}
    queued: list[QueuedDigest] = []
    for owner in owners:
        locale = owner.locale if owner.locale in LOCALES else SOURCE_LOCALE  # the language the dashboard shows
        if locale not in digests:
            digests[locale] = compose_digest(session, shop=shop, today=today, base_url=base_url, locale=locale)
        digest = digests[locale]
        rendered = Rendered(
            situation=SITUATION, locale=locale, requested_locale=locale, subject=digest.subject, body=digest.text
        )
        message, now_queued = queue_message(
            session,
            shop_id=shop.id,
            shop_code=shop.code,
            idempotency_key=digest_key(today, owner.id),
            rendered=rendered,
            recipient=Recipient(kind=RecipientKind.SHOP, address=owner.email, channel="email"),
            facts={"day": today.isoformat(), "open": digest.open_count, "user": owner.id},
            now=now,
            actor="digest",
        )
        if now_queued:
            message.body_html = digest.html
        queued.append(QueuedDigest(owner=owner.email, message_id=message.id, queued_now=now_queued))
    session.flush()
    return queued


def cancel_older_digests(session: Session, *, shop_id: int, today: date, now: datetime) -> int:
    """Cancel the queued digests of days before `today` (keys sort by day); one a worker is sending is left to it."""
    older = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.shop_id == shop_id,
            OutboxMessage.situation == SITUATION,
            OutboxMessage.state == OutboxState.QUEUED,
            OutboxMessage.idempotency_key < f"digest:{today.isoformat()}:",
        )
    ).all()
    cancelled = 0
    for message in older:
        try:
            cancel_message(
                session, shop_id=shop_id, message_id=message.id, now=now, actor="digest", reason="a newer digest"
            )
        except (InvalidTransitionError, StateChangedError):
            continue  # being sent, or sent meanwhile: that stands
        cancelled += 1
    return cancelled
