"""How far a project has got: an annotator's own progress, and the managers' activity dashboard.

Both are read models computed when asked, with SQL aggregates (``store.repositories.activity``) over the
definitions of ``consenso.core.progress``. An annotator's progress holds their own numbers and the project's
task totals only (blind annotation: nothing about anyone else's answers); the dashboard, which names every
annotator with their output and speed, needs ``VIEW_DASHBOARD``.

Gold tasks are not work to finish: the task totals leave them out (their answers still count as
annotations, since an annotator cannot tell them apart). An annotator's ``available`` counts the tasks
routed to them (``next``'s filter) that ``next`` may still serve, the gold questions they have not seen
included: then every ``next``, submission, skip and undo moves it the same way whether the task was gold
or not (counting ordinary tasks only, it would stay put after a gold answer and give the task away). What
is left to an annotator is how many gold questions remain for them, never which task is one. A paused
annotator has ``paused`` true and nothing available; the dashboard lists the live pauses, so that the
managers are told.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from consenso.core.assignment import AssignmentState, lease_is_live
from consenso.core.errors import NotFound
from consenso.core.permissions import Action
from consenso.core.progress import (
    MEDIAN,
    P90,
    HourCount,
    hourly_series,
    percentile_from_ranks,
    throughput_window,
)
from consenso.core.qa import QaSettings, qualification
from consenso.services.access import effective_role, project_for, require
from consenso.services.annotate import member_skills
from consenso.services.clock import utcnow
from consenso.services.pauses import PauseView, live_pauses
from consenso.services.principal import Principal
from consenso.store.database import Database
from consenso.store.repositories import activity as activity_repo
from consenso.store.repositories import annotations as annotation_repo
from consenso.store.repositories import assignments as assignment_repo
from consenso.store.repositories import projects as project_repo


@dataclass(frozen=True, slots=True)
class AnnotatorProgressView:
    project_id: int
    user_id: int
    submitted: int
    skipped: int
    available: int
    leased_task_id: int | None
    tasks_total: int
    tasks_complete: int
    paused: bool


def annotator_progress(
    db: Database, principal: Principal, project_id: int, now: datetime | None = None
) -> AnnotatorProgressView:
    """The caller's own figures in a project, and the project's task totals (gold tasks left out)."""
    at = now or utcnow()
    with db.read() as session:
        row = project_repo.annotator_access_row(session, project_id, principal.user_id)
        role = effective_role(row.role, principal) if row else None
        if row is None or role is None:
            raise NotFound("not_found", kind_key="kind_project")
        require(role, Action.VIEW_PROJECT)
        user = principal.user_id
        held = assignment_repo.current_lease(session, project_id, user)
        leased = held[0] if held is not None and lease_is_live(held[1], at) else None
        total, complete, _ = activity_repo.task_counts(session, project_id)
        paused = bool(row.paused)
        if paused:
            available = 0
        else:
            settings = QaSettings.stored(row.qa)
            routed = qualification(member_skills(row.skills), settings.min_language_level)
            available = activity_repo.available_tasks(session, project_id, user, at, routed) + (
                1 if leased is not None else 0
            )
            if row.has_gold and settings.gold_rate > 0:
                available += activity_repo.untouched_gold(session, project_id, user, routed)
        return AnnotatorProgressView(
            project_id=project_id,
            user_id=user,
            submitted=annotation_repo.count_by_annotator(session, project_id, user),
            skipped=activity_repo.assignment_count(session, project_id, user, AssignmentState.SKIPPED),
            available=available,
            leased_task_id=leased,
            tasks_total=total,
            tasks_complete=complete,
            paused=paused,
        )


@dataclass(frozen=True, slots=True)
class LeadTimeView:
    """Lead times (``lead_time_ms``) of annotations that report one: how many, median and 90th percentile."""

    count: int
    median: float | None
    p90: float | None


@dataclass(frozen=True, slots=True)
class TaskCountsView:
    total: int
    complete: int
    in_progress: int
    untouched: int


@dataclass(frozen=True, slots=True)
class AnnotatorActivityView:
    user_id: int
    email: str
    name: str
    annotations: int
    skips: int
    last_annotation_at: datetime | None
    lead_time_ms: LeadTimeView


@dataclass(frozen=True, slots=True)
class DashboardView:
    project_id: int
    overlap: int
    generated_at: datetime
    tasks: TaskCountsView
    annotations: int
    skips: int
    lead_time_ms: LeadTimeView
    throughput: list[HourCount]
    annotators: list[AnnotatorActivityView]
    paused: list[PauseView]


_QUANTILES = (MEDIAN, P90)
_NO_LEAD_TIME = LeadTimeView(0, None, None)


def _lead_times(rows: list[tuple[int | None, int, int, int]]) -> dict[int | None, LeadTimeView]:
    """Per group (annotator id, or None for the project), the lead-time figures from its order statistics."""
    counts: dict[int | None, int] = {}
    ranked: dict[int | None, dict[int, float]] = defaultdict(dict)
    for group, count, rank, value in rows:
        counts[group] = count
        ranked[group][rank] = value
    return {
        group: LeadTimeView(
            count,
            percentile_from_ranks(count, MEDIAN, ranked[group]),
            percentile_from_ranks(count, P90, ranked[group]),
        )
        for group, count in counts.items()
    }


def project_dashboard(
    db: Database, principal: Principal, project_id: int, now: datetime | None = None
) -> DashboardView:
    """Progress, throughput over the last 24 hours, and per-annotator activity of a project."""
    at = now or utcnow()
    _, since = throughput_window(at)
    with db.read() as session:
        project, _ = project_for(session, principal, project_id, Action.VIEW_DASHBOARD)
        total, complete, in_progress = activity_repo.task_counts(session, project_id)
        annotations, skips = activity_repo.totals(session, project_id)
        hourly = activity_repo.hourly_annotations(session, project_id, since)
        overall = _lead_times(
            activity_repo.lead_time_order_statistics(session, project_id, _QUANTILES, by_annotator=False)
        )
        per_person = _lead_times(
            activity_repo.lead_time_order_statistics(session, project_id, _QUANTILES, by_annotator=True)
        )
        people = activity_repo.per_annotator(session, project_id)
        paused = live_pauses(session, project_id)
        overlap = project.overlap
    annotators = [
        AnnotatorActivityView(
            user_id=user_id,
            email=email,
            name=name,
            annotations=count,
            skips=skipped,
            last_annotation_at=last_at,
            lead_time_ms=per_person.get(user_id, _NO_LEAD_TIME),
        )
        for user_id, email, name, count, skipped, last_at in people
    ]
    annotators.sort(key=lambda a: (-a.annotations, a.user_id))
    return DashboardView(
        project_id=project_id,
        overlap=overlap,
        generated_at=at,
        tasks=TaskCountsView(total, complete, in_progress, total - complete - in_progress),
        annotations=annotations,
        skips=skips,
        lead_time_ms=overall.get(None, _NO_LEAD_TIME),
        throughput=hourly_series(at, hourly),
        annotators=annotators,
        paused=paused,
    )
