"""What every dashboard page needs besides the server's request plumbing (`server.deps`): the page renderer, the
user's language, and the shared page context (who, which shop, the other shops, the form token)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tradewind.accounts.service import masked, shops_of
from tradewind.brief.models import ActionRecord
from tradewind.server.deps import DbSession, ReadShop, ShopAccess, State
from tradewind.web.rendering import Pages, pick_language


async def pages(request: Request) -> Pages:
    found: Pages = request.app.state.pages
    return found


PagesDep = Annotated[Pages, Depends(pages)]


@dataclass
class PageContext:
    """Renders a page of one shop with the chrome every page shares."""

    request: Request
    access: ShopAccess
    pages: Pages
    language: str
    base: dict[str, Any]

    def action_title(self, action: ActionRecord) -> str:
        """The action's title in the user's language."""
        return self.pages.action_title(self.language, action)

    def render(self, name: str, **context: Any) -> HTMLResponse:
        return self.pages.render(self.request, name, self.base | context, language=self.language)

    def gettext(self, message: str) -> str:
        """`message` in the user's language."""
        return self.pages.translate(self.language, message)

    def words(self, name: str) -> dict[str, str]:
        """A dictionary of words for the records' values (`web.words`: "state_names", …) in the user's language."""
        return self.pages.words(self.language, name)

    @property
    def is_htmx(self) -> bool:
        return self.request.headers.get("hx-request") == "true"


async def page_context(
    request: Request, access: ReadShop, session: DbSession, state: State, pages: PagesDep
) -> PageContext:
    principal = access.principal
    language = pick_language(request, principal.user.locale, state.server.default_locale)
    base = {
        "user": principal.user,
        "shop": access.shop,
        "role": access.role.value,
        "can_write": access.can_write,
        "shops": [(s.code, s.name) for s, _ in shops_of(session, user_id=principal.user.id)],
        "csrf_token": masked(principal.web_session.csrf_token) if principal.web_session else "",
        "today": state.today_of(access.shop),
        "snooze_grace_days": state.settings.snooze_grace_days,
        "section": "",
    }
    return PageContext(request, access, pages, language, base)


Page = Annotated[PageContext, Depends(page_context)]


def login_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = f"/login?next={quote(target, safe='')}"
    if request.headers.get("hx-request") == "true":
        return Response(status_code=401, headers={"HX-Redirect": location})
    return RedirectResponse(location, status_code=303)
