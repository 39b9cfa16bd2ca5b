from __future__ import annotations

from sqlalchemy import text

from consenso import __version__
from consenso.api.deps import DB
from consenso.api.routes.v1.router import router
from consenso.api.schemas.common import Health


@router.get(
    "/health", tags=["health"], response_model=Health, summary="Readiness: 200 when the database answers"
)
def health(db: DB) -> Health:
    with db.read() as session:
        session.execute(text("SELECT 1"))
    return Health(status="ok", version=__version__, database=db.dialect)
