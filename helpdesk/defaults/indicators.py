"""The general indicators every tenant gets, declared like any plugin's.

The CAU document (004) measures services and tickets per year, units served
and satisfaction; the Chalco manual's services all count requests received,
concluded and returned for missing requirements.
"""

from __future__ import annotations

from helpdesk.catalog import IndicatorDefinition
from helpdesk.hookspecs import hookimpl

OWNER = "Coordinación del área que presta el servicio"

CORE_INDICATORS: list[IndicatorDefinition] = [
    IndicatorDefinition(
        code="requests_received",
        name="Solicitudes recibidas",
        formula="Número de solicitudes registradas (con folio) en el periodo",
        unit="solicitudes",
        periodicity="mensual",
        responsible=OWNER,
    ),
    IndicatorDefinition(
        code="requests_concluded",
        name="Solicitudes concluidas",
        formula="Número de solicitudes concluidas en el periodo",
        unit="solicitudes",
        periodicity="mensual",
        responsible=OWNER,
    ),
    IndicatorDefinition(
        code="requests_returned_for_requirements",
        name="Solicitudes devueltas por requisitos incompletos",
        formula="Número de solicitudes a las que se pidió complementar requisitos en el periodo",
        unit="solicitudes",
        periodicity="mensual",
        responsible=OWNER,
    ),
    IndicatorDefinition(
        code="requests_in_progress",
        name="Solicitudes en proceso",
        formula="Número de solicitudes abiertas al cierre del periodo",
        unit="solicitudes",
        periodicity="mensual",
        responsible=OWNER,
    ),
    IndicatorDefinition(
        code="sla_compliance",
        name="Cumplimiento del nivel de servicio",
        formula="(Solicitudes concluidas dentro del plazo / solicitudes concluidas) × 100",
        unit="%",
        periodicity="mensual",
        responsible=OWNER,
    ),
    IndicatorDefinition(
        code="units_served",
        name="Unidades administrativas atendidas",
        formula="Número de unidades administrativas distintas con al menos una solicitud",
        unit="unidades",
        periodicity="anual",
        responsible=OWNER,
    ),
    IndicatorDefinition(
        code="satisfaction_satisfied",
        name="Nivel de satisfacción: Satisfecho",
        formula="(Encuestas con respuesta «Satisfecho» / encuestas contestadas) × 100",
        unit="%",
        periodicity="anual",
        responsible=OWNER,
    ),
]


@hookimpl(trylast=True)
def helpdesk_indicators() -> list[IndicatorDefinition]:
    return CORE_INDICATORS
