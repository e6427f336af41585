"""The helpdesk commands: demo, catalog, plugins, users."""

import json

import pytest
from sqlalchemy import func
from sqlalchemy import select

from helpdesk.demo import DEMO_TENANTS
from helpdesk.extensions import db
from helpdesk.models import Department
from helpdesk.models import RoleMembership
from helpdesk.models import Tenant
from helpdesk.models import Unit
from helpdesk.models import User

EXPECTED_SERVICES = {
    "chalco": {f"GCH-CCS-P{n:02d}" for n in range(1, 13)} | {"GCH-CCS-P10-DTI"},
    "sinaloa": {"PSDT-05", "PSDT-06"},
    "edomex": {"FO-SASTI-UDPCC-33", "CAU"},
}


def invoke_json(runner, *args):
    result = runner.invoke(args=[*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def counts(app):
    with app.app_context():
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Tenant, Unit, Department, User, RoleMembership)
        }


def test_demo_loads_three_tenants_and_is_idempotent(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    first = counts(app)
    assert first["Tenant"] == 3
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert counts(app) == first


@pytest.mark.parametrize("slug", ["chalco", "sinaloa", "edomex"])
def test_catalog_of_a_tenant_shows_its_enabled_services(runner, slug):
    runner.invoke(args=["demo"])
    rows = invoke_json(runner, "catalog", "--tenant", slug)
    assert {row["code"] for row in rows if row["enabled"]} == EXPECTED_SERVICES[slug]
    for row in rows:
        assert set(row) >= {"code", "name", "plugin", "enabled"}
        assert row["name"] and row["plugin"]


def test_catalog_department_defaults_resolve_to_the_tenants_offices(runner):
    runner.invoke(args=["demo"])
    rows = {row["code"]: row for row in invoke_json(runner, "catalog", "--tenant", "chalco")}
    assert rows["GCH-CCS-P01"]["department"] == "DCII"
    assert rows["GCH-CCS-P10"]["department"] == "DGD"
    assert rows["GCH-CCS-P03"]["department"] == "CCS"


def test_catalog_without_tenant_lists_every_service(app, runner):
    rows = invoke_json(runner, "catalog")
    codes = [row["code"] for row in rows]
    assert codes == sorted(codes)
    assert set().union(*EXPECTED_SERVICES.values()) <= set(codes)


def test_unknown_tenant_is_a_clear_error(runner):
    result = runner.invoke(args=["catalog", "--tenant", "atlantis"])
    assert result.exit_code == 2
    assert "atlantis" in result.output


def test_plugins_lists_loaded_plugins_with_their_services(runner):
    rows = {row["name"]: row for row in invoke_json(runner, "plugins")}
    assert "GCH-CCS-P10" in rows["soporte"]["services"]
    assert "CAU" in rows["soporte"]["services"]
    assert "helpdesk_services" in rows["portal"]["hooks"]
    assert rows["helpdesk.defaults.indicators"]["default"] is True


@pytest.mark.parametrize("spec", DEMO_TENANTS, ids=lambda spec: spec.slug)
def test_users_lists_one_user_per_role(runner, spec):
    runner.invoke(args=["demo"])
    rows = invoke_json(runner, "users", "--tenant", spec.slug)
    assert {row["email"] for row in rows} == {user.email for user in spec.users}
    roles = {role for row in rows for role in row["roles"]}
    assert roles == {"requester", "coordinator", "agent", "tenant_admin"}
    by_email = {row["email"]: row for row in rows}
    for user in spec.users:
        row = by_email[user.email]
        assert row["unit"] == user.unit
        assert row["department"] == user.department
    assert all("superadmin" not in row["roles"] for row in rows)
