"""``consenso demo --no-serve``: the demo workspace, users and bilingual project; fresh passwords every run."""

from __future__ import annotations

import re
from collections import Counter

from click.testing import Result
from sqlalchemy import select

from consenso.core.errors import NotAuthenticated
from consenso.services import auth
from consenso.services.demo import PROJECT_NAME, WORKSPACE_NAME
from consenso.store.database import Database
from consenso.store.models import Membership, Project, Task, User, Workspace
from tests.cli.conftest import RunCli, assert_ok

ROLES = {
    "admin@demo.consenso": "admin",
    "annotator1@demo.consenso": "annotator",
    "annotator2@demo.consenso": "annotator",
    "reviewer@demo.consenso": "reviewer",
}


def _credentials(result: Result) -> dict[str, tuple[str, str]]:
    """{email: (role, password)} from the table the demo prints."""
    rows: dict[str, tuple[str, str]] = {}
    for line in result.stdout.splitlines():
        cells = [c.strip() for c in re.split(r"[│┃|]", line) if c.strip()]
        if len(cells) == 3 and "@" in cells[1]:
            role, email, password = cells
            rows[email] = (role, password)
    return rows


def _logs_in(db: Database, email: str, password: str) -> bool:
    try:
        auth.login(db, email, password, max_seconds=3600)
    except NotAuthenticated:
        return False
    return True


def _ids(db: Database) -> tuple[int, int]:
    with db.read() as session:
        workspace = session.scalars(select(Workspace).where(Workspace.name == WORKSPACE_NAME)).one()
        project = session.scalars(select(Project).where(Project.name == PROJECT_NAME)).one()
        return workspace.id, project.id


def test_demo_creates_the_users_and_the_project_and_prints_the_credentials(
    run_cli: RunCli, db: Database
) -> None:
    result = run_cli(["demo", "--no-serve"])

    assert_ok(result)
    workspace_id, project_id = _ids(db)
    lines = result.stdout.splitlines()
    assert lines[0] == f"Demo ready: workspace {workspace_id}, project {project_id} with 48 tasks."
    assert lines[1] == "Open http://127.0.0.1:8000/ and log in as:"
    assert lines[-1] == "These passwords are new on every run of `consenso demo`; the data is kept."
    header = next(line for line in lines if "Role" in line)
    assert [c.strip() for c in re.split(r"[│┃|]", header) if c.strip()] == ["Role", "E-mail", "Password"]
    credentials = _credentials(result)
    assert {email: role for email, (role, _) in credentials.items()} == ROLES
    assert list(credentials) == list(ROLES)  # the admin first
    for email, (_, password) in credentials.items():
        assert len(password) >= 16
        assert _logs_in(db, email, password), email

    with db.read() as session:
        users = {u.email: u for u in session.scalars(select(User))}
        members = {
            row.email: row.role
            for row in session.execute(
                select(User.email, Membership.role)
                .join(Membership, Membership.user_id == User.id)
                .where(Membership.workspace_id == workspace_id)
            )
        }
        project = session.get(Project, project_id)
        assert project is not None
        tasks = session.scalars(select(Task).where(Task.project_id == project_id)).all()
        project_row = (project.workspace_id, project.overlap, project.task_count)
    assert set(users) == set(ROLES)
    assert [e for e, u in users.items() if u.is_admin] == ["admin@demo.consenso"]
    assert (users["annotator1@demo.consenso"].locale, users["annotator2@demo.consenso"].locale) == (
        "es",
        "en",
    )
    assert members == ROLES  # the admin joins as the workspace's creator
    assert project_row == (workspace_id, 2, 48)
    assert len(tasks) == 48
    assert Counter(t.meta["language"] for t in tasks) == {"en": 24, "es": 24}
    assert all(isinstance(t.data["text"], str) and t.data["text"] for t in tasks)


def test_demo_twice_keeps_the_data_and_gives_new_passwords(run_cli: RunCli, db: Database) -> None:
    first = run_cli(["demo", "--no-serve"])
    assert_ok(first)
    ids = _ids(db)
    old = _credentials(first)

    second = run_cli(["demo", "--no-serve"])

    assert_ok(second)
    assert _ids(db) == ids
    assert second.stdout.splitlines()[0] == f"Demo ready: workspace {ids[0]}, project {ids[1]} with 48 tasks."
    new = _credentials(second)
    assert set(new) == set(ROLES)
    for email in ROLES:
        assert new[email][1] != old[email][1], email
        assert not _logs_in(db, email, old[email][1]), email
        assert _logs_in(db, email, new[email][1]), email
    with db.read() as session:
        assert len(session.scalars(select(User.id)).all()) == 4
        assert len(session.scalars(select(Workspace.id)).all()) == 1
        assert len(session.scalars(select(Project.id)).all()) == 1
        assert len(session.scalars(select(Membership.id)).all()) == 4
        assert len(session.scalars(select(Task.id).where(Task.project_id == ids[1])).all()) == 48
        project = session.get(Project, ids[1])
        assert project is not None
        assert project.task_count == 48


def test_demo_in_spanish_with_another_address(run_cli: RunCli, db: Database) -> None:
    result = run_cli(["demo", "--no-serve", "--host", "0.0.0.0", "--port", "9001"], CONSENSO_LANG="es")

    assert_ok(result)
    workspace_id, project_id = _ids(db)
    lines = result.stdout.splitlines()
    assert lines[0] == f"Demo lista: espacio de trabajo {workspace_id}, proyecto {project_id} con 48 tareas."
    assert lines[1] == "Abra http://0.0.0.0:9001/ e inicie sesión como:"
    header = next(line for line in lines if "Rol" in line)
    assert [c.strip() for c in re.split(r"[│┃|]", header) if c.strip()] == ["Rol", "Correo", "Contraseña"]
    assert (
        lines[-1] == "Estas contraseñas cambian en cada ejecución de `consenso demo`; los datos se conservan."
    )
    admin_password = _credentials(result)["admin@demo.consenso"][1]
    assert _logs_in(db, "admin@demo.consenso", admin_password)
