"""Reporting periods: a month, a quarter, a year or a custom range of days.

Pure functions. A period is a half-open range of local dates ``[start, end)``;
:func:`bounds` turns it into UTC instants in the office's time zone, so a
ticket closed at 23:30 on 31 March in Mexico City counts in the first quarter.
Text forms: ``2026-11``, ``2026-Q4``, ``2026``, ``2026-10-01..2026-12-31``
(both ends included, as people write ranges).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

MONTH, QUARTER, YEAR, CUSTOM = "month", "quarter", "year", "custom"
KINDS = (MONTH, QUARTER, YEAR, CUSTOM)

MONTH_NAMES = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
QUARTER_NAMES = ("primer", "segundo", "tercer", "cuarto")
LONGEST_CUSTOM_DAYS = 3 * 366
# Years a report may name: a period and the one before it, and the twelve months
# of a trend, always exist.
FIRST_YEAR, LAST_YEAR = 1900, 2100


class PeriodError(ValueError):
    """A period written wrongly; the message says how to write it (Spanish)."""


@dataclass(frozen=True, order=True)
class Period:
    """Local dates ``[start, end)`` and what kind of period they are."""

    start: date
    end: date
    kind: str

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def key(self) -> str:
        """The text form that parses back to this period."""
        if self.kind == MONTH:
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == YEAR:
            return str(self.start.year)
        return f"{self.start.isoformat()}..{self.last_day.isoformat()}"

    @property
    def label(self) -> str:
        """The period in words, as a report heading says it (Spanish)."""
        if self.kind == MONTH:
            return f"{MONTH_NAMES[self.start.month - 1]} de {self.start.year}"
        if self.kind == QUARTER:
            return f"{QUARTER_NAMES[(self.start.month - 1) // 3]} trimestre de {self.start.year}"
        if self.kind == YEAR:
            return f"año {self.start.year}"
        return f"del {_day(self.start)} al {_day(self.last_day)}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end


def _day(day: date) -> str:
    return f"{day.day} de {MONTH_NAMES[day.month - 1]} de {day.year}"


def month(year: int, number: int) -> Period:
    start = date(year, number, 1)
    return Period(start, _add_months(start, 1), MONTH)


def quarter(year: int, number: int) -> Period:
    start = date(year, 3 * (number - 1) + 1, 1)
    return Period(start, _add_months(start, 3), QUARTER)


def year(number: int) -> Period:
    return Period(date(number, 1, 1), date(number + 1, 1, 1), YEAR)


def custom(first: date, last: date) -> Period:
    """Days ``first`` to ``last``, both included."""
    if last < first:
        raise PeriodError("El periodo termina antes de empezar; escriba primero la fecha inicial.")
    if (last - first).days >= LONGEST_CUSTOM_DAYS:
        raise PeriodError("Un periodo personalizado abarca a lo más tres años.")
    return Period(first, last + timedelta(days=1), CUSTOM)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")

FORMS = "2026-11 (mes), 2026-Q4 (trimestre), 2026 (año) o 2026-10-01..2026-12-31"


def parse(text: str) -> Period:
    """A period from its text form; :class:`PeriodError` explains a wrong one."""
    text = (text or "").strip()
    year_text = text[:4]
    if year_text.isdigit() and not FIRST_YEAR <= int(year_text) <= LAST_YEAR:
        raise PeriodError(f"El año debe estar entre {FIRST_YEAR} y {LAST_YEAR}.")
    try:
        if found := _MONTH.match(text):
            number = int(found.group(2))
            if not 1 <= number <= 12:
                raise PeriodError(f"El mes {number} no existe; use 01 a 12.")
            return month(int(found.group(1)), number)
        if found := _QUARTER.match(text):
            return quarter(int(found.group(1)), int(found.group(2)))
        if found := _YEAR.match(text):
            return year(int(found.group(1)))
        if found := _RANGE.match(text):
            return custom(date.fromisoformat(found.group(1)), date.fromisoformat(found.group(2)))
    except ValueError as exc:
        if isinstance(exc, PeriodError):
            raise
        raise PeriodError(
            f"«{text}» no es una fecha válida. Escriba el periodo así: {FORMS}."
        ) from None
    raise PeriodError(f"No se reconoce el periodo «{text}». Escríbalo así: {FORMS}.")


def previous(period: Period) -> Period:
    """The period of the same kind and length just before."""
    if period.kind == MONTH:
        start = _add_months(period.start, -1)
        return Period(start, period.start, MONTH)
    if period.kind == QUARTER:
        return Period(_add_months(period.start, -3), period.start, QUARTER)
    if period.kind == YEAR:
        return year(period.start.year - 1)
    return Period(period.start - timedelta(days=period.days), period.start, CUSTOM)


def year_to_date(period: Period) -> Period:
    """From 1 January of the year ``period`` ends in to its end; a whole year,
    quarter or month when it is one (so it reads the monthly counts)."""
    start = date(period.last_day.year, 1, 1)
    for kind in (YEAR, QUARTER, MONTH):
        whole = current(kind, start)
        if whole.end == period.end:
            return whole
    return Period(start, period.end, CUSTOM)


def months_in(period: Period) -> list[Period]:
    """The calendar months the period touches, clipped to it (for trends)."""
    found = []
    start = period.start
    while start < period.end:
        following = _add_months(date(start.year, start.month, 1), 1)
        end = min(following, period.end)
        kind = MONTH if start.day == 1 and end == following else CUSTOM
        found.append(Period(start, end, kind))
        start = end
    return found


def trailing_months(period: Period, count: int = 12) -> list[Period]:
    """The ``count`` whole months ending with the period's last month (a trend's axis)."""
    last = date(period.last_day.year, period.last_day.month, 1)
    return [month(day.year, day.month) for day in (_add_months(last, -i) for i in range(count))][
        ::-1
    ]


def current(kind: str, today: date) -> Period:
    """The month, quarter or year that holds ``today``."""
    if kind == MONTH:
        return month(today.year, today.month)
    if kind == QUARTER:
        return quarter(today.year, (today.month - 1) // 3 + 1)
    if kind == YEAR:
        return year(today.year)
    raise PeriodError(f"Tipo de periodo desconocido: {kind}")


def bounds(period: Period, zone: str) -> tuple[datetime, datetime]:
    """The period as UTC instants ``[start, end)`` in the office's time zone."""
    tz = ZoneInfo(zone)
    start = datetime.combine(period.start, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(period.end, time(0), tzinfo=tz).astimezone(UTC)
    return start, end
