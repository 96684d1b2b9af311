"""an index of the daily rollups by team, for an agent's profile against their team

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_daily_rollups_rubric_team_day', 'daily_rollups', ['rubric_version_id', 'team_id', 'day'])


def downgrade() -> None:
    op.drop_index('ix_daily_rollups_rubric_team_day', table_name='daily_rollups')
