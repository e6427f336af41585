"""Driving the support services through the pages, as the people of each office do."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Department
from helpdesk.models import Tenant
from helpdesk.models import Ticket
from helpdesk.models import TicketEvent
from helpdesk.models import Unit
from helpdesk.models import User

VERSION_RE = re.compile(r'name="version" (?:type="hidden" )?value="(\d+)"')
ERROR_RE = re.compile(r'class="(?:error|flash error)"[^>]*>([^<]+)<')


def errors(response: Any) -> list[str]:
    """The error messages a page shows, to make a failed assertion readable."""
    return ERROR_RE.findall(response.get_data(as_text=True))


def pdf_text(data: bytes) -> str:
    """The text of a PDF, as a reader extracts it (one space between words)."""
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


class Office:
    """One tenant's pages: file, step, correct, read back the ticket."""

    def __init__(self, app: Any, tenant: str) -> None:
        self.app = app
        self.tenant = tenant

    # -- looking things up -----------------------------------------------------

    def _scalar(self, statement: Any) -> Any:
        with self.app.app_context():
            return db.session.scalar(statement.execution_options(all_tenants=True))

    def department(self, code: str) -> int:
        return self._scalar(
            select(Department.id)
            .join(Tenant, Tenant.id == Department.tenant_id)
            .where(Tenant.slug == self.tenant, Department.code == code)
        )

    def unit(self, name: str) -> int:
        return self._scalar(
            select(Unit.id)
            .join(Tenant, Tenant.id == Unit.tenant_id)
            .where(Tenant.slug == self.tenant, Unit.name == name)
        )

    def user(self, email: str) -> int:
        return self._scalar(select(User.id).where(User.email == email))

    def ticket(self, folio: str) -> Ticket:
        with self.app.app_context():
            ticket = db.session.scalar(
                select(Ticket).where(Ticket.folio == folio).execution_options(all_tenants=True)
            )
            db.session.expunge(ticket)
            return ticket

    def state(self, folio: str) -> str:
        return self.ticket(folio).state

    def transitions(self, folio: str) -> list[str]:
        with self.app.app_context():
            ticket_id = self.ticket(folio).id
            return list(
                db.session.scalars(
                    select(TicketEvent.transition)
                    .where(TicketEvent.ticket_id == ticket_id)
                    .order_by(TicketEvent.seq)
                    .execution_options(all_tenants=True)
                )
            )

    # -- pages -----------------------------------------------------------------

    def file(self, browser: Any, code: str, data: dict[str, Any]) -> str:
        """File through the portal; returns the folio the redirect names."""
        url = f"/{self.tenant}/servicios/{code}/solicitar"
        assert browser.get(url).status_code == 200
        response = browser.post(url, data, content_type="multipart/form-data")
        assert response.status_code == 302, errors(response)
        return response.headers["Location"].rsplit("/", 1)[-1]

    def page(self, browser: Any, folio: str, *, staff: bool = True) -> str:
        url = f"/{self.tenant}/{'mesa/' if staff else ''}solicitudes/{folio}"
        response = browser.get(url)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    def step(self, browser: Any, folio: str, name: str, *, staff: bool = True, **data: Any) -> Any:
        """Take step ``name`` from the ticket page, with the version the page shows."""
        page = self.page(browser, folio, staff=staff)
        version = VERSION_RE.search(page)
        payload = {"version": version.group(1) if version else "", **data}
        prefix = f"/{self.tenant}/{'mesa/' if staff else ''}solicitudes/{folio}"
        return browser.post(f"{prefix}/pasos/{name}", payload, content_type="multipart/form-data")

    def ok(self, browser: Any, folio: str, name: str, **data: Any) -> str:
        """Take a step that must succeed; returns the new state."""
        response = self.step(browser, folio, name, **data)
        assert response.status_code == 302, errors(response)
        return self.state(folio)

    def correct(self, browser: Any, folio: str, data: dict[str, Any]) -> str:
        """The requester re-sends the request after being asked to complete it.

        ``data`` may carry the enlace's fields: the core's correction page does
        not show them but still validates them (reported to the core's owners),
        so a service with an enlace (P09) cannot be corrected without them.
        """
        url = f"/{self.tenant}/solicitudes/{folio}/corregir"
        form = browser.get(url)
        assert form.status_code == 200
        version = VERSION_RE.search(form.get_data(as_text=True)).group(1)
        response = browser.post(url, {**data, "version": version})
        assert response.status_code == 302, errors(response)
        return self.state(folio)

    def document(self, browser: Any, folio: str, name: str) -> Any:
        return browser.get(f"/{self.tenant}/solicitudes/{folio}/documentos/{name}.pdf")


@pytest.fixture
def chalco(demo: Any) -> Office:
    return Office(demo, "chalco")


@pytest.fixture
def edomex(demo: Any) -> Office:
    return Office(demo, "edomex")
