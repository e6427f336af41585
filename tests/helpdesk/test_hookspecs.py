"""Every hook is documented, tested, and listed in docs/hooks.md."""

from pathlib import Path

import pytest

from helpdesk import hookdocs
from helpdesk.catalog import IndicatorDefinition
from helpdesk.catalog import ServiceDefinition

ROOT = Path(__file__).resolve().parents[2]
HOOKS = [name for name, _ in hookdocs.hook_functions()]


def test_there_are_hooks():
    assert {"helpdesk_services", "helpdesk_indicators", "helpdesk_blueprints"} <= set(HOOKS)


@pytest.mark.parametrize("name", HOOKS)
def test_every_hook_has_a_docstring(name):
    function = dict(hookdocs.hook_functions())[name]
    assert function.__doc__ and len(function.__doc__.strip()) > 40


@pytest.mark.parametrize("name", HOOKS)
def test_every_hook_has_a_test(name):
    sources = "\n".join(path.read_text() for path in (ROOT / "tests").rglob("test_*.py"))
    assert f"def test_hook_{name}(" in sources


def test_docs_hooks_md_is_up_to_date():
    committed = (ROOT / "docs" / "hooks.md").read_text()
    assert committed == hookdocs.render(), "run: python -m helpdesk.hookdocs > docs/hooks.md"


def test_hook_helpdesk_services(app):
    catalog = app.extensions["helpdesk"].catalog
    sample = catalog.get("SAMPLE-01")
    assert isinstance(sample, ServiceDefinition)
    assert sample.plugin == "sample"
    assert sample.sla.respond.amount == 2


def test_hook_helpdesk_indicators(app):
    indicators = app.extensions["helpdesk"].indicators
    assert isinstance(indicators["sample_loans"], IndicatorDefinition)
    assert indicators["sample_loans"].plugin == "sample"
    assert indicators["requests_received"].plugin == "helpdesk.defaults.indicators"


def test_hook_helpdesk_blueprints(app):
    rules = {rule.rule: rule.endpoint for rule in app.url_map.iter_rules()}
    assert rules["/<tenant>/s/sample/hola"] == "sample_pages.hello"
