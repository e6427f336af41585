"""The requester's side: file through the portal, follow, complete, receipt, files."""

import io
import re

import pypdf
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Attachment
from helpdesk.models import Ticket
from helpdesk.models import TicketEvent

P10 = "/chalco/servicios/GCH-CCS-P10/solicitar"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def p10_data(**overrides):
    data = {
        "problem_description": "La impresora de la oficina no enciende",
        "requester_name": "Laura Méndez Ortiz",
        "equipment_location": "Oficina de la Dirección de la Mujer, planta baja",
        "inventory_number": "INV-2024-0042",
        "municipal_infrastructure": "y",
    }
    data.update(overrides)
    return data


def unit_id(app, name="Dirección de la Mujer"):
    from helpdesk.models import Unit

    with app.app_context():
        return db.session.scalar(select(Unit.id).where(Unit.name == name))


def file_p10(browser, app, **extra):
    browser.get(P10)
    data = {**p10_data(), "unit_id": unit_id(app), **extra}
    return browser.post(P10, data, content_type="multipart/form-data")


def only_ticket(app):
    with app.app_context():
        return db.session.scalars(select(Ticket)).one()


def test_requester_files_and_gets_folio_and_timeline(login_as, demo):
    browser = login_as("requester")
    response = file_p10(browser, demo, attachments=[(io.BytesIO(PNG), "foto falla.png")])
    assert response.status_code == 302, response.get_data(as_text=True)
    ticket = only_ticket(demo)
    assert re.fullmatch(r"CHALCO-P10-\d{4}-000001", ticket.folio)
    assert response.headers["Location"].endswith(f"/chalco/solicitudes/{ticket.folio}")
    assert ticket.data["inventory_number"] == "INV-2024-0042"
    assert ticket.data["municipal_infrastructure"] is True
    page = browser.get(f"/chalco/solicitudes/{ticket.folio}").get_data(as_text=True)
    assert ticket.folio in page and "foto falla.png" in page
    listing = browser.get("/chalco/mis-solicitudes").get_data(as_text=True)
    assert ticket.folio in listing


def test_invalid_form_keeps_what_was_typed_and_saves_nothing(login_as, demo):
    browser = login_as("requester")
    response = file_p10(browser, demo, problem_description="", inventory_number="INV-9")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert 'value="INV-9"' in text
    assert 'class="error"' in text
    with demo.app_context():
        assert db.session.scalars(select(Ticket)).all() == []


def test_disguised_file_is_refused_and_nothing_is_saved(login_as, demo, tmp_path):
    browser = login_as("requester")
    html = b"<html><script>alert(1)</script></html>"
    response = file_p10(browser, demo, attachments=[(io.BytesIO(html), "oficio.pdf")])
    assert response.status_code == 200
    assert "oficio.pdf" in response.get_data(as_text=True)
    with demo.app_context():
        assert db.session.scalars(select(Ticket)).all() == []
        assert db.session.scalars(select(Attachment)).all() == []
    uploads = tmp_path / "instance" / "uploads"
    assert not uploads.exists() or not any(p.is_file() for p in uploads.rglob("*"))


def test_oversized_file_is_refused(login_as, demo):
    demo.config["HELPDESK_MAX_FILE_BYTES"] = 1024
    browser = login_as("requester")
    big = PDF + b"0" * 4096
    response = file_p10(browser, demo, attachments=[(io.BytesIO(big), "grande.pdf")])
    assert response.status_code == 200
    assert "grande.pdf" in response.get_data(as_text=True)
    with demo.app_context():
        assert db.session.scalars(select(Ticket)).all() == []


def test_receipt_pdf_holds_the_folio(login_as, demo):
    browser = login_as("requester")
    file_p10(browser, demo)
    ticket = only_ticket(demo)
    response = browser.get(f"/chalco/solicitudes/{ticket.folio}/acuse.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.data)).pages)
    assert ticket.folio in text
    assert "Atención de solicitudes de soporte técnico" in text
    assert "Laura Méndez Ortiz" in text


def test_another_requester_or_tenant_gets_404(login_as, demo):
    browser = login_as("requester")
    file_p10(browser, demo, attachments=[(io.BytesIO(PDF), "oficio.pdf")])
    ticket = only_ticket(demo)
    with demo.app_context():
        attachment_id = db.session.scalar(select(Attachment.id))
    own = browser.get(f"/chalco/adjuntos/{attachment_id}")
    assert own.status_code == 200
    assert own.headers["Content-Disposition"].startswith("attachment")
    assert own.headers["X-Content-Type-Options"] == "nosniff"
    assert own.data == PDF
    own.close()
    media = login_as("requester")  # a second session of a different person below
    media.logout()
    media.login("medio@chalco.example", "demo-2026")
    for url in (
        f"/chalco/solicitudes/{ticket.folio}",
        f"/chalco/solicitudes/{ticket.folio}/acuse.pdf",
        f"/chalco/adjuntos/{attachment_id}",
    ):
        assert media.get(url).status_code == 404
    other_tenant = login_as("coordinator", tenant="sinaloa")
    assert other_tenant.get(f"/chalco/solicitudes/{ticket.folio}").status_code == 404
    assert other_tenant.get(f"/sinaloa/adjuntos/{attachment_id}").status_code == 404
    assert other_tenant.get(f"/sinaloa/mesa/solicitudes/{ticket.folio}").status_code == 404


def test_completion_loop_through_the_pages(login_as, demo):
    requester = login_as("requester")
    file_p10(requester, demo)
    folio = only_ticket(demo).folio
    coordinator = login_as("coordinator")
    page = coordinator.get(f"/chalco/mesa/solicitudes/{folio}")
    assert "Solicitar complementar requisitos" in page.get_data(as_text=True)
    no_reason = coordinator.post(
        f"/chalco/mesa/solicitudes/{folio}/pasos/request_completion", {"version": "1"}
    )
    assert no_reason.status_code == 400
    assert only_ticket(demo).state == "received"
    asked = coordinator.post(
        f"/chalco/mesa/solicitudes/{folio}/pasos/request_completion",
        {"version": "1", "reason": "Indique el número de inventario correcto"},
    )
    assert asked.status_code == 302
    page = requester.get(f"/chalco/solicitudes/{folio}").get_data(as_text=True)
    assert "Indique el número de inventario correcto" in page
    form = requester.get(f"/chalco/solicitudes/{folio}/corregir")
    assert 'value="INV-2024-0042"' in form.get_data(as_text=True)
    sent = requester.post(
        f"/chalco/solicitudes/{folio}/corregir",
        {**p10_data(inventory_number="INV-2024-0043"), "version": str(only_ticket(demo).version)},
    )
    assert sent.status_code == 302, sent.get_data(as_text=True)
    ticket = only_ticket(demo)
    assert ticket.state == "corrected"
    assert ticket.data["inventory_number"] == "INV-2024-0043"
    with demo.app_context():
        last = db.session.scalar(select(TicketEvent).order_by(TicketEvent.seq.desc()))
        assert last.changes["data"]["inventory_number"] == ["INV-2024-0042", "INV-2024-0043"]


def test_stale_form_says_so_instead_of_overwriting(login_as, demo):
    file_p10(login_as("requester"), demo)
    folio = only_ticket(demo).folio
    coordinator = login_as("coordinator")
    coordinator.get(f"/chalco/mesa/solicitudes/{folio}")
    first = coordinator.post(f"/chalco/mesa/solicitudes/{folio}/pasos/review", {"version": "1"})
    assert first.status_code == 302
    stale = coordinator.post(
        f"/chalco/mesa/solicitudes/{folio}/pasos/reject", {"version": "1", "reason": "No procede"}
    )
    assert stale.status_code == 302
    assert only_ticket(demo).state == "in_review"
    page = coordinator.get(stale.headers["Location"]).get_data(as_text=True)
    assert "flash error" in page
