"""Business time: office hours, non-working days and the arithmetic over them.

Pure functions over a :class:`Calendar`, no Flask and no database, so every
rule (due moments, lead times, SLA clocks) has one meaning everywhere:

- an instant outside office hours first moves to the next opening;
- N business hours from an instant are the first N hours of office time after it;
- N business days from an instant are the same time of day on the Nth following
  working day (clamped into that day's office hours when they differ);
- a target that ends exactly at closing time is due at closing time.

Office hours are local wall-clock times in the calendar's IANA zone; every
duration is measured between UTC instants, so a zone's offset changes (Mexico
kept daylight saving time until October 2022; Tijuana still does) are honoured.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from helpdesk.office_hours import END_OF_DAY
from helpdesk.office_hours import WeeklyHours
from helpdesk.office_hours import validate

# Ten years without a single working day means the calendar is unusable; the
# admin forms refuse such calendars, this bound only stops a runaway loop.
SEARCH_LIMIT_DAYS = 3660

Interval = tuple[datetime, datetime]


class CalendarError(ValueError):
    """The calendar has no office time within reach of the instant asked about."""


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("business time needs timezone-aware datetimes")
    return instant.astimezone(UTC)


@dataclass(frozen=True)
class Calendar:
    """Where and when an office works: a time zone, weekly hours, closed days."""

    zone: ZoneInfo
    # Seven entries, Monday first: that weekday's (open, close) intervals.
    week: tuple[tuple[tuple[time, time], ...], ...]
    closed_days: frozenset[date]

    @classmethod
    def build(
        cls, zone: str | ZoneInfo, hours: WeeklyHours, closed_days: Iterable[date] = ()
    ) -> Calendar:
        """Validate the hours and freeze everything into a hashable calendar."""
        clean = validate(hours)
        zone = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
        week = tuple(clean.get(day, ()) for day in range(7))
        return cls(zone=zone, week=week, closed_days=frozenset(closed_days))

    def is_working_day(self, day: date) -> bool:
        return bool(self.week[day.weekday()]) and day not in self.closed_days

    def intervals_on(self, day: date) -> tuple[Interval, ...]:
        """The day's office intervals as UTC instants (empty on a non-working day)."""
        return _intervals_on(self, day)

    def local(self, instant: datetime) -> datetime:
        return _aware(instant).astimezone(self.zone)


def _utc_of(zone: ZoneInfo, day: date, wall: time) -> datetime:
    """The UTC instant of a local wall-clock time on ``day``.

    A repeated time (the clock turned back) is its first occurrence; a skipped
    time (the clock jumped forward) is the moment of the jump. So later wall
    times never give earlier instants and an interval never runs backwards.
    """
    naive = datetime.combine(day, wall)
    instant = naive.replace(tzinfo=zone).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == naive:
        return instant
    # Skipped by a jump forward. Read with the offset in force after the jump
    # (fold=1) it is an instant before the jump; read with the offset before it
    # (fold=0, ``instant``) one after. Bisect down to the jump itself.
    before = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    after = instant
    step = timedelta(microseconds=1)
    while after - before > step:
        middle = before + (after - before) // 2
        if middle.astimezone(zone).replace(tzinfo=None) > naive:
            after = middle
        else:
            before = middle
    return after


@lru_cache(maxsize=8192)
def _intervals_on(calendar: Calendar, day: date) -> tuple[Interval, ...]:
    if not calendar.is_working_day(day):
        return ()
    result = []
    for start, end in calendar.week[day.weekday()]:
        opens = _utc_of(calendar.zone, day, start)
        if end == END_OF_DAY:
            closes = _utc_of(calendar.zone, day + timedelta(days=1), time(0))
        else:
            closes = _utc_of(calendar.zone, day, end)
        if closes > opens:  # an interval inside a skipped hour has no office time
            result.append((opens, closes))
    return tuple(result)


def _intervals_from(calendar: Calendar, instant: datetime) -> Iterator[Interval]:
    """Office intervals that end after ``instant``, in order.

    Never-ending while the calendar works: it gives up only after
    :data:`SEARCH_LIMIT_DAYS` consecutive days without office time.
    """
    day = calendar.local(instant).date() - timedelta(days=1)
    idle = 0
    while idle < SEARCH_LIMIT_DAYS:
        intervals = calendar.intervals_on(day)
        for opens, closes in intervals:
            if closes > instant:
                yield opens, closes
        idle = 0 if intervals else idle + 1
        day += timedelta(days=1)
    raise CalendarError("the calendar has no office time in the next ten years")


def is_open(calendar: Calendar, instant: datetime) -> bool:
    """Whether ``instant`` falls inside office hours (opening included, closing excluded)."""
    instant = _aware(instant)
    day = calendar.local(instant).date()
    return any(
        opens <= instant < closes
        for d in (day - timedelta(days=1), day)
        for opens, closes in calendar.intervals_on(d)
    )


def next_opening(calendar: Calendar, instant: datetime) -> datetime:
    """``instant`` itself when the office is open, else the next moment it opens."""
    instant = _aware(instant)
    for opens, closes in _intervals_from(calendar, instant):
        if opens <= instant < closes:
            return instant
        if opens > instant:
            return opens
    raise CalendarError("unreachable")  # pragma: no cover - the iterator raises first


def add_business_time(calendar: Calendar, instant: datetime, amount: timedelta) -> datetime:
    """The moment ``amount`` of office time after ``instant`` has elapsed."""
    if amount < timedelta(0):
        raise ValueError("business time cannot be negative")
    instant = _aware(instant)
    remaining = amount
    for opens, closes in _intervals_from(calendar, instant):
        start = max(opens, instant)
        available = closes - start
        if remaining <= available:
            return start + remaining
        remaining -= available
    raise CalendarError("unreachable")  # pragma: no cover


def add_business_hours(calendar: Calendar, instant: datetime, hours: float) -> datetime:
    """N business hours from ``instant``: the end of the first N hours of office time."""
    return add_business_time(calendar, instant, timedelta(hours=hours))


def working_days_after(calendar: Calendar, day: date, count: int) -> date:
    """The ``count``-th working day after ``day`` (``day`` itself for 0)."""
    if count < 0:
        raise ValueError("count must not be negative")
    idle = 0
    while count > 0:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            count -= 1
            idle = 0
        else:
            idle += 1
            if idle >= SEARCH_LIMIT_DAYS:
                raise CalendarError("the calendar has no working day in the next ten years")
    return day


def add_business_days(calendar: Calendar, instant: datetime, days: int) -> datetime:
    """N business days from ``instant``: the same time of day on the Nth next working day.

    The instant first moves to the next opening. When the target day's hours
    differ and that time of day is not office time there, the result is the
    nearest office moment of that day: its opening if earlier, its closing if
    later, the next opening if it falls in a midday gap.
    """
    if days < 0:
        raise ValueError("business days cannot be negative")
    start = next_opening(calendar, instant)
    if days == 0:
        return start
    local = calendar.local(start)
    # An opening after midnight still belongs to the day it opens on.
    target_day = working_days_after(calendar, local.date(), days)
    wanted = _utc_of(calendar.zone, target_day, local.time())
    intervals = calendar.intervals_on(target_day)
    if not intervals:  # its only hours fell in a skipped hour
        return next_opening(calendar, wanted)
    for opens, closes in intervals:
        if wanted < opens:
            return opens
        if wanted <= closes:
            return wanted
    return intervals[-1][1]


def add_business(calendar: Calendar, instant: datetime, amount: int, unit: str) -> datetime:
    """Add ``amount`` business ``unit`` ("hours" or "days") to ``instant``."""
    if unit == "hours":
        return add_business_hours(calendar, instant, amount)
    if unit == "days":
        return add_business_days(calendar, instant, amount)
    raise ValueError(f"unknown business time unit {unit!r}")


def business_time_between(calendar: Calendar, start: datetime, end: datetime) -> timedelta:
    """Office time elapsed from ``start`` to ``end`` (zero when ``end`` is not after it)."""
    start, end = _aware(start), _aware(end)
    total = timedelta(0)
    if end <= start:
        return total
    for opens, closes in _intervals_from(calendar, start):
        if opens >= end:
            break
        total += min(closes, end) - max(opens, start)
    return total


def working_days_in(calendar: Calendar, year: int) -> int:
    """How many working days ``year`` has under this calendar."""
    day = date(year, 1, 1)
    count = 0
    while day.year == year:
        count += calendar.is_working_day(day)
        day += timedelta(days=1)
    return count
