"""index interactions by period, alone and within a team

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.create_index('ix_interactions_team_started', ['team_id', 'started_at'], unique=False)
        batch_op.create_index('ix_interactions_started', ['started_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.drop_index('ix_interactions_started')
        batch_op.drop_index('ix_interactions_team_started')
