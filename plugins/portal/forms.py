"""Request forms of the portal services: GCH-CCS-P07, GCH-CCS-P08 and PSDT-05.

Each form asks only what its document requires (Chalco manual, sections 7.7 and
8.7; PSDT-05, activity 1.2). The core adds the common fields itself: requesting
unit, enlace, attachments and CSRF.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from wtforms import DateField
from wtforms import Form
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms import URLField
from wtforms.validators import URL
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired
from wtforms.validators import Length

from helpdesk.forms.validators import choices
from helpdesk.forms.validators import strip

REQUIRED = "Este campo es obligatorio."
INVALID_CHOICE = "Elija una de las opciones de la lista."
INVALID_DATE = "Escriba una fecha válida con el formato AAAA-MM-DD."
TOO_LONG = "Use como máximo %(max)d caracteres."

CREATION = "creation"
MODIFICATION = "modification"
SYSTEM_REQUEST_KINDS = [(CREATION, "Creación"), (MODIFICATION, "Modificación")]
REGISTRY_KEY_REQUIRED = (
    "Indique la clave del sistema en el registro: solo se modifican los sistemas "
    "informáticos desarrollados y administrados por la Coordinación."
)

# The manual's glossary ("Sitio web") lists these five sites of the Gobierno de Chalco.
INSTITUTIONAL_SITES = [
    ("chalco", "Gobierno de Chalco"),
    ("odapas", "ODAPAS"),
    ("dif", "DIF"),
    ("imcufide", "IMCUFIDE"),
    ("mujer", "Dirección de la Mujer"),
]

INVALID_URL = "Escriba la dirección completa del servicio, empezando con https:// o http://."


def _text(max_length: int) -> list[Any]:
    return [DataRequired(message=REQUIRED), Length(max=max_length, message=TOO_LONG)]


class SystemRequestForm(Form):
    """GCH-CCS-P07: creation or modification of an information system (7.7)."""

    request_kind = SelectField(
        "Tipo de solicitud",
        choices=choices(SYSTEM_REQUEST_KINDS),
        validators=[DataRequired(message=REQUIRED)],
        invalid_choice_message=INVALID_CHOICE,
    )
    system_name = StringField(
        "Nombre del sistema informático a crear / modificar",
        validators=_text(200),
        filters=[strip],
    )
    justification = TextAreaField(
        "Justificación de la creación / modificación",
        validators=_text(5000),
        filters=[strip],
    )
    objective = TextAreaField(
        "Objetivo",
        validators=_text(5000),
        filters=[strip],
        description=(
            "Qué trámite, servicio o proceso agilizará el sistema y qué datos o información "
            "facilitará manejar."
        ),
    )
    system_registry_key = StringField(
        "Clave del sistema en el registro de la Coordinación",
        validators=[Length(max=60, message=TOO_LONG)],
        filters=[strip],
        description=(
            "Solo para una modificación: la Coordinación de Comunicación Social solo modifica "
            "los sistemas informáticos que desarrolló y administra. La clave es el folio de la "
            "solicitud con la que se creó el sistema, como aparece en el registro de sistemas."
        ),
    )

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        valid = super().validate(extra_validators)
        # 7.7: "Solo se harán modificaciones a los sistemas informáticos desarrollados y
        # administrados por esta Coordinación", so a modification must name one of them.
        if self.request_kind.data == MODIFICATION and not self.system_registry_key.data:
            self.system_registry_key.errors.append(REGISTRY_KEY_REQUIRED)
            valid = False
        return valid


class WebPublicationForm(Form):
    """GCH-CCS-P08: publication on an institutional web site (8.7)."""

    site = SelectField(
        "Página web en la que se requiere hacer la publicación",
        choices=choices(INSTITUTIONAL_SITES),
        validators=[DataRequired(message=REQUIRED)],
        invalid_choice_message=INVALID_CHOICE,
    )
    section = StringField(
        "Apartado en el que se requiere hacer la publicación",
        validators=_text(200),
        filters=[strip],
    )
    content = TextAreaField(
        "Información a publicar",
        validators=_text(20000),
        filters=[strip],
        description=(
            "La adecuación y la estructura de la información las decide el Departamento de "
            "Gobierno Digital conforme a los lineamientos de gestión de contenido."
        ),
    )
    # InputRequired, not DataRequired: DataRequired would replace "not a valid date" with
    # "obligatorio" when the date cannot be read.
    publication_date = DateField(
        "Fecha de publicación",
        validators=[InputRequired(message=REQUIRED)],
        invalid_value_message=INVALID_DATE,
        description="La solicitud debe llegar con una anticipación no menor a 72 horas.",
    )


class ElectronicServiceForm(Form):
    """PSDT-05: integration of an electronic service into the Portal de GES (activity 1.2).

    Requests also arrive by telephone or any other means (section 3); the Mesa de
    Ayuda then fills this same form on the requester's behalf.
    """

    service_name = StringField(
        "Nombre del servicio electrónico",
        validators=_text(200),
        filters=[strip],
        description="Como aparecerá en el Portal de GES.",
    )
    service_url = URLField(
        "Ubicación del servicio electrónico (URL)",
        validators=[
            DataRequired(message=REQUIRED),
            Length(max=2000, message=TOO_LONG),
            URL(schemes=("http", "https"), message=INVALID_URL),
        ],
        filters=[strip],
        description="La dirección completa del servicio, con https:// o http://.",
    )
    service_description = TextAreaField(
        "Descripción del servicio",
        validators=[Length(max=5000, message=TOO_LONG)],
        filters=[strip],
        description="Opcional: qué ofrece el servicio, para presentarlo en el Portal.",
    )
