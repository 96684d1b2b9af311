"""daily rollups of scores, and the start day of each interaction

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

The rollup tables are created empty; store.rollups.ensure_current fills them on the next start (or
`python -m store migrate`), because what they hold is defined by the scoring code, not by this revision.
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def _keys() -> list[sa.Column]:
    return [sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('rubric_version_id', sa.Integer(), nullable=False),
            sa.Column('day', sa.Date(), nullable=False)]


def _foreign_keys(*tables: str) -> list[sa.ForeignKeyConstraint]:
    return [sa.ForeignKeyConstraint([f'{table[:-1]}_id'], [f'{table}.id']) for table in tables]


def upgrade() -> None:
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('started_day', sa.Date(), nullable=True))
        batch_op.create_index('ix_interactions_started_day', ['started_day'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("UPDATE interactions SET started_day = (started_at AT TIME ZONE 'UTC')::date "
                   "WHERE started_at IS NOT NULL")
    else:
        op.execute("UPDATE interactions SET started_day = date(started_at) WHERE started_at IS NOT NULL")

    criteria = ('listen', 'empathize', 'apologize', 'fix', 'overcommunicate', 'respond')
    op.create_table(
        'daily_rollups', *_keys(),
        sa.Column('week', sa.Date(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=True),
        sa.Column('employee_id', sa.Integer(), nullable=True),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('interactions', sa.Integer(), nullable=False),
        sa.Column('overall_n', sa.Integer(), nullable=False),
        sa.Column('overall_sum', sa.Float(), nullable=False),
        sa.Column('overall_sum_squares', sa.Float(), nullable=False),
        *(column for name in criteria for column in (sa.Column(f'{name}_n', sa.Integer(), nullable=False),
                                                     sa.Column(f'{name}_sum', sa.Float(), nullable=False))),
        *(sa.Column(name, sa.Integer(), nullable=False)
          for name in ('auto_fails', 'transfers', 'first_contact_resolved', 'owned_apologies', 'csat_n')),
        sa.Column('csat_sum', sa.Float(), nullable=False),
        sa.Column('replies', sa.Integer(), nullable=False),
        sa.Column('first_response_sum', sa.Float(), nullable=False),
        sa.Column('within_target', sa.Integer(), nullable=False),
        *_foreign_keys('rubric_versions', 'teams', 'employees'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_daily_rollups_rubric_day', 'daily_rollups', ['rubric_version_id', 'day'])
    op.create_index('ix_daily_rollups_rubric_employee_day', 'daily_rollups',
                    ['rubric_version_id', 'employee_id', 'day'])
    op.create_table(
        'daily_score_buckets', *_keys(),
        sa.Column('team_id', sa.Integer(), nullable=True),
        sa.Column('bucket', sa.Integer(), nullable=False),
        sa.Column('interactions', sa.Integer(), nullable=False),
        *_foreign_keys('rubric_versions', 'teams'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_daily_score_buckets_rubric_day', 'daily_score_buckets', ['rubric_version_id', 'day'])
    op.create_table(
        'daily_csat', *_keys(),
        sa.Column('team_id', sa.Integer(), nullable=True),
        sa.Column('csat', sa.Integer(), nullable=False),
        sa.Column('interactions', sa.Integer(), nullable=False),
        sa.Column('overall_n', sa.Integer(), nullable=False),
        sa.Column('overall_sum', sa.Float(), nullable=False),
        *_foreign_keys('rubric_versions', 'teams'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_daily_csat_rubric_day', 'daily_csat', ['rubric_version_id', 'day'])
    op.create_table(
        'daily_empathy_runs', *_keys(),
        sa.Column('team_id', sa.Integer(), nullable=True),
        sa.Column('employee_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=True),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in ('scored', 'head', 'tail', 'best', 'misses')),
        *_foreign_keys('rubric_versions', 'teams', 'employees'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_daily_empathy_runs_rubric_day', 'daily_empathy_runs', ['rubric_version_id', 'day'])


def downgrade() -> None:
    for table in ('daily_empathy_runs', 'daily_csat', 'daily_score_buckets', 'daily_rollups'):
        op.drop_table(table)
    op.execute("DELETE FROM app_meta WHERE key = 'rollup_schema'")
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.drop_index('ix_interactions_started_day')
        batch_op.drop_column('started_day')
