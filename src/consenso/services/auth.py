"""Authentication: passwords (argon2), browser sessions with CSRF tokens, personal access tokens.

Login lockout: after ``LockoutPolicy.max_failures`` consecutive failed logins for one e-mail address, the address
is locked for ``lock_seconds`` (each further lock before a success twice as long, up to ``max_lock_seconds``).
While locked, every login for it answers ``429 login_locked`` with ``Retry-After`` and the password is not even
checked, so the answer is the same whether the password is right or not. Counts are kept per address
(``login_throttle``, keyed by the SHA-256 of the normalised address), not per user, so an unknown address is
counted and locked exactly like a known one. A successful login clears the count. Every failed attempt is
audited (``auth.login_failed``; ``reason: locked`` when refused by a lock) and every lock (``auth.locked``).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.orm import Session

from consenso.core.errors import ConsensoError, InvalidInput, NotAuthenticated, NotFound, TooManyAttempts
from consenso.services.clock import utcnow
from consenso.services.principal import Principal
from consenso.store.database import Database
from consenso.store.models import ApiToken, AuthSession, User
from consenso.store.repositories import audit as audit_repo
from consenso.store.repositories import login_throttle as throttle_repo
from consenso.store.repositories import users as user_repo

TOKEN_PREFIX = "cns_"  # noqa: S105 (a public prefix, not a secret)
MIN_PASSWORD_LENGTH = 8
_TOUCH_EVERY = timedelta(seconds=60)  # write last-used times at most once a minute per credential
_hasher = PasswordHasher()
# verifying against this keeps the time of a failed login the same whether or not the e-mail exists
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput("weak_password", min_length=MIN_PASSWORD_LENGTH)
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def digest(raw: str) -> bytes:
    """SHA-256 of a high-entropy credential (tokens and session ids carry 256 random bits)."""
    return hashlib.sha256(raw.encode()).digest()


@dataclass(frozen=True, slots=True)
class LoginResult:
    session_token: str
    csrf_token: str
    user_id: int
    email: str
    is_admin: bool
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """When repeated failed logins lock an e-mail address, and for how long (Settings ``login_*``)."""

    max_failures: int = 5
    lock_seconds: int = 15 * 60
    max_lock_seconds: int = 24 * 3600

    def lock_for(self, locks: int) -> timedelta:
        """The length of the ``locks``-th lock since the last success: doubling, capped."""
        doubled = self.lock_seconds * 2 ** min(max(locks - 1, 0), 32)
        return timedelta(seconds=min(doubled, self.max_lock_seconds))


def _locked(until: datetime, now: datetime) -> TooManyAttempts:
    seconds = max(1, math.ceil((until - now).total_seconds()))
    return TooManyAttempts("login_locked", retry_after=seconds, minutes=math.ceil(seconds / 60))


def login(
    db: Database,
    email: str,
    password: str,
    *,
    max_seconds: int,
    origin: str = "",
    lockout: LockoutPolicy = LockoutPolicy(),
    now: datetime | None = None,
) -> LoginResult:
    now = now or utcnow()
    address = email.strip().lower()[:320]
    key = digest(address)
    failure: ConsensoError
    with db.write() as session:
        throttle = throttle_repo.get_for_update(session, key)
        # locked, so that a password change or a deactivation running meanwhile sees this session and revokes it
        user = user_repo.get_user_by_email(session, address, lock=True)
        if throttle is not None and throttle.locked_until is not None and throttle.locked_until > now:
            # locked: the password is not checked, so the answer says nothing about it
            _audit_failure(session, user, address, origin, now, reason="locked")
            failure = _locked(throttle.locked_until, now)
        elif user is not None and verify_password(user.password_hash, password) and user.is_active:
            if throttle is not None:
                throttle_repo.clear(session, key)
            result = _open_session(session, user, max_seconds=max_seconds, now=now)
            audit_repo.record(
                session,
                actor_id=user.id,
                action="auth.login",
                object_type="user",
                object_id=str(user.id),
                origin=origin,
                created_at=now,
            )
            return result
        else:
            if user is None:
                verify_password(None, password)  # the same time as checking a real password
            _audit_failure(session, user, address, origin, now)
            throttle = throttle or throttle_repo.add_for_update(session, key, now)
            throttle.failures += 1
            throttle.updated_at = now
            failure = NotAuthenticated("invalid_credentials")
            if throttle.failures >= lockout.max_failures:
                throttle.locks += 1
                throttle.locked_until = now + lockout.lock_for(throttle.locks)
                audit_repo.record(
                    session,
                    actor_id=user.id if user else None,
                    action="auth.locked",
                    object_type="user",
                    object_id=str(user.id) if user else "",
                    outcome="failure",
                    origin=origin,
                    details={
                        "email": address,
                        "failures": throttle.failures,
                        "lock": throttle.locks,
                        "locked_until": throttle.locked_until.isoformat(),
                    },
                    created_at=now,
                )
                throttle.failures = 0
                failure = _locked(throttle.locked_until, now)
    # raised after the transaction committed, so that the failed attempt is recorded
    raise failure


def _open_session(session: Session, user: User, *, max_seconds: int, now: datetime) -> LoginResult:
    """A new browser session for ``user``: a random cookie value (stored hashed) and its CSRF token."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires = now + timedelta(seconds=max_seconds)
    user_repo.add_session(
        session,
        AuthSession(
            token_hash=digest(token),
            csrf_token=csrf,
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=expires,
        ),
    )
    return LoginResult(token, csrf, user.id, user.email, user.is_admin, expires)


def _audit_failure(
    session: Session, user: User | None, address: str, origin: str, now: datetime, *, reason: str = ""
) -> None:
    details: dict[str, str] = {"email": address}
    if reason:
        details["reason"] = reason
    audit_repo.record(
        session,
        actor_id=user.id if user else None,
        action="auth.login_failed",
        object_type="user",
        object_id=str(user.id) if user else "",
        outcome="failure",
        origin=origin,
        details=details,
        created_at=now,
    )


def logout(db: Database, principal: Principal, now: datetime | None = None) -> None:
    if principal.session_id is None:
        return
    now = now or utcnow()
    with db.write() as session:
        user_repo.revoke_session(session, principal.session_id, now)
        audit_repo.record(
            session,
            actor_id=principal.user_id,
            action="auth.logout",
            object_type="user",
            object_id=str(principal.user_id),
            created_at=now,
        )


@dataclass(frozen=True, slots=True)
class PasswordChange:
    """What ``change_password`` did: the other sessions it revoked, and the caller's new session when they
    came with a session cookie (the old one is revoked: its cookie no longer works)."""

    sessions_revoked: int
    session: LoginResult | None


def change_password(
    db: Database,
    principal: Principal,
    *,
    current_password: str,
    new_password: str,
    max_seconds: int,
    origin: str = "",
    now: datetime | None = None,
) -> PasswordChange:
    """The signed-in user changes their own password, proving they know the current one.

    A wrong current password answers ``400 wrong_current_password`` and changes nothing (it does not count
    towards the login lockout, which is about finding a password without any credential; it is audited as
    ``user.password_change_failed``). The new password follows the rules of user creation
    (``hash_password``). On success every other session of the user is revoked, and a caller who came with
    a session cookie gets a new session (the old one is revoked): whoever had copied a cookie of this user
    is signed out. API tokens stay valid: they are credentials the user made on purpose and revokes on their
    own. Audited ``user.password_changed`` (``sessions_revoked``, ``session_rotated``; never a password).
    """
    now = now or utcnow()
    new_hash = hash_password(new_password)  # the rules first: a weak password is refused before any check
    with db.write() as session:
        user = user_repo.lock_user(session, principal.user_id)
        if user is None or not user.is_active:
            raise NotAuthenticated("user_inactive")
        if principal.session_id is not None and not user_repo.session_is_live(
            session, principal.session_id, now
        ):
            raise NotAuthenticated("session_expired")  # revoked meanwhile (by another change, a logout)
        if not verify_password(user.password_hash, current_password):
            audit_repo.record(
                session,
                actor_id=user.id,
                action="user.password_change_failed",
                object_type="user",
                object_id=str(user.id),
                outcome="failure",
                origin=origin,
                details={"reason": "wrong_current_password"},
                created_at=now,
            )
        else:
            user.password_hash = new_hash
            revoked = user_repo.revoke_user_sessions(session, user.id, now, keep=principal.session_id)
            fresh: LoginResult | None = None
            if principal.session_id is not None:
                user_repo.revoke_session(session, principal.session_id, now)
                fresh = _open_session(session, user, max_seconds=max_seconds, now=now)
            audit_repo.record(
                session,
                actor_id=user.id,
                action="user.password_changed",
                object_type="user",
                object_id=str(user.id),
                origin=origin,
                details={"sessions_revoked": revoked, "session_rotated": fresh is not None},
                created_at=now,
            )
            return PasswordChange(revoked, fresh)
    # only a wrong current password gets here: raised after the commit, so that the attempt is recorded
    raise InvalidInput("wrong_current_password")


def authenticate_token(db: Database, raw: str, now: datetime | None = None) -> Principal:
    now = now or utcnow()
    with db.read() as session:
        row = user_repo.find_token_owner(session, digest(raw))
    if row is None:
        raise NotAuthenticated("invalid_token")
    if row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        raise NotAuthenticated("invalid_token")
    if not row.is_active:
        raise NotAuthenticated("user_inactive")
    if row.last_used_at is None or now - row.last_used_at > _TOUCH_EVERY:
        with db.write() as session:
            user_repo.touch_token(session, row.id, now)
    return Principal(user_id=row.user_id, email=row.email, is_admin=row.is_admin, via="token")


def authenticate_session(
    db: Database, raw: str, *, idle_seconds: int, now: datetime | None = None
) -> Principal:
    now = now or utcnow()
    with db.read() as session:
        found = user_repo.find_session_owner(session, digest(raw))
    if found is None:
        raise NotAuthenticated("session_expired")
    auth_session, user = found
    idle_limit = auth_session.last_seen_at + timedelta(seconds=idle_seconds)
    if auth_session.revoked_at is not None or auth_session.expires_at <= now or idle_limit <= now:
        raise NotAuthenticated("session_expired")
    if not user.is_active:
        raise NotAuthenticated("user_inactive")
    if now - auth_session.last_seen_at > _TOUCH_EVERY:
        with db.write() as session:
            user_repo.touch_session(session, auth_session.id, now)
    return Principal(
        user_id=user.id,
        email=user.email,
        is_admin=user.is_admin,
        via="session",
        session_id=auth_session.id,
        csrf_token=auth_session.csrf_token,
    )


def csrf_matches(principal: Principal, header_value: str | None) -> bool:
    if principal.csrf_token is None or not header_value:
        return False
    return hmac.compare_digest(principal.csrf_token, header_value)


@dataclass(frozen=True, slots=True)
class CreatedToken:
    id: int
    token: str
    name: str
    user_id: int
    created_at: datetime
    expires_at: datetime | None


def create_token(
    db: Database,
    principal: Principal,
    *,
    name: str = "",
    user_email: str | None = None,
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> CreatedToken:
    """Create a personal access token for the caller (or, for an instance admin, for another user)."""
    now = now or utcnow()
    if expires_at is not None and expires_at <= now:
        raise InvalidInput("invalid_input")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with db.write() as session:
        user_id = principal.user_id
        if user_email is not None:
            user = user_repo.get_user_by_email(session, user_email)
            if user is None or (not principal.is_admin and user.id != principal.user_id):
                raise NotFound("not_found", kind_key="kind_user")
            user_id = user.id
        row = user_repo.add_token(
            session,
            ApiToken(
                user_id=user_id,
                name=name,
                token_hash=digest(raw),
                token_prefix=raw[:12],
                created_at=now,
                expires_at=expires_at,
            ),
        )
        audit_repo.record(
            session,
            actor_id=principal.user_id,
            action="token.create",
            object_type="api_token",
            object_id=str(row.id),
            created_at=now,
            details={"for_user": user_id},
        )
        return CreatedToken(row.id, raw, name, user_id, now, expires_at)
