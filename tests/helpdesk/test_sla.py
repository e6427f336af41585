"""SLA clocks stored per ticket: received at the next opening, paused, met; lead times at filing."""

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from helpdesk import plugins
from helpdesk import service_settings
from helpdesk import sla
from helpdesk import tickets
from helpdesk.catalog import workflow_of
from helpdesk.extensions import db
from helpdesk.models import SlaClock
from helpdesk.models import Tenant
from helpdesk.models import Ticket
from helpdesk.models import User
from helpdesk.tenancy import scoped_to
from helpdesk.workflow.engine import apply

MX = ZoneInfo("America/Mexico_City")
SATURDAY = datetime(2026, 11, 21, 11, 0, tzinfo=MX)
COORD = "coordinador@chalco.example"
REQUESTER = "solicitante@chalco.example"
P09_DATA = {
    "mailbox": "obras@chalco.gob.mx",
    "request_kind": "fault",
    "fault_description": "No entra",
}


def utc(*args):
    return datetime(*args, tzinfo=MX).astimezone(UTC)


def clocks(app, ticket_id):
    with app.app_context():
        rows = db.session.scalars(select(SlaClock).where(SlaClock.ticket_id == ticket_id)).all()
        return {
            row.target: {
                "budget": row.budget_seconds,
                "due": row.due_at and sla.as_utc(row.due_at),
                "risk": row.risk_at and sla.as_utc(row.risk_at),
                "met": row.met_at and sla.as_utc(row.met_at),
            }
            for row in rows
        }


def file(app, code, data, *, by=REQUESTER, now=None, late=None):
    with app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "chalco"))
        with scoped_to(tenant):
            requester = db.session.scalar(select(User).where(User.email == REQUESTER))
            filed_by = db.session.scalar(select(User).where(User.email == by))
            catalog = plugins.host().catalog
            rows = service_settings.ensure_rows(tenant, catalog)
            rows[code].enabled = True
            db.session.commit()
            item = service_settings.effective(catalog.get(code), rows[code], tenant)
            ticket = tickets.file_request(
                tenant=tenant,
                service=item,
                requester=requester,
                filed_by=filed_by,
                data=data,
                unit_id=requester.unit_id,
                channel="portal" if by == REQUESTER else "phone",
                now=now,
                late_justification=late,
            )
            return ticket.id


def move(app, ticket_id, name, email, **kwargs):
    with app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        with scoped_to(ticket.requester.tenant):
            actor = db.session.scalar(select(User).where(User.email == email))
            workflow = workflow_of(plugins.host().catalog.get(ticket.service_code))
            apply(ticket_id, name, actor, workflow=workflow, **kwargs)


def test_filed_on_saturday_is_received_monday_at_opening_with_due_moments(demo):
    ticket_id = file(demo, "GCH-CCS-P09", P09_DATA, now=SATURDAY)
    with demo.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        assert sla.as_utc(ticket.received_at) == utc(2026, 11, 23, 9, 0)
        assert sla.as_utc(ticket.created_at) == SATURDAY.astimezone(UTC)
    found = clocks(demo, ticket_id)
    # P09: one business day to respond, two to resolve; Monday 9:00 → Tuesday and Wednesday 9:00.
    assert found["respond"] == {
        "budget": 7 * 3600,
        "due": utc(2026, 11, 24, 9, 0),
        "risk": utc(2026, 11, 23, 14, 15),  # 75 % of 7 h = 5 h 15 min
        "met": None,
    }
    assert found["resolve"]["due"] == utc(2026, 11, 25, 9, 0)
    assert found["resolve"]["budget"] == 14 * 3600


def test_waiting_on_the_requester_stops_the_resolve_clock_and_answers_the_respond_one(demo):
    ticket_id = file(demo, "GCH-CCS-P09", P09_DATA, now=SATURDAY)
    # Asked on Monday at 10:00, one business hour in: neither target has run out
    # (taken at the real date, the resolve clock ran out before the wait began
    # and a breach stays a breach).
    with time_machine.travel(utc(2026, 11, 23, 10, 0), tick=False):
        move(demo, ticket_id, "request_completion", COORD, reason="Falta el oficio")
    found = clocks(demo, ticket_id)
    assert found["respond"]["met"] == utc(2026, 11, 23, 10, 0)
    # The respond clock keeps the due moment it had, for the record.
    assert found["respond"]["due"] == utc(2026, 11, 24, 9, 0)
    assert found["resolve"] == {"budget": 14 * 3600, "due": None, "risk": None, "met": None}
    with demo.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        readings = {r.target: r for r in sla.ticket_readings(ticket)}
    assert readings["resolve"].status == sla.PAUSED


def test_closing_meets_the_resolve_clock(demo):
    ticket_id = file(demo, "GCH-CCS-P09", P09_DATA, now=SATURDAY)
    move(demo, ticket_id, "withdraw", REQUESTER, reason="Ya no se necesita")
    found = clocks(demo, ticket_id)
    assert found["resolve"]["met"] is not None
    assert found["respond"]["met"] is not None


def test_readings_recomputed_later_keep_the_same_due_moment(demo):
    ticket_id = file(demo, "GCH-CCS-P09", P09_DATA, now=SATURDAY)
    with demo.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        early = sla.ticket_readings(ticket, now=utc(2026, 11, 23, 10, 0))
        late = sla.ticket_readings(ticket, now=utc(2026, 11, 27, 10, 0))
    assert [r.due_at for r in early] == [r.due_at for r in late]
    assert [r.status for r in early] == [sla.ON_TIME, sla.ON_TIME]
    assert [r.status for r in late] == [sla.BREACHED, sla.BREACHED]
    # Monday 10:00 → one business hour used of seven.
    assert early[0].used.total_seconds() == 3600


def test_tenant_override_of_the_target_changes_the_due_moment(demo):
    with demo.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "chalco"))
        with scoped_to(tenant):
            rows = service_settings.ensure_rows(tenant, plugins.host().catalog)
            rows["GCH-CCS-P09"].respond_amount = 2
            rows["GCH-CCS-P09"].respond_unit = "hours"
            db.session.commit()
    ticket_id = file(demo, "GCH-CCS-P09", P09_DATA, now=SATURDAY)
    assert clocks(demo, ticket_id)["respond"]["due"] == utc(2026, 11, 23, 11, 0)


LATE = {"required_date": "2026-11-24", "summary": "Cartel"}


def test_a_late_request_is_refused_with_the_rule_and_the_earliest_date(demo):
    with pytest.raises(tickets.FilingError) as refused:
        file(demo, "GCH-CCS-P06", LATE, now=datetime(2026, 11, 23, 10, 0, tzinfo=MX))
    (issue,) = refused.value.issues
    assert issue.field == "required_date"
    assert "3 días hábiles previos a la fecha requerida" in issue.message
    assert "jueves 26 de noviembre de 2026" in issue.message
    with demo.app_context():
        assert db.session.scalar(select(Ticket).where(Ticket.service_code == "GCH-CCS-P06")) is None


def test_a_requester_cannot_justify_a_late_request(demo):
    with pytest.raises(tickets.FilingError) as refused:
        file(demo, "GCH-CCS-P06", LATE, now=datetime(2026, 11, 23, 10, tzinfo=MX), late="urgente")
    assert "Solo la coordinación" in refused.value.issues[0].message


def test_the_coordinator_accepts_a_late_request_with_a_recorded_justification(demo):
    ticket_id = file(
        demo,
        "GCH-CCS-P06",
        LATE,
        by=COORD,
        now=datetime(2026, 11, 23, 10, 0, tzinfo=MX),
        late="Instrucción del presidente municipal",
    )
    with demo.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        override = ticket.events[0].changes["lead_time_override"]
    assert override["justification"] == "Instrucción del presidente municipal"
    assert "jueves 26 de noviembre de 2026" in override["rule"]


def test_only_the_desk_form_offers_the_justification(demo, login_as):
    browser = login_as("requester")
    page = browser.get("/chalco/servicios/GCH-CCS-P06/solicitar")
    assert page.status_code == 200
    assert "late_justification" not in page.get_data(as_text=True)


def test_the_desk_form_offers_the_justification(demo, login_as):
    browser = login_as("coordinator")
    page = browser.get("/chalco/mesa/nueva/GCH-CCS-P06")
    assert page.status_code == 200
    assert 'name="late_justification"' in page.get_data(as_text=True)


def test_changing_the_target_recomputes_open_tickets_clocks(demo):
    ticket_id = file(demo, "GCH-CCS-P09", P09_DATA, now=SATURDAY)
    assert clocks(demo, ticket_id)["respond"]["due"] == utc(2026, 11, 24, 9, 0)
    with demo.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "chalco"))
        with scoped_to(tenant):
            rows = service_settings.ensure_rows(tenant, plugins.host().catalog)
            rows["GCH-CCS-P09"].respond_amount = 3
            rows["GCH-CCS-P09"].respond_unit = "hours"
            db.session.flush()
            assert sla.refresh_open(tenant, "GCH-CCS-P09") == 1
            db.session.commit()
    assert clocks(demo, ticket_id)["respond"]["due"] == utc(2026, 11, 23, 12, 0)


def p06_form(required: str, unit: int, **extra):
    return {
        "justification": "Reconocer a las y los participantes del maratón.",
        "material_type": "reconocimiento",
        "file_format": ".pdf",
        "medium": "digital",
        "platform": "Facebook",
        "content_text": "Otorga el presente reconocimiento …",
        "required_date": required,
        "unit_id": str(unit),
        "liaison_name": "Laura Méndez",
        "liaison_email": "enlace@chalco.example",
        "liaison_phone": "5555555555",
        **extra,
    }


def requester_of(app):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == REQUESTER))
        return user.id, user.unit_id


def p06_count(app):
    with app.app_context():
        return len(
            db.session.scalars(select(Ticket).where(Ticket.service_code == "GCH-CCS-P06")).all()
        )


def test_the_portal_refuses_a_late_request_and_names_the_earliest_date(demo, login_as):
    browser = login_as("requester")
    _, unit = requester_of(demo)
    url = "/chalco/servicios/GCH-CCS-P06/solicitar"
    browser.get(url)
    tomorrow = (datetime.now(MX).date() + timedelta(days=1)).isoformat()
    page = browser.post(url, p06_form(tomorrow, unit), content_type="multipart/form-data")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "3 días hábiles previos a la fecha requerida" in html
    assert "La fecha más próxima que se puede aceptar es el" in html
    assert p06_count(demo) == 0


def test_the_desk_accepts_a_late_request_with_the_coordinators_justification(demo, login_as):
    browser = login_as("coordinator")
    requester_id, unit = requester_of(demo)
    url = "/chalco/mesa/nueva/GCH-CCS-P06"
    browser.get(url)
    tomorrow = (datetime.now(MX).date() + timedelta(days=1)).isoformat()
    base = p06_form(tomorrow, unit, requester_id=str(requester_id), channel="oficio")
    refused = browser.post(url, base, content_type="multipart/form-data")
    assert refused.status_code == 200
    assert "puede aceptarla escribiendo una justificación" in refused.get_data(as_text=True)
    assert p06_count(demo) == 0
    accepted = browser.post(
        url,
        {**base, "late_justification": "Evento del cabildo convocado hoy"},
        content_type="multipart/form-data",
    )
    assert accepted.status_code == 302, accepted.get_data(as_text=True)
    with demo.app_context():
        ticket = db.session.scalar(select(Ticket).where(Ticket.service_code == "GCH-CCS-P06"))
        assert ticket.events[0].changes["lead_time_override"]["justification"] == (
            "Evento del cabildo convocado hoy"
        )


def test_a_request_with_an_enlace_is_corrected_without_retyping_it(demo, login_as, make_ticket):
    """The correction form edits the service's data; the enlace named at filing stays."""
    future = (datetime.now(MX).date() + timedelta(days=60)).isoformat()
    requester_id, unit = requester_of(demo)
    data = {
        k: v for k, v in p06_form(future, unit).items() if not k.startswith(("liaison", "unit"))
    }
    liaison = {"name": "Laura Méndez", "email": "enlace@chalco.example", "phone": "5555555555"}
    ticket_id = make_ticket("GCH-CCS-P06", data=data, liaison=liaison)
    move(demo, ticket_id, "request_completion", COORD, reason="Falta el texto completo")
    with demo.app_context():
        folio = db.session.get(Ticket, ticket_id).folio
    browser = login_as("requester")
    url = f"/chalco/solicitudes/{folio}/corregir"
    page = browser.get(url).get_data(as_text=True)
    assert "Falta el texto completo" in page
    assert 'name="liaison_email"' not in page
    response = browser.post(url, {**data, "content_text": "Texto completo del reconocimiento"})
    assert response.status_code == 302, response.get_data(as_text=True)
    with demo.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        assert ticket.state == "corrected"
        assert ticket.data["content_text"] == "Texto completo del reconocimiento"
        assert ticket.liaison["email"] == "enlace@chalco.example"


def test_non_blocking_findings_reach_the_coordinators_review(demo, login_as, make_ticket):
    future = (datetime.now(MX).date() + timedelta(days=60)).isoformat()
    _, unit = requester_of(demo)
    data = {
        k: v for k, v in p06_form(future, unit).items() if not k.startswith(("liaison", "unit"))
    }
    # No logos or images attached: P06's check warns, it does not refuse.
    ticket_id = make_ticket("GCH-CCS-P06", data=data)
    with demo.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        folio = ticket.folio
        warnings = ticket.events[0].changes["warnings"]
    assert any("logotipos" in w for w in warnings)
    staff_page = login_as("coordinator").get(f"/chalco/mesa/solicitudes/{folio}")
    assert "No se adjuntaron logotipos" in staff_page.get_data(as_text=True)
    requester_page = login_as("requester").get(f"/chalco/solicitudes/{folio}")
    assert "No se adjuntaron logotipos" not in requester_page.get_data(as_text=True)
