from __future__ import annotations

from consenso.api.deps import DB, CurrentPrincipal
from consenso.api.routes.v1.router import router
from consenso.api.schemas.users import UserCreate, UserRead
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
