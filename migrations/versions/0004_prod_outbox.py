"""prod: outbox delivery claims and document rendering bookkeeping

Notifications get a claim lease for e-mail delivery (a worker killed mid-send leaves a
``sending`` row the outbox sweep takes back); documents get attempts/last_error and an
index to find the ones still to render.

Revision ID: 0004
Revises: 0003
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sandbox.adapters.types

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mail_claimed_at', sandbox.adapters.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('mail_error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))
        batch_op.create_index('ix_document_status', ['status', 'id'], unique=False)
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.alter_column('attempts', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index('ix_document_status')
        batch_op.drop_column('last_error')
        batch_op.drop_column('attempts')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('mail_error')
        batch_op.drop_column('mail_claimed_at')
