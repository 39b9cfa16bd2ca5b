"""Audit events: who did what to which object, with what outcome (hash chaining comes with the security work)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from consenso.store.models import AuditEvent


def record(
    session: Session,
    *,
    action: str,
    created_at: datetime,
    actor_id: int | None = None,
    workspace_id: int | None = None,
    object_type: str = "",
    object_id: str = "",
    outcome: str = "success",
    origin: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    """Add one event to the caller's transaction: it is stored exactly when the change it describes is."""
    session.add(
        AuditEvent(
            action=action,
            created_at=created_at,
            actor_id=actor_id,
            workspace_id=workspace_id,
            object_type=object_type,
            object_id=object_id,
            outcome=outcome,
            origin=origin,
            details=details or {},
        )
    )
