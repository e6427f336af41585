"""Shared helpers and fixtures for the test_notification_rules*.py modules.

Every test takes one step and compares the notifications *that step* created
(the rows above an id watermark taken just before it) with the exact list
expected, so a message to anyone else fails the test. Every e-mail created is
also checked against its in-app notification, its recipient, its link and the
.eml file the embedded folder transport wrote right after the commit.
The test modules bind the fixtures below (app_config included) by name.
"""

from __future__ import annotations

import email.policy
import uuid
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func
from sqlalchemy import select

from helpdesk import plugins
from helpdesk import service_settings
from helpdesk import tickets
from helpdesk.catalog import workflow_of
from helpdesk.extensions import db
from helpdesk.models import Attachment
from helpdesk.models import Department
from helpdesk.models import Notification
from helpdesk.models import OutboxMessage
from helpdesk.models import RoleMembership
from helpdesk.models import Tenant
from helpdesk.models import Ticket
from helpdesk.models import User
from helpdesk.tenancy import ALL_TENANTS
from helpdesk.tenancy import scoped_to
from helpdesk.workflow.engine import apply

BASE_URL = "https://mesa.chalco.example"
REQUESTER = "solicitante@chalco.example"
COORD = "coordinador@chalco.example"
AGENT = "tecnico@chalco.example"
ADMIN = "admin@chalco.example"
MEDIA = "medio@chalco.example"
ENLACE = "enlace@chalco.example"
SINALOA = (
    "solicitante@sinaloa.example",
    "coordinador@sinaloa.example",
    "tecnico@sinaloa.example",
    "admin@sinaloa.example",
    "ciudadano@sinaloa.example",
)

SAMPLE = "SAMPLE-01"  # "Préstamo de proyector", department DGD, the common workflow
SUMMARY = "Proyector para la sesión de cabildo"
P10 = {
    "problem_description": "No enciende el conmutador",
    "requester_name": "Laura Méndez Ortiz",
    "equipment_location": "Dirección de la Mujer",
    "municipal_infrastructure": True,
}


def p04_data() -> dict[str, Any]:
    # Far enough ahead for P04's lead time of seven business days, whatever today is.
    return {
        "justification": "Difundir la campaña de salud",
        "file_format": ".pdf",
        "medium": "digital",
        "platform": "Facebook",
        "content_text": "Vacúnate",
        "required_date": (date.today() + timedelta(days=120)).isoformat(),
    }


@pytest.fixture
def app_config() -> dict[str, Any]:
    # Mail is sent in-process right after the commit (the embedded default),
    # also in the CI run that sets HELPDESK_TEST_REDIS_URL.
    return {"HELPDESK_BASE_URL": BASE_URL, "HELPDESK_REDIS_URL": None}


# --- observing what a step created -------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    notification: int
    outbox: int
    files: frozenset[str]


@dataclass(frozen=True)
class News:
    told: list[tuple[str, str]]  # (e-mail, kind) of each Notification, sorted
    about: list[tuple[str, str, str]]  # (e-mail, kind, folio), sorted
    mailed: list[tuple[str, str]]  # (recipient, kind) of each OutboxMessage, sorted
    lines: dict[tuple[str, str], str]  # (e-mail, kind) -> in-app line
    mails: dict[tuple[str, str], dict[str, str]]  # (recipient, kind) -> subject/text/html
    files: list[str]  # .eml files written since the mark


def mail_folder(app) -> Path:
    return Path(app.config["HELPDESK_MAIL_FOLDER"])


def eml_files(app) -> frozenset[str]:
    folder = mail_folder(app)
    return frozenset(p.name for p in folder.glob("*")) if folder.exists() else frozenset()


def _max_id(model) -> int:
    return (
        db.session.scalar(select(func.max(model.id)).execution_options(**{ALL_TENANTS: True})) or 0
    )


def mark(app) -> Mark:
    with app.app_context():
        return Mark(_max_id(Notification), _max_id(OutboxMessage), eml_files(app))


def news(app, before: Mark) -> News:
    """What was created since ``before``; checks every new e-mail on the way."""
    with app.app_context():
        every = {ALL_TENANTS: True}
        rows = db.session.scalars(
            select(Notification)
            .where(Notification.id > before.notification)
            .order_by(Notification.id)
            .execution_options(**every)
        ).all()
        messages = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.id > before.outbox)
            .order_by(OutboxMessage.id)
            .execution_options(**every)
        ).all()
        users = {u.id: u for u in db.session.scalars(select(User).execution_options(**every))}
        folios = {
            row.id: row.folio
            for row in db.session.execute(
                select(Ticket.id, Ticket.folio).execution_options(**every)
            )
        }
        by_id = {row.id: row for row in rows}
        files = sorted(eml_files(app) - before.files)
        for message in messages:
            check_message(app, message, by_id, users, folios)
        assert files == [f"{m.id:08d}.eml" for m in messages]
        return News(
            told=sorted((users[r.user_id].email, r.kind) for r in rows),
            about=sorted((users[r.user_id].email, r.kind, folios[r.ticket_id]) for r in rows),
            mailed=sorted((m.recipient, m.kind) for m in messages),
            lines={(users[r.user_id].email, r.kind): r.message for r in rows},
            mails={
                (m.recipient, m.kind): {
                    "subject": m.subject,
                    "text": m.text_body,
                    "html": m.html_body,
                }
                for m in messages
            },
            files=files,
        )


def check_message(app, message, notices, users, folios) -> None:
    """One e-mail: its notification, recipient, Spanish parts, link, and the .eml written."""
    notice = notices[message.notification_id]  # created by the same step
    user = users[notice.user_id]
    folio = folios[message.ticket_id]
    tenant = db.session.get(Tenant, message.tenant_id)
    assert (message.user_id, message.ticket_id, message.kind) == (
        notice.user_id,
        notice.ticket_id,
        notice.kind,
    )
    assert message.tenant_id == notice.tenant_id == user.tenant_id
    assert message.recipient == user.email
    assert folio in message.subject
    page = "mesa/solicitudes" if user.is_staff else "solicitudes"
    link = f"{BASE_URL}/{tenant.slug}/{page}/{folio}"
    assert message.text_body.endswith(f"\n\n{tenant.name}\nConsulte la solicitud en: {link}")
    assert message.html_body.endswith(
        f'<p><a href="{link}">Ver la solicitud {folio}</a></p>'
        f'<p style="color:#666;font-size:12px">{tenant.name}</p>'
    )
    assert message.status == "sent"  # the embedded default sent it right after the commit
    assert message.attempts == 1
    path = mail_folder(app) / f"{message.id:08d}.eml"
    parsed = BytesParser(policy=email.policy.default).parsebytes(path.read_bytes())
    assert parsed["To"] == message.recipient
    # (A subject folded right after "Subject:" parses back with a leading space.)
    assert parsed["Subject"].strip() == message.subject
    assert parsed["Message-ID"] == message.message_id
    text = parsed.get_body(("plain",))
    html = parsed.get_body(("html",))
    assert text.get_content_charset() == html.get_content_charset() == "utf-8"
    # MIME text parts end with a line break; the stored bodies do not.
    assert text.get_content() == message.text_body + "\n"
    assert html.get_content() == message.html_body + "\n"


# --- taking steps -------------------------------------------------------------------------


@pytest.fixture
def file(demo):
    """file(service, requester=..., filed_by=..., channel=..., data=..., liaison=...) -> id"""

    def _file(
        service: str = SAMPLE,
        *,
        requester: str = REQUESTER,
        filed_by: str | None = None,
        channel: str = "portal",
        data: dict[str, Any] | None = None,
        liaison: dict[str, str] | None = None,
        tenant: str = "chalco",
    ) -> int:
        with demo.app_context():
            row = db.session.scalar(select(Tenant).where(Tenant.slug == tenant))
            with scoped_to(row):
                person = db.session.scalar(select(User).where(User.email == requester))
                filer = db.session.scalar(select(User).where(User.email == (filed_by or requester)))
                catalog = plugins.host().catalog
                rows = service_settings.ensure_rows(row, catalog)
                rows[service].enabled = True
                db.session.commit()
                effective = service_settings.effective(catalog.get(service), rows[service], row)
                ticket = tickets.file_request(
                    tenant=row,
                    service=effective,
                    requester=person,
                    filed_by=filer,
                    data=data if data is not None else {"summary": SUMMARY},
                    unit_id=person.unit_id,
                    liaison=liaison,
                    channel=channel,
                )
                return ticket.id

    return _file


@pytest.fixture
def move(demo):
    """move(ticket_id, "turn", COORD, reason=..., fields=..., expected_version=...) -> state"""

    def _move(ticket_id: int, name: str, email: str, **kwargs: Any) -> str:
        with demo.app_context():
            ticket = db.session.get(Ticket, ticket_id)
            with scoped_to(db.session.get(Tenant, ticket.tenant_id)):
                actor = db.session.scalar(
                    select(User).where(User.email == email).execution_options(all_tenants=True)
                )
                service = plugins.host().catalog.get(ticket.service_code)
                fields = {
                    "checklist": {item: True for item in service.checklist},
                    **kwargs.pop("fields", {}),
                }
                event = apply(
                    ticket_id,
                    name,
                    actor,
                    workflow=workflow_of(service),
                    fields=fields,
                    context={"checklist": service.checklist},
                    **kwargs,
                )
                return event.to_state

    return _move


def folio_of(app, ticket_id: int) -> str:
    with app.app_context():
        return db.session.get(Ticket, ticket_id).folio


def state_of(app, ticket_id: int) -> tuple[str, int]:
    with app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        return ticket.state, ticket.version


def department_id(app, code: str, tenant: str = "chalco") -> int:
    with app.app_context():
        return db.session.scalar(
            select(Department.id)
            .join(Tenant, Tenant.id == Department.tenant_id)
            .where(Department.code == code, Tenant.slug == tenant)
        )


def user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(User.id).where(User.email == email).execution_options(all_tenants=True)
        )


def add_user(
    app,
    email: str,
    name: str,
    role: str,
    *,
    department: str | None = None,
    active: bool = True,
    tenant: str = "chalco",
) -> int:
    with app.app_context():
        row = db.session.scalar(select(Tenant).where(Tenant.slug == tenant))
        user = User(
            tenant_id=row.id,
            email=email,
            name=name,
            password_hash="x",
            department_id=department_id(app, department, tenant) if department else None,
            active=active,
        )
        user.memberships.append(RoleMembership(role=role))
        db.session.add(user)
        db.session.commit()
        return user.id


def lend_agent_to(app, code: str, email: str = AGENT) -> int:
    dept = department_id(app, code)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        user.department_id = dept
        db.session.commit()
    return dept


def add_attachment(app, ticket_id: int, name: str = "propuesta.pdf") -> int:
    with app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        row = Attachment(
            tenant_id=ticket.tenant_id,
            ticket_id=ticket.id,
            original_name=name,
            storage_key=uuid.uuid4().hex,
            content_type="application/pdf",
            size=10,
            sha256="0" * 64,
            uploaded_by_id=user_id(app, AGENT),
        )
        db.session.add(row)
        db.session.commit()
        return row.id


def link(folio: str, *, staff: bool) -> str:
    return f"{BASE_URL}/chalco/{'mesa/' if staff else ''}solicitudes/{folio}"


@pytest.fixture
def ticket_id(file):
    return file()


@pytest.fixture
def turned(demo, ticket_id, move):
    move(ticket_id, "turn", COORD, fields={"department_id": department_id(demo, "DGD")})
    return ticket_id


@pytest.fixture
def in_progress(turned, move):
    move(turned, "start", AGENT)
    return turned


def assert_nothing_since(app, before: Mark) -> None:
    seen = news(app, before)
    assert (seen.told, seen.mailed, seen.files) == ([], [], [])
