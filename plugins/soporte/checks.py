"""Automatic requirement checks of the support services.

Pure functions of the submitted data (the JSON-ready form data plus
"attachments"). The conditional rules the forms enforce are checked again here
because data can also arrive through the API.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from helpdesk.catalog import RequirementIssue
from plugins.soporte.forms import CAU_EQUIPMENT_SERVICES
from plugins.soporte.forms import CAU_SERVICE_TYPES
from plugins.soporte.forms import CONTRACTED_DOMAIN
from plugins.soporte.forms import FAULT
from plugins.soporte.forms import FAULT_DESCRIPTION_REQUIRED
from plugins.soporte.forms import HEAD_NAME_REQUIRED
from plugins.soporte.forms import HOLDER_NAME_REQUIRED
from plugins.soporte.forms import HOLDER_POSITION_REQUIRED
from plugins.soporte.forms import MUNICIPAL_ONLY
from plugins.soporte.forms import NEW_ACCOUNT


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""


def mailbox_in_contracted_domain(data: Mapping[str, Any]) -> list[RequirementIssue]:
    """GCH-CCS-P09: the mailbox belongs to the domain the Gobierno de Chalco contracted (9.7).

    The Coordinación is not responsible for addresses the offices created
    elsewhere, so an address outside the domain cannot be created or repaired.
    """
    mailbox = _text(data, "mailbox").lower()
    local, at, domain = mailbox.rpartition("@")
    if not at or not local or domain != CONTRACTED_DOMAIN:
        return [
            RequirementIssue(
                field="mailbox",
                message=(
                    f"La cuenta debe pertenecer al dominio institucional contratado "
                    f"({CONTRACTED_DOMAIN}); la Coordinación no atiende correos de otros dominios."
                ),
            )
        ]
    return []


def mail_request_complete(data: Mapping[str, Any]) -> list[RequirementIssue]:
    """GCH-CCS-P09: a fault carries its description; a new account, its holder and position."""
    kind = data.get("request_kind")
    issues: list[RequirementIssue] = []
    if kind == FAULT and not _text(data, "fault_description"):
        issues.append(
            RequirementIssue(field="fault_description", message=FAULT_DESCRIPTION_REQUIRED)
        )
    if kind == NEW_ACCOUNT:
        if not _text(data, "holder_name"):
            issues.append(RequirementIssue(field="holder_name", message=HOLDER_NAME_REQUIRED))
        if not _text(data, "holder_position"):
            issues.append(
                RequirementIssue(field="holder_position", message=HOLDER_POSITION_REQUIRED)
            )
    return issues


def access_addressee_named(data: Mapping[str, Any]) -> list[RequirementIssue]:
    """GCH-CCS-P09: warn when the head who receives the access in writing is not named (9.7).

    The form requires it; a request arriving through another channel without it
    is not refused, but the coordinator must learn the name before turning it.
    """
    if _text(data, "head_name"):
        return []
    return [RequirementIssue(field="head_name", message=HEAD_NAME_REQUIRED, blocking=False)]


def municipal_infrastructure_only(data: Mapping[str, Any]) -> list[RequirementIssue]:
    """GCH-CCS-P10: support is given only to the Ayuntamiento's infrastructure (10.7)."""
    if data.get("municipal_infrastructure") is not True:
        return [RequirementIssue(field="municipal_infrastructure", message=MUNICIPAL_ONLY)]
    return []


def support_equipment_identified(data: Mapping[str, Any]) -> list[RequirementIssue]:
    """GCH-CCS-P10: warn when the equipment has no inventory number.

    Not blocking: the document does not require it, but without it only the
    visit can confirm the equipment is municipal.
    """
    if _text(data, "inventory_number"):
        return []
    return [
        RequirementIssue(
            field="inventory_number",
            message=(
                "Sin número de inventario: se confirmará en sitio que el equipo pertenece al "
                "Ayuntamiento de Chalco."
            ),
            blocking=False,
        )
    ]


def cau_request_type_in_catalog(data: Mapping[str, Any]) -> list[RequirementIssue]:
    """CAU: the request names a service of the catalog, which decides its routing."""
    if data.get("request_type") not in CAU_SERVICE_TYPES:
        return [RequirementIssue(field="request_type", message="Elija un servicio del catálogo.")]
    return []


def cau_equipment_identified(data: Mapping[str, Any]) -> list[RequirementIssue]:
    """CAU: warn when a request about a device gives no inventory number."""
    if data.get("request_type") not in CAU_EQUIPMENT_SERVICES or _text(data, "inventory_number"):
        return []
    return [
        RequirementIssue(
            field="inventory_number",
            message=(
                "La solicitud es sobre un equipo y no indica su número de inventario; el técnico "
                "lo identificará en sitio."
            ),
            blocking=False,
        )
    ]
