"""The support services' request forms: GCH-CCS-P09, GCH-CCS-P10 and the CAU."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from plugins.soporte import checks
from plugins.soporte.forms import CAU_SERVICE_CATALOG
from plugins.soporte.forms import CAU_SERVICE_TYPES
from plugins.soporte.forms import FAULT_DESCRIPTION_REQUIRED
from plugins.soporte.forms import HEAD_NAME_REQUIRED
from plugins.soporte.forms import HEAD_POSITION_REQUIRED
from plugins.soporte.forms import HOLDER_NAME_REQUIRED
from plugins.soporte.forms import HOLDER_POSITION_REQUIRED
from plugins.soporte.forms import MUNICIPAL_ONLY
from plugins.soporte.forms import CauRequestForm
from plugins.soporte.forms import InstitutionalEmailForm
from plugins.soporte.forms import TechnicalSupportForm
from plugins.soporte.services import CAU
from plugins.soporte.services import P09
from plugins.soporte.services import P10

P09_NEW_ACCOUNT = {
    "request_kind": "new_account",
    "mailbox": "juridico@chalco.gob.mx",
    "holder_name": "María López Pérez",
    "holder_position": "Directora Jurídica",
    "head_name": "Lic. Andrea Ruiz Salgado",
    "head_position": "Secretaria del Ayuntamiento",
}
P09_FAULT = {
    "request_kind": "fault",
    "mailbox": "tesoreria@chalco.gob.mx",
    "fault_description": "No recibe correos desde el lunes.",
    "head_name": "C.P. Ernesto Vargas Lima",
    "head_position": "Tesorero Municipal",
}
P10_VALID = {
    "problem_description": "La computadora no enciende.",
    "requester_name": "Juan Pérez",
    "equipment_location": "Palacio Municipal, planta alta, Tesorería",
    "inventory_number": "INV-2020-0456",
    "municipal_infrastructure": "y",
}
CAU_VALID = {
    "request_type": "printer",
    "description": "La impresora de la oficina marca atasco de papel.",
    "location": "Edificio B, piso 2, Oficialía de partes",
    "phone_extension": "ext. 60163",
    "inventory_number": "",
}
REQUIRED = ["Este campo es obligatorio."]


def build(form_class, valid, drop=(), **changes):
    data = {k: v for k, v in valid.items() if k not in drop}
    data.update(changes)
    return form_class(MultiDict(data))


# -- GCH-CCS-P09 ---------------------------------------------------------------

P09_KEYS = {
    "request_kind",
    "mailbox",
    "fault_description",
    "holder_name",
    "holder_position",
    "head_name",
    "head_position",
}


@pytest.mark.parametrize("valid", [P09_NEW_ACCOUNT, P09_FAULT], ids=["new_account", "fault"])
def test_p09_valid(valid):
    form = build(InstitutionalEmailForm, valid)
    assert form.validate(), form.errors
    assert set(form.data) == P09_KEYS


def test_p09_mailbox_is_normalised():
    form = build(InstitutionalEmailForm, P09_FAULT, mailbox="  Tesoreria@Chalco.gob.MX ")
    assert form.validate(), form.errors
    assert form.data["mailbox"] == "tesoreria@chalco.gob.mx"


@pytest.mark.parametrize("field", ["request_kind", "mailbox"])
def test_p09_required_fields(field):
    form = build(InstitutionalEmailForm, P09_FAULT, drop=[field])
    assert not form.validate()
    assert form.errors[field] == REQUIRED


@pytest.mark.parametrize(
    ("field", "message"),
    [("head_name", HEAD_NAME_REQUIRED), ("head_position", HEAD_POSITION_REQUIRED)],
)
@pytest.mark.parametrize("valid", [P09_NEW_ACCOUNT, P09_FAULT], ids=["new_account", "fault"])
def test_p09_names_the_head_who_receives_the_access(valid, field, message):
    # 9.7: the access is delivered in writing directly to the head of the dependencia.
    form = build(InstitutionalEmailForm, valid, drop=[field])
    assert not form.validate()
    assert form.errors == {field: [message]}


@pytest.mark.parametrize("mailbox", ["tesoreria", "tesoreria@", "teso reria@chalco.gob.mx"])
def test_p09_mailbox_must_be_an_address(mailbox):
    form = build(InstitutionalEmailForm, P09_FAULT, mailbox=mailbox)
    assert not form.validate()
    assert form.errors["mailbox"] == ["Escriba una dirección válida, como nombre@chalco.gob.mx."]


def test_p09_fault_requires_description():
    form = build(InstitutionalEmailForm, P09_FAULT, drop=["fault_description"])
    assert not form.validate()
    assert form.errors == {"fault_description": [FAULT_DESCRIPTION_REQUIRED]}


def test_p09_fault_needs_no_holder():
    form = build(InstitutionalEmailForm, P09_FAULT, holder_name="", holder_position="")
    assert form.validate(), form.errors


@pytest.mark.parametrize(
    ("field", "message"),
    [("holder_name", HOLDER_NAME_REQUIRED), ("holder_position", HOLDER_POSITION_REQUIRED)],
)
def test_p09_new_account_requires_holder(field, message):
    form = build(InstitutionalEmailForm, P09_NEW_ACCOUNT, drop=[field])
    assert not form.validate()
    assert form.errors == {field: [message]}


def test_p09_new_account_needs_no_fault_description():
    form = build(InstitutionalEmailForm, P09_NEW_ACCOUNT, fault_description="")
    assert form.validate(), form.errors


# -- GCH-CCS-P10 ---------------------------------------------------------------


def test_p10_valid():
    form = build(TechnicalSupportForm, P10_VALID)
    assert form.validate(), form.errors
    assert form.data == {
        "problem_description": "La computadora no enciende.",
        "requester_name": "Juan Pérez",
        "equipment_location": "Palacio Municipal, planta alta, Tesorería",
        "inventory_number": "INV-2020-0456",
        "municipal_infrastructure": True,
    }


def test_p10_labels_are_the_documents():
    form = TechnicalSupportForm()
    assert form.problem_description.label.text == "Falla o problemática presentada"
    assert (
        form.requester_name.label.text
        == "Nombre de la o el servidor público que realiza la solicitud"
    )


@pytest.mark.parametrize("field", ["problem_description", "requester_name", "equipment_location"])
def test_p10_required_fields(field):
    form = build(TechnicalSupportForm, P10_VALID, drop=[field])
    assert not form.validate()
    assert form.errors[field] == REQUIRED


def test_p10_inventory_number_is_optional():
    form = build(TechnicalSupportForm, P10_VALID, drop=["inventory_number"])
    assert form.validate(), form.errors


def test_p10_only_municipal_infrastructure():
    form = build(TechnicalSupportForm, P10_VALID, drop=["municipal_infrastructure"])
    assert not form.validate()
    assert form.errors == {"municipal_infrastructure": [MUNICIPAL_ONLY]}


# -- CAU -----------------------------------------------------------------------


def test_cau_valid():
    form = build(CauRequestForm, CAU_VALID)
    assert form.validate(), form.errors
    assert set(form.data) == {
        "request_type",
        "description",
        "location",
        "phone_extension",
        "inventory_number",
    }
    assert form.data["request_type"] == "printer"


def test_cau_catalog_is_grouped():
    field = CauRequestForm().request_type
    assert field.has_groups()
    groups = [group.split(" (")[0] for group, _choices in field.iter_groups()]
    assert groups == [group for group, _items in CAU_SERVICE_CATALOG]
    assert {choice.value for _group, items in field.iter_groups() for choice in items} == set(
        CAU_SERVICE_TYPES
    )
    # Each group shows its own service level to the requester.
    assert (
        '<optgroup label="Red y telefonía (canalización en 2 horas hábiles; '
        'atención en 2 días hábiles)">'
    ) in field()


@pytest.mark.parametrize("request_type", sorted(CAU_SERVICE_TYPES))
def test_cau_every_catalog_entry_is_accepted(request_type):
    form = build(CauRequestForm, CAU_VALID, request_type=request_type)
    assert form.validate(), form.errors


@pytest.mark.parametrize("field", ["request_type", "description", "location", "phone_extension"])
def test_cau_required_fields(field):
    form = build(CauRequestForm, CAU_VALID, drop=[field])
    assert not form.validate()
    assert form.errors[field] == REQUIRED


def test_cau_unknown_request_type():
    form = build(CauRequestForm, CAU_VALID, request_type="coffee_machine")
    assert not form.validate()
    assert form.errors["request_type"] == ["Elija un servicio del catálogo."]


def test_cau_inventory_number_is_optional():
    form = build(CauRequestForm, CAU_VALID, drop=["inventory_number"])
    assert form.validate(), form.errors


# -- Wiring --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "form_class", "service_checks"),
    [
        (
            P09,
            InstitutionalEmailForm,
            (
                checks.mailbox_in_contracted_domain,
                checks.mail_request_complete,
                checks.access_addressee_named,
            ),
        ),
        (
            P10,
            TechnicalSupportForm,
            (checks.municipal_infrastructure_only, checks.support_equipment_identified),
        ),
        (
            CAU,
            CauRequestForm,
            (checks.cau_request_type_in_catalog, checks.cau_equipment_identified),
        ),
    ],
)
def test_services_carry_form_checks_and_checklist(service, form_class, service_checks):
    assert service.form is form_class
    assert service.checks == service_checks
    assert service.checklist
    assert all(isinstance(item, str) and item for item in service.checklist)


def test_p10_checklist_asks_about_municipal_infrastructure():
    assert "La falla corresponde a infraestructura municipal" in P10.checklist
