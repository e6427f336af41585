"""What the indicator tests share: filing and taking steps at exact moments, and reading.

Every filing and step runs under ``time_machine`` at a wall-clock time of
Mexico City (UTC-6, no daylight saving), so the business time, the SLA and
the period each ticket counts in can be worked out by hand. Steps go through
the engine's ``apply`` as the named person, exactly as the pages do.
"""

from __future__ import annotations

import io
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
from helpdesk.models import TicketLink
from helpdesk.models import Unit
from helpdesk.models import User
from helpdesk.tenancy import scoped_to
from helpdesk.workflow.engine import apply

from .conftest import PDF
from .conftest import PNG

MX = ZoneInfo("America/Mexico_City")
COORD = "coordinador@chalco.example"
AGENT = "tecnico@chalco.example"
REQUESTER = "solicitante@chalco.example"


def at(year, month, day, hour, minute=0):
    """Freeze the clock at that wall-clock time of Mexico City."""
    moment = datetime(year, month, day, hour, minute, tzinfo=MX).astimezone(UTC)
    return time_machine.travel(moment, tick=False)


def _tenant(slug="chalco"):
    return db.session.scalar(select(Tenant).where(Tenant.slug == slug))


def file_at(app, moment, service, data, *, unit=None, photos=0, oficio=False):
    """The requester files ``service`` at ``moment``; returns the ticket's id."""
    with at(*moment), app.app_context():
        tenant = _tenant()
        with scoped_to(tenant):
            requester = db.session.scalar(select(User).where(User.email == REQUESTER))
            unit_id = requester.unit_id
            if unit is not None:
                unit_id = db.session.scalar(select(Unit.id).where(Unit.name == unit))
            catalog = plugins.host().catalog
            rows = service_settings.ensure_rows(tenant, catalog)
            effective = service_settings.effective(catalog.get(service), rows[service], tenant)
            uploads = [tickets.Upload("oficio.pdf", io.BytesIO(PDF))] if oficio else []
            uploads += [tickets.Upload(f"foto {n}.png", io.BytesIO(PNG)) for n in range(photos)]
            ticket = tickets.file_request(
                tenant=tenant,
                service=effective,
                requester=requester,
                filed_by=requester,
                data=data,
                unit_id=unit_id,
                uploads=uploads,
            )
            return ticket.id


def step_at(app, moment, ticket_id, name, email=COORD, *, department=None, files=0, **kwargs):
    """``email`` takes step ``name`` at ``moment`` (``department``: the code to turn to;
    ``files``: PDFs uploaded with the step)."""
    fields = dict(kwargs.pop("fields", {}))
    with at(*moment), app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        with scoped_to(db.session.get(Tenant, ticket.tenant_id)):
            actor = db.session.scalar(select(User).where(User.email == email))
            if department is not None:
                fields["department_id"] = db.session.scalar(
                    select(Department.id).where(Department.code == department)
                )
            if files:
                stored = tickets.store_uploads(
                    [tickets.Upload(f"dictamen {n}.pdf", io.BytesIO(PDF)) for n in range(files)]
                )
                rows = tickets.attachment_rows(ticket, stored, actor)
                db.session.flush()
                fields["attachment_ids"] = [row.id for row in rows]
            workflow = workflow_of(plugins.host().catalog.get(ticket.service_code))
            apply(ticket_id, name, actor, workflow=workflow, fields=fields, **kwargs)


def linked_ticket(app, ticket_id):
    """The id of the ticket that ``ticket_id`` handed off to."""
    with app.app_context():
        return db.session.scalar(
            select(TicketLink.target_id).where(TicketLink.source_id == ticket_id)
        )


def readings(app, codes, period):
    """``{code: value}`` for plain figures and ``{code: (value, numerator, denominator)}``
    for ratios and percentages, read in Chalco for ``period``."""
    found = {}
    with app.app_context():
        scope = Scope.of(_tenant(), period)
        for code in codes:
            reading = indicators.read(indicators.definition(code), scope)
            if reading.numerator is None and reading.denominator is None:
                found[code] = reading.value
            else:
                found[code] = (reading.value, reading.numerator, reading.denominator)
    return found
