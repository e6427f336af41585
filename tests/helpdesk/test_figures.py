"""Figures recorded by hand per month, and the indicators computed from them (PSDT-06)."""

from datetime import date

import pytest
from sqlalchemy import select

from helpdesk import figures
from helpdesk import indicators
from helpdesk import measures
from helpdesk import periods
from helpdesk import plugins
from helpdesk import service_settings
from helpdesk.catalog import IndicatorDefinition
from helpdesk.extensions import db
from helpdesk.indicators import Scope
from helpdesk.models import RecordedFigure
from helpdesk.models import Tenant
from helpdesk.models import User

NEW, CURRENT = "psdt06_new_followers", "psdt06_current_followers"


@pytest.fixture
def sinaloa(demo):
    """Sinaloa offers PSDT-06 (its own procedure)."""
    with demo.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "sinaloa"))
        rows = service_settings.ensure_rows(tenant, plugins.host().catalog)
        rows["PSDT-06"].enabled = True
        db.session.commit()
    return demo


def record(app, month, values, slug="sinaloa"):
    with app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
        user = db.session.scalar(select(User).where(User.tenant_id == tenant.id))
        return figures.record(tenant, month, values, user, note="Facebook Statistics")


def follower_increase(app, period, slug="sinaloa"):
    with app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug)) if slug else None
        reading = indicators.read(
            indicators.definition("psdt06_follower_increase"),
            Scope.of(tenant, periods.parse(period)),
        )
        return reading.value, reading.numerator, reading.denominator


def test_the_tenant_records_the_figures_of_the_services_it_offers(sinaloa):
    with sinaloa.app_context():
        sinaloa_row = db.session.scalar(select(Tenant).where(Tenant.slug == "sinaloa"))
        chalco_row = db.session.scalar(select(Tenant).where(Tenant.slug == "chalco"))
        assert [f.figure for f in figures.figures_of(sinaloa_row)] == [NEW, CURRENT]
        assert figures.figures_of(chalco_row) == []


def test_quarterly_increase_sums_new_followers_over_the_last_current_count(sinaloa):
    assert record(sinaloa, date(2026, 10, 1), {NEW: 120, CURRENT: 4000}) == 2
    record(sinaloa, date(2026, 11, 1), {NEW: 80, CURRENT: 4080})
    record(sinaloa, date(2026, 12, 1), {NEW: 100, CURRENT: 5000})
    record(sinaloa, date(2027, 1, 1), {NEW: 999, CURRENT: 9999})
    # (120 + 80 + 100) / 5000 × 100
    assert follower_increase(sinaloa, "2026-Q4") == (6.0, 300, 5000)
    assert follower_increase(sinaloa, "2026-11") == (1.96, 80, 4080)
    # The last month recorded in the period, even when a later one is missing.
    record(sinaloa, date(2026, 12, 1), {NEW: None, CURRENT: None})
    assert follower_increase(sinaloa, "2026-Q4") == (4.9, 200, 4080)


def test_no_month_recorded_means_no_value_not_zero(sinaloa):
    assert follower_increase(sinaloa, "2026-Q3") == (None, None, None)


def test_all_tenants_add_each_tenants_last_month(sinaloa):
    record(sinaloa, date(2026, 10, 1), {NEW: 10, CURRENT: 100})
    record(sinaloa, date(2026, 11, 1), {NEW: 10, CURRENT: 200})
    with sinaloa.app_context():
        chalco = db.session.scalar(select(Tenant).where(Tenant.slug == "chalco"))
        db.session.add(
            RecordedFigure(
                tenant_id=chalco.id,
                figure=CURRENT,
                month=date(2026, 10, 1),
                value=300,
                recorded_at=db.func.now(),
            )
        )
        db.session.commit()
    assert follower_increase(sinaloa, "2026-Q4", slug=None) == (4.0, 20, 500)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({NEW: -1}, "mayor o igual que cero"),
        ({NEW: float("nan")}, "mayor o igual que cero"),
        ({NEW: float("inf")}, "mayor o igual que cero"),
        ({CURRENT: 1e13}, "demasiado grande"),
        ({"psdt99_other": 1}, "Cifras desconocidas"),
    ],
)
def test_a_wrong_value_records_nothing(sinaloa, values, message):
    with pytest.raises(figures.FigureError, match=message):
        record(sinaloa, date(2026, 10, 1), {NEW: 5, **values})
    with sinaloa.app_context():
        assert db.session.scalars(select(RecordedFigure)).all() == []


def test_months_only(sinaloa):
    with pytest.raises(figures.FigureError, match="por mes"):
        record(sinaloa, date(2026, 10, 2), {NEW: 5})


def test_recorded_figures_are_found_inside_ratios():
    found = indicators.recorded_figures(
        [
            IndicatorDefinition(
                code="x",
                name="x",
                formula="x",
                unit="%",
                periodicity="mensual",
                responsible="x",
                measure=measures.Ratio(
                    measures.Recorded("a", "A"),
                    measures.Ratio(measures.Received(), measures.Recorded("a", "A")),
                ),
            )
        ]
    )
    assert [f.figure for f in found] == ["a"]
    with pytest.raises(ValueError, match="sum' or 'last"):
        measures.Recorded("a", "A", aggregate="mean")
