"""What the technical-opinion indicators count that the core's measures cannot say.

Each function takes the indicator's :class:`~helpdesk.indicators.Scope` (already
narrowed to the indicator's service) and runs one aggregate query over the
scope's tickets; :func:`dgsei_response_hours` alone finishes in Python,
because business time needs the office calendar, which SQL does not know.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import aliased

from helpdesk import measures
from helpdesk import service_settings
from helpdesk import sla
from helpdesk.business_time import Calendar
from helpdesk.business_time import business_time_between
from helpdesk.extensions import db
from helpdesk.indicators import evaluate
from helpdesk.models import Tenant
from helpdesk.models import TenantService
from helpdesk.models import Ticket
from helpdesk.models import TicketEvent
from plugins.dictamenes import services
from plugins.dictamenes import workflows

if TYPE_CHECKING:
    from helpdesk.indicators import Scope

# The support service whose unsolved requests open the dictamen técnico interno
# (plugin soporte): named by its code, as every hand-off between plugins is.
SUPPORT_SERVICE = "GCH-CCS-P10"
ONE_HOUR = timedelta(hours=1)


def _in_period(scope: Scope) -> ColumnElement[bool]:
    """The step was taken in the period."""
    return scope.within(TicketEvent.at, TicketEvent.tenant_id)


def _took(scope: Scope, steps: tuple[str, ...]) -> ColumnElement[bool]:
    """The ticket took one of ``steps`` in the period."""
    return exists().where(
        TicketEvent.ticket_id == Ticket.id,
        TicketEvent.transition.in_(steps),
        _in_period(scope),
    )


def steps_taken(*steps: str) -> Callable[[Scope], int]:
    """Times any of ``steps`` was taken in the period (a ticket may take one several times)."""

    def compute(scope: Scope) -> int:
        statement = (
            select(func.count(TicketEvent.id))
            .join(Ticket, Ticket.id == TicketEvent.ticket_id)
            .where(*scope.ticket_filters(), TicketEvent.transition.in_(steps), _in_period(scope))
        )
        return int(db.session.scalar(statement) or 0)

    return compute


def inspection_tally(key: str, *steps: str) -> Callable[[Scope], int]:
    """P11: the assets counted under ``key`` in the inspection's tally
    (:func:`plugins.dictamenes.inspection.tally`) of the requests that took one
    of ``steps`` in the period.

    The decision steps (dictamen, oficio) are taken at most once per request
    and only after its last inspection, so the tally read now is the one the
    decision was made on. JSON paths with ``as_integer()`` render as
    ``JSON_EXTRACT`` on SQLite and ``#>>`` on PostgreSQL.
    """
    path = Ticket.data[("inspection", "tally", key)].as_integer()

    def compute(scope: Scope) -> int:
        statement = select(func.coalesce(func.sum(path), 0)).where(
            *scope.ticket_filters(), _took(scope, steps)
        )
        return int(db.session.scalar(statement) or 0)

    return compute


def dgsei_first_pass(scope: Scope) -> int:
    """P12: requests whose DGSEI dictamen was received in the period with no DGSEI
    rejection before it."""
    rejection = aliased(TicketEvent)
    earlier_rejection = exists().where(
        rejection.ticket_id == TicketEvent.ticket_id,
        rejection.transition == workflows.DGSEI_REJECTS,
        rejection.seq < TicketEvent.seq,
    )
    statement = (
        select(func.count(func.distinct(TicketEvent.ticket_id)))
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(
            *scope.ticket_filters(),
            TicketEvent.transition == workflows.RECEIVE_DGSEI_DICTAMEN,
            _in_period(scope),
            ~earlier_rejection,
        )
    )
    return int(db.session.scalar(statement) or 0)


def closed_support_requests(scope: Scope) -> float | None:
    """P10 requests closed in the period with the service given: concluded, or
    ended without a solution (which hands off the dictamen técnico interno)."""
    return evaluate(measures.Closed(), replace(scope, service_code=SUPPORT_SERVICE))[0]


def _calendars(tenant_ids: set[int], scope: Scope) -> dict[int, Calendar]:
    """P12's calendar in each tenant (its own office hours, the tenant's days)."""
    found = {}
    for tenant_id in tenant_ids:
        tenant = db.session.get(Tenant, tenant_id)
        setting = db.session.scalar(
            select(TenantService).where(
                TenantService.tenant_id == tenant_id,
                TenantService.service_code == services.P12.code,
            )
        ) or TenantService(tenant_id=tenant_id, service_code=services.P12.code, enabled=False)
        service = service_settings.effective(services.P12, setting, tenant)
        found[tenant_id] = sla.calendar_of(tenant, service, scope.start)
    return found


def median(values: list[float]) -> float | None:
    """The median, halfway between the middle two of an even count (percentile_cont)."""
    if not values:
        return None
    ordered = sorted(values)
    middle = (len(ordered) - 1) / 2
    low, high = ordered[math.floor(middle)], ordered[math.ceil(middle)]
    return (low + high) / 2


def dgsei_response_hours(scope: Scope) -> float | None:
    """P12: median business hours between each sending to the DGSEI and its answer
    (dictamen received or rejection recorded), over the answers of the period.

    One query pairs each answer with the last sending before it (each answer
    follows exactly one sending); the business time between the two needs the
    office calendar, so it is measured here, on as many rows as answers in the
    period, and only for the tenants they belong to.
    """
    sending = aliased(TicketEvent)
    sent_at = (
        select(func.max(sending.at))
        .where(
            sending.ticket_id == TicketEvent.ticket_id,
            sending.transition == workflows.SEND_TO_DGSEI,
            sending.seq < TicketEvent.seq,
        )
        .correlate(TicketEvent)
        .scalar_subquery()
    )
    statement = (
        select(Ticket.tenant_id, sent_at, TicketEvent.at)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(
            *scope.ticket_filters(),
            TicketEvent.transition.in_((workflows.DGSEI_REJECTS, workflows.RECEIVE_DGSEI_DICTAMEN)),
            _in_period(scope),
        )
    )
    rows: list[tuple[int, datetime | None, datetime]] = [
        (tenant_id, sent, answered)
        for tenant_id, sent, answered in db.session.execute(statement)
        if sent is not None
    ]
    calendars = _calendars({tenant_id for tenant_id, _, _ in rows}, scope)
    hours = [
        business_time_between(calendars[tenant_id], sla.as_utc(sent), sla.as_utc(answered))
        / ONE_HOUR
        for tenant_id, sent, answered in rows
    ]
    found = median(hours)
    return None if found is None else round(found, 2)
