"""the shop's mail server, its digest time, and an HTML part for outbox messages

Each shop may store the SMTP server its e-mail leaves through (`shop_mail_servers`, one row per shop), the local
time its morning digest is e-mailed at (`shops.digest_at`, 07:30 unless set) and outbox messages may carry an HTML
alternative of their text (`outbox_messages.body_html`, the digest's).

Revision ID: 0017_mail
Revises: 0016_triage
Create Date: 2026-12-07 13:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tradewind.db.base

revision: str = "0017_mail"
down_revision: str | None = "0016_triage"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shop_mail_servers",
        sa.Column("host", sa.String(length=253), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=True),
        sa.Column("password", sa.String(length=500), nullable=True),
        sa.Column("from_address", sa.String(length=200), nullable=False),
        sa.Column(
            "tls",
            sa.Enum("none", "starttls", "tls", name="mailtls", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("dashboard_url", sa.String(length=300), nullable=True),
        sa.Column("updated_at", tradewind.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_shop_mail_servers_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shop_mail_servers")),
        sa.UniqueConstraint("shop_id", name=op.f("uq_shop_mail_servers_shop_id")),
    )
    with op.batch_alter_table("shop_mail_servers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shop_mail_servers_shop_id"), ["shop_id"], unique=False)
    with op.batch_alter_table("shops", schema=None) as batch_op:
        batch_op.add_column(sa.Column("digest_at", sa.Time(), server_default="07:30:00", nullable=False))
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body_html", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("body_html")
    with op.batch_alter_table("shops", schema=None) as batch_op:
        batch_op.drop_column("digest_at")
    with op.batch_alter_table("shop_mail_servers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shop_mail_servers_shop_id"))
    op.drop_table("shop_mail_servers")
