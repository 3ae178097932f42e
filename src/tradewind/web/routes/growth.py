"""Growth: milestones with progress bars and pace, service metrics against their limits, the KPIs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from tradewind.config import Settings
from tradewind.growth.producers import metric_name, milestone_name
from tradewind.growth.settings import growth_settings
from tradewind.server.deps import State
from tradewind.server.figures import growth_today
from tradewind.server.inline import on_the_loop
from tradewind.web.deps import Page
from tradewind.wording import Phrase, for_reader

router = APIRouter(prefix="/shops/{shop}")


@router.get("/growth")
@on_the_loop
def growth_page(page: Page, state: State) -> HTMLResponse:
    report = growth_today(state, page.access.shop)
    return page.render("growth.html", section="growth", report=named_in(report, page.language, state.settings))


def named_in(report: dict[str, Any], language: str, settings: Settings) -> dict[str, Any]:
    """The report (as cached, shared by every reader) with its milestones' and metrics' names and the milestones'
    pace in `language` (English too with the page's dates: `wording.for_reader`)."""
    growth = growth_settings(settings)

    def said(name: str | Phrase) -> str:
        return for_reader(name, language) if isinstance(name, Phrase) else name

    return report | {
        "milestones": [
            m
            | {
                "title": said(milestone_name(m["code"], m["title"], growth)),
                "pace": for_reader(Phrase.from_json(m["pace_msg"]), language) if m.get("pace_msg") else m["pace"],
            }
            for m in report["milestones"]
        ],
        "metrics": [m | {"title": said(metric_name(m["code"], m["title"], growth))} for m in report["metrics"]],
    }
