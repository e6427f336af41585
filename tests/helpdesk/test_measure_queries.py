"""The measures the counts compute agree with reading every ticket.

The hand-built book of ``test_indicators.py`` checks exact values; here many
random tickets check that the worked-time counts, which place a quantile's
rank before the tickets' index gives its value, find what sorting the
tickets by hand finds: for months, quarters, years and custom ranges of days
that start and end inside months, narrowed or not, for one tenant and all.
"""

import math
import sqlite3
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import literal
from sqlalchemy import select
from sqlalchemy import update

from helpdesk import indicators
from helpdesk import measures
from helpdesk import periods
from helpdesk import tallies
from helpdesk import tally_rules
from helpdesk.extensions import add_math_functions
from helpdesk.extensions import db
from helpdesk.indicators import Scope
from helpdesk.measure_queries import worked_bucket
from helpdesk.models import Ticket
from helpdesk.models import WorkedTally
from tests.helpdesk.tally_book_support import load_book
from tests.helpdesk.tally_book_support import quantile_hours
from tests.helpdesk.tally_book_support import shared_book
from tests.helpdesk.tally_book_support import write_book

PERIODS = (
    "2026-Q4",
    "2026-10",
    "2026-12",
    "2026",
    "2026-Q3",
    # Custom ranges: inside one month, across one edge, across whole months.
    "2026-11-03..2026-11-20",
    "2026-09-25..2026-10-05",
    "2026-10-15..2026-12-10",
    "2026-10-01..2026-11-30",
)
QUANTILES = (0.0, 0.1, 0.5, 0.9, 0.99, 1.0)


@pytest.fixture
def book(demo):
    saved = shared_book(demo)
    with demo.app_context():
        yield load_book(saved)


def test_quantiles_found_through_the_worked_time_counts_match_sorting_every_ticket(book):
    for tenant in book.tenants:
        assert tallies.drift(tenant.id) == []
    counted = db.session.scalar(
        select(func.sum(WorkedTally.tickets)).where(WorkedTally.period == "2026-Q4")
    )
    assert counted > 100
    narrowing = book.narrowing()
    for text in PERIODS:
        period = periods.parse(text)
        for tenant in (book.chalco, None):
            for filters in narrowing if tenant else narrowing[:2]:
                values = book.worked(tenant, period, **filters)
                for quantile in QUANTILES:
                    found = indicators.evaluate(
                        measures.WorkTime(quantile), Scope.of(tenant, period, **filters)
                    )[0]
                    assert found == quantile_hours(values, quantile), (
                        text,
                        tenant,
                        filters,
                        quantile,
                    )


def test_counts_that_disagree_with_the_tickets_fall_back_to_reading_them(book):
    # A bulk change not yet counted: the counts place ranks where no ticket is.
    db.session.execute(update(WorkedTally).values(bucket=WorkedTally.bucket + 1_000))
    for text in ("2026-Q4", "2026-10-15..2026-12-10"):
        period = periods.parse(text)
        for quantile in (0.1, 0.5, 0.9):
            found = indicators.evaluate(measures.WorkTime(quantile), Scope.of(book.chalco, period))
            assert found[0] == quantile_hours(book.worked(book.chalco, period), quantile), text


def test_whole_months_are_read_through_the_counts(book):
    # Emptied, the counts find nothing in whole months, even inside a custom
    # range whose every day falls in them.
    db.session.execute(update(WorkedTally).values(tickets=0))
    units, departments = book.offices["chalco"]
    for tenant, filters in ((book.chalco, {"department_id": departments[1]}), (None, {})):
        for text in ("2026-Q4", "2026-10-01..2026-11-30"):
            scope = Scope.of(tenant, periods.parse(text), **filters)
            assert indicators.evaluate(measures.WorkTime(0.5), scope)[0] is None, text
    # The days outside whole months still come from the tickets.
    edge = periods.parse("2026-11-03..2026-11-20")
    expected = quantile_hours(book.worked(book.chalco, edge), 0.5)
    assert expected is not None
    assert indicators.evaluate(measures.WorkTime(0.5), Scope.of(book.chalco, edge))[0] == expected


# A bucket's first and last seconds, and any second the column holds.
EDGES = st.integers(min_value=0, max_value=14_654).flatmap(
    lambda index: st.sampled_from(
        [tally_rules.bucket_start(index), tally_rules.bucket_start(index + 1) - 1]
    )
)
SECONDS = st.one_of(st.integers(min_value=0, max_value=2**31 - 1), EDGES)


def test_the_bucket_in_sql_is_the_rule_s_bucket(app):
    @settings(max_examples=300, deadline=None)
    @given(SECONDS)
    def same_bucket(seconds):
        seconds = min(seconds, 2**31 - 1)
        in_sql = db.session.scalar(select(worked_bucket(literal(seconds))))
        assert in_sql == tally_rules.bucket(seconds), seconds

    with app.app_context():
        same_bucket()


def test_a_range_of_one_day_and_a_range_without_tickets(book):
    for first, last in (
        (date(2026, 10, 7), date(2026, 10, 7)),
        (date(2025, 3, 1), date(2025, 3, 9)),
    ):
        period = periods.custom(first, last)
        values = book.worked(book.chalco, period)
        found = indicators.evaluate(measures.WorkTime(0.5), Scope.of(book.chalco, period))[0]
        assert found == quantile_hours(values, 0.5)


def test_sqlite_without_its_math_functions_gets_the_same_buckets():
    connection = sqlite3.connect(":memory:")
    add_math_functions(connection, always=True)
    assert connection.execute("SELECT sqrt(17), sqrt(NULL), floor(2.5)").fetchone() == (
        math.sqrt(17),
        None,
        2,
    )
    bucket = connection.execute("SELECT CAST(floor(sqrt(? / 10)) AS INTEGER)", (2**31 - 1,))
    assert bucket.fetchone()[0] == tally_rules.bucket(2**31 - 1)


def test_across_tenants_each_counts_in_its_own_local_days(demo):
    """Sinaloa an hour behind Mexico City: what it concluded in the last hour
    of a period counts in that period across tenants too, in the tally's sums
    and in what reads the tickets (the quantiles)."""
    with demo.app_context():
        book = write_book(demo, per_tenant=40, zones={"sinaloa": "America/Mazatlan"})
        sinaloa = next(tenant for tenant in book.tenants if tenant.slug == "sinaloa")
        template = next(row for row in book.rows if row["tenant_id"] == sinaloa.id)
        # 23:30 on 31 October in Mazatlán: already November in Mexico City.
        night = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
        late = [
            {
                **template,
                "folio": f"LATE-{n}",
                "closed_at": night,
                "outcome": "concluded",
                "received_at": night - timedelta(days=3),
                "work_seconds": 3600 * (50 + n),
            }
            for n in range(5)
        ]
        db.session.execute(insert(Ticket), late)
        db.session.commit()
        tallies.count_missing()
        db.session.commit()
        book.rows.extend(late)
        concluded = indicators.definition("requests_concluded")
        for text in ("2026-10", "2026-11", "2026-Q4", "2026-10-15..2026-11-10"):
            period = periods.parse(text)
            every = Scope.of(None, period)
            values = book.worked(None, period)
            assert indicators.read(concluded, every).value == len(values), text
            for quantile in (0.1, 0.5, 0.9, 1.0):
                found = indicators.evaluate(measures.WorkTime(quantile), every)[0]
                assert found == quantile_hours(values, quantile), (text, quantile)
