"""Comments on a ticket: public (the requester reads them) or internal notes (staff only).

A comment is an event of the ticket's log (transition ``"comment"``, the state
unchanged, ``changes = {"text": ..., "internal": bool}``) written with its
notifications in one transaction. It does not move the ticket's version, so a
comment never makes someone's open step form stale. An internal note is never
shown to, nor sent to, the requester's side: every place that shows events to
them filters with :func:`for_requester`.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from helpdesk import notification_rules
from helpdesk import notifications
from helpdesk import transactions
from helpdesk.extensions import db
from helpdesk.models import Ticket
from helpdesk.models import TicketEvent
from helpdesk.models import User
from helpdesk.workflow.engine import record_event

TRANSITION = "comment"
MAX_LENGTH = 5000


class CommentError(Exception):
    """A comment was refused; ``message`` is shown to the user (lazily translated)."""

    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message


def is_internal(event: TicketEvent) -> bool:
    """True for an internal note (staff only)."""
    return event.transition == TRANSITION and bool((event.changes or {}).get("internal"))


def for_requester(events: Iterable[TicketEvent]) -> list[TicketEvent]:
    """The events the requester's side may see: every one but the internal notes."""
    return [event for event in events if not is_internal(event)]


def is_staff_of(ticket: Ticket, user: User) -> bool:
    """Staff of the ticket's tenant (or a superadmin)."""
    if not user.is_staff:
        return False
    return user.is_superadmin or user.tenant_id == ticket.tenant_id


def is_requester_side(ticket: Ticket, user: User) -> bool:
    """The requester or the enlace (by the e-mail on the ticket) of this ticket."""
    if user.tenant_id != ticket.tenant_id:
        return False
    if user.id == ticket.requester_id:
        return True
    email = (ticket.liaison or {}).get("email")
    return bool(email) and str(email).strip().lower() == (user.email or "").lower()


def may_comment(ticket: Ticket, user: User, *, internal: bool) -> bool:
    """Staff write public comments and internal notes; the requester's side only public ones."""
    if user is None or not getattr(user, "is_authenticated", True) or not user.active:
        return False
    if is_staff_of(ticket, user):
        return True
    return not internal and is_requester_side(ticket, user)


def clean_text(text: str | None) -> str:
    """The comment's text, stripped; :class:`CommentError` when empty or too long."""
    value = (text or "").strip()
    if not value:
        raise CommentError(_l("Write the comment."))
    if len(value) > MAX_LENGTH:
        raise CommentError(_l("A comment has at most %(max)d characters.", max=MAX_LENGTH))
    return value


def _load_for_update(ticket_id: int) -> Ticket:
    # The row lock (PostgreSQL) orders comments and steps on one ticket, so two
    # of them never take the same event number; the version is not touched.
    statement = select(Ticket).where(Ticket.id == ticket_id)
    if db.engine.dialect.name == "postgresql":
        statement = statement.with_for_update()
    ticket = db.session.scalar(statement.execution_options(populate_existing=True))
    if ticket is None:
        raise CommentError(_l("The request does not exist."))
    return ticket


def _recipients(ticket: Ticket, author: User, internal: bool) -> tuple[str, list[User]]:
    requester_side = notification_rules.requester_side(ticket)
    requester_ids = {person.id for person in requester_side}
    if internal:
        # Never the requester's side, even when one of them is also staff.
        staff = notification_rules.staff_following(ticket)
        return "comment_internal", [p for p in staff if p.id not in requester_ids]
    if author.id in requester_ids:
        return "comment_public", notification_rules.staff_following(ticket)
    return "comment_public", requester_side


def add_comment(ticket: Ticket, author: User, text: str | None, *, internal: bool) -> TicketEvent:
    """Record a comment by ``author`` on ``ticket``, notify, and commit.

    :raises CommentError: empty or too long text, or ``author`` may not write it.
    """
    value = clean_text(text)
    internal = bool(internal)
    if not may_comment(ticket, author, internal=internal):
        if internal:
            raise CommentError(_l("Only staff can write internal notes."))
        raise CommentError(_l("You cannot comment on this request."))
    ticket_id = ticket.id

    def unit_of_work() -> tuple[Ticket, TicketEvent]:
        current = _load_for_update(ticket_id)
        event = record_event(
            current,
            TRANSITION,
            current.state,
            current.state,
            author,
            None,
            {"text": value, "internal": internal},
            bump_version=False,
        )
        kind, people = _recipients(current, author, internal)
        notifications.notify(
            people,
            kind=kind,
            ticket=current,
            context={"text": value, "author": author.name},
            exclude=author,
        )
        return current, event

    _ticket, event = transactions.run(unit_of_work)
    return event
