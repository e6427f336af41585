"""The survey reminder (helpdesk/surveys.py remind_due), `helpdesk survey remind`, the sweep job
that runs it, and the survey settings (issue 7)."""

from __future__ import annotations

import json
import threading
from datetime import datetime
from datetime import timedelta

import pytest

from helpdesk import jobs
from helpdesk import surveys
from helpdesk.config import ConfigError
from helpdesk.config import from_environment
from helpdesk.sla import as_utc
from tests.helpdesk import notification_rules_support as rules
from tests.helpdesk import surveys_support as support
from tests.helpdesk.notification_rules_support import BASE_URL
from tests.helpdesk.notification_rules_support import REQUESTER
from tests.helpdesk.notification_rules_support import folio_of
from tests.helpdesk.surveys_support import MX
from tests.helpdesk.surveys_support import eml_text
from tests.helpdesk.surveys_support import link_in
from tests.helpdesk.surveys_support import mails
from tests.helpdesk.surveys_support import notices
from tests.helpdesk.surveys_support import remind
from tests.helpdesk.surveys_support import survey_of
from tests.helpdesk.surveys_support import token_of
from tests.helpdesk.surveys_support import travel

app_config = support.app_config
file = rules.file
move = rules.move
conclude = support.conclude

# Concluded on Thursday 12 March 2026 at 12:00 (Mexico City): the reminder is due three
# business days later, on Wednesday 18 (Monday 16 is Benito Juárez's day, a rest day).
CONCLUDED = (2026, 3, 12, 12, 0)
DUE = datetime(2026, 3, 18, 12, 0, tzinfo=MX)


@pytest.fixture
def concluded(demo, conclude):
    with travel(*CONCLUDED):
        return conclude()


def test_the_reminder_is_sent_once_when_due(demo, concluded):
    folio = folio_of(demo, concluded)
    assert remind(demo, DUE - timedelta(minutes=1)) == []
    before = rules.mark(demo)
    assert remind(demo, DUE) == [folio]
    seen = rules.news(demo, before)  # checks the e-mail, its .eml file and its footer
    assert seen.told == seen.mailed == [(REQUESTER, "survey_reminder")]
    mail = seen.mails[(REQUESTER, "survey_reminder")]
    assert mail["subject"] == f"Recordatorio: encuesta de satisfacción de su solicitud {folio}"
    link = f"{BASE_URL}/chalco/encuesta/{token_of(demo, concluded)}"
    until = "sábado 11 de abril de 2026, 12:00"
    assert mail["text"].startswith(
        f"Laura Méndez Ortiz:\n\nSu solicitud {folio} (Préstamo de proyector) fue concluida y "
        "aún no conocemos su opinión. Conteste la encuesta de satisfacción (tres opciones, un "
        f"minuto) hasta el {until}: {link}\n\n"
    )
    assert seen.lines[(REQUESTER, "survey_reminder")] == (
        f"Conteste la encuesta de satisfacción de su solicitud {folio} hasta el {until}."
    )
    assert as_utc(survey_of(demo, concluded)["reminded_at"]) == DUE
    # Once: later runs send nothing more.
    marked = rules.mark(demo)
    assert remind(demo, DUE) == []
    assert remind(demo, DUE + timedelta(days=5)) == []
    rules.assert_nothing_since(demo, marked)


def test_the_reminder_carries_the_same_link_as_the_conclusion(demo, concluded):
    remind(demo, DUE)
    (concluded_mail,) = mails(demo, "ticket_concluded")
    (reminder,) = mails(demo, "survey_reminder")
    first = link_in(eml_text(demo, concluded_mail.id))
    assert link_in(eml_text(demo, reminder.id)) == first
    assert first[1] == token_of(demo, concluded)


def test_no_reminder_for_an_answered_survey(demo, concluded):
    with travel(2026, 3, 13, 10, 0):
        support.answer(demo, concluded, "satisfied")
    assert remind(demo, DUE) == []
    assert survey_of(demo, concluded)["reminded_at"] is None
    assert notices(demo, "survey_reminder") == []


def test_no_reminder_for_an_expired_survey(demo, concluded):
    expires = as_utc(survey_of(demo, concluded)["expires_at"])
    # Nobody ran the reminder while it was open; it is not sent after the survey closed.
    assert remind(demo, expires) == []
    assert remind(demo, expires + timedelta(days=1)) == []
    assert notices(demo, "survey_reminder") == []


@pytest.mark.parametrize(
    "app_config",
    [{**support.app_config.__wrapped__(), "HELPDESK_SURVEY_REMINDER_DAYS": 0}],
)
def test_no_reminder_when_turned_off(demo, concluded):
    assert survey_of(demo, concluded)["remind_at"] is None
    assert remind(demo, DUE + timedelta(days=10)) == []


@pytest.mark.parametrize(
    "app_config",
    [{**support.app_config.__wrapped__(), "HELPDESK_SURVEY_EXPIRY_DAYS": 5}],
)
def test_no_reminder_planned_after_the_survey_closes(demo, concluded):
    # Five calendar days close it on Tuesday 17, before the third business day.
    row = survey_of(demo, concluded)
    assert as_utc(row["expires_at"]) == datetime(2026, 3, 17, 12, 0, tzinfo=MX)
    assert row["remind_at"] is None


@pytest.mark.parametrize(
    "app_config",
    [{**support.app_config.__wrapped__(), "HELPDESK_SURVEY_REMINDER_DAYS": 1}],
)
def test_a_conclusion_after_hours_counts_from_the_next_opening(demo, conclude):
    # Friday 13 March, 19:00: after hours. The next opening is Tuesday 17 at 9:00 (Monday is a
    # rest day); one business day later is Wednesday 18 at 9:00.
    with travel(2026, 3, 13, 19, 0):
        ticket_id = conclude()
    assert as_utc(survey_of(demo, ticket_id)["remind_at"]) == datetime(2026, 3, 18, 9, 0, tzinfo=MX)


def test_two_runs_at_once_send_one_reminder(demo, concluded, monkeypatch):
    barrier = threading.Barrier(2)
    found = surveys._due

    def due_then_wait(now):
        rows = found(now)
        barrier.wait(10)  # both runs have read the survey as due before either claims it
        return rows

    monkeypatch.setattr(surveys, "_due", due_then_wait)
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def run():
        try:
            results.append(remind(demo, DUE))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert sorted(results) == [[], [folio_of(demo, concluded)]]
    assert notices(demo, "survey_reminder") == [(REQUESTER, notices(demo, "survey_reminder")[0][1])]
    assert len(mails(demo, "survey_reminder")) == 1


def test_reminders_stay_in_their_tenant(demo, conclude):
    with travel(*CONCLUDED):
        chalco = conclude()
        sinaloa = conclude(
            service=support.REOPEN, tenant="sinaloa", department="DGE", requester=rules.SINALOA[0]
        )
    assert sorted(remind(demo, DUE)) == sorted([folio_of(demo, chalco), folio_of(demo, sinaloa)])
    assert [email for email, _ in notices(demo, "survey_reminder")] in (
        [REQUESTER, rules.SINALOA[0]],
        [rules.SINALOA[0], REQUESTER],
    )


# --- the command and the periodic job ------------------------------------------------------


def test_the_command_sends_what_is_due_at_the_given_moment(demo, concluded, runner):
    folio = folio_of(demo, concluded)
    early = runner.invoke(args=["survey", "remind", "--at", "2026-03-18T17:59:00+00:00"])
    assert early.exit_code == 0, early.output
    assert early.output == "Recordatorios de encuesta enviados: 0\n"
    # A moment without zone is taken as UTC (18:00 UTC is 12:00 in Mexico City).
    due = runner.invoke(args=["survey", "remind", "--at", "2026-03-18T18:00:00", "--json"])
    assert due.exit_code == 0, due.output
    assert json.loads(due.output) == {"reminded": [folio]}
    again = runner.invoke(args=["survey", "remind", "--at", "2026-03-19T18:00:00"])
    assert again.output == "Recordatorios de encuesta enviados: 0\n"
    bad = runner.invoke(args=["survey", "remind", "--at", "mañana"])
    assert bad.exit_code == 2 and "no es una fecha ISO" in bad.output


def test_the_sweep_job_sends_due_reminders(demo, concluded):
    with travel(2026, 3, 18, 12, 0), demo.app_context():
        jobs.run_sla_sweep()
    assert [email for email, _ in notices(demo, "survey_reminder")] == [REQUESTER]


# --- settings -----------------------------------------------------------------------------


def test_survey_settings_have_defaults(tmp_path):
    config = from_environment({"HELPDESK_INSTANCE_PATH": str(tmp_path)})
    assert config["HELPDESK_SURVEY_EXPIRY_DAYS"] == 30
    assert config["HELPDESK_SURVEY_REMINDER_DAYS"] == 3
    assert config["HELPDESK_SURVEY_RATE_LIMIT"] == "30/minute"
    config = from_environment(
        {
            "HELPDESK_INSTANCE_PATH": str(tmp_path),
            "HELPDESK_SURVEY_EXPIRY_DAYS": "15",
            "HELPDESK_SURVEY_REMINDER_DAYS": "0",
            "HELPDESK_SURVEY_RATE_LIMIT": "5/minute",
        }
    )
    assert (
        config["HELPDESK_SURVEY_EXPIRY_DAYS"],
        config["HELPDESK_SURVEY_REMINDER_DAYS"],
        config["HELPDESK_SURVEY_RATE_LIMIT"],
    ) == (15, 0, "5/minute")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HELPDESK_SURVEY_EXPIRY_DAYS", "treinta"),
        ("HELPDESK_SURVEY_EXPIRY_DAYS", "0"),
        ("HELPDESK_SURVEY_EXPIRY_DAYS", "400"),
        ("HELPDESK_SURVEY_REMINDER_DAYS", "-1"),
        ("HELPDESK_SURVEY_REMINDER_DAYS", "tres"),
        ("HELPDESK_SURVEY_RATE_LIMIT", "muchas"),
    ],
)
def test_a_malformed_survey_setting_is_named(tmp_path, name, value):
    with pytest.raises(ConfigError) as excinfo:
        from_environment({"HELPDESK_INSTANCE_PATH": str(tmp_path), name: value})
    assert str(excinfo.value).startswith(f"{name}: ")
