"""Review policy: who may review what, what each verdict needs, and the queue's definitions."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consenso.core.errors import InvalidInput, ResultInvalid, ReviewInvalid
from consenso.core.permissions import Action, Role, allows
from consenso.core.review import (
    MAX_COMMENT_LENGTH,
    PREVIEW_LENGTH,
    ReviewCoverage,
    ReviewFact,
    ReviewPermission,
    Verdict,
    check_review,
    current_verdict,
    decide_review,
    label_filter_controls,
    preview_text,
    review_coverage,
)
from consenso.core.schema import LabelSchema

SCHEMA = LabelSchema.parse(
    {
        "controls": [
            {
                "name": "sentiment",
                "type": "choice",
                "field": "text",
                "labels": [{"value": "positive"}, {"value": "negative"}, {"value": "other"}],
            },
            {"name": "topics", "type": "multi_choice", "field": "text", "labels": [{"value": "sport"}]},
            {
                "name": "tone",
                "type": "choice",
                "field": "text",
                "labels": [{"value": "calm"}, {"value": "other"}],
            },
            {"name": "note", "type": "text", "field": "title"},
        ]
    }
)
DATA = {"text": "Great match", "title": "T"}
ANSWER = {"sentiment": "positive", "tone": "calm"}


def _check(verdict: Verdict, comment: str = "", fixed: Any = None) -> str:
    return check_review(verdict, comment, fixed, schema=SCHEMA, task_data=DATA, annotation_result=ANSWER)


def _code(exc: pytest.ExceptionInfo[Exception]) -> str:
    err = exc.value
    assert isinstance(err, InvalidInput)
    return err.message_key


@pytest.mark.parametrize("role", list(Role))
def test_who_may_review(role: Role) -> None:
    decision = decide_review(role, reviewer_id=1, annotator_id=2)
    expected = ReviewPermission.ALLOWED if allows(role, Action.REVIEW) else ReviewPermission.ROLE_DENIED
    assert decision is expected
    assert (decision is ReviewPermission.ALLOWED) == (role in {Role.ADMIN, Role.MANAGER, Role.REVIEWER})


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER, Role.REVIEWER])
def test_nobody_reviews_their_own_annotation(role: Role) -> None:
    assert decide_review(role, reviewer_id=3, annotator_id=3) is ReviewPermission.OWN_ANNOTATION


def test_an_annotator_is_refused_for_the_role_before_ownership() -> None:
    assert decide_review(Role.ANNOTATOR, reviewer_id=3, annotator_id=3) is ReviewPermission.ROLE_DENIED


def test_accept_needs_nothing_and_keeps_an_optional_comment_trimmed() -> None:
    assert _check(Verdict.ACCEPTED) == ""
    assert _check(Verdict.ACCEPTED, "  fine\n") == "fine"


def test_reject_needs_a_comment_that_is_not_blank() -> None:
    for comment in ("", "   ", "\n\t"):
        with pytest.raises(ReviewInvalid) as exc:
            _check(Verdict.REJECTED, comment)
        assert _code(exc) == "review_comment_required"
    assert _check(Verdict.REJECTED, " wrong label ") == "wrong label"


def test_the_comment_limit_counts_characters_after_trimming() -> None:
    assert _check(Verdict.ACCEPTED, " " + "ñ" * MAX_COMMENT_LENGTH + " ") == "ñ" * MAX_COMMENT_LENGTH
    with pytest.raises(ReviewInvalid) as exc:
        _check(Verdict.ACCEPTED, "x" * (MAX_COMMENT_LENGTH + 1))
    assert _code(exc) == "review_comment_too_long"
    assert exc.value.params == {"limit": 2000, "length": 2001}


def test_fixed_needs_a_valid_different_result() -> None:
    with pytest.raises(ReviewInvalid) as exc:
        _check(Verdict.FIXED)
    assert _code(exc) == "review_fixed_result_required"
    with pytest.raises(ReviewInvalid) as exc:
        _check(Verdict.FIXED, fixed=dict(ANSWER))
    assert _code(exc) == "review_fix_unchanged"
    with pytest.raises(ResultInvalid) as invalid:
        _check(Verdict.FIXED, fixed={"sentiment": "angry"})
    assert [d["code"] for d in invalid.value.details] == ["unknown_label", "missing_answer"]
    assert _check(Verdict.FIXED, "", {"sentiment": "negative", "tone": "calm"}) == ""


@pytest.mark.parametrize("verdict", [Verdict.ACCEPTED, Verdict.REJECTED])
def test_only_fixed_carries_a_result(verdict: Verdict) -> None:
    with pytest.raises(ReviewInvalid) as exc:
        _check(verdict, "why", {"sentiment": "negative", "tone": "calm"})
    assert _code(exc) == "review_fixed_result_not_allowed"
    assert exc.value.params == {"verdict": verdict.value}


def test_every_review_error_is_a_review_invalid_with_a_message_in_both_languages() -> None:
    with pytest.raises(ReviewInvalid) as exc:
        _check(Verdict.REJECTED)
    assert exc.value.code == "review_invalid"
    assert exc.value.message("en") == "A rejection needs a comment saying what is wrong."
    assert exc.value.message("es") == "Un rechazo necesita un comentario que diga qué está mal."


def test_the_current_verdict_is_the_newest_review() -> None:
    assert current_verdict([]) is None
    reviews = [ReviewFact(5, Verdict.ACCEPTED), ReviewFact(9, Verdict.FIXED), ReviewFact(7, Verdict.REJECTED)]
    assert current_verdict(reviews) is Verdict.FIXED


@given(st.lists(st.tuples(st.integers(1, 10_000), st.sampled_from(list(Verdict))), unique_by=lambda r: r[0]))
def test_the_current_verdict_does_not_depend_on_order(raw: list[tuple[int, Verdict]]) -> None:
    facts = [ReviewFact(i, v) for i, v in raw]
    expected = max(facts, key=lambda f: f.id).verdict if facts else None
    assert current_verdict(facts) is expected
    assert current_verdict(reversed(facts)) is expected


@given(st.integers(1, 50), st.data())
def test_coverage_partitions_the_tasks(annotations: int, data: st.DataObject) -> None:
    reviewed = data.draw(st.integers(0, annotations))
    coverage = review_coverage(reviewed=reviewed, annotations=annotations)
    assert (coverage is ReviewCoverage.NONE) == (reviewed == 0)
    assert (coverage is ReviewCoverage.ALL) == (reviewed == annotations)
    assert (coverage is ReviewCoverage.SOME) == (0 < reviewed < annotations)


def test_the_label_filter_looks_in_choice_controls() -> None:
    assert label_filter_controls(SCHEMA, None, "other") == ["sentiment", "tone"]
    assert label_filter_controls(SCHEMA, "tone", "other") == ["tone"]
    assert label_filter_controls(SCHEMA, None, "positive") == ["sentiment"]


@pytest.mark.parametrize(
    ("control", "label", "code"),
    [
        (None, "sport", "review_filter_unknown_label"),  # a multi_choice label: not a choice control
        ("tone", "positive", "review_filter_unknown_label"),
        ("topics", "sport", "review_filter_not_choice"),
        ("note", "x", "review_filter_not_choice"),
        ("nope", "positive", "review_filter_not_choice"),
    ],
)
def test_the_label_filter_refuses_what_cannot_match(control: str | None, label: str, code: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        label_filter_controls(SCHEMA, control, label)
    assert _code(exc) == code


def test_the_preview_prefers_the_schemas_text_fields_and_cuts_long_text() -> None:
    assert preview_text({"id": "x-1", "text": "hola"}, ["text"]) == "hola"
    assert preview_text({"id": "x-1", "n": 3}, ["text"]) == "x-1"
    assert preview_text({"n": 3, "image": None}, ["text"]) == ""
    assert preview_text({"text": 5, "title": "fallback"}, ["text"]) == "fallback"
    long = "a" * (PREVIEW_LENGTH + 1)
    cut = preview_text({"text": long}, ["text"])
    assert (len(cut), cut[-1], cut[:-1]) == (PREVIEW_LENGTH, "…", "a" * (PREVIEW_LENGTH - 1))
    exact = "b" * PREVIEW_LENGTH
    assert preview_text({"text": exact}, ["text"]) == exact
