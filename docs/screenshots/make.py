"""Screenshots of the dashboard for the README, run by hand after a change to the pages:

    .venv/bin/python docs/screenshots/make.py

It builds the demo shop (seed 7, on 25 November 2026) in a temporary SQLite database with a signed-up owner and
today's brief, serves the app with uvicorn on a free loopback port, signs in with Debian's Chromium
(/usr/bin/chromium, driven by Playwright, as tests/web/test_browser.py does) and saves what the screen shows of each
page (the viewport, not the whole page) at desktop width (1280 px) and phone width (390 px). Each PNG is reduced to
256 colours with Pillow and optimised, so that the set stays small enough to keep in the repository. Today and
Messages are shot once more for a user who reads Chinese (`*-zh.png`).

It needs a CJK font, or Chinese text and the demo's Korean buyer names are drawn as boxes: headless Chromium finds
fonts through fontconfig, and Debian's chromium package brings none for CJK. Install one first
(`apt-get install -y fonts-noto-cjk`); the script checks with `fc-list` and stops, saying so, when there is none.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import uvicorn
from PIL import Image
from playwright.sync_api import ViewportSize, sync_playwright

from tradewind.accounts.models import Role
from tradewind.accounts.service import AccountRules, create_user, grant
from tradewind.action import BriefContext
from tradewind.app import create_app
from tradewind.brief.producers import default_producers
from tradewind.brief.service import refresh_brief
from tradewind.clock import FixedClock
from tradewind.config import Settings
from tradewind.db.migrate import upgrade
from tradewind.db.session import make_engine, make_sessionmaker, transaction
from tradewind.demo import build_demo_shop
from tradewind.server.config import ServerSettings
from tradewind.shops.service import get_shop

HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
TODAY = date(2026, 11, 25)
EMAIL, PASSWORD = "lin@example.com", "screenshots only, never a real password"
EMAIL_ZH = "chen@example.com"  # the same shop, for an owner who reads Chinese
ZH_PAGES = ("today", "messages")
# The languages the screenshots show in scripts a Latin font lacks: Chinese (the zh pages) and Korean (buyer names).
CJK_LANGUAGES = ("zh", "ko")
CHEAP = AccountRules(hash_time_cost=1, hash_memory_kib=8, hash_parallelism=1)
SIZES: dict[str, ViewportSize] = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
WAIT_MS = 120_000


@contextmanager
def demo_server(folder: Path) -> Iterator[str]:
    """The demo shop served on loopback; yields its address."""
    path = folder / "demo.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    settings = Settings(database_url=f"sqlite:///{path}")
    clock = FixedClock.on(TODAY)
    with transaction(make_sessionmaker(engine)) as session:
        build_demo_shop(session, seed=7, today=TODAY)
        shop = get_shop(session)
        user = create_user(session, email=EMAIL, password=PASSWORD, name="Lin", rules=CHEAP)
        grant(session, user=user, shop=shop, role=Role.OWNER)
        reader = create_user(session, email=EMAIL_ZH, password=PASSWORD, name="Chen", locale="zh", rules=CHEAP)
        grant(session, user=reader, shop=shop, role=Role.OWNER)
        context = BriefContext(today=TODAY, now=clock.now(), settings=settings)
        refresh_brief(session, shop=shop, context=context, producers=default_producers())
    app = create_app(settings, server=ServerSettings(hash_time_cost=1, hash_memory_kib=8), engine=engine, clock=clock)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()


def missing_fonts() -> list[str]:
    """The languages of `CJK_LANGUAGES` no installed font covers (all of them when fontconfig is missing)."""
    if shutil.which("fc-list") is None:
        return list(CJK_LANGUAGES)
    found = {
        language: subprocess.run(
            ["fc-list", f":lang={language}", "family"], capture_output=True, text=True, check=False
        ).stdout.strip()
        for language in CJK_LANGUAGES
    }
    return [language for language, families in found.items() if not families]


def sign_in(page: Any, email: str = EMAIL) -> str:
    """Signs in; the shop's address (`…/shops/CODE`)."""
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/today")
    return str(page.url).split("/today")[0]


def addresses(page: Any, base: str) -> dict[str, str]:
    """Each page to show, by the name of its file: the first action, SKU and supplier as the lists give them."""
    page.goto(f"{base}/today")
    action = page.locator("article.action").first.get_attribute("id").removeprefix("action-")
    page.goto(f"{base}/stock")
    sku = page.locator("table.grid tbody a").first.get_attribute("href")
    return {
        "today": f"{base}/today",
        "action": f"{base}/actions/{action}",
        "stock": f"{base}/stock",
        "sku": sku,
        "orders": f"{base}/orders",
        "suppliers": f"{base}/suppliers",
        "shipping": f"{base}/shipping",
        "messages": f"{base}/messages",
        "growth": f"{base}/growth",
    }


def save_small(png: bytes, target: Path) -> int:
    """The screenshot in 256 colours, optimised; its size in bytes."""
    with tempfile.SpooledTemporaryFile() as raw:
        raw.write(png)
        raw.seek(0)
        with Image.open(raw) as image:
            image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)
    return target.stat().st_size


def shoot(page: Any, address: str, target: Path) -> None:
    page.goto(address)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(800)  # the charts' drawing animation
    written = save_small(page.screenshot(full_page=False), target)
    print(f"{target.relative_to(HERE.parent.parent)}: {written / 1024:.0f} KiB")  # noqa: T201 - a script


def main() -> int:
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing: apt-get install -y chromium", file=sys.stderr)  # noqa: T201 - a script
        return 1
    missing = missing_fonts()
    if missing:
        print(  # noqa: T201 - a script
            f"no font for {', '.join(missing)}: Chinese and Korean would be drawn as boxes; "
            "apt-get install -y fonts-noto-cjk",
            file=sys.stderr,
        )
        return 1
    with tempfile.TemporaryDirectory() as folder, demo_server(Path(folder)) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
        try:
            for size, viewport in SIZES.items():
                phone = size == "phone"
                context = browser.new_context(
                    viewport=viewport, base_url=server, device_scale_factor=1, is_mobile=phone, has_touch=phone
                )
                context.set_default_timeout(WAIT_MS)
                page = context.new_page()
                pages = addresses(page, sign_in(page))
                for name, address in pages.items():
                    shoot(page, address, HERE / f"{size}-{name}.png")
                context.close()
                context = browser.new_context(
                    viewport=viewport, base_url=server, device_scale_factor=1, is_mobile=phone, has_touch=phone
                )
                context.set_default_timeout(WAIT_MS)
                page = context.new_page()
                sign_in(page, EMAIL_ZH)
                for name in ZH_PAGES:
                    shoot(page, pages[name], HERE / f"{size}-{name}-zh.png")
                context.close()
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
