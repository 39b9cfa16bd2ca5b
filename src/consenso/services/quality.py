"""Quality figures of a project, computed from its submitted annotations with the core metrics.

One read transaction streams every annotation of the project (one query, see
``annotations.project_results``) into per-control columns; the figures are computed after it ends, with
numpy and pandas, by :mod:`consenso.core.quality`. Skipped tasks leave no annotation, so only submitted
answers count. Answers are read against the project's current schema (an answer that no longer fits is
counted as ``ignored``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy.orm import Session

from consenso.core.aggregation import AGGREGATORS
from consenso.core.errors import NotFound
from consenso.core.permissions import Action
from consenso.core.quality import (
    ANNOTATOR_LIMIT,
    DEFAULT_METHOD,
    LOW_CONFIDENCE,
    Aggregate,
    AnnotationRow,
    ControlQuality,
    aggregatable,
    aggregates,
    check_method,
    collect_answers,
    quality_report,
)
from consenso.core.schema import LabelSchema
from consenso.services.access import project_for
from consenso.services.principal import Principal
from consenso.services.projects import schema_cache
from consenso.store.database import Database
from consenso.store.models import Project
from consenso.store.repositories import annotations as annotation_repo
from consenso.store.repositories import projects as project_repo


@dataclass(frozen=True, slots=True)
class ProjectQualityView:
    """A project's quality report: totals, then one :class:`ControlQuality` per control in schema order."""

    project_id: int
    schema_version: int
    method: str
    methods: tuple[str, ...]
    annotations: int
    annotators: int
    annotator_limit: int
    low_confidence_threshold: float
    controls: tuple[ControlQuality, ...]


class _Tally:
    """Passes the annotation rows through, counting them and their distinct annotators."""

    def __init__(self, rows: Iterable[AnnotationRow]) -> None:
        self._rows = rows
        self.count = 0
        self.annotators: set[int] = set()

    def __iter__(self) -> Iterator[AnnotationRow]:
        for row in self._rows:
            self.count += 1
            self.annotators.add(row[1])
            yield row


def _schema(session: Session, project: Project) -> tuple[LabelSchema, int]:
    row = project_repo.get_schema_version(session, project.schema_version_id or 0)
    if row is None:
        raise NotFound("not_found", kind_key="kind_project")
    return schema_cache.get(session, row.id), row.version


def project_quality(
    db: Database,
    principal: Principal,
    project_id: int,
    method: str = DEFAULT_METHOD,
    *,
    annotator_limit: int = ANNOTATOR_LIMIT,
) -> ProjectQualityView:
    """Agreement, per-label, per-annotator and aggregation figures of every control of the project.

    ``method`` is a key of ``AGGREGATORS`` (else ``InvalidInput`` ``unknown_aggregation_method``, naming
    the valid ones); ``annotator_limit`` caps the annotators listed per control (every annotator still
    counts in the figures). Roles: ``Action.VIEW_QUALITY``.
    """
    check_method(method)
    with db.read() as session:
        project, _ = project_for(session, principal, project_id, Action.VIEW_QUALITY)
        schema, version = _schema(session, project)
        rows = _Tally(annotation_repo.project_results(session, project_id))
        answers = collect_answers(schema, rows)
    controls = quality_report(schema, answers, method=method, annotator_limit=annotator_limit)
    return ProjectQualityView(
        project_id=project_id,
        schema_version=version,
        method=method,
        methods=tuple(AGGREGATORS),
        annotations=rows.count,
        annotators=len(rows.annotators),
        annotator_limit=annotator_limit,
        low_confidence_threshold=LOW_CONFIDENCE,
        controls=controls,
    )


def project_aggregates(session: Session, project_id: int, method: str) -> dict[str, Aggregate | None]:
    """The aggregated answer of every task, per aggregated control (choice, rating, multi_choice, spans),
    inside the caller's transaction (the export's snapshot). Access is the caller's business."""
    check_method(method)
    project = project_repo.get_project(session, project_id)
    if project is None:
        raise NotFound("not_found", kind_key="kind_project")
    schema, _ = _schema(session, project)
    wanted = [c.name for c in schema.controls if aggregatable(c)]
    if not wanted:
        return {}
    answers = collect_answers(schema, annotation_repo.project_results(session, project_id), only=wanted)
    return aggregates(schema, answers, method)
