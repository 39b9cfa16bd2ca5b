"""The FastAPI application factory."""

from __future__ import annotations

import os
from pathlib import Path

import swagger_ui_bundle
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import Scope

from consenso import __version__
from consenso.api import errors
from consenso.api.middleware import BodyLimitMiddleware, SecurityHeadersMiddleware
from consenso.api.routes.v1 import router as v1_router
from consenso.services.keys import Vault
from consenso.settings import Settings, ensure_secret_key
from consenso.store.database import Database

STATIC_DIR = Path(__file__).with_name("static")
WEB_DIR = Path(__file__).parent.parent / "web"  # the built web app (web/ → `npm run build`), when present

DESCRIPTION = """
Consenso API v1. Authenticate with `Authorization: Bearer <token>` (create one with `POST /api/v1/tokens`
or `consenso token create`) or with the session cookie from `POST /api/v1/auth/login` plus the
`X-CSRF-Token` header on writes. Errors are `{"error": {"code", "message", "details"}}`; messages follow
`Accept-Language` (English or Spanish).
"""


class HashedAssets(StaticFiles):
    """The web app's build files: Vite puts a hash of the content in every name, so browsers may keep them."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def create_app(settings: Settings, db: Database | None = None) -> FastAPI:
    """Build the app. ``db`` may be given (tests); otherwise it is opened from the settings."""
    secret = ensure_secret_key(settings)
    vault = Vault.of(settings)
    vault.keyring()  # created on first start; refused now, not at the first import, when unsafe
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
    app.state.vault = vault
    errors.install(app)
    app.include_router(v1_router)

    app.mount(
        "/static/swagger-ui", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger-ui"
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    if (WEB_DIR / "assets").is_dir():
        app.mount("/assets", HashedAssets(directory=WEB_DIR / "assets"), name="web-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> FileResponse:
        return FileResponse(STATIC_DIR / "docs.html", media_type="text/html")

    @app.get("/", include_in_schema=False)
    def home() -> Response:
        # the single page of the web app (it routes by the URL's #fragment); the API notes without a build
        built = WEB_DIR / "index.html"
        page = built if built.exists() else STATIC_DIR / "index.html"
        # always revalidated, so that a new build's asset names are picked up at once
        return FileResponse(page, media_type="text/html", headers={"Cache-Control": "no-cache"})

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
