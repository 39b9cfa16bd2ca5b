from __future__ import annotations

import tempfile
from typing import Annotated

from fastapi import Query, Request, Response
from starlette.concurrency import run_in_threadpool

from consenso.api.deps import (
    DB,
    MAX_ID,
    AppSettings,
    AppVault,
    CurrentPrincipal,
    PathId,
    client_origin,
    current_principal,
)
from consenso.api.fast_json import dataclass_dict, json_response
from consenso.api.routes.v1.router import router
from consenso.api.schemas.tasks import (
    ImportRead,
    ImportUrlCreate,
    LeasedTaskRead,
    SkipRead,
    TaskPage,
    TaskRead,
)
from consenso.core.errors import PayloadTooLarge
from consenso.services import annotate, listing, task_import, url_import

_SPOOL_IN_MEMORY = 8 * 1024 * 1024

IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "description": "Tasks as a JSON array, JSONL (one task a line) or CSV (header row; `meta.<key>` columns "
        'go to meta). Each task is {"data": {...}, "meta": {...}}; in JSON and JSONL it may carry a model '
        'pre-label, "prediction": {"result": {control: answer}, "model": "name", "score": 0.87} (score in [0, 1], '
        "optional), checked against the label schema like an annotation and shown to annotators by `next`. "
        "A record skipped as an exact duplicate is skipped with its prediction. QA workflow (JSON and JSONL "
        'only): "gold": {"result": {control: answer}} makes the task a gold question with that expected result '
        '(checked like an annotation; at least one scored control); "requirements": {"language": "es", '
        '"dialect": "es-CO", "domain": "medical"} (each optional) routes it to qualified members. A bad one '
        "refuses the import, naming the line or item and the field.",
        "content": {
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            "application/x-ndjson": {"schema": {"type": "string"}},
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}


@router.post(
    "/projects/{project_id}/tasks",
    tags=["tasks"],
    status_code=201,
    response_model=ImportRead,
    summary="Import tasks: streamed, one transaction, all or nothing",
    openapi_extra=IMPORT_BODY,
)
async def import_tasks(
    project_id: PathId,
    request: Request,
    principal: CurrentPrincipal,
    db: DB,
    settings: AppSettings,
    vault: AppVault,
) -> ImportRead:
    content_type = request.headers.get("content-type")
    task_import.format_of(content_type)  # 415 before reading a byte
    limit = settings.max_import_bytes
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY) as spool:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge("payload_too_large", limit=limit)
            spool.write(chunk)
        spool.seek(0)
        result = await run_in_threadpool(
            task_import.import_tasks,
            db,
            principal,
            project_id,
            spool,
            content_type,
            origin=client_origin(request),
            vault=vault,
        )
    return ImportRead.model_validate(result)


@router.post(
    "/projects/{project_id}/tasks/import-url",
    tags=["tasks"],
    status_code=201,
    response_model=ImportRead,
    summary="Import tasks from an http(s) URL: fetched under the outbound rules, then imported like a body",
    description="The URL's host must resolve to public addresses only (no loopback, private, link-local, "
    "carrier-grade NAT or cloud metadata address, checked again after every redirect), unless an administrator "
    "allow-listed it (`CONSENSO_OUTBOUND_ALLOW_HOSTS`); the fetch is capped in size "
    "(`CONSENSO_OUTBOUND_MAX_BYTES`) and time (`CONSENSO_OUTBOUND_TIMEOUT_SECONDS`). The format is `format`, "
    "else the answer's Content-Type. A refused or failed fetch imports nothing and names the reason.",
)
async def import_tasks_from_url(
    project_id: PathId,
    body: ImportUrlCreate,
    request: Request,
    principal: CurrentPrincipal,
    db: DB,
    settings: AppSettings,
    vault: AppVault,
) -> ImportRead:
    origin = client_origin(request)
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY) as spool:
        fetched = await url_import.fetch_import_body(
            db, principal, project_id, body.url, body.format, spool, settings=settings, origin=origin
        )
        spool.seek(0)
        result = await run_in_threadpool(
            task_import.import_tasks,
            db,
            principal,
            project_id,
            spool,
            fetched.content_type,
            origin=origin,
            vault=vault,
            audit_details=fetched.audit_details,
        )
    return ImportRead.model_validate(result)


@router.get(
    "/projects/{project_id}/tasks", tags=["tasks"], response_model=TaskPage, summary="Tasks, cursor-paginated"
)
def list_tasks(
    project_id: PathId,
    principal: CurrentPrincipal,
    db: DB,
    limit: Annotated[int, Query(ge=1, le=listing.MAX_LIMIT)] = 100,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    # bounded like an id: SQLite cannot bind a wider integer (a 500 found by fuzzing)
    offset: Annotated[
        int | None, Query(ge=0, le=MAX_ID, description="Jump to a position (a grid page)")
    ] = None,
) -> TaskPage:
    page = listing.list_tasks(db, principal, project_id, limit=limit, cursor=cursor, offset=offset)
    return TaskPage(items=[TaskRead.model_validate(t) for t in page.items], next_cursor=page.next_cursor)


@router.get(
    "/projects/{project_id}/next",
    tags=["tasks"],
    response_model=LeasedTaskRead,
    summary="The next task for the calling annotator, leased to them; 204 when none is left",
    responses={204: {"description": "Nothing left for this annotator"}},
)
async def next_task(project_id: PathId, request: Request, db: DB) -> Response:
    # Hot path: authentication and the use case share one worker-thread hop, and the response is
    # serialised directly (same shape as LeasedTaskRead, pinned by the API tests).
    def work() -> Response:
        leased = annotate.next_task(db, current_principal(request), project_id)
        if leased is None:
            return Response(status_code=204)
        return json_response(200, dataclass_dict(leased))

    return await run_in_threadpool(work)


@router.post(
    "/tasks/{task_id}/skip",
    tags=["tasks"],
    response_model=SkipRead,
    summary="Skip a task: frees its slot for others",
)
def skip_task(task_id: PathId, principal: CurrentPrincipal, db: DB) -> SkipRead:
    annotate.skip_task(db, principal, task_id)
    return SkipRead(task_id=task_id, state="skipped")
