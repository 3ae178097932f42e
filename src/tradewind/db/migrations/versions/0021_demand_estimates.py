"""the stored demand estimates (planning/estimate_store.py)

`demand_estimates` holds, per shop and purpose, the demand kernel's arrays (NumPy `.npz` bytes) under the digest of
all their inputs: a brief whose inputs did not change reads them instead of running (and loading) the kernel.

Revision ID: 0021_demand_estimates
Revises: 0020_outlooks
Create Date: 2026-12-07 23:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_demand_estimates"
down_revision: str | None = "0020_outlooks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "demand_estimates",
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("arrays", sa.LargeBinary(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_demand_estimates_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demand_estimates")),
        sa.UniqueConstraint("shop_id", "purpose", name=op.f("uq_demand_estimates_shop_id_purpose")),
    )
    op.create_index(op.f("ix_demand_estimates_shop_id"), "demand_estimates", ["shop_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_demand_estimates_shop_id"), table_name="demand_estimates")
    op.drop_table("demand_estimates")
