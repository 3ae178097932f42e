"""per-shop stores of derived figures and their watermarks

`store_watermarks` holds, per shop, store and source, the highest record id folded in; `lane_samples` each parcel
as the lane statistics read it (logistics/lane_store.py); `daily_demand` the units of real demand per SKU and UTC
day (planning/demand_store.py). The stores are filled on first use (or by `tradewind stores rebuild`).

Revision ID: 0019_stores
Revises: 0018_phrases
Create Date: 2026-12-07 16:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_stores"
down_revision: str | None = "0018_phrases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "store_watermarks",
        sa.Column("store", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("last_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_store_watermarks_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_store_watermarks")),
        sa.UniqueConstraint("shop_id", "store", "source", name=op.f("uq_store_watermarks_shop_id_store_source")),
    )
    op.create_index(op.f("ix_store_watermarks_shop_id"), "store_watermarks", ["shop_id"], unique=False)
    op.create_table(
        "lane_samples",
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("origin_country", sa.String(length=2), nullable=False),
        sa.Column("destination_country", sa.String(length=2), nullable=False),
        sa.Column("destination_region", sa.String(length=6), nullable=True),
        sa.Column("method_id", sa.Integer(), nullable=True),
        sa.Column("shipped", sa.Double(), nullable=False),
        sa.Column("delivered", sa.Double(), nullable=True),
        sa.Column("last_news", sa.Double(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["method_id"],
            ["shipping_methods.id"],
            name=op.f("fk_lane_samples_method_id_shipping_methods"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_lane_samples_shipment_id_shipments"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_lane_samples_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lane_samples")),
        sa.UniqueConstraint("shipment_id", name=op.f("uq_lane_samples_shipment_id")),
    )
    op.create_index("ix_lane_samples_shop_shipped", "lane_samples", ["shop_id", "shipped"], unique=False)
    op.create_index(op.f("ix_lane_samples_shop_id"), "lane_samples", ["shop_id"], unique=False)
    op.create_table(
        "daily_demand",
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_daily_demand_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"], name=op.f("fk_daily_demand_sku_id_skus"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daily_demand")),
        sa.UniqueConstraint("shop_id", "sku_id", "day", name=op.f("uq_daily_demand_shop_id_sku_id_day")),
    )
    op.create_index(op.f("ix_daily_demand_shop_id"), "daily_demand", ["shop_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_daily_demand_shop_id"), table_name="daily_demand")
    op.drop_table("daily_demand")
    op.drop_index(op.f("ix_lane_samples_shop_id"), table_name="lane_samples")
    op.drop_index("ix_lane_samples_shop_shipped", table_name="lane_samples")
    op.drop_table("lane_samples")
    op.drop_index(op.f("ix_store_watermarks_shop_id"), table_name="store_watermarks")
    op.drop_table("store_watermarks")
