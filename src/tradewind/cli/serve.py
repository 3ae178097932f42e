"""`tradewind serve`: the dashboard and the REST API (FastAPI on uvicorn)."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from tradewind.cli.runtime import DbOption, TodayOption, console, friendly_errors, open_runtime
from tradewind.db.migrate import current_revision, head_revision
from tradewind.errors import ConfigurationError


@friendly_errors
def serve_command(
    host: Annotated[str, typer.Option("--host", help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Worker processes")] = 1,
    db: DbOption = None,
    today: TodayOption = None,
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn's log level")] = "info",
) -> None:
    """Serve the dashboard (/) and the REST API (/api/v1, OpenAPI at /docs). Add users with `tradewind user add`.
    --today sets the shop's day only: sign-in limits, sessions and tokens always run on the real time."""
    import uvicorn

    runtime = open_runtime(db, today)
    revision, head = current_revision(runtime.engine), head_revision()
    if revision != head:
        raise ConfigurationError(f"the database is at revision {revision}, not {head}: run `tradewind db upgrade`")
    console.print(f"Tradewind on http://{host}:{port}/ (API docs: /docs) — {runtime.engine.url!r}", highlight=False)
    # The digest's links lead here unless a shop's mail settings name the dashboard's public address.
    os.environ.setdefault("TRADEWIND_PUBLIC_URL", f"http://{host}:{port}")
    if workers == 1:
        from tradewind.app import create_app
        from tradewind.server.app import tune_garbage_collector

        app = create_app(runtime.settings, engine=runtime.engine, clock=runtime.clock)
        tune_garbage_collector()
        uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=log_level == "debug")
        return
    # Worker processes build their own app from the environment: hand them the database and the day.
    os.environ["TRADEWIND_DATABASE_URL"] = runtime.settings.database_url
    if today:
        os.environ["TRADEWIND_TODAY"] = today
    runtime.engine.dispose()
    uvicorn.run(
        "tradewind.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=log_level == "debug",
    )
