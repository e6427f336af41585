"""The form of a workflow step (reason, files, department …) on a ticket page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField
from wtforms import HiddenField
from wtforms import SelectField
from wtforms import TextAreaField
from wtforms.validators import Length
from wtforms.validators import Optional

from helpdesk.forms.admin import MultiCheckboxField


class TransitionForm(FlaskForm):
    """Every field a transition may require; the page shows only those it needs."""

    version = HiddenField()
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=5000)])
    text = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    date = DateField(_l("Date"), validators=[Optional()])
    department_id = SelectField(_l("Department"), coerce=int, validators=[Optional()])
    assignee_id = SelectField(_l("Technician"), coerce=int, validators=[Optional()])
    checklist = MultiCheckboxField(_l("Requirements checked"), validators=[Optional()])
    attachments = MultipleFileField(_l("File"))


class FolioSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search: nothing changes

    folio = TextAreaField(_l("Folio"))


class MarkReadForm(FlaskForm):
    """Marking notifications read: only the CSRF token."""
