"""events carry their ticket's service; the step indexes cover what they find

The indicators count the tickets that took a step in a period by finding the
steps by name or by the state entered (measures.Stepped). Each event now keeps
its ticket's service (which never changes; filled here from the tickets), and
the step indexes carry it with the ticket and the state left, so the count
reads no event row, and no ticket row unless the scope is a unit or a
department.

Revision ID: b71d3e9a5c20
Revises: 8e4f1c2b7a93
Create Date: 2026-12-07 13:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'b71d3e9a5c20'
down_revision = '8e4f1c2b7a93'
branch_labels = None
depends_on = None

TRANSITION = 'ix_ticket_event_tenant_transition_at'
TO_STATE = 'ix_ticket_event_tenant_to_state_at'


def _indexes(batch_op, transition, to_state):
    batch_op.drop_index(TRANSITION)
    batch_op.drop_index(TO_STATE)
    batch_op.create_index(TRANSITION, transition, unique=False)
    batch_op.create_index(TO_STATE, to_state, unique=False)


def upgrade():
    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('service_code', sa.String(length=40), nullable=True))
    op.execute(
        'UPDATE ticket_event SET service_code = '
        '(SELECT ticket.service_code FROM ticket WHERE ticket.id = ticket_event.ticket_id)'
    )
    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.alter_column('service_code', existing_type=sa.String(length=40), nullable=False)
        _indexes(
            batch_op,
            ['tenant_id', 'transition', 'at', 'service_code', 'ticket_id'],
            ['tenant_id', 'to_state', 'at', 'from_state', 'service_code', 'ticket_id'],
        )


def downgrade():
    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        _indexes(batch_op, ['tenant_id', 'transition', 'at'], ['tenant_id', 'to_state', 'at'])
        batch_op.drop_column('service_code')
