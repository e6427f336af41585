"""Automatic requirement checks of the portal services.

Pure functions of the submitted data (the JSON-ready form data plus
"attachments"). They also guard data that did not come through the form,
such as an API call or a request the Mesa de Ayuda registers by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

from helpdesk.catalog import RequirementIssue
from plugins.portal.forms import MODIFICATION
from plugins.portal.forms import REGISTRY_KEY_REQUIRED


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""


def modification_names_registered_system(data: Mapping[str, Any]) -> list[RequirementIssue]:
    """GCH-CCS-P07: a modification must name the system's key in the registry.

    Whether the key really belongs to a system the Coordinación developed and
    administers is on the coordinator's checklist: the registry is not in the data.
    """
    if data.get("request_kind") == MODIFICATION and not _text(data, "system_registry_key"):
        return [RequirementIssue(field="system_registry_key", message=REGISTRY_KEY_REQUIRED)]
    return []


def service_url_is_secure(data: Mapping[str, Any]) -> list[RequirementIssue]:
    """PSDT-05: the service's location must be a web address, preferably https.

    Plain http is only a warning: the document does not forbid it, but the portal
    would link citizens to an unencrypted page.
    """
    try:
        parsed = urlparse(_text(data, "service_url"))
        scheme, hostname = parsed.scheme, parsed.hostname
    except ValueError:  # e.g. an unclosed IPv6 bracket
        scheme, hostname = "", None
    if scheme not in ("http", "https") or not hostname:
        return [
            RequirementIssue(
                field="service_url",
                message="La ubicación del servicio debe ser una dirección web (http o https).",
            )
        ]
    if scheme == "http":
        return [
            RequirementIssue(
                field="service_url",
                message=(
                    "El servicio usa http, sin cifrado: conviene publicarlo con https antes de "
                    "integrarlo al Portal de GES."
                ),
                blocking=False,
            )
        ]
    return []
