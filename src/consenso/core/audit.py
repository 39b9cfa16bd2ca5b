"""The tamper-evident audit log: events chained by SHA-256 hashes, and the pure check of a chain.

Chains
------
Every event belongs to one chain: its workspace's (``workspace:<id>``) or, when it names no workspace, the
instance's (``instance``: logins, users, tokens). Within a chain events are numbered ``seq`` = 1, 2, 3 …
without gaps; each stores ``prev_hash``, the ``hash`` of the event before it (64 zeros for the first), and
its own ``hash``: the SHA-256 (lowercase hex) of the canonical form of

    {"v": 1, "chain", "seq", "prev_hash", "workspace_id", "actor_id", "action", "object_type",
     "object_id", "outcome", "origin", "created_at", "details"}

``created_at`` written ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (UTC, microseconds). The canonical form is the JSON
Canonicalization Scheme (RFC 8785): object keys sorted by their UTF-16 code units, no whitespace, strings
escaped as ``JSON.stringify`` does, numbers written as ECMAScript writes a double (``1e+21``, ``0.000001``,
``100`` for ``100.0``), UTF-8. Two deliberate points: a non-finite number is ``null`` (it cannot be stored),
and an integer is written exactly, whatever its size (RFC 8785 would round one above 2**53 to a double).
Writing integral doubles as integers is what makes a hash survive PostgreSQL's ``jsonb``, which stores
``1e20`` as ``100000000000000000000``.

Each event's hash covers its predecessor's, so changing, removing, adding or moving one event breaks the
chain at that point; ``ChainVerifier`` walks a chain in ``seq`` order and names the first break:

- ``edited``: an event whose content no longer matches its hash;
- ``deleted``: the sequence jumps and the event after the gap links to a hash no stored event has;
- ``inserted``: an event that is not part of the chain (nothing links to it where it stands, while the
  event before it, or the one after, keeps the chain's real link);
- ``reordered``: an event that stands before the event its link says it follows (or, with every link
  intact, after an event with a higher id: ids are allocated in append order);
- ``broken_link``: a link mismatch none of the above explains;
- with an anchor (a head recorded elsewhere, ``consenso audit head``): ``rewritten`` when the event at the
  anchored position has another hash, ``truncated`` when the chain now ends before it.

What a chain cannot show by itself: someone with write access to the database who recomputes every hash
from some event on produces a valid chain. Only a head hash kept outside the database (an anchor) exposes
that, and the removal of events from a chain's end.

Example::

    >>> from datetime import UTC, datetime
    >>> at = datetime(2026, 1, 1, tzinfo=UTC)
    >>> first = sealed(1, 1, INSTANCE_CHAIN, GENESIS_HASH, action="auth.login", actor_id=7, created_at=at)
    >>> second = sealed(2, 2, INSTANCE_CHAIN, first.hash, action="auth.logout", actor_id=7, created_at=at)
    >>> verify_chain(INSTANCE_CHAIN, [first, second]).ok
    True
    >>> edited = replace(first, actor_id=8)
    >>> report = verify_chain(INSTANCE_CHAIN, [edited, second])
    >>> (report.broken.kind.value, report.broken.event_id)
    ('edited', 1)
"""

from __future__ import annotations

import enum
import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final

FORMAT_VERSION: Final = 1
GENESIS_HASH: Final = "0" * 64
INSTANCE_CHAIN: Final = "instance"
_WORKSPACE_PREFIX: Final = "workspace:"


def chain_key(workspace_id: int | None) -> str:
    """The chain an event belongs to: its workspace's, or the instance's when it names none."""
    return INSTANCE_CHAIN if workspace_id is None else f"{_WORKSPACE_PREFIX}{workspace_id}"


def chain_workspace(chain: str) -> int | None:
    """The workspace id of a workspace chain; None for the instance chain (or a key of no known form)."""
    if chain.startswith(_WORKSPACE_PREFIX) and chain[len(_WORKSPACE_PREFIX) :].isdigit():
        return int(chain[len(_WORKSPACE_PREFIX) :])
    return None


# ---------------------------------------------------------------------------------------------------------
# Canonical form (RFC 8785)


def _number(value: float) -> str:
    """A finite double as ECMAScript's ``Number.prototype.toString`` writes it (RFC 8785, 3.2.2.3)."""
    if value == 0:
        return "0"  # -0 too
    if value < 0:
        return "-" + _number(-value)
    # repr() is the shortest decimal that reads back as the same double, as ECMAScript asks for
    parts = Decimal(repr(value)).as_tuple()
    digits = "".join(map(str, parts.digits))
    scale = int(parts.exponent)  # value = int(digits) * 10**scale
    stripped = digits.rstrip("0")
    scale += len(digits) - len(stripped)
    digits = stripped
    k = len(digits)
    n = k + scale  # value = 0.d1d2...dk * 10**n
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + digits
    e = n - 1
    mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"


def _utf16_key(key: str) -> bytes:
    return key.encode("utf-16-be", "surrogatepass")


def _write(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):
        out.append(_number(value) if math.isfinite(value) else "null")
    elif isinstance(value, str):
        # the json module escapes exactly as RFC 8785 asks: " \ \b \f \n \r \t, other controls as \u00xx
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, Mapping):
        for key in value:
            if not isinstance(key, str):
                raise TypeError(f"object keys must be strings, not {type(key).__name__}")
        out.append("{")
        for i, key in enumerate(sorted(value, key=_utf16_key)):
            if i:
                out.append(",")
            out.append(json.dumps(key, ensure_ascii=False))
            out.append(":")
            _write(value[key], out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, out)
        out.append("]")
    else:
        raise TypeError(f"{type(value).__name__} is not a JSON value")


def canonical_json(value: Any) -> bytes:
    """``value`` (JSON types only) in the canonical form the chain hashes (see the module docstring)."""
    out: list[str] = []
    _write(value, out)
    return "".join(out).encode("utf-8")


def digest(value: Any) -> str:
    """SHA-256 (hex) of a JSON value's canonical form: what an event keeps of a before/after state."""
    return hashlib.sha256(canonical_json(value)).hexdigest()


def timestamp(value: datetime) -> str:
    """An instant as the chain hashes it: UTC, microseconds, ``Z``."""
    if value.tzinfo is None:
        raise ValueError("audit times are aware datetimes")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def hashed_form(
    *,
    chain: str,
    seq: int,
    prev_hash: str,
    workspace_id: int | None,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    outcome: str,
    origin: str,
    created_at: datetime,
    details: Mapping[str, Any],
) -> dict[str, Any]:
    """The object whose canonical form is hashed (the ``id`` and the ``hash`` itself are not in it)."""
    return {
        "v": FORMAT_VERSION,
        "chain": chain,
        "seq": seq,
        "prev_hash": prev_hash,
        "workspace_id": workspace_id,
        "actor_id": actor_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "outcome": outcome,
        "origin": origin,
        "created_at": timestamp(created_at),
        "details": details,
    }


def event_hash(**fields: Any) -> str:
    """SHA-256 (hex) of ``hashed_form(**fields)``'s canonical form."""
    return hashlib.sha256(canonical_json(hashed_form(**fields))).hexdigest()


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One stored event as the verifier reads it: its id, its place in the chain and its hashed fields."""

    id: int
    chain: str
    seq: int
    prev_hash: str
    hash: str
    action: str
    created_at: datetime
    workspace_id: int | None = None
    actor_id: int | None = None
    object_type: str = ""
    object_id: str = ""
    outcome: str = "success"
    origin: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)

    def hashed_fields(self) -> dict[str, Any]:
        return {
            "chain": self.chain,
            "seq": self.seq,
            "prev_hash": self.prev_hash,
            "workspace_id": self.workspace_id,
            "actor_id": self.actor_id,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "outcome": self.outcome,
            "origin": self.origin,
            "created_at": self.created_at,
            "details": self.details,
        }

    def content_hash(self) -> str:
        """The hash this event's stored content calls for (its ``hash`` unless someone changed it)."""
        return event_hash(**self.hashed_fields())


def sealed(event_id: int, seq: int, chain: str, prev_hash: str, **fields: Any) -> AuditRecord:
    """A record with its hash computed from its content (tests and examples build chains with it)."""
    draft = AuditRecord(id=event_id, chain=chain, seq=seq, prev_hash=prev_hash, hash="", **fields)
    return replace(draft, hash=draft.content_hash())


# ---------------------------------------------------------------------------------------------------------
# Verification


class BreakKind(enum.StrEnum):
    EDITED = "edited"
    DELETED = "deleted"
    INSERTED = "inserted"
    REORDERED = "reordered"
    BROKEN_LINK = "broken_link"
    REWRITTEN = "rewritten"
    TRUNCATED = "truncated"


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first place a chain does not hold, and how.

    ``event_id``/``seq`` name the event at fault (for ``deleted``: the event right after the gap; for
    ``truncated``: None, the events are gone). ``missing``/``first_missing`` count and locate the missing
    sequence numbers (``deleted``, ``truncated``). ``related_event_id``/``related_seq`` name the other event
    involved: the one a ``reordered`` event links after, or the event before the one at fault. ``expected``
    and ``found`` are the hashes compared (content hash against stored hash for ``edited``, the link the
    chain called for against the one stored otherwise, the anchor's hash for ``rewritten``).
    """

    kind: BreakKind
    chain: str
    event_id: int | None
    seq: int | None
    missing: int = 0
    first_missing: int | None = None
    related_event_id: int | None = None
    related_seq: int | None = None
    expected: str | None = None
    found: str | None = None

    @property
    def message_key(self) -> str:
        return f"audit_break_{self.kind.value}"

    def message_params(self) -> dict[str, Any]:
        return {
            "chain": self.chain,
            "event_id": self.event_id,
            "seq": self.seq,
            "missing": self.missing,
            "first_missing": self.first_missing,
            "last_missing": (self.first_missing or 0) + self.missing - 1,
            "related_event_id": self.related_event_id,
            "related_seq": self.related_seq,
            "expected": (self.expected or "")[:16],
            "found": (self.found or "")[:16],
        }


@dataclass(frozen=True, slots=True)
class Anchor:
    """A chain head recorded outside the database: the event ``seq`` of ``chain`` had hash ``hash``."""

    chain: str
    seq: int
    hash: str


@dataclass(frozen=True, slots=True)
class ChainReport:
    chain: str
    events: int
    head_seq: int | None
    head_hash: str | None
    head_event_id: int | None
    broken: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.broken is None

    @property
    def workspace_id(self) -> int | None:
        return chain_workspace(self.chain)


@dataclass(slots=True)
class _Failure:
    """The first event that did not follow the last good one, and what the rest of the chain says about it."""

    event: AuditRecord
    before: AuditRecord | None  # the last event that held
    expected_seq: int
    expected_prev: str
    content_ok: bool
    linked_to_event: bool = False  # a later event links to ``event``
    linked_to_before: bool = False  # a later event (or ``event``) links to ``before``
    predecessor: AuditRecord | None = None  # a later event whose hash is ``event.prev_hash``


class ChainVerifier:
    """Checks one chain fed event by event in ``(seq, id)`` order, in constant memory.

    Until the first break each event must have ``seq`` one above its predecessor's, ``prev_hash`` equal to
    its predecessor's ``hash``, a ``hash`` equal to its content's and an id above its predecessor's. At the
    first event that does not, the verifier keeps reading (only to learn which later events link to the
    ones involved) and ``finish`` classifies the break (module docstring).
    """

    def __init__(self, chain: str, anchor: Anchor | None = None) -> None:
        if anchor is not None and anchor.chain != chain:
            raise ValueError("the anchor belongs to another chain")
        self.chain = chain
        self.anchor = anchor
        self.events = 0
        self._good: AuditRecord | None = None
        self._last: AuditRecord | None = None
        self._failure: _Failure | None = None
        self._anchored: AuditRecord | None = None

    def feed(self, record: AuditRecord) -> None:
        self.events += 1
        self._last = record
        if self.anchor is not None and self._anchored is None and record.seq == self.anchor.seq:
            self._anchored = record
        failure = self._failure
        if failure is not None:
            if record.prev_hash == failure.event.hash:
                failure.linked_to_event = True
            if failure.before is not None and record.prev_hash == failure.before.hash:
                failure.linked_to_before = True
            if failure.predecessor is None and record.hash == failure.event.prev_hash:
                failure.predecessor = record
            return
        before = self._good
        expected_seq = before.seq + 1 if before else 1
        expected_prev = before.hash if before else GENESIS_HASH
        content_ok = record.content_hash() == record.hash
        in_order = before is None or record.id > before.id
        if record.seq == expected_seq and record.prev_hash == expected_prev and content_ok and in_order:
            self._good = record
            return
        self._failure = _Failure(record, before, expected_seq, expected_prev, content_ok)

    def finish(self) -> ChainReport:
        last = self._last
        broken = self._classify(self._failure) if self._failure is not None else self._check_anchor()
        return ChainReport(
            chain=self.chain,
            events=self.events,
            head_seq=last.seq if last else None,
            head_hash=last.hash if last else None,
            head_event_id=last.id if last else None,
            broken=broken,
        )

    def _break(self, kind: BreakKind, event: AuditRecord | None, **extra: Any) -> ChainBreak:
        return ChainBreak(
            kind, self.chain, event.id if event else None, event.seq if event else None, **extra
        )

    def _classify(self, f: _Failure) -> ChainBreak:
        event, before = f.event, f.before
        seq_ok = event.seq == f.expected_seq
        link_ok = event.prev_hash == f.expected_prev
        around = {"related_event_id": before.id, "related_seq": before.seq} if before else {}
        link = {"expected": f.expected_prev, "found": event.prev_hash}
        if seq_ok and link_ok:
            if not f.content_ok:
                return self._break(
                    BreakKind.EDITED, event, expected=event.content_hash(), found=event.hash, **around
                )
            return self._break(BreakKind.REORDERED, event, **around)  # links hold, ids run backwards
        if f.predecessor is not None:  # it links after an event that stands later: moved forward
            return self._break(
                BreakKind.REORDERED,
                event,
                related_event_id=f.predecessor.id,
                related_seq=f.predecessor.seq,
                **link,
            )
        if before is not None and event.prev_hash == before.prev_hash:
            # two events claim the same predecessor: the one nothing links to is not part of the chain
            if not f.linked_to_before:
                return self._break(
                    BreakKind.INSERTED,
                    before,
                    related_event_id=event.id,
                    related_seq=event.seq,
                    expected=f.expected_prev,
                    found=event.prev_hash,
                )
            if not f.linked_to_event:
                return self._break(BreakKind.INSERTED, event, **around, **link)
        if event.seq > f.expected_seq:
            return self._break(
                BreakKind.DELETED,
                event,
                missing=event.seq - f.expected_seq,
                first_missing=f.expected_seq,
                **around,
                **link,
            )
        if event.seq < f.expected_seq:
            if not f.linked_to_event:
                return self._break(BreakKind.INSERTED, event, **around, **link)
            if not f.content_ok:
                return self._break(
                    BreakKind.EDITED, event, expected=event.content_hash(), found=event.hash, **around
                )
            return self._break(BreakKind.BROKEN_LINK, event, **around, **link)
        if not f.content_ok:  # its seq or prev_hash was changed
            return self._break(
                BreakKind.EDITED, event, expected=event.content_hash(), found=event.hash, **around
            )
        if f.linked_to_event and before is not None:
            # intact, linked to by the next one, but its link does not reach the event before it: that
            # event was changed and given a fresh hash
            return self._break(
                BreakKind.EDITED,
                before,
                related_event_id=event.id,
                related_seq=event.seq,
                expected=event.prev_hash,
                found=before.hash,
            )
        if not f.linked_to_event:
            return self._break(BreakKind.INSERTED, event, **around, **link)
        return self._break(BreakKind.BROKEN_LINK, event, **around, **link)

    def _check_anchor(self) -> ChainBreak | None:
        anchor = self.anchor
        if anchor is None:
            return None
        found = self._anchored
        if found is None:
            head = self._last.seq if self._last else 0
            return ChainBreak(
                BreakKind.TRUNCATED,
                self.chain,
                None,
                None,
                missing=anchor.seq - head,
                first_missing=head + 1,
                related_event_id=self._last.id if self._last else None,
                related_seq=self._last.seq if self._last else None,
                expected=anchor.hash,
            )
        if found.hash != anchor.hash:
            return self._break(BreakKind.REWRITTEN, found, expected=anchor.hash, found=found.hash)
        return None


def verify_chain(chain: str, records: Iterable[AuditRecord], anchor: Anchor | None = None) -> ChainReport:
    """Check one chain's records, given in ``(seq, id)`` order (see ``ChainVerifier``)."""
    verifier = ChainVerifier(chain, anchor)
    for record in records:
        verifier.feed(record)
    return verifier.finish()


def anchors_by_chain(anchors: Sequence[Anchor]) -> dict[str, Anchor]:
    """One anchor per chain: the highest ``seq`` given for it."""
    chosen: dict[str, Anchor] = {}
    for anchor in anchors:
        if anchor.chain not in chosen or anchor.seq > chosen[anchor.chain].seq:
            chosen[anchor.chain] = anchor
    return chosen


__all__ = [
    "FORMAT_VERSION",
    "GENESIS_HASH",
    "INSTANCE_CHAIN",
    "Anchor",
    "AuditRecord",
    "BreakKind",
    "ChainBreak",
    "ChainReport",
    "ChainVerifier",
    "anchors_by_chain",
    "canonical_json",
    "chain_key",
    "chain_workspace",
    "digest",
    "event_hash",
    "hashed_form",
    "sealed",
    "timestamp",
    "verify_chain",
]
