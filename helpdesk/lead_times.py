"""Lead-time rules: how long before the event (or required date) a request must arrive.

Pure functions. A rule in calendar hours (P01's 72 hours) compares instants;
a rule in business days (P04's 7, P06's 3) counts working days of the tenant's
calendar. A date without a time of day is read as the start of that day, the
strictest reading: the office may need the whole day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any

from babel.dates import format_date
from babel.dates import format_datetime

from helpdesk.business_time import Calendar
from helpdesk.business_time import add_business_days
from helpdesk.catalog import LeadTime
from helpdesk.catalog import RequirementIssue


@dataclass(frozen=True)
class LeadTimeBreach:
    """The request arrived too late; ``earliest`` is the first acceptable date or moment."""

    rule: str
    field: str
    earliest: date | datetime

    @property
    def has_time(self) -> bool:
        return isinstance(self.earliest, datetime)


def parse_event(value: Any, calendar: Calendar) -> tuple[datetime, bool] | None:
    """The event moment (aware, in the calendar's zone) and whether it had a time of day."""
    if isinstance(value, datetime):
        moment, timed = value, True
    elif isinstance(value, date):
        moment, timed = datetime.combine(value, time(0)), False
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            if "T" in text or " " in text:
                moment, timed = datetime.fromisoformat(text), True
            else:
                moment, timed = datetime.combine(date.fromisoformat(text), time(0)), False
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=calendar.zone)
    return moment, timed


def earliest_moment(calendar: Calendar, rule: LeadTime, received: datetime) -> datetime:
    """The first event moment the rule accepts for a request received at ``received``."""
    if rule.unit == "hours":
        return received + timedelta(hours=rule.amount)
    return add_business_days(calendar, received, rule.amount)


def check(
    calendar: Calendar, rule: LeadTime, data: dict[str, Any], received: datetime
) -> LeadTimeBreach | None:
    """A breach when the event named by ``rule.field`` is too close to ``received``.

    An empty or unreadable date is the form's business (it marks the field
    required), so it is not a breach here.
    """
    parsed = parse_event(data.get(rule.field), calendar)
    if parsed is None:
        return None
    event, timed = parsed
    limit = earliest_moment(calendar, rule, received)
    if timed:
        if event >= limit:
            return None
        return LeadTimeBreach(rule.rule, rule.field, calendar.local(limit).replace(second=0))
    local_limit = calendar.local(limit)
    if rule.unit == "days":
        # Business days count whole working days: the Nth one is acceptable.
        first_day = local_limit.date()
    else:
        at_midnight = local_limit.time() == time(0)
        first_day = local_limit.date() if at_midnight else local_limit.date() + timedelta(days=1)
    if event.date() >= first_day:
        return None
    return LeadTimeBreach(rule.rule, rule.field, first_day)


def spanish_date(moment: date | datetime) -> str:
    """ "lunes 30 de noviembre de 2026" (with ", 10:00" for a moment)."""
    if isinstance(moment, datetime):
        return format_datetime(moment, "EEEE d 'de' MMMM 'de' y, HH:mm", locale="es_MX")
    return format_date(moment, "EEEE d 'de' MMMM 'de' y", locale="es_MX")


def finding(
    rule: LeadTime | None,
    calendar: Calendar,
    data: dict[str, Any],
    received: datetime,
    *,
    may_override: bool,
    justification: str | None,
) -> RequirementIssue | None:
    """The lead-time finding for a submission, in Spanish, naming the rule and the earliest date.

    Blocking, unless ``may_override`` (a coordinator) and a justification is
    given: then it is a recorded, non-blocking finding.
    """
    if rule is None:
        return None
    breach = check(calendar, rule, data, received)
    if breach is None:
        return None
    message = (
        f"Esta solicitud debe presentarse {breach.rule}. La fecha más próxima que se "
        f"puede aceptar es el {spanish_date(breach.earliest)}."
    )
    justification = (justification or "").strip()
    if justification and may_override:
        return RequirementIssue(message=message, field=breach.field, blocking=False)
    if justification:
        message += " Solo la coordinación puede aceptar una solicitud fuera de plazo."
    elif may_override:
        message += " La coordinación puede aceptarla escribiendo una justificación."
    return RequirementIssue(message=message, field=breach.field)
