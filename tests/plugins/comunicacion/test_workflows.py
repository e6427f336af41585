"""The proposal loop of P04-P06 and P02's hand-off rule, through the pages."""

import io
import re
from datetime import date
from datetime import timedelta

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Attachment
from helpdesk.models import Ticket
from helpdesk.models import TicketEvent

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
P04 = {
    "justification": "Difundir la campaña de salud",
    "file_format": ".pdf",
    "medium": "digital",
    "platform": "Facebook",
    "content_text": "Vacúnate",
    # Far enough ahead for the 7-business-day lead time whenever the suite runs.
    "required_date": (date.today() + timedelta(days=60)).isoformat(),
}
LIAISON = {"name": "Laura Méndez", "email": "solicitante@chalco.example", "phone": "5555"}


def page_of(browser, url):
    text = browser.get(url).get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', text)
    return text, version.group(1) if version else None


def staff_step(browser, folio, name, **data):
    text, version = page_of(browser, f"/chalco/mesa/solicitudes/{folio}")
    if name == "turn":
        data["checklist"] = re.findall(r'name="checklist" type="checkbox" value="([^"]+)"', text)
    return browser.post(
        f"/chalco/mesa/solicitudes/{folio}/pasos/{name}",
        {"version": version, **data},
        content_type="multipart/form-data",
    )


def requester_step(browser, folio, name, **data):
    _, version = page_of(browser, f"/chalco/solicitudes/{folio}")
    return browser.post(f"/chalco/solicitudes/{folio}/pasos/{name}", {"version": version, **data})


def state(app, folio):
    with app.app_context():
        return db.session.scalar(select(Ticket.state).where(Ticket.folio == folio))


@pytest.mark.parametrize("code", ["GCH-CCS-P04", "GCH-CCS-P05", "GCH-CCS-P06"])
def test_material_services_share_the_proposal_loop(app, code):
    workflow = app.extensions["helpdesk"].catalog.get(code).workflow
    assert workflow.state("proposal_sent").clock.value == "waiting_requester"
    assert {t.name for t in workflow.available_from("proposal_sent")} == {
        "approve",
        "request_changes",
    }
    assert workflow.transition("conclude").sources == ("approved",)
    assert workflow.transition("request_changes").needs_reason


def test_proposal_loop_repeats_until_approved(demo, login_as, make_ticket):
    ticket_id = make_ticket("GCH-CCS-P04", data=P04, liaison=LIAISON)
    with demo.app_context():
        folio = db.session.get(Ticket, ticket_id).folio
    coordinator, agent = login_as("coordinator"), login_as("agent")
    requester = login_as("requester")
    from helpdesk.models import Department

    with demo.app_context():
        dcii = db.session.scalar(select(Department.id).where(Department.code == "DCII"))
        from helpdesk.models import User

        designer = db.session.scalar(select(User).where(User.email == "tecnico@chalco.example"))
        designer.department_id = dcii  # the demo technician works in DGD; lend them to DCII
        db.session.commit()
    assert staff_step(coordinator, folio, "turn", department_id=str(dcii)).status_code == 302
    assert staff_step(agent, folio, "start").status_code == 302
    without_file = staff_step(agent, folio, "send_proposal")
    assert without_file.status_code == 400
    assert state(demo, folio) == "in_progress"
    for round_number in (1, 2):
        sent = staff_step(
            agent,
            folio,
            "send_proposal",
            attachments=[(io.BytesIO(PDF), f"propuesta-{round_number}.pdf")],
        )
        assert sent.status_code == 302
        assert state(demo, folio) == "proposal_sent"
        page = requester.get(f"/chalco/solicitudes/{folio}").get_data(as_text=True)
        assert f"propuesta-{round_number}.pdf" in page
        assert "/pasos/approve" in page and "/pasos/request_changes" in page
        no_comment = requester_step(requester, folio, "request_changes")
        assert no_comment.status_code == 400
        changes = requester_step(
            requester, folio, "request_changes", reason=f"Cambiar colores ({round_number})"
        )
        assert changes.status_code == 302
        assert state(demo, folio) == "in_progress"
    staff_step(agent, folio, "send_proposal", attachments=[(io.BytesIO(PDF), "final.pdf")])
    assert requester_step(requester, folio, "approve").status_code == 302
    assert state(demo, folio) == "approved"
    done = staff_step(agent, folio, "conclude", text="Material respaldado en el servidor")
    assert done.status_code == 302
    assert state(demo, folio) == "concluded"
    with demo.app_context():
        transitions = db.session.scalars(
            select(TicketEvent.transition)
            .join(Ticket)
            .where(Ticket.folio == folio)
            .order_by(TicketEvent.seq)
        ).all()
        assert transitions.count("send_proposal") == 3
        assert transitions.count("request_changes") == 2
        proposals = db.session.scalars(
            select(Attachment).where(Attachment.event_id.is_not(None))
        ).all()
        assert sorted(a.original_name for a in proposals) == [
            "final.pdf",
            "propuesta-1.pdf",
            "propuesta-2.pdf",
        ]
