"""Who hears about which step: the rules that turn a ticket event into notifications.

Called inside the transaction that records the event. The person who took
the step is never told about it; the requester never hears of staff-only
matters; nobody outside the ticket's tenant hears anything.
"""

from __future__ import annotations

from sqlalchemy import select

from helpdesk import notifications
from helpdesk import surveys
from helpdesk.extensions import db
from helpdesk.models import Ticket
from helpdesk.models import TicketEvent
from helpdesk.models import User
from helpdesk.workflow.definition import ClockKind
from helpdesk.workflow.definition import Workflow

# Steps announced elsewhere (the sweep, comments) or not news to anyone.
SILENT = {"sla_at_risk", "sla_breached", "comment"}


def requester_side(ticket: Ticket) -> list[User]:
    """The requester and, when the enlace has an account in the tenant, the enlace."""
    people = [ticket.requester]
    email = (ticket.liaison or {}).get("email")
    if email:
        liaison = db.session.scalar(
            select(User).where(
                User.tenant_id == ticket.tenant_id, User.email == str(email).strip().lower()
            )
        )
        if liaison is not None:
            people.append(liaison)
    return people


def staff_following(ticket: Ticket) -> list[User]:
    """The assignee (or, before one is named, the department's agents) and the coordinators."""
    people: list[User | None] = [ticket.assignee]
    if ticket.assignee is None:
        people += notifications.department_staff(ticket.tenant_id, ticket.department_id)
    people += notifications.coordinators(ticket.tenant_id)
    return [p for p in people if p is not None]


def on_event(ticket: Ticket, event: TicketEvent, workflow: Workflow) -> None:
    """Write the notifications ``event`` causes (the caller commits)."""
    if event.transition in SILENT:
        return
    # Issue 7: a concluded ticket gets its satisfaction survey in this same transaction.
    survey = surveys.open_for(ticket, event, workflow)
    actor = event.actor if event.actor_id is not None else None
    if actor is None and event.actor_id is not None:
        actor = db.session.get(User, event.actor_id)
    reason = {"reason": event.reason or "", "author": actor.name if actor else ""}
    text = {"text": str(event.changes.get("text") or "")}
    if event.transition == "file":
        notifications.notify(requester_side(ticket), kind="ticket_filed", ticket=ticket)
        notifications.notify(
            notifications.coordinators(ticket.tenant_id),
            kind="ticket_received",
            ticket=ticket,
            exclude=actor,
        )
        return
    state = workflow.states.get(event.to_state)
    # A requester-side step: someone of the requester's side taking a step that side may
    # take (a staff member named as enlace still takes staff steps as staff).
    transition = workflow.transition(event.transition)
    by_requester = (
        actor is not None
        and actor.id in {p.id for p in requester_side(ticket)}
        and (transition is None or bool({"requester", "liaison"} & set(transition.actors)))
    )
    if by_requester:
        notifications.notify(
            staff_following(ticket),
            kind="ticket_updated",
            ticket=ticket,
            context=reason,
            exclude=actor,
        )
        return
    if event.transition == "assign":
        notifications.notify(
            [ticket.assignee], kind="ticket_assigned", ticket=ticket, exclude=actor
        )
        return
    if event.transition == "turn":
        notifications.notify(
            notifications.department_staff(ticket.tenant_id, ticket.department_id),
            kind="ticket_turned",
            ticket=ticket,
            exclude=actor,
        )
    if event.from_state == event.to_state or state is None:
        return
    if event.transition == "request_completion" or event.to_state == "needs_completion":
        # Also P10's department_requests_completion: the requester must read the reason.
        kind = "completion_requested"
    elif event.to_state == "concluded":
        kind = "ticket_concluded"
    elif event.to_state == "rejected":
        kind = "ticket_rejected"
    elif state.clock is ClockKind.WAITING_REQUESTER:
        kind = "action_requested"
    else:
        kind = "state_changed"
    people = requester_side(ticket)
    if survey is not None:
        # The survey's link goes to the requester only; the enlace hears of the step without it.
        notifications.notify(
            [ticket.requester],
            kind=kind,
            ticket=ticket,
            context={**reason, **text, **surveys.mail_context(survey)},
            exclude=actor,
        )
        people = [p for p in people if p is not None and p.id != ticket.requester_id]
    notifications.notify(
        people,
        kind=kind,
        ticket=ticket,
        context={**reason, **text},
        exclude=actor,
    )
