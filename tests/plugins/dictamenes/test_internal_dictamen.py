"""GCH-CCS-P10-DTI: the dictamen técnico interno an unsolved support request hands off,
addressed to the head of the dependencia with the technical reasons and the
specifications of the solution (manual, P10 activity 8 and policy 10.7)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import TicketLink

from .conftest import department_id
from .conftest import flat
from .conftest import folio_from
from .conftest import pdf_text
from .conftest import state_of
from .conftest import step
from .conftest import ticket_of

P10_URL = "/chalco/servicios/GCH-CCS-P10/solicitar"
P10_REQUEST = {
    "problem_description": "El conmutador de la oficina no enciende",
    "requester_name": "Laura Méndez Ortiz",
    "equipment_location": "Oficina de la Dirección de la Mujer, planta baja",
    "inventory_number": "INV-2019-0077",
    "municipal_infrastructure": "y",
}
UNSOLVED_REASON = "La fuente de poder del conmutador está dañada y no hay reemplazo"


def document(folio):
    return f"/chalco/solicitudes/{folio}/documentos/dictamen-tecnico-interno.pdf"


@pytest.fixture
def handed_off(demo, login_as):
    """A P10 request filed and left unsolved through the pages: (requester, agent, P10, DTI)."""
    from .conftest import unit_id

    requester = login_as("requester")
    coordinator = login_as("coordinator")
    agent = login_as("agent")
    requester.get(P10_URL)
    data = {**P10_REQUEST, "unit_id": unit_id(demo, "Dirección de la Mujer")}
    p10 = folio_from(requester.post(P10_URL, data, content_type="multipart/form-data"))
    checklist = list(demo.extensions["helpdesk"].catalog.get("GCH-CCS-P10").checklist)
    step(coordinator, p10, "turn", department_id=department_id(demo, "DGD"), checklist=checklist)
    step(agent, p10, "start")
    step(agent, p10, "not_solved", reason=UNSOLVED_REASON)
    assert state_of(demo, p10) == "unresolved"
    with demo.app_context():
        dti = db.session.scalar(select(TicketLink)).target.folio
    assert dti.startswith("CHALCO-P10DTI-")
    return requester, agent, p10, dti


def test_internal_dictamen_with_reasons_and_specifications(demo, handed_off):
    requester, agent, p10, dti = handed_off
    assert requester.get(document(dti)).status_code == 404  # not issued yet
    page = agent.get(f"/chalco/mesa/solicitudes/{dti}").get_data(as_text=True)
    assert "Registrar los motivos técnicos de la falla encontrada" in page

    step(
        agent,
        dti,
        "record_reasons",
        text="Fuente de poder de 48 V quemada por una descarga; el equipo queda sin energía.",
    )
    assert state_of(demo, dti) == "reasons_recorded"
    step(
        agent,
        dti,
        "issue_dictamen",
        text="Adquirir una fuente de poder de 48 V, 150 W, compatible con el conmutador.",
    )
    ticket = ticket_of(demo, dti)
    assert ticket.state == "issued"
    assert ticket.closed_at is not None

    text = flat(pdf_text(requester.get(document(dti))))
    assert "Gobierno de Chalco" in text and "Dictamen técnico interno" in text
    assert dti in text and p10 in text
    assert "Dirección de la Mujer A la o el Titular Presente" in text
    assert "Fuente de poder de 48 V quemada por una descarga" in text
    assert "Adquirir una fuente de poder de 48 V, 150 W" in text
    assert "El conmutador de la oficina no enciende" in text
    assert "INV-2019-0077" in text
    assert "Miguel Ángel Torres Ruiz" in text  # who issued it


def test_internal_dictamen_takes_the_reasons_given_at_the_hand_off(demo, handed_off):
    requester, agent, _p10, dti = handed_off
    step(agent, dti, "issue_dictamen", text="Adquirir una fuente de poder nueva.")
    text = flat(pdf_text(requester.get(document(dti))))
    assert UNSOLVED_REASON in text
    assert "Adquirir una fuente de poder nueva." in text
    content = ticket_of(demo, dti).data["internal_dictamen"]
    assert content == {
        "technical_reasons": UNSOLVED_REASON,
        "solution_specifications": "Adquirir una fuente de poder nueva.",
    }


def test_internal_dictamen_needs_its_specifications(demo, handed_off):
    _requester, agent, _p10, dti = handed_off
    step(agent, dti, "issue_dictamen", expect=400, text="  ")
    assert state_of(demo, dti) == "received"
