"""an index of the score buckets by bucket, for the count of poorly handled interactions over a period

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_daily_score_buckets_rubric_bucket_day', 'daily_score_buckets',
                    ['rubric_version_id', 'bucket', 'day', 'interactions'])


def downgrade() -> None:
    op.drop_index('ix_daily_score_buckets_rubric_bucket_day', table_name='daily_score_buckets')
