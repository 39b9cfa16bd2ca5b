"""annotation origin prediction_rejected; index of an annotator's annotations per project

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 10:00:00.000000

- ``annotation.origin`` also accepts ``prediction_rejected`` (the annotator discarded the model's pre-label).
- ``ix_annotation_annotator (annotator_id, project_id, id)``: an annotator's newest annotation in a project
  (undo) and their counts (progress) without scanning the project.

Downgrade turns ``prediction_rejected`` origins into ``human`` (the answer was the annotator's own), the
closest value the old constraint accepts.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NEW_ORIGINS = "origin IN ('human', 'prediction_accepted', 'prediction_edited', 'prediction_rejected')"
_OLD_ORIGINS = "origin IN ('human', 'prediction_accepted', 'prediction_edited')"


def upgrade() -> None:
    # SQLite cannot alter a CHECK constraint: batch mode copies the table (PostgreSQL alters it in place).
    with op.batch_alter_table("annotation", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_annotation_origin"), type_="check")
        batch_op.create_check_constraint(op.f("ck_annotation_origin"), _NEW_ORIGINS)
        batch_op.create_index("ix_annotation_annotator", ["annotator_id", "project_id", "id"], unique=False)


def downgrade() -> None:
    op.execute("UPDATE annotation SET origin = 'human' WHERE origin = 'prediction_rejected'")
    with op.batch_alter_table("annotation", schema=None) as batch_op:
        batch_op.drop_index("ix_annotation_annotator")
        batch_op.drop_constraint(op.f("ck_annotation_origin"), type_="check")
        batch_op.create_check_constraint(op.f("ck_annotation_origin"), _OLD_ORIGINS)
