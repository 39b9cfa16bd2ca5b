"""Users: created, deactivated and reactivated by instance admins (or by the CLI operator)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from consenso.core.errors import AlreadyExists, Conflict, InvalidInput, NotFound, PermissionDenied
from consenso.services.auth import hash_password
from consenso.services.clock import utcnow
from consenso.services.principal import Principal
from consenso.store.database import Database
from consenso.store.models import User
from consenso.store.repositories import assignments as assignment_repo
from consenso.store.repositories import audit as audit_repo
from consenso.store.repositories import users as user_repo
from consenso.store.repositories import workspaces as workspace_repo

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
    """Reset a user's password (local operator only: the demo and the CLI) and sign them out everywhere:
    every live session is revoked, so a session opened with the old password ends with it (API tokens stay).
    Audited (``user.password``, with ``sessions_revoked``), without the password or its hash."""
    now = now or utcnow()
    password_hash = hash_password(password)
    with db.write() as session:
        user = user_repo.get_user_by_email(session, email, lock=True)
        if user is None:
            raise InvalidInput("invalid_input")
        user.password_hash = password_hash
        revoked = user_repo.revoke_user_sessions(session, user.id, now)
        audit_repo.record(
            session,
            actor_id=None,
            action="user.password",
            object_type="user",
            object_id=str(user.id),
            origin="cli",
            details={"sessions_revoked": revoked},
            created_at=now,
        )
        return UserView.of(user)


def set_active(
    db: Database,
    principal: Principal | None,
    user_id: int,
    *,
    active: bool,
    origin: str = "",
    now: datetime | None = None,
) -> UserView:
    """Deactivate or reactivate a user (instance admins; ``principal`` None: the local operator at the CLI).

    Deactivating signs the user out at once: every live session and every API token is revoked (``revoked_at``,
    in the same transaction; the authentication also refuses an inactive user, whatever their credentials),
    and the tasks they hold leased go back to the pool in every workspace. Reactivating lets them log in
    again; it revives neither the old sessions nor the old tokens. Nobody deactivates themselves (409
    ``cannot_deactivate_self``: an admin would lock themselves out). Audited ``user.deactivated`` (with what
    was revoked and released) and ``user.reactivated``; asking for what already is so changes nothing.
    """
    if principal is not None and not principal.is_admin:
        raise PermissionDenied("admin_required")
    now = now or utcnow()
    with db.write() as session:
        user = user_repo.lock_user(session, user_id)
        if user is None:
            raise NotFound("not_found", kind_key="kind_user")
        if not active and principal is not None and user.id == principal.user_id:
            raise Conflict("cannot_deactivate_self")
        if user.is_active == active:
            return UserView.of(user)
        user.is_active = active
        details: dict[str, int] = {}
        if not active:
            details["sessions_revoked"] = user_repo.revoke_user_sessions(session, user.id, now)
            details["tokens_revoked"] = user_repo.revoke_user_tokens(session, user.id, now)
            # an instance admin may hold leases in any workspace (they act as admin everywhere)
            workspaces = workspace_repo.list_workspaces_for(session, user.id, all_workspaces=user.is_admin)
            details["leases_released"] = sum(
                assignment_repo.release_member_leases(session, workspace.id, user.id, now)
                for workspace, _ in workspaces
            )
        audit_repo.record(
            session,
            actor_id=principal.user_id if principal else None,
            action="user.deactivated" if not active else "user.reactivated",
            object_type="user",
            object_id=str(user.id),
            origin=origin,
            details=details,
            created_at=now,
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
