"""The demo shop's dashboard read by an owner per interface language (English, Chinese, Russian): built once per
test run for the tests that read its pages (tests/web/test_demo_in_*.py, through the `demo_readers` fixture)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.api.harness import sign_in
from tests.api.shop_data import CHEAP
from tradewind.accounts.models import Role
from tradewind.accounts.service import create_user, grant
from tradewind.action import BriefContext
from tradewind.app import create_app
from tradewind.brief.models import ActionRecord
from tradewind.brief.producers import default_producers
from tradewind.brief.service import refresh_brief
from tradewind.clock import FixedClock
from tradewind.config import Settings
from tradewind.db.migrate import upgrade
from tradewind.db.session import make_engine, make_sessionmaker, transaction
from tradewind.demo import build_demo_shop
from tradewind.server.config import ServerSettings
from tradewind.shops.service import get_shop

DEMO_TODAY = date(2026, 11, 25)
# An owner of the demo shop per interface language.
DEMO_READERS = {"en": "sam@example.com", "zh": "lin@example.com", "ru": "olga@example.com"}


@dataclass(frozen=True)
class DemoReaders:
    """Each client signed in as the owner who reads that language (with its CSRF token); the brief's actions."""

    clients: dict[str, TestClient]
    csrf: dict[str, str]
    actions: list[ActionRecord]


def build_demo_readers(path: Path) -> tuple[DemoReaders, Engine]:
    """The demo shop (seed 7) in a new SQLite file at `path`, today's brief made, the dashboard app over it."""
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    settings = Settings(database_url=f"sqlite:///{path}")
    clock = FixedClock.on(DEMO_TODAY)
    with transaction(make_sessionmaker(engine)) as session:
        build_demo_shop(session, seed=7, today=DEMO_TODAY)
        shop = get_shop(session)
        for locale, email in DEMO_READERS.items():
            user = create_user(
                session, email=email, password="a long enough pass", name=email, locale=locale, rules=CHEAP
            )
            grant(session, user=user, shop=shop, role=Role.OWNER)
        context = BriefContext(today=DEMO_TODAY, now=clock.now(), settings=settings)
        actions = refresh_brief(session, shop=shop, context=context, producers=default_producers()).actions
        for action in actions:  # read while the session is open: the brief loads them when first used
            action.figures, action.steps  # noqa: B018
    app = create_app(settings, server=ServerSettings(hash_time_cost=1, hash_memory_kib=8), engine=engine, clock=clock)
    clients, csrf = {}, {}
    for locale, email in DEMO_READERS.items():
        clients[locale] = TestClient(app)
        csrf[locale] = sign_in(clients[locale], email, "a long enough pass")
    return DemoReaders(clients, csrf, actions), engine


def titles(client: TestClient) -> dict[int, str]:
    """The action titles of the Today page the client sees, by action id."""
    page = client.get("/shops/demo/today").text
    cards = re.findall(r'id="action-(\d+)".*?<div class="title">(.*?)</div>', page, flags=re.S)
    return {int(number): html.unescape(title) for number, title in cards}
