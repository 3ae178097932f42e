"""The dashboard's pages, one module per section, mirroring the domains."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from tradewind.server.deps import no_nul_characters
from tradewind.web.routes import auth, growth, messages, orders, shipping, stock, suppliers, today

router = APIRouter(include_in_schema=False, dependencies=[Depends(no_nul_characters)])
for section in (auth, today, stock, orders, suppliers, shipping, messages, growth):
    router.include_router(section.router)
