"""The technical-opinion services' request forms: GCH-CCS-P11 and GCH-CCS-P12."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from plugins.dictamenes import checks
from plugins.dictamenes.forms import ASSET_FIELDS
from plugins.dictamenes.forms import COMMITTEE_REQUIRED
from plugins.dictamenes.forms import TIC_PROGRAM_REQUIRED
from plugins.dictamenes.forms import AssetDisposalForm
from plugins.dictamenes.forms import IctAcquisitionForm
from plugins.dictamenes.services import P11
from plugins.dictamenes.services import P12

ASSET = {
    "inventory_key": "5151-00123",
    "concept": "Computadora de escritorio",
    "brand": "HP",
    "model": "ProDesk 400 G4",
    "serial_number": "MXL1234ABC",
    "condition": "Dañado: no enciende",
    "invoice_number": "F-2017-889",
    "cost": "14500.00",
    "movement_date": "2017-06-15",
    "inventory_number": "INV-2017-0456",
}
SECOND_ASSET = {
    **ASSET,
    "inventory_key": "5151-00124",
    "concept": "Impresora láser",
    "serial_number": "VNB3K12345",
    "inventory_number": "INV-2017-0457",
}
P11_HEADER = {"oficio_number": "SA/1234/2026", "oficio_date": "2026-11-20"}
P12_VALID = {
    "sidem_folio": "SIDEM-2026-000123",
    "goods_services": "20 computadoras de escritorio para las áreas administrativas.",
    "acquisition_kind": "acquisition",
    "tic_program_validated": "y",
    "committee_installed": "y",
}
REQUIRED = ["Este campo es obligatorio."]


def p11_formdata(*assets, **header_changes):
    """The flat form data of a P11 request: "assets-0-brand" and so on."""
    data = {**P11_HEADER, **header_changes}
    for index, asset in enumerate(assets):
        data.update({f"assets-{index}-{key}": value for key, value in asset.items()})
    return MultiDict(data)


def p11_valid_formdata():
    return p11_formdata(ASSET, SECOND_ASSET)


# -- GCH-CCS-P11 ---------------------------------------------------------------


def test_p11_valid():
    form = AssetDisposalForm(p11_valid_formdata())
    assert form.validate(), form.errors
    assert set(form.data) == {"oficio_number", "oficio_date", "assets"}
    assert form.data["oficio_date"] == datetime.date(2026, 11, 20)
    assert len(form.data["assets"]) == 2
    first = form.data["assets"][0]
    assert set(first) == set(ASSET_FIELDS)
    assert first["cost"] == Decimal("14500.00")
    assert first["movement_date"] == datetime.date(2017, 6, 15)
    assert form.data["assets"][1]["concept"] == "Impresora láser"


def test_p11_asset_labels_are_the_documents():
    asset_form = AssetDisposalForm(p11_formdata(ASSET)).assets[0].form
    labels = [asset_form[key].label.text for key in ASSET_FIELDS]
    assert labels == [
        "Clave de inventario",
        "Concepto",
        "Marca",
        "Modelo",
        "Número de serie",
        "Estado de uso",
        "Número de factura",
        "Costo",
        "Fecha de movimiento",
        "Número de inventario",
    ]


@pytest.mark.parametrize("field", ["oficio_number", "oficio_date"])
def test_p11_required_oficio_fields(field):
    data = p11_valid_formdata()
    data.pop(field)
    form = AssetDisposalForm(data)
    assert not form.validate()
    assert form.errors[field] == REQUIRED


@pytest.mark.parametrize("field", sorted(ASSET_FIELDS))
def test_p11_required_asset_fields(field):
    data = p11_valid_formdata()
    data.pop(f"assets-1-{field}")
    form = AssetDisposalForm(data)
    assert not form.validate()
    assert form.errors == {"assets": [{}, {field: REQUIRED}]}


def test_p11_needs_at_least_one_asset():
    form = AssetDisposalForm(p11_formdata())
    assert len(form.assets.entries) == 1
    assert not form.validate()
    assert set(form.errors["assets"][0]) == set(ASSET_FIELDS)


def test_p11_cost_zero_is_accepted():
    form = AssetDisposalForm(p11_formdata({**ASSET, "cost": "0"}))
    assert form.validate(), form.errors
    assert form.data["assets"][0]["cost"] == Decimal("0")


@pytest.mark.parametrize(
    ("cost", "message"),
    [
        ("-1", "El costo no puede ser negativo."),
        ("mil pesos", "Escriba el costo como número, por ejemplo 12500.00."),
        ("Infinity", "Escriba el costo como número, por ejemplo 12500.00."),
        ("NaN", "Escriba el costo como número, por ejemplo 12500.00."),
    ],
)
def test_p11_invalid_cost(cost, message):
    form = AssetDisposalForm(p11_formdata({**ASSET, "cost": cost}))
    assert not form.validate()
    assert form.errors["assets"][0]["cost"] == [message]


def test_p11_invalid_movement_date():
    form = AssetDisposalForm(p11_formdata({**ASSET, "movement_date": "15/06/2017"}))
    assert not form.validate()
    assert form.errors["assets"][0]["movement_date"] == [
        "Escriba una fecha válida con el formato AAAA-MM-DD."
    ]


# -- GCH-CCS-P12 ---------------------------------------------------------------


def test_p12_valid():
    form = IctAcquisitionForm(MultiDict(P12_VALID))
    assert form.validate(), form.errors
    assert form.data == {
        "sidem_folio": "SIDEM-2026-000123",
        "goods_services": "20 computadoras de escritorio para las áreas administrativas.",
        "acquisition_kind": "acquisition",
        "tic_program_validated": True,
        "committee_installed": True,
    }


@pytest.mark.parametrize("kind", ["acquisition", "lease", "service_contract"])
def test_p12_acquisition_kinds(kind):
    form = IctAcquisitionForm(MultiDict({**P12_VALID, "acquisition_kind": kind}))
    assert form.validate(), form.errors


def test_p12_unknown_acquisition_kind():
    form = IctAcquisitionForm(MultiDict({**P12_VALID, "acquisition_kind": "donation"}))
    assert not form.validate()
    assert form.errors["acquisition_kind"] == ["Elija una de las opciones de la lista."]


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("sidem_folio", REQUIRED),
        ("goods_services", REQUIRED),
        ("acquisition_kind", REQUIRED),
        ("tic_program_validated", [TIC_PROGRAM_REQUIRED]),
        ("committee_installed", [COMMITTEE_REQUIRED]),
    ],
)
def test_p12_required_fields(field, message):
    data = {k: v for k, v in P12_VALID.items() if k != field}
    form = IctAcquisitionForm(MultiDict(data))
    assert not form.validate()
    assert form.errors == {field: message}


# -- Wiring --------------------------------------------------------------------


def test_p11_service_carries_form_checks_and_checklist():
    assert P11.form is AssetDisposalForm
    assert P11.checks == (
        checks.assets_complete,
        checks.oficio_attached,
        checks.photo_per_asset,
        checks.asset_costs,
        checks.assets_not_repeated,
    )
    assert "Datos verificados por Control Patrimonial" in P11.checklist


def test_p12_service_carries_form_checks_and_checklist():
    assert P12.form is IctAcquisitionForm
    assert P12.checks == (checks.sidem_request_ready,)
    assert "Programa de Trabajo TIC validado" in P12.checklist
