"""Teachers' references: which recording is a teacher's reference for a routine.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "teacher_references",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=False),
        sa.Column("routine", sa.String(200), nullable=False),
        sa.Column("recording_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["teacher_id"], ["people.id"], name="fk_teacher_references_teacher_id_people", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["recording_id"],
            ["recordings.id"],
            name="fk_teacher_references_recording_id_recordings",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_teacher_references"),
        sa.UniqueConstraint("teacher_id", "routine", name="uq_teacher_references_teacher_id"),
    )


def downgrade() -> None:
    op.drop_table("teacher_references")
