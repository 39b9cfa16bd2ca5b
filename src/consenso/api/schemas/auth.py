from __future__ import annotations

from datetime import datetime

from pydantic import Field

from consenso.api.schemas import Read, Strict


class LoginCreate(Strict):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class LoginRead(Read):
    user_id: int
    email: str
    is_admin: bool
    csrf_token: str = Field(
        description="Send it back as the X-CSRF-Token header on cookie-authenticated writes"
    )
    expires_at: datetime


class TokenCreate(Strict):
    name: str = Field(default="", max_length=200)
    expires_at: datetime | None = None
    user_email: str | None = Field(
        default=None, description="Instance admins may create a token for another user"
    )


class TokenRead(Read):
    id: int
    token: str = Field(description="Shown only in this response; store it now")
    name: str
    user_id: int
    created_at: datetime
    expires_at: datetime | None


class PasswordChangeCreate(Strict):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(
        min_length=8, max_length=1024, description="The same rules as a new user's password"
    )


class PasswordChangeRead(Read):
    sessions_revoked: int = Field(description="The caller's other sessions, now signed out")
    csrf_token: str | None = Field(
        description="With a session cookie: the new session's CSRF token (the old session is revoked and a "
        "new cookie is set); null for a bearer token"
    )
    expires_at: datetime | None = Field(description="When the new session ends; null for a bearer token")
