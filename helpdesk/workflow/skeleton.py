"""The common shape of CATALOG.md, and a builder for a plugin's own loops.

received → in review → needs completion ↔ corrected → turned to the department
→ in progress → concluded; rejected (with a reason) or withdrawn by the
requester. Plugins start from :func:`skeleton` and add states and transitions
(proposal ↔ changes, test period ↔ adjustments, inspection, external review).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from helpdesk.workflow.definition import STAY
from helpdesk.workflow.definition import ClockKind
from helpdesk.workflow.definition import Outcome
from helpdesk.workflow.definition import State
from helpdesk.workflow.definition import Transition
from helpdesk.workflow.definition import Workflow
from helpdesk.workflow.definition import WorkflowError

REVIEWABLE = ("received", "in_review", "corrected")
# Before the coordinator's first answer (turn, request to complete, reject).
INTAKE = REVIEWABLE
OPEN_BEFORE_WORK = ("received", "in_review", "needs_completion", "corrected")

SKELETON_STATES = (
    State(name="received", label="Recibida", requester_label="Recibida"),
    State(
        name="in_review",
        label="En revisión de requisitos",
        requester_label="En revisión de requisitos",
    ),
    State(
        name="needs_completion",
        label="Requiere complementar requisitos",
        requester_label="Debe complementar los requisitos",
        clock=ClockKind.WAITING_REQUESTER,
    ),
    State(
        name="corrected", label="Corregida, por revisar", requester_label="Corregida, en revisión"
    ),
    State(
        name="turned", label="Turnada al departamento", requester_label="Turnada al departamento"
    ),
    State(name="in_progress", label="En atención", requester_label="En atención"),
    State(name="concluded", label="Concluida", requester_label="Concluida", clock=ClockKind.CLOSED),
    State(
        name="rejected",
        label="Rechazada",
        requester_label="Rechazada",
        clock=ClockKind.CLOSED,
        outcome=Outcome.REJECTED,
    ),
    State(
        name="withdrawn",
        label="Retirada por el solicitante",
        requester_label="Retirada",
        clock=ClockKind.CLOSED,
        outcome=Outcome.WITHDRAWN,
    ),
)

SKELETON_TRANSITIONS = (
    Transition(
        name="review",
        label="Revisar requisitos",
        sources=("received", "corrected"),
        target="in_review",
        actors=("coordinator",),
    ),
    Transition(
        name="request_completion",
        label="Solicitar complementar requisitos",
        sources=REVIEWABLE,
        target="needs_completion",
        actors=("coordinator",),
        requires=("reason",),
        style="secondary",
    ),
    Transition(
        name="resubmit",
        label="Enviar información corregida",
        sources=("needs_completion",),
        target="corrected",
        actors=("requester", "liaison"),
        requires=("data",),
    ),
    Transition(
        name="turn",
        label="Turnar al departamento",
        sources=REVIEWABLE,
        target="turned",
        actors=("coordinator",),
        requires=("department", "checklist"),
    ),
    Transition(
        name="reject",
        label="Rechazar",
        sources=REVIEWABLE,
        target="rejected",
        actors=("coordinator",),
        requires=("reason",),
        style="danger",
    ),
    Transition(
        name="withdraw",
        label="Retirar la solicitud",
        sources=OPEN_BEFORE_WORK,
        target="withdrawn",
        actors=("requester", "liaison"),
        requires=("reason",),
        style="danger",
    ),
    Transition(
        name="assign",
        label="Asignar técnico",
        sources=("turned", "in_progress"),
        target=STAY,
        actors=("coordinator", "agent"),
        requires=("assignee",),
        style="secondary",
    ),
    Transition(
        name="start",
        label="Recibir y registrar",
        sources=("turned",),
        target="in_progress",
        actors=("agent", "coordinator"),
        claims=True,
    ),
    Transition(
        name="conclude",
        label="Concluir",
        sources=("in_progress",),
        target="concluded",
        actors=("agent", "coordinator"),
        requires=("text",),
    ),
)


class WorkflowBuilder:
    """A mutable draft of a workflow; :meth:`build` validates and freezes it."""

    def __init__(self, states: tuple[State, ...], transitions: tuple[Transition, ...]) -> None:
        self.states = {state.name: state for state in states}
        self.transitions = list(transitions)
        self.initial = "received"
        self.intake = INTAKE

    def add_state(self, state: State) -> WorkflowBuilder:
        if state.name in self.states:
            raise WorkflowError(f"state {state.name!r} already exists")
        self.states[state.name] = state
        return self

    def add_transition(self, transition: Transition) -> WorkflowBuilder:
        if any(t.name == transition.name for t in self.transitions):
            raise WorkflowError(f"transition {transition.name!r} already exists")
        self.transitions.append(transition)
        return self

    def change_transition(self, name: str, **changes: Any) -> WorkflowBuilder:
        for index, transition in enumerate(self.transitions):
            if transition.name == name:
                self.transitions[index] = replace(transition, **changes)
                return self
        raise WorkflowError(f"no transition named {name!r}")

    def remove_transition(self, name: str) -> WorkflowBuilder:
        before = len(self.transitions)
        self.transitions = [t for t in self.transitions if t.name != name]
        if len(self.transitions) == before:
            raise WorkflowError(f"no transition named {name!r}")
        return self

    def build(self, service_code: str = "") -> Workflow:
        return Workflow(
            states=dict(self.states),
            transitions=tuple(self.transitions),
            initial=self.initial,
            service_code=service_code,
            intake=tuple(name for name in self.intake if name in self.states),
        ).validate()


def skeleton() -> WorkflowBuilder:
    """A builder holding the common shape, ready for a plugin's additions."""
    return WorkflowBuilder(SKELETON_STATES, SKELETON_TRANSITIONS)


def default_workflow(service_code: str = "") -> Workflow:
    """The common shape unchanged: what a service without its own workflow follows."""
    return skeleton().build(service_code)
