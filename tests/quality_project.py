"""A small project whose quality figures can be computed by hand, shared by the API, export and CLI tests.

Three annotators A, B, C answer four tasks (and A a fifth) of a project with one control of each type::

    task  sentiment (choice)           stars (rating)  topics (multi_choice)          entities (spans)
    1     pos  pos  pos                5 5 4           [price] [price] [price,service]  PER 0-3 | 0-3 | 0-9
    2     neg  neg  pos                1 2 1           [] [food] [food]                 — | — | ORG 19-23
    3     neu  neu  neu                3 3 3           [service] ×3                     PER+ORG | PER+ORG | PER
    4     pos  neg  neu                2 4 5           A: [price]                       (none)
    5     A: pos                       A: 4            —                                —

A also writes a free-text comment on task 1. Task 6 has no annotation. Reviewer, manager, viewer, admin and an
outsider (admin of another workspace) complete the cast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select

from consenso.services import annotate
from consenso.store.database import Database
from consenso.store.models import Annotation
from tests.conftest import Actor, Factory

QUALITY_SCHEMA: dict[str, Any] = {
    "controls": [
        {
            "name": "sentiment",
            "type": "choice",
            "field": "text",
            "labels": [{"value": "positive"}, {"value": "negative"}, {"value": "neutral"}],
        },
        {"name": "stars", "type": "rating", "field": "text", "required": False},
        {
            "name": "topics",
            "type": "multi_choice",
            "field": "text",
            "labels": [{"value": "price"}, {"value": "service"}, {"value": "food"}],
        },
        {
            "name": "entities",
            "type": "spans",
            "field": "text",
            "labels": [{"value": "PER"}, {"value": "ORG"}],
        },
        {"name": "comment", "type": "text", "field": "text"},
    ]
}

PER_1 = {"start": 0, "end": 3, "label": "PER"}
PER_LONG = {"start": 0, "end": 9, "label": "PER"}
ORG = {"start": 19, "end": 23, "label": "ORG"}

# task index → one result per annotator (A, B, C); None: that annotator did not annotate the task
RESULTS: list[list[dict[str, Any] | None]] = [
    [
        {"sentiment": "positive", "stars": 5, "topics": ["price"], "entities": [PER_1], "comment": "ok"},
        {"sentiment": "positive", "stars": 5, "topics": ["price"], "entities": [PER_1]},
        {"sentiment": "positive", "stars": 4, "topics": ["price", "service"], "entities": [PER_LONG]},
    ],
    [
        {"sentiment": "negative", "stars": 1, "topics": [], "entities": []},
        {"sentiment": "negative", "stars": 2, "topics": ["food"], "entities": []},
        {"sentiment": "positive", "stars": 1, "topics": ["food"], "entities": [ORG]},
    ],
    [
        {"sentiment": "neutral", "stars": 3, "topics": ["service"], "entities": [PER_1, ORG]},
        {"sentiment": "neutral", "stars": 3, "topics": ["service"], "entities": [PER_1, ORG]},
        {"sentiment": "neutral", "stars": 3, "topics": ["service"], "entities": [PER_1]},
    ],
    [
        {"sentiment": "positive", "stars": 2, "topics": ["price"]},
        {"sentiment": "negative", "stars": 4},
        {"sentiment": "neutral", "stars": 5},
    ],
    [{"sentiment": "positive", "stars": 4}, None, None],
]


@dataclass
class QualityProject:
    admin: Actor
    manager: Actor
    reviewer: Actor
    viewer: Actor
    annotators: list[Actor]  # A, B, C
    outsider: Actor
    workspace_id: int
    project_id: int
    task_ids: list[int]

    def frame(self, db: Database, control: str) -> pd.DataFrame:
        """The control's answers as the aggregators read them: item, annotator, label, in submission order."""
        with db.read() as session:
            rows = session.execute(
                select(Annotation.task_id, Annotation.annotator_id, Annotation.result)
                .where(Annotation.project_id == self.project_id)
                .order_by(Annotation.id)
            ).all()
        return pd.DataFrame(
            [(task, who, result[control]) for task, who, result in rows if control in result],
            columns=["item", "annotator", "label"],
        )

    def reliability(self, db: Database, control: str, code: Any = None) -> np.ndarray[Any, Any]:
        """The annotators × tasks (answered at least twice) matrix of ``control``'s answers, NaN where
        missing: Krippendorff's reliability data with real coders. With ``code``, 1/0 for "is (or holds)
        ``code``"; else the answer itself (a rating) or its label's index."""
        frame = self.frame(db, control)
        frame = frame[frame.groupby("item")["item"].transform("size") >= 2]
        items = sorted(frame["item"].unique())
        coders = [a.id for a in self.annotators]
        matrix = np.full((len(coders), len(items)), np.nan)
        labels = [
            label["value"]
            for c in QUALITY_SCHEMA["controls"]
            if c["name"] == control
            for label in c.get("labels", [])
        ]
        for item, who, value in frame.itertuples(index=False):
            if code is not None:
                number = float(code in value if isinstance(value, list) else value == code)
            else:
                number = float(value if isinstance(value, int) else labels.index(value))
            matrix[coders.index(who), items.index(item)] = number
        return matrix


def make_quality_project(factory: Factory, db: Database) -> QualityProject:
    admin = factory.user(is_admin=True)
    ws = factory.workspace(admin)
    manager = factory.member(admin, ws, "manager")
    reviewer = factory.member(admin, ws, "reviewer")
    viewer = factory.member(admin, ws, "viewer")
    annotators = [factory.member(admin, ws, "annotator") for _ in range(3)]
    outsider = factory.member(admin, factory.workspace(admin, "Other"), "admin")
    project = factory.project(admin, ws, schema=QUALITY_SCHEMA, overlap=3)
    task_ids = factory.tasks(admin, project, [f"Ana Lopez works at Acme Corp, review {i}" for i in range(6)])
    for task_id, results in zip(task_ids, RESULTS, strict=False):
        for who, result in zip(annotators, results, strict=True):
            if result is not None:
                annotate.submit_annotation(db, who.principal, task_id, result=result, lead_time_ms=1000)
    return QualityProject(admin, manager, reviewer, viewer, annotators, outsider, ws, project, task_ids)
