"""Who is calling: the authenticated user as the services see them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: int
    email: str
    is_admin: bool
    via: Literal["token", "session", "local"]
    session_id: int | None = None
    csrf_token: str | None = None

    @classmethod
    def local_admin(cls, user_id: int, email: str) -> Principal:
        """The operator at the command line acting as an instance admin (CLI commands on the local DB)."""
        return cls(user_id=user_id, email=email, is_admin=True, via="local")
