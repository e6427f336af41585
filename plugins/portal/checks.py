"""Automatic requirement checks of the portal services.

Pure functions of the submitted data (the JSON-ready form data plus
"attachments"). They also guard data that did not come through the form,
such as an API call or a request the Mesa de Ayuda registers by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import Any
from urllib.parse import urlparse

from helpdesk.catalog import RequirementIssue
from plugins.portal import registry
from plugins.portal.forms import CREATION
from plugins.portal.forms import MODIFICATION
from plugins.portal.forms import REGISTRY_KEY_REQUIRED

if TYPE_CHECKING:
    from helpdesk.models import Tenant


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""


def modification_names_registered_system(data: Mapping[str, Any]) -> list[RequirementIssue]:
    """GCH-CCS-P07: a modification must name the system's key in the registry.

    Whether the key is in the tenant's registry is :func:`system_in_registry`'s
    business (it needs the tenant); this pure check also guards data filed
    without the form.
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


def system_in_registry(tenant: Tenant, data: Mapping[str, Any]) -> list[RequirementIssue]:
    """GCH-CCS-P07 7.7: only systems the Coordinación developed and administers are modified.

    A modification must name a system of the tenant's registry (blocking); a name
    that differs from the registered one, or a creation of a system already
    registered, is a warning for the coordinator. Reads only.
    """
    kind = data.get("request_kind")
    name = _text(data, "system_name")
    if kind == MODIFICATION:
        key = _text(data, "system_registry_key")
        if not key:
            return []  # modification_names_registered_system already says so
        system = registry.find(tenant, key)
        if system is None:
            return [
                RequirementIssue(
                    field="system_registry_key",
                    message=(
                        f"«{key}» no está en el registro de sistemas informáticos desarrollados "
                        "y administrados por la Coordinación: solo se hacen modificaciones a "
                        "esos sistemas. La clave es el folio de la solicitud con la que se creó "
                        "el sistema; consulte el registro de sistemas."
                    ),
                )
            ]
        if name and name.casefold() != system.name.casefold():
            return [
                RequirementIssue(
                    field="system_name",
                    message=(
                        f"En el registro, la clave {system.key} corresponde al sistema "
                        f"«{system.name}»."
                    ),
                    blocking=False,
                )
            ]
    elif kind == CREATION and name:
        same = [s for s in registry.systems(tenant) if s.name.casefold() == name.casefold()]
        if same:
            return [
                RequirementIssue(
                    field="system_name",
                    message=(
                        f"El registro ya tiene un sistema «{same[0].name}» (clave {same[0].key}): "
                        "si se trata de cambiarlo, solicite una modificación."
                    ),
                    blocking=False,
                )
            ]
    return []
