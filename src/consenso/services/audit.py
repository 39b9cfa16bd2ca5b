"""The audit log's use cases: list events, export them (JSONL, every line verifiable offline), verify the hash
chains, and print the chains' heads for an operator to keep elsewhere (consenso.core.audit).

Who reads what: instance admins every chain; a workspace's admins (``Action.VIEW_AUDIT``) their workspace's
chain. Asking for a workspace one does not belong to answers 404 (as everywhere); a member whose role is not
admin gets 403; a caller admin of no workspace who names none gets 403 too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import orjson

from consenso.core.audit import (
    Anchor,
    AuditRecord,
    ChainReport,
    ChainVerifier,
    anchors_by_chain,
    chain_key,
    chain_workspace,
    timestamp,
)
from consenso.core.errors import InvalidInput, PermissionDenied
from consenso.core.permissions import Action, Role
from consenso.services.access import require, workspace_role
from consenso.services.clock import utcnow
from consenso.services.listing import MAX_LIMIT, Page, decode_cursor, encode_cursor
from consenso.services.principal import Principal
from consenso.store.database import Database
from consenso.store.repositories import audit as audit_repo
from consenso.store.repositories import workspaces as workspace_repo
from consenso.store.repositories.audit import AuditQuery

EXPORT_CHUNK: Final = 500  # lines per streamed chunk
VERIFY_BATCH: Final = 5000  # events read per query while verifying

Progress = Callable[[int, int], None]  # (events checked, events in all chains checked)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What to list or export. ``action`` ending in ``*`` is a prefix (``auth.*``); ``since`` is inclusive,
    ``until`` exclusive."""

    workspace_id: int | None = None
    actor_id: int | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    outcome: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def check(self) -> None:
        if self.since is not None and self.until is not None and self.since > self.until:
            raise InvalidInput(
                "invalid_time_range", since=self.since.isoformat(), until=self.until.isoformat()
            )

    def query(self, workspace_ids: Sequence[int] | None) -> AuditQuery:
        return AuditQuery(
            workspace_ids=workspace_ids,
            actor_id=self.actor_id,
            action=self.action,
            object_type=self.object_type,
            object_id=self.object_id,
            outcome=self.outcome,
            since=self.since,
            until=self.until,
        )

    def to_json(self) -> dict[str, Any]:
        values = {
            "workspace_id": self.workspace_id,
            "actor_id": self.actor_id,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "outcome": self.outcome,
            "since": timestamp(self.since) if self.since else None,
            "until": timestamp(self.until) if self.until else None,
        }
        return {k: v for k, v in values.items() if v is not None}


@dataclass(frozen=True, slots=True)
class AuditEventView:
    id: int
    chain: str
    seq: int
    prev_hash: str
    hash: str
    workspace_id: int | None
    actor_id: int | None
    action: str
    object_type: str
    object_id: str
    outcome: str
    origin: str
    created_at: datetime
    details: dict[str, Any]

    @classmethod
    def of(cls, row: Any) -> AuditEventView:
        """From a stored event (a model instance or a row of its columns)."""
        return cls(
            row.id,
            row.chain,
            row.seq,
            row.prev_hash,
            row.hash,
            row.workspace_id,
            row.actor_id,
            row.action,
            row.object_type,
            row.object_id,
            row.outcome,
            row.origin,
            row.created_at,
            dict(row.details or {}),
        )

    def record(self) -> AuditRecord:
        return AuditRecord(
            id=self.id,
            chain=self.chain,
            seq=self.seq,
            prev_hash=self.prev_hash,
            hash=self.hash,
            action=self.action,
            created_at=self.created_at,
            workspace_id=self.workspace_id,
            actor_id=self.actor_id,
            object_type=self.object_type,
            object_id=self.object_id,
            outcome=self.outcome,
            origin=self.origin,
            details=self.details,
        )

    def export_line(self) -> dict[str, Any]:
        """The export's line: ``id`` plus every hashed field, ``created_at`` written exactly as hashed."""
        return {
            "id": self.id,
            "chain": self.chain,
            "seq": self.seq,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
            "workspace_id": self.workspace_id,
            "actor_id": self.actor_id,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "outcome": self.outcome,
            "origin": self.origin,
            "created_at": timestamp(self.created_at),
            "details": self.details,
        }


def _admin_workspaces(session: Any, principal: Principal, workspace_id: int | None) -> list[int] | None:
    """The workspaces whose events the caller may read: None for every event (instance admins)."""
    if workspace_id is not None:
        if principal.is_admin:
            return [workspace_id]  # the log outlives a deleted workspace: no existence check
        require(workspace_role(session, principal, workspace_id), Action.VIEW_AUDIT)
        return [workspace_id]
    if principal.is_admin:
        return None
    mine = [
        ws.id
        for ws, role in workspace_repo.list_workspaces_for(session, principal.user_id, all_workspaces=False)
        if Role(role) is Role.ADMIN
    ]
    if not mine:
        raise PermissionDenied("audit_forbidden")
    return mine


def list_events(
    db: Database, principal: Principal, filters: AuditFilter, *, limit: int = 100, cursor: str | None = None
) -> Page[AuditEventView]:
    """Events newest first (by id: the order they were appended in), ``limit`` a page."""
    filters.check()
    limit = max(1, min(limit, MAX_LIMIT))
    before = decode_cursor(cursor) or None
    with db.read() as session:
        scope = _admin_workspaces(session, principal, filters.workspace_id)
        rows = audit_repo.list_page(session, filters.query(scope), before_id=before, limit=limit + 1)
        items = [AuditEventView.of(r) for r in rows[:limit]]
    return Page(items, encode_cursor(items[-1].id) if len(rows) > limit else None)


def export_events(
    db: Database, principal: Principal, filters: AuditFilter, *, now: datetime | None = None
) -> Iterator[bytes]:
    """Check access and record the export (``audit.export``) now; return the JSONL chunks to stream: every
    matching event in chain order (``chain``, then ``seq``), one ``AuditEventView.export_line`` a line.

    An unfiltered export of a chain re-verifies completely offline; a filtered one leaves events out, so only
    each line's own hash can be checked (its links point at events not exported)."""
    filters.check()
    at = now or utcnow()
    with db.write() as session:
        scope = _admin_workspaces(session, principal, filters.workspace_id)
        details = {"format": "jsonl", "filters": filters.to_json()}
        for workspace_id in scope if scope is not None else [None]:
            audit_repo.record(
                session,
                workspace_id=workspace_id,
                actor_id=principal.user_id,
                action="audit.export",
                object_type="audit_log",
                object_id=chain_key(workspace_id),
                details=details,
                created_at=at,
            )
    return _export_lines(db, filters.query(scope))


def _export_lines(db: Database, query: AuditQuery) -> Iterator[bytes]:
    with db.snapshot() as session:
        chunk = bytearray()
        for lines, row in enumerate(audit_repo.iter_chain_order(session, query), 1):
            chunk += orjson.dumps(AuditEventView.of(row).export_line())
            chunk += b"\n"
            if lines % EXPORT_CHUNK == 0:
                yield bytes(chunk)
                chunk.clear()
        if chunk:
            yield bytes(chunk)


@dataclass(frozen=True, slots=True)
class VerifyReport:
    chains: list[ChainReport]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.chains)

    @property
    def events(self) -> int:
        return sum(c.events for c in self.chains)


def _chain_order(chain: str) -> tuple[int, int, str]:
    """The instance's chain first, then workspaces by id."""
    workspace = chain_workspace(chain)
    return (0, 0, chain) if workspace is None else (1, workspace, chain)


def verify_chains(
    db: Database,
    *,
    workspace_ids: Sequence[int] | None = None,
    anchors: Sequence[Anchor] = (),
    progress: Progress | None = None,
) -> VerifyReport:
    """Walk every chain (or those of ``workspace_ids``) from one snapshot and report each: its events, its
    head, and its first break if any (``ChainVerifier``). An anchor (a head recorded earlier) of a chain in
    scope is checked too: the chain must still hold that event with that hash."""
    by_chain = anchors_by_chain(anchors)
    with db.snapshot() as session:
        wanted = None if workspace_ids is None else [chain_key(w) for w in workspace_ids]
        sizes: dict[str, int] = audit_repo.chain_sizes(session, wanted)
        for chain in wanted or []:
            sizes.setdefault(chain, 0)
        for chain in by_chain:
            if wanted is None or chain in wanted:
                sizes.setdefault(chain, 0)
        total = sum(sizes.values())
        done = 0
        if progress is not None:
            progress(done, total)
        reports = []
        for chain in sorted(sizes, key=_chain_order):
            verifier = ChainVerifier(chain, by_chain.get(chain))
            for row in audit_repo.iter_chain_order(session, AuditQuery(), chain=chain, batch=VERIFY_BATCH):
                verifier.feed(AuditEventView.of(row).record())
                done += 1
                if progress is not None and done % VERIFY_BATCH == 0:
                    progress(done, total)
            reports.append(verifier.finish())
        if progress is not None:
            progress(done, total)
    return VerifyReport(reports)


def verify_for(db: Database, principal: Principal, workspace_id: int | None = None) -> VerifyReport:
    """``verify_chains`` over the chains the caller may read (a workspace admin: their workspaces')."""
    with db.read() as session:
        scope = _admin_workspaces(session, principal, workspace_id)
    return verify_chains(db, workspace_ids=scope)


@dataclass(frozen=True, slots=True)
class ChainHead:
    chain: str
    seq: int
    hash: str
    event_id: int
    created_at: datetime

    def anchor(self) -> Anchor:
        return Anchor(self.chain, self.seq, self.hash)

    def to_json(self) -> dict[str, Any]:
        return {
            "chain": self.chain,
            "seq": self.seq,
            "hash": self.hash,
            "event_id": self.event_id,
            "created_at": timestamp(self.created_at),
        }


def chain_heads(db: Database, *, workspace_ids: Sequence[int] | None = None) -> list[ChainHead]:
    """The newest event of each chain (or of the chains of ``workspace_ids``): what an operator stores
    outside the database to detect a rewrite or a truncation later (``verify_chains(anchors=...)``)."""
    with db.read() as session:
        wanted = None if workspace_ids is None else [chain_key(w) for w in workspace_ids]
        rows = audit_repo.chain_heads(session, wanted)
        heads = [ChainHead(r.chain, r.seq, r.hash, r.id, r.created_at) for r in rows]
    return sorted(heads, key=lambda h: _chain_order(h.chain))


def parse_anchors(value: Any) -> list[Anchor]:
    """Anchors from the JSON ``consenso audit head --json`` writes (a list of heads); ValueError if not."""
    if not isinstance(value, list):
        raise ValueError("a JSON list is expected")
    found = []
    for position, item in enumerate(value, 1):
        if not isinstance(item, Mapping):
            raise ValueError(f"item {position} is not an object")
        chain, seq, digest = item.get("chain"), item.get("seq"), item.get("hash")
        if not isinstance(chain, str) or not chain:
            raise ValueError(f"item {position} has no chain")
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
            raise ValueError(f"item {position} has no positive seq")
        if not isinstance(digest, str) or len(digest) != 64:
            raise ValueError(f"item {position} has no 64-character hash")
        found.append(Anchor(chain, seq, digest.lower()))
    return found
