"""step counts per month, quarter and year for the step indicators

Tickets that took a step are counted once per whole period (a ticket returned
twice in a quarter counts once), so they cannot be added up from the daily
tally. The counts start empty and no measure is listed as tallied: `helpdesk
init-db` lists the installed plugins' step measures and counts every ticket
for them right after upgrading (helpdesk.tallies.count_missing); until then
the indicators read the events, as before.

Revision ID: 5d7e2a91c4b0
Revises: 3cb5423c12b9
Create Date: 2026-12-05 16:40:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '5d7e2a91c4b0'
down_revision = '3cb5423c12b9'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    op.create_table('step_tally',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('measure', sa.String(length=255), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('service_code', sa.String(length=40), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('tickets', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_step_tally_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_step_tally')),
    sa.UniqueConstraint('tenant_id', 'measure', 'period', 'service_code', 'unit_id', 'department_id', name='uq_step_tally_key')
    )
    with op.batch_alter_table('step_tally', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_step_tally_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('tallied_step',
    sa.Column('measure', sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint('measure', name=op.f('pk_tallied_step'))
    )
    with op.batch_alter_table('tally_mark', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stepped', JSON, nullable=False, server_default='[]'))


def downgrade():
    with op.batch_alter_table('tally_mark', schema=None) as batch_op:
        batch_op.drop_column('stepped')

    op.drop_table('tallied_step')
    with op.batch_alter_table('step_tally', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_step_tally_tenant_id'))

    op.drop_table('step_tally')
