"""This plugin's steps on top of the common shape of CATALOG.md.

GCH-CCS-P07 (Chalco manual 7.9, activities 6-13): DGD receives the request,
analyses its technical viability and sets the development time, builds or
modifies the system, trains the requester, who tests it (adjustments loop back
to development, as many rounds as needed) and approves the release in writing;
the coordinator passes the approval to DGD, which backs the system up and
releases it.

GCH-CCS-P08 (8.7 and 8.9, activities 6-8): DGD decides the structure and layout
of the information, publishes it, registers and concludes.

PSDT-05's order of service is in :mod:`plugins.portal.order_workflow`.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from datetime import date
from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any
from zoneinfo import ZoneInfo

from helpdesk.workflow import ClockKind
from helpdesk.workflow import State
from helpdesk.workflow import Transition
from helpdesk.workflow import Workflow
from helpdesk.workflow import skeleton

if TYPE_CHECKING:
    from helpdesk.models import Ticket
    from helpdesk.models import TicketEvent
    from helpdesk.models import User

STAFF = ("agent", "coordinator")
REQUESTER = ("requester", "liaison")


def _events(ticket: Ticket) -> list[TicketEvent]:
    return list(ticket.events)


def taken(ticket: Ticket, names: Iterable[str]) -> list[TicketEvent]:
    """The ticket's events of the given steps, oldest first."""
    wanted = set(names)
    return [event for event in _events(ticket) if event.transition in wanted]


def since_last(ticket: Ticket, opening: str, names: Iterable[str]) -> list[TicketEvent]:
    """Events of ``names`` taken after the last ``opening`` step (all of them if none)."""
    wanted = set(names)
    found: list[TicketEvent] = []
    for event in _events(ticket):
        if event.transition == opening:
            found = []
        elif event.transition in wanted:
            found.append(event)
    return found


# -- GCH-CCS-P07 ---------------------------------------------------------------

P07_STATES = (
    State(
        name="in_development",
        label="En desarrollo o modificación (Gobierno Digital)",
        requester_label="En desarrollo o modificación",
    ),
    State(
        name="training",
        label="Desarrollo terminado: capacitar al solicitante",
        requester_label="Por recibir la capacitación en el uso del sistema",
    ),
    State(
        name="testing",
        label="Periodo de pruebas del solicitante",
        requester_label=(
            "Periodo de pruebas: use el sistema y apruebe su liberación por escrito o "
            "solicite adecuaciones"
        ),
        clock=ClockKind.WAITING_REQUESTER,
    ),
    State(
        name="release_approved",
        label="Liberación aprobada por escrito: turnar a Gobierno Digital",
        requester_label="Liberación aprobada por escrito",
    ),
    State(
        name="release_turned",
        label="Aprobación de la liberación turnada: respaldar y liberar",
        requester_label="En respaldo y liberación",
    ),
    State(
        name="released",
        label="Sistema respaldado y liberado: registrar y concluir",
        requester_label="Sistema liberado",
    ),
)


def _local_today(ticket: Ticket) -> date:
    from helpdesk.extensions import db
    from helpdesk.models import Tenant

    tenant = db.session.get(Tenant, ticket.tenant_id)
    zone = ZoneInfo(tenant.timezone if tenant else "America/Mexico_City")
    return datetime.now(zone).date()


def development_date_not_past(ticket: Ticket, actor: User, fields: Mapping[str, Any]) -> None:
    """7.7: DGD sets the development time; a finishing date already past makes no plan."""
    from helpdesk.workflow.engine import TransitionError

    raw = fields.get("date")
    try:
        value = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
    except ValueError:
        return  # the engine already refused an unreadable date
    if value < _local_today(ticket):
        raise TransitionError(
            "La fecha de término del desarrollo no puede ser anterior a hoy.", field="date"
        )


def _trained(ticket: Ticket, user: User) -> str | None:
    if not taken(ticket, ("train",)):
        return "Antes del periodo de pruebas, Gobierno Digital capacita al solicitante."
    return None


def p07_workflow() -> Workflow:
    builder = skeleton()
    for state in P07_STATES:
        builder.add_state(state)
    builder.change_transition(
        "assign", sources=("turned", "in_progress", "in_development", "training", "release_turned")
    )
    builder.change_transition("start", label="Recibir la solicitud y analizar su viabilidad")
    builder.add_transition(
        Transition(
            name="accept",
            label="Aceptar y fijar la fecha de término del desarrollo",
            sources=("in_progress",),
            target="in_development",
            actors=STAFF,
            requires=("date", "text"),
            effects=(development_date_not_past,),
        )
    )
    builder.add_transition(
        Transition(
            name="not_viable",
            label="Rechazar: no es técnicamente viable",
            sources=("in_progress",),
            target="rejected",
            actors=STAFF,
            requires=("reason",),
            style="danger",
        )
    )
    builder.add_transition(
        Transition(
            name="finish_development",
            label="Desarrollo terminado: programar la capacitación",
            sources=("in_development",),
            target="training",
            actors=STAFF,
            requires=("text",),
        )
    )
    builder.add_transition(
        Transition(
            name="train",
            label="Capacitación impartida: iniciar el periodo de pruebas",
            sources=("training",),
            target="testing",
            actors=STAFF,
            requires=("text",),
        )
    )
    builder.add_transition(
        Transition(
            name="deliver_adjustments",
            label="Entregar las adecuaciones para un nuevo periodo de pruebas",
            sources=("in_development",),
            target="testing",
            actors=STAFF,
            requires=("text",),
            guard=_trained,
            style="secondary",
        )
    )
    builder.add_transition(
        Transition(
            name="request_adjustments",
            label="Solicitar adecuaciones o correcciones",
            sources=("testing",),
            target="in_development",
            actors=REQUESTER,
            requires=("reason",),
            style="secondary",
        )
    )
    builder.add_transition(
        Transition(
            name="approve_release",
            label="Aprobar por escrito la liberación del sistema",
            sources=("testing",),
            target="release_approved",
            actors=REQUESTER,
        )
    )
    builder.add_transition(
        Transition(
            name="turn_release",
            label="Turnar la aprobación de la liberación a Gobierno Digital",
            sources=("release_approved",),
            target="release_turned",
            actors=("coordinator",),
        )
    )
    builder.add_transition(
        Transition(
            name="backup_release",
            label="Realizar el respaldo y la liberación del sistema",
            sources=("release_turned",),
            target="released",
            actors=STAFF,
            requires=("text",),
        )
    )
    builder.change_transition("conclude", sources=("released",), label="Registrar y concluir")
    return builder.build("GCH-CCS-P07")


# -- GCH-CCS-P08 ---------------------------------------------------------------


def p08_workflow() -> Workflow:
    builder = skeleton()
    builder.add_state(
        State(
            name="layout_defined",
            label="Estructura y adecuación definidas: publicar",
            requester_label="En preparación para su publicación",
        )
    )
    builder.add_state(
        State(
            name="published",
            label="Publicada en el sitio web: registrar y concluir",
            requester_label="Publicada en el sitio web",
        )
    )
    builder.change_transition("assign", sources=("turned", "in_progress", "layout_defined"))
    builder.add_transition(
        Transition(
            name="define_layout",
            label="Decidir la estructura y la adecuación de la información",
            sources=("in_progress",),
            target="layout_defined",
            actors=STAFF,
            requires=("text",),
        )
    )
    builder.add_transition(
        Transition(
            name="publish",
            label="Publicar en el sitio web institucional (indique la dirección)",
            sources=("layout_defined",),
            target="published",
            actors=STAFF,
            requires=("text",),
        )
    )
    builder.change_transition(
        "conclude", sources=("published",), label="Registrar y concluir la solicitud"
    )
    return builder.build("GCH-CCS-P08")
