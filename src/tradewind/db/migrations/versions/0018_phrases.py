"""each action's title and reason as message ids and their arguments

`actions.title_msg` and `actions.why_msg` (JSON, nullable) hold the title and the reason as `tradewind.wording`
writes them, so the dashboard and the CLI render them in the reader's language; `title` and `why` stay their
English.

Revision ID: 0018_phrases
Revises: 0017_mail
Create Date: 2026-12-07 13:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_phrases"
down_revision: str | None = "0017_mail"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title_msg", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("why_msg", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_column("why_msg")
        batch_op.drop_column("title_msg")
