"""the open orders' outlook inputs (logistics/outlook_store.py)

`order_outlook_inputs` holds, per open order, what its delivery outlook reads of the records: the order's promise
and lane, its latest parcel and what the parcel's events add up to, instants as seconds since 1970. Filled by the
day's brief (or `tradewind stores rebuild`), with a watermark per source in `store_watermarks`.

Revision ID: 0020_outlooks
Revises: 0019_stores
Create Date: 2026-12-07 19:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_outlooks"
down_revision: str | None = "0019_stores"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "order_outlook_inputs",
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("placed", sa.Double(), nullable=False),
        sa.Column("ship_by", sa.Date(), nullable=True),
        sa.Column("promised_delivery_on", sa.Date(), nullable=True),
        sa.Column("protection_ends_on", sa.Date(), nullable=True),
        sa.Column("destination", sa.String(length=2), nullable=True),
        sa.Column("order_method", sa.String(length=64), nullable=True),
        sa.Column("shipment_id", sa.Integer(), nullable=True),
        sa.Column("tracking_number", sa.String(length=64), nullable=True),
        sa.Column("origin_country", sa.String(length=2), nullable=True),
        sa.Column("method_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=True),
        sa.Column("shipped", sa.Double(), nullable=True),
        sa.Column("first_scan", sa.Double(), nullable=True),
        sa.Column("last_event", sa.Double(), nullable=True),
        sa.Column("latest_substatus", sa.String(length=64), nullable=True),
        sa.Column("latest_text", sa.Text(), nullable=True),
        sa.Column("latest_location", sa.String(length=200), nullable=True),
        sa.Column("out_for_delivery_at", sa.Double(), nullable=True),
        sa.Column("waiting_since", sa.Double(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_outlook_inputs_order_id_orders"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_order_outlook_inputs_shipment_id_shipments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_order_outlook_inputs_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_outlook_inputs")),
        sa.UniqueConstraint("order_id", name=op.f("uq_order_outlook_inputs_order_id")),
    )
    op.create_index("ix_order_outlook_inputs_shop_placed", "order_outlook_inputs", ["shop_id", "placed"], unique=False)
    op.create_index(op.f("ix_order_outlook_inputs_shop_id"), "order_outlook_inputs", ["shop_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_order_outlook_inputs_shop_id"), table_name="order_outlook_inputs")
    op.drop_index("ix_order_outlook_inputs_shop_placed", table_name="order_outlook_inputs")
    op.drop_table("order_outlook_inputs")
