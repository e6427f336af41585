"""The correction form takes the missing documents as files, tied to the correction's step."""

import io

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Attachment
from helpdesk.models import TicketEvent
from tests.helpdesk.views.test_requests import HTML
from tests.helpdesk.views.test_requests import PDF
from tests.helpdesk.views.test_requests import file_p10
from tests.helpdesk.views.test_requests import only_ticket
from tests.helpdesk.views.test_requests import p10_data


def asked_to_complete(login_as, demo):
    requester = login_as("requester")
    file_p10(requester, demo)
    folio = only_ticket(demo).folio
    asked = login_as("coordinator").post(
        f"/chalco/mesa/solicitudes/{folio}/pasos/request_completion",
        {"version": "1", "reason": "Falta el oficio firmado"},
    )
    assert asked.status_code == 302
    return requester, folio


def correct(requester, demo, folio, files):
    return requester.post(
        f"/chalco/solicitudes/{folio}/corregir",
        {**p10_data(), "version": str(only_ticket(demo).version), "attachments": files},
        content_type="multipart/form-data",
    )


def test_the_missing_document_goes_with_the_correction(login_as, demo):
    requester, folio = asked_to_complete(login_as, demo)
    page = requester.get(f"/chalco/solicitudes/{folio}/corregir").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'name="attachments"' in page
    sent = correct(requester, demo, folio, [(io.BytesIO(PDF), "oficio firmado.pdf")])
    assert sent.status_code == 302, sent.get_data(as_text=True)
    assert only_ticket(demo).state == "corrected"
    with demo.app_context():
        (row,) = db.session.scalars(select(Attachment)).all()
        event = db.session.get(TicketEvent, row.event_id)
        assert (row.original_name, row.content_type) == ("oficio firmado.pdf", "application/pdf")
        assert event.transition == "resubmit"
    page = requester.get(f"/chalco/solicitudes/{folio}").get_data(as_text=True)
    assert "oficio firmado.pdf" in page


def test_a_disguised_file_refuses_the_whole_correction(login_as, demo):
    requester, folio = asked_to_complete(login_as, demo)
    sent = correct(requester, demo, folio, [(io.BytesIO(HTML), "oficio.pdf")])
    assert sent.status_code == 200
    assert "oficio.pdf" in sent.get_data(as_text=True)
    assert only_ticket(demo).state == "needs_completion"
    with demo.app_context():
        assert db.session.scalars(select(Attachment)).all() == []
