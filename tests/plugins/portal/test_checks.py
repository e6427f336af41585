"""The portal services' automatic requirement checks."""

from __future__ import annotations

import datetime

import pytest
from werkzeug.datastructures import MultiDict

from plugins.portal.checks import modification_names_registered_system
from plugins.portal.checks import service_url_is_secure
from plugins.portal.forms import REGISTRY_KEY_REQUIRED
from plugins.portal.services import P07
from plugins.portal.services import P08
from plugins.portal.services import PSDT05

from .test_forms import P07_VALID
from .test_forms import P08_VALID
from .test_forms import PSDT05_VALID


def json_ready(data):
    """Form data as the core stores it (dates as "YYYY-MM-DD"); see helpdesk.tickets."""
    return {
        key: value.isoformat() if isinstance(value, datetime.date) else value
        for key, value in data.items()
    }


# -- GCH-CCS-P07 ---------------------------------------------------------------


def test_p07_creation_passes():
    assert modification_names_registered_system({"request_kind": "creation"}) == []


def test_p07_modification_with_key_passes():
    data = {"request_kind": "modification", "system_registry_key": "SIS-014"}
    assert modification_names_registered_system(data) == []


@pytest.mark.parametrize("key", [None, "", "   "])
def test_p07_modification_without_key_blocks(key):
    issues = modification_names_registered_system(
        {"request_kind": "modification", "system_registry_key": key}
    )
    assert len(issues) == 1
    assert issues[0].field == "system_registry_key"
    assert issues[0].message == REGISTRY_KEY_REQUIRED
    assert issues[0].blocking


# -- PSDT-05 -------------------------------------------------------------------


def test_psdt05_https_passes():
    assert service_url_is_secure({"service_url": "https://pagos.example.gob.mx/x"}) == []


def test_psdt05_http_is_a_warning():
    issues = service_url_is_secure({"service_url": "http://pagos.example.gob.mx/x"})
    assert len(issues) == 1
    assert issues[0].field == "service_url"
    assert not issues[0].blocking
    assert "https" in issues[0].message


@pytest.mark.parametrize(
    "url", [None, "", "pagos.example.gob.mx", "ftp://pagos.example.gob.mx", "http://[::1"]
)
def test_psdt05_non_web_address_blocks(url):
    issues = service_url_is_secure({"service_url": url})
    assert len(issues) == 1
    assert issues[0].field == "service_url"
    assert issues[0].blocking
    assert (
        issues[0].message == "La ubicación del servicio debe ser una dirección web (http o https)."
    )


# -- Form and checks agree -----------------------------------------------------


P07_MODIFICATION = {**P07_VALID, "request_kind": "modification", "system_registry_key": "S-1"}


@pytest.mark.parametrize(
    ("service", "data"),
    [(P07, P07_VALID), (P07, P07_MODIFICATION), (P08, P08_VALID), (PSDT05, PSDT05_VALID)],
)
def test_valid_form_data_raises_no_issue(service, data):
    form = service.form(MultiDict(data))
    assert form.validate(), form.errors
    submitted = {**json_ready(form.data), "attachments": []}
    assert [issue for check in service.checks for issue in check(submitted)] == []
