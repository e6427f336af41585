"""Sign-in, self-registration of external requesters, language choice."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms import PasswordField
from wtforms import RadioField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import EqualTo
from wtforms.validators import Length
from wtforms.validators import Optional

from helpdesk.forms.validators import choices
from helpdesk.forms.validators import email_address
from helpdesk.forms.validators import password_strength
from helpdesk.forms.validators import strip


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), email_address], filters=[strip])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class RegisterForm(FlaskForm):
    """For requesters outside the government: a media outlet or a citizen."""

    kind = RadioField(
        _l("I am"),
        choices=choices([("media", _l("A media outlet")), ("citizen", _l("A citizen"))]),
        validators=[DataRequired()],
    )
    name = StringField(
        _l("Full name"), validators=[DataRequired(), Length(max=200)], filters=[strip]
    )
    organization = StringField(
        _l("Media outlet"),
        validators=[Optional(), Length(max=200)],
        filters=[strip],
        description=_l("Required for media outlets."),
    )
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)], filters=[strip])
    email = EmailField(
        _l("E-mail"), validators=[DataRequired(), email_address, Length(max=254)], filters=[strip]
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), password_strength])
    confirm = PasswordField(
        _l("Confirm the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )

    def validate(self, extra_validators: dict | None = None) -> bool:
        ok = super().validate(extra_validators)
        if self.kind.data == "media" and not self.organization.data:
            self.organization.errors = [
                *self.organization.errors,
                _l("Write the name of the media outlet."),
            ]
            ok = False
        return ok
