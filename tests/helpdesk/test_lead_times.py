"""Lead-time rules: pure checks over the 2026 calendar, and the Spanish finding."""

from datetime import date
from datetime import datetime

import holidays
import pytest

from helpdesk import lead_times
from helpdesk.business_time import Calendar
from helpdesk.catalog import LeadTime
from helpdesk.office_hours import standard_office_hours

ZONE = "America/Mexico_City"
CALENDAR = Calendar.build(ZONE, standard_office_hours(), holidays.Mexico(years=[2026, 2027]))
P01 = LeadTime(amount=72, unit="hours", field="event_at", rule="72 horas antes del evento")
P08 = LeadTime(amount=72, unit="hours", field="publication_date", rule="72 horas antes")
P04 = LeadTime(amount=7, unit="days", field="required_date", rule="7 días hábiles previos")
P06 = LeadTime(amount=3, unit="days", field="required_date", rule="3 días hábiles previos")


def local(*args):
    return datetime(*args, tzinfo=CALENDAR.zone)


MONDAY_10 = local(2026, 11, 23, 10, 0)


@pytest.mark.parametrize(
    ("rule", "value", "received", "earliest"),
    [
        # 71 hours before: refused; the earliest moment is received + 72 h.
        (P01, "2026-11-26T09:00", MONDAY_10, local(2026, 11, 26, 10, 0)),
        (P01, "2026-11-26T10:00", MONDAY_10, None),
        # A date alone means the start of that day: Thursday 00:00 is 62 h away.
        (P08, "2026-11-26", MONDAY_10, date(2026, 11, 27)),
        (P08, "2026-11-27", MONDAY_10, None),
        # 7 business days from Monday: Tue…Fri, Mon 30, Tue 1, Wed 2 December.
        (P04, "2026-12-01", MONDAY_10, date(2026, 12, 2)),
        (P04, "2026-12-02", MONDAY_10, None),
        # Friday 13 November: Monday 16 is the Revolution's rest day.
        (P06, "2026-11-18", local(2026, 11, 13, 10, 0), date(2026, 11, 19)),
        (P06, "2026-11-19", local(2026, 11, 13, 10, 0), None),
        # Across Christmas and New Year.
        (P06, "2026-12-31", local(2026, 12, 29, 12, 0), date(2027, 1, 4)),
    ],
    ids=[
        "p01-71h",
        "p01-72h",
        "date-62h",
        "date-next-day",
        "p04-6-days",
        "p04-7-days",
        "p06-long-weekend",
        "p06-ok",
        "p06-new-year",
    ],
)
def test_check_names_the_earliest_acceptable_date(rule, value, received, earliest):
    breach = lead_times.check(CALENDAR, rule, {rule.field: value}, received)
    if earliest is None:
        assert breach is None
    else:
        assert breach is not None
        assert breach.earliest == earliest
        assert breach.field == rule.field


def test_p06_new_year_case_is_exactly_the_third_working_day():
    # Received Tue 29 Dec (midnight → 9:00): Wed 30, Thu 31, (Fri 1 Jan rest day), Mon 4.
    breach = lead_times.check(CALENDAR, P06, {"required_date": "2026-12-31"}, local(2026, 12, 29))
    assert breach is not None and breach.earliest == date(2027, 1, 4)
    ok = lead_times.check(CALENDAR, P06, {"required_date": "2027-01-04"}, local(2026, 12, 29))
    assert ok is None


@pytest.mark.parametrize("value", [None, "", "not a date", 17])
def test_missing_or_unreadable_dates_are_the_forms_business(value):
    assert lead_times.check(CALENDAR, P04, {"required_date": value}, MONDAY_10) is None


def test_finding_is_spanish_and_names_rule_and_date():
    issue = lead_times.finding(
        P04,
        CALENDAR,
        {"required_date": "2026-11-25"},
        MONDAY_10,
        may_override=False,
        justification=None,
    )
    assert issue is not None and issue.blocking
    assert issue.field == "required_date"
    assert "7 días hábiles previos" in issue.message
    assert "miércoles 2 de diciembre de 2026" in issue.message
    assert "coordinación" not in issue.message


def test_finding_with_time_shows_the_hour():
    issue = lead_times.finding(
        P01,
        CALENDAR,
        {"event_at": "2026-11-24T12:00"},
        MONDAY_10,
        may_override=False,
        justification=None,
    )
    assert "jueves 26 de noviembre de 2026, 10:00" in issue.message


def test_coordinator_justification_makes_it_a_recorded_non_blocking_finding():
    data = {"required_date": "2026-11-25"}
    accepted = lead_times.finding(
        P04, CALENDAR, data, MONDAY_10, may_override=True, justification="Evento del alcalde"
    )
    assert accepted is not None and not accepted.blocking
    hint = lead_times.finding(P04, CALENDAR, data, MONDAY_10, may_override=True, justification=" ")
    assert hint.blocking and "puede aceptarla escribiendo una justificación" in hint.message
    refused = lead_times.finding(
        P04, CALENDAR, data, MONDAY_10, may_override=False, justification="urgente"
    )
    assert refused.blocking and "Solo la coordinación" in refused.message


def test_no_rule_no_finding():
    assert (
        lead_times.finding(None, CALENDAR, {}, MONDAY_10, may_override=False, justification=None)
        is None
    )
