"""Technical-opinion services: Chalco's GCH-CCS-P11 and P12.

Names, objectives and outputs follow the Chalco manual (sections x.1, x.6 and
x.7 of each procedure).
"""

from __future__ import annotations

from helpdesk.catalog import BusinessDuration
from helpdesk.catalog import DocumentDefinition
from helpdesk.catalog import ServiceDefinition
from helpdesk.catalog import SlaPolicy
from plugins.dictamenes import checks
from plugins.dictamenes import workflows
from plugins.dictamenes.forms import AssetDisposalForm
from plugins.dictamenes.forms import IctAcquisitionForm

CHALCO_MANUAL = (
    "Manual de Procedimientos de la Coordinación de Comunicación Social, "
    "Gobierno de Chalco (junio de 2023)"
)
CHALCO_AREA = "Gobierno Digital"

# The manual's office hours are 9:00-16:00, seven hours a day, so "one working
# day" is written in days: 8 business hours would spill into a second day.
ONE_WORKING_DAY = BusinessDuration(amount=1, unit="days")

INTERNAL_DICTAMEN = ServiceDefinition(
    code="GCH-CCS-P10-DTI",
    folio_code="P10DTI",
    name="Dictamen técnico interno de soporte técnico",
    description=(
        "Cuando la falla o problemática no se soluciona, el Departamento de Gobierno Digital "
        "emite un dictamen técnico interno dirigido al titular de la Dependencia "
        "Administrativa u Organismo Descentralizado, especificando los motivos técnicos de la "
        "falla encontrada."
    ),
    source_document=f"{CHALCO_MANUAL}, procedimiento GCH-CCS-P10-2023, actividad 8",
    area=CHALCO_AREA,
    department="DGD",
    internal=True,
    workflow=workflows.internal_dictamen_workflow(),
    # Not in the document: a default the tenant admin can override.
    sla=SlaPolicy(resolve=BusinessDuration(amount=3, unit="days")),
    outputs=("Dictamen técnico interno dirigido al titular de la dependencia u organismo",),
    documents=(
        DocumentDefinition(
            name="dictamen-tecnico-interno",
            title="Dictamen técnico interno",
            template="dictamenes/dictamen_interno.html",
            after=(workflows.ISSUE_DICTAMEN,),
        ),
    ),
)

P11 = ServiceDefinition(
    code="GCH-CCS-P11",
    name="Emisión de dictamen técnico para bajas de bienes informáticos",
    description=(
        "Mantener actualizado el registro de bienes informáticos de propiedad municipal a "
        "través de las Dependencias Administrativas u Organismos Descentralizados que solicitan "
        "el dictamen técnico de baja de los bienes informáticos dañados u obsoletos."
    ),
    source_document=f"{CHALCO_MANUAL}, procedimiento GCH-CCS-P11-2023",
    area=CHALCO_AREA,
    department="DGD",
    # Not in the document: a default the tenant admin can override.
    # Ten days leave room to agree on a date and inspect each asset on site (11.9, 7-8).
    # The clock stops while the inspection waits for the date agreed with the dependencia.
    sla=SlaPolicy(respond=ONE_WORKING_DAY, resolve=BusinessDuration(amount=10, unit="days")),
    form=AssetDisposalForm,
    workflow=workflows.p11_workflow(),
    checks=(
        checks.assets_complete,
        checks.oficio_attached,
        checks.photo_per_asset,
        checks.asset_costs,
        checks.assets_not_repeated,
    ),
    checklist=(
        "El oficio de solicitud fue turnado por la Secretaría del Ayuntamiento",
        "Datos verificados por Control Patrimonial",
        "Cada foto corresponde al bien informático que acompaña",
    ),
    outputs=(
        "Dictamen técnico de baja de bienes informáticos",
        "Oficio con las razones por las que no se emite el dictamen técnico de baja",
    ),
    documents=(
        DocumentDefinition(
            name="cedula-inspeccion",
            title="Cédula de inspección física",
            template="dictamenes/cedula_inspeccion.html",
            after=(workflows.SCHEDULE_INSPECTION, workflows.RESCHEDULE_INSPECTION),
            requester=False,
        ),
        # Offered only after its step, which the guard allows only where 11.7 is met.
        DocumentDefinition(
            name="dictamen-baja",
            title="Dictamen técnico de baja de bienes informáticos",
            template="dictamenes/dictamen_baja.html",
            after=(workflows.ISSUE_DICTAMEN,),
        ),
        DocumentDefinition(
            name="oficio-razones",
            title="Oficio con las razones por las que no se emite el dictamen",
            template="dictamenes/oficio_razones.html",
            after=(workflows.DECLINE_DICTAMEN, workflows.DECLINE_SOME_ASSETS),
        ),
    ),
)

P12 = ServiceDefinition(
    code="GCH-CCS-P12",
    name=(
        "Emisión de dictamen técnico previo a la adquisición, arrendamiento y/o contratación "
        "de bienes y servicios en materia de TIC"
    ),
    description=(
        "Establecer el mecanismo de gestión de dictamen técnico ante la Dirección General del "
        "Sistema Estatal de Informática (DGSEI) previo a la adquisición, arrendamiento y/o "
        "contratación de bienes y servicios en materia de tecnologías de la información y "
        "comunicaciones."
    ),
    source_document=f"{CHALCO_MANUAL}, procedimiento GCH-CCS-P12-2023",
    area=CHALCO_AREA,
    # The Coordinador acts as Secretario Técnico of the Comité Interno de Gobierno Digital.
    department="CCS",
    # Not in the document: defaults the tenant admin can override. 12.7 leaves the
    # DGSEI's response time to the DGSEI: its review (and the Dirección de
    # Administración's corrections) stop the clock, so the target measures only
    # the Coordination's own steps.
    sla=SlaPolicy(respond=ONE_WORKING_DAY, resolve=BusinessDuration(amount=5, unit="days")),
    form=IctAcquisitionForm,
    workflow=workflows.p12_workflow(),
    checks=(checks.sidem_request_ready,),
    checklist=(
        "La solicitud la presenta la Dirección de Administración",
        "La solicitud creada en el SIDEM con el folio indicado cumple con los requisitos",
        "Programa de Trabajo TIC validado",
        "El Comité Interno de Gobierno Digital está conformado y su Secretario(a) Técnico(a) es "
        "titular de la unidad de TIC o de un área equivalente",
    ),
    outputs=(
        "Dictamen técnico previo a la adquisición, arrendamiento y/o contratación de bienes y "
        "servicios en materia de TIC, emitido por la DGSEI",
        "Oficio a la DGSEI solicitando el dictamen técnico",
    ),
    documents=(
        DocumentDefinition(
            name="oficio-dgsei",
            title="Oficio a la DGSEI solicitando el dictamen técnico",
            template="dictamenes/oficio_dgsei.html",
            after=(workflows.RELEASE_IN_SIDEM,),
            requester=False,
        ),
    ),
)

ALL: list[ServiceDefinition] = [INTERNAL_DICTAMEN, P11, P12]
