"""Who may see which ticket: the one rule, used by every page and download.

Staff of the tenant see its tickets; a requester sees the tickets they asked
for or follow as liaison. Anything else is 404, so folios and ids leak nothing.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select

from helpdesk.catalog import ServiceDefinition
from helpdesk.catalog import workflow_of
from helpdesk.extensions import db
from helpdesk.models import Ticket
from helpdesk.models import User
from helpdesk.plugins import host
from helpdesk.workflow import Workflow


def is_staff(user: User) -> bool:
    return user.is_authenticated and user.is_staff


def visible(statement: Select, user: User) -> Select:
    """Limit a ticket query to what ``user`` may see (tenant scoping is automatic)."""
    if is_staff(user):
        return statement
    liaison_email = func.lower(Ticket.liaison["email"].as_string())
    return statement.where(or_(Ticket.requester_id == user.id, liaison_email == user.email.lower()))


def ticket_by_folio_or_404(folio: str) -> Ticket:
    ticket = db.session.scalar(visible(select(Ticket).where(Ticket.folio == folio), current_user))
    if ticket is None:
        abort(404)
    return ticket


def service_of(ticket: Ticket) -> ServiceDefinition:
    """The ticket's service; a ticket whose plugin was removed stays readable to staff."""
    service = host().catalog.get(ticket.service_code)
    if service is None:
        abort(404)
    return service


def workflow_for(ticket: Ticket) -> Workflow:
    return workflow_of(service_of(ticket))
