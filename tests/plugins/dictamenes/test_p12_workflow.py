"""GCH-CCS-P12 through the pages: the Dirección de Administración's SIDEM request, the
Coordinador's review and release, the DGSEI's review (its time stops the clock),
its rejections and its dictamen, delivered to Administración."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select

from helpdesk import sla
from helpdesk.extensions import db
from helpdesk.models import Attachment
from helpdesk.models import SlaClock
from helpdesk.models import Ticket
from helpdesk.models.base import utcnow

from .conftest import P12_REQUEST
from .conftest import PDF
from .conftest import file_p12
from .conftest import flat
from .conftest import folio_from
from .conftest import pdf_text
from .conftest import resubmit
from .conftest import state_of
from .conftest import step
from .conftest import ticket_of

OFICIO_DGSEI = "oficio-dgsei"


def document(folio, name):
    return f"/chalco/solicitudes/{folio}/documentos/{name}.pdf"


def clocks(app, folio, now=None):
    with app.app_context():
        ticket = db.session.get(Ticket, ticket_of(app, folio).id)
        return {reading.target: reading for reading in sla.ticket_readings(ticket, now)}


def stored_resolve_clock(app, folio):
    with app.app_context():
        return db.session.scalar(
            select(SlaClock).where(
                SlaClock.ticket_id == ticket_of(app, folio).id, SlaClock.target == "resolve"
            )
        )


def release_and_send(app, coordinator, folio, checklist, oficio):
    step(coordinator, folio, "review")
    step(coordinator, folio, "release_in_sidem", checklist=checklist)
    assert state_of(app, folio) == "released"
    step(coordinator, folio, "send_to_dgsei", text=oficio)
    assert state_of(app, folio) == "at_dgsei"


def test_p12_from_the_sidem_request_to_the_delivered_dictamen(demo, login_as, p12_checklist):
    administration = login_as("requester")  # an enlace of the Dirección de Administración
    coordinator = login_as("coordinator")

    # 1-2: the request made in SIDEM, notified with its folio.
    folio = folio_from(file_p12(administration, demo))
    assert folio.startswith("CHALCO-P12-")
    ticket = ticket_of(demo, folio)
    assert ticket.data["sidem_folio"] == "SIDEM-2026-000123"
    assert ticket.department_id is not None  # the Coordination itself (CCS)

    # 3-5, twice: the Coordinador asks through SIDEM to complete; Administración corrects.
    step(coordinator, folio, "review")
    step(coordinator, folio, "request_completion", reason="Falta la cotización en el SIDEM")
    assert state_of(demo, folio) == "needs_completion"
    resubmit(administration, folio, {**P12_REQUEST, "sidem_folio": "SIDEM-2026-000124"})
    step(coordinator, folio, "review")
    step(coordinator, folio, "request_completion", reason="Detalle las especificaciones")
    resubmit(
        administration,
        folio,
        {**P12_REQUEST, "sidem_folio": "SIDEM-2026-000125", "goods_services": "20 equipos i5"},
    )
    assert state_of(demo, folio) == "corrected"

    # 6: released in SIDEM only with the preconditions checked; the oficio for the DGSEI.
    step(coordinator, folio, "review")
    refused = step(coordinator, folio, "release_in_sidem", expect=400, checklist=[])
    assert "Sin marcar" in refused.get_data(as_text=True)
    step(coordinator, folio, "release_in_sidem", checklist=p12_checklist)
    oficio = flat(pdf_text(coordinator.get(document(folio, OFICIO_DGSEI))))
    assert folio in oficio and "SIDEM-2026-000125" in oficio
    assert "Dirección General del Sistema Estatal de Informática" in oficio
    assert "Secretario(a) Técnico(a) del Comité Interno de Gobierno Digital" in oficio
    assert "20 equipos i5" in oficio
    assert administration.get(document(folio, OFICIO_DGSEI)).status_code == 404

    # 7-10, twice: sent to the DGSEI, which rejects with reasons; Administración corrects.
    step(coordinator, folio, "send_to_dgsei", text="Oficio CCS/045/2026")
    assert state_of(demo, folio) == "at_dgsei"
    step(coordinator, folio, "dgsei_rejects", reason="Falta el estudio de mercado")
    assert state_of(demo, folio) == "returned_by_dgsei"
    page = administration.get(f"/chalco/solicitudes/{folio}").get_data(as_text=True)
    assert "Rechazada por la DGSEI" in page and "Falta el estudio de mercado" in page
    resubmit(administration, folio, {**P12_REQUEST, "sidem_folio": "SIDEM-2026-000125"})
    release_and_send(demo, coordinator, folio, p12_checklist, "Oficio CCS/051/2026")
    step(coordinator, folio, "dgsei_rejects", reason="El Programa de Trabajo TIC no está vigente")
    resubmit(administration, folio, {**P12_REQUEST, "sidem_folio": "SIDEM-2026-000125"})
    release_and_send(demo, coordinator, folio, p12_checklist, "Oficio CCS/060/2026")

    # 11-12: the DGSEI's dictamen arrives and is delivered to Administración.
    step(coordinator, folio, "receive_dgsei_dictamen", expect=400, text="Dictamen")  # no file
    assert state_of(demo, folio) == "at_dgsei"
    step(
        coordinator,
        folio,
        "receive_dgsei_dictamen",
        text="Dictamen técnico DGSEI/DT/0123/2026, procedente",
        attachments=[(io.BytesIO(PDF), "dictamen DGSEI.pdf")],
    )
    assert state_of(demo, folio) == "dictamen_received"
    step(
        coordinator,
        folio,
        "deliver_dictamen",
        text="Entregado a la Directora de Administración el mismo día",
    )
    assert state_of(demo, folio) == "delivered"
    with demo.app_context():
        dictamen = db.session.scalar(
            select(Attachment).where(Attachment.original_name == "dictamen DGSEI.pdf")
        )
        assert dictamen.event_id is not None
        dictamen_id = dictamen.id
    assert "dictamen DGSEI.pdf" in administration.get(f"/chalco/solicitudes/{folio}").get_data(
        as_text=True
    )
    download = administration.get(f"/chalco/adjuntos/{dictamen_id}")
    assert download.data == PDF
    download.close()

    # 13: registered and concluded.
    step(coordinator, folio, "conclude", text="La Dirección de Administración procede a comprar")
    ticket = ticket_of(demo, folio)
    assert ticket.state == "concluded"
    assert ticket.steps.count("request_completion") == 2
    assert ticket.steps.count("dgsei_rejects") == 2
    assert ticket.steps.count("send_to_dgsei") == 3
    assert ticket.steps.count("resubmit") == 4
    assert {reading.target: reading.status for reading in clocks(demo, folio).values()}[
        "resolve"
    ] in {sla.MET, sla.MISSED}


def test_p12_the_clock_stops_while_the_dgsei_reviews(demo, login_as, p12_checklist):
    administration = login_as("requester")
    coordinator = login_as("coordinator")
    folio = folio_from(file_p12(administration, demo))
    assert clocks(demo, folio)["resolve"].due_at is not None
    release_and_send(demo, coordinator, folio, p12_checklist, "Oficio CCS/045/2026")

    resolve = clocks(demo, folio)["resolve"]
    assert resolve.status == sla.PAUSED and resolve.due_at is None
    stored = stored_resolve_clock(demo, folio)
    assert stored.due_at is None and stored.resumed_at is None
    # However long the DGSEI takes, it is not charged to the Coordination.
    months_later = clocks(demo, folio, now=utcnow() + timedelta(days=90))["resolve"]
    assert months_later.status == sla.PAUSED
    assert months_later.used == resolve.used

    # Its rejection waits on Administración: still stopped.
    step(coordinator, folio, "dgsei_rejects", reason="Falta el estudio de mercado")
    assert clocks(demo, folio)["resolve"].status == sla.PAUSED

    # Back with the Coordination, the clock runs again.
    resubmit(administration, folio, P12_REQUEST)
    resolve = clocks(demo, folio)["resolve"]
    assert resolve.status != sla.PAUSED and resolve.due_at is not None
    assert stored_resolve_clock(demo, folio).due_at is not None


def test_p12_has_no_turn_to_a_department(demo, login_as):
    administration = login_as("requester")
    coordinator = login_as("coordinator")
    folio = folio_from(file_p12(administration, demo))
    page = coordinator.get(f"/chalco/mesa/solicitudes/{folio}").get_data(as_text=True)
    assert "Liberar la solicitud en el SIDEM" in page
    assert "Turnar al departamento" not in page
    step(coordinator, folio, "turn", expect=404)


def test_p12_requires_the_tic_programme_and_the_committee(demo, login_as):
    administration = login_as("requester")
    response = file_p12(administration, demo, tic_program_validated="", committee_installed="")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Programa de Trabajo de Tecnologías de la Información" in page
    assert "Comité Interno de Gobierno Digital" in page
    with demo.app_context():
        assert db.session.query(Ticket).count() == 0


def test_p12_administration_may_withdraw_after_a_dgsei_rejection(demo, login_as, p12_checklist):
    administration = login_as("requester")
    coordinator = login_as("coordinator")
    folio = folio_from(file_p12(administration, demo))
    release_and_send(demo, coordinator, folio, p12_checklist, "Oficio CCS/045/2026")
    step(coordinator, folio, "dgsei_rejects", reason="No procede la adquisición")
    step(administration, folio, "withdraw", staff=False, reason="Se cancela la compra")
    assert state_of(demo, folio) == "withdrawn"
