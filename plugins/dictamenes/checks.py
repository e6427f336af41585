"""Automatic requirement checks of the technical-opinion services.

Pure functions of the submitted data (the JSON-ready form data plus
"attachments"): FieldList entries arrive as a list of dicts, decimals as
strings, dates as "YYYY-MM-DD". Issues about one asset name the field as the
form does ("assets-0-brand"), so the core can show them beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any

from helpdesk.catalog import RequirementIssue
from plugins.dictamenes.forms import ASSET_FIELDS
from plugins.dictamenes.forms import COMMITTEE_REQUIRED
from plugins.dictamenes.forms import TIC_PROGRAM_REQUIRED

NO_ASSETS = "Liste al menos un bien informático a dictaminar."
OFICIO_MISSING = (
    "Adjunte el oficio de solicitud de baja de bienes informáticos de la Secretaría del "
    "Ayuntamiento, además de una foto de cada bien."
)
# Fields that identify one asset: the same value on two assets is probably a typing error.
IDENTIFYING_FIELDS = ("inventory_key", "serial_number", "inventory_number")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _assets(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    assets = data.get("assets")
    if not isinstance(assets, list):
        return []
    return [asset if isinstance(asset, Mapping) else {} for asset in assets]


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def assets_complete(data: Mapping[str, Any]) -> list[RequirementIssue]:
    """GCH-CCS-P11: every asset carries all the data 11.7 lists."""
    assets = _assets(data)
    if not assets:
        return [RequirementIssue(field="assets", message=NO_ASSETS)]
    return [
        RequirementIssue(
            field=f"assets-{index}-{key}",
            message=f"Bien informático {index + 1}: falta el dato «{label}».",
        )
        for index, asset in enumerate(assets)
        for key, label in ASSET_FIELDS.items()
        if _blank(asset.get(key))
    ]


def _attachments(data: Mapping[str, Any]) -> list[Mapping[str, Any]] | None:
    """The files sent with the request, or None when the data carry no file list.

    Filing always sends the list; the core re-checks a corrected request
    (resubmit) from its form data alone, where the files filed earlier are not
    listed and none can be added: then only the coordinator's checklist can
    judge the photos ("Cada foto corresponde al bien informático que acompaña").
    """
    attachments = data.get("attachments")
    if not isinstance(attachments, list):
        return None
    return [item for item in attachments if isinstance(item, Mapping)]


def _is_image(item: Mapping[str, Any]) -> bool:
    return str(item.get("content_type") or "").lower().startswith("image/")


def photo_per_asset(data: Mapping[str, Any]) -> list[RequirementIssue]:
    """GCH-CCS-P11: one photo per asset (11.7), so at least as many images as assets."""
    assets = len(_assets(data))
    attachments = _attachments(data)
    if attachments is None:
        return []
    images = sum(1 for item in attachments if _is_image(item))
    if images >= assets:
        return []
    return [
        RequirementIssue(
            field="attachments",
            message=(
                "Adjunte una foto de cada bien informático a dictaminar: hay "
                f"{_count(assets, 'bien', 'bienes')} y "
                f"{_count(images, 'imagen adjunta', 'imágenes adjuntas')}."
            ),
        )
    ]


def oficio_attached(data: Mapping[str, Any]) -> list[RequirementIssue]:
    """GCH-CCS-P11: the oficio of the Secretaría del Ayuntamiento comes with the request (11.5).

    Any file beyond one photo per asset may be the oficio (a PDF, a document,
    or a scan saved as an image).
    """
    attachments = _attachments(data)
    if attachments is None:
        return []
    images = sum(1 for item in attachments if _is_image(item))
    others = len(attachments) - images
    if others or images > len(_assets(data)):
        return []
    return [RequirementIssue(field="attachments", message=OFICIO_MISSING)]


def asset_costs(data: Mapping[str, Any]) -> list[RequirementIssue]:
    """GCH-CCS-P11: each cost is a number of at least 0; a cost of 0 is only a warning.

    A zero cost is possible (a donated asset) but more often a missing figure,
    so the coordinator is asked to confirm it with Control Patrimonial.
    """
    issues: list[RequirementIssue] = []
    for index, asset in enumerate(_assets(data)):
        raw = asset.get("cost")
        if _blank(raw):
            continue  # assets_complete reports it
        field = f"assets-{index}-cost"
        cost = _decimal(raw)
        if cost is None or cost < 0:
            issues.append(
                RequirementIssue(
                    field=field,
                    message=f"Bien informático {index + 1}: el costo debe ser un número mayor o "
                    "igual a 0.",
                )
            )
        elif cost == 0:
            issues.append(
                RequirementIssue(
                    field=field,
                    message=f"Bien informático {index + 1}: el costo es 0; confirme el dato con "
                    "Control Patrimonial.",
                    blocking=False,
                )
            )
    return issues


def assets_not_repeated(data: Mapping[str, Any]) -> list[RequirementIssue]:
    """GCH-CCS-P11: warn when two assets share an inventory key, serial or inventory number.

    Not blocking: only the inspection proves the data wrong (11.7, condition 1).
    """
    issues: list[RequirementIssue] = []
    for key in IDENTIFYING_FIELDS:
        first_seen: dict[str, int] = {}
        for index, asset in enumerate(_assets(data)):
            value = asset.get(key)
            if _blank(value):
                continue
            normalized = str(value).strip().upper()
            if normalized in first_seen:
                issues.append(
                    RequirementIssue(
                        field=f"assets-{index}-{key}",
                        message=(
                            f"Los bienes informáticos {first_seen[normalized] + 1} y {index + 1} "
                            f"tienen el mismo dato «{ASSET_FIELDS[key]}»."
                        ),
                        blocking=False,
                    )
                )
            else:
                first_seen[normalized] = index
    return issues


def sidem_request_ready(data: Mapping[str, Any]) -> list[RequirementIssue]:
    """GCH-CCS-P12: the SIDEM folio, the validated TIC programme and the installed committee."""
    issues: list[RequirementIssue] = []
    if _blank(data.get("sidem_folio")):
        issues.append(
            RequirementIssue(
                field="sidem_folio",
                message="Indique el número de folio que generó el SIDEM.",
            )
        )
    if data.get("tic_program_validated") is not True:
        issues.append(RequirementIssue(field="tic_program_validated", message=TIC_PROGRAM_REQUIRED))
    if data.get("committee_installed") is not True:
        issues.append(RequirementIssue(field="committee_installed", message=COMMITTEE_REQUIRED))
    return issues
