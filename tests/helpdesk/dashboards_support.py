"""A known set of tickets for the dashboard tests (workload, exports, pages).

Every step happens at an exact moment (time-machine), inside Chalco's office
hours (Monday to Friday 9:00-16:00, Mexico City, UTC-6), so each ticket is
received the moment it is filed and each figure below is known exactly.

SAMPLE-01 (the sample plugin's service) answers within 2 business hours.

==== ======================= ============== ============ ======== ==========================
id   received                concluded      department   agent    other
==== ======================= ============== ============ ======== ==========================
T6   2026-05-12 (Q2)         2026-05-13     DGD          —        SLA met; unsatisfied
T1   2026-07-07              2026-07-08     DGD          tecnico  SLA met; satisfied
T2   2026-07-14              2026-08-04     DCII         —        SLA missed (7 h); regular
T3   2026-08-11              2026-09-10     DGD          tecnico  SLA met; satisfied; unit U2
T4   2026-09-01              open           DGD          tecnico  in progress at 30 Sep
T8   2026-09-02              2026-09-03     DGD          —        SLA met; survey unanswered
T5   2026-09-15              rejected       DGD          —        rejected at review
T7   2026-08-18 (Sinaloa)    open           DGD          —        another tenant
==== ======================= ============== ============ ======== ==========================

So, for Chalco in the third quarter of 2026 (2026-Q3): received 6, concluded
4, in progress at the end 1, returned for requirements 1, SLA compliance
3 of 4 (75 %), satisfaction 2 satisfied + 1 regular of 3 answered (66.67 %,
33.33 %, 0 %), surveys answered 3 of 4 (75 %), units served 2.
The second quarter: received 1, concluded 1, SLA 100 %, unsatisfied 100 %.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from html.parser import HTMLParser

import time_machine
from sqlalchemy import select

from helpdesk import plugins
from helpdesk import service_settings
from helpdesk import tickets
from helpdesk.catalog import workflow_of
from helpdesk.extensions import db
from helpdesk.models import Department
from helpdesk.models import Survey
from helpdesk.models import Tenant
from helpdesk.models import Ticket
from helpdesk.models import Unit
from helpdesk.models import User
from helpdesk.tenancy import scoped_to
from helpdesk.testing import reuse_database
from helpdesk.workflow.engine import apply

SERVICE = "SAMPLE-01"
COORD = "coordinador@chalco.example"
AGENT = "tecnico@chalco.example"
AGENT_NAME = "Miguel Ángel Torres Ruiz"
REQUESTER = "solicitante@chalco.example"
UNIT = "Dirección de la Mujer"
U2 = "Control Patrimonial"
DGD = "Departamento de Gobierno Digital"
DCII = "Departamento de Comunicación e Imagen Institucional"
MX_OFFSET = timedelta(hours=6)  # Mexico City is UTC-6 all year since 2022


def mx(*args: int) -> datetime:
    """A wall-clock moment in Mexico City, as UTC."""
    return datetime(*args, tzinfo=UTC) + MX_OFFSET


def tenant_of(slug: str) -> Tenant:
    return db.session.scalar(select(Tenant).where(Tenant.slug == slug))


def ident(model, tenant: str, **where) -> int:
    with_tenant = select(model.id).join(Tenant, Tenant.id == model.tenant_id)
    clauses = [getattr(model, name) == value for name, value in where.items()]
    return db.session.scalar(with_tenant.where(Tenant.slug == tenant, *clauses))


def file(app, at: datetime, *, tenant: str = "chalco", summary: str = "") -> int:
    with app.app_context(), time_machine.travel(at, tick=False):
        row = tenant_of(tenant)
        with scoped_to(row):
            requester = db.session.scalar(
                select(User).where(User.email == f"solicitante@{tenant}.example")
            )
            catalog = plugins.host().catalog
            rows = service_settings.ensure_rows(row, catalog)
            rows[SERVICE].enabled = True
            db.session.commit()
            service = service_settings.effective(catalog.get(SERVICE), rows[SERVICE], row)
            ticket = tickets.file_request(
                tenant=row,
                service=service,
                requester=requester,
                filed_by=requester,
                data={"summary": summary or f"Préstamo {at:%Y-%m-%d}"},
                unit_id=requester.unit_id,
            )
            return ticket.id


def move(app, ticket_id: int, name: str, email: str, at: datetime, **kwargs) -> None:
    with app.app_context(), time_machine.travel(at, tick=False):
        ticket = db.session.get(Ticket, ticket_id)
        with scoped_to(ticket.requester.tenant):
            actor = db.session.scalar(select(User).where(User.email == email))
            workflow = workflow_of(plugins.host().catalog.get(ticket.service_code))
            apply(ticket_id, name, actor, workflow=workflow, **kwargs)


def answer(app, ticket_id: int, rating: str | None) -> None:
    """The ticket's survey, answered ``rating`` (None: sent, not answered).

    Updates the row the conclusion created, or writes one where no survey
    module creates it.
    """
    with app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        survey = db.session.scalar(select(Survey).where(Survey.ticket_id == ticket_id))
        if survey is None:
            survey = Survey(
                ticket_id=ticket_id,
                tenant_id=ticket.tenant_id,
                service_code=ticket.service_code,
                token_hash=hashlib.sha256(f"survey-{ticket_id}".encode()).hexdigest(),
                nonce=f"nonce-{ticket_id}",
                expires_at=ticket.closed_at + timedelta(days=30),
            )
            db.session.add(survey)
        survey.rating = rating
        survey.answered_at = ticket.closed_at + timedelta(hours=1) if rating else None
        db.session.commit()


def conclude(app, ticket_id, at, *, department="DGD", agent=True, turn_after=timedelta(0)):
    """Turn (``turn_after`` the filing), assign, start and conclude at ``at``."""
    with app.app_context():
        received = db.session.get(Ticket, ticket_id).received_at.replace(tzinfo=UTC)
        department_id = ident(Department, "chalco", code=department)
        agent_id = db.session.scalar(select(User.id).where(User.email == AGENT))
    turned = received + turn_after
    move(app, ticket_id, "turn", COORD, turned, fields={"department_id": department_id})
    if agent:
        move(app, ticket_id, "assign", COORD, turned, fields={"assignee_id": agent_id})
    if at is None:
        return
    move(app, ticket_id, "start", COORD, turned + timedelta(minutes=5))
    move(app, ticket_id, "conclude", COORD, at, fields={"text": "Entregado"})


def build(app) -> dict[str, int]:
    """The tickets of the table above; returns their ids by name.

    Built inside a request context: the outbox then waits for a response that
    never comes instead of sending some forty e-mails the dashboards ignore.
    Built once per test process, then copied into each test's database.
    """

    def build_in_a_request() -> dict[str, int]:
        with app.test_request_context():
            return _build(app)

    return reuse_database(app, "dashboards_support.build", build_in_a_request)


def _build(app) -> dict[str, int]:
    ids = {}
    quick = timedelta(minutes=30)
    ids["T6"] = file(app, mx(2026, 5, 12, 10))
    conclude(app, ids["T6"], mx(2026, 5, 13, 12), agent=False, turn_after=quick)
    answer(app, ids["T6"], "unsatisfied")

    ids["T1"] = file(app, mx(2026, 7, 7, 10))
    conclude(app, ids["T1"], mx(2026, 7, 8, 12), turn_after=quick)
    answer(app, ids["T1"], "satisfied")

    # Turned the next day at 10:00: 7 business hours against a budget of 2.
    ids["T2"] = file(app, mx(2026, 7, 14, 10))
    conclude(
        app,
        ids["T2"],
        mx(2026, 8, 4, 12),
        department="DCII",
        agent=False,
        turn_after=timedelta(days=1),
    )
    answer(app, ids["T2"], "regular")

    ids["T3"] = file(app, mx(2026, 8, 11, 10))
    conclude(app, ids["T3"], mx(2026, 9, 10, 12), turn_after=quick)
    answer(app, ids["T3"], "satisfied")
    with app.app_context():
        ticket = db.session.get(Ticket, ids["T3"])
        ticket.unit_id = ident(Unit, "chalco", name=U2)
        db.session.commit()

    ids["T4"] = file(app, mx(2026, 9, 1, 10))
    conclude(app, ids["T4"], None, turn_after=quick)

    ids["T8"] = file(app, mx(2026, 9, 2, 10))
    conclude(app, ids["T8"], mx(2026, 9, 3, 12), agent=False, turn_after=quick)
    answer(app, ids["T8"], None)

    ids["T5"] = file(app, mx(2026, 9, 15, 10))
    move(app, ids["T5"], "reject", COORD, mx(2026, 9, 15, 11), reason="No es un préstamo")

    ids["T7"] = file(app, mx(2026, 8, 18, 10), tenant="sinaloa")
    return ids


def rename(app, model, tenant: str, new_name: str, **where) -> None:
    with app.app_context():
        row = db.session.get(model, ident(model, tenant, **where))
        row.name = new_name
        db.session.commit()


# -- reading pages and files -------------------------------------------------------------


class _Tables(HTMLParser):
    """Every ``<table data-table="…">`` of a page: rows of cell texts, each row
    with its ``data-code``. Formulas (``<details>``, print-only copies) and
    ``meta`` notes are left out of the cells."""

    HIDDEN = ("meta", "print-only")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[tuple[str | None, list[str]]]] = {}
        self.current: str | None = None
        self.cell: list[str] | None = None
        self.skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag == "table" and "data-table" in found:
            self.current = found["data-table"]
            self.tables[self.current] = []
        elif self.current is None:
            return
        elif tag == "tr":
            self.tables[self.current].append((found.get("data-code"), []))
        elif tag in ("td", "th"):
            self.cell = []
        elif self.cell is not None and (
            self.skipping
            or tag == "details"
            or any(c in (found.get("class") or "").split() for c in self.HIDDEN)
        ):
            self.skipping.append(tag)

    def handle_endtag(self, tag):
        if self.current is None:
            return
        if self.skipping and tag == self.skipping[-1]:
            self.skipping.pop()
        elif tag == "table":
            self.current = None
        elif tag in ("td", "th") and self.cell is not None:
            text = re.sub(r"\s+", " ", "".join(self.cell)).strip()
            self.tables[self.current][-1][1].append(text)
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None and not self.skipping:
            self.cell.append(data)


def page_tables(page: str) -> dict[str, list[list[str]]]:
    """``{name: [header, row, …]}`` for each data table of the page."""
    parser = _Tables()
    parser.feed(page)
    return {name: [cells for _, cells in rows if cells] for name, rows in parser.tables.items()}


def indicator_rows(page: str) -> dict[str, list[str]]:
    """The indicators table by indicator code: [name, value, previous, change,
    periodicity, responsible]."""
    parser = _Tables()
    parser.feed(page)
    return {code: cells for code, cells in parser.tables["indicadores"] if code}


def by_name(rows: list[list[str]]) -> dict[str, list[str]]:
    """Data rows keyed by their first cell (the header row dropped)."""
    return {row[0]: row[1:] for row in rows[1:]}


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
