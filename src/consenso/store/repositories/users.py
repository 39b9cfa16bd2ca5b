"""Users, sessions and API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from consenso.store.models import ApiToken, AuthSession, User


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def get_user_by_email(session: Session, email: str, *, lock: bool = False) -> User | None:
    """The user with this address; ``lock``: hold their row until the transaction ends (see ``lock_user``)."""
    stmt = select(User).where(User.email == email.strip().lower())
    return session.scalars(stmt.with_for_update() if lock else stmt).first()


def lock_user(session: Session, user_id: int) -> User | None:
    """The user, their row locked (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the write transaction's
    ``BEGIN IMMEDIATE`` already serialises writers). Logins, password changes and (de)activations of one user
    take this lock, so a login judged against the old password or the old ``is_active`` commits its session
    before the change revokes every session, never after it."""
    return session.scalars(select(User).where(User.id == user_id).with_for_update()).first()


def add_user(session: Session, user: User) -> User:
    session.add(user)
    session.flush()
    return user


def count_users(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(User)) or 0)


def add_token(session: Session, token: ApiToken) -> ApiToken:
    session.add(token)
    session.flush()
    return token


# Every authenticated request runs this: built once, columns only (no ORM entities).
_TOKEN_OWNER = (
    select(
        ApiToken.id,
        ApiToken.revoked_at,
        ApiToken.expires_at,
        ApiToken.last_used_at,
        User.id.label("user_id"),
        User.email,
        User.is_admin,
        User.is_active,
    )
    .join(User, User.id == ApiToken.user_id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


def find_token_owner(session: Session, token_hash: bytes) -> Any:
    """The token's state and its owner (a row with named columns), or None."""
    return session.connection().execute(_TOKEN_OWNER, {"token_hash": token_hash}).first()


def touch_token(session: Session, token_id: int, now: datetime) -> None:
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))


def add_session(session: Session, auth_session: AuthSession) -> AuthSession:
    session.add(auth_session)
    session.flush()
    return auth_session


def find_session_owner(session: Session, token_hash: bytes) -> tuple[AuthSession, User] | None:
    row = session.execute(
        select(AuthSession, User)
        .join(User, User.id == AuthSession.user_id)
        .where(AuthSession.token_hash == token_hash)
    ).first()
    return (row[0], row[1]) if row else None


def touch_session(session: Session, session_id: int, now: datetime) -> None:
    session.execute(update(AuthSession).where(AuthSession.id == session_id).values(last_seen_at=now))


def session_is_live(session: Session, session_id: int, now: datetime) -> bool:
    """True when the session is neither revoked nor past its absolute expiry."""
    found = session.scalar(
        select(AuthSession.id).where(
            AuthSession.id == session_id, AuthSession.revoked_at.is_(None), AuthSession.expires_at > now
        )
    )
    return found is not None


def revoke_session(session: Session, session_id: int, now: datetime) -> None:
    session.execute(
        update(AuthSession)
        .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def revoke_user_sessions(session: Session, user_id: int, now: datetime, *, keep: int | None = None) -> int:
    """Revoke every live session of the user (all but ``keep``); how many. Expired ones are left as they are."""
    stmt = update(AuthSession).where(
        AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None), AuthSession.expires_at > now
    )
    if keep is not None:
        stmt = stmt.where(AuthSession.id != keep)
    return int(session.execute(stmt.values(revoked_at=now)).rowcount or 0)  # type: ignore[attr-defined]


def revoke_user_tokens(session: Session, user_id: int, now: datetime) -> int:
    """Revoke every API token of the user that is not revoked or expired yet; how many."""
    live = (ApiToken.expires_at.is_(None)) | (ApiToken.expires_at > now)
    stmt = update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None), live)
    return int(session.execute(stmt.values(revoked_at=now)).rowcount or 0)  # type: ignore[attr-defined]
