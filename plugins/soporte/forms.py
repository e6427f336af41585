"""Request forms of the support services: GCH-CCS-P09, GCH-CCS-P10 and the CAU.

Each form asks only what its document requires (Chalco manual, sections 9.7
and 10.7; the CAU's best-practice record). The core adds the common fields
itself: requesting unit (the dependencia), enlace, attachments and CSRF.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from wtforms import BooleanField
from wtforms import Form
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Regexp

from helpdesk.forms.validators import EMAIL_RE
from helpdesk.forms.validators import choices
from helpdesk.forms.validators import strip
from plugins.soporte import cau

REQUIRED = "Este campo es obligatorio."
INVALID_CHOICE = "Elija una de las opciones de la lista."
TOO_LONG = "Use como máximo %(max)d caracteres."

# -- GCH-CCS-P09 ---------------------------------------------------------------

NEW_ACCOUNT = "new_account"
FAULT = "fault"
MAIL_REQUEST_KINDS = [(NEW_ACCOUNT, "Creación de cuenta"), (FAULT, "Atención a falla")]
# 9.7: the domain follows the services the Gobierno de Chalco contracted.
CONTRACTED_DOMAIN = "chalco.gob.mx"
FAULT_DESCRIPTION_REQUIRED = "Describa la falla que presenta la cuenta de correo."
HOLDER_NAME_REQUIRED = "Indique el nombre de la o el titular de la cuenta nueva."
HOLDER_POSITION_REQUIRED = "Indique el cargo de la o el titular de la cuenta nueva."
# 9.7: "Los accesos serán otorgados por escrito directamente a las y los Titulares
# de las Dependencias Administrativas y los Organismos Descentralizados."
HEAD_NAME_REQUIRED = (
    "Indique el nombre de la o el Titular de la dependencia u organismo: a ella o él se "
    "entregan los accesos por escrito."
)
HEAD_POSITION_REQUIRED = "Indique el cargo de la o el Titular de la dependencia u organismo."

# -- GCH-CCS-P10 ---------------------------------------------------------------

MUNICIPAL_ONLY = (
    "El servicio de soporte técnico solo se otorga a la infraestructura tecnológica "
    "perteneciente al Ayuntamiento de Chalco."
)

# -- CAU -----------------------------------------------------------------------

# The catalog lives in plugins.soporte.cau with each group's service level.
CAU_SERVICE_CATALOG: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = tuple(
    (group.name, group.types) for group in cau.GROUPS
)
CAU_SERVICE_TYPES: dict[str, str] = cau.SERVICE_TYPES
CAU_EQUIPMENT_SERVICES = cau.EQUIPMENT_TYPES


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _text(max_length: int) -> list[Any]:
    return [DataRequired(message=REQUIRED), Length(max=max_length, message=TOO_LONG)]


def _optional_text(max_length: int) -> list[Any]:
    return [Length(max=max_length, message=TOO_LONG)]


def _grouped_choices() -> list[SelectChoice]:
    # The choices() helper takes (value, label) pairs only; an <optgroup> needs
    # SelectChoice's own optgroup argument. Each group names its service level.
    return [
        SelectChoice(value, label, optgroup=f"{group.name} ({cau.describe_sla(group.sla)})")
        for group in cau.GROUPS
        for value, label in group.types
    ]


class InstitutionalEmailForm(Form):
    """GCH-CCS-P09: creation of an institutional mailbox or attention to its fault (9.7)."""

    request_kind = SelectField(
        "Tipo de solicitud",
        choices=choices(MAIL_REQUEST_KINDS),
        validators=[DataRequired(message=REQUIRED)],
        invalid_choice_message=INVALID_CHOICE,
    )
    mailbox = StringField(
        "Cuenta de correo electrónico institucional",
        validators=[
            DataRequired(message=REQUIRED),
            Length(max=254, message=TOO_LONG),
            Regexp(EMAIL_RE, message="Escriba una dirección válida, como nombre@chalco.gob.mx."),
        ],
        filters=[_lower],
        description=(
            "Para una cuenta nueva, la dirección que se solicita; para una falla, la cuenta que "
            f"la presenta. Debe ser del dominio contratado por el Gobierno de Chalco "
            f"({CONTRACTED_DOMAIN})."
        ),
    )
    fault_description = TextAreaField(
        "Descripción de la falla",
        validators=_optional_text(5000),
        filters=[strip],
        description="Solo para la atención a falla.",
    )
    holder_name = StringField(
        "Nombre de la o el titular de la cuenta",
        validators=_optional_text(200),
        filters=[strip],
        description="Solo para la creación de cuenta.",
    )
    holder_position = StringField(
        "Cargo de la o el titular de la cuenta",
        validators=_optional_text(200),
        filters=[strip],
        description="Solo para la creación de cuenta.",
    )
    head_name = StringField(
        "Nombre de la o el Titular de la dependencia u organismo",
        validators=[DataRequired(message=HEAD_NAME_REQUIRED), Length(max=200, message=TOO_LONG)],
        filters=[strip],
        description=(
            "Los accesos serán otorgados por escrito directamente a las y los Titulares de las "
            "Dependencias Administrativas y los Organismos Descentralizados."
        ),
    )
    head_position = StringField(
        "Cargo de la o el Titular de la dependencia u organismo",
        validators=[
            DataRequired(message=HEAD_POSITION_REQUIRED),
            Length(max=200, message=TOO_LONG),
        ],
        filters=[strip],
    )

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        valid = super().validate(extra_validators)
        # A fault needs its description; a new account needs whom it is for.
        if self.request_kind.data == FAULT and not self.fault_description.data:
            self.fault_description.errors.append(FAULT_DESCRIPTION_REQUIRED)
            valid = False
        if self.request_kind.data == NEW_ACCOUNT:
            if not self.holder_name.data:
                self.holder_name.errors.append(HOLDER_NAME_REQUIRED)
                valid = False
            if not self.holder_position.data:
                self.holder_position.errors.append(HOLDER_POSITION_REQUIRED)
                valid = False
        return valid


class TechnicalSupportForm(Form):
    """GCH-CCS-P10: technical support to the municipal IT infrastructure (10.7)."""

    problem_description = TextAreaField(
        "Falla o problemática presentada",
        validators=_text(5000),
        filters=[strip],
        description=(
            "Respalde la información del equipo antes del servicio: el Departamento de Gobierno "
            "Digital no se hace responsable de la pérdida de información."
        ),
    )
    requester_name = StringField(
        "Nombre de la o el servidor público que realiza la solicitud",
        validators=_text(200),
        filters=[strip],
    )
    equipment_location = StringField(
        "Ubicación del equipo",
        validators=_text(300),
        filters=[strip],
        description=(
            "Domicilio y área. Fuera del Palacio Municipal (Reforma No. 4, Chalco Centro), la "
            "dependencia u organismo traslada al personal de soporte técnico y lo regresa al "
            "concluir."
        ),
    )
    inventory_number = StringField(
        "Número de inventario del equipo",
        validators=_optional_text(60),
        filters=[strip],
        description="Si el equipo lo tiene: confirma que pertenece al Ayuntamiento.",
    )
    municipal_infrastructure = BooleanField(
        "El equipo o servicio con falla pertenece a la infraestructura tecnológica del "
        "Ayuntamiento de Chalco",
        validators=[DataRequired(message=MUNICIPAL_ONLY)],
    )


class CauRequestForm(Form):
    """CAU: the single registration format for every IT request ("formato único de registro")."""

    request_type = SelectField(
        "Tipo de servicio",
        choices=_grouped_choices(),
        validators=[DataRequired(message=REQUIRED)],
        invalid_choice_message="Elija un servicio del catálogo.",
        description="La solicitud se canaliza al técnico que atiende ese tipo de servicio.",
    )
    description = TextAreaField(
        "Descripción de la solicitud",
        validators=_text(5000),
        filters=[strip],
    )
    location = StringField(
        "Ubicación",
        validators=_text(300),
        filters=[strip],
        description="Edificio, piso y área donde se presta el servicio.",
    )
    phone_extension = StringField(
        "Extensión o teléfono",
        validators=_text(40),
        filters=[strip],
    )
    inventory_number = StringField(
        "Número de inventario",
        validators=_optional_text(60),
        filters=[strip],
        description="Opcional: el del equipo, cuando la solicitud es sobre un equipo.",
    )
