from __future__ import annotations

from datetime import datetime

from pydantic import Field

from consenso.api.schemas import Read, Strict
from consenso.core.permissions import Role


class WorkspaceCreate(Strict):
    name: str = Field(min_length=1, max_length=200)


class WorkspaceRead(Read):
    id: int
    name: str
    role: str = Field(description="The caller's role in this workspace")
    created_at: datetime


class MemberCreate(Strict):
    user_id: int | None = None
    email: str | None = Field(default=None, max_length=320)
    role: Role


class MemberUpdate(Strict):
    role: Role


class MemberRead(Read):
    id: int
    workspace_id: int
    user_id: int
    email: str
    name: str
    role: str
    created_at: datetime
