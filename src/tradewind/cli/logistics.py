"""`tradewind track …`, `tradewind transit …`, `tradewind disruption …` and `tradewind logistics …`: tracking in every
carrier's words, honest transit times, the disruption register, and the right way to ship per destination."""

from __future__ import annotations

import codecs
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from tradewind.cli.runtime import (
    DbOption,
    JsonOption,
    ShopOption,
    TodayOption,
    console,
    error_console,
    friendly_errors,
    open_runtime,
    parse_optional_day,
    print_json,
    resolve_shop,
)
from tradewind.clock import parse_day
from tradewind.errors import InputFileError, RowError, ValidationError
from tradewind.logistics.choice import choose_methods
from tradewind.logistics.disruptions import (
    add_disruption,
    country_code,
    describe,
    disruption_to_dict,
    end_disruption,
    list_disruptions,
)
from tradewind.logistics.overseas import compare_overseas
from tradewind.logistics.rules import LogisticsRules
from tradewind.logistics.service import lane_statistics, parcel_timeline
from tradewind.logistics.tracking.normalize import JsonLines, line_batches, normalize_line, shared_normalizer
from tradewind.logistics.tracking.store import TrackingFormat, import_tracking_file
from tradewind.logistics.transit.files import read_reviews_csv, read_shipments_csv
from tradewind.logistics.transit.lanes import (
    TransitSettings,
    end_of,
    estimate_lanes,
)
from tradewind.logistics.watch import orders_at_risk

track_app = typer.Typer(help="Tracking: read carriers' events in any language, import them, show a parcel.")
transit_app = typer.Typer(help="Transit times per lane that stay honest when a route slows down.")
disruption_app = typer.Typer(help="The register of import bans, suspended routes, capacity cuts, customs delays.")
logistics_app = typer.Typer(help="The method per destination, and overseas stock or direct shipping.")


# --- track ---------------------------------------------------------------------------------------------------------


@track_app.command("normalize")
@friendly_errors
def normalize_command(
    file: Annotated[
        Path | None, typer.Option("--file", help="Raw events, one per line (default: standard input)")
    ] = None,
    as_json: JsonOption = False,
    table: Annotated[bool, typer.Option("--table", help="A table for reading instead of JSON lines")] = False,
) -> None:
    """Read raw tracking events — text in any language, "CODE text", or JSON lines with text/code — and print one
    JSON object per line: {"text", "status", "substatus", "confidence"}. Text it cannot place is Unknown (0)."""
    batches = _event_line_batches(file)
    if table and not as_json:
        normalizer = shared_normalizer()
        grid = Table("text", "status", "substatus", "confidence")
        for lines in batches:
            for item in (normalize_line(line, normalizer) for line in lines if line.strip()):
                grid.add_row(item.text, item.status, item.substatus or "", f"{item.confidence:.2f}")
        console.print(grid)
        return
    # Streamed: a batch of lines read, its output written as one string (see JsonLines).
    writer, out = JsonLines(), sys.stdout
    for lines in batches:
        out.write(writer.batch(lines))


def _event_line_batches(file: Path | None) -> Iterator[list[str]]:
    """The raw event lines in batches: from standard input as they come; from a file once it is known to be UTF-8
    throughout (a file that is not is refused before any line is written, as when it was read whole)."""
    if file is None:
        yield from line_batches(sys.stdin)
        return
    try:
        _check_utf8(file)
        with file.open(encoding="utf-8") as source:
            yield from line_batches(source)
    except (OSError, UnicodeDecodeError) as problem:
        raise InputFileError([RowError(file.name, 0, "", f"cannot read the file: {problem}")]) from None


def _check_utf8(file: Path) -> None:
    """Decode the file in pieces (under a tenth of a second for 40 MB), keeping none; on a bad byte, the error of
    decoding the whole text (its position counted from the file's start)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with file.open("rb") as raw:
            while piece := raw.read(1 << 20):
                decoder.decode(piece)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        file.read_text(encoding="utf-8")
        raise


@track_app.command("import")
@friendly_errors
def import_command(
    file: Annotated[Path, typer.Argument(help="A tracking CSV, a Cainiao detail.json, or an AfterShip webhook body")],
    source_format: Annotated[str, typer.Option("--format", help="csv, cainiao or aftership")] = "csv",
    db: DbOption = None,
    shop: ShopOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Store tracking events once each (the same event twice is stored once) and update the parcels' status."""
    if source_format not in ("csv", "cainiao", "aftership"):
        raise ValidationError(f"--format must be csv, cainiao or aftership, not {source_format!r}")
    chosen: TrackingFormat = source_format  # type: ignore[assignment]
    # Here, not at the top: the stores' modules (planning's among them) are for this command only, and `track
    # normalize` is measured from process start.
    from tradewind.brief.stores import bring_stores_up_to_date

    runtime = open_runtime(db, today)
    with runtime.transaction() as session:
        the_shop = resolve_shop(session, runtime, shop)
        summary = import_tracking_file(session, shop=the_shop, path=file, source_format=chosen, now=runtime.clock.now())
        bring_stores_up_to_date(session, shop_id=the_shop.id, touched=summary.written())
    if as_json:
        print_json(summary.to_dict())
        return
    grid = Table("table", "created", "updated", "unchanged")
    for name in summary.created:
        grid.add_row(name, str(summary.created[name]), str(summary.updated[name]), str(summary.unchanged[name]))
    console.print(f"Imported {file.name} ({source_format})")
    console.print(grid)


@track_app.command("show")
@friendly_errors
def show_command(
    tracking_number: Annotated[str, typer.Argument(help="The parcel's tracking number")],
    db: DbOption = None,
    shop: ShopOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """A parcel's timeline: each event as the carrier wrote it and what it means, newest first (as the API)."""
    runtime = open_runtime(db, today)
    with runtime.transaction() as session:
        the_shop = resolve_shop(session, runtime, shop)
        found = parcel_timeline(
            session, shop_id=the_shop.id, tracking_number=tracking_number, now=runtime.clock.now()
        ).to_dict()
    if as_json:
        print_json(found)
        return
    route = f"{found['origin_country']}→{found['destination_country']}"
    console.print(f"[bold]{found['tracking_number']}[/] {route}: {found['status_words']}")
    grid = Table("when (UTC)", "status", "event")
    for event in found["events"]:
        mark = "" if event["counted"] else " (went backwards: not counted)"
        grid.add_row(str(event["occurred_at"])[:16].replace("T", " "), f"{event['status']}{mark}", str(event["text"]))
    console.print(grid)


# --- transit -------------------------------------------------------------------------------------------------------


@transit_app.command("estimate")
@friendly_errors
def estimate_command(
    shipments: Annotated[
        Path, typer.Option("--shipments", help="CSV: shipment_id,origin,destination,method,shipped_at,delivered_at")
    ],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Only what was known at the end of this day (YYYY-MM-DD)")
    ] = None,
    reviews: Annotated[
        Path | None, typer.Option("--reviews", help="CSV of buyers' reviews: destination,method,days,reviewed_on")
    ] = None,
    half_life: Annotated[
        float, typer.Option("--half-life", help="Days after which a parcel counts half")
    ] = TransitSettings().half_life_days,
    as_json: JsonOption = False,
) -> None:
    """p50 and p90 transit days per lane, counting parcels still in transit; thin lanes borrow and say so."""
    shipments_file = read_shipments_csv(shipments)
    _say_skipped(shipments_file.skipped, shipments_file.rows)
    observations = shipments_file.observations
    settings = TransitSettings(half_life_days=half_life)
    lanes = observations.lanes()
    day = parse_optional_day(as_of, "--as-of")
    moment = end_of(day) if day else observations.latest_moment()
    everything = observations
    if reviews is not None:
        everything = observations.concat(read_reviews_csv(reviews, review_weight=settings.review_weight))
    estimates = estimate_lanes(everything, as_of=moment, settings=settings, lanes=lanes)
    rows = [_estimate_row(e.to_dict()) for e in estimates]
    if as_json:
        print_json(rows)
        return
    console.print(f"Transit days as known at {moment:%Y-%m-%d %H:%M} UTC ({len(rows)} lanes)")
    grid = Table("lane", "delivered", "in transit", "p50", "p90", "source")
    for row in rows:
        p90 = f"≥{row['p90_days']}" if row["p90_is_lower_bound"] else str(row["p90_days"])
        source = row["source"] + (f": {row['borrowed_from']}" if row["borrowed_from"] else "")
        grid.add_row(
            f"{row['origin']}→{row['destination']} {row['method']}",
            str(row["n_delivered"]),
            str(row["n_in_transit"]),
            str(row["p50_days"]),
            p90,
            source,
        )
    console.print(grid)


# The impossible rows named one by one; beyond these only their count.
_SKIPPED_NAMED = 5


def _say_skipped(skipped: tuple[RowError, ...], rows: int) -> None:
    """On stderr (the --json output stays the lanes): how many impossible rows were left out, the first ones named."""
    if not skipped:
        return
    error_console.print(
        f"Left out {len(skipped)} of {rows} shipments delivered before they were shipped (the estimate reads the "
        "rest; an import would refuse the file):",
        highlight=False,
    )
    for problem in skipped[:_SKIPPED_NAMED]:
        error_console.print(f"  {problem}", highlight=False, markup=False)
    if len(skipped) > _SKIPPED_NAMED:
        error_console.print(f"  … and {len(skipped) - _SKIPPED_NAMED} more", highlight=False)


def _estimate_row(full: dict[str, Any]) -> dict[str, Any]:
    keep = (
        "origin",
        "destination",
        "method",
        "n_delivered",
        "n_in_transit",
        "p50_days",
        "p90_days",
        "p90_is_lower_bound",
        "source",
        "borrowed_from",
        "region",
        "n_reviews",
    )
    return {name: full[name] for name in keep}


@transit_app.command("lanes")
@friendly_errors
def lanes_command(
    db: DbOption = None,
    shop: ShopOption = None,
    today: TodayOption = None,
    by_region: Annotated[
        bool,
        typer.Option(
            "--by-region", help="Lanes to each state or province parcels were imported with (BR-SP), not per country"
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """The shop's lanes from its own parcels: transit p50/p90, cost, and what the disruption register says."""
    runtime = open_runtime(db, today)
    with runtime.transaction() as session:
        the_shop = resolve_shop(session, runtime, shop)
        rules = LogisticsRules.from_settings(runtime.settings)
        statistics = lane_statistics(session, shop=the_shop, now=runtime.clock.now(), rules=rules, by_region=by_region)
        rows = [s.to_dict() for s in statistics]
    if as_json:
        print_json(rows)
        return
    grid = Table("lane", "delivered", "in transit", "p50", "p90", "cost", "source", "restricted")
    for row in rows:
        grid.add_row(
            f"{row['origin']}→{row['destination']} {row['method']}",
            str(row["n_delivered"]),
            str(row["n_in_transit"]),
            str(row["p50_days"]),
            str(row["p90_days"]),
            str(row["mean_cost"] or "—"),
            row["source"],
            "blocked" if row["blocked"] else (f"+{row['slowed_by_days']} d" if row["slowed_by_days"] else ""),
        )
    console.print(grid)


@transit_app.command("at-risk")
@friendly_errors
def at_risk_command(
    db: DbOption = None, shop: ShopOption = None, today: TodayOption = None, as_json: JsonOption = False
) -> None:
    """Open orders that may miss their promised date: why, and the expected delivery (p90) against the promise —
    or, for a parcel probably lost, what to do and by when."""
    runtime = open_runtime(db, today)
    with runtime.transaction() as session:
        the_shop = resolve_shop(session, runtime, shop)
        found = orders_at_risk(
            session,
            shop=the_shop,
            today=runtime.today_of(the_shop),
            now=runtime.clock.now(),
            rules=LogisticsRules.from_settings(runtime.settings),
        )
        rows = [o.to_dict() for o in found]
    if as_json:
        print_json(rows)
        return
    grid = Table("order", "reason", "promised", "expected p90", "days late")
    for row in rows:
        if row["expected_p90_on"] is not None:
            expected = str(row["expected_p90_on"])
        elif row["steps"]:
            expected = "none: " + ", then ".join(step["type"].replace("_", " ") for step in row["steps"])
        else:
            expected = "no date"
        grid.add_row(row["order"], row["reason_words"], str(row["promised_on"]), expected, str(row["days_late"]))
    console.print(grid)


# --- disruption ----------------------------------------------------------------------------------------------------


@disruption_app.command("add")
@friendly_errors
def disruption_add_command(
    kind: Annotated[str, typer.Option("--kind", help="import_ban, suspended_route, capacity_cut or customs_delay")],
    starts: Annotated[str, typer.Option("--from", help="First day it applies (YYYY-MM-DD)")],
    source: Annotated[str, typer.Option("--source", help="Where the news comes from")],
    until: Annotated[str | None, typer.Option("--until", help="Last day it applies, when known")] = None,
    origin: Annotated[str | None, typer.Option("--origin", help="Origin country (default: all)")] = None,
    destination: Annotated[str | None, typer.Option("--destination", help="Destination country (default: all)")] = None,
    method: Annotated[str | None, typer.Option("--method", help="Shipping method code (default: all)")] = None,
    extra_days: Annotated[int | None, typer.Option("--extra-days", help="How much slower (slowdowns only)")] = None,
    db: DbOption = None,
    shop: ShopOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Register a restriction: it blocks or slows the lanes in its scope in the estimates and the method choice."""
    runtime = open_runtime(db, today)
    with runtime.transaction() as session:
        the_shop = resolve_shop(session, runtime, shop)
        disruption = add_disruption(
            session,
            shop=the_shop,
            kind=kind,
            starts_on=parse_day(starts, what="--from"),
            ends_on=parse_optional_day(until, "--until"),
            source=source,
            origin=origin,
            destination=destination,
            method=method,
            extra_days=extra_days,
            now=runtime.clock.now(),
        )
        payload = disruption_to_dict(disruption, today=runtime.today_of(the_shop))
        words = describe(disruption)
    if as_json:
        print_json(payload)
        return
    console.print(f"[green]registered[/] {words}", highlight=False)


@disruption_app.command("list")
@friendly_errors
def disruption_list_command(
    include_ended: Annotated[bool, typer.Option("--all", help="Include ended and future ones")] = False,
    db: DbOption = None,
    shop: ShopOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """The restrictions in force today (or all of them with --all)."""
    runtime = open_runtime(db, today)
    with runtime.transaction() as session:
        the_shop = resolve_shop(session, runtime, shop)
        day = runtime.today_of(the_shop)
        found = list_disruptions(session, shop=the_shop, on=None if include_ended else day)
        rows = [disruption_to_dict(d, today=day) for d in found]
        lines = [describe(d) for d in found]
    if as_json:
        print_json(rows)
        return
    if not lines:
        console.print("No restrictions in force." if not include_ended else "The register is empty.")
    for line in lines:
        console.print(line, highlight=False)


@disruption_app.command("end")
@friendly_errors
def disruption_end_command(
    disruption_id: Annotated[int, typer.Argument(help="The disruption's number")],
    on: Annotated[str | None, typer.Option("--on", help="Last day it applied (default: today)")] = None,
    db: DbOption = None,
    shop: ShopOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Mark a restriction as ended."""
    runtime = open_runtime(db, today)
    with runtime.transaction() as session:
        the_shop = resolve_shop(session, runtime, shop)
        disruption = end_disruption(
            session,
            shop=the_shop,
            disruption_id=disruption_id,
            ends_on=parse_optional_day(on, "--on") or runtime.today_of(the_shop),
        )
        payload = disruption_to_dict(disruption, today=runtime.today_of(the_shop))
        words = describe(disruption)
    if as_json:
        print_json(payload)
        return
    console.print(f"[yellow]ended[/] {words}", highlight=False)


# --- logistics -----------------------------------------------------------------------------------------------------


@logistics_app.command("methods")
@friendly_errors
def methods_command(
    db: DbOption = None, shop: ShopOption = None, today: TodayOption = None, as_json: JsonOption = False
) -> None:
    """Per destination: each method's p90 and cost against the promise, the current default and the best pick."""
    runtime = open_runtime(db, today)
    with runtime.transaction() as session:
        the_shop = resolve_shop(session, runtime, shop)
        choices = choose_methods(
            session,
            shop=the_shop,
            today=runtime.today_of(the_shop),
            now=runtime.clock.now(),
            rules=LogisticsRules.from_settings(runtime.settings),
        )
        rows = [c.to_dict() for c in choices]
    if as_json:
        print_json(rows)
        return
    grid = Table("destination", "promise", "default", "best", "options (p90 days / cost)")
    for row in rows:
        options = "; ".join(
            f"{o['method']} {o['p90_days']}d/{o['cost'] or '?'}" + (" BLOCKED" if o["blocked"] else "")
            for o in row["options"]
        )
        grid.add_row(
            row["destination"],
            f"{row['promise_days']} d ({row['transit_budget_days']} in transit)",
            str(row["default_method"]),
            str(row["recommended"]),
            options,
        )
    console.print(grid)


@logistics_app.command("compare")
@friendly_errors
def compare_command(
    sku: Annotated[list[str], typer.Option("--sku", help="SKU code (repeatable)")],
    destination: Annotated[str, typer.Option("--destination", help="Destination country (ISO code)")],
    cover_days: Annotated[int, typer.Option("--cover-days", help="Days of demand to stock overseas")] = 7,
    batch_freight: Annotated[
        Decimal | None, typer.Option("--batch-freight", help="Batch freight per unit to the warehouse")
    ] = None,
    batch_transit_days: Annotated[int | None, typer.Option("--batch-days", help="Days the batch takes")] = None,
    local_delivery: Annotated[
        Decimal | None, typer.Option("--local-delivery", help="Local delivery cost per order")
    ] = None,
    storage: Annotated[Decimal | None, typer.Option("--storage", help="Storage per unit per day")] = None,
    direct_cost: Annotated[
        Decimal | None, typer.Option("--direct-cost", help="Parcel cost per order shipped directly")
    ] = None,
    method: Annotated[str | None, typer.Option("--method", help="Direct method (default: the destination's)")] = None,
    unit_value: Annotated[Decimal | None, typer.Option("--unit-value", help="Value of one unit held")] = None,
    db: DbOption = None,
    shop: ShopOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Ship each order from China, or stock a week or two of demand in an overseas warehouse: cost and days."""
    country = country_code(destination, what="--destination")
    if country is None:
        raise ValidationError("--destination must name a country")
    runtime = open_runtime(db, today)
    with runtime.transaction() as session:
        the_shop = resolve_shop(session, runtime, shop)
        result = compare_overseas(
            session,
            shop=the_shop,
            skus=sku,
            destination=country,
            today=runtime.today_of(the_shop),
            now=runtime.clock.now(),
            rules=LogisticsRules.from_settings(runtime.settings),
            window_days=runtime.settings.sales_window_days,
            cover_days=cover_days,
            batch_freight_per_unit=batch_freight,
            batch_transit_days=batch_transit_days,
            local_delivery_cost=local_delivery,
            storage_per_unit_day=storage,
            direct_cost_per_parcel=direct_cost,
            direct_method=method,
            unit_value=unit_value,
            holding_rate_per_year=runtime.settings.holding_cost_rate_per_year,
        )
        payload = result.to_dict()
    if as_json:
        print_json(payload)
        return
    direct, overseas = payload["direct"], payload["overseas"]
    console.print(
        f"[bold]{country}[/], {cover_days} days of demand: recommendation [bold]{payload['recommendation']}[/] — "
        f"{payload['reason']}",
        highlight=False,
    )
    grid = Table("sku", "per day", "batch", "direct / unit", "overseas / unit", "capital tied up")
    for row in payload["skus"]:
        grid.add_row(
            row["sku"],
            str(row["units_per_day"]),
            str(row["batch_units"]),
            row["direct_cost_per_unit"],
            row["overseas_cost_per_unit"],
            row["capital_tied_up"],
        )
    console.print(grid)
    console.print(
        f"Direct by {direct['method']}: {direct['cost_for_period']} {payload['currency']}, "
        f"{direct['p50_days']}–{direct['p90_days']} days; overseas: {overseas['cost_for_period']} "
        f"{payload['currency']}, {overseas['p50_days']}–{overseas['p90_days']} days "
        f"(first stock arrives in {overseas['first_stock_arrives_in_days']} days).",
        highlight=False,
    )
