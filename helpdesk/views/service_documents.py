"""A service's own PDF documents, for the people who may see the ticket."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from helpdesk import comments
from helpdesk import documents
from helpdesk.extensions import db
from helpdesk.models import Ticket
from helpdesk.models import TicketEvent
from helpdesk.tenancy import require_tenant
from helpdesk.ticket_access import service_of


def events_of(ticket: Ticket) -> list[TicketEvent]:
    return list(
        db.session.scalars(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.seq)
        )
    )


def document_response(ticket: Ticket, name: str) -> Response:
    """The service document ``name`` as PDF; 404 when not (yet) available to this user."""
    service = service_of(ticket)
    document = documents.document_of(service, name)
    if document is None:
        abort(404)
    # A document is a formal output: internal notes never appear in one.
    events = comments.for_requester(events_of(ticket))
    offered = dict((d.name, e) for d, e in documents.available(service, events, current_user))
    if name not in offered:
        abort(404)
    pdf = documents.render_document(
        document,
        ticket=ticket,
        service=service,
        tenant=require_tenant(),
        events=events,
        issued=offered[name],
    )
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{name}-{ticket.folio}.pdf"'
    return response
