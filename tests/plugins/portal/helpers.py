"""What the portal services' page tests share: filing, taking steps, reading the result."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from helpdesk.extensions import db
from helpdesk.models import Department
from helpdesk.models import Ticket
from helpdesk.models import TicketEvent
from helpdesk.models import User

VERSION_RE = re.compile(r'name="version" value="(\d+)"')
CHECKLIST_RE = re.compile(r'name="checklist" type="checkbox" value="([^"]+)"')


def request_url(tenant: str, code: str) -> str:
    return f"/{tenant}/servicios/{code}/solicitar"


def unit_of(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.unit_id).where(User.email == email))


def file(browser, app, tenant: str, code: str, data: dict, *, email: str | None = None):
    """The requester fills the service's form in the portal and sends it."""
    url = request_url(tenant, code)
    browser.get(url)
    unit = unit_of(app, email or f"solicitante@{tenant}.example")
    return browser.post(url, {"unit_id": str(unit), **data}, content_type="multipart/form-data")


def folio_from(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]


def page_of(browser, url: str) -> tuple[str, str | None]:
    text = browser.get(url).get_data(as_text=True)
    version = VERSION_RE.search(text)
    return text, version.group(1) if version else None


def staff_step(browser, tenant: str, folio: str, name: str, **data):
    """A step from the desk's ticket page, with the version the person saw."""
    text, version = page_of(browser, f"/{tenant}/mesa/solicitudes/{folio}")
    if name == "turn":
        data.setdefault("checklist", CHECKLIST_RE.findall(text))
    return browser.post(
        f"/{tenant}/mesa/solicitudes/{folio}/pasos/{name}", {"version": version, **data}
    )


def requester_step(browser, tenant: str, folio: str, name: str, **data):
    _, version = page_of(browser, f"/{tenant}/solicitudes/{folio}")
    return browser.post(f"/{tenant}/solicitudes/{folio}/pasos/{name}", {"version": version, **data})


def ok(response) -> None:
    assert response.status_code == 302, response.get_data(as_text=True)


def ticket_of(app, folio: str) -> Ticket:
    with app.app_context():
        ticket = db.session.scalar(select(Ticket).where(Ticket.folio == folio))
        db.session.expunge(ticket)
        return ticket


def state(app, folio: str) -> str:
    with app.app_context():
        return db.session.scalar(select(Ticket.state).where(Ticket.folio == folio))


def events(app, folio: str) -> list[TicketEvent]:
    with app.app_context():
        rows = db.session.scalars(
            select(TicketEvent)
            .join(Ticket)
            .where(Ticket.folio == folio)
            .options(selectinload(TicketEvent.actor))
            .order_by(TicketEvent.seq)
        ).all()
        db.session.expunge_all()
        return list(rows)


def transitions(app, folio: str) -> list[str]:
    return [event.transition for event in events(app, folio)]


def department(app, tenant: str, code: str) -> int:
    from helpdesk.models import Tenant

    with app.app_context():
        return db.session.scalar(
            select(Department.id)
            .join(Tenant, Tenant.id == Department.tenant_id)
            .where(Tenant.slug == tenant, Department.code == code)
        )


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pdf_of(browser, tenant: str, folio: str, name: str) -> str:
    response = browser.get(f"/{tenant}/solicitudes/{folio}/documentos/{name}.pdf")
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    return pdf_text(response.data)


def normal(text: str) -> str:
    """PDF text with its line breaks and repeated spaces folded into single spaces."""
    return " ".join(text.split())
