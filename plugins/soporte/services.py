"""Support services: Chalco's GCH-CCS-P09 and P10 and the Estado de México CAU.

Names, objectives and outputs follow the Chalco manual (sections x.1, x.6 and
x.7) and the CAU's best-practice record (sections II, III and V).
"""

from __future__ import annotations

from helpdesk.catalog import BusinessDuration
from helpdesk.catalog import DocumentDefinition
from helpdesk.catalog import ServiceDefinition
from helpdesk.catalog import SlaPolicy
from plugins.soporte import cau
from plugins.soporte import checks
from plugins.soporte import workflows
from plugins.soporte.forms import CauRequestForm
from plugins.soporte.forms import InstitutionalEmailForm
from plugins.soporte.forms import TechnicalSupportForm

CHALCO_MANUAL = (
    "Manual de Procedimientos de la Coordinación de Comunicación Social, "
    "Gobierno de Chalco (junio de 2023)"
)
CHALCO_AREA = "Gobierno Digital"

# The manual's office hours are 9:00-16:00, seven hours a day, so "one working
# day" is written in days: 8 business hours would spill into a second day.
ONE_WORKING_DAY = BusinessDuration(amount=1, unit="days")

P09 = ServiceDefinition(
    code="GCH-CCS-P09",
    name="Creación o atención a fallas de correo electrónico institucional",
    description=(
        "Mantener una óptima comunicación entre las Dependencias Administrativas y los "
        "Organismos Descentralizados que integran el Gobierno de Chalco y la ciudadanía, "
        "mediante la creación o atención a fallas de correo electrónico institucional."
    ),
    source_document=f"{CHALCO_MANUAL}, procedimiento GCH-CCS-P09-2023",
    area=CHALCO_AREA,
    department="DGD",
    liaison_required=True,
    # Not in the document: a default the tenant admin can override.
    sla=SlaPolicy(respond=ONE_WORKING_DAY, resolve=BusinessDuration(amount=2, unit="days")),
    form=InstitutionalEmailForm,
    workflow=workflows.p09_workflow(),
    checks=(
        checks.mailbox_in_contracted_domain,
        checks.mail_request_complete,
        checks.access_addressee_named,
    ),
    checklist=(
        "Para una falla: la cuenta fue creada por la Coordinación, no por la dependencia u "
        "organismo",
        "Para una cuenta nueva: la o el titular pertenece a la dependencia u organismo solicitante",
    ),
    outputs=(
        "Correo electrónico institucional",
        "Accesos entregados por escrito a la o el Titular de la dependencia u organismo",
    ),
    documents=(
        # 9.7: the access goes in writing directly to the head, not through the
        # portal, so the requester and the enlace are not offered the oficio.
        DocumentDefinition(
            name="oficio-entrega-acceso",
            title="Oficio de entrega de acceso",
            template="soporte/oficio_entrega_acceso.html",
            after=("deliver_access",),
            requester=False,
        ),
    ),
)

P10 = ServiceDefinition(
    code="GCH-CCS-P10",
    name="Atención de solicitudes de soporte técnico",
    description=(
        "Mantener en óptimas condiciones de funcionamiento la infraestructura tecnológica del "
        "Gobierno de Chalco para que las y los servidores públicos de las Dependencias "
        "Administrativas y los Organismos Descentralizados puedan desarrollar sus actividades "
        "de manera eficaz y eficiente, mediante la atención de las solicitudes de soporte "
        "técnico."
    ),
    source_document=f"{CHALCO_MANUAL}, procedimiento GCH-CCS-P10-2023",
    area=CHALCO_AREA,
    department="DGD",
    # Not in the document: a default the tenant admin can override.
    sla=SlaPolicy(respond=ONE_WORKING_DAY, resolve=BusinessDuration(amount=3, unit="days")),
    form=TechnicalSupportForm,
    workflow=workflows.p10_workflow(),
    checks=(checks.municipal_infrastructure_only, checks.support_equipment_identified),
    checklist=(
        "La falla corresponde a infraestructura municipal",
        "Si la ubicación está fuera del Palacio Municipal, la dependencia u organismo trasladará "
        "al personal de soporte técnico",
    ),
    outputs=(
        "Servicio de soporte técnico",
        "Formato de servicio de soporte técnico firmado y sellado",
        "Dictamen técnico interno (cuando la falla no puede solucionarse)",
    ),
    documents=(
        # 10.8 "Formato de servicio de soporte técnico": printed when DGD gives
        # the folio and goes on site (activity 6), signed and stamped by the
        # requester (9), completed by DGD (10).
        DocumentDefinition(
            name="formato-servicio",
            title="Formato de servicio de soporte técnico",
            template="soporte/formato_servicio.html",
            after=("start",),
        ),
    ),
)

CAU = ServiceDefinition(
    code="CAU",
    name="Centro de Atención a Usuarios",
    description=(
        "El Centro de Atención a Usuarios (CAU) es un sistema de gestión de servicios en "
        "plataforma web, donde los servidores públicos del Sector Gobierno realizan sus "
        "solicitudes de servicio en materia de Tecnologías de la Información."
    ),
    source_document=(
        "Formato para Documentación/Registro de una Mejor Práctica Gubernamental: Centro de "
        "Atención a Usuarios (DGSyTI, Secretaría General de Gobierno, Gobierno del Estado de "
        "México, 2013)"
    ),
    area="Centro de Atención a Usuarios (DGSyTI)",
    department="DGSYTI",
    # Not in the document: a default the tenant admin can override. Each group
    # of the catalog has its own agreement (plugins.soporte.cau); the core
    # applies one per service, so this is the loosest of them.
    # The loosest group's agreement for what cannot be told apart; each request
    # runs on its own group's agreement (the catalog of grouped services).
    sla=cau.loosest_sla(),
    sla_for=cau.sla_for,
    form=CauRequestForm,
    workflow=workflows.cau_workflow(),
    checks=(checks.cau_request_type_in_catalog, checks.cau_equipment_identified),
    checklist=(
        "El tipo de servicio elegido corresponde a la descripción, para canalizar la solicitud "
        "al técnico que lo atiende",
        "El equipo y el técnico elegidos atienden el grupo de servicios del tipo solicitado",
        "La solicitud no es de las que se gestionan vía oficio (protocolo de documentación de "
        "sistemas)",
    ),
    outputs=(
        "Solicitud de servicio de TI atendida",
        "Evidencia de la atención brindada",
        "Encuesta de satisfacción (Satisfecho / Regular / Insatisfecho)",
    ),
)

ALL: list[ServiceDefinition] = [P09, P10, CAU]
