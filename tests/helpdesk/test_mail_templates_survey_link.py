"""A tenant's wording of the e-mails that carry the satisfaction survey's link
(helpdesk/mail_templates.py, ``MailKind.required``): refused without the link, and
once saved with it, the conclusion and the reminder (surveys.remind_due) carry it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import MailTemplate
from tests.helpdesk import notification_rules_support as rules
from tests.helpdesk import surveys_support as support
from tests.helpdesk.notification_rules_support import BASE_URL
from tests.helpdesk.notification_rules_support import folio_of
from tests.helpdesk.surveys_support import MX
from tests.helpdesk.surveys_support import eml_text
from tests.helpdesk.surveys_support import link_in
from tests.helpdesk.surveys_support import mails
from tests.helpdesk.surveys_support import remind
from tests.helpdesk.surveys_support import survey_of
from tests.helpdesk.surveys_support import token_of
from tests.helpdesk.surveys_support import travel

app_config = support.app_config
file = rules.file
move = rules.move
conclude = support.conclude

# As in test_surveys_reminders.py: concluded on Thursday 12 March 2026, reminded on the 18th.
CONCLUDED = (2026, 3, 12, 12, 0)
DUE = datetime(2026, 3, 18, 12, 0, tzinfo=MX)
REMINDER = "/chalco/admin/mail/survey_reminder"
CONCLUSION = "/chalco/admin/mail/ticket_concluded"


def stored(app):
    with app.app_context():
        return {row.kind: row.text_body for row in db.session.scalars(select(MailTemplate)).all()}


def save(browser, url, text, html=""):
    browser.get(url)
    return browser.post(
        url,
        {"subject": "Encuesta de su solicitud {{ folio }}", "text_body": text, "html_body": html},
    )


def test_the_reviewers_case_is_refused_and_the_reminder_keeps_the_link(demo, login_as, conclude):
    admin = login_as("tenant_admin")  # admin@chalco.example, pages in Spanish
    response = save(admin, REMINDER, "Conteste la encuesta, por favor.")
    assert response.status_code == 200
    assert "La plantilla debe incluir {{ survey_link }}: sin él, el solicitante no recibe" in (
        response.get_data(as_text=True)
    )
    assert stored(demo) == {}
    with travel(*CONCLUDED):
        ticket_id = conclude()
    assert remind(demo, DUE) == [folio_of(demo, ticket_id)]
    (reminder,) = mails(demo, "survey_reminder")
    assert link_in(eml_text(demo, reminder.id))[1] == token_of(demo, ticket_id)
    assert survey_of(demo, ticket_id)["reminded_at"] is not None


def test_the_tenants_wording_with_the_link_is_sent_with_it(demo, login_as, conclude):
    admin = login_as("tenant_admin")
    reminder_text = (
        "{{ recipient }}: ¿nos dice cómo le fue?{% if survey_link %} {{ survey_link }}{% endif %}"
    )
    conclusion_text = (
        "Listo: {{ folio }}.{% if survey_link %} Encuesta: {{ survey_link }}{% endif %}"
    )
    assert save(admin, REMINDER, reminder_text).status_code == 302
    assert save(admin, CONCLUSION, conclusion_text, "<p>{{ survey_link }}</p>").status_code == 302
    assert stored(demo) == {"survey_reminder": reminder_text, "ticket_concluded": conclusion_text}
    with travel(*CONCLUDED):
        ticket_id = conclude()
    folio = folio_of(demo, ticket_id)
    link = f"{BASE_URL}/chalco/encuesta/{token_of(demo, ticket_id)}"
    (concluded,) = mails(demo, "ticket_concluded")
    assert concluded.text_body == f"Listo: {folio}. Encuesta: {link}"
    assert concluded.html_body == f"<p>{link}</p>"
    assert remind(demo, DUE) == [folio]
    (reminder,) = mails(demo, "survey_reminder")
    assert reminder.subject == f"Encuesta de su solicitud {folio}"
    assert reminder.text_body == f"Laura Méndez Ortiz: ¿nos dice cómo le fue? {link}"
    assert link_in(eml_text(demo, reminder.id))[1] == token_of(demo, ticket_id)
