"""Small validators shared by the core forms."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Field
from wtforms import SelectChoice
from wtforms.validators import ValidationError

# Deliberately simple: one @, a dot in the domain, no spaces. Deliverability is
# proved by the mail itself, not by a regular expression.
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$")


def email_address(form: Any, field: Field) -> None:
    value = (field.data or "").strip().lower()
    if not EMAIL_RE.match(value):
        raise ValidationError(_l("Enter a valid e-mail address, like name@example.gob.mx."))
    field.data = value


def password_strength(form: Any, field: Field) -> None:
    value = field.data or ""
    if len(value) < 8:
        raise ValidationError(_l("The password must have at least 8 characters."))
    if value.isdigit() or value.isalpha():
        raise ValidationError(_l("The password must mix letters with numbers or symbols."))


def slug(form: Any, field: Field) -> None:
    # Refused, not lowercased behind the admin's back: the message asks for
    # lowercase and the form must show what was typed.
    value = (field.data or "").strip()
    if not SLUG_RE.match(value):
        raise ValidationError(
            _l("Use 3 to 40 lowercase letters, digits or hyphens, starting with a letter.")
        )
    field.data = value


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms 3.3 wants them."""
    return [SelectChoice(value, label) for value, label in pairs]


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value
