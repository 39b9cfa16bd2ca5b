"""Who may change or remove which member, and the workspace never loses its last admin."""

from __future__ import annotations

import itertools

import pytest

from consenso.core.permissions import (
    MATRIX,
    Action,
    MemberChange,
    Role,
    allows,
    can_grant,
    decide_member_change,
)


def test_the_dashboard_is_for_staff_and_reviewers() -> None:
    assert MATRIX[Action.VIEW_DASHBOARD] == {Role.ADMIN, Role.MANAGER, Role.REVIEWER}
    assert not allows(Role.ANNOTATOR, Action.VIEW_DASHBOARD)
    assert not allows(Role.VIEWER, Action.VIEW_DASHBOARD)


@pytest.mark.parametrize(
    ("actor", "current", "new", "admins", "expected"),
    [
        (Role.ADMIN, Role.ANNOTATOR, Role.REVIEWER, 1, MemberChange.ALLOWED),
        (Role.ADMIN, Role.ANNOTATOR, Role.ADMIN, 1, MemberChange.ALLOWED),
        (Role.ADMIN, Role.ADMIN, Role.MANAGER, 2, MemberChange.ALLOWED),
        (Role.ADMIN, Role.ADMIN, None, 2, MemberChange.ALLOWED),
        (Role.ADMIN, Role.ADMIN, Role.MANAGER, 1, MemberChange.LAST_ADMIN),
        (Role.ADMIN, Role.ADMIN, None, 1, MemberChange.LAST_ADMIN),
        (Role.ADMIN, Role.ADMIN, Role.ADMIN, 1, MemberChange.ALLOWED),  # no change
        (Role.MANAGER, Role.ANNOTATOR, Role.REVIEWER, 1, MemberChange.ALLOWED),
        (Role.MANAGER, Role.MANAGER, None, 1, MemberChange.ALLOWED),
        (Role.MANAGER, Role.ANNOTATOR, Role.ADMIN, 1, MemberChange.CANNOT_GRANT),
        (Role.MANAGER, Role.ADMIN, Role.MANAGER, 2, MemberChange.CANNOT_MANAGE),
        (Role.MANAGER, Role.ADMIN, None, 2, MemberChange.CANNOT_MANAGE),
    ],
)
def test_worked_cases(
    actor: Role, current: Role, new: Role | None, admins: int, expected: MemberChange
) -> None:
    assert decide_member_change(actor, current, new, admins) is expected


@pytest.mark.parametrize(
    ("actor", "current", "new"),
    list(itertools.product(Role, Role, [*Role, None])),
)
def test_allowed_exactly_when_both_roles_are_grantable_and_an_admin_stays(
    actor: Role, current: Role, new: Role | None
) -> None:
    for admins in (1, 2):
        leaves_no_admin = current is Role.ADMIN and new is not Role.ADMIN and admins == 1
        allowed = can_grant(actor, current) and (new is None or can_grant(actor, new)) and not leaves_no_admin
        assert (decide_member_change(actor, current, new, admins) is MemberChange.ALLOWED) == allowed


@pytest.mark.parametrize("role", list(Role))
def test_nobody_changes_their_own_role(role: Role) -> None:
    """Whatever the role (an admin too, an instance admin acting as one), asking oneself another role is
    refused before anything else; the same role is no change, and leaving follows the usual rules."""
    for new in Role:
        for admins in (1, 2):
            decision = decide_member_change(role, role, new, admins, own=True)
            if new is role:  # no change: decided as for anyone else
                assert decision is decide_member_change(role, role, new, admins)
            else:
                assert decision is MemberChange.SELF
    # an instance admin (acting as admin) who is a manager member of the workspace
    assert decide_member_change(Role.ADMIN, Role.MANAGER, Role.ADMIN, 1, own=True) is MemberChange.SELF
    # leaving the workspace: as for anyone else
    assert decide_member_change(role, role, None, 2, own=True) is decide_member_change(role, role, None, 2)


@pytest.mark.parametrize(
    ("actor", "current", "new"),
    list(itertools.product(Role, Role, [*Role, None])),
)
def test_own_changes_differ_from_others_only_by_the_self_rule(
    actor: Role, current: Role, new: Role | None
) -> None:
    for admins in (1, 2):
        theirs = decide_member_change(actor, current, new, admins)
        mine = decide_member_change(actor, current, new, admins, own=True)
        if new is not None and new is not current:
            assert mine is MemberChange.SELF
        else:
            assert mine is theirs
