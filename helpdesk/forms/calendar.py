"""Forms of the tenant's business calendar page (helpdesk/views/admin/calendar.py)."""

from __future__ import annotations

from datetime import date
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms import FieldList
from wtforms import Form
from wtforms import FormField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import Regexp
from wtforms.validators import ValidationError

from helpdesk import office_hours
from helpdesk.forms.admin import HHMM
from helpdesk.forms.admin import hours_from_days
from helpdesk.forms.admin import translate_weekday_params
from helpdesk.forms.validators import strip

# A closing time may be "24:00": the office works until midnight.
CLOSING_HHMM = Regexp(
    r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$",
    message=_l("Use the 24-hour format HH:MM (24:00 for midnight)."),
)
# The years the page lists and accepts dates in.
FIRST_YEAR = 1900
LAST_YEAR = 2199
# A vacation period adds one row per day; a longer span is surely a typo.
MAX_PERIOD_DAYS = 366
MEXICAN_ZONES = (
    "America/Mexico_City",
    "America/Cancun",
    "America/Merida",
    "America/Monterrey",
    "America/Matamoros",
    "America/Chihuahua",
    "America/Ciudad_Juarez",
    "America/Ojinaga",
    "America/Mazatlan",
    "America/Bahia_Banderas",
    "America/Hermosillo",
    "America/Tijuana",
)


def valid_year(year: int | None) -> bool:
    return year is not None and FIRST_YEAR <= year <= LAST_YEAR


class CalendarDayHoursForm(Form):
    opens = StringField(_l("Opens"), validators=[Optional(), HHMM], filters=[strip])
    closes = StringField(_l("Closes"), validators=[Optional(), CLOSING_HHMM], filters=[strip])


class CalendarSettingsForm(FlaskForm):
    """The tenant's time zone and one opening/closing pair per weekday."""

    timezone = StringField(
        _l("Time zone"),
        default="America/Mexico_City",
        validators=[DataRequired(), Length(max=64)],
        filters=[strip],
        description=_l("An IANA zone name, for example America/Mexico_City."),
    )
    days = FieldList(FormField(CalendarDayHoursForm), min_entries=7, max_entries=7)

    parsed_hours: dict[int, tuple[tuple[time, time], ...]]

    def validate_timezone(self, field: StringField) -> None:
        try:
            ZoneInfo(field.data)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(_l("Unknown time zone (example: America/Mexico_City).")) from None

    def validate(self, extra_validators: dict | None = None) -> bool:
        ok = super().validate(extra_validators)
        if ok:
            try:
                self.parsed_hours = office_hours.validate(self._hours())
            except office_hours.OfficeHoursError as exc:
                self.form_errors.append(translate_weekday_params(exc))
                ok = False
        return ok

    def fill(self, zone: str, hours: office_hours.WeeklyHours) -> None:
        """Show the stored zone and hours (the first interval of each day)."""
        self.timezone.data = zone
        for day, entry in enumerate(self.days.entries):
            intervals = hours.get(day) or ()
            if intervals:
                entry.form.opens.data = office_hours.format_time(intervals[0][0])
                entry.form.closes.data = office_hours.format_time(intervals[0][1])

    def _hours(self) -> dict[int, tuple[tuple[time, time], ...]]:
        return hours_from_days(self.days.entries)


def _year_in_range(form: Any, field: DateField) -> None:
    if field.data is not None and not valid_year(field.data.year):
        raise ValidationError(
            _l(
                "Choose a date between the years %(first)s and %(last)s.",
                first=FIRST_YEAR,
                last=LAST_YEAR,
            )
        )


class AddDaysForm(FlaskForm):
    """A non-working day of the tenant's own, or a period (one row per day)."""

    first = DateField(_l("Date"), validators=[InputRequired(), _year_in_range])
    last = DateField(
        _l("Last day of the period"),
        validators=[Optional(), _year_in_range],
        description=_l("Leave empty to add a single day."),
    )
    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=120)],
        filters=[strip],
        description=_l("For example: Winter vacation, Day of the town's patron saint."),
    )

    def validate_last(self, field: DateField) -> None:
        first = self.first.data
        if field.data is None or first is None:
            return
        if field.data < first:
            raise ValidationError(_l("The period ends before it starts."))
        if (field.data - first).days + 1 > MAX_PERIOD_DAYS:
            raise ValidationError(
                _l("A period can span at most %(days)s days.", days=MAX_PERIOD_DAYS)
            )

    @property
    def period(self) -> tuple[date, date]:
        """The first and last day (the same day when no last day was given)."""
        return self.first.data, self.last.data or self.first.data


class CalendarActionForm(FlaskForm):
    """The buttons of the list (remove, mark as worked, restore): CSRF only."""
