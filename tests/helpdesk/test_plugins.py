"""The plugin system: entry points, switches, validation, plugin pages."""

import json
import logging
import os
import subprocess
import sys
import types

import pluggy
import pytest
from sqlalchemy import select

from helpdesk import hookimpl
from helpdesk.catalog import CatalogError
from helpdesk.catalog import ServiceDefinition
from helpdesk.extensions import db
from helpdesk.models import TenantService
from helpdesk.plugins import DEFAULT_PLUGINS
from helpdesk.plugins import PluginLoadError
from helpdesk.testing import build_test_app
from helpdesk.testing import dispose

BUILTIN = {"soporte", "comunicacion", "medios_interactivos", "dictamenes", "portal"}


def service(code, **kwargs):
    defaults = dict(
        name="Servicio de prueba",
        description="Para pruebas.",
        source_document="Pruebas",
        area="Pruebas",
        department="DGD",
    )
    return ServiceDefinition(code=code, **{**defaults, **kwargs})


def plugin_with(*services):
    module = types.ModuleType("fake_plugin")

    @hookimpl
    def helpdesk_services():
        return list(services)

    module.helpdesk_services = helpdesk_services
    return module


@pytest.fixture
def make_app(tmp_path):
    apps = []

    def _make(**config):
        app = build_test_app(tmp_path / str(len(apps)), **config)
        apps.append(app)
        return app

    yield _make
    for app in apps:
        dispose(app)


def plugin_names(app):
    return {info.name for info in app.extensions["helpdesk"].plugin_infos()}


def test_builtin_and_third_party_plugins_load_through_entry_points(app):
    infos = {info.name: info for info in app.extensions["helpdesk"].plugin_infos()}
    assert BUILTIN | {"sample"} <= set(infos)
    for name in BUILTIN:
        assert infos[name].distribution == "mesa-ayuda-gob"
        assert infos[name].module == f"plugins.{name}"
    assert infos["sample"].distribution == "helpdesk-sample-plugin"
    assert infos["sample"].version == "1.0.0"
    assert "SAMPLE-01" in app.extensions["helpdesk"].catalog


def test_load_plugins_limits_the_entry_points(make_app):
    app = make_app(HELPDESK_LOAD_PLUGINS=["sample"])
    assert plugin_names(app) == set(DEFAULT_PLUGINS) | {"sample"}
    assert app.extensions["helpdesk"].catalog.codes() == ["SAMPLE-01"]


def test_unknown_plugin_in_load_list_stops_start_up(make_app):
    with pytest.raises(PluginLoadError, match="no-such-plugin"):
        make_app(HELPDESK_LOAD_PLUGINS=["no-such-plugin"])


def test_disabling_a_plugin_removes_only_its_services(app, make_app):
    full = app.extensions["helpdesk"].catalog
    portal_codes = {s.code for s in full if s.plugin == "portal"}
    assert portal_codes
    reduced = make_app(HELPDESK_DISABLE_PLUGINS=["portal"]).extensions["helpdesk"].catalog
    assert set(reduced.codes()) == set(full.codes()) - portal_codes


def test_core_runs_with_no_service_plugin(bare_app):
    from helpdesk import demo as demo_data

    assert len(bare_app.extensions["helpdesk"].catalog) == 0
    with bare_app.app_context():
        demo_data.load(bare_app.extensions["helpdesk"].catalog)
        assert db.session.scalars(select(TenantService)).all() == []
    client = bare_app.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/chalco/").status_code == 200


def test_duplicate_service_code_names_both_plugins(make_app):
    objects = [("first", plugin_with(service("X-1"))), ("second", plugin_with(service("X-1")))]
    with pytest.raises(CatalogError) as excinfo:
        make_app(HELPDESK_LOAD_PLUGINS=[], HELPDESK_PLUGIN_OBJECTS=objects)
    assert "X-1" in str(excinfo.value)
    assert "'first'" in str(excinfo.value) and "'second'" in str(excinfo.value)


def test_catalog_is_sorted_by_code_whatever_the_registration_order(make_app):
    objects = [
        ("b", plugin_with(service("B-2"), service("A-9"))),
        ("a", plugin_with(service("A-1"))),
    ]
    app = make_app(HELPDESK_LOAD_PLUGINS=[], HELPDESK_PLUGIN_OBJECTS=objects)
    catalog = app.extensions["helpdesk"].catalog
    assert catalog.codes() == ["A-1", "A-9", "B-2"]
    assert catalog.get("A-9").plugin == "b"


def test_misspelt_hook_stops_start_up(make_app):
    module = types.ModuleType("typo_plugin")

    @hookimpl
    def helpdesk_service():  # missing the final "s"
        return []

    module.helpdesk_service = helpdesk_service
    with pytest.raises(pluggy.PluginValidationError):
        make_app(HELPDESK_LOAD_PLUGINS=[], HELPDESK_PLUGIN_OBJECTS=[("typo", module)])


def test_hook_asking_for_unknown_argument_stops_start_up(make_app):
    module = types.ModuleType("bad_args")

    @hookimpl
    def helpdesk_services(weather):
        return []

    module.helpdesk_services = helpdesk_services
    with pytest.raises(pluggy.PluginValidationError):
        make_app(HELPDESK_LOAD_PLUGINS=[], HELPDESK_PLUGIN_OBJECTS=[("bad", module)])


def test_a_plugin_returning_something_else_is_refused(make_app):
    module = types.ModuleType("wrong_type")

    @hookimpl
    def helpdesk_services():
        return [{"code": "X"}]

    module.helpdesk_services = helpdesk_services
    with pytest.raises(CatalogError, match="wrong"):
        make_app(HELPDESK_LOAD_PLUGINS=[], HELPDESK_PLUGIN_OBJECTS=[("wrong", module)])


def test_trace_switch_logs_hook_calls(make_app, caplog):
    with caplog.at_level(logging.INFO, logger="helpdesk.plugins"):
        make_app(HELPDESK_LOAD_PLUGINS=["sample"], HELPDESK_TRACE_PLUGINS=True)
    assert "helpdesk_services" in caplog.text


def test_plugin_page_is_mounted_under_the_tenant_and_needs_login(login_as, demo):
    anonymous = demo.test_client().get("/chalco/s/sample/hola")
    assert anonymous.status_code == 302
    assert "/login" in anonymous.headers["Location"]
    page = login_as("requester").get("/chalco/s/sample/hola")
    assert page.status_code == 200
    assert "Gobierno de Chalco" in page.get_data(as_text=True)
    other_tenant = login_as("requester", tenant="sinaloa").get("/chalco/s/sample/hola")
    assert other_tenant.status_code == 404


def _helpdesk_cli(tmp_path, *args, **env):
    environment = {k: v for k, v in os.environ.items() if k != "HELPDESK_LOAD_PLUGINS"}
    environment.update(
        HELPDESK_INSTANCE_PATH=str(tmp_path / "instance"),
        HELPDESK_DATABASE_URL=f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        **env,
    )
    script = os.path.join(os.path.dirname(sys.executable), "helpdesk")
    return subprocess.run([script, *args], capture_output=True, text=True, env=environment)


def test_installed_sample_plugin_shows_in_the_console_script(tmp_path):
    result = _helpdesk_cli(tmp_path, "plugins", "--json")
    assert result.returncode == 0, result.stderr
    names = {row["name"] for row in json.loads(result.stdout)}
    assert {"sample"} | BUILTIN <= names


def test_empty_load_plugins_variable_loads_no_plugin(tmp_path):
    result = _helpdesk_cli(tmp_path, "plugins", "--json", HELPDESK_LOAD_PLUGINS="")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert {row["name"] for row in rows} == set(DEFAULT_PLUGINS)
    assert all(row["default"] for row in rows)
