"""agenda break: the item a break interrupted, so "Tiếp tục" resumes it

Revision ID: 0006_agenda_break
Revises: 0002_meeting_room
Create Date: 2026-12-02 11:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_agenda_break"
down_revision = "0002_meeting_room"  # the meeting-room chain
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paused_item_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("paused_item_id")
