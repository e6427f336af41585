"""The tenant's business calendar: time zone, office hours and non-working days.

Every change is checked whole before anything is written: a calendar that would
leave this year or the next without a working day
(:func:`helpdesk.tenant_calendar.check_usable`) is refused and the stored one kept.
"""

from __future__ import annotations

from datetime import date

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from helpdesk import office_hours
from helpdesk import sla
from helpdesk import tallies
from helpdesk import tenant_calendar
from helpdesk.extensions import db
from helpdesk.forms.admin import translate_weekday_params
from helpdesk.forms.calendar import MEXICAN_ZONES
from helpdesk.forms.calendar import AddDaysForm
from helpdesk.forms.calendar import CalendarActionForm
from helpdesk.forms.calendar import CalendarSettingsForm
from helpdesk.forms.calendar import valid_year
from helpdesk.models import NonWorkingDay
from helpdesk.models import Tenant
from helpdesk.office_hours import OfficeHoursError
from helpdesk.tenancy import get_or_404
from helpdesk.tenancy import require_tenant
from helpdesk.views.admin import bp


def _year() -> int:
    """The year asked for (?year=), or the current one."""
    year = request.args.get("year", type=int)
    if year is None or not valid_year(year):
        return date.today().year
    return year


def _checked_action() -> None:
    """The list's buttons post a CSRF-only form (also checked app-wide)."""
    if not CalendarActionForm().validate_on_submit():
        abort(400)


def _back(year: int) -> Response:
    return redirect(url_for(".calendar", year=year))


def _page(
    tenant: Tenant,
    year: int,
    settings: CalendarSettingsForm | None = None,
    add: AddDaysForm | None = None,
) -> str:
    if settings is None:
        settings = CalendarSettingsForm(formdata=None)
        settings.fill(tenant.timezone, tenant_calendar.tenant_hours(tenant))
    own = {
        row.day: row
        for row in db.session.scalars(
            select(NonWorkingDay).where(
                NonWorkingDay.day >= date(year, 1, 1), NonWorkingDay.day <= date(year, 12, 31)
            )
        )
    }
    return render_template(
        "admin/calendar.html",
        year=year,
        settings=settings,
        add=add or AddDaysForm(formdata=None),
        action=CalendarActionForm(formdata=None),
        listing=tenant_calendar.year_listing(tenant, year),
        own=own,
        zones=MEXICAN_ZONES,
    )


@bp.route("/calendar", methods=["GET", "POST"])
def calendar() -> str | Response:
    tenant = require_tenant()
    year = _year()
    if request.method == "GET":
        return _page(tenant, year)
    form = CalendarSettingsForm()
    if form.validate_on_submit():
        try:
            tenant_calendar.check_usable(tenant, form.parsed_hours)
        except OfficeHoursError as exc:
            form.form_errors.append(translate_weekday_params(exc))
        else:
            moved = tenant.timezone != form.timezone.data
            tenant.timezone = form.timezone.data
            tenant.office_hours = office_hours.to_json(form.parsed_hours)
            if moved:
                # The tally counts local days: in another zone they are other days.
                db.session.flush()
                tallies.rebuild(tenant.id)
            _save(tenant)
            flash(_("Time zone and office hours saved."), "success")
            return _back(year)
    return _page(tenant, year, settings=form)


def _refuse_taken(form: AddDaysForm, first: date, last: date) -> list[date] | None:
    """The days to add, or None after noting why none may be added."""
    taken = db.session.scalar(
        select(NonWorkingDay.day)
        .where(NonWorkingDay.day >= first, NonWorkingDay.day <= last)
        .order_by(NonWorkingDay.day)
        .limit(1)
    )
    official = tenant_calendar.official_rest_days(range(first.year, last.year + 1))
    if taken is None and first == last and first in official:
        taken = first
    if taken is not None:
        form.form_errors.append(
            _("%(date)s is already in the list.", date=format_date(taken, "long"))
        )
        return None
    # Official rest days inside a period are already closed: the period skips them.
    days = [day for day in tenant_calendar.date_range(first, last) if day not in official]
    if not days:
        form.form_errors.append(_("Every day of the period is already in the list."))
        return None
    return days


@bp.post("/calendar/days")
def add_calendar_days() -> str | Response:
    tenant = require_tenant()
    year = _year()
    form = AddDaysForm()
    if form.validate_on_submit():
        first, last = form.period
        days = _refuse_taken(form, first, last)
        if days is not None:
            try:
                tenant_calendar.check_usable(
                    tenant, tenant_calendar.tenant_hours(tenant), extra_closed=days
                )
            except OfficeHoursError as exc:
                form.form_errors.append(translate_weekday_params(exc))
            else:
                for day in days:
                    db.session.add(NonWorkingDay(tenant_id=tenant.id, day=day, name=form.name.data))
                try:
                    _save(tenant)
                except IntegrityError:  # added meanwhile by someone else
                    db.session.rollback()
                    form.form_errors.append(_("A day of the period is already in the list."))
                else:
                    count = len(days)
                    flash(
                        ngettext(
                            "%(num)s non-working day added.",
                            "%(num)s non-working days added.",
                            count,
                        ),
                        "success",
                    )
                    return _back(first.year)
    return _page(tenant, year, add=form)


def _official_day(text: str) -> tuple[date, str]:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise NotFound() from None
    name = None
    if valid_year(day.year):
        name = tenant_calendar.official_rest_days([day.year]).get(day)
    if name is None:
        raise NotFound()
    return day, name


def _save(tenant: Tenant) -> None:
    """Commit a calendar change with the open tickets' due moments recomputed under it."""
    db.session.flush()
    sla.refresh_open(tenant)
    db.session.commit()


@bp.post("/calendar/official/<day>/work")
def work_official_day(day: str) -> Response:
    """Mark an official rest day as worked in this tenant."""
    tenant = require_tenant()
    worked, name = _official_day(day)
    _checked_action()
    exists = db.session.scalar(select(NonWorkingDay.id).where(NonWorkingDay.day == worked))
    if exists is not None:
        flash(_("%(date)s is already in the list.", date=format_date(worked, "long")), "error")
        return _back(worked.year)
    db.session.add(NonWorkingDay(tenant_id=tenant.id, day=worked, name=name, working=True))
    try:
        _save(tenant)
    except IntegrityError:
        db.session.rollback()
        flash(_("%(date)s is already in the list.", date=format_date(worked, "long")), "error")
    else:
        flash(_("%(date)s is now a working day.", date=format_date(worked, "long")), "success")
    return _back(worked.year)


@bp.post("/calendar/days/<int:day_id>/delete")
def delete_calendar_day(day_id: int) -> Response:
    """Remove a day of the tenant's own, or restore an official rest day it worked."""
    tenant = require_tenant()
    row = get_or_404(NonWorkingDay, day_id)
    _checked_action()
    when, restoring = row.day, row.working
    db.session.delete(row)
    if restoring:
        # Closing the day again must leave working days in this year and the next.
        db.session.flush()
        try:
            tenant_calendar.check_usable(tenant, tenant_calendar.tenant_hours(tenant))
        except OfficeHoursError as exc:
            db.session.rollback()
            flash(translate_weekday_params(exc), "error")
            return _back(when.year)
    _save(tenant)
    if restoring:
        message = _("%(date)s is an official rest day again.", date=format_date(when, "long"))
    else:
        message = _("%(date)s removed from the non-working days.", date=format_date(when, "long"))
    flash(message, "success")
    return _back(when.year)
