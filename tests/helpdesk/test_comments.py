"""Comments on a ticket (helpdesk/comments.py): who may write them, who hears of them.

A public comment reaches the other side of the ticket; an internal note reaches
the staff following it and never the requester's side; nobody of another
tenant hears anything; a comment never moves the ticket's version.
"""

from __future__ import annotations

import json
from contextlib import contextmanager

import pytest
from sqlalchemy import select

from helpdesk import comments
from helpdesk import plugins
from helpdesk.catalog import workflow_of
from helpdesk.extensions import db
from helpdesk.models import Notification
from helpdesk.models import NotificationPreference
from helpdesk.models import OutboxMessage
from helpdesk.models import Tenant
from helpdesk.models import Ticket
from helpdesk.models import TicketEvent
from helpdesk.models import User
from helpdesk.tenancy import ALL_TENANTS
from helpdesk.tenancy import scoped_to
from helpdesk.workflow.engine import apply

P10 = {
    "problem_description": "El equipo no arranca",
    "requester_name": "Laura Méndez Ortiz",
    "equipment_location": "Dirección de la Mujer",
    "municipal_infrastructure": True,
}
REQUESTER = "solicitante@chalco.example"
LIAISON = "medio@chalco.example"
COORDINATOR = "coordinador@chalco.example"
AGENT = "tecnico@chalco.example"
ADMIN = "admin@chalco.example"
SINALOA_STAFF = (
    "coordinador@sinaloa.example",
    "tecnico@sinaloa.example",
    "admin@sinaloa.example",
)
COMMENT_KINDS = ("comment_public", "comment_internal")


@contextmanager
def in_chalco(app):
    with app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "chalco"))
        with scoped_to(tenant):
            yield


def user(email):
    return db.session.scalar(
        select(User).where(User.email == email).execution_options(**{ALL_TENANTS: True})
    )


def new_ticket(make_ticket, *, liaison=True):
    extra = {"liaison": {"name": "Jorge Ramírez", "email": LIAISON, "phone": "5555555555"}}
    return make_ticket("GCH-CCS-P10", data=P10, **(extra if liaison else {}))


def comment(app, ticket_id, email, text, *, internal=False):
    with in_chalco(app):
        ticket = db.session.get(Ticket, ticket_id)
        event = comments.add_comment(ticket, user(email), text, internal=internal)
        return event.seq


def told(app):
    """{(e-mail, kind)} of every comment notification, and the e-mails with an outbox row."""
    with app.app_context():
        rows = db.session.scalars(
            select(Notification)
            .where(Notification.kind.in_(COMMENT_KINDS))
            .execution_options(**{ALL_TENANTS: True})
        ).all()
        notices = [(row.user.email, row.kind) for row in rows]
        mails = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind.in_(COMMENT_KINDS))
            .execution_options(**{ALL_TENANTS: True})
        ).all()
        return notices, [(m.recipient, m.kind) for m in mails], [m.text_body for m in mails]


def version_of(app, ticket_id):
    with app.app_context():
        return db.session.scalar(
            select(Ticket.version)
            .where(Ticket.id == ticket_id)
            .execution_options(**{ALL_TENANTS: True})
        )


def test_a_public_staff_comment_reaches_the_requester_side_once(demo, make_ticket):
    ticket_id = new_ticket(make_ticket)
    comment(demo, ticket_id, COORDINATOR, "Pasaremos mañana a revisar el equipo.")
    notices, mails, bodies = told(demo)
    expected = sorted([(REQUESTER, "comment_public"), (LIAISON, "comment_public")])
    assert sorted(notices) == expected  # once each: no duplicates
    assert sorted(mails) == expected
    assert all("Pasaremos mañana a revisar el equipo." in body for body in bodies)
    assert all("Ricardo Sánchez Flores" in body for body in bodies)  # the author


def test_an_internal_note_reaches_staff_only(demo, make_ticket):
    ticket_id = new_ticket(make_ticket)
    with in_chalco(demo):
        ticket = db.session.get(Ticket, ticket_id)
        ticket.assignee_id = user(AGENT).id
        db.session.commit()
    comment(demo, ticket_id, ADMIN, "El equipo es de otro inventario.", internal=True)
    notices, mails, bodies = told(demo)
    assert sorted(notices) == sorted(
        [(COORDINATOR, "comment_internal"), (AGENT, "comment_internal")]
    )
    assert sorted(mails) == sorted(notices)
    assert all("El equipo es de otro inventario." in body for body in bodies)
    with demo.app_context():
        for email in (REQUESTER, LIAISON):
            person = user(email)
            assert (
                db.session.scalars(
                    select(Notification).where(
                        Notification.user_id == person.id,
                        Notification.kind.in_(COMMENT_KINDS),
                    )
                ).all()
                == []
            )
            assert (
                db.session.scalars(
                    select(OutboxMessage).where(
                        OutboxMessage.recipient == email, OutboxMessage.kind.in_(COMMENT_KINDS)
                    )
                ).all()
                == []
            )


def test_the_author_of_a_note_is_not_told_about_it(demo, make_ticket):
    ticket_id = new_ticket(make_ticket)
    comment(demo, ticket_id, COORDINATOR, "Nota del coordinador.", internal=True)
    notices, _, _ = told(demo)
    # No assignee yet: the agents of the handling department hear of it.
    assert notices == [(AGENT, "comment_internal")]


def test_an_internal_note_skips_a_requester_who_is_also_staff(demo, make_ticket):
    ticket_id = make_ticket("GCH-CCS-P10", requester=COORDINATOR, data=P10)
    comment(demo, ticket_id, AGENT, "Nota sobre la solicitud del coordinador.", internal=True)
    notices, _, _ = told(demo)
    assert notices == []


def test_a_requester_comment_reaches_the_staff_following(demo, make_ticket):
    ticket_id = new_ticket(make_ticket)
    comment(demo, ticket_id, REQUESTER, "El equipo está en la planta alta.")
    notices, mails, _ = told(demo)
    assert sorted(notices) == sorted([(COORDINATOR, "comment_public"), (AGENT, "comment_public")])
    assert sorted(mails) == sorted(notices)


def test_the_liaison_comments_too_and_the_author_is_never_told(demo, make_ticket):
    ticket_id = new_ticket(make_ticket)
    comment(demo, ticket_id, LIAISON, "Soy el enlace: estaré en la oficina.")
    notices, _, _ = told(demo)
    assert sorted(notices) == sorted([(COORDINATOR, "comment_public"), (AGENT, "comment_public")])


def test_another_tenants_staff_never_hear_anything(demo, make_ticket):
    ticket_id = new_ticket(make_ticket)
    comment(demo, ticket_id, COORDINATOR, "Comentario público.")
    comment(demo, ticket_id, AGENT, "Nota interna.", internal=True)
    comment(demo, ticket_id, REQUESTER, "Respuesta del solicitante.")
    notices, mails, _ = told(demo)
    assert notices and mails
    for email in SINALOA_STAFF:
        assert email not in {address for address, _ in notices}
        assert email not in {address for address, _ in mails}
    with demo.app_context():
        tenants = {
            row.tenant_id
            for row in db.session.scalars(
                select(Notification).execution_options(**{ALL_TENANTS: True})
            )
        }
        chalco = db.session.scalar(select(Tenant.id).where(Tenant.slug == "chalco"))
        assert tenants == {chalco}


def test_email_can_be_turned_off_but_the_notice_stays(demo, make_ticket):
    ticket_id = new_ticket(make_ticket, liaison=False)
    with demo.app_context():
        db.session.add(
            NotificationPreference(user_id=user(REQUESTER).id, kind="comment_public", email=False)
        )
        db.session.commit()
    comment(demo, ticket_id, COORDINATOR, "Sin correo.")
    notices, mails, _ = told(demo)
    assert notices == [(REQUESTER, "comment_public")]
    assert mails == []


def test_a_comment_is_an_event_that_keeps_state_and_version(demo, make_ticket):
    ticket_id = new_ticket(make_ticket)
    before = version_of(demo, ticket_id)
    seq = comment(demo, ticket_id, COORDINATOR, "  Con espacios alrededor.  ")
    seq_internal = comment(demo, ticket_id, AGENT, "Interna.", internal=True)
    assert version_of(demo, ticket_id) == before
    with in_chalco(demo):
        ticket = db.session.get(Ticket, ticket_id)
        events = {e.seq: e for e in ticket.events}
        event = events[seq]
        assert event.transition == "comment"
        assert event.from_state == event.to_state == ticket.state == "received"
        assert event.changes == {"text": "Con espacios alrededor.", "internal": False}
        assert event.actor.email == COORDINATOR
        assert events[seq_internal].changes == {"text": "Interna.", "internal": True}
        assert comments.is_internal(events[seq_internal])
        assert not comments.is_internal(event)
        assert [e.seq for e in comments.for_requester(ticket.events)] == [1, seq]


def test_an_open_step_form_is_not_made_stale_by_a_comment(demo, make_ticket):
    ticket_id = new_ticket(make_ticket)
    seen = version_of(demo, ticket_id)
    comment(demo, ticket_id, AGENT, "Nota mientras el coordinador revisa.", internal=True)
    with in_chalco(demo):
        service = plugins.host().catalog.get("GCH-CCS-P10")
        event = apply(
            ticket_id,
            "reject",
            user(COORDINATOR),
            workflow=workflow_of(service),
            reason="No corresponde a la oficina.",
            expected_version=seen,
        )
        assert event.to_state == "rejected"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Escriba el comentario."),
        ("   \n ", "Escriba el comentario."),
        (None, "Escriba el comentario."),
        ("x" * 5001, "Un comentario tiene como máximo 5000 caracteres."),
    ],
)
def test_empty_or_too_long_text_is_refused(demo, make_ticket, text, message):
    ticket_id = new_ticket(make_ticket)
    with in_chalco(demo):
        ticket = db.session.get(Ticket, ticket_id)
        with pytest.raises(comments.CommentError) as refused:
            comments.add_comment(ticket, user(COORDINATOR), text, internal=False)
        assert str(refused.value.message) == message
    assert told(demo)[0] == []


def test_five_thousand_characters_are_accepted(demo, make_ticket):
    ticket_id = new_ticket(make_ticket)
    comment(demo, ticket_id, COORDINATOR, "x" * 5000)
    assert len(told(demo)[0]) == 2


@pytest.mark.parametrize(
    ("email", "internal"),
    [
        (REQUESTER, True),  # only staff write internal notes
        (LIAISON, True),
        ("solicitante@sinaloa.example", False),  # another tenant's requester
        ("coordinador@sinaloa.example", False),  # another tenant's staff
        ("coordinador@sinaloa.example", True),
    ],
)
def test_who_may_not_comment(demo, make_ticket, email, internal):
    ticket_id = new_ticket(make_ticket)
    with in_chalco(demo):
        ticket = db.session.get(Ticket, ticket_id)
        with pytest.raises(comments.CommentError):
            comments.add_comment(ticket, user(email), "Hola", internal=internal)
        assert [e.transition for e in ticket.events] == ["file"]
    assert told(demo)[0] == []


def test_another_requester_of_the_tenant_may_not_comment(demo, make_ticket):
    ticket_id = new_ticket(make_ticket, liaison=False)
    with in_chalco(demo):
        ticket = db.session.get(Ticket, ticket_id)
        assert not comments.may_comment(ticket, user(LIAISON), internal=False)
        with pytest.raises(comments.CommentError):
            comments.add_comment(ticket, user(LIAISON), "No es mía", internal=False)
        assert comments.may_comment(ticket, user(REQUESTER), internal=False)
        assert comments.may_comment(ticket, user(AGENT), internal=True)


# --- the command line --------------------------------------------------------------------


def test_cli_comment_and_show_marks_internal_notes(demo, runner, make_ticket):
    ticket_id = new_ticket(make_ticket)
    with demo.app_context():
        folio = db.session.scalar(
            select(Ticket.folio)
            .where(Ticket.id == ticket_id)
            .execution_options(**{ALL_TENANTS: True})
        )
    before = version_of(demo, ticket_id)
    public = runner.invoke(
        args=["ticket", "comment", folio, "--as", COORDINATOR, "--text", "Comentario público"]
    )
    assert public.exit_code == 0, public.output
    internal = runner.invoke(
        args=["ticket", "comment", folio, "--as", AGENT, "--text", "Nota interna", "--internal"]
    )
    assert internal.exit_code == 0, internal.output
    assert version_of(demo, ticket_id) == before
    shown = json.loads(runner.invoke(args=["ticket", "show", folio, "--json"]).output)
    events = shown["events"]
    assert [(e["transition"], e["internal"]) for e in events] == [
        ("file", False),
        ("comment", False),
        ("comment", True),
    ]
    assert events[2]["changes"] == {"text": "Nota interna", "internal": True}
    text = runner.invoke(args=["ticket", "show", folio]).output
    assert "comment (internal)" in text
    notices, _, _ = told(demo)
    assert (REQUESTER, "comment_public") in notices
    assert (REQUESTER, "comment_internal") not in notices


def test_cli_comment_refusals(demo, runner, make_ticket):
    ticket_id = new_ticket(make_ticket)
    with demo.app_context():
        folio = db.session.scalar(
            select(Ticket.folio)
            .where(Ticket.id == ticket_id)
            .execution_options(**{ALL_TENANTS: True})
        )
    cases = [
        ["--as", REQUESTER, "--text", "Nota", "--internal"],
        ["--as", "coordinador@sinaloa.example", "--text", "De otro gobierno"],
        ["--as", COORDINATOR, "--text", "   "],
        ["--as", "nadie@chalco.example", "--text", "Hola"],
    ]
    for args in cases:
        result = runner.invoke(args=["ticket", "comment", folio, *args])
        assert result.exit_code != 0, (args, result.output)
    assert runner.invoke(args=["ticket", "comment", "NO-EXISTE", *cases[0]]).exit_code != 0
    with demo.app_context():
        assert (
            db.session.scalars(
                select(TicketEvent)
                .where(TicketEvent.transition == "comment")
                .execution_options(**{ALL_TENANTS: True})
            ).all()
            == []
        )
