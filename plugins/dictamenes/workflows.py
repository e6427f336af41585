"""The dictamen técnico interno that an unsolved P10 hands off (activity 8)."""

from __future__ import annotations

from helpdesk.workflow import ClockKind
from helpdesk.workflow import State
from helpdesk.workflow import Transition
from helpdesk.workflow import Workflow


def internal_dictamen_workflow() -> Workflow:
    """DGD writes the technical reasons of the fault and the specifications of the
    solution, addressed to the head of the dependencia; issuing it ends the case."""
    return Workflow(
        states={
            "received": State(
                name="received",
                label="Por emitir",
                requester_label="En elaboración del dictamen",
            ),
            "issued": State(
                name="issued",
                label="Dictamen emitido y entregado al titular",
                requester_label="Dictamen técnico interno emitido",
                clock=ClockKind.CLOSED,
            ),
        },
        transitions=(
            Transition(
                name="issue_dictamen",
                label="Emitir el dictamen técnico interno",
                sources=("received",),
                target="issued",
                actors=("agent", "coordinator"),
                requires=("text",),
            ),
        ),
        initial="received",
    ).validate()
