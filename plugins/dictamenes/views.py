"""The page where DGD records the physical inspection of each asset (P11, activity 8).

The core's step form carries one text, one date or one file; the inspection
needs three answers per asset, so it has its own page, mounted by the core
under ``/<tenant>/s/dictamenes/``. It ends in the same workflow step
(``record_inspection``) through :func:`helpdesk.workflow.engine.apply`, so the
result is an event of the ticket like any other step.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from helpdesk.catalog import PageLink
from helpdesk.models import Ticket
from helpdesk.models import User
from helpdesk.ticket_access import ticket_by_folio_or_404
from helpdesk.ticket_access import workflow_for
from helpdesk.workflow.engine import StaleTicketError
from helpdesk.workflow.engine import TransitionError
from helpdesk.workflow.engine import allowed
from helpdesk.workflow.engine import apply
from helpdesk.workflow.fields import MAX_TEXT
from plugins.dictamenes import inspection
from plugins.dictamenes.forms import InspectionForm
from plugins.dictamenes.forms import inspection_form_class
from plugins.dictamenes.workflows import RECORD_INSPECTION

P11_CODE = "GCH-CCS-P11"
NOT_NOW = "El resultado de la inspección no puede registrarse ahora en esta solicitud."
RECORDED = "Se registró el resultado de la inspección de los bienes informáticos."

# Mounted as "dictamenes_p11": the page is "dictamenes_p11.inspect".
bp = Blueprint("p11", __name__)


def _answer(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


def _earlier_answers(ticket: Ticket) -> dict[str, Any]:
    """A re-recorded inspection starts from what was recorded before."""
    found = (ticket.data or {}).get("inspection") or {}
    return {
        "inspected_on": None,
        "observations": found.get("observations", ""),
        "assets": [
            {
                "present": _answer(item.get("present")),
                "data_correct": _answer(item.get("data_correct")),
                "repair": item.get("repair"),
                "findings": item.get("findings", ""),
            }
            for item in inspection.results_of(ticket)
        ],
    }


def _results(form: InspectionForm, assets: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    results = []
    for asset, entry in zip(assets, form.assets.entries, strict=True):
        answers = entry.form
        present = answers.present.data == "yes"
        results.append(
            inspection.result(
                asset,
                present=present,
                data_correct=answers.data_correct.data == "yes" if present else None,
                repair=answers.repair.data if present else None,
                findings=answers.findings.data or "",
            )
        )
    return results


def _timeline_text(
    assets: Sequence[Mapping[str, Any]], results: Sequence[Mapping[str, Any]], observations: str
) -> str:
    """What the timeline shows: each asset's result, or the counts when that is too long."""
    parts = [inspection.summary(assets, results)]
    if observations:
        parts.append(f"Observaciones: {observations}")
    text = "\n".join(parts)
    if len(text) <= MAX_TEXT:
        return text
    fit = sum(1 for found in results if found["qualifies"])
    return (
        f"Inspección de {len(results)} bienes informáticos: procede la baja de {fit} y no "
        f"procede la de {len(results) - fit}. El detalle por bien consta en la solicitud."
    )


def inspection_links(ticket: Ticket, user: User, audience: str) -> list[PageLink]:
    """The inspection page, on the desk's page of a P11 whose inspection is due."""
    if audience != "staff" or ticket.service_code != P11_CODE:
        return []
    workflow = workflow_for(ticket)
    if workflow.transition(RECORD_INSPECTION) not in allowed(workflow, ticket, user):
        return []
    return [
        PageLink(
            label="Registrar la inspección bien por bien",
            url=url_for("dictamenes_p11.inspect", folio=ticket.folio),
            hint="Presencia, estado y viabilidad de reparación de cada bien (11.7).",
        )
    ]


@bp.route("/inspeccion/<folio>", methods=["GET", "POST"])
def inspect(folio: str) -> str | Response | tuple[str, int]:
    if not current_user.is_staff:
        abort(404)
    ticket = ticket_by_folio_or_404(folio)
    if ticket.service_code != P11_CODE:
        abort(404)
    back = url_for("desk.ticket", folio=ticket.folio)
    workflow = workflow_for(ticket)
    step = workflow.transition(RECORD_INSPECTION)
    if step not in allowed(workflow, ticket, current_user):
        flash(NOT_NOW, "error")
        return redirect(back)
    assets = list((ticket.data or {}).get("assets") or [])
    form_class = inspection_form_class(len(assets))
    if request.method == "POST":
        form = form_class()
    else:
        form = form_class(formdata=None, data=_earlier_answers(ticket))
        form.version.data = ticket.version
    if form.validate_on_submit():
        results = _results(form, assets)
        observations = form.observations.data or ""
        try:
            apply(
                ticket.id,
                RECORD_INSPECTION,
                current_user,
                workflow=workflow,
                fields={
                    "text": _timeline_text(assets, results, observations),
                    "inspection": {
                        "inspected_on": form.inspected_on.data.isoformat(),
                        "observations": observations,
                        "assets": results,
                    },
                },
                expected_version=int(form.version.data or 0) or None,
            )
        except StaleTicketError as exc:
            flash(exc.message, "error")
            return redirect(back)
        except TransitionError as exc:
            flash(exc.message, "error")
            return redirect(back)
        flash(RECORDED, "success")
        return redirect(back)
    status = 400 if request.method == "POST" else 200
    page = render_template(
        "dictamenes/inspection.html", form=form, ticket=ticket, assets=assets, step=step
    )
    return page, status
