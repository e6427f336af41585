"""The request form of a service: its own fields plus the common ones.

One builder serves the portal, the desk (filing on someone's behalf) and
``helpdesk ticket file`` (JSON turned into form data), so every channel
validates a request the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from werkzeug.datastructures import MultiDict
from wtforms import EmailField
from wtforms import Form
from wtforms import HiddenField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.fields import FieldList
from wtforms.fields import FormField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from helpdesk.catalog import ServiceDefinition
from helpdesk.forms.validators import choices
from helpdesk.forms.validators import email_address
from helpdesk.forms.validators import strip

COMMON_FIELDS = ("unit_id", "liaison_name", "liaison_email", "liaison_phone", "attachments")
ON_BEHALF_FIELDS = ("requester_id", "channel")
CHANNEL_CHOICES = [
    ("phone", _l("Phone call")),
    ("oficio", _l("Paper oficio")),
    ("email", _l("E-mail")),
]


class EmptyServiceForm(Form):
    """For services that ask nothing beyond the common fields."""


class CommonFields(FlaskForm):
    unit_id = SelectField(_l("Requesting unit"), coerce=int, validators=[Optional()])
    attachments = MultipleFileField(
        _l("Attachments"),
        description=_l("PDF, images, Office or OpenDocument files; checked by their content."),
    )
    version = HiddenField()


class LiaisonFields(Form):
    liaison_name = StringField(
        _l("Liaison (enlace): full name"),
        validators=[DataRequired(), Length(max=200)],
        filters=[strip],
    )
    liaison_email = EmailField(
        _l("Liaison e-mail"), validators=[DataRequired(), email_address], filters=[strip]
    )
    liaison_phone = StringField(
        _l("Liaison phone"), validators=[DataRequired(), Length(max=40)], filters=[strip]
    )


class OnBehalfFields(Form):
    requester_id = SelectField(_l("Requester"), coerce=int, validators=[DataRequired()])
    channel = SelectField(_l("Received by"), choices=choices(CHANNEL_CHOICES))
    late_justification = TextAreaField(
        _l("Justification to accept it after the lead time (coordination only)"),
        validators=[Optional(), Length(max=1000)],
        filters=[strip],
    )


def form_class(
    service: ServiceDefinition, *, on_behalf: bool = False, liaison: bool = True
) -> type[FlaskForm]:
    """The combined form class: common fields, liaison when asked, the service's own.

    ``liaison=False`` leaves the enlace out (the correction form edits only the
    service's data; the enlace named at filing stays).
    """
    bases: list[type[Form]] = [CommonFields]
    if service.liaison_required and liaison:
        bases.append(LiaisonFields)
    if on_behalf:
        bases.append(OnBehalfFields)
    bases.append(service.form or EmptyServiceForm)
    return type(f"RequestForm_{service.code.replace('-', '_')}", tuple(bases), {})


def service_field_names(service: ServiceDefinition) -> list[str]:
    form = (service.form or EmptyServiceForm)()
    return [field.name for field in form]


def service_data(form: FlaskForm, service: ServiceDefinition) -> dict[str, Any]:
    """Only the service's own fields of a validated form (what goes in Ticket.data)."""
    names = service_field_names(service)
    return {name: form.data[name] for name in names}


def late_justification(form: FlaskForm) -> str | None:
    """The coordinator's reason to accept a late request (desk form only)."""
    field = getattr(form, "late_justification", None)
    return field.data if field is not None else None


def liaison_data(form: FlaskForm) -> dict[str, str] | None:
    if not hasattr(form, "liaison_email"):
        return None
    return {
        "name": form.liaison_name.data,
        "email": form.liaison_email.data,
        "phone": form.liaison_phone.data,
    }


def set_unit_choices(form: FlaskForm, units: Sequence[Any], required: bool) -> None:
    none = [] if required else [(0, "—")]
    form.unit_id.choices = choices(none + [(unit.id, unit.name) for unit in units])
    if required:
        form.unit_id.validators = [DataRequired()]


def add_requested_row(form: FlaskForm, formdata: Mapping[str, Any]) -> bool:
    """Handle the "add another" button of a list field (assets of P11); True if pressed."""
    name = formdata.get("add_row")
    field = getattr(form, name, None) if name else None
    if isinstance(field, FieldList):
        field.append_entry()
        return True
    return False


def describe(service: ServiceDefinition) -> list[dict[str, Any]]:
    """Each field of the service's request: name, label, type, required, choices."""
    form = form_class(service)(formdata=None, meta={"csrf": False})
    rows = []
    for field in form:
        if field.name in ("csrf_token", "version"):
            continue
        rows.append(_describe_field(field))
    return rows


def readable_data(service: ServiceDefinition, data: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The request's data as people read it: each field's label, and chosen
    options by their labels (nested rows, like P11's assets, too)."""
    described = {row["name"]: row for row in describe(service)}
    return [
        (described[key]["label"] if key in described else key, _readable(described.get(key), raw))
        for key, raw in data.items()
    ]


def _short(name: str) -> str:
    # Sub-fields are named after their parent ("assets-0-brand").
    return name.rsplit("-", 1)[-1]


def _readable(row: dict[str, Any] | None, raw: Any) -> Any:
    if row is None:
        return raw
    if "choices" in row:
        labels = {str(choice["value"]): choice["label"] for choice in row["choices"]}
        if isinstance(raw, list | tuple):
            return [labels.get(str(item), item) for item in raw]
        return raw if raw in (None, "") else labels.get(str(raw), raw)
    subs = row.get("fields") or row.get("entries")
    if subs and isinstance(raw, Mapping):
        return _readable_mapping(subs, raw)
    if subs and isinstance(raw, list):
        return [
            _readable_mapping(subs, item) if isinstance(item, Mapping) else item for item in raw
        ]
    return raw


def _readable_mapping(subs: list[dict[str, Any]], raw: Mapping[str, Any]) -> dict[str, Any]:
    by_name = {_short(sub["name"]): sub for sub in subs}
    return {
        (by_name[key]["label"] if key in by_name else key): _readable(by_name.get(key), value)
        for key, value in raw.items()
    }


def _describe_field(field: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "name": field.name,
        "label": str(field.label.text),
        "type": field.type,
        "required": bool(field.flags.required),
        "common": field.name in COMMON_FIELDS,
    }
    field_choices = getattr(field, "choices", None)
    if field_choices and field.name != "unit_id":
        row["choices"] = [
            {"value": choice[0], "label": str(choice[1])} for choice in field.iter_choices()
        ]
    if isinstance(field, FieldList):
        row["entries"] = [_describe_field(sub) for sub in field.entries[0]] if field.entries else []
    if isinstance(field, FormField):
        row["fields"] = [_describe_field(sub) for sub in field.form]
    return row


def json_to_formdata(data: Mapping[str, Any]) -> MultiDict:
    """Turn JSON (as a script would write it) into form data the form can read.

    Lists of scalars become repeated keys (multi-selects); lists of objects
    become ``name-0-field`` keys (FieldList of FormField); booleans become "y"
    or are left out, as a browser does.
    """
    pairs: list[tuple[str, str]] = []

    def add(prefix: str, value: Any) -> None:
        if isinstance(value, bool):
            if value:
                pairs.append((prefix, "y"))
        elif isinstance(value, Mapping):
            for key, sub in value.items():
                add(f"{prefix}-{key}", sub)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, Mapping):
                    add(f"{prefix}-{index}", item)
                else:
                    add(prefix, item)
        elif value is not None:
            pairs.append((prefix, str(value)))

    for key, value in data.items():
        add(key, value)
    return MultiDict(pairs)


def errors_as_text(form: Form) -> list[str]:
    """Flat "label: message" lines, for the command line."""
    lines = []

    def walk(errors: Any, label: str) -> None:
        if isinstance(errors, dict):
            for key, sub in errors.items():
                walk(sub, f"{label}.{key}" if label else str(key))
        elif isinstance(errors, list):
            for item in errors:
                walk(item, label)
        elif errors:
            lines.append(f"{label}: {errors}")

    for field in form:
        if field.errors:
            walk(field.errors, str(field.label.text))
    return lines
