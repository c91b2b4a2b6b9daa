"""scores read response by response: a covering index on construct_scores

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 09:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("construct_scores", schema=None) as batch_op:
        batch_op.create_index(
            "ix_construct_scores_response_part",
            ["response_id", "part", "construct"],
            unique=False,
            postgresql_include=["common"],
        )


def downgrade() -> None:
    with op.batch_alter_table("construct_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_construct_scores_response_part")
