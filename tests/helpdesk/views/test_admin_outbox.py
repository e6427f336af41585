"""The tenant's e-mail outbox page (helpdesk/views/admin/outbox.py): counts, failed list, retry.

Texts of this page are new msgids (translated later): the checks read ids and
numbers, not wording.
"""

from __future__ import annotations

import re
from email.utils import make_msgid
from pathlib import Path

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import OutboxMessage
from helpdesk.models import Tenant
from helpdesk.tenancy import ALL_TENANTS
from helpdesk.testing import Browser

PAGE = "/chalco/admin/outbox"
REFUSED = "SMTPDataError: (554, b'5.7.1 Rechazado')"
# The page's own mail goes to the folder, in-process (after the response).
pytestmark = pytest.mark.parametrize("app_config", [{"HELPDESK_REDIS_URL": None}])


def add(app, tenant="chalco", status="failed", **overrides) -> int:
    with app.app_context():
        tenant_id = db.session.scalar(select(Tenant.id).where(Tenant.slug == tenant))
        values = {
            "tenant_id": tenant_id,
            "kind": "ticket_filed",
            "recipient": f"persona@{tenant}.example",
            "subject": "Recepción de su solicitud",
            "text_body": "Recibimos su solicitud.\n",
            "message_id": make_msgid(domain="mesa-de-ayuda"),
            "status": status,
            "attempts": 5 if status == "failed" else 0,
            "last_error": "SMTPDataError: (554, b'5.7.1 Rechazado')"
            if status == "failed"
            else None,
        }
        values.update(overrides)
        row = OutboxMessage(**values)
        db.session.add(row)
        db.session.commit()
        return row.id


def status_of(app, message_id):
    with app.app_context():
        row = db.session.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .execution_options(**{ALL_TENANTS: True})
        )
        return row.status, row.attempts


def mail_files(app):
    folder = Path(app.config["HELPDESK_MAIL_FOLDER"])
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def count(html, name):
    match = re.search(rf'<dd id="count-{name}">(\d+)</dd>', html)
    assert match, html
    return int(match.group(1))


def failed_rows(html):
    return [int(n) for n in re.findall(r'<tr id="message-(\d+)">', html)]


# --- who may enter ------------------------------------------------------------------------


ROLE_STATUS = [(None, 302), ("requester", 403), ("coordinator", 403), ("agent", 403)]
ROLE_STATUS += [("tenant_admin", 200), ("superadmin", 200)]


def test_the_page_checks_the_role(login_as, demo):
    message_id = add(demo)
    for role, status in ROLE_STATUS:
        browser = login_as(role) if role else Browser(demo.test_client())
        response = browser.get(PAGE)
        assert response.status_code == status, role
        if role is None:
            assert response.headers["Location"].startswith("/login?next=")
        # Retrying needs the same role (the post carries a valid CSRF token).
        browser.get("/login")
        response = browser.post(f"{PAGE}/{message_id}/retry")
        expected = 302 if role in (None, "tenant_admin", "superadmin") else 403
        assert response.status_code == expected, role
        if role is None:
            assert response.headers["Location"].startswith("/login?next=")
            assert status_of(demo, message_id) == ("failed", 5)
        response.close()
    agent = login_as("agent")
    agent.get("/login")
    assert agent.post(f"{PAGE}/retry-failed").status_code == 403
    assert status_of(demo, message_id) != ("failed", 5)  # the admins' retries went through


def test_another_tenants_admin_gets_404(login_as, demo):
    chalco = add(demo)
    sinaloa_admin = login_as("tenant_admin", tenant="sinaloa")
    assert sinaloa_admin.get(PAGE).status_code == 404
    assert sinaloa_admin.post(f"{PAGE}/{chalco}/retry").status_code == 404
    # Through their own tenant's address, chalco's message id is not found either.
    assert sinaloa_admin.post(f"/sinaloa/admin/outbox/{chalco}/retry").status_code == 404
    assert status_of(demo, chalco) == ("failed", 5)


def test_an_id_of_another_tenant_is_not_found_for_this_tenants_admin(login_as, demo):
    sinaloa = add(demo, tenant="sinaloa")
    admin = login_as("tenant_admin")
    assert admin.post(f"{PAGE}/{sinaloa}/retry").status_code == 404
    assert admin.post(f"{PAGE}/999999/retry").status_code == 404
    assert status_of(demo, sinaloa) == ("failed", 5)
    assert mail_files(demo) == []


# --- what it shows ------------------------------------------------------------------------


def test_counts_and_the_failed_list_are_this_tenants(login_as, demo):
    pending = [add(demo, status="pending"), add(demo, status="sending", attempts=1)]
    failed = [add(demo, recipient=f"falla{n}@chalco.example") for n in range(3)]
    add(demo, status="sent", attempts=1)
    add(demo, tenant="sinaloa")  # another tenant's failure
    add(demo, tenant="sinaloa", status="sent", attempts=1)
    assert len(pending) == 2

    html = login_as("tenant_admin").get(PAGE).get_data(as_text=True)
    assert (count(html, "pending"), count(html, "failed"), count(html, "sent")) == (2, 3, 1)
    assert failed_rows(html) == sorted(failed, reverse=True)  # newest first
    assert "falla0@chalco.example" in html
    assert "persona@sinaloa.example" not in html
    assert "SMTPDataError: (554, b&#39;5.7.1 Rechazado&#39;)" in html
    assert "Recepción de su solicitud" in html
    for message_id in failed:
        assert f'action="/chalco/admin/outbox/{message_id}/retry"' in html
    assert 'action="/chalco/admin/outbox/retry-failed"' in html
    assert html.count('name="csrf_token"') >= len(failed) + 1


def test_the_admin_menu_links_the_page(login_as, demo):
    html = login_as("tenant_admin").get("/chalco/admin/").get_data(as_text=True)
    assert f'href="{PAGE}"' in html


def test_an_empty_outbox(login_as, demo):
    html = login_as("tenant_admin").get(PAGE).get_data(as_text=True)
    assert (count(html, "pending"), count(html, "failed"), count(html, "sent")) == (0, 0, 0)
    assert failed_rows(html) == []
    assert "retry-failed" not in html


# --- retrying -----------------------------------------------------------------------------


def test_retry_puts_the_message_back_and_it_leaves_after_the_response(login_as, demo):
    message_id = add(demo)
    other = add(demo)
    admin = login_as("tenant_admin")
    admin.get(PAGE)
    response = admin.post(f"{PAGE}/{message_id}/retry")
    assert response.status_code == 302
    assert response.headers["Location"] == PAGE
    assert status_of(demo, message_id) == ("pending", 0)
    response.close()
    assert status_of(demo, message_id) == ("sent", 1)
    assert status_of(demo, other) == ("failed", 5)
    assert mail_files(demo) == [f"{message_id:08d}.eml"]

    html = admin.get(PAGE).get_data(as_text=True)
    assert failed_rows(html) == [other]
    assert (count(html, "failed"), count(html, "sent")) == (1, 1)
    assert 'class="flash success"' in html and "persona@chalco.example" in html

    # Retrying it again (a second click) changes nothing.
    response = admin.post(f"{PAGE}/{message_id}/retry")
    assert response.status_code == 302
    response.close()
    assert status_of(demo, message_id) == ("sent", 1)
    assert mail_files(demo) == [f"{message_id:08d}.eml"]
    assert 'class="flash info"' in admin.get(PAGE).get_data(as_text=True)


def test_retry_needs_the_csrf_token(login_as, demo):
    message_id = add(demo)
    admin = login_as("tenant_admin")
    response = admin.client.post(f"{PAGE}/{message_id}/retry")
    assert response.status_code == 400
    assert status_of(demo, message_id) == ("failed", 5)


def test_retry_all_failed_is_this_tenants(login_as, demo):
    failed = [add(demo) for _ in range(3)]
    sent = add(demo, status="sent", attempts=1)
    sinaloa = add(demo, tenant="sinaloa")
    admin = login_as("tenant_admin")
    admin.get(PAGE)
    response = admin.post(f"{PAGE}/retry-failed")
    assert response.status_code == 302
    assert [status_of(demo, m) for m in failed] == [("pending", 0)] * 3
    response.close()
    assert [status_of(demo, m) for m in failed] == [("sent", 1)] * 3
    assert status_of(demo, sent) == ("sent", 1)
    assert status_of(demo, sinaloa) == ("failed", 5)
    assert mail_files(demo) == [f"{m:08d}.eml" for m in failed]
    html = admin.get(PAGE).get_data(as_text=True)
    assert (count(html, "failed"), count(html, "sent")) == (0, 4)

    # Nothing left to retry: still a redirect, nothing sent.
    response = admin.post(f"{PAGE}/retry-failed")
    assert response.status_code == 302
    response.close()
    assert mail_files(demo) == [f"{m:08d}.eml" for m in failed]


def test_a_superadmin_retries_in_the_tenant_of_the_address(login_as, demo):
    message_id = add(demo)
    superadmin = login_as("superadmin")
    superadmin.get(PAGE)
    response = superadmin.post(f"{PAGE}/{message_id}/retry")
    assert response.status_code == 302
    response.close()
    assert status_of(demo, message_id) == ("sent", 1)
