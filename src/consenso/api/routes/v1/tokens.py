from __future__ import annotations

from consenso.api.deps import DB, CurrentPrincipal
from consenso.api.routes.v1.router import router
from consenso.api.schemas.auth import TokenCreate, TokenRead
from consenso.services import auth


@router.post(
    "/tokens",
    tags=["auth"],
    status_code=201,
    response_model=TokenRead,
    summary="Create a personal access token",
)
def create_token(body: TokenCreate, principal: CurrentPrincipal, db: DB) -> TokenRead:
    created = auth.create_token(
        db, principal, name=body.name, user_email=body.user_email, expires_at=body.expires_at
    )
    return TokenRead.model_validate(created)
