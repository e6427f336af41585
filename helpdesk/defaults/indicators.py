"""The general indicators every tenant gets, declared like any plugin's.

The CAU document (004) measures services and tickets per year, units served
and satisfaction; the Chalco manual's services all count requests received,
concluded and returned for missing requirements.
"""

from __future__ import annotations

from helpdesk import measures
from helpdesk.catalog import IndicatorDefinition
from helpdesk.hookspecs import hookimpl

OWNER = "Coordinación del área que presta el servicio"


def _general(
    code: str, name: str, formula: str, unit: str, measure: measures.Measure, periodicity: str
) -> IndicatorDefinition:
    return IndicatorDefinition(
        code=code,
        name=name,
        formula=formula,
        unit=unit,
        periodicity=periodicity,
        responsible=OWNER,
        measure=measure,
    )


CORE_INDICATORS: list[IndicatorDefinition] = [
    _general(
        "requests_received",
        "Solicitudes recibidas",
        "Número de solicitudes registradas (con folio) cuya fecha de recepción cae en el periodo",
        "solicitudes",
        measures.Received(),
        "mensual",
    ),
    _general(
        "requests_concluded",
        "Solicitudes concluidas",
        "Número de solicitudes concluidas (cerradas con el servicio dado) en el periodo",
        "solicitudes",
        measures.Closed(),
        "mensual",
    ),
    _general(
        "requests_returned_for_requirements",
        "Solicitudes devueltas o rechazadas por requisitos incompletos",
        "Número de solicitudes que en el periodo pasaron a «Requiere complementar requisitos» "
        "(quienquiera que lo pidiera) o se rechazaron en la revisión de requisitos (paso "
        "«Rechazar»); cada una cuenta una vez aunque se le devuelva varias veces",
        "solicitudes",
        measures.Stepped(steps=("reject",), states=("needs_completion",)),
        "mensual",
    ),
    _general(
        "requests_in_progress",
        "Solicitudes en proceso",
        "Número de solicitudes recibidas y aún abiertas al cierre del periodo",
        "solicitudes",
        measures.InProgress(),
        "mensual",
    ),
    _general(
        "tickets_per_year",
        "Número de tickets generados por año",
        "Número de solicitudes registradas (tickets con folio) cuya fecha de recepción cae en "
        "el año, del 1 de enero al cierre del periodo",
        "tickets",
        measures.YearToDate(measures.Received()),
        "anual",
    ),
    _general(
        "services_per_year",
        "Número de servicios por año",
        "Número de solicitudes concluidas (servicios realizados) en el año, del 1 de enero al "
        "cierre del periodo",
        "servicios",
        measures.YearToDate(measures.Closed()),
        "anual",
    ),
    _general(
        "units_served",
        "Unidades administrativas atendidas",
        "Número de unidades administrativas distintas con al menos una solicitud concluida en "
        "el periodo",
        "unidades administrativas",
        measures.UnitsServed(basis=measures.CONCLUDED),
        "anual",
    ),
    _general(
        "sla_compliance",
        "Cumplimiento del nivel de servicio",
        "(Solicitudes concluidas en el periodo que cumplieron todos sus plazos / solicitudes "
        "concluidas en el periodo con plazos) × 100; los plazos se miden en tiempo hábil sin "
        "contar las esperas",
        "%",
        measures.SlaCompliance(),
        "mensual",
    ),
    _general(
        "median_business_time_to_conclude",
        "Mediana del tiempo hábil para concluir",
        "Mediana, en horas hábiles, del tiempo entre la recepción y la conclusión de las "
        "solicitudes concluidas en el periodo, sin contar las esperas",
        "horas hábiles",
        measures.WorkTime(0.5),
        "mensual",
    ),
    _general(
        "p90_business_time_to_conclude",
        "Percentil 90 del tiempo hábil para concluir",
        "Percentil 90, en horas hábiles, del tiempo entre la recepción y la conclusión de las "
        "solicitudes concluidas en el periodo, sin contar las esperas",
        "horas hábiles",
        measures.WorkTime(0.9),
        "mensual",
    ),
    *(
        _general(
            f"satisfaction_{rating}",
            f"Nivel de satisfacción: {label}",
            f"(Encuestas con respuesta «{label}» / encuestas contestadas) × 100, de las "
            "solicitudes concluidas en el periodo",
            "%",
            measures.Satisfaction(rating),
            "mensual",
        )
        for rating, label in (
            ("satisfied", "Satisfecho"),
            ("regular", "Regular"),
            ("unsatisfied", "Insatisfecho"),
        )
    ),
    _general(
        "survey_response_rate",
        "Tasa de respuesta de las encuestas",
        "(Encuestas contestadas / encuestas enviadas) × 100, de las solicitudes concluidas en "
        "el periodo",
        "%",
        measures.SurveyResponse(),
        "mensual",
    ),
]


@hookimpl(trylast=True)
def helpdesk_indicators() -> list[IndicatorDefinition]:
    return CORE_INDICATORS
