from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from consenso.api.schemas import Read
from consenso.core.audit import ChainBreak, ChainReport
from consenso.core.messages import translate
from consenso.services.audit import VerifyReport


class AuditEventRead(Read):
    id: int
    chain: str = Field(description="`workspace:<id>`, or `instance` for events of no workspace")
    seq: int = Field(description="Position in its chain: 1, 2, 3 … without gaps")
    prev_hash: str = Field(description="The previous event's `hash` (64 zeros for a chain's first event)")
    hash: str = Field(description="SHA-256 of the event's canonical form (docs/security.md, Audit log)")
    workspace_id: int | None
    actor_id: int | None = Field(description="Who did it; null for the system or a failed anonymous login")
    action: str = Field(description="What was done, e.g. `auth.login`, `membership.update`, `project.export`")
    object_type: str
    object_id: str
    outcome: str = Field(description="`success` or `failure`")
    origin: str = Field(description="Where the request came from (client address, `cli`), when known")
    created_at: datetime
    details: dict[str, Any] = Field(
        description='What changed; `"digest": {"before", "after"}` holds SHA-256 digests of the object\'s '
        "state before and after a settings change"
    )


class AuditPage(Read):
    items: list[AuditEventRead]
    next_cursor: str | None


class ChainHeadRead(Read):
    seq: int
    hash: str
    event_id: int


class ChainBreakRead(Read):
    kind: str = Field(
        description="`edited`, `deleted`, `inserted`, `reordered`, `broken_link` (from the chain itself); "
        "`rewritten`, `truncated` (against an anchor)"
    )
    event_id: int | None = Field(description="The event at fault (for `deleted`: the one after the gap)")
    seq: int | None
    missing: int = Field(description="Events missing (`deleted`, `truncated`)")
    first_missing: int | None
    related_event_id: int | None = Field(description="The other event involved (the one before, or moved)")
    related_seq: int | None
    expected: str | None = Field(description="The hash the chain called for at this point")
    found: str | None = Field(description="The hash stored")
    message: str = Field(description="What happened, in the request's language")

    @classmethod
    def of(cls, broken: ChainBreak, lang: str) -> ChainBreakRead:
        return cls(
            kind=broken.kind.value,
            event_id=broken.event_id,
            seq=broken.seq,
            missing=broken.missing,
            first_missing=broken.first_missing,
            related_event_id=broken.related_event_id,
            related_seq=broken.related_seq,
            expected=broken.expected,
            found=broken.found,
            message=translate(broken.message_key, lang, **broken.message_params()),
        )


class ChainVerifyRead(Read):
    chain: str
    workspace_id: int | None
    events: int
    ok: bool
    head: ChainHeadRead | None = Field(description="The chain's newest event; null when it has none")
    broken: ChainBreakRead | None = Field(description="The first break; null when the chain holds")

    @classmethod
    def of(cls, report: ChainReport, lang: str) -> ChainVerifyRead:
        head = None
        if report.head_seq is not None and report.head_hash is not None and report.head_event_id is not None:
            head = ChainHeadRead(seq=report.head_seq, hash=report.head_hash, event_id=report.head_event_id)
        return cls(
            chain=report.chain,
            workspace_id=report.workspace_id,
            events=report.events,
            ok=report.ok,
            head=head,
            broken=ChainBreakRead.of(report.broken, lang) if report.broken else None,
        )


class AuditVerifyRead(Read):
    ok: bool = Field(description="True when every chain checked holds")
    events: int
    chains: list[ChainVerifyRead]

    @classmethod
    def of(cls, report: VerifyReport, lang: str) -> AuditVerifyRead:
        return cls(
            ok=report.ok, events=report.events, chains=[ChainVerifyRead.of(c, lang) for c in report.chains]
        )
