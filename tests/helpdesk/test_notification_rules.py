"""Who is told about each ticket event (helpdesk/notification_rules.py), and what they receive.

Every test takes one step and compares the notifications *that step* created
(the rows above an id watermark taken just before it) with the exact list
expected, so a message to anyone else fails the test. Every e-mail created is
also checked against its in-app notification, its recipient, its link and the
.eml file the embedded folder transport wrote right after the commit.
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
from sqlalchemy.orm.exc import StaleDataError

from helpdesk import notification_rules
from helpdesk import notifications
from helpdesk import plugins
from helpdesk import service_settings
from helpdesk import tickets
from helpdesk.catalog import workflow_of
from helpdesk.extensions import db
from helpdesk.models import Attachment
from helpdesk.models import Department
from helpdesk.models import Notification
from helpdesk.models import NotificationPreference
from helpdesk.models import OutboxMessage
from helpdesk.models import RoleMembership
from helpdesk.models import Tenant
from helpdesk.models import Ticket
from helpdesk.models import TicketLink
from helpdesk.models import User
from helpdesk.tenancy import ALL_TENANTS
from helpdesk.tenancy import scoped_to
from helpdesk.workflow.engine import StaleTicketError
from helpdesk.workflow.engine import TransitionError
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


# --- filing -------------------------------------------------------------------------------


def test_filing_tells_the_requester_and_every_coordinator(demo, file, login_as):
    add_user(demo, "coordinadora2@chalco.example", "Irma Núñez", "coordinator")
    before = mark(demo)
    folio = folio_of(demo, file())
    seen = news(demo, before)
    assert seen.told == [
        ("coordinador@chalco.example", "ticket_received"),
        ("coordinadora2@chalco.example", "ticket_received"),
        (REQUESTER, "ticket_filed"),
    ]
    assert seen.mailed == seen.told
    assert len(seen.files) == 3
    filed = seen.mails[(REQUESTER, "ticket_filed")]
    assert filed["subject"] == f"Solicitud recibida: folio {folio}"
    assert filed["text"] == (
        "Laura Méndez Ortiz:\n\n"
        f"Recibimos su solicitud de Préstamo de proyector con el folio {folio} ({SUMMARY}). "
        "Con ese folio puede darle seguimiento.\n\n"
        "Gobierno de Chalco\n"
        f"Consulte la solicitud en: {link(folio, staff=False)}"
    )
    assert filed["html"] == (
        "<p>Laura Méndez Ortiz:</p>"
        f"<p>Recibimos su solicitud de Préstamo de proyector con el folio {folio} ({SUMMARY}). "
        "Con ese folio puede darle seguimiento.</p>"
        f'<p><a href="{link(folio, staff=False)}">Ver la solicitud {folio}</a></p>'
        '<p style="color:#666;font-size:12px">Gobierno de Chalco</p>'
    )
    assert seen.lines[(REQUESTER, "ticket_filed")] == f"Solicitud recibida: folio {folio}"
    # Each link opens the ticket's page for the person it was sent to.
    for role, staff in (("requester", False), ("coordinator", True)):
        path = link(folio, staff=staff).removeprefix(BASE_URL)
        assert login_as(role).get(path).status_code == 200
    received = seen.mails[(COORD, "ticket_received")]
    assert received["subject"] == f"Nueva solicitud {folio}: Préstamo de proyector"
    assert received["text"] == (
        f"Llegó la solicitud {folio} de Préstamo de proyector: {SUMMARY}.\n\n"
        "Gobierno de Chalco\n"
        f"Consulte la solicitud en: {link(folio, staff=True)}"
    )


def test_eml_files_keep_the_accents(demo, file):
    before = mark(demo)
    folio = folio_of(demo, file())
    seen = news(demo, before)
    with demo.app_context():
        recipient_file = db.session.scalar(
            select(OutboxMessage.id).where(
                OutboxMessage.recipient == REQUESTER, OutboxMessage.id > before.outbox
            )
        )
    raw = (mail_folder(demo) / f"{recipient_file:08d}.eml").read_bytes()
    parsed = BytesParser(policy=email.policy.default).parsebytes(raw)
    assert parsed["Subject"] == f"Solicitud recibida: folio {folio}"
    text = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    assert "Laura Méndez Ortiz:" in text
    assert "Recibimos su solicitud de Préstamo de proyector" in text
    assert "Recibimos su solicitud de Préstamo de proyector" in html
    assert f"{BASE_URL}/chalco/solicitudes/{folio}" in text
    assert len(seen.files) == 2


def test_filing_on_behalf_does_not_tell_the_coordinator_who_filed(demo, file):
    before = mark(demo)
    ticket_id = file(filed_by=COORD, channel="phone")
    folio = folio_of(demo, ticket_id)
    seen = news(demo, before)
    assert seen.told == [(REQUESTER, "ticket_filed")]
    assert seen.mailed == [(REQUESTER, "ticket_filed")]
    assert seen.mails[(REQUESTER, "ticket_filed")]["subject"] == (
        f"Solicitud recibida: folio {folio}"
    )
    with demo.app_context():
        assert db.session.get(Ticket, ticket_id).channel == "phone"


def test_filing_on_behalf_still_tells_the_other_coordinators(demo, file):
    add_user(demo, "coordinadora2@chalco.example", "Irma Núñez", "coordinator")
    before = mark(demo)
    file(filed_by=COORD, channel="oficio")
    assert news(demo, before).told == [
        ("coordinadora2@chalco.example", "ticket_received"),
        (REQUESTER, "ticket_filed"),
    ]


# --- the coordinator's steps --------------------------------------------------------------


def test_review_tells_the_requester_of_the_new_stage(demo, ticket_id, move):
    folio = folio_of(demo, ticket_id)
    before = mark(demo)
    move(ticket_id, "review", COORD)
    seen = news(demo, before)
    assert seen.told == [(REQUESTER, "state_changed")]
    assert seen.mailed == seen.told
    mail = seen.mails[(REQUESTER, "state_changed")]
    assert mail["subject"] == f"Su solicitud {folio}: En revisión de requisitos"
    assert mail["text"].startswith(
        f"Laura Méndez Ortiz:\n\nSu solicitud {folio} (Préstamo de proyector) pasó a la etapa "
        "«En revisión de requisitos».\n\nGobierno de Chalco\n"
    )


def test_request_completion_tells_the_requester_why(demo, ticket_id, move):
    folio = folio_of(demo, ticket_id)
    before = mark(demo)
    move(ticket_id, "request_completion", COORD, reason="Falta el oficio firmado por la titular.")
    seen = news(demo, before)
    assert seen.told == [(REQUESTER, "completion_requested")]
    assert seen.mailed == seen.told
    mail = seen.mails[(REQUESTER, "completion_requested")]
    assert mail["subject"] == f"Complete los requisitos de su solicitud {folio}"
    assert mail["text"] == (
        f"Laura Méndez Ortiz:\n\nPara continuar con su solicitud {folio} (Préstamo de proyector) "
        "necesitamos que complemente los requisitos.\n\n"
        "Motivo: Falta el oficio firmado por la titular.\n\n"
        "Gobierno de Chalco\n"
        f"Consulte la solicitud en: {link(folio, staff=False)}"
    )
    assert "<p>Motivo: Falta el oficio firmado por la titular.</p>" in mail["html"]


def test_resubmit_by_the_requester_tells_the_staff_following_it(demo, ticket_id, move):
    folio = folio_of(demo, ticket_id)
    move(ticket_id, "request_completion", COORD, reason="Falta el oficio")
    before = mark(demo)
    move(ticket_id, "resubmit", REQUESTER, fields={"data": {"summary": "Proyector y pantalla"}})
    seen = news(demo, before)
    # Not turned yet, no assignee: the service's department agents and the coordinators.
    assert seen.told == [(COORD, "ticket_updated"), (AGENT, "ticket_updated")]
    assert seen.mailed == seen.told
    for staff in (COORD, AGENT):
        mail = seen.mails[(staff, "ticket_updated")]
        assert mail["subject"] == f"Solicitud {folio}: Corregida, por revisar"
        assert "pasó a la etapa «Corregida, por revisar» por una acción de" in mail["text"]
        assert "Su solicitud" not in mail["text"]
        assert link(folio, staff=True) in mail["text"]


def test_turn_tells_the_department_and_the_requester(demo, ticket_id, move):
    folio = folio_of(demo, ticket_id)
    before = mark(demo)
    move(ticket_id, "turn", COORD, fields={"department_id": department_id(demo, "DGD")})
    seen = news(demo, before)
    assert seen.told == [(REQUESTER, "state_changed"), (AGENT, "ticket_turned")]
    assert seen.mailed == seen.told
    turned = seen.mails[(AGENT, "ticket_turned")]
    assert turned["subject"] == f"Solicitud {folio} turnada a su departamento"
    assert turned["text"].startswith(
        f"Se turnó a su departamento la solicitud {folio} de Préstamo de proyector: {SUMMARY}."
    )
    assert seen.mails[(REQUESTER, "state_changed")]["subject"] == (
        f"Su solicitud {folio}: Turnada al departamento"
    )


def test_turn_to_another_department_tells_only_that_departments_agents(demo, ticket_id, move):
    add_user(demo, "disenadora@chalco.example", "Rocío Pérez", "agent", department="DCII")
    before = mark(demo)
    move(ticket_id, "turn", COORD, fields={"department_id": department_id(demo, "DCII")})
    assert news(demo, before).told == [
        ("disenadora@chalco.example", "ticket_turned"),
        (REQUESTER, "state_changed"),
    ]


def test_assign_tells_only_the_assignee(demo, turned, move):
    add_user(demo, "tecnica2@chalco.example", "Sara Ávila", "agent", department="DGD")
    folio = folio_of(demo, turned)
    before = mark(demo)
    move(turned, "assign", COORD, fields={"assignee_id": user_id(demo, AGENT)})
    seen = news(demo, before)
    assert seen.told == [(AGENT, "ticket_assigned")]
    assert seen.mailed == seen.told
    mail = seen.mails[(AGENT, "ticket_assigned")]
    assert mail["subject"] == f"Se le asignó la solicitud {folio}"
    assert mail["text"].startswith(
        "Miguel Ángel Torres Ruiz:\n\n"
        f"Se le asignó la solicitud {folio} de Préstamo de proyector: {SUMMARY}."
    )


def test_an_agent_taking_the_ticket_is_not_told_about_it(demo, turned, move):
    before = mark(demo)
    move(turned, "assign", AGENT, fields={"assignee_id": user_id(demo, AGENT)})
    seen = news(demo, before)
    assert seen.told == []
    assert seen.files == []


def test_start_tells_the_requester(demo, turned, move):
    folio = folio_of(demo, turned)
    before = mark(demo)
    move(turned, "start", AGENT)
    seen = news(demo, before)
    assert seen.told == [(REQUESTER, "state_changed")]
    assert seen.mailed == seen.told
    assert seen.mails[(REQUESTER, "state_changed")]["subject"] == (
        f"Su solicitud {folio}: En atención"
    )


def test_conclude_tells_the_requester_with_the_text(demo, in_progress, move):
    folio = folio_of(demo, in_progress)
    before = mark(demo)
    move(in_progress, "conclude", AGENT, fields={"text": "Se entregó el proyector en el salón."})
    seen = news(demo, before)
    assert seen.told == [(REQUESTER, "ticket_concluded")]
    assert seen.mailed == seen.told
    mail = seen.mails[(REQUESTER, "ticket_concluded")]
    assert mail["subject"] == f"Solicitud {folio} concluida"
    assert mail["text"] == (
        f"Laura Méndez Ortiz:\n\nSu solicitud {folio} (Préstamo de proyector) fue concluida."
        "\n\nSe entregó el proyector en el salón.\n\n"
        "Gobierno de Chalco\n"
        f"Consulte la solicitud en: {link(folio, staff=False)}"
    )


def test_reject_tells_the_requester_with_the_reason(demo, ticket_id, move):
    folio = folio_of(demo, ticket_id)
    before = mark(demo)
    move(ticket_id, "reject", COORD, reason="El equipo no es del municipio; no procede.")
    seen = news(demo, before)
    assert seen.told == [(REQUESTER, "ticket_rejected")]
    assert seen.mailed == seen.told
    mail = seen.mails[(REQUESTER, "ticket_rejected")]
    assert mail["subject"] == f"Solicitud {folio} no procedente"
    assert mail["text"] == (
        f"Laura Méndez Ortiz:\n\nSu solicitud {folio} (Préstamo de proyector) no procede."
        "\n\nMotivo: El equipo no es del municipio; no procede.\n\n"
        "Gobierno de Chalco\n"
        f"Consulte la solicitud en: {link(folio, staff=False)}"
    )
    assert seen.lines[(REQUESTER, "ticket_rejected")] == f"Solicitud {folio} no procedente"


def test_reason_is_escaped_in_html_but_not_in_text(demo, ticket_id, move):
    before = mark(demo)
    move(ticket_id, "reject", COORD, reason="Falta <b>firma</b> & sello")
    mail = news(demo, before).mails[(REQUESTER, "ticket_rejected")]
    assert "Motivo: Falta <b>firma</b> & sello\n" in mail["text"]
    assert "<p>Motivo: Falta &lt;b&gt;firma&lt;/b&gt; &amp; sello</p>" in mail["html"]


# --- the requester's steps ----------------------------------------------------------------


def test_withdraw_by_the_requester_tells_the_staff(demo, ticket_id, move):
    folio = folio_of(demo, ticket_id)
    before = mark(demo)
    move(ticket_id, "withdraw", REQUESTER, reason="Ya no se necesita.")
    seen = news(demo, before)
    assert seen.told == [(COORD, "ticket_updated"), (AGENT, "ticket_updated")]
    assert seen.mailed == seen.told
    mail = seen.mails[(COORD, "ticket_updated")]
    assert mail["subject"] == f"Solicitud {folio}: Retirada por el solicitante"
    assert "\n\nMotivo: Ya no se necesita.\n\n" in mail["text"]


def test_requester_steps_go_to_the_assignee_not_the_whole_department(demo, make_ticket, move):
    add_user(demo, "tecnica2@chalco.example", "Sara Ávila", "agent", department="DGD")
    ticket_id = make_ticket("GCH-CCS-P10", data=P10)
    folio = folio_of(demo, ticket_id)
    move(ticket_id, "turn", COORD, fields={"department_id": department_id(demo, "DGD")})
    move(ticket_id, "assign", COORD, fields={"assignee_id": user_id(demo, AGENT)})
    move(ticket_id, "start", AGENT)

    before = mark(demo)
    move(ticket_id, "mark_solved", AGENT, fields={"text": "Se cambió la fuente de poder."})
    seen = news(demo, before)
    assert seen.told == [(REQUESTER, "action_requested")]
    mail = seen.mails[(REQUESTER, "action_requested")]
    assert mail["subject"] == f"Su solicitud {folio} espera su respuesta"
    assert mail["text"].startswith(
        f"Laura Méndez Ortiz:\n\nSu solicitud {folio} (Atención de solicitudes de soporte "
        "técnico) está en la etapa «Verifique la solución y firme y selle el formato» y espera "
        "su respuesta.\n\nSe cambió la fuente de poder.\n\n"
    )

    before = mark(demo)
    move(ticket_id, "report_still_failing", REQUESTER, reason="Se volvió a apagar.")
    seen = news(demo, before)
    assert seen.told == [(COORD, "ticket_updated"), (AGENT, "ticket_updated")]
    assert "Motivo: Se volvió a apagar." in seen.mails[(AGENT, "ticket_updated")]["text"]


# --- the proposal loop and the enlace ------------------------------------------------------


def test_proposal_and_enlace_with_an_account(demo, file, move):
    add_user(demo, ENLACE, "Óscar Ibáñez", "requester")
    liaison = {"name": "Óscar Ibáñez", "email": ENLACE, "phone": "5555"}
    before = mark(demo)
    ticket_id = file("GCH-CCS-P04", data=p04_data(), liaison=liaison)
    folio = folio_of(demo, ticket_id)
    seen = news(demo, before)
    assert seen.told == [
        (COORD, "ticket_received"),
        (ENLACE, "ticket_filed"),
        (REQUESTER, "ticket_filed"),
    ]
    assert seen.mails[(ENLACE, "ticket_filed")]["text"].startswith(
        "Óscar Ibáñez:\n\nRecibimos su solicitud de Elaboración de material editorial digital "
        f"y/o para impresión con el folio {folio}"
    )

    dcii = lend_agent_to(demo, "DCII")
    before = mark(demo)
    move(ticket_id, "turn", COORD, fields={"department_id": dcii})
    assert news(demo, before).told == [
        (ENLACE, "state_changed"),
        (REQUESTER, "state_changed"),
        (AGENT, "ticket_turned"),
    ]
    move(ticket_id, "start", AGENT)

    before = mark(demo)
    proposal = add_attachment(demo, ticket_id)
    move(ticket_id, "send_proposal", AGENT, fields={"attachment_ids": [proposal]})
    seen = news(demo, before)
    assert seen.told == [(ENLACE, "action_requested"), (REQUESTER, "action_requested")]
    assert seen.mailed == seen.told
    mail = seen.mails[(REQUESTER, "action_requested")]
    assert mail["subject"] == f"Su solicitud {folio} espera su respuesta"
    assert mail["text"] == (
        f"Laura Méndez Ortiz:\n\nSu solicitud {folio} (Elaboración de material editorial "
        "digital y/o para impresión) está en la etapa «Revise la propuesta y apruébela o "
        "solicite cambios» y espera su respuesta.\n\n"
        "Gobierno de Chalco\n"
        f"Consulte la solicitud en: {link(folio, staff=False)}"
    )
    assert seen.mails[(ENLACE, "action_requested")]["text"].startswith("Óscar Ibáñez:\n\n")

    # The enlace answers: the department (no assignee yet) and the coordinators hear of it.
    before = mark(demo)
    move(ticket_id, "request_changes", ENLACE, reason="Cambiar los colores.")
    seen = news(demo, before)
    assert seen.told == [(COORD, "ticket_updated"), (AGENT, "ticket_updated")]
    assert "Motivo: Cambiar los colores." in seen.mails[(COORD, "ticket_updated")]["text"]

    proposal = add_attachment(demo, ticket_id, "propuesta-2.pdf")
    move(ticket_id, "send_proposal", AGENT, fields={"attachment_ids": [proposal]})
    before = mark(demo)
    move(ticket_id, "approve", REQUESTER)
    assert news(demo, before).told == [(COORD, "ticket_updated"), (AGENT, "ticket_updated")]

    before = mark(demo)
    move(ticket_id, "conclude", AGENT, fields={"text": "Material respaldado."})
    assert news(demo, before).told == [
        (ENLACE, "ticket_concluded"),
        (REQUESTER, "ticket_concluded"),
    ]


def test_enlace_without_an_account_gets_nothing_and_nothing_fails(demo, file, move):
    liaison = {"name": "Persona sin cuenta", "email": "sin.cuenta@chalco.example"}
    before = mark(demo)
    ticket_id = file("GCH-CCS-P04", data=p04_data(), liaison=liaison)
    assert news(demo, before).told == [(COORD, "ticket_received"), (REQUESTER, "ticket_filed")]
    before = mark(demo)
    move(ticket_id, "request_completion", COORD, reason="Falta el logotipo.")
    assert news(demo, before).told == [(REQUESTER, "completion_requested")]


def test_enlace_match_ignores_case(demo, file):
    add_user(demo, ENLACE, "Óscar Ibáñez", "requester")
    liaison = {"name": "Óscar", "email": "Enlace@Chalco.Example"}
    before = mark(demo)
    file("GCH-CCS-P04", data=p04_data(), liaison=liaison)
    assert news(demo, before).told == [
        (COORD, "ticket_received"),
        (ENLACE, "ticket_filed"),
        (REQUESTER, "ticket_filed"),
    ]


def test_enlace_who_is_staff_is_still_told_of_staff_steps_as_the_requester_is(demo, file, move):
    """The technician named as enlace takes staff steps as staff: the requester still hears."""
    ticket_id = file(liaison={"name": "Miguel", "email": AGENT})
    move(ticket_id, "turn", COORD, fields={"department_id": department_id(demo, "DGD")})
    before = mark(demo)
    move(ticket_id, "start", AGENT)
    assert news(demo, before).told == [(REQUESTER, "state_changed")]
    before = mark(demo)
    move(ticket_id, "conclude", AGENT, fields={"text": "Listo."})
    assert news(demo, before).told == [(REQUESTER, "ticket_concluded")]


def test_enlace_who_is_staff_answering_as_enlace_tells_the_staff(demo, file, move):
    ticket_id = file(liaison={"name": "Miguel", "email": AGENT})
    move(ticket_id, "request_completion", COORD, reason="Falta el oficio")
    before = mark(demo)
    move(ticket_id, "resubmit", AGENT, fields={"data": {"summary": "Otro"}})
    assert news(demo, before).told == [(COORD, "ticket_updated")]


# --- hand-off -----------------------------------------------------------------------------


def test_p10_hand_off_files_the_linked_dictamen_and_tells_of_both(demo, make_ticket, move):
    ticket_id = make_ticket("GCH-CCS-P10", data=P10)
    move(ticket_id, "turn", COORD, fields={"department_id": department_id(demo, "DGD")})
    move(ticket_id, "start", AGENT)
    folio = folio_of(demo, ticket_id)
    before = mark(demo)
    move(ticket_id, "not_solved", AGENT, reason="La tarjeta madre está dañada.")
    with demo.app_context():
        dictamen = db.session.scalar(select(TicketLink)).target.folio
    seen = news(demo, before)
    assert seen.about == sorted(
        [
            (COORD, "ticket_received", dictamen),
            (REQUESTER, "ticket_filed", dictamen),
            (REQUESTER, "state_changed", folio),
        ]
    )
    assert seen.mailed == sorted(
        [(COORD, "ticket_received"), (REQUESTER, "ticket_filed"), (REQUESTER, "state_changed")]
    )
    assert seen.mails[(COORD, "ticket_received")]["subject"] == (
        f"Nueva solicitud {dictamen}: Dictamen técnico interno de soporte técnico"
    )
    assert seen.mails[(REQUESTER, "ticket_filed")]["subject"] == (
        f"Solicitud recibida: folio {dictamen}"
    )
    changed = seen.mails[(REQUESTER, "state_changed")]
    assert changed["subject"] == (
        f"Su solicitud {folio}: Sin solución: se emite dictamen técnico interno al titular"
    )
    assert "Motivo: La tarjeta madre está dañada." in changed["text"]


# --- tenants, inactive people, preferences ------------------------------------------------


def test_no_other_tenant_ever_hears_of_a_chalco_ticket(demo, file, move):
    # Sinaloa's staff made to look like Chalco's: same department ids, same roles.
    with demo.app_context():
        dgd = department_id(demo, "DGD")
        ccs = department_id(demo, "CCS")
        for email, dept in (
            ("tecnico@sinaloa.example", dgd),
            ("coordinador@sinaloa.example", ccs),
            ("admin@sinaloa.example", dgd),
        ):
            user = db.session.scalar(
                select(User).where(User.email == email).execution_options(all_tenants=True)
            )
            user.department_id = dept
        db.session.commit()
    add_user(
        demo, "tecnico2@sinaloa.example", "Luis Ñeco", "agent", department="DGE", tenant="sinaloa"
    )
    with demo.app_context():
        user = db.session.scalar(
            select(User)
            .where(User.email == "tecnico2@sinaloa.example")
            .execution_options(all_tenants=True)
        )
        user.department_id = dgd
        db.session.commit()

    before = mark(demo)
    # An enlace e-mail that belongs to a Sinaloa account must not reach it either.
    ticket_id = file(liaison={"name": "Héctor", "email": "coordinador@sinaloa.example"})
    move(ticket_id, "review", COORD)
    move(ticket_id, "request_completion", COORD, reason="Falta el oficio")
    move(ticket_id, "resubmit", REQUESTER, fields={"data": {"summary": "Proyector"}})
    move(ticket_id, "turn", COORD, fields={"department_id": dgd})
    move(ticket_id, "assign", COORD, fields={"assignee_id": user_id(demo, AGENT)})
    move(ticket_id, "start", AGENT)
    move(ticket_id, "conclude", AGENT, fields={"text": "Listo"})
    other = file()
    move(other, "withdraw", REQUESTER, reason="Ya no")
    seen = news(demo, before)
    assert seen.told == sorted(
        [
            (COORD, "ticket_received"),  # file
            (REQUESTER, "ticket_filed"),
            (REQUESTER, "state_changed"),  # review
            (REQUESTER, "completion_requested"),
            (COORD, "ticket_updated"),  # resubmit
            (AGENT, "ticket_updated"),
            (AGENT, "ticket_turned"),  # turn
            (REQUESTER, "state_changed"),
            (AGENT, "ticket_assigned"),
            (REQUESTER, "state_changed"),  # start
            (REQUESTER, "ticket_concluded"),
            (COORD, "ticket_received"),  # the other ticket
            (REQUESTER, "ticket_filed"),
            (COORD, "ticket_updated"),  # withdraw
            (AGENT, "ticket_updated"),
        ]
    )
    assert seen.mailed == seen.told
    with demo.app_context():
        sinaloa = db.session.scalar(select(Tenant.id).where(Tenant.slug == "sinaloa"))
        every = {ALL_TENANTS: True}
        assert (
            db.session.scalar(
                select(func.count(Notification.id))
                .join(User, User.id == Notification.user_id)
                .where(User.tenant_id == sinaloa)
                .execution_options(**every)
            )
            == 0
        )
        assert (
            db.session.scalar(
                select(func.count(OutboxMessage.id))
                .where(OutboxMessage.recipient.like("%@sinaloa.example"))
                .execution_options(**every)
            )
            == 0
        )


def test_a_sinaloa_ticket_is_told_only_in_sinaloa(demo, file):
    before = mark(demo)
    file(tenant="sinaloa", requester="solicitante@sinaloa.example")
    seen = news(demo, before)
    assert seen.told == [
        ("coordinador@sinaloa.example", "ticket_received"),
        ("solicitante@sinaloa.example", "ticket_filed"),
    ]


def test_notify_drops_other_tenants_inactive_and_repeated_people(demo, ticket_id):
    sleeping = add_user(demo, "dormida@chalco.example", "Inés Ríos", "agent", active=False)
    with demo.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        every = {ALL_TENANTS: True}
        people = {
            u.email: u
            for u in db.session.scalars(select(User).execution_options(**every))
            if u.email in {*SINALOA, AGENT, REQUESTER} or u.id == sleeping
        }
        rows = notifications.notify(
            [
                people["coordinador@sinaloa.example"],
                people["tecnico@sinaloa.example"],
                None,
                people["dormida@chalco.example"],
                people[AGENT],
                people[AGENT],
                people[REQUESTER],
            ],
            kind="state_changed",
            ticket=ticket,
            exclude=people[REQUESTER],
        )
        assert [(r.user.email, r.kind, r.tenant_id) for r in rows] == [
            (AGENT, "state_changed", ticket.tenant_id)
        ]
        db.session.rollback()


def test_inactive_people_get_nothing(demo, file, move):
    add_user(demo, "coordinadora.baja@chalco.example", "Ema Ortíz", "coordinator", active=False)
    add_user(
        demo, "tecnico.baja@chalco.example", "Raúl Peña", "agent", department="DGD", active=False
    )
    add_user(demo, "enlace.baja@chalco.example", "Úrsula Díaz", "requester", active=False)
    before = mark(demo)
    ticket_id = file(liaison={"name": "Úrsula", "email": "enlace.baja@chalco.example"})
    move(ticket_id, "turn", COORD, fields={"department_id": department_id(demo, "DGD")})
    assert news(demo, before).told == [
        (COORD, "ticket_received"),
        (REQUESTER, "state_changed"),
        (REQUESTER, "ticket_filed"),
        (AGENT, "ticket_turned"),
    ]


def test_email_turned_off_keeps_the_in_app_notification(demo, file):
    with demo.app_context():
        db.session.add_all(
            [
                NotificationPreference(
                    user_id=user_id(demo, REQUESTER), kind="ticket_filed", email=False
                ),
                # Another kind turned off, and this kind explicitly on: both still mail.
                NotificationPreference(
                    user_id=user_id(demo, COORD), kind="ticket_rejected", email=False
                ),
                NotificationPreference(
                    user_id=user_id(demo, COORD), kind="ticket_received", email=True
                ),
            ]
        )
        db.session.commit()
    before = mark(demo)
    file()
    seen = news(demo, before)
    assert seen.told == [(COORD, "ticket_received"), (REQUESTER, "ticket_filed")]
    assert seen.mailed == [(COORD, "ticket_received")]
    assert len(seen.files) == 1


def test_preference_is_per_kind(demo, ticket_id, move):
    with demo.app_context():
        db.session.add(
            NotificationPreference(
                user_id=user_id(demo, REQUESTER), kind="ticket_rejected", email=False
            )
        )
        db.session.commit()
    before = mark(demo)
    move(ticket_id, "review", COORD)
    assert news(demo, before).mailed == [(REQUESTER, "state_changed")]
    before = mark(demo)
    move(ticket_id, "reject", COORD, reason="No procede")
    seen = news(demo, before)
    assert seen.told == [(REQUESTER, "ticket_rejected")]
    assert seen.mailed == []


# --- rolled back: nothing told ------------------------------------------------------------


def assert_nothing_since(app, before: Mark) -> None:
    seen = news(app, before)
    assert (seen.told, seen.mailed, seen.files) == ([], [], [])


@pytest.mark.parametrize(
    ("name", "email", "kwargs"),
    [
        ("review", REQUESTER, {}),  # not the requester's step
        ("start", AGENT, {}),  # not turned yet
        ("reject", COORD, {"reason": "  "}),  # a reason is required
        ("review", "coordinador@sinaloa.example", {}),  # another tenant's coordinator
    ],
)
def test_refused_transition_tells_no_one(demo, ticket_id, move, name, email, kwargs):
    before, version = mark(demo), state_of(demo, ticket_id)
    with pytest.raises(TransitionError):
        move(ticket_id, name, email, **kwargs)
    assert_nothing_since(demo, before)
    assert state_of(demo, ticket_id) == version


def test_stale_version_tells_no_one(demo, ticket_id, move):
    state, version = state_of(demo, ticket_id)
    move(ticket_id, "review", COORD)
    before = mark(demo)
    with pytest.raises(StaleTicketError):
        move(
            ticket_id,
            "turn",
            COORD,
            expected_version=version,
            fields={"department_id": department_id(demo, "DGD")},
        )
    assert_nothing_since(demo, before)
    assert state_of(demo, ticket_id)[0] == "in_review"


def test_conflict_after_the_notices_were_written_rolls_them_back(
    demo, ticket_id, move, monkeypatch
):
    real = notification_rules.on_event
    written = []

    def then_conflict(ticket, event, workflow):
        real(ticket, event, workflow)
        written.append(
            db.session.scalar(
                select(func.count(Notification.id)).execution_options(**{ALL_TENANTS: True})
            )
        )
        raise StaleDataError("simulated concurrent update")

    monkeypatch.setattr(notification_rules, "on_event", then_conflict)
    before = mark(demo)
    with pytest.raises(StaleTicketError):
        move(ticket_id, "reject", COORD, reason="No procede")
    assert written and written[0] > before.notification  # they were there, then undone
    assert_nothing_since(demo, before)
    assert state_of(demo, ticket_id)[0] == "received"

    # The next step that commits sends its own messages and nothing left over.
    monkeypatch.setattr(notification_rules, "on_event", real)
    before = mark(demo)
    move(ticket_id, "reject", COORD, reason="No procede")
    seen = news(demo, before)
    assert seen.mailed == [(REQUESTER, "ticket_rejected")]
    assert len(seen.files) == 1


def test_failed_filing_tells_no_one(demo, file, monkeypatch):
    real = notification_rules.on_event

    def then_fail(ticket, event, workflow):
        real(ticket, event, workflow)
        raise RuntimeError("boom")

    monkeypatch.setattr(notification_rules, "on_event", then_fail)
    before = mark(demo)
    with demo.app_context():
        tickets_before = db.session.scalar(
            select(func.count(Ticket.id)).execution_options(**{ALL_TENANTS: True})
        )
    with pytest.raises(RuntimeError):
        file()
    assert_nothing_since(demo, before)
    with demo.app_context():
        assert (
            db.session.scalar(
                select(func.count(Ticket.id)).execution_options(**{ALL_TENANTS: True})
            )
            == tickets_before
        )


def test_completion_asked_by_the_department_tells_the_requester_why(demo, make_ticket, move):
    """P10 lets Gobierno Digital ask to complete the requirements after the turn."""
    ticket_id = make_ticket("GCH-CCS-P10", data=P10)
    folio = folio_of(demo, ticket_id)
    move(ticket_id, "turn", COORD, fields={"department_id": department_id(demo, "DGD")})
    before = mark(demo)
    move(ticket_id, "department_requests_completion", AGENT, reason="Falta el número de serie.")
    seen = news(demo, before)
    assert seen.told == [(REQUESTER, "completion_requested")]
    mail = seen.mails[(REQUESTER, "completion_requested")]
    assert mail["subject"] == f"Complete los requisitos de su solicitud {folio}"
    assert "\n\nMotivo: Falta el número de serie.\n\n" in mail["text"]
