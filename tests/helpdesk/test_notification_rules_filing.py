"""Filing, the enlace and the P10 hand-off: who is told (helpdesk/notification_rules.py).

See notification_rules_support.py for how a step is observed.
"""

from __future__ import annotations

import email.policy
from email.parser import BytesParser

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import OutboxMessage
from helpdesk.models import Ticket
from helpdesk.models import TicketLink
from tests.helpdesk import notification_rules_support as support
from tests.helpdesk.notification_rules_support import AGENT
from tests.helpdesk.notification_rules_support import BASE_URL
from tests.helpdesk.notification_rules_support import COORD
from tests.helpdesk.notification_rules_support import ENLACE
from tests.helpdesk.notification_rules_support import P10
from tests.helpdesk.notification_rules_support import REQUESTER
from tests.helpdesk.notification_rules_support import SUMMARY
from tests.helpdesk.notification_rules_support import add_attachment
from tests.helpdesk.notification_rules_support import add_user
from tests.helpdesk.notification_rules_support import department_id
from tests.helpdesk.notification_rules_support import folio_of
from tests.helpdesk.notification_rules_support import lend_agent_to
from tests.helpdesk.notification_rules_support import link
from tests.helpdesk.notification_rules_support import mail_folder
from tests.helpdesk.notification_rules_support import mark
from tests.helpdesk.notification_rules_support import news
from tests.helpdesk.notification_rules_support import p04_data

# The shared fixtures, bound here so that pytest uses them (app_config overrides
# the conftest one) for this module only.
app_config = support.app_config
file = support.file
move = support.move
ticket_id = support.ticket_id
turned = support.turned
in_progress = support.in_progress


# --- filing -------------------------------------------------------------------------------


def test_filing_tells_the_requester_and_every_coordinator(demo, file, login_as):
    add_user(demo, "coordinadora2@chalco.example", "Irma Núñez", "coordinator")
    before = mark(demo)
    folio = folio_of(demo, file())
    seen = news(demo, before)
    assert seen.told == [
        ("coordinador@chalco.example", "ticket_received"),
        ("coordinadora2@chalco.example", "ticket_received"),
        (REQUESTER, "ticket_filed"),
    ]
    assert seen.mailed == seen.told
    assert len(seen.files) == 3
    filed = seen.mails[(REQUESTER, "ticket_filed")]
    assert filed["subject"] == f"Solicitud recibida: folio {folio}"
    assert filed["text"] == (
        "Laura Méndez Ortiz:\n\n"
        f"Recibimos su solicitud de Préstamo de proyector con el folio {folio} ({SUMMARY}). "
        "Con ese folio puede darle seguimiento.\n\n"
        "Gobierno de Chalco\n"
        f"Consulte la solicitud en: {link(folio, staff=False)}"
    )
    assert filed["html"] == (
        "<p>Laura Méndez Ortiz:</p>"
        f"<p>Recibimos su solicitud de Préstamo de proyector con el folio {folio} ({SUMMARY}). "
        "Con ese folio puede darle seguimiento.</p>"
        f'<p><a href="{link(folio, staff=False)}">Ver la solicitud {folio}</a></p>'
        '<p style="color:#666;font-size:12px">Gobierno de Chalco</p>'
    )
    assert seen.lines[(REQUESTER, "ticket_filed")] == f"Solicitud recibida: folio {folio}"
    # Each link opens the ticket's page for the person it was sent to.
    for role, staff in (("requester", False), ("coordinator", True)):
        path = link(folio, staff=staff).removeprefix(BASE_URL)
        assert login_as(role).get(path).status_code == 200
    received = seen.mails[(COORD, "ticket_received")]
    assert received["subject"] == f"Nueva solicitud {folio}: Préstamo de proyector"
    assert received["text"] == (
        f"Llegó la solicitud {folio} de Préstamo de proyector: {SUMMARY}.\n\n"
        "Gobierno de Chalco\n"
        f"Consulte la solicitud en: {link(folio, staff=True)}"
    )


def test_eml_files_keep_the_accents(demo, file):
    before = mark(demo)
    folio = folio_of(demo, file())
    seen = news(demo, before)
    with demo.app_context():
        recipient_file = db.session.scalar(
            select(OutboxMessage.id).where(
                OutboxMessage.recipient == REQUESTER, OutboxMessage.id > before.outbox
            )
        )
    raw = (mail_folder(demo) / f"{recipient_file:08d}.eml").read_bytes()
    parsed = BytesParser(policy=email.policy.default).parsebytes(raw)
    assert parsed["Subject"] == f"Solicitud recibida: folio {folio}"
    text = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    assert "Laura Méndez Ortiz:" in text
    assert "Recibimos su solicitud de Préstamo de proyector" in text
    assert "Recibimos su solicitud de Préstamo de proyector" in html
    assert f"{BASE_URL}/chalco/solicitudes/{folio}" in text
    assert len(seen.files) == 2


def test_filing_on_behalf_does_not_tell_the_coordinator_who_filed(demo, file):
    before = mark(demo)
    ticket_id = file(filed_by=COORD, channel="phone")
    folio = folio_of(demo, ticket_id)
    seen = news(demo, before)
    assert seen.told == [(REQUESTER, "ticket_filed")]
    assert seen.mailed == [(REQUESTER, "ticket_filed")]
    assert seen.mails[(REQUESTER, "ticket_filed")]["subject"] == (
        f"Solicitud recibida: folio {folio}"
    )
    with demo.app_context():
        assert db.session.get(Ticket, ticket_id).channel == "phone"


def test_filing_on_behalf_still_tells_the_other_coordinators(demo, file):
    add_user(demo, "coordinadora2@chalco.example", "Irma Núñez", "coordinator")
    before = mark(demo)
    file(filed_by=COORD, channel="oficio")
    assert news(demo, before).told == [
        ("coordinadora2@chalco.example", "ticket_received"),
        (REQUESTER, "ticket_filed"),
    ]


# --- the proposal loop and the enlace ------------------------------------------------------


def test_proposal_and_enlace_with_an_account(demo, file, move):
    add_user(demo, ENLACE, "Óscar Ibáñez", "requester")
    liaison = {"name": "Óscar Ibáñez", "email": ENLACE, "phone": "5555"}
    before = mark(demo)
    ticket_id = file("GCH-CCS-P04", data=p04_data(), liaison=liaison)
    folio = folio_of(demo, ticket_id)
    seen = news(demo, before)
    assert seen.told == [
        (COORD, "ticket_received"),
        (ENLACE, "ticket_filed"),
        (REQUESTER, "ticket_filed"),
    ]
    assert seen.mails[(ENLACE, "ticket_filed")]["text"].startswith(
        "Óscar Ibáñez:\n\nRecibimos su solicitud de Elaboración de material editorial digital "
        f"y/o para impresión con el folio {folio}"
    )

    dcii = lend_agent_to(demo, "DCII")
    before = mark(demo)
    move(ticket_id, "turn", COORD, fields={"department_id": dcii})
    assert news(demo, before).told == [
        (ENLACE, "state_changed"),
        (REQUESTER, "state_changed"),
        (AGENT, "ticket_turned"),
    ]
    move(ticket_id, "start", AGENT)

    before = mark(demo)
    proposal = add_attachment(demo, ticket_id)
    move(ticket_id, "send_proposal", AGENT, fields={"attachment_ids": [proposal]})
    seen = news(demo, before)
    assert seen.told == [(ENLACE, "action_requested"), (REQUESTER, "action_requested")]
    assert seen.mailed == seen.told
    mail = seen.mails[(REQUESTER, "action_requested")]
    assert mail["subject"] == f"Su solicitud {folio} espera su respuesta"
    assert mail["text"] == (
        f"Laura Méndez Ortiz:\n\nSu solicitud {folio} (Elaboración de material editorial "
        "digital y/o para impresión) está en la etapa «Revise la propuesta y apruébela o "
        "solicite cambios» y espera su respuesta.\n\n"
        "Gobierno de Chalco\n"
        f"Consulte la solicitud en: {link(folio, staff=False)}"
    )
    assert seen.mails[(ENLACE, "action_requested")]["text"].startswith("Óscar Ibáñez:\n\n")

    # The enlace answers: the department (no assignee yet) and the coordinators hear of it.
    before = mark(demo)
    move(ticket_id, "request_changes", ENLACE, reason="Cambiar los colores.")
    seen = news(demo, before)
    assert seen.told == [(COORD, "ticket_updated"), (AGENT, "ticket_updated")]
    assert "Motivo: Cambiar los colores." in seen.mails[(COORD, "ticket_updated")]["text"]

    proposal = add_attachment(demo, ticket_id, "propuesta-2.pdf")
    move(ticket_id, "send_proposal", AGENT, fields={"attachment_ids": [proposal]})
    before = mark(demo)
    move(ticket_id, "approve", REQUESTER)
    assert news(demo, before).told == [(COORD, "ticket_updated"), (AGENT, "ticket_updated")]

    before = mark(demo)
    move(ticket_id, "conclude", AGENT, fields={"text": "Material respaldado."})
    assert news(demo, before).told == [
        (ENLACE, "ticket_concluded"),
        (REQUESTER, "ticket_concluded"),
    ]


def test_enlace_without_an_account_gets_nothing_and_nothing_fails(demo, file, move):
    liaison = {"name": "Persona sin cuenta", "email": "sin.cuenta@chalco.example"}
    before = mark(demo)
    ticket_id = file("GCH-CCS-P04", data=p04_data(), liaison=liaison)
    assert news(demo, before).told == [(COORD, "ticket_received"), (REQUESTER, "ticket_filed")]
    before = mark(demo)
    move(ticket_id, "request_completion", COORD, reason="Falta el logotipo.")
    assert news(demo, before).told == [(REQUESTER, "completion_requested")]


def test_enlace_match_ignores_case(demo, file):
    add_user(demo, ENLACE, "Óscar Ibáñez", "requester")
    liaison = {"name": "Óscar", "email": "Enlace@Chalco.Example"}
    before = mark(demo)
    file("GCH-CCS-P04", data=p04_data(), liaison=liaison)
    assert news(demo, before).told == [
        (COORD, "ticket_received"),
        (ENLACE, "ticket_filed"),
        (REQUESTER, "ticket_filed"),
    ]


def test_enlace_who_is_staff_is_still_told_of_staff_steps_as_the_requester_is(demo, file, move):
    """The technician named as enlace takes staff steps as staff: the requester still hears."""
    ticket_id = file(liaison={"name": "Miguel", "email": AGENT})
    move(ticket_id, "turn", COORD, fields={"department_id": department_id(demo, "DGD")})
    before = mark(demo)
    move(ticket_id, "start", AGENT)
    assert news(demo, before).told == [(REQUESTER, "state_changed")]
    before = mark(demo)
    move(ticket_id, "conclude", AGENT, fields={"text": "Listo."})
    assert news(demo, before).told == [(REQUESTER, "ticket_concluded")]


def test_enlace_who_is_staff_answering_as_enlace_tells_the_staff(demo, file, move):
    ticket_id = file(liaison={"name": "Miguel", "email": AGENT})
    move(ticket_id, "request_completion", COORD, reason="Falta el oficio")
    before = mark(demo)
    move(ticket_id, "resubmit", AGENT, fields={"data": {"summary": "Otro"}})
    assert news(demo, before).told == [(COORD, "ticket_updated")]


# --- hand-off -----------------------------------------------------------------------------


def test_p10_hand_off_files_the_linked_dictamen_and_tells_of_both(demo, make_ticket, move):
    ticket_id = make_ticket("GCH-CCS-P10", data=P10)
    move(ticket_id, "turn", COORD, fields={"department_id": department_id(demo, "DGD")})
    move(ticket_id, "start", AGENT)
    folio = folio_of(demo, ticket_id)
    before = mark(demo)
    move(ticket_id, "not_solved", AGENT, reason="La tarjeta madre está dañada.")
    with demo.app_context():
        dictamen = db.session.scalar(select(TicketLink)).target.folio
    seen = news(demo, before)
    assert seen.about == sorted(
        [
            (COORD, "ticket_received", dictamen),
            (REQUESTER, "ticket_filed", dictamen),
            (REQUESTER, "state_changed", folio),
        ]
    )
    assert seen.mailed == sorted(
        [(COORD, "ticket_received"), (REQUESTER, "ticket_filed"), (REQUESTER, "state_changed")]
    )
    assert seen.mails[(COORD, "ticket_received")]["subject"] == (
        f"Nueva solicitud {dictamen}: Dictamen técnico interno de soporte técnico"
    )
    assert seen.mails[(REQUESTER, "ticket_filed")]["subject"] == (
        f"Solicitud recibida: folio {dictamen}"
    )
    changed = seen.mails[(REQUESTER, "state_changed")]
    assert changed["subject"] == (
        f"Su solicitud {folio}: Sin solución: se emite dictamen técnico interno al titular"
    )
    assert "Motivo: La tarjeta madre está dañada." in changed["text"]
