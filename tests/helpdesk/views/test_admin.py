"""Tenant administration: roles, services, units, departments, users (helpdesk/views/admin/)."""

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

ADMIN_URLS = ["/chalco/admin/", "/chalco/admin/services", "/chalco/admin/services/{service}"] + [
    f"/chalco/admin/{kind}{suffix}"
    for kind in ("units", "departments", "users")
    for suffix in ("", "/new", "/{" + kind[:-1] + "}")
]


def one(app, model, tenant="chalco", **where):
    """The id of the row of ``tenant`` matching ``where`` (queried across tenants)."""
    with app.app_context():
        statement = select(model.id).join(Tenant, Tenant.id == model.tenant_id)
        statement = statement.where(Tenant.slug == tenant)
        for column, value in where.items():
            statement = statement.where(getattr(model, column) == value)
        return db.session.scalars(statement).one()


def row(app, model, ident, *columns):
    with app.app_context():
        found = db.session.get(model, ident)
        return {column: getattr(found, column) for column in columns}


def count(app, model, **where):
    with app.app_context():
        statement = select(func.count()).select_from(model).filter_by(**where)
        return db.session.scalar(statement)


def has_error(html, field=None):
    if field is None:
        return 'class="error"' in html and 'role="alert"' in html
    return re.search(rf'<div class="field has-error">\s*(<label for="{field}"|<fieldset>)', html)


def url_ids(app):
    return {
        "service": one(app, TenantService, service_code="GCH-CCS-P01"),
        "unit": one(app, Unit, name="Dirección de la Mujer"),
        "department": one(app, Department, code="DGD"),
        "user": one(app, User, email="coordinador@chalco.example"),
    }


# --- who may enter ---------------------------------------------------------------------


# Anonymous visitors are sent to sign in; members without the role get 403.
ROLE_STATUS = [(None, 302), ("requester", 403), ("coordinator", 403), ("agent", 403)]
ROLE_STATUS += [("tenant_admin", 200), ("superadmin", 200)]


@pytest.mark.parametrize("url", ADMIN_URLS)
def test_every_admin_page_checks_the_role(login_as, demo, url):
    target = url.format(**url_ids(demo))
    for role, status in ROLE_STATUS:
        browser = login_as(role) if role else Browser(demo.test_client())
        response = browser.get(target)
        assert response.status_code == status, (role, response.get_data(as_text=True)[:300])
        if role is None:
            assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("role, status", [(None, 302), ("requester", 403), ("agent", 403)])
def test_toggle_needs_the_admin_role(login_as, demo, role, status):
    setting = one(demo, TenantService, service_code="GCH-CCS-P01")
    browser = login_as(role) if role else Browser(demo.test_client())
    response = browser.post(f"/chalco/admin/services/{setting}/toggle")
    assert response.status_code == status
    assert row(demo, TenantService, setting, "enabled") == {"enabled": True}


# --- services -----------------------------------------------------------------------------


def catalog_codes(browser, tenant="chalco"):
    html = browser.get(f"/{tenant}/").get_data(as_text=True)
    return set(re.findall(r'<li class="service" id="([^"]+)"', html))


def test_toggle_disables_and_enables_a_service(login_as, demo):
    browser = login_as("tenant_admin")
    p01 = one(demo, TenantService, service_code="GCH-CCS-P01")
    cau = one(demo, TenantService, service_code="CAU")
    assert "GCH-CCS-P01" in catalog_codes(browser)
    assert "CAU" not in catalog_codes(browser)

    assert browser.get(f"/chalco/admin/services/{p01}/toggle").status_code == 405
    response = browser.post(f"/chalco/admin/services/{p01}/toggle")
    assert response.status_code == 302
    assert response.headers["Location"] == "/chalco/admin/services"
    assert row(demo, TenantService, p01, "enabled") == {"enabled": False}
    assert "GCH-CCS-P01" not in catalog_codes(browser)

    browser.post(f"/chalco/admin/services/{cau}/toggle")
    browser.post(f"/chalco/admin/services/{p01}/toggle")
    assert row(demo, TenantService, cau, "enabled") == {"enabled": True}
    assert {"GCH-CCS-P01", "CAU"} <= catalog_codes(browser)
    # Another tenant's catalog is untouched.
    assert "CAU" not in catalog_codes(Browser(demo.test_client()), "sinaloa")


SETTING_COLUMNS = ("enabled", "department_id", "respond_amount", "respond_unit")
SETTING_COLUMNS += ("resolve_amount", "resolve_unit", "office_hours")


def settings_form(department_id=0, **changes):
    data = {"enabled": "y", "department_id": str(department_id), "respond_amount": ""}
    data |= {"respond_unit": "hours", "resolve_amount": "", "resolve_unit": "hours"}
    data |= {f"days-{day}-{end}": "" for day in range(7) for end in ("opens", "closes")}
    return data | changes


def test_edit_service_settings(login_as, demo):
    browser = login_as("tenant_admin")
    setting = one(demo, TenantService, service_code="GCH-CCS-P01")
    dgd = one(demo, Department, code="DGD")
    data = settings_form(dgd, respond_amount="3", respond_unit="days", resolve_amount="10")
    data |= {"custom_hours": "y", "days-0-opens": "08:00", "days-0-closes": "15:30"}
    data |= {"days-5-opens": "10:00", "days-5-closes": "13:00"}
    response = browser.post(f"/chalco/admin/services/{setting}", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"] == "/chalco/admin/services"
    hours = {"0": [["08:00", "15:30"]], "5": [["10:00", "13:00"]]}
    saved = (True, dgd, 3, "days", 10, "hours", hours)
    assert row(demo, TenantService, setting, *SETTING_COLUMNS) == dict(
        zip(SETTING_COLUMNS, saved, strict=True)
    )
    html = browser.get(f"/chalco/admin/services/{setting}").get_data(as_text=True)
    assert re.search(rf'<option selected value="{dgd}">', html)
    assert 'name="respond_amount" type="number" value="3"' in html
    assert 'name="resolve_amount" type="number" value="10"' in html
    assert re.search(r'<input checked id="custom_hours"', html)
    assert 'name="days-0-closes" placeholder="16:00" size="5" type="text" value="15:30"' in html
    assert 'name="days-5-opens" placeholder="09:00" size="5" type="text" value="10:00"' in html
    # The catalog names the overriding department.
    assert "Departamento de Gobierno Digital" in browser.get("/chalco/").get_data(as_text=True)

    # Emptying the overrides goes back to the plugin defaults.
    response = browser.post(f"/chalco/admin/services/{setting}", settings_form())
    assert response.status_code == 302
    cleared = dict.fromkeys(SETTING_COLUMNS, None) | {"enabled": True}
    assert row(demo, TenantService, setting, *SETTING_COLUMNS) == cleared


@pytest.mark.parametrize(
    "changes, typed",
    [
        ({"custom_hours": "y", "days-0-opens": "16:00", "days-0-closes": "09:00"}, "16:00"),
        ({"custom_hours": "y", "days-1-opens": "12:00", "days-1-closes": "12:00"}, "12:00"),
        ({"custom_hours": "y", "days-2-opens": "09:00"}, "09:00"),
        ({"custom_hours": "y", "days-3-closes": "14:00"}, "14:00"),
        ({"custom_hours": "y"}, None),
        ({"respond_amount": "-4"}, "-4"),
        ({"resolve_amount": "0"}, "0"),
        ({"resolve_amount": "doce"}, "doce"),
        ({"custom_hours": "y", "days-0-opens": "9am", "days-0-closes": "16:00"}, "9am"),
        ({"custom_hours": "y", "days-0-opens": "09:00", "days-0-closes": "24:00"}, "24:00"),
        ({"custom_hours": "y", "days-0-opens": "9:00", "days-0-closes": "16:00"}, "9:00"),
        ({"respond_unit": "weeks", "respond_amount": "2"}, "2"),
    ],
)
def test_bad_service_settings_are_refused(login_as, demo, changes, typed):
    browser = login_as("tenant_admin")
    setting = one(demo, TenantService, service_code="GCH-CCS-P01")
    before = row(demo, TenantService, setting, *SETTING_COLUMNS)
    response = browser.post(f"/chalco/admin/services/{setting}", settings_form(**changes))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert has_error(html)
    if typed is not None:
        assert f'value="{typed}"' in html
    if "custom_hours" in changes:
        assert re.search(r'<input checked id="custom_hours"', html)
    assert row(demo, TenantService, setting, *SETTING_COLUMNS) == before


# --- units and departments ---------------------------------------------------------------

OFFICES = {
    "units": {
        "model": Unit,
        "key": "name",
        "new": {"name": "Tesorería", "acronym": "TM", "kind": "dependencia", "active": "y"},
        "existing": "Dirección de la Mujer",
        "other_tenant": "Secretaría de Salud",  # a unit of sinaloa and edomex
        "edit": {"name": "Instituto de la Mujer", "acronym": "IMM", "kind": "organismo"},
    },
    "departments": {
        "model": Department,
        "key": "code",
        "new": {"code": "DT", "name": "Departamento de Trámites", "active": "y"},
        "existing": "DGD",
        "other_tenant": "DSCT",  # a department of sinaloa
        "edit": {"code": "DGD-2", "name": "Gobierno Digital y Datos"},
    },
}


@pytest.mark.parametrize("kind", OFFICES)
def test_create_and_edit_an_office(login_as, demo, kind):
    spec = OFFICES[kind]
    model, key = spec["model"], spec["key"]
    browser = login_as("tenant_admin")
    response = browser.post(f"/chalco/admin/{kind}/new", spec["new"])
    assert response.status_code == 302
    assert response.headers["Location"] == f"/chalco/admin/{kind}"
    created = one(demo, model, **{key: spec["new"][key]})
    assert row(demo, model, created, "name", "active") == {
        "name": spec["new"]["name"],
        "active": True,
    }
    assert spec["new"]["name"] in browser.get(f"/chalco/admin/{kind}").get_data(as_text=True)

    # Edit: new values, and "active" left unchecked deactivates it.
    response = browser.post(f"/chalco/admin/{kind}/{created}", spec["edit"])
    assert response.status_code == 302
    assert row(demo, model, created, *spec["edit"], "active") == {**spec["edit"], "active": False}


@pytest.mark.parametrize("kind", OFFICES)
def test_duplicate_office_in_the_same_tenant_is_refused(login_as, demo, kind):
    spec = OFFICES[kind]
    model, key = spec["model"], spec["key"]
    browser = login_as("tenant_admin")
    before = count(demo, model)
    data = {**spec["new"], key: spec["existing"]}
    response = browser.post(f"/chalco/admin/{kind}/new", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert has_error(html, key)
    assert f'value="{spec["existing"]}"' in html
    assert f'value="{spec["new"]["name" if key == "code" else "acronym"]}"' in html
    assert count(demo, model) == before

    # Renaming another row onto the existing value is refused too, and changes nothing.
    browser.post(f"/chalco/admin/{kind}/new", spec["new"])
    other = one(demo, model, **{key: spec["new"][key]})
    response = browser.post(f"/chalco/admin/{kind}/{other}", data)
    assert response.status_code == 200
    assert has_error(response.get_data(as_text=True), key)
    assert row(demo, model, other, key) == {key: spec["new"][key]}


@pytest.mark.parametrize("kind", OFFICES)
def test_the_same_office_name_in_another_tenant_is_fine(login_as, demo, kind):
    spec = OFFICES[kind]
    model, key = spec["model"], spec["key"]
    data = {**spec["new"], key: spec["other_tenant"]}
    response = login_as("tenant_admin").post(f"/chalco/admin/{kind}/new", data)
    assert response.status_code == 302
    assert count(demo, model, **{key: spec["other_tenant"]}) >= 2
    one(demo, model, "chalco", **{key: spec["other_tenant"]})


@pytest.mark.parametrize(
    "kind, changes, field",
    [
        ("units", {"name": ""}, "name"),
        ("units", {"kind": "secreto"}, "kind"),
        ("departments", {"code": "D G D"}, "code"),
        ("departments", {"name": "   "}, "name"),
    ],
)
def test_invalid_office_is_refused(login_as, demo, kind, changes, field):
    spec = OFFICES[kind]
    before = count(demo, spec["model"])
    response = login_as("tenant_admin").post(
        f"/chalco/admin/{kind}/new", {**spec["new"], **changes}
    )
    assert response.status_code == 200
    assert has_error(response.get_data(as_text=True), field)
    assert count(demo, spec["model"]) == before


# --- users ----------------------------------------------------------------------------------


def user_form(demo, **changes):
    data = {"name": "Elena Ruiz Campos", "email": "Elena.Ruiz@chalco.example", "active": "y"}
    data |= {"roles": ["coordinator", "agent"], "password": "nueva-clave-1", "unit_id": "0"}
    data["department_id"] = str(one(demo, Department, code="DGD"))
    return data | changes


def user_data(app, user_id):
    columns = ("name", "email", "roles", "unit_id", "department_id", "kind", "password_hash")
    return row(app, User, user_id, "active", *columns)


def test_create_user_who_can_then_sign_in(login_as, demo):
    browser = login_as("tenant_admin")
    response = browser.post("/chalco/admin/users/new", user_form(demo))
    assert response.status_code == 302
    assert response.headers["Location"] == "/chalco/admin/users"
    created = one(demo, User, email="elena.ruiz@chalco.example")
    data = user_data(demo, created)
    assert data["roles"] == {"coordinator", "agent"}
    assert data["department_id"] == one(demo, Department, code="DGD")
    assert data["unit_id"] is None
    assert data["kind"] == "staff"
    assert "elena.ruiz@chalco.example" in browser.get("/chalco/admin/users").get_data(as_text=True)

    person = Browser(demo.test_client())
    response = person.login("elena.ruiz@chalco.example", "nueva-clave-1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/chalco/"


def test_create_requester_with_a_unit(login_as, demo):
    unit = one(demo, Unit, name="Dirección de la Mujer")
    form = user_form(demo, roles=["requester"], unit_id=str(unit), department_id="0")
    assert login_as("tenant_admin").post("/chalco/admin/users/new", form).status_code == 302
    created = one(demo, User, email="elena.ruiz@chalco.example")
    assert user_data(demo, created)["unit_id"] == unit


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"roles": ["requester"], "unit_id": "0"}, "unit_id"),
        ({"roles": ["requester"], "unit_id": ""}, "unit_id"),
        ({"roles": ["agent"], "department_id": "0"}, "department_id"),
        ({"roles": ["agent"], "department_id": ""}, "department_id"),
        ({"roles": []}, "roles"),
        ({"roles": ["superadmin"]}, "roles"),
        ({"email": "coordinador@chalco.example"}, "email"),
        ({"email": "Tecnico@Sinaloa.example"}, "email"),  # e-mails are unique across tenants
        ({"email": "elena"}, "email"),
        ({"password": ""}, "password"),
        ({"password": "abcdefghij"}, "password"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_new_user_is_refused(login_as, demo, changes, field):
    before = count(demo, User)
    response = login_as("tenant_admin").post("/chalco/admin/users/new", user_form(demo, **changes))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert has_error(html, field), field
    if field != "name":
        assert 'value="Elena Ruiz Campos"' in html
    assert "nueva-clave-1" not in html
    assert count(demo, User) == before


def test_edit_user_roles_keeps_the_password(login_as, demo):
    browser = login_as("tenant_admin")
    target = one(demo, User, email="coordinador@chalco.example")
    before = user_data(demo, target)
    html = browser.get(f"/chalco/admin/users/{target}").get_data(as_text=True)
    assert re.search(
        r'<input checked id="roles-\d" name="roles" type="checkbox" value="coordinator"', html
    )
    form = user_form(demo, name="Ricardo Sánchez", email="coordinador@chalco.example", password="")
    response = browser.post(f"/chalco/admin/users/{target}", form)
    assert response.status_code == 302
    after = user_data(demo, target)
    assert after["roles"] == {"coordinator", "agent"}
    assert after["name"] == "Ricardo Sánchez"
    assert after["password_hash"] == before["password_hash"]
    person = Browser(demo.test_client())
    assert person.login("coordinador@chalco.example", demo_data.DEMO_PASSWORD).status_code == 302


def test_edit_user_to_a_taken_email_is_refused(login_as, demo):
    target = one(demo, User, email="coordinador@chalco.example")
    before = user_data(demo, target)
    form = user_form(demo, email="tecnico@chalco.example", password="")
    response = login_as("tenant_admin").post(f"/chalco/admin/users/{target}", form)
    assert response.status_code == 200
    assert has_error(response.get_data(as_text=True), "email")
    assert user_data(demo, target) == before


def test_admin_cannot_remove_own_admin_role(login_as, demo):
    browser = login_as("tenant_admin")
    me = one(demo, User, email="admin@chalco.example")
    before = user_data(demo, me)
    form = user_form(demo, email="admin@chalco.example", roles=["coordinator"], password="")
    response = browser.post(f"/chalco/admin/users/{me}", form)
    assert response.status_code == 200
    assert has_error(response.get_data(as_text=True), "roles")
    assert user_data(demo, me) == before
    assert browser.get("/chalco/admin/").status_code == 200
    # Keeping the role, the admin may edit the rest of the own account.
    form["roles"] = ["tenant_admin", "coordinator"]
    assert browser.post(f"/chalco/admin/users/{me}", form).status_code == 302
    assert user_data(demo, me)["roles"] == {"tenant_admin", "coordinator"}


def test_another_admin_may_remove_the_admin_role(login_as, demo):
    browser = login_as("tenant_admin")
    other = one(demo, User, email="coordinador@chalco.example")
    form = user_form(demo, email="coordinador@chalco.example", roles=["tenant_admin"], password="")
    assert browser.post(f"/chalco/admin/users/{other}", form).status_code == 302
    assert user_data(demo, other)["roles"] == {"tenant_admin"}
    form["roles"] = ["coordinator"]
    assert browser.post(f"/chalco/admin/users/{other}", form).status_code == 302
    assert user_data(demo, other)["roles"] == {"coordinator"}
