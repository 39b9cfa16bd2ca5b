"""Workspaces (a client's isolated zone) and their members.

A member's **skills** (languages with a level and dialect, domains; :mod:`consenso.core.qa.routing`) are
vouched for by the workspace's managers: only roles that manage members set them (``PATCH`` with
``skills``), and only they read everyone's. Any other member reads their own skills in the members list and
``None`` for the others': a language level (``native``) says something about a person that their colleagues
need not know, and nothing in their own work depends on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consenso.core.errors import AlreadyExists, Conflict, InvalidInput, NotFound, PermissionDenied
from consenso.core.permissions import Action, MemberChange, Role, allows, can_grant, decide_member_change
from consenso.core.qa import parse_skills
from consenso.services.access import require, workspace_role
from consenso.services.clock import utcnow
from consenso.services.principal import Principal
from consenso.services.routing import stored_skills
from consenso.store.database import Database
from consenso.store.models import Membership, User, Workspace
from consenso.store.repositories import assignments as assignment_repo
from consenso.store.repositories import audit as audit_repo
from consenso.store.repositories import users as user_repo
from consenso.store.repositories import workspaces as workspace_repo


@dataclass(frozen=True, slots=True)
class WorkspaceView:
    id: int
    name: str
    role: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class MemberView:
    id: int
    workspace_id: int
    user_id: int
    email: str
    name: str
    role: str
    created_at: datetime
    # normalised (``Skills.to_json``); None when the caller may not see this member's skills
    skills: dict[str, Any] | None = None


#: ``update_member(skills=KEEP)``: leave the member's skills as they are.
KEEP: Final[Any] = object()


def _member_view(membership: Membership, user: User, *, show_skills: bool) -> MemberView:
    return MemberView(
        membership.id,
        membership.workspace_id,
        user.id,
        user.email,
        user.name,
        membership.role,
        membership.created_at,
        stored_skills(membership.skills).to_json() if show_skills else None,
    )


def create_workspace(
    db: Database, principal: Principal, name: str, now: datetime | None = None
) -> WorkspaceView:
    """Instance admins create workspaces; the creator becomes the workspace's admin."""
    if not principal.is_admin:
        raise PermissionDenied("admin_required")
    now = now or utcnow()
    with db.write() as session:
        ws = workspace_repo.add_workspace(session, Workspace(name=name, created_at=now))
        workspace_repo.add_membership(
            session,
            Membership(workspace_id=ws.id, user_id=principal.user_id, role=Role.ADMIN.value, created_at=now),
        )
        audit_repo.record(
            session,
            workspace_id=ws.id,
            actor_id=principal.user_id,
            action="workspace.create",
            object_type="workspace",
            object_id=str(ws.id),
            created_at=now,
        )
        return WorkspaceView(ws.id, ws.name, Role.ADMIN.value, ws.created_at)


def list_workspaces(db: Database, principal: Principal) -> list[WorkspaceView]:
    with db.read() as session:
        rows = workspace_repo.list_workspaces_for(
            session, principal.user_id, all_workspaces=principal.is_admin
        )
        return [WorkspaceView(w.id, w.name, role, w.created_at) for w, role in rows]


def get_workspace(db: Database, principal: Principal, workspace_id: int) -> WorkspaceView:
    with db.read() as session:
        role = workspace_role(session, principal, workspace_id)
        ws = workspace_repo.get_workspace(session, workspace_id)
        if ws is None:
            raise NotFound("not_found", kind_key="kind_workspace")
        return WorkspaceView(ws.id, ws.name, role.value, ws.created_at)


def add_member(
    db: Database,
    principal: Principal,
    workspace_id: int,
    *,
    role: Role,
    user_id: int | None = None,
    email: str | None = None,
    now: datetime | None = None,
) -> MemberView:
    if (user_id is None) == (email is None):
        raise InvalidInput("user_or_email_required")
    now = now or utcnow()
    try:
        with db.write() as session:
            granter = workspace_role(session, principal, workspace_id)
            require(granter, Action.MANAGE_MEMBERS)
            if not can_grant(granter, role):
                raise PermissionDenied("cannot_grant_role", role=role.value)
            user = (
                user_repo.get_user(session, user_id)
                if user_id is not None
                else user_repo.get_user_by_email(session, email or "")
            )
            if user is None:
                raise NotFound("not_found", kind_key="kind_user")
            if workspace_repo.get_membership(session, workspace_id, user.id) is not None:
                raise AlreadyExists("already_member")
            member = workspace_repo.add_membership(
                session,
                Membership(workspace_id=workspace_id, user_id=user.id, role=role.value, created_at=now),
            )
            audit_repo.record(
                session,
                workspace_id=workspace_id,
                actor_id=principal.user_id,
                action="membership.create",
                object_type="membership",
                object_id=str(member.id),
                details={"user_id": user.id, "role": role.value},
                created_at=now,
            )
            return _member_view(member, user, show_skills=True)
    except IntegrityError as exc:  # the same member added concurrently
        raise AlreadyExists("already_member") from exc


def list_members(db: Database, principal: Principal, workspace_id: int) -> list[MemberView]:
    """Every member with their role; skills for those who manage members, else the caller's own only."""
    with db.read() as session:
        role = workspace_role(session, principal, workspace_id)
        require(role, Action.VIEW_WORKSPACE)
        every_skill = allows(role, Action.MANAGE_MEMBERS)
        return [
            _member_view(m, u, show_skills=every_skill or u.id == principal.user_id)
            for m, u in workspace_repo.list_members(session, workspace_id)
        ]


def _change(
    session: Session,
    principal: Principal,
    workspace_id: int,
    user_id: int,
    new: Role | None,
    *,
    same_role: bool = False,
) -> tuple[Membership, User, Role]:
    """Check that the caller may give member ``user_id`` the role ``new`` (None: remove them; with
    ``same_role``, the role they have: a change of something else, such as their skills).

    Returns the membership, its user and its role before the change. The workspace row is locked first, so
    that two admins demoting each other at once cannot leave it without an admin: the second one reads the
    roles the first one left.
    """
    workspace_repo.lock_workspace(session, workspace_id)  # before reading any role, the actor's included
    actor = workspace_role(session, principal, workspace_id)
    found = workspace_repo.member_with_user(session, workspace_id, user_id)
    if found is None:
        require(actor, Action.MANAGE_MEMBERS)
        raise NotFound("not_found", kind_key="kind_member")
    membership, user = found
    current = Role(membership.role)
    if same_role:
        new = current
    admins = workspace_repo.count_admins(session, workspace_id)
    own = user_id == principal.user_id
    decision = decide_member_change(actor, current, new, admins, own=own)
    # one's own role first, so that every member asking for another role is told why, whatever their role
    # (it tells them nothing they do not know: it is their own membership)
    if decision is MemberChange.SELF:
        raise PermissionDenied("cannot_change_own_role")
    require(actor, Action.MANAGE_MEMBERS)
    if decision is MemberChange.CANNOT_MANAGE:
        raise PermissionDenied("cannot_manage_role", role=current.value)
    if decision is MemberChange.CANNOT_GRANT and new is not None:
        raise PermissionDenied("cannot_grant_role", role=new.value)
    if decision is MemberChange.LAST_ADMIN:
        raise Conflict("last_admin")
    return membership, user, current


def change_member_role(
    db: Database,
    principal: Principal,
    workspace_id: int,
    user_id: int,
    *,
    role: Role,
    now: datetime | None = None,
) -> MemberView:
    """Give a member another role (see :func:`update_member`)."""
    return update_member(db, principal, workspace_id, user_id, role=role, now=now)


def update_member(
    db: Database,
    principal: Principal,
    workspace_id: int,
    user_id: int,
    *,
    role: Role | None = None,
    skills: Any = KEEP,
    now: datetime | None = None,
) -> MemberView:
    """Change a member's role, their skills, or both, in one transaction (``MANAGE_MEMBERS``).

    Role: ``decide_member_change`` says who may; nobody changes their own (403 ``cannot_change_own_role``),
    though a manager still sets their own skills. A member who may no longer annotate gives back their leases
    at once, so that their tasks go to others without waiting for expiry. Skills (any JSON; ``None``
    clears them) are checked by :func:`consenso.core.qa.parse_skills` and stored normalised; changing them
    follows the same rule as changing the role (a manager cannot touch an admin). Each change is audited
    (``membership.update``, ``member.skills``); asking for what the member already has changes nothing.
    """
    if role is None and skills is KEEP:
        raise InvalidInput("member_change_required")
    now = now or utcnow()
    with db.write() as session:
        membership, user, before = _change(
            session, principal, workspace_id, user_id, role, same_role=role is None
        )
        if role is not None and role is not before:
            membership.role = role.value
            session.flush()
            released = 0
            if not allows(role, Action.ANNOTATE):
                released = assignment_repo.release_member_leases(session, workspace_id, user_id, now)
            audit_repo.record(
                session,
                workspace_id=workspace_id,
                actor_id=principal.user_id,
                action="membership.update",
                object_type="membership",
                object_id=str(membership.id),
                details={
                    "user_id": user_id,
                    "from": before.value,
                    "to": role.value,
                    "leases_released": released,
                },
                created_at=now,
            )
        if skills is not KEEP:
            wanted = parse_skills(skills).to_json()  # refused: the transaction rolls back, nothing changes
            had = stored_skills(membership.skills).to_json()
            if wanted != had:
                membership.skills = wanted
                session.flush()
                audit_repo.record(
                    session,
                    workspace_id=workspace_id,
                    actor_id=principal.user_id,
                    action="member.skills",
                    object_type="membership",
                    object_id=str(membership.id),
                    details={"user_id": user_id, "from": had, "to": wanted},
                    created_at=now,
                )
        return _member_view(membership, user, show_skills=True)


def remove_member(
    db: Database, principal: Principal, workspace_id: int, user_id: int, now: datetime | None = None
) -> None:
    """Take a member out of a workspace. Their annotations stay (they were made under the role they had);
    their leases are given back at once."""
    now = now or utcnow()
    with db.write() as session:
        membership, _, before = _change(session, principal, workspace_id, user_id, None)
        released = assignment_repo.release_member_leases(session, workspace_id, user_id, now)
        membership_id = membership.id
        workspace_repo.delete_membership(session, membership)
        audit_repo.record(
            session,
            workspace_id=workspace_id,
            actor_id=principal.user_id,
            action="membership.delete",
            object_type="membership",
            object_id=str(membership_id),
            details={"user_id": user_id, "role": before.value, "leases_released": released},
            created_at=now,
        )
