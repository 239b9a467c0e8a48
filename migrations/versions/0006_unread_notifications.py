"""web: the unread notifications of a reader, counted on every signed-in page

A partial index holds only the unread rows, so the count costs what is unread, not what a
reader has ever been sent.

Revision ID: 0006
Revises: 0005
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_unread', ['user_id'], unique=False,
                              postgresql_where=sa.text('read_at IS NULL'),
                              sqlite_where=sa.text('read_at IS NULL'))


def downgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_unread')
