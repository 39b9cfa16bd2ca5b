"""Import tasks from a URL: the body of an import fetched by the guarded fetcher (``consenso.services.outbound``).

``fetch_import_body`` checks first that the caller may import into the project (a project they cannot see is
``NotFound`` and Consenso fetches nothing for them), then fetches the URL into the caller's ``sink`` under the
outbound rules (no loopback, private, link-local or metadata address unless allow-listed, redirects re-checked,
size and time capped) and decides the body's media type: the ``format`` given, else the answer's
``Content-Type`` (one that ``consenso.services.task_import`` reads, otherwise ``UnsupportedMediaType``). The
caller hands the sink to ``task_import.import_tasks`` with ``UrlBody.audit_details``, so the import's audit
event (``task.import``) says it came from a URL and names the host, never the full URL (a query string may
hold a token).

A fetch that fails is audited as ``outbound.fetch`` with outcome ``failure``, the reason code (for instance
``address_refused`` with ``address_kind: loopback``) and the host when the URL had a valid one: an attempt
to reach an internal address is on the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any, Final

import anyio.to_thread

from consenso.core.errors import ConsensoError
from consenso.core.permissions import Action
from consenso.services import outbound, task_import
from consenso.services.access import project_for
from consenso.services.clock import utcnow
from consenso.services.principal import Principal
from consenso.settings import Settings
from consenso.store.database import Database
from consenso.store.repositories import audit as audit_repo

# the ``format`` of an import from a URL, as the media type the import reads
FORMATS: Final = {"json": "application/json", "jsonl": "application/x-ndjson", "csv": "text/csv"}


@dataclass(frozen=True, slots=True)
class UrlBody:
    """A fetched import body: its media type and what the import's audit event adds."""

    content_type: str
    host: str
    size: int

    @property
    def audit_details(self) -> dict[str, str]:
        return {"source": "url", "host": self.host}


def _workspace_of(db: Database, principal: Principal, project_id: int) -> int:
    with db.read() as session:
        project, _ = project_for(session, principal, project_id, Action.IMPORT_TASKS)
        return project.workspace_id


def _audit_failure(
    db: Database,
    principal: Principal,
    workspace_id: int,
    project_id: int,
    exc: ConsensoError,
    origin: str,
    now: datetime | None,
) -> None:
    known = exc.details if isinstance(exc.details, dict) else {}
    details: dict[str, Any] = {"purpose": "task.import", "reason": exc.message_key.removeprefix("outbound_")}
    details.update({k: v for k, v in known.items() if k in ("host", "address_kind")})
    with db.write() as session:
        audit_repo.record(
            session,
            workspace_id=workspace_id,
            actor_id=principal.user_id,
            action="outbound.fetch",
            object_type="project",
            object_id=str(project_id),
            outcome="failure",
            origin=origin,
            details=details,
            created_at=now or utcnow(),
        )


async def fetch_import_body(
    db: Database,
    principal: Principal,
    project_id: int,
    url: str,
    fmt: str | None,
    sink: IO[bytes],
    *,
    settings: Settings,
    origin: str = "",
    resolver: outbound.Resolver | None = None,
    now: datetime | None = None,
) -> UrlBody:
    """Fetch ``url`` into ``sink`` for an import into ``project_id`` (see the module doc)."""
    workspace_id = await anyio.to_thread.run_sync(_workspace_of, db, principal, project_id)
    try:
        limit = min(settings.outbound_max_bytes, settings.max_import_bytes)
        fetched = await outbound.fetch(url, sink, settings=settings, max_bytes=limit, resolver=resolver)
    except ConsensoError as exc:
        await anyio.to_thread.run_sync(
            _audit_failure, db, principal, workspace_id, project_id, exc, origin, now
        )
        raise
    content_type = FORMATS.get(fmt, fmt) if fmt is not None else (fetched.content_type or "")
    task_import.format_of(content_type)  # UnsupportedMediaType (415) naming the type and the supported ones
    return UrlBody(content_type, fetched.host, fetched.size)


__all__ = ["FORMATS", "UrlBody", "fetch_import_body"]
