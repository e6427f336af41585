"""Request forms of the communication services: what each seed document asks the requester.

Labels are the documents' own Spanish words (Chalco manual, section x.7 "Políticas" of
each procedure; PSDT-06 sections 6 and 8). The core adds the common fields itself
(requesting unit, enlace, attachments, CSRF), so none of them appear here. The
editorial, audiovisual and graphic material forms (P04 to P06) live in
``material_forms``; this module holds what they share.

Choice values are stable ASCII codes taken from the documents' words; the labels are
what the requester reads.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from wtforms import BooleanField
from wtforms import DateField
from wtforms import DateTimeLocalField
from wtforms import Field
from wtforms import Form
from wtforms import RadioField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms import widgets
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import StopValidation

from helpdesk.forms.validators import choices
from helpdesk.forms.validators import strip

ExtraValidators = Mapping[str, Sequence[Callable[..., Any]]] | None

SHORT_TEXT = 200
LONG_TEXT = 2000

DATE_FORMAT_MESSAGE = "Escriba una fecha válida (AAAA-MM-DD)."
INVALID_CHOICE_MESSAGE = "Elija una de las opciones de la lista."

# GCH-CCS-P02 2.1 and 2.6 name the institutional networks and the web site.
P02_NETWORK_CHOICES = [
    ("youtube", "YouTube"),
    ("facebook", "Facebook"),
    ("twitter", "Twitter/X"),
    ("instagram", "Instagram"),
    ("sitio_web", "Sitio web institucional"),
]
# PSDT-06 section 6: "Las utilizadas para este servicio son: Facebook y Twitter."
PSDT06_NETWORK_CHOICES = [
    ("facebook", "Facebook"),
    ("twitter", "Twitter/X"),
]
PSDT06_KIND_CHOICES = [
    ("publicacion", "Información a publicar (dependencia)"),
    ("pregunta", "Duda o pregunta ciudadana"),
]


class CheckboxListField(SelectMultipleField):
    """A multiple choice shown as check boxes: a requester ticks networks, not a list box."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ServiceForm(Form):
    """Base of the communication forms.

    Field messages are written in Spanish one by one; the Spanish WTForms catalog only
    covers a built-in message that slipped through.
    """

    class Meta:
        locales = ("es_MX", "es")


def parsed(form: Form, field: Field) -> None:
    """Stop a field's validators when its input could not be read.

    The parse error already says what is wrong; a range check on the resulting None
    would only add a second, misleading message.
    """
    if field.process_errors:
        raise StopValidation()


def require(field: Field, message: str) -> bool:
    """Add ``message`` to ``field`` when it is empty; return whether it had a value.

    Used by the ``validate`` overrides for fields the documents make conditional. A
    field that already has an error (unreadable input) gets no second one.
    """
    if field.errors:
        return False
    if field.data in (None, "", []):
        field.errors.append(message)
        return False
    return True


def clear(field: Field, empty: Any = None) -> None:
    """Drop a conditional field's value when its condition does not hold.

    Stored request data then says only what applies (a print size on a digital-only
    material would mislead the department).
    """
    field.data = empty


def text(label: str, message: str, *, max_length: int = SHORT_TEXT, **kwargs: Any) -> StringField:
    """A required one-line text field."""
    return StringField(
        label,
        validators=[DataRequired(message), _max_length(max_length)],
        filters=[strip],
        **kwargs,
    )


def long_text(
    label: str, message: str, *, max_length: int = LONG_TEXT, **kwargs: Any
) -> TextAreaField:
    """A required multi-line text field."""
    return TextAreaField(
        label,
        validators=[DataRequired(message), _max_length(max_length)],
        filters=[strip],
        **kwargs,
    )


def optional_text(label: str, *, max_length: int = SHORT_TEXT, **kwargs: Any) -> StringField:
    """A one-line text field that may stay empty (or is required only conditionally)."""
    return StringField(
        label, validators=[Optional(), _max_length(max_length)], filters=[strip], **kwargs
    )


def required_date_field(label: str, message: str, **kwargs: Any) -> DateField:
    """A required date; InputRequired keeps the "invalid date" message for bad input."""
    return DateField(
        label,
        validators=[InputRequired(message)],
        invalid_value_message=DATE_FORMAT_MESSAGE,
        **kwargs,
    )


def _max_length(max_length: int) -> Length:
    return Length(max=max_length, message=f"Escriba como máximo {max_length} caracteres.")


class CoverageForm(ServiceForm):
    """GCH-CCS-P01 Cobertura fotográfica y/o videográfica de eventos institucionales (1.7)."""

    event_name = text(
        "Nombre del evento institucional a cubrir",
        "Escriba el nombre del evento institucional a cubrir.",
    )
    event_at = DateTimeLocalField(
        "Fecha y hora del evento",
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired("Indique la fecha y la hora del evento.")],
        invalid_value_message="Escriba una fecha y hora válidas (AAAA-MM-DD HH:MM).",
        description="La solicitud debe llegar en un lapso no menor a 72 horas antes del evento.",
    )
    place = text(
        "Lugar del evento",
        "Indique el lugar del evento.",
        description="Nombre del recinto, plaza o inmueble donde se realizará el evento.",
    )
    address = text(
        "Dirección del evento",
        "Indique la dirección del evento.",
        max_length=300,
        description="Calle, número, colonia y localidad.",
    )
    # Requirement 3 ("foto y/o video"): at least one box must be ticked. That rule spans
    # two fields, so the requirement check enforces it (checks.p01_coverage_kind).
    photo = BooleanField(
        "Cobertura fotográfica",
        description="Especificación precisa para cubrir el evento institucional: foto y/o video.",
    )
    video = BooleanField("Cobertura videográfica")


class SocialMediaForm(ServiceForm):
    """GCH-CCS-P02 Difusión de información en redes sociales institucionales (2.7).

    Requirement 1 is the "ficha técnica"; requirement 2 (the proposed photos, optional)
    comes as attachments, which the core handles.
    """

    information = long_text(
        "Información que se requiere difundir",
        "Escriba la información que se requiere difundir.",
        description="Ficha técnica: las actividades, obras y/o acciones que se darán a conocer.",
    )
    participants = long_text(
        "Servidoras o servidores públicos, integrantes de la sociedad civil o instituciones "
        "involucradas",
        "Indique quiénes participan: servidoras o servidores públicos, sociedad civil o "
        "instituciones.",
        max_length=1000,
    )
    topic = text("Tema de la publicación", "Escriba el tema de la publicación.")
    publication_start = required_date_field(
        "Inicio de la publicación",
        "Indique desde qué fecha se publicará.",
        description=(
            "Temporalidad de publicación. La solicitud debe llegar en un lapso no menor a "
            "72 horas antes."
        ),
    )
    publication_end = required_date_field(
        "Fin de la publicación",
        "Indique hasta qué fecha se publicará.",
        description="Temporalidad de publicación: último día en que debe difundirse.",
    )
    place = text("Lugar del evento", "Indique el lugar del evento.")
    relevance = long_text(
        "Relevancia del evento",
        "Explique la relevancia del evento.",
        max_length=1000,
    )
    networks = CheckboxListField(
        "Red(es) social(es) en la que se requiere realizar la difusión",
        choices=choices(P02_NETWORK_CHOICES),
        validators=[DataRequired("Elija al menos una red social.")],
        invalid_choice_message=INVALID_CHOICE_MESSAGE,
        description=(
            "Si elige el sitio web institucional, el Departamento de Gobierno Digital lo "
            "publicará una vez aprobada la redacción."
        ),
    )


class MediaInformationForm(ServiceForm):
    """GCH-CCS-P03 Gestión de información oficial para medios de comunicación (3.7)."""

    research_topics = long_text(
        "Tema o temas de investigación",
        "Especifique el tema o temas de investigación.",
        description=(
            "El tema que el medio planteó previamente a la Coordinación de Comunicación Social."
        ),
    )
    interview_requested = BooleanField("Se requiere una entrevista")
    interviewee = optional_text(
        "Nombre del servidor(a) público a entrevistar",
        description="Solo en caso de que se requiera una entrevista.",
    )

    def validate(self, extra_validators: ExtraValidators = None) -> bool:
        valid = super().validate(extra_validators)
        if self.interview_requested.data:
            message = "Indique el nombre del servidor(a) público a entrevistar."
            valid = require(self.interviewee, message) and valid
        else:
            clear(self.interviewee, "")
        return valid


class SocialNetworksForm(ServiceForm):
    """PSDT-06 Redes sociales (Sinaloa): information to publish, or a citizen's question.

    A dependencia sends the information it approves for publication (activities 2 to 4);
    a citizen asks, comments or asks for guidance (activity 7), answered within one
    business day (activity 6).
    """

    kind = RadioField(
        "Tipo de solicitud",
        choices=choices(PSDT06_KIND_CHOICES),
        validators=[InputRequired("Elija el tipo de solicitud.")],
        invalid_choice_message=INVALID_CHOICE_MESSAGE,
    )
    information = TextAreaField(
        "Información a publicar en redes sociales",
        validators=[Optional(), _max_length(LONG_TEXT)],
        filters=[strip],
        description=(
            "Información verificada y aprobada por la dependencia. No se permiten groserías, "
            "insultos, publicidad ni ligas a otros sitios, ni datos personales de funcionarios."
        ),
    )
    networks = CheckboxListField(
        "Redes sociales en las que se publicará",
        choices=choices(PSDT06_NETWORK_CHOICES),
        invalid_choice_message=INVALID_CHOICE_MESSAGE,
    )
    question = TextAreaField(
        "Duda, pregunta o comentario",
        validators=[Optional(), _max_length(LONG_TEXT)],
        filters=[strip],
        description="Orientación, información de trámites o cualquier inquietud.",
    )
    question_network = SelectField(
        "Red social en la que se presentó",
        choices=choices([("", "Ninguna (mesa de ayuda)"), *PSDT06_NETWORK_CHOICES]),
        default="",
        validators=[Optional()],
        invalid_choice_message=INVALID_CHOICE_MESSAGE,
        description="Para contestar en la misma red social.",
    )
    citizen_account = optional_text(
        "Cuenta o usuario en la red social",
        max_length=100,
        description="Por ejemplo: @usuario. Solo si la pregunta se hizo en una red social.",
    )

    def validate(self, extra_validators: ExtraValidators = None) -> bool:
        valid = super().validate(extra_validators)
        if self.kind.data == "publicacion":
            valid = require(self.information, "Escriba la información a publicar.") and valid
            valid = require(self.networks, "Elija al menos una red social.") and valid
            clear(self.question, "")
            clear(self.question_network, "")
            clear(self.citizen_account, "")
        elif self.kind.data == "pregunta":
            valid = require(self.question, "Escriba la duda, pregunta o comentario.") and valid
            if not self.question_network.data:
                clear(self.citizen_account, "")
            clear(self.information, "")
            clear(self.networks, [])
        return valid
