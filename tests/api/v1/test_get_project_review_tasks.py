"""GET /api/v1/projects/{id}/review/tasks: the review queue, newest task first, cursor-paginated, filtered.

The world's project (overlap 2) is annotated and reviewed as follows (A = annotator, B = annotator2):

    task  A          review of A            B          review of B            listed as
    t0    positive   rejected, accepted     positive   accepted               complete, all, {accepted: 2}
    t1    negative   rejected               positive   rejected, accepted     complete, all, {accepted: 1, rejected: 1}
    t2    neutral    -                      negative   fixed (positive)       complete, some, {fixed: 1}
    t3    positive   -                      -          -                      incomplete, none
    t4    -          -                      -          -                      never (no annotation)
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from consenso.core.review import ReviewCoverage, review_coverage
from tests.api.v1.assertions import assert_error
from tests.conftest import Factory, World


def _submit(client: TestClient, task_id: int, headers: dict[str, str], result: dict[str, Any]) -> int:
    r = client.post(f"/api/v1/tasks/{task_id}/annotations", json={"result": result}, headers=headers)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _review(
    client: TestClient, annotation_id: int, headers: dict[str, str], verdict: str, **extra: Any
) -> None:
    body = {"verdict": verdict, **extra}
    if verdict == "rejected":
        body.setdefault("comment", "no")
    r = client.post(f"/api/v1/annotations/{annotation_id}/reviews", json=body, headers=headers)
    assert r.status_code == 201, r.text


def _queue(world: World, client: TestClient) -> None:
    t = world.task_ids
    a, b, rev = world.annotator.headers, world.annotator2.headers, world.reviewer.headers
    plan = [(t[0], a, "positive"), (t[0], b, "positive"), (t[1], a, "negative"), (t[1], b, "positive")]
    plan += [(t[2], a, "neutral"), (t[2], b, "negative"), (t[3], a, "positive")]
    ids = {
        (task, who["Authorization"]): _submit(client, task, who, {"sentiment": label})
        for task, who, label in plan
    }

    def of(task: int, who: dict[str, str]) -> int:
        return ids[(task, who["Authorization"])]

    _review(client, of(t[0], a), rev, "rejected")
    _review(client, of(t[0], a), rev, "accepted")
    _review(client, of(t[0], b), rev, "accepted")
    _review(client, of(t[1], a), rev, "rejected")
    _review(client, of(t[1], b), rev, "rejected")
    _review(client, of(t[1], b), world.manager.headers, "accepted")
    _review(client, of(t[2], b), rev, "fixed", fixed_result={"sentiment": "positive"})


def _item(world: World, index: int, count: int, reviewed: int, **verdicts: int) -> dict[str, Any]:
    return {
        "task_id": world.task_ids[index],
        "preview": f"text number {index}",
        "annotation_count": count,
        "overlap": 2,
        "reviewed_count": reviewed,
        "verdicts": {"accepted": 0, "rejected": 0, "fixed": 0, **verdicts},
    }


def _items(world: World) -> dict[int, dict[str, Any]]:
    return {
        0: _item(world, 0, 2, 2, accepted=2),
        1: _item(world, 1, 2, 2, accepted=1, rejected=1),
        2: _item(world, 2, 2, 1, fixed=1),
        3: _item(world, 3, 1, 0),
    }


def _get(client: TestClient, world: World, headers: dict[str, str], **params: Any) -> Any:
    return client.get(f"/api/v1/projects/{world.project_id}/review/tasks", params=params, headers=headers)


def test_every_annotated_task_newest_first(app_client: TestClient, world: World) -> None:
    _queue(world, app_client)

    r = _get(app_client, world, world.reviewer.headers)

    assert r.status_code == 200, r.text
    items = _items(world)
    assert r.json() == {"items": [items[3], items[2], items[1], items[0]], "next_cursor": None}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "complete"}, [2, 1, 0]),
        ({"status": "incomplete"}, [3]),
        ({"reviewed": "none"}, [3]),
        ({"reviewed": "some"}, [2]),
        ({"reviewed": "all"}, [1, 0]),
        # current verdicts only: t0's rejection was superseded by an acceptance
        ({"verdict": "rejected"}, [1]),
        ({"verdict": "accepted"}, [1, 0]),
        ({"verdict": "fixed"}, [2]),
        ({"annotator_id": "annotator2"}, [2, 1, 0]),
        ({"annotator_id": "annotator"}, [3, 2, 1, 0]),
        ({"annotator_id": "viewer"}, []),
        ({"label": "positive"}, [3, 1, 0]),
        ({"label": "negative"}, [2, 1]),
        ({"label": "neutral", "control": "sentiment"}, [2]),
        ({"status": "complete", "reviewed": "all", "verdict": "rejected"}, [1]),
        ({"status": "incomplete", "verdict": "accepted"}, []),
        ({"annotator_id": "annotator2", "label": "negative", "reviewed": "some"}, [2]),
    ],
)
def test_filters(app_client: TestClient, world: World, params: dict[str, Any], expected: list[int]) -> None:
    _queue(world, app_client)
    if "annotator_id" in params:
        params = {**params, "annotator_id": getattr(world, params["annotator_id"]).id}

    r = _get(app_client, world, world.manager.headers, **params)

    assert r.status_code == 200, r.text
    items = _items(world)
    assert r.json() == {"items": [items[i] for i in expected], "next_cursor": None}


def test_the_reviewed_filter_follows_the_core_definition(app_client: TestClient, world: World) -> None:
    _queue(world, app_client)

    for coverage in ReviewCoverage:
        listed = _get(app_client, world, world.reviewer.headers, reviewed=coverage.value).json()["items"]
        assert listed
        for item in listed:
            assert (
                review_coverage(reviewed=item["reviewed_count"], annotations=item["annotation_count"])
                is coverage
            )


def test_the_cursor_walks_every_task_once(app_client: TestClient, world: World) -> None:
    _queue(world, app_client)

    seen: list[int] = []
    pages = 0
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 1, "status": "complete"}
        if cursor:
            params["cursor"] = cursor
        page = _get(app_client, world, world.admin.headers, **params).json()
        pages += 1
        seen.extend(item["task_id"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == [world.task_ids[2], world.task_ids[1], world.task_ids[0]]
    assert pages == 3


def test_a_project_without_annotations_has_an_empty_queue(app_client: TestClient, world: World) -> None:
    r = _get(app_client, world, world.reviewer.headers)

    assert r.status_code == 200, r.text
    assert r.json() == {"items": [], "next_cursor": None}


def test_the_preview_is_the_schemas_text_field_cut_to_200_characters(
    app_client: TestClient, world: World, factory: Factory
) -> None:
    project = factory.project(world.admin, world.workspace_id, name="Long")
    long_text = "palabra " * 40
    task_ids = factory.records(
        world.admin,
        project,
        [{"data": {"id": "first-string", "text": long_text}}, {"data": {"text": "corto"}}],
    )
    for task_id in task_ids:
        _submit(app_client, task_id, world.annotator.headers, {"sentiment": "neutral"})

    r = app_client.get(f"/api/v1/projects/{project}/review/tasks", headers=world.reviewer.headers)

    assert r.status_code == 200, r.text
    previews = [item["preview"] for item in r.json()["items"]]
    assert previews == ["corto", long_text[:199] + "…"]
    assert len(previews[1]) == 200


def test_label_and_control_with_several_choice_controls(
    app_client: TestClient, world: World, factory: Factory
) -> None:
    schema = {
        "controls": [
            {
                "name": "topic",
                "type": "choice",
                "field": "text",
                "labels": [{"value": "sport"}, {"value": "other"}],
            },
            {
                "name": "tone",
                "type": "choice",
                "field": "text",
                "labels": [{"value": "calm"}, {"value": "other"}],
            },
        ]
    }
    project = factory.project(world.admin, world.workspace_id, schema=schema, name="Two")
    first, second = factory.tasks(world.admin, project, ["one", "two"])
    _submit(app_client, first, world.annotator.headers, {"topic": "other", "tone": "calm"})
    _submit(app_client, second, world.annotator.headers, {"topic": "sport", "tone": "other"})

    def listed(**params: str) -> list[int]:
        r = app_client.get(
            f"/api/v1/projects/{project}/review/tasks", params=params, headers=world.reviewer.headers
        )
        assert r.status_code == 200, r.text
        return [item["task_id"] for item in r.json()["items"]]

    assert listed(label="other") == [second, first]
    assert listed(label="other", control="topic") == [first]
    assert listed(label="other", control="tone") == [second]
    assert listed(label="calm") == [first]


@pytest.mark.parametrize(
    ("params", "code", "english", "spanish"),
    [
        (
            {"label": "furious"},
            "review_filter_unknown_label",
            "No choice control of this project offers the label 'furious'.",
            "Ningún control de opción única de este proyecto ofrece la etiqueta 'furious'.",
        ),
        (
            {"label": "positive", "control": "mood"},
            "review_filter_not_choice",
            "'mood' is not a choice control of this project's label schema.",
            "'mood' no es un control de opción única del esquema de etiquetas de este proyecto.",
        ),
        (
            {"control": "sentiment"},
            "review_filter_label_required",
            "'control' narrows the 'label' filter; give 'label' too.",
            "'control' acota el filtro 'label'; indique también 'label'.",
        ),
        (
            {"cursor": "@@"},
            "invalid_cursor",
            "The pagination cursor is not valid; start again without it.",
            "El cursor de paginación no es válido; empiece de nuevo sin él.",
        ),
    ],
)
def test_a_wrong_filter_says_so_in_both_languages(
    app_client: TestClient, world: World, params: dict[str, str], code: str, english: str, spanish: str
) -> None:
    r_en = _get(app_client, world, world.reviewer.headers, **params)
    r_es = _get(app_client, world, {**world.reviewer.headers, "Accept-Language": "es"}, **params)

    assert assert_error(r_en, 400, code)["message"] == english
    assert assert_error(r_es, 400, code)["message"] == spanish


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "done"}, "query.status"),
        ({"reviewed": "most"}, "query.reviewed"),
        ({"verdict": "maybe"}, "query.verdict"),
        ({"annotator_id": "0"}, "query.annotator_id"),
        ({"limit": "0"}, "query.limit"),
        ({"limit": "1001"}, "query.limit"),
    ],
)
def test_a_malformed_parameter_is_422(
    app_client: TestClient, world: World, params: dict[str, str], field: str
) -> None:
    r = _get(app_client, world, world.reviewer.headers, **params)

    error = assert_error(r, 422, "validation_error")
    assert [d["field"] for d in error["details"]] == [field]


@pytest.mark.parametrize("who", ["annotator", "viewer"])
def test_annotators_and_viewers_get_403(app_client: TestClient, world: World, who: str) -> None:
    _queue(world, app_client)

    r = _get(app_client, world, {**getattr(world, who).headers, "Accept-Language": "es"})

    error = assert_error(r, 403, "permission_denied")
    assert error["message"] == "Su rol no permite esta acción."


def test_outsider_and_missing_project_are_404(app_client: TestClient, world: World) -> None:
    r = _get(app_client, world, world.outsider.headers)
    assert assert_error(r, 404, "not_found")["message"] == "Project not found."

    r = app_client.get("/api/v1/projects/987654/review/tasks", headers=world.admin.headers)
    assert assert_error(r, 404, "not_found")["message"] == "Project not found."
