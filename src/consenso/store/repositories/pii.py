"""Sealed originals of PII-masked tasks (``pii_original``); sealing and opening are the services' job."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from sqlalchemy import exists, func, insert, select, text
from sqlalchemy.orm import Session

from consenso.store.models import Membership, PiiOriginal, Project, Task

_HASHES_PER_QUERY: Final = 500


def context(task_id: int) -> bytes:
    """The context a task's original is sealed for (AES-GCM associated data): it opens for this task only."""
    return f"pii_original:task:{task_id}".encode()


def new_tasks_by_hash(
    session: Session, project_id: int, hashes: Sequence[bytes], *, after_id: int
) -> dict[bytes, int]:
    """The ids of the tasks with these content hashes that the running import created (an id above
    ``after_id``) and that hold no original yet; a duplicate record's task keeps what it had."""
    found: dict[bytes, int] = {}
    for start in range(0, len(hashes), _HASHES_PER_QUERY):
        rows = session.execute(
            select(Task.id, Task.content_hash).where(
                Task.project_id == project_id,
                Task.content_hash.in_(hashes[start : start + _HASHES_PER_QUERY]),
                Task.id > after_id,
                ~exists().where(PiiOriginal.task_id == Task.id),
            )
        ).all()
        found.update((bytes(digest), task_id) for task_id, digest in rows)
    return found


def add_originals(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    if rows:
        session.execute(insert(PiiOriginal), list(rows))


def get_original(session: Session, task_id: int) -> PiiOriginal | None:
    return session.get(PiiOriginal, task_id)


def not_sealed_under(session: Session, key_id: str, *, limit: int) -> list[PiiOriginal]:
    """Up to ``limit`` originals sealed under another key than ``key_id``, locked for the re-seal."""
    return list(
        session.scalars(
            select(PiiOriginal)
            .where(PiiOriginal.key_id != key_id)
            .order_by(PiiOriginal.task_id)
            .limit(limit)
            .with_for_update()
        )
    )


def count_not_sealed_under(session: Session, key_id: str) -> int:
    return session.scalar(select(func.count()).where(PiiOriginal.key_id != key_id)) or 0


def values_per_key(session: Session) -> dict[str, int]:
    rows = session.execute(select(PiiOriginal.key_id, func.count()).group_by(PiiOriginal.key_id)).all()
    return {str(key_id): int(count) for key_id, count in rows}


def key_ids_in_use(session: Session) -> set[str]:
    """The keys some original is sealed under. On PostgreSQL the table is locked in SHARE mode first, which
    waits for the transactions writing originals (an import) to end and holds new ones off until this
    transaction ends: a key is never retired while a value sealed under it is about to be committed. (SQLite
    has one writer at a time: the caller's write transaction already waits for them.)"""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE pii_original IN SHARE MODE"))
    return set(session.scalars(select(PiiOriginal.key_id).distinct()))


def touch_sealed(original: PiiOriginal, *, key_id: str, sealed: bytes, at: datetime) -> None:
    original.key_id = key_id
    original.sealed = sealed
    original.sealed_at = at


def task_with_role(session: Session, task_id: int, user_id: int) -> Any:
    """(task id, project id, workspace id, the user's role in that workspace or None) of a task; None when
    there is no such task."""
    return session.execute(
        select(Task.id, Task.project_id, Project.workspace_id, Membership.role)
        .join(Project, Project.id == Task.project_id)
        .outerjoin(
            Membership,
            (Membership.workspace_id == Project.workspace_id) & (Membership.user_id == user_id),
        )
        .where(Task.id == task_id)
    ).first()
