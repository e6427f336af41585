"""What the technical-opinion tests share: filing through the portal, taking steps as
a person would (signed-in browsers posting the pages' forms), reading rows and PDFs."""

from __future__ import annotations

import io
from datetime import date
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Department
from helpdesk.models import Tenant
from helpdesk.models import Ticket
from helpdesk.models import TicketEvent
from helpdesk.models import Unit
from helpdesk.tenancy import scoped_to
from helpdesk.tenant_calendar import calendar_for
from plugins.dictamenes.services import P11
from plugins.dictamenes.services import P12

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

ASSET = {
    "inventory_key": "5151-00123",
    "concept": "Computadora de escritorio",
    "brand": "HP",
    "model": "ProDesk 400 G4",
    "serial_number": "MXL1234ABC",
    "condition": "Dañado: no enciende",
    "invoice_number": "F-2017-889",
    "cost": "14500.00",
    "movement_date": "2017-06-15",
    "inventory_number": "INV-2017-0456",
}
SECOND_ASSET = {
    **ASSET,
    "inventory_key": "5151-00124",
    "concept": "Impresora láser",
    "brand": "Lexmark",
    "model": "MS521",
    "serial_number": "VNB3K12345",
    "inventory_number": "INV-2017-0457",
}
P12_REQUEST = {
    "sidem_folio": "SIDEM-2026-000123",
    "goods_services": "20 computadoras de escritorio para las áreas administrativas.",
    "acquisition_kind": "acquisition",
    "tic_program_validated": "y",
    "committee_installed": "y",
}


def p11_form(*assets, oficio_number="SA/1234/2026"):
    data = {"oficio_number": oficio_number, "oficio_date": "2026-01-20"}
    for index, asset in enumerate(assets):
        data.update({f"assets-{index}-{key}": value for key, value in asset.items()})
    return data


def attachments(photos, oficio=True):
    files = [(io.BytesIO(PDF), "oficio SA-1234.pdf")] if oficio else []
    return files + [(io.BytesIO(PNG), f"foto {n + 1}.png") for n in range(photos)]


def unit_id(app, name):
    with app.app_context():
        return db.session.scalar(select(Unit.id).where(Unit.name == name))


def department_id(app, code):
    with app.app_context():
        return db.session.scalar(select(Department.id).where(Department.code == code))


def folio_from(response):
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[-1]


def file_p11(browser, app, *assets, photos=None, oficio=True):
    url = "/chalco/servicios/GCH-CCS-P11/solicitar"
    browser.get(url)
    data = {
        **p11_form(*assets),
        "unit_id": unit_id(app, "Dirección de la Mujer"),
        "attachments": attachments(len(assets) if photos is None else photos, oficio),
    }
    return browser.post(url, data, content_type="multipart/form-data")


def file_p12(browser, app, **changes):
    url = "/chalco/servicios/GCH-CCS-P12/solicitar"
    browser.get(url)
    data = {
        **P12_REQUEST,
        "unit_id": unit_id(app, "Dirección de Administración"),
        **changes,
    }
    return browser.post(url, data, content_type="multipart/form-data")


def step(browser, folio, name, *, staff=True, expect=302, **fields):
    """Take a workflow step from the ticket page's form."""
    base = "/chalco/mesa/solicitudes" if staff else "/chalco/solicitudes"
    browser.get(f"{base}/{folio}")
    response = browser.post(
        f"{base}/{folio}/pasos/{name}", fields, content_type="multipart/form-data"
    )
    assert response.status_code == expect, response.get_data(as_text=True)
    return response


def resubmit(browser, folio, data):
    url = f"/chalco/solicitudes/{folio}/corregir"
    assert browser.get(url).status_code == 200
    response = browser.post(url, data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def ticket_of(app, folio):
    """The ticket row (detached, attributes loaded) with its events' transitions."""
    with app.app_context():
        ticket = db.session.scalar(select(Ticket).where(Ticket.folio == folio))
        ticket.steps = [
            e.transition
            for e in db.session.scalars(
                select(TicketEvent)
                .where(TicketEvent.ticket_id == ticket.id)
                .order_by(TicketEvent.seq)
            )
        ]
        db.session.expunge(ticket)
        return ticket


def state_of(app, folio):
    return ticket_of(app, folio).state


def pdf_text(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)


def flat(text):
    """PDF text without line breaks (table cells wrap long words)."""
    return " ".join(text.split())


def working_day(app, after=1):
    """The ``after``-th working day of Chalco from today (its own calendar)."""
    with app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "chalco"))
        with scoped_to(tenant):
            today = datetime.now(ZoneInfo(tenant.timezone)).date()
            calendar = calendar_for(tenant, around=today)
    day, found = today, 0
    while found < after:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            found += 1
    return day


def chalco_today(app) -> date:
    with app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "chalco"))
        return datetime.now(ZoneInfo(tenant.timezone)).date()


@pytest.fixture
def p11_checklist():
    return list(P11.checklist)


@pytest.fixture
def p12_checklist():
    return list(P12.checklist)
