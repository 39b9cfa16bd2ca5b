from __future__ import annotations

from fastapi import APIRouter

from consenso.api.deps import DB, CurrentPrincipal
from consenso.api.schemas.auth import TokenCreate, TokenRead
from consenso.api.schemas.common import ERROR_RESPONSES
from consenso.services import auth

router = APIRouter(tags=["auth"], responses=ERROR_RESPONSES)


@router.post("/tokens", status_code=201, response_model=TokenRead, summary="Create a personal access token")
def create_token(body: TokenCreate, principal: CurrentPrincipal, db: DB) -> TokenRead:
    created = auth.create_token(
        db, principal, name=body.name, user_email=body.user_email, expires_at=body.expires_at
    )
    return TokenRead.model_validate(created)
