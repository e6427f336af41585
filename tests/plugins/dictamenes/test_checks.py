"""The technical-opinion services' automatic requirement checks."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from plugins.dictamenes.checks import NO_ASSETS
from plugins.dictamenes.checks import OFICIO_MISSING
from plugins.dictamenes.checks import asset_costs
from plugins.dictamenes.checks import assets_complete
from plugins.dictamenes.checks import assets_not_repeated
from plugins.dictamenes.checks import oficio_attached
from plugins.dictamenes.checks import photo_per_asset
from plugins.dictamenes.checks import sidem_request_ready
from plugins.dictamenes.forms import COMMITTEE_REQUIRED
from plugins.dictamenes.forms import TIC_PROGRAM_REQUIRED
from plugins.dictamenes.services import P11
from plugins.dictamenes.services import P12

from .test_forms import ASSET
from .test_forms import P12_VALID
from .test_forms import SECOND_ASSET
from .test_forms import p11_valid_formdata

PHOTO = {"name": "cpu.jpg", "content_type": "image/jpeg"}
OFICIO = {"name": "oficio.pdf", "content_type": "application/pdf"}


def json_ready(value):
    """Form data as the core stores it (see helpdesk.tickets): ISO dates, decimal strings."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: json_ready(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_ready(item) for item in value]
    return value


def p11_data(*assets, attachments=()):
    return {
        "oficio_number": "SA/1234/2026",
        "oficio_date": "2026-11-20",
        "assets": list(assets),
        "attachments": list(attachments),
    }


# -- GCH-CCS-P11: completeness -------------------------------------------------


def test_p11_complete_assets_pass():
    assert assets_complete(p11_data(ASSET, SECOND_ASSET)) == []


@pytest.mark.parametrize("assets", [None, [], "not a list"])
def test_p11_no_assets_blocks(assets):
    issues = assets_complete({"assets": assets})
    assert [(i.field, i.message, i.blocking) for i in issues] == [("assets", NO_ASSETS, True)]


def test_p11_missing_asset_data_blocks_field_by_field():
    incomplete = {**SECOND_ASSET, "brand": "  ", "cost": None}
    del incomplete["serial_number"]
    issues = assets_complete(p11_data(ASSET, incomplete))
    assert [(i.field, i.blocking) for i in issues] == [
        ("assets-1-brand", True),
        ("assets-1-serial_number", True),
        ("assets-1-cost", True),
    ]
    assert issues[0].message == "Bien informático 2: falta el dato «Marca»."


def test_p11_an_asset_that_is_not_a_dict_lacks_everything():
    issues = assets_complete(p11_data(ASSET, "HP ProDesk"))
    assert len(issues) == 10
    assert all(issue.field.startswith("assets-1-") for issue in issues)


# -- GCH-CCS-P11: one photo per asset -----------------------------------------


@pytest.mark.parametrize(
    "attachments",
    [
        [PHOTO, {"name": "impresora.png", "content_type": "image/png"}],
        [OFICIO, PHOTO, PHOTO, PHOTO],
    ],
)
def test_p11_enough_photos_pass(attachments):
    assert photo_per_asset(p11_data(ASSET, SECOND_ASSET, attachments=attachments)) == []


@pytest.mark.parametrize(
    ("attachments", "counted"),
    [
        ([], "hay 2 bienes y 0 imágenes adjuntas"),
        ([OFICIO, PHOTO], "hay 2 bienes y 1 imagen adjunta"),
        ([OFICIO, {"name": "scan.pdf", "content_type": "application/pdf"}], "0 imágenes"),
    ],
)
def test_p11_missing_photos_block(attachments, counted):
    issues = photo_per_asset(p11_data(ASSET, SECOND_ASSET, attachments=attachments))
    assert len(issues) == 1
    assert issues[0].field == "attachments"
    assert issues[0].blocking
    assert counted in issues[0].message


def test_p11_photos_are_not_judged_without_a_file_list():
    """A corrected request is re-checked from its form data alone (no files can be added
    there): the coordinator's checklist judges the photos then."""
    data = p11_data(ASSET)
    del data["attachments"]
    assert photo_per_asset(data) == []
    assert oficio_attached(data) == []


# -- GCH-CCS-P11: the oficio of the Secretaría del Ayuntamiento ---------------


@pytest.mark.parametrize(
    "attachments",
    [
        [OFICIO, PHOTO, PHOTO],
        [{"name": "oficio.jpg", "content_type": "image/jpeg"}, PHOTO, PHOTO],
        [{"name": "oficio.docx", "content_type": "application/vnd.openxmlformats"}],
    ],
)
def test_p11_oficio_attached_passes(attachments):
    assert oficio_attached(p11_data(ASSET, SECOND_ASSET, attachments=attachments)) == []


@pytest.mark.parametrize("attachments", [[], [PHOTO], [PHOTO, PHOTO]])
def test_p11_missing_oficio_blocks(attachments):
    issues = oficio_attached(p11_data(ASSET, SECOND_ASSET, attachments=attachments))
    assert [(i.field, i.message, i.blocking) for i in issues] == [
        ("attachments", OFICIO_MISSING, True)
    ]


# -- GCH-CCS-P11: costs --------------------------------------------------------


@pytest.mark.parametrize("cost", ["14500.00", "0.01", 250])
def test_p11_positive_cost_passes(cost):
    assert asset_costs(p11_data({**ASSET, "cost": cost})) == []


@pytest.mark.parametrize("cost", ["0", "0.00"])
def test_p11_zero_cost_warns(cost):
    issues = asset_costs(p11_data(ASSET, {**SECOND_ASSET, "cost": cost}))
    assert len(issues) == 1
    assert issues[0].field == "assets-1-cost"
    assert not issues[0].blocking
    assert "Control Patrimonial" in issues[0].message


@pytest.mark.parametrize("cost", ["-5", "mil pesos", "Infinity", "NaN"])
def test_p11_invalid_cost_blocks(cost):
    issues = asset_costs(p11_data({**ASSET, "cost": cost}))
    assert [(i.field, i.blocking) for i in issues] == [("assets-0-cost", True)]
    assert "mayor o igual a 0" in issues[0].message


def test_p11_missing_cost_is_left_to_the_completeness_check():
    assert asset_costs(p11_data({**ASSET, "cost": ""})) == []


# -- GCH-CCS-P11: repeated identifiers -----------------------------------------


def test_p11_distinct_assets_pass():
    assert assets_not_repeated(p11_data(ASSET, SECOND_ASSET)) == []


def test_p11_repeated_identifiers_warn():
    twin = {**SECOND_ASSET, "serial_number": ASSET["serial_number"].lower()}
    issues = assets_not_repeated(p11_data(ASSET, twin, {**ASSET, "serial_number": "OTHER"}))
    assert [(i.field, i.blocking) for i in issues] == [
        ("assets-2-inventory_key", False),
        ("assets-1-serial_number", False),
        ("assets-2-inventory_number", False),
    ]
    assert issues[0].message == (
        "Los bienes informáticos 1 y 3 tienen el mismo dato «Clave de inventario»."
    )


# -- GCH-CCS-P12 ---------------------------------------------------------------


def test_p12_ready_request_passes():
    data = {**P12_VALID, "tic_program_validated": True, "committee_installed": True}
    assert sidem_request_ready(data) == []


def test_p12_missing_prerequisites_block():
    issues = sidem_request_ready(
        {"sidem_folio": " ", "tic_program_validated": False, "committee_installed": None}
    )
    assert [(i.field, i.blocking) for i in issues] == [
        ("sidem_folio", True),
        ("tic_program_validated", True),
        ("committee_installed", True),
    ]
    assert issues[1].message == TIC_PROGRAM_REQUIRED
    assert issues[2].message == COMMITTEE_REQUIRED


# -- Form and checks agree -----------------------------------------------------


def test_p11_valid_form_data_raises_no_issue_with_its_photos():
    form = P11.form(p11_valid_formdata())
    assert form.validate(), form.errors
    data = {**json_ready(form.data), "attachments": [OFICIO, PHOTO, PHOTO]}
    assert data["assets"][0]["cost"] == "14500.00"
    assert [issue for check in P11.checks for issue in check(data)] == []


def test_p11_valid_form_data_without_photos_is_refused():
    form = P11.form(p11_valid_formdata())
    assert form.validate(), form.errors
    data = {**json_ready(form.data), "attachments": [OFICIO]}
    issues = [issue for check in P11.checks for issue in check(data)]
    assert [(i.field, i.blocking) for i in issues] == [("attachments", True)]


def test_p12_valid_form_data_raises_no_issue():
    form = P12.form(MultiDict(P12_VALID))
    assert form.validate(), form.errors
    data = {**json_ready(form.data), "attachments": []}
    assert [issue for check in P12.checks for issue in check(data)] == []
