"""Breakdowns and series of the dashboards (helpdesk/workload.py), on a known set of tickets.

The tickets are described in tests/helpdesk/dashboards_support.py.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event

from helpdesk import indicators
from helpdesk import periods
from helpdesk import workload
from helpdesk.extensions import db
from helpdesk.indicators import Scope
from helpdesk.models import Department
from helpdesk.models import Unit
from helpdesk.tenancy import scoped_to
from tests.helpdesk.dashboards_support import AGENT_NAME
from tests.helpdesk.dashboards_support import DCII
from tests.helpdesk.dashboards_support import DGD
from tests.helpdesk.dashboards_support import SERVICE
from tests.helpdesk.dashboards_support import U2
from tests.helpdesk.dashboards_support import UNIT
from tests.helpdesk.dashboards_support import build
from tests.helpdesk.dashboards_support import ident
from tests.helpdesk.dashboards_support import tenant_of

Q3 = periods.parse("2026-Q3")


@pytest.fixture
def tickets(demo):
    return build(demo)


def chalco_scope(period=Q3, **filters):
    return Scope.of(tenant_of("chalco"), period, **filters)


def rows(loads):
    """{label: (received, concluded, open, met, counted, compliance)}"""
    return {
        row.label: (
            row.received,
            row.concluded,
            row.open_at_end,
            row.sla_met,
            row.sla_total,
            row.sla_compliance,
        )
        for row in loads
    }


def test_by_department(demo, tickets):
    with demo.app_context(), scoped_to(tenant_of("chalco")):
        found = workload.breakdown(chalco_scope(), workload.DEPARTMENT)
    assert rows(found) == {DGD: (5, 3, 1, 3, 3, 100.0), DCII: (1, 1, 0, 0, 1, 0.0)}
    # Busiest first.
    assert [row.label for row in found] == [DGD, DCII]


def test_by_agent_puts_the_unassigned_last(demo, tickets):
    with demo.app_context(), scoped_to(tenant_of("chalco")):
        found = workload.breakdown(chalco_scope(), workload.AGENT)
    assert rows(found) == {AGENT_NAME: (3, 2, 1, 2, 2, 100.0), None: (3, 2, 0, 1, 2, 50.0)}
    assert found[-1].key is None


def test_by_unit_and_by_service(demo, tickets):
    with demo.app_context(), scoped_to(tenant_of("chalco")):
        units = workload.breakdown(chalco_scope(), workload.UNIT)
        services = workload.breakdown(chalco_scope(), workload.SERVICE)
    assert rows(units) == {UNIT: (5, 3, 1, 2, 3, 66.67), U2: (1, 1, 0, 1, 1, 100.0)}
    assert [(row.key, row.label) for row in services] == [(SERVICE, "Préstamo de proyector")]
    assert rows(services)["Préstamo de proyector"] == (6, 4, 1, 3, 4, 75.0)


def test_breakdowns_add_up_to_the_indicators(demo, tickets):
    with demo.app_context(), scoped_to(tenant_of("chalco")):
        scope = chalco_scope()
        values = {
            code: indicators.read(indicators.definition(code), scope).value
            for code in ("requests_received", "requests_concluded", "requests_in_progress")
        }
        for dimension in (workload.DEPARTMENT, workload.AGENT, workload.UNIT, workload.SERVICE):
            found = workload.breakdown(scope, dimension)
            assert sum(r.received for r in found) == values["requests_received"] == 6
            assert sum(r.concluded for r in found) == values["requests_concluded"] == 4
            assert sum(r.open_at_end for r in found) == values["requests_in_progress"] == 1
            assert sum(r.sla_met for r in found) == 3
            assert sum(r.sla_total for r in found) == 4


def test_filters_narrow_the_breakdown(demo, tickets):
    with demo.app_context(), scoped_to(tenant_of("chalco")):
        dcii = ident(Department, "chalco", code="DCII")
        u2 = ident(Unit, "chalco", name=U2)
        by_dept = workload.breakdown(chalco_scope(department_id=dcii), workload.AGENT)
        by_unit = workload.breakdown(chalco_scope(unit_id=u2), workload.DEPARTMENT)
    assert rows(by_dept) == {None: (1, 1, 0, 0, 1, 0.0)}
    assert rows(by_unit) == {DGD: (1, 1, 0, 1, 1, 100.0)}


def test_previous_quarter(demo, tickets):
    with demo.app_context(), scoped_to(tenant_of("chalco")):
        found = workload.breakdown(chalco_scope(periods.parse("2026-Q2")), workload.DEPARTMENT)
    assert rows(found) == {DGD: (1, 1, 0, 1, 1, 100.0)}


def test_across_tenants_names_carry_their_tenant(demo, tickets):
    with demo.app_context():
        found = workload.breakdown(Scope.of(None, Q3), workload.DEPARTMENT)
    assert rows(found) == {
        f"{DGD} (Gobierno de Chalco)": (5, 3, 1, 3, 3, 100.0),
        f"{DCII} (Gobierno de Chalco)": (1, 1, 0, 0, 1, 0.0),
        # Sinaloa has no DGD: its SAMPLE-01 ticket has no department.
        None: (1, 0, 1, 0, 0, None),
    }


def test_tenant_comparison_lists_every_tenant_with_satisfaction(demo, tickets):
    with demo.app_context():
        found = workload.tenants(Scope.of(None, Q3))
    table = {
        row.label: (
            row.received,
            row.concluded,
            row.open_at_end,
            row.sla_compliance,
            row.satisfaction,
            row.answered,
        )
        for row in found
    }
    assert table == {
        "Gobierno de Chalco": (6, 4, 1, 75.0, 66.67, 3),
        "Gobierno del Estado de Sinaloa": (1, 0, 1, None, None, 0),
        "Gobierno del Estado de México": (0, 0, 0, None, None, 0),
    }


def test_monthly_series(demo, tickets):
    months = periods.trailing_months(Q3, 12)
    with demo.app_context(), scoped_to(tenant_of("chalco")):
        found = workload.series(chalco_scope(), months)
    assert [f.period for f in found] == months
    table = {
        f.period.key: (f.received, f.concluded, f.sla_compliance, f.level("satisfied"), f.sent)
        for f in found
        if f.received or f.concluded
    }
    assert table == {
        "2026-05": (1, 1, 100.0, 0.0, 1),
        "2026-07": (2, 1, 100.0, 100.0, 1),
        "2026-08": (1, 1, 0.0, 0.0, 1),
        "2026-09": (3, 2, 100.0, 100.0, 2),
    }
    assert found[0].period.key == "2025-10"
    assert (found[0].received, found[0].sla_compliance, found[0].level("regular")) == (
        0,
        None,
        None,
    )


def test_series_agrees_with_the_indicators_month_by_month(demo, tickets):
    codes = {
        "requests_received": lambda f: f.received,
        "requests_concluded": lambda f: f.concluded,
        "units_served": lambda f: f.units_served,
        "sla_compliance": lambda f: f.sla_compliance,
        "satisfaction_satisfied": lambda f: f.level("satisfied"),
        "satisfaction_regular": lambda f: f.level("regular"),
        "satisfaction_unsatisfied": lambda f: f.level("unsatisfied"),
        "survey_response_rate": lambda f: f.response_rate,
    }
    with demo.app_context(), scoped_to(tenant_of("chalco")):
        scope = chalco_scope(periods.parse("2026"))
        found = workload.series(scope, periods.months_in(scope.period))
        for figures in found:
            for code, pick in codes.items():
                reading = indicators.read(
                    indicators.definition(code), scope.with_period(figures.period)
                )
                expected = pick(figures)
                assert reading.value == (None if expected is None else float(expected)), (
                    code,
                    figures.period.key,
                )


def test_yearly_series_is_the_cau_table(demo, tickets):
    years = [periods.year(n) for n in (2024, 2025, 2026)]
    with demo.app_context(), scoped_to(tenant_of("chalco")):
        found = workload.series(chalco_scope(), years)
    table = [
        (
            f.period.key,
            f.concluded,
            f.received,
            f.units_served,
            f.level("satisfied"),
            f.level("regular"),
            f.level("unsatisfied"),
        )
        for f in found
    ]
    assert table == [
        ("2024", 0, 0, 0, None, None, None),
        ("2025", 0, 0, 0, None, None, None),
        ("2026", 5, 7, 2, 50.0, 25.0, 25.0),
    ]


def test_a_series_costs_three_queries_whatever_its_length(demo, tickets):
    def queries(buckets):
        count = 0

        def counter(*args):
            nonlocal count
            count += 1

        with demo.app_context(), scoped_to(tenant_of("chalco")):
            event.listen(db.engine, "before_cursor_execute", counter)
            try:
                workload.series(chalco_scope(), buckets)
            finally:
                event.remove(db.engine, "before_cursor_execute", counter)
        return count

    # The first query of an app context also loads the tenant: count both lengths alike.
    assert queries(periods.trailing_months(Q3, 3)) == queries(periods.trailing_months(Q3, 24))
    assert queries([]) < queries([Q3])


def test_empty_inputs(demo):
    with demo.app_context(), scoped_to(tenant_of("chalco")):
        assert workload.series(chalco_scope(), []) == []
        assert workload.breakdown(chalco_scope(), workload.AGENT) == []
        assert [f.received for f in workload.series(chalco_scope(), [Q3])] == [0]


def test_percent_rounds_like_the_engine():
    assert workload.percent(2, 3) == 66.67
    assert workload.percent(0, 0) is None
    assert workload.Load(key=None, label=None).sla_compliance is None
