"""``consenso quality annotators PROJECT [--confusion] [--json]``: annotator reliability as tables or JSON.

The project is the API test's (``tests.api.v1.test_reliability``), whose figures are worked out there.
"""

from __future__ import annotations

import orjson
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from consenso.core.agreement import wilson_interval
from consenso.services import auth
from consenso.store.database import Database
from tests.api.v1.test_reliability import LABELS, ReliabilityProject, make_reliability_project
from tests.cli.conftest import RunCli, assert_failed, assert_ok
from tests.cli.test_quality import cells
from tests.conftest import Factory


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    # eight users per test: hash their passwords cheaply (the same code path, see tests/api/v1/conftest.py)
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def rp(factory: Factory, db: Database) -> ReliabilityProject:
    return make_reliability_project(factory, db)


def interval(agreed: int, compared: int) -> str:
    low, high = wilson_interval(agreed, compared)
    return f"{agreed / compared:.3f} [{low:.3f}, {high:.3f}]"


def test_one_row_per_annotator_in_english(run_cli: RunCli, rp: ReliabilityProject) -> None:
    result = run_cli(["quality", "annotators", str(rp.project_id)])

    assert_ok(result)
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"Project {rp.project_id}: 3 annotators. A gold answer is correct from a score of 0.8; intervals at 95 %."
    )
    a, b, c = rp.annotators
    rows = cells(result.stdout)
    paused = f"since {rp.paused_at:%Y-%m-%d %H:%M} UTC"
    assert rows[:4] == [
        [
            "Annotator",
            "Name",
            "Annotations",
            "Gold correct",
            "Gold accuracy (95 % CI)",
            "Agreement with final (95 % CI)",
            "Per active hour",
            "Per day",
            "Median time (s)",
            "p90 time (s)",
            "Paused",
        ],
        [
            str(a.id),
            a.email,
            "10",
            "2/3",
            interval(2, 3),
            interval(4, 5),
            "72.0",
            "5.0",
            "50.0",
            "82.0",
            "no",
        ],
        [
            str(c.id),
            c.email,
            "10",
            "0/3",
            interval(0, 3),
            interval(1, 5),
            "1200.0",
            "10.0",
            "3.0",
            "3.0",
            paused,
        ],
        [str(b.id), b.email, "9", "1/1", interval(1, 1), interval(4, 5), "900.0", "9.0", "4.0", "4.0", "no"],
    ]
    assert any(
        line.strip() == "Agreement with final labels, per control: share (agreed/compared)" for line in lines
    )
    assert rows[4:] == [
        ["Annotator", "sentiment (choice)"],
        [str(a.id), "0.800 (4/5)"],
        [str(c.id), "0.200 (1/5)"],
        [str(b.id), "0.800 (4/5)"],
    ]
    assert "confusion matrix" not in result.stdout  # only with --confusion


def test_spanish(run_cli: RunCli, rp: ReliabilityProject) -> None:
    result = run_cli(["quality", "annotators", str(rp.project_id)], CONSENSO_LANG="es")

    assert_ok(result)
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"Proyecto {rp.project_id}: 3 anotadores. Una respuesta de control es correcta desde una puntuación "
        "de 0.8; intervalos al 95 %."
    )
    rows = cells(result.stdout)
    assert rows[0] == [
        "Anotador",
        "Nombre",
        "Anotaciones",
        "Control correctas",
        "Precisión en control (IC 95 %)",
        "Acuerdo con la final (IC 95 %)",
        "Por hora activa",
        "Por día",
        "Tiempo mediano (s)",
        "Tiempo p90 (s)",
        "En pausa",
    ]
    c = rp.annotators[2]
    assert next(row for row in rows if row[0] == str(c.id))[-1] == f"desde {rp.paused_at:%Y-%m-%d %H:%M} UTC"


def test_confusion_matrices_on_request(
    run_cli: RunCli, rp: ReliabilityProject, app_client: TestClient
) -> None:
    result = run_cli(["quality", "annotators", str(rp.project_id), "--confusion"])

    assert_ok(result)
    api = app_client.get(f"/api/v1/projects/{rp.project_id}/reliability", headers=rp.admin.headers).json()
    lines = [line.strip() for line in result.stdout.splitlines()]
    for annotator in api["annotators"]:
        (matrix,) = annotator["confusion"]
        title = (
            f"Annotator {annotator['user_id']}, control 'sentiment' (7 answers): Dawid-Skene confusion matrix, "
            "rows the true label, columns the answer"
        )
        assert title in lines
        start = lines.index(title)
        table = cells("\n".join(result.stdout.splitlines()[start:]))[:4]
        assert table == [
            ["True \\ answer", *LABELS],
            *(
                [label, *(f"{p:.2f}" for p in row)]
                for label, row in zip(LABELS, matrix["matrix"], strict=True)
            ),
        ]


def test_json_is_the_api_response(run_cli: RunCli, rp: ReliabilityProject, app_client: TestClient) -> None:
    result = run_cli(["quality", "annotators", str(rp.project_id), "--json"])

    assert_ok(result)
    api = app_client.get(f"/api/v1/projects/{rp.project_id}/reliability", headers=rp.admin.headers)
    assert orjson.loads(result.stdout) == api.json()


def test_an_empty_project_and_an_unknown_one(
    run_cli: RunCli, rp: ReliabilityProject, factory: Factory
) -> None:
    empty = factory.project(rp.admin, rp.workspace_id, name="Empty")
    result = run_cli(["quality", "annotators", str(empty)], CONSENSO_LANG="es")
    assert_ok(result)
    assert result.stdout.strip() == f"Nadie ha anotado todavía una tarea del proyecto {empty}."

    unknown = run_cli(["quality", "annotators", str(rp.project_id + 1000)])
    assert_failed(unknown, "Error: Project not found.")


def test_the_quality_report_is_still_the_default(run_cli: RunCli, rp: ReliabilityProject) -> None:
    report = run_cli(["quality", str(rp.project_id), "--method", "majority_vote"])
    assert_ok(report)
    # gold answers are left out of the quality report; its figures are that report's business
    first = report.stdout.splitlines()[0]
    assert first.startswith(f"Project {rp.project_id}: ") and first.endswith("aggregation: majority_vote.")

    listed = run_cli(["quality", "--help"])
    assert_ok(listed)
    assert "annotators" in listed.stdout
