"""``helpdesk calendar due|between|holidays``: a tenant's business calendar from a terminal.

The same functions as the SLA clocks (:mod:`helpdesk.business_time` over
:func:`helpdesk.tenant_calendar.calendar_for`), so a due moment checked here is
the one the desk shows. Dates without an offset are the tenant's local time;
every moment printed is in the tenant's zone.
"""

from __future__ import annotations

import dataclasses
import json
import math
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import click
from flask.cli import AppGroup
from sqlalchemy import select

from helpdesk import plugins
from helpdesk import service_settings
from helpdesk import tenant_calendar
from helpdesk.business_time import SEARCH_LIMIT_DAYS
from helpdesk.business_time import Calendar
from helpdesk.business_time import CalendarError
from helpdesk.business_time import add_business_days
from helpdesk.business_time import add_business_hours
from helpdesk.business_time import business_time_between
from helpdesk.business_time import next_opening
from helpdesk.business_time import working_days_in
from helpdesk.extensions import db
from helpdesk.models import Tenant
from helpdesk.models import TenantService
from helpdesk.office_hours import OfficeHoursError
from helpdesk.office_hours import WeeklyHours
from helpdesk.tenancy import scoped_to
from helpdesk.tenancy import tenant_by_slug

calendar_group = AppGroup("calendar", help="Due moments, business time and rest days.")

WEEKDAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
MONTHS = (
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
SOURCES = {"official": "oficial", "tenant": "propio"}

# Years a date may name: the official rest-day tables are meaningful there and
# every result stays far from the limits of datetime.
FIRST_YEAR, LAST_YEAR = 1900, 2100
# The largest amounts accepted: ten years of round-the-clock office time, ten
# years of days. They bound the work even for a calendar with few open days.
MAX_DAYS = SEARCH_LIMIT_DAYS
MAX_HOURS = 24 * SEARCH_LIMIT_DAYS


class Amount(click.ParamType):
    """A positive number of hours (fractions allowed) or of days (whole)."""

    def __init__(self, whole: bool) -> None:
        self.whole = whole
        self.name = "días" if whole else "horas"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number) or (self.whole and not number.is_integer()):
            kind = "un número entero de días" if self.whole else "un número de horas"
            self.fail(f"«{value}» no es {kind}", param, ctx)
        if number <= 0:
            self.fail(f"debe ser mayor que cero (se recibió {value})", param, ctx)
        return int(number) if number.is_integer() else number


def _tenant(slug: str) -> Tenant:
    tenant = tenant_by_slug(slug)
    if tenant is None:
        raise click.BadParameter(f"no existe el gobierno «{slug}»", param_hint="--tenant")
    return tenant


def _zone(tenant: Tenant) -> ZoneInfo:
    return ZoneInfo(tenant.timezone)


def _instant(text: str, zone: ZoneInfo, param_hint: str) -> datetime:
    """An ISO 8601 date or date and time; without an offset, local time in ``zone``."""
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(
            f"«{text}» no es una fecha ISO 8601 (por ejemplo 2026-11-13T15:30 "
            "o 2026-11-13T15:30-06:00)",
            param_hint=param_hint,
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    local = parsed.astimezone(zone)
    if not FIRST_YEAR <= local.year <= LAST_YEAR:
        raise click.BadParameter(
            f"la fecha debe estar entre {FIRST_YEAR} y {LAST_YEAR}", param_hint=param_hint
        )
    return local


def _service_hours(tenant: Tenant, code: str | None) -> WeeklyHours | None:
    """The service's effective office hours in the tenant (None: the tenant's own)."""
    if code is None:
        return None
    definition = plugins.host().catalog.get(code)
    if definition is None:
        raise click.BadParameter(f"no existe el servicio «{code}»", param_hint="--service")
    # As helpdesk.sla.service_of does: the tenant's settings row, or the plugin's
    # defaults when the tenant never touched the service (nothing is written).
    row = db.session.scalar(
        select(TenantService).where(
            TenantService.tenant_id == tenant.id, TenantService.service_code == code
        )
    ) or TenantService(tenant_id=tenant.id, service_code=code, enabled=False)
    return service_settings.effective(definition, row, tenant).office_hours


def _calendar(tenant: Tenant, hours: WeeklyHours | None, first: int, last: int) -> Calendar:
    """The tenant's calendar with the rest days of every year from ``first`` to ``last``.

    :func:`~helpdesk.tenant_calendar.calendar_for` covers a window of years
    around one date; longer spans join the closed days of several windows.
    """
    around = tenant_calendar.YEARS_AROUND
    width = 2 * around + 2
    try:
        windows = [
            tenant_calendar.calendar_for(tenant, hours, around=date(year, 7, 1))
            for year in range(first + around, last + around + 1, width)
        ]
    except OfficeHoursError as exc:
        raise click.ClickException(f"el horario de atención guardado no es válido: {exc}") from None
    closed = frozenset().union(*(window.closed_days for window in windows))
    return dataclasses.replace(windows[0], closed_days=closed)


def _readable(moment: datetime) -> str:
    return (
        f"{WEEKDAYS[moment.weekday()]} {moment.day} de {MONTHS[moment.month - 1]} "
        f"de {moment.year}, {moment:%H:%M}"
    )


def _hours_minutes(amount: timedelta) -> str:
    hours, rest = divmod(amount // timedelta(seconds=1), 3600)
    return f"{hours} h {rest // 60:02d} min"


def _out_of_reach() -> click.ClickException:
    return click.ClickException(
        "no se puede calcular: el calendario no tiene tiempo hábil en diez años "
        "o el resultado queda fuera del rango de fechas"
    )


def _echo_json(payload: dict[str, Any]) -> None:
    click.echo(json.dumps(payload, ensure_ascii=False, indent=2))


@calendar_group.command("due")
@click.option("--tenant", "slug", required=True, help="Short name of the tenant.")
@click.option("--from", "start_text", required=True, help="ISO 8601 date and time.")
@click.option("--hours", type=Amount(whole=False), help="Business hours to add.")
@click.option("--days", type=Amount(whole=True), help="Business days to add.")
@click.option("--service", "code", help="Use this service's office hours in the tenant.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def due_command(
    slug: str,
    start_text: str,
    hours: float | None,
    days: int | None,
    code: str | None,
    as_json: bool,
) -> None:
    """Print when N business hours or days from --from run out in the tenant's calendar.

    --from without an offset is the tenant's local time. N business days are
    the same time of day on the Nth following working day.
    """
    if (hours is None) == (days is None):
        raise click.UsageError("indique exactamente una de --hours o --days")
    if hours is not None and hours > MAX_HOURS:
        raise click.BadParameter(f"como máximo {MAX_HOURS} (diez años)", param_hint="--hours")
    if days is not None and days > MAX_DAYS:
        raise click.BadParameter(f"como máximo {MAX_DAYS} (diez años)", param_hint="--days")
    tenant = _tenant(slug)
    zone = _zone(tenant)
    start = _instant(start_text, zone, "--from")
    with scoped_to(tenant):
        service_hours = _service_hours(tenant, code)
        first, last = start.year - 1, start.year
        while True:
            calendar = _calendar(tenant, service_hours, first, last)
            try:
                opening = next_opening(calendar, start)
                if hours is not None:
                    due = add_business_hours(calendar, start, hours)
                else:
                    due = add_business_days(calendar, start, days or 0)
            except (CalendarError, OverflowError):
                raise _out_of_reach() from None
            due = due.astimezone(zone)
            if due.year <= last:
                break
            # The due moment fell past the years whose rest days were loaded.
            last = due.year
    opening = opening.astimezone(zone)
    outside = opening != start
    if as_json:
        _echo_json(
            {
                "tenant": tenant.slug,
                "timezone": tenant.timezone,
                "service": code,
                "from": start.isoformat(),
                "amount": hours if hours is not None else days,
                "unit": "hours" if hours is not None else "days",
                "open_at_from": not outside,
                "next_opening": opening.isoformat() if outside else None,
                "due": due.isoformat(),
            }
        )
        return
    click.echo(due.isoformat())
    click.echo(f"vence: {_readable(due)} ({tenant.timezone})")
    if outside:
        click.echo(
            f"fuera del horario de atención; siguiente apertura: {_readable(opening)} "
            f"({opening.isoformat()})"
        )


@calendar_group.command("between")
@click.option("--tenant", "slug", required=True, help="Short name of the tenant.")
@click.argument("start_text", metavar="FROM")
@click.argument("end_text", metavar="TO")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def between_command(slug: str, start_text: str, end_text: str, as_json: bool) -> None:
    """Print the business time from FROM to TO (zero when TO is not after FROM).

    Dates without an offset are the tenant's local time.
    """
    tenant = _tenant(slug)
    zone = _zone(tenant)
    start = _instant(start_text, zone, "FROM")
    end = _instant(end_text, zone, "TO")
    with scoped_to(tenant):
        calendar = _calendar(tenant, None, start.year - 1, max(start.year, end.year))
        try:
            elapsed = business_time_between(calendar, start, end)
        except CalendarError:
            raise _out_of_reach() from None
    seconds = elapsed // timedelta(seconds=1)
    if as_json:
        _echo_json(
            {
                "tenant": tenant.slug,
                "timezone": tenant.timezone,
                "from": start.isoformat(),
                "to": end.isoformat(),
                "hours": seconds // 3600,
                "minutes": seconds % 3600 // 60,
                "seconds": seconds,
            }
        )
        return
    click.echo(f"{_hours_minutes(elapsed)} hábiles")
    click.echo(f"del {_readable(start)} al {_readable(end)} ({tenant.timezone})")


@calendar_group.command("holidays")
@click.option("--tenant", "slug", required=True, help="Short name of the tenant.")
@click.option("--year", required=True, type=int, help="The year, e.g. 2026.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def holidays_command(slug: str, year: int, as_json: bool) -> None:
    """List the year's rest days (official and the tenant's own) and its working days.

    Official rest days the tenant works are listed too, marked as worked.
    """
    tenant = _tenant(slug)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise click.BadParameter(
            f"el año debe estar entre {FIRST_YEAR} y {LAST_YEAR}", param_hint="--year"
        )
    with scoped_to(tenant):
        listing = tenant_calendar.year_listing(tenant, year)
        working = working_days_in(_calendar(tenant, None, year, year), year)
    rows = [
        {
            "date": entry.day.isoformat(),
            "weekday": WEEKDAYS[entry.day.weekday()],
            "name": entry.name,
            "source": entry.source,
            "working": entry.working,
        }
        for entry in listing
    ]
    if as_json:
        _echo_json(
            {
                "tenant": tenant.slug,
                "year": year,
                "working_days": working,
                "days": rows,
            }
        )
        return
    for row in rows:
        label = SOURCES[row["source"]] + (", se trabaja" if row["working"] else "")
        click.echo(f"{row['date']}  {row['weekday']:<9}  {row['name']:<32}  {label}")
    click.echo(f"días hábiles en {year}: {working}")
