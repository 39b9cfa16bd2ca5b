"""Annotator reliability of a project: gold accuracy, agreement with final labels, Dawid-Skene confusion
matrices, throughput, lead times and pauses, per annotator (formulas in ``consenso.core.qa.reliability``).

Three entry points:

- :func:`project_reliability` — every annotator of the project (everyone with an annotation in it), for the
  roles that see the activity dashboard (``Action.VIEW_DASHBOARD``: figures about named people);
- :func:`own_reliability` — the caller's own figures (any member who may annotate), nothing about anyone
  else. Blind annotation: gold, final-label and confusion figures cover the caller's annotations in whole
  blocks only (``report_block``), so that a figure moving right after one of their submissions cannot tell
  a gold task from another nor reveal how that task was labelled by others (figures still drift as others'
  answers finalize older tasks or refit Dawid-Skene: aggregate news about no task in particular); counts,
  throughput and lead times are up to date;
- :func:`reliability_for` — a few annotators inside the caller's transaction (the adjudication view). It
  skips the Dawid-Skene fits (``confusion`` is None): a fit reads every answer of the project, too much for
  one page view; the gold and final-label figures read only those annotators' rows.

The first two read the rows in one read transaction and compute after it ends, as the quality report does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from consenso.core.errors import NotFound
from consenso.core.permissions import Action
from consenso.core.qa import QaSettings
from consenso.core.qa.reliability import (
    CONFIDENCE,
    NO_GOLD,
    ConfusionMatrix,
    FinalAgreement,
    GoldFigures,
    LeadTimes,
    Throughput,
    confusion_controls,
    confusion_matrices,
    covered_annotations,
    final_agreement,
    gold_figures,
    lead_times,
    no_confusion,
    no_final_agreement,
    report_block,
    throughput,
)
from consenso.core.quality import collect_answers
from consenso.core.schema import LabelSchema
from consenso.services.access import project_for
from consenso.services.principal import Principal
from consenso.services.projects import schema_cache
from consenso.store.database import Database
from consenso.store.models import Project
from consenso.store.repositories import projects as project_repo
from consenso.store.repositories import reliability as reliability_repo
from consenso.store.repositories.reliability import AnnotationStat


@dataclass(frozen=True, slots=True)
class AnnotatorReliabilityView:
    """One annotator's figures. ``confusion`` is None when it was not computed (``reliability_for``)."""

    user_id: int
    email: str
    name: str
    annotations: int
    gold: GoldFigures
    agreement_with_final: FinalAgreement
    confusion: tuple[ConfusionMatrix, ...] | None
    throughput: Throughput
    lead_time_ms: LeadTimes
    paused: bool
    paused_at: datetime | None


@dataclass(frozen=True, slots=True)
class ProjectReliabilityView:
    project_id: int
    schema_version: int
    gold_pass_score: float
    confidence: float
    annotators: tuple[AnnotatorReliabilityView, ...]


@dataclass(frozen=True, slots=True)
class OwnReliabilityView:
    project_id: int
    schema_version: int
    gold_pass_score: float
    confidence: float
    block: int
    covered_annotations: int
    annotator: AnnotatorReliabilityView


@dataclass(slots=True)
class _Rows:
    """What one read transaction gathers for the figures."""

    schema: LabelSchema
    schema_version: int
    settings: QaSettings
    people: dict[int, tuple[str, str]]
    stats: list[AnnotationStat]
    finals: list[tuple[int, int, int, Any, Any]]
    answers: list[tuple[int, int, int, Any]] | None
    pauses: dict[int, datetime]


def _schema(session: Session, project: Project) -> tuple[LabelSchema, int]:
    row = project_repo.get_schema_version(session, project.schema_version_id or 0)
    if row is None:
        raise NotFound("not_found", kind_key="kind_project")
    return schema_cache.get(session, row.id), row.version


def _read(
    session: Session, project: Project, annotator_ids: Collection[int] | None, *, with_answers: bool
) -> _Rows:
    schema, version = _schema(session, project)
    if annotator_ids is None:
        people = {uid: (email, name) for uid, email, name in reliability_repo.annotators(session, project.id)}
    else:
        people = reliability_repo.people(session, annotator_ids)
    return _Rows(
        schema=schema,
        schema_version=version,
        settings=QaSettings.stored(project.qa),
        people=people,
        stats=reliability_repo.annotation_stats(session, project.id, annotator_ids),
        finals=reliability_repo.final_pairs(session, project.id, annotator_ids),
        answers=list(reliability_repo.non_gold_results(session, project.id)) if with_answers else None,
        pauses=reliability_repo.live_pauses(session, project.id, annotator_ids),
    )


def _confusions(
    schema: LabelSchema, answers: Iterable[tuple[int, int, int, Any]]
) -> dict[str, dict[int, ConfusionMatrix]]:
    """Per choice or rating control, each annotator's matrix from one Dawid-Skene fit over ``answers``."""
    controls = confusion_controls(schema)
    if not controls:
        return {}
    columns = collect_answers(
        schema, ((task, who, result) for _, task, who, result in answers), only=[c.name for c in controls]
    )
    out: dict[str, dict[int, ConfusionMatrix]] = {}
    for control in controls:
        column = columns[control.name]
        rows = list(zip(column.items, column.annotators, column.values, strict=True))
        out[control.name] = confusion_matrices(control, rows)
    return out


def _figures(
    rows: _Rows,
    ids: Iterable[int],
    *,
    confusion: dict[str, dict[int, ConfusionMatrix]] | None,
    covered: dict[int, int] | None = None,
) -> list[AnnotatorReliabilityView]:
    """The views of ``ids``. ``covered``: per annotator, the highest annotation id the gold and final-label
    figures may count (their own report); None counts every annotation."""

    def counted(annotation_id: int, who: int) -> bool:
        return covered is None or annotation_id <= covered.get(who, 0)

    gold = gold_figures(
        (
            (s.task_id, s.annotator_id, s.gold_score)
            for s in rows.stats
            if s.gold and s.gold_score is not None and counted(s.id, s.annotator_id)
        ),
        pass_score=rows.settings.gold_pass_score,
    )
    finals = final_agreement(
        rows.schema,
        ((task, who, result, final) for aid, task, who, result, final in rows.finals if counted(aid, who)),
    )
    per_annotator: dict[int, list[AnnotationStat]] = defaultdict(list)
    for stat in rows.stats:
        per_annotator[stat.annotator_id].append(stat)
    controls = confusion_controls(rows.schema)
    out = []
    for who in ids:
        mine = per_annotator.get(who, [])
        email, name = rows.people.get(who, ("", ""))
        matrices = (
            None
            if confusion is None
            else tuple(confusion.get(c.name, {}).get(who) or no_confusion(c) for c in controls)
        )
        out.append(
            AnnotatorReliabilityView(
                user_id=who,
                email=email,
                name=name,
                annotations=len(mine),
                gold=gold.get(who, NO_GOLD),
                agreement_with_final=finals.get(who) or no_final_agreement(rows.schema),
                confusion=matrices,
                throughput=throughput([s.lead_time_ms for s in mine], [s.created_at for s in mine]),
                lead_time_ms=lead_times([s.lead_time_ms for s in mine]),
                paused=who in rows.pauses,
                paused_at=rows.pauses.get(who),
            )
        )
    return out


def reliability_for(
    session: Session, project_id: int, annotator_ids: Collection[int]
) -> dict[int, AnnotatorReliabilityView]:
    """The figures of ``annotator_ids`` in a project, inside the caller's transaction, without confusion
    matrices (see the module docstring). Every id asked for gets an entry (zeros for someone without
    annotations). Access is the caller's business."""
    project = project_repo.get_project(session, project_id)
    if project is None:
        raise NotFound("not_found", kind_key="kind_project")
    ids = list(dict.fromkeys(annotator_ids))
    if not ids:
        return {}
    rows = _read(session, project, ids, with_answers=False)
    return {view.user_id: view for view in _figures(rows, ids, confusion=None)}


def project_reliability(db: Database, principal: Principal, project_id: int) -> ProjectReliabilityView:
    """Every annotator's figures, the most annotations first (then user id). Roles: ``VIEW_DASHBOARD``."""
    with db.read() as session:
        project, _ = project_for(session, principal, project_id, Action.VIEW_DASHBOARD)
        rows = _read(session, project, None, with_answers=True)
    confusion = _confusions(rows.schema, rows.answers or [])
    views = _figures(rows, list(rows.people), confusion=confusion)
    views.sort(key=lambda v: (-v.annotations, v.user_id))
    return ProjectReliabilityView(
        project_id=project_id,
        schema_version=rows.schema_version,
        gold_pass_score=rows.settings.gold_pass_score,
        confidence=CONFIDENCE,
        annotators=tuple(views),
    )


def own_reliability(db: Database, principal: Principal, project_id: int) -> OwnReliabilityView:
    """The caller's own figures (any member who may annotate, ``Action.ANNOTATE``), gold, final-label and
    confusion figures over their annotations in whole blocks (see the module docstring)."""
    me = principal.user_id
    with db.read() as session:
        project, _ = project_for(session, principal, project_id, Action.ANNOTATE)
        rows = _read(session, project, [me], with_answers=True)
    block = report_block(rows.settings.gold_rate)
    ids = [s.id for s in rows.stats]  # the caller's, in submission order
    count = covered_annotations(len(ids), block)
    last = ids[count - 1] if count else 0
    # the fit sees everyone else's answers and the caller's covered ones only
    answers = [row for row in rows.answers or [] if row[2] != me or row[0] <= last]
    confusion = _confusions(rows.schema, answers)
    (view,) = _figures(rows, [me], confusion=confusion, covered={me: last})
    return OwnReliabilityView(
        project_id=project_id,
        schema_version=rows.schema_version,
        gold_pass_score=rows.settings.gold_pass_score,
        confidence=CONFIDENCE,
        block=block,
        covered_annotations=count,
        annotator=view,
    )
