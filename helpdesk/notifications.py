"""Telling people about their tickets: in-app notifications and e-mails, one per recipient.

Every notification is written in the transaction of the change that causes
it (the e-mail as an outbox row), so a change is never saved without its
notice, nor a notice sent for a change that was rolled back.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from email.utils import make_msgid
from typing import Any

from flask import current_app
from sqlalchemy import func
from sqlalchemy import select

from helpdesk import mail_templates
from helpdesk import outbox
from helpdesk import plugins
from helpdesk.extensions import db
from helpdesk.models import Notification
from helpdesk.models import NotificationPreference
from helpdesk.models import OutboxMessage
from helpdesk.models import RoleMembership
from helpdesk.models import Tenant
from helpdesk.models import Ticket
from helpdesk.models import User


def coordinators(tenant_id: int) -> list[User]:
    """The tenant's active coordinators."""
    return list(
        db.session.scalars(
            select(User)
            .join(RoleMembership, RoleMembership.user_id == User.id)
            .where(
                User.tenant_id == tenant_id,
                User.active.is_(True),
                RoleMembership.role == "coordinator",
            )
            .order_by(User.id)
        )
    )


def department_staff(tenant_id: int, department_id: int | None) -> list[User]:
    """The active agents of a handling department."""
    if department_id is None:
        return []
    return list(
        db.session.scalars(
            select(User)
            .join(RoleMembership, RoleMembership.user_id == User.id)
            .where(
                User.tenant_id == tenant_id,
                User.active.is_(True),
                User.department_id == department_id,
                RoleMembership.role == "agent",
            )
            .order_by(User.id)
        )
    )


def wants_email(user: User, kind: str) -> bool:
    """E-mail is on unless the user turned this kind off."""
    choice = db.session.scalar(
        select(NotificationPreference.email).where(
            NotificationPreference.user_id == user.id, NotificationPreference.kind == kind
        )
    )
    return choice is not False


def ticket_link(ticket: Ticket, user: User) -> str:
    """The absolute address of the ticket's page for this person (staff desk or portal)."""
    tenant = db.session.get(Tenant, ticket.tenant_id)
    endpoint = "desk.ticket" if user.is_staff else "requests.show"
    path = current_app.url_map.bind("").build(
        endpoint, {"tenant": tenant.slug, "folio": ticket.folio}
    )
    return current_app.config["HELPDESK_BASE_URL"] + path


def _context(ticket: Ticket | None, user: User, tenant: Tenant) -> dict[str, Any]:
    context: dict[str, Any] = {"tenant": tenant.name, "recipient": user.name}
    if ticket is None:
        return context
    service = plugins.host().catalog.get(ticket.service_code)
    state = ""
    if service is not None:
        from helpdesk.catalog import workflow_of

        found = workflow_of(service).states.get(ticket.state)
        if found is not None:
            state = found.label if user.is_staff else found.requester_label
    context.update(
        folio=ticket.folio,
        service=service.name if service else ticket.service_code,
        summary=ticket.summary,
        state=state or ticket.state,
        link=ticket_link(ticket, user),
    )
    return context


def notify(
    users: Iterable[User | None],
    *,
    kind: str,
    ticket: Ticket | None = None,
    context: Mapping[str, Any] | None = None,
    exclude: User | None = None,
) -> list[Notification]:
    """One in-app notification per distinct active user, and its e-mail unless turned off.

    Only people of the ticket's tenant are told; ``exclude`` (the person who
    acted) is never told about their own step.
    """
    seen: set[int] = {exclude.id} if exclude is not None else set()
    rows = []
    for user in users:
        if user is None or user.id in seen or not user.active:
            continue
        if ticket is not None and user.tenant_id not in (ticket.tenant_id, None):
            continue  # never tell another tenant's people about this ticket
        seen.add(user.id)
        tenant_id = ticket.tenant_id if ticket is not None else user.tenant_id
        tenant = db.session.get(Tenant, tenant_id)
        values = {**_context(ticket, user, tenant), **(context or {})}
        mail = mail_templates.render(tenant, kind, values)
        row = Notification(
            tenant_id=tenant_id,
            user_id=user.id,
            ticket_id=ticket.id if ticket is not None else None,
            kind=kind,
            message=mail_templates.line(kind, values),
        )
        db.session.add(row)
        db.session.flush()
        rows.append(row)
        if user.email and wants_email(user, kind):
            outbox.track(
                OutboxMessage(
                    tenant_id=tenant_id,
                    notification_id=row.id,
                    user_id=user.id,
                    ticket_id=row.ticket_id,
                    kind=kind,
                    recipient=user.email,
                    subject=mail.subject,
                    text_body=mail.text,
                    html_body=mail.html,
                    message_id=make_msgid(domain="mesa-de-ayuda"),
                )
            )
    return rows


def unread_count(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)
            )
        )
        or 0
    )
