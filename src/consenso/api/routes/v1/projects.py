from __future__ import annotations

from dataclasses import fields

from fastapi import Query
from fastapi.responses import StreamingResponse

from consenso.api.deps import DB, CurrentPrincipal, PathId, QueryId
from consenso.api.routes.v1.router import router
from consenso.api.schemas.projects import ProjectCreate, ProjectRead, ProjectUpdate
from consenso.services import export, projects


def _read(view: projects.ProjectView) -> ProjectRead:
    data = {f.name: getattr(view, f.name) for f in fields(view)}
    data["label_schema"] = data.pop("schema")
    return ProjectRead.model_validate(data)


@router.post(
    "/projects", tags=["projects"], status_code=201, response_model=ProjectRead, summary="Create a project"
)
def create_project(body: ProjectCreate, principal: CurrentPrincipal, db: DB) -> ProjectRead:
    view = projects.create_project(
        db,
        principal,
        workspace_id=body.workspace_id,
        name=body.name,
        description=body.description,
        schema=body.label_schema,
        overlap=body.overlap,
        lease_seconds=body.lease_seconds,
        guidelines=body.guidelines.model_dump() if body.guidelines else None,
        qa=body.qa,
        pii=body.pii,
    )
    return _read(view)


@router.get(
    "/projects", tags=["projects"], response_model=list[ProjectRead], summary="Projects the caller can see"
)
def list_projects(principal: CurrentPrincipal, db: DB, workspace_id: QueryId = None) -> list[ProjectRead]:
    return [_read(v) for v in projects.list_projects(db, principal, workspace_id)]


@router.get(
    "/projects/{project_id}",
    tags=["projects"],
    response_model=ProjectRead,
    summary="One project, with task_count",
)
def get_project(project_id: PathId, principal: CurrentPrincipal, db: DB) -> ProjectRead:
    return _read(projects.get_project(db, principal, project_id))


@router.patch(
    "/projects/{project_id}", tags=["projects"], response_model=ProjectRead, summary="Change a project"
)
def update_project(
    project_id: PathId, body: ProjectUpdate, principal: CurrentPrincipal, db: DB
) -> ProjectRead:
    changes = body.model_dump(exclude_unset=True)
    if "label_schema" in changes:
        changes["schema"] = changes.pop("label_schema")
    return _read(projects.update_project(db, principal, project_id, changes))


@router.get(
    "/projects/{project_id}/export",
    tags=["projects"],
    summary="Export every task with its annotations and final label, streamed (JSONL or CSV: one task a line)",
    description="Admins and managers. One line per task, in id order: `id`, `data`, `meta`, `annotations` "
    '(each `{"id", "annotator_id", "result", "lead_time_ms", "created_at"}`), `qa_status` (`pending`, '
    "`final` or `escalated`) and `final`: null unless the task is final, else its current final label with "
    'its provenance, `{"result", "method", "confidence", "agreement", "decided_by", "reasoning", '
    '"decided_at", "status": "final"}` (`method` an aggregation method when decided automatically, '
    "`adjudicated` when an adjudicator decided it; `decided_by` the adjudicator's user id, null when "
    "automatic; `agreement` per control). Gold tasks are left out unless `include_gold` is true.\n\n"
    "`format=csv`: the same tasks as a table for spreadsheets (UTF-8 with a BOM): a header row, then one row "
    "per task, each column named by the path of its value in the JSONL line: `id`, `data.<key>`, `meta.<key>`, "
    "`qa_status`, `annotation_count`, `final.result.<control>`, `final.method`, `final.confidence`, "
    "`final.decided_by`, `final.decided_at`, `final.reasoning` (then `gold.result.<control>` with "
    "`include_gold`, `aggregate.<control>.label|labels|spans` and `.confidence` with `aggregate`). Nested "
    "values are compact JSON. Every cell of untrusted text that a spreadsheet could read as a formula "
    "(starting with `=`, `+`, `-`, `@` or a control character, also after leading spaces) starts with `'`.",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}, "text/csv": {}}}},
)
def export_project(
    project_id: PathId,
    principal: CurrentPrincipal,
    db: DB,
    format: str = Query(default="jsonl", description="`jsonl` (default) or `csv`"),
    aggregate: str | None = Query(
        default=None,
        description="An aggregation method (see `methods` in GET /projects/{id}/quality): each line then "
        'ends with "aggregate": {control: value or null}: {"method", "label", "confidence"} for choice and '
        'rating, {"method", "labels", "confidence", "probabilities"} for multi_choice (method '
        '`dawid_skene` or `majority`), {"method": "token_vote", "spans": [{"start", "end", "label", '
        '"support"}]} for spans',
    ),
    include_gold: bool = Query(
        default=False,
        description='Also export the gold tasks; every line then carries "gold": {"result": the expected '
        "result} on a gold task, null on the others",
    ),
) -> StreamingResponse:
    chunks = export.export_project(
        db, principal, project_id, format, aggregate=aggregate, include_gold=include_gold
    )
    return StreamingResponse(
        chunks,
        media_type=export.CONTENT_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="project-{project_id}.{format}"'},
    )
