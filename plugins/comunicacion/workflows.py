"""This plugin's steps on top of the common shape of CATALOG.md."""

from __future__ import annotations

from typing import TYPE_CHECKING

from helpdesk.workflow import ClockKind
from helpdesk.workflow import State
from helpdesk.workflow import Transition
from helpdesk.workflow import Workflow
from helpdesk.workflow import skeleton

if TYPE_CHECKING:
    from helpdesk.models import Ticket
    from helpdesk.models import User

WEB_SITE = "sitio_web"


def _wants_web(ticket: Ticket) -> bool:
    return WEB_SITE in ((ticket.data or {}).get("networks") or [])


def _only_networks(ticket: Ticket, user: User) -> str | None:
    if _wants_web(ticket):
        return "La solicitud incluye el sitio web: debe turnarse a Gobierno Digital."
    return None


def _with_web(ticket: Ticket, user: User) -> str | None:
    if not _wants_web(ticket):
        return "La solicitud no incluye el sitio web institucional."
    return None


def p02_workflow() -> Workflow:
    """GCH-CCS-P02, activities 7-8 and policy 2.7.

    DCII selects the media and writes the copy; it may reject content that is
    not useful, truthful or timely; when the web site is among the targets, the
    approved copy is handed to Gobierno Digital as a P08 request.
    """
    builder = skeleton()
    builder.remove_transition("conclude")
    builder.add_transition(
        Transition(
            name="publish",
            label="Publicar en redes sociales y concluir",
            sources=("in_progress",),
            target="concluded",
            actors=("agent", "coordinator"),
            requires=("text",),
            guard=_only_networks,
        )
    )
    builder.add_transition(
        Transition(
            name="publish_and_hand_off_web",
            label="Publicar en redes y turnar el sitio web a Gobierno Digital (P08)",
            sources=("in_progress",),
            target="concluded",
            actors=("agent", "coordinator"),
            requires=("text",),
            guard=_with_web,
            hand_off="GCH-CCS-P08",
        )
    )
    builder.add_transition(
        Transition(
            name="reject_content",
            label="Rechazar: la información no es útil, verídica u oportuna",
            sources=("in_progress",),
            target="rejected",
            actors=("agent", "coordinator"),
            requires=("reason",),
            style="danger",
        )
    )
    return builder.build("GCH-CCS-P02")


def proposal_workflow(code: str) -> Workflow:
    """P04, P05 and P06, activities 8-11: DCII sends a proposal; the requester (or the
    enlace) approves it or asks for changes, as many rounds as needed; then DCII
    backs up the material and concludes.
    """
    builder = skeleton()
    builder.add_state(
        State(
            name="proposal_sent",
            label="Propuesta enviada al solicitante",
            requester_label="Revise la propuesta y apruébela o solicite cambios",
            clock=ClockKind.WAITING_REQUESTER,
        )
    )
    builder.add_state(
        State(
            name="approved",
            label="Propuesta aprobada: respaldar y concluir",
            requester_label="Propuesta aprobada",
        )
    )
    builder.add_transition(
        Transition(
            name="send_proposal",
            label="Enviar propuesta",
            sources=("in_progress",),
            target="proposal_sent",
            actors=("agent", "coordinator"),
            requires=("file",),
        )
    )
    builder.add_transition(
        Transition(
            name="approve",
            label="Aprobar la propuesta",
            sources=("proposal_sent",),
            target="approved",
            actors=("requester", "liaison"),
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
            style="secondary",
        )
    )
    builder.change_transition(
        "conclude", sources=("approved",), label="Respaldar el material y concluir"
    )
    return builder.build(code)
