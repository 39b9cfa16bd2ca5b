"""The ONLY place a domain error becomes an HTTP status. One JSON error shape for everything:

``{"error": {"code": "snake_case", "message": "in the caller's language", "details": ...}}``
"""

from __future__ import annotations

import logging
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from consenso.core import errors
from consenso.core.messages import negotiate_language, translate
from consenso.core.schema import localize_details

log = logging.getLogger("consenso.api")

STATUS: Final[dict[type[errors.ConsensoError], int]] = {
    errors.NotAuthenticated: 401,
    errors.PermissionDenied: 403,
    errors.NotFound: 404,
    errors.SchemaInvalid: 422,
    errors.ResultInvalid: 422,
    errors.ImportInvalid: 422,
    errors.NoPrediction: 422,
    errors.ReviewInvalid: 422,
    errors.AdjudicationInvalid: 422,
    errors.SettingsInvalid: 422,
    errors.InvalidInput: 400,
    errors.UnsupportedMediaType: 415,
    errors.PayloadTooLarge: 413,
    errors.TooManyAttempts: 429,
    errors.Conflict: 409,
}


def status_of(exc: errors.ConsensoError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def error_response(
    status: int, code: str, message: str, details: Any = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        status_code=status,
        content={"error": {"code": code, "message": message, "details": details}},
        headers=headers,
    )


def language(request: Request) -> str:
    return negotiate_language(request.headers.get("accept-language"))


def _localise_details(exc: errors.ConsensoError, lang: str) -> Any:
    """Schema and result issues are built in English; give each its message in the caller's language."""
    if isinstance(exc, errors.SchemaInvalid | errors.ResultInvalid) and isinstance(exc.details, list):
        return localize_details(exc.details, lang)
    return exc.details


async def consenso_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.ConsensoError)
    lang = language(request)
    status = status_of(exc)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(exc, errors.TooManyAttempts):
        headers = {"Retry-After": str(int(exc.params.get("retry_after", 1)))}
    return error_response(
        status,
        exc.code if exc.message_key == exc.code else exc.message_key,
        exc.message(lang),
        _localise_details(exc, lang),
        headers,
    )


def _summary(errs: list[dict[str, Any]]) -> str:
    parts = []
    for e in errs[:5]:
        loc = ".".join(str(p) for p in e.get("loc", ()) if p != "body")
        parts.append(f"{loc or 'body'}: {e.get('msg', '')}")
    more = f" (+{len(errs) - 5})" if len(errs) > 5 else ""
    return "; ".join(parts) + more


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    lang = language(request)
    errs = list(exc.errors())
    json_errors = [e for e in errs if e.get("type") == "json_invalid"]
    if json_errors:
        reason = str(json_errors[0].get("ctx", {}).get("error", "")) or "invalid JSON"
        return error_response(400, "malformed_json", translate("malformed_json", lang, reason=reason))
    if errs and all(e.get("loc", ("",))[0] == "path" and e.get("type") == "less_than_equal" for e in errs):
        # a path id beyond the 64-bit range cannot exist: it is simply not found
        name = str(errs[0]["loc"][-1]).removesuffix("_id")
        kind = errors.NotFound("not_found", kind_key=f"kind_{name}")
        return error_response(404, "not_found", kind.message(lang))
    details = [
        {
            "field": ".".join(str(p) for p in e.get("loc", ()) if p != "body") or "body",
            "type": e.get("type"),
            "message": e.get("msg"),
        }
        for e in errs
    ]
    return error_response(
        422, "validation_error", translate("validation_error", lang, summary=_summary(errs)), details
    )


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    lang = language(request)
    if exc.status_code == 404:
        return error_response(
            404, "route_not_found", translate("route_not_found", lang, path=request.url.path)
        )
    if exc.status_code == 405:
        return error_response(
            405,
            "method_not_allowed",
            translate("method_not_allowed", lang, method=request.method, path=request.url.path),
            headers=dict(exc.headers or {}),
        )
    # Our own refusals are ConsensoErrors; an HTTPException comes from the framework, whose details are in
    # English only: the caller gets ours, in their language.
    headers = dict(exc.headers or {})
    if exc.status_code == 400:  # FastAPI could not parse the body (a number too long for Python's int)
        return error_response(400, "malformed_json", translate("body_unreadable", lang), headers=headers)
    code = "error" if exc.status_code >= 500 else "invalid_input"
    message = translate("request_refused", lang, status=exc.status_code)
    return error_response(exc.status_code, code, message, headers=headers)


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", translate("internal_error", language(request)))


def install(app: FastAPI) -> None:
    app.add_exception_handler(errors.ConsensoError, consenso_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)
