"""monthly tally and worked-time counts; tallied_step becomes tallied_measure

The monthly tally is the daily one added up per local month: what a month,
quarter or year reads, about thirty times fewer rows. The worked-time counts
say how many concluded tickets of a month, quarter or year worked a time in
each bucket, so a quantile of worked time knows which bucket its rank falls
in and reads the exact value from the new index on the ticket's worked
seconds. Both start empty and are not listed as tallied: `helpdesk init-db`
fills the monthly tally from the daily one with one INSERT ... SELECT and
counts every ticket's worked time right after upgrading
(helpdesk.tallies.count_missing); until then the indicators read the daily
tally and the tickets, as before.

A new index on the SLA clocks by tenant, target and stopping moment serves
the response times, which read one target's clocks stopped in a period.

tallied_step now also lists the worked-time counts and the monthly tally, so
it is renamed tallied_measure; its rows are kept.

Revision ID: 8e4f1c2b7a93
Revises: 5d7e2a91c4b0
Create Date: 2026-12-07 06:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '8e4f1c2b7a93'
down_revision = '5d7e2a91c4b0'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def _measure_table(name):
    op.create_table(name,
    sa.Column('measure', sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint('measure', name=op.f(f'pk_{name}'))
    )


def _move_measures(source, target):
    op.execute(f'INSERT INTO {target} (measure) SELECT measure FROM {source}')
    op.drop_table(source)


def upgrade():
    op.create_table('monthly_tally',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('service_code', sa.String(length=40), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=False),
    sa.Column('received', sa.Integer(), nullable=False),
    sa.Column('concluded', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('withdrawn', sa.Integer(), nullable=False),
    sa.Column('settled', sa.Integer(), nullable=False),
    sa.Column('sla_total', sa.Integer(), nullable=False),
    sa.Column('sla_met', sa.Integer(), nullable=False),
    sa.Column('respond_total', sa.Integer(), nullable=False),
    sa.Column('respond_met', sa.Integer(), nullable=False),
    sa.Column('resolve_total', sa.Integer(), nullable=False),
    sa.Column('resolve_met', sa.Integer(), nullable=False),
    sa.Column('surveys_sent', sa.Integer(), nullable=False),
    sa.Column('surveys_answered', sa.Integer(), nullable=False),
    sa.Column('satisfied', sa.Integer(), nullable=False),
    sa.Column('regular', sa.Integer(), nullable=False),
    sa.Column('unsatisfied', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_monthly_tally_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monthly_tally')),
    sa.UniqueConstraint('tenant_id', 'day', 'service_code', 'unit_id', 'department_id', 'assignee_id', name='uq_monthly_tally_key')
    )
    with op.batch_alter_table('monthly_tally', schema=None) as batch_op:
        batch_op.create_index('ix_monthly_tally_tenant_day', ['tenant_id', 'day'], unique=False)
        batch_op.create_index(batch_op.f('ix_monthly_tally_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('worked_tally',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('service_code', sa.String(length=40), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('bucket', sa.Integer(), nullable=False),
    sa.Column('tickets', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_worked_tally_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_worked_tally')),
    sa.UniqueConstraint('tenant_id', 'period', 'service_code', 'unit_id', 'department_id', 'bucket', name='uq_worked_tally_key')
    )
    with op.batch_alter_table('worked_tally', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_worked_tally_tenant_id'), ['tenant_id'], unique=False)

    _measure_table('tallied_measure')
    _move_measures('tallied_step', 'tallied_measure')

    with op.batch_alter_table('tally_mark', schema=None) as batch_op:
        batch_op.add_column(sa.Column('worked', JSON, nullable=False, server_default='[]'))
    with op.batch_alter_table('sla_clock', schema=None) as batch_op:
        batch_op.create_index('ix_sla_clock_tenant_target_met', ['tenant_id', 'target', 'met_at'], unique=False)
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_worked_seconds', ['tenant_id', 'outcome', 'work_seconds', 'closed_at', 'service_code', 'unit_id', 'department_id'], unique=False)


def downgrade():
    with op.batch_alter_table('sla_clock', schema=None) as batch_op:
        batch_op.drop_index('ix_sla_clock_tenant_target_met')
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_worked_seconds')
    with op.batch_alter_table('tally_mark', schema=None) as batch_op:
        batch_op.drop_column('worked')

    # Only the step measures were listed before this revision (theirs have a "/").
    _measure_table('tallied_step')
    op.execute("DELETE FROM tallied_measure WHERE measure NOT LIKE '%/%'")
    _move_measures('tallied_measure', 'tallied_step')

    with op.batch_alter_table('worked_tally', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_worked_tally_tenant_id'))
    op.drop_table('worked_tally')
    with op.batch_alter_table('monthly_tally', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monthly_tally_tenant_id'))
        batch_op.drop_index('ix_monthly_tally_tenant_day')
    op.drop_table('monthly_tally')
