"""The portal services' request forms: GCH-CCS-P07, GCH-CCS-P08 and PSDT-05."""

from __future__ import annotations

import datetime

import pytest
from werkzeug.datastructures import MultiDict

from plugins.portal import checks
from plugins.portal.forms import REGISTRY_KEY_REQUIRED
from plugins.portal.forms import ElectronicServiceForm
from plugins.portal.forms import SystemRequestForm
from plugins.portal.forms import WebPublicationForm
from plugins.portal.services import P07
from plugins.portal.services import P08
from plugins.portal.services import PSDT05

P07_VALID = {
    "request_kind": "creation",
    "system_name": "Sistema de control de oficios",
    "justification": "Los oficios se registran a mano en una hoja de cálculo.",
    "objective": "Reducir el tiempo de registro y seguimiento de los oficios.",
}
P08_VALID = {
    "site": "dif",
    "section": "Noticias",
    "content": "Jornada de vacunación en el DIF Chalco el 14 de diciembre.",
    "publication_date": "2026-12-10",
}
PSDT05_VALID = {
    "service_name": "Pago de tenencia en línea",
    "service_url": "https://pagos.example.gob.mx/tenencia",
    "service_description": "Consulta y pago del impuesto.",
}


def build(form_class, valid, drop=(), **changes):
    data = {k: v for k, v in valid.items() if k not in drop}
    data.update(changes)
    return form_class(MultiDict(data))


# -- GCH-CCS-P07 ---------------------------------------------------------------


def test_p07_valid_creation():
    form = build(SystemRequestForm, P07_VALID)
    assert form.validate(), form.errors
    assert set(form.data) == {
        "request_kind",
        "system_name",
        "justification",
        "objective",
        "system_registry_key",
    }
    assert form.data["system_name"] == "Sistema de control de oficios"


def test_p07_labels_are_the_documents():
    form = SystemRequestForm()
    assert form.system_name.label.text == "Nombre del sistema informático a crear / modificar"
    assert form.justification.label.text == "Justificación de la creación / modificación"
    assert form.objective.label.text == "Objetivo"


@pytest.mark.parametrize("field", ["request_kind", "system_name", "justification", "objective"])
def test_p07_required_fields(field):
    form = build(SystemRequestForm, P07_VALID, drop=[field])
    assert not form.validate()
    assert form.errors[field] == ["Este campo es obligatorio."]


def test_p07_blank_text_is_missing():
    form = build(SystemRequestForm, P07_VALID, system_name="   ")
    assert not form.validate()
    assert "system_name" in form.errors


def test_p07_unknown_kind():
    form = build(SystemRequestForm, P07_VALID, request_kind="deletion")
    assert not form.validate()
    assert form.errors["request_kind"] == ["Elija una de las opciones de la lista."]


def test_p07_modification_requires_registry_key():
    form = build(SystemRequestForm, P07_VALID, request_kind="modification")
    assert not form.validate()
    assert form.errors == {"system_registry_key": [REGISTRY_KEY_REQUIRED]}


def test_p07_modification_with_registry_key():
    form = build(
        SystemRequestForm, P07_VALID, request_kind="modification", system_registry_key="SIS-014"
    )
    assert form.validate(), form.errors
    assert form.data["system_registry_key"] == "SIS-014"


def test_p07_creation_needs_no_registry_key():
    form = build(SystemRequestForm, P07_VALID, system_registry_key="")
    assert form.validate(), form.errors


# -- GCH-CCS-P08 ---------------------------------------------------------------


def test_p08_valid():
    form = build(WebPublicationForm, P08_VALID)
    assert form.validate(), form.errors
    assert form.data == {
        "site": "dif",
        "section": "Noticias",
        "content": "Jornada de vacunación en el DIF Chalco el 14 de diciembre.",
        "publication_date": datetime.date(2026, 12, 10),
    }


def test_p08_offers_the_five_sites():
    labels = [choice.label for choice in WebPublicationForm().site.iter_choices()]
    assert labels == ["Gobierno de Chalco", "ODAPAS", "DIF", "IMCUFIDE", "Dirección de la Mujer"]


@pytest.mark.parametrize("field", ["site", "section", "content", "publication_date"])
def test_p08_required_fields(field):
    form = build(WebPublicationForm, P08_VALID, drop=[field])
    assert not form.validate()
    assert form.errors[field] == ["Este campo es obligatorio."]


def test_p08_invalid_date():
    form = build(WebPublicationForm, P08_VALID, publication_date="10/12/2026")
    assert not form.validate()
    assert "Escriba una fecha válida con el formato AAAA-MM-DD." in form.errors["publication_date"]


def test_p08_unknown_site():
    form = build(WebPublicationForm, P08_VALID, site="facebook")
    assert not form.validate()
    assert form.errors["site"] == ["Elija una de las opciones de la lista."]


# -- PSDT-05 -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["https://pagos.example.gob.mx/tenencia", "http://pagos.example.gob.mx"]
)
def test_psdt05_valid(url):
    form = build(ElectronicServiceForm, PSDT05_VALID, service_url=url)
    assert form.validate(), form.errors
    assert set(form.data) == {"service_name", "service_url", "service_description"}
    assert form.data["service_url"] == url


def test_psdt05_description_is_optional():
    form = build(ElectronicServiceForm, PSDT05_VALID, drop=["service_description"])
    assert form.validate(), form.errors


@pytest.mark.parametrize("field", ["service_name", "service_url"])
def test_psdt05_required_fields(field):
    form = build(ElectronicServiceForm, PSDT05_VALID, drop=[field])
    assert not form.validate()
    assert form.errors[field] == ["Este campo es obligatorio."]


@pytest.mark.parametrize(
    "url", ["pagos.example.gob.mx", "ftp://pagos.example.gob.mx", "javascript:alert(1)"]
)
def test_psdt05_url_must_be_http_or_https(url):
    form = build(ElectronicServiceForm, PSDT05_VALID, service_url=url)
    assert not form.validate()
    assert form.errors["service_url"] == [
        "Escriba la dirección completa del servicio, empezando con https:// o http://."
    ]


# -- Wiring --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "form_class", "service_checks"),
    [
        (P07, SystemRequestForm, (checks.modification_names_registered_system,)),
        (P08, WebPublicationForm, ()),
        (PSDT05, ElectronicServiceForm, (checks.service_url_is_secure,)),
    ],
)
def test_services_carry_form_checks_and_checklist(service, form_class, service_checks):
    assert service.form is form_class
    assert service.checks == service_checks
    assert service.checklist
    assert all(isinstance(item, str) and item for item in service.checklist)
