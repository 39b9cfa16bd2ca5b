"""PII masking at import: a project's policy and the sealed originals of masked tasks

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-14 00:00:00.000000

- ``project.pii``: the project's PII policy (consenso.core.pii.PiiPolicy.to_json); NULL, which every
  existing project gets, means no masking at import.
- ``pii_original``: per masked task, its original ``data`` and ``meta`` sealed with AES-256-GCM
  (consenso.core.crypto), the id of the key it is sealed under, and what was masked (no values).

``project`` is referenced by other tables, so on SQLite its column is added with a plain ALTER TABLE rather
than a batch copy. Downgrade drops both, and the originals with them: the masked data stays in ``task``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.add_column("project", sa.Column("pii", _JSON, nullable=True))
    op.create_table(
        "pii_original",
        sa.Column("task_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("project_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("findings", _JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sealed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_pii_original_task_id_task"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_pii_original_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("task_id", name=op.f("pk_pii_original")),
    )
    op.create_index(op.f("ix_pii_original_project_id"), "pii_original", ["project_id"])
    op.create_index(op.f("ix_pii_original_key_id"), "pii_original", ["key_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_pii_original_key_id"), table_name="pii_original")
    op.drop_index(op.f("ix_pii_original_project_id"), table_name="pii_original")
    op.drop_table("pii_original")
    op.drop_column("project", "pii")
