"""What a transition may demand from the person taking it, and how it is recorded.

Each kind in ``Transition.requires`` is checked here and turned into the
``changes`` of the event, so the log says exactly what the step changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Attachment
from helpdesk.models import Department
from helpdesk.models import Ticket
from helpdesk.models import TicketEvent
from helpdesk.models import User
from helpdesk.workflow.definition import Transition

MAX_TEXT = 5000


def _error(message: str, field: str) -> Exception:
    from helpdesk.workflow.engine import TransitionError

    return TransitionError(message, field=field)


def reason(transition: Transition, value: str | None) -> str | None:
    text = (value or "").strip()
    if transition.needs_reason and not text:
        raise _error(f"«{transition.label}» requiere escribir el motivo.", "reason")
    if len(text) > MAX_TEXT:
        raise _error(f"El motivo admite hasta {MAX_TEXT} caracteres.", "reason")
    return text or None


def _diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list[Any]]:
    keys = set(old) | set(new)
    return {
        key: [old.get(key), new.get(key)] for key in sorted(keys) if old.get(key) != new.get(key)
    }


def _claimable(ticket: Ticket, actor: User | None) -> bool:
    """Whether ``actor`` becomes the technician of ``ticket`` by taking a claiming step:
    nobody is assigned, and they are a technician of the department that attends it."""
    return (
        ticket.assignee_id is None
        and actor is not None
        and "agent" in actor.roles
        and (not ticket.department_id or actor.department_id == ticket.department_id)
    )


def apply_fields(
    transition: Transition,
    ticket: Ticket,
    actor: User | None,
    fields: Mapping[str, Any],
    context: Mapping[str, Any],
) -> dict[str, Any]:
    """Check the required fields, apply them to the ticket, return the event's changes."""
    changes: dict[str, Any] = {}
    needs = set(transition.requires)
    if "department" in needs:
        department_id = fields.get("department_id") or context.get("default_department_id")
        department = db.session.scalar(
            select(Department).where(Department.id == department_id, Department.active)
        )
        if department is None:
            raise _error("Elija el departamento al que se turna.", "department_id")
        if ticket.department_id != department.id:
            changes["department"] = [ticket.department_id, department.id]
            ticket.department_id = department.id
    if "assignee" in needs:
        assignee = db.session.scalar(select(User).where(User.id == fields.get("assignee_id")))
        if assignee is None or not assignee.active or "agent" not in assignee.roles:
            raise _error("Elija a un técnico activo.", "assignee_id")
        if ticket.department_id and assignee.department_id != ticket.department_id:
            raise _error("El técnico debe pertenecer al departamento que atiende.", "assignee_id")
        changes["assignee"] = [ticket.assignee_id, assignee.id]
        ticket.assignee_id = assignee.id
    elif transition.claims and _claimable(ticket, actor):
        changes["assignee"] = [None, actor.id]
        ticket.assignee_id = actor.id
    if "checklist" in needs:
        items = list(context.get("checklist") or ())
        ticked = fields.get("checklist") or {}
        missing = [item for item in items if not ticked.get(item)]
        if missing:
            raise _error(
                "Para turnar deben cumplirse todos los requisitos; si falta alguno, "
                "solicite complementarlos. Sin marcar: " + "; ".join(missing),
                "checklist",
            )
        if items:
            changes["checklist"] = {item: True for item in items}
    if "data" in needs:
        new_data = fields.get("data")
        if not isinstance(new_data, Mapping):
            raise _error("Envíe los datos corregidos de la solicitud.", "data")
        diff = _diff(ticket.data or {}, new_data)
        changes["data"] = diff
        ticket.data = dict(new_data)
    if "text" in needs:
        text = (fields.get("text") or "").strip()
        if not text:
            raise _error(f"«{transition.label}» requiere una descripción.", "text")
        if len(text) > MAX_TEXT:
            raise _error(f"La descripción admite hasta {MAX_TEXT} caracteres.", "text")
        changes["text"] = text
    if "date" in needs:
        raw = fields.get("date")
        try:
            value = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
        except ValueError:
            raise _error("Indique una fecha válida (AAAA-MM-DD).", "date") from None
        changes["date"] = value.isoformat()
    if "file" in needs and not fields.get("attachment_ids"):
        raise _error(f"«{transition.label}» requiere adjuntar un archivo.", "file")
    return changes


def link_attachments(
    transition: Transition, ticket: Ticket, event: TicketEvent, fields: Mapping[str, Any]
) -> None:
    """Tie the files uploaded with this step to its event."""
    ids = list(fields.get("attachment_ids") or ())
    if not ids:
        return
    rows = db.session.scalars(
        select(Attachment).where(Attachment.id.in_(ids), Attachment.ticket_id == ticket.id)
    ).all()
    for row in rows:
        row.event_id = event.id


def hand_off(
    ticket: Ticket, service_code: str, actor: User, context: Mapping[str, Any]
) -> dict[str, str]:
    """Open the linked ticket in another service (P02 → P08, P10 → dictamen)."""
    from helpdesk import tickets

    target = tickets.open_linked(ticket, service_code, actor, context)
    return {"service": service_code, "folio": target.folio}
