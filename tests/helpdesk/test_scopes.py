"""A custom range of days reads the monthly tally's whole months and the daily
tally's other days, and finds what the daily tally alone finds."""

from datetime import date

import pytest
from sqlalchemy import delete
from sqlalchemy import update

from helpdesk import indicators
from helpdesk import periods
from helpdesk import scopes
from helpdesk import workload
from helpdesk.extensions import db
from helpdesk.indicators import Scope
from helpdesk.models import DailyTally
from helpdesk.models import MonthlyTally
from helpdesk.models import TalliedMeasure
from helpdesk.models.tallies import MONTHLY
from tests.helpdesk.tally_book_support import load_book
from tests.helpdesk.tally_book_support import shared_book

RANGES = (
    (date(2026, 11, 3), date(2026, 11, 20)),  # inside one month
    (date(2026, 9, 25), date(2026, 10, 5)),  # across a month's edge
    (date(2026, 10, 15), date(2026, 12, 10)),  # a whole month between two parts
    (date(2026, 10, 1), date(2026, 11, 30)),  # whole months only
    (date(2026, 8, 1), date(2026, 12, 31)),  # before the first ticket to the last
    (date(2026, 12, 31), date(2026, 12, 31)),  # one day
)
DIMENSIONS = (workload.DEPARTMENT, workload.AGENT, workload.UNIT, workload.SERVICE)


@pytest.fixture
def book(demo):
    saved = shared_book(demo)
    with demo.app_context():
        yield load_book(saved)


def _figures(scope):
    """Every indicator the tally answers, and every breakdown of the scope."""
    found = {
        reading.code: (reading.value, reading.numerator, reading.denominator)
        for reading in indicators.read_all(scope)
    }
    for dimension in DIMENSIONS:
        found[dimension] = workload.breakdown(scope, dimension, satisfaction=True)
    return found


def test_a_custom_range_reads_whole_months_from_the_monthly_tally(book, monkeypatch):
    narrowing = book.narrowing()
    for first, last in RANGES:
        period = periods.custom(first, last)
        for tenant in (book.chalco, None):
            for filters in narrowing if tenant else narrowing[:2]:
                scope = Scope.of(tenant, period, **filters)
                assert scope.tally() is not DailyTally
                tiled = _figures(scope)
                with monkeypatch.context() as daily_only:
                    daily_only.setattr(scopes, "tiled", lambda period: DailyTally)
                    assert scope.tally() is DailyTally
                    assert _figures(scope) == tiled, (first, last, tenant, filters)
    scope = Scope.of(book.chalco, periods.custom(date(2026, 10, 15), date(2026, 12, 10)))
    assert _figures(scope)["requests_received"][0] > 0


def test_the_whole_months_come_from_the_monthly_tally_and_the_rest_from_the_days(book):
    whole = Scope.of(book.chalco, periods.custom(date(2026, 10, 1), date(2026, 11, 30)))
    parts = Scope.of(book.chalco, periods.custom(date(2026, 10, 15), date(2026, 12, 10)))
    received = indicators.definition("requests_received")
    before = indicators.read(received, parts).value
    assert before > 0
    # Emptied, the monthly tally's November is missing from both ranges; the
    # daily tally's October and December days are not.
    db.session.execute(
        update(MonthlyTally).where(MonthlyTally.day == date(2026, 11, 1)).values(received=0)
    )
    november = indicators.read(received, Scope.of(book.chalco, periods.parse("2026-11")))
    assert november.value == 0
    assert (
        indicators.read(received, whole).value
        == indicators.read(received, Scope.of(book.chalco, periods.parse("2026-10"))).value
    )
    days = indicators.read(
        received, parts.with_period(periods.custom(date(2026, 10, 15), date(2026, 10, 31)))
    )
    december = indicators.read(
        received, parts.with_period(periods.custom(date(2026, 12, 1), date(2026, 12, 10)))
    )
    assert indicators.read(received, parts).value == days.value + december.value
    assert days.value + december.value < before


def test_without_the_monthly_tally_a_custom_range_reads_the_days(book):
    scope = Scope.of(book.chalco, periods.custom(date(2026, 10, 15), date(2026, 12, 10)))
    counted = _figures(scope)
    db.session.execute(delete(TalliedMeasure).where(TalliedMeasure.measure == MONTHLY))
    db.session.execute(delete(MonthlyTally))
    assert scope.tally() is DailyTally
    assert _figures(scope) == counted
