"""The daily tally follows every change of a ticket, in its own transaction."""

from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
import time_machine
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update

from helpdesk import indicators
from helpdesk import periods
from helpdesk import surveys
from helpdesk import tallies
from helpdesk.extensions import db
from helpdesk.models import DailyTally
from helpdesk.models import Department
from helpdesk.models import MonthlyTally
from helpdesk.models import StepTally
from helpdesk.models import Survey
from helpdesk.models import TalliedMeasure
from helpdesk.models import TallyMark
from helpdesk.models import Tenant
from helpdesk.models import Ticket
from helpdesk.models.tallies import MONTHLY
from helpdesk.tenancy import scoped_to
from helpdesk.workflow.engine import StaleTicketError
from tests.helpdesk.test_sla import COORD
from tests.helpdesk.test_sla import P09_DATA
from tests.helpdesk.test_sla import file
from tests.helpdesk.test_sla import move
from tests.helpdesk.views.test_admin_calendar import settings_form

P09 = "GCH-CCS-P09"
AGENT = "tecnico@chalco.example"
# Monday 5 October 2026, 10:00 in Mexico City.
MONDAY = datetime(2026, 10, 5, 16, 0, tzinfo=UTC)


def chalco():
    return db.session.scalar(select(Tenant).where(Tenant.slug == "chalco"))


def rows(app, model=DailyTally, **where):
    """The tally's non-empty rows of Chalco: {(day, department): {counter: n}};
    the monthly tally's with ``model=MonthlyTally`` (each month on its first day);
    the rows of each technician of a day and department added up."""
    with app.app_context():
        statement = select(model).where(model.tenant_id == chalco().id)
        for name, value in where.items():
            statement = statement.where(getattr(model, name) == value)
        found = {}
        for row in db.session.scalars(statement.execution_options(all_tenants=True)):
            counts = {name: getattr(row, name) for name in tallies.COUNTERS}
            counts = {name: value for name, value in counts.items() if value}
            if counts:
                kept = found.setdefault((row.day, row.department_id), {})
                for name, value in counts.items():
                    kept[name] = kept.get(name, 0) + value
        return found


def no_drift(app):
    with app.app_context():
        return tallies.drift(chalco().id)


def department(app, code):
    with app.app_context():
        return db.session.scalar(select(Department.id).where(Department.code == code))


@pytest.fixture
def filed(demo, make_ticket):
    with time_machine.travel(MONDAY, tick=False):
        return make_ticket(P09, data=P09_DATA)


def test_filing_counts_the_request_on_its_day(demo, filed):
    # P09 is handled by DGD from the start.
    assert rows(demo) == {(date(2026, 10, 5), department(demo, "DGD")): {"received": 1}}
    with demo.app_context():
        assert tallies.ticket_count() == 1
    assert no_drift(demo) == []


def test_turning_moves_the_request_to_its_department_and_concluding_counts_it(demo, filed):
    dgd = department(demo, "DGD")
    with demo.app_context():
        ticket = db.session.get(Ticket, filed)
        ticket.department_id = department(demo, "DCII")
        db.session.commit()
    assert rows(demo) == {(date(2026, 10, 5), department(demo, "DCII")): {"received": 1}}
    with time_machine.travel(datetime(2026, 10, 6, 16, 0, tzinfo=UTC), tick=False):
        move(demo, filed, "turn", COORD, fields={"department_id": dgd})
    assert rows(demo) == {(date(2026, 10, 5), dgd): {"received": 1}}
    with time_machine.travel(datetime(2026, 10, 7, 16, 0, tzinfo=UTC), tick=False):
        move(demo, filed, "start", AGENT)
        move(demo, filed, "conclude", AGENT, fields={"text": "Listo"})
    found = rows(demo)
    assert found[(date(2026, 10, 5), dgd)] == {"received": 1}
    closing = found[(date(2026, 10, 7), dgd)]
    assert closing["concluded"] == closing["settled"] == closing["sla_total"] == 1
    # Concluding sends the survey: counted as sent, not answered.
    assert closing["surveys_sent"] == 1 and "surveys_answered" not in closing
    assert no_drift(demo) == []


def test_an_answer_by_its_link_is_counted(demo, filed):
    with time_machine.travel(datetime(2026, 10, 7, 16, 0, tzinfo=UTC), tick=False):
        move(demo, filed, "turn", COORD, fields={"department_id": department(demo, "DGD")})
        move(demo, filed, "start", AGENT)
        move(demo, filed, "conclude", AGENT, fields={"text": "Listo"})
    with demo.app_context():
        survey = db.session.scalar(select(Survey).where(Survey.ticket_id == filed))
        with scoped_to(chalco()):
            surveys.answer(
                survey,
                rating="unsatisfied",
                comment="Tardaron",
                now=datetime(2026, 10, 8, tzinfo=UTC),
            )
    closing = rows(demo, day=date(2026, 10, 7))
    (counts,) = closing.values()
    assert counts["surveys_answered"] == counts["unsatisfied"] == 1
    assert no_drift(demo) == []


def test_reopening_takes_the_conclusion_out(demo, make_ticket):
    with time_machine.travel(MONDAY, tick=False):
        ticket = make_ticket(P09, data=P09_DATA)
        move(demo, ticket, "reject", COORD, reason="No es del Ayuntamiento")
    dgd = department(demo, "DGD")
    assert rows(demo)[(date(2026, 10, 5), dgd)] == {"received": 1, "rejected": 1, "settled": 1}
    with demo.app_context():
        # A closing undone by hand (an upgrade's repair, say) is noticed like any change.
        row = db.session.get(Ticket, ticket)
        row.closed_at, row.outcome = None, None
        db.session.commit()
    assert rows(demo) == {(date(2026, 10, 5), dgd): {"received": 1}}
    assert no_drift(demo) == []


def test_a_step_that_fails_leaves_the_tally_as_it_was(demo, filed):
    before = rows(demo)
    with pytest.raises(StaleTicketError):
        move(demo, filed, "reject", COORD, reason="Tarde", expected_version=99)
    assert rows(demo) == before
    with demo.app_context():
        ticket = db.session.get(Ticket, filed)
        ticket.outcome, ticket.closed_at = "rejected", MONDAY
        db.session.flush()
        db.session.rollback()
        assert tallies.NOTICED not in db.session.info
    assert rows(demo) == before
    assert no_drift(demo) == []


def test_a_bulk_load_is_counted_by_init_db(demo, filed):
    with demo.app_context():
        tenant = chalco()
        ticket = db.session.get(Ticket, filed)
        db.session.execute(
            insert(Ticket),
            [
                {
                    "tenant_id": tenant.id,
                    "folio": f"IMPORT-{n}",
                    "service_code": P09,
                    "state": "received",
                    "requester_id": ticket.requester_id,
                    "filed_by_id": ticket.requester_id,
                    "data": {},
                    "received_at": MONDAY,
                    "version": 1,
                }
                for n in range(3)
            ],
        )
        db.session.commit()
        assert tallies.drift(tenant.id) != []
    checked = demo.test_cli_runner().invoke(args=["tally", "--tenant", "chalco"])
    assert checked.exit_code == 1
    assert "2026-10-05|GCH-CCS-P09|0|0|0: stored nothing, counted received 3" in checked.output
    with demo.app_context():
        # What init-db runs after upgrading.
        assert tallies.count_missing() == 3
        db.session.commit()
        assert tallies.count_missing() == 0
    assert rows(demo)[(date(2026, 10, 5), 0)] == {"received": 3}
    assert no_drift(demo) == []
    checked = demo.test_cli_runner().invoke(args=["tally", "--tenant", "chalco"])
    assert checked.exit_code == 0, checked.output
    assert "coinciden" in checked.output


def test_the_tally_command_rebuilds(demo, filed):
    with demo.app_context():
        db.session.execute(delete(DailyTally))
        db.session.commit()
    assert rows(demo) == {}
    result = demo.test_cli_runner().invoke(args=["tally", "--tenant", "chalco", "--rebuild"])
    assert result.exit_code == 0, result.output
    assert "1 solicitudes" in result.output
    assert rows(demo) == {(date(2026, 10, 5), department(demo, "DGD")): {"received": 1}}
    wrong = demo.test_cli_runner().invoke(args=["tally", "--tenant", "nadie"])
    assert wrong.exit_code == 2 and "no existe el gobierno" in wrong.output


def test_rebuild_gives_what_the_steps_kept(demo, filed):
    with time_machine.travel(datetime(2026, 10, 7, 16, 0, tzinfo=UTC), tick=False):
        move(demo, filed, "turn", COORD, fields={"department_id": department(demo, "DGD")})
        move(demo, filed, "start", AGENT)
        move(demo, filed, "conclude", AGENT, fields={"text": "Listo"})
    kept = rows(demo)
    with demo.app_context():
        assert tallies.rebuild(chalco().id) == 1
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(TallyMark)) == 1
    assert rows(demo) == kept


def test_a_change_of_time_zone_moves_the_days(demo, login_as):
    # Filed on Monday 5 October at 15:30 in Mexico City: 5:30 on the 6th in Manila.
    browser = login_as("tenant_admin")
    file(demo, P09, P09_DATA, now=datetime(2026, 10, 5, 21, 30, tzinfo=UTC))
    dgd = department(demo, "DGD")
    assert set(rows(demo)) == {(date(2026, 10, 5), dgd)}
    response = browser.post("/chalco/admin/calendar", settings_form("Asia/Manila"))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert set(rows(demo)) == {(date(2026, 10, 6), dgd)}
    assert no_drift(demo) == []


def step_counts(app, measure):
    """Chalco's non-empty step counts of one measure: {(period, department): tickets}."""
    with app.app_context():
        found = db.session.execute(
            select(StepTally.period, StepTally.department_id, StepTally.tickets)
            .where(StepTally.tenant_id == chalco().id, StepTally.measure == measure)
            .execution_options(all_tenants=True)
        )
        return {(period, dept): tickets for period, dept, tickets in found if tickets}


RETURNS = "reject/needs_completion"


def test_a_return_is_counted_once_per_period_and_moves_with_the_department(demo, filed):
    dgd = department(demo, "DGD")
    with time_machine.travel(MONDAY, tick=False):
        move(demo, filed, "request_completion", COORD, reason="Falta oficio")
    counted = {("2026-10", dgd): 1, ("2026-Q4", dgd): 1, ("2026", dgd): 1}
    assert step_counts(demo, RETURNS) == counted
    with time_machine.travel(datetime(2026, 10, 6, 16, 0, tzinfo=UTC), tick=False):
        move(demo, filed, "resubmit", "solicitante@chalco.example", fields={"data": P09_DATA})
        move(demo, filed, "request_completion", COORD, reason="Falta firma")
    assert step_counts(demo, RETURNS) == counted  # the same ticket, the same periods
    with demo.app_context():
        other = db.session.scalar(select(Department.id).where(Department.id != dgd))
        db.session.get(Ticket, filed).department_id = other
        db.session.commit()
    assert step_counts(demo, RETURNS) == {(p, other): 1 for p in ("2026-10", "2026-Q4", "2026")}
    assert no_drift(demo) == []


def test_a_step_measure_declared_later_is_counted_by_init_db(demo, filed):
    with time_machine.travel(MONDAY, tick=False):
        move(demo, filed, "request_completion", COORD, reason="Falta oficio")
    with demo.app_context():
        # As if the plugin that declares the measure were installed only now.
        db.session.execute(delete(TalliedMeasure).where(TalliedMeasure.measure == RETURNS))
        db.session.execute(delete(StepTally).where(StepTally.measure == RETURNS))
        for mark in db.session.scalars(select(TallyMark)):
            mark.stepped = [kept for kept in mark.stepped if not kept.startswith(RETURNS + "|")]
        db.session.commit()
        assert RETURNS not in tallies.tallied_steps()
    assert step_counts(demo, RETURNS) == {}
    # Until init-db runs, the indicator reads the events and is still right.
    with demo.app_context():
        scope = indicators.Scope.of(chalco(), periods.parse("2026-Q4"))
        returned = indicators.definition("requests_returned_for_requirements")
        assert indicators.read(returned, scope).value == 1
        assert tallies.count_missing() == 1
        db.session.commit()
        assert RETURNS in tallies.tallied_steps()
        assert tallies.count_missing() == 0
        assert indicators.read(returned, scope).value == 1
    assert len(step_counts(demo, RETURNS)) == 3
    assert no_drift(demo) == []


def test_drift_names_a_wrong_step_count(demo, filed):
    with time_machine.travel(MONDAY, tick=False):
        move(demo, filed, "request_completion", COORD, reason="Falta oficio")
    with demo.app_context():
        db.session.execute(
            update(StepTally)
            .where(StepTally.measure == RETURNS, StepTally.period == "2026-Q4")
            .values(tickets=5)
        )
        db.session.commit()
    dgd = department(demo, "DGD")
    with demo.app_context():
        unit = db.session.get(Ticket, filed).unit_id
    assert no_drift(demo) == [
        f"stepped|{RETURNS}|2026-Q4|{P09}|{unit}|{dgd}: stored tickets 5, counted tickets 1"
    ]
    with demo.app_context():
        tallies.rebuild(chalco().id)
        db.session.commit()
    assert no_drift(demo) == []


def test_the_monthly_tally_adds_up_the_days_of_each_month(demo, filed):
    dgd = department(demo, "DGD")
    with time_machine.travel(datetime(2026, 11, 3, 16, 0, tzinfo=UTC), tick=False):
        move(demo, filed, "turn", COORD, fields={"department_id": dgd})
        move(demo, filed, "start", AGENT)
        move(demo, filed, "conclude", AGENT, fields={"text": "Listo"})
    with time_machine.travel(datetime(2026, 10, 20, 16, 0, tzinfo=UTC), tick=False):
        file(demo, P09, P09_DATA, now=datetime(2026, 10, 20, 16, 0, tzinfo=UTC))
    found = rows(demo, MonthlyTally)
    assert found[(date(2026, 10, 1), dgd)] == {"received": 2}
    assert found[(date(2026, 11, 1), dgd)]["concluded"] == 1
    assert no_drift(demo) == []
    with demo.app_context():
        db.session.execute(update(MonthlyTally).values(received=MonthlyTally.received + 7))
        db.session.commit()
    # October's two requests are in two rows: the one started (and so claimed)
    # by the technician, and the one nobody attends yet.
    drifts = no_drift(demo)
    assert sum("stored received 8, counted received 1" in line for line in drifts) == 2, drifts


def test_whole_months_read_the_monthly_tally_and_other_ranges_the_days(demo, filed):
    with demo.app_context():
        db.session.execute(update(MonthlyTally).values(received=40))
        db.session.commit()
        received = indicators.definition("requests_received")
        october = periods.parse("2026-10")
        whole = indicators.Scope.of(chalco(), october)
        # A custom range reads the monthly tally's whole months, the days of the rest.
        same_days = indicators.Scope.of(chalco(), periods.custom(october.start, october.last_day))
        days = indicators.Scope.of(chalco(), periods.custom(october.start, date(2026, 10, 30)))
        assert indicators.read(received, whole).value == 40
        assert indicators.read(received, same_days).value == 40
        assert indicators.read(received, days).value == 1
        # Before init-db has filled it, the monthly tally is not read.
        db.session.execute(delete(TalliedMeasure).where(TalliedMeasure.measure == MONTHLY))
        assert indicators.read(received, whole).value == 1


def test_init_db_fills_the_monthly_tally_from_the_days(demo, filed):
    with time_machine.travel(datetime(2026, 10, 7, 16, 0, tzinfo=UTC), tick=False):
        move(demo, filed, "turn", COORD, fields={"department_id": department(demo, "DGD")})
        move(demo, filed, "start", AGENT)
        move(demo, filed, "conclude", AGENT, fields={"text": "Listo"})
    kept = rows(demo, MonthlyTally)
    with demo.app_context():
        # As right after the upgrade that added it: empty and not listed.
        db.session.execute(delete(MonthlyTally))
        db.session.execute(delete(TalliedMeasure).where(TalliedMeasure.measure == MONTHLY))
        db.session.commit()
        # What init-db runs after upgrading: no ticket is missing, the months are filled.
        assert tallies.count_missing() == 0
        db.session.commit()
        assert db.session.get(TalliedMeasure, MONTHLY) is not None
    assert rows(demo, MonthlyTally) == kept
    assert no_drift(demo) == []
