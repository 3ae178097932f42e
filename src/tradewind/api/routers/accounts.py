"""Who is asking: health (open to all), the signed-in user and their shops, and their API tokens."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy.orm import Session

from tradewind.accounts.models import ApiToken
from tradewind.accounts.service import issue_token, revoke_token, shops_of, tokens_of
from tradewind.db.session import database_answers
from tradewind.server.deps import CurrentUser, DbSession, Principal, State
from tradewind.server.errors import ERRORS, WRITE_ERRORS
from tradewind.server.inline import on_the_loop
from tradewind.server.pages import InputModel, RecordId
from tradewind.server.state import CacheState

router = APIRouter(tags=["accounts"])


class HealthOut(BaseModel):
    status: str
    database: str
    caches: CacheState = Field(
        description="`warming` while the server computes every shop's slow figures after it starts (pages answer, "
        "slower), then `ready`; `on demand` when it does not warm them"
    )


@router.get("/health", response_model=HealthOut, summary="Is the server up and the database reachable")
@on_the_loop
def health(session: DbSession, state: State) -> HealthOut:
    database_answers(session)
    return HealthOut(status="ok", database="ok", caches=state.caches)


class ShopOut(BaseModel):
    code: str
    name: str
    currency: str
    country: str
    role: str


class MeOut(BaseModel):
    email: str
    name: str
    locale: str
    shops: list[ShopOut]


@router.get("/me", response_model=MeOut, responses=ERRORS, summary="The signed-in user and their shops")
@on_the_loop
def me(principal: CurrentUser, session: DbSession) -> MeOut:
    return _me(principal, session)


def _me(principal: Principal, session: Session) -> MeOut:
    user = principal.user
    shops = [
        ShopOut(code=s.code, name=s.name, currency=s.currency, country=s.country, role=role.value)
        for s, role in shops_of(session, user_id=user.id)
    ]
    return MeOut(email=user.email, name=user.name, locale=user.locale, shops=shops)


@router.get("/shops", response_model=list[ShopOut], responses=ERRORS, summary="The shops you belong to")
@on_the_loop
def my_shops(principal: CurrentUser, session: DbSession) -> list[ShopOut]:
    return _me(principal, session).shops


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked: bool


class TokenIn(InputModel):
    name: str = Field(min_length=1, max_length=100)
    expires_at: AwareDatetime | None = None


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The secret: shown this once, only its digest is stored")


def _token_out(row: ApiToken) -> TokenOut:
    return TokenOut(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
        revoked=row.revoked_at is not None,
    )


@router.get("/me/tokens", response_model=list[TokenOut], responses=ERRORS, summary="Your API tokens")
@on_the_loop
def list_tokens(principal: CurrentUser, session: DbSession) -> list[TokenOut]:
    return [_token_out(t) for t in tokens_of(session, user_id=principal.user.id)]


@router.post(
    "/me/tokens", response_model=TokenCreatedOut, status_code=201, responses=WRITE_ERRORS, summary="A new API token"
)
def create_token(body: TokenIn, principal: CurrentUser, session: DbSession, state: State) -> TokenCreatedOut:
    secret, row = issue_token(
        session, user=principal.user, name=body.name, now=state.security_clock.now(), expires_at=body.expires_at
    )
    return TokenCreatedOut(**_token_out(row).model_dump(), token=secret)


@router.delete("/me/tokens/{token_id}", response_model=TokenOut, responses=WRITE_ERRORS, summary="Revoke a token")
def delete_token(token_id: RecordId, principal: CurrentUser, session: DbSession, state: State) -> TokenOut:
    row = revoke_token(session, user_id=principal.user.id, token_id=token_id, now=state.security_clock.now())
    return _token_out(row)
