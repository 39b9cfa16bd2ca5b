from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from consenso.api.schemas import Read, Strict


class UserCreate(Strict):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=8, max_length=1024)
    name: str = Field(default="", max_length=200)
    is_admin: bool = False
    locale: Literal["en", "es"] = "en"


class UserRead(Read):
    id: int
    email: str
    name: str
    is_admin: bool
    is_active: bool
    locale: str
    created_at: datetime


class UserUpdate(Strict):
    is_active: bool = Field(
        description="false: deactivate (every session and API token revoked at once); true: reactivate"
    )
