"""Request forms for the material DCII designs: editorial (P04), audiovisual (P05), graphic (P06).

The requirements are the numbered lists of sections 4.7, 5.7 and 6.7 of the Chalco
manual. P04 and P06 share the "digital, para impresión o ambos" rule: the platform is
asked only for digital use, the print material and real size only for print.
"""

from __future__ import annotations

from decimal import Decimal

from wtforms import DecimalField
from wtforms import Form
from wtforms import IntegerField
from wtforms import RadioField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import InputRequired
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from helpdesk.forms.validators import choices
from plugins.comunicacion.forms import INVALID_CHOICE_MESSAGE
from plugins.comunicacion.forms import ExtraValidators
from plugins.comunicacion.forms import ServiceForm
from plugins.comunicacion.forms import clear
from plugins.comunicacion.forms import long_text
from plugins.comunicacion.forms import optional_text
from plugins.comunicacion.forms import parsed
from plugins.comunicacion.forms import require
from plugins.comunicacion.forms import required_date_field
from plugins.comunicacion.forms import text

MEDIUM_CHOICES = [
    ("digital", "Digital"),
    ("impresion", "Para impresión"),
    ("ambos", "Digital y para impresión"),
]
DIGITAL_MEDIA = frozenset({"digital", "ambos"})
PRINT_MEDIA = frozenset({"impresion", "ambos"})

# GCH-CCS-P06 6.6 lists the graphic materials DCII produces.
GRAPHIC_MATERIAL_CHOICES = [
    ("logotipo", "Logotipo"),
    ("imagen_institucional", "Imagen institucional"),
    ("invitacion", "Invitación"),
    ("tarjeta_presentacion", "Tarjeta de presentación"),
    ("diploma", "Diploma"),
    ("constancia", "Constancia"),
    ("reconocimiento", "Reconocimiento"),
    ("personificador", "Personificador"),
    ("senaletica", "Señalética"),
    ("banner_digital", "Banner digital"),
    ("banner_impreso", "Banner impreso"),
    ("fotomontaje", "Fotomontaje"),
    ("mampara", "Mampara"),
    ("lona", "Lona"),
]
AUDIOVISUAL_KIND_CHOICES = [
    ("visual", "Visual"),
    ("audio", "Audio"),
]

# A lona of a few metres is ordinary; 100 m only catches a unit typed in millimetres.
MAX_PRINT_CM = Decimal("10000")
MIN_PRINT_CM = Decimal("0.1")
SIZE_MESSAGE = "Escriba una medida en centímetros entre 0.1 y 10000."
# Three hours covers any institutional video; more is a typo (minutes typed as seconds).
MAX_DURATION_SECONDS = 3 * 60 * 60


def _justification(label: str, message: str) -> TextAreaField:
    return long_text(label, message, max_length=1000)


def _file_format(material: str, examples: str) -> StringField:
    return text(
        f"Formato requerido del {material}",
        "Especifique el formato requerido.",
        max_length=100,
        description=f"Por ejemplo: {examples}",
    )


def _medium(material: str) -> RadioField:
    return RadioField(
        f"El {material} será",
        choices=choices(MEDIUM_CHOICES),
        validators=[InputRequired("Indique si el material será digital, para impresión o ambos.")],
        invalid_choice_message=INVALID_CHOICE_MESSAGE,
    )


def _print_size(label: str) -> DecimalField:
    return DecimalField(
        label,
        places=1,
        validators=[
            Optional(),
            parsed,
            NumberRange(min=MIN_PRINT_CM, max=MAX_PRINT_CM, message=SIZE_MESSAGE),
        ],
        invalid_value_message="Escriba la medida en centímetros, por ejemplo 21.5.",
        description="Tamaño real de impresión, en centímetros.",
    )


def _validate_medium(form: Form) -> bool:
    """The conditional requirements 4.7-3/4 and 6.7-3/4: platform if digital, print data if print.

    Shared by P04 and P06, whose fields carry the same names.
    """
    valid = True
    medium = form.medium.data
    if medium in DIGITAL_MEDIA:
        valid = require(form.platform, "Indique la plataforma en la que será utilizado.") and valid
    else:
        clear(form.platform, "")
    if medium in PRINT_MEDIA:
        valid = (
            require(form.print_material, "Indique el tipo de material en el que se imprimirá.")
            and valid
        )
        valid = require(form.print_width_cm, "Indique el ancho real en centímetros.") and valid
        valid = require(form.print_height_cm, "Indique el alto real en centímetros.") and valid
    else:
        clear(form.print_material, "")
        clear(form.print_width_cm)
        clear(form.print_height_cm)
    return valid


class EditorialMaterialForm(ServiceForm):
    """GCH-CCS-P04 Elaboración de material editorial digital y/o para impresión (4.7)."""

    justification = _justification(
        "Justificación breve de la elaboración del material editorial",
        "Justifique brevemente la elaboración del material editorial.",
    )
    file_format = _file_format("material editorial", ".pdf, .doc")
    medium = _medium("material editorial")
    platform = optional_text(
        "Plataforma en la que será utilizado",
        description="Solo para material digital. Por ejemplo: Facebook, sitio web institucional.",
    )
    print_material = optional_text(
        "Tipo de material en el que se imprimirá",
        description="Solo para material impreso. Por ejemplo: papel couché, bond, cartulina.",
    )
    print_width_cm = _print_size("Ancho real (cm)")
    print_height_cm = _print_size("Alto real (cm)")
    slogan = optional_text("Eslogan")
    content_text = long_text(
        "Texto",
        "Escriba el texto que llevará el material editorial.",
        max_length=10000,
        description="Adjunte los logotipos y las imágenes que debe llevar el material.",
    )
    content_date = optional_text(
        "Fecha que aparecerá en el material",
        max_length=100,
        description="Por ejemplo: 15 de septiembre de 2026.",
    )
    required_date = required_date_field(
        "Fecha requerida",
        "Indique la fecha en que requiere el material.",
        description="La solicitud debe llegar 7 días hábiles antes de la fecha requerida.",
    )

    def validate(self, extra_validators: ExtraValidators = None) -> bool:
        valid = super().validate(extra_validators)
        return _validate_medium(self) and valid


class AudiovisualMaterialForm(ServiceForm):
    """GCH-CCS-P05 Elaboración de material audiovisual (5.7)."""

    justification = _justification(
        "Justificación breve del desarrollo del material audiovisual",
        "Justifique brevemente el desarrollo del material audiovisual.",
    )
    topic = text(
        "Tema sobre el que se desarrollará el contenido",
        "Indique el tema sobre el que se desarrollará el contenido.",
        max_length=300,
    )
    audience = text(
        "Hacia quién está dirigida la información",
        "Indique hacia quién está dirigida la información.",
        max_length=300,
    )
    media_kind = RadioField(
        "El material es visual o de audio",
        choices=choices(AUDIOVISUAL_KIND_CHOICES),
        validators=[InputRequired("Especifique si el material es visual o de audio.")],
        invalid_choice_message=INVALID_CHOICE_MESSAGE,
        description="Visual: video o animación. Audio: spot de audio.",
    )
    duration_seconds = IntegerField(
        "Duración requerida (segundos)",
        validators=[
            InputRequired("Especifique la duración requerida."),
            parsed,
            NumberRange(
                min=1,
                max=MAX_DURATION_SECONDS,
                message=f"Escriba una duración entre 1 y {MAX_DURATION_SECONDS} segundos.",
            ),
        ],
        invalid_value_message="Escriba la duración en segundos, por ejemplo 30.",
        description="Por ejemplo: 30 para un spot de 30 segundos, 180 para un video de 3 minutos.",
    )
    platform = text(
        "Medio o plataforma en que será reproducido",
        "Especifique en qué medio o plataforma será reproducido el material.",
        description="Por ejemplo: Facebook, YouTube, perifoneo, pantallas en eventos.",
    )
    required_date = required_date_field(
        "Fecha requerida",
        "Indique la fecha en que requiere el material.",
        description="La solicitud debe llegar 7 días hábiles antes de la fecha requerida.",
    )


class GraphicMaterialForm(ServiceForm):
    """GCH-CCS-P06 Elaboración de material gráfico (6.7)."""

    justification = _justification(
        "Justificación breve del desarrollo del material gráfico",
        "Justifique brevemente el desarrollo del material gráfico.",
    )
    material_type = SelectField(
        "Tipo de material gráfico requerido",
        choices=choices([("", "Elija el tipo de material"), *GRAPHIC_MATERIAL_CHOICES]),
        validators=[InputRequired("Especifique el tipo de material gráfico requerido.")],
        invalid_choice_message=INVALID_CHOICE_MESSAGE,
    )
    file_format = _file_format("material gráfico", ".pdf, .doc, .png, .jpg")
    medium = _medium("material gráfico")
    platform = optional_text(
        "Plataforma en la que será utilizado",
        description="Solo para material digital. Por ejemplo: Facebook, sitio web institucional.",
    )
    print_material = optional_text(
        "Tipo de material en el que se imprimirá",
        description=(
            "Solo para material impreso. Por ejemplo: lona, vinil, papel opalina. La "
            "Coordinación de Comunicación Social no realiza impresiones de ningún tipo."
        ),
    )
    print_width_cm = _print_size("Ancho real de impresión (cm)")
    print_height_cm = _print_size("Alto real de impresión (cm)")
    slogan = optional_text("Eslogan")
    content_text = long_text(
        "Texto",
        "Escriba el texto que llevará el material gráfico.",
        max_length=10000,
        description="Adjunte los logotipos y las imágenes que debe llevar el material.",
    )
    content_date = optional_text(
        "Fecha que aparecerá en el material",
        max_length=100,
        description="Por ejemplo: 15 de septiembre de 2026.",
    )
    required_date = required_date_field(
        "Fecha requerida",
        "Indique la fecha en que requiere el material.",
        description="La solicitud debe llegar 3 días hábiles antes de la fecha requerida.",
    )

    def validate(self, extra_validators: ExtraValidators = None) -> bool:
        valid = super().validate(extra_validators)
        return _validate_medium(self) and valid
