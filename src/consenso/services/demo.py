"""The demo: an admin, two annotators and a reviewer, a workspace and a bilingual sentiment project.

Running it again keeps the data (the import skips exact duplicates) and gives the demo users fresh
passwords, since stored passwords are hashes and cannot be shown again.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final

from sqlalchemy import select

from consenso.core.permissions import Role
from consenso.services import projects, task_import, users, workspaces
from consenso.services.principal import Principal
from consenso.store.database import Database
from consenso.store.models import Membership, Project, Workspace

WORKSPACE_NAME: Final = "Demo"
PROJECT_NAME: Final = "Sentiment (English / Español)"
ADMIN_EMAIL: Final = "admin@demo.consenso"
PEOPLE: Final = (
    ("annotator1@demo.consenso", "Ana (annotator)", Role.ANNOTATOR, "es"),
    ("annotator2@demo.consenso", "Ben (annotator)", Role.ANNOTATOR, "en"),
    ("reviewer@demo.consenso", "Rosa (reviewer)", Role.REVIEWER, "es"),
)

SCHEMA: Final[dict[str, Any]] = {
    "controls": [
        {
            "name": "sentiment",
            "type": "choice",
            "field": "text",
            "title": {"en": "Sentiment", "es": "Sentimiento"},
            "labels": [
                {
                    "value": "positive",
                    "names": {"en": "Positive", "es": "Positivo"},
                    "hotkey": "1",
                    "color": "#16a34a",
                },
                {
                    "value": "negative",
                    "names": {"en": "Negative", "es": "Negativo"},
                    "hotkey": "2",
                    "color": "#dc2626",
                },
                {
                    "value": "neutral",
                    "names": {"en": "Neutral", "es": "Neutral"},
                    "hotkey": "3",
                    "color": "#6b7280",
                },
            ],
        },
        {
            "name": "comment",
            "type": "text",
            "field": "text",
            "title": {"en": "Comment (optional)", "es": "Comentario (opcional)"},
            "max_length": 500,
        },
    ]
}

GUIDELINES: Final = {
    "en": "Label the writer's overall feeling about the product or service. Facts with no feeling are "
    "**neutral**. Mixed reviews: pick the feeling of the final verdict.",
    "es": "Etiquete el sentimiento general de quien escribe sobre el producto o servicio. Los hechos sin "
    "sentimiento son **neutrales**. Reseñas mixtas: elija el sentimiento del veredicto final.",
}


@dataclass(frozen=True, slots=True)
class DemoAccount:
    email: str
    password: str
    role: str


@dataclass(frozen=True, slots=True)
class DemoResult:
    workspace_id: int
    project_id: int
    task_count: int
    accounts: list[DemoAccount]


def _password() -> str:
    return secrets.token_urlsafe(12)


def _ensure_user(db: Database, email: str, name: str, *, is_admin: bool, locale: str) -> tuple[int, str]:
    password = _password()
    existing = users.find_user(db, email)
    if existing is None:
        created = users.create_user(
            db, None, email=email, password=password, name=name, is_admin=is_admin, locale=locale
        )
        return created.id, password
    users.set_password(db, email, password)
    return existing.id, password


def create_demo(db: Database) -> DemoResult:
    admin_id, admin_password = _ensure_user(db, ADMIN_EMAIL, "Demo admin", is_admin=True, locale="en")
    admin = Principal.local_admin(admin_id, ADMIN_EMAIL)
    accounts = [DemoAccount(ADMIN_EMAIL, admin_password, "admin")]

    with db.read() as session:
        ws_id = session.scalar(
            select(Workspace.id).where(Workspace.name == WORKSPACE_NAME).order_by(Workspace.id)
        )
    if ws_id is None:
        ws_id = workspaces.create_workspace(db, admin, WORKSPACE_NAME).id

    for email, name, role, locale in PEOPLE:
        user_id, password = _ensure_user(db, email, name, is_admin=False, locale=locale)
        with db.read() as session:
            member = session.scalar(
                select(Membership.id).where(Membership.workspace_id == ws_id, Membership.user_id == user_id)
            )
        if member is None:
            workspaces.add_member(db, admin, ws_id, role=role, user_id=user_id)
        accounts.append(DemoAccount(email, password, role.value))

    with db.read() as session:
        project_id = session.scalar(
            select(Project.id).where(Project.workspace_id == ws_id, Project.name == PROJECT_NAME)
        )
    if project_id is None:
        project_id = projects.create_project(
            db,
            admin,
            workspace_id=ws_id,
            name=PROJECT_NAME,
            description="Demo: bilingual sentiment of short reviews, 2 annotations per task.",
            schema=SCHEMA,
            overlap=2,
            lease_seconds=1800,
            guidelines=GUIDELINES,
        ).id
    data = resources.files("consenso.demo").joinpath("sentiment.jsonl")
    with data.open("rb") as stream:
        result = task_import.import_tasks(db, admin, project_id, stream, "application/x-ndjson")
    return DemoResult(ws_id, project_id, result.task_count, accounts)
