"""The support workflows: P10's verification and hand-off, P09's delivery, the CAU's
one technician per service."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from helpdesk.catalog import workflow_of
from helpdesk.extensions import db
from helpdesk.models import Ticket
from helpdesk.models import TicketLink
from helpdesk.models import User
from helpdesk.tenancy import scoped_to
from helpdesk.tickets import FilingError
from helpdesk.workflow.engine import TransitionError
from helpdesk.workflow.engine import apply
from plugins.soporte.workflows import access_delivered_first
from plugins.soporte.workflows import only_the_assignee

P10 = {
    "problem_description": "No enciende el conmutador",
    "requester_name": "Laura Méndez Ortiz",
    "equipment_location": "Dirección de la Mujer",
    "municipal_infrastructure": True,
}
COORD, AGENT, REQUESTER = (
    "coordinador@chalco.example",
    "tecnico@chalco.example",
    "solicitante@chalco.example",
)


@pytest.fixture
def move(demo):
    def _move(ticket_id, name, email, **kwargs):
        with demo.app_context():
            ticket = db.session.get(Ticket, ticket_id)
            with scoped_to(ticket.requester.tenant):
                actor = db.session.scalar(select(User).where(User.email == email))
                service = demo.extensions["helpdesk"].catalog.get(ticket.service_code)
                checklist = {item: True for item in service.checklist}
                fields = {"checklist": checklist, **kwargs.pop("fields", {})}
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


@pytest.fixture
def at_work(demo, make_ticket, move):
    ticket_id = make_ticket("GCH-CCS-P10", data=P10)
    with demo.app_context():
        dgd = db.session.get(Ticket, ticket_id).department_id
    move(ticket_id, "turn", COORD, fields={"department_id": dgd})
    move(ticket_id, "start", AGENT)
    return ticket_id


def test_solved_needs_the_requesters_verification_before_registering(at_work, move):
    assert move(at_work, "mark_solved", AGENT, fields={"text": "Se cambió la fuente"}) == "solved"
    with pytest.raises(TransitionError):
        move(at_work, "conclude", AGENT, fields={"text": "Registro"})
    assert move(at_work, "report_still_failing", REQUESTER, reason="Se volvió a apagar") == (
        "in_progress"
    )
    move(at_work, "mark_solved", AGENT, fields={"text": "Se cambió el cable"})
    assert move(at_work, "verify", REQUESTER) == "verified"
    assert move(at_work, "conclude", AGENT, fields={"text": "Formato completo"}) == "concluded"


def test_unsolved_fault_hands_off_an_internal_dictamen(demo, at_work, move):
    with pytest.raises(TransitionError, match="motivo"):
        move(at_work, "not_solved", AGENT)
    assert move(at_work, "not_solved", AGENT, reason="La tarjeta madre está dañada") == (
        "unresolved"
    )
    with demo.app_context():
        link = db.session.scalar(select(TicketLink))
        dictamen = link.target
        assert link.source_id == at_work
        assert dictamen.service_code == "GCH-CCS-P10-DTI"
        assert dictamen.folio.startswith("CHALCO-P10DTI-")
        assert dictamen.data["origin_folio"] == db.session.get(Ticket, at_work).folio
        dictamen_id = dictamen.id
    issued = move(
        dictamen_id, "issue_dictamen", AGENT, fields={"text": "Motivos y especificaciones"}
    )
    assert issued == "issued"


def test_the_internal_dictamen_is_not_offered_nor_filed_directly(demo, login_as, make_ticket):
    requester = login_as("requester")
    assert "GCH-CCS-P10-DTI" not in requester.get("/chalco/").get_data(as_text=True)
    assert requester.get("/chalco/servicios/GCH-CCS-P10-DTI/solicitar").status_code == 404
    coordinator = login_as("coordinator")
    assert coordinator.get("/chalco/mesa/nueva/GCH-CCS-P10-DTI").status_code == 404
    with pytest.raises(FilingError):
        make_ticket("GCH-CCS-P10-DTI")


@pytest.mark.parametrize(
    ("kind", "state", "refused"),
    [
        ("new_account", "in_progress", True),
        ("new_account", "access_delivered", False),
        ("fault", "in_progress", False),
        ("fault", "access_delivered", False),
    ],
)
def test_p09_a_new_account_is_concluded_after_the_written_delivery(kind, state, refused):
    ticket = SimpleNamespace(state=state, data={"request_kind": kind})
    assert (access_delivered_first(ticket, SimpleNamespace(id=1)) is not None) is refused


@pytest.mark.parametrize(
    ("assignee_id", "user_id", "message"),
    [
        (None, 7, "Canalice primero la solicitud a un técnico."),
        (8, 7, "Solo el técnico asignado atiende y concluye este servicio."),
        (7, 7, None),
    ],
)
def test_cau_one_technician_per_service(assignee_id, user_id, message):
    ticket = SimpleNamespace(assignee_id=assignee_id)
    assert only_the_assignee(ticket, SimpleNamespace(id=user_id)) == message
