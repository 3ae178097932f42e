"""each incoming message's triage, stored when it arrives

Language (with its confidence), intent, the order the message is about and the version of the models that found
them are stored with the message; the brief reads them instead of running the language detector again.

Revision ID: 0016_triage
Revises: 0015_regions
Create Date: 2026-12-07 05:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_triage"
down_revision: str | None = "0015_regions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language_confidence", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("triage_order", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("triage_order_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("triage_model", sa.String(length=64), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_inbound_messages_triage_order_id_orders"),
            "orders",
            ["triage_order_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_inbound_messages_triage_order_id_orders"), type_="foreignkey")
        batch_op.drop_column("triage_model")
        batch_op.drop_column("triage_order_id")
        batch_op.drop_column("triage_order")
        batch_op.drop_column("language_confidence")
