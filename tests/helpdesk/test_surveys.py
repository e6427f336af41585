"""Satisfaction surveys (helpdesk/surveys.py): created when a ticket is concluded, the token,
answers, follow-up, and the hook that adds a service's own questions (issue 7).

Reminders, the command and the settings are in test_surveys_reminders.py.
"""

from __future__ import annotations

import dataclasses
import hashlib
import types
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

from helpdesk import hookimpl
from helpdesk import notification_rules
from helpdesk import survey_follow_up
from helpdesk import surveys
from helpdesk.catalog import CatalogError
from helpdesk.catalog import SurveyQuestion
from helpdesk.extensions import db
from helpdesk.models import Survey
from helpdesk.models import Ticket
from helpdesk.models import User
from helpdesk.sla import as_utc
from helpdesk.testing import build_test_app
from helpdesk.testing import dispose
from helpdesk.workflow.engine import TransitionError
from tests.helpdesk import notification_rules_support as rules
from tests.helpdesk import surveys_support as support
from tests.helpdesk.notification_rules_support import AGENT
from tests.helpdesk.notification_rules_support import BASE_URL
from tests.helpdesk.notification_rules_support import COORD
from tests.helpdesk.notification_rules_support import REQUESTER
from tests.helpdesk.notification_rules_support import folio_of
from tests.helpdesk.notification_rules_support import user_id
from tests.helpdesk.surveys_support import ASK
from tests.helpdesk.surveys_support import MX
from tests.helpdesk.surveys_support import QUESTIONS
from tests.helpdesk.surveys_support import REOPEN
from tests.helpdesk.surveys_support import in_tenant
from tests.helpdesk.surveys_support import survey_of
from tests.helpdesk.surveys_support import survey_row
from tests.helpdesk.surveys_support import surveys_of
from tests.helpdesk.surveys_support import token_of
from tests.helpdesk.surveys_support import travel

app_config = support.app_config
file = rules.file
move = rules.move
conclude = support.conclude


def survey_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count(Survey.id)).execution_options(all_tenants=True))


# --- created when a ticket is concluded ----------------------------------------------------


def test_concluding_creates_the_survey_with_its_deadlines(demo, conclude):
    # Thursday 12 March 2026, 12:00 in Mexico City.
    with travel(2026, 3, 12, 12, 0):
        ticket_id = conclude()
    row = survey_of(demo, ticket_id)
    concluded = datetime(2026, 3, 12, 12, 0, tzinfo=MX)
    assert row["requester_id"] == user_id(demo, REQUESTER)
    assert row["service_code"] == "SAMPLE-01"
    assert as_utc(row["created_at"]) == concluded
    assert as_utc(row["expires_at"]) == concluded + timedelta(days=30)  # calendar days
    # Three business days: Friday 13, (the weekend, and Monday 16, Benito Juárez's day,
    # are not working days), Tuesday 17, Wednesday 18 at the same time of day.
    assert as_utc(row["remind_at"]) == datetime(2026, 3, 18, 12, 0, tzinfo=MX)
    assert (row["answered_at"], row["rating"], row["reminded_at"], row["answers"]) == (
        None,
        None,
        None,
        {},
    )
    with demo.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        assert (ticket.state, ticket.outcome) == ("concluded", "concluded")


def test_the_token_is_never_stored_only_its_hash(demo, conclude):
    ticket_id = conclude()
    row = survey_of(demo, ticket_id)
    token = token_of(demo, ticket_id)
    assert len(token) == 43
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(row)
    # Another secret key gives another token: the link is bound to this installation.
    with demo.app_context():
        demo.config["SECRET_KEY"] = "another-secret-key-0123456789"
        try:
            assert surveys.token_for(row["nonce"]) != token
        finally:
            demo.config["SECRET_KEY"] = "test-secret-key-0123456789"


def test_steps_before_the_conclusion_create_nothing(demo, file, move):
    ticket_id = file()
    move(ticket_id, "turn", COORD, fields={"department_id": rules.department_id(demo, "DGD")})
    move(ticket_id, "start", AGENT)
    assert survey_count(demo) == 0


def test_rejected_and_withdrawn_requests_get_no_survey(demo, file, move):
    rejected, withdrawn = file(), file()
    move(rejected, "reject", COORD, reason="El equipo no pertenece al municipio.")
    move(withdrawn, "withdraw", REQUESTER, reason="Ya no lo necesito.")
    with demo.app_context():
        outcomes = {
            db.session.get(Ticket, rejected).outcome,
            db.session.get(Ticket, withdrawn).outcome,
        }
    assert outcomes == {"rejected", "withdrawn"}
    assert survey_count(demo) == 0


def test_a_reopened_request_concluded_again_keeps_its_one_survey(demo, conclude, move):
    ticket_id = conclude(service=REOPEN)
    first = survey_of(demo, ticket_id)
    move(ticket_id, "reopen", COORD)
    assert rules.state_of(demo, ticket_id)[0] == "in_progress"
    before = rules.mark(demo)
    move(ticket_id, "conclude", AGENT, fields={"text": "Quedó resuelto de nuevo."})
    assert surveys_of(demo) == [first]
    # The second notice of conclusion carries no second survey.
    seen = rules.news(demo, before)
    assert seen.told == [(REQUESTER, "ticket_concluded")]
    assert "encuesta" not in seen.mails[(REQUESTER, "ticket_concluded")]["text"]


def test_a_conclusion_that_fails_leaves_no_survey(demo, file, move, monkeypatch):
    ticket_id = file()
    move(ticket_id, "turn", COORD, fields={"department_id": rules.department_id(demo, "DGD")})
    move(ticket_id, "start", AGENT)

    def broken(*args, **kwargs):
        raise TransitionError("El correo no pudo prepararse.")

    # The survey is written first, then the notices: one transaction, rolled back whole.
    monkeypatch.setattr(notification_rules.notifications, "notify", broken)
    with pytest.raises(TransitionError):
        move(ticket_id, "conclude", AGENT, fields={"text": "Listo."})
    assert survey_count(demo) == 0
    assert rules.state_of(demo, ticket_id)[0] == "in_progress"


def test_the_conclusion_notice_carries_the_link_to_the_requester_only(demo, file, move):
    ticket_id = file(liaison={"name": "Enlace", "email": rules.ENLACE, "phone": "5550000000"})
    rules.add_user(demo, rules.ENLACE, "Enlace de la Dirección", "requester")
    move(ticket_id, "turn", COORD, fields={"department_id": rules.department_id(demo, "DGD")})
    move(ticket_id, "start", AGENT)
    before = rules.mark(demo)
    move(ticket_id, "conclude", AGENT, fields={"text": "Listo."})
    seen = rules.news(demo, before)
    assert seen.mailed == [(rules.ENLACE, "ticket_concluded"), (REQUESTER, "ticket_concluded")]
    token = token_of(demo, ticket_id)
    link = f"{BASE_URL}/chalco/encuesta/{token}"
    mail = seen.mails[(REQUESTER, "ticket_concluded")]
    assert link in mail["text"] and f'<a href="{link}">{link}</a>' in mail["html"]
    assert "encuesta" not in seen.mails[(rules.ENLACE, "ticket_concluded")]["text"]


# --- the token ----------------------------------------------------------------------------


def test_the_token_finds_its_survey_only_in_its_own_tenant(demo, conclude):
    ticket_id = conclude()
    token = token_of(demo, ticket_id)
    neighbour = token[:-1] + ("A" if token[-1] != "A" else "B")
    with in_tenant(demo):
        assert surveys.find_by_token(token).ticket_id == ticket_id
        for wrong in (neighbour, token[:-1], token + "A", "", "../" + token[3:], "x" * 43):
            assert surveys.find_by_token(wrong) is None
    with in_tenant(demo, "sinaloa"):
        assert surveys.find_by_token(token) is None


# --- answers ------------------------------------------------------------------------------


def test_an_answer_is_recorded_once(demo, conclude):
    with travel(2026, 3, 12, 12, 0):
        ticket_id = conclude()
    with travel(2026, 3, 20, 10, 0):
        support.answer(demo, ticket_id, "regular", comment="  Tardaron un poco.  ")
    row = survey_of(demo, ticket_id)
    assert (row["rating"], row["comment"], row["answers"]) == ("regular", "Tardaron un poco.", {})
    assert as_utc(row["answered_at"]) == datetime(2026, 3, 20, 10, 0, tzinfo=MX)
    with travel(2026, 3, 21, 10, 0), pytest.raises(surveys.SurveyError) as refused:
        support.answer(demo, ticket_id, "satisfied", comment="Cambio de opinión")
    assert refused.value.closed == "answered"
    assert survey_of(demo, ticket_id) == row


def test_an_expired_survey_cannot_be_answered(demo, conclude):
    with travel(2026, 3, 12, 12, 0):
        ticket_id = conclude()
    with travel(2026, 4, 11, 11, 59):  # 30 days minus a minute
        with in_tenant(demo):
            assert surveys.status(survey_row(ticket_id)) == "open"
    with travel(2026, 4, 11, 12, 0), pytest.raises(surveys.SurveyError) as refused:
        support.answer(demo, ticket_id, "satisfied")
    assert refused.value.closed == "expired"
    assert survey_of(demo, ticket_id)["answered_at"] is None


@pytest.mark.parametrize(
    "rating, comment, field",
    [
        (None, "", "rating"),
        ("  ", "Sin calificación", "rating"),
        ("excellent", "", "rating"),
        ("satisfied", "x" * (surveys.MAX_COMMENT + 1), "comment"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(demo, conclude, rating, comment, field):
    ticket_id = conclude()
    before = survey_of(demo, ticket_id)
    marked = rules.mark(demo)
    with pytest.raises(surveys.SurveyError) as refused:
        support.answer(demo, ticket_id, rating, comment=comment)
    assert list(refused.value.errors) == [field] and refused.value.closed is None
    assert survey_of(demo, ticket_id) == before
    rules.assert_nothing_since(demo, marked)


def test_the_longest_comment_is_accepted(demo, conclude):
    ticket_id = conclude()
    support.answer(demo, ticket_id, "satisfied", comment="ñ" * surveys.MAX_COMMENT)
    assert survey_of(demo, ticket_id)["comment"] == "ñ" * surveys.MAX_COMMENT


def test_an_unsatisfied_answer_tells_the_coordinators(demo, conclude):
    ticket_id = conclude()
    folio = folio_of(demo, ticket_id)
    second = rules.add_user(demo, "coordinadora2@chalco.example", "Elena Ruiz", "coordinator")
    rules.add_user(demo, "inactiva@chalco.example", "Inactiva", "coordinator", active=False)
    before = rules.mark(demo)
    support.answer(demo, ticket_id, "unsatisfied", comment="Nunca llegó el técnico.")
    seen = rules.news(demo, before)
    assert second
    assert seen.told == [
        (COORD, "survey_unsatisfied"),
        ("coordinadora2@chalco.example", "survey_unsatisfied"),
    ]
    assert seen.mailed == seen.told
    mail = seen.mails[(COORD, "survey_unsatisfied")]
    assert mail["subject"] == f"Encuesta: solicitante insatisfecho con la solicitud {folio}"
    assert mail["text"].startswith(
        f"Laura Méndez Ortiz contestó «Insatisfecho» en la encuesta de satisfacción de la "
        f"solicitud {folio} (Préstamo de proyector).\n\nComentario: Nunca llegó el técnico."
        f"\n\nRegistre el seguimiento en: {BASE_URL}/chalco/encuestas/seguimiento\n\n"
    )
    assert seen.lines[(COORD, "survey_unsatisfied")] == (
        f"Laura Méndez Ortiz quedó insatisfecho con la solicitud {folio} (Préstamo de proyector)."
    )


@pytest.mark.parametrize("rating", ["satisfied", "regular"])
def test_other_answers_tell_nobody(demo, conclude, rating):
    ticket_id = conclude()
    before = rules.mark(demo)
    support.answer(demo, ticket_id, rating)
    rules.assert_nothing_since(demo, before)


# --- follow-up ----------------------------------------------------------------------------


def test_a_follow_up_is_recorded_once_with_who_and_when(demo, conclude):
    ticket_id = conclude()
    support.answer(demo, ticket_id, "unsatisfied", comment="Mal servicio.")
    with in_tenant(demo):
        coordinator = db.session.scalar(select(User).where(User.email == COORD))
        for note, field_message in (("", "note"), ("x" * (survey_follow_up.MAX_NOTE + 1), "note")):
            with pytest.raises(surveys.SurveyError) as refused:
                survey_follow_up.follow_up(survey_row(ticket_id), coordinator, note)
            assert list(refused.value.errors) == [field_message]
        with travel(2026, 3, 23, 9, 30):
            survey_follow_up.follow_up(
                survey_row(ticket_id), coordinator, " Se llamó a la solicitante. "
            )
        with pytest.raises(surveys.SurveyError):
            survey_follow_up.follow_up(survey_row(ticket_id), coordinator, "Otra nota")
    row = survey_of(demo, ticket_id)
    assert row["followed_up_by_id"] == user_id(demo, COORD)
    assert row["follow_up_note"] == "Se llamó a la solicitante."
    assert as_utc(row["followed_up_at"]) == datetime(2026, 3, 23, 9, 30, tzinfo=MX)


def test_an_unanswered_survey_cannot_be_followed_up(demo, conclude):
    ticket_id = conclude()
    with in_tenant(demo):
        coordinator = db.session.scalar(select(User).where(User.email == COORD))
        with pytest.raises(surveys.SurveyError):
            survey_follow_up.follow_up(survey_row(ticket_id), coordinator, "Nota")
    assert survey_of(demo, ticket_id)["followed_up_at"] is None


def test_the_follow_up_list_puts_pending_unsatisfied_answers_first(demo, conclude):
    with travel(2026, 3, 12, 12, 0):
        older, newer, done, happy = (conclude() for _ in range(4))
    for day, (ticket_id, rating) in enumerate(
        [
            (older, "unsatisfied"),
            (done, "unsatisfied"),
            (newer, "unsatisfied"),
            (happy, "satisfied"),
        ]
    ):
        with travel(2026, 3, 16 + day, 10, 0):
            support.answer(demo, ticket_id, rating)
    with in_tenant(demo):
        coordinator = db.session.scalar(select(User).where(User.email == COORD))
        survey_follow_up.follow_up(survey_row(done), coordinator, "Atendido")
        assert [s.ticket_id for s in survey_follow_up.answered()] == [newer, older, done]
        assert [s.ticket_id for s in survey_follow_up.answered("all")] == [
            newer,
            older,
            happy,
            done,
        ]
        assert [s.ticket_id for s in survey_follow_up.answered("satisfied")] == [happy]
        assert survey_follow_up.answer_counts() == {
            "satisfied": 1,
            "regular": 0,
            "unsatisfied": 3,
            "all": 4,
            "pending": 2,
        }
    with in_tenant(demo, "sinaloa"):
        assert survey_follow_up.answered("all") == []


# --- the hook: a service's own questions ---------------------------------------------------


def test_hook_helpdesk_survey_questions(demo, conclude):
    host = demo.extensions["helpdesk"]
    assert host.survey_questions(service=host.catalog.get(ASK)) == QUESTIONS
    assert host.survey_questions(service=host.catalog.get("SAMPLE-01")) == []
    infos = {info.name: info for info in host.plugin_infos()}
    assert "helpdesk_survey_questions" in infos["helpdesk.defaults.survey"].hooks
    ticket_id = conclude(service=ASK)
    with in_tenant(demo):
        assert surveys.questions_for(survey_row(ticket_id)) == QUESTIONS
    # The required question is asked: without it nothing is saved.
    with pytest.raises(surveys.SurveyError) as refused:
        support.answer(demo, ticket_id, "satisfied", answers={"staff": "regular"})
    assert list(refused.value.errors) == ["q_on_time"]
    with pytest.raises(surveys.SurveyError) as refused:
        support.answer(
            demo,
            ticket_id,
            "satisfied",
            answers={"on_time": "maybe", "staff": "great", "suggestion": "y" * 1001},
        )
    assert set(refused.value.errors) == {"q_on_time", "q_staff", "q_suggestion"}
    assert survey_of(demo, ticket_id)["answered_at"] is None
    support.answer(
        demo,
        ticket_id,
        "satisfied",
        answers={"on_time": "no", "staff": "regular", "suggestion": " Avisar antes. ", "x": "1"},
    )
    assert survey_of(demo, ticket_id)["answers"] == {
        "on_time": False,
        "staff": "regular",
        "suggestion": "Avisar antes.",
    }


def asking(*questions):
    module = types.ModuleType("asking_plugin")

    @hookimpl
    def helpdesk_survey_questions(service):
        return list(questions)

    module.helpdesk_survey_questions = helpdesk_survey_questions
    return module


def test_a_question_code_used_twice_stops_start_up_naming_both_plugins(tmp_path):
    same = SurveyQuestion(code="trato", text="¿Le trataron bien?", kind="yes_no")
    objects = [("first", asking(same)), ("second", asking(same))]
    with pytest.raises(CatalogError) as excinfo:
        build_test_app(tmp_path, HELPDESK_LOAD_PLUGINS=["sample"], HELPDESK_PLUGIN_OBJECTS=objects)
    assert "trato" in str(excinfo.value) and "SAMPLE-01" in str(excinfo.value)
    assert "'first'" in str(excinfo.value) and "'second'" in str(excinfo.value)


def test_something_else_than_a_question_stops_start_up(tmp_path):
    with pytest.raises(CatalogError, match="helpdesk_survey_questions"):
        build_test_app(
            tmp_path,
            HELPDESK_LOAD_PLUGINS=["sample"],
            HELPDESK_PLUGIN_OBJECTS=[("bad", asking({"code": "x"}))],
        )


def test_questions_are_asked_in_plugin_name_order(tmp_path):
    one = SurveyQuestion(code="uno", text="¿Uno?", kind="text")
    two = SurveyQuestion(code="dos", text="¿Dos?", kind="text")
    three = SurveyQuestion(code="tres", text="¿Tres?", kind="scale", required=True)
    app = build_test_app(
        tmp_path,
        HELPDESK_LOAD_PLUGINS=["sample"],
        HELPDESK_PLUGIN_OBJECTS=[("zeta", asking(one)), ("alfa", asking(two, three))],
    )
    try:
        host = app.extensions["helpdesk"]
        assert host.survey_questions(service=host.catalog.get("SAMPLE-01")) == [two, three, one]
    finally:
        dispose(app)


@pytest.mark.parametrize(
    "values",
    [
        {"code": "", "text": "¿Algo?"},
        {"code": "Mayúsculas", "text": "¿Algo?"},
        {"code": "con espacio", "text": "¿Algo?"},
        {"code": "1numero", "text": "¿Algo?"},
        {"code": "ok", "text": "   "},
        {"code": "ok", "text": "¿Algo?", "kind": "stars"},
    ],
)
def test_a_malformed_question_is_refused(values):
    with pytest.raises(CatalogError):
        SurveyQuestion(**values)


def test_the_core_default_asks_nothing_more(bare_app):
    host = bare_app.extensions["helpdesk"]
    assert "helpdesk.defaults.survey" in {info.name for info in host.plugin_infos()}
    assert host.pm.hook.helpdesk_survey_questions(service=None) == [[]]


def test_an_internal_service_gets_no_survey_of_its_own(demo, file, conclude, monkeypatch):
    # An internal service (P10's dictamen) is opened by another's hand-off: the requester
    # answers the first service's survey, not a second one.
    ticket_id = file()
    catalog = demo.extensions["helpdesk"].catalog
    internal = dataclasses.replace(catalog.get("SAMPLE-01"), internal=True)
    genuine = catalog.get
    monkeypatch.setattr(
        catalog, "get", lambda code: internal if code == "SAMPLE-01" else genuine(code)
    )
    conclude(ticket_id)
    assert rules.state_of(demo, ticket_id)[0] == "concluded"
    assert survey_count(demo) == 0
