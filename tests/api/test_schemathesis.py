"""Schemathesis over the OpenAPI document, authenticated, with zero 5xx responses (issue 6, hardening).

The app is built in-process on the ``backend`` database (SQLite and PostgreSQL) and seeded with a workspace,
a project with one control of each kind, annotations that agree and disagree, reviews, a gold task, an
adjudicated task and a second project with model predictions; then every operation of ``/openapi.json`` is
fuzzed by the schemathesis engine (examples, coverage, fuzzing and stateful phases; valid and invalid data),
once as a platform admin and once as an annotator. Path ids are steered towards the seeded rows for half of
the cases, so that the fuzzer gets past the 404s into the use cases.

What fails a test: any response of status 500 or more; a response whose status code, content type or body
the document does not describe; an error of the engine itself; a run cut short; an operation of the document
never called; too few calls, or too few operations answered with a success (the run would then be looking at
nothing but 401s, 403s and 404s).

The run is bounded and reproducible: a fixed seed, a small number of examples per operation and phase, no
Hypothesis example database, no network (ASGI in-process). The ``test_the_harness_*`` tests prove the
harness itself reports a 5xx (with its traceback), an undocumented body and an operation never called.
"""

from __future__ import annotations

import os
import socket
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from consenso.api.app import create_app
from consenso.services import auth, outbound
from consenso.settings import Settings
from consenso.store.database import Database
from tests.api import fuzz_harness
from tests.api.fuzz_harness import FuzzReport, KnownIds, run_schemathesis
from tests.conftest import SENTIMENT_SCHEMA, Actor, Factory
from tests.quality_project import QualityProject, make_quality_project

# Examples per operation and phase (the coverage phase adds its own boundary cases): about 3,400 calls per role
# on 54 operations, 20 to 35 s per role and backend on a 2-core machine. CONSENSO_FUZZ_EXAMPLES and
# CONSENSO_FUZZ_SEED run it harder, or with other cases, by hand.
EXAMPLES = int(os.environ.get("CONSENSO_FUZZ_EXAMPLES", "25"))
SEED = int(os.environ.get("CONSENSO_FUZZ_SEED", str(fuzz_harness.SEED)))

# Checks that fail the run. Also collected, not enforced: ``negative_data_rejection``, which flags Pydantic's
# lax coercions (``"0.5"`` read as a date-time, ``0`` as ``false``): accepted on purpose, not a fault.
ENFORCED = (
    "not_a_server_error",
    "response_schema_conformance",
    "content_type_conformance",
    "status_code_conformance",
)


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    # the fuzzer creates users and logs in hundreds of times: argon2 at a test cost, same code path
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture(autouse=True)
def _no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    # URL imports (POST /projects/{id}/tasks/import-url) get generated host names: answered as an offline
    # resolver would (no address), never by a real DNS query; literal addresses go through the usual checks
    def unresolvable(host: str, port: int) -> list[Any]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(outbound, "resolve", unresolvable)


@dataclass
class Seeded:
    quality: QualityProject
    predicted_project_id: int
    predicted_task_ids: list[int]
    annotation_ids: list[int]
    known: KnownIds


def _ok(response: Any, *statuses: int) -> Any:
    assert response.status_code in statuses, response.text
    return response.json() if response.content else None


def _seed(factory: Factory, db: Database, client: TestClient) -> Seeded:
    """Rows for every kind of path id of the API, reached through the API itself where it can."""
    q = make_quality_project(factory, db)
    admin, reviewer = q.admin, q.reviewer
    tasks = q.task_ids  # 1-4 answered by three annotators (4 in full disagreement), 5 by one, 6 by nobody
    page = _ok(client.get(f"/api/v1/projects/{q.project_id}/annotations", headers=admin.headers), 200)
    annotation_ids = [item["id"] for item in page["items"]]
    by_task: dict[int, list[int]] = {}
    for item in page["items"]:
        by_task.setdefault(item["task_id"], []).append(item["id"])
    reviews = client.post(
        f"/api/v1/annotations/{by_task[tasks[0]][0]}/reviews",
        json={"verdict": "accepted"},
        headers=reviewer.headers,
    )
    _ok(reviews, 201)
    rejected = client.post(
        f"/api/v1/annotations/{by_task[tasks[1]][2]}/reviews",
        json={"verdict": "rejected", "comment": "The text is negative."},
        headers=reviewer.headers,
    )
    _ok(rejected, 201)
    _ok(
        client.put(
            f"/api/v1/tasks/{tasks[5]}/gold", json={"result": {"sentiment": "neutral"}}, headers=admin.headers
        ),
        200,
    )
    decided = client.post(
        f"/api/v1/tasks/{tasks[3]}/adjudication",
        json={"result": {"sentiment": "neutral"}, "reasoning": "Mixed review; the verdict is neutral."},
        headers=admin.headers,
    )
    _ok(decided, 200, 201)
    predicted = factory.project(admin, q.workspace_id, schema=SENTIMENT_SCHEMA, overlap=2, name="Predicted")
    predicted_tasks = factory.records(
        admin,
        predicted,
        [
            {
                "data": {"text": f"predicted text {i}"},
                "meta": {"language": "es" if i % 2 else "en"},
                "prediction": {"result": {"sentiment": "positive"}, "model": "m1", "score": 0.5 + i / 10},
            }
            for i in range(4)
        ],
    )
    people = [admin, reviewer, q.manager, q.viewer, *q.annotators]
    known = KnownIds(
        {
            "workspace_id": [q.workspace_id],
            "project_id": [q.project_id, predicted],
            "task_id": [*tasks, *predicted_tasks],
            "annotation_id": annotation_ids,
            "user_id": [p.id for p in people],
        }
    )
    return Seeded(q, predicted, predicted_tasks, annotation_ids, known)


@pytest.fixture
def seeded_app(db: Database, settings: Settings, factory: Factory) -> tuple[Any, Seeded]:
    app = create_app(settings, db=db)
    with TestClient(app) as client:
        seeded = _seed(factory, db, client)
    return app, seeded


def _assert_sound(report: FuzzReport, *, min_calls_per_operation: int, min_success_share: float) -> None:
    """The run looked at the whole document, deeply enough, and found nothing."""
    explain = report.summary()
    assert report.operations, "the OpenAPI document lists no operation"
    assert report.engine_errors == [], "\n\n".join(report.engine_errors)
    assert report.stop_reason == "completed", explain
    assert report.uncovered() == [], explain
    assert report.total_calls >= min_calls_per_operation * len(report.operations), explain
    # past authentication and the 404s: enough operations answered with a success at least once
    succeeded = report.reached(lambda status: 200 <= status < 300)
    assert len(succeeded) >= min_success_share * len(report.operations), explain
    assert report.server_errors == [], "\n\n".join(e.describe() for e in report.server_errors)
    for check in ENFORCED:
        failures = report.failures_of(check)
        assert failures == {}, "\n\n".join(f"{op}: {msgs[0]}" for op, msgs in failures.items())


def _fuzz(seeded: Seeded, app: Any, who: Actor) -> FuzzReport:
    return run_schemathesis(app, token=who.token, known=seeded.known, max_examples=EXAMPLES, seed=SEED)


def test_fuzzing_as_admin_finds_no_server_error(seeded_app: tuple[Any, Seeded]) -> None:
    app, seeded = seeded_app
    report = _fuzz(seeded, app, seeded.quality.admin)

    _assert_sound(report, min_calls_per_operation=20, min_success_share=0.6)


def test_fuzzing_as_annotator_finds_no_server_error(seeded_app: tuple[Any, Seeded]) -> None:
    app, seeded = seeded_app
    annotator = seeded.quality.annotators[2]
    report = _fuzz(seeded, app, annotator)

    # an annotator is refused most management operations by design (403): fewer successes are expected
    _assert_sound(report, min_calls_per_operation=20, min_success_share=0.2)
    assert report.reached(lambda status: status == 403), report.summary()


# --- the harness itself -------------------------------------------------------------------------------------


class Thing(BaseModel):
    id: int
    name: str


def _broken_app(body: Callable[[int], Any]) -> FastAPI:
    app = FastAPI()

    @app.get("/things/{thing_id}", response_model=Thing)
    def get_thing(thing_id: int) -> Any:
        return body(thing_id)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


def test_the_harness_sees_a_server_error() -> None:
    def crash(thing_id: int) -> Any:
        if thing_id % 2:
            raise RuntimeError("boom")
        return {"id": thing_id, "name": "ok"}

    report = run_schemathesis(
        _broken_app(crash), token="t", known=KnownIds({"thing_id": [1, 2]}), max_examples=5
    )

    assert report.uncovered() == []
    assert {e.operation for e in report.server_errors} == {"GET /things/{thing_id}"}
    assert any("RuntimeError: boom" in (e.traceback or "") for e in report.server_errors)
    assert "GET /things/{thing_id}" in report.failures_of("not_a_server_error")


def test_the_harness_sees_an_undocumented_body() -> None:
    from fastapi.responses import JSONResponse

    report = run_schemathesis(
        _broken_app(lambda thing_id: JSONResponse({"id": "not a number"})),
        token="t",
        known=KnownIds({}),
        max_examples=3,
    )

    assert report.server_errors == []
    assert "GET /things/{thing_id}" in report.failures_of("response_schema_conformance")
    assert report.reached(lambda status: status == 200) == ["GET /things/{thing_id}", "GET /health"]


def test_the_harness_names_an_operation_never_called() -> None:
    report = FuzzReport(operations=["GET /things", "POST /things"], calls=Counter({"GET /things": 3}))

    assert report.uncovered() == ["POST /things"]
