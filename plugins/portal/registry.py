"""GCH-CCS-P07's registry of the systems the Coordinación developed and administers.

Policy 7.7: "Solo se harán modificaciones a los sistemas informáticos
desarrollados y administrados por esta Coordinación". The registry needs no
table of its own: a system enters it when its creation request (P07) is backed
up and released, and the request's folio is the system's key. Modification
requests name that key and are listed under their system.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Ticket
from plugins.portal.forms import CREATION
from plugins.portal.forms import MODIFICATION
from plugins.portal.workflows import taken

if TYPE_CHECKING:
    from helpdesk.models import Tenant

SERVICE_CODE = "GCH-CCS-P07"
# A P07 request reaches these states only through "backup_release".
RELEASED_STATES = ("released", "concluded")


def normal_key(value: object) -> str:
    return str(value or "").strip().upper()


@dataclass(frozen=True)
class Modification:
    folio: str
    state: str
    released_at: datetime | None


@dataclass(frozen=True)
class RegisteredSystem:
    """A released system: its key is the folio of the request that created it."""

    key: str
    name: str
    objective: str
    unit: str | None
    released_at: datetime | None
    modifications: list[Modification] = field(default_factory=list)


def _released_at(ticket: Ticket) -> datetime | None:
    events = taken(ticket, ("backup_release",))
    return events[-1].at if events else None


def _requests(tenant: Tenant) -> list[Ticket]:
    return list(
        db.session.scalars(
            select(Ticket)
            .where(Ticket.tenant_id == tenant.id, Ticket.service_code == SERVICE_CODE)
            .order_by(Ticket.id)
        )
    )


def systems(tenant: Tenant) -> list[RegisteredSystem]:
    """The tenant's registry, oldest system first. Reads only."""
    requests = _requests(tenant)
    changes: dict[str, list[Modification]] = {}
    for ticket in requests:
        data = ticket.data or {}
        if data.get("request_kind") == MODIFICATION:
            released = _released_at(ticket) if ticket.state in RELEASED_STATES else None
            changes.setdefault(normal_key(data.get("system_registry_key")), []).append(
                Modification(folio=ticket.folio, state=ticket.state, released_at=released)
            )
    result = []
    for ticket in requests:
        data = ticket.data or {}
        if data.get("request_kind") != CREATION or ticket.state not in RELEASED_STATES:
            continue
        result.append(
            RegisteredSystem(
                key=ticket.folio,
                name=str(data.get("system_name") or ""),
                objective=str(data.get("objective") or ""),
                unit=ticket.unit.name if ticket.unit else None,
                released_at=_released_at(ticket),
                modifications=changes.get(normal_key(ticket.folio), []),
            )
        )
    return result


def find(tenant: Tenant, key: object) -> RegisteredSystem | None:
    """The registered system with this key (case and spaces ignored), or None."""
    wanted = normal_key(key)
    return next((s for s in systems(tenant) if normal_key(s.key) == wanted), None)
