from __future__ import annotations

from fastapi import Request, Response

from consenso.api.deps import CSRF_COOKIE, DB, SESSION_COOKIE, AppSettings, CurrentPrincipal, client_origin
from consenso.api.routes.v1.router import router
from consenso.api.schemas.auth import LoginCreate, LoginRead, PasswordChangeCreate, PasswordChangeRead
from consenso.api.schemas.common import ErrorResponse
from consenso.api.schemas.users import UserRead
from consenso.services import auth, users
from consenso.settings import Settings

_LOCKED_RESPONSE = {
    "model": ErrorResponse,
    "description": "Too many failed logins for this e-mail address: locked (`login_locked`), whatever the password",
    "headers": {"Retry-After": {"description": "Seconds until the lock ends", "schema": {"type": "integer"}}},
}


def _set_session_cookies(response: Response, result: auth.LoginResult, settings: Settings) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        result.session_token,
        max_age=settings.session_max_seconds,
        httponly=True,
        samesite="strict",
        secure=settings.cookie_secure,
        path="/",
    )
    # readable by the web app, which echoes it in X-CSRF-Token; useless to another origin
    response.set_cookie(
        CSRF_COOKIE,
        result.csrf_token,
        max_age=settings.session_max_seconds,
        httponly=False,
        samesite="strict",
        secure=settings.cookie_secure,
        path="/",
    )


@router.post(
    "/auth/login",
    tags=["auth"],
    response_model=LoginRead,
    summary="Log in: sets an HttpOnly session cookie",
    responses={429: _LOCKED_RESPONSE},
)
def login(
    body: LoginCreate, request: Request, response: Response, db: DB, settings: AppSettings
) -> LoginRead:
    lockout = auth.LockoutPolicy(
        max_failures=settings.login_max_failures,
        lock_seconds=settings.login_lock_seconds,
        max_lock_seconds=settings.login_lock_max_seconds,
    )
    result = auth.login(
        db,
        body.email,
        body.password,
        max_seconds=settings.session_max_seconds,
        origin=client_origin(request),
        lockout=lockout,
    )
    _set_session_cookies(response, result, settings)
    return LoginRead(
        user_id=result.user_id,
        email=result.email,
        is_admin=result.is_admin,
        csrf_token=result.csrf_token,
        expires_at=result.expires_at,
    )


@router.post("/auth/logout", tags=["auth"], status_code=204, summary="Log out: revokes the session")
def logout(principal: CurrentPrincipal, response: Response, db: DB) -> Response:
    auth.logout(db, principal)
    response.status_code = 204
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.get("/auth/me", tags=["auth"], response_model=UserRead, summary="The calling user")
def me(principal: CurrentPrincipal, db: DB) -> UserRead:
    return UserRead.model_validate(users.me(db, principal))


@router.post(
    "/auth/password",
    tags=["auth"],
    response_model=PasswordChangeRead,
    summary="Change one's own password: signs out every other session",
    description="The signed-in user (session cookie, with `X-CSRF-Token`, or bearer token) gives their current "
    "password and a new one (the rules of a new user's password). A wrong current password answers 400 "
    "`wrong_current_password` and changes nothing. On success every other session of the user is revoked; "
    "with a session cookie, that session is replaced by a new one (new cookies, and the new CSRF token in the "
    "answer), so that a copy of the old cookie stops working. API tokens stay valid.",
)
def change_password(
    body: PasswordChangeCreate,
    principal: CurrentPrincipal,
    request: Request,
    response: Response,
    db: DB,
    settings: AppSettings,
) -> PasswordChangeRead:
    changed = auth.change_password(
        db,
        principal,
        current_password=body.current_password,
        new_password=body.new_password,
        max_seconds=settings.session_max_seconds,
        origin=client_origin(request),
    )
    if changed.session is None:
        return PasswordChangeRead(sessions_revoked=changed.sessions_revoked, csrf_token=None, expires_at=None)
    _set_session_cookies(response, changed.session, settings)
    return PasswordChangeRead(
        sessions_revoked=changed.sessions_revoked,
        csrf_token=changed.session.csrf_token,
        expires_at=changed.session.expires_at,
    )
