"""SLA clocks: how much of each target a ticket has used, derived from its event log.

:func:`read_clock` is pure: given the calendar, the target and the ticket's
steps (when it entered which kind of state), it returns where the clock stands
at a moment. Time counts only in states whose clock kind is ``counting``; a
wait on the requester or on an external party stops it and the due moment moves
by exactly the stopped time. :func:`refresh` stores the readings in
:class:`~helpdesk.models.SlaClock` rows, after every transition, so queues and
the monitor query due moments directly; recomputing never drifts because the
log is the only input.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from sqlalchemy import select

from helpdesk import plugins
from helpdesk import service_settings
from helpdesk import tenant_calendar
from helpdesk.business_time import Calendar
from helpdesk.business_time import add_business
from helpdesk.business_time import add_business_time
from helpdesk.business_time import business_time_between
from helpdesk.business_time import next_opening
from helpdesk.catalog import BusinessDuration
from helpdesk.catalog import SlaPolicy
from helpdesk.catalog import workflow_of
from helpdesk.extensions import db
from helpdesk.models import SlaClock
from helpdesk.models import Tenant
from helpdesk.models import TenantService
from helpdesk.models import Ticket
from helpdesk.models.base import utcnow
from helpdesk.workflow.definition import ClockKind
from helpdesk.workflow.definition import Workflow

DEFAULT_RISK_RATIO = 0.75
ZERO = timedelta(0)

# Statuses of a reading; the first four are of open clocks.
ON_TIME, AT_RISK, BREACHED, PAUSED, MET, MISSED = (
    "on_time",
    "at_risk",
    "breached",
    "paused",
    "met",
    "missed",
)


def as_utc(moment: datetime) -> datetime:
    """SQLite returns naive datetimes for timezone columns; they were stored as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class Step:
    """The ticket entered a state at ``at``: its clock kind and what it ends."""

    at: datetime
    clock: ClockKind
    ends_respond: bool = False
    ends_resolve: bool = False

    def ends(self, target: str) -> bool:
        return self.ends_respond if target == "respond" else self.ends_resolve


@dataclass(frozen=True)
class ClockReading:
    """One target of one ticket at one moment."""

    target: str
    budget: timedelta
    used: timedelta
    used_before_resume: timedelta
    resumed_at: datetime | None
    due_at: datetime | None
    risk_at: datetime | None
    met_at: datetime | None
    status: str

    @property
    def left(self) -> timedelta:
        """Business time still available (negative once overdue)."""
        return self.budget - self.used

    @property
    def fraction_used(self) -> float:
        return self.used / self.budget if self.budget else 1.0


def budget_of(calendar: Calendar, start: datetime, duration: BusinessDuration) -> timedelta:
    """A target as an amount of business time counted from ``start``.

    Business days become the office time between ``start`` and the same time
    on the Nth working day, so a clock that never stops is due exactly there.
    """
    due = add_business(calendar, start, duration.amount, duration.unit)
    return business_time_between(calendar, start, due)


def _shifted(calendar: Calendar, nominal: datetime, paused: timedelta) -> datetime:
    """A moment moved later by the business time the clock was stopped."""
    return nominal if paused == ZERO else add_business_time(calendar, nominal, paused)


def read_clock(
    calendar: Calendar,
    target: str,
    duration: BusinessDuration,
    received_at: datetime,
    steps: Sequence[Step],
    now: datetime,
    risk_ratio: float = DEFAULT_RISK_RATIO,
) -> ClockReading:
    """Where ``target`` stands at ``now``.

    ``steps[0]`` is the state the ticket was filed in; later steps are the
    states it entered, in order. Time before ``received_at`` (moved to the next
    opening) never counts. The due moment is the target as the rule states it
    (business days land at the same time of day), moved later by exactly the
    business time spent waiting; once reached, later waits no longer move it.
    """
    start = next_opening(calendar, as_utc(received_at))
    nominal_due = add_business(calendar, start, duration.amount, duration.unit)
    budget = business_time_between(calendar, start, nominal_due)
    risk_mark = budget * risk_ratio
    nominal_risk = add_business_time(calendar, start, risk_mark)
    used = paused = ZERO
    counting = bool(steps) and steps[0].clock is ClockKind.COUNTING
    since = start
    met_at: datetime | None = None
    crossed_due: datetime | None = None
    crossed_risk: datetime | None = None
    for step in steps[1:]:
        at = max(as_utc(step.at), start)
        segment = business_time_between(calendar, since, at)
        if counting:
            if crossed_risk is None and used + segment >= risk_mark:
                crossed_risk = _shifted(calendar, nominal_risk, paused)
            if crossed_due is None and used + segment >= budget:
                crossed_due = _shifted(calendar, nominal_due, paused)
            used += segment
        else:
            paused += segment
        since = at
        if step.ends(target):
            met_at = as_utc(step.at)
            break
        counting = step.clock is ClockKind.COUNTING
    due_at = crossed_due or _shifted(calendar, nominal_due, paused)
    risk_at = crossed_risk or _shifted(calendar, nominal_risk, paused)
    if met_at is not None:
        status = MET if used <= budget else MISSED
        return ClockReading(target, budget, used, used, None, due_at, risk_at, met_at, status)
    if not counting:
        if crossed_due is not None:
            # Overdue before the wait began: it stays overdue while waiting.
            return ClockReading(target, budget, used, used, None, due_at, risk_at, None, BREACHED)
        return ClockReading(target, budget, used, used, None, None, None, None, PAUSED)
    now = as_utc(now)
    used_now = used + business_time_between(calendar, since, now)
    if due_at < now:
        status = BREACHED
    elif risk_at <= now:
        status = AT_RISK
    else:
        status = ON_TIME
    return ClockReading(target, budget, used_now, used, since, due_at, risk_at, None, status)


def work_time(calendar: Calendar, received_at: datetime, steps: Sequence[Step]) -> timedelta:
    """Business time the office worked a ticket: from reception to its closing,
    counting only states whose clock runs (waits on anyone excluded).

    An open ticket is measured up to its last step.
    """
    since = next_opening(calendar, as_utc(received_at))
    counting = bool(steps) and steps[0].clock is ClockKind.COUNTING
    worked = ZERO
    for step in steps[1:]:
        at = max(as_utc(step.at), since)
        if counting:
            worked += business_time_between(calendar, since, at)
        since = at
        if step.clock is ClockKind.CLOSED:
            break
        counting = step.clock is ClockKind.COUNTING
    return worked


def steps_of(ticket: Ticket, workflow: Workflow) -> list[Step]:
    """The ticket's event log as clock steps."""
    intake = workflow.intake_states
    steps = []
    for event in ticket.events:
        state = workflow.states.get(event.to_state)
        clock = state.clock if state else ClockKind.COUNTING
        steps.append(
            Step(
                at=as_utc(event.at),
                clock=clock,
                ends_respond=event.from_state is not None and event.to_state not in intake,
                ends_resolve=clock is ClockKind.CLOSED,
            )
        )
    return steps


def readings(
    ticket: Ticket,
    workflow: Workflow,
    policy: SlaPolicy,
    calendar: Calendar,
    now: datetime | None = None,
    risk_ratio: float = DEFAULT_RISK_RATIO,
) -> list[ClockReading]:
    """Every target of the ticket's service, read at ``now``."""
    steps = steps_of(ticket, workflow)
    now = now or utcnow()
    return [
        read_clock(calendar, target, duration, ticket.received_at, steps, now, risk_ratio)
        for target, duration in (("respond", policy.respond), ("resolve", policy.resolve))
        if duration is not None
    ]


def store(ticket: Ticket, found: Sequence[ClockReading]) -> None:
    """Write the readings into the ticket's SlaClock rows (inside the caller's transaction)."""
    rows = {
        row.target: row
        for row in db.session.scalars(select(SlaClock).where(SlaClock.ticket_id == ticket.id))
    }
    for reading in found:
        row = rows.pop(reading.target, None)
        if row is None:
            row = SlaClock(tenant_id=ticket.tenant_id, ticket_id=ticket.id, target=reading.target)
            db.session.add(row)
        row.budget_seconds = int(reading.budget.total_seconds())
        row.used_seconds = int(reading.used_before_resume.total_seconds())
        row.resumed_at = reading.resumed_at
        row.due_at = reading.due_at
        row.risk_at = reading.risk_at
        row.met_at = reading.met_at
        if reading.status == ON_TIME:
            # The clock was given time back (a longer target set by the admin):
            # a later risk is news again.
            row.alerted = ""
    for stale in rows.values():
        db.session.delete(stale)
    db.session.flush()


def calendar_of(
    tenant: Tenant, service: service_settings.EffectiveService, around: datetime | None = None
) -> Calendar:
    """The calendar a service runs on in a tenant (its own hours, the tenant's days).

    ``around`` picks the years whose rest days are loaded (default: now); a
    ticket's clocks use its reception date.
    """
    day = as_utc(around).date() if around is not None else None
    return tenant_calendar.calendar_for(tenant, service.office_hours, around=day)


def service_of(ticket: Ticket) -> service_settings.EffectiveService | None:
    """The ticket's service as its tenant runs it (None if its plugin is gone)."""
    definition = plugins.host().catalog.get(ticket.service_code)
    tenant = db.session.get(Tenant, ticket.tenant_id)
    if definition is None or tenant is None:
        return None
    row = db.session.scalar(
        select(TenantService).where(
            TenantService.tenant_id == tenant.id, TenantService.service_code == definition.code
        )
    ) or TenantService(tenant_id=tenant.id, service_code=definition.code, enabled=False)
    return service_settings.effective(definition, row, tenant)


def risk_ratio() -> float:
    from flask import current_app

    return float(current_app.config.get("HELPDESK_SLA_RISK_RATIO", DEFAULT_RISK_RATIO))


def ticket_readings(ticket: Ticket, now: datetime | None = None) -> list[ClockReading]:
    """The ticket's clocks read at ``now`` (empty when its service has no targets)."""
    service = service_of(ticket)
    if service is None:
        return []
    tenant = db.session.get(Tenant, ticket.tenant_id)
    workflow = workflow_of(service.definition)
    calendar = calendar_of(tenant, service, ticket.received_at)
    policy = service_settings.request_sla(service, ticket.data)
    return readings(ticket, workflow, policy, calendar, now, risk_ratio())


def ticket_work_seconds(ticket: Ticket) -> int | None:
    """Business seconds a closed ticket was worked (None while open or without its plugin)."""
    service = service_of(ticket) if ticket.closed_at is not None else None
    if service is None:
        return None
    tenant = db.session.get(Tenant, ticket.tenant_id)
    workflow = workflow_of(service.definition)
    calendar = calendar_of(tenant, service, ticket.received_at)
    worked = work_time(calendar, ticket.received_at, steps_of(ticket, workflow))
    return int(worked.total_seconds())


def refresh(ticket: Ticket, now: datetime | None = None) -> list[ClockReading]:
    """Recompute and store the ticket's clocks and, once closed, its worked time.

    Call after its event is recorded.
    """
    found = ticket_readings(ticket, now)
    store(ticket, found)
    worked = ticket_work_seconds(ticket)
    if ticket.work_seconds != worked:
        # Assigning even an equal value would bump the ticket's version.
        ticket.work_seconds = worked
    return found


def refresh_open(tenant: Tenant, service_code: str | None = None) -> int:
    """Recompute the stored clocks of the tenant's open tickets (after a calendar or SLA change).

    Returns how many tickets were recomputed; the caller commits.
    """
    statement = select(Ticket).where(Ticket.tenant_id == tenant.id, Ticket.closed_at.is_(None))
    if service_code is not None:
        statement = statement.where(Ticket.service_code == service_code)
    count = 0
    for ticket in db.session.scalars(statement.order_by(Ticket.id)):
        refresh(ticket)
        count += 1
    return count
