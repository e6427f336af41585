"""The support services' automatic requirement checks."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from plugins.soporte.checks import access_addressee_named
from plugins.soporte.checks import cau_equipment_identified
from plugins.soporte.checks import cau_request_type_in_catalog
from plugins.soporte.checks import mail_request_complete
from plugins.soporte.checks import mailbox_in_contracted_domain
from plugins.soporte.checks import municipal_infrastructure_only
from plugins.soporte.checks import support_equipment_identified
from plugins.soporte.forms import FAULT_DESCRIPTION_REQUIRED
from plugins.soporte.forms import HEAD_NAME_REQUIRED
from plugins.soporte.forms import HOLDER_NAME_REQUIRED
from plugins.soporte.forms import HOLDER_POSITION_REQUIRED
from plugins.soporte.forms import MUNICIPAL_ONLY
from plugins.soporte.services import CAU
from plugins.soporte.services import P09
from plugins.soporte.services import P10

from .test_forms import CAU_VALID
from .test_forms import P09_FAULT
from .test_forms import P09_NEW_ACCOUNT
from .test_forms import P10_VALID

# -- GCH-CCS-P09 ---------------------------------------------------------------


@pytest.mark.parametrize("mailbox", ["juridico@chalco.gob.mx", "Juridico@CHALCO.gob.mx "])
def test_p09_contracted_domain_passes(mailbox):
    assert mailbox_in_contracted_domain({"mailbox": mailbox}) == []


@pytest.mark.parametrize(
    "mailbox",
    [
        "juridico@gmail.com",
        "juridico@chalco.gob.mx.example.com",
        "juridico@odapas.chalco.gob.mx",
        "@chalco.gob.mx",
        "chalco.gob.mx",
        "",
        None,
    ],
)
def test_p09_other_domain_blocks(mailbox):
    issues = mailbox_in_contracted_domain({"mailbox": mailbox})
    assert len(issues) == 1
    assert issues[0].field == "mailbox"
    assert issues[0].blocking
    assert "chalco.gob.mx" in issues[0].message


@pytest.mark.parametrize("data", [P09_NEW_ACCOUNT, P09_FAULT], ids=["new_account", "fault"])
def test_p09_complete_request_passes(data):
    assert mail_request_complete(data) == []


def test_p09_fault_without_description_blocks():
    issues = mail_request_complete({**P09_FAULT, "fault_description": " "})
    assert [(i.field, i.message, i.blocking) for i in issues] == [
        ("fault_description", FAULT_DESCRIPTION_REQUIRED, True)
    ]


def test_p09_new_account_without_holder_blocks():
    issues = mail_request_complete({"request_kind": "new_account", "mailbox": "a@chalco.gob.mx"})
    assert [(i.field, i.message, i.blocking) for i in issues] == [
        ("holder_name", HOLDER_NAME_REQUIRED, True),
        ("holder_position", HOLDER_POSITION_REQUIRED, True),
    ]


@pytest.mark.parametrize("data", [P09_NEW_ACCOUNT, P09_FAULT], ids=["new_account", "fault"])
def test_p09_head_named_passes(data):
    assert access_addressee_named(data) == []


@pytest.mark.parametrize("value", [None, "", "  "])
def test_p09_head_not_named_warns_the_coordinator(value):
    # The form requires it; data from another channel is not refused for it.
    issues = access_addressee_named({**P09_FAULT, "head_name": value})
    assert [(i.field, i.message, i.blocking) for i in issues] == [
        ("head_name", HEAD_NAME_REQUIRED, False)
    ]


# -- GCH-CCS-P10 ---------------------------------------------------------------


def test_p10_municipal_infrastructure_passes():
    assert municipal_infrastructure_only({"municipal_infrastructure": True}) == []


@pytest.mark.parametrize("value", [False, None, "y"])
def test_p10_other_infrastructure_blocks(value):
    issues = municipal_infrastructure_only({"municipal_infrastructure": value})
    assert [(i.field, i.message, i.blocking) for i in issues] == [
        ("municipal_infrastructure", MUNICIPAL_ONLY, True)
    ]


def test_p10_inventory_number_passes():
    assert support_equipment_identified({"inventory_number": "INV-1"}) == []


@pytest.mark.parametrize("value", [None, "", "  "])
def test_p10_missing_inventory_number_warns(value):
    issues = support_equipment_identified({"inventory_number": value})
    assert len(issues) == 1
    assert issues[0].field == "inventory_number"
    assert not issues[0].blocking
    assert "número de inventario" in issues[0].message


# -- CAU -----------------------------------------------------------------------


def test_cau_catalog_type_passes():
    assert cau_request_type_in_catalog({"request_type": "network"}) == []


@pytest.mark.parametrize("value", [None, "", "coffee_machine", "Equipo de cómputo"])
def test_cau_unknown_type_blocks(value):
    issues = cau_request_type_in_catalog({"request_type": value})
    assert [(i.field, i.message, i.blocking) for i in issues] == [
        ("request_type", "Elija un servicio del catálogo.", True)
    ]


@pytest.mark.parametrize(
    "data",
    [
        {"request_type": "printer", "inventory_number": "INV-9"},
        {"request_type": "password_reset", "inventory_number": ""},
        {"request_type": "network"},
    ],
)
def test_cau_equipment_check_passes(data):
    assert cau_equipment_identified(data) == []


@pytest.mark.parametrize("request_type", ["computer_fault", "printer", "telephony"])
def test_cau_device_without_inventory_number_warns(request_type):
    issues = cau_equipment_identified({"request_type": request_type, "inventory_number": ""})
    assert len(issues) == 1
    assert issues[0].field == "inventory_number"
    assert not issues[0].blocking


# -- Form and checks agree -----------------------------------------------------


@pytest.mark.parametrize(
    ("service", "data", "warnings"),
    [
        (P09, P09_NEW_ACCOUNT, []),
        (P09, P09_FAULT, []),
        (P10, P10_VALID, []),
        (CAU, CAU_VALID, ["inventory_number"]),
        (CAU, {**CAU_VALID, "request_type": "email"}, []),
    ],
)
def test_valid_form_data_raises_no_blocking_issue(service, data, warnings):
    form = service.form(MultiDict(data))
    assert form.validate(), form.errors
    issues = [
        issue for check in service.checks for issue in check({**form.data, "attachments": []})
    ]
    assert not [issue for issue in issues if issue.blocking]
    assert [issue.field for issue in issues] == warnings
