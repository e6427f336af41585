"""Communication services: Chalco's GCH-CCS-P01 to P06 and Sinaloa's PSDT-06 (social networks).

Names, objectives, lead times and outputs follow the seed documents: the Chalco
manual (sections x.1, x.6 and x.7 of each procedure) and PSDT-06 (sections 1,
8, 9 and 10).
"""

from __future__ import annotations

from helpdesk import measures
from helpdesk.catalog import BusinessDuration
from helpdesk.catalog import IndicatorDefinition
from helpdesk.catalog import LeadTime
from helpdesk.catalog import ServiceDefinition
from helpdesk.catalog import SlaPolicy
from plugins.comunicacion import checks
from plugins.comunicacion import workflows
from plugins.comunicacion.forms import CoverageForm
from plugins.comunicacion.forms import MediaInformationForm
from plugins.comunicacion.forms import SocialMediaForm
from plugins.comunicacion.forms import SocialNetworksForm
from plugins.comunicacion.material_forms import AudiovisualMaterialForm
from plugins.comunicacion.material_forms import EditorialMaterialForm
from plugins.comunicacion.material_forms import GraphicMaterialForm

CHALCO_MANUAL = (
    "Manual de Procedimientos de la Coordinación de Comunicación Social, "
    "Gobierno de Chalco (junio de 2023)"
)
CHALCO_AREA = "Comunicación Social"

# The manual's office hours are 9:00-16:00, seven hours a day, so "one working
# day" is written in days: 8 business hours would spill into a second day.
ONE_WORKING_DAY = BusinessDuration(amount=1, unit="days")

# 4.7 and 5.7: the same rule for editorial and audiovisual material.
SEVEN_BUSINESS_DAYS_BEFORE = LeadTime(
    amount=7,
    unit="days",
    field="required_date",
    rule="7 días hábiles previos a la fecha requerida",
)

P01 = ServiceDefinition(
    code="GCH-CCS-P01",
    name="Cobertura fotográfica y/o videográfica de eventos institucionales",
    description=(
        "Mantener información oportuna y veraz sobre los testimonios de las actividades en el "
        "Gobierno de Chalco, mediante la cobertura fotográfica y/o videográfica de eventos "
        "institucionales."
    ),
    source_document=f"{CHALCO_MANUAL}, procedimiento GCH-CCS-P01-2023",
    area=CHALCO_AREA,
    department="DCII",
    # Not in the document: a default the tenant admin can override.
    # No resolve target: the work happens on the event's date, which the requester sets.
    sla=SlaPolicy(respond=ONE_WORKING_DAY),
    lead_time=LeadTime(
        amount=72,
        unit="hours",
        field="event_at",
        rule="en un lapso no menor a 72 horas antes del evento",
    ),
    form=CoverageForm,
    checks=(checks.p01_coverage_kind,),
    checklist=(
        "Se trata de un evento institucional de una Dependencia Administrativa u Organismo "
        "Descentralizado del Gobierno de Chalco",
        "El nombre, la fecha, la hora, el lugar y la dirección del evento son precisos para "
        "incluirlo en la agenda de eventos institucionales a cubrir",
    ),
    outputs=(
        "Boletín informativo",
        "Evidencia fotográfica y/o videográfica del evento",
    ),
)

P02 = ServiceDefinition(
    code="GCH-CCS-P02",
    name="Difusión de información en redes sociales institucionales",
    description=(
        "Mantener informada a la ciudadanía sobre las actividades, obras y/o acciones que "
        "realizan las Dependencias Administrativas u Organismos Descentralizados que integran "
        "el Gobierno de Chalco, mediante la publicación y difusión de información en redes "
        "sociales institucionales como YouTube, Facebook, Twitter, Instagram y en el Sitio Web "
        "Institucional."
    ),
    source_document=f"{CHALCO_MANUAL}, procedimiento GCH-CCS-P02-2023",
    area=CHALCO_AREA,
    department="DCII",
    # Not in the document: a default the tenant admin can override.
    # Resolve matches the 72-hour lead time, which exists to give DCII that time.
    sla=SlaPolicy(respond=ONE_WORKING_DAY, resolve=BusinessDuration(amount=3, unit="days")),
    lead_time=LeadTime(
        amount=72,
        unit="hours",
        field="publication_start",
        rule="en un lapso no menor a 72 horas antes de la publicación",
    ),
    form=SocialMediaForm,
    workflow=workflows.p02_workflow(),
    checks=(checks.p02_publication_period, checks.p02_website_handoff),
    checklist=(
        "La información es útil, verídica y oportuna",
        "La ficha técnica describe con claridad la información a difundir, el tema y la "
        "relevancia del evento",
    ),
    outputs=(
        "Difusión de información en las redes sociales institucionales (YouTube, Facebook, "
        "Twitter, Instagram y/o sitio web institucional)",
    ),
)

P03 = ServiceDefinition(
    code="GCH-CCS-P03",
    name="Gestión de información oficial del Gobierno de Chalco para medios de comunicación",
    description=(
        "Mantener el acercamiento entre los medios de comunicación y el Gobierno de Chalco a "
        "través de la entrega de la información requerida por los medios de comunicación sobre "
        "las actividades, obras y/o acciones que realizan las Áreas, Unidades, Dependencias "
        "Administrativas u Organismos Descentralizados que integran el Gobierno de Chalco."
    ),
    source_document=f"{CHALCO_MANUAL}, procedimiento GCH-CCS-P03-2023",
    area=CHALCO_AREA,
    # The Coordinador answers the media outlet personally (3.4 and 3.9).
    department="CCS",
    requester_kinds=("media",),
    # Not in the document: a default the tenant admin can override.
    # Time the dependencias take to deliver to the outlet is not charged to this target.
    sla=SlaPolicy(respond=ONE_WORKING_DAY, resolve=BusinessDuration(amount=5, unit="days")),
    form=MediaInformationForm,
    checklist=(
        "El medio contactó previamente a la Coordinación para plantear el tema",
        "La Coordinación evaluó el tema de la entrevista o investigación planteado por el medio",
    ),
    outputs=(
        "Información oficial del Gobierno de Chalco",
        "Entrevista agendada con la o el servidor público",
    ),
)

P04 = ServiceDefinition(
    code="GCH-CCS-P04",
    name="Elaboración de material editorial digital y/o para impresión",
    description=(
        "Mantener informada a la ciudadanía, de manera gráfica, sobre las actividades, obras y "
        "acciones de las Dependencias Administrativas u Organismos Descentralizados del Gobierno "
        "de Chalco, a través de material editorial digital y/o para impresión."
    ),
    source_document=f"{CHALCO_MANUAL}, procedimiento GCH-CCS-P04-2023",
    area=CHALCO_AREA,
    department="DCII",
    liaison_required=True,
    # Not in the document: a default the tenant admin can override.
    # Resolve equals the lead time: the manual asks for 7 business days so the design fits.
    sla=SlaPolicy(respond=ONE_WORKING_DAY, resolve=BusinessDuration(amount=7, unit="days")),
    lead_time=SEVEN_BUSINESS_DAYS_BEFORE,
    form=EditorialMaterialForm,
    workflow=workflows.proposal_workflow("GCH-CCS-P04"),
    checks=(checks.print_size, checks.material_artwork),
    checklist=(
        "La justificación de la elaboración del material editorial es suficiente",
        "El formato requerido y el uso (digital, para impresión o ambos) son claros",
        "Los datos del material (eslogan, texto, logotipos, fecha e imagen) son suficientes",
    ),
    outputs=(
        "Díptico",
        "Tríptico",
        "Volante",
        "Cartel",
        "Periódico",
        "Revista",
        "Libro",
    ),
)

P05 = ServiceDefinition(
    code="GCH-CCS-P05",
    name="Elaboración de material audiovisual",
    description=(
        "Mantener informada a la ciudadanía sobre las actividades, obras y acciones de las "
        "Dependencias Administrativas u Organismos Descentralizados que integran el Gobierno de "
        "Chalco, a través de la elaboración de material audiovisual."
    ),
    source_document=f"{CHALCO_MANUAL}, procedimiento GCH-CCS-P05-2023",
    area=CHALCO_AREA,
    department="DCII",
    liaison_required=True,
    # Not in the document: a default the tenant admin can override.
    # Resolve equals the 7-business-day lead time.
    sla=SlaPolicy(respond=ONE_WORKING_DAY, resolve=BusinessDuration(amount=7, unit="days")),
    lead_time=SEVEN_BUSINESS_DAYS_BEFORE,
    form=AudiovisualMaterialForm,
    workflow=workflows.proposal_workflow("GCH-CCS-P05"),
    checklist=(
        "La justificación del desarrollo del material audiovisual es suficiente",
        "El tema y el público al que está dirigida la información son claros",
        "La duración y el medio o plataforma de reproducción corresponden al material "
        "solicitado (visual o de audio)",
    ),
    outputs=(
        "Video",
        "Spot de audio",
        "Animación",
    ),
)

P06 = ServiceDefinition(
    code="GCH-CCS-P06",
    name="Elaboración de material gráfico",
    description=(
        "Mantener informada a la ciudadanía sobre las actividades, obras y acciones de las "
        "Dependencias Administrativas u Organismos Descentralizados que integran el Gobierno de "
        "Chalco, a través de la elaboración de material gráfico. La Coordinación de Comunicación "
        "Social no realiza impresiones de ningún tipo."
    ),
    source_document=f"{CHALCO_MANUAL}, procedimiento GCH-CCS-P06-2023",
    area=CHALCO_AREA,
    department="DCII",
    liaison_required=True,
    # Not in the document: a default the tenant admin can override.
    # Resolve equals the 3-business-day lead time.
    sla=SlaPolicy(respond=ONE_WORKING_DAY, resolve=BusinessDuration(amount=3, unit="days")),
    lead_time=LeadTime(
        amount=3,
        unit="days",
        field="required_date",
        rule="3 días hábiles previos a la fecha requerida",
    ),
    form=GraphicMaterialForm,
    workflow=workflows.proposal_workflow("GCH-CCS-P06"),
    checks=(checks.print_size, checks.material_artwork, checks.p06_no_printing),
    checklist=(
        "La justificación del desarrollo del material gráfico es suficiente",
        "El tipo de material gráfico y el formato necesario son claros",
        "Los datos del material (eslogan, texto, logotipos, fecha e imagen) son suficientes",
    ),
    outputs=(
        "Logotipo",
        "Imagen institucional",
        "Invitación",
        "Tarjeta de presentación",
        "Diploma",
        "Constancia",
        "Reconocimiento",
        "Personificador",
        "Señalética",
        "Banner digital",
        "Banner impreso",
        "Fotomontaje",
        "Mampara",
        "Lona",
    ),
)

PSDT06 = ServiceDefinition(
    code="PSDT-06",
    name="Redes sociales",
    description=(
        "Implementar redes sociales como nuevos canales y medios de comunicación e interacción "
        "en tiempo real entre la ciudadanía y Gobierno del Estado de Sinaloa, reduciendo las "
        "filas y largos tiempos de esperas para consultas, dudas o aclaraciones."
    ),
    source_document=(
        "Procedimiento PSDT-06, versión 01, Secretaría de Innovación Gubernamental, "
        "Gobierno del Estado de Sinaloa (vigencia 26-marzo-2014)"
    ),
    area="Servicios Compartidos de Tecnología",
    department="DGE",
    # Citizens ask on the networks; dependencias approve what is published (activities 2-4).
    requester_kinds=("unit", "citizen"),
    # Activity 6.1: "como máximo un día hábil y de ser posible en tiempo real". No resolve
    # target: the answer is the resolution, and publications wait on the dependencia's approval.
    sla=SlaPolicy(respond=BusinessDuration(amount=1, unit="days")),
    form=SocialNetworksForm,
    checks=(checks.psdt06_external_links,),
    checklist=(
        "La información a publicar fue verificada y aprobada por la dependencia",
        "El contenido respeta la política de moderación: sin groserías, insultos, publicidad "
        "ni ligas a otros sitios",
        "No se proporcionan datos personales de funcionarios, solo los datos del directorio "
        "del Gobierno del Estado",
    ),
    outputs=(
        "Publicación de información en las redes sociales",
        "Monitoreo y mantenimiento de las páginas de redes sociales",
        "Respuesta a dudas, preguntas o comentarios de la ciudadanía",
        "Estadísticas Mensuales de Atención Ciudadana (RSDT-06.01)",
        "Estadísticas de Facebook y Twitter (RSDT-06.02)",
    ),
)

ALL: list[ServiceDefinition] = [P01, P02, P03, P04, P05, P06, PSDT06]

INDICATORS: list[IndicatorDefinition] = [
    # Section 9 names this indicator "Número de atenciones efectuadas" although its
    # formula measures follower growth; both are kept as the document states them.
    IndicatorDefinition(
        code="psdt06_follower_increase",
        name="Número de atenciones efectuadas",
        formula=(
            "(Nuevos seguidores / seguidores actuales) × 100; los nuevos seguidores son la "
            "suma de los meses del periodo y los seguidores actuales los del último mes "
            "registrado, ambos de Facebook y Twitter según sus estadísticas (RSDT-06.02), "
            "registrados cada mes en «Cifras registradas»"
        ),
        unit="% de incremento",
        measure=measures.Ratio(
            measures.Recorded(
                "psdt06_new_followers",
                "Nuevos seguidores en el mes (Facebook y Twitter, PSDT-06)",
                measures.SUM,
            ),
            measures.Recorded(
                "psdt06_current_followers",
                "Seguidores actuales al cierre del mes (Facebook y Twitter, PSDT-06)",
                measures.LAST,
            ),
        ),
        periodicity="trimestral",
        responsible="Director de Servicios Compartidos de Tecnología",
        service_code="PSDT-06",
    ),
]
