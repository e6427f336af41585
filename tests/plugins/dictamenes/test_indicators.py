"""Every indicator of GCH-CCS-P11 and of the dictamen técnico interno on a hand-made
set of requests across the third and fourth quarters of 2026, with exact values.

Office hours Monday to Friday 9:00–16:00 (7 business hours a day), Mexico
City; 16 September is an official rest day. P11: one business day (7 h) to
turn or respond, ten (70 h) to attend, the clock stopped while the requester
completes requirements or the inspection waits for its date. The dictamen
técnico interno: three days (21 h) to issue, nothing stops its clock.
GCH-CCS-P12's set is in test_indicators_p12.py.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from helpdesk import periods
from helpdesk.extensions import db
from helpdesk.models import Ticket
from helpdesk.testing import reuse_database
from plugins.dictamenes import counts
from plugins.dictamenes import indicators
from plugins.dictamenes import inspection

from .conftest import ASSET
from .conftest import SECOND_ASSET
from .indicator_support import AGENT
from .indicator_support import REQUESTER
from .indicator_support import file_at
from .indicator_support import linked_ticket
from .indicator_support import readings
from .indicator_support import step_at

Q3, Q4 = periods.quarter(2026, 3), periods.quarter(2026, 4)
P11, P10, DTI = "GCH-CCS-P11", "GCH-CCS-P10", "GCH-CCS-P10-DTI"
THIRD_ASSET = {
    **ASSET,
    "inventory_key": "5151-00125",
    "concept": "Monitor",
    "brand": "Dell",
    "model": "E2016H",
    "serial_number": "CN0XV4J1",
    "inventory_number": "INV-2017-0458",
}

# 11.7, asset by asset: present? data right? repair?
FIT = {"present": True, "data_correct": True, "repair": inspection.NOT_VIABLE}
NOT_FOUND = {"present": False, "data_correct": None, "repair": None}
WRONG_DATA = {"present": True, "data_correct": False, "repair": inspection.NOT_COST_EFFECTIVE}
REPAIRABLE = {"present": True, "data_correct": True, "repair": inspection.VIABLE}
WRONG_AND_REPAIRABLE = {"present": True, "data_correct": False, "repair": inspection.VIABLE}


def codes_of(service):
    return sorted(i.code for i in indicators.ALL if i.service_code == service)


def test_every_indicator_is_computed():
    for indicator in indicators.ALL:
        assert indicator.measure is not None, indicator.code
    assert "horas hábiles" in {i.unit for i in indicators.ALL}
    assert "días hábiles" not in {i.unit for i in indicators.ALL}


def test_the_tally_counts_each_condition_an_asset_fails():
    results = [
        inspection.result(ASSET, **answer)
        for answer in (FIT, NOT_FOUND, WRONG_DATA, REPAIRABLE, WRONG_AND_REPAIRABLE)
    ]
    assert inspection.tally(results) == {
        "qualify": 1,
        "unfit": 4,
        "absent": 1,
        "wrong_data": 2,
        "repairable": 2,
    }
    assert inspection.tally([]) == dict.fromkeys(("qualify", "unfit", "absent"), 0) | {
        "wrong_data": 0,
        "repairable": 0,
    }


def test_median_interpolates_an_even_count():
    assert counts.median([]) is None
    assert counts.median([5.0]) == 5.0
    assert counts.median([24.0, 7.0]) == 15.5
    assert counts.median([14.0, 7.0, 104.0]) == 14.0


# -- GCH-CCS-P11 -------------------------------------------------------------------


def p11_data(*assets):
    return {"oficio_number": "SA/1234/2026", "oficio_date": "2026-06-20", "assets": list(assets)}


def file_p11(app, moment, *assets):
    """The dependencia files with its oficio and one photo per asset."""
    return file_at(app, moment, P11, p11_data(*assets), photos=len(assets), oficio=True)


def inspected(assets, *answers, day):
    results = [inspection.result(a, **answer) for a, answer in zip(assets, answers, strict=True)]
    return {
        "text": "Resultado de la inspección",
        "inspection": {"inspected_on": day, "observations": "", "assets": results},
    }


def to_inspection(app, ticket_id, turn, start, schedule, day):
    step_at(app, turn, ticket_id, "turn", department="DGD")
    step_at(app, start, ticket_id, "start", AGENT)
    step_at(
        app,
        schedule,
        ticket_id,
        "schedule_inspection",
        AGENT,
        fields={"date": day, "text": "Almacén de la dependencia"},
    )


@pytest.fixture
def p11_book(demo):
    """Built once per test process, then copied into each test's database."""
    return reuse_database(
        demo, "tests.plugins.dictamenes.test_indicators.p11_book", lambda: _p11_book(demo)
    )


def _p11_book(demo):
    ids = {}
    # A (Q3): two assets, both qualify: dictamen. Worked Jul 6 10-13 (3 h) and, after the
    # inspection's wait, Jul 8 10-13 (3 h): 6 h.
    assets = (ASSET, SECOND_ASSET)
    ids["A"] = a = file_p11(demo, (2026, 7, 6, 10), *assets)
    step_at(demo, (2026, 7, 6, 10, 30), a, "review")
    to_inspection(demo, a, (2026, 7, 6, 11), (2026, 7, 6, 12), (2026, 7, 6, 13), date(2026, 7, 8))
    step_at(
        demo,
        (2026, 7, 8, 10),
        a,
        "record_inspection",
        AGENT,
        fields=inspected(assets, FIT, FIT, day="2026-07-08"),
    )
    step_at(demo, (2026, 7, 8, 12), a, "issue_dictamen", AGENT, fields={"text": "Obsoletos"})
    step_at(demo, (2026, 7, 8, 13), a, "conclude", AGENT, fields={"text": "Registrada"})

    # B (Q3): asked twice to complete (counted once); three assets: one qualifies, one
    # was not found, one has wrong data and a viable repair (two causes). Oficio for
    # two, then the dictamen for one. Worked Jul 13 9-10, Jul 14 10-12, Jul 15 9-12,
    # Jul 17 10-16 and Jul 20 9-10: 1 + 2 + 3 + 6 + 1 = 13 h.
    assets = (ASSET, SECOND_ASSET, THIRD_ASSET)
    ids["B"] = b = file_p11(demo, (2026, 7, 13, 9), *assets)
    step_at(demo, (2026, 7, 13, 9, 30), b, "review")
    step_at(demo, (2026, 7, 13, 10), b, "request_completion", reason="Falta la factura")
    resubmit = {"data": p11_data(*assets)}
    step_at(demo, (2026, 7, 14, 10), b, "resubmit", REQUESTER, fields=resubmit)
    step_at(demo, (2026, 7, 14, 11), b, "review")
    step_at(demo, (2026, 7, 14, 12), b, "request_completion", reason="Falta una foto")
    step_at(demo, (2026, 7, 15, 9), b, "resubmit", REQUESTER, fields=resubmit)
    to_inspection(
        demo, b, (2026, 7, 15, 10), (2026, 7, 15, 11), (2026, 7, 15, 12), date(2026, 7, 17)
    )
    answers = inspected(assets, FIT, NOT_FOUND, WRONG_AND_REPAIRABLE, day="2026-07-17")
    step_at(demo, (2026, 7, 17, 10), b, "record_inspection", AGENT, fields=answers)
    step_at(demo, (2026, 7, 17, 11), b, "decline_some_assets", reason="No proceden dos bienes")
    step_at(demo, (2026, 7, 17, 12), b, "issue_dictamen", AGENT, fields={"text": "Obsoleto"})
    step_at(demo, (2026, 7, 20, 10), b, "conclude", AGENT, fields={"text": "Registrada"})

    # C (Q3): rejected at the review.
    ids["C"] = c = file_p11(demo, (2026, 7, 20, 10), ASSET)
    step_at(demo, (2026, 7, 20, 10, 30), c, "review")
    step_at(demo, (2026, 7, 20, 11), c, "reject", reason="No la turnó la Secretaría")

    # D: received in Q3 (1 September), oficio in Q3, concluded in Q4 (1 October). DGD
    # took ten working days and three hours to agree the inspection (Sep 1 9:00 to
    # Sep 15 12:00: 73 h), then Sep 17 10:00 to Oct 1 10:00 is 6 + 7 + 35 + 21 + 1 = 70 h:
    # 143 h, more than the 70 h to attend.
    ids["D"] = d = file_p11(demo, (2026, 9, 1, 9), ASSET)
    to_inspection(demo, d, (2026, 9, 1, 10), (2026, 9, 1, 11), (2026, 9, 15, 12), date(2026, 9, 17))
    answers = inspected((ASSET,), REPAIRABLE, day="2026-09-17")
    step_at(demo, (2026, 9, 17, 10), d, "record_inspection", AGENT, fields=answers)
    step_at(demo, (2026, 9, 17, 11), d, "decline_dictamen", reason="Se puede reparar")
    step_at(demo, (2026, 10, 1, 10), d, "conclude", AGENT, fields={"text": "Registrada"})

    # G: asked to complete on 28 September and again on 1 October (once per quarter).
    ids["G"] = g = file_p11(demo, (2026, 9, 28, 10), ASSET)
    step_at(demo, (2026, 9, 28, 11), g, "request_completion", reason="Falta el oficio")
    step_at(demo, (2026, 10, 1, 10), g, "resubmit", REQUESTER, fields={"data": p11_data(ASSET)})
    step_at(demo, (2026, 10, 1, 11), g, "review")
    step_at(demo, (2026, 10, 1, 12), g, "request_completion", reason="Falta la foto")

    # E (Q4): the asset was not found; the inspection date changed once (still waiting).
    # Worked Oct 5 10-12 and Oct 8 11-13: 4 h.
    ids["E"] = e = file_p11(demo, (2026, 10, 5, 10), ASSET)
    step_at(demo, (2026, 10, 5, 10, 15), e, "review")
    to_inspection(
        demo, e, (2026, 10, 5, 10, 30), (2026, 10, 5, 11), (2026, 10, 5, 12), date(2026, 10, 7)
    )
    step_at(
        demo,
        (2026, 10, 6, 10),
        e,
        "reschedule_inspection",
        AGENT,
        fields={"date": date(2026, 10, 8)},
        reason="La dependencia pidió otro día",
    )
    answers = inspected((ASSET,), NOT_FOUND, day="2026-10-08")
    step_at(demo, (2026, 10, 8, 11), e, "record_inspection", AGENT, fields=answers)
    step_at(demo, (2026, 10, 8, 12), e, "decline_dictamen", reason="No se encontró el bien")
    step_at(demo, (2026, 10, 8, 13), e, "conclude", AGENT, fields={"text": "Registrada"})

    # H (Q4): one asset qualifies, one has wrong data only. Worked Oct 12 9-11 and
    # Oct 14 9-12: 5 h. Inspected twice: the second record is the one that counts.
    assets = (ASSET, SECOND_ASSET)
    ids["H"] = h = file_p11(demo, (2026, 10, 12, 9), *assets)
    to_inspection(
        demo, h, (2026, 10, 12, 9, 30), (2026, 10, 12, 10), (2026, 10, 12, 11), date(2026, 10, 14)
    )
    first = inspected(assets, NOT_FOUND, NOT_FOUND, day="2026-10-14")
    step_at(demo, (2026, 10, 14, 9), h, "record_inspection", AGENT, fields=first)
    answers = inspected(assets, FIT, WRONG_DATA, day="2026-10-14")
    step_at(demo, (2026, 10, 14, 9, 30), h, "record_inspection", AGENT, fields=answers)
    step_at(demo, (2026, 10, 14, 10), h, "decline_some_assets", reason="Datos incorrectos")
    step_at(demo, (2026, 10, 14, 11), h, "issue_dictamen", AGENT, fields={"text": "Obsoleto"})
    step_at(demo, (2026, 10, 14, 12), h, "conclude", AGENT, fields={"text": "Registrada"})

    # F (Q4): received and still untouched.
    ids["F"] = file_p11(demo, (2026, 11, 3, 10), ASSET)
    return ids


def test_p11_book_is_where_the_steps_left_it(demo, p11_book):
    with demo.app_context():
        found = {
            name: db.session.scalar(select(Ticket.state).where(Ticket.id == ticket_id))
            for name, ticket_id in p11_book.items()
        }
        b = db.session.get(Ticket, p11_book["B"])
        assert b.data["inspection"]["tally"] == {
            "qualify": 1,
            "unfit": 2,
            "absent": 1,
            "wrong_data": 1,
            "repairable": 1,
        }
    assert found == {
        "A": "concluded",
        "B": "concluded",
        "C": "rejected",
        "D": "concluded",
        "G": "needs_completion",
        "E": "concluded",
        "H": "concluded",
        "F": "received",
    }


def test_p11_indicators_in_two_quarters(demo, p11_book):
    codes = codes_of(P11)
    assert readings(demo, codes, Q3) == {
        "p11_requests_received": 5.0,  # A, B, C, D, G
        "p11_requests_concluded": 2.0,  # A, B (D concluded in October)
        "p11_returned_for_requirements": 2.0,  # B (twice), G
        "p11_rejected": 1.0,  # C
        "p11_median_business_hours_to_conclude": 9.5,  # A 6 h, B 13 h
        "p11_sla_compliance": (100.0, 2.0, 2.0),
        "p11_dictamenes_issued": 2.0,  # A, B
        "p11_assets_dictaminated": 3.0,  # A 2, B 1
        "p11_oficios_without_dictamen": 2.0,  # B (part), D (all)
        "p11_assets_not_dictaminated": 3.0,  # B 2, D 1
        "p11_assets_not_found": 1.0,  # B
        "p11_assets_wrong_data": 1.0,  # B
        "p11_assets_repairable": 2.0,  # B (also wrong data), D
    }
    assert readings(demo, codes, Q4) == {
        "p11_requests_received": 3.0,  # E, H, F
        "p11_requests_concluded": 3.0,  # D, E, H
        "p11_returned_for_requirements": 1.0,  # G again
        "p11_rejected": 0.0,
        "p11_median_business_hours_to_conclude": 5.0,  # E 4 h, H 5 h, D 143 h
        "p11_sla_compliance": (66.67, 2.0, 3.0),  # D took 143 h of 70
        "p11_dictamenes_issued": 1.0,  # H
        "p11_assets_dictaminated": 1.0,  # H
        "p11_oficios_without_dictamen": 2.0,  # E, H
        "p11_assets_not_dictaminated": 2.0,  # E, H
        "p11_assets_not_found": 1.0,  # E (H's first record does not count)
        "p11_assets_wrong_data": 1.0,  # H
        "p11_assets_repairable": 0.0,
    }


# -- The dictamen técnico interno (P10 activity 8) ----------------------------------

P10_DATA = {
    "problem_description": "No enciende el conmutador",
    "requester_name": "Laura Méndez Ortiz",
    "equipment_location": "Dirección de la Mujer",
    "municipal_infrastructure": True,
}


def support_request(app, filed, turn, start):
    ticket_id = file_at(app, filed, P10, P10_DATA)
    step_at(app, turn, ticket_id, "turn", department="DGD")
    step_at(app, start, ticket_id, "start", AGENT)
    return ticket_id


def unsolved(app, filed, turn, start, moment):
    """A P10 request that ends without a solution; returns its dictamen's ticket id."""
    ticket_id = support_request(app, filed, turn, start)
    step_at(app, moment, ticket_id, "not_solved", AGENT, reason="La tarjeta madre falló")
    return linked_ticket(app, ticket_id)


def solved(app, filed, turn, start, fixed, verified, concluded):
    ticket_id = support_request(app, filed, turn, start)
    step_at(app, fixed, ticket_id, "mark_solved", AGENT, fields={"text": "Se cambió la fuente"})
    step_at(app, verified, ticket_id, "verify", REQUESTER)
    step_at(app, concluded, ticket_id, "conclude", AGENT, fields={"text": "Formato completo"})
    return ticket_id


def issue(app, moment, ticket_id):
    text = {"text": "Adquirir una tarjeta madre compatible"}
    step_at(app, moment, ticket_id, "issue_dictamen", AGENT, fields=text)


@pytest.fixture
def dti_book(demo):
    """Built once per test process, then copied into each test's database."""
    return reuse_database(
        demo, "tests.plugins.dictamenes.test_indicators.dti_book", lambda: _dti_book(demo)
    )


def _dti_book(demo):
    ids = {}
    # 1 (Q3): opened Jul 6 12:00, issued Jul 7 12:00: 4 + 3 = 7 h of 21.
    ids[1] = one = unsolved(
        demo, (2026, 7, 6, 10), (2026, 7, 6, 10, 30), (2026, 7, 6, 11), (2026, 7, 6, 12)
    )
    issue(demo, (2026, 7, 7, 12), one)
    # 2 (Q3): opened Jul 13 15:00, reasons recorded, issued Jul 17 11:00:
    # 1 + 7 + 7 + 7 + 2 = 24 h, more than 21.
    ids[2] = two = unsolved(
        demo, (2026, 7, 13, 9), (2026, 7, 13, 10), (2026, 7, 13, 11), (2026, 7, 13, 15)
    )
    step_at(demo, (2026, 7, 14, 10), two, "record_reasons", AGENT, fields={"text": "Falla"})
    issue(demo, (2026, 7, 17, 11), two)
    # A support request solved and concluded in Q3; another rejected (neither opens one).
    solved(
        demo,
        (2026, 7, 20, 10),
        (2026, 7, 20, 10, 30),
        (2026, 7, 20, 11),
        (2026, 7, 20, 12),
        (2026, 7, 21, 10),
        (2026, 7, 21, 11),
    )
    rejected = file_at(demo, (2026, 7, 22, 10), P10, P10_DATA)
    step_at(demo, (2026, 7, 22, 11), rejected, "reject", reason="Es un equipo personal")
    # 4: opened in Q3 (Sep 29 14:00), issued in Q4 (Oct 2 11:00): 2 + 7 + 7 + 2 = 18 h.
    ids[4] = four = unsolved(
        demo, (2026, 9, 28, 10), (2026, 9, 28, 11), (2026, 9, 28, 12), (2026, 9, 29, 14)
    )
    issue(demo, (2026, 10, 2, 11), four)
    # 3: the support request ends after hours on 30 September (Q3); its dictamen opens
    # at the next opening, 1 October 9:00 (Q4), and is issued Oct 2 10:00: 7 + 1 = 8 h.
    ids[3] = three = unsolved(
        demo, (2026, 9, 30, 9), (2026, 9, 30, 10), (2026, 9, 30, 11), (2026, 9, 30, 17, 30)
    )
    issue(demo, (2026, 10, 2, 10), three)
    # Q4: two support requests solved; 5 opened on Dec 1 and still being written.
    solved(
        demo,
        (2026, 10, 6, 10),
        (2026, 10, 6, 11),
        (2026, 10, 6, 12),
        (2026, 10, 6, 13),
        (2026, 10, 7, 10),
        (2026, 10, 7, 11),
    )
    solved(
        demo,
        (2026, 11, 3, 10),
        (2026, 11, 3, 11),
        (2026, 11, 3, 12),
        (2026, 11, 3, 13),
        (2026, 11, 4, 10),
        (2026, 11, 4, 11),
    )
    ids[5] = unsolved(
        demo, (2026, 12, 1, 9), (2026, 12, 1, 9, 30), (2026, 12, 1, 10), (2026, 12, 1, 10, 30)
    )
    return ids


def test_dti_book_opens_at_the_next_opening(demo, dti_book):
    with demo.app_context():
        three = db.session.get(Ticket, dti_book[3])
        assert three.received_at.strftime("%Y-%m-%d %H:%M") == "2026-10-01 15:00"  # 9:00 local
        assert three.state == "issued" and three.outcome == "concluded"
        assert db.session.get(Ticket, dti_book[5]).state == "received"


def test_dti_indicators_in_two_quarters(demo, dti_book):
    codes = codes_of(DTI)
    assert readings(demo, codes, Q3) == {
        "p10dti_requests_received": 3.0,  # 1, 2, 4
        "p10dti_issued": 2.0,  # 1, 2
        "p10dti_median_business_hours_to_issue": 15.5,  # 7 h, 24 h
        "p10dti_sla_compliance": (50.0, 1.0, 2.0),
        # Support requests closed with the service given: 1's, 2's, 4's, 3's (after hours
        # on Sep 30) and the solved one; the rejected one does not count.
        "p10dti_share_of_support_requests": (60.0, 3.0, 5.0),
    }
    assert readings(demo, codes, Q4) == {
        "p10dti_requests_received": 2.0,  # 3, 5
        "p10dti_issued": 2.0,  # 4, 3
        "p10dti_median_business_hours_to_issue": 13.0,  # 18 h, 8 h
        "p10dti_sla_compliance": (100.0, 2.0, 2.0),
        "p10dti_share_of_support_requests": (66.67, 2.0, 3.0),  # 3, 5 / two solved, 5's
    }
