"""The tenant's business calendar page (helpdesk/views/admin/calendar.py).

Pages are read in English (the msgids), so the assertions hold whatever the
Spanish catalog says.
"""

from __future__ import annotations

from datetime import date
from datetime import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from helpdesk import tenant_calendar
from helpdesk.extensions import db
from helpdesk.models import NonWorkingDay
from helpdesk.models import Tenant
from helpdesk.office_hours import END_OF_DAY
from helpdesk.testing import Browser

URL = "/chalco/admin/calendar"
THIS_YEAR = date.today().year
NEXT_YEAR = THIS_YEAR + 1


# --- helpers ------------------------------------------------------------------------------


def admin(login_as, role="tenant_admin", tenant="chalco"):
    """A signed-in browser reading the pages in English."""
    browser = login_as(role, tenant=tenant)
    browser.post("/idioma", {"locale": "en", "next": "/"})
    return browser


def html_of(response):
    return response.get_data(as_text=True)


def tenant_state(app, slug="chalco"):
    """What the calendar page may change: the zone, the hours and the tenant's days."""
    with app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
        days = db.session.scalars(
            select(NonWorkingDay)
            .where(NonWorkingDay.tenant_id == tenant.id)
            .order_by(NonWorkingDay.day)
        )
        return {
            "timezone": tenant.timezone,
            "office_hours": tenant.office_hours,
            "days": [(d.day, d.name, d.working) for d in days],
        }


def own_days(app, slug="chalco"):
    return tenant_state(app, slug)["days"]


def day_id(app, day, slug="chalco"):
    with app.app_context():
        statement = (
            select(NonWorkingDay.id)
            .join(Tenant, Tenant.id == NonWorkingDay.tenant_id)
            .where(Tenant.slug == slug, NonWorkingDay.day == day)
        )
        return db.session.scalars(statement).one()


def add_rows(app, rows, slug="chalco"):
    """Insert (day, name, working) rows straight into the database."""
    with app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
        for day, name, working in rows:
            db.session.add(NonWorkingDay(tenant_id=tenant.id, day=day, name=name, working=working))
        db.session.commit()


def set_hours(app, hours, slug="chalco"):
    with app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
        tenant.office_hours = hours
        db.session.commit()


def calendar_of(app, slug="chalco"):
    with app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
        return tenant_calendar.calendar_for(tenant)


def official(year):
    return tenant_calendar.official_rest_days([year])


def plain_weekday(year, month=3, day=1):
    """The first Monday-to-Friday date from year-month-day that is no official rest day."""
    found = date(year, month, day)
    while found.weekday() > 4 or found in official(year):
        found += timedelta(days=1)
    return found


def official_weekday(year):
    """An official rest day of ``year`` falling Monday to Friday."""
    return next(day for day in sorted(official(year)) if day.weekday() < 5)


def settings_form(timezone="America/Mexico_City", **changes):
    """Monday to Friday 09:00-16:00, the other days closed, then ``changes``."""
    data = {"timezone": timezone}
    for day in range(7):
        open_day = day < 5
        data[f"days-{day}-opens"] = "09:00" if open_day else ""
        data[f"days-{day}-closes"] = "16:00" if open_day else ""
    return data | changes


# --- who may enter ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, status",
    [
        (None, 302),
        ("requester", 403),
        ("coordinator", 403),
        ("agent", 403),
        ("tenant_admin", 200),
        ("superadmin", 200),
    ],
)
def test_calendar_page_checks_the_role(login_as, demo, role, status):
    browser = login_as(role) if role else Browser(demo.test_client())
    response = browser.get(URL)
    assert response.status_code == status, html_of(response)[:300]
    if role is None:
        assert response.headers["Location"].startswith("/login?next=")


def test_another_tenants_admin_gets_404(login_as, demo):
    browser = login_as("tenant_admin", tenant="sinaloa")
    assert browser.get(URL).status_code == 404
    assert browser.get("/sinaloa/admin/calendar").status_code == 200


@pytest.mark.parametrize("role, status", [(None, 302), ("requester", 403), ("agent", 403)])
def test_changes_need_the_admin_role(login_as, demo, role, status):
    holiday = official_weekday(NEXT_YEAR)
    add_rows(demo, [(plain_weekday(NEXT_YEAR), "Feria", False)])
    own = day_id(demo, plain_weekday(NEXT_YEAR))
    before = tenant_state(demo)
    browser = login_as(role) if role else Browser(demo.test_client())
    posts = [
        (URL, settings_form("America/Tijuana")),
        (f"{URL}/days", {"first": plain_weekday(NEXT_YEAR, 6).isoformat(), "name": "Feria"}),
        (f"{URL}/official/{holiday.isoformat()}/work", {}),
        (f"{URL}/days/{own}/delete", {}),
    ]
    for url, data in posts:
        assert browser.post(url, data).status_code == status, url
    assert tenant_state(demo) == before


def test_forms_without_csrf_token_are_refused(login_as, demo):
    browser = admin(login_as)
    add_rows(demo, [(plain_weekday(NEXT_YEAR), "Feria", False)])
    own = day_id(demo, plain_weekday(NEXT_YEAR))
    before = tenant_state(demo)
    posts = [
        (URL, settings_form("America/Tijuana")),
        (f"{URL}/days", {"first": plain_weekday(NEXT_YEAR, 6).isoformat(), "name": "Feria"}),
        (f"{URL}/official/{official_weekday(NEXT_YEAR).isoformat()}/work", {}),
        (f"{URL}/days/{own}/delete", {}),
    ]
    for url, data in posts:
        assert browser.client.post(url, data=data).status_code == 400, url
    assert tenant_state(demo) == before


# --- the page -----------------------------------------------------------------------------


def test_page_shows_zone_hours_and_the_years_official_days(login_as, demo):
    browser = admin(login_as)
    html = html_of(browser.get(URL))
    assert 'id="timezone" list="mexican-zones"' in html
    assert 'value="America/Mexico_City"' in html
    assert 'name="days-0-opens" placeholder="09:00" size="5" type="text" value="09:00"' in html
    assert 'name="days-4-closes" placeholder="16:00" size="5" type="text" value="16:00"' in html
    assert 'name="days-6-opens" placeholder="09:00" size="5" type="text" value=""' in html
    assert f"Non-working days of {THIS_YEAR}" in html
    for day in official(THIS_YEAR):
        assert f'<time datetime="{day.isoformat()}">' in html
    assert "Official rest day" in html
    assert "Work this day" in html
    assert 'name="csrf_token"' in html

    html = html_of(browser.get(f"{URL}?year=2025"))
    assert "Non-working days of 2025" in html
    assert '<time datetime="2025-12-25">' in html and "Navidad" in html
    assert '<time datetime="2025-02-03">' in html  # first Monday of February
    # A year out of range or unreadable falls back to the current one.
    for bad in ("abc", "0", "99999"):
        assert f"Non-working days of {THIS_YEAR}" in html_of(browser.get(f"{URL}?year={bad}"))


def test_admin_pages_link_to_the_calendar(login_as, demo):
    html = html_of(admin(login_as).get("/chalco/admin/"))
    assert f'<a href="{URL}">Business calendar</a>' in html


# --- time zone and office hours -----------------------------------------------------------


def test_save_zone_and_hours(login_as, demo):
    browser = admin(login_as)
    data = settings_form("America/Tijuana", **{"days-0-opens": "08:00", "days-0-closes": "15:30"})
    data |= {"days-5-opens": "10:00", "days-5-closes": "24:00"}
    data |= {"days-4-opens": "", "days-4-closes": ""}
    response = browser.post(URL, data)
    assert response.status_code == 302, html_of(response)
    assert response.headers["Location"] == f"{URL}?year={THIS_YEAR}"
    state = tenant_state(demo)
    assert state["timezone"] == "America/Tijuana"
    assert state["office_hours"] == {
        "0": [["08:00", "15:30"]],
        "1": [["09:00", "16:00"]],
        "2": [["09:00", "16:00"]],
        "3": [["09:00", "16:00"]],
        "5": [["10:00", "24:00"]],
    }
    html = html_of(browser.get(response.headers["Location"]))
    assert "Time zone and office hours saved." in html
    assert 'value="America/Tijuana"' in html
    assert 'name="days-5-closes" placeholder="16:00" size="5" type="text" value="24:00"' in html

    calendar = calendar_of(demo)
    assert calendar.zone.key == "America/Tijuana"
    assert calendar.week[0] == ((time(8), time(15, 30)),)
    assert calendar.week[5] == ((time(10), END_OF_DAY),)
    saturday = plain_weekday(NEXT_YEAR)
    saturday += timedelta(days=5 - saturday.weekday())
    friday = saturday - timedelta(days=1)
    assert calendar.is_working_day(saturday)
    assert not calendar.is_working_day(friday)


def sundays_of(year):
    day = date(year, 1, 1)
    day += timedelta(days=(6 - day.weekday()) % 7)
    while day.year == year:
        yield day
        day += timedelta(days=7)


@pytest.mark.parametrize(
    "changes, message",
    [
        (
            {f"days-{d}-{end}": "" for d in range(7) for end in ("opens", "closes")},
            "The office hours must have at least one open day.",
        ),
        (
            {"days-0-opens": "16:00", "days-0-closes": "09:00"},
            "Monday: closing time (09:00) must be after opening time (16:00).",
        ),
        (
            {"days-1-opens": "12:00", "days-1-closes": "12:00"},
            "Tuesday: closing time (12:00) must be after opening time (12:00).",
        ),
        ({"days-2-closes": ""}, "Wednesday: give both the opening and closing time, or neither."),
        (
            {"days-5-closes": "14:00"},
            "Saturday: give both the opening and closing time, or neither.",
        ),
        ({"days-0-opens": "9am"}, "Use the 24-hour format HH:MM."),
        ({"days-0-opens": "24:00"}, "Use the 24-hour format HH:MM."),
        ({"days-0-closes": "24:30"}, "Use the 24-hour format HH:MM (24:00 for midnight)."),
        ({"timezone": "America/Chalco"}, "Unknown time zone (example: America/Mexico_City)."),
        ({"timezone": "../../etc/passwd"}, "Unknown time zone (example: America/Mexico_City)."),
        ({"timezone": ""}, "This field is required."),
    ],
)
def test_bad_zone_or_hours_are_refused(login_as, demo, changes, message):
    browser = admin(login_as)
    before = tenant_state(demo)
    response = browser.post(URL, settings_form("America/Tijuana") | changes)
    html = html_of(response)
    assert response.status_code == 200
    assert message in html
    assert 'role="alert"' in html
    assert tenant_state(demo) == before
    # What was typed is shown again for correction.
    for name, value in changes.items():
        if value and name != "timezone":
            assert f'name="{name}" placeholder' in html and f'value="{value}"' in html


def test_hours_leaving_a_year_without_working_days_are_refused(login_as, demo):
    add_rows(demo, [(day, "Domingo cerrado", False) for day in sundays_of(THIS_YEAR)])
    browser = admin(login_as)
    before = tenant_state(demo)
    changes = {f"days-{d}-{end}": "" for d in range(6) for end in ("opens", "closes")}
    changes |= {"days-6-opens": "10:00", "days-6-closes": "14:00"}
    response = browser.post(URL, settings_form("America/Tijuana", **changes))
    assert response.status_code == 200
    assert f"The calendar leaves no working day in {THIS_YEAR}." in html_of(response)
    assert tenant_state(demo) == before


def test_zone_is_escaped(login_as, demo):
    browser = admin(login_as)
    response = browser.post(URL, settings_form("<script>alert(1)</script>"))
    html = html_of(response)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in html


# --- the tenant's own days ----------------------------------------------------------------


def test_add_a_day(login_as, demo):
    browser = admin(login_as)
    day = plain_weekday(NEXT_YEAR, 7, 15)
    assert calendar_of(demo).is_working_day(day)
    response = browser.post(f"{URL}/days", {"first": day.isoformat(), "name": "Feria del pueblo"})
    assert response.status_code == 302, html_of(response)
    assert response.headers["Location"] == f"{URL}?year={NEXT_YEAR}"
    assert own_days(demo) == [(day, "Feria del pueblo", False)]
    html = html_of(browser.get(response.headers["Location"]))
    assert "1 non-working day added." in html
    assert f'<time datetime="{day.isoformat()}">' in html
    assert "Feria del pueblo" in html and "Non-working day of this tenant" in html
    assert not calendar_of(demo).is_working_day(day)
    # Another tenant's calendar is untouched.
    assert calendar_of(demo, "sinaloa").is_working_day(day)
    assert "Feria del pueblo" not in html_of(
        admin(login_as, tenant="sinaloa").get(f"/sinaloa/admin/calendar?year={NEXT_YEAR}")
    )


def test_add_a_period_skips_the_official_days_in_it(login_as, demo):
    browser = admin(login_as)
    first, last = date(NEXT_YEAR, 12, 21), date(NEXT_YEAR + 1, 1, 3)
    data = {"first": first.isoformat(), "last": last.isoformat(), "name": "Vacaciones"}
    response = browser.post(f"{URL}/days", data)
    assert response.status_code == 302, html_of(response)
    assert response.headers["Location"] == f"{URL}?year={NEXT_YEAR}"
    period = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    skipped = {date(NEXT_YEAR, 12, 25), date(NEXT_YEAR + 1, 1, 1)}
    added = [(day, "Vacaciones", False) for day in period if day not in skipped]
    assert own_days(demo) == added
    assert f"{len(added)} non-working days added." in html_of(
        browser.get(response.headers["Location"])
    )
    calendar = calendar_of(demo)
    assert not any(calendar.is_working_day(day) for day in period)
    assert calendar.is_working_day(plain_weekday(NEXT_YEAR + 1, 1, 4))
    html = html_of(browser.get(f"{URL}?year={NEXT_YEAR + 1}"))
    assert f'<time datetime="{date(NEXT_YEAR + 1, 1, 2).isoformat()}">' in html


def test_delete_an_own_day(login_as, demo):
    browser = admin(login_as)
    day = plain_weekday(NEXT_YEAR, 5, 20)
    add_rows(demo, [(day, "Feria", False)])
    assert not calendar_of(demo).is_working_day(day)
    html = html_of(browser.get(f"{URL}?year={NEXT_YEAR}"))
    own = day_id(demo, day)
    assert f'action="{URL}/days/{own}/delete"' in html
    response = browser.post(f"{URL}/days/{own}/delete")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{URL}?year={NEXT_YEAR}"
    assert own_days(demo) == []
    assert "removed from the non-working days." in html_of(
        browser.get(response.headers["Location"])
    )
    assert calendar_of(demo).is_working_day(day)
    assert browser.post(f"{URL}/days/{own}/delete").status_code == 404


def test_day_names_are_escaped(login_as, demo):
    browser = admin(login_as)
    day = plain_weekday(NEXT_YEAR, 8)
    browser.post(f"{URL}/days", {"first": day.isoformat(), "name": "<b>Fiesta</b>"})
    html = html_of(browser.get(f"{URL}?year={NEXT_YEAR}"))
    assert "<b>Fiesta</b>" not in html
    assert "&lt;b&gt;Fiesta&lt;/b&gt;" in html


# --- official rest days -------------------------------------------------------------------


def test_mark_an_official_day_as_worked_and_restore_it(login_as, demo):
    browser = admin(login_as)
    holiday = official_weekday(NEXT_YEAR)
    name = official(NEXT_YEAR)[holiday]
    assert not calendar_of(demo).is_working_day(holiday)
    html = html_of(browser.get(f"{URL}?year={NEXT_YEAR}"))
    work_url = f"{URL}/official/{holiday.isoformat()}/work"
    assert f'action="{work_url}"' in html

    response = browser.post(work_url)
    assert response.status_code == 302
    assert response.headers["Location"] == f"{URL}?year={NEXT_YEAR}"
    assert own_days(demo) == [(holiday, name, True)]
    assert calendar_of(demo).is_working_day(holiday)
    html = html_of(browser.get(response.headers["Location"]))
    assert "is now a working day." in html
    assert "Official rest day, worked here" in html and "Restore as rest day" in html
    listing = {entry.day: entry for entry in year_listing(demo, NEXT_YEAR)}
    assert listing[holiday].working and listing[holiday].source == "official"

    # Marking it twice changes nothing.
    response = browser.post(work_url, follow_redirects=True)
    assert "is already in the list." in html_of(response)
    assert own_days(demo) == [(holiday, name, True)]

    worked = day_id(demo, holiday)
    assert f'action="{URL}/days/{worked}/delete"' in html
    response = browser.post(f"{URL}/days/{worked}/delete")
    assert response.status_code == 302
    assert own_days(demo) == []
    assert "is an official rest day again." in html_of(browser.get(response.headers["Location"]))
    assert not calendar_of(demo).is_working_day(holiday)


def year_listing(app, year, slug="chalco"):
    with app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
        return tenant_calendar.year_listing(tenant, year)


@pytest.mark.parametrize(
    "day", ["not-a-date", "2027-02-30", f"{NEXT_YEAR}-03-10", "0001-01-01", "9999-12-25"]
)
def test_only_official_days_can_be_worked(login_as, demo, day):
    browser = admin(login_as)
    assert browser.post(f"{URL}/official/{day}/work").status_code == 404
    assert own_days(demo) == []


def test_restoring_a_day_that_leaves_no_working_day_is_refused(login_as, demo):
    holiday = official_weekday(THIS_YEAR)
    weekday = holiday.weekday()
    set_hours(demo, {str(weekday): [["09:00", "14:00"]]})
    others = [
        day
        for day in tenant_calendar.date_range(date(THIS_YEAR, 1, 1), date(THIS_YEAR, 12, 31))
        if day.weekday() == weekday and day not in official(THIS_YEAR)
    ]
    rows = [(day, "Cerrado", False) for day in others]
    add_rows(demo, [*rows, (holiday, official(THIS_YEAR)[holiday], True)])
    before = tenant_state(demo)
    browser = admin(login_as)
    response = browser.post(f"{URL}/days/{day_id(demo, holiday)}/delete", follow_redirects=True)
    assert response.status_code == 200
    assert f"The calendar leaves no working day in {THIS_YEAR}." in html_of(response)
    assert tenant_state(demo) == before
    assert calendar_of(demo).is_working_day(holiday)


# --- bad days -----------------------------------------------------------------------------


def test_a_day_already_in_the_list_is_refused(login_as, demo):
    browser = admin(login_as)
    taken = plain_weekday(NEXT_YEAR, 4, 6)
    add_rows(demo, [(taken, "Semana Santa", False)])
    holiday = official_weekday(NEXT_YEAR)
    worked = official_weekday(NEXT_YEAR + 1)
    add_rows(demo, [(worked, "Trabajado", True)])
    before = tenant_state(demo)
    cases = [
        {"first": taken.isoformat(), "name": "Otra vez"},
        {"first": holiday.isoformat(), "name": "Oficial"},
        {"first": worked.isoformat(), "name": "Oficial trabajado"},
        # A period overlapping a day of the list adds nothing at all.
        {
            "first": (taken - timedelta(days=3)).isoformat(),
            "last": (taken + timedelta(days=3)).isoformat(),
            "name": "Vacaciones",
        },
    ]
    for data in cases:
        response = browser.post(f"{URL}/days?year={NEXT_YEAR}", data)
        html = html_of(response)
        assert response.status_code == 200, data
        assert "is already in the list." in html, data
        assert f'value="{data["name"]}"' in html
        assert f"Non-working days of {NEXT_YEAR}" in html
        assert tenant_state(demo) == before


@pytest.mark.parametrize(
    "data, message",
    [
        ({"first": f"{NEXT_YEAR}-03-10", "name": ""}, "This field is required."),
        ({"first": f"{NEXT_YEAR}-03-10", "name": "   "}, "This field is required."),
        ({"first": "", "name": "Feria"}, "This field is required."),
        ({"first": f"10/03/{NEXT_YEAR}", "name": "Feria"}, "Not a valid date value."),
        ({"first": f"{NEXT_YEAR}-02-30", "name": "Feria"}, "Not a valid date value."),
        (
            {"first": f"{NEXT_YEAR}-03-10", "last": f"{NEXT_YEAR}-03-09", "name": "Vacaciones"},
            "The period ends before it starts.",
        ),
        (
            {"first": f"{NEXT_YEAR}-01-01", "last": f"{NEXT_YEAR + 1}-01-05", "name": "Vacaciones"},
            "A period can span at most 366 days.",
        ),
        (
            {"first": "1850-03-10", "name": "Feria"},
            "Choose a date between the years 1900 and 2199.",
        ),
        (
            {"first": f"{NEXT_YEAR}-03-10", "name": "x" * 121},
            "Field cannot be longer than 120 characters.",
        ),
        (
            {"first": f"{THIS_YEAR}-01-01", "last": f"{THIS_YEAR}-12-31", "name": "Cerrado"},
            f"The calendar leaves no working day in {THIS_YEAR}.",
        ),
        (
            {"first": f"{NEXT_YEAR}-01-01", "last": f"{NEXT_YEAR}-12-31", "name": "Cerrado"},
            f"The calendar leaves no working day in {NEXT_YEAR}.",
        ),
    ],
)
def test_bad_days_are_refused(login_as, demo, data, message):
    browser = admin(login_as)
    add_rows(demo, [(plain_weekday(NEXT_YEAR + 1, 9, 1), "Propio", False)])
    before = tenant_state(demo)
    response = browser.post(f"{URL}/days", data)
    html = html_of(response)
    assert response.status_code == 200
    assert message in html
    assert 'role="alert"' in html
    assert tenant_state(demo) == before


# --- tenant scoping -----------------------------------------------------------------------


def test_another_tenants_day_is_404(login_as, demo):
    theirs = plain_weekday(NEXT_YEAR, 6, 10)
    add_rows(demo, [(theirs, "Feria de Culiacán", False)], slug="sinaloa")
    ident = day_id(demo, theirs, slug="sinaloa")
    browser = admin(login_as)
    assert browser.post(f"{URL}/days/{ident}/delete").status_code == 404
    assert own_days(demo, "sinaloa") == [(theirs, "Feria de Culiacán", False)]
    assert "Feria de Culiacán" not in html_of(browser.get(f"{URL}?year={NEXT_YEAR}"))
    # The same date is free for this tenant.
    response = browser.post(f"{URL}/days", {"first": theirs.isoformat(), "name": "Feria"})
    assert response.status_code == 302
    assert own_days(demo) == [(theirs, "Feria", False)]


def test_a_new_non_working_day_moves_open_tickets_due_moments(login_as, demo, make_ticket):
    from helpdesk import sla
    from helpdesk.models import SlaClock

    data = {"mailbox": "obras@chalco.gob.mx", "request_kind": "fault", "fault_description": "x"}
    ticket_id = make_ticket("GCH-CCS-P09", data=data)

    def respond_due():
        with demo.app_context():
            row = db.session.scalar(
                select(SlaClock).where(
                    SlaClock.ticket_id == ticket_id, SlaClock.target == "respond"
                )
            )
            return sla.as_utc(row.due_at).astimezone(calendar_of(demo).zone)

    before = respond_due()
    browser = admin(login_as)
    response = browser.post(
        f"{URL}/days", {"first": before.date().isoformat(), "name": "Asueto municipal"}
    )
    assert response.status_code == 302, html_of(response)
    after = respond_due()
    # One business day: the same time of day on the next working day after the new holiday.
    assert after.date() > before.date()
    assert after.time() == before.time()
    assert calendar_of(demo).is_working_day(after.date())
