"""Business-time arithmetic: office hours, Mexico's rest days, time zones, errors.

Expected moments are written by hand as local wall-clock times; aware datetimes
compare as instants, so ``result == expected`` checks the exact UTC moment.
"""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

import pytest

from helpdesk.business_time import SEARCH_LIMIT_DAYS
from helpdesk.business_time import Calendar
from helpdesk.business_time import CalendarError
from helpdesk.business_time import add_business
from helpdesk.business_time import add_business_days
from helpdesk.business_time import add_business_hours
from helpdesk.business_time import add_business_time
from helpdesk.business_time import business_time_between
from helpdesk.business_time import is_open
from helpdesk.business_time import next_opening
from helpdesk.business_time import working_days_after
from helpdesk.business_time import working_days_in
from helpdesk.office_hours import standard_office_hours
from tests.helpdesk.business_time_support import AROUND_THE_CLOCK
from tests.helpdesk.business_time_support import EVENING_DESK
from tests.helpdesk.business_time_support import GAP_TUESDAY
from tests.helpdesk.business_time_support import LATE_MONDAY
from tests.helpdesk.business_time_support import MEXICO_CITY
from tests.helpdesk.business_time_support import MX
from tests.helpdesk.business_time_support import MX_NOV_2_CLOSED
from tests.helpdesk.business_time_support import SHORT_FRIDAY
from tests.helpdesk.business_time_support import SPLIT_DAY
from tests.helpdesk.business_time_support import TIJUANA
from tests.helpdesk.business_time_support import TIJUANA_ALL_DAY
from tests.helpdesk.business_time_support import TIJUANA_DESK
from tests.helpdesk.business_time_support import H
from tests.helpdesk.business_time_support import mx
from tests.helpdesk.business_time_support import tj
from tests.helpdesk.business_time_support import utc

# -- the rules --------------------------------------------------------------


def test_results_are_utc_instants():
    result = add_business_hours(MX, mx(2026, 3, 2, 10), 1)
    assert result.tzinfo is UTC
    assert result == utc(2026, 3, 2, 17)


def test_an_instant_outside_office_hours_moves_to_the_next_opening():
    assert next_opening(MX, mx(2026, 3, 2, 7, 15)) == mx(2026, 3, 2, 9)  # Monday, early
    assert next_opening(MX, mx(2026, 3, 2, 16)) == mx(2026, 3, 3, 9)  # at closing time
    assert next_opening(MX, mx(2026, 3, 6, 18)) == mx(2026, 3, 9, 9)  # Friday evening
    assert next_opening(MX, mx(2026, 3, 7, 11)) == mx(2026, 3, 9, 9)  # Saturday


def test_an_instant_inside_office_hours_is_its_own_next_opening():
    assert next_opening(MX, mx(2026, 3, 2, 9)) == mx(2026, 3, 2, 9)
    assert next_opening(MX, mx(2026, 3, 2, 15, 59, 59)) == mx(2026, 3, 2, 15, 59, 59)


def test_opening_is_open_and_closing_is_not():
    assert not is_open(MX, mx(2026, 3, 2, 8, 59, 59))
    assert is_open(MX, mx(2026, 3, 2, 9))
    assert is_open(MX, mx(2026, 3, 2, 15, 59, 59, 999999))
    assert not is_open(MX, mx(2026, 3, 2, 16))
    assert not is_open(MX, mx(2026, 3, 7, 12))  # Saturday
    assert not is_open(MX, mx(2026, 11, 16, 12))  # Revolution Day


def test_business_hours_are_the_first_hours_of_office_time_after_the_instant():
    # Thursday 14:00: two hours on Thursday, seven on Friday, one on Monday.
    assert add_business_hours(MX, mx(2026, 3, 5, 14), 10) == mx(2026, 3, 9, 10)
    assert add_business_hours(MX, mx(2026, 3, 5, 14), 8) == mx(2026, 3, 6, 15)
    assert add_business_hours(MX, mx(2026, 3, 5, 14), 0.5) == mx(2026, 3, 5, 14, 30)


def test_a_target_ending_at_closing_time_is_due_at_closing_time():
    assert add_business_hours(MX, mx(2026, 3, 2, 9), 7) == mx(2026, 3, 2, 16)
    assert add_business_days(SHORT_FRIDAY, mx(2026, 3, 5, 15), 1) == mx(2026, 3, 6, 13)


def test_zero_business_time_is_the_next_opening():
    assert add_business_hours(MX, mx(2026, 3, 2, 16), 0) == mx(2026, 3, 3, 9)
    assert add_business_hours(MX, mx(2026, 3, 2, 12), 0) == mx(2026, 3, 2, 12)
    assert add_business_days(MX, mx(2026, 3, 7, 12), 0) == mx(2026, 3, 9, 9)


def test_business_days_keep_the_time_of_day():
    assert add_business_days(MX, mx(2026, 3, 2, 10, 17), 1) == mx(2026, 3, 3, 10, 17)
    assert add_business_days(MX, mx(2026, 3, 5, 15, 30), 2) == mx(2026, 3, 9, 15, 30)
    assert add_business_days(MX, mx(2026, 3, 2, 10), 10) == mx(2026, 3, 17, 10)  # Mar 16 off


def test_add_business_dispatches_on_the_unit():
    assert add_business(MX, mx(2026, 3, 2, 10), 3, "hours") == mx(2026, 3, 2, 13)
    assert add_business(MX, mx(2026, 3, 2, 10), 3, "days") == mx(2026, 3, 5, 10)
    with pytest.raises(ValueError, match="unknown business time unit"):
        add_business(MX, mx(2026, 3, 2, 10), 3, "weeks")


# -- table: business hours over Mexico's calendar ---------------------------


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        pytest.param(
            mx(2026, 11, 13, 15, 30), 1, mx(2026, 11, 17, 9, 30), id="friday-before-revolution-day"
        ),
        pytest.param(
            mx(2027, 11, 12, 15, 30), 1, mx(2027, 11, 16, 9, 30), id="friday-before-2027-nov-15"
        ),
        pytest.param(
            mx(2026, 11, 16, 11), 1, mx(2026, 11, 17, 10), id="filed-on-third-monday-of-november"
        ),
        pytest.param(mx(2026, 11, 16, 0), 2, mx(2026, 11, 17, 11), id="midnight-of-a-rest-day"),
        pytest.param(mx(2026, 11, 17, 0), 1, mx(2026, 11, 17, 10), id="midnight-of-a-working-day"),
        pytest.param(mx(2026, 3, 7, 0), 1, mx(2026, 3, 9, 10), id="midnight-starting-saturday"),
        pytest.param(mx(2026, 9, 1, 10), 2, mx(2026, 9, 1, 12), id="sep-1-is-a-working-day"),
        pytest.param(mx(2026, 8, 31, 15), 2, mx(2026, 9, 1, 10), id="into-sep-1"),
        pytest.param(mx(2026, 9, 15, 15), 2, mx(2026, 9, 17, 10), id="over-sep-16-2026"),
        pytest.param(mx(2027, 9, 15, 15), 2, mx(2027, 9, 17, 10), id="over-sep-16-2027"),
        pytest.param(mx(2026, 9, 16, 12), 1, mx(2026, 9, 17, 10), id="filed-on-sep-16"),
        pytest.param(mx(2026, 10, 30, 15), 2, mx(2026, 11, 2, 10), id="nov-2-is-worked"),
        pytest.param(mx(2026, 2, 27, 16), 7, mx(2026, 3, 2, 16), id="friday-closing-to-monday"),
        pytest.param(mx(2026, 3, 13, 16), 7, mx(2026, 3, 17, 16), id="over-mar-16-2026"),
        pytest.param(mx(2027, 3, 12, 15), 2, mx(2027, 3, 16, 10), id="over-mar-15-2027"),
        pytest.param(mx(2026, 1, 30, 15), 3, mx(2026, 2, 3, 11), id="over-feb-2-2026"),
        pytest.param(mx(2027, 1, 29, 15), 3, mx(2027, 2, 2, 11), id="over-feb-1-2027"),
        pytest.param(mx(2026, 4, 30, 15), 2, mx(2026, 5, 4, 10), id="over-may-1-2026-friday"),
        pytest.param(mx(2027, 4, 30, 15), 2, mx(2027, 5, 3, 10), id="may-1-2027-is-saturday"),
        pytest.param(mx(2026, 12, 24, 15), 2, mx(2026, 12, 28, 10), id="over-christmas-2026"),
        pytest.param(mx(2026, 12, 25, 10), 1, mx(2026, 12, 28, 10), id="filed-on-christmas"),
        pytest.param(mx(2027, 12, 24, 15), 2, mx(2027, 12, 27, 10), id="christmas-2027-saturday"),
        pytest.param(
            mx(2026, 12, 28, 9), 35, mx(2027, 1, 4, 16), id="week-between-christmas-and-new-year"
        ),
        pytest.param(mx(2026, 12, 31, 15), 1, mx(2026, 12, 31, 16), id="new-years-eve-closing"),
        pytest.param(mx(2026, 12, 31, 15), 2, mx(2027, 1, 4, 10), id="over-new-year-2027"),
        pytest.param(mx(2025, 12, 31, 15), 2, mx(2026, 1, 2, 10), id="over-new-year-2026"),
        pytest.param(mx(2026, 3, 2, 9), 7, mx(2026, 3, 2, 16), id="closing-time-edge"),
        pytest.param(mx(2026, 3, 2, 9), 7.25, mx(2026, 3, 3, 9, 15), id="just-past-closing"),
        pytest.param(mx(2026, 3, 2, 16), 1, mx(2026, 3, 3, 10), id="from-closing-time"),
        pytest.param(mx(2026, 3, 7, 11), 1, mx(2026, 3, 9, 10), id="from-saturday"),
        pytest.param(mx(2026, 3, 2, 9), 35, mx(2026, 3, 6, 16), id="a-whole-week"),
    ],
)
def test_business_hours_table(start: datetime, hours: float, expected: datetime) -> None:
    assert add_business_hours(MX, start, hours) == expected


def test_november_2_is_closed_when_added_to_closed_days():
    assert MX.is_working_day(date(2026, 11, 2))
    assert not MX_NOV_2_CLOSED.is_working_day(date(2026, 11, 2))
    assert add_business_hours(MX_NOV_2_CLOSED, mx(2026, 10, 30, 15), 2) == mx(2026, 11, 3, 10)
    assert add_business_days(MX_NOV_2_CLOSED, mx(2026, 10, 30, 11), 1) == mx(2026, 11, 3, 11)
    # With both 2 and 16 November closed, two short weeks.
    assert add_business_days(MX_NOV_2_CLOSED, mx(2026, 10, 30, 11), 10) == mx(2026, 11, 17, 11)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        pytest.param(date(2026, 9, 1), True, id="sep-1-2026"),
        pytest.param(date(2026, 9, 16), False, id="sep-16-2026"),
        pytest.param(date(2027, 9, 16), False, id="sep-16-2027"),
        pytest.param(date(2026, 11, 2), True, id="nov-2-2026"),
        pytest.param(date(2026, 11, 16), False, id="third-monday-nov-2026"),
        pytest.param(date(2026, 11, 20), True, id="nov-20-2026-friday-worked"),
        pytest.param(date(2027, 11, 15), False, id="third-monday-nov-2027"),
        pytest.param(date(2026, 12, 24), True, id="dec-24-2026"),
        pytest.param(date(2026, 12, 25), False, id="dec-25-2026"),
        pytest.param(date(2026, 12, 28), True, id="dec-28-2026"),
        pytest.param(date(2026, 12, 31), True, id="dec-31-2026"),
        pytest.param(date(2027, 1, 1), False, id="jan-1-2027"),
        pytest.param(date(2026, 1, 1), False, id="jan-1-2026"),
        pytest.param(date(2026, 2, 2), False, id="feb-2-2026"),
        pytest.param(date(2026, 3, 16), False, id="mar-16-2026"),
        pytest.param(date(2026, 5, 1), False, id="may-1-2026"),
        pytest.param(date(2026, 3, 7), False, id="a-saturday"),
        pytest.param(date(2026, 3, 8), False, id="a-sunday"),
    ],
)
def test_working_days_table(day: date, working: bool) -> None:
    assert MX.is_working_day(day) is working
    assert (MX.intervals_on(day) != ()) is working


def test_working_days_in_a_year():
    # 2026: 261 weekdays; Jan 1, Feb 2, Mar 16, May 1, Sep 16, Nov 16 and Dec 25
    # all fall on weekdays.
    assert working_days_in(MX, 2026) == 261 - 7
    # 2027: 261 weekdays; May 1 and Dec 25 fall on Saturdays, five on weekdays.
    assert working_days_in(MX, 2027) == 261 - 5


# -- table: business days ---------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        pytest.param(mx(2026, 11, 13, 10), 1, mx(2026, 11, 17, 10), id="over-revolution-day"),
        pytest.param(mx(2026, 9, 15, 10), 1, mx(2026, 9, 17, 10), id="over-sep-16"),
        pytest.param(mx(2026, 8, 31, 10), 1, mx(2026, 9, 1, 10), id="to-sep-1"),
        pytest.param(mx(2027, 9, 15, 12), 1, mx(2027, 9, 17, 12), id="over-sep-16-2027"),
        pytest.param(mx(2026, 12, 23, 11), 3, mx(2026, 12, 29, 11), id="over-christmas"),
        pytest.param(mx(2026, 12, 31, 10), 1, mx(2027, 1, 4, 10), id="across-the-year"),
        pytest.param(mx(2026, 12, 28, 14), 5, mx(2027, 1, 5, 14), id="christmas-week-to-january"),
        pytest.param(mx(2027, 12, 20, 9, 45), 10, mx(2028, 1, 3, 9, 45), id="into-2028"),
        pytest.param(mx(2026, 3, 7, 11), 1, mx(2026, 3, 10, 9), id="saturday-opens-monday"),
        pytest.param(mx(2026, 3, 8, 23, 59), 1, mx(2026, 3, 10, 9), id="sunday-night"),
        pytest.param(mx(2026, 3, 6, 16), 1, mx(2026, 3, 10, 9), id="friday-closing-time"),
        pytest.param(mx(2026, 3, 6, 17), 2, mx(2026, 3, 11, 9), id="friday-evening"),
        pytest.param(mx(2026, 3, 3, 0), 1, mx(2026, 3, 4, 9), id="midnight"),
        pytest.param(mx(2026, 11, 14, 10), 1, mx(2026, 11, 18, 9), id="weekend-then-rest-day"),
        pytest.param(mx(2026, 3, 2, 15, 59), 1, mx(2026, 3, 3, 15, 59), id="minute-before-close"),
    ],
)
def test_business_days_table(start: datetime, days: int, expected: datetime) -> None:
    assert add_business_days(MX, start, days) == expected


@pytest.mark.parametrize(
    ("calendar", "start", "days", "expected"),
    [
        pytest.param(
            SHORT_FRIDAY, mx(2026, 3, 5, 15), 1, mx(2026, 3, 6, 13), id="later-than-friday-close"
        ),
        pytest.param(
            SHORT_FRIDAY, mx(2026, 3, 5, 12, 59), 1, mx(2026, 3, 6, 12, 59), id="fits-friday"
        ),
        pytest.param(
            SHORT_FRIDAY, mx(2026, 3, 6, 9, 30), 1, mx(2026, 3, 7, 10), id="earlier-than-saturday"
        ),
        pytest.param(SHORT_FRIDAY, mx(2026, 3, 6, 12), 1, mx(2026, 3, 7, 12), id="fits-saturday"),
        pytest.param(SHORT_FRIDAY, mx(2026, 3, 7, 13), 1, mx(2026, 3, 9, 13), id="saturday-on"),
        pytest.param(SHORT_FRIDAY, mx(2026, 3, 4, 15), 2, mx(2026, 3, 6, 13), id="two-days"),
        pytest.param(GAP_TUESDAY, mx(2026, 3, 2, 13), 1, mx(2026, 3, 3, 14), id="in-midday-gap"),
        pytest.param(GAP_TUESDAY, mx(2026, 3, 2, 12), 1, mx(2026, 3, 3, 12), id="at-gap-start"),
        pytest.param(GAP_TUESDAY, mx(2026, 3, 2, 14), 1, mx(2026, 3, 3, 14), id="at-gap-end"),
        pytest.param(GAP_TUESDAY, mx(2026, 3, 2, 9, 30), 1, mx(2026, 3, 3, 9, 30), id="morning"),
        pytest.param(GAP_TUESDAY, mx(2026, 3, 2, 17), 1, mx(2026, 3, 3, 17), id="afternoon"),
        pytest.param(GAP_TUESDAY, mx(2026, 3, 3, 12, 30), 1, mx(2026, 3, 9, 14), id="from-gap"),
        pytest.param(GAP_TUESDAY, mx(2026, 3, 3, 15), 1, mx(2026, 3, 9, 15), id="to-next-monday"),
        pytest.param(LATE_MONDAY, mx(2026, 3, 2, 20), 1, mx(2026, 3, 3, 16), id="late-to-close"),
        pytest.param(LATE_MONDAY, mx(2026, 3, 3, 10), 1, mx(2026, 3, 9, 10), id="late-next-week"),
        pytest.param(EVENING_DESK, mx(2026, 3, 2, 20), 1, mx(2026, 3, 3, 20), id="evening"),
        pytest.param(
            EVENING_DESK, mx(2026, 3, 6, 23, 30), 1, mx(2026, 3, 9, 23, 30), id="fri-late"
        ),
        pytest.param(EVENING_DESK, mx(2026, 3, 3, 0), 1, mx(2026, 3, 4, 16), id="evening-midnight"),
        pytest.param(AROUND_THE_CLOCK, mx(2026, 3, 7, 0), 1, mx(2026, 3, 8, 0), id="24x7-midnight"),
        pytest.param(
            AROUND_THE_CLOCK, mx(2026, 3, 6, 23, 59), 2, mx(2026, 3, 8, 23, 59), id="24x7-weekend"
        ),
    ],
)
def test_business_days_clamp_into_the_target_days_hours(
    calendar: Calendar, start: datetime, days: int, expected: datetime
) -> None:
    assert add_business_days(calendar, start, days) == expected


# -- midday gaps and 24:00 --------------------------------------------------


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        pytest.param(mx(2026, 3, 2, 12), 2, mx(2026, 3, 2, 16), id="over-lunch"),
        pytest.param(mx(2026, 3, 2, 11), 2, mx(2026, 3, 2, 13), id="ends-at-lunch"),
        pytest.param(mx(2026, 3, 2, 13), 0, mx(2026, 3, 2, 15), id="zero-at-lunch"),
        pytest.param(mx(2026, 3, 2, 14), 1, mx(2026, 3, 2, 16), id="from-lunch"),
        pytest.param(mx(2026, 3, 2, 9), 8, mx(2026, 3, 2, 19), id="a-whole-day"),
        pytest.param(mx(2026, 3, 2, 18), 4, mx(2026, 3, 3, 12), id="overnight"),
        pytest.param(mx(2026, 11, 13, 18), 2, mx(2026, 11, 17, 10), id="long-weekend"),
    ],
)
def test_two_intervals_per_day(start: datetime, hours: float, expected: datetime) -> None:
    assert add_business_hours(SPLIT_DAY, start, hours) == expected


def test_time_between_skips_the_midday_gap():
    assert business_time_between(SPLIT_DAY, mx(2026, 3, 2, 10), mx(2026, 3, 2, 16)) == 4 * H
    assert business_time_between(SPLIT_DAY, mx(2026, 3, 2, 13), mx(2026, 3, 2, 15)) == 0 * H
    assert business_time_between(SPLIT_DAY, mx(2026, 3, 6, 18), mx(2026, 3, 9, 10)) == 2 * H


def test_a_desk_open_until_midnight():
    # Monday 16:00-24:00: the last hour of Monday, then Tuesday from 16:00.
    assert add_business_hours(EVENING_DESK, mx(2026, 3, 2, 23), 2) == mx(2026, 3, 3, 17)
    # Ending exactly at 24:00 is due at Monday's closing time, Tuesday 00:00.
    assert add_business_hours(EVENING_DESK, mx(2026, 3, 2, 23), 1) == mx(2026, 3, 3, 0)
    assert add_business_hours(EVENING_DESK, mx(2026, 3, 6, 23), 1) == mx(2026, 3, 7, 0)
    assert is_open(EVENING_DESK, mx(2026, 3, 2, 23, 59, 59, 999999))
    assert not is_open(EVENING_DESK, mx(2026, 3, 3, 0))
    assert next_opening(EVENING_DESK, mx(2026, 3, 3, 0)) == mx(2026, 3, 3, 16)
    assert next_opening(EVENING_DESK, mx(2026, 3, 7, 0)) == mx(2026, 3, 9, 16)
    assert EVENING_DESK.intervals_on(date(2026, 3, 2)) == (
        (utc(2026, 3, 2, 22), utc(2026, 3, 3, 6)),
    )
    assert business_time_between(EVENING_DESK, mx(2026, 3, 2), mx(2026, 3, 9)) == 40 * H


def test_a_desk_open_around_the_clock():
    assert is_open(AROUND_THE_CLOCK, mx(2026, 3, 2, 0))
    assert is_open(AROUND_THE_CLOCK, mx(2026, 3, 8, 23, 59, 59, 999999))
    assert next_opening(AROUND_THE_CLOCK, mx(2026, 3, 9, 0)) == mx(2026, 3, 9, 0)
    assert add_business_hours(AROUND_THE_CLOCK, mx(2026, 3, 8, 23, 30), 1) == mx(2026, 3, 9, 0, 30)
    assert add_business_hours(AROUND_THE_CLOCK, mx(2026, 3, 6, 12), 48) == mx(2026, 3, 8, 12)
    assert business_time_between(AROUND_THE_CLOCK, mx(2026, 3, 2), mx(2026, 3, 9)) == 168 * H


def test_midnight_exactly_on_a_standard_calendar():
    assert not is_open(MX, mx(2026, 3, 3, 0))
    assert next_opening(MX, mx(2026, 3, 3, 0)) == mx(2026, 3, 3, 9)
    assert business_time_between(MX, mx(2026, 3, 2, 0), mx(2026, 3, 3, 0)) == 7 * H


# -- time zones --------------------------------------------------------------


def test_mexico_city_kept_daylight_saving_time_until_october_2022():
    calendar = Calendar.build("America/Mexico_City", standard_office_hours())
    # Monday 4 April 2022, 06:00 UTC (01:00 CDT): opens 09:00 CDT = 14:00 UTC.
    assert next_opening(calendar, utc(2022, 4, 4, 6)) == utc(2022, 4, 4, 14)
    # Monday 6 April 2026, 06:00 UTC (00:00 CST): opens 09:00 CST = 15:00 UTC.
    assert next_opening(calendar, utc(2026, 4, 6, 6)) == utc(2026, 4, 6, 15)
    # Friday 28 October 2022 15:00 CDT (20:00 UTC) + 2 h: one hour on Friday, one
    # on Monday 31 October after the change, 10:00 CST = 16:00 UTC.
    assert add_business_hours(calendar, utc(2022, 10, 28, 20), 2) == utc(2022, 10, 31, 16)
    # A business day over that weekend: the same wall-clock time, one hour later in UTC.
    assert add_business_days(calendar, utc(2022, 10, 28, 15), 1) == utc(2022, 10, 31, 16)


def test_tijuana_keeps_daylight_saving_time_in_2026():
    # Opening on Monday 2 March 2026 (PST, UTC-8) and Monday 9 March (PDT, UTC-7).
    assert next_opening(TIJUANA_DESK, utc(2026, 3, 2, 12)) == utc(2026, 3, 2, 17)
    assert next_opening(TIJUANA_DESK, utc(2026, 3, 9, 12)) == utc(2026, 3, 9, 16)
    # Mexico City stays on UTC-6 on those days.
    assert next_opening(MX, utc(2026, 3, 9, 12)) == utc(2026, 3, 9, 15)


def test_business_hours_across_tijuanas_spring_forward():
    # Friday 6 March 15:00 PST = 23:00 UTC; + 2 h: Friday 15-16, then Monday 9-10
    # PDT, after the change of Sunday 8 March, = 17:00 UTC.
    assert add_business_hours(TIJUANA_DESK, utc(2026, 3, 6, 23), 2) == utc(2026, 3, 9, 17)
    assert add_business_days(TIJUANA_DESK, tj(2026, 3, 6, 9), 1) == utc(2026, 3, 9, 16)


def test_business_hours_across_tijuanas_fall_back():
    # Friday 30 October 15:00 PDT = 22:00 UTC; + 2 h ends Monday 2 November
    # 10:00 PST = 18:00 UTC (the change was Sunday 1 November).
    assert add_business_hours(TIJUANA_DESK, utc(2026, 10, 30, 22), 2) == utc(2026, 11, 2, 18)
    assert business_time_between(TIJUANA_DESK, utc(2026, 10, 30, 22), utc(2026, 11, 2, 18)) == 2 * H


def test_durations_are_measured_in_utc_around_the_clock():
    # Sunday 8 March 2026 has 23 hours in Tijuana, Sunday 1 November 25.
    assert business_time_between(TIJUANA_ALL_DAY, tj(2026, 3, 8), tj(2026, 3, 9)) == 23 * H
    assert business_time_between(TIJUANA_ALL_DAY, tj(2026, 11, 1), tj(2026, 11, 2)) == 25 * H
    # Saturday 12:00 PST (20:00 UTC) + 24 business hours = Sunday 13:00 PDT (20:00 UTC).
    result = add_business_hours(TIJUANA_ALL_DAY, tj(2026, 3, 7, 12), 24)
    assert result == utc(2026, 3, 8, 20)
    assert result.astimezone(TIJUANA).hour == 13
    # The repeated hour counts twice: 01:30 PDT (08:30 UTC) + 1 h = 01:30 PST.
    # (Aware datetimes with fold=1 never compare equal across zones: compare in UTC.)
    repeated = add_business_hours(TIJUANA_ALL_DAY, tj(2026, 11, 1, 1, 30), 1)
    assert repeated == utc(2026, 11, 1, 9, 30)
    assert repeated == tj(2026, 11, 1, 1, 30, fold=1).astimezone(UTC)
    assert add_business_hours(TIJUANA_ALL_DAY, tj(2026, 11, 1), 25) == tj(2026, 11, 2)


def test_office_hours_inside_the_skipped_hour():
    # Sunday 8 March 2026 in Tijuana goes from 01:59:59 PST to 03:00 PDT (10:00 UTC).
    skipped = Calendar.build("America/Tijuana", {6: ((time(2, 30), time(3)), (time(3), time(4)))})
    sunday = date(2026, 3, 8)
    # 02:30-03:00 never happens; 03:00-04:00 PDT is one hour of office time.
    assert skipped.intervals_on(sunday) == ((utc(2026, 3, 8, 10), utc(2026, 3, 8, 11)),)
    assert business_time_between(skipped, tj(2026, 3, 8), tj(2026, 3, 9)) == H
    assert next_opening(skipped, tj(2026, 3, 8)) == utc(2026, 3, 8, 10)
    assert add_business_time(skipped, tj(2026, 3, 8), timedelta(minutes=45)) == tj(
        2026, 3, 8, 3, 45
    )
    # A week later the same hours are an hour and a half.
    assert business_time_between(skipped, tj(2026, 3, 15), tj(2026, 3, 16)) == 1.5 * H

    # An interval that starts before the jump and ends inside it closes at the jump;
    # one that starts inside it opens at the jump.
    straddling = Calendar.build(
        "America/Tijuana", {6: ((time(1), time(2, 15)), (time(2, 45), time(4)))}
    )
    assert straddling.intervals_on(sunday) == (
        (utc(2026, 3, 8, 9), utc(2026, 3, 8, 10)),
        (utc(2026, 3, 8, 10), utc(2026, 3, 8, 11)),
    )
    assert business_time_between(straddling, tj(2026, 3, 8), tj(2026, 3, 9)) == 2 * H

    # A day whose only hours fall in the skipped hour has no office time at all.
    only_skipped = Calendar.build(
        "America/Tijuana",
        {6: ((time(2, 15), time(2, 45)),), 0: ((time(9), time(16)),)},
    )
    assert only_skipped.intervals_on(sunday) == ()
    assert next_opening(only_skipped, tj(2026, 3, 7, 12)) == tj(2026, 3, 9, 9)
    # Other Sundays are working days with 02:15-02:45: Monday 23 February 9:00
    # + 1 day is Sunday 1 March, 9:00 clamped to its closing time.
    assert add_business_days(only_skipped, tj(2026, 2, 23, 9), 1) == tj(2026, 3, 1, 2, 45)
    # Monday 2 March 9:00 + 1 day targets Sunday 8 March, which has no office
    # time: the next opening after the wanted moment, Monday 9 March 9:00 PDT.
    assert add_business_days(only_skipped, tj(2026, 3, 2, 9), 1) == tj(2026, 3, 9, 9)


def test_a_wanted_time_skipped_on_the_target_day():
    # Saturday 7 March 02:30 PST + 1 day around the clock: 02:30 does not exist
    # on Sunday 8 March; the result is the moment the clock jumped, 03:00 PDT.
    assert add_business_days(TIJUANA_ALL_DAY, tj(2026, 3, 7, 2, 30), 1) == tj(2026, 3, 8, 3)
    assert add_business_days(TIJUANA_ALL_DAY, tj(2026, 3, 7, 3, 30), 1) == tj(2026, 3, 8, 3, 30)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda t: is_open(MX, t), id="is_open"),
        pytest.param(lambda t: next_opening(MX, t), id="next_opening"),
        pytest.param(lambda t: add_business_hours(MX, t, 1), id="add_business_hours"),
        pytest.param(lambda t: add_business_days(MX, t, 1), id="add_business_days"),
        pytest.param(lambda t: add_business_time(MX, t, H), id="add_business_time"),
        pytest.param(lambda t: business_time_between(MX, t, mx(2026, 3, 9)), id="between-start"),
        pytest.param(lambda t: business_time_between(MX, mx(2026, 3, 1), t), id="between-end"),
        pytest.param(lambda t: MX.local(t), id="local"),
    ],
)
def test_naive_datetimes_are_refused(call) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        call(datetime(2026, 3, 2, 10))


# -- errors ------------------------------------------------------------------


def test_negative_amounts_are_refused():
    with pytest.raises(ValueError, match="negative"):
        add_business_hours(MX, mx(2026, 3, 2, 10), -1)
    with pytest.raises(ValueError, match="negative"):
        add_business_time(MX, mx(2026, 3, 2, 10), -timedelta(microseconds=1))
    with pytest.raises(ValueError, match="negative"):
        add_business_days(MX, mx(2026, 3, 2, 10), -1)
    with pytest.raises(ValueError, match="negative"):
        working_days_after(MX, date(2026, 3, 2), -1)
    with pytest.raises(ValueError, match="negative"):
        add_business(MX, mx(2026, 3, 2, 10), -2, "days")


def _every_monday(first: date, count: int) -> set[date]:
    return {first + timedelta(weeks=n) for n in range(count)}


# Open on Mondays only, and every Monday for more than the search range closed.
NEVER_OPEN = Calendar.build(
    "America/Mexico_City",
    {0: ((time(9), time(16)),)},
    closed_days=_every_monday(date(2025, 12, 29), SEARCH_LIMIT_DAYS // 7 + 10),
)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: next_opening(NEVER_OPEN, mx(2026, 1, 1)), id="next_opening"),
        pytest.param(lambda: add_business_hours(NEVER_OPEN, mx(2026, 1, 1), 1), id="hours"),
        pytest.param(lambda: add_business_hours(NEVER_OPEN, mx(2026, 1, 1), 0), id="zero-hours"),
        pytest.param(lambda: add_business_days(NEVER_OPEN, mx(2026, 1, 1), 1), id="days"),
        pytest.param(lambda: working_days_after(NEVER_OPEN, date(2026, 1, 1), 1), id="work-days"),
        pytest.param(
            lambda: business_time_between(NEVER_OPEN, mx(2026, 1, 1), mx(2040, 1, 1)),
            id="between",
        ),
    ],
)
def test_a_calendar_that_never_opens_raises(call) -> None:
    with pytest.raises(CalendarError):
        call()


def test_a_calendar_that_opens_after_the_closed_stretch_is_found():
    # Closed Mondays for a bit less than the search range: the first open Monday is found.
    weeks = SEARCH_LIMIT_DAYS // 7 - 2
    calendar = Calendar.build(
        "America/Mexico_City",
        {0: ((time(9), time(16)),)},
        closed_days=_every_monday(date(2026, 1, 5), weeks),
    )
    first_open = date(2026, 1, 5) + timedelta(weeks=weeks)
    assert next_opening(calendar, mx(2026, 1, 1)) == datetime.combine(
        first_open, time(9), tzinfo=MEXICO_CITY
    )
    assert not is_open(calendar, mx(2026, 1, 5, 10))
    assert business_time_between(calendar, mx(2026, 1, 1), mx(2026, 12, 31)) == 0 * H


def test_long_spans_are_not_mistaken_for_a_closed_calendar():
    # The ten-year bound is on days without office time, not on the span searched.
    start = mx(2026, 1, 1)
    result = add_business_hours(AROUND_THE_CLOCK, start, 24 * 4000)
    assert result == datetime.combine(date(2026, 1, 1) + timedelta(days=4000), time(0), MEXICO_CITY)
    assert add_business_days(AROUND_THE_CLOCK, start, 4000) == result
    weekdays = Calendar.build("America/Mexico_City", standard_office_hours())
    # 750 weeks of five working days: 3750 working days, more than ten years.
    assert working_days_after(weekdays, date(2026, 1, 5), 3750) == date(2026, 1, 5) + timedelta(
        weeks=750
    )
    assert add_business_hours(weekdays, mx(2026, 1, 5, 9), 7 * 3750) == datetime.combine(
        date(2026, 1, 9) + timedelta(weeks=749), time(16), MEXICO_CITY
    )


def test_working_days_after():
    assert working_days_after(MX, date(2026, 11, 13), 0) == date(2026, 11, 13)
    assert working_days_after(MX, date(2026, 11, 13), 1) == date(2026, 11, 17)
    assert working_days_after(MX, date(2026, 11, 14), 1) == date(2026, 11, 17)
    assert working_days_after(MX, date(2026, 12, 24), 2) == date(2026, 12, 29)
