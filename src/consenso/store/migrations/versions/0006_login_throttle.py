"""login throttle: failed-login counts and account locks

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-12 00:00:00.000000

- ``login_throttle``: one row per e-mail address with recent failed logins, keyed by the SHA-256 of the
  normalised address (unknown addresses are counted like known ones, so the answers tell nothing about which
  addresses have accounts): consecutive ``failures``, ``locks`` since the last success, ``locked_until``
  (the end of the current lock) and ``updated_at`` (consenso.services.auth.login).

A new table referenced by nothing: the same DDL on SQLite and PostgreSQL. Downgrade drops it, and every count
and lock with it (the audit log keeps each failed login, ``auth.login_failed``, and each lock, ``auth.locked``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("key_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locks", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_login_throttle")),
    )


def downgrade() -> None:
    op.drop_table("login_throttle")
