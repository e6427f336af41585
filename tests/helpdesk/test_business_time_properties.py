"""Business-time arithmetic: hypothesis properties over fixed and random calendars."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from helpdesk.business_time import Calendar
from helpdesk.business_time import add_business_days
from helpdesk.business_time import add_business_hours
from helpdesk.business_time import add_business_time
from helpdesk.business_time import business_time_between
from helpdesk.business_time import is_open
from helpdesk.business_time import next_opening
from helpdesk.office_hours import END_OF_DAY
from tests.helpdesk.business_time_support import MEXICO_CITY
from tests.helpdesk.business_time_support import MX
from tests.helpdesk.business_time_support import PROPERTY_SETTINGS
from tests.helpdesk.business_time_support import H
from tests.helpdesk.business_time_support import _day_hours
from tests.helpdesk.business_time_support import _is_working
from tests.helpdesk.business_time_support import _wall_state
from tests.helpdesk.business_time_support import amounts
from tests.helpdesk.business_time_support import any_calendars
from tests.helpdesk.business_time_support import calendars
from tests.helpdesk.business_time_support import day_counts
from tests.helpdesk.business_time_support import instants
from tests.helpdesk.business_time_support import mexico_city_calendars

# -- properties --------------------------------------------------------------


@PROPERTY_SETTINGS
@given(calendar=any_calendars, start=instants, amount=amounts)
def test_adding_then_measuring_gives_back_the_amount(
    calendar: Calendar, start: datetime, amount: timedelta
) -> None:
    result = add_business_time(calendar, start, amount)
    assert result >= start
    assert business_time_between(calendar, start, result) == amount
    assert add_business_hours(calendar, start, amount / H) == result


@PROPERTY_SETTINGS
@given(calendar=mexico_city_calendars, start=instants, amount=amounts, days=day_counts)
def test_results_never_fall_on_a_closed_instant(
    calendar: Calendar, start: datetime, amount: timedelta, days: int
) -> None:
    opening = next_opening(calendar, start)
    assert _wall_state(calendar, opening) == "open"
    assert is_open(calendar, opening)
    assert _wall_state(calendar, add_business_time(calendar, start, amount)) in ("open", "closing")
    assert _wall_state(calendar, add_business_days(calendar, start, days)) in ("open", "closing")


@PROPERTY_SETTINGS
@given(calendar=mexico_city_calendars, instant=instants)
def test_is_open_agrees_with_the_wall_clock(calendar: Calendar, instant: datetime) -> None:
    assert is_open(calendar, instant) is (_wall_state(calendar, instant) == "open")
    if not is_open(calendar, instant):
        opening = next_opening(calendar, instant)
        assert opening > instant
        # Nothing was open in between: a minute-by-minute check would be slow, so
        # check the office time in between instead.
        assert business_time_between(calendar, instant, opening) == timedelta(0)


@PROPERTY_SETTINGS
@given(
    calendar=any_calendars,
    first=instants,
    gap=st.integers(0, 20 * 24 * 60).map(lambda m: timedelta(minutes=m)),
    amount=amounts,
    more=amounts,
    days=day_counts,
    more_days=st.integers(0, 10),
)
def test_later_starts_and_larger_amounts_never_give_earlier_results(
    calendar: Calendar,
    first: datetime,
    gap: timedelta,
    amount: timedelta,
    more: timedelta,
    days: int,
    more_days: int,
) -> None:
    second = first + gap
    assert add_business_time(calendar, first, amount) <= add_business_time(calendar, second, amount)
    assert add_business_time(calendar, first, amount) <= add_business_time(
        calendar, first, amount + more
    )
    assert next_opening(calendar, first) <= next_opening(calendar, second)
    assert add_business_days(calendar, first, days) <= add_business_days(calendar, second, days)
    assert add_business_days(calendar, first, days) <= add_business_days(
        calendar, first, days + more_days
    )
    if more_days:
        assert add_business_days(calendar, first, days) < add_business_days(
            calendar, first, days + more_days
        )


@PROPERTY_SETTINGS
@given(calendar=any_calendars, points=st.lists(instants, min_size=3, max_size=3))
def test_time_between_is_additive(calendar: Calendar, points: list[datetime]) -> None:
    a, b, c = sorted(points)
    ab = business_time_between(calendar, a, b)
    bc = business_time_between(calendar, b, c)
    assert ab + bc == business_time_between(calendar, a, c)
    assert business_time_between(calendar, c, a) == timedelta(0)
    assert timedelta(0) <= ab <= b - a


@PROPERTY_SETTINGS
@given(calendar=mexico_city_calendars, start=instants, days=day_counts)
def test_business_days_land_on_the_nth_working_day(
    calendar: Calendar, start: datetime, days: int
) -> None:
    opening = next_opening(calendar, start)
    result = add_business_days(calendar, start, days)
    if days == 0:
        assert result == opening
        return
    first_day = opening.astimezone(calendar.zone).date()
    local = result.astimezone(calendar.zone)
    last_day = local.date()
    assert _is_working(calendar, last_day)
    between = [
        first_day + timedelta(days=n)
        for n in range(1, (last_day - first_day).days)
        if _is_working(calendar, first_day + timedelta(days=n))
    ]
    assert len(between) == days - 1
    # The time of day is kept whenever it is office time (or a closing time) there.
    wanted = opening.astimezone(calendar.zone).time().replace(tzinfo=None)
    if any(a <= wanted <= b for a, b in _day_hours(calendar, last_day)):
        assert local.time().replace(tzinfo=None) == wanted


@PROPERTY_SETTINGS
@given(start=instants, days=st.integers(1, 40))
def test_business_days_on_the_standard_calendar_are_seven_hours_each(
    start: datetime, days: int
) -> None:
    opening = next_opening(MX, start)
    result = add_business_days(MX, start, days)
    assert business_time_between(MX, opening, result) == days * 7 * H
    assert result.astimezone(MEXICO_CITY).time() == opening.astimezone(MEXICO_CITY).time()


@settings(max_examples=50, deadline=None)
@given(start=instants, amount=amounts)
def test_instants_in_any_zone_mean_the_same(start: datetime, amount: timedelta) -> None:
    # The same instant written in another zone gives the same results.
    elsewhere = start.astimezone(ZoneInfo("Asia/Tokyo"))
    assert add_business_time(MX, start, amount) == add_business_time(MX, elsewhere, amount)
    assert add_business_days(MX, start, 3) == add_business_days(MX, elsewhere, 3)
    assert next_opening(MX, start) == next_opening(MX, elsewhere)


def test_random_calendars_cover_the_edge_cases():
    # A guard that the random calendars are not degenerate: among 100 draws some
    # day has touching intervals, some is open until 24:00, some day is closed.
    seen: list[Calendar] = []

    @settings(max_examples=100, deadline=None)
    @given(calendar=calendars())
    def collect(calendar: Calendar) -> None:
        assert any(calendar.week)
        seen.append(calendar)

    collect()
    assert len(seen) >= 50
    assert any(end == END_OF_DAY for c in seen for day in c.week for _, end in day)
    assert any(
        a[1] == b[0] for c in seen for day in c.week for a, b in zip(day, day[1:], strict=False)
    )
    assert any(c.closed_days for c in seen)
