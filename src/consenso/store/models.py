"""SQLAlchemy 2 models of the domain (see shared DESIGN.md, "Domain model").

Invariants the database itself enforces (so that several server processes stay correct):
- one membership per (workspace, user); one annotation and one assignment per (task, annotator);
- a review's verdict carries what it needs: a comment to reject, a fixed result exactly when fixed;
- a task's taken slots (live leases + annotations) never exceed its overlap:
  ``CHECK (slots_taken >= 0 AND slots_taken <= overlap)`` on ``task``;
- at most one lease per (project, annotator): a partial unique index over ``state = 'leased'``;
- an idempotency key is used once per annotator; a content hash once per project (exact duplicates).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JsonType = JSON().with_variant(JSONB(), "postgresql")
# Python None is stored as SQL NULL (JsonType stores it as the JSON value null)
NullableJsonType = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
IdType = BigInteger().with_variant(Integer(), "sqlite")  # INTEGER PRIMARY KEY is SQLite's rowid


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both backends (SQLite keeps naive text; we add UTC back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Workspace(Base):
    __tablename__ = "workspace"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Membership(Base):
    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("workspace_id", "user_id"),
        CheckConstraint("role IN ('admin', 'manager', 'reviewer', 'annotator', 'viewer')", name="role"),
        Index("ix_membership_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    # what the member is qualified for, as the workspace's managers vouch (consenso.core.qa.routing):
    # {"languages": [{"code": "es", "dialect": "es-CO" | null, "level": "C2"}], "domains": ["medical"]}
    skills: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict, server_default=text("'{}'"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuthSession(Base):
    """A browser login. The cookie holds a random token; we store only its hash."""

    __tablename__ = "auth_session"
    __table_args__ = (Index("ix_auth_session_user", "user_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApiToken(Base):
    """A personal access token (``Authorization: Bearer``). Stored as a SHA-256 hash; shown once."""

    __tablename__ = "api_token"
    __table_args__ = (Index("ix_api_token_user", "user_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200), default="")
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    token_prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginThrottle(Base):
    """Failed logins per account, keyed by the SHA-256 of the normalised e-mail (consenso.services.auth).

    Keyed by the address, not the user: an unknown address is counted and locked exactly like a known one,
    so the answers never tell which addresses have accounts. ``failures`` counts consecutive failures since
    the last success or lock; ``locks`` counts locks since the last success (each lock lasts twice the
    previous one, up to a cap); ``locked_until`` is the end of the current lock. A successful login deletes
    the row. Rows live in the database so that every server process sees the same counts.
    """

    __tablename__ = "login_throttle"

    key_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locks: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Project(Base):
    __tablename__ = "project"
    __table_args__ = (
        CheckConstraint("overlap >= 1 AND overlap <= 100", name="overlap"),
        CheckConstraint("lease_seconds >= 10", name="lease_seconds"),
        Index("ix_project_workspace", "workspace_id"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    overlap: Mapped[int] = mapped_column(Integer, default=1)
    lease_seconds: Mapped[int] = mapped_column(Integer, default=3600)
    # current versions (nullable only while the project row is being created)
    schema_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("schema_version.id", use_alter=True, name="fk_project_schema_version")
    )
    guideline_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("guideline_version.id", use_alter=True, name="fk_project_guideline_version")
    )
    task_count: Mapped[int] = mapped_column(Integer, default=0)
    # QA settings (consenso.core.qa.settings.QaSettings.to_json; {} means every default)
    qa: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict, server_default=text("'{}'"))
    # PII policy (consenso.core.pii.PiiPolicy.to_json); NULL: no detection or masking at import (card
    # security codes and track data are refused whatever it says)
    pii: Mapped[dict[str, Any] | None] = mapped_column(NullableJsonType, default=None)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SchemaVersion(Base):
    __tablename__ = "schema_version"
    __table_args__ = (UniqueConstraint("project_id", "version"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    schema: Mapped[dict[str, Any]] = mapped_column(JsonType)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GuidelineVersion(Base):
    __tablename__ = "guideline_version"
    __table_args__ = (UniqueConstraint("project_id", "version"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    # {"en": markdown, "es": markdown}
    content: Mapped[dict[str, Any]] = mapped_column(JsonType)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PiiOriginal(Base):
    """What a task's ``data`` and ``meta`` held before PII masking, sealed (consenso.core.crypto) for the task.

    ``task.data`` holds the masked values, which is all that annotators, reviewers and exports see. The
    original is sealed with AES-256-GCM under ``key_id`` with the context ``pii_original:task:<id>``, so it
    opens only for its own task; ``findings`` says what was masked (paths, types, offsets, strategies), never
    a value. Written at import, read by a role holding ``reveal_pii`` (each read audited), re-sealed by
    ``consenso keys rotate``.
    """

    __tablename__ = "pii_original"

    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    key_id: Mapped[str] = mapped_column(String(64), index=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Task(Base):
    __tablename__ = "task"
    __table_args__ = (
        UniqueConstraint("project_id", "content_hash"),
        CheckConstraint("slots_taken >= 0 AND slots_taken <= overlap", name="slots_within_overlap"),
        CheckConstraint(
            "annotation_count >= 0 AND annotation_count <= overlap", name="annotations_within_overlap"
        ),
        # the next-task scan: only open tasks, in serving order
        Index(
            "ix_task_open",
            "project_id",
            text("priority DESC"),
            "id",
            sqlite_where=text("slots_taken < overlap"),
            postgresql_where=text("slots_taken < overlap"),
        ),
        Index("ix_task_project_id", "project_id", "id"),
        # the review queue: annotated tasks, newest first (annotators are served the oldest first, so
        # early in a big project the newest tasks are the unannotated ones a full scan would wade through)
        Index(
            "ix_task_annotated",
            "project_id",
            "id",
            sqlite_where=text("annotation_count > 0"),
            postgresql_where=text("annotation_count > 0"),
        ),
        CheckConstraint("qa_status IN ('pending', 'final', 'escalated')", name="qa_status"),
        # the adjudication queue: tasks whose annotations disagree, oldest first
        Index(
            "ix_task_escalated",
            "project_id",
            "id",
            sqlite_where=text("qa_status = 'escalated'"),
            postgresql_where=text("qa_status = 'escalated'"),
        ),
        # gold tasks of a project (served at the gold rate, scored on submit)
        Index(
            "ix_task_gold",
            "project_id",
            "id",
            sqlite_where=text("gold IS NOT NULL"),
            postgresql_where=text("gold IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    data: Mapped[dict[str, Any]] = mapped_column(JsonType)
    meta: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    content_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    overlap: Mapped[int] = mapped_column(Integer)
    slots_taken: Mapped[int] = mapped_column(Integer, default=0)
    annotation_count: Mapped[int] = mapped_column(Integer, default=0)
    # the expected result of a gold task (SQL NULL on every other task); never shown to annotators
    gold: Mapped[dict[str, Any] | None] = mapped_column(NullableJsonType)
    # routing requirements (consenso.core.qa.routing): a language code, a dialect tag, a domain; NULL: any
    language: Mapped[str | None] = mapped_column(String(35))
    dialect: Mapped[str | None] = mapped_column(String(35))
    domain: Mapped[str | None] = mapped_column(String(64))
    # finalization (consenso.core.qa.finalize): pending until complete, then final or escalated
    qa_status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Assignment(Base):
    """A (task, annotator) pair's life: leased → submitted | skipped | expired."""

    __tablename__ = "assignment"
    __table_args__ = (
        UniqueConstraint("task_id", "annotator_id"),
        CheckConstraint("state IN ('leased', 'submitted', 'skipped', 'expired')", name="state"),
        Index(
            "uq_assignment_one_lease",
            "project_id",
            "annotator_id",
            unique=True,
            sqlite_where=text("state = 'leased'"),
            postgresql_where=text("state = 'leased'"),
        ),
        Index(
            "ix_assignment_leases",
            "project_id",
            "expires_at",
            sqlite_where=text("state = 'leased'"),
            postgresql_where=text("state = 'leased'"),
        ),
        Index("ix_assignment_annotator", "annotator_id", "project_id", "task_id"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16))
    leased_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Annotation(Base):
    """A submitted answer. ``origin``: ``human`` (no pre-label used), or how the annotator treated the
    task's model prediction: ``prediction_accepted`` (kept as it was), ``prediction_edited`` (changed),
    ``prediction_rejected`` (discarded and answered anew). An annotation its annotator undoes is deleted;
    the audit log keeps it (``annotation.withdraw``)."""

    __tablename__ = "annotation"
    __table_args__ = (
        UniqueConstraint("task_id", "annotator_id"),
        UniqueConstraint("annotator_id", "idempotency_key"),
        CheckConstraint("lead_time_ms IS NULL OR lead_time_ms >= 0", name="lead_time"),
        CheckConstraint(
            "origin IN ('human', 'prediction_accepted', 'prediction_edited', 'prediction_rejected')",
            name="origin",
        ),
        Index("ix_annotation_project", "project_id", "id"),
        # an annotator's work in a project: their newest annotation (undo), their counts (progress)
        Index("ix_annotation_annotator", "annotator_id", "project_id", "id"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    result: Mapped[dict[str, Any]] = mapped_column(JsonType)
    lead_time_ms: Mapped[int | None] = mapped_column(BigInteger)
    schema_version_id: Mapped[int] = mapped_column(ForeignKey("schema_version.id"))
    guideline_version_id: Mapped[int | None] = mapped_column(ForeignKey("guideline_version.id"))
    origin: Mapped[str] = mapped_column(String(32), default="human")
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    request_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    # on a gold task, how well the answer matches the expected result, in [0, 1] (consenso.core.qa.gold)
    gold_score: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Prediction(Base):
    """A model pre-label shown to annotators as a suggestion (imported with its task; ``model_version``
    is the model's name as given, ``score`` its confidence in [0, 1])."""

    __tablename__ = "prediction"
    __table_args__ = (Index("ix_prediction_task", "task_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    model_version: Mapped[str] = mapped_column(String(200))
    result: Mapped[dict[str, Any]] = mapped_column(JsonType)
    score: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Adjudication(Base):
    """A finalization event of a task, kept as history (the newest row is the task's current state).

    ``method`` says what happened: an aggregation method (``majority_vote``, ``dawid_skene``, ...) decided
    the final label automatically; ``escalated``: agreement or confidence fell below the project's
    thresholds and ``result`` holds the aggregate's *suggestion* for the adjudicator; ``adjudicated``: an
    adjudicator decided ``result`` (with ``reasoning``); ``reopened``: someone reopened a final task for a
    new decision (``result`` is empty). ``agreement`` holds the per-control agreement at that moment.
    ``aggregation`` names the aggregation method behind an automatic row's ``result`` (a final label's
    method, an escalation's suggestion; NULL on a person's decision or a reopening). A person's decision
    may carry the ``Idempotency-Key`` it was sent with (one use per person, as for reviews).
    """

    __tablename__ = "adjudication"
    __table_args__ = (
        Index("ix_adjudication_task", "task_id", "id"),
        Index("ix_adjudication_project", "project_id", "id"),
        CheckConstraint("confidence IS NULL OR (confidence >= 0 AND confidence <= 1)", name="confidence"),
        UniqueConstraint("decided_by", "idempotency_key"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    result: Mapped[dict[str, Any]] = mapped_column(JsonType)
    method: Mapped[str] = mapped_column(String(32))
    confidence: Mapped[float | None] = mapped_column(Float)
    reasoning: Mapped[str] = mapped_column(Text, default="")
    agreement: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict, server_default=text("'{}'"))
    aggregation: Mapped[str | None] = mapped_column(String(32))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    request_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AnnotatorPause(Base):
    """An annotator paused from a project, by gold accuracy (``reason`` ``gold_accuracy``) or by hand.

    Live while ``resumed_at`` is NULL (at most one live pause per project and annotator); a resumed pause
    stays as history, and gold answers before ``resumed_at`` no longer count towards a new pause.
    """

    __tablename__ = "annotator_pause"
    __table_args__ = (
        Index(
            "uq_annotator_pause_live",
            "project_id",
            "user_id",
            unique=True,
            sqlite_where=text("resumed_at IS NULL"),
            postgresql_where=text("resumed_at IS NULL"),
        ),
        Index("ix_annotator_pause_project", "project_id", "id"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(32))
    gold_answers: Mapped[int] = mapped_column(Integer, default=0)
    gold_accuracy: Mapped[float | None] = mapped_column(Float)
    gold_upper_bound: Mapped[float | None] = mapped_column(Float)
    paused_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resumed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Review(Base):
    """A reviewer's verdict on one annotation: ``accepted``, ``rejected`` (with a comment) or ``fixed`` (with
    the corrected answer in ``fixed_result``, checked against the label schema of ``schema_version_id``).

    Reviews are history: an annotation may be reviewed again (by the same reviewer or another) and every
    review is kept; the newest (highest id) is the annotation's current verdict. ``task_id`` and
    ``project_id`` repeat the annotation's so that the review queue filters tasks without a join. A review
    goes with its annotation (``ON DELETE CASCADE``), but a reviewed annotation cannot be withdrawn, so in
    practice only deleting the task or project removes one. The schema and guideline versions are those
    the reviewer judged under, as for an annotation.
    """

    __tablename__ = "review"
    __table_args__ = (
        CheckConstraint("verdict IN ('accepted', 'rejected', 'fixed')", name="verdict"),
        CheckConstraint(
            "(verdict = 'fixed' AND fixed_result IS NOT NULL) OR (verdict <> 'fixed' AND fixed_result IS NULL)",
            name="fixed_result",
        ),
        CheckConstraint("verdict <> 'rejected' OR length(comment) > 0", name="rejection_comment"),
        CheckConstraint("length(comment) <= 2000", name="comment_length"),
        UniqueConstraint("reviewer_id", "idempotency_key"),
        # an annotation's reviews, newest last (current verdict: no later one)
        Index("ix_review_annotation", "annotation_id", "id"),
        # the review queue: reviews of a task
        Index("ix_review_task", "task_id", "annotation_id"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    annotation_id: Mapped[int] = mapped_column(ForeignKey("annotation.id", ondelete="CASCADE"))
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    verdict: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")
    # SQL NULL (not JSON null) when there is no fix, so that the CHECK above can see it
    fixed_result: Mapped[dict[str, Any] | None] = mapped_column(NullableJsonType)
    schema_version_id: Mapped[int] = mapped_column(ForeignKey("schema_version.id"))
    guideline_version_id: Mapped[int | None] = mapped_column(ForeignKey("guideline_version.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    request_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEvent(Base):
    """Who did what to which object, with what outcome: an append-only event of a hash chain.

    ``chain`` is ``workspace:<id>`` or ``instance`` (consenso.core.audit.chain_key); ``seq`` numbers the chain's
    events 1, 2, 3 … (unique per chain: two appends can never take the same place, so a chain cannot fork);
    ``prev_hash`` is the previous event's ``hash``; ``hash`` covers every other column but ``id``. Rows are
    only ever inserted (consenso.store.repositories.audit), and the database refuses UPDATE, DELETE and
    TRUNCATE on the table (triggers, migration 0005). ``workspace_id`` and ``actor_id`` are plain ids, not
    foreign keys: an ``ON DELETE SET NULL`` would have to UPDATE audit rows (refused, and it would break their
    hashes), and the log must keep naming a workspace or a user after either is deleted.
    """

    __tablename__ = "audit_event"
    __table_args__ = (
        UniqueConstraint("chain", "seq"),
        Index("ix_audit_event_workspace", "workspace_id", "id"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    chain: Mapped[str] = mapped_column(String(40))
    seq: Mapped[int] = mapped_column(BigInteger)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    workspace_id: Mapped[int | None] = mapped_column(IdType)
    actor_id: Mapped[int | None] = mapped_column(IdType)
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32), default="")
    object_id: Mapped[str] = mapped_column(String(64), default="")
    outcome: Mapped[str] = mapped_column(String(16), default="success")
    origin: Mapped[str] = mapped_column(String(64), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Job(Base):
    """Durable background work (imports, pre-labels, exports, webhooks)."""

    __tablename__ = "job"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')", name="status"),
        Index("ix_job_status", "status", "id"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    result: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
