"""meeting room: live agenda, attendance, presence, speakers, calendar tokens

Revision ID: 0002_meeting_room
Revises: 0001_foundation
Create Date: 2026-11-30 00:26:03.680506
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_meeting_room"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing rows get the model defaults through server_default on the new NOT NULL columns.
    op.create_table(
        "calendar_tokens",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_calendar_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_calendar_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_tokens_token_hash")),
    )
    op.create_table(
        "attendance",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("present", "absent", "excused", name="attendance_status", native_enum=False),
            nullable=False,
        ),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("marked_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["marked_by_id"],
            ["users.id"],
            name=op.f("fk_attendance_marked_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_attendance_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_attendance_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("meeting_id", "user_id", name=op.f("pk_attendance")),
    )
    op.create_table(
        "bridge_presence",
        sa.Column("sid", sa.String(length=64), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("connected_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_bridge_presence_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_bridge_presence_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_bridge_presence_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("sid", "meeting_id", name=op.f("pk_bridge_presence")),
    )
    with op.batch_alter_table("bridge_presence", schema=None) as batch_op:
        batch_op.create_index(
            "ix_bridge_presence_meeting_unit", ["meeting_id", "unit_id"], unique=False
        )

    op.create_table(
        "speaker_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("bridge_unit_id", sa.Integer(), nullable=True),
        sa.Column("agenda_item_id", sa.Integer(), nullable=True),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "waiting",
                "speaking",
                "done",
                "withdrawn",
                "removed",
                name="speaker_status",
                native_enum=False,
            ),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("limit_seconds", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_items.id"],
            name=op.f("fk_speaker_requests_agenda_item_id_agenda_items"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["bridge_unit_id"],
            ["units.id"],
            name=op.f("fk_speaker_requests_bridge_unit_id_units"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_speaker_requests_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_speaker_requests_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speaker_requests")),
    )
    with op.batch_alter_table("speaker_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_speaker_requests_meeting_status", ["meeting_id", "status"], unique=False
        )

    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("extra_minutes", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("elapsed_seconds", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("started_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("started_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("current_item_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "quorum_rule", sa.String(length=32), nullable=False, server_default="majority"
            )
        )
        batch_op.add_column(
            sa.Column("speaker_limit_seconds", sa.Integer(), nullable=False, server_default="300")
        )
        batch_op.add_column(
            sa.Column("speaker_warning_seconds", sa.Integer(), nullable=False, server_default="60")
        )


def downgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("speaker_warning_seconds")
        batch_op.drop_column("speaker_limit_seconds")
        batch_op.drop_column("quorum_rule")
        batch_op.drop_column("current_item_id")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("started_at")

    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.drop_column("started_at")
        batch_op.drop_column("elapsed_seconds")
        batch_op.drop_column("extra_minutes")

    with op.batch_alter_table("speaker_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_speaker_requests_meeting_status")

    op.drop_table("speaker_requests")
    with op.batch_alter_table("bridge_presence", schema=None) as batch_op:
        batch_op.drop_index("ix_bridge_presence_meeting_unit")

    op.drop_table("bridge_presence")
    op.drop_table("attendance")
    op.drop_table("calendar_tokens")
