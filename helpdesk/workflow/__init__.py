"""Workflows as data, and the one function that moves a ticket between states.

Public names for plugins: State, Transition, ClockKind, Outcome, Workflow, STAY, SYSTEM,
skeleton(), default_workflow(); the engine's apply() and its errors.
"""

from helpdesk.workflow.definition import STAY
from helpdesk.workflow.definition import SYSTEM
from helpdesk.workflow.definition import ClockKind
from helpdesk.workflow.definition import Outcome
from helpdesk.workflow.definition import State
from helpdesk.workflow.definition import Transition
from helpdesk.workflow.definition import Workflow
from helpdesk.workflow.definition import WorkflowError
from helpdesk.workflow.skeleton import default_workflow
from helpdesk.workflow.skeleton import skeleton

__all__ = [
    "STAY",
    "SYSTEM",
    "ClockKind",
    "Outcome",
    "State",
    "Transition",
    "Workflow",
    "WorkflowError",
    "default_workflow",
    "skeleton",
]
