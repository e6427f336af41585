"""apply(): the only code that writes a ticket's state, always with its event.

The state change, its effects and the event are one transaction; an optimistic
version check (and a row lock on PostgreSQL) makes two conflicting transitions
end with one applied and the other refused with :class:`StaleTicketError`.
Plugins are told through ``helpdesk_ticket_transitioned`` only after commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from helpdesk import notification_rules
from helpdesk import sla
from helpdesk.extensions import db
from helpdesk.models import Ticket
from helpdesk.models import TicketEvent
from helpdesk.models import User
from helpdesk.models.base import utcnow
from helpdesk.transactions import is_retryable
from helpdesk.workflow import fields as field_rules
from helpdesk.workflow.definition import STAY
from helpdesk.workflow.definition import SYSTEM
from helpdesk.workflow.definition import Transition
from helpdesk.workflow.definition import Workflow


class TransitionError(Exception):
    """A transition was refused; ``message`` is shown to the user (Spanish)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class StaleTicketError(TransitionError):
    """Someone else changed the ticket since the user looked at it."""


def actor_roles(ticket: Ticket, user: User) -> set[str]:
    """The workflow roles ``user`` holds on ``ticket``."""
    roles: set[str] = set()
    if user.tenant_id != ticket.tenant_id and not user.is_superadmin:
        return roles
    if user.id == ticket.requester_id:
        roles.add("requester")
    liaison_email = (ticket.liaison or {}).get("email")
    if liaison_email and liaison_email.lower() == user.email.lower():
        roles.add("liaison")
    if user.has_role("coordinator"):
        roles.add("coordinator")
    if user.has_role("tenant_admin"):
        roles.add("tenant_admin")
    if user.has_role("agent") and (
        user.is_superadmin
        or ticket.department_id is None
        or user.department_id == ticket.department_id
    ):
        roles.add("agent")
    return roles


def allowed(workflow: Workflow, ticket: Ticket, user: User) -> list[Transition]:
    """The transitions ``user`` may take on ``ticket`` in its current state."""
    roles = actor_roles(ticket, user)
    result = []
    for transition in workflow.available_from(ticket.state):
        if roles.intersection(transition.actors):
            if transition.guard is None or transition.guard(ticket, user) is None:
                result.append(transition)
    return result


def _load_for_update(ticket_id: int) -> Ticket:
    statement = select(Ticket).where(Ticket.id == ticket_id)
    if db.engine.dialect.name == "postgresql":
        statement = statement.with_for_update()
    ticket = db.session.scalar(statement.execution_options(populate_existing=True))
    if ticket is None:
        raise TransitionError("La solicitud no existe.")
    return ticket


def _check(workflow: Workflow, ticket: Ticket, transition: Transition, user: User | None) -> None:
    if ticket.state not in transition.sources:
        state = workflow.state(ticket.state).label
        raise TransitionError(
            f"«{transition.label}» no es posible: la solicitud está en «{state}»."
        )
    if user is None:
        if SYSTEM not in transition.actors:
            raise TransitionError(
                f"«{transition.label}» lo registra una persona, no la mesa de ayuda."
            )
    elif not actor_roles(ticket, user).intersection(transition.actors):
        raise TransitionError(f"Su función no le permite «{transition.label}» en esta solicitud.")
    if transition.guard is not None:
        refusal = transition.guard(ticket, user)
        if refusal:
            raise TransitionError(refusal)


def apply(
    ticket_id: int,
    name: str,
    actor: User | None,
    *,
    workflow: Workflow,
    reason: str | None = None,
    fields: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
    context: Mapping[str, Any] | None = None,
) -> TicketEvent:
    """Take transition ``name`` on the ticket as ``actor`` and commit.

    ``actor`` None is the help desk itself, allowed only on steps whose actors
    include ``"system"``; the event is recorded without a person.

    :param expected_version: the version the user saw; a different current
        version refuses the transition (a stale form never overwrites).
    :param context: what effects may need (the catalog, tenant settings).
    :raises TransitionError: not allowed now, by this user, or missing fields.
    :raises StaleTicketError: the ticket changed meanwhile.
    """
    transition = workflow.transition(name)
    if transition is None:
        raise TransitionError(f"La acción «{name}» no existe en este servicio.")
    fields = dict(fields or {})
    try:
        ticket = _load_for_update(ticket_id)
        if expected_version is not None and ticket.version != expected_version:
            raise StaleTicketError(
                "La solicitud cambió mientras usted la veía; revise su estado actual."
            )
        _check(workflow, ticket, transition, actor)
        clean_reason = field_rules.reason(transition, reason)
        changes = field_rules.apply_fields(transition, ticket, actor, fields, context or {})
        from_state = ticket.state
        to_state = from_state if transition.target == STAY else transition.target
        ticket.state = to_state
        outcome = workflow.state(to_state).closing_outcome
        if outcome is not None:
            ticket.closed_at = utcnow()
            ticket.outcome = outcome.value
        elif from_state != to_state:
            ticket.closed_at = None
            ticket.outcome = None
        for effect in transition.effects:
            effect(ticket, actor, {**fields, **(context or {})})
        if transition.hand_off:
            changes["hand_off"] = field_rules.hand_off(
                ticket, transition.hand_off, actor, context or {}
            )
        event = record_event(
            ticket, transition.name, from_state, to_state, actor, clean_reason, changes
        )
        field_rules.link_attachments(transition, ticket, event, fields)
        sla.refresh(ticket)
        notification_rules.on_event(ticket, event, workflow)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise StaleTicketError(
            "Otra persona cambió la solicitud al mismo tiempo; revise su estado actual."
        ) from None
    except Exception as exc:
        db.session.rollback()
        if is_retryable(exc):
            raise StaleTicketError(
                "Otra persona cambió la solicitud al mismo tiempo; revise su estado actual."
            ) from None
        raise
    _after_commit(ticket, event)
    return event


def record_event(
    ticket: Ticket,
    transition: str,
    from_state: str | None,
    to_state: str,
    actor: User | None,
    reason: str | None,
    changes: Mapping[str, Any],
    *,
    bump_version: bool = True,
) -> TicketEvent:
    """Append an event (the caller commits it with the state it describes)."""
    if bump_version:
        # Mark the ticket changed so its version moves even when only an event
        # is added; done before the query below so one flush writes it all.
        flag_modified(ticket, "summary")
    seq = (
        db.session.scalar(
            select(TicketEvent.seq)
            .where(TicketEvent.ticket_id == ticket.id)
            .order_by(TicketEvent.seq.desc())
            .limit(1)
        )
        or 0
    ) + 1
    event = TicketEvent(
        tenant_id=ticket.tenant_id,
        ticket=ticket,
        service_code=ticket.service_code,
        seq=seq,
        actor_id=actor.id if actor else None,
        transition=transition,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        changes=dict(changes),
    )
    db.session.add(event)
    db.session.flush()
    return event


def _after_commit(ticket: Ticket, event: TicketEvent) -> None:
    from flask import current_app

    host = current_app.extensions.get("helpdesk")
    if host is not None:
        host.ticket_transitioned(ticket=ticket, event=event)
