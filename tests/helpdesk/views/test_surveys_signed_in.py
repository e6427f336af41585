"""Surveys for signed-in people (helpdesk/views/surveys.py): the requester's link in "My
requests" and on the ticket, answering from there, and the coordinators' follow-up list.

Pages are read in English (the msgids), so the assertions hold whatever the
Spanish catalog says.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select

from helpdesk.demo import DEMO_PASSWORD
from helpdesk.extensions import db
from helpdesk.models import Unit
from helpdesk.sla import as_utc
from helpdesk.testing import Browser
from tests.helpdesk import notification_rules_support as rules
from tests.helpdesk import surveys_support as support
from tests.helpdesk.notification_rules_support import COORD
from tests.helpdesk.notification_rules_support import folio_of
from tests.helpdesk.notification_rules_support import user_id
from tests.helpdesk.surveys_support import MX
from tests.helpdesk.surveys_support import english
from tests.helpdesk.surveys_support import survey_of
from tests.helpdesk.surveys_support import travel

app_config = support.app_config
file = rules.file
move = rules.move
conclude = support.conclude

MINE = "/chalco/mis-solicitudes"
FOLLOW_UP = "/chalco/encuestas/seguimiento"
INVITATION = "Answer the satisfaction survey"


def signed_in(login_as, role="requester", tenant="chalco"):
    return english(login_as(role, tenant=tenant))


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def survey_url(folio: str) -> str:
    return f"/chalco/solicitudes/{folio}/encuesta"


def rows_of(page: str) -> list[tuple[str, str]]:
    """(row id, text) of each row of the follow-up table, in order."""
    body = re.search(r'<table class="survey-answers">.*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    return [
        (row_id, " ".join(re.sub(r"<[^>]+>", " ", cells).split()))
        for row_id, cells in re.findall(r'<tr id="survey-(\d+)"[^>]*>(.*?)</tr>', body, re.S)
    ]


# --- the requester ------------------------------------------------------------------------


def test_the_requester_sees_the_link_while_the_survey_is_open(demo, login_as, conclude, file):
    open_one, still_working = conclude(), file()
    folio = folio_of(demo, open_one)
    browser = signed_in(login_as)
    mine = html(browser.get(MINE))
    link = f'<a class="survey-link" href="{survey_url(folio)}">{INVITATION}</a>'
    assert mine.count(INVITATION) == 1 and link in mine
    ticket_page = html(browser.get(f"/chalco/solicitudes/{folio}"))
    assert link in ticket_page and "Tell us how we served you" in ticket_page
    assert INVITATION not in html(
        browser.get(f"/chalco/solicitudes/{folio_of(demo, still_working)}")
    )
    # Staff never see the invitation on the desk's page of the ticket.
    assert INVITATION not in html(
        signed_in(login_as, "coordinator").get(f"/chalco/mesa/solicitudes/{folio}")
    )


def test_answering_signed_in_records_it_and_the_link_goes_away(demo, login_as, conclude):
    ticket_id = conclude()
    folio = folio_of(demo, ticket_id)
    browser = signed_in(login_as)
    page = html(browser.get(survey_url(folio)))
    assert f'action="{survey_url(folio)}"' in page
    refused = browser.post(survey_url(folio), {"rating": "superb"})
    assert refused.status_code == 400
    assert survey_of(demo, ticket_id)["answered_at"] is None
    response = browser.post(survey_url(folio), {"rating": "satisfied", "comment": "Excelente."})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/chalco/solicitudes/{folio}"
    ticket_page = html(browser.get(f"/chalco/solicitudes/{folio}"))
    assert "Thank you: your answer to the satisfaction survey was recorded." in ticket_page
    assert INVITATION not in ticket_page
    assert INVITATION not in html(browser.get(MINE))
    assert survey_of(demo, ticket_id)["rating"] == "satisfied"
    again = browser.get(survey_url(folio))
    assert again.status_code == 410 and "already answered" in again.get_data(as_text=True)


def test_an_expired_survey_is_no_longer_offered(demo, login_as, conclude):
    with travel(2026, 3, 12, 12, 0):
        ticket_id = conclude()
    folio = folio_of(demo, ticket_id)
    with travel(2026, 4, 12, 9, 0):
        browser = signed_in(login_as)
        assert INVITATION not in html(browser.get(MINE))
        assert INVITATION not in html(browser.get(f"/chalco/solicitudes/{folio}"))
        assert browser.get(survey_url(folio)).status_code == 410


def test_only_the_requester_may_use_the_signed_in_route(demo, login_as, conclude, client):
    ticket_id = conclude()
    folio = folio_of(demo, ticket_id)
    url = survey_url(folio)
    for role, tenant in (
        ("coordinator", "chalco"),
        ("agent", "chalco"),
        ("tenant_admin", "chalco"),
        ("requester", "sinaloa"),
    ):
        browser = signed_in(login_as, role, tenant)
        assert browser.get(url).status_code == 404, role
        assert browser.post(url, {"rating": "unsatisfied"}).status_code == 404, role
    media = Browser(demo.test_client())  # another requester of the same tenant
    assert media.login("medio@chalco.example", DEMO_PASSWORD).status_code == 302
    assert media.get(url).status_code == 404
    assert media.get(survey_url("CHALCO-NO-EXISTE")).status_code == 404
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert survey_of(demo, ticket_id)["answered_at"] is None


# --- the follow-up list -------------------------------------------------------------------


def test_unsatisfied_answers_are_listed_for_follow_up(demo, login_as, conclude):
    with travel(2026, 3, 12, 12, 0):
        older, newer, happy = conclude(), conclude(), conclude()
    for day, (ticket_id, rating, comment) in enumerate(
        [
            (older, "unsatisfied", "Tardaron dos semanas."),
            (happy, "satisfied", "Todo bien."),
            (newer, "unsatisfied", "No resolvieron la falla."),
        ]
    ):
        with travel(2026, 3, 17 + day, 10, 0):
            support.answer(demo, ticket_id, rating, comment=comment)
    with demo.app_context():
        unit = db.session.scalar(select(Unit.name).where(Unit.name == "Dirección de la Mujer"))
    page = html(signed_in(login_as, "coordinator").get(FOLLOW_UP))
    listed = rows_of(page)
    ids = {survey_of(demo, t)["id"]: t for t in (older, newer, happy)}
    assert [ids[int(row_id)] for row_id, _ in listed] == [newer, older]
    text = listed[0][1]
    assert folio_of(demo, newer) in text
    assert "Préstamo de proyector" in text and unit in text and "Laura Méndez Ortiz" in text
    assert "Unsatisfied No resolvieron la falla." in text
    assert f'<a href="/chalco/mesa/solicitudes/{folio_of(demo, newer)}">' in page
    assert re.search(r'id="count-pending">2<', page)
    every = rows_of(html(signed_in(login_as, "tenant_admin").get(f"{FOLLOW_UP}?calificacion=all")))
    assert [ids[int(row_id)] for row_id, _ in every] == [newer, older, happy]


def test_recording_the_follow_up(demo, login_as, conclude):
    with travel(2026, 3, 12, 12, 0):
        ticket_id = conclude()
        support.answer(demo, ticket_id, "unsatisfied", comment="Mal trato.")
    survey_id = survey_of(demo, ticket_id)["id"]
    action = f"/chalco/encuestas/{survey_id}/seguimiento"
    # (Every page at one frozen moment: a session signed in the future does not load.)
    with travel(2026, 3, 13, 10, 15):
        browser = signed_in(login_as, "coordinator")
        html(browser.get(FOLLOW_UP))
        empty = browser.post(action, {"note": "   ", "calificacion": "unsatisfied"})
        assert empty.status_code == 400
        assert "Write what was done to follow up." in empty.get_data(as_text=True)
        assert survey_of(demo, ticket_id)["followed_up_at"] is None
        done = browser.post(action, {"note": "Se habló con la titular.", "calificacion": "all"})
        assert done.status_code == 302
        assert done.headers["Location"] == f"{FOLLOW_UP}?calificacion=all"
        page = html(browser.get(FOLLOW_UP))
        second = browser.post(action, {"note": "Otra vez"})
    row = survey_of(demo, ticket_id)
    assert row["followed_up_by_id"] == user_id(demo, COORD)
    assert row["follow_up_note"] == "Se habló con la titular."
    assert as_utc(row["followed_up_at"]) == datetime(2026, 3, 13, 10, 15, tzinfo=MX)
    assert f"Follow-up recorded for {folio_of(demo, ticket_id)}." in page
    (listed,) = rows_of(page)
    assert "By Ricardo Sánchez Flores" in listed[1] and "Se habló con la titular." in listed[1]
    assert f'action="{action}"' not in page
    assert re.search(r'id="count-pending">0<', page)
    assert second.status_code == 400
    assert "Someone already recorded the follow-up of this answer." in second.get_data(as_text=True)
    assert survey_of(demo, ticket_id)["follow_up_note"] == "Se habló con la titular."


def test_the_follow_up_list_is_for_coordinators_and_admins_of_the_tenant(
    demo, login_as, conclude, client
):
    ticket_id = conclude()
    support.answer(demo, ticket_id, "unsatisfied")
    survey_id = survey_of(demo, ticket_id)["id"]
    action = f"/chalco/encuestas/{survey_id}/seguimiento"
    for role in ("requester", "agent"):
        browser = signed_in(login_as, role)
        assert browser.get(FOLLOW_UP).status_code == 403, role
        assert browser.post(action, {"note": "Intento"}).status_code == 403, role
    other = signed_in(login_as, "coordinator", "sinaloa")
    assert other.get(FOLLOW_UP).status_code == 404
    assert other.post(action, {"note": "Intento"}).status_code == 404
    # Sinaloa's own list does not show Chalco's answers, nor can it record them.
    assert rows_of(html(other.get("/sinaloa/encuestas/seguimiento?calificacion=all"))) == []
    assert (
        other.post(f"/sinaloa/encuestas/{survey_id}/seguimiento", {"note": "x"}).status_code == 404
    )
    anonymous = client.get(FOLLOW_UP)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert survey_of(demo, ticket_id)["followed_up_at"] is None
    assert html(signed_in(login_as, "superadmin").get(FOLLOW_UP))


def test_staff_see_the_answer_and_its_follow_up_on_the_ticket(demo, login_as, conclude):
    with travel(2026, 3, 12, 12, 0):
        ticket_id = conclude()
        support.answer(demo, ticket_id, "unsatisfied", comment="Tardaron mucho.")
    folio = folio_of(demo, ticket_id)
    with travel(2026, 3, 13, 10, 0):
        coordinator = signed_in(login_as, "coordinator")
        page = html(coordinator.get(f"/chalco/mesa/solicitudes/{folio}"))
        assert "Satisfaction survey" in page and "Unsatisfied" in page
        assert "Tardaron mucho." in page
        requester = signed_in(login_as)
        mine = html(requester.get(f"/chalco/solicitudes/{folio}"))
    # The requester's own page does not show the staff's block.
    assert "survey-answer" not in mine
