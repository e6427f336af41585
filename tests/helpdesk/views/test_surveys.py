"""The survey's own page, reached by the link in the e-mail (helpdesk/views/surveys.py).

No account is needed: the token is the credential. Pages are read in English
(the msgids), so the assertions hold whatever the Spanish catalog says.
"""

from __future__ import annotations

import re
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Tenant
from helpdesk.sla import as_utc
from helpdesk.testing import Browser
from tests.helpdesk import notification_rules_support as rules
from tests.helpdesk import surveys_support as support
from tests.helpdesk.notification_rules_support import COORD
from tests.helpdesk.notification_rules_support import REQUESTER
from tests.helpdesk.notification_rules_support import folio_of
from tests.helpdesk.surveys_support import ASK
from tests.helpdesk.surveys_support import MX
from tests.helpdesk.surveys_support import eml_text
from tests.helpdesk.surveys_support import english
from tests.helpdesk.surveys_support import link_in
from tests.helpdesk.surveys_support import mails
from tests.helpdesk.surveys_support import notices
from tests.helpdesk.surveys_support import survey_of
from tests.helpdesk.surveys_support import token_of
from tests.helpdesk.surveys_support import travel

app_config = support.app_config
file = rules.file
move = rules.move
conclude = support.conclude


def visitor(app) -> Browser:
    """Someone who opens the link without signing in, reading in English."""
    return english(Browser(app.test_client()))


def url(app, ticket_id: int) -> str:
    return f"/chalco/encuesta/{token_of(app, ticket_id)}"


def text_of(response) -> str:
    body = response.get_data(as_text=True)
    main = re.search(r"<main>(.*)</main>", body, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def errors_of(response) -> list[str]:
    return re.findall(r'<p class="error" role="alert">([^<]*)</p>', response.get_data(as_text=True))


def test_the_link_in_the_e_mail_opens_the_survey_without_signing_in(demo, conclude):
    ticket_id = conclude()
    folio = folio_of(demo, ticket_id)
    (message,) = mails(demo, "ticket_concluded")
    assert message.recipient == REQUESTER
    path, token = link_in(eml_text(demo, message.id))
    assert token == token_of(demo, ticket_id)
    browser = visitor(demo)
    page = browser.get(path)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    text = text_of(page)
    assert f"{folio} Préstamo de proyector Satisfaction survey" in text
    question = "Overall, how satisfied are you with the service?"
    assert f"{question} * Satisfied Regular Unsatisfied" in text
    assert "Sign in" in page.get_data(as_text=True)  # nobody is signed in
    response = browser.post(path, {"rating": "satisfied", "comment": "Muy amables, gracias."})
    assert response.status_code == 200
    assert "Thank you: your answer to the satisfaction survey was recorded." in text_of(response)
    row = survey_of(demo, ticket_id)
    assert (row["rating"], row["comment"]) == ("satisfied", "Muy amables, gracias.")
    assert row["answered_at"] is not None


def test_a_used_link_says_it_was_already_answered(demo, conclude):
    ticket_id = conclude()
    browser = visitor(demo)
    assert browser.post(url(demo, ticket_id), {"rating": "regular"}).status_code == 200
    answered = survey_of(demo, ticket_id)
    for response in (
        browser.get(url(demo, ticket_id)),
        browser.post(url(demo, ticket_id), {"rating": "unsatisfied", "comment": "Otra vez"}),
        visitor(demo).get(url(demo, ticket_id)),
    ):
        assert response.status_code == 410
        assert "This survey was already answered on" in text_of(response)
        assert 'name="rating"' not in response.get_data(as_text=True)
    assert survey_of(demo, ticket_id) == answered
    assert notices(demo, "survey_unsatisfied") == []


def test_an_expired_link_says_the_survey_closed(demo, conclude):
    with travel(2026, 3, 12, 12, 0):
        ticket_id = conclude()
    # (A browser per moment: a session signed in the future does not load.)
    with travel(2026, 4, 11, 11, 59):
        browser = visitor(demo)
        assert browser.get(url(demo, ticket_id)).status_code == 200
    with travel(2026, 4, 11, 12, 0):
        browser = visitor(demo)
        page = browser.get(url(demo, ticket_id))
        late = browser.post(url(demo, ticket_id), {"rating": "satisfied"})
    for response in (page, late):
        assert response.status_code == 410
        assert "This survey closed on April 11, 2026; it can no longer be answered." in text_of(
            response
        )
    assert survey_of(demo, ticket_id)["answered_at"] is None


def test_a_guessed_or_altered_token_is_404(demo, conclude):
    ticket_id = conclude()
    token = token_of(demo, ticket_id)
    neighbour = token[:10] + ("b" if token[10] != "b" else "c") + token[11:]
    browser = visitor(demo)
    for wrong in (neighbour, token[:-1], token + "x", "a" * 43, "cualquier-cosa"):
        assert browser.get(f"/chalco/encuesta/{wrong}").status_code == 404
        response = browser.post(f"/chalco/encuesta/{wrong}", {"rating": "satisfied"})
        assert response.status_code == 404
    assert survey_of(demo, ticket_id)["answered_at"] is None


def test_another_tenants_token_is_404_under_this_tenant(demo, conclude):
    ticket_id = conclude(
        service=support.REOPEN, tenant="sinaloa", department="DGE", requester=rules.SINALOA[0]
    )
    token = token_of(demo, ticket_id)
    browser = visitor(demo)
    assert browser.get(f"/sinaloa/encuesta/{token}").status_code == 200
    assert browser.get(f"/chalco/encuesta/{token}").status_code == 404
    assert browser.post(f"/chalco/encuesta/{token}", {"rating": "satisfied"}).status_code == 404
    assert browser.get(f"/no-existe/encuesta/{token}").status_code == 404
    assert survey_of(demo, ticket_id)["answered_at"] is None


def test_a_deactivated_tenant_answers_404(demo, conclude):
    ticket_id = conclude()
    with demo.app_context():
        db.session.scalar(select(Tenant).where(Tenant.slug == "chalco")).active = False
        db.session.commit()
    assert visitor(demo).get(url(demo, ticket_id)).status_code == 404


def test_the_answer_needs_the_forms_csrf_token(demo, conclude):
    ticket_id = conclude()
    client = demo.test_client()
    assert client.get(url(demo, ticket_id)).status_code == 200
    response = client.post(url(demo, ticket_id), data={"rating": "unsatisfied"})
    assert response.status_code == 400
    forged = client.post(url(demo, ticket_id), data={"rating": "satisfied", "csrf_token": "x"})
    assert forged.status_code == 400
    assert survey_of(demo, ticket_id)["answered_at"] is None


@pytest.mark.parametrize(
    "data, field, message",
    [
        (
            {"comment": "Sin calificación"},
            "rating",
            "Choose how satisfied you are with the service.",
        ),
        ({"rating": "excellent"}, "rating", "Choose one of the options."),
        (
            {"rating": "satisfied", "comment": "x" * 2001},
            "comment",
            "A comment has at most 2000 characters.",
        ),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(demo, conclude, data, field, message):
    ticket_id = conclude()
    browser = visitor(demo)
    before = survey_of(demo, ticket_id)
    marked = rules.mark(demo)
    response = browser.post(url(demo, ticket_id), data)
    assert response.status_code == 400
    assert errors_of(response) == [message]
    page = response.get_data(as_text=True)
    assert "The form has errors; please check the marked fields." in page
    # What was typed is kept (a huge comment included: the browser caps it, a script may not).
    if data.get("comment"):
        assert f">{data['comment']}</textarea>" in page
    assert survey_of(demo, ticket_id) == before
    rules.assert_nothing_since(demo, marked)


def test_an_unsatisfied_answer_by_link_reaches_the_coordinators(demo, conclude):
    ticket_id = conclude()
    response = visitor(demo).post(
        url(demo, ticket_id), {"rating": "unsatisfied", "comment": "Nadie me avisó."}
    )
    assert response.status_code == 200
    response.close()  # the e-mail leaves once the response is sent
    assert [email for email, _ in notices(demo, "survey_unsatisfied")] == [COORD]
    (message,) = mails(demo, "survey_unsatisfied")
    assert message.recipient == COORD
    assert "Comentario: Nadie me avisó." in eml_text(demo, message.id)


def test_the_services_own_questions_are_asked_checked_and_kept(demo, conclude):
    ticket_id = conclude(service=ASK)
    browser = visitor(demo)
    page = text_of(browser.get(url(demo, ticket_id)))
    assert "¿El servicio llegó a tiempo? * Yes No" in page
    assert "¿Cómo le atendió el personal? Satisfied Regular Unsatisfied" in page
    assert "¿Qué mejoraría?" in page
    missing = browser.post(url(demo, ticket_id), {"rating": "satisfied", "q_staff": "regular"})
    assert missing.status_code == 400
    assert errors_of(missing) == ["Answer this question."]
    assert 'name="q_staff" value="regular" checked' in missing.get_data(as_text=True)
    assert survey_of(demo, ticket_id)["answered_at"] is None
    done = browser.post(
        url(demo, ticket_id),
        {"rating": "regular", "q_on_time": "yes", "q_suggestion": "Llamar antes de ir."},
    )
    assert done.status_code == 200
    row = survey_of(demo, ticket_id)
    assert row["rating"] == "regular"
    assert row["answers"] == {"on_time": True, "suggestion": "Llamar antes de ir."}


@pytest.mark.parametrize(
    "app_config", [{**support.app_config.__wrapped__(), "HELPDESK_SURVEY_RATE_LIMIT": "3/minute"}]
)
def test_the_link_page_is_rate_limited(demo, conclude):
    ticket_id = conclude()
    browser = visitor(demo)
    codes = [browser.get(f"/chalco/encuesta/{'a' * 43}").status_code for _ in range(3)]
    assert codes == [404, 404, 404]
    assert browser.get(url(demo, ticket_id)).status_code == 429
    assert browser.post(url(demo, ticket_id), {"rating": "satisfied"}).status_code == 429
    assert survey_of(demo, ticket_id)["answered_at"] is None


def test_the_deadline_shown_is_the_surveys(demo, conclude):
    with travel(2026, 3, 12, 12, 0):
        ticket_id = conclude()
        page = text_of(visitor(demo).get(url(demo, ticket_id)))
    assert as_utc(survey_of(demo, ticket_id)["expires_at"]) == datetime(
        2026, 3, 12, 12, 0, tzinfo=MX
    ) + timedelta(days=30)
    assert "You can answer once, until April 11, 2026." in page
