"""Comments on the ticket pages: the staff form (with the internal-note box), the
requester's form, the timeline, and the places an internal note must never reach.

Pages are read in English (the msgids), so the assertions hold whatever the
Spanish catalog says.
"""

from __future__ import annotations

import io
import re

import pypdf
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Notification
from helpdesk.models import OutboxMessage
from helpdesk.models import Ticket
from helpdesk.models import TicketEvent
from helpdesk.models import User
from helpdesk.tenancy import ALL_TENANTS

P10 = {
    "problem_description": "El equipo no arranca",
    "requester_name": "Laura Méndez Ortiz",
    "equipment_location": "Dirección de la Mujer",
    "municipal_infrastructure": True,
}
SECRET = "Nota secreta: el inventario INV-7 no coincide"
PUBLIC = "Pasaremos el jueves a revisar el equipo"


def english(browser):
    browser.post("/idioma", {"locale": "en", "next": "/"})
    return browser


def folio_of(app, ticket_id):
    with app.app_context():
        return db.session.scalar(
            select(Ticket.folio)
            .where(Ticket.id == ticket_id)
            .execution_options(**{ALL_TENANTS: True})
        )


def version_of(app, ticket_id):
    with app.app_context():
        return db.session.scalar(
            select(Ticket.version)
            .where(Ticket.id == ticket_id)
            .execution_options(**{ALL_TENANTS: True})
        )


def comment_events(app):
    with app.app_context():
        rows = db.session.scalars(
            select(TicketEvent)
            .where(TicketEvent.transition == "comment")
            .order_by(TicketEvent.id)
            .execution_options(**{ALL_TENANTS: True})
        ).all()
        return [(row.actor.email, row.changes["text"], row.changes["internal"]) for row in rows]


def notices_of(app, email):
    with app.app_context():
        person = db.session.scalar(
            select(User).where(User.email == email).execution_options(**{ALL_TENANTS: True})
        )
        rows = db.session.scalars(
            select(Notification)
            .where(Notification.user_id == person.id, Notification.kind.like("comment%"))
            .execution_options(**{ALL_TENANTS: True})
        ).all()
        return [row.kind for row in rows]


def mails_to(app, email):
    with app.app_context():
        rows = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.recipient == email)
            .execution_options(**{ALL_TENANTS: True})
        ).all()
        return [(row.kind, row.text_body) for row in rows]


def desk_url(folio):
    return f"/chalco/mesa/solicitudes/{folio}"


def portal_url(folio):
    return f"/chalco/solicitudes/{folio}"


def text_of(response):
    return response.get_data(as_text=True)


def test_staff_see_the_form_with_the_internal_box_requesters_without(demo, login_as, make_ticket):
    folio = folio_of(demo, make_ticket("GCH-CCS-P10", data=P10))
    staff = text_of(english(login_as("agent")).get(desk_url(folio)))
    assert f'action="{desk_url(folio)}/comentarios"' in staff
    assert 'name="internal"' in staff and "Internal note, staff only" in staff
    requester = text_of(english(login_as("requester")).get(portal_url(folio)))
    assert f'action="{portal_url(folio)}/comentarios"' in requester
    assert 'name="text"' in requester
    assert 'name="internal"' not in requester and "staff only" not in requester


def test_an_internal_note_is_shown_to_staff_and_never_to_the_requester(demo, login_as, make_ticket):
    ticket_id = make_ticket(
        "GCH-CCS-P10",
        data=P10,
        liaison={"name": "Jorge Ramírez", "email": "medio@chalco.example", "phone": "5555555555"},
    )
    folio = folio_of(demo, ticket_id)
    agent = english(login_as("agent"))
    agent.get(desk_url(folio))
    response = agent.post(f"{desk_url(folio)}/comentarios", {"text": SECRET, "internal": "y"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{desk_url(folio)}#timeline")
    assert comment_events(demo) == [("tecnico@chalco.example", SECRET, True)]
    staff_page = text_of(agent.get(desk_url(folio)))
    assert "Internal note added." in staff_page
    timeline = staff_page.split('id="timeline"')[1]
    assert SECRET in timeline and "Internal note" in timeline and "Staff only" in timeline
    assert "Miguel Ángel Torres Ruiz" in timeline  # the author
    assert notices_of(demo, "coordinador@chalco.example") == ["comment_internal"]
    requester = english(login_as("requester"))
    for url in (
        portal_url(folio),
        "/chalco/mis-solicitudes",
        "/chalco/avisos/",
    ):
        page = text_of(requester.get(url))
        assert SECRET not in page and "INV-7 no coincide" not in page
        assert "Internal note" not in page
    # A staff member who opens the requester's page sees what the requester sees.
    assert SECRET not in text_of(agent.get(portal_url(folio)))
    receipt = requester.get(f"{portal_url(folio)}/acuse.pdf")
    pdf = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(receipt.data)).pages)
    assert folio in pdf and "INV-7 no coincide" not in pdf
    for email in ("solicitante@chalco.example", "medio@chalco.example"):
        assert notices_of(demo, email) == []
        assert all(SECRET not in body for _, body in mails_to(demo, email))
        assert all(kind != "comment_internal" for kind, _ in mails_to(demo, email))


def test_a_public_staff_comment_reaches_the_requester(demo, login_as, make_ticket):
    folio = folio_of(demo, make_ticket("GCH-CCS-P10", data=P10))
    coordinator = english(login_as("coordinator"))
    coordinator.get(desk_url(folio))
    response = coordinator.post(f"{desk_url(folio)}/comentarios", {"text": PUBLIC})
    assert response.status_code == 302
    assert comment_events(demo) == [("coordinador@chalco.example", PUBLIC, False)]
    assert notices_of(demo, "solicitante@chalco.example") == ["comment_public"]
    assert [kind for kind, _ in mails_to(demo, "solicitante@chalco.example")].count(
        "comment_public"
    ) == 1
    assert notices_of(demo, "coordinador@chalco.example") == []
    assert notices_of(demo, "tecnico@chalco.example") == []
    page = text_of(english(login_as("requester")).get(portal_url(folio)))
    timeline = page.split('id="timeline"')[1]
    assert PUBLIC in timeline and "Comment" in timeline
    assert "Ricardo Sánchez Flores" in timeline


def test_the_requester_comments_publicly_whatever_the_form_says(demo, login_as, make_ticket):
    folio = folio_of(demo, make_ticket("GCH-CCS-P10", data=P10))
    requester = english(login_as("requester"))
    requester.get(portal_url(folio))
    response = requester.post(
        f"{portal_url(folio)}/comentarios", {"text": "El equipo está arriba", "internal": "y"}
    )
    assert response.status_code == 302
    assert comment_events(demo) == [("solicitante@chalco.example", "El equipo está arriba", False)]
    assert notices_of(demo, "coordinador@chalco.example") == ["comment_public"]
    assert notices_of(demo, "tecnico@chalco.example") == ["comment_public"]
    assert notices_of(demo, "solicitante@chalco.example") == []
    assert "Comment added." in text_of(requester.get(portal_url(folio)))


def test_empty_or_too_long_comments_come_back_on_the_form(demo, login_as, make_ticket):
    folio = folio_of(demo, make_ticket("GCH-CCS-P10", data=P10))
    agent = english(login_as("agent"))
    agent.get(desk_url(folio))
    empty = agent.post(f"{desk_url(folio)}/comentarios", {"text": "   ", "internal": "y"})
    assert empty.status_code == 400
    assert "Write the comment." in text_of(empty)
    long = agent.post(f"{desk_url(folio)}/comentarios", {"text": "x" * 5001})
    assert long.status_code == 400
    page = text_of(long)
    assert "A comment has at most 5000 characters." in page
    assert "x" * 5001 in page  # what was typed stays on the form
    requester = english(login_as("requester"))
    requester.get(portal_url(folio))
    refused = requester.post(f"{portal_url(folio)}/comentarios", {"text": ""})
    assert refused.status_code == 400 and "Write the comment." in text_of(refused)
    assert comment_events(demo) == []


def test_errors_come_in_the_users_language(demo, login_as, make_ticket):
    folio = folio_of(demo, make_ticket("GCH-CCS-P10", data=P10))
    agent = login_as("agent")  # Spanish, the default
    agent.get(desk_url(folio))
    refused = agent.post(f"{desk_url(folio)}/comentarios", {"text": ""})
    assert refused.status_code == 400
    assert 'lang="es-MX"' in text_of(refused) and 'class="error"' in text_of(refused)


def test_a_post_without_the_csrf_token_is_refused(demo, login_as, make_ticket):
    folio = folio_of(demo, make_ticket("GCH-CCS-P10", data=P10))
    agent = login_as("agent")
    raw = agent.client.post(f"{desk_url(folio)}/comentarios", data={"text": "Sin token"})
    assert raw.status_code == 400
    requester = login_as("requester")
    raw = requester.client.post(f"{portal_url(folio)}/comentarios", data={"text": "Sin token"})
    assert raw.status_code == 400
    assert comment_events(demo) == []


def test_people_who_may_not_see_the_ticket_get_404(demo, login_as, make_ticket):
    folio = folio_of(demo, make_ticket("GCH-CCS-P10", data=P10))
    for role in ("coordinator", "agent", "tenant_admin", "requester"):
        other = login_as(role, tenant="sinaloa")
        other.get("/sinaloa/")
        for url in (f"{desk_url(folio)}/comentarios", f"{portal_url(folio)}/comentarios"):
            assert other.post(url, {"text": "Hola", "internal": "y"}).status_code == 404
        assert other.post(
            f"/sinaloa/mesa/solicitudes/{folio}/comentarios", {"text": "Hola"}
        ).status_code in (403, 404)
    media = login_as("requester")
    media.logout()
    media.login("medio@chalco.example", "demo-2026")
    media.get("/chalco/")
    assert media.post(f"{portal_url(folio)}/comentarios", {"text": "Hola"}).status_code == 404
    # The desk is for staff: a requester posting there is refused before anything.
    requester = login_as("requester")
    assert requester.post(f"{desk_url(folio)}/comentarios", {"text": "Hola"}).status_code == 403
    assert comment_events(demo) == []
    with demo.app_context():
        sinaloa = db.session.scalars(
            select(Notification)
            .join(User, User.id == Notification.user_id)
            .where(User.email.like("%@sinaloa.example"))
            .execution_options(**{ALL_TENANTS: True})
        ).all()
        assert sinaloa == []


def test_a_comment_does_not_make_an_open_step_form_stale(demo, login_as, make_ticket):
    ticket_id = make_ticket("GCH-CCS-P10", data=P10)
    folio = folio_of(demo, ticket_id)
    coordinator = english(login_as("coordinator"))
    page = text_of(coordinator.get(desk_url(folio)))
    seen = re.search(r'name="version" value="(\d+)"', page).group(1)
    agent = login_as("agent")
    agent.get(desk_url(folio))
    assert (
        agent.post(f"{desk_url(folio)}/comentarios", {"text": "Nota", "internal": "y"}).status_code
        == 302
    )
    requester = login_as("requester")
    requester.get(portal_url(folio))
    assert requester.post(f"{portal_url(folio)}/comentarios", {"text": "Hola"}).status_code == 302
    assert str(version_of(demo, ticket_id)) == seen
    response = coordinator.post(
        f"{desk_url(folio)}/pasos/reject", {"version": seen, "reason": "No corresponde."}
    )
    assert response.status_code == 302
    with demo.app_context():
        assert db.session.get(Ticket, ticket_id).state == "rejected"
