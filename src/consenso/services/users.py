"""Users: created by instance admins (or by the CLI operator)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from consenso.core.errors import AlreadyExists, InvalidInput, PermissionDenied
from consenso.services.auth import hash_password
from consenso.services.clock import utcnow
from consenso.services.principal import Principal
from consenso.store.database import Database
from consenso.store.models import User
from consenso.store.repositories import audit as audit_repo
from consenso.store.repositories import users as user_repo

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}$")


@dataclass(frozen=True, slots=True)
class UserView:
    id: int
    email: str
    name: str
    is_admin: bool
    is_active: bool
    locale: str
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> UserView:
        return cls(
            user.id, user.email, user.name, user.is_admin, user.is_active, user.locale, user.created_at
        )


def normalise_email(email: str) -> str:
    value = email.strip().lower()
    if not _EMAIL.match(value):
        raise InvalidInput("invalid_input")
    return value


def create_user(
    db: Database,
    principal: Principal | None,
    *,
    email: str,
    password: str,
    name: str = "",
    is_admin: bool = False,
    locale: str = "en",
    now: datetime | None = None,
) -> UserView:
    """Create a user. ``principal`` None means the local operator (CLI) — allowed to create anyone."""
    if principal is not None and not principal.is_admin:
        raise PermissionDenied("admin_required")
    now = now or utcnow()
    address = normalise_email(email)
    password_hash = hash_password(password)
    try:
        with db.write() as session:
            if user_repo.get_user_by_email(session, address) is not None:
                raise AlreadyExists("email_taken", email=address)
            user = user_repo.add_user(
                session,
                User(
                    email=address,
                    name=name,
                    password_hash=password_hash,
                    is_admin=is_admin,
                    is_active=True,
                    locale=locale,
                    created_at=now,
                ),
            )
            audit_repo.record(
                session,
                actor_id=principal.user_id if principal else None,
                action="user.create",
                object_type="user",
                object_id=str(user.id),
                details={"is_admin": is_admin},
                created_at=now,
            )
            return UserView.of(user)
    except IntegrityError as exc:  # a concurrent creation of the same e-mail
        raise AlreadyExists("email_taken", email=address) from exc


def set_password(db: Database, email: str, password: str, now: datetime | None = None) -> UserView:
    """Reset a user's password (local operator only: the demo and the CLI). Audited (``user.password``),
    without the password or its hash."""
    password_hash = hash_password(password)
    with db.write() as session:
        user = user_repo.get_user_by_email(session, email)
        if user is None:
            raise InvalidInput("invalid_input")
        user.password_hash = password_hash
        audit_repo.record(
            session,
            actor_id=None,
            action="user.password",
            object_type="user",
            object_id=str(user.id),
            origin="cli",
            created_at=now or utcnow(),
        )
        return UserView.of(user)


def find_user(db: Database, email: str) -> UserView | None:
    with db.read() as session:
        user = user_repo.get_user_by_email(session, email)
        return UserView.of(user) if user else None


def me(db: Database, principal: Principal) -> UserView:
    with db.read() as session:
        user = user_repo.get_user(session, principal.user_id)
        if user is None:
            raise PermissionDenied("permission_denied")
        return UserView.of(user)
