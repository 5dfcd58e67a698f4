"""events: how a yearly event recurs (the rule its next occurrence is made from)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0007'
down_revision: Union[str, None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('events') as batch:
        batch.add_column(sa.Column('recurrence', sa.JSON(), nullable=True))
    # Rules kept provisionally in content_origins (kind event_rule) move to their events.
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT key, source FROM content_origins WHERE kind = 'event_rule'")).fetchall()
    for series, rule in rows:
        conn.execute(sa.text("UPDATE events SET recurrence = :rule WHERE slug = :series OR slug LIKE :pattern"),
                     {"rule": rule, "series": series, "pattern": f"{series}-____"})
    conn.execute(sa.text("DELETE FROM content_origins WHERE kind = 'event_rule'"))


def downgrade() -> None:
    with op.batch_alter_table('events') as batch:
        batch.drop_column('recurrence')
