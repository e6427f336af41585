"""Workflows as data: states with their clock kind, transitions with their rules.

Frozen dataclasses, validated when the plugin set loads, so a misspelt state
or an unreachable step stops start-up instead of surfacing on a ticket.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from enum import StrEnum
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from helpdesk.models import Ticket
    from helpdesk.models import User


class ClockKind(StrEnum):
    """Whether a state's time is charged to the department's SLA (issue #5 reads this)."""

    COUNTING = "counting"
    WAITING_REQUESTER = "waiting_requester"
    WAITING_EXTERNAL = "waiting_external"
    CLOSED = "closed"


class Outcome(StrEnum):
    """How a closed state ends a request, as the indicators count it."""

    CONCLUDED = "concluded"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class WorkflowError(Exception):
    """A workflow definition is inconsistent; the message names the service and the step."""


# Who may take a transition. Staff roles are the account roles; "requester"
# is the person who filed the ticket (or asked through the help desk), and
# "liaison" the enlace the requester named, matched by e-mail. "system" is the
# help desk itself (a scheduled check): its steps are recorded without a person.
ACTOR_ROLES = ("requester", "liaison", "coordinator", "agent", "tenant_admin", "system")
SYSTEM = "system"

# A transition whose target is STAY keeps the ticket in its current state
# (assigning an agent, adding a note): it is still an event of the log.
STAY = "*"

# Fields a transition can demand from the person taking it.
FIELD_KINDS = ("reason", "file", "date", "assignee", "department", "data", "checklist", "text")

# The user is None on a step the help desk takes itself (actor "system").
Guard = Callable[["Ticket", "User | None"], "str | None"]
Effect = Callable[["Ticket", "User | None", Mapping[str, Any]], None]


@dataclass(frozen=True, kw_only=True)
class State:
    """A state of a service's workflow.

    ``outcome`` matters only for closed states: a request that ends there counts
    as concluded (the default: the service was given, with or without the
    solution hoped for), rejected or withdrawn.
    """

    name: str
    label: str
    requester_label: str
    clock: ClockKind = ClockKind.COUNTING
    outcome: Outcome = Outcome.CONCLUDED

    @property
    def closing_outcome(self) -> Outcome | None:
        """The outcome a ticket ending here gets; None for a state that does not close."""
        return self.outcome if self.clock is ClockKind.CLOSED else None


@dataclass(frozen=True, kw_only=True)
class Transition:
    """One step: from which states, to which, who may take it and what it needs.

    ``guard`` returns a refusal message (Spanish) or None; ``effects`` run in the
    same transaction, after the state is set; ``hand_off`` opens a linked ticket
    of another service by code; ``label`` is the button's text; with ``claims``,
    a technician who takes the step on a ticket nobody was assigned to becomes
    its technician (so the load per technician counts who did the work).
    """

    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    actors: tuple[str, ...]
    requires: tuple[str, ...] = ()
    guard: Guard | None = None
    effects: tuple[Effect, ...] = ()
    hand_off: str | None = None
    style: str = "primary"
    claims: bool = False

    @property
    def needs_reason(self) -> bool:
        return "reason" in self.requires


@dataclass(frozen=True)
class Workflow:
    """A service's states and transitions; ``initial`` is where a filed ticket starts.

    ``intake`` names the states before the office's first answer: the time to
    turn or respond runs until the ticket first leaves them (by default, until
    it leaves ``initial``).
    """

    states: Mapping[str, State]
    transitions: tuple[Transition, ...]
    initial: str
    service_code: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)
    intake: tuple[str, ...] = ()

    @property
    def intake_states(self) -> frozenset[str]:
        return frozenset(self.intake or (self.initial,))

    def state(self, name: str) -> State:
        return self.states[name]

    def transition(self, name: str) -> Transition | None:
        return next((t for t in self.transitions if t.name == name), None)

    def available_from(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]

    def for_service(self, code: str) -> Workflow:
        return replace(self, service_code=code)

    def validate(self) -> Workflow:
        """Refuse unknown states, unknown actors or fields, unreachable or dead-end states."""
        where = self.service_code or "workflow"
        if self.initial not in self.states:
            raise WorkflowError(f"{where}: initial state {self.initial!r} is not declared")
        if set(self.intake) - set(self.states):
            raise WorkflowError(f"{where}: unknown intake states {self.intake!r}")
        names = [t.name for t in self.transitions]
        dupes = {n for n in names if names.count(n) > 1}
        if dupes:
            raise WorkflowError(f"{where}: transitions declared twice: {sorted(dupes)}")
        for t in self.transitions:
            for state in (*t.sources, t.target):
                if state not in self.states and state != STAY:
                    raise WorkflowError(f"{where}: transition {t.name!r} uses unknown {state!r}")
            unknown = set(t.actors) - set(ACTOR_ROLES)
            if unknown or not t.actors:
                raise WorkflowError(f"{where}: transition {t.name!r} has actors {t.actors!r}")
            if set(t.requires) - set(FIELD_KINDS):
                raise WorkflowError(f"{where}: transition {t.name!r} requires {t.requires!r}")
        reachable = {self.initial}
        frontier = [self.initial]
        while frontier:
            current = frontier.pop()
            for t in self.available_from(current):
                if t.target != STAY and t.target not in reachable:
                    reachable.add(t.target)
                    frontier.append(t.target)
        unreachable = set(self.states) - reachable
        if unreachable:
            raise WorkflowError(f"{where}: unreachable states {sorted(unreachable)}")
        for name, state in self.states.items():
            leaving = [t for t in self.available_from(name) if t.target not in (STAY, name)]
            if state.clock is not ClockKind.CLOSED and not leaving:
                raise WorkflowError(f"{where}: state {name!r} is open but has no way out")
        return self
