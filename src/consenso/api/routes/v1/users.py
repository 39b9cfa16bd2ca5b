from __future__ import annotations

from fastapi import APIRouter

from consenso.api.deps import DB, CurrentPrincipal
from consenso.api.schemas.common import ERROR_RESPONSES
from consenso.api.schemas.users import UserCreate, UserRead
from consenso.services import users

router = APIRouter(tags=["users"], responses=ERROR_RESPONSES)


@router.post("/users", status_code=201, response_model=UserRead, summary="Create a user (instance admins)")
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
