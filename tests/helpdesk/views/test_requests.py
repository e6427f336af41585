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


# -- Files kept when the form comes back with errors ---------------------------

STAGED_RE = re.compile(r'name="staged_upload" value="([^"]+)"')
HTML = b"<html><script>alert(1)</script></html>"


def staged_files(tmp_path):
    root = tmp_path / "instance" / "uploads" / "staged"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def attachment_rows(app):
    with app.app_context():
        return db.session.scalars(select(Attachment)).all()


def nothing_filed(app):
    with app.app_context():
        return (
            db.session.scalars(select(Ticket)).all() == []
            and db.session.scalars(select(Attachment)).all() == []
        )


def kept_tokens(response):
    assert response.status_code == 200, response.status_code
    return STAGED_RE.findall(response.get_data(as_text=True))


def resend_p10(browser, app, **extra):
    data = {**p10_data(), "unit_id": unit_id(app), **extra}
    return browser.post(P10, data, content_type="multipart/form-data")


def test_invalid_form_keeps_the_uploaded_file_until_it_is_filed(login_as, demo, tmp_path):
    browser = login_as("requester")
    response = file_p10(
        browser,
        demo,
        problem_description="",
        attachments=[(io.BytesIO(PDF), "oficio firmado.pdf")],
    )
    [token] = kept_tokens(response)
    text = response.get_data(as_text=True)
    assert f"oficio firmado.pdf ({len(PDF)} Bytes)" in text
    assert f'name="drop_staged" value="{token}"' in text
    assert 'class="error"' in text
    assert nothing_filed(demo)
    assert len(staged_files(tmp_path)) == 2  # the bytes and their manifest

    sent = resend_p10(browser, demo, staged_upload=token)
    assert sent.status_code == 302, sent.get_data(as_text=True)
    ticket = only_ticket(demo)
    [row] = attachment_rows(demo)
    assert (row.ticket_id, row.original_name, row.size) == (
        ticket.id,
        "oficio firmado.pdf",
        len(PDF),
    )
    assert row.content_type == "application/pdf"
    download = browser.get(f"/chalco/adjuntos/{row.id}")
    assert download.data == PDF
    download.close()
    assert staged_files(tmp_path) == []

    # The token is spent: sending it again files nothing twice and says so.
    again = resend_p10(browser, demo, staged_upload=token, problem_description="")
    assert kept_tokens(again) == []
    assert "ya no está disponible" in again.get_data(as_text=True)
    assert len(attachment_rows(demo)) == 1


def test_kept_and_new_files_go_in_together(login_as, demo, tmp_path):
    browser = login_as("requester")
    [token] = kept_tokens(
        file_p10(browser, demo, problem_description="", attachments=[(io.BytesIO(PDF), "a.pdf")])
    )
    sent = resend_p10(browser, demo, staged_upload=token, attachments=[(io.BytesIO(PNG), "b.png")])
    assert sent.status_code == 302, sent.get_data(as_text=True)
    assert sorted(row.original_name for row in attachment_rows(demo)) == ["a.pdf", "b.png"]
    assert staged_files(tmp_path) == []


def test_a_second_invalid_try_keeps_old_and_new_files(login_as, demo, tmp_path):
    browser = login_as("requester")
    [first] = kept_tokens(
        file_p10(browser, demo, problem_description="", attachments=[(io.BytesIO(PDF), "a.pdf")])
    )
    tokens = kept_tokens(
        resend_p10(
            browser,
            demo,
            problem_description="",
            staged_upload=first,
            attachments=[(io.BytesIO(PNG), "b.png")],
        )
    )
    assert tokens[0] == first and len(tokens) == 2
    assert nothing_filed(demo)
    sent = resend_p10(browser, demo, staged_upload=tokens)
    assert sent.status_code == 302
    assert sorted(row.original_name for row in attachment_rows(demo)) == ["a.pdf", "b.png"]
    assert staged_files(tmp_path) == []


def test_a_kept_file_can_be_dropped(login_as, demo, tmp_path):
    browser = login_as("requester")
    [token] = kept_tokens(
        file_p10(browser, demo, problem_description="", attachments=[(io.BytesIO(PDF), "a.pdf")])
    )
    still_invalid = resend_p10(
        browser, demo, problem_description="", staged_upload=token, drop_staged=token
    )
    assert kept_tokens(still_invalid) == []
    assert "a.pdf" not in still_invalid.get_data(as_text=True)
    assert staged_files(tmp_path) == []
    sent = resend_p10(browser, demo, staged_upload=token, drop_staged=token)
    assert sent.status_code == 302
    only_ticket(demo)
    assert attachment_rows(demo) == []


def test_dropping_on_the_successful_submit_attaches_nothing(login_as, demo, tmp_path):
    browser = login_as("requester")
    [token] = kept_tokens(
        file_p10(browser, demo, problem_description="", attachments=[(io.BytesIO(PDF), "a.pdf")])
    )
    sent = resend_p10(browser, demo, staged_upload=token, drop_staged=token)
    assert sent.status_code == 302, sent.get_data(as_text=True)
    only_ticket(demo)
    assert attachment_rows(demo) == []
    assert staged_files(tmp_path) == []


def test_another_users_token_is_ignored(login_as, demo, tmp_path):
    requester = login_as("requester")
    [token] = kept_tokens(
        file_p10(requester, demo, problem_description="", attachments=[(io.BytesIO(PDF), "a.pdf")])
    )
    coordinator = login_as("coordinator")
    shown = resend_p10(coordinator, demo, problem_description="", staged_upload=token)
    assert kept_tokens(shown) == []
    assert "ya no está disponible" in shown.get_data(as_text=True)
    sent = resend_p10(coordinator, demo, staged_upload=token)
    assert sent.status_code == 302, sent.get_data(as_text=True)
    only_ticket(demo)
    assert attachment_rows(demo) == []
    # A foreign claim neither spends nor removes the owner's file.
    assert len(staged_files(tmp_path)) == 2
    forged = resend_p10(requester, demo, problem_description="", staged_upload="../../x")
    assert forged.status_code == 200 and kept_tokens(forged) == []
    assert resend_p10(requester, demo, staged_upload=token).status_code == 302
    assert [row.original_name for row in attachment_rows(demo)] == ["a.pdf"]


def test_disguised_file_is_not_kept_and_says_why(login_as, demo, tmp_path):
    browser = login_as("requester")
    response = file_p10(
        browser,
        demo,
        problem_description="",
        attachments=[(io.BytesIO(HTML), "oficio.pdf"), (io.BytesIO(PDF), "bueno.pdf")],
    )
    [token] = kept_tokens(response)
    text = response.get_data(as_text=True)
    assert "oficio.pdf" in text and "no se conservó" in text
    assert "bueno.pdf" in text
    assert nothing_filed(demo)
    assert len(staged_files(tmp_path)) == 2


def test_refused_file_at_filing_keeps_the_good_one(login_as, demo, tmp_path):
    """The form is valid but filing refuses a file: the good one stays, the bad one is named."""
    browser = login_as("requester")
    response = file_p10(
        browser,
        demo,
        attachments=[(io.BytesIO(PDF), "bueno.pdf"), (io.BytesIO(HTML), "oficio.pdf")],
    )
    [token] = kept_tokens(response)
    text = response.get_data(as_text=True)
    assert "«oficio.pdf»" in text
    assert "no se conservó" not in text  # filing already said why, once
    assert "bueno.pdf" in text
    assert nothing_filed(demo)
    uploads = tmp_path / "instance" / "uploads"
    stored = [p for p in uploads.rglob("*") if p.is_file() and "staged" not in p.parts]
    assert stored == []
    sent = resend_p10(browser, demo, staged_upload=token)
    assert sent.status_code == 302, sent.get_data(as_text=True)
    assert [row.original_name for row in attachment_rows(demo)] == ["bueno.pdf"]


def test_kept_files_count_against_the_ticket_limits(login_as, demo, tmp_path):
    demo.config["HELPDESK_MAX_FILES"] = 1
    browser = login_as("requester")
    [token] = kept_tokens(
        file_p10(browser, demo, problem_description="", attachments=[(io.BytesIO(PDF), "a.pdf")])
    )
    response = resend_p10(
        browser, demo, staged_upload=token, attachments=[(io.BytesIO(PNG), "b.png")]
    )
    assert kept_tokens(response) == [token]
    assert "b.png" in response.get_data(as_text=True)
    assert nothing_filed(demo)
    assert len(staged_files(tmp_path)) == 2
    sent = resend_p10(browser, demo, staged_upload=token)
    assert sent.status_code == 302
    assert [row.original_name for row in attachment_rows(demo)] == ["a.pdf"]


def test_expired_kept_files_are_swept_when_new_ones_are_kept(login_as, demo, tmp_path):
    browser = login_as("requester")
    [old] = kept_tokens(
        file_p10(browser, demo, problem_description="", attachments=[(io.BytesIO(PDF), "a.pdf")])
    )
    demo.config["HELPDESK_STAGED_UPLOAD_HOURS"] = 0
    response = file_p10(
        browser, demo, problem_description="", attachments=[(io.BytesIO(PNG), "b.png")]
    )
    [new] = kept_tokens(response)
    assert new != old
    demo.config["HELPDESK_STAGED_UPLOAD_HOURS"] = 24
    assert len(staged_files(tmp_path)) == 2  # only b.png and its manifest are left
    sent = resend_p10(browser, demo, staged_upload=[old, new])
    assert sent.status_code == 302
    assert [row.original_name for row in attachment_rows(demo)] == ["b.png"]


def test_filing_on_behalf_keeps_files_too(login_as, demo, tmp_path):
    from helpdesk.models import User

    with demo.app_context():
        requester = db.session.scalar(
            select(User).where(User.email == "solicitante@chalco.example")
        )
    coordinator = login_as("coordinator")
    url = "/chalco/mesa/nueva/GCH-CCS-P10"
    coordinator.get(url)
    on_behalf = {"requester_id": str(requester.id), "channel": "phone"}
    response = coordinator.post(
        url,
        {
            **p10_data(problem_description=""),
            **on_behalf,
            "unit_id": unit_id(demo),
            "attachments": [(io.BytesIO(PDF), "oficio.pdf")],
        },
        content_type="multipart/form-data",
    )
    [token] = kept_tokens(response)
    assert nothing_filed(demo)
    sent = coordinator.post(
        url,
        {**p10_data(), **on_behalf, "unit_id": unit_id(demo), "staged_upload": token},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302, sent.get_data(as_text=True)
    ticket = only_ticket(demo)
    assert ticket.requester_id == requester.id
    [row] = attachment_rows(demo)
    assert row.original_name == "oficio.pdf"
    assert staged_files(tmp_path) == []
