"""Forms of the tenant admin and superadmin pages."""

from __future__ import annotations

from datetime import time
from typing import Any
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import EmailField
from wtforms import FieldList
from wtforms import Form
from wtforms import FormField
from wtforms import IntegerField
from wtforms import PasswordField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import widgets
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.validators import Regexp
from wtforms.validators import ValidationError

from helpdesk import office_hours
from helpdesk.forms.validators import choices
from helpdesk.forms.validators import email_address
from helpdesk.forms.validators import password_strength
from helpdesk.forms.validators import slug
from helpdesk.forms.validators import strip

UNIT_KIND_CHOICES = [
    ("dependencia", _l("Administrative office (dependencia)")),
    ("organismo", _l("Decentralised body (organismo)")),
    ("external", _l("External (media, citizens)")),
]
DURATION_UNIT_CHOICES = [("hours", _l("business hours")), ("days", _l("business days"))]
ROLE_CHOICES = [
    ("requester", _l("Requester")),
    ("coordinator", _l("Coordinator")),
    ("agent", _l("Agent (technician)")),
    ("tenant_admin", _l("Tenant administrator")),
]
TENANT_KIND_CHOICES = [("municipality", _l("Municipality")), ("state", _l("State government"))]
HHMM = Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", message=_l("Use the 24-hour format HH:MM."))


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class UnitForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)], filters=[strip])
    acronym = StringField(_l("Acronym"), validators=[Optional(), Length(max=40)], filters=[strip])
    kind = SelectField(_l("Kind"), choices=choices(UNIT_KIND_CHOICES), validators=[DataRequired()])
    active = BooleanField(_l("Active"), default=True)


class DepartmentForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Length(max=20),
            Regexp(r"^[A-Za-z0-9-]+$", message=_l("Use letters, digits and hyphens only.")),
        ],
        filters=[strip],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)], filters=[strip])
    active = BooleanField(_l("Active"), default=True)


class UserForm(FlaskForm):
    name = StringField(
        _l("Full name"), validators=[DataRequired(), Length(max=200)], filters=[strip]
    )
    email = EmailField(
        _l("E-mail"), validators=[DataRequired(), email_address, Length(max=254)], filters=[strip]
    )
    roles = MultiCheckboxField(_l("Roles"), choices=choices(ROLE_CHOICES))
    # No Optional() here: it would stop the chain on an empty value, skipping the
    # validate_* checks below (a requester saved without a unit). "0" means none.
    unit_id = SelectField(_l("Requesting unit"), coerce=int)
    department_id = SelectField(_l("Department"), coerce=int)
    password = PasswordField(
        _l("Password"),
        validators=[Optional(), password_strength],
        description=_l("Leave empty to keep the current password."),
    )
    active = BooleanField(_l("Active"), default=True)

    def validate_roles(self, field: MultiCheckboxField) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one role."))

    def validate_unit_id(self, field: SelectField) -> None:
        if "requester" in (self.roles.data or []) and not field.data:
            raise ValidationError(_l("A requester belongs to a requesting unit."))

    def validate_department_id(self, field: SelectField) -> None:
        if "agent" in (self.roles.data or []) and not field.data:
            raise ValidationError(_l("An agent belongs to a department."))


class DayHoursForm(Form):
    opens = StringField(_l("Opens"), validators=[Optional(), HHMM], filters=[strip])
    closes = StringField(_l("Closes"), validators=[Optional(), HHMM], filters=[strip])


class ServiceSettingsForm(FlaskForm):
    enabled = BooleanField(_l("Offered in this tenant"))
    department_id = SelectField(_l("Handling department"), coerce=int)
    respond_amount = IntegerField(
        _l("Time to turn or respond"), validators=[Optional(), NumberRange(min=1, max=10000)]
    )
    respond_unit = SelectField(_l("Unit"), choices=choices(DURATION_UNIT_CHOICES))
    resolve_amount = IntegerField(
        _l("Time to resolve"), validators=[Optional(), NumberRange(min=1, max=10000)]
    )
    resolve_unit = SelectField(_l("Unit"), choices=choices(DURATION_UNIT_CHOICES))
    custom_hours = BooleanField(_l("Use office hours of its own"))
    days = FieldList(FormField(DayHoursForm), min_entries=7, max_entries=7)

    def validate(self, extra_validators: dict | None = None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.custom_hours.data:
            try:
                self.parsed_hours = office_hours.validate(self._hours())
            except office_hours.OfficeHoursError as exc:
                message = translate_weekday_params(exc)
                self.custom_hours.errors = [*self.custom_hours.errors, message]
                ok = False
        return ok

    def _hours(self) -> dict[int, tuple[tuple[time, time], ...]]:
        return hours_from_days(self.days.entries)


def hours_from_days(entries: list[Any]) -> dict[int, tuple[tuple[time, time], ...]]:
    """Weekly hours from seven DayHoursForm entries (Monday first); blank days are closed.

    :raises office_hours.OfficeHoursError: a day with only one of its two times.
    """
    hours: dict[int, tuple[tuple[time, time], ...]] = {}
    for day, entry in enumerate(entries):
        opens, closes = entry.form.opens.data, entry.form.closes.data
        if not opens and not closes:
            continue
        if not opens or not closes:
            raise office_hours.OfficeHoursError(
                office_hours.N_("%(day)s: give both the opening and closing time, or neither."),
                day=office_hours.WEEKDAY_NAMES[day],
            )
        hours[day] = ((office_hours.parse_time(opens), office_hours.parse_time(closes)),)
    return hours


def translate_weekday_params(exc: office_hours.OfficeHoursError) -> str:
    """The error in the user's language, weekday name included."""
    params = dict(exc.params)
    if params.get("day") in office_hours.WEEKDAY_NAMES:
        weekday = params["day"]  # a variable, so the extractor does not take "day" as a message
        params["day"] = gettext(weekday)
    return gettext(exc.template, **params)


class TenantForm(FlaskForm):
    slug = StringField(
        _l("Short name (in addresses)"), validators=[DataRequired(), slug], filters=[strip]
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)], filters=[strip])
    kind = SelectField(_l("Kind"), choices=choices(TENANT_KIND_CHOICES))
    timezone = StringField(
        _l("Time zone"), default="America/Mexico_City", validators=[DataRequired()]
    )
    active = BooleanField(_l("Active"), default=True)

    def validate_timezone(self, field: StringField) -> None:
        try:
            ZoneInfo(field.data)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(_l("Unknown time zone (example: America/Mexico_City).")) from None
