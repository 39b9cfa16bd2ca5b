"""qa workflow: gold tasks, routing requirements and skills, finalization state, annotator pauses

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 00:00:00.000000

- ``project.qa``: the project's QA settings as JSON (``{}``: every default, see consenso.core.qa.settings).
- ``membership.skills``: languages (with dialect and level) and domains a member is qualified for.
- ``task.gold`` (the expected result of a gold task, SQL NULL otherwise), ``task.language``,
  ``task.dialect``, ``task.domain`` (routing requirements, NULL: any) and ``task.qa_status``
  (``pending`` → ``final`` | ``escalated``), with partial indexes for the adjudication queue and gold tasks.
- ``annotation.gold_score``: how well a gold task's answer matches its expected result.
- ``adjudication``: gains ``agreement`` (per control), ``aggregation`` (the method behind an automatic
  row's result), an ``idempotency_key`` with its ``request_hash`` (unique per person deciding) and an index
  per project; its rows become history (``ix_adjudication_task`` now orders a task's rows by id).
- ``annotator_pause``: annotators paused from a project (by gold accuracy), one live pause each.

Downgrade drops all of it: pauses, gold answers' scores, escalation state and requirements are lost (the
audit log keeps pauses and decisions).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_NULLABLE_JSON = sa.JSON(none_as_null=True).with_variant(
    postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), "postgresql"
)


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    # Tables other tables reference (project, membership, task, annotation) are altered in place: a batch
    # copy would drop them, which SQLite's foreign keys refuse. SQLite takes a column CHECK in ADD COLUMN.
    op.add_column("project", sa.Column("qa", _JSON, server_default=sa.text("'{}'"), nullable=False))
    op.add_column("membership", sa.Column("skills", _JSON, server_default=sa.text("'{}'"), nullable=False))
    op.add_column("task", sa.Column("gold", _NULLABLE_JSON, nullable=True))
    op.add_column("task", sa.Column("language", sa.String(length=35), nullable=True))
    op.add_column("task", sa.Column("dialect", sa.String(length=35), nullable=True))
    op.add_column("task", sa.Column("domain", sa.String(length=64), nullable=True))
    if _sqlite():
        op.execute(
            "ALTER TABLE task ADD COLUMN qa_status VARCHAR(16) DEFAULT 'pending' NOT NULL "
            "CONSTRAINT ck_task_qa_status CHECK (qa_status IN ('pending', 'final', 'escalated'))"
        )
    else:
        op.add_column(
            "task", sa.Column("qa_status", sa.String(length=16), server_default="pending", nullable=False)
        )
        op.create_check_constraint("qa_status", "task", "qa_status IN ('pending', 'final', 'escalated')")
    op.create_index(
        "ix_task_escalated",
        "task",
        ["project_id", "id"],
        unique=False,
        sqlite_where=sa.text("qa_status = 'escalated'"),
        postgresql_where=sa.text("qa_status = 'escalated'"),
    )
    op.create_index(
        "ix_task_gold",
        "task",
        ["project_id", "id"],
        unique=False,
        sqlite_where=sa.text("gold IS NOT NULL"),
        postgresql_where=sa.text("gold IS NOT NULL"),
    )
    op.add_column("annotation", sa.Column("gold_score", sa.Float(), nullable=True))
    with op.batch_alter_table("adjudication", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agreement", _JSON, server_default=sa.text("'{}'"), nullable=False))
        batch_op.add_column(sa.Column("aggregation", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("request_hash", sa.LargeBinary(length=32), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_adjudication_decided_by"), ["decided_by", "idempotency_key"]
        )
        batch_op.create_check_constraint(
            "confidence", "confidence IS NULL OR (confidence >= 0 AND confidence <= 1)"
        )
        batch_op.drop_index("ix_adjudication_task")
        batch_op.create_index("ix_adjudication_task", ["task_id", "id"], unique=False)
        batch_op.create_index("ix_adjudication_project", ["project_id", "id"], unique=False)
    op.create_table(
        "annotator_pause",
        sa.Column("id", _ID, nullable=False),
        sa.Column("project_id", _ID, nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("gold_answers", sa.Integer(), nullable=False),
        sa.Column("gold_accuracy", sa.Float(), nullable=True),
        sa.Column("gold_upper_bound", sa.Float(), nullable=True),
        sa.Column("paused_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resumed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resumed_by", _ID, nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_annotator_pause_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resumed_by"],
            ["users.id"],
            name=op.f("fk_annotator_pause_resumed_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_annotator_pause_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotator_pause")),
    )
    with op.batch_alter_table("annotator_pause", schema=None) as batch_op:
        batch_op.create_index("ix_annotator_pause_project", ["project_id", "id"], unique=False)
        batch_op.create_index(
            "uq_annotator_pause_live",
            ["project_id", "user_id"],
            unique=True,
            sqlite_where=sa.text("resumed_at IS NULL"),
            postgresql_where=sa.text("resumed_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("annotator_pause", schema=None) as batch_op:
        batch_op.drop_index("uq_annotator_pause_live")
        batch_op.drop_index("ix_annotator_pause_project")
    op.drop_table("annotator_pause")
    with op.batch_alter_table("adjudication", schema=None) as batch_op:
        batch_op.drop_index("ix_adjudication_project")
        batch_op.drop_index("ix_adjudication_task")
        batch_op.create_index("ix_adjudication_task", ["task_id"], unique=False)
        batch_op.drop_constraint("confidence", type_="check")
        batch_op.drop_constraint("uq_adjudication_decided_by", type_="unique")
        batch_op.drop_column("request_hash")
        batch_op.drop_column("idempotency_key")
        batch_op.drop_column("aggregation")
        batch_op.drop_column("agreement")
    op.drop_index("ix_task_gold", table_name="task")
    op.drop_index("ix_task_escalated", table_name="task")
    if not _sqlite():
        op.drop_constraint("qa_status", "task", type_="check")
    for table, column in (
        ("annotation", "gold_score"),
        ("task", "qa_status"),
        ("task", "domain"),
        ("task", "dialect"),
        ("task", "language"),
        ("task", "gold"),
        ("membership", "skills"),
        ("project", "qa"),
    ):
        if _sqlite():  # in place (SQLite 3.35+): a batch copy would drop a referenced table
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        else:
            op.drop_column(table, column)
