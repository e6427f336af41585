"""GCH-CCS-P08 through the pages: the 72-hour rule, DGD's layout and publication, the
rejections, and P02's web part arriving by hand-off."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Ticket
from helpdesk.models import TicketLink
from plugins.portal.services import P08

from .helpers import department
from .helpers import file
from .helpers import folio_from
from .helpers import ok
from .helpers import page_of
from .helpers import staff_step
from .helpers import state
from .helpers import transitions

CODE = "GCH-CCS-P08"
PUBLICATION = {
    "site": "dif",
    "section": "Noticias",
    "content": "Jornada de vacunación en el DIF Chalco.",
    # Well beyond the 72 hours whenever the suite runs.
    "publication_date": (date.today() + timedelta(days=20)).isoformat(),
}
P02_DATA = {
    "information": "Jornada de vacunación en el centro de Chalco",
    "participants": "DIF municipal",
    "topic": "Salud",
    "publication_start": (date.today() + timedelta(days=30)).isoformat(),
    "publication_end": (date.today() + timedelta(days=34)).isoformat(),
    "place": "Plaza principal",
    "relevance": "Alta",
    "networks": ["facebook", "sitio_web"],
}


@pytest.fixture
def people(login_as):
    return {
        "requester": login_as("requester"),
        "coordinator": login_as("coordinator"),
        "agent": login_as("agent"),
    }


def publish(app, people, folio: str) -> None:
    """DGD's part (activities 6-8): receive, decide the layout, publish, register and conclude."""
    agent = people["agent"]
    ok(staff_step(agent, "chalco", folio, "start"))
    ok(
        staff_step(
            agent, "chalco", folio, "define_layout", text="Nota con galería de 3 fotografías"
        )
    )
    assert state(app, folio) == "layout_defined"
    ok(
        staff_step(
            agent,
            "chalco",
            folio,
            "publish",
            text="Publicada en https://dif.chalco.gob.mx/noticias/vacunacion",
        )
    )
    assert state(app, folio) == "published"
    ok(staff_step(agent, "chalco", folio, "conclude", text="Registrada en la bitácora web"))
    assert state(app, folio) == "concluded"


def test_workflow_shape():
    workflow = P08.workflow
    assert [t.name for t in workflow.available_from("in_progress") if t.target != "*"] == [
        "define_layout"
    ]
    assert workflow.transition("publish").sources == ("layout_defined",)
    assert workflow.transition("conclude").sources == ("published",)
    assert P08.lead_time.amount == 72 and P08.lead_time.field == "publication_date"


def test_publication_from_request_to_conclusion(demo, people):
    folio = folio_from(file(people["requester"], demo, "chalco", CODE, PUBLICATION))
    coordinator = people["coordinator"]
    ok(staff_step(coordinator, "chalco", folio, "review"))
    ok(
        staff_step(
            coordinator, "chalco", folio, "turn", department_id=department(demo, "chalco", "DGD")
        )
    )
    publish(demo, people, folio)
    assert transitions(demo, folio) == [
        "file",
        "review",
        "turn",
        "start",
        "define_layout",
        "publish",
        "conclude",
    ]
    page = people["requester"].get(f"/chalco/solicitudes/{folio}").get_data(as_text=True)
    assert "https://dif.chalco.gob.mx/noticias/vacunacion" in page


def test_less_than_72_hours_ahead_is_refused(demo, people):
    soon = {**PUBLICATION, "publication_date": (date.today() + timedelta(days=1)).isoformat()}
    response = file(people["requester"], demo, "chalco", CODE, soon)
    assert response.status_code == 200
    assert "72 horas" in response.get_data(as_text=True)
    with demo.app_context():
        assert db.session.scalars(select(Ticket).where(Ticket.service_code == CODE)).all() == []


def test_coordinator_rejects_with_a_reason(demo, people):
    folio = folio_from(file(people["requester"], demo, "chalco", CODE, PUBLICATION))
    ok(staff_step(people["coordinator"], "chalco", folio, "reject", reason="Información ajena"))
    assert state(demo, folio) == "rejected"


def test_incomplete_request_is_completed_then_published(demo, people):
    requester, coordinator = people["requester"], people["coordinator"]
    folio = folio_from(file(requester, demo, "chalco", CODE, PUBLICATION))
    ok(
        staff_step(
            coordinator,
            "chalco",
            folio,
            "request_completion",
            reason="El apartado «Noticias» no existe en el sitio del DIF",
        )
    )
    url = f"/chalco/solicitudes/{folio}/corregir"
    requester.get(url)
    ok(
        requester.post(
            url,
            {**PUBLICATION, "section": "Comunicados", "version": "2"},
            content_type="multipart/form-data",
        )
    )
    ok(staff_step(coordinator, "chalco", folio, "turn"))
    publish(demo, people, folio)


def test_the_web_part_of_p02_arrives_by_hand_off_and_is_published(demo, people, make_ticket):
    with demo.app_context():
        source = db.session.get(Ticket, make_ticket("GCH-CCS-P02", data=P02_DATA)).folio
    coordinator = people["coordinator"]
    ok(
        staff_step(
            coordinator, "chalco", source, "turn", department_id=department(demo, "chalco", "DCII")
        )
    )
    ok(staff_step(coordinator, "chalco", source, "start"))
    ok(staff_step(coordinator, "chalco", source, "publish_and_hand_off_web", text="Texto aprobado"))
    with demo.app_context():
        link = db.session.scalar(select(TicketLink))
        target = link.target
        assert target.service_code == CODE and target.data["origin_folio"] == source
        assert target.department.code == "DGD"
        folio = target.folio
    text, _ = page_of(coordinator, f"/chalco/mesa/solicitudes/{folio}")
    assert source in text and "/pasos/turn" in text
    ok(staff_step(coordinator, "chalco", folio, "turn"))
    publish(demo, people, folio)
    assert state(demo, source) == "concluded"
