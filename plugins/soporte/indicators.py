"""The support services' indicators: formula in words, unit, periodicity, owner.

Every service declares the same five operating figures (received, concluded,
returned or rejected for requirements, median business time to conclude, SLA
compliance), worded with its own steps; the CAU adds those its record names
(section V, "Indicadores utilizados"). Computing them is the core's job: the
formulas name states and steps by their labels so the count is unambiguous.
"""

from __future__ import annotations

from dataclasses import dataclass

from helpdesk.catalog import IndicatorDefinition

CHALCO_OWNER = "Coordinación de Comunicación Social (Departamento de Gobierno Digital)"
# The record names the indicators and reports them per year but gives no
# owner: the DGSyTI administers the practice.
CAU_OWNER = "Dirección General de Sistemas y Tecnologías de la Información (DGSyTI)"

# Time waiting on the requester (requirements to complete, a solution to
# verify) is not the office's, as the SLA clock counts it.
NOT_WAITING = (
    "sin contar el tiempo en que la solicitud esperó al solicitante (estados con el reloj detenido)"
)


@dataclass(frozen=True)
class ServiceWords:
    """How a service's own steps are named in its indicators' formulas."""

    prefix: str
    code: str
    short: str
    owner: str
    closing: str
    returned: str
    deadline: str = "el plazo para atender del servicio"


def operating_indicators(words: ServiceWords) -> list[IndicatorDefinition]:
    """The five figures every support service reports, monthly."""

    def indicator(suffix: str, name: str, formula: str, unit: str) -> IndicatorDefinition:
        return IndicatorDefinition(
            code=f"{words.prefix}_{suffix}",
            name=f"{name} ({words.short})",
            formula=formula,
            unit=unit,
            periodicity="mensual",
            responsible=words.owner,
            service_code=words.code,
        )

    return [
        indicator(
            "requests_received",
            "Solicitudes recibidas",
            f"Número de solicitudes de {words.code} registradas con folio cuya fecha de "
            "recepción (la del acuse, ya en horario de atención) cae en el periodo",
            "solicitudes",
        ),
        indicator(
            "requests_concluded",
            "Solicitudes concluidas",
            f"Número de solicitudes de {words.code} que pasaron al estado «Concluida» en el "
            "periodo",
            "solicitudes",
        ),
        indicator(
            "requests_returned_for_requirements",
            "Solicitudes devueltas o rechazadas por no cumplir los requisitos",
            f"Número de solicitudes de {words.code} que en el periodo {words.returned}; cada "
            "solicitud cuenta una vez aunque se le devuelva varias veces",
            "solicitudes",
        ),
        indicator(
            "median_business_time_to_conclude",
            "Mediana del tiempo hábil para concluir",
            "Mediana, en horas hábiles del horario de atención del servicio, del tiempo entre "
            f"la recepción y el cierre de las solicitudes de {words.code} cerradas en el "
            f"periodo ({words.closing}), {NOT_WAITING}",
            "horas hábiles",
        ),
        indicator(
            "sla_compliance",
            "Cumplimiento del nivel de servicio",
            f"(Solicitudes de {words.code} cerradas en el periodo ({words.closing}) dentro de "
            f"{words.deadline} / solicitudes cerradas en el periodo con ese plazo) × 100; el "
            f"plazo se mide {NOT_WAITING}",
            "%",
        ),
    ]


P09_WORDS = ServiceWords(
    prefix="p09",
    code="GCH-CCS-P09",
    short="correo electrónico institucional",
    owner=CHALCO_OWNER,
    closing="«Concluida», paso «Registrar y concluir la solicitud»",
    returned=(
        "recibieron al menos un paso «Solicitar complementar requisitos» o fueron "
        "rechazadas («Rechazar», con su motivo escrito)"
    ),
)

P10_WORDS = ServiceWords(
    prefix="p10",
    code="GCH-CCS-P10",
    short="soporte técnico",
    owner=CHALCO_OWNER,
    closing=(
        "«Concluida» tras la verificación del solicitante, o «Sin solución: dictamen técnico "
        "interno»"
    ),
    returned=(
        "recibieron al menos un paso «Solicitar complementar requisitos» (Coordinación) o "
        "«Solicitar cumplir los requisitos (Gobierno Digital)», o fueron rechazadas por la "
        "Coordinación o por no ser infraestructura tecnológica del Ayuntamiento"
    ),
)

CAU_WORDS = ServiceWords(
    prefix="cau",
    code="CAU",
    short="CAU",
    owner=CAU_OWNER,
    closing="«Concluida» con la evidencia de la atención brindada",
    returned=(
        "recibieron al menos un paso «Solicitar complementar requisitos» o fueron "
        "rechazadas (por ejemplo, porque se gestionan vía oficio)"
    ),
    deadline=(
        "el plazo para atender del acuerdo de nivel de servicio del grupo del catálogo al que "
        "pertenece su tipo de servicio"
    ),
)

# The seed's yearly percentages do not add up to 100 (2014: 85.03 + 2.42 + 1.02),
# so they are shares of all services, counting those whose survey went unanswered.
_SATISFACTION_BASE = "servicios concluidos en el año"


def _cau(code: str, name: str, formula: str, unit: str) -> IndicatorDefinition:
    return IndicatorDefinition(
        code=code,
        name=name,
        formula=formula,
        unit=unit,
        periodicity="anual",
        responsible=CAU_OWNER,
        service_code="CAU",
    )


CAU_OWN: list[IndicatorDefinition] = [
    *(
        _cau(
            f"cau_satisfaction_{answer}",
            f"Nivel de satisfacción de usuario: {label}",
            f"(Servicios concluidos en el año cuya encuesta de satisfacción se respondió "
            f"«{label}» / {_SATISFACTION_BASE}) × 100",
            "%",
        )
        for answer, label in (
            ("satisfied", "Satisfecho"),
            ("regular", "Regular"),
            ("unsatisfied", "Insatisfecho"),
        )
    ),
    _cau(
        "cau_services_per_year",
        "Número de servicios por año",
        "Número de solicitudes del CAU que pasaron a «Concluida» (servicio realizado, con la "
        "evidencia de la atención brindada) en el año",
        "servicios",
    ),
    # Kept apart from services: the record notes that some services are handled
    # by oficio, so tickets and services need not match.
    _cau(
        "cau_tickets_per_year",
        "Número de tickets generados por año",
        "Número de solicitudes de servicio registradas en el CAU (tickets con folio) cuya "
        "fecha de recepción cae en el año",
        "tickets",
    ),
    _cau(
        "cau_units_served_per_year",
        "Número de unidades administrativas atendidas por año",
        "Número de unidades administrativas distintas (unidad solicitante del ticket) con al "
        "menos un servicio concluido en el año",
        "unidades administrativas",
    ),
    # "Monitor que da seguimiento de los tiempos de respuesta de las solicitudes".
    IndicatorDefinition(
        code="cau_median_time_to_channel",
        name="Tiempo de respuesta: mediana del tiempo hábil para canalizar (CAU)",
        formula=(
            "Mediana, en horas hábiles, del tiempo entre la recepción de la solicitud y el paso "
            "«Canalizar al equipo y al técnico que atienden el tipo de servicio», de las "
            f"solicitudes canalizadas en el periodo, {NOT_WAITING}; se informa también por "
            "grupo del catálogo de servicios"
        ),
        unit="horas hábiles",
        periodicity="mensual",
        responsible=CAU_OWNER,
        service_code="CAU",
    ),
]

P10_UNRESOLVED = IndicatorDefinition(
    code="p10_unresolved_with_internal_dictamen",
    name="Solicitudes sin solución con dictamen técnico interno (soporte técnico)",
    formula=(
        "Número de solicitudes de GCH-CCS-P10 que en el periodo pasaron a «Sin solución: "
        "dictamen técnico interno» (paso «La falla no se solucionó: emitir dictamen técnico "
        "interno»)"
    ),
    unit="solicitudes",
    periodicity="mensual",
    responsible=CHALCO_OWNER,
    service_code="GCH-CCS-P10",
)

INDICATORS: list[IndicatorDefinition] = [
    *operating_indicators(P09_WORDS),
    *operating_indicators(P10_WORDS),
    P10_UNRESOLVED,
    *operating_indicators(CAU_WORDS),
    *CAU_OWN,
]
