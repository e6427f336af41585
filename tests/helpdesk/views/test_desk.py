"""The staff side: queues and filters, folio search, steps, filing on behalf, hand-offs."""

import re
from datetime import date
from datetime import timedelta

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Department
from helpdesk.models import Ticket
from helpdesk.models import TicketLink
from helpdesk.models import User

P10_DATA = {
    "problem_description": "El equipo no arranca",
    "requester_name": "Laura Méndez Ortiz",
    "equipment_location": "Dirección de la Mujer",
    "municipal_infrastructure": True,
}
P02_DATA = {
    "information": "Jornada de vacunación en el centro de Chalco",
    "participants": "DIF municipal",
    "topic": "Salud",
    # Beyond the 72-hour lead time whenever the suite runs.
    "publication_start": (date.today() + timedelta(days=30)).isoformat(),
    "publication_end": (date.today() + timedelta(days=34)).isoformat(),
    "place": "Plaza principal",
    "relevance": "Alta",
    "networks": ["facebook", "sitio_web"],
}


def folio_of(app, ticket_id):
    with app.app_context():
        return db.session.get(Ticket, ticket_id).folio


def row(app, folio):
    with app.app_context():
        ticket = db.session.scalar(select(Ticket).where(Ticket.folio == folio))
        db.session.expunge(ticket)
        return ticket


def dept(app, code):
    with app.app_context():
        return db.session.scalar(select(Department.id).where(Department.code == code))


def step(browser, folio, name, **data):
    page = browser.get(f"/chalco/mesa/solicitudes/{folio}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    if name == "turn":
        # Tick every checklist item shown, as a coordinator who checked them would.
        data.setdefault(
            "checklist", re.findall(r'name="checklist" type="checkbox" value="([^"]+)"', page)
        )
    return browser.post(
        f"/chalco/mesa/solicitudes/{folio}/pasos/{name}", {"version": version, **data}
    )


def test_requesters_cannot_open_the_desk(login_as):
    assert login_as("requester").get("/chalco/mesa/").status_code == 403


def test_queues_count_and_list_tickets(demo, login_as, make_ticket):
    first = folio_of(demo, make_ticket("GCH-CCS-P10", data=P10_DATA))
    second = folio_of(demo, make_ticket("GCH-CCS-P10", data=P10_DATA))
    coordinator = login_as("coordinator")
    page = coordinator.get("/chalco/mesa/?queue=review").get_data(as_text=True)
    assert first in page and second in page
    step(coordinator, first, "turn", department_id=str(dept(demo, "DGD")))
    agent = login_as("agent")
    department = agent.get("/chalco/mesa/?queue=department").get_data(as_text=True)
    assert first in department and second not in department
    step(agent, first, "start")
    with demo.app_context():
        tecnico = db.session.scalar(select(User).where(User.email == "tecnico@chalco.example"))
    step(agent, first, "assign", assignee_id=str(tecnico.id))
    mine = agent.get("/chalco/mesa/?queue=mine").get_data(as_text=True)
    assert first in mine and second not in mine
    step(coordinator, second, "request_completion", reason="Falta la ubicación exacta")
    waiting = coordinator.get("/chalco/mesa/?queue=waiting_requester").get_data(as_text=True)
    assert second in waiting and first not in waiting


def test_filters_narrow_the_list(demo, login_as, make_ticket):
    p10 = folio_of(demo, make_ticket("GCH-CCS-P10", data=P10_DATA))
    sample = folio_of(demo, make_ticket("SAMPLE-01", data={"summary": "Proyector azul"}))
    coordinator = login_as("coordinator")
    by_service = coordinator.get("/chalco/mesa/?queue=all&service=GCH-CCS-P10")
    assert p10 in by_service.get_data(as_text=True)
    assert sample not in by_service.get_data(as_text=True)
    by_text = coordinator.get("/chalco/mesa/?queue=all&q=azul").get_data(as_text=True)
    assert sample in by_text and p10 not in by_text
    by_folio = coordinator.get(f"/chalco/mesa/?queue=all&folio={p10[-6:]}").get_data(as_text=True)
    assert p10 in by_folio
    future = coordinator.get("/chalco/mesa/?queue=all&from=2999-01-01").get_data(as_text=True)
    assert p10 not in future and sample not in future
    bad = coordinator.get("/chalco/mesa/?queue=all&from=ayer")
    assert bad.status_code == 200


def test_folio_search_finds_only_this_tenants_tickets(demo, login_as, make_ticket):
    folio = folio_of(demo, make_ticket("GCH-CCS-P10", data=P10_DATA))
    found = login_as("agent").get(f"/chalco/mesa/buscar?folio={folio.lower()}")
    assert found.headers["Location"].endswith(f"/chalco/mesa/solicitudes/{folio}")
    other = login_as("coordinator", tenant="sinaloa").get(f"/sinaloa/mesa/buscar?folio={folio}")
    assert other.status_code == 302
    assert "/mesa/solicitudes/" not in other.headers["Location"]


def test_staff_page_shows_only_the_steps_the_user_may_take(demo, login_as, make_ticket):
    folio = folio_of(demo, make_ticket("GCH-CCS-P10", data=P10_DATA))
    coordinator = login_as("coordinator").get(f"/chalco/mesa/solicitudes/{folio}")
    text = coordinator.get_data(as_text=True)
    assert "/pasos/turn" in text and "/pasos/reject" in text
    assert "/pasos/start" not in text
    agent = login_as("agent").get(f"/chalco/mesa/solicitudes/{folio}").get_data(as_text=True)
    assert "/pasos/" not in agent
    agent = login_as("agent")
    refused = agent.post(f"/chalco/mesa/solicitudes/{folio}/pasos/turn", {"version": "1"})
    # A step the page does not offer has no form to show the reason on: it is
    # said on the ticket's page instead.
    assert refused.status_code == 302
    assert refused.headers["Location"].endswith(f"/chalco/mesa/solicitudes/{folio}")
    page = agent.get(refused.headers["Location"]).get_data(as_text=True)
    assert "Su función no le permite «Turnar" in page
    assert row(demo, folio).state == "received"


def test_a_step_not_possible_in_this_state_says_why(demo, login_as, make_ticket):
    folio = folio_of(demo, make_ticket("GCH-CCS-P10", data=P10_DATA))
    coordinator = login_as("coordinator")
    refused = step(coordinator, folio, "conclude", text="Listo")
    assert refused.status_code == 302
    page = coordinator.get(refused.headers["Location"]).get_data(as_text=True)
    assert "no es posible: la solicitud está en «Recibida»" in page
    assert row(demo, folio).state == "received"


def test_turn_requires_every_checklist_item(demo, login_as, make_ticket):
    folio = folio_of(demo, make_ticket("GCH-CCS-P10", data=P10_DATA))
    coordinator = login_as("coordinator")
    missing = step(coordinator, folio, "turn", department_id=str(dept(demo, "DGD")), checklist=[])
    assert missing.status_code == 400
    assert row(demo, folio).state == "received"
    with demo.app_context():
        checklist = demo.extensions["helpdesk"].catalog.get("GCH-CCS-P10").checklist
    ok = coordinator.post(
        f"/chalco/mesa/solicitudes/{folio}/pasos/turn",
        {"version": "1", "department_id": str(dept(demo, "DGD")), "checklist": list(checklist)},
    )
    assert ok.status_code == 302
    assert row(demo, folio).state == "turned"


def test_filing_on_behalf_marks_the_channel(demo, login_as):
    coordinator = login_as("coordinator", tenant="sinaloa")
    with demo.app_context():
        requester = db.session.scalar(
            select(User).where(User.email == "solicitante@sinaloa.example")
        )
    url = "/sinaloa/mesa/nueva/PSDT-05"
    assert "PSDT-05" in coordinator.get("/sinaloa/mesa/nueva").get_data(as_text=True)
    coordinator.get(url)
    response = coordinator.post(
        url,
        {
            "requester_id": str(requester.id),
            "channel": "phone",
            "service_name": "Pago de tenencia en línea",
            "service_url": "https://tenencia.sinaloa.gob.mx/",
            "unit_id": str(requester.unit_id),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with demo.app_context():
        ticket = db.session.scalar(select(Ticket).where(Ticket.service_code == "PSDT-05"))
        assert ticket.channel == "phone"
        assert ticket.requester_id == requester.id
        assert ticket.filed_by.email == "coordinador@sinaloa.example"
        assert ticket.events[0].changes["on_behalf_of"] == requester.id
    mine = login_as("requester", tenant="sinaloa").get("/sinaloa/mis-solicitudes")
    assert ticket.folio in mine.get_data(as_text=True)


def test_p02_with_web_site_hands_off_to_p08_and_both_show_the_link(demo, login_as, make_ticket):
    folio = folio_of(demo, make_ticket("GCH-CCS-P02", data=P02_DATA))
    coordinator = login_as("coordinator")
    with demo.app_context():
        checklist = demo.extensions["helpdesk"].catalog.get("GCH-CCS-P02").checklist
    coordinator.post(
        f"/chalco/mesa/solicitudes/{folio}/pasos/turn",
        {"version": "1", "department_id": str(dept(demo, "DCII")), "checklist": list(checklist)},
    )
    step(coordinator, folio, "start")
    page = coordinator.get(f"/chalco/mesa/solicitudes/{folio}").get_data(as_text=True)
    assert "/pasos/publish_and_hand_off_web" in page and '/pasos/publish"' not in page
    done = step(coordinator, folio, "publish_and_hand_off_web", text="Texto aprobado para la web")
    assert done.status_code == 302
    with demo.app_context():
        source = db.session.scalar(select(Ticket).where(Ticket.folio == folio))
        link = db.session.scalar(select(TicketLink))
        target = link.target
        assert link.source_id == source.id
        assert target.service_code == "GCH-CCS-P08"
        assert target.data["origin_folio"] == folio
        assert target.department.code == "DGD"
        assert source.state == "concluded" and target.state == "received"
        target_folio = target.folio
    assert target_folio in coordinator.get(f"/chalco/mesa/solicitudes/{folio}").get_data(
        as_text=True
    )
    assert folio in coordinator.get(f"/chalco/mesa/solicitudes/{target_folio}").get_data(
        as_text=True
    )
    requester_view = login_as("requester").get(f"/chalco/solicitudes/{target_folio}")
    assert requester_view.status_code == 200


def test_hand_off_to_a_disabled_service_is_refused(demo, login_as, make_ticket):
    from helpdesk.models import TenantService

    folio = folio_of(demo, make_ticket("GCH-CCS-P02", data=P02_DATA))
    with demo.app_context():
        setting = db.session.scalar(
            select(TenantService).where(TenantService.service_code == "GCH-CCS-P08")
        )
        setting.enabled = False
        db.session.commit()
        checklist = demo.extensions["helpdesk"].catalog.get("GCH-CCS-P02").checklist
    coordinator = login_as("coordinator")
    coordinator.post(
        f"/chalco/mesa/solicitudes/{folio}/pasos/turn",
        {"version": "1", "department_id": str(dept(demo, "DCII")), "checklist": list(checklist)},
    )
    step(coordinator, folio, "start")
    refused = step(coordinator, folio, "publish_and_hand_off_web", text="Texto")
    assert refused.status_code == 400
    assert row(demo, folio).state == "in_progress"
    with demo.app_context():
        assert db.session.scalars(select(TicketLink)).all() == []
