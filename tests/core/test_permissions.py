from consenso.core.permissions import MATRIX, Action, Role, allows, can_grant


def test_every_action_is_in_the_matrix() -> None:
    assert set(MATRIX) == set(Action)


def test_annotators_are_blind_and_cannot_manage() -> None:
    assert allows(Role.ANNOTATOR, Action.ANNOTATE)
    for action in (
        Action.LIST_ALL_ANNOTATIONS,
        Action.LIST_ALL_TASKS,
        Action.EXPORT,
        Action.IMPORT_TASKS,
        Action.MANAGE_MEMBERS,
        Action.EDIT_PROJECT,
    ):
        assert not allows(Role.ANNOTATOR, action), action


def test_viewers_read_but_never_write() -> None:
    for action in (
        Action.ANNOTATE,
        Action.IMPORT_TASKS,
        Action.EDIT_PROJECT,
        Action.EXPORT,
        Action.MANAGE_MEMBERS,
    ):
        assert not allows(Role.VIEWER, action)
    assert allows(Role.VIEWER, Action.VIEW_PROJECT)


def test_only_admins_grant_admin() -> None:
    assert can_grant(Role.ADMIN, Role.ADMIN)
    assert not can_grant(Role.MANAGER, Role.ADMIN)
    assert can_grant(Role.MANAGER, Role.ANNOTATOR)
    assert not any(can_grant(Role.ANNOTATOR, r) for r in Role)


def test_reviewing_is_for_the_roles_that_check_the_work() -> None:
    assert MATRIX[Action.REVIEW] == {Role.ADMIN, Role.MANAGER, Role.REVIEWER}
    assert not allows(Role.ANNOTATOR, Action.REVIEW)
    assert not allows(Role.VIEWER, Action.REVIEW)


def test_adjudicating_is_for_the_roles_that_check_the_work() -> None:
    assert MATRIX[Action.ADJUDICATE] == {Role.ADMIN, Role.MANAGER, Role.REVIEWER}
    assert not allows(Role.ANNOTATOR, Action.ADJUDICATE)
    assert not allows(Role.VIEWER, Action.ADJUDICATE)
