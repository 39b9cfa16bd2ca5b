"""The FastAPI application factory."""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles

from consenso import __version__
from consenso.api import errors
from consenso.api.middleware import BodyLimitMiddleware, SecurityHeadersMiddleware
from consenso.api.routes.v1 import router as v1_router
from consenso.settings import Settings, ensure_secret_key
from consenso.store.database import Database

STATIC_DIR = Path(__file__).with_name("static")
WEB_DIR = Path(__file__).parent.parent / "web"  # the built web app, when present (issue: web UI)

DESCRIPTION = """
Consenso API v1. Authenticate with `Authorization: Bearer <token>` (create one with `POST /api/v1/tokens`
or `consenso token create`) or with the session cookie from `POST /api/v1/auth/login` plus the
`X-CSRF-Token` header on writes. Errors are `{"error": {"code", "message", "details"}}`; messages follow
`Accept-Language` (English or Spanish).
"""


def create_app(settings: Settings, db: Database | None = None) -> FastAPI:
    """Build the app. ``db`` may be given (tests); otherwise it is opened from the settings."""
    secret = ensure_secret_key(settings)
    database = db or Database(
        settings.resolved_database_url,
        sqlite_synchronous=settings.sqlite_synchronous,
        pool_size=settings.db_pool_size,
    )
    app = FastAPI(
        title="Consenso",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.db = database
    app.state.secret_key = secret
    errors.install(app)
    app.include_router(v1_router)

    app.mount(
        "/static/swagger-ui", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger-ui"
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> FileResponse:
        return FileResponse(STATIC_DIR / "docs.html", media_type="text/html")

    @app.get("/", include_in_schema=False)
    def home() -> Response:
        built = WEB_DIR / "index.html"
        return FileResponse(built if built.exists() else STATIC_DIR / "index.html", media_type="text/html")

    app.add_middleware(
        BodyLimitMiddleware, limit=settings.max_body_bytes, exempt=[r"^/api/v1/projects/\d+/tasks$"]
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_credentials=True,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "Idempotency-Key",
                "X-CSRF-Token",
                "Accept-Language",
            ],
        )
    app.add_middleware(SecurityHeadersMiddleware)
    return app
