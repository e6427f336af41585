"""Filing and moving support tickets at exact moments, for the indicator tests.

Every filing and step runs under ``time_machine.travel`` at a local Mexico
City time, through the same functions the pages call
(:func:`helpdesk.tickets.file_request` and :func:`helpdesk.workflow.engine.apply`),
so the receipt moment, the events, the SLA clocks and the worked time are the
ones a real ticket would have.
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import select

from helpdesk import indicators
from helpdesk import measures
from helpdesk import periods
from helpdesk import plugins
from helpdesk import service_settings
from helpdesk import tickets
from helpdesk.catalog import workflow_of
from helpdesk.extensions import db
from helpdesk.models import Survey
from helpdesk.models import Tenant
from helpdesk.models import Ticket
from helpdesk.models import Unit
from helpdesk.models import User
from helpdesk.tenancy import scoped_to
from helpdesk.workflow.engine import apply

MEXICO_CITY = ZoneInfo("America/Mexico_City")
YEAR = 2026
Q1, Q2 = periods.quarter(YEAR, 1), periods.quarter(YEAR, 2)

# Who takes each step; any other step is the technician's.
REQUESTER_STEPS = {"resubmit", "withdraw", "verify", "report_still_failing"}
COORDINATOR_STEPS = {"review", "request_completion", "turn", "reject"}


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of 2026 in Mexico City (UTC-6 all year), as UTC."""
    return datetime(YEAR, month, day, hour, minute, tzinfo=MEXICO_CITY).astimezone(UTC)


class Desk:
    """One tenant's desk: file requests and take steps at given moments."""

    def __init__(self, app: Any, slug: str) -> None:
        self.app = app
        self.slug = slug
        self.surveys = 0

    def _tenant(self) -> Tenant:
        return db.session.scalar(select(Tenant).where(Tenant.slug == self.slug))

    def _user(self, role: str) -> User:
        email = {
            "requester": f"solicitante@{self.slug}.example",
            "coordinator": f"coordinador@{self.slug}.example",
            "agent": f"tecnico@{self.slug}.example",
        }[role]
        return db.session.scalar(select(User).where(User.email == email))

    def file(self, code: str, when: datetime, data: dict[str, Any], unit: str | None = None) -> int:
        """File a request at ``when`` (for the named requesting unit); returns its id."""
        with self.app.app_context(), time_machine.travel(when, tick=False):
            tenant = self._tenant()
            with scoped_to(tenant):
                catalog = plugins.host().catalog
                rows = service_settings.ensure_rows(tenant, catalog)
                rows[code].enabled = True
                db.session.commit()
                requester = self._user("requester")
                unit_id = requester.unit_id
                if unit is not None:
                    unit_id = db.session.scalar(select(Unit.id).where(Unit.name == unit))
                ticket = tickets.file_request(
                    tenant=tenant,
                    service=service_settings.effective(catalog.get(code), rows[code], tenant),
                    requester=requester,
                    filed_by=requester,
                    data=data,
                    unit_id=unit_id,
                    liaison={"name": "Enlace", "email": "enlace@example.org", "phone": "55"},
                )
                return ticket.id

    def step(self, ticket_id: int, name: str, when: datetime) -> str:
        """Take step ``name`` at ``when`` as the person who takes it, giving
        whatever it requires; returns the new state."""
        with self.app.app_context(), time_machine.travel(when, tick=False):
            tenant = self._tenant()
            with scoped_to(tenant):
                ticket = db.session.get(Ticket, ticket_id)
                service = plugins.host().catalog.get(ticket.service_code)
                workflow = workflow_of(service)
                requires = workflow.transition(name).requires
                role = (
                    "requester"
                    if name in REQUESTER_STEPS
                    else "coordinator"
                    if name in COORDINATOR_STEPS
                    else "agent"
                )
                fields: dict[str, Any] = {
                    "checklist": dict.fromkeys(service.checklist, True),
                    "department_id": ticket.department_id,
                    "assignee_id": self._user("agent").id,
                    "data": dict(ticket.data),
                    "text": f"Registro del paso {name}",
                }
                event = apply(
                    ticket_id,
                    name,
                    self._user(role),
                    workflow=workflow,
                    reason=f"Motivo del paso {name}" if "reason" in requires else None,
                    fields=fields,
                    context={"checklist": service.checklist},
                )
                return event.to_state

    def steps(self, ticket_id: int, *taken: tuple[str, datetime]) -> str:
        state = ""
        for name, when in taken:
            state = self.step(ticket_id, name, when)
        return state

    def survey(self, ticket_id: int, rating: str | None, answered: datetime | None) -> None:
        """The ticket's satisfaction survey, answered ``rating`` (None: unanswered).

        The survey opened when the ticket was concluded is answered; a ticket
        without one (the survey module not installed) gets its row here.
        """
        with self.app.app_context():
            ticket = db.session.get(Ticket, ticket_id)
            survey = db.session.scalar(select(Survey).where(Survey.ticket_id == ticket_id))
            if survey is None:
                self.surveys += 1
                survey = Survey(
                    tenant_id=ticket.tenant_id,
                    ticket_id=ticket.id,
                    requester_id=ticket.requester_id,
                    service_code=ticket.service_code,
                    token_hash=f"{ticket.id:032x}{self.surveys:032x}",
                    nonce=f"nonce-{ticket.id}",
                    expires_at=at(12, 31, 12),
                )
                db.session.add(survey)
            survey.answered_at = answered
            survey.rating = rating
            db.session.commit()

    def state(self, ticket_id: int) -> str:
        with self.app.app_context():
            return db.session.get(Ticket, ticket_id).state

    def scope(self, period: periods.Period, **filters: Any) -> indicators.Scope:
        """This tenant in ``period`` (call inside an app context)."""
        return indicators.Scope.of(self._tenant(), period, **filters)

    def read(self, code: str, period: periods.Period) -> indicators.Reading:
        """The indicator ``code`` of this tenant in ``period``."""
        with self.app.app_context():
            return indicators.read(indicators.definition(code), self.scope(period))

    def read_all(self, period: periods.Period, service_code: str) -> list[indicators.Reading]:
        with self.app.app_context():
            return indicators.read_all(self.scope(period, service_code=service_code))

    def evaluate(self, measure: measures.Measure, period: periods.Period, **filters: Any) -> Any:
        with self.app.app_context():
            return indicators.evaluate(measure, self.scope(period, **filters))


def value_of(reading: indicators.Reading) -> Any:
    """A plain count or time as its value; a percentage as (value, part, whole)."""
    if reading.numerator is None and reading.denominator is None:
        return reading.value
    return reading.value, reading.numerator, reading.denominator
