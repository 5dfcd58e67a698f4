"""services and events: the names residents use for them (aliases); what a service costs (fee)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0005'
down_revision: Union[str, None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('services') as batch:
        batch.add_column(sa.Column('aliases', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('fee', sa.JSON(), nullable=True))
    with op.batch_alter_table('events') as batch:
        batch.add_column(sa.Column('aliases', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('events') as batch:
        batch.drop_column('aliases')
    with op.batch_alter_table('services') as batch:
        batch.drop_column('fee')
        batch.drop_column('aliases')
