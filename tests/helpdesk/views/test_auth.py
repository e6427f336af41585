"""Sign-in, sign-out, self-registration and the language switch (helpdesk/views/auth.py)."""

from __future__ import annotations

import re
from urllib.parse import urlencode
from urllib.parse import urljoin
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func
from sqlalchemy import select
from werkzeug.security import check_password_hash

from helpdesk import demo as demo_data
from helpdesk import plugins
from helpdesk.extensions import db
from helpdesk.models import Unit
from helpdesk.models import User
from helpdesk.testing import Browser
from helpdesk.testing import build_test_app
from helpdesk.testing import dispose

PASSWORD = demo_data.DEMO_PASSWORD


def user_fields(app, email):
    """The columns of one user (None if absent), read outside any tenant scope."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            return None
        return {
            "id": user.id,
            "tenant": user.tenant.slug if user.tenant else None,
            "roles": user.roles,
            "kind": user.kind,
            "name": user.name,
            "organization": user.organization,
            "phone": user.phone,
            "unit_id": user.unit_id,
            "password_hash": user.password_hash,
            "locale": user.locale,
            "last_login_at": user.last_login_at,
        }


def set_active(app, email, active):
    with app.app_context():
        db.session.scalar(select(User).where(User.email == email)).active = active
        db.session.commit()


def count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def signed_in_id(browser):
    with browser.client.session_transaction() as session:
        return session.get("_user_id")


# --- signing in -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email, home",
    [
        ("admin@chalco.example", "/chalco/admin/"),
        ("coordinador@chalco.example", "/chalco/"),
        ("tecnico@sinaloa.example", "/sinaloa/"),
        ("solicitante@edomex.example", "/edomex/"),
        ("medio@chalco.example", "/chalco/"),
        ("ADMIN@Sinaloa.Example", "/sinaloa/admin/"),  # e-mail is case-insensitive
        (demo_data.SUPERADMIN_EMAIL, "/superadmin/tenants"),
    ],
)
def test_login_sends_each_user_home(demo, browser, email, home):
    response = browser.login(email, PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == home
    user = user_fields(demo, email.lower())
    assert signed_in_id(browser) == str(user["id"])
    assert user["last_login_at"] is not None
    assert browser.get(home).status_code == 200
    # Already signed in: the login page sends the user home again.
    assert browser.get("/login").headers["Location"] == home


@pytest.mark.parametrize(
    "email, password",
    [
        ("admin@chalco.example", "wrong-password-1"),
        ("admin@chalco.example", PASSWORD.upper()),
        ("nadie@chalco.example", PASSWORD),
    ],
)
def test_wrong_credentials_give_the_form_back(demo, browser, email, password):
    response = browser.login(email, password)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'value="{email}"' in html
    assert 'class="error"' in html and 'role="alert"' in html
    assert password not in html  # the password is never echoed
    assert signed_in_id(browser) is None
    assert browser.get("/chalco/admin/").status_code == 302


def test_login_requires_both_fields(demo, browser):
    response = browser.post("/login", {"email": "", "password": ""})
    assert response.status_code == 200
    assert 'class="error"' in response.get_data(as_text=True)
    assert signed_in_id(browser) is None


def test_inactive_user_is_refused(demo, browser):
    set_active(demo, "coordinador@chalco.example", False)
    response = browser.login("coordinador@chalco.example", PASSWORD)
    assert response.status_code == 200
    assert 'value="coordinador@chalco.example"' in response.get_data(as_text=True)
    assert signed_in_id(browser) is None
    assert user_fields(demo, "coordinador@chalco.example")["last_login_at"] is None


def test_deactivated_user_loses_the_session(demo, browser):
    assert browser.login("admin@chalco.example", PASSWORD).status_code == 302
    set_active(demo, "admin@chalco.example", False)
    response = browser.get("/chalco/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_login_rate_limit(tmp_path):
    app = build_test_app(tmp_path, HELPDESK_LOGIN_RATE_LIMIT="3/minute")
    try:
        with app.app_context():
            demo_data.load(plugins.host().catalog)
        browser = Browser(app.test_client())
        browser.get("/login")
        wrong = {"email": "admin@chalco.example", "password": "wrong-password-1"}
        statuses = [browser.post("/login", wrong).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        # While limited even the right password is refused, and nobody is signed in.
        right = {"email": "admin@chalco.example", "password": PASSWORD}
        assert browser.post("/login", right).status_code == 429
        assert signed_in_id(browser) is None
        # Only POST is limited: the form itself still loads.
        assert browser.get("/login").status_code == 200
    finally:
        dispose(app)


# --- CSRF -----------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "not-a-valid-token"])
def test_login_without_csrf_token_is_rejected(demo, client, token):
    data = {"email": "admin@chalco.example", "password": PASSWORD}
    if token:
        data["csrf_token"] = token
    response = client.post("/login", data=data)
    assert response.status_code == 400
    with client.session_transaction() as session:
        assert "_user_id" not in session
    assert user_fields(demo, "admin@chalco.example")["last_login_at"] is None


def test_admin_form_without_csrf_token_is_rejected(login_as):
    browser = login_as("tenant_admin")
    app = browser.client.application
    before = count(app, Unit)
    data = {"name": "Tesorería Municipal", "kind": "dependencia", "active": "y"}
    response = browser.client.post("/chalco/admin/units/new", data=data)
    assert response.status_code == 400
    assert count(app, Unit) == before
    # The same form with its token is accepted: the 400 was about the token alone.
    assert browser.post("/chalco/admin/units/new", data).status_code == 302
    assert count(app, Unit) == before + 1


# --- signing out ------------------------------------------------------------------------


def test_logout_requires_post(login_as):
    browser = login_as("tenant_admin")
    # GET never signs out. Werkzeug answers 308 to /logout/ (the tenant catalog rule
    # /<tenant>/ matches with a slash added), which is then an unknown tenant.
    response = browser.client.get("/logout", follow_redirects=True)
    assert response.status_code in (404, 405)
    assert browser.get("/chalco/admin/").status_code == 200  # still signed in
    response = browser.logout()
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert signed_in_id(browser) is None
    assert browser.get("/chalco/admin/").status_code == 302


def test_logout_without_csrf_token_is_rejected(login_as):
    browser = login_as("coordinator")
    assert browser.client.post("/logout").status_code == 400
    assert signed_in_id(browser) is not None


# --- where to go after signing in --------------------------------------------------------


def stays_on_site(location):
    """Where a browser would go (it reads a backslash as a slash) is this host."""
    resolved = urljoin("http://localhost/login", location.replace("\\", "/"))
    return urlsplit(resolved).netloc == "localhost"


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/chalco/admin/units", "/chalco/admin/units"),
        ("/chalco/?q=video", "/chalco/?q=video"),
        ("https://evil.example/", "/chalco/admin/"),
        ("//evil.example/", "/chalco/admin/"),
        ("/\t/evil.example/", "/chalco/admin/"),
        ("javascript:alert(1)", "/chalco/admin/"),
        ("chalco/admin/", "/chalco/admin/"),
        ("/\\evil.example/", None),  # Werkzeug quotes it to /%5Cevil.example/, a local path
    ],
)
def test_login_next_follows_only_same_site_paths(demo, browser, target, expected):
    browser.get("/login")
    response = browser.post(
        "/login?" + urlencode({"next": target}),
        {"email": "admin@chalco.example", "password": PASSWORD},
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert stays_on_site(location)
    if expected is not None:
        assert location == expected


def test_anonymous_visitor_comes_back_after_signing_in(demo, browser):
    response = browser.get("/chalco/admin/units")
    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert login_url == "/login?" + urlencode({"next": "/chalco/admin/units"})
    browser.get(login_url)
    response = browser.post(login_url, {"email": "admin@chalco.example", "password": PASSWORD})
    assert response.headers["Location"] == "/chalco/admin/units"


def test_session_cookie_is_httponly_and_samesite_lax(demo, browser):
    response = browser.login("admin@chalco.example", PASSWORD)
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies
    attributes = [part.strip() for part in cookies[-1].split(";")]
    assert "HttpOnly" in attributes
    assert "SameSite=Lax" in attributes


# --- self-registration -------------------------------------------------------------------

REGISTRATION = {
    "kind": "media",
    "name": "Lucía Torres Vega",
    "organization": "Radio Valle",
    "phone": "55 1234 5678",
    "email": "lucia@radio-valle.example",
    "password": "segura-2026",
    "confirm": "segura-2026",
}


def register(browser, tenant="chalco", **changes):
    browser.get(f"/{tenant}/registro")
    return browser.post(f"/{tenant}/registro", {**REGISTRATION, **changes})


@pytest.mark.parametrize(
    "tenant, kind, organization",
    [("chalco", "media", "Radio Valle"), ("sinaloa", "citizen", "")],
)
def test_register_creates_a_requester_of_that_tenant(demo, browser, tenant, kind, organization):
    response = register(browser, tenant, kind=kind, organization=organization)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/{tenant}/"
    user = user_fields(demo, REGISTRATION["email"])
    assert user["tenant"] == tenant
    assert user["roles"] == {"requester"}
    assert user["kind"] == kind
    assert user["organization"] == (organization or None)
    assert user["name"] == REGISTRATION["name"]
    assert user["phone"] == REGISTRATION["phone"]
    assert check_password_hash(user["password_hash"], REGISTRATION["password"])
    assert signed_in_id(browser) == str(user["id"])
    # A requester has no access to administration.
    assert browser.get(f"/{tenant}/admin/").status_code == 403
    # And can sign in again later.
    browser.logout()
    response = browser.login(REGISTRATION["email"], REGISTRATION["password"])
    assert response.headers["Location"] == f"/{tenant}/"


def test_register_media_without_organization_keeps_the_typed_values(demo, browser):
    before = count(demo, User)
    response = register(browser, organization="   ")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'<div class="field has-error">\s*<label for="organization"', html)
    assert 'role="alert"' in html
    assert f'value="{REGISTRATION["name"]}"' in html
    assert f'value="{REGISTRATION["email"]}"' in html
    assert f'value="{REGISTRATION["phone"]}"' in html
    assert re.search(r'<input checked[^>]*value="media"', html)
    assert REGISTRATION["password"] not in html
    assert count(demo, User) == before
    assert signed_in_id(browser) is None


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"email": "solicitante@chalco.example"}, "email"),
        ({"email": "SOLICITANTE@Chalco.example"}, "email"),
        ({"email": "ciudadano@sinaloa.example"}, "email"),  # e-mails are unique across tenants
        ({"email": "no-es-un-correo"}, "email"),
        ({"password": "corta1", "confirm": "corta1"}, "password"),
        ({"password": "solamenteletras", "confirm": "solamenteletras"}, "password"),
        ({"password": "1234567890", "confirm": "1234567890"}, "password"),
        ({"confirm": "segura-2027"}, "confirm"),
        ({"kind": "staff"}, "kind"),
        ({"name": ""}, "name"),
    ],
)
def test_register_refuses_bad_input(demo, browser, changes, field):
    before = count(demo, User)
    response = register(browser, **changes)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'<div class="field has-error">\s*(<label for|<fieldset><legend>)', html)
    if field != "kind":
        assert re.search(rf'<div class="field has-error">\s*<label for="{field}"', html), field
    if field != "name":
        assert f'value="{REGISTRATION["name"]}"' in html
    assert count(demo, User) == before
    assert signed_in_id(browser) is None


def test_register_as_signed_in_user_goes_home(login_as):
    browser = login_as("coordinator")
    before = count(browser.client.application, User)
    response = register(browser)
    assert response.status_code == 302
    assert response.headers["Location"] == "/chalco/"
    assert count(browser.client.application, User) == before


def test_register_in_unknown_tenant_is_404(demo, browser):
    assert browser.get("/atlantida/registro").status_code == 404


# --- language ---------------------------------------------------------------------------


def html_lang(response):
    return re.search(r'<html lang="([^"]+)">', response.get_data(as_text=True)).group(1)


def test_language_switch(demo, browser):
    assert html_lang(browser.get("/chalco/")) == "es-MX"
    response = browser.post("/idioma", {"locale": "en", "next": "/chalco/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/chalco/"
    assert html_lang(browser.get("/chalco/")) == "en"
    assert html_lang(browser.get("/login")) == "en"
    browser.post("/idioma", {"locale": "es_MX"})
    assert html_lang(browser.get("/chalco/")) == "es-MX"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example"])
def test_language_switch_ignores_unknown_locale_and_foreign_next(demo, browser, target):
    response = browser.post("/idioma", {"locale": "fr", "next": target})
    assert response.status_code == 302
    assert stays_on_site(response.headers["Location"])
    assert html_lang(browser.get("/")) == "es-MX"


def test_language_choice_is_kept_on_the_account(login_as):
    browser = login_as("agent")
    app = browser.client.application
    browser.post("/idioma", {"locale": "en", "next": "/chalco/"})
    assert user_fields(app, "tecnico@chalco.example")["locale"] == "en"
    # A new session of the same person starts in English.
    fresh = Browser(app.test_client())
    assert html_lang(fresh.get("/chalco/")) == "es-MX"
    fresh.login("tecnico@chalco.example", PASSWORD)
    assert html_lang(fresh.get("/chalco/")) == "en"
