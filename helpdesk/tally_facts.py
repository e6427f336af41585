"""What the tally counts of a ticket, read from the database, and which measures are counted.

:func:`read_facts` reads a batch of tickets with their clocks, survey and the
events the step measures name, as :class:`~helpdesk.tally_rules.Facts` in
each tenant's local days; :func:`tallied` lists the measures whose tickets are
all counted (:class:`~helpdesk.models.TalliedMeasure`) and
:func:`declared_steps` those the installed plugins' indicators use.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk import measures
from helpdesk import plugins
from helpdesk import tally_rules
from helpdesk.extensions import db
from helpdesk.models import SlaClock
from helpdesk.models import Survey
from helpdesk.models import Tenant
from helpdesk.models import Ticket
from helpdesk.models import TicketEvent
from helpdesk.models.tallies import TalliedMeasure
from helpdesk.sla import as_utc
from helpdesk.tally_rules import Facts
from helpdesk.tenancy import ALL_TENANTS

ALL = {ALL_TENANTS: True}


def read_facts(
    session: Session, ticket_ids: Sequence[int], steps: Sequence[str] = ()
) -> dict[int, tuple[int, Facts]]:
    """``{ticket id: (tenant id, facts)}`` of the tickets that still exist, with
    the events that count for the step measures ``steps`` (keys)."""
    tickets = session.execute(
        select(
            Ticket.id,
            Ticket.tenant_id,
            Ticket.service_code,
            Ticket.unit_id,
            Ticket.department_id,
            Ticket.assignee_id,
            Ticket.received_at,
            Ticket.closed_at,
            Ticket.outcome,
            Ticket.work_seconds,
            Tenant.timezone,
        )
        .join(Tenant, Tenant.id == Ticket.tenant_id)
        .where(Ticket.id.in_(ticket_ids))
        .execution_options(**ALL)
    ).all()
    clocks: dict[int, list[tuple[str, bool]]] = {}
    for ticket_id, target, overrun in session.execute(
        select(SlaClock.ticket_id, SlaClock.target, SlaClock.used_seconds > SlaClock.budget_seconds)
        .where(SlaClock.ticket_id.in_(ticket_ids))
        .order_by(SlaClock.ticket_id, SlaClock.target)
        .execution_options(**ALL)
    ):
        clocks.setdefault(ticket_id, []).append((target, bool(overrun)))
    surveys = {
        ticket_id: (answered is not None, rating)
        for ticket_id, answered, rating in session.execute(
            select(Survey.ticket_id, Survey.answered_at, Survey.rating)
            .where(Survey.ticket_id.in_(ticket_ids))
            .execution_options(**ALL)
        )
    }
    events = _events(session, ticket_ids, steps)
    found = {}
    for row in tickets:
        zone = ZoneInfo(row.timezone)
        found[row.id] = (
            row.tenant_id,
            Facts(
                service_code=row.service_code,
                unit_id=row.unit_id,
                department_id=row.department_id,
                assignee_id=row.assignee_id,
                received_day=as_utc(row.received_at).astimezone(zone).date(),
                closed_day=(
                    as_utc(row.closed_at).astimezone(zone).date() if row.closed_at else None
                ),
                outcome=row.outcome,
                work_seconds=row.work_seconds,
                clocks=tuple(clocks.get(row.id, ())),
                survey=surveys.get(row.id),
                events=tuple(
                    (transition, source, target, as_utc(at).astimezone(zone).date())
                    for transition, source, target, at in events.get(row.id, ())
                ),
            ),
        )
    return found


def _events(
    session: Session, ticket_ids: Sequence[int], steps: Sequence[str]
) -> dict[int, list[tuple[Any, ...]]]:
    """The tickets' events with a step or a state some measure of ``steps`` names."""
    names: set[str] = set()
    states: set[str] = set()
    for key in steps:
        found_steps, found_states = tally_rules.step_names(key)
        names |= found_steps
        states |= found_states
    if not names and not states:
        return {}
    found: dict[int, list[tuple[Any, ...]]] = {}
    for ticket_id, *step in session.execute(
        select(
            TicketEvent.ticket_id,
            TicketEvent.transition,
            TicketEvent.from_state,
            TicketEvent.to_state,
            TicketEvent.at,
        )
        .where(
            TicketEvent.ticket_id.in_(ticket_ids),
            TicketEvent.transition.in_(names) | TicketEvent.to_state.in_(states),
        )
        .execution_options(**ALL)
    ):
        found.setdefault(ticket_id, []).append(tuple(step))
    return found


def tallied(session: Session | None = None) -> list[str]:
    """The measures whose tickets are all counted (:class:`TalliedMeasure`), in order."""
    session = session or db.session
    return list(session.scalars(select(TalliedMeasure.measure).order_by(TalliedMeasure.measure)))


def tallied_steps(session: Session | None = None) -> list[str]:
    """The step measures (keys) whose tickets are all counted, in order."""
    return [key for key in tallied(session) if "/" in key]


def declared_steps() -> list[str]:
    """The keys of the step measures the installed plugins' indicators use."""
    found = {
        tally_rules.step_key(part.steps, part.states)
        for definition in plugins.host().indicators.values()
        for part in measures.parts(definition.measure)
        if isinstance(part, measures.Stepped)
    }
    return sorted(found)
