"""poll hidden: a finished poll taken off the screens by the chair (poll.hide)

Revision ID: 0008_poll_hidden
Revises: 0007_poll_quorum_rule
Create Date: 2026-12-02 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_poll_hidden"
down_revision = "0007_poll_quorum_rule"  # the polls chain
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("polls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("polls", schema=None) as batch_op:
        batch_op.drop_column("hidden_at")
