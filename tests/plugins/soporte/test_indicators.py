"""The support services' indicators: declared precisely, and computed exactly on a
hand-made set of tickets over the first two quarters of 2026.

Office hours are Monday to Friday, 9:00-16:00 in Mexico City (seven business
hours a day); the rest days of those quarters (2 February, 16 March, 1 May) are
avoided. Each ticket's timeline is written next to it with the business hours
it adds up to; surveys are answered by hand (helpdesk.models.Survey rows).
"""

from datetime import date

import pytest

from helpdesk import measures
from helpdesk import periods
from helpdesk.testing import reuse_database
from plugins.soporte.indicators import INDICATORS

from .indicators_support import Q1
from .indicators_support import Q2
from .indicators_support import Desk
from .indicators_support import at
from .indicators_support import value_of

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


# -- declarations --------------------------------------------------------------


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


def test_every_indicator_is_computed():
    assert [i.code for i in INDICATORS if i.measure is None] == []


def test_waiting_on_the_requester_is_not_counted(declared):
    for prefix in ("p09", "p10", "cau"):
        for suffix in ("median_business_time_to_conclude", "sla_compliance"):
            assert "esperó al solicitante" in declared[f"{prefix}_{suffix}"].formula
    assert "esperó al solicitante" in declared["cau_median_time_to_channel"].formula


def test_each_service_names_its_own_steps(declared):
    assert "Solicitar cumplir los requisitos (Gobierno Digital)" in (
        declared["p10_requests_returned_for_requirements"].formula
    )
    assert "no es infraestructura tecnológica del Ayuntamiento" in (
        declared["p10_requests_returned_for_requirements"].formula
    )
    for suffix in ("requests_concluded", "median_business_time_to_conclude", "sla_compliance"):
        assert "Sin solución: dictamen técnico interno" in declared[f"p10_{suffix}"].formula
        assert "Registrar y concluir la solicitud" in declared[f"p09_{suffix}"].formula
    assert "del grupo del catálogo al que pertenece" in declared["cau_sla_compliance"].formula
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


# -- computed on known tickets ---------------------------------------------------

P09_FAULT = {
    "request_kind": "fault",
    "mailbox": "mujer.juridico@chalco.gob.mx",
    "fault_description": "No recibe correos desde el lunes.",
    "head_name": "Mtra. Rosa Elena Castañeda Ruiz",
    "head_position": "Directora de la Mujer",
}
P09_NEW = {
    **P09_FAULT,
    "request_kind": "new_account",
    "fault_description": "",
    "holder_name": "Ana Karen Pineda Soto",
    "holder_position": "Jefa de la Unidad Jurídica",
}
P10_DATA = {
    "problem_description": "La computadora de la recepción no enciende.",
    "requester_name": "Laura Méndez Ortiz",
    "equipment_location": "Palacio Municipal, planta baja",
    "inventory_number": "INV-2022-0815",
    "municipal_infrastructure": True,
}
CAU_DATA = {
    "request_type": "printer",
    "description": "La impresora de oficialía de partes marca atasco de papel.",
    "location": "Edificio B, piso 2",
    "phone_extension": "ext. 60163",
    "inventory_number": "IMP-0042",
}


@pytest.fixture
def chalco_desk(demo):
    return Desk(demo, "chalco")


@pytest.fixture
def edomex_desk(demo):
    return Desk(demo, "edomex")


@pytest.fixture
def p09_tickets(chalco_desk):
    desk = chalco_desk
    p09 = "GCH-CCS-P09"
    # A1, Q1: Mon 12 Jan 10:00 -> Tue 13 Jan 12:00: 6 h + 3 h = 9 h (of 14: met).
    a1 = desk.file(p09, at(1, 12, 10), P09_FAULT)
    desk.steps(
        a1,
        ("review", at(1, 12, 10, 30)),
        ("turn", at(1, 12, 11)),
        ("start", at(1, 13, 9)),
        ("conclude", at(1, 13, 12)),
    )
    # A2, Q1: asked twice to complete (counted once). 4 Feb 9-11 (2 h), waits,
    # 5 Feb 10-12 (2 h), waits, 6 Feb 9:30-16 (6.5 h), 9 Feb 9-15 (6 h) = 16.5 h:
    # over the 14 h of two business days, missed.
    a2 = desk.file(p09, at(2, 4, 9), P09_FAULT)
    desk.steps(
        a2,
        ("request_completion", at(2, 4, 11)),
        ("resubmit", at(2, 5, 10)),
        ("request_completion", at(2, 5, 12)),
        ("resubmit", at(2, 6, 9, 30)),
        ("turn", at(2, 6, 10, 30)),
        ("start", at(2, 6, 11)),
        ("conclude", at(2, 9, 15)),
    )
    # A3, Q1: rejected by the Coordinador.
    a3 = desk.file(p09, at(3, 3, 10), P09_FAULT)
    desk.step(a3, "reject", at(3, 3, 12))
    # A4: a new account received in Q1 and concluded in Q2, after the written
    # delivery. 30 Mar 14-16 (2 h), 31 Mar (7 h), 1 Apr 9-11 (2 h) = 11 h, met.
    a4 = desk.file(p09, at(3, 30, 14), P09_NEW)
    desk.steps(
        a4,
        ("turn", at(3, 30, 15)),
        ("start", at(3, 31, 9)),
        ("deliver_access", at(4, 1, 10)),
        ("conclude", at(4, 1, 11)),
    )
    # A5, Q2: asked to complete, then withdrawn (neither concluded nor rejected).
    a5 = desk.file(p09, at(4, 6, 9), P09_FAULT)
    desk.steps(a5, ("request_completion", at(4, 6, 10)), ("withdraw", at(4, 7, 10)))
    # A6, Q2: 5 May 9-16 (7 h) + 6 May 9-15 (6 h) = 13 h, met.
    a6 = desk.file(p09, at(5, 5, 9), P09_FAULT)
    desk.steps(a6, ("turn", at(5, 5, 9, 30)), ("start", at(5, 5, 10)), ("conclude", at(5, 6, 15)))
    # A7: filed on Tue 31 Mar at 17:30, after hours: its receipt is Wed 1 Apr
    # 9:00, so it is received in Q2.
    a7 = desk.file(p09, at(3, 31, 17, 30), P09_FAULT)
    return {"a2": a2, "a3": a3, "a4": a4, "a5": a5, "a7": a7}


P09_EXPECTED = {
    Q1: {
        "p09_requests_received": 4.0,
        "p09_requests_concluded": 2.0,
        "p09_requests_returned_for_requirements": 2.0,
        "p09_median_business_time_to_conclude": 12.75,  # (9 + 16.5) / 2
        "p09_sla_compliance": (50.0, 1.0, 2.0),
    },
    Q2: {
        "p09_requests_received": 3.0,
        "p09_requests_concluded": 2.0,
        "p09_requests_returned_for_requirements": 1.0,
        "p09_median_business_time_to_conclude": 12.0,  # (11 + 13) / 2
        "p09_sla_compliance": (100.0, 2.0, 2.0),
    },
}


def test_p09_indicators_by_quarter(chalco_desk, p09_tickets):
    assert chalco_desk.state(p09_tickets["a2"]) == "concluded"
    assert chalco_desk.state(p09_tickets["a3"]) == "rejected"
    assert chalco_desk.state(p09_tickets["a4"]) == "concluded"
    assert chalco_desk.state(p09_tickets["a5"]) == "withdrawn"
    assert chalco_desk.state(p09_tickets["a7"]) == "received"
    for period, expected in P09_EXPECTED.items():
        found = {code: value_of(chalco_desk.read(code, period)) for code in expected}
        assert found == expected, period.key


@pytest.fixture
def p10_tickets(chalco_desk):
    desk = chalco_desk
    p10 = "GCH-CCS-P10"
    # B1, Q1: 19 Jan 9-15 (6 h), the requester verifies the next day at 11:00
    # (the wait does not count), 20 Jan 11-12 (1 h) = 7 h.
    b1 = desk.file(p10, at(1, 19, 9), P10_DATA)
    desk.steps(
        b1,
        ("turn", at(1, 19, 10)),
        ("start", at(1, 19, 11)),
        ("mark_solved", at(1, 19, 15)),
        ("verify", at(1, 20, 11)),
        ("conclude", at(1, 20, 12)),
    )
    # B2, Q1: Gobierno Digital asks for the requirements; unresolved with a
    # dictamen técnico interno. 21 Jan 9-10 (1 h), 22 Jan 9-16 (7 h),
    # 23 Jan 9-10 (1 h) = 9 h.
    b2 = desk.file(p10, at(1, 21, 9), P10_DATA)
    desk.steps(
        b2,
        ("turn", at(1, 21, 9, 30)),
        ("department_requests_completion", at(1, 21, 10)),
        ("resubmit", at(1, 22, 9)),
        ("turn", at(1, 22, 10)),
        ("start", at(1, 22, 11)),
        ("not_solved", at(1, 23, 10)),
    )
    # B3, received in Q1, concluded in Q2, the fault persisted once.
    # 27 Mar 10-16 (6 h), 30 Mar 9-12 (3 h), waits, 31 Mar 9 -> 2 Apr 10 (15 h),
    # waits, 6 Apr 10-16 (6 h), 7 Apr 9-15 (6 h) = 36 h: over 21 h, missed.
    b3 = desk.file(p10, at(3, 27, 10), P10_DATA)
    desk.steps(
        b3,
        ("turn", at(3, 27, 11)),
        ("start", at(3, 30, 9)),
        ("mark_solved", at(3, 30, 12)),
        ("report_still_failing", at(3, 31, 9)),
        ("mark_solved", at(4, 2, 10)),
        ("verify", at(4, 6, 10)),
        ("conclude", at(4, 7, 15)),
    )
    # B6: unresolved on Tue 31 Mar at 18:30 in Chalco (1 Apr 00:30 UTC), so it
    # ends in Q1; after-hours time does not count: 31 Mar 10-16 = 6 h.
    b6 = desk.file(p10, at(3, 31, 10), P10_DATA)
    desk.steps(
        b6, ("turn", at(3, 31, 10, 30)), ("start", at(3, 31, 11)), ("not_solved", at(3, 31, 18, 30))
    )
    # B4, Q2: Gobierno Digital refuses it: not the Ayuntamiento's infrastructure.
    b4 = desk.file(p10, at(4, 15, 9), P10_DATA)
    desk.steps(b4, ("turn", at(4, 15, 10)), ("department_rejects", at(4, 15, 11)))
    # B5, Q2: returned by the Coordinación and by Gobierno Digital (counted
    # once). 9-9:30 (0.5 h), waits, 11-12 (1 h), waits, 13-15 (2 h), waits,
    # 12 May 9-10 (1 h) = 4.5 h.
    b5 = desk.file(p10, at(5, 11, 9), P10_DATA)
    desk.steps(
        b5,
        ("request_completion", at(5, 11, 9, 30)),
        ("resubmit", at(5, 11, 11)),
        ("turn", at(5, 11, 11, 30)),
        ("department_requests_completion", at(5, 11, 12)),
        ("resubmit", at(5, 11, 13)),
        ("turn", at(5, 11, 13, 30)),
        ("start", at(5, 11, 14)),
        ("mark_solved", at(5, 11, 15)),
        ("verify", at(5, 12, 9)),
        ("conclude", at(5, 12, 10)),
    )
    return {"b2": b2, "b3": b3, "b4": b4, "b6": b6}


P10_EXPECTED = {
    Q1: {
        "p10_requests_received": 4.0,
        "p10_requests_concluded": 3.0,  # B1 concluded, B2 and B6 without solution
        "p10_requests_returned_for_requirements": 1.0,
        "p10_median_business_time_to_conclude": 7.0,  # of 6, 7, 9
        "p10_sla_compliance": (100.0, 3.0, 3.0),
        "p10_unresolved_with_internal_dictamen": 2.0,
    },
    Q2: {
        "p10_requests_received": 2.0,
        "p10_requests_concluded": 2.0,
        "p10_requests_returned_for_requirements": 2.0,
        "p10_median_business_time_to_conclude": 20.25,  # (36 + 4.5) / 2
        "p10_sla_compliance": (50.0, 1.0, 2.0),
        "p10_unresolved_with_internal_dictamen": 0.0,
    },
}


def test_p10_indicators_by_quarter(chalco_desk, p10_tickets):
    assert chalco_desk.state(p10_tickets["b2"]) == "unresolved"
    assert chalco_desk.state(p10_tickets["b3"]) == "concluded"
    assert chalco_desk.state(p10_tickets["b4"]) == "rejected"
    assert chalco_desk.state(p10_tickets["b6"]) == "unresolved"
    for period, expected in P10_EXPECTED.items():
        found = {code: value_of(chalco_desk.read(code, period)) for code in expected}
        assert found == expected, period.key


SALUD, ISEM, TOLUCA, SGG = (
    "Secretaría de Salud",
    "Instituto de Salud del Estado de México",
    "Ayuntamiento de Toluca",
    "Secretaría General de Gobierno",
)


@pytest.fixture
def cau_tickets(edomex_desk):
    """Built once per test process, then copied into each test's database."""
    return reuse_database(
        edomex_desk.app,
        "tests.plugins.soporte.test_indicators.cau_tickets",
        lambda: _cau_tickets(edomex_desk),
    )


def _cau_tickets(desk):
    # C1, Q1: channelled after 2 h; 12 Jan 9-16 (7 h) + 13 Jan 9-10 (1 h) = 8 h.
    c1 = desk.file("CAU", at(1, 12, 9), CAU_DATA, unit=SALUD)
    desk.steps(c1, ("turn", at(1, 12, 11)), ("start", at(1, 12, 12)), ("conclude", at(1, 13, 10)))
    desk.survey(c1, "satisfied", at(1, 14, 10))
    # C2, Q1: asked twice to complete the format (counted once); channelled
    # after 12-10 (2 h) + 11-10 (1 h) + 16 Jan 9-10 (1 h) = 4 h, waits excluded;
    # concluded after 4 + 6 (16 Jan) + 6 (19 Jan 9-15) = 16 h.
    c2 = desk.file("CAU", at(1, 14, 10), CAU_DATA, unit=ISEM)
    desk.steps(
        c2,
        ("request_completion", at(1, 14, 12)),
        ("resubmit", at(1, 15, 10)),
        ("request_completion", at(1, 15, 11)),
        ("resubmit", at(1, 16, 9)),
        ("review", at(1, 16, 9, 30)),
        ("turn", at(1, 16, 10)),
        ("start", at(1, 16, 11)),
        ("conclude", at(1, 19, 15)),
    )
    desk.survey(c2, "regular", at(1, 20, 9))
    # C3, Q1: refused after 1 h: handled by oficio. Not channelled.
    c3 = desk.file("CAU", at(2, 3, 9), CAU_DATA, unit=TOLUCA)
    desk.step(c3, "reject", at(2, 3, 10))
    # C4, Q1: channelled after 23 Feb 9-16 + 24 Feb 9-12 = 10 h; concluded
    # after 10 + 4 + 7 + 7 + 6 = 34 h: over its group's 14 h, missed. Survey unanswered.
    c4 = desk.file("CAU", at(2, 23, 9), CAU_DATA, unit=SALUD)
    desk.steps(c4, ("turn", at(2, 24, 12)), ("start", at(2, 24, 13)), ("conclude", at(2, 27, 15)))
    desk.survey(c4, None, None)
    # C5: received and channelled (1 h) in Q1, concluded in Q2: 3 h + 3 h = 6 h.
    c5 = desk.file("CAU", at(3, 31, 13), CAU_DATA, unit=SGG)
    desk.steps(c5, ("turn", at(3, 31, 14)), ("start", at(4, 1, 9)), ("conclude", at(4, 1, 12)))
    desk.survey(c5, "unsatisfied", at(4, 2, 9))
    # C6, Q2: channelled after 0.5 h, still being attended.
    c6 = desk.file("CAU", at(4, 13, 9), CAU_DATA, unit=ISEM)
    desk.steps(c6, ("turn", at(4, 13, 9, 30)), ("start", at(4, 13, 10)))
    # C7, Q2: channelled after 3 h; 20 Apr 10-16 (6 h) + 21 Apr 9-11 (2 h) = 8 h.
    c7 = desk.file("CAU", at(4, 20, 10), CAU_DATA, unit=SALUD)
    desk.steps(c7, ("turn", at(4, 20, 13)), ("start", at(4, 20, 14)), ("conclude", at(4, 21, 11)))
    desk.survey(c7, "satisfied", at(4, 22, 12))
    # C8, Q2: asked to complete after 1 h, then withdrawn. Not channelled.
    c8 = desk.file("CAU", at(5, 4, 9), CAU_DATA, unit=TOLUCA)
    desk.steps(c8, ("request_completion", at(5, 4, 10)), ("withdraw", at(5, 5, 10)))
    return {"c3": c3, "c6": c6, "c8": c8}


CAU_EXPECTED = {
    Q1: {
        "cau_requests_received": 5.0,
        "cau_requests_concluded": 3.0,
        "cau_requests_returned_for_requirements": 2.0,
        "cau_median_business_time_to_conclude": 16.0,  # of 8, 16, 34
        # Printers are the "Impresoras y escáneres" group: 2 business days (14 h) to
        # attend. C1 (8 h) met it; C2 (16 h) and C4 (34 h) missed it.
        "cau_sla_compliance": (33.33, 1.0, 3.0),
        # Shares of the 3 concluded services, the unanswered survey included.
        "cau_satisfaction_satisfied": (33.33, 1.0, 3.0),
        "cau_satisfaction_regular": (33.33, 1.0, 3.0),
        "cau_satisfaction_unsatisfied": (0.0, 0.0, 3.0),
        "cau_services_per_year": 3.0,
        "cau_tickets_per_year": 5.0,
        "cau_units_served_per_year": 2.0,  # Salud and ISEM; Toluca was refused
        # Channelled: 1, 2, 4, 10 h; the refusal after 1 h is not a channelling.
        "cau_median_time_to_channel": 3.0,
    },
    Q2: {
        "cau_requests_received": 3.0,
        "cau_requests_concluded": 2.0,
        "cau_requests_returned_for_requirements": 1.0,
        "cau_median_business_time_to_conclude": 7.0,  # of 6, 8
        "cau_sla_compliance": (100.0, 2.0, 2.0),
        # The record's yearly figures show the year so far: 1 January to 30 June,
        # the same as the whole year here (nothing happens after Q2).
        "cau_satisfaction_satisfied": (40.0, 2.0, 5.0),
        "cau_satisfaction_regular": (20.0, 1.0, 5.0),
        "cau_satisfaction_unsatisfied": (20.0, 1.0, 5.0),
        "cau_services_per_year": 5.0,
        "cau_tickets_per_year": 8.0,
        "cau_units_served_per_year": 3.0,  # Salud, ISEM and SGG
        # Channelled: 0.5 and 3 h; the withdrawal is not a channelling.
        "cau_median_time_to_channel": 1.75,
    },
    periods.year(2026): {
        "cau_satisfaction_satisfied": (40.0, 2.0, 5.0),
        "cau_satisfaction_regular": (20.0, 1.0, 5.0),
        "cau_satisfaction_unsatisfied": (20.0, 1.0, 5.0),
        "cau_services_per_year": 5.0,
        "cau_tickets_per_year": 8.0,
        "cau_units_served_per_year": 3.0,
        "cau_median_time_to_channel": 2.5,  # of 0.5, 1, 2, 3, 4, 10
    },
}


def test_the_cau_yearly_figures_of_a_month_count_the_year_so_far(edomex_desk, cau_tickets):
    # January alone: C1 and C2 received and concluded; 1 January to 31 March:
    # the whole first quarter; a range of days from 1 February to 5 April:
    # 1 January to 5 April (C1-C5 received, C1, C2, C4 and C5 concluded).
    for period, tickets, services in (
        (periods.month(2026, 1), 2.0, 2.0),
        (periods.month(2026, 3), 5.0, 3.0),
        (periods.custom(date(2026, 2, 1), date(2026, 4, 5)), 5.0, 4.0),
    ):
        assert value_of(edomex_desk.read("cau_tickets_per_year", period)) == tickets, period
        assert value_of(edomex_desk.read("cau_services_per_year", period)) == services, period
    # The month's own figure stays the month's.
    assert value_of(edomex_desk.read("cau_requests_received", periods.month(2026, 3))) == 1.0


def test_cau_indicators_by_quarter_and_year(edomex_desk, cau_tickets):
    assert edomex_desk.state(cau_tickets["c3"]) == "rejected"
    assert edomex_desk.state(cau_tickets["c6"]) == "in_progress"
    assert edomex_desk.state(cau_tickets["c8"]) == "withdrawn"
    for period, expected in CAU_EXPECTED.items():
        found = {code: value_of(edomex_desk.read(code, period)) for code in expected}
        assert found == expected, period.key


def test_every_support_indicator_is_checked():
    checked = {code for table in (P09_EXPECTED, P10_EXPECTED, CAU_EXPECTED) for code in table[Q1]}
    checked |= {code for table in (P09_EXPECTED, P10_EXPECTED, CAU_EXPECTED) for code in table[Q2]}
    assert checked == {indicator.code for indicator in INDICATORS}


def test_time_to_channel_is_not_the_first_answer(edomex_desk, cau_tickets):
    """The core's first-answer time also counts the refusal after 1 h among
    the channellings: its median would be 2 h, not 3 h."""
    first_answer = edomex_desk.evaluate(measures.ResponseTime(0.5), Q1, service_code="CAU")
    assert first_answer[0] == 2.0
    assert edomex_desk.read("cau_median_time_to_channel", Q1).value == 3.0


def test_read_all_for_the_cau_computes_every_cau_indicator(edomex_desk, cau_tickets):
    readings = edomex_desk.read_all(Q1, "CAU")
    own = {r.code: r.value for r in readings if r.definition.service_code == "CAU"}
    assert set(own) == {i.code for i in INDICATORS if i.service_code == "CAU"}
    assert None not in own.values()
    general = {r.code: r.value for r in readings if r.definition.service_code is None}
    # The general indicators are narrowed to the CAU too.
    assert general["requests_received"] == 5.0
    assert general["requests_concluded"] == 3.0
    assert not {r.definition.service_code for r in readings} - {None, "CAU"}
