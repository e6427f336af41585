"""Automatic requirement checks of the communication services.

Each check is a pure function of the submitted data: the JSON-ready dict of the form's
data (dates "YYYY-MM-DD", decimals as strings) plus "attachments", a list of
{"name", "content_type"}. Checks cover the rules a single form field cannot express;
they also run on data that did not come through the form (a corrected request, the
API), so they read it defensively. Lead times are the core's job, not theirs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from helpdesk.catalog import RequirementIssue
from plugins.comunicacion.material_forms import PRINT_MEDIA

# Logos and images arrive as pictures, or as vector art exported to PDF or PostScript.
ARTWORK_CONTENT_TYPES = frozenset(
    {"application/pdf", "application/postscript", "application/illustrator"}
)
# PSDT-06 policy: links to other sites are not allowed. Government sites (any *.gob.mx)
# are not "other sites": the directory and the procedures live there.
URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"')]+", re.IGNORECASE)
GOVERNMENT_DOMAIN = "gob.mx"


def p01_coverage_kind(data: Mapping[str, Any]) -> list[RequirementIssue]:
    """GCH-CCS-P01 1.7-3: the request states precisely photo and/or video coverage."""
    if data.get("photo") or data.get("video"):
        return []
    return [
        RequirementIssue(
            field="photo",
            message="Especifique la cobertura requerida: fotográfica y/o videográfica.",
        )
    ]


def p02_publication_period(data: Mapping[str, Any]) -> list[RequirementIssue]:
    """GCH-CCS-P02 2.7-1: the "temporalidad de publicación" is a real period.

    A one-day publication (same start and end) is a valid period.
    """
    start = _date(data.get("publication_start"))
    end = _date(data.get("publication_end"))
    issues: list[RequirementIssue] = []
    if start is None:
        issues.append(
            RequirementIssue(
                field="publication_start",
                message="Indique la fecha de inicio de la publicación.",
            )
        )
    if end is None:
        issues.append(
            RequirementIssue(
                field="publication_end",
                message="Indique la fecha de fin de la publicación.",
            )
        )
    if start is not None and end is not None and end < start:
        issues.append(
            RequirementIssue(
                field="publication_end",
                message="La publicación debe terminar el mismo día o después de su inicio.",
            )
        )
    return issues


def p02_website_handoff(data: Mapping[str, Any]) -> list[RequirementIssue]:
    """GCH-CCS-P02 2.7: the web site is published by Gobierno Digital (P08), not by DCII.

    Not blocking: it tells the requester and the coordinator what will happen.
    """
    if "sitio_web" not in (data.get("networks") or []):
        return []
    return [
        RequirementIssue(
            field="networks",
            message=(
                "La publicación en el sitio web institucional la realizará el Departamento de "
                "Gobierno Digital (GCH-CCS-P08): se le turnará la solicitud una vez que el "
                "Departamento de Comunicación e Imagen Institucional apruebe las fotografías, "
                "videos y redacción."
            ),
            blocking=False,
        )
    ]


def print_size(data: Mapping[str, Any]) -> list[RequirementIssue]:
    """GCH-CCS-P04 4.7-4 and P06 6.7-3: material for print gives its real size in centimetres."""
    if data.get("medium") not in PRINT_MEDIA:
        return []
    issues = []
    for field, dimension in (("print_width_cm", "ancho"), ("print_height_cm", "alto")):
        value = _decimal(data.get(field))
        if value is None or value <= 0:
            issues.append(
                RequirementIssue(
                    field=field,
                    message=(
                        f"Indique el {dimension} real de impresión en centímetros, mayor que cero."
                    ),
                )
            )
    return issues


def material_artwork(data: Mapping[str, Any]) -> list[RequirementIssue]:
    """GCH-CCS-P04 4.7-5 and P06 6.7-5: the material's data include logos and images.

    Not blocking: some materials carry neither; the coordinator judges (see the checklist).
    """
    attachments = data.get("attachments") or []
    if any(_is_artwork(item) for item in attachments):
        return []
    return [
        RequirementIssue(
            field="attachments",
            message=(
                "No se adjuntaron logotipos ni imágenes. Si el material los lleva, adjúntelos "
                "para su elaboración."
            ),
            blocking=False,
        )
    ]


def p06_no_printing(data: Mapping[str, Any]) -> list[RequirementIssue]:
    """GCH-CCS-P06 6.7: the Coordination designs material for print but never prints it."""
    if data.get("medium") not in PRINT_MEDIA:
        return []
    return [
        RequirementIssue(
            field="medium",
            message=(
                "La Coordinación de Comunicación Social no realiza impresiones de ningún tipo: "
                "entregará el diseño para que la dependencia lo imprima."
            ),
            blocking=False,
        )
    ]


def psdt06_external_links(data: Mapping[str, Any]) -> list[RequirementIssue]:
    """PSDT-06 section 3: no links to other sites in the government's social networks.

    Information a dependencia asks to publish is refused with such links; a citizen's
    question is still answered, so there the issue only warns the moderator.
    """
    kind = data.get("kind")
    if kind == "publicacion":
        field, blocking = "information", True
    elif kind == "pregunta":
        field, blocking = "question", False
    else:
        return []
    # A sentence's closing punctuation is not part of the address.
    urls = (url.rstrip(".,;:!?") for url in URL_RE.findall(str(data.get(field) or "")))
    links = [url for url in urls if not _is_government(url)]
    if not links:
        return []
    return [
        RequirementIssue(
            field=field,
            message=(
                "La política de moderación de las redes sociales del Gobierno del Estado no "
                f"permite ligas a otros sitios: {', '.join(links)}."
            ),
            blocking=blocking,
        )
    ]


def _date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _is_artwork(attachment: Any) -> bool:
    if not isinstance(attachment, Mapping):
        return False
    content_type = str(attachment.get("content_type") or "").lower()
    return content_type.startswith("image/") or content_type in ARTWORK_CONTENT_TYPES


def _is_government(url: str) -> bool:
    # "www.x" has no scheme, so urlsplit would read it all as a path.
    host = urlsplit(url if "://" in url else f"http://{url}").hostname or ""
    return host == GOVERNMENT_DOMAIN or host.endswith(f".{GOVERNMENT_DOMAIN}")
