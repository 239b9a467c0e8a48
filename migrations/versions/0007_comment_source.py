"""public: where a resident's comment came from (a keyed digest of the address)

The comment form is open to anyone without signing in; counting one source's comments in
the last hour, by this column and its index, keeps one client from flooding a district's
file (and its audit chain). Comments made before have no source.

Revision ID: 0007
Revises: 0006
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.create_index('ix_comment_source_created_at', ['source', 'created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index('ix_comment_source_created_at')
        batch_op.drop_column('source')
