"""weekly rollups per agent, and weekly empathy runs

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

Created empty; store.rollups.ensure_current fills them on the next start (ROLLUP_SCHEMA moved to "3").
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

CRITERIA = ('listen', 'empathize', 'apologize', 'fix', 'overcommunicate', 'respond')
LEADERBOARD_SUMS = ['employee_id', 'team_id', 'overall_n', 'overall_sum', 'overall_sum_squares', 'apologize_n',
                    'owned_apologies', 'social_replies', 'social_within_target', 'first_contact_resolved']
RUNS = ['scored', 'head', 'tail', 'best', 'misses']


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


def _keys() -> list:
    return [sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('rubric_version_id', sa.Integer(), nullable=False),
            sa.Column('week', sa.Date(), nullable=False),
            sa.Column('team_id', sa.Integer(), nullable=True),
            sa.ForeignKeyConstraint(['rubric_version_id'], ['rubric_versions.id']),
            sa.ForeignKeyConstraint(['team_id'], ['teams.id']),
            sa.PrimaryKeyConstraint('id')]


def upgrade() -> None:
    op.create_table('weekly_agent_rollups', *_keys(), sa.Column('employee_id', sa.Integer(), nullable=True),
                    *_measures(),
                    sa.Column('social_replies', sa.Integer(), nullable=False),
                    sa.Column('social_within_target', sa.Integer(), nullable=False),
                    sa.ForeignKeyConstraint(['employee_id'], ['employees.id']))
    op.create_index('ix_weekly_agent_rollups_leaderboard', 'weekly_agent_rollups',
                    ['rubric_version_id', 'week', *LEADERBOARD_SUMS])
    op.create_table('weekly_empathy_runs', *_keys(), sa.Column('employee_id', sa.Integer(), nullable=False),
                    sa.Column('channel', sa.String(length=10), nullable=True),
                    *(sa.Column(name, sa.Integer(), nullable=False) for name in RUNS),
                    sa.ForeignKeyConstraint(['employee_id'], ['employees.id']))
    op.create_index('ix_weekly_empathy_runs_rubric_channel_week', 'weekly_empathy_runs',
                    ['rubric_version_id', 'channel', 'week', 'employee_id', 'team_id', *RUNS])


def downgrade() -> None:
    for table in ('weekly_empathy_runs', 'weekly_agent_rollups'):
        op.drop_table(table)
