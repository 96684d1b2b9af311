"""indexes holding what the leaderboard reads from the agent rollups and the empathy runs, and each
interaction's latest review of each criterion

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_daily_agent_rollups_leaderboard', 'daily_agent_rollups',
                    ['rubric_version_id', 'day', 'employee_id', 'team_id', 'overall_n', 'overall_sum',
                     'overall_sum_squares', 'apologize_n', 'owned_apologies', 'social_replies',
                     'social_within_target', 'first_contact_resolved'])
    op.create_index('ix_daily_empathy_runs_rubric_channel_day', 'daily_empathy_runs',
                    ['rubric_version_id', 'channel', 'day', 'employee_id', 'team_id', 'scored', 'head', 'tail',
                     'best', 'misses'])
    op.create_index('ix_reviews_interaction_criterion', 'reviews', ['interaction_id', 'criterion', 'id'])


def downgrade() -> None:
    op.drop_index('ix_reviews_interaction_criterion', table_name='reviews')
    op.drop_index('ix_daily_empathy_runs_rubric_channel_day', table_name='daily_empathy_runs')
    op.drop_index('ix_daily_agent_rollups_leaderboard', table_name='daily_agent_rollups')
