"""The support services' indicators: declared precisely, one set per service."""

import pytest

from plugins.soporte.indicators import INDICATORS

OPERATING = (
    "requests_received",
    "requests_concluded",
    "requests_returned_for_requirements",
    "median_business_time_to_conclude",
    "sla_compliance",
)
UNITS = {
    "requests_received": "solicitudes",
    "requests_concluded": "solicitudes",
    "requests_returned_for_requirements": "solicitudes",
    "median_business_time_to_conclude": "horas hábiles",
    "sla_compliance": "%",
}


@pytest.fixture
def declared(app):
    return app.extensions["helpdesk"].indicators


@pytest.mark.parametrize(
    ("prefix", "code", "owner"),
    [
        ("p09", "GCH-CCS-P09", "Departamento de Gobierno Digital"),
        ("p10", "GCH-CCS-P10", "Departamento de Gobierno Digital"),
        ("cau", "CAU", "DGSyTI"),
    ],
)
def test_every_service_declares_its_operating_indicators(declared, prefix, code, owner):
    for suffix in OPERATING:
        indicator = declared[f"{prefix}_{suffix}"]
        assert indicator.plugin == "soporte"
        assert indicator.service_code == code
        assert code in indicator.formula
        assert indicator.unit == UNITS[suffix]
        assert indicator.periodicity == "mensual"
        assert owner in indicator.responsible


def test_waiting_on_the_requester_is_not_counted(declared):
    for prefix in ("p09", "p10", "cau"):
        for suffix in ("median_business_time_to_conclude", "sla_compliance"):
            assert "esperó al solicitante" in declared[f"{prefix}_{suffix}"].formula


def test_each_service_names_its_own_steps(declared):
    assert "Solicitar cumplir los requisitos (Gobierno Digital)" in (
        declared["p10_requests_returned_for_requirements"].formula
    )
    assert "Sin solución: dictamen técnico interno" in declared["p10_sla_compliance"].formula
    assert "grupo del catálogo" in declared["cau_sla_compliance"].formula
    assert "Registrar y concluir la solicitud" in declared["p09_sla_compliance"].formula
    assert declared["p10_unresolved_with_internal_dictamen"].unit == "solicitudes"


def test_the_caus_own_indicators_are_yearly(declared):
    yearly = {
        "cau_satisfaction_satisfied": ("«Satisfecho»", "%"),
        "cau_satisfaction_regular": ("«Regular»", "%"),
        "cau_satisfaction_unsatisfied": ("«Insatisfecho»", "%"),
        "cau_services_per_year": ("Concluida", "servicios"),
        "cau_tickets_per_year": ("tickets con folio", "tickets"),
        "cau_units_served_per_year": (
            "unidades administrativas distintas",
            "unidades administrativas",
        ),
    }
    for code, (words, unit) in yearly.items():
        indicator = declared[code]
        assert indicator.periodicity == "anual"
        assert indicator.service_code == "CAU"
        assert words in indicator.formula
        assert indicator.unit == unit
    assert declared["cau_median_time_to_channel"].unit == "horas hábiles"


def test_codes_are_unique_and_complete():
    codes = [indicator.code for indicator in INDICATORS]
    assert len(codes) == len(set(codes))
    for indicator in INDICATORS:
        assert indicator.name and indicator.formula and indicator.unit and indicator.responsible
