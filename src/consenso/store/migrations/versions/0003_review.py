"""review: reviewers' verdicts on annotations

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-10 10:00:00.000000

- ``review``: one row per verdict (``accepted`` / ``rejected`` / ``fixed``) of a reviewer on an annotation,
  kept as history (the newest is the annotation's current verdict). CHECK constraints hold the verdict's
  needs: a non-empty comment to reject (at most 2,000 characters), a ``fixed_result`` exactly when fixed.
  An ``Idempotency-Key`` is used once per reviewer.
- ``ix_review_annotation (annotation_id, id)``: an annotation's reviews and its current verdict;
  ``ix_review_task (task_id, annotation_id)``: the review queue's per-task counts and filters.
- ``ix_task_annotated (project_id, id) WHERE annotation_count > 0``: the review queue walks annotated tasks
  newest first without wading through the unannotated ones (annotators take the oldest first, so early in
  a large project the newest tasks are all unannotated).

Downgrade drops the table and every review with it (the audit log keeps each one, ``review.create``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "review",
        sa.Column("id", _ID, nullable=False),
        sa.Column("annotation_id", _ID, nullable=False),
        sa.Column("task_id", _ID, nullable=False),
        sa.Column("project_id", _ID, nullable=False),
        sa.Column("reviewer_id", _ID, nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column(
            "fixed_result",
            sa.JSON(none_as_null=True).with_variant(
                postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), "postgresql"
            ),
            nullable=True,
        ),
        sa.Column("schema_version_id", _ID, nullable=False),
        sa.Column("guideline_version_id", _ID, nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("request_hash", sa.LargeBinary(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(verdict = 'fixed' AND fixed_result IS NOT NULL) OR (verdict <> 'fixed' AND fixed_result IS NULL)",
            name=op.f("ck_review_fixed_result"),
        ),
        sa.CheckConstraint(
            "verdict <> 'rejected' OR length(comment) > 0", name=op.f("ck_review_rejection_comment")
        ),
        sa.CheckConstraint("verdict IN ('accepted', 'rejected', 'fixed')", name=op.f("ck_review_verdict")),
        sa.CheckConstraint("length(comment) <= 2000", name=op.f("ck_review_comment_length")),
        sa.ForeignKeyConstraint(
            ["annotation_id"],
            ["annotation.id"],
            name=op.f("fk_review_annotation_id_annotation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["guideline_version_id"],
            ["guideline_version.id"],
            name=op.f("fk_review_guideline_version_id_guideline_version"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_review_project_id_project"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["users.id"], name=op.f("fk_review_reviewer_id_users"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["schema_version_id"],
            ["schema_version.id"],
            name=op.f("fk_review_schema_version_id_schema_version"),
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_review_task_id_task"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review")),
        sa.UniqueConstraint("reviewer_id", "idempotency_key", name=op.f("uq_review_reviewer_id")),
    )
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.create_index("ix_review_annotation", ["annotation_id", "id"], unique=False)
        batch_op.create_index("ix_review_task", ["task_id", "annotation_id"], unique=False)
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.create_index(
            "ix_task_annotated",
            ["project_id", "id"],
            unique=False,
            sqlite_where=sa.text("annotation_count > 0"),
            postgresql_where=sa.text("annotation_count > 0"),
        )


def downgrade() -> None:
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_index("ix_task_annotated")
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.drop_index("ix_review_task")
        batch_op.drop_index("ix_review_annotation")
    op.drop_table("review")
