"""admin: content provenance and conflicts, FAQ entries and admin examples, model versions
and retraining jobs, residents' feedback and the misunderstood inbox

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0006'
down_revision: Union[str, None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TZ = sa.DateTime(timezone=True)


def _user() -> sa.ForeignKey:
    return sa.ForeignKey('staff_users.id')


def upgrade() -> None:
    for table in ('services', 'events', 'programs'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('retired', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        'content_origins',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('kind', sa.String(16), nullable=False),
        sa.Column('key', sa.String(96), nullable=False),
        sa.Column('repo_hash', sa.String(64), nullable=True),
        sa.Column('edited_by', sa.Integer(), _user(), nullable=True),
        sa.Column('edited_at', TZ, nullable=True),
        sa.Column('source', sa.Text(), nullable=True),
        sa.Column('retired', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('conflict', sa.JSON(), nullable=True),
        sa.UniqueConstraint('kind', 'key', name='uq_content_origin'),
    )
    op.create_table(
        'content_state',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('version', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('updated_at', TZ, nullable=False),
    )
    op.create_table(
        'faq_entries',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('intent', sa.String(64), nullable=False, unique=True),
        sa.Column('answers', sa.JSON(), nullable=False),
        sa.Column('fallback', sa.JSON(), nullable=True),
        sa.Column('key_facts', sa.JSON(), nullable=True),
        sa.Column('sources', sa.JSON(), nullable=True),
        sa.Column('confidence', sa.String(1), nullable=False),
        sa.Column('verified_on', sa.Date(), nullable=False),
        sa.Column('review_days', sa.Integer(), nullable=False, server_default='365'),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('updated_by', sa.Integer(), _user(), nullable=True),
        sa.Column('updated_at', TZ, nullable=False),
    )
    op.create_table(
        'faq_examples',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('intent', sa.String(64), nullable=False),
        sa.Column('language', sa.String(8), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('origin', sa.String(16), nullable=False),
        sa.Column('added_by', sa.Integer(), _user(), nullable=True),
        sa.Column('created_at', TZ, nullable=False),
        sa.Column('model_tag', sa.String(64), nullable=True),
        sa.UniqueConstraint('intent', 'language', 'text', name='uq_faq_example'),
    )
    op.create_table(
        'model_versions',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('tag', sa.String(64), nullable=False, unique=True),
        sa.Column('path', sa.Text(), nullable=False),
        sa.Column('data_version', sa.String(64), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('rasa_url', sa.String(200), nullable=True),
        sa.Column('scores', sa.JSON(), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('created_by', sa.Integer(), _user(), nullable=True),
        sa.Column('created_at', TZ, nullable=False),
        sa.Column('published_at', TZ, nullable=True),
    )
    op.create_table(
        'model_jobs',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('kind', sa.String(16), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('progress', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('stage', sa.String(32), nullable=False),
        sa.Column('message', sa.Text(), nullable=True),
        sa.Column('detail', sa.JSON(), nullable=True),
        sa.Column('model_tag', sa.String(64), nullable=True),
        sa.Column('requested_by', sa.Integer(), _user(), nullable=True),
        sa.Column('created_at', TZ, nullable=False),
        sa.Column('started_at', TZ, nullable=True),
        sa.Column('finished_at', TZ, nullable=True),
    )
    op.create_table(
        'feedback',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('message_id', sa.Integer(), sa.ForeignKey('messages.id', ondelete='CASCADE'), nullable=False),
        sa.Column('resident_id', sa.Integer(), sa.ForeignKey('residents.id', ondelete='CASCADE'), nullable=False),
        sa.Column('kind', sa.String(16), nullable=False),
        sa.Column('created_at', TZ, nullable=False),
        sa.UniqueConstraint('message_id', name='uq_feedback_message'),
    )
    op.create_table(
        'inbox_items',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('message_id', sa.Integer(), sa.ForeignKey('messages.id', ondelete='CASCADE'), nullable=False),
        sa.Column('language', sa.String(8), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('reason', sa.String(16), nullable=False),
        sa.Column('topic', sa.String(64), nullable=True),
        sa.Column('guesses', sa.JSON(), nullable=True),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('intent', sa.String(64), nullable=True),
        sa.Column('resolved_by', sa.Integer(), _user(), nullable=True),
        sa.Column('resolved_at', TZ, nullable=True),
        sa.Column('created_at', TZ, nullable=False),
        sa.UniqueConstraint('message_id', name='uq_inbox_message'),
    )
    op.create_index('ix_inbox_status_language', 'inbox_items', ['status', 'language'])


def downgrade() -> None:
    for table in ('services', 'events', 'programs'):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('retired')
    op.drop_index('ix_inbox_status_language', 'inbox_items')
    for table in ('inbox_items', 'feedback', 'model_jobs', 'model_versions', 'faq_examples', 'faq_entries',
                  'content_state', 'content_origins'):
        op.drop_table(table)
