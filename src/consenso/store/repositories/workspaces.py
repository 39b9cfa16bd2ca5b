"""Workspaces and memberships."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consenso.store.models import Membership, User, Workspace


def add_workspace(session: Session, workspace: Workspace) -> Workspace:
    session.add(workspace)
    session.flush()
    return workspace


def get_workspace(session: Session, workspace_id: int) -> Workspace | None:
    return session.get(Workspace, workspace_id)


def member_role(session: Session, workspace_id: int, user_id: int) -> str | None:
    return session.scalar(
        select(Membership.role).where(Membership.workspace_id == workspace_id, Membership.user_id == user_id)
    )


def get_membership(session: Session, workspace_id: int, user_id: int) -> Membership | None:
    return session.scalars(
        select(Membership).where(Membership.workspace_id == workspace_id, Membership.user_id == user_id)
    ).first()


def add_membership(session: Session, membership: Membership) -> Membership:
    session.add(membership)
    session.flush()
    return membership


def list_members(session: Session, workspace_id: int) -> Sequence[tuple[Membership, User]]:
    rows = session.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.workspace_id == workspace_id)
        .order_by(Membership.id)
    ).all()
    return [(r[0], r[1]) for r in rows]


def list_workspaces_for(
    session: Session, user_id: int, *, all_workspaces: bool
) -> Sequence[tuple[Workspace, str]]:
    """Workspaces the user belongs to with their role; every workspace (as admin) for instance admins."""
    if all_workspaces:
        return [(w, "admin") for w in session.scalars(select(Workspace).order_by(Workspace.id))]
    rows = session.execute(
        select(Workspace, Membership.role)
        .join(Membership, Membership.workspace_id == Workspace.id)
        .where(Membership.user_id == user_id)
        .order_by(Workspace.id)
    ).all()
    return [(r[0], r[1]) for r in rows]


def lock_workspace(session: Session, workspace_id: int) -> None:
    """Serialise changes to a workspace's memberships (PostgreSQL; SQLite's writer lock already does)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(Workspace.id).where(Workspace.id == workspace_id).with_for_update())


def count_admins(session: Session, workspace_id: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Membership)
            .where(Membership.workspace_id == workspace_id, Membership.role == "admin")
        )
        or 0
    )


def member_with_user(session: Session, workspace_id: int, user_id: int) -> tuple[Membership, User] | None:
    row = session.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.workspace_id == workspace_id, Membership.user_id == user_id)
    ).first()
    return (row[0], row[1]) if row else None


def delete_membership(session: Session, membership: Membership) -> None:
    session.delete(membership)
    session.flush()
