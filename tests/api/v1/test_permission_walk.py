"""The permission walk: every operation of the app's OpenAPI document, called by every kind of caller, checked
against the route table in ``consenso.api.permissions_map`` (and through it ``consenso.core.permissions.MATRIX``).

Callers: anonymous; an instance admin who belongs to no workspace; one member of each role in workspace A;
the admin of workspace B. Workspace A holds real objects: a project with an escalated task, a final task, an
open task, a gold task, annotations, a review, a live pause, members to change and to remove. Path ids (and
the ``workspace_id`` of the audit routes and of ``POST /projects``) are filled from A's objects; bodies are
valid. What every call must answer:

- anonymous: 401, except on public routes (anything but 401/403/404 and 5xx there);
- B's admin: 404 ``not_found`` on every object of A, exactly as for an id that does not exist (never a 2xx,
  never a 403 that would confirm the object exists); routes with no object: allowed; instance-admin routes: 403;
- a role the table denies: 403, or 404 ``not_found`` where the table hides the object from that role (also
  identical to the answer for an id that does not exist);
- a role the table allows: anything but 401, 403, 404 and 5xx (a 409 or 422 because an earlier call changed
  the state means the permission check passed).

Calls that change state run after the reads, deletions last, logout at the very end; a ``prepare`` hook puts
back what an allowed call consumed (a gold mark, a member, a pause) before the next caller. Every mismatch is
collected, and the walk fails listing all of them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from consenso.api.openapi_dump import openapi_document
from consenso.api.permissions_map import (
    API_PREFIX,
    END,
    PERMISSIONS,
    START,
    Access,
    Operation,
    Rule,
    render_section,
    update_document,
)
from consenso.core.permissions import MATRIX, Action, Role
from consenso.services import gold, workspaces
from consenso.store.database import Database
from consenso.store.models import PiiOriginal, Task
from consenso.store.repositories import pauses as pause_repo
from consenso.store.repositories import workspaces as workspace_repo
from tests.api.v1.adjudication_setup import status as qa_status
from tests.api.v1.adjudication_setup import submit
from tests.api.v1.assertions import assert_error_shape
from tests.conftest import SENTIMENT_SCHEMA, Actor, Factory, World

METHODS = ("get", "post", "put", "patch", "delete")
PASSWORD = "password-123"  # Factory.user's default
GHOST = 2**62  # an id no row has: what a caller gets for it is what "not there" looks like
ALLOWED = 0  # expected outcome: the permission check passes

Ids = dict[str, int | str]  # path parameters: ids, and the media route's file path


def document_operations(doc: dict[str, Any]) -> set[Operation]:
    return {(m.upper(), path) for path, item in doc["paths"].items() for m in item if m in METHODS}


def test_every_operation_is_in_the_permission_table() -> None:
    """A new route cannot ship unclassified, and a removed one cannot linger in the matrix."""
    operations = document_operations(openapi_document())
    missing = sorted(operations - set(PERMISSIONS))
    stale = sorted(set(PERMISSIONS) - operations)
    assert not missing, f"operations missing from consenso.api.permissions_map.PERMISSIONS: {missing}"
    assert not stale, f"rows of consenso.api.permissions_map.PERMISSIONS that are no route: {stale}"


def test_every_rule_is_well_formed_and_every_action_guards_a_route() -> None:
    used: set[Action] = set()
    for op, rule in PERMISSIONS.items():
        if rule.access in (Access.ROLE, Access.OWNER):
            assert rule.actions, f"{op}: a role rule names its action"
            if rule.access is Access.ROLE:  # an owner rule hides others' objects from roles it allows
                assert not (rule.hidden & rule.allowed_roles), f"{op}: a role is both allowed and hidden"
        else:
            assert not rule.actions and not rule.hidden, f"{op}: {rule.access} takes no action"
        used |= set(rule.actions) | ({rule.narrowed_by} if rule.narrowed_by else set())
    # an action of the matrix that opens or narrows no route would be a permission nobody enforces
    assert used == set(MATRIX), f"actions with no route: {sorted(set(MATRIX) - used)}"


# --- the world ---------------------------------------------------------------------------------------------


@dataclass
class Caller:
    name: str
    actor: Actor | None
    role: Role | None = None  # role in workspace A
    instance_admin: bool = False
    outsider: bool = False  # a member of workspace B only


@dataclass
class Call:
    """How to call one operation: path ids over the defaults, query and body built from the ids (so that the
    ghost run can swap every id), a hook run before each caller, and whose object it is (owner routes)."""

    ids: Ids = field(default_factory=dict)
    query: Callable[[Ids], dict[str, Any]] | None = None
    json: Callable[[Ids], Any] | None = None
    content: bytes | None = None
    content_type: str | None = None
    prepare: Callable[[], None] | None = None
    owner: str | None = None
    phase: int | None = None  # default: GET 0, writes 1, DELETE 2


@dataclass
class Walk:
    db: Database
    world: World
    callers: list[Caller]
    ids: Ids  # defaults by path parameter name
    calls: dict[Operation, list[Call]]


_emails = itertools.count(1)


def _op(method: str, path: str) -> Operation:
    return (method, API_PREFIX + path)


def _ensure_member(db: Database, admin: Actor, workspace_id: int, who: Actor, role: Role) -> None:
    with db.read() as session:
        present = workspace_repo.member_role(session, workspace_id, who.id) is not None
    if not present:
        workspaces.add_member(db, admin.principal, workspace_id, role=role, user_id=who.id)


def _ensure_paused(db: Database, project_id: int, who: Actor) -> None:
    with db.write() as session:
        if not pause_repo.is_paused(session, project_id, who.id):
            pause_repo.add_pause(
                session,
                project_id=project_id,
                user_id=who.id,
                reason="gold_accuracy",
                gold_answers=3,
                gold_accuracy=0.0,
                gold_upper_bound=0.56,
                paused_at=datetime.now(UTC),
            )


def _ensure_gold(db: Database, admin: Actor, task_id: int) -> None:
    with db.read() as session:
        task = session.get(Task, task_id)
        is_gold = task is not None and task.gold is not None
    if not is_gold:
        gold.set_gold(db, admin.principal, task_id, {"sentiment": "negative"})


def _masked_task(client: TestClient, db: Database, world: World) -> int:
    """A task whose e-mail address PII masking hid at import (the policy is turned off again after)."""
    project = f"/api/v1/projects/{world.project_id}"
    for policy in ({}, None):
        if policy is None:
            r = client.post(
                f"{project}/tasks",
                content=b'{"data": {"text": "write to ana@example.com"}}\n',
                headers={**world.admin.headers, "Content-Type": "application/x-ndjson"},
            )
            assert r.status_code == 201, r.text
            policy = {"enabled": False}
        r = client.patch(project, json={"pii": policy}, headers=world.admin.headers)
        assert r.status_code == 200, r.text
    with db.read() as session:
        task_id = session.scalar(select(func.max(PiiOriginal.task_id)))
    assert task_id is not None
    return int(task_id)


def _media_file(client: TestClient, world: World) -> str:
    """A file in the project's media directory: what the media route serves to those it allows."""
    root = client.app.state.settings.resolved_media_root  # type: ignore[attr-defined]
    directory = root / str(world.workspace_id) / str(world.project_id) / "walk"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return "walk/picture.png"


def build_walk(client: TestClient, db: Database, factory: Factory, world: World) -> Walk:
    ws, project = world.workspace_id, world.project_id
    root = factory.user(is_admin=True)  # an instance admin, member of no workspace
    ws_admin = factory.member(world.admin, ws, "admin")
    colleague = world.annotator2  # another annotator: whose objects the annotator must not see
    paused = factory.member(world.admin, ws, "annotator")
    leaver = factory.member(world.admin, ws, "viewer")
    newcomer = factory.user()

    t_escalated, t_final, t_open, t_gold, t_undo = world.task_ids
    submit(client, t_escalated, world.annotator, {"sentiment": "positive"})
    submit(client, t_escalated, colleague, {"sentiment": "negative"})
    submit(client, t_final, world.annotator, {"sentiment": "positive"})
    a_colleague = submit(client, t_final, colleague, {"sentiment": "positive"})["id"]
    r = client.post(
        f"/api/v1/annotations/{a_colleague}/reviews",
        json={"verdict": "accepted"},
        headers=world.reviewer.headers,
    )
    assert r.status_code == 201, r.text
    a_own = submit(client, t_undo, world.annotator, {"sentiment": "neutral"})["id"]  # their latest
    _ensure_gold(db, world.admin, t_gold)
    _ensure_paused(db, project, paused)
    t_masked = _masked_task(client, db, world)
    assert (qa_status(db, t_escalated), qa_status(db, t_final)) == ("escalated", "final")

    label = {"sentiment": "positive"}
    calls: dict[Operation, list[Call]] = {
        _op("POST", "/auth/login"): [
            Call(json=lambda ids: {"email": world.annotator.email, "password": PASSWORD})
        ],
        _op("POST", "/auth/logout"): [Call(phase=9)],
        # the same password again: each caller proves their password and keeps it for the calls after
        _op("POST", "/auth/password"): [
            Call(json=lambda ids: {"current_password": PASSWORD, "new_password": PASSWORD})
        ],
        _op("PATCH", "/users/{user_id}"): [Call(json=lambda ids: {"is_active": True})],  # already active
        _op("POST", "/tokens"): [Call(json=lambda ids: {"name": "walk"})],
        _op("POST", "/users"): [
            Call(json=lambda ids: {"email": f"walk{next(_emails)}@example.test", "password": PASSWORD})
        ],
        _op("POST", "/workspaces"): [Call(json=lambda ids: {"name": "Walk"})],
        _op("POST", "/projects"): [
            Call(
                json=lambda ids: {
                    "workspace_id": ids["workspace_id"],
                    "name": "Walk",
                    "schema": SENTIMENT_SCHEMA,
                }
            )
        ],
        _op("PATCH", "/projects/{project_id}"): [Call(json=lambda ids: {"description": "walked"})],
        # a loopback URL: an allowed caller gets 400 outbound_address_refused (and Consenso fetches nothing)
        _op("POST", "/projects/{project_id}/tasks/import-url"): [
            Call(json=lambda ids: {"url": "http://127.0.0.1:9/"})
        ],
        _op("POST", "/projects/{project_id}/tasks"): [
            Call(content=b'{"data": {"text": "walked"}}\n', content_type="application/x-ndjson")
        ],
        _op("POST", "/workspaces/{workspace_id}/members"): [
            Call(json=lambda ids: {"user_id": newcomer.id, "role": "annotator"})
        ],
        _op("PATCH", "/workspaces/{workspace_id}/members/{user_id}"): [
            Call(json=lambda ids: {"role": "annotator"})
        ],
        _op("DELETE", "/workspaces/{workspace_id}/members/{user_id}"): [
            Call(
                ids={"user_id": leaver.id},
                prepare=lambda: _ensure_member(db, world.admin, ws, leaver, Role.VIEWER),
            )
        ],
        _op("POST", "/projects/{project_id}/pauses/{user_id}/resume"): [
            Call(ids={"user_id": paused.id}, prepare=lambda: _ensure_paused(db, project, paused))
        ],
        _op("POST", "/tasks/{task_id}/annotations"): [Call(json=lambda ids: {"result": label})],
        _op("PUT", "/tasks/{task_id}/requirements"): [Call(json=lambda ids: {})],
        _op("PUT", "/tasks/{task_id}/gold"): [
            Call(ids={"task_id": t_gold}, json=lambda ids: {"result": {"sentiment": "negative"}})
        ],
        _op("DELETE", "/tasks/{task_id}/gold"): [
            Call(ids={"task_id": t_gold}, prepare=lambda: _ensure_gold(db, world.admin, t_gold))
        ],
        _op("POST", "/annotations/{annotation_id}/reviews"): [Call(json=lambda ids: {"verdict": "accepted"})],
        _op("DELETE", "/annotations/{annotation_id}"): [
            Call(ids={"annotation_id": a_colleague}),  # nobody's own: every caller is refused
            Call(ids={"annotation_id": a_own}, owner="annotator"),
        ],
        _op("GET", "/tasks/{task_id}/review"): [Call(ids={"task_id": t_escalated})],
        _op("GET", "/tasks/{task_id}/adjudication"): [Call(ids={"task_id": t_escalated})],
        _op("POST", "/tasks/{task_id}/adjudication"): [
            Call(ids={"task_id": t_escalated}, json=lambda ids: {"result": label, "reasoning": "walk"})
        ],
        _op("POST", "/tasks/{task_id}/reopen"): [
            Call(ids={"task_id": t_final}, json=lambda ids: {"reasoning": "walk"})
        ],
        _op("GET", "/tasks/{task_id}/history"): [Call(ids={"task_id": t_escalated})],
        _op("GET", "/tasks/{task_id}/original"): [Call(ids={"task_id": t_masked})],
        _op("GET", "/projects/{project_id}/export"): [Call(query=lambda ids: {"include_gold": "true"})],
        _op("GET", "/projects/{project_id}/media/{path}"): [Call(ids={"path": _media_file(client, world)})],
    }
    for path in ("/audit", "/audit/export", "/audit/verify"):
        calls[_op("GET", path)] = [Call(query=lambda ids: {"workspace_id": ids["workspace_id"]})]

    callers = [
        Caller("anonymous", None),
        Caller("B's admin", world.outsider, outsider=True),
        Caller("instance admin", root, Role.ADMIN, instance_admin=True),
        Caller("admin", ws_admin, Role.ADMIN),
        Caller("manager", world.manager, Role.MANAGER),
        Caller("reviewer", world.reviewer, Role.REVIEWER),
        Caller("annotator", world.annotator, Role.ANNOTATOR),
        Caller("viewer", world.viewer, Role.VIEWER),
    ]
    ids = {
        "workspace_id": ws,
        "project_id": project,
        "task_id": t_open,
        "annotation_id": a_colleague,
        "user_id": colleague.id,
    }
    return Walk(db, world, callers, ids, calls)


# --- expectations ------------------------------------------------------------------------------------------


def expected(rule: Rule, caller: Caller, owner: str | None) -> int:
    """401, 403 or 404 when the caller must be refused so; ALLOWED when the check must pass."""
    if caller.actor is None:
        return ALLOWED if rule.access is Access.PUBLIC else 401
    if rule.access in (Access.PUBLIC, Access.AUTHENTICATED):
        return ALLOWED
    if rule.access is Access.INSTANCE_ADMIN:
        return ALLOWED if caller.instance_admin else 403
    if caller.outsider:
        return 404
    assert caller.role is not None
    denial = rule.denial(caller.role, owner=owner == caller.name)
    return ALLOWED if denial is None else denial


def _phase(method: str, call: Call) -> int:
    if call.phase is not None:
        return call.phase
    return {"GET": 0, "DELETE": 2}.get(method, 1)


def _request(
    client: TestClient, method: str, path: str, call: Call, ids: Ids, caller: Caller
) -> tuple[int, Any]:
    url = path
    for name, value in ids.items():
        url = url.replace("{" + name + "}", str(value))
    headers = dict(caller.actor.headers) if caller.actor is not None else {}
    kwargs: dict[str, Any] = {"headers": headers}
    if call.query is not None:
        kwargs["params"] = call.query(ids)
    if call.json is not None:
        kwargs["json"] = call.json(ids)
    if call.content is not None:
        kwargs["content"] = call.content
        headers["Content-Type"] = call.content_type or "application/octet-stream"
    client.cookies.clear()  # a login sets the session cookie: nobody may ride on it
    response = client.request(method, url, **kwargs)
    body = (
        response.json() if response.headers.get("content-type", "").startswith("application/json") else None
    )
    return response.status_code, body


def _code(body: Any) -> str:
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("code"))
    return "-"


def _steps(walk: Walk, operations: set[Operation]) -> Iterator[tuple[str, str, Call]]:
    steps = []
    for method, path in sorted(operations):
        for call in walk.calls.get((method, path), [Call()]):
            steps.append((_phase(method, call), path, method, call))
    for _, path, method, call in sorted(steps, key=lambda s: (s[0], s[1], s[2])):
        yield method, path, call


def run_walk(
    client: TestClient,
    walk: Walk,
    permissions: Mapping[Operation, Rule] = PERMISSIONS,
    only: set[Operation] | None = None,
) -> tuple[list[str], int]:
    """Every operation (of ``only``) × every caller; the mismatches and the number of requests made."""
    operations = document_operations(client.app.openapi())  # type: ignore[attr-defined]
    problems: list[str] = []
    requests = 0
    for method, path, call in _steps(walk, operations if only is None else operations & only):
        rule = permissions.get((method, path))
        if rule is None:
            problems.append(f"{method} {path}: not in the permission table")
            continue
        ids = {**walk.ids, **call.ids}
        names = {part[1:-1] for part in path.split("/") if part.startswith("{")}
        if not names <= set(ids):
            problems.append(f"{method} {path}: the walk has no id for {sorted(names - set(ids))}")
            continue
        # refused callers first, while the objects are as built; then the allowed ones
        order = sorted(walk.callers, key=lambda c: expected(rule, c, call.owner) == ALLOWED)
        for caller in order:
            want = expected(rule, caller, call.owner)
            if call.prepare is not None:
                call.prepare()
            status, body = _request(client, method, path, call, ids, caller)
            requests += 1
            filled = ", ".join(f"{k}={v}" for k, v in sorted(ids.items()) if k in names)
            where = f"{method} {path}" + (f" ({filled})" if filled else "")
            seen = f"{status} {_code(body)}"
            if want == ALLOWED:
                if status in (401, 403, 404) or status >= 500:
                    problems.append(f"{where} as {caller.name}: allowed by the table, got {seen}")
                continue
            if status != want:
                problems.append(f"{where} as {caller.name}: expected {want}, got {seen}")
                continue
            assert_error_shape(body)
            if want == 404:
                ghost_ids = dict.fromkeys(ids, GHOST)
                g_status, g_body = _request(client, method, path, call, ghost_ids, caller)
                requests += 1
                if _code(body) != "not_found" or (g_status, g_body) != (status, body):
                    problems.append(
                        f"{where} as {caller.name}: its 404 differs from the one for an id that does not "
                        f"exist: {body} vs {g_status} {g_body}"
                    )
    return problems, requests


def test_every_route_answers_every_caller_as_the_matrix_says(
    app_client: TestClient, db: Database, factory: Factory, world: World
) -> None:
    walk = build_walk(app_client, db, factory, world)
    problems, requests = run_walk(app_client, walk)
    assert not problems, (
        f"{len(problems)} of {requests} calls contradict the permission table:\n" + "\n".join(problems)
    )
    operations = len(document_operations(app_client.app.openapi()))  # type: ignore[attr-defined]
    assert requests >= operations * len(walk.callers)  # every operation, every caller: nothing skipped


def test_a_member_of_another_workspace_lists_nothing_of_it(
    app_client: TestClient, factory: Factory, world: World
) -> None:
    """The routes without an object answer B's admin with B's things only."""
    outsider = world.outsider.headers
    a, project = world.workspace_id, world.project_id
    mine = app_client.get("/api/v1/workspaces", headers=outsider)
    assert mine.status_code == 200 and a not in {w["id"] for w in mine.json()}, mine.text
    for params in ({}, {"workspace_id": a}):
        listed = app_client.get("/api/v1/projects", params=params, headers=outsider)
        assert listed.status_code == 200, listed.text
        assert project not in {p["id"] for p in listed.json()}
        assert a not in {p["workspace_id"] for p in listed.json()}
    events = app_client.get("/api/v1/audit", params={"limit": 500}, headers=outsider)
    assert events.status_code == 200, events.text
    assert events.json()["items"], "B's admin reads B's own events"
    assert a not in {e["workspace_id"] for e in events.json()["items"]}
    export = app_client.get("/api/v1/audit/export", headers=outsider)
    assert export.status_code == 200 and f'"workspace_id":{a},' not in export.text


def test_the_walk_fails_when_a_route_answers_otherwise_than_the_table(
    app_client: TestClient, db: Database, factory: Factory, world: World
) -> None:
    """The walk can fail: against a doctored table (the dashboard for admins only, an annotator-blind route
    said to answer the annotator 403, the health check said to need a login), it reports each lie."""
    walk = build_walk(app_client, db, factory, world)
    dashboard = _op("GET", "/projects/{project_id}/dashboard")
    history = _op("GET", "/tasks/{task_id}/history")
    health = _op("GET", "/health")
    doctored = {
        **PERMISSIONS,
        dashboard: Rule(Access.ROLE, (Action.VIEW_AUDIT,)),
        history: Rule(Access.ROLE, (Action.VIEW_QUALITY, Action.ADJUDICATE)),
        health: Rule(Access.AUTHENTICATED),
    }
    problems, _ = run_walk(app_client, walk, doctored, only={dashboard, history, health})
    assert sorted(problems) == sorted(
        [
            f"GET {API_PREFIX}/projects/{{project_id}}/dashboard (project_id={world.project_id}) as {who}: "
            "expected 403, got 200 -"
            for who in ("manager", "reviewer")
        ]
        + [
            f"GET {API_PREFIX}/tasks/{{task_id}}/history (task_id={world.task_ids[0]}) as annotator: "
            "expected 403, got 404 not_found",
            f"GET {API_PREFIX}/health as anonymous: expected 401, got 200 -",
        ]
    )


def test_the_generator_rewrites_its_own_section_only() -> None:
    section = render_section()
    assert (
        update_document(None)
        == f"# Security in Consenso\n\n## Permission matrix\n\n{START}\n{section}\n{END}\n"
    )
    others = "# Security in Consenso\n\n## Threat model\n\nText by hand.\n"
    appended = update_document(others)
    assert appended == others + f"\n## Permission matrix\n\n{START}\n{section}\n{END}\n"
    stale = appended.replace("| `view_audit` | ✓ |", "| `view_audit` | — |") + "\n## Data flow\n\nMore.\n"
    assert stale != appended + "\n## Data flow\n\nMore.\n"
    assert update_document(stale) == appended + "\n## Data flow\n\nMore.\n"
    # a change of the table shows in the section, so the docs test catches a stale page
    doctored = {**PERMISSIONS, _op("GET", "/health"): Rule(Access.AUTHENTICATED)}
    assert update_document(appended, doctored) != appended
