"""agenda presenter: the person who presents an item (agenda_items.presenter_user_id)

Revision ID: 0009_agenda_presenter
Revises: 0008_poll_hidden
Create Date: 2026-12-02 21:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_agenda_presenter"
down_revision = "0008_poll_hidden"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("presenter_user_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_agenda_items_presenter_user_id"), ["presenter_user_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_agenda_items_presenter_user_id_users"),
            "users",
            ["presenter_user_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_agenda_items_presenter_user_id_users"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_agenda_items_presenter_user_id"))
        batch_op.drop_column("presenter_user_id")
