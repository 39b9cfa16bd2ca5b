from __future__ import annotations

from fastapi import Request

from consenso.api.deps import DB, CurrentPrincipal, PathId, client_origin
from consenso.api.routes.v1.router import router
from consenso.api.schemas.users import UserCreate, UserRead, UserUpdate
from consenso.services import users


@router.post(
    "/users",
    tags=["users"],
    status_code=201,
    response_model=UserRead,
    summary="Create a user (instance admins)",
)
def create_user(body: UserCreate, principal: CurrentPrincipal, db: DB) -> UserRead:
    created = users.create_user(
        db,
        principal,
        email=body.email,
        password=body.password,
        name=body.name,
        is_admin=body.is_admin,
        locale=body.locale,
    )
    return UserRead.model_validate(created)


@router.patch(
    "/users/{user_id}",
    tags=["users"],
    response_model=UserRead,
    summary="Deactivate or reactivate a user (instance admins)",
    description="`is_active: false` signs the user out at once: every session and every API token is revoked "
    "and their leased tasks go back to the pool. `is_active: true` lets them log in again; old sessions and "
    "tokens stay revoked. Nobody deactivates themselves (409 `cannot_deactivate_self`). Asking for the state "
    "the user is already in changes nothing.",
)
def update_user(
    user_id: PathId, body: UserUpdate, request: Request, principal: CurrentPrincipal, db: DB
) -> UserRead:
    changed = users.set_active(db, principal, user_id, active=body.is_active, origin=client_origin(request))
    return UserRead.model_validate(changed)
