"""A tenant's business calendar: its zone, office hours and non-working days.

Mexico's official rest days (Ley Federal del Trabajo, art. 74, moving Mondays
included) come from the ``holidays`` package; the tenant's own
:class:`~helpdesk.models.NonWorkingDay` rows add days or mark an official one
as worked. :func:`calendar_for` merges them into a pure
:class:`~helpdesk.business_time.Calendar`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

import holidays
from sqlalchemy import extract
from sqlalchemy import select

from helpdesk import office_hours
from helpdesk.business_time import Calendar
from helpdesk.business_time import working_days_in
from helpdesk.extensions import db
from helpdesk.models import NonWorkingDay
from helpdesk.models import Tenant
from helpdesk.office_hours import N_
from helpdesk.office_hours import OfficeHoursError
from helpdesk.office_hours import WeeklyHours

# How far around a year the calendar looks, so a ticket filed in late December
# finds its due date in January.
YEARS_AROUND = 1


@dataclass(frozen=True)
class CalendarDay:
    """A non-working day as the admin page and the CLI list it."""

    day: date
    name: str
    source: str  # "official" or "tenant"
    working: bool = False  # an official rest day the tenant works


def official_rest_days(years: Iterable[int]) -> dict[date, str]:
    """Mexico's official rest days of those years, named in Spanish."""
    return dict(holidays.Mexico(years=sorted(set(years)), language="es").items())


def tenant_hours(tenant: Tenant) -> WeeklyHours:
    if tenant.office_hours:
        return office_hours.from_json(tenant.office_hours)
    return office_hours.standard_office_hours()


def _own_days(tenant: Tenant, years: Iterable[int]) -> list[NonWorkingDay]:
    years = sorted(set(years))
    return list(
        db.session.scalars(
            select(NonWorkingDay)
            .where(
                NonWorkingDay.tenant_id == tenant.id,
                extract("year", NonWorkingDay.day).in_(years),
            )
            .order_by(NonWorkingDay.day)
        )
    )


def closed_days(official: dict[date, str], own: Iterable[NonWorkingDay]) -> dict[date, CalendarDay]:
    """Official rest days, minus those the tenant works, plus its own."""
    days = {day: CalendarDay(day, name, "official") for day, name in official.items()}
    for row in own:
        if row.working:
            days.pop(row.day, None)
        else:
            days[row.day] = CalendarDay(row.day, row.name, "tenant")
    return days


def calendar_for(
    tenant: Tenant, hours: WeeklyHours | None = None, around: date | None = None
) -> Calendar:
    """The tenant's calendar (with a service's own ``hours`` when it has them).

    Covers the years around ``around`` (default: today), enough for any due
    date the help desk computes.
    """
    year = (around or date.today()).year
    years = range(year - YEARS_AROUND, year + YEARS_AROUND + 2)
    days = closed_days(official_rest_days(years), _own_days(tenant, years))
    return Calendar.build(tenant.timezone, hours or tenant_hours(tenant), days)


def year_listing(tenant: Tenant, year: int) -> list[CalendarDay]:
    """Every non-working day of ``year`` and every official day worked, by date."""
    official = official_rest_days([year])
    own = _own_days(tenant, [year])
    listing = closed_days(official, own)
    for row in own:
        if row.working and row.day in official:
            listing[row.day] = CalendarDay(row.day, official[row.day], "official", working=True)
    return [listing[day] for day in sorted(listing)]


def check_usable(tenant: Tenant, hours: WeeklyHours, extra_closed: Iterable[date] = ()) -> None:
    """Refuse a calendar that leaves a year (this one or the next) without working days.

    :raises OfficeHoursError: with a translatable message naming the year.
    """
    today = date.today()
    for year in (today.year, today.year + 1):
        days = closed_days(official_rest_days([year]), _own_days(tenant, [year]))
        closed = set(days) | {d for d in extra_closed if d.year == year}
        calendar = Calendar.build(tenant.timezone, hours, closed)
        if working_days_in(calendar, year) == 0:
            raise OfficeHoursError(N_("The calendar leaves no working day in %(year)s."), year=year)


def date_range(first: date, last: date) -> list[date]:
    """Every day from ``first`` to ``last`` inclusive (a vacation period)."""
    if last < first:
        raise OfficeHoursError(N_("The period ends before it starts."))
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
