"""a webhook secret per shop

The tracking webhook was signed with one secret for every shop; each shop now has its own (`tradewind user
webhook-secret SHOP`).

Revision ID: 0014_signin
Revises: 0006_list_indexes
Create Date: 2026-12-07 04:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tradewind.db.base


revision: str = "0014_signin"
down_revision: str | None = "0006_list_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webhook_secrets",
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("created_at", tradewind.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_webhook_secrets_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_secrets")),
        sa.UniqueConstraint("shop_id", name=op.f("uq_webhook_secrets_shop_id")),
    )
    with op.batch_alter_table("webhook_secrets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_webhook_secrets_shop_id"), ["shop_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("webhook_secrets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_secrets_shop_id"))
    op.drop_table("webhook_secrets")
