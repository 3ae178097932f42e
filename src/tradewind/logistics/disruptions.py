"""The disruption register: restrictions on lanes (an import ban, a suspended route, a capacity cut, a customs
delay) with their scope, dates and source, kept by the seller (`tradewind disruption add|list|end`, later the API).

Import bans and suspended routes block a lane: no method may be chosen for it and orders on it must be held or
re-routed. Capacity cuts and customs delays slow it: the register's extra days count in the transit estimates until
the data show the slowdown themselves. A scope column left empty means "all".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

import pycountry
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tradewind.errors import NotFoundError, ValidationError
from tradewind.logistics.models import Disruption, DisruptionKind
from tradewind.logistics.schemas import disruption_figures
from tradewind.logistics.transit.lanes import Lane, LaneRestriction
from tradewind.logistics.transit.regions import country_of
from tradewind.shops.models import Shop
from tradewind.wording import Day, Phrase, phrase

BLOCKING = frozenset({DisruptionKind.IMPORT_BAN, DisruptionKind.SUSPENDED_ROUTE})
KIND_WORDS = {
    DisruptionKind.IMPORT_BAN: "import ban",
    DisruptionKind.SUSPENDED_ROUTE: "suspended route",
    DisruptionKind.CAPACITY_CUT: "capacity cut",
    DisruptionKind.CUSTOMS_DELAY: "customs delay",
}


def parse_kind(text: str) -> DisruptionKind:
    cleaned = text.strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return DisruptionKind(cleaned)
    except ValueError:
        choices = ", ".join(kind.value for kind in DisruptionKind)
        raise ValidationError(f"unknown kind of disruption {text!r}: use one of {choices}") from None


def country_code(text: str | None, *, what: str) -> str | None:
    """An ISO 3166 alpha-2 code from a code or an English name; None for empty (meaning 'all')."""
    if text is None or not text.strip() or text.strip() in ("*", "all", "ALL"):
        return None
    value = text.strip()
    try:
        found = pycountry.countries.lookup(value)
    except LookupError:
        raise ValidationError(f"{what}: unknown country {text!r}; use an ISO code such as RU, ES, US") from None
    return str(found.alpha_2)


def add_disruption(
    session: Session,
    *,
    shop: Shop,
    kind: DisruptionKind | str,
    starts_on: date,
    source: str,
    origin: str | None = None,
    destination: str | None = None,
    method: str | None = None,
    ends_on: date | None = None,
    extra_days: int | None = None,
    now: datetime,
) -> Disruption:
    """Register a restriction. Without origin, destination and method it applies to every lane."""
    the_kind = kind if isinstance(kind, DisruptionKind) else parse_kind(kind)
    if not source.strip():
        raise ValidationError("say where the news comes from (--source): a carrier notice, a platform announcement …")
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError(f"the disruption cannot end ({ends_on}) before it starts ({starts_on})")
    if extra_days is not None and not 0 <= extra_days <= 365:
        raise ValidationError(f"extra days must be between 0 and 365, not {extra_days}")
    if the_kind in BLOCKING and extra_days:
        raise ValidationError(f"a {KIND_WORDS[the_kind]} blocks the lane; extra days apply to slowdowns only")
    disruption = Disruption(
        shop_id=shop.id,
        kind=the_kind,
        origin_country=country_code(origin, what="origin"),
        destination_country=country_code(destination, what="destination"),
        method_code=method.strip() if method and method.strip() else None,
        starts_on=starts_on,
        ends_on=ends_on,
        extra_days=extra_days,
        source=source.strip(),
        created_at=now,
    )
    session.add(disruption)
    session.flush()
    return disruption


def list_disruptions(
    session: Session, *, shop: Shop, on: date | None = None, include_ended: bool = False
) -> list[Disruption]:
    """The register, newest first; with `on`, only what is in force that day (unless `include_ended`)."""
    query = select(Disruption).where(Disruption.shop_id == shop.id)
    if on is not None and not include_ended:
        query = query.where(Disruption.starts_on <= on, or_(Disruption.ends_on.is_(None), Disruption.ends_on >= on))
    return list(session.scalars(query.order_by(Disruption.starts_on.desc(), Disruption.id.desc())))


def get_disruption(session: Session, *, shop: Shop, disruption_id: int) -> Disruption:
    found = session.scalar(select(Disruption).where(Disruption.shop_id == shop.id, Disruption.id == disruption_id))
    if found is None:
        raise NotFoundError(f"no disruption #{disruption_id} in this shop", details={"disruption": disruption_id})
    return found


def end_disruption(session: Session, *, shop: Shop, disruption_id: int, ends_on: date) -> Disruption:
    """Mark a restriction as ended on a day (it still applies that day). Ending it again moves the end date."""
    disruption = get_disruption(session, shop=shop, disruption_id=disruption_id)
    if ends_on < disruption.starts_on:
        raise ValidationError(f"disruption #{disruption.id} started on {disruption.starts_on}; it cannot end before")
    disruption.ends_on = ends_on
    session.flush()
    return disruption


def in_force(disruption: Disruption, day: date) -> bool:
    return disruption.starts_on <= day and (disruption.ends_on is None or disruption.ends_on >= day)


def covers(disruption: Disruption, lane: Lane) -> bool:
    return (
        (disruption.origin_country is None or disruption.origin_country == lane.origin)
        # A country's restriction covers the lanes to its states and provinces (BR covers BR-SP).
        and (disruption.destination_country is None or disruption.destination_country == country_of(lane.destination))
        and (disruption.method_code is None or disruption.method_code == lane.method)
    )


def describe(disruption: Disruption) -> str:
    return describe_phrase(disruption).english()


# The disruption kinds (`KIND_WORDS`) inside a sentence, in the reader's language.
KIND_PHRASES = {
    DisruptionKind.IMPORT_BAN: phrase("import ban"),
    DisruptionKind.SUSPENDED_ROUTE: phrase("suspended route"),
    DisruptionKind.CAPACITY_CUT: phrase("capacity cut"),
    DisruptionKind.CUSTOMS_DELAY: phrase("customs delay"),
}


def describe_phrase(disruption: Disruption) -> Phrase:
    """A restriction in one line: its number, kind, scope, dates and extra days, then its source as recorded."""
    ends = {
        "origin": disruption.origin_country or phrase("anywhere"),
        "destination": disruption.destination_country or phrase("anywhere"),
    }
    scope = (
        phrase("%(origin)s → %(destination)s by %(method)s", method=disruption.method_code, **ends)
        if disruption.method_code
        else phrase("%(origin)s → %(destination)s (all methods)", **ends)
    )
    return phrase(
        "#%(id)s %(kind)s %(scope)s from %(starts)s%(until)s%(extra)s: %(source)s",
        id=str(disruption.id),
        kind=KIND_PHRASES[disruption.kind],
        scope=scope,
        starts=Day(disruption.starts_on),
        until=phrase(" until %(day)s", day=Day(disruption.ends_on)) if disruption.ends_on else "",
        extra=phrase(", +%(days)s days", days=disruption.extra_days) if disruption.extra_days else "",
        source=disruption.source,
    )


def restriction_for(lane: Lane, disruptions: Iterable[Disruption], day: date) -> LaneRestriction | None:
    """What the register says about `lane` on `day`, or None when nothing applies."""
    found = [d for d in disruptions if in_force(d, day) and covers(d, lane)]
    if not found:
        return None
    slowing = [d for d in found if d.kind not in BLOCKING and d.extra_days]
    return LaneRestriction(
        blocked=any(d.kind in BLOCKING for d in found),
        extra_days=max((d.extra_days or 0 for d in slowing), default=0),
        since=min((d.starts_on for d in slowing), default=None),
        notes=tuple(describe(d) for d in found),
    )


def restrictions_for(
    lanes: Sequence[Lane], disruptions: Sequence[Disruption], day: date
) -> dict[Lane, LaneRestriction]:
    found = {}
    for lane in lanes:
        restriction = restriction_for(lane, disruptions, day)
        if restriction is not None:
            found[lane] = restriction
    return found


def disruption_to_dict(disruption: Disruption, *, today: date | None = None) -> dict[str, object]:
    """As every face publishes it (`schemas.DISRUPTION`)."""
    return disruption_figures(
        disruption,
        kind_blocks=disruption.kind in BLOCKING,
        in_force=in_force(disruption, today) if today else None,
    )
