"""poll quorum rule: the meeting's quorum rule, frozen when a poll opens

Revision ID: 0007_poll_quorum_rule
Revises: 0003_polls
Create Date: 2026-12-02 11:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_poll_quorum_rule"
down_revision = "0003_polls"  # the polls chain
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("polls", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "quorum_rule", sa.String(length=32), nullable=False, server_default="majority"
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("polls", schema=None) as batch_op:
        batch_op.drop_column("quorum_rule")
