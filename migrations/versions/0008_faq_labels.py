"""faq_entries: each topic's short name per language (its button label, catalog key topic_<intent>)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0008'
down_revision: Union[str, None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('faq_entries') as batch:
        batch.add_column(sa.Column('labels', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('faq_entries') as batch:
        batch.drop_column('labels')
