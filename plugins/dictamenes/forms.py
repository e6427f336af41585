"""Request forms of the technical-opinion services: GCH-CCS-P11 and GCH-CCS-P12.

Each form asks only what its document requires (Chalco manual, sections 11.7
and 12.7). The core adds the common fields itself: requesting unit, enlace,
attachments (the oficio and each asset's photo) and CSRF.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import DateField
from wtforms import DecimalField
from wtforms import Field
from wtforms import FieldList
from wtforms import Form
from wtforms import FormField
from wtforms import HiddenField
from wtforms import RadioField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.validators import StopValidation

from helpdesk.forms.validators import choices
from helpdesk.forms.validators import strip
from helpdesk.tenancy import current_tenant
from plugins.dictamenes.inspection import REPAIR_CHOICES

REQUIRED = "Este campo es obligatorio."
INVALID_CHOICE = "Elija una de las opciones de la lista."
INVALID_DATE = "Escriba una fecha válida con el formato AAAA-MM-DD."
INVALID_COST = "Escriba el costo como número, por ejemplo 12500.00."
NEGATIVE_COST = "El costo no puede ser negativo."
TOO_LONG = "Use como máximo %(max)d caracteres."

# -- GCH-CCS-P11 ---------------------------------------------------------------

# 11.7: the data every asset must carry, in the document's order (the photo is
# an attachment). Labels are the document's own words.
ASSET_FIELDS: dict[str, str] = {
    "inventory_key": "Clave de inventario",
    "concept": "Concepto",
    "brand": "Marca",
    "model": "Modelo",
    "serial_number": "Número de serie",
    "condition": "Estado de uso",
    "invoice_number": "Número de factura",
    "cost": "Costo",
    "movement_date": "Fecha de movimiento",
    "inventory_number": "Número de inventario",
}

# -- GCH-CCS-P12 ---------------------------------------------------------------

ACQUISITION = "acquisition"
LEASE = "lease"
SERVICE_CONTRACT = "service_contract"
ACQUISITION_KINDS = [
    (ACQUISITION, "Adquisición"),
    (LEASE, "Arrendamiento"),
    (SERVICE_CONTRACT, "Contratación de servicios"),
]
TIC_PROGRAM_REQUIRED = (
    "Se requiere validar la entrega del Programa de Trabajo de Tecnologías de la Información y "
    "Comunicaciones antes de solicitar el dictamen técnico."
)
COMMITTEE_REQUIRED = (
    "Para atender y liberar la solicitud es necesario conformar el Comité Interno de Gobierno "
    "Digital y determinar a su Secretario(a) Técnico(a)."
)


def _text(label: str, max_length: int, **kwargs: Any) -> UnboundField:
    return StringField(
        label,
        validators=[DataRequired(message=REQUIRED), Length(max=max_length, message=TOO_LONG)],
        filters=[strip],
        **kwargs,
    )


def _finite_number(form: Form, field: Field) -> None:
    # An unreadable number already carries its error; NumberRange would add "negative".
    if field.data is None:
        raise StopValidation()
    # Decimal accepts "Infinity" (which NumberRange(min=0) lets through) and "NaN"
    # (which it would call negative).
    if not field.data.is_finite():
        raise StopValidation(INVALID_COST)


class AssetForm(Form):
    """One IT asset to dispose of, as Control Patrimonial verified it (11.7)."""

    inventory_key = _text(ASSET_FIELDS["inventory_key"], 60)
    concept = _text(
        ASSET_FIELDS["concept"], 200, description="Por ejemplo: computadora de escritorio."
    )
    brand = _text(ASSET_FIELDS["brand"], 100)
    model = _text(ASSET_FIELDS["model"], 100)
    serial_number = _text(ASSET_FIELDS["serial_number"], 100)
    condition = _text(
        ASSET_FIELDS["condition"], 200, description="Por ejemplo: dañado, obsoleto, no enciende."
    )
    invoice_number = _text(ASSET_FIELDS["invoice_number"], 60)
    # InputRequired, not DataRequired: a cost of 0 is data (checks.py warns about it), and
    # an unreadable number or date keeps its own error instead of "obligatorio".
    cost = DecimalField(
        ASSET_FIELDS["cost"],
        validators=[
            InputRequired(message=REQUIRED),
            _finite_number,
            NumberRange(min=0, message=NEGATIVE_COST),
        ],
        places=2,
        invalid_value_message=INVALID_COST,
    )
    movement_date = DateField(
        ASSET_FIELDS["movement_date"],
        validators=[InputRequired(message=REQUIRED)],
        invalid_value_message=INVALID_DATE,
    )
    inventory_number = _text(ASSET_FIELDS["inventory_number"], 60)


class AssetDisposalForm(Form):
    """GCH-CCS-P11: dictamen técnico to dispose of IT assets (11.7).

    The request starts from an oficio of the Secretaría del Ayuntamiento; the
    oficio itself and one photo per asset are attachments.
    """

    oficio_number = _text("Número de oficio de la Secretaría del Ayuntamiento", 100)
    oficio_date = DateField(
        "Fecha del oficio",
        validators=[InputRequired(message=REQUIRED)],
        invalid_value_message=INVALID_DATE,
    )
    assets = FieldList(
        FormField(AssetForm),
        "Bienes informáticos a dictaminar",
        min_entries=1,
        description="Adjunte una foto de cada bien informático.",
    )


class IctAcquisitionForm(Form):
    """GCH-CCS-P12: dictamen técnico before acquiring, leasing or contracting ICT (12.7)."""

    sidem_folio = _text(
        "Folio de la solicitud en el SIDEM",
        60,
        description=(
            "El número de folio que generó el Sistema de Dictaminación de Bienes Informáticos "
            "(SIDEM) al registrar la solicitud de dictamen técnico."
        ),
    )
    goods_services = TextAreaField(
        "Bienes y/o servicios en materia de TIC",
        validators=[DataRequired(message=REQUIRED), Length(max=5000, message=TOO_LONG)],
        filters=[strip],
    )
    acquisition_kind = SelectField(
        "Tipo de contratación",
        choices=choices(ACQUISITION_KINDS),
        validators=[DataRequired(message=REQUIRED)],
        invalid_choice_message=INVALID_CHOICE,
    )
    tic_program_validated = BooleanField(
        "El Programa de Trabajo TIC fue entregado y validado",
        validators=[DataRequired(message=TIC_PROGRAM_REQUIRED)],
        description="Programa de Trabajo de Tecnologías de la Información y Comunicaciones.",
    )
    committee_installed = BooleanField(
        "El Comité Interno de Gobierno Digital está instalado con su Secretario Técnico",
        validators=[DataRequired(message=COMMITTEE_REQUIRED)],
        description=(
            "La o el Secretario Técnico debe ser titular de la unidad de tecnologías de la "
            "información y comunicación o área equivalente."
        ),
    )


# -- GCH-CCS-P11: the inspection (11.9, activity 8) --------------------------

YES_NO = [("yes", "Sí"), ("no", "No")]
ANSWER_WHEN_PRESENT = "Responda esta pregunta: el bien informático estuvo presente."
FUTURE_INSPECTION = "La inspección no puede registrarse con una fecha futura."


class AssetInspectionForm(Form):
    """What DGD found on one asset: the three conditions of 11.7."""

    present = RadioField(
        "¿El bien informático se encuentra físicamente en la inspección?",
        choices=choices(YES_NO),
        validators=[InputRequired(message=REQUIRED)],
    )
    data_correct = RadioField(
        "¿Los datos del bien informático son correctos?",
        choices=choices(YES_NO),
        validators=[Optional()],
    )
    repair = RadioField(
        "Su reparación es",
        choices=choices(REPAIR_CHOICES),
        validators=[Optional()],
    )
    findings = TextAreaField(
        "Información técnica detectada",
        validators=[Optional(), Length(max=1000, message=TOO_LONG)],
        filters=[strip],
    )

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if self.present.data == "yes":
            for field in (self.data_correct, self.repair):
                if not field.data:
                    field.errors = [*field.errors, ANSWER_WHEN_PRESENT]
                    valid = False
        return valid


class InspectionForm(FlaskForm):
    """The physical inspection of every asset of one request; built per request."""

    version = HiddenField()
    inspected_on = DateField(
        "Fecha en que se realizó la inspección",
        validators=[InputRequired(message=REQUIRED)],
        invalid_value_message=INVALID_DATE,
    )
    observations = TextAreaField(
        "Observaciones generales de la inspección",
        validators=[Optional(), Length(max=2000, message=TOO_LONG)],
        filters=[strip],
    )

    def validate_inspected_on(self, field: Field) -> None:
        tenant = current_tenant()
        today = datetime.now(ZoneInfo(tenant.timezone) if tenant else None).date()
        if field.data and field.data > today:
            raise StopValidation(FUTURE_INSPECTION)


def inspection_form_class(count: int) -> type[InspectionForm]:
    """The inspection form with exactly one entry per asset of the request."""
    return type(
        "AssetsInspectionForm",
        (InspectionForm,),
        {
            "assets": FieldList(
                FormField(AssetInspectionForm),
                "Bienes informáticos",
                min_entries=count,
                max_entries=count,
            )
        },
    )
