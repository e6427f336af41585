"""GCH-CCS-P11's physical inspection: scheduling rules, results per asset, and the
guards that let the dictamen técnico de baja be issued only where 11.7 allows.

The dictamen is issued only for an asset whose data are right, that was
physically present at the inspection and whose repair DGD considers not
viable or not cost-effective (11.7); for the others the Coordinador sends an
oficio with the reasons (11.9, activity 9).
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from datetime import date
from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any
from zoneinfo import ZoneInfo

from flask import has_request_context
from flask import url_for

from helpdesk import tenant_calendar
from helpdesk.extensions import db
from helpdesk.models import Tenant
from helpdesk.workflow.engine import TransitionError

if TYPE_CHECKING:
    from helpdesk.models import Ticket
    from helpdesk.models import User

# Repair assessment (11.7, condition 3), in the document's words.
NOT_VIABLE = "not_viable"
NOT_COST_EFFECTIVE = "not_cost_effective"
VIABLE = "viable"
REPAIR_CHOICES = [
    (NOT_VIABLE, "No viable"),
    (NOT_COST_EFFECTIVE, "No costeable"),
    (VIABLE, "Viable y costeable: se puede reparar"),
]
REPAIR_LABELS = dict(REPAIR_CHOICES)

ABSENT = "El bien informático no se encontró físicamente en la inspección."
WRONG_DATA = "Los datos del bien informático no corresponden a los del oficio de solicitud."
REPAIRABLE = (
    "El Departamento de Gobierno Digital considera que su reparación es viable y costeable."
)
NOT_RECORDED = (
    "Registre el resultado de la inspección de cada bien informático en su formulario: {url}"
)
NOT_INSPECTED = "Aún no se registra el resultado de la inspección de los bienes informáticos."
NONE_QUALIFY = (
    "Ningún bien informático cumple las condiciones para el dictamen técnico de baja: "
    "corresponde el oficio con las razones."
)
SOME_NOT = (
    "Hay bienes informáticos que no cumplen las condiciones: primero se envía el oficio con "
    "las razones por esos bienes."
)
ALL_QUALIFY = "Todos los bienes informáticos cumplen las condiciones para el dictamen técnico."
PAST_DATE = "La fecha de la inspección no puede ser anterior a hoy."
NON_WORKING_DAY = "La fecha de la inspección debe ser un día hábil."


def evaluate(present: bool, data_correct: bool | None, repair: str | None) -> list[str]:
    """The reasons (11.7) why an asset cannot be dictaminated for disposal; [] if it can."""
    if not present:
        return [ABSENT]
    reasons = []
    if not data_correct:
        reasons.append(WRONG_DATA)
    if repair not in (NOT_VIABLE, NOT_COST_EFFECTIVE):
        reasons.append(REPAIRABLE)
    return reasons


def result(
    asset: Mapping[str, Any],
    *,
    present: bool,
    data_correct: bool | None,
    repair: str | None,
    findings: str = "",
) -> dict[str, Any]:
    """One asset's inspection result as stored in the ticket (JSON-ready)."""
    reasons = evaluate(present, data_correct, repair)
    return {
        "serial_number": asset.get("serial_number"),
        "inventory_key": asset.get("inventory_key"),
        "present": present,
        "data_correct": data_correct if present else None,
        "repair": repair if present else None,
        "findings": findings,
        "qualifies": not reasons,
        "reasons": reasons,
    }


def _yes_no(value: bool | None) -> str:
    return "—" if value is None else ("sí" if value else "no")


def summary(assets: Sequence[Mapping[str, Any]], results: Sequence[Mapping[str, Any]]) -> str:
    """The results in words, one line per asset, for the ticket's timeline."""
    lines = []
    for index, (asset, found) in enumerate(zip(assets, results, strict=True), start=1):
        verdict = "procede la baja" if found["qualifies"] else "no procede la baja"
        lines.append(
            f"Bien {index} ({asset.get('concept')}, serie {asset.get('serial_number')}): "
            f"presente: {_yes_no(found['present'])}; datos correctos: "
            f"{_yes_no(found['data_correct'])}; reparación: "
            f"{REPAIR_LABELS.get(found['repair'] or '', '—')}; {verdict}."
        )
    return "\n".join(lines)


# Keys of the tally kept with the inspection (see :func:`tally`).
QUALIFY, UNFIT = "qualify", "unfit"
NOT_FOUND, DATA_WRONG, REPAIR_VIABLE = "absent", "wrong_data", "repairable"
_TALLIED_REASONS = {ABSENT: NOT_FOUND, WRONG_DATA: DATA_WRONG, REPAIRABLE: REPAIR_VIABLE}


def tally(results: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """How many assets qualify, how many do not, and how many fail each condition of 11.7.

    Kept with the inspection so the indicators add numbers in SQL instead of
    reading every asset of every request (JSON arrays cannot be unpacked in
    one query portable to SQLite and PostgreSQL). A present asset counts under
    each condition it fails.
    """
    counts = {QUALIFY: 0, UNFIT: 0, NOT_FOUND: 0, DATA_WRONG: 0, REPAIR_VIABLE: 0}
    for found in results:
        reasons = evaluate(
            bool(found.get("present")), found.get("data_correct"), found.get("repair")
        )
        counts[UNFIT if reasons else QUALIFY] += 1
        for reason in reasons:
            counts[_TALLIED_REASONS[reason]] += 1
    return counts


def results_of(ticket: Ticket) -> list[Mapping[str, Any]]:
    """The recorded result of each asset, in the order of the request; [] if none yet."""
    found = (ticket.data or {}).get("inspection") or {}
    results = found.get("assets") if isinstance(found, Mapping) else None
    return list(results) if isinstance(results, list) else []


# -- Effects (run inside the transition's transaction) -------------------------


def _local_today(ticket: Ticket) -> tuple[Tenant, date]:
    tenant = db.session.get(Tenant, ticket.tenant_id)
    return tenant, datetime.now(ZoneInfo(tenant.timezone)).date()


def check_inspection_date(ticket: Ticket, actor: User, fields: Mapping[str, Any]) -> None:
    """The inspection is agreed for a working day from today on."""
    raw = fields.get("date")
    day = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
    tenant, today = _local_today(ticket)
    if day < today:
        raise TransitionError(PAST_DATE, field="date")
    if not tenant_calendar.calendar_for(tenant, around=day).is_working_day(day):
        raise TransitionError(NON_WORKING_DAY, field="date")


def store_results(ticket: Ticket, actor: User, fields: Mapping[str, Any]) -> None:
    """Keep the results the inspection page sent; the plain step form cannot carry them."""
    found = fields.get("inspection")
    assets = (ticket.data or {}).get("assets") or []
    if not isinstance(found, Mapping) or len(found.get("assets") or []) != len(assets):
        url = "/"
        if has_request_context():
            url = url_for("dictamenes_p11.inspect", folio=ticket.folio)
        raise TransitionError(NOT_RECORDED.format(url=url), field="text")
    recorded = {**found, "tally": tally(found.get("assets") or [])}
    ticket.data = {**(ticket.data or {}), "inspection": recorded}


# -- Guards: a refusal in Spanish, or None ------------------------------------


def _counts(ticket: Ticket) -> tuple[int, int] | None:
    results = results_of(ticket)
    if not results:
        return None
    fit = sum(1 for found in results if found.get("qualifies"))
    return fit, len(results) - fit


def none_qualify(ticket: Ticket, user: User) -> str | None:
    counts = _counts(ticket)
    if counts is None:
        return NOT_INSPECTED
    fit, _unfit = counts
    return None if fit == 0 else "Hay bienes informáticos que sí cumplen las condiciones."


def some_qualify_and_some_not(ticket: Ticket, user: User) -> str | None:
    counts = _counts(ticket)
    if counts is None:
        return NOT_INSPECTED
    fit, unfit = counts
    if fit == 0:
        return NONE_QUALIFY
    return None if unfit else ALL_QUALIFY


def may_issue(ticket: Ticket, user: User) -> str | None:
    """At least one asset qualifies, and the oficio for those that do not went first."""
    counts = _counts(ticket)
    if counts is None:
        return NOT_INSPECTED
    fit, unfit = counts
    if fit == 0:
        return NONE_QUALIFY
    if unfit and ticket.state != "partly_declined":
        return SOME_NOT
    return None
