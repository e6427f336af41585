"""GCH-CCS-P07 through the pages: creation to release, the test-period loop, the
written release approval, rejections, and the registry rule for modifications."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Ticket
from helpdesk.workflow import ClockKind
from plugins.portal.services import P07

from .helpers import events
from .helpers import file
from .helpers import folio_from
from .helpers import normal
from .helpers import ok
from .helpers import page_of
from .helpers import pdf_of
from .helpers import requester_step
from .helpers import staff_step
from .helpers import state
from .helpers import transitions

CODE = "GCH-CCS-P07"
LIAISON = {
    "liaison_name": "Laura Méndez Ortiz",
    "liaison_email": "solicitante@chalco.example",
    "liaison_phone": "55 5555 0101",
}
CREATION = {
    "request_kind": "creation",
    "system_name": "Sistema de control de oficios",
    "justification": "Los oficios se registran a mano en una hoja de cálculo.",
    "objective": "Reducir el tiempo de registro y seguimiento de los oficios.",
    **LIAISON,
}
DUE = date.today() + timedelta(days=45)


def modification(key: str, name: str = "Sistema de control de oficios") -> dict:
    return {
        **CREATION,
        "request_kind": "modification",
        "system_name": name,
        "justification": "Agregar el reporte mensual de oficios.",
        "system_registry_key": key,
    }


@pytest.fixture
def people(login_as):
    return {
        "requester": login_as("requester"),
        "coordinator": login_as("coordinator"),
        "agent": login_as("agent"),
    }


def to_testing(people, folio: str) -> None:
    """Filed → turned to DGD → accepted with its development time → built → trained."""
    coordinator, agent = people["coordinator"], people["agent"]
    ok(staff_step(coordinator, "chalco", folio, "review"))
    ok(staff_step(coordinator, "chalco", folio, "turn"))
    ok(staff_step(agent, "chalco", folio, "start"))
    ok(
        staff_step(
            agent,
            "chalco",
            folio,
            "accept",
            date=DUE.isoformat(),
            text="Viable: se desarrolla con el marco institucional.",
        )
    )
    ok(staff_step(agent, "chalco", folio, "finish_development", text="Versión 1 terminada"))
    ok(staff_step(agent, "chalco", folio, "train", text="Capacitación a 3 personas de la DM"))


def release(people, folio: str) -> None:
    """From the test period to the end: approval, turn, backup and release, conclusion."""
    ok(requester_step(people["requester"], "chalco", folio, "approve_release"))
    ok(staff_step(people["coordinator"], "chalco", folio, "turn_release"))
    ok(
        staff_step(
            people["agent"],
            "chalco",
            folio,
            "backup_release",
            text="Respaldo en el servidor de sistemas",
        )
    )
    ok(staff_step(people["agent"], "chalco", folio, "conclude", text="Registrado y concluido"))


def test_workflow_shape():
    workflow = P07.workflow
    assert workflow.state("testing").clock is ClockKind.WAITING_REQUESTER
    assert {t.name for t in workflow.available_from("testing")} == {
        "request_adjustments",
        "approve_release",
    }
    assert workflow.transition("request_adjustments").target == "in_development"
    assert set(workflow.transition("approve_release").actors) == {"requester", "liaison"}
    assert workflow.transition("turn_release").actors == ("coordinator",)
    assert workflow.transition("accept").requires == ("date", "text")
    assert workflow.transition("conclude").sources == ("released",)


def test_creation_from_request_to_release_with_two_rounds_of_adjustments(demo, people):
    requester, agent = people["requester"], people["agent"]
    folio = folio_from(file(requester, demo, "chalco", CODE, CREATION))
    to_testing(people, folio)
    assert state(demo, folio) == "testing"
    page, _ = page_of(requester, f"/chalco/solicitudes/{folio}")
    assert "/pasos/approve_release" in page and "/pasos/request_adjustments" in page
    # The document exists only once the requester approves.
    url = f"/chalco/solicitudes/{folio}/documentos/aprobacion-liberacion.pdf"
    assert requester.get(url).status_code == 404

    # Round 1: adjustments delivered straight back to testing (training already given).
    assert requester_step(requester, "chalco", folio, "request_adjustments").status_code == 400
    ok(requester_step(requester, "chalco", folio, "request_adjustments", reason="Falta el folio"))
    assert state(demo, folio) == "in_development"
    ok(staff_step(agent, "chalco", folio, "deliver_adjustments", text="Folio agregado"))
    assert state(demo, folio) == "testing"
    # Round 2: a bigger change, with training again.
    ok(
        requester_step(
            requester, "chalco", folio, "request_adjustments", reason="El reporte no imprime"
        )
    )
    ok(staff_step(agent, "chalco", folio, "finish_development", text="Reporte corregido"))
    ok(staff_step(agent, "chalco", folio, "train", text="Capacitación sobre el reporte"))
    assert state(demo, folio) == "testing"

    ok(requester_step(requester, "chalco", folio, "approve_release"))
    assert state(demo, folio) == "release_approved"
    text = normal(pdf_of(requester, "chalco", folio, "aprobacion-liberacion"))
    assert folio in text
    assert "Aprobación de liberación por escrito" in text
    assert "Sistema de control de oficios" in text
    assert f"{DUE.day} de" in text and str(DUE.year) in text
    assert "Falta el folio" in text and "El reporte no imprime" in text
    assert "Autoriza la liberación" in text and "Nombre, cargo y firma" in text
    assert "Laura Méndez Ortiz" in text

    coordinator = people["coordinator"]
    # Only the coordinator passes the approval to DGD.
    assert staff_step(agent, "chalco", folio, "turn_release").status_code == 302
    ok(staff_step(coordinator, "chalco", folio, "turn_release"))
    ok(staff_step(agent, "chalco", folio, "backup_release", text="Respaldo en el servidor"))
    assert state(demo, folio) == "released"
    ok(staff_step(agent, "chalco", folio, "conclude", text="Registrado y concluido"))
    assert state(demo, folio) == "concluded"

    log = events(demo, folio)
    accept = next(e for e in log if e.transition == "accept")
    assert accept.changes["date"] == DUE.isoformat()
    names = [e.transition for e in log]
    assert names.count("request_adjustments") == 2 and names.count("train") == 2
    assert names[-4:] == ["approve_release", "turn_release", "backup_release", "conclude"]
    # The released system is now in the registry, under its creation folio.
    registry = requester.get("/chalco/s/portal/sistemas").get_data(as_text=True)
    assert folio in registry and "Sistema de control de oficios" in registry


def test_the_approval_is_the_requesters_step(demo, people):
    folio = folio_from(file(people["requester"], demo, "chalco", CODE, CREATION))
    to_testing(people, folio)
    page, _ = page_of(people["agent"], f"/chalco/mesa/solicitudes/{folio}")
    assert "/pasos/approve_release" not in page
    refused = staff_step(people["coordinator"], "chalco", folio, "approve_release")
    # Not offered on the page: the reason comes back on the ticket's page.
    assert refused.status_code == 302
    assert state(demo, folio) == "testing"


def test_accept_needs_a_development_date_not_past(demo, people):
    folio = folio_from(file(people["requester"], demo, "chalco", CODE, CREATION))
    agent = people["agent"]
    ok(staff_step(people["coordinator"], "chalco", folio, "turn"))
    ok(staff_step(agent, "chalco", folio, "start"))
    no_date = staff_step(agent, "chalco", folio, "accept", text="Viable")
    assert no_date.status_code == 400
    # Yesterday in Chalco: from midnight UTC to 6:00 the machine's yesterday is Chalco's today.
    chalco_today = datetime.now(ZoneInfo("America/Mexico_City")).date()
    past = (chalco_today - timedelta(days=1)).isoformat()
    late = staff_step(agent, "chalco", folio, "accept", date=past, text="Viable")
    assert late.status_code == 400
    assert "no puede ser anterior a hoy" in late.get_data(as_text=True)
    assert state(demo, folio) == "in_progress"


def test_adjustments_need_training_first(demo, people):
    folio = folio_from(file(people["requester"], demo, "chalco", CODE, CREATION))
    agent = people["agent"]
    ok(staff_step(people["coordinator"], "chalco", folio, "turn"))
    ok(staff_step(agent, "chalco", folio, "start"))
    ok(staff_step(agent, "chalco", folio, "accept", date=DUE.isoformat(), text="Viable"))
    page, _ = page_of(agent, f"/chalco/mesa/solicitudes/{folio}")
    assert "/pasos/deliver_adjustments" not in page
    refused = staff_step(agent, "chalco", folio, "deliver_adjustments", text="Listo")
    assert refused.status_code == 302
    assert state(demo, folio) == "in_development"


# -- Rejections ------------------------------------------------------------------


def test_coordinator_rejects_with_a_reason(demo, people):
    folio = folio_from(file(people["requester"], demo, "chalco", CODE, CREATION))
    coordinator = people["coordinator"]
    assert staff_step(coordinator, "chalco", folio, "reject").status_code == 400
    ok(staff_step(coordinator, "chalco", folio, "reject", reason="No es un sistema municipal"))
    assert state(demo, folio) == "rejected"
    page = people["requester"].get(f"/chalco/solicitudes/{folio}").get_data(as_text=True)
    assert "No es un sistema municipal" in page


def test_incomplete_request_is_completed_and_turned(demo, people):
    requester, coordinator = people["requester"], people["coordinator"]
    folio = folio_from(file(requester, demo, "chalco", CODE, CREATION))
    ok(staff_step(coordinator, "chalco", folio, "request_completion", reason="Precise el objetivo"))
    assert state(demo, folio) == "needs_completion"
    url = f"/chalco/solicitudes/{folio}/corregir"
    requester.get(url)
    sent = requester.post(
        url,
        {
            **CREATION,
            "objective": "Registrar y dar seguimiento a los oficios en un día",
            "version": "2",
        },
        content_type="multipart/form-data",
    )
    ok(sent)
    assert state(demo, folio) == "corrected"
    ok(staff_step(coordinator, "chalco", folio, "turn"))
    assert state(demo, folio) == "turned"


def test_dgd_rejects_what_is_not_technically_viable(demo, people):
    folio = folio_from(file(people["requester"], demo, "chalco", CODE, CREATION))
    agent = people["agent"]
    ok(staff_step(people["coordinator"], "chalco", folio, "turn"))
    ok(staff_step(agent, "chalco", folio, "start"))
    assert staff_step(agent, "chalco", folio, "not_viable").status_code == 400
    ok(staff_step(agent, "chalco", folio, "not_viable", reason="Requiere hardware inexistente"))
    assert state(demo, folio) == "rejected"
    assert transitions(demo, folio)[-1] == "not_viable"


def test_requester_withdraws_before_the_work_starts(demo, people):
    requester = people["requester"]
    folio = folio_from(file(requester, demo, "chalco", CODE, CREATION))
    ok(requester_step(requester, "chalco", folio, "withdraw", reason="Ya no se necesita"))
    assert state(demo, folio) == "withdrawn"


# -- The registry of systems (policy 7.7) ----------------------------------------


@pytest.fixture
def released(demo, people):
    folio = folio_from(file(people["requester"], demo, "chalco", CODE, CREATION))
    to_testing(people, folio)
    release(people, folio)
    return folio


def test_modification_of_a_system_not_in_the_registry_is_refused(demo, people):
    requester = people["requester"]
    # A creation still in development is not in the registry yet.
    pending = folio_from(file(requester, demo, "chalco", CODE, CREATION))
    for key in ("SIS-014", pending):
        response = file(requester, demo, "chalco", CODE, modification(key))
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert "no está en el registro de sistemas informáticos" in page
    assert transitions(demo, pending) == ["file"]
    with demo.app_context():
        filed = db.session.scalars(select(Ticket.folio).where(Ticket.service_code == CODE))
        assert list(filed) == [pending]


def test_modification_of_a_registered_system_follows_the_same_path(demo, people, released):
    requester = people["requester"]
    # The key is matched without regard to case or surrounding spaces.
    folio = folio_from(
        file(requester, demo, "chalco", CODE, modification(f"  {released.lower()} "))
    )
    to_testing(people, folio)
    release(people, folio)
    assert state(demo, folio) == "concluded"
    registry = people["coordinator"].get("/chalco/s/portal/sistemas").get_data(as_text=True)
    assert released in registry and folio in registry and "liberada el" in registry
    # Only the creation is a system of its own.
    assert registry.count("Sistema de control de oficios") == 1


def test_a_name_that_differs_from_the_registry_is_only_a_warning(demo, people, released):
    response = file(
        people["requester"], demo, "chalco", CODE, modification(released, name="Oficios 2")
    )
    folio = folio_from(response)
    assert state(demo, folio) == "received"


def test_the_registry_page(demo, login_as, released):
    staff = login_as("coordinator").get("/chalco/s/portal/sistemas").get_data(as_text=True)
    assert f"/chalco/mesa/solicitudes/{released}" in staff
    requester = login_as("requester").get("/chalco/s/portal/sistemas").get_data(as_text=True)
    assert released in requester and "/mesa/" not in requester.split("<main>")[-1]
    # Sinaloa neither offers P07 nor has any of its requests.
    assert (
        login_as("coordinator", tenant="sinaloa").get("/sinaloa/s/portal/sistemas").status_code
        == 404
    )
    # Another tenant's users never see Chalco's registry.
    assert (
        login_as("requester", tenant="sinaloa").get("/chalco/s/portal/sistemas").status_code == 404
    )


def test_the_registry_page_needs_a_signed_in_member(demo, client):
    response = client.get("/chalco/s/portal/sistemas")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
