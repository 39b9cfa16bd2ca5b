"""GET /api/v1/projects/{id}/quality: agreement, per-label, per-annotator and aggregation figures.

The project is ``tests.quality_project`` (3 annotators × 4 tasks, one control of each type). Figures are
checked against fractions worked out by hand, or against the core functions called on a table built here
with the real annotators as coders (the service packs answers differently: both must agree).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from consenso.core.aggregation import AGGREGATORS, MultiLabelAggregator, aggregate_spans
from consenso.core.agreement import fleiss_kappa, fleiss_kappa_per_category, krippendorff_alpha
from consenso.core.messages import translate
from consenso.services import annotate
from consenso.store.database import Database
from tests.api.v1.assertions import assert_error
from tests.conftest import Factory
from tests.quality_project import QUALITY_SCHEMA, QualityProject, make_quality_project

NA = "not_available_for_control_type"
SUBSTITUTED = "method_substituted"
SENTIMENT_WITHOUT_NEUTRAL = {
    "name": "sentiment",
    "type": "choice",
    "field": "text",
    "labels": [{"value": "positive"}, {"value": "negative"}],
}


@pytest.fixture
def qp(factory: Factory, db: Database) -> QualityProject:
    return make_quality_project(factory, db)


def fig(value: float) -> dict[str, Any]:
    return {"value": pytest.approx(value, abs=1e-12), "reason": None}


def undefined(reason: str) -> dict[str, Any]:
    return {"value": None, "reason": reason}


def get(client: TestClient, project_id: int, headers: dict[str, str], **params: Any) -> Any:
    return client.get(f"/api/v1/projects/{project_id}/quality", headers=headers, params=params)


def test_a_hand_computed_project_gives_the_documented_figures(
    app_client: TestClient, qp: QualityProject, db: Database
) -> None:
    r = get(app_client, qp.project_id, qp.manager.headers, method="majority_vote")

    assert r.status_code == 200, r.text
    body = r.json()
    a, b, c = (who.id for who in qp.annotators)
    per_category = fleiss_kappa_per_category([[3, 0, 0], [1, 2, 0], [0, 0, 3], [1, 1, 1]])
    sentiment_alpha = {
        label: krippendorff_alpha(qp.reliability(db, "sentiment", label), "nominal")
        for label in ("positive", "negative", "neutral")
    }
    assert per_category[0] == pytest.approx(11 / 35)  # the core agrees with the hand computation
    assert body["controls"][0] == {
        "name": "sentiment",
        "type": "choice",
        "level": "nominal",
        "skipped": None,
        "items": 5,
        "items_compared": 4,
        "annotations": 13,
        "ignored": 0,
        # item agreement 1, 1/3, 1, 0
        "percent_agreement": fig(7 / 12),
        # 12 pairable values; 5 disagreeing coincidences; Σ_{c≠k} n_c n_k = 144 − (25 + 9 + 16) = 94
        "krippendorff_alpha": fig(1 - 11 * 5 / 94),
        # P̄ = 7/12, P̄e = (5² + 3² + 4²)/12² = 25/72
        "fleiss_kappa": fig(17 / 47),
        "span_f1_exact": None,
        "span_f1_overlap": None,
        "labels": [
            {
                "label": label,
                "count": count,
                "fleiss_kappa": fig(per_category[code]),
                "krippendorff_alpha": fig(sentiment_alpha[label]),
                "span_f1_exact": None,
                "span_f1_overlap": None,
            }
            for code, (label, count) in enumerate((("positive", 6), ("negative", 3), ("neutral", 4)))
        ],
        "annotators_total": 3,
        # majority vote: positive, negative, neutral, negative (a tie goes to the lowest label), positive
        "annotators": [
            {
                "annotator_id": a,
                "annotations": 5,
                "agreement_with_aggregate": fig(3 / 4),
                "skill": fig(4 / 5),
            },
            {"annotator_id": b, "annotations": 4, "agreement_with_aggregate": fig(1.0), "skill": fig(1.0)},
            {
                "annotator_id": c,
                "annotations": 4,
                "agreement_with_aggregate": fig(1 / 2),
                "skill": fig(1 / 2),
            },
        ],
        # confidences 1, 2/3, 1, 1/3, 1
        "aggregation": {
            "method": "majority_vote",
            "method_used": "majority_vote",
            "method_reason": None,
            "items": 5,
            "spans": None,
            "mean_confidence": pytest.approx(0.8),
            "mean_confidence_reason": None,
            "low_confidence_items": 2,
            "threshold": 0.7,
        },
        "aggregation_reason": None,
    }
    assert {k: v for k, v in body.items() if k != "controls"} == {
        "project_id": qp.project_id,
        "schema_version": 1,
        "method": "majority_vote",
        "methods": list(AGGREGATORS),
        "annotations": 13,
        "annotators": 3,
        "annotator_limit": 100,
        "low_confidence_threshold": 0.7,
        "reasons": {
            NA: "Not available for this type of control yet.",
            SUBSTITUTED: "The chosen aggregation method does not apply to this type of control; it was "
            "aggregated with the method in method_used instead.",
            "free_text": "Free text has no agreement measure.",
        },
    }
    assert [control["name"] for control in body["controls"]] == [
        "sentiment",
        "stars",
        "topics",
        "entities",
        "comment",
    ]


def test_rating_is_ordinal(app_client: TestClient, qp: QualityProject, db: Database) -> None:
    stars = get(app_client, qp.project_id, qp.manager.headers).json()["controls"][1]

    assert stars["level"] == "ordinal"
    assert (stars["items"], stars["items_compared"], stars["annotations"]) == (5, 4, 13)
    assert stars["percent_agreement"] == fig((1 / 3 + 1 / 3 + 1 + 0) / 4)
    assert stars["krippendorff_alpha"] == fig(krippendorff_alpha(qp.reliability(db, "stars"), "ordinal"))
    # ordinal: near misses (5 vs 4) count less than nominal would
    assert stars["krippendorff_alpha"]["value"] > krippendorff_alpha(qp.reliability(db, "stars"), "nominal")
    values_per_item = [[0, 0, 0, 1, 2], [2, 1, 0, 0, 0], [0, 0, 3, 0, 0], [0, 1, 0, 1, 1]]
    assert stars["fleiss_kappa"] == fig(fleiss_kappa(values_per_item))
    assert [(label["label"], label["count"]) for label in stars["labels"]] == [
        (1, 2),
        (2, 2),
        (3, 3),
        (4, 3),
        (5, 3),
    ]


def test_multi_choice_is_measured_per_label(app_client: TestClient, qp: QualityProject, db: Database) -> None:
    topics = get(app_client, qp.project_id, qp.reviewer.headers).json()["controls"][2]

    yes_no = {
        "price": [[0, 3], [3, 0], [3, 0]],
        "service": [[2, 1], [3, 0], [0, 3]],
        "food": [[3, 0], [1, 2], [3, 0]],
    }
    assert topics["labels"] == [
        {
            "label": label,
            "count": count,
            "fleiss_kappa": fig(fleiss_kappa(yes_no[label])),
            "krippendorff_alpha": fig(krippendorff_alpha(qp.reliability(db, "topics", label), "nominal")),
            "span_f1_exact": None,
            "span_f1_overlap": None,
        }
        for label, count in (("price", 4), ("service", 4), ("food", 2))
    ]
    assert (topics["items"], topics["items_compared"], topics["annotations"]) == (4, 3, 10)
    # identical sets: 1 pair of 3, 1 pair of 3, 3 pairs of 3
    assert topics["percent_agreement"] == fig((1 / 3 + 1 / 3 + 1) / 3)
    assert (topics["krippendorff_alpha"], topics["fleiss_kappa"]) == (None, None)
    assert [row["annotations"] for row in topics["annotators"]] == [4, 3, 3]
    assert all(
        row["skill"] == row["agreement_with_aggregate"] == undefined(NA) for row in topics["annotators"]
    )


def test_spans_are_measured_by_pairwise_f1(app_client: TestClient, qp: QualityProject) -> None:
    entities = get(app_client, qp.project_id, qp.admin.headers).json()["controls"][3]

    # per item, mean over the 3 pairs: task 1 exact 1/3 (overlap 1), task 2 1/3 (two empty answers agree),
    # task 3 (1 + 2/3 + 2/3)/3 = 7/9 both ways
    assert entities["span_f1_exact"] == fig((1 / 3 + 1 / 3 + 7 / 9) / 3)
    assert entities["span_f1_overlap"] == fig((1 + 1 / 3 + 7 / 9) / 3)
    assert entities["labels"] == [
        {
            "label": "PER",
            "count": 6,
            "fleiss_kappa": None,
            "krippendorff_alpha": None,
            "span_f1_exact": fig((1 / 3 + 1) / 2),
            "span_f1_overlap": fig(1.0),
        },
        {
            "label": "ORG",
            "count": 3,
            "fleiss_kappa": None,
            "krippendorff_alpha": None,
            "span_f1_exact": fig((0 + 1 / 3) / 2),
            "span_f1_overlap": fig((0 + 1 / 3) / 2),
        },
    ]
    assert (entities["items"], entities["items_compared"], entities["annotations"]) == (3, 3, 9)
    assert (entities["percent_agreement"], entities["krippendorff_alpha"]) == (None, None)


def test_multi_choice_is_aggregated_into_label_sets(app_client: TestClient, qp: QualityProject) -> None:
    topics = get(app_client, qp.project_id, qp.manager.headers, method="majority_vote").json()["controls"][2]

    # majority per label: task 1 price 3/3, service 1/3 → {price}; task 2 food 2/3 → {food}; task 3 {service};
    # task 4 (A alone) {price}. Confidence Π max(p, 1 − p): 2/3, 2/3, 1, 1
    assert topics["aggregation"] == {
        "method": "majority_vote",
        "method_used": "majority",
        "method_reason": None,
        "items": 4,
        "spans": None,
        "mean_confidence": pytest.approx(5 / 6),
        "mean_confidence_reason": None,
        "low_confidence_items": 2,
        "threshold": 0.7,
    }
    assert topics["aggregation_reason"] is None
    # no agreement with a label set nor skill per annotator (yet)
    assert all(
        row["skill"] == row["agreement_with_aggregate"] == undefined(NA) for row in topics["annotators"]
    )


@pytest.mark.parametrize("method", list(AGGREGATORS))
def test_multi_choice_maps_every_method_onto_the_multi_label_aggregator_and_says_so(
    app_client: TestClient, qp: QualityProject, db: Database, method: str
) -> None:
    body = get(app_client, qp.project_id, qp.manager.headers, method=method).json()

    topics = body["controls"][2]["aggregation"]
    used = "dawid_skene" if method == "dawid_skene" else "majority"
    substituted = method not in ("majority_vote", "dawid_skene")
    frame = qp.frame(db, "topics").rename(columns={"label": "labels"})
    fitted = MultiLabelAggregator(method=used).fit(frame)
    confidence = np.prod(np.maximum(fitted.probas_, 1 - fitted.probas_), axis=1)
    assert topics == {
        "method": method,
        "method_used": used,
        "method_reason": SUBSTITUTED if substituted else None,
        "items": 4,
        "spans": None,
        "mean_confidence": pytest.approx(float(confidence.mean())),
        "mean_confidence_reason": None,
        "low_confidence_items": int((confidence < 0.7).sum()),
        "threshold": 0.7,
    }
    # spans never use the method asked for: always said
    assert body["controls"][3]["aggregation"]["method_reason"] == SUBSTITUTED
    assert SUBSTITUTED in body["reasons"]


def test_spans_are_aggregated_by_a_token_vote(
    app_client: TestClient, qp: QualityProject, db: Database
) -> None:
    entities = get(app_client, qp.project_id, qp.admin.headers).json()["controls"][3]

    # task 1: PER 0-3 ×2, PER 0-9 → PER 0-3 (support 3/3; 3-9 has 1 vote of 3); task 2: ORG by C alone → none;
    # task 3: PER 0-3 (3/3), ORG 19-23 (2/3 < 0.7). Mean support (1 + 1 + 2/3) / 3
    assert entities["aggregation"] == {
        "method": "dawid_skene",
        "method_used": "token_vote",
        "method_reason": SUBSTITUTED,
        "items": 3,
        "spans": 3,
        "mean_confidence": pytest.approx(8 / 9),
        "mean_confidence_reason": None,
        "low_confidence_items": 1,
        "threshold": 0.7,
    }
    assert entities["aggregation_reason"] is None
    frame = qp.frame(db, "entities")
    by_core = [
        aggregate_spans([[(s["start"], s["end"], s["label"]) for s in spans] for spans in group["label"]])
        for _, group in frame.groupby("item")
    ]
    supports = [span.support for spans in by_core for span in spans]
    assert [[span.as_span() for span in spans] for spans in by_core] == [
        [(0, 3, "PER")],
        [],
        [(0, 3, "PER"), (19, 23, "ORG")],
    ]
    assert entities["aggregation"]["mean_confidence"] == pytest.approx(sum(supports) / len(supports))


def test_spans_without_any_consensus_span_give_a_null_support_with_a_reason(
    app_client: TestClient, factory: Factory, db: Database
) -> None:
    admin = factory.user(is_admin=True)
    ws = factory.workspace(admin)
    people = [factory.member(admin, ws, "annotator") for _ in range(3)]
    schema = {
        "controls": [control for control in QUALITY_SCHEMA["controls"] if control["name"] == "entities"]
    }
    project = factory.project(admin, ws, schema=schema, overlap=3)
    (task,) = factory.tasks(admin, project, ["Ana Lopez works at Acme Corp"])
    for who, spans in zip(people, ([{"start": 0, "end": 3, "label": "PER"}], [], []), strict=True):
        annotate.submit_annotation(db, who.principal, task, result={"entities": spans}, lead_time_ms=None)

    body = get(app_client, project, {**admin.headers, "Accept-Language": "es"}, method="mace").json()

    (entities,) = body["controls"]
    assert entities["aggregation"] == {
        "method": "mace",
        "method_used": "token_vote",
        "method_reason": SUBSTITUTED,
        "items": 1,
        "spans": 0,
        "mean_confidence": None,
        "mean_confidence_reason": "no_spans",
        "low_confidence_items": 0,
        "threshold": 0.7,
    }
    assert body["reasons"]["no_spans"] == (
        "La votación no conservó ningún fragmento, así que no hay apoyo que promediar."
    )
    assert body["reasons"][SUBSTITUTED] == (
        "El método de agregación elegido no se aplica a este tipo de control; se agregó con el método "
        "indicado en method_used."
    )


def test_free_text_is_skipped_with_a_reason(app_client: TestClient, qp: QualityProject) -> None:
    comment = get(app_client, qp.project_id, qp.admin.headers).json()["controls"][4]

    assert comment == {
        "name": "comment",
        "type": "text",
        "level": None,
        "skipped": "free_text",
        "items": 1,
        "items_compared": 0,
        "annotations": 1,
        "ignored": 0,
        "percent_agreement": None,
        "krippendorff_alpha": None,
        "fleiss_kappa": None,
        "span_f1_exact": None,
        "span_f1_overlap": None,
        "labels": [],
        "annotators_total": 1,
        "annotators": [],
        "aggregation": None,
        "aggregation_reason": "free_text",
    }


@pytest.mark.parametrize("method", list(AGGREGATORS))
def test_every_method_reports_what_the_core_aggregator_estimates(
    app_client: TestClient, qp: QualityProject, db: Database, method: str
) -> None:
    r = get(app_client, qp.project_id, qp.manager.headers, method=method)

    assert r.status_code == 200, r.text
    sentiment = r.json()["controls"][0]
    fitted = AGGREGATORS[method]().fit(qp.frame(db, "sentiment"))
    confidence = fitted.probas_[np.arange(len(fitted.items_)), fitted.labels_]
    assert sentiment["aggregation"] == {
        "method": method,
        "method_used": method,
        "method_reason": None,
        "items": 5,
        "spans": None,
        "mean_confidence": pytest.approx(float(confidence.mean())),
        "mean_confidence_reason": None,
        "low_confidence_items": int((confidence < 0.7).sum()),
        "threshold": 0.7,
    }
    chosen = fitted.predicted_labels().to_dict()
    skills = getattr(fitted, "skills_", None)
    frame = qp.frame(db, "sentiment")
    shared = frame[frame["item"] != qp.task_ids[4]]  # task 5 was answered once
    for row in sentiment["annotators"]:
        mine = shared[shared["annotator"] == row["annotator_id"]]
        agreeing = sum(label == chosen[item] for item, label in zip(mine["item"], mine["label"], strict=True))
        assert row["agreement_with_aggregate"] == fig(agreeing / len(mine))
        if skills is None:
            assert row["skill"] == undefined("not_provided_by_method")
        else:
            index = list(fitted.annotators_).index(row["annotator_id"])
            assert row["skill"] == fig(float(skills[index]))


@pytest.mark.parametrize("who", ["admin", "manager", "reviewer", "viewer"])
def test_staff_reviewers_and_viewers_may_see_it(app_client: TestClient, qp: QualityProject, who: str) -> None:
    r = get(app_client, qp.project_id, getattr(qp, who).headers)

    assert r.status_code == 200, r.text
    assert r.json()["annotations"] == 13


def test_annotators_may_not(app_client: TestClient, qp: QualityProject) -> None:
    r = get(app_client, qp.project_id, qp.annotators[0].headers)

    assert_error(r, 403, "permission_denied")


def test_another_workspaces_project_is_404(app_client: TestClient, qp: QualityProject) -> None:
    assert_error(get(app_client, qp.project_id, qp.outsider.headers), 404, "not_found")
    assert_error(get(app_client, qp.project_id + 1000, qp.admin.headers), 404, "not_found")


def test_unauthenticated_is_401(app_client: TestClient, qp: QualityProject) -> None:
    assert_error(get(app_client, qp.project_id, {}), 401, "not_authenticated")


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Aggregation method 'glad' does not exist; use one of: {names}."),
        ("es", "El método de agregación 'glad' no existe; use uno de: {names}."),
    ],
)
def test_an_unknown_method_is_400_naming_the_valid_ones(
    app_client: TestClient, qp: QualityProject, language: str, message: str
) -> None:
    r = get(app_client, qp.project_id, {**qp.manager.headers, "Accept-Language": language}, method="glad")

    error = assert_error(r, 400, "unknown_aggregation_method")
    assert error["message"] == message.format(names=", ".join(AGGREGATORS))


@pytest.mark.parametrize("limit", [0, 1001])
def test_annotator_limit_out_of_range_is_422(app_client: TestClient, qp: QualityProject, limit: int) -> None:
    r = get(app_client, qp.project_id, qp.manager.headers, annotator_limit=limit)

    assert_error(r, 422, "validation_error")


def test_the_annotator_list_is_capped_but_every_annotator_counts(
    app_client: TestClient, qp: QualityProject
) -> None:
    full = get(app_client, qp.project_id, qp.manager.headers, method="majority_vote").json()
    capped = get(
        app_client, qp.project_id, qp.manager.headers, method="majority_vote", annotator_limit=1
    ).json()

    sentiment = capped["controls"][0]
    assert capped["annotator_limit"] == 1
    assert sentiment["annotators_total"] == 3
    assert sentiment["annotators"] == full["controls"][0]["annotators"][:1]
    assert {k: v for k, v in sentiment.items() if k != "annotators"} == {
        k: v for k, v in full["controls"][0].items() if k != "annotators"
    }


def test_an_empty_project_gives_nulls_with_reasons(
    app_client: TestClient, qp: QualityProject, factory: Factory
) -> None:
    empty = factory.project(qp.admin, qp.workspace_id, schema=QUALITY_SCHEMA, overlap=3, name="Empty")
    factory.tasks(qp.admin, empty, ["nothing yet"])

    r = get(app_client, empty, {**qp.manager.headers, "Accept-Language": "es"})

    assert r.status_code == 200, r.text
    body = r.json()
    none = undefined("no_annotations")
    sentiment, stars, topics, entities, comment = body["controls"]
    for control in (sentiment, stars):
        assert (control["percent_agreement"], control["krippendorff_alpha"], control["fleiss_kappa"]) == (
            none,
            none,
            none,
        )
        assert all(
            label["fleiss_kappa"] == label["krippendorff_alpha"] == none for label in control["labels"]
        )
        assert all(label["count"] == 0 for label in control["labels"])
        assert (control["aggregation"], control["aggregation_reason"]) == (None, "no_annotations")
        assert (control["items"], control["annotations"], control["annotators_total"]) == (0, 0, 0)
        assert control["annotators"] == []
    assert topics["percent_agreement"] == none
    assert (entities["span_f1_exact"], entities["span_f1_overlap"]) == (none, none)
    for control in (topics, entities):
        assert (control["aggregation"], control["aggregation_reason"]) == (None, "no_annotations")
    assert comment["skipped"] == "free_text"
    assert (body["annotations"], body["annotators"]) == (0, 0)
    assert body["reasons"] == {
        code: translate(f"quality_reason_{code}", "es") for code in ("free_text", "no_annotations")
    }
    assert body["reasons"]["no_annotations"] == "Nadie ha respondido todavía a este control."


def test_undefined_statistics_say_why(app_client: TestClient, factory: Factory, db: Database) -> None:
    """Single answers: no overlap. Everyone agrees: no variation. Two vs three answers: unequal raters."""
    admin = factory.user(is_admin=True)
    ws = factory.workspace(admin)
    people = [factory.member(admin, ws, "annotator") for _ in range(3)]
    project = factory.project(admin, ws, overlap=3)
    tasks = factory.tasks(admin, project, ["one", "two", "three"])

    def answer(task: int, labels: list[str]) -> None:
        for who, label in zip(people, labels, strict=False):
            annotate.submit_annotation(
                db, who.principal, task, result={"sentiment": label}, lead_time_ms=None
            )

    answer(tasks[0], ["positive"])
    once = get(app_client, project, admin.headers).json()["controls"][0]
    assert (once["percent_agreement"], once["krippendorff_alpha"], once["fleiss_kappa"]) == (
        undefined("no_overlap"),
        undefined("no_overlap"),
        undefined("no_overlap"),
    )
    assert once["annotators"][0]["agreement_with_aggregate"] == undefined("no_overlap")
    assert once["aggregation"]["items"] == 1

    answer(tasks[1], ["positive", "positive"])
    same = get(app_client, project, admin.headers).json()["controls"][0]
    assert same["percent_agreement"] == fig(1.0)
    assert same["krippendorff_alpha"] == same["fleiss_kappa"] == undefined("no_variation")
    assert [label["fleiss_kappa"] for label in same["labels"]] == [
        undefined("no_variation"),
        undefined("label_unused"),
        undefined("label_unused"),
    ]

    answer(tasks[2], ["negative", "positive", "negative"])
    mixed = get(app_client, project, admin.headers).json()
    sentiment = mixed["controls"][0]
    # task 2: 2 answers, task 3: 3 answers
    assert sentiment["fleiss_kappa"] == undefined("unequal_raters")
    nan = np.nan
    assert sentiment["krippendorff_alpha"] == fig(
        krippendorff_alpha([[0.0, 0.0, 1.0], [nan, 0.0, 0.0], [nan, nan, 1.0]], "nominal")
    )
    assert sentiment["percent_agreement"] == fig((1 + 1 / 3) / 2)
    assert sentiment["labels"][0]["fleiss_kappa"] == undefined("unequal_raters")
    assert sentiment["labels"][0]["krippendorff_alpha"]["value"] is not None
    assert set(mixed["reasons"]) == {"unequal_raters", "label_unused"}


def test_skipped_tasks_and_answers_that_no_longer_fit_do_not_count(
    app_client: TestClient, qp: QualityProject, db: Database
) -> None:
    annotate.skip_task(db, qp.admin.principal, qp.task_ids[5])
    schema = {"controls": [SENTIMENT_WITHOUT_NEUTRAL]}
    r = app_client.patch(
        f"/api/v1/projects/{qp.project_id}", json={"schema": schema}, headers=qp.admin.headers
    )
    assert r.status_code == 200, r.text

    body = get(app_client, qp.project_id, qp.manager.headers).json()

    assert body["schema_version"] == 2
    assert body["annotations"] == 13
    (sentiment,) = body["controls"]
    # the four "neutral" answers are no longer a label of the schema
    assert (sentiment["annotations"], sentiment["ignored"], sentiment["items"]) == (9, 4, 4)
    assert [label["label"] for label in sentiment["labels"]] == ["positive", "negative"]
