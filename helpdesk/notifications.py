"""Telling people about their tickets: in-app notifications, one row per recipient.

Every notification is written in the transaction of the change that causes
it, so a change is never saved without its notice nor a notice sent for a
change that was rolled back.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Notification
from helpdesk.models import RoleMembership
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


def notify(
    users: Iterable[User | None], *, kind: str, message: str, ticket: Ticket | None = None
) -> list[Notification]:
    """Queue one notification per distinct active user of the ticket's tenant."""
    seen: set[int] = set()
    rows = []
    for user in users:
        if user is None or user.id in seen or not user.active:
            continue
        if ticket is not None and user.tenant_id not in (ticket.tenant_id, None):
            continue  # never tell another tenant's people about this ticket
        seen.add(user.id)
        row = Notification(
            tenant_id=ticket.tenant_id if ticket is not None else user.tenant_id,
            user_id=user.id,
            ticket_id=ticket.id if ticket is not None else None,
            kind=kind,
            message=message,
        )
        db.session.add(row)
        rows.append(row)
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
