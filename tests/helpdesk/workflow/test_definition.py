"""Workflow definitions are validated before any ticket uses them."""

import pytest

from helpdesk.workflow import ClockKind
from helpdesk.workflow import State
from helpdesk.workflow import Transition
from helpdesk.workflow import WorkflowError
from helpdesk.workflow import default_workflow
from helpdesk.workflow import skeleton


def test_skeleton_has_the_common_shape():
    workflow = default_workflow("X")
    assert workflow.initial == "received"
    assert {t.name for t in workflow.available_from("in_review")} == {
        "request_completion",
        "turn",
        "reject",
        "withdraw",
    }
    assert workflow.state("needs_completion").clock is ClockKind.WAITING_REQUESTER
    assert workflow.state("concluded").clock is ClockKind.CLOSED
    assert workflow.transition("reject").needs_reason
    assert workflow.transition("request_completion").needs_reason


def test_plugin_adds_a_proposal_loop():
    builder = skeleton()
    builder.add_state(
        State(
            name="proposal_sent",
            label="Propuesta enviada",
            requester_label="Revise la propuesta",
            clock=ClockKind.WAITING_REQUESTER,
        )
    )
    builder.add_transition(
        Transition(
            name="send_proposal",
            label="Enviar propuesta",
            sources=("in_progress",),
            target="proposal_sent",
            actors=("agent",),
            requires=("file",),
        )
    )
    builder.add_transition(
        Transition(
            name="request_changes",
            label="Solicitar cambios",
            sources=("proposal_sent",),
            target="in_progress",
            actors=("requester", "liaison"),
            requires=("reason",),
        )
    )
    builder.add_state(State(name="approved", label="Aprobada", requester_label="Aprobada"))
    builder.add_transition(
        Transition(
            name="approve",
            label="Aprobar",
            sources=("proposal_sent",),
            target="approved",
            actors=("requester", "liaison"),
        )
    )
    builder.change_transition("conclude", sources=("approved",))
    workflow = builder.build("GCH-CCS-P04")
    assert workflow.transition("conclude").sources == ("approved",)
    assert [t.name for t in workflow.available_from("proposal_sent")] == [
        "request_changes",
        "approve",
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda b: b.change_transition("turn", target="nowhere"), "unknown 'nowhere'"),
        (lambda b: b.change_transition("turn", actors=("janitor",)), "actors"),
        (lambda b: b.change_transition("turn", requires=("blood",)), "requires"),
        (
            lambda b: b.add_state(State(name="limbo", label="L", requester_label="L")),
            "unreachable",
        ),
        (lambda b: b.remove_transition("conclude"), "unreachable states \\['concluded'\\]"),
        (
            lambda b: b.change_transition("conclude", target="in_progress"),
            "unreachable states \\['concluded'\\]",
        ),
        (
            lambda b: (
                b.add_state(State(name="stuck", label="S", requester_label="S")),
                b.add_transition(
                    Transition(
                        name="park",
                        label="P",
                        sources=("turned",),
                        target="stuck",
                        actors=("agent",),
                    )
                ),
            ),
            "no way out",
        ),
    ],
)
def test_inconsistent_workflows_are_refused(change, message):
    builder = skeleton()
    change(builder)
    with pytest.raises(WorkflowError, match=message):
        builder.build("X")


def test_duplicate_names_are_refused():
    with pytest.raises(WorkflowError):
        skeleton().add_state(State(name="received", label="R", requester_label="R"))
    with pytest.raises(WorkflowError):
        skeleton().remove_transition("nonexistent")
