"""A person's e-mail preferences and opening one notification (helpdesk/views/notifications.py).

Pages are read in English (the msgids), so the assertions hold whatever the
Spanish catalog says.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import select

from helpdesk import mail_templates
from helpdesk import notifications
from helpdesk.extensions import db
from helpdesk.models import Notification
from helpdesk.models import NotificationPreference
from helpdesk.models import OutboxMessage
from helpdesk.models import Tenant
from helpdesk.models import Ticket
from helpdesk.models import User
from helpdesk.models.base import utcnow
from helpdesk.tenancy import ALL_TENANTS
from helpdesk.tenancy import scoped_to
from helpdesk.testing import Browser

URL = "/chalco/avisos/preferencias"
LIST = "/chalco/avisos/"
REQUESTER = "solicitante@chalco.example"
LIAISON = "medio@chalco.example"  # another requester of the tenant
AGENT = "tecnico@chalco.example"
COORDINATOR = "coordinador@chalco.example"
REQUESTER_KINDS = [k for k in mail_templates.KINDS if k in mail_templates.REQUESTER_KINDS]
STAFF_KINDS = [k for k in mail_templates.KINDS if k in mail_templates.STAFF_KINDS]


# --- helpers ------------------------------------------------------------------------------


def reader(login_as, role="requester", tenant="chalco"):
    browser = login_as(role, tenant=tenant)
    browser.post("/idioma", {"locale": "en", "next": "/"})
    return browser


def html_of(response):
    return response.get_data(as_text=True)


def checkboxes(page):
    """{kind: ticked?} of the preferences form."""
    return {
        name: "checked" in tag
        for tag, name in re.findall(r'(<input [^>]*name="(\w+)" type="checkbox"[^>]*>)', page)
    }


def user(email):
    return db.session.scalar(
        select(User).where(User.email == email).execution_options(**{ALL_TENANTS: True})
    )


def preferences_of(app, email):
    with app.app_context():
        rows = db.session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user(email).id)
        )
        return {row.kind: row.email for row in rows}


def all_preferences(app):
    with app.app_context():
        return db.session.scalars(select(NotificationPreference.id)).all()


def choose(browser, ticked):
    """Submit the form with only ``ticked`` kinds checked."""
    browser.get(URL)
    return browser.post(URL, dict.fromkeys(ticked, "y"))


@contextmanager
def in_chalco(app):
    with app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "chalco"))
        with scoped_to(tenant):
            yield


def told(kind, emails, ticket_id, app, context=None):
    """Run notify() and return {e-mail: (in-app notice?, outbox e-mail?)}."""
    with in_chalco(app):
        ticket = db.session.get(Ticket, ticket_id)
        people = [user(email) for email in emails]
        notifications.notify(people, kind=kind, ticket=ticket, context=context or {})
        result = {}
        for person in people:
            notice = db.session.scalar(
                select(Notification.id).where(
                    Notification.user_id == person.id, Notification.kind == kind
                )
            )
            mail = db.session.scalar(
                select(OutboxMessage.id).where(
                    OutboxMessage.user_id == person.id, OutboxMessage.kind == kind
                )
            )
            result[person.email] = (notice is not None, mail is not None)
        db.session.rollback()
        return result


def add_notice(app, email, *, ticket_id=None, read=False):
    with app.app_context():
        person = user(email)
        row = Notification(
            tenant_id=person.tenant_id,
            user_id=person.id,
            ticket_id=ticket_id,
            kind="state_changed",
            message="Su solicitud cambió de etapa",
            read_at=utcnow() if read else None,
        )
        db.session.add(row)
        db.session.commit()
        return row.id


def read_everything(app):
    with app.app_context():
        for row in db.session.scalars(select(Notification).where(Notification.read_at.is_(None))):
            row.read_at = utcnow()
        db.session.commit()


def read_at(app, notification_id):
    with app.app_context():
        return db.session.get(Notification, notification_id).read_at


def folio_of(app, ticket_id):
    with app.app_context():
        return db.session.get(Ticket, ticket_id).folio


# --- who may enter ------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, demo):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    browser = Browser(demo.test_client())
    browser.get("/chalco/")
    assert browser.post(URL, {"ticket_filed": "y"}).status_code == 302
    assert all_preferences(demo) == []


def test_another_tenants_user_gets_404(login_as, demo):
    browser = reader(login_as, tenant="sinaloa")
    assert browser.get(URL).status_code == 404
    assert browser.post(URL, {}).status_code == 404
    assert all_preferences(demo) == []


@pytest.mark.parametrize(
    "role, kinds",
    [
        ("requester", REQUESTER_KINDS),
        ("agent", STAFF_KINDS),
        ("coordinator", STAFF_KINDS),
        ("tenant_admin", STAFF_KINDS),
        ("superadmin", STAFF_KINDS),
    ],
)
def test_each_person_is_offered_the_kinds_that_concern_them(login_as, demo, role, kinds):
    page = html_of(reader(login_as, role).get(URL))
    assert checkboxes(page) == dict.fromkeys(kinds, True)  # no row: e-mail on
    for kind in kinds:
        assert str(mail_templates.KINDS[kind].label) in page.replace("&#39;", "'")
    assert "Every notification appears in your list" in page


# --- saving -------------------------------------------------------------------------------


def test_turning_kinds_off_and_on_again(login_as, demo):
    browser = reader(login_as)
    kept = [k for k in REQUESTER_KINDS if k not in ("ticket_filed", "comment_public")]
    response = choose(browser, kept)
    assert response.status_code == 302
    assert response.headers["Location"] == URL
    expected = {kind: kind in kept for kind in REQUESTER_KINDS}
    assert preferences_of(demo, REQUESTER) == expected
    page = html_of(browser.get(URL))
    assert "Your notification preferences were saved." in page
    assert checkboxes(page) == expected
    # Everything back on: the same rows, now true.
    choose(browser, REQUESTER_KINDS)
    assert preferences_of(demo, REQUESTER) == dict.fromkeys(REQUESTER_KINDS, True)
    assert len(all_preferences(demo)) == len(REQUESTER_KINDS)


def test_kinds_not_offered_are_not_stored(login_as, demo):
    browser = reader(login_as)
    choose(browser, ["comment_internal", "sla_breached", "no_such_kind", "state_changed"])
    stored = preferences_of(demo, REQUESTER)
    assert set(stored) == set(REQUESTER_KINDS)
    assert stored["state_changed"] is True and stored["ticket_filed"] is False


def test_one_persons_choice_leaves_others_alone(login_as, demo):
    choose(reader(login_as), [])
    assert preferences_of(demo, LIAISON) == {}
    assert preferences_of(demo, AGENT) == {}


def test_preferences_need_the_csrf_token(login_as, demo):
    browser = reader(login_as)
    browser.get(URL)
    assert browser.client.post(URL, data={}).status_code == 400
    forged = browser.client.post(URL, data={"csrf_token": "not-the-token"})
    assert forged.status_code == 400
    assert all_preferences(demo) == []


# --- what notify() does with them ---------------------------------------------------------


def test_a_kind_turned_off_keeps_the_notice_but_sends_no_email(login_as, demo, make_ticket):
    ticket_id = make_ticket("SAMPLE-01")
    choose(reader(login_as), [k for k in REQUESTER_KINDS if k != "state_changed"])
    assert told("state_changed", [REQUESTER, LIAISON], ticket_id, demo) == {
        REQUESTER: (True, False),  # in-app only
        LIAISON: (True, True),  # another person: unaffected
    }
    # The same person still gets e-mail for the kinds left on.
    context = {"text": "¿Todo bien?", "author": "Ricardo Sánchez Flores"}
    assert told("comment_public", [REQUESTER], ticket_id, demo, context) == {
        REQUESTER: (True, True)
    }


def test_staff_turn_off_service_level_e_mails(login_as, demo, make_ticket):
    ticket_id = make_ticket("SAMPLE-01")
    choose(reader(login_as, "agent"), [k for k in STAFF_KINDS if k != "sla_breached"])
    context = {"text": "el plazo para atender", "due": "lunes 9 de marzo de 2026, 14:00"}
    assert told("sla_breached", [AGENT, COORDINATOR], ticket_id, demo, context) == {
        AGENT: (True, False),
        COORDINATOR: (True, True),
    }
    assert told("sla_at_risk", [AGENT], ticket_id, demo, context) == {AGENT: (True, True)}


# --- the list and opening a notification --------------------------------------------------


def test_the_list_links_to_the_preferences_and_counts_unread(login_as, demo):
    add_notice(demo, REQUESTER)
    add_notice(demo, REQUESTER)
    add_notice(demo, REQUESTER, read=True)
    page = html_of(reader(login_as).get(LIST))
    assert f'<a href="{URL}">E-mail preferences</a>' in page
    assert "2 unread notifications" in page
    empty = html_of(reader(login_as, "agent").get(LIST))
    assert "No unread notifications" in empty


def test_opening_a_notification_marks_it_read_and_goes_to_the_ticket(login_as, demo, make_ticket):
    ticket_id = make_ticket("SAMPLE-01")
    folio = folio_of(demo, ticket_id)
    read_everything(demo)  # the filing's own notices
    mine = add_notice(demo, REQUESTER, ticket_id=ticket_id)
    other = add_notice(demo, REQUESTER, ticket_id=ticket_id)
    staff = add_notice(demo, AGENT, ticket_id=ticket_id)
    browser = reader(login_as)
    page = html_of(browser.get(LIST))
    assert f'<a href="/chalco/avisos/{mine}">{folio}</a>' in page
    response = browser.get(f"/chalco/avisos/{mine}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/chalco/solicitudes/{folio}"
    assert read_at(demo, mine) is not None
    assert read_at(demo, other) is None  # only the one opened
    assert "1 unread notification" in html_of(browser.get(LIST))
    # Opening it again still leads to the ticket.
    assert browser.get(f"/chalco/avisos/{mine}").status_code == 302
    # Staff land on the desk's page of the ticket.
    agent = reader(login_as, "agent")
    response = agent.get(f"/chalco/avisos/{staff}")
    assert response.headers["Location"] == f"/chalco/mesa/solicitudes/{folio}"


def test_only_the_owner_may_open_a_notification(login_as, demo, make_ticket):
    ticket_id = make_ticket("SAMPLE-01")
    theirs = add_notice(demo, REQUESTER, ticket_id=ticket_id)
    for browser in (reader(login_as, "agent"), reader(login_as, "superadmin")):
        assert browser.get(f"/chalco/avisos/{theirs}").status_code == 404
    assert reader(login_as, tenant="sinaloa").get(f"/sinaloa/avisos/{theirs}").status_code == 404
    assert reader(login_as).get("/chalco/avisos/999999").status_code == 404
    assert read_at(demo, theirs) is None


def test_a_notification_without_ticket_goes_back_to_the_list(login_as, demo):
    notice = add_notice(demo, REQUESTER)
    response = reader(login_as).get(f"/chalco/avisos/{notice}")
    assert response.status_code == 302
    assert response.headers["Location"] == LIST
    assert read_at(demo, notice) is not None
