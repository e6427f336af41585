"""The support services' indicators: formula in words, the measure that computes it.

Every service declares the same five operating figures (received, concluded,
returned or rejected for requirements, median business time to conclude, SLA
compliance), worded with its own steps; the CAU adds those its record names
(section V, "Indicadores utilizados") and the response time its monitor
follows. Each formula names the states and steps by their labels, and its
``measure`` counts exactly those (:mod:`helpdesk.measures`), by the names the
workflows give them in :mod:`plugins.soporte.workflows`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import select

from helpdesk import measures
from helpdesk.catalog import IndicatorDefinition
from helpdesk.extensions import db
from helpdesk.models import SlaClock
from helpdesk.models import Ticket
from helpdesk.models import TicketEvent

if TYPE_CHECKING:
    from helpdesk.indicators import Scope

CHALCO_OWNER = "Coordinación de Comunicación Social (Departamento de Gobierno Digital)"
# The record names the indicators and reports them per year but gives no
# owner: the DGSyTI administers the practice.
CAU_OWNER = "Dirección General de Sistemas y Tecnologías de la Información (DGSyTI)"

# Time waiting on the requester (requirements to complete, a solution to
# verify) is not the office's, as the SLA clock counts it. The support
# workflows have no state waiting on anyone else, so this is every stopped clock.
NOT_WAITING = (
    "sin contar el tiempo en que la solicitud esperó al solicitante (estados con el reloj detenido)"
)
HOUR = 3600.0


@dataclass(frozen=True)
class ServiceWords:
    """How a service's own steps are named in its indicators' formulas, and
    which steps return or reject a request for its requirements."""

    prefix: str
    code: str
    short: str
    owner: str
    # The closing states that conclude the service (outcome "concluded").
    closing: str
    returned: str
    returning_steps: tuple[str, ...]
    # After "dentro del".
    deadline: str = "plazo para atender del servicio"


def operating_indicators(words: ServiceWords) -> list[IndicatorDefinition]:
    """The five figures every support service reports, monthly."""

    def indicator(
        suffix: str, name: str, formula: str, unit: str, measure: measures.Measure
    ) -> IndicatorDefinition:
        return IndicatorDefinition(
            code=f"{words.prefix}_{suffix}",
            name=f"{name} ({words.short})",
            formula=formula,
            unit=unit,
            periodicity="mensual",
            responsible=words.owner,
            service_code=words.code,
            measure=measure,
        )

    concluded = f"solicitudes de {words.code} que en el periodo pasaron a {words.closing}"
    return [
        indicator(
            "requests_received",
            "Solicitudes recibidas",
            f"Número de solicitudes de {words.code} registradas con folio cuya fecha de "
            "recepción (la del acuse, ya en horario de atención) cae en el periodo",
            "solicitudes",
            measures.Received(),
        ),
        indicator(
            "requests_concluded",
            "Solicitudes concluidas",
            f"Número de {concluded}; las rechazadas y las retiradas no cuentan",
            "solicitudes",
            measures.Closed(measures.CONCLUDED),
        ),
        indicator(
            "requests_returned_for_requirements",
            "Solicitudes devueltas o rechazadas por no cumplir los requisitos",
            f"Número de solicitudes de {words.code} que en el periodo {words.returned}; cada "
            "solicitud cuenta una vez aunque se le devuelva varias veces",
            "solicitudes",
            measures.Stepped(steps=words.returning_steps),
        ),
        indicator(
            "median_business_time_to_conclude",
            "Mediana del tiempo hábil para concluir",
            "Mediana, en horas hábiles del horario de atención del servicio, del tiempo entre "
            f"la recepción y la conclusión de las {concluded}, {NOT_WAITING}",
            "horas hábiles",
            measures.WorkTime(0.5),
        ),
        indicator(
            "sla_compliance",
            "Cumplimiento del nivel de servicio",
            f"(Solicitudes de {words.code} que en el periodo pasaron a {words.closing} dentro "
            f"del {words.deadline} / solicitudes de {words.code} concluidas así en el periodo "
            f"que tenían ese plazo) × 100; el plazo se mide {NOT_WAITING}",
            "%",
            measures.SlaCompliance(target="resolve"),
        ),
    ]


P09_WORDS = ServiceWords(
    prefix="p09",
    code="GCH-CCS-P09",
    short="correo electrónico institucional",
    owner=CHALCO_OWNER,
    closing="«Concluida» (paso «Registrar y concluir la solicitud»)",
    returned=(
        "recibieron al menos un paso «Solicitar complementar requisitos» o fueron "
        "rechazadas («Rechazar», con su motivo escrito)"
    ),
    returning_steps=("request_completion", "reject"),
)

P10_WORDS = ServiceWords(
    prefix="p10",
    code="GCH-CCS-P10",
    short="soporte técnico",
    owner=CHALCO_OWNER,
    # 10.9, activity 8: the dictamen técnico interno ends the procedure; the
    # service was given even though the fault could not be solved.
    closing=(
        "«Concluida» (paso «Completar el formato y registrar el servicio», tras la "
        "verificación del solicitante) o a «Sin solución: dictamen técnico interno»"
    ),
    returned=(
        "recibieron al menos un paso «Solicitar complementar requisitos» (Coordinación) o "
        "«Solicitar cumplir los requisitos (Gobierno Digital)», o fueron rechazadas "
        "(«Rechazar», por la Coordinación, o «Rechazar: no es infraestructura tecnológica del "
        "Ayuntamiento», por Gobierno Digital)"
    ),
    returning_steps=(
        "request_completion",
        "department_requests_completion",
        "reject",
        "department_rejects",
    ),
)

CAU_WORDS = ServiceWords(
    prefix="cau",
    code="CAU",
    short="CAU",
    owner=CAU_OWNER,
    closing="«Concluida» (paso «Concluir con la evidencia de la atención brindada»)",
    returned=(
        "recibieron al menos un paso «Solicitar complementar requisitos» o fueron "
        "rechazadas («Rechazar (se gestiona vía oficio o no es de TI)»)"
    ),
    returning_steps=("request_completion", "reject"),
    # The core keeps one agreement per service, so each request is measured
    # against the service's, not its own group's (plugins.soporte.cau).
    deadline=(
        "plazo para atender del acuerdo de nivel de servicio del grupo del catálogo al que "
        "pertenece el tipo de servicio de cada solicitud (salvo que el gobierno haya fijado "
        "otro plazo para el CAU)"
    ),
)

# The seed's yearly percentages do not add up to 100 (2014: 85.03 + 2.42 + 1.02),
# so they are shares of all services, counting those whose survey went unanswered.
_SATISFACTION_BASE = "servicios concluidos en el año"

# The CAU's step that sends a request to its team and technician.
CHANNEL = "turn"


def median_hours_to_channel(scope: Scope) -> float | None:
    """Median business hours from reception to the channel step, of the requests
    channelled in the scope's period (None if none), in one aggregate query.

    The CAU's respond clock runs from reception until the request leaves its
    intake, which includes waiting for the requirements to be completed (its
    time paused), so a channelled request's clock stopped at the channel step
    (:func:`plugins.soporte.workflows.cau_workflow`); rejections and withdrawals
    also stop it and are left out by joining the channel step. A request is
    channelled at most once: nothing leads back to the intake. A tenant that
    removes the respond target from the CAU's agreement keeps no respond
    clocks, and this indicator then has no value.
    """
    channelled = (
        select(
            SlaClock.used_seconds.label("seconds"),
            func.row_number().over(order_by=SlaClock.used_seconds).label("row_no"),
            func.count().over().label("row_count"),
        )
        .join(Ticket, Ticket.id == SlaClock.ticket_id)
        .where(
            *scope.ticket_filters(),
            SlaClock.target == "respond",
            # The clock stops at the channel step: its period bounds the clocks
            # read, and the step, looked up per ticket, leaves out rejections.
            scope.within(SlaClock.met_at, SlaClock.tenant_id),
            scope.tenants(SlaClock.tenant_id),
            exists().where(
                TicketEvent.ticket_id == Ticket.id,
                TicketEvent.transition == CHANNEL,
                scope.within(TicketEvent.at, TicketEvent.tenant_id),
            ),
        )
    )
    ranked = channelled.subquery()
    # The middle row, or the mean of the two middle rows (as percentile_cont(0.5)).
    seconds = db.session.scalar(
        select(func.avg(ranked.c.seconds)).where(
            ranked.c.row_no * 2 >= ranked.c.row_count, ranked.c.row_no * 2 <= ranked.c.row_count + 2
        )
    )
    return None if seconds is None else round(float(seconds) / HOUR, 2)


def _cau(
    code: str,
    name: str,
    formula: str,
    unit: str,
    measure: measures.Measure,
    periodicity: str = "anual",
) -> IndicatorDefinition:
    # The record's figures are per year: on a monthly or quarterly dashboard
    # they show the year so far, not the month's or quarter's share.
    yearly = periodicity == "anual"
    return IndicatorDefinition(
        code=code,
        name=name,
        formula=f"{formula}, del 1 de enero al cierre del periodo" if yearly else formula,
        unit=unit,
        periodicity=periodicity,
        responsible=CAU_OWNER,
        service_code="CAU",
        measure=measures.YearToDate(measure) if yearly else measure,
    )


CAU_OWN: list[IndicatorDefinition] = [
    *(
        _cau(
            f"cau_satisfaction_{answer}",
            f"Nivel de satisfacción de usuario: {label}",
            f"(Servicios concluidos en el año cuya encuesta de satisfacción se respondió "
            f"«{label}» / {_SATISFACTION_BASE}) × 100",
            "%",
            measures.Satisfaction(answer, base=measures.CONCLUDED),
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
        measures.Closed(measures.CONCLUDED),
    ),
    # Kept apart from services: the record notes that some services are handled
    # by oficio, so tickets and services need not match.
    _cau(
        "cau_tickets_per_year",
        "Número de tickets generados por año",
        "Número de solicitudes de servicio registradas en el CAU (tickets con folio) cuya "
        "fecha de recepción cae en el año",
        "tickets",
        measures.Received(),
    ),
    _cau(
        "cau_units_served_per_year",
        "Número de unidades administrativas atendidas por año",
        "Número de unidades administrativas distintas (unidad solicitante del ticket) con al "
        "menos un servicio concluido en el año",
        "unidades administrativas",
        measures.UnitsServed(basis=measures.CONCLUDED),
    ),
    # "Monitor que da seguimiento de los tiempos de respuesta de las solicitudes".
    # The record's breakdown by group of the catalog is not a figure the engine
    # can narrow to (a scope is a service, unit or department), so it is left out.
    _cau(
        "cau_median_time_to_channel",
        "Tiempo de respuesta: mediana del tiempo hábil para canalizar (CAU)",
        "Mediana, en horas hábiles del horario de atención del servicio, del tiempo entre la "
        "recepción de la solicitud y el paso «Canalizar al equipo y al técnico que atienden el "
        f"tipo de servicio», de las solicitudes canalizadas en el periodo, {NOT_WAITING}",
        "horas hábiles",
        measures.Custom(median_hours_to_channel),
        periodicity="mensual",
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
    measure=measures.Stepped(states=("unresolved",)),
)

INDICATORS: list[IndicatorDefinition] = [
    *operating_indicators(P09_WORDS),
    *operating_indicators(P10_WORDS),
    P10_UNRESOLVED,
    *operating_indicators(CAU_WORDS),
    *CAU_OWN,
]
