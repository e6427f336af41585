"""Shared calendars, helpers and hypothesis strategies for the business-time tests."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import holidays
from hypothesis import HealthCheck
from hypothesis import settings
from hypothesis import strategies as st

from helpdesk.business_time import Calendar
from helpdesk.office_hours import END_OF_DAY
from helpdesk.office_hours import standard_office_hours

MEXICO_CITY = ZoneInfo("America/Mexico_City")
TIJUANA = ZoneInfo("America/Tijuana")
H = timedelta(hours=1)

# Built like the app builds a tenant's calendar (tenant_calendar.calendar_for).
MX = Calendar.build(
    "America/Mexico_City",
    standard_office_hours(),
    closed_days=holidays.Mexico(years=[2026, 2027]),
)
MX_NOV_2_CLOSED = Calendar.build(
    "America/Mexico_City",
    standard_office_hours(),
    closed_days={*holidays.Mexico(years=[2026, 2027]), date(2026, 11, 2)},
)
ALL_DAY = ((time(0), END_OF_DAY),)
AROUND_THE_CLOCK = Calendar.build("America/Mexico_City", dict.fromkeys(range(7), ALL_DAY))
EVENING_DESK = Calendar.build(
    "America/Mexico_City", dict.fromkeys(range(5), ((time(16), END_OF_DAY),))
)
# Monday to Thursday 9-16, Friday 9-13 and Saturday 10-14.
SHORT_FRIDAY = Calendar.build(
    "America/Mexico_City",
    {
        **dict.fromkeys(range(4), ((time(9), time(16)),)),
        4: ((time(9), time(13)),),
        5: ((time(10), time(14)),),
    },
    closed_days=holidays.Mexico(years=[2026, 2027]),
)
# Monday to Friday 9-13 and 15-19: a two-hour lunch gap.
SPLIT_DAY = Calendar.build(
    "America/Mexico_City",
    dict.fromkeys(range(5), ((time(9), time(13)), (time(15), time(19)))),
    closed_days=holidays.Mexico(years=[2026, 2027]),
)
# Monday 9-18, Tuesday 9-12 and 14-18: one weekday with a gap, the other without.
GAP_TUESDAY = Calendar.build(
    "America/Mexico_City",
    {0: ((time(9), time(18)),), 1: ((time(9), time(12)), (time(14), time(18)))},
)
# Monday 9-24, Tuesday 9-16.
LATE_MONDAY = Calendar.build(
    "America/Mexico_City", {0: ((time(9), END_OF_DAY),), 1: ((time(9), time(16)),)}
)
TIJUANA_DESK = Calendar.build(
    "America/Tijuana", standard_office_hours(), closed_days=holidays.Mexico(years=[2026, 2027])
)
TIJUANA_ALL_DAY = Calendar.build("America/Tijuana", dict.fromkeys(range(7), ALL_DAY))


def mx(*args: int) -> datetime:
    """A Mexico City wall-clock moment."""
    return datetime(*args, tzinfo=MEXICO_CITY)


def tj(*args: int, fold: int = 0) -> datetime:
    """A Tijuana wall-clock moment."""
    return datetime(*args, tzinfo=TIJUANA, fold=fold)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# -- property strategies and helpers -----------------------------------------

PROPERTY_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
TWO_YEARS_MINUTES = (datetime(2028, 1, 1, tzinfo=UTC) - EPOCH) // timedelta(minutes=1)

# Instants in 2026-2027: minute-aligned ones hit openings and closings often.
instants = st.one_of(
    st.integers(0, TWO_YEARS_MINUTES - 1).map(lambda m: EPOCH + timedelta(minutes=m)),
    st.integers(0, TWO_YEARS_MINUTES * 60 - 1).map(lambda s: EPOCH + timedelta(seconds=s)),
)
amounts = st.integers(0, 300 * 60).map(lambda m: timedelta(minutes=m))
day_counts = st.integers(0, 60)


def _wall(minute: int) -> time:
    return END_OF_DAY if minute == 24 * 60 else time(minute // 60, minute % 60)


@st.composite
def day_intervals(draw: st.DrawFn) -> tuple[tuple[time, time], ...]:
    """Non-overlapping intervals of one day, possibly touching, possibly to 24:00."""
    points = sorted(draw(st.sets(st.integers(0, 24 * 60 // 15).map(lambda q: q * 15), max_size=6)))
    result = []
    for start, end in zip(points, points[1:], strict=False):
        if draw(st.booleans()):
            result.append((_wall(start), _wall(end)))
    return tuple(result)


@st.composite
def calendars(draw: st.DrawFn, zone: str = "America/Mexico_City") -> Calendar:
    week = {day: draw(day_intervals()) for day in range(7)}
    if not any(week.values()):
        week[draw(st.integers(0, 6))] = ((time(9), time(16)),)
    closed = draw(
        st.sets(st.dates(min_value=date(2025, 12, 1), max_value=date(2028, 6, 30)), max_size=80)
    )
    return Calendar.build(zone, week, closed_days=closed)


mexico_city_calendars = st.one_of(st.just(MX), st.just(SPLIT_DAY), calendars())
any_calendars = st.one_of(mexico_city_calendars, calendars("America/Tijuana"))


def _day_hours(calendar: Calendar, day: date) -> tuple[tuple[time, time], ...]:
    """The day's wall-clock hours, read from the definition (not from the engine)."""
    if day in calendar.closed_days:
        return ()
    return calendar.week[day.weekday()]


def _is_working(calendar: Calendar, day: date) -> bool:
    return bool(_day_hours(calendar, day))


def _wall_state(calendar: Calendar, instant: datetime) -> str:
    """'open', 'closing' or 'closed' from wall-clock times (valid in zones without DST)."""
    local = instant.astimezone(calendar.zone)
    day, clock = local.date(), local.time().replace(tzinfo=None)
    hours = _day_hours(calendar, day)
    if any(start <= clock and (end == END_OF_DAY or clock < end) for start, end in hours):
        return "open"
    if any(clock == end for _, end in hours):
        return "closing"
    if clock == time(0) and any(end == END_OF_DAY for _, end in _day_hours(calendar, day - DAY)):
        return "closing"
    return "closed"


DAY = timedelta(days=1)
