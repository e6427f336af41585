"""PSDT-05's order of service on top of the common shape of CATALOG.md.

Activities 2-8 and annex 1: Gobierno Electrónico publishes the e-service with
its name and link; the link is checked right after (see
:mod:`plugins.portal.links`); a dead link opens the non-conforming service
"servicio no visible en el portal" (cause, fix, verification, repeatable); the
publication is notified; the requester tests and confirms satisfaction or gives
the causes, which loop back to correction; the order is documented and closed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from helpdesk.workflow import STAY
from helpdesk.workflow import SYSTEM
from helpdesk.workflow import ClockKind
from helpdesk.workflow import State
from helpdesk.workflow import Transition
from helpdesk.workflow import Workflow
from helpdesk.workflow import skeleton
from plugins.portal.workflows import REQUESTER
from plugins.portal.workflows import STAFF
from plugins.portal.workflows import since_last

if TYPE_CHECKING:
    from helpdesk.models import Ticket
    from helpdesk.models import User

# Where a published order may be found when its link is checked (PSDT-07).
PUBLISHED_STATES = ("published", "visible", "awaiting_confirmation", "satisfied", "concluded")
# Steps after which the link is checked automatically.
CHECKED_STEPS = ("publish", "nc_fix")

PSDT05_STATES = (
    State(
        name="published",
        label="Publicado en el Portal: verificando la liga",
        requester_label="Publicado en el Portal de GES, en verificación",
    ),
    State(
        name="visible",
        label="Publicado y visible en el Portal: notificar la publicación",
        requester_label="Publicado en el Portal de GES",
    ),
    State(
        name="awaiting_confirmation",
        label="Publicación notificada: el solicitante prueba el servicio",
        requester_label=(
            "Pruebe el servicio en el Portal de GES y confirme si el servicio fue satisfactorio"
        ),
        clock=ClockKind.WAITING_REQUESTER,
    ),
    State(
        name="correcting",
        label="No satisfactorio: verificar y corregir las anomalías",
        requester_label="En corrección de anomalías",
    ),
    State(
        name="satisfied",
        label="Servicio satisfactorio: documentar y cerrar la orden",
        requester_label="Servicio satisfactorio",
    ),
    State(
        name="nonconforming",
        label="Servicio no conforme: servicio no visible en el portal",
        requester_label="En corrección: el servicio no se ve en el Portal",
    ),
    State(
        name="nc_fixed",
        label="Servicio no conforme subsanado: verificando que se vea",
        requester_label="En corrección: el servicio no se ve en el Portal",
    ),
)


def _cause_found(ticket: Ticket, user: User) -> str | None:
    if not since_last(ticket, "open_nonconformity", ("nc_cause",)):
        return "Primero registre la causa por la que no se puede ver la liga del servicio."
    return None


def psdt05_workflow() -> Workflow:
    builder = skeleton()
    for state in PSDT05_STATES:
        builder.add_state(state)
    builder.change_transition(
        "assign", sources=("turned", "in_progress", "correcting", "nonconforming")
    )
    builder.change_transition("turn", label="Canalizar la orden de servicio a Gobierno Electrónico")
    builder.add_transition(
        Transition(
            name="publish",
            label="Publicar en el Portal de GES (nombre y liga del servicio)",
            sources=("in_progress",),
            target="published",
            actors=STAFF,
            requires=("text",),
        )
    )
    builder.add_transition(
        Transition(
            name="confirm_visible",
            label="Verificar que la liga funcione en el Portal",
            sources=("published",),
            target="visible",
            actors=(*STAFF, SYSTEM),
            requires=("text",),
        )
    )
    builder.add_transition(
        Transition(
            name="open_nonconformity",
            label="Abrir servicio no conforme: servicio no visible en el portal",
            sources=(*PUBLISHED_STATES, "nc_fixed"),
            target="nonconforming",
            actors=(*STAFF, SYSTEM),
            requires=("reason",),
            style="danger",
        )
    )
    builder.add_transition(
        Transition(
            name="nc_cause",
            label="Registrar la causa por la que no se ve la liga",
            sources=("nonconforming",),
            target=STAY,
            actors=STAFF,
            requires=("text",),
            style="secondary",
        )
    )
    builder.add_transition(
        Transition(
            name="nc_fix",
            label="Subsanar el problema (indique la liga si cambió)",
            sources=("nonconforming",),
            target="nc_fixed",
            actors=STAFF,
            requires=("text",),
            guard=_cause_found,
        )
    )
    builder.add_transition(
        Transition(
            name="nc_verify",
            label="Verificar que el servicio se vea en el Portal",
            sources=("nc_fixed",),
            target="visible",
            actors=(*STAFF, SYSTEM),
            requires=("text",),
        )
    )
    builder.add_transition(
        Transition(
            name="notify_publication",
            label="Notificar la publicación (observaciones)",
            sources=("visible",),
            target="awaiting_confirmation",
            actors=STAFF,
            requires=("text",),
        )
    )
    builder.add_transition(
        Transition(
            name="confirm_satisfaction",
            label="Confirmar: el servicio fue satisfactorio",
            sources=("awaiting_confirmation",),
            target="satisfied",
            actors=REQUESTER,
        )
    )
    builder.add_transition(
        Transition(
            name="report_unsatisfied",
            label="Informar que no fue satisfactorio (causas)",
            sources=("awaiting_confirmation",),
            target="correcting",
            actors=REQUESTER,
            requires=("reason",),
            style="secondary",
        )
    )
    builder.add_transition(
        Transition(
            name="correct_anomalies",
            label="Verificar y corregir las anomalías (volver a publicar)",
            sources=("correcting",),
            target="in_progress",
            actors=STAFF,
            requires=("text",),
        )
    )
    builder.change_transition(
        "conclude", sources=("satisfied",), label="Documentar y cerrar la orden de servicio"
    )
    return builder.build("PSDT-05")
