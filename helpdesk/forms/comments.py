"""The comment form of a ticket page (staff also see the internal-note box)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length

from helpdesk.comments import MAX_LENGTH
from helpdesk.forms.validators import strip


class CommentForm(FlaskForm):
    text = TextAreaField(
        _l("Comment"),
        id="comment-text",  # the step forms of the page have their own "text"
        filters=[strip],
        validators=[
            DataRequired(message=_l("Write the comment.")),
            Length(max=MAX_LENGTH, message=_l("A comment has at most %(max)d characters.")),
        ],
    )
    internal = BooleanField(_l("Internal note, staff only"), id="comment-internal")
