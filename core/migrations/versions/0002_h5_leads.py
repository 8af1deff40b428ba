"""h5 leads: submissions of published H5 lead forms

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 10:00:00.000000
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
        "h5_leads",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("campaign_id", sa.String(length=40), nullable=False),
        sa.Column("publication_id", sa.String(length=40), nullable=False),
        sa.Column("publication_version", sa.Integer(), nullable=False),
        sa.Column("variant", sa.String(length=8), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("mobile_masked", sa.String(length=16), nullable=False),
        sa.Column("mobile_hash", sa.String(length=64), nullable=False),
        sa.Column("consents", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"]),
        sa.ForeignKeyConstraint(["publication_id"], ["publications.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("h5_leads", schema=None) as batch_op:
        batch_op.create_index("ix_h5_leads_campaign_mobile", ["campaign_id", "mobile_hash"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("h5_leads", schema=None) as batch_op:
        batch_op.drop_index("ix_h5_leads_campaign_mobile")
    op.drop_table("h5_leads")
