"""GCH-CCS-P10's own steps on top of the common shape (manual, section 10.9)."""

from __future__ import annotations

from helpdesk.workflow import ClockKind
from helpdesk.workflow import State
from helpdesk.workflow import Transition
from helpdesk.workflow import Workflow
from helpdesk.workflow import skeleton

INTERNAL_DICTAMEN = "GCH-CCS-P10-DTI"


def p10_workflow() -> Workflow:
    """2: the Coordinador turns it to DGD; 3-5: DGD checks the requirements and may
    ask to complete them; 6: DGD gives the folio on the support form and goes on
    site; 7: solved? 8: no, a dictamen técnico interno goes to the head of the
    dependencia and the request ends; 9: yes, the requester verifies, signs and
    stamps the form; 10: DGD completes the form and registers the service.
    """
    builder = skeleton()
    builder.add_transition(
        Transition(
            name="department_requests_completion",
            label="Solicitar cumplir los requisitos (Gobierno Digital)",
            sources=("turned",),
            target="needs_completion",
            actors=("agent",),
            requires=("reason",),
            style="secondary",
        )
    )
    builder.change_transition("start", label="Asignar folio en el formato y acudir al sitio")
    builder.add_state(
        State(
            name="solved",
            label="Solucionada: en verificación del solicitante",
            requester_label="Verifique la solución y firme y selle el formato",
            clock=ClockKind.WAITING_REQUESTER,
        )
    )
    builder.add_state(
        State(
            name="verified",
            label="Verificada y firmada: por registrar",
            requester_label="Verificada por usted",
        )
    )
    builder.add_state(
        State(
            name="unresolved",
            label="Sin solución: dictamen técnico interno",
            requester_label="Sin solución: se emite dictamen técnico interno al titular",
            clock=ClockKind.CLOSED,
        )
    )
    builder.add_transition(
        Transition(
            name="mark_solved",
            label="La falla se solucionó",
            sources=("in_progress",),
            target="solved",
            actors=("agent",),
            requires=("text",),
        )
    )
    builder.add_transition(
        Transition(
            name="not_solved",
            label="La falla no se solucionó: emitir dictamen técnico interno",
            sources=("in_progress",),
            target="unresolved",
            actors=("agent",),
            requires=("reason",),
            hand_off=INTERNAL_DICTAMEN,
            style="danger",
        )
    )
    builder.add_transition(
        Transition(
            name="verify",
            label="Confirmo que la falla se solucionó (firma y sello del formato)",
            sources=("solved",),
            target="verified",
            actors=("requester", "liaison"),
        )
    )
    builder.add_transition(
        Transition(
            name="report_still_failing",
            label="La falla persiste",
            sources=("solved",),
            target="in_progress",
            actors=("requester", "liaison"),
            requires=("reason",),
            style="secondary",
        )
    )
    builder.change_transition(
        "conclude",
        sources=("verified",),
        label="Completar el formato y registrar el servicio",
    )
    return builder.build("GCH-CCS-P10")
