"""What the portal indicator tests share: filing and taking steps at exact moments,
answering the link checks, and reading the indicators.

Every filing and step runs under ``time_machine`` at a wall-clock time of
Mexico City (UTC-6, no daylight saving; both Chalco and the demo Sinaloa use
that zone), so business time, SLA and periods can be worked out by hand. Steps
go through the engine's ``apply`` as the named person, exactly as the pages do,
so the after-commit link check of PSDT-05 runs as it does in production.
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import select

from helpdesk import indicators
from helpdesk import plugins
from helpdesk import service_settings
from helpdesk import tickets
from helpdesk.catalog import workflow_of
from helpdesk.extensions import db
from helpdesk.indicators import Scope
from helpdesk.models import Department
from helpdesk.models import Tenant
from helpdesk.models import Ticket
from helpdesk.models import User
from helpdesk.tenancy import scoped_to
from helpdesk.workflow.engine import apply
from plugins.portal import links
from plugins.portal.indicators import ALL

MX = ZoneInfo("America/Mexico_City")


def people(tenant):
    """The demo's coordinator, agent and requester e-mails of ``tenant``."""
    return tuple(f"{who}@{tenant}.example" for who in ("coordinador", "tecnico", "solicitante"))


def at(year, month, day, hour, minute=0):
    """Freeze the clock at that wall-clock time of Mexico City."""
    moment = datetime(year, month, day, hour, minute, tzinfo=MX).astimezone(UTC)
    return time_machine.travel(moment, tick=False)


def _tenant(slug):
    return db.session.scalar(select(Tenant).where(Tenant.slug == slug))


def file_at(app, moment, tenant, service, data, *, by_desk=False, **kwargs):
    """The requester files ``service`` at ``moment`` (``by_desk``: the help desk registers it
    for them, by phone); returns the ticket's id."""
    coordinator, _, requester_email = people(tenant)
    with at(*moment), app.app_context():
        row = _tenant(tenant)
        with scoped_to(row):
            requester = db.session.scalar(select(User).where(User.email == requester_email))
            desk = db.session.scalar(select(User).where(User.email == coordinator))
            catalog = plugins.host().catalog
            rows = service_settings.ensure_rows(row, catalog)
            effective = service_settings.effective(catalog.get(service), rows[service], row)
            ticket = tickets.file_request(
                tenant=row,
                service=effective,
                requester=requester,
                filed_by=desk if by_desk else requester,
                data=data,
                unit_id=requester.unit_id,
                channel="phone" if by_desk else "portal",
                **kwargs,
            )
            return ticket.id


def step_at(app, moment, ticket_id, name, email, *, department=None, **kwargs):
    """``email`` takes step ``name`` at ``moment`` (``department``: the code to turn to)."""
    fields = dict(kwargs.pop("fields", {}))
    with at(*moment), app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        with scoped_to(db.session.get(Tenant, ticket.tenant_id)):
            actor = db.session.scalar(select(User).where(User.email == email))
            if department is not None:
                fields["department_id"] = db.session.scalar(
                    select(Department.id).where(Department.code == department)
                )
            workflow = workflow_of(plugins.host().catalog.get(ticket.service_code))
            apply(ticket_id, name, actor, workflow=workflow, fields=fields, **kwargs)


def check_links_at(app, moment, tenant):
    """The periodic check of every published order (PSDT-07), at ``moment``."""
    with at(*moment), app.app_context():
        row = _tenant(tenant)
        with scoped_to(row):
            return links.check_links(row, seconds=1)


def transitions_of(app, ticket_id):
    with app.app_context():
        return [event.transition for event in db.session.get(Ticket, ticket_id).events]


def codes_of(service):
    return sorted(i.code for i in ALL if i.service_code == service)


def readings(app, tenant, codes, period):
    """``{code: value}`` for plain figures and ``{code: (value, numerator, denominator)}``
    for ratios and percentages, read in ``tenant`` for ``period``."""
    found = {}
    with app.app_context():
        scope = Scope.of(_tenant(tenant), period)
        for code in codes:
            reading = indicators.read(indicators.definition(code), scope)
            if reading.numerator is None and reading.denominator is None:
                found[code] = reading.value
            else:
                found[code] = (reading.value, reading.numerator, reading.denominator)
    return found
