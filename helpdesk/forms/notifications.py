"""Forms of the mail templates page (admin) and of a person's notification preferences."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import Field
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from helpdesk import mail_templates
from helpdesk.forms.validators import strip
from helpdesk.mail_templates import MailTemplateError

SUBJECT_MAX = 300  # MailTemplate.subject
BODY_MAX = 20_000


def _newlines(value: Any) -> Any:
    """A textarea posts CRLF; the templates keep plain newlines."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def describe(error: MailTemplateError) -> str:
    """What is wrong with a template, in the reader's language (names the variable, tag...)."""
    if error.problem == "syntax":
        if error.line:
            return _(
                "Syntax error on line %(line)s: %(detail)s", line=error.line, detail=error.detail
            )
        return _("Syntax error: %(detail)s", detail=error.detail)
    if error.problem == "unknown_variable":
        names = error.detail.split(", ")
        return ngettext(
            "Unknown variable: %(names)s. Use only the variables listed on this page.",
            "Unknown variables: %(names)s. Use only the variables listed on this page.",
            len(names),
            names=", ".join(names),
        )
    if error.problem == "forbidden_tag":
        return _(
            "The tag “%(tag)s” (line %(line)s) is not allowed in a mail template; "
            "use variables, filters, “if” and “set”.",
            tag=error.detail,
            line=error.line,
        )
    if error.problem == "forbidden_filter":
        return _(
            "The filter “%(name)s” is not allowed in a mail template: values are always "
            "escaped in the HTML body.",
            name=error.detail,
        )
    if error.problem == "unsafe":
        return _("Not allowed in a mail template: %(detail)s", detail=error.detail)
    return _(
        "The template fails when filled in with sample values: %(detail)s", detail=error.detail
    )


class MailTemplateForm(FlaskForm):
    """A tenant's wording of one notification e-mail; checked whole before it is saved."""

    subject = StringField(
        _l("Subject"),
        validators=[DataRequired(), Length(max=SUBJECT_MAX)],
        filters=[strip],
    )
    text_body = TextAreaField(
        _l("Plain-text body"),
        validators=[DataRequired(), Length(max=BODY_MAX)],
        filters=[_newlines],
    )
    html_body = TextAreaField(
        _l("HTML body"),
        validators=[Optional(), Length(max=BODY_MAX)],
        filters=[_newlines],
        description=_l(
            "Optional. Values are escaped in the HTML body; leave it empty to send plain text only."
        ),
    )

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        if not super().validate(extra_validators):
            return False
        fields: dict[str, Field] = {
            "subject": self.subject,
            "text": self.text_body,
            "html": self.html_body,
        }
        found = mail_templates.problems(
            self.subject.data, self.text_body.data, self.html_body.data or ""
        )
        for error in found:
            fields[error.part].errors = [*fields[error.part].errors, describe(error)]
        return not found


class MailTemplateActionForm(FlaskForm):
    """Restoring the built-in wording: the CSRF token only."""


class PreferencesForm(FlaskForm):
    """One "e-mail me" checkbox per kind; the fields are added by :func:`preferences_form`."""


def preferences_form(
    kinds: Sequence[str], current: Mapping[str, bool], **kwargs: Any
) -> PreferencesForm:
    """The preferences form for these kinds, ticked as ``current`` says (no entry: ticked)."""
    fields = {
        kind: BooleanField(mail_templates.KINDS[kind].label, default=current.get(kind, True))
        for kind in kinds
    }
    form_class = type("UserPreferencesForm", (PreferencesForm,), fields)
    return form_class(**kwargs)
