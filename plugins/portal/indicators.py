"""Indicators of the portal services, with what the core counts for each.

PSDT-05 section 9 gives one indicator, (services published in the Portal /
orders received) × 100, quarterly; annex 1's non-conforming service is counted
too. The Chalco manual leaves P07 and P08 unmeasured, so they get the figures
every Chalco procedure shares: volume, rejections, time and service level.
Formulas name the workflow steps by their labels and say exactly what the
``measure`` counts; times are business hours.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import func
from sqlalchemy import select

from helpdesk import measures
from helpdesk.catalog import IndicatorDefinition
from helpdesk.catalog import ServiceDefinition
from helpdesk.extensions import db
from helpdesk.models import Ticket
from helpdesk.models import TicketEvent
from plugins.portal import services

if TYPE_CHECKING:
    from helpdesk.indicators import Scope

CHALCO_OWNER = "Coordinador(a) de Comunicación Social"
SINALOA_OWNER = "Director de Servicios Compartidos de Tecnología"
PUBLISH = "publish"
OPEN_NONCONFORMITY = "open_nonconformity"


def steps_taken(*steps: str) -> Callable[[Scope], int]:
    """Times any of ``steps`` was taken in the period (a ticket may take one several times)."""

    def compute(scope: Scope) -> int:
        statement = (
            select(func.count(TicketEvent.id))
            .join(Ticket, Ticket.id == TicketEvent.ticket_id)
            .where(
                *scope.ticket_filters(),
                scope.tenants(TicketEvent.tenant_id),
                TicketEvent.transition.in_(steps),
                scope.within(TicketEvent.at, TicketEvent.tenant_id),
            )
        )
        return int(db.session.scalar(statement) or 0)

    return compute


def _chalco_indicators(
    service: ServiceDefinition, prefix: str, waits: str
) -> list[IndicatorDefinition]:
    """What the manual leaves unmeasured for P07 and P08: volume, outcome, time, SLA."""

    def indicator(
        code: str, name: str, formula: str, unit: str, measure: measures.Measure
    ) -> IndicatorDefinition:
        return IndicatorDefinition(
            code=f"{prefix}_{code}",
            name=f"{name} ({service.code})",
            formula=formula,
            unit=unit,
            periodicity="mensual",
            responsible=CHALCO_OWNER,
            service_code=service.code,
            measure=measure,
        )

    return [
        indicator(
            "requests_received",
            "Solicitudes recibidas",
            "Número de solicitudes registradas (con folio) cuya fecha de recepción cae en el "
            "periodo, por cualquier medio",
            "solicitudes",
            measures.Received(),
        ),
        indicator(
            "requests_concluded",
            "Solicitudes concluidas",
            "Número de solicitudes que llegaron al estado «Concluida» en el periodo (paso "
            f"«{service.workflow.transition('conclude').label}»), sin importar cuándo se "
            "registraron",
            "solicitudes",
            measures.Closed(measures.CONCLUDED),
        ),
        indicator(
            "rejected_requirements",
            "Solicitudes rechazadas por no cumplir los requisitos",
            "Número de solicitudes rechazadas con motivo en la revisión de requisitos (paso "
            "«Rechazar») en el periodo",
            "solicitudes",
            measures.Stepped(steps=("reject",)),
        ),
        indicator(
            "median_time_to_conclude",
            "Mediana del tiempo para concluir",
            "Mediana, en horas hábiles, del tiempo hábil entre la recepción y la conclusión de "
            f"las solicitudes concluidas en el periodo, sin contar {waits}",
            "horas hábiles",
            measures.WorkTime(0.5),
        ),
        indicator(
            "sla_compliance",
            "Cumplimiento del nivel de servicio",
            "(Solicitudes concluidas en el periodo dentro de todos sus plazos / solicitudes "
            "concluidas en el periodo con plazos) × 100; los plazos son los vigentes al "
            f"concluir y se miden en tiempo hábil sin contar {waits}",
            "%",
            measures.SlaCompliance(),
        ),
    ]


ALL: list[IndicatorDefinition] = [
    # Section 9 gives only the formula; the name describes what it measures.
    IndicatorDefinition(
        code="psdt05_services_published",
        name="Servicios electrónicos publicados en el Portal de GES",
        formula=(
            "(No. de servicios publicados en el Portal / Total de órdenes recibidas) × 100; "
            "servicios publicados: órdenes de servicio con el paso «Publicar en el Portal de GES» "
            "en el periodo (cada orden cuenta una vez, aunque se vuelva a publicar tras corregir "
            "anomalías); órdenes recibidas: las registradas con folio cuya recepción cae en el "
            "periodo (una orden recibida en un periodo puede publicarse en el siguiente)"
        ),
        unit="%",
        periodicity="trimestral",
        responsible=SINALOA_OWNER,
        service_code=services.PSDT05.code,
        measure=measures.Ratio(
            numerator=measures.Stepped(steps=(PUBLISH,)), denominator=measures.Received()
        ),
    ),
    # Annex 1 names the non-conforming service; counting it shows how often it happens.
    IndicatorDefinition(
        code="psdt05_nonconformities",
        name="Servicios no conformes: servicio no visible en el portal",
        formula=(
            "Número de servicios no conformes «servicio no visible en el portal» abiertos en el "
            "periodo: pasos «Abrir servicio no conforme…», los de la verificación automática de "
            "la liga y los de una persona; cada apertura cuenta, aunque una orden tenga varias"
        ),
        unit="servicios no conformes",
        periodicity="trimestral",
        responsible=SINALOA_OWNER,
        service_code=services.PSDT05.code,
        measure=measures.Custom(steps_taken(OPEN_NONCONFORMITY)),
    ),
    *_chalco_indicators(
        services.P07,
        "p07",
        "el tiempo en espera del solicitante (requisitos por complementar y periodo de pruebas)",
    ),
    *_chalco_indicators(
        services.P08,
        "p08",
        "el tiempo en espera del solicitante (requisitos por complementar)",
    ),
]
