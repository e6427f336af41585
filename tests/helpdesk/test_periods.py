"""Reporting periods: parsing, neighbours, months and local bounds (pure, no Flask)."""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk import periods
from helpdesk.periods import PeriodError


@pytest.mark.parametrize(
    ("text", "start", "end", "kind", "label"),
    [
        ("2026-11", date(2026, 11, 1), date(2026, 12, 1), "month", "noviembre de 2026"),
        ("2026-12", date(2026, 12, 1), date(2027, 1, 1), "month", "diciembre de 2026"),
        ("2026-Q4", date(2026, 10, 1), date(2027, 1, 1), "quarter", "cuarto trimestre de 2026"),
        ("2026-q1", date(2026, 1, 1), date(2026, 4, 1), "quarter", "primer trimestre de 2026"),
        ("2026", date(2026, 1, 1), date(2027, 1, 1), "year", "año 2026"),
        (
            " 2026-10-01..2026-10-15 ",
            date(2026, 10, 1),
            date(2026, 10, 16),
            "custom",
            "del 1 de octubre de 2026 al 15 de octubre de 2026",
        ),
    ],
)
def test_parse(text, start, end, kind, label):
    period = periods.parse(text)
    assert (period.start, period.end, period.kind, period.label) == (start, end, kind, label)
    assert periods.parse(period.key) == period


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "No se reconoce el periodo"),
        ("2026-Q5", "No se reconoce el periodo"),
        ("2026-13", "El mes 13 no existe"),
        ("noviembre", r"Escríbalo así: 2026-11 \(mes\)"),
        ("2026-02-30..2026-03-01", "no es una fecha válida"),
        ("2026-12-01..2026-11-01", "termina antes de empezar"),
        ("2020-01-01..2026-01-01", "a lo más tres años"),
        ("0001", "entre 1900 y 2100"),
        ("0001-Q1", "entre 1900 y 2100"),
        ("2101-01-01..2101-01-31", "entre 1900 y 2100"),
    ],
)
def test_wrong_periods_say_how_to_write_them(text, message):
    with pytest.raises(PeriodError, match=message):
        periods.parse(text)


def test_previous_periods():
    assert periods.previous(periods.parse("2026-01")).key == "2025-12"
    assert periods.previous(periods.parse("2026-Q1")).key == "2025-Q4"
    assert periods.previous(periods.parse("2026")).key == "2025"
    custom = periods.previous(periods.parse("2026-10-11..2026-10-20"))
    assert custom.key == "2026-10-01..2026-10-10"


def test_months_in_a_period_are_clipped_to_it():
    found = periods.months_in(periods.parse("2026-10-15..2026-12-05"))
    assert [(m.start, m.end, m.kind) for m in found] == [
        (date(2026, 10, 15), date(2026, 11, 1), "custom"),
        (date(2026, 11, 1), date(2026, 12, 1), "month"),
        (date(2026, 12, 1), date(2026, 12, 6), "custom"),
    ]


def test_trailing_months_end_with_the_periods_last_month():
    keys = [m.key for m in periods.trailing_months(periods.parse("2026-Q1"), 4)]
    assert keys == ["2025-12", "2026-01", "2026-02", "2026-03"]


def test_current_period_holds_today():
    today = date(2026, 11, 23)
    assert periods.current("quarter", today).key == "2026-Q4"
    assert periods.current("month", today).key == "2026-11"
    assert periods.current("year", today).key == "2026"
    with pytest.raises(PeriodError):
        periods.current("week", today)


def test_bounds_are_local_midnights_in_utc():
    start, end = periods.bounds(periods.parse("2026-Q4"), "America/Mexico_City")
    assert start == datetime(2026, 10, 1, 6, 0, tzinfo=UTC)
    assert end == datetime(2027, 1, 1, 6, 0, tzinfo=UTC)
    # Tijuana keeps daylight saving time: its October midnight is UTC-7.
    start, _ = periods.bounds(periods.parse("2026-10"), "America/Tijuana")
    assert start == datetime(2026, 10, 1, 7, 0, tzinfo=UTC)


days = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


@given(days)
def test_every_day_falls_in_exactly_one_month_quarter_and_year(day):
    for kind in ("month", "quarter", "year"):
        period = periods.current(kind, day)
        assert period.contains(day)
        assert not periods.previous(period).contains(day)
        assert periods.previous(period).end == period.start
        assert periods.parse(period.key) == period


@given(days, st.integers(min_value=0, max_value=400))
def test_custom_periods_split_into_months_without_gaps(first, length):
    period = periods.custom(first, date.fromordinal(first.toordinal() + length))
    months = periods.months_in(period)
    assert months[0].start == period.start and months[-1].end == period.end
    assert all(a.end == b.start for a, b in zip(months, months[1:], strict=False))
    assert sum(m.days for m in months) == period.days
    assert periods.previous(period).days == period.days


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026", "2026"),
        ("2026-Q1", "2026-Q1"),
        ("2026-01", "2026-01"),
        ("2026-Q4", "2026"),
        ("2026-03", "2026-Q1"),
        ("2026-05", "2026-01-01..2026-05-31"),
        ("2026-Q2", "2026-01-01..2026-06-30"),
        ("2026-02-10..2026-05-20", "2026-01-01..2026-05-20"),
        # A range across New Year counts the year it ends in.
        ("2025-11-02..2026-02-09", "2026-01-01..2026-02-09"),
    ],
)
def test_the_year_to_date_of_a_period(text, expected):
    assert periods.year_to_date(periods.parse(text)) == periods.parse(expected)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)), st.integers(0, 800))
def test_the_year_to_date_ends_with_the_period_and_starts_on_new_year(first, length):
    period = periods.custom(first, min(first + timedelta(days=length), date(2100, 12, 31)))
    found = periods.year_to_date(period)
    assert found.end == period.end
    assert found.start == date(period.last_day.year, 1, 1)
