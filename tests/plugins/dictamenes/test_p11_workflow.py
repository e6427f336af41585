"""GCH-CCS-P11 through the pages: filing, the completion loop, the inspection agreed with
the dependencia, and the dictamen técnico de baja only where policy 11.7 allows it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from helpdesk import sla
from helpdesk.extensions import db
from helpdesk.models import Ticket
from plugins.dictamenes import inspection

from .conftest import ASSET
from .conftest import SECOND_ASSET
from .conftest import chalco_today
from .conftest import department_id
from .conftest import file_p11
from .conftest import flat
from .conftest import folio_from
from .conftest import p11_form
from .conftest import pdf_text
from .conftest import resubmit
from .conftest import state_of
from .conftest import step
from .conftest import ticket_of
from .conftest import working_day

DESK = "/chalco/mesa/solicitudes"
FIT = {"present": "yes", "data_correct": "yes", "repair": "not_viable"}


def documents_url(folio, name):
    return f"/chalco/solicitudes/{folio}/documentos/{name}.pdf"


def inspection_url(folio):
    return f"/chalco/s/dictamenes/inspeccion/{folio}"


def answers(*per_asset, inspected_on, observations=""):
    data = {"inspected_on": inspected_on.isoformat(), "observations": observations}
    for index, answer in enumerate(per_asset):
        data.update({f"assets-{index}-{key}": value for key, value in answer.items()})
    return data


@pytest.fixture
def staff(login_as):
    return {"coordinator": login_as("coordinator"), "agent": login_as("agent")}


def to_inspection(demo, browser, staff, p11_checklist, *assets):
    """File a request and take it, through the pages, to its agreed inspection."""
    folio = folio_from(file_p11(browser, demo, *assets))
    coordinator, agent = staff["coordinator"], staff["agent"]
    step(coordinator, folio, "review")
    step(
        coordinator,
        folio,
        "turn",
        department_id=department_id(demo, "DGD"),
        checklist=p11_checklist,
    )
    step(agent, folio, "start")
    step(
        agent,
        folio,
        "schedule_inspection",
        date=working_day(demo).isoformat(),
        text="Almacén de la Dirección de la Mujer; enlace: Laura Méndez, ext. 114",
    )
    assert state_of(demo, folio) == "inspection_scheduled"
    return folio


def record(demo, agent, folio, *per_asset, observations=""):
    agent.get(inspection_url(folio))
    today = chalco_today(demo)
    response = agent.post(
        inspection_url(folio), answers(*per_asset, inspected_on=today, observations=observations)
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"{DESK}/{folio}")
    return response


# -- The whole way, as the people involved click it ----------------------------


def test_p11_from_the_oficio_to_the_dictamen_de_baja(demo, login_as, staff, p11_checklist):
    requester = login_as("requester")
    coordinator, agent = staff["coordinator"], staff["agent"]

    # 1: the dependencia sends the oficio of the Secretaría del Ayuntamiento with each asset.
    folio = folio_from(file_p11(requester, demo, ASSET, SECOND_ASSET))
    assert folio.startswith("CHALCO-P11-")
    assert state_of(demo, folio) == "received"

    # 2-4, twice: the Coordinador asks by oficio to complete; the dependencia corrects.
    step(coordinator, folio, "review")
    step(coordinator, folio, "request_completion", reason="Falta el número de factura correcto")
    assert state_of(demo, folio) == "needs_completion"
    page = requester.get(f"/chalco/solicitudes/{folio}").get_data(as_text=True)
    assert "Debe complementar los requisitos" in page
    corrected = {**SECOND_ASSET, "invoice_number": "F-2017-890"}
    resubmit(requester, folio, p11_form(ASSET, corrected))
    assert state_of(demo, folio) == "corrected"
    step(coordinator, folio, "review")
    step(coordinator, folio, "request_completion", reason="La fecha de movimiento no coincide")
    resubmit(requester, folio, p11_form(ASSET, {**corrected, "movement_date": "2017-06-16"}))
    ticket = ticket_of(demo, folio)
    assert ticket.state == "corrected"
    assert ticket.data["assets"][1]["invoice_number"] == "F-2017-890"
    assert ticket.data["assets"][1]["movement_date"] == "2017-06-16"

    # 5-6: turned to Gobierno Digital, which receives the oficio.
    step(
        coordinator,
        folio,
        "turn",
        department_id=department_id(demo, "DGD"),
        checklist=p11_checklist,
    )
    step(agent, folio, "start")
    assert state_of(demo, folio) == "in_progress"

    # 7: the inspection is agreed with the dependencia; DGD prints the inspection sheet.
    day = working_day(demo, after=2)
    step(
        agent,
        folio,
        "schedule_inspection",
        date=day.isoformat(),
        text="Almacén de la Dirección de la Mujer; enlace: Laura Méndez, ext. 114",
    )
    assert state_of(demo, folio) == "inspection_scheduled"
    sheet = flat(pdf_text(agent.get(documents_url(folio, "cedula-inspeccion"))))
    assert folio in sheet and "MXL1234ABC" in sheet and "VNB3K12345" in sheet
    assert requester.get(documents_url(folio, "cedula-inspeccion")).status_code == 404

    # 8: DGD records, asset by asset, what it found.
    page = agent.get(inspection_url(folio))
    assert page.status_code == 200
    assert "MXL1234ABC" in page.get_data(as_text=True)
    record(
        demo,
        agent,
        folio,
        {**FIT, "findings": "Tarjeta madre quemada"},
        {"present": "yes", "data_correct": "yes", "repair": "not_cost_effective"},
        observations="Se inspeccionaron en el almacén con el enlace.",
    )
    ticket = ticket_of(demo, folio)
    assert ticket.state == "inspected"
    results = ticket.data["inspection"]["assets"]
    assert [r["qualifies"] for r in results] == [True, True]
    # What the indicators add up (plugins/dictamenes/counts.py).
    assert ticket.data["inspection"]["tally"] == {
        "qualify": 2,
        "unfit": 0,
        "absent": 0,
        "wrong_data": 0,
        "repairable": 0,
    }
    assert results[0]["findings"] == "Tarjeta madre quemada"
    timeline = agent.get(f"{DESK}/{folio}").get_data(as_text=True)
    assert "serie MXL1234ABC): presente: sí; datos correctos: sí; reparación: No viable" in (
        timeline
    )
    assert "Elaborar oficio" not in timeline  # every asset qualifies: no oficio step

    # 10: DGD issues the dictamen and delivers it; 11: registers and concludes.
    step(
        agent,
        folio,
        "issue_dictamen",
        text="Equipos obsoletos: su reparación supera el valor de reposición.",
    )
    assert state_of(demo, folio) == "dictamen_issued"
    dictamen = flat(pdf_text(requester.get(documents_url(folio, "dictamen-baja"))))
    assert "Gobierno de Chalco" in dictamen
    assert "Dictamen técnico de baja de bienes informáticos" in dictamen
    assert folio in dictamen
    for value in ("MXL1234ABC", "VNB3K12345", "5151-00123", "INV-2017-0457", "F-2017-890"):
        assert value in dictamen
    assert "$14,500.00" in dictamen
    assert "No costeable" in dictamen and "No viable" in dictamen
    assert "SA/1234/2026" in dictamen
    assert requester.get(documents_url(folio, "oficio-razones")).status_code == 404
    step(agent, folio, "conclude", text="Dictamen entregado a la Dirección de la Mujer")
    ticket = ticket_of(demo, folio)
    assert ticket.state == "concluded"
    assert ticket.steps.count("request_completion") == 2
    assert ticket.steps.count("resubmit") == 2
    assert ticket.steps[-4:] == [
        "schedule_inspection",
        "record_inspection",
        "issue_dictamen",
        "conclude",
    ]


# -- 11.7: no dictamen when a condition fails; an oficio with the reasons instead --

CONDITIONS = {
    "absent": ({"present": "no"}, inspection.ABSENT),
    "wrong_data": ({**FIT, "data_correct": "no"}, inspection.WRONG_DATA),
    "repairable": ({**FIT, "repair": "viable"}, inspection.REPAIRABLE),
}


@pytest.mark.parametrize("condition", sorted(CONDITIONS))
def test_p11_a_failed_condition_gets_an_oficio_and_no_dictamen(
    demo, login_as, staff, p11_checklist, condition
):
    requester = login_as("requester")
    coordinator, agent = staff["coordinator"], staff["agent"]
    answer, reason = CONDITIONS[condition]
    folio = to_inspection(demo, requester, staff, p11_checklist, ASSET)
    record(demo, agent, folio, answer)
    assert ticket_of(demo, folio).data["inspection"]["assets"][0]["reasons"] == [reason]

    page = agent.get(f"{DESK}/{folio}").get_data(as_text=True)
    assert "Emitir el dictamen técnico de baja" not in page
    # Refused by its guard (the page lists only the steps it allows).
    # Refused steps the page does not offer come back to the page with the reason.
    step(agent, folio, "issue_dictamen", expect=302, text="Se emite")
    step(coordinator, folio, "decline_some_assets", expect=302, reason="x")
    assert state_of(demo, folio) == "inspected"

    # 9: the Coordinador's oficio with the reasons; no dictamen is issued.
    step(
        coordinator,
        folio,
        "decline_dictamen",
        reason="Se sugiere solicitar el mantenimiento correctivo del equipo.",
    )
    assert state_of(demo, folio) == "oficio_sent"
    oficio = flat(pdf_text(requester.get(documents_url(folio, "oficio-razones"))))
    assert folio in oficio and "Gobierno de Chalco" in oficio
    assert "MXL1234ABC" in oficio
    assert flat(reason) in oficio
    assert "mantenimiento correctivo" in oficio
    assert "Dirección de la Mujer" in oficio
    assert requester.get(documents_url(folio, "dictamen-baja")).status_code == 404
    step(agent, folio, "issue_dictamen", expect=302, text="Se emite")
    step(agent, folio, "conclude", text="Oficio entregado; sin dictamen")
    ticket = ticket_of(demo, folio)
    assert ticket.state == "concluded"
    assert "issue_dictamen" not in ticket.steps
    assert requester.get(documents_url(folio, "dictamen-baja")).status_code == 404


def test_p11_a_present_asset_answers_every_condition(demo, login_as, staff, p11_checklist):
    folio = to_inspection(demo, login_as("requester"), staff, p11_checklist, ASSET)
    agent = staff["agent"]
    agent.get(inspection_url(folio))
    response = agent.post(
        inspection_url(folio),
        answers({"present": "yes"}, inspected_on=chalco_today(demo)),
    )
    assert response.status_code == 400
    assert "el bien informático estuvo presente" in response.get_data(as_text=True)
    assert state_of(demo, folio) == "inspection_scheduled"


def test_p11_dictamen_lists_only_the_assets_that_qualify(demo, login_as, staff, p11_checklist):
    requester = login_as("requester")
    coordinator, agent = staff["coordinator"], staff["agent"]
    folio = to_inspection(demo, requester, staff, p11_checklist, ASSET, SECOND_ASSET)
    record(demo, agent, folio, FIT, {"present": "no", "findings": "No se localizó"})

    # The oficio for the asset that does not qualify goes first, then the dictamen.
    step(agent, folio, "issue_dictamen", expect=302, text="Se emite")
    step(coordinator, folio, "decline_dictamen", expect=302, reason="x")
    step(coordinator, folio, "decline_some_assets", reason="La impresora no se presentó.")
    assert state_of(demo, folio) == "partly_declined"
    step(agent, folio, "issue_dictamen", text="Equipo obsoleto")
    dictamen = flat(pdf_text(requester.get(documents_url(folio, "dictamen-baja"))))
    assert "MXL1234ABC" in dictamen and "VNB3K12345" not in dictamen
    assert "1 bien informático de la solicitud no se incluye" in dictamen
    oficio = flat(pdf_text(requester.get(documents_url(folio, "oficio-razones"))))
    assert "VNB3K12345" in oficio and "MXL1234ABC" not in oficio
    assert "No se localizó" in oficio
    step(agent, folio, "conclude", text="Registrado")
    assert state_of(demo, folio) == "concluded"


# -- The inspection page and its step ------------------------------------------


def test_p11_the_plain_step_form_points_to_the_inspection_page(
    demo, login_as, staff, p11_checklist
):
    folio = to_inspection(demo, login_as("requester"), staff, p11_checklist, ASSET)
    refused = step(staff["agent"], folio, "record_inspection", expect=400, text="Todo bien")
    assert inspection_url(folio) in refused.get_data(as_text=True)
    assert state_of(demo, folio) == "inspection_scheduled"


def test_hook_helpdesk_ticket_links(demo, login_as, staff, p11_checklist):
    """The desk's page offers the inspection page while the inspection is due, and only then."""
    requester = login_as("requester")
    folio = folio_from(file_p11(requester, demo, ASSET))
    label = "Registrar la inspección bien por bien"
    assert label not in staff["agent"].get(f"{DESK}/{folio}").get_data(as_text=True)
    folio = to_inspection(demo, requester, staff, p11_checklist, ASSET)
    page = staff["agent"].get(f"{DESK}/{folio}").get_data(as_text=True)
    assert label in page and f'href="{inspection_url(folio)}"' in page
    mine = requester.get(f"/chalco/solicitudes/{folio}").get_data(as_text=True)
    assert label not in mine


def test_p11_inspection_page_is_for_staff_at_the_right_moment(demo, login_as, staff, p11_checklist):
    requester = login_as("requester")
    folio = folio_from(file_p11(requester, demo, ASSET))
    assert requester.get(inspection_url(folio)).status_code == 404
    early = staff["agent"].get(inspection_url(folio))
    assert early.status_code == 302 and early.headers["Location"].endswith(f"{DESK}/{folio}")
    p10 = staff["agent"].get("/chalco/s/dictamenes/inspeccion/CHALCO-P10-2026-000001")
    assert p10.status_code == 404


def test_p11_inspection_can_be_recorded_again_before_the_decision(
    demo, login_as, staff, p11_checklist
):
    folio = to_inspection(demo, login_as("requester"), staff, p11_checklist, ASSET)
    agent = staff["agent"]
    record(demo, agent, folio, {"present": "no"})
    form = agent.get(inspection_url(folio)).get_data(as_text=True)
    assert re.search(r'<input checked id="assets-0-present-1"[^>]*value="no"', form)
    record(demo, agent, folio, FIT)
    assert ticket_of(demo, folio).data["inspection"]["assets"][0]["qualifies"] is True


def test_p11_inspection_date_is_a_future_working_day_and_can_change(
    demo, login_as, staff, p11_checklist
):
    requester = login_as("requester")
    coordinator, agent = staff["coordinator"], staff["agent"]
    folio = folio_from(file_p11(requester, demo, ASSET))
    step(coordinator, folio, "review")
    step(
        coordinator,
        folio,
        "turn",
        department_id=department_id(demo, "DGD"),
        checklist=p11_checklist,
    )
    step(agent, folio, "start")
    yesterday = chalco_today(demo) - timedelta(days=1)
    past = step(agent, folio, "schedule_inspection", expect=400, date=yesterday, text="x")
    assert inspection.PAST_DATE in past.get_data(as_text=True)
    day = working_day(demo)
    sunday = day + timedelta(days=6 - day.weekday())
    weekend = step(agent, folio, "schedule_inspection", expect=400, date=sunday, text="x")
    assert inspection.NON_WORKING_DAY in weekend.get_data(as_text=True)
    step(agent, folio, "schedule_inspection", date=day.isoformat(), text="Almacén")
    later = working_day(demo, after=3)
    step(
        agent,
        folio,
        "reschedule_inspection",
        date=later.isoformat(),
        reason="La dependencia pidió otra fecha",
    )
    ticket = ticket_of(demo, folio)
    assert ticket.state == "inspection_scheduled"
    assert ticket.steps[-1] == "reschedule_inspection"
    sheet = pdf_text(agent.get(documents_url(folio, "cedula-inspeccion")))
    months = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto"]
    months += ["septiembre", "octubre", "noviembre", "diciembre"]
    assert f"{later.day} de {months[later.month - 1]} de {later.year}" in flat(sheet)


def test_p11_clock_stops_while_the_inspection_waits_for_its_date(
    demo, login_as, staff, p11_checklist
):
    folio = to_inspection(demo, login_as("requester"), staff, p11_checklist, ASSET)
    with demo.app_context():
        ticket = db.session.get(Ticket, ticket_of(demo, folio).id)
        resolve = {c.target: c for c in sla.ticket_readings(ticket)}["resolve"]
        assert resolve.status == sla.PAUSED and resolve.due_at is None
    record(demo, staff["agent"], folio, FIT)
    with demo.app_context():
        ticket = db.session.get(Ticket, ticket_of(demo, folio).id)
        resolve = {c.target: c for c in sla.ticket_readings(ticket)}["resolve"]
        assert resolve.status != sla.PAUSED and resolve.due_at is not None


def test_p11_filing_needs_the_oficio_and_a_photo_per_asset(demo, login_as):
    requester = login_as("requester")
    without_oficio = file_p11(requester, demo, ASSET, SECOND_ASSET, oficio=False)
    assert without_oficio.status_code == 200
    assert "Adjunte el oficio de solicitud de baja" in without_oficio.get_data(as_text=True)
    without_photo = file_p11(requester, demo, ASSET, SECOND_ASSET, photos=1)
    assert "Adjunte una foto de cada bien informático" in without_photo.get_data(as_text=True)
    with demo.app_context():
        assert db.session.query(Ticket).count() == 0
