"""consenso.core.audit: the canonical form (RFC 8785), event hashes, and the verifier naming each kind of tampering."""

from __future__ import annotations

import hashlib
import struct
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consenso.core.audit import (
    GENESIS_HASH,
    INSTANCE_CHAIN,
    Anchor,
    AuditRecord,
    BreakKind,
    ChainBreak,
    ChainVerifier,
    anchors_by_chain,
    canonical_json,
    chain_key,
    chain_workspace,
    digest,
    event_hash,
    sealed,
    timestamp,
    verify_chain,
)
from consenso.core.messages import LANGUAGES, translate

T0 = datetime(2026, 11, 27, 9, 30, 15, 123456, tzinfo=UTC)
CHAIN = "workspace:3"

# RFC 8785, Appendix B: IEEE 754 doubles and how ECMAScript (and so the canonical form) writes them
RFC_NUMBERS = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


@pytest.mark.parametrize(("bits", "expected"), RFC_NUMBERS)
def test_numbers_are_written_as_rfc_8785_writes_them(bits: str, expected: str) -> None:
    value = struct.unpack(">d", bytes.fromhex(bits))[0]

    assert canonical_json(value) == expected.encode()


def test_object_keys_sort_by_utf16_code_units_as_in_rfc_8785() -> None:
    # RFC 8785, section 3.2.3: the emoji (a surrogate pair, D83D DE00) sorts before U+FB33
    value = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }

    keys = list(value)
    ordered = canonical_json(value).decode()

    positions = [ordered.index('"' + (k if k != "\r" else "\\r") + '"') for k in keys]
    assert [k for _, k in sorted(zip(positions, keys, strict=True))] == [
        "\r",
        "1",
        "\u0080",
        "\u00f6",
        "\u20ac",
        "\U0001f600",
        "\ufb33",
    ]


def test_strings_and_structures_are_written_compactly() -> None:
    value = {"b": [1, 2.5, None, True, False], "a": 'quote " back \\ tab \t nul \x00 ñ €', "c": {}}

    assert (
        canonical_json(value)
        == ('{"a":"quote \\" back \\\\ tab \\t nul \\u0000 ñ €","b":[1,2.5,null,true,false],"c":{}}').encode()
    )


def test_integral_doubles_hash_like_the_integers_postgresql_returns() -> None:
    # jsonb stores 1e20 as 100000000000000000000 and 2.0 as 2.0; read back, either may be an int or a float
    assert canonical_json({"x": 1e20}) == canonical_json({"x": 10**20}) == b'{"x":100000000000000000000}'
    assert canonical_json(2.0) == canonical_json(2) == b"2"
    assert canonical_json(-0.0) == b"0"


def test_non_finite_numbers_are_null_and_unknown_types_are_refused() -> None:
    assert canonical_json([float("nan"), float("inf")]) == b"[null,null]"
    with pytest.raises(TypeError):
        canonical_json({1: "x"})
    with pytest.raises(TypeError):
        canonical_json({"at": T0})


def test_timestamps_are_utc_with_microseconds() -> None:
    assert timestamp(T0) == "2026-11-27T09:30:15.123456Z"
    assert (
        timestamp(datetime(2026, 1, 1, 1, tzinfo=UTC) + timedelta(hours=0)) == "2026-01-01T01:00:00.000000Z"
    )
    bogota = datetime(2026, 1, 1, 1, tzinfo=UTC).astimezone(ZoneInfo("America/Bogota"))
    assert timestamp(bogota) == "2026-01-01T01:00:00.000000Z"
    with pytest.raises(ValueError):
        timestamp(datetime(2026, 1, 1))  # a naive datetime names no instant


def test_the_hash_of_an_event_is_pinned() -> None:
    # The v1 format is frozen: a stored log must verify with every later version of Consenso.
    fields: dict[str, Any] = {
        "chain": CHAIN,
        "seq": 1,
        "prev_hash": GENESIS_HASH,
        "workspace_id": 3,
        "actor_id": 7,
        "action": "membership.update",
        "object_type": "membership",
        "object_id": "12",
        "outcome": "success",
        "origin": "127.0.0.1",
        "created_at": T0,
        "details": {"user_id": 9, "from": "annotator", "to": "reviewer"},
    }
    form = (
        '{"action":"membership.update","actor_id":7,"chain":"workspace:3","created_at":"2026-11-27T09:30:15.123456Z",'
        '"details":{"from":"annotator","to":"reviewer","user_id":9},"object_id":"12","object_type":"membership",'
        '"origin":"127.0.0.1","outcome":"success","prev_hash":"'
        + GENESIS_HASH
        + '","seq":1,"v":1,"workspace_id":3}'
    )

    assert event_hash(**fields) == hashlib.sha256(form.encode()).hexdigest()


def test_digest_is_the_sha256_of_the_canonical_form() -> None:
    assert digest({"b": 1, "a": [None]}) == hashlib.sha256(b'{"a":[null],"b":1}').hexdigest()


def test_chain_keys() -> None:
    assert chain_key(None) == INSTANCE_CHAIN and chain_key(12) == "workspace:12"
    assert chain_workspace("workspace:12") == 12
    assert chain_workspace(INSTANCE_CHAIN) is None and chain_workspace("workspace:x") is None


# ---------------------------------------------------------------------------------------------------------
# Verification


def make_chain(size: int, chain: str = CHAIN, *, first_id: int = 1) -> list[AuditRecord]:
    events: list[AuditRecord] = []
    prev = GENESIS_HASH
    for i in range(size):
        record = sealed(
            first_id + 2 * i,  # ids grow with seq but skip (other chains take ids in between)
            i + 1,
            chain,
            prev,
            action="task.finalize",
            actor_id=7,
            workspace_id=chain_workspace(chain),
            object_type="task",
            object_id=str(100 + i),
            created_at=T0 + timedelta(seconds=i),
            details={"result": {"sentiment": "positive"}, "confidence": 0.75 + i / 1000},
        )
        events.append(record)
        prev = record.hash
    return events


def by_seq(events: list[AuditRecord]) -> list[AuditRecord]:
    return sorted(events, key=lambda e: (e.seq, e.id))


def test_an_untouched_chain_holds_and_reports_its_head() -> None:
    events = make_chain(6)

    report = verify_chain(CHAIN, events)

    assert report.ok and report.broken is None
    assert (report.events, report.head_seq, report.head_hash, report.head_event_id) == (
        6,
        6,
        events[-1].hash,
        events[-1].id,
    )
    assert report.workspace_id == 3
    empty = verify_chain(CHAIN, [])
    assert empty.ok and (empty.events, empty.head_seq, empty.head_hash) == (0, None, None)


@pytest.mark.parametrize(
    "change",
    [
        {"actor_id": 8},
        {"action": "task.escalate"},
        {"object_id": "999"},
        {"outcome": "failure"},
        {"origin": "10.0.0.1"},
        {"workspace_id": 4},
        {"created_at": T0 + timedelta(microseconds=1)},
        {"details": {"result": {"sentiment": "negative"}, "confidence": 0.752}},
        {"hash": "f" * 64},
    ],
    ids=lambda c: next(iter(c)),
)
def test_an_edited_event_is_named(change: dict[str, Any]) -> None:
    events = make_chain(5)
    events[2] = replace(events[2], **change)

    broken = verify_chain(CHAIN, events).broken

    assert broken is not None
    assert (broken.kind, broken.event_id, broken.seq) == (BreakKind.EDITED, events[2].id, 3)


@pytest.mark.parametrize(("gone", "after"), [([2], 3), ([0], 1), ([1, 2], 3)])
def test_deleted_events_are_named_by_the_gap(gone: list[int], after: int) -> None:
    events = make_chain(6)
    kept = [e for i, e in enumerate(events) if i not in gone]

    broken = verify_chain(CHAIN, kept).broken

    assert broken is not None
    assert broken.kind is BreakKind.DELETED
    assert (broken.event_id, broken.seq) == (events[after].id, after + 1)
    assert (broken.first_missing, broken.missing) == (gone[0] + 1, len(gone))


def test_deleting_the_newest_event_needs_an_anchor_to_show() -> None:
    events = make_chain(5)
    anchor = Anchor(CHAIN, 5, events[-1].hash)

    assert verify_chain(CHAIN, events[:-1]).ok  # the chain alone cannot tell
    broken = verify_chain(CHAIN, events[:-1], anchor).broken

    assert broken is not None
    assert (broken.kind, broken.event_id, broken.first_missing, broken.missing) == (
        BreakKind.TRUNCATED,
        None,
        5,
        1,
    )
    assert verify_chain(CHAIN, events, anchor).ok


def _forged(after: AuditRecord, seq: int, event_id: int, prev: str | None = None) -> AuditRecord:
    return sealed(
        event_id,
        seq,
        CHAIN,
        after.hash if prev is None else prev,
        action="user.create",
        workspace_id=3,
        object_type="user",
        object_id="666",
        created_at=after.created_at,
        details={"is_admin": True},
    )


def test_an_event_slipped_in_with_later_ones_moved_on_is_named_inserted() -> None:
    events = make_chain(5)
    forged = _forged(events[1], 3, 99)
    moved = [replace(e, seq=e.seq + 1) for e in events[2:]]  # their hashes cannot follow the move

    broken = verify_chain(CHAIN, by_seq([*events[:2], forged, *moved])).broken

    assert broken is not None
    assert (broken.kind, broken.event_id, broken.seq) == (BreakKind.INSERTED, 99, 3)


def test_an_event_sharing_a_number_with_a_real_one_is_named_inserted() -> None:
    events = make_chain(5)
    forged = _forged(events[1], 3, 99)  # seq 3 twice (the unique constraint dropped first)

    broken = verify_chain(CHAIN, by_seq([*events, forged])).broken

    assert broken is not None
    assert (broken.kind, broken.event_id, broken.seq) == (BreakKind.INSERTED, 99, 3)


def test_an_event_appended_with_a_made_up_link_is_named_inserted() -> None:
    events = make_chain(4)
    forged = _forged(events[-1], 5, 99, prev="ab" * 32)

    broken = verify_chain(CHAIN, [*events, forged]).broken

    assert broken is not None
    assert (broken.kind, broken.event_id) == (BreakKind.INSERTED, 99)


@pytest.mark.parametrize(("first", "second"), [(1, 2), (1, 3), (3, 4), (0, 4)])
def test_two_events_that_swapped_places_are_named_reordered(first: int, second: int) -> None:
    events = make_chain(5)
    a, b = events[first], events[second]
    events[first], events[second] = replace(b, seq=a.seq), replace(a, seq=b.seq)

    broken = verify_chain(CHAIN, by_seq(events)).broken

    assert broken is not None
    assert (broken.kind, broken.event_id, broken.seq) == (BreakKind.REORDERED, b.id, a.seq)
    assert broken.related_event_id is not None


def test_events_whose_ids_were_swapped_are_named_reordered() -> None:
    events = make_chain(4)
    events[1], events[2] = replace(events[1], id=events[2].id), replace(events[2], id=events[1].id)

    broken = verify_chain(CHAIN, events).broken

    assert broken is not None
    assert (broken.kind, broken.seq, broken.related_seq) == (BreakKind.REORDERED, 3, 2)


def test_an_event_edited_and_given_a_fresh_hash_is_named_through_the_next_link() -> None:
    events = make_chain(5)
    rehashed = sealed(
        events[2].id, 3, CHAIN, events[1].hash, **{**_payload(events[2]), "actor_id": 1}
    )  # the attacker recomputed its hash, but event 4 still links to the old one
    events[2] = rehashed

    broken = verify_chain(CHAIN, events).broken

    assert broken is not None
    assert (broken.kind, broken.event_id, broken.related_seq) == (BreakKind.EDITED, rehashed.id, 4)


def _payload(record: AuditRecord) -> dict[str, Any]:
    fields = record.hashed_fields()
    for name in ("chain", "seq", "prev_hash"):
        fields.pop(name)
    return fields


def test_a_chain_rewritten_from_some_event_on_shows_only_against_an_anchor() -> None:
    events = make_chain(6)
    anchor = Anchor(CHAIN, 4, events[3].hash)  # recorded elsewhere when the chain had 4 events
    rewritten = events[:2]
    for original in events[2:]:  # from event 3 on, every hash recomputed
        rewritten.append(
            sealed(
                original.id, original.seq, CHAIN, rewritten[-1].hash, **{**_payload(original), "outcome": "x"}
            )
        )

    assert verify_chain(CHAIN, rewritten).ok
    broken = verify_chain(CHAIN, rewritten, anchor).broken

    assert broken is not None
    assert (broken.kind, broken.seq, broken.expected, broken.found) == (
        BreakKind.REWRITTEN,
        4,
        events[3].hash,
        rewritten[3].hash,
    )


def test_anchors_belong_to_their_chain_and_the_newest_counts() -> None:
    with pytest.raises(ValueError):
        ChainVerifier(CHAIN, Anchor(INSTANCE_CHAIN, 1, GENESIS_HASH))
    chosen = anchors_by_chain(
        [Anchor(CHAIN, 2, "a" * 64), Anchor(CHAIN, 5, "b" * 64), Anchor("x", 1, "c" * 64)]
    )
    assert chosen == {CHAIN: Anchor(CHAIN, 5, "b" * 64), "x": Anchor("x", 1, "c" * 64)}


@pytest.mark.parametrize("kind", list(BreakKind))
def test_every_break_has_a_message_in_both_languages(kind: BreakKind) -> None:
    events = make_chain(3)
    broken = ChainBreak(
        kind,
        CHAIN,
        events[1].id,
        2,
        missing=1,
        first_missing=2,
        related_event_id=1,
        related_seq=1,
        expected="a" * 64,
    )

    for lang in LANGUAGES:
        text = translate(broken.message_key, lang, **broken.message_params())
        assert text != broken.message_key and "{" not in text, text
        assert CHAIN in text


# ---------------------------------------------------------------------------------------------------------
# Properties: any single tampering of a chain is detected and names the right event


@st.composite
def chains_and_positions(draw: st.DrawFn) -> tuple[list[AuditRecord], int, int]:
    size = draw(st.integers(min_value=2, max_value=30))
    first = draw(st.integers(min_value=0, max_value=size - 2))
    second = draw(st.integers(min_value=first + 1, max_value=size - 1))
    return make_chain(size), first, second


@settings(max_examples=60, deadline=None)
@given(chains_and_positions(), st.sampled_from(["actor_id", "object_id", "details", "created_at"]))
def test_any_edit_is_named(case: tuple[list[AuditRecord], int, int], field_name: str) -> None:
    events, position, _ = case
    changes: dict[str, Any] = {
        "actor_id": {"actor_id": 9999},
        "object_id": {"object_id": "x"},
        "details": {"details": {}},
        "created_at": {"created_at": T0 - timedelta(days=1)},
    }
    events[position] = replace(events[position], **changes[field_name])

    broken = verify_chain(CHAIN, events).broken

    assert broken is not None and (broken.kind, broken.seq) == (BreakKind.EDITED, position + 1)


@settings(max_examples=60, deadline=None)
@given(chains_and_positions())
def test_any_deletion_but_the_newest_is_named(case: tuple[list[AuditRecord], int, int]) -> None:
    events, position, _ = case
    del events[position]

    broken = verify_chain(CHAIN, events).broken

    assert broken is not None
    assert (broken.kind, broken.seq, broken.first_missing) == (BreakKind.DELETED, position + 2, position + 1)


@settings(max_examples=60, deadline=None)
@given(chains_and_positions())
def test_any_swap_is_named(case: tuple[list[AuditRecord], int, int]) -> None:
    events, first, second = case
    a, b = events[first], events[second]
    events[first], events[second] = replace(b, seq=a.seq), replace(a, seq=b.seq)

    broken = verify_chain(CHAIN, by_seq(events)).broken

    assert broken is not None and (broken.kind, broken.event_id) == (BreakKind.REORDERED, b.id)
