"""A person's notifications (helpdesk/views/notifications.py) and the unread badge.

Pages are read in English (the msgids), so the assertions hold whatever the
Spanish catalog says.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Notification
from helpdesk.models import Ticket
from helpdesk.models import User
from helpdesk.models.base import utcnow

URL = "/chalco/avisos/"
MARK_READ = "/chalco/avisos/leidas"
AGENT = "tecnico@chalco.example"
COORDINATOR = "coordinador@chalco.example"
SINALOA_AGENT = "tecnico@sinaloa.example"


# --- helpers ------------------------------------------------------------------------------


def add_notice(app, email, message, *, read=False, ticket_id=None):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        row = Notification(
            tenant_id=user.tenant_id,
            user_id=user.id,
            ticket_id=ticket_id,
            kind="test",
            message=message,
            read_at=utcnow() if read else None,
        )
        db.session.add(row)
        db.session.commit()
        return row.id


def unread_of(app):
    """{message: read?} for every notification."""
    with app.app_context():
        rows = db.session.scalars(select(Notification).order_by(Notification.id))
        return {row.message: row.read_at is not None for row in rows}


def reader(login_as, role="agent", tenant="chalco"):
    browser = login_as(role, tenant=tenant)
    browser.post("/idioma", {"locale": "en", "next": "/"})
    return browser


def page_of(browser, url=URL):
    response = browser.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def listed(page):
    items = re.search(r'<ul class="notifications">(.*?)</ul>', page, re.S).group(1)
    return [
        (cls == "unread", " ".join(re.sub(r"<[^>]+>", " ", body).split()))
        for cls, body in re.findall(r'<li(?: class="(\w*)")?>(.*?)</li>', items, re.S)
    ]


def badge(page):
    found = re.search(
        r'<a href="/chalco/avisos/">Notifications(?: <span class="tag">(\d+)</span>)?</a>', page
    )
    assert found, "no notifications link in the nav"
    return int(found.group(1)) if found.group(1) else 0


def seeded(demo):
    add_notice(demo, AGENT, "Aviso leído del técnico", read=True)
    add_notice(demo, AGENT, "Primer aviso del técnico")
    add_notice(demo, AGENT, "Segundo aviso del técnico")
    add_notice(demo, COORDINATOR, "Aviso del coordinador")
    add_notice(demo, SINALOA_AGENT, "Aviso de Sinaloa")


# --- tests --------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, demo) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_another_tenants_user_gets_404(demo, login_as) -> None:
    seeded(demo)
    assert login_as("agent", tenant="sinaloa").get(URL).status_code == 404


def test_the_list_shows_only_the_users_own_newest_first(demo, login_as) -> None:
    seeded(demo)
    page = page_of(reader(login_as))
    texts = [text for _, text in listed(page)]
    assert len(texts) == 3
    assert texts[0].endswith("New Segundo aviso del técnico")
    assert texts[1].endswith("New Primer aviso del técnico")
    assert texts[2].endswith("Aviso leído del técnico") and "New" not in texts[2]
    assert [unread for unread, _ in listed(page)] == [True, True, False]
    for other in ("Aviso del coordinador", "Aviso de Sinaloa"):
        assert other not in page
    coordinator = page_of(reader(login_as, "coordinator"))
    assert [text.split("New ")[-1] for _, text in listed(coordinator)] == ["Aviso del coordinador"]
    sinaloa = page_of(reader(login_as, "agent", "sinaloa"), "/sinaloa/avisos/")
    assert [text.split("New ")[-1] for _, text in listed(sinaloa)] == ["Aviso de Sinaloa"]


def test_nav_badge_counts_the_users_unread(demo, login_as) -> None:
    seeded(demo)
    assert badge(page_of(reader(login_as), "/chalco/mesa/")) == 2
    assert badge(page_of(reader(login_as, "coordinator"), "/chalco/")) == 1
    assert badge(page_of(reader(login_as, "tenant_admin"), "/chalco/")) == 0


def test_empty_list(demo, login_as) -> None:
    page = page_of(reader(login_as, "requester"))
    assert listed(page) == [(False, "No notifications.")]
    assert "Mark all as read" not in page
    assert badge(page) == 0


def test_links_go_to_the_staff_or_the_requester_page(demo, login_as, make_ticket) -> None:
    ticket_id = make_ticket("SAMPLE-01")
    with demo.app_context():
        folio = db.session.get(Ticket, ticket_id).folio
    staff_notice = add_notice(demo, AGENT, "Sobre una solicitud", ticket_id=ticket_id)
    own_notice = add_notice(
        demo, "solicitante@chalco.example", "Sobre su solicitud", ticket_id=ticket_id
    )
    # The link marks that notification read on its way to the ticket.
    for browser, notice, target in (
        (reader(login_as), staff_notice, f"/chalco/mesa/solicitudes/{folio}"),
        (reader(login_as, "requester"), own_notice, f"/chalco/solicitudes/{folio}"),
    ):
        assert f'<a href="/chalco/avisos/{notice}">{folio}</a>' in page_of(browser)
        assert browser.get(f"/chalco/avisos/{notice}").headers["Location"] == target


def test_mark_all_as_read_marks_only_the_users_own(demo, login_as) -> None:
    seeded(demo)
    browser = reader(login_as)
    page = page_of(browser)
    assert 'action="/chalco/avisos/leidas"' in page and "Mark all as read" in page
    response = browser.post(MARK_READ)
    assert response.status_code == 302
    assert response.headers["Location"] == URL
    assert unread_of(demo) == {
        "Aviso leído del técnico": True,
        "Primer aviso del técnico": True,
        "Segundo aviso del técnico": True,
        "Aviso del coordinador": False,
        "Aviso de Sinaloa": False,
    }
    after = page_of(browser)
    assert [unread for unread, _ in listed(after)] == [False, False, False]
    assert "Mark all as read" not in after
    assert badge(after) == 0
    assert badge(page_of(reader(login_as, "coordinator"), "/chalco/")) == 1


def test_mark_all_as_read_needs_the_csrf_token(demo, login_as) -> None:
    seeded(demo)
    browser = reader(login_as)
    page_of(browser)
    before = unread_of(demo)
    refused = browser.client.post(MARK_READ)
    assert refused.status_code == 400
    forged = browser.client.post(MARK_READ, data={"csrf_token": "not-the-token"})
    assert forged.status_code == 400
    assert unread_of(demo) == before
    assert badge(page_of(browser)) == 2
