"""PSDT-05 through the pages: the order registered by the help desk, its publication
with the automatic link check, the non-conforming service, the requester's
confirmation loop, the order document and the closing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import User
from helpdesk.workflow import ClockKind
from plugins.portal.services import PSDT05

from .helpers import department
from .helpers import events
from .helpers import folio_from
from .helpers import normal
from .helpers import ok
from .helpers import page_of
from .helpers import pdf_of
from .helpers import requester_step
from .helpers import staff_step
from .helpers import state
from .helpers import transitions

CODE = "PSDT-05"


@pytest.fixture
def people(login_as):
    return {
        "requester": login_as("requester", tenant="sinaloa"),
        "coordinator": login_as("coordinator", tenant="sinaloa"),
        "agent": login_as("agent", tenant="sinaloa"),
    }


def register_by_phone(app, desk, url: str, name: str = "Pago de tenencia en línea") -> str:
    """Activity 2.1: the help desk raises the order on the requester's behalf."""
    with app.app_context():
        requester = db.session.scalar(
            select(User).where(User.email == "solicitante@sinaloa.example")
        )
    page = f"/sinaloa/mesa/nueva/{CODE}"
    desk.get(page)
    response = desk.post(
        page,
        {
            "requester_id": str(requester.id),
            "channel": "phone",
            "unit_id": str(requester.unit_id),
            "service_name": name,
            "service_url": url,
        },
        content_type="multipart/form-data",
    )
    return folio_from(response)


def to_work(app, people, folio: str) -> None:
    """Activity 2.2 (channelled to Gobierno Electrónico) and its reception."""
    coordinator = people["coordinator"]
    ok(staff_step(coordinator, "sinaloa", folio, "review"))
    ok(
        staff_step(
            coordinator, "sinaloa", folio, "turn", department_id=department(app, "sinaloa", "DGE")
        )
    )
    ok(staff_step(people["agent"], "sinaloa", folio, "start"))


def publish(people, folio: str, text: str = "Publicado como «Pago de tenencia»") -> None:
    ok(staff_step(people["agent"], "sinaloa", folio, "publish", text=text))


def test_workflow_shape():
    workflow = PSDT05.workflow
    assert workflow.state("awaiting_confirmation").clock is ClockKind.WAITING_REQUESTER
    assert workflow.state("nonconforming").label.endswith("servicio no visible en el portal")
    assert set(workflow.transition("confirm_satisfaction").actors) == {"requester", "liaison"}
    assert workflow.transition("report_unsatisfied").needs_reason
    assert workflow.transition("correct_anomalies").target == "in_progress"
    assert workflow.transition("conclude").sources == ("satisfied",)
    assert "concluded" in workflow.transition("open_nonconformity").sources


def surveys_of(app, folio):
    from helpdesk.models import Survey
    from helpdesk.models import Ticket

    with app.app_context():
        return len(
            db.session.scalars(
                select(Survey)
                .join(Ticket, Ticket.id == Survey.ticket_id)
                .where(Ticket.folio == folio)
            ).all()
        )


def test_order_from_phone_call_to_closing_with_two_unsatisfied_rounds(demo, people, link_server):
    link_server.routes["/tenencia"] = 200
    url = link_server.url("/tenencia")
    requester, agent = people["requester"], people["agent"]
    folio = register_by_phone(demo, people["coordinator"], url)
    # The orden de servicio exists from its registration, for staff and requester.
    text = normal(pdf_of(requester, "sinaloa", folio, "orden-de-servicio"))
    assert folio in text and "Orden de servicio" in text
    assert "Pago de tenencia en línea" in text and url in text
    assert "Llamada telefónica" in text and "Abierta" in text

    to_work(demo, people, folio)
    publish(people, folio)
    # Checked right after publishing (HEAD answered), and recorded as verified.
    assert ("HEAD", "/tenencia") in link_server.hits
    assert state(demo, folio) == "visible"
    verified = events(demo, folio)[-1]
    assert verified.transition == "confirm_visible"
    assert (
        "Verificación automática" in verified.changes["text"]
        and "HTTP 200" in verified.changes["text"]
    )

    for round_number in (1, 2):
        ok(staff_step(agent, "sinaloa", folio, "notify_publication", text="Ya aparece en Trámites"))
        assert state(demo, folio) == "awaiting_confirmation"
        page, _ = page_of(requester, f"/sinaloa/solicitudes/{folio}")
        assert "/pasos/confirm_satisfaction" in page and "/pasos/report_unsatisfied" in page
        assert requester_step(requester, "sinaloa", folio, "report_unsatisfied").status_code == 400
        ok(
            requester_step(
                requester,
                "sinaloa",
                folio,
                "report_unsatisfied",
                reason=f"El nombre aparece mal escrito ({round_number})",
            )
        )
        assert state(demo, folio) == "correcting"
        ok(staff_step(agent, "sinaloa", folio, "correct_anomalies", text="Nombre corregido"))
        assert state(demo, folio) == "in_progress"
        publish(people, folio, text="Publicado de nuevo como «Pago de tenencia en línea»")
        assert state(demo, folio) == "visible"

    ok(staff_step(agent, "sinaloa", folio, "notify_publication", text="Corregido"))
    # Only the requester confirms.
    assert staff_step(agent, "sinaloa", folio, "confirm_satisfaction").status_code == 302
    ok(requester_step(requester, "sinaloa", folio, "confirm_satisfaction"))
    assert state(demo, folio) == "satisfied"
    # The confirmation is a step of the order, not the survey: that one comes
    # only once the order is concluded.
    assert surveys_of(demo, folio) == 0
    ok(staff_step(people["coordinator"], "sinaloa", folio, "conclude", text="Orden cerrada"))
    assert state(demo, folio) == "concluded"
    assert surveys_of(demo, folio) == 1

    names = transitions(demo, folio)
    assert names.count("publish") == 3 and names.count("confirm_visible") == 3
    assert names.count("report_unsatisfied") == 2 and names.count("correct_anomalies") == 2
    assert "open_nonconformity" not in names
    closed = normal(pdf_of(requester, "sinaloa", folio, "orden-de-servicio"))
    assert "Cerrada el" in closed and "Orden cerrada" in closed
    assert "El nombre aparece mal escrito (1)" in closed
    assert "El nombre aparece mal escrito (2)" in closed
    assert "servicio satisfactorio" in closed


def test_a_dead_link_opens_the_nonconformity_until_it_is_visible(demo, people, link_server):
    link_server.routes["/pagos"] = 404
    folio = register_by_phone(demo, people["coordinator"], link_server.url("/pagos"))
    agent = people["agent"]
    to_work(demo, people, folio)
    publish(people, folio)
    assert state(demo, folio) == "nonconforming"
    opened = events(demo, folio)[-1]
    assert opened.transition == "open_nonconformity"
    assert "Verificación automática" in opened.reason and "HTTP 404" in opened.reason
    # HEAD got 404, so GET was tried too.
    assert ("GET", "/pagos") in link_server.hits
    # The annex's treatment: cause first, then the fix, then the verification.
    refused = staff_step(agent, "sinaloa", folio, "nc_fix", text="Se corrigió")
    assert refused.status_code == 302
    ok(staff_step(agent, "sinaloa", folio, "nc_cause", text="La liga apunta a una ruta vieja"))
    assert state(demo, folio) == "nonconforming"
    ok(staff_step(agent, "sinaloa", folio, "nc_fix", text="Se reinició el servidor"))
    # Still dead: the verification fails and the non-conformity opens again.
    assert state(demo, folio) == "nonconforming"
    # Second round: the fix names the service's new location.
    link_server.routes["/pagos/v2"] = 200
    ok(staff_step(agent, "sinaloa", folio, "nc_cause", text="El servicio cambió de ruta"))
    ok(
        staff_step(
            agent,
            "sinaloa",
            folio,
            "nc_fix",
            text=f"Liga actualizada a {link_server.url('/pagos/v2')}.",
        )
    )
    assert state(demo, folio) == "visible"
    names = transitions(demo, folio)
    assert names.count("open_nonconformity") == 2
    assert names.count("nc_cause") == 2 and names.count("nc_fix") == 2
    assert names[-1] == "nc_verify"
    assert link_server.url("/pagos/v2") in events(demo, folio)[-1].changes["text"]
    # The order goes on as usual.
    ok(staff_step(agent, "sinaloa", folio, "notify_publication", text="Visible"))
    ok(requester_step(people["requester"], "sinaloa", folio, "confirm_satisfaction"))
    ok(staff_step(agent, "sinaloa", folio, "conclude", text="Cerrada"))
    text = normal(pdf_of(people["requester"], "sinaloa", folio, "orden-de-servicio"))
    assert "servicio no visible en el portal" in text and "Causa detectada" in text


def test_a_refused_connection_opens_the_nonconformity(demo, people, refused_url):
    folio = register_by_phone(demo, people["coordinator"], refused_url)
    to_work(demo, people, folio)
    publish(people, folio)
    assert state(demo, folio) == "nonconforming"
    assert "rechazó la conexión" in events(demo, folio)[-1].reason


def test_requester_cannot_take_staff_steps(demo, people, link_server):
    link_server.routes["/x"] = 200
    folio = register_by_phone(demo, people["coordinator"], link_server.url("/x"))
    to_work(demo, people, folio)
    requester = people["requester"]
    response = requester.post(f"/sinaloa/mesa/solicitudes/{folio}/pasos/publish", {"text": "x"})
    assert response.status_code == 403
    assert requester_step(requester, "sinaloa", folio, "publish", text="x").status_code == 302
    assert state(demo, folio) == "in_progress"


def test_coordinator_rejects_an_order_with_a_reason(demo, people, link_server):
    folio = register_by_phone(demo, people["coordinator"], link_server.url("/x"))
    coordinator = people["coordinator"]
    assert staff_step(coordinator, "sinaloa", folio, "reject").status_code == 400
    ok(
        staff_step(
            coordinator, "sinaloa", folio, "reject", reason="No es un servicio de la dependencia"
        )
    )
    assert state(demo, folio) == "rejected"
    text = normal(pdf_of(people["requester"], "sinaloa", folio, "orden-de-servicio"))
    assert "Orden rechazada: No es un servicio de la dependencia" in text


def test_requester_files_through_the_portal_and_completes_it(demo, people, link_server):
    requester, coordinator = people["requester"], people["coordinator"]
    url = f"/sinaloa/servicios/{CODE}/solicitar"
    requester.get(url)
    with demo.app_context():
        unit = db.session.scalar(
            select(User.unit_id).where(User.email == "solicitante@sinaloa.example")
        )
    not_web = requester.post(
        url,
        {"unit_id": str(unit), "service_name": "Citas", "service_url": "citas.sinaloa"},
        content_type="multipart/form-data",
    )
    assert not_web.status_code == 200
    folio = folio_from(
        requester.post(
            url,
            {"unit_id": str(unit), "service_name": "Citas", "service_url": link_server.url("/c")},
            content_type="multipart/form-data",
        )
    )
    ok(staff_step(coordinator, "sinaloa", folio, "request_completion", reason="¿Qué nombre?"))
    fix = f"/sinaloa/solicitudes/{folio}/corregir"
    requester.get(fix)
    ok(
        requester.post(
            fix,
            {
                "service_name": "Citas médicas en línea",
                "service_url": link_server.url("/c"),
                "version": "2",
            },
            content_type="multipart/form-data",
        )
    )
    assert state(demo, folio) == "corrected"
    ok(staff_step(coordinator, "sinaloa", folio, "turn"))
    assert state(demo, folio) == "turned"
