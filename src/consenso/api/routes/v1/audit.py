from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.responses import StreamingResponse

from consenso.api.deps import DB, CurrentPrincipal, QueryId
from consenso.api.routes.v1.router import router
from consenso.api.schemas.audit import AuditEventRead, AuditPage, AuditVerifyRead
from consenso.core.messages import negotiate_language
from consenso.services import audit, listing

_WHO = (
    "Instance admins read every event; a workspace's admins read their workspace's (`workspace_id` of a "
    "workspace one is not a member of: 404; a member who is not its admin: 403; no `workspace_id` and admin "
    "of no workspace: 403)."
)


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _filters(
    workspace_id: QueryId = None,
    actor_id: QueryId = None,
    action: Annotated[
        str | None, Query(max_length=64, description="Exact action, or a prefix ending in `*` (`auth.*`)")
    ] = None,
    object_type: Annotated[str | None, Query(max_length=32)] = None,
    object_id: Annotated[str | None, Query(max_length=64)] = None,
    outcome: Annotated[str | None, Query(max_length=16, description="`success` or `failure`")] = None,
    since: Annotated[
        datetime | None, Query(description="From this instant (inclusive; UTC if no offset)")
    ] = None,
    until: Annotated[
        datetime | None, Query(description="Before this instant (exclusive; UTC if no offset)")
    ] = None,
) -> audit.AuditFilter:
    return audit.AuditFilter(
        workspace_id=workspace_id,
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        outcome=outcome,
        since=_utc(since),
        until=_utc(until),
    )


Filters = Annotated[audit.AuditFilter, Depends(_filters)]


@router.get(
    "/audit",
    tags=["audit"],
    response_model=AuditPage,
    summary="Audit events, newest first, filtered and cursor-paginated",
    description=f"{_WHO} Each event carries its place in its hash chain (`chain`, `seq`, `prev_hash`, "
    "`hash`). Filters combine (AND); `since`/`until` bound `created_at`. 400 `invalid_time_range` when "
    "`since` is after `until`.",
)
def list_audit(
    principal: CurrentPrincipal,
    db: DB,
    filters: Filters,
    limit: Annotated[int, Query(ge=1, le=listing.MAX_LIMIT)] = 100,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> AuditPage:
    page = audit.list_events(db, principal, filters, limit=limit, cursor=cursor)
    return AuditPage(
        items=[AuditEventRead.model_validate(e) for e in page.items], next_cursor=page.next_cursor
    )


@router.get(
    "/audit/export",
    tags=["audit"],
    summary="Export audit events with their hash fields, streamed (JSONL: one event a line, chain order)",
    description=f"{_WHO} Same filters as GET /audit. Lines come in chain order (`chain`, then `seq`), each "
    '`{"id", "chain", "seq", "prev_hash", "hash", "workspace_id", "actor_id", "action", "object_type", '
    '"object_id", "outcome", "origin", "created_at", "details"}` with `created_at` written exactly as hashed '
    "(`YYYY-MM-DDTHH:MM:SS.ffffffZ`), so that a client re-verifies every hash offline (docs/security.md). "
    "An unfiltered export re-verifies each chain completely; with filters, each line's own hash. The export is "
    "itself audited (`audit.export`, in the exported workspace's chain, or the instance's).",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}}}},
)
def export_audit(
    principal: CurrentPrincipal,
    db: DB,
    filters: Filters,
) -> StreamingResponse:
    chunks = audit.export_events(db, principal, filters)
    name = f"audit-workspace-{filters.workspace_id}.jsonl" if filters.workspace_id else "audit.jsonl"
    return StreamingResponse(
        chunks,
        media_type="application/x-ndjson",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/audit/verify",
    tags=["audit"],
    response_model=AuditVerifyRead,
    summary="Verify the audit log's hash chains: each chain's head, and its first break if any",
    description=f"{_WHO} Walks every chain the caller may read (or `workspace_id`'s) and reports per chain "
    "the number of events, its head, and the first break: an `edited`, `deleted`, `inserted` or `reordered` "
    "event (or a `broken_link`), with a message in the request's language. 200 either way: `ok` says "
    "whether every chain holds. Someone able to rewrite the database can recompute a chain from some point; "
    "compare the heads with ones kept elsewhere (`consenso audit head`, `consenso audit verify --anchors`).",
)
def verify_audit(
    request: Request, principal: CurrentPrincipal, db: DB, workspace_id: QueryId = None
) -> AuditVerifyRead:
    report = audit.verify_for(db, principal, workspace_id)
    return AuditVerifyRead.of(report, negotiate_language(request.headers.get("accept-language")))
