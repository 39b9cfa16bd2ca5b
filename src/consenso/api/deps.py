"""Dependencies: the database, the settings and the authenticated caller."""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import Depends, Header, Path, Query, Request

from consenso.core.errors import InvalidInput, NotAuthenticated, PermissionDenied
from consenso.services import auth
from consenso.services.keys import Vault
from consenso.services.principal import Principal
from consenso.settings import Settings
from consenso.store.database import Database

SESSION_COOKIE: Final = "consenso_session"
CSRF_COOKIE: Final = "consenso_csrf"
CSRF_HEADER: Final = "X-CSRF-Token"
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_vault(request: Request) -> Vault:
    vault: Vault = request.app.state.vault
    return vault


def client_origin(request: Request) -> str:
    return request.client.host if request.client else ""


def current_principal(request: Request) -> Principal:
    """Bearer token first; otherwise the session cookie, with the CSRF header required on writes."""
    db: Database = request.app.state.db
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, credential = authorization.partition(" ")
        if scheme.lower() != "bearer" or not credential.strip():
            raise NotAuthenticated("invalid_token")
        return auth.authenticate_token(db, credential.strip())
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        settings: Settings = request.app.state.settings
        principal = auth.authenticate_session(db, cookie, idle_seconds=settings.session_idle_seconds)
        if request.method not in SAFE_METHODS and not auth.csrf_matches(
            principal, request.headers.get(CSRF_HEADER)
        ):
            raise PermissionDenied("csrf_failed")
        return principal
    raise NotAuthenticated("not_authenticated")


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
DB = Annotated[Database, Depends(get_db)]
AppSettings = Annotated[Settings, Depends(get_settings)]
AppVault = Annotated[Vault, Depends(get_vault)]


async def idempotency_key(
    key: Annotated[
        str | None, Header(alias="Idempotency-Key", description="Retry-safe key, unique per request")
    ] = None,
) -> str | None:
    if key is None:
        return None
    if not (1 <= len(key) <= 200) or not key.isascii() or not key.isprintable():
        raise InvalidInput("invalid_idempotency_key")
    return key


# Ids are 64-bit integers in the database; a larger id in a URL is simply not found (see api/errors.py).
MAX_ID: Final = 2**63 - 1
PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="Object id")]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
