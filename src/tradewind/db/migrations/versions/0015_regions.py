"""the state or province an order and a shipment go to

A domestic seller's lanes are per state or province (ISO 3166-2, `BR-SP`): imports keep the region an export
names, next to the country.

Revision ID: 0015_regions
Revises: 0014_signin
Create Date: 2026-12-07 05:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_regions"
down_revision: str | None = "0014_signin"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("destination_region", sa.String(length=6), nullable=True))
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("destination_region", sa.String(length=6), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_column("destination_region")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("destination_region")
