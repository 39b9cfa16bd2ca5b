"""Review of annotations, as pure functions: who may review what, what a verdict must carry, and the
definitions the review queue filters on.

A **review** is one reviewer's verdict on one annotation:

- ``accepted``: the answer is right; a comment is optional;
- ``rejected``: the answer is wrong; the comment (not blank) says why, so that the annotator can learn;
- ``fixed``: the answer is wrong and the reviewer gives the right one, ``fixed_result``, which must fit
  the project's label schema exactly as an annotation result must, and must differ from the answer
  (an unchanged "fix" is an acceptance). A comment is optional.

The annotation itself never changes: its answer is the annotator's, with its provenance; a fix lives in
the review (adjudication, later, decides the task's final label from answers, reviews and fixes).

**History.** Every review is kept. An annotation may be reviewed again, by the same reviewer (who changes
their mind) or another one; its **current verdict** is that of its newest review (``current_verdict``).
Nothing is overwritten, so the audit trail of a label is the list of its reviews.

**Who** (``decide_review``): a role holding ``Action.REVIEW`` (admins, managers, reviewers), on someone
else's annotation. Reviewing one's own work proves nothing, so it is refused whatever the role.

**Undo.** An annotation that has been reviewed can no longer be withdrawn by its annotator
(``consenso.core.assignment.decide_withdrawal``): the verdict keeps its object.

**Queue filters** (``review_coverage``): a task with annotations has *none*, *some* or *all* of them
reviewed, where *some* means at least one and not all (a task whose every annotation is reviewed is
*all*, not *some*). A task is *complete* when it holds its ``overlap`` annotations
(``consenso.core.progress.task_status``).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from consenso.core.errors import InvalidInput, ReviewInvalid
from consenso.core.permissions import Action, Role, allows
from consenso.core.schema import ChoiceControl, LabelSchema

# A comment is feedback for a person, not a document: long enough for a paragraph with an example.
MAX_COMMENT_LENGTH: Final = 2000
# Characters of a task's text shown in the review queue before it is cut with "…".
PREVIEW_LENGTH: Final = 200


class Verdict(enum.StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    FIXED = "fixed"


class ReviewCoverage(enum.StrEnum):
    """How many of a task's annotations have been reviewed (the queue's ``reviewed`` filter)."""

    NONE = "none"
    SOME = "some"
    ALL = "all"


class ReviewPermission(enum.StrEnum):
    """What ``decide_review`` answers."""

    ALLOWED = "allowed"
    ROLE_DENIED = "role_denied"  # the role does not hold Action.REVIEW
    OWN_ANNOTATION = "own_annotation"  # nobody reviews their own work


def decide_review(role: Role, *, reviewer_id: int, annotator_id: int) -> ReviewPermission:
    """May a member with ``role`` (user ``reviewer_id``) review an annotation made by ``annotator_id``?

    1. The role must hold ``Action.REVIEW`` (admins, managers, reviewers).
    2. Never one's own annotation: a reviewer who also annotated the task may judge the others' answers,
       not their own.
    """
    if not allows(role, Action.REVIEW):
        return ReviewPermission.ROLE_DENIED
    if reviewer_id == annotator_id:
        return ReviewPermission.OWN_ANNOTATION
    return ReviewPermission.ALLOWED


def check_review(
    verdict: Verdict,
    comment: str,
    fixed_result: Any,
    *,
    schema: LabelSchema,
    task_data: Mapping[str, object],
    annotation_result: Mapping[str, Any],
) -> str:
    """Validate a verdict with its comment and fix; return the comment as stored (surrounding blanks cut).

    Raises ``ReviewInvalid`` (``review_comment_too_long``, ``review_comment_required``,
    ``review_fixed_result_required``, ``review_fixed_result_not_allowed``, ``review_fix_unchanged``) or,
    for a fix that does not fit the schema, ``ResultInvalid`` with every issue, as for an annotation.
    """
    text = comment.strip()
    if len(text) > MAX_COMMENT_LENGTH:
        raise ReviewInvalid("review_comment_too_long", limit=MAX_COMMENT_LENGTH, length=len(text))
    if verdict is Verdict.REJECTED and not text:
        raise ReviewInvalid("review_comment_required")
    if verdict is Verdict.FIXED:
        if fixed_result is None:
            raise ReviewInvalid("review_fixed_result_required")
        schema.validate_result(fixed_result, task_data)
        if fixed_result == annotation_result:
            raise ReviewInvalid("review_fix_unchanged")
    elif fixed_result is not None:
        raise ReviewInvalid("review_fixed_result_not_allowed", verdict=verdict.value)
    return text


@dataclass(frozen=True, slots=True)
class ReviewFact:
    """A stored review as the definitions below need it: its id (ids grow with time) and verdict."""

    id: int
    verdict: Verdict


def current_verdict(reviews: Iterable[ReviewFact]) -> Verdict | None:
    """The verdict of the newest review (highest id) of one annotation; None when it has none."""
    newest: ReviewFact | None = None
    for review in reviews:
        if newest is None or review.id > newest.id:
            newest = review
    return newest.verdict if newest is not None else None


def review_coverage(*, reviewed: int, annotations: int) -> ReviewCoverage:
    """``none`` / ``some`` / ``all`` of a task's ``annotations`` reviewed (see the module docstring)."""
    if reviewed <= 0:
        return ReviewCoverage.NONE
    if reviewed < annotations:
        return ReviewCoverage.SOME
    return ReviewCoverage.ALL


def label_filter_controls(schema: LabelSchema, control: str | None, label: str) -> list[str]:
    """The choice controls the queue's ``label`` filter looks at: ``control`` alone, or every choice
    control offering ``label`` when no control is named.

    Raises ``InvalidInput``: ``review_filter_not_choice`` when ``control`` is not a choice control of the
    schema, ``review_filter_unknown_label`` when no control searched offers ``label``. A typo then says so
    instead of answering an empty page.
    """
    if control is not None:
        found = schema.control(control)
        if not isinstance(found, ChoiceControl):
            raise InvalidInput("review_filter_not_choice", control=control)
        candidates: Sequence[ChoiceControl] = [found]
    else:
        candidates = [c for c in schema.controls if isinstance(c, ChoiceControl)]
    names = [c.name for c in candidates if label in c.values]
    if not names:
        raise InvalidInput("review_filter_unknown_label", label=label)
    return names


def preview_text(data: Mapping[str, Any], fields: Sequence[str], limit: int = PREVIEW_LENGTH) -> str:
    """A short text standing for a task in the queue: the first of ``fields`` (the schema's text fields,
    in control order) holding a string, else the first string value of ``data``; cut to ``limit``
    characters, "…" included. Empty when the task holds no string at all."""
    text = next((data[f] for f in fields if isinstance(data.get(f), str)), None)
    if text is None:
        text = next((v for v in data.values() if isinstance(v, str)), "")
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = [
    "MAX_COMMENT_LENGTH",
    "PREVIEW_LENGTH",
    "ReviewCoverage",
    "ReviewFact",
    "ReviewPermission",
    "Verdict",
    "check_review",
    "current_verdict",
    "decide_review",
    "label_filter_controls",
    "preview_text",
    "review_coverage",
]
