"""PDF documents: the receipt and each service's own, rendered from HTML templates."""

from __future__ import annotations

from typing import Any

from flask import render_template

from helpdesk.catalog import DocumentDefinition
from helpdesk.catalog import ServiceDefinition
from helpdesk.models import Ticket
from helpdesk.models import TicketEvent
from helpdesk.models import User


def render_pdf(template: str, **context: Any) -> bytes:
    """Render ``template`` with ``context`` and turn it into PDF bytes (WeasyPrint)."""
    # Imported here: WeasyPrint loads Pango at import, which only PDF pages need.
    from weasyprint import HTML

    html = render_template(template, **context)
    return HTML(string=html, base_url=None).write_pdf()


def issued_by(document: DocumentDefinition, events: list[TicketEvent]) -> TicketEvent | None:
    """The event that made the document available (the last of its steps), or None."""
    if not document.after:
        return events[0] if events else None
    found = [e for e in events if e.transition in document.after]
    return found[-1] if found else None


def available(
    service: ServiceDefinition, events: list[TicketEvent], user: User
) -> list[tuple[DocumentDefinition, TicketEvent]]:
    """The service's documents this person may download now, with the event issuing each."""
    result = []
    for document in service.documents:
        if not document.requester and not user.is_staff:
            continue
        event = issued_by(document, events)
        if event is not None:
            result.append((document, event))
    return result


def document_of(service: ServiceDefinition, name: str) -> DocumentDefinition | None:
    return next((d for d in service.documents if d.name == name), None)


def render_document(
    document: DocumentDefinition,
    *,
    ticket: Ticket,
    service: ServiceDefinition,
    tenant: Any,
    events: list[TicketEvent],
    issued: TicketEvent,
) -> bytes:
    return render_pdf(
        document.template,
        ticket=ticket,
        data=ticket.data or {},
        service=service,
        tenant=tenant,
        events=events,
        issued=issued,
        issued_at=issued.at,
        document=document,
    )
