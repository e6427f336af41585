"""The general indicators on a hand-built set of tickets, with exact expected values.

Every step is placed at an exact moment (Mexico City, office hours Monday to
Friday 9:00–16:00) so the worked time, the SLA and the period each ticket
counts in are computed by hand below. P09 (institutional e-mail): one
business day to answer, two to resolve.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from secrets import token_hex
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from helpdesk import indicators
from helpdesk import measures
from helpdesk import periods
from helpdesk import plugins
from helpdesk import service_settings
from helpdesk import tallies
from helpdesk import tickets
from helpdesk.extensions import db
from helpdesk.indicators import Scope
from helpdesk.models import Survey
from helpdesk.models import Tenant
from helpdesk.models import Ticket
from helpdesk.models import Unit
from helpdesk.models import User
from helpdesk.tenancy import scoped_to
from helpdesk.testing import reuse_database
from tests.helpdesk.test_sla import COORD
from tests.helpdesk.test_sla import P09_DATA
from tests.helpdesk.test_sla import REQUESTER
from tests.helpdesk.test_sla import move

MX = ZoneInfo("America/Mexico_City")
P09 = "GCH-CCS-P09"
AGENT = "tecnico@chalco.example"


def at(*args):
    return time_machine.travel(datetime(*args, tzinfo=MX).astimezone(UTC), tick=False)


def second_unit(app):
    with app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "chalco"))
        requester = db.session.scalar(select(User).where(User.email == REQUESTER))
        return db.session.scalar(
            select(Unit.id)
            .where(Unit.tenant_id == tenant.id, Unit.id != requester.unit_id)
            .order_by(Unit.id)
        )


def file_at(app, moment, *, unit_id=None):
    with at(*moment), app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "chalco"))
        with scoped_to(tenant):
            requester = db.session.scalar(select(User).where(User.email == REQUESTER))
            catalog = plugins.host().catalog
            rows = service_settings.ensure_rows(tenant, catalog)
            rows[P09].enabled = True
            db.session.commit()
            item = service_settings.effective(catalog.get(P09), rows[P09], tenant)
            ticket = tickets.file_request(
                tenant=tenant,
                service=item,
                requester=requester,
                filed_by=requester,
                data=P09_DATA,
                unit_id=unit_id or requester.unit_id,
            )
            return ticket.id


def step_at(app, moment, ticket_id, name, email=COORD, **kwargs):
    with at(*moment):
        move(app, ticket_id, name, email, **kwargs)


def dgd(app):
    with app.app_context():
        from helpdesk.models import Department

        return db.session.scalar(select(Department.id).where(Department.code == "DGD"))


def work_through(app, ticket_id, turn, start, conclude):
    step_at(app, turn, ticket_id, "turn", fields={"department_id": dgd(app)})
    step_at(app, start, ticket_id, "start", AGENT)
    step_at(app, conclude, ticket_id, "conclude", AGENT, fields={"text": "Atendido"})


def survey(app, ticket_id, rating=None):
    """The ticket's survey (created if the survey module did not), answered with ``rating``."""
    with app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        row = db.session.scalar(select(Survey).where(Survey.ticket_id == ticket_id))
        if row is None:
            row = Survey(
                tenant_id=ticket.tenant_id,
                ticket_id=ticket_id,
                service_code=ticket.service_code,
                token_hash=token_hex(32),
                nonce=token_hex(16),
                expires_at=datetime.now(UTC) + timedelta(days=30),
            )
            db.session.add(row)
        if rating is not None:
            row.rating = rating
            row.answered_at = datetime.now(UTC)
        db.session.commit()


@pytest.fixture
def book(demo):
    """Seven P09 requests around the third and fourth quarters of 2026.

    Built once per test process, then copied into each test's database.
    """
    return reuse_database(demo, "tests.helpdesk.test_indicators.book", lambda: _book(demo))


def _book(demo):
    ids = {}
    # A: received in Q3, concluded in Q4; 3 business days worked (21 h): resolve missed.
    ids["A"] = file_at(demo, (2026, 9, 28, 10, 0))
    work_through(demo, ids["A"], (2026, 9, 28, 11, 0), (2026, 9, 28, 12, 0), (2026, 10, 1, 10, 0))
    # B: returned twice for requirements (the waits do not count), another unit; 5 h worked.
    ids["B"] = file_at(demo, (2026, 10, 5, 10, 0), unit_id=second_unit(demo))
    step_at(demo, (2026, 10, 5, 11, 0), ids["B"], "request_completion", reason="Falta oficio")
    step_at(demo, (2026, 10, 6, 10, 0), ids["B"], "resubmit", REQUESTER, fields={"data": P09_DATA})
    step_at(demo, (2026, 10, 6, 11, 0), ids["B"], "request_completion", reason="Falta firma")
    step_at(demo, (2026, 10, 7, 10, 0), ids["B"], "resubmit", REQUESTER, fields={"data": P09_DATA})
    work_through(demo, ids["B"], (2026, 10, 7, 11, 0), (2026, 10, 7, 12, 0), (2026, 10, 7, 13, 0))
    # C: rejected at review after 2 h.
    ids["C"] = file_at(demo, (2026, 10, 12, 10, 0))
    step_at(demo, (2026, 10, 12, 12, 0), ids["C"], "reject", reason="No es del Ayuntamiento")
    # D: withdrawn by the requester after 1 h.
    ids["D"] = file_at(demo, (2026, 10, 14, 10, 0))
    step_at(demo, (2026, 10, 14, 11, 0), ids["D"], "withdraw", REQUESTER, reason="Ya no")
    # E: still open when the year ends.
    ids["E"] = file_at(demo, (2026, 12, 30, 15, 0))
    # F: filed on New Year's Eve at night: received on Monday 4 January 2027.
    ids["F"] = file_at(demo, (2026, 12, 31, 23, 30))
    # G: received on the last afternoon of Q3 and concluded that night, 1 h worked:
    # 23:30 in Mexico City is already 1 October in UTC, but it counts in Q3.
    ids["G"] = file_at(demo, (2026, 9, 30, 15, 0))
    night = (2026, 9, 30, 23, 30)
    work_through(demo, ids["G"], (2026, 9, 30, 15, 10), (2026, 9, 30, 15, 20), night)
    survey(demo, ids["A"], "satisfied")
    survey(demo, ids["B"])
    survey(demo, ids["G"], "unsatisfied")
    return ids


def values(app, period, **filters):
    with app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "chalco"))
        scope = Scope.of(tenant, periods.parse(period), **filters)
        return {
            reading.code: (reading.value, reading.numerator, reading.denominator)
            for reading in indicators.read_all(scope)
            if reading.definition.service_code is None
        }


def test_the_fourth_quarter(book, demo):
    found = values(demo, "2026-Q4")
    assert found["requests_received"][0] == 4  # B, C, D, E
    assert found["requests_concluded"][0] == 2  # A, B
    assert found["requests_returned_for_requirements"][0] == 2  # B (twice, once), C
    assert found["requests_in_progress"][0] == 1  # E
    assert found["units_served"][0] == 2
    assert found["sla_compliance"] == (50.0, 1, 2)  # B met, A missed
    assert found["median_business_time_to_conclude"][0] == 13.0  # (21 + 5) / 2
    assert found["p90_business_time_to_conclude"][0] == 19.4  # 5 + 0.9 × 16
    assert found["satisfaction_satisfied"] == (100.0, 1, 1)
    assert found["satisfaction_regular"] == (0.0, 0, 1)
    assert found["survey_response_rate"] == (50.0, 1, 2)


def test_the_third_quarter_keeps_what_closed_on_its_last_local_night(book, demo):
    found = values(demo, "2026-Q3")
    assert found["requests_received"][0] == 2  # A, G
    assert found["requests_concluded"][0] == 1  # G
    assert found["requests_in_progress"][0] == 1  # A, concluded in October
    assert found["sla_compliance"] == (100.0, 1, 1)
    assert found["median_business_time_to_conclude"][0] == 1.0
    assert found["satisfaction_unsatisfied"] == (100.0, 1, 1)


def test_a_request_filed_on_new_years_eve_counts_when_it_is_received(book, demo):
    assert values(demo, "2027-01")["requests_received"][0] == 1  # F
    assert values(demo, "2026-12")["requests_received"][0] == 1  # E only


def test_yearly_and_monthly_figures(book, demo):
    year = values(demo, "2026")
    assert year["tickets_per_year"][0] == 6
    assert year["services_per_year"][0] == 3
    october = values(demo, "2026-10")
    assert october["requests_received"][0] == 3
    assert october["requests_concluded"][0] == 2
    custom = values(demo, "2026-10-01..2026-10-07")
    assert custom["requests_received"][0] == 1  # B
    # The "per year" figures show the year so far, whatever the period.
    assert (october["tickets_per_year"][0], october["services_per_year"][0]) == (5, 3)  # A G B C D
    assert (values(demo, "2026-Q3")["tickets_per_year"][0]) == 2  # A, G
    assert custom["tickets_per_year"][0] == 3  # A, G, B
    assert values(demo, "2027-01")["tickets_per_year"][0] == 1  # F, not last year's


def test_a_unit_narrows_every_figure(book, demo):
    found = values(demo, "2026-Q4", unit_id=second_unit(demo))
    assert found["requests_received"][0] == 1
    assert found["requests_concluded"][0] == 1
    assert found["sla_compliance"] == (100.0, 1, 1)


def test_other_tenants_see_nothing_and_all_tenants_see_all(book, demo):
    with demo.app_context():
        sinaloa = db.session.scalar(select(Tenant).where(Tenant.slug == "sinaloa"))
        q4 = periods.parse("2026-Q4")
        received = indicators.definition("requests_received")
        assert indicators.read(received, Scope.of(sinaloa, q4)).value == 0
        assert indicators.read(received, Scope.of(None, q4)).value == 4


def test_each_measure_on_its_own(book, demo):
    with demo.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "chalco"))
        scope = Scope.of(tenant, periods.parse("2026-Q4"))

        def value(measure):
            return indicators.evaluate(measure, scope)

        assert value(measures.Closed(measures.REJECTED))[0] == 1
        assert value(measures.Closed(measures.WITHDRAWN))[0] == 1
        assert value(measures.Stepped(states=("concluded",)))[0] == 2
        assert value(measures.Stepped(steps=("request_completion",)))[0] == 1
        assert value(measures.UnitsServed())[0] == 2  # received: the requester's and B's
        # First answers in Q4: B after 1 h, C after 2 h, D after 1 h (A's was in September).
        assert value(measures.ResponseTime())[0] == 1.0
        assert value(measures.Ratio(measures.Closed(), measures.Received())) == (50.0, 2, 4)
        assert value(measures.Ratio(measures.Closed(), measures.Stepped(steps=("x",)))) == (
            None,
            2,
            0,
        )
        assert value(measures.Satisfaction("satisfied", base=measures.CONCLUDED)) == (50.0, 1, 2)
        assert value(measures.Custom(lambda found: 7 if found is scope else 0))[0] == 7.0


def test_the_worked_time_is_stored_at_closing_and_cleared_while_open(book, demo):
    with demo.app_context():
        rows = {key: db.session.get(Ticket, ticket_id) for key, ticket_id in book.items()}
        assert rows["A"].work_seconds == 21 * 3600 and rows["A"].outcome == "concluded"
        assert rows["B"].work_seconds == 5 * 3600
        assert rows["C"].work_seconds == 2 * 3600 and rows["C"].outcome == "rejected"
        assert rows["D"].outcome == "withdrawn"
        assert rows["E"].work_seconds is None and rows["E"].outcome is None


def test_trend_month_by_month(book, demo):
    with demo.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "chalco"))
        scope = Scope.of(tenant, periods.parse("2026-Q4"))
        series = indicators.trend(indicators.definition("requests_received"), scope, months=4)
        assert [(month.key, reading.value) for month, reading in series] == [
            ("2026-09", 2),
            ("2026-10", 3),
            ("2026-11", 0),
            ("2026-12", 1),
        ]


def test_a_service_indicator_outside_its_service_is_refused(demo):
    with demo.app_context():
        found = next(d for d in indicators.all_definitions().values() if d.service_code)
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "chalco"))
        scope = Scope.of(tenant, periods.parse("2026"), service_code="NOT-" + found.service_code)
        with pytest.raises(indicators.IndicatorError):
            indicators.read(found, scope)
        with pytest.raises(indicators.IndicatorError, match="No existe el indicador"):
            indicators.definition("nope")


def test_the_scope_lists_general_indicators_and_those_of_offered_services(demo):
    with demo.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "chalco"))
        scope = Scope.of(tenant, periods.parse("2026"), service_code="PSDT-05")
        codes = {d.code for d in indicators.definitions_for(scope)}
        assert "requests_received" in codes and "psdt05_services_published" in codes
        assert not any(code.startswith("p09_") for code in codes)


def test_tickets_a_service_opens_for_itself_are_not_requests(book, demo):
    from helpdesk import tickets as ticket_rules
    from helpdesk.models import User as Person

    with demo.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "chalco"))
        with scoped_to(tenant), at(2026, 10, 20, 10, 0):
            source = db.session.get(Ticket, book["A"])
            actor = db.session.scalar(select(Person).where(Person.email == COORD))
            internal = ticket_rules.open_linked(source, "GCH-CCS-P10-DTI", actor, {})
            db.session.commit()
            assert internal.service_code in indicators.internal_services()
    assert values(demo, "2026-Q4")["requests_received"][0] == 4  # as before
    with demo.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "chalco"))
        scope = Scope.of(tenant, periods.parse("2026-Q4"), service_code="GCH-CCS-P10-DTI")
        assert indicators.read(indicators.definition("requests_received"), scope).value == 1


def test_the_daily_tally_the_figures_read_matches_a_fresh_count(book, demo):

    with demo.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "chalco"))
        assert tallies.drift(tenant.id) == []
        assert tallies.ticket_count() == len(book)


@pytest.mark.parametrize("period", ["2026-Q3", "2026-Q4", "2026-10", "2026-12", "2026", "2027"])
def test_steps_of_whole_periods_come_from_the_step_counts_and_agree_with_the_events(
    book, demo, period
):
    from helpdesk import tally_rules
    from helpdesk.models import StepTally

    other_unit = second_unit(demo)
    with demo.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "chalco"))
        whole = periods.parse(period)
        # The same days as a custom range, which the events answer.
        same_days = periods.custom(whole.start, whole.last_day)
        declared = tallies.tallied_steps()
        assert "reject/needs_completion" in declared
        for key in declared:
            steps, states = tally_rules.step_names(key)
            measure = measures.Stepped(tuple(sorted(steps)), tuple(sorted(states)))
            for filters in ({}, {"unit_id": other_unit}, {"service_code": P09}):
                counted = indicators.evaluate(measure, Scope.of(tenant, whole, **filters))
                from_events = indicators.evaluate(measure, Scope.of(tenant, same_days, **filters))
                assert counted == from_events, (key, filters)
        returns = db.session.scalars(
            select(StepTally.tickets)
            .where(StepTally.measure == "reject/needs_completion", StepTally.period == "2026-Q4")
            .execution_options(all_tenants=True)
        )
        assert sum(returns) == 2  # B (twice, once) and C
