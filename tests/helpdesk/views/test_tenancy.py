"""Tenant isolation as a person sees it (helpdesk/tenancy.py through the views)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func
from sqlalchemy import select

from helpdesk import demo as demo_data
from helpdesk.extensions import db
from helpdesk.models import Department
from helpdesk.models import Tenant
from helpdesk.models import TenantService
from helpdesk.models import Unit
from helpdesk.models import User
from helpdesk.testing import Browser

PASSWORD = demo_data.DEMO_PASSWORD
SINALOA = demo_data.SINALOA
CHALCO = demo_data.CHALCO


def one(app, model, tenant, **where):
    with app.app_context():
        statement = select(model.id).join(Tenant, Tenant.id == model.tenant_id)
        statement = statement.where(Tenant.slug == tenant)
        for column, value in where.items():
            statement = statement.where(getattr(model, column) == value)
        return db.session.scalars(statement).one()


def snapshot(app, model, ident):
    """Every column of one row, to prove a refused request changed nothing."""
    with app.app_context():
        found = db.session.get(model, ident)
        return {column.key: getattr(found, column.key) for column in model.__table__.columns}


def count(app, model, **where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


def set_tenant_active(app, slug, active):
    with app.app_context():
        db.session.scalar(select(Tenant).where(Tenant.slug == slug)).active = active
        db.session.commit()


def sinaloa_targets(app):
    """(model, id, edit url, form that would change it) for a row of each kind in sinaloa."""
    unit = one(app, Unit, "sinaloa", name="Secretaría de Salud")
    dept = one(app, Department, "sinaloa", code="DGE")
    user = one(app, User, "sinaloa", email="tecnico@sinaloa.example")
    service = one(app, TenantService, "sinaloa", service_code="PSDT-05")
    # Each form is valid, so only the tenant check stands between it and the row.
    person = {"name": "Tomado", "email": "tomado@chalco.example", "roles": ["coordinator"]}
    person |= {"unit_id": "0", "department_id": "0"}
    setting = {"department_id": "0", "respond_amount": "7", "respond_unit": "hours"}
    setting |= {"resolve_unit": "hours"}
    return {
        "unit": (Unit, unit, f"units/{unit}", {"name": "Tomada", "kind": "dependencia"}),
        "department": (Department, dept, f"departments/{dept}", {"code": "X", "name": "Tomado"}),
        "user": (User, user, f"users/{user}", person),
        "service": (TenantService, service, f"services/{service}", setting),
        "toggle": (TenantService, service, f"services/{service}/toggle", {}),
    }


@pytest.mark.parametrize("kind", ["unit", "department", "user", "service"])
def test_another_tenants_record_is_404(login_as, demo, kind):
    model, ident, path, _ = sinaloa_targets(demo)[kind]
    assert login_as("tenant_admin").get(f"/chalco/admin/{path}").status_code == 404


@pytest.mark.parametrize("kind", ["unit", "department", "user", "service", "toggle"])
def test_posting_to_another_tenants_record_is_404_and_changes_nothing(login_as, demo, kind):
    model, ident, path, data = sinaloa_targets(demo)[kind]
    before = snapshot(demo, model, ident)
    response = login_as("tenant_admin").post(f"/chalco/admin/{path}", data)
    assert response.status_code == 404
    assert snapshot(demo, model, ident) == before


@pytest.mark.parametrize("role", ["requester", "coordinator", "agent", "tenant_admin"])
@pytest.mark.parametrize(
    "url", ["/sinaloa/", "/sinaloa/admin/", "/sinaloa/admin/users", "/sinaloa/registro"]
)
def test_member_of_another_tenant_gets_404(login_as, role, url):
    assert login_as(role, tenant="chalco").get(url).status_code == 404


def test_post_to_another_tenants_pages_is_404(login_as, demo):
    browser = login_as("tenant_admin")
    before = count(demo, Unit)
    data = {"name": "Intrusa", "kind": "dependencia", "active": "y"}
    assert browser.post("/sinaloa/admin/units/new", data).status_code == 404
    assert count(demo, Unit) == before


def sinaloa_words():
    """Names and e-mails that only sinaloa has."""
    words = [user.email for user in SINALOA.users] + [user.name for user in SINALOA.users]
    words += [name for _, name in SINALOA.departments] + [code for code, _ in SINALOA.departments]
    words += [name for name, _, _ in SINALOA.units]
    words.append("sinaloa.example")
    return words


@pytest.mark.parametrize(
    "url", ["/chalco/admin/units", "/chalco/admin/departments", "/chalco/admin/users"]
)
def test_lists_never_show_another_tenants_rows(login_as, url):
    html = login_as("tenant_admin").get(url).get_data(as_text=True)
    for word in sinaloa_words():
        assert word not in html, word
    # ... and they do show this tenant's own rows.
    own = {
        "/chalco/admin/units": [name for name, _, _ in CHALCO.units],
        "/chalco/admin/departments": [name for _, name in CHALCO.departments],
        "/chalco/admin/users": [user.email for user in CHALCO.users],
    }[url]
    for word in own:
        assert word in html, word


def test_service_settings_list_only_this_tenants_departments(login_as, demo):
    browser = login_as("tenant_admin")
    setting = one(demo, TenantService, "chalco", service_code="GCH-CCS-P01")
    html = browser.get(f"/chalco/admin/services/{setting}").get_data(as_text=True)
    assert "Departamento de Gobierno Digital" in html
    for _, name in SINALOA.departments:
        assert name not in html
    # A sinaloa department id smuggled into the form is refused.
    before = snapshot(demo, TenantService, setting)
    dept = one(demo, Department, "sinaloa", code="DGE")
    data = {"enabled": "y", "department_id": str(dept), "respond_unit": "hours"}
    data["resolve_unit"] = "hours"
    response = browser.post(f"/chalco/admin/services/{setting}", data)
    assert response.status_code == 200
    assert re.search(r'<div class="field has-error">\s*<label for="department_id"', response.text)
    assert response.text.count('class="field has-error"') == 1
    assert snapshot(demo, TenantService, setting) == before


@pytest.mark.parametrize("field", ["unit_id", "department_id"])
def test_user_form_refuses_another_tenants_office(login_as, demo, field):
    office = {
        "unit_id": one(demo, Unit, "sinaloa", name="Secretaría de Salud"),
        "department_id": one(demo, Department, "sinaloa", code="DGE"),
    }
    data = {
        "name": "Intruso",
        "email": "intruso@chalco.example",
        "roles": ["requester", "agent"],
        "unit_id": str(one(demo, Unit, "chalco", name="Dirección de la Mujer")),
        "department_id": str(one(demo, Department, "chalco", code="DGD")),
        "password": "clave-segura-1",
        field: str(office[field]),
    }
    before = count(demo, User)
    response = login_as("tenant_admin").post("/chalco/admin/users/new", data)
    assert response.status_code == 200
    assert re.search(rf'<div class="field has-error">\s*<label for="{field}"', response.text)
    assert count(demo, User) == before


def test_admin_overview_counts_only_this_tenant(login_as):
    html = login_as("tenant_admin").get("/chalco/admin/").get_data(as_text=True)
    figures = [int(n) for n in re.findall(r"<dd>(\d+)</dd>", html)]
    assert figures == [len(CHALCO.units), len(CHALCO.departments), len(CHALCO.users)]


@pytest.mark.parametrize("slug", ["sinaloa", "chalco", "edomex"])
def test_superadmin_opens_every_tenants_admin(login_as, slug):
    browser = login_as("superadmin")
    assert browser.get(f"/{slug}/admin/").status_code == 200
    spec = next(t for t in demo_data.DEMO_TENANTS if t.slug == slug)
    html = browser.get(f"/{slug}/admin/users").get_data(as_text=True)
    for tenant in demo_data.DEMO_TENANTS:
        for person in tenant.users:
            assert (person.email in html) == (tenant is spec), person.email


@pytest.mark.parametrize("url", ["/atlantida/", "/atlantida/admin/", "/atlantida/registro"])
def test_unknown_tenant_is_404(demo, login_as, url):
    assert demo.test_client().get(url).status_code == 404
    assert login_as("superadmin").get(url).status_code == 404


def test_inactive_tenant_is_404_and_its_users_cannot_sign_in(demo, login_as):
    signed_in = login_as("tenant_admin", tenant="sinaloa")
    superadmin = login_as("superadmin")
    set_tenant_active(demo, "sinaloa", False)
    anonymous = Browser(demo.test_client())
    for url in ("/sinaloa/", "/sinaloa/admin/", "/sinaloa/registro"):
        assert anonymous.get(url).status_code == 404, url
        assert signed_in.get(url).status_code == 404, url
        assert superadmin.get(url).status_code == 404, url
    assert "Gobierno del Estado de Sinaloa" not in anonymous.get("/").get_data(as_text=True)
    for person in SINALOA.users:
        response = Browser(demo.test_client()).login(person.email, PASSWORD)
        assert response.status_code == 200, person.email
    # Other tenants carry on, and reactivating brings sinaloa back.
    assert anonymous.get("/chalco/").status_code == 200
    set_tenant_active(demo, "sinaloa", True)
    assert anonymous.get("/sinaloa/").status_code == 200
