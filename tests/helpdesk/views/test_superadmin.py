"""The superadmin's pages: the tenants themselves (helpdesk/views/superadmin.py)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func
from sqlalchemy import select

from helpdesk import plugins
from helpdesk.extensions import db
from helpdesk.models import Tenant
from helpdesk.models import TenantService
from helpdesk.testing import Browser

NEW_TENANT = {
    "slug": "tlalnepantla",
    "name": "Gobierno de Tlalnepantla",
    "kind": "municipality",
    "timezone": "America/Mexico_City",
    "active": "y",
}


def tenant_id(app, slug):
    with app.app_context():
        return db.session.scalar(select(Tenant.id).where(Tenant.slug == slug))


def tenant_data(app, slug):
    with app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
        if tenant is None:
            return None
        return {c.key: getattr(tenant, c.key) for c in Tenant.__table__.columns}


def count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def service_rows(app, slug):
    with app.app_context():
        statement = (
            select(TenantService.service_code, TenantService.enabled)
            .join(Tenant, Tenant.id == TenantService.tenant_id)
            .where(Tenant.slug == slug)
        )
        return dict(db.session.execute(statement).all())


def catalog_codes(app):
    with app.app_context():
        return {service.code for service in plugins.host().catalog}


def field_has_error(html, field):
    return re.search(rf'<div class="field has-error">\s*<label for="{field}"', html)


def urls(app):
    return [
        "/superadmin/tenants",
        "/superadmin/tenants/new",
        f"/superadmin/tenants/{tenant_id(app, 'chalco')}",
    ]


def test_anonymous_is_sent_to_sign_in(demo, client):
    for url in urls(demo):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login?next="), url


@pytest.mark.parametrize("role", ["tenant_admin", "coordinator", "agent", "requester"])
def test_tenant_roles_get_403(login_as, demo, role):
    browser = login_as(role)
    for url in urls(demo):
        assert browser.get(url).status_code == 403, url
    before = count(demo, Tenant)
    assert browser.post("/superadmin/tenants/new", NEW_TENANT).status_code == 403
    assert count(demo, Tenant) == before


def test_superadmin_sees_every_tenant(login_as, demo):
    browser = login_as("superadmin")
    for url in urls(demo):
        assert browser.get(url).status_code == 200, url
    html = browser.get("/superadmin/tenants").get_data(as_text=True)
    for name in (
        "Gobierno de Chalco",
        "Gobierno del Estado de Sinaloa",
        "Gobierno del Estado de México",
    ):
        assert name in html


def test_create_tenant(login_as, demo):
    browser = login_as("superadmin")
    response = browser.post("/superadmin/tenants/new", NEW_TENANT)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"] == "/superadmin/tenants"
    data = tenant_data(demo, "tlalnepantla")
    assert data["name"] == "Gobierno de Tlalnepantla"
    assert data["kind"] == "municipality"
    assert data["timezone"] == "America/Mexico_City"
    assert data["active"] is True
    # One settings row per catalog service, all disabled until its admin enables them.
    rows = service_rows(demo, "tlalnepantla")
    assert set(rows) == catalog_codes(demo)
    assert not any(rows.values())
    assert "tlalnepantla" in browser.get("/superadmin/tenants").get_data(as_text=True)

    # Its pages exist: the (empty) catalog for anyone, the administration for superadmin.
    anonymous = Browser(demo.test_client())
    response = anonymous.get("/tlalnepantla/")
    assert response.status_code == 200
    assert 'class="service"' not in response.get_data(as_text=True)
    assert "Gobierno de Tlalnepantla" in anonymous.get("/").get_data(as_text=True)
    assert browser.get("/tlalnepantla/admin/").status_code == 200
    assert browser.get("/tlalnepantla/admin/services").status_code == 200
    assert set(service_rows(demo, "tlalnepantla")) == catalog_codes(demo)  # no duplicates


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"slug": "Tlalnepantla"}, "slug"),
        ({"slug": "TLAL"}, "slug"),
        ({"slug": "tlal nepantla"}, "slug"),
        ({"slug": "tlal_nepantla"}, "slug"),
        ({"slug": "-tlal"}, "slug"),
        ({"slug": "tl"}, "slug"),
        ({"slug": "t" * 41}, "slug"),
        ({"slug": "chalco"}, "slug"),  # taken
        ({"slug": ""}, "slug"),
        ({"timezone": "America/Atlantida"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"kind": "country"}, "kind"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_tenant_is_refused_with_values_kept(login_as, demo, changes, field):
    browser = login_as("superadmin")
    tenants, settings = count(demo, Tenant), count(demo, TenantService)
    response = browser.post("/superadmin/tenants/new", {**NEW_TENANT, **changes})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_has_error(html, field)
    assert 'role="alert"' in html
    for name in ("slug", "name", "timezone"):
        typed = {**NEW_TENANT, **changes}[name]
        if typed:
            assert f'value="{typed}"' in html, name
    assert count(demo, Tenant) == tenants
    assert count(demo, TenantService) == settings


def test_edit_tenant(login_as, demo):
    browser = login_as("superadmin")
    ident = tenant_id(demo, "edomex")
    html = browser.get(f"/superadmin/tenants/{ident}").get_data(as_text=True)
    assert 'value="edomex"' in html
    assert 'value="Gobierno del Estado de México"' in html
    data = {
        "slug": "edomex",
        "name": "Gobierno del Estado de México (GEM)",
        "kind": "state",
        "timezone": "America/Monterrey",
        "active": "y",
    }
    response = browser.post(f"/superadmin/tenants/{ident}", data)
    assert response.status_code == 302
    after = tenant_data(demo, "edomex")
    assert after["id"] == ident
    assert after["name"] == "Gobierno del Estado de México (GEM)"
    assert after["timezone"] == "America/Monterrey"
    # Services that were enabled stay enabled.
    assert service_rows(demo, "edomex")["CAU"] is True

    # Taking another tenant's slug is refused and changes nothing.
    response = browser.post(f"/superadmin/tenants/{ident}", {**data, "slug": "chalco"})
    assert response.status_code == 200
    assert field_has_error(response.text, "slug")
    assert tenant_data(demo, "edomex") == after

    # Leaving "active" unchecked takes the tenant offline.
    response = browser.post(
        f"/superadmin/tenants/{ident}", {k: v for k, v in data.items() if k != "active"}
    )
    assert response.status_code == 302
    assert tenant_data(demo, "edomex")["active"] is False
    assert Browser(demo.test_client()).get("/edomex/").status_code == 404


def test_edit_unknown_tenant_is_404(login_as):
    assert login_as("superadmin").get("/superadmin/tenants/9999").status_code == 404
