"""GCH-CCS-P10 through the pages: DGD's requirements loop, the visit, the verification,
the printable support form, and the hand-off of an unsolved fault."""

import io

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Ticket
from helpdesk.models import TicketLink
from plugins.soporte.forms import MUNICIPAL_ONLY
from plugins.soporte.services import P10

from .conftest import pdf_text

CODE = "GCH-CCS-P10"
FORM = "formato-servicio"


def p10_form(office, **changes):
    data = {
        "unit_id": office.unit("Dirección de la Mujer"),
        "problem_description": "La computadora de la recepción no enciende.",
        "requester_name": "Laura Méndez Ortiz",
        "equipment_location": "Palacio Municipal, planta baja, recepción de la Dirección",
        "inventory_number": "INV-2022-0815",
        "municipal_infrastructure": "y",
    }
    data.update(changes)
    return data


def turn_to_dgd(office, coordinator, folio):
    return office.ok(
        coordinator,
        folio,
        "turn",
        department_id=office.department("DGD"),
        checklist=list(P10.checklist),
    )


@pytest.fixture
def people(login_as):
    return login_as("requester"), login_as("coordinator"), login_as("agent")


def test_solved_fault_from_request_to_registered_service(chalco, people):
    requester, coordinator, agent = people
    folio = chalco.file(requester, CODE, p10_form(chalco, inventory_number=""))

    # 2: the Coordinador turns it; 3-5, twice: DGD asks to complete, the requester
    # corrects and informs the Coordinación, which turns it again.
    assert turn_to_dgd(chalco, coordinator, folio) == "turned"
    for inventory in ("INV-2022-08", "INV-2022-0815"):
        assert chalco.step(agent, folio, "department_requests_completion").status_code == 400
        reason = "Indique el número de inventario que aparece en la etiqueta del equipo."
        assert chalco.ok(agent, folio, "department_requests_completion", reason=reason) == (
            "needs_completion"
        )
        assert reason in chalco.page(requester, folio, staff=False)
        corrected = p10_form(chalco, inventory_number=inventory)
        assert chalco.correct(requester, folio, corrected) == "corrected"
        assert turn_to_dgd(chalco, coordinator, folio) == "turned"
    assert chalco.ticket(folio).data["inventory_number"] == "INV-2022-0815"

    # The support form exists from the moment DGD gives the folio and goes on site.
    assert chalco.document(requester, folio, FORM).status_code == 404
    assert chalco.ok(agent, folio, "start") == "in_progress"
    agent_id = chalco.user("tecnico@chalco.example")
    assert chalco.ok(agent, folio, "assign", assignee_id=agent_id) == "in_progress"
    blank = chalco.document(requester, folio, FORM)
    assert blank.status_code == 200 and blank.mimetype == "application/pdf"
    text = pdf_text(blank.data)
    for expected in (
        "Formato de servicio de soporte técnico",
        folio,
        "Laura Méndez Ortiz",
        "Dirección de la Mujer",
        "INV-2022-0815",
        "La computadora de la recepción no enciende.",
        "Miguel Ángel Torres Ruiz",
        "Sello de la Dependencia Administrativa u Organismo Descentralizado",
        "Nombre y firma del personal de soporte técnico",
    ):
        assert expected in text, expected
    assert "□ Solucionada" in text

    # 7 and 9, twice: solved, but the fault persists when the requester checks.
    for attempt in ("Se reasentó la memoria RAM.", "Se reemplazó el cable de corriente."):
        assert chalco.step(agent, folio, "mark_solved").status_code == 400
        assert chalco.ok(agent, folio, "mark_solved", text=attempt) == "solved"
        assert "/pasos/verify" in chalco.page(requester, folio, staff=False)
        still = chalco.step(
            requester, folio, "report_still_failing", staff=False, reason="Se volvió a apagar."
        )
        assert still.status_code == 302
        assert chalco.state(folio) == "in_progress"
    assert chalco.ok(agent, folio, "mark_solved", text="Se sustituyó la fuente de poder.") == (
        "solved"
    )
    # 9: the requester verifies the solution (and signs and stamps the paper form).
    verified = chalco.step(requester, folio, "verify", staff=False)
    assert verified.status_code == 302
    assert chalco.state(folio) == "verified"

    signed = chalco.document(agent, folio, FORM)
    text = pdf_text(signed.data)
    assert "Se sustituyó la fuente de poder." in text
    assert "Se reasentó la memoria RAM." not in text  # only the last diagnosis
    assert text.count("Se volvió a apagar.") == 2
    assert "Solucionada y verificada por el solicitante" in text

    # 10: DGD keeps the signed and stamped form and registers the service.
    assert chalco.step(agent, folio, "attach_signed_form").status_code == 400
    scan = (io.BytesIO(signed.data), "formato-firmado-y-sellado.pdf")
    assert chalco.ok(agent, folio, "attach_signed_form", attachments=[scan]) == "verified"
    assert "formato-firmado-y-sellado.pdf" in chalco.page(requester, folio, staff=False)
    assert chalco.ok(agent, folio, "conclude", text="Servicio registrado en la bitácora") == (
        "concluded"
    )
    text = pdf_text(chalco.document(requester, folio, FORM).data)
    assert "Servicio registrado en la bitácora" in text
    assert chalco.transitions(folio) == [
        "file",
        "turn",
        "department_requests_completion",
        "resubmit",
        "turn",
        "department_requests_completion",
        "resubmit",
        "turn",
        "start",
        "assign",
        "mark_solved",
        "report_still_failing",
        "mark_solved",
        "report_still_failing",
        "mark_solved",
        "verify",
        "attach_signed_form",
        "conclude",
    ]


def test_unsolved_fault_hands_off_the_internal_dictamen(chalco, people, demo):
    requester, coordinator, agent = people
    folio = chalco.file(requester, CODE, p10_form(chalco))
    # The Coordinación's own request to complete, twice, before turning.
    for round_ in (1, 2):
        assert chalco.ok(coordinator, folio, "review") == "in_review"
        reason = f"Indique el área exacta ({round_})."
        assert chalco.ok(coordinator, folio, "request_completion", reason=reason) == (
            "needs_completion"
        )
        location = f"Palacio Municipal, planta baja, oficina {round_}"
        assert chalco.correct(requester, folio, p10_form(chalco, equipment_location=location)) == (
            "corrected"
        )
    assert turn_to_dgd(chalco, coordinator, folio) == "turned"
    assert chalco.ok(agent, folio, "start") == "in_progress"

    # 8: not solved: a dictamen técnico interno goes to the head; P10 ends here.
    assert chalco.step(agent, folio, "not_solved").status_code == 400
    reason = "La tarjeta madre está dañada; se requiere adquirir un equipo nuevo."
    assert chalco.ok(agent, folio, "not_solved", reason=reason) == "unresolved"
    with demo.app_context():
        link = db.session.scalar(select(TicketLink).execution_options(all_tenants=True))
        source = db.session.get(Ticket, link.source_id)
        dictamen = db.session.get(Ticket, link.target_id)
        assert source.folio == folio
        assert dictamen.service_code == "GCH-CCS-P10-DTI"
        assert dictamen.data["origin_folio"] == folio
        assert dictamen.data["problem_description"] == p10_form(chalco)["problem_description"]
        dictamen_folio = dictamen.folio
    page = chalco.page(requester, folio, staff=False)
    assert "Sin solución" in page and dictamen_folio in page
    assert dictamen_folio in chalco.page(agent, folio)

    text = pdf_text(chalco.document(agent, folio, FORM).data)
    assert reason in text
    assert "se emite dictamen técnico interno" in text and dictamen_folio in text
    assert "Palacio Municipal, planta baja, oficina 2" in text
    assert "/pasos/" not in chalco.page(agent, folio)


def test_the_coordinator_rejects_with_a_written_reason(chalco, people):
    requester, coordinator, _agent = people
    folio = chalco.file(requester, CODE, p10_form(chalco))
    assert chalco.step(coordinator, folio, "reject").status_code == 400
    assert chalco.ok(coordinator, folio, "reject", reason="Solicitud duplicada.") == "rejected"
    assert "Solicitud duplicada." in chalco.page(requester, folio, staff=False)


@pytest.mark.parametrize("on_site", [False, True], ids=["at_review", "on_site"])
def test_dgd_refuses_what_is_not_municipal_infrastructure(chalco, people, on_site):
    requester, coordinator, agent = people
    folio = chalco.file(requester, CODE, p10_form(chalco))
    turn_to_dgd(chalco, coordinator, folio)
    if on_site:
        chalco.ok(agent, folio, "start")
    assert chalco.step(agent, folio, "department_rejects").status_code == 400
    reason = "El equipo es propiedad personal de la servidora pública."
    assert chalco.ok(agent, folio, "department_rejects", reason=reason) == "rejected"
    assert reason in chalco.page(requester, folio, staff=False)
    if on_site:
        assert "No procede: " + reason in pdf_text(chalco.document(agent, folio, FORM).data)


def test_the_requester_withdraws_instead_of_completing(chalco, people):
    requester, coordinator, agent = people
    folio = chalco.file(requester, CODE, p10_form(chalco))
    turn_to_dgd(chalco, coordinator, folio)
    chalco.ok(agent, folio, "department_requests_completion", reason="Falta el inventario.")
    withdrawn = chalco.step(requester, folio, "withdraw", staff=False, reason="Ya funciona")
    assert withdrawn.status_code == 302
    assert chalco.state(folio) == "withdrawn"


def test_the_portal_refuses_other_infrastructure(chalco, login_as):
    requester = login_as("requester")
    url = f"/chalco/servicios/{CODE}/solicitar"
    requester.get(url)
    data = p10_form(chalco)
    del data["municipal_infrastructure"]
    response = requester.post(url, data)
    assert response.status_code == 200
    assert MUNICIPAL_ONLY in response.get_data(as_text=True)


def test_the_internal_dictamen_carries_the_reasons_given_on_site(chalco, people, demo):
    """P10 → GCH-CCS-P10-DTI (plugins/dictamenes): the reason DGD wrote when the
    fault was not solved reaches the dictamen addressed to the head."""
    requester, coordinator, agent = people
    folio = chalco.file(requester, CODE, p10_form(chalco))
    turn_to_dgd(chalco, coordinator, folio)
    chalco.ok(agent, folio, "start")
    reason = "La fuente de poder no tiene reparación; se requiere adquirir una de 500 W."
    chalco.ok(agent, folio, "not_solved", reason=reason)
    with demo.app_context():
        link = db.session.scalar(select(TicketLink).execution_options(all_tenants=True))
        dictamen = db.session.get(Ticket, link.target_id).folio
    specs = "Fuente ATX de 500 W, certificación 80 Plus."
    assert chalco.ok(agent, dictamen, "issue_dictamen", text=specs) == "issued"
    response = chalco.document(agent, dictamen, "dictamen-tecnico-interno")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert dictamen in text and reason in text and specs in text
