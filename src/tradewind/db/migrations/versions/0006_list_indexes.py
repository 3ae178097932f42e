"""indexes for the lists of the API and the dashboard

Orders are listed newest first within a status (`GET /orders?status=…`): with the id in the index the newest page
of a status is read straight from it on PostgreSQL too (SQLite's index carries the row id anyway). The brief ranks
a shop's open actions by priority: the index on (shop, state) gains the priority.

Revision ID: 0006_list_indexes
Revises: 0005_accounts
Create Date: 2026-11-25 20:40:00.000000
"""

from collections.abc import Sequence

from alembic import op


revision: str = "0006_list_indexes"
down_revision: str | None = "0005_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_shop_status_id", ["shop_id", "status", "id"], unique=False)
        batch_op.drop_index("ix_orders_shop_status")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.create_index("ix_actions_shop_state_priority", ["shop_id", "state", "priority"], unique=False)
        batch_op.drop_index("ix_actions_shop_state")


def downgrade() -> None:
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.create_index("ix_actions_shop_state", ["shop_id", "state"], unique=False)
        batch_op.drop_index("ix_actions_shop_state_priority")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_shop_status", ["shop_id", "status"], unique=False)
        batch_op.drop_index("ix_orders_shop_status_id")
