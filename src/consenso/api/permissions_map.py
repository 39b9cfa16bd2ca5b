"""Every operation of the API and the permission it needs: the reviewed table behind the permission matrix.

The services check permissions where they load the object (``consenso.services.access`` and each use case),
with twists of their own: 404 rather than 403 for the blind, rules on one's own objects, two actions that
each open a route. Reading the action back out of the code is not possible cleanly, so this table is the
reviewed source of truth and ``tests/api/v1/test_permission_walk.py`` proves it against behaviour: it fails
for an operation of the OpenAPI document missing here (a new route cannot ship unclassified), for a row
here that no longer exists, and for a route that answers a caller otherwise than this table says.

How to read a row (``Rule``):

- ``PUBLIC``: anyone, without credentials;
- ``AUTHENTICATED``: any signed-in user, acting on their own account or listing what they may see;
- ``INSTANCE_ADMIN``: ``User.is_admin`` only; everyone else gets 403;
- ``ROLE``: the caller's role in the object's workspace (instance admins act as ``admin`` everywhere) must
  hold one of ``actions`` in ``consenso.core.permissions.MATRIX``; a denied role gets 403, or 404 when it
  is in ``hidden`` (the route hides the object's existence from that role);
- ``OWNER``: as ``ROLE``, and the object must be the caller's own; anyone else gets 403, or 404 in
  ``hidden``.

Every route but the public ones answers 401 without credentials, and an object of a workspace the caller
is not a member of answers 404 (never 403, which would confirm it exists). ``narrowed_by`` marks a route
open to more roles than the action, whose answer is narrowed for roles without it.

``python -m consenso.api.permissions_map docs/security.md`` (``make permissions``) writes the matrix into
the "Permission matrix" section of docs/security.md; ``tests/test_docs.py`` fails when it is stale.
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from consenso.core.permissions import MATRIX, Action, Role

API_PREFIX: Final = "/api/v1"
START: Final = "<!-- permission-matrix:start -->"
END: Final = "<!-- permission-matrix:end -->"
TITLE: Final = "# Security in Consenso"
HEADING: Final = "## Permission matrix"


class Access(enum.StrEnum):
    PUBLIC = "public"
    AUTHENTICATED = "authenticated"
    INSTANCE_ADMIN = "instance_admin"
    ROLE = "role"
    OWNER = "owner"


@dataclass(frozen=True, slots=True)
class Rule:
    access: Access
    actions: tuple[Action, ...] = ()
    hidden: frozenset[Role] = frozenset()
    narrowed_by: Action | None = None
    note: str = ""

    @property
    def allowed_roles(self) -> frozenset[Role]:
        """The workspace roles whose members pass the role check (any of ``actions``)."""
        if self.access in (Access.PUBLIC, Access.AUTHENTICATED):
            return frozenset(Role)
        if self.access is Access.INSTANCE_ADMIN:
            return frozenset()
        return frozenset[Role]().union(*(MATRIX[a] for a in self.actions))

    def denial(self, role: Role, *, owner: bool = True) -> int | None:
        """The status a member with ``role`` gets (None: allowed); ``owner``: the object is theirs."""
        if self.access in (Access.PUBLIC, Access.AUTHENTICATED):
            return None
        if self.access is Access.INSTANCE_ADMIN:
            return 403
        if role in self.allowed_roles and (owner or self.access is not Access.OWNER):
            return None
        return 404 if role in self.hidden else 403


Operation = tuple[str, str]  # (METHOD, path as in the OpenAPI document)

_PUBLIC: Final = Rule(Access.PUBLIC)
_SIGNED_IN: Final = Rule(Access.AUTHENTICATED)
_INSTANCE_ADMIN: Final = Rule(Access.INSTANCE_ADMIN)

# Roles that may not read every annotation (annotators): blind. The QA routes hide their objects from them
# (404, as if absent) rather than answering 403, which would tell them a task is escalated or final.
BLIND: Final = frozenset(Role) - MATRIX[Action.LIST_ALL_ANNOTATIONS]


def _role(*actions: Action, hidden: frozenset[Role] = frozenset(), note: str = "") -> Rule:
    return Rule(Access.ROLE, actions, hidden, note=note)


def _narrowed(action: Action, by: Action, note: str) -> Rule:
    return Rule(Access.ROLE, (action,), narrowed_by=by, note=note)


def _op(method: str, path: str) -> Operation:
    return (method, API_PREFIX + path)


PERMISSIONS: Final[Mapping[Operation, Rule]] = {
    # --- the instance: no workspace role involved
    _op("GET", "/health"): _PUBLIC,
    _op("POST", "/auth/login"): Rule(Access.PUBLIC, note="sets the session cookie"),
    _op("POST", "/auth/logout"): Rule(Access.AUTHENTICATED, note="revokes the caller's own session"),
    _op("GET", "/auth/me"): _SIGNED_IN,
    _op("POST", "/auth/password"): Rule(
        Access.AUTHENTICATED,
        note="one's own password; revokes one's other sessions and replaces the current one",
    ),
    _op("POST", "/tokens"): Rule(
        Access.AUTHENTICATED, note="for oneself; for another user (`user_email`), instance admins only (404)"
    ),
    _op("GET", "/workspaces"): Rule(
        Access.AUTHENTICATED, note="the caller's workspaces; instance admins see every one"
    ),
    _op("GET", "/projects"): Rule(
        Access.AUTHENTICATED,
        note="projects of the caller's workspaces; another workspace's `workspace_id` lists nothing",
    ),
    _op("POST", "/users"): _INSTANCE_ADMIN,
    _op("PATCH", "/users/{user_id}"): Rule(
        Access.INSTANCE_ADMIN,
        note="deactivation revokes every session and token; never oneself (409 `cannot_deactivate_self`)",
    ),
    _op("POST", "/workspaces"): Rule(Access.INSTANCE_ADMIN, note="the creator becomes its admin"),
    # --- workspaces and members
    _op("GET", "/workspaces/{workspace_id}"): _role(Action.VIEW_WORKSPACE),
    _op("GET", "/workspaces/{workspace_id}/members"): _role(
        Action.VIEW_WORKSPACE, note="others' skills only with `manage_members`"
    ),
    _op("POST", "/workspaces/{workspace_id}/members"): _role(
        Action.MANAGE_MEMBERS, note="a manager grants at most `manager` (403 `cannot_grant_role`)"
    ),
    _op("PATCH", "/workspaces/{workspace_id}/members/{user_id}"): _role(
        Action.MANAGE_MEMBERS,
        note="a manager neither grants `admin` nor changes an admin; the last admin stays (409); nobody "
        "changes their own role (403 `cannot_change_own_role`)",
    ),
    _op("DELETE", "/workspaces/{workspace_id}/members/{user_id}"): _role(
        Action.MANAGE_MEMBERS, note="a manager cannot remove an admin; the last admin stays (409)"
    ),
    # --- projects
    _op("POST", "/projects"): _role(
        Action.CREATE_PROJECT, note="the workspace is `workspace_id` in the body"
    ),
    _op("GET", "/projects/{project_id}"): _role(Action.VIEW_PROJECT),
    _op("PATCH", "/projects/{project_id}"): _role(Action.EDIT_PROJECT),
    _op("GET", "/projects/{project_id}/progress"): _role(
        Action.VIEW_PROJECT, note="the caller's own figures"
    ),
    _op("GET", "/projects/{project_id}/dashboard"): _role(Action.VIEW_DASHBOARD),
    _op("GET", "/projects/{project_id}/quality"): _role(Action.VIEW_QUALITY),
    _op("GET", "/projects/{project_id}/reliability"): _role(Action.VIEW_DASHBOARD),
    _op("GET", "/projects/{project_id}/reliability/me"): _role(
        Action.ANNOTATE, note="the caller's own figures"
    ),
    _op("GET", "/projects/{project_id}/routing"): _role(
        Action.VIEW_DASHBOARD, note="qualified user ids only with `manage_members`"
    ),
    _op("GET", "/projects/{project_id}/export"): _role(Action.EXPORT, note="JSONL or CSV (`format`)"),
    _op("GET", "/projects/{project_id}/media/{path}"): _role(
        Action.VIEW_PROJECT, note="files of the project's media directory only; a refused path answers 404"
    ),
    _op("POST", "/projects/{project_id}/finalize"): _role(Action.EDIT_PROJECT),
    # --- tasks and annotations
    _op("POST", "/projects/{project_id}/tasks"): _role(Action.IMPORT_TASKS),
    _op("POST", "/projects/{project_id}/tasks/import-url"): _role(Action.IMPORT_TASKS),
    _op("GET", "/projects/{project_id}/tasks"): _narrowed(
        Action.VIEW_PROJECT, Action.LIST_ALL_TASKS, "without `list_all_tasks`: the tasks one touched"
    ),
    _op("GET", "/projects/{project_id}/annotations"): _narrowed(
        Action.VIEW_PROJECT,
        Action.LIST_ALL_ANNOTATIONS,
        "without `list_all_annotations`: one's own annotations",
    ),
    _op("GET", "/projects/{project_id}/next"): _role(
        Action.ANNOTATE, note="a paused annotator gets 403 `annotator_paused`"
    ),
    _op("POST", "/tasks/{task_id}/annotations"): _role(
        Action.ANNOTATE, note="a paused annotator gets 403 `annotator_paused`"
    ),
    _op("POST", "/tasks/{task_id}/skip"): _role(Action.ANNOTATE),
    _op("DELETE", "/annotations/{annotation_id}"): Rule(
        Access.OWNER,
        (Action.ANNOTATE,),
        BLIND,
        note="undo one's own latest submission (403 `undo_not_own`)",
    ),
    _op("PUT", "/tasks/{task_id}/requirements"): _role(Action.EDIT_PROJECT),
    # --- review
    _op("GET", "/projects/{project_id}/review/tasks"): _role(Action.REVIEW),
    _op("GET", "/tasks/{task_id}/review"): _role(Action.REVIEW),
    _op("POST", "/annotations/{annotation_id}/reviews"): _role(
        Action.REVIEW, note="never one's own annotation (409)"
    ),
    # --- gold and pauses
    _op("PUT", "/tasks/{task_id}/gold"): _role(Action.EDIT_PROJECT),
    _op("DELETE", "/tasks/{task_id}/gold"): _role(Action.EDIT_PROJECT),
    _op("GET", "/projects/{project_id}/gold"): _role(
        Action.EDIT_PROJECT, Action.REVIEW, note="those who edit the project or review its work"
    ),
    _op("GET", "/projects/{project_id}/pauses"): _role(Action.VIEW_DASHBOARD),
    _op("POST", "/projects/{project_id}/pauses/{user_id}/resume"): _role(Action.EDIT_PROJECT),
    # --- adjudication: blind roles are told nothing (404)
    _op("GET", "/projects/{project_id}/adjudication/tasks"): _role(Action.ADJUDICATE, hidden=BLIND),
    _op("GET", "/tasks/{task_id}/adjudication"): _role(
        Action.ADJUDICATE, hidden=BLIND, note="never a task one annotated (403)"
    ),
    _op("POST", "/tasks/{task_id}/adjudication"): _role(
        Action.ADJUDICATE, hidden=BLIND, note="never a task one annotated (403)"
    ),
    _op("POST", "/tasks/{task_id}/reopen"): _role(
        Action.ADJUDICATE, hidden=BLIND, note="never a task one annotated (403)"
    ),
    _op("GET", "/tasks/{task_id}/history"): _role(Action.VIEW_QUALITY, Action.ADJUDICATE, hidden=BLIND),
    # --- audit log: the workspace is the `workspace_id` query parameter
    _op("GET", "/audit"): _role(
        Action.VIEW_AUDIT,
        note="`workspace_id` names the workspace; without it, those the caller administers (403 if none)",
    ),
    _op("GET", "/audit/export"): _role(Action.VIEW_AUDIT, note="as `GET /audit`; the export is audited"),
    _op("GET", "/audit/verify"): _role(Action.VIEW_AUDIT, note="as `GET /audit`"),
    # --- privacy
    _op("GET", "/tasks/{task_id}/original"): _role(
        Action.REVEAL_PII, hidden=BLIND, note="every call, allowed or refused, audited (`pii.reveal`)"
    ),
}


# --- the generated section of docs/security.md -------------------------------------------------------------

_METHOD_ORDER: Final = {"GET": 0, "POST": 1, "PUT": 2, "PATCH": 3, "DELETE": 4}
_ACCESS_TEXT: Final = {
    Access.PUBLIC: "public",
    Access.AUTHENTICATED: "any signed-in user",
    Access.INSTANCE_ADMIN: "instance admins",
}


def _short(op: Operation) -> str:
    method, path = op
    return f"`{method} {path.removeprefix(API_PREFIX)}`"


def _sorted(ops: list[Operation]) -> list[Operation]:
    return sorted(ops, key=lambda op: (op[1], _METHOD_ORDER.get(op[0], 9)))


def _roles(roles: frozenset[Role] | set[Role]) -> str:
    return ", ".join(r.value for r in Role if r in roles) or "—"


def _requires(rule: Rule) -> str:
    if rule.access in _ACCESS_TEXT:
        return _ACCESS_TEXT[rule.access]
    needed = " or ".join(f"`{a.value}`" for a in rule.actions)
    return f"own object, {needed}" if rule.access is Access.OWNER else needed


def _denied(rule: Rule) -> str:
    if rule.access in (Access.PUBLIC, Access.AUTHENTICATED):
        return "—"
    if rule.access is Access.INSTANCE_ADMIN:
        return "403 every workspace role"
    others = "others' objects: " if rule.access is Access.OWNER else ""
    by_status: dict[int, set[Role]] = {403: set(), 404: set()}
    for role in Role:
        status = rule.denial(role, owner=False)
        if status is not None:
            by_status[status].add(role)
    parts = [f"{status} {_roles(roles)}" for status, roles in sorted(by_status.items()) if roles]
    return (others + "; ".join(parts)) if parts else "—"


def render_section(permissions: Mapping[Operation, Rule] = PERMISSIONS) -> str:
    """The Markdown between the markers: the role × action matrix with each action's routes, then every route."""
    by_action: dict[Action, list[str]] = {a: [] for a in Action}
    for op in _sorted(list(permissions)):
        rule = permissions[op]
        for action in rule.actions:
            by_action[action].append(_short(op))
        if rule.narrowed_by is not None:
            by_action[rule.narrowed_by].append(f"narrows {_short(op)}")
    header = "| action | " + " | ".join(r.value for r in Role) + " | routes (under `/api/v1`) |"
    lines = [
        "_Generated by `make permissions` (`python -m consenso.api.permissions_map docs/security.md`) from "
        "`consenso.core.permissions.MATRIX` and the route table in `consenso.api.permissions_map`; do not edit "
        "it by hand (`tests/test_docs.py` fails when it is stale). `tests/api/v1/test_permission_walk.py` calls "
        "every operation of the OpenAPI document as a member of each role, as an instance admin, as a member of "
        "another workspace and anonymously, and fails when one answers otherwise than this section says or is "
        "missing from it._",
        "",
        "Roles are per workspace; instance administrators act as `admin` in every workspace. Every route but "
        "the public ones answers 401 without credentials. An object of a workspace the caller is not a member "
        "of answers 404, never 403, so that ids cannot be probed across workspaces. A role the matrix denies "
        "gets 403, except where the route hides the object from that role: 404, as if it were not there "
        "(annotators are blind to escalations, final labels and other people's annotations).",
        "",
        header,
        "| --- | " + " | ".join(":-:" for _ in Role) + " | --- |",
    ]
    for action in Action:
        marks = " | ".join("✓" if role in MATRIX[action] else "—" for role in Role)
        routes = "<br>".join(by_action[action]) or "—"
        lines.append(f"| `{action.value}` | {marks} | {routes} |")
    lines += [
        "",
        "### Every route",
        "",
        "| route | requires | allowed | denied | notes |",
        "| --- | --- | --- | --- | --- |",
    ]
    for op in _sorted(list(permissions)):
        rule = permissions[op]
        if rule.access is Access.PUBLIC:
            allowed = "anyone"
        elif rule.access is Access.AUTHENTICATED:
            allowed = "every role"
        elif rule.access is Access.INSTANCE_ADMIN:
            allowed = "instance admins"
        else:
            allowed = _roles(rule.allowed_roles)
            if rule.access is Access.OWNER:
                allowed = f"the author ({allowed})"
        notes = rule.note
        if rule.narrowed_by is not None and not notes:
            notes = f"narrowed without `{rule.narrowed_by.value}`"
        lines.append(f"| {_short(op)} | {_requires(rule)} | {allowed} | {_denied(rule)} | {notes or '—'} |")
    return "\n".join(lines)


def update_document(text: str | None, permissions: Mapping[Operation, Rule] = PERMISSIONS) -> str:
    """``text`` (docs/security.md, or None when it does not exist yet) with the section between the markers
    replaced; appended under its heading when the markers are missing. Nothing else is touched."""
    block = f"{START}\n{render_section(permissions)}\n{END}"
    if text is None:
        return f"{TITLE}\n\n{HEADING}\n\n{block}\n"
    start, end = text.find(START), text.find(END)
    if start != -1 and end > start:
        return text[:start] + block + text[end + len(END) :]
    return text.rstrip("\n") + f"\n\n{HEADING}\n\n{block}\n"


def main(argv: list[str]) -> int:
    target = Path(argv[1] if len(argv) > 1 else "docs/security.md")
    current = target.read_text() if target.exists() else None
    updated = update_document(current)
    if updated != current:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(updated)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
