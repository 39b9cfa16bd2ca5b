"""Who may do what: the role × action matrix, one place for the whole platform.

Roles are per workspace (a user can be a manager in one workspace and an annotator in another).
Instance administrators (``User.is_admin``) act as workspace ``admin`` everywhere. The matrix is data,
so that docs and the route-walking tests can be generated from it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Final


class Role(enum.StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    REVIEWER = "reviewer"
    ANNOTATOR = "annotator"
    VIEWER = "viewer"


class Action(enum.StrEnum):
    VIEW_WORKSPACE = "view_workspace"
    MANAGE_MEMBERS = "manage_members"
    VIEW_PROJECT = "view_project"
    CREATE_PROJECT = "create_project"
    EDIT_PROJECT = "edit_project"
    IMPORT_TASKS = "import_tasks"
    LIST_ALL_TASKS = "list_all_tasks"
    LIST_ALL_ANNOTATIONS = "list_all_annotations"
    ANNOTATE = "annotate"
    EXPORT = "export"
    VIEW_QUALITY = "view_quality"
    VIEW_DASHBOARD = "view_dashboard"
    REVIEW = "review"
    ADJUDICATE = "adjudicate"
    VIEW_AUDIT = "view_audit"
    REVEAL_PII = "reveal_pii"


_ALL = frozenset(Role)
_STAFF = frozenset({Role.ADMIN, Role.MANAGER})

MATRIX: Final[Mapping[Action, frozenset[Role]]] = {
    Action.VIEW_WORKSPACE: _ALL,
    Action.MANAGE_MEMBERS: _STAFF,
    Action.VIEW_PROJECT: _ALL,
    Action.CREATE_PROJECT: _STAFF,
    Action.EDIT_PROJECT: _STAFF,
    Action.IMPORT_TASKS: _STAFF,
    # annotators see only the tasks and annotations they touched: blind means blind at the API
    Action.LIST_ALL_TASKS: frozenset({Role.ADMIN, Role.MANAGER, Role.REVIEWER, Role.VIEWER}),
    Action.LIST_ALL_ANNOTATIONS: frozenset({Role.ADMIN, Role.MANAGER, Role.REVIEWER, Role.VIEWER}),
    Action.ANNOTATE: frozenset({Role.ADMIN, Role.MANAGER, Role.REVIEWER, Role.ANNOTATOR}),
    Action.EXPORT: _STAFF,
    # Agreement, label counts and per-annotator reliability are computed from everyone's labels, so they
    # are for the roles that may already read every annotation (LIST_ALL_ANNOTATIONS): they reveal nothing
    # those roles cannot see. Annotators are blind: label distributions and their colleagues' scores would
    # tell them what others answered.
    Action.VIEW_QUALITY: frozenset({Role.ADMIN, Role.MANAGER, Role.REVIEWER, Role.VIEWER}),
    # The activity dashboard names every annotator with their output, skips and speed: figures about people,
    # for the roles that run the work (staff) or check it (reviewers). Annotators see their own numbers
    # (GET /projects/{id}/progress); viewers (often a client's observers) see labels and quality, not who
    # worked how fast.
    Action.VIEW_DASHBOARD: frozenset({Role.ADMIN, Role.MANAGER, Role.REVIEWER}),
    # Reviewing means reading every annotation of a task side by side, with who made it, and judging it:
    # the roles that check the work. Viewers read labels but do not judge; annotators are blind to each
    # other (they see the verdicts on their own annotations only, GET /projects/{id}/annotations).
    # Nobody reviews their own annotation (consenso.core.review.decide_review).
    Action.REVIEW: frozenset({Role.ADMIN, Role.MANAGER, Role.REVIEWER}),
    # Adjudicating means reading every annotation of a disagreeing task with the aggregate's suggestion and
    # each annotator's reliability, then deciding the final label (or reopening one): the senior roles that
    # check the work, as for reviews. Viewers read labels but decide nothing; annotators are blind (the
    # adjudication endpoints answer them 404, as if the task were not there). Nobody decides a task they
    # annotated themselves (``adjudication_own_task``).
    Action.ADJUDICATE: frozenset({Role.ADMIN, Role.MANAGER, Role.REVIEWER}),
    # The audit log names who logged in, who changed whose role and who exported what: a workspace's admins
    # read (and export and verify) their workspace's chain; instance admins read every chain, the instance's
    # own (logins, users, tokens) included. Managers run projects but do not audit the people running them.
    Action.VIEW_AUDIT: frozenset({Role.ADMIN}),
    # Reading what PII masking hid (a task's original data, consenso.services.pii.reveal): need to know, so
    # the workspace's admins only, each read audited (``pii.reveal``). Managers set the policy and import,
    # but work on the masked data like everyone else (PCI DSS 7.2: least privilege).
    Action.REVEAL_PII: frozenset({Role.ADMIN}),
}

# Which roles a member of a given role may grant. A manager staffs projects but cannot make admins.
GRANTABLE: Final[Mapping[Role, frozenset[Role]]] = {
    Role.ADMIN: _ALL,
    Role.MANAGER: frozenset({Role.MANAGER, Role.REVIEWER, Role.ANNOTATOR, Role.VIEWER}),
    Role.REVIEWER: frozenset(),
    Role.ANNOTATOR: frozenset(),
    Role.VIEWER: frozenset(),
}


def allows(role: Role, action: Action) -> bool:
    """True when ``role`` may perform ``action``."""
    return role in MATRIX[action]


def can_grant(granter: Role, role: Role) -> bool:
    """True when a member with role ``granter`` may give someone the role ``role``."""
    return role in GRANTABLE[granter]


class MemberChange(enum.StrEnum):
    """What ``decide_member_change`` answers."""

    ALLOWED = "allowed"
    CANNOT_MANAGE = "cannot_manage"  # the member's current role is above what the actor may grant
    CANNOT_GRANT = "cannot_grant"  # the new role is above what the actor may grant
    LAST_ADMIN = "last_admin"  # the change would leave the workspace without an admin
    SELF = "self"  # the actor asks for another role for themselves


def decide_member_change(
    actor: Role, current: Role, new: Role | None, admins: int, *, own: bool = False
) -> MemberChange:
    """May a member with role ``actor`` change a member's role? (Rule 0 holds for everyone; rules 1 to 3 are
    for actors who hold ``MANAGE_MEMBERS``, which the caller checks.)

    ``current`` is the member's role now, ``new`` the role asked for (None: remove the member),
    ``admins`` the workspace's admin memberships, this member included when they are one, and ``own``
    whether the member is the actor themselves.

    0. Nobody changes their own role, whatever it is (admins and instance admins who are members
       included): a role is given by someone else, so every role change in the audit log names two
       people, and an admin cannot demote themselves by mistake into a role that can no longer undo it.
       Asking for the role one has is no change; leaving the workspace (``new`` None) follows the rules
       below.
    1. One may only touch a member whose role one could grant: a manager cannot demote or remove an admin
       (the same rule that stops a manager from making admins).
    2. The new role must be one the actor may grant.
    3. A workspace always keeps at least one admin member: the last one can be neither demoted nor removed
       (instance administrators act as admins everywhere, but they are not members and may leave).
    """
    if own and new is not None and new is not current:
        return MemberChange.SELF
    if not can_grant(actor, current):
        return MemberChange.CANNOT_MANAGE
    if new is not None and not can_grant(actor, new):
        return MemberChange.CANNOT_GRANT
    if current is Role.ADMIN and new is not Role.ADMIN and admins <= 1:
        return MemberChange.LAST_ADMIN
    return MemberChange.ALLOWED


__all__ = [
    "GRANTABLE",
    "MATRIX",
    "Action",
    "MemberChange",
    "Role",
    "allows",
    "can_grant",
    "decide_member_change",
]
