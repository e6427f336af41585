"""helpdesk calendar due / between / holidays: the tenant's business calendar from a terminal.

Chalco works Monday to Friday, 9:00 to 16:00, in America/Mexico_City (UTC-6
all year since 2022). Monday 16 November 2026 is the official rest day of the
third Monday of November; 2 November (Día de Muertos) is not official.
"""

import json
from datetime import date
from datetime import time

import pytest
from sqlalchemy import select

from helpdesk import office_hours
from helpdesk.extensions import db
from helpdesk.models import NonWorkingDay
from helpdesk.models import Tenant
from helpdesk.models import TenantService


def calendar(runner, *args):
    return runner.invoke(args=["calendar", *args])


def ok(runner, *args):
    result = calendar(runner, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def as_json(runner, *args):
    return json.loads(ok(runner, *args, "--json"))


def due(runner, start, *amount, tenant="chalco"):
    return ok(runner, "due", "--tenant", tenant, "--from", start, *amount).splitlines()


def add_own_day(app, day, name="", working=False, slug="chalco"):
    with app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
        db.session.add(NonWorkingDay(tenant_id=tenant.id, day=day, name=name, working=working))
        db.session.commit()


# --- due ---------------------------------------------------------------------


def test_one_hour_from_friday_afternoon_skips_the_weekend_and_the_rest_day(demo, runner):
    assert due(runner, "2026-11-13T15:30", "--hours", "1") == [
        "2026-11-17T09:30:00-06:00",
        "vence: martes 17 de noviembre de 2026, 09:30 (America/Mexico_City)",
    ]


def test_one_day_from_a_friday_is_the_same_time_next_working_day(demo, runner):
    assert due(runner, "2026-11-06T10:15", "--days", "1")[0] == "2026-11-09T10:15:00-06:00"
    # Monday 16 is the official rest day.
    assert due(runner, "2026-11-13T15:30", "--days", "1")[0] == "2026-11-17T15:30:00-06:00"


def test_from_a_saturday_counts_from_the_next_opening_and_says_so(demo, runner):
    assert due(runner, "2026-11-07T10:00", "--hours", "2") == [
        "2026-11-09T11:00:00-06:00",
        "vence: lunes 9 de noviembre de 2026, 11:00 (America/Mexico_City)",
        "fuera del horario de atención; siguiente apertura: "
        "lunes 9 de noviembre de 2026, 09:00 (2026-11-09T09:00:00-06:00)",
    ]
    assert due(runner, "2026-11-07T10:00", "--days", "1")[0] == "2026-11-10T09:00:00-06:00"


def test_hours_ending_at_closing_time_are_due_at_closing_time(demo, runner):
    assert due(runner, "2026-11-12T09:00", "--hours", "7")[0] == "2026-11-12T16:00:00-06:00"
    assert due(runner, "2026-11-12T15:00", "--hours", "1.5")[0] == "2026-11-13T09:30:00-06:00"


def test_a_from_with_an_offset_is_converted_to_the_tenants_zone(demo, runner):
    # 21:30 UTC is 15:30 in Chalco.
    assert due(runner, "2026-11-13T21:30:00Z", "--hours", "1")[0] == "2026-11-17T09:30:00-06:00"
    assert due(runner, "2026-11-13T15:30-06:00", "--hours", "1")[0] == ("2026-11-17T09:30:00-06:00")


def test_a_due_moment_in_the_next_year_honours_that_years_rest_days(demo, runner):
    # Thursday 31 December 2026, 15:00 + 2 h: 1 January 2027 is a rest day.
    assert due(runner, "2026-12-31T15:00", "--hours", "2")[0] == "2027-01-04T10:00:00-06:00"
    # Far ahead of today: the calendar loads the years it needs.
    assert due(runner, "2031-11-14T15:30", "--hours", "1")[0] == "2031-11-18T09:30:00-06:00"


def test_the_largest_amounts_run_past_the_years_first_loaded(demo, runner):
    # 3660 working days are some fourteen years: every one of them has its rest days.
    far = as_json(
        runner, "due", "--tenant", "chalco", "--from", "2026-11-13T10:00", "--days", "3660"
    )
    days = as_json(runner, "between", "--tenant", "chalco", "2026-11-13T10:00", far["due"])
    assert days["seconds"] == 3660 * 7 * 3600
    assert far["due"] == "2041-03-22T10:00:00-06:00"
    assert (
        calendar(
            runner, "due", "--tenant", "chalco", "--from", "2026-11-13T10:00", "--hours", "87840"
        ).exit_code
        == 0
    )


def test_due_json(demo, runner):
    assert as_json(
        runner, "due", "--tenant", "chalco", "--from", "2026-11-14T08:00", "--hours", "1"
    ) == {
        "tenant": "chalco",
        "timezone": "America/Mexico_City",
        "service": None,
        "from": "2026-11-14T08:00:00-06:00",
        "amount": 1,
        "unit": "hours",
        "open_at_from": False,
        "next_opening": "2026-11-17T09:00:00-06:00",
        "due": "2026-11-17T10:00:00-06:00",
    }
    described = as_json(
        runner, "due", "--tenant", "chalco", "--from", "2026-11-13T10:00", "--days", "2"
    )
    assert described["unit"] == "days" and described["amount"] == 2
    assert described["open_at_from"] is True and described["next_opening"] is None
    assert described["due"] == "2026-11-18T10:00:00-06:00"


def test_service_uses_its_own_office_hours(demo, runner):
    args = ("2026-11-13T15:30", "--hours", "1", "--service", "GCH-CCS-P10")
    # Without hours of its own, the service runs on the tenant's.
    assert due(runner, *args)[0] == "2026-11-17T09:30:00-06:00"
    with demo.app_context():
        setting = db.session.scalar(
            select(TenantService)
            .join(Tenant, Tenant.id == TenantService.tenant_id)
            .where(Tenant.slug == "chalco", TenantService.service_code == "GCH-CCS-P10")
        )
        long_day = {day: ((time(8), time(18)),) for day in range(5)}
        setting.office_hours = office_hours.to_json(long_day)
        db.session.commit()
    assert due(runner, *args)[0] == "2026-11-13T16:30:00-06:00"
    late = due(runner, "2026-11-13T17:30", "--hours", "1", "--service", "GCH-CCS-P10")
    assert late[0] == "2026-11-17T08:30:00-06:00"
    # The tenant's own calendar is unchanged.
    assert due(runner, "2026-11-13T15:30", "--hours", "1")[0] == "2026-11-17T09:30:00-06:00"


def test_a_service_the_tenant_never_configured_uses_the_plugins_defaults(demo, runner):
    # GCH-CCS-P01..P12 are Chalco's; CAU is Edomex's and has no row for Chalco.
    with demo.app_context():
        db.session.execute(
            TenantService.__table__.delete().where(TenantService.service_code == "CAU")
        )
        db.session.commit()
    lines = due(runner, "2026-11-13T15:30", "--hours", "1", "--service", "CAU")
    assert lines[0] == "2026-11-17T09:30:00-06:00"
    with demo.app_context():
        codes = db.session.scalars(
            select(TenantService.service_code).where(TenantService.service_code == "CAU")
        ).all()
        assert codes == []  # nothing written


def test_a_tenants_own_rest_day_and_a_worked_official_one_change_the_due_moment(demo, runner):
    assert due(runner, "2026-10-30T15:30", "--hours", "1")[0] == "2026-11-02T09:30:00-06:00"
    add_own_day(demo, date(2026, 11, 2), "Día de Muertos")
    assert due(runner, "2026-10-30T15:30", "--hours", "1")[0] == "2026-11-03T09:30:00-06:00"
    add_own_day(demo, date(2026, 11, 16), working=True)
    assert due(runner, "2026-11-13T15:30", "--hours", "1")[0] == "2026-11-16T09:30:00-06:00"


# --- between -----------------------------------------------------------------


def test_between_across_a_weekend_counts_only_office_time(demo, runner):
    # Friday 15:30-16:00 and Monday 9:00-10:15.
    assert ok(runner, "between", "--tenant", "chalco", "2026-11-06T15:30", "2026-11-09T10:15") == (
        "1 h 45 min hábiles\n"
        "del viernes 6 de noviembre de 2026, 15:30 al lunes 9 de noviembre de 2026, 10:15 "
        "(America/Mexico_City)\n"
    )


def test_between_json_and_the_rest_day(demo, runner):
    assert as_json(
        runner, "between", "--tenant", "chalco", "2026-11-13T15:30", "2026-11-17T10:00"
    ) == {
        "tenant": "chalco",
        "timezone": "America/Mexico_City",
        "from": "2026-11-13T15:30:00-06:00",
        "to": "2026-11-17T10:00:00-06:00",
        "hours": 1,
        "minutes": 30,
        "seconds": 5400,
    }
    # Friday 15:30-16:00 and Tuesday 9:00-10:00; Monday is off.
    # The week of the rest day: four days of seven hours.
    week = as_json(runner, "between", "--tenant", "chalco", "2026-11-16", "2026-11-23")
    assert week["seconds"] == 4 * 7 * 3600 and week["hours"] == 28


def test_between_with_to_before_from_is_zero(demo, runner):
    assert ok(runner, "between", "--tenant", "chalco", "2026-11-09T12:00", "2026-11-06T10:00") == (
        "0 h 00 min hábiles\n"
        "del lunes 9 de noviembre de 2026, 12:00 al viernes 6 de noviembre de 2026, 10:00 "
        "(America/Mexico_City)\n"
    )
    found = as_json(runner, "between", "--tenant", "chalco", "2026-11-09T12:00", "2026-11-06")
    assert found["seconds"] == 0


def test_between_over_several_years_counts_every_years_rest_days(demo, runner):
    one_year = as_json(runner, "between", "--tenant", "chalco", "2030-01-01", "2031-01-01")
    assert one_year["seconds"] == 7 * 3600 * working_days(runner, 2030)
    years = as_json(runner, "between", "--tenant", "chalco", "2026-01-01", "2033-01-01")
    total = sum(working_days(runner, year) for year in range(2026, 2033))
    assert years["seconds"] == 7 * 3600 * total


def working_days(runner, year):
    return as_json(runner, "holidays", "--tenant", "chalco", "--year", str(year))["working_days"]


# --- holidays ----------------------------------------------------------------


def test_holidays_lists_the_official_rest_days_and_the_working_days(demo, runner):
    assert ok(runner, "holidays", "--tenant", "chalco", "--year", "2026").splitlines() == [
        "2026-01-01  jueves     Año Nuevo                         oficial",
        "2026-02-02  lunes      Día de la Constitución            oficial",
        "2026-03-16  lunes      Natalicio de Benito Juárez        oficial",
        "2026-05-01  viernes    Día del Trabajo                   oficial",
        "2026-09-16  miércoles  Día de la Independencia           oficial",
        "2026-11-16  lunes      Día de la Revolución              oficial",
        "2026-12-25  viernes    Navidad                           oficial",
        # 261 weekdays, 7 of them rest days.
        "días hábiles en 2026: 254",
    ]


def test_holidays_json_with_the_tenants_own_days(demo, runner):
    add_own_day(demo, date(2026, 11, 2), "Día de Muertos")
    add_own_day(demo, date(2026, 12, 12), "Día de la Virgen de Guadalupe")  # a Saturday
    add_own_day(demo, date(2026, 9, 16), working=True)
    listed = as_json(runner, "holidays", "--tenant", "chalco", "--year", "2026")
    assert listed["tenant"] == "chalco" and listed["year"] == 2026
    days = {row["date"]: row for row in listed["days"]}
    assert days["2026-11-02"] == {
        "date": "2026-11-02",
        "weekday": "lunes",
        "name": "Día de Muertos",
        "source": "tenant",
        "working": False,
    }
    assert days["2026-09-16"] == {
        "date": "2026-09-16",
        "weekday": "miércoles",
        "name": "Día de la Independencia",
        "source": "official",
        "working": True,
    }
    assert days["2026-11-16"]["source"] == "official" and not days["2026-11-16"]["working"]
    assert days["2026-12-12"]["source"] == "tenant"
    # One more rest day on a Monday, one official day worked, a Saturday changes nothing.
    assert listed["working_days"] == 254
    text = ok(runner, "holidays", "--tenant", "chalco", "--year", "2026").splitlines()
    assert "2026-09-16  miércoles  Día de la Independencia           oficial, se trabaja" in text
    assert "2026-11-02  lunes      Día de Muertos                    propio" in text


def test_holidays_of_another_year_and_another_tenant_stay_apart(demo, runner):
    add_own_day(demo, date(2026, 11, 2), "Día de Muertos", slug="sinaloa")
    chalco = as_json(runner, "holidays", "--tenant", "chalco", "--year", "2026")
    assert "2026-11-02" not in {row["date"] for row in chalco["days"]}
    sinaloa = as_json(runner, "holidays", "--tenant", "sinaloa", "--year", "2026")
    assert "2026-11-02" in {row["date"] for row in sinaloa["days"]}
    assert sinaloa["working_days"] == 253
    next_year = as_json(runner, "holidays", "--tenant", "sinaloa", "--year", "2027")
    assert "2027-11-15" in {row["date"] for row in next_year["days"]}
    assert "2027-11-02" not in {row["date"] for row in next_year["days"]}


# --- bad input ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["due", "--tenant", "atlantis", "--from", "2026-11-13T10:00", "--hours", "1"],
            "no existe el gobierno «atlantis»",
        ),
        (["between", "--tenant", "atlantis", "2026-11-13", "2026-11-14"], "atlantis"),
        (["holidays", "--tenant", "atlantis", "--year", "2026"], "atlantis"),
        (
            ["due", "--tenant", "chalco", "--from", "13/11/2026", "--hours", "1"],
            "«13/11/2026» no es una fecha ISO 8601",
        ),
        (
            ["due", "--tenant", "chalco", "--from", "2026-11-31T10:00", "--hours", "1"],
            "no es una fecha ISO 8601",
        ),
        (["between", "--tenant", "chalco", "ayer", "2026-11-14"], "«ayer» no es una fecha"),
        (["between", "--tenant", "chalco", "2026-11-14", "mañana"], "«mañana» no es una fecha"),
        (
            ["due", "--tenant", "chalco", "--from", "2026-11-13T10:00"],
            "indique exactamente una de --hours o --days",
        ),
        (
            ["due", "--tenant", "chalco", "--from", "2026-11-13T10:00", "--hours", "1"]
            + ["--days", "1"],
            "indique exactamente una de --hours o --days",
        ),
        (
            ["due", "--tenant", "chalco", "--from", "2026-11-13T10:00", "--hours", "0"],
            "debe ser mayor que cero",
        ),
        (
            ["due", "--tenant", "chalco", "--from", "2026-11-13T10:00", "--hours", "-2"],
            "debe ser mayor que cero",
        ),
        (
            ["due", "--tenant", "chalco", "--from", "2026-11-13T10:00", "--days", "0"],
            "debe ser mayor que cero",
        ),
        (
            ["due", "--tenant", "chalco", "--from", "2026-11-13T10:00", "--days", "1.5"],
            "«1.5» no es un número entero de días",
        ),
        (
            ["due", "--tenant", "chalco", "--from", "2026-11-13T10:00", "--hours", "una"],
            "«una» no es un número de horas",
        ),
        (
            ["due", "--tenant", "chalco", "--from", "2026-11-13T10:00", "--hours", "nan"],
            "«nan» no es un número de horas",
        ),
        (
            ["due", "--tenant", "chalco", "--from", "2026-11-13T10:00", "--hours", "1"]
            + ["--service", "NO-EXISTE"],
            "no existe el servicio «NO-EXISTE»",
        ),
        (
            ["due", "--tenant", "chalco", "--from", "2026-11-13T10:00", "--days", "3661"],
            "como máximo 3660 (diez años)",
        ),
        (
            ["due", "--tenant", "chalco", "--from", "2026-11-13T10:00", "--hours", "1e15"],
            "como máximo 87840 (diez años)",
        ),
        (
            ["due", "--tenant", "chalco", "--from", "1492-10-12T10:00", "--hours", "1"],
            "la fecha debe estar entre 1900 y 2100",
        ),
        (
            ["between", "--tenant", "chalco", "2026-01-01", "2101-01-01T06:00Z"],
            "la fecha debe estar entre 1900 y 2100",
        ),
        (["holidays", "--tenant", "chalco", "--year", "10000"], "el año debe estar entre"),
    ],
)
def test_bad_input_is_a_clear_error_on_stderr(demo, runner, args, message):
    result = calendar(runner, *args)
    assert result.exit_code != 0
    assert message in result.stderr
    assert result.stdout == ""
