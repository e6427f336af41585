"""The dictamen técnico interno that an unsolved GCH-CCS-P10 hands off (activity 8).

Policy 10.7: when the service cannot be done or concluded because hardware,
software or a service must be bought or leased, the Coordination sends the
head (titular) of the dependencia or organismo an internal dictamen with the
technical reasons of the fault found and the technical specifications of its
solution. The reasons are those DGD recorded here or, when it recorded none,
the ones it gave when P10 handed the fault over.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import Any

from helpdesk import tickets

if TYPE_CHECKING:
    from helpdesk.models import Ticket
    from helpdesk.models import User

RECORD_REASONS = "record_reasons"


def hand_off_reason(ticket: Ticket) -> str | None:
    """The reason written on the step of the source ticket that opened this one."""
    for direction, source in tickets.linked(ticket):
        if direction != "from":
            continue
        for event in reversed(list(source.events)):
            hand_off = (event.changes or {}).get("hand_off") or {}
            if hand_off.get("folio") == ticket.folio and event.reason:
                return event.reason
    return None


def technical_reasons(ticket: Ticket) -> str:
    recorded = [
        str(event.changes.get("text"))
        for event in ticket.events
        if event.transition == RECORD_REASONS and (event.changes or {}).get("text")
    ]
    if recorded:
        return recorded[-1]
    return hand_off_reason(ticket) or str((ticket.data or {}).get("problem_description") or "")


def snapshot(ticket: Ticket, actor: User, fields: Mapping[str, Any]) -> None:
    """Fix the dictamen's content when it is issued: what the PDF prints ever after."""
    ticket.data = {
        **(ticket.data or {}),
        "internal_dictamen": {
            "technical_reasons": technical_reasons(ticket),
            "solution_specifications": str(fields.get("text") or "").strip(),
        },
    }
