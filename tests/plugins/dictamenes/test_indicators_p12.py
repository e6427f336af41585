"""Every indicator of GCH-CCS-P12 on a hand-made set of requests across the third and
fourth quarters of 2026, with exact values.

Office hours Monday to Friday 9:00–16:00 (7 business hours a day), Mexico
City; 16 September is an official rest day. P12: one business day (7 h) to
respond, five (35 h) to attend; the DGSEI's review, the requirements to
complete and the corrections after a DGSEI rejection stop the clock.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk import indicators as engine
from helpdesk import periods
from helpdesk.extensions import db
from helpdesk.indicators import Scope
from helpdesk.models import Ticket
from helpdesk.testing import reuse_database
from plugins.dictamenes import indicators

from .indicator_support import REQUESTER
from .indicator_support import file_at
from .indicator_support import readings
from .indicator_support import step_at

Q3, Q4 = periods.quarter(2026, 3), periods.quarter(2026, 4)
P12 = "GCH-CCS-P12"
REQUEST = {
    "sidem_folio": "SIDEM-2026-000123",
    "goods_services": "20 computadoras de escritorio para las áreas administrativas.",
    "acquisition_kind": "acquisition",
    "tic_program_validated": True,
    "committee_installed": True,
}


def file_p12(app, moment):
    return file_at(app, moment, P12, REQUEST, unit="Dirección de Administración")


def release_and_send(app, ticket_id, release, send):
    step_at(app, release, ticket_id, "release_in_sidem")
    step_at(app, send, ticket_id, "send_to_dgsei", fields={"text": "Oficio CCS/100/2026"})


def rejected_by_dgsei(app, ticket_id, moment):
    step_at(app, moment, ticket_id, "dgsei_rejects", reason="Falta la cotización")


def corrected(app, ticket_id, moment):
    step_at(app, moment, ticket_id, "resubmit", REQUESTER, fields={"data": REQUEST})


def dictamen_to_conclusion(app, ticket_id, received, delivered, concluded):
    text = {"text": "Dictamen DGSEI/123/2026"}
    step_at(app, received, ticket_id, "receive_dgsei_dictamen", fields=text, files=1)
    step_at(app, delivered, ticket_id, "deliver_dictamen", fields={"text": "Entregado"})
    step_at(app, concluded, ticket_id, "conclude", fields={"text": "Registrada"})


@pytest.fixture
def p12_book(demo):
    """Built once per test process, then copied into each test's database."""
    return reuse_database(
        demo, "tests.plugins.dictamenes.test_indicators_p12.p12_book", lambda: _p12_book(demo)
    )


def _p12_book(demo):
    ids = {}
    # K (Q3): dictamen at the first try. DGSEI: Jul 6 11-16 + Jul 7 + Jul 8 9-11 = 14 h.
    # The Coordination worked Jul 6 9-11 and Jul 8 11-13: 4 h.
    ids["K"] = k = file_p12(demo, (2026, 7, 6, 9))
    release_and_send(demo, k, (2026, 7, 6, 10), (2026, 7, 6, 11))
    dictamen_to_conclusion(demo, k, (2026, 7, 8, 11), (2026, 7, 8, 12), (2026, 7, 8, 13))

    # M (Q3): rejected at the review.
    ids["M"] = m = file_p12(demo, (2026, 7, 13, 10))
    step_at(demo, (2026, 7, 13, 10, 30), m, "review")
    step_at(demo, (2026, 7, 13, 11), m, "reject", reason="No la presenta Administración")

    # L: received Sep 1 (Q3), asked to complete, rejected twice by the DGSEI in
    # September (7 h and 12 h of review), dictamen on Oct 1 (Q4) after 104 h of review
    # (Sep 9 11-16, 10, 11, 14, 15, 17, 18, 21-25, 28-30, Oct 1 9-10; the 16th is a rest
    # day). The Coordination worked 1 + 2 + 2 + 2 + 2 = 9 h.
    ids["L"] = lid = file_p12(demo, (2026, 9, 1, 10))
    step_at(demo, (2026, 9, 1, 11), lid, "request_completion", reason="Falta el folio SIDEM")
    corrected(demo, lid, (2026, 9, 2, 10))
    release_and_send(demo, lid, (2026, 9, 2, 11), (2026, 9, 2, 12))
    rejected_by_dgsei(demo, lid, (2026, 9, 3, 12))
    corrected(demo, lid, (2026, 9, 4, 10))
    release_and_send(demo, lid, (2026, 9, 4, 11), (2026, 9, 4, 12))
    rejected_by_dgsei(demo, lid, (2026, 9, 8, 10))
    corrected(demo, lid, (2026, 9, 9, 9))
    release_and_send(demo, lid, (2026, 9, 9, 10), (2026, 9, 9, 11))
    dictamen_to_conclusion(demo, lid, (2026, 10, 1, 10), (2026, 10, 1, 11), (2026, 10, 1, 12))

    # N (Q4): the Coordination took a whole week to release it (Oct 5-9: 35 h) and an
    # hour to send it, then 2 h more after the DGSEI's 7 h: 38 h of 35.
    ids["N"] = n = file_p12(demo, (2026, 10, 5, 9))
    release_and_send(demo, n, (2026, 10, 12, 9), (2026, 10, 12, 10))
    dictamen_to_conclusion(demo, n, (2026, 10, 13, 10), (2026, 10, 13, 11), (2026, 10, 13, 12))

    # O (Q4): rejected by the DGSEI after 14 h (Oct 19 11-16, 20, 21 9-11), then withdrawn.
    ids["O"] = o = file_p12(demo, (2026, 10, 19, 9))
    release_and_send(demo, o, (2026, 10, 19, 10), (2026, 10, 19, 11))
    rejected_by_dgsei(demo, o, (2026, 10, 21, 11))
    step_at(demo, (2026, 10, 22, 10), o, "withdraw", REQUESTER, reason="Se canceló la compra")

    # P (Q4): received, asked to complete, still waiting.
    ids["P"] = p = file_p12(demo, (2026, 11, 3, 10))
    step_at(demo, (2026, 11, 3, 12), p, "request_completion", reason="Falta el programa TIC")
    return ids


def test_p12_book_is_where_the_steps_left_it(demo, p12_book):
    with demo.app_context():
        found = {
            name: db.session.scalar(select(Ticket.outcome).where(Ticket.id == ticket_id))
            for name, ticket_id in p12_book.items()
        }
    assert found == {
        "K": "concluded",
        "M": "rejected",
        "L": "concluded",
        "N": "concluded",
        "O": "withdrawn",
        "P": None,
    }


def test_p12_indicators_in_two_quarters(demo, p12_book):
    codes = sorted(i.code for i in indicators.ALL if i.service_code == P12)
    assert readings(demo, codes, Q3) == {
        "p12_requests_received": 3.0,  # K, M, L
        "p12_requests_concluded": 1.0,  # K
        "p12_returned_for_requirements": 1.0,  # L
        "p12_rejected": 1.0,  # M (O was withdrawn, in Q4)
        "p12_median_business_hours_to_conclude": 4.0,
        "p12_sla_compliance": (100.0, 1.0, 1.0),
        "p12_dgsei_rejections": 2.0,  # both of L's
        "p12_dgsei_first_pass": (100.0, 1.0, 1.0),  # K
        "p12_dictamenes_delivered": 1.0,  # K
        "p12_median_dgsei_business_hours": 12.0,  # L 7 h, L 12 h, K 14 h
    }
    assert readings(demo, codes, Q4) == {
        "p12_requests_received": 3.0,  # N, O, P
        "p12_requests_concluded": 2.0,  # L, N
        "p12_returned_for_requirements": 1.0,  # P
        "p12_rejected": 0.0,
        "p12_median_business_hours_to_conclude": 23.5,  # L 9 h, N 38 h
        "p12_sla_compliance": (50.0, 1.0, 2.0),  # N took 38 h of 35
        "p12_dgsei_rejections": 1.0,  # O
        "p12_dgsei_first_pass": (50.0, 1.0, 2.0),  # N; L had been rejected
        "p12_dictamenes_delivered": 2.0,  # L, N
        "p12_median_dgsei_business_hours": 14.0,  # N 7 h, O 14 h, L 104 h
    }


def test_the_dgsei_time_has_no_value_without_answers(demo):
    assert readings(demo, ["p12_median_dgsei_business_hours"], Q3) == {
        "p12_median_dgsei_business_hours": None
    }
    assert readings(demo, ["p12_dgsei_first_pass"], Q3) == {
        "p12_dgsei_first_pass": (None, 0.0, 0.0)
    }


def test_the_superadmin_reads_the_dgsei_time_across_every_tenant(demo, p12_book):
    # Every tenant's answers, each measured on its own calendar; only Chalco has P12.
    with demo.app_context():
        found = engine.read(engine.definition("p12_median_dgsei_business_hours"), Scope(None, Q4))
    assert found.value == 14.0
