"""Portal services: Chalco's GCH-CCS-P07 and P08 and Sinaloa's PSDT-05 (Portal de GES).

Names, objectives, lead times and outputs follow the Chalco manual (sections
x.1, x.6 and x.7) and PSDT-05 (sections 1, 2, 9 and 10).
"""

from __future__ import annotations

from helpdesk.catalog import BusinessDuration
from helpdesk.catalog import DocumentDefinition
from helpdesk.catalog import LeadTime
from helpdesk.catalog import ServiceDefinition
from helpdesk.catalog import SlaPolicy
from plugins.portal import checks
from plugins.portal import order_workflow
from plugins.portal import workflows
from plugins.portal.forms import ElectronicServiceForm
from plugins.portal.forms import SystemRequestForm
from plugins.portal.forms import WebPublicationForm

CHALCO_MANUAL = (
    "Manual de Procedimientos de la Coordinación de Comunicación Social, "
    "Gobierno de Chalco (junio de 2023)"
)
CHALCO_AREA = "Gobierno Digital"

# The manual's office hours are 9:00-16:00, seven hours a day, so "one working
# day" is written in days: 8 business hours would spill into a second day.
ONE_WORKING_DAY = BusinessDuration(amount=1, unit="days")

P07 = ServiceDefinition(
    code="GCH-CCS-P07",
    name="Creación y modificación de sistemas informáticos",
    description=(
        "Reducir el tiempo para realizar un trámite, servicio o procesos de las Dependencias "
        "Administrativas u Organismos Descentralizados que integran el Gobierno de Chalco, "
        "facilitando el manejo de datos e información, mediante la creación y modificación de "
        "sistemas informáticos."
    ),
    source_document=f"{CHALCO_MANUAL}, procedimiento GCH-CCS-P07-2023",
    area=CHALCO_AREA,
    department="DGD",
    liaison_required=True,
    # Not in the document: a default the tenant admin can override.
    # No resolve target: 7.7 says DGD sets the development time by the system's complexity.
    sla=SlaPolicy(respond=ONE_WORKING_DAY),
    form=SystemRequestForm,
    workflow=workflows.p07_workflow(),
    # The registry check needs the tenant: see helpdesk_check_requirements in __init__.py.
    checks=(checks.modification_names_registered_system,),
    checklist=(
        "La justificación y el objetivo muestran el trámite, servicio o proceso que el sistema "
        "agilizará",
        "Para una modificación: el sistema fue desarrollado y es administrado por la "
        "Coordinación (consta en su registro de sistemas)",
    ),
    outputs=("Sistema informático liberado",),
    documents=(
        # 7.7: "siendo éstas las que deberán autorizar, por escrito, la liberación".
        DocumentDefinition(
            name="aprobacion-liberacion",
            title="Aprobación de liberación por escrito",
            template="portal/aprobacion_liberacion.html",
            after=("approve_release",),
        ),
    ),
)

P08 = ServiceDefinition(
    code="GCH-CCS-P08",
    name="Publicación de información en sitios web institucionales",
    description=(
        "Mantener informada a la ciudadanía sobre las actividades, obras y/o acciones que "
        "realizan las Dependencias Administrativas u Organismos Descentralizados que integran "
        "el Gobierno de Chalco, mediante la publicación de información en sitios web "
        "institucionales, como la página Gobierno de Chalco, IMCUFIDE Chalco y DIF Chalco."
    ),
    source_document=f"{CHALCO_MANUAL}, procedimiento GCH-CCS-P08-2023",
    area=CHALCO_AREA,
    department="DGD",
    # Not in the document: a default the tenant admin can override.
    sla=SlaPolicy(respond=ONE_WORKING_DAY, resolve=BusinessDuration(amount=2, unit="days")),
    lead_time=LeadTime(
        amount=72,
        unit="hours",
        field="publication_date",
        rule="en un lapso no menor a 72 horas antes de la publicación",
    ),
    form=WebPublicationForm,
    # P02's web part arrives here by hand-off (P02 2.7) with P02's data.
    workflow=workflows.p08_workflow(),
    # No automatic check beyond the form: 8.7 asks only for the site and the section,
    # and the 72 hours are the core's lead-time rule.
    checklist=(
        "La página web y el apartado corresponden a la información (si la turnó Comunicación "
        "e Imagen Institucional desde GCH-CCS-P02: el sitio web institucional)",
        "La información corresponde a actividades, obras y/o acciones de la dependencia u "
        "organismo solicitante",
    ),
    outputs=("Publicación en los sitios web institucionales",),
)

PSDT05 = ServiceDefinition(
    code="PSDT-05",
    name="Integración de servicios electrónicos al Portal de GES",
    description=(
        "Atender las solicitudes de modificación del contenido al Portal de Gobierno del Estado "
        "de Sinaloa, que presenten alguna necesidad de servicios electrónicos. Inicia con la "
        "solicitud de integración del servicio electrónico y termina con la verificación del "
        "servicio y corrección de anomalías."
    ),
    source_document=(
        "Procedimiento PSDT-05, versión 01, Secretaría de Innovación Gubernamental, "
        "Gobierno del Estado de Sinaloa (vigencia 26-marzo-2014)"
    ),
    area="Servicios Compartidos de Tecnología",
    # Gobierno Electrónico publishes; the Mesa de Ayuda only registers and closes the order.
    department="DGE",
    # Not in the document: a default the tenant admin can override.
    sla=SlaPolicy(respond=ONE_WORKING_DAY, resolve=BusinessDuration(amount=2, unit="days")),
    form=ElectronicServiceForm,
    workflow=order_workflow.psdt05_workflow(),
    checks=(checks.service_url_is_secure,),
    checklist=(
        "La ubicación indicada abre el servicio electrónico con el nombre solicitado",
        "El servicio electrónico lo brinda la dependencia solicitante",
    ),
    outputs=("Servicio electrónico publicado",),
    documents=(
        # Section 5 "Registros": the order is raised (2.1) and closed (6.1) in it.
        DocumentDefinition(
            name="orden-de-servicio",
            title="Orden de servicio",
            template="portal/orden_de_servicio.html",
        ),
    ),
)

ALL: list[ServiceDefinition] = [P07, P08, PSDT05]
