from __future__ import annotations

from dataclasses import asdict

from fastapi import Request

from consenso.api.deps import DB, AppVault, CurrentPrincipal, PathId, client_origin
from consenso.api.routes.v1.router import router
from consenso.api.schemas.pii import PiiOriginalRead
from consenso.services import pii


@router.get(
    "/tasks/{task_id}/original",
    tags=["privacy"],
    response_model=PiiOriginalRead,
    summary="A task's data as imported, before PII masking (workspace admins; every call audited)",
    description="The original `data` and `meta` of a task whose personal data was masked at import, with "
    "what was masked. Each call, allowed or refused, is recorded in the audit log (`pii.reveal`). 403 for "
    "roles without `reveal_pii` (only admins hold it), 404 for annotators, for a task of another workspace "
    "and for a task that holds no masked data; 409 `pii_key_missing` when the key it is sealed under was "
    "retired from the keyring, 409 `pii_seal_broken` when the sealed value was altered.",
)
def reveal_original(
    task_id: PathId, request: Request, principal: CurrentPrincipal, db: DB, vault: AppVault
) -> PiiOriginalRead:
    view = pii.reveal(db, principal, vault, task_id, origin=client_origin(request))
    return PiiOriginalRead.model_validate(asdict(view))
