"""Each workflow step: who is told (helpdesk/notification_rules.py).

See notification_rules_support.py for how a step is observed.
"""

from __future__ import annotations

from tests.helpdesk import notification_rules_support as support
from tests.helpdesk.notification_rules_support import AGENT
from tests.helpdesk.notification_rules_support import COORD
from tests.helpdesk.notification_rules_support import P10
from tests.helpdesk.notification_rules_support import REQUESTER
from tests.helpdesk.notification_rules_support import SUMMARY
from tests.helpdesk.notification_rules_support import add_user
from tests.helpdesk.notification_rules_support import department_id
from tests.helpdesk.notification_rules_support import folio_of
from tests.helpdesk.notification_rules_support import link
from tests.helpdesk.notification_rules_support import mark
from tests.helpdesk.notification_rules_support import news
from tests.helpdesk.notification_rules_support import user_id

# The shared fixtures, bound here so that pytest uses them (app_config overrides
# the conftest one) for this module only.
app_config = support.app_config
file = support.file
move = support.move
ticket_id = support.ticket_id
turned = support.turned
in_progress = support.in_progress


def survey_mail_values(app, ticket_id):
    from sqlalchemy import select

    from helpdesk import surveys
    from helpdesk.extensions import db
    from helpdesk.models import Survey

    with app.app_context():
        survey = db.session.scalar(select(Survey).where(Survey.ticket_id == ticket_id))
        return surveys.mail_context(survey)


# --- the coordinator's steps --------------------------------------------------------------


def test_review_tells_the_requester_of_the_new_stage(demo, ticket_id, move):
    folio = folio_of(demo, ticket_id)
    before = mark(demo)
    move(ticket_id, "review", COORD)
    seen = news(demo, before)
    assert seen.told == [(REQUESTER, "state_changed")]
    assert seen.mailed == seen.told
    mail = seen.mails[(REQUESTER, "state_changed")]
    assert mail["subject"] == f"Su solicitud {folio}: En revisión de requisitos"
    assert mail["text"].startswith(
        f"Laura Méndez Ortiz:\n\nSu solicitud {folio} (Préstamo de proyector) pasó a la etapa "
        "«En revisión de requisitos».\n\nGobierno de Chalco\n"
    )


def test_request_completion_tells_the_requester_why(demo, ticket_id, move):
    folio = folio_of(demo, ticket_id)
    before = mark(demo)
    move(ticket_id, "request_completion", COORD, reason="Falta el oficio firmado por la titular.")
    seen = news(demo, before)
    assert seen.told == [(REQUESTER, "completion_requested")]
    assert seen.mailed == seen.told
    mail = seen.mails[(REQUESTER, "completion_requested")]
    assert mail["subject"] == f"Complete los requisitos de su solicitud {folio}"
    assert mail["text"] == (
        f"Laura Méndez Ortiz:\n\nPara continuar con su solicitud {folio} (Préstamo de proyector) "
        "necesitamos que complemente los requisitos.\n\n"
        "Motivo: Falta el oficio firmado por la titular.\n\n"
        "Gobierno de Chalco\n"
        f"Consulte la solicitud en: {link(folio, staff=False)}"
    )
    assert "<p>Motivo: Falta el oficio firmado por la titular.</p>" in mail["html"]


def test_resubmit_by_the_requester_tells_the_staff_following_it(demo, ticket_id, move):
    folio = folio_of(demo, ticket_id)
    move(ticket_id, "request_completion", COORD, reason="Falta el oficio")
    before = mark(demo)
    move(ticket_id, "resubmit", REQUESTER, fields={"data": {"summary": "Proyector y pantalla"}})
    seen = news(demo, before)
    # Not turned yet, no assignee: the service's department agents and the coordinators.
    assert seen.told == [(COORD, "ticket_updated"), (AGENT, "ticket_updated")]
    assert seen.mailed == seen.told
    for staff in (COORD, AGENT):
        mail = seen.mails[(staff, "ticket_updated")]
        assert mail["subject"] == f"Solicitud {folio}: Corregida, por revisar"
        assert "pasó a la etapa «Corregida, por revisar» por una acción de" in mail["text"]
        assert "Su solicitud" not in mail["text"]
        assert link(folio, staff=True) in mail["text"]


def test_turn_tells_the_department_and_the_requester(demo, ticket_id, move):
    folio = folio_of(demo, ticket_id)
    before = mark(demo)
    move(ticket_id, "turn", COORD, fields={"department_id": department_id(demo, "DGD")})
    seen = news(demo, before)
    assert seen.told == [(REQUESTER, "state_changed"), (AGENT, "ticket_turned")]
    assert seen.mailed == seen.told
    turned = seen.mails[(AGENT, "ticket_turned")]
    assert turned["subject"] == f"Solicitud {folio} turnada a su departamento"
    assert turned["text"].startswith(
        f"Se turnó a su departamento la solicitud {folio} de Préstamo de proyector: {SUMMARY}."
    )
    assert seen.mails[(REQUESTER, "state_changed")]["subject"] == (
        f"Su solicitud {folio}: Turnada al departamento"
    )


def test_turn_to_another_department_tells_only_that_departments_agents(demo, ticket_id, move):
    add_user(demo, "disenadora@chalco.example", "Rocío Pérez", "agent", department="DCII")
    before = mark(demo)
    move(ticket_id, "turn", COORD, fields={"department_id": department_id(demo, "DCII")})
    assert news(demo, before).told == [
        ("disenadora@chalco.example", "ticket_turned"),
        (REQUESTER, "state_changed"),
    ]


def test_assign_tells_only_the_assignee(demo, turned, move):
    add_user(demo, "tecnica2@chalco.example", "Sara Ávila", "agent", department="DGD")
    folio = folio_of(demo, turned)
    before = mark(demo)
    move(turned, "assign", COORD, fields={"assignee_id": user_id(demo, AGENT)})
    seen = news(demo, before)
    assert seen.told == [(AGENT, "ticket_assigned")]
    assert seen.mailed == seen.told
    mail = seen.mails[(AGENT, "ticket_assigned")]
    assert mail["subject"] == f"Se le asignó la solicitud {folio}"
    assert mail["text"].startswith(
        "Miguel Ángel Torres Ruiz:\n\n"
        f"Se le asignó la solicitud {folio} de Préstamo de proyector: {SUMMARY}."
    )


def test_an_agent_taking_the_ticket_is_not_told_about_it(demo, turned, move):
    before = mark(demo)
    move(turned, "assign", AGENT, fields={"assignee_id": user_id(demo, AGENT)})
    seen = news(demo, before)
    assert seen.told == []
    assert seen.files == []


def test_start_tells_the_requester(demo, turned, move):
    folio = folio_of(demo, turned)
    before = mark(demo)
    move(turned, "start", AGENT)
    seen = news(demo, before)
    assert seen.told == [(REQUESTER, "state_changed")]
    assert seen.mailed == seen.told
    assert seen.mails[(REQUESTER, "state_changed")]["subject"] == (
        f"Su solicitud {folio}: En atención"
    )


def test_conclude_tells_the_requester_with_the_text(demo, in_progress, move):
    folio = folio_of(demo, in_progress)
    before = mark(demo)
    move(in_progress, "conclude", AGENT, fields={"text": "Se entregó el proyector en el salón."})
    seen = news(demo, before)
    assert seen.told == [(REQUESTER, "ticket_concluded")]
    assert seen.mailed == seen.told
    mail = seen.mails[(REQUESTER, "ticket_concluded")]
    assert mail["subject"] == f"Solicitud {folio} concluida"
    survey = survey_mail_values(demo, in_progress)  # issue 7: the survey's link and deadline
    assert mail["text"] == (
        f"Laura Méndez Ortiz:\n\nSu solicitud {folio} (Préstamo de proyector) fue concluida."
        "\n\nSe entregó el proyector en el salón.\n\n"
        "¿Cómo le atendimos? Conteste la encuesta de satisfacción (tres opciones, un minuto) "
        f"hasta el {survey['survey_until']}: {survey['survey_link']}\n\n"
        "Gobierno de Chalco\n"
        f"Consulte la solicitud en: {link(folio, staff=False)}"
    )


def test_reject_tells_the_requester_with_the_reason(demo, ticket_id, move):
    folio = folio_of(demo, ticket_id)
    before = mark(demo)
    move(ticket_id, "reject", COORD, reason="El equipo no es del municipio; no procede.")
    seen = news(demo, before)
    assert seen.told == [(REQUESTER, "ticket_rejected")]
    assert seen.mailed == seen.told
    mail = seen.mails[(REQUESTER, "ticket_rejected")]
    assert mail["subject"] == f"Solicitud {folio} no procedente"
    assert mail["text"] == (
        f"Laura Méndez Ortiz:\n\nSu solicitud {folio} (Préstamo de proyector) no procede."
        "\n\nMotivo: El equipo no es del municipio; no procede.\n\n"
        "Gobierno de Chalco\n"
        f"Consulte la solicitud en: {link(folio, staff=False)}"
    )
    assert seen.lines[(REQUESTER, "ticket_rejected")] == f"Solicitud {folio} no procedente"


def test_reason_is_escaped_in_html_but_not_in_text(demo, ticket_id, move):
    before = mark(demo)
    move(ticket_id, "reject", COORD, reason="Falta <b>firma</b> & sello")
    mail = news(demo, before).mails[(REQUESTER, "ticket_rejected")]
    assert "Motivo: Falta <b>firma</b> & sello\n" in mail["text"]
    assert "<p>Motivo: Falta &lt;b&gt;firma&lt;/b&gt; &amp; sello</p>" in mail["html"]


# --- the requester's steps ----------------------------------------------------------------


def test_withdraw_by_the_requester_tells_the_staff(demo, ticket_id, move):
    folio = folio_of(demo, ticket_id)
    before = mark(demo)
    move(ticket_id, "withdraw", REQUESTER, reason="Ya no se necesita.")
    seen = news(demo, before)
    assert seen.told == [(COORD, "ticket_updated"), (AGENT, "ticket_updated")]
    assert seen.mailed == seen.told
    mail = seen.mails[(COORD, "ticket_updated")]
    assert mail["subject"] == f"Solicitud {folio}: Retirada por el solicitante"
    assert "\n\nMotivo: Ya no se necesita.\n\n" in mail["text"]


def test_requester_steps_go_to_the_assignee_not_the_whole_department(demo, make_ticket, move):
    add_user(demo, "tecnica2@chalco.example", "Sara Ávila", "agent", department="DGD")
    ticket_id = make_ticket("GCH-CCS-P10", data=P10)
    folio = folio_of(demo, ticket_id)
    move(ticket_id, "turn", COORD, fields={"department_id": department_id(demo, "DGD")})
    move(ticket_id, "assign", COORD, fields={"assignee_id": user_id(demo, AGENT)})
    move(ticket_id, "start", AGENT)

    before = mark(demo)
    move(ticket_id, "mark_solved", AGENT, fields={"text": "Se cambió la fuente de poder."})
    seen = news(demo, before)
    assert seen.told == [(REQUESTER, "action_requested")]
    mail = seen.mails[(REQUESTER, "action_requested")]
    assert mail["subject"] == f"Su solicitud {folio} espera su respuesta"
    assert mail["text"].startswith(
        f"Laura Méndez Ortiz:\n\nSu solicitud {folio} (Atención de solicitudes de soporte "
        "técnico) está en la etapa «Verifique la solución y firme y selle el formato» y espera "
        "su respuesta.\n\nSe cambió la fuente de poder.\n\n"
    )

    before = mark(demo)
    move(ticket_id, "report_still_failing", REQUESTER, reason="Se volvió a apagar.")
    seen = news(demo, before)
    assert seen.told == [(COORD, "ticket_updated"), (AGENT, "ticket_updated")]
    assert "Motivo: Se volvió a apagar." in seen.mails[(AGENT, "ticket_updated")]["text"]


def test_completion_asked_by_the_department_tells_the_requester_why(demo, make_ticket, move):
    """P10 lets Gobierno Digital ask to complete the requirements after the turn."""
    ticket_id = make_ticket("GCH-CCS-P10", data=P10)
    folio = folio_of(demo, ticket_id)
    move(ticket_id, "turn", COORD, fields={"department_id": department_id(demo, "DGD")})
    before = mark(demo)
    move(ticket_id, "department_requests_completion", AGENT, reason="Falta el número de serie.")
    seen = news(demo, before)
    assert seen.told == [(REQUESTER, "completion_requested")]
    mail = seen.mails[(REQUESTER, "completion_requested")]
    assert mail["subject"] == f"Complete los requisitos de su solicitud {folio}"
    assert "\n\nMotivo: Falta el número de serie.\n\n" in mail["text"]
