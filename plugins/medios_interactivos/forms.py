"""Request form of Medios Interactivos (FO-SASTI-UDPCC-33): a chat or a forum.

The Ficha de Registro asks for an oficio "con el nombre completo del experto y
sus datos de contacto, la propuesta de temas y los días a efectuarse el chat o
los foros", and sets the rules of each kind of event. The core adds the common
fields itself: requesting unit, enlace, attachments (the oficio) and CSRF.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from datetime import date
from typing import Any

from wtforms import DateField
from wtforms import Form
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import Regexp

from helpdesk.forms.validators import EMAIL_RE
from helpdesk.forms.validators import choices
from helpdesk.forms.validators import strip

REQUIRED = "Este campo es obligatorio."
INVALID_CHOICE = "Elija una de las opciones de la lista."
INVALID_DATE = "Escriba una fecha válida con el formato AAAA-MM-DD."
TOO_LONG = "Use como máximo %(max)d caracteres."

CHAT = "chat"
FORUM = "forum"
EVENT_KINDS = [(CHAT, "Chat"), (FORUM, "Foro")]
# The two windows the Ficha allows for a chat, stored as "HH:MM-HH:MM".
CHAT_SLOTS: dict[str, str] = {
    "11:00-13:00": "De 11:00 a 13:00 horas",
    "16:00-18:00": "De 16:00 a 18:00 horas",
}
FORUM_MIN_DAYS = 7
FORUM_MAX_DAYS = 28

CHAT_DATE_REQUIRED = "Indique la fecha del chat."
CHAT_WEEKDAY = "El chat se programa de lunes a viernes."
CHAT_SLOT_REQUIRED = "Elija el horario del chat: de 11:00 a 13:00 o de 16:00 a 18:00 horas."
FORUM_START_REQUIRED = "Indique la fecha de inicio del foro."
FORUM_END_REQUIRED = "Indique la fecha de término del foro."
FORUM_END_BEFORE_START = "La fecha de término debe ser posterior a la fecha de inicio."
FORUM_DURATION = "El foro debe durar por lo menos 1 semana y máximo 4 semanas."


def is_weekday(day: date) -> bool:
    """Monday to Friday, the days a chat may take place."""
    return day.weekday() < 5


def forum_days(start: date, end: date) -> int:
    """Calendar days a forum lasts, counting both its first and its last day.

    Both ends count because a forum "del 2 al 8 de marzo" is open on seven
    days: one week. So 1 to 4 weeks is 7 to 28 days.
    """
    return (end - start).days + 1


class InteractiveMediaForm(Form):
    """FO-SASTI-UDPCC-33: a chat or a forum with a government expert."""

    event_kind = SelectField(
        "Tipo de medio interactivo",
        choices=choices(EVENT_KINDS),
        validators=[DataRequired(message=REQUIRED)],
        invalid_choice_message=INVALID_CHOICE,
    )
    expert_name = StringField(
        "Nombre completo del experto",
        validators=[DataRequired(message=REQUIRED), Length(max=200, message=TOO_LONG)],
        filters=[strip],
        description="La o el servidor público que responde directamente a la ciudadanía.",
    )
    expert_email = StringField(
        "Correo electrónico del experto",
        validators=[
            DataRequired(message=REQUIRED),
            Length(max=254, message=TOO_LONG),
            Regexp(EMAIL_RE, message="Escriba una dirección válida, como nombre@edomex.gob.mx."),
        ],
        filters=[strip],
    )
    expert_phone = StringField(
        "Teléfono del experto",
        validators=[DataRequired(message=REQUIRED), Length(max=40, message=TOO_LONG)],
        filters=[strip],
        description="Con extensión, si la tiene.",
    )
    topics = TextAreaField(
        "Propuesta de temas",
        validators=[DataRequired(message=REQUIRED), Length(max=5000, message=TOO_LONG)],
        filters=[strip],
        description="Un tema por línea. Para un chat se sugiere un solo tema por evento.",
    )
    # The fields of each kind are optional to WTForms; validate() requires those
    # of the kind chosen (Optional also silences an empty select's choice error).
    chat_date = DateField(
        "Fecha del chat",
        validators=[Optional()],
        invalid_value_message=INVALID_DATE,
        description="De lunes a viernes.",
    )
    chat_slot = SelectField(
        "Horario del chat",
        choices=choices(CHAT_SLOTS.items()),
        validators=[Optional()],
        invalid_choice_message=INVALID_CHOICE,
    )
    forum_start = DateField(
        "Fecha de inicio del foro",
        validators=[Optional()],
        invalid_value_message=INVALID_DATE,
    )
    forum_end = DateField(
        "Fecha de término del foro",
        validators=[Optional()],
        invalid_value_message=INVALID_DATE,
        description="El foro dura por lo menos 1 semana y máximo 4 semanas.",
    )

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        valid = super().validate(extra_validators)
        if self.event_kind.data == CHAT:
            valid = self._validate_chat() and valid
        elif self.event_kind.data == FORUM:
            valid = self._validate_forum() and valid
        return valid

    def _validate_chat(self) -> bool:
        valid = True
        # A field that already failed (an unparsable date) keeps only its own error.
        if not self.chat_date.errors:
            if self.chat_date.data is None:
                self.chat_date.errors.append(CHAT_DATE_REQUIRED)
                valid = False
            elif not is_weekday(self.chat_date.data):
                self.chat_date.errors.append(CHAT_WEEKDAY)
                valid = False
        if not self.chat_slot.errors and not self.chat_slot.data:
            self.chat_slot.errors.append(CHAT_SLOT_REQUIRED)
            valid = False
        return valid

    def _validate_forum(self) -> bool:
        valid = True
        for field, message in (
            (self.forum_start, FORUM_START_REQUIRED),
            (self.forum_end, FORUM_END_REQUIRED),
        ):
            if not field.errors and field.data is None:
                field.errors.append(message)
                valid = False
        start, end = self.forum_start.data, self.forum_end.data
        if valid and start is not None and end is not None:
            if end <= start:
                self.forum_end.errors.append(FORUM_END_BEFORE_START)
                valid = False
            elif not FORUM_MIN_DAYS <= forum_days(start, end) <= FORUM_MAX_DAYS:
                self.forum_end.errors.append(FORUM_DURATION)
                valid = False
        return valid
