"""The support services' own steps on top of the common shape.

GCH-CCS-P09 (manual, 9.7 and 9.9): the common shape, plus the written delivery
of the access to the head of the dependencia before a new account is concluded.
GCH-CCS-P10 (10.7 and 10.9): the Departamento de Gobierno Digital checks the
requirements, goes on site, and either the requester verifies the solution or
a dictamen técnico interno is handed off.
CAU (004, section III): one registration format, channelled by request type to
one technician, concluded with the evidence of the service given.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from helpdesk.workflow import STAY
from helpdesk.workflow import ClockKind
from helpdesk.workflow import Outcome
from helpdesk.workflow import State
from helpdesk.workflow import Transition
from helpdesk.workflow import Workflow
from helpdesk.workflow import skeleton
from plugins.soporte.forms import NEW_ACCOUNT

if TYPE_CHECKING:
    from helpdesk.models import Ticket
    from helpdesk.models import User

INTERNAL_DICTAMEN = "GCH-CCS-P10-DTI"

# -- GCH-CCS-P09 ---------------------------------------------------------------


def access_delivered_first(ticket: Ticket, user: User) -> str | None:
    """A new mailbox is concluded only after its access went in writing to the head (9.7)."""
    if ticket.state == "in_progress" and (ticket.data or {}).get("request_kind") == NEW_ACCOUNT:
        return (
            "Una cuenta nueva se concluye después de entregar los accesos por escrito a la o el "
            "Titular de la dependencia u organismo."
        )
    return None


def p09_workflow() -> Workflow:
    """1-5: the common shape (the Coordinador checks, asks to complete, turns to DGD);
    6: DGD receives the oficio and creates the mailbox or attends the fault; the
    access goes in writing directly to the head of the dependencia (9.7), with the
    oficio de entrega de acceso; 7: DGD registers and concludes.
    """
    builder = skeleton()
    builder.change_transition("start", label="Recibir el oficio de solicitud y atender")
    builder.add_state(
        State(
            name="access_delivered",
            label="Accesos entregados por escrito a la o el Titular: por registrar",
            requester_label="Accesos entregados por escrito a la o el Titular",
        )
    )
    builder.add_transition(
        Transition(
            name="deliver_access",
            label="Entregar los accesos por escrito a la o el Titular (oficio de entrega)",
            sources=("in_progress",),
            target="access_delivered",
            actors=("agent",),
        )
    )
    builder.change_transition(
        "conclude",
        label="Registrar y concluir la solicitud",
        sources=("in_progress", "access_delivered"),
        guard=access_delivered_first,
    )
    return builder.build("GCH-CCS-P09")


# -- GCH-CCS-P10 ---------------------------------------------------------------


def p10_workflow() -> Workflow:
    """2: the Coordinador turns it to DGD; 3-5: DGD checks the requirements and may
    ask to complete them; 6: DGD gives the folio on the support form and goes on
    site; 7: solved? 8: no, a dictamen técnico interno goes to the head of the
    dependencia and the request ends; 9: yes, the requester verifies, signs and
    stamps the form; 10: DGD completes the form and registers the service.
    Support is only for the Ayuntamiento's infrastructure (10.7): DGD refuses,
    with its reason, a request about anything else.
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
    builder.add_transition(
        Transition(
            name="department_rejects",
            label="Rechazar: no es infraestructura tecnológica del Ayuntamiento",
            sources=("turned", "in_progress"),
            target="rejected",
            actors=("agent",),
            requires=("reason",),
            style="danger",
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
    # 8: the dictamen ends the procedure ("Fin del procedimiento"): the service
    # was given, so the indicators count it concluded, not rejected.
    builder.add_state(
        State(
            name="unresolved",
            label="Sin solución: dictamen técnico interno",
            requester_label="Sin solución: se emite dictamen técnico interno al titular",
            clock=ClockKind.CLOSED,
            outcome=Outcome.CONCLUDED,
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
    # 10: the signed and stamped form is the evidence of the service; its scan
    # is kept with the request.
    builder.add_transition(
        Transition(
            name="attach_signed_form",
            label="Adjuntar el formato firmado y sellado",
            sources=("verified",),
            target=STAY,
            actors=("agent",),
            requires=("file",),
            style="secondary",
        )
    )
    builder.change_transition(
        "conclude",
        sources=("verified",),
        label="Completar el formato y registrar el servicio",
    )
    return builder.build("GCH-CCS-P10")


# -- CAU -----------------------------------------------------------------------


def only_the_assignee(ticket: Ticket, user: User) -> str | None:
    """One technician per service: "Un mismo servicio lo proporcionaba más de un técnico"."""
    if ticket.assignee_id is None:
        return "Canalice primero la solicitud a un técnico."
    if ticket.assignee_id != user.id:
        return "Solo el técnico asignado atiende y concluye este servicio."
    return None


CAU_DESK = ("coordinator", "agent")


def cau_workflow() -> Workflow:
    """The single registration format is reviewed by the CAU; an incomplete one
    goes back to the requester; a request handled by oficio (the systems
    documentation protocol) is refused with its reason; otherwise it is
    channelled, by its request type, to the team and the one technician who
    attend it; that technician attends it and concludes with the evidence of the
    service given.

    The intake (the states before the office's first answer) includes waiting
    for the format to be completed, so the respond clock, which the catalog's
    agreements call the time to channel (:mod:`plugins.soporte.cau`), runs
    until the request is channelled (or refused, or withdrawn), paused while the
    requester completes it; the time-to-channel indicator reads that clock.
    """
    builder = skeleton()
    builder.intake = ("received", "in_review", "needs_completion", "corrected")
    for name in ("review", "request_completion", "reject"):
        builder.change_transition(name, actors=CAU_DESK)
    builder.change_transition("reject", label="Rechazar (se gestiona vía oficio o no es de TI)")
    builder.states["turned"] = State(
        name="turned",
        label="Canalizada a un técnico",
        requester_label="Canalizada al técnico que la atiende",
    )
    builder.change_transition(
        "turn",
        label="Canalizar al equipo y al técnico que atienden el tipo de servicio",
        actors=CAU_DESK,
        requires=("department", "assignee", "checklist"),
    )
    builder.change_transition("assign", label="Reasignar a otro técnico")
    builder.change_transition(
        "start", label="Iniciar la atención", actors=("agent",), guard=only_the_assignee
    )
    builder.change_transition(
        "conclude",
        label="Concluir con la evidencia de la atención brindada",
        actors=("agent",),
        requires=("text",),
        guard=only_the_assignee,
    )
    return builder.build("CAU")
