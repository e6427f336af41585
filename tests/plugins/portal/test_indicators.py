"""Every indicator of GCH-CCS-P07, GCH-CCS-P08 and PSDT-05 on a hand-made set of
requests across the third and fourth quarters of 2026, with exact values.

Office hours Monday to Friday 9:00–16:00 (7 business hours a day), Mexico
City. P07: one business day (7 h) to respond, no time to attend (DGD sets it);
the test period and the requirements to complete stop the clock. P08 and
PSDT-05: one day to respond, two (14 h) to attend.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest
from sqlalchemy import select

from helpdesk import periods
from helpdesk.extensions import db
from helpdesk.models import Ticket
from helpdesk.testing import reuse_database
from plugins.portal.indicators import ALL

from .indicator_support import check_links_at
from .indicator_support import codes_of
from .indicator_support import file_at
from .indicator_support import people
from .indicator_support import readings
from .indicator_support import step_at
from .indicator_support import transitions_of

Q3, Q4 = periods.quarter(2026, 3), periods.quarter(2026, 4)
P07, P08, PSDT05 = "GCH-CCS-P07", "GCH-CCS-P08", "PSDT-05"
COORD, AGENT, REQUESTER = people("chalco")
LIAISON = {"name": "Laura Méndez", "email": REQUESTER, "phone": "5555"}


def test_every_indicator_is_computed():
    for indicator in ALL:
        assert indicator.measure is not None, indicator.code


# -- GCH-CCS-P07 -------------------------------------------------------------------


def file_p07(app, moment, name):
    data = {
        "request_kind": "creation",
        "system_name": name,
        "justification": "El registro se lleva en papel.",
        "objective": "Consultar el registro en línea.",
    }
    return file_at(app, moment, "chalco", P07, data, liaison=LIAISON)


def received_by_dgd(app, ticket_id, turn, start):
    step_at(app, turn, ticket_id, "turn", COORD, department="DGD")
    step_at(app, start, ticket_id, "start", AGENT)


def developed(app, ticket_id, accept, until, finish, train):
    fields = {"date": until, "text": "Dos semanas"}
    step_at(app, accept, ticket_id, "accept", AGENT, fields=fields)
    step_at(app, finish, ticket_id, "finish_development", AGENT, fields={"text": "Listo"})
    step_at(app, train, ticket_id, "train", AGENT, fields={"text": "Capacitación en sala"})


def released(app, ticket_id, approve, turn, backup, conclude):
    step_at(app, approve, ticket_id, "approve_release", REQUESTER)
    step_at(app, turn, ticket_id, "turn_release", COORD)
    step_at(app, backup, ticket_id, "backup_release", AGENT, fields={"text": "Respaldo hecho"})
    step_at(app, conclude, ticket_id, "conclude", AGENT, fields={"text": "Registrada"})


@pytest.fixture
def p07_book(demo):
    ids = {}
    # R1 (Q3): two rounds of adjustments. Worked Jul 6 9:00 to Jul 9 10:00 (22 h), Jul 10
    # 10:00 to Jul 13 10:00 (7 h), Jul 14 10-14 (4 h) and Jul 15 10-13 (3 h): 36 h.
    ids["R1"] = r1 = file_p07(demo, (2026, 7, 6, 9), "Inventario")
    step_at(demo, (2026, 7, 6, 9, 30), r1, "review", COORD)
    received_by_dgd(demo, r1, (2026, 7, 6, 10), (2026, 7, 6, 11))
    developed(demo, r1, (2026, 7, 6, 12), date(2026, 7, 31), (2026, 7, 8, 12), (2026, 7, 9, 10))
    reason = {"reason": "El reporte no suma bien"}
    step_at(demo, (2026, 7, 10, 10), r1, "request_adjustments", REQUESTER, **reason)
    text = {"text": "Corregido"}
    step_at(demo, (2026, 7, 13, 10), r1, "deliver_adjustments", AGENT, fields=text)
    step_at(demo, (2026, 7, 14, 10), r1, "request_adjustments", REQUESTER, **reason)
    step_at(demo, (2026, 7, 14, 14), r1, "deliver_adjustments", AGENT, fields=text)
    released(demo, r1, (2026, 7, 15, 10), (2026, 7, 15, 11), (2026, 7, 15, 12), (2026, 7, 15, 13))

    # R2 (Q3): rejected at the review of requirements.
    ids["R2"] = r2 = file_p07(demo, (2026, 7, 20, 10), "Nómina")
    step_at(demo, (2026, 7, 20, 10, 30), r2, "review", COORD)
    step_at(demo, (2026, 7, 20, 11), r2, "reject", COORD, reason="Falta la justificación")

    # R3 (Q3): not technically viable: rejected, but not for its requirements.
    ids["R3"] = r3 = file_p07(demo, (2026, 7, 21, 10), "Drones")
    received_by_dgd(demo, r3, (2026, 7, 21, 11), (2026, 7, 21, 12))
    step_at(demo, (2026, 7, 21, 13), r3, "not_viable", AGENT, reason="Requiere otro hardware")

    # R4: received Sep 28 (Q3), turned 9 h later (1 day = 7 h: missed), concluded Oct 2
    # (Q4). Worked Sep 28 10:00 to Oct 1 11:00 (6 + 7 + 7 + 2) and Oct 2 10-13: 25 h.
    ids["R4"] = r4 = file_p07(demo, (2026, 9, 28, 10), "Archivo")
    received_by_dgd(demo, r4, (2026, 9, 29, 12), (2026, 9, 29, 13))
    developed(demo, r4, (2026, 9, 29, 14), date(2026, 10, 15), (2026, 10, 1, 10), (2026, 10, 1, 11))
    released(demo, r4, (2026, 10, 2, 10), (2026, 10, 2, 11), (2026, 10, 2, 12), (2026, 10, 2, 13))

    # R5 (Q4): worked Oct 5 9:00 to Oct 6 12:00 (7 + 3) and Oct 7 9-12: 13 h.
    ids["R5"] = r5 = file_p07(demo, (2026, 10, 5, 9), "Citas")
    received_by_dgd(demo, r5, (2026, 10, 5, 10), (2026, 10, 5, 10, 30))
    developed(demo, r5, (2026, 10, 5, 11), date(2026, 10, 30), (2026, 10, 6, 11), (2026, 10, 6, 12))
    released(demo, r5, (2026, 10, 7, 9), (2026, 10, 7, 10), (2026, 10, 7, 11), (2026, 10, 7, 12))

    # R6 (Q4): rejected at the review; R7 (Q4): still waiting for it.
    ids["R6"] = r6 = file_p07(demo, (2026, 10, 12, 10), "Quejas")
    step_at(demo, (2026, 10, 12, 12), r6, "reject", COORD, reason="Es una modificación")
    ids["R7"] = file_p07(demo, (2026, 11, 3, 10), "Becas")
    return ids


def test_p07_indicators_in_two_quarters(demo, p07_book):
    with demo.app_context():
        r3 = db.session.get(Ticket, p07_book["R3"])
        assert (r3.state, r3.outcome) == ("rejected", "rejected")
    codes = codes_of(P07)
    assert readings(demo, "chalco", codes, Q3) == {
        "p07_requests_received": 4.0,  # R1-R4
        "p07_requests_concluded": 1.0,  # R1
        "p07_rejected_requirements": 1.0,  # R2; R3 was not viable, not incomplete
        "p07_median_time_to_conclude": 36.0,
        "p07_sla_compliance": (100.0, 1.0, 1.0),
    }
    assert readings(demo, "chalco", codes, Q4) == {
        "p07_requests_received": 3.0,  # R5-R7
        "p07_requests_concluded": 2.0,  # R4, R5
        "p07_rejected_requirements": 1.0,  # R6
        "p07_median_time_to_conclude": 19.0,  # R4 25 h, R5 13 h
        "p07_sla_compliance": (50.0, 1.0, 2.0),  # R4 was turned late
    }


# -- GCH-CCS-P08 -------------------------------------------------------------------


def p08_data(filed):
    published = date(*filed[:3]) + timedelta(days=14)
    return {
        "site": "chalco",
        "section": "Avisos",
        "content": "Aviso de suspensión de labores.",
        "publication_date": published.isoformat(),
    }


def file_p08(app, moment):
    return file_at(app, moment, "chalco", P08, p08_data(moment))


def published(app, ticket_id, turn, start, layout, publish, conclude):
    received_by_dgd(app, ticket_id, turn, start)
    step_at(app, layout, ticket_id, "define_layout", AGENT, fields={"text": "Banner"})
    step_at(app, publish, ticket_id, "publish", AGENT, fields={"text": "https://chalco.gob.mx"})
    step_at(app, conclude, ticket_id, "conclude", AGENT, fields={"text": "Registrada"})


@pytest.fixture
def p08_book(demo):
    ids = {}
    # S1 (Q3): 5 h.
    ids["S1"] = s1 = file_p08(demo, (2026, 7, 6, 9))
    published(
        demo,
        s1,
        (2026, 7, 6, 10),
        (2026, 7, 6, 11),
        (2026, 7, 6, 12),
        (2026, 7, 6, 13),
        (2026, 7, 6, 14),
    )
    # S2 (Q3): asked twice to complete (counts once in the general indicator); worked
    # Jul 13 9-10, Jul 14 9-10, Jul 15 9-16 and Jul 16 9-11: 11 h of 14.
    ids["S2"] = s2 = file_p08(demo, (2026, 7, 13, 9))
    data = {"data": p08_data((2026, 7, 13, 9))}
    step_at(demo, (2026, 7, 13, 10), s2, "request_completion", COORD, reason="¿Qué apartado?")
    step_at(demo, (2026, 7, 14, 9), s2, "resubmit", REQUESTER, fields=data)
    step_at(demo, (2026, 7, 14, 9, 30), s2, "review", COORD)
    step_at(demo, (2026, 7, 14, 10), s2, "request_completion", COORD, reason="¿Qué sitio?")
    step_at(demo, (2026, 7, 15, 9), s2, "resubmit", REQUESTER, fields=data)
    published(
        demo,
        s2,
        (2026, 7, 15, 10),
        (2026, 7, 15, 11),
        (2026, 7, 15, 12),
        (2026, 7, 16, 10),
        (2026, 7, 16, 11),
    )
    # S3: received Sep 29 (Q3), concluded Oct 1 (Q4) after 6 + 7 + 3 = 16 h of 14.
    ids["S3"] = s3 = file_p08(demo, (2026, 9, 29, 10))
    published(
        demo,
        s3,
        (2026, 9, 29, 11),
        (2026, 9, 29, 12),
        (2026, 9, 30, 10),
        (2026, 10, 1, 11),
        (2026, 10, 1, 12),
    )
    # S4 (Q3): rejected at the review.
    ids["S4"] = s4 = file_p08(demo, (2026, 7, 20, 10))
    step_at(demo, (2026, 7, 20, 11), s4, "reject", COORD, reason="No es de la dependencia")
    # S5 (Q4): turned after 9 h (of 7), then 12 h in all (of 14): the respond target failed.
    ids["S5"] = s5 = file_p08(demo, (2026, 10, 5, 10))
    published(
        demo,
        s5,
        (2026, 10, 6, 12),
        (2026, 10, 6, 12, 30),
        (2026, 10, 6, 13),
        (2026, 10, 6, 14),
        (2026, 10, 6, 15),
    )
    # S6 (Q4): 4 h.
    ids["S6"] = s6 = file_p08(demo, (2026, 10, 12, 9))
    published(
        demo,
        s6,
        (2026, 10, 12, 9, 30),
        (2026, 10, 12, 10),
        (2026, 10, 12, 11),
        (2026, 10, 12, 12),
        (2026, 10, 12, 13),
    )
    # S7 (Q4): asked to complete, corrected, then rejected.
    ids["S7"] = s7 = file_p08(demo, (2026, 10, 19, 10))
    step_at(demo, (2026, 10, 19, 11), s7, "request_completion", COORD, reason="¿Qué sitio?")
    step_at(
        demo,
        (2026, 10, 20, 10),
        s7,
        "resubmit",
        REQUESTER,
        fields={"data": p08_data((2026, 10, 19))},
    )
    step_at(demo, (2026, 10, 20, 11), s7, "reject", COORD, reason="Información no oficial")
    return ids


def test_p08_indicators_in_two_quarters(demo, p08_book):
    codes = codes_of(P08)
    assert readings(demo, "chalco", codes, Q3) == {
        "p08_requests_received": 4.0,  # S1-S4
        "p08_requests_concluded": 2.0,  # S1, S2
        "p08_rejected_requirements": 1.0,  # S4
        "p08_median_time_to_conclude": 8.0,  # 5 h, 11 h
        "p08_sla_compliance": (100.0, 2.0, 2.0),
    }
    assert readings(demo, "chalco", codes, Q4) == {
        "p08_requests_received": 3.0,  # S5-S7
        "p08_requests_concluded": 3.0,  # S3, S5, S6
        "p08_rejected_requirements": 1.0,  # S7
        "p08_median_time_to_conclude": 12.0,  # 16 h, 12 h, 4 h
        "p08_sla_compliance": (33.33, 1.0, 3.0),  # S3 late to attend, S5 to respond
    }


# -- PSDT-05 -----------------------------------------------------------------------

SINALOA_COORD, SINALOA_AGENT, SINALOA_REQUESTER = people("sinaloa")
PORTAL = "https://portal.sinaloa.example"


def order(app, moment, name):
    """Activity 2.1: the Mesa de Ayuda registers the order for the requester, by phone."""
    data = {"service_name": name, "service_url": f"{PORTAL}/{name}"}
    return file_at(app, moment, "sinaloa", PSDT05, data, by_desk=True)


def channelled(app, ticket_id, turn, start):
    step_at(app, turn, ticket_id, "turn", SINALOA_COORD, department="DGE")
    step_at(app, start, ticket_id, "start", SINALOA_AGENT)


def publish(app, moment, ticket_id, text):
    step_at(app, moment, ticket_id, "publish", SINALOA_AGENT, fields={"text": text})


def agent(app, moment, ticket_id, name, text="Hecho"):
    step_at(app, moment, ticket_id, name, SINALOA_AGENT, fields={"text": text})


def confirmed_and_closed(app, ticket_id, notify, confirm, close):
    agent(app, notify, ticket_id, "notify_publication", "Ya aparece en Trámites")
    step_at(app, confirm, ticket_id, "confirm_satisfaction", SINALOA_REQUESTER)
    agent(app, close, ticket_id, "conclude", "Orden cerrada")


@pytest.fixture
def psdt05_book(demo, dead_links):
    """Built once per test process, then copied into each test's database.

    ``dead_links`` ends as the build leaves it whether the build ran or a copy was
    taken, so a test may go on checking links either way.
    """
    ids = reuse_database(
        demo,
        "tests.plugins.portal.test_indicators.psdt05_book",
        lambda: _psdt05_book(demo, dead_links),
    )
    dead_links.update(PSDT05_DEAD)
    return ids


# The links the build finds dead.
PSDT05_DEAD = {f"{PORTAL}/tenencia", f"{PORTAL}/actas"}


def _psdt05_book(demo, dead_links):
    ids = {}
    # W1 (Q3): published, its link answers, confirmed and closed.
    ids["W1"] = w1 = order(demo, (2026, 7, 6, 10), "citas")
    step_at(demo, (2026, 7, 6, 10, 15), w1, "review", SINALOA_COORD)
    channelled(demo, w1, (2026, 7, 6, 10, 30), (2026, 7, 6, 11))
    publish(demo, (2026, 7, 6, 12), w1, f"Publicado como «Citas»: {PORTAL}/citas")
    confirmed_and_closed(demo, w1, (2026, 7, 6, 12, 30), (2026, 7, 7, 10), (2026, 7, 7, 11))

    # W2 (Q3): the link is dead after publishing (non-conformity 1) and after the first
    # fix (2); a new link works; the requester is not satisfied and it is published
    # again: one published service, two non-conformities.
    ids["W2"] = w2 = order(demo, (2026, 7, 13, 9), "tenencia")
    dead_links.add(f"{PORTAL}/tenencia")
    channelled(demo, w2, (2026, 7, 13, 9, 30), (2026, 7, 13, 10))
    publish(demo, (2026, 7, 13, 11), w2, f"Publicado: {PORTAL}/tenencia")
    agent(demo, (2026, 7, 13, 12), w2, "nc_cause", "Permisos del directorio")
    agent(demo, (2026, 7, 13, 13), w2, "nc_fix", "Se corrigieron los permisos")
    agent(demo, (2026, 7, 13, 14), w2, "nc_cause", "La ruta cambió")
    agent(demo, (2026, 7, 13, 15), w2, "nc_fix", f"Nueva liga: {PORTAL}/pago-tenencia")
    agent(demo, (2026, 7, 14, 9), w2, "notify_publication", "Ya aparece")
    step_at(demo, (2026, 7, 15, 10), w2, "report_unsatisfied", SINALOA_REQUESTER, reason="Sin logo")
    agent(demo, (2026, 7, 15, 11), w2, "correct_anomalies", "Se agregó el logo")
    publish(demo, (2026, 7, 15, 12), w2, "Publicado de nuevo")
    confirmed_and_closed(demo, w2, (2026, 7, 15, 13), (2026, 7, 16, 10), (2026, 7, 16, 11))

    # W3: received Sep 29 (Q3), published Oct 1 (Q4), waiting for the requester's test.
    ids["W3"] = w3 = order(demo, (2026, 9, 29, 10), "licencias")
    channelled(demo, w3, (2026, 9, 29, 11), (2026, 9, 30, 10))
    publish(demo, (2026, 10, 1, 10), w3, f"Publicado: {PORTAL}/licencias")
    agent(demo, (2026, 10, 1, 11), w3, "notify_publication", "Ya aparece")

    # W4 (Q3): rejected at the review.
    ids["W4"] = w4 = order(demo, (2026, 7, 20, 10), "rifas")
    step_at(demo, (2026, 7, 20, 11), w4, "reject", SINALOA_COORD, reason="No es un servicio")

    # W5 (Q4): published and closed in October; the November check finds its link dead
    # (non-conformity 3, opened on the closed order).
    ids["W5"] = w5 = order(demo, (2026, 10, 5, 10), "actas")
    channelled(demo, w5, (2026, 10, 5, 10, 30), (2026, 10, 5, 11))
    publish(demo, (2026, 10, 5, 12), w5, f"Publicado: {PORTAL}/actas")
    confirmed_and_closed(demo, w5, (2026, 10, 5, 12, 30), (2026, 10, 6, 10), (2026, 10, 6, 11))
    dead_links.add(f"{PORTAL}/actas")
    check_links_at(demo, (2026, 11, 9, 10), "sinaloa")

    # W6 (Q4): in progress, not yet published; W7 (Q4): rejected.
    ids["W6"] = w6 = order(demo, (2026, 11, 3, 10), "becas")
    channelled(demo, w6, (2026, 11, 3, 11), (2026, 11, 3, 12))
    ids["W7"] = w7 = order(demo, (2026, 12, 1, 10), "rifas")
    step_at(demo, (2026, 12, 1, 11), w7, "reject", SINALOA_COORD, reason="No es un servicio")
    return ids


def test_psdt05_book_took_the_automatic_steps(demo, psdt05_book):
    steps = transitions_of(demo, psdt05_book["W2"])
    assert steps.count("publish") == 2
    assert steps.count("open_nonconformity") == 2
    assert steps.count("nc_verify") == 1 and steps.count("confirm_visible") == 1
    assert transitions_of(demo, psdt05_book["W5"])[-1] == "open_nonconformity"
    with demo.app_context():
        states = {
            name: db.session.scalar(select(Ticket.state).where(Ticket.id == ticket_id))
            for name, ticket_id in psdt05_book.items()
        }
    assert states == {
        "W1": "concluded",
        "W2": "concluded",
        "W3": "awaiting_confirmation",
        "W4": "rejected",
        "W5": "nonconforming",
        "W6": "in_progress",
        "W7": "rejected",
    }


def test_psdt05_indicators_in_two_quarters(demo, psdt05_book):
    codes = codes_of(PSDT05)
    assert readings(demo, "sinaloa", codes, Q3) == {
        # Published W1, W2 (twice: once) / received W1, W2, W3, W4.
        "psdt05_services_published": (50.0, 2.0, 4.0),
        "psdt05_nonconformities": 2.0,  # both of W2's
    }
    assert readings(demo, "sinaloa", codes, Q4) == {
        # Published W3 (received in Q3), W5 / received W5, W6, W7.
        "psdt05_services_published": (66.67, 2.0, 3.0),
        "psdt05_nonconformities": 1.0,  # W5's, found by the November check
    }
    # The quarter is the document's periodicity; the year adds the quarters up.
    assert readings(demo, "sinaloa", codes, periods.year(2026)) == {
        "psdt05_services_published": (57.14, 4.0, 7.0),
        "psdt05_nonconformities": 3.0,
    }
