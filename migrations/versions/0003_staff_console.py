"""staff console: conversations with an owner, accounts, sessions, audit, notes,
canned replies, translations; hand-off requests become conversations

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0003'
down_revision: Union[str, None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'staff_users',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('name', sa.String(64), nullable=False, unique=True),
        sa.Column('password_hash', sa.String(256), nullable=False),
        sa.Column('role', sa.String(16), nullable=False),
        sa.Column('ui_language', sa.String(8), nullable=False, server_default='ko'),
        sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('last_failed_at', TZ, nullable=True),
        sa.Column('created_at', TZ, nullable=False),
    )
    op.create_table(
        'staff_sessions',
        sa.Column('id', sa.String(64), primary_key=True),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('staff_users.id', ondelete='CASCADE'), nullable=True),
        sa.Column('csrf_token', sa.String(64), nullable=False),
        sa.Column('created_at', TZ, nullable=False),
        sa.Column('last_seen_at', TZ, nullable=False),
    )
    op.create_table(
        'conversations',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('resident_id', sa.Integer(), sa.ForeignKey('residents.id', ondelete='CASCADE'), nullable=False),
        sa.Column('open_resident_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('channel', sa.String(16), nullable=False),
        sa.Column('language', sa.String(8), nullable=True),
        sa.Column('centre', sa.String(64), nullable=False),
        sa.Column('reason', sa.String(32), nullable=False),
        sa.Column('topic', sa.String(64), nullable=True),
        sa.Column('summary', sa.JSON(), nullable=True),
        sa.Column('assignee_id', sa.Integer(), sa.ForeignKey('staff_users.id'), nullable=True),
        sa.Column('created_at', TZ, nullable=False),
        sa.Column('assigned_at', TZ, nullable=True),
        sa.Column('closed_at', TZ, nullable=True),
        sa.Column('last_resident_at', TZ, nullable=False),
        sa.UniqueConstraint('open_resident_id', name='uq_conversation_open_resident'),
    )
    op.create_index('ix_conversations_status_created', 'conversations', ['status', 'created_at'])
    op.create_table(
        'audit_log',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('at', TZ, nullable=False),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('staff_users.id'), nullable=True),
        sa.Column('action', sa.String(32), nullable=False),
        sa.Column('conversation_id', sa.Integer(), nullable=True),
        sa.Column('detail', sa.JSON(), nullable=True),
    )
    op.create_index('ix_audit_conversation', 'audit_log', ['conversation_id'])
    op.create_table(
        'notes',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('conversation_id', sa.Integer(), sa.ForeignKey('conversations.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('staff_users.id'), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('created_at', TZ, nullable=False),
    )
    op.create_table(
        'canned_replies',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('slug', sa.String(64), nullable=False, unique=True),
        sa.Column('title', sa.JSON(), nullable=False),
        sa.Column('texts', sa.JSON(), nullable=False),
        sa.Column('retired', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('updated_by', sa.Integer(), sa.ForeignKey('staff_users.id'), nullable=True),
        sa.Column('updated_at', TZ, nullable=False),
    )
    op.create_table(
        'message_translations',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('message_id', sa.Integer(), sa.ForeignKey('messages.id', ondelete='CASCADE'), nullable=False),
        sa.Column('target', sa.String(8), nullable=False),
        sa.Column('text', sa.Text(), nullable=True),
        sa.Column('provider', sa.String(16), nullable=False),
        sa.Column('error', sa.String(32), nullable=True),
        sa.Column('created_at', TZ, nullable=False),
        sa.UniqueConstraint('message_id', 'target', name='uq_translation_target'),
    )
    with op.batch_alter_table('residents') as batch:
        batch.add_column(sa.Column('callback_url', sa.String(2048), nullable=True))
        batch.add_column(sa.Column('callback_until', TZ, nullable=True))
    with op.batch_alter_table('messages') as batch:
        batch.add_column(sa.Column('sender', sa.String(8), nullable=True))
        batch.add_column(sa.Column('conversation_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('staff_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('source_text', sa.Text(), nullable=True))
        batch.add_column(sa.Column('source_language', sa.String(8), nullable=True))
        batch.create_foreign_key('fk_messages_conversation', 'conversations', ['conversation_id'], ['id'],
                                 ondelete='SET NULL')
        batch.create_foreign_key('fk_messages_staff', 'staff_users', ['staff_id'], ['id'])
        batch.create_index('ix_messages_conversation', ['conversation_id'])
    # Open hand-off requests become waiting conversations; late answers waiting
    # for the resident's next Kakao message are "pending".
    op.execute(
        "INSERT INTO conversations (resident_id, open_resident_id, status, channel, language, centre, reason, "
        "summary, created_at, last_resident_at) "
        "SELECT h.resident_id, CASE WHEN h.status = 'open' THEN h.resident_id END, "
        "CASE WHEN h.status = 'open' THEN 'waiting' ELSE 'resolved' END, r.channel, h.language, "
        "'gwangju-foreign-residents-desk', h.reason, h.summary, h.created_at, h.created_at "
        "FROM handoff_requests h JOIN residents r ON r.id = h.resident_id "
        "WHERE h.id IN (SELECT MAX(id) FROM handoff_requests GROUP BY resident_id)"
    )
    op.execute("UPDATE messages SET status = 'pending' WHERE status = 'undelivered'")
    op.execute("UPDATE messages SET sender = CASE WHEN direction = 'in' THEN 'resident' ELSE 'bot' END")
    op.drop_table('handoff_requests')


def downgrade() -> None:
    op.create_table(
        'handoff_requests',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('resident_id', sa.Integer(), sa.ForeignKey('residents.id', ondelete='CASCADE'), nullable=False),
        sa.Column('language', sa.String(8), nullable=True),
        sa.Column('reason', sa.String(32), nullable=False),
        sa.Column('summary', sa.JSON(), nullable=True),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('created_at', TZ, nullable=False),
    )
    op.create_index('ix_handoff_status', 'handoff_requests', ['status'])
    with op.batch_alter_table('messages') as batch:
        batch.drop_index('ix_messages_conversation')
        batch.drop_constraint('fk_messages_staff', type_='foreignkey')
        batch.drop_constraint('fk_messages_conversation', type_='foreignkey')
        for column in ('source_language', 'source_text', 'staff_id', 'conversation_id', 'sender'):
            batch.drop_column(column)
    with op.batch_alter_table('residents') as batch:
        batch.drop_column('callback_until')
        batch.drop_column('callback_url')
    for table in ('message_translations', 'canned_replies', 'notes', 'audit_log'):
        op.drop_table(table)
    op.drop_index('ix_conversations_status_created', 'conversations')
    op.drop_table('conversations')
    op.drop_table('staff_sessions')
    op.drop_table('staff_users')
