"""daily rollups per team and channel, and per agent; an index of auto-failed scores

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03

Created empty; store.rollups.ensure_current fills them on the next start (ROLLUP_SCHEMA moved to "2").
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

CRITERIA = ('listen', 'empathize', 'apologize', 'fix', 'overcommunicate', 'respond')


def _measures() -> list[sa.Column]:
    return [
        sa.Column('interactions', sa.Integer(), nullable=False),
        sa.Column('overall_n', sa.Integer(), nullable=False),
        sa.Column('overall_sum', sa.Float(), nullable=False),
        sa.Column('overall_sum_squares', sa.Float(), nullable=False),
        *(column for name in CRITERIA for column in (sa.Column(f'{name}_n', sa.Integer(), nullable=False),
                                                     sa.Column(f'{name}_sum', sa.Float(), nullable=False))),
        *(sa.Column(name, sa.Integer(), nullable=False)
          for name in ('auto_fails', 'transfers', 'first_contact_resolved', 'owned_apologies', 'csat_n')),
        sa.Column('csat_sum', sa.Float(), nullable=False),
        sa.Column('replies', sa.Integer(), nullable=False),
        sa.Column('first_response_sum', sa.Float(), nullable=False),
        sa.Column('within_target', sa.Integer(), nullable=False),
    ]


def _keys() -> list[sa.Column]:
    return [sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('rubric_version_id', sa.Integer(), nullable=False),
            sa.Column('day', sa.Date(), nullable=False),
            sa.Column('week', sa.Date(), nullable=False),
            sa.Column('team_id', sa.Integer(), nullable=True)]


def upgrade() -> None:
    op.create_table(
        'daily_team_rollups', *_keys(),
        sa.Column('channel', sa.String(length=10), nullable=False),
        *_measures(),
        sa.ForeignKeyConstraint(['rubric_version_id'], ['rubric_versions.id']),
        sa.ForeignKeyConstraint(['team_id'], ['teams.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_daily_team_rollups_rubric_day', 'daily_team_rollups', ['rubric_version_id', 'day'])
    op.create_index('ix_daily_team_rollups_rubric_team_day', 'daily_team_rollups',
                    ['rubric_version_id', 'team_id', 'day'])
    op.create_table(
        'daily_agent_rollups', *_keys(),
        sa.Column('employee_id', sa.Integer(), nullable=True),
        *_measures(),
        sa.Column('social_replies', sa.Integer(), nullable=False),
        sa.Column('social_within_target', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['rubric_version_id'], ['rubric_versions.id']),
        sa.ForeignKeyConstraint(['team_id'], ['teams.id']),
        sa.ForeignKeyConstraint(['employee_id'], ['employees.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_daily_agent_rollups_rubric_day', 'daily_agent_rollups', ['rubric_version_id', 'day'])
    op.create_index('ix_scores_rubric_auto_failed', 'scores', ['rubric_version_id', 'interaction_id'],
                    sqlite_where=sa.text('auto_fail = 1'), postgresql_where=sa.text('auto_fail'))


def downgrade() -> None:
    op.drop_index('ix_scores_rubric_auto_failed', table_name='scores')
    for table in ('daily_agent_rollups', 'daily_team_rollups'):
        op.drop_table(table)
    op.execute("DELETE FROM app_meta WHERE key = 'rollup_schema'")
