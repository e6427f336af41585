"""Requesters' pages: file a request, follow it, answer what staff ask, get the receipt."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from helpdesk import plugins
from helpdesk import service_forms
from helpdesk import service_settings
from helpdesk import tickets
from helpdesk.catalog import RequirementIssue
from helpdesk.catalog import workflow_of
from helpdesk.extensions import db
from helpdesk.models import Ticket
from helpdesk.models import Unit
from helpdesk.tenancy import require_tenant
from helpdesk.ticket_access import ticket_by_folio_or_404
from helpdesk.ticket_access import visible
from helpdesk.views import ticket_pages

bp = Blueprint("requests", __name__, url_prefix="/<tenant>")


@bp.before_request
@login_required
def _signed_in() -> None:
    """Filing and following requests needs an account."""


def offered_service(code: str) -> service_settings.EffectiveService:
    tenant = require_tenant()
    definition = plugins.host().catalog.get(code)
    if definition is None or definition.internal:
        abort(404)
    rows = service_settings.ensure_rows(tenant, plugins.host().catalog)
    item = service_settings.effective(definition, rows[code], tenant)
    if not item.enabled:
        abort(404)
    return item


def uploads_from(form: Any) -> list[tickets.Upload]:
    files = form.attachments.data or []
    return [tickets.Upload(f.filename or "archivo", f.stream) for f in files if f and f.filename]


@bp.route("/servicios/<code>/solicitar", methods=["GET", "POST"])
def new_request(code: str) -> str | Response:
    item = offered_service(code)
    definition = item.definition
    if not tickets.may_request(definition, current_user):
        flash(_("This service is not offered to your kind of account."), "error")
        return redirect(url_for("portal.index"))
    form = service_forms.form_class(definition)()
    units = db.session.scalars(select(Unit).where(Unit.active).order_by(Unit.name)).all()
    service_forms.set_unit_choices(form, units, required=current_user.kind == "staff")
    if request.method == "GET" and current_user.unit_id:
        form.unit_id.data = current_user.unit_id
    issues: list[RequirementIssue] = []
    if request.method == "POST" and service_forms.add_requested_row(form, request.form):
        pass
    elif form.validate_on_submit():
        ticket, issues = file_from_form(
            form, item, requester=current_user, unit_id=form.unit_id.data or None, channel="portal"
        )
        if ticket is not None:
            flash(_("Request received with folio %(folio)s.", folio=ticket.folio), "success")
            return redirect(url_for(".show", folio=ticket.folio))
    return render_request_form(form, item, issues)


def file_from_form(
    form: Any,
    item: service_settings.EffectiveService,
    *,
    requester: Any,
    unit_id: int | None,
    channel: str,
) -> tuple[Ticket | None, list[RequirementIssue]]:
    """File a validated request form (portal or desk); findings go back onto the form."""
    try:
        ticket = tickets.file_request(
            tenant=require_tenant(),
            service=item,
            requester=requester,
            filed_by=current_user,
            data=service_forms.service_data(form, item.definition),
            unit_id=unit_id,
            liaison=service_forms.liaison_data(form),
            channel=channel,
            uploads=uploads_from(form),
        )
    except tickets.FilingError as exc:
        ticket_pages.attach_issues(form, exc.issues)
        return None, exc.issues
    return ticket, []


def render_request_form(
    form: Any,
    item: service_settings.EffectiveService,
    issues: list[RequirementIssue],
    *,
    on_behalf: bool = False,
) -> str:
    return render_template(
        "requests/new.html",
        form=form,
        item=item,
        definition=item.definition,
        service_fields=service_forms.service_field_names(item.definition),
        issues=issues,
        on_behalf=on_behalf,
    )


@bp.get("/mis-solicitudes")
def mine() -> str:
    statement = visible(select(Ticket), current_user).order_by(Ticket.created_at.desc())
    rows = db.session.scalars(statement.limit(500)).all()
    catalog = plugins.host().catalog
    labels = {}
    for row in rows:
        service = catalog.get(row.service_code)
        if service is not None:
            state = workflow_of(service).states.get(row.state)
            labels[row.id] = state.requester_label if state else row.state
    return render_template("requests/mine.html", rows=rows, labels=labels, catalog=catalog)


@bp.get("/solicitudes/<folio>")
def show(folio: str) -> str:
    ticket = ticket_by_folio_or_404(folio)
    return ticket_pages.render_ticket(ticket, audience="requester")


@bp.post("/solicitudes/<folio>/pasos/<name>")
def take(folio: str, name: str) -> Response | str:
    ticket = ticket_by_folio_or_404(folio)
    return ticket_pages.take_transition(ticket, name, audience="requester")


@bp.route("/solicitudes/<folio>/corregir", methods=["GET", "POST"])
def resubmit(folio: str) -> str | Response:
    ticket = ticket_by_folio_or_404(folio)
    return ticket_pages.resubmit(ticket)


@bp.get("/solicitudes/<folio>/acuse.pdf")
def receipt(folio: str) -> Response:
    return ticket_pages.receipt(ticket_by_folio_or_404(folio))


@bp.get("/adjuntos/<int:attachment_id>")
def attachment(attachment_id: int) -> Response:
    return ticket_pages.download(attachment_id)
