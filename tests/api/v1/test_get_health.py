"""GET /api/v1/health: readiness, without credentials."""

from __future__ import annotations

from fastapi.testclient import TestClient

from consenso import __version__
from consenso.store.database import Database


def test_health_reports_version_and_database(app_client: TestClient, db: Database) -> None:
    r = app_client.get("/api/v1/health")

    assert r.status_code == 200, r.text
    assert r.json() == {
        "status": "ok",
        "version": __version__,
        "database": "sqlite" if db.is_sqlite else "postgresql",
    }
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
