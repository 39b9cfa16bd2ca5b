"""Personal data at import and after: refuse what may never be stored, mask the rest, seal the originals.

At import (consenso.services.task_import calls :class:`ImportMasker`):

1. Card security codes and magnetic-stripe track data are refused in every project, whatever its policy
   (PCI DSS 3.3.1: not stored after authorisation, even encrypted). The error names the line (or item), the
   field and the character; nothing of the import is kept.
2. In a project with a PII policy (``project.pii``), every string of ``data`` and ``meta`` is masked by it
   (consenso.core.pii.mask_data; one set of pseudonyms per task across both). ``task.data`` and
   ``task.meta`` hold the masked values: annotators, reviewers, viewers, the quality figures and the
   exports see nothing else.
3. The original ``data`` and ``meta`` of a task with a finding are sealed with AES-256-GCM for that task
   (consenso.core.crypto, key in consenso.services.keys) into ``pii_original``, with the findings (field,
   type, offsets, strategy; never a value).
4. The duplicate check of a masked record compares an HMAC of its original data under the keyring's
   fingerprint key, not a plain SHA-256: a hash of a text whose card number shows its first 6 and last 4
   digits would give the card back after a million guesses.

A record carrying a pre-label or a gold answer is refused when masking changed a field that a ``spans``
control labels: its offsets point into the original text, which annotators never see.

After import, :func:`reveal` opens a task's original for a role holding ``reveal_pii`` (workspace admins),
and records every attempt, allowed or denied, in the audit log (``pii.reveal``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import orjson

from consenso.core.crypto import KeyMissing, Keyring, SealBroken
from consenso.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, SettingsInvalid
from consenso.core.permissions import Action, allows
from consenso.core.pii import (
    ForbiddenFinding,
    ForbiddenKind,
    PiiPolicy,
    Pseudonyms,
    find_forbidden_in_data,
    mask_data,
    may_hold_forbidden,
)
from consenso.core.schema import LabelSchema, SpansControl
from consenso.services.access import effective_role
from consenso.services.clock import utcnow
from consenso.services.keys import Vault
from consenso.services.principal import Principal
from consenso.store.database import Database
from consenso.store.repositories import audit as audit_repo
from consenso.store.repositories import pii as pii_repo

_FINGERPRINT_DOMAIN: Final = b"consenso:task-data:"
# the refusals as parts of an import error ("Line 3: field 'data/text' holds ... Nothing was imported.")
_IMPORT_REFUSALS: Final = {
    ForbiddenKind.CARD_SECURITY_CODE: "import_pii_card_security_code",
    ForbiddenKind.TRACK_DATA: "import_pii_track_data",
}


def policy_of(stored: Mapping[str, Any] | None) -> PiiPolicy | None:
    """A project's policy as stored (``project.pii``); None when masking is off."""
    if stored is None:
        return None
    policy = PiiPolicy.parse(stored)
    return policy if policy.enabled and policy.entities else None


def parse_policy(
    raw: Mapping[str, Any] | None, base: Mapping[str, Any] | None = None
) -> dict[str, Any] | None:
    """A policy a manager sent, over the one in force (``base``), as it is stored; ``{"enabled": false}``
    turns masking off. ``SettingsInvalid`` (422) naming the field otherwise."""
    if raw is None:
        return dict(base) if base is not None else None
    try:
        policy = PiiPolicy.parse(raw, base=PiiPolicy.parse(base) if base is not None else None)
    except InvalidInput as exc:
        raise SettingsInvalid(exc.message_key, **exc.params) from None
    return policy.to_json()


def forbidden_problem(
    data: Any, meta: Any, data_text: str, meta_text: str
) -> tuple[str, dict[str, Any]] | None:
    """Why a record may not be stored at all (a card security code, track data), as a message key and its
    parameters (``field``: ``data/…`` or ``meta/…`` as a JSON pointer, ``start``: the character); or None.

    The quick test over the JSON text (keys included) comes first: most records skip the walk. This runs
    for every record of every import, hence the plain code."""
    if may_hold_forbidden(data_text):
        found = find_forbidden_in_data(data)
        if found:
            return _refusal("data", found[0])
    if meta and meta_text != "{}" and may_hold_forbidden(meta_text):
        found = find_forbidden_in_data(meta)
        if found:
            return _refusal("meta", found[0])
    return None


def _refusal(name: str, first: ForbiddenFinding) -> tuple[str, dict[str, Any]]:
    return _IMPORT_REFUSALS[first.kind], {"field": name + first.pointer, "start": first.start}


@dataclass(frozen=True, slots=True)
class MaskedRecord:
    data: dict[str, Any]
    meta: dict[str, Any] | None
    content_hash: bytes
    original: bytes  # JSON of {"data": ..., "meta": ...} as imported, sealed once the task has its id
    findings: list[dict[str, object]]


class MaskProblem(Exception):
    """A record that masking cannot take: a message key and its parameters, located by the importer."""

    def __init__(self, key: str, params: dict[str, Any]) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class ImportMasker:
    """Masks the records of one import by a project's policy (immutable: safe in the reader thread)."""

    def __init__(self, policy: PiiPolicy, keyring: Keyring, schema: LabelSchema) -> None:
        self.policy = policy
        self.keyring = keyring
        self.span_fields = frozenset(c.field for c in schema.controls if isinstance(c, SpansControl))

    def mask(
        self, data: dict[str, Any], meta: dict[str, Any] | None, prelabelled: bool
    ) -> MaskedRecord | None:
        """The masked record, or None when the policy finds nothing in it (it is stored as it came)."""
        names = Pseudonyms()
        masked_data, data_findings = mask_data(data, self.policy, pseudonyms=names)
        masked_meta, meta_findings = mask_data(meta, self.policy, pseudonyms=names) if meta else (meta, [])
        if not data_findings and not meta_findings:
            return None
        if prelabelled:
            for finding in data_findings:
                if finding.path and finding.path[0] in self.span_fields:
                    raise MaskProblem("import_pii_spans_prelabel", {"field": f"data.{finding.path[0]}"})
        canonical = orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
        findings = [{"in": "data", **f.to_json()} for f in data_findings] + [
            {"in": "meta", **f.to_json()} for f in meta_findings
        ]
        return MaskedRecord(
            data=masked_data,
            meta=masked_meta,
            content_hash=self.keyring.fingerprint(_FINGERPRINT_DOMAIN + canonical),
            original=orjson.dumps({"data": data, "meta": meta or {}}),
            findings=findings,
        )


def seal_originals(
    session: Any,
    keyring: Keyring,
    project_id: int,
    records: Sequence[MaskedRecord],
    *,
    after_id: int,
    at: datetime,
) -> int:
    """Seal the originals of the masked records whose tasks this import created; returns how many."""
    if not records:
        return 0
    first: dict[bytes, MaskedRecord] = {}
    for record in records:
        first.setdefault(record.content_hash, record)
    created = pii_repo.new_tasks_by_hash(session, project_id, list(first), after_id=after_id)
    rows = [
        {
            "task_id": task_id,
            "project_id": project_id,
            "key_id": keyring.active,
            "sealed": keyring.seal(first[digest].original, pii_repo.context(task_id)),
            "findings": first[digest].findings,
            "created_at": at,
            "sealed_at": at,
        }
        for digest, task_id in created.items()
    ]
    pii_repo.add_originals(session, rows)
    return len(rows)


@dataclass(frozen=True, slots=True)
class OriginalView:
    task_id: int
    project_id: int
    data: dict[str, Any]
    meta: dict[str, Any]
    findings: list[dict[str, Any]]
    key_id: str
    sealed_at: datetime


def reveal(
    db: Database,
    principal: Principal,
    vault: Vault,
    task_id: int,
    *,
    origin: str = "",
    now: datetime | None = None,
) -> OriginalView:
    """A task's original data (``reveal_pii``), each attempt recorded in the audit log.

    404 for a task the caller cannot see (another workspace; for annotators, any task: they are not told
    which tasks hold personal data) or that holds no masked data; 403 for the other roles without the
    permission, recorded with the outcome ``denied``.
    """
    at = now or utcnow()
    denied: PermissionDenied | None = None
    with db.write() as session:
        row = pii_repo.task_with_role(session, task_id, principal.user_id)
        role = effective_role(row.role, principal) if row else None
        if row is None or role is None or not allows(role, Action.LIST_ALL_TASKS):
            raise NotFound("not_found", kind_key="kind_task")
        event = {
            "workspace_id": row.workspace_id,
            "actor_id": principal.user_id,
            "action": "pii.reveal",
            "object_type": "task",
            "object_id": str(task_id),
            "origin": origin,
            "created_at": at,
        }
        if not allows(role, Action.REVEAL_PII):
            audit_repo.record(session, **event, outcome="denied", details={"role": role.value})
            denied = PermissionDenied("permission_denied", action=Action.REVEAL_PII.value, role=role.value)
        else:
            original = pii_repo.get_original(session, task_id)
            if original is None:
                raise NotFound("pii_no_original", task_id=task_id)
            try:
                plain = vault.keyring().open(original.sealed, pii_repo.context(task_id))
            except KeyMissing as exc:
                raise Conflict("pii_key_missing", key_id=exc.key_id) from None
            except SealBroken:
                raise Conflict("pii_seal_broken", task_id=task_id) from None
            findings = list(original.findings)
            audit_repo.record(
                session,
                **event,
                details={
                    "project_id": row.project_id,
                    "fields": sorted({f"{f['in']}{f['path']}" for f in findings}),
                    "types": sorted({str(f["type"]) for f in findings}),
                },
            )
            content = orjson.loads(plain)
            view = OriginalView(
                task_id=task_id,
                project_id=row.project_id,
                data=content["data"],
                meta=content["meta"],
                findings=findings,
                key_id=original.key_id,
                sealed_at=original.sealed_at,
            )
    if denied is not None:
        raise denied  # after the commit: the denied attempt stays in the log
    return view
